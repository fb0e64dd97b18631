//! Pipelines: triggers, jobs (and deploy jobs) in `needs` order, and their
//! steps: scripts, actions, and templates expanded in place.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::{Builder, Scope};
use crate::diag::suggest::help_line;
use crate::diag::{Code, Diagnostic, Label};
use crate::model::{Deploy, Exprs, Input, Job, Pipeline, Step, Trigger};
use crate::schema::{ACTION_STEP_ATTRS, Attr, BlockId};
use crate::sema::tree::{CheckedBlock, Val};
use crate::syntax::ast::{BlockLabel, ValueKind};

impl<'a> Builder<'_, 'a, '_> {
    pub(super) fn pipeline(&mut self, node: &CheckedBlock<'a>) -> Pipeline {
        let mut triggers = Vec::new();
        let mut jobs = Vec::new();
        for child in &node.children {
            if matches!(
                child.schema.id,
                BlockId::OnPush | BlockId::OnPullRequest | BlockId::OnSchedule | BlockId::OnTag | BlockId::OnManual
            ) {
                // Triggers: GitHub reads `on` as it is written.
                let mut exprs = Vec::new();
                written_expressions(child, &mut exprs);
                self.no_expressions(exprs, "`on`: triggers are matched as written");
                self.trigger(child, &mut triggers);
                continue;
            }
            if matches!(child.schema.id, BlockId::Job | BlockId::Deploy) {
                jobs.push(self.job(child));
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

    /// The trigger `child` declares, if it is one.
    fn trigger(&mut self, child: &CheckedBlock<'a>, triggers: &mut Vec<Trigger>) {
        match child.schema.id {
            BlockId::OnPush | BlockId::OnPullRequest => {
                let branches = self.attr_texts(child, Attr::Branches);
                let paths = self.attr_texts(child, Attr::Paths);
                let paths_ignore = self.attr_texts(child, Attr::PathsIgnore);
                triggers.push(if child.is(BlockId::OnPush) {
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
            BlockId::OnSchedule => {
                let span = child.value_span(Attr::Cron).unwrap_or(child.label_span());
                let cron = self.attr_text(child, Attr::Cron).unwrap_or_default();
                triggers.push(Trigger::Schedule { cron, span });
            }
            BlockId::OnTag => triggers.push(Trigger::Tag {
                pattern: self.attr_text(child, Attr::Pattern).unwrap_or_default(),
            }),
            BlockId::OnManual => {
                let mut inputs = Vec::new();
                for i in child.children_of(BlockId::ManualInput) {
                    inputs.push(Input {
                        name: i.label().to_string(),
                        description: self.attr_text(i, Attr::Description),
                        ty: self.attr_text(i, Attr::Type).unwrap_or_default(),
                        default: self.attr_text(i, Attr::Default),
                        required: Self::bool(i.value(Attr::Required)),
                        options: self.attr_texts(i, Attr::Options),
                    });
                }
                triggers.push(Trigger::Manual { inputs });
            }
            _ => {}
        }
    }

    /// Reports each GitHub expression written where GitHub evaluates none.
    fn no_expressions(&mut self, exprs: Exprs, place: &str) {
        for (text, span) in exprs {
            self.diags.push(
                Diagnostic::new(
                    Code::ExpressionNotAllowed,
                    format!("GitHub evaluates no expression in {place}"),
                    Label::new(span, format!("`{text}` would be rejected or read as text")),
                )
                .with_help("write the value itself; to choose it at run time, choose between steps or jobs with `if`"),
            );
        }
    }

    fn job(&mut self, node: &CheckedBlock<'a>) -> Job {
        // What GitHub evaluates: literal `${{` escaped, expressions recorded.
        let scope = Scope::workflow();
        let deploy = node.is(BlockId::Deploy).then(|| Deploy {
            environment: node.label().to_string(),
            services: self.attr_texts(node, Attr::Services),
            rollout: self.attr_text(node, Attr::Rollout),
            span: node.label_span(),
            rollout_span: node.value_span(Attr::Rollout).unwrap_or(node.label_span()),
        });
        let mut steps = Vec::new();
        let mut permissions = BTreeMap::new();
        for child in &node.children {
            match child.schema.id {
                BlockId::Run => steps.push(self.run_step(child, &scope)),
                BlockId::Uses => {
                    let mut stack = Vec::new();
                    self.uses_step(child, &scope, &mut stack, &mut steps, &mut permissions);
                }
                _ => {}
            }
        }
        let (matrix, matrix_exprs) = self.capture(|b| {
            let mut matrix = IndexMap::new();
            if let Some(m) = node.child(BlockId::JobMatrix) {
                for (k, a) in &m.attrs {
                    matrix.insert((*k).to_string(), b.texts(Some(&a.val), &scope));
                }
            }
            matrix
        });
        let (env, env_exprs) = self.capture(|b| b.map(node.child(BlockId::JobEnv), &scope));
        // A deploy job has no `runs_on` of its own: the job's default.
        let runs_on = match node.schema.attr_schema(Attr::RunsOn) {
            Some(_) => node.value(Attr::RunsOn),
            None => crate::sema::tree::default(BlockId::Job, Attr::RunsOn),
        };
        let ((runs_on, condition, containers), _) = self.capture(|b| {
            (
                b.text(runs_on, &scope).unwrap_or_default(),
                b.text(node.value(Attr::If), &scope),
                b.map(node.child(BlockId::JobServices), &scope),
            )
        });
        Job {
            name: node.label().to_string(),
            deploy,
            needs: self.attr_texts(node, Attr::Needs),
            runs_on,
            timeout: Self::duration(node.value(Attr::Timeout)),
            condition,
            env,
            matrix,
            containers,
            steps,
            permissions,
            env_exprs,
            matrix_exprs,
            span: node.label_span(),
        }
    }

    pub(super) fn run_step(&mut self, node: &CheckedBlock<'a>, scope: &Scope) -> Step {
        // Every expression that ends up in the script, however it got there
        // (written here, a template argument, a project field).
        let (script, exprs) = self.capture(|b| match node.block.labels.first() {
            Some(BlockLabel::Str(lit)) => b.interpolate(lit, scope),
            _ => String::new(),
        });
        let (env, env_exprs) = self.capture(|b| b.map(node.child(BlockId::StepEnv), scope));
        let ((name, condition, working_directory), _) = self.capture(|b| {
            (
                b.text(node.value(Attr::Name), scope),
                b.text(node.value(Attr::If), scope),
                b.text(node.value(Attr::WorkingDirectory), scope),
            )
        });
        let (shell, exprs_in_shell) = self.capture(|b| b.text(node.value(Attr::Shell), scope));
        self.no_expressions(exprs_in_shell, "a step's `shell`");
        Step::Run {
            name,
            script,
            condition,
            shell,
            working_directory,
            continue_on_error: Self::bool(node.value(Attr::ContinueOnError)),
            env,
            exprs,
            env_exprs,
            span: node.header_span(),
        }
    }

    /// Expands `uses`: an action becomes one step, a template its steps.
    pub(super) fn uses_step(
        &mut self,
        node: &CheckedBlock<'a>,
        scope: &Scope,
        stack: &mut Vec<String>,
        steps: &mut Vec<Step>,
        permissions: &mut BTreeMap<String, String>,
    ) {
        match node.block.labels.first() {
            Some(BlockLabel::Str(lit)) => {
                // GitHub evaluates no expression in `uses`, nor in the
                // version comment: literal text.
                let literal = Scope {
                    params: scope.params,
                    keep: scope.keep,
                    workflow: false,
                    in_project: scope.in_project,
                };
                let uses = self.interpolate(lit, &literal);
                let allowed: Vec<&str> = ACTION_STEP_ATTRS.iter().map(|a| a.as_str()).collect();
                for (k, a) in &node.attrs {
                    if !allowed.contains(k) {
                        self.diags.push(
                            Diagnostic::new(
                                Code::UnknownAttribute,
                                format!("an action step has no attribute `{k}`"),
                                Label::new(a.attr.name.span, "unknown here"),
                            )
                            .with_help(help_line(k, &allowed).unwrap_or_else(|| {
                                format!("pass action inputs in a `with` block: `with {{ {k} = ... }}`")
                            })),
                        );
                    }
                }
                let version = self.raw_text(node.get(Attr::Version), &literal);
                let (name, _) = self.capture(|b| b.raw_text(node.get(Attr::Name), scope));
                // The version becomes a comment after the reference, the
                // name a step's name: one line each.
                for (attr, text) in [(Attr::Version, &version), (Attr::Name, &name)] {
                    if let (Some(text), Some(at)) = (text, node.value_span(attr))
                        && let Some(c) = text.chars().find(|c| c.is_control() && *c != '\t')
                    {
                        self.diags.push(crate::sema::shape::not_one_line(attr.as_str(), c, at));
                    }
                }
                let (condition, _) = self.capture(|b| b.raw_text(node.get(Attr::If), scope));
                let (with, with_exprs) = self.capture(|b| b.map(node.child(BlockId::With), scope));
                let (env, env_exprs) = self.capture(|b| b.map(node.child(BlockId::StepEnv), scope));
                steps.push(Step::Action {
                    name,
                    uses,
                    version,
                    condition,
                    with,
                    env,
                    with_exprs,
                    env_exprs,
                    span: node.header_span(),
                });
            }
            Some(BlockLabel::Ident(t)) => self.expand(node, &t.name, t.span, scope, stack, steps, permissions),
            None => {}
        }
    }

    /// An action step's attribute (unchecked until now: a `uses` block
    /// takes a template's arguments too) as text.
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
                            format!("expected a string, but {} was given", crate::sema::shape::describe(v)),
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
}

/// The `${{ ... }}` written in the values of `node` and its blocks.
fn written_expressions(node: &CheckedBlock<'_>, out: &mut Exprs) {
    fn walk(v: &Val<'_>, out: &mut Exprs) {
        match v {
            Val::Str(lit) | Val::Scalar(crate::sema::tree::ScalarVal::Str(lit)) => {
                for part in &lit.parts {
                    if let crate::syntax::ast::StrPart::Gha { text, span } = part {
                        out.push((text.clone(), *span));
                    }
                }
            }
            Val::List(items) => items.iter().for_each(|i| walk(i, out)),
            Val::Range(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            _ => {}
        }
    }
    for a in node.attrs.values() {
        walk(&a.val, out);
    }
    for c in &node.children {
        written_expressions(c, out);
    }
}

/// Jobs after every job they need; ties in source order. Needs that form a
/// cycle (reported by the relations pass) are ignored here: when no job is
/// ready, the first one left goes next. Linear (Kahn's algorithm with the
/// ready jobs by source position).
fn order_jobs(jobs: Vec<Job>) -> Vec<Job> {
    use std::cmp::Reverse;
    use std::collections::{BinaryHeap, HashMap};
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, j) in jobs.iter().enumerate() {
        by_name.entry(j.name.as_str()).or_default().push(i);
    }
    // A need is met once a job of that name is done (names are unique but
    // in projects with errors); a need of no job is met.
    let mut waiting = vec![0usize; jobs.len()];
    let mut needs: Vec<(usize, bool)> = Vec::new();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); jobs.len()];
    for (i, j) in jobs.iter().enumerate() {
        for need in &j.needs {
            let Some(named) = by_name.get(need.as_str()) else {
                continue;
            };
            waiting[i] += 1;
            for &k in named {
                dependents[k].push(needs.len());
            }
            needs.push((i, false));
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..jobs.len()).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut done = vec![false; jobs.len()];
    let mut order = Vec::with_capacity(jobs.len());
    let mut first_left = 0;
    while order.len() < jobs.len() {
        let next = match ready.pop() {
            Some(Reverse(i)) if done[i] => continue,
            Some(Reverse(i)) => i,
            None => {
                // Only a cycle is left: the first job left goes next.
                while done[first_left] {
                    first_left += 1;
                }
                first_left
            }
        };
        done[next] = true;
        order.push(next);
        for &n in &dependents[next] {
            let (d, met) = &mut needs[n];
            if std::mem::replace(met, true) {
                continue;
            }
            waiting[*d] -= 1;
            if waiting[*d] == 0 && !done[*d] {
                ready.push(Reverse(*d));
            }
        }
    }
    let mut slots: Vec<Option<Job>> = jobs.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Duration;
    use crate::source::{FileId, Span};

    fn job(name: &str, needs: &[&str]) -> Job {
        Job {
            name: name.to_string(),
            deploy: None,
            needs: needs.iter().map(|n| n.to_string()).collect(),
            runs_on: String::new(),
            timeout: Duration::from_secs(60),
            condition: None,
            env: IndexMap::new(),
            matrix: IndexMap::new(),
            containers: IndexMap::new(),
            steps: Vec::new(),
            permissions: BTreeMap::new(),
            env_exprs: Vec::new(),
            matrix_exprs: Vec::new(),
            span: Span::new(FileId(0), 0, 0),
        }
    }

    /// The definition: repeatedly the first job left whose needs are all
    /// done or name no job left; the first job left when none is.
    fn plain_order(jobs: Vec<Job>) -> Vec<String> {
        let mut done: std::collections::BTreeSet<String> = Default::default();
        let mut left = jobs;
        let mut out = Vec::new();
        while !left.is_empty() {
            let names: std::collections::BTreeSet<String> = left.iter().map(|j| j.name.clone()).collect();
            let ready = left
                .iter()
                .position(|j| j.needs.iter().all(|n| done.contains(n) || !names.contains(n)));
            let job = left.remove(ready.unwrap_or(0));
            done.insert(job.name.clone());
            out.push(job.name);
        }
        out
    }

    #[test]
    fn order_is_the_plain_definition_on_random_graphs() {
        let mut seed = 11u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..3000 {
            let n = 1 + next(9) as usize;
            // Names may repeat, needs may be missing, self-needs and cycles happen.
            let names: Vec<String> = (0..n).map(|_| format!("j{}", next(n as u64 + 1))).collect();
            let jobs: Vec<Job> = names
                .iter()
                .map(|name| {
                    let needs: Vec<String> = (0..next(3)).map(|_| format!("j{}", next(n as u64 + 2))).collect();
                    let needs: Vec<&str> = needs.iter().map(String::as_str).collect();
                    job(name, &needs)
                })
                .collect();
            let fast: Vec<String> = order_jobs(jobs.clone()).into_iter().map(|j| j.name).collect();
            assert_eq!(fast, plain_order(jobs));
        }
    }
}
