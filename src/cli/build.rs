//! `dvcc build`: generate the artifacts, or with `--check` say which
//! committed ones are stale (as a diff, a `--stat`, JSON, GitHub
//! annotations or SARIF).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::ValueEnum;
use serde_json::{Value, json};

use super::Cli;
use crate::diag::Code;
use crate::diag::render;
use crate::driver::{self, BuildOptions, Built};
use crate::emit::{self, Plan};
use crate::stamp;
use crate::target::Target;

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// A .dvc file or a project directory [default: .]
    path: Option<PathBuf>,

    /// Where to write [default: the project directory]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Write nothing; say which files are stale, missing or extra and exit 1 if there is one.
    #[arg(long)]
    check: bool,

    /// How `--check` reports stale files.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human, requires = "check")]
    format: CheckFormat,

    /// With `--check`: one line per stale file with its added and removed lines, not the diff.
    #[arg(long, requires = "check")]
    stat: bool,

    /// Only these targets [default: all].
    #[arg(long, value_delimiter = ',', value_parser = super::target_parser())]
    target: Vec<String>,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,

    /// Write nothing; print what the build reads and writes as JSON (for
    /// build systems and CI caches that run dvcc per project).
    #[arg(long, conflicts_with = "check")]
    manifest: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// A unified diff (or `--stat`) on standard output, a summary on standard error.
    Human,
    /// One JSON object: every stale file with its status and line counts.
    Json,
    /// GitHub Actions annotations: one error per stale file.
    Github,
    /// SARIF 2.1.0: one result per stale file.
    Sarif,
    /// A pull-request comment: the files, services, environments and
    /// pipelines the change touches, and the diff folded away.
    Markdown,
}

pub fn run(cli: &Cli, args: &BuildArgs) -> ExitCode {
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let root = if path.is_dir() {
        path.clone()
    } else {
        path.parent().map(PathBuf::from).unwrap_or_default()
    };
    let out = args.out.clone().unwrap_or_else(|| root.clone());
    let options = BuildOptions {
        root,
        out: out.clone(),
        targets: args.target.iter().filter_map(|t| Target::from_name(t)).collect(),
        deny_warnings: args.deny_warnings,
    };
    // A project directory built before, unchanged since: said without
    // loading it (see `stamp`). Not for `--manifest`, a single file or
    // import roots (whose contents could shadow an import).
    let stamp_key = (path.is_dir() && !args.manifest && cli.import_roots.is_empty()).then(|| stamp::Key {
        root: path.clone(),
        out: out.clone(),
        targets: target_names(&options.targets),
    });
    if let Some(unchanged) = stamp_key.as_ref().and_then(stamp::fresh) {
        if cli.verbose {
            eprintln!("unchanged since the last build: no input, output or dvcc binary differs");
        }
        let plan = Plan {
            unchanged,
            ..Plan::default()
        };
        if args.check {
            return check(cli, args, &plan);
        }
        if !cli.quiet {
            eprintln!("0 written, 0 removed, {unchanged} unchanged in {}", shown(&out));
        }
        return ExitCode::SUCCESS;
    }
    let mut loaded = driver::load_allowing(&crate::load::Disk, std::slice::from_ref(&path), &cli.import_roots);
    loaded.without_index = true;
    cli.say_loaded(&loaded);
    let (diags, omitted, plan) = match driver::build(&mut loaded, &options) {
        Built::Refused {
            diagnostics,
            omitted,
            io_failure,
        } => {
            let summary = render::summary(crate::diag::Counts::of(&diagnostics).plus(omitted), loaded.files.len());
            super::report(
                cli,
                &loaded,
                &diagnostics,
                omitted,
                &format!("{summary}; nothing written"),
            );
            return ExitCode::from(if io_failure { 2 } else { 1 });
        }
        Built::Planned {
            diagnostics,
            omitted,
            plan,
        } => (diagnostics, omitted, plan),
    };
    if !diags.is_empty() || !omitted.is_empty() {
        let counts = crate::diag::Counts::of(&diags).plus(omitted);
        super::report(
            cli,
            &loaded,
            &diags,
            omitted,
            &render::summary(counts, loaded.files.len()),
        );
    }
    let clean = diags.is_empty() && omitted.is_empty();
    let stamp = |plan: &Plan| {
        if let Some(key) = stamp_key.as_ref().filter(|_| clean) {
            stamp::record(key, &loaded.db, &loaded.inputs(), &plan.outputs, &plan.owned);
        }
    };
    if args.check {
        cli.say_timings(&loaded, &[]);
        let code = check(cli, args, &plan);
        if plan.is_clean() {
            stamp(&plan);
        }
        return code;
    }
    if args.manifest {
        let doc = manifest(&loaded, &options, &plan);
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    let progress = std::io::stderr().is_terminal() && plan.writes.len() > 50 && !cli.quiet;
    if progress {
        eprint!("writing {} files…\r", plan.writes.len());
    }
    let started = Instant::now();
    if let Err(e) = emit::apply(&out, &plan) {
        super::io_error(
            Code::WriteFailed,
            &format!(
                "cannot write to `{}`: {}",
                crate::load::display(&out),
                crate::load::reason(&e)
            ),
            "check that the directory can be created and written, or give another one with `--out DIR`",
        );
        return ExitCode::from(2);
    }
    cli.say_timings(&loaded, &[("write", started.elapsed())]);
    if cli.verbose {
        for (rel, _, _) in &plan.writes {
            eprintln!("wrote {rel}");
        }
        for (rel, _) in &plan.removes {
            eprintln!("removed {rel}");
        }
    }
    stamp(&plan);
    if !cli.quiet {
        eprintln!(
            "{} written, {} removed, {} unchanged in {}",
            plan.writes.len(),
            plan.removes.len(),
            plan.unchanged,
            shown(&out)
        );
    }
    // The process ends here: its memory goes back at once, not freed piece
    // by piece (a large project's model and artifacts are millions of
    // allocations).
    std::mem::forget(loaded);
    std::mem::forget(plan);
    ExitCode::SUCCESS
}

/// The names of the targets built: those asked for, or every one.
fn target_names(targets: &[Target]) -> Vec<&'static str> {
    if targets.is_empty() {
        Target::ALL.iter().map(|t| t.name()).collect()
    } else {
        targets.iter().map(|t| t.name()).collect()
    }
}

