//! Terraform JSON: `deploy/terraform/<env>/main.tf.json` per environment
//! with an `infra` block.
//!
//! - `terraform` (required version, the AWS provider's version constraint,
//!   the S3 backend with encryption and S3-native state locking) and the
//!   `aws` provider with the environment's region and default tags.
//! - A VPC from the community module (private subnets for nodes and
//!   databases) when there is a cluster or a database; an EKS cluster per
//!   `cluster` from the community module, named as deploy jobs expect
//!   (`paths::cluster_name`), which grants the deploy role access.
//! - Buckets: private, versioned, encrypted, TLS only, owner-enforced, with
//!   a lifecycle. Databases: RDS with encryption, backups, a password that
//!   RDS manages in Secrets Manager, a subnet group in the VPC, and deletion
//!   protection plus a final snapshot where the environment needs approval.
//! - GitHub's OIDC provider and the deploy role (`paths::deploy_role`),
//!   whose trust policy allows only `repo:<repo>:environment:<env>`.
//! - Raw `resource` blocks, passed through; outputs users need.
//!
//! The document is typed data: `serde_json` maps in insertion order, built
//! by the functions below, pretty-printed. Module versions are pinned.

use serde_json::{Map, Value, json};

use super::{Artifact, Backend, Context};
use crate::model::names;
use crate::model::{Bucket, Cluster, Database, Infra, Model};
use crate::target::terraform::{
    AWS_PROVIDER, EKS_MODULE, REQUIRED_VERSION, VPC_MODULE, db_security_group, eks_module, needs_vpc,
};
use crate::target::{Target, paths};

pub struct Terraform;

/// GitHub's OIDC issuer.
const GITHUB_OIDC: &str = "token.actions.githubusercontent.com";

impl Backend for Terraform {
    fn target(&self) -> Target {
        Target::Terraform
    }

    fn generate(&self, model: &Model, ctx: &Context<'_>) -> Vec<Artifact> {
        model
            .infra
            .iter()
            .map(|infra| {
                // JSON has no comments: the header is the first key's value.
                let header = ctx.header(std::slice::from_ref(&infra.source)).one_line();
                let doc = module(model, infra, &header);
                let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
                text.push('\n');
                Artifact {
                    path: paths::terraform(&infra.environment),
                    contents: text,
                }
            })
            .collect()
    }
}

/// `main.tf.json` of one environment.
pub fn module(model: &Model, infra: &Infra, header: &str) -> Value {
    let project = &model.project.name;
    let env_name = &infra.environment;
    let env = model.environment(env_name);
    let protected = env.is_some_and(|e| e.approval);
    let region = model.region(env_name).unwrap_or_default();
    let prefix = names::aws_prefix(project, env_name);
    let mut doc = Map::new();
    doc.insert("//".into(), json!(header));

    let mut terraform = Map::new();
    terraform.insert("required_version".into(), json!(REQUIRED_VERSION));
    terraform.insert(
        "required_providers".into(),
        json!({ "aws": { "source": "hashicorp/aws", "version": AWS_PROVIDER } }),
    );
    if let Some(b) = &infra.backend {
        terraform.insert(
            "backend".into(),
            json!({ "s3": {
                "bucket": b.bucket,
                "key": b.key,
                "region": b.region.clone().unwrap_or_else(|| region.clone()),
                "encrypt": true,
                "use_lockfile": true,
            }}),
        );
    }
    doc.insert("terraform".into(), Value::Object(terraform));
    doc.insert(
        "provider".into(),
        json!({ "aws": [{
            "region": region,
            "default_tags": { "tags": {
                "project": project,
                "environment": env_name,
                "managed-by": "dvcc",
            }},
        }]}),
    );
    doc.insert(
        "variable".into(),
        json!({ "create_github_oidc_provider": {
            "type": "bool",
            "default": true,
            "description": "Create GitHub's OIDC provider; set to false when another environment of the same AWS account already has it.",
        }}),
    );

    let needs_vpc = needs_vpc(infra);
    let mut data = Map::new();
    if needs_vpc {
        data.insert(
            "aws_availability_zones".into(),
            json!({ "available": { "state": "available" } }),
        );
    }
    data.insert(
        "aws_iam_openid_connect_provider".into(),
        json!({ "github": {
            "count": "${var.create_github_oidc_provider ? 0 : 1}",
            "url": format!("https://{GITHUB_OIDC}"),
        }}),
    );
    doc.insert("data".into(), Value::Object(data));
    doc.insert(
        "locals".into(),
        json!({ "github_oidc_provider_arn": "${var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn}" }),
    );

    let mut modules = Map::new();
    if needs_vpc {
        modules.insert("vpc".into(), vpc(&prefix, protected, !infra.databases.is_empty()));
    }
    for c in &infra.clusters {
        modules.insert(eks_module(&c.name), eks(project, env_name, c));
    }
    if !modules.is_empty() {
        doc.insert("module".into(), Value::Object(modules));
    }

    let mut resources: Map<String, Value> = Map::new();
    let mut add = |ty: &str, name: &str, body: Value| {
        let entry = resources
            .entry(ty.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(name.to_string(), body);
        }
    };
    github(model, env_name, infra, &mut add);
    for b in &infra.buckets {
        bucket(&names::bucket_name(project, env_name, &b.name), b, &mut add);
    }
    if !infra.databases.is_empty() {
        // Enhanced monitoring publishes OS metrics through this role.
        add(
            "aws_iam_role",
            "rds_monitoring",
            json!({
                "name": format!("{prefix}-rds-monitoring"),
                "assume_role_policy": policy(&json!([{
                    "Effect": "Allow",
                    "Principal": { "Service": "monitoring.rds.amazonaws.com" },
                    "Action": "sts:AssumeRole",
                }])),
            }),
        );
        add(
            "aws_iam_role_policy_attachment",
            "rds_monitoring",
            json!({
                "role": "${aws_iam_role.rds_monitoring.name}",
                "policy_arn": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            }),
        );
    }
    for d in &infra.databases {
        database(
            &names::db_identifier(project, env_name, &d.name),
            d,
            protected,
            &mut add,
        );
    }
    for r in &infra.resources {
        add(&r.ty, &r.name, r.body.clone());
    }
    doc.insert("resource".into(), Value::Object(resources));
    doc.insert("output".into(), outputs(infra));
    Value::Object(doc)
}

