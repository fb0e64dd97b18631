//! The registry's data: every block kind of the language.

use super::{AttrSchema, BlockSchema, BodyRule, Labels, Namespace as Ns, Registry, Ty};

fn opt(name: &'static str, ty: Ty, doc: &'static str) -> AttrSchema {
    AttrSchema {
        name,
        ty,
        required: false,
        default: None,
        min: None,
        max: None,
        doc,
    }
}

fn req(name: &'static str, ty: Ty, doc: &'static str) -> AttrSchema {
    AttrSchema {
        required: true,
        ..opt(name, ty, doc)
    }
}

impl AttrSchema {
    fn default(mut self, text: &'static str) -> AttrSchema {
        self.default = Some(text);
        self
    }

    fn bounds(mut self, min: Option<f64>, max: Option<f64>) -> AttrSchema {
        self.min = min;
        self.max = max;
        self
    }
}

fn block(id: &'static str, kind: &'static str, labels: Labels, doc: &'static str) -> BlockSchema {
    BlockSchema {
        id,
        kind,
        variant: None,
        labels,
        body: BodyRule::Required,
        attrs: Vec::new(),
        children: Vec::new(),
        free: None,
        repeatable: true,
        doc,
    }
}

impl BlockSchema {
    fn attrs(mut self, attrs: Vec<AttrSchema>) -> BlockSchema {
        self.attrs = attrs;
        self
    }

