//! The registry: the project, environments and services (with their
//! resources, variables, secrets, autoscaling and per-environment
//! overrides).

use super::*;

/// Attributes of a service, also allowed (all optional) in `in ENV { }`.
fn service_attrs(top: bool) -> Vec<AttrSchema> {
    let image = "container image without tag; dvcc tags it with the commit SHA";
    let mut attrs = vec![
        if top {
            req(Attr::Image, Ty::Line, image)
        } else {
            opt(Attr::Image, Ty::Line, image)
        },
        opt(Attr::Port, Ty::Int, "container port the service listens on").bounds(Some(1.0), Some(65535.0)),
        opt(Attr::Health, Ty::Line, "HTTP path for liveness and readiness probes"),
        opt(Attr::Replicas, Ty::Int, "number of pods when not autoscaled")
            .default("1")
            .bounds(Some(0.0), Some(super::MAX_COUNT)),
        opt(
            Attr::Command,
            list(Ty::Str),
            "container command, replacing the image's entrypoint",
        ),
        opt(
            Attr::Team,
            Ty::Line,
            "owning team: the team label of its alerts and SLOs unless they set one",
        ),
        opt(
            Attr::Metrics,
            Ty::Either(Box::new(Ty::Line), Box::new(Ty::Bool)),
            "HTTP path Prometheus scrapes through a ServiceMonitor (`/metrics` unless set), or `false`: no ServiceMonitor (a cluster without the Prometheus Operator)",
        ),
        opt(
            Attr::RunAsUser,
            Ty::Int,
            "user (and group) id the container runs as, never root (10001 unless set: an image's own user, e.g. nginx's 101)",
        )
        .bounds(Some(1.0), Some(2_147_483_647.0)),
        opt(Attr::Args, list(Ty::Str), "container arguments, passed to the command or the image's entrypoint"),
        opt(
            Attr::ServiceType,
            Ty::Enum(SERVICE_TYPES),
            "how the Kubernetes Service is exposed (`ClusterIP` unless set)",
        ),
        opt(
            Attr::ServicePort,
            Ty::Int,
            "port the Kubernetes Service listens on, forwarding to `port` (`port` unless set)",
        )
        .bounds(Some(1.0), Some(65535.0)),
        opt(
            Attr::Tolerations,
            list(Ty::Line),
            "taints the pods tolerate, as `kubectl taint` writes them: `KEY=VALUE:EFFECT`, `KEY:EFFECT` (any value), `KEY` (any effect)",
        ),
        opt(
            Attr::Spread,
            list(Ty::Line),
            "topology keys the pods spread evenly across (`topology.kubernetes.io/zone`, `kubernetes.io/hostname`), as far as the nodes allow",
        ),
        opt(Attr::PriorityClass, Ty::Line, "`PriorityClass` of the pods"),
    ];
    if top {
        attrs.push(
            opt(
                Attr::Chart,
                Ty::Enum(CHARTS),
                "which chart deploys it: the project's `shared` chart (`deploy/charts/<project>/`, written once for every service) or its `own` copy of it (`deploy/helm/<service>/`, named after the service)",
            )
            .default("shared"),
        );
    }
    attrs
}

/// Where a service's chart lives.
const CHARTS: &[&str] = &["shared", "own"];

/// What the Kubernetes Service of a service can be.
const SERVICE_TYPES: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer"];

/// The attributes of `readiness`, `liveness` and `startup`.
fn probe_attrs() -> Vec<AttrSchema> {
    vec![
        opt(
            Attr::Path,
            Ty::Line,
            "HTTP path probed (`health` unless `grpc` or `tcp`)",
        ),
        opt(Attr::Grpc, Ty::Bool, "probe with the gRPC health checking protocol").default("false"),
        opt(Attr::Tcp, Ty::Bool, "probe by opening a TCP connection").default("false"),
        opt(Attr::Port, Ty::Int, "port probed (the service's `port` unless set)").bounds(Some(1.0), Some(65535.0)),
        opt(
            Attr::InitialDelay,
            Ty::Duration,
            "wait after the container starts before the first probe",
        ),
        opt(Attr::Period, Ty::Duration, "time between probes").default("10s"),
        opt(Attr::Timeout, Ty::Duration, "how long a probe may take").default("1s"),
        opt(Attr::Failures, Ty::Int, "failed probes in a row that count as failure")
            .default("3")
            .bounds(Some(1.0), Some(super::MAX_COUNT)),
    ]
}

