//! `--format sarif`: SARIF 2.1.0, one run, the rules taken from the code
//! registry. Columns are Unicode code points (`columnKind`), as in the other
//! formats.

use serde_json::{Value, json};

use super::Location;
use crate::diag::{Allowed, Code, Counts, Diagnostic, Severity};
use crate::source::SourceDb;

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    render_all(db, diags, &[], Counts::default())
}

/// With the allowed diagnostics as results carrying an in-source
/// suppression and its justification.
pub fn render_all(db: &SourceDb, diags: &[Diagnostic], allowed: &[Allowed], omitted: Counts) -> String {
    let all: Vec<(&Diagnostic, Option<&str>)> = diags
        .iter()
        .map(|d| (d, None))
        .chain(allowed.iter().map(|a| (&a.diagnostic, Some(a.reason.as_str()))))
        .collect();
    let mut used: Vec<Code> = all.iter().map(|(d, _)| d.code).collect();
    used.sort();
    used.dedup();
    let rules: Vec<Value> = used
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.slug(),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.summary() },
                "help": { "text": format!("Run `dvcc explain {}` for the full page.", c.as_str()), "markdown": c.doc() },
                "defaultConfiguration": { "level": level(c.default_severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = all
        .iter()
        .map(|&(d, reason)| {
            let index = used.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let related: Vec<Value> = d
                .secondary
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(&Location::of(db, l.span));
                    loc["id"] = json!(i + 1);
                    loc["message"] = json!({ "text": l.message });
                    loc
                })
                .collect();
            let mut primary = location(&Location::of(db, d.primary.span));
            if !d.primary.message.is_empty() {
                primary["message"] = json!({ "text": d.primary.message });
            }
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [primary],
                "relatedLocations": related,
            });
            if !d.fixes.is_empty() {
                result["fixes"] = Value::Array(d.fixes.iter().map(|f| fix(db, f)).collect());
            }
            if let Some(reason) = reason {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
            }
            result
        })
        .collect();
    let mut doc = document(Value::Array(rules), Value::Array(results));
    // Diagnostics past the memory cap: a tool notification says how many.
    if !omitted.is_empty() {
        doc["runs"][0]["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": [{
                "level": "note",
                "message": { "text": format!(
                    "{} more diagnostics ({} errors, {} warnings) were counted but not kept",
                    omitted.total(), omitted.errors, omitted.warnings
                ) },
            }],
        }]);
    }
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// A SARIF `fix`: the edits grouped by file as `artifactChanges`.
fn fix(db: &SourceDb, f: &crate::diag::Fix) -> Value {
    let mut changes: Vec<(String, Vec<Value>)> = Vec::new();
    for e in &f.edits {
        let at = Location::of(db, e.span);
        let replacement = json!({
            "deletedRegion": {
                "startLine": at.line,
                "startColumn": at.column,
                "endLine": at.end_line,
                "endColumn": at.end_column,
            },
            "insertedContent": { "text": e.replacement },
        });
        match changes.iter_mut().find(|(file, _)| *file == at.file) {
            Some((_, list)) => list.push(replacement),
            None => changes.push((at.file, vec![replacement])),
        }
    }
    let changes: Vec<Value> = changes
        .into_iter()
        .map(|(file, replacements)| json!({ "artifactLocation": { "uri": uri(&file) }, "replacements": replacements }))
        .collect();
    json!({ "description": { "text": f.message }, "artifactChanges": changes })
}

/// A SARIF 2.1.0 log of one dvcc run with these rules and results.
pub fn document(rules: Value, results: Value) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "dvcc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn location(at: &Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&at.file) },
            "region": {
                "startLine": at.line,
                "startColumn": at.column,
                "endLine": at.end_line,
                "endColumn": at.end_column,
            }
        }
    })
}

/// A relative URI reference for a path (forward slashes, spaces and `%`
/// escaped).
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    path.replace('%', "%25").replace(' ', "%20").replace('#', "%23")
}
