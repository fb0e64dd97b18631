//! The registry: infrastructure (`infra ENV { }`).

use super::*;

/// The types of a Terraform variable.
const VARIABLE_TYPES: &[&str] = &["string", "number", "bool", "list", "map"];

pub(super) fn infra() -> Vec<BlockSchema> {
    vec![
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
            BlockId::InfraTags,
            BlockId::ProviderAlias,
            BlockId::Network,
            BlockId::TfOutput,
            BlockId::TfVariable,
            BlockId::DeployRole,
        ]),
        block(
            BlockId::InfraTags,
            "tags",
            Labels::None,
            "Tags of every resource this environment creates (besides `project`, `environment` and `managed-by`).",
        )
        .once()
        .free(Ty::Line),
        block(
            BlockId::ProviderAlias,
            "alias",
            Labels::Local,
            "Another AWS region for raw resources (`provider = \"aws.NAME\"`): CloudFront's certificates in us-east-1, a replica bucket.",
        )
        .attrs(vec![req(Attr::Region, Ty::Line, "the region")]),
        block(
            BlockId::Network,
            "network",
            Labels::None,
            "The VPC clusters and databases run in: its address range, zones and NAT gateways.",
        )
        .once()
        .attrs(vec![
            opt(Attr::Cidr, Ty::Line, "the VPC's IPv4 range, a /16 to /20 (its subnets are carved from it)")
                .default("\"10.0.0.0/16\""),
            opt(Attr::Zones, Ty::Int, "availability zones used")
                .default("3")
                .bounds(Some(2.0), Some(6.0)),
            opt(
                Attr::SingleNat,
                Ty::Bool,
                "one NAT gateway for the VPC (cheaper; a zone failure cuts egress) rather than one per zone (by default: one per zone where the environment needs approval)",
            ),
            opt(
                Attr::Intra,
                Ty::Bool,
                "intra subnets, without internet access, for the clusters' control-plane network interfaces",
            )
            .default("false"),
        ]),
        block(
            BlockId::TfOutput,
            "output",
            Labels::Local,
            "A Terraform output: a value other configurations and people read (`terraform output`).",
        )
        .attrs(vec![
            req(Attr::Value, Ty::Any, "the value: `\"${module.vpc.vpc_id}\"`, `terraform(\"...\")`"),
            opt(Attr::Description, Ty::Line, "what it is"),
            opt(Attr::Sensitive, Ty::Bool, "hidden in Terraform's output").default("false"),
        ]),
        block(
            BlockId::TfVariable,
            "variable",
            Labels::Local,
            "A Terraform input variable, read in raw resources as `${var.NAME}`.",
        )
        .attrs(vec![
            req(Attr::Type, Ty::Enum(VARIABLE_TYPES), "its type"),
            opt(Attr::Default, Ty::Any, "its value unless given (`-var`, `TF_VAR_NAME`); required unless set"),
            opt(Attr::Description, Ty::Line, "what it is"),
            opt(Attr::Sensitive, Ty::Bool, "hidden in plans and logs").default("false"),
        ]),
        block(
            BlockId::DeployRole,
            "deploy_role",
            Labels::None,
            "Who else may assume the deploy role, besides the deploy jobs of this environment (`repo:OWNER/REPO:environment:ENV`), and what it may do in the cluster.",
        )
        .once()
        .attrs(vec![
            opt(Attr::Branches, list(Ty::Line), "workflows running on these branches (`main`, `release/*`)"),
            opt(Attr::Tags, list(Ty::Line), "workflows running on these tags (`v*`)"),
            opt(
                Attr::PullRequest,
                Ty::Bool,
                "workflows running for pull requests (a `terraform plan` job); any pull request, forks' excepted by GitHub",
            )
            .default("false"),
            opt(
                Attr::ClusterAdmin,
                Ty::Bool,
                "administer the whole cluster (for deploys whose own templates apply cluster-wide resources), instead of deploying the bundled chart into the environment's namespace only",
            )
            .default("false"),
        ]),
        block(BlockId::AwsProvider, "provider", Labels::Variant, "The AWS provider.")
            .variant("aws")
            .once()
            .attrs(vec![req(Attr::Region, Ty::Line, "AWS region")]),
        block(
            BlockId::S3Backend,
            "backend",
            Labels::Variant,
            "Terraform state in S3, with locking.",
        )
        .variant("s3")
        .once()
        .attrs(vec![
            req(Attr::Bucket, Ty::Line, "state bucket"),
            req(Attr::Key, Ty::Line, "state object key"),
            opt(Attr::Region, Ty::Line, "bucket region (defaults to the provider's)"),
        ]),
        block(BlockId::Cluster, "cluster", Labels::Local, "A Kubernetes cluster.").attrs(vec![
            req(Attr::Kind, Ty::Enum(CLUSTER_KINDS), "cluster flavour"),
            req(Attr::Version, Ty::Line, "Kubernetes version"),
            opt(Attr::Nodes, Ty::Range(Box::new(Ty::Int)), "node group size, `MIN..MAX`")
                .default("2..5")
                .bounds(Some(0.0), Some(super::MAX_COUNT)),
            opt(Attr::Instance, Ty::Line, "node instance type").default("\"t3.large\""),
            opt(
                Attr::Capacity,
                Ty::Enum(&["on_demand", "spot"]),
                "node capacity: on-demand, or spot (cheaper, may be reclaimed)",
            )
            .default("on_demand"),
            opt(Attr::Disk, Ty::Memory, "root disk of each node (the module's 20Gi unless set)"),
            opt(
                Attr::Addons,
                list(Ty::Line),
                "EKS add-ons, at their default version for the cluster (`coredns`, `kube-proxy`, `vpc-cni`, `eks-pod-identity-agent`, `aws-ebs-csi-driver`)",
            ),
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
            opt(
                Attr::TransitionAfter,
                Ty::Duration,
                "move objects to infrequent access after this long (30 days at least)",
            ),
            opt(Attr::ArchiveAfter, Ty::Duration, "move objects to Glacier after this long"),
            opt(
                Attr::Lock,
                Ty::Duration,
                "object lock: no version can be deleted or overwritten for this long (governance mode)",
            ),
            opt(
                Attr::AccessLogs,
                Ty::Line,
                "another bucket of this infra that receives this one's access logs",
            ),
        ]),
        block(
            BlockId::Database,
            "database",
            Labels::Local,
            "A managed relational database (RDS).",
        )
        .attrs(vec![
            req(Attr::Engine, Ty::Enum(ENGINES), "database engine"),
            req(Attr::Version, Ty::Line, "engine version"),
            opt(Attr::Size, Ty::Line, "instance class").default("\"db.t3.medium\""),
            opt(Attr::Storage, Ty::Memory, "allocated storage").default("20Gi"),
            opt(Attr::Backups, Ty::Duration, "backup retention").default("7d"),
            opt(
                Attr::MultiAz,
                Ty::Bool,
                "a standby in another zone (by default where the environment needs approval)",
            ),
            opt(
                Attr::MaintenanceWindow,
                Ty::Line,
                "weekly maintenance window, UTC: `Mon:00:00-Mon:03:00`",
            ),
            opt(Attr::BackupWindow, Ty::Line, "daily backup window, UTC: `03:00-06:00`"),
            opt(
                Attr::Monitoring,
                Ty::Duration,
                "enhanced monitoring interval: 1s, 5s, 10s, 15s, 30s or 60s (60s unless set), or 0s for none",
            ),
        ])
        .children(&[BlockId::DatabaseParameters]),
        block(
            BlockId::DatabaseParameters,
            "parameters",
            Labels::None,
            "More engine parameters of the database's parameter group (`max_connections = \"200\"`).",
        )
        .once()
        .free(Ty::Scalar),
        block(
            BlockId::Resource,
            "resource",
            Labels::TypeAndName,
            "A raw Terraform resource, passed through.",
        )
        .free(Ty::Any),
    ]
}
