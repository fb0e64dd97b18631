//! Storage: S3 buckets (private, versioned, encrypted, TLS only,
//! owner-enforced, with a lifecycle) and RDS databases (encrypted, backed
//! up, a password RDS manages, a parameter group that forces TLS and logs
//! schema changes and slow queries, protected where the environment needs
//! approval).

use serde_json::{Value, json};

use super::policy;
use crate::model::{Bucket, Database};
use crate::target::terraform::db_security_group;

/// Whole days, at least one.
fn days(d: &crate::model::Duration) -> u64 {
    d.secs().div_ceil(86_400).max(1)
}

/// `logs_from`: the buckets of the infra whose access logs this one
/// receives.
pub(super) fn bucket(bucket_name: &str, b: &Bucket, logs_from: &[&str], add: &mut impl FnMut(&str, &str, Value)) {
    let name = &b.name;
    let id = format!("${{aws_s3_bucket.{name}.id}}");
    let mut body = json!({ "bucket": bucket_name });
    if b.lock.is_some()
        && let Value::Object(o) = &mut body
    {
        o.insert("object_lock_enabled".into(), json!(true));
    }
    add("aws_s3_bucket", name, body);
    if let Some(lock) = &b.lock {
        add(
            "aws_s3_bucket_object_lock_configuration",
            name,
            json!({ "bucket": id, "rule": [{ "default_retention": [{
                "mode": "GOVERNANCE",
                "days": days(lock),
            }]}]}),
        );
    }
    if let Some(target) = &b.access_logs {
        add(
            "aws_s3_bucket_logging",
            name,
            json!({
                "bucket": id,
                "target_bucket": format!("${{aws_s3_bucket.{target}.id}}"),
                "target_prefix": format!("{name}/"),
            }),
        );
    }
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
    if let Value::Object(r) = &mut rule {
        if let Some(d) = &b.expire_after {
            r.insert("expiration".into(), json!([{ "days": days(d) }]));
        }
        let transitions: Vec<Value> = [(&b.transition_after, "STANDARD_IA"), (&b.archive_after, "GLACIER")]
            .into_iter()
            .filter_map(|(d, class)| d.as_ref().map(|d| json!({ "days": days(d), "storage_class": class })))
            .collect();
        if !transitions.is_empty() {
            r.insert("transition".into(), json!(transitions));
        }
    }
    add(
        "aws_s3_bucket_lifecycle_configuration",
        name,
        json!({ "bucket": id, "rule": [rule] }),
    );
    let mut statements = vec![json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [
            format!("${{aws_s3_bucket.{name}.arn}}"),
            format!("${{aws_s3_bucket.{name}.arn}}/*"),
        ],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } },
    })];
    if !logs_from.is_empty() {
        // S3 server access logging writes with its service principal (the
        // bucket owner enforces ownership, so no ACL is involved), for the
        // buckets that log here only, in this account (no confused deputy).
        statements.push(json!({
            "Sid": "AllowAccessLogs",
            "Effect": "Allow",
            "Principal": { "Service": "logging.s3.amazonaws.com" },
            "Action": "s3:PutObject",
            "Resource": format!("${{aws_s3_bucket.{name}.arn}}/*"),
            "Condition": {
                "StringEquals": { "aws:SourceAccount": "${data.aws_caller_identity.current.account_id}" },
                "ArnLike": { "aws:SourceArn": logs_from
                    .iter()
                    .map(|s| format!("${{aws_s3_bucket.{s}.arn}}"))
                    .collect::<Vec<_>>() },
            },
        }));
    }
    add(
        "aws_s3_bucket_policy",
        name,
        json!({
            "bucket": id,
            "policy": policy(&Value::Array(statements)),
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

pub(super) fn database(ident: &str, d: &Database, protected: bool, add: &mut impl FnMut(&str, &str, Value)) {
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
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .filter(|(k, _)| !d.parameters.contains_key(k))
                .chain(d.parameters.iter().map(|(k, v)| (k.clone(), v.clone())))
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
        "multi_az": d.multi_az.unwrap_or(protected),
        "backup_retention_period": d.backups.secs().div_ceil(86_400).clamp(1, 35),
        "copy_tags_to_snapshot": true,
        "auto_minor_version_upgrade": true,
        "performance_insights_enabled": true,
        "monitoring_interval": d.monitoring,
        "enabled_cloudwatch_logs_exports": logs,
        "deletion_protection": protected,
        "skip_final_snapshot": !protected,
    });
    if let Value::Object(o) = &mut db {
        if protected {
            o.insert("final_snapshot_identifier".into(), json!(format!("{ident}-final")));
        }
        if d.monitoring > 0 {
            o.insert(
                "monitoring_role_arn".into(),
                json!("${aws_iam_role.rds_monitoring.arn}"),
            );
        }
        if let Some(w) = &d.maintenance_window {
            o.insert("maintenance_window".into(), json!(w));
        }
        if let Some(w) = &d.backup_window {
            o.insert("backup_window".into(), json!(w));
        }
    }
    add("aws_db_instance", name, db);
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
}
