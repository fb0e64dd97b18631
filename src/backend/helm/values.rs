//! A chart's values as typed data: what the bundled templates and the
//! strict `values.schema.json` read, from a service's resolved
//! configuration in one environment.

use indexmap::IndexMap;
use serde::Serialize;

use super::rollout::{RolloutValues, rollout_values};
use crate::model::image::ImageRef;
use crate::model::{Model, Rollout, Service, ServiceConfig};

/// A chart's values, as the templates and the schema read them.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Values {
    /// The application's name (its pods' `app.kubernetes.io/name`, its
    /// container's name): the service's, whichever chart installs it.
    name: String,
    image: Image,
    replica_count: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    command: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<ServiceValues>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<NamedPort>,
    #[serde(skip_serializing_if = "Probes::is_empty")]
    probes: Probes,
    resources: Resources,
    #[serde(
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::backend::yaml::text_map"
    )]
    env: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    secret_env: IndexMap<String, SecretRef>,
    external_secrets: ExternalSecrets,
    autoscaling: Autoscaling,
    pod_disruption_budget: Pdb,
    ingress: IngressValues,
    service_monitor: ServiceMonitor,
    pod_security_context: PodSecurityContext,
    security_context: SecurityContext,
    rollout: RolloutValues,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    node_selector: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tolerations: Vec<Toleration>,
    /// Topology keys the pods spread across.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    spread: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority_class_name: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pod_annotations: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pod_labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_account: Option<ServiceAccount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    network_policy: Option<NetworkPolicyValues>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_route: Option<RouteValues>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    volumes: Vec<VolumeValues>,
    #[serde(skip_serializing_if = "Extra::is_empty")]
    extra: Extra,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceValues {
    #[serde(rename = "type")]
    ty: String,
    port: u16,
}

#[derive(Clone, Debug, Serialize)]
struct NamedPort {
    name: String,
    port: u16,
}

/// The container's probes, as Kubernetes spells them.
#[derive(Clone, Debug, Default, Serialize)]
struct Probes {
    #[serde(skip_serializing_if = "Option::is_none")]
    readiness: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    liveness: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    startup: Option<serde_json::Value>,
}

impl Probes {
    fn is_empty(&self) -> bool {
        self.readiness.is_none() && self.liveness.is_none() && self.startup.is_none()
    }
}

#[derive(Clone, Debug, Serialize)]
struct Toleration {
    key: String,
    operator: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    effect: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
struct ServiceAccount {
    annotations: IndexMap<String, String>,
}

/// A Gateway API HTTPRoute to the service's port.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RouteValues {
    gateway: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway_namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    path: String,
}

