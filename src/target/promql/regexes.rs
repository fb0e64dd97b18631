//! Regex matchers compiled once per pattern.
//!
//! `promql_parser` compiles a regex for every `=~` and `!~` matcher it
//! reads, and compiling is most of a parse (each compile also allocates
//! and clears a large UTF-8 table). Alerts repeat the same few patterns
//! (`code=~"5.."`) across thousands of expressions, so [`parse`] hands the
//! parser equality matchers whose value carries a mark, then puts back the
//! regex matchers with regexes compiled once per pattern.
//!
//! **Invariant:** [`parse`] returns what `promql_parser::parser::parse`
//! returns for the same text, error or tree. Wherever the rewriting could
//! differ (the parser refuses the rewritten text, a pattern does not
//! compile as written, a selector matches only empty values, the mark
//! already occurs in the text, a mark lands anywhere but a matcher) it
//! parses the original text instead.

use promql_parser::label::{MatchOp, Matchers};
use promql_parser::parser::{self, Expr};
use regex::Regex;

use super::lex::{comment_end, quote_after, string_end};
use crate::memo::Memo;

/// Begins the value of a rewritten matcher: a private-use character, then
/// `~` for `=~` or `!` for `!~`, then the pattern.
const MARK: char = '\u{F8FF}';

/// Compiled patterns, as the parser anchors them. Bounded, and small: a
/// regex holds its automata and, once it has matched, its match caches;
/// and patterns repeat far more than they differ.
static COMPILED: Memo<String, Option<Regex>> = Memo::new(256);

/// `promql_parser::parser::parse(text)`, compiling each distinct regex
/// matcher once.
pub fn parse(text: &str) -> Result<Expr, String> {
    let Some((rewritten, marks)) = rewrite(text) else {
        return parser::parse(text);
    };
    let Ok(mut e) = parser::parse(&rewritten) else {
        return parser::parse(text);
    };
    let mut restored = 0;
    if restore(&mut e, &mut restored) && restored == marks {
        Ok(e)
    } else {
        parser::parse(text)
    }
}

