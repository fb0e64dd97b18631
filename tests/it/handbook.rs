//! The delivery handbook (`docs` target): the pages of both examples
//! (snapshots, markdownlint, Mermaid's parser), templates replaced by the
//! project's own and their errors, runbook notes and links, and when the
//! target is built.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dvcc::diag::Code;

use crate::build::{copy_example, read};
use crate::support::root;

fn dvcc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("DVCC_NO_CACHE", "1")
        .output()
        .expect("the dvcc binary runs")
}

/// The handbook pages of an example, as `build` generates them (in
/// memory; the committed ones are checked fresh by `build --check`).
fn pages(example: &str) -> Vec<(String, String)> {
    let dir = root().join("examples").join(example);
    let loaded = dvcc::driver::load_allowing(&dvcc::load::Disk, std::slice::from_ref(&dir), &[]);
    let analysis = dvcc::analyze(&loaded, 0);
    assert!(
        analysis
            .diagnostics
            .iter()
            .all(|d| d.severity != dvcc::diag::Severity::Error),
        "{example} has errors"
    );
    // Sources named as `build` names them: relative to the project.
    let name = |s: &str| dvcc::load::relative(&dvcc::load::Disk, Path::new(s), &dir);
    let ctx = dvcc::backend::Context {
        project: &analysis.model.project.name,
        source_name: &name,
    };
    let (artifacts, owned) = dvcc::driver::generate(&analysis.model, &[dvcc::target::Target::Docs], &ctx);
    assert_eq!(owned, ["docs/delivery"]);
    artifacts.into_iter().map(|a| (a.path, a.contents)).collect()
}

#[test]
fn handbook_snapshots_of_both_examples() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/handbook");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for example in ["shop", "platform"] {
            let pages = pages(example);
            let expected_pages = if example == "shop" { 7 } else { 1 + 5 + 4 + 6 + 2 };
            assert_eq!(
                pages.len(),
                expected_pages,
                "{example}: index, services, environments, alerts, SLOs"
            );
            let all: String = pages
                .iter()
                .map(|(path, text)| format!("==> {path} <==\n{text}\n"))
                .collect();
            insta::assert_snapshot!(example, all);
        }
    });
}

#[test]
fn pages_link_to_pages_that_exist() {
    for example in ["shop", "platform"] {
        let pages = pages(example);
        let paths: Vec<&str> = pages.iter().map(|(p, _)| p.as_str()).collect();
        for (path, text) in &pages {
            let dir = Path::new(path).parent().expect("in the handbook");
            for target in text.split("](").skip(1).filter_map(|t| t.split(')').next()) {
                if target.starts_with("http") {
                    continue;
                }
                let joined = dvcc::load::normalize(&dir.join(target));
                let joined = joined.to_string_lossy().replace('\\', "/");
                assert!(paths.contains(&joined.as_str()), "{example}: {path} links to {target}");
            }
        }
    }
}

fn tools() -> Option<PathBuf> {
    let tools = root().join("tests/tools");
    if tools.join("node_modules/markdownlint-cli").exists() && tools.join("node_modules/mermaid").exists() {
        return Some(tools);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install markdownlint and Mermaid (.ci/run: npm ci in tests/tools)"
    );
    eprintln!("skipped: markdownlint or Mermaid is not installed in tests/tools");
    None
}

/// The pages of both examples written out, each example in its own
/// directory under `base`.
fn write_pages(base: &Path) -> Vec<PathBuf> {
    let _ = std::fs::remove_dir_all(base);
    let mut files = Vec::new();
    for example in ["shop", "platform"] {
        for (path, text) in pages(example) {
            let file = base.join(example).join(path);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(&file, text).expect("write");
            files.push(file);
        }
    }
    files
}

