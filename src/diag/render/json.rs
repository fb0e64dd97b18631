//! `--format json`: one object, exactly as the brief's section 5 gives it.
//! The `labels` array holds every label, the primary one first.

use serde_json::{Value, json};

use super::{Location, labels};
use crate::diag::{Counts, Diagnostic};
use crate::source::SourceDb;

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let counts = Counts::of(diags);
    let list: Vec<Value> = diags.iter().map(|d| diagnostic(db, d)).collect();
    let doc = json!({
        "version": 1,
        "diagnostics": list,
        "errors": counts.errors,
        "warnings": counts.warnings,
    });
    let mut out = doc.to_string();
    out.push('\n');
    out
}

fn diagnostic(db: &SourceDb, d: &Diagnostic) -> Value {
    let at = Location::of(db, d.primary.span);
    let labels: Vec<Value> = labels(d)
        .map(|l| {
            let loc = Location::of(db, l.span);
            json!({
                "message": l.message,
                "file": loc.file,
                "line": loc.line,
                "column": loc.column,
                "end_line": loc.end_line,
                "end_column": loc.end_column,
            })
        })
        .collect();
    json!({
        "code": d.code.as_str(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": at.file,
        "line": at.line,
        "column": at.column,
        "end_line": at.end_line,
        "end_column": at.end_column,
        "labels": labels,
        "help": d.help,
    })
}
