//! `dvcc build`: deterministic output, `--check` (fresh, hand-edited,
//! source changed, extra files), ownership by header, nothing written on
//! error, and snapshots of every generated file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dvcc::diag::Code;

use crate::support::root;

pub fn dvcc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the dvcc binary runs")
}

/// A fresh copy of an example's `.dvc` files (and the shared ones it
/// imports) in a temporary directory.
pub fn copy_example(name: &str, tag: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("build-{tag}"));
    let _ = std::fs::remove_dir_all(&base);
    for dir in [name, "shared"] {
        let from = root().join("examples").join(dir);
        let to = base.join(dir);
        std::fs::create_dir_all(&to).expect("mkdir");
        for e in std::fs::read_dir(&from).expect("example dir").flatten() {
            if e.path().extension().is_some_and(|x| x == "dvc") {
                std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
            }
        }
    }
    base.join(name)
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("readable")
}

#[test]
fn committed_example_artifacts_are_up_to_date() {
    for ex in ["examples/shop", "examples/platform"] {
        let o = dvcc(&["build", "--check", ex]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{ex}:\n{}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

#[test]
fn building_twice_gives_identical_bytes_and_check_passes() {
    let dir = copy_example("platform", "twice");
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    let first = generated(&dir);
    assert!(first.len() > 60, "workflows, charts, values and rules: {}", first.len());
    let o = dvcc(&["build", s(&dir)]);
    assert_eq!(o.status.code(), Some(0));
    let unchanged = format!("0 written, 0 removed, {} unchanged", first.len());
    assert!(String::from_utf8_lossy(&o.stderr).contains(&unchanged));
    assert_eq!(generated(&dir), first, "the second build changed a file");
    assert_eq!(dvcc(&["build", "--check", s(&dir)]).status.code(), Some(0));
}

/// Every generated file under `dir` (everything but the `.dvc` sources),
/// with its text, in path order.
pub fn generated(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(d).expect("readable dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                // (The handbook's sources are inputs, not outputs.)
                if p.file_name().is_none_or(|n| n != dvcc::load::HANDBOOK_SOURCES) {
                    walk(root, &p, out);
                }
            } else if p.extension().is_none_or(|x| x != "dvc") {
                let rel = p
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, read(&p)));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn check_reports_hand_edits_source_changes_and_extra_files() {
    let dir = copy_example("shop", "check");
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    let ci = dir.join(".github/workflows/ci.yml");
    let fresh = read(&ci);

    // A hand edit of a generated file.
    std::fs::write(&ci, fresh.replace("timeout-minutes: 30", "timeout-minutes: 5")).expect("edit");
    let o = dvcc(&["build", "--check", s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&o.stdout);
    assert!(diff.contains("# stale: .github/workflows/ci.yml"), "{diff}");
    assert!(diff.contains("--- a/.github/workflows/ci.yml") && diff.contains("+++ b/.github/workflows/ci.yml"));
    assert!(
        diff.contains("-    timeout-minutes: 5") && diff.contains("+    timeout-minutes: 30"),
        "{diff}"
    );
    assert!(read(&ci).contains("timeout-minutes: 5"), "--check writes nothing");
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    assert_eq!(read(&ci), fresh);

    // A change to a .dvc file.
    let src = dir.join("pipelines.dvc");
    std::fs::write(&src, read(&src).replace("job test {", "job test {\n    timeout = 10m")).expect("edit");
    let o = dvcc(&["build", "--check", s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("+    timeout-minutes: 10"));

    // A missing file, and an extra one that dvcc generated before.
    std::fs::remove_file(&ci).expect("rm");
    let old = dir.join(".github/workflows/old.yml");
    std::fs::write(&old, "# Generated by dvcc from old.dvc.\nname: old\n").expect("write");
    let o = dvcc(&["build", "--check", s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("# missing: .github/workflows/ci.yml") && out.contains("--- /dev/null"),
        "{out}"
    );
    assert!(
        out.contains("# extra (no longer generated): .github/workflows/old.yml"),
        "{out}"
    );
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    assert!(
        ci.exists() && !old.exists(),
        "build writes the missing file and removes the extra one"
    );
}

#[test]
fn a_file_without_the_header_is_never_overwritten() {
    let dir = copy_example("shop", "unowned");
    let wf = dir.join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    let mine = "name: CI\non: push\njobs: {}\n";
    std::fs::write(wf.join("ci.yml"), mine).expect("write");
    let other = "name: hand-written\n";
    std::fs::write(wf.join("lint.yml"), other).expect("write");
    let o = dvcc(&["build", s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("DVC0706") && err.contains("refusing to overwrite"),
        "{err}"
    );
    assert!(err.contains("nothing written"), "{err}");
    assert_eq!(read(&wf.join("ci.yml")), mine);
    assert_eq!(
        read(&wf.join("lint.yml")),
        other,
        "files without the header are not removed either"
    );
}

/// A build stopped between creating a new file and writing it leaves an
/// empty file: the next build writes over it (an empty file holds nothing
/// to keep); an empty file where nothing is generated stays.
#[test]
fn an_empty_file_at_a_generated_path_is_written_over() {
    let dir = copy_example("shop", "empty");
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    let wf = dir.join(".github/workflows");
    let ci = read(&wf.join("ci.yml"));
    std::fs::write(wf.join("ci.yml"), "").expect("truncate");
    std::fs::write(wf.join("extra.yml"), "").expect("write");
    let o = dvcc(&["build", "--check", s(&dir)]);
    assert_eq!(o.status.code(), Some(1), "an empty generated file is stale");
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    assert_eq!(read(&wf.join("ci.yml")), ci);
    assert_eq!(read(&wf.join("extra.yml")), "", "only generated paths are written");
    assert_eq!(dvcc(&["build", "--check", s(&dir)]).status.code(), Some(0));
}

#[test]
fn nothing_is_written_when_the_project_has_an_error() {
    let dir = copy_example("shop", "broken");
    let src = dir.join("services.dvc");
    std::fs::write(&src, read(&src).replace("port     = 8080", "port     = \"eighty\"")).expect("edit");
    let o = dvcc(&["build", s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.join(".github").exists());
}

#[test]
fn target_filter_and_out_dir() {
    let dir = copy_example("shop", "out");
    let out = dir.join("generated");
    let o = dvcc(&["build", "--target", "gha", "--out", s(&out), s(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = read(&out.join(".github/workflows/ci.yml"));
    assert!(
        text.starts_with("# Generated by dvcc for project shop from pipelines.dvc.\n"),
        "{}",
        &text[..80]
    );
    assert!(!out.join("deploy").exists(), "--target gha writes workflows only");
    let o = dvcc(&[
        "build",
        "--target",
        "helm",
        "--target",
        "terraform",
        "--out",
        s(&out),
        s(&dir),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("deploy/helm/api/values-production.yaml").exists());
    assert!(out.join("deploy/terraform/production/main.tf.json").exists());
    assert!(!out.join("deploy/prometheus").exists());
    assert!(
        out.join(".github/workflows/ci.yml").exists(),
        "other targets' files are kept"
    );
    assert_eq!(
        dvcc(&["build", "--target", "kubernetes", s(&dir)]).status.code(),
        Some(2),
        "unknown targets are usage errors"
    );
}

/// Snapshots of every generated file of the examples. The chart templates
/// and the values schema are the same for every service: one snapshot each,
/// and a check that every chart carries exactly those bytes.
#[test]
fn artifact_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/targets");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut shared: BTreeMap<String, String> = BTreeMap::new();
    for ex in ["shop", "platform"] {
        let files = generated(&root().join("examples").join(ex));
        assert!(files.len() >= 2);
        for (path, text) in files {
            if path.starts_with("docs/delivery/") {
                continue; // snapshotted whole by `handbook.rs`
            }
            let chart_file = path
                .strip_prefix("deploy/helm/")
                .map(|rest| ("helm", rest))
                .or_else(|| path.strip_prefix("deploy/charts/").map(|rest| ("charts", rest)));
            if let Some((kind, rest)) = chart_file {
                let (_, within) = rest.split_once('/').expect("deploy/<helm|charts>/<name>/<file>");
                if within.starts_with("templates/") || within == "values.schema.json" {
                    // The same in every chart, but for the project its
                    // header names (the first example's is snapshotted).
                    let as_shop = text.replace(&format!("for project {ex}"), "for project shop");
                    match shared.get(within) {
                        Some(first) => assert_eq!(first, &as_shop, "{ex}/{path} differs from the other charts"),
                        None => {
                            let name = format!("chart@{}", within.replace('/', "__"));
                            settings.bind(|| insta::assert_snapshot!(name, &text));
                            shared.insert(within.to_string(), text);
                        }
                    }
                    continue;
                }
                let name = format!("{ex}@{kind}__{}", rest.replace('/', "__"));
                settings.bind(|| insta::assert_snapshot!(name, &text));
                continue;
            }
            let name = match path.strip_prefix("deploy/terraform/") {
                Some(rest) => format!("{ex}@terraform__{}", rest.replace('/', "__")),
                None => format!("{ex}@{}", path.rsplit('/').next().unwrap_or(&path)),
            };
            settings.bind(|| insta::assert_snapshot!(name, &text));
        }
    }
    assert_eq!(shared.len(), 16, "15 templates and the schema: {:?}", shared.keys());
}

/// The build codes that these tests trigger (for the coverage test).
pub fn codes_triggered() -> Vec<Code> {
    let dir = copy_example("shop", "coverage");
    let wf = dir.join(".github/workflows");
    let _ = std::fs::create_dir_all(&wf);
    let _ = std::fs::write(wf.join("ci.yml"), "name: mine\n");
    // Another project's workflow, and a link where a chart directory goes.
    let _ = std::fs::write(
        wf.join("release.yml"),
        "# Generated by dvcc for project billing from b.dvc.\n",
    );
    let _ = std::fs::create_dir_all(dir.join("deploy/helm"));
    #[cfg(unix)]
    let _ = std::os::unix::fs::symlink("/tmp", dir.join("deploy/helm/api"));
    let mut loaded = dvcc::load_paths(std::slice::from_ref(&dir));
    let model = dvcc::analyze(&loaded, 0).model;
    let ctx = dvcc::backend::Context::default();
    let mut artifacts = dvcc::backend::gha::GithubActions.generate(&model, &ctx);
    artifacts.extend(dvcc::backend::helm::Helm.generate(&model, &ctx));
    for path in [".github/workflows/release.yml", "../outside.yml"] {
        artifacts.push(dvcc::backend::Artifact {
            path: path.to_string(),
            contents: String::new(),
        });
    }
    let plan = dvcc::emit::plan(
        &dir,
        "shop",
        artifacts,
        &[".github/workflows".to_string()],
        &mut loaded.db,
    );
    plan.diagnostics.iter().map(|d| d.code).collect()
}

use dvcc::backend::Backend as _;

#[test]
fn secrets_in_env_become_workflow_secret_expressions() {
    let src = "project p { repo = \"a/b\" }\npipeline ci {\n  on push { branches = [\"main\"] }\n  job t {\n    env { TOKEN = secret(\"npm-token\") }\n    run \"npm publish\" { env { X = secret(\"x.y\") } }\n  }\n}\n";
    let loaded = dvcc::Loaded::from_bytes("p.dvc", src.as_bytes().to_vec());
    assert!(dvcc::lint(&loaded).is_empty());
    let model = dvcc::analyze(&loaded, 0).model;
    let ctx = dvcc::backend::Context::default();
    let wf = &dvcc::backend::gha::GithubActions.generate(&model, &ctx)[0].contents;
    assert!(wf.contains("TOKEN: ${{ secrets.NPM_TOKEN }}"), "{wf}");
    assert!(wf.contains("X: ${{ secrets.X_Y }}"), "{wf}");
}

/// The role each generated deploy job assumes is the role the generated
/// Terraform of its environment creates, and that role trusts exactly the
/// repository's deploys to that environment.
#[test]
fn deploy_jobs_assume_the_role_terraform_creates() {
    let mut checked = 0;
    for ex in ["shop", "platform"] {
        let dir = root().join("examples").join(ex);
        let loaded = dvcc::load_paths(std::slice::from_ref(&dir));
        let model = dvcc::analyze(&loaded, 0).model;
        for (path, workflow) in dvcc::backend::gha::intended_values(&model) {
            let jobs = workflow["jobs"].as_object().expect("jobs");
            for (name, job) in jobs {
                let Some(env) = job["environment"]["name"].as_str() else {
                    continue;
                };
                let steps = job["steps"].as_array().expect("steps");
                let arn = steps
                    .iter()
                    .find_map(|s| s["with"]["role-to-assume"].as_str())
                    .unwrap_or_else(|| panic!("{path}: deploy job {name} assumes no role"));
                let role = arn.rsplit_once(":role/").expect("a role ARN").1;
                let tf_path = dir.join(dvcc::target::paths::terraform(env));
                if model.infra(env).is_none() {
                    assert!(!tf_path.exists());
                    continue;
                }
                let tf: serde_json::Value = serde_json::from_str(&read(&tf_path)).expect("JSON");
                let created = &tf["resource"]["aws_iam_role"]["deploy"];
                assert_eq!(created["name"], role, "{ex}: {path} job {name}");
                let trust: serde_json::Value =
                    serde_json::from_str(created["assume_role_policy"].as_str().expect("policy")).expect("JSON");
                // The deploy jobs' subject: alone, or first of those the
                // infra's `deploy_role { }` adds.
                let cond = &trust["Statement"][0]["Condition"];
                let subject = format!("repo:{}:environment:{env}", model.project.repo);
                let key = "token.actions.githubusercontent.com:sub";
                match cond["StringLike"][key].as_array() {
                    Some(subjects) => assert_eq!(subjects[0], subject.as_str()),
                    None => assert_eq!(cond["StringEquals"][key], subject.as_str()),
                }
                assert_eq!(
                    cond["StringEquals"]["token.actions.githubusercontent.com:aud"],
                    "sts.amazonaws.com"
                );
                // The cluster the job connects to is the one Terraform creates.
                let cluster = steps
                    .iter()
                    .find_map(|s| s["env"]["CLUSTER"].as_str())
                    .expect("a cluster step");
                let modules = tf["module"].as_object().expect("modules");
                assert!(
                    modules.values().any(|m| m["cluster_name"] == cluster),
                    "{ex}: {name} connects to {cluster}, which {env}'s Terraform does not create"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 3, "deploy jobs to environments with infra: {checked}");
}

/// A chart file dvcc no longer generates (an environment was removed) is
/// removed by `build` and reported by `--check`; a values file without the
/// header is the user's and stays.
#[test]
fn stale_chart_files_are_removed_and_hand_written_ones_kept() {
    let dir = copy_example("shop", "stale-chart");
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    let chart = dir.join("deploy/helm/api");
    let stale = chart.join("values-qa.yaml");
    let header = read(&chart.join("values-dev.yaml"));
    std::fs::write(&stale, &header).expect("write");
    let mine = chart.join("values-local.yaml");
    std::fs::write(&mine, "replicaCount: 1\n").expect("write");
    let o = dvcc(&["build", "--check", s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("1 extra"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    assert!(!stale.exists());
    assert!(mine.exists());
    // A chart dvcc no longer generates goes with its directory.
    let old_chart = dir.join("deploy/helm/gone/templates");
    std::fs::create_dir_all(&old_chart).expect("mkdir");
    std::fs::write(old_chart.join("hpa.yaml"), &header).expect("write");
    assert_eq!(dvcc(&["build", "-q", s(&dir)]).status.code(), Some(0));
    assert!(!dir.join("deploy/helm/gone").exists());
    assert!(dir.join("deploy/helm").exists());
}

/// `dvcc build` analyses the project once: checks and backends share one
/// analysis (they used to run it twice).
#[test]
fn build_analyses_the_project_once() {
    let dir = copy_example("shop", "analysed-once");
    let mut loaded = dvcc::load_paths(std::slice::from_ref(&dir));
    let options = dvcc::driver::BuildOptions {
        root: dir.clone(),
        out: dir.clone(),
        targets: Vec::new(),
        deny_warnings: false,
    };
    let built = dvcc::driver::build(&mut loaded, &options);
    let dvcc::driver::Built::Planned { plan, diagnostics, .. } = built else {
        panic!("the example builds")
    };
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(
        plan.writes.len(),
        33,
        "workflows, the chart, values, Terraform, rules and the handbook"
    );
    assert_eq!(loaded.analysis_runs(), 1);
    dvcc::emit::apply(&dir, &plan).expect("writable");

    // Only some targets: the same single analysis, fewer artifacts.
    let mut loaded = dvcc::load_paths(std::slice::from_ref(&dir));
    let options = dvcc::driver::BuildOptions {
        targets: vec![dvcc::target::Target::Prometheus],
        ..options
    };
    let dvcc::driver::Built::Planned { plan, .. } = dvcc::driver::build(&mut loaded, &options) else {
        panic!("the example builds")
    };
    assert_eq!(plan.unchanged, 2, "the rules and their tests");
    assert_eq!(loaded.analysis_runs(), 1);
}

/// Meaning alone (what an editor runs per keystroke) gives the model and
/// meaning's diagnostics, without the target checks.
#[test]
fn meaning_runs_without_the_target_checks() {
    // A cron typo is a target check (DVC0501); an unknown environment is
    // meaning (DVC0203).
    let src = "project p { repo = \"a/b\" }\nenvironment dev { cluster = \"c\" region = \"r\" }\n\
               pipeline ci {\n  on schedule { cron = \"61 * * * *\" }\n  deploy stagng { services = [] }\n}\n";
    let loaded = dvcc::Loaded::from_bytes("p.dvc", src.as_bytes().to_vec());
    let meaning = dvcc::meaning(&loaded, 0);
    let codes: Vec<&str> = meaning.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["DVC0203"], "{:#?}", meaning.diagnostics);
    assert_eq!(meaning.model.pipelines.len(), 1);
    let full = dvcc::analyze(&loaded, 0);
    let codes: Vec<&str> = full.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["DVC0501", "DVC0203"], "{:#?}", full.diagnostics);
    assert_eq!(loaded.analysis_runs(), 2);
}

/// A pinned action's version is a comment written by the YAML serializer
/// on its `uses:` line only: never on a script line that looks like one,
/// and a version that would add lines is refused (DVC0306, see
/// `tests/cases/hostile/text_after_serialization.dvc`).
#[test]
fn version_comments_stay_on_their_uses_line() {
    let src = r#"project p { repo = "a/b" }
pipeline ci {
  on manual
  job t {
    uses "actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444" { version = "v5.0.0 # and more" }
    run """
      echo '- uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8'
      echo 'uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444'
    """
  }
}
"#;
    let loaded = dvcc::Loaded::from_bytes("p.dvc", src.as_bytes().to_vec());
    assert!(dvcc::lint(&loaded).is_empty(), "{:#?}", dvcc::lint(&loaded));
    let model = dvcc::analyze(&loaded, 0).model;
    let wf = &dvcc::backend::gha::GithubActions.generate(&model, &dvcc::backend::Context::default())[0].contents;
    let commented: Vec<&str> = wf.lines().filter(|l| l.contains(" # ")).collect();
    assert_eq!(
        commented,
        ["      - uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444 # v5.0.0 # and more"],
        "{wf}"
    );
    assert!(
        wf.contains("echo '- uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8'\n"),
        "{wf}"
    );
}
