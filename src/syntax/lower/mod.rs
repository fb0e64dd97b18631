//! Lowering: the lossless CST becomes the typed AST. Strings are cooked
//! here (escapes decoded, interpolations parsed, block strings dedented),
//! comments are attached to items, and every tolerant construct of the
//! grammar (missing quotes, braces and values, bad escapes, error items) is
//! reported.

pub mod parts;
mod repair;
mod strings;

use super::ast::*;
use super::cst::{Elem, Kind, Node, Token};
use super::errors;
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::source::{FileId, Span};

/// Consecutive stray `}` tokens.
struct StrayRun {
    start: u32,
    end: u32,
    count: usize,
}

pub struct Lower<'a> {
    pub file: FileId,
    pub text: &'a str,
    /// Capped: a file of stray tokens costs a count past the cap.
    pub diags: Capped,
    /// Something unterminated (a block string or a `/*` comment) runs to the
    /// end of the file; blocks it left open are not reported again.
    pub swallowed_to_eof: bool,
}

impl<'a> Lower<'a> {
    pub fn new(file: FileId, text: &'a str) -> Lower<'a> {
        Lower {
            file,
            text,
            diags: Capped::default(),
            swallowed_to_eof: false,
        }
    }

    fn span(&self, start: u32, end: u32) -> Span {
        Span {
            file: self.file,
            start,
            end,
        }
    }

    fn tok_span(&self, t: &Token) -> Span {
        self.span(t.start, t.end)
    }

    fn slice(&self, start: u32, end: u32) -> &'a str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    pub fn file(&mut self, node: &Node) -> File {
        let (items, dangling) = self.items(&node.children);
        File {
            span: self.span(node.start, node.end),
            items,
            dangling,
        }
    }

    /// The items of a file or body, with comments attached.
    fn items(&mut self, children: &[Elem]) -> (Vec<Item>, Vec<Comment>) {
        // Each item is a node (but error tokens, rare): sized for those, so
        // a tree holds no spare room (doubling left up to half of every
        // body's list unused).
        let nodes = children.iter().filter(|e| matches!(e, Elem::Node(_))).count();
        let mut items: Vec<Item> = Vec::with_capacity(nodes);
        let mut pending: Vec<Comment> = Vec::new();
        // Whether a newline came since the last item (a comment before any
        // newline trails that item).
        let mut newline_since_item = true;
        // A run of stray `}` (only white space between) is one problem.
        let mut stray: Option<StrayRun> = None;
        for elem in children {
            if let Elem::Token(t) = elem {
                match t.kind {
                    Kind::StrayClose => {
                        let run = stray.get_or_insert(StrayRun {
                            start: t.start,
                            end: t.end,
                            count: 0,
                        });
                        run.end = t.end;
                        run.count += 1;
                    }
                    Kind::Newline | Kind::Whitespace => {}
                    _ => self.stray_run(stray.take()),
                }
            } else {
                self.stray_run(stray.take());
            }
            let item = match elem {
                Elem::Token(t) => match t.kind {
                    Kind::Newline => {
                        newline_since_item = true;
                        continue;
                    }
                    Kind::Comment => {
                        let c = self.comment(t);
                        match items.last_mut() {
                            Some(last) if !newline_since_item && last.comments().trailing.is_none() => {
                                last.comments_mut().trailing = Some(c);
                            }
                            _ => pending.push(c),
                        }
                        continue;
                    }
                    Kind::ErrorItem => {
                        let span = self.tok_span(t);
                        match self.repair(span, items.last()) {
                            Some((d, outcome)) => {
                                self.diags.extend(d);
                                match outcome {
                                    repair::Outcome::Drop => continue,
                                    repair::Outcome::Item(item) => item,
                                    repair::Outcome::ReplacePrevious(mut item) => {
                                        if let Some(prev) = items.pop() {
                                            *item.comments_mut() = prev.comments().clone();
                                        }
                                        if !item.comments().leading.is_empty() {
                                            pending.extend(std::mem::take(&mut item.comments_mut().leading));
                                        }
                                        item
                                    }
                                }
                            }
                            None => {
                                self.diags.push(errors::diagnose(self.text, span, items.last()));
                                Item::Error(ErrorItem {
                                    span,
                                    comments: Attached::default(),
                                })
                            }
                        }
                    }
                    Kind::StrayClose => Item::Error(ErrorItem {
                        span: self.tok_span(t),
                        comments: Attached::default(),
                    }),
                    _ => continue, // white space, and `{`/`}` of a body
                },
                Elem::Node(n) => match n.kind {
                    Kind::Block => Item::Block(self.block(n)),
                    Kind::Attribute => Item::Attribute(self.attribute(n)),
                    Kind::Import => Item::Import(self.import(n)),
                    Kind::Unparsed => Item::Error(ErrorItem {
                        span: self.span(n.start, n.end),
                        comments: Attached::default(),
                    }),
                    _ => continue,
                },
            };
            // Error text following error text (no comment between) is one
            // error item: hostile input costs one item, not one per token.
            if let (Item::Error(e), Some(Item::Error(last))) = (&item, items.last_mut())
                && pending.is_empty()
            {
                last.span = last.span.to(e.span);
                newline_since_item = false;
                continue;
            }
            let mut item = item;
            if !pending.is_empty() {
                item.comments_mut().leading = std::mem::take(&mut pending);
            }
            items.push(item);
            newline_since_item = false;
        }
        self.stray_run(stray);
        (items, pending)
    }

