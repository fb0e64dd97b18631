//! The project graph for `dvcc graph`: environments (extends, after),
//! pipelines and their jobs (needs, deploys), services, rollouts, alerts,
//! SLOs and infrastructure, as DOT, a Mermaid flowchart or JSON.
//!
//! Built from the resolved model into a petgraph graph; nodes and edges are
//! added in model order, so every rendering is deterministic.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::json;

use crate::model::Model;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Environment,
    Service,
    Job,
    Deploy,
    Rollout,
    Alert,
    Slo,
    Infra,
}

impl NodeKind {
    fn word(self) -> &'static str {
        match self {
            NodeKind::Environment => "environment",
            NodeKind::Service => "service",
            NodeKind::Job => "job",
            NodeKind::Deploy => "deploy",
            NodeKind::Rollout => "rollout",
            NodeKind::Alert => "alert",
            NodeKind::Slo => "slo",
            NodeKind::Infra => "infra",
        }
    }
}

#[derive(Clone, Debug)]
pub struct GNode {
    /// Unique: `environment:dev`, `job:ci/build`.
    pub id: String,
    pub kind: NodeKind,
    pub name: String,
    /// The pipeline a job belongs to.
    pub pipeline: Option<String>,
}

pub struct ProjectGraph {
    pub graph: DiGraph<GNode, &'static str>,
    pub pipelines: Vec<String>,
}

