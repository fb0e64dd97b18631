//! Shape checking: every block against the schema registry. Produces the
//! checked tree ([`CheckedBlock`]s with typed values, [`Val`]) that the
//! later passes read, and reports unknown kinds and attributes, labels, duplicates,
//! types, units, bounds and missing required attributes.
//!
//! A block whose body holds a syntax error is not checked for missing
//! attributes: the missing one may be in the broken line.

use super::hints;
use super::tree::{Attrs, CheckedAttr, CheckedBlock, ScalarVal, Val};
use crate::diag::suggest::help_line;
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::names::{name_problem, sanitized};
use crate::model::units::{Cpu, Duration, Memory};
use crate::schema::{AttrSchema, BlockId, BlockSchema, BodyRule, Keys, Labels, Registry, Ty};
use crate::source::Span;
use crate::syntax::ast::{Attribute, Block, BlockLabel, Item, StrLit, StrPart, Value, ValueKind};

pub struct Shape {
    pub reg: &'static Registry,
    pub diags: Capped,
    /// Names that blocks of unknown kinds (and the blocks inside them)
    /// would declare: a reference to one is not reported again.
    pub unreadable: Vec<String>,
}

impl Shape {
    pub fn new(reg: &'static Registry) -> Shape {
        Shape {
            reg,
            diags: Capped::default(),
            unreadable: Vec::new(),
        }
    }

