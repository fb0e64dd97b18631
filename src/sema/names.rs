//! Names: one symbol table per namespace (and one per pipeline for its
//! jobs), duplicate declarations, reference resolution with did-you-mean in
//! the right namespace, and unused declarations.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::index::{Definition, Symbol};
use super::tree::{CheckedBlock, Val};
use crate::diag::suggest::{Budget, CELL_BUDGET, did_you_mean_within};
use crate::diag::{Capped, Code, Diagnostic, Label, Severity};
use crate::schema::{Attr, BlockId, Labels, Namespace, Ty};
use crate::source::Span;

#[derive(Clone, Copy, Debug)]
pub struct Decl<'n, 'a> {
    pub node: &'n CheckedBlock<'a>,
    pub span: Span,
    pub stdlib: bool,
}

#[derive(Default)]
pub struct Symbols<'n, 'a> {
    /// (Names borrowed from the checked tree: an edit made and freed
    /// thousands of copies.)
    pub decls: BTreeMap<(Namespace, &'n str), Decl<'n, 'a>>,
    /// `decls` again, hashed: what a reference looks up (a table of a
    /// thousand names searched in order cost thousands of comparisons
    /// per edit). Made once `collect` has declared everything.
    lookup: crate::hash::Map<(Namespace, &'n str), Decl<'n, 'a>>,
    /// Pipeline → job name → the job or deploy node.
    pub jobs: BTreeMap<&'n str, BTreeMap<&'n str, &'n CheckedBlock<'a>>>,
    /// (Hashed: asked on every reference.)
    pub used: crate::hash::Set<(Namespace, &'n str)>,
    pub project: Option<&'n CheckedBlock<'a>>,
    /// Every reference that resolved, where it is written (recorded only
    /// where `record_refs`: for the index).
    pub refs: Vec<(Symbol, Span)>,
    pub record_refs: bool,
    /// Names that blocks dvcc could not read (unknown kinds) would declare:
    /// references to them are not reported (that block's error says it).
    pub unreadable: BTreeSet<String>,
    /// What did-you-mean has spent in this analysis. (Atomic: it is spent
    /// while the tables are borrowed, and the tables are shared by the
    /// threads that build services.)
    pub suggest_spent: std::sync::atomic::AtomicUsize,
}

impl<'n, 'a> Symbols<'n, 'a> {
    /// Every declaration and job, with where it is declared: what the
    /// index is made of, with the resolved references ([`Symbols::refs`],
    /// taken once resolution is done).
    pub fn definitions(&self) -> Vec<(Symbol, Definition)> {
        let jobs: usize = self.jobs.values().map(BTreeMap::len).sum();
        let mut out = Vec::with_capacity(self.decls.len() + jobs);
        for ((ns, name), d) in &self.decls {
            let symbol = Symbol {
                ns: *ns,
                scope: None,
                name: name.to_string(),
            };
            let definition = Definition {
                span: d.span,
                stdlib: d.stdlib,
            };
            out.push((symbol, definition));
        }
        for (pipeline, jobs) in &self.jobs {
            for (name, node) in jobs {
                let symbol = Symbol {
                    ns: Namespace::Job,
                    scope: Some(pipeline.to_string()),
                    name: name.to_string(),
                };
                let definition = Definition {
                    span: node.label_span(),
                    stdlib: false,
                };
                out.push((symbol, definition));
            }
        }
        out
    }

    /// The declaration of `name` in `ns` (once [`collect`] made the tables).
    pub fn get(&self, ns: Namespace, name: &str) -> Option<Decl<'n, 'a>> {
        self.lookup.get(&(ns, name)).copied()
    }

    /// The declared names of `ns`, in order (a range of the table, not a
    /// pass over every declaration).
    pub fn names(&self, ns: Namespace) -> impl Iterator<Item = &'n str> + Clone + '_ {
        self.decls
            .range((ns, "")..)
            .take_while(move |((n, _), _)| *n == ns)
            .map(|((_, name), _)| *name)
    }

    /// Did-you-mean among `candidates`, within this analysis's budget.
    fn suggest_among<'c>(&self, name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
        use std::sync::atomic::Ordering;
        let spent = self.suggest_spent.load(Ordering::Relaxed);
        let mut budget = Budget(CELL_BUDGET.saturating_sub(spent));
        let found = did_you_mean_within(name, candidates, &mut budget);
        self.suggest_spent.store(CELL_BUDGET - budget.0, Ordering::Relaxed);
        found
    }

    /// The first other namespace declaring `name`, for "there is a service
    /// named ..." hints (one lookup per namespace).
    fn other_namespace(&self, name: &str, except: Namespace) -> Option<Namespace> {
        Namespace::ALL
            .into_iter()
            .find(|ns| *ns != except && self.decls.contains_key(&(*ns, name)))
    }
}

pub fn collect<'n, 'a>(
    user: &'n [CheckedBlock<'a>],
    stdlib: &'n [CheckedBlock<'a>],
    diags: &mut Capped,
) -> Symbols<'n, 'a> {
    let mut sym = Symbols::default();
    for node in user {
        if node.schema.id == BlockId::Project {
            match sym.project {
                None => sym.project = Some(node),
                Some(first) => diags.push(duplicate("project", node.label_span(), first.label_span(), "project")),
            }
        }
        if let Labels::Declare(ns) = node.schema.labels {
            declare(&mut sym, ns, node, false, diags);
        }
        if node.schema.id == BlockId::Pipeline {
            let mut jobs: BTreeMap<&str, &CheckedBlock> = BTreeMap::new();
            for job in node
                .children
                .iter()
                .filter(|c| matches!(c.schema.id, BlockId::Job | BlockId::Deploy))
            {
                let name = job.label();
                if name.is_empty() {
                    continue;
                }
                if let Some(first) = jobs.get(name) {
                    diags.push(duplicate(name, job.label_span(), first.label_span(), "job"));
                    continue;
                }
                jobs.insert(name, job);
            }
            // GitHub compares job ids and input names without case.
            let ids = node
                .children
                .iter()
                .filter(|c| matches!(c.schema.id, BlockId::Job | BlockId::Deploy))
                .map(|j| (j.label(), j.label_span()));
            case_clashes(ids, "job", "GitHub compares job ids without case", false, diags);
            for on in node.children_of(BlockId::OnManual) {
                let inputs = on
                    .children_of(BlockId::ManualInput)
                    .map(|i| (i.label(), i.label_span()));
                case_clashes(inputs, "input", "GitHub compares input names without case", true, diags);
            }
            sym.jobs.insert(node.label(), jobs);
        }
    }
    // Pipelines become workflow files: two names that differ only in case
    // are one file on macOS and Windows.
    let pipelines = user
        .iter()
        .filter(|n| n.schema.id == BlockId::Pipeline)
        .map(|n| (n.label(), n.label_span()));
    case_clashes(
        pipelines,
        "pipeline",
        "their workflow files would be one file on macOS and Windows",
        false,
        diags,
    );
    for node in stdlib {
        if node.schema.labels == Labels::Declare(Namespace::Template) {
            let key = (Namespace::Template, node.label());
            // A user template of the same name shadows the stdlib's.
            sym.decls.entry(key).or_insert(Decl {
                node,
                span: node.label_span(),
                stdlib: true,
            });
        }
    }
    sym.lookup = sym.decls.iter().map(|(k, d)| (*k, *d)).collect();
    sym
}

