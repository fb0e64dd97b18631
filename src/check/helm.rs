//! Checks of the Helm target: canary steps, rollout analysis, the links
//! between deploy jobs and rollouts, and the cluster a deploy targets
//! (Kubernetes names are `kubenames.rs`).

use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::image::ImageRef;
use crate::model::{Model, Strategy};
use crate::schema::{Attr, BlockId};
use crate::sema::tree::{CheckedBlock, Val};

/// The Helm target's checks but [`images`], which reads what was reported
/// before it.
pub fn run(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    canary_steps(model, diags);
    deploys(model, diags);
    durations(model, diags);
    weights(model, diags);
    bound(model, diags);
    super::kubenames::run(user, diags);
    probes(user, model, diags);
    limits(user, model, diags);
    http_paths(user, diags);
    ingresses(user, model, diags);
    clusters(user, model, diags);
}

fn canary_steps(model: &Model, diags: &mut Capped) {
    for r in &model.rollouts {
        let Strategy::Canary { steps } = &r.strategy else {
            continue;
        };
        if steps.iter().any(|s| !(1.0..=100.0).contains(&s.weight)) {
            continue; // reported as out of range
        }
        for pair in steps.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if b.weight <= a.weight {
                diags.push(
                    Diagnostic::new(
                        Code::CanaryWeightsNotIncreasing,
                        format!("the canary steps of `{}` do not increase the weight", r.name),
                        Label::new(b.span, format!("{}% after {}%", b.weight, a.weight)),
                    )
                    .with_label(Label::new(a.span, "previous step"))
                    .with_help("each step must send more traffic to the new version than the one before it"),
                );
            }
        }
        if let Some(last) = steps.last().filter(|s| s.weight < 100.0) {
            diags.push(
                Diagnostic::new(
                    Code::CanaryNotComplete,
                    format!("the canary `{}` never sends all traffic to the new version", r.name),
                    Label::new(last.span, format!("the last step stops at {}%", last.weight)),
                )
                .with_help("end with `step { weight = 100% }` so the rollout completes"),
            );
        }
    }
}

/// GitHub-hosted runners end every job after 6 hours.
const HOSTED_LIMIT: u64 = 6 * 3600;
/// A Helm upgrade per service, typically, and the job's other steps
/// (checkout, login, cluster access).
const HELM_TYPICAL: u64 = 2 * 60;
const JOB_SETUP: u64 = 5 * 60;

/// A deploy job must outlast its rollout: its setup, a typical Helm upgrade
/// per service, then as long as the rollout runs by itself.
fn durations(model: &Model, diags: &mut Capped) {
    for p in &model.pipelines {
        for j in &p.jobs {
            let Some(d) = &j.deploy else { continue };
            // The wait steps run one after the other.
            let waited = model.deploy_rollouts(d);
            let Some((r, _)) = waited
                .iter()
                .max_by_key(|(r, _)| crate::target::rollout::plan(r).unattended.secs())
            else {
                continue;
            };
            let unattended: u64 = waited
                .iter()
                .map(|(r, _)| crate::target::rollout::plan(r).unattended.secs())
                .sum();
            let helm = HELM_TYPICAL * d.services.len() as u64;
            let needed = JOB_SETUP + helm + unattended;
            let hosted = !j.runs_on.contains("self-hosted");
            let (limit, whose) = match &j.timeout {
                Some(t) if hosted && t.secs() > HOSTED_LIMIT => (HOSTED_LIMIT, "GitHub-hosted runners' 6-hour limit"),
                Some(t) => (t.secs(), "its `timeout`"),
                None if hosted => (HOSTED_LIMIT, "GitHub-hosted runners' 6-hour limit"),
                None => continue,
            };
            if needed <= limit {
                continue;
            }
            let help = if hosted && needed > HOSTED_LIMIT {
                "no GitHub-hosted job runs longer than 6 hours: shorten the pauses, or end the timed part with `pause = manual` (the job then ends with a notice saying how to promote)".to_string()
            } else {
                format!(
                    "set `timeout = {}` on this deploy, or shorten the rollout's pauses",
                    human(needed.div_ceil(600) * 600)
                )
            };
            diags.push(
                Diagnostic::new(
                    Code::RolloutOutlastsJob,
                    format!(
                        "`deploy {}` in pipeline `{}` ends before rollout `{}` can finish",
                        d.environment, p.name, r.name
                    ),
                    Label::new(
                        d.span,
                        format!(
                            "needs about {} (its rollouts run {} by themselves); the job is stopped after {} by {whose}",
                            human(needed),
                            human(unattended),
                            human(limit)
                        ),
                    ),
                )
                .with_label(Label::new(r.span, "the rollout"))
                .with_help(help),
            );
        }
    }
}

