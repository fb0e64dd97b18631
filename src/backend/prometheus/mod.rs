//! Prometheus: one rule file per project (`deploy/prometheus/<project>.rules.yml`).
//!
//! - A group per service with its alerting rules: `for`, `keep_firing_for`,
//!   labels `severity`, `team` (the alert's, else the project owner),
//!   `service` and the user's labels; annotations `summary`, `description`
//!   (Prometheus templates kept byte for byte) and `runbook_url`.
//! - A group per SLO: the error ratio recorded over every window the alerts
//!   use (`slo:sli_error:ratio_rate5m` ... with `slo` and `service` labels),
//!   the objective and budget as metadata, and the four multi-window
//!   burn-rate alerts scaled to the SLO's window (see `crate::slo`).

pub mod labels;
pub mod promtool;

use indexmap::IndexMap;
use serde::Serialize;

use super::{Artifact, Backend, Context, yaml};

use crate::model::{Alert, Model, Record, Slo};
use crate::target::slo::{is_alert_window, rows, windows};
use crate::target::{Target, paths};

pub struct Prometheus;

impl Backend for Prometheus {
    fn target(&self) -> Target {
        Target::Prometheus
    }

    fn generate(&self, model: &Model, ctx: &Context<'_>) -> Vec<Artifact> {
        if model.alerts.is_empty() && model.slos.is_empty() && model.records.is_empty() {
            return Vec::new();
        }
        let file = RuleFile { groups: groups(model) };
        let mut sources: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for s in model
            .alerts
            .iter()
            .map(|a| &a.source)
            .chain(model.records.iter().map(|r| &r.source))
            .chain(model.slos.iter().map(|s| &s.source))
        {
            if seen.insert(s) {
                sources.push(s.clone());
            }
        }
        let rules_path = paths::prometheus_rules(&model.project.name);
        let rules_name = rules_path.rsplit('/').next().unwrap_or(&rules_path).to_string();
        let mut out = vec![Artifact {
            path: rules_path.clone(),
            contents: format!("{}{}", ctx.header(&sources).hash_comments(), yaml::to_string(&file)),
        }];
        if model.project.prometheus_rule {
            let resource = PrometheusRule {
                api_version: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: RuleMetadata {
                    name: crate::model::names::prometheus_rule_name(&model.project.name),
                    namespace: model.project.rule_namespace.clone(),
                    labels: model.project.rule_labels.clone(),
                },
                spec: RuleFile { groups: groups(model) },
            };
            out.push(Artifact {
                path: paths::prometheus_rule(&model.project.name),
                contents: format!("{}{}", ctx.header(&sources).hash_comments(), yaml::to_string(&resource)),
            });
        }
        if let Some(tests) = promtool::test_file(model, &rules_name) {
            out.push(Artifact {
                path: paths::prometheus_tests(&model.project.name),
                contents: format!("{}{}", ctx.header(&sources).hash_comments(), yaml::to_string(&tests)),
            });
        }
        out
    }
}

#[derive(Serialize)]
pub struct RuleFile {
    groups: Vec<Group>,
}

/// The Prometheus Operator's resource for the same groups.
#[derive(Serialize)]
struct PrometheusRule {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    metadata: RuleMetadata,
    spec: RuleFile,
}

#[derive(Serialize)]
struct RuleMetadata {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    labels: IndexMap<String, String>,
}

#[derive(Serialize)]
struct Group {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
    rules: Vec<Rule>,
}

impl Group {
    fn new(name: String, rules: Vec<Rule>) -> Group {
        Group {
            name,
            interval: None,
            limit: None,
            rules,
        }
    }
}

#[derive(Serialize, Default)]
struct Rule {
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert: Option<String>,
    #[serde(serialize_with = "crate::backend::yaml::text")]
    expr: String,
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    for_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keep_firing_for: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    labels: IndexMap<String, String>,
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::backend::yaml::text_map"
    )]
    annotations: IndexMap<String, String>,
}

/// The rule file as typed data (for read-back tests).
pub fn rule_file(model: &Model) -> RuleFile {
    RuleFile { groups: groups(model) }
}

