//! The registry's data: every block kind of the language.

use super::{Attr, AttrSchema, BlockId, BlockSchema, BodyRule, Labels, Namespace as Ns, Registry, Ty};

fn opt(attr: Attr, ty: Ty, doc: &'static str) -> AttrSchema {
    AttrSchema {
        attr,
        name: attr.as_str(),
        ty,
        required: false,
        default: None,
        min: None,
        max: None,
        doc,
    }
}

fn req(attr: Attr, ty: Ty, doc: &'static str) -> AttrSchema {
    AttrSchema {
        required: true,
        ..opt(attr, ty, doc)
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

fn block(id: BlockId, kind: &'static str, labels: Labels, doc: &'static str) -> BlockSchema {
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

    fn children(mut self, ids: &[BlockId]) -> BlockSchema {
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
/// The types a template parameter may have (`param NAME { type = ... }`).
pub const PARAM_TYPES: &[&str] = &["string", "number", "bool", "duration", "service", "environment", "list"];

/// The value type an argument of a parameter of type `word` must have.
pub fn param_type(word: &str) -> Option<Ty> {
    Some(match word {
        "string" => Ty::Scalar,
        "number" => Ty::Number,
        "bool" => Ty::Bool,
        "duration" => Ty::Duration,
        "service" => Ty::Ref(Ns::Service),
        "environment" => Ty::Ref(Ns::Environment),
        "list" => Ty::List(Box::new(Ty::Scalar)),
        _ => return None,
    })
}

/// The attributes of an action step (`uses "owner/repo@SHA" { ... }`); the
/// same block kind takes a template's arguments instead when it names a
/// template, so its schema is free-form.
pub const ACTION_STEP_ATTRS: [Attr; 3] = [Attr::Name, Attr::Version, Attr::If];
const PERMISSION_LEVELS: &[&str] = &["read", "write", "none"];

/// Attributes of a service, also allowed (all optional) in `in ENV { }`.
fn service_attrs(top: bool) -> Vec<AttrSchema> {
    let image = "container image without tag; dvcc tags it with the commit SHA";
    vec![
        if top {
            req(Attr::Image, Ty::Str, image)
        } else {
            opt(Attr::Image, Ty::Str, image)
        },
        opt(Attr::Port, Ty::Int, "container port the service listens on").bounds(Some(1.0), Some(65535.0)),
        opt(Attr::Health, Ty::Str, "HTTP path for liveness and readiness probes"),
        opt(Attr::Replicas, Ty::Int, "number of pods when not autoscaled")
            .default("1")
            .bounds(Some(0.0), None),
        opt(
            Attr::Command,
            list(Ty::Str),
            "container command, replacing the image's entrypoint",
        ),
        opt(
            Attr::Team,
            Ty::Str,
            "owning team: the team label of its alerts and SLOs unless they set one",
        ),
    ]
}

const SERVICE_CHILDREN: &[BlockId] = &[
    BlockId::ServiceResources,
    BlockId::ServiceEnv,
    BlockId::ServiceSecrets,
    BlockId::ServiceAutoscale,
    BlockId::ServiceIn,
];
const OVERRIDE_CHILDREN: &[BlockId] = &[
    BlockId::ServiceResources,
    BlockId::ServiceEnv,
    BlockId::ServiceSecrets,
    BlockId::ServiceAutoscale,
];

pub fn build() -> Registry {
    let blocks = vec![
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
                Ty::Str,
                "GitHub repository, `owner/name`; the deploy role trusts exactly it",
            ),
            opt(Attr::Registry, Ty::Str, "container registry that images are pushed to"),
            opt(Attr::Owner, Ty::Str, "default team label for alerts and SLOs"),
            opt(Attr::Prometheus, Ty::Str, "Prometheus address used by rollout analysis"),
            opt(
                Attr::SecretStore,
                Ty::Str,
                "External Secrets `ClusterSecretStore` that service secrets are read from",
            ),
            opt(Attr::Description, Ty::Str, "what the project is"),
        ]),
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
            opt(Attr::Cluster, Ty::Str, "Kubernetes cluster name"),
            opt(Attr::Namespace, Ty::Str, "Kubernetes namespace"),
            opt(Attr::Region, Ty::Str, "cloud region"),
            opt(Attr::Url, Ty::Str, "URL shown on GitHub deployments"),
            opt(
                Attr::Prometheus,
                Ty::Str,
                "Prometheus address for this environment's rollout analysis",
            ),
            opt(
                Attr::SecretStore,
                Ty::Str,
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
            "CPU and memory per pod (requests = limits).",
        )
        .once()
        .attrs(vec![
            opt(Attr::Cpu, Ty::Cpu, "CPU request"),
            opt(Attr::Memory, Ty::Memory, "memory request and limit"),
            opt(Attr::CpuLimit, Ty::Cpu, "CPU limit (none by default)"),
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
            BlockId::ServiceAutoscale,
            "autoscale",
            Labels::None,
            "Horizontal pod autoscaling.",
        )
        .once()
        .attrs(vec![
            opt(Attr::Min, Ty::Int, "fewest replicas")
                .default("1")
                .bounds(Some(1.0), None),
            opt(Attr::Max, Ty::Int, "most replicas").bounds(Some(1.0), None),
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
        block(
            BlockId::Pipeline,
            "pipeline",
            Labels::Declare(Ns::Pipeline),
            "A CI/CD pipeline: one GitHub Actions workflow.",
        )
        .children(&[
            BlockId::OnPush,
            BlockId::OnPullRequest,
            BlockId::OnSchedule,
            BlockId::OnTag,
            BlockId::OnManual,
            BlockId::Job,
            BlockId::Deploy,
        ]),
        block(BlockId::OnPush, "on", Labels::Variant, "Run on pushes to branches.")
            .variant("push")
            .optional_body()
            .attrs(vec![
                opt(Attr::Branches, list(Ty::Str), "branch patterns"),
                opt(Attr::Paths, list(Ty::Str), "run only when these paths change"),
                opt(
                    Attr::PathsIgnore,
                    list(Ty::Str),
                    "do not run when only these paths change",
                ),
            ]),
        block(BlockId::OnPullRequest, "on", Labels::Variant, "Run on pull requests.")
            .variant("pull_request")
            .optional_body()
            .attrs(vec![
                opt(Attr::Branches, list(Ty::Str), "target branch patterns"),
                opt(Attr::Paths, list(Ty::Str), "run only when these paths change"),
                opt(
                    Attr::PathsIgnore,
                    list(Ty::Str),
                    "do not run when only these paths change",
                ),
            ]),
        block(BlockId::OnSchedule, "on", Labels::Variant, "Run on a schedule.")
            .variant("schedule")
            .attrs(vec![req(Attr::Cron, Ty::Str, "five-field cron expression, in UTC")]),
        block(BlockId::OnTag, "on", Labels::Variant, "Run when a tag is pushed.")
            .variant("tag")
            .attrs(vec![req(Attr::Pattern, Ty::Str, "tag pattern, such as `v*`")]),
        block(
            BlockId::OnManual,
            "on",
            Labels::Variant,
            "Run by hand (workflow_dispatch).",
        )
        .variant("manual")
        .optional_body()
        .children(&[BlockId::ManualInput]),
        block(
            BlockId::ManualInput,
            "input",
            Labels::Local,
            "An input of a manual run.",
        )
        .attrs(vec![
            opt(Attr::Description, Ty::Str, "shown in the run form"),
            opt(Attr::Type, Ty::Enum(INPUT_TYPES), "input type").default("string"),
            opt(Attr::Default, Ty::Scalar, "default value"),
            opt(Attr::Required, Ty::Bool, "whether a value must be given").default("false"),
            opt(Attr::Options, list(Ty::Str), "choices, for `type = choice`"),
        ]),
        block(
            BlockId::Job,
            "job",
            Labels::Declare(Ns::Job),
            "A job: steps on one runner.",
        )
        .attrs(vec![
            opt(Attr::Needs, list(Ty::Ref(Ns::Job)), "jobs that must finish first"),
            opt(Attr::RunsOn, Ty::Str, "runner label").default("\"ubuntu-latest\""),
            opt(Attr::Timeout, Ty::Duration, "maximum run time").default("30m"),
            opt(Attr::If, Ty::Str, "GitHub Actions condition"),
        ])
        .children(&[
            BlockId::JobEnv,
            BlockId::JobMatrix,
            BlockId::JobServices,
            BlockId::Run,
            BlockId::Uses,
        ]),
        block(
            BlockId::JobEnv,
            "env",
            Labels::None,
            "Environment variables for every step (`secret(\"NAME\")` allowed).",
        )
        .once()
        .free(scalar_or_secret()),
        block(
            BlockId::JobMatrix,
            "matrix",
            Labels::None,
            "Run the job once per combination of values.",
        )
        .once()
        .free(list(Ty::Scalar)),
        block(
            BlockId::JobServices,
            "services",
            Labels::None,
            "Service containers: NAME = image.",
        )
        .once()
        .free(Ty::Str),
        block(
            BlockId::Deploy,
            "deploy",
            Labels::Refer(Ns::Environment),
            "Deploy services to an environment.",
        )
        .attrs(vec![
            opt(Attr::Needs, list(Ty::Ref(Ns::Job)), "jobs that must finish first"),
            req(Attr::Services, list(Ty::Ref(Ns::Service)), "services to deploy"),
            opt(
                Attr::Rollout,
                Ty::Ref(Ns::Rollout),
                "progressive delivery strategy to wait for",
            ),
            opt(Attr::If, Ty::Str, "GitHub Actions condition"),
            opt(Attr::Timeout, Ty::Duration, "maximum run time").default("30m"),
        ]),
        block(BlockId::Run, "run", Labels::Script, "A shell step: `run \"npm test\"`.")
            .optional_body()
            .attrs(vec![
                opt(Attr::Name, Ty::Str, "step name shown in the run log"),
                opt(Attr::If, Ty::Str, "GitHub Actions condition"),
                opt(Attr::Shell, Ty::Str, "shell to run the script with"),
                opt(Attr::WorkingDirectory, Ty::Str, "directory to run in"),
                opt(Attr::ContinueOnError, Ty::Bool, "let the job go on if this step fails").default("false"),
            ])
            .children(&[BlockId::StepEnv]),
        block(
            BlockId::Uses,
            "uses",
            Labels::Uses,
            "A template (`uses checkout`) or an action (`uses \"owner/repo@SHA\"`).",
        )
        .optional_body()
        .free(Ty::Any)
        .children(&[BlockId::With, BlockId::StepEnv]),
        block(BlockId::With, "with", Labels::None, "Inputs of an action.")
            .once()
            .free(Ty::Scalar),
        block(
            BlockId::StepEnv,
            "env",
            Labels::None,
            "Environment variables of one step (`secret(\"NAME\")` allowed).",
        )
        .once()
        .free(scalar_or_secret()),
        block(
            BlockId::Rollout,
            "rollout",
            Labels::Declare(Ns::Rollout),
            "Progressive delivery for a service.",
        )
        .attrs(vec![
            req(Attr::Service, Ty::Ref(Ns::Service), "the service rolled out"),
            opt(
                Attr::AbortOn,
                list(Ty::Ref(Ns::Alert)),
                "alerts whose firing aborts and rolls back",
            ),
        ])
        .children(&[BlockId::Canary, BlockId::BlueGreen]),
        block(BlockId::Canary, "canary", Labels::None, "Shift traffic in steps.")
            .once()
            .children(&[BlockId::CanaryStep]),
        block(BlockId::CanaryStep, "step", Labels::None, "One canary step.").attrs(vec![
            req(Attr::Weight, Ty::Percent, "share of traffic on the new version").bounds(Some(1.0), Some(100.0)),
            opt(
                Attr::Pause,
                Ty::Either(Box::new(Ty::Duration), Box::new(Ty::Enum(&["manual"]))),
                "wait before the next step; `manual` waits for promotion",
            ),
        ]),
        block(
            BlockId::BlueGreen,
            "blue_green",
            Labels::None,
            "Switch all traffic at once after a preview.",
        )
        .once()
        .attrs(vec![
            opt(Attr::Preview, Ty::Bool, "expose the new version on a preview service").default("true"),
            opt(Attr::AutoPromote, Ty::Bool, "promote without manual approval").default("false"),
            opt(
                Attr::ScaleDownDelay,
                Ty::Duration,
                "keep the old version this long after promotion",
            )
            .default("30s"),
        ]),
        block(
            BlockId::Alert,
            "alert",
            Labels::Declare(Ns::Alert),
            "A Prometheus alerting rule.",
        )
        .attrs(vec![
            req(Attr::Service, Ty::Ref(Ns::Service), "the service the alert is about"),
            req(Attr::Expr, Ty::Str, "PromQL condition"),
            opt(Attr::For, Ty::Duration, "how long the condition must hold").default("0s"),
            opt(
                Attr::KeepFiringFor,
                Ty::Duration,
                "keep firing this long after it clears",
            ),
            opt(Attr::Severity, Ty::Enum(SEVERITIES), "routing severity").default("warning"),
            opt(Attr::Summary, Ty::Str, "one-line summary annotation"),
            opt(
                Attr::Description,
                Ty::Str,
                "description annotation; Prometheus templates allowed",
            ),
            opt(Attr::Runbook, Ty::Str, "runbook URL"),
            opt(
                Attr::Team,
                Ty::Str,
                "owning team (defaults to the service's team, then the project owner)",
            ),
        ])
        .children(&[BlockId::AlertLabels]),
        block(BlockId::AlertLabels, "labels", Labels::None, "Extra alert labels.")
            .once()
            .free(Ty::Str),
        block(
            BlockId::Slo,
            "slo",
            Labels::Declare(Ns::Slo),
            "A service level objective with burn-rate alerts.",
        )
        .attrs(vec![
            req(Attr::Service, Ty::Ref(Ns::Service), "the service measured"),
            req(Attr::Objective, Ty::Percent, "target share of good events").bounds(Some(0.0), Some(100.0)),
            opt(Attr::Window, Ty::Duration, "compliance window").default("30d"),
            req(
                Attr::Errors,
                Ty::Str,
                "PromQL rate of bad events; `${window}` is replaced per window",
            ),
            req(
                Attr::Total,
                Ty::Str,
                "PromQL rate of all events; `${window}` is replaced per window",
            ),
            opt(Attr::Description, Ty::Str, "what the SLO means"),
            opt(
                Attr::Team,
                Ty::Str,
                "owning team (defaults to the service's team, then the project owner)",
            ),
        ]),
        block(
            BlockId::Infra,
            "infra",
            Labels::Refer(Ns::Environment),
            "Infrastructure of one environment (Terraform).",
        )
        .children(&[
            BlockId::AwsProvider,
            BlockId::S3Backend,
            BlockId::Cluster,
            BlockId::Bucket,
            BlockId::Database,
            BlockId::Resource,
        ]),
        block(BlockId::AwsProvider, "provider", Labels::Variant, "The AWS provider.")
            .variant("aws")
            .once()
            .attrs(vec![req(Attr::Region, Ty::Str, "AWS region")]),
        block(
            BlockId::S3Backend,
            "backend",
            Labels::Variant,
            "Terraform state in S3, with locking.",
        )
        .variant("s3")
        .once()
        .attrs(vec![
            req(Attr::Bucket, Ty::Str, "state bucket"),
            req(Attr::Key, Ty::Str, "state object key"),
            opt(Attr::Region, Ty::Str, "bucket region (defaults to the provider's)"),
        ]),
        block(BlockId::Cluster, "cluster", Labels::Local, "A Kubernetes cluster.").attrs(vec![
            req(Attr::Kind, Ty::Enum(CLUSTER_KINDS), "cluster flavour"),
            req(Attr::Version, Ty::Str, "Kubernetes version"),
            opt(Attr::Nodes, Ty::Range(Box::new(Ty::Int)), "node group size, `MIN..MAX`").default("2..5"),
            opt(Attr::Instance, Ty::Str, "node instance type").default("\"t3.large\""),
        ]),
        block(
            BlockId::Bucket,
            "bucket",
            Labels::Local,
            "An S3 bucket, private and encrypted.",
        )
        .attrs(vec![
            opt(Attr::Versioning, Ty::Bool, "keep object versions").default("true"),
            opt(Attr::ExpireAfter, Ty::Duration, "delete objects after this long"),
        ]),
        block(
            BlockId::Database,
            "database",
            Labels::Local,
            "A managed relational database (RDS).",
        )
        .attrs(vec![
            req(Attr::Engine, Ty::Enum(ENGINES), "database engine"),
            req(Attr::Version, Ty::Str, "engine version"),
            opt(Attr::Size, Ty::Str, "instance class").default("\"db.t3.medium\""),
            opt(Attr::Storage, Ty::Memory, "allocated storage").default("20Gi"),
            opt(Attr::Backups, Ty::Duration, "backup retention").default("7d"),
        ]),
        block(
            BlockId::Resource,
            "resource",
            Labels::TypeAndName,
            "A raw Terraform resource, passed through.",
        )
        .free(Ty::Any),
        block(
            BlockId::Template,
            "template",
            Labels::Declare(Ns::Template),
            "Reusable steps: `uses NAME { ARGS }`.",
        )
        .attrs(vec![opt(Attr::Description, Ty::Str, "what the template does")])
        .children(&[BlockId::Param, BlockId::Permissions, BlockId::Run, BlockId::Uses]),
        block(
            BlockId::Param,
            "param",
            Labels::Local,
            "A typed parameter of a template.",
        )
        .optional_body()
        .attrs(vec![
            opt(Attr::Type, Ty::Enum(PARAM_TYPES), "parameter type").default("string"),
            opt(
                Attr::Default,
                Ty::Any,
                "value when the argument is not given; without it the argument is required",
            ),
            opt(Attr::Description, Ty::Str, "what the parameter means"),
        ]),
        block(
            BlockId::Permissions,
            "permissions",
            Labels::None,
            "Token permissions the steps need.",
        )
        .once()
        .free(Ty::Enum(PERMISSION_LEVELS)),
    ];
    let top = vec![
        BlockId::Project,
        BlockId::Environment,
        BlockId::Service,
        BlockId::Pipeline,
        BlockId::Rollout,
        BlockId::Alert,
        BlockId::Slo,
        BlockId::Infra,
        BlockId::Template,
    ];
    Registry::new(blocks, top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_one_schema_and_every_child_exists() {
        let r = build();
        for id in BlockId::ALL {
            let n = r.blocks.iter().filter(|b| b.id == *id).count();
            assert_eq!(n, 1, "{id} has {n} schemas");
        }
        for b in &r.blocks {
            for c in &b.children {
                assert!(r.get(*c).is_some(), "{} names missing child {c}", b.id);
            }
            assert_eq!(b.variant.is_some(), b.labels == Labels::Variant, "{}", b.id);
        }
        for t in &r.top {
            assert!(r.get(*t).is_some(), "missing top {t}");
        }
    }

    /// An id is the path of kinds to its block (`pipeline.job`), the
    /// variant after a colon (`pipeline.on:push`): checked against the
    /// registry's nesting, so an id cannot say one thing and mean another.
    #[test]
    fn ids_spell_the_path_to_their_block() {
        let r = build();
        for b in &r.blocks {
            let (path, variant) = match b.id.as_str().split_once(':') {
                Some((p, v)) => (p, Some(v)),
                None => (b.id.as_str(), None),
            };
            assert_eq!(variant, b.variant, "{}", b.id);
            assert_eq!(path.rsplit('.').next(), Some(b.kind), "{}", b.id);
            if !path.contains('.') {
                assert!(r.top.contains(&b.id), "{} is top-level by its id", b.id);
            }
        }
        for parent in &r.blocks {
            for c in &parent.children {
                let child = r.get(*c).map(|b| b.id.as_str()).unwrap_or_default();
                // `step.*` and `service.*` children are shared by several parents.
                let shared = child.starts_with("step.") || child.starts_with("service.");
                let prefix = parent.id.as_str().replace(':', ".");
                let parent_path = prefix.rsplit_once('.').map_or(prefix.as_str(), |(p, v)| {
                    if parent.variant == Some(v) { p } else { prefix.as_str() }
                });
                assert!(
                    shared || child.starts_with(&format!("{parent_path}.")),
                    "{child} is not below {}",
                    parent.id
                );
            }
        }
    }

    #[test]
    fn every_parameter_type_has_a_value_type() {
        for word in PARAM_TYPES {
            assert!(param_type(word).is_some(), "{word}");
        }
    }

    #[test]
    fn every_attr_is_declared_by_some_block() {
        let r = build();
        for attr in Attr::ALL {
            assert!(
                r.blocks.iter().any(|b| b.attr_schema(*attr).is_some()),
                "`{attr}` is declared by no block"
            );
        }
        for b in &r.blocks {
            for a in &b.attrs {
                assert_eq!(a.name, a.attr.as_str());
            }
        }
    }
}