/// Who may connect: nobody but these.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NetworkPolicyValues {
    /// Release names of the services whose pods may connect.
    from_services: Vec<String>,
    from_namespaces: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VolumeValues {
    name: String,
    mount_path: String,
    read_only: bool,
    /// `emptyDir`, `claim`, `configMap` or `keys` (a Secret's keys).
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage_class: Option<String>,
    /// The ConfigMap or Secret read.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

/// The escape hatches: more pod and container fields.
#[derive(Clone, Debug, Default, Serialize)]
struct Extra {
    #[serde(skip_serializing_if = "Option::is_none")]
    pod: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<serde_json::Value>,
}

impl Extra {
    fn is_empty(&self) -> bool {
        self.pod.is_none() && self.container.is_none()
    }
}

/// A probe as Kubernetes spells it; `main` is the service's port.
fn probe(p: &crate::model::Probe, main: Option<u16>) -> serde_json::Value {
    use crate::model::ProbeCheck;
    use serde_json::json;
    // The named port when it is the service's own; gRPC probes take a number.
    let port = match (p.port, main) {
        (Some(n), Some(m)) if n != m => json!(n),
        (Some(n), None) => json!(n),
        _ if matches!(p.check, ProbeCheck::Grpc) => json!(main.unwrap_or(0)),
        _ => json!("http"),
    };
    let mut out = match &p.check {
        ProbeCheck::Http(path) => json!({ "httpGet": { "path": path, "port": port } }),
        ProbeCheck::Grpc => json!({ "grpc": { "port": port } }),
        ProbeCheck::Tcp => json!({ "tcpSocket": { "port": port } }),
    };
    if let Some(d) = p.initial_delay_seconds {
        out["initialDelaySeconds"] = json!(d);
    }
    out["periodSeconds"] = json!(p.period_seconds);
    out["timeoutSeconds"] = json!(p.timeout_seconds);
    out["failureThreshold"] = json!(p.failure_threshold);
    out
}

/// A toleration from `kubectl taint`'s notation (checked before).
fn toleration(text: &str) -> Toleration {
    let t = crate::model::Taint::parse(text).unwrap_or_default();
    Toleration {
        key: t.key,
        operator: if t.value.is_some() { "Equal" } else { "Exists" },
        value: t.value,
        effect: t.effect,
    }
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct IngressValues {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The name of the Secret holding the host's certificate (a key
    /// without "secret" in it, which secret scanners read as a value).
    certificate: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    annotations: IndexMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Image {
    repository: String,
    tag: String,
    /// When the image is pinned by digest: what the container runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
    pull_policy: &'static str,
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
    path: Option<String>,
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
    /// A port below 1024 (nginx's, Apache's 80): the non-root user may
    /// bind it (a safe sysctl, namespaced to the pod), with no capability.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sysctls: Vec<Sysctl>,
}

#[derive(Clone, Debug, Serialize)]
struct Sysctl {
    name: &'static str,
    value: String,
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

/// The image values, read as every consumer reads the image: a written
/// tag or digest is kept (the deploy job leaves such an image alone); an
/// image without either gets `latest`, which deploy jobs set to the commit
/// SHA. A digest without a tag labels the version with its first digits.
fn image(text: &str) -> Image {
    // (A malformed reference was reported; it is not built.)
    let r = ImageRef::parse(text).unwrap_or_else(|_| ImageRef {
        repository: text.to_string(),
        tag: None,
        digest: None,
    });
    let tag = match (&r.tag, &r.digest) {
        (Some(t), _) => t.clone(),
        (None, Some(d)) => d
            .split_once(':')
            .map_or(d.as_str(), |(_, hex)| hex)
            .chars()
            .take(12)
            .collect(),
        (None, None) => "latest".to_string(),
    };
    Image {
        repository: r.repository,
        tag,
        digest: r.digest,
        pull_policy: "IfNotPresent",
    }
}

/// The full values of `svc` in `env` (`None`: the service's own
/// declaration, no override and no rollout).
pub fn values(model: &Model, svc: &Service, env: Option<&str>) -> Values {
    let rollout = env.and_then(|e| model.rollout_of(&svc.name, e));
    values_with(model, svc, env, rollout)
}

/// [`values`] with the environment's rollout already looked up.
pub(super) fn values_with(model: &Model, svc: &Service, env: Option<&str>, rollout: Option<&Rollout>) -> Values {
    let (cfg, store) = inputs(model, svc, env);
    let most = cfg.autoscale.as_ref().map_or(cfg.replicas, |a| a.max.max(a.min));
    let rollout = env.zip(rollout);
    Values {
        name: svc.name.clone(),
        image: image(&cfg.image),
        replica_count: cfg.replicas,
        command: cfg.command.clone(),
        args: cfg.args.clone(),
        port: cfg.port,
        service: cfg.port.map(|p| ServiceValues {
            ty: cfg.service_type.clone(),
            port: cfg.service_port.unwrap_or(p),
        }),
        ports: cfg
            .ports
            .iter()
            .map(|(name, port)| NamedPort {
                name: name.clone(),
                port: *port,
            })
            .collect(),
        // Probes need a port to probe.
        probes: {
            let has_port = |p: &&crate::model::Probe| p.port.is_some() || cfg.port.is_some();
            let of = |p: &Option<Box<crate::model::Probe>>| p.as_deref().filter(has_port).map(|p| probe(p, cfg.port));
            Probes {
                readiness: of(&cfg.readiness),
                liveness: of(&cfg.liveness),
                startup: of(&cfg.startup),
            }
        },
        resources: Resources {
            requests: Quantities {
                cpu: cfg.cpu.as_ref().map(ToString::to_string),
                memory: cfg.memory.as_ref().map(ToString::to_string),
            },
            limits: Quantities {
                cpu: cfg.cpu_limit.as_ref().map(ToString::to_string),
                memory: cfg
                    .memory_limit
                    .as_ref()
                    .or(cfg.memory.as_ref())
                    .map(ToString::to_string),
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
        ingress: match (&cfg.ingress, cfg.port) {
            (Some(i), Some(_)) => IngressValues {
                enabled: true,
                host: Some(i.host.clone()),
                path: Some(i.path.clone()),
                class_name: i.class.clone(),
                certificate: i.tls.clone(),
                annotations: i.annotations.clone(),
            },
            _ => IngressValues::default(),
        },
        service_monitor: match (cfg.port, &cfg.metrics) {
            (Some(_), Some(path)) => ServiceMonitor {
                enabled: true,
                path: Some(path.clone()),
                interval: Some("30s"),
            },
            _ => ServiceMonitor {
                enabled: false,
                path: None,
                interval: None,
            },
        },
        pod_security_context: PodSecurityContext {
            run_as_non_root: true,
            run_as_user: cfg.run_as_user,
            run_as_group: cfg.run_as_user,
            fs_group: cfg.run_as_user,
            seccomp_profile: Seccomp { ty: "RuntimeDefault" },
            sysctls: std::iter::once(cfg.port)
                .flatten()
                .chain(cfg.ports.values().copied())
                .min()
                .filter(|p| *p < 1024)
                .map(|p| Sysctl {
                    name: "net.ipv4.ip_unprivileged_port_start",
                    value: p.to_string(),
                })
                .into_iter()
                .collect(),
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
        node_selector: cfg.node_selector.clone(),
        tolerations: cfg.tolerations.iter().map(|t| toleration(t)).collect(),
        spread: cfg.spread.clone(),
        priority_class_name: cfg.priority_class.clone(),
        pod_annotations: cfg.pod_annotations.clone(),
        pod_labels: cfg.pod_labels.clone(),
        service_account: (!cfg.account_annotations.is_empty()).then(|| ServiceAccount {
            annotations: cfg.account_annotations.clone(),
        }),
        network_policy: cfg.network_policy.as_ref().map(|p| NetworkPolicyValues {
            from_services: p.from.clone(),
            from_namespaces: p.namespaces.clone(),
        }),
        http_route: cfg.route.as_ref().filter(|_| cfg.port.is_some()).map(|r| RouteValues {
            gateway: r.gateway.clone(),
            gateway_namespace: r.gateway_namespace.clone(),
            host: r.host.clone(),
            path: r.path.clone(),
        }),
        volumes: cfg.volumes.iter().map(volume).collect(),
        extra: Extra {
            pod: cfg.extra_pod.as_deref().cloned(),
            container: cfg.extra_container.as_deref().cloned(),
        },
    }
}

/// What a service's values in `env` (its base values for `None`) depend
/// on besides a rollout: its configuration there and the secret store.
pub(super) fn inputs<'m>(model: &Model, svc: &'m Service, env: Option<&str>) -> (&'m ServiceConfig, Option<String>) {
    let cfg: &ServiceConfig = env.and_then(|e| svc.per_env.get(e)).unwrap_or(&svc.base);
    let store = env
        .and_then(|e| model.environment(e))
        .and_then(|e| e.secret_store.clone())
        .or_else(|| model.project.secret_store.clone());
    (cfg, store)
}

fn volume(v: &crate::model::Volume) -> VolumeValues {
    use crate::model::VolumeSource;
    let (kind, size, storage_class, source) = match &v.source {
        VolumeSource::Empty => ("emptyDir", None, None, None),
        VolumeSource::Claim { size, class } => ("claim", Some(size.to_string()), class.clone(), None),
        VolumeSource::ConfigMap(name) => ("configMap", None, None, Some(name.clone())),
        VolumeSource::Secret(name) => ("keys", None, None, Some(name.clone())),
    };
    VolumeValues {
        name: v.name.clone(),
        mount_path: v.mount.clone(),
        read_only: v.read_only,
        kind,
        size,
        storage_class,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_split_into_repository_tag_and_digest() {
        let split = |t: &str| {
            let i = image(t);
            (i.repository, i.tag, i.digest)
        };
        assert_eq!(
            split("ghcr.io/acme/api"),
            ("ghcr.io/acme/api".into(), "latest".into(), None)
        );
        assert_eq!(
            split("localhost:5000/api:1.2"),
            ("localhost:5000/api".into(), "1.2".into(), None)
        );
        let digest = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(
            split(&format!("r/api@{digest}")),
            ("r/api".into(), "abababababab".into(), Some(digest.clone()))
        );
        assert_eq!(
            split(&format!("r/api:2.0@{digest}")),
            ("r/api".into(), "2.0".into(), Some(digest))
        );
    }
}