fn groups(m: &Model) -> Vec<Group> {
    let mut out = Vec::new();
    // The user's groups: their records and alerts in source order
    // (recordings first where written first, as Prometheus evaluates them).
    // (Each group's rules gathered in one pass over records and alerts.)
    let mut in_group: std::collections::HashMap<&str, Vec<(crate::source::Span, Rule)>> =
        std::collections::HashMap::new();
    for r in &m.records {
        if let Some(g) = r.group.as_deref() {
            in_group.entry(g).or_default().push((r.span, record_rule(r)));
        }
    }
    for a in &m.alerts {
        if let Some(g) = a.group.as_deref() {
            in_group.entry(g).or_default().push((a.span, alert_rule(a)));
        }
    }
    for g in &m.groups {
        let mut rules = in_group.remove(g.name.as_str()).unwrap_or_default();
        rules.sort_by_key(|(span, _)| (span.file.0, span.start));
        out.push(Group {
            name: g.name.clone(),
            interval: g.interval.as_ref().map(ToString::to_string),
            limit: g.limit,
            rules: rules.into_iter().map(|(_, r)| r).collect(),
        });
    }
    // Records in no group.
    let records: Vec<Rule> = m
        .records
        .iter()
        .filter(|r| r.group.is_none())
        .map(record_rule)
        .collect();
    if !records.is_empty() {
        out.push(Group::new(format!("{}.rules", m.project.name), records));
    }
    // A group per service for the other alerts, and one for those on no
    // service (gathered in one pass: alerts keep their order within a group).
    let mut by_service: std::collections::BTreeMap<&str, Vec<&Alert>> = std::collections::BTreeMap::new();
    for a in m.alerts.iter().filter(|a| a.group.is_none()) {
        by_service.entry(a.service.as_str()).or_default().push(a);
    }
    for (svc, alerts) in by_service {
        let rules = alerts.into_iter().map(alert_rule).collect();
        let name = if svc.is_empty() {
            format!("{}.alerts", m.project.name)
        } else {
            format!("{}.{svc}.alerts", m.project.name)
        };
        out.push(Group::new(name, rules));
    }
    for s in &m.slos {
        out.push(Group::new(format!("{}.slo.{}", m.project.name, s.name), slo_rules(s)));
    }
    out
}

fn record_rule(r: &Record) -> Rule {
    Rule {
        record: Some(r.metric.clone()),
        expr: r.expr.clone(),
        labels: r.labels.clone(),
        ..Rule::default()
    }
}

/// The labels of `a`'s alerts: those set on the rule, and the routing
/// labels it adds to each series lacking them.
pub fn alert_labels(a: &Alert) -> (IndexMap<String, String>, IndexMap<String, String>) {
    let rule = alert_rule(a);
    let mut per_series = IndexMap::new();
    let routing = [
        ("team", a.team.as_ref()),
        ("service", Some(&a.service).filter(|s| !s.is_empty())),
    ];
    for (label, value) in routing {
        if let Some(v) = value
            && a.routing_labels
            && !rule.labels.contains_key(label)
        {
            per_series.insert(label.to_string(), v.clone());
        }
    }
    (rule.labels, per_series)
}

fn alert_rule(a: &Alert) -> Rule {
    let mut labels = IndexMap::new();
    labels.insert("severity".to_string(), a.severity.clone());
    // Routing labels never replace a label the series carry: on the rule
    // where the result lacks them, else added to each series lacking them.
    let mut expr = a.expr.clone();
    let routing = [
        ("team", a.team.as_ref()),
        ("service", Some(&a.service).filter(|s| !s.is_empty())),
    ];
    // (Parsed once: wrapping in `label_replace` adds its label to those known.)
    let mut known = None;
    for (label, value) in routing {
        let Some(value) = value.filter(|_| a.routing_labels && !a.labels.contains_key(label)) else {
            continue;
        };
        let known = known.get_or_insert_with(|| labels::known(&expr));
        match labels::add_if_absent_known(&expr, known.as_ref(), label, value) {
            None => {
                labels.insert(label.to_string(), value.clone());
            }
            Some(wrapped) => {
                expr = wrapped;
                if let Some(k) = known.as_mut() {
                    k.insert(label.to_string());
                }
            }
        }
    }
    for (k, v) in &a.labels {
        labels.insert(k.clone(), v.clone());
    }
    let mut annotations = IndexMap::new();
    for (k, v) in [
        ("summary", &a.summary),
        ("description", &a.description),
        ("runbook_url", &a.runbook),
    ] {
        if let Some(v) = v {
            annotations.insert(k.to_string(), v.clone());
        }
    }
    for (k, v) in &a.annotations {
        annotations.insert(k.clone(), v.clone());
    }
    Rule {
        alert: Some(a.alert_name.clone()),
        expr,
        for_: (a.for_.millis > 0).then(|| a.for_.to_string()),
        keep_firing_for: a.keep_firing_for.as_ref().map(ToString::to_string),
        labels,
        annotations,
        ..Rule::default()
    }
}

/// The recorded 5-minute rates of an SLO's bad and of all its events.
const ERRORS_RATE: &str = "slo:sli_errors:rate5m";
const TOTAL_RATE: &str = "slo:sli_total:rate5m";

/// The recording rule name of the error ratio over `window`.
pub fn ratio_record(window: &str) -> String {
    format!("slo:sli_error:ratio_rate{window}")
}

