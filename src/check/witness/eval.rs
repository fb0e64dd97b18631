//! PromQL evaluated on steady synthetic series: gauges that hold one value
//! and counters that grow at one rate, sampled every `interval` from time 0
//! (promtool's model). On such series every range function has a closed
//! form, so an expression is evaluated exactly at any time past its
//! warm-up, with Prometheus's semantics for label matching, aggregation,
//! filtering, `histogram_quantile` and the errors a rule evaluation would
//! raise (many-to-many matching, duplicate label sets).
//!
//! A range holds the samples in `[t - range, t]` (Prometheus 2) or
//! `(t - range, t]` (Prometheus 3): `closed` chooses, and callers evaluate
//! both so that a witness holds under either.

use std::collections::BTreeMap;

use super::math::{arith, compare, format_value, quantile_sorted};

use promql_parser::label::Matcher;
use promql_parser::parser::{
    AggregateExpr, BinaryExpr, Expr, LabelModifier, Offset, VectorMatchCardinality, VectorSelector,
};

pub type Labels = BTreeMap<String, String>;

const NAME: &str = "__name__";
/// Prometheus's lookback for an instant selector, in seconds.
const LOOKBACK: f64 = 300.0;

/// A synthetic series.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub labels: Labels,
    pub kind: Kind,
}

/// A series' value over time: `start + slope × t` (a gauge has slope 0, a
/// counter starts at 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kind {
    pub start: f64,
    /// Change per second.
    pub slope: f64,
}

impl Kind {
    pub fn gauge(v: f64) -> Kind {
        Kind { start: v, slope: 0.0 }
    }

    pub fn counter(rate: f64) -> Kind {
        Kind {
            start: 0.0,
            slope: rate,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    pub value: f64,
}

#[derive(Clone, Debug)]
pub enum Value {
    Scalar(f64),
    Vector(Vec<Sample>),
    Str(String),
}

/// Why an expression has no value.
#[derive(Clone, Debug, PartialEq)]
pub enum Fail {
    /// A form this evaluator does not model (named).
    Unsupported(String),
    /// Prometheus would fail the evaluation on these series.
    Invalid(&'static str),
}

pub(super) type R<T> = Result<T, Fail>;

/// Where and how to evaluate.
pub struct Ctx<'a> {
    pub inputs: &'a [Input],
    /// Seconds between samples.
    pub interval: f64,
    /// Ranges include their start (Prometheus 2) or not (Prometheus 3).
    pub closed: bool,
}

/// A series over a range, linear from `first` to `last` over `n` samples
/// `step` seconds apart (exact for gauges, counters and steady subqueries),
/// the first at `t_first`, in a range ending at `end` and `range` long.
pub(super) struct RangeSeries {
    pub(super) labels: Labels,
    pub(super) first: f64,
    pub(super) last: f64,
    pub(super) n: u64,
    pub(super) step: f64,
    pub(super) t_first: f64,
    pub(super) end: f64,
    pub(super) range: f64,
}

impl RangeSeries {
    pub(super) fn slope(&self) -> Option<f64> {
        (self.n >= 2).then(|| (self.last - self.first) / ((self.n - 1) as f64 * self.step))
    }

    /// `rate`, `increase` and `delta` as Prometheus computes them: the
    /// change between the first and last samples, extrapolated towards the
    /// range's edges (by at most half a sample interval where the samples
    /// stop short of them, and for counters never below zero).
    pub(super) fn extrapolated(&self, counter: bool, per_second: bool) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let result = if counter && self.last < self.first {
            // A reset: the counter restarted; the change is the last value.
            self.last
        } else {
            self.last - self.first
        };
        let sampled = (self.n - 1) as f64 * self.step;
        let t_last = self.t_first + sampled;
        let average = sampled / (self.n - 1) as f64;
        let mut to_start = self.t_first - (self.end - self.range);
        let to_end = self.end - t_last;
        if counter && result > 0.0 && self.first >= 0.0 {
            let to_zero = sampled * (self.first / result);
            if to_zero < to_start {
                to_start = to_zero;
            }
        }
        let threshold = average * 1.1;
        let mut interval = sampled;
        interval += if to_start < threshold { to_start } else { average / 2.0 };
        interval += if to_end < threshold { to_end } else { average / 2.0 };
        let v = result * (interval / sampled);
        Some(if per_second { v / self.range } else { v })
    }
}

impl Ctx<'_> {
    /// The expression's value at time `t` (seconds).
    pub fn eval(&self, e: &Expr, t: f64) -> R<Value> {
        match e {
            Expr::NumberLiteral(n) => Ok(Value::Scalar(n.val)),
            Expr::StringLiteral(s) => Ok(Value::Str(s.val.clone())),
            Expr::Paren(p) => self.eval(&p.expr, t),
            Expr::Unary(u) => match self.eval(&u.expr, t)? {
                Value::Scalar(v) => Ok(Value::Scalar(-v)),
                Value::Vector(v) => distinct(
                    v.into_iter()
                        .map(|s| Sample {
                            labels: without_name(s.labels),
                            value: -s.value,
                        })
                        .collect(),
                ),
                Value::Str(_) => Err(Fail::Unsupported("a negated string".into())),
            },
            Expr::VectorSelector(v) => self.instant(v, t).map(Value::Vector),
            Expr::MatrixSelector(_) | Expr::Subquery(_) => Err(Fail::Unsupported("a bare range".into())),
            Expr::Call(c) => self.call(c, t),
            Expr::Aggregate(a) => self.aggregate(a, t),
            Expr::Binary(b) => self.binary(b, t),
            Expr::Extension(_) => Err(Fail::Unsupported("an extension".into())),
        }
    }

