//! The generated workflows, read back as GitHub reads them: what runs for
//! which event.

use serde_json::Value;

/// Every workflow of `example`, as the values its YAML reads back as
/// (`yaml.rs` checks that the committed files read back as exactly these).
fn workflows(example: &str) -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(example);
    let loaded = dvcc::load_paths(&[dir]);
    assert!(dvcc::lint(&loaded).is_empty());
    dvcc::backend::gha::intended_values(&dvcc::analyze(&loaded, 0).model)
}

/// Whether a condition (`if:`) is false for every pull-request event.
fn never_on_pull_requests(condition: &Value) -> bool {
    let c = condition.as_str().unwrap_or("").replace(' ', "");
    c.contains("github.event_name!='pull_request'") && !c.contains("||")
}

#[test]
fn pull_requests_never_deploy_nor_push_in_the_examples() {
    let mut deploys = 0;
    let mut pushes = 0;
    let mut pull_request_workflows = 0;
    for example in ["shop", "platform"] {
        for (name, wf) in workflows(example) {
            if wf["on"].get("pull_request").is_none() {
                continue;
            }
            pull_request_workflows += 1;
            for (job_name, job) in wf["jobs"].as_object().expect("jobs") {
                // A deploy job: it assumes a cloud role (OIDC) and runs in an environment.
                let deploys_here = job["permissions"]["id-token"] == "write" || job.get("environment").is_some();
                if deploys_here {
                    deploys += 1;
                    assert!(
                        never_on_pull_requests(&job["if"]),
                        "{example}/{name}: job {job_name} can run for a pull request: if = {}",
                        job["if"]
                    );
                }
                for step in job["steps"].as_array().into_iter().flatten() {
                    let uses = step["uses"].as_str().unwrap_or("");
                    if uses.starts_with("docker/build-push-action@") {
                        pushes += 1;
                        assert!(
                            never_on_pull_requests(&step["with"]["push"]),
                            "{example}/{name}: job {job_name} pushes on pull requests: push = {}",
                            step["with"]["push"]
                        );
                    }
                    if uses.starts_with("docker/login-action@") {
                        assert!(
                            never_on_pull_requests(&step["if"]),
                            "{example}/{name}: login on pull requests"
                        );
                    }
                }
            }
        }
    }
    // The examples do have such workflows, deploys and pushes.
    assert!(pull_request_workflows >= 2);
    assert!(deploys >= 2, "{deploys}");
    assert!(pushes >= 1, "{pushes}");
}

#[test]
fn deploys_on_pull_requests_only_when_asked() {
    let src = r#"project p { repo = "a/b" }
environment preview { cluster = "c"  namespace = "n"  region = "us-east-1" }
environment prod { cluster = "c"  namespace = "n"  region = "us-east-1" }
service web { image = "ghcr.io/a/web" }
pipeline ci {
  on push { branches = ["main"] }
  on pull_request { }
  deploy preview { services = [web]  pull_requests = true }
  deploy prod { services = [web]  if = "${{ github.ref == 'refs/heads/main' }}" }
}
"#;
    let loaded = dvcc::Loaded::from_bytes("p.dvc", src.as_bytes().to_vec());
    assert!(dvcc::lint(&loaded).is_empty(), "{:#?}", dvcc::lint(&loaded));
    let model = dvcc::analyze(&loaded, 0).model;
    let v = &dvcc::backend::gha::intended_values(&model)[0].1;
    assert!(v["jobs"]["preview"].get("if").is_none(), "{v}");
    assert_eq!(
        v["jobs"]["prod"]["if"],
        "(github.ref == 'refs/heads/main') && github.event_name != 'pull_request'"
    );
}

// ---- real workflows re-expressed in .dvc --------------------------------