    fn children(mut self, ids: &[&'static str]) -> BlockSchema {
        self.children = ids.to_vec();
        self
    }

    fn free(mut self, ty: Ty) -> BlockSchema {
        self.free = Some(ty);
        self
    }

    fn once(mut self) -> BlockSchema {
        self.repeatable = false;
        self
    }

    fn variant(mut self, word: &'static str) -> BlockSchema {
        self.variant = Some(word);
        self
    }

    fn optional_body(mut self) -> BlockSchema {
        self.body = BodyRule::Optional;
        self
    }
}

/// A plain value, or `secret("NAME")` (a workflow's `${{ secrets.NAME }}`).
fn scalar_or_secret() -> Ty {
    Ty::Either(Box::new(Ty::Scalar), Box::new(Ty::Secret))
}

fn list(t: Ty) -> Ty {
    Ty::List(Box::new(t))
}

const SEVERITIES: &[&str] = &["critical", "warning", "info"];
const APPROVAL: &[&str] = &["required", "none"];
const CLUSTER_KINDS: &[&str] = &["eks"];
const ENGINES: &[&str] = &["postgres", "mysql", "mariadb"];
const INPUT_TYPES: &[&str] = &["string", "boolean", "choice", "number", "environment"];
const PARAM_TYPES: &[&str] = &["string", "number", "bool", "duration", "service", "environment", "list"];
const PERMISSION_LEVELS: &[&str] = &["read", "write", "none"];

/// Attributes of a service, also allowed (all optional) in `in ENV { }`.
fn service_attrs(top: bool) -> Vec<AttrSchema> {
    let image = "container image without tag; dvcc tags it with the commit SHA";
    vec![
        if top {
            req("image", Ty::Str, image)
        } else {
            opt("image", Ty::Str, image)
        },
        opt("port", Ty::Int, "container port the service listens on").bounds(Some(1.0), Some(65535.0)),
        opt("health", Ty::Str, "HTTP path for liveness and readiness probes"),
        opt("replicas", Ty::Int, "number of pods when not autoscaled")
            .default("1")
            .bounds(Some(0.0), None),
        opt(
            "command",
            list(Ty::Str),
            "container command, replacing the image's entrypoint",
        ),
        opt(
            "team",
            Ty::Str,
            "owning team: the team label of its alerts and SLOs unless they set one",
        ),
    ]
}

const SERVICE_CHILDREN: &[&str] = &[
    "service.resources",
    "service.env",
    "service.secrets",
    "service.autoscale",
    "service.in",
];
const OVERRIDE_CHILDREN: &[&str] = &[
    "service.resources",
    "service.env",
    "service.secrets",
    "service.autoscale",
];

pub fn build() -> Registry {
    let blocks = vec![
        block("project", "project", Labels::Local, "The project: one per directory.")
            .once()
            .attrs(vec![
                req(
                    "repo",
                    Ty::Str,
                    "GitHub repository, `owner/name`; the deploy role trusts exactly it",
                ),
                opt("registry", Ty::Str, "container registry that images are pushed to"),
                opt("owner", Ty::Str, "default team label for alerts and SLOs"),
                opt("prometheus", Ty::Str, "Prometheus address used by rollout analysis"),
                opt(
                    "secret_store",
                    Ty::Str,
                    "External Secrets `ClusterSecretStore` that service secrets are read from",
                ),
                opt("description", Ty::Str, "what the project is"),
            ]),
        block(
            "environment",
            "environment",
            Labels::Declare(Ns::Environment),
            "A place services are deployed to.",
        )
        .attrs(vec![
            opt(
                "extends",
                Ty::Ref(Ns::Environment),
                "inherit every attribute not set here",
            ),
            opt(
                "after",
                Ty::Ref(Ns::Environment),
                "promotion order: deploy here only after that environment",
            ),
            opt(
                "approval",
                Ty::Enum(APPROVAL),
                "GitHub environment protection (reviewers)",
            )
            .default("none"),
            opt("cluster", Ty::Str, "Kubernetes cluster name"),
            opt("namespace", Ty::Str, "Kubernetes namespace"),
            opt("region", Ty::Str, "cloud region"),
            opt("url", Ty::Str, "URL shown on GitHub deployments"),
            opt(
                "prometheus",
                Ty::Str,
                "Prometheus address for this environment's rollout analysis",
            ),
            opt(
                "secret_store",
                Ty::Str,
                "External Secrets `ClusterSecretStore` for this environment's service secrets",
            ),
        ]),
        block(
            "service",
            "service",
            Labels::Declare(Ns::Service),
            "A deployable service (one Helm chart).",
        )
        .attrs(service_attrs(true))
        .children(SERVICE_CHILDREN),
        block(
            "service.resources",
            "resources",
            Labels::None,
            "CPU and memory per pod (requests = limits).",
        )
        .once()
        .attrs(vec![
            opt("cpu", Ty::Cpu, "CPU request"),
            opt("memory", Ty::Memory, "memory request and limit"),
            opt("cpu_limit", Ty::Cpu, "CPU limit (none by default)"),
        ]),
        block(
            "service.env",
            "env",
            Labels::None,
            "Environment variables (plain values).",
        )
        .once()
        .free(Ty::Scalar),
        block(
            "service.secrets",
            "secrets",
            Labels::None,
            "Environment variables read from secrets.",
        )
        .once()
        .free(Ty::Secret),
        block(
            "service.autoscale",
            "autoscale",
            Labels::None,
            "Horizontal pod autoscaling.",
        )
        .once()
        .attrs(vec![
            opt("min", Ty::Int, "fewest replicas").bounds(Some(1.0), None),
            opt("max", Ty::Int, "most replicas").bounds(Some(1.0), None),
            opt("cpu", Ty::Percent, "target average CPU utilisation").bounds(Some(1.0), Some(100.0)),
        ]),
        block(
            "service.in",
            "in",
            Labels::Refer(Ns::Environment),
            "Overrides for one environment (and those extending it).",
        )
        .attrs(service_attrs(false))
        .children(OVERRIDE_CHILDREN),
        block(
            "pipeline",
            "pipeline",
            Labels::Declare(Ns::Pipeline),
            "A CI/CD pipeline: one GitHub Actions workflow.",
        )
        .children(&[
            "pipeline.on:push",
            "pipeline.on:pull_request",
            "pipeline.on:schedule",
            "pipeline.on:tag",
            "pipeline.on:manual",
            "pipeline.job",
            "pipeline.deploy",
        ]),
        block("pipeline.on:push", "on", Labels::Variant, "Run on pushes to branches.")
            .variant("push")
            .optional_body()
            .attrs(vec![
                opt("branches", list(Ty::Str), "branch patterns"),
                opt("paths", list(Ty::Str), "run only when these paths change"),
                opt("paths_ignore", list(Ty::Str), "do not run when only these paths change"),
            ]),
        block(
            "pipeline.on:pull_request",
            "on",
            Labels::Variant,
            "Run on pull requests.",
        )
        .variant("pull_request")
        .optional_body()
        .attrs(vec![
            opt("branches", list(Ty::Str), "target branch patterns"),
            opt("paths", list(Ty::Str), "run only when these paths change"),
            opt("paths_ignore", list(Ty::Str), "do not run when only these paths change"),
        ]),
        block("pipeline.on:schedule", "on", Labels::Variant, "Run on a schedule.")
            .variant("schedule")
            .attrs(vec![req("cron", Ty::Str, "five-field cron expression, in UTC")]),
        block("pipeline.on:tag", "on", Labels::Variant, "Run when a tag is pushed.")
            .variant("tag")
            .attrs(vec![req("pattern", Ty::Str, "tag pattern, such as `v*`")]),
        block(
            "pipeline.on:manual",
            "on",
            Labels::Variant,
            "Run by hand (workflow_dispatch).",
        )
        .variant("manual")
        .optional_body()
        .children(&["pipeline.on.input"]),
        block("pipeline.on.input", "input", Labels::Local, "An input of a manual run.").attrs(vec![
            opt("description", Ty::Str, "shown in the run form"),
            opt("type", Ty::Enum(INPUT_TYPES), "input type").default("string"),
            opt("default", Ty::Scalar, "default value"),
            opt("required", Ty::Bool, "whether a value must be given").default("false"),
            opt("options", list(Ty::Str), "choices, for `type = choice`"),
        ]),
        block(
            "pipeline.job",
            "job",
            Labels::Declare(Ns::Job),
            "A job: steps on one runner.",
        )
        .attrs(vec![
            opt("needs", list(Ty::Ref(Ns::Job)), "jobs that must finish first"),
            opt("runs_on", Ty::Str, "runner label").default("\"ubuntu-latest\""),
            opt("timeout", Ty::Duration, "maximum run time").default("30m"),
            opt("if", Ty::Str, "GitHub Actions condition"),
        ])
        .children(&[
            "pipeline.job.env",
            "pipeline.job.matrix",
            "pipeline.job.services",
            "step.run",
            "step.uses",
        ]),
        block(
            "pipeline.job.env",
            "env",
            Labels::None,
            "Environment variables for every step (`secret(\"NAME\")` allowed).",
        )
        .once()
        .free(scalar_or_secret()),
        block(
            "pipeline.job.matrix",
            "matrix",
            Labels::None,
            "Run the job once per combination of values.",
        )
        .once()
        .free(list(Ty::Scalar)),
        block(
            "pipeline.job.services",
            "services",
            Labels::None,
            "Service containers: NAME = image.",
        )
        .once()
        .free(Ty::Str),
        block(
            "pipeline.deploy",
            "deploy",
            Labels::Refer(Ns::Environment),
            "Deploy services to an environment.",
        )
        .attrs(vec![
            opt("needs", list(Ty::Ref(Ns::Job)), "jobs that must finish first"),
            req("services", list(Ty::Ref(Ns::Service)), "services to deploy"),
            opt(
                "rollout",
                Ty::Ref(Ns::Rollout),
                "progressive delivery strategy to wait for",
            ),
            opt("if", Ty::Str, "GitHub Actions condition"),
            opt("timeout", Ty::Duration, "maximum run time").default("30m"),
        ]),
        block("step.run", "run", Labels::Script, "A shell step: `run \"npm test\"`.")
            .optional_body()
            .attrs(vec![
                opt("name", Ty::Str, "step name shown in the run log"),
                opt("if", Ty::Str, "GitHub Actions condition"),
                opt("shell", Ty::Str, "shell to run the script with"),
                opt("working_directory", Ty::Str, "directory to run in"),
                opt("continue_on_error", Ty::Bool, "let the job go on if this step fails"),
            ])
            .children(&["step.env"]),
        block(
            "step.uses",
            "uses",
            Labels::Uses,
            "A template (`uses checkout`) or an action (`uses \"owner/repo@SHA\"`).",
        )
        .optional_body()
        .free(Ty::Any)
        .children(&["step.with", "step.env"]),
        block("step.with", "with", Labels::None, "Inputs of an action.")
            .once()
            .free(Ty::Scalar),
        block(
            "step.env",
            "env",
            Labels::None,
            "Environment variables of one step (`secret(\"NAME\")` allowed).",
        )
        .once()
        .free(scalar_or_secret()),
        block(
            "rollout",
            "rollout",
            Labels::Declare(Ns::Rollout),
            "Progressive delivery for a service.",
        )
        .attrs(vec![
            req("service", Ty::Ref(Ns::Service), "the service rolled out"),
            opt(
                "abort_on",
                list(Ty::Ref(Ns::Alert)),
                "alerts whose firing aborts and rolls back",
            ),
        ])
        .children(&["rollout.canary", "rollout.blue_green"]),
        block("rollout.canary", "canary", Labels::None, "Shift traffic in steps.")
            .once()
            .children(&["rollout.canary.step"]),
        block("rollout.canary.step", "step", Labels::None, "One canary step.").attrs(vec![
            req("weight", Ty::Percent, "share of traffic on the new version").bounds(Some(1.0), Some(100.0)),
            opt(
                "pause",
                Ty::Either(Box::new(Ty::Duration), Box::new(Ty::Enum(&["manual"]))),
                "wait before the next step; `manual` waits for promotion",
            ),
        ]),
        block(
            "rollout.blue_green",
            "blue_green",
            Labels::None,
            "Switch all traffic at once after a preview.",
        )
        .once()
        .attrs(vec![
            opt("preview", Ty::Bool, "expose the new version on a preview service").default("true"),
            opt("auto_promote", Ty::Bool, "promote without manual approval").default("false"),
            opt(
                "scale_down_delay",
                Ty::Duration,
                "keep the old version this long after promotion",
            )
            .default("30s"),
        ]),
        block(
            "alert",
            "alert",
            Labels::Declare(Ns::Alert),
            "A Prometheus alerting rule.",
        )
        .attrs(vec![
            req("service", Ty::Ref(Ns::Service), "the service the alert is about"),
            req("expr", Ty::Str, "PromQL condition"),
            opt("for", Ty::Duration, "how long the condition must hold").default("0s"),
            opt("keep_firing_for", Ty::Duration, "keep firing this long after it clears"),
            opt("severity", Ty::Enum(SEVERITIES), "routing severity").default("warning"),
            opt("summary", Ty::Str, "one-line summary annotation"),
            opt(
                "description",
                Ty::Str,
                "description annotation; Prometheus templates allowed",
            ),
            opt("runbook", Ty::Str, "runbook URL"),
            opt(
                "team",
                Ty::Str,
                "owning team (defaults to the service's team, then the project owner)",
            ),
        ])
        .children(&["alert.labels"]),
        block("alert.labels", "labels", Labels::None, "Extra alert labels.")
            .once()
            .free(Ty::Str),
        block(
            "slo",
            "slo",
            Labels::Declare(Ns::Slo),
            "A service level objective with burn-rate alerts.",
        )
        .attrs(vec![
            req("service", Ty::Ref(Ns::Service), "the service measured"),
            req("objective", Ty::Percent, "target share of good events").bounds(Some(0.0), Some(100.0)),
            opt("window", Ty::Duration, "compliance window").default("30d"),
            req(
                "errors",
                Ty::Str,
                "PromQL rate of bad events; `${window}` is replaced per window",
            ),
            req(
                "total",
                Ty::Str,
                "PromQL rate of all events; `${window}` is replaced per window",
            ),
            opt("description", Ty::Str, "what the SLO means"),
            opt(
                "team",
                Ty::Str,
                "owning team (defaults to the service's team, then the project owner)",
            ),
        ]),
        block(
            "infra",
            "infra",
            Labels::Refer(Ns::Environment),
            "Infrastructure of one environment (Terraform).",
        )
        .children(&[
            "infra.provider:aws",
            "infra.backend:s3",
            "infra.cluster",
            "infra.bucket",
            "infra.database",
            "infra.resource",
        ]),
        block("infra.provider:aws", "provider", Labels::Variant, "The AWS provider.")
            .variant("aws")
            .once()
            .attrs(vec![req("region", Ty::Str, "AWS region")]),
        block(
            "infra.backend:s3",
            "backend",
            Labels::Variant,
            "Terraform state in S3, with locking.",
        )
        .variant("s3")
        .once()
        .attrs(vec![
            req("bucket", Ty::Str, "state bucket"),
            req("key", Ty::Str, "state object key"),
            opt("region", Ty::Str, "bucket region (defaults to the provider's)"),
        ]),
        block("infra.cluster", "cluster", Labels::Local, "A Kubernetes cluster.").attrs(vec![
            req("kind", Ty::Enum(CLUSTER_KINDS), "cluster flavour"),
            req("version", Ty::Str, "Kubernetes version"),
            opt("nodes", Ty::Range(Box::new(Ty::Int)), "node group size, `MIN..MAX`").default("2..5"),
            opt("instance", Ty::Str, "node instance type").default("\"t3.large\""),
        ]),
        block(
            "infra.bucket",
            "bucket",
            Labels::Local,
            "An S3 bucket, private and encrypted.",
        )
        .attrs(vec![
            opt("versioning", Ty::Bool, "keep object versions").default("true"),
            opt("expire_after", Ty::Duration, "delete objects after this long"),
        ]),
        block(
            "infra.database",
            "database",
            Labels::Local,
            "A managed relational database (RDS).",
        )
        .attrs(vec![
            req("engine", Ty::Enum(ENGINES), "database engine"),
            req("version", Ty::Str, "engine version"),
            opt("size", Ty::Str, "instance class").default("\"db.t3.medium\""),
            opt("storage", Ty::Memory, "allocated storage").default("20Gi"),
            opt("backups", Ty::Duration, "backup retention").default("7d"),
        ]),
        block(
            "infra.resource",
            "resource",
            Labels::TypeAndName,
            "A raw Terraform resource, passed through.",
        )
        .free(Ty::Any),
        block(
            "template",
            "template",
            Labels::Declare(Ns::Template),
            "Reusable steps: `uses NAME { ARGS }`.",
        )
        .attrs(vec![opt("description", Ty::Str, "what the template does")])
        .children(&["template.param", "template.permissions", "step.run", "step.uses"]),
        block(
            "template.param",
            "param",
            Labels::Local,
            "A typed parameter of a template.",
        )
        .optional_body()
        .attrs(vec![
            opt("type", Ty::Enum(PARAM_TYPES), "parameter type").default("string"),
            opt(
                "default",
                Ty::Any,
                "value when the argument is not given; without it the argument is required",
            ),
            opt("description", Ty::Str, "what the parameter means"),
        ]),
        block(
            "template.permissions",
            "permissions",
            Labels::None,
            "Token permissions the steps need.",
        )
        .once()
        .free(Ty::Enum(PERMISSION_LEVELS)),
    ];
    let top = vec![
        "project",
        "environment",
        "service",
        "pipeline",
        "rollout",
        "alert",
        "slo",
        "infra",
        "template",
    ];
    Registry::new(blocks, top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_child_id_exists_and_ids_are_unique() {
        let r = build();
        let mut ids: Vec<&str> = r.blocks.iter().map(|b| b.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
        for b in &r.blocks {
            for c in &b.children {
                assert!(r.get(c).is_some(), "{} names missing child {c}", b.id);
            }
            assert_eq!(b.variant.is_some(), b.labels == Labels::Variant, "{}", b.id);
        }
        for t in &r.top {
            assert!(r.get(t).is_some(), "missing top {t}");
        }
    }
}
