//! PromQL, checked where the user wrote it: alert expressions and SLO
//! queries (after `${window}` substitution, for every window the rules
//! use) are parsed with promql-parser. Its errors carry no position, so the
//! offending text is located from the message (an unmatched bracket, a
//! quoted token, a function name); failing that, the whole expression is
//! labelled with the parser's message.
//!
//! Warnings on alert expressions: not a condition (no comparison and no
//! `absent`), a bare range selector, `histogram_quantile` over an
//! aggregation that drops `le`.

use promql_parser::label::Labels;
use promql_parser::parser::{Expr, LabelModifier};

/// A finding: byte range in the expression text, message, help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub message: String,
    /// What the text at `start..end` was likely meant to be.
    pub suggestion: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Syntax,
    NotCondition,
    BareRange,
    QuantileWithoutLe,
}

/// Parses `expr`; on failure, the parser's message and where it points.
pub fn parse(expr: &str) -> Result<Expr, Finding> {
    crate::target::promql::parse(expr).map_err(|message| {
        let (start, end) = locate(expr, &message);
        let (message, suggestion) = reword(&message);
        Finding {
            kind: Kind::Syntax,
            start,
            end,
            message,
            suggestion,
        }
    })
}

/// PromQL's functions (Prometheus 3), for did-you-mean.
const FUNCTIONS: [&str; 72] = [
    "abs",
    "absent",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "count_over_time",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "delta",
    "deriv",
    "exp",
    "floor",
    "histogram_avg",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_sum",
    "holt_winters",
    "hour",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "mad_over_time",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "rate",
    "resets",
    "round",
    "scalar",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_by_label",
    "sort_by_label_desc",
    "sort_desc",
    "sqrt",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "timestamp",
];

/// The parser's message in dvcc's words (names in backticks), and the
/// name likely meant for an unknown function.
fn reword(message: &str) -> (String, Option<String>) {
    if let Some(rest) = message.strip_prefix("unknown function with name '")
        && let Some(name) = rest.strip_suffix('\'')
    {
        let near = crate::diag::suggest::did_you_mean(name, FUNCTIONS.iter().copied());
        let text = match near {
            Some(n) => format!("`{name}` is not a PromQL function; did you mean `{n}`?"),
            None => format!("`{name}` is not a PromQL function"),
        };
        return (text, near.map(str::to_string));
    }
    // 'x' → `x`, as every other message quotes code.
    let mut out = String::new();
    for (i, piece) in message.split('\'').enumerate() {
        if i > 0 {
            out.push('`');
        }
        out.push_str(piece);
    }
    if message.matches('\'').count() % 2 == 1 {
        return (message.to_string(), None);
    }
    (out, None)
}

/// Parses an alert expression and checks that it is a sensible condition;
/// the parse is returned for the caller's other uses (`None` when it does
/// not parse).
pub fn check_alert_parsed(expr: &str) -> (Vec<Finding>, Option<Expr>) {
    match parse(expr) {
        Ok(ast) => (alert_findings(expr, &ast), Some(ast)),
        Err(f) => (vec![f], None),
    }
}

fn alert_findings(expr: &str, ast: &Expr) -> Vec<Finding> {
    let whole = |kind, message: String| Finding {
        kind,
        start: 0,
        end: expr.len(),
        message,
        suggestion: None,
    };
    let mut out = Vec::new();
    let top = unparen(ast);
    if matches!(top, Expr::MatrixSelector(_) | Expr::Subquery(_)) {
        out.push(whole(
            Kind::BareRange,
            "the expression is a range selector, which an alert cannot evaluate".into(),
        ));
    } else if !is_condition(top) {
        out.push(whole(
            Kind::NotCondition,
            "the expression is not a condition: it returns every series, so the alert always fires".into(),
        ));
    }
    quantiles(ast, expr, &mut out);
    out
}

fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        other => other,
    }
}

/// Whether `e` yields a filtered vector: only the series for which something
/// holds, so that an alert on it fires only then. A comparison without
/// `bool`; `absent`; `and` with a filter on either side (it keeps the left
/// series where the right has a match) and `unless` (it drops the left
/// series where the right has one); `or` of two filters; arithmetic with a
/// filter on either side (only matched series remain); an aggregation,
/// `topk`/`bottomk` or a function over a filter (groups and series exist
/// only where the filter let some through).
fn is_condition(e: &Expr) -> bool {
    match unparen(e) {
        Expr::Binary(b) if b.op.is_comparison_operator() => !b.modifier.as_ref().is_some_and(|m| m.return_bool),
        Expr::Binary(b) => {
            let op = b.op.to_string().to_ascii_lowercase();
            match op.as_str() {
                "and" => is_condition(&b.lhs) || is_condition(&b.rhs),
                "unless" => true,
                "or" => is_condition(&b.lhs) && is_condition(&b.rhs),
                // Arithmetic between vectors keeps only matched series; a
                // scalar side keeps the vector side's series.
                _ => is_condition(&b.lhs) || is_condition(&b.rhs),
            }
        }
        Expr::Call(c) if matches!(c.func.name, "absent" | "absent_over_time") => true,
        // Functions that make series rather than pass them on.
        Expr::Call(c) if matches!(c.func.name, "vector" | "time" | "scalar") => false,
        Expr::Call(c) => c.args.args.iter().any(|a| is_condition(a)),
        Expr::Aggregate(a) => is_condition(&a.expr),
        Expr::Subquery(s) => is_condition(&s.expr),
        Expr::Unary(u) => is_condition(&u.expr),
        _ => false,
    }
}

