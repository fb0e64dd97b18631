//! The registry's data: every block kind of the language, one file per
//! part of it, in the order the reference lists them.

mod delivery;
mod infra;
mod pipelines;
mod places;
mod templates;

use super::{Attr, AttrSchema, BlockId, BlockSchema, BodyRule, Keys, Labels, Namespace as Ns, Registry, Ty};

fn opt(attr: Attr, ty: Ty, doc: &'static str) -> AttrSchema {
    AttrSchema {
        attr,
        name: attr.as_str(),
        ty,
        required: false,
        default: None,
        min: None,
        max: None,
        doc,
    }
}

fn req(attr: Attr, ty: Ty, doc: &'static str) -> AttrSchema {
    AttrSchema {
        required: true,
        ..opt(attr, ty, doc)
    }
}

impl AttrSchema {
    fn default(mut self, text: &'static str) -> AttrSchema {
        self.default = Some(text);
        self
    }

    /// Bounds of the value (of each end, for a range).
    fn bounds(mut self, min: Option<f64>, max: Option<f64>) -> AttrSchema {
        self.min = min;
        self.max = max;
        self
    }
}

/// The largest count Kubernetes and AWS take (replicas, node group sizes:
/// 32-bit signed integers there). Larger numbers are errors, never wrapped.
pub const MAX_COUNT: f64 = 2_147_483_647.0;

fn block(id: BlockId, kind: &'static str, labels: Labels, doc: &'static str) -> BlockSchema {
    BlockSchema {
        id,
        kind,
        variant: None,
        labels,
        body: BodyRule::Required,
        attrs: Vec::new(),
        children: Vec::new(),
        free: None,
        keys: Keys::Any,
        repeatable: true,
        raw: labels == Labels::TypeAndName,
        doc,
    }
}

impl BlockSchema {
    fn attrs(mut self, attrs: Vec<AttrSchema>) -> BlockSchema {
        self.attrs = attrs;
        self
    }

    fn children(mut self, ids: &[BlockId]) -> BlockSchema {
        self.children = ids.to_vec();
        self
    }

    fn free(mut self, ty: Ty) -> BlockSchema {
        self.free = Some(ty);
        self
    }

    fn keys(mut self, keys: Keys) -> BlockSchema {
        self.keys = keys;
        self
    }

    fn once(mut self) -> BlockSchema {
        self.repeatable = false;
        self
    }

    fn variant(mut self, word: &'static str) -> BlockSchema {
        self.variant = Some(word);
        self
    }

    /// Nested blocks are data, passed through unchecked.
    fn raw(mut self) -> BlockSchema {
        self.raw = true;
        self
    }

    fn optional_body(mut self) -> BlockSchema {
        self.body = BodyRule::Optional;
        self
    }
}

/// A plain value, or `secret("NAME")` (a workflow's `${{ secrets.NAME }}`).
fn scalar_or_secret() -> Ty {
    Ty::Either(Box::new(Ty::Scalar), Box::new(Ty::Secret))
}

fn list(t: Ty) -> Ty {
    Ty::List(Box::new(t))
}

const SEVERITIES: &[&str] = &["critical", "warning", "info"];
const APPROVAL: &[&str] = &["required", "none"];
const CLUSTER_KINDS: &[&str] = &["eks"];
const ENGINES: &[&str] = &["postgres", "mysql", "mariadb"];
const INPUT_TYPES: &[&str] = &["string", "boolean", "choice", "number", "environment"];
/// The types a reusable workflow's inputs may have.
pub const CALL_INPUT_TYPES: &[&str] = &["string", "boolean", "number"];
/// The types a template parameter may have (`param NAME { type = ... }`).
pub const PARAM_TYPES: &[&str] = &["string", "number", "bool", "duration", "service", "environment", "list"];

/// The value type an argument of a parameter of type `word` must have.
pub fn param_type(word: &str) -> Option<Ty> {
    Some(match word {
        "string" => Ty::Scalar,
        "number" => Ty::Number,
        "bool" => Ty::Bool,
        "duration" => Ty::Duration,
        "service" => Ty::Ref(Ns::Service),
        "environment" => Ty::Ref(Ns::Environment),
        "list" => Ty::List(Box::new(Ty::Scalar)),
        _ => return None,
    })
}

