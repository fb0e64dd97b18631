//! Pipelines in the resolved model: triggers, jobs (and deploy jobs) in
//! `needs` order, their steps with templates expanded, and the GitHub
//! expressions each field carries with where they were written.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Serialize;

use super::Duration;
use crate::source::Span;

#[derive(Clone, Debug, Serialize)]
pub struct Pipeline {
    pub name: String,
    /// The name GitHub shows (`name`), if not the pipeline's.
    pub display_name: Option<String>,
    pub run_name: Option<String>,
    /// The `.dvc` file that declares it (as loaded).
    pub source: String,
    pub triggers: Vec<Trigger>,
    /// Exactly the workflow's token permissions, when written (else
    /// `contents: read`).
    pub permissions: Option<BTreeMap<String, String>>,
    pub env: IndexMap<String, String>,
    /// `defaults.run`: shell and working directory.
    pub shell: Option<String>,
    pub working_directory: Option<String>,
    pub concurrency: Option<Concurrency>,
    /// In dependency order (a job after every job it needs), ties by name.
    pub jobs: Vec<Job>,
    /// The `${{ ... }}` expressions of the pipeline's own fields (run name,
    /// env, concurrency, outputs of a reusable workflow).
    #[serde(skip)]
    pub exprs: Exprs,
    #[serde(skip)]
    pub span: Span,
}

impl Pipeline {
    /// The triggers, by kind.
    pub fn runs_on_pull_requests(&self) -> bool {
        self.triggers.iter().any(|t| matches!(t, Trigger::PullRequest { .. }))
    }

    /// The inputs a run may have (`inputs.NAME`): manual and reusable-workflow ones.
    pub fn inputs(&self) -> impl Iterator<Item = &Input> {
        self.triggers.iter().flat_map(|t| match t {
            Trigger::Manual { inputs } | Trigger::Call { inputs, .. } => inputs.as_slice(),
            _ => &[],
        })
    }

    /// The job named `name`.
    pub fn job(&self, name: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.name == name)
    }
}

