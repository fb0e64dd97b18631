//! Building the resolved model from the checked tree: `extends` and
//! `in ENV` inheritance, interpolation, template expansion, and every
//! declaration turned into plain model data.
//!
//! Inheritance works on flat maps of attribute paths (`image`,
//! `resources.cpu`, `env.LOG_LEVEL`): an environment takes, per path, the
//! value of the nearest environment up its `extends` chain that sets it; a
//! service in environment E takes, per path, the nearest `in X { }` override
//! along E's chain, else the service's own value.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::names::Symbols;
use super::shape::{Node, ScalarVal, Shape, Val};
use crate::diag::suggest::help_line;
use crate::diag::{Code, Diagnostic, Label};
use crate::model::units::{Duration, Memory};
use crate::model::*;
use crate::schema::{Namespace, Ty};
use crate::source::Span;
use crate::syntax::ast::{Block, BlockLabel, Item, StrLit, StrPart, Value, ValueKind};

/// The most templates one `uses` may expand through.
const MAX_TEMPLATE_DEPTH: usize = 16;

/// A template argument after checking.
#[derive(Clone, Debug)]
enum Arg {
    Text(String),
    Service(String),
    Environment(String),
    List(Vec<String>),
    /// Missing or invalid (already reported): interpolates as empty text
    /// without a second report.
    Missing,
}

impl Arg {
    fn text(&self) -> String {
        match self {
            Arg::Text(t) | Arg::Service(t) | Arg::Environment(t) => t.clone(),
            Arg::List(items) => items.join(","),
            Arg::Missing => String::new(),
        }
    }
}

#[derive(Default)]
struct Scope<'s> {
    params: Option<&'s BTreeMap<String, Arg>>,
    /// Roots left in place for a later stage (`window` in SLO queries).
    keep: &'s [&'s str],
}

pub struct Builder<'n, 'a, 's> {
    pub sym: &'s Symbols<'n, 'a>,
    pub shape: &'s mut Shape,
    pub diags: Vec<Diagnostic>,
    model: Model,
    /// Interpolations already reported (a template expanded many times
    /// reports each of its mistakes once).
    reported: BTreeSet<Span>,
    /// The `uses` being expanded, outermost first, and whether the template
    /// they name is the stdlib's.
    sites: Vec<(Span, String, bool)>,
    /// Each environment's `extends` chain, computed once.
    chains: BTreeMap<String, Vec<String>>,
}

impl<'n, 'a, 's> Builder<'n, 'a, 's> {
    pub fn new(sym: &'s Symbols<'n, 'a>, shape: &'s mut Shape) -> Self {
        Builder {
            sym,
            shape,
            diags: Vec::new(),
            model: Model::default(),
            reported: BTreeSet::new(),
            sites: Vec::new(),
            chains: BTreeMap::new(),
        }
    }

