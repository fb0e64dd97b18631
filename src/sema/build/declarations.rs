//! The declarations built once environments and services are: pipelines,
//! rollouts, alerts, SLOs, records, rule groups and alert tests. Each reads
//! the project, the environments and the services, never another of its
//! kind, so they are built on every core, each part by a builder of its
//! own, and merged back in order — with the same model and diagnostics as
//! one builder going through them in turn (see [`Builder::in_parallel`]).

use std::collections::BTreeSet;

use crate::hash::Map;

use super::Builder;
use crate::model::{Alert, AlertTest, Interpolated, Model, Pipeline, Record, Rollout, RuleGroup, Slo};
use crate::schema::BlockId;
use crate::sema::tree::CheckedBlock;
use crate::source::{Span, Spans};

/// One declaration, built.
#[derive(Clone)]
pub(super) enum Built {
    Pipeline(Pipeline),
    Rollout(Rollout),
    Alert(Alert),
    Slo(Slo),
    Record(Record),
    Group(RuleGroup),
    AlertTest(AlertTest),
}

impl Spans for Built {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            Built::Pipeline(x) => x.spans(f),
            Built::Rollout(x) => x.spans(f),
            Built::Alert(x) => x.spans(f),
            Built::Slo(x) => x.spans(f),
            Built::Record(x) => x.spans(f),
            Built::Group(x) => x.spans(f),
            Built::AlertTest(x) => x.spans(f),
        }
    }
}

impl Built {
    /// Which declaration of the model this is: its kind and span.
    fn key(&self) -> (u8, Span) {
        match self {
            Built::Pipeline(x) => (0, x.span),
            Built::Rollout(x) => (1, x.span),
            Built::Alert(x) => (2, x.span),
            Built::Slo(x) => (3, x.span),
            Built::Record(x) => (4, x.span),
            Built::Group(x) => (5, x.span),
            Built::AlertTest(x) => (6, x.span),
        }
    }
}

/// Every declaration of `model` by [`Built::key`].
pub(super) fn declarations_of(model: &Model) -> Map<(u8, Span), Built> {
    let mut out = crate::hash::map_with(
        model.pipelines.len()
            + model.rollouts.len()
            + model.alerts.len()
            + model.slos.len()
            + model.records.len()
            + model.groups.len()
            + model.alert_tests.len(),
    );
    let mut add = |b: Built| {
        out.insert(b.key(), b);
    };
    model.pipelines.iter().for_each(|x| add(Built::Pipeline(x.clone())));
    model.rollouts.iter().for_each(|x| add(Built::Rollout(x.clone())));
    model.alerts.iter().for_each(|x| add(Built::Alert(x.clone())));
    model.slos.iter().for_each(|x| add(Built::Slo(x.clone())));
    model.records.iter().for_each(|x| add(Built::Record(x.clone())));
    model.groups.iter().for_each(|x| add(Built::Group(x.clone())));
    model.alert_tests.iter().for_each(|x| add(Built::AlertTest(x.clone())));
    out
}

/// What one part's builder made and spent.
#[derive(Clone)]
pub(super) struct Part {
    built: Vec<Built>,
    pub diags: crate::diag::Capped,
    interpolated: Vec<Interpolated>,
    /// The interpolations it reported first, with the index of their
    /// diagnostic in `diags`.
    first_reports: Vec<(Span, usize)>,
    /// The interpolations it reported (with those reported before it
    /// started, or not: the merge adds them to those).
    pub reported: BTreeSet<Span>,
    /// Template expansions spent from the project's budget.
    spent: usize,
    /// The services it looked up, found or not.
    pub reads: Vec<String>,
}

/// Every span of the part but those of `reported` (a set: moved whole).
impl Spans for Part {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Part {
            built,
            diags,
            interpolated,
            first_reports,
            reported: _,
            spent: _,
            reads: _,
        } = self;
        built.spans(f);
        diags.kept.spans(f);
        interpolated.spans(f);
        for (span, _) in first_reports {
            f(span);
        }
    }
}

