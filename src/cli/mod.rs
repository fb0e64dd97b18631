//! The command line: clap definitions and the commands. It owns the
//! terminal, the exit codes and the choice of output format; the work is
//! done by the library.
//!
//! Exit codes: 0 clean; 1 errors found (or warnings with `--deny-warnings`,
//! or stale artifacts with `build --check`); 2 usage error, or a path that
//! could not be read or written.

mod build;
mod diff;
mod explain;
mod fmt;
mod init;
mod lint;
mod markdown;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::diag::render::{self, Format, HumanStyle};
use crate::diag::{Counts, Diagnostic};
use crate::driver::Loaded;
use crate::target::Target;

#[derive(Parser, Debug)]
#[command(
    name = "dvcc",
    version,
    about = "Compile .dvc delivery-cycle descriptions, checked as one graph",
    long_about = "dvcc reads .dvc files (environments, services, pipelines, rollouts, alerts, SLOs, \
                  infrastructure) and checks them as one graph.\n\nA PATH is a .dvc file or a directory; \
                  a directory means all the .dvc files directly in it, one project. A file is checked \
                  within its directory's project.",
    after_help = "Exit codes: 0 clean, 1 problems found, 2 usage or I/O error.\n\
                  Run `dvcc explain CODE` for the page of a diagnostic code."
)]
pub struct Cli {
    /// Print nothing but the diagnostics.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,

    /// Say what was loaded, how long each stage took and what was written
    /// (on standard error).
    #[arg(short, long, global = true)]
    verbose: bool,

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
        after_help = "In CI, `dvcc build --check` fails when a committed artifact is stale, missing or hand-edited;\n\
                      `--format github` annotates the stale files in a pull request."
    )]
    Build(build::BuildArgs),
    /// Check .dvc files and report every problem found.
    #[command(
        after_help = "Examples:\n  dvcc lint                       the project in this directory\n  \
                            dvcc lint services.dvc          one file, checked within its directory's project\n  \
                            dvcc lint --fix                 apply the fixes that are certain\n  \
                            cat a.dvc | dvcc lint - --stdin-filename infra/a.dvc"
    )]
    Lint(lint::LintArgs),
    /// Show the page of a diagnostic code, a block kind or field path, or a stdlib template.
    #[command(
        after_help = "Examples: dvcc explain DVC0203, dvcc explain undefined-name, dvcc explain service,\n\
                            dvcc explain service.resources.cpu, dvcc explain checkout, dvcc explain --list"
    )]
    Explain(explain::ExplainArgs),
    /// Lay `.dvc` files out the one canonical way (comments and meaning kept).
    #[command(after_help = "In CI: dvcc fmt --check --diff")]
    Fmt(fmt::FmtArgs),
    /// Write a small, working starter project (three environments, a service, a pipeline, a canary, an alert, an SLO, infrastructure).
    #[command(after_help = "Example: dvcc init shop && dvcc build shop")]
    Init(init::InitArgs),
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
    /// Show every resolved value that differs between two environments, with where each side is set.
    #[command(
        after_help = "Examples:\n  dvcc diff staging production                 what changes in production\n  \
                            dvcc diff staging production --service api   one service\n  \
                            dvcc diff staging production --format markdown --exit-code   for a pull-request comment"
    )]
    Diff(diff::DiffArgs),
    /// Run the language server on standard input and output (for editors).
    #[command(after_help = "Editors start it themselves: see editors/ (VS Code, Neovim, Helix, Emacs)")]
    Lsp {
        /// Accepted for clients that pass it; standard input and output are the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Print a shell completion script.
    #[command(after_help = "Example: dvcc completions bash > /etc/bash_completion.d/dvcc")]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
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
    run_with(|| {})
}

/// [`run`], with `before_build` called before a `build` begins: a build
/// frees its syntax trees before it generates, and the binary uses it to
/// have its allocator give freed memory back to the system promptly
/// (`src/main.rs`).
pub fn run_with(before_build: fn()) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Lint(ref args) => lint::run(&cli, args),
        Command::Build(ref args) => {
            before_build();
            build::run(&cli, args)
        }
        Command::Explain(ref args) => explain::run(&cli, args),
        Command::Init(ref args) => init::run(&cli, args),
        Command::Fmt(ref args) => fmt::run(&cli, args),
        Command::Diff(ref args) => diff::run(&cli, args),
        Command::Graph { ref path, format } => graph(&cli, path.clone(), format),
        Command::Lsp { .. } => ExitCode::from(u8::try_from(crate::lsp::run_stdio()).unwrap_or(1)),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "dvcc", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

