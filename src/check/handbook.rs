//! The handbook's checks: its directory stays inside the output and out of
//! the other targets' directories; the project's `handbook/` files are
//! templates or runbook notes that some page uses; every project template
//! compiles and renders every page it is used for (handlebars' strict
//! mode: a misspelt field is an error, not an empty cell).

use crate::diag::{Capped, Code, Diagnostic, Label, suggest};
use crate::model::Model;
use crate::source::{SourceDb, Span};
use crate::target::Target;
use crate::target::handbook::{self, Problem, Renderer};

pub fn run(db: &SourceDb, model: &Model, diags: &mut Capped) {
    if let Some(h) = &model.project.handbook {
        path(&h.path, h.path_span, diags);
    }
    for s in &model.handbook_sources {
        if handbook::known_source(model, &s.name) {
            continue;
        }
        diags.push(unknown(model, &s.name, Span::new(s.file, 0, 0)));
    }
    if model.handbook_sources.iter().all(|s| !s.name.ends_with(".hbs")) {
        return;
    }
    let (renderer, problems) = Renderer::new(model);
    for p in problems {
        diags.push(template_error(db, &p, "does not compile"));
    }
    let mut failed = Vec::new();
    for page in handbook::pages(model) {
        if renderer.replaced(page.template).is_none() || failed.contains(&page.template) {
            continue;
        }
        if let Err(p) = renderer.render(&page) {
            failed.push(page.template);
            diags.push(template_error(db, &p, &format!("fails to render `{}`", page.path)));
        }
    }
}

/// The handbook's directory: relative, inside the output, apart from the
/// directories the other targets own (whose stale files a build removes).
fn path(path: &str, span: Span, diags: &mut Capped) {
    let trimmed = path.trim_end_matches('/');
    let parts: Vec<&str> = trimmed.split('/').collect();
    let problem = if trimmed.is_empty() || trimmed == "." {
        Some("it is the output directory itself".to_string())
    } else if trimmed.starts_with('/') || trimmed.contains('\\') || trimmed.contains(':') {
        Some("it is not a relative path with `/`".to_string())
    } else if parts.iter().any(|p| p.is_empty() || *p == "." || *p == "..") {
        Some("it has an empty, `.` or `..` part".to_string())
    } else {
        Target::ALL
            .iter()
            .filter(|t| **t != Target::Docs)
            .flat_map(|t| t.owned_dirs().iter().map(move |d| (t, *d)))
            .find(|(_, d)| inside(trimmed, d) || inside(d, trimmed))
            .map(|(t, d)| format!("it overlaps `{d}`, where the {} target owns the files", t.name()))
    };
    if let Some(problem) = problem {
        diags.push(
            Diagnostic::new(
                Code::InvalidHandbookPath,
                format!("the handbook cannot go in `{path}`: {problem}"),
                Label::new(span, "the handbook's directory"),
            )
            .with_help(format!(
                "write a directory of its own below the output directory, e.g. `path = \"{}\"`",
                crate::target::paths::HANDBOOK_DIR
            )),
        );
    }
}

/// Whether `a` is `b` or below it.
fn inside(a: &str, b: &str) -> bool {
    a == b || a.strip_prefix(b).is_some_and(|rest| rest.starts_with('/'))
}

fn unknown(model: &Model, name: &str, span: Span) -> Diagnostic {
    let templates: Vec<&str> = handbook::TEMPLATES.iter().map(|(n, _)| *n).collect();
    let (what, help) = match name.strip_prefix("runbooks/").and_then(|n| n.strip_suffix(".md")) {
        Some(alert) => {
            let near = suggest::did_you_mean(alert, model.alerts.iter().map(|a| a.name.as_str()));
            (
                format!("no alert is named `{alert}`"),
                match near {
                    Some(n) => format!("rename it `handbook/runbooks/{n}.md`"),
                    None => "name it after an `alert` block: `handbook/runbooks/ALERT.md`".to_string(),
                },
            )
        }
        None => {
            let near = suggest::did_you_mean(name, templates.iter().copied());
            (
                "no page is rendered with a template of this name".to_string(),
                match near {
                    Some(n) => format!("rename it `handbook/{n}`"),
                    None => format!("the templates are {}", templates.join(", ")),
                },
            )
        }
    };
    Diagnostic::new(
        Code::UnusedHandbookFile,
        format!("`handbook/{name}` is not used: {what}"),
        Label::new(span, "nothing reads this file"),
    )
    .with_help(help)
}

fn template_error(db: &SourceDb, p: &Problem, what: &str) -> Diagnostic {
    let file = db.get(p.file);
    let start = match p.line {
        Some(line) if line > 0 => {
            let at = file
                .lines
                .line_start((line - 1).min(file.lines.line_count().saturating_sub(1)));
            let col = p.column.unwrap_or(1).saturating_sub(1);
            let rest = &file.text[at..];
            let line_len = rest.find('\n').unwrap_or(rest.len());
            at + rest[..line_len].char_indices().nth(col).map_or(line_len, |(i, _)| i)
        }
        _ => 0,
    };
    let name = file.name.rsplit('/').next().unwrap_or(&file.name).to_string();
    Diagnostic::new(
        Code::HandbookTemplateError,
        format!("handbook template `{name}` {what}: {}", p.message),
        Label::new(Span::new(p.file, start, start), "here"),
    )
    .with_help(format!(
        "fix the template, or delete it to use the bundled one (`dvcc explain {}` lists each page's fields)",
        Code::HandbookTemplateError.as_str()
    ))
}
