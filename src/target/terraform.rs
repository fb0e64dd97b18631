//! Terraform facts: the pinned community modules and provider, and the
//! addresses that the document of an `infra` block declares, which `${...}`
//! in raw resources may reference. The Terraform backend writes exactly
//! these addresses (a test in `backend::terraform` holds it to that).

use crate::model::Infra;

/// The community modules, pinned.
pub const VPC_MODULE: (&str, &str) = ("terraform-aws-modules/vpc/aws", "5.21.0");
pub const EKS_MODULE: (&str, &str) = ("terraform-aws-modules/eks/aws", "20.37.0");
/// The AWS provider versions the EKS module of that version accepts.
pub const AWS_PROVIDER: &str = ">= 5.95, < 6.0";
/// S3-native state locking (`use_lockfile`) needs Terraform 1.10.
pub const REQUIRED_VERSION: &str = ">= 1.10";

/// The data source that reads secret `name` from Secrets Manager:
/// `data.aws_secretsmanager_secret_version.<name, as a Terraform name>`.
pub fn secret_data(secret: &str) -> String {
    let mut out: String = secret
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "secret_");
    }
    out
}

/// The Terraform expression of `secret("NAME")` in a raw resource.
pub fn secret_expression(secret: &str) -> String {
    format!(
        "${{data.aws_secretsmanager_secret_version.{}.secret_string}}",
        secret_data(secret)
    )
}

/// Literal text as Terraform reads it back: `${` and `%{` (which start an
/// expression and a directive) written `$${` and `%%{`.
pub fn escape_literal(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// The module of cluster `name`: `module.eks_<name>`.
pub fn eks_module(cluster: &str) -> String {
    format!("eks_{cluster}")
}

/// The security group of database `name`: `aws_security_group.db_<name>`.
pub fn db_security_group(database: &str) -> String {
    format!("db_{database}")
}

/// Whether the document of `infra` has a VPC (clusters and databases run
/// in it).
pub fn needs_vpc(infra: &Infra) -> bool {
    !infra.clusters.is_empty() || !infra.databases.is_empty()
}

/// The resource types generated per bucket, all named after the bucket.
pub const BUCKET_RESOURCES: [&str; 7] = [
    "aws_s3_bucket",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_policy",
];

/// The names `infra ENV` declares, sorted: `TYPE.NAME` of generated and
/// raw resources, `data.TYPE.NAME`, `module.NAME`, `var.NAME` and
/// `local.NAME`.
pub fn declared(infra: &Infra) -> Vec<String> {
    let mut out = vec![
        "aws_iam_openid_connect_provider.github".to_string(),
        "aws_iam_role.deploy".to_string(),
        "data.aws_iam_openid_connect_provider.github".to_string(),
        "var.create_github_oidc_provider".to_string(),
        "local.github_oidc_provider_arn".to_string(),
    ];
    if needs_vpc(infra) {
        out.push("data.aws_availability_zones.available".to_string());
        out.push("module.vpc".to_string());
    }
    if !infra.clusters.is_empty() {
        out.push("aws_iam_role_policy.deploy".to_string());
    }
    for c in &infra.clusters {
        out.push(format!("module.{}", eks_module(&c.name)));
    }
    for b in &infra.buckets {
        out.extend(BUCKET_RESOURCES.iter().map(|ty| format!("{ty}.{}", b.name)));
    }
    if !infra.databases.is_empty() {
        out.push("aws_iam_role.rds_monitoring".to_string());
        out.push("aws_iam_role_policy_attachment.rds_monitoring".to_string());
    }
    for d in &infra.databases {
        out.push(format!("aws_security_group.{}", db_security_group(&d.name)));
        out.push(format!("aws_db_parameter_group.{}", d.name));
        out.push(format!("aws_db_instance.{}", d.name));
    }
    for r in &infra.resources {
        out.push(format!("{}.{}", r.ty, r.name));
        for s in &r.secrets {
            out.push(format!("data.aws_secretsmanager_secret_version.{}", secret_data(s)));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn literal_text_stays_text() {
        assert_eq!(
            super::escape_literal("${file(\"/etc/passwd\")} %{if x}"),
            "$${file(\"/etc/passwd\")} %%{if x}"
        );
        assert_eq!(super::escape_literal("$$ 100%"), "$$ 100%");
    }

    #[test]
    fn secrets_become_data_sources() {
        assert_eq!(super::secret_data("shop/db-password"), "shop_db_password");
        assert_eq!(super::secret_data("1st"), "secret_1st");
        assert_eq!(
            super::secret_expression("db"),
            "${data.aws_secretsmanager_secret_version.db.secret_string}"
        );
    }
}
