//! Names: go to definition, find references, rename, and the outlines
//! (document and workspace symbols).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use lsp_server::ErrorCode;
use lsp_types as lsp;

use super::convert;
use super::locate;
use super::world::Snapshot;
use crate::schema::{Labels, Namespace};
use crate::sema::index::{Index, Symbol};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, Item};

type Reply<T> = Result<T, (ErrorCode, String)>;

fn offset(snapshot: &Snapshot, file: FileId, position: lsp::Position) -> u32 {
    convert::offset(snapshot.loaded.db.get(file), position) as u32
}

fn index(snapshot: &Snapshot) -> Option<&Index> {
    snapshot.analysis().map(|a| a.index.get())
}

/// The symbols under the cursor.
fn symbols_at(snapshot: &Snapshot, file: FileId, position: lsp::Position) -> Vec<Symbol> {
    let Some(index) = index(snapshot) else {
        return Vec::new();
    };
    index
        .at(file, offset(snapshot, file, position))
        .into_iter()
        .cloned()
        .collect()
}

fn location(snapshot: &Snapshot, span: Span) -> Option<lsp::Location> {
    convert::location(&snapshot.loaded.db, span, &|f| snapshot.uri(f))
}

pub fn definition(snapshot: &Snapshot, file: FileId, position: lsp::Position) -> Option<lsp::GotoDefinitionResponse> {
    let index = index(snapshot)?;
    let locations: Vec<lsp::Location> = symbols_at(snapshot, file, position)
        .iter()
        .filter_map(|s| index.definition(s))
        .filter_map(|d| location(snapshot, d.span))
        .collect();
    match locations.len() {
        0 => None,
        1 => locations.into_iter().next().map(lsp::GotoDefinitionResponse::Scalar),
        _ => Some(lsp::GotoDefinitionResponse::Array(locations)),
    }
}

pub fn references(
    snapshot: &Snapshot,
    file: FileId,
    position: lsp::Position,
    include_declaration: bool,
) -> Option<Vec<lsp::Location>> {
    let index = index(snapshot)?;
    let mut spans: BTreeSet<Span> = BTreeSet::new();
    for s in symbols_at(snapshot, file, position) {
        if include_declaration && let Some(d) = index.definition(&s) {
            spans.insert(d.span);
        }
        spans.extend(index.references(&s).iter().copied());
    }
    Some(spans.into_iter().filter_map(|s| location(snapshot, s)).collect())
}

/// The symbols a rename at the cursor changes: the one under it and, where
/// one name has two roles (a deploy job is named after its environment),
/// the other role too.
fn rename_set(index: &Index, at: Vec<Symbol>) -> Vec<Symbol> {
    let mut set: Vec<Symbol> = at;
    let mut i = 0;
    while let Some(s) = set.get(i).cloned() {
        i += 1;
        if let Some(d) = index.definition(&s) {
            for other in index.at(d.span.file, d.span.start) {
                if !set.contains(other) && index.definition(other).is_some_and(|o| o.span == d.span)
                    || !set.contains(other) && index.references(other).contains(&d.span)
                {
                    set.push(other.clone());
                }
            }
        }
    }
    set
}

