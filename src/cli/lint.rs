//! `dvcc lint`: every problem of the projects given, in the format asked;
//! `--fix` applies the fixes that are certain; `-` reads standard input.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use super::Cli;
use crate::diag::render::{self, Format};
use crate::diag::{Code, fix};
use crate::driver::{self, Linted, Loaded};
use crate::load::{self, Disk, FileSystem, LintRoot, MemoryFs, Overlay};

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Files or directories to check, or `-` for standard input [default: .]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,

    /// Most reports to print in human output (the machine formats carry all).
    #[arg(long, default_value_t = 100, value_name = "N")]
    max_diagnostics: usize,

    /// Apply the fixes that are certain (the help line says each one), then
    /// report what is left. With `-`, print the fixed text on standard output.
    #[arg(long)]
    fix: bool,

    /// Check each file named as a project of its own, not within its
    /// directory's project (for directories of unrelated examples).
    #[arg(long)]
    standalone: bool,

    /// The path standard input stands for (`-`): it is checked within that
    /// path's directory project, in place of the file on disk.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// A report with source excerpts and labels, on standard error.
    Human,
    /// One line per diagnostic, `file:line:column: error[CODE]: message`, on standard output.
    Short,
    /// One JSON object on standard output (see docs/language.md).
    Json,
    /// GitHub Actions workflow commands (annotations) on standard output.
    Github,
    /// SARIF 2.1.0 on standard output.
    Sarif,
}

/// Most rounds of `--fix` (a fix may reveal another; each round re-checks).
const FIX_ROUNDS: usize = 4;

pub fn run(cli: &Cli, args: &LintArgs) -> ExitCode {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        eprintln!("error: `-` reads one file from standard input; give no other path with it");
        return ExitCode::from(2);
    }
    if args.stdin_filename.is_some() && !stdin {
        eprintln!("error: `--stdin-filename` names the file read from `-`; add `-` to the paths");
        return ExitCode::from(2);
    }
    if stdin {
        let mut bytes = Vec::new();
        if let Err(e) = std::io::stdin().lock().read_to_end(&mut bytes) {
            super::io_error(
                Code::UnreadablePath,
                &format!("cannot read standard input: {e}"),
                "pipe a file into dvcc",
            );
            return ExitCode::from(2);
        }
        return lint_stdin(cli, args, bytes);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let roots = if args.standalone {
        paths
            .iter()
            .map(|p| LintRoot {
                path: p.clone(),
                focus: None,
                foreign: matches!(Disk.entry(p), Ok(load::Entry::File(_))) && p.extension().is_none_or(|x| x != "dvc"),
            })
            .collect()
    } else {
        load::lint_roots(&Disk, &paths)
    };
    let mut fixed = 0;
    if args.fix {
        match fix_on_disk(cli, &roots) {
            Ok(n) => fixed = n,
            Err(code) => return code,
        }
    }
    let mut loaded = driver::load_roots(&Disk, &roots, &cli.import_roots);
    loaded.without_index = true;
    let code = finish(cli, args, &loaded, fixed);
    // The process ends here: its memory goes back at once, not freed piece
    // by piece (a large project's trees are millions of allocations).
    std::mem::forget(loaded);
    code
}