/// A free-form block of Kubernetes keys (`"kubernetes.io/arch" = ...`).
fn kubernetes_map(id: BlockId, kind: &'static str, ty: Ty, doc: &'static str) -> BlockSchema {
    block(id, kind, Labels::None, doc)
        .once()
        .free(ty)
        .keys(Keys::Kubernetes)
}

/// The blocks a service and an `in ENV` override share.
fn shared_blocks() -> Vec<BlockSchema> {
    vec![
        block(
            BlockId::ServicePorts,
            "ports",
            Labels::None,
            "More container ports by name (`grpc = 9090`), also on the Service.",
        )
        .once()
        .free(Ty::Int)
        .keys(Keys::PortName),
        kubernetes_map(
            BlockId::NodeSelector,
            "node_selector",
            Ty::Line,
            "Node labels the pods must run on: `\"kubernetes.io/arch\" = \"arm64\"`.",
        ),
        kubernetes_map(
            BlockId::PodAnnotations,
            "pod_annotations",
            Ty::Str,
            "Annotations of the pods.",
        ),
        kubernetes_map(BlockId::PodLabels, "pod_labels", Ty::Line, "More labels of the pods."),
        kubernetes_map(
            BlockId::AccountAnnotations,
            "account_annotations",
            Ty::Line,
            "Annotations of the pods' service account: a cloud identity (`\"eks.amazonaws.com/role-arn\"`, `\"iam.gke.io/gcp-service-account\"`).",
        ),
        block(
            BlockId::Readiness,
            "readiness",
            Labels::None,
            "The readiness probe: a pod gets traffic while it passes.",
        )
        .once()
        .optional_body()
        .attrs(probe_attrs()),
        block(
            BlockId::Liveness,
            "liveness",
            Labels::None,
            "The liveness probe: the container is restarted when it fails.",
        )
        .once()
        .optional_body()
        .attrs(probe_attrs()),
        block(
            BlockId::Startup,
            "startup",
            Labels::None,
            "The startup probe: the other probes wait until it passes (slow starters).",
        )
        .once()
        .optional_body()
        .attrs(probe_attrs()),
        block(
            BlockId::ServiceRoute,
            "route",
            Labels::None,
            "A Gateway API HTTPRoute from a Gateway to the service's port (where the cluster routes with Gateway API rather than Ingress).",
        )
        .once()
        .attrs(vec![
            req(
                Attr::Gateway,
                Ty::Line,
                "the Gateway it attaches to: `NAME`, or `NAMESPACE/NAME` for a shared one",
            ),
            opt(Attr::Host, Ty::Line, "the host name routed (every host of the Gateway unless set)"),
            opt(Attr::Path, Ty::Line, "path prefix routed").default("\"/\""),
        ]),
        block(
            BlockId::NetworkPolicy,
            "network_policy",
            Labels::None,
            "Only these may connect to the pods (a NetworkPolicy); nothing else can.",
        )
        .once()
        .optional_body()
        .attrs(vec![
            opt(
                Attr::From,
                list(Ty::Ref(Ns::Service)),
                "services whose pods may connect",
            ),
            opt(
                Attr::Namespaces,
                list(Ty::Line),
                "namespaces whose pods may connect (an ingress controller's, Prometheus's)",
            ),
        ]),
        block(
            BlockId::Volume,
            "volume",
            Labels::Local,
            "A volume mounted into the container: scratch space unless it says where the files come from.",
        )
        .attrs(vec![
            req(Attr::Mount, Ty::Line, "absolute path it is mounted at"),
            opt(
                Attr::Size,
                Ty::Memory,
                "a persistent volume claim of this size (kept across restarts)",
            ),
            opt(
                Attr::Class,
                Ty::Line,
                "storage class of the claim (the cluster's default unless set)",
            ),
            opt(Attr::ConfigMap, Ty::Line, "the ConfigMap whose keys become files"),
            opt(
                Attr::Files,
                Ty::Secret,
                "`secret(\"NAME\")`: the Kubernetes Secret whose keys become files",
            ),
            opt(Attr::ReadOnly, Ty::Bool, "mount read-only").default("false"),
        ]),
    ]
}

