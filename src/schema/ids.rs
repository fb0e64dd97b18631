//! Typed names of the schema: every block kind ([`BlockId`]) and every
//! attribute name ([`Attr`]) the registry declares. Code outside the
//! registry names blocks and attributes by these, never by strings, so a
//! misspelt id does not compile; tests check that each id has exactly one
//! schema and each attribute is declared by some block.

/// Declares an enum of names with their text.
macro_rules! names {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The text of this name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names! {
    /// A block kind of the schema, by its path of kinds
    /// (`pipeline.job`), variants after a colon (`pipeline.on:push`).
    BlockId {
        Project = "project",
        RuleLabels = "project.rule_labels",
        Environment = "environment",
        Service = "service",
        ServiceResources = "service.resources",
        ServiceEnv = "service.env",
        ServiceSecrets = "service.secrets",
        ServiceAutoscale = "service.autoscale",
        ServiceIngress = "service.ingress",
        ServiceIn = "service.in",
        Pipeline = "pipeline",
        OnPush = "pipeline.on:push",
        OnPullRequest = "pipeline.on:pull_request",
        OnSchedule = "pipeline.on:schedule",
        OnTag = "pipeline.on:tag",
        OnManual = "pipeline.on:manual",
        OnCall = "pipeline.on:workflow_call",
        OnWorkflowRun = "pipeline.on:workflow_run",
        ManualInput = "pipeline.on.input",
        CallSecret = "pipeline.on.secret",
        CallOutput = "pipeline.on.output",
        PipelineEnv = "pipeline.env",
        PipelineDefaults = "pipeline.defaults",
        Job = "pipeline.job",
        JobEnv = "pipeline.job.env",
        JobMatrix = "pipeline.job.matrix",
        MatrixInclude = "pipeline.job.matrix.include",
        MatrixExclude = "pipeline.job.matrix.exclude",
        JobServices = "pipeline.job.services",
        JobServiceContainer = "pipeline.job.service_container",
        JobOutputs = "pipeline.job.outputs",
        JobContainer = "pipeline.job.container",
        JobSecrets = "pipeline.job.secrets",
        Deploy = "pipeline.deploy",
        Run = "step.run",
        Uses = "step.uses",
        With = "step.with",
        StepEnv = "step.env",
        Rollout = "rollout",
        Canary = "rollout.canary",
        RolloutAnalysis = "rollout.analysis",
        RolloutGate = "rollout.gate",
        CanaryStep = "rollout.canary.step",
        BlueGreen = "rollout.blue_green",
        Alert = "alert",
        AlertLabels = "alert.labels",
        AlertAnnotations = "alert.annotations",
        Group = "group",
        AlertTest = "alert_test",
        TestInput = "alert_test.input",
        TestFires = "alert_test.fires",
        TestFiresLabels = "alert_test.fires.labels",
        TestSilent = "alert_test.silent",
        Record = "record",
        RecordLabels = "record.labels",
        Slo = "slo",
        SloLabels = "slo.labels",
        SloRatio = "slo.ratio",
        SloLatency = "slo.latency",
        SloPage = "slo.page",
        SloTicket = "slo.ticket",
        SloPageLabels = "slo.page.labels",
        SloTicketLabels = "slo.ticket.labels",
        Infra = "infra",
        AwsProvider = "infra.provider:aws",
        S3Backend = "infra.backend:s3",
        Cluster = "infra.cluster",
        Bucket = "infra.bucket",
        Database = "infra.database",
        Resource = "infra.resource",
        Template = "template",
        Param = "template.param",
        Permissions = "gha.permissions",
        Concurrency = "gha.concurrency",
    }
}

names! {
    /// An attribute name the schema declares (free-form attributes, such as
    /// the variables of `env { }`, have no `Attr`).
    Attr {
        AbortOn = "abort_on",
        AbortOnSlo = "abort_on_slo",
        Above = "above",
        After = "after",
        Alert = "alert",
        AlertName = "alert_name",
        Approval = "approval",
        At = "at",
        AutoPromote = "auto_promote",
        Backups = "backups",
        Below = "below",
        Branches = "branches",
        Bucket = "bucket",
        Buckets = "buckets",
        CancelInProgress = "cancel_in_progress",
        Class = "class",
        Count = "count",
        Cluster = "cluster",
        Command = "command",
        ContinueOnError = "continue_on_error",
        Cpu = "cpu",
        CpuLimit = "cpu_limit",
        Cron = "cron",
        Default = "default",
        Description = "description",
        Engine = "engine",
        Environment = "environment",
        Environments = "environments",
        Errors = "errors",
        ExpireAfter = "expire_after",
        Expr = "expr",
        Extends = "extends",
        FailFast = "fail_fast",
        For = "for",
        FailureLimit = "failure_limit",
        From = "from",
        Group = "group",
        Health = "health",
        Host = "host",
        Histogram = "histogram",
        Id = "id",
        If = "if",
        Image = "image",
        InitialDelay = "initial_delay",
        InheritSecrets = "inherit_secrets",
        Instance = "instance",
        Interval = "interval",
        KeepFiringFor = "keep_firing_for",
        Key = "key",
        Kind = "kind",
        Limit = "limit",
        Max = "max",
        MaxParallel = "max_parallel",
        Memory = "memory",
        MemoryLimit = "memory_limit",
        Metrics = "metrics",
        Min = "min",
        Name = "name",
        Namespace = "namespace",
        Needs = "needs",
        Nodes = "nodes",
        Objective = "objective",
        Options = "options",
        Outputs = "outputs",
        Owner = "owner",
        Paths = "paths",
        PathsIgnore = "paths_ignore",
        Path = "path",
        Pattern = "pattern",
        Policy = "policy",
        Pause = "pause",
        Query = "query",
        Port = "port",
        Ports = "ports",
        Preview = "preview",
        ProgressDeadline = "progress_deadline",
        Prometheus = "prometheus",
        PullRequests = "pull_requests",
        Region = "region",
        Registry = "registry",
        Replicas = "replicas",
        Repo = "repo",
        Required = "required",
        Rollout = "rollout",
        Rollouts = "rollouts",
        RoutingLabels = "routing_labels",
        RuleFormat = "rule_format",
        RuleNamespace = "rule_namespace",
        RunName = "run_name",
        Runbook = "runbook",
        RunAsUser = "run_as_user",
        RunsOn = "runs_on",
        ScaleDownDelay = "scale_down_delay",
        SecretStore = "secret_store",
        Series = "series",
        Service = "service",
        Services = "services",
        Severity = "severity",
        Shell = "shell",
        Size = "size",
        Storage = "storage",
        Summary = "summary",
        Team = "team",
        Timeout = "timeout",
        Tls = "tls",
        Threshold = "threshold",
        Total = "total",
        Type = "type",
        Types = "types",
        Url = "url",
        Value = "value",
        Values = "values",
        Version = "version",
        Versioning = "versioning",
        Weight = "weight",
        Window = "window",
        Workflow = "workflow",
        Workflows = "workflows",
        WorkingDirectory = "working_directory",
    }
}

impl BlockId {
    /// The id whose path is `path`.
    pub fn from_path(path: &str) -> Option<BlockId> {
        BlockId::ALL.iter().copied().find(|b| b.as_str() == path)
    }
}

impl Attr {
    /// The attribute named `name`.
    pub fn from_name(name: &str) -> Option<Attr> {
        Attr::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}
