//! GitHub Actions: one workflow per pipeline, hardened by construction.
//!
//! - `permissions: contents: read` on the workflow; jobs widen only what
//!   their steps need (`packages: write` for image pushes, `id-token: write`
//!   for the OIDC cloud login of deploy jobs).
//! - Every action is pinned to a full commit SHA with its version in a
//!   comment; every checkout has `persist-credentials: false`.
//! - Deploy jobs carry `environment:` (approvals), a per-environment
//!   `concurrency` group that never cancels a deploy in progress, an OIDC
//!   login to the role the Terraform target creates, and `helm upgrade
//!   --install --atomic --wait` with the chart and values files the Helm
//!   target writes; values reach the scripts through `env:`, never `${{ }}`.

mod deploy;

use indexmap::IndexMap;
use serde::Serialize;

use super::{Artifact, Backend, Context, yaml};
use crate::model::{self, Model, Step as MStep, Trigger};
use crate::target::actions::DEPLOY_ACTIONS;
use crate::target::{Target, paths};

pub struct GithubActions;

impl Backend for GithubActions {
    fn target(&self) -> Target {
        Target::Gha
    }

    fn generate(&self, model: &Model, ctx: &Context<'_>) -> Vec<Artifact> {
        let versions = pinned_versions(model);
        model
            .pipelines
            .iter()
            .map(|p| {
                let mut wf = workflow(model, p);
                pin(&mut wf, &versions);
                let body = yaml::to_string(&wf);
                let sources = vec![p.source.clone()];
                Artifact {
                    path: paths::workflow(&p.name),
                    contents: format!("{}{body}", ctx.header(&sources).hash_comments()),
                }
            })
            .collect()
    }
}

/// Each workflow's path and the values its YAML must read back as (the same
/// typed data, as JSON), for read-back tests with YAML 1.1 readers.
pub fn intended_values(model: &Model) -> Vec<(String, serde_json::Value)> {
    model
        .pipelines
        .iter()
        .map(|p| {
            (
                paths::workflow(&p.name),
                serde_json::to_value(workflow(model, p)).unwrap_or_default(),
            )
        })
        .collect()
}

#[derive(Serialize)]
struct Workflow {
    name: String,
    #[serde(rename = "run-name", skip_serializing_if = "Option::is_none")]
    run_name: Option<String>,
    #[serde(rename = "on")]
    on: IndexMap<&'static str, On>,
    /// Written even when empty: `{}` is no permission at all.
    permissions: IndexMap<String, String>,
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::backend::yaml::text_map"
    )]
    env: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    defaults: Option<Defaults>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<Concurrency>,
    jobs: IndexMap<String, Job>,
}

#[derive(Serialize)]
struct Defaults {
    run: RunDefaults,
}

#[derive(Serialize)]
struct RunDefaults {
    #[serde(skip_serializing_if = "Option::is_none")]
    shell: Option<String>,
    #[serde(rename = "working-directory", skip_serializing_if = "Option::is_none")]
    working_directory: Option<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum On {
    Filters(Filters),
    Schedule(Vec<Cron>),
    Dispatch(Dispatch),
    Call(Call),
    WorkflowRun(WorkflowRun),
}

#[derive(Serialize)]
struct Call {
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    inputs: IndexMap<String, Input>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    secrets: IndexMap<String, CallSecret>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    outputs: IndexMap<String, CallOutput>,
}

#[derive(Serialize)]
struct CallSecret {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    required: bool,
}

#[derive(Serialize)]
struct CallOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    value: String,
}

#[derive(Serialize)]
struct WorkflowRun {
    workflows: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    types: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    branches: Vec<String>,
}

#[derive(Serialize, Default)]
struct Filters {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    types: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    branches: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<String>,
    #[serde(rename = "paths-ignore", skip_serializing_if = "Vec::is_empty")]
    paths_ignore: Vec<String>,
}

#[derive(Serialize)]
struct Cron {
    cron: String,
}

#[derive(Serialize)]
struct Dispatch {
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    inputs: IndexMap<String, Input>,
}

#[derive(Serialize)]
struct Input {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    required: bool,
    #[serde(rename = "type")]
    ty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<Scalar>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<String>,
}