/// A rollout bound to environments where no deploy job ships its service
/// does nothing.
fn bound(model: &Model, diags: &mut Capped) {
    for r in model.rollouts.iter().filter(|r| !r.environments.is_empty()) {
        if model.service(&r.service).is_none() {
            continue; // reported as an undefined name
        }
        let shipped = model
            .deploys()
            .any(|(_, d)| r.environments.contains(&d.environment) && d.services.contains(&r.service));
        if shipped {
            continue;
        }
        let mut d = Diagnostic::new(
            Code::UnusedDeclaration,
            format!("the rollout `{}` is never used", r.name),
            Label::new(
                r.span,
                format!(
                    "bound to {}, where no deploy job ships `{}`",
                    r.environments
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(" and "),
                    r.service
                ),
            ),
        )
        .with_help(format!(
            "deploy `{}` to one of those environments, bind the rollout to others, or remove it",
            r.service
        ));
        d.severity = crate::diag::Severity::Warning;
        diags.push(d);
    }
}

/// Hours and minutes, as people (and `.dvc` durations) write them: `41m`,
/// `24h9m`, `6h`.
fn human(secs: u64) -> String {
    let (h, m) = (secs / 3600, secs % 3600 / 60);
    match (h, m) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// Without traffic routing, Argo Rollouts runs a canary weight as whole
/// pods: a weight the environment's replicas cannot run is approximated.
fn weights(model: &Model, diags: &mut Capped) {
    use crate::target::rollout::{pods_at, replicas_for};
    let mut seen = crate::hash::Set::default();
    for (_, d) in model.deploys() {
        for (r, _) in model.deploy_rollouts(d) {
            let Strategy::Canary { steps } = &r.strategy else {
                continue;
            };
            // A router splits requests by weight, whatever the pods.
            if r.traffic.is_some() {
                continue;
            }
            // Steps reported already (out of range, not increasing, not ending
            // at 100%) say enough.
            let valid = steps.iter().all(|s| (1.0..=100.0).contains(&s.weight))
                && steps.windows(2).all(|p| p[1].weight > p[0].weight)
                && steps.last().is_some_and(|s| s.weight >= 100.0);
            if !valid || !seen.insert((r.name.clone(), d.environment.clone())) {
                continue;
            }
            let Some(svc) = model.service(&r.service) else { continue };
            let config = svc.per_env.get(&d.environment).unwrap_or(&svc.base);
            let replicas = config.autoscale.as_ref().map_or(config.replicas, |a| a.min);
            let Some((step, (canary, stable, share))) = steps
                .iter()
                .filter(|s| s.weight < 100.0)
                .map(|s| (s, pods_at(replicas, s.weight)))
                .find(|(s, (_, _, share))| (share - s.weight).abs() > 0.5)
            else {
                continue;
            };
            let weights: Vec<f64> = steps.iter().map(|s| s.weight).collect();
            let pods = |n: u32| {
                if n == 1 {
                    "1 pod".to_string()
                } else {
                    format!("{n} pods")
                }
            };
            diags.push(
            Diagnostic::new(
                Code::CanaryWeightInPods,
                format!(
                    "with {replicas} replica{} in `{}`, canary `{}` cannot run {}% of the traffic",
                    if replicas == 1 { "" } else { "s" },
                    d.environment,
                    r.name,
                    step.weight
                ),
                Label::new(
                    step.span,
                    format!(
                        "runs as {} beside {} of the stable version: {}%",
                        pods(canary),
                        pods(stable),
                        (share * 10.0).round() / 10.0
                    ),
                ),
            )
            .with_help(format!(
                "without traffic routing Argo Rollouts shifts whole pods: {} replicas run every step's weight exactly; with fewer, the weights are approximations",
                replicas_for(&weights)
            )),
        );
        }
    }
}

fn deploys(model: &Model, diags: &mut Capped) {
    let rollout_of = model.rollout_index();
    let services: crate::hash::Map<&str, &crate::model::Service> =
        model.services.iter().map(|s| (s.name.as_str(), s)).collect();
    for (p, d) in model.deploys() {
        let env = &d.environment;
        // The rollouts the deploy names: each for a service it ships, one
        // per service.
        let mut named: crate::hash::Map<&str, (&str, crate::source::Span)> = crate::hash::Map::default();
        for (name, span) in d.rollouts.iter().zip(&d.rollout_spans) {
            let Some(r) = model.rollout(name) else { continue };
            if !services.contains_key(r.service.as_str()) {
                continue; // reported as an undefined name
            }
            if !d.services.contains(&r.service) {
                diags.push(
                    Diagnostic::new(
                        Code::RolloutServiceNotDeployed,
                        format!(
                            "`deploy {env}` uses rollout `{}` but does not ship `{}`",
                            r.name, r.service
                        ),
                        Label::new(*span, format!("rolls out `{}`", r.service)),
                    )
                    .with_label(Label::new(r.span, "declared here"))
                    .with_help(format!(
                        "add `{}` to this deploy's `services`, or remove the rollout",
                        r.service
                    )),
                );
                continue;
            }
            if let Some((other, other_span)) = named.insert(r.service.as_str(), (r.name.as_str(), *span)) {
                diags.push(
                    Diagnostic::new(
                        Code::ConflictingRollouts,
                        format!(
                            "`{}` is rolled out in `{env}` with both `{other}` and `{}`",
                            r.service, r.name
                        ),
                        Label::new(*span, format!("`{}` here", r.name)),
                    )
                    .with_label(Label::new(other_span, format!("`{other}` here")))
                    .with_help("a chart has one strategy per environment: keep one rollout per service"),
                );
            }
        }
        let waited = model.deploy_rollouts(d);
        for svc in &d.services {
            let here = waited.iter().find(|(r, _)| &r.service == svc);
            let first = rollout_of.get(&(svc.as_str(), env.as_str()));
            let Some((r, span)) = here else {
                // Shipping a service whose chart is a Rollout in this
                // environment (another deploy job rolls it out) without
                // waiting for it.
                if let Some(r) = first {
                    diags.push(
                        Diagnostic::new(
                            Code::DeployWithoutRolloutWait,
                            format!(
                                "`deploy {env}` in pipeline `{}` ships `{svc}` without waiting for its rollout",
                                p.name
                            ),
                            Label::new(
                                d.span,
                                format!(
                                    "no rollout for `{svc}` here, but it is rolled out with `{}` in `{env}`",
                                    r.name
                                ),
                            ),
                        )
                        .with_help(format!(
                            "add `rollout = {}` to this deploy (or `environments = [{env}]` to the rollout) so the job waits until the rollout is healthy",
                            r.name
                        )),
                    );
                }
                continue;
            };
            let at = span.unwrap_or(d.span);
            // The first deploy job that rolls the service out in the
            // environment decides; another one must agree.
            if let Some(first) = first.filter(|f| f.name != r.name) {
                diags.push(
                    Diagnostic::new(
                        Code::ConflictingRollouts,
                        format!(
                            "`{}` is rolled out in `{env}` with both `{}` and `{}`",
                            r.service, first.name, r.name
                        ),
                        Label::new(at, format!("`{}` here", r.name)),
                    )
                    .with_label(Label::new(first.span, "the rollout an earlier deploy job uses"))
                    .with_help(format!(
                        "a chart has one strategy per environment: use `{}` in every deploy of `{}` to `{env}`",
                        first.name, r.service
                    )),
                );
            }
            if r.analysed() && model.prometheus_address(env).is_none() {
                diags.push(
                    Diagnostic::new(
                        Code::AnalysisWithoutPrometheus,
                        format!(
                            "rollout `{}` is analysed in `{env}`, where no Prometheus address is set",
                            r.name
                        ),
                        Label::new(at, "its analysis queries Prometheus here"),
                    )
                    .with_help(format!(
                        "set `prometheus = \"http://...\"` on the project, or on environment `{env}`"
                    )),
                );
            }
            let port = services
                .get(r.service.as_str())
                .and_then(|s| s.per_env.get(env))
                .and_then(|c| c.port);
            if port.is_none() && matches!(r.strategy, Strategy::BlueGreen { .. }) {
                diags.push(
                    Diagnostic::new(
                        Code::RolloutWithoutPort,
                        format!(
                            "blue-green rollout `{}` switches traffic of `{}`, which has no port",
                            r.name, r.service
                        ),
                        Label::new(at, format!("`{}` serves no traffic in `{env}`", r.service)),
                    )
                    .with_label(Label::new(r.span, "blue-green declared here"))
                    .with_help(format!(
                        "set `port` on service `{}`, or use a `canary` rollout",
                        r.service
                    )),
                );
            }
        }
    }
}

/// Every image, as interpolation made it, is a reference the registry,
/// Kubernetes and the build steps all read the same way.
pub fn images(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    for node in user.iter().filter(|n| n.schema.id == BlockId::Service) {
        let Some(svc) = model.service(node.label()) else {
            continue;
        };
        let own = node.attr(Attr::Image).map(|a| (a, &svc.base));
        let overrides = node.children_of(BlockId::ServiceIn).filter_map(|o| {
            let config = svc.per_env.get(o.label())?;
            Some((o.attr(Attr::Image)?, config))
        });
        for (attr, config) in own.into_iter().chain(overrides) {
            let Err(why) = ImageRef::parse(&config.image) else {
                continue;
            };
            // An interpolation in it that failed was reported already.
            let span = attr.attr.value.span;
            if diags.iter().any(|d| {
                d.is_error()
                    && d.primary.span.file == span.file
                    && span.start <= d.primary.span.start
                    && d.primary.span.end <= span.end
            }) {
                continue;
            }
            let shown: String = config.image.chars().take(80).collect();
            diags.push(
                Diagnostic::new(
                    Code::InvalidImage,
                    format!("`{shown}` is not a container image reference: {why}"),
                    Label::new(attr.attr.value.span, "the image of this service"),
                )
                .with_help(match lowercase_fix(&config.image) {
                    Some(fixed) => format!("image paths are lowercase: `{fixed}`"),
                    None => "write `[REGISTRY/]PATH[:TAG][@sha256:DIGEST]`, such as `ghcr.io/acme/api` or `${project.registry}/api:1.4.2`".to_string(),
                }),
            );
        }
    }
}

/// The image with its repository in lowercase, when that is the only fix
/// it needs (tags may keep their case).
fn lowercase_fix(image: &str) -> Option<String> {
    let head = &image[..image.find('@').unwrap_or(image.len())];
    let slash = head.rfind('/').map_or(0, |i| i + 1);
    let tag_at = head[slash..].rfind(':').map_or(head.len(), |i| slash + i);
    let fixed = format!("{}{}", image[..tag_at].to_ascii_lowercase(), &image[tag_at..]);
    (fixed != image && ImageRef::parse(&fixed).is_ok()).then_some(fixed)
}

/// `health` without `port`: the probes would have no port to call.
/// An ingress routes to the service's port and to a host name Kubernetes
/// accepts (lowercase DNS labels).
fn ingresses(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    for node in user.iter().filter(|n| n.schema.id == BlockId::Service) {
        let Some(svc) = model.service(node.label()) else {
            continue;
        };
        let blocks = std::iter::once(node).chain(node.children_of(BlockId::ServiceIn));
        for b in blocks {
            let Some(ingress) = b.child(BlockId::ServiceIngress) else {
                continue;
            };
            let config = match b.schema.id {
                BlockId::ServiceIn => svc.per_env.get(b.label()),
                _ => Some(&svc.base),
            };
            if config.is_some_and(|c| c.port.is_none()) {
                diags.push(
                    Diagnostic::new(
                        Code::MissingAttribute,
                        format!("`{}` has an ingress but no port to route to", node.header()),
                        Label::new(ingress.header_span(), "routes to nothing"),
                    )
                    .with_help(format!("set `port` on service `{}`", svc.name)),
                );
            }
            let Some(host) = ingress.attr(Attr::Host) else { continue };
            let Val::Str(lit) = &host.val else { continue };
            let Some(text) = lit.as_plain() else { continue };
            let valid = !text.is_empty()
                && text.len() <= 253
                && text.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                });
            if !valid {
                let lower = text.to_ascii_lowercase();
                let host_only = lower
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .split('/')
                    .next()
                    .unwrap_or("")
                    .to_string();
                diags.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        format!("the ingress host of `{}` is not a host name", node.header()),
                        Label::new(host.attr.value.span, "lowercase letters, digits, `-` and dots only"),
                    )
                    .with_help(format!("write the bare host: `host = \"{host_only}\"`")),
                );
            }
        }
    }
}

