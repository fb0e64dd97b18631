//! The lossless concrete syntax tree.
//!
//! Built from pest's pairs: every non-silent rule becomes a [`Node`] (or a
//! [`Token`] for atomic rules), and the text between pairs (white space,
//! newlines, comments, punctuation) becomes trivia and punctuation tokens.
//!
//! **Invariant:** concatenating the text of every token, in order, gives back
//! the file exactly (tested over every `.dvc` file of the repository).

use pest::iterators::Pair;

use super::parser::Rule;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    // Nodes.
    File,
    Import,
    Attribute,
    Block,
    Body,
    List,
    Call,
    Range,
    Reference,
    Str,
    RawStr,
    BlockStr,
    Interp,
    MissingValue,
    /// A chunk that was not parsed (nesting too deep, or pest gave up).
    Unparsed,
    // Tokens.
    KwImport,
    Ident,
    /// `"kubernetes.io/arch"` before `=`.
    QuotedKey,
    Number,
    Unit,
    Bool,
    TrailingDot,
    CloseBrace,
    StrayClose,
    QuoteClose,
    StrText,
    Escape,
    BadEscape,
    DollarLit,
    GhaExpr,
    BadGha,
    BadInterp,
    InterpInner,
    ErrorItem,
    // Trivia and punctuation from the gaps.
    Whitespace,
    Newline,
    Comment,
    Punct,
}