    /// Reports a run of stray `}` once.
    fn stray_run(&mut self, run: Option<StrayRun>) {
        let Some(run) = run else { return };
        let span = self.span(run.start, run.end);
        let (message, label, help) = if run.count == 1 {
            (
                "unexpected `}`: no block is open here".to_string(),
                "this `}` closes nothing".to_string(),
                "remove it, or look above for a block that was closed twice",
            )
        } else {
            (
                format!("{} unexpected `}}`: no block is open here", run.count),
                format!("these {} `}}` close nothing", run.count),
                "remove them, or look above for blocks that were closed twice",
            )
        };
        self.diags
            .push(Diagnostic::new(Code::UnmatchedClosingBrace, message, Label::new(span, label)).with_help(help));
    }

    fn comment(&self, t: &Token) -> Comment {
        let text = self.slice(t.start, t.end);
        let style = if text.starts_with('#') {
            CommentStyle::Hash
        } else if text.starts_with("//") {
            CommentStyle::Slashes
        } else {
            CommentStyle::Block
        };
        Comment {
            span: self.tok_span(t),
            style,
        }
    }

    /// Comment tokens directly among `children`.
    fn inner_comments(&self, children: &[Elem], out: &mut Vec<Comment>) {
        for e in children {
            if let Elem::Token(t) = e
                && t.kind == Kind::Comment
            {
                out.push(self.comment(t));
            }
        }
    }

    fn ident(&self, t: &Token) -> Ident {
        Ident {
            name: self.slice(t.start, t.end).to_string(),
            span: self.tok_span(t),
        }
    }

    fn block(&mut self, n: &Node) -> Block {
        let mut comments = Comments::default();
        self.inner_comments(&n.children, &mut comments.inner);
        let mut kind = None;
        let mut labels = Vec::new();
        let mut body = None;
        for e in &n.children {
            match e {
                Elem::Token(t) if t.kind == Kind::Ident => match kind {
                    None => kind = Some(self.ident(t)),
                    Some(_) => labels.push(BlockLabel::Ident(self.ident(t))),
                },
                Elem::Node(c) if matches!(c.kind, Kind::Str | Kind::RawStr | Kind::BlockStr) => {
                    labels.push(BlockLabel::Str(self.string(c, &mut comments.inner)));
                }
                Elem::Node(c) if c.kind == Kind::Body => body = Some(c),
                _ => {}
            }
        }
        let kind = kind.unwrap_or_else(|| Ident {
            name: String::new(),
            span: self.span(n.start, n.start),
        });
        let body = body.map(|b| self.body(b, &kind, &labels));
        Block {
            kind,
            labels,
            body,
            span: self.span(n.start, n.end),
            comments: comments.into(),
        }
    }

    fn body(&mut self, n: &Node, kind: &Ident, labels: &[BlockLabel]) -> Body {
        let open = self.span(n.start, n.start + 1);
        let close = n.children.iter().find_map(|e| match e {
            Elem::Token(t) if t.kind == Kind::CloseBrace => Some(self.tok_span(t)),
            _ => None,
        });
        let (items, dangling) = self.items(&n.children);
        let cascade = self.swallowed_to_eof && n.end as usize == self.text.len();
        if close.is_none() && !cascade {
            let header = self.header(kind, labels);
            let mut d = unclosed_block(self.text, self.file, &header, open, n.end);
            if let Some((inner, inner_close)) = misindented(self.text, &items) {
                let inner_header = self.header(&inner.kind, &inner.labels);
                let inner_open = inner.body.as_ref().map_or(inner.span, |b| b.open);
                d = d
                    .with_label(Label::new(
                        inner_open,
                        format!("`{inner_header}` may be the block missing its `}}`"),
                    ))
                    .with_label(Label::new(
                        inner_close,
                        format!("this `}}` closes `{inner_header}`, but it is indented like an outer block"),
                    ));
                d.help = Some(format!("add `}}` at the end of the body of `{inner_header}`"));
            }
            self.diags.push(d);
        }
        Body {
            open,
            close,
            items,
            dangling,
        }
    }

