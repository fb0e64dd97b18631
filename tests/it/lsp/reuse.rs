//! The language server's analysis after an edit takes back what the last
//! one built where nothing it read changed (`sema::build::reuse`): it must
//! give exactly what an analysis from scratch gives. Checked over series of
//! random edits of the examples, a generated shop and every case file.

use std::path::{Path, PathBuf};

use dvcc::driver::{self, ParseCache};
use dvcc::load::Disk;
use dvcc::model::Model;

#[path = "../../../benches/common/project.rs"]
#[allow(dead_code)]
mod project;

use crate::support::Rng;

/// Everything the model says, but its lookup tables (hash maps).
fn model_text(m: &Model) -> String {
    format!(
        "{:#?}",
        (
            (&m.project, &m.environments, &m.services, &m.pipelines, &m.rollouts),
            (&m.alerts, &m.records, &m.groups, &m.alert_tests, &m.slos),
            (&m.infra, &m.interpolated, &m.service_defaults),
        )
    )
}

fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One edit of `text`, as people make them: a character typed or
/// replaced, text deleted, a line copied, a block added, a name changed.
fn edit(text: &mut String, rng: &mut Rng) {
    let at = boundary(text, rng.below(text.len() + 1));
    match rng.below(8) {
        0 => text.insert(at, ['x', '2', '"', '{', '}', '#', ' ', '\n'][rng.below(8)]),
        1 => {
            // The next digit or letter replaced, as the benchmark does.
            if let Some(i) = text[at..].find(|c: char| c.is_ascii_alphanumeric()) {
                let i = at + i;
                let new = if text.as_bytes()[i].is_ascii_digit() { "x" } else { "7" };
                text.replace_range(i..i + 1, new);
            }
        }
        2 => {
            let end = boundary(text, at + rng.below(40));
            text.replace_range(at..end, "");
        }
        3 => {
            // A line copied below itself.
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
            let line = text[start..end].to_string();
            text.insert_str(end, &line);
        }
        4 => {
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let n = rng.below(1000);
            text.insert_str(
                start,
                &format!("service extra{n} {{\n  image = \"ghcr.io/acme/extra{n}:1.0\"\n  port = 8080\n}}\n"),
            );
        }
        5 => {
            // A service's name changed (what reads it must be built again).
            if let Some(i) = text[at..].find("service ").or_else(|| text.find("service ")) {
                let i = if text[at..].contains("service ") { at + i } else { i };
                let name_at = i + "service ".len();
                text.insert(name_at, 'z');
            }
        }
        6 => {
            // An edit inside an environment's or the project's block.
            // (A comment that moves what follows, or a value changed.)
            if let Some(i) = text.find("environment ").or_else(|| text.find("project ")) {
                let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
                match text[i..].find('"') {
                    Some(q) if rng.below(2) == 0 => text.insert(i + q + 1, 'x'),
                    _ => text.insert_str(end, "\n  # note"),
                }
            }
        }
        _ => {
            let end = boundary(text, at + rng.below(8));
            text.replace_range(at..end, "api");
        }
    }
}

/// Analyses `dir` after each of `steps` edits of its files, with the
/// cache of the analyses before and from scratch, and compares them.
fn edits_analyse_as_from_scratch(dir: &Path, steps: usize, rng: &mut Rng) -> usize {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a project directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dvc"))
        .collect();
    files.sort();
    let mut cache = ParseCache::default();
    let mut compared = 0;
    for step in 0..steps {
        // As the server does once its answer is out; every fourth time
        // the next analysis comes first (and builds every declaration).
        let what = format!("{} after {step} edits", dir.display());
        analyse_as_from_scratch(dir, &mut cache, step % 4 != 3, &what);
        compared += 1;
        // One edit, sometimes two before the next analysis (an analysis
        // the next keystroke made stale).
        for _ in 0..1 + usize::from(rng.below(4) == 0) {
            let file = &files[rng.below(files.len())];
            let mut text = std::fs::read_to_string(file).expect("readable");
            edit(&mut text, rng);
            std::fs::write(file, text).expect("writable");
        }
    }
    compared
}

