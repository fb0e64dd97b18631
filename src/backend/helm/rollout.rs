//! Argo Rollouts values: a canary's steps or a blue-green switch, and the
//! analysis that aborts the rollout when an `abort_on` alert's expression
//! returns a series (measured every `interval`, `count` times where the
//! strategy needs it to end: `target::rollout`).

use serde::Serialize;

use crate::model::units::Duration;
use crate::model::{Model, Pause, Rollout, Strategy};

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RolloutValues {
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
    /// Seconds a step may take to progress; then the rollout aborts.
    #[serde(skip_serializing_if = "Option::is_none")]
    progress_deadline_seconds: Option<u64>,
    /// Containers run as steps (each its own AnalysisTemplate).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checks: Vec<CheckValues>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckValues {
    /// Part of its AnalysisTemplate's name: `<release>-check-<name>`.
    name: String,
    image: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    command: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<String>,
    timeout_seconds: u64,
}

#[derive(Clone, Debug, Serialize)]
struct Canary {
    steps: Vec<ArgoStep>,
    #[serde(skip_serializing_if = "Option::is_none")]
    traffic: Option<TrafficValues>,
}

/// What splits the traffic; the templates spell it as Argo and Istio do.
#[derive(Clone, Debug, Serialize)]
struct TrafficValues {
    router: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    gateways: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hosts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<Header>,
}

