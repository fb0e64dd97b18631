//! Completion, from the block around the cursor (the syntax tree, which
//! stays usable on half-typed text) and the text of the cursor's line:
//! block kinds and attributes allowed here, names of the namespace a value
//! or label refers to (jobs of this pipeline only), a template's
//! parameters, enum words, unit suffixes, stdlib modules.

use std::sync::LazyLock;

use lsp_types as lsp;
use regex::Regex;

use super::convert;
use super::hover::declaring;
use super::locate::{self, On};
use super::nav::first_sentence;
use super::world::Snapshot;
use crate::schema::{self, Labels, Namespace, Ty};
use crate::source::{FileId, Span};
use crate::syntax::ast::{Block, Item};

static ATTR_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:^|[\s{])"?([A-Za-z_][\w.\-/]*)"?\s*=\s*([^=]*)$"#).expect("a valid pattern"));
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\s{])(deploy|in|uses)\s+([\w-]*)$").expect("a valid pattern"));
static IMPORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^\s*import\s+"([\w/]*)$"#).expect("a valid pattern"));
static ITEM_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|[\s{])([\w-]*)$").expect("a valid pattern"));
static NUMBER_UNIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(-?\d+(?:\.\d+)?)([A-Za-z%]*)$").expect("a valid pattern"));
static PARTIAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\w-]*$").expect("a valid pattern"));

struct Ctx<'s> {
    snapshot: &'s Snapshot,
    file: FileId,
    /// The cursor.
    offset: usize,
    /// Where the word being typed starts (what an item replaces).
    word_start: usize,
    items: Vec<lsp::CompletionItem>,
}

impl Ctx<'_> {
    fn push(
        &mut self,
        label: String,
        kind: lsp::CompletionItemKind,
        detail: Option<String>,
        doc: Option<String>,
        insert: String,
    ) {
        let db = &self.snapshot.loaded.db;
        let range = convert::range(db.get(self.file), self.word_start, self.offset);
        self.items.push(lsp::CompletionItem {
            label,
            kind: Some(kind),
            detail,
            documentation: doc.filter(|d| !d.is_empty()).map(|value| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value,
                })
            }),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(range, insert))),
            ..Default::default()
        });
    }
}

pub fn complete(snapshot: &Snapshot, file: FileId, position: lsp::Position) -> Option<lsp::CompletionResponse> {
    let db = &snapshot.loaded.db;
    let source = db.get(file);
    let offset = convert::offset(source, position);
    let line_start = source.lines.line_start(source.lines.line_of(offset));
    let prefix = source.text.get(line_start..offset)?;
    let ast = snapshot.ast(file)?;
    let site = locate::site(ast, offset as u32);
    let partial = PARTIAL.find(prefix).map_or("", |m| m.as_str());
    let mut ctx = Ctx {
        snapshot,
        file,
        offset,
        word_start: offset - partial.len(),
        items: Vec::new(),
    };
    if let Some(c) = IMPORT.captures(prefix) {
        let typed = c.get(1).map_or("", |m| m.as_str());
        ctx.word_start = offset - typed.len();
        for (name, text) in crate::stdlib::MODULES {
            let doc = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches('#')
                .trim()
                .to_string();
            ctx.push(
                format!("std/{name}"),
                lsp::CompletionItemKind::MODULE,
                Some(doc),
                None,
                format!("std/{name}"),
            );
        }
    } else if let Some(c) = LABEL.captures(prefix) {
        match c.get(1).map_or("", |m| m.as_str()) {
            "uses" => names(&mut ctx, Namespace::Template, None),
            _ => names(&mut ctx, Namespace::Environment, None),
        }
    } else if let Some((name, value)) = ATTR_VALUE
        .captures(prefix)
        .map(|c| (c.get(1).map_or("", |m| m.as_str()), c.get(2).map_or("", |m| m.as_str())))
        .filter(|(_, value)| still_typing(value))
    {
        if let Some(ty) = attr_type(snapshot, &site.blocks, name) {
            value_items(&mut ctx, &site.blocks, &ty, value);
        }
    } else if ITEM_START.is_match(prefix) && !matches!(site.on, On::Label) {
        item_start(&mut ctx, &site.blocks);
    }
    Some(lsp::CompletionResponse::Array(ctx.items))
}

/// Whether the value after `=` is still being written: nothing yet, one
/// word, or a list not closed (`{ cpu = 500m  mem` starts a new attribute).
fn still_typing(value: &str) -> bool {
    let v = value.trim_start();
    if v.starts_with('[') {
        return !v.contains(']');
    }
    if let Some(rest) = v.strip_prefix('"') {
        return !rest.contains('"');
    }
    !v.contains(char::is_whitespace)
}

