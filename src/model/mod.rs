//! The resolved model: plain typed data, no syntax nodes. Every
//! environment is fully resolved (`extends` applied), every service is
//! resolved per environment (`in ENV` overrides applied along the `extends`
//! chain), pipelines have their templates expanded and their jobs in
//! dependency order. Backends read only this.
//!
//! Spans are kept where a later check reports on a value (cron, PromQL,
//! action references), as plain data.
//!
//! **Invariant:** collections are `Vec`s in a documented, deterministic order
//! or `BTreeMap`/`IndexMap`s; nothing here depends on hashing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;

use crate::source::Span;
pub use infra::{Bucket, Cluster, Database, Infra, Network, RawResource, StateBackend, TfOutput, TfVariable, Trust};
pub use kube::Taint;
use lookup::{Lookup, find, positions};
pub use units::{Cpu, Duration, Memory};

pub mod diff;
pub mod image;
mod infra;
pub mod kube;
mod lookup;
pub mod names;
mod pipeline;
mod spans;
pub mod units;

pub use pipeline::*;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Model {
    pub project: Project,
    /// In `extends` order: every environment after the one it extends.
    pub environments: Vec<Environment>,
    /// In name order.
    pub services: Vec<Service>,
    /// In name order.
    pub pipelines: Vec<Pipeline>,
    pub rollouts: Vec<Rollout>,
    pub alerts: Vec<Alert>,
    /// Recording rules, in source order.
    pub records: Vec<Record>,
    /// Rule groups, in name order.
    pub groups: Vec<RuleGroup>,
    /// Alert tests written by the user, in source order.
    pub alert_tests: Vec<AlertTest>,
    pub slos: Vec<Slo>,
    /// One per environment with an `infra` block, in environment order.
    pub infra: Vec<Infra>,
    /// Every string that interpolation put together, for the checks that
    /// read strings as they end up (credentials split across `${...}`).
    #[serde(skip)]
    pub interpolated: Vec<Interpolated>,
    /// The project's `handbook/` files, by name.
    #[serde(skip)]
    pub handbook_sources: Vec<HandbookSource>,
    /// What a service that sets nothing is (the registry's defaults): the
    /// shared chart's own values.
    #[serde(skip)]
    pub service_defaults: Option<ServiceConfig>,
    /// Name → position, made once the model is complete ([`Model::seal`]).
    #[serde(skip)]
    lookup: Option<Lookup>,
}

/// A string as interpolation made it.
#[derive(Clone, Debug)]
pub struct Interpolated {
    pub text: String,
    /// Its literal pieces and the values put in: what each was alone.
    pub pieces: Vec<String>,
    /// The string literal.
    pub span: Span,
    /// The user's `uses` it was expanded for, inside a template.
    pub site: Option<Span>,
}

impl Model {
    /// Indexes the complete model by name, so that lookups cost the same in
    /// a project of ten services or a hundred thousand.
    pub fn seal(&mut self) {
        self.lookup = Some(Lookup {
            environments: positions(&self.environments, |e| &e.name),
            services: positions(&self.services, |s| &s.name),
            rollouts: positions(&self.rollouts, |r| &r.name),
            rollouts_by_service: {
                let mut by: HashMap<String, Vec<usize>, foldhash::fast::RandomState> = HashMap::default();
                for (i, r) in self.rollouts.iter().enumerate() {
                    by.entry(r.service.clone()).or_default().push(i);
                }
                by
            },
            alerts: positions(&self.alerts, |a| &a.name),
            infra: positions(&self.infra, |i| &i.environment),
            lens: [
                self.environments.len(),
                self.services.len(),
                self.rollouts.len(),
                self.alerts.len(),
                self.infra.len(),
            ],
        });
    }

    pub fn environment(&self, name: &str) -> Option<&Environment> {
        let index = self.lookup.as_ref().map(|l| (&l.environments, l.lens[0]));
        find(&self.environments, index, name, |e| &e.name)
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        let index = self.lookup.as_ref().map(|l| (&l.services, l.lens[1]));
        find(&self.services, index, name, |s| &s.name)
    }

