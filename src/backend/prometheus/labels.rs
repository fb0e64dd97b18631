//! The labels an alert's series can carry, read from its expression, so
//! that the labels dvcc adds for routing (`service`, `team`) never replace a
//! label the series have: such a label is set on the rule only where the
//! expression's result provably lacks it (an aggregation that keeps other
//! labels, `absent` of other labels, a constant), and otherwise added to
//! each series that lacks it with `label_replace`, which leaves a series'
//! own value alone.

use std::collections::BTreeSet;

use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, LabelModifier, VectorMatchCardinality};

/// The labels every series of `e`'s result can have: `Some(set)` when
/// known, `None` when labels of the input may pass through.
pub fn result_labels(e: &Expr) -> Option<BTreeSet<String>> {
    match e {
        Expr::Paren(p) => result_labels(&p.expr),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Some(BTreeSet::new()),
        Expr::Unary(u) => result_labels(&u.expr),
        Expr::Aggregate(a) => {
            let op = a.op.to_string().to_ascii_lowercase();
            match op.as_str() {
                // These return input series as they are.
                "topk" | "bottomk" | "limitk" | "limit_ratio" => result_labels(&a.expr),
                // It adds a label named by its parameter.
                "count_values" => None,
                _ => match &a.modifier {
                    Some(LabelModifier::Include(l)) => Some(l.labels.iter().cloned().collect()),
                    Some(LabelModifier::Exclude(l)) => {
                        result_labels(&a.expr).map(|s| s.into_iter().filter(|x| !l.labels.contains(x)).collect())
                    }
                    None => Some(BTreeSet::new()),
                },
            }
        }
        Expr::Binary(b) => {
            if scalar(&b.lhs) {
                return result_labels(&b.rhs);
            }
            if scalar(&b.rhs) {
                return result_labels(&b.lhs);
            }
            let op = b.op.to_string().to_ascii_lowercase();
            let card = b.modifier.as_ref().map(|m| &m.card);
            match op.as_str() {
                "and" | "unless" => result_labels(&b.lhs),
                "or" => {
                    let (l, r) = (result_labels(&b.lhs)?, result_labels(&b.rhs)?);
                    Some(l.union(&r).cloned().collect())
                }
                // One-to-one matching: the left side's labels.
                _ => match card {
                    None | Some(VectorMatchCardinality::OneToOne) => result_labels(&b.lhs),
                    _ => None,
                },
            }
        }
        Expr::Call(c) => match c.func.name {
            "absent" | "absent_over_time" => Some(
                c.args
                    .args
                    .first()
                    .and_then(|a| selector_equalities(a))
                    .unwrap_or_default(),
            ),
            "vector" | "time" | "scalar" | "pi" => Some(BTreeSet::new()),
            "label_replace" | "label_join" => {
                let mut s = result_labels(c.args.args.first()?)?;
                if let Some(Expr::StringLiteral(dst)) = c.args.args.get(1).map(|a| a.as_ref()) {
                    s.insert(dst.val.clone());
                }
                Some(s)
            }
            "histogram_quantile" => {
                let mut s = result_labels(c.args.args.get(1)?)?;
                s.remove("le");
                Some(s)
            }
            // Other functions keep their vector argument's labels.
            _ => {
                let vector = c
                    .args
                    .args
                    .iter()
                    .find(|a| !scalar(a) && !matches!(a.as_ref(), Expr::StringLiteral(_)))?;
                result_labels(vector)
            }
        },
        _ => None,
    }
}

/// The labels `absent(selector)` gives its one series: the selector's
/// equality matchers.
fn selector_equalities(e: &Expr) -> Option<BTreeSet<String>> {
    let v = match e {
        Expr::VectorSelector(v) => v,
        Expr::MatrixSelector(m) => &m.vs,
        Expr::Paren(p) => return selector_equalities(&p.expr),
        _ => return None,
    };
    Some(
        v.matchers
            .matchers
            .iter()
            .filter(|m| matches!(m.op, MatchOp::Equal) && m.name != "__name__")
            .map(|m| m.name.clone())
            .collect(),
    )
}

/// Whether `e` is a scalar (a number, `time()`, `scalar(...)`, arithmetic
/// of scalars).
fn scalar(e: &Expr) -> bool {
    match e {
        Expr::NumberLiteral(_) => true,
        Expr::Paren(p) => scalar(&p.expr),
        Expr::Unary(u) => scalar(&u.expr),
        Expr::Call(c) => matches!(c.func.name, "time" | "scalar" | "pi"),
        Expr::Binary(b) => scalar(&b.lhs) && scalar(&b.rhs),
        _ => false,
    }
}