/// Analyses `dir` with `cache` and from scratch, compares them, and
/// settles the cache as the server does (the analyses' declarations too
/// where `settle`): the diagnostics.
fn analyse_as_from_scratch(
    dir: &Path,
    cache: &mut ParseCache,
    settle: bool,
    what: &str,
) -> Vec<dvcc::diag::Diagnostic> {
    let cached = driver::load_cached(&Disk, &[dir.to_path_buf()], cache);
    let cached_lint = driver::lint_projects_cached(&cached, cache);
    cache.settle();
    if settle {
        cache.settle_analyses(&cached_lint);
    }
    let fresh = driver::load_with(&Disk, &[dir.to_path_buf()]);
    let fresh_lint = driver::lint_projects(&fresh);
    assert_eq!(cached_lint.diagnostics, fresh_lint.diagnostics, "{what}");
    assert_eq!(cached_lint.projects.len(), fresh_lint.projects.len(), "{what}");
    for (c, f) in cached_lint.projects.iter().zip(&fresh_lint.projects) {
        let (c, f) = (model_text(&c.model), model_text(&f.model));
        if c != f {
            let at = c.bytes().zip(f.bytes()).take_while(|(a, b)| a == b).count();
            let from = at.saturating_sub(600);
            panic!(
                "{what}: the models differ\n--- reused\n{}\n--- from scratch\n{}",
                &c[from..(at + 300).min(c.len())],
                &f[from..(at + 300).min(f.len())]
            );
        }
    }
    cached_lint.diagnostics
}

/// A copy of `files` (name, text) in a scratch directory of its own.
fn scratch(name: &str, files: &[(String, String)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reuse").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("writable");
    }
    dir
}

fn dvc_files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("a directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dvc"))
        .map(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn an_analysis_taking_back_the_last_one_equals_one_from_scratch_on_the_examples() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut compared = 0;
    for example in ["shop", "platform"] {
        let dir = scratch(example, &dvc_files(&root.join("examples").join(example)));
        compared += edits_analyse_as_from_scratch(&dir, 40, &mut rng);
    }
    let shop: Vec<(String, String)> = project::project(400, 1)
        .into_iter()
        .map(|(_, text)| ("main.dvc".to_string(), text))
        .collect();
    let dir = scratch("generated", &shop);
    compared += edits_analyse_as_from_scratch(&dir, 60, &mut rng);
    assert!(compared >= 140, "{compared} analyses compared");
}

/// Every case file (each a mistake the checks report) edited a few times.
#[test]
fn an_analysis_taking_back_the_last_one_equals_one_from_scratch_on_the_cases() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut compared = 0;
    for path in crate::support::repo_dvc_files() {
        if !path.components().any(|c| c.as_os_str() == "cases") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.with_extension("").to_string_lossy().replace(['/', '\\'], "_");
        let dir = scratch(&name, &[("main.dvc".to_string(), text)]);
        compared += edits_analyse_as_from_scratch(&dir, 5, &mut rng);
    }
    assert!(compared >= 500, "{compared} analyses compared");
}

/// What a check of one declaration reads besides it is part of what it
/// keeps: an alert whose block the edit left alone is taken back, but
/// whether it gets a generated test depends on the tests that name it.
/// Taking its test away brings the warning back; putting it back takes
/// the warning away.
#[test]
fn an_alert_taken_back_is_checked_again_when_its_tests_change() {
    let alert = r#"project shop {
  repo = "acme/shop"
}

alert TrafficDropped {
  expr = `sum(rate(http_requests_total{job="api"}[5m])) < 0.5 * sum(rate(http_requests_total{job="api"}[5m] offset 1d))`
  for  = 30m
}
"#;
    let test = r#"
alert_test dropped {
  alert = TrafficDropped
  input {
    series = `http_requests_total{job="api"}`
    values = "0+10x100"
  }
  silent { at = 1m }
}
"#;
    let with = format!("{alert}{test}");
    let dir = scratch("tested-alert", &[("main.dvc".to_string(), with.clone())]);
    let mut cache = ParseCache::default();
    for (step, (text, tested)) in [(&with, true), (&alert.to_string(), false), (&with, true), (&with, true)]
        .into_iter()
        .enumerate()
    {
        std::fs::write(dir.join("main.dvc"), text).expect("writable");
        let what = format!("step {step}");
        let diagnostics = analyse_as_from_scratch(&dir, &mut cache, true, &what);
        let warned = diagnostics.iter().any(|d| d.code.as_str() == "DVC0532");
        assert_eq!(warned, !tested, "{what}: {diagnostics:#?}");
    }
}
