//! The Helm target: `values.yaml` and each `values-<env>.yaml`, read back by
//! a YAML 1.1 reader (PyYAML, as Helm's Go library reads YAML 1.1) and
//! merged the way Helm merges, equal the resolved model of that environment;
//! strings that YAML 1.1 would turn into booleans or numbers stay strings.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::root;
use crate::yaml::{python, required};

/// The shared chart's own `values.yaml` a service's values go over, unless
/// the service has its own chart (a `Chart.yaml` beside its values).
fn chart_values_of(service_dir: &Path) -> Option<std::path::PathBuf> {
    if service_dir.join("Chart.yaml").exists() {
        return None;
    }
    let charts = service_dir.parent()?.parent()?.join("charts");
    let mut found: Vec<_> = std::fs::read_dir(charts)
        .ok()?
        .flatten()
        .map(|e| e.path().join("values.yaml"))
        .collect();
    assert_eq!(found.len(), 1, "one shared chart per project");
    found.pop()
}

/// Reads the shared chart's values (if the service uses it), the service's
/// `values.yaml` and the overlay with PyYAML and merges them as Helm does
/// (maps key by key, `null` deletes); the merged values as JSON.
fn helm_merged(py: &Path, chart: &Path, env: &str) -> Value {
    let script = "import json,sys,yaml\n\
        def coalesce(b, o):\n\
        \x20   if not isinstance(b, dict) or not isinstance(o, dict): return o\n\
        \x20   out = dict(b)\n\
        \x20   for k, v in o.items():\n\
        \x20       if v is None: out.pop(k, None)\n\
        \x20       elif isinstance(v, dict) and isinstance(out.get(k), dict): out[k] = coalesce(out[k], v)\n\
        \x20       else: out[k] = v\n\
        \x20   return out\n\
        merged = {}\n\
        for f in sys.argv[1:]: merged = coalesce(merged, yaml.safe_load(open(f, encoding='utf-8')) or {})\n\
        print(json.dumps(merged))\n";
    let out = Command::new(py)
        .args(["-c", script])
        .args(chart_values_of(chart))
        .arg(chart.join("values.yaml"))
        .arg(chart.join(format!("values-{env}.yaml")))
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON from python")
}

