//! The source map: every loaded file gets a [`FileId`]; spans are byte ranges
//! tagged with that id. Lines and columns are computed only at the edges
//! (renderers, the language server) through a per-file [`LineIndex`].
//!
//! **Invariant:** no line or column is stored anywhere else.

use std::fmt;

/// Identifies one file of a [`SourceDb`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: to_u32(start),
            end: to_u32(end.max(start)),
        }
    }

    /// Whether `other` lies inside this span (same file).
    pub fn contains(self, other: Span) -> bool {
        self.file == other.file && self.start <= other.start && other.end <= self.end
    }

    /// The smallest span covering both (they must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// Data that holds spans, each of which can be visited and changed: how
/// what an analysis built is moved to where its text is after an edit
/// (`sema::reuse`). Implementations name every field, so that a field added
/// later must be considered.
pub trait Spans {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span));
}

impl Spans for Span {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        f(self);
    }
}

impl<T: Spans> Spans for Option<T> {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        if let Some(x) = self {
            x.spans(f);
        }
    }
}

impl<T: Spans> Spans for Vec<T> {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        for x in self {
            x.spans(f);
        }
    }
}

/// A value with where it was written (`Exprs`).
impl<T> Spans for (T, Span) {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        f(&mut self.1);
    }
}

fn to_u32(n: usize) -> u32 {
    // Files are capped at `load::MAX_FILE_BYTES` (far below 4 GiB), so this
    // saturation never happens for loaded files.
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A position for people: 1-based line, 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A position as the language server protocol counts: 0-based line,
/// 0-based character offset in UTF-16 code units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

/// Line starts of one text, for byte ↔ line/column conversion: 1-based
/// character columns for people, UTF-16 positions for editors. Lines end
/// at `\n`, `\r\n` or a lone `\r` (as the LSP counts them).
///
/// Lookups cost a binary search plus, on a line with non-ASCII text, a scan
/// of that line only; never a scan from the start of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// Lines holding a non-ASCII character, in order (on the others a byte
    /// is a character and a UTF-16 unit).
    wide: Vec<u32>,
    /// Checkpoints inside long non-ASCII lines, in offset order, so a
    /// lookup scans at most [`MARK_STRIDE`] bytes whatever the line length.
    marks: Vec<Mark>,
}

/// Bytes between two checkpoints of a long non-ASCII line.
const MARK_STRIDE: usize = 4096;

/// A character boundary inside a line, with the characters and UTF-16 units
/// from the line start to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Mark {
    offset: u32,
    chars: u32,
    utf16: u32,
}