/// `concurrency`: one run (or job) of the group at a time.
#[derive(Clone, Debug, Serialize)]
pub struct Concurrency {
    pub group: String,
    pub cancel_in_progress: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    Push {
        branches: Vec<String>,
        paths: Vec<String>,
        paths_ignore: Vec<String>,
    },
    PullRequest {
        branches: Vec<String>,
        paths: Vec<String>,
        paths_ignore: Vec<String>,
        types: Vec<String>,
    },
    Schedule {
        cron: String,
        #[serde(skip)]
        span: Span,
    },
    Tag {
        pattern: String,
    },
    Manual {
        inputs: Vec<Input>,
    },
    /// `workflow_call`: a reusable workflow.
    Call {
        inputs: Vec<Input>,
        /// Name → (description, required).
        secrets: Vec<CallSecret>,
        outputs: Vec<CallOutput>,
    },
    WorkflowRun {
        workflows: Vec<String>,
        types: Vec<String>,
        branches: Vec<String>,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct CallSecret {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CallOutput {
    pub name: String,
    pub description: Option<String>,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Input {
    pub name: String,
    pub description: Option<String>,
    pub ty: String,
    pub default: Option<String>,
    pub required: bool,
    pub options: Vec<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Job {
    /// For deploy jobs, the environment's name.
    pub name: String,
    /// The name GitHub shows, if not the job's.
    pub display_name: Option<String>,
    pub deploy: Option<Deploy>,
    pub needs: Vec<String>,
    pub runs_on: String,
    /// The job's, else its pipeline's, else the project's; else GitHub's.
    pub timeout: Option<Duration>,
    pub condition: Option<String>,
    /// The GitHub environment the job runs in.
    pub environment: Option<String>,
    pub continue_on_error: bool,
    pub concurrency: Option<Concurrency>,
    pub env: IndexMap<String, String>,
    /// Values per key: a list, or one run-time expression (see `strategy`).
    pub matrix: IndexMap<String, Vec<String>>,
    pub strategy: MatrixOptions,
    /// Service containers by name.
    pub containers: IndexMap<String, ServiceContainer>,
    pub container: Option<Container>,
    /// Outputs: name → value (`${{ steps.ID.outputs.X }}`).
    pub outputs: IndexMap<String, String>,
    /// A call of a reusable workflow instead of steps.
    pub call: Option<WorkflowCall>,
    pub steps: Vec<Step>,
    /// Token permissions the steps need (from templates), e.g. `packages: write`.
    pub permissions: BTreeMap<String, String>,
    /// The permissions written on the job, if any.
    pub own_permissions: Option<BTreeMap<String, String>>,
    /// The `${{ ... }}` expressions of the job's own fields (name,
    /// condition, outputs, container, concurrency, call inputs).
    #[serde(skip)]
    pub exprs: Exprs,
    /// The `${{ ... }}` expressions in `env` and `matrix` values, where
    /// they were written.
    #[serde(skip)]
    pub env_exprs: Exprs,
    #[serde(skip)]
    pub matrix_exprs: Exprs,
    #[serde(skip)]
    pub span: Span,
}

/// A matrix's other settings.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MatrixOptions {
    /// The whole matrix, computed at run time (`fromJSON(...)`).
    pub from: Option<String>,
    /// Keys whose values are one run-time expression.
    pub dynamic: Vec<String>,
    pub include: Vec<IndexMap<String, String>>,
    pub exclude: Vec<IndexMap<String, String>>,
    pub fail_fast: Option<bool>,
    pub max_parallel: Option<u32>,
}

impl MatrixOptions {
    /// Whether the job has a matrix of any form.
    pub fn any(&self, matrix: &IndexMap<String, Vec<String>>) -> bool {
        !matrix.is_empty() || self.from.is_some() || !self.include.is_empty()
    }
}

/// A job's container.
#[derive(Clone, Debug, Serialize)]
pub struct Container {
    pub image: String,
    pub options: Option<String>,
    pub env: IndexMap<String, String>,
}

/// A service container of a job.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ServiceContainer {
    pub image: String,
    pub ports: Vec<String>,
    pub options: Option<String>,
    pub env: IndexMap<String, String>,
}

/// A job that calls a reusable workflow.
#[derive(Clone, Debug, Serialize)]
pub struct WorkflowCall {
    /// `./.github/workflows/X.yml` or `owner/repo/path@ref`.
    pub uses: String,
    pub with: IndexMap<String, String>,
    /// Name → `${{ secrets.X }}`.
    pub secrets: IndexMap<String, String>,
    pub inherit_secrets: bool,
    #[serde(skip)]
    pub span: Span,
}

/// GitHub expressions that reached a workflow field: each `${{ ... }}`
/// with the span where it was written (in the step, a template argument or
/// the project block it came through).
pub type Exprs = Vec<(String, Span)>;

#[derive(Clone, Debug, Serialize)]
pub struct Deploy {
    pub environment: String,
    pub services: Vec<String>,
    /// The rollouts it names (`rollout`, then `rollouts`); those bound to
    /// its environment apply too (`Model::deploy_rollouts`).
    pub rollouts: Vec<String>,
    /// Deploys on pull-request events too.
    pub pull_requests: bool,
    /// How each service is deployed: the steps of the deploy template per
    /// service (empty: the built-in Helm on EKS).
    pub mechanism: Vec<(String, Vec<Step>)>,
    /// Permissions the mechanism's steps need.
    pub mechanism_permissions: BTreeMap<String, String>,
    /// The deploy job's label, and its `rollout` value (else the label).
    #[serde(skip)]
    pub span: Span,
    /// Where each of `rollouts` is named.
    #[serde(skip)]
    pub rollout_spans: Vec<Span>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    Run {
        name: Option<String>,
        id: Option<String>,
        /// Outputs declared, or found written to `$GITHUB_OUTPUT` (`None`:
        /// not known).
        outputs: Option<Vec<String>>,
        timeout: Option<Duration>,
        script: String,
        condition: Option<String>,
        shell: Option<String>,
        working_directory: Option<String>,
        continue_on_error: bool,
        env: IndexMap<String, String>,
        /// The `${{ ... }}` expressions of the script, where they were written.
        #[serde(skip)]
        exprs: Exprs,
        #[serde(skip)]
        env_exprs: Exprs,
        /// Expressions of the other fields (name, condition, directory).
        #[serde(skip)]
        other_exprs: Exprs,
        #[serde(skip)]
        span: Span,
    },
    Action {
        name: Option<String>,
        id: Option<String>,
        /// The outputs a template declares for this step (`None`: not known).
        outputs: Option<Vec<String>>,
        timeout: Option<Duration>,
        continue_on_error: bool,
        /// `owner/repo@ref` (or `owner/repo/path@ref`).
        uses: String,
        /// The version the ref stands for (`v4.2.2`), written as a comment.
        version: Option<String>,
        condition: Option<String>,
        with: IndexMap<String, String>,
        env: IndexMap<String, String>,
        #[serde(skip)]
        with_exprs: Exprs,
        #[serde(skip)]
        env_exprs: Exprs,
        /// Expressions of the other fields (name, condition).
        #[serde(skip)]
        other_exprs: Exprs,
        #[serde(skip)]
        span: Span,
    },
}

impl Step {
    pub fn id(&self) -> Option<&str> {
        match self {
            Step::Run { id, .. } | Step::Action { id, .. } => id.as_deref(),
        }
    }

    pub fn outputs(&self) -> Option<&[String]> {
        match self {
            Step::Run { outputs, .. } | Step::Action { outputs, .. } => outputs.as_deref(),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Step::Run { span, .. } | Step::Action { span, .. } => *span,
        }
    }

    pub fn condition(&self) -> Option<&str> {
        match self {
            Step::Run { condition, .. } | Step::Action { condition, .. } => condition.as_deref(),
        }
    }

    /// Every expression of the step with where it was written.
    pub fn exprs(&self) -> impl Iterator<Item = &(String, Span)> {
        let (a, b, c): (&Exprs, &Exprs, &Exprs) = match self {
            Step::Run {
                exprs,
                env_exprs,
                other_exprs,
                ..
            } => (exprs, env_exprs, other_exprs),
            Step::Action {
                with_exprs,
                env_exprs,
                other_exprs,
                ..
            } => (with_exprs, env_exprs, other_exprs),
        };
        a.iter().chain(b).chain(c)
    }
}
