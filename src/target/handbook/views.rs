//! The data each handbook template is rendered with: typed views of the
//! resolved model. Every string is Markdown, ready to paste (names and
//! values escaped, code as code spans); `docs/language.md` lists the
//! fields for template authors.

use serde::Serialize;

use super::markdown::{NONE, code, code_or_none, link, or_none, text};
use crate::diagram::ProjectGraph;
use crate::model::diff;
use crate::model::{Alert, Model, Pause, Rollout, Strategy};
use crate::target::paths;

/// Links between pages: from a page `depth` directories below the
/// handbook's own.
fn up(depth: usize) -> String {
    "../".repeat(depth)
}

pub(super) fn service_link(name: &str, depth: usize) -> String {
    link(name, &format!("{}{}", up(depth), paths::handbook_service(name)))
}

fn environment_link(name: &str, depth: usize) -> String {
    link(name, &format!("{}{}", up(depth), paths::handbook_environment(name)))
}

pub(super) fn alert_link(name: &str, depth: usize) -> String {
    link(name, &format!("{}{}", up(depth), paths::handbook_alert(name)))
}

pub(super) fn slo_link(name: &str, depth: usize) -> String {
    link(name, &format!("{}{}", up(depth), paths::handbook_slo(name)))
}

/// What every page has.
#[derive(Serialize)]
pub struct Common {
    /// The project's name.
    pub project: String,
    /// The `.dvc` files the page comes from.
    pub sources: String,
}

// ---- the index ---------------------------------------------------------------

#[derive(Serialize)]
pub struct Index {
    #[serde(flatten)]
    pub common: Common,
    pub description: Option<String>,
    pub repo: String,
    pub owner: String,
    /// In promotion order.
    pub environments: Vec<EnvRow>,
    /// Mermaid: environments with their `extends` and `after` edges.
    pub promotion: String,
    pub services: Vec<ServiceRow>,
    pub pipelines: Vec<PipelineRow>,
    pub owners: Vec<OwnerRow>,
    pub alerts: Vec<AlertRow>,
    pub slos: Vec<SloIndexRow>,
}

#[derive(Serialize)]
pub struct SloIndexRow {
    pub name: String,
    pub link: String,
    pub service: String,
    pub objective: String,
    pub window: String,
    pub budget: String,
}

#[derive(Serialize)]
pub struct EnvRow {
    pub name: String,
    pub link: String,
    pub extends: String,
    pub after: String,
    pub approval: String,
    pub cluster: String,
    pub namespace: String,
}

#[derive(Serialize)]
pub struct ServiceRow {
    pub name: String,
    pub link: String,
    pub team: String,
    pub image: String,
}

#[derive(Serialize)]
pub struct PipelineRow {
    pub name: String,
    /// `push`, `pull_request`, ...
    pub triggers: String,
    pub jobs: usize,
    /// Environments it deploys to, linked.
    pub deploys: String,
    /// Mermaid: its jobs and their `needs`.
    pub diagram: String,
}

#[derive(Serialize)]
pub struct OwnerRow {
    pub team: String,
    pub services: String,
    pub alerts: String,
}

#[derive(Serialize)]
pub struct AlertRow {
    pub name: String,
    pub link: String,
    pub severity: String,
    pub service: String,
    pub team: String,
    pub summary: String,
}

/// Environments in promotion order: each after the one it comes `after`
/// (else in declaration order).
fn promotion_order(model: &Model) -> Vec<&crate::model::Environment> {
    let mut out: Vec<&crate::model::Environment> = Vec::new();
    let mut left: Vec<&crate::model::Environment> = model.environments.iter().collect();
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|e| {
                e.after
                    .as_ref()
                    .is_none_or(|a| out.iter().any(|o| &o.name == a) || model.environment(a).is_none())
            })
            .unwrap_or(0);
        out.push(left.remove(ready));
    }
    out
}

/// A service's team: its own, else the project's owner.
fn team_of<'m>(model: &'m Model, s: &'m crate::model::Service) -> Option<&'m str> {
    s.base.team.as_deref().or(model.project.owner.as_deref())
}

