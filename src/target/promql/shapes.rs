//! Expressions parsed once per shape.
//!
//! Templated alerts differ only in the values of their equality matchers
//! (`{job="api"}`, `{job="web"}`, …). [`Shape::of`] writes an expression
//! with each such value replaced by a numbered placeholder; the shape's
//! text is parsed once ([`Shape::expr`], remembered) and each expression
//! gets the shared tree with its own values put back. The shape is also
//! what the witness search shares (`check::witness`).
//!
//! **Invariant:** [`Shape::expr`] is what `promql_parser` gives for the
//! original text, or `None` (the caller parses the text). An equality
//! matcher's value is data the parser stores and never reads, so the
//! shape's tree with the values put back is the original's tree. Where the
//! placeholders could have landed anywhere else, the answer is `None`:
//! each must be the whole value of an equality matcher on a label other
//! than `__name__`, as many as were written.
//!
//! A placeholder is private-use text (U+F8FE, a number, U+F8FE), distinct
//! from the mark of `regexes`; a text already holding U+F8FE has no shape.

use std::sync::Arc;

use promql_parser::label::{MatchOp, Matcher, Matchers};
use promql_parser::parser::Expr;

use super::lex::{comment_end, quote_after, string_end};
use crate::memo::Memo;

pub const MARK: char = '\u{F8FE}';

/// Parses of shapes: `None` where the shape's tree cannot stand for its
/// expressions'. Bounded; shapes repeat far more than they differ.
static PARSED: Memo<String, Option<Arc<Expr>>> = Memo::new(4_096);

/// An expression's shape and the values it was written with.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// The text with placeholders: equal for expressions that differ only
    /// in the replaced values.
    pub text: String,
    /// The value of placeholder `i` (each distinct value once).
    pub values: Vec<String>,
}

/// Placeholder `i`, as written in a shape.
pub fn placeholder(i: usize) -> String {
    format!("{MARK}{i}{MARK}")
}

/// The number of the placeholder `value` is, if it is one.
pub fn placeholder_index(value: &str) -> Option<usize> {
    let inner = value.strip_prefix(MARK)?.strip_suffix(MARK)?;
    if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    inner.parse().ok()
}

impl Shape {
    /// The shape of `text`: every non-empty value of an equality matcher
    /// (`name = "value"`) on a label other than `__name__` replaced, where
    /// the parser takes the value as written (no escapes, no control
    /// characters, which a quoted string refuses); `None` where there is none, or where the text
    /// is not plainly readable.
    pub fn of(text: &str) -> Option<Shape> {
        if text.contains(MARK) {
            return None;
        }
        let b = text.as_bytes();
        let mut out = String::with_capacity(text.len() + 8);
        let mut values: Vec<String> = Vec::new();
        let mut copied = 0;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'"' | b'\'' | b'`' => i = string_end(b, i)?,
                b'#' => i = comment_end(b, i),
                b'=' => {
                    let after = b.get(i + 1).copied();
                    i += 1;
                    // `==`, `=~`: not an equality matcher (nor are `!=`,
                    // `<=`, `>=`: no label name just before).
                    if matches!(after, Some(b'=' | b'~')) {
                        i += 1;
                        continue;
                    }
                    let Some(q) = quote_after(b, i) else {
                        continue;
                    };
                    let end = string_end(b, q)?;
                    let value = &text[q + 1..end - 1];
                    if label_before(text, i - 1).is_some_and(|l| l != "__name__")
                        && !value.is_empty()
                        && !value.contains(|c: char| c == '\\' || c.is_control())
                    {
                        let n = match values.iter().position(|v| v == value) {
                            Some(n) => n,
                            None => {
                                values.push(value.to_string());
                                values.len() - 1
                            }
                        };
                        out.push_str(&text[copied..=q]);
                        out.push_str(&placeholder(n));
                        copied = end - 1;
                    }
                    i = end;
                }
                _ => i += 1,
            }
        }
        if values.is_empty() {
            return None;
        }
        out.push_str(&text[copied..]);
        Some(Shape { text: out, values })
    }

    /// The tree of the expression this shape was taken from, as the parser
    /// gives it; `None` where the shared parse cannot stand for it.
    pub fn expr(&self) -> Option<Expr> {
        let shared = self.shared()?;
        let mut e = (*shared).clone();
        put_back(&mut e, &self.values).then_some(e)
    }

    /// The shape's own tree, placeholders in it (parsed once).
    pub fn shared(&self) -> Option<Arc<Expr>> {
        PARSED.get_or(self.text.as_str(), || {
            let e = super::regexes::parse(&self.text).ok()?;
            let written = self.text.matches(MARK).count() / 2;
            (count(&e) == Some(written)).then(|| Arc::new(e))
        })
    }
}

/// The label name just before the `=` at `eq` (spaces allowed between).
fn label_before(text: &str, eq: usize) -> Option<&str> {
    let b = text.as_bytes();
    let mut end = eq;
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
        start -= 1;
    }
    let name = &text[start..end];
    name.bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        .then_some(name)
}