    fn matches(&self, v: &VectorSelector) -> R<Vec<&Input>> {
        if v.at.is_some() {
            return Err(Fail::Unsupported("`@`".into()));
        }
        let selects = |labels: &Labels, ms: &[Matcher]| {
            ms.iter()
                .all(|m| m.is_match(labels.get(&m.name).map(String::as_str).unwrap_or("")))
        };
        Ok(self
            .inputs
            .iter()
            .filter(|i| {
                if v.name
                    .as_deref()
                    .is_some_and(|n| i.labels.get(NAME).map(String::as_str) != Some(n))
                {
                    return false;
                }
                selects(&i.labels, &v.matchers.matchers)
                    && (v.matchers.or_matchers.is_empty()
                        || v.matchers.or_matchers.iter().any(|ms| selects(&i.labels, ms)))
            })
            .collect())
    }

    fn at(&self, t: f64, offset: &Option<Offset>) -> f64 {
        match offset {
            Some(Offset::Pos(d)) => t - d.as_secs_f64(),
            Some(Offset::Neg(d)) => t + d.as_secs_f64(),
            None => t,
        }
    }

    fn value(&self, kind: Kind, t: f64) -> f64 {
        kind.start + kind.slope * t
    }

    fn instant(&self, v: &VectorSelector, t: f64) -> R<Vec<Sample>> {
        let at = self.at(t, &v.offset);
        // The latest sample at or before `at`, within the lookback.
        let last = (at / self.interval).floor() * self.interval;
        if at < 0.0 || at - last > LOOKBACK {
            return Ok(Vec::new());
        }
        Ok(self
            .matches(v)?
            .into_iter()
            .map(|i| Sample {
                labels: i.labels.clone(),
                value: self.value(i.kind, last),
            })
            .collect())
    }

