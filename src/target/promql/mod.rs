//! PromQL parsing: every stage that reads an expression (meaning, checks,
//! the Prometheus backend) parses it through here.
//!
//! A long-lived process (the language server, which meets every expression
//! again on each keystroke) remembers the parses
//! ([`crate::memo::long_lived`]). A one-shot command does not (a parse is a
//! few kilobytes an alert, 100 MB at 10,000 alerts when each held its own
//! regexes): what the later stages need of an expression is remembered
//! instead (the witness of its tests, `check::witness::find_for`), so a
//! build parses an alert's expression once in its checks and once for its
//! recording-rule labels.

use promql_parser::parser::Expr;

use crate::memo::Memo;

mod lex;
mod regexes;
pub mod shapes;

/// Large enough for every expression of a very large project (a build
/// meets each several times: a smaller memo would be cleared between the
/// meetings and parse them all again), bounded all the same.
static PARSED: Memo<String, Result<Expr, String>> = Memo::new(262_144);

/// `promql_parser::parser::parse`: parsed once per shape where the text
/// has one (see `shapes`), compiling each distinct regex matcher once (see
/// `regexes`), and remembered in a long-lived process
/// ([`crate::memo::long_lived`]).
pub fn parse(text: &str) -> Result<Expr, String> {
    if crate::memo::is_long_lived() {
        PARSED.get_or(text, || parse_once(text))
    } else {
        parse_once(text)
    }
}

fn parse_once(text: &str) -> Result<Expr, String> {
    match shapes::Shape::of(text).and_then(|s| s.expr()) {
        Some(e) => Ok(e),
        None => regexes::parse(text),
    }
}
