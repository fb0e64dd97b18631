//! Loading: paths on disk → a [`SourceDb`]. This is the only module of the
//! library that touches the file system; the CLI (and later the language
//! server, with its buffers layered on top) call it.
//!
//! A directory is one project: every `*.dvc` file directly in it, in name
//! order. Unreadable paths, invalid UTF-8, NUL bytes and oversized files are
//! `DVC07xx` diagnostics; each points at a stand-in file named after the path
//! when there is no text to show.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic, Label};
use crate::sema::ImportEdge;
use crate::source::{FileId, Origin, SourceDb, Span};
use crate::syntax::{self, Parse, ast};

/// The largest `.dvc` file dvcc reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct Loaded {
    pub db: SourceDb,
    /// User files that were read (and parsed), in load order.
    pub files: Vec<FileId>,
    /// The parse of every user and stdlib file.
    pub parses: BTreeMap<FileId, Parse>,
    /// One per path given: its files, those it imports included.
    pub projects: Vec<Project>,
    /// The stdlib modules, in module order.
    pub stdlib: Vec<FileId>,
    pub imports: Vec<ImportEdge>,
    pub diagnostics: Vec<Diagnostic>,
    /// Canonical path → file, so a file imported twice is read once.
    by_path: BTreeMap<PathBuf, FileId>,
}

/// The files of one project.
#[derive(Clone, Debug, Default)]
pub struct Project {
    pub files: Vec<FileId>,
}

impl Loaded {
    /// Whether some path could not be read at all (exit code 2).
    pub fn has_io_failure(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::UnreadablePath | Code::NoDvcFiles | Code::FileTooLarge))
    }
}

/// Loads every path as a project: a `.dvc` file, or a directory of them,
/// with the files they import.
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut out = Loaded::default();
    load_stdlib(&mut out);
    for path in paths {
        let start = out.files.len();
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => load_dir(path, &mut out),
            Ok(_) => load_file(path, &mut out),
            Err(e) => unreadable(&mut out, path, &e),
        }
        let files = out.files[start..].to_vec();
        finish_project(&mut out, files);
    }
    out
}

impl Loaded {
    /// One project made of one in-memory file (tests, the language server).
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Loaded {
        Loaded::from_files(&[(name, bytes)])
    }

    /// One project made of in-memory files; relative imports resolve among
    /// them by name.
    pub fn from_files(files: &[(&str, Vec<u8>)]) -> Loaded {
        let mut out = Loaded::default();
        load_stdlib(&mut out);
        for (name, bytes) in files {
            if let Some(id) = add_bytes(&mut out, name.to_string(), bytes.clone()) {
                out.by_path.insert(PathBuf::from(name), id);
            }
        }
        let ids = out.files.clone();
        finish_project(&mut out, ids);
        out
    }

    pub fn ast(&self, file: FileId) -> Option<&ast::File> {
        self.parses.get(&file).map(|p| &p.ast)
    }
}

fn load_stdlib(out: &mut Loaded) {
    for (name, src) in crate::stdlib::MODULES {
        let id = out.db.add(crate::stdlib::display_name(name), *src, Origin::Stdlib);
        out.parses.insert(id, syntax::parse(&out.db, id));
        out.stdlib.push(id);
    }
}

/// Parses the project's files, follows their relative imports (loading and
/// parsing what they name), and records the project.
fn finish_project(out: &mut Loaded, mut files: Vec<FileId>) {
    parse_missing(out, &files);
    let mut i = 0;
    while i < files.len() {
        let from = files[i];
        i += 1;
        let imports: Vec<(String, Span)> = out
            .parses
            .get(&from)
            .map(|p| {
                p.ast
                    .items
                    .iter()
                    .filter_map(|item| match item {
                        ast::Item::Import(imp) => imp
                            .path
                            .as_ref()
                            .and_then(|s| s.as_plain())
                            .map(|path| (path, imp.span)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (path, span) in imports {
            if let Some(module) = path.strip_prefix("std/") {
                if crate::stdlib::module(module).is_none() {
                    let names: Vec<&str> = crate::stdlib::MODULES.iter().map(|(n, _)| *n).collect();
                    out.diagnostics.push(
                        Diagnostic::new(
                            Code::UnresolvedImport,
                            format!("no stdlib module `{path}`"),
                            Label::new(span, "not a module of the standard library"),
                        )
                        .with_help(
                            crate::diag::suggest::did_you_mean(module, names.iter().copied())
                                .map(|m| format!("did you mean `std/{m}`?"))
                                .unwrap_or_else(|| format!("the stdlib modules are std/{}", names.join(", std/"))),
                        ),
                    );
                }
                continue;
            }
            match import_file(out, from, &path, span) {
                Some(to) => {
                    out.imports.push(ImportEdge { from, to, span });
                    if !files.contains(&to) {
                        files.push(to);
                    }
                }
                None => continue,
            }
        }
    }
    out.projects.push(Project { files });
}

fn parse_missing(out: &mut Loaded, files: &[FileId]) {
    let todo: Vec<FileId> = files.iter().copied().filter(|f| !out.parses.contains_key(f)).collect();
    let db = &out.db;
    let parsed = crate::par::map(&todo, |&f| syntax::parse(db, f));
    for (f, p) in todo.into_iter().zip(parsed) {
        out.parses.insert(f, p);
    }
}

/// Loads the file `path` names, relative to the importing file.
fn import_file(out: &mut Loaded, from: FileId, path: &str, span: Span) -> Option<FileId> {
    let base = Path::new(&out.db.get(from).name)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let target = base.join(path);
    let key = std::fs::canonicalize(&target).unwrap_or_else(|_| normalize(&target));
    if let Some(id) = out.by_path.get(&key) {
        return Some(*id);
    }
    let before = out.files.len();
    match std::fs::read(&target) {
        Ok(bytes) => {
            let id = add_bytes(out, display(&normalize(&target)), bytes)?;
            out.by_path.insert(key, id);
            let new: Vec<FileId> = out.files[before..].to_vec();
            parse_missing(out, &new);
            Some(id)
        }
        Err(e) => {
            out.diagnostics.push(
                Diagnostic::new(
                    Code::UnresolvedImport,
                    format!("cannot import `{path}`: {}", reason(&e)),
                    Label::new(span, format!("looked for `{}`", display(&normalize(&target)))),
                )
                .with_help("paths are relative to the importing file; stdlib modules are written `std/NAME`"),
            );
            None
        }
    }
}

/// `a/./b/../c` → `a/c`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
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
        Ok(bytes) => {
            if let Some(id) = add_bytes(out, name, bytes) {
                let key = std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path));
                out.by_path.insert(key, id);
            }
        }
        Err(e) => unreadable(out, path, &e),
    }
}

/// Adds file contents, checking the encoding; the file's id when it is text.
pub fn add_bytes(out: &mut Loaded, name: String, bytes: Vec<u8>) -> Option<FileId> {
    let nul = bytes.iter().position(|&b| b == 0);
    match String::from_utf8(bytes) {
        Ok(text) => {
            let id = out.db.add(name.clone(), text, Origin::User);
            match nul {
                Some(at) => {
                    // The BOM, if any, was removed by `add`.
                    let at = at.saturating_sub(if out.db.get(id).bom { 3 } else { 0 });
                    out.diagnostics.push(nul_byte(id, &name, at));
                    None
                }
                None => {
                    out.files.push(id);
                    Some(id)
                }
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
            None
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