#[derive(Serialize, Default)]
struct Job {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "runs-on", skip_serializing_if = "Option::is_none")]
    runs_on: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    needs: Vec<String>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<JobEnvironment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<Concurrency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<IndexMap<String, String>>,
    #[serde(rename = "timeout-minutes", skip_serializing_if = "Option::is_none")]
    timeout_minutes: Option<u64>,
    #[serde(rename = "continue-on-error", skip_serializing_if = "std::ops::Not::not")]
    continue_on_error: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<Strategy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<JobContainer>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    services: IndexMap<String, Container>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    outputs: IndexMap<String, String>,
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::backend::yaml::text_map"
    )]
    env: IndexMap<String, String>,
    /// A called reusable workflow, its inputs and secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    with: IndexMap<String, Scalar>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secrets: Option<Secrets>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<Vec<Step>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Secrets {
    /// `inherit`.
    Inherit(&'static str),
    Named(IndexMap<String, String>),
}

#[derive(Serialize)]
struct JobContainer {
    image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<String>,
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::backend::yaml::text_map"
    )]
    env: IndexMap<String, String>,
}

#[derive(Serialize)]
struct JobEnvironment {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Concurrency {
    group: String,
    #[serde(rename = "cancel-in-progress")]
    cancel_in_progress: bool,
}

#[derive(Serialize)]
struct Strategy {
    #[serde(rename = "fail-fast", skip_serializing_if = "Option::is_none")]
    fail_fast: Option<bool>,
    #[serde(rename = "max-parallel", skip_serializing_if = "Option::is_none")]
    max_parallel: Option<u32>,
    matrix: Matrix,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Matrix {
    /// Computed at run time.
    Expr(String),
    Keys(IndexMap<String, MatrixValue>),
}

#[derive(Serialize)]
#[serde(untagged)]
enum MatrixValue {
    List(Vec<Scalar>),
    Expr(String),
    /// `include` and `exclude`.
    Combinations(Vec<IndexMap<String, Scalar>>),
}

#[derive(Serialize)]
struct Container {
    image: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<String>,
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::backend::yaml::text_map"
    )]
    env: IndexMap<String, String>,
}

#[derive(Serialize, Default)]
struct Step {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<Uses>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    with: IndexMap<String, Scalar>,
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::backend::yaml::text_map"
    )]
    env: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shell: Option<String>,
    #[serde(rename = "working-directory", skip_serializing_if = "Option::is_none")]
    working_directory: Option<String>,
    #[serde(rename = "timeout-minutes", skip_serializing_if = "Option::is_none")]
    timeout_minutes: Option<u64>,
    #[serde(rename = "continue-on-error", skip_serializing_if = "std::ops::Not::not")]
    continue_on_error: bool,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::backend::yaml::text_opt"
    )]
    run: Option<String>,
}

/// An action reference, and the version it stands for: written as a YAML
/// comment after the reference by the serializer (which keeps a comment on
/// its line, whatever the text).
#[derive(Clone, Debug, Default, PartialEq)]
struct Uses {
    reference: String,
    version: Option<String>,
}

impl Uses {
    fn new(reference: &str) -> Uses {
        Uses {
            reference: reference.to_string(),
            version: None,
        }
    }
}

impl Serialize for Uses {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.version {
            Some(v) => serde_saphyr::Commented(&self.reference, v.clone()).serialize(s),
            None => self.reference.serialize(s),
        }
    }
}