    /// Checks the top-level items of one file.
    pub fn file<'a>(&mut self, items: &'a [Item]) -> Vec<CheckedBlock<'a>> {
        let mut out = Vec::new();
        for item in items {
            match item {
                Item::Block(b) => {
                    if let Some(schema) = self.pick(None, b) {
                        out.push(self.node(b, schema));
                    }
                }
                Item::Attribute(a) => self.diags.push(
                    Diagnostic::new(
                        Code::UnknownAttribute,
                        format!("attribute `{}` outside any block", a.name.name),
                        Label::new(a.name.span, "attributes belong inside a block"),
                    )
                    .with_help("move it into the block it describes, e.g. `project NAME { ... }`"),
                ),
                Item::Import(_) | Item::Error(_) => {}
            }
        }
        out
    }

    /// The schema for block `b` inside `parent`, reporting unknown kinds and
    /// variants.
    fn pick(&mut self, parent: Option<&'static BlockSchema>, b: &Block) -> Option<&'static BlockSchema> {
        let kind = b.kind.name.as_str();
        let mut options = self.reg.child_schemas(parent, kind);
        if options.len() == 1
            && let Some(only) = options.clone().next()
            && only.variant.is_none()
        {
            return Some(only);
        }
        let options: Vec<&'static BlockSchema> = options.by_ref().collect();
        match options.as_slice() {
            [] => {
                collect_names(b, &mut self.unreadable);
                let d = super::habits::unknown_kind(self.reg, parent, b);
                self.diags.push(d);
                None
            }
            [only] if only.variant.is_none() => Some(only),
            variants => {
                let words: Vec<&str> = variants.iter().filter_map(|v| v.variant).collect();
                let first = b.labels.first();
                let found = match first {
                    Some(BlockLabel::Ident(i)) => variants.iter().find(|v| v.variant == Some(i.name.as_str())),
                    _ => None,
                };
                if let Some(found) = found {
                    return Some(found);
                }
                let (span, what) = match first {
                    Some(l) => (l.span(), "is not".to_string()),
                    None => (b.kind.span, "needs".to_string()),
                };
                let name = match first {
                    Some(BlockLabel::Ident(i)) => i.name.clone(),
                    _ => String::new(),
                };
                let mut d = Diagnostic::new(
                    Code::MalformedBlock,
                    format!("`{kind}` {what} one of {}", quote_list(&words)),
                    Label::new(span, format!("expected one of {}", quote_list(&words))),
                );
                match crate::diag::suggest::did_you_mean(&name, words.iter().copied()) {
                    Some(near) => {
                        let fix = crate::diag::Fix::replace(span, near, format!("did you mean `{near}`?"));
                        // `pull-request` for `pull_request` is certain.
                        let certain = near.eq_ignore_ascii_case(&name.replace('-', "_"));
                        d = d.with_fix(if certain { fix } else { fix.maybe() });
                    }
                    None => d.help = Some(format!("write `{kind} {} {{ ... }}`", words[0])),
                }
                self.diags.push(d);
                None
            }
        }
    }

    pub fn node<'a>(&mut self, b: &'a Block, schema: &'static BlockSchema) -> CheckedBlock<'a> {
        let labels = self.labels(b, schema);
        let mut node = CheckedBlock {
            schema,
            block: b,
            labels,
            attrs: Attrs::default(),
            children: Vec::new(),
            broken: false,
            suggested: Vec::new(),
        };
        let Some(body) = &b.body else {
            if schema.body == BodyRule::Required {
                self.diags.push(
                    Diagnostic::new(
                        Code::MalformedBlock,
                        format!("`{}` needs a body", node.header()),
                        Label::new(node.header_span(), "expected `{ ... }` after this"),
                    )
                    .with_help(format!("write `{} {{ ... }}`", node.header())),
                );
            }
            return node;
        };
        let raw = schema.raw;
        // Sized to what the body holds: no room to spare in the tree.
        let count = |f: fn(&Item) -> bool| body.items.iter().filter(|i| f(i)).count();
        node.attrs.reserve(count(|i| matches!(i, Item::Attribute(_))));
        if !raw {
            node.children.reserve_exact(count(|i| matches!(i, Item::Block(_))));
        }
        // The kinds given once so far (a handful: a list beats a map).
        let mut seen_once: Vec<(BlockId, &Block)> = Vec::new();
        for item in &body.items {
            match item {
                Item::Attribute(a) => self.attribute(&mut node, a),
                Item::Block(child) if raw => {
                    // Raw data (Terraform, Kubernetes): nested blocks pass through unchecked.
                    node.broken |= contains_error(child);
                }
                Item::Block(child) => {
                    let Some(cs) = self.pick(Some(schema), child) else {
                        // An attribute written as a block (`image "x"`) was
                        // given: not "missing" as well.
                        node.suggested.extend(schema.attr(&child.kind.name).map(|a| a.name));
                        continue;
                    };
                    if !cs.repeatable {
                        if let Some((_, first)) = seen_once.iter().find(|(id, _)| *id == cs.id) {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::DuplicateAttribute,
                                    format!("`{}` is given twice in `{}`", child.kind.name, node.header()),
                                    Label::new(child.kind.span, "given again here"),
                                )
                                .with_label(Label::new(first.kind.span, "first given here"))
                                .with_help(format!("merge the two `{}` blocks into one", child.kind.name)),
                            );
                            continue;
                        }
                        seen_once.push((cs.id, child));
                    }
                    let c = self.node(child, cs);
                    node.children.push(c);
                }
                Item::Import(i) => self.diags.push(
                    Diagnostic::new(
                        Code::MalformedBlock,
                        "`import` inside a block",
                        Label::new(i.span, "imports stand at the top level of a file"),
                    )
                    .with_help("move the import to the top of the file"),
                ),
                Item::Error(_) => node.broken = true,
            }
        }
        if !node.broken {
            self.required(&node);
        }
        node
    }

    fn labels(&mut self, b: &Block, schema: &'static BlockSchema) -> Vec<(String, Span)> {
        let texts: Vec<(String, Span, bool)> = b
            .labels
            .iter()
            .map(|l| match l {
                BlockLabel::Ident(i) => (i.name.clone(), i.span, true),
                BlockLabel::Str(s) => (s.as_plain().unwrap_or_default(), s.span, false),
            })
            .collect();
        let kind = &b.kind.name;
        let (want, ident_only) = match schema.labels {
            Labels::None => (0, false),
            Labels::Declare(_) | Labels::Refer(_) | Labels::Variant => (1, true),
            Labels::TypeAndName => (2, true),
            Labels::Script | Labels::Uses | Labels::Local | Labels::Metric => (1, false),
        };
        // The form to write, for the help (only when the labels do not fit).
        let shape = || match schema.labels {
            Labels::None => format!("`{kind} {{ ... }}`, without labels"),
            Labels::Declare(ns) => format!("`{kind} NAME`, where NAME names the {}", ns.noun()),
            Labels::Refer(ns) => format!("`{kind} NAME`, where NAME is an {}", ns.noun()),
            Labels::Variant => format!("`{kind} {}`", schema.variant.unwrap_or("VARIANT")),
            Labels::Script => format!("`{kind} \"SCRIPT\"`"),
            Labels::Uses => format!("`{kind} TEMPLATE` or `{kind} \"owner/repo@SHA\"`"),
            Labels::TypeAndName => format!("`{kind} TYPE NAME`"),
            Labels::Local => format!("`{kind} NAME`"),
            Labels::Metric => format!("`{kind} \"METRIC\"`"),
        };
        let bad_count = texts.len() != want;
        let bad_form = match schema.labels {
            Labels::Script => texts.iter().any(|t| t.2),
            _ if ident_only => texts.iter().any(|t| !t.2),
            _ => false,
        };
        if bad_count || bad_form {
            let span = match (b.labels.first(), b.labels.last()) {
                (Some(f), Some(l)) => f.span().to(l.span()),
                _ => b.kind.span,
            };
            let what = if bad_count {
                format!(
                    "`{kind}` takes {want} label{}, found {}",
                    if want == 1 { "" } else { "s" },
                    texts.len()
                )
            } else if schema.labels == Labels::Script {
                format!("the script of `{kind}` must be a string")
            } else {
                format!("the label of `{kind}` must be a name, not a string")
            };
            // A display name written as the label: the label is the
            // identifier, `name` shows the text (`pipeline ci { name = "CI" }`).
            let display = match (
                b.labels.first(),
                bad_count,
                schema.attr_schema(crate::schema::Attr::Name),
            ) {
                (Some(BlockLabel::Str(text)), false, Some(_)) if ident_only => text.as_plain(),
                _ => None,
            };
            let display_name = display.is_some();
            let help = match display {
                Some(text) => {
                    let id = sanitized(&text).to_ascii_lowercase();
                    format!(
                        "the label is a name; the text GitHub shows is `name`: `{kind} {id} {{ name = \"{}\" ... }}`",
                        text.escape_debug()
                    )
                }
                None => format!("write {}", shape()),
            };
            let mut d = Diagnostic::new(Code::MalformedBlock, what, Label::new(span, "these labels do not fit"));
            // `service "api"`, as Terraform quotes its labels: the quotes go.
            match b.labels.as_slice() {
                [BlockLabel::Str(text)] if !bad_count && !display_name && ident_only => {
                    match text.as_plain().filter(|t| crate::syntax::is_ident(t)) {
                        Some(name) => {
                            d = d.with_replacement(
                                text.span,
                                name.clone(),
                                format!("labels are names, not strings (a Terraform habit): `{kind} {name}`"),
                            )
                        }
                        None => d = d.with_help(help),
                    }
                }
                _ => d = d.with_help(help),
            }
            self.diags.push(d);
        }
        // A metric name: what Prometheus takes.
        if schema.labels == Labels::Metric && !bad_count {
            for (text, span, _) in &texts {
                let ok = text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
                    && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
                if !ok {
                    let fixed: String = text
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() || c == ':' { c } else { '_' })
                        .collect();
                    self.diags.push(
                        Diagnostic::new(
                            Code::InvalidName,
                            format!("`{}` is not a Prometheus metric name", text.escape_debug()),
                            Label::new(*span, "letters, digits, `_` and `:`, not starting with a digit"),
                        )
                        .with_help(format!("write `{kind} \"{fixed}\"`")),
                    );
                }
            }
        }
        // A name written as a string becomes file and cloud names all the
        // same (`project "shop"`): it must be a name.
        if schema.labels == Labels::Local && !bad_count {
            for (text, span, ident) in &texts {
                let problem = match b.labels.first() {
                    Some(BlockLabel::Str(s)) if s.as_plain().is_none() => {
                        Some("it is interpolated, not plain text".to_string())
                    }
                    _ => name_problem(text),
                };
                if let Some(problem) = problem.filter(|_| !*ident || text.len() > crate::model::names::MAX_NAME) {
                    self.diags.push(
                        Diagnostic::new(
                            Code::InvalidName,
                            format!(
                                "`{}` cannot name {} {kind}: {problem}",
                                text.escape_debug(),
                                if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                                    "an"
                                } else {
                                    "a"
                                }
                            ),
                            Label::new(*span, "it becomes part of file and cloud names"),
                        )
                        .with_help(format!(
                            "write a name of letters, digits, `_` and `-`, such as `{kind} {}`",
                            sanitized(text)
                        )),
                    );
                }
            }
        }
        texts.into_iter().map(|(t, s, _)| (t, s)).collect()
    }

    fn attribute<'a>(&mut self, node: &mut CheckedBlock<'a>, a: &'a Attribute) {
        let name = a.name.name.as_str();
        let schema = node.schema;
        // A quoted name is a key of a free-form block (`node_selector {
        // "kubernetes.io/arch" = "amd64" }`), never an attribute.
        if a.quoted && (schema.free.is_none() || schema.attr(name).is_some()) {
            let known = schema.attr(name).is_some();
            self.diags.push(
                Diagnostic::new(
                    Code::QuotedAttribute,
                    format!("`{}` takes no quoted names", node.block.kind.name),
                    Label::new(a.name.span, "quoted"),
                )
                .with_help(if known {
                    format!("`{name}` is an attribute: write it without quotes, `{name} = ...`")
                } else {
                    "only the keys of free-form blocks (`env`, `labels`, `node_selector`, ...) may be quoted"
                        .to_string()
                }),
            );
            return;
        }
        let (ty, attr_schema) = match (schema.attr(name), &schema.free) {
            (Some(s), _) => (&s.ty, Some(s)),
            (None, Some(_)) if !schema.keys.allows(name) => {
                self.diags.push(bad_key(node, schema.keys, a));
                return;
            }
            (None, Some(free)) => (free, None),
            (None, None) => {
                let names: Vec<&'static str> = schema.attrs.iter().map(|s| s.name).collect();
                if let Some(s) = crate::diag::suggest::did_you_mean(name, names.iter().copied()) {
                    node.suggested.extend(names.iter().copied().find(|n| *n == s));
                }
                let d =
                    super::habits::unknown_attribute(self.reg, schema, a, &names, elsewhere(self.reg, schema, name));
                self.diags.push(d);
                return;
            }
        };
        if let Some(first) = node.attrs.get(name) {
            self.diags.push(
                Diagnostic::new(
                    Code::DuplicateAttribute,
                    format!("`{name}` is set twice in `{}`", node.header()),
                    Label::new(a.name.span, "set again here"),
                )
                .with_label(Label::new(first.attr.name.span, "first set here"))
                .with_help("keep one of them"),
            );
            return;
        }
        match self.typed(&a.value, ty, name, true) {
            Some(val) => {
                let reported = self.diags.counts();
                if let Some(s) = attr_schema {
                    self.bounds(&val, s, &a.value);
                }
                // Out of range says it already.
                if self.diags.counts() == reported {
                    self.diags.extend(hints::implausible(name, &val, &a.value));
                }
                node.attrs.insert(name, CheckedAttr { val, attr: a });
            }
            // Given, though wrongly: not "missing" as well.
            None => node.suggested.extend(attr_schema.map(|s| s.name)),
        }
    }

    fn required(&mut self, node: &CheckedBlock<'_>) {
        for s in node.schema.attrs.iter().filter(|s| s.required) {
            if !node.attrs.contains_key(s.name) && !node.suggested.contains(&s.name) {
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingAttribute,
                        format!("`{}` is missing `{}`", node.header(), s.name),
                        Label::new(node.header_span(), format!("`{}` must be set here", s.name)),
                    )
                    .with_help(format!("add `{} = ...` ({}: {})", s.name, s.ty, s.doc)),
                );
            }
        }
    }

    fn bounds(&mut self, val: &Val<'_>, s: &AttrSchema, v: &Value) {
        let (n, unit) = match val {
            Val::Int(i) => (*i as f64, ""),
            Val::Num(x) => (*x, ""),
            Val::Pct(p) => (*p, "%"),
            Val::Range(lo, hi) => {
                if let (Val::Int(a), Val::Int(b)) = (lo.as_ref(), hi.as_ref()) {
                    if a > b {
                        self.diags.push(
                            Diagnostic::new(
                                Code::OutOfRange,
                                format!("`{}` has its minimum {a} above its maximum {b}", s.name),
                                Label::new(v.span, "MIN..MAX with MIN > MAX"),
                            )
                            .with_help(format!("write `{b}..{a}`")),
                        );
                    }
                    // Each end within the bounds (one report).
                    let outside = [*a, *b]
                        .into_iter()
                        .find(|n| s.min.is_some_and(|m| (*n as f64) < m) || s.max.is_some_and(|m| (*n as f64) > m));
                    if let Some(n) = outside {
                        self.out_of_range(s, v, n as f64, "");
                    }
                }
                return;
            }
            _ => return,
        };
        let low = s.min.is_some_and(|m| n < m);
        let high = s.max.is_some_and(|m| n > m);
        if low || high {
            self.out_of_range(s, v, n, unit);
        }
    }

    fn out_of_range(&mut self, s: &AttrSchema, v: &Value, n: f64, unit: &str) {
        // A maximum that is only the integer width says nothing to a user,
        // unless the value is past it.
        let max = s.max.filter(|m| *m < f64::from(i32::MAX) || n > *m);
        let bound = match (s.min, max) {
            (Some(lo), Some(hi)) => format!("between {lo}{unit} and {hi}{unit}"),
            (Some(lo), None) => format!("at least {lo}{unit}"),
            (None, Some(hi)) => format!("at most {hi}{unit}"),
            (None, None) => format!("at most {}{unit}", s.max.unwrap_or_default()),
        };
        let d = Diagnostic::new(
            Code::OutOfRange,
            format!("`{}` must be {bound}", s.name),
            Label::new(v.span, format!("{n}{unit} is out of range")),
        );
        // The nearest value allowed, for a person to confirm.
        let nearest = match (s.min, s.max) {
            (Some(lo), _) if n < lo => Some(lo),
            (_, Some(hi)) if n > hi => Some(hi),
            _ => None,
        };
        let d = match nearest.filter(|_| matches!(v.kind, ValueKind::Number { .. } | ValueKind::Unit { .. })) {
            Some(b) => d.with_fix(
                crate::diag::Fix::replace(
                    v.span,
                    format!("{b}{unit}"),
                    format!("give `{}` a value {bound}: `{b}{unit}` is the nearest", s.name),
                )
                .maybe(),
            ),
            None => d.with_help(format!("give `{}` a value {bound}", s.name)),
        };
        self.diags.push(d);
    }

    /// Checks `v` against `ty`; reports (when `report`) and returns `None`
    /// on a mismatch.
    pub fn typed<'a>(&mut self, v: &'a Value, ty: &Ty, name: &str, report: bool) -> Option<Val<'a>> {
        let out = match (ty, &v.kind) {
            (_, ValueKind::Error) => return None,
            (Ty::Any, _) => Some(Val::Raw(v)),
            (Ty::Str, ValueKind::Str(s)) => Some(Val::Str(s)),
            (Ty::Line, ValueKind::Str(s)) => match control_char(s) {
                None => Some(Val::Str(s)),
                Some((c, at)) => {
                    if report {
                        self.diags.push(not_one_line(name, c, at));
                    }
                    return None;
                }
            },
            (Ty::Scalar, ValueKind::Str(s)) => Some(Val::Scalar(ScalarVal::Str(s))),
            (Ty::Scalar, ValueKind::Number { text, .. }) => Some(Val::Scalar(ScalarVal::Text(text.clone()))),
            (Ty::Scalar, ValueKind::Bool(b)) => Some(Val::Scalar(ScalarVal::Text(b.to_string()))),
            (Ty::Int, ValueKind::Number { value, .. }) if value.fract() == 0.0 && value.abs() < 9e15 => {
                Some(Val::Int(*value as i64))
            }
            (Ty::Number, ValueKind::Number { value, .. }) => Some(Val::Num(*value)),
            (Ty::Bool, ValueKind::Bool(b)) => Some(Val::Bool(*b)),
            (Ty::Duration, ValueKind::Unit { text, .. }) => Duration::parse(text).map(Val::Dur),
            (Ty::Duration, ValueKind::Number { value, .. }) if *value == 0.0 => Some(Val::Dur(Duration { millis: 0 })),
            (Ty::Cpu, ValueKind::Unit { value, unit, .. }) => Cpu::parse(*value, unit).map(Val::Cpu),
            (Ty::Cpu, ValueKind::Number { value, .. }) => Cpu::parse(*value, "").map(Val::Cpu),
            (Ty::Memory, ValueKind::Unit { value, unit, .. }) => Memory::parse(*value, unit).map(Val::Mem),
            (Ty::Percent, ValueKind::Unit { value, unit, .. }) if unit == "%" => Some(Val::Pct(*value)),
            (Ty::Range(t), ValueKind::Range(lo, hi)) => {
                let lo = self.typed(lo, t, name, report)?;
                let hi = self.typed(hi, t, name, report)?;
                return Some(Val::Range(Box::new(lo), Box::new(hi)));
            }
            (Ty::List(t), ValueKind::List(items)) => {
                let mut out = Vec::new();
                let mut ok = true;
                for item in items {
                    match self.typed(item, t, name, report) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                return ok.then_some(Val::List(out));
            }
            (Ty::Ref(ns), ValueKind::Ref(p)) if p.segments.len() == 1 => Some(Val::Ref(&p.segments[0], *ns)),
            (Ty::Secret, ValueKind::Call { name: f, args }) if f.name == "secret" => match args.as_slice() {
                [
                    Value {
                        kind: ValueKind::Str(s),
                        ..
                    },
                ] => s.as_plain().filter(|n| !n.is_empty()).map(Val::Secret),
                _ => None,
            },
            (Ty::Enum(words), ValueKind::Ref(p)) if p.segments.len() == 1 => {
                let w = &p.segments[0].name;
                if words.contains(&w.as_str()) {
                    Some(Val::Word(w.clone()))
                } else {
                    if report {
                        self.diags.push(hints::unknown_choice(w, words, name, v.span));
                    }
                    return None;
                }
            }
            (Ty::Enum(words), ValueKind::Str(s)) => s.as_plain().filter(|w| words.contains(&w.as_str())).map(Val::Word),
            (Ty::Either(a, b), _) => {
                if let Some(x) = self.typed(v, a, name, false) {
                    return Some(x);
                }
                if let Some(x) = self.typed(v, b, name, false) {
                    return Some(x);
                }
                None
            }
            _ => None,
        };
        if out.is_none() && report {
            let tried = self.tried(v, ty, name);
            self.diags.push(hints::mismatch(v, ty, name, tried));
        }
        out
    }
}

