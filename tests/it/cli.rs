//! The binary: exit codes, output formats, explain, completions.

use std::process::{Command, Output};

fn dvcc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the dvcc binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn lint_example_is_clean() {
    let o = dvcc(&["lint", "examples/shop"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("no problems in 5 files"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let o = dvcc(&["lint", "-q", "examples/shop"]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn lint_json_is_the_documented_object() {
    let o = dvcc(&["lint", "examples/shop", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "{\"version\":1,\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n"
    );

    let o = dvcc(&["lint", "tests/cases/syntax/unclosed_block.dvc", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let d = &v["diagnostics"][0];
    let keys: Vec<&str> = d.as_object().expect("an object").keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "code",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "labels",
            "help"
        ]
    );
    assert_eq!(d["code"], "DVC0102");
    assert_eq!(d["file"], "tests/cases/syntax/unclosed_block.dvc");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(13)));
    let label = d["labels"][1].as_object().expect("a label");
    let keys: Vec<&str> = label.keys().map(String::as_str).collect();
    assert_eq!(keys, ["message", "file", "line", "column", "end_line", "end_column"]);
    assert_eq!(v["errors"], 1);
}

#[test]
fn lint_github_format() {
    let o = dvcc(&["lint", "tests/cases/syntax/yaml_colon.dvc", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let first = out.lines().next().expect("a line");
    assert!(
        first.starts_with(
            "::error file=tests/cases/syntax/yaml_colon.dvc,line=3,col=7,endLine=3,endColumn=8,title=DVC0109::`port:` is YAML syntax"
        ),
        "{first}"
    );
    assert!(first.contains("%0Ahelp: "), "{first}");
    assert_eq!(out.lines().count(), 2);
}

#[test]
fn lint_sarif_format() {
    let o = dvcc(&[
        "lint",
        "tests/cases/syntax/five_independent_errors.dvc",
        "--format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "dvcc");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 5);
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("an index") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().expect("a line") >= 1);
    }
}

#[test]
fn exit_codes() {
    assert_eq!(
        dvcc(&["lint", "tests/cases/syntax/missing_value.dvc"]).status.code(),
        Some(1)
    );
    assert_eq!(dvcc(&["lint", "no/such/path"]).status.code(), Some(2));
    assert_eq!(dvcc(&["lint", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(dvcc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(dvcc(&["--help"]).status.code(), Some(0));
}

#[test]
fn human_output_caps_the_reports() {
    let o = dvcc(&["lint", "tests/cases/syntax/syntax_errors.dvc", "--max-diagnostics", "2"]);
    let err = stderr(&o);
    assert_eq!(err.lines().filter(|l| l.trim() == "DVC0101").count(), 2, "{err}");
    assert!(err.contains("… and 4 more not shown (4 errors, 0 warnings)"), "{err}");
    assert!(err.contains("6 errors, 0 warnings in 1 file"), "{err}");
}

#[test]
fn explain_prints_the_page() {
    let o = dvcc(&["explain", "DVC0102"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# DVC0102: unclosed-block"));
    let o = dvcc(&["explain", "unclosed-block"]);
    assert!(stdout(&o).starts_with("# DVC0102"));
    let o = dvcc(&["explain", "DVC9999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a dvcc diagnostic code"));
    let o = dvcc(&["explain", "--list"]);
    assert_eq!(stdout(&o).lines().count(), dvcc::diag::Code::ALL.len());
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = dvcc(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(stdout(&o).contains("lint"), "{shell}");
    }
}

#[test]
fn help_reads_well() {
    let o = dvcc(&["lint", "--help"]);
    let out = stdout(&o);
    for needle in ["--format", "--deny-warnings", "human", "json", "github", "sarif"] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
}
