//! Helm: per service, the chart bundled in `stdlib/helm/` (Deployment or
//! Argo Rollouts `Rollout`, Services, HPA, PodDisruptionBudget,
//! ServiceMonitor, AnalysisTemplate, ExternalSecrets) with its strict
//! `values.schema.json`, and the values from the model:
//!
//! - the full values of every environment are built as typed data
//!   ([`Values`]) from the service's resolved configuration there, the
//!   rollout its deploy jobs use and the environment's Prometheus address;
//! - `values.yaml` holds the service's declared defaults, with every value
//!   that is the same in all environments;
//! - `values-<env>.yaml` holds exactly what differs from `values.yaml` for
//!   that environment (a `null` removes a key, as Helm does).
//!
//! Merged as Helm merges ([`coalesce`]), `values.yaml` and an overlay give
//! back that environment's full values; a test reads the written files back
//! with a YAML 1.1 reader and checks this for every service and environment.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Artifact, Backend, Context, MARK, yaml};
use crate::model::units::Duration;
use crate::model::{Model, Pause, Rollout, Service, ServiceConfig, Strategy};
use crate::target::paths;

pub struct Helm;

/// The bundled chart's templates: path under the chart, contents.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "templates/_helpers.tpl",
        include_str!("../../stdlib/helm/templates/_helpers.tpl"),
    ),
    (
        "templates/analysistemplate.yaml",
        include_str!("../../stdlib/helm/templates/analysistemplate.yaml"),
    ),
    (
        "templates/deployment.yaml",
        include_str!("../../stdlib/helm/templates/deployment.yaml"),
    ),
    (
        "templates/externalsecret.yaml",
        include_str!("../../stdlib/helm/templates/externalsecret.yaml"),
    ),
    (
        "templates/hpa.yaml",
        include_str!("../../stdlib/helm/templates/hpa.yaml"),
    ),
    (
        "templates/pdb.yaml",
        include_str!("../../stdlib/helm/templates/pdb.yaml"),
    ),
    (
        "templates/rollout.yaml",
        include_str!("../../stdlib/helm/templates/rollout.yaml"),
    ),
    (
        "templates/service.yaml",
        include_str!("../../stdlib/helm/templates/service.yaml"),
    ),
    (
        "templates/serviceaccount.yaml",
        include_str!("../../stdlib/helm/templates/serviceaccount.yaml"),
    ),
    (
        "templates/servicemonitor.yaml",
        include_str!("../../stdlib/helm/templates/servicemonitor.yaml"),
    ),
];

/// The values schema every chart carries (JSON Schema draft 7).
const SCHEMA: &str = include_str!("../../stdlib/helm/values.schema.json");

/// How often the analysis queries each `abort_on` alert's expression.
const ANALYSIS_INTERVAL: &str = "1m";

impl Backend for Helm {
    fn name(&self) -> &'static str {
        "helm"
    }

    fn owned_dirs(&self) -> &'static [&'static str] {
        &[paths::HELM_DIR]
    }

    fn generate(&self, model: &Model, ctx: &Context<'_>) -> Vec<Artifact> {
        let sources = sources(model);
        // The same in every chart: made once.
        let fixed = fixed_files();
        let rollouts = model.rollout_index();
        let mut out = Vec::new();
        for svc in &model.services {
            let own = sources.get(svc.name.as_str()).map_or(&[][..], Vec::as_slice);
            out.extend(chart(model, svc, own, &rollouts, ctx));
            let dir = paths::chart_dir(&svc.name);
            out.extend(fixed.iter().map(|(path, text)| Artifact {
                path: format!("{dir}/{path}"),
                contents: text.clone(),
            }));
        }
        out
    }
}

/// Per service, the `.dvc` files its chart comes from: the service's, its
/// rollouts' and their `abort_on` alerts', and the pipelines that deploy it.
fn sources(model: &Model) -> HashMap<&str, Vec<String>> {
    let mut out: HashMap<&str, Vec<String>> = model
        .services
        .iter()
        .map(|s| (s.name.as_str(), vec![s.source.clone()]))
        .collect();
    let mut add = |svc: &str, file: &String| {
        if let Some(v) = out.get_mut(svc)
            && !v.contains(file)
        {
            v.push(file.clone());
        }
    };
    for r in &model.rollouts {
        add(&r.service, &r.source);
    }
    for (p, d) in model.deploys() {
        for svc in &d.services {
            add(svc, &p.source);
        }
    }
    for r in &model.rollouts {
        for a in r.abort_on.iter().filter_map(|a| model.alert(a)) {
            add(&r.service, &a.source);
        }
    }
    out
}

