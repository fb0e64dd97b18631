//! `--format github`: workflow commands that GitHub turns into annotations,
//! `::error file=..,line=..,col=..,endLine=..,endColumn=..,title=DVC0201::message`.
//! The help line follows the message on a second line (`%0A`).

use super::Location;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceDb;

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let at = Location::of(db, d.primary.span);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&at.file),
            at.line,
            at.column,
            at.end_line,
            at.end_column,
            d.code.as_str(),
            escape_data(&message)
        ));
    }
    out
}

/// A notice that diagnostics past the memory cap were counted, not kept.
pub fn omitted(omitted: crate::diag::Counts) -> String {
    format!(
        "::notice title=dvcc::{} more diagnostics ({} errors, {} warnings) were counted but not kept\n",
        omitted.total(),
        omitted.errors,
        omitted.warnings
    )
}

/// Escapes a command's message (GitHub's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property (GitHub's `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_follow_github() {
        assert_eq!(super::escape_data("50%\nx"), "50%25%0Ax");
        assert_eq!(super::escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