impl Kind {
    pub fn is_trivia(self) -> bool {
        matches!(self, Kind::Whitespace | Kind::Newline | Kind::Comment)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
    pub children: Vec<Elem>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Elem {
    Node(Node),
    Token(Token),
}

impl Elem {
    pub fn kind(&self) -> Kind {
        match self {
            Elem::Node(n) => n.kind,
            Elem::Token(t) => t.kind,
        }
    }

    pub fn range(&self) -> (u32, u32) {
        match self {
            Elem::Node(n) => (n.start, n.end),
            Elem::Token(t) => (t.start, t.end),
        }
    }
}

impl Node {
    /// Every token below this node, in order.
    pub fn tokens(&self) -> Vec<&Token> {
        let mut out = Vec::new();
        let mut stack: Vec<std::slice::Iter<'_, Elem>> = vec![self.children.iter()];
        while let Some(top) = stack.last_mut() {
            match top.next() {
                Some(Elem::Token(t)) => out.push(t),
                Some(Elem::Node(n)) => stack.push(n.children.iter()),
                None => {
                    stack.pop();
                }
            }
        }
        out
    }

    /// The token at byte `offset`: the one whose range holds it, or at the
    /// end of the text the last token (where an editor's cursor can be).
    /// Zero-width tokens are never found. A binary search per level.
    pub fn token_at(&self, offset: u32) -> Option<&Token> {
        let mut node = self;
        loop {
            match node.child_at(offset)? {
                Elem::Token(t) => return Some(t),
                Elem::Node(n) => node = n,
            }
        }
    }

    /// The nodes that hold byte `offset`, from this one down to the
    /// innermost (the parent of [`Node::token_at`]'s token).
    pub fn path_at(&self, offset: u32) -> Vec<&Node> {
        let mut path = vec![self];
        let mut node = self;
        while let Some(Elem::Node(n)) = node.child_at(offset) {
            path.push(n);
            node = n;
        }
        path
    }

    /// The child whose range holds `offset` (at this node's end, its last
    /// child with a width).
    fn child_at(&self, offset: u32) -> Option<&Elem> {
        if offset >= self.end {
            return self.children.iter().rev().find(|c| {
                let (s, e) = c.range();
                e == self.end && e > s
            });
        }
        let i = self.children.partition_point(|c| c.range().1 <= offset);
        self.children.get(i).filter(|c| c.range().0 <= offset)
    }

    /// The text again, from the tokens.
    pub fn print(&self, text: &str) -> String {
        let mut out = String::with_capacity((self.end - self.start) as usize);
        for t in self.tokens() {
            out.push_str(text.get(t.start as usize..t.end as usize).unwrap_or(""));
        }
        out
    }
}

fn kind_of(rule: Rule) -> Option<(Kind, bool)> {
    // (kind, is_node)
    Some(match rule {
        Rule::import => (Kind::Import, true),
        Rule::attribute => (Kind::Attribute, true),
        Rule::block => (Kind::Block, true),
        Rule::body => (Kind::Body, true),
        Rule::list => (Kind::List, true),
        Rule::call => (Kind::Call, true),
        Rule::range => (Kind::Range, true),
        Rule::reference => (Kind::Reference, true),
        Rule::string => (Kind::Str, true),
        Rule::raw_string => (Kind::RawStr, true),
        Rule::block_string => (Kind::BlockStr, true),
        Rule::interp => (Kind::Interp, true),
        Rule::missing_value => (Kind::MissingValue, true),
        Rule::kw_import => (Kind::KwImport, false),
        Rule::ident => (Kind::Ident, false),
        Rule::quoted_key => (Kind::QuotedKey, false),
        Rule::number => (Kind::Number, false),
        Rule::unit_lit => (Kind::Unit, false),
        Rule::boolean => (Kind::Bool, false),
        Rule::trailing_dot => (Kind::TrailingDot, false),
        Rule::close_brace => (Kind::CloseBrace, false),
        Rule::stray_close => (Kind::StrayClose, false),
        Rule::quote_close | Rule::raw_close | Rule::block_close => (Kind::QuoteClose, false),
        Rule::str_text | Rule::raw_text | Rule::block_text => (Kind::StrText, false),
        Rule::escape => (Kind::Escape, false),
        Rule::bad_escape => (Kind::BadEscape, false),
        Rule::dollar_lit => (Kind::DollarLit, false),
        Rule::gha_expr => (Kind::GhaExpr, false),
        Rule::bad_gha => (Kind::BadGha, false),
        Rule::bad_interp => (Kind::BadInterp, false),
        Rule::interp_inner => (Kind::InterpInner, false),
        Rule::error_item => (Kind::ErrorItem, false),
        _ => return None,
    })
}

/// Moves elements (and everything below them) that start their chunk at
/// byte `from` to start it at byte `to`; nothing to walk when they did not
/// move (an edit that keeps a line's length, and every chunk before an edit).
pub fn move_chunk(elems: &mut [Elem], from: u32, to: u32) {
    if to > from {
        move_by(elems, &|at| at.saturating_add(to - from));
    } else if to < from {
        move_by(elems, &|at| at.saturating_sub(from - to));
    }
}

fn move_by(elems: &mut [Elem], f: &impl Fn(u32) -> u32) {
    for e in elems {
        match e {
            Elem::Node(n) => {
                n.start = f(n.start);
                n.end = f(n.end);
                move_by(&mut n.children, f);
            }
            Elem::Token(t) => {
                t.start = f(t.start);
                t.end = f(t.end);
            }
        }
    }
}

/// Appends the children of a parsed chunk (`Rule::chunk`) to `out`, shifting
/// offsets by `base` (the chunk's offset in the file).
pub fn push_chunk(chunk: Pair<'_, Rule>, text: &str, base: usize, out: &mut Vec<Elem>) {
    let start = chunk.as_span().start();
    let end = chunk.as_span().end();
    push_children(chunk, text, base, start, end, out);
}

fn push_children(pair: Pair<'_, Rule>, text: &str, base: usize, start: usize, end: usize, out: &mut Vec<Elem>) {
    let mut cursor = start;
    for child in pair.into_inner() {
        let Some((kind, is_node)) = kind_of(child.as_rule()) else {
            continue; // EOI
        };
        let (cs, ce) = (child.as_span().start(), child.as_span().end());
        push_gap(text, base, cursor, cs, out);
        if is_node {
            let mut children = Vec::new();
            push_children(child, text, base, cs, ce, &mut children);
            out.push(Elem::Node(Node {
                kind,
                start: off(base + cs),
                end: off(base + ce),
                children,
            }));
        } else {
            out.push(Elem::Token(Token {
                kind,
                start: off(base + cs),
                end: off(base + ce),
            }));
        }
        cursor = ce;
    }
    push_gap(text, base, cursor, end, out);
}

fn off(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Lexes the text between two pairs into trivia and punctuation tokens.
/// `text` is the chunk's text; offsets are chunk-relative until shifted.
pub fn push_gap(text: &str, base: usize, from: usize, to: usize, out: &mut Vec<Elem>) {
    let b = text.as_bytes();
    let mut i = from;
    while i < to {
        let start = i;
        let kind = match b[i] {
            b' ' | b'\t' | b'\x0C' => {
                while i < to && matches!(b[i], b' ' | b'\t' | b'\x0C') {
                    i += 1;
                }
                Kind::Whitespace
            }
            b'\r' if i + 1 < to && b[i + 1] == b'\n' => {
                i += 2;
                Kind::Newline
            }
            b'\n' | b'\r' => {
                i += 1;
                Kind::Newline
            }
            b'#' => {
                i = comment_line_end(b, i, to);
                Kind::Comment
            }
            b'/' if i + 1 < to && b[i + 1] == b'/' => {
                i = comment_line_end(b, i, to);
                Kind::Comment
            }
            b'/' if i + 1 < to && b[i + 1] == b'*' => {
                i = text[i + 2..to].find("*/").map_or(to, |p| i + 2 + p + 2);
                Kind::Comment
            }
            _ => {
                // One character of punctuation (`=`, `{`, `"`, `${` is two).
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Punct
            }
        };
        out.push(Elem::Token(Token {
            kind,
            start: off(base + start),
            end: off(base + i),
        }));
    }
}

fn comment_line_end(b: &[u8], mut i: usize, to: usize) -> usize {
    while i < to && b[i] != b'\n' && b[i] != b'\r' {
        i += 1;
    }
    i
}
