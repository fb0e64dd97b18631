//! The schema registry: what every block kind may contain.
//!
//! Each [`BlockSchema`] gives a block kind's labels, attributes (with type,
//! required or optional, default, bounds and a doc line), the child blocks it
//! allows, and whether it takes free-form attributes (`env { }`, `labels { }`).
//! The checker reads it, `docs/reference.md` is generated from it, and the
//! language server will read it for completion and hover.
//!
//! **Invariant:** the registry is data; no check is written against a block
//! kind by name where the registry can say it.

pub mod ids;
pub mod reference;
mod registry;

use std::fmt;
use std::sync::LazyLock;

pub use ids::{Attr, BlockId};
pub use registry::{ACTION_STEP_ATTRS, CALL_INPUT_TYPES, PARAM_TYPES, build, param_type};

/// Where a name lives. Each block kind that declares names has its own
/// namespace; references resolve in the namespace their attribute names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Namespace {
    Environment,
    Service,
    Pipeline,
    /// Jobs and deploy jobs of one pipeline.
    Job,
    Rollout,
    Alert,
    Slo,
    Template,
    /// A template's parameters.
    Param,
    /// Prometheus rule groups.
    Group,
}

impl Namespace {
    pub const ALL: [Namespace; 10] = [
        Namespace::Environment,
        Namespace::Service,
        Namespace::Pipeline,
        Namespace::Job,
        Namespace::Rollout,
        Namespace::Alert,
        Namespace::Slo,
        Namespace::Template,
        Namespace::Param,
        Namespace::Group,
    ];

    pub fn noun(self) -> &'static str {
        match self {
            Namespace::Environment => "environment",
            Namespace::Service => "service",
            Namespace::Pipeline => "pipeline",
            Namespace::Job => "job",
            Namespace::Rollout => "rollout",
            Namespace::Alert => "alert",
            Namespace::Slo => "SLO",
            Namespace::Template => "template",
            Namespace::Param => "parameter",
            Namespace::Group => "rule group",
        }
    }

    /// The block kind that declares names of this namespace.
    pub fn keyword(self) -> &'static str {
        match self {
            Namespace::Slo => "slo",
            Namespace::Param => "param",
            Namespace::Group => "group",
            other => other.noun(),
        }
    }
}

/// The type of an attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Str,
    /// A string of one line: no line break or other control character
    /// (names, versions, URLs, images: values that end up in headers,
    /// comments, file names or one-line fields).
    Line,
    Int,
    Number,
    Bool,
    /// `30s`, `5m`, `1h30m`, `7d`.
    Duration,
    /// `500m` (millicores) or `2` (cores).
    Cpu,
    /// `512Mi`, `2Gi`.
    Memory,
    /// `10%`, `99.9%`.
    Percent,
    /// A string, number or boolean, written out as a string (env values).
    Scalar,
    Range(Box<Ty>),
    List(Box<Ty>),
    Ref(Namespace),
    /// `secret("NAME")`.
    Secret,
    /// One of the given words, written bare (`severity = critical`).
    Enum(&'static [&'static str]),
    /// Either type.
    Either(Box<Ty>, Box<Ty>),
    /// Anything (passed through, e.g. raw Terraform).
    Any,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Str => f.write_str("string"),
            Ty::Line => f.write_str("one-line string"),
            Ty::Int => f.write_str("whole number"),
            Ty::Number => f.write_str("number"),
            Ty::Bool => f.write_str("boolean"),
            Ty::Duration => f.write_str("duration (`30s`, `5m`, `2h`, `7d`)"),
            Ty::Cpu => f.write_str("CPU quantity (`500m` or `2`)"),
            Ty::Memory => f.write_str("memory quantity (`512Mi`, `2Gi`)"),
            Ty::Percent => f.write_str("percentage (`10%`)"),
            Ty::Scalar => f.write_str("string, number or boolean"),
            Ty::Range(t) => write!(f, "range of {t} (`MIN..MAX`)"),
            Ty::List(t) => match t.as_ref() {
                Ty::Ref(ns) => write!(f, "list of {} names", ns.noun()),
                other => write!(f, "list of {other}"),
            },
            Ty::Ref(ns) => write!(f, "{} name", ns.noun()),
            Ty::Secret => f.write_str("secret reference (`secret(\"NAME\")`)"),
            Ty::Enum(words) => {
                let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
                write!(f, "one of {}", quoted.join(", "))
            }
            Ty::Either(a, b) => write!(f, "{a} or {b}"),
            Ty::Any => f.write_str("any value"),
        }
    }
}

