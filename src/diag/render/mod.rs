//! Renderers: one data model, four faces. Human output is miette's report;
//! JSON, GitHub workflow commands and SARIF follow the brief's section 5.
//! Lines and columns are 1-based and columns count characters; an end
//! column is exclusive (it names the character after the span).

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::diag::{Allowed, Counts, Diagnostic, Label};
use crate::source::{SourceDb, Span};

pub use human::HumanStyle;

/// The output formats of `dvcc lint --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    /// `file:line:column: error[DVC0203]: message`, one line each.
    Short,
    Json,
    Github,
    Sarif,
}

/// A span as people count: 1-based lines and character columns, with an
/// exclusive end column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    pub fn of(db: &SourceDb, span: Span) -> Location {
        let f = db.get(span.file);
        let start = f.line_col(span.start as usize);
        let end = f.line_col(span.end as usize);
        Location {
            file: f.name.clone(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// All labels, the primary one first.
pub fn labels(d: &Diagnostic) -> impl Iterator<Item = &Label> {
    std::iter::once(&d.primary).chain(d.secondary.iter())
}

/// Renders `diags` (already sorted) in `format`. Human output shows at most
/// `limit` reports and then says how many more there were; the machine
/// formats always carry every diagnostic.
pub fn render(db: &SourceDb, diags: &[Diagnostic], format: Format, style: HumanStyle, limit: usize) -> String {
    match format {
        Format::Human => render_human(db, diags, Counts::default(), style, limit),
        Format::Short => short(db, diags, Counts::default()),
        Format::Json => json::render(db, diags),
        Format::Github => github::render(db, diags),
        Format::Sarif => sarif::render(db, diags),
    }
}

/// [`render`], with the diagnostics `dvcc-allow` comments allowed (listed
/// after the others in human output, an `allowed` array in JSON, SARIF
/// results with an in-source suppression; GitHub annotations leave them
/// out) and the count of those past the memory cap ([`crate::diag::MAX_KEPT`]:
/// said in every format, and counted in the totals).
pub fn render_all(
    db: &SourceDb,
    diags: &[Diagnostic],
    allowed: &[Allowed],
    omitted: Counts,
    format: Format,
    style: HumanStyle,
    limit: usize,
) -> String {
    match format {
        Format::Human => {
            let mut out = render_human(db, diags, omitted, style, limit);
            for a in allowed {
                let at = Location::of(db, a.diagnostic.primary.span);
                out.push_str(&format!(
                    "allowed {} at {}:{}:{}: {} (because: {})\n",
                    a.diagnostic.code.as_str(),
                    at.file,
                    at.line,
                    at.column,
                    a.diagnostic.message,
                    a.reason
                ));
            }
            out
        }
        Format::Short => short(db, diags, omitted),
        Format::Json => json::render_all(db, diags, allowed, omitted),
        Format::Github => {
            let mut out = github::render(db, diags);
            if !omitted.is_empty() {
                out.push_str(&github::omitted(omitted));
            }
            out
        }
        Format::Sarif => sarif::render_all(db, diags, allowed, omitted),
    }
}

/// The one-line form compilers and editors' error formats read.
fn short(db: &SourceDb, diags: &[Diagnostic], omitted: Counts) -> String {
    let mut out = String::new();
    for d in diags {
        let at = Location::of(db, d.primary.span);
        // One line: a message's own line breaks would split it.
        let message = d.message.replace('\n', " ");
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {message}\n",
            at.file,
            at.line,
            at.column,
            d.severity.as_str(),
            d.code.as_str()
        ));
    }
    if !omitted.is_empty() {
        out.push_str(&format!(
            "dvcc: {} more diagnostics ({} errors, {} warnings) were counted but not kept\n",
            omitted.total(),
            omitted.errors,
            omitted.warnings
        ));
    }
    out
}

fn render_human(db: &SourceDb, diags: &[Diagnostic], omitted: Counts, style: HumanStyle, limit: usize) -> String {
    let mut out = String::new();
    for d in diags.iter().take(limit) {
        out.push_str(&human::render(db, d, style));
        out.push('\n');
    }
    let more = Counts::of(diags.get(limit..).unwrap_or(&[])).plus(omitted);
    if !more.is_empty() {
        let hint = if omitted.is_empty() {
            "use --format json to see every one".to_string()
        } else {
            format!(
                "only the first {} are kept; fix these and run again",
                crate::diag::MAX_KEPT
            )
        };
        out.push_str(&format!(
            "… and {} more not shown ({} errors, {} warnings); {hint}\n",
            more.total(),
            more.errors,
            more.warnings
        ));
    }
    out
}

/// "2 errors, 1 warning" as a summary line.
pub fn summary(counts: Counts, files: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if counts.errors == 0 && counts.warnings == 0 {
        return format!("no problems in {}", plural(files, "file"));
    }
    format!(
        "{}, {} in {}",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(files, "file")
    )
}
