//! Where every artifact lives, relative to the output directory. The
//! chart a deploy job installs is the chart the Helm target writes, so
//! every backend reads these; none spells a path of its own.

/// The directory of workflows dvcc owns files in.
pub const WORKFLOW_DIR: &str = ".github/workflows";

/// `.github/workflows/<pipeline>.yml`
pub fn workflow(pipeline: &str) -> String {
    format!("{WORKFLOW_DIR}/{pipeline}.yml")
}

/// The directory of Prometheus rule files dvcc owns.
pub const PROMETHEUS_DIR: &str = "deploy/prometheus";

/// `deploy/prometheus/<project>.rules.yml`
pub fn prometheus_rules(project: &str) -> String {
    format!("{PROMETHEUS_DIR}/{project}.rules.yml")
}

/// `deploy/prometheus/<project>.prometheusrule.yaml`: the rules as a
/// Prometheus Operator resource.
pub fn prometheus_rule(project: &str) -> String {
    format!("{PROMETHEUS_DIR}/{project}.prometheusrule.yaml")
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

#[cfg(test)]
mod tests {
    #[test]
    fn paths_are_stable() {
        assert_eq!(super::workflow("ci"), ".github/workflows/ci.yml");
        assert_eq!(
            super::env_values("api", "production"),
            "deploy/helm/api/values-production.yaml"
        );
        assert_eq!(
            super::terraform("production"),
            "deploy/terraform/production/main.tf.json"
        );
    }
}
