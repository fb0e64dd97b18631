//! What is under the cursor in the syntax tree: the blocks around it and the
//! item, name or value it is on; and the schema of those blocks.

use crate::schema::{self, BlockSchema};
use crate::syntax::ast::{self, Block, BlockLabel, Item};

/// Where a cursor is.
#[derive(Debug, Default)]
pub struct Site<'a> {
    /// The blocks whose body holds the cursor, outermost first.
    pub blocks: Vec<&'a Block>,
    pub on: On<'a>,
}

#[derive(Debug, Default)]
pub enum On<'a> {
    /// The kind word of a block (`service` in `service api { }`).
    Kind(&'a Block),
    /// A label of a block.
    Label,
    /// An attribute's name.
    AttrName(&'a ast::Attribute),
    /// An attribute's value.
    Value(&'a ast::Attribute),
    /// Between items, or on text that is no item.
    #[default]
    Body,
}

/// Whether `offset` is in `span` (its end included: a cursor just after a
/// name is on it).
fn within(span: crate::source::Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}

pub fn site(file: &ast::File, offset: u32) -> Site<'_> {
    let mut out = Site::default();
    let mut items: &[Item] = &file.items;
    'descend: loop {
        for item in items {
            match item {
                Item::Block(b) if within(b.span, offset) => {
                    if within(b.kind.span, offset) {
                        out.on = On::Kind(b);
                        return out;
                    }
                    if b.labels.iter().any(|l| within(l.span(), offset)) {
                        out.on = On::Label;
                        return out;
                    }
                    if let Some(body) = &b.body {
                        let end = body.close.map_or(b.span.end, |c| c.start);
                        if body.open.end <= offset && offset <= end {
                            out.blocks.push(b);
                            items = &body.items;
                            continue 'descend;
                        }
                    }
                    return out;
                }
                Item::Attribute(a) if within(a.span, offset) => {
                    if within(a.name.span, offset) {
                        out.on = On::AttrName(a);
                    } else if within(a.value.span, offset) {
                        out.on = On::Value(a);
                    }
                    return out;
                }
                _ => {}
            }
        }
        return out;
    }
}

/// The first label's text, when it is a name or a plain string.
pub fn label(block: &Block) -> Option<String> {
    match block.labels.first()? {
        BlockLabel::Ident(i) => Some(i.name.clone()),
        BlockLabel::Str(s) => s.as_plain(),
    }
}

/// The schemas of `blocks` (outermost first), as far as the registry knows
/// them: a variant kind is chosen by its label.
pub fn schemas<'r>(blocks: &[&Block]) -> Vec<&'r BlockSchema> {
    let registry = schema::registry();
    let mut out: Vec<&'r BlockSchema> = Vec::new();
    for b in blocks {
        let candidates = registry.children_of(out.last().copied(), &b.kind.name);
        let chosen = match candidates.as_slice() {
            [only] if only.variant.is_none() => Some(*only),
            many => {
                let word = label(b);
                many.iter()
                    .copied()
                    .find(|s| s.variant.is_some() && s.variant == word.as_deref())
            }
        };
        match chosen {
            Some(s) => out.push(s),
            None => break,
        }
    }
    out
}

/// The schema of the innermost block, if every block around it is known
/// (`None` at the top level or inside an unknown or raw block).
pub fn innermost_schema<'r>(blocks: &[&Block]) -> Option<&'r BlockSchema> {
    let schemas = schemas(blocks);
    (schemas.len() == blocks.len())
        .then(|| schemas.last().copied())
        .flatten()
}
