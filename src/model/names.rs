//! Names that several targets must agree on, made in one place: the
//! cluster a deploy job connects to is the cluster Terraform creates, the
//! role it assumes is the role Terraform trusts, the secret a workflow
//! reads is the secret the user named.
//!
//! These are naming rules, not paths (where artifacts live is
//! `crate::target::paths`).

/// The longest name of a project, an environment or another name that
/// becomes part of file and cloud names.
pub const MAX_NAME: usize = 63;

/// Why `name` cannot name something that becomes part of a file name or a
/// cloud resource's name (a project, an infra cluster, an input): a name is
/// letters, digits, `_` and `-`, starts with a letter or `_`, and has at
/// most [`MAX_NAME`] characters. Identifiers always are; a label written as
/// a string may not be.
pub fn name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Some("it is empty".to_string());
    };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Some(format!("it starts with {first:?}, not a letter or `_`"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Some(format!("{bad:?} is not a letter, a digit, `_` or `-`"));
    }
    let n = name.chars().count();
    (n > MAX_NAME).then(|| format!("it has {n} characters, more than {MAX_NAME}"))
}

/// `name` made into a valid name (for a did-you-mean).
pub fn sanitized(name: &str) -> String {
    let mut dashed = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' };
        if !(c == '-' && dashed.ends_with('-')) {
            dashed.push(c);
        }
    }
    let mut out: String = dashed.trim_matches('-').chars().take(MAX_NAME).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// The IAM role that deploy jobs to `env` assume through GitHub's OIDC
/// provider (IAM allows 64 characters: `check::terraform` reports longer
/// ones, never cut, since two cut names could be one role).
pub fn deploy_role(project: &str, env: &str) -> String {
    format!("{project}-{env}-deploy")
}

/// The Kubernetes group the deploy role is in, in the clusters dvcc
/// creates; also the name of the Role and RoleBinding that give the group
/// its access to the environment's namespace.
pub const DEPLOY_GROUP: &str = "dvcc-deploy";

/// The most characters IAM allows in a role name.
pub const MAX_ROLE_NAME: usize = 64;

/// The most characters EKS allows in a cluster name.
pub const MAX_CLUSTER_NAME: usize = 100;

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

/// The name of the project's `PrometheusRule` resource: a Kubernetes name
/// (lower case, `-` for `_`).
pub fn prometheus_rule_name(project: &str) -> String {
    format!("{}-rules", project.to_ascii_lowercase().replace('_', "-"))
}

/// The RDS instance identifier of `infra ENV { database NAME { } }`.
pub fn db_identifier(project: &str, env: &str, database: &str) -> String {
    format!(
        "{}-{}",
        aws_prefix(project, env),
        database.to_ascii_lowercase().replace('_', "-")
    )
}

/// A name as a DNS label: lowercase letters, digits and `-` (`Shop_Prod`
/// and `DATABASE_URL` become `shop-prod` and `database-url`), at most 63
/// characters.
pub fn dns_label_of(s: &str) -> String {
    s.to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .chars()
        .take(63)
        .collect()
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
        assert_eq!(super::name_problem("shop"), None);
        assert_eq!(super::name_problem("_a-b_2"), None);
        for bad in ["", "2shop", "../x", "a b", "a\nb", "café", &"x".repeat(64)] {
            assert!(super::name_problem(bad).is_some(), "{bad:?}");
            assert_eq!(super::name_problem(&super::sanitized(bad)), None, "{bad:?}");
        }
        assert_eq!(super::sanitized("../../x"), "x");
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
