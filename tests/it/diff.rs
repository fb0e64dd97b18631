//! `dvcc diff ENV_A ENV_B` on the platform example (four environments) in
//! every format, its exit codes, and `build --check --format markdown`,
//! the pull-request summary.

use crate::build::{copy_example, dvcc, read, s};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn diff_of_the_platform_in_every_format() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/diff");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for format in ["human", "json", "markdown"] {
            let o = dvcc(&["diff", "staging", "production", "examples/platform", "--format", format]);
            assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
            insta::assert_snapshot!(format!("staging-production.{format}"), stdout(&o));
        }
        let o = dvcc(&["diff", "dev", "qa", "examples/platform", "--service", "web"]);
        insta::assert_snapshot!("dev-qa-web.human", stdout(&o));
    });
}

#[test]
fn diff_names_the_line_that_sets_each_side() {
    let o = dvcc(&[
        "diff",
        "staging",
        "production",
        "examples/platform",
        "--service",
        "worker",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(doc["differs"], true);
    let changes = doc["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = &changes[0];
    assert_eq!(c["key"], "replicas");
    assert_eq!(c["left"]["value"], "1");
    assert_eq!(c["right"]["value"], "3");
    // The service's own `replicas = 1`, then `in production { replicas = 3 }`.
    let text = read(&crate::support::root().join("examples/platform/services.dvc"));
    let worker = text
        .lines()
        .position(|l| l.starts_with("service worker"))
        .expect("worker");
    let line_of = |needle: &str| {
        text.lines()
            .skip(worker)
            .position(|l| l.contains(needle))
            .map(|i| format!("examples/platform/services.dvc:{}", worker + i + 1))
    };
    assert_eq!(c["left"]["set_at"].as_str(), line_of("replicas = 1").as_deref());
    assert_eq!(
        c["right"]["set_at"].as_str(),
        line_of("in production { replicas = 3 }").as_deref()
    );
}

#[test]
fn diff_exit_codes() {
    // Nothing differs for `api` between dev and qa: 0 even with --exit-code.
    let o = dvcc(&[
        "diff",
        "dev",
        "qa",
        "examples/platform",
        "--service",
        "api",
        "--exit-code",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "dev and qa resolve to the same values\n");
    let o = dvcc(&["diff", "staging", "production", "examples/platform", "--exit-code"]);
    assert_eq!(o.status.code(), Some(1));
    let o = dvcc(&["diff", "staging", "production", "examples/platform"]);
    assert_eq!(o.status.code(), Some(0));
    let o = dvcc(&["diff", "stagng", "production", "examples/platform"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `staging`?"));
    let o = dvcc(&[
        "diff",
        "staging",
        "production",
        "examples/platform",
        "--service",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_summarises_a_change_for_a_pull_request() {
    let dir = copy_example("platform", "pr-summary");
    let d = s(&dir);
    let root = format!("{}", dir.parent().expect("parent").display());
    let build = dvcc(&["--import-root", &root, "build", d]);
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let clean = dvcc(&["--import-root", &root, "build", "--check", "--format", "markdown", d]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(
        stdout(&clean).starts_with("### dvcc build --check: up to date\n"),
        "{}",
        stdout(&clean)
    );
    let services = dir.join("services.dvc");
    std::fs::write(
        &services,
        read(&services).replace("in production { replicas = 3 }", "in production { replicas = 5 }"),
    )
    .expect("write");
    let o = dvcc(&["--import-root", &root, "build", "--check", "--format", "markdown", d]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.starts_with("### dvcc build --check: 3 generated files to update\n"),
        "{text}"
    );
    assert!(
        text.contains("- Services: `worker`\n- Environments: `production`\n"),
        "{text}"
    );
    assert!(
        text.contains("| `deploy/helm/worker/values-production.yaml` | stale | +1 −1 |"),
        "{text}"
    );
    assert!(text.contains("-replicaCount: 3\n+replicaCount: 5\n"), "{text}");
    assert!(text.trim_end().ends_with("</details>"), "{text}");
}
