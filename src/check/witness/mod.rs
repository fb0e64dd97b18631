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

pub mod eval;

use std::collections::BTreeMap;

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, Offset, VectorSelector};

use eval::{Ctx, Fail, Input, Kind, Labels, Value};

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

/// Where a selector sits in the expression.
#[derive(Clone, Copy, Default)]
struct Context {
    counter: bool,
    histogram: bool,
    /// Under a function that reads a trend.
    trend: bool,
    /// Under an aggregation (its result may depend on how many series).
    aggregated: bool,
}

const COUNTER_FUNCTIONS: &[&str] = &["rate", "irate", "increase", "resets"];
const TREND_FUNCTIONS: &[&str] = &[
    "changes",
    "deriv",
    "delta",
    "idelta",
    "predict_linear",
    "holt_winters",
    "double_exponential_smoothing",
    "stddev_over_time",
    "stdvar_over_time",
];
/// The value labels of shared groups take on every series.
const SHARED: &str = "dvcc";

/// A synthetic series the expression reads.
#[derive(Clone, Debug)]
struct Slot {
    labels: Labels,
    /// Equality labels of other selectors this one leaves free: it may
    /// carry them, as the same series would in a real system.
    inherit: Labels,
    counter: bool,
    /// A histogram's buckets (`le` chosen by the scenario).
    bucket: bool,
    trend: bool,
    aggregated: bool,
    /// The labels its matchers constrain (copies differ only in others).
    free_of: Vec<String>,
}

fn collect(e: &Expr, cx: Context, mentioned: &[String], out: &mut Vec<Result<Slot, String>>) {
    match e {
        Expr::VectorSelector(v) => out.push(slot(v, cx, mentioned)),
        Expr::MatrixSelector(m) => out.push(slot(&m.vs, cx, mentioned)),
        Expr::Call(c) => {
            let name = c.func.name;
            for (i, a) in c.args.args.iter().enumerate() {
                let cx = Context {
                    counter: cx.counter || COUNTER_FUNCTIONS.contains(&name),
                    histogram: cx.histogram || (name == "histogram_quantile" && i == 1),
                    trend: cx.trend || TREND_FUNCTIONS.contains(&name),
                    aggregated: cx.aggregated,
                };
                collect(a, cx, mentioned, out);
            }
        }
        Expr::Aggregate(a) => {
            let cx = Context { aggregated: true, ..cx };
            collect(&a.expr, cx, mentioned, out);
        }
        Expr::Binary(b) => {
            collect(&b.lhs, cx, mentioned, out);
            collect(&b.rhs, cx, mentioned, out);
        }
        Expr::Paren(p) => collect(&p.expr, cx, mentioned, out),
        Expr::Unary(u) => collect(&u.expr, cx, mentioned, out),
        Expr::Subquery(s) => collect(&s.expr, cx, mentioned, out),
        _ => {}
    }
}

