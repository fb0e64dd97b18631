//! Moving a lowered piece of a file to where its text now is: every span
//! of its items and comments shifted from one offset to another, and put in
//! another file. What a language server does with the items of a part of
//! the file the last edit did not touch, instead of lowering it again (see
//! `lower::parts::file_reusing`); the syntax trees' counterpart is
//! [`super::cst::move_chunk`].

use super::ast::{Attached, BlockLabel, Comment, Item, StrLit, StrPart, Value, ValueKind};
use crate::source::{FileId, Span};

/// Shifts every span of `items` and `dangling`, lowered where their text
/// started at `from`, to a text starting at `to` in `file`.
pub fn items(items: &mut [Item], dangling: &mut [Comment], file: FileId, from: u32, to: u32) {
    let mover = Mover { file, from, to };
    for item in items {
        mover.item(item);
    }
    for c in dangling {
        mover.span(&mut c.span);
    }
}

struct Mover {
    file: FileId,
    from: u32,
    to: u32,
}

impl Mover {
    fn span(&self, span: &mut Span) {
        span.file = self.file;
        let shift = |at: u32| {
            if self.to >= self.from {
                at.saturating_add(self.to - self.from)
            } else {
                at.saturating_sub(self.from - self.to)
            }
        };
        span.start = shift(span.start);
        span.end = shift(span.end);
    }

    fn comments(&self, attached: &mut Attached) {
        if attached.is_empty() {
            // (Written to, an empty `Attached` would allocate.)
            return;
        }
        let c = &mut **attached;
        for comment in c
            .leading
            .iter_mut()
            .chain(c.trailing.iter_mut())
            .chain(c.inner.iter_mut())
        {
            self.span(&mut comment.span);
        }
    }

    fn item(&self, item: &mut Item) {
        match item {
            Item::Block(b) => {
                self.span(&mut b.span);
                self.span(&mut b.kind.span);
                self.comments(&mut b.comments);
                for label in &mut b.labels {
                    match label {
                        BlockLabel::Ident(i) => self.span(&mut i.span),
                        BlockLabel::Str(s) => self.string(s),
                    }
                }
                if let Some(body) = &mut b.body {
                    self.span(&mut body.open);
                    if let Some(close) = &mut body.close {
                        self.span(close);
                    }
                    for item in &mut body.items {
                        self.item(item);
                    }
                    for c in &mut body.dangling {
                        self.span(&mut c.span);
                    }
                }
            }
            Item::Attribute(a) => {
                self.span(&mut a.span);
                self.span(&mut a.name.span);
                self.comments(&mut a.comments);
                self.value(&mut a.value);
            }
            Item::Import(i) => {
                self.span(&mut i.span);
                self.comments(&mut i.comments);
                if let Some(path) = &mut i.path {
                    self.string(path);
                }
            }
            Item::Error(e) => {
                self.span(&mut e.span);
                self.comments(&mut e.comments);
            }
        }
    }

    fn value(&self, value: &mut Value) {
        self.span(&mut value.span);
        match &mut value.kind {
            ValueKind::Str(s) => self.string(s),
            ValueKind::Range(a, b) => {
                self.value(a);
                self.value(b);
            }
            ValueKind::List(items) => items.iter_mut().for_each(|v| self.value(v)),
            ValueKind::Ref(path) => {
                self.span(&mut path.span);
                path.segments.iter_mut().for_each(|s| self.span(&mut s.span));
            }
            ValueKind::Call { name, args } => {
                self.span(&mut name.span);
                args.iter_mut().for_each(|v| self.value(v));
            }
            ValueKind::Number { .. } | ValueKind::Bool(_) | ValueKind::Unit { .. } | ValueKind::Error => {}
        }
    }

    fn string(&self, s: &mut StrLit) {
        self.span(&mut s.span);
        for part in &mut s.parts {
            match part {
                StrPart::Text { span, .. } | StrPart::Gha { span, .. } => self.span(span),
                StrPart::Interp { path, span } => {
                    self.span(span);
                    self.span(&mut path.span);
                    path.segments.iter_mut().for_each(|s| self.span(&mut s.span));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::source::FileId;

    /// A file lowered where it starts further on (text put before it) is
    /// the file lowered at the start, moved: every span, in every kind of
    /// node, comments included.
    #[test]
    fn a_moved_tree_is_the_tree_lowered_where_it_now_starts() {
        let text = "# lead\nservice api { # trail\n  port = 8080\n  image = \"r/${project.name}/x${{ github.sha }}\"\n  \
                    list = [a.b, 1..3, secret(\"x\"), 30s, true, -2] /* in */\n  in prod { replicas = 3 }\n}\n\
                    import \"./x.dvc\"\n) stray\n# end\n";
        let pad = "project p {}\n\n";
        let here = crate::syntax::parse_text(FileId(3), text).ast;
        let there = crate::syntax::parse_text(FileId(4), &format!("{pad}{text}")).ast;
        let (mut items, mut dangling) = (here.items.clone(), here.dangling.clone());
        let to = u32::try_from(pad.len()).expect("small");
        super::items(&mut items, &mut dangling, FileId(4), 0, to);
        assert_eq!(items, there.items[1..]);
        assert_eq!(dangling, there.dangling);
        // And back.
        super::items(&mut items, &mut dangling, FileId(3), to, 0);
        assert_eq!(items, here.items);
        assert_eq!(dangling, here.dangling);
    }
}
