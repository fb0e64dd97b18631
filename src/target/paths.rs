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

/// The directory of services' values (and `chart = own` charts) dvcc owns
/// files in.
pub const HELM_DIR: &str = "deploy/helm";

/// The directory of shared charts dvcc owns files in.
pub const CHARTS_DIR: &str = "deploy/charts";

/// The name of a project's shared chart: the project's name as a DNS label
/// (what Helm accepts), `chart` if nothing of it is left.
pub fn chart_name(project: &str) -> String {
    let name = crate::model::names::dns_label_of(project);
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        format!("chart{}{name}", if name.is_empty() { "" } else { "-" })
    } else {
        name
    }
}

/// `deploy/charts/<chart>`: the chart every service of `project` shares.
pub fn shared_chart_dir(project: &str) -> String {
    format!("{CHARTS_DIR}/{}", chart_name(project))
}

/// `deploy/helm/<service>`: the service's values (and its own chart).
pub fn service_dir(service: &str) -> String {
    format!("{HELM_DIR}/{service}")
}

/// The chart a service is installed from: its own copy of the bundled chart
/// (`chart = own`) or the project's shared one.
pub fn chart_of(project: &str, service: &str, own: bool) -> String {
    if own {
        service_dir(service)
    } else {
        shared_chart_dir(project)
    }
}

/// `deploy/helm/<service>/values.yaml`: values shared by every environment.
pub fn values(service: &str) -> String {
    format!("{}/values.yaml", service_dir(service))
}

/// `deploy/helm/<service>/values-<env>.yaml`: what differs in `env`.
pub fn env_values(service: &str, env: &str) -> String {
    format!("{}/values-{env}.yaml", service_dir(service))
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
        assert_eq!(super::chart_of("shop", "api", false), "deploy/charts/shop");
        assert_eq!(super::chart_of("shop", "api", true), "deploy/helm/api");
        assert_eq!(super::chart_name("Shop_Prod"), "shop-prod");
        assert_eq!(super::chart_name("9lives"), "chart-9lives");
        assert_eq!(super::chart_name("__"), "chart");
        assert_eq!(
            super::terraform("production"),
            "deploy/terraform/production/main.tf.json"
        );
    }
}
