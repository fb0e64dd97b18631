//! `dvcc fmt`: one canonical layout, printed from the syntax tree and the
//! source text.
//!
//! - two spaces of indentation per body; one item per line in a body that
//!   spans lines; a body written on one line stays on one line, its items
//!   two spaces apart (`resources { cpu = 500m  memory = 512Mi }`);
//! - `name = value` with the `=` aligned within a run of attributes (lines
//!   one after the other, no blank line or comment between);
//! - one blank line between top-level items (none between imports), at most
//!   one blank line inside a body, kept where the author put one;
//! - values (strings in every form, lists, calls) exactly as written;
//!   comments kept where they were, a trailing comment two spaces after
//!   its item;
//! - a top-level item with a syntax error is copied verbatim.
//!
//! **Invariant:** formatting never changes meaning (the model and the
//! diagnostics of a file are the same before and after; tested over every
//! `.dvc` file of the repository and by a property test) and is idempotent.

use crate::source::{FileId, Span};
use crate::syntax::ast::{Attribute, Block, BlockLabel, Body, Comment, File, Item, Value, ValueKind};

/// The width lists are laid out in.
const WIDTH: usize = 100;

/// The formatted text of `text` (a file with id `file`).
pub fn format(file: FileId, text: &str) -> String {
    let parse = crate::syntax::parse_text(file, text);
    let broken: Vec<Span> = parse.diagnostics.iter().map(|d| d.primary.span).collect();
    let mut p = Printer {
        text,
        out: String::new(),
        broken,
    };
    p.file(&parse.ast);
    p.out
}

struct Printer<'a> {
    text: &'a str,
    out: String,
    /// Where the parser reported something: items holding one are copied.
    broken: Vec<Span>,
}

