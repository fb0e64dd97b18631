//! PromQL parsing, remembered: every stage that reads an expression
//! (meaning, checks, the Prometheus backend) parses it through here, so an
//! expression is parsed once per process (see [`crate::memo`]).

use promql_parser::parser::{self, Expr};

use crate::memo::Memo;

static PARSED: Memo<String, Result<Expr, String>> = Memo::new(16_384);

/// `promql_parser::parser::parse`, remembered.
pub fn parse(text: &str) -> Result<Expr, String> {
    PARSED.get_or(text, || parser::parse(text))
}
