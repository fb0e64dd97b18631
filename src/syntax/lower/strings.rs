//! Strings: escapes decoded, `${...}` interpolations and `${{ ... }}`
//! GitHub expressions split out with their own spans, block strings
//! dedented, and the tolerant forms (a missing closing quote, a bad escape,
//! an unclosed `${`) reported.

use super::{Lower, is_ident};
use crate::diag::{Code, Diagnostic, Label};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::cst::{Elem, Kind, Node};

impl Lower<'_> {
    pub(super) fn string(&mut self, n: &Node, _comments: &mut Vec<Comment>) -> StrLit {
        let style = match n.kind {
            Kind::RawStr => StrStyle::Raw,
            Kind::BlockStr => StrStyle::Block,
            _ => StrStyle::Quoted,
        };
        let span = self.span(n.start, n.end);
        let mut parts: Vec<StrPart> = Vec::new();
        let mut closed = false;
        for e in &n.children {
            match e {
                Elem::Token(t) => {
                    let ts = self.tok_span(t);
                    let raw = self.slice(t.start, t.end);
                    match t.kind {
                        Kind::StrText => push_text(&mut parts, raw, ts),
                        Kind::Escape => match decode_escape(raw) {
                            Some(c) => push_text(&mut parts, c.encode_utf8(&mut [0; 4]), ts),
                            None => {
                                self.diags.push(invalid_escape(ts, raw));
                                push_text(&mut parts, raw, ts);
                            }
                        },
                        Kind::BadEscape => {
                            self.diags.push(invalid_escape(ts, raw));
                            push_text(&mut parts, raw, ts);
                        }
                        Kind::DollarLit => push_text(&mut parts, "${", ts),
                        Kind::GhaExpr => parts.push(StrPart::Gha {
                            text: raw.to_string(),
                            span: ts,
                        }),
                        Kind::BadGha => {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::MalformedInterpolation,
                                    "this GitHub Actions expression `${{` is not closed",
                                    Label::new(ts, "expected `}}` later on this line"),
                                )
                                .with_help("close the expression with `}}`, as in `${{ github.sha }}`"),
                            );
                            push_text(&mut parts, raw, ts);
                        }
                        Kind::BadInterp => {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::MalformedInterpolation,
                                    "this interpolation `${` is not closed",
                                    Label::new(ts, "expected a name and `}` after `${`"),
                                )
                                .with_help("close it (`${project.registry}`), or write `$${` for a literal `${`"),
                            );
                            push_text(&mut parts, raw, ts);
                        }
                        Kind::QuoteClose => closed = true,
                        _ => {}
                    }
                }
                Elem::Node(c) if c.kind == Kind::Interp => parts.push(self.interp(c)),
                Elem::Node(_) => {}
            }
        }
        if !closed {
            let mut d = unterminated_string(span, style);
            // A one-line string: its quote belongs where its text ends.
            let text = self.slice(span.start, span.end);
            if style != StrStyle::Block {
                let trimmed = text.trim_end_matches([' ', '\t', '\r']);
                let at = Span {
                    start: span.start + trimmed.len() as u32,
                    end: span.start + trimmed.len() as u32,
                    ..span
                };
                let quote = if style == StrStyle::Raw { "`" } else { "\"" };
                let fix =
                    crate::diag::Fix::replace(at, quote, format!("add the closing `{quote}` at the end of the line"));
                // A `#` may start a comment the string swallowed.
                d = d.with_fix(if trimmed.contains('#') { fix.maybe() } else { fix });
            }
            self.diags.push(d);
            self.swallowed_to_eof |= style == StrStyle::Block;
        }
        if style == StrStyle::Block {
            if let Some(d) = mixed_indentation(self.text, span) {
                self.diags.push(d);
            }
            parts = dedent(parts, span);
        }
        StrLit { style, parts, span }
    }

    pub(super) fn interp(&mut self, n: &Node) -> StrPart {
        let span = self.span(n.start, n.end);
        let inner = n.children.iter().find_map(|e| match e {
            Elem::Token(t) if t.kind == Kind::InterpInner => Some(t),
            _ => None,
        });
        let (istart, itext) = inner.map_or((n.start + 2, ""), |t| (t.start, self.slice(t.start, t.end)));
        let lead = itext.len() - itext.trim_start().len();
        let trimmed = itext.trim();
        let mut segments = Vec::new();
        let mut at = istart as usize + lead;
        let mut ok = !trimmed.is_empty();
        for seg in trimmed.split('.') {
            if !is_ident(seg) {
                ok = false;
                break;
            }
            segments.push(Ident {
                name: seg.to_string(),
                span: Span::new(self.file, at, at + seg.len()),
            });
            at += seg.len() + 1;
        }
        if !ok {
            let what = if trimmed.is_empty() {
                "this interpolation is empty".to_string()
            } else {
                format!("`{trimmed}` is not a reference")
            };
            self.diags.push(
                Diagnostic::new(
                    Code::MalformedInterpolation,
                    format!("{what}: `${{...}}` takes a dotted name"),
                    Label::new(span, "expected a name such as `project.registry`"),
                )
                .with_help("write `${NAME}` or `${NAME.FIELD}`; for a literal `${`, write `$${`"),
            );
            let raw = self.slice(n.start, n.end).to_string();
            return StrPart::Text { text: raw, span };
        }
        StrPart::Interp {
            path: Path {
                segments,
                span: Span::new(self.file, istart as usize + lead, at - 1),
            },
            span,
        }
    }
}