fn vpc(prefix: &str, protected: bool, databases: bool) -> Value {
    let mut m = json!({
        "source": VPC_MODULE.0,
        "version": VPC_MODULE.1,
        "name": prefix,
        "cidr": "10.0.0.0/16",
        "azs": "${slice(data.aws_availability_zones.available.names, 0, 3)}",
        "private_subnets": ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
        "public_subnets": ["10.0.96.0/22", "10.0.100.0/22", "10.0.104.0/22"],
        "enable_nat_gateway": true,
        // One NAT gateway per zone where a zone failure must not cut egress.
        "single_nat_gateway": !protected,
        "enable_dns_hostnames": true,
        "enable_flow_log": true,
        "create_flow_log_cloudwatch_log_group": true,
        "create_flow_log_cloudwatch_iam_role": true,
        "manage_default_security_group": true,
        "default_security_group_ingress": [],
        "default_security_group_egress": [],
        "public_subnet_tags": { "kubernetes.io/role/elb": "1" },
        "private_subnet_tags": { "kubernetes.io/role/internal-elb": "1" },
    });
    if databases && let Value::Object(o) = &mut m {
        o.insert(
            "database_subnets".into(),
            json!(["10.0.112.0/24", "10.0.113.0/24", "10.0.114.0/24"]),
        );
        o.insert("create_database_subnet_group".into(), json!(true));
    }
    m
}

fn eks(project: &str, env: &str, c: &Cluster) -> Value {
    json!({
        "source": EKS_MODULE.0,
        "version": EKS_MODULE.1,
        "cluster_name": names::cluster_name(project, env, &c.name),
        "cluster_version": c.version,
        "vpc_id": "${module.vpc.vpc_id}",
        "subnet_ids": "${module.vpc.private_subnets}",
        // Deploy jobs run on GitHub's runners and reach the API over the
        // internet, authenticated by IAM.
        "cluster_endpoint_public_access": true,
        "enable_irsa": true,
        "enable_cluster_creator_admin_permissions": true,
        "cluster_enabled_log_types": ["api", "audit", "authenticator"],
        "eks_managed_node_groups": { "default": {
            "min_size": c.min_nodes,
            "max_size": c.max_nodes,
            "desired_size": c.min_nodes,
            "instance_types": [c.instance],
        }},
        "access_entries": { "deploy": {
            "principal_arn": "${aws_iam_role.deploy.arn}",
            "policy_associations": { "cluster_admin": {
                "policy_arn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                "access_scope": { "type": "cluster" },
            }},
        }},
    })
}

