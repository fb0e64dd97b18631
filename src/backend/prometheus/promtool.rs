//! Generated promtool unit tests (`<project>.rules.test.yml`): for every
//! alert, series that must make it fire after its `for` and series that
//! must keep it silent; for every SLO, errors that burn the budget fast
//! enough to page and errors within budget that raise nothing; and the
//! tests written in `.dvc` (`alert_test`).
//!
//! The series of generated tests are witnesses (`check::witness`): found by
//! evaluating the expression on candidate series, so each test holds by
//! construction. The tests read `ALERTS{alertstate="firing"}`, not the
//! alert's labels, so they prove the condition and its `for`.

use serde::Serialize;

use super::num;
use crate::model::{Alert, AlertTest, Model, Slo};

#[derive(Serialize)]
pub struct TestFile {
    rule_files: Vec<String>,
    evaluation_interval: String,
    tests: Vec<Test>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    interval: String,
    input_series: Vec<Series>,
    promql_expr_test: Vec<ExprTest>,
}

#[derive(Serialize)]
struct Series {
    series: String,
    values: String,
}

#[derive(Serialize)]
struct ExprTest {
    expr: String,
    eval_time: String,
    exp_samples: Vec<Sample>,
}

#[derive(Serialize)]
struct Sample {
    labels: String,
    value: u8,
}

pub fn test_file(m: &Model, rules_file: &str) -> Option<TestFile> {
    let mut tests = Vec::new();
    for a in &m.alerts {
        tests.extend(alert_tests(a));
    }
    for t in &m.alert_tests {
        if let Some(a) = m.alerts.iter().find(|a| a.name == t.alert) {
            tests.push(user_test(t, a));
        }
    }
    for s in &m.slos {
        tests.extend(slo_test(s));
    }
    (!tests.is_empty()).then(|| TestFile {
        rule_files: vec![rules_file.to_string()],
        evaluation_interval: "1m".into(),
        tests,
    })
}

use crate::check::witness::{self, Scenario, Timing, Witness};

fn inputs(s: Scenario) -> Vec<Series> {
    s.series
        .into_iter()
        .map(|(series, values)| Series { series, values })
        .collect()
}

fn interval(w: &Witness) -> String {
    crate::model::units::Duration::from_secs(w.interval).to_string()
}

/// A test reading whether the alert fires (by name and severity: alerts
/// may share a name at several severities) from a witness of its
/// expression (`check::witness`); none where no witness exists, which the
/// checks report (DVC0532).
fn alert_tests(a: &Alert) -> Vec<Test> {
    let timing = Timing {
        for_secs: a.for_.secs(),
        keep_secs: a.keep_firing_for.as_ref().map_or(0, |k| k.secs()),
        min_eval: 0,
    };
    let Ok(w) = witness::find_for(&a.expr, timing) else {
        return Vec::new();
    };
    let minutes = w.eval / 60;
    let firing = format!(
        "ALERTS{{alertname=\"{}\",severity=\"{}\",alertstate=\"firing\"}}",
        a.alert_name, a.severity
    );
    let interval = interval(&w);
    let length = w.eval / w.interval + 2;
    let mut tests = vec![Test {
        name: format!("{} fires when its condition holds for {}", a.alert_name, a.for_),
        interval: interval.clone(),
        input_series: with_clock(inputs(w.fire), length),
        promql_expr_test: vec![ExprTest {
            expr: format!("count({firing}) > bool 0"),
            eval_time: format!("{minutes}m"),
            exp_samples: vec![Sample {
                labels: "{}".into(),
                value: 1,
            }],
        }],
    }];
    if let Some(silent) = w.silent {
        tests.push(Test {
            name: format!("{} stays silent when its condition does not hold", a.alert_name),
            interval,
            input_series: with_clock(inputs(silent), length),
            promql_expr_test: vec![absent_test(&firing, &a.alert_name, &a.severity, minutes)],
        });
    }
    tests
}

/// `absent(ALERTS{...})` at a time: no such alert firing.
fn absent_test(firing: &str, name: &str, severity: &str, minutes: u64) -> ExprTest {
    ExprTest {
        expr: format!("absent({firing})"),
        eval_time: format!("{minutes}m"),
        exp_samples: vec![Sample {
            labels: format!("{{alertname=\"{name}\",alertstate=\"firing\",severity=\"{severity}\"}}"),
            value: 1,
        }],
    }
}

/// A scenario without series still needs input: an unrelated clock.
fn with_clock(mut series: Vec<Series>, length: u64) -> Vec<Series> {
    if series.is_empty() {
        series.push(Series {
            series: "dvcc_test_clock".into(),
            values: format!("0+1x{length}"),
        });
    }
    series
}

/// What a test expects at a time: the labels of a firing alert, or none.
type Expected = Option<indexmap::IndexMap<String, String>>;

