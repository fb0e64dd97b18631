//! PromQL of alerts and SLOs, checked where the user wrote it, and SLO
//! maths: an objective and window whose burn-rate alerts could never page.

use super::{inside, promql};
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::Model;
use crate::source::{SourceDb, Span};

fn promql_diag(kind: promql::Kind, span: Span, message: &str, whose: &str) -> Diagnostic {
    use promql::Kind;
    let (code, title, help) = match kind {
        Kind::Syntax => (
            Code::PromqlSyntax,
            format!("{whose} is not valid PromQL: {message}"),
            "fix the expression; `promtool` and Prometheus would reject it at load time",
        ),
        Kind::NotCondition => (
            Code::AlertNotCondition,
            format!("{whose}: {message}"),
            "compare it with a threshold (`... > 0.05`), or use `absent(...)`",
        ),
        Kind::BareRange => (
            Code::BareRangeSelector,
            format!("{whose}: {message}"),
            "reduce it with a function: `rate(x[5m])`, `increase(x[1h])` or `avg_over_time(x[10m])`",
        ),
        Kind::QuantileWithoutLe => (
            Code::QuantileWithoutLe,
            format!("{whose}: {message}"),
            "keep the buckets: `histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))`",
        ),
    };
    let label = match kind {
        Kind::Syntax => message.to_string(),
        Kind::NotCondition => "returns every series it selects".to_string(),
        Kind::BareRange => "a range of samples, not a value".to_string(),
        Kind::QuantileWithoutLe => "its buckets are summed together".to_string(),
    };
    Diagnostic::new(code, title, Label::new(span, label)).with_help(help)
}

/// [`promql_diag`] for a finding, with the name it likely meant as a fix.
fn finding_diag(f: &promql::Finding, span: Span, whose: &str) -> Diagnostic {
    let d = promql_diag(f.kind, span, &f.message, whose);
    match &f.suggestion {
        Some(s) => d.with_fix(crate::diag::Fix::replace(span, s.clone(), format!("did you mean `{s}`?")).maybe()),
        None => d,
    }
}

pub(super) fn alerts(db: &SourceDb, model: &Model, carry: &mut Option<super::Carry<'_>>, diags: &mut Capped) {
    let tested: crate::hash::Set<&str> = model.alert_tests.iter().map(|t| t.alert.as_str()).collect();
    // An empty expression is a missing one, reported already.
    let alerts: Vec<&crate::model::Alert> = model.alerts.iter().filter(|a| !a.expr.is_empty()).collect();
    let tested = |a: &crate::model::Alert| tested.contains(a.name.as_str());
    if carry.is_some() {
        // (An alert reads nothing but itself and whether it is tested.)
        let key = |a: &&crate::model::Alert| (super::carry::Family::Alert { tested: tested(a) }, a.span);
        super::carry::each(&alerts, key, carry, diags, |a, d| d.extend(alert(db, a, tested(a))));
        return;
    }
    // Each alert on its own (parsing, checking, the search for test
    // series), on every core; reported in the alerts' order.
    for found in crate::par::map(&alerts, |a| alert(db, a, tested(a))) {
        diags.extend(found);
    }
}

fn alert(db: &SourceDb, a: &crate::model::Alert, tested: bool) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let (findings, parsed) = promql::check_alert_parsed(&a.expr);
    // An alert the generated tests cannot drive, and no test of the
    // user's: said, never skipped silently.
    // Only for an alert with no other finding: a range or a dropped
    // `le` already says what is wrong.
    if findings.is_empty()
        && !tested
        && let Some(ast) = &parsed
        && let Err(why) = super::witness::find_for_parsed(
            &a.expr,
            ast,
            super::witness::Timing {
                for_secs: a.for_.secs(),
                keep_secs: a.keep_firing_for.as_ref().map_or(0, |k| k.secs()),
                min_eval: 0,
            },
        )
    {
        diags.push(
            Diagnostic::new(
                Code::UntestedAlert,
                format!("alert `{}` gets no generated test: {}", a.name, why.reason()),
                Label::new(a.expr_span, "dvcc found no series to test it with"),
            )
            .with_help(format!(
                "write one: `alert_test {}_fires {{ alert = {}  input {{ series = `...`  values = \"...\" }}  fires {{ at = 10m }} }}`",
                a.name.to_ascii_lowercase(),
                a.name
            )),
        );
    }
    for f in findings {
        let span = inside(db, a.expr_span, &a.expr, f.start, f.end);
        diags.push(finding_diag(&f, span, &format!("the expression of alert `{}`", a.name)));
    }
    diags
}

