//! GitHub Actions facts shared by the model builder, the checks and the
//! workflow backend.

/// GitHub's escape for text that must stay text: `${{` written as an
/// expression whose value is the string `${{`.
pub const ESCAPED_OPEN: &str = "${{ '${{' }}";

/// `text`, with every `${{` made to reach GitHub as literal text.
pub fn escape_literal(text: &str) -> String {
    text.replace("${{", ESCAPED_OPEN)
}

#[cfg(test)]
mod tests {
    #[test]
    fn literal_openers_become_expressions_of_themselves() {
        assert_eq!(super::escape_literal("a ${{ b }}"), "a ${{ '${{' }} b }}");
        assert_eq!(super::escape_literal("${ {{"), "${ {{");
    }
}