/// The type of attribute `name` in the innermost block (a template's
/// parameter inside `uses TEMPLATE { }`).
fn attr_type(snapshot: &Snapshot, blocks: &[&Block], name: &str) -> Option<Ty> {
    let last = blocks.last()?;
    if last.kind.name == "uses" {
        let param = template_params(snapshot, last).into_iter().find(|p| p.0 == name)?;
        return Some(param.1.unwrap_or(Ty::Str));
    }
    let schema = locate::innermost_schema(blocks)?;
    match schema.attr(name) {
        Some(a) => Some(a.ty.clone()),
        None => schema.free.clone(),
    }
}

/// The parameters of the template a `uses` block names: name, type (when
/// declared), description.
fn template_params(snapshot: &Snapshot, uses: &Block) -> Vec<(String, Option<Ty>, String)> {
    let Some(template) = locate::label(uses) else {
        return Vec::new();
    };
    let Some(analysis) = snapshot.analysis() else {
        return Vec::new();
    };
    let symbol = crate::sema::index::Symbol {
        ns: Namespace::Template,
        scope: None,
        name: template,
    };
    let Some(def) = analysis.index.definition(&symbol) else {
        return Vec::new();
    };
    let Some(block) = snapshot.ast(def.span.file).and_then(|f| declaring(&f.items, def.span)) else {
        return Vec::new();
    };
    let db = &snapshot.loaded.db;
    let mut out = Vec::new();
    for item in block.body.iter().flat_map(|b| &b.items) {
        let Item::Block(p) = item else { continue };
        if p.kind.name != "param" {
            continue;
        }
        let Some(name) = locate::label(p) else { continue };
        let attr = |n: &str| {
            p.body.iter().flat_map(|b| &b.items).find_map(|i| match i {
                Item::Attribute(a) if a.name.name == n => Some(db.slice(a.value.span).trim_matches('"').to_string()),
                _ => None,
            })
        };
        let ty = attr("type").and_then(|t| schema::param_type(&t));
        out.push((name, ty, attr("description").unwrap_or_default()));
    }
    out
}

fn item_start(ctx: &mut Ctx<'_>, blocks: &[&Block]) {
    let registry = schema::registry();
    if blocks.last().is_some_and(|b| b.kind.name == "uses") {
        let set = written(blocks);
        let params = blocks
            .last()
            .map(|u| template_params(ctx.snapshot, u))
            .unwrap_or_default();
        for (name, ty, doc) in params {
            if set.contains(&name) {
                continue;
            }
            let detail = ty.map_or_else(|| "parameter".to_string(), |t| format!("parameter: {t}"));
            ctx.push(
                name.clone(),
                lsp::CompletionItemKind::FIELD,
                Some(detail),
                Some(doc),
                format!("{name} = "),
            );
        }
        return;
    }
    let parent = if blocks.is_empty() {
        None
    } else {
        match locate::innermost_schema(blocks) {
            Some(s) if !s.raw => Some(s),
            _ => return,
        }
    };
    let ids = parent.map_or(&registry.top, |p| &p.children);
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        let Some(child) = registry.get(*id) else { continue };
        let label = match child.variant {
            Some(v) => format!("{} {v}", child.kind),
            None => child.kind.to_string(),
        };
        if !seen.insert(label.clone()) {
            continue;
        }
        let insert = match child.labels {
            Labels::None => format!("{} {{", child.kind),
            Labels::Variant => format!("{label} {{"),
            _ => format!("{} ", child.kind),
        };
        ctx.push(
            label,
            lsp::CompletionItemKind::KEYWORD,
            Some(first_sentence(child.doc)),
            Some(child.doc.to_string()),
            insert,
        );
    }
    if parent.is_none() {
        ctx.push(
            "import".into(),
            lsp::CompletionItemKind::KEYWORD,
            Some("import a module: a `.dvc` file or `std/NAME`".into()),
            None,
            "import \"".into(),
        );
    }
    if let Some(p) = parent {
        let set = written(blocks);
        for a in &p.attrs {
            if set.iter().any(|s| s == a.name) {
                continue;
            }
            ctx.push(
                a.name.to_string(),
                lsp::CompletionItemKind::PROPERTY,
                Some(a.ty.to_string()),
                Some(super::hover::attr_doc(p, a)),
                format!("{} = ", a.name),
            );
        }
    }
}

