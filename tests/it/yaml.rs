//! YAML read back by a YAML 1.1 reader (PyYAML, as Helm's and Prometheus'
//! Go libraries read YAML 1.1 too): hostile strings survive serialization,
//! and every generated workflow reads back as exactly the data dvcc meant.
//! PyYAML comes from `.ci/install-validators`; required when `CI` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

use indexmap::IndexMap;

use crate::support::root;

/// Strings that YAML 1.1 and 1.2 readers, or Go's libraries, would read
/// as something else if written plain.
const HOSTILE: &[&str] = &[
    "on",
    "off",
    "yes",
    "no",
    "y",
    "n",
    "Y",
    "N",
    "On",
    "OFF",
    "Yes",
    "NO",
    "true",
    "false",
    "True",
    "FALSE",
    "null",
    "Null",
    "NULL",
    "~",
    "",
    " ",
    " leading",
    "trailing ",
    "0755",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "1e3",
    "1E3",
    "-1e-3",
    "1.10",
    ".5",
    "+1",
    "-0",
    "42",
    "3.12",
    ".inf",
    "-.inf",
    ".NaN",
    "12:30",
    "1:20:30",
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "2024-01-01 10:00:00",
    "<<",
    "=",
    "-",
    "- item",
    "*alias",
    "&anchor",
    "!tag",
    "%x",
    "@x",
    "`x",
    "{a}",
    "[a]",
    "a: b",
    "a #b",
    "#comment",
    "---",
    "...",
    "? x",
    "|",
    ">",
    "a\tb",
    "line1\nline2",
    "line\r\nwindows",
    "bell\u{7}",
    "nel\u{85}",
    "ls\u{2028}",
    "\u{feff}bom",
    "5m",
    "*/15 * * * *",
    "${{ github.sha }}",
    "'single'",
    "\"double\"",
    "C:\\path",
    "émoji 🚀",
];

pub fn python() -> Option<PathBuf> {
    let venv = PathBuf::from(std::env::var("DVCC_VALIDATORS").unwrap_or_else(|_| "/opt/dvcc-validators".into()))
        .join("tools/bin/python");
    let ok = |p: &Path| {
        Command::new(p)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ok(&venv) {
        return Some(venv);
    }
    let system = PathBuf::from("python3");
    ok(&system).then_some(system)
}

/// Loads `yaml` with PyYAML and compares with `expected`; the error text.
fn pyyaml_equals(py: &Path, yaml: &Path, expected: &serde_json::Value) -> Result<(), String> {
    let name = yaml.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.expected.json"));
    std::fs::write(&json, serde_json::to_string(expected).expect("JSON")).expect("write");
    let script = "import json,sys,yaml\n\
        got = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n\
        want = json.load(open(sys.argv[2], encoding='utf-8'))\n\
        if got != want:\n\
        \x20   for k in (want if isinstance(want, dict) else {}):\n\
        \x20       if got.get(k) != want[k]: print('differs at', repr(k), repr(got.get(k))[:200], '!=', repr(want[k])[:200])\n\
        \x20   sys.exit(1)\n";
    let out = Command::new(py)
        .args(["-c", script])
        .arg(yaml)
        .arg(&json)
        .output()
        .expect("python runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

pub fn required() -> bool {
    std::env::var_os("CI").is_some()
}

#[test]
fn hostile_strings_read_back_unchanged_in_yaml_1_1() {
    let Some(py) = python() else {
        assert!(!required(), "CI must install PyYAML (.ci/install-validators)");
        eprintln!("skipped: no PyYAML");
        return;
    };
    // Each string as a value, as a key and as a list item.
    let mut doc: IndexMap<String, serde_json::Value> = IndexMap::new();
    for (i, s) in HOSTILE.iter().enumerate() {
        doc.insert(format!("v{i}"), serde_json::json!(s));
        doc.insert(format!("l{i}"), serde_json::json!([s]));
        if !s.is_empty() && !s.contains(['\n', '\r']) {
            doc.insert((*s).to_string(), serde_json::json!(i));
        }
    }
    let yaml = dvcc::backend::yaml::to_string(&doc);
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile.yaml");
    std::fs::write(&file, &yaml).expect("write");
    let expected = serde_json::to_value(&doc).expect("JSON");
    if let Err(e) = pyyaml_equals(&py, &file, &expected) {
        panic!("PyYAML read something else back:\n{e}");
    }
    assert!(HOSTILE.len() >= 76);
}

#[test]
fn generated_files_read_back_as_intended() {
    let Some(py) = python() else {
        assert!(!required(), "CI must install PyYAML (.ci/install-validators)");
        eprintln!("skipped: no PyYAML");
        return;
    };
    for ex in ["examples/shop", "examples/platform"] {
        let loaded = dvcc::load_paths(&[root().join(ex)]);
        let model = dvcc::analyze(&loaded, 0).model;
        let mut intended = dvcc::backend::gha::intended_values(&model);
        intended.push((
            dvcc::target::paths::prometheus_rules(&model.project.name),
            serde_json::to_value(dvcc::backend::prometheus::rule_file(&model)).expect("JSON"),
        ));
        let rules_name = format!("{}.rules.yml", model.project.name);
        if let Some(tests) = dvcc::backend::prometheus::promtool::test_file(&model, &rules_name) {
            intended.push((
                dvcc::target::paths::prometheus_tests(&model.project.name),
                serde_json::to_value(tests).expect("JSON"),
            ));
        }
        if model.services.iter().any(|s| !s.own_chart) {
            intended.push((
                format!(
                    "{}/values.yaml",
                    dvcc::target::paths::shared_chart_dir(&model.project.name)
                ),
                dvcc::backend::helm::chart_values(&model),
            ));
        }
        for svc in &model.services {
            let layered = dvcc::backend::helm::layered(&model, svc);
            intended.push((dvcc::target::paths::values(&svc.name), layered.file));
            for (env, overlay) in layered.envs {
                intended.push((dvcc::target::paths::env_values(&svc.name, &env), overlay));
            }
        }
        for (path, expected) in intended {
            let file = root().join(ex).join(&path);
            if let Err(e) = pyyaml_equals(&py, &file, &expected) {
                panic!("{ex}/{path} does not read back as intended:\n{e}");
            }
        }
    }
}