/// `histogram_quantile(q, agg(...))` where the aggregation drops `le`.
fn quantiles(e: &Expr, text: &str, out: &mut Vec<Finding>) {
    match e {
        Expr::Call(c) => {
            if c.func.name == "histogram_quantile"
                && let Some(arg) = c.args.args.get(1)
                && let Expr::Aggregate(a) = unparen(arg)
            {
                let keeps_le = match &a.modifier {
                    Some(LabelModifier::Include(l)) => has_le(l),
                    Some(LabelModifier::Exclude(l)) => !has_le(l),
                    None => false,
                };
                if !keeps_le {
                    let at = text.find("histogram_quantile").unwrap_or(0);
                    out.push(Finding {
                        kind: Kind::QuantileWithoutLe,
                        start: at,
                        end: at + "histogram_quantile".len(),
                        message: "histogram_quantile needs the `le` label, which this aggregation drops".into(),
                        suggestion: None,
                    });
                }
            }
            for a in &c.args.args {
                quantiles(a, text, out);
            }
        }
        Expr::Aggregate(a) => quantiles(&a.expr, text, out),
        Expr::Binary(b) => {
            quantiles(&b.lhs, text, out);
            quantiles(&b.rhs, text, out);
        }
        Expr::Paren(p) => quantiles(&p.expr, text, out),
        Expr::Unary(u) => quantiles(&u.expr, text, out),
        Expr::Subquery(s) => quantiles(&s.expr, text, out),
        _ => {}
    }
}

fn has_le(l: &Labels) -> bool {
    l.labels.iter().any(|x| x == "le")
}

/// Where a parser message points in `expr`: (start, end) byte offsets.
fn locate(expr: &str, message: &str) -> (usize, usize) {
    let whole = (0, expr.len());
    let m = message.to_ascii_lowercase();
    if m.contains("unclosed left parenthesis") {
        return unmatched_open(expr, '(', ')').map_or(whole, |p| (p, p + 1));
    }
    if m.contains("unexpected right parenthesis") {
        return unmatched_close(expr, '(', ')').map_or(whole, |p| (p, p + 1));
    }
    if m.contains("inside braces") && m.contains("end of input") {
        return unmatched_open(expr, '{', '}').map_or(whole, |p| (p, p + 1));
    }
    if m.contains("unclosed left bracket") || m.contains("inside brackets") && m.contains("end of input") {
        return unmatched_open(expr, '[', ']').map_or(whole, |p| (p, p + 1));
    }
    // A quoted token: 'foo', ')', or a value after a colon.
    let quoted = message.split('\'').nth(1).filter(|q| !q.is_empty());
    let after_colon = message.rsplit_once(": ").map(|(_, v)| v.trim());
    for token in [quoted, after_colon].into_iter().flatten() {
        if let Some(p) = outside_strings(expr, token) {
            return (p, p + token.len());
        }
    }
    whole
}

/// Byte offsets of `expr` that are not inside a quoted string.
fn code_positions(expr: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in expr.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None => out.push((i, c)),
        }
    }
    out
}

fn unmatched_open(expr: &str, open: char, close: char) -> Option<usize> {
    let mut stack = Vec::new();
    for (i, c) in code_positions(expr) {
        if c == open {
            stack.push(i);
        } else if c == close {
            stack.pop();
        }
    }
    stack.pop()
}

fn unmatched_close(expr: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in code_positions(expr) {
        if c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return Some(i);
            }
            depth -= 1;
        }
    }
    None
}

fn outside_strings(expr: &str, token: &str) -> Option<usize> {
    let positions = code_positions(expr);
    let mut from = 0;
    while let Some(p) = expr[from..].find(token) {
        let at = from + p;
        if token.chars().all(|c| c == '"' || c == '\'') || positions.iter().any(|(i, _)| *i == at) {
            return Some(at);
        }
        from = at + token.len().max(1);
    }
    None
}

