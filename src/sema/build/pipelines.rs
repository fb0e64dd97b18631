//! Pipelines: triggers, jobs (and deploy jobs) in `needs` order, and their
//! steps: scripts, actions, and templates expanded in place.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::{Builder, Scope};
use crate::diag::{Code, Diagnostic, Label};
use crate::model::{
    CallOutput, CallSecret, Concurrency, Container, Deploy, Exprs, Input, Job, MatrixOptions, Pipeline,
    ServiceContainer, Step, Trigger, WorkflowCall,
};
use crate::schema::{Attr, BlockId, Namespace};
use crate::sema::tree::{CheckedBlock, Val};
use crate::syntax::ast::BlockLabel;

impl<'a> Builder<'_, 'a, '_> {
    pub(super) fn pipeline(&mut self, node: &CheckedBlock<'a>) -> Pipeline {
        let mut triggers = Vec::new();
        let mut jobs = Vec::new();
        let scope = Scope::workflow();
        let ((run_name, env, concurrency, permissions), mut exprs) = self.capture(|b| {
            (
                b.text(node.value(Attr::RunName), &scope),
                b.map(node.child(BlockId::PipelineEnv), &scope),
                b.concurrency(node.child(BlockId::Concurrency), &scope),
                node.child(BlockId::Permissions).map(permission_levels),
            )
        });
        let ((display_name, shell, working_directory), literal) = self.capture(|b| {
            let defaults = node.child(BlockId::PipelineDefaults);
            (
                b.text(declared(node, Attr::Name), &scope),
                defaults.and_then(|d| b.text(d.value(Attr::Shell), &scope)),
                defaults.and_then(|d| b.text(d.value(Attr::WorkingDirectory), &scope)),
            )
        });
        self.no_expressions(literal, "a pipeline's `name` and `defaults`");
        let timeout =
            Self::optional_duration(node.value(Attr::Timeout)).or_else(|| self.known().project.timeout.clone());
        let pull_requests = node.children.iter().any(|c| c.is(BlockId::OnPullRequest));
        for child in &node.children {
            let id = child.schema.id;
            if matches!(
                id,
                BlockId::OnPush
                    | BlockId::OnPullRequest
                    | BlockId::OnSchedule
                    | BlockId::OnTag
                    | BlockId::OnManual
                    | BlockId::OnWorkflowRun
            ) {
                // Triggers: GitHub reads `on` as it is written.
                let mut written = Vec::new();
                written_expressions(child, &mut written);
                self.no_expressions(written, "`on`: triggers are matched as written");
                self.trigger(child, &mut triggers);
                continue;
            }
            if id == BlockId::OnCall {
                let (_, call_exprs) = self.capture(|b| b.trigger(child, &mut triggers));
                exprs.extend(call_exprs);
                continue;
            }
            if matches!(id, BlockId::Job | BlockId::Deploy) {
                let mut job = self.job(child, pull_requests);
                job.timeout = job.timeout.or_else(|| timeout.clone());
                jobs.push(job);
            }
        }
        Pipeline {
            name: node.label().to_string(),
            display_name,
            run_name,
            source: String::new(),
            triggers,
            permissions,
            env,
            shell,
            working_directory,
            concurrency,
            jobs: order_jobs(jobs),
            exprs,
            span: node.label_span(),
        }
    }

    /// A `concurrency` block.
    fn concurrency(&mut self, node: Option<&CheckedBlock<'a>>, scope: &Scope) -> Option<Concurrency> {
        let node = node?;
        Some(Concurrency {
            group: self.text(node.value(Attr::Group), scope).unwrap_or_default(),
            cancel_in_progress: Self::bool(node.value(Attr::CancelInProgress)),
        })
    }

