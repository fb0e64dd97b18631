//! Hover: the schema's documentation of a block kind or attribute, the
//! declaration a name refers to, and, for a service's or an environment's
//! attribute, its value in every environment after `extends` and `in ENV`
//! overrides, with where each value is written.

use lsp_types as lsp;

use super::convert;
use super::locate::{self, On};
use super::world::Snapshot;
use crate::model::Model;
use crate::schema::{self, AttrSchema, BlockSchema, Labels, Namespace};
use crate::sema::index::Symbol;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, Block, Item};

pub fn hover(snapshot: &Snapshot, file: FileId, position: lsp::Position) -> Option<lsp::Hover> {
    let db = &snapshot.loaded.db;
    let offset = convert::offset(db.get(file), position) as u32;
    let ast = snapshot.ast(file)?;
    if let Some(analysis) = snapshot.analysis()
        && let Some(symbol) = analysis.index.at(file, offset).into_iter().next()
        && let Some(def) = analysis.index.definition(symbol)
    {
        let text = symbol_doc(snapshot, symbol, def.span, &analysis.model);
        let range = name_span(snapshot, file, offset).map(|s| convert::span_range(db, s));
        return Some(markdown(text, range));
    }
    let site = locate::site(ast, offset);
    let (text, span) = match site.on {
        On::Kind(block) => {
            let mut blocks = site.blocks.clone();
            blocks.push(block);
            let schema = locate::innermost_schema(&blocks)?;
            (block_doc(schema), block.kind.span)
        }
        On::AttrName(attr) | On::Value(attr) => {
            let schema = locate::innermost_schema(&site.blocks)?;
            let attr_schema = schema.attr(&attr.name.name);
            let mut text = match attr_schema {
                Some(a) => attr_doc(schema, a),
                None => match &schema.free {
                    Some(ty) => format!(
                        "`{}`: {ty}, in `{}`\n\n{}",
                        attr.name.name,
                        schema.kind,
                        first_line(schema.doc)
                    ),
                    None => return None,
                },
            };
            if let Some(table) = per_environment(snapshot, &site.blocks, attr) {
                text.push_str("\n\n");
                text.push_str(&table);
            }
            (text, attr.name.span)
        }
        On::Label | On::Body => return None,
    };
    Some(markdown(text, Some(convert::span_range(db, span))))
}

fn name_span(snapshot: &Snapshot, file: FileId, offset: u32) -> Option<Span> {
    let index = &snapshot.analysis()?.index;
    let symbol = index.at(file, offset).into_iter().next()?;
    index
        .sites(symbol)
        .find(|s| s.file == file && s.start <= offset && offset <= s.end)
}

fn markdown(value: String, range: Option<lsp::Range>) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value,
        }),
        range,
    }
}

fn first_line(doc: &str) -> &str {
    doc.split("\n\n").next().unwrap_or(doc)
}

pub fn block_doc(schema: &BlockSchema) -> String {
    let labels = match schema.labels {
        Labels::None => String::new(),
        Labels::Declare(ns) => format!(" NAME (declares {} {})", article(ns), ns.noun()),
        Labels::Refer(ns) => format!(" NAME (names {} {})", article(ns), ns.noun()),
        Labels::Variant => format!(" {}", schema.variant.unwrap_or("VARIANT")),
        Labels::Script => " \"SCRIPT\"".into(),
        Labels::Uses => " TEMPLATE".into(),
        Labels::TypeAndName => " TYPE NAME".into(),
        Labels::Local | Labels::Metric => " NAME".into(),
    };
    let mut out = format!("```dvc\n{}{labels} {{ … }}\n```\n\n{}", schema.kind, schema.doc);
    let attrs: Vec<String> = schema
        .attrs
        .iter()
        .map(|a| format!("`{}`{}", a.name, if a.required { " (required)" } else { "" }))
        .collect();
    if !attrs.is_empty() {
        out.push_str(&format!("\n\nAttributes: {}", attrs.join(", ")));
    }
    let kinds = schema::registry().kinds_in(Some(schema));
    if !kinds.is_empty() {
        let kinds: Vec<String> = kinds.iter().map(|k| format!("`{k}`")).collect();
        out.push_str(&format!("\n\nBlocks: {}", kinds.join(", ")));
    }
    out.push_str(&format!(
        "\n\nMore: `dvcc explain {}`",
        schema.id.as_str().replace(':', " ")
    ));
    out
}

