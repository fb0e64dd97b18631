//! Names that several targets must agree on, made in one place: the
//! cluster a deploy job connects to is the cluster Terraform creates, the
//! role it assumes is the role Terraform trusts, the secret a workflow
//! reads is the secret the user named.
//!
//! These are naming rules, not paths (where artifacts live is
//! `crate::target::paths`).

/// The IAM role that deploy jobs to `env` assume through GitHub's OIDC
/// provider (at most 64 characters, as AWS requires).
pub fn deploy_role(project: &str, env: &str) -> String {
    let name = format!("{project}-{env}-deploy");
    name.chars().take(64).collect()
}

/// The OIDC subject the deploy role of `env` trusts: the GitHub
/// environment the deploy jobs of `env` run in, in exactly this repository.
pub fn trusted_subject(repo: &str, env: &str) -> String {
    format!("repo:{repo}:environment:{env}")
}

/// The name of the Kubernetes cluster `infra ENV { cluster NAME { } }`
/// creates.
pub fn cluster_name(project: &str, env: &str, cluster: &str) -> String {
    format!("{project}-{env}-{cluster}")
}

/// `<project>-<env>` as AWS names accept it (lowercase, `-` for `_`): the
/// prefix of the names of everything `infra ENV` creates.
pub fn aws_prefix(project: &str, env: &str) -> String {
    format!("{project}-{env}").to_ascii_lowercase().replace('_', "-")
}

/// The S3 bucket `infra ENV { bucket NAME { } }` creates.
pub fn bucket_name(project: &str, env: &str, bucket: &str) -> String {
    format!(
        "{}-{}",
        aws_prefix(project, env),
        bucket.to_ascii_lowercase().replace('_', "-")
    )
}

/// The RDS instance identifier of `infra ENV { database NAME { } }`.
pub fn db_identifier(project: &str, env: &str, database: &str) -> String {
    format!(
        "{}-{}",
        aws_prefix(project, env),
        database.to_ascii_lowercase().replace('_', "-")
    )
}

/// GitHub secret names are letters, digits and `_`: `shop-db-url` is
/// `SHOP_DB_URL`.
pub fn github_secret_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_stable() {
        assert_eq!(super::deploy_role("shop", "production"), "shop-production-deploy");
        assert_eq!(super::deploy_role(&"x".repeat(80), "p").len(), 64);
        assert_eq!(
            super::bucket_name("Shop", "eu_prod", "raw_assets"),
            "shop-eu-prod-raw-assets"
        );
        assert_eq!(
            super::db_identifier("shop", "production", "orders"),
            "shop-production-orders"
        );
        assert_eq!(
            super::cluster_name("shop", "production", "main"),
            "shop-production-main"
        );
        assert_eq!(super::github_secret_name("shop-db-url"), "SHOP_DB_URL");
        assert_eq!(
            super::trusted_subject("acme/shop", "production"),
            "repo:acme/shop:environment:production"
        );
    }
}