    /// The inputs declared in a trigger block.
    fn inputs(&mut self, child: &CheckedBlock<'a>) -> Vec<Input> {
        let mut inputs = Vec::new();
        for i in child.children_of(BlockId::ManualInput) {
            inputs.push(Input {
                name: i.label().to_string(),
                description: self.attr_text(i, Attr::Description),
                ty: self.attr_text(i, Attr::Type).unwrap_or_default(),
                default: self.attr_text(i, Attr::Default),
                required: Self::bool(i.value(Attr::Required)),
                options: self.attr_texts(i, Attr::Options),
                span: i.label_span(),
            });
        }
        inputs
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
                        types: self.attr_texts(child, Attr::Types),
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
                let inputs = self.inputs(child);
                triggers.push(Trigger::Manual { inputs });
            }
            BlockId::OnCall => {
                let inputs = self.inputs(child);
                let secrets = child
                    .children_of(BlockId::CallSecret)
                    .map(|s| CallSecret {
                        name: s.label().to_string(),
                        description: self.attr_text(s, Attr::Description),
                        required: Self::bool(s.value(Attr::Required)),
                    })
                    .collect();
                let scope = Scope::workflow();
                let outputs = child
                    .children_of(BlockId::CallOutput)
                    .map(|o| CallOutput {
                        name: o.label().to_string(),
                        description: self.attr_text(o, Attr::Description),
                        value: self.text(o.value(Attr::Value), &scope).unwrap_or_default(),
                    })
                    .collect();
                triggers.push(Trigger::Call {
                    inputs,
                    secrets,
                    outputs,
                });
            }
            BlockId::OnWorkflowRun => triggers.push(Trigger::WorkflowRun {
                workflows: self.attr_texts(child, Attr::Workflows),
                types: self.attr_texts(child, Attr::Types),
                branches: self.attr_texts(child, Attr::Branches),
            }),
            _ => {}
        }
    }

    /// Reports each GitHub expression written where GitHub evaluates none.
    pub(super) fn no_expressions(&mut self, exprs: Exprs, place: &str) {
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

    fn job(&mut self, node: &CheckedBlock<'a>, pull_request_pipeline: bool) -> Job {
        // What GitHub evaluates: literal `${{` escaped, expressions recorded.
        let scope = Scope::workflow();
        let is_deploy = node.is(BlockId::Deploy);
        let mut steps = Vec::new();
        let mut permissions = BTreeMap::new();
        for child in &node.children {
            match child.schema.id {
                BlockId::Run => steps.push(self.run_step(child, &scope)),
                BlockId::Uses if !is_deploy => {
                    let mut stack = Vec::new();
                    self.uses_step(child, &scope, &mut stack, &mut steps, &mut permissions);
                }
                _ => {}
            }
        }
        let deploy = is_deploy.then(|| {
            let environment = node.label().to_string();
            let services = self.attr_texts(node, Attr::Services);
            let (mechanism, mechanism_permissions) = self.mechanism(node, &environment, &services, &scope);
            let _ = pull_request_pipeline;
            Deploy {
                environment,
                services,
                rollouts: self
                    .attr_text(node, Attr::Rollout)
                    .into_iter()
                    .chain(self.attr_texts(node, Attr::Rollouts))
                    .collect(),
                pull_requests: Self::bool(node.value(Attr::PullRequests)),
                mechanism,
                mechanism_permissions,
                span: node.label_span(),
                rollout_spans: self.named_spans(node),
            }
        });
        let ((matrix, strategy), matrix_exprs) = self.capture(|b| b.matrix(node.child(BlockId::JobMatrix), &scope));
        let (env, env_exprs) = self.capture(|b| b.map(node.child(BlockId::JobEnv), &scope));
        // A deploy job has no `runs_on` of its own: the job's default.
        let runs_on = match node.schema.attr_schema(Attr::RunsOn) {
            Some(_) => node.value(Attr::RunsOn),
            None => crate::sema::tree::default(BlockId::Job, Attr::RunsOn),
        };
        let ((runs_on, condition, containers, display_name, outputs, container, concurrency, call), exprs) = self
            .capture(|b| {
                (
                    b.text(runs_on, &scope).unwrap_or_default(),
                    b.text(node.value(Attr::If), &scope),
                    b.service_containers(node, &scope),
                    b.text(declared(node, Attr::Name), &scope),
                    b.map(node.child(BlockId::JobOutputs), &scope),
                    node.child(BlockId::JobContainer).map(|c| Container {
                        image: b.text(c.value(Attr::Image), &scope).unwrap_or_default(),
                        options: b.text(c.value(Attr::Options), &scope),
                        env: b.map(c.child(BlockId::StepEnv), &scope),
                    }),
                    b.concurrency(node.child(BlockId::Concurrency), &scope),
                    b.call(node, &scope),
                )
            });
        Job {
            name: node.label().to_string(),
            display_name,
            deploy,
            needs: self.attr_texts(node, Attr::Needs),
            runs_on,
            timeout: Self::optional_duration(node.value(Attr::Timeout)),
            condition,
            environment: self.text(declared(node, Attr::Environment), &Scope::default()),
            continue_on_error: Self::bool(declared(node, Attr::ContinueOnError)),
            concurrency,
            env,
            matrix,
            strategy,
            containers,
            container,
            outputs,
            call,
            steps,
            permissions,
            own_permissions: node.child(BlockId::Permissions).map(permission_levels),
            exprs,
            env_exprs,
            matrix_exprs,
            span: node.label_span(),
        }
    }

    /// The service containers of a job: `services { NAME = IMAGE }` and
    /// `service_container NAME { ... }`, in that order.
    fn service_containers(&mut self, node: &CheckedBlock<'a>, scope: &Scope) -> IndexMap<String, ServiceContainer> {
        let mut out: IndexMap<String, ServiceContainer> = self
            .map(node.child(BlockId::JobServices), scope)
            .into_iter()
            .map(|(name, image)| {
                let c = ServiceContainer {
                    image,
                    ..ServiceContainer::default()
                };
                (name, c)
            })
            .collect();
        for c in node.children_of(BlockId::JobServiceContainer) {
            let container = ServiceContainer {
                image: self.text(c.value(Attr::Image), scope).unwrap_or_default(),
                ports: self.texts(c.value(Attr::Ports), scope),
                options: self.text(c.value(Attr::Options), scope),
                env: self.map(c.child(BlockId::StepEnv), scope),
            };
            out.insert(c.label().to_string(), container);
        }
        out
    }

    /// A reusable workflow called by a job (`workflow = ...`).
    fn call(&mut self, node: &CheckedBlock<'a>, scope: &Scope) -> Option<WorkflowCall> {
        let literal = Scope {
            workflow: false,
            ..Scope::default()
        };
        let uses = self.text(declared(node, Attr::Workflow), &literal)?;
        let span = node.value_span(Attr::Workflow).unwrap_or(node.label_span());
        // GitHub takes only these keys on a job that calls a workflow.
        let steps_only = [Attr::RunsOn, Attr::Timeout, Attr::Environment, Attr::ContinueOnError];
        for attr in steps_only {
            if let Some(a) = node.attr(attr) {
                self.diags.push(
                    Diagnostic::new(
                        Code::MalformedBlock,
                        format!("job `{}` calls a workflow, which takes no `{attr}`", node.label()),
                        Label::new(a.attr.name.span, "not allowed with `workflow`"),
                    )
                    .with_label(Label::new(span, "the job calls this workflow"))
                    .with_help(format!("remove `{attr}`, or set it in the called workflow's jobs")),
                );
            }
        }
        for id in [
            BlockId::JobEnv,
            BlockId::JobServices,
            BlockId::JobContainer,
            BlockId::JobOutputs,
        ] {
            if let Some(c) = node.child(id) {
                self.diags.push(
                    Diagnostic::new(
                        Code::MalformedBlock,
                        format!("job `{}` calls a workflow, which takes no `{}` block", node.label(), c.block.kind.name),
                        Label::new(c.header_span(), "not allowed with `workflow`"),
                    )
                    .with_label(Label::new(span, "the job calls this workflow"))
                    .with_help(format!(
                        "remove the `{}` block, or set it in the called workflow (its outputs are read as `needs.{}.outputs.NAME`)",
                        c.block.kind.name,
                        node.label()
                    )),
                );
            }
        }
        // GitHub evaluates no `secrets` context in a called workflow's inputs.
        for (k, a) in node.child(BlockId::With).iter().flat_map(|w| &w.attrs) {
            if let Val::Secret(name) = &a.val {
                self.diags.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!("input `{k}` of a called workflow cannot be a secret"),
                        Label::new(a.attr.value.span, "GitHub reads no secret in `with` here"),
                    )
                    .with_help(format!(
                        "pass it as a secret: `secrets {{ {k} = secret(\"{name}\") }}`, declared by the called workflow's `on workflow_call {{ secret {k} {{ }} }}`"
                    )),
                );
            }
        }
        if let Some(step) = node.children.iter().find(|c| c.is(BlockId::Run) || c.is(BlockId::Uses)) {
            self.diags.push(
                Diagnostic::new(
                    Code::MalformedBlock,
                    format!("job `{}` calls a workflow, so it has no steps of its own", node.label()),
                    Label::new(step.header_span(), "a step in a job that calls a workflow"),
                )
                .with_label(Label::new(span, "the job calls this workflow"))
                .with_help("move the steps to a job of their own, or into the called workflow"),
            );
        }
        Some(WorkflowCall {
            uses,
            with: self.map(node.child(BlockId::With), scope),
            secrets: self.map(node.child(BlockId::JobSecrets), scope),
            inherit_secrets: Self::bool(declared(node, Attr::InheritSecrets)),
            span,
        })
    }

    /// The matrix of a job: its keys' values and its other settings.
    fn matrix(
        &mut self,
        node: Option<&CheckedBlock<'a>>,
        scope: &Scope,
    ) -> (IndexMap<String, Vec<String>>, MatrixOptions) {
        let mut matrix = IndexMap::new();
        let mut options = MatrixOptions::default();
        let Some(m) = node else {
            return (matrix, options);
        };
        for (k, a) in &m.attrs {
            if m.schema.attr(k).is_some() {
                continue;
            }
            match &a.val {
                Val::List(_) => {
                    matrix.insert((*k).to_string(), self.texts(Some(&a.val), scope));
                }
                other => {
                    let text = self.text(Some(other), scope).unwrap_or_default();
                    let whole = crate::target::gha::single_expression(&text);
                    if whole {
                        options.dynamic.push((*k).to_string());
                        matrix.insert((*k).to_string(), vec![text]);
                    } else {
                        self.diags.push(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                format!("matrix key `{k}` takes a list of values"),
                                Label::new(a.attr.value.span, "one string, not a list"),
                            )
                            .with_help(format!(
                                "write `{k} = [\"{}\"]`, or one run-time list: `{k} = \"${{{{ fromJSON(...) }}}}\"`",
                                text.escape_debug()
                            )),
                        );
                    }
                }
            }
        }
        options.from = self.text(m.get(Attr::From), scope);
        if let Some(from) = &options.from
            && !crate::target::gha::single_expression(from)
            && let Some(at) = m.value_span(Attr::From)
        {
            self.diags.push(
                Diagnostic::new(
                    Code::TypeMismatch,
                    "`from` takes one run-time expression",
                    Label::new(at, "not a `${{ ... }}` expression"),
                )
                .with_help("write `from = \"${{ fromJSON(needs.JOB.outputs.NAME) }}\"`, or list the values as keys"),
            );
        }
        if let Some(from) = m.value_span(Attr::From)
            && let Some((k, _)) = m.attrs.iter().find(|(k, _)| m.schema.attr(k).is_none())
        {
            self.diags.push(
                Diagnostic::new(
                    Code::MalformedBlock,
                    format!("a matrix computed at run time (`from`) has no keys of its own, but `{k}` is given"),
                    Label::new(from, "the whole matrix comes from here"),
                )
                .with_help("put every key in the value of `from`, or remove `from`"),
            );
        }
        options.fail_fast = m.get(Attr::FailFast).map(|v| matches!(v, Val::Bool(true)));
        options.max_parallel = Self::int(m.get(Attr::MaxParallel)).map(Self::count);
        for (id, list) in [
            (BlockId::MatrixInclude, &mut options.include),
            (BlockId::MatrixExclude, &mut options.exclude),
        ] {
            for c in m.children_of(id) {
                list.push(self.map(Some(c), scope));
            }
        }
        (matrix, options)
    }

    /// The steps of a `deploy` job that names templates (`uses
    /// gke_credentials { ... }`, `uses helm_deploy`), in order, with the
    /// service each deploys (empty for the others), and the permissions
    /// they need. A template with a `service` parameter is expanded once
    /// per service, the others once; `service` and `environment`
    /// parameters not given are the deploy's.
    #[allow(clippy::type_complexity)]
    fn mechanism(
        &mut self,
        node: &CheckedBlock<'a>,
        environment: &str,
        services: &[String],
        scope: &Scope,
    ) -> (Vec<(String, Vec<Step>)>, BTreeMap<String, String>) {
        let mut out = Vec::new();
        let mut permissions = BTreeMap::new();
        let uses: Vec<&CheckedBlock<'a>> = node.children_of(BlockId::Uses).collect();
        if uses.is_empty() {
            return (out, permissions);
        }
        for u in uses {
            let targets: Vec<Option<&String>> = if self.takes_service(u) {
                services.iter().map(Some).collect()
            } else {
                vec![None]
            };
            for (n, target) in targets.into_iter().enumerate() {
                let before = self.diags.kept.len();
                self.deploying = Some((target.cloned(), environment.to_string()));
                let mut steps = Vec::new();
                let mut stack = Vec::new();
                self.uses_step(u, scope, &mut stack, &mut steps, &mut permissions);
                self.deploying = None;
                // A mistake in the arguments is reported once, not per service.
                if n > 0 {
                    self.diags.kept.truncate(before);
                }
                out.push((target.cloned().unwrap_or_default(), steps));
            }
        }
        (out, permissions)
    }

    /// Whether `uses` names a template with a parameter of type `service`.
    fn takes_service(&self, uses: &CheckedBlock<'a>) -> bool {
        let Some(BlockLabel::Ident(t)) = uses.block.labels.first() else {
            return false;
        };
        self.sym.get(Namespace::Template, &t.name).is_some_and(|d| {
            d.node
                .children_of(BlockId::Param)
                .any(|p| matches!(p.value(Attr::Type), Some(Val::Word(w)) if w == "service"))
        })
    }
}