    pub fn rollout(&self, name: &str) -> Option<&Rollout> {
        let index = self.lookup.as_ref().map(|l| (&l.rollouts, l.lens[2]));
        find(&self.rollouts, index, name, |r| &r.name)
    }

    pub fn alert(&self, name: &str) -> Option<&Alert> {
        let index = self.lookup.as_ref().map(|l| (&l.alerts, l.lens[3]));
        find(&self.alerts, index, name, |a| &a.name)
    }

    pub fn infra(&self, env: &str) -> Option<&Infra> {
        let index = self.lookup.as_ref().map(|l| (&l.infra, l.lens[4]));
        find(&self.infra, index, env, |i| &i.environment)
    }

    /// The cluster that `infra ENV` creates and deploys to ENV target: the
    /// one the environment's `cluster` names (by its local or full name),
    /// else the first one declared.
    pub fn infra_cluster(&self, env: &str) -> Option<&Cluster> {
        self.target_cluster(self.infra(env)?)
    }

    /// The cluster of `infra` that deploys to its environment target (see
    /// [`Model::infra_cluster`]).
    pub fn target_cluster<'i>(&self, infra: &'i Infra) -> Option<&'i Cluster> {
        let env = &infra.environment;
        let wanted = self.environment(env).and_then(|e| e.cluster.as_deref());
        let full = |c: &Cluster| names::cluster_name(&self.project.name, env, &c.name);
        match wanted {
            Some(w) => infra.clusters.iter().find(|c| c.name == w || full(c) == w),
            None => infra.clusters.first(),
        }
    }

    /// The namespace deploys to `env` install into: the environment's, else
    /// Kubernetes' `default`.
    pub fn namespace(&self, env: &str) -> String {
        self.environment(env)
            .and_then(|e| e.namespace.clone())
            .unwrap_or_else(|| "default".to_string())
    }

    /// The namespace Terraform creates for `infra`'s environment in the
    /// cluster it deploys to, where the deploy role may deploy and nowhere
    /// else: unless the role administers the cluster
    /// (`deploy_role { cluster_admin = true }`), or no cluster of `infra`
    /// is deployed to.
    pub fn managed_namespace(&self, infra: &Infra) -> Option<String> {
        (!infra.cluster_admin && self.target_cluster(infra).is_some()).then(|| self.namespace(&infra.environment))
    }

    /// Whether a deploy to `env` creates its namespace (`helm
    /// --create-namespace`): not where Terraform does
    /// ([`Model::managed_namespace`]), since the deploy role may not.
    pub fn deploy_creates_namespace(&self, env: &str) -> bool {
        self.infra(env).and_then(|i| self.managed_namespace(i)).is_none()
    }

    /// The name of the cluster deploys to `env` connect to: the cluster
    /// Terraform creates for it, else the environment's `cluster`.
    pub fn deploy_cluster(&self, env: &str) -> Option<String> {
        match self.infra_cluster(env) {
            Some(c) => Some(names::cluster_name(&self.project.name, env, &c.name)),
            None => self.environment(env).and_then(|e| e.cluster.clone()),
        }
    }

    /// `env`, then the environments it extends, nearest first (a cycle,
    /// reported elsewhere, ends the walk).
    pub fn extends_chain(&self, env: &str) -> Vec<String> {
        let mut out = vec![env.to_string()];
        let mut at = env.to_string();
        while let Some(parent) = self.environment(&at).and_then(|e| e.extends.clone()) {
            if out.contains(&parent) || out.len() > self.environments.len() {
                break;
            }
            out.push(parent.clone());
            at = parent;
        }
        out
    }

    /// The cloud region of `env`: its own, else its `infra` provider's.
    pub fn region(&self, env: &str) -> Option<String> {
        self.environment(env)
            .and_then(|e| e.region.clone())
            .or_else(|| self.infra(env).and_then(|i| i.region.clone()))
    }

    /// The Prometheus address rollout analysis in `env` queries: the
    /// environment's, else the project's.
    pub fn prometheus_address(&self, env: &str) -> Option<String> {
        self.environment(env)
            .and_then(|e| e.prometheus.clone())
            .or_else(|| self.project.prometheus.clone())
    }

    /// The rollout that deploys of `service` to `env` use, if any (the
    /// first deploy job that names one, in pipeline order).
    pub fn rollout_of(&self, service: &str, env: &str) -> Option<&Rollout> {
        self.rollout_index().get(&(service, env)).copied()
    }

    /// [`Model::rollout_of`] for every service and environment at once:
    /// (service, environment) → rollout.
    pub fn rollout_index(&self) -> crate::hash::Map<(&str, &str), &Rollout> {
        let mut out = crate::hash::Map::default();
        for (_, d) in self.deploys() {
            for (r, _) in self.deploy_rollouts(d) {
                out.entry((r.service.as_str(), d.environment.as_str())).or_insert(r);
            }
        }
        out
    }

    /// The rollouts a deploy job waits for, each with where the deploy
    /// names it (`None`: bound to the environment by the rollout's
    /// `environments`): those it names for services it ships, then those
    /// bound to its environment for the other services it ships.
    pub fn deploy_rollouts<'m>(&'m self, d: &'m Deploy) -> Vec<(&'m Rollout, Option<Span>)> {
        let mut out: Vec<(&Rollout, Option<Span>)> = Vec::new();
        for (name, span) in d.rollouts.iter().zip(&d.rollout_spans) {
            if let Some(r) = self.rollout(name).filter(|r| d.services.contains(&r.service)) {
                out.push((r, Some(*span)));
            }
        }
        // The rollouts of the services it ships, in the model's order:
        // through the index of rollouts by service (a search of every
        // rollout per deploy was quadratic in the project's size).
        let candidates: Vec<&Rollout> = match self.lookup.as_ref().filter(|l| l.lens[2] == self.rollouts.len()) {
            Some(l) => {
                let mut at: Vec<usize> = d
                    .services
                    .iter()
                    .filter_map(|s| l.rollouts_by_service.get(s.as_str()))
                    .flatten()
                    .copied()
                    .collect();
                at.sort_unstable();
                at.dedup();
                at.into_iter().filter_map(|i| self.rollouts.get(i)).collect()
            }
            None => self.rollouts.iter().collect(),
        };
        for r in candidates {
            if r.environments.contains(&d.environment)
                && d.services.contains(&r.service)
                && !out.iter().any(|(o, _)| o.service == r.service)
            {
                out.push((r, None));
            }
        }
        out
    }

    /// Every deploy job with its pipeline, in pipeline and job order.
    pub fn deploys(&self) -> impl Iterator<Item = (&Pipeline, &Deploy)> {
        self.pipelines
            .iter()
            .flat_map(|p| p.jobs.iter().filter_map(move |j| j.deploy.as_ref().map(|d| (p, d))))
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Project {
    pub name: String,
    pub repo: String,
    pub registry: Option<String>,
    pub owner: Option<String>,
    pub prometheus: Option<String>,
    /// The External Secrets store that service secrets are read from.
    pub secret_store: Option<String>,
    pub description: Option<String>,
    /// The run time of jobs that set none (nor their pipeline).
    pub timeout: Option<Duration>,
    /// Rules are also written as a `PrometheusRule` resource.
    pub prometheus_rule: bool,
    pub rule_namespace: Option<String>,
    pub rule_labels: IndexMap<String, String>,
    /// The `.dvc` files of the project, relative as given, in load order.
    pub sources: Vec<String>,
    /// The delivery handbook, when the project asks for it (`handbook { }`).
    pub handbook: Option<Handbook>,
}

/// Where the delivery handbook goes (the `docs` target).
#[derive(Clone, Debug, Serialize)]
pub struct Handbook {
    /// The pages' directory, relative to the output directory.
    pub path: String,
    /// Where the pages are published: alerts without a runbook link there.
    pub url: Option<String>,
    #[serde(skip)]
    pub path_span: Span,
}

/// A file of the project's `handbook/` directory: a template replacing a
/// bundled one (`service.md.hbs`) or the team's notes for an alert's
/// runbook page (`runbooks/ALERT.md`).
#[derive(Clone, Debug)]
pub struct HandbookSource {
    /// Relative to `handbook/`, with `/`.
    pub name: String,
    /// The file as loaded (what headers name).
    pub path: String,
    pub text: String,
    /// The file, for diagnostics.
    pub file: crate::source::FileId,
}

#[derive(Clone, Debug, Serialize)]
pub struct Environment {
    pub name: String,
    pub extends: Option<String>,
    pub after: Option<String>,
    pub approval: bool,
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    pub region: Option<String>,
    pub url: Option<String>,
    pub prometheus: Option<String>,
    pub secret_store: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Service {
    pub name: String,
    /// The `.dvc` file that declares it (as loaded).
    #[serde(skip)]
    pub source: String,
    /// Values shared by every environment (no override applied).
    pub base: Arc<ServiceConfig>,
    /// The resolved values per environment, for every environment. An
    /// environment that overrides nothing (nor do its parents) shares its
    /// parent's values (a `ServiceConfig` is 1.5 KB; at 10,000 services
    /// copies of it were a quarter of the memory).
    pub per_env: BTreeMap<String, Arc<ServiceConfig>>,
    /// Deployed by its own copy of the bundled chart (`chart = own`), not
    /// the project's shared one.
    pub own_chart: bool,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceConfig {
    pub image: String,
    pub port: Option<u16>,
    pub health: Option<String>,
    pub replicas: u32,
    pub command: Vec<String>,
    pub team: Option<String>,
    pub cpu: Option<Cpu>,
    pub cpu_limit: Option<Cpu>,
    pub memory: Option<Memory>,
    /// Else the request.
    pub memory_limit: Option<Memory>,
    pub ingress: Option<Box<Ingress>>,
    /// The path Prometheus scrapes (`None`: no ServiceMonitor).
    pub metrics: Option<String>,
    /// The (non-root) user and group id of the container.
    pub run_as_user: u32,
    pub env: IndexMap<String, String>,
    /// Variable name → secret name.
    pub secrets: IndexMap<String, String>,
    pub autoscale: Option<Autoscale>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// `ClusterIP`, `NodePort` or `LoadBalancer`.
    pub service_type: String,
    /// The Service's port, when it differs from the container's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_port: Option<u16>,
    /// More named container ports.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub ports: IndexMap<String, u16>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub node_selector: IndexMap<String, String>,
    /// As written: `KEY=VALUE:EFFECT`, `KEY:EFFECT`, `KEY`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<String>,
    /// Topology keys the pods spread across.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spread: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_class: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub pod_annotations: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub pod_labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub account_annotations: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Box<Probe>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Box<Probe>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup: Option<Box<Probe>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_policy: Option<Box<NetworkPolicy>>,
    /// A Gateway API HTTPRoute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<Box<Route>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    /// More pod spec fields (`extra_pod { }`), as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_pod: Option<Box<serde_json::Value>>,
    /// More container fields (`extra_container { }`), as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_container: Option<Box<serde_json::Value>>,
}

/// A container probe.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    pub check: ProbeCheck,
    /// Else the service's port.
    pub port: Option<u16>,
    pub initial_delay_seconds: Option<u32>,
    pub period_seconds: u32,
    pub timeout_seconds: u32,
    pub failure_threshold: u32,
}

/// What a probe does.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeCheck {
    Http(String),
    Grpc,
    Tcp,
}

/// An HTTPRoute from a Gateway to a service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Route {
    pub gateway: String,
    /// Else the service's.
    pub gateway_namespace: Option<String>,
    pub host: Option<String>,
    pub path: String,
}

