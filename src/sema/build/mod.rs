//! Building the resolved model from the checked tree: every declaration
//! turned into plain model data. One file per part of the language:
//!
//! - [`inherit`]: environments along `extends`, services per environment
//!   with their `in ENV { }` overrides;
//! - [`interpolate`]: `${...}` in strings, with the fields each root has;
//! - [`pipelines`]: triggers and jobs (deploy jobs with their templates);
//! - [`steps`]: scripts, actions, and templates used as steps;
//! - [`templates`]: `uses TEMPLATE { ARGS }`, arguments checked against the
//!   template's typed parameters, expanded in place;
//! - [`observability`]: rollouts, alerts and SLOs;
//! - [`infra`]: infrastructure, raw Terraform passed through as JSON.
//!
//! Attributes that are not written take the registry's default
//! ([`CheckedBlock::value`]); no default is spelt here.

mod declarations;
mod infra;
mod inherit;
mod interpolate;
mod kube;
mod observability;
mod pipelines;
pub mod reuse;
mod steps;
mod templates;

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::names::Symbols;
use super::shape::Shape;
use super::tree::{CheckedBlock, ScalarVal, Val};
use crate::diag::Capped;
use crate::model::names::github_secret_name;
use crate::model::units::Duration;
use crate::model::{Exprs, Model, Project};
use crate::schema::{Attr, BlockId};
use crate::source::Span;

pub use infra::{plain_argument, raw_body};
use templates::Arg;

/// What `${...}` may name where a value is read.
#[derive(Default)]
struct Scope<'s> {
    /// Inside a template: its arguments.
    params: Option<&'s BTreeMap<String, Arg>>,
    /// Roots left in place for a later stage (`window` in SLO queries).
    keep: &'s [&'s str],
    /// The text goes into a workflow field GitHub evaluates: literal
    /// `${{` is escaped, and every `${{ ... }}` is recorded with its span.
    workflow: bool,
    /// Reading the project block's own fields (which read the model's
    /// plain values, never the block again).
    in_project: bool,
}

impl Scope<'_> {
    /// The scope of a workflow field.
    fn workflow() -> Scope<'static> {
        Scope {
            workflow: true,
            ..Scope::default()
        }
    }
}

pub struct Builder<'n, 'a, 's> {
    pub sym: &'s Symbols<'n, 'a>,
    pub shape: &'s mut Shape,
    pub diags: Capped,
    model: Model,
    /// Interpolations already reported (a template expanded many times
    /// reports each of its mistakes once).
    reported: BTreeSet<Span>,
    /// The `uses` being expanded, outermost first, and whether the template
    /// they name is the stdlib's.
    sites: Vec<(Span, String, bool)>,
    /// The environments' `extends` links, resolved once.
    family: inherit::Family,
    /// What template expansion may still spend.
    expansion: templates::Expansion,
    /// The GitHub expressions written into workflow text so far, with their
    /// spans (taken by whoever builds the field: `capture`).
    emitted: Exprs,
    /// While expanding a deploy job's template: the service (if one per
    /// service) and the environment its parameters default to.
    deploying: Option<(Option<String>, String)>,
    /// The parameter whose default is being read, if any.
    defaulting: Option<String>,
    /// A builder of part of the declarations: the model read for the
    /// project, environments and services ([`Builder::known`]).
    base: Option<&'s Model>,
    /// A builder of part of the declarations: the interpolations it
    /// reported first, and where their diagnostic is in `diags`.
    first_reports: Option<Vec<(Span, usize)>>,
    /// What the last analysis built, to take back (the language server's).
    plan: Option<&'s mut reuse::Plan>,
    /// The services looked up (found or not) since the part began.
    reads: Vec<String>,
}

impl<'n, 'a, 's> Builder<'n, 'a, 's> {
    pub fn new(sym: &'s Symbols<'n, 'a>, shape: &'s mut Shape) -> Self {
        Builder {
            sym,
            shape,
            diags: Capped::default(),
            model: Model::default(),
            reported: BTreeSet::new(),
            sites: Vec::new(),
            family: inherit::Family::default(),
            expansion: templates::Expansion::default(),
            emitted: Vec::new(),
            deploying: None,
            defaulting: None,
            base: None,
            first_reports: None,
            plan: None,
            reads: Vec::new(),
        }
    }