impl Cli {
    fn style(&self) -> HumanStyle {
        HumanStyle {
            color: self.color_on(std::io::stderr().is_terminal()),
            width: terminal_width(),
        }
    }

    /// Whether to colour a stream that is (or not) a terminal.
    fn color_on(&self, terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
        }
    }

    /// `-v`: the files loaded and each stage's time, on standard error.
    fn say_loaded(&self, loaded: &Loaded) {
        if !self.verbose {
            return;
        }
        let mut err = std::io::stderr().lock();
        for (i, p) in loaded.projects.iter().enumerate() {
            let _ = writeln!(err, "project {}: {} files", i + 1, p.files.len());
            for f in &p.files {
                let shown = if loaded.hidden.contains(f) {
                    " (context only)"
                } else {
                    ""
                };
                let _ = writeln!(err, "  loaded {}{shown}", loaded.db.get(*f).name);
            }
        }
        let _ = writeln!(err, "stdlib: {} modules", loaded.stdlib.len());
    }

    fn say_timings(&self, loaded: &Loaded, extra: &[(&str, std::time::Duration)]) {
        if !self.verbose {
            return;
        }
        let mut err = std::io::stderr().lock();
        for (stage, took) in loaded
            .timings()
            .iter()
            .map(|(s, t)| (*s, *t))
            .chain(extra.iter().copied())
        {
            let _ = writeln!(err, "stage {stage}: {:.1} ms", took.as_secs_f64() * 1000.0);
        }
    }
}

/// Prints diagnostics in human form and a summary line to standard error.
fn report(cli: &Cli, loaded: &Loaded, diags: &[Diagnostic], omitted: Counts, summary: &str) {
    let mut err = std::io::stderr().lock();
    let text = render::render_all(&loaded.db, diags, &[], omitted, Format::Human, cli.style(), 100);
    let _ = err.write_all(text.as_bytes());
    if !cli.quiet {
        let _ = writeln!(err, "{summary}");
    }
}

/// An I/O failure of the command itself (not of a `.dvc` file), in the
/// diagnostics' style: `error[DVC0701]: message`, a help line, the page.
fn io_error(code: crate::diag::Code, message: &str, help: &str) {
    let code = code.as_str();
    eprintln!(
        "error[{code}]: {message}\n  help: {help}\n\n  see `dvcc explain {code}` or {}{code}",
        render::human::DOCS_URL
    );
}

fn graph(cli: &Cli, path: Option<PathBuf>, format: GraphFormat) -> ExitCode {
    let (_, model) = match analysed(cli, path, "no graph printed") {
        Ok(found) => found,
        Err(code) => return code,
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

/// The project at `path` (`.` when none) loaded and analysed, with its
/// model; or, when it has errors, them reported ("…; `nothing`") and the
/// exit code.
fn analysed(cli: &Cli, path: Option<PathBuf>, nothing: &str) -> Result<(Loaded, crate::model::Model), ExitCode> {
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    let loaded = crate::driver::load_allowing(&crate::load::Disk, &[path], &cli.import_roots);
    cli.say_loaded(&loaded);
    let linted = crate::driver::lint_projects(&loaded);
    let counts = linted.counts();
    if counts.errors > 0 || loaded.has_io_failure() {
        let summary = format!("{}; {nothing}", render::summary(counts, loaded.files.len()));
        report(cli, &loaded, &linted.diagnostics, linted.omitted, &summary);
        return Err(ExitCode::from(if loaded.has_io_failure() { 2 } else { 1 }));
    }
    cli.say_timings(&loaded, &[]);
    match linted.projects.into_iter().next() {
        Some(a) => Ok((loaded, a.model)),
        None => Err(ExitCode::from(2)),
    }
}

/// The width to wrap human output at: `COLUMNS`, else the terminal's
/// (standard error's), else no wrapping (a log or a pipe keeps whole
/// lines, as compilers print them).
fn terminal_width() -> usize {
    if let Some(w) = std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()) {
        return w.max(40);
    }
    match terminal_size::terminal_size_of(std::io::stderr()) {
        Some((terminal_size::Width(w), _)) => usize::from(w).max(40),
        None => UNWRAPPED,
    }
}

/// "Do not wrap" for miette (it wraps at a width).
const UNWRAPPED: usize = 10_000;

/// The targets `--target` takes, with their descriptions.
fn target_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        Target::ALL.map(|t| clap::builder::PossibleValue::new(t.name()).help(format!("{}.", t.about()))),
    )
}
