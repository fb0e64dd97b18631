//! Helm: the chart bundled in `stdlib/helm/` (Deployment or
//! Argo Rollouts `Rollout`, Services, HPA, PodDisruptionBudget,
//! ServiceMonitor, AnalysisTemplate, ExternalSecrets) with its strict
//! `values.schema.json`, and the values from the model.
//!
//! **One chart, many values**: the chart is written once per project
//! (`deploy/charts/<project>/`) and every service gets only its values
//! (`deploy/helm/<service>/`), so the output grows with what differs between
//! services, and a chart change shows once in a review. A service with
//! `chart = own` gets its own copy, named after it, beside its values. The
//! values name the application (`name`), so the shared chart labels and
//! selects each service's pods as a chart of its own did.
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
//!
//! One file per part: [`values`] (the typed values), [`rollout`] (Argo
//! Rollouts strategies and analysis), [`layering`] (`values.yaml` and the
//! overlays); this file writes the chart.

mod layering;
mod rollout;
mod values;

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Artifact, Backend, Context, Header, yaml};
use crate::model::{Model, Rollout, Service};
use crate::target::{Target, paths};

pub use layering::{Layered, chart_values, coalesce, layered};
pub use rollout::go_duration;
pub use values::{Values, values};

pub struct Helm;

impl Backend for Helm {
    fn target(&self) -> Target {
        Target::Helm
    }

    fn generate(&self, model: &Model, ctx: &Context<'_>) -> Vec<Artifact> {
        let sources = sources(model);
        // The same in every chart: made once.
        let fixed = fixed_files(ctx);
        let rollouts = model.rollout_index();
        let mut out = Vec::new();
        let chart_files = |dir: &str, chart: Chart, header: &str, out: &mut Vec<Artifact>| {
            out.push(Artifact {
                path: format!("{dir}/Chart.yaml"),
                contents: format!("{header}{}", yaml::to_string(&chart)),
            });
            out.extend(fixed.iter().map(|(path, text)| Artifact {
                path: format!("{dir}/{path}"),
                contents: text.clone(),
            }));
        };
        let shared = model.services.iter().any(|s| !s.own_chart).then(|| chart_values(model));
        if let Some(values) = &shared {
            let header = Header::bundled_chart(ctx).hash_comments();
            let dir = paths::shared_chart_dir(&model.project.name);
            chart_files(&dir, shared_chart_yaml(model), &header, &mut out);
            out.push(Artifact {
                path: format!("{dir}/values.yaml"),
                contents: format!("{header}{}", yaml::tree_to_string(values)),
            });
        }
        // Headers name source files through the context (not thread-safe):
        // made first; the values of each service on every core.
        let headers: Vec<String> = model
            .services
            .iter()
            .map(|svc| {
                let own = sources.get(svc.name.as_str()).map_or(&[][..], Vec::as_slice);
                ctx.header(own).hash_comments()
            })
            .collect();
        let services: Vec<(&Service, &String)> = model.services.iter().zip(&headers).collect();
        let values = crate::par::map(&services, |(svc, header)| {
            let chart = shared.as_ref().filter(|_| !svc.own_chart);
            values_files(model, svc, header, &rollouts, chart)
        });
        for ((svc, header), files) in services.iter().zip(values) {
            out.extend(files);
            if svc.own_chart {
                chart_files(&paths::service_dir(&svc.name), chart_yaml(model, svc), header, &mut out);
            }
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

/// A service's `values.yaml` and its `values-<env>.yaml` overlays.
fn values_files(
    model: &Model,
    svc: &Service,
    header: &str,
    rollouts: &crate::hash::Map<(&str, &str), &Rollout>,
    chart: Option<&Value>,
) -> Vec<Artifact> {
    let layered = layering::layered_with(model, svc, rollouts, chart);
    let mut out = vec![Artifact {
        path: paths::values(&svc.name),
        contents: format!("{header}{}", yaml::tree_to_string(&layered.file)),
    }];
    for (env, overlay) in &layered.envs {
        out.push(Artifact {
            path: paths::env_values(&svc.name, env),
            contents: format!("{header}{}", yaml::tree_to_string(overlay)),
        });
    }
    out
}

/// The files every chart carries unchanged: the templates (with the
/// generated-file mark) and the values schema.
fn fixed_files(ctx: &Context<'_>) -> Vec<(&'static str, String)> {
    let header = Header::bundled_chart(ctx).hash_comments();
    let mut out: Vec<(&str, String)> = crate::stdlib::CHART_TEMPLATES
        .iter()
        .map(|(p, t)| (*p, format!("{header}{t}")))
        .collect();
    out.push(("values.schema.json", schema(ctx)));
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

/// `Chart.yaml` of a service's own chart.
fn chart_yaml(model: &Model, svc: &Service) -> Chart {
    chart_metadata(
        model,
        svc.name.clone(),
        format!("{} of {} (generated by dvcc)", svc.name, model.project.name),
    )
}

/// `Chart.yaml` of the chart the project's services share.
fn shared_chart_yaml(model: &Model) -> Chart {
    chart_metadata(
        model,
        paths::chart_name(&model.project.name),
        format!(
            "The services of {}, each installed with its own values (generated by dvcc)",
            model.project.name
        ),
    )
}

fn chart_metadata(model: &Model, name: String, description: String) -> Chart {
    Chart {
        api_version: "v2",
        name,
        description,
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
pub fn schema(ctx: &Context<'_>) -> String {
    let mut doc: Map<String, Value> = Map::new();
    doc.insert("$comment".into(), Value::String(Header::bundled_chart(ctx).one_line()));
    if let Ok(Value::Object(rest)) = serde_json::from_str::<Value>(crate::stdlib::CHART_SCHEMA) {
        doc.extend(rest);
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    text.push('\n');
    text
}
