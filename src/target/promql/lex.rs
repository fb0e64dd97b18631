//! What the text rewritings (`regexes`, `shapes`) need of PromQL's
//! lexical structure: where string literals and comments end, and where
//! the string after an operator opens.

/// Past the string literal opening at `at` (backquoted strings have no
/// escapes); `None` when it is not closed.
pub(super) fn string_end(b: &[u8], at: usize) -> Option<usize> {
    let quote = b[at];
    let mut i = at + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if quote != b'`' => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Past the comment opening at `at` (`#` to the end of the line).
pub(super) fn comment_end(b: &[u8], at: usize) -> usize {
    b[at..].iter().position(|c| *c == b'\n').map_or(b.len(), |n| at + n)
}

/// Where a string literal opens at `from` or after spaces; `None` when
/// anything else comes first.
pub(super) fn quote_after(b: &[u8], from: usize) -> Option<usize> {
    let q = from + b.get(from..)?.iter().take_while(|c| c.is_ascii_whitespace()).count();
    matches!(b.get(q), Some(b'"' | b'\'' | b'`')).then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_comments_and_quotes() {
        let b = br#"a{x="q\"r"} # c
`raw\`"#;
        assert_eq!(string_end(b, 4), Some(10));
        assert_eq!(comment_end(b, 12), 15);
        assert_eq!(comment_end(b"# end", 0), 5);
        assert_eq!(quote_after(b, 16), Some(16));
        assert_eq!(string_end(b, 16), Some(22));
        assert_eq!(quote_after(b"=  'v'", 1), Some(3));
        assert_eq!(quote_after(b"= v", 1), None);
        assert_eq!(quote_after(b"=", 1), None);
        assert_eq!(string_end(b"\"open", 0), None);
    }
}