/// Standard input as the file `--stdin-filename` names (within its
/// directory's project when it is a `.dvc` path there), or as a project of
/// its own.
fn lint_stdin(cli: &Cli, args: &LintArgs, bytes: Vec<u8>) -> ExitCode {
    let (loaded, file) = load_stdin(cli, args, bytes);
    if !args.fix {
        return finish(cli, args, &loaded, 0);
    }
    // `--fix` with `-`: the fixed text on standard output, the rest of the
    // report as usual.
    let Some(mut file) = file else {
        return finish(cli, args, &loaded, 0);
    };
    let mut text = loaded.db.text(file).to_string();
    let mut fixed = 0;
    let mut current = loaded;
    for _ in 0..FIX_ROUNDS {
        let linted = driver::lint_projects(&current);
        let applied = fix::apply(&text, file, &linted.diagnostics);
        if applied.fixes == 0 {
            break;
        }
        fixed += applied.fixes;
        text = applied.text;
        let (again, id) = load_stdin(cli, args, text.clone().into_bytes());
        current = again;
        match id {
            Some(id) => file = id,
            None => break,
        }
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    finish_to(cli, args, &current, fixed, true)
}

/// The name standard input is shown under when no `--stdin-filename` is
/// given.
const STDIN: &str = "<stdin>";

/// Loads `bytes` read from standard input as the file `--stdin-filename`
/// names (over the disk), or as a project of its own; and the file's id.
fn load_stdin(cli: &Cli, args: &LintArgs, bytes: Vec<u8>) -> (Loaded, Option<crate::source::FileId>) {
    match &args.stdin_filename {
        Some(name) => {
            let mut fs = Overlay::new(&Disk);
            fs.insert(name, bytes);
            let roots = load::lint_roots(&fs, std::slice::from_ref(name));
            let loaded = driver::load_roots(&fs, &roots, &cli.import_roots);
            let key = fs.canonical(name);
            let file = loaded
                .files
                .iter()
                .copied()
                .find(|f| fs.canonical(Path::new(&loaded.db.get(*f).name)) == key);
            (loaded, file)
        }
        None => {
            let mut fs = MemoryFs::new();
            fs.insert(STDIN, bytes);
            let roots = [LintRoot {
                path: PathBuf::from(STDIN),
                focus: None,
                foreign: false,
            }];
            let loaded = driver::load_roots(&fs, &roots, &cli.import_roots);
            let file = loaded.files.first().copied();
            (loaded, file)
        }
    }
}

/// Applies the certain fixes to the files on disk, round after round, and
/// says which files changed. Returns how many fixes were applied.
fn fix_on_disk(cli: &Cli, roots: &[LintRoot]) -> Result<usize, ExitCode> {
    let mut total = 0;
    for _ in 0..FIX_ROUNDS {
        let loaded = driver::load_roots(&Disk, roots, &cli.import_roots);
        let linted: Linted = driver::lint_projects(&loaded);
        let mut round = 0;
        for &file in &loaded.files {
            if loaded.hidden.contains(&file) {
                continue;
            }
            let text = loaded.db.text(file);
            let applied = fix::apply(
                text,
                file,
                linted.diagnostics.iter().filter(|d| d.primary.span.file == file),
            );
            if applied.fixes == 0 {
                continue;
            }
            let name = loaded.db.get(file).name.clone();
            if let Err(e) = std::fs::write(&name, applied.text.as_bytes()) {
                super::io_error(
                    Code::WriteFailed,
                    &format!("cannot write the fixed `{name}`: {e}"),
                    "check the file's permissions, then run `dvcc lint --fix` again",
                );
                return Err(ExitCode::from(2));
            }
            if !cli.quiet {
                eprintln!(
                    "fixed {name}: {} {}",
                    applied.fixes,
                    if applied.fixes == 1 { "fix" } else { "fixes" }
                );
            }
            round += applied.fixes;
        }
        total += round;
        if round == 0 {
            break;
        }
    }
    Ok(total)
}

fn finish(cli: &Cli, args: &LintArgs, loaded: &Loaded, fixed: usize) -> ExitCode {
    finish_to(cli, args, loaded, fixed, false)
}

/// Reports what is left and returns the exit code; `stdout_taken` when
/// standard output holds fixed text (the report then goes to standard
/// error, whatever the format).
fn finish_to(cli: &Cli, args: &LintArgs, loaded: &Loaded, fixed: usize, stdout_taken: bool) -> ExitCode {
    cli.say_loaded(loaded);
    let io_failure = loaded.has_io_failure();
    let linted = driver::lint_projects(loaded);
    cli.say_timings(loaded, &[]);
    let counts = linted.counts();
    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Short => Format::Short,
        OutputFormat::Json => Format::Json,
        OutputFormat::Github => Format::Github,
        OutputFormat::Sarif => Format::Sarif,
    };
    let out = render::render_all(
        &loaded.db,
        &linted.diagnostics,
        &linted.allowed,
        linted.omitted,
        format,
        cli.style(),
        args.max_diagnostics,
    );
    if format == Format::Human || stdout_taken {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(out.as_bytes());
        if !cli.quiet && format == Format::Human {
            let mut summary = render::summary(counts, loaded.reported_files());
            if !linted.allowed.is_empty() {
                summary.push_str(&format!("; {} allowed by `dvcc-allow` comments", linted.allowed.len()));
            }
            if fixed > 0 {
                summary.push_str(&format!("; {fixed} fixed"));
            }
            let _ = writeln!(err, "{summary}");
        }
    } else {
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
    // Every caller returns this code from the process: the analyses'
    // memory goes back with it.
    std::mem::forget(linted);
    if io_failure {
        ExitCode::from(2)
    } else if counts.errors > 0 || (args.deny_warnings && counts.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
