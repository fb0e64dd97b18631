//! The command line: clap definitions and the commands. It owns the
//! terminal, the exit codes and the choice of output format; the work is
//! done by the library.
//!
//! Exit codes: 0 clean; 1 errors found (or warnings with `--deny-warnings`);
//! 2 usage error, or a path that could not be read.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::diag::render::{self, Format, HumanStyle};
use crate::diag::{Code, Counts};
use crate::driver::{self, BuildOptions, Built, Loaded};
use crate::target::Target;

#[derive(Parser, Debug)]
#[command(
    name = "dvcc",
    version,
    about = "Compile .dvc delivery-cycle descriptions, checked as one graph",
    long_about = "dvcc reads .dvc files (environments, services, pipelines, rollouts, alerts, SLOs, \
                  infrastructure) and checks them as one graph.\n\nA PATH is a .dvc file or a directory; \
                  a directory means all the .dvc files directly in it, one project.",
    after_help = "Exit codes: 0 clean, 1 problems found, 2 usage or I/O error.\n\
                  Run `dvcc explain CODE` for the page of a diagnostic code."
)]
pub struct Cli {
    /// Print nothing but the diagnostics.
    #[arg(short, long, global = true)]
    quiet: bool,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,

    /// A directory `import` may read `.dvc` files from, besides the
    /// project's directory and its git repository (repeatable).
    #[arg(long = "import-root", value_name = "DIR", global = true)]
    import_roots: Vec<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate the artifacts (GitHub Actions workflows, Helm charts, Terraform, Prometheus rules) from a project.
    #[command(
        after_help = "In CI, `dvcc build --check` fails when a committed artifact is stale, missing or hand-edited."
    )]
    Build(BuildArgs),
    /// Check .dvc files and report every problem found.
    Lint(LintArgs),
    /// Show the page of a diagnostic code, or the reference of a block kind.
    Explain {
        /// A code such as DVC0102, its name (unclosed-block), or a block kind (service).
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its summary.
        #[arg(long)]
        list: bool,
    },
    /// Print the project's graph: environments, pipelines and jobs, services,
    /// rollouts, alerts, SLOs and infrastructure, with their links.
    #[command(after_help = "Example: dvcc graph examples/shop | dot -Tsvg > shop.svg")]
    Graph {
        /// A .dvc file or a project directory [default: .]
        path: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// Print a shell completion script.
    #[command(after_help = "Example: dvcc completions bash > /etc/bash_completion.d/dvcc")]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

#[derive(clap::Args, Debug)]
struct BuildArgs {
    /// A .dvc file or a project directory [default: .]
    path: Option<PathBuf>,

    /// Where to write [default: the project directory]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Write nothing; print a diff of every stale, missing or extra file and exit 1 if there is one.
    #[arg(long)]
    check: bool,

    /// Only these targets [default: all].
    #[arg(long, value_delimiter = ',', value_parser = target_parser())]
    target: Vec<String>,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// `--target` takes the names of [`Target::ALL`], with their descriptions.
fn target_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        Target::ALL.map(|t| clap::builder::PossibleValue::new(t.name()).help(format!("{}.", t.about()))),
    )
}

