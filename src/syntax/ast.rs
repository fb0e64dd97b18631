//! The typed syntax tree that later stages read.
//!
//! Every node has a [`Span`]; comments are attached to the items they belong
//! to (leading comments on the lines above, a trailing comment on the same
//! line) or, when they sit inside a header or a value, to that node's
//! `inner_comments`; comments after the last item of a body or file are the
//! container's `dangling` comments. Broken input yields `Error` nodes, never
//! a missing tree.
//!
//! **Invariant:** every comment of the file appears exactly once in the tree.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub span: Span,
    pub items: Vec<Item>,
    pub dangling: Vec<Comment>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentStyle {
    /// `# ...`
    Hash,
    /// `// ...`
    Slashes,
    /// `/* ... */`
    Block,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub style: CommentStyle,
}

/// Comments that belong to an item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comments {
    /// On the lines above the item.
    pub leading: Vec<Comment>,
    /// After the item, on its last line.
    pub trailing: Option<Comment>,
    /// Inside the item's header or value.
    pub inner: Vec<Comment>,
}

impl Comments {
    pub fn is_empty(&self) -> bool {
        self.leading.is_empty() && self.trailing.is_none() && self.inner.is_empty()
    }
}

/// An item's [`Comments`], kept out of line: most items have none, and
/// inline they were a quarter of every item's size (the syntax trees are
/// the largest part of a big project's memory). Reads see an empty
/// [`Comments`] where there are none; the first write allocates.
#[derive(Clone, Default)]
pub struct Attached(Option<Box<Comments>>);

static NO_COMMENTS: Comments = Comments {
    leading: Vec::new(),
    trailing: None,
    inner: Vec::new(),
};

impl std::ops::Deref for Attached {
    type Target = Comments;
    fn deref(&self) -> &Comments {
        self.0.as_deref().unwrap_or(&NO_COMMENTS)
    }
}

impl std::ops::DerefMut for Attached {
    fn deref_mut(&mut self) -> &mut Comments {
        self.0.get_or_insert_default()
    }
}

impl From<Comments> for Attached {
    fn from(c: Comments) -> Self {
        Attached((!c.is_empty()).then(|| Box::new(c)))
    }
}

impl PartialEq for Attached {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Attached {}

impl std::fmt::Debug for Attached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Block(Block),
    Attribute(Attribute),
    Import(Import),
    /// Text that is no item; a diagnostic was reported for it.
    Error(ErrorItem),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Block(b) => b.span,
            Item::Attribute(a) => a.span,
            Item::Import(i) => i.span,
            Item::Error(e) => e.span,
        }
    }

    pub fn comments(&self) -> &Attached {
        match self {
            Item::Block(b) => &b.comments,
            Item::Attribute(a) => &a.comments,
            Item::Import(i) => &i.comments,
            Item::Error(e) => &e.comments,
        }
    }

    pub fn comments_mut(&mut self) -> &mut Attached {
        match self {
            Item::Block(b) => &mut b.comments,
            Item::Attribute(a) => &mut a.comments,
            Item::Import(i) => &mut i.comments,
            Item::Error(e) => &mut e.comments,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: Ident,
    pub labels: Vec<BlockLabel>,
    pub body: Option<Body>,
    pub span: Span,
    pub comments: Attached,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BlockLabel {
    Ident(Ident),
    Str(StrLit),
}

impl BlockLabel {
    pub fn span(&self) -> Span {
        match self {
            BlockLabel::Ident(i) => i.span,
            BlockLabel::Str(s) => s.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// The `{`.
    pub open: Span,
    /// The `}`; `None` when the block was never closed (DVC0102).
    pub close: Option<Span>,
    pub items: Vec<Item>,
    pub dangling: Vec<Comment>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    /// Written `"name" = ...` (the name is without the quotes).
    pub quoted: bool,
    pub value: Value,
    pub span: Span,
    pub comments: Attached,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// `None` when the path is missing (reported).
    pub path: Option<StrLit>,
    pub span: Span,
    pub comments: Attached,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ErrorItem {
    pub span: Span,
    pub comments: Attached,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Str(StrLit),
    /// A number, with its text as written (`0.5`, `-3`).
    Number {
        value: f64,
        text: String,
    },
    Bool(bool),
    /// A number with a unit suffix, typed later by the attribute that
    /// receives it: `30s`, `500m`, `512Mi`, `99.9%`, `1h30m`.
    Unit {
        value: f64,
        unit: String,
        text: String,
    },
    Range(Box<Value>, Box<Value>),
    List(Vec<Value>),
    Ref(Path),
    Call {
        name: Ident,
        args: Vec<Value>,
    },
    /// No value, or an unusable one; a diagnostic was reported.
    Error,
}

/// A dotted reference: `staging`, `api.port`, `project.registry`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrStyle {
    /// `"..."`
    Quoted,
    /// `` `...` ``
    Raw,
    /// `"""..."""`
    Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub style: StrStyle,
    pub parts: Vec<StrPart>,
    pub span: Span,
}

impl StrLit {
    /// The text when there is no `${...}` interpolation in it.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                StrPart::Text { text, .. } | StrPart::Gha { text, .. } => out.push_str(text),
                StrPart::Interp { .. } => return None,
            }
        }
        Some(out)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes already decoded (and, in block strings, the
    /// common indentation removed). The span covers the source text.
    Text { text: String, span: Span },
    /// `${path}`; the span covers `${` to `}`.
    Interp { path: Path, span: Span },
    /// `${{ ... }}`, kept verbatim for GitHub Actions.
    Gha { text: String, span: Span },
}