/// Where each line starts in `bytes`, which hold no `\r`: after each
/// `\n`. A mask of the newlines of each 32 bytes at a time (the compiler
/// makes it two vector instructions; a search per line set itself up again
/// for every 40-byte line).
fn line_starts(bytes: &[u8]) -> Vec<u32> {
    let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
    starts.push(0);
    let mut chunks = bytes.chunks_exact(32);
    for (c, chunk) in chunks.by_ref().enumerate() {
        let chunk: &[u8; 32] = chunk.try_into().expect("32 bytes");
        let mut mask = 0u32;
        for (i, &b) in chunk.iter().enumerate() {
            mask |= u32::from(b == b'\n') << i;
        }
        while mask != 0 {
            starts.push(to_u32(c * 32 + mask.trailing_zeros() as usize + 1));
            mask &= mask - 1;
        }
    }
    let rest = bytes.len() - chunks.remainder().len();
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b'\n' {
            starts.push(to_u32(rest + i + 1));
        }
    }
    starts
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // Most files are ASCII: their line starts are all there is, found
        // with a vectorised search (the language server indexes the edited
        // file on every keystroke).
        if text.is_ascii() {
            let bytes = text.as_bytes();
            if memchr::memchr(b'\r', bytes).is_none() {
                return LineIndex {
                    starts: line_starts(bytes),
                    wide: Vec::new(),
                    marks: Vec::new(),
                };
            }
            let mut starts = vec![0];
            for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
                if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                    starts.push(to_u32(i + 1));
                }
            }
            return LineIndex {
                starts,
                wide: Vec::new(),
                marks: Vec::new(),
            };
        }
        Self::general(text)
    }

    /// [`LineIndex::new`] for any text.
    fn general(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let mut wide = Vec::new();
        let mut marks = Vec::new();
        let bytes = text.as_bytes();
        // Characters and UTF-16 units since the line start, and where the
        // last checkpoint (or the line) began.
        let (mut chars, mut utf16, mut since) = (0u32, 0u32, 0usize);
        for (i, &b) in bytes.iter().enumerate() {
            let is_start = b & 0xC0 != 0x80;
            if is_start && i - since >= MARK_STRIDE {
                marks.push(Mark {
                    offset: to_u32(i),
                    chars,
                    utf16,
                });
                since = i;
            }
            match b {
                b'\n' => starts.push(to_u32(i + 1)),
                // A lone CR is a line break too (old Mac files); CRLF counts once.
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(to_u32(i + 1)),
                b if b >= 0x80 => {
                    let line = to_u32(starts.len() - 1);
                    if wide.last() != Some(&line) {
                        wide.push(line);
                    }
                }
                _ => {}
            }
            if starts.last() == Some(&to_u32(i + 1)) {
                (chars, utf16, since) = (0, 0, i + 1);
            } else if is_start {
                chars += 1;
                utf16 += if b >= 0xF0 { 2 } else { 1 };
            }
        }
        // Only long non-ASCII lines need checkpoints.
        let mut index = LineIndex { starts, wide, marks };
        let marks = std::mem::take(&mut index.marks);
        index.marks = marks
            .into_iter()
            .filter(|m| index.is_wide(index.line_of(m.offset as usize)))
            .collect();
        index
    }

    /// The closest checkpoint at or before `offset` on the line starting at
    /// `start` (the line start itself when there is none).
    fn mark_before(&self, start: usize, offset: usize) -> Mark {
        let after = self.marks.partition_point(|m| m.offset as usize <= offset);
        match after.checked_sub(1).map(|i| self.marks[i]) {
            Some(m) if m.offset as usize >= start => m,
            _ => Mark {
                offset: to_u32(start),
                ..Mark::default()
            },
        }
    }

    /// 0-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&to_u32(offset)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).map_or(0, |s| *s as usize)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The text of line `line`, without its line break.
    fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_start(line).min(text.len());
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |s| *s as usize)
            .min(text.len());
        let raw = text.get(start..end).unwrap_or("");
        raw.strip_suffix("\r\n")
            .or_else(|| raw.strip_suffix('\n'))
            .or_else(|| raw.strip_suffix('\r'))
            .unwrap_or(raw)
    }

    fn is_wide(&self, line: usize) -> bool {
        self.wide.binary_search(&to_u32(line)).is_ok()
    }

    /// 1-based line and character column of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = if self.is_wide(line) {
            let mark = self.mark_before(start, offset);
            let from = mark.offset as usize;
            mark.chars as usize + text.get(from..offset).map_or(0, |s| s.chars().count())
        } else {
            offset - start
        };
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// 0-based line and UTF-16 column, as the language server protocol counts.
    pub fn line_utf16(&self, text: &str, offset: usize) -> (usize, usize) {
        let p = self.position(text, offset);
        (p.line as usize, p.character as usize)
    }

    /// The editor position of byte `offset` (rounded down to a character
    /// boundary, clamped to the text). An offset between the `\r` and the
    /// `\n` of a line break, which no position addresses, is the end of
    /// that line.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = addressable(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let character = if self.is_wide(line) {
            let mark = self.mark_before(start, offset);
            let from = mark.offset as usize;
            mark.utf16 as usize
                + text
                    .get(from..offset)
                    .map_or(0, |s| s.chars().map(char::len_utf16).sum::<usize>())
        } else {
            offset - start
        };
        Position {
            line: to_u32(line),
            character: to_u32(character),
        }
    }

    /// The byte offset of an editor position. A line past the end is the
    /// end of the text; a character past the end of its line is the end of
    /// the line (before its line break); a character inside a surrogate
    /// pair is the start of that character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.line_start(line).min(text.len());
        let content = self.line_text(text, line);
        let want = position.character as usize;
        if !self.is_wide(line) {
            return start + want.min(content.len());
        }
        // Start from the last checkpoint of this line not past `want`.
        let end = start + content.len();
        let lo = self.marks.partition_point(|m| (m.offset as usize) < start);
        let hi = self.marks.partition_point(|m| (m.offset as usize) < end);
        let line_marks = &self.marks[lo..hi];
        let k = line_marks.partition_point(|m| m.utf16 as usize <= want);
        let (from, mut units) = match k.checked_sub(1).map(|i| line_marks[i]) {
            Some(m) => (m.offset as usize, m.utf16 as usize),
            None => (start, 0),
        };
        for (i, c) in text.get(from..end).unwrap_or("").char_indices() {
            let next = units + c.len_utf16();
            if next > want {
                return from + i;
            }
            units = next;
        }
        end
    }
}

/// `offset` rounded down to one an editor position can address: a
/// character boundary, not between the `\r` and `\n` of a line break.
pub fn addressable(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let b = text.as_bytes();
    if offset > 0 && b.get(offset - 1) == Some(&b'\r') && b.get(offset) == Some(&b'\n') {
        offset - 1
    } else {
        offset
    }
}

/// The largest char boundary `<= offset` (std's is unstable).
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// An `import` from one file of a project to another, written at `span`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportEdge {
    pub from: FileId,
    pub to: FileId,
    pub span: Span,
}

/// Where a file came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A user file, from disk or an editor buffer.
    User,
    /// A module of the bundled standard library.
    Stdlib,
}

/// One loaded file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as it is shown to users (relative when the user gave it so).
    pub name: String,
    /// The text, without a leading UTF-8 byte order mark.
    pub text: String,
    /// Whether the file on disk started with a byte order mark.
    pub bom: bool,
    pub origin: Origin,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }

    /// The editor (UTF-16) position of byte `offset`.
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }

    /// The byte offset of an editor (UTF-16) position.
    pub fn offset(&self, position: Position) -> usize {
        self.lines.offset(&self.text, position)
    }
}

