//! Witnesses for generated promtool tests: input series that make an alert
//! fire and input series that keep it silent, found by search and proven
//! by evaluation rather than guessed from the expression's shape.
//!
//! Every selector of the expression becomes a synthetic series whose labels
//! satisfy its matchers (a regex's witness is drawn from the regex and
//! checked against it); labels the expression groups or matches by get one
//! shared value on every series, so that series meet where real ones
//! would. Series read by `rate`-like functions are counters, the others
//! gauges; buckets read by `histogram_quantile` form a histogram whose
//! observations fall in one bucket. A scenario gives each series a level
//! (a value, a rate, the bucket observed, or no series at all), a trend
//! where the expression reads one (`changes`, `deriv`, `predict_linear`),
//! the labels it shares with other selectors or not, and how many copies
//! of it exist (alike, or one standing out; within one group or across
//! groups). Levels are drawn from the expression's own numbers (constants
//! folded: `26 * 3600`), their halves, doubles, products and negations.
//!
//! The search starts from every series present at level 1 and tries
//! scenarios in order of how many choices differ from it; a scenario is
//! kept when the expression, evaluated on it ([`eval`]), yields series
//! (fires) or none (silent) at every time the alert's `for` spans, under
//! Prometheus 2's and 3's range boundaries alike. The silent scenario is
//! searched from the firing one, so the two differ as little as possible.
//!
//! The test's interval and length follow from the expression: a sample a
//! minute (less where a range is shorter than three minutes); long enough
//! for every range to hold a few samples (the evaluator extrapolates
//! `rate` and `increase` over partly filled ranges exactly as Prometheus
//! does, so a `[1w]` range needs no week of samples), every offset to have
//! data behind it and the `for` to pass; within promtool's limit of 10,000
//! samples a query.

mod canon;
pub mod eval;
mod functions;
mod math;
mod search;
mod slots;

use promql_parser::parser::Expr;

use search::{MAX_SLOTS, Search, Shape, What, variables};
pub use slots::regex_examples;
use slots::{Context, collect, literals, mentioned, merge, product};

/// Input series of one scenario: (series, promtool values).
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub series: Vec<(String, String)>,
}

/// Two scenarios and when to read them.
#[derive(Clone, Debug, PartialEq)]
pub struct Witness {
    /// Seconds between input samples.
    pub interval: u64,
    /// When the test reads the alert's state, in seconds.
    pub eval: u64,
    pub fire: Scenario,
    /// None for an alert that fires whatever its input (`vector(1)`, a
    /// watchdog): only its firing is tested.
    pub silent: Option<Scenario>,
}

/// Why no test could be generated.
#[derive(Clone, Debug, PartialEq)]
pub enum NoWitness {
    Unsupported(String),
    NeverFires,
    /// It reads the time of day or date, which tests starting at 0 fix.
    Calendar(&'static str),
    /// It compares series with their own past (`offset`).
    Past,
    TooManySamples,
    /// Its ranges are too far apart for one sample interval.
    Ranges,
}

impl NoWitness {
    pub fn reason(&self) -> String {
        match self {
            NoWitness::Unsupported(what) => {
                format!("it uses {what}, which dvcc's test generator does not evaluate")
            }
            NoWitness::NeverFires => "no input series dvcc tried make it fire".into(),
            NoWitness::Calendar(f) => {
                format!("it depends on the date or time of day (`{f}()`), which generated tests do not vary")
            }
            NoWitness::Past => {
                "it compares series with their own past (`offset`), and generated series do not change course".into()
            }
            NoWitness::TooManySamples => {
                "its ranges span more samples than promtool reads in one query (10,000)".into()
            }
            NoWitness::Ranges => "its ranges are too short for any sample interval promtool tests use".into(),
        }
    }
}

/// What the test must wait for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    /// The alert's `for`, in seconds.
    pub for_secs: u64,
    /// Its `keep_firing_for`.
    pub keep_secs: u64,
    /// The earliest time the test may read the state.
    pub min_eval: u64,
}

/// As large as the PromQL memo: lint's searches are found again by the
/// promtool tests of the same build, whatever the number of alerts.
static FOUND: crate::memo::Memo<FoundKey, Result<Witness, NoWitness>> = crate::memo::Memo::new(262_144);