impl Printer<'_> {
    fn slice(&self, span: Span) -> &str {
        self.text.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    /// Whether the source between `from` and `to` holds a blank line.
    fn blank_between(&self, from: u32, to: u32) -> bool {
        let between = self.text.get(from as usize..to as usize).unwrap_or("");
        between
            .split('\n')
            .skip(1)
            .take(between.matches('\n').count().saturating_sub(1))
            .any(|l| l.trim().is_empty())
    }

    fn file(&mut self, f: &File) {
        // Top-level items in groups of lines: items sharing a line are one
        // group; a group holding a syntax problem is copied line for line.
        let newlines: Vec<usize> = self.text.match_indices('\n').map(|(i, _)| i).collect();
        let line_of = |offset: u32| newlines.partition_point(|&n| n < offset as usize);
        let mut groups: Vec<(Vec<&Item>, usize, usize)> = Vec::new();
        for item in &f.items {
            let end = item
                .comments()
                .trailing
                .as_ref()
                .map_or(item.span().end, |c| c.span.end);
            let (first, last) = (
                line_of(first_start(item)),
                line_of(end.saturating_sub(1).max(first_start(item))),
            );
            match groups.last_mut() {
                Some(g) if first <= g.2 => {
                    g.0.push(item);
                    g.2 = g.2.max(last);
                }
                _ => groups.push((vec![item], first, last)),
            }
        }
        let line_start = |l: usize| {
            if l == 0 {
                0
            } else {
                newlines.get(l - 1).map_or(self.text.len(), |n| n + 1)
            }
        };
        let line_end = |l: usize| newlines.get(l).copied().unwrap_or(self.text.len());
        let broken = |g: &(Vec<&Item>, usize, usize)| {
            let span = Span {
                start: line_start(g.1) as u32,
                end: line_end(g.2) as u32,
                ..f.span
            };
            g.0.iter().any(|i| self.verbatim(i)) || self.broken.iter().any(|b| span.contains(*b))
        };
        // Units printed one after the other: a broken group whole, else
        // each item on its own.
        let mut units: Vec<(&[&Item], bool, usize, usize)> = Vec::new();
        for g in &groups {
            if broken(g) {
                units.push((&g.0, true, g.1, g.2));
            } else {
                for i in 0..g.0.len() {
                    units.push((&g.0[i..=i], false, 0, 0));
                }
            }
        }
        let mut prev: Option<(&Item, bool)> = None;
        for (items, is_broken, first_line, last_line) in units {
            let first = items[0];
            if let Some((p, p_broken)) = prev {
                let both_imports = matches!((p, first), (Item::Import(_), Item::Import(_)));
                // Next to a broken group the gap stays as written: a `{` on
                // the line after its header must not move further away.
                let as_written = both_imports || p_broken || is_broken;
                if !as_written || self.blank_between(p.span().end, first_start(first)) {
                    self.out.push('\n');
                }
            }
            if is_broken {
                let text = &self.text[line_start(first_line)..line_end(last_line)];
                self.out.push_str(text.trim_end_matches([' ', '\t', '\r']));
                self.out.push('\n');
            } else {
                self.item(first, 0, None);
            }
            prev = items.last().map(|l| (*l, is_broken));
        }
        self.dangling(&f.dangling, 0, prev.map(|(p, _)| p.span().end));
        // One line break at the end, none when empty.
        let trimmed = self.out.trim_end_matches(['\n', ' ', '\t']).len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    /// Comments left at the end of a body or file, each on its own line.
    fn dangling(&mut self, comments: &[Comment], depth: usize, after: Option<u32>) {
        let mut last = after;
        for c in comments {
            if last.is_some_and(|l| self.blank_between(l, c.span.start)) {
                self.out.push('\n');
            }
            self.line(depth, self.slice(c.span).trim_end().to_string());
            last = Some(c.span.end);
        }
    }

    fn line(&mut self, depth: usize, text: String) {
        self.out.push_str(&"  ".repeat(depth));
        self.out.push_str(&text);
        self.out.push('\n');
    }

    /// An item on its own line(s) at `depth`; `width` aligns an attribute's
    /// `=` within its run.
    fn item(&mut self, item: &Item, depth: usize, width: Option<usize>) {
        let comments = item.comments();
        let mut last: Option<u32> = None;
        for c in &comments.leading {
            if last.is_some_and(|l| self.blank_between(l, c.span.start)) {
                self.out.push('\n');
            }
            self.line(depth, self.slice(c.span).trim_end().to_string());
            last = Some(c.span.end);
        }
        if last.is_some_and(|l| self.blank_between(l, item.span().start)) {
            self.out.push('\n');
        }
        let mut text = self.inline(item, depth, width);
        if let Some(t) = &comments.trailing {
            text.push_str("  ");
            text.push_str(self.slice(t.span).trim_end());
        }
        self.line(depth, text);
    }

    /// An item's text from its first character (its body's lines indented
    /// for `depth`), without a line break at the end.
    fn inline(&mut self, item: &Item, depth: usize, width: Option<usize>) -> String {
        let span = item.span();
        if self.verbatim(item) {
            return self.slice(span).trim_end().to_string();
        }
        match item {
            Item::Attribute(a) => self.attribute(a, width, depth),
            Item::Block(b) => self.block(b, depth),
            Item::Import(_) | Item::Error(_) => self.slice(span).trim_end().to_string(),
        }
    }

    /// Items copied as written: a syntax problem inside, or comments inside
    /// a header or a value.
    fn verbatim(&self, item: &Item) -> bool {
        let span = item.span();
        let broken = self.broken.iter().any(|b| span.contains(*b) || b.contains(span));
        broken
            || !item.comments().inner.is_empty() && !matches!(item, Item::Block(_))
            || matches!(item, Item::Block(b) if header_comments(b))
    }

    fn attribute(&self, a: &Attribute, width: Option<usize>, depth: usize) -> String {
        let name = self.slice(Span {
            end: if a.quoted { a.name.span.end + 1 } else { a.name.span.end },
            ..a.span
        });
        let pad = width.unwrap_or(0).saturating_sub(name.chars().count());
        let head = format!("{name}{} = ", " ".repeat(pad));
        let value = match &a.value.kind {
            ValueKind::List(items) => self.list(items, a.value.span, depth, 2 * depth + head.chars().count()),
            _ => None,
        };
        let value = value.unwrap_or_else(|| self.reindented(a.value.span, depth));
        format!("{head}{value}")
    }

    /// A list of one-line elements: on one line when it fits in
    /// [`WIDTH`] columns from `column`, else one element per line.
    fn list(&self, items: &[Value], span: Span, depth: usize, column: usize) -> Option<String> {
        let texts: Vec<&str> = items.iter().map(|v| self.slice(v.span).trim_end()).collect();
        if texts.iter().any(|t| t.contains('\n')) {
            return None;
        }
        let one = format!("[{}]", texts.join(", "));
        if column + one.chars().count() <= WIDTH || texts.is_empty() {
            return Some(one);
        }
        let _ = span;
        let inner = "  ".repeat(depth + 1);
        let lines: Vec<String> = texts.iter().map(|t| format!("{inner}{t},")).collect();
        Some(format!("[\n{}\n{}]", lines.join("\n"), "  ".repeat(depth)))
    }

    /// The text of `span` with its continuation lines moved by as much as
    /// its first line moves to `depth` (relative indentation, which block
    /// strings keep, is unchanged); as written when a line cannot move.
    fn reindented(&self, span: Span, depth: usize) -> String {
        let text = self.slice(span).trim_end();
        if !text.contains('\n') {
            return text.to_string();
        }
        let line_start = self.text[..span.start as usize].rfind('\n').map_or(0, |i| i + 1);
        let old = self.text[line_start..].len() - self.text[line_start..].trim_start_matches(' ').len();
        let new = 2 * depth;
        let mut out = String::new();
        for (i, line) in text.split('\n').enumerate() {
            if i == 0 {
                out.push_str(line);
                continue;
            }
            out.push('\n');
            if line.trim().is_empty() {
                out.push_str(line);
            } else if new >= old {
                out.push_str(&" ".repeat(new - old));
                out.push_str(line);
            } else {
                let cut = old - new;
                match line.get(..cut).filter(|p| p.chars().all(|c| c == ' ')) {
                    Some(_) => out.push_str(&line[cut..]),
                    None => return text.to_string(),
                }
            }
        }
        out
    }

    fn block(&mut self, b: &Block, depth: usize) -> String {
        let mut head = b.kind.name.clone();
        for l in &b.labels {
            head.push(' ');
            match l {
                BlockLabel::Ident(i) => head.push_str(&i.name),
                BlockLabel::Str(s) => head.push_str(&self.reindented(s.span, depth)),
            }
        }
        let Some(body) = &b.body else { return head };
        let one_line = !self
            .slice(Span {
                start: body.open.start,
                end: body.close.map_or(b.span.end, |c| c.end),
                ..body.open
            })
            .contains('\n');
        if body.items.is_empty() && body.dangling.is_empty() {
            return format!("{head} {{}}");
        }
        if one_line && body.dangling.is_empty() && body.items.iter().all(|i| i.comments().is_empty()) {
            let items: Vec<String> = body.items.iter().map(|i| self.inline(i, depth + 1, None)).collect();
            return format!("{head} {{ {} }}", items.join("  "));
        }
        let inner = self.body(body, depth + 1);
        format!("{head} {{\n{inner}{}}}", "  ".repeat(depth))
    }

    /// A body's items, one per line at `depth`, into a string of their own.
    fn body(&mut self, body: &Body, depth: usize) -> String {
        let saved = std::mem::take(&mut self.out);
        let widths = self.widths(&body.items, depth);
        let mut prev: Option<&Item> = None;
        for (item, width) in body.items.iter().zip(widths) {
            if let Some(p) = prev
                && self.blank_between(p.span().end, first_start(item))
            {
                self.out.push('\n');
            }
            self.item(item, depth, width);
            prev = Some(item);
        }
        self.dangling(&body.dangling, depth, prev.map(|p| p.span().end));
        std::mem::replace(&mut self.out, saved)
    }

    /// The name width each attribute aligns to: the widest name of its run
    /// (attributes on consecutive lines, nothing between them).
    fn widths(&self, items: &[Item], depth: usize) -> Vec<Option<usize>> {
        let mut out = vec![None; items.len()];
        let mut run: Vec<usize> = Vec::new();
        let close = |run: &mut Vec<usize>, out: &mut Vec<Option<usize>>| {
            let w = run.iter().filter_map(|&i| name_width(&items[i])).max();
            for &i in run.iter() {
                out[i] = w;
            }
            run.clear();
        };
        for (i, item) in items.iter().enumerate() {
            let joins = matches!(item, Item::Attribute(_))
                && item.comments().leading.is_empty()
                && run.last().is_some_and(|&p| {
                    let between = self.slice(Span {
                        start: items[p].span().end,
                        end: item.span().start,
                        ..item.span()
                    });
                    // A value printed over several lines ends the run.
                    let multi_line = match &items[p] {
                        Item::Attribute(a) => self.attribute(a, None, depth).contains('\n'),
                        _ => true,
                    };
                    between.matches('\n').count() <= 1 && !multi_line
                });
            if !joins {
                close(&mut run, &mut out);
            }
            if matches!(item, Item::Attribute(_)) && !self.verbatim(item) {
                run.push(i);
            } else {
                close(&mut run, &mut out);
            }
        }
        close(&mut run, &mut out);
        out
    }
}

fn name_width(item: &Item) -> Option<usize> {
    match item {
        Item::Attribute(a) => Some(a.name.name.chars().count() + if a.quoted { 2 } else { 0 }),
        _ => None,
    }
}

/// Where an item's text starts, its leading comments included.
fn first_start(item: &Item) -> u32 {
    item.comments()
        .leading
        .first()
        .map_or(item.span().start, |c| c.span.start)
}

/// Whether a comment sits inside a block's header (before its `{`).
fn header_comments(b: &Block) -> bool {
    let end = b.body.as_ref().map_or(b.span.end, |body| body.open.start);
    b.comments.inner.iter().any(|c| c.span.start < end)
}

#[cfg(test)]
mod tests {
    use super::format;
    use crate::source::FileId;

    fn fmt(text: &str) -> String {
        format(FileId(0), text)
    }

    #[test]
    fn lays_out_blocks_attributes_and_comments() {
        let messy = "# the shop\nproject   shop {\nrepo=\"acme/shop\"\n    registry   =  \"ghcr.io/acme\"   # images\n\n\n  owner = \"t\"\n}\nservice api {\n  resources {   cpu = 500m    memory = 512Mi }\n  env {}\n}\n\n\n\n# trailing\n";
        let want = "# the shop\nproject shop {\n  repo     = \"acme/shop\"\n  registry = \"ghcr.io/acme\"  # images\n\n  owner = \"t\"\n}\n\nservice api {\n  resources { cpu = 500m  memory = 512Mi }\n  env {}\n}\n\n# trailing\n";
        assert_eq!(fmt(messy), want);
        assert_eq!(fmt(want), want);
    }

    #[test]
    fn broken_items_are_copied_and_values_kept() {
        let text = "service api {\n  port: 8080\n    x = 1\n}\n\njob   b {\n  run \"\"\"\n      make\n        test\n  \"\"\"\n}\n";
        let out = fmt(text);
        assert!(out.starts_with("service api {\n  port: 8080\n    x = 1\n}\n"), "{out}");
        assert!(
            out.contains("job b {\n  run \"\"\"\n      make\n        test\n  \"\"\"\n}\n"),
            "{out}"
        );
    }
}