impl Part {
    /// A copy of everything but the declarations built and the strings
    /// interpolated, and the keys of those declarations: what is kept for
    /// the next analysis at once (the rest is copied out of the model once
    /// the answer is out: [`Part::settle`]).
    pub(super) fn without_built(&self) -> (Part, Vec<(u8, Span)>) {
        let part = Part {
            built: Vec::new(),
            diags: self.diags.clone(),
            interpolated: Vec::new(),
            first_reports: self.first_reports.clone(),
            reported: self.reported.clone(),
            spent: self.spent,
            reads: self.reads.clone(),
        };
        (part, self.built.iter().map(Built::key).collect())
    }

    /// Puts back the declarations of `keys`, taken out of `built` (those
    /// of the model made), and the strings it interpolated, `strings` of
    /// the model's; `false` where one is missing.
    pub(super) fn settle(
        &mut self,
        keys: &[(u8, Span)],
        built: &mut Map<(u8, Span), Built>,
        strings: &[Interpolated],
    ) -> bool {
        self.interpolated = strings.to_vec();
        for key in keys {
            match built.remove(key) {
                Some(b) => self.built.push(b),
                None => return false,
            }
        }
        true
    }
}

pub(super) fn is_declaration(id: BlockId) -> bool {
    matches!(
        id,
        BlockId::Pipeline
            | BlockId::Rollout
            | BlockId::Alert
            | BlockId::Slo
            | BlockId::Record
            | BlockId::Group
            | BlockId::AlertTest
    )
}

