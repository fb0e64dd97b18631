//! `dvcc fmt [PATH ...] [--check] [--diff] [-]`: the canonical layout
//! (`crate::format`), written in place, checked, or shown as a diff.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Cli;
use crate::diag::Code;
use crate::source::FileId;

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Files or directories (searched recursively for `.dvc` files), or `-`
    /// for standard input [default: .]
    paths: Vec<PathBuf>,

    /// Write nothing; list the files that are not formatted and exit 1 if any.
    #[arg(long)]
    check: bool,

    /// Print a unified diff of what formatting changes (with `--check`, write nothing).
    #[arg(long)]
    diff: bool,
}

pub fn run(cli: &Cli, args: &FmtArgs) -> ExitCode {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            eprintln!("error: `-` formats standard input; give no other path with it");
            return ExitCode::from(2);
        }
        let mut text = String::new();
        if let Err(e) = std::io::stdin().lock().read_to_string(&mut text) {
            super::io_error(
                Code::UnreadablePath,
                &format!("cannot read standard input as UTF-8 text: {}", crate::load::reason(&e)),
                "pipe a `.dvc` file into `dvcc fmt -`",
            );
            return ExitCode::from(2);
        }
        let formatted = crate::format::format(FileId(0), &text);
        let mut out = std::io::stdout().lock();
        if args.diff {
            let _ = out.write_all(unified(&text, &formatted, "<stdin>").as_bytes());
        } else if !args.check {
            let _ = out.write_all(formatted.as_bytes());
        }
        return if args.check && formatted != text {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
    }
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    for root in &roots {
        if root.is_dir() {
            walk(root, &mut files);
        } else if root.is_file() {
            files.push(root.clone());
        } else {
            super::io_error(
                Code::UnreadablePath,
                &format!(
                    "cannot read `{}`: no such file or directory",
                    crate::load::display(root)
                ),
                "give `.dvc` files or directories that hold them",
            );
            return ExitCode::from(2);
        }
    }
    files.sort();
    files.dedup();
    let (mut changed, mut failed) = (Vec::new(), false);
    let mut out = std::io::stdout().lock();
    for path in &files {
        let name = crate::load::display(path);
        let text = match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                super::io_error(
                    Code::InvalidUtf8,
                    &format!("`{name}` is not UTF-8 text"),
                    "save it as UTF-8; it was left as it is",
                );
                failed = true;
                continue;
            }
            Err(e) => {
                super::io_error(
                    Code::UnreadablePath,
                    &format!("cannot read `{name}`: {}", crate::load::reason(&e)),
                    "check its permissions",
                );
                failed = true;
                continue;
            }
        };
        let formatted = crate::format::format(FileId(0), &text);
        if formatted == text {
            continue;
        }
        changed.push(name.clone());
        if args.diff {
            let _ = out.write_all(unified(&text, &formatted, &name).as_bytes());
        }
        if args.check {
            continue;
        }
        if let Err(e) = std::fs::write(path, formatted.as_bytes()) {
            super::io_error(
                Code::WriteFailed,
                &format!("cannot write `{name}`: {}", crate::load::reason(&e)),
                "check its permissions",
            );
            failed = true;
        } else if cli.verbose {
            eprintln!("formatted {name}");
        }
    }
    if args.check {
        for name in &changed {
            eprintln!("not formatted: {name}");
        }
        if !cli.quiet {
            eprintln!("{} of {} files need `dvcc fmt`", changed.len(), files.len());
        }
    } else if !cli.quiet {
        eprintln!("{} of {} files formatted", changed.len(), files.len());
    }
    if failed {
        ExitCode::from(2)
    } else if args.check && !changed.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The `.dvc` files under `dir`, skipping hidden directories and `target`.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "dvc") {
            out.push(p);
        }
    }
}

fn unified(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