impl Shape {
    /// What `v` would be read as, close to `ty` (for the fix of a mismatch).
    fn tried(&mut self, v: &Value, ty: &Ty, name: &str) -> hints::Tried {
        let mut tried = hints::Tried::default();
        if let ValueKind::Str(s) = &v.kind {
            tried.unquoted = s.as_plain().is_some_and(|t| hints::reads_unquoted(&t, ty));
        }
        if let Ty::List(element) = ty
            && !matches!(v.kind, ValueKind::List(_))
        {
            tried.as_element = self.typed(v, element, name, false).is_some();
        }
        if let ValueKind::List(items) = &v.kind
            && let [only] = items.as_slice()
            && !matches!(ty, Ty::List(_))
        {
            tried.single_element = self.typed(only, ty, name, false).is_some();
        }
        tried
    }
}

/// The names block `b` and the blocks inside it would declare: its labels,
/// and the kinds and labels of its children (`jobs { test { } }` declares
/// `test`).
fn collect_names(b: &Block, out: &mut Vec<String>) {
    for l in &b.labels {
        match l {
            BlockLabel::Ident(i) => out.push(i.name.clone()),
            BlockLabel::Str(s) => out.extend(s.as_plain()),
        }
    }
    for item in b.body.iter().flat_map(|body| &body.items) {
        if let Item::Block(c) = item {
            out.push(c.kind.name.clone());
            collect_names(c, out);
        }
    }
}

