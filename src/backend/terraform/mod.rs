//! Terraform JSON: `deploy/terraform/<env>/main.tf.json` per environment
//! with an `infra` block.
//!
//! - `terraform` (required version, the AWS provider's version constraint,
//!   the S3 backend with encryption and S3-native state locking) and the
//!   `aws` provider with the environment's region and default tags.
//! - A VPC from the community module (private subnets for nodes and
//!   databases) when there is a cluster or a database; an EKS cluster per
//!   `cluster` from the community module, named as deploy jobs expect
//!   (`model::names::cluster_name`), which grants the deploy role access.
//! - Buckets: private, versioned, encrypted, TLS only, owner-enforced, with
//!   a lifecycle. Databases: RDS with encryption, backups, a password that
//!   RDS manages in Secrets Manager, a subnet group in the VPC, and deletion
//!   protection plus a final snapshot where the environment needs approval.
//! - GitHub's OIDC provider and the deploy role (`model::names::deploy_role`),
//!   whose trust policy allows only `repo:<repo>:environment:<env>`.
//! - Raw `resource` blocks, passed through; outputs users need.
//!
//! The document is typed data: `serde_json` maps in insertion order, built
//! by the functions below, pretty-printed. Module versions are pinned.

mod access;
mod cluster;
mod identity;
mod storage;

use serde_json::{Map, Value, json};

use super::{Artifact, Backend, Context};
use crate::model::names;
use crate::model::{Infra, Model};
use crate::target::terraform::{AWS_PROVIDER, REQUIRED_VERSION, eks_module, needs_vpc, secret_data};
use crate::target::{Target, paths};
use cluster::{eks, vpc};
use identity::github;
use storage::{bucket, database};

pub struct Terraform;

