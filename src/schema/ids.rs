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
        Handbook = "project.handbook",
        Environment = "environment",
        Service = "service",
        ServiceResources = "service.resources",
        ServiceEnv = "service.env",
        ServiceSecrets = "service.secrets",
        ServiceAutoscale = "service.autoscale",
        ServiceIngress = "service.ingress",
        IngressAnnotations = "service.ingress.annotations",
        ServicePorts = "service.ports",
        ServiceRoute = "service.route",
        NodeSelector = "service.node_selector",
        PodAnnotations = "service.pod_annotations",
        PodLabels = "service.pod_labels",
        AccountAnnotations = "service.account_annotations",
        Readiness = "service.readiness",
        Liveness = "service.liveness",
        Startup = "service.startup",
        NetworkPolicy = "service.network_policy",
        Volume = "service.volume",
        ExtraPod = "service.extra_pod",
        ExtraContainer = "service.extra_container",
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
        RolloutTraffic = "rollout.traffic",
        RolloutCheck = "rollout.check",
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
        InfraTags = "infra.tags",
        ProviderAlias = "infra.alias",
        Network = "infra.network",
        TfOutput = "infra.output",
        TfVariable = "infra.variable",
        DeployRole = "infra.deploy_role",
        DatabaseParameters = "infra.database.parameters",
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
        AccessLogs = "access_logs",
        Addons = "addons",
        After = "after",
        AfterStep = "after_step",
        Alert = "alert",
        AlertName = "alert_name",
        Approval = "approval",
        ArchiveAfter = "archive_after",
        Args = "args",
        At = "at",
        AutoPromote = "auto_promote",
        BackupWindow = "backup_window",
        Backups = "backups",
        Below = "below",
        Branches = "branches",
        Bucket = "bucket",
        Buckets = "buckets",
        CancelInProgress = "cancel_in_progress",
        Capacity = "capacity",
        Chart = "chart",
        Cidr = "cidr",
        Class = "class",
        Cluster = "cluster",
        ClusterAdmin = "cluster_admin",
        Command = "command",
        ConfigMap = "config_map",
        ContinueOnError = "continue_on_error",
        Count = "count",
        Cpu = "cpu",
        CpuLimit = "cpu_limit",
        Cron = "cron",
        Default = "default",
        Description = "description",
        Disk = "disk",
        Engine = "engine",
        Environment = "environment",
        Environments = "environments",
        Errors = "errors",
        ExpireAfter = "expire_after",
        Expr = "expr",
        Extends = "extends",
        FailFast = "fail_fast",
        FailureLimit = "failure_limit",
        Failures = "failures",
        Files = "files",
        For = "for",
        From = "from",
        Gateway = "gateway",
        Gateways = "gateways",
        Group = "group",
        Grpc = "grpc",
        Header = "header",
        HeaderValue = "header_value",
        Health = "health",
        Histogram = "histogram",
        Host = "host",
        Hosts = "hosts",
        Id = "id",
        If = "if",
        Image = "image",
        InheritSecrets = "inherit_secrets",
        InitialDelay = "initial_delay",
        Instance = "instance",
        Interval = "interval",
        Intra = "intra",
        KeepFiringFor = "keep_firing_for",
        Key = "key",
        Kind = "kind",
        Limit = "limit",
        Lock = "lock",
        MaintenanceWindow = "maintenance_window",
        Max = "max",
        MaxParallel = "max_parallel",
        MaxWeight = "max_weight",
        Memory = "memory",
        MemoryLimit = "memory_limit",
        Metrics = "metrics",
        Min = "min",
        Monitoring = "monitoring",
        Mount = "mount",
        MultiAz = "multi_az",
        Name = "name",
        Namespace = "namespace",
        Namespaces = "namespaces",
        Needs = "needs",
        Nodes = "nodes",
        Objective = "objective",
        Options = "options",
        Outputs = "outputs",
        Owner = "owner",
        Path = "path",
        Paths = "paths",
        PathsIgnore = "paths_ignore",
        Pattern = "pattern",
        Pause = "pause",
        Period = "period",
        Policy = "policy",
        Port = "port",
        Ports = "ports",
        PostPromotion = "post_promotion",
        Preview = "preview",
        PriorityClass = "priority_class",
        ProgressDeadline = "progress_deadline",
        Prometheus = "prometheus",
        PullRequest = "pull_request",
        PullRequests = "pull_requests",
        Query = "query",
        ReadOnly = "read_only",
        Region = "region",
        Registry = "registry",
        Replicas = "replicas",
        Repo = "repo",
        Required = "required",
        Rollout = "rollout",
        Rollouts = "rollouts",
        Router = "router",
        RoutingLabels = "routing_labels",
        RuleFormat = "rule_format",
        RuleNamespace = "rule_namespace",
        RunAsUser = "run_as_user",
        RunName = "run_name",
        Runbook = "runbook",
        RunsOn = "runs_on",
        ScaleDownDelay = "scale_down_delay",
        SecretStore = "secret_store",
        Sensitive = "sensitive",
        Series = "series",
        Service = "service",
        ServicePort = "service_port",
        ServiceType = "service_type",
        Services = "services",
        Severity = "severity",
        Shell = "shell",
        SingleNat = "single_nat",
        Size = "size",
        Spread = "spread",
        StepWeight = "step_weight",
        Storage = "storage",
        Summary = "summary",
        Tags = "tags",
        Tcp = "tcp",
        Team = "team",
        Threshold = "threshold",
        Timeout = "timeout",
        Tls = "tls",
        Tolerations = "tolerations",
        Total = "total",
        TransitionAfter = "transition_after",
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
        Zones = "zones",
    }
}

impl BlockId {
    /// The id whose path is `path`.
    pub fn from_path(path: &str) -> Option<BlockId> {
        BlockId::ALL.iter().copied().find(|b| b.as_str() == path)
    }
}

impl Attr {
    /// The attribute named `name` (a lookup in a table made once: the
    /// shape check asks for every attribute written).
    pub fn from_name(name: &str) -> Option<Attr> {
        static BY_NAME: std::sync::OnceLock<std::collections::HashMap<&'static str, Attr>> = std::sync::OnceLock::new();
        BY_NAME
            .get_or_init(|| Attr::ALL.iter().map(|a| (a.as_str(), *a)).collect())
            .get(name)
            .copied()
    }
}
