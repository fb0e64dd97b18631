//! Unknown block kinds, read as the habits they usually are: GitHub
//! Actions' `jobs:` and `steps:` wrappers, an attribute written without
//! `=`, a kind misspelt, shortened (`env`) or capitalised (`Service`).
//! Each gets the fix that says what dvcc writes instead.

use crate::diag::suggest::did_you_mean;
use crate::diag::{Code, Diagnostic, Edit, Fix, Label};
use crate::schema::{BlockSchema, Registry};
use crate::source::Span;
use crate::syntax::ast::{Block, Item};

use super::shape::quote_list;

/// The diagnostic of block `b`, whose kind is not allowed in `parent`.
pub fn unknown_kind(reg: &Registry, parent: Option<&BlockSchema>, b: &Block) -> Diagnostic {
    let kind = b.kind.name.as_str();
    let place = parent.map_or("at the top level".to_string(), |p| format!("inside `{}`", p.kind));
    let d = Diagnostic::new(
        Code::UnknownBlockKind,
        format!("unknown block kind `{kind}` {place}"),
        Label::new(b.kind.span, "not a block kind here"),
    );
    let kinds = reg.kinds_in(parent);
    // An attribute of this block written as a block says so first: a near
    // block kind would be the wrong fix.
    if parent.is_some_and(|p| p.attr(kind).is_some()) {
        if b.body.is_none() && b.labels.len() == 1 {
            let at = Span {
                start: b.kind.span.end,
                end: b.kind.span.end,
                ..b.kind.span
            };
            return d.with_replacement(at, " =", format!("`{kind}` is an attribute: write `{kind} = ...`"));
        }
        return d.with_help(format!("`{kind}` is an attribute: write `{kind} = ...`"));
    }
    if let Some(d) = wrapper(reg, parent, b, &kinds, d.clone()) {
        return d;
    }
    match did_you_mean(kind, kinds.iter().copied()) {
        Some(near) => {
            let fix = Fix::replace(b.kind.span, near, format!("did you mean `{near}`?"));
            // A different case is certain; a different spelling likely.
            d.with_fix(if near.eq_ignore_ascii_case(kind) {
                fix
            } else {
                fix.maybe()
            })
        }
        None => d.with_help(format!("the kinds allowed {place} are {}", quote_list(&kinds))),
    }
}

/// `jobs { test { ... } }` or `steps { uses checkout }`: a wrapper that
/// GitHub Actions' YAML has and dvcc does not.
fn wrapper(
    reg: &Registry,
    parent: Option<&BlockSchema>,
    b: &Block,
    kinds: &[&str],
    d: Diagnostic,
) -> Option<Diagnostic> {
    let body = b.body.as_ref()?;
    if !b.labels.is_empty() {
        return None;
    }
    let children: Vec<&Block> = body
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Block(c) => Some(c),
            _ => None,
        })
        .collect();
    if children.is_empty() || children.len() != body.items.iter().filter(|i| !matches!(i, Item::Error(_))).count() {
        return None;
    }
    let kind = b.kind.name.as_str();
    let unwrap = |mut edits: Vec<Edit>| {
        edits.push(Edit {
            span: Span {
                end: body.open.end,
                ..b.kind.span
            },
            replacement: String::new(),
        });
        if let Some(close) = body.close {
            edits.push(Edit {
                span: close,
                replacement: String::new(),
            });
        }
        edits
    };
    // Every child belongs in the parent already: the wrapper goes.
    if children.iter().all(|c| kinds.contains(&c.kind.name.as_str())) {
        let fix = Fix::edits(
            unwrap(Vec::new()),
            format!(
                "GitHub Actions lists `{kind}:`; in dvcc they are written directly in the block: remove the `{kind} {{ }}` wrapper"
            ),
        );
        return Some(d.with_fix(fix));
    }
    // `jobs { test { } }`: each child is a `job NAME { }` of the parent.
    let singular = kind.strip_suffix('s')?;
    let named = reg
        .children_of(parent, singular)
        .into_iter()
        .any(|s| matches!(s.labels, crate::schema::Labels::Declare(_)));
    if !named || children.iter().any(|c| !c.labels.is_empty() || c.body.is_none()) {
        return None;
    }
    let prefix: Vec<Edit> = children
        .iter()
        .map(|c| Edit {
            span: Span {
                end: c.kind.span.start,
                ..c.kind.span
            },
            replacement: format!("{singular} "),
        })
        .collect();
    let first = &children[0].kind.name;
    let fix = Fix::edits(
        unwrap(prefix),
        format!(
            "GitHub Actions nests `{kind}:`; in dvcc each one is a block of its own: `{singular} {first} {{ ... }}`"
        ),
    );
    Some(d.with_fix(fix))
}

