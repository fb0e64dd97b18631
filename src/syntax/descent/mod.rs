//! The hand-written parser: `grammar/dvc.pest`, rule for rule, as recursive
//! descent over bytes.
//!
//! The pest grammar stays the language's definition (and explains error
//! items, see `errors.rs`); this parser is what runs, because pest's
//! generated code spent most of a parse in per-rule bookkeeping (a stack
//! probe and a call counter at every rule, boxed state, string matching
//! through `memcmp`). Each function below is the rule of the same name with
//! pest's semantics: ordered choice, greedy repetition, a failed rule
//! consumes nothing, and in non-atomic rules `~` skips
//! `WHITESPACE* (COMMENT WHITESPACE*)*` (but never a newline).
//!
//! **Invariant:** for every chunk, [`parse_chunk`] gives exactly the
//! elements that pest's pairs give through `cst::push_chunk` (checked by a
//! differential test over every `.dvc` file of the repository and generated
//! inputs, and by the fuzz target).

mod strings;

use super::cst::{self, Elem, Kind, Node, Token};

/// Deeper recursion than this gives up on the chunk. The scanner's nesting
/// limit keeps real input far below it; it only bounds the stack where the
/// scanner and the grammar disagree about what is a string or a comment.
const MAX_RECURSION: u32 = 1024;

/// The chunk was too deeply nested to parse.
#[derive(Debug)]
pub struct TooDeep;

/// Parses one chunk (`Rule::chunk` over `piece`), appending its elements to
/// `out` with offsets shifted by `base`.
pub fn parse_chunk(piece: &str, base: usize, out: &mut Vec<Elem>) -> Result<(), TooDeep> {
    let mut p = Parser {
        text: piece,
        b: piece.as_bytes(),
        pos: 0,
        base,
        pairs: Vec::new(),
        depth: 0,
        too_deep: false,
    };
    p.chunk();
    if p.too_deep || p.pos != p.b.len() {
        // The grammar consumes every input; only the recursion limit ends
        // a chunk early.
        return Err(TooDeep);
    }
    p.children(0, piece.len(), 0, out);
    Ok(())
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    base: usize,
    /// The pairs of the rules being parsed, innermost last; a node takes its
    /// own off the end when it closes.
    pairs: Vec<Elem>,
    depth: u32,
    too_deep: bool,
}

/// Where a rule started: restored when it fails.
#[derive(Clone, Copy)]
struct Mark {
    pos: usize,
    pairs: usize,
}