#[test]
fn markdownlint_passes_the_pages() {
    let Some(tools) = tools() else { return };
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("handbook-lint");
    let files = write_pages(&base);
    // Every rule but the line length: tables and expressions cannot wrap.
    markdownlint(&tools, &base, r#"{ "default": true, "MD013": false }"#, &files);
    // What is pasted into pull-request comments: fragments (no title of
    // their own), the diff folded in `<details>`.
    let diff = dvcc_in(
        &root(),
        &[
            "diff",
            "staging",
            "production",
            "examples/platform",
            "--format",
            "markdown",
        ],
    );
    assert!(diff.status.success());
    let dir = copy_example("shop", "handbook-lint-summary");
    let services = dir.join("services.dvc");
    std::fs::write(&services, read(&services).replace("replicas = 5", "replicas = 6")).expect("write");
    let summary = dvcc_in(&dir, &["build", "--check", "--format", "markdown", "."]);
    assert_eq!(summary.status.code(), Some(1));
    let mut comments = Vec::new();
    for (name, out) in [("diff.md", &diff), ("summary.md", &summary)] {
        let file = base.join(name);
        std::fs::write(&file, &out.stdout).expect("write");
        comments.push(file);
    }
    markdownlint(
        &tools,
        &base,
        r#"{ "default": true, "MD013": false, "MD041": false, "MD033": { "allowed_elements": ["details", "summary"] } }"#,
        &comments,
    );
}

fn markdownlint(tools: &Path, base: &Path, config: &str, files: &[PathBuf]) {
    let file = base.join("markdownlint.json");
    std::fs::write(&file, config).expect("config");
    let out = Command::new("node")
        .arg(tools.join("node_modules/markdownlint-cli/markdownlint.js"))
        .arg("--config")
        .arg(&file)
        .args(files)
        .output()
        .expect("markdownlint runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn mermaid_parses_every_diagram_of_the_pages() {
    let Some(tools) = tools() else { return };
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("handbook-mermaid");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("mkdir");
    let mut files = Vec::new();
    for example in ["shop", "platform"] {
        for (path, text) in pages(example) {
            for (i, block) in text.split("```mermaid\n").skip(1).enumerate() {
                let diagram = block.split("```").next().expect("closed");
                let file = base.join(format!("{example}-{}-{i}.mmd", path.replace('/', "-")));
                std::fs::write(&file, diagram).expect("write");
                files.push(file);
            }
        }
    }
    // The index's promotion order and job graphs, each service's place.
    assert!(files.len() >= 2 * 2 + 5, "{} diagrams", files.len());
    let out = Command::new("node")
        .arg(tools.join("mermaid-check.mjs"))
        .args(&files)
        .current_dir(&tools)
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// A copy of the shop example whose project asks for the handbook, with
/// `handbook/` files written as given.
fn shop_with(tag: &str, handbook: &[(&str, &str)]) -> PathBuf {
    let dir = copy_example("shop", tag);
    for (name, text) in handbook {
        let file = dir.join("handbook").join(name);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }
    dir
}

#[test]
fn a_project_template_replaces_the_bundled_one() {
    let dir = shop_with(
        "handbook-override",
        &[(
            "service.md.hbs",
            "# {{name}}, by {{team}}\n\n{{#each values}}\n- {{setting}}\n{{/each}}\n",
        )],
    );
    let out = dvcc_in(&dir, &["build", "."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = read(&dir.join("docs/delivery/services/api.md"));
    assert!(page.contains("# api, by team-checkout\n\n- `image`\n"), "{page}");
    assert!(
        page.lines()
            .next()
            .is_some_and(|l| l.contains("handbook/service.md.hbs")),
        "the header names the template: {page}"
    );
    // The other pages keep the bundled templates.
    assert!(read(&dir.join("docs/delivery/README.md")).contains("# shop: delivery handbook"));
}

#[test]
fn template_errors_name_the_file_and_line_and_nothing_is_written() {
    let dir = shop_with(
        "handbook-errors",
        &[
            ("service.md.hbs", "# {{name}}\n\nOwned by {{owner}}.\n"),
            ("environment.md.hbs", "# x\n{{#each changes}}\n"),
            // A partial could include itself through another: refused,
            // never a stack overflow.
            ("alert.md.hbs", "# {{name}}\n{{> index.md.hbs}}\n"),
            ("index.md.hbs", "{{> alert.md.hbs}}\n"),
            ("servce.md.hbs", "x\n"),
            ("runbooks/HighErorRate.md", "1. look\n"),
        ],
    );
    let out = dvcc_in(&dir, &["build", "."]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[DVC0541]: handbook template `service.md.hbs` fails to render `services/api.md`: the page's data has no field `owner`"),
        "{err}"
    );
    assert!(err.contains("handbook/service.md.hbs:3:10"), "{err}");
    assert!(
        err.contains("error[DVC0541]: handbook template `environment.md.hbs` does not compile"),
        "{err}"
    );
    assert!(
        err.contains("error[DVC0541]: handbook template `alert.md.hbs` does not compile: partials"),
        "{err}"
    );
    assert!(err.contains("handbook/alert.md.hbs:2:1"), "{err}");
    assert!(err.contains("help: rename it `handbook/service.md.hbs`"), "{err}");
    assert!(
        err.contains("help: rename it `handbook/runbooks/HighErrorRate.md`"),
        "{err}"
    );
    assert!(!dir.join("docs").exists(), "nothing written on error");
}

#[test]
fn runbook_notes_are_kept_and_alerts_link_to_their_page() {
    let dir = shop_with(
        "handbook-notes",
        &[("runbooks/HighErrorRate.md", "1. Roll back.\n2. Page the owner.\n")],
    );
    let project = dir.join("project.dvc");
    let text = read(&project).replace(
        "  handbook {}",
        "  handbook {\n    path = \"handbook-out\"\n    url = \"https://example.com/shop/\"\n  }",
    );
    std::fs::write(&project, text).expect("write");
    let observability = dir.join("observability.dvc");
    let text: String = read(&observability)
        .lines()
        .filter(|l| !l.trim_start().starts_with("runbook"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&observability, text).expect("write");
    let out = dvcc_in(&dir, &["build", "."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = read(&dir.join("handbook-out/alerts/HighErrorRate.md"));
    assert!(
        page.contains("## Response\n\n1. Roll back.\n2. Page the owner.\n"),
        "{page}"
    );
    assert!(
        page.lines()
            .next()
            .is_some_and(|l| l.contains("handbook/runbooks/HighErrorRate.md"))
    );
    let rules = read(&dir.join("deploy/prometheus/shop.rules.yml"));
    assert!(
        rules.contains("runbook_url: https://example.com/shop/alerts/HighErrorRate.md"),
        "{rules}"
    );
    // An SLO's burn-rate alerts land on the SLO's page, which says so.
    assert!(
        rules.contains("runbook_url: https://example.com/shop/slos/api_availability.md"),
        "{rules}"
    );
    let slo = read(&dir.join("handbook-out/slos/api_availability.md"));
    assert!(slo.contains("| Page (fast burn) | critical | this page |"), "{slo}");
    // Editing the notes is a change `--check` sees.
    std::fs::write(dir.join("handbook/runbooks/HighErrorRate.md"), "1. Roll forward.\n").expect("write");
    let out = dvcc_in(&dir, &["build", "--check", "--stat", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("handbook-out/alerts/HighErrorRate.md"));
}

#[test]
fn the_docs_target_is_built_by_default_only_with_a_handbook_block() {
    let dir = copy_example("shop", "handbook-default");
    let project = dir.join("project.dvc");
    std::fs::write(
        &project,
        read(&project).replace("  handbook {}  # the delivery handbook, in docs/delivery/\n", ""),
    )
    .expect("write");
    assert!(!read(&project).contains("handbook"));
    let out = dvcc_in(&dir, &["build", "."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.join("docs").exists(), "no handbook block, no handbook");
    let out = dvcc_in(&dir, &["build", "--target", "docs", "."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = crate::build::generated(&dir.join("docs/delivery"));
    assert_eq!(
        written.len(),
        7,
        "{:?}",
        written.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    // Asked for once, the pages are the target's: an alert renamed, its
    // old page goes with the next `--target docs` build.
    for file in ["observability.dvc", "services.dvc"] {
        let path = dir.join(file);
        std::fs::write(&path, read(&path).replace("HighErrorRate", "ErrorRateHigh")).expect("write");
    }
    let out = dvcc_in(&dir, &["build", "--target", "docs", "."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("docs/delivery/alerts/ErrorRateHigh.md").exists());
    assert!(!dir.join("docs/delivery/alerts/HighErrorRate.md").exists());
}

#[test]
fn a_handbook_in_another_targets_directory_is_refused() {
    for bad in ["deploy", "deploy/helm/docs", "../docs", "/tmp/docs", "."] {
        let src = format!("project shop {{\n  repo = \"acme/shop\"\n  handbook {{ path = \"{bad}\" }}\n}}\n");
        let (_, diags) = crate::support::lint_bytes("p.dvc", src.into_bytes());
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::InvalidHandbookPath], "{bad}");
    }
    let src = "project shop {\n  repo = \"acme/shop\"\n  handbook { path = \"site/handbook\" }\n}\n";
    let (_, diags) = crate::support::lint_bytes("p.dvc", src.as_bytes().to_vec());
    assert!(diags.is_empty(), "{diags:?}");
}

/// The codes the handbook's files trigger (templates and notes live
/// beside the `.dvc` files, so no case file can).
pub fn codes_triggered() -> Vec<Code> {
    let dir = shop_with(
        "handbook-codes",
        &[("index.md.hbs", "{{#if}}\n"), ("notes.md.hbs", "x\n")],
    );
    let loaded = dvcc::load_paths(std::slice::from_ref(&dir));
    dvcc::lint(&loaded).into_iter().map(|d| d.code).collect()
}

#[test]
fn the_handbook_codes_are_triggered() {
    let codes = codes_triggered();
    assert!(codes.contains(&Code::HandbookTemplateError), "{codes:?}");
    assert!(codes.contains(&Code::UnusedHandbookFile), "{codes:?}");
}

/// An SLO's page: its budget, its queries, one row per burn-rate alert of
/// its policy (rates, windows, pending time, the budget each lets go), and
/// what links to it.
#[test]
fn slo_pages_show_the_budget_and_every_burn_rate() {
    let pages = pages("platform");
    let page = |path: &str| {
        pages
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("no page {path}"))
    };
    let slo = page("docs/delivery/slos/api_availability.md");
    for row in [
        "| Objective | 99.9% over 30d |",
        "| Error budget | 43.2 min per 30d |",
        "| page | critical | 14.4× | 1h | 5m | 2m | 2% |",
        "| page | critical | 6× | 6h | 30m | 15m | 5% |",
        "| ticket | warning | 3× | 1d | 2h | 1h | 10% |",
        "| ticket | warning | 1× | 3d | 6h | 3h | 10% |",
        "sum(rate(http_requests_total{job=\"api\"}[${window}]))",
    ] {
        assert!(slo.contains(row), "{row} missing:\n{slo}");
    }
    // The index, the service's page and its alerts' pages link to it.
    assert!(page("docs/delivery/README.md").contains("[api\\_availability](slos/api_availability.md)"));
    assert!(page("docs/delivery/services/api.md").contains("(../slos/api_availability.md)"));
    assert!(page("docs/delivery/alerts/ApiErrorRate.md").contains("(../slos/api_availability.md)"));

    // Sloth's policy keeps the budget shares: the rates scale with a 28-day
    // window (0.02 × 28d / 1h = 13.44), and its alerts have no pending time.
    let text = r#"
project p {
  repo = "a/b"
  handbook {}
}
service api {
  image = "ghcr.io/a/api"
  port  = 8080
}
slo api_ok {
  service   = api
  objective = 99%
  window    = 28d
  policy    = sloth
  errors    = `sum(rate(errors_total[${window}]))`
  total     = `sum(rate(requests_total[${window}]))`
}
"#;
    let loaded = dvcc::Loaded::from_files(&[("main.dvc", text.as_bytes().to_vec())]);
    let analysis = dvcc::analyze(&loaded, 0);
    let model = &analysis.model;
    let page = dvcc::target::handbook::pages(model)
        .into_iter()
        .find(|p| p.path == "slos/api_ok.md")
        .expect("the SLO's page");
    let (renderer, problems) = dvcc::target::handbook::Renderer::new(model);
    assert!(problems.is_empty());
    let out = renderer.render(&page).expect("renders");
    assert!(out.contains("| Error budget | 403.2 min per 4w |"), "{out}");
    assert!(
        out.contains("| page | critical | 13.44× | 1h | 5m | 0s | 2% |"),
        "{out}"
    );
    // (The slowest: 0.1 × 28d / 3d, a burn that would not spend the budget.)
    assert!(
        out.contains("| ticket | warning | 0.93× | 3d | 6h | 0s | 10% |"),
        "{out}"
    );
}
