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

    let o = dvcc(&[
        "lint",
        "--standalone",
        "tests/cases/syntax/unclosed_block.dvc",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let all = v["diagnostics"].as_array().expect("a list");
    let d = all
        .iter()
        .find(|d| d["code"] == "DVC0102")
        .expect("the unclosed block is reported");
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
            "help",
            "fixes"
        ]
    );
    assert_eq!(d["code"], "DVC0102");
    assert_eq!(d["file"], "tests/cases/syntax/unclosed_block.dvc");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(13)));
    let label = d["labels"][1].as_object().expect("a label");
    let keys: Vec<&str> = label.keys().map(String::as_str).collect();
    assert_eq!(keys, ["message", "file", "line", "column", "end_line", "end_column"]);
    assert_eq!(
        v["errors"].as_u64(),
        Some(all.iter().filter(|d| d["severity"] == "error").count() as u64)
    );
}

#[test]
fn lint_github_format() {
    let o = dvcc(&[
        "lint",
        "--standalone",
        "tests/cases/syntax/yaml_colon.dvc",
        "--format",
        "github",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let first = out.lines().find(|l| l.contains("DVC0109")).expect("a DVC0109 line");
    assert!(
        first.starts_with(
            "::error file=tests/cases/syntax/yaml_colon.dvc,line=3,col=7,endLine=3,endColumn=8,title=DVC0109::`port:` is YAML syntax"
        ),
        "{first}"
    );
    assert!(first.contains("%0Ahelp: "), "{first}");
    assert!(
        out.lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")),
        "{out}"
    );
}

#[test]
fn lint_sarif_format() {
    let file = "tests/cases/syntax/five_independent_errors.dvc";
    let o = dvcc(&["lint", "--standalone", file, "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "dvcc");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), library_count(file));
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("an index") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().expect("a line") >= 1);
    }
}

/// What the library reports for one file, as `dvcc lint FILE` does.
fn library_count(file: &str) -> usize {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("the repository root");
    dvcc::lint(&dvcc::load_paths(&[file.into()])).len()
}

#[test]
fn exit_codes() {
    assert_eq!(
        dvcc(&["lint", "--standalone", "tests/cases/syntax/missing_value.dvc"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(dvcc(&["lint", "no/such/path"]).status.code(), Some(2));
    assert_eq!(dvcc(&["lint", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(dvcc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(dvcc(&["--help"]).status.code(), Some(0));
}

#[test]
fn human_output_caps_the_reports() {
    let file = "tests/cases/syntax/syntax_errors.dvc";
    let total = library_count(file);
    assert!(total > 3);
    let o = dvcc(&["lint", "--standalone", file, "--max-diagnostics", "2"]);
    let err = stderr(&o);
    let shown = err
        .lines()
        .filter(|l| l.starts_with("error[DVC") || l.starts_with("warning[DVC"))
        .count();
    assert_eq!(shown, 2, "{err}");
    assert!(err.contains(&format!("… and {} more not shown", total - 2)), "{err}");
}

#[test]
fn explain_prints_the_page() {
    let o = dvcc(&["explain", "DVC0102"]);
    assert_eq!(o.status.code(), Some(0));
    // Piped: plain text, no Markdown heading marks, no ANSI styles.
    assert!(stdout(&o).starts_with("DVC0102: unclosed-block\n"), "{}", stdout(&o));
    assert!(!stdout(&o).contains('\u{1b}'));
    let o = dvcc(&["explain", "--markdown", "unclosed-block"]);
    assert!(stdout(&o).starts_with("# DVC0102"));
    let o = dvcc(&["--color", "always", "explain", "DVC0102"]);
    assert!(stdout(&o).starts_with("\u{1b}[1;4mDVC0102"), "{}", stdout(&o));
    let o = dvcc(&["explain", "DVC9999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a dvcc diagnostic code"));
    let o = dvcc(&["explain", "--list"]);
    let list = stdout(&o);
    let codes = list.lines().filter(|l| l.starts_with("  DVC")).count();
    assert_eq!(codes, dvcc::diag::Code::ALL.len());
    for kind in ["service.resources", "pipeline.job", "infra.cluster"] {
        assert!(list.contains(&format!("\n  {kind} ")), "{kind} missing from the list");
    }
    assert!(list.contains("\n  checkout "), "templates are listed");
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