    pub fn build(mut self, user: &'n [Node<'a>], sources: Vec<String>) -> (Model, Vec<Diagnostic>) {
        self.project(sources);
        self.environments(user);
        self.services(user);
        for node in user {
            match node.schema.id {
                "pipeline" => {
                    let p = self.pipeline(node);
                    self.model.pipelines.push(p);
                }
                "rollout" => {
                    if let Some(r) = self.rollout(node) {
                        self.model.rollouts.push(r);
                    }
                }
                "alert" => {
                    let a = self.alert(node);
                    self.model.alerts.push(a);
                }
                "slo" => {
                    let s = self.slo(node);
                    self.model.slos.push(s);
                }
                _ => {}
            }
        }
        self.infra(user);
        let m = &mut self.model;
        m.pipelines.sort_by(|a, b| a.name.cmp(&b.name));
        m.rollouts.sort_by(|a, b| a.name.cmp(&b.name));
        m.alerts.sort_by(|a, b| a.name.cmp(&b.name));
        m.slos.sort_by(|a, b| a.name.cmp(&b.name));
        (self.model, self.diags)
    }

    // ---- values ------------------------------------------------------------

    fn text(&mut self, val: Option<&Val<'a>>, scope: &Scope) -> Option<String> {
        match val? {
            Val::Str(lit) => Some(self.interpolate(lit, scope)),
            Val::Scalar(ScalarVal::Str(lit)) => Some(self.interpolate(lit, scope)),
            Val::Scalar(ScalarVal::Text(t)) => Some(t.clone()),
            Val::Word(w) => Some(w.clone()),
            Val::Ref(i, _) => Some(i.name.clone()),
            Val::Secret(s) => Some(s.clone()),
            Val::Int(i) => Some(i.to_string()),
            Val::Num(n) => Some(n.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Dur(d) => Some(d.to_string()),
            _ => None,
        }
    }

    fn texts(&mut self, val: Option<&Val<'a>>, scope: &Scope) -> Vec<String> {
        match val {
            Some(Val::List(items)) => items.iter().filter_map(|v| self.text(Some(v), scope)).collect(),
            _ => Vec::new(),
        }
    }

    fn interpolate(&mut self, lit: &StrLit, scope: &Scope) -> String {
        let mut out = String::new();
        for part in &lit.parts {
            match part {
                StrPart::Text { text, .. } | StrPart::Gha { text, .. } => out.push_str(text),
                StrPart::Interp { path, span } => {
                    let names: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
                    match self.lookup(&names, scope) {
                        Ok(v) => out.push_str(&v),
                        Err(_) if !self.reported.insert(*span) => {}
                        Err(help) => {
                            let d = match self.sites.iter().find(|s| s.2) {
                                // Inside the stdlib: point at the user's `uses`.
                                Some(_) => {
                                    let (site, name, _) = &self.sites[0];
                                    Diagnostic::new(
                                        Code::UndefinedName,
                                        format!("`uses {name}` needs `${{{}}}`, which is not set", path.dotted()),
                                        Label::new(*site, format!("`{name}` cannot be expanded here")),
                                    )
                                    .with_label(Label::new(*span, "the stdlib template uses it here"))
                                }
                                None => Diagnostic::new(
                                    Code::UndefinedName,
                                    format!("`${{{}}}` does not name anything here", path.dotted()),
                                    Label::new(*span, "cannot be resolved"),
                                ),
                            };
                            self.diags.push(d.with_help(help));
                        }
                    }
                }
            }
        }
        out
    }

    /// The value of `${a.b}` in `scope`, or a help line.
    fn lookup(&self, names: &[&str], scope: &Scope) -> Result<String, String> {
        let root = names.first().copied().unwrap_or("");
        if scope.keep.contains(&root) {
            return Ok(format!("${{{}}}", names.join(".")));
        }
        if root == "project" {
            let p = &self.model.project;
            let field = names.get(1).copied().unwrap_or("");
            let value = match field {
                "name" => Some(p.name.clone()),
                "repo" => Some(p.repo.clone()),
                "registry" => p.registry.clone(),
                // `ghcr.io/acme` → `ghcr.io`: what `docker login` wants.
                "registry_host" => p
                    .registry
                    .as_ref()
                    .map(|r| r.split('/').next().unwrap_or(r).to_string()),
                "owner" => p.owner.clone(),
                "prometheus" => p.prometheus.clone(),
                "description" => p.description.clone(),
                _ => {
                    let fields = [
                        "name",
                        "repo",
                        "registry",
                        "registry_host",
                        "owner",
                        "prometheus",
                        "description",
                    ];
                    return Err(help_line(field, fields).unwrap_or_else(|| {
                        "the project's fields are name, repo, registry, registry_host, owner, prometheus".into()
                    }));
                }
            };
            return value
                .filter(|_| names.len() == 2)
                .ok_or_else(|| format!("set `{}` in the `project` block", field.trim_end_matches("_host")));
        }
        if let Some(params) = scope.params {
            match (params.get(root), names.get(1)) {
                (Some(Arg::Missing), _) => return Ok(String::new()),
                (Some(arg), None) => return Ok(arg.text()),
                (Some(Arg::Service(s)), Some(field)) if names.len() == 2 => {
                    let svc = self.model.service(s).ok_or_else(|| format!("no service `{s}`"))?;
                    return match *field {
                        "name" => Ok(svc.name.clone()),
                        "image" => Ok(svc.base.image.clone()),
                        "port" => svc
                            .base
                            .port
                            .map(|p| p.to_string())
                            .ok_or_else(|| format!("`{s}` sets no port")),
                        "health" => svc
                            .base
                            .health
                            .clone()
                            .ok_or_else(|| format!("`{s}` sets no health path")),
                        _ => Err(format!(
                            "a service has `name`, `image`, `port` and `health`, not `{field}`"
                        )),
                    };
                }
                (Some(Arg::Environment(e)), Some(field)) if names.len() == 2 => {
                    let env = self
                        .model
                        .environment(e)
                        .ok_or_else(|| format!("no environment `{e}`"))?;
                    let value = match *field {
                        "name" => Some(env.name.clone()),
                        "namespace" => env.namespace.clone(),
                        "cluster" => env.cluster.clone(),
                        "region" => env.region.clone(),
                        _ => {
                            return Err(format!(
                                "an environment has `name`, `namespace`, `cluster` and `region`, not `{field}`"
                            ));
                        }
                    };
                    return value.ok_or_else(|| format!("environment `{e}` sets no `{field}`"));
                }
                _ => {}
            }
            let mut roots: Vec<&str> = params.keys().map(String::as_str).collect();
            roots.push("project");
            return Err(help_line(root, &roots).unwrap_or_else(|| {
                format!(
                    "in a template, `${{...}}` names a parameter ({}) or `project.FIELD`",
                    roots.join(", ")
                )
            }));
        }
        Err(help_line(root, ["project"]).unwrap_or_else(|| "here `${...}` can name `project.FIELD`".into()))
    }

    fn duration(&self, val: Option<&Val<'a>>, default: u64) -> Duration {
        match val {
            Some(Val::Dur(d)) => d.clone(),
            _ => Duration::from_secs(default),
        }
    }

    fn int(val: Option<&Val<'a>>) -> Option<i64> {
        match val {
            Some(Val::Int(i)) => Some(*i),
            _ => None,
        }
    }

    fn bool(val: Option<&Val<'a>>, default: bool) -> bool {
        match val {
            Some(Val::Bool(b)) => *b,
            _ => default,
        }
    }

    /// Free attributes of a child block as text (`env { }`, `labels { }`);
    /// `secret("NAME")` becomes the workflow expression that reads it.
    fn map(&mut self, node: Option<&Node<'a>>, scope: &Scope) -> IndexMap<String, String> {
        let mut out = IndexMap::new();
        if let Some(node) = node {
            for (k, a) in &node.attrs {
                let v = match &a.val {
                    Val::Secret(name) => Some(format!("${{{{ secrets.{} }}}}", github_secret_name(name))),
                    other => self.text(Some(other), scope),
                };
                if let Some(v) = v {
                    out.insert((*k).to_string(), v);
                }
            }
        }
        out
    }

    // ---- project and environments -------------------------------------------

    fn project(&mut self, sources: Vec<String>) {
        let scope = Scope::default();
        let mut p = Project {
            sources,
            ..Project::default()
        };
        if let Some(node) = self.sym.project {
            p.name = node.label().to_string();
            // `project.*` may not refer to itself; resolve plain fields first.
            p.repo = self.text(node.get("repo"), &scope).unwrap_or_default();
            p.registry = self.text(node.get("registry"), &scope);
            p.owner = self.text(node.get("owner"), &scope);
            p.prometheus = self.text(node.get("prometheus"), &scope);
            p.secret_store = self.text(node.get("secret_store"), &scope);
            p.description = self.text(node.get("description"), &scope);
        }
        self.model.project = p;
    }

    /// The environment and the ones it extends, nearest first (stops at a
    /// cycle, which the graph pass reports).
    pub fn chain(&self, env: &str) -> Vec<String> {
        if let Some(c) = self.chains.get(env) {
            return c.clone();
        }
        let mut out: Vec<String> = Vec::new();
        let mut cur = Some(env.to_string());
        while let Some(name) = cur {
            if out.contains(&name) {
                break;
            }
            let next = self
                .sym
                .get(Namespace::Environment, &name)
                .and_then(|d| match d.node.get("extends") {
                    Some(Val::Ref(i, _)) => Some(i.name.clone()),
                    _ => None,
                });
            out.push(name);
            cur = next;
        }
        out
    }

    fn environments(&mut self, user: &'n [Node<'a>]) {
        let scope = Scope::default();
        let envs: Vec<&Node> = user.iter().filter(|n| n.schema.id == "environment").collect();
        let chains: BTreeMap<String, Vec<String>> = envs
            .iter()
            .map(|n| (n.label().to_string(), self.chain(n.label())))
            .collect();
        self.chains = chains;
        let mut built = Vec::new();
        for node in &envs {
            let name = node.label().to_string();
            let chain = self.chain(&name);
            let get = |attr: &str| -> Option<&Val<'a>> {
                chain
                    .iter()
                    .find_map(|e| self.sym.get(Namespace::Environment, e).and_then(|d| d.node.get(attr)))
            };
            let secret_store = get("secret_store").cloned();
            let (after, approval, cluster, namespace, region, url, prometheus) = (
                get("after").cloned(),
                get("approval").cloned(),
                get("cluster").cloned(),
                get("namespace").cloned(),
                get("region").cloned(),
                get("url").cloned(),
                get("prometheus").cloned(),
            );
            let extends = match node.get("extends") {
                Some(Val::Ref(i, _)) => Some(i.name.clone()),
                _ => None,
            };
            built.push(Environment {
                name,
                extends,
                after: self.text(after.as_ref(), &scope),
                approval: matches!(approval, Some(Val::Word(ref w)) if w == "required"),
                cluster: self.text(cluster.as_ref(), &scope),
                namespace: self.text(namespace.as_ref(), &scope),
                region: self.text(region.as_ref(), &scope),
                url: self.text(url.as_ref(), &scope),
                prometheus: self.text(prometheus.as_ref(), &scope),
                secret_store: self.text(secret_store.as_ref(), &scope),
                span: node.label_span(),
            });
        }
        // Every environment after the one it extends (a longer chain is a
        // deeper environment); ties in source order (the sort is stable).
        let mut ordered = built;
        ordered.sort_by_key(|e| self.chains.get(&e.name).map_or(0, Vec::len));
        self.model.environments = ordered;
    }

    // ---- services ------------------------------------------------------------

    fn flat(&self, node: &Node<'a>, out: &mut BTreeMap<String, Val<'a>>) {
        for (k, a) in &node.attrs {
            out.insert((*k).to_string(), a.val.clone());
        }
        for child in &node.children {
            if child.schema.id == "service.in" {
                continue;
            }
            for (k, a) in &child.attrs {
                out.insert(format!("{}.{k}", child.schema.kind), a.val.clone());
            }
        }
    }

    fn services(&mut self, user: &'n [Node<'a>]) {
        let env_names: Vec<String> = self.model.environments.iter().map(|e| e.name.clone()).collect();
        let mut services = Vec::new();
        for node in user.iter().filter(|n| n.schema.id == "service") {
            let mut base = BTreeMap::new();
            self.flat(node, &mut base);
            let mut overrides: BTreeMap<String, BTreeMap<String, Val<'a>>> = BTreeMap::new();
            for o in node.children_of("service.in") {
                let mut m = BTreeMap::new();
                self.flat(o, &mut m);
                overrides.insert(o.label().to_string(), m);
            }
            let base_cfg = self.config(&base);
            let mut per_env = BTreeMap::new();
            for env in &env_names {
                let chain = self.chain(env);
                let mut merged = base.clone();
                // Farthest first, so nearer overrides win.
                for e in chain.iter().rev() {
                    if let Some(m) = overrides.get(e) {
                        merged.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
                per_env.insert(env.clone(), self.config(&merged));
            }
            services.push(Service {
                source: String::new(),
                name: node.label().to_string(),
                base: base_cfg,
                per_env,
                span: node.label_span(),
            });
        }
        services.sort_by(|a, b| a.name.cmp(&b.name));
        self.model.services = services;
    }

    fn config(&mut self, m: &BTreeMap<String, Val<'a>>) -> ServiceConfig {
        let scope = Scope::default();
        let mut env = IndexMap::new();
        let mut secrets = IndexMap::new();
        for (k, v) in m {
            if let Some(var) = k.strip_prefix("env.") {
                if let Some(t) = self.text(Some(v), &scope) {
                    env.insert(var.to_string(), t);
                }
            } else if let (Some(var), Val::Secret(s)) = (k.strip_prefix("secrets."), v) {
                secrets.insert(var.to_string(), s.clone());
            }
        }
        let autoscale = ["autoscale.min", "autoscale.max", "autoscale.cpu"]
            .iter()
            .any(|k| m.contains_key(*k))
            .then(|| {
                let min = Self::int(m.get("autoscale.min")).unwrap_or(1).max(1) as u32;
                Autoscale {
                    min,
                    max: Self::int(m.get("autoscale.max")).map_or(min, |v| v as u32),
                    cpu: match m.get("autoscale.cpu") {
                        Some(Val::Pct(p)) => Some(*p),
                        _ => None,
                    },
                }
            });
        ServiceConfig {
            image: self.text(m.get("image"), &scope).unwrap_or_default(),
            port: Self::int(m.get("port")).and_then(|p| u16::try_from(p).ok()),
            health: self.text(m.get("health"), &scope),
            replicas: Self::int(m.get("replicas")).map_or(1, |r| r.max(0) as u32),
            command: self.texts(m.get("command"), &scope),
            team: self.text(m.get("team"), &scope),
            cpu: match m.get("resources.cpu") {
                Some(Val::Cpu(c)) => Some(*c),
                _ => None,
            },
            cpu_limit: match m.get("resources.cpu_limit") {
                Some(Val::Cpu(c)) => Some(*c),
                _ => None,
            },
            memory: match m.get("resources.memory") {
                Some(Val::Mem(mem)) => Some(mem.clone()),
                _ => None,
            },
            env,
            secrets,
            autoscale,
        }
    }

    // ---- pipelines -----------------------------------------------------------

    fn pipeline(&mut self, node: &Node<'a>) -> Pipeline {
        let scope = Scope::default();
        let mut triggers = Vec::new();
        let mut jobs = Vec::new();
        for child in &node.children {
            match child.schema.id {
                "pipeline.on:push" | "pipeline.on:pull_request" => {
                    let branches = self.texts(child.get("branches"), &scope);
                    let paths = self.texts(child.get("paths"), &scope);
                    let paths_ignore = self.texts(child.get("paths_ignore"), &scope);
                    triggers.push(if child.schema.id.ends_with("push") {
                        Trigger::Push {
                            branches,
                            paths,
                            paths_ignore,
                        }
                    } else {
                        Trigger::PullRequest {
                            branches,
                            paths,
                            paths_ignore,
                        }
                    });
                }
                "pipeline.on:schedule" => {
                    let span = child
                        .attrs
                        .get("cron")
                        .map_or(child.label_span(), |a| a.attr.value.span);
                    let cron = self.text(child.get("cron"), &scope).unwrap_or_default();
                    triggers.push(Trigger::Schedule { cron, span });
                }
                "pipeline.on:tag" => triggers.push(Trigger::Tag {
                    pattern: self.text(child.get("pattern"), &scope).unwrap_or_default(),
                }),
                "pipeline.on:manual" => {
                    let mut inputs = Vec::new();
                    for i in child.children_of("pipeline.on.input") {
                        inputs.push(Input {
                            name: i.label().to_string(),
                            description: self.text(i.get("description"), &scope),
                            ty: self.text(i.get("type"), &scope).unwrap_or_else(|| "string".into()),
                            default: self.text(i.get("default"), &scope),
                            required: Self::bool(i.get("required"), false),
                            options: self.texts(i.get("options"), &scope),
                        });
                    }
                    triggers.push(Trigger::Manual { inputs });
                }
                "pipeline.job" | "pipeline.deploy" => jobs.push(self.job(child)),
                _ => {}
            }
        }
        Pipeline {
            name: node.label().to_string(),
            source: String::new(),
            triggers,
            jobs: order_jobs(jobs),
            span: node.label_span(),
        }
    }

    fn job(&mut self, node: &Node<'a>) -> Job {
        let scope = Scope::default();
        let deploy = (node.schema.id == "pipeline.deploy").then(|| Deploy {
            environment: node.label().to_string(),
            services: self.texts(node.get("services"), &scope),
            rollout: self.text(node.get("rollout"), &scope),
            span: node.label_span(),
            rollout_span: node
                .attrs
                .get("rollout")
                .map_or(node.label_span(), |a| a.attr.value.span),
        });
        let mut steps = Vec::new();
        let mut permissions = BTreeMap::new();
        for child in &node.children {
            match child.schema.id {
                "step.run" => steps.push(self.run_step(child, &scope)),
                "step.uses" => {
                    let mut stack = Vec::new();
                    self.uses_step(child, &scope, &mut stack, &mut steps, &mut permissions);
                }
                _ => {}
            }
        }
        let mut matrix = IndexMap::new();
        if let Some(m) = node.child("pipeline.job.matrix") {
            for (k, a) in &m.attrs {
                matrix.insert((*k).to_string(), self.texts(Some(&a.val), &scope));
            }
        }
        Job {
            name: node.label().to_string(),
            deploy,
            needs: self.texts(node.get("needs"), &scope),
            runs_on: self
                .text(node.get("runs_on"), &scope)
                .unwrap_or_else(|| "ubuntu-latest".into()),
            timeout: self.duration(node.get("timeout"), 30 * 60),
            condition: self.text(node.get("if"), &scope),
            env: self.map(node.child("pipeline.job.env"), &scope),
            matrix,
            containers: self.map(node.child("pipeline.job.services"), &scope),
            steps,
            permissions,
            span: node.label_span(),
        }
    }

    fn run_step(&mut self, node: &Node<'a>, scope: &Scope) -> Step {
        let (script, exprs) = match node.block.labels.first() {
            Some(BlockLabel::Str(lit)) => {
                let exprs = lit
                    .parts
                    .iter()
                    .filter_map(|p| match p {
                        StrPart::Gha { text, span } => Some((text.clone(), *span)),
                        _ => None,
                    })
                    .collect();
                (self.interpolate(lit, scope), exprs)
            }
            _ => (String::new(), Vec::new()),
        };
        Step::Run {
            name: self.text(node.get("name"), scope),
            script,
            condition: self.text(node.get("if"), scope),
            shell: self.text(node.get("shell"), scope),
            working_directory: self.text(node.get("working_directory"), scope),
            continue_on_error: Self::bool(node.get("continue_on_error"), false),
            env: self.map(node.child("step.env"), scope),
            exprs,
            span: node.header_span(),
        }
    }

    /// Expands `uses`: an action becomes one step, a template its steps.
    fn uses_step(
        &mut self,
        node: &Node<'a>,
        scope: &Scope,
        stack: &mut Vec<String>,
        steps: &mut Vec<Step>,
        permissions: &mut BTreeMap<String, String>,
    ) {
        match node.block.labels.first() {
            Some(BlockLabel::Str(lit)) => {
                let uses = self.interpolate(lit, scope);
                for (k, a) in &node.attrs {
                    if !matches!(*k, "name" | "version" | "if") {
                        self.diags.push(
                            Diagnostic::new(
                                Code::UnknownAttribute,
                                format!("an action step has no attribute `{k}`"),
                                Label::new(a.attr.name.span, "unknown here"),
                            )
                            .with_help(
                                help_line(k, ["name", "version", "if"]).unwrap_or_else(|| {
                                    format!("pass action inputs in a `with` block: `with {{ {k} = ... }}`")
                                }),
                            ),
                        );
                    }
                }
                let version = self.raw_text(node.attrs.get("version").map(|a| &a.val), scope);
                let name = self.raw_text(node.attrs.get("name").map(|a| &a.val), scope);
                let condition = self.raw_text(node.attrs.get("if").map(|a| &a.val), scope);
                steps.push(Step::Action {
                    name,
                    uses,
                    version,
                    condition,
                    with: self.map(node.child("step.with"), scope),
                    env: self.map(node.child("step.env"), scope),
                    span: node.header_span(),
                });
            }
            Some(BlockLabel::Ident(t)) => self.expand(node, &t.name, t.span, scope, stack, steps, permissions),
            None => {}
        }
    }

    fn raw_text(&mut self, val: Option<&Val<'a>>, scope: &Scope) -> Option<String> {
        match val? {
            Val::Raw(v) => match &v.kind {
                ValueKind::Str(lit) => Some(self.interpolate(lit, scope)),
                ValueKind::Number { text, .. } | ValueKind::Unit { text, .. } => Some(text.clone()),
                ValueKind::Bool(b) => Some(b.to_string()),
                _ => {
                    self.diags.push(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            format!("expected a string, but {} was given", super::shape::describe(v)),
                            Label::new(v.span, "not a string"),
                        )
                        .with_help("put the text in quotes"),
                    );
                    None
                }
            },
            other => self.text(Some(other), scope),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn expand(
        &mut self,
        uses: &Node<'a>,
        name: &str,
        span: Span,
        scope: &Scope,
        stack: &mut Vec<String>,
        steps: &mut Vec<Step>,
        permissions: &mut BTreeMap<String, String>,
    ) {
        let Some(decl) = self.sym.get(Namespace::Template, name).copied() else {
            return; // reported by the names pass
        };
        if stack.iter().any(|s| s == name) || stack.len() >= MAX_TEMPLATE_DEPTH {
            let mut d = Diagnostic::new(
                Code::DependencyCycle,
                format!("template `{name}` uses itself through {}", stack.join(" → ")),
                Label::new(span, format!("`{name}` is used again here")),
            )
            .with_help("break the cycle: a template must not use itself, directly or through others");
            for s in stack.iter() {
                if let Some(t) = self.sym.get(Namespace::Template, s) {
                    d = d.with_label(Label::new(t.span, format!("`{s}` is part of the cycle")));
                }
            }
            self.diags.push(d);
            return;
        }
        let template = decl.node;
        self.sites.push((uses.header_span(), name.to_string(), decl.stdlib));
        let args = self.arguments(uses, template, name, scope);
        stack.push(name.to_string());
        let inner = Scope {
            params: Some(&args),
            keep: &[],
        };
        if let Some(p) = template.child("template.permissions") {
            for (k, a) in &p.attrs {
                if let Val::Word(level) = &a.val {
                    let entry = permissions.entry((*k).to_string()).or_insert_with(|| level.clone());
                    if level == "write" {
                        *entry = level.clone();
                    }
                }
            }
        }
        for child in &template.children {
            match child.schema.id {
                "step.run" => steps.push(self.run_step(child, &inner)),
                "step.uses" => self.uses_step(child, &inner, stack, steps, permissions),
                _ => {}
            }
        }
        stack.pop();
        self.sites.pop();
    }

    /// Checks the arguments of `uses` against the template's parameters.
    fn arguments(&mut self, uses: &Node<'a>, template: &Node<'a>, name: &str, scope: &Scope) -> BTreeMap<String, Arg> {
        let params: Vec<&Node<'a>> = template.children_of("template.param").collect();
        let param_names: Vec<&str> = params.iter().map(|p| p.label()).collect();
        for (k, a) in &uses.attrs {
            if !param_names.contains(k) {
                let mut d = Diagnostic::new(
                    Code::UnknownAttribute,
                    format!("template `{name}` has no parameter `{k}`"),
                    Label::new(a.attr.name.span, "unknown parameter"),
                );
                d.help = help_line(k, &param_names).or_else(|| {
                    Some(if param_names.is_empty() {
                        format!("`{name}` takes no parameters")
                    } else {
                        format!("its parameters are {}", super::shape::quote_list(&param_names))
                    })
                });
                self.diags.push(d);
            }
        }
        let mut args = BTreeMap::new();
        for p in params {
            let pname = p.label().to_string();
            let kind = match p.get("type") {
                Some(Val::Word(w)) => w.clone(),
                _ => "string".to_string(),
            };
            let given: Option<&'a Value> = uses.attrs.get(pname.as_str()).map(|a| &a.attr.value);
            let default_scope = Scope::default();
            let (value, value_scope) = match (given, p.get("default")) {
                (Some(v), _) => (Some(v), scope),
                (None, Some(Val::Raw(d))) => (Some(*d), &default_scope),
                (None, _) => {
                    let about = self
                        .text(p.get("description"), &Scope::default())
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default();
                    self.diags.push(
                        Diagnostic::new(
                            Code::MissingAttribute,
                            format!("`uses {name}` is missing the argument `{pname}`"),
                            Label::new(uses.header_span(), format!("`{pname}` must be given here")),
                        )
                        .with_help(format!(
                            "add `{pname} = ...` in the braces: `uses {name} {{ {pname} = ... }}`{about}"
                        )),
                    );
                    args.insert(pname, Arg::Missing);
                    continue;
                }
            };
            let Some(value) = value else { continue };
            let arg = self.argument(value, &kind, &pname, value_scope).unwrap_or(Arg::Missing);
            args.insert(pname, arg);
        }
        args
    }

    fn argument(&mut self, v: &'a Value, kind: &str, name: &str, scope: &Scope) -> Option<Arg> {
        let ty = match kind {
            "number" => Ty::Number,
            "bool" => Ty::Bool,
            "duration" => Ty::Duration,
            "service" => Ty::Ref(Namespace::Service),
            "environment" => Ty::Ref(Namespace::Environment),
            "list" => Ty::List(Box::new(Ty::Scalar)),
            _ => Ty::Scalar,
        };
        let checked = self.shape.typed(v, &ty, name, true);
        self.diags.append(&mut self.shape.diags);
        Some(match checked? {
            Val::Ref(i, Namespace::Service) => Arg::Service(i.name.clone()),
            Val::Ref(i, Namespace::Environment) => Arg::Environment(i.name.clone()),
            Val::List(items) => Arg::List(items.iter().filter_map(|x| self.text(Some(x), scope)).collect()),
            other => Arg::Text(self.text(Some(&other), scope)?),
        })
    }

    // ---- rollouts, alerts, SLOs ------------------------------------------------

    fn rollout(&mut self, node: &Node<'a>) -> Option<Rollout> {
        let scope = Scope::default();
        let canary = node.child("rollout.canary");
        let blue_green = node.child("rollout.blue_green");
        let strategy = match (canary, blue_green) {
            (Some(c), None) => Strategy::Canary {
                steps: c
                    .children_of("rollout.canary.step")
                    .map(|s| CanaryStep {
                        span: s.attrs.get("weight").map_or(s.header_span(), |a| a.attr.value.span),
                        weight: match s.get("weight") {
                            Some(Val::Pct(p)) => *p,
                            _ => 0.0,
                        },
                        pause: match s.get("pause") {
                            Some(Val::Dur(d)) => Pause::For(d.clone()),
                            Some(Val::Word(_)) => Pause::Manual,
                            _ => Pause::None,
                        },
                    })
                    .collect(),
            },
            (None, Some(b)) => Strategy::BlueGreen {
                preview: Self::bool(b.get("preview"), true),
                auto_promote: Self::bool(b.get("auto_promote"), false),
                scale_down_delay: self.duration(b.get("scale_down_delay"), 30),
            },
            (Some(c), Some(b)) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::MalformedBlock,
                        format!("`{}` has both `canary` and `blue_green`", node.header()),
                        Label::new(b.header_span(), "second strategy"),
                    )
                    .with_label(Label::new(c.header_span(), "first strategy"))
                    .with_help("a rollout has one strategy; keep `canary` or `blue_green`"),
                );
                return None;
            }
            (None, None) => {
                if !node.broken {
                    self.diags.push(
                        Diagnostic::new(
                            Code::MissingAttribute,
                            format!("`{}` has no strategy", node.header()),
                            Label::new(node.header_span(), "expected `canary { ... }` or `blue_green { ... }`"),
                        )
                        .with_help("add `canary { step { weight = 10%  pause = 5m } ... }` or `blue_green { }`"),
                    );
                }
                return None;
            }
        };
        Some(Rollout {
            source: String::new(),
            name: node.label().to_string(),
            service: self.text(node.get("service"), &scope).unwrap_or_default(),
            strategy,
            abort_on: self.texts(node.get("abort_on"), &scope),
            span: node.label_span(),
        })
    }

    /// The team of a service's alerts and SLOs: the service's, else the
    /// project owner.
    fn default_team(&mut self, node: &Node<'a>) -> Option<String> {
        let service = self.text(node.get("service"), &Scope::default()).unwrap_or_default();
        self.model
            .service(&service)
            .and_then(|s| s.base.team.clone())
            .or_else(|| self.model.project.owner.clone())
    }

    fn alert(&mut self, node: &Node<'a>) -> Alert {
        let scope = Scope::default();
        let owner = self.default_team(node);
        Alert {
            name: node.label().to_string(),
            service: self.text(node.get("service"), &scope).unwrap_or_default(),
            expr: self.text(node.get("expr"), &scope).unwrap_or_default(),
            for_: self.duration(node.get("for"), 0),
            keep_firing_for: match node.get("keep_firing_for") {
                Some(Val::Dur(d)) => Some(d.clone()),
                _ => None,
            },
            severity: self
                .text(node.get("severity"), &scope)
                .unwrap_or_else(|| "warning".into()),
            summary: self.text(node.get("summary"), &scope),
            description: self.text(node.get("description"), &scope),
            runbook: self.text(node.get("runbook"), &scope),
            team: self.text(node.get("team"), &scope).or(owner),
            labels: self.map(node.child("alert.labels"), &scope),
            source: String::new(),
            expr_span: node.attrs.get("expr").map_or(node.label_span(), |a| a.attr.value.span),
            span: node.label_span(),
        }
    }

    fn slo(&mut self, node: &Node<'a>) -> Slo {
        let scope = Scope::default();
        let keep = Scope {
            params: None,
            keep: &["window"],
        };
        let owner = self.default_team(node);
        Slo {
            name: node.label().to_string(),
            service: self.text(node.get("service"), &scope).unwrap_or_default(),
            objective: match node.get("objective") {
                Some(Val::Pct(p)) => *p,
                _ => 0.0,
            },
            window: self.duration(node.get("window"), 30 * 86_400),
            errors: self.text(node.get("errors"), &keep).unwrap_or_default(),
            total: self.text(node.get("total"), &keep).unwrap_or_default(),
            description: self.text(node.get("description"), &scope),
            team: self.text(node.get("team"), &scope).or(owner),
            source: String::new(),
            errors_span: node
                .attrs
                .get("errors")
                .map_or(node.label_span(), |a| a.attr.value.span),
            total_span: node.attrs.get("total").map_or(node.label_span(), |a| a.attr.value.span),
            objective_span: node
                .attrs
                .get("objective")
                .map_or(node.label_span(), |a| a.attr.value.span),
            span: node.label_span(),
        }
    }

    // ---- infrastructure ----------------------------------------------------------

    fn infra(&mut self, user: &'n [Node<'a>]) {
        let scope = Scope::default();
        let mut out = Vec::new();
        for node in user.iter().filter(|n| n.schema.id == "infra") {
            let provider = node.child("infra.provider:aws");
            let backend = node.child("infra.backend:s3").map(|b| StateBackend {
                bucket: self.text(b.get("bucket"), &scope).unwrap_or_default(),
                key: self.text(b.get("key"), &scope).unwrap_or_default(),
                region: self.text(b.get("region"), &scope),
            });
            let mut infra = Infra {
                source: String::new(),
                environment: node.label().to_string(),
                region: provider.and_then(|p| self.text(p.get("region"), &scope)),
                backend,
                clusters: Vec::new(),
                buckets: Vec::new(),
                databases: Vec::new(),
                resources: Vec::new(),
                span: node.label_span(),
            };
            for child in &node.children {
                match child.schema.id {
                    "infra.cluster" => {
                        let (min, max) = match child.get("nodes") {
                            Some(Val::Range(lo, hi)) => match (lo.as_ref(), hi.as_ref()) {
                                (Val::Int(a), Val::Int(b)) => (*a as u32, *b as u32),
                                _ => (2, 5),
                            },
                            _ => (2, 5),
                        };
                        infra.clusters.push(Cluster {
                            name: child.label().to_string(),
                            kind: self.text(child.get("kind"), &scope).unwrap_or_else(|| "eks".into()),
                            version: self.text(child.get("version"), &scope).unwrap_or_default(),
                            min_nodes: min,
                            max_nodes: max,
                            instance: self
                                .text(child.get("instance"), &scope)
                                .unwrap_or_else(|| "t3.large".into()),
                        });
                    }
                    "infra.bucket" => infra.buckets.push(Bucket {
                        name: child.label().to_string(),
                        versioning: Self::bool(child.get("versioning"), true),
                        expire_after: match child.get("expire_after") {
                            Some(Val::Dur(d)) => Some(d.clone()),
                            _ => None,
                        },
                    }),
                    "infra.database" => infra.databases.push(Database {
                        name: child.label().to_string(),
                        engine: self.text(child.get("engine"), &scope).unwrap_or_default(),
                        version: self.text(child.get("version"), &scope).unwrap_or_default(),
                        size: self
                            .text(child.get("size"), &scope)
                            .unwrap_or_else(|| "db.t3.medium".into()),
                        storage: match child.get("storage") {
                            Some(Val::Mem(m)) => m.clone(),
                            _ => Memory {
                                bytes: 20 << 30,
                                text: "20Gi".into(),
                            },
                        },
                        backups: self.duration(child.get("backups"), 7 * 86_400),
                    }),
                    "infra.resource" => {
                        let labels = &child.labels;
                        infra.resources.push(RawResource {
                            ty: labels.first().map(|l| l.0.clone()).unwrap_or_default(),
                            name: labels.get(1).map(|l| l.0.clone()).unwrap_or_default(),
                            body: raw_body(child.block),
                            span: child.header_span(),
                        });
                    }
                    _ => {}
                }
            }
            out.push(infra);
        }
        let order: Vec<String> = self.model.environments.iter().map(|e| e.name.clone()).collect();
        out.sort_by_key(|i| order.iter().position(|e| e == &i.environment).unwrap_or(usize::MAX));
        self.model.infra = out;
    }
}