/// One attribute of a block kind.
#[derive(Clone, Debug)]
pub struct AttrSchema {
    pub attr: Attr,
    /// `attr`'s text.
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The default, as dvcc source text (shown in docs).
    pub default: Option<&'static str>,
    /// Bounds, in the type's base unit (percent for percentages, the number
    /// itself for numbers).
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub doc: &'static str,
}

/// What a block's labels are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    /// No labels: `resources { }`.
    None,
    /// One name, declared in a namespace: `service api`.
    Declare(Namespace),
    /// One name, referring to a declaration: `in production`, `deploy staging`.
    Refer(Namespace),
    /// A fixed word choosing the variant: `on push`, `provider aws`.
    Variant,
    /// A script string: `run "npm test"`.
    Script,
    /// A template name or an action string: `uses checkout`.
    Uses,
    /// A Terraform type and a name: `resource aws_sns_topic alerts`.
    TypeAndName,
    /// A name local to the parent: `input version`, `param version`, `cluster main`.
    Local,
    /// A Prometheus metric name, as a string or a name: `record "job:errors:rate5m"`.
    Metric,
}

/// Whether a block has a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyRule {
    Required,
    Optional,
}

#[derive(Clone, Debug)]
pub struct BlockSchema {
    /// Unique id: the path of kinds (`pipeline.job`), variants after a
    /// colon (`pipeline.on:push`).
    pub id: BlockId,
    pub kind: &'static str,
    /// For [`Labels::Variant`] blocks: the word that selects this schema.
    pub variant: Option<&'static str>,
    pub labels: Labels,
    pub body: BodyRule,
    pub attrs: Vec<AttrSchema>,
    /// Ids of allowed child blocks.
    pub children: Vec<BlockId>,
    /// Any attribute name is allowed, with this type.
    pub free: Option<Ty>,
    /// Which names a free-form block takes (the consumer's rule).
    pub keys: Keys,
    /// May appear more than once in its parent.
    pub repeatable: bool,
    /// Nested blocks pass through unchecked, as data (raw Terraform,
    /// `extra_pod { }`).
    pub raw: bool,
    pub doc: &'static str,
}

/// The names a free-form block (`labels { }`, `permissions { }`) takes: the
/// rule of the tool that reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    Any,
    /// One of these (GitHub's permission scopes).
    OneOf(&'static [&'static str]),
    /// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting
    /// with `__` (reserved).
    PrometheusLabel,
    /// A Kubernetes label or annotation key: an optional DNS-subdomain
    /// prefix and `/`, then a name of at most 63 letters, digits, `-`, `_`
    /// and `.`, starting and ending alphanumeric (`kubernetes.io/arch`).
    Kubernetes,
    /// A port name Kubernetes takes: at most 15 lowercase letters, digits
    /// and `-`, with a letter, not starting or ending with `-`.
    PortName,
}

impl Keys {
    /// Whether `name` is allowed.
    pub fn allows(self, name: &str) -> bool {
        match self {
            Keys::Any => true,
            Keys::OneOf(names) => names.contains(&name),
            Keys::PrometheusLabel => prometheus_label(name),
            Keys::Kubernetes => kubernetes_key(name),
            Keys::PortName => port_name(name),
        }
    }
}

/// A Kubernetes label or annotation key (see [`Keys::Kubernetes`]).
pub fn kubernetes_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|part| {
                !part.is_empty()
                    && part.len() <= 63
                    && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && part.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
    });
    name_ok && prefix_ok
}

