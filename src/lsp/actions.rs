//! Code actions (the diagnostics' fixes, and "fix all" of the
//! machine-applicable ones) and formatting (`dvcc fmt`).

use std::collections::BTreeMap;

use lsp_types as lsp;

use super::convert;
use super::world::Snapshot;
use crate::diag::Diagnostic;
use crate::diag::fix::{self, Fix};
use crate::source::FileId;

pub fn code_actions(
    snapshot: &Snapshot,
    file: FileId,
    params: &lsp::CodeActionParams,
) -> Vec<lsp::CodeActionOrCommand> {
    let db = &snapshot.loaded.db;
    let source = db.get(file);
    let from = convert::offset(source, params.range.start) as u32;
    let to = convert::offset(source, params.range.end) as u32;
    let wanted = |kind: &lsp::CodeActionKind| {
        params
            .context
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
    };
    let uri_of = |f: FileId| snapshot.uri(f);
    let mut out = Vec::new();
    let here = |d: &&Diagnostic| {
        let s = d.primary.span;
        s.file == file && s.start <= to && from <= s.end
    };
    if wanted(&lsp::CodeActionKind::QUICKFIX) {
        for d in snapshot.linted.diagnostics.iter().filter(here) {
            for f in &d.fixes {
                let Some(edit) = workspace_edit(snapshot, f) else {
                    continue;
                };
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: f.message.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![convert::diagnostic(db, d, &uri_of)]),
                    edit: Some(edit),
                    is_preferred: Some(f.is_machine_applicable() && d.fixes.len() == 1),
                    ..Default::default()
                }));
            }
        }
    }
    if wanted(&lsp::CodeActionKind::SOURCE_FIX_ALL) {
        let in_file = snapshot
            .linted
            .diagnostics
            .iter()
            .filter(|d| d.primary.span.file == file);
        let applied = fix::apply(&source.text, file, in_file);
        if applied.fixes > 0
            && let Some(uri) = snapshot.uri(file)
        {
            let edit = whole(source, applied.text);
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Apply every safe fix ({})", applied.fixes),
                kind: Some(lsp::CodeActionKind::SOURCE_FIX_ALL),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some([(uri, vec![edit])].into_iter().collect()),
                    ..Default::default()
                }),
                ..Default::default()
            }));
        }
    }
    out
}

/// A fix as edits per document.
fn workspace_edit(snapshot: &Snapshot, f: &Fix) -> Option<lsp::WorkspaceEdit> {
    let db = &snapshot.loaded.db;
    let mut changes: BTreeMap<String, (lsp::Uri, Vec<lsp::TextEdit>)> = BTreeMap::new();
    for e in &f.edits {
        let uri = snapshot.uri(e.span.file)?;
        changes
            .entry(uri.as_str().to_string())
            .or_insert_with(|| (uri.clone(), Vec::new()))
            .1
            .push(lsp::TextEdit::new(
                convert::span_range(db, e.span),
                e.replacement.clone(),
            ));
    }
    Some(lsp::WorkspaceEdit {
        changes: Some(changes.into_values().collect()),
        ..Default::default()
    })
}

/// One edit replacing the whole text by `new`.
fn whole(source: &crate::source::SourceFile, new: String) -> lsp::TextEdit {
    lsp::TextEdit::new(convert::range(source, 0, source.text.len()), new)
}

/// `dvcc fmt` of the document: one edit of the whole text, or none when it
/// is formatted already.
pub fn format(snapshot: &Snapshot, file: FileId) -> Option<Vec<lsp::TextEdit>> {
    let source = snapshot.loaded.db.get(file);
    // (A request waits for the snapshot of the editor's latest text.)
    let text = source.text.as_str();
    let formatted = crate::format::format(file, text);
    if formatted == text {
        return Some(Vec::new());
    }
    Some(vec![whole(source, formatted)])
}