/// GitHub's OIDC issuer.
pub(super) const GITHUB_OIDC: &str = "token.actions.githubusercontent.com";

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
    let mut providers = vec![json!({
        "region": region,
        "default_tags": { "tags": tags(project, env_name, infra) },
    })];
    for (alias, region) in &infra.aliases {
        providers.push(json!({
            "alias": alias,
            "region": region,
            "default_tags": { "tags": tags(project, env_name, infra) },
        }));
    }
    doc.insert("provider".into(), json!({ "aws": providers }));
    let mut variables = Map::new();
    variables.insert(
        "create_github_oidc_provider".into(),
        json!({
            "type": "bool",
            "default": true,
            "description": "Create GitHub's OIDC provider; set to false when another environment of the same AWS account already has it.",
        }),
    );
    for v in &infra.variables {
        let mut body = Map::new();
        body.insert("type".into(), json!(v.ty));
        if let Some(d) = &v.default {
            body.insert("default".into(), d.clone());
        }
        if let Some(d) = &v.description {
            body.insert("description".into(), json!(d));
        }
        if v.sensitive {
            body.insert("sensitive".into(), json!(true));
        }
        variables.insert(v.name.clone(), Value::Object(body));
    }
    doc.insert("variable".into(), Value::Object(variables));

    let needs_vpc = needs_vpc(infra);
    let mut data = Map::new();
    if needs_vpc {
        data.insert(
            "aws_availability_zones".into(),
            json!({ "available": { "state": "available" } }),
        );
    }
    if log_targets(infra) {
        data.insert("aws_caller_identity".into(), json!({ "current": {} }));
    }
    data.insert(
        "aws_iam_openid_connect_provider".into(),
        json!({ "github": {
            "count": "${var.create_github_oidc_provider ? 0 : 1}",
            "url": format!("https://{GITHUB_OIDC}"),
        }}),
    );
    // The secrets raw resources and outputs read, from Secrets Manager.
    let mut secrets: Vec<&String> = infra
        .resources
        .iter()
        .flat_map(|r| &r.secrets)
        .chain(infra.outputs.iter().flat_map(|o| &o.secrets))
        .collect();
    secrets.sort();
    secrets.dedup();
    if !secrets.is_empty() {
        let versions: Map<String, Value> = secrets
            .into_iter()
            .map(|s| (secret_data(s), json!({ "secret_id": s })))
            .collect();
        data.insert("aws_secretsmanager_secret_version".into(), Value::Object(versions));
    }
    doc.insert("data".into(), Value::Object(data));
    doc.insert(
        "locals".into(),
        json!({ "github_oidc_provider_arn": "${var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn}" }),
    );

    let mut modules = Map::new();
    if needs_vpc {
        modules.insert(
            "vpc".into(),
            vpc(&prefix, &infra.network, protected, !infra.databases.is_empty()),
        );
    }
    let target = model.target_cluster(infra);
    for c in &infra.clusters {
        let deploy_access = target
            .is_some_and(|t| t.name == c.name)
            .then(|| access::entry(infra.cluster_admin));
        modules.insert(
            eks_module(&c.name),
            eks(project, env_name, c, infra.network.intra, deploy_access),
        );
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
    if let (Some(namespace), Some(c)) = (model.managed_namespace(infra), target) {
        let manifests = access::manifests(&namespace, project, env_name);
        add(
            "terraform_data",
            "deploy_access",
            access::apply(&eks_module(&c.name), &region, manifests),
        );
    }
    for b in &infra.buckets {
        // A bucket other buckets log to lets the logging service write.
        let sources: Vec<&str> = infra
            .buckets
            .iter()
            .filter(|o| o.access_logs.as_deref() == Some(&b.name))
            .map(|o| o.name.as_str())
            .collect();
        bucket(&names::bucket_name(project, env_name, &b.name), b, &sources, &mut add);
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

/// Whether a bucket receives another's access logs.
fn log_targets(infra: &Infra) -> bool {
    infra.buckets.iter().any(|b| b.access_logs.is_some())
}

/// The tags of every resource: dvcc's and the infra's own.
fn tags(project: &str, env: &str, infra: &Infra) -> Value {
    let mut t = Map::new();
    t.insert("project".into(), json!(project));
    t.insert("environment".into(), json!(env));
    t.insert("managed-by".into(), json!("dvcc"));
    for (k, v) in &infra.tags {
        t.insert(k.clone(), json!(v));
    }
    Value::Object(t)
}

/// An IAM policy document as the JSON string AWS expects.
pub(super) fn policy(statements: &Value) -> String {
    serde_json::to_string(&json!({ "Version": "2012-10-17", "Statement": statements })).unwrap_or_default()
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
    for o in &infra.outputs {
        out.insert(o.name.clone(), o.body.clone());
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
                    capacity: "on_demand".into(),
                    disk: None,
                    addons: Vec::new(),
                })
                .collect(),
            buckets: (0..buckets)
                .map(|i| Bucket {
                    name: format!("b{i}"),
                    versioning: true,
                    expire_after: None,
                    transition_after: None,
                    archive_after: None,
                    lock: (i == 1).then(|| Duration::from_secs(86_400)),
                    access_logs: (i == 1).then(|| "b0".to_string()),
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
                    multi_az: None,
                    maintenance_window: None,
                    backup_window: None,
                    monitoring: 60,
                    parameters: Default::default(),
                })
                .collect(),
            resources: (0..raw)
                .map(|i| RawResource {
                    ty: "aws_sns_topic".into(),
                    name: format!("t{i}"),
                    body: json!({}),
                    secrets: vec![format!("s{}", i % 2)],
                    span: crate::source::Span::new(crate::source::FileId(0), 0, 0),
                })
                .collect(),
            tags: Default::default(),
            aliases: Default::default(),
            network: Default::default(),
            outputs: vec![crate::model::TfOutput {
                name: "o".into(),
                body: json!({ "value": "x" }),
                secrets: vec!["out-secret".into()],
            }],
            variables: vec![crate::model::TfVariable {
                name: "v".into(),
                ty: "string".into(),
                default: None,
                description: None,
                sensitive: false,
            }],
            trust: Default::default(),
            cluster_admin: false,
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