#[derive(clap::Args, Debug)]
struct LintArgs {
    /// Files or directories to check [default: .]
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
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutputFormat {
    /// A report with source excerpts and labels, on standard error.
    Human,
    /// One JSON object on standard output (see docs/language.md).
    Json,
    /// GitHub Actions workflow commands (annotations) on standard output.
    Github,
    /// SARIF 2.1.0 on standard output.
    Sarif,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum GraphFormat {
    /// Graphviz DOT (render with `dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
    /// Nodes and edges as JSON.
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Runs the command line; returns the process exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Lint(ref args) => lint(&cli, args),
        Command::Build(ref args) => build(&cli, args),
        Command::Explain { code, list } => explain(code.as_deref(), list),
        Command::Graph { ref path, format } => graph(&cli, path.clone(), format),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "dvcc", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

fn lint(cli: &Cli, args: &LintArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let loaded = driver::load_allowing(&crate::load::Disk, &paths, &cli.import_roots);
    let io_failure = loaded.has_io_failure();
    let linted = driver::lint_projects(&loaded);
    let counts = linted.counts();
    let diags = linted.diagnostics;
    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
        OutputFormat::Github => Format::Github,
        OutputFormat::Sarif => Format::Sarif,
    };
    let style = HumanStyle {
        color: use_color(cli.color),
        width: terminal_width(),
    };
    let out = render::render_all(
        &loaded.db,
        &diags,
        &linted.allowed,
        linted.omitted,
        format,
        style,
        args.max_diagnostics,
    );
    if format == Format::Human {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(out.as_bytes());
        if !cli.quiet {
            let mut summary = render::summary(counts, loaded.files.len());
            if !linted.allowed.is_empty() {
                summary.push_str(&format!("; {} allowed by `dvcc-allow` comments", linted.allowed.len()));
            }
            let _ = writeln!(err, "{summary}");
        }
    } else {
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
    if io_failure {
        ExitCode::from(2)
    } else if counts.errors > 0 || (args.deny_warnings && counts.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn build(cli: &Cli, args: &BuildArgs) -> ExitCode {
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut loaded = driver::load_allowing(&crate::load::Disk, std::slice::from_ref(&path), &cli.import_roots);
    let style = HumanStyle {
        color: use_color(cli.color),
        width: terminal_width(),
    };
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
    let (diags, omitted, plan) = match driver::build(&mut loaded, &options) {
        Built::Refused {
            diagnostics,
            omitted,
            io_failure,
        } => {
            refuse(cli, &loaded, &diagnostics, omitted, style);
            return ExitCode::from(if io_failure { 2 } else { 1 });
        }
        Built::Planned {
            diagnostics,
            omitted,
            plan,
        } => (diagnostics, omitted, plan),
    };
    if !diags.is_empty() || !omitted.is_empty() {
        let counts = Counts::of(&diags).plus(omitted);
        report(
            cli,
            &loaded.db,
            &diags,
            omitted,
            style,
            &render::summary(counts, loaded.files.len()),
        );
    }
    if args.check {
        if plan.is_clean() {
            if !cli.quiet {
                eprintln!("{} generated files are up to date", plan.unchanged);
            }
            return ExitCode::SUCCESS;
        }
        let _ = std::io::stdout().lock().write_all(crate::emit::diff(&plan).as_bytes());
        eprintln!(
            "{} stale or missing, {} extra: run `dvcc build` and commit the result",
            plan.writes.len(),
            plan.removes.len()
        );
        return ExitCode::from(1);
    }
    let progress = std::io::stderr().is_terminal() && plan.writes.len() > 50 && !cli.quiet;
    if progress {
        eprint!("writing {} files…\r", plan.writes.len());
    }
    if let Err(e) = crate::emit::apply(&out, &plan) {
        eprintln!("error[DVC0701]: cannot write to `{}`: {e}", out.display());
        return ExitCode::from(2);
    }
    if !cli.quiet {
        eprintln!(
            "{} written, {} removed, {} unchanged in {}",
            plan.writes.len(),
            plan.removes.len(),
            plan.unchanged,
            if out.as_os_str().is_empty() {
                ".".to_string()
            } else {
                out.display().to_string()
            }
        );
    }
    ExitCode::SUCCESS
}

/// Reports why `build` writes nothing.
fn refuse(cli: &Cli, loaded: &Loaded, diags: &[crate::diag::Diagnostic], omitted: Counts, style: HumanStyle) {
    let summary = render::summary(Counts::of(diags).plus(omitted), loaded.files.len());
    report(
        cli,
        &loaded.db,
        diags,
        omitted,
        style,
        &format!("{summary}; nothing written"),
    );
}

/// Prints diagnostics and a summary line to standard error.
fn report(
    cli: &Cli,
    db: &crate::source::SourceDb,
    diags: &[crate::diag::Diagnostic],
    omitted: Counts,
    style: HumanStyle,
    summary: &str,
) {
    let mut err = std::io::stderr().lock();
    let text = render::render_all(db, diags, &[], omitted, Format::Human, style, 100);
    let _ = err.write_all(text.as_bytes());
    if !cli.quiet {
        let _ = writeln!(err, "{summary}");
    }
}

fn graph(cli: &Cli, path: Option<PathBuf>, format: GraphFormat) -> ExitCode {
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    let loaded = driver::load_allowing(&crate::load::Disk, &[path], &cli.import_roots);
    let linted = driver::lint_projects(&loaded);
    let counts = linted.counts();
    let omitted = linted.omitted;
    let diags = linted.diagnostics;
    if counts.errors > 0 || loaded.has_io_failure() {
        let style = HumanStyle {
            color: use_color(cli.color),
            width: terminal_width(),
        };
        let summary = format!("{}; no graph printed", render::summary(counts, loaded.files.len()));
        report(cli, &loaded.db, &diags, omitted, style, &summary);
        return ExitCode::from(if loaded.has_io_failure() { 2 } else { 1 });
    }
    let Some(model) = linted.projects.into_iter().next().map(|a| a.model) else {
        return ExitCode::from(2);
    };
    let g = crate::diagram::ProjectGraph::build(&model);
    let text = match format {
        GraphFormat::Dot => g.dot(&model.project.name),
        GraphFormat::Mermaid => g.mermaid(),
        GraphFormat::Json => g.json(),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn explain(code: Option<&str>, list: bool) -> ExitCode {
    let mut out = std::io::stdout().lock();
    if list {
        for c in Code::ALL {
            let _ = writeln!(out, "{}  {:<26} {}", c.as_str(), c.slug(), c.summary());
        }
        return ExitCode::SUCCESS;
    }
    let code = code.unwrap_or_default();
    match Code::parse(code) {
        Some(c) => {
            let _ = out.write_all(c.doc().as_bytes());
            ExitCode::SUCCESS
        }
        None => {
            use crate::schema::reference;
            let page = reference::for_kind(crate::schema::registry(), code)
                .or_else(|| reference::template_page(code))
                .or_else(|| (code == "templates").then(reference::templates_list));
            match page {
                Some(page) => {
                    let _ = out.write_all(page.as_bytes());
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!(
                        "error: `{code}` is not a dvcc diagnostic code, block kind or stdlib template\n\nhelp: `dvcc explain --list` lists every code, `dvcc explain templates` every template; docs/reference.md lists every block kind"
                    );
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
        }
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(100)
}