/// The attributes already written in the innermost block.
fn written(blocks: &[&Block]) -> Vec<String> {
    blocks
        .last()
        .and_then(|b| b.body.as_ref())
        .map(|body| {
            body.items
                .iter()
                .filter_map(|i| match i {
                    Item::Attribute(a) => Some(a.name.name.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn value_items(ctx: &mut Ctx<'_>, blocks: &[&Block], ty: &Ty, value: &str) {
    match ty {
        Ty::Ref(ns) => {
            let scope = (*ns == Namespace::Job).then(|| pipeline_of(blocks)).flatten();
            names(ctx, *ns, scope.as_deref());
        }
        Ty::List(inner) => value_items(ctx, blocks, inner, value),
        Ty::Either(a, b) => {
            value_items(ctx, blocks, a, value);
            value_items(ctx, blocks, b, value);
        }
        Ty::Enum(words) => {
            for w in *words {
                ctx.push(
                    w.to_string(),
                    lsp::CompletionItemKind::ENUM_MEMBER,
                    None,
                    None,
                    w.to_string(),
                );
            }
        }
        Ty::Bool => {
            for w in ["true", "false"] {
                ctx.push(w.into(), lsp::CompletionItemKind::KEYWORD, None, None, w.into());
            }
        }
        Ty::Secret => ctx.push(
            "secret(\"…\")".into(),
            lsp::CompletionItemKind::FUNCTION,
            Some("a secret, by name".into()),
            None,
            "secret(\"".into(),
        ),
        Ty::Duration | Ty::Cpu | Ty::Memory | Ty::Percent | Ty::Range(_) => units(ctx, ty, value),
        _ => {}
    }
}

/// Unit suffixes after the number being typed (`512` → `512Mi`, `512Gi`).
fn units(ctx: &mut Ctx<'_>, ty: &Ty, value: &str) {
    let Some(c) = NUMBER_UNIT.captures(value) else { return };
    let number = c.get(1).map_or("", |m| m.as_str());
    let typed = c.get(0).map_or("", |m| m.as_str());
    let suffixes: &[(&str, &str)] = match ty {
        Ty::Duration => &[
            ("s", "seconds"),
            ("m", "minutes"),
            ("h", "hours"),
            ("d", "days"),
            ("w", "weeks"),
        ],
        Ty::Cpu => &[("m", "millicores (1000m = 1 core)"), ("", "cores")],
        Ty::Memory => &[
            ("Mi", "mebibytes"),
            ("Gi", "gibibytes"),
            ("Ki", "kibibytes"),
            ("Ti", "tebibytes"),
        ],
        Ty::Percent => &[("%", "percent")],
        Ty::Range(inner) => return units(ctx, inner, value),
        _ => return,
    };
    ctx.word_start = ctx.offset - typed.len();
    for (suffix, what) in suffixes {
        let text = format!("{number}{suffix}");
        ctx.push(
            text.clone(),
            lsp::CompletionItemKind::UNIT,
            Some(what.to_string()),
            None,
            text,
        );
    }
}

/// The pipeline around the cursor (jobs are named per pipeline).
fn pipeline_of(blocks: &[&Block]) -> Option<String> {
    blocks
        .iter()
        .find(|b| b.kind.name == "pipeline")
        .and_then(|b| locate::label(b))
}

/// The declared names of `ns` (of one pipeline's jobs with `scope`).
fn names(ctx: &mut Ctx<'_>, ns: Namespace, scope: Option<&str>) {
    let Some(analysis) = ctx.snapshot.analysis() else {
        return;
    };
    let db = &ctx.snapshot.loaded.db;
    let found: Vec<(String, Span, bool)> = analysis
        .index
        .symbols()
        .filter(|s| s.ns == ns && (ns != Namespace::Job || s.scope.as_deref() == scope))
        .filter_map(|s| analysis.index.definition(s).map(|d| (s.name.clone(), d.span, d.stdlib)))
        .collect();
    for (name, span, stdlib) in found {
        let detail = if stdlib {
            format!("{} (standard library)", ns.noun())
        } else {
            format!("{} ({})", ns.noun(), convert::short_place(db, span))
        };
        let kind = match ns {
            Namespace::Template => lsp::CompletionItemKind::SNIPPET,
            Namespace::Environment => lsp::CompletionItemKind::MODULE,
            Namespace::Service => lsp::CompletionItemKind::CLASS,
            Namespace::Job => lsp::CompletionItemKind::FUNCTION,
            _ => lsp::CompletionItemKind::REFERENCE,
        };
        ctx.push(name.clone(), kind, Some(detail), None, name);
    }
}