/// GitHub secret names are letters, digits and `_`: `shop-db-url` is
/// `SHOP_DB_URL`.
pub fn github_secret_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Jobs after every job they need; ties in source order. Needs that form a
/// cycle (reported by the graph pass) are ignored here.
fn order_jobs(jobs: Vec<Job>) -> Vec<Job> {
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut left = jobs;
    let mut out = Vec::new();
    while !left.is_empty() {
        let names: BTreeSet<String> = left.iter().map(|j| j.name.clone()).collect();
        let ready = left
            .iter()
            .position(|j| j.needs.iter().all(|n| done.contains(n) || !names.contains(n)));
        let job = left.remove(ready.unwrap_or(0));
        done.insert(job.name.clone());
        out.push(job);
    }
    out
}

/// A raw Terraform body as JSON: strings keep `${...}` (Terraform
/// references) verbatim; nested blocks become objects (lists of objects when
/// repeated).
pub fn raw_body(block: &Block) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    let Some(body) = &block.body else {
        return serde_json::Value::Object(map);
    };
    let mut nested: IndexMap<String, Vec<serde_json::Value>> = IndexMap::new();
    for item in &body.items {
        match item {
            Item::Attribute(a) => {
                map.insert(a.name.name.clone(), raw_value(&a.value));
            }
            Item::Block(b) => nested.entry(b.kind.name.clone()).or_default().push(raw_body(b)),
            _ => {}
        }
    }
    for (k, mut v) in nested {
        map.insert(
            k,
            if v.len() == 1 {
                v.remove(0)
            } else {
                serde_json::Value::Array(v)
            },
        );
    }
    serde_json::Value::Object(map)
}

fn raw_value(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match &v.kind {
        ValueKind::Str(lit) => {
            let mut s = String::new();
            for p in &lit.parts {
                match p {
                    StrPart::Text { text, .. } | StrPart::Gha { text, .. } => s.push_str(text),
                    StrPart::Interp { path, .. } => s.push_str(&format!("${{{}}}", path.dotted())),
                }
            }
            J::String(s)
        }
        ValueKind::Number { value, text } => {
            if value.fract() == 0.0 && value.abs() < 9e15 {
                J::from(*value as i64)
            } else {
                serde_json::Number::from_f64(*value).map_or(J::String(text.clone()), J::Number)
            }
        }
        ValueKind::Bool(b) => J::Bool(*b),
        ValueKind::List(items) => J::Array(items.iter().map(raw_value).collect()),
        ValueKind::Unit { text, .. } => J::String(text.clone()),
        ValueKind::Ref(p) => J::String(p.dotted()),
        ValueKind::Range(a, b) => J::Array(vec![raw_value(a), raw_value(b)]),
        ValueKind::Call { .. } | ValueKind::Error => J::Null,
    }
}