    pub(super) fn range(&self, e: &Expr, t: f64) -> R<Vec<RangeSeries>> {
        match e {
            Expr::Paren(p) => self.range(&p.expr, t),
            Expr::MatrixSelector(m) => {
                let at = self.at(t, &m.vs.offset);
                let r = m.range.as_secs_f64();
                let last = (at / self.interval).floor();
                let start = (at - r) / self.interval;
                let first = if self.closed { start.ceil() } else { start.floor() + 1.0 }.max(0.0);
                if at < 0.0 || last < first {
                    return Ok(Vec::new());
                }
                let n = (last - first) as u64 + 1;
                Ok(self
                    .matches(&m.vs)?
                    .into_iter()
                    .map(|i| RangeSeries {
                        labels: i.labels.clone(),
                        first: self.value(i.kind, first * self.interval),
                        last: self.value(i.kind, last * self.interval),
                        n,
                        step: self.interval,
                        t_first: first * self.interval,
                        end: at,
                        range: r,
                    })
                    .collect())
            }
            Expr::Subquery(s) => {
                if s.at.is_some() {
                    return Err(Fail::Unsupported("`@`".into()));
                }
                let at = self.at(t, &s.offset);
                let step = s.step.map_or(60.0, |d| d.as_secs_f64()).max(1.0);
                let r = s.range.as_secs_f64();
                let last = (at / step).floor() * step;
                let mut first = ((((at - r) / step).floor() + 1.0) * step).max(0.0);
                if last < first {
                    return Ok(Vec::new());
                }
                let end = self.vector(&s.expr, last)?;
                // The first step where the inner expression has a value
                // (it may need samples before it has one).
                let mut start = self.vector(&s.expr, first)?;
                let mut tries = 0;
                while start.is_empty() && first < last && tries < 30 {
                    first += step;
                    tries += 1;
                    start = self.vector(&s.expr, first)?;
                }
                let n = ((last - first) / step) as u64 + 1;
                Ok(end
                    .into_iter()
                    .filter_map(|e| {
                        let f = start.iter().find(|s| s.labels == e.labels)?;
                        Some(RangeSeries {
                            labels: e.labels,
                            first: f.value,
                            last: e.value,
                            n,
                            step,
                            t_first: first,
                            end: at,
                            range: r,
                        })
                    })
                    .collect())
            }
            _ => Err(Fail::Unsupported("a range function over a non-range".into())),
        }
    }

    pub(super) fn vector(&self, e: &Expr, t: f64) -> R<Vec<Sample>> {
        match self.eval(e, t)? {
            Value::Vector(v) => Ok(v),
            _ => Err(Fail::Unsupported("a scalar where a vector is expected".into())),
        }
    }

    pub(super) fn scalar(&self, e: &Expr, t: f64) -> R<f64> {
        match self.eval(e, t)? {
            Value::Scalar(v) => Ok(v),
            _ => Err(Fail::Unsupported("a vector where a scalar is expected".into())),
        }
    }

    pub(super) fn string(&self, e: &Expr, t: f64) -> R<String> {
        match self.eval(e, t)? {
            Value::Str(v) => Ok(v),
            _ => Err(Fail::Unsupported("a non-string argument".into())),
        }
    }

