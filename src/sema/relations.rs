//! Graph checks over the checked tree and the model: cycles in `extends`,
//! `after` and `needs` (every member labelled, found with petgraph's
//! strongly connected components), promotion order, and deploys to
//! environments without a cluster.

use std::collections::{BTreeMap, BTreeSet};

use crate::hash::{Map, Set};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::names::Symbols;
use super::tree::{CheckedBlock, Val};
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::Model;
use crate::schema::{Attr, BlockId, Namespace};
use crate::source::Span;

/// An edge of a relation: `from` points at `to`, written at `span`.
struct Edge<'a> {
    from: &'a str,
    to: &'a str,
    span: Span,
}

/// Whether `edges` make no cycle (no self-loop either): every node can be
/// taken away once nothing points at it (Kahn's algorithm).
fn acyclic(edges: &[Edge<'_>]) -> bool {
    let mut ids: Map<&str, usize> = crate::hash::map_with(edges.len() * 2);
    let mut arcs: Vec<(usize, usize)> = Vec::with_capacity(edges.len());
    for e in edges {
        let mut id = |n| {
            let next = ids.len();
            *ids.entry(n).or_insert(next)
        };
        let (from, to) = (id(e.from), id(e.to));
        arcs.push((from, to));
    }
    arcs.sort_unstable();
    let n = ids.len();
    // Where each node's arcs start in `arcs`, and how many point at it.
    let mut first = vec![arcs.len(); n + 1];
    let mut pointed = vec![0usize; n];
    for (i, &(from, to)) in arcs.iter().enumerate().rev() {
        first[from] = i;
        pointed[to] += 1;
    }
    for i in (0..n).rev() {
        first[i] = first[i].min(first[i + 1]);
    }
    let mut free: Vec<usize> = (0..n).filter(|&i| pointed[i] == 0).collect();
    let mut taken = 0;
    while let Some(i) = free.pop() {
        taken += 1;
        for &(_, to) in &arcs[first[i]..first[i + 1]] {
            pointed[to] -= 1;
            if pointed[to] == 0 {
                free.push(to);
            }
        }
    }
    taken == n
}

/// Most members a cycle's report names and labels.
const MAX_LABELLED: usize = 12;

/// Reports every cycle of one relation, labelling each edge in it.
/// `verb` is (singular, plural): ("extends", "extend").
fn cycles(edges: &[Edge<'_>], what: &str, verb: (&str, &str), diags: &mut Capped) {
    // (Nearly every graph has none: found without building one.)
    if acyclic(edges) {
        return;
    }
    let (verb, plural) = verb;
    let mut g: DiGraph<&str, usize> = DiGraph::new();
    let mut index: BTreeMap<&str, NodeIndex> = BTreeMap::new();
    for e in edges {
        for n in [e.from, e.to] {
            if !index.contains_key(n) {
                index.insert(n, g.add_node(n));
            }
        }
    }
    for (i, e) in edges.iter().enumerate() {
        g.add_edge(index[e.from], index[e.to], i);
    }
    // Each edge inside a component, grouped by component in one pass.
    let sccs = tarjan_scc(&g);
    let mut component = vec![usize::MAX; g.node_count()];
    for (c, scc) in sccs.iter().enumerate() {
        for n in scc {
            component[n.index()] = c;
        }
    }
    let mut inside: Vec<Vec<&Edge<'_>>> = vec![Vec::new(); sccs.len()];
    for e in edges {
        let (a, b) = (component[index[e.from].index()], component[index[e.to].index()]);
        if a == b {
            inside[a].push(e);
        }
    }
    for (scc, mut in_cycle) in sccs.iter().zip(inside) {
        let members: BTreeSet<&str> = scc.iter().map(|n| g[*n]).collect();
        let self_loop = scc.len() == 1 && !in_cycle.is_empty();
        if scc.len() < 2 && !self_loop {
            continue;
        }
        in_cycle.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
        let mut names: Vec<String> = members.iter().take(MAX_LABELLED).map(|m| format!("`{m}`")).collect();
        if members.len() > MAX_LABELLED {
            names.push(format!("{} more", members.len() - MAX_LABELLED));
        }
        let Some(first) = in_cycle.first() else { continue };
        let message = if self_loop {
            format!("{what} `{}` {verb} itself", first.from)
        } else {
            format!("{what}s {} {plural} each other in a cycle", names.join(", "))
        };
        let mut d = Diagnostic::new(
            Code::DependencyCycle,
            message,
            Label::new(first.span, format!("`{}` {verb} `{}`", first.from, first.to)),
        )
        .with_help(format!("break the cycle: remove one of these `{verb}` links"));
        for e in in_cycle.iter().skip(1).take(MAX_LABELLED - 1) {
            d = d.with_label(Label::new(e.span, format!("`{}` {verb} `{}`", e.from, e.to)));
        }
        if in_cycle.len() > MAX_LABELLED {
            d = d.with_note(format!(
                "{} more `{verb}` links are in the cycle",
                in_cycle.len() - MAX_LABELLED
            ));
        }
        diags.push(d);
    }
}

fn ref_edge<'a>(from: &'a str, node: &'a CheckedBlock<'_>, attr: Attr) -> Vec<Edge<'a>> {
    let mut out = Vec::new();
    let mut push = |v: &'a Val<'_>| {
        if let Val::Ref(i, _) = v {
            out.push(Edge {
                from,
                to: &i.name,
                span: i.span,
            });
        }
    };
    match node.get(attr) {
        Some(Val::List(items)) => items.iter().for_each(&mut push),
        Some(v) => push(v),
        None => {}
    }
    out
}

