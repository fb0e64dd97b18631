//! `--format json`: one object, exactly as the brief's section 5 gives it.
//! The `labels` array holds every label, the primary one first; `fixes`
//! the suggested edits (`applicability` says whether `--fix` applies them).

use serde_json::{Value, json};

use super::{Location, labels};
use crate::diag::{Allowed, Counts, Diagnostic};
use crate::source::SourceDb;

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    render_all(db, diags, &[], Counts::default())
}

/// With an `allowed` array (each diagnostic with the `reason` its
/// `dvcc-allow` comment gave) when anything was allowed, and an `omitted`
/// object (`errors`, `warnings`) when diagnostics past the memory cap were
/// counted, not kept; `errors` and `warnings` count them too.
pub fn render_all(db: &SourceDb, diags: &[Diagnostic], allowed: &[Allowed], omitted: Counts) -> String {
    let counts = Counts::of(diags).plus(omitted);
    let list: Vec<Value> = diags.iter().map(|d| diagnostic(db, d)).collect();
    let mut doc = json!({
        "version": 1,
        "diagnostics": list,
        "errors": counts.errors,
        "warnings": counts.warnings,
    });
    if !omitted.is_empty()
        && let Value::Object(m) = &mut doc
    {
        m.insert(
            "omitted".into(),
            json!({ "errors": omitted.errors, "warnings": omitted.warnings }),
        );
    }
    if !allowed.is_empty()
        && let Value::Object(m) = &mut doc
    {
        let list: Vec<Value> = allowed
            .iter()
            .map(|a| {
                let mut v = diagnostic(db, &a.diagnostic);
                if let Value::Object(o) = &mut v {
                    o.insert("reason".into(), Value::String(a.reason.clone()));
                }
                v
            })
            .collect();
        m.insert("allowed".into(), Value::Array(list));
    }
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
        "fixes": fixes(db, d),
    })
}

/// The suggested fixes, each with its edits located as the labels are.
fn fixes(db: &SourceDb, d: &Diagnostic) -> Vec<Value> {
    d.fixes
        .iter()
        .map(|f| {
            let edits: Vec<Value> = f
                .edits
                .iter()
                .map(|e| {
                    let loc = Location::of(db, e.span);
                    json!({
                        "file": loc.file,
                        "line": loc.line,
                        "column": loc.column,
                        "end_line": loc.end_line,
                        "end_column": loc.end_column,
                        "replacement": e.replacement,
                    })
                })
                .collect();
            json!({
                "message": f.message,
                "applicability": f.applicability.as_str(),
                "edits": edits,
            })
        })
        .collect()
}
