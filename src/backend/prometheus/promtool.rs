//! Generated promtool unit tests (`<project>.rules.test.yml`): for every
//! alert, synthetic series that must make it fire after its `for`, and
//! series that must keep it silent; for every SLO, series that burn the
//! budget fast enough to page.
//!
//! Series are derived from the expression: every selector becomes a series
//! whose labels satisfy its matchers (an example string for regexes); a
//! selector under `rate`/`increase`/... is a counter, others are gauges;
//! buckets under `histogram_quantile` get `le` labels around the threshold.
//! To fire, values push the compared expression past its threshold, more
//! specific selectors (an error count inside a total) harder than general
//! ones; to stay silent, the specific ones stay flat. The tests check only
//! whether the alert fires (`ALERTS{alertstate="firing"}`), not its labels,
//! so they prove the condition and its `for`, whatever the aggregation.

use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, VectorSelector};
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

use crate::check::promql::{Want, test_condition as condition};

/// One selector found in the expression.
struct Found {
    name: String,
    labels: Vec<(String, String)>,
    counter: bool,
    bucket: bool,
    specificity: usize,
}

fn alert_tests(a: &Alert) -> Vec<Test> {
    let Ok(ast) = promql_parser::parser::parse(&a.expr) else {
        return Vec::new();
    };
    let Some(want) = condition(&ast) else { return Vec::new() };
    let mut found = Vec::new();
    collect(&ast, false, false, &mut found);
    let range = max_range(&ast).max(60);
    let wait = a.for_.secs() + a.keep_firing_for.as_ref().map_or(0, |k| k.secs());
    let minutes = (range + a.for_.secs()) / 60 + 6;
    let length = minutes + wait / 60 + 10;
    let fire = series(&found, want, true, length);
    let silent = series(&found, want, false, length);
    // By name and severity: alerts may share a name at several severities.
    let firing = format!(
        "ALERTS{{alertname=\"{}\",severity=\"{}\",alertstate=\"firing\"}}",
        a.alert_name, a.severity
    );
    vec![
        Test {
            name: format!("{} fires when its condition holds for {}", a.alert_name, a.for_),
            interval: "1m".into(),
            input_series: fire,
            promql_expr_test: vec![ExprTest {
                expr: format!("count({firing}) > bool 0"),
                eval_time: format!("{minutes}m"),
                exp_samples: vec![Sample {
                    labels: "{}".into(),
                    value: 1,
                }],
            }],
        },
        Test {
            name: format!("{} stays silent when its condition does not hold", a.alert_name),
            interval: "1m".into(),
            input_series: silent,
            promql_expr_test: vec![ExprTest {
                expr: format!("absent({firing})"),
                eval_time: format!("{minutes}m"),
                exp_samples: vec![Sample {
                    labels: format!(
                        "{{alertname=\"{}\",alertstate=\"firing\",severity=\"{}\"}}",
                        a.alert_name, a.severity
                    ),
                    value: 1,
                }],
            }],
        },
    ]
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

fn slo_test(s: &Slo) -> Vec<Test> {
    let page = &crate::target::slo::BURN_RATES[0];
    let long = page.long / 60;
    let for_secs = s.page.for_.as_ref().map_or(page.for_secs, |d| d.secs());
    let minutes = long + for_secs.div_ceil(60) + 10;
    let length = minutes + 10;
    let mut found = Vec::new();
    for q in [&s.errors, &s.total] {
        if let Ok(ast) = promql_parser::parser::parse(&q.replace("${window}", "5m")) {
            collect(&ast, false, false, &mut found);
        }
    }
    if found.is_empty() {
        return Vec::new();
    }
    let name = &s.alert_name;
    let window = crate::model::units::Duration::from_secs(page.long).to_string();
    vec![Test {
        name: format!(
            "{} pages when errors burn its budget {}× too fast",
            s.name,
            num(page.factor(&s.window))
        ),
        interval: "1m".into(),
        input_series: series(&found, Want::Above(0.0), true, length),
        promql_expr_test: vec![ExprTest {
            expr: format!(
                "count(ALERTS{{alertname=\"{name}\",alertstate=\"firing\",severity=\"{}\",long_window=\"{window}\"}}) > bool 0",
                s.page.severity
            ),
            eval_time: format!("{minutes}m"),
            exp_samples: vec![Sample {
                labels: "{}".into(),
                value: 1,
            }],
        }],
    }]
}

const COUNTER_FUNCTIONS: &[&str] = &["rate", "irate", "increase", "resets", "changes"];

fn collect(e: &Expr, counter: bool, bucket: bool, out: &mut Vec<Found>) {
    match e {
        Expr::VectorSelector(v) => out.push(found(v, counter, bucket)),
        Expr::MatrixSelector(m) => out.push(found(&m.vs, counter, bucket)),
        Expr::Call(c) => {
            let counter = counter || COUNTER_FUNCTIONS.contains(&c.func.name);
            let bucket = bucket || c.func.name == "histogram_quantile";
            for a in &c.args.args {
                collect(a, counter, bucket, out);
            }
        }
        Expr::Aggregate(a) => collect(&a.expr, counter, bucket, out),
        Expr::Binary(b) => {
            collect(&b.lhs, counter, bucket, out);
            collect(&b.rhs, counter, bucket, out);
        }
        Expr::Paren(p) => collect(&p.expr, counter, bucket, out),
        Expr::Unary(u) => collect(&u.expr, counter, bucket, out),
        Expr::Subquery(s) => collect(&s.expr, counter, bucket, out),
        _ => {}
    }
}

fn found(v: &VectorSelector, counter: bool, bucket: bool) -> Found {
    let mut name = v.name.clone().unwrap_or_default();
    let mut labels = Vec::new();
    for m in &v.matchers.matchers {
        if m.name == "__name__" {
            if let MatchOp::Equal = m.op {
                name = m.value.clone();
            }
            continue;
        }
        let value = match &m.op {
            MatchOp::Equal => m.value.clone(),
            MatchOp::NotEqual => format!("{}-other", m.value),
            MatchOp::Re(_) => regex_example(&m.value),
            MatchOp::NotRe(_) => "dvcc-other".to_string(),
        };
        labels.push((m.name.clone(), value));
    }
    labels.sort();
    let specificity = labels.len();
    Found {
        name,
        labels,
        counter,
        bucket: bucket && v.name.as_deref().is_some_and(|n| n.ends_with("_bucket")),
        specificity,
    }
}

/// A string that the (RE2, fully anchored) regex matches, for the usual
/// label regexes: literals, `.`, classes, alternatives, `* + ?`.
pub fn regex_example(re: &str) -> String {
    let first_alternative = re.split('|').next().unwrap_or("");
    let chars: Vec<char> = first_alternative
        .chars()
        .filter(|c| !matches!(c, '(' | ')' | '^' | '$'))
        .collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let (atom, next) = match chars[i] {
            '\\' if i + 1 < chars.len() => {
                let c = match chars[i + 1] {
                    'd' => '0',
                    'w' | 's' => 'a',
                    other => other,
                };
                (Some(c), i + 2)
            }
            '[' => {
                let end = chars[i..].iter().position(|c| *c == ']').map_or(chars.len(), |p| i + p);
                let first = chars
                    .get(i + 1)
                    .copied()
                    .filter(|c| *c != '^' && *c != ']')
                    .unwrap_or('a');
                (Some(first), end + 1)
            }
            '.' => (Some('0'), i + 1),
            c => (Some(c), i + 1),
        };
        match chars.get(next) {
            Some('*' | '?') => i = next + 1,
            Some('+') => {
                out.extend(atom);
                i = next + 1;
            }
            Some('{') => {
                let end = chars[next..]
                    .iter()
                    .position(|c| *c == '}')
                    .map_or(chars.len(), |p| next + p);
                let count: usize = chars[next + 1..end]
                    .iter()
                    .collect::<String>()
                    .split(',')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                for _ in 0..count {
                    out.extend(atom);
                }
                i = end + 1;
            }
            _ => {
                out.extend(atom);
                i = next;
            }
        }
    }
    out
}

