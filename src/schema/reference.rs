//! The language reference, generated from the registry: `docs/reference.md`
//! (kept fresh by a test) and `dvcc explain KIND`.

use std::fmt::Write;

use super::{BlockSchema, BodyRule, Labels, Registry};

/// The whole reference page.
pub fn markdown(reg: &Registry) -> String {
    let mut out = String::new();
    out.push_str("# dvcc language reference\n\n");
    out.push_str("<!-- Generated from the schema registry (src/schema/registry.rs) by\n");
    out.push_str("     `DVCC_UPDATE_REFERENCE=1 cargo test --test it reference`; do not edit. -->\n\n");
    out.push_str("Every block kind, the attributes it takes (type, default, whether it is\n");
    out.push_str("required) and the blocks it may contain. `dvcc explain KIND` prints one\n");
    out.push_str("section. The syntax itself is described in [language.md](language.md).\n\n");
    out.push_str("## Contents\n\n");
    for b in &reg.blocks {
        let _ = writeln!(out, "- [`{}`](#{})", title(b), anchor(b));
    }
    out.push('\n');
    for b in &reg.blocks {
        out.push_str(&section(reg, b));
    }
    out
}

/// The block's heading text: `service NAME`, `on push`, `pipeline › job NAME`.
fn title(b: &BlockSchema) -> String {
    let path: Vec<&str> = b.id.as_str().split(['.', ':']).collect();
    let parents = &path[..path.len().saturating_sub(if b.variant.is_some() { 2 } else { 1 })];
    let mut t = String::new();
    for p in parents {
        t.push_str(p);
        t.push_str(" › ");
    }
    t.push_str(&usage(b));
    t
}

fn anchor(b: &BlockSchema) -> String {
    b.id.as_str().replace(['.', ':'], "-")
}

/// `service NAME { ... }`
fn usage(b: &BlockSchema) -> String {
    let labels = match b.labels {
        Labels::None => String::new(),
        Labels::Declare(_) | Labels::Refer(_) | Labels::Local => " NAME".to_string(),
        Labels::Variant => format!(" {}", b.variant.unwrap_or("VARIANT")),
        Labels::Script => " \"SCRIPT\"".to_string(),
        Labels::Uses => " TEMPLATE|\"owner/repo@SHA\"".to_string(),
        Labels::TypeAndName => " TYPE NAME".to_string(),
        Labels::Metric => " \"METRIC\"".to_string(),
    };
    format!("{}{labels}", b.kind)
}

/// One block kind's section.
pub fn section(reg: &Registry, b: &BlockSchema) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<a id=\"{}\"></a>\n## `{}`\n", anchor(b), title(b));
    let _ = writeln!(out, "{}\n", b.doc);
    let body = match b.body {
        BodyRule::Required => " { ... }",
        BodyRule::Optional => " [{ ... }]",
    };
    let _ = writeln!(out, "```\n{}{body}\n```\n", usage(b));
    let label = match b.labels {
        Labels::Declare(ns) => Some(format!(
            "NAME declares a {}; names are unique among {}s.",
            ns.noun(),
            ns.noun()
        )),
        Labels::Refer(ns) => Some(format!("NAME refers to a declared {}.", ns.noun())),
        _ => None,
    };
    if let Some(l) = label {
        let _ = writeln!(out, "{l}\n");
    }
    if !b.repeatable {
        out.push_str("At most once in its parent.\n\n");
    }
    if !b.attrs.is_empty() {
        out.push_str("| attribute | type | required | default | meaning |\n|---|---|---|---|---|\n");
        for a in &b.attrs {
            let mut ty = a.ty.to_string();
            if let (Some(lo), Some(hi)) = (a.min, a.max) {
                let _ = write!(ty, ", {lo} to {hi}");
            } else if let Some(lo) = a.min {
                let _ = write!(ty, ", at least {lo}");
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                a.name,
                ty.replace('|', "\\|"),
                if a.required { "yes" } else { "" },
                a.default.map(|d| format!("`{d}`")).unwrap_or_default(),
                a.doc
            );
        }
        out.push('\n');
    }
    if let Some(free) = &b.free {
        let _ = writeln!(out, "Takes any attribute name; each value is a {free}.\n");
    }
    if !b.children.is_empty() {
        let kids: Vec<String> = b
            .children
            .iter()
            .filter_map(|id| reg.get(*id))
            .map(|c| format!("[`{}`](#{})", usage(c), anchor(c)))
            .collect();
        let _ = writeln!(out, "Blocks inside: {}.\n", kids.join(", "));
    }
    out
}