fn rename_target(snapshot: &Snapshot, file: FileId, position: lsp::Position) -> Reply<(Vec<Symbol>, Span)> {
    let Some(index) = index(snapshot) else {
        return Err((ErrorCode::RequestFailed, "the project is not analysed yet".into()));
    };
    let here = offset(snapshot, file, position);
    let at: Vec<Symbol> = index.at(file, here).into_iter().cloned().collect();
    if at.is_empty() {
        return Err((ErrorCode::RequestFailed, "there is no name here to rename".into()));
    }
    let set = rename_set(index, at);
    for s in &set {
        match index.definition(s) {
            None => {
                return Err((
                    ErrorCode::RequestFailed,
                    format!("`{}` is not declared: there is nothing to rename", s.name),
                ));
            }
            Some(d) if d.stdlib => {
                return Err((
                    ErrorCode::RequestFailed,
                    format!(
                        "{} `{}` is declared by the standard library and cannot be renamed",
                        s.ns.noun(),
                        s.name
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    // The span of the name under the cursor.
    let span = set
        .iter()
        .flat_map(|s| index.sites(s))
        .find(|sp| sp.file == file && sp.start <= here && here <= sp.end)
        .ok_or((ErrorCode::RequestFailed, "there is no name here to rename".to_string()))?;
    Ok((set, span))
}

pub fn prepare_rename(
    snapshot: &Snapshot,
    file: FileId,
    position: lsp::Position,
) -> Reply<Option<lsp::PrepareRenameResponse>> {
    let (_, span) = rename_target(snapshot, file, position)?;
    Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: convert::span_range(&snapshot.loaded.db, span),
        placeholder: snapshot.loaded.db.slice(span).to_string(),
    }))
}

// lsp-types keys a workspace edit's changes by `Uri`, which caches its parse
// in a cell; no key is changed while in the map.
#[allow(clippy::mutable_key_type)]
pub fn rename(
    snapshot: &Snapshot,
    file: FileId,
    position: lsp::Position,
    new_name: &str,
) -> Reply<Option<lsp::WorkspaceEdit>> {
    let (set, _) = rename_target(snapshot, file, position)?;
    let Some(index) = index(snapshot) else {
        return Ok(None);
    };
    if !crate::syntax::is_ident(new_name) {
        return Err((
            ErrorCode::InvalidParams,
            format!(
                "`{new_name}` is not a valid name: names start with a letter or `_` and hold letters, digits, `_` and `-`"
            ),
        ));
    }
    for s in &set {
        let taken = Symbol {
            name: new_name.to_string(),
            ..s.clone()
        };
        if taken != *s && index.definition(&taken).is_some() {
            return Err((
                ErrorCode::InvalidParams,
                format!("there is already {} `{new_name}`", article(s.ns)),
            ));
        }
    }
    let spans: BTreeSet<Span> = set.iter().flat_map(|s| index.sites(s)).collect();
    let mut changes: BTreeMap<String, (lsp::Uri, Vec<lsp::TextEdit>)> = BTreeMap::new();
    for span in spans {
        let Some(uri) = snapshot.uri(span.file) else { continue };
        // A name written as a string label keeps its quotes.
        let text = snapshot.loaded.db.slice(span);
        let replacement = if text.starts_with('"') && text.ends_with('"') && text.len() >= 2 {
            format!("\"{new_name}\"")
        } else {
            new_name.to_string()
        };
        changes
            .entry(uri.as_str().to_string())
            .or_insert_with(|| (uri.clone(), Vec::new()))
            .1
            .push(lsp::TextEdit::new(
                convert::span_range(&snapshot.loaded.db, span),
                replacement,
            ));
    }
    let changes = changes.into_values().collect();
    Ok(Some(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }))
}

fn article(ns: Namespace) -> String {
    let noun = ns.noun();
    let a = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{a} {noun}")
}

pub fn symbol_kind(ns: Namespace) -> lsp::SymbolKind {
    match ns {
        Namespace::Environment => lsp::SymbolKind::NAMESPACE,
        Namespace::Service => lsp::SymbolKind::CLASS,
        Namespace::Pipeline => lsp::SymbolKind::MODULE,
        Namespace::Job => lsp::SymbolKind::FUNCTION,
        Namespace::Rollout => lsp::SymbolKind::EVENT,
        Namespace::Alert => lsp::SymbolKind::EVENT,
        Namespace::Slo => lsp::SymbolKind::CONSTANT,
        Namespace::Template => lsp::SymbolKind::INTERFACE,
        Namespace::Param => lsp::SymbolKind::TYPE_PARAMETER,
        Namespace::Group => lsp::SymbolKind::PACKAGE,
    }
}

/// The outline of a file: its blocks, nested, and their attributes.
pub fn document_symbols(snapshot: &Snapshot, file: FileId) -> Option<lsp::DocumentSymbolResponse> {
    let ast = snapshot.ast(file)?;
    let db = &snapshot.loaded.db;
    Some(lsp::DocumentSymbolResponse::Nested(outline(
        db,
        &ast.items,
        &mut Vec::new(),
    )))
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
fn outline<'a>(
    db: &crate::source::SourceDb,
    items: &'a [Item],
    blocks: &mut Vec<&'a ast::Block>,
) -> Vec<lsp::DocumentSymbol> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Block(b) => {
                blocks.push(b);
                let schema = locate::schemas(blocks).get(blocks.len() - 1).copied();
                let kind = match schema.map(|s| s.labels) {
                    Some(Labels::Declare(ns)) => symbol_kind(ns),
                    _ => lsp::SymbolKind::OBJECT,
                };
                let labels: Vec<&str> = b.labels.iter().map(|l| db.slice(l.span())).collect();
                let name = if labels.is_empty() {
                    b.kind.name.clone()
                } else {
                    format!("{} {}", b.kind.name, labels.join(" "))
                };
                let selection = b.labels.first().map_or(b.kind.span, |l| l.span());
                let children = b.body.as_ref().map(|body| outline(db, &body.items, blocks));
                blocks.pop();
                out.push(lsp::DocumentSymbol {
                    name,
                    detail: schema.map(|s| first_sentence(s.doc)),
                    kind,
                    tags: None,
                    deprecated: None,
                    range: convert::span_range(db, b.span),
                    selection_range: convert::span_range(db, selection),
                    children: children.filter(|c| !c.is_empty()),
                });
            }
            Item::Attribute(a) => out.push(lsp::DocumentSymbol {
                name: a.name.name.clone(),
                detail: Some(db.slice(a.value.span).lines().next().unwrap_or("").to_string()),
                kind: lsp::SymbolKind::PROPERTY,
                tags: None,
                deprecated: None,
                range: convert::span_range(db, a.span),
                selection_range: convert::span_range(db, a.name.span),
                children: None,
            }),
            Item::Import(i) => out.push(lsp::DocumentSymbol {
                name: i
                    .path
                    .as_ref()
                    .map_or_else(|| "import".into(), |p| format!("import {}", db.slice(p.span))),
                detail: None,
                kind: lsp::SymbolKind::FILE,
                tags: None,
                deprecated: None,
                range: convert::span_range(db, i.span),
                selection_range: convert::span_range(db, i.span),
                children: None,
            }),
            Item::Error(_) => {}
        }
    }
    out
}