const OVERRIDE_CHILDREN: &[BlockId] = &[
    BlockId::ServiceResources,
    BlockId::ServiceEnv,
    BlockId::ServiceSecrets,
    BlockId::ServiceAutoscale,
    BlockId::ServiceIngress,
    BlockId::ServiceRoute,
    BlockId::ServicePorts,
    BlockId::NodeSelector,
    BlockId::PodAnnotations,
    BlockId::PodLabels,
    BlockId::AccountAnnotations,
    BlockId::Readiness,
    BlockId::Liveness,
    BlockId::Startup,
    BlockId::NetworkPolicy,
    BlockId::Volume,
];

/// A service's blocks: those an override takes, the escape hatches and
/// the overrides.
fn service_children() -> Vec<BlockId> {
    let mut ids = OVERRIDE_CHILDREN.to_vec();
    ids.extend([BlockId::ExtraPod, BlockId::ExtraContainer, BlockId::ServiceIn]);
    ids
}

/// How rules are deployed.
const RULE_FORMATS: &[&str] = &["file", "prometheus_rule"];

pub(super) fn places() -> Vec<BlockSchema> {
    vec![
        block(
            BlockId::Project,
            "project",
            Labels::Local,
            "The project: one per directory.",
        )
        .once()
        .attrs(vec![
            req(
                Attr::Repo,
                Ty::Line,
                "GitHub repository, `owner/name`; the deploy role trusts exactly it",
            ),
            opt(Attr::Registry, Ty::Line, "container registry that images are pushed to"),
            opt(Attr::Owner, Ty::Line, "default team label for alerts and SLOs"),
            opt(
                Attr::Prometheus,
                Ty::Line,
                "Prometheus address used by rollout analysis",
            ),
            opt(
                Attr::SecretStore,
                Ty::Line,
                "External Secrets `ClusterSecretStore` that service secrets are read from",
            ),
            opt(Attr::Description, Ty::Str, "what the project is"),
            opt(
                Attr::RuleFormat,
                Ty::Enum(RULE_FORMATS),
                "how alerting and recording rules are deployed: a rule file, or also a Prometheus Operator `PrometheusRule` resource",
            )
            .default("file"),
            opt(
                Attr::RuleNamespace,
                Ty::Line,
                "Kubernetes namespace of the `PrometheusRule` resource",
            ),
            opt(
                Attr::Timeout,
                Ty::Duration,
                "maximum run time of each job whose pipeline and job set none (GitHub's 6h when not set)",
            ),
        ])
        .children(&[BlockId::RuleLabels, BlockId::Handbook]),
        block(
            BlockId::Handbook,
            "handbook",
            Labels::None,
            "The delivery handbook: Markdown pages about every service, environment and alert (the `docs` target, built by default once this block is written). Templates in the project's `handbook/` directory replace the bundled ones.",
        )
        .once()
        .attrs(vec![
            opt(
                Attr::Path,
                Ty::Line,
                "directory of the pages, relative to the output directory",
            )
            .default("\"docs/delivery\""),
            opt(
                Attr::Url,
                Ty::Line,
                "where the pages are published (e.g. `https://github.com/OWNER/REPO/blob/main/docs/delivery`): alerts without a `runbook` link to their page there",
            ),
        ]),
        block(
            BlockId::RuleLabels,
            "rule_labels",
            Labels::None,
            "Labels of the `PrometheusRule` resource (what the Prometheus Operator's `ruleSelector` matches, e.g. `release = \"kube-prometheus-stack\"`).",
        )
        .once()
        .free(Ty::Line),
        block(
            BlockId::Environment,
            "environment",
            Labels::Declare(Ns::Environment),
            "A place services are deployed to.",
        )
        .attrs(vec![
            opt(
                Attr::Extends,
                Ty::Ref(Ns::Environment),
                "inherit every attribute not set here",
            ),
            opt(
                Attr::After,
                Ty::Ref(Ns::Environment),
                "promotion order: deploy here only after that environment",
            ),
            opt(
                Attr::Approval,
                Ty::Enum(APPROVAL),
                "GitHub environment protection (reviewers)",
            )
            .default("none"),
            opt(Attr::Cluster, Ty::Line, "Kubernetes cluster name"),
            opt(Attr::Namespace, Ty::Line, "Kubernetes namespace"),
            opt(Attr::Region, Ty::Line, "cloud region"),
            opt(Attr::Url, Ty::Line, "URL shown on GitHub deployments"),
            opt(
                Attr::Prometheus,
                Ty::Line,
                "Prometheus address for this environment's rollout analysis",
            ),
            opt(
                Attr::SecretStore,
                Ty::Line,
                "External Secrets `ClusterSecretStore` for this environment's service secrets",
            ),
        ]),
        block(
            BlockId::Service,
            "service",
            Labels::Declare(Ns::Service),
            "A deployable service (one Helm chart).",
        )
        .attrs(service_attrs(true))
        .children(&service_children()),
        block(
            BlockId::ExtraPod,
            "extra_pod",
            Labels::None,
            "The escape hatch: more fields of the pod spec, as Kubernetes spells them (`priorityClassName`, `hostAliases { }`), for what dvcc does not model; fields dvcc sets are refused.",
        )
        .once()
        .free(Ty::Any)
        .raw(),
        block(
            BlockId::ExtraContainer,
            "extra_container",
            Labels::None,
            "The escape hatch: more fields of the container, as Kubernetes spells them (`lifecycle { }`, `workingDir`); fields dvcc sets are refused.",
        )
        .once()
        .free(Ty::Any)
        .raw(),
        block(
            BlockId::ServiceResources,
            "resources",
            Labels::None,
            "CPU and memory per pod: requests, and limits (memory's the request unless set).",
        )
        .once()
        .attrs(vec![
            opt(Attr::Cpu, Ty::Cpu, "CPU request"),
            opt(Attr::Memory, Ty::Memory, "memory request (and limit, unless `memory_limit`)"),
            opt(Attr::CpuLimit, Ty::Cpu, "CPU limit (none by default)"),
            opt(
                Attr::MemoryLimit,
                Ty::Memory,
                "memory limit, at least the request (the request by default)",
            ),
        ]),
        block(
            BlockId::ServiceEnv,
            "env",
            Labels::None,
            "Environment variables (plain values).",
        )
        .once()
        .free(Ty::Scalar),
        block(
            BlockId::ServiceSecrets,
            "secrets",
            Labels::None,
            "Environment variables read from secrets.",
        )
        .once()
        .free(Ty::Secret),
        block(
            BlockId::ServiceIngress,
            "ingress",
            Labels::None,
            "An Ingress routing a host (and path) to the service's port.",
        )
        .once()
        .attrs(vec![
            req(Attr::Host, Ty::Line, "the host name routed (`api.example.com`)"),
            opt(Attr::Path, Ty::Line, "path prefix routed").default("\"/\""),
            opt(Attr::Class, Ty::Line, "`ingressClassName` (the cluster's default unless set)"),
            opt(
                Attr::Tls,
                Ty::Line,
                "Secret holding the host's TLS certificate (no TLS unless set)",
            ),
        ])
        .children(&[BlockId::IngressAnnotations]),
        kubernetes_map(
            BlockId::IngressAnnotations,
            "annotations",
            Ty::Str,
            "Annotations of the Ingress (the controller's settings, cert-manager's issuer).",
        ),
        block(
            BlockId::ServiceAutoscale,
            "autoscale",
            Labels::None,
            "Horizontal pod autoscaling.",
        )
        .once()
        .attrs(vec![
            opt(Attr::Min, Ty::Int, "fewest replicas")
                .default("1")
                .bounds(Some(1.0), Some(super::MAX_COUNT)),
            opt(Attr::Max, Ty::Int, "most replicas").bounds(Some(1.0), Some(super::MAX_COUNT)),
            opt(Attr::Cpu, Ty::Percent, "target average CPU utilisation").bounds(Some(1.0), Some(100.0)),
        ]),
        block(
            BlockId::ServiceIn,
            "in",
            Labels::Refer(Ns::Environment),
            "Overrides for one environment (and those extending it).",
        )
        .attrs(service_attrs(false))
        .children(OVERRIDE_CHILDREN),
    ]
    .into_iter()
    .chain(shared_blocks())
    .collect()
}
