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

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

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

/// A block's attributes by name, in the order written.
///
/// Most blocks hold a handful, found faster by comparing names than by
/// hashing them, and an attribute takes a third of the room an index map's
/// entry and table took (the checked tree of a big project was a sixth of
/// its memory). Past [`Attrs::INDEXED`] names a hash index is kept, so a
/// hostile block of thousands of attributes stays linear. It is hashed with
/// foldhash, randomly seeded: the names are the user's, and a fixed seed
/// would let a hostile file make every lookup collide.
#[derive(Clone, Debug, Default)]
pub struct Attrs<'a> {
    entries: Vec<(&'a str, CheckedAttr<'a>)>,
    /// Boxed: absent in nearly every block, and a map is six words inline.
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<&'a str, usize, foldhash::fast::RandomState>>>,
}

type Entry<'b, 'a> = &'b (&'a str, CheckedAttr<'a>);
type Pair<'b, 'a> = (&'b &'a str, &'b CheckedAttr<'a>);
/// What iterating [`Attrs`] yields: what an index map's iterator did.
pub type AttrsIter<'b, 'a> =
    std::iter::Map<std::slice::Iter<'b, (&'a str, CheckedAttr<'a>)>, for<'c> fn(Entry<'c, 'a>) -> Pair<'c, 'a>>;

impl<'a> Attrs<'a> {
    /// From this many names on, lookups go through a hash index.
    const INDEXED: usize = 12;

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn reserve(&mut self, more: usize) {
        self.entries.reserve_exact(more);
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.entries.iter().position(|(k, _)| *k == name),
        }
    }

    pub fn get(&self, name: &str) -> Option<&CheckedAttr<'a>> {
        self.position(name).map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Sets `name`, in place if it is set already (and returns what it
    /// held), else after the others.
    pub fn insert(&mut self, name: &'a str, attr: CheckedAttr<'a>) -> Option<CheckedAttr<'a>> {
        if let Some(i) = self.position(name) {
            return Some(std::mem::replace(&mut self.entries[i].1, attr));
        }
        self.entries.push((name, attr));
        let at = self.entries.len() - 1;
        match &mut self.index {
            Some(index) => {
                index.insert(name, at);
            }
            None if self.entries.len() >= Self::INDEXED => {
                let mut index = HashMap::with_capacity_and_hasher(self.entries.len() * 2, Default::default());
                index.extend(self.entries.iter().enumerate().map(|(i, (k, _))| (*k, i)));
                self.index = Some(Box::new(index));
            }
            None => {}
        }
        None
    }

    /// Name and attribute, in the order written.
    pub fn iter(&self) -> AttrsIter<'_, 'a> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &CheckedAttr<'a>> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<'b, 'a> IntoIterator for &'b Attrs<'a> {
    type Item = Pair<'b, 'a>;
    type IntoIter = AttrsIter<'b, 'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

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

    /// Names in the order written, found before and past the index, and
    /// set again in place: what the index map it replaced did.
    #[test]
    fn attrs_keep_order_and_find_every_name_at_any_size() {
        let names: Vec<String> = (0..40).map(|i| format!("a{i}")).collect();
        let written: Vec<Attribute> = (0..40)
            .map(|i| Attribute {
                name: Ident {
                    name: names[i].clone(),
                    span: Span::new(FileId(0), i, i + 1),
                },
                quoted: false,
                value: Value {
                    kind: crate::syntax::ast::ValueKind::Bool(i % 2 == 0),
                    span: Span::new(FileId(0), i, i + 1),
                },
                span: Span::new(FileId(0), i, i + 1),
                comments: Default::default(),
            })
            .collect();
        let checked = |i: usize| CheckedAttr {
            val: Val::Int(i as i64),
            attr: &written[i],
        };
        for size in [0, 1, Attrs::INDEXED - 1, Attrs::INDEXED, Attrs::INDEXED + 1, 40] {
            let mut attrs = Attrs::default();
            for (i, name) in names.iter().enumerate().take(size) {
                assert!(!attrs.contains_key(name));
                assert!(attrs.insert(name, checked(i)).is_none());
            }
            assert_eq!(attrs.len(), size);
            assert_eq!(attrs.is_empty(), size == 0);
            assert_eq!(attrs.index.is_some(), size >= Attrs::INDEXED, "index at {size}");
            for (i, name) in names.iter().enumerate() {
                let found = attrs.get(name).map(|a| a.attr.span.start as usize);
                assert_eq!(found, (i < size).then_some(i), "{name} in {size}");
            }
            assert!(attrs.get("missing").is_none());
            let order: Vec<&str> = attrs.iter().map(|(k, _)| *k).collect();
            assert_eq!(order, names.iter().take(size).map(String::as_str).collect::<Vec<_>>());
            if size > 3 {
                // Set again: same place, the old value returned.
                let old = attrs.insert(&names[2], checked(30)).expect("was set");
                assert!(matches!(old.val, Val::Int(2)));
                assert!(matches!(attrs.get(&names[2]).map(|a| &a.val), Some(Val::Int(30))));
                let order: Vec<&str> = (&attrs).into_iter().map(|(k, _)| *k).collect();
                assert_eq!(order[2], names[2]);
                assert_eq!(attrs.values().count(), size);
            }
        }
    }
}
