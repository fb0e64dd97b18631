//! A service's pod settings reach the chart's values per environment:
//! ports, probes, scheduling (string keys), the service account's
//! annotations, network policy, volumes and the escape hatches; and the
//! chart's schema accepts them (helm lint renders every template with them).

use serde_json::{Value, json};

use crate::support::root;
use crate::yaml::{python, required};

const PROJECT: &str = r#"
project shop {
  repo = "acme/shop"
}

environment dev {
  cluster   = "dev"
  namespace = "shop"
}

environment production {
  extends = dev
  cluster = "prod"
}

service web {
  image          = "ghcr.io/acme/web"
  port           = 8080
  service_port   = 80
  service_type   = LoadBalancer
  health         = "/healthz"
  args           = ["--log-format", "json"]
  tolerations    = ["dedicated=web:NoSchedule", "spot:NoExecute", "example.com/gpu"]
  spread         = ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
  priority_class = "high"
  ports {
    grpc    = 9090
    metrics = 9797
  }
  node_selector { "kubernetes.io/arch" = "arm64" }
  pod_annotations { "example.com/owner" = "web-team" }
  pod_labels { tier = "frontend" }
  account_annotations { "eks.amazonaws.com/role-arn" = "arn:aws:iam::123456789012:role/web" }
  startup {
    failures = 30
    period   = 2s
  }
  liveness {
    grpc = true
    port = 9090
    timeout = 3s
  }
  network_policy {
    from       = [api]
    namespaces = ["ingress-nginx"]
  }
  volume cache { mount = "/var/cache/web" }
  volume config {
    mount      = "/etc/web"
    config_map = "web-config"
    read_only  = true
  }
  volume creds {
    mount = "/etc/creds"
    files = secret("web-creds")
  }
  volume data {
    mount = "/data"
    size  = 10Gi
    class = "gp3"
  }
  ingress {
    host = "web.example.com"
    annotations { "cert-manager.io/cluster-issuer" = "letsencrypt" }
  }
  route {
    gateway = "infra/public"
    host    = "web.example.com"
  }
  extra_pod {
    terminationGracePeriodSeconds = 60
    hostAliases {
      ip        = "10.0.0.1"
      hostnames = ["legacy.internal"]
    }
  }
  extra_container {
    lifecycle {
      preStop {
        exec { command = ["sleep", "5"] }
      }
    }
  }
  in production {
    service_type = ClusterIP
    node_selector { "node.kubernetes.io/instance-type" = "m6g.large" }
    readiness {
      path   = "/ready"
      period = 5s
    }
  }
}

service api {
  image = "ghcr.io/acme/api"
  port  = 8080
}
"#;

fn values(env: &str) -> Value {
    let loaded = dvcc::Loaded::from_files(&[("main.dvc", PROJECT.as_bytes().to_vec())]);
    let analysis = dvcc::analyze(&loaded, 0);
    assert!(analysis.diagnostics.is_empty(), "{:#?}", analysis.diagnostics);
    let web = analysis.model.service("web").expect("web");
    serde_json::to_value(dvcc::backend::helm::values(&analysis.model, web, Some(env))).expect("JSON")
}

#[test]
fn ports_and_the_service_in_front_of_them() {
    let v = values("dev");
    assert_eq!(v["port"], 8080);
    assert_eq!(v["service"], json!({ "type": "LoadBalancer", "port": 80 }));
    assert_eq!(
        v["ports"],
        json!([{ "name": "grpc", "port": 9090 }, { "name": "metrics", "port": 9797 }])
    );
    assert_eq!(v["args"], json!(["--log-format", "json"]));
    // An override changes the type only.
    assert_eq!(
        values("production")["service"],
        json!({ "type": "ClusterIP", "port": 80 })
    );
}

