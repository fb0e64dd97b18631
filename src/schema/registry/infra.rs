//! The registry: infrastructure (`infra ENV { }`).

use super::*;

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
            req(Attr::Version, Ty::Line, "engine version"),
            opt(Attr::Size, Ty::Line, "instance class").default("\"db.t3.medium\""),
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
    ]
}
