//! Repairs: habits from YAML, shells and other configuration languages that
//! the grammar cannot read, recognised on an error item (and the item before
//! it on its line), reported once with the exact fix, and read as the user
//! meant. The AST then holds the repaired item, so later stages see the
//! attribute and report nothing more about it: no cascade.
//!
//! A repair that keeps every offset (a `:` read as `=`, `'` as `"`) parses
//! the repaired text again with the grammar's `probe` rule; the others build
//! the item directly. The CST is not touched: it stays the lossless text.

use pest::Parser;

use super::Lower;
use crate::diag::{Code, Diagnostic, Edit, Fix, Label};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::cst::{self, Elem, Kind};
use crate::syntax::parser::{DvcParser, Rule};

/// What a repair does with the error item.
pub enum Outcome {
    /// The error item is the item before it, completed: replace that one.
    ReplacePrevious(Item),
    /// The error item is this item.
    Item(Item),
    /// The error item is only a stray separator: it is dropped.
    Drop,
}

impl Lower<'_> {
    /// Tries the known repairs of the error item at `span`, given the item
    /// before it in the same body.
    pub(super) fn repair(&mut self, span: Span, prev: Option<&Item>) -> Option<(Option<Diagnostic>, Outcome)> {
        let err = self.slice(span.start, span.end);
        if let Some(r) = self.brace_on_next_line(span, err, prev) {
            return Some(r);
        }
        let same_line = |p: &Item| !self.slice(p.span().end, span.start).contains('\n');
        if let Some(p) = prev.filter(|p| same_line(p)) {
            if let Some((d, o)) = self.stray_separator(span, err) {
                return Some((Some(d), o));
            }
            match p {
                Item::Attribute(a) => return self.unquoted_value(a, span).map(|(d, o)| (Some(d), o)),
                Item::Block(b) if b.body.is_none() => {
                    if let Some((d, o)) = self.missing_equals(b, span) {
                        return Some((Some(d), o));
                    }
                    return self.unquoted_label(b, span);
                }
                _ => {}
            }
        }
        self.yaml_colon(span, err)
            .or_else(|| self.equals_before_block(span, err))
            .or_else(|| self.double_equals(span, err))
            .or_else(|| self.single_quotes(span, err))
            .or_else(|| self.unquoted_text(span, err))
            .map(|(d, o)| (Some(d), o))
    }

    /// Parses `repaired` (as long as the text at `span`) as one item, with
    /// the offsets of `span`.
    fn reparse(&mut self, span: Span, repaired: &str) -> Option<Item> {
        debug_assert_eq!(repaired.len(), (span.end - span.start) as usize);
        let pair = DvcParser::parse(Rule::probe, repaired).ok()?.next()?;
        let mut elems = Vec::new();
        cst::push_chunk(pair, repaired, span.start as usize, &mut elems);
        elems.iter().find_map(|e| match e {
            Elem::Node(n) if n.kind == Kind::Attribute => Some(Item::Attribute(self.attribute(n))),
            Elem::Node(n) if n.kind == Kind::Block => Some(Item::Block(self.block(n))),
            _ => None,
        })
    }

    /// `service api` with its `{` on the next line: read as one block.
    fn brace_on_next_line(
        &mut self,
        span: Span,
        err: &str,
        prev: Option<&Item>,
    ) -> Option<(Option<Diagnostic>, Outcome)> {
        let d = crate::syntax::errors::brace_on_next_line(self.text, span, err, prev)?;
        let Some(Item::Block(b)) = prev else { return None };
        let whole = Span::new(self.file, b.span.start as usize, span.end as usize);
        let repaired: String = self
            .slice(whole.start, whole.end)
            .char_indices()
            .map(|(i, c)| {
                let inside_gap = (whole.start as usize + i) >= b.span.end as usize
                    && (whole.start as usize + i) < span.start as usize;
                if inside_gap && (c == '\n' || c == '\r') { ' ' } else { c }
            })
            .collect();
        let item = self.reparse(whole, &repaired);
        let outcome = match item {
            Some(item) => Outcome::ReplacePrevious(item),
            None => Outcome::Item(error_item(span)),
        };
        Some((Some(d), outcome))
    }

    /// `port = 8080;` or `a = 1, b = 2`: a separator other languages use.
    fn stray_separator(&self, span: Span, err: &str) -> Option<(Diagnostic, Outcome)> {
        let sep = err.trim();
        if !matches!(sep, ";" | ",") {
            return None;
        }
        // The separator and the white space before it go.
        let before = self.text[..span.start as usize].trim_end_matches([' ', '\t']).len();
        let delete = Span::new(self.file, before, span.end as usize);
        let d = Diagnostic::new(
            Code::SyntaxError,
            format!("unexpected `{sep}`: dvcc separates items with new lines or spaces"),
            Label::new(span, format!("no `{sep}` after an item")),
        )
        .with_replacement(delete, "", format!("remove the `{sep}`"));
        Some((d, Outcome::Drop))
    }

    /// `port 8080`: a name, then a value on the same line, read as a
    /// bodiless block and an error item.
    fn missing_equals(&mut self, b: &Block, span: Span) -> Option<(Diagnostic, Outcome)> {
        if !b.labels.is_empty() {
            return None;
        }
        let err = self.slice(span.start, span.end);
        let first = err.chars().next()?;
        if !(first.is_ascii_digit() || matches!(first, '[' | '-' | '"' | '`')) {
            return None;
        }
        let gap = self.slice(b.kind.span.end, span.start);
        if gap.is_empty() || !gap.chars().all(|c| c == ' ' || c == '\t') {
            return None;
        }
        let whole = Span::new(self.file, b.span.start as usize, span.end as usize);
        let mut repaired = self.slice(whole.start, whole.end).to_string();
        let at = (b.kind.span.end - whole.start) as usize;
        repaired.replace_range(at..at + 1, "=");
        let item = self.reparse(whole, &repaired)?;
        let name = &b.kind.name;
        let value = err.trim_end();
        let d = Diagnostic::new(
            Code::MissingEquals,
            format!("`{name}` and its value need `=` between them"),
            Label::new(
                Span::new(self.file, b.kind.span.end as usize, span.start as usize),
                "`=` missing here",
            ),
        )
        .with_fix(Fix::replace(
            Span::new(self.file, b.kind.span.end as usize, span.start as usize),
            " = ",
            format!("write `{name} = {value}`"),
        ));
        Some((d, Outcome::ReplacePrevious(item)))
    }

    /// `image = ghcr.io/acme/api`: a name read as a reference, then the rest
    /// of the text.
    fn unquoted_value(&self, a: &Attribute, span: Span) -> Option<(Diagnostic, Outcome)> {
        if !matches!(
            a.value.kind,
            ValueKind::Ref(_) | ValueKind::Number { .. } | ValueKind::Unit { .. }
        ) {
            return None;
        }
        if a.value.span.end != span.start {
            return None;
        }
        let whole = Span::new(self.file, a.value.span.start as usize, span.end as usize);
        let text = self.slice(whole.start, whole.end).trim_end();
        if !plain_text(text) {
            return None;
        }
        let whole = Span::new(self.file, whole.start as usize, whole.start as usize + text.len());
        let d = unquoted(&a.name.name, text, whole);
        let mut fixed = a.clone();
        fixed.value = Value {
            kind: ValueKind::Str(plain_string(text, whole)),
            span: whole,
        };
        fixed.span = a.span.to(whole);
        Some((d, Outcome::ReplacePrevious(Item::Attribute(fixed))))
    }

    /// `uses actions/checkout@v4`: a label read as a name, then the rest.
    fn unquoted_label(&self, b: &Block, span: Span) -> Option<(Option<Diagnostic>, Outcome)> {
        let Some(BlockLabel::Ident(last)) = b.labels.last() else {
            return None;
        };
        if last.span.end != span.start {
            return None;
        }
        let whole = Span::new(self.file, last.span.start as usize, span.end as usize);
        let text = self.slice(whole.start, whole.end).trim_end();
        if !plain_text(text) {
            return None;
        }
        let whole = Span::new(self.file, whole.start as usize, whole.start as usize + text.len());
        // `uses owner/repo@v4`: the pin check reports it, with a fix that
        // quotes and pins it at once (one report, not two).
        let d = (!unpinned_action(&b.kind.name, text)).then(|| unquoted(&b.kind.name, text, whole));
        let mut fixed = b.clone();
        if let Some(l) = fixed.labels.last_mut() {
            *l = BlockLabel::Str(plain_string(text, whole));
        }
        fixed.span = b.span.to(whole);
        Some((d, Outcome::ReplacePrevious(Item::Block(fixed))))
    }

    /// `NAME = TEXT` where TEXT is no value at all (`health = /healthz`).
    fn unquoted_text(&self, span: Span, err: &str) -> Option<(Diagnostic, Outcome)> {
        let eq = err.find('=')?;
        let (name, rest) = (err[..eq].trim_end(), &err[eq + 1..]);
        if !super::is_ident(name) || rest.starts_with('=') {
            return None;
        }
        let text = rest.trim();
        if text.is_empty() || !plain_text(text) || text.starts_with(['[', '(', '\'']) {
            return None;
        }
        let start = span.start as usize + eq + 1 + (rest.len() - rest.trim_start().len());
        let at = Span::new(self.file, start, start + text.len());
        let name_span = Span::new(self.file, span.start as usize, span.start as usize + name.len());
        let attr = Attribute {
            name: Ident {
                name: name.to_string(),
                span: name_span,
            },
            quoted: false,
            value: Value {
                kind: ValueKind::Str(plain_string(text, at)),
                span: at,
            },
            span: name_span.to(at),
            comments: Attached::default(),
        };
        Some((unquoted(name, text, at), Outcome::Item(Item::Attribute(attr))))
    }

    /// `port: 8080` as in YAML: read as `port = 8080` (and `resources: {`
    /// as a block) unless the value is a bare word, which may be either.
    fn yaml_colon(&mut self, span: Span, err: &str) -> Option<(Diagnostic, Outcome)> {
        let name_len = err
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(err.len());
        let name = &err[..name_len];
        let after = &err[name_len..];
        let colon = name_len + (after.len() - after.trim_start_matches([' ', '\t']).len());
        if name.is_empty() || !super::is_ident(name) || !err[colon..].starts_with(':') {
            return None;
        }
        let value = err[colon + 1..].trim();
        let colon_span = Span::new(self.file, span.start as usize + colon, span.start as usize + colon + 1);
        let d = Diagnostic::new(
            Code::YamlStyleAttribute,
            format!("`{name}:` is YAML syntax, not dvcc"),
            Label::new(colon_span, "dvcc does not use `:` here"),
        );
        let bare_word = super::is_ident(value) && !matches!(value, "true" | "false");
        if value.is_empty() || bare_word {
            // `on: push` may be `on = push` or `on push { ... }`; `name:`
            // at the end of a line opens a YAML mapping.
            let help = if value.is_empty() {
                format!("write a block without `:`: `{name} {{ ... }}`")
            } else {
                format!("write `{name} = {value}` for an attribute, or `{name} {value} {{ ... }}` for a block")
            };
            return Some((d.with_help(help), Outcome::Item(error_item(span))));
        }
        let mut repaired = err.to_string();
        let (with, replacement, help) = if value.starts_with('{') {
            (" ", "", format!("write a block without `:`: `{name} {{ ... }}`"))
        } else {
            ("=", " =", format!("write an attribute with `=`: `{name} = {value}`"))
        };
        repaired.replace_range(colon..colon + 1, with);
        let item = self.reparse(span, &repaired)?;
        let fix_span = if replacement.is_empty() {
            // `resources: {` → `resources {`: the colon goes.
            colon_span
        } else {
            // `port: 8080` → `port = 8080`: ` =` where the colon was, after
            // the name (white space before the colon removed).
            Span::new(self.file, span.start as usize + name_len, colon_span.end as usize)
        };
        let d = d.with_fix(Fix::replace(fix_span, replacement, help));
        Some((d, Outcome::Item(item)))
    }

    /// `env = { LOG_LEVEL = "info" }`, as HCL writes a map: read as the
    /// block it is in dvcc when its body is dvcc (a JSON object inside is
    /// left to the general report).
    fn equals_before_block(&mut self, span: Span, err: &str) -> Option<(Diagnostic, Outcome)> {
        let eq = err.find('=')?;
        let name = err[..eq].trim_end();
        let after = &err[eq + 1..];
        if !super::is_ident(name) || !after.trim_start().starts_with('{') || after.contains(':') {
            return None;
        }
        let mut repaired = err.to_string();
        repaired.replace_range(eq..=eq, " ");
        let item = self.reparse(span, &repaired)?;
        let clean = matches!(&item, Item::Block(b) if b.body.as_ref().is_some_and(|body| !body.items.iter().any(|i| matches!(i, Item::Error(_)))));
        if !clean {
            return None;
        }
        // `env = {` → `env {`: the `=` and the space before it go.
        let at = Span::new(
            self.file,
            span.start as usize + name.len(),
            span.start as usize + eq + 1,
        );
        let d = Diagnostic::new(
            Code::EqualsBeforeBlock,
            format!("`{name} = {{` puts `=` before a block"),
            Label::new(
                Span::new(self.file, span.start as usize + eq, span.start as usize + eq + 1),
                "a block takes no `=`",
            ),
        )
        .with_replacement(at, "", format!("remove the `=` (an HCL habit): `{name} {{ ... }}`"));
        Some((d, Outcome::Item(item)))
    }

    /// `replicas == 2`: a comparison where a setting was meant.
    fn double_equals(&mut self, span: Span, err: &str) -> Option<(Diagnostic, Outcome)> {
        let at = err.find("==")?;
        let name = err[..at].trim_end();
        if !super::is_ident(name) {
            return None;
        }
        let mut repaired = err.to_string();
        repaired.replace_range(at..at + 2, "= ");
        let item = self.reparse(span, &repaired)?;
        let eq = Span::new(self.file, span.start as usize + at, span.start as usize + at + 2);
        let d = Diagnostic::new(
            Code::SyntaxError,
            "`==` compares; an attribute is set with one `=`",
            Label::new(eq, "one `=` here"),
        )
        .with_replacement(eq, "=", format!("write `{name} = ...`"));
        Some((d, Outcome::Item(item)))
    }

    /// `level = 'info'`: single quotes, as in YAML or a shell.
    fn single_quotes(&mut self, span: Span, err: &str) -> Option<(Diagnostic, Outcome)> {
        let open = err.find('\'')?;
        let close = open + 1 + err[open + 1..].find('\'')?;
        let inner = &err[open + 1..close];
        let quoted = Span::new(self.file, span.start as usize + open, span.start as usize + close + 1);
        let fixed = format!("\"{}\"", inner.replace('\\', "\\\\").replace('"', "\\\""));
        let d = Diagnostic::new(
            Code::SingleQuotedString,
            "dvcc strings are written in double quotes",
            Label::new(quoted, "single quotes"),
        )
        .with_replacement(quoted, fixed.clone(), format!("write `{fixed}`"));
        // Read as meant when the swap keeps every offset.
        let item = if fixed.len() == inner.len() + 2 && !inner.contains("${") {
            let mut repaired = err.to_string();
            repaired.replace_range(open..=close, &fixed);
            self.reparse(span, &repaired)
        } else {
            None
        };
        Some((d, Outcome::Item(item.unwrap_or_else(|| error_item(span)))))
    }
}