/// The first line break or other control character (a tab is fine) in
/// the text of `s`, and the span of the text part holding it.
fn control_char(s: &StrLit) -> Option<(char, Span)> {
    s.parts.iter().find_map(|p| match p {
        StrPart::Text { text, span } => text.chars().find(|c| c.is_control() && *c != '\t').map(|c| (c, *span)),
        _ => None,
    })
}

/// A line break where one line of text is expected.
pub fn not_one_line(name: &str, c: char, at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::NotOneLine,
        format!("`{name}` must be one line, but its text holds {}", c.escape_debug()),
        Label::new(at, format!("this text holds {}", c.escape_debug())),
    )
    .with_help(format!(
        "write `{name}` on one line, without line breaks or control characters: it becomes a name, a comment or a one-line field"
    ))
}

fn contains_error(b: &Block) -> bool {
    b.body.as_ref().is_some_and(|body| {
        body.items.iter().any(|i| match i {
            Item::Error(_) => true,
            Item::Block(c) => contains_error(c),
            _ => false,
        })
    })
}

pub use super::hints::describe;

/// Where attribute `name`, unknown in `schema`, belongs: the other block
/// kinds that declare it (`` `id` is an attribute of `run` and `uses` steps ``).
fn elsewhere(reg: &crate::schema::Registry, schema: &BlockSchema, name: &str) -> Option<String> {
    let mut kinds: Vec<&str> = reg
        .blocks
        .iter()
        .filter(|b| b.id != schema.id && b.attr(name).is_some())
        .map(|b| b.kind)
        .collect();
    if name == "id" || crate::schema::ACTION_STEP_ATTRS.iter().any(|a| a.as_str() == name) {
        kinds.push("uses");
    }
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.is_empty() {
        return None;
    }
    let shown: Vec<String> = kinds.iter().take(4).map(|k| format!("`{k}`")).collect();
    Some(format!(
        "`{name}` is an attribute of {} blocks, not of `{}`: move it there",
        shown.join(", "),
        schema.kind
    ))
}