fn push_text(parts: &mut Vec<StrPart>, text: &str, span: Span) {
    if let Some(StrPart::Text {
        text: prev,
        span: prev_span,
    }) = parts.last_mut()
    {
        prev.push_str(text);
        *prev_span = prev_span.to(span);
    } else {
        parts.push(StrPart::Text {
            text: text.to_string(),
            span,
        });
    }
}

fn decode_escape(raw: &str) -> Option<char> {
    Some(match raw {
        "\\\"" => '"',
        "\\\\" => '\\',
        "\\n" => '\n',
        "\\t" => '\t',
        "\\r" => '\r',
        "\\0" => '\0',
        "\\$" => '$',
        _ => {
            let hex = raw.strip_prefix("\\u{")?.strip_suffix('}')?;
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
        }
    })
}

fn invalid_escape(span: Span, raw: &str) -> Diagnostic {
    let what = if raw.starts_with("\\u") {
        format!("`{raw}` is not a Unicode scalar value")
    } else {
        format!("unknown escape `{raw}`")
    };
    Diagnostic::new(Code::InvalidEscape, what, Label::new(span, "not a valid escape"))
        .with_help("the escapes are \\\" \\\\ \\n \\t \\r \\0 \\$ and \\u{XXXX}; write `\\\\` for a backslash, or use a raw `...` string")
}

fn unterminated_string(span: Span, style: StrStyle) -> Diagnostic {
    let (what, help) = match style {
        StrStyle::Quoted => (
            "this string is not closed: `\"` strings end on their line",
            "add the closing `\"`; for text on several lines use a block string `\"\"\"`",
        ),
        StrStyle::Raw => (
            "this raw string is not closed: `` ` `` strings end on their line",
            "add the closing `` ` ``; for text on several lines use a block string `\"\"\"`",
        ),
        StrStyle::Block => (
            "this block string is not closed",
            "add `\"\"\"` where the text should end",
        ),
    };
    let open = match style {
        StrStyle::Block => Span {
            end: span.start + 3,
            ..span
        },
        _ => span,
    };
    Diagnostic::new(
        Code::UnterminatedString,
        what,
        Label::new(open, "the string starts here and never ends"),
    )
    .with_help(help)
}

