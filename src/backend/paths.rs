//! Where every artifact lives, and the names that two targets must agree
//! on (the chart a deploy job installs is the chart the Helm target writes;
//! the role a deploy job assumes is the role the Terraform target creates).
//! Every backend reads these; none spells a path of its own.

/// `.github/workflows/<pipeline>.yml`
pub fn workflow(pipeline: &str) -> String {
    format!(".github/workflows/{pipeline}.yml")
}

/// The directory of workflows dvcc owns files in.
pub const WORKFLOW_DIR: &str = ".github/workflows";

/// The directory of Prometheus rule files dvcc owns.
pub const PROMETHEUS_DIR: &str = "deploy/prometheus";

/// `deploy/prometheus/<project>.rules.yml`
pub fn prometheus_rules(project: &str) -> String {
    format!("{PROMETHEUS_DIR}/{project}.rules.yml")
}

/// `deploy/prometheus/<project>.rules.test.yml`: promtool unit tests.
pub fn prometheus_tests(project: &str) -> String {
    format!("{PROMETHEUS_DIR}/{project}.rules.test.yml")
}

/// The directory of Helm charts dvcc owns files in.
pub const HELM_DIR: &str = "deploy/helm";

/// `deploy/helm/<service>`: the service's chart.
pub fn chart_dir(service: &str) -> String {
    format!("{HELM_DIR}/{service}")
}

/// `deploy/helm/<service>/values.yaml`: values shared by every environment.
pub fn values(service: &str) -> String {
    format!("{}/values.yaml", chart_dir(service))
}

/// `deploy/helm/<service>/values-<env>.yaml`: what differs in `env`.
pub fn env_values(service: &str, env: &str) -> String {
    format!("{}/values-{env}.yaml", chart_dir(service))
}

/// The directory of Terraform modules dvcc owns files in.
pub const TERRAFORM_DIR: &str = "deploy/terraform";

/// `deploy/terraform/<env>/main.tf.json`: the infrastructure of `env`.
pub fn terraform(env: &str) -> String {
    format!("{TERRAFORM_DIR}/{env}/main.tf.json")
}

/// The IAM role that deploy jobs to `env` assume through GitHub's OIDC
/// provider (at most 64 characters, as AWS requires).
pub fn deploy_role(project: &str, env: &str) -> String {
    let name = format!("{project}-{env}-deploy");
    name.chars().take(64).collect()
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

/// The GitHub concurrency group of deploys to `env`.
pub fn deploy_concurrency(env: &str) -> String {
    format!("deploy-{env}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_stable() {
        assert_eq!(super::workflow("ci"), ".github/workflows/ci.yml");
        assert_eq!(
            super::env_values("api", "production"),
            "deploy/helm/api/values-production.yaml"
        );
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
    }
}