#[test]
fn merged_values_equal_the_model_for_every_service_and_environment() {
    let Some(py) = python() else {
        assert!(!required(), "CI must install PyYAML (.ci/install-validators)");
        eprintln!("skipped: no PyYAML");
        return;
    };
    let mut checked = 0;
    for ex in ["examples/shop", "examples/platform"] {
        let loaded = dvcc::load_paths(&[root().join(ex)]);
        let model = dvcc::analyze(&loaded, 0).model;
        for svc in &model.services {
            let chart = root().join(ex).join(dvcc::target::paths::service_dir(&svc.name));
            for env in &model.environments {
                let merged = helm_merged(&py, &chart, &env.name);
                // The values the backend means for this environment, built
                // directly from the model (no layering)...
                let full =
                    serde_json::to_value(dvcc::backend::helm::values(&model, svc, Some(&env.name))).expect("JSON");
                assert_eq!(merged, full, "{ex}: {} in {}", svc.name, env.name);
                // ...and what they say, field by field, against the model.
                let cfg = &svc.per_env[&env.name];
                let at = |p: &str| merged.pointer(p).cloned().unwrap_or(Value::Null);
                let image = format!(
                    "{}:{}",
                    at("/image/repository").as_str().unwrap_or(""),
                    at("/image/tag").as_str().unwrap_or("")
                );
                assert!(image.starts_with(&cfg.image), "{image} vs {}", cfg.image);
                assert_eq!(at("/replicaCount"), json!(cfg.replicas));
                assert_eq!(at("/port"), cfg.port.map_or(Value::Null, |p| json!(p)));
                assert_eq!(
                    at("/command"),
                    if cfg.command.is_empty() {
                        Value::Null
                    } else {
                        json!(cfg.command)
                    }
                );
                assert_eq!(
                    at("/resources/requests/cpu"),
                    cfg.cpu.as_ref().map_or(Value::Null, |c| json!(c.to_string()))
                );
                assert_eq!(
                    at("/resources/limits/memory"),
                    cfg.memory.as_ref().map_or(Value::Null, |m| json!(m.to_string()))
                );
                assert_eq!(
                    at("/env"),
                    if cfg.env.is_empty() {
                        Value::Null
                    } else {
                        json!(cfg.env)
                    }
                );
                for (var, secret) in &cfg.secrets {
                    assert_eq!(at(&format!("/secretEnv/{var}/secret")), json!(secret));
                }
                assert_eq!(at("/autoscaling/enabled"), json!(cfg.autoscale.is_some()));
                if let Some(a) = &cfg.autoscale {
                    assert_eq!(at("/autoscaling/minReplicas"), json!(a.min));
                    assert_eq!(at("/autoscaling/maxReplicas"), json!(a.max));
                }
                let rollout = model.rollout_of(&svc.name, &env.name);
                assert_eq!(at("/rollout/enabled"), json!(rollout.is_some()));
                if let Some(r) = rollout {
                    assert_eq!(at("/rollout/name"), json!(r.name));
                    let queries: Vec<Value> = r
                        .abort_on
                        .iter()
                        .map(|a| json!({"name": a, "query": model.alert(a).expect("declared").expr}))
                        .collect();
                    assert_eq!(
                        at("/rollout/analysis/alerts"),
                        if queries.is_empty() {
                            Value::Null
                        } else {
                            json!(queries)
                        }
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(
        checked,
        3 + 5 * 4,
        "every service in every environment of both examples"
    );
}

#[test]
fn env_values_survive_a_yaml_1_1_read_back_as_strings() {
    let Some(py) = python() else {
        assert!(!required(), "CI must install PyYAML (.ci/install-validators)");
        eprintln!("skipped: no PyYAML");
        return;
    };
    let hostile = [
        "on",
        "no",
        "NO",
        "off",
        "y",
        "0755",
        "1e3",
        "12:30",
        "~",
        "2024-01-02",
        "1_000",
        "true",
        ".inf",
    ];
    let mut src = String::from(
        "project p { repo = \"a/b\" }\nenvironment prod { cluster = \"c\" }\nservice api {\n  image = \"r/api\"\n  env {\n",
    );
    for (i, v) in hostile.iter().enumerate() {
        src.push_str(&format!("    V{i} = \"{v}\"\n"));
    }
    src.push_str("  }\n  in prod { env { V0 = \"off\"  V1 = \"yes\" } }\n}\n");
    let loaded = dvcc::Loaded::from_bytes("p.dvc", src.into_bytes());
    assert!(dvcc::lint(&loaded).is_empty());
    let model = dvcc::analyze(&loaded, 0).model;
    let ctx = dvcc::backend::Context::default();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("helm-yaml11");
    let _ = std::fs::remove_dir_all(&dir);
    use dvcc::backend::Backend as _;
    for a in dvcc::backend::helm::Helm.generate(&model, &ctx) {
        let p = dir.join(&a.path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, a.contents).expect("write");
    }
    let merged = helm_merged(&py, &dir.join("deploy/helm/api"), "prod");
    let mut want: Vec<(String, String)> = hostile
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("V{i}"), v.to_string()))
        .collect();
    want[0].1 = "off".into();
    want[1].1 = "yes".into();
    for (k, v) in want {
        assert_eq!(merged["env"][&k], json!(v), "{k} read back as {}", merged["env"][&k]);
    }
}

/// A memory limit apart from the request reaches the chart; without one,
/// the limit is the request.
#[test]
fn memory_limits_apart_from_requests() {
    let src = r#"project p { repo = "a/b" }
environment prod { cluster = "c"  region = "us-east-1" }
service cart {
  image = "ghcr.io/a/cart"
  resources { cpu = 200m  memory = 64Mi  memory_limit = 128Mi }
}
service web {
  image = "ghcr.io/a/web"
  resources { memory = 256Mi }
}
"#;
    let (loaded, diags) = crate::support::lint_bytes("p.dvc", src.as_bytes().to_vec());
    assert!(diags.is_empty(), "{diags:?}");
    let model = dvcc::analyze(&loaded, 0).model;
    let resources = |svc: &str| -> serde_json::Value {
        let s = model.service(svc).expect("service");
        serde_json::to_value(dvcc::backend::helm::values(&model, s, Some("prod"))).expect("JSON")["resources"].clone()
    };
    let cart = resources("cart");
    assert_eq!(cart["requests"]["memory"], "64Mi");
    assert_eq!(cart["limits"]["memory"], "128Mi");
    assert_eq!(cart["requests"]["cpu"], "200m");
    assert!(cart["limits"].get("cpu").is_none());
    let web = resources("web");
    assert_eq!(web["requests"]["memory"], "256Mi");
    assert_eq!(web["limits"]["memory"], "256Mi");
}

/// The ServiceMonitor can be switched off (no Prometheus Operator) or point
/// at another path; the container's user is the image's where it needs one.
#[test]
fn metrics_path_and_user_are_the_service_s() {
    let src = r#"project p { repo = "a/b" }
environment prod { cluster = "c"  region = "us-east-1" }
service proxy {
  image       = "ghcr.io/a/proxy"
  port        = 8080
  metrics     = "/stats/prometheus"
  run_as_user = 101
}
service legacy {
  image   = "ghcr.io/a/legacy"
  port    = 8080
  metrics = false
}
service web {
  image = "ghcr.io/a/web"
  port  = 8080
}
"#;
    let (loaded, diags) = crate::support::lint_bytes("p.dvc", src.as_bytes().to_vec());
    assert!(diags.is_empty(), "{diags:?}");
    let model = dvcc::analyze(&loaded, 0).model;
    let values = |svc: &str| -> serde_json::Value {
        let s = model.service(svc).expect("service");
        serde_json::to_value(dvcc::backend::helm::values(&model, s, Some("prod"))).expect("JSON")
    };
    let proxy = values("proxy");
    assert_eq!(proxy["serviceMonitor"]["path"], "/stats/prometheus");
    assert_eq!(proxy["podSecurityContext"]["runAsUser"], 101);
    assert_eq!(proxy["podSecurityContext"]["fsGroup"], 101);
    assert_eq!(values("legacy")["serviceMonitor"]["enabled"], false);
    let web = values("web");
    assert_eq!(web["serviceMonitor"]["enabled"], true);
    assert_eq!(web["serviceMonitor"]["path"], "/metrics");
    assert_eq!(web["podSecurityContext"]["runAsUser"], 10001);
}

/// An ingress per environment (inherited through `extends` like the rest
/// of the service): its host, path, class and TLS Secret reach the chart.
#[test]
fn ingresses_per_environment() {
    let loaded = dvcc::load_paths(&[root().join("examples/platform")]);
    let model = dvcc::analyze(&loaded, 0).model;
    let web = model.service("web").expect("web");
    let ingress = |env: &str| -> serde_json::Value {
        serde_json::to_value(dvcc::backend::helm::values(&model, web, Some(env))).expect("JSON")["ingress"].clone()
    };
    assert_eq!(ingress("dev")["host"], "web.dev.example.com");
    assert_eq!(ingress("dev")["path"], "/");
    assert_eq!(ingress("dev")["className"], "nginx");
    assert!(ingress("dev").get("certificate").is_none());
    assert_eq!(ingress("staging")["host"], "web.staging.example.com");
    assert_eq!(ingress("production")["host"], "www.example.com");
    assert_eq!(ingress("production")["certificate"], "www-example-com-tls");
    // A service without one has none.
    let api = model.service("api").expect("api");
    let v = serde_json::to_value(dvcc::backend::helm::values(&model, api, Some("production"))).expect("JSON");
    assert_eq!(v["ingress"]["enabled"], false);
    // The chart's template routes the host to the service's named port.
    let template = std::fs::read_to_string(root().join("stdlib/helm/templates/ingress.yaml")).expect("read");
    assert!(
        template.contains("kind: Ingress") && template.contains("name: http"),
        "{template}"
    );
}
