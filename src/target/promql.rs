//! PromQL parsing, remembered: every stage that reads an expression
//! (meaning, checks, the Prometheus backend) parses it through here, so an
//! expression is parsed once per process (see [`crate::memo`]).

use promql_parser::parser::{self, Expr};

use crate::memo::Memo;

/// Large enough for every expression of a very large project (a build
/// meets each several times: a smaller memo would be cleared between the
/// meetings and parse them all again), bounded all the same.
static PARSED: Memo<String, Result<Expr, String>> = Memo::new(262_144);

/// `promql_parser::parser::parse`, remembered.
pub fn parse(text: &str) -> Result<Expr, String> {
    PARSED.get_or(text, || parser::parse(text))
}
