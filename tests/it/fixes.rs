//! `lint --fix` as a property: on the newcomers' corpus, on combinations of
//! its mistakes and on random edits of them, applying the certain fixes
//! never adds an error, never touches a clean file, and is idempotent (a
//! second run changes nothing). A seeded generator keeps runs reproducible
//! (`DVCC_PROPTEST_CASES` runs more).

use dvcc::diag::{Diagnostic, fix};

use crate::support::{Rng, lint_bytes, root};

fn lint(text: &str) -> (dvcc::Loaded, Vec<Diagnostic>) {
    lint_bytes("fix.dvc", text.as_bytes().to_vec())
}

/// One round of the certain fixes.
fn fix_once(text: &str) -> String {
    let (loaded, diags) = lint(text);
    fix::apply(text, loaded.files[0], &diags).text
}

/// `lint --fix`: rounds until nothing changes (at most four).
fn fix_all(text: &str) -> String {
    let mut text = text.to_string();
    for _ in 0..4 {
        let next = fix_once(&text);
        if next == text {
            break;
        }
        text = next;
    }
    text
}

fn errors(text: &str) -> usize {
    lint(text).1.iter().filter(|d| d.is_error()).count()
}

/// The corpus's files, without their header comments.
fn corpus() -> Vec<String> {
    let dir = root().join("tests/newcomers");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the corpus")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|t| t.lines().skip(3).map(|l| format!("{l}\n")).collect())
        .collect()
}

/// Lines that differ between a corpus file and the clean project they all
/// start from: each case's mistake, as (line number, text) pairs.
fn mistakes(files: &[String]) -> (Vec<String>, Vec<Vec<(usize, String)>>) {
    let fixed: Vec<String> = files.iter().map(|f| fix_all(f)).collect();
    // The clean base: the most common fixed text.
    let base = fixed
        .iter()
        .max_by_key(|f| fixed.iter().filter(|g| g == f).count())
        .cloned()
        .unwrap_or_default();
    let base_lines: Vec<String> = base.lines().map(str::to_string).collect();
    let edits = files
        .iter()
        .filter(|f| f.lines().count() == base_lines.len())
        .map(|f| {
            f.lines()
                .enumerate()
                .filter(|(i, l)| base_lines.get(*i).is_some_and(|b| b != l))
                .map(|(i, l)| (i, l.to_string()))
                .collect()
        })
        .filter(|e: &Vec<(usize, String)>| !e.is_empty())
        .collect();
    (base_lines, edits)
}

fn check(text: &str, what: &str) {
    let once = fix_all(text);
    assert_eq!(fix_all(&once), once, "{what}: a second `--fix` changed the text");
    assert!(
        errors(&once) <= errors(text),
        "{what}: `--fix` added errors\n--- before\n{text}\n--- after\n{once}"
    );
    if lint(text).1.is_empty() {
        assert_eq!(once, text, "{what}: `--fix` changed a clean file");
    }
}

#[test]
fn fixes_never_make_things_worse_and_are_idempotent() {
    let files = corpus();
    for (i, f) in files.iter().enumerate() {
        check(f, &format!("corpus file {i}"));
    }
    let (base, edits) = mistakes(&files);
    assert!(edits.len() >= 30, "{} single-line mistakes found", edits.len());
    check(&base.join("\n"), "the clean base");
    let runs = std::env::var("DVCC_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(100, |n| n / 15);
    let mut rng = Rng(0x5eed_f1c5);
    for run in 0..runs {
        // Two to four mistakes at once, on different lines.
        let mut lines = base.clone();
        let mut used = Vec::new();
        for _ in 0..2 + rng.below(3) {
            let e = &edits[rng.below(edits.len())];
            if e.iter().any(|(l, _)| used.contains(l)) {
                continue;
            }
            for (l, text) in e {
                lines[*l] = text.clone();
                used.push(*l);
            }
        }
        // Sometimes a random character dropped or doubled as well.
        let mut text = lines.join("\n");
        if run % 3 == 0 && !text.is_empty() {
            let at = text
                .char_indices()
                .map(|(i, _)| i)
                .nth(rng.below(text.chars().count()))
                .unwrap_or(0);
            let c = text[at..].chars().next().unwrap_or(' ');
            if rng.below(2) == 0 {
                text.remove(at);
            } else {
                text.insert(at, c);
            }
        }
        check(&text, &format!("run {run}"));
    }
}
