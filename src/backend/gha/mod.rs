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
    #[serde(rename = "on")]
    on: IndexMap<&'static str, On>,
    permissions: IndexMap<String, String>,
    jobs: IndexMap<String, Job>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum On {
    Filters(Filters),
    Schedule(Vec<Cron>),
    Dispatch(Dispatch),
}

#[derive(Serialize, Default)]
struct Filters {
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

#[derive(Serialize)]
struct Job {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "runs-on")]
    runs_on: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    needs: Vec<String>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<JobEnvironment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<Concurrency>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    permissions: IndexMap<String, String>,
    #[serde(rename = "timeout-minutes")]
    timeout_minutes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<Strategy>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    services: IndexMap<String, Container>,
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::backend::yaml::text_map"
    )]
    env: IndexMap<String, String>,
    steps: Vec<Step>,
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
    #[serde(rename = "fail-fast")]
    fail_fast: bool,
    matrix: IndexMap<String, Vec<Scalar>>,
}

#[derive(Serialize)]
struct Container {
    image: String,
}

#[derive(Serialize, Default)]
struct Step {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
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
            } => {
                on.insert(
                    "pull_request",
                    On::Filters(Filters {
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
                let inputs = inputs
                    .iter()
                    .map(|i| {
                        let input = Input {
                            description: i.description.clone(),
                            required: i.required,
                            ty: i.ty.clone(),
                            default: i.default.as_deref().map(Scalar::of),
                            options: i.options.clone(),
                        };
                        (i.name.clone(), input)
                    })
                    .collect();
                on.insert("workflow_dispatch", On::Dispatch(Dispatch { inputs }));
            }
        }
    }
    if has_push {
        on.insert("push", On::Filters(push));
    }
    // GitHub's order reads best: push, pull_request, schedule, dispatch.
    let order = ["push", "pull_request", "schedule", "workflow_dispatch"];
    on.sort_by_key(|k, _| order.iter().position(|o| o == k));
    let mut permissions = IndexMap::new();
    permissions.insert("contents".to_string(), "read".to_string());
    let jobs = p.jobs.iter().map(|j| (j.name.clone(), job(m, j))).collect();
    Workflow {
        name: p.name.clone(),
        on,
        permissions,
        jobs,
    }
}

fn job(m: &Model, j: &model::Job) -> Job {
    let mut out = Job {
        name: None,
        runs_on: j.runs_on.clone(),
        needs: j.needs.clone(),
        condition: j.condition.clone(),
        environment: None,
        concurrency: None,
        permissions: IndexMap::new(),
        timeout_minutes: j.timeout.minutes_ceil().max(1),
        strategy: (!j.matrix.is_empty()).then(|| Strategy {
            fail_fast: false,
            matrix: j
                .matrix
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().map(|x| Scalar::of(x)).collect()))
                .collect(),
        }),
        services: j
            .containers
            .iter()
            .map(|(k, v)| (k.clone(), Container { image: v.clone() }))
            .collect(),
        env: j.env.clone(),
        steps: dedup_setup(j.steps.iter().map(step).collect()),
    };
    if !j.permissions.is_empty() {
        out.permissions.insert("contents".to_string(), "read".to_string());
        for (k, v) in &j.permissions {
            out.permissions.insert(k.clone(), v.clone());
        }
    }
    if let Some(d) = &j.deploy {
        deploy::deploy(m, d, &mut out);
    }
    out
}

fn step(s: &MStep) -> Step {
    match s {
        MStep::Run {
            name,
            script,
            condition,
            shell,
            working_directory,
            continue_on_error,
            env,
            ..
        } => Step {
            name: name.clone(),
            condition: condition.clone(),
            env: env.clone(),
            shell: shell.clone(),
            working_directory: working_directory.clone(),
            continue_on_error: *continue_on_error,
            run: Some(script.clone()),
            ..Step::default()
        },
        MStep::Action {
            name,
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
                condition: condition.clone(),
                uses: Some(Uses::new(uses)),
                with,
                env: env.clone(),
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
            for s in &j.steps {
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
        for step in &mut job.steps {
            if let Some(uses) = &mut step.uses {
                uses.version = versions.get(&uses.reference).cloned();
            }
        }
    }
}