pub fn first_sentence(doc: &str) -> String {
    let line = doc.split("\n\n").next().unwrap_or(doc).replace('\n', " ");
    match line.find(". ") {
        Some(i) => line[..=i].to_string(),
        None => line,
    }
}

/// Every declaration of the analysed projects whose name matches `query`
/// (its characters in order, case ignored), the standard library's left out.
#[allow(deprecated)] // `SymbolInformation::deprecated` must still be written.
pub fn workspace_symbols(snapshots: &[Arc<Snapshot>], query: &str) -> Vec<lsp::SymbolInformation> {
    let query = query.to_lowercase();
    let matches = |name: &str| {
        let mut chars = name.to_lowercase().chars().collect::<Vec<_>>().into_iter();
        query.chars().all(|q| chars.any(|c| c == q))
    };
    let mut out = Vec::new();
    for snapshot in snapshots {
        let Some(index) = index(snapshot) else { continue };
        for symbol in index.symbols() {
            let Some(d) = index.definition(symbol).filter(|d| !d.stdlib) else {
                continue;
            };
            if !matches(&symbol.name) {
                continue;
            }
            let Some(location) = location(snapshot, d.span) else {
                continue;
            };
            out.push(lsp::SymbolInformation {
                name: symbol.name.clone(),
                kind: symbol_kind(symbol.ns),
                tags: None,
                deprecated: None,
                location,
                container_name: symbol.scope.clone().or_else(|| Some(symbol.ns.noun().to_string())),
            });
        }
    }
    out.sort_by(|a, b| a.name.len().cmp(&b.name.len()).then(a.name.cmp(&b.name)));
    out.truncate(1000);
    out
}