fn declare<'n, 'a>(
    sym: &mut Symbols<'n, 'a>,
    ns: Namespace,
    node: &'n CheckedBlock<'a>,
    stdlib: bool,
    diags: &mut Capped,
) {
    let name = node.label();
    if name.is_empty() {
        return;
    }
    let key = (ns, name);
    if let Some(first) = sym.decls.get(&key) {
        diags.push(duplicate(name, node.label_span(), first.span, ns.noun()));
        return;
    }
    sym.decls.insert(
        key,
        Decl {
            node,
            span: node.label_span(),
            stdlib,
        },
    );
}

/// Reports names equal but for case (and, when `exact`, equal names too:
/// for names declared nowhere else).
fn case_clashes<'x>(
    names: impl Iterator<Item = (&'x str, Span)>,
    noun: &str,
    why: &str,
    exact: bool,
    diags: &mut Capped,
) {
    let mut seen: crate::hash::Map<Cow<'x, str>, (&str, Span)> = crate::hash::Map::default();
    for (name, span) in names {
        if name.is_empty() {
            continue;
        }
        // (Most names are lower case already: no copy for them.)
        let lower = if name
            .bytes()
            .any(|b| !b.is_ascii_lowercase() && !b.is_ascii_digit() && b != b'_' && b != b'-')
        {
            Cow::Owned(name.to_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        match seen.get(&lower) {
            Some((first, first_span)) if *first != name => diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("the {noun}s `{first}` and `{name}` differ only in case"),
                    Label::new(span, "the same name, but for case"),
                )
                .with_label(Label::new(*first_span, "first declared here"))
                .with_help(format!("rename one of them: {why}")),
            ),
            Some((_, first_span)) if exact => diags.push(duplicate(name, span, *first_span, noun)),
            Some(_) => {}
            None => {
                seen.insert(lower, (name, span));
            }
        }
    }
}