/// An expression's text and the timing it is searched with.
type FoundKey = (String, u64, u64, u64);

fn found_key(text: &str, timing: Timing) -> FoundKey {
    (text.to_string(), timing.for_secs, timing.keep_secs, timing.min_eval)
}

/// [`find`] for the expression written `text`, remembered: the checks and
/// the promtool tests ask for the same alerts, and the language server
/// asks again on every keystroke. Templated expressions share one search
/// (see [`canon`]); the expression is parsed only when the answer is
/// neither remembered nor shared.
pub fn find_for(text: &str, timing: Timing) -> Result<Witness, NoWitness> {
    FOUND.get_or(&found_key(text, timing), || {
        shared(text, timing).unwrap_or_else(|| match crate::target::promql::parse(text) {
            Ok(e) => find(&e, timing),
            Err(_) => Err(NoWitness::Unsupported("it does not parse".to_string())),
        })
    })
}

/// [`find_for`] where the caller has parsed `text` already (`e`).
pub fn find_for_parsed(text: &str, e: &Expr, timing: Timing) -> Result<Witness, NoWitness> {
    FOUND.get_or(&found_key(text, timing), || {
        shared(text, timing).unwrap_or_else(|| find(e, timing))
    })
}

/// Searches of shapes (see [`canon`]); `None` for a shape that cannot be
/// shared. Bounded: shapes repeat far more than they differ.
static SHAPES: crate::memo::Memo<FoundKey, Option<Result<Witness, NoWitness>>> = crate::memo::Memo::new(4_096);

/// The search of `text`'s shape, with its values put back, where that
/// equals [`find`] on the expression itself; `None` elsewhere.
fn shared(text: &str, timing: Timing) -> Option<Result<Witness, NoWitness>> {
    let shape = crate::target::promql::shapes::Shape::of(text)?;
    if !shape.values.iter().all(|v| canon::plain(v)) {
        return None;
    }
    let found = SHAPES.get_or(&found_key(&shape.text, timing), || {
        let tree = shape.shared()?;
        canon::shareable(&tree).then(|| find(&tree, timing))
    })?;
    Some(canon::restore(&shape.values, found))
}