/// `expr` with `label` set to `value` on each series that lacks it: as
/// written when the result provably lacks it (the label goes on the rule
/// instead, `None`), else wrapped in `label_replace`.
pub fn add_if_absent(expr: &str, label: &str, value: &str) -> Option<String> {
    add_if_absent_known(expr, known(expr).as_ref(), label, value)
}

/// The labels every series of `expr`'s result provably carries (`None`:
/// not known).
pub fn known(expr: &str) -> Option<BTreeSet<String>> {
    crate::target::promql::parse(expr)
        .ok()
        .and_then(|ast| result_labels(&ast))
}

/// [`add_if_absent`] with `expr`'s [`known`] labels already found (a rule
/// adding two labels parses its expression once).
pub fn add_if_absent_known(expr: &str, known: Option<&BTreeSet<String>>, label: &str, value: &str) -> Option<String> {
    match known {
        Some(labels) if !labels.contains(label) => None,
        _ => Some(format!(
            "label_replace(\n{}\n, \"{label}\", \"{}\", \"{label}\", \"\")",
            expr.trim_end(),
            value.replace('\\', "\\\\").replace('"', "\\\"")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(e: &str) -> Option<Vec<String>> {
        result_labels(&promql_parser::parser::parse(e).expect("parses")).map(|s| s.into_iter().collect())
    }

    #[test]
    fn result_labels_follow_promql() {
        assert_eq!(labels("sum(rate(x[5m])) > 1"), Some(vec![]));
        assert_eq!(
            labels("sum by (job, service) (rate(x[5m])) > 1"),
            Some(vec!["job".into(), "service".into()])
        );
        assert_eq!(labels("rate(x[5m]) > 1"), None);
        assert_eq!(
            labels("absent(up{job=\"api\", instance=~\".+\"})"),
            Some(vec!["job".into()])
        );
        assert_eq!(labels("count(up == 0) by (job) > 0"), Some(vec!["job".into()]));
        assert_eq!(
            labels("sum by (job) (rate(e[5m])) / sum by (job) (rate(t[5m])) > 0.1"),
            Some(vec!["job".into()])
        );
        assert_eq!(labels("topk(1, sum by (pod) (x))"), Some(vec!["pod".into()]));
        assert_eq!(
            labels("time() - max by (job) (last_seen) > 300"),
            Some(vec!["job".into()])
        );
        assert_eq!(
            labels("histogram_quantile(0.9, sum by (le, route) (rate(b[5m]))) > 1"),
            Some(vec!["route".into()])
        );
        assert_eq!(labels("sum without (pod) (x)"), None);
        assert_eq!(labels("a * on (x) group_left (y) b"), None);
    }

    #[test]
    fn labels_are_added_only_where_series_lack_them() {
        assert_eq!(add_if_absent("sum(rate(x[5m])) > 1", "service", "api"), None);
        assert_eq!(add_if_absent("sum by (job) (rate(x[5m])) > 1", "service", "api"), None);
        let wrapped = add_if_absent("rate(x[5m]) > 1", "service", "api").expect("wrapped");
        assert_eq!(
            wrapped,
            "label_replace(\nrate(x[5m]) > 1\n, \"service\", \"api\", \"service\", \"\")"
        );
        assert!(promql_parser::parser::parse(&wrapped).is_ok());
        assert!(add_if_absent("sum by (service) (x) > 1", "service", "api").is_some());
    }

    #[test]
    fn a_wrapped_expression_knows_its_new_label_without_a_parse() {
        for expr in ["rate(x[5m]) > 1", "sum by (job) (rate(x[5m])) > 1", "x > 1", "sum(x)"] {
            let once = add_if_absent(expr, "team", "t").unwrap_or_else(|| expr.to_string());
            let mut k = known(expr);
            let fast = match add_if_absent_known(expr, k.as_ref(), "team", "t") {
                Some(w) => {
                    if let Some(k) = k.as_mut() {
                        k.insert("team".to_string());
                    }
                    w
                }
                None => expr.to_string(),
            };
            assert_eq!(once, fast);
            // The second label: known labels updated = the wrapped text parsed.
            assert_eq!(k, known(&fast), "{expr}");
        }
    }
}