/// GitHub's OIDC provider and the deploy role that trusts exactly this
/// repository's `env` environment.
fn github(model: &Model, env: &str, infra: &Infra, add: &mut impl FnMut(&str, &str, Value)) {
    add(
        "aws_iam_openid_connect_provider",
        "github",
        json!({
            "count": "${var.create_github_oidc_provider ? 1 : 0}",
            "url": format!("https://{GITHUB_OIDC}"),
            "client_id_list": ["sts.amazonaws.com"],
        }),
    );
    add(
        "aws_iam_role",
        "deploy",
        json!({
            "name": names::deploy_role(&model.project.name, env),
            "description": format!("Assumed by the GitHub Actions deploy jobs of {} to {env}", model.project.repo),
            "max_session_duration": 3600,
            "assume_role_policy": policy(&json!([{
                "Effect": "Allow",
                "Principal": { "Federated": "${local.github_oidc_provider_arn}" },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": { "StringEquals": {
                    format!("{GITHUB_OIDC}:aud"): "sts.amazonaws.com",
                    format!("{GITHUB_OIDC}:sub"): names::trusted_subject(&model.project.repo, env),
                }},
            }])),
        }),
    );
    if !infra.clusters.is_empty() {
        let arns: Vec<String> = infra
            .clusters
            .iter()
            .map(|c| format!("${{module.eks_{}.cluster_arn}}", c.name))
            .collect();
        add(
            "aws_iam_role_policy",
            "deploy",
            json!({
                "name": "connect-to-cluster",
                "role": "${aws_iam_role.deploy.id}",
                "policy": policy(&json!([{
                    "Effect": "Allow",
                    "Action": ["eks:DescribeCluster"],
                    "Resource": arns,
                }])),
            }),
        );
    }
}

/// An IAM policy document as the JSON string AWS expects.
fn policy(statements: &Value) -> String {
    serde_json::to_string(&json!({ "Version": "2012-10-17", "Statement": statements })).unwrap_or_default()
}

fn bucket(bucket_name: &str, b: &Bucket, add: &mut impl FnMut(&str, &str, Value)) {
    let name = &b.name;
    let id = format!("${{aws_s3_bucket.{name}.id}}");
    add("aws_s3_bucket", name, json!({ "bucket": bucket_name }));
    add(
        "aws_s3_bucket_versioning",
        name,
        json!({ "bucket": id, "versioning_configuration": {
            "status": if b.versioning { "Enabled" } else { "Suspended" },
        }}),
    );
    add(
        "aws_s3_bucket_server_side_encryption_configuration",
        name,
        json!({ "bucket": id, "rule": [{
            "apply_server_side_encryption_by_default": { "sse_algorithm": "aws:kms" },
            "bucket_key_enabled": true,
        }]}),
    );
    add(
        "aws_s3_bucket_public_access_block",
        name,
        json!({
            "bucket": id,
            "block_public_acls": true,
            "block_public_policy": true,
            "ignore_public_acls": true,
            "restrict_public_buckets": true,
        }),
    );
    add(
        "aws_s3_bucket_ownership_controls",
        name,
        json!({ "bucket": id, "rule": [{ "object_ownership": "BucketOwnerEnforced" }] }),
    );
    let mut rule = json!({
        "id": "dvcc",
        "status": "Enabled",
        "filter": {},
        "abort_incomplete_multipart_upload": [{ "days_after_initiation": 7 }],
        "noncurrent_version_expiration": [{ "noncurrent_days": 30 }],
    });
    if let (Some(d), Value::Object(r)) = (&b.expire_after, &mut rule) {
        r.insert(
            "expiration".into(),
            json!([{ "days": d.secs().div_ceil(86_400).max(1) }]),
        );
    }
    add(
        "aws_s3_bucket_lifecycle_configuration",
        name,
        json!({ "bucket": id, "rule": [rule] }),
    );
    add(
        "aws_s3_bucket_policy",
        name,
        json!({
            "bucket": id,
            "policy": policy(&json!([{
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [
                    format!("${{aws_s3_bucket.{name}.arn}}"),
                    format!("${{aws_s3_bucket.{name}.arn}}/*"),
                ],
                "Condition": { "Bool": { "aws:SecureTransport": "false" } },
            }])),
            "depends_on": [format!("aws_s3_bucket_public_access_block.{name}")],
        }),
    );
}

