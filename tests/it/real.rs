//! Real charts re-expressed in `.dvc` (`tests/real/charts/`): podinfo's
//! chart, Argo CD's example guestbook with its production delta, and the
//! eleven services of Google's microservices demo. For each service (and
//! environment), the behaviour-relevant values dvcc generates — image,
//! replicas, ports, the Service, command, env, requests and limits,
//! probes, volumes, user — equal the facts transcribed from the original
//! (`<chart>.json`, which also lists the deviations dvcc makes on purpose).

use serde_json::{Map, Value, json};

use crate::support::root;

/// The facts of one service's values, in the transcription's shape.
fn facts(v: &Value, expected: &Value) -> Value {
    let port = v["port"].clone();
    let probe = |p: &Value| -> Value {
        if p.is_null() {
            return Value::Null;
        }
        let (kind, action) = [("http", "httpGet"), ("grpc", "grpc"), ("tcp", "tcpSocket")]
            .into_iter()
            .find(|(_, k)| !p[*k].is_null())
            .map(|(kind, k)| (kind, &p[k]))
            .expect("a probe action");
        // The named port `http` is the service's port.
        let probed = if action["port"] == "http" {
            port.clone()
        } else {
            action["port"].clone()
        };
        let mut out = json!({
            "kind": kind,
            "port": probed,
            "initialDelaySeconds": p["initialDelaySeconds"].as_u64().unwrap_or(0),
            "periodSeconds": p["periodSeconds"],
            "timeoutSeconds": p["timeoutSeconds"],
            "failureThreshold": p["failureThreshold"],
        });
        if kind == "http" {
            out["path"] = action["path"].clone();
        }
        out
    };
    let image = match v["image"]["tag"].as_str() {
        Some("latest") | None => v["image"]["repository"].clone(),
        Some(tag) => json!(format!("{}:{tag}", v["image"]["repository"].as_str().unwrap_or(""))),
    };
    let mut all = json!({
        "image": image,
        "replicas": v["replicaCount"],
        "runAsUser": v["podSecurityContext"]["runAsUser"],
        "port": port,
        "service": v["service"],
        "env": v.get("env").cloned().unwrap_or(json!({})),
        "requests": v["resources"].get("requests").cloned().unwrap_or(json!({})),
        "limits": v["resources"].get("limits").cloned().unwrap_or(json!({})),
        "readiness": probe(&v["probes"]["readiness"]),
        "liveness": probe(&v["probes"]["liveness"]),
        "command": v.get("command").cloned().unwrap_or(json!([])),
        "ports": v.get("ports").and_then(Value::as_array).map_or(json!({}), |ports| {
            Value::Object(ports.iter().map(|p| (p["name"].as_str().unwrap_or("").to_string(), p["port"].clone())).collect())
        }),
        "volumes": v.get("volumes").and_then(Value::as_array).map_or(json!({}), |vols| {
            Value::Object(vols.iter().map(|x| (x["mountPath"].as_str().unwrap_or("").to_string(), x["kind"].clone())).collect())
        }),
    });
    // Only what the transcription states is compared.
    let keys: Vec<&String> = expected.as_object().expect("facts").keys().collect();
    let all = all.as_object_mut().expect("facts");
    Value::Object(
        keys.into_iter()
            .map(|k| (k.clone(), all.remove(k).unwrap_or(Value::Null)))
            .collect::<Map<_, _>>(),
    )
}

fn chart(name: &str) -> (dvcc::model::Model, Value) {
    let dir = root().join("tests/real/charts");
    let loaded = dvcc::load_paths(&[dir.join(format!("{name}.dvc"))]);
    let diags = dvcc::lint(&loaded);
    assert!(diags.is_empty(), "{name}: {diags:#?}");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("facts")).expect("JSON");
    (dvcc::analyze(&loaded, 0).model, expected)
}

fn compare(model: &dvcc::model::Model, env: Option<&str>, expected: &Map<String, Value>, name: &str) {
    assert_eq!(
        model.services.len(),
        expected.len(),
        "{name}: one .dvc service per original service"
    );
    for (svc_name, want) in expected {
        let svc = model
            .service(svc_name)
            .unwrap_or_else(|| panic!("{name}: no service {svc_name}"));
        let v = serde_json::to_value(dvcc::backend::helm::values(model, svc, env)).expect("JSON");
        assert_eq!(&facts(&v, want), want, "{name}: {svc_name} in {env:?}");
    }
}

#[test]
fn podinfo_s_chart() {
    let (model, expected) = chart("podinfo");
    compare(
        &model,
        None,
        expected["services"].as_object().expect("services"),
        "podinfo",
    );
}

