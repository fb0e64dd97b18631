//! `dvcc fmt`: over every `.dvc` file of the repository, formatting is
//! idempotent, keeps every comment in order, and never changes meaning (the
//! same diagnostics and the same model before and after); over random edits
//! of those files it never panics and keeps the diagnostics; a messy file's
//! before and after are snapshotted; the command's `--check`, `--diff` and
//! `-` forms.

use std::path::Path;

use dvcc::source::FileId;

use crate::support::{Rng, lint_case, rel, repo_dvc_files, root};

fn fmt(text: &str) -> String {
    dvcc::format::format(FileId(0), text)
}

/// The comments of a text, in the order they appear.
fn comments(text: &str) -> Vec<String> {
    let parse = dvcc::syntax::parse_text(FileId(0), text);
    let mut found: Vec<(u32, String)> = Vec::new();
    collect(&parse.ast.items, text, &mut found);
    let all = parse.ast.dangling.iter();
    found.extend(all.map(|c| (c.span.start, text[c.span.range()].trim_end().to_string())));
    found.sort();
    found.into_iter().map(|(_, c)| c).collect()
}

fn collect(items: &[dvcc::syntax::ast::Item], text: &str, out: &mut Vec<(u32, String)>) {
    let one = |c: &dvcc::syntax::ast::Comment| (c.span.start, text[c.span.range()].trim_end().to_string());
    for item in items {
        let c = item.comments();
        out.extend(c.leading.iter().chain(&c.trailing).chain(&c.inner).map(one));
        if let dvcc::syntax::ast::Item::Block(b) = item
            && let Some(body) = &b.body
        {
            collect(&body.items, text, out);
            out.extend(body.dangling.iter().map(one));
        }
    }
}

/// Codes, messages and the model of a case file (positions move).
fn meaning(path: &Path, text: &str) -> (Vec<String>, String) {
    let (loaded, diags) = lint_case(path, text.as_bytes().to_vec());
    let mut found: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}", d.code.as_str(), d.message))
        .collect();
    found.sort();
    let model = if loaded.projects.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&dvcc::analyze(&loaded, 0).model).unwrap_or_default()
    };
    (found, model)
}

#[test]
fn every_file_of_the_repository_keeps_its_meaning_and_comments() {
    let files = repo_dvc_files();
    assert!(files.len() > 100);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = rel(&path);
        let once = fmt(&text);
        assert_eq!(fmt(&once), once, "{name}: a second pass changed the text");
        assert_eq!(comments(&once), comments(&text), "{name}: comments");
        let (before, model_before) = meaning(&path, &text);
        let (after, model_after) = meaning(&path, &once);
        assert_eq!(after, before, "{name}: diagnostics changed");
        assert!(model_after == model_before, "{name}: the model changed");
    }
}

#[test]
fn random_edits_never_panic_and_keep_the_diagnostics() {
    let files: Vec<String> = repo_dvc_files()
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let pieces = ["{", "}", "\"", "\n", "=", ":", "#", "  ", "[", "]", "\"\"\"", "x", "\t"];
    let mut rng = Rng(0xF0_4A_77);
    for run in 0..300 {
        let base = &files[rng.below(files.len())];
        let mut text = base.clone();
        for _ in 0..1 + rng.below(3) {
            let at = text
                .char_indices()
                .map(|(i, _)| i)
                .nth(rng.below(text.chars().count().max(1)))
                .unwrap_or(0);
            text.insert_str(at, pieces[rng.below(pieces.len())]);
        }
        let once = fmt(&text);
        assert_eq!(fmt(&once), once, "run {run}: not idempotent\n{text}");
        let codes = |t: &str| {
            let mut c: Vec<String> = crate::support::syntax_bytes("r.dvc", t.as_bytes().to_vec())
                .1
                .iter()
                .map(|d| d.code.as_str().to_string())
                .collect();
            c.sort();
            c
        };
        assert_eq!(
            codes(&once),
            codes(&text),
            "run {run}: syntax diagnostics changed\n{text}\n---\n{once}"
        );
    }
}

#[test]
fn a_messy_file_formatted() {
    let messy = std::fs::read_to_string(root().join("tests/fixtures/format/messy.dvc")).expect("the fixture");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/format");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("messy", format!("--- before\n{messy}--- after\n{}", fmt(&messy))));
}

#[test]
fn the_command_checks_diffs_and_reads_standard_input() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fmt-command");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
    let messy = "project p {\nrepo=\"a/b\"\n}\n";
    std::fs::write(dir.join("sub/a.dvc"), messy).expect("write");
    std::fs::write(dir.join("b.dvc"), "project q {\n  repo = \"a/c\"\n}\n").expect("write");
    let path = dir.to_str().expect("utf-8");
    let o = crate::build::dvcc(&["fmt", "--check", "--diff", path]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("-repo=\"a/b\"\n+  repo = \"a/b\""), "{out}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not formatted:"),
        "the file is listed"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/a.dvc")).expect("kept"),
        messy,
        "--check writes nothing"
    );
    assert_eq!(crate::build::dvcc(&["fmt", path]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/a.dvc")).expect("written"),
        "project p {\n  repo = \"a/b\"\n}\n"
    );
    assert_eq!(crate::build::dvcc(&["fmt", "--check", path]).status.code(), Some(0));
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("a pipe")
        .write_all(messy.as_bytes())
        .expect("written");
    let o = child.wait_with_output().expect("ends");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "project p {\n  repo = \"a/b\"\n}\n");
}

#[test]
fn the_examples_and_the_stdlib_are_formatted() {
    for dir in ["examples", "stdlib"] {
        let o = crate::build::dvcc(&["fmt", "--check", dir]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{dir}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