/// The sections of every block of kind `kind` (`dvcc explain service`).
pub fn for_kind(reg: &Registry, kind: &str) -> Option<String> {
    let matches: Vec<String> = reg
        .blocks
        .iter()
        .filter(|b| b.kind == kind)
        .map(|b| section(reg, b))
        .collect();
    (!matches.is_empty()).then(|| matches.join("\n"))
}

/// The page of a field path, as `kubectl explain` takes them: a block's
/// path of kinds (`service.resources`, `pipeline.job`; `pipeline.on` gives
/// every variant of `on`), or a block's path and one of its attributes
/// (`service.resources.cpu`).
pub fn for_path(reg: &Registry, path: &str) -> Option<String> {
    let blocks = |p: &str| -> Vec<&BlockSchema> {
        reg.blocks
            .iter()
            .filter(|b| {
                let id = b.id.as_str();
                id == p || id.strip_prefix(p).is_some_and(|rest| rest.starts_with(':'))
            })
            .collect()
    };
    let found = blocks(path);
    if !found.is_empty() {
        let pages: Vec<String> = found.iter().map(|b| section(reg, b)).collect();
        return Some(pages.join("\n"));
    }
    let (parent, attr) = path.rsplit_once('.')?;
    let mut out = String::new();
    for b in blocks(parent) {
        let Some(a) = b.attr(attr) else { continue };
        let mut ty = a.ty.to_string();
        if let (Some(lo), Some(hi)) = (a.min, a.max) {
            let _ = write!(ty, ", {lo} to {hi}");
        } else if let Some(lo) = a.min {
            let _ = write!(ty, ", at least {lo}");
        }
        let _ = writeln!(out, "## `{}.{}`\n", b.id.as_str(), a.name);
        let _ = writeln!(out, "{}\n", a.doc);
        let _ = writeln!(out, "```\n{} = VALUE\n```\n", a.name);
        let _ = writeln!(out, "- type: {ty}");
        let _ = writeln!(out, "- required: {}", if a.required { "yes" } else { "no" });
        if let Some(d) = a.default {
            let _ = writeln!(out, "- default: `{d}`");
        }
        let _ = writeln!(out, "- in: `{}` (`dvcc explain {}`)\n", title(b), b.id.as_str());
    }
    (!out.is_empty()).then_some(out)
}

/// Every block kind, by path, with the first sentence of its documentation
/// (`dvcc explain --list`).
pub fn kinds_list(reg: &Registry) -> Vec<(String, String)> {
    reg.blocks
        .iter()
        .map(|b| {
            let first = b.doc.split(". ").next().unwrap_or(b.doc).trim_end_matches('.');
            (b.id.as_str().to_string(), first.to_string())
        })
        .collect()
}

/// Every path [`for_path`] answers (blocks and their attributes), for
/// did-you-mean.
pub fn paths(reg: &Registry) -> Vec<String> {
    let mut out = Vec::new();
    for b in &reg.blocks {
        let id = b.id.as_str();
        let base = id.split(':').next().unwrap_or(id);
        out.push(base.to_string());
        out.extend(b.attrs.iter().map(|a| format!("{base}.{}", a.name)));
    }
    out.sort();
    out.dedup();
    out
}

/// The names of the stdlib's templates.
pub fn template_names() -> Vec<String> {
    templates().into_iter().map(|t| t.name).collect()
}

/// The stdlib's templates with their one-line descriptions.
pub fn templates_summary() -> Vec<(String, String)> {
    templates().into_iter().map(|t| (t.name, t.description)).collect()
}

/// A stdlib template, as documented: read from its module's source.
struct TemplateDoc {
    module: &'static str,
    name: String,
    description: String,
    outputs: Vec<String>,
    /// (name, type, default as written, description).
    params: Vec<(String, String, Option<String>, String)>,
    permissions: Vec<(String, String)>,
}

