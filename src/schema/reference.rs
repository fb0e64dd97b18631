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
