//! Meaning: from the syntax trees of a project to the resolved model.
//!
//! ```text
//!  ASTs ──shape──▶ checked tree ──names──▶ symbols ──build──▶ Model ──graph──▶ checks
//!        (schema)   (typed values)  (resolve, dup, unused)  (inherit, expand)  (cycles, order)
//! ```
//!
//! Every pass reports into one list; the model is built even when there are
//! errors (with the broken parts left out), so later checks and the
//! language server still see it. Target checks (`crate::check`) are not
//! run here: the driver runs them on this stage's result.
//!
//! **Invariant:** backends get a model only when there are no errors (the
//! driver's job: see `crate::driver`).

pub mod build;
mod habits;
pub mod hints;
pub mod index;
pub mod names;
pub mod provenance;
pub mod relations;
pub mod shape;
pub mod tree;

use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::Model;
use crate::schema::registry;
use crate::source::{FileId, ImportEdge, SourceDb, Span};
use crate::syntax::ast;

/// What the analysis of a project reads.
pub struct ProjectInput<'a> {
    /// Whether to build the index of declarations and references (the
    /// language server's; one-shot commands leave it empty).
    pub index: bool,
    /// The project's files (its directory's and those it imports).
    pub files: Vec<(FileId, &'a ast::File)>,
    pub stdlib: Vec<(FileId, &'a ast::File)>,
    pub imports: Vec<ImportEdge>,
    /// The files of the project's `handbook/` directory: name (relative to
    /// it) and file.
    pub handbook: Vec<(String, FileId)>,
}

/// The meaning of a project: its checked tree (blocks typed against the
/// schema, borrowing the syntax trees), the resolved model, and the
/// diagnostics of shapes, names, inheritance, templates and relations.
pub struct Meaning<'a> {
    /// The user's top-level blocks, checked.
    pub tree: Vec<tree::CheckedBlock<'a>>,
    pub model: Model,
    /// Declarations and the references that resolved to them (empty where
    /// the input asked for none).
    pub index: index::LazyIndex,
    /// Capped at creation: hostile input costs a count past the cap.
    pub diagnostics: Capped,
}

pub use build::reuse::{Carried, Reuse};

/// Shapes, names, the model and the relations between its parts. Target
/// checks (`crate::check`) come after, on this result.
pub fn analyze<'a>(db: &SourceDb, input: &ProjectInput<'a>) -> Meaning<'a> {
    analyze_reusing(db, input, None)
}

/// [`analyze`], taking back what `reuse` kept of the last analysis of the
/// project where nothing it read changed, and keeping what this one builds
/// for the next (see [`build::reuse`]): the language server's.
pub fn analyze_reusing<'a>(db: &SourceDb, input: &ProjectInput<'a>, reuse: Option<&mut Reuse>) -> Meaning<'a> {
    // Files are independent here: check their shapes on all cores, keep
    // the order.
    let checked = crate::par::map(&input.files, |(_, file)| {
        let mut s = shape::Shape::new(registry());
        let nodes = s.file(&file.items);
        (nodes, s.diags, s.unreadable)
    });
    let mut shape = shape::Shape::new(registry());
    let mut user = Vec::new();
    let mut unreadable = Vec::new();
    for (nodes, file_diags, names) in checked {
        user.extend(nodes);
        shape.diags.append(file_diags);
        unreadable.extend(names);
    }
    let mut std_nodes = Vec::new();
    let mut std_shape = shape::Shape::new(registry());
    for (_, file) in &input.stdlib {
        std_nodes.extend(std_shape.file(&file.items));
    }
    // The stdlib is checked by its own tests; its diagnostics are not the
    // user's.
    let mut diags = std::mem::take(&mut shape.diags);
    let (model, index) = {
        let mut sym = names::collect(&user, &std_nodes, &mut diags);
        sym.unreadable = unreadable.into_iter().collect();
        sym.record_refs = input.index;
        names::resolve(&user, &mut sym, &mut diags);
        names::unused(&sym, &mut diags);
        if sym.project.is_none() && !user.is_empty() {
            let (file, _) = input.files[0];
            diags.push(
                Diagnostic::new(
                    Code::MissingAttribute,
                    "this project has no `project` block",
                    Label::new(
                        Span::new(file, 0, 0),
                        "expected `project NAME { ... }` in one of the project's files",
                    ),
                )
                .with_help("add `project NAME { repo = \"owner/name\" }`"),
            );
        }
        let refs = std::mem::take(&mut sym.refs);
        let sources = input.files.iter().map(|(id, _)| db.get(*id).name.clone()).collect();
        let build = || match reuse {
            Some(reuse) => {
                let files: Vec<FileId> = input.files.iter().chain(&input.stdlib).map(|(f, _)| *f).collect();
                let mut plan = reuse.plan(db, &files, &user);
                let built = build::Builder::new(&sym, &mut shape)
                    .reusing(Some(&mut plan))
                    .build(&user, sources);
                reuse.finish(plan);
                built
            }
            None => build::Builder::new(&sym, &mut shape).build(&user, sources),
        };
        let index = if input.index {
            index::LazyIndex::new(sym.definitions(), refs)
        } else {
            index::LazyIndex::default()
        };
        let (mut model, build_diags) = build();
        // Each declaration's file, for the generated files' headers.
        let file = |span: Span| db.get(span.file).name.clone();
        model.pipelines.iter_mut().for_each(|x| x.source = file(x.span));
        model.alerts.iter_mut().for_each(|x| x.source = file(x.span));
        model.records.iter_mut().for_each(|x| x.source = file(x.span));
        model.slos.iter_mut().for_each(|x| x.source = file(x.span));
        model.services.iter_mut().for_each(|x| x.source = file(x.span));
        model.rollouts.iter_mut().for_each(|x| x.source = file(x.span));
        model.infra.iter_mut().for_each(|x| x.source = file(x.span));
        diags.append(build_diags);
        handbook(db, input, &mut model);
        relations::check(&user, &sym, &model, &mut diags);
        (model, index)
    };
    import_cycles(db, &input.imports, &mut diags);
    Meaning {
        tree: user,
        model,
        index,
        diagnostics: diags,
    }
}