/// An action input or matrix value: booleans and whole numbers keep their
/// type, everything else is a string.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
enum Scalar {
    Bool(bool),
    Int(i64),
    Str(#[serde(serialize_with = "crate::backend::yaml::text")] String),
}

impl Scalar {
    fn of(text: &str) -> Scalar {
        match text {
            "true" => Scalar::Bool(true),
            "false" => Scalar::Bool(false),
            _ => match text.parse::<i64>() {
                Ok(n) if n.to_string() == text => Scalar::Int(n),
                _ => Scalar::Str(text.to_string()),
            },
        }
    }
}

fn input(i: &model::Input) -> (String, Input) {
    let input = Input {
        description: i.description.clone(),
        required: i.required,
        ty: i.ty.clone(),
        default: i.default.as_deref().map(Scalar::of),
        options: i.options.clone(),
    };
    (i.name.clone(), input)
}

fn workflow(m: &Model, p: &model::Pipeline) -> Workflow {
    let mut on: IndexMap<&'static str, On> = IndexMap::new();
    let mut push = Filters::default();
    let mut has_push = false;
    for t in &p.triggers {
        match t {
            Trigger::Push {
                branches,
                paths,
                paths_ignore,
            } => {
                has_push = true;
                push.branches.extend(branches.iter().cloned());
                push.paths.extend(paths.iter().cloned());
                push.paths_ignore.extend(paths_ignore.iter().cloned());
            }
            Trigger::Tag { pattern } => {
                has_push = true;
                push.tags.push(pattern.clone());
            }
            Trigger::PullRequest {
                branches,
                paths,
                paths_ignore,
                types,
            } => {
                on.insert(
                    "pull_request",
                    On::Filters(Filters {
                        types: types.clone(),
                        branches: branches.clone(),
                        tags: Vec::new(),
                        paths: paths.clone(),
                        paths_ignore: paths_ignore.clone(),
                    }),
                );
            }
            Trigger::Schedule { cron, .. } => {
                let entry = on.entry("schedule").or_insert_with(|| On::Schedule(Vec::new()));
                if let On::Schedule(list) = entry {
                    list.push(Cron { cron: cron.clone() });
                }
            }
            Trigger::Manual { inputs } => {
                let inputs = inputs.iter().map(input).collect();
                on.insert("workflow_dispatch", On::Dispatch(Dispatch { inputs }));
            }
            Trigger::Call {
                inputs,
                secrets,
                outputs,
            } => {
                let call = Call {
                    inputs: inputs.iter().map(input).collect(),
                    secrets: secrets
                        .iter()
                        .map(|s| {
                            let secret = CallSecret {
                                description: s.description.clone(),
                                required: s.required,
                            };
                            (s.name.clone(), secret)
                        })
                        .collect(),
                    outputs: outputs
                        .iter()
                        .map(|o| {
                            let output = CallOutput {
                                description: o.description.clone(),
                                value: o.value.clone(),
                            };
                            (o.name.clone(), output)
                        })
                        .collect(),
                };
                on.insert("workflow_call", On::Call(call));
            }
            Trigger::WorkflowRun {
                workflows,
                types,
                branches,
            } => {
                on.insert(
                    "workflow_run",
                    On::WorkflowRun(WorkflowRun {
                        workflows: workflows.clone(),
                        types: types.clone(),
                        branches: branches.clone(),
                    }),
                );
            }
        }
    }
    if has_push {
        on.insert("push", On::Filters(push));
    }
    // GitHub's order reads best: push, pull_request, schedule, dispatch.
    let order = [
        "push",
        "pull_request",
        "schedule",
        "workflow_dispatch",
        "workflow_call",
        "workflow_run",
    ];
    on.sort_by_key(|k, _| order.iter().position(|o| o == k));
    let permissions: IndexMap<String, String> = match &p.permissions {
        Some(exact) => exact.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        None => IndexMap::from([("contents".to_string(), "read".to_string())]),
    };
    let pull_requests = p.runs_on_pull_requests();
    let jobs = p
        .jobs
        .iter()
        .map(|j| (j.name.clone(), job(m, j, &permissions, pull_requests)))
        .collect();
    Workflow {
        name: p.display_name.clone().unwrap_or_else(|| p.name.clone()),
        run_name: p.run_name.clone(),
        on,
        permissions,
        env: p.env.clone(),
        defaults: (p.shell.is_some() || p.working_directory.is_some()).then(|| Defaults {
            run: RunDefaults {
                shell: p.shell.clone(),
                working_directory: p.working_directory.clone(),
            },
        }),
        concurrency: p.concurrency.as_ref().map(concurrency),
        jobs,
    }
}

fn concurrency(c: &model::Concurrency) -> Concurrency {
    Concurrency {
        group: c.group.clone(),
        cancel_in_progress: c.cancel_in_progress,
    }
}

/// `a` with every scope of `b` added, the wider level winning.
fn widen(a: &mut IndexMap<String, String>, b: &std::collections::BTreeMap<String, String>) {
    let rank = |l: &str| match l {
        "write" => 2,
        "read" => 1,
        _ => 0,
    };
    for (k, v) in b {
        let entry = a.entry(k.clone()).or_insert_with(|| v.clone());
        if rank(v) > rank(entry) {
            *entry = v.clone();
        }
    }
}

/// A condition GitHub evaluates, without its `${{ }}` (GitHub's `if` takes
/// both forms).
fn bare_condition(c: &str) -> &str {
    let t = c.trim();
    if crate::target::gha::single_expression(t) {
        t[3..t.len() - 2].trim()
    } else {
        t
    }
}

/// The condition that keeps a job from running for pull-request events.
pub const NOT_ON_PULL_REQUESTS: &str = "github.event_name != 'pull_request'";

fn job(m: &Model, j: &model::Job, workflow_permissions: &IndexMap<String, String>, pull_requests: bool) -> Job {
    let matrix = j.strategy.any(&j.matrix).then(|| match &j.strategy.from {
        Some(from) => Matrix::Expr(from.clone()),
        None => {
            let mut keys: IndexMap<String, MatrixValue> = j
                .matrix
                .iter()
                .map(|(k, v)| {
                    let value = if j.strategy.dynamic.contains(k) {
                        MatrixValue::Expr(v.first().cloned().unwrap_or_default())
                    } else {
                        MatrixValue::List(v.iter().map(|x| Scalar::of(x)).collect())
                    };
                    (k.clone(), value)
                })
                .collect();
            for (name, combos) in [("include", &j.strategy.include), ("exclude", &j.strategy.exclude)] {
                if !combos.is_empty() {
                    let list = combos
                        .iter()
                        .map(|c| c.iter().map(|(k, v)| (k.clone(), Scalar::of(v))).collect())
                        .collect();
                    keys.insert(name.to_string(), MatrixValue::Combinations(list));
                }
            }
            Matrix::Keys(keys)
        }
    });
    let mut out = Job {
        name: j.display_name.clone(),
        runs_on: Some(j.runs_on.clone()),
        needs: j.needs.clone(),
        condition: j.condition.clone(),
        environment: j.environment.as_ref().map(|e| JobEnvironment {
            name: e.clone(),
            url: m.environment(e).and_then(|e| e.url.clone()),
        }),
        concurrency: j.concurrency.as_ref().map(concurrency),
        timeout_minutes: j.timeout.as_ref().map(|t| t.minutes_ceil().max(1)),
        continue_on_error: j.continue_on_error,
        strategy: matrix.map(|matrix| Strategy {
            fail_fast: j.strategy.fail_fast,
            max_parallel: j.strategy.max_parallel,
            matrix,
        }),
        container: j.container.as_ref().map(|c| JobContainer {
            image: c.image.clone(),
            options: c.options.clone(),
            env: c.env.clone(),
        }),
        services: j
            .containers
            .iter()
            .map(|(k, c)| {
                let container = Container {
                    image: c.image.clone(),
                    ports: c.ports.clone(),
                    options: c.options.clone(),
                    env: c.env.clone(),
                };
                (k.clone(), container)
            })
            .collect(),
        outputs: j.outputs.clone(),
        env: j.env.clone(),
        steps: Some(dedup_setup(j.steps.iter().map(step).collect())),
        ..Job::default()
    };
    if !j.permissions.is_empty() {
        let mut p = workflow_permissions.clone();
        widen(&mut p, &j.permissions);
        out.permissions = Some(p);
    }
    if let Some(own) = &j.own_permissions {
        let mut p: IndexMap<String, String> = own.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        widen(&mut p, &j.permissions);
        out.permissions = Some(p);
    }
    if let Some(call) = &j.call {
        // What GitHub takes on a job that calls a workflow.
        out.runs_on = None;
        out.steps = None;
        out.timeout_minutes = None;
        out.environment = None;
        out.continue_on_error = false;
        out.uses = Some(call.uses.clone());
        out.with = call.with.iter().map(|(k, v)| (k.clone(), Scalar::of(v))).collect();
        out.secrets = if call.inherit_secrets {
            Some(Secrets::Inherit("inherit"))
        } else {
            (!call.secrets.is_empty()).then(|| Secrets::Named(call.secrets.clone()))
        };
    }
    if let Some(d) = &j.deploy {
        deploy::deploy(m, d, &mut out);
        if let Some(own) = &j.own_permissions
            && let Some(p) = &mut out.permissions
        {
            widen(p, own);
        }
        // A pull request never deploys unless the deploy says so.
        if pull_requests && !d.pull_requests {
            out.condition = Some(match &j.condition {
                Some(c) => format!("({}) && {NOT_ON_PULL_REQUESTS}", bare_condition(c)),
                None => NOT_ON_PULL_REQUESTS.to_string(),
            });
        }
    }
    out
}

fn step(s: &MStep) -> Step {
    match s {
        MStep::Run {
            name,
            id,
            timeout,
            script,
            condition,
            shell,
            working_directory,
            continue_on_error,
            env,
            ..
        } => Step {
            name: name.clone(),
            id: id.clone(),
            condition: condition.clone(),
            env: env.clone(),
            shell: shell.clone(),
            working_directory: working_directory.clone(),
            timeout_minutes: timeout.as_ref().map(|t| t.minutes_ceil().max(1)),
            continue_on_error: *continue_on_error,
            run: Some(script.clone()),
            ..Step::default()
        },
        MStep::Action {
            name,
            id,
            timeout,
            continue_on_error,
            uses,
            condition,
            with,
            env,
            ..
        } => {
            let mut with: IndexMap<String, Scalar> = with.iter().map(|(k, v)| (k.clone(), Scalar::of(v))).collect();
            // An empty input is the action's default: leave it out.
            with.retain(|_, v| *v != Scalar::Str(String::new()));
            if uses.starts_with("actions/checkout@") {
                with.entry("persist-credentials".to_string())
                    .or_insert(Scalar::Bool(false));
            }
            Step {
                name: name.clone(),
                id: id.clone(),
                condition: condition.clone(),
                uses: Some(Uses::new(uses)),
                with,
                env: env.clone(),
                timeout_minutes: timeout.as_ref().map(|t| t.minutes_ceil().max(1)),
                continue_on_error: *continue_on_error,
                ..Step::default()
            }
        }
    }
}

/// Actions whose second run with the same inputs changes nothing.
const IDEMPOTENT: &[&str] = &[
    "docker/setup-buildx-action@",
    "docker/login-action@",
    "actions/setup-",
    "azure/setup-helm@",
];

/// Drops exact repeats of idempotent setup steps (five `docker_build` uses
/// need one buildx setup and one registry login).
fn dedup_setup(steps: Vec<Step>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for s in steps {
        let idempotent = s
            .uses
            .as_ref()
            .is_some_and(|u| IDEMPOTENT.iter().any(|p| u.reference.starts_with(p)));
        let seen = out
            .iter()
            .any(|o| o.uses == s.uses && o.with == s.with && o.env == s.env && o.condition == s.condition);
        if !(idempotent && seen) {
            out.push(s);
        }
    }
    out
}

/// Every pinned `uses` of the project, with the version it stands for.
fn pinned_versions(m: &Model) -> IndexMap<String, String> {
    let mut versions: IndexMap<String, String> = IndexMap::new();
    for (uses, version) in DEPLOY_ACTIONS {
        versions.insert(uses.to_string(), version.to_string());
    }
    for p in &m.pipelines {
        for j in &p.jobs {
            let mechanism = j.deploy.iter().flat_map(|d| d.mechanism.iter().flat_map(|(_, s)| s));
            for s in j.steps.iter().chain(mechanism) {
                if let MStep::Action {
                    uses, version: Some(v), ..
                } = s
                {
                    versions.insert(uses.clone(), v.clone());
                }
            }
        }
    }
    versions
}

/// Gives every pinned `uses` of `wf` the version it stands for.
fn pin(wf: &mut Workflow, versions: &IndexMap<String, String>) {
    for job in wf.jobs.values_mut() {
        for step in job.steps.iter_mut().flatten() {
            if let Some(uses) = &mut step.uses {
                uses.version = versions.get(&uses.reference).cloned();
            }
        }
    }
}