    /// `service api` for messages.
    fn header(&self, kind: &Ident, labels: &[BlockLabel]) -> String {
        match labels.last() {
            Some(l) => self.slice(kind.span.start, l.span().end).to_string(),
            None => kind.name.clone(),
        }
    }

    fn attribute(&mut self, n: &Node) -> Attribute {
        let mut comments = Comments::default();
        self.inner_comments(&n.children, &mut comments.inner);
        let mut name = None;
        let mut value = None;
        let mut eq = None;
        let mut quoted = false;
        for e in &n.children {
            match e {
                Elem::Token(t) if t.kind == Kind::Ident && name.is_none() => name = Some(self.ident(t)),
                Elem::Token(t) if t.kind == Kind::QuotedKey && name.is_none() => {
                    // The name is what the quotes hold.
                    let inner = Token {
                        kind: t.kind,
                        start: t.start + 1,
                        end: t.end - 1,
                    };
                    name = Some(self.ident(&inner));
                    quoted = true;
                }
                Elem::Token(t) if t.kind == Kind::Punct && eq.is_none() => eq = Some(self.tok_span(t)),
                Elem::Node(c) if c.kind == Kind::MissingValue => {
                    let name_text = name.as_ref().map_or("", |i: &Ident| i.name.as_str());
                    let at = eq.unwrap_or_else(|| self.span(c.start, c.start));
                    let whole = self.span(n.start, at.end);
                    self.diags.push(
                        Diagnostic::new(
                            Code::MissingValue,
                            format!("`{name_text} =` has no value"),
                            Label::new(whole, "a value must follow `=` on this line"),
                        )
                        .with_help(format!(
                            "write the value after `=`, for example `{name_text} = \"...\"`, or remove the line"
                        )),
                    );
                    value = Some(Value {
                        kind: ValueKind::Error,
                        span: self.span(c.start, c.end),
                    });
                }
                // Comments were collected above; everything else after `=` is the value.
                other if value.is_none() && name.is_some() && eq.is_some() && other.kind() != Kind::Comment => {
                    value = self.value(other, &mut comments.inner);
                }
                _ => {}
            }
        }
        let name = name.unwrap_or_else(|| Ident {
            name: String::new(),
            span: self.span(n.start, n.start),
        });
        let value = value.unwrap_or(Value {
            kind: ValueKind::Error,
            span: self.span(n.end, n.end),
        });
        Attribute {
            name,
            quoted,
            value,
            span: self.span(n.start, n.end),
            comments: comments.into(),
        }
    }

    fn import(&mut self, n: &Node) -> Import {
        let mut comments = Comments::default();
        self.inner_comments(&n.children, &mut comments.inner);
        let mut path = None;
        for e in &n.children {
            if let Elem::Node(c) = e
                && matches!(c.kind, Kind::Str | Kind::RawStr | Kind::BlockStr)
            {
                path = Some(self.string(c, &mut comments.inner));
            }
        }
        let span = self.span(n.start, n.end);
        if path.is_none() {
            self.diags.push(
                Diagnostic::new(
                    Code::SyntaxError,
                    "`import` needs a path",
                    Label::new(span, "expected a string after `import`"),
                )
                .with_help(
                    "write the module or file to import: `import \"std/github\"` or `import \"./services.dvc\"`",
                ),
            );
        }
        Import {
            path,
            span,
            comments: comments.into(),
        }
    }