fn shown(out: &std::path::Path) -> String {
    if out.as_os_str().is_empty() {
        ".".to_string()
    } else {
        crate::load::display(out)
    }
}

/// `--check`: nothing written; the stale files in the format asked.
fn check(cli: &Cli, args: &BuildArgs, plan: &Plan) -> ExitCode {
    if plan.is_clean() {
        if !cli.quiet && args.format == CheckFormat::Human {
            eprintln!("{} generated files are up to date", plan.unchanged);
        }
        if args.format != CheckFormat::Human {
            let _ = std::io::stdout()
                .lock()
                .write_all(render_check(args.format, plan).as_bytes());
        }
        return ExitCode::SUCCESS;
    }
    let text = match args.format {
        CheckFormat::Human if args.stat => emit::stat(plan),
        CheckFormat::Human => emit::diff(plan),
        other => render_check(other, plan),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if !cli.quiet && args.format == CheckFormat::Human {
        eprintln!(
            "{} stale or missing, {} extra: run `dvcc build` and commit the result",
            plan.writes.len(),
            plan.removes.len()
        );
    }
    ExitCode::from(1)
}

/// The machine formats of `--check`.
fn render_check(format: CheckFormat, plan: &Plan) -> String {
    let files = emit::stale(plan);
    let message = |f: &emit::Stale| match f.status {
        emit::Status::Stale => format!(
            "`{}` is stale (+{} -{} lines): run `dvcc build` and commit the result",
            f.path, f.added, f.removed
        ),
        emit::Status::Missing => format!("`{}` is missing: run `dvcc build` and commit the result", f.path),
        emit::Status::Mode => format!("`{}` should be executable: run `dvcc build`", f.path),
        emit::Status::Extra => format!(
            "`{}` is no longer generated: run `dvcc build` (it removes it) and commit the result",
            f.path
        ),
    };
    match format {
        CheckFormat::Json => {
            let list: Vec<Value> = files
                .iter()
                .map(|f| {
                    json!({
                        "path": f.path,
                        "status": f.status.as_str(),
                        "added": f.added,
                        "removed": f.removed,
                    })
                })
                .collect();
            let doc = json!({
                "version": 1,
                "stale": list,
                "unchanged": plan.unchanged,
            });
            format!("{doc}\n")
        }
        CheckFormat::Github => {
            let mut out = String::new();
            for f in &files {
                out.push_str(&format!(
                    "::error file={},title=dvcc build --check::{}\n",
                    crate::diag::render::github::escape_property(&f.path),
                    crate::diag::render::github::escape_data(&message(f))
                ));
            }
            out
        }
        CheckFormat::Sarif => {
            let results: Vec<Value> = files
                .iter()
                .map(|f| {
                    json!({
                        "ruleId": "stale-artifact",
                        "level": "error",
                        "message": { "text": message(f) },
                        "locations": [{
                            "physicalLocation": {
                                "artifactLocation": { "uri": f.path },
                                "region": { "startLine": 1 },
                            }
                        }],
                    })
                })
                .collect();
            let rules = json!([{
                "id": "stale-artifact",
                "shortDescription": { "text": "a generated file that differs from what `dvcc build` writes" },
                "help": { "text": "Run `dvcc build` and commit the result." },
            }]);
            let doc = crate::diag::render::sarif::document(rules, Value::Array(results));
            let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
            out.push('\n');
            out
        }
        CheckFormat::Markdown => markdown_summary(plan, &files),
        CheckFormat::Human => emit::diff(plan),
    }
}

/// The longest diff a summary shows (GitHub takes comments of up to
/// 65,536 characters).
const SUMMARY_DIFF_CHARS: usize = 50_000;

/// `--check --format markdown`: what the change does to the generated
/// files, for a pull-request comment.
fn markdown_summary(plan: &Plan, files: &[emit::Stale]) -> String {
    use crate::target::handbook::markdown::code;
    if files.is_empty() {
        return format!(
            "### dvcc build --check: up to date\n\nThe {} generated files match the `.dvc` sources.\n",
            plan.unchanged
        );
    }
    let mut out = format!(
        "### dvcc build --check: {} generated file{} to update\n\nRun `dvcc build` and commit the result.\n\n",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    let (mut services, mut environments, mut pipelines) = (Vec::new(), Vec::new(), Vec::new());
    for f in files {
        let t = crate::target::paths::touched(&f.path);
        for (item, list) in [
            (t.service, &mut services),
            (t.environment, &mut environments),
            (t.pipeline, &mut pipelines),
        ] {
            if let Some(x) = item.filter(|x| !list.contains(x)) {
                list.push(x);
            }
        }
    }
    for (what, list) in [
        ("Services", &services),
        ("Environments", &environments),
        ("Pipelines", &pipelines),
    ] {
        if !list.is_empty() {
            let names: Vec<String> = list.iter().map(|n| code(n)).collect();
            out.push_str(&format!("- {what}: {}\n", names.join(", ")));
        }
    }
    if !(services.is_empty() && environments.is_empty() && pipelines.is_empty()) {
        out.push('\n');
    }
    out.push_str("| File | Status | Lines |\n|---|---|---|\n");
    for f in files {
        out.push_str(&format!(
            "| {} | {} | +{} −{} |\n",
            code(&f.path),
            f.status.as_str(),
            f.added,
            f.removed
        ));
    }
    let mut diff = emit::diff(plan);
    if diff.len() > SUMMARY_DIFF_CHARS {
        let cut = crate::source::floor_char_boundary(&diff, SUMMARY_DIFF_CHARS);
        diff.truncate(cut);
        diff.push_str("\n… (cut: run `dvcc build --check` for the whole diff)\n");
    }
    let fence = crate::target::handbook::markdown::fence(&diff);
    out.push_str(&format!(
        "\n<details><summary>The diff</summary>\n\n{fence}diff\n{}{}{fence}\n\n</details>\n",
        diff,
        if diff.ends_with('\n') { "" } else { "\n" }
    ));
    out
}

/// `--manifest`: the project's inputs (every `.dvc` file it reads, imports
/// included, as loaded; the standard library is inside dvcc) and outputs
/// (every file it generates, and the directories where it removes files it
/// no longer generates), relative to `out`: paths a build system declares.
fn manifest(loaded: &driver::Loaded, options: &BuildOptions, plan: &Plan) -> Value {
    let mut inputs: Vec<&str> = loaded
        .inputs()
        .iter()
        .map(|f| loaded.db.get(*f).name.as_str())
        .collect();
    inputs.sort_unstable();
    inputs.dedup();
    let mut outputs: Vec<&str> = plan.outputs.iter().map(String::as_str).collect();
    outputs.sort_unstable();
    json!({
        "dvcc": env!("CARGO_PKG_VERSION"),
        "root": crate::load::display(&options.root),
        "out": crate::load::display(&options.out),
        "targets": plan.targets,
        "inputs": inputs,
        "outputs": outputs,
        "owned": plan.owned,
    })
}