/// The series making `e` fire and those keeping it silent.
pub fn find(e: &Expr, timing: Timing) -> Result<Witness, NoWitness> {
    let shared = mentioned(e, false);
    let mut found = Vec::new();
    collect(e, Context::default(), &shared, &mut found);
    let slots = merge(found).map_err(NoWitness::Unsupported)?;
    if slots.len() > MAX_SLOTS {
        return Err(NoWitness::Unsupported(format!(
            "more than {MAX_SLOTS} different selectors"
        )));
    }
    let mut numbers = literals(e);
    let all = product(e);
    if all.is_finite() && all < 1e15 && !numbers.contains(&all) {
        numbers.push(all);
    }
    let vars = variables(&slots, &numbers, &mentioned(e, true));
    let shape = Shape::of(e);
    let max_copies = vars
        .iter()
        .filter_map(|v| match &v.what {
            What::Copies(c) => c.iter().map(|c| c.n).max(),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    let width = slots.iter().map(|s| if s.bucket { 8 } else { 1 }).sum::<u64>() * max_copies as u64;
    let interval = shape.interval()?;
    let warm = shape.warm_up(interval).div_ceil(interval) * interval;
    let wait = timing.for_secs + timing.keep_secs;
    let eval = (warm + 2 * interval + wait + 120).max(timing.min_eval);
    let eval = eval.div_ceil(60) * 60;
    if shape.samples(interval, eval, width) > 9_000 {
        return Err(NoWitness::TooManySamples);
    }
    // The times the `for` spans: its start, middle and end.
    let start = eval.saturating_sub(timing.for_secs + interval);
    let mut times = vec![start, start + (eval - start) / 2 / interval * interval, eval];
    times.dedup();
    let search = Search {
        expr: e,
        slots: &slots,
        vars: &vars,
        interval: interval as f64,
        times,
    };
    let base = vec![0; vars.len()];
    let Some(fire) = search.find(&base, true)? else {
        return Err(shape.never_fires());
    };
    let silent = search.find(&fire, false)?;
    let length = eval / interval + 2;
    Ok(Witness {
        interval,
        eval,
        fire: search.scenario(&fire, length),
        silent: silent.map(|s| search.scenario(&s, length)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn witness(expr: &str) -> Result<Witness, NoWitness> {
        let ast = promql_parser::parser::parse(expr).expect("parses");
        find(
            &ast,
            Timing {
                for_secs: 300,
                ..Timing::default()
            },
        )
    }

    #[test]
    fn regex_examples_match_their_regex() {
        for re in [
            "5..",
            "api|web",
            "(GET|POST)",
            "prod-.*",
            "[45]\\d{2}",
            "a+b?",
            ".+",
            "kube-state-metrics|kube-system/.*",
            "(?i)error",
            "[^a-z]+",
        ] {
            let anchored = regex::Regex::new(&format!("^(?:{re})$")).expect("compiles");
            let examples = regex_examples(re);
            assert!(!examples.is_empty(), "{re}");
            for ex in examples {
                assert!(anchored.is_match(&ex), "{re} does not match {ex:?}");
            }
        }
    }

    #[test]
    fn forms_the_old_generator_failed_get_witnesses() {
        for e in [
            "up == 0",
            "absent(up{job=\"api\"})",
            "time() - backup_last_success_timestamp_seconds > 86400",
            "node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1 and node_filesystem_readonly == 0",
            "count(up{job=\"etcd\"} == 0) > (count(up{job=\"etcd\"}) / 2 - 1)",
            "count(up) < 3",
            "predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0",
            "kube_deployment_spec_replicas != kube_deployment_status_replicas_available",
            "x and (y > 1)",
            "x unless y",
            "count(up == 0) by (job)",
            "topk(1, x > 3)",
            "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (job) (rate(http_requests_total[5m])) > 0.05",
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5",
            "avg_over_time(x[1w]) > 5",
            "max_over_time(rate(x[5m])[1h:5m]) > 10",
            "up{job=~\"kube-state-metrics|ksm\"} == 0",
            "count(count by (git_version) (label_replace(kubernetes_build_info, \"git_version\", \"$1\", \"git_version\", \"(v[0-9]*.[0-9]*).*\"))) > 1",
        ] {
            let w = witness(e);
            assert!(w.is_ok(), "{e}: {w:?}");
        }
    }

    #[test]
    fn hostile_expressions_end_the_search_early() {
        // Hundreds of selectors: refused outright.
        let many: Vec<String> = (0..300).map(|i| format!("x{i}")).collect();
        assert!(matches!(
            witness(&format!("{} > 1", many.join(" + "))),
            Err(NoWitness::Unsupported(_))
        ));
        // Just under the cap, in a form that never fires: the work budget
        // ends the search.
        let some: Vec<String> = (0..40).map(|i| format!("x{i}")).collect();
        let never = format!("({}) > 1 and on () vector(0) > 1", some.join(" + "));
        assert_eq!(witness(&never), Err(NoWitness::NeverFires));
    }

    #[test]
    fn what_cannot_be_tested_says_why() {
        // A watchdog fires whatever the input: only its firing is tested.
        assert_eq!(witness("vector(1)").map(|w| w.silent), Ok(None));
        assert_eq!(witness("x > 1 and x < 0"), Err(NoWitness::NeverFires));
        assert!(matches!(witness("sinh(x) > 1"), Err(NoWitness::Unsupported(_))));
        assert_eq!(witness("rate(x[10s]) > 1"), Err(NoWitness::Ranges));
        let week = promql_parser::parser::parse("avg_over_time(x[1w]) > 1").expect("parses");
        let long = Timing {
            for_secs: 8 * 86_400,
            ..Timing::default()
        };
        assert_eq!(find(&week, long), Err(NoWitness::TooManySamples));
        assert_eq!(
            witness("sum(rate(x[5m])) < 0.5 * sum(rate(x[5m] offset 1d))"),
            Err(NoWitness::Past)
        );
        assert_eq!(
            witness("x == 1 and on () hour() >= 8 and on () hour() < 20"),
            Err(NoWitness::Calendar("hour"))
        );
    }
}