#[test]
fn the_guestbook_and_its_production_delta() {
    let (model, expected) = chart("guestbook");
    for (env, services) in expected["environments"].as_object().expect("environments") {
        compare(&model, Some(env), services.as_object().expect("services"), "guestbook");
    }
    // Port 80, as a non-root user: the pod may bind it.
    let svc = model.service("helm-guestbook").expect("service");
    let v = serde_json::to_value(dvcc::backend::helm::values(&model, svc, Some("production"))).expect("JSON");
    assert_eq!(
        v["podSecurityContext"]["sysctls"],
        json!([{ "name": "net.ipv4.ip_unprivileged_port_start", "value": "80" }])
    );
}

#[test]
fn the_microservices_demo() {
    let (model, expected) = chart("microservices-demo");
    let services = expected["services"].as_object().expect("services");
    assert_eq!(services.len(), 12, "eleven services and Redis");
    // The transcription holds image names; dvcc's are full references.
    let mut named = services.clone();
    for (name, s) in named.iter_mut() {
        if let Value::Object(o) = s {
            o.remove("image");
            if name == "loadgenerator" {
                assert!(o["service"].is_null());
            }
        }
    }
    compare(&model, None, &named, "microservices-demo");
    for (name, s) in services {
        let svc = model.service(name).expect("service");
        let image = svc.base.image.as_str();
        let want = s["image"].as_str().unwrap_or("");
        assert!(image == want || image.ends_with(&format!("/{want}")), "{name}: {image}");
    }
}

/// The Terraform of a real configuration re-expressed in `.dvc`
/// (`tests/real/terraform/<name>.dvc`) holds the original's values at the
/// JSON pointers its transcription names (`<name>.json`); a value
/// `{ "contains": TEXT }` is a string holding TEXT. Where the validators
/// and terraform are installed, the document also passes `terraform
/// validate` with the real modules' interfaces and the real AWS provider.
fn terraform(name: &str) -> Value {
    let dir = root().join("tests/real/terraform");
    let loaded = dvcc::load_paths(&[dir.join(format!("{name}.dvc"))]);
    let diags = dvcc::lint(&loaded);
    assert!(diags.is_empty(), "{name}: {diags:#?}");
    let model = dvcc::analyze(&loaded, 0).model;
    assert_eq!(model.infra.len(), 1, "{name}: one infra block");
    let doc = dvcc::backend::terraform::module(&model, &model.infra[0], "");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("facts")).expect("JSON");
    for (pointer, want) in expected["values"].as_object().expect("values") {
        let got = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{name}: nothing at {pointer}"));
        match want.get("contains").and_then(Value::as_str) {
            Some(text) => assert!(
                got.as_str().is_some_and(|s| s.contains(text)),
                "{name}: {pointer}: {got}"
            ),
            None => assert_eq!(got, want, "{name}: {pointer}"),
        }
    }
    validate(name, &doc);
    doc
}

fn validate(name: &str, doc: &Value) {
    let py =
        std::path::PathBuf::from(std::env::var("DVCC_VALIDATORS").unwrap_or_else(|_| "/opt/dvcc-validators".into()))
            .join("tools/bin/python");
    if !py.exists() || std::process::Command::new("terraform").arg("version").output().is_err() {
        assert!(!crate::yaml::required(), "CI must have the validators and terraform");
        return;
    }
    let dir = std::env::temp_dir().join(format!("dvcc-real-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("main.tf.json"),
        serde_json::to_string_pretty(doc).expect("JSON"),
    )
    .expect("write");
    let out = std::process::Command::new(&py)
        .arg(root().join(".ci/check-terraform.py"))
        .arg(&dir)
        .arg("main.tf.json")
        .arg("--no-checkov")
        .output()
        .expect("python runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("PASS terraform-validate"), "{name}: {report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_eks_managed_node_group_example() {
    terraform("eks-managed-node-group");
}

#[test]
fn the_rds_complete_postgres_example() {
    let doc = terraform("rds-complete-postgres");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/real/terraform/rds-complete-postgres.json")).expect("facts"),
    )
    .expect("JSON");
    let params = doc["resource"]["aws_db_parameter_group"]["main"]["parameter"]
        .as_array()
        .expect("parameters");
    for (k, v) in expected["parameters"].as_object().expect("parameters") {
        assert!(
            params.iter().any(|p| p["name"] == k.as_str() && &p["value"] == v),
            "{k}: {params:?}"
        );
    }
}

#[test]
fn the_s3_complete_example() {
    terraform("s3-complete");
}
