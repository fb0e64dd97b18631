//! Traffic routing: a canary's weights split requests at Istio (a
//! VirtualService the chart creates), the NGINX ingress controller or the
//! AWS load balancer controller (through the service's Ingress); A/B
//! header routes; without a router, weights the pods cannot run warn.

use serde_json::{Value, json};

use crate::support::{codes, lint_bytes};

fn project(router: &str, extra: &str) -> String {
    format!(
        r#"
project shop {{
  repo       = "acme/shop"
  prometheus = "http://prometheus:9090"
}}

environment production {{
  cluster   = "prod"
  namespace = "shop"
  region    = "eu-west-1"
}}

service api {{
  image        = "ghcr.io/acme/api"
  port         = 8080
  service_port = 80
  replicas     = 2
  ingress {{ host = "api.example.com"  class = "nginx" }}
}}

rollout api_canary {{
  service      = api
  environments = [production]
  traffic {{ router = {router}  {extra} }}
  canary {{
    step {{ weight = 10%  pause = 5m }}
    step {{ weight = 100% }}
  }}
}}

pipeline release {{
  on push {{ branches = ["main"] }}
  deploy production {{
    services = [api]
  }}
}}
"#
    )
}

fn rollout_values(text: &str) -> Value {
    let loaded = dvcc::Loaded::from_files(&[("main.dvc", text.as_bytes().to_vec())]);
    let analysis = dvcc::analyze(&loaded, 0);
    assert!(analysis.diagnostics.is_empty(), "{:#?}", analysis.diagnostics);
    let api = analysis.model.service("api").expect("api");
    serde_json::to_value(dvcc::backend::helm::values(&analysis.model, api, Some("production"))).expect("JSON")["rollout"]
        .clone()
}

#[test]
fn each_router_reaches_the_chart() {
    for router in ["istio", "nginx", "alb"] {
        let v = rollout_values(&project(router, ""));
        assert_eq!(v["canary"]["traffic"], json!({ "router": router }), "{router}");
        // The weights are the steps' exactly: 10% of two pods is fine.
        assert_eq!(v["canary"]["steps"][0], json!({ "setWeight": 10 }));
    }
    let v = rollout_values(&project(
        "istio",
        r#"gateways = ["istio-system/public"]  hosts = ["api.example.com"]"#,
    ));
    assert_eq!(
        v["canary"]["traffic"],
        json!({ "router": "istio", "gateways": ["istio-system/public"], "hosts": ["api.example.com"] })
    );
}

#[test]
fn header_routes_for_a_b_testing() {
    // Istio: a managed header route from the first step.
    let v = rollout_values(&project("istio", r#"header = "x-canary""#));
    assert_eq!(
        v["canary"]["steps"][0],
        json!({ "setHeaderRoute": { "name": "header", "match": [{ "headerName": "x-canary", "headerValue": { "exact": "always" } }] } })
    );
    // NGINX: the header and value reach the annotations the template writes.
    let v = rollout_values(&project("nginx", r#"header = "x-beta"  header_value = "yes""#));
    assert_eq!(
        v["canary"]["traffic"]["header"],
        json!({ "name": "x-beta", "value": "yes" })
    );
    assert_eq!(v["canary"]["steps"][0], json!({ "setWeight": 10 }));
}

#[test]
fn the_templates_spell_argo_s_and_istio_s_fields() {
    let chart: std::collections::BTreeMap<&str, &str> = dvcc::stdlib::CHART_TEMPLATES.iter().copied().collect();
    let rollout = chart["templates/rollout.yaml"];
    for field in [
        "stableService:",
        "trafficRouting:",
        "virtualService:",
        "managedRoutes:",
        "stableIngress:",
        "additionalIngressAnnotations:",
        "canary-by-header:",
        "servicePort:",
    ] {
        assert!(rollout.contains(field), "{field}");
    }
    let vs = chart["templates/virtualservice.yaml"];
    assert!(
        vs.contains("kind: VirtualService") && vs.contains("- name: primary"),
        "{vs}"
    );
    // The AWS load balancer controller reads its actions by annotation.
    assert!(chart["templates/ingress.yaml"].contains("use-annotation"));
}

#[test]
fn routing_the_rollout_or_service_cannot_use_is_reported() {
    let lint = |text: String| codes(&lint_bytes("main.dvc", text.into_bytes()).1);
    // NGINX without an ingress.
    let no_ingress = project("nginx", "").replace("  ingress { host = \"api.example.com\"  class = \"nginx\" }\n", "");
    assert_eq!(lint(no_ingress), ["DVC0539"]);
    // Istio's fields on another router; a header through ALB.
    assert_eq!(lint(project("nginx", r#"gateways = ["g"]"#)), ["DVC0539"]);
    assert_eq!(lint(project("alb", r#"header = "x-canary""#)), ["DVC0539"]);
    // A blue-green rollout.
    let blue_green = project("istio", "").replace(
        "canary {\n    step { weight = 10%  pause = 5m }\n    step { weight = 100% }\n  }",
        "blue_green { }",
    );
    assert_eq!(lint(blue_green), ["DVC0539"]);
}

/// Without a router, a weight two pods cannot run warns (DVC0535); with
/// one, it is exact.
#[test]
fn weights_need_pods_only_without_a_router() {
    let lint = |text: String| codes(&lint_bytes("main.dvc", text.into_bytes()).1);
    let without = project("istio", "").replace("  traffic { router = istio   }\n", "");
    assert_eq!(lint(without), ["DVC0535"]);
    assert!(lint(project("istio", "")).is_empty());
}