/// Text a user plausibly meant as one string: no quotes, braces, `=` or
/// comment marks, on one line.
fn plain_text(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(['"', '`', '{', '}', '=', '\n', '#', ';', ','])
        && !text.contains("//")
        && text.chars().any(|c| matches!(c, '/' | ':' | '@' | '.' | '*'))
}

fn plain_string(text: &str, span: Span) -> StrLit {
    StrLit {
        style: StrStyle::Quoted,
        parts: vec![StrPart::Text {
            text: text.to_string(),
            span,
        }],
        span,
    }
}

fn error_item(span: Span) -> Item {
    Item::Error(ErrorItem {
        span,
        comments: Attached::default(),
    })
}

fn unquoted(owner: &str, text: &str, at: Span) -> Diagnostic {
    let quoted = format!("\"{}\"", text.replace("${", "$${"));
    Diagnostic::new(
        Code::UnquotedText,
        format!("`{text}` needs quotes"),
        Label::new(at, "text without quotes"),
    )
    .with_fix(Fix::edits(
        vec![Edit {
            span: at,
            replacement: quoted.clone(),
        }],
        format!("put the text of `{owner}` in quotes: `{quoted}`"),
    ))
}

/// `owner/repo@ref` after `uses`, with a ref that is not a commit.
fn unpinned_action(kind: &str, text: &str) -> bool {
    let Some((path, reference)) = text.split_once('@') else {
        return false;
    };
    kind == "uses" && path.contains('/') && !(reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()))
}
