//! The synthetic series an expression reads: one per selector, its labels
//! satisfying the matchers (regex witnesses drawn from the regex), labels
//! the expression groups by shared, kinds (counter, gauge, trend, histogram
//! bucket) from where the selector sits; and the numbers and label names
//! the search draws its scenarios from.

use std::collections::BTreeMap;

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, VectorSelector};

use super::eval::Labels;

/// Where a selector sits in the expression.
#[derive(Clone, Copy, Default)]
pub(super) struct Context {
    pub(super) counter: bool,
    pub(super) histogram: bool,
    /// Under a function that reads a trend.
    pub(super) trend: bool,
    /// Under an aggregation (its result may depend on how many series).
    pub(super) aggregated: bool,
}

pub(super) const COUNTER_FUNCTIONS: &[&str] = &["rate", "irate", "increase", "resets"];
pub(super) const TREND_FUNCTIONS: &[&str] = &[
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
pub(super) const SHARED: &str = "dvcc";

/// A synthetic series the expression reads.
#[derive(Clone, Debug)]
pub(super) struct Slot {
    pub(super) labels: Labels,
    /// Equality labels of other selectors this one leaves free: it may
    /// carry them, as the same series would in a real system.
    pub(super) inherit: Labels,
    pub(super) counter: bool,
    /// A histogram's buckets (`le` chosen by the scenario).
    pub(super) bucket: bool,
    pub(super) trend: bool,
    pub(super) aggregated: bool,
    /// The labels its matchers constrain (copies differ only in others).
    pub(super) free_of: Vec<String>,
}

pub(super) fn collect(e: &Expr, cx: Context, mentioned: &[String], out: &mut Vec<Result<Slot, String>>) {
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

pub(super) fn slot(v: &VectorSelector, cx: Context, mentioned: &[String]) -> Result<Slot, String> {
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
pub(super) fn merge(found: Vec<Result<Slot, String>>) -> Result<Vec<Slot>, String> {
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

pub(super) fn example(h: &regex_syntax::hir::Hir, out: &mut String) -> bool {
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
pub(super) fn pick(ranges: impl Iterator<Item = (char, char)> + Clone) -> Option<char> {
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
pub(super) fn literals(e: &Expr) -> Vec<f64> {
    pub(super) fn fold(e: &Expr) -> Option<f64> {
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
    pub(super) fn walk(e: &Expr, out: &mut Vec<f64>) {
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
pub(super) fn product(e: &Expr) -> f64 {
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
pub(super) fn mentioned(e: &Expr, all: bool) -> Vec<String> {
    pub(super) fn add(out: &mut Vec<String>, l: &str) {
        if l != "le" && l != "__name__" && !out.iter().any(|x| x == l) {
            out.push(l.to_string());
        }
    }
    pub(super) fn walk(e: &Expr, all: bool, out: &mut Vec<String>) {
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