pub fn check(user: &[CheckedBlock<'_>], sym: &Symbols<'_, '_>, model: &Model, diags: &mut Capped) {
    let envs: Vec<&CheckedBlock> = user.iter().filter(|n| n.schema.id == BlockId::Environment).collect();
    let extends: Vec<Edge> = envs
        .iter()
        .flat_map(|n| ref_edge(n.label(), n, Attr::Extends))
        .collect();
    cycles(&extends, "environment", ("extends", "extend"), diags);
    let after: Vec<Edge> = envs.iter().flat_map(|n| ref_edge(n.label(), n, Attr::After)).collect();
    cycles(&after, "environment", ("comes after", "come after"), diags);
    let mut afters = Map::default();
    for p in user.iter().filter(|n| n.schema.id == BlockId::Pipeline) {
        let needs: Vec<Edge> = p
            .children
            .iter()
            .filter(|c| matches!(c.schema.id, BlockId::Job | BlockId::Deploy))
            .flat_map(|j| ref_edge(j.label(), j, Attr::Needs))
            .collect();
        cycles(&needs, "job", ("needs", "need"), diags);
        promotion(p, sym, model, &mut afters, diags);
        clusters(p, sym, model, diags);
    }
}

/// The `after` attribute that applies to `env`, along its `extends` chain
/// (memoized in `known`: every environment of a chain is walked once).
fn after_attr(
    env: &str,
    sym: &Symbols<'_, '_>,
    known: &mut Map<String, Option<(String, Span)>>,
) -> Option<(String, Span)> {
    let mut path: Vec<String> = Vec::new();
    let mut seen = Set::default();
    let mut cur = env.to_string();
    let found = loop {
        if let Some(k) = known.get(&cur) {
            break k.clone();
        }
        if !seen.insert(cur.clone()) {
            break None; // a cycle, reported above
        }
        path.push(cur.clone());
        let Some(decl) = sym.get(Namespace::Environment, &cur) else {
            break None;
        };
        let node = decl.node;
        if let Some(a) = node.attr(Attr::After)
            && let Val::Ref(i, _) = &a.val
        {
            break Some((i.name.clone(), a.attr.span));
        }
        match node.get(Attr::Extends) {
            Some(Val::Ref(i, _)) => cur = i.name.clone(),
            _ => break None,
        }
    };
    for p in path {
        known.insert(p, found.clone());
    }
    found
}

/// Nodes the promotion check may visit in one pipeline while following
/// `needs`; past it, a deploy is taken to wait (no report rather than
/// unbounded work on hostile graphs; real pipelines use a tiny part).
const MAX_VISITS: usize = 1_000_000;

fn promotion(
    p: &CheckedBlock<'_>,
    sym: &Symbols<'_, '_>,
    model: &Model,
    afters: &mut Map<String, Option<(String, Span)>>,
    diags: &mut Capped,
) {
    let Ok(at) = model.pipelines.binary_search_by(|m| m.name.as_str().cmp(p.label())) else {
        return;
    };
    let pipeline = &model.pipelines[at];
    let needs: Map<&str, &[String]> = pipeline
        .jobs
        .iter()
        .map(|j| (j.name.as_str(), j.needs.as_slice()))
        .collect();
    let mut deploys: Map<&str, &CheckedBlock<'_>> = Map::default();
    for d in p.children_of(BlockId::Deploy) {
        deploys.entry(d.label()).or_insert(d);
    }
    let mut visits = MAX_VISITS;
    for deploy in p.children_of(BlockId::Deploy) {
        let env = deploy.label();
        let Some((before, after_span)) = after_attr(env, sym, afters) else {
            continue;
        };
        let earlier = deploys.get(before.as_str());
        let d = match earlier {
            None => Diagnostic::new(
                Code::PromotionOrder,
                format!(
                    "pipeline `{}` deploys to `{env}` but never to `{before}`, which must come first",
                    p.label()
                ),
                Label::new(deploy.header_span(), format!("deploys to `{env}`")),
            )
            .with_label(Label::new(after_span, format!("`{env}` comes after `{before}`")))
            .with_help(format!(
                "add `deploy {before} {{ ... }}` and make this deploy need it: `needs = [{before}]`"
            )),
            Some(_) if reaches(&needs, env, &before, &mut visits) => continue,
            // A need that did not resolve was reported; the order it would
            // give is unknown.
            Some(_) if diags.explains(deploy.block.span) => continue,
            Some(e) => Diagnostic::new(
                Code::PromotionOrder,
                format!("`deploy {env}` does not wait for `deploy {before}`"),
                Label::new(deploy.header_span(), format!("may run before `{before}` is deployed")),
            )
            .with_label(Label::new(after_span, format!("`{env}` comes after `{before}`")))
            .with_label(Label::new(e.header_span(), format!("the deploy to `{before}`")))
            .with_help(format!("add `{before}` to its needs: `needs = [{before}]`")),
        };
        diags.push(d);
    }
}

/// Whether job `from` needs `to`, directly or through other jobs; true
/// once `visits` is spent.
fn reaches(needs: &Map<&str, &[String]>, from: &str, to: &str, visits: &mut usize) -> bool {
    let mut stack = vec![from];
    let mut seen = Set::default();
    while let Some(j) = stack.pop() {
        if !seen.insert(j) {
            continue;
        }
        if *visits == 0 {
            return true;
        }
        *visits -= 1;
        for n in needs.get(j).copied().unwrap_or(&[]) {
            if n == to {
                return true;
            }
            stack.push(n);
        }
    }
    false
}

fn clusters(p: &CheckedBlock<'_>, sym: &Symbols<'_, '_>, model: &Model, diags: &mut Capped) {
    for deploy in p.children_of(BlockId::Deploy) {
        let env = deploy.label();
        if model.environment(env).is_none() {
            continue;
        }
        // A deploy run by its own templates needs what they read (a
        // template reading `${environment.cluster}` reports its absence).
        if model.deploy_cluster(env).is_some() || deploy.child(BlockId::Uses).is_some() {
            continue;
        }
        let mut d = Diagnostic::new(
            Code::DeployWithoutCluster,
            format!("`deploy {env}` has no cluster to deploy to"),
            Label::new(deploy.label_span(), format!("`{env}` has no `cluster`")),
        )
        .with_help(format!(
            "set `cluster = \"...\"` on environment `{env}` (or one it extends), or declare `infra {env} {{ cluster NAME {{ ... }} }}`"
        ));
        if let Some(decl) = sym.get(Namespace::Environment, env) {
            d = d.with_label(Label::new(decl.span, "declared here without a cluster"));
        }
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `acyclic` says what the strongly connected components say, on
    /// random small graphs (self-loops, repeated edges and all).
    #[test]
    fn acyclic_agrees_with_the_components() {
        let names = ["a", "b", "c", "d", "e", "f"];
        let mut rng = crate::testing::Rng(0x2545_F491_4F6C_DD1D);
        let mut next = |n| rng.below(n);
        let (mut with, mut without) = (0, 0);
        for _ in 0..2_000 {
            let edges: Vec<Edge<'_>> = (0..next(9))
                .map(|_| Edge {
                    from: names[next(6)],
                    to: names[next(6)],
                    span: Span::new(crate::source::FileId(0), 0, 0),
                })
                .collect();
            let mut diags = Capped::default();
            let mut g: DiGraph<&str, ()> = DiGraph::new();
            let mut index = BTreeMap::new();
            for e in &edges {
                for n in [e.from, e.to] {
                    index.entry(n).or_insert_with(|| g.add_node(n));
                }
                g.add_edge(index[e.from], index[e.to], ());
            }
            let cyclic = tarjan_scc(&g).iter().any(|c| c.len() > 1) || edges.iter().any(|e| e.from == e.to);
            assert_eq!(
                acyclic(&edges),
                !cyclic,
                "{:?}",
                edges.iter().map(|e| (e.from, e.to)).collect::<Vec<_>>()
            );
            cycles(&edges, "job", ("needs", "need"), &mut diags);
            assert_eq!(diags.kept.is_empty(), !cyclic);
            if cyclic { with += 1 } else { without += 1 }
        }
        assert!(with > 100 && without > 100, "{with} cyclic, {without} not");
    }
}