pub fn attr_doc(block: &BlockSchema, attr: &AttrSchema) -> String {
    let mut out = format!("`{}.{}`: {}", block.kind, attr.name, attr.ty);
    if attr.required {
        out.push_str(", required");
    }
    if let Some(default) = attr.default {
        out.push_str(&format!(", default `{default}`"));
    }
    if !attr.doc.is_empty() {
        out.push_str("\n\n");
        out.push_str(attr.doc);
    }
    out
}

fn article(ns: Namespace) -> &'static str {
    if ns.noun().starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The declaration of `symbol`: its header, its leading comments and what
/// the model resolved for it.
fn symbol_doc(snapshot: &Snapshot, symbol: &Symbol, def: Span, model: &Model) -> String {
    let db = &snapshot.loaded.db;
    let mut out = String::new();
    let block = snapshot.ast(def.file).and_then(|f| declaring(&f.items, def));
    if let Some(b) = block {
        let header_end = b.body.as_ref().map_or(b.span.end, |body| body.open.start);
        let header = db
            .slice(Span::new(def.file, b.span.start as usize, header_end as usize))
            .trim_end();
        out.push_str(&format!("```dvc\n{header}\n```\n"));
        let comments: Vec<String> = b
            .comments
            .leading
            .iter()
            .map(|c| comment_text(db.slice(c.span)))
            .collect();
        if !comments.is_empty() {
            out.push('\n');
            out.push_str(&comments.join("\n"));
            out.push('\n');
        }
    } else {
        out.push_str(&format!("{} `{}`\n", symbol.ns.noun(), symbol.name));
    }
    let where_ = if snapshot.uri(def.file).is_some() {
        convert::short_place(db, def)
    } else {
        "the standard library".to_string()
    };
    out.push_str(&format!(
        "\n{} `{}`, declared in {where_}",
        symbol.ns.noun(),
        symbol.name
    ));
    match symbol.ns {
        Namespace::Environment => {
            if let Some(env) = model.environment(&symbol.name) {
                let mut facts = Vec::new();
                let fields = [
                    ("extends", &env.extends),
                    ("after", &env.after),
                    ("cluster", &env.cluster),
                    ("namespace", &env.namespace),
                    ("region", &env.region),
                ];
                for (name, value) in fields {
                    if let Some(v) = value {
                        facts.push(format!("| `{name}` | `{v}` |"));
                    }
                }
                if env.approval {
                    facts.push("| `approval` | `required` |".into());
                }
                if !facts.is_empty() {
                    out.push_str("\n\n| resolved | value |\n|---|---|\n");
                    out.push_str(&facts.join("\n"));
                }
            }
        }
        Namespace::Service => {
            if let Some(service) = model.service(&symbol.name) {
                out.push_str(&format!("\n\nimage `{}`", service.base.image));
                if !service.per_env.is_empty() {
                    out.push_str("\n\n| environment | replicas | cpu | memory |\n|---|---|---|---|");
                    for env in &model.environments {
                        if let Some(c) = service.per_env.get(&env.name) {
                            let cpu = c.cpu.as_ref().map_or("—".to_string(), |v| format!("`{v}`"));
                            let memory = c.memory.as_ref().map_or("—".to_string(), |v| format!("`{v}`"));
                            out.push_str(&format!("\n| {} | {} | {cpu} | {memory} |", env.name, c.replicas));
                        }
                    }
                }
            }
        }
        _ => {}
    }
    out
}

fn comment_text(raw: &str) -> String {
    let t = raw.trim();
    let t = t
        .strip_prefix("//")
        .or_else(|| t.strip_prefix('#'))
        .or_else(|| t.strip_prefix("/*").map(|s| s.strip_suffix("*/").unwrap_or(s)))
        .unwrap_or(t);
    t.trim().to_string()
}

/// The block whose first label is `span`.
pub fn declaring(items: &[Item], span: Span) -> Option<&Block> {
    for item in items {
        if let Item::Block(b) = item {
            if !b.span.contains(span) {
                continue;
            }
            if b.labels.first().is_some_and(|l| l.span() == span) {
                return Some(b);
            }
            if let Some(found) = b.body.as_ref().and_then(|body| declaring(&body.items, span)) {
                return Some(found);
            }
        }
    }
    None
}

