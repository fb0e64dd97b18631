//! Rollouts, alerts and SLOs. A rollout has exactly one strategy; alerts
//! and SLOs belong to their own team, else their service's, else the
//! project owner's.

use super::{Builder, Scope};
use crate::diag::{Code, Diagnostic, Label};
use crate::model::{
    Alert, AlertTest, AnalysisTuning, BurnPolicy, CanaryStep, Check, Gate, Pause, Record, Rollout, RuleGroup, Slo,
    SloRoute, Strategy, Traffic,
};
use crate::schema::{Attr, BlockId};
use crate::sema::tree::{CheckedBlock, Val};
use crate::source::Span;

impl<'a> Builder<'_, 'a, '_> {
    pub(super) fn rollout(&mut self, node: &CheckedBlock<'a>) -> Option<Rollout> {
        let canary = node.child(BlockId::Canary);
        let blue_green = node.child(BlockId::BlueGreen);
        let strategy = match (canary, blue_green) {
            (Some(c), None) if c.get(Attr::StepWeight).is_some() => Strategy::Canary {
                steps: self.weight_steps(c),
            },
            (Some(c), None) => Strategy::Canary {
                steps: c
                    .children_of(BlockId::CanaryStep)
                    .map(|s| CanaryStep {
                        span: s.value_span(Attr::Weight).unwrap_or(s.header_span()),
                        weight: match s.get(Attr::Weight) {
                            Some(Val::Pct(p)) => *p,
                            _ => 0.0,
                        },
                        pause: pause(s.value(Attr::Pause)),
                    })
                    .collect(),
            },
            (None, Some(b)) => Strategy::BlueGreen {
                preview: Self::bool(b.value(Attr::Preview)),
                auto_promote: Self::bool(b.value(Attr::AutoPromote)),
                scale_down_delay: Self::duration(b.value(Attr::ScaleDownDelay)),
                post_promotion: Self::bool(b.value(Attr::PostPromotion)),
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
            environments: self.attr_texts(node, Attr::Environments),
            strategy,
            abort_on: self.attr_texts(node, Attr::AbortOn),
            abort_on_slo: self.attr_texts(node, Attr::AbortOnSlo),
            progress_deadline: Self::optional_duration(node.value(Attr::ProgressDeadline)),
            gates: node.children_of(BlockId::RolloutGate).map(|g| self.gate(g)).collect(),
            analysis: self.analysis_tuning(node.child(BlockId::RolloutAnalysis)),
            traffic: node.child(BlockId::RolloutTraffic).map(|t| Traffic {
                router: self.attr_text(t, Attr::Router).unwrap_or_default(),
                gateways: self.attr_texts(t, Attr::Gateways),
                hosts: self.attr_texts(t, Attr::Hosts),
                header: self
                    .attr_text(t, Attr::Header)
                    .map(|h| (h, self.attr_text(t, Attr::HeaderValue).unwrap_or_default())),
                span: t.header_span(),
            }),
            checks: node
                .children_of(BlockId::RolloutCheck)
                .map(|c| Check {
                    name: c.label().to_string(),
                    image: self.attr_text(c, Attr::Image).unwrap_or_default(),
                    command: self.attr_texts(c, Attr::Command),
                    args: self.attr_texts(c, Attr::Args),
                    after_step: Self::int(c.value(Attr::AfterStep)).map_or(0, Self::count),
                    timeout: Self::duration(c.value(Attr::Timeout)),
                    span: c.label_span(),
                })
                .collect(),
            span: node.label_span(),
        })
    }

