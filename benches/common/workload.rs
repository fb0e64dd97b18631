//! The workload issue 19 measures dvcc and its peers on: `n` services in
//! teams of 100, three environments (dev; staging extends dev; production
//! extends staging with more replicas, doubled CPU and memory and another
//! log level), an alert per service with its name interpolated into the
//! expression, and a pipeline per team deploying its services in promotion
//! order. `benches/peers/` writes the same in Jsonnet and Pkl.

/// Services per team (and per file).
pub const TEAM: usize = 100;

pub const HEADER: &str = r#"project fleet {
  repo       = "acme/fleet"
  registry   = "ghcr.io/acme"
  prometheus = "http://prometheus:9090"
}

environment dev {
  cluster   = "dev-cluster"
  namespace = "fleet-dev"
  region    = "us-east-1"
}

environment staging {
  extends   = dev
  after     = dev
  cluster   = "staging-cluster"
  namespace = "fleet-staging"
}

environment production {
  extends   = staging
  after     = staging
  cluster   = "production-cluster"
  namespace = "fleet"
}
"#;

fn service(name: &str) -> String {
    format!(
        r#"
service {name} {{
  image    = "${{project.registry}}/{name}"
  port     = 8080
  health   = "/healthz"
  replicas = 2
  resources {{ cpu = 250m  memory = 256Mi }}
  env       {{ LOG_LEVEL = "info"  SERVICE_NAME = "{name}" }}
  in production {{
    replicas  = 6
    resources {{ cpu = 500m  memory = 512Mi }}
    env       {{ LOG_LEVEL = "warn" }}
  }}
}}

alert {name}_errors {{
  service  = {name}
  expr     = `sum(rate(http_requests_total{{job="{name}",code=~"5.."}}[5m])) / sum(rate(http_requests_total{{job="{name}"}}[5m])) > 0.05`
  for      = 5m
  severity = critical
  summary  = "{name} answers more than 5% of requests with errors"
}}
"#
    )
}

/// The name of service `i`.
pub fn name(i: usize) -> String {
    format!("t{}s{}", i / TEAM, i % TEAM)
}

/// The `.dvc` files of the workload: `project.dvc` and one file per team.
pub fn files(n: usize) -> Vec<(String, String)> {
    let mut out = vec![("project.dvc".to_string(), HEADER.to_string())];
    for team in 0..n.div_ceil(TEAM) {
        let names: Vec<String> = (team * TEAM..((team + 1) * TEAM).min(n)).map(name).collect();
        let mut text = format!("# team {team}\n");
        for s in &names {
            text.push_str(&service(s));
        }
        let list = names.join(", ");
        text.push_str(&format!(
            r#"
pipeline team{team} {{
  on push {{ branches = ["main"] }}
  job test {{ run "make test" }}
  deploy dev        {{ needs = [test]     services = [{list}] }}
  deploy staging    {{ needs = [dev]      services = [{list}] }}
  deploy production {{ needs = [staging]  services = [{list}] }}
}}
"#
        ));
        out.push((format!("team{team:03}.dvc"), text));
    }
    out
}
