//! The checked tree: every block of the user's files typed against the
//! schema ([`CheckedBlock`]), its attributes as typed values ([`Val`]).
//! It borrows the syntax trees; the shape pass ([`super::shape`]) makes it,
//! and the later passes read it by [`BlockId`] and [`Attr`], never by
//! strings.
//!
//! Defaults live once, in the registry, as `.dvc` source text (shown in the
//! reference). [`CheckedBlock::value`] gives an attribute as written or,
//! when it is not, its default: that text parsed and typed by the same front
//! end as the user's values.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use indexmap::IndexMap;

use crate::model::units::{Cpu, Duration, Memory};
use crate::schema::{Attr, BlockId, BlockSchema, Namespace, registry};
use crate::source::{FileId, Span};
use crate::syntax::ast::{Attribute, Block, BlockLabel, Ident, Item, StrLit, Value};

/// A checked value.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    Str(&'a StrLit),
    Int(i64),
    Num(f64),
    Bool(bool),
    Dur(Duration),
    Cpu(Cpu),
    Mem(Memory),
    Pct(f64),
    /// A string, number or boolean, as text.
    Scalar(ScalarVal<'a>),
    Range(Box<Val<'a>>, Box<Val<'a>>),
    List(Vec<Val<'a>>),
    Ref(&'a Ident, Namespace),
    Secret(String),
    Word(String),
    /// Unchecked (raw Terraform, template arguments before expansion).
    Raw(&'a Value),
}

#[derive(Clone, Debug)]
pub enum ScalarVal<'a> {
    Str(&'a StrLit),
    Text(String),
}

/// A checked attribute: its value and where it was written.
#[derive(Clone, Debug)]
pub struct CheckedAttr<'a> {
    pub val: Val<'a>,
    pub attr: &'a Attribute,
}

/// A block's attributes by name, in the order written. Hashed with
/// foldhash, randomly seeded (names are the user's, so a fixed seed would
/// let a hostile file make every lookup collide): SipHash was a visible
/// share of a keystroke's analysis.
pub type Attrs<'a> = IndexMap<&'a str, CheckedAttr<'a>, foldhash::fast::RandomState>;

/// A checked block.
#[derive(Clone, Debug)]
pub struct CheckedBlock<'a> {
    pub schema: &'static BlockSchema,
    pub block: &'a Block,
    /// The labels, as written (identifiers and plain strings).
    pub labels: Vec<(String, Span)>,
    /// By the name written: declared attributes and free-form ones.
    pub attrs: Attrs<'a>,
    pub children: Vec<CheckedBlock<'a>>,
    /// The body holds a syntax error.
    pub broken: bool,
    /// Names suggested for misspelt attributes: not reported missing again.
    pub suggested: Vec<&'static str>,
}

impl<'a> CheckedBlock<'a> {
    /// Whether this block is of kind `id`.
    pub fn is(&self, id: BlockId) -> bool {
        self.schema.id == id
    }

    pub fn label(&self) -> &str {
        self.labels.first().map_or("", |(l, _)| l.as_str())
    }

    pub fn label_span(&self) -> Span {
        self.labels.first().map_or(self.block.kind.span, |(_, s)| *s)
    }

    /// Attribute `attr` as written (`None` when it is not).
    pub fn attr(&self, attr: Attr) -> Option<&CheckedAttr<'a>> {
        debug_assert!(
            self.schema.has(attr),
            "`{}` has no attribute `{attr}`: the registry does not declare it",
            self.schema.id
        );
        self.attrs.get(attr.as_str())
    }

    /// The value of `attr` as written.
    pub fn get(&self, attr: Attr) -> Option<&Val<'a>> {
        self.attr(attr).map(|a| &a.val)
    }

    /// The value of `attr` as written, else its default in the registry.
    pub fn value(&self, attr: Attr) -> Option<&Val<'a>> {
        self.get(attr).or_else(|| default(self.schema.id, attr))
    }

    /// Where the value of `attr` is written.
    pub fn value_span(&self, attr: Attr) -> Option<Span> {
        self.attr(attr).map(|a| a.attr.value.span)
    }

    pub fn children_of(&self, id: BlockId) -> impl Iterator<Item = &CheckedBlock<'a>> + '_ {
        self.children.iter().filter(move |c| c.schema.id == id)
    }

    pub fn child(&self, id: BlockId) -> Option<&CheckedBlock<'a>> {
        self.children.iter().find(|c| c.schema.id == id)
    }

    /// `service api`, as written.
    pub fn header(&self) -> String {
        let mut s = self.block.kind.name.clone();
        for (l, _) in &self.labels {
            s.push(' ');
            s.push_str(l);
        }
        s
    }

    /// The span of the kind and labels.
    pub fn header_span(&self) -> Span {
        let end = self.block.labels.last().map_or(self.block.kind.span, BlockLabel::span);
        self.block.kind.span.to(end)
    }
}

/// The default of `attr` in blocks of kind `id`, typed: the registry's
/// default text, parsed and checked once.
pub fn default(id: BlockId, attr: Attr) -> Option<&'static Val<'static>> {
    DEFAULTS.get(&(id, attr))
}

/// Every default of the registry, typed. A default that does not parse or
/// does not fit its attribute's type is left out (a test reports it).
static DEFAULTS: LazyLock<BTreeMap<(BlockId, Attr), Val<'static>>> = LazyLock::new(|| {
    let mut out = BTreeMap::new();
    for b in &registry().blocks {
        for a in &b.attrs {
            if let Some(text) = a.default
                && let Some(val) = typed_default(a, text)
            {
                out.insert((b.id, a.attr), val);
            }
        }
    }
    out
});

/// The file id of default values' text (they are in no user file).
const DEFAULTS_FILE: FileId = FileId(u32::MAX);

/// `text` as a value of `attr`'s type.
fn typed_default(attr: &crate::schema::AttrSchema, text: &str) -> Option<Val<'static>> {
    let parse = crate::syntax::parse_text(DEFAULTS_FILE, &format!("{} = {text}\n", attr.name));
    if !parse.diagnostics.is_empty() {
        return None;
    }
    // The registry's defaults are parsed once per process and kept.
    let file: &'static crate::syntax::ast::File = Box::leak(Box::new(parse.ast));
    let [Item::Attribute(a)] = file.items.as_slice() else {
        return None;
    };
    let mut shape = super::shape::Shape::new(registry());
    let val = shape.typed(&a.value, &attr.ty, attr.name, true);
    val.filter(|_| shape.diags.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every default of the registry is a valid value of its attribute.
    #[test]
    fn every_default_parses_and_fits_its_type() {
        let mut n = 0;
        for b in &registry().blocks {
            for a in &b.attrs {
                if let Some(text) = a.default {
                    assert!(
                        default(b.id, a.attr).is_some(),
                        "the default `{text}` of `{}` in `{}` is not a {}",
                        a.name,
                        b.id,
                        a.ty
                    );
                    n += 1;
                }
            }
        }
        assert!(n >= 20, "{n} defaults");
        assert!(matches!(default(BlockId::Environment, Attr::Approval), Some(Val::Word(w)) if w == "none"));
        assert!(matches!(
            default(BlockId::Job, Attr::RunsOn),
            Some(Val::Str(s)) if s.as_plain().as_deref() == Some("ubuntu-latest")
        ));
        assert!(default(BlockId::Job, Attr::Needs).is_none());
    }
}
