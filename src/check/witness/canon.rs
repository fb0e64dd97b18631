//! Expressions that differ only in the values of their equality matchers
//! share one search: templated alerts (`{job="api"}`, `{job="web"}`, …)
//! are searched once per shape (`target::promql::shapes`), and each gets
//! the shared witness with its own values put back.
//!
//! **Invariant:** a witness through a shape equals the search on the
//! expression itself, witness or reason. It holds because the search and
//! the evaluator only ever compare such a value for equality (with other
//! values and with the strings the search makes up), so renaming values
//! one-to-one renames the result. A shape is shared only where that is so:
//! - each label holding a placeholder has equality matchers only, anywhere
//!   in the expression (a regex or `!=` reads a value's text), and is not
//!   `le` (bucket bounds are read as numbers);
//! - no value looks like a string the search makes up (`dvcc…`, `x0`);
//! - the expression has no string literal (`label_replace` and friends read
//!   label text) and no aggregation that picks series by their order
//!   (`topk`, `bottomk`, `limitk`, `limit_ratio`), since order depends on
//!   the text.
//!
//! Placeholders are private-use text that no escaping changes.

use std::collections::HashMap;

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::Expr;

use super::{NoWitness, Scenario, Witness};
use crate::target::promql::shapes::{MARK, placeholder_index};

/// Aggregations whose result depends on the order of series.
const ORDERED: [&str; 4] = ["topk", "bottomk", "limitk", "limit_ratio"];

/// Whether a value may stand for any other: it cannot meet a string the
/// search makes up (`slots::SHARED`, its `-other` and `x0` candidates, the
/// `dvcc-N` copies, `dvcc_series`).
pub(super) fn plain(value: &str) -> bool {
    !value.is_empty() && !value.starts_with(super::slots::SHARED) && value != "x0"
}

/// Whether the search on a shape's tree (placeholders in it) renames into
/// the search on each of its expressions.
pub(super) fn shareable(shared: &Expr) -> bool {
    let mut labels: HashMap<&str, (bool, bool)> = HashMap::new();
    survey(shared, &mut labels).is_some()
        && labels
            .iter()
            .all(|(name, (placeholder, equal))| !placeholder || (*equal && *name != "le"))
}

/// Per label name: whether a matcher on it holds a placeholder, and
/// whether all are equalities. `None` where nothing may be shared.
fn survey<'e>(e: &'e Expr, labels: &mut HashMap<&'e str, (bool, bool)>) -> Option<()> {
    let mut note = |ms: &'e [Matcher]| {
        for m in ms {
            let seen = labels.entry(m.name.as_str()).or_insert((false, true));
            seen.0 |= placeholder_index(&m.value).is_some();
            seen.1 &= matches!(m.op, MatchOp::Equal);
        }
    };
    match e {
        Expr::VectorSelector(v) => {
            note(&v.matchers.matchers);
            v.matchers.or_matchers.iter().for_each(|ms| note(ms));
            Some(())
        }
        Expr::MatrixSelector(m) => {
            note(&m.vs.matchers.matchers);
            m.vs.matchers.or_matchers.iter().for_each(|ms| note(ms));
            Some(())
        }
        Expr::Aggregate(a) => {
            let op = a.op.to_string().to_ascii_lowercase();
            if ORDERED.contains(&op.as_str()) {
                return None;
            }
            if let Some(p) = &a.param {
                survey(p, labels)?;
            }
            survey(&a.expr, labels)
        }
        Expr::Unary(u) => survey(&u.expr, labels),
        Expr::Binary(b) => {
            survey(&b.lhs, labels)?;
            survey(&b.rhs, labels)
        }
        Expr::Paren(p) => survey(&p.expr, labels),
        Expr::Subquery(s) => survey(&s.expr, labels),
        Expr::Call(c) => c.args.args.iter().try_for_each(|a| survey(a, labels)),
        Expr::NumberLiteral(_) => Some(()),
        Expr::StringLiteral(_) | Expr::Extension(_) => None,
    }
}

/// The search's answer for a shape, with the expression's `values`.
pub(super) fn restore(values: &[String], found: Result<Witness, NoWitness>) -> Result<Witness, NoWitness> {
    match found {
        Ok(w) => Ok(Witness {
            interval: w.interval,
            eval: w.eval,
            fire: scenario(values, w.fire),
            silent: w.silent.map(|s| scenario(values, s)),
        }),
        Err(NoWitness::Unsupported(what)) => Err(NoWitness::Unsupported(text(values, &what, false))),
        Err(other) => Err(other),
    }
}

fn scenario(values: &[String], s: Scenario) -> Scenario {
    Scenario {
        series: s
            .series
            .into_iter()
            .map(|(series, v)| (text(values, &series, true), v))
            .collect(),
    }
}

/// `text` with each placeholder replaced by its value (escaped as a
/// series' label value where `escaped`).
fn text(values: &[String], text: &str, escaped: bool) -> String {
    if !text.contains(MARK) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let after = &rest[at + MARK.len_utf8()..];
        let value = after.find(MARK).and_then(|end| {
            Some((
                values.get(placeholder_index(&rest[at..at + 2 * MARK.len_utf8() + end])?)?,
                end,
            ))
        });
        match value {
            Some((v, end)) => {
                if escaped {
                    out.push_str(&v.replace('\\', "\\\\").replace('"', "\\\""));
                } else {
                    out.push_str(v);
                }
                rest = &after[end + MARK.len_utf8()..];
            }
            // (Not a placeholder of ours: copied as it is.)
            None => {
                out.push(MARK);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::promql::shapes::{Shape, placeholder};

    fn shareable_text(text: &str) -> bool {
        Shape::of(text)
            .and_then(|s| s.shared())
            .is_some_and(|tree| shareable(&tree))
    }

    #[test]
    fn only_values_compared_for_equality_are_shared() {
        assert!(shareable_text(
            r#"sum(rate(x{job="api",code=~"5.."}[5m])) / sum(rate(x{job="api"}[5m])) > 0.05"#
        ));
        // A label also matched by a regex elsewhere keeps its text.
        assert!(!shareable_text(r#"x{job="api"} > 1 and y{job=~"a.*"}"#));
        assert!(!shareable_text(r#"x{job="api"} > 1 unless y{job!="b"}"#));
        // Bucket bounds are numbers; label text feeds `label_replace`;
        // `topk` picks by order.
        assert!(!shareable_text(r#"x_bucket{le="0.5"} > 1"#));
        assert!(!shareable_text(
            r#"label_replace(x{job="a"}, "b", "$1", "job", "(.*)") > 1"#
        ));
        assert!(!shareable_text(r#"topk(1, x{job="a"}) > 1"#));
        // Strings the search makes up.
        assert!(["dvcc", "dvcc-0", "x0", ""].iter().all(|v| !plain(v)));
        assert!(plain("api"));
    }

    #[test]
    fn restoring_escapes_values_as_series_notation_does() {
        let values = ["a\"b\\c".to_string(), "prod".to_string()];
        let series = format!("x{{env=\"{}\",job=\"{}\"}}", placeholder(1), placeholder(0));
        assert_eq!(text(&values, &series, true), r#"x{env="prod",job="a\"b\\c"}"#);
        // Text that is not a placeholder of ours stays.
        let odd = format!("{0}9{0} {0}x", MARK);
        assert_eq!(text(&values, &odd, false), odd);
    }
}