fn duplicate(name: &str, again: Span, first: Span, noun: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        format!("the {noun} `{name}` is declared twice"),
        Label::new(again, "declared again here"),
    )
    .with_label(Label::new(first, "first declared here"))
    .with_help(format!(
        "rename one of them; every {noun} name must be unique in the project"
    ))
}

/// Resolves every reference below the user's nodes.
pub fn resolve<'n, 'a>(user: &'n [CheckedBlock<'a>], sym: &mut Symbols<'n, 'a>, diags: &mut Capped) {
    for node in user {
        let pipeline = (node.schema.id == BlockId::Pipeline).then(|| node.label());
        walk(node, pipeline, sym, diags);
    }
}

fn walk<'n, 'a>(node: &'n CheckedBlock<'a>, pipeline: Option<&str>, sym: &mut Symbols<'n, 'a>, diags: &mut Capped) {
    if let Labels::Refer(ns) = node.schema.labels
        && !node.label().is_empty()
    {
        reference(
            node.label(),
            node.label_span(),
            ns,
            &node.block.kind.name,
            pipeline,
            sym,
            diags,
        );
    }
    if node.schema.labels == Labels::Uses
        && let Some(crate::syntax::ast::BlockLabel::Ident(t)) = node.block.labels.first()
    {
        reference(&t.name, t.span, Namespace::Template, "uses", pipeline, sym, diags);
        template_args(node, &t.name, pipeline, sym, diags);
    }
    for (name, a) in &node.attrs {
        if holds_ref(&a.val) {
            refs_in(&a.val, name, pipeline, sym, diags);
        }
    }
    for child in &node.children {
        walk(child, pipeline, sym, diags);
    }
}

fn holds_ref(val: &Val<'_>) -> bool {
    match val {
        Val::Ref(..) => true,
        Val::List(items) => items.iter().any(holds_ref),
        _ => false,
    }
}

fn refs_in<'n, 'a>(val: &Val<'a>, attr: &str, pipeline: Option<&str>, sym: &mut Symbols<'n, 'a>, diags: &mut Capped) {
    match val {
        Val::Ref(ident, ns) => reference(&ident.name, ident.span, *ns, attr, pipeline, sym, diags),
        Val::List(items) => {
            for v in items {
                refs_in(v, attr, pipeline, sym, diags);
            }
        }
        _ => {}
    }
}

/// Arguments of `uses TEMPLATE { ... }` whose parameter is a service or an
/// environment are references too.
fn template_args<'n, 'a>(
    uses: &'n CheckedBlock<'a>,
    template: &str,
    pipeline: Option<&str>,
    sym: &mut Symbols<'n, 'a>,
    diags: &mut Capped,
) {
    let Some(decl) = sym.get(Namespace::Template, template) else {
        return;
    };
    for param in decl.node.children_of(BlockId::Param) {
        let ns = match param.get(Attr::Type) {
            Some(Val::Word(w)) => match crate::schema::param_type(w) {
                Some(Ty::Ref(ns)) => ns,
                _ => continue,
            },
            _ => continue,
        };
        if let Some(a) = uses.attrs.get(param.label())
            && let Val::Raw(v) = &a.val
            && let crate::syntax::ast::ValueKind::Ref(p) = &v.kind
            && let [ident] = p.segments.as_slice()
        {
            reference(&ident.name, ident.span, ns, param.label(), pipeline, sym, diags);
        }
    }
}