pub fn index(model: &Model, graph: &ProjectGraph, common: Common) -> Index {
    let p = &model.project;
    let environments = promotion_order(model)
        .into_iter()
        .map(|e| EnvRow {
            name: text(&e.name),
            link: environment_link(&e.name, 0),
            extends: e
                .extends
                .as_deref()
                .map_or(NONE.to_string(), |x| environment_link(x, 0)),
            after: e.after.as_deref().map_or(NONE.to_string(), |x| environment_link(x, 0)),
            approval: if e.approval { "required" } else { NONE }.to_string(),
            cluster: code_or_none(model.deploy_cluster(&e.name).as_deref()),
            namespace: code_or_none(e.namespace.as_deref()),
        })
        .collect();
    let services = model
        .services
        .iter()
        .map(|s| ServiceRow {
            name: text(&s.name),
            link: service_link(&s.name, 0),
            team: or_none(team_of(model, s)),
            image: code(&s.base.image),
        })
        .collect();
    let pipelines = model
        .pipelines
        .iter()
        .map(|pl| {
            let mut envs: Vec<&str> = Vec::new();
            for j in &pl.jobs {
                if let Some(d) = &j.deploy
                    && !envs.contains(&d.environment.as_str())
                {
                    envs.push(&d.environment);
                }
            }
            PipelineRow {
                name: text(&pl.name),
                triggers: triggers(pl),
                jobs: pl.jobs.len(),
                deploys: joined(envs.iter().map(|e| environment_link(e, 0))),
                diagram: graph
                    .restrict(|n| n.pipeline.as_deref() == Some(pl.name.as_str()))
                    .mermaid(),
            }
        })
        .collect();
    // Team → (its services, its alerts), in one pass over each.
    let mut teams: std::collections::BTreeMap<&str, (Vec<String>, Vec<String>)> = Default::default();
    for s in &model.services {
        if let Some(t) = team_of(model, s) {
            teams.entry(t).or_default().0.push(service_link(&s.name, 0));
        }
    }
    for a in &model.alerts {
        if let Some(t) = a.team.as_deref() {
            teams.entry(t).or_default().1.push(alert_link(&a.name, 0));
        }
    }
    let owners = teams
        .into_iter()
        .map(|(t, (services, alerts))| OwnerRow {
            team: text(t),
            services: joined(services.into_iter()),
            alerts: joined(alerts.into_iter()),
        })
        .collect();
    let alerts = model.alerts.iter().map(|a| alert_row(a, 0)).collect();
    let slos = model
        .slos
        .iter()
        .map(|s| SloIndexRow {
            name: text(&s.name),
            link: slo_link(&s.name, 0),
            service: service_link(&s.service, 0),
            objective: format!("{}%", crate::model::units::number(s.objective)),
            window: s.window.to_string(),
            budget: super::slo::budget(s),
        })
        .collect();
    Index {
        common,
        description: p.description.as_deref().map(text),
        repo: code(&p.repo),
        owner: or_none(p.owner.as_deref()),
        environments,
        promotion: graph
            .restrict(|n| n.kind == crate::diagram::NodeKind::Environment)
            .mermaid(),
        services,
        pipelines,
        owners,
        alerts,
        slos,
    }
}

fn alert_row(a: &Alert, depth: usize) -> AlertRow {
    AlertRow {
        name: text(&a.name),
        link: alert_link(&a.name, depth),
        severity: text(&a.severity),
        service: if a.service.is_empty() {
            NONE.to_string()
        } else {
            service_link(&a.service, depth)
        },
        team: or_none(a.team.as_deref()),
        summary: or_none(a.summary.as_deref()),
    }
}

fn triggers(p: &crate::model::Pipeline) -> String {
    let kinds: Vec<String> = p
        .triggers
        .iter()
        .filter_map(|t| serde_json::to_value(t).ok())
        .filter_map(|v| v.get("kind").and_then(|k| k.as_str()).map(code))
        .collect();
    if kinds.is_empty() {
        NONE.to_string()
    } else {
        kinds.join(", ")
    }
}

/// Comma-separated, or [`NONE`].
fn joined(items: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = items.collect();
    if all.is_empty() {
        NONE.to_string()
    } else {
        all.join(", ")
    }
}

// ---- a service ---------------------------------------------------------------

#[derive(Serialize)]
pub struct ServicePage {
    #[serde(flatten)]
    pub common: Common,
    pub name: String,
    pub team: String,
    pub image: String,
    /// The chart it is installed from (a path).
    pub chart: String,
    /// Environment names, the columns of `values`.
    pub environments: Vec<String>,
    /// Every resolved value, one row per setting.
    pub values: Vec<ValueRow>,
    pub deploys: Vec<DeployRow>,
    pub rollouts: Vec<RolloutRow>,
    pub alerts: Vec<AlertRow>,
    pub slos: Vec<SloRow>,
    /// Mermaid: the service and what it is linked to.
    pub diagram: String,
}