#[test]
fn probes_from_health_and_their_own_blocks() {
    let dev = values("dev");
    // `health` stands for readiness; liveness has its own block (gRPC on
    // its port), and the startup probe takes health's path.
    assert_eq!(
        dev["probes"]["readiness"],
        json!({ "httpGet": { "path": "/healthz", "port": "http" }, "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3 })
    );
    assert_eq!(
        dev["probes"]["liveness"],
        json!({ "grpc": { "port": 9090 }, "periodSeconds": 10, "timeoutSeconds": 3, "failureThreshold": 3 })
    );
    assert_eq!(
        dev["probes"]["startup"],
        json!({ "httpGet": { "path": "/healthz", "port": "http" }, "periodSeconds": 2, "timeoutSeconds": 1, "failureThreshold": 30 })
    );
    // Production's own readiness block.
    assert_eq!(
        values("production")["probes"]["readiness"],
        json!({ "httpGet": { "path": "/ready", "port": "http" }, "periodSeconds": 5, "timeoutSeconds": 1, "failureThreshold": 3 })
    );
}

#[test]
fn scheduling_with_kubernetes_keys() {
    let dev = values("dev");
    assert_eq!(dev["nodeSelector"], json!({ "kubernetes.io/arch": "arm64" }));
    assert_eq!(
        dev["tolerations"],
        json!([
            { "key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule" },
            { "key": "spot", "operator": "Exists", "effect": "NoExecute" },
            { "key": "example.com/gpu", "operator": "Exists" }
        ])
    );
    assert_eq!(
        dev["spread"],
        json!(["topology.kubernetes.io/zone", "kubernetes.io/hostname"])
    );
    assert_eq!(dev["priorityClassName"], "high");
    assert_eq!(dev["podAnnotations"], json!({ "example.com/owner": "web-team" }));
    assert_eq!(dev["podLabels"], json!({ "tier": "frontend" }));
    // An override adds to the selector, key by key, as Helm merges it.
    assert_eq!(
        values("production")["nodeSelector"],
        json!({ "kubernetes.io/arch": "arm64", "node.kubernetes.io/instance-type": "m6g.large" })
    );
}

#[test]
fn identity_network_policy_volumes_and_ingress_annotations() {
    let dev = values("dev");
    assert_eq!(
        dev["serviceAccount"]["annotations"],
        json!({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/web" })
    );
    assert_eq!(
        dev["networkPolicy"],
        json!({ "fromServices": ["api"], "fromNamespaces": ["ingress-nginx"] })
    );
    let kinds: Vec<(&str, &str)> = dev["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .map(|v| (v["name"].as_str().unwrap_or(""), v["kind"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        kinds,
        [
            ("cache", "emptyDir"),
            ("config", "configMap"),
            ("creds", "keys"),
            ("data", "claim")
        ]
    );
    let data = &dev["volumes"][3];
    assert_eq!((&data["size"], &data["storageClass"]), (&json!("10Gi"), &json!("gp3")));
    assert_eq!(dev["volumes"][1]["readOnly"], true);
    assert_eq!(dev["volumes"][2]["source"], "web-creds");
    assert_eq!(
        dev["ingress"]["annotations"],
        json!({ "cert-manager.io/cluster-issuer": "letsencrypt" })
    );
    // Gateway API: a route from the shared Gateway to the Service's port.
    assert_eq!(
        dev["httpRoute"],
        json!({ "gateway": "public", "gatewayNamespace": "infra", "host": "web.example.com", "path": "/" })
    );
    let chart: std::collections::BTreeMap<&str, &str> = dvcc::stdlib::CHART_TEMPLATES.iter().copied().collect();
    let route = chart["templates/httproute.yaml"];
    assert!(route.contains("kind: HTTPRoute") && route.contains("parentRefs:") && route.contains("backendRefs:"));
    // A service without them has none of these keys.
    let loaded = dvcc::Loaded::from_files(&[("main.dvc", PROJECT.as_bytes().to_vec())]);
    let model = dvcc::analyze(&loaded, 0).model;
    let api = serde_json::to_value(dvcc::backend::helm::values(
        &model,
        model.service("api").expect("api"),
        Some("dev"),
    ))
    .expect("JSON");
    for key in [
        "networkPolicy",
        "serviceAccount",
        "volumes",
        "extra",
        "nodeSelector",
        "tolerations",
    ] {
        assert!(api.get(key).is_none(), "{key}: {api}");
    }
}

#[test]
fn escape_hatches_are_kubernetes_fields() {
    let dev = values("dev");
    // `hostAliases` is a list in Kubernetes, even with one block.
    assert_eq!(
        dev["extra"]["pod"],
        json!({ "terminationGracePeriodSeconds": 60, "hostAliases": [{ "ip": "10.0.0.1", "hostnames": ["legacy.internal"] }] })
    );
    assert_eq!(
        dev["extra"]["container"],
        json!({ "lifecycle": { "preStop": { "exec": { "command": ["sleep", "5"] } } } })
    );
    assert_eq!(values("production")["extra"], dev["extra"]);
}

/// The chart as generated passes the schema (merged as Helm merges, read
/// as YAML 1.1) and Helm's lint, which renders every template with the
/// values of each environment.
#[test]
fn the_chart_with_every_setting_passes_helm_lint() {
    let Some(py) = python() else {
        assert!(!required(), "CI must install the validators");
        eprintln!("skipped: no validators");
        return;
    };
    let dir = std::env::temp_dir().join(format!("dvcc-pods-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("main.dvc"), PROJECT).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .arg("build")
        .arg(&dir)
        .output()
        .expect("dvcc runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let check = std::process::Command::new(&py)
        .arg(root().join(".ci/check-helm.py"))
        .arg(&dir)
        .arg("deploy/helm/*/values.yaml")
        .output()
        .expect("python runs");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(report.contains("PASS helm-schema"), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}