/// Who may connect to a service's pods.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkPolicy {
    /// Services (their pods, in the same namespace).
    pub from: Vec<String>,
    pub namespaces: Vec<String>,
}

/// A volume mounted into the container.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Volume {
    pub name: String,
    pub mount: String,
    pub source: VolumeSource,
    pub read_only: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeSource {
    /// Scratch space, gone with the pod.
    Empty,
    /// A persistent volume claim the chart creates.
    Claim {
        size: Memory,
        class: Option<String>,
    },
    ConfigMap(String),
    /// A Kubernetes Secret's keys as files.
    Secret(String),
}

/// An Ingress to a service's port.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ingress {
    pub host: String,
    pub path: String,
    pub class: Option<String>,
    /// The Secret holding the host's TLS certificate.
    pub tls: Option<String>,
    pub annotations: IndexMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Autoscale {
    pub min: u32,
    pub max: u32,
    /// Target CPU utilisation in percent.
    pub cpu: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Rollout {
    pub name: String,
    /// The `.dvc` file that declares it (as loaded).
    #[serde(skip)]
    pub source: String,
    pub service: String,
    /// Environments where every deploy of the service uses it.
    pub environments: Vec<String>,
    pub strategy: Strategy,
    pub abort_on: Vec<String>,
    /// SLOs whose fast burn aborts.
    pub abort_on_slo: Vec<String>,
    /// Conditions on queries.
    pub gates: Vec<Gate>,
    /// Time a step may take to progress before the rollout aborts.
    pub progress_deadline: Option<Duration>,
    pub analysis: AnalysisTuning,
    /// What splits a canary's traffic (else pods do).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Traffic>,
    /// Containers run as steps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    #[serde(skip)]
    pub span: Span,
}

/// A container run as a step of a rollout.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub name: String,
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    /// A canary's steps before it (0: before the first).
    pub after_step: u32,
    pub timeout: Duration,
    #[serde(skip)]
    pub span: Span,
}