    /// The steps of `step_weight`/`max_weight`/`pause`: the weight raised
    /// by the step up to the maximum, with the pause after each, then the
    /// whole traffic. `step` blocks beside them are an error.
    fn weight_steps(&mut self, c: &CheckedBlock<'a>) -> Vec<CanaryStep> {
        let pct = |attr| match c.get(attr) {
            Some(Val::Pct(p)) => Some(*p),
            _ => None,
        };
        let span = c.value_span(Attr::StepWeight).unwrap_or(c.header_span());
        if let Some(first) = c.children_of(BlockId::CanaryStep).next() {
            self.diags.push(
                Diagnostic::new(
                    Code::MalformedBlock,
                    "`canary` has both `step_weight` and `step` blocks",
                    Label::new(first.header_span(), "a step"),
                )
                .with_label(Label::new(span, "the shorthand"))
                .with_help("keep the `step` blocks, or `step_weight` (with `max_weight` and `pause`)"),
            );
            return Vec::new();
        }
        let step = pct(Attr::StepWeight).unwrap_or(100.0).clamp(1.0, 100.0);
        let max = pct(Attr::MaxWeight).unwrap_or(100.0).clamp(1.0, 100.0);
        let pause = pause(c.get(Attr::Pause));
        let mut steps = Vec::new();
        let mut w = step;
        while w <= max + 1e-9 && w < 100.0 && steps.len() < 100 {
            steps.push(CanaryStep {
                weight: (w * 1000.0).round() / 1000.0,
                pause: pause.clone(),
                span,
            });
            w += step;
        }
        steps.push(CanaryStep {
            weight: 100.0,
            pause: Pause::None,
            span,
        });
        steps
    }

    fn gate(&mut self, g: &CheckedBlock<'a>) -> Gate {
        let number = |attr| match g.get(attr) {
            Some(Val::Num(n)) => Some(*n),
            Some(Val::Int(i)) => Some(*i as f64),
            _ => None,
        };
        let (below, above) = (number(Attr::Below), number(Attr::Above));
        if below.is_none() && above.is_none() && !g.broken {
            self.diags.push(
                Diagnostic::new(
                    Code::MissingAttribute,
                    format!("`{}` has no bound", g.header()),
                    Label::new(g.header_span(), "below or above what?"),
                )
                .with_help("add `below = 0.01` (an error rate) or `above = 0.99` (a success rate)"),
            );
        }
        Gate {
            name: g.label().to_string(),
            query: self.attr_text(g, Attr::Query).unwrap_or_default(),
            below,
            above,
            span: g.label_span(),
            query_span: g.value_span(Attr::Query).unwrap_or(g.header_span()),
        }
    }

    fn analysis_tuning(&mut self, node: Option<&CheckedBlock<'a>>) -> AnalysisTuning {
        let Some(n) = node else {
            return AnalysisTuning {
                interval: crate::model::units::Duration::from_secs(60),
                ..AnalysisTuning::default()
            };
        };
        AnalysisTuning {
            interval: Self::optional_duration(n.value(Attr::Interval))
                .unwrap_or(crate::model::units::Duration::from_secs(60)),
            count: Self::int(n.value(Attr::Count)).map(Self::count),
            failure_limit: Self::int(n.value(Attr::FailureLimit)).map_or(0, Self::count),
            initial_delay: Self::optional_duration(n.value(Attr::InitialDelay)),
        }
    }

    /// The team of an alert or SLO: its own, else its service's, else the
    /// project owner.
    fn team(&mut self, node: &CheckedBlock<'a>) -> Option<String> {
        if let Some(team) = self.attr_text(node, Attr::Team) {
            return Some(team);
        }
        let service = self.attr_text(node, Attr::Service).unwrap_or_default();
        self.read_service(&service);
        let known = self.known();
        known
            .service(&service)
            .and_then(|s| s.base.team.clone())
            .or_else(|| known.project.owner.clone())
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
        let (errors, total, errors_span, total_span) = self.indicator(node, &keep);
        Slo {
            name: node.label().to_string(),
            service: self.attr_text(node, Attr::Service).unwrap_or_default(),
            objective: match node.get(Attr::Objective) {
                Some(Val::Pct(p)) => *p,
                _ => 0.0,
            },
            window: Self::duration(node.value(Attr::Window)),
            policy: match node.value(Attr::Policy) {
                Some(Val::Word(w)) if w == "sloth" => BurnPolicy::Sloth,
                Some(Val::Word(w)) if w == "pyrra" => BurnPolicy::Pyrra,
                _ => BurnPolicy::Workbook,
            },
            errors,
            total,
            description: self.attr_text(node, Attr::Description),
            team: self.team(node),
            alert_name: self
                .attr_text(node, Attr::AlertName)
                .unwrap_or_else(|| format!("{}_error_budget_burn", node.label())),
            labels: self.map(node.child(BlockId::SloLabels), &Scope::default()),
            page: self.route(node.child(BlockId::SloPage), "critical", BlockId::SloPageLabels),
            ticket: self.route(node.child(BlockId::SloTicket), "warning", BlockId::SloTicketLabels),
            source: String::new(),
            errors_span,
            total_span,
            objective_span: node.value_span(Attr::Objective).unwrap_or(node.label_span()),
            span: node.label_span(),
        }
    }