/// Probe and scrape paths are HTTP paths from the root (the chart's values
/// schema refuses others at deploy time).
fn http_paths(user: &[CheckedBlock<'_>], diags: &mut Capped) {
    for node in user.iter().filter(|n| n.schema.id == BlockId::Service) {
        let blocks = std::iter::once(node).chain(node.children_of(BlockId::ServiceIn));
        for b in blocks {
            let ingress_path = b.child(BlockId::ServiceIngress).and_then(|i| i.attr(Attr::Path));
            let paths = [Attr::Health, Attr::Metrics]
                .into_iter()
                .filter_map(|attr| b.attr(attr).map(|a| (attr, a)))
                .chain(ingress_path.map(|a| (Attr::Path, a)));
            for (attr, a) in paths {
                let Val::Str(lit) = &a.val else { continue };
                // An interpolated path is checked where it resolves.
                let Some(path) = lit.as_plain() else { continue };
                if path.starts_with('/') || path.is_empty() {
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        format!("`{attr}` of `{}` is not an HTTP path", node.header()),
                        Label::new(a.attr.value.span, "a path starts with `/`"),
                    )
                    .with_help(format!(
                        "write it from the root: `{attr} = \"/{}\"`",
                        path.trim_start_matches("./")
                    )),
                );
            }
        }
    }
}

