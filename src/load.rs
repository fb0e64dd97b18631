//! Loading: paths on disk → a [`SourceDb`]. This is the only module of the
//! library that touches the file system; the CLI (and later the language
//! server, with its buffers layered on top) call it.
//!
//! A directory is one project: every `*.dvc` file directly in it, in name
//! order. Unreadable paths, invalid UTF-8, NUL bytes and oversized files are
//! `DVC07xx` diagnostics; each points at a stand-in file named after the path
//! when there is no text to show.

use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic, Label};
use crate::source::{FileId, Origin, SourceDb, Span};

/// The largest `.dvc` file dvcc reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct Loaded {
    pub db: SourceDb,
    /// Files that were read and should be parsed, in load order.
    pub files: Vec<FileId>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether some path could not be read at all (exit code 2).
    pub fn has_io_failure(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::UnreadablePath | Code::NoDvcFiles | Code::FileTooLarge))
    }
}

/// Loads every path: a `.dvc` file, or a directory of them.
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut out = Loaded::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => load_dir(path, &mut out),
            Ok(_) => load_file(path, &mut out),
            Err(e) => unreadable(&mut out, path, &e),
        }
    }
    out
}

fn load_dir(dir: &Path, out: &mut Loaded) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return unreadable(out, dir, &e),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dvc") && !p.is_dir())
        .collect();
    files.sort();
    if files.is_empty() {
        let id = out.db.add(display(dir), "", Origin::User);
        out.diagnostics.push(
            Diagnostic::new(
                Code::NoDvcFiles,
                format!("no `.dvc` files in `{}`", display(dir)),
                Label::new(Span::new(id, 0, 0), "this directory has nothing to check"),
            )
            .with_help("give the directory that holds the project's `.dvc` files, or a `.dvc` file"),
        );
    }
    for f in files {
        load_file(&f, out);
    }
}

fn load_file(path: &Path, out: &mut Loaded) {
    let name = display(path);
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            let id = out.db.add(name.clone(), "", Origin::User);
            out.diagnostics.push(
                Diagnostic::new(
                    Code::FileTooLarge,
                    format!(
                        "`{name}` is {:.1} MiB; dvcc reads files of up to {} MiB",
                        m.len() as f64 / 1_048_576.0,
                        MAX_FILE_BYTES / 1_048_576
                    ),
                    Label::new(Span::new(id, 0, 0), "this file was not read"),
                )
                .with_help("split the project over several `.dvc` files in one directory"),
            );
            return;
        }
        _ => {}
    }
    match std::fs::read(path) {
        Ok(bytes) => add_bytes(out, name, bytes),
        Err(e) => unreadable(out, path, &e),
    }
}

/// Adds file contents, checking the encoding. Public for the tests and the
/// language server, which have bytes but no path on disk.
pub fn add_bytes(out: &mut Loaded, name: String, bytes: Vec<u8>) {
    let nul = bytes.iter().position(|&b| b == 0);
    match String::from_utf8(bytes) {
        Ok(text) => {
            let id = out.db.add(name.clone(), text, Origin::User);
            match nul {
                Some(at) => {
                    // The BOM, if any, was removed by `add`.
                    let at = at.saturating_sub(if out.db.get(id).bom { 3 } else { 0 });
                    out.diagnostics.push(nul_byte(id, &name, at));
                }
                None => out.files.push(id),
            }
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bad = e.as_bytes().get(valid).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = out.db.add(name.clone(), text, Origin::User);
            let bom_len = if out.db.get(id).bom { 3 } else { 0 };
            let at = valid.saturating_sub(bom_len);
            if let Some(n) = nul.filter(|&n| n < valid) {
                out.diagnostics.push(nul_byte(id, &name, n.saturating_sub(bom_len)));
            }
            let pos = out.db.get(id).line_col(at);
            out.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidUtf8,
                    format!(
                        "`{name}` is not valid UTF-8 (first bad byte 0x{bad:02X} at line {}, column {})",
                        pos.line, pos.column
                    ),
                    Label::new(
                        Span::new(id, at, at + '\u{FFFD}'.len_utf8()),
                        format!("byte 0x{bad:02X} is not UTF-8"),
                    ),
                )
                .with_help("save the file as UTF-8, for example with `iconv -f latin1 -t utf-8`"),
            );
        }
    }
}

fn nul_byte(id: FileId, name: &str, at: usize) -> Diagnostic {
    Diagnostic::new(
        Code::NulByte,
        format!("`{name}` contains a NUL byte, so it is not a text file"),
        Label::new(Span::new(id, at, at + 1), "NUL byte here"),
    )
    .with_help("save the file as UTF-8 text (not UTF-16), or remove it from the project")
}

fn unreadable(out: &mut Loaded, path: &Path, e: &std::io::Error) {
    let name = display(path);
    let id = out.db.add(name.clone(), "", Origin::User);
    let reason = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    out.diagnostics.push(
        Diagnostic::new(
            Code::UnreadablePath,
            format!("cannot read `{name}`: {reason}"),
            Label::new(Span::new(id, 0, 0), reason.clone()),
        )
        .with_help("check the path and its permissions; with no path, dvcc reads the current directory"),
    );
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
