//! The registry: the project, environments and services (with their
//! resources, variables, secrets, autoscaling and per-environment
//! overrides).

use super::*;

/// Attributes of a service, also allowed (all optional) in `in ENV { }`.
fn service_attrs(top: bool) -> Vec<AttrSchema> {
    let image = "container image without tag; dvcc tags it with the commit SHA";
    vec![
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
    ]
}

const SERVICE_CHILDREN: &[BlockId] = &[
    BlockId::ServiceResources,
    BlockId::ServiceEnv,
    BlockId::ServiceSecrets,
    BlockId::ServiceAutoscale,
    BlockId::ServiceIngress,
    BlockId::ServiceIn,
];
const OVERRIDE_CHILDREN: &[BlockId] = &[
    BlockId::ServiceResources,
    BlockId::ServiceEnv,
    BlockId::ServiceSecrets,
    BlockId::ServiceAutoscale,
    BlockId::ServiceIngress,
];

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
        .children(&[BlockId::RuleLabels]),
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
        .children(SERVICE_CHILDREN),
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
        ]),
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
}