/// A canary's traffic routing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Traffic {
    /// `istio`, `nginx` or `alb`.
    pub router: String,
    pub gateways: Vec<String>,
    pub hosts: Vec<String>,
    /// A/B: requests with this header (and value) go to the new version.
    pub header: Option<(String, String)>,
    #[serde(skip)]
    pub span: Span,
}

impl Rollout {
    /// Whether anything is measured while it runs (alerts, SLOs, gates).
    pub fn analysed(&self) -> bool {
        !(self.abort_on.is_empty() && self.abort_on_slo.is_empty() && self.gates.is_empty())
    }
}

/// A rollout gate: a query whose value must stay below or above a bound.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gate {
    pub name: String,
    pub query: String,
    pub below: Option<f64>,
    pub above: Option<f64>,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub query_span: Span,
}

/// How a rollout's `abort_on` alerts are measured (Argo's metric fields).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AnalysisTuning {
    pub interval: Duration,
    /// Measurements before success; `None`: as the strategy needs (a
    /// canary's background analysis runs until the rollout ends; a
    /// blue-green pre-promotion analysis takes 5).
    pub count: Option<u32>,
    pub failure_limit: u32,
    pub initial_delay: Option<Duration>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Strategy {
    Canary {
        steps: Vec<CanaryStep>,
    },
    BlueGreen {
        preview: bool,
        auto_promote: bool,
        scale_down_delay: Duration,
        /// The analysis runs again after the switch.
        post_promotion: bool,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct CanaryStep {
    /// Percent of traffic.
    pub weight: f64,
    pub pause: Pause,
    /// Where the weight is written.
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pause {
    None,
    For(Duration),
    Manual,
}

#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    /// The block's name (what `abort_on` names).
    pub name: String,
    /// The name in Prometheus (`alertname`).
    pub alert_name: String,
    /// Empty for an alert on no service.
    pub service: String,
    pub expr: String,
    pub for_: Duration,
    pub keep_firing_for: Option<Duration>,
    pub severity: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub runbook: Option<String>,
    /// The alert's team, else its service's, else the project owner.
    pub team: Option<String>,
    pub labels: IndexMap<String, String>,
    /// Add `team` and `service` for routing (never replacing the series' own).
    pub routing_labels: bool,
    /// More annotations, after `summary`, `description` and `runbook_url`.
    pub annotations: IndexMap<String, String>,
    /// The rule group it is evaluated in.
    pub group: Option<String>,
    /// The `.dvc` file that declares it (as loaded).
    #[serde(skip)]
    pub source: String,
    #[serde(skip)]
    pub expr_span: Span,
    #[serde(skip)]
    pub span: Span,
}

/// How an SLO's page or ticket alerts are routed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SloRoute {
    pub severity: String,
    pub runbook: Option<String>,
    pub labels: IndexMap<String, String>,
    /// The `for` of these alerts, when set (else each row's own).
    pub for_: Option<Duration>,
}

/// The burn-rate table of an SLO's alerts (`target::slo` has the rows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BurnPolicy {
    /// The SRE workbook's rates (14.4, 6, 3, 1) for every window.
    #[default]
    Workbook,
    /// Sloth's: the workbook's budget shares (2%, 5%, 10%, 10%) kept for
    /// every window, so the rates scale with it.
    Sloth,
    /// Pyrra's: rates 14, 7, 2, 1 over windows scaled to the SLO's.
    Pyrra,
}