fn slo_rules(s: &Slo) -> Vec<Rule> {
    let labels = || {
        let mut l = IndexMap::from([
            ("slo".to_string(), s.name.clone()),
            ("service".to_string(), s.service.clone()),
        ]);
        for (k, v) in &s.labels {
            l.entry(k.clone()).or_insert_with(|| v.clone());
        }
        l
    };
    let mut rules = Vec::new();
    let selector = format!("{{slo=\"{}\", service=\"{}\"}}", s.name, s.service);
    // The events' own 5-minute rates, which the period's ratio sums.
    for (record, query) in [(ERRORS_RATE, &s.errors), (TOTAL_RATE, &s.total)] {
        rules.push(Rule {
            record: Some(record.to_string()),
            expr: query.replace("${window}", "5m"),
            labels: labels(),
            ..Rule::default()
        });
    }
    for w in windows(s.policy, &s.window) {
        let period = !is_alert_window(s.policy, &s.window, w.secs());
        let w = w.to_string();
        // Over the period (days or weeks), the sums of the recorded rates:
        // weighted by requests like the raw ratio, but reading one sample
        // per evaluation instead of the raw counters over the whole period.
        let expr = if period {
            format!("sum_over_time({ERRORS_RATE}{selector}[{w}])\n/\nsum_over_time({TOTAL_RATE}{selector}[{w}])")
        } else {
            let errors = s.errors.replace("${window}", &w);
            let total = s.total.replace("${window}", &w);
            format!("({errors})\n/\n({total})")
        };
        rules.push(Rule {
            record: Some(ratio_record(&w)),
            expr,
            labels: labels(),
            ..Rule::default()
        });
    }
    let budget = 1.0 - s.objective / 100.0;
    // For dashboards: how fast the budget burns now and over the period,
    // and how much of it is left.
    let period = ratio_record(&s.window.to_string());
    for (record, expr) in [
        (
            "slo:current_burn_rate:ratio",
            format!("{}{selector} / {}", ratio_record("5m"), num(budget)),
        ),
        (
            "slo:period_burn_rate:ratio",
            format!("{period}{selector} / {}", num(budget)),
        ),
        (
            "slo:period_error_budget_remaining:ratio",
            format!("1 - {period}{selector} / {}", num(budget)),
        ),
    ] {
        rules.push(Rule {
            record: Some(record.to_string()),
            expr,
            labels: labels(),
            ..Rule::default()
        });
    }
    for (record, value) in [
        ("slo:objective:ratio", format!("vector({})", num(s.objective / 100.0))),
        ("slo:error_budget:ratio", format!("vector({})", num(budget))),
        (
            "slo:time_period:days",
            format!("vector({})", num(s.window.secs() as f64 / 86_400.0)),
        ),
    ] {
        rules.push(Rule {
            record: Some(record.to_string()),
            expr: value,
            labels: labels(),
            ..Rule::default()
        });
    }
    for b in rows(s.policy, &s.window) {
        let factor = b.rate;
        let long = crate::model::units::Duration::from_secs(b.long).to_string();
        let short = crate::model::units::Duration::from_secs(b.short).to_string();
        let threshold = num(factor * budget);
        // Fast burns page, slow ones make tickets.
        let route = if b.page { &s.page } else { &s.ticket };
        let mut l = labels();
        l.insert("severity".to_string(), route.severity.clone());
        if let Some(t) = &s.team {
            l.insert("team".to_string(), t.clone());
        }
        l.insert("long_window".to_string(), long.clone());
        for (k, v) in &route.labels {
            l.insert(k.clone(), v.clone());
        }
        let mut annotations = IndexMap::new();
        annotations.insert(
            "summary".to_string(),
            format!("SLO {} is burning its error budget {}× too fast", s.name, num(factor)),
        );
        annotations.insert(
            "description".to_string(),
            format!(
                "The error ratio of {} is {{{{ $value | humanizePercentage }}}} over {short}, and above {}% over {long} too; at this rate {}% of the {} budget is gone in {long}.",
                s.service,
                percent(factor * budget * 100.0),
                percent(b.budget_share(&s.window) * 100.0),
                s.window
            ),
        );
        if let Some(d) = &s.description {
            annotations.insert("slo_description".to_string(), d.clone());
        }
        if let Some(r) = &route.runbook {
            annotations.insert("runbook_url".to_string(), r.clone());
        }
        rules.push(Rule {
            alert: Some(s.alert_name.clone()),
            expr: format!(
                "{short_rec}{selector} > {threshold}\nand\n{long_rec}{selector} > {threshold}",
                short_rec = ratio_record(&short),
                long_rec = ratio_record(&long),
            ),
            for_: Some(
                route
                    .for_
                    .clone()
                    .unwrap_or_else(|| crate::model::units::Duration::from_secs(b.for_secs))
                    .to_string(),
            )
            .filter(|f| f != "0s"),
            labels: l,
            annotations,
            ..Rule::default()
        });
    }
    rules
}

/// A percentage for people: at most three decimals (`1.44`, `0.467`).
fn percent(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A number as PromQL and humans write it: no float noise (`0.0144`, `14.4`).
pub fn num(x: f64) -> String {
    crate::model::units::number(x)
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_without_noise() {
        assert_eq!(super::num(14.4 * (1.0 - 0.999)), "0.0144");
        assert_eq!(super::num(0.999), "0.999");
        assert_eq!(super::num(30.0), "30");
        assert_eq!(super::num(1e-7), "0.0000001");
        assert_eq!(super::percent(0.4666666667), "0.467");
        assert_eq!(super::percent(1.44), "1.44");
        assert_eq!(super::percent(5.0), "5");
    }
}