/// The queries of rollout gates parse as PromQL.
pub(super) fn gates(db: &SourceDb, model: &Model, diags: &mut Capped) {
    for r in &model.rollouts {
        for g in r.gates.iter().filter(|g| !g.query.is_empty()) {
            if let Err(f) = promql::parse(&g.query) {
                let span = inside(db, g.query_span, &g.query, f.start, f.end);
                diags.push(finding_diag(
                    &f,
                    span,
                    &format!("the query of gate `{}` of rollout `{}`", g.name, r.name),
                ));
            }
        }
    }
}

pub(super) fn records(db: &SourceDb, model: &Model, diags: &mut Capped) {
    for r in model.records.iter().filter(|r| !r.expr.is_empty()) {
        if let Err(f) = promql::parse(&r.expr) {
            let span = inside(db, r.expr_span, &r.expr, f.start, f.end);
            diags.push(finding_diag(
                &f,
                span,
                &format!("the expression of record `{}`", r.metric),
            ));
        }
    }
}

/// The input series of alert tests: each one series selector (a metric
/// and equality matchers, as promtool reads them).
pub(super) fn alert_tests(db: &SourceDb, model: &Model, diags: &mut Capped) {
    for t in &model.alert_tests {
        for ((series, _), span) in t.inputs.iter().zip(&t.series_spans) {
            match promql::parse(series) {
                Err(f) => {
                    let at = inside(db, *span, series, f.start, f.end);
                    diags.push(finding_diag(&f, at, &format!("a series of alert test `{}`", t.name)));
                }
                Ok(promql_parser::parser::Expr::VectorSelector(v))
                    if v.matchers
                        .matchers
                        .iter()
                        .all(|m| matches!(m.op, promql_parser::label::MatchOp::Equal)) => {}
                Ok(_) => diags.push(
                    Diagnostic::new(
                        Code::PromqlSyntax,
                        format!("a series of alert test `{}` is not one series", t.name),
                        Label::new(*span, "not a metric with `=` labels"),
                    )
                    .with_help("write one series: `` `metric{label=\"value\", ...}` `` (no functions, ranges or `=~`)"),
                ),
            }
        }
    }
}

pub(super) fn slos(db: &SourceDb, model: &Model, diags: &mut Capped) {
    for s in &model.slos {
        for (what, query, span) in [("errors", &s.errors, s.errors_span), ("total", &s.total, s.total_span)] {
            if query.is_empty() {
                continue;
            }
            // Each window the rules use; the first failure is enough.
            for w in crate::target::slo::windows(s.policy, &s.window) {
                let (text, back) = promql::substitute_window(query, &w.to_string());
                if let Err(f) = promql::parse(&text) {
                    let at = inside(db, span, query, back(f.start), back(f.end));
                    let whose = format!("`{what}` of SLO `{}` (with `${{window}}` = {w})", s.name);
                    diags.push(finding_diag(&f, at, &whose));
                    break;
                }
            }
        }
        let budget = 1.0 - s.objective / 100.0;
        let short_window = "use a window of at least 7 days (30d is usual), or a lower objective";
        let mut problems: Vec<(String, &str)> = Vec::new();
        if s.window.millis == 0 {
            problems.push(("its window is zero".to_string(), short_window));
        }
        for b in crate::target::slo::rows(s.policy, &s.window) {
            let factor = b.rate;
            if factor * budget >= 1.0 {
                problems.push((
                    format!(
                        "burning {factor:.2}× its {:.4}% budget needs an error ratio above 100%",
                        budget * 100.0
                    ),
                    "raise the objective: an error budget this large cannot be burnt fast enough to page",
                ));
                break;
            }
        }
        let longest = crate::target::slo::longest_alert_window(s.policy, &s.window);
        if s.window.millis > 0 && s.window.secs() < longest {
            problems.push((
                format!(
                    "its window of {} is shorter than the {} its slowest alert reads",
                    s.window,
                    crate::model::units::Duration::from_secs(longest)
                ),
                short_window,
            ));
        }
        if let Some((p, help)) = problems.first() {
            diags.push(
                Diagnostic::new(
                    Code::UnreachableSlo,
                    format!("SLO `{}` cannot page meaningfully: {p}", s.name),
                    Label::new(s.objective_span, format!("{}% over {}", s.objective, s.window)),
                )
                .with_help(*help),
            );
        }
    }
}