#[derive(Serialize)]
pub struct ValueRow {
    pub setting: String,
    /// One per environment, in `environments` order.
    pub cells: Vec<String>,
}

#[derive(Serialize)]
pub struct DeployRow {
    pub pipeline: String,
    pub job: String,
    pub environment: String,
    pub rollout: String,
}

#[derive(Serialize)]
pub struct RolloutRow {
    pub environment: String,
    pub strategy: String,
}

#[derive(Serialize)]
pub struct SloRow {
    pub name: String,
    pub objective: String,
    pub window: String,
    /// The error budget: minutes of full outage per window.
    pub budget: String,
    pub description: String,
}

/// The resolved values of a service's configuration by setting, for the
/// handbook: the escape hatches (`extra_*`, raw JSON) left out.
fn settings(cfg: &crate::model::ServiceConfig) -> indexmap::IndexMap<String, String> {
    let mut v = serde_json::to_value(cfg).unwrap_or_default();
    if let serde_json::Value::Object(m) = &mut v {
        m.remove("extra_pod");
        m.remove("extra_container");
    }
    let mut out = indexmap::IndexMap::new();
    diff::flatten(&v, "", &mut out);
    out
}

pub fn service(model: &Model, graph: &ProjectGraph, s: &crate::model::Service, common: Common) -> ServicePage {
    let envs: Vec<&str> = model.environments.iter().map(|e| e.name.as_str()).collect();
    let per_env: Vec<indexmap::IndexMap<String, String>> = envs
        .iter()
        .map(|e| s.per_env.get(*e).map(|c| settings(c)).unwrap_or_default())
        .collect();
    let mut keys: Vec<&String> = Vec::new();
    for m in &per_env {
        for k in m.keys() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let values = keys
        .iter()
        .map(|k| ValueRow {
            setting: code(k),
            cells: per_env
                .iter()
                .map(|m| code_or_none(m.get(*k).map(String::as_str)))
                .collect(),
        })
        .collect();
    let mut deploys = Vec::new();
    for (p, d) in model.deploys() {
        if !d.services.contains(&s.name) {
            continue;
        }
        let job = job_of(p, d);
        let rollout = model
            .deploy_rollouts(d)
            .into_iter()
            .find(|(r, _)| r.service == s.name)
            .map_or(NONE.to_string(), |(r, _)| code(&r.name));
        deploys.push(DeployRow {
            pipeline: code(&p.name),
            job,
            environment: environment_link(&d.environment, 1),
            rollout,
        });
    }
    let rollouts = envs
        .iter()
        .map(|e| RolloutRow {
            environment: environment_link(e, 1),
            strategy: model
                .rollout_of(&s.name, e)
                .map_or_else(|| "rolling update (no rollout)".to_string(), strategy),
        })
        .collect();
    let alerts = model
        .alerts
        .iter()
        .filter(|a| a.service == s.name)
        .map(|a| alert_row(a, 1))
        .collect();
    let slos = model
        .slos
        .iter()
        .filter(|x| x.service == s.name)
        .map(|x| SloRow {
            name: slo_link(&x.name, 1),
            objective: format!("{}%", crate::model::units::number(x.objective)),
            window: x.window.to_string(),
            budget: super::slo::budget(x),
            description: or_none(x.description.as_deref()),
        })
        .collect();
    let chart = paths::chart_of(&model.project.name, &s.name, s.own_chart);
    ServicePage {
        common,
        name: text(&s.name),
        team: or_none(team_of(model, s)),
        image: code(&s.base.image),
        chart: code(&format!("{chart}/")),
        environments: envs.iter().map(|e| text(e)).collect(),
        values,
        deploys,
        rollouts,
        alerts,
        slos,
        diagram: graph.around(&format!("service:{}", s.name)).mermaid(),
    }
}

/// The name of the job of `p` that is deploy `d`, as code.
fn job_of(p: &crate::model::Pipeline, d: &crate::model::Deploy) -> String {
    p.jobs
        .iter()
        .find(|j| j.deploy.as_ref().is_some_and(|x| std::ptr::eq(x, d)))
        .map_or(String::new(), |j| code(&j.name))
}

/// A rollout's strategy in a few words: `canary 20% → 5m → 50% → manual
/// → 100%`, `blue-green, preview, manual promotion`.
pub fn strategy(r: &Rollout) -> String {
    let what = match &r.strategy {
        Strategy::Canary { steps } => {
            let mut parts = Vec::new();
            for s in steps {
                parts.push(format!("{}%", crate::model::units::number(s.weight)));
                match &s.pause {
                    Pause::None => {}
                    Pause::For(d) => parts.push(format!("pause {d}")),
                    Pause::Manual => parts.push("manual promotion".to_string()),
                }
            }
            format!("canary {}", parts.join(" → "))
        }
        Strategy::BlueGreen {
            preview, auto_promote, ..
        } => {
            let mut parts = vec!["blue-green".to_string()];
            if *preview {
                parts.push("preview".to_string());
            }
            parts.push(
                if *auto_promote {
                    "automatic promotion"
                } else {
                    "manual promotion"
                }
                .to_string(),
            );
            parts.join(", ")
        }
    };
    let mut out = format!("{} ({})", code(&r.name), text(&what));
    if !r.abort_on.is_empty() {
        let alerts: Vec<String> = r.abort_on.iter().map(|a| alert_link(a, 1)).collect();
        out.push_str(&format!("; aborts on {}", alerts.join(", ")));
    }
    out
}

// ---- an environment --------------------------------------------------------------

#[derive(Serialize)]
pub struct EnvironmentPage {
    #[serde(flatten)]
    pub common: Common,
    pub name: String,
    pub extends: Option<String>,
    pub after: String,
    pub approval: String,
    pub cluster: String,
    pub namespace: String,
    pub region: String,
    pub url: String,
    pub deploys: Vec<EnvDeployRow>,
    /// What its `infra` block creates.
    pub infra: Vec<InfraRow>,
    /// What differs from the environment it extends.
    pub changes: Vec<ChangeRow>,
}

/// A deploy job to an environment.
#[derive(Serialize)]
pub struct EnvDeployRow {
    pub pipeline: String,
    pub job: String,
    /// The services it ships, linked.
    pub services: String,
    pub rollouts: String,
}

#[derive(Serialize)]
pub struct InfraRow {
    pub kind: String,
    pub name: String,
    pub detail: String,
}

#[derive(Serialize)]
pub struct ChangeRow {
    /// The service (linked), or `environment` / `infra`.
    pub subject: String,
    pub setting: String,
    /// In the environment it extends.
    pub inherited: String,
    pub value: String,
}

pub fn environment(model: &Model, e: &crate::model::Environment, common: Common) -> EnvironmentPage {
    let deploys = model
        .deploys()
        .filter(|(_, d)| d.environment == e.name)
        .map(|(p, d)| EnvDeployRow {
            pipeline: code(&p.name),
            job: job_of(p, d),
            services: joined(d.services.iter().map(|s| service_link(s, 1))),
            rollouts: joined(model.deploy_rollouts(d).into_iter().map(|(r, _)| code(&r.name))),
        })
        .collect();
    let mut infra = Vec::new();
    if let Some(i) = model.infra(&e.name) {
        infra.push(InfraRow {
            kind: "network".to_string(),
            name: code(&i.network.cidr),
            detail: format!("{} zones", i.network.zones),
        });
        for c in &i.clusters {
            infra.push(InfraRow {
                kind: "cluster".to_string(),
                name: code(&crate::model::names::cluster_name(
                    &model.project.name,
                    &e.name,
                    &c.name,
                )),
                detail: text(&format!(
                    "{} {}, {}–{} × {}",
                    c.kind, c.version, c.min_nodes, c.max_nodes, c.instance
                )),
            });
        }
        for d in &i.databases {
            infra.push(InfraRow {
                kind: "database".to_string(),
                name: code(&d.name),
                detail: text(&format!("{} {}, {}, {}", d.engine, d.version, d.size, d.storage)),
            });
        }
        for b in &i.buckets {
            infra.push(InfraRow {
                kind: "bucket".to_string(),
                name: code(&b.name),
                detail: if b.versioning { "versioned" } else { NONE }.to_string(),
            });
        }
        // What the deploy jobs may do in the cluster they connect to.
        let access = match (model.managed_namespace(i), model.target_cluster(i)) {
            (Some(ns), _) => format!("deploys into namespace {} only", code(&ns)),
            (None, Some(_)) => "cluster administrator".to_string(),
            (None, None) => "no cluster access".to_string(),
        };
        infra.push(InfraRow {
            kind: "deploy role".to_string(),
            name: code(&crate::model::names::deploy_role(&model.project.name, &e.name)),
            detail: access,
        });
        for r in &i.resources {
            infra.push(InfraRow {
                kind: "resource".to_string(),
                name: code(&format!("{}.{}", r.ty, r.name)),
                detail: NONE.to_string(),
            });
        }
    }
    let changes = match &e.extends {
        Some(parent) => diff::environments(model, parent, &e.name, None)
            .into_iter()
            .flat_map(|c| {
                let subject = match c.kind {
                    "service" => service_link(&c.name, 1),
                    other => other.to_string(),
                };
                c.changes.into_iter().map(move |ch| ChangeRow {
                    subject: subject.clone(),
                    setting: code(&ch.key),
                    inherited: code_or_none(ch.left.as_deref()),
                    value: code_or_none(ch.right.as_deref()),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    EnvironmentPage {
        common,
        name: text(&e.name),
        extends: e.extends.as_deref().map(|x| environment_link(x, 1)),
        after: e.after.as_deref().map_or(NONE.to_string(), |x| environment_link(x, 1)),
        approval: if e.approval { "required" } else { "not required" }.to_string(),
        cluster: code_or_none(model.deploy_cluster(&e.name).as_deref()),
        namespace: code_or_none(e.namespace.as_deref()),
        region: code_or_none(model.region(&e.name).as_deref()),
        url: e.url.as_deref().map_or(NONE.to_string(), |u| link(u, u)),
        deploys,
        infra,
        changes,
    }
}

// ---- an alert's runbook ------------------------------------------------------------

#[derive(Serialize)]
pub struct AlertPage {
    #[serde(flatten)]
    pub common: Common,
    pub name: String,
    /// Its name in Prometheus.
    pub alert_name: String,
    pub service: String,
    pub severity: String,
    pub team: String,
    pub summary: String,
    pub description: Option<String>,
    /// The PromQL, for a fenced block (not escaped).
    pub expr: String,
    /// The fence the expression's block needs.
    pub fence: String,
    /// `for`.
    pub pending: String,
    /// The runbook it links to, when not this page.
    pub runbook: Option<String>,
    /// Rollouts that abort when it fires.
    pub gates: Vec<String>,
    /// The SLOs of its service.
    pub slos: Vec<String>,
    /// The team's notes (`handbook/runbooks/ALERT.md`), as written.
    pub notes: Option<String>,
    /// Where the team's notes go.
    pub notes_path: String,
}

pub fn alert(model: &Model, a: &Alert, published: Option<&str>, common: Common) -> AlertPage {
    let notes_name = format!("runbooks/{}.md", a.name);
    let notes = model
        .handbook_sources
        .iter()
        .find(|s| s.name == notes_name)
        .map(|s| s.text.trim_end().to_string());
    let own = published.map(|url| paths::runbook_url(url, &a.name));
    AlertPage {
        common,
        name: text(&a.name),
        alert_name: code(&a.alert_name),
        service: if a.service.is_empty() {
            NONE.to_string()
        } else {
            service_link(&a.service, 1)
        },
        severity: text(&a.severity),
        team: or_none(a.team.as_deref()),
        summary: or_none(a.summary.as_deref()),
        description: a.description.as_deref().map(text),
        fence: super::markdown::fence(&a.expr),
        expr: a.expr.trim_end().to_string(),
        pending: a.for_.to_string(),
        runbook: a
            .runbook
            .as_deref()
            .filter(|r| own.as_deref() != Some(*r))
            .map(|r| link(r, r)),
        gates: model
            .rollouts
            .iter()
            .filter(|r| r.abort_on.contains(&a.name))
            .map(|r| format!("{} of {}", code(&r.name), service_link(&r.service, 1)))
            .collect(),
        slos: model
            .slos
            .iter()
            .filter(|s| !a.service.is_empty() && s.service == a.service)
            .map(|s| {
                format!(
                    "{} ({}% over {})",
                    slo_link(&s.name, 1),
                    crate::model::units::number(s.objective),
                    s.window
                )
            })
            .collect(),
        notes,
        notes_path: code(&format!("{}/{notes_name}", crate::load::HANDBOOK_SOURCES)),
    }
}