/// A name a free-form block does not take, by the rule of its consumer.
fn bad_key(node: &CheckedBlock<'_>, keys: Keys, a: &Attribute) -> Diagnostic {
    let name = a.name.name.as_str();
    let kind = node.block.kind.name.as_str();
    match keys {
        Keys::OneOf(names) => Diagnostic::new(
            Code::UnknownAttribute,
            format!("`{name}` is not one of the names `{kind}` takes"),
            Label::new(a.name.span, "unknown here"),
        )
        .with_help(help_line(name, names).unwrap_or_else(|| format!("`{kind}` takes {}", quote_list(names)))),
        Keys::Kubernetes => Diagnostic::new(
            Code::InvalidLabelName,
            format!("`{name}` is not a Kubernetes label or annotation key"),
            Label::new(a.name.span, "the API server rejects the object"),
        )
        .with_help(
            "a key is an optional DNS-name prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit: `\"example.com/team\"`",
        ),
        Keys::PortName => Diagnostic::new(
            Code::InvalidLabelName,
            format!("`{name}` cannot name a Kubernetes port"),
            Label::new(a.name.span, "the API server rejects the pod"),
        )
        .with_help("a port name is at most 15 lowercase letters, digits and `-`, with at least one letter: `grpc`, `metrics`"),
        Keys::PrometheusLabel | Keys::Any => {
            let fixed: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
                .trim_start_matches('_')
                .to_string();
            let fixed = if fixed.starts_with(|c: char| c.is_ascii_digit()) || fixed.is_empty() {
                format!("label_{fixed}")
            } else {
                fixed
            };
            Diagnostic::new(
                Code::InvalidLabelName,
                format!("`{name}` cannot name a Prometheus label"),
                Label::new(a.name.span, "promtool rejects the whole rules file for it"),
            )
            .with_help(format!(
                "label names are letters, digits and `_`, not starting with a digit or `__`: `{fixed}`"
            ))
        }
    }
}

/// Most names a help line lists; past it, it says how many more there are.
pub const MAX_LISTED: usize = 12;

/// [`quote_list`] of the first names of a long sequence, reading no more of
/// it than it lists: "`a`, `b`, ... and others" past [`MAX_LISTED`].
pub fn quote_first<'w>(words: impl Iterator<Item = &'w str>) -> String {
    let first: Vec<&str> = words.take(MAX_LISTED + 1).collect();
    if first.len() > MAX_LISTED {
        let q: Vec<String> = first[..MAX_LISTED].iter().map(|w| format!("`{w}`")).collect();
        return format!("{} and others", q.join(", "));
    }
    quote_list(&first)
}

/// "`a`, `b` and `c`"; past [`MAX_LISTED`], "`a`, `b`, ... and 9 more".
pub fn quote_list(words: &[&str]) -> String {
    let q: Vec<String> = words.iter().take(MAX_LISTED).map(|w| format!("`{w}`")).collect();
    if words.len() > MAX_LISTED {
        return format!("{} and {} more", q.join(", "), words.len() - MAX_LISTED);
    }
    match q.len() {
        0 => "none".into(),
        1 => q[0].clone(),
        n => format!("{} and {}", q[..n - 1].join(", "), q[n - 1]),
    }
}