/// `name` at `span`, written as the value of `attr` (the attribute, or the
/// block kind whose label it is), resolved in `ns`.
fn reference<'n>(
    name: &'n str,
    span: Span,
    ns: Namespace,
    attr: &str,
    pipeline: Option<&str>,
    sym: &mut Symbols<'n, '_>,
    diags: &mut Capped,
) {
    if sym.unreadable.contains(name) && sym.get(ns, name).is_none() && ns != Namespace::Job {
        return;
    }
    if ns == Namespace::Job {
        let here = pipeline.and_then(|p| sym.jobs.get(p));
        if sym.unreadable.contains(name) && !here.is_some_and(|jobs| jobs.contains_key(name)) {
            return;
        }
        if let Some(pipeline) = pipeline
            && here.is_some_and(|jobs| jobs.contains_key(name))
        {
            if sym.record_refs {
                let job = Symbol {
                    ns,
                    scope: Some(pipeline.to_string()),
                    name: name.to_string(),
                };
                sym.refs.push((job, span));
            }
            return;
        }
        let candidates = here.into_iter().flat_map(|j| j.keys().copied());
        let mut d = Diagnostic::new(
            Code::UndefinedName,
            format!("no job named `{name}` in pipeline `{}`", pipeline.unwrap_or("?")),
            Label::new(span, format!("`{attr}` names jobs of this pipeline")),
        );
        let elsewhere = sym
            .jobs
            .iter()
            .find(|(p, jobs)| Some(**p) != pipeline && jobs.contains_key(name));
        d.help = match (sym.suggest_among(name, candidates.clone()), elsewhere) {
            (Some(c), _) => {
                d.fixes.push(rename(span, name, c));
                Some(format!("did you mean `{c}`?"))
            }
            (None, Some((p, _))) => Some(format!(
                "`{name}` is a job of pipeline `{p}`; a job can only need jobs of its own pipeline"
            )),
            (None, None) => Some(format!(
                "the jobs of this pipeline are {}",
                super::shape::quote_first(candidates)
            )),
        };
        diags.push(d);
        return;
    }
    if sym.get(ns, name).is_some() {
        sym.used.insert((ns, name));
        if sym.record_refs {
            let symbol = Symbol {
                ns,
                scope: None,
                name: name.to_string(),
            };
            sym.refs.push((symbol, span));
        }
        return;
    }
    let suggested = {
        let names = sym.names(ns);
        let mut d = Diagnostic::new(
            Code::UndefinedName,
            format!("no {} named `{name}`", ns.noun()),
            Label::new(span, format!("`{attr}` names {}s", ns.noun())),
        );
        let suggested = sym.suggest_among(name, names.clone());
        if let Some(c) = &suggested {
            d.fixes.push(rename(span, name, c));
        }
        d.help = suggested.map(|c| format!("did you mean `{c}`?")).or_else(|| {
            sym.other_namespace(name, ns)
                .map(|other| format!("`{name}` is a {}, but `{attr}` names {}s", other.noun(), ns.noun()))
        });
        if d.help.is_none() {
            d.help = Some(if names.clone().next().is_none() {
                format!(
                    "no {} is declared; declare `{} {name} {{ ... }}`",
                    ns.noun(),
                    ns.keyword()
                )
            } else {
                format!("the declared {}s are {}", ns.noun(), super::shape::quote_first(names))
            });
        }
        diags.push(d);
        suggested
    };
    // The name meant is not unused as well: one mistake, one report.
    if let Some(meant) = suggested {
        sym.used.insert((ns, meant));
    }
}

/// The fix of a misspelt reference: certain when only the case differs.
fn rename(span: Span, name: &str, near: &str) -> crate::diag::Fix {
    let fix = crate::diag::Fix::replace(span, near, format!("did you mean `{near}`?"));
    if near.eq_ignore_ascii_case(name) {
        fix
    } else {
        fix.maybe()
    }
}

/// Environments, services, rollouts and templates that nothing refers to.
pub fn unused(sym: &Symbols<'_, '_>, diags: &mut Capped) {
    for ((ns, name), decl) in &sym.decls {
        // Environments and services are outputs in their own right (values
        // files, charts); rollouts and templates do nothing unless used.
        let checked = matches!(ns, Namespace::Rollout | Namespace::Template | Namespace::Group);
        if !checked || decl.stdlib || sym.used.contains(&(*ns, *name)) {
            continue;
        }
        // A rollout bound to environments is used by the deploys of its
        // service there (the Helm checks say when there are none).
        if *ns == Namespace::Rollout && decl.node.get(crate::schema::Attr::Environments).is_some() {
            continue;
        }
        let hint = match ns {
            Namespace::Rollout => {
                "use it in a deploy job (`rollout = NAME`), bind it to environments (`environments = [...]`), or remove it"
            }
            Namespace::Group => "put rules in it (`group = NAME` on an alert or a record), or remove it",
            _ => "use it in a job (`uses NAME`), or remove it",
        };
        let mut d = Diagnostic::new(
            Code::UnusedDeclaration,
            format!("the {} `{name}` is never used", ns.noun()),
            Label::new(decl.span, "declared here, referred to nowhere"),
        )
        .with_help(hint);
        d.severity = Severity::Warning;
        diags.push(d);
    }
}
