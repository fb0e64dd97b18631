//! The command line as users of cargo, Terraform, actionlint and zizmor
//! expect it: `-v`, standard input, a file checked within its directory's
//! project, `--fix`, the short format, `build --check` in every format and
//! `--stat`, project-relative headers, I/O errors in the diagnostics' style,
//! and `explain` for kinds, field paths and templates.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::build::{copy_example, dvcc};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs dvcc with `input` on standard input.
fn dvcc_stdin(args: &[&str], input: &str, dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dvcc starts");
    child
        .stdin
        .take()
        .expect("a pipe")
        .write_all(input.as_bytes())
        .expect("written");
    child.wait_with_output().expect("dvcc ends")
}

/// A two-file project in a fresh directory: `project.dvc` declares the
/// environment, `services.dvc` uses it.
fn two_files(tag: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("commands-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("project.dvc"),
        "project p {\n  repo = \"a/b\"\n}\n\nenvironment dev {\n  cluster   = \"c\"\n  namespace = \"n\"\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("services.dvc"),
        "service api {\n  image = \"ghcr.io/a/api\"\n  in dev { replicas = 2 }\n}\n",
    )
    .expect("write");
    dir
}

#[test]
fn a_file_is_checked_within_its_directory_project() {
    let dir = two_files("within");
    let file = dir.join("services.dvc");
    let o = dvcc(&["lint", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("no problems in 1 file"), "{}", text(&o.stderr));
    // On its own, `dev` is not declared: what `--standalone` shows.
    let o = dvcc(&["lint", "--standalone", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no environment named `dev`"),
        "{}",
        text(&o.stderr)
    );
    // Only the named file's problems are reported.
    std::fs::write(dir.join("extra.dvc"), "service api {\n  image = \"x\"\n}\n").expect("write");
    let o = dvcc(&["lint", "--format", "short", file.to_str().expect("utf-8")]);
    let out = text(&o.stdout);
    assert!(out.lines().all(|l| l.contains("services.dvc:")), "{out}");
    // The real examples: every file alone lints clean within its project.
    for f in ["examples/shop/services.dvc", "examples/shop/pipelines.dvc"] {
        let o = dvcc(&["lint", f]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", text(&o.stderr));
    }
}

#[test]
fn standard_input_is_checked_as_the_file_it_stands_for() {
    let dir = two_files("stdin");
    // The buffer, not the disk: on disk `services.dvc` is clean.
    let unsaved = "service api {\n  image = \"ghcr.io/a/api\"\n  in dve { replicas = 2 }\n}\n";
    let o = dvcc_stdin(
        &["lint", "-", "--stdin-filename", "services.dvc", "--format", "short"],
        unsaved,
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("services.dvc:3:6: error[DVC0203]: no environment named `dve`"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    // Without a name: a project of its own, shown as `<stdin>`.
    let o = dvcc_stdin(
        &["lint", "-", "--format", "short"],
        "service api {\n  port: 80\n}\n",
        &dir,
    );
    assert!(
        text(&o.stdout).contains("\n<stdin>:2:7: error[DVC0109]"),
        "{}",
        text(&o.stdout)
    );
    // `-` with other paths is a usage error.
    let o = dvcc_stdin(&["lint", "-", "."], "", &dir);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn fix_applies_the_certain_fixes() {
    let dir = two_files("fix");
    let file = dir.join("services.dvc");
    std::fs::write(
        &file,
        "service api {\n  image = \"ghcr.io/a/api\"\n  port: 8080\n  in dev { replicas = 2 }\n}\n",
    )
    .expect("write");
    let o = dvcc(&["lint", "--fix", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("1 fixed"), "{}", text(&o.stderr));
    let fixed = std::fs::read_to_string(&file).expect("read");
    assert!(fixed.contains("  port = 8080\n"), "{fixed}");
    // Standard input: the fixed text on standard output.
    let o = dvcc_stdin(
        &["lint", "-", "--fix", "--stdin-filename", "services.dvc"],
        "service api {\n  image = \"ghcr.io/a/api\"\n  port: 8080\n}\n",
        &dir,
    );
    assert_eq!(
        text(&o.stdout),
        "service api {\n  image = \"ghcr.io/a/api\"\n  port = 8080\n}\n"
    );
}

#[test]
fn verbose_says_what_was_loaded_timed_and_written() {
    let o = dvcc(&["-v", "lint", "examples/shop"]);
    let err = text(&o.stderr);
    assert!(err.contains("loaded examples/shop/services.dvc"), "{err}");
    assert!(err.contains("stage load and parse: "), "{err}");
    assert!(err.contains("stage analysis: "), "{err}");
    let shop = copy_example("shop", "verbose");
    let out = shop.parent().expect("a parent").join("out");
    let o = dvcc(&[
        "-v",
        "build",
        shop.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for needle in ["stage generate: ", "stage write: ", "wrote .github/workflows/ci.yml"] {
        assert!(err.contains(needle), "{needle} missing from:\n{err}");
    }
    // Headers name sources relative to the project, wherever the output goes.
    let workflow = std::fs::read_to_string(out.join(".github/workflows/ci.yml")).expect("written");
    assert!(
        workflow.starts_with("# Generated by dvcc for project shop from pipelines.dvc."),
        "{workflow}"
    );
    assert!(!workflow.contains(env!("CARGO_TARGET_TMPDIR")));
}

#[test]
fn build_check_reports_stale_files_in_every_format() {
    let dir = copy_example("shop", "check-formats");
    let shop = dir.to_str().expect("utf-8");
    assert_eq!(dvcc(&["build", "-q", shop]).status.code(), Some(0));
    let values = dir.join("deploy/helm/api/values.yaml");
    let old = std::fs::read_to_string(&values).expect("generated");
    std::fs::write(&values, old.replacen("replicaCount: 2", "replicaCount: 3", 1)).expect("edit");
    std::fs::remove_file(dir.join(".github/workflows/ci.yml")).expect("remove");

    let o = dvcc(&["build", "--check", shop]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("-replicaCount: 3\n+replicaCount: 2"),
        "{}",
        text(&o.stdout)
    );

    let o = dvcc(&["build", "--check", "--stat", shop]);
    assert_eq!(o.status.code(), Some(1));
    let stat = text(&o.stdout);
    assert!(stat.contains("deploy/helm/api/values.yaml | +1 -1\n"), "{stat}");
    assert!(
        stat.contains(".github/workflows/ci.yml") && stat.contains("(missing)"),
        "{stat}"
    );
    assert!(stat.contains(" 2 files changed, "), "{stat}");

    let o = dvcc(&["build", "--check", "--format", "json", shop]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).expect("JSON");
    let stale = v["stale"].as_array().expect("a list");
    let statuses: Vec<(&str, &str)> = stale
        .iter()
        .map(|f| (f["path"].as_str().unwrap_or(""), f["status"].as_str().unwrap_or("")))
        .collect();
    assert!(
        statuses.contains(&("deploy/helm/api/values.yaml", "stale")),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&(".github/workflows/ci.yml", "missing")),
        "{statuses:?}"
    );

    let o = dvcc(&["build", "--check", "--format", "github", shop]);
    let gh = text(&o.stdout);
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::error file=deploy/helm/api/values.yaml,title=dvcc build --check::")),
        "{gh}"
    );

    let o = dvcc(&["build", "--check", "--format", "sarif", shop]);
    let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).expect("SARIF");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r["ruleId"] == "stale-artifact"));

    // Fresh: every format says so and exits 0.
    assert_eq!(dvcc(&["build", "-q", shop]).status.code(), Some(0));
    let o = dvcc(&["build", "--check", "--format", "json", shop]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).expect("JSON");
    assert_eq!(v["stale"].as_array().map(Vec::len), Some(0));
}

#[test]
fn io_errors_are_diagnostics_with_a_code() {
    let dir = copy_example("shop", "unwritable");
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, "not a directory").expect("write");
    let out = blocker.join("out");
    let o = dvcc(&[
        "build",
        dir.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.starts_with("error[DVC0712]: cannot write to `"), "{err}");
    assert!(err.contains("help: "), "{err}");
    assert!(!err.contains("os error"), "{err}");
    // A file that is not `.dvc`: read, with a warning.
    let yaml = dir.join("pipeline.yaml");
    std::fs::write(&yaml, "project p {\n  repo = \"a/b\"\n}\n").expect("write");
    let o = dvcc(&["lint", "--format", "short", yaml.to_str().expect("utf-8")]);
    assert!(text(&o.stdout).contains("warning[DVC0711]"), "{}", text(&o.stdout));
}

#[test]
fn human_reports_are_headed_like_compilers() {
    let o = dvcc(&["lint", "--standalone", "tests/cases/syntax/yaml_colon.dvc"]);
    let err = text(&o.stderr);
    assert!(err.contains("\nerror[DVC0109]: `port:` is YAML syntax"), "{err}");
    assert!(
        err.contains("see `dvcc explain DVC0109` or https://dvcc.dev/diagnostics/DVC0109"),
        "{err}"
    );
    // Wrapped at the width asked for, not at 100 columns.
    let narrow = Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(["lint", "--standalone", "tests/cases/syntax/yaml_colon.dvc"])
        .current_dir(crate::support::root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "50")
        .output()
        .expect("runs");
    let err = text(&narrow.stderr);
    let help: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("  help") || l.starts_with("        "))
        .collect();
    assert!(help.iter().all(|l| l.chars().count() <= 50), "{err}");
}

#[test]
fn explain_answers_kinds_paths_and_templates() {
    let o = dvcc(&["explain", "service.resources.cpu"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(out.starts_with("`service.resources.cpu`\n"), "{out}");
    assert!(out.contains("- type: CPU quantity"), "{out}");
    let o = dvcc(&["explain", "pipeline.job"]);
    assert!(text(&o.stdout).contains("pipeline › job NAME"), "{}", text(&o.stdout));
    let o = dvcc(&["explain", "checkout"]);
    assert!(
        text(&o.stdout).starts_with("template `checkout`"),
        "{}",
        text(&o.stdout)
    );
    for (typo, near) in [
        ("servce", "service"),
        ("DVC020", "DVC0201"),
        ("service.resources.cpus", "service.resources.cpu"),
    ] {
        let o = dvcc(&["explain", typo]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o.stderr).contains(&format!("did you mean `{near}`?")),
            "{typo}: {}",
            text(&o.stderr)
        );
    }
}

/// `build --manifest`: what a build reads and writes, for build systems;
/// exactly the files a build then writes, nothing written by it.
#[test]
fn build_manifest_lists_exactly_what_a_build_reads_and_writes() {
    let dir = copy_example("platform", "manifest");
    let platform = dir.to_str().expect("utf-8");
    let out_dir = dir.join("out");
    let out = out_dir.to_str().expect("utf-8");
    let o = dvcc(&["build", "--manifest", platform, "--out", out]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!out_dir.exists(), "--manifest writes nothing");
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let strings = |key: &str| -> Vec<String> {
        doc[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key}: {doc}"))
            .iter()
            .map(|v| v.as_str().expect("a path").to_string())
            .collect()
    };
    // Inputs: the project's files and the shared one it imports.
    let inputs = strings("inputs");
    let mut want: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dvc"))
        .map(|p| p.display().to_string())
        .collect();
    want.sort();
    for w in &want {
        assert!(inputs.contains(w), "{w} missing from {inputs:?}");
    }
    assert!(inputs.iter().any(|i| i.contains("/shared/")), "the import: {inputs:?}");
    assert!(inputs.iter().all(|i| std::path::Path::new(i).is_file()), "{inputs:?}");
    // Outputs: exactly what `build` then writes.
    assert_eq!(dvcc(&["build", "-q", platform, "--out", out]).status.code(), Some(0));
    let mut written = Vec::new();
    fn walk(d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).expect("dir").flatten() {
            if e.path().is_dir() {
                walk(&e.path(), out);
            } else {
                out.push(e.path().display().to_string());
            }
        }
    }
    walk(&out_dir, &mut written);
    let mut written: Vec<String> = written
        .iter()
        .map(|p| p.strip_prefix(&format!("{out}/")).expect("under out").to_string())
        .collect();
    written.sort();
    assert_eq!(doc["out"].as_str(), Some(out));
    assert_eq!(strings("outputs"), written, "relative to `out`");
    let owned = strings("owned");
    assert!(owned.contains(&"deploy/charts".to_string()), "{owned:?}");
    assert_eq!(
        doc["targets"].as_array().map(Vec::len),
        Some(5),
        "the platform has a handbook"
    );
    // Only some targets: only their outputs.
    let o = dvcc(&["build", "--manifest", "--target", "helm", platform, "--out", out]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(
        doc["outputs"].as_array().expect("outputs").iter().all(|p| p
            .as_str()
            .is_some_and(|p| p.starts_with("deploy/helm/") || p.starts_with("deploy/charts/"))),
        "{doc}"
    );
    // A project with an error has no manifest: the diagnostics and exit 1.
    std::fs::write(dir.join("broken.dvc"), "service {\n").expect("write");
    let o = dvcc(&["build", "--manifest", platform]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
    // It is a question, not a check.
    assert_eq!(
        dvcc(&["build", "--manifest", "--check", platform]).status.code(),
        Some(2)
    );
}