impl Parser<'_> {
    // ---- machinery ---------------------------------------------------------

    fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            pairs: self.pairs.len(),
        }
    }

    fn reset(&mut self, m: Mark) -> bool {
        self.pos = m.pos;
        self.pairs.truncate(m.pairs);
        false
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, s: &[u8]) -> bool {
        self.b[self.pos..].starts_with(s)
    }

    fn eat(&mut self, s: &[u8]) -> bool {
        let hit = self.at(s);
        if hit {
            self.pos += s.len();
        }
        hit
    }

    fn at_newline(&self) -> bool {
        matches!(self.peek(), Some(b'\n' | b'\r'))
    }

    /// `NEWLINE`: `\n`, `\r\n` or `\r`.
    fn newline(&mut self) -> bool {
        self.eat(b"\r\n") || self.eat(b"\n") || self.eat(b"\r")
    }

    /// `ANY`: one character.
    fn any(&mut self) -> bool {
        match self.text[self.pos..].chars().next() {
            Some(c) => {
                self.pos += c.len_utf8();
                true
            }
            None => false,
        }
    }

    /// The implicit `~` of non-atomic rules.
    fn skip(&mut self) {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\x0C')) {
                self.pos += 1;
            }
            if !self.comment() {
                return;
            }
        }
    }

    fn comment(&mut self) -> bool {
        if self.eat(b"/*") {
            self.pos = find(self.b, self.pos, b"*/").map_or(self.b.len(), |at| at + 2);
            true
        } else if self.eat(b"#") || self.eat(b"//") {
            while self.peek().is_some_and(|c| c != b'\n' && c != b'\r') {
                self.pos += 1;
            }
            true
        } else {
            false
        }
    }

    /// `x (~ x)*` after a first `x` matched (pest's `x*` past its first
    /// element): the skip before a next `x` is kept only when it matches.
    fn more(&mut self, mut x: impl FnMut(&mut Self) -> bool) {
        loop {
            let m = self.mark();
            self.skip();
            if !x(self) {
                self.reset(m);
                return;
            }
        }
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_RECURSION {
            self.too_deep = true;
        }
        !self.too_deep
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn abs(&self, at: usize) -> u32 {
        u32::try_from(self.base + at).unwrap_or(u32::MAX)
    }

    fn token(&mut self, kind: Kind, start: usize) -> bool {
        let (start, end) = (self.abs(start), self.abs(self.pos));
        self.pairs.push(Elem::Token(Token { kind, start, end }));
        true
    }

    /// Closes a node begun at `m`: its pairs since then, with the text
    /// between them lexed as trivia and punctuation.
    fn node(&mut self, kind: Kind, m: Mark) -> bool {
        let mut children = Vec::with_capacity(2 * (self.pairs.len() - m.pairs) + 1);
        self.children(m.pos, self.pos, m.pairs, &mut children);
        let (start, end) = (self.abs(m.pos), self.abs(self.pos));
        self.pairs.push(Elem::Node(Node {
            kind,
            start,
            end,
            children,
        }));
        true
    }

    /// `kind = { left ~ op ~ right }`: the shape of both binary rules.
    fn infix(&mut self, kind: Kind, left: fn(&mut Self) -> bool, op: &[u8], right: fn(&mut Self) -> bool) -> bool {
        let m = self.mark();
        if !left(self) {
            return false;
        }
        self.skip();
        if !self.eat(op) {
            return self.reset(m);
        }
        self.skip();
        if !right(self) {
            return self.reset(m);
        }
        self.node(kind, m)
    }

    /// Moves the pairs from index `first` on into `out`, with the gaps
    /// between `start`, them and `end`.
    fn children(&mut self, start: usize, end: usize, first: usize, out: &mut Vec<Elem>) {
        let (text, base) = (self.text, self.base);
        let mut cursor = start;
        for e in self.pairs.drain(first..) {
            let (s, e_end) = e.range();
            let (s, e_end) = ((s as usize).saturating_sub(base), (e_end as usize).saturating_sub(base));
            cst::push_gap(text, base, cursor, s, out);
            out.push(e);
            cursor = e_end;
        }
        cst::push_gap(text, base, cursor, end, out);
    }

    // ---- items ---------------------------------------------------------------

    /// `chunk = { SOI ~ (NEWLINE | top_item)* ~ EOI }`
    fn chunk(&mut self) {
        self.skip();
        if self.top() {
            self.more(Self::top);
        }
        self.skip();
    }

    fn top(&mut self) -> bool {
        self.newline() || self.item() || self.stray_close()
    }

    /// `item = _{ import | attribute | block | error_item }`
    fn item(&mut self) -> bool {
        !self.too_deep && (self.import() || self.attribute() || self.block() || self.error_item())
    }

    /// `import = { kw_import ~ any_string? }`
    fn import(&mut self) -> bool {
        let m = self.mark();
        if !self.kw_import() {
            return false;
        }
        self.skip();
        self.any_string();
        self.node(Kind::Import, m)
    }

    /// `kw_import = @{ "import" ~ !ident_char }`
    fn kw_import(&mut self) -> bool {
        let start = self.pos;
        if self.at(b"import") && !self.b.get(start + 6).copied().is_some_and(is_ident_char) {
            self.pos += 6;
            return self.token(Kind::KwImport, start);
        }
        false
    }

    /// `attribute = { (ident | quoted_key) ~ "=" ~ (value | missing_value) }`
    fn attribute(&mut self) -> bool {
        self.infix(
            Kind::Attribute,
            |p| p.ident() || p.quoted_key(),
            b"=",
            |p| p.value() || p.missing_value(),
        )
    }

    /// `quoted_key = @{ "\"" ~ (ASCII_ALPHANUMERIC | "." | "/" | "-" | "_")+ ~ "\"" ~ &(WHITESPACE* ~ "=") }`
    fn quoted_key(&mut self) -> bool {
        let start = self.pos;
        let b = self.b;
        if b.get(start) != Some(&b'"') {
            return false;
        }
        let mut i = start + 1;
        while b
            .get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'/' | b'-' | b'_'))
        {
            i += 1;
        }
        if i == start + 1 || b.get(i) != Some(&b'"') {
            return false;
        }
        let end = i + 1;
        let mut j = end;
        while matches!(b.get(j), Some(b' ' | b'\t' | b'\x0C')) {
            j += 1;
        }
        if b.get(j) != Some(&b'=') {
            return false;
        }
        self.pos = end;
        self.token(Kind::QuotedKey, start)
    }

    /// `missing_value = { &(NEWLINE | "}" | EOI) }`
    fn missing_value(&mut self) -> bool {
        if matches!(self.peek(), None | Some(b'\n' | b'\r' | b'}')) {
            let m = self.mark();
            return self.node(Kind::MissingValue, m);
        }
        false
    }

    /// `block = { ident ~ label* ~ (body | !("=" | ":")) }`
    fn block(&mut self) -> bool {
        let m = self.mark();
        if !self.ident() {
            return false;
        }
        self.skip();
        if self.label() {
            self.more(Self::label);
        }
        self.skip();
        if !self.body() && matches!(self.peek(), Some(b'=' | b':')) {
            return self.reset(m);
        }
        self.node(Kind::Block, m)
    }

    /// `label = _{ ident | any_string }`
    fn label(&mut self) -> bool {
        self.ident() || self.any_string()
    }

    /// `body = { "{" ~ (NEWLINE | item)* ~ close_brace? }`
    fn body(&mut self) -> bool {
        let m = self.mark();
        if !self.eat(b"{") {
            return false;
        }
        if !self.enter() {
            self.leave();
            return self.reset(m);
        }
        self.skip();
        if self.body_item() {
            self.more(Self::body_item);
        }
        self.skip();
        self.close(Kind::CloseBrace);
        self.leave();
        self.node(Kind::Body, m)
    }

    fn body_item(&mut self) -> bool {
        self.newline() || self.item()
    }

    /// `close_brace = { "}" }`
    fn close(&mut self, kind: Kind) -> bool {
        let start = self.pos;
        self.eat(b"}") && self.token(kind, start)
    }

    /// `stray_close = { "}" }`
    fn stray_close(&mut self) -> bool {
        self.close(Kind::StrayClose)
    }

    /// `error_item = @{ (err_group | err_string | !(NEWLINE | "}" | "#" | "//" | "/*") ~ ANY)+ }`
    fn error_item(&mut self) -> bool {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b'{') => self.err_group(),
                Some(b'"') => self.err_string(),
                None | Some(b'\n' | b'\r' | b'}' | b'#') => break,
                Some(b'/') if self.at(b"//") || self.at(b"/*") => break,
                Some(_) => {
                    self.any();
                }
            }
        }
        self.pos > start && self.token(Kind::ErrorItem, start)
    }

    /// `err_group = _{ "{" ~ (err_group | err_string | !"}" ~ ANY)* ~ "}"? }`,
    /// its recursion as a count of open braces.
    fn err_group(&mut self) {
        let mut open = 0usize;
        loop {
            match self.peek() {
                Some(b'{') => {
                    open += 1;
                    self.pos += 1;
                }
                Some(b'"') => self.err_string(),
                Some(b'}') => {
                    self.pos += 1;
                    open -= 1;
                    if open == 0 {
                        return;
                    }
                }
                Some(_) => {
                    self.any();
                }
                None => return,
            }
        }
    }

    /// `err_string = _{ "\"" ~ ("\\" ~ (!NEWLINE ~ ANY) | !("\"" | NEWLINE) ~ ANY)* ~ "\""? }`
    fn err_string(&mut self) {
        self.pos += 1;
        loop {
            match self.peek() {
                None | Some(b'\n' | b'\r') => return,
                Some(b'"') => {
                    self.pos += 1;
                    return;
                }
                Some(b'\\') if !matches!(self.b.get(self.pos + 1), None | Some(b'\n' | b'\r')) => {
                    self.pos += 1;
                    self.any();
                }
                Some(_) => {
                    self.any();
                }
            }
        }
    }

    // ---- values --------------------------------------------------------------

    /// `value = _{ any_string | list | range | unit_lit | number | boolean | call | reference }`
    fn value(&mut self) -> bool {
        match self.peek() {
            Some(b'"' | b'`') => self.any_string(),
            Some(b'[') => self.list(),
            Some(b'-' | b'0'..=b'9') => self.range() || self.range_end(),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => self.boolean() || self.call() || self.reference(),
            _ => false,
        }
    }

    /// `range = { &("-" | ASCII_DIGIT) ~ range_end ~ ".." ~ range_end }`
    fn range(&mut self) -> bool {
        self.infix(Kind::Range, Self::range_end, b"..", Self::range_end)
    }

    /// `range_end = _{ unit_lit | number }`
    fn range_end(&mut self) -> bool {
        self.unit_lit() || self.number()
    }

    /// `"-"? ~ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)?`: where it ends.
    fn numeral(&self) -> Option<usize> {
        let b = self.b;
        let mut i = self.pos + usize::from(self.peek() == Some(b'-'));
        let digits = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == digits {
            return None;
        }
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        Some(i)
    }

    /// `number = @{ "-"? ~ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? }`
    fn number(&mut self) -> bool {
        let start = self.pos;
        match self.numeral() {
            Some(end) => {
                self.pos = end;
                self.token(Kind::Number, start)
            }
            None => false,
        }
    }

    /// `unit_lit = @{ numeral ~ (ASCII_ALPHA | "%") ~ (ASCII_ALPHANUMERIC | "%")* }`
    fn unit_lit(&mut self) -> bool {
        let start = self.pos;
        let Some(mut i) = self.numeral() else {
            return false;
        };
        let b = self.b;
        if !b.get(i).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'%') {
            return false;
        }
        i += 1;
        while b.get(i).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'%') {
            i += 1;
        }
        self.pos = i;
        self.token(Kind::Unit, start)
    }

    /// `boolean = @{ ("true" | "false") ~ !ident_char }`
    fn boolean(&mut self) -> bool {
        let start = self.pos;
        let len = if self.at(b"true") {
            4
        } else if self.at(b"false") {
            5
        } else {
            return false;
        };
        if self.b.get(start + len).copied().is_some_and(is_ident_char) {
            return false;
        }
        self.pos += len;
        self.token(Kind::Bool, start)
    }

    /// `list = { "[" ~ NEWLINE* ~ (value ~ NEWLINE* ~ ("," ~ NEWLINE* ~ value ~ NEWLINE*)* ~ ("," ~ NEWLINE*)?)? ~ "]" }`
    fn list(&mut self) -> bool {
        let m = self.mark();
        if !self.eat(b"[") {
            return false;
        }
        self.elements(m, b"]", Kind::List)
    }

    /// `call = { ident ~ "(" ~ NEWLINE* ~ (...as in list...)? ~ ")" }`
    fn call(&mut self) -> bool {
        let m = self.mark();
        if !self.ident() {
            return false;
        }
        self.skip();
        if !self.eat(b"(") {
            return self.reset(m);
        }
        self.elements(m, b")", Kind::Call)
    }

    /// A list's or call's elements after its opening bracket, and `close`.
    fn elements(&mut self, m: Mark, close: &[u8], kind: Kind) -> bool {
        if !self.enter() {
            self.leave();
            return self.reset(m);
        }
        self.skip();
        self.newlines();
        self.skip();
        if self.value() {
            self.skip();
            self.newlines();
            self.skip();
            if self.next_element() {
                self.more(Self::next_element);
            }
            self.skip();
            let comma = self.mark();
            if self.eat(b",") {
                self.skip();
                self.newlines();
            } else {
                self.reset(comma);
            }
        }
        self.skip();
        self.leave();
        if self.too_deep || !self.eat(close) {
            return self.reset(m);
        }
        self.node(kind, m)
    }

    /// `"," ~ NEWLINE* ~ value ~ NEWLINE*`
    fn next_element(&mut self) -> bool {
        let m = self.mark();
        if !self.eat(b",") {
            return false;
        }
        self.skip();
        self.newlines();
        self.skip();
        if !self.value() {
            return self.reset(m);
        }
        self.skip();
        self.newlines();
        true
    }

    /// `NEWLINE*`
    fn newlines(&mut self) {
        if self.newline() {
            self.more(Self::newline);
        }
    }

    /// `reference = ${ ident ~ ("." ~ ident)* ~ trailing_dot? }`
    fn reference(&mut self) -> bool {
        let m = self.mark();
        if !self.ident() {
            return false;
        }
        loop {
            let step = self.mark();
            if !(self.eat(b".") && self.ident()) {
                self.reset(step);
                break;
            }
        }
        let start = self.pos;
        if self.eat(b".") {
            self.token(Kind::TrailingDot, start);
        }
        self.node(Kind::Reference, m)
    }

    /// `ident = @{ (ASCII_ALPHA | "_") ~ ident_char* }`
    fn ident(&mut self) -> bool {
        let start = self.pos;
        if !self.peek().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_') {
            return false;
        }
        self.pos += 1;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        self.token(Kind::Ident, start)
    }
}

/// `ident_char = _{ ASCII_ALPHANUMERIC | "_" | "-" }`
fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}