/// The port and the CloudWatch log types of an engine.
fn engine_facts(engine: &str) -> (u16, &'static [&'static str]) {
    match engine {
        // `audit` needs an option group with the audit plugin: not exported.
        "mysql" | "mariadb" => (3306, &["error", "slowquery"]),
        _ => (5432, &["postgresql", "upgrade"]),
    }
}

/// The parameter group family of an engine version (`postgres16`,
/// `mysql8.0`) and the parameters dvcc sets: TLS only, and logging.
fn parameter_group(engine: &str, version: &str) -> (String, &'static [(&'static str, &'static str)]) {
    let parts: Vec<&str> = version.split('.').collect();
    match engine {
        "postgres" => (
            format!("postgres{}", parts[0]),
            &[
                ("rds.force_ssl", "1"),
                ("log_statement", "ddl"),
                ("log_min_duration_statement", "1000"),
            ],
        ),
        _ => (
            format!(
                "{engine}{}",
                parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
            ),
            &[
                ("require_secure_transport", "1"),
                ("slow_query_log", "1"),
                ("long_query_time", "1"),
            ],
        ),
    }
}

fn database(ident: &str, d: &Database, protected: bool, add: &mut impl FnMut(&str, &str, Value)) {
    let name = &d.name;
    let (port, logs) = engine_facts(&d.engine);
    add(
        "aws_security_group",
        &db_security_group(name),
        json!({
            "name": format!("{ident}-db"),
            "description": format!("Database {name}: reachable from inside the VPC only"),
            "vpc_id": "${module.vpc.vpc_id}",
            "ingress": [{
                "description": "the database port, from the VPC",
                "from_port": port,
                "to_port": port,
                "protocol": "tcp",
                "cidr_blocks": ["${module.vpc.vpc_cidr_block}"],
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "security_groups": [],
                "self": false,
            }],
            "egress": [],
        }),
    );
    // TLS required; slow queries and schema changes logged (to CloudWatch,
    // with the log exports below); statements with data are not.
    let (family, parameters) = parameter_group(&d.engine, &d.version);
    add(
        "aws_db_parameter_group",
        name,
        json!({
            "name": format!("{ident}-params"),
            "family": family,
            "description": format!("Logging for database {name}"),
            "parameter": parameters
                .iter()
                .map(|(k, v)| json!({ "name": k, "value": v }))
                .collect::<Vec<_>>(),
        }),
    );
    let gib = d.storage.bytes.div_ceil(1 << 30).max(20);
    let mut db = json!({
        "identifier": ident,
        "engine": d.engine,
        "engine_version": d.version,
        "instance_class": d.size,
        "allocated_storage": gib,
        "max_allocated_storage": gib * 4,
        "storage_type": "gp3",
        "storage_encrypted": true,
        "username": "dbadmin",
        "manage_master_user_password": true,
        "iam_database_authentication_enabled": d.engine != "mariadb",
        "db_subnet_group_name": "${module.vpc.database_subnet_group_name}",
        "parameter_group_name": format!("${{aws_db_parameter_group.{name}.name}}"),
        "vpc_security_group_ids": [format!("${{aws_security_group.{}.id}}", db_security_group(name))],
        "publicly_accessible": false,
        "multi_az": protected,
        "backup_retention_period": d.backups.secs().div_ceil(86_400).clamp(1, 35),
        "copy_tags_to_snapshot": true,
        "auto_minor_version_upgrade": true,
        "performance_insights_enabled": true,
        "monitoring_interval": 60,
        "monitoring_role_arn": "${aws_iam_role.rds_monitoring.arn}",
        "enabled_cloudwatch_logs_exports": logs,
        "deletion_protection": protected,
        "skip_final_snapshot": !protected,
    });
    if protected && let Value::Object(o) = &mut db {
        o.insert("final_snapshot_identifier".into(), json!(format!("{ident}-final")));
    }
    add("aws_db_instance", name, db);
}

