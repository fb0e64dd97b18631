//! The pre-pass: splits a file into top-level chunks before the parser runs,
//! so that one broken block costs only itself, and guards nesting depth so
//! that the parser's recursion can never overflow the stack.
//!
//! The scanner knows strings (all three forms) and comments, so braces inside
//! them do not count. A chunk ends at a newline where the bracket depth is 0
//! and the chunk holds some code (comments and blank lines join the next
//! chunk). When the file ends with an unclosed bracket, the open region is
//! split again at lines that look like top-level block headers in column 0
//! (`KIND LABEL* {`), so a missing `}` does not swallow every later block.
//!
//! **Invariant:** the chunks are contiguous and cover the whole text.

/// The deepest nesting of `{`, `[` and `(` that dvcc parses.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    /// Offset of the first bracket that went past [`MAX_DEPTH`].
    pub too_deep: Option<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    pub chunks: Vec<Chunk>,
    /// Offset of a `/*` that is never closed.
    pub unterminated_comment: Option<usize>,
}

pub fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let mut out = Scan::default();
    let mut depth = 0usize;
    let mut chunk_start = 0usize;
    let mut has_code = false;
    let mut too_deep = None;
    // Column-0 line starts seen while depth > 0 in the current chunk.
    let mut candidates: Vec<usize> = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            b'\n' | b'\r' => {
                let next = if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                if depth == 0 && has_code {
                    out.chunks.push(Chunk {
                        start: chunk_start,
                        end: next,
                        too_deep: too_deep.take(),
                    });
                    chunk_start = next;
                    has_code = false;
                    candidates.clear();
                } else if depth > 0 {
                    candidates.push(next);
                }
                i = next;
                continue;
            }
            b' ' | b'\t' | b'\x0C' => {}
            b'#' => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                match find(b, i + 2, b"*/") {
                    Some(end) => i = end + 2,
                    None => {
                        out.unterminated_comment.get_or_insert(i);
                        i = b.len();
                    }
                }
                continue;
            }
            b'"' if b.get(i + 1) == Some(&b'"') && b.get(i + 2) == Some(&b'"') => {
                has_code = true;
                i = find(b, i + 3, b"\"\"\"").map_or(b.len(), |end| end + 3);
                continue;
            }
            b'"' => {
                has_code = true;
                i = string_end(b, i + 1, b'"', true);
                continue;
            }
            b'`' => {
                has_code = true;
                i = string_end(b, i + 1, b'`', false);
                continue;
            }
            b'{' | b'[' | b'(' => {
                has_code = true;
                depth += 1;
                if depth > MAX_DEPTH && too_deep.is_none() {
                    too_deep = Some(i);
                }
            }
            b'}' | b']' | b')' => {
                has_code = true;
                depth = depth.saturating_sub(1);
            }
            _ => has_code = true,
        }
        i += 1;
    }
    if chunk_start < b.len() || out.chunks.is_empty() {
        let last = Chunk {
            start: chunk_start,
            end: b.len(),
            too_deep,
        };
        if depth > 0 {
            split_unclosed(text, last, &candidates, &mut out.chunks);
        } else {
            out.chunks.push(last);
        }
    }
    out
}

/// Splits an unclosed chunk at column-0 lines that look like block headers.
fn split_unclosed(text: &str, chunk: Chunk, candidates: &[usize], out: &mut Vec<Chunk>) {
    let mut start = chunk.start;
    for &c in candidates {
        if c > start && c < chunk.end && looks_like_header(text, c) {
            out.push(Chunk {
                start,
                end: c,
                too_deep: chunk.too_deep.filter(|&d| d < c),
            });
            start = c;
        }
    }
    out.push(Chunk {
        start,
        end: chunk.end,
        too_deep: chunk.too_deep.filter(|&d| d >= start),
    });
}

/// `KIND LABEL* {` or `import "..."` starting at `at`, in column 0.
fn looks_like_header(text: &str, at: usize) -> bool {
    let rest = &text[at..];
    let line = rest.split(['\n', '\r']).next().unwrap_or("");
    let first = line.chars().next();
    if !first.is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
        return false;
    }
    if line.starts_with("import ") {
        return true;
    }
    let code = line.split(" #").next().unwrap_or(line);
    let code = code.split(" //").next().unwrap_or(code);
    code.trim_end().ends_with('{') && !code.contains('=')
}

fn line_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
        i += 1;
    }
    i
}

/// The offset just past the closing quote, or of the line end when the string
/// is not closed on its line (the grammar ends such strings there too).
fn string_end(b: &[u8], mut i: usize, quote: u8, escapes: bool) -> usize {
    while i < b.len() {
        match b[i] {
            c if c == quote => return i + 1,
            b'\n' | b'\r' => return i,
            b'\\' if escapes && i + 1 < b.len() && b[i + 1] != b'\n' && b[i + 1] != b'\r' => i += 2,
            _ => i += 1,
        }
    }
    i
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    b[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        scan(text).chunks.iter().map(|c| &text[c.start..c.end]).collect()
    }

    #[test]
    fn splits_at_top_level_items_and_keeps_comments_with_the_next() {
        let text = "a { x = \"}\" }\n# c\n\nb = 1\nc\n";
        assert_eq!(pieces(text), ["a { x = \"}\" }\n", "# c\n\nb = 1\n", "c\n"]);
    }

    #[test]
    fn multi_line_blocks_stay_whole() {
        let text = "a {\n  b {\n  }\n}\nc {}";
        assert_eq!(pieces(text), ["a {\n  b {\n  }\n}\n", "c {}"]);
    }

    #[test]
    fn unclosed_block_is_split_at_the_next_header() {
        let text = "a {\n  x = 1\nb {\n}\nc = 1\nd x \"y\" {\n}\n";
        assert_eq!(pieces(text), ["a {\n  x = 1\n", "b {\n}\nc = 1\n", "d x \"y\" {\n}\n"]);
    }

    #[test]
    fn flush_left_bodies_are_not_split_when_balanced() {
        let text = "a {\nb {\n}\n}\n";
        assert_eq!(pieces(text), [text]);
    }

    #[test]
    fn braces_in_strings_and_comments_do_not_count() {
        let text = "a = `{` # {\nb = \"\"\"\n{\n\"\"\" /* { */\nc = 1";
        assert_eq!(pieces(text).len(), 3);
    }

    #[test]
    fn depth_limit_is_reported() {
        let text = "[".repeat(MAX_DEPTH + 5);
        let s = scan(&text);
        assert_eq!(s.chunks[0].too_deep, Some(MAX_DEPTH));
    }

    #[test]
    fn unterminated_comment() {
        let s = scan("a = 1\n/* open\nb = 2");
        assert_eq!(s.unterminated_comment, Some(6));
    }

    #[test]
    fn chunks_cover_everything() {
        for text in ["", "\n\n", "a", "}\n}", "a {\n\"x\n}", "\r\n a = 1\r\n"] {
            let s = scan(text);
            let mut at = 0;
            for c in &s.chunks {
                assert_eq!(c.start, at);
                at = c.end;
            }
            assert_eq!(at, text.len(), "{text:?}");
        }
    }
}