/// A limit below its request: Kubernetes refuses the pod ("must be greater
/// than or equal to memory request"). Each `resources` block as written,
/// with the request and limit it resolves to (inherited ones included).
fn limits(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    for node in user.iter().filter(|n| n.schema.id == BlockId::Service) {
        let Some(svc) = model.service(node.label()) else {
            continue;
        };
        let mut places: Vec<(&CheckedBlock<'_>, &crate::model::ServiceConfig, Option<&str>)> = Vec::new();
        if let Some(r) = node.child(BlockId::ServiceResources) {
            places.push((r, &svc.base, None));
        }
        for o in node.children_of(BlockId::ServiceIn) {
            if let (Some(r), Some(c)) = (o.child(BlockId::ServiceResources), svc.per_env.get(o.label())) {
                places.push((r, c, Some(o.label())));
            }
        }
        for (r, c, env) in places {
            let memory = c
                .memory
                .as_ref()
                .zip(c.memory_limit.as_ref())
                .filter(|(m, l)| l.bytes < m.bytes);
            let cpu = c.cpu.zip(c.cpu_limit).filter(|(m, l)| l.millis < m.millis);
            let found = [
                memory.map(|(m, l)| (Attr::MemoryLimit, Attr::Memory, l.to_string(), m.to_string())),
                cpu.map(|(m, l)| (Attr::CpuLimit, Attr::Cpu, l.to_string(), m.to_string())),
            ];
            for (limit, request, l, m) in found.into_iter().flatten() {
                let Some(at) = r.value_span(limit).or_else(|| r.value_span(request)) else {
                    continue;
                };
                let whose = env.map_or(String::new(), |e| format!(" in `{e}`"));
                diags.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        format!("the {limit} of `{}`{whose} is below its request", svc.name),
                        Label::new(at, format!("{l}, below the request of {m}")),
                    )
                    .with_help(format!(
                        "Kubernetes refuses a pod whose limit is below its request: set `{limit} = {m}` or more, or lower `{request}`"
                    )),
                );
            }
        }
    }
}