/// A Kubernetes port name (see [`Keys::PortName`]).
pub fn port_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.chars().any(|c| c.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
pub fn prometheus_label(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__")
}

impl BlockSchema {
    /// The attribute written `name`.
    pub fn attr(&self, name: &str) -> Option<&AttrSchema> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The schema of attribute `attr`, if this block declares it.
    pub fn attr_schema(&self, attr: Attr) -> Option<&AttrSchema> {
        self.attrs.iter().find(|a| a.attr == attr)
    }

    /// Whether this block has attribute `attr`: declared, or free-form.
    pub fn has(&self, attr: Attr) -> bool {
        self.free.is_some() || self.attr_schema(attr).is_some()
    }
}

/// All block kinds.
pub struct Registry {
    pub blocks: Vec<BlockSchema>,
    /// Ids of the kinds allowed at the top level of a file.
    pub top: Vec<BlockId>,
    /// Position in `blocks` by id (`BlockId as usize`; ids are dense).
    index: Vec<Option<usize>>,
    /// The positions in `blocks` of the schemas a block of a kind may have
    /// inside a parent (`None`: the top level): asked for every block of
    /// every analysis. A range of `lists`.
    named: std::collections::HashMap<(Option<BlockId>, &'static str), (usize, usize), foldhash::fast::FixedState>,
    lists: Vec<usize>,
}

impl Registry {
    pub fn new(blocks: Vec<BlockSchema>, top: Vec<BlockId>) -> Registry {
        let mut index = vec![None; BlockId::ALL.len()];
        for (i, b) in blocks.iter().enumerate() {
            index[b.id as usize] = Some(i);
        }
        let mut named: std::collections::HashMap<_, Vec<usize>, foldhash::fast::FixedState> =
            std::collections::HashMap::default();
        let parents =
            std::iter::once((None, top.as_slice())).chain(blocks.iter().map(|b| (Some(b.id), b.children.as_slice())));
        for (parent, children) in parents {
            for id in children {
                if let Some(i) = index.get(*id as usize).copied().flatten() {
                    let at: &mut Vec<usize> = named.entry((parent, blocks[i].kind)).or_default();
                    if !at.contains(&i) {
                        at.push(i);
                    }
                }
            }
        }
        let mut lists = Vec::new();
        let named = named
            .into_iter()
            .map(|(key, at)| {
                let start = lists.len();
                lists.extend(at);
                (key, (start, lists.len()))
            })
            .collect();
        Registry {
            blocks,
            top,
            index,
            named,
            lists,
        }
    }

    pub fn get(&self, id: BlockId) -> Option<&BlockSchema> {
        self.index
            .get(id as usize)
            .copied()
            .flatten()
            .and_then(|i| self.blocks.get(i))
    }

    /// The schemas a child block of kind `kind` may have inside `parent`
    /// (`None` for the top level). Several for variant kinds (`on`).
    pub fn children_of<'a>(&'a self, parent: Option<&'a BlockSchema>, kind: &str) -> Vec<&'a BlockSchema> {
        self.child_schemas(parent, kind).collect()
    }

    /// [`Registry::children_of`], without a list made (asked for every
    /// block of every analysis).
    pub fn child_schemas<'a>(
        &'a self,
        parent: Option<&'a BlockSchema>,
        kind: &str,
    ) -> impl ExactSizeIterator<Item = &'a BlockSchema> + Clone + use<'a> {
        let (start, end) = self.named.get(&(parent.map(|p| p.id), kind)).copied().unwrap_or((0, 0));
        self.lists[start..end].iter().map(|&i| &self.blocks[i])
    }

    /// The kinds allowed inside `parent`, for did-you-mean and docs.
    pub fn kinds_in(&self, parent: Option<&BlockSchema>) -> Vec<&'static str> {
        let ids: &[BlockId] = match parent {
            Some(p) => &p.children,
            None => &self.top,
        };
        let mut kinds: Vec<&'static str> = ids.iter().filter_map(|id| self.get(*id)).map(|b| b.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }
}

/// The registry, built once.
pub fn registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(build);
    &REGISTRY
}