fn outputs(infra: &Infra) -> Value {
    let mut out = Map::new();
    let mut put = |name: String, value: String, description: String| {
        out.insert(name, json!({ "value": value, "description": description }));
    };
    for c in &infra.clusters {
        let n = &c.name;
        put(
            format!("cluster_{n}_name"),
            format!("${{module.eks_{n}.cluster_name}}"),
            format!("Name of cluster {n} (deploy jobs connect to it)"),
        );
        put(
            format!("cluster_{n}_endpoint"),
            format!("${{module.eks_{n}.cluster_endpoint}}"),
            format!("API endpoint of cluster {n}"),
        );
    }
    put(
        "deploy_role_arn".into(),
        "${aws_iam_role.deploy.arn}".into(),
        "Role the GitHub Actions deploy jobs assume".into(),
    );
    for b in &infra.buckets {
        put(
            format!("bucket_{}_name", b.name),
            format!("${{aws_s3_bucket.{}.id}}", b.name),
            format!("Name of bucket {}", b.name),
        );
    }
    for d in &infra.databases {
        put(
            format!("database_{}_endpoint", d.name),
            format!("${{aws_db_instance.{}.endpoint}}", d.name),
            format!("Endpoint (host:port) of database {}", d.name),
        );
        put(
            format!("database_{}_secret_arn", d.name),
            format!("${{aws_db_instance.{}.master_user_secret[0].secret_arn}}", d.name),
            format!(
                "Secrets Manager secret holding the master password of database {}",
                d.name
            ),
        );
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_group_families() {
        assert_eq!(parameter_group("postgres", "16").0, "postgres16");
        assert_eq!(parameter_group("postgres", "16.4").0, "postgres16");
        assert_eq!(parameter_group("mysql", "8.0.39").0, "mysql8.0");
        assert_eq!(parameter_group("mariadb", "10.11").0, "mariadb10.11");
        assert!(parameter_group("postgres", "16").1.contains(&("rds.force_ssl", "1")));
        assert!(
            parameter_group("mysql", "8.0")
                .1
                .contains(&("require_secure_transport", "1"))
        );
    }

    /// The addresses the document declares, read from the document.
    fn addresses(doc: &Value) -> Vec<String> {
        let mut out = Vec::new();
        for (block, prefix) in [("resource", ""), ("data", "data.")] {
            if let Some(Value::Object(types)) = doc.get(block) {
                for (ty, names) in types {
                    if let Value::Object(names) = names {
                        out.extend(names.keys().map(|n| format!("{prefix}{ty}.{n}")));
                    }
                }
            }
        }
        for (block, prefix) in [("module", "module."), ("variable", "var."), ("locals", "local.")] {
            if let Some(Value::Object(m)) = doc.get(block) {
                out.extend(m.keys().map(|n| format!("{prefix}{n}")));
            }
        }
        out.sort();
        out
    }

    fn infra(clusters: usize, buckets: usize, databases: usize, raw: usize) -> Infra {
        use crate::model::{Bucket, Cluster, Database, Duration, Memory, RawResource};
        Infra {
            environment: "production".into(),
            source: String::new(),
            region: Some("us-east-1".into()),
            backend: None,
            clusters: (0..clusters)
                .map(|i| Cluster {
                    name: format!("c{i}"),
                    kind: "eks".into(),
                    version: "1.30".into(),
                    min_nodes: 2,
                    max_nodes: 5,
                    instance: "t3.large".into(),
                })
                .collect(),
            buckets: (0..buckets)
                .map(|i| Bucket {
                    name: format!("b{i}"),
                    versioning: true,
                    expire_after: None,
                })
                .collect(),
            databases: (0..databases)
                .map(|i| Database {
                    name: format!("d{i}"),
                    engine: "postgres".into(),
                    version: "16".into(),
                    size: "db.t3.medium".into(),
                    storage: Memory {
                        bytes: 20 << 30,
                        text: "20Gi".into(),
                    },
                    backups: Duration::from_secs(7 * 86_400),
                })
                .collect(),
            resources: (0..raw)
                .map(|i| RawResource {
                    ty: "aws_sns_topic".into(),
                    name: format!("t{i}"),
                    body: json!({}),
                    span: crate::source::Span::new(crate::source::FileId(0), 0, 0),
                })
                .collect(),
            span: crate::source::Span::new(crate::source::FileId(0), 0, 0),
        }
    }

    /// The checks resolve `${...}` in raw resources against
    /// `target::terraform::declared`: it must list exactly what is written.
    #[test]
    fn the_document_declares_what_the_checks_expect() {
        let mut model = Model::default();
        model.project.name = "shop".into();
        model.project.repo = "acme/shop".into();
        for shape in [(0, 0, 0, 0), (1, 0, 0, 0), (0, 2, 0, 1), (0, 0, 1, 0), (2, 1, 2, 2)] {
            let infra = infra(shape.0, shape.1, shape.2, shape.3);
            let doc = module(&model, &infra, "");
            assert_eq!(addresses(&doc), crate::target::terraform::declared(&infra), "{shape:?}");
        }
    }
}