/// Attribute `attr` of `node` (or its default), if its kind declares it
/// (jobs and deploy jobs share the builder).
fn declared<'n, 'a>(node: &'n CheckedBlock<'a>, attr: Attr) -> Option<&'n Val<'a>> {
    node.schema.attr_schema(attr).and_then(|_| node.value(attr))
}

/// The levels of a `permissions` block: scope → `read`, `write` or `none`.
fn permission_levels(node: &CheckedBlock<'_>) -> BTreeMap<String, String> {
    node.attrs
        .iter()
        .filter_map(|(k, a)| match &a.val {
            Val::Word(level) => Some(((*k).to_string(), level.clone())),
            _ => None,
        })
        .collect()
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

impl<'a> Builder<'_, 'a, '_> {
    /// Where a deploy names each of its rollouts: `rollout`, then each item
    /// of `rollouts` (as `Deploy::rollouts` lists them).
    fn named_spans(&self, node: &CheckedBlock<'a>) -> Vec<crate::source::Span> {
        let mut out = Vec::new();
        if let Some(a) = node.attr(Attr::Rollout) {
            out.push(a.attr.value.span);
        }
        if let Some(a) = node.attr(Attr::Rollouts) {
            match &a.attr.value.kind {
                crate::syntax::ast::ValueKind::List(items) => out.extend(items.iter().map(|v| v.span)),
                _ => out.push(a.attr.value.span),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Duration;
    use crate::source::{FileId, Span};

    fn job(name: &str, needs: &[&str]) -> Job {
        Job {
            name: name.to_string(),
            display_name: None,
            deploy: None,
            needs: needs.iter().map(|n| n.to_string()).collect(),
            runs_on: String::new(),
            timeout: Some(Duration::from_secs(60)),
            condition: None,
            environment: None,
            continue_on_error: false,
            concurrency: None,
            env: IndexMap::new(),
            matrix: IndexMap::new(),
            strategy: MatrixOptions::default(),
            containers: IndexMap::new(),
            container: None,
            outputs: IndexMap::new(),
            call: None,
            steps: Vec::new(),
            permissions: BTreeMap::new(),
            own_permissions: None,
            exprs: Vec::new(),
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