fn slot(v: &VectorSelector, cx: Context, mentioned: &[String]) -> Result<Slot, String> {
    let matchers: &[Matcher] = if v.matchers.matchers.is_empty() {
        v.matchers.or_matchers.first().map_or(&[], |m| m.as_slice())
    } else {
        &v.matchers.matchers
    };
    let mut by_name: BTreeMap<&str, Vec<&Matcher>> = BTreeMap::new();
    for m in matchers {
        by_name.entry(m.name.as_str()).or_default().push(m);
    }
    let mut labels = Labels::new();
    for (name, ms) in &by_name {
        let mut candidates: Vec<String> = Vec::new();
        for m in ms {
            if let MatchOp::Equal = m.op {
                candidates.push(m.value.clone());
            }
        }
        candidates.push(SHARED.into());
        for m in ms {
            match &m.op {
                MatchOp::NotEqual => candidates.push(format!("{}-other", m.value)),
                MatchOp::Re(_) => candidates.extend(regex_examples(&m.value)),
                _ => {}
            }
        }
        candidates.extend(["dvcc-other", "x0", ""].map(String::from));
        let Some(value) = candidates.into_iter().find(|c| ms.iter().all(|m| m.is_match(c))) else {
            return Err(format!("label matchers on `{name}` that no value satisfies"));
        };
        if !value.is_empty() {
            labels.insert(name.to_string(), value);
        }
    }
    // Labels the expression groups or matches by, shared by every series.
    for m in mentioned {
        if !by_name.contains_key(m.as_str()) {
            labels.insert(m.clone(), SHARED.into());
        }
    }
    if let Some(n) = &v.name {
        labels.insert("__name__".into(), n.clone());
    }
    if labels.get("__name__").is_none_or(|n| n.is_empty()) {
        labels.insert("__name__".into(), "dvcc_series".into());
    }
    let bucket =
        cx.histogram && !labels.contains_key("le") && labels.get("__name__").is_some_and(|n| n.ends_with("_bucket"));
    let free_of = by_name.keys().map(|k| k.to_string()).collect();
    // Equality labels are what other selectors may share: recorded below.
    let equal: Labels = matchers
        .iter()
        .filter(|m| m.name != "__name__" && matches!(m.op, MatchOp::Equal) && !m.value.is_empty())
        .map(|m| (m.name.clone(), m.value.clone()))
        .collect();
    Ok(Slot {
        labels,
        inherit: equal,
        counter: cx.counter || bucket,
        bucket,
        trend: cx.trend && !cx.counter,
        aggregated: cx.aggregated,
        free_of,
    })
}

/// One slot per label set (a counter if any use is); each slot's
/// `inherit` becomes the equality labels of the others that it lacks.
fn merge(found: Vec<Result<Slot, String>>) -> Result<Vec<Slot>, String> {
    let mut out: Vec<Slot> = Vec::new();
    for s in found {
        let s = s?;
        match out.iter_mut().find(|o| o.labels == s.labels) {
            Some(o) => {
                o.counter |= s.counter;
                o.bucket |= s.bucket;
                o.trend |= s.trend;
                o.aggregated |= s.aggregated;
            }
            None => out.push(s),
        }
    }
    let equal: Vec<Labels> = out.iter().map(|s| s.inherit.clone()).collect();
    for s in &mut out {
        let mut inherit = Labels::new();
        for eq in &equal {
            for (k, v) in eq {
                if !s.labels.contains_key(k) || s.labels.get(k).map(String::as_str) == Some(SHARED) {
                    inherit.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        s.inherit = inherit;
    }
    Ok(out)
}

/// Strings the (fully anchored) regex matches, drawn from its syntax tree:
/// one per top-level alternative.
pub fn regex_examples(re: &str) -> Vec<String> {
    use regex_syntax::hir::HirKind;
    let Ok(hir) = regex_syntax::Parser::new().parse(re) else {
        return Vec::new();
    };
    let branches: Vec<&regex_syntax::hir::Hir> = match hir.kind() {
        HirKind::Alternation(v) => v.iter().collect(),
        _ => vec![&hir],
    };
    branches
        .into_iter()
        .filter_map(|h| {
            let mut out = String::new();
            example(h, &mut out).then_some(out)
        })
        .collect()
}

fn example(h: &regex_syntax::hir::Hir, out: &mut String) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(s) => {
                out.push_str(s);
                true
            }
            Err(_) => false,
        },
        HirKind::Class(Class::Unicode(c)) => match pick(c.ranges().iter().map(|r| (r.start(), r.end()))) {
            Some(ch) => {
                out.push(ch);
                true
            }
            None => false,
        },
        HirKind::Class(Class::Bytes(c)) => {
            match pick(c.ranges().iter().map(|r| (char::from(r.start()), char::from(r.end())))) {
                Some(ch) => {
                    out.push(ch);
                    true
                }
                None => false,
            }
        }
        HirKind::Repetition(r) => (0..r.min.min(64)).all(|_| example(&r.sub, out)),
        HirKind::Capture(c) => example(&c.sub, out),
        HirKind::Concat(v) => v.iter().all(|h| example(h, out)),
        HirKind::Alternation(v) => v.first().is_some_and(|h| example(h, out)),
    }
}