impl ProjectGraph {
    pub fn build(m: &Model) -> ProjectGraph {
        let mut g: DiGraph<GNode, &'static str> = DiGraph::new();
        let add = |g: &mut DiGraph<GNode, &'static str>, kind: NodeKind, name: &str, pipeline: Option<&str>| {
            let id = match pipeline {
                Some(p) => format!("{}:{p}/{name}", kind.word()),
                None => format!("{}:{name}", kind.word()),
            };
            g.add_node(GNode {
                id,
                kind,
                name: name.to_string(),
                pipeline: pipeline.map(str::to_string),
            })
        };
        for e in &m.environments {
            add(&mut g, NodeKind::Environment, &e.name, None);
        }
        for s in &m.services {
            add(&mut g, NodeKind::Service, &s.name, None);
        }
        for p in &m.pipelines {
            for j in &p.jobs {
                let kind = if j.deploy.is_some() {
                    NodeKind::Deploy
                } else {
                    NodeKind::Job
                };
                add(&mut g, kind, &j.name, Some(&p.name));
            }
        }
        for r in &m.rollouts {
            add(&mut g, NodeKind::Rollout, &r.name, None);
        }
        for a in &m.alerts {
            add(&mut g, NodeKind::Alert, &a.name, None);
        }
        for s in &m.slos {
            add(&mut g, NodeKind::Slo, &s.name, None);
        }
        for i in &m.infra {
            add(&mut g, NodeKind::Infra, &i.environment, None);
        }
        // (kind, pipeline, name) → node, so linking is not quadratic.
        let index: BTreeMap<(&'static str, Option<String>, String), NodeIndex> = g
            .node_indices()
            .map(|i| ((g[i].kind.word(), g[i].pipeline.clone(), g[i].name.clone()), i))
            .collect();
        let find = |_: &DiGraph<GNode, &'static str>, kind: NodeKind, name: &str, pipeline: Option<&str>| {
            index
                .get(&(kind.word(), pipeline.map(str::to_string), name.to_string()))
                .copied()
        };
        let edge = |g: &mut DiGraph<GNode, &'static str>, a: Option<NodeIndex>, b: Option<NodeIndex>, l| {
            if let (Some(a), Some(b)) = (a, b) {
                g.add_edge(a, b, l);
            }
        };
        for e in &m.environments {
            let me = find(&g, NodeKind::Environment, &e.name, None);
            if let Some(p) = &e.extends {
                let to = find(&g, NodeKind::Environment, p, None);
                edge(&mut g, me, to, "extends");
            }
            if let Some(p) = &e.after {
                let to = find(&g, NodeKind::Environment, p, None);
                edge(&mut g, me, to, "after");
            }
        }
        for p in &m.pipelines {
            for j in &p.jobs {
                let kind = if j.deploy.is_some() {
                    NodeKind::Deploy
                } else {
                    NodeKind::Job
                };
                let me = find(&g, kind, &j.name, Some(&p.name));
                for n in &j.needs {
                    let to = find(&g, NodeKind::Job, n, Some(&p.name))
                        .or_else(|| find(&g, NodeKind::Deploy, n, Some(&p.name)));
                    edge(&mut g, me, to, "needs");
                }
                if let Some(d) = &j.deploy {
                    let env = find(&g, NodeKind::Environment, &d.environment, None);
                    edge(&mut g, me, env, "deploys to");
                    for s in &d.services {
                        let to = find(&g, NodeKind::Service, s, None);
                        edge(&mut g, me, to, "deploys");
                    }
                    for (r, _) in m.deploy_rollouts(d) {
                        let to = find(&g, NodeKind::Rollout, &r.name, None);
                        edge(&mut g, me, to, "with");
                    }
                }
            }
        }
        for r in &m.rollouts {
            let me = find(&g, NodeKind::Rollout, &r.name, None);
            let svc = find(&g, NodeKind::Service, &r.service, None);
            edge(&mut g, me, svc, "rolls out");
            for a in &r.abort_on {
                let to = find(&g, NodeKind::Alert, a, None);
                edge(&mut g, me, to, "aborts on");
            }
        }
        for a in &m.alerts {
            let me = find(&g, NodeKind::Alert, &a.name, None);
            let svc = find(&g, NodeKind::Service, &a.service, None);
            edge(&mut g, me, svc, "watches");
        }
        for s in &m.slos {
            let me = find(&g, NodeKind::Slo, &s.name, None);
            let svc = find(&g, NodeKind::Service, &s.service, None);
            edge(&mut g, me, svc, "measures");
        }
        for i in &m.infra {
            let me = find(&g, NodeKind::Infra, &i.environment, None);
            let env = find(&g, NodeKind::Environment, &i.environment, None);
            edge(&mut g, me, env, "provisions");
        }
        ProjectGraph {
            graph: g,
            pipelines: m.pipelines.iter().map(|p| p.name.clone()).collect(),
        }
    }

    /// The graph of the nodes `keep` keeps and the edges between them.
    pub fn restrict(&self, keep: impl Fn(&GNode) -> bool) -> ProjectGraph {
        let g = &self.graph;
        let mut out: DiGraph<GNode, &'static str> = DiGraph::new();
        let mut at: Vec<Option<NodeIndex>> = vec![None; g.node_count()];
        for i in g.node_indices() {
            if keep(&g[i]) {
                at[i.index()] = Some(out.add_node(g[i].clone()));
            }
        }
        for e in g.edge_indices() {
            if let Some((a, b)) = g.edge_endpoints(e)
                && let (Some(a), Some(b)) = (at[a.index()], at[b.index()])
            {
                out.add_edge(a, b, g[e]);
            }
        }
        let pipelines = self
            .pipelines
            .iter()
            .filter(|p| out.node_weights().any(|n| n.pipeline.as_deref() == Some(p.as_str())))
            .cloned()
            .collect();
        ProjectGraph { graph: out, pipelines }
    }

    /// The node `id` and its neighbours (both ways), with their edges.
    pub fn around(&self, id: &str) -> ProjectGraph {
        let g = &self.graph;
        let Some(me) = g.node_indices().find(|i| g[*i].id == id) else {
            return self.restrict(|_| false);
        };
        let near: std::collections::HashSet<String> = g
            .neighbors_undirected(me)
            .chain([me])
            .map(|i| g[i].id.clone())
            .collect();
        self.restrict(|n| near.contains(&n.id))
    }

    /// Graphviz DOT, pipelines as clusters.
    pub fn dot(&self, title: &str) -> String {
        let g = &self.graph;
        let mut out = format!("digraph {} {{\n", dot_id(title));
        out.push_str("  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
        let line = |n: &GNode| {
            let (shape, style) = match n.kind {
                NodeKind::Environment => ("folder", "filled\", fillcolor=\"#dbeafe"),
                NodeKind::Service => ("component", "filled\", fillcolor=\"#dcfce7"),
                NodeKind::Job => ("box", "rounded"),
                NodeKind::Deploy => ("box", "rounded,bold"),
                NodeKind::Rollout => ("hexagon", "solid"),
                NodeKind::Alert => ("octagon", "filled\", fillcolor=\"#fee2e2"),
                NodeKind::Slo => ("ellipse", "filled\", fillcolor=\"#fef9c3"),
                NodeKind::Infra => ("cylinder", "solid"),
            };
            format!(
                "{} [label={}, shape={shape}, style=\"{style}\"];\n",
                dot_id(&n.id),
                dot_id(&format!("{} {}", n.kind.word(), n.name))
            )
        };
        for n in g.node_weights().filter(|n| n.pipeline.is_none()) {
            out.push_str("  ");
            out.push_str(&line(n));
        }
        for (i, p) in self.pipelines.iter().enumerate() {
            out.push_str(&format!(
                "  subgraph cluster_{i} {{\n    label={};\n    style=rounded;\n",
                dot_id(&format!("pipeline {p}"))
            ));
            for n in g.node_weights().filter(|n| n.pipeline.as_deref() == Some(p)) {
                out.push_str("    ");
                out.push_str(&line(n));
            }
            out.push_str("  }\n");
        }
        for e in g.edge_indices() {
            if let Some((a, b)) = g.edge_endpoints(e) {
                let (a, b, label) = drawn(a, b, g[e]);
                let style = match g[e] {
                    "deploys" => ", style=dashed, color=\"#64748b\"",
                    "watches" | "measures" | "provisions" => ", style=dotted",
                    _ => "",
                };
                out.push_str(&format!(
                    "  {} -> {} [label={}{style}];\n",
                    dot_id(&g[a].id),
                    dot_id(&g[b].id),
                    dot_id(label)
                ));
            }
        }
        out.push_str("}\n");
        out
    }

    /// A Mermaid flowchart, pipelines as subgraphs.
    pub fn mermaid(&self) -> String {
        let g = &self.graph;
        let ids: Vec<String> = g.node_indices().map(|i| format!("n{}", i.index())).collect();
        let mut out = String::from("flowchart LR\n");
        let node = |i: NodeIndex| {
            let n = &g[i];
            let label = mermaid_text(&format!("{} {}", n.kind.word(), n.name));
            let id = &ids[i.index()];
            match n.kind {
                NodeKind::Environment => format!("{id}[/\"{label}\"/]"),
                NodeKind::Service => format!("{id}[[\"{label}\"]]"),
                NodeKind::Job | NodeKind::Deploy => format!("{id}(\"{label}\")"),
                NodeKind::Rollout => format!("{id}{{{{\"{label}\"}}}}"),
                NodeKind::Alert => format!("{id}>\"{label}\"]"),
                NodeKind::Slo => format!("{id}([\"{label}\"])"),
                NodeKind::Infra => format!("{id}[(\"{label}\")]"),
            }
        };
        for i in g.node_indices().filter(|i| g[*i].pipeline.is_none()) {
            out.push_str(&format!("  {}\n", node(i)));
        }
        for (k, p) in self.pipelines.iter().enumerate() {
            out.push_str(&format!(
                "  subgraph p{k}[\"{}\"]\n",
                mermaid_text(&format!("pipeline {p}"))
            ));
            for i in g.node_indices().filter(|i| g[*i].pipeline.as_deref() == Some(p)) {
                out.push_str(&format!("    {}\n", node(i)));
            }
            out.push_str("  end\n");
        }
        for e in g.edge_indices() {
            if let Some((a, b)) = g.edge_endpoints(e) {
                let (a, b, label) = drawn(a, b, g[e]);
                let arrow = match g[e] {
                    "deploys" | "watches" | "measures" | "provisions" => "-.->",
                    _ => "-->",
                };
                out.push_str(&format!(
                    "  {} {arrow}|\"{}\"| {}\n",
                    ids[a.index()],
                    mermaid_text(label),
                    ids[b.index()]
                ));
            }
        }
        out
    }

    pub fn json(&self) -> String {
        let g = &self.graph;
        let nodes: Vec<serde_json::Value> = g
            .node_weights()
            .map(|n| json!({ "id": n.id, "kind": n.kind.word(), "name": n.name, "pipeline": n.pipeline }))
            .collect();
        let edges: Vec<serde_json::Value> = g
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = g.edge_endpoints(e)?;
                Some(json!({ "from": g[a].id, "to": g[b].id, "kind": g[e] }))
            })
            .collect();
        let mut out =
            serde_json::to_string_pretty(&json!({ "version": 1, "nodes": nodes, "edges": edges })).unwrap_or_default();
        out.push('\n');
        out
    }
}

/// How an edge is drawn: `needs` points from the job that runs first to
/// the one that follows ("then"), so pictures read in execution order.
fn drawn(a: NodeIndex, b: NodeIndex, label: &'static str) -> (NodeIndex, NodeIndex, &'static str) {
    if label == "needs" {
        (b, a, "then")
    } else {
        (a, b, label)
    }
}

/// A DOT ID: always a quoted string with `"` and `\` escaped.
fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Text inside Mermaid quotes: `"` as an entity, no line breaks.
fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;").replace(['\n', '\r'], " ")
}
