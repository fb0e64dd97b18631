//! The generated shop-like projects the benchmarks measure.

/// One shop-like project section with unique names (`n` keeps them apart):
/// a service with per-environment overrides, its pipeline deploying it
/// through three environments, a rollout and an alert.
pub fn section(n: usize) -> String {
    format!(
        r#"# section {n}
service api{n} {{
  image    = "${{project.registry}}/api{n}"
  port     = 8080
  health   = "/healthz"
  replicas = 2
  resources {{ cpu = 500m  memory = 512Mi }}
  env       {{ LOG_LEVEL = "info" }}
  secrets   {{ DATABASE_URL = secret("db-url-{n}") }}
  autoscale {{ min = 2  max = 10  cpu = 70% }}
  in production {{ replicas = 5  autoscale {{ max = 30 }} }}
}}

pipeline ci{n} {{
  on push {{ branches = ["main"] }}
  job build {{
    uses checkout
    uses docker_build {{ service = api{n} }}
  }}
  job test {{
    needs = [build]
    run """
      npm ci
      npm test -- --ci
    """
  }}
  deploy staging    {{ needs = [test]     services = [api{n}] }}
  deploy production {{ needs = [staging]  services = [api{n}]  rollout = canary{n} }}
}}

rollout canary{n} {{
  service = api{n}
  canary {{
    step {{ weight = 50%  pause = 2m }}
    step {{ weight = 100% }}
  }}
  abort_on = [HighErrorRate{n}]
}}

alert HighErrorRate{n} {{
  service  = api{n}
  expr     = `sum(rate(http_requests_total{{job="api{n}",status=~"5.."}}[5m])) > 0.05`
  for      = 5m
  severity = critical
}}
"#
    )
}

/// Declared once per project: what every section refers to.
pub const HEADER: &str = r#"project bench {
  repo     = "acme/bench"
  registry = "ghcr.io/acme"
  prometheus = "http://prometheus:9090"
}

environment dev {
  cluster   = "dev-cluster"
  namespace = "bench-dev"
  region    = "us-east-1"
}

environment staging {
  extends   = dev
  cluster   = "staging-cluster"
  namespace = "bench-staging"
}

environment production {
  extends   = staging
  after     = staging
  cluster   = "production-cluster"
  namespace = "bench"
}
"#;

pub fn project(lines: usize, files: usize) -> Vec<(String, String)> {
    let per_section = section(0).lines().count();
    let sections = lines.div_ceil(per_section);
    let per_file = sections.div_ceil(files);
    (0..files)
        .map(|f| {
            let mut text: String = if f == 0 { HEADER.to_string() } else { String::new() };
            text.extend((f * per_file..((f + 1) * per_file).min(sections)).map(section));
            (format!("gen/file{f:02}.dvc"), text)
        })
        .collect()
}

/// Where the benchmarks edit a generated file, as a user types: the `2` of
/// `replicas = 2` in the middle section (40), which becomes `x` (a type
/// error) and back. A byte offset in `text`.
pub fn edit_site(text: &str) -> usize {
    let at = text.find("# section 40\n").expect("a middle section");
    at + text[at..].find("replicas = 2").expect("replicas") + "replicas = ".len()
}