fn chart(
    model: &Model,
    svc: &Service,
    sources: &[String],
    rollouts: &HashMap<(&str, &str), &Rollout>,
    ctx: &Context<'_>,
) -> Vec<Artifact> {
    let dir = paths::chart_dir(&svc.name);
    let header = (ctx.header)(sources);
    let layered = layered_with(model, svc, rollouts);
    let mut out = vec![
        Artifact {
            path: format!("{dir}/Chart.yaml"),
            contents: format!("{header}{}", yaml::to_string(&chart_yaml(model, svc))),
        },
        Artifact {
            path: paths::values(&svc.name),
            contents: format!("{header}{}", yaml::to_string(&layered.base)),
        },
    ];
    for (env, overlay, _) in &layered.envs {
        out.push(Artifact {
            path: paths::env_values(&svc.name, env),
            contents: format!("{header}{}", yaml::to_string(overlay)),
        });
    }
    out
}

/// The files every chart carries unchanged: the templates (with the
/// generated-file mark) and the values schema.
fn fixed_files() -> Vec<(&'static str, String)> {
    let header = format!(
        "# {MARK} {}: the chart bundled with dvcc.\n# Do not edit: it is rewritten by `dvcc build`.\n",
        env!("CARGO_PKG_VERSION")
    );
    let mut out: Vec<(&str, String)> = TEMPLATES.iter().map(|(p, t)| (*p, format!("{header}{t}"))).collect();
    out.push(("values.schema.json", schema()));
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Chart {
    api_version: &'static str,
    name: String,
    description: String,
    #[serde(rename = "type")]
    ty: &'static str,
    version: String,
    app_version: String,
    annotations: IndexMap<&'static str, String>,
}

fn chart_yaml(model: &Model, svc: &Service) -> Chart {
    Chart {
        api_version: "v2",
        name: svc.name.clone(),
        description: format!("{} of {} (generated by dvcc)", svc.name, model.project.name),
        ty: "application",
        // The chart changes only with dvcc: its version is dvcc's.
        version: env!("CARGO_PKG_VERSION").to_string(),
        app_version: "latest".to_string(),
        annotations: IndexMap::from([
            ("dvcc.dev/version", env!("CARGO_PKG_VERSION").to_string()),
            ("dvcc.dev/project", model.project.name.clone()),
        ]),
    }
}

/// `values.schema.json` with the generated-file mark as its `$comment`.
pub fn schema() -> String {
    let mut doc: Map<String, Value> = Map::new();
    doc.insert(
        "$comment".into(),
        Value::String(format!(
            "{MARK} {}: the chart bundled with dvcc. Do not edit: it is rewritten by `dvcc build`.",
            env!("CARGO_PKG_VERSION")
        )),
    );
    if let Ok(Value::Object(rest)) = serde_json::from_str::<Value>(SCHEMA) {
        doc.extend(rest);
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    text.push('\n');
    text
}

// ---- values ---------------------------------------------------------------------

/// A chart's values, as the templates and the schema read them.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Values {
    image: Image,
    replica_count: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    command: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    health: Option<Health>,
    resources: Resources,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    env: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    secret_env: IndexMap<String, SecretRef>,
    external_secrets: ExternalSecrets,
    autoscaling: Autoscaling,
    pod_disruption_budget: Pdb,
    service_monitor: ServiceMonitor,
    pod_security_context: PodSecurityContext,
    security_context: SecurityContext,
    rollout: RolloutValues,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Image {
    repository: String,
    tag: String,
    pull_policy: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Health {
    path: String,
    initial_delay_seconds: u32,
    period_seconds: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
struct Resources {
    #[serde(skip_serializing_if = "Quantities::is_empty")]
    requests: Quantities,
    #[serde(skip_serializing_if = "Quantities::is_empty")]
    limits: Quantities,
}

#[derive(Clone, Debug, Default, Serialize)]
struct Quantities {
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory: Option<String>,
}

impl Quantities {
    fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.memory.is_none()
    }
}

#[derive(Clone, Debug, Serialize)]
struct SecretRef {
    secret: String,
    key: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalSecrets {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    store: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    store_kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_interval: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Autoscaling {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_replicas: Option<u32>,
    #[serde(rename = "targetCPUUtilizationPercentage", skip_serializing_if = "Option::is_none")]
    target_cpu: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Pdb {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_unavailable: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
struct ServiceMonitor {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PodSecurityContext {
    run_as_non_root: bool,
    run_as_user: u32,
    run_as_group: u32,
    fs_group: u32,
    seccomp_profile: Seccomp,
}

#[derive(Clone, Debug, Serialize)]
struct Seccomp {
    #[serde(rename = "type")]
    ty: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SecurityContext {
    allow_privilege_escalation: bool,
    read_only_root_filesystem: bool,
    run_as_non_root: bool,
    privileged: bool,
    capabilities: Capabilities,
}

#[derive(Clone, Debug, Serialize)]
struct Capabilities {
    drop: Vec<&'static str>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct RolloutValues {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    canary: Option<Canary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blue_green: Option<BlueGreen>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<Analysis>,
}

#[derive(Clone, Debug, Serialize)]
struct Canary {
    steps: Vec<ArgoStep>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
enum ArgoStep {
    SetWeight(u32),
    Pause(ArgoPause),
}

#[derive(Clone, Debug, Serialize)]
struct ArgoPause {
    /// None: wait until promoted (`kubectl argo rollouts promote`).
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BlueGreen {
    preview_service: bool,
    auto_promotion_enabled: bool,
    scale_down_delay_seconds: u64,
}

#[derive(Clone, Debug, Serialize)]
struct Analysis {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    prometheus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alerts: Vec<AnalysisAlert>,
}

#[derive(Clone, Debug, Serialize)]
struct AnalysisAlert {
    name: String,
    query: String,
}

/// `ghcr.io/acme/api:1.2` → (`ghcr.io/acme/api`, `1.2`); the tag defaults
/// to `latest` (deploy jobs set it to the commit SHA).
fn split_image(image: &str) -> (String, String) {
    // A digest is dropped: deploy jobs pin the image by its tag.
    let image = image.split_once('@').map_or(image, |(repo, _)| repo);
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) => (image[..image.len() - tag.len() - 1].to_string(), tag.to_string()),
        None => (image.to_string(), "latest".to_string()),
    }
}

/// A Go duration (`90s`, `2m`, `1h30m`): Argo Rollouts reads pauses that way.
pub fn go_duration(d: &Duration) -> String {
    let mut secs = d.secs();
    if secs == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

/// The full values of `svc` in `env` (`None`: the service's own
/// declaration, no override and no rollout).
pub fn values(model: &Model, svc: &Service, env: Option<&str>) -> Values {
    let rollout = env.and_then(|e| model.rollout_of(&svc.name, e));
    values_with(model, svc, env, rollout)
}

/// [`values`] with the environment's rollout already looked up.
fn values_with(model: &Model, svc: &Service, env: Option<&str>, rollout: Option<&Rollout>) -> Values {
    let cfg: &ServiceConfig = env.and_then(|e| svc.per_env.get(e)).unwrap_or(&svc.base);
    let (repository, tag) = split_image(&cfg.image);
    let store = env
        .and_then(|e| model.environment(e))
        .and_then(|e| e.secret_store.clone())
        .or_else(|| model.project.secret_store.clone());
    let most = cfg.autoscale.as_ref().map_or(cfg.replicas, |a| a.max.max(a.min));
    let rollout = env.zip(rollout);
    Values {
        image: Image {
            repository,
            tag,
            pull_policy: "IfNotPresent",
        },
        replica_count: cfg.replicas,
        command: cfg.command.clone(),
        port: cfg.port,
        health: match (&cfg.health, cfg.port) {
            (Some(path), Some(_)) => Some(Health {
                path: path.clone(),
                initial_delay_seconds: 10,
                period_seconds: 10,
            }),
            _ => None,
        },
        resources: Resources {
            requests: Quantities {
                cpu: cfg.cpu.as_ref().map(ToString::to_string),
                memory: cfg.memory.as_ref().map(ToString::to_string),
            },
            limits: Quantities {
                cpu: cfg.cpu_limit.as_ref().map(ToString::to_string),
                memory: cfg.memory.as_ref().map(ToString::to_string),
            },
        },
        env: cfg.env.clone(),
        secret_env: cfg
            .secrets
            .iter()
            .map(|(var, secret)| {
                (
                    var.clone(),
                    SecretRef {
                        secret: secret.clone(),
                        key: "value",
                    },
                )
            })
            .collect(),
        external_secrets: match store {
            Some(store) if !cfg.secrets.is_empty() => ExternalSecrets {
                enabled: true,
                store: Some(store),
                store_kind: Some("ClusterSecretStore"),
                refresh_interval: Some("1h"),
            },
            _ => ExternalSecrets {
                enabled: false,
                store: None,
                store_kind: None,
                refresh_interval: None,
            },
        },
        autoscaling: match &cfg.autoscale {
            Some(a) => Autoscaling {
                enabled: true,
                min_replicas: Some(a.min),
                max_replicas: Some(a.max),
                target_cpu: Some(a.cpu.map_or(80, |c| c.round() as u32)),
            },
            None => Autoscaling {
                enabled: false,
                min_replicas: None,
                max_replicas: None,
                target_cpu: None,
            },
        },
        // A budget only where a pod can be evicted while others serve.
        pod_disruption_budget: if most > 1 {
            Pdb {
                enabled: true,
                max_unavailable: Some(1),
            }
        } else {
            Pdb {
                enabled: false,
                max_unavailable: None,
            }
        },
        service_monitor: match cfg.port {
            Some(_) => ServiceMonitor {
                enabled: true,
                path: Some("/metrics"),
                interval: Some("30s"),
            },
            None => ServiceMonitor {
                enabled: false,
                path: None,
                interval: None,
            },
        },
        pod_security_context: PodSecurityContext {
            run_as_non_root: true,
            run_as_user: 10001,
            run_as_group: 10001,
            fs_group: 10001,
            seccomp_profile: Seccomp { ty: "RuntimeDefault" },
        },
        security_context: SecurityContext {
            allow_privilege_escalation: false,
            read_only_root_filesystem: true,
            run_as_non_root: true,
            privileged: false,
            capabilities: Capabilities { drop: vec!["ALL"] },
        },
        rollout: match rollout {
            Some((env, r)) => rollout_values(model, env, r),
            None => RolloutValues::default(),
        },
    }
}

fn rollout_values(model: &Model, env: &str, r: &Rollout) -> RolloutValues {
    let alerts: Vec<AnalysisAlert> = r
        .abort_on
        .iter()
        .filter_map(|a| model.alert(a))
        .map(|a| AnalysisAlert {
            name: a.name.clone(),
            query: a.expr.clone(),
        })
        .collect();
    let analysis = if alerts.is_empty() {
        Analysis {
            enabled: false,
            prometheus: None,
            interval: None,
            alerts,
        }
    } else {
        Analysis {
            enabled: true,
            prometheus: model.prometheus_address(env),
            interval: Some(ANALYSIS_INTERVAL),
            alerts,
        }
    };
    let mut out = RolloutValues {
        enabled: true,
        name: Some(r.name.clone()),
        analysis: Some(analysis),
        ..RolloutValues::default()
    };
    match &r.strategy {
        Strategy::Canary { steps } => {
            out.strategy = Some("canary");
            let mut argo = Vec::new();
            for s in steps {
                argo.push(ArgoStep::SetWeight(s.weight.round() as u32));
                match &s.pause {
                    Pause::None => {}
                    Pause::For(d) => argo.push(ArgoStep::Pause(ArgoPause {
                        duration: Some(go_duration(d)),
                    })),
                    Pause::Manual => argo.push(ArgoStep::Pause(ArgoPause { duration: None })),
                }
            }
            out.canary = Some(Canary { steps: argo });
        }
        Strategy::BlueGreen {
            preview,
            auto_promote,
            scale_down_delay,
        } => {
            out.strategy = Some("blueGreen");
            out.blue_green = Some(BlueGreen {
                preview_service: *preview,
                auto_promotion_enabled: *auto_promote,
                scale_down_delay_seconds: scale_down_delay.secs(),
            });
        }
    }
    out
}

// ---- layering -------------------------------------------------------------------

/// A service's values as written: `values.yaml` and, per environment (in
/// model order), its overlay and the full values it stands for.
pub struct Layered {
    pub base: Value,
    pub envs: Vec<(String, Value, Value)>,
}

pub fn layered(model: &Model, svc: &Service) -> Layered {
    layered_with(model, svc, &model.rollout_index())
}

fn layered_with(model: &Model, svc: &Service, rollouts: &HashMap<(&str, &str), &Rollout>) -> Layered {
    let full: Vec<(String, Value)> = model
        .environments
        .iter()
        .map(|e| {
            let rollout = rollouts.get(&(svc.name.as_str(), e.name.as_str())).copied();
            (
                e.name.clone(),
                to_value(&values_with(model, svc, Some(&e.name), rollout)),
            )
        })
        .collect();
    let mut base = to_value(&values_with(model, svc, None, None));
    if let Some(common) = common(&full.iter().map(|(_, v)| v).collect::<Vec<_>>()) {
        base = coalesce(&base, &common);
    }
    let envs = full
        .into_iter()
        .map(|(name, v)| {
            let overlay = diff(&base, &v).unwrap_or_else(|| Value::Object(Map::new()));
            (name, overlay, v)
        })
        .collect();
    Layered { base, envs }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// What every value agrees on: maps key by key, anything else whole.
fn common(values: &[&Value]) -> Option<Value> {
    let first = values.first()?;
    if let Value::Object(m) = first
        && values.iter().all(|v| v.is_object())
    {
        let mut out = Map::new();
        for k in m.keys() {
            let children: Option<Vec<&Value>> = values.iter().map(|v| v.get(k)).collect();
            if let Some(c) = children.and_then(|c| common(&c)) {
                out.insert(k.clone(), c);
            }
        }
        return (!out.is_empty()).then_some(Value::Object(out));
    }
    values.iter().all(|v| v == first).then(|| (*first).clone())
}

/// Helm's merge of values files: maps merge key by key, a `null` removes
/// the key, anything else replaces.
pub fn coalesce(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                if v.is_null() {
                    out.shift_remove(k);
                } else if let (Some(old), true) = (out.get(k), v.is_object()) {
                    let merged = coalesce(old, v);
                    out.insert(k.clone(), merged);
                } else {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Object(out)
        }
        _ => over.clone(),
    }
}

/// The overlay that turns `base` into `target` under [`coalesce`]; `None`
/// when they are equal.
fn diff(base: &Value, target: &Value) -> Option<Value> {
    if base == target {
        return None;
    }
    match (base, target) {
        (Value::Object(b), Value::Object(t)) => {
            let mut out = Map::new();
            for (k, tv) in t {
                match b.get(k) {
                    Some(bv) if bv.is_object() && tv.is_object() => {
                        if let Some(d) = diff(bv, tv) {
                            out.insert(k.clone(), d);
                        }
                    }
                    Some(bv) if bv == tv => {}
                    _ => {
                        out.insert(k.clone(), tv.clone());
                    }
                }
            }
            for k in b.keys().filter(|k| !t.contains_key(*k)) {
                out.insert(k.clone(), Value::Null);
            }
            Some(Value::Object(out))
        }
        _ => Some(target.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn overlays_merge_back_to_the_target() {
        let base = json!({"a": 1, "m": {"x": 1, "y": 2}, "l": [1, 2], "gone": {"k": 1}});
        let target = json!({"a": 1, "m": {"x": 1, "y": 3, "z": 4}, "l": [1]});
        let d = diff(&base, &target).expect("differs");
        assert_eq!(d, json!({"m": {"y": 3, "z": 4}, "l": [1], "gone": null}));
        assert_eq!(coalesce(&base, &d), target);
        assert_eq!(diff(&target, &target), None);
    }

    #[test]
    fn common_keeps_what_all_agree_on() {
        let a = json!({"x": 1, "m": {"p": 1, "q": 2}, "only": 1});
        let b = json!({"x": 1, "m": {"p": 1, "q": 3}});
        assert_eq!(common(&[&a, &b]), Some(json!({"x": 1, "m": {"p": 1}})));
    }

    #[test]
    fn images_and_durations() {
        assert_eq!(
            split_image("ghcr.io/acme/api"),
            ("ghcr.io/acme/api".into(), "latest".into())
        );
        assert_eq!(
            split_image("localhost:5000/api:1.2"),
            ("localhost:5000/api".into(), "1.2".into())
        );
        assert_eq!(split_image("r/api@sha256:abc"), ("r/api".into(), "latest".into()));
        assert_eq!(go_duration(&Duration::from_secs(120)), "2m");
        assert_eq!(go_duration(&Duration::from_secs(5400)), "1h30m");
        assert_eq!(go_duration(&Duration::from_secs(86_400)), "24h");
    }
}