/// A condition as GitHub evaluates it: without `${{ }}`, white space
/// collapsed.
fn condition(v: &Value) -> String {
    let c = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
    let c = c.trim();
    let c = c.strip_prefix("${{").and_then(|c| c.strip_suffix("}}")).unwrap_or(c);
    c.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `owner/repo` of an action reference, or `run`.
fn step_kind(step: &Value) -> String {
    let mut s = match step["uses"].as_str() {
        Some(u) => u.split('@').next().unwrap_or(u).to_ascii_lowercase(),
        None => "run".to_string(),
    };
    if let Some(id) = step["id"].as_str() {
        s.push_str(&format!(" #{id}"));
    }
    if !step["if"].is_null() {
        s.push_str(&format!(" ?{}", condition(&step["if"])));
    }
    s
}

/// The behaviour-relevant parts of a workflow, as path → value: triggers
/// and their filters, permissions, concurrency, and per job its needs,
/// condition, environment, permissions, outputs, matrix, container,
/// services, called workflow, runner and the sequence of its steps (the
/// action each runs, or `run`, with ids and conditions).
pub fn summary(wf: &Value) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    // Maps compared whatever order they were written in.
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(o) => {
                let mut keys: Vec<&String> = o.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&o[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let mut put = |k: String, v: &Value| {
        if !v.is_null() {
            out.insert(k, sorted(v).to_string());
        }
    };
    // `on: push` and `on: [push, pull_request]` are events without filters.
    let on = match &wf["on"] {
        Value::String(e) => serde_json::json!({ e.as_str(): {} }),
        Value::Array(es) => Value::Object(
            es.iter()
                .filter_map(|e| Some((e.as_str()?.to_string(), serde_json::json!({}))))
                .collect(),
        ),
        other => other.clone(),
    };
    if let Some(on) = on.as_object() {
        for (event, filters) in on {
            let mut f = if filters.is_null() {
                serde_json::json!({})
            } else {
                filters.clone()
            };
            // Inputs by name and type: descriptions are not behaviour.
            if let Some(inputs) = f.get_mut("inputs").and_then(Value::as_object_mut) {
                for v in inputs.values_mut() {
                    *v = serde_json::json!({"type": v["type"], "required": v["required"]});
                }
            }
            put(format!("on.{event}"), &f);
        }
    }
    put("permissions".into(), &wf["permissions"]);
    put("concurrency".into(), &wf["concurrency"]);
    let Some(jobs) = wf["jobs"].as_object() else { return out };
    put("jobs".into(), &Value::from(jobs.keys().cloned().collect::<Vec<_>>()));
    for (id, j) in jobs {
        let mut needs: Vec<String> = match &j["needs"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        };
        needs.sort();
        if !needs.is_empty() {
            put(format!("jobs.{id}.needs"), &Value::from(needs));
        }
        if !j["if"].is_null() {
            put(format!("jobs.{id}.if"), &Value::from(condition(&j["if"])));
        }
        let env = match &j["environment"] {
            Value::Object(o) => o.get("name").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        put(format!("jobs.{id}.environment"), &env);
        put(format!("jobs.{id}.permissions"), &j["permissions"]);
        if let Some(o) = j["outputs"].as_object() {
            put(
                format!("jobs.{id}.outputs"),
                &Value::from(o.keys().cloned().collect::<Vec<_>>()),
            );
        }
        put(format!("jobs.{id}.strategy"), &j["strategy"]);
        let container = match &j["container"] {
            Value::Object(o) => o.get("image").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        put(format!("jobs.{id}.container"), &container);
        if let Some(s) = j["services"].as_object() {
            put(
                format!("jobs.{id}.services"),
                &Value::from(s.keys().cloned().collect::<Vec<_>>()),
            );
        }
        put(format!("jobs.{id}.uses"), &j["uses"]);
        put(format!("jobs.{id}.runs-on"), &j["runs-on"]);
        if let Some(steps) = j["steps"].as_array() {
            let kinds: Vec<String> = steps.iter().map(step_kind).collect();
            put(format!("jobs.{id}.steps"), &Value::from(kinds.join(" | ")));
        }
    }
    out
}

/// The cases under `tests/workflows/`: each a real workflow re-expressed
/// in `.dvc` (`*.dvc`), the summary of the original (`original.json`,
/// made with `summarize_original` from the file named in `source`), and
/// the deliberate differences (`differences.json`: path → why).
#[test]
fn real_workflows_keep_their_behaviour() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/workflows");
    let mut cases: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .expect("tests/workflows")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let read = |f: &str| std::fs::read_to_string(case.join(f)).unwrap_or_else(|e| panic!("{name}/{f}: {e}"));
        assert!(
            read("source").contains("https://github.com/"),
            "{name}: source names the original"
        );
        let original: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&read("original.json")).expect("original.json");
        let differences: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&read("differences.json")).expect("differences.json");
        let loaded = dvcc::load_paths(std::slice::from_ref(&case));
        let diags = dvcc::lint(&loaded);
        assert!(
            diags.iter().all(|d| d.severity != dvcc::diag::Severity::Error),
            "{name}: {diags:#?}"
        );
        let model = dvcc::analyze(&loaded, 0).model;
        let workflows = dvcc::backend::gha::intended_values(&model);
        assert_eq!(workflows.len(), 1, "{name}: one pipeline per case");
        let ours = summary(&workflows[0].1);
        let keys: std::collections::BTreeSet<&String> = original.keys().chain(ours.keys()).collect();
        let differ: Vec<&String> = keys.into_iter().filter(|k| original.get(*k) != ours.get(*k)).collect();
        for k in &differ {
            assert!(
                differences.contains_key(*k),
                "{name}: `{k}` differs and is not a listed difference:\n  original: {:?}\n  dvcc:     {:?}",
                original.get(*k),
                ours.get(*k)
            );
        }
        for (k, why) in &differences {
            assert!(
                differ.contains(&k),
                "{name}: `{k}` is listed as a difference but is the same"
            );
            assert!(why.len() > 10, "{name}: `{k}` needs a reason");
        }
    }
}

/// Authoring aid, not a check: prints the summary of a workflow given as
/// JSON (`DVCC_SUMMARIZE=file.json cargo test --test it summarize_original
/// -- --ignored --nocapture`); convert the original YAML to JSON first.
#[test]
#[ignore]
fn summarize_original() {
    let Ok(path) = std::env::var("DVCC_SUMMARIZE") else {
        return;
    };
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    println!("{}", serde_json::to_string_pretty(&summary(&v)).expect("JSON"));
}

/// And the summary of the case's own workflow, to write `differences.json`.
#[test]
#[ignore]
fn summarize_case() {
    let Ok(path) = std::env::var("DVCC_SUMMARIZE") else {
        return;
    };
    let loaded = dvcc::load_paths(&[std::path::PathBuf::from(path)]);
    let model = dvcc::analyze(&loaded, 0).model;
    for (_, v) in dvcc::backend::gha::intended_values(&model) {
        println!("{}", serde_json::to_string_pretty(&summary(&v)).expect("JSON"));
    }
}