fn probes(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    for node in user.iter().filter(|n| n.schema.id == BlockId::Service) {
        let Some(svc) = model.service(node.label()) else {
            continue;
        };
        let envs: Vec<&str> = svc
            .per_env
            .iter()
            .filter(|(_, c)| c.health.is_some() && c.port.is_none())
            .map(|(e, _)| e.as_str())
            .collect();
        let base = svc.base.health.is_some() && svc.base.port.is_none();
        if envs.is_empty() && !base {
            continue;
        }
        let at = node
            .attr(Attr::Health)
            .or_else(|| node.children_of(BlockId::ServiceIn).find_map(|i| i.attr(Attr::Health)))
            .map_or(node.label_span(), |a| a.attr.value.span);
        let whole = envs.len() == svc.per_env.len();
        diags.push(
            Diagnostic::new(
                Code::HealthWithoutPort,
                format!("`{}` has a health check but no port to call it on", svc.name),
                Label::new(
                    at,
                    if whole {
                        "no probe is generated".to_string()
                    } else {
                        format!("no probe in {}", envs.join(", "))
                    },
                ),
            )
            .with_help(format!("set `port` on service `{}`, or remove `health`", svc.name)),
        );
    }
}

/// An environment that names a cluster other than the ones its `infra`
/// creates: deploys would go to one cluster while Terraform builds another.
fn clusters(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    for infra in &model.infra {
        let env = &infra.environment;
        let Some(e) = model.environment(env) else { continue };
        let (Some(wanted), Some(first)) = (&e.cluster, infra.clusters.first()) else {
            continue;
        };
        if model.infra_cluster(env).is_some() {
            continue;
        }
        let at = user
            .iter()
            .filter(|n| n.schema.id == BlockId::Environment && n.label() == env)
            .find_map(|n| n.attr(Attr::Cluster).map(|a| a.attr.value.span))
            .unwrap_or(e.span);
        let names: Vec<String> = infra.clusters.iter().map(|c| format!("`{}`", c.name)).collect();
        diags.push(
            Diagnostic::new(
                Code::ClusterConflict,
                format!("environment `{env}` deploys to cluster \"{wanted}\", but `infra {env}` creates {}", names.join(", ")),
                Label::new(at, "a cluster that infra does not create"),
            )
            .with_label(Label::new(infra.span, "creates its own cluster"))
            .with_help(format!(
                "set `cluster = \"{}\"` on environment `{env}` (an inherited `cluster` counts too), or remove the cluster from `infra {env}`",
                first.name
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn upper_case_images_have_their_lowercase_fix() {
        assert_eq!(
            super::lowercase_fix("ghcr.io/Acme/API:Latest").as_deref(),
            Some("ghcr.io/acme/api:Latest")
        );
        assert_eq!(super::lowercase_fix("ghcr.io/acme/api:a:b"), None);
        assert_eq!(super::lowercase_fix("ghcr.io/acme/api"), None);
    }
}
