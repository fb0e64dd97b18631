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

/// The handbook's directory when `handbook { path }` is not set.
pub const HANDBOOK_DIR: &str = "docs/delivery";

/// The handbook's index page, relative to its directory.
pub const HANDBOOK_INDEX: &str = "README.md";

/// A service's handbook page, relative to the handbook's directory.
pub fn handbook_service(service: &str) -> String {
    format!("services/{service}.md")
}

/// An environment's handbook page, relative to the handbook's directory.
pub fn handbook_environment(env: &str) -> String {
    format!("environments/{env}.md")
}

/// An alert's runbook page, relative to the handbook's directory.
pub fn handbook_alert(alert: &str) -> String {
    format!("alerts/{alert}.md")
}

/// An SLO's page, relative to the handbook's directory.
pub fn handbook_slo(slo: &str) -> String {
    format!("slos/{slo}.md")
}

/// The published address of an alert's runbook page, under `url` (the
/// handbook's address).
pub fn runbook_url(url: &str, alert: &str) -> String {
    published(url, &handbook_alert(alert))
}

/// The published address of handbook page `page` (relative to the
/// handbook's directory), under `url`.
pub fn published(url: &str, page: &str) -> String {
    format!("{}/{page}", url.trim_end_matches('/'))
}

/// What a generated file belongs to, read back from its path (for
/// summaries of what a change touches).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    pub service: Option<String>,
    pub environment: Option<String>,
    pub pipeline: Option<String>,
}

/// What the artifact at `path` (relative to the output directory) belongs
/// to: a workflow's pipeline, a service's values and their environment, a
/// Terraform environment. Rules, charts and the handbook belong to none.
pub fn touched(path: &str) -> Touched {
    let mut out = Touched::default();
    if let Some(file) = path.strip_prefix(&format!("{WORKFLOW_DIR}/")) {
        out.pipeline = file.strip_suffix(".yml").map(str::to_string);
    } else if let Some(rest) = path.strip_prefix(&format!("{HELM_DIR}/")) {
        if let Some((service, file)) = rest.split_once('/') {
            out.service = Some(service.to_string());
            out.environment = file
                .strip_prefix("values-")
                .and_then(|f| f.strip_suffix(".yaml"))
                .map(str::to_string);
        }
    } else if let Some(rest) = path.strip_prefix(&format!("{TERRAFORM_DIR}/")) {
        out.environment = rest.split_once('/').map(|(env, _)| env.to_string());
    }
    out
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

    #[test]
    fn paths_read_back() {
        let t = super::touched(&super::env_values("api", "production"));
        assert_eq!(t.service.as_deref(), Some("api"));
        assert_eq!(t.environment.as_deref(), Some("production"));
        assert_eq!(super::touched(&super::values("api")).environment, None);
        assert_eq!(
            super::touched(&super::terraform("qa")).environment.as_deref(),
            Some("qa")
        );
        assert_eq!(super::touched(&super::workflow("ci")).pipeline.as_deref(), Some("ci"));
        assert_eq!(
            super::touched("deploy/charts/shop/Chart.yaml"),
            super::Touched::default()
        );
    }
}
