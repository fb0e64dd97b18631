//! Checks of a rollout's traffic routing and its checks (containers run
//! as steps).

use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::{Model, Strategy};

pub fn run(model: &Model, diags: &mut Capped) {
    traffic(model, diags);
    checks(model, diags);
}

/// Traffic routing a rollout can use: a canary's, through a Service, and
/// for NGINX and the AWS load balancer controller, through the service's
/// Ingress in every environment the rollout runs in.
fn traffic(model: &Model, diags: &mut Capped) {
    let mismatch = |span, message: String, label: &str, help: String| {
        Diagnostic::new(Code::TrafficRoutingMismatch, message, Label::new(span, label)).with_help(help)
    };
    for r in &model.rollouts {
        let Some(t) = &r.traffic else { continue };
        if matches!(r.strategy, Strategy::BlueGreen { .. }) {
            diags.push(mismatch(
                t.span,
                format!("`{}` is blue-green: its Services switch all traffic at once", r.name),
                "traffic routing splits a canary's traffic",
                "remove `traffic`, or make the rollout a `canary { }`".to_string(),
            ));
            continue;
        }
        if t.router != "istio" && !(t.gateways.is_empty() && t.hosts.is_empty()) {
            diags.push(mismatch(
                t.span,
                format!("`gateways` and `hosts` of `{}` are Istio's", r.name),
                "this router routes through the service's ingress",
                format!("remove them: {} routes the hosts of the service's `ingress`", t.router),
            ));
        }
        if t.router == "alb" && t.header.is_some() {
            diags.push(mismatch(
                t.span,
                format!("`{}` routes a header through the AWS load balancer controller", r.name),
                "dvcc routes headers with Istio and NGINX",
                "remove `header`, or route with `router = istio` or `router = nginx`".to_string(),
            ));
        }
        let Some(svc) = model.service(&r.service) else { continue };
        let mut missing: Vec<String> = Vec::new();
        let mut portless = false;
        for (_, d) in model.deploys() {
            if !model.deploy_rollouts(d).iter().any(|(x, _)| x.name == r.name) {
                continue;
            }
            let cfg = svc.per_env.get(&d.environment).unwrap_or(&svc.base);
            portless |= cfg.port.is_none();
            if t.router != "istio" && cfg.ingress.is_none() && !missing.contains(&d.environment) {
                missing.push(d.environment.clone());
            }
        }
        if portless {
            diags.push(mismatch(
                t.span,
                format!("`{}` routes traffic to `{}`, which has no port", r.name, svc.name),
                "nothing to route",
                format!("set `port` on service `{}`, or remove `traffic`", svc.name),
            ));
        } else if !missing.is_empty() {
            diags.push(mismatch(
                t.span,
                format!(
                    "`{}` routes through the ingress of `{}`, which has none in {}",
                    r.name,
                    svc.name,
                    missing.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
                ),
                "the router splits the traffic of the service's Ingress",
                format!(
                    "give service `{}` an `ingress {{ host = ... }}` there, or route with `router = istio`",
                    svc.name
                ),
            ));
        }
    }
}

/// A check's AnalysisTemplate is `<service>-check-<name>`: the name must
/// make a Kubernetes name; `after_step` counts a canary's steps.
fn checks(model: &Model, diags: &mut Capped) {
    for r in &model.rollouts {
        let steps = match &r.strategy {
            Strategy::Canary { steps } => Some(steps.len()),
            Strategy::BlueGreen { .. } => None,
        };
        for c in &r.checks {
            let name = c.name.to_ascii_lowercase().replace('_', "-");
            let full = r.service.len() + "-check-".len() + name.len();
            if !name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-') || name.len() > 40 || full > 253 {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidKubernetesName,
                        format!("`check {}` cannot name an AnalysisTemplate", c.name),
                        Label::new(c.span, "becomes `<service>-check-<name>`"),
                    )
                    .with_help("name the check with at most 40 letters, digits, `-` and `_`"),
                );
            }
            match steps {
                Some(n) if c.after_step as usize > n => diags.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        format!(
                            "`check {}` runs after step {}, but `{}` has {n}",
                            c.name, c.after_step, r.name
                        ),
                        Label::new(c.span, "after no step"),
                    )
                    .with_help(format!("write `after_step` between 0 (before the first step) and {n}")),
                ),
                None if c.after_step > 0 => diags.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        format!("`check {}` of blue-green `{}` has `after_step`", c.name, r.name),
                        Label::new(c.span, "a blue-green rollout has no steps"),
                    )
                    .with_help("remove `after_step`: blue-green checks run before the switch"),
                ),
                _ => {}
            }
        }
    }
}