#[derive(Clone, Debug, Serialize)]
struct Header {
    name: String,
    value: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
enum ArgoStep {
    SetWeight(u32),
    Pause(ArgoPause),
    /// Istio's A/B route: matching requests go to the new version.
    SetHeaderRoute(HeaderRoute),
    /// A check run here; the template names its AnalysisTemplate.
    Check(String),
}

#[derive(Clone, Debug, Serialize)]
struct HeaderRoute {
    name: &'static str,
    #[serde(rename = "match")]
    matches: Vec<HeaderMatch>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HeaderMatch {
    header_name: String,
    header_value: ExactValue,
}

#[derive(Clone, Debug, Serialize)]
struct ExactValue {
    exact: String,
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
    /// The analysis also runs after the switch.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    post_promotion_analysis: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Analysis {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    prometheus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    initial_delay: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alerts: Vec<AnalysisAlert>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AnalysisAlert {
    name: String,
    query: String,
    /// Else the alert's: the query returns nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    success_condition: Option<String>,
}

/// A check's name as Kubernetes names take it (`load_test` → `load-test`).
fn check_name(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
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

pub(super) fn rollout_values(model: &Model, env: &str, r: &Rollout) -> RolloutValues {
    // One metric per `abort_on` alert (it passes while the alert's
    // expression returns nothing), per gate, and per `abort_on_slo` SLO (its
    // error ratio over 5 minutes, in budgets, below its policy's page rate).
    let mut alerts: Vec<AnalysisAlert> = r
        .abort_on
        .iter()
        .filter_map(|a| model.alert(a))
        .map(|a| AnalysisAlert {
            name: a.name.clone(),
            query: a.expr.clone(),
            success_condition: None,
        })
        .collect();
    for g in &r.gates {
        alerts.push(AnalysisAlert {
            name: format!("gate-{}", g.name),
            query: g.query.clone(),
            success_condition: Some(crate::target::rollout::gate_condition(g.below, g.above)),
        });
    }
    for s in r
        .abort_on_slo
        .iter()
        .filter_map(|s| model.slos.iter().find(|x| &x.name == s))
    {
        let budget = 1.0 - s.objective / 100.0;
        let Some(page) = crate::target::slo::rows(s.policy, &s.window).into_iter().next() else {
            continue;
        };
        alerts.push(AnalysisAlert {
            name: format!("slo-{}", s.name),
            query: format!(
                "(({}) / ({})) / {}",
                s.errors.replace("${window}", "5m"),
                s.total.replace("${window}", "5m"),
                crate::model::units::number(budget)
            ),
            success_condition: Some(crate::target::rollout::gate_condition(Some(page.rate), None)),
        });
    }
    let analysis = if alerts.is_empty() {
        Analysis {
            enabled: false,
            prometheus: None,
            interval: None,
            count: None,
            failure_limit: None,
            initial_delay: None,
            alerts,
        }
    } else {
        Analysis {
            enabled: true,
            prometheus: model.prometheus_address(env),
            interval: Some(go_duration(&r.analysis.interval)),
            count: crate::target::rollout::analysis_count(r),
            failure_limit: Some(r.analysis.failure_limit),
            initial_delay: r.analysis.initial_delay.as_ref().map(go_duration),
            alerts,
        }
    };
    let mut out = RolloutValues {
        checks: r
            .checks
            .iter()
            .map(|c| CheckValues {
                name: check_name(&c.name),
                image: c.image.clone(),
                command: c.command.clone(),
                args: c.args.clone(),
                timeout_seconds: c.timeout.secs().max(1),
            })
            .collect(),
        enabled: true,
        name: Some(r.name.clone()),
        analysis: Some(analysis),
        progress_deadline_seconds: r.progress_deadline.as_ref().map(Duration::secs),
        ..RolloutValues::default()
    };
    match &r.strategy {
        Strategy::Canary { steps } => {
            out.strategy = Some("canary");
            let mut argo = Vec::new();
            // Istio routes the header from the first step (a managed route
            // Argo removes when the rollout ends); NGINX by annotation.
            if let Some(t) = &r.traffic
                && t.router == "istio"
                && let Some((name, value)) = &t.header
            {
                argo.push(ArgoStep::SetHeaderRoute(HeaderRoute {
                    name: "header",
                    matches: vec![HeaderMatch {
                        header_name: name.clone(),
                        header_value: ExactValue { exact: value.clone() },
                    }],
                }));
            }
            // Checks after `after_step` steps (those past the last, at the end).
            let checks_after = |n: usize| {
                r.checks
                    .iter()
                    .filter(move |c| c.after_step as usize == n || (n == steps.len() && c.after_step as usize > n))
                    .map(|c| ArgoStep::Check(check_name(&c.name)))
            };
            argo.extend(checks_after(0));
            for (i, s) in steps.iter().enumerate() {
                argo.push(ArgoStep::SetWeight(s.weight.round() as u32));
                match &s.pause {
                    Pause::None => {}
                    Pause::For(d) => argo.push(ArgoStep::Pause(ArgoPause {
                        duration: Some(go_duration(d)),
                    })),
                    Pause::Manual => argo.push(ArgoStep::Pause(ArgoPause { duration: None })),
                }
                argo.extend(checks_after(i + 1));
            }
            out.canary = Some(Canary {
                steps: argo,
                traffic: r.traffic.as_ref().map(|t| TrafficValues {
                    router: t.router.clone(),
                    gateways: t.gateways.clone(),
                    hosts: t.hosts.clone(),
                    header: t.header.as_ref().map(|(name, value)| Header {
                        name: name.clone(),
                        value: value.clone(),
                    }),
                }),
            });
        }
        Strategy::BlueGreen {
            preview,
            auto_promote,
            scale_down_delay,
            post_promotion,
        } => {
            out.strategy = Some("blueGreen");
            out.blue_green = Some(BlueGreen {
                preview_service: *preview,
                auto_promotion_enabled: *auto_promote,
                scale_down_delay_seconds: scale_down_delay.secs(),
                post_promotion_analysis: *post_promotion && r.analysed(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_are_go_durations() {
        assert_eq!(go_duration(&Duration::from_secs(120)), "2m");
        assert_eq!(go_duration(&Duration::from_secs(5400)), "1h30m");
        assert_eq!(go_duration(&Duration::from_secs(86_400)), "24h");
    }
}