/// The attribute `path` (kinds of nested blocks, then the attribute's
/// name) within `items`.
fn lookup<'a>(items: &'a [Item], path: &[&str], attr: &str) -> Option<&'a ast::Attribute> {
    match path.split_first() {
        None => items.iter().rev().find_map(|i| match i {
            Item::Attribute(a) if a.name.name == attr => Some(a),
            _ => None,
        }),
        Some((kind, rest)) => items.iter().rev().find_map(|i| match i {
            Item::Block(b) if b.kind.name == *kind => lookup(&b.body.as_ref()?.items, rest, attr),
            _ => None,
        }),
    }
}

/// A Markdown table of the value of a service's or an environment's
/// attribute in each environment.
fn per_environment(snapshot: &Snapshot, blocks: &[&Block], attr: &ast::Attribute) -> Option<String> {
    let model = &snapshot.analysis()?.model;
    if model.environments.is_empty() {
        return None;
    }
    let db = &snapshot.loaded.db;
    let top = blocks.first()?;
    let schemas = locate::schemas(blocks);
    let default = locate::innermost_schema(blocks)
        .and_then(|s| s.attr(&attr.name.name))
        .and_then(|a| a.default);
    let show = |found: Option<(&ast::Attribute, &str)>| match found {
        Some((a, how)) => {
            let value = db.slice(a.value.span).lines().next().unwrap_or("").to_string();
            format!("`{value}` | {how} ({})", convert::short_place(db, a.span))
        }
        None => match default {
            Some(d) => format!("`{d}` | default"),
            None => "— | not set".to_string(),
        },
    };
    let mut rows = Vec::new();
    match top.kind.name.as_str() {
        "service"
            if schemas
                .first()
                .is_some_and(|s| s.labels == Labels::Declare(Namespace::Service)) =>
        {
            // The path inside the service, `in ENV` left out.
            let path: Vec<&str> = blocks[1..]
                .iter()
                .filter(|b| b.kind.name != "in")
                .map(|b| b.kind.name.as_str())
                .collect();
            let body = &top.body.as_ref()?.items;
            for env in &model.environments {
                let mut found = None;
                for x in model.extends_chain(&env.name) {
                    let overrides = body.iter().filter_map(|i| match i {
                        Item::Block(b) if b.kind.name == "in" && locate::label(b).as_deref() == Some(x.as_str()) => {
                            Some(b)
                        }
                        _ => None,
                    });
                    if let Some(a) = overrides
                        .filter_map(|b| lookup(&b.body.as_ref()?.items, &path, &attr.name.name))
                        .next_back()
                    {
                        found = Some((
                            a,
                            if x == env.name {
                                "in this environment".to_string()
                            } else {
                                format!("from `in {x}`")
                            },
                        ));
                        break;
                    }
                }
                // (`lookup` never enters `in` blocks: no path starts with `in`.)
                let own_value = lookup(body, &path, &attr.name.name);
                let cell = match (&found, own_value) {
                    (Some((a, how)), _) => show(Some((a, how))),
                    (None, Some(a)) => show(Some((a, "the service's"))),
                    (None, None) => show(None),
                };
                rows.push(format!("| {} | {cell} |", env.name));
            }
        }
        "environment" if blocks.len() == 1 => {
            let envs = environment_blocks(snapshot);
            for env in &model.environments {
                let mut found = None;
                for x in model.extends_chain(&env.name) {
                    if let Some(a) = envs
                        .iter()
                        .find(|(n, _)| *n == x)
                        .and_then(|(_, b)| lookup(&b.body.as_ref()?.items, &[], &attr.name.name))
                    {
                        found = Some((
                            a,
                            if x == env.name {
                                "own".to_string()
                            } else {
                                format!("from `{x}`")
                            },
                        ));
                        break;
                    }
                }
                let cell = show(found.as_ref().map(|(a, how)| (*a, how.as_str())));
                rows.push(format!("| {} | {cell} |", env.name));
            }
        }
        _ => return None,
    }
    Some(format!(
        "| environment | `{}` | set by |\n|---|---|---|\n{}",
        attr.name.name,
        rows.join("\n")
    ))
}

/// Every `environment NAME { }` block of the project's user files.
fn environment_blocks(snapshot: &Snapshot) -> Vec<(String, &Block)> {
    let mut out = Vec::new();
    for (file, _) in snapshot.user_files() {
        let Some(ast) = snapshot.ast(file) else { continue };
        for item in &ast.items {
            if let Item::Block(b) = item
                && b.kind.name == "environment"
                && let Some(name) = locate::label(b)
            {
                out.push((name, b));
            }
        }
    }
    out
}
