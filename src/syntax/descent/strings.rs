//! Strings: the double-quoted, raw (backquoted) and block (triple-quoted)
//! string rules of `grammar/dvc.pest`, with their escapes and
//! interpolations.

use super::Parser;
use crate::syntax::cst::Kind;

/// Which kind of string is being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Double,
    Raw,
    Block,
}

impl Parser<'_> {
    /// `any_string = _{ block_string | string | raw_string }`
    pub(super) fn any_string(&mut self) -> bool {
        if self.at(b"\"\"\"") {
            self.string(Quote::Block)
        } else if self.at(b"\"") {
            self.string(Quote::Double)
        } else if self.at(b"`") {
            self.string(Quote::Raw)
        } else {
            false
        }
    }

    /// `string = ${ "\"" ~ str_part* ~ quote_close? }`, and `raw_string` and
    /// `block_string` the same way with their own quotes and parts.
    fn string(&mut self, q: Quote) -> bool {
        let m = self.mark();
        let (quote, kind): (&[u8], Kind) = match q {
            Quote::Double => (b"\"", Kind::Str),
            Quote::Raw => (b"`", Kind::RawStr),
            Quote::Block => (b"\"\"\"", Kind::BlockStr),
        };
        self.pos += quote.len();
        while self.part(q) {}
        let start = self.pos;
        if self.eat(quote) {
            self.token(Kind::QuoteClose, start);
        }
        self.node(kind, m)
    }

    /// `str_part = _{ str_text | escape | bad_escape | dollar_lit | gha_expr | bad_gha | interp | bad_interp }`
    /// (`raw_part` and `block_part` without the escapes).
    fn part(&mut self, q: Quote) -> bool {
        let start = self.pos;
        match self.peek() {
            None => false,
            Some(b'\\') if q == Quote::Double => {
                self.pos += 1;
                if !self.escape() {
                    // bad_escape = @{ "\\" ~ (!NEWLINE ~ ANY)? }
                    self.pos = start + 1;
                    if !self.at_newline() {
                        self.any();
                    }
                    return self.token(Kind::BadEscape, start);
                }
                self.token(Kind::Escape, start)
            }
            Some(b'$') if self.at(b"$${") => {
                self.pos += 3;
                self.token(Kind::DollarLit, start)
            }
            Some(b'$') if self.at(b"${{") => {
                self.pos += 3;
                if self.gha_expr_rest() {
                    return self.token(Kind::GhaExpr, start);
                }
                self.pos = start + 3;
                self.token(Kind::BadGha, start)
            }
            Some(b'$') if self.at(b"${") => {
                let m = self.mark();
                self.pos += 2;
                let inner = self.pos;
                while !matches!(self.peek(), None | Some(b'}' | b'"' | b'`' | b'\n' | b'\r' | b'$')) {
                    self.any();
                }
                self.token(Kind::InterpInner, inner);
                if self.eat(b"}") {
                    return self.node(Kind::Interp, m);
                }
                self.reset(m);
                self.pos = start + 2;
                self.token(Kind::BadInterp, start)
            }
            Some(_) => self.text(q) && self.token(Kind::StrText, start),
        }
    }

    /// `str_text = @{ (!("\"" | "\\" | "$${" | "${" | NEWLINE) ~ ANY)+ }`, and
    /// `raw_text`, `block_text` with their own stops.
    fn text(&mut self, q: Quote) -> bool {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let stop = match c {
                b'$' => self.at(b"${") || self.at(b"$${"),
                b'\n' | b'\r' => q != Quote::Block,
                b'"' => q == Quote::Double || (q == Quote::Block && self.at(b"\"\"\"")),
                b'\\' => q == Quote::Double,
                b'`' => q == Quote::Raw,
                _ => false,
            };
            if stop {
                break;
            }
            self.pos += 1;
        }
        self.pos > start
    }

    /// After `\`: `("\"" | "\\" | "n" | "t" | "r" | "0" | "$" | "u{" ~ ASCII_HEX_DIGIT{1, 6} ~ "}")`
    fn escape(&mut self) -> bool {
        match self.peek() {
            Some(b'"' | b'\\' | b'n' | b't' | b'r' | b'0' | b'$') => {
                self.pos += 1;
                true
            }
            Some(b'u') if self.at(b"u{") => {
                let digits = self.pos + 2;
                let mut i = digits;
                while i < digits + 6 && self.b.get(i).is_some_and(u8::is_ascii_hexdigit) {
                    i += 1;
                }
                if i > digits && self.b.get(i) == Some(&b'}') {
                    self.pos = i + 1;
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    /// `gha_expr = @{ "${{" ~ (!("}}" | NEWLINE | "${{") ~ ANY)* ~ "}}" }` past its `${{`.
    fn gha_expr_rest(&mut self) -> bool {
        loop {
            match self.peek() {
                None | Some(b'\n' | b'\r') => return false,
                Some(b'}') if self.at(b"}}") => {
                    self.pos += 2;
                    return true;
                }
                Some(b'$') if self.at(b"${{") => return false,
                Some(_) => self.pos += 1,
            }
        }
    }
}