/// Attribute names other tools use for one dvcc has, and the tool.
const ATTRIBUTE_HABITS: [(&str, &str, &str); 6] = [
    ("depends_on", "needs", "Terraform's `depends_on`"),
    ("dependsOn", "needs", "a `dependsOn`"),
    ("replicaCount", "replicas", "Helm's `replicaCount`"),
    ("runsOn", "runs_on", "a `runsOn`"),
    ("timeout_minutes", "timeout", "GitHub Actions' `timeout-minutes`"),
    ("timeout-minutes", "timeout", "GitHub Actions' `timeout-minutes`"),
];

/// Attribute `a`, unknown in `schema` (whose attributes are `names`): a
/// block kind written with `=`, a known habit, an attribute of other kinds
/// (`elsewhere` says which), a near name, or the list of attributes.
pub fn unknown_attribute(
    reg: &Registry,
    schema: &BlockSchema,
    a: &crate::syntax::ast::Attribute,
    names: &[&str],
    elsewhere: Option<String>,
) -> Diagnostic {
    use crate::syntax::ast::ValueKind;
    let name = a.name.name.as_str();
    let kind = schema.kind;
    let d = Diagnostic::new(
        Code::UnknownAttribute,
        format!("`{kind}` has no attribute `{name}`"),
        Label::new(a.name.span, "unknown attribute"),
    );
    // A block kind here, written as an attribute.
    if reg.kinds_in(Some(schema)).contains(&name) {
        let child = reg.children_of(Some(schema), name).into_iter().next();
        let labelled = child.is_some_and(|c| !matches!(c.labels, crate::schema::Labels::None));
        if name == "matrix" && matches!(a.value.kind, ValueKind::Str(_)) {
            return d
                .with_help("a matrix computed at run time is written `matrix { from = \"${{ fromJSON(...) }}\" }`");
        }
        if labelled && matches!(a.value.kind, ValueKind::Str(_) | ValueKind::Ref(_)) {
            // `run = "make test"` → `run "make test"`.
            let eq = Span {
                start: a.name.span.end,
                end: a.value.span.start,
                ..a.name.span
            };
            return d.with_replacement(
                eq,
                " ",
                format!("`{name}` is a block whose label is its value: remove the `=`"),
            );
        }
        return d.with_help(format!("`{name}` is a block: write `{name} {{ ... }}`"));
    }
    // A name from another tool.
    if let Some((_, ours, theirs)) = ATTRIBUTE_HABITS
        .iter()
        .find(|(h, ours, _)| *h == name && names.contains(ours))
    {
        let fix = match (&a.value.kind, *ours) {
            // Minutes as a number become a duration.
            (ValueKind::Number { text, .. }, "timeout") => Fix::replace(
                a.span,
                format!("timeout = {text}m"),
                format!("{theirs} is `timeout` in dvcc, with a unit: `timeout = {text}m`"),
            ),
            _ => Fix::replace(a.name.span, *ours, format!("{theirs} is `{ours}` in dvcc")),
        };
        return d.with_fix(fix);
    }
    // GitHub Actions' hyphens: `runs-on`, `continue-on-error`.
    let underscored = name.replace('-', "_");
    if underscored != name && names.contains(&underscored.as_str()) {
        return d.with_replacement(
            a.name.span,
            underscored.clone(),
            format!("dvcc names use `_`, not `-`: `{underscored}`"),
        );
    }
    // An attribute of other kinds: where it belongs, rather than a near
    // name that means something else.
    if let Some(help) = elsewhere {
        return d.with_help(help);
    }
    match did_you_mean(name, names.iter().copied()) {
        Some(near) => {
            let fix = Fix::replace(a.name.span, near, format!("did you mean `{near}`?"));
            d.with_fix(if near.eq_ignore_ascii_case(name) {
                fix
            } else {
                fix.maybe()
            })
        }
        None if names.is_empty() => d.with_help(format!("`{kind}` takes no attributes")),
        None => d.with_help(format!("the attributes of `{kind}` are {}", quote_list(names))),
    }
}