/// A test the user wrote: its series, and at each time either exactly the
/// firing alerts it lists (their labels completed with what dvcc adds) or
/// none. Read from `ALERTS`, whose series carry the alerts' labels (not
/// their annotations, which promtool would otherwise compare too).
fn user_test(t: &AlertTest, a: &Alert) -> Test {
    let (rule_labels, per_series) = super::alert_labels(a);
    let selector = format!(
        "ALERTS{{alertname=\"{}\",severity=\"{}\",alertstate=\"firing\"}}",
        a.alert_name, a.severity
    );
    // The expectations by time, in the order written.
    let mut at: Vec<(u64, Vec<&Expected>)> = Vec::new();
    for (time, expect) in &t.expects {
        let secs = time.secs();
        match at.iter_mut().find(|(s, _)| *s == secs) {
            Some((_, list)) => list.push(expect),
            None => at.push((secs, vec![expect])),
        }
    }
    let mut checks = Vec::new();
    for (secs, expects) in at {
        let eval_time = crate::model::units::Duration::from_secs(secs).to_string();
        let firing: Vec<&indexmap::IndexMap<String, String>> = expects.iter().filter_map(|e| e.as_ref()).collect();
        if firing.is_empty() {
            checks.push(ExprTest {
                expr: format!("absent({selector})"),
                eval_time,
                exp_samples: vec![Sample {
                    labels: format!(
                        "{{alertname=\"{}\",alertstate=\"firing\",severity=\"{}\"}}",
                        a.alert_name, a.severity
                    ),
                    value: 1,
                }],
            });
            continue;
        }
        let samples = firing
            .into_iter()
            .map(|own| {
                let mut labels: std::collections::BTreeMap<String, String> = own.clone().into_iter().collect();
                for (k, v) in rule_labels.iter() {
                    labels.insert(k.clone(), v.clone());
                }
                for (k, v) in per_series.iter() {
                    labels.entry(k.clone()).or_insert_with(|| v.clone());
                }
                labels.insert("__name__".to_string(), "ALERTS".to_string());
                labels.insert("alertname".to_string(), a.alert_name.clone());
                labels.insert("alertstate".to_string(), "firing".to_string());
                let text: Vec<String> = labels
                    .iter()
                    .filter(|(k, _)| *k != "__name__")
                    .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                    .collect();
                Sample {
                    labels: format!("ALERTS{{{}}}", text.join(",")),
                    value: 1,
                }
            })
            .collect();
        checks.push(ExprTest {
            expr: selector.clone(),
            eval_time,
            exp_samples: samples,
        });
    }
    Test {
        name: format!("{} ({})", t.name, a.alert_name),
        interval: t.interval.to_string(),
        input_series: t
            .inputs
            .iter()
            .map(|(series, values)| Series {
                series: series.clone(),
                values: values.clone(),
            })
            .collect(),
        promql_expr_test: checks,
    }
}

/// For an SLO: errors at a steady share of requests that burns the budget
/// fast enough to page (the page alert fires after its long window and
/// `for`), and a share within budget that raises neither page nor ticket.
/// The series come from witnesses of the ratio of its queries.
fn slo_test(s: &Slo) -> Vec<Test> {
    let Some(page) = crate::target::slo::rows(s.policy, &s.window).into_iter().next() else {
        return Vec::new();
    };
    let budget = 1.0 - s.objective / 100.0;
    let threshold = page.rate * budget;
    if !(budget > 0.0 && threshold < 1.0) {
        // DVC0509: the page can never fire.
        return Vec::new();
    }
    let for_secs = s.page.for_.as_ref().map_or(page.for_secs, |d| d.secs());
    let ratio = format!(
        "({}) / ({})",
        s.errors.replace("${window}", "5m"),
        s.total.replace("${window}", "5m")
    );
    let timing = Timing {
        for_secs: 0,
        keep_secs: 0,
        min_eval: page.long + for_secs + 600,
    };
    let witness = |condition: String| -> Option<Witness> { witness::find_for(&condition, timing).ok() };
    let name = &s.alert_name;
    let window = crate::model::units::Duration::from_secs(page.long).to_string();
    let mut tests = Vec::new();
    // Errors between the page threshold and 100%.
    if let Some(w) = witness(format!("{ratio} > {}", num((threshold + 1.0) / 2.0))) {
        tests.push(Test {
            name: format!(
                "{} pages when errors burn its budget {}× too fast",
                s.name,
                num(page.rate)
            ),
            interval: interval(&w),
            input_series: inputs(w.fire),
            promql_expr_test: vec![ExprTest {
                expr: format!(
                    "count(ALERTS{{alertname=\"{name}\",alertstate=\"firing\",severity=\"{}\",long_window=\"{window}\"}}) > bool 0",
                    s.page.severity
                ),
                eval_time: format!("{}m", w.eval / 60),
                exp_samples: vec![Sample {
                    labels: "{}".into(),
                    value: 1,
                }],
            }],
        });
    }
    // Errors at a tenth of the budget: a burn rate of 0.1.
    if let Some(w) = witness(format!("{ratio} < {} and {ratio} > 0", num(budget / 10.0 * 1.5)))
        .or_else(|| witness(format!("{ratio} < {}", num(budget / 10.0 * 1.5))))
    {
        let minutes = w.eval / 60;
        let checks = [(&s.page.severity, "page"), (&s.ticket.severity, "ticket")]
            .into_iter()
            .map(|(severity, _)| {
                absent_test(
                    &format!("ALERTS{{alertname=\"{name}\",severity=\"{severity}\",alertstate=\"firing\"}}"),
                    name,
                    severity,
                    minutes,
                )
            })
            .collect::<Vec<_>>();
        let mut checks = checks;
        checks.dedup_by(|a, b| a.expr == b.expr);
        tests.push(Test {
            name: format!("{} stays silent while errors stay within its budget", s.name),
            interval: interval(&w),
            input_series: inputs(w.fire),
            promql_expr_test: checks,
        });
    }
    tests
}
