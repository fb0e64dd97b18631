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