/// A readable character from the ranges: a letter or digit when there is
/// one, else the first printable.
fn pick(ranges: impl Iterator<Item = (char, char)> + Clone) -> Option<char> {
    for want in ['0', 'a', 'A', '-', '_', '.'] {
        if ranges.clone().any(|(s, e)| s <= want && want <= e) {
            return Some(want);
        }
    }
    ranges
        .flat_map(|(s, e)| (s..=e).take(128))
        .find(|c| !c.is_control() && !c.is_whitespace())
}

/// The numbers of the expression (magnitudes, constant sub-expressions
/// folded), in order.
fn literals(e: &Expr) -> Vec<f64> {
    fn fold(e: &Expr) -> Option<f64> {
        match e {
            Expr::NumberLiteral(n) => Some(n.val),
            Expr::Paren(p) => fold(&p.expr),
            Expr::Unary(u) => fold(&u.expr).map(|v| -v),
            Expr::Binary(b) if !b.op.is_comparison_operator() => {
                let (l, r) = (fold(&b.lhs)?, fold(&b.rhs)?);
                Some(match b.op.to_string().as_str() {
                    "+" => l + r,
                    "-" => l - r,
                    "*" => l * r,
                    "/" => l / r,
                    "%" => l % r,
                    "^" => l.powf(r),
                    _ => return None,
                })
            }
            _ => None,
        }
    }
    fn walk(e: &Expr, out: &mut Vec<f64>) {
        if let Some(v) = fold(e) {
            let v = v.abs();
            if v.is_finite() && !out.contains(&v) {
                out.push(v);
            }
            return;
        }
        match e {
            Expr::Call(c) => c.args.args.iter().for_each(|a| walk(a, out)),
            Expr::Aggregate(a) => {
                if let Some(p) = &a.param {
                    walk(p, out);
                }
                walk(&a.expr, out);
            }
            Expr::Binary(b) => {
                walk(&b.lhs, out);
                walk(&b.rhs, out);
            }
            Expr::Paren(p) => walk(&p.expr, out),
            Expr::Unary(u) => walk(&u.expr, out),
            Expr::Subquery(s) => walk(&s.expr, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(e, &mut out);
    out
}

/// The product of every number written, each occurrence counted
/// (`x / 1024 / 1024 > 100`: 104857600).
fn product(e: &Expr) -> f64 {
    match e {
        Expr::NumberLiteral(n) if n.val != 0.0 => n.val.abs(),
        Expr::Call(c) => c.args.args.iter().map(|a| product(a)).product(),
        Expr::Aggregate(a) => product(&a.expr),
        Expr::Binary(b) => product(&b.lhs) * product(&b.rhs),
        Expr::Paren(p) => product(&p.expr),
        Expr::Unary(u) => product(&u.expr),
        Expr::Subquery(s) => product(&s.expr),
        _ => 1.0,
    }
}

/// The labels named in `by`, `on` and as the source of
/// `label_replace`/`label_join` (with `all`, also in `without` and
/// `ignoring`).
fn mentioned(e: &Expr, all: bool) -> Vec<String> {
    fn add(out: &mut Vec<String>, l: &str) {
        if l != "le" && l != "__name__" && !out.iter().any(|x| x == l) {
            out.push(l.to_string());
        }
    }
    fn walk(e: &Expr, all: bool, out: &mut Vec<String>) {
        match e {
            Expr::Call(c) => {
                let sources = match c.func.name {
                    "label_replace" => 3..4,
                    "label_join" => 3..c.args.args.len().max(3),
                    _ => 0..0,
                };
                for (i, a) in c.args.args.iter().enumerate() {
                    if sources.contains(&i)
                        && let Expr::StringLiteral(s) = a.as_ref()
                    {
                        add(out, &s.val);
                    }
                    walk(a, all, out);
                }
            }
            Expr::Aggregate(a) => {
                if let Some(m) = &a.modifier
                    && (all || m.is_include())
                {
                    m.labels().labels.iter().for_each(|l| add(out, l));
                }
                walk(&a.expr, all, out);
            }
            Expr::Binary(b) => {
                if let Some(m) = b.modifier.as_ref().and_then(|m| m.matching.as_ref())
                    && (all || m.is_include())
                {
                    m.labels().labels.iter().for_each(|l| add(out, l));
                }
                walk(&b.lhs, all, out);
                walk(&b.rhs, all, out);
            }
            Expr::Paren(p) => walk(&p.expr, all, out),
            Expr::Unary(u) => walk(&u.expr, all, out),
            Expr::Subquery(s) => walk(&s.expr, all, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(e, all, &mut out);
    out
}

/// Several series of one selector.
#[derive(Clone, Debug, PartialEq)]
struct Copies {
    n: usize,
    /// All at the slot's level, or the first at it and the others at 0.
    alike: bool,
    /// The labels in which copies differ besides `instance`: the groups
    /// they fall in.
    vary: Vec<String>,
}

/// What a variable of the search sets.
#[derive(Clone, Debug)]
enum What {
    /// The series' value (gauge) or rate per second (counter); `None`: no
    /// such series.
    Level(Vec<Option<f64>>),
    /// A gauge's change per second.
    Slope(Vec<f64>),
    /// The bucket index the observations fall in; `None`: no histogram.
    Bucket(Vec<Option<usize>>, Vec<f64>),
    /// Whether the series carries the equality labels of the others.
    Inherit,
    Copies(Vec<Copies>),
}

#[derive(Clone, Debug)]
struct Var {
    slot: usize,
    what: What,
}

impl Var {
    fn choices(&self) -> usize {
        match &self.what {
            What::Level(c) => c.len(),
            What::Slope(c) => c.len(),
            What::Bucket(c, _) => c.len(),
            What::Inherit => 2,
            What::Copies(c) => c.len(),
        }
    }
}

fn push_unique(out: &mut Vec<f64>, v: f64) {
    if v.is_finite() && !out.contains(&v) {
        out.push(v);
    }
}

fn variables(slots: &[Slot], numbers: &[f64], mentioned: &[String]) -> Vec<Var> {
    let mut vars = Vec::new();
    // Candidate levels: 1, 0 and a hundred, then the expression's numbers
    // and what lies just past them, their halves and products.
    let mut levels: Vec<f64> = vec![1.0, 0.0, 100.0];
    for n in numbers {
        push_unique(&mut levels, n * 2.0 + 1.0);
    }
    for n in numbers {
        push_unique(&mut levels, n / 2.0);
        push_unique(&mut levels, *n);
    }
    for (i, a) in numbers.iter().enumerate() {
        for b in &numbers[i + 1..] {
            push_unique(&mut levels, a * b);
        }
    }
    levels.truncate(24);
    for (i, s) in slots.iter().enumerate() {
        if s.bucket {
            let mut bounds: Vec<f64> = numbers
                .iter()
                .filter(|n| **n > 0.0 && **n < 1e9)
                .flat_map(|n| [n / 2.0, n * 2.0])
                .collect();
            if bounds.is_empty() {
                bounds = vec![0.1, 1.0, 10.0];
            }
            bounds.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            bounds.dedup();
            // The lowest and the highest: observations beyond every
            // threshold must stay possible.
            if bounds.len() > 8 {
                bounds.drain(4..bounds.len() - 4);
            }
            bounds.push(f64::INFINITY);
            let mut choices: Vec<Option<usize>> = (0..bounds.len()).map(Some).collect();
            choices.push(None);
            vars.push(Var {
                slot: i,
                what: What::Bucket(choices, bounds),
            });
        } else {
            let mut choices: Vec<Option<f64>> = levels.iter().copied().map(Some).collect();
            if !s.counter {
                for n in numbers {
                    let v = -(n * 2.0 + 1.0);
                    if v.is_finite() && !choices.contains(&Some(v)) {
                        choices.push(Some(v));
                    }
                }
            }
            choices.push(None);
            vars.push(Var {
                slot: i,
                what: What::Level(choices),
            });
        }
        if s.trend {
            vars.push(Var {
                slot: i,
                what: What::Slope(vec![0.0, 1.0, -1.0, 0.001, -0.001]),
            });
        }
        if !s.inherit.is_empty() {
            vars.push(Var {
                slot: i,
                what: What::Inherit,
            });
        }
        if s.aggregated {
            let mut ns = vec![2, 3];
            for n in numbers {
                if n.fract() == 0.0 && *n >= 1.0 && *n <= 20.0 {
                    ns.extend([*n as usize, *n as usize + 1]);
                }
            }
            ns.push(6);
            let mut seen = Vec::new();
            ns.retain(|c| {
                let new = *c > 1 && !seen.contains(c);
                seen.push(*c);
                new
            });
            let mut groupings: Vec<Vec<String>> = vec![Vec::new()];
            let free: Vec<String> = mentioned
                .iter()
                .filter(|l| s.free_of.iter().all(|c| c != *l))
                .cloned()
                .collect();
            for l in &free {
                groupings.push(vec![l.clone()]);
            }
            if free.len() > 1 {
                groupings.push(free.clone());
            }
            let mut choices = vec![Copies {
                n: 1,
                alike: true,
                vary: Vec::new(),
            }];
            for n in ns {
                for vary in &groupings {
                    for alike in [true, false] {
                        choices.push(Copies {
                            n,
                            alike,
                            vary: vary.clone(),
                        });
                    }
                }
            }
            vars.push(Var {
                slot: i,
                what: What::Copies(choices),
            });
        }
    }
    vars
}

/// What an expression reads: its ranges, offsets and instant selectors.
struct Shape {
    reads: Vec<Read>,
    /// Calendar functions read.
    calendar: Option<&'static str>,
    offset: bool,
}

/// One selector.
struct Read {
    /// Seconds of history needed before it, from enclosing subqueries
    /// (range, how many of its steps the test needs, offset).
    before: Vec<(u64, u64, u64)>,
    offset: u64,
    /// Its range (none: an instant selector).
    range: Option<u64>,
    /// How many times one evaluation reads it (subquery steps).
    times: u64,
}

const CALENDAR: &[&str] = &[
    "minute",
    "hour",
    "day_of_week",
    "day_of_month",
    "day_of_year",
    "days_in_month",
    "month",
    "year",
];

/// Samples a range must hold for the test to read it: ranges need not be
/// full (the evaluator extrapolates as Prometheus does), only hold this
/// many.
const SAMPLES_PER_RANGE: u64 = 4;

impl Shape {
    fn of(e: &Expr) -> Shape {
        let mut s = Shape {
            reads: Vec::new(),
            calendar: None,
            offset: false,
        };
        s.walk(e, &mut Vec::new(), 1);
        s
    }

    fn walk(&mut self, e: &Expr, before: &mut Vec<(u64, u64, u64)>, times: u64) {
        let mut offset = |o: &Option<Offset>| match o {
            Some(Offset::Pos(d)) => {
                self.offset = true;
                d.as_secs()
            }
            Some(Offset::Neg(_)) => {
                self.offset = true;
                0
            }
            None => 0,
        };
        match e {
            Expr::VectorSelector(v) => {
                let offset = offset(&v.offset);
                self.reads.push(Read {
                    before: before.clone(),
                    offset,
                    range: None,
                    times,
                });
            }
            Expr::MatrixSelector(m) => {
                let offset = offset(&m.vs.offset);
                self.reads.push(Read {
                    before: before.clone(),
                    offset,
                    range: Some(m.range.as_secs()),
                    times,
                });
            }
            Expr::Subquery(s) => {
                let o = offset(&s.offset);
                let r = s.range.as_secs();
                let step = s.step.map_or(60, |d| d.as_secs()).max(1);
                before.push((r, step, o));
                self.walk(&s.expr, before, times * (r / step + 1));
                before.pop();
            }
            Expr::Call(c) => {
                if let Some(f) = CALENDAR.iter().find(|f| **f == c.func.name) {
                    self.calendar = Some(f);
                }
                c.args.args.iter().for_each(|a| self.walk(a, before, times))
            }
            Expr::Aggregate(a) => self.walk(&a.expr, before, times),
            Expr::Binary(b) => {
                self.walk(&b.lhs, before, times);
                self.walk(&b.rhs, before, times);
            }
            Expr::Paren(p) => self.walk(&p.expr, before, times),
            Expr::Unary(u) => self.walk(&u.expr, before, times),
            _ => {}
        }
    }

    /// The sample interval: a minute, or less where a range is shorter than
    /// three minutes (every range must hold three samples or more,
    /// whichever boundary the Prometheus version uses).
    fn interval(&self) -> Result<u64, NoWitness> {
        let shortest = self.reads.iter().filter_map(|r| r.range).min();
        [60, 30, 15, 10, 5]
            .into_iter()
            .find(|i| shortest.is_none_or(|s| s >= 3 * i))
            .ok_or(NoWitness::Ranges)
    }

    /// How long before every selector reads enough samples: offsets in
    /// full, ranges up to a few samples.
    fn warm_up(&self, interval: u64) -> u64 {
        self.reads
            .iter()
            .map(|r| {
                let own = r.range.map_or(0, |range| range.min(SAMPLES_PER_RANGE * interval));
                let outer: u64 = r
                    .before
                    .iter()
                    .map(|(range, step, offset)| (*range).min(SAMPLES_PER_RANGE * step) + offset)
                    .sum();
                own + r.offset + outer
            })
            .max()
            .unwrap_or(0)
    }

    /// Samples one evaluation at `eval` loads, with `series` series per
    /// selector.
    fn samples(&self, interval: u64, eval: u64, series: u64) -> u64 {
        self.reads
            .iter()
            .map(|r| (r.range.map_or(0, |range| range.min(eval)) / interval + 1) * r.times)
            .sum::<u64>()
            * series
    }

    fn never_fires(&self) -> NoWitness {
        match (self.calendar, self.offset) {
            (Some(f), _) => NoWitness::Calendar(f),
            (None, true) => NoWitness::Past,
            _ => NoWitness::NeverFires,
        }
    }
}

struct Search<'a> {
    expr: &'a Expr,
    slots: &'a [Slot],
    vars: &'a [Var],
    interval: f64,
    times: Vec<u64>,
}

/// Scenarios tried at most per search.
const BUDGET: usize = 6_000;
/// Work allowed per search: series × selectors summed over the scenarios
/// evaluated, so that a hostile expression (hundreds of selectors, many
/// copies) ends the search early rather than late.
const WORK: usize = 20_000_000;
/// Selectors beyond which no test is generated.
const MAX_SLOTS: usize = 48;

impl Search<'_> {
    fn inputs(&self, assign: &[usize]) -> Vec<Input> {
        let mut out: Vec<Input> = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            let mut copies = Copies {
                n: 1,
                alike: true,
                vary: Vec::new(),
            };
            let mut level = Some(1.0);
            let mut slope = 0.0;
            let mut inherit = false;
            let mut bucket: Option<(usize, &[f64])> = None;
            let mut present = true;
            for (v, a) in self.vars.iter().zip(assign).filter(|(v, _)| v.slot == i) {
                match &v.what {
                    What::Level(c) => {
                        level = c[*a];
                        present &= level.is_some();
                    }
                    What::Slope(c) => slope = c[*a],
                    What::Bucket(c, bounds) => match c[*a] {
                        Some(b) => bucket = Some((b, bounds)),
                        None => present = false,
                    },
                    What::Inherit => inherit = *a == 1,
                    What::Copies(c) => copies = c[*a].clone(),
                }
            }
            if !present {
                continue;
            }
            let mut labels = slot.labels.clone();
            if inherit {
                for (k, v) in &slot.inherit {
                    labels.insert(k.clone(), v.clone());
                }
            }
            let copy_label = if slot.labels.contains_key("instance") && !copies.vary.iter().any(|l| l == "instance") {
                "dvcc_replica"
            } else {
                "instance"
            };
            for n in 0..copies.n {
                let mut labels = labels.clone();
                if copies.n > 1 {
                    labels.insert(copy_label.into(), format!("dvcc-{n}"));
                    for l in &copies.vary {
                        labels.insert(l.clone(), format!("dvcc-{n}"));
                    }
                }
                let level = if copies.alike || n == 0 {
                    level.unwrap_or(0.0)
                } else {
                    0.0
                };
                let mut push = |labels: Labels, kind: Kind| {
                    if !out.iter().any(|o| o.labels == labels) {
                        out.push(Input { labels, kind });
                    }
                };
                match bucket {
                    Some((observed, bounds)) => {
                        for (b, le) in bounds.iter().enumerate() {
                            let mut labels = labels.clone();
                            labels.insert("le".into(), format_le(*le));
                            let rate = if b >= observed { 1.0 } else { 0.0 };
                            push(labels, Kind::counter(rate));
                        }
                    }
                    None if slot.counter => push(labels, Kind::counter(level)),
                    None => push(labels, Kind { start: level, slope }),
                }
            }
        }
        out
    }

    /// Whether the scenario fires (`Some(true)`), stays silent
    /// (`Some(false)`) or does neither throughout.
    fn outcome(&self, assign: &[usize], want: bool, work: &mut usize) -> Result<Option<bool>, NoWitness> {
        let inputs = self.inputs(assign);
        *work = work.saturating_sub((inputs.len() + 1) * (self.slots.len() + 1) * 6);
        let mut seen: Option<bool> = None;
        for closed in [true, false] {
            let ctx = Ctx {
                inputs: &inputs,
                interval: self.interval,
                closed,
            };
            for t in &self.times {
                let fires = match ctx.eval(self.expr, *t as f64) {
                    Ok(Value::Vector(v)) => !v.is_empty(),
                    Ok(_) => return Err(NoWitness::Unsupported("a result that is not a vector".into())),
                    Err(Fail::Unsupported(what)) => return Err(NoWitness::Unsupported(what)),
                    Err(Fail::Invalid(_)) => return Ok(None),
                };
                if fires != want {
                    return Ok(Some(fires).filter(|_| seen.is_none()));
                }
                seen = Some(fires);
            }
        }
        Ok(seen)
    }

    /// The first scenario, nearest `base`, that fires (or stays silent).
    fn find(&self, base: &[usize], fire: bool) -> Result<Option<Vec<usize>>, NoWitness> {
        let mut budget = (BUDGET, WORK);
        for distance in 0..=self.vars.len().min(3) {
            let mut assign = base.to_vec();
            if let Some(found) = self.around(&mut assign, base, 0, distance, fire, &mut budget)? {
                return Ok(Some(found));
            }
            if budget.0 == 0 || budget.1 == 0 {
                break;
            }
        }
        Ok(None)
    }

    /// Scenarios differing from `base` in exactly `left` more variables,
    /// from variable `from` on.
    fn around(
        &self,
        assign: &mut Vec<usize>,
        base: &[usize],
        from: usize,
        left: usize,
        fire: bool,
        budget: &mut (usize, usize),
    ) -> Result<Option<Vec<usize>>, NoWitness> {
        if left == 0 {
            if budget.0 == 0 || budget.1 == 0 {
                return Ok(None);
            }
            budget.0 -= 1;
            return Ok((self.outcome(assign, fire, &mut budget.1)? == Some(fire)).then(|| assign.clone()));
        }
        for v in from..self.vars.len() {
            for c in 0..self.vars[v].choices() {
                if c == base[v] {
                    continue;
                }
                assign[v] = c;
                if let Some(found) = self.around(assign, base, v + 1, left - 1, fire, budget)? {
                    return Ok(Some(found));
                }
                if budget.0 == 0 || budget.1 == 0 {
                    return Ok(None);
                }
            }
            assign[v] = base[v];
        }
        Ok(None)
    }

    fn scenario(&self, assign: &[usize], length: u64) -> Scenario {
        let mut series = Vec::new();
        for input in self.inputs(assign) {
            let name = input.labels.get("__name__").cloned().unwrap_or_default();
            let labels: Vec<String> = input
                .labels
                .iter()
                .filter(|(k, _)| *k != "__name__")
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            let step = input.kind.slope * self.interval;
            let values = if step == 0.0 {
                format!("{}x{length}", number(input.kind.start))
            } else if step > 0.0 {
                format!("{}+{}x{length}", number(input.kind.start), number(step))
            } else {
                format!("{}-{}x{length}", number(input.kind.start), number(-step))
            };
            series.push((format!("{name}{{{}}}", labels.join(",")), values));
        }
        Scenario { series }
    }
}

fn format_le(le: f64) -> String {
    if le.is_infinite() { "+Inf".into() } else { number(le) }
}

/// A number as promtool's series notation and Prometheus labels take it.
pub fn number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
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
