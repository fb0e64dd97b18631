//! Rollouts, alerts and SLOs. A rollout has exactly one strategy; alerts
//! and SLOs belong to their own team, else their service's, else the
//! project owner's.

use super::{Builder, Scope};
use crate::diag::{Code, Diagnostic, Label};
use crate::model::{Alert, AlertTest, CanaryStep, Pause, Record, Rollout, RuleGroup, Slo, SloRoute, Strategy};
use crate::schema::{Attr, BlockId};
use crate::sema::tree::{CheckedBlock, Val};

impl<'a> Builder<'_, 'a, '_> {
    pub(super) fn rollout(&mut self, node: &CheckedBlock<'a>) -> Option<Rollout> {
        let canary = node.child(BlockId::Canary);
        let blue_green = node.child(BlockId::BlueGreen);
        let strategy = match (canary, blue_green) {
            (Some(c), None) => Strategy::Canary {
                steps: c
                    .children_of(BlockId::CanaryStep)
                    .map(|s| CanaryStep {
                        span: s.value_span(Attr::Weight).unwrap_or(s.header_span()),
                        weight: match s.get(Attr::Weight) {
                            Some(Val::Pct(p)) => *p,
                            _ => 0.0,
                        },
                        pause: match s.value(Attr::Pause) {
                            Some(Val::Dur(d)) => Pause::For(d.clone()),
                            Some(Val::Word(_)) => Pause::Manual,
                            _ => Pause::None,
                        },
                    })
                    .collect(),
            },
            (None, Some(b)) => Strategy::BlueGreen {
                preview: Self::bool(b.value(Attr::Preview)),
                auto_promote: Self::bool(b.value(Attr::AutoPromote)),
                scale_down_delay: Self::duration(b.value(Attr::ScaleDownDelay)),
            },
            (Some(c), Some(b)) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::MalformedBlock,
                        format!("`{}` has both `canary` and `blue_green`", node.header()),
                        Label::new(b.header_span(), "second strategy"),
                    )
                    .with_label(Label::new(c.header_span(), "first strategy"))
                    .with_help("a rollout has one strategy; keep `canary` or `blue_green`"),
                );
                return None;
            }
            (None, None) => {
                if !node.broken {
                    self.diags.push(
                        Diagnostic::new(
                            Code::MissingAttribute,
                            format!("`{}` has no strategy", node.header()),
                            Label::new(node.header_span(), "expected `canary { ... }` or `blue_green { ... }`"),
                        )
                        .with_help("add `canary { step { weight = 10%  pause = 5m } ... }` or `blue_green { }`"),
                    );
                }
                return None;
            }
        };
        Some(Rollout {
            source: String::new(),
            name: node.label().to_string(),
            service: self.attr_text(node, Attr::Service).unwrap_or_default(),
            strategy,
            abort_on: self.attr_texts(node, Attr::AbortOn),
            span: node.label_span(),
        })
    }

    /// The team of an alert or SLO: its own, else its service's, else the
    /// project owner.
    fn team(&mut self, node: &CheckedBlock<'a>) -> Option<String> {
        if let Some(team) = self.attr_text(node, Attr::Team) {
            return Some(team);
        }
        let service = self.attr_text(node, Attr::Service).unwrap_or_default();
        self.model
            .service(&service)
            .and_then(|s| s.base.team.clone())
            .or_else(|| self.model.project.owner.clone())
    }

    pub(super) fn alert(&mut self, node: &CheckedBlock<'a>) -> Alert {
        Alert {
            name: node.label().to_string(),
            alert_name: self
                .attr_text(node, Attr::Name)
                .unwrap_or_else(|| node.label().to_string()),
            service: self.attr_text(node, Attr::Service).unwrap_or_default(),
            expr: self.attr_text(node, Attr::Expr).unwrap_or_default(),
            for_: Self::duration(node.value(Attr::For)),
            keep_firing_for: Self::optional_duration(node.value(Attr::KeepFiringFor)),
            severity: self.attr_text(node, Attr::Severity).unwrap_or_default(),
            summary: self.attr_text(node, Attr::Summary),
            description: self.attr_text(node, Attr::Description),
            runbook: self.attr_text(node, Attr::Runbook),
            team: self.team(node),
            labels: self.map(node.child(BlockId::AlertLabels), &Scope::default()),
            routing_labels: Self::bool(node.value(Attr::RoutingLabels)),
            annotations: self.map(node.child(BlockId::AlertAnnotations), &Scope::default()),
            group: self.attr_text(node, Attr::Group),
            source: String::new(),
            expr_span: node.value_span(Attr::Expr).unwrap_or(node.label_span()),
            span: node.label_span(),
        }
    }

    pub(super) fn record(&mut self, node: &CheckedBlock<'a>) -> Record {
        Record {
            metric: node.label().to_string(),
            expr: self.attr_text(node, Attr::Expr).unwrap_or_default(),
            labels: self.map(node.child(BlockId::RecordLabels), &Scope::default()),
            group: self.attr_text(node, Attr::Group),
            source: String::new(),
            expr_span: node.value_span(Attr::Expr).unwrap_or(node.label_span()),
            span: node.label_span(),
        }
    }

    pub(super) fn alert_test(&mut self, node: &CheckedBlock<'a>) -> AlertTest {
        let mut inputs = Vec::new();
        let mut series_spans = Vec::new();
        for i in node.children_of(BlockId::TestInput) {
            inputs.push((
                self.attr_text(i, Attr::Series).unwrap_or_default(),
                self.attr_text(i, Attr::Values).unwrap_or_default(),
            ));
            series_spans.push(i.value_span(Attr::Series).unwrap_or(i.header_span()));
        }
        let mut expects = Vec::new();
        for c in &node.children {
            match c.schema.id {
                BlockId::TestFires => {
                    let labels = self.map(c.child(BlockId::TestFiresLabels), &Scope::default());
                    expects.push((Self::duration(c.get(Attr::At)), Some(labels)));
                }
                BlockId::TestSilent => expects.push((Self::duration(c.get(Attr::At)), None)),
                _ => {}
            }
        }
        AlertTest {
            name: node.label().to_string(),
            alert: self.attr_text(node, Attr::Alert).unwrap_or_default(),
            interval: Self::duration(node.value(Attr::Interval)),
            inputs,
            expects,
            series_spans,
            span: node.label_span(),
        }
    }

    pub(super) fn group(&mut self, node: &CheckedBlock<'a>) -> RuleGroup {
        RuleGroup {
            name: node.label().to_string(),
            interval: Self::optional_duration(node.value(Attr::Interval)),
            limit: Self::int(node.value(Attr::Limit)).map(Self::count),
            span: node.label_span(),
        }
    }

    /// An SLO's `page` or `ticket` block (or their defaults).
    fn route(&mut self, node: Option<&CheckedBlock<'a>>, severity: &str, labels: BlockId) -> SloRoute {
        match node {
            None => SloRoute {
                severity: severity.to_string(),
                ..SloRoute::default()
            },
            Some(n) => SloRoute {
                severity: self
                    .attr_text(n, Attr::Severity)
                    .unwrap_or_else(|| severity.to_string()),
                runbook: self.attr_text(n, Attr::Runbook),
                labels: self.map(n.child(labels), &Scope::default()),
                for_: Self::optional_duration(n.value(Attr::For)),
            },
        }
    }

    pub(super) fn slo(&mut self, node: &CheckedBlock<'a>) -> Slo {
        // `${window}` stays for the Prometheus target to fill in per window.
        let keep = Scope {
            keep: &["window"],
            ..Scope::default()
        };
        Slo {
            name: node.label().to_string(),
            service: self.attr_text(node, Attr::Service).unwrap_or_default(),
            objective: match node.get(Attr::Objective) {
                Some(Val::Pct(p)) => *p,
                _ => 0.0,
            },
            window: Self::duration(node.value(Attr::Window)),
            errors: self.text(node.get(Attr::Errors), &keep).unwrap_or_default(),
            total: self.text(node.get(Attr::Total), &keep).unwrap_or_default(),
            description: self.attr_text(node, Attr::Description),
            team: self.team(node),
            alert_name: self
                .attr_text(node, Attr::AlertName)
                .unwrap_or_else(|| format!("{}_error_budget_burn", node.label())),
            labels: self.map(node.child(BlockId::SloLabels), &Scope::default()),
            page: self.route(node.child(BlockId::SloPage), "critical", BlockId::SloPageLabels),
            ticket: self.route(node.child(BlockId::SloTicket), "warning", BlockId::SloTicketLabels),
            source: String::new(),
            errors_span: node.value_span(Attr::Errors).unwrap_or(node.label_span()),
            total_span: node.value_span(Attr::Total).unwrap_or(node.label_span()),
            objective_span: node.value_span(Attr::Objective).unwrap_or(node.label_span()),
            span: node.label_span(),
        }
    }
}