    /// A value from one CST element; `None` for trivia and punctuation.
    fn value(&mut self, e: &Elem, comments: &mut Vec<Comment>) -> Option<Value> {
        let (start, end) = e.range();
        let span = self.span(start, end);
        let kind = match e {
            Elem::Token(t) => match t.kind {
                Kind::Number => {
                    let text = self.slice(t.start, t.end).to_string();
                    ValueKind::Number {
                        value: text.parse().unwrap_or(f64::NAN),
                        text,
                    }
                }
                Kind::Unit => {
                    let text = self.slice(t.start, t.end).to_string();
                    let split = text
                        .char_indices()
                        .find(|&(i, c)| i > 0 && (c.is_ascii_alphabetic() || c == '%'))
                        .map_or(text.len(), |(i, _)| i);
                    ValueKind::Unit {
                        value: text[..split].parse().unwrap_or(f64::NAN),
                        unit: text[split..].to_string(),
                        text,
                    }
                }
                Kind::Bool => ValueKind::Bool(self.slice(t.start, t.end) == "true"),
                Kind::Comment => {
                    comments.push(self.comment(t));
                    return None;
                }
                _ => return None,
            },
            Elem::Node(n) => match n.kind {
                Kind::Str | Kind::RawStr | Kind::BlockStr => ValueKind::Str(self.string(n, comments)),
                Kind::Reference => ValueKind::Ref(self.reference(n)),
                Kind::List => ValueKind::List(n.children.iter().filter_map(|c| self.value(c, comments)).collect()),
                Kind::Range => {
                    let mut ends = n.children.iter().filter_map(|c| self.value(c, comments));
                    let lo = ends.next();
                    let hi = ends.next();
                    match (lo, hi) {
                        (Some(lo), Some(hi)) => ValueKind::Range(Box::new(lo), Box::new(hi)),
                        _ => ValueKind::Error,
                    }
                }
                Kind::Call => {
                    let mut name = None;
                    let mut args = Vec::new();
                    for c in &n.children {
                        match c {
                            Elem::Token(t) if t.kind == Kind::Ident && name.is_none() => name = Some(self.ident(t)),
                            other => args.extend(self.value(other, comments)),
                        }
                    }
                    let name = name.unwrap_or_else(|| Ident {
                        name: String::new(),
                        span,
                    });
                    ValueKind::Call { name, args }
                }
                _ => return None,
            },
        };
        Some(Value { kind, span })
    }

    fn reference(&mut self, n: &Node) -> Path {
        let mut segments = Vec::new();
        for e in &n.children {
            match e {
                Elem::Token(t) if t.kind == Kind::Ident => segments.push(self.ident(t)),
                Elem::Token(t) if t.kind == Kind::TrailingDot => {
                    let dotted = self.slice(n.start, t.start);
                    self.diags.push(
                        Diagnostic::new(
                            Code::IncompleteReference,
                            format!("the reference `{dotted}.` ends with a dot"),
                            Label::new(self.tok_span(t), "expected a name after this `.`"),
                        )
                        .with_help(format!("complete the name (`{dotted}.NAME`) or remove the dot")),
                    );
                }
                _ => {}
            }
        }
        Path {
            segments,
            span: self.span(n.start, n.end),
        }
    }
}

pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn unclosed_block(text: &str, file: FileId, header: &str, open: Span, body_end: u32) -> Diagnostic {
    let rest = text.get(body_end as usize..).unwrap_or("");
    let skipped = rest.len() - rest.trim_start().len();
    let next = body_end as usize + skipped;
    let d = Diagnostic::new(
        Code::UnclosedBlock,
        format!("`{header}` is never closed"),
        Label::new(open, "this `{` has no matching `}`"),
    )
    .with_help(format!("add `}}` at the end of the body of `{header}`"));
    if next < text.len() {
        let line_end = text[next..].find(['\n', '\r']).map_or(text.len(), |p| next + p);
        d.with_label(Label::new(
            Span::new(file, next, line_end),
            "the next top-level block starts here",
        ))
    } else {
        d
    }
}

/// The first nested block whose `}` is indented less than its header: with
/// an outer block left open, that block is the likely culprit (its `}` was
/// meant for the outer block).
fn misindented<'b>(text: &str, items: &'b [Item]) -> Option<(&'b Block, Span)> {
    for item in items {
        let Item::Block(b) = item else { continue };
        let Some(body) = &b.body else { continue };
        if let Some(close) = body.close
            && indent_of(text, close.start as usize) < indent_of(text, b.span.start as usize)
        {
            return Some((b, close));
        }
        if let Some(found) = misindented(text, &body.items) {
            return Some(found);
        }
    }
    None
}

/// The width of the white space that starts the line holding `offset`.
fn indent_of(text: &str, offset: usize) -> usize {
    let start = text[..offset.min(text.len())].rfind(['\n', '\r']).map_or(0, |p| p + 1);
    text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len()
}
