//! `dvcc init`: the starter project lints clean and builds (CI runs the
//! validators on what it generates: `.ci/run`), refuses to write into a
//! directory holding a project, and names the project after its
//! directory. The README's tour uses only forms that lint clean.

use std::path::Path;

use crate::build::dvcc;
use crate::support::{lint_bytes, root};

fn fresh(tag: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("init-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_starter_project_lints_clean_and_builds() {
    let dir = fresh("Starter Project");
    let path = dir.to_str().expect("utf-8");
    let o = dvcc(&["init", path]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let project = std::fs::read_to_string(dir.join("project.dvc")).expect("written");
    assert!(project.contains("project init-starter-project {"), "{project}");
    let o = dvcc(&["lint", "--deny-warnings", path]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let o = dvcc(&["build", path]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    for artifact in [
        ".github/workflows/ci.yml",
        "deploy/helm/api/values-production.yaml",
        "deploy/terraform/production/main.tf.json",
        "deploy/prometheus/init-starter-project.rules.yml",
    ] {
        assert!(dir.join(artifact).is_file(), "{artifact} not generated");
    }
    // What the starter holds: every part of a delivery cycle.
    let all: String = dvcc::stdlib::starter("x").into_iter().map(|(_, t)| t).collect();
    for needle in [
        "environment dev",
        "environment staging",
        "environment production",
        "service ",
        "pipeline ",
        "run \"make test\"",
        "docker_build",
        "deploy production",
        "canary",
        "alert ",
        "slo ",
        "infra production",
    ] {
        assert!(all.contains(needle), "the starter lacks `{needle}`");
    }
}

#[test]
fn init_never_writes_over_a_project() {
    let dir = fresh("refuse");
    let path = dir.to_str().expect("utf-8");
    assert_eq!(dvcc(&["init", path, "--name", "first"]).status.code(), Some(0));
    let before = std::fs::read_to_string(dir.join("project.dvc")).expect("written");
    let o = dvcc(&["init", path, "--name", "second"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds one already"));
    assert_eq!(std::fs::read_to_string(dir.join("project.dvc")).expect("kept"), before);
    // Another project's `.dvc` file counts too.
    let other = fresh("other");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::fs::write(other.join("mine.dvc"), "project mine { repo = \"a/b\" }\n").expect("write");
    let o = dvcc(&["init", other.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!other.join("project.dvc").exists());
}

#[test]
fn the_readme_tour_lints_clean() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("the README");
    let blocks: Vec<&str> = readme
        .split("```dvc\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or(""))
        .collect();
    assert!(!blocks.is_empty(), "the README has a tour");
    for (i, block) in blocks.iter().enumerate() {
        let (_, diags) = lint_bytes("README.dvc", block.as_bytes().to_vec());
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        assert!(diags.is_empty(), "README block {i}: {codes:?}");
    }
}

#[test]
fn the_readme_shows_the_integrations_as_they_are() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("the README");
    for file in [
        "docs/integrations/github-workflow.yml",
        "docs/integrations/pre-commit-config.yaml",
    ] {
        let text = std::fs::read_to_string(root().join(file)).expect("the example");
        assert!(readme.contains(&text), "the README should show {file} as it is");
    }
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("the hooks");
    for id in ["dvcc-lint", "dvcc-fmt", "dvcc-build-check"] {
        assert!(hooks.contains(&format!("- id: {id}\n")), "{id}");
    }
}
