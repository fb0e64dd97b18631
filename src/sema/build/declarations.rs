//! The declarations built once environments and services are: pipelines,
//! rollouts, alerts, SLOs, records, rule groups and alert tests. Each reads
//! the project, the environments and the services, never another of its
//! kind, so they are built on every core, each part by a builder of its
//! own, and merged back in order — with the same model and diagnostics as
//! one builder going through them in turn (see [`Builder::in_parallel`]).

use std::collections::BTreeSet;

use super::Builder;
use crate::model::{Alert, AlertTest, Interpolated, Pipeline, Record, Rollout, RuleGroup, Slo};
use crate::schema::BlockId;
use crate::sema::tree::CheckedBlock;
use crate::source::Span;

/// One declaration, built.
enum Built {
    Pipeline(Pipeline),
    Rollout(Rollout),
    Alert(Alert),
    Slo(Slo),
    Record(Record),
    Group(RuleGroup),
    AlertTest(AlertTest),
}

/// What one part's builder made and spent.
struct Part {
    built: Vec<Built>,
    diags: crate::diag::Capped,
    interpolated: Vec<Interpolated>,
    /// The interpolations it reported first, with the index of their
    /// diagnostic in `diags`.
    first_reports: Vec<(Span, usize)>,
    reported: BTreeSet<Span>,
    /// Template expansions spent from the project's budget.
    spent: usize,
}

fn is_declaration(id: BlockId) -> bool {
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
        let built = match self.in_parallel(&nodes) {
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
            Part {
                built,
                spent: budget - b.expansion.project,
                interpolated: std::mem::take(&mut b.model.interpolated),
                first_reports: b.first_reports.take().unwrap_or_default(),
                reported: std::mem::take(&mut b.reported),
                diags: std::mem::take(&mut b.diags),
            }
        });
        self.model = base;
        let spent: usize = parts.iter().map(|p| p.spent).sum();
        if spent >= budget || parts.iter().any(|p| !p.diags.omitted.is_empty()) {
            return None;
        }
        self.expansion.project -= spent;
        let mut built = Vec::with_capacity(nodes.len());
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
}