/// How many placeholders `e` holds, each the whole value of an equality
/// matcher on a label other than `__name__`; `None` where one is anywhere
/// else.
fn count(e: &Expr) -> Option<usize> {
    let matchers = |ms: &Matchers| -> Option<usize> {
        let mut n = 0;
        for m in ms.matchers.iter().chain(ms.or_matchers.iter().flatten()) {
            if m.name.contains(MARK) {
                return None;
            }
            if m.value.contains(MARK) {
                if !matches!(m.op, MatchOp::Equal) || m.name == "__name__" || placeholder_index(&m.value).is_none() {
                    return None;
                }
                n += 1;
            }
        }
        Some(n)
    };
    match e {
        Expr::Aggregate(a) => Some(count(&a.expr)? + a.param.as_ref().map_or(Some(0), |p| count(p))?),
        Expr::Unary(u) => count(&u.expr),
        Expr::Binary(b) => Some(count(&b.lhs)? + count(&b.rhs)?),
        Expr::Paren(p) => count(&p.expr),
        Expr::Subquery(s) => count(&s.expr),
        Expr::NumberLiteral(_) => Some(0),
        Expr::StringLiteral(s) => (!s.val.contains(MARK)).then_some(0),
        Expr::VectorSelector(v) => (!v.name.as_ref().is_some_and(|n| n.contains(MARK)))
            .then_some(())
            .and_then(|()| matchers(&v.matchers)),
        Expr::MatrixSelector(m) => (!m.vs.name.as_ref().is_some_and(|n| n.contains(MARK)))
            .then_some(())
            .and_then(|()| matchers(&m.vs.matchers)),
        Expr::Call(c) => c.args.args.iter().map(|a| count(a)).sum(),
        Expr::Extension(_) => None,
    }
}

/// Replaces each placeholder of `e` with its value; `false` where one
/// has none.
fn put_back(e: &mut Expr, values: &[String]) -> bool {
    let each = |ms: &mut [Matcher]| {
        ms.iter_mut().all(|m| match placeholder_index(&m.value) {
            Some(i) => values.get(i).map(|v| m.value.clone_from(v)).is_some(),
            None => true,
        })
    };
    match e {
        Expr::Aggregate(a) => put_back(&mut a.expr, values) && a.param.as_mut().is_none_or(|p| put_back(p, values)),
        Expr::Unary(u) => put_back(&mut u.expr, values),
        Expr::Binary(b) => put_back(&mut b.lhs, values) && put_back(&mut b.rhs, values),
        Expr::Paren(p) => put_back(&mut p.expr, values),
        Expr::Subquery(s) => put_back(&mut s.expr, values),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => true,
        Expr::VectorSelector(v) => {
            each(&mut v.matchers.matchers) && v.matchers.or_matchers.iter_mut().all(|ms| each(ms))
        }
        Expr::MatrixSelector(m) => {
            each(&mut m.vs.matchers.matchers) && m.vs.matchers.or_matchers.iter_mut().all(|ms| each(ms))
        }
        Expr::Call(c) => c.args.args.iter_mut().all(|a| put_back(a, values)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use promql_parser::parser;

    #[test]
    fn equality_values_become_placeholders() {
        let s =
            Shape::of(r#"sum(rate(x{job="api",code=~"5..", env = 'prod'}[5m])) / sum(rate(x{job="api"}[5m])) > 0.05"#)
                .expect("a shape");
        assert_eq!(s.values, ["api", "prod"]);
        let (p0, p1) = (placeholder(0), placeholder(1));
        assert_eq!(
            s.text,
            format!(
                r#"sum(rate(x{{job="{p0}",code=~"5..", env = '{p1}'}}[5m])) / sum(rate(x{{job="{p0}"}}[5m])) > 0.05"#
            )
        );
        let other =
            Shape::of(r#"sum(rate(x{job="web",code=~"5..", env = 'dev'}[5m])) / sum(rate(x{job="web"}[5m])) > 0.05"#);
        assert_eq!(other.map(|o| o.text), Some(s.text));
    }

    #[test]
    fn what_is_not_an_equality_value_stays() {
        for text in [
            r#"x{job!="a"} > 1"#,
            r#"x{job=~"a"} > 1"#,
            r#"x{job=""} > 1"#,
            r#"x{job="a\"b"} > 1"#,
            "x{job=\"a\nb\"} > 1",
            r#"{__name__="x"} > 1"#,
            r#"x > 1 # {job="a"}"#,
            r#"label_replace(x, "a", "b", "c", "d")"#,
            r#"x == 1 and y >= 2 and z <= 3 and w != 4"#,
            "x{job=\"\u{F8FE}\"}",
            r#"x{"job"="a"}"#,
        ] {
            assert_eq!(Shape::of(text), None, "{text}");
        }
    }

    #[test]
    fn the_shared_tree_with_values_put_back_is_the_parsers() {
        for text in [
            r#"sum(rate(http_requests_total{job="t0s0",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="t0s0"}[5m])) > 0.05"#,
            r#"up{job="a", instance="b"} == 0 or absent(up{job="a"})"#,
            r#"x{a="1" or b="2"} > 1"#,
            r#"max_over_time(x{a="v"}[10m:1m]) > 1"#,
            r#"count_values("k", x{a="v"}) > 1"#,
            "x{a=`raw`} > 1",
            r#"x{a="v"} offset 5m > 1"#,
        ] {
            let s = Shape::of(text).expect("a shape");
            assert_eq!(s.expr().ok_or(()), parser::parse(text).map_err(|_| ()), "{text}");
        }
        // A placeholder the parser would read as something else: no tree.
        let odd = Shape {
            text: format!(r#"label_replace(x, "{}", "b", "c", "d")"#, placeholder(0)),
            values: vec!["a".into()],
        };
        assert_eq!(odd.expr(), None);
    }
}