/// The attributes of an action step (`uses "owner/repo@SHA" { ... }`); the
/// same block kind takes a template's arguments instead when it names a
/// template, so its schema is free-form.
pub const ACTION_STEP_ATTRS: [Attr; 6] = [
    Attr::Name,
    Attr::Version,
    Attr::If,
    Attr::Id,
    Attr::Timeout,
    Attr::ContinueOnError,
];
const PERMISSION_LEVELS: &[&str] = &["read", "write", "none"];

/// The scopes of `GITHUB_TOKEN` a workflow's `permissions` may name.
pub const PERMISSION_SCOPES: &[&str] = &[
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
];

pub fn build() -> Registry {
    let blocks = [
        places::places(),
        pipelines::pipelines(),
        delivery::delivery(),
        infra::infra(),
        templates::templates(),
    ]
    .concat();
    let top = vec![
        BlockId::Project,
        BlockId::Environment,
        BlockId::Service,
        BlockId::Pipeline,
        BlockId::Rollout,
        BlockId::Alert,
        BlockId::Record,
        BlockId::Group,
        BlockId::AlertTest,
        BlockId::Slo,
        BlockId::Infra,
        BlockId::Template,
    ];
    Registry::new(blocks, top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_one_schema_and_every_child_exists() {
        let r = build();
        for id in BlockId::ALL {
            let n = r.blocks.iter().filter(|b| b.id == *id).count();
            assert_eq!(n, 1, "{id} has {n} schemas");
        }
        for b in &r.blocks {
            for c in &b.children {
                assert!(r.get(*c).is_some(), "{} names missing child {c}", b.id);
            }
            assert_eq!(b.variant.is_some(), b.labels == Labels::Variant, "{}", b.id);
        }
        for t in &r.top {
            assert!(r.get(*t).is_some(), "missing top {t}");
        }
    }

    /// An id is the path of kinds to its block (`pipeline.job`), the
    /// variant after a colon (`pipeline.on:push`): checked against the
    /// registry's nesting, so an id cannot say one thing and mean another.
    #[test]
    fn ids_spell_the_path_to_their_block() {
        let r = build();
        for b in &r.blocks {
            let (path, variant) = match b.id.as_str().split_once(':') {
                Some((p, v)) => (p, Some(v)),
                None => (b.id.as_str(), None),
            };
            assert_eq!(variant, b.variant, "{}", b.id);
            assert_eq!(path.rsplit('.').next(), Some(b.kind), "{}", b.id);
            if !path.contains('.') {
                assert!(r.top.contains(&b.id), "{} is top-level by its id", b.id);
            }
        }
        for parent in &r.blocks {
            for c in &parent.children {
                let child = r.get(*c).map(|b| b.id.as_str()).unwrap_or_default();
                // `step.*`, `service.*` and `gha.*` children are shared by
                // several parents.
                let shared = ["step.", "service.", "gha."].iter().any(|p| child.starts_with(p));
                let prefix = parent.id.as_str().replace(':', ".");
                let parent_path = prefix.rsplit_once('.').map_or(prefix.as_str(), |(p, v)| {
                    if parent.variant == Some(v) { p } else { prefix.as_str() }
                });
                assert!(
                    shared || child.starts_with(&format!("{parent_path}.")),
                    "{child} is not below {}",
                    parent.id
                );
            }
        }
    }

    #[test]
    fn every_parameter_type_has_a_value_type() {
        for word in PARAM_TYPES {
            assert!(param_type(word).is_some(), "{word}");
        }
    }

    #[test]
    fn every_attr_is_declared_by_some_block() {
        let r = build();
        for attr in Attr::ALL {
            assert!(
                r.blocks.iter().any(|b| b.attr_schema(*attr).is_some()),
                "`{attr}` is declared by no block"
            );
        }
        for b in &r.blocks {
            for a in &b.attrs {
                assert_eq!(a.name, a.attr.as_str());
            }
        }
    }
}