/// All loaded files of one compilation.
#[derive(Clone, Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn new() -> SourceDb {
        SourceDb::default()
    }

    /// Adds a file. A leading byte order mark is removed and remembered.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>, origin: Origin) -> FileId {
        let mut text = text.into();
        let bom = text.starts_with('\u{FEFF}');
        if bom {
            text.drain(..'\u{FEFF}'.len_utf8());
        }
        let id = FileId(to_u32(self.files.len()));
        self.files.push(SourceFile {
            name: name.into(),
            lines: LineIndex::new(&text),
            text,
            bom,
            origin,
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        // unwrap: FileIds are only made by `add` on this database.
        &self.files[id.0 as usize]
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.get(id).text
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text(span.file).get(span.range()).unwrap_or("")
    }

    pub fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len()).map(|i| FileId(to_u32(i)))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_path_indexes_as_the_general_one() {
        for text in [
            "",
            "a",
            "a\nb",
            "a\r\nb\rc\n",
            "\n\n\r\r\n",
            "x = 1\r",
            &"long line ".repeat(1000),
            &"a line\n".repeat(1000),
            &"\n".repeat(200),
        ] {
            assert_eq!(LineIndex::new(text), LineIndex::general(text), "{text:?}");
        }
        // Lines of every length across the 64-byte steps.
        let mut text = String::new();
        for n in 0..150 {
            text.push_str(&"x".repeat(n % 70));
            text.push('\n');
            assert_eq!(LineIndex::new(&text), LineIndex::general(&text), "{n}");
        }
    }

    #[test]
    fn columns_count_characters_and_utf16() {
        let text = "ab\né€x\r\nz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, column: 3 });
        assert_eq!(idx.line_utf16(text, x), (1, 2));
        let z = text.find('z').unwrap();
        assert_eq!(idx.line_col(text, z), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let text = "é";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 1), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn bom_is_removed_and_remembered() {
        let mut db = SourceDb::new();
        let id = db.add("a.dvc", "\u{FEFF}x = 1", Origin::User);
        assert!(db.get(id).bom);
        assert_eq!(db.text(id), "x = 1");
    }

    #[test]
    fn editor_positions_round_trip_and_clamp() {
        let text = "a\u{e9}\u{1F680}b\r\nxy\rz";
        let idx = LineIndex::new(text);
        let p = |line, character| Position { line, character };
        // `🚀` is two UTF-16 units.
        let b = text.find('b').unwrap();
        assert_eq!(idx.position(text, b), p(0, 4));
        assert_eq!(idx.offset(text, p(0, 4)), b);
        // Inside the surrogate pair: the start of the character.
        assert_eq!(idx.offset(text, p(0, 3)), text.find('\u{1F680}').unwrap());
        // Past the end of a line: before its line break.
        assert_eq!(idx.offset(text, p(0, 99)), text.find('\r').unwrap());
        assert_eq!(idx.offset(text, p(1, 99)), text.find("\rz").unwrap());
        assert_eq!(idx.position(text, text.len()), p(2, 1));
        assert_eq!(idx.offset(text, p(9, 0)), text.len());
        for offset in 0..=text.len() {
            let back = idx.offset(text, idx.position(text, offset));
            assert_eq!(back, addressable(text, offset), "{offset}");
        }
        assert_eq!(addressable(text, text.find('\n').unwrap()), text.find('\r').unwrap());
    }

    #[test]
    fn long_lines_agree_with_a_plain_count() {
        // Lines far longer than the checkpoint stride, mixing one- to
        // four-byte characters and every kind of line break.
        let mut text = String::new();
        let pieces = ["a", "\u{e9}", "\u{20AC}", "\u{1F680}", "bc", "\r\n", "\n", "\r"];
        let mut seed = 7u64;
        for _ in 0..40_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let pick = (seed >> 33) as usize % 8000;
            text.push_str(pieces[if pick < pieces.len() { pick } else { pick % 5 }]);
        }
        let idx = LineIndex::new(&text);
        assert!(!idx.marks.is_empty());
        let step = 37;
        for offset in (0..=text.len()).step_by(step) {
            let offset = addressable(&text, offset);
            let line = idx.line_of(offset);
            let before = &text[idx.line_start(line)..offset];
            let want = LineCol {
                line: line + 1,
                column: before.chars().count() + 1,
            };
            assert_eq!(idx.line_col(&text, offset), want, "{offset}");
            let utf16: usize = before.chars().map(char::len_utf16).sum();
            let p = idx.position(&text, offset);
            assert_eq!(p.character as usize, utf16, "{offset}");
            assert_eq!(idx.offset(&text, p), offset, "{offset}");
        }
    }

    #[test]
    fn lone_carriage_return_breaks_lines() {
        let text = "a\rb";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 2), LineCol { line: 2, column: 1 });
    }
}