/// `text` with every `=~ "p"` written `= "\u{F8FF}~p"` and every `!~ "p"`
/// written `!= "\u{F8FF}!p"`, and how many; `None` when there is none or
/// the text is not plainly readable (the mark in it, an operator where a
/// string should follow).
fn rewrite(text: &str) -> Option<(String, usize)> {
    if text.contains(MARK) || !(text.contains("=~") || text.contains("!~")) {
        return None;
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut marks = 0;
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' | b'`' => i = string_end(b, i)?,
            b'#' => i = comment_end(b, i),
            c @ (b'=' | b'!') if b.get(i + 1) == Some(&b'~') => {
                if i > 0 && matches!(b[i - 1], b'=' | b'!' | b'<' | b'>') {
                    return None;
                }
                let q = quote_after(b, i + 2)?;
                out.push_str(&text[copied..i]);
                out.push_str(if c == b'=' { "=" } else { "!=" });
                out.push_str(&text[i + 2..=q]);
                out.push(MARK);
                out.push(if c == b'=' { '~' } else { '!' });
                copied = q + 1;
                marks += 1;
                i = string_end(b, q)?;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    Some((out, marks))
}

/// Puts back the regex matchers of `e`, counting them; `false` where the
/// result could differ from parsing the original text.
fn restore(e: &mut Expr, restored: &mut usize) -> bool {
    match e {
        Expr::Aggregate(a) => restore(&mut a.expr, restored) && a.param.as_mut().is_none_or(|p| restore(p, restored)),
        Expr::Unary(u) => restore(&mut u.expr, restored),
        Expr::Binary(b) => restore(&mut b.lhs, restored) && restore(&mut b.rhs, restored),
        Expr::Paren(p) => restore(&mut p.expr, restored),
        Expr::Subquery(s) => restore(&mut s.expr, restored),
        Expr::NumberLiteral(_) => true,
        Expr::StringLiteral(s) => !s.val.contains(MARK),
        Expr::VectorSelector(v) => {
            restore_matchers(&mut v.matchers, restored) && (v.name.is_some() || !v.matchers.is_empty_matchers())
        }
        Expr::MatrixSelector(m) => {
            restore_matchers(&mut m.vs.matchers, restored)
                && (m.vs.name.is_some() || !m.vs.matchers.is_empty_matchers())
        }
        Expr::Call(c) => c.args.args.iter_mut().all(|a| restore(a, restored)),
        Expr::Extension(_) => false,
    }
}

fn restore_matchers(ms: &mut Matchers, restored: &mut usize) -> bool {
    for m in ms.matchers.iter_mut().chain(ms.or_matchers.iter_mut().flatten()) {
        if m.name.contains(MARK) {
            return false;
        }
        let Some(rest) = m.value.strip_prefix(MARK) else {
            continue;
        };
        let (negated, pattern) = match (&m.op, rest.chars().next()) {
            (MatchOp::Equal, Some('~')) => (false, &rest[1..]),
            (MatchOp::NotEqual, Some('!')) => (true, &rest[1..]),
            _ => return false,
        };
        let Some(re) = COMPILED.get_or(pattern, || Regex::new(&format!("^(?:{pattern})$")).ok()) else {
            // The parser has its own repairs for some patterns; it decides.
            return false;
        };
        m.op = if negated { MatchOp::NotRe(re) } else { MatchOp::Re(re) };
        m.value = pattern.to_string();
        *restored += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both ways give the same answer, and the rewriting was used where it
    /// should be.
    fn same(text: &str) {
        assert_eq!(parse(text), parser::parse(text), "{text}");
    }

    #[test]
    fn regex_matchers_come_back_as_the_parser_gives_them() {
        for text in [
            r#"sum(rate(http_requests_total{code=~"5..", job!~"batch|cron"}[5m])) > 1"#,
            r#"up{job=~'a.*'} == 0"#,
            "up{job=~`a\\d+`} == 0",
            r#"{__name__=~"foo.+", x="y"}"#,
            r#"foo{a=~"x" or b!~"y", c="d"}"#,
            r#"rate(foo{a =~ "x"}[1m]) / on(a) group_left rate(bar{b!~"\\"q\\""}[1m])"#,
            r#"label_replace(up{a=~"x"}, "dst", "$1", "src", "(.*)")"#,
            "up{a=~\"x\"} # a comment with =~ \"y\"\n + 1",
            r#"count_values("=~", up{a!~"z"})"#,
            r#"max_over_time(up{a=~"x"}[10m:1m])"#,
        ] {
            assert!(rewrite(text).is_some(), "{text}");
            same(text);
        }
    }

    #[test]
    fn where_the_rewriting_could_differ_the_parser_decides() {
        for text in [
            // Only empty values match: an error.
            r#"{a=~".*"}"#,
            r#"{a=~".*" or b!~".+"}"#,
            // The parser repairs this repetition; the regex crate refuses it.
            r#"up{a=~"x{"}"#,
            r#"up{a=~"("}"#,
            r#"up{a=~"x"}[5m] + "\u{F8FF}""#,
            "up{a=~ 1}",
            "up{a=~\"x}",
            r#"up == ~"x""#,
            r#"up{a==~"x"}"#,
            r#"foo{__name__=~"x"}"#,
            "",
        ] {
            same(text);
        }
    }

    #[test]
    fn a_pattern_is_compiled_once() {
        let a = parse(r#"up{zz_once=~"q1..q"}"#).expect("parses");
        let b = parse(r#"down{zz_once=~"q1..q"} > 1"#).expect("parses");
        let regex = |e: &Expr| -> Option<Regex> {
            let vs = match e {
                Expr::VectorSelector(v) => v,
                Expr::Binary(b) => match &*b.lhs {
                    Expr::VectorSelector(v) => v,
                    _ => return None,
                },
                _ => return None,
            };
            vs.matchers.matchers.iter().find_map(|m| match &m.op {
                MatchOp::Re(r) => Some(r.clone()),
                _ => None,
            })
        };
        let (ra, rb) = (regex(&a).expect("a regex"), regex(&b).expect("a regex"));
        assert_eq!(ra.as_str(), "^(?:q1..q)$");
        // One compiled regex, shared: the same pattern string in memory.
        assert!(std::ptr::eq(ra.as_str(), rb.as_str()));
    }
}