    fn aggregate(&self, a: &AggregateExpr, t: f64) -> R<Value> {
        let op = a.op.to_string().to_ascii_lowercase();
        let v = self.vector(&a.expr, t)?;
        let key = |l: &Labels| -> Labels {
            match &a.modifier {
                Some(LabelModifier::Include(ls)) => l
                    .iter()
                    .filter(|(k, _)| ls.labels.iter().any(|x| x == *k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                Some(LabelModifier::Exclude(ls)) => l
                    .iter()
                    .filter(|(k, _)| *k != NAME && !ls.labels.iter().any(|x| x == *k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                None => Labels::new(),
            }
        };
        let mut groups: BTreeMap<Labels, Vec<Sample>> = BTreeMap::new();
        for s in v {
            groups.entry(key(&s.labels)).or_default().push(s);
        }
        let param = |what: &str| -> R<f64> {
            match &a.param {
                Some(p) => self.scalar(p, t),
                None => Err(Fail::Unsupported(format!("`{what}` without its parameter"))),
            }
        };
        let mut out = Vec::new();
        match op.as_str() {
            "topk" | "bottomk" => {
                let k = param(&op)?;
                for (_, mut members) in groups {
                    members.sort_by(|x, y| {
                        let o = x.value.partial_cmp(&y.value).unwrap_or(std::cmp::Ordering::Equal);
                        if op == "topk" { o.reverse() } else { o }
                    });
                    out.extend(members.into_iter().take(k.max(0.0) as usize));
                }
            }
            "count_values" => {
                let label = match &a.param {
                    Some(p) => self.string(p, t)?,
                    None => return Err(Fail::Unsupported("`count_values` without its label".into())),
                };
                for (group, members) in groups {
                    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
                    for m in members {
                        *counts.entry(format_value(m.value)).or_default() += 1.0;
                    }
                    for (v, n) in counts {
                        let mut labels = group.clone();
                        labels.insert(label.clone(), v);
                        out.push(Sample { labels, value: n });
                    }
                }
            }
            _ => {
                let q = if op == "quantile" { param("quantile")? } else { 0.0 };
                for (labels, members) in groups {
                    let vals: Vec<f64> = members.iter().map(|m| m.value).collect();
                    let n = vals.len() as f64;
                    let sum: f64 = vals.iter().sum();
                    let mean = sum / n;
                    let var = vals.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                    let value = match op.as_str() {
                        "sum" => sum,
                        "avg" => mean,
                        "count" => n,
                        "group" => 1.0,
                        "min" => vals.iter().copied().fold(f64::INFINITY, f64::min),
                        "max" => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        "stddev" => var.sqrt(),
                        "stdvar" => var,
                        "quantile" => {
                            let mut sorted = vals.clone();
                            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
                            quantile_sorted(q, &sorted)
                        }
                        other => return Err(Fail::Unsupported(format!("`{other}`"))),
                    };
                    out.push(Sample { labels, value });
                }
            }
        }
        Ok(Value::Vector(out))
    }

    fn binary(&self, b: &BinaryExpr, t: f64) -> R<Value> {
        let op = b.op.to_string().to_ascii_lowercase();
        let lhs = self.eval(&b.lhs, t)?;
        let rhs = self.eval(&b.rhs, t)?;
        let bool_ = b.modifier.as_ref().is_some_and(|m| m.return_bool);
        let comparison = b.op.is_comparison_operator();
        match (lhs, rhs) {
            (Value::Scalar(x), Value::Scalar(y)) => Ok(Value::Scalar(if comparison {
                if compare(&op, x, y) { 1.0 } else { 0.0 }
            } else {
                arith(&op, x, y)?
            })),
            (Value::Vector(v), Value::Scalar(y)) => self.vector_scalar(&op, v, y, false, bool_, comparison),
            (Value::Scalar(x), Value::Vector(v)) => self.vector_scalar(&op, v, x, true, bool_, comparison),
            (Value::Vector(l), Value::Vector(r)) => self.vector_vector(b, &op, l, r, bool_, comparison),
            _ => Err(Fail::Unsupported("an operator on strings".into())),
        }
    }

    fn vector_scalar(&self, op: &str, v: Vec<Sample>, s: f64, swapped: bool, bool_: bool, cmp: bool) -> R<Value> {
        let mut out = Vec::new();
        for x in v {
            let (a, b) = if swapped { (s, x.value) } else { (x.value, s) };
            if cmp {
                let holds = compare(op, a, b);
                if bool_ {
                    out.push(Sample {
                        labels: without_name(x.labels),
                        value: if holds { 1.0 } else { 0.0 },
                    });
                } else if holds {
                    out.push(x);
                }
            } else {
                out.push(Sample {
                    labels: without_name(x.labels),
                    value: arith(op, a, b)?,
                });
            }
        }
        distinct(out)
    }

    fn vector_vector(
        &self,
        b: &BinaryExpr,
        op: &str,
        l: Vec<Sample>,
        r: Vec<Sample>,
        bool_: bool,
        cmp: bool,
    ) -> R<Value> {
        let matching = b.modifier.as_ref().and_then(|m| m.matching.as_ref());
        let sig = |labels: &Labels| -> Labels {
            match matching {
                Some(LabelModifier::Include(ls)) => labels
                    .iter()
                    .filter(|(k, _)| ls.labels.iter().any(|x| x == *k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                Some(LabelModifier::Exclude(ls)) => labels
                    .iter()
                    .filter(|(k, _)| *k != NAME && !ls.labels.iter().any(|x| x == *k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                None => without_name(labels.clone()),
            }
        };
        match op {
            "and" => {
                let keys: Vec<Labels> = r.iter().map(|s| sig(&s.labels)).collect();
                return Ok(Value::Vector(
                    l.into_iter().filter(|s| keys.contains(&sig(&s.labels))).collect(),
                ));
            }
            "unless" => {
                let keys: Vec<Labels> = r.iter().map(|s| sig(&s.labels)).collect();
                return Ok(Value::Vector(
                    l.into_iter().filter(|s| !keys.contains(&sig(&s.labels))).collect(),
                ));
            }
            "or" => {
                let keys: Vec<Labels> = l.iter().map(|s| sig(&s.labels)).collect();
                let mut out = l;
                out.extend(r.into_iter().filter(|s| !keys.contains(&sig(&s.labels))));
                return Ok(Value::Vector(out));
            }
            _ => {}
        }
        let card = b
            .modifier
            .as_ref()
            .map_or(VectorMatchCardinality::OneToOne, |m| m.card.clone());
        // The "one" side is indexed; the other is walked.
        let (many, one, flipped) = match &card {
            VectorMatchCardinality::OneToMany(_) => (r, l, true),
            _ => (l, r, false),
        };
        let mut index: BTreeMap<Labels, &Sample> = BTreeMap::new();
        for s in &one {
            if index.insert(sig(&s.labels), s).is_some() {
                return Err(Fail::Invalid("many-to-many matching"));
            }
        }
        let mut out = Vec::new();
        let mut seen: BTreeMap<Labels, ()> = BTreeMap::new();
        for s in &many {
            let key = sig(&s.labels);
            let Some(o) = index.get(&key) else { continue };
            if matches!(card, VectorMatchCardinality::OneToOne) && seen.insert(key.clone(), ()).is_some() {
                return Err(Fail::Invalid("multiple matches for one label set"));
            }
            let (ls, rs) = if flipped { (*o, s) } else { (s, *o) };
            let drop_name = !cmp || bool_;
            let mut labels = s.labels.clone();
            if drop_name {
                labels.remove(NAME);
            }
            match (&card, matching) {
                (VectorMatchCardinality::OneToOne, Some(LabelModifier::Include(on))) => {
                    labels.retain(|k, _| on.labels.iter().any(|x| x == k));
                }
                (VectorMatchCardinality::OneToOne, Some(LabelModifier::Exclude(ign))) => {
                    labels.retain(|k, _| !ign.labels.iter().any(|x| x == k));
                }
                (VectorMatchCardinality::ManyToOne(include) | VectorMatchCardinality::OneToMany(include), _) => {
                    for k in &include.labels {
                        match o.labels.get(k) {
                            Some(v) => labels.insert(k.clone(), v.clone()),
                            None => labels.remove(k),
                        };
                    }
                }
                _ => {}
            }
            if cmp {
                let holds = compare(op, ls.value, rs.value);
                if bool_ {
                    out.push(Sample {
                        labels,
                        value: if holds { 1.0 } else { 0.0 },
                    });
                } else if holds {
                    out.push(Sample {
                        labels,
                        value: ls.value,
                    });
                }
            } else {
                out.push(Sample {
                    labels,
                    value: arith(op, ls.value, rs.value)?,
                });
            }
        }
        distinct(out)
    }
}

pub(super) fn without_name(mut l: Labels) -> Labels {
    l.remove(NAME);
    l
}

/// A vector with two series of one label set is an evaluation error.
pub(super) fn distinct(v: Vec<Sample>) -> R<Value> {
    let mut seen = std::collections::BTreeSet::new();
    for s in &v {
        if !seen.insert(&s.labels) {
            return Err(Fail::Invalid("two series with the same labels"));
        }
    }
    Ok(Value::Vector(v))
}

pub(super) fn map_values(v: Vec<Sample>, f: impl Fn(f64) -> f64) -> R<Value> {
    distinct(
        v.into_iter()
            .map(|s| Sample {
                labels: without_name(s.labels),
                value: f(s.value),
            })
            .collect(),
    )
}

/// The labels `absent(x)` gives: the selector's equality matchers.
pub(super) fn absent_labels(e: &Expr) -> Sample {
    let vs = match e {
        Expr::VectorSelector(v) => Some(v),
        Expr::MatrixSelector(m) => Some(&m.vs),
        _ => None,
    };
    let mut labels = Labels::new();
    if let Some(v) = vs {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for m in &v.matchers.matchers {
            *seen.entry(m.name.as_str()).or_default() += 1;
        }
        for m in &v.matchers.matchers {
            if m.name != NAME
                && seen.get(m.name.as_str()) == Some(&1)
                && matches!(m.op, promql_parser::label::MatchOp::Equal)
            {
                labels.insert(m.name.clone(), m.value.clone());
            }
        }
    }
    Sample { labels, value: 1.0 }
}

#[cfg(test)]
mod tests {
    use super::super::math::{bucket_quantile, calendar};
    use super::*;

    fn input(series: &str, kind: Kind) -> Input {
        let Ok(Expr::VectorSelector(v)) = crate::target::promql::parse(series) else {
            panic!("{series} is a selector");
        };
        let mut labels = Labels::new();
        labels.insert(NAME.into(), v.name.clone().unwrap_or_default());
        for m in &v.matchers.matchers {
            labels.insert(m.name.clone(), m.value.clone());
        }
        Input { labels, kind }
    }

    fn eval(expr: &str, inputs: &[Input], t: f64) -> Vec<Sample> {
        let ast = promql_parser::parser::parse(expr).expect("parses");
        let ctx = Ctx {
            inputs,
            interval: 60.0,
            closed: true,
        };
        match ctx.eval(&ast, t) {
            Ok(Value::Vector(v)) => v,
            other => panic!("{expr}: {other:?}"),
        }
    }

    #[test]
    fn rates_and_ratios_of_steady_counters_are_exact() {
        let inputs = [
            input("http_requests_total{code=\"500\",job=\"api\"}", Kind::counter(2.0)),
            input("http_requests_total{code=\"200\",job=\"api\"}", Kind::counter(8.0)),
        ];
        let v = eval(
            "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) > 0.1",
            &inputs,
            3600.0,
        );
        assert_eq!(v.len(), 1);
        assert!((v[0].value - 0.2).abs() < 1e-12);
        let v = eval("increase(http_requests_total{code=\"500\"}[1h])", &inputs, 7200.0);
        assert!((v[0].value - 7200.0).abs() < 1e-9);
    }

    #[test]
    fn matching_and_set_operators_follow_prometheus() {
        let inputs = [
            input("up{job=\"a\",instance=\"1\"}", Kind::gauge(0.0)),
            input("up{job=\"a\",instance=\"2\"}", Kind::gauge(1.0)),
            input("up{job=\"b\",instance=\"3\"}", Kind::gauge(0.0)),
        ];
        assert_eq!(eval("count by (job) (up == 0)", &inputs, 600.0).len(), 2);
        assert_eq!(eval("count(up) < 3", &inputs, 600.0).len(), 0);
        assert_eq!(eval("up == 0 unless on(job) up{job=\"b\"}", &inputs, 600.0).len(), 1);
        assert_eq!(eval("topk(1, up)", &inputs, 600.0)[0].labels["instance"], "2");
        // A vector-to-vector comparison filters; equal values do not pass `>`.
        assert_eq!(eval("up > on(instance) up", &inputs, 600.0).len(), 0);
        // Many-to-many arithmetic is an evaluation error, as in Prometheus.
        let ast = promql_parser::parser::parse("up + on(job) up").expect("parses");
        let ctx = Ctx {
            inputs: &inputs,
            interval: 60.0,
            closed: true,
        };
        assert!(matches!(ctx.eval(&ast, 600.0), Err(Fail::Invalid(_))));
    }

    #[test]
    fn histogram_quantile_interpolates_like_prometheus() {
        let b = |le: f64, c: f64| (le, c);
        // Everything in the first bucket: rank within (0, 0.5].
        assert!((bucket_quantile(0.5, vec![b(0.5, 10.0), b(1.0, 10.0), b(f64::INFINITY, 10.0)]) - 0.25).abs() < 1e-12);
        // Everything beyond the last finite bound: that bound.
        assert_eq!(
            bucket_quantile(0.99, vec![b(0.5, 0.0), b(1.0, 0.0), b(f64::INFINITY, 10.0)]),
            1.0
        );
        assert!(bucket_quantile(0.5, vec![b(1.0, 0.0), b(f64::INFINITY, 0.0)]).is_nan());
    }

    #[test]
    fn time_functions() {
        let inputs = [input("last_success{job=\"backup\"}", Kind::gauge(0.0))];
        assert_eq!(eval("time() - last_success > 3600", &inputs, 7200.0).len(), 1);
        assert_eq!(eval("time() - last_success > 3600", &inputs, 1800.0).len(), 0);
        // 1970-01-01 was a Thursday.
        assert_eq!(calendar("day_of_week", 0.0), 4.0);
        assert_eq!(calendar("year", 86_400.0 * 366.0), 1971.0);
        assert_eq!(calendar("day_of_month", 86_400.0 * 59.0), 1.0);
    }
}