impl<'n, 'a> Builder<'n, 'a, '_> {
    /// Builds the user's declarations into the model, in the order written.
    pub(super) fn declarations(&mut self, user: &'n [CheckedBlock<'a>]) {
        let nodes: Vec<&'n CheckedBlock<'a>> = user.iter().filter(|n| is_declaration(n.schema.id)).collect();
        let built = match self.declarations_reusing(&nodes).or_else(|| self.in_parallel(&nodes)) {
            Some(built) => built,
            None => nodes.iter().filter_map(|n| self.declaration(n)).collect(),
        };
        for b in built {
            let m = &mut self.model;
            match b {
                Built::Pipeline(p) => m.pipelines.push(p),
                Built::Rollout(r) => m.rollouts.push(r),
                Built::Alert(a) => m.alerts.push(a),
                Built::Slo(s) => m.slos.push(s),
                Built::Record(r) => m.records.push(r),
                Built::Group(g) => m.groups.push(g),
                Built::AlertTest(t) => m.alert_tests.push(t),
            }
        }
    }

    fn declaration(&mut self, node: &CheckedBlock<'a>) -> Option<Built> {
        Some(match node.schema.id {
            BlockId::Pipeline => Built::Pipeline(self.pipeline(node)),
            BlockId::Rollout => Built::Rollout(self.rollout(node)?),
            BlockId::Alert => Built::Alert(self.alert(node)),
            BlockId::Slo => Built::Slo(self.slo(node)),
            BlockId::Record => Built::Record(self.record(node)),
            BlockId::Group => Built::Group(self.group(node)),
            BlockId::AlertTest => Built::AlertTest(self.alert_test(node)),
            _ => return None,
        })
    }

    /// `nodes` built on every core, or `None` where the result could differ
    /// from building them in turn, which the caller then does:
    /// - where the project's template budget ran out (the one `uses` that
    ///   exhausts it is known only in order);
    /// - where a part kept fewer diagnostics than it made (the first
    ///   reports of a template's mistakes below are then not all known).
    ///
    /// A mistake inside a template is reported at its first expansion in
    /// the project: a part's first report of one an earlier part (or the
    /// services) reported already is dropped.
    fn in_parallel(&mut self, nodes: &[&'n CheckedBlock<'a>]) -> Option<Vec<Built>> {
        if nodes.len() < 2 || !crate::par::parallel() {
            return None;
        }
        let base = std::mem::take(&mut self.model);
        let budget = self.expansion.project;
        let (sym, family, reported) = (self.sym, &self.family, &self.reported);
        let parts = crate::par::map_parts(nodes, |part| {
            let mut shape = super::super::shape::Shape::new(super::super::registry());
            let mut b = Builder::new(sym, &mut shape);
            b.base = Some(&base);
            b.family = family.clone();
            b.reported = reported.clone();
            b.expansion.project = budget;
            b.first_reports = Some(Vec::new());
            let built = part.iter().filter_map(|n| b.declaration(n)).collect();
            b.part(built, budget)
        });
        self.model = base;
        self.merge(parts)
    }

    /// What this part builder made since it started (or since its last
    /// part), starting from `budget`.
    fn part(&mut self, built: Vec<Built>, budget: usize) -> Part {
        Part {
            built,
            spent: budget - self.expansion.project,
            interpolated: std::mem::take(&mut self.model.interpolated),
            first_reports: self.first_reports.replace(Vec::new()).unwrap_or_default(),
            reported: std::mem::take(&mut self.reported),
            diags: std::mem::take(&mut self.diags),
            reads: std::mem::take(&mut self.reads),
        }
    }

    /// The parts' declarations in order, their diagnostics and what they
    /// reported merged into this builder's; `None` where that could differ
    /// from building them in turn (see [`Builder::in_parallel`]).
    fn merge(&mut self, parts: Vec<Part>) -> Option<Vec<Built>> {
        let budget = self.expansion.project;
        let spent: usize = parts.iter().map(|p| p.spent).sum();
        if spent >= budget || parts.iter().any(|p| !p.diags.omitted.is_empty()) {
            return None;
        }
        self.expansion.project -= spent;
        let mut built = Vec::with_capacity(parts.len());
        for part in parts {
            let dropped: BTreeSet<usize> = part
                .first_reports
                .iter()
                .filter(|(span, _)| self.reported.contains(span))
                .map(|&(_, i)| i)
                .collect();
            self.diags.extend(
                part.diags
                    .kept
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| !dropped.contains(i))
                    .map(|(_, d)| d),
            );
            self.reported.extend(part.reported);
            self.model.interpolated.extend(part.interpolated);
            built.extend(part.built);
        }
        Some(built)
    }

    /// `nodes` built where a [`super::reuse::Plan`] is given (the language
    /// server's): one part per declaration, taken back from the last
    /// analysis where it may be, else built (on every core), and each kept
    /// for the next. `None` where the parts cannot be merged.
    fn declarations_reusing(&mut self, nodes: &[&'n CheckedBlock<'a>]) -> Option<Vec<Built>> {
        let plan = self.plan.as_deref_mut()?;
        plan.services_built(&self.reported);
        let mut parts: Vec<Option<Part>> = nodes.iter().map(|n| plan.declaration(n)).collect();
        let fresh: Vec<(usize, &'n CheckedBlock<'a>)> = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_none())
            .map(|(i, _)| (i, nodes[i]))
            .collect();
        let base = std::mem::take(&mut self.model);
        let budget = self.expansion.project;
        let (sym, family, before) = (self.sym, &self.family, &self.reported);
        let built = crate::par::map_parts(&fresh, |part| {
            let mut shape = super::super::shape::Shape::new(super::super::registry());
            let mut b = Builder::new(sym, &mut shape);
            b.base = Some(&base);
            b.family = family.clone();
            b.first_reports = Some(Vec::new());
            let mut out = Vec::with_capacity(part.len());
            for &(i, node) in part {
                b.reported.clone_from(before);
                b.expansion = super::templates::Expansion::default();
                b.expansion.project = budget;
                let built = b.declaration(node).into_iter().collect();
                let mut made = b.part(built, budget);
                made.reported.retain(|s| !before.contains(s));
                out.push((i, made));
            }
            out
        });
        self.model = base;
        for (i, part) in built.into_iter().flatten() {
            parts[i] = Some(part);
        }
        let parts: Vec<Part> = parts.into_iter().flatten().collect();
        // Where each part's interpolated strings will be in the model's
        // (the merge appends them in order).
        let mut at = self.model.interpolated.len();
        let plan = self.plan.as_deref_mut()?;
        for (node, part) in nodes.iter().zip(&parts) {
            let strings = at..at + part.interpolated.len();
            at = strings.end;
            // A part that spent its whole budget was cut short: what it
            // made depends on what it was given.
            if part.spent < budget {
                plan.keep_declaration(node, part, strings);
            }
        }
        let merged = self.merge(parts);
        if merged.is_none()
            && let Some(plan) = self.plan.as_deref_mut()
        {
            plan.forget_declarations();
        }
        merged
    }
}