/// A Prometheus rule group declared by the user.
#[derive(Clone, Debug, Serialize)]
pub struct RuleGroup {
    pub name: String,
    pub interval: Option<Duration>,
    pub limit: Option<u32>,
    #[serde(skip)]
    pub span: Span,
}

/// A promtool test of an alert, written by the user.
#[derive(Clone, Debug, Serialize)]
pub struct AlertTest {
    pub name: String,
    /// The alert block tested.
    pub alert: String,
    pub interval: Duration,
    /// (series, values).
    pub inputs: Vec<(String, String)>,
    /// (time, the firing alert's labels); `None` for "silent at".
    pub expects: Vec<(Duration, Option<IndexMap<String, String>>)>,
    #[serde(skip)]
    pub series_spans: Vec<Span>,
    #[serde(skip)]
    pub span: Span,
}

/// A recording rule.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    /// The recorded metric's name.
    pub metric: String,
    pub expr: String,
    pub labels: IndexMap<String, String>,
    pub group: Option<String>,
    /// The `.dvc` file that declares it (as loaded).
    #[serde(skip)]
    pub source: String,
    #[serde(skip)]
    pub expr_span: Span,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Slo {
    pub name: String,
    pub service: String,
    /// Percent, e.g. 99.9.
    pub objective: f64,
    pub window: Duration,
    /// Which burn-rate table its alerts follow.
    pub policy: BurnPolicy,
    /// PromQL with `${window}` left in place for each window.
    pub errors: String,
    pub total: String,
    pub description: Option<String>,
    pub team: Option<String>,
    /// The name of its burn-rate alerts.
    pub alert_name: String,
    /// Labels of every rule of the SLO.
    pub labels: IndexMap<String, String>,
    pub page: SloRoute,
    pub ticket: SloRoute,
    /// The `.dvc` file that declares it (as loaded).
    #[serde(skip)]
    pub source: String,
    /// Where `errors`, `total`, `objective` and `window` were written.
    #[serde(skip)]
    pub errors_span: Span,
    #[serde(skip)]
    pub total_span: Span,
    #[serde(skip)]
    pub objective_span: Span,
    #[serde(skip)]
    pub span: Span,
}
