//! `dvcc explain`: the page of a code, a block kind or field path, or a
//! stdlib template; `--list` lists them all. Rendered for the terminal
//! (plain text when piped); `--markdown` prints the page's source.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use super::Cli;
use crate::diag::Code;
use crate::diag::suggest::did_you_mean;
use crate::schema::{reference, registry};

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A code (DVC0102), its name (unclosed-block), a block kind (service), a
    /// field path (service.resources.cpu) or a stdlib template (checkout).
    #[arg(required_unless_present = "list")]
    query: Option<String>,

    /// List every code, block kind and template with a line about each.
    #[arg(long)]
    list: bool,

    /// Print the page's Markdown source instead of rendering it.
    #[arg(long)]
    markdown: bool,
}

pub fn run(cli: &Cli, args: &ExplainArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    if args.list {
        let _ = out.write_all(list().as_bytes());
        return ExitCode::SUCCESS;
    }
    let query = args.query.as_deref().unwrap_or_default().trim();
    match page(query) {
        Some(page) => {
            let text = if args.markdown {
                page
            } else {
                super::markdown::render(&page, cli.color_on(std::io::stdout().is_terminal()))
            };
            let _ = out.write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        None => {
            let candidates = candidates();
            let hint = match did_you_mean(query, candidates.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`? "),
                None => String::new(),
            };
            eprintln!(
                "error: `{query}` is not a dvcc diagnostic code, block kind, field path or stdlib template\n  help: {hint}`dvcc explain --list` lists them all"
            );
            ExitCode::from(2)
        }
    }
}

/// The page `query` names, if any.
fn page(query: &str) -> Option<String> {
    if let Some(c) = Code::parse(query) {
        return Some(c.doc().to_string());
    }
    let reg = registry();
    reference::for_kind(reg, query)
        .or_else(|| reference::for_path(reg, query))
        .or_else(|| reference::template_page(query))
        .or_else(|| (query == "templates").then(reference::templates_list))
}

/// Everything `explain` answers, for did-you-mean.
fn candidates() -> Vec<String> {
    let mut out: Vec<String> = Code::ALL
        .iter()
        .flat_map(|c| [c.as_str().to_string(), c.slug().to_string()])
        .collect();
    out.extend(reference::paths(registry()));
    out.extend(reference::template_names());
    out
}

/// `--list`: three sections, one line each.
fn list() -> String {
    let mut out = String::from("Diagnostic codes (dvcc explain CODE):\n");
    for c in Code::ALL {
        out.push_str(&format!("  {}  {:<26} {}\n", c.as_str(), c.slug(), c.summary()));
    }
    out.push_str("\nBlock kinds (dvcc explain KIND, or a field path such as service.resources.cpu):\n");
    let kinds = reference::kinds_list(registry());
    let width = kinds.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (kind, about) in kinds {
        out.push_str(&format!("  {kind:<width$}  {about}\n"));
    }
    out.push_str("\nStdlib templates (dvcc explain NAME):\n");
    let templates = reference::templates_summary();
    let width = templates.iter().map(|(t, _)| t.len()).max().unwrap_or(0);
    for (name, about) in templates {
        out.push_str(&format!("  {name:<width$}  {about}\n"));
    }
    out
}
