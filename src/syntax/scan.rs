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
    /// How many of the chunks end at a newline found at depth 0 (the
    /// others were cut where the text ends): where nothing after the end
    /// of one of those changes it, and the scan starts afresh.
    settled: usize,
}

pub fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    scan_from(text, 0, &mut out, |_| None);
    out
}

/// The scan of `text`, an edit of `old_text` whose scan is `old`: the same
/// as [`scan`]`(text)`, for the cost of the part that changed (the
/// language server scans the edited file on every keystroke). The chunks
/// that end before the first changed byte are kept; the scan starts again
/// after them, and stops at the first chunk end in the unchanged end of
/// the text where the old scan had one too: from there on the old chunks
/// are the new ones, moved (at such an end every scan starts afresh).
pub fn rescan(old_text: &str, old: &Scan, text: &str) -> Scan {
    let prefix = common_prefix(old_text.as_bytes(), text.as_bytes());
    let suffix = common_suffix(&old_text.as_bytes()[prefix..], &text.as_bytes()[prefix..]);
    // (Strictly before: after a `\r` the scan looks at the next byte.)
    let keep = old.chunks[..old.settled].partition_point(|c| c.end < prefix);
    let start = keep.checked_sub(1).map_or(0, |i| old.chunks[i].end);
    let mut out = Scan {
        chunks: old.chunks[..keep].to_vec(),
        unterminated_comment: None,
        settled: keep,
    };
    // Offsets in the unchanged end: new = old + text.len() - old_text.len().
    let (unchanged, old_len) = (text.len() - suffix, old_text.len());
    let to_old = |at: usize| at + old_len - text.len();
    let resumed = scan_from(text, start, &mut out, |at| {
        if at < unchanged {
            return None;
        }
        let was = to_old(at);
        let j = old.chunks[..old.settled].partition_point(|c| c.end < was);
        (old.chunks.get(j).is_some_and(|c| c.end == was) && j < old.settled).then_some(j + 1)
    });
    if let Some(from) = resumed {
        let moved = |at: usize| at + text.len() - old_len;
        out.settled += old.settled - from;
        out.chunks.extend(old.chunks[from..].iter().map(|c| Chunk {
            start: moved(c.start),
            end: moved(c.end),
            too_deep: c.too_deep.map(moved),
        }));
        out.unterminated_comment = old.unterminated_comment.map(moved);
    }
    out
}

/// How many leading bytes `a` and `b` share (compared a block at a time).
pub(crate) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= n && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..n].iter().zip(&b[at..n]).take_while(|(x, y)| x == y).count()
}

/// How many trailing bytes `a` and `b` share.
pub(crate) fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut len = 0;
    while len + BLOCK <= n && a[n - len - BLOCK..n - len] == b[n - len - BLOCK..n - len] {
        len += BLOCK;
    }
    len + a[..n - len]
        .iter()
        .rev()
        .zip(b[..n - len].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Scans `text` from `start`, where a chunk starts afresh, appending to
/// `out`. After each chunk that ends at a newline at depth 0, `resync`
/// (given where it ends) may say from which of the old scan's chunks on
/// the rest is known: the scan then stops and returns that.
fn scan_from(text: &str, start: usize, out: &mut Scan, resync: impl Fn(usize) -> Option<usize>) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut chunk_start = start;
    let mut has_code = false;
    let mut too_deep = None;
    // Column-0 line starts seen while depth > 0 in the current chunk.
    let mut candidates: Vec<usize> = Vec::new();
    let mut i = start;
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
                    out.settled = out.chunks.len();
                    if let Some(from) = resync(next) {
                        return Some(from);
                    }
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
    None
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

    /// A rescan after an edit is the scan of the edited text, whatever the
    /// edit: in strings, comments, brackets, line ends of every kind.
    #[test]
    fn a_rescan_is_the_scan_of_the_new_text() {
        let texts = [
            "a { x = \"}\" }\n# c\n\nb = 1\nc\n",
            "a {\n  x = 1\nb {\n}\nc = 1\nd x \"y\" {\n}\n",
            "a = `{` # {\nb = \"\"\"\n{\n\"\"\" /* { */\nc = 1",
            "a = 1\r\nb = 2\rc = 3\r\n\r\nd {\r\n}\r\n",
            "a = 1\n/* open\nb = 2\n",
        ];
        let inserts = [
            "", "x", "\n", "\r", "{", "}", "\"", "\"\"\"", "/*", "*/", "#", "[[[", "\nb {\n",
        ];
        let mut rng = crate::testing::Rng(0x2545_f491_4f6c_dd1d);
        let mut next = move |n: usize| rng.below(n);
        for base in texts {
            let mut text = base.to_string();
            let mut scanned = scan(&text);
            for _ in 0..300 {
                let at = next(text.len() + 1);
                let end = (at + next(4)).min(text.len());
                let mut edited = text.clone();
                edited.replace_range(at..end, inserts[next(inserts.len())]);
                let again = rescan(&text, &scanned, &edited);
                assert_eq!(again, scan(&edited), "{text:?} -> {edited:?}");
                (text, scanned) = (edited, again);
                if text.len() > 400 {
                    (text, scanned) = (base.to_string(), scan(base));
                }
            }
        }
        // A `\n` put after a chunk's closing `\r` makes that chunk longer.
        let cr = "a = 1\rb = 2\n";
        let edited = "a = 1\r\nb = 2\n";
        assert_eq!(rescan(cr, &scan(cr), edited), scan(edited));
        let deep = "[".repeat(MAX_DEPTH + 2) + "\na = 1\n";
        let edited = format!("b = 2\n{deep}");
        assert_eq!(rescan(&deep, &scan(&deep), &edited), scan(&edited));
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