/// The project's handbook files, and the runbook link of every alert
/// (and SLO) that has none when the handbook is published
/// (`handbook { url }`).
fn handbook(db: &SourceDb, input: &ProjectInput<'_>, model: &mut crate::model::Model) {
    model.handbook_sources = input
        .handbook
        .iter()
        .map(|(name, file)| crate::model::HandbookSource {
            name: name.clone(),
            path: db.get(*file).name.clone(),
            text: db.text(*file).to_string(),
            file: *file,
        })
        .collect();
    let Some(url) = model.project.handbook.as_ref().and_then(|h| h.url.clone()) else {
        return;
    };
    for a in model.alerts.iter_mut().filter(|a| a.runbook.is_none()) {
        a.runbook = Some(crate::target::paths::runbook_url(&url, &a.name));
    }
    // An SLO's burn-rate alerts: its page (the burn rates, the budget, the
    // queries, what it gates).
    for s in &mut model.slos {
        let page = crate::target::paths::published(&url, &crate::target::paths::handbook_slo(&s.name));
        for route in [&mut s.page, &mut s.ticket] {
            route.runbook.get_or_insert_with(|| page.clone());
        }
    }
}

/// Cycles among imports, each `import` of a cycle labelled.
fn import_cycles(db: &SourceDb, edges: &[ImportEdge], diags: &mut Capped) {
    use petgraph::algo::tarjan_scc;
    use petgraph::graph::DiGraph;
    let mut g: DiGraph<FileId, Span> = DiGraph::new();
    let mut index = std::collections::BTreeMap::new();
    for e in edges {
        for f in [e.from, e.to] {
            index.entry(f).or_insert_with(|| g.add_node(f));
        }
    }
    for e in edges {
        g.add_edge(index[&e.from], index[&e.to], e.span);
    }
    for scc in tarjan_scc(&g) {
        let members: std::collections::BTreeSet<FileId> = scc.iter().map(|n| g[*n]).collect();
        let self_loop = edges.iter().any(|e| e.from == e.to && members.contains(&e.from));
        if members.len() < 2 && !self_loop {
            continue;
        }
        let mut in_cycle: Vec<&ImportEdge> = edges
            .iter()
            .filter(|e| members.contains(&e.from) && members.contains(&e.to))
            .collect();
        in_cycle.sort_by_key(|e| (e.from, e.span));
        let names: Vec<String> = members.iter().map(|f| format!("`{}`", db.get(*f).name)).collect();
        let label = |e: &ImportEdge| format!("`{}` imports `{}`", db.get(e.from).name, db.get(e.to).name);
        let Some(first) = in_cycle.first() else { continue };
        let mut d = Diagnostic::new(
            Code::ImportCycle,
            format!("{} import each other in a cycle", names.join(", ")),
            Label::new(first.span, label(first)),
        )
        .with_help("move what these files share into a file that each of them imports");
        for e in &in_cycle[1..] {
            d = d.with_label(Label::new(e.span, label(e)));
        }
        diags.push(d);
    }
}