/// The longest range (`[5m]`) in the expression, in seconds.
fn max_range(e: &Expr) -> u64 {
    match e {
        Expr::MatrixSelector(m) => m.range.as_secs(),
        Expr::Subquery(s) => s.range.as_secs().max(max_range(&s.expr)),
        Expr::Call(c) => c.args.args.iter().map(|a| max_range(a)).max().unwrap_or(0),
        Expr::Aggregate(a) => max_range(&a.expr),
        Expr::Binary(b) => max_range(&b.lhs).max(max_range(&b.rhs)),
        Expr::Paren(p) => max_range(&p.expr),
        Expr::Unary(u) => max_range(&u.expr),
        _ => 0,
    }
}

/// The input series of one scenario.
fn series(found: &[Found], want: Want, fire: bool, length: u64) -> Vec<Series> {
    let most_specific = found.iter().map(|f| f.specificity).max().unwrap_or(0);
    let mut out: Vec<Series> = Vec::new();
    if want == Want::Absent {
        if !fire {
            for f in found {
                push(&mut out, series_name(&f.name, &f.labels, None), format!("1x{length}"));
            }
        }
        // An unrelated series, so that the test has input at all.
        push(&mut out, "dvcc_test_clock".to_string(), format!("0+1x{length}"));
        return out;
    }
    for f in found {
        // To fire, push the specific series hard and the general ones
        // gently (errors over total comes out high); to stay silent, keep
        // the specific ones flat.
        let specific = f.specificity == most_specific;
        let level = match (want, fire, specific) {
            (Want::Above(t), true, true) => Some((t.abs() * 100.0 + 100.0).ceil()),
            (Want::Above(_), true, false) => Some(1.0),
            (Want::Above(_), false, true) => Some(0.0),
            (Want::Above(t), false, false) => Some((t.abs() * 100.0 + 100.0).ceil()),
            (Want::Below(_), true, _) => Some(0.0),
            (Want::Below(t), false, _) => Some((t.abs() * 100.0 + 100.0).ceil()),
            (Want::Equal(t), true, _) => Some(t),
            (Want::Equal(t), false, _) => Some(t + 1.0),
            (Want::Absent, _, _) => None,
        };
        let Some(level) = level else { continue };
        if f.bucket {
            let t = match want {
                Want::Above(t) | Want::Below(t) | Want::Equal(t) => t.abs().max(0.001),
                Want::Absent => 1.0,
            };
            // Observations beyond the threshold to fire, below it to stay
            // silent (or the other way round for `<`).
            let high = matches!(want, Want::Above(_)) == fire;
            for (le, grows) in [(num(t / 2.0), !high), (num(t * 2.0), !high), ("+Inf".to_string(), true)] {
                let values = if grows {
                    format!("0+10x{length}")
                } else {
                    format!("0+0x{length}")
                };
                push(&mut out, series_name(&f.name, &f.labels, Some(&le)), values);
            }
            continue;
        }
        let values = if f.counter {
            format!("0+{}x{length}", num(level * 60.0))
        } else {
            format!("{}x{length}", num(level))
        };
        push(&mut out, series_name(&f.name, &f.labels, None), values);
    }
    out
}

fn push(out: &mut Vec<Series>, series: String, values: String) {
    if !out.iter().any(|s| s.series == series) {
        out.push(Series { series, values });
    }
}

fn series_name(name: &str, labels: &[(String, String)], le: Option<&str>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    format!("{name}{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    #[test]
    fn regex_examples_match_the_usual_label_regexes() {
        assert_eq!(super::regex_example("5.."), "500");
        assert_eq!(super::regex_example("api|web"), "api");
        assert_eq!(super::regex_example("(GET|POST)"), "GET");
        assert_eq!(super::regex_example("prod-.*"), "prod-");
        assert_eq!(super::regex_example("[45]\\d{2}"), "400");
        assert_eq!(super::regex_example("a+b?"), "a");
    }
}