    /// This builder, taking back what `plan` allows of the last analysis
    /// and keeping what it builds for the next.
    pub(crate) fn reusing(mut self, plan: Option<&'s mut reuse::Plan>) -> Self {
        self.plan = plan;
        self
    }

    /// The model where the project, environments and services are read:
    /// a part builder's base, else its own.
    fn known(&self) -> &Model {
        self.base.unwrap_or(&self.model)
    }

    /// Records that service `name` is looked up (in [`Builder::known`]):
    /// a part built reading it is built again when it changes (see
    /// [`reuse`]). Every lookup of a service by a declaration's builder
    /// comes after this.
    fn read_service(&mut self, name: &str) {
        if !self.reads.iter().any(|r| r == name) {
            self.reads.push(name.to_string());
        }
    }

    /// Runs `f`, and takes the GitHub expressions it wrote into workflow
    /// text.
    fn capture<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> (T, Exprs) {
        let start = self.emitted.len();
        let out = f(self);
        let exprs = self.emitted.split_off(start.min(self.emitted.len()));
        (out, exprs)
    }

    pub fn build(mut self, user: &'n [CheckedBlock<'a>], sources: Vec<String>) -> (Model, Capped) {
        self.project(sources);
        self.environments(user);
        // Indexed as soon as complete: what follows looks environments and
        // services up per item (an unsealed model is searched linearly).
        self.model.seal();
        self.services(user);
        // Before the declarations: templates read an environment's
        // cluster and whether its deploys create the namespace.
        self.infra(user);
        self.model.seal();
        self.declarations(user);
        let m = &mut self.model;
        sort_by_name(&mut m.pipelines, |x| &x.name);
        sort_by_name(&mut m.rollouts, |x| &x.name);
        sort_by_name(&mut m.alerts, |x| &x.name);
        sort_by_name(&mut m.slos, |x| &x.name);
        sort_by_name(&mut m.groups, |x| &x.name);
        m.seal();
        (self.model, self.diags)
    }

    // ---- values ------------------------------------------------------------

    /// A value as text (strings interpolated in `scope`).
    fn text(&mut self, val: Option<&Val<'a>>, scope: &Scope) -> Option<String> {
        match val? {
            Val::Str(lit) => Some(self.interpolate(lit, scope)),
            Val::Scalar(ScalarVal::Str(lit)) => Some(self.interpolate(lit, scope)),
            Val::Scalar(ScalarVal::Text(t)) => Some(t.clone()),
            Val::Word(w) => Some(w.clone()),
            Val::Ref(i, _) => Some(i.name.clone()),
            Val::Secret(s) => Some(s.clone()),
            Val::Int(i) => Some(i.to_string()),
            Val::Num(n) => Some(n.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Dur(d) => Some(d.to_string()),
            _ => None,
        }
    }

    fn texts(&mut self, val: Option<&Val<'a>>, scope: &Scope) -> Vec<String> {
        match val {
            Some(Val::List(items)) => items.iter().filter_map(|v| self.text(Some(v), scope)).collect(),
            _ => Vec::new(),
        }
    }

    /// Attribute `attr` of `node` (or its default) as text, in no template.
    fn attr_text(&mut self, node: &CheckedBlock<'a>, attr: Attr) -> Option<String> {
        self.text(node.value(attr), &Scope::default())
    }

    fn attr_texts(&mut self, node: &CheckedBlock<'a>, attr: Attr) -> Vec<String> {
        self.texts(node.value(attr), &Scope::default())
    }

    /// A duration (a missing one, already reported, is zero).
    fn duration(val: Option<&Val<'a>>) -> Duration {
        match val {
            Some(Val::Dur(d)) => d.clone(),
            _ => Duration::default(),
        }
    }

    fn optional_duration(val: Option<&Val<'a>>) -> Option<Duration> {
        match val {
            Some(Val::Dur(d)) => Some(d.clone()),
            _ => None,
        }
    }

    /// A count (replicas, nodes) as the model keeps it: the checker bounds
    /// them, and a value it let through is clamped, never wrapped.
    fn count(n: i64) -> u32 {
        u32::try_from(n.max(0)).unwrap_or(u32::MAX)
    }

    fn int(val: Option<&Val<'a>>) -> Option<i64> {
        match val {
            Some(Val::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// A boolean (a missing one, already reported, is false).
    fn bool(val: Option<&Val<'a>>) -> bool {
        matches!(val, Some(Val::Bool(true)))
    }

    /// Free attributes of a child block as text (`env { }`, `labels { }`);
    /// `secret("NAME")` becomes the workflow expression that reads it.
    fn map(&mut self, node: Option<&CheckedBlock<'a>>, scope: &Scope) -> IndexMap<String, String> {
        let mut out = IndexMap::new();
        if let Some(node) = node {
            for (k, a) in &node.attrs {
                let v = match &a.val {
                    Val::Secret(name) => Some(format!("${{{{ secrets.{} }}}}", github_secret_name(name))),
                    other => self.text(Some(other), scope),
                };
                if let Some(v) = v {
                    out.insert((*k).to_string(), v);
                }
            }
        }
        out
    }

    // ---- the project -----------------------------------------------------------

    fn project(&mut self, sources: Vec<String>) {
        let mut p = Project {
            sources,
            ..Project::default()
        };
        if let Some(node) = self.sym.project {
            p.name = node.label().to_string();
            // `project.*` may not refer to itself; resolve plain fields first.
            p.repo = self.attr_text(node, Attr::Repo).unwrap_or_default();
            p.registry = self.attr_text(node, Attr::Registry);
            p.owner = self.attr_text(node, Attr::Owner);
            p.prometheus = self.attr_text(node, Attr::Prometheus);
            p.secret_store = self.attr_text(node, Attr::SecretStore);
            p.description = self.attr_text(node, Attr::Description);
            p.timeout = Self::optional_duration(node.value(Attr::Timeout));
            p.prometheus_rule = matches!(node.value(Attr::RuleFormat), Some(Val::Word(w)) if w == "prometheus_rule");
            p.rule_namespace = self.attr_text(node, Attr::RuleNamespace);
            p.rule_labels = self.map(node.child(BlockId::RuleLabels), &Scope::default());
            p.handbook = node.child(BlockId::Handbook).map(|h| crate::model::Handbook {
                path: self
                    .attr_text(h, Attr::Path)
                    .unwrap_or_else(|| crate::target::paths::HANDBOOK_DIR.to_string()),
                url: self.attr_text(h, Attr::Url),
                path_span: h.value_span(Attr::Path).unwrap_or(h.header_span()),
            });
        }
        self.model.project = p;
    }
}

/// Sorts `items` by name, stably, moving each once: the declarations are
/// large, and a merge sort moved each of them many times (half a million
/// instructions an edit in the language server).
fn sort_by_name<T>(items: &mut Vec<T>, name: impl Fn(&T) -> &str) {
    if items.windows(2).all(|w| name(&w[0]) <= name(&w[1])) {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| name(&items[a]).cmp(name(&items[b])));
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    *items = order.into_iter().filter_map(|i| slots[i].take()).collect();
}

#[cfg(test)]
mod tests {
    /// The order of a stable sort by name: equal names keep their order.
    #[test]
    fn sorting_by_name_is_a_stable_sort() {
        let mut rng = crate::testing::Rng(0x9E37_79B9_7F4A_7C15);
        for len in [0, 1, 2, 3, 17, 200] {
            let mut items: Vec<(String, usize)> = (0..len).map(|i| (format!("n{}", rng.below(7)), i)).collect();
            let mut expected = items.clone();
            expected.sort_by(|a, b| a.0.cmp(&b.0));
            super::sort_by_name(&mut items, |x| &x.0);
            assert_eq!(items, expected, "{len} items");
        }
    }
}