    /// The SLO's bad and all events as PromQL rates (`${window}` kept):
    /// written as `errors` and `total`, or from a `ratio` of two counters,
    /// or from a `latency` histogram (events above the threshold are bad:
    /// all observations minus those in the threshold's bucket). Exactly one
    /// form; where they are written.
    fn indicator(&mut self, node: &CheckedBlock<'a>, keep: &Scope) -> (String, String, Span, Span) {
        let whole = node.label_span();
        let queries = node.get(Attr::Errors).is_some() || node.get(Attr::Total).is_some();
        let ratio = node.child(BlockId::SloRatio);
        let latency = node.child(BlockId::SloLatency);
        let forms: Vec<Span> = [
            queries.then(|| {
                node.value_span(Attr::Errors)
                    .or(node.value_span(Attr::Total))
                    .unwrap_or(whole)
            }),
            ratio.map(CheckedBlock::header_span),
            latency.map(CheckedBlock::header_span),
        ]
        .into_iter()
        .flatten()
        .collect();
        if forms.len() > 1 {
            self.diags.push(
                Diagnostic::new(
                    Code::MalformedBlock,
                    format!("`{}` has {} indicators", node.header(), forms.len()),
                    Label::new(forms[1], "second indicator"),
                )
                .with_label(Label::new(forms[0], "first indicator"))
                .with_help("an SLO measures one thing: keep `errors` and `total`, a `ratio { }` or a `latency { }`"),
            );
            return (String::new(), String::new(), whole, whole);
        }
        if let Some(r) = ratio {
            let mut rate = |attr: Attr| -> (String, Span) {
                let span = r.value_span(attr).unwrap_or(r.header_span());
                let text = self.attr_text(r, attr).unwrap_or_default();
                if text.is_empty() {
                    return (String::new(), span);
                }
                match crate::target::promql::parse(&text) {
                    Ok(promql_parser::parser::Expr::VectorSelector(_)) => {
                        (format!("sum(rate({text}[${{window}}]))"), span)
                    }
                    _ => {
                        self.diags.push(
                            Diagnostic::new(
                                Code::PromqlSyntax,
                                format!("`{attr}` of `{}` is not a counter selector", node.header()),
                                Label::new(span, "expected a metric and its matchers"),
                            )
                            .with_help("write the counter itself, e.g. `` `http_requests_total{code=~\"5..\"}` ``: dvcc takes its rate"),
                        );
                        (String::new(), span)
                    }
                }
            };
            let (errors, errors_span) = rate(Attr::Errors);
            let (total, total_span) = rate(Attr::Total);
            return (errors, total, errors_span, total_span);
        }
        if let Some(l) = latency {
            return self.latency(node, l);
        }
        if !queries {
            if !node.broken {
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingAttribute,
                        format!("`{}` has no indicator", node.header()),
                        Label::new(node.header_span(), "what does it measure?"),
                    )
                    .with_help("add a `ratio { errors = ...  total = ... }` of two counters, a `latency { histogram = ...  threshold = 300ms }`, or `errors` and `total` rates"),
                );
            }
            return (String::new(), String::new(), whole, whole);
        }
        for (attr, other) in [(Attr::Errors, Attr::Total), (Attr::Total, Attr::Errors)] {
            if node.get(attr).is_none() && !node.broken {
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingAttribute,
                        format!("`{}` has `{other}` but no `{attr}`", node.header()),
                        Label::new(node.value_span(other).unwrap_or(whole), format!("`{other}` alone")),
                    )
                    .with_help(format!(
                        "add `{attr}`: a PromQL rate over `[${{window}}]`, like `{other}`"
                    )),
                );
            }
        }
        (
            self.text(node.get(Attr::Errors), keep).unwrap_or_default(),
            self.text(node.get(Attr::Total), keep).unwrap_or_default(),
            node.value_span(Attr::Errors).unwrap_or(whole),
            node.value_span(Attr::Total).unwrap_or(whole),
        )
    }

    /// A latency indicator: bad events are the histogram's observations
    /// above the threshold's bucket.
    fn latency(&mut self, slo: &CheckedBlock<'a>, l: &CheckedBlock<'a>) -> (String, String, Span, Span) {
        let span = l.value_span(Attr::Histogram).unwrap_or(l.header_span());
        let empty = (String::new(), String::new(), span, span);
        let text = self.attr_text(l, Attr::Histogram).unwrap_or_default();
        if text.is_empty() {
            return empty;
        }
        let Ok(promql_parser::parser::Expr::VectorSelector(v)) = crate::target::promql::parse(&text) else {
            self.diags.push(
                Diagnostic::new(
                    Code::InvalidLatencyIndicator,
                    format!("the histogram of `{}` is not a metric selector", slo.header()),
                    Label::new(span, "expected a histogram's name and matchers"),
                )
                .with_help("write the histogram itself, e.g. `` `http_request_duration_seconds{job=\"api\"}` ``: dvcc reads its `_bucket` and `_count` series"),
            );
            return empty;
        };
        let Some(name) = v.name.clone() else {
            self.diags.push(
                Diagnostic::new(
                    Code::InvalidLatencyIndicator,
                    format!("the histogram of `{}` has no metric name", slo.header()),
                    Label::new(span, "a histogram is named"),
                )
                .with_help("write its name before the braces: `` `http_request_duration_seconds{job=\"api\"}` ``"),
            );
            return empty;
        };
        let base = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(&name)
            .to_string();
        let threshold = Self::duration(l.value(Attr::Threshold));
        let secs = threshold.millis as f64 / 1000.0;
        let buckets: Vec<crate::model::units::Duration> = match l.get(Attr::Buckets) {
            Some(Val::List(items)) => items
                .iter()
                .filter_map(|i| match i {
                    Val::Dur(d) => Some(d.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        if !buckets.is_empty() && !buckets.contains(&threshold) {
            let at = l.value_span(Attr::Threshold).unwrap_or(l.header_span());
            let nearest = buckets
                .iter()
                .min_by_key(|b| b.millis.abs_diff(threshold.millis))
                .map(ToString::to_string)
                .unwrap_or_default();
            let below = buckets.iter().filter(|b| b.millis < threshold.millis).max();
            let above = buckets.iter().filter(|b| b.millis > threshold.millis).min();
            let place = match (below, above) {
                (Some(b), Some(a)) => format!("between the {b} and {a} buckets"),
                (Some(b), None) => format!("above the highest bucket, {b}"),
                (None, Some(a)) => format!("below the lowest bucket, {a}"),
                (None, None) => "no bucket".to_string(),
            };
            self.diags.push(
                Diagnostic::new(
                    Code::InvalidLatencyIndicator,
                    format!(
                        "the threshold {threshold} of `{}` is not one of its histogram's buckets",
                        slo.header()
                    ),
                    Label::new(at, place),
                )
                .with_label(Label::new(
                    l.value_span(Attr::Buckets).unwrap_or(l.header_span()),
                    "the buckets",
                ))
                .with_help(format!(
                    "use a bucket bound, e.g. `threshold = {nearest}`: a series with `le=\"{}\"` does not exist, so every event would count as slow",
                    crate::model::units::number(secs)
                )),
            );
            return empty;
        }
        // The matchers as written, and the threshold's bucket.
        let inner = text.find('{').map_or("", |open| {
            text[open + 1..]
                .rsplit_once('}')
                .map_or("", |(inside, _)| inside.trim())
        });
        let with = |extra: &str| -> String {
            match (inner.is_empty(), extra.is_empty()) {
                (true, true) => String::new(),
                (true, false) => format!("{{{extra}}}"),
                (false, true) => format!("{{{inner}}}"),
                (false, false) => format!("{{{inner}, {extra}}}"),
            }
        };
        let le = format!("le=\"{}\"", crate::model::units::number(secs));
        let count = format!("sum(rate({base}_count{}[${{window}}]))", with(""));
        let fast = format!("sum(rate({base}_bucket{}[${{window}}]))", with(&le));
        (format!("{count} - {fast}"), count, span, span)
    }
}

/// A step's pause as written: a duration, `manual`, or none.
fn pause(val: Option<&Val<'_>>) -> Pause {
    match val {
        Some(Val::Dur(d)) => Pause::For(d.clone()),
        Some(Val::Word(_)) => Pause::Manual,
        _ => Pause::None,
    }
}