/// The stdlib's templates, module by module, in source order.
fn templates() -> Vec<TemplateDoc> {
    use crate::syntax::ast::{BlockLabel, Item, ValueKind};
    let text = |v: &crate::syntax::ast::Value, src: &str| match &v.kind {
        ValueKind::Str(s) => s
            .as_plain()
            .unwrap_or_else(|| src[v.span.start as usize..v.span.end as usize].to_string()),
        _ => src[v.span.start as usize..v.span.end as usize].to_string(),
    };
    let mut out = Vec::new();
    for (module, src) in crate::stdlib::MODULES {
        let parsed = crate::syntax::parse_text(crate::source::FileId(0), src);
        for item in &parsed.ast.items {
            let Item::Block(t) = item else { continue };
            let (Some(BlockLabel::Ident(name)), Some(body)) = (t.labels.first(), &t.body) else {
                continue;
            };
            let mut doc = TemplateDoc {
                module,
                name: name.name.clone(),
                description: String::new(),
                outputs: Vec::new(),
                params: Vec::new(),
                permissions: Vec::new(),
            };
            for item in &body.items {
                match item {
                    Item::Attribute(a) if a.name.name == "description" => doc.description = text(&a.value, src),
                    Item::Attribute(a) if a.name.name == "outputs" => {
                        if let ValueKind::List(items) = &a.value.kind {
                            doc.outputs = items.iter().map(|v| text(v, src)).collect();
                        }
                    }
                    Item::Block(b) if b.kind.name == "param" => {
                        let Some(BlockLabel::Ident(p)) = b.labels.first() else {
                            continue;
                        };
                        let (mut ty, mut default, mut about) = ("string".to_string(), None, String::new());
                        for a in b.body.iter().flat_map(|b| &b.items) {
                            let Item::Attribute(a) = a else { continue };
                            match a.name.name.as_str() {
                                "type" => ty = text(&a.value, src),
                                "default" => {
                                    default =
                                        Some(src[a.value.span.start as usize..a.value.span.end as usize].to_string())
                                }
                                "description" => about = text(&a.value, src),
                                _ => {}
                            }
                        }
                        doc.params.push((p.name.clone(), ty, default, about));
                    }
                    Item::Block(b) if b.kind.name == "permissions" => {
                        for a in b.body.iter().flat_map(|b| &b.items) {
                            if let Item::Attribute(a) = a {
                                doc.permissions.push((a.name.name.clone(), text(&a.value, src)));
                            }
                        }
                    }
                    _ => {}
                }
            }
            out.push(doc);
        }
    }
    out
}

/// `dvcc explain templates`: every stdlib template with its module and
/// what it does.
pub fn templates_list() -> String {
    let mut out = String::from(
        "# Standard library templates\n\n`uses NAME { ARGS }` in a job (or a deploy); `dvcc explain NAME` shows one.\n\n",
    );
    let mut module = "";
    for t in templates() {
        if t.module != module {
            module = t.module;
            let _ = writeln!(out, "\n## std/{module}\n");
        }
        let _ = writeln!(out, "- `{}`: {}", t.name, t.description);
    }
    out
}

/// `dvcc explain NAME` for a stdlib template: its parameters, outputs and
/// permissions.
pub fn template_page(name: &str) -> Option<String> {
    let t = templates().into_iter().find(|t| t.name == name)?;
    let mut out = String::new();
    let _ = writeln!(out, "# template `{}` (std/{})\n\n{}\n", t.name, t.module, t.description);
    let _ = writeln!(out, "```\nuses {} {{ ARGS }}\n```\n", t.name);
    if t.params.is_empty() {
        out.push_str("It takes no parameters.\n\n");
    } else {
        out.push_str("| parameter | type | default | meaning |\n|---|---|---|---|\n");
        for (p, ty, default, about) in &t.params {
            let default = default
                .as_deref()
                .map(|d| format!("`{d}`"))
                .unwrap_or_else(|| "required".to_string());
            let _ = writeln!(out, "| `{p}` | {ty} | {default} | {} |", about.replace('|', "\\|"));
        }
        out.push('\n');
    }
    if !t.outputs.is_empty() {
        let list: Vec<String> = t.outputs.iter().map(|o| format!("`{o}`")).collect();
        let _ = writeln!(
            out,
            "Outputs, with `id = \"ID\"`: {} (read as `${{{{ steps.ID.outputs.NAME }}}}`).\n",
            list.join(", ")
        );
    }
    if !t.permissions.is_empty() {
        let list: Vec<String> = t.permissions.iter().map(|(k, v)| format!("`{k}: {v}`")).collect();
        let _ = writeln!(out, "Token permissions it adds to its job: {}.\n", list.join(", "));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_stdlib_template_has_a_page_with_its_parameters() {
        let list = super::templates_list();
        for t in super::templates() {
            assert!(!t.description.is_empty(), "{} has no description", t.name);
            assert!(list.contains(&format!("`{}`", t.name)));
            let page = super::template_page(&t.name).expect("a page");
            for (p, _, _, about) in &t.params {
                assert!(page.contains(&format!("`{p}`")), "{}: {p}", t.name);
                assert!(!about.is_empty(), "{}: parameter {p} has no description", t.name);
            }
        }
        assert!(super::template_page("docker_build").is_some_and(|p| p.contains("`digest`")));
        assert!(super::template_page("nothing").is_none());
    }
}