/// `${window}` replaced by `window`, with a map from positions in the
/// result back to positions in the original.
pub fn substitute_window(expr: &str, window: &str) -> (String, impl Fn(usize) -> usize + use<>) {
    const NEEDLE: &str = "${window}";
    let mut out = String::with_capacity(expr.len());
    // (position in the output where a substitution ends, shift to apply)
    let mut shifts: Vec<(usize, isize)> = Vec::new();
    let mut rest = expr;
    let mut shift: isize = 0;
    while let Some(p) = rest.find(NEEDLE) {
        out.push_str(&rest[..p]);
        out.push_str(window);
        shift += NEEDLE.len() as isize - window.len() as isize;
        shifts.push((out.len(), shift));
        rest = &rest[p + NEEDLE.len()..];
    }
    out.push_str(rest);
    let back = move |pos: usize| {
        let s = shifts.iter().rev().find(|(at, _)| pos >= *at).map_or(0, |(_, s)| *s);
        (pos as isize + s).max(0) as usize
    };
    (out, back)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_alert(expr: &str) -> Vec<Finding> {
        check_alert_parsed(expr).0
    }

    #[test]
    fn typical_expressions_are_accepted() {
        for ok in [
            "sum(rate(http_requests_total{job=\"api\",status=~\"5..\"}[5m])) / sum(rate(http_requests_total{job=\"api\"}[5m])) > 0.05",
            "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) > 0.5",
            "absent(up{job=\"x\"})",
            "up == 0",
            "sum by (job) (rate(e[5m])) / on(job) group_left sum by (job) (rate(t[5m])) > 0.1",
            "rate(x[5m] offset 1h) > 1",
            "avg_over_time(up[10m:1m]) < 0.9",
            "(x > 1) and on(instance) y",
            "rate(x[5m] @ 1700000000) > 1",
            "sum without (instance) (rate(x[5m])) > 1",
            "max_over_time(up[1h:5m]) > 0 unless ignoring(job) y",
            "count by (job) (up == 0) / count by (job) (up) > 0.5",
        ] {
            assert_eq!(check_alert(ok), vec![], "{ok}");
        }
    }

    #[test]
    fn mistakes_are_located() {
        let f = check_alert("sum(rate(x[5m]) > 1");
        assert_eq!((f[0].kind, f[0].start, f[0].end), (Kind::Syntax, 3, 4), "{f:?}");
        let f = check_alert("rate(x[5x]) > 1");
        assert_eq!(&"rate(x[5x]) > 1"[f[0].start..f[0].end], "5x");
        let f = check_alert("foo(x) > 1");
        assert_eq!(&"foo(x) > 1"[f[0].start..f[0].end], "foo");
        let f = check_alert("sum(rate(x[5m]))) > 1");
        assert_eq!(f[0].start, 16);
        // The parser reads on inside the braces and stops at the `>`.
        let f = check_alert("x{job=~\"5..\" > 1");
        assert_eq!(&"x{job=~\"5..\" > 1"[f[0].start..f[0].end], ">");
    }

    #[test]
    fn warnings() {
        assert_eq!(check_alert("sum(rate(x[5m]))")[0].kind, Kind::NotCondition);
        assert_eq!(check_alert("x > bool 1")[0].kind, Kind::NotCondition);
        assert_eq!(check_alert("x[5m]")[0].kind, Kind::BareRange);
        assert_eq!(
            check_alert("histogram_quantile(0.9, sum(rate(b[5m]))) > 1")[0].kind,
            Kind::QuantileWithoutLe
        );
        assert_eq!(
            check_alert("histogram_quantile(0.9, sum without (le) (rate(b[5m]))) > 1")[0].kind,
            Kind::QuantileWithoutLe
        );
        assert!(check_alert("histogram_quantile(0.9, sum without (job) (rate(b[5m]))) > 1").is_empty());
    }

    /// Every form that yields a filtered vector is a condition; forms that
    /// return every series are not.
    #[test]
    fn filtered_vectors_are_conditions() {
        for e in [
            "x and (y > 1)",
            "(x > 1) and y",
            "x unless y",
            "count(up == 0) by (job)",
            "topk(1, x > 3)",
            "bottomk(3, rate(x[5m]) > 0)",
            "(x > 1) * 100",
            "sum by (job) (rate(errors[5m]) > 0.1) / sum by (job) (rate(total[5m]))",
            "label_replace(up == 0, \"a\", \"$1\", \"job\", \"(.*)\")",
            "max_over_time((x > 1)[10m:1m])",
            "absent(up{job=\"api\"})",
            "absent_over_time(up[5m])",
            "(x > 1) or (y < 2)",
            "-(x > 1)",
        ] {
            assert!(check_alert(e).is_empty(), "{e}: {:?}", check_alert(e));
        }
        for e in [
            "x",
            "x and y",
            "topk(1, x)",
            "sum(rate(x[5m]))",
            "x or (y > 1)",
            "vector(1)",
            "x * 100",
        ] {
            assert_eq!(check_alert(e).first().map(|f| f.kind), Some(Kind::NotCondition), "{e}");
        }
    }

    #[test]
    fn window_substitution_maps_back() {
        let (s, back) = substitute_window("rate(x[${window}]) / rate(y[${window}]", "5m");
        assert_eq!(s, "rate(x[5m]) / rate(y[5m]");
        assert_eq!(back(s.find("rate(y").unwrap_or(0)), "rate(x[${window}]) / ".len());
    }
}
