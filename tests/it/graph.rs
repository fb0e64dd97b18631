//! `dvcc graph`: snapshots in all three formats, determinism, and the real
//! tools: Graphviz must render the DOT and Mermaid's own parser must accept
//! the flowchart (both installed by `.ci/run`; required when `CI` is set).

use std::path::Path;
use std::process::Command;

use dvcc::diagram::ProjectGraph;

use crate::support::root;

fn graph_of(dir: &str) -> (ProjectGraph, String) {
    let loaded = dvcc::load_paths(&[root().join(dir)]);
    assert!(dvcc::lint(&loaded).is_empty(), "{dir} must be clean");
    let model = dvcc::analyze(&loaded, 0).model;
    (ProjectGraph::build(&model), model.project.name)
}

#[test]
fn graph_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/graph");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    for dir in ["examples/shop", "examples/platform"] {
        let (g, name) = graph_of(dir);
        settings.bind(|| {
            insta::assert_snapshot!(format!("{name}.dot"), g.dot(&name));
            insta::assert_snapshot!(format!("{name}.mmd"), g.mermaid());
            insta::assert_snapshot!(format!("{name}.json"), g.json());
        });
    }
}

#[test]
fn graph_is_deterministic() {
    let (a, name) = graph_of("examples/platform");
    let (b, _) = graph_of("examples/platform");
    assert_eq!(a.dot(&name), b.dot(&name));
    assert_eq!(a.mermaid(), b.mermaid());
    assert_eq!(a.json(), b.json());
}

fn have(cmd: &str) -> bool {
    Command::new(cmd).arg("--version").output().is_ok() || Command::new(cmd).arg("-V").output().is_ok()
}

fn required() -> bool {
    std::env::var_os("CI").is_some()
}

#[test]
fn graphviz_renders_the_dot() {
    if !have("dot") {
        assert!(!required(), "CI must install graphviz (.ci/run)");
        eprintln!("skipped: no `dot` on this machine");
        return;
    }
    for dir in ["examples/shop", "examples/platform"] {
        let (g, name) = graph_of(dir);
        let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.dot"));
        std::fs::write(&file, g.dot(&name)).expect("write");
        let out = Command::new("dot").arg("-Tsvg").arg(&file).output().expect("dot runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        assert!(
            out.stderr.is_empty(),
            "dot warned: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn mermaid_parses_the_flowchart() {
    let tools = root().join("tests/tools");
    if !tools.join("node_modules/mermaid").exists() || !have("node") {
        assert!(
            !required(),
            "CI must install the Mermaid checker (.ci/run: npm ci in tests/tools)"
        );
        eprintln!("skipped: Mermaid is not installed in tests/tools");
        return;
    }
    let mut files = Vec::new();
    for dir in ["examples/shop", "examples/platform"] {
        let (g, name) = graph_of(dir);
        let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.mmd"));
        std::fs::write(&file, g.mermaid()).expect("write");
        files.push(file);
    }
    let bad = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken.mmd");
    std::fs::write(&bad, "flowchart LR\n  a[\"x\"] --> b{{\"y\"\n").expect("write");
    let out = Command::new("node")
        .arg(tools.join("mermaid-check.mjs"))
        .args(&files)
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches(" flowchart").count(), 2);
    // The checker does reject broken input.
    let out = Command::new("node")
        .arg(tools.join("mermaid-check.mjs"))
        .arg(&bad)
        .output()
        .expect("node runs");
    assert!(!out.status.success());
}

#[test]
fn graph_command_refuses_a_broken_project() {
    let o = Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(["graph", "tests/cases/graph/extends_cycle.dvc"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no graph printed"));
    let o = Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(["graph", "examples/shop", "--format", "json"])
        .current_dir(root())
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(v["nodes"].as_array().is_some_and(|n| n.len() == 12));
}