/// Tabs and spaces mixed in the indentation of a block string's lines: the
/// common indentation removed is then shorter than it looks, and the
/// script keeps stray white space. Reported on the first line indented
/// differently from the first indented line, with that line's indentation
/// offered in its place.
fn mixed_indentation(text: &str, whole: Span) -> Option<Diagnostic> {
    let body = text.get(whole.start as usize..whole.end as usize)?;
    let mut offset = whole.start as usize;
    let mut reference: Option<&str> = None;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if i == 0 || content.trim().is_empty() || content.trim_start().starts_with("\"\"\"") {
            continue;
        }
        let indent = &content[..content.len() - content.trim_start_matches([' ', '\t']).len()];
        let Some(first) = reference else {
            reference = Some(indent);
            continue;
        };
        let mixes_itself = indent.contains(' ') && indent.contains('\t');
        let differs = !indent.is_empty() && !first.is_empty() && indent.contains('\t') != first.contains('\t');
        if mixes_itself || differs {
            let at = Span::new(whole.file, start, start + indent.len());
            let with = if first.contains('\t') {
                first.to_string()
            } else {
                " ".repeat(first.len())
            };
            return Some(
                Diagnostic::new(
                    Code::MixedIndentation,
                    "this block string mixes tabs and spaces in its indentation",
                    Label::new(at, "indented with a tab here, with spaces above"),
                )
                .with_fix(
                    crate::diag::Fix::replace(
                        at,
                        with,
                        "indent every line the same way (spaces): the common indentation removed counts characters, so a tab counts as one space",
                    )
                    .maybe(),
                ),
            );
        }
    }
    None
}

/// Removes the common indentation of a block string: the first line is
/// dropped when blank (text starts on the line after `"""`), the last line
/// when only white space precedes the closing `"""`, and then the longest
/// common run of leading spaces and tabs is removed from every non-blank
/// line. Line endings become `\n`.
fn dedent(parts: Vec<StrPart>, whole: Span) -> Vec<StrPart> {
    // Split into lines of parts.
    let mut lines: Vec<Vec<StrPart>> = vec![Vec::new()];
    for p in parts {
        match p {
            StrPart::Text { text, span } => {
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                let mut first = true;
                for piece in text.split('\n') {
                    if !first {
                        lines.push(Vec::new());
                    }
                    first = false;
                    if !piece.is_empty()
                        && let Some(line) = lines.last_mut()
                    {
                        line.push(StrPart::Text {
                            text: piece.to_string(),
                            span,
                        });
                    }
                }
            }
            other => {
                if let Some(line) = lines.last_mut() {
                    line.push(other);
                }
            }
        }
    }
    let blank = |line: &Vec<StrPart>| {
        line.iter()
            .all(|p| matches!(p, StrPart::Text { text, .. } if text.trim_matches([' ', '\t']).is_empty()))
    };
    if lines.len() > 1 && lines.first().is_some_and(blank) {
        lines.remove(0);
    }
    let mut trailing_newline = false;
    if lines.len() > 1 && lines.last().is_some_and(blank) {
        lines.pop();
        trailing_newline = true;
    }
    let indent = lines
        .iter()
        .filter(|l| !blank(l))
        .map(|l| match l.first() {
            Some(StrPart::Text { text, .. }) => text.len() - text.trim_start_matches([' ', '\t']).len(),
            _ => 0,
        })
        .min()
        .unwrap_or(0);
    let count = lines.len();
    let mut out: Vec<StrPart> = Vec::new();
    for (i, mut line) in lines.into_iter().enumerate() {
        if blank(&line) {
            line.clear();
        } else if let Some(StrPart::Text { text, .. }) = line.first_mut() {
            text.drain(..indent.min(text.len()));
        }
        for p in line {
            match p {
                StrPart::Text { text, span } => push_text(&mut out, &text, span),
                other => out.push(other),
            }
        }
        if i + 1 < count || trailing_newline {
            let span = out.last().map(|p| match p {
                StrPart::Text { span, .. } | StrPart::Interp { span, .. } | StrPart::Gha { span, .. } => *span,
            });
            if let Some(span) = span {
                push_text(&mut out, "\n", span);
            } else {
                out.push(StrPart::Text {
                    text: "\n".to_string(),
                    span: whole,
                });
            }
        }
    }
    out
}
