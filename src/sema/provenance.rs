//! Where a resolved value was written: for a key of `model::diff` (a
//! service's, an environment's or an infra's setting in one environment),
//! the attribute that sets it after `extends` and `in ENV` — the nearest
//! `in` override along the environment's `extends` chain, else the
//! service's own value — or nothing when the registry's default applies.

use crate::model::Model;
use crate::source::Span;
use crate::syntax::ast::{self, Block, BlockLabel, Item};

/// The blocks named `kind` at the top of `files`, with their first label.
fn top<'a>(files: &[&'a ast::File], kind: &str) -> Vec<(String, &'a Block)> {
    let mut out = Vec::new();
    for f in files {
        for item in &f.items {
            if let Item::Block(b) = item
                && b.kind.name == kind
                && let Some(l) = label(b)
            {
                out.push((l, b));
            }
        }
    }
    out
}

/// Whether one of `b`'s labels is `name` (`resource TYPE NAME` is found
/// by its name).
fn labelled(b: &Block, name: &str) -> bool {
    b.labels.iter().any(|l| label_is(l, name))
}

fn label(b: &Block) -> Option<String> {
    match b.labels.first()? {
        BlockLabel::Ident(i) => Some(i.name.clone()),
        BlockLabel::Str(s) => s.as_plain(),
    }
}

fn body(b: &Block) -> &[Item] {
    b.body.as_ref().map_or(&[], |body| body.items.as_slice())
}

/// The last attribute `attr` in the blocks along `path` (block kinds, a
/// kind with a label as `kind label`).
fn find(items: &[Item], path: &[&str], attr: &str) -> Option<Span> {
    match path.split_first() {
        None => items.iter().rev().find_map(|i| match i {
            Item::Attribute(a) if a.name.name == attr => Some(a.span),
            _ => None,
        }),
        Some((step, rest)) => {
            let (kind, wanted) = match step.split_once(' ') {
                Some((k, l)) => (k, Some(l)),
                None => (*step, None),
            };
            items.iter().rev().find_map(|i| match i {
                Item::Block(b) if b.kind.name == kind && wanted.is_none_or(|w| labelled(b, w)) => {
                    find(body(b), rest, attr)
                }
                _ => None,
            })
        }
    }
}

/// The attribute path (blocks, attribute) a service's key is written at.
fn service_path(key: &str) -> (Vec<String>, String) {
    let parts: Vec<&str> = key.split('.').collect();
    let s = |x: &str| x.to_string();
    match parts.as_slice() {
        [r, ..] if ["cpu", "cpu_limit", "memory", "memory_limit"].contains(r) => (vec![s("resources")], s(r)),
        ["ingress", "annotations", k, ..] => (vec![s("ingress"), s("annotations")], s(k)),
        ["volumes", name, a, ..] => (vec![format!("volume {name}")], s(a)),
        [b, k, ..] => (vec![s(b)], s(k)),
        [a] => (Vec::new(), s(a)),
        [] => (Vec::new(), String::new()),
    }
}

/// Where the value of service `service`'s `key` in `env` is written.
pub fn service_site(files: &[&ast::File], model: &Model, service: &str, env: &str, key: &str) -> Option<Span> {
    let (_, block) = top(files, "service").into_iter().find(|(n, _)| n == service)?;
    let (path, attr) = service_path(key);
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let own = body(block);
    let lookup = |items: &[Item]| find(items, &path, &attr).or_else(|| block_of(items, &path));
    for x in model.extends_chain(env) {
        let site = own.iter().rev().find_map(|i| match i {
            Item::Block(b) if b.kind.name == "in" && b.labels.iter().any(|l| label_is(l, &x)) => lookup(body(b)),
            _ => None,
        });
        if site.is_some() {
            return site;
        }
    }
    lookup(own)
}

/// The span of the innermost block of `path` (for a key dvcc derives from
/// a block, not one attribute: a probe's check, a policy).
fn block_of(items: &[Item], path: &[&str]) -> Option<Span> {
    let (step, rest) = path.split_first()?;
    let (kind, wanted) = match step.split_once(' ') {
        Some((k, l)) => (k, Some(l)),
        None => (*step, None),
    };
    items.iter().rev().find_map(|i| match i {
        Item::Block(b) if b.kind.name == kind && wanted.is_none_or(|w| labelled(b, w)) => {
            block_of(body(b), rest).or(Some(b.span))
        }
        _ => None,
    })
}

fn label_is(l: &BlockLabel, name: &str) -> bool {
    match l {
        BlockLabel::Ident(i) => i.name == name,
        BlockLabel::Str(s) => s.as_plain().as_deref() == Some(name),
    }
}

/// Where environment `env`'s own setting `key` is written (its own block
/// or one it extends).
pub fn environment_site(files: &[&ast::File], model: &Model, env: &str, key: &str) -> Option<Span> {
    let envs = top(files, "environment");
    model.extends_chain(env).into_iter().find_map(|x| {
        let (_, b) = envs.iter().find(|(n, _)| *n == x)?;
        find(body(b), &[], key)
    })
}

/// Where `infra ENV`'s setting `key` is written: the attribute when the
/// key names one, else the block it belongs to, else the `infra` block.
pub fn infra_site(files: &[&ast::File], env: &str, key: &str) -> Option<Span> {
    let (_, block) = top(files, "infra").into_iter().find(|(n, _)| n == env)?;
    let parts: Vec<&str> = key.split('.').collect();
    let kind = |plural: &str| match plural {
        "clusters" => Some("cluster"),
        "buckets" => Some("bucket"),
        "databases" => Some("database"),
        "resources" => Some("resource"),
        "outputs" => Some("output"),
        "variables" => Some("variable"),
        _ => None,
    };
    let found = match parts.as_slice() {
        [plural, name, rest @ ..] if kind(plural).is_some() => {
            let step = format!("{} {name}", kind(plural).unwrap_or_default());
            let attr = rest.last().copied().unwrap_or_default();
            find(body(block), &[&step], attr).or_else(|| block_of(body(block), &[&step]))
        }
        [b, attr, ..] => find(body(block), &[b], attr).or_else(|| block_of(body(block), &[b])),
        [attr] => find(body(block), &[], attr),
        [] => None,
    };
    found.or(Some(block.span))
}
