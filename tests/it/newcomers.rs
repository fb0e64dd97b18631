//! The newcomers' corpus (`tests/newcomers/`): one mistake newcomers
//! typically make per file (YAML, HCL, Helm and GitHub Actions habits,
//! missing or wrong units, quotes, typos in names and kinds, PromQL and
//! cron slips). Each file's header says the one diagnostic expected (code
//! and position) and whether a certain fix exists:
//!
//! ```text
//! # A newcomer's mistake: <what it is>.
//! # expect: DVC0303 at 30:36
//! # fix: yes
//! ```
//!
//! Every case gives exactly that one diagnostic (no cascade); a case with
//! `fix: yes` lints clean once `lint --fix` has applied the certain fixes.
//! Each case's human report (and the fix applied) is snapshotted under
//! `snapshots/newcomers/`. The grade of each report follows the README's
//! rubric; the README states the corpus's average.

use std::path::{Path, PathBuf};

use dvcc::diag::{Applicability, Diagnostic, fix};

use crate::support::{human, lint_bytes, rel, root};

/// What a case's header expects.
struct Case {
    path: PathBuf,
    text: String,
    code: String,
    line: usize,
    column: usize,
    fixable: bool,
}

fn cases() -> Vec<Case> {
    let dir = root().join("tests/newcomers");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dvc"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            let header = |key: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(key))
                    .unwrap_or_else(|| panic!("{}: no `{key}` line", rel(&path)))
                    .trim()
                    .to_string()
            };
            let expect = header("# expect:");
            let (code, at) = expect.split_once(" at ").expect("`CODE at LINE:COLUMN`");
            let (line, column) = at.split_once(':').expect("LINE:COLUMN");
            let fixable = match header("# fix:").as_str() {
                "yes" => true,
                "none" => false,
                other => panic!("{}: `# fix: {other}` is neither yes nor none", rel(&path)),
            };
            Case {
                code: code.to_string(),
                line: line.parse().expect("a line"),
                column: column.parse().expect("a column"),
                fixable,
                path,
                text,
            }
        })
        .collect()
}

fn lint(name: &str, text: &str) -> (dvcc::Loaded, Vec<Diagnostic>) {
    lint_bytes(name, text.as_bytes().to_vec())
}

/// Applies the certain fixes until none is left (as `lint --fix` does).
fn fixed(name: &str, text: &str) -> String {
    let mut text = text.to_string();
    for _ in 0..4 {
        let (loaded, diags) = lint(name, &text);
        let file = loaded.files[0];
        let applied = fix::apply(&text, file, &diags);
        if applied.fixes == 0 {
            break;
        }
        text = applied.text;
    }
    text
}

/// The rubric's grade of one report: 3 when it carries the exact fix, 2
/// when it is precise (one diagnostic, on the mistake) with a help line, 1
/// when it says what but not how, 0 when wrong or missing.
fn grade(case: &Case, diags: &[Diagnostic], db: &dvcc::source::SourceDb) -> u32 {
    let [d] = diags else {
        return if diags.is_empty() { 0 } else { 1 };
    };
    let at = dvcc::diag::render::Location::of(db, d.primary.span);
    if d.code.as_str() != case.code || (at.line, at.column) != (case.line, case.column) {
        return 0;
    }
    match (&d.help, d.fixes.is_empty()) {
        (_, false) => 3,
        (Some(_), true) => 2,
        (None, true) => 1,
    }
}

#[test]
fn every_mistake_gets_one_precise_diagnostic() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/newcomers");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    for case in &cases {
        let name = rel(&case.path);
        let (loaded, diags) = lint(&name, &case.text);
        let all: Vec<String> = diags.iter().map(|d| d.code.as_str().to_string()).collect();
        assert_eq!(diags.len(), 1, "{name}: one mistake, one report; got {all:?}");
        let d = &diags[0];
        assert_eq!(d.code.as_str(), case.code, "{name}");
        let at = dvcc::diag::render::Location::of(&loaded.db, d.primary.span);
        assert_eq!(
            (at.line, at.column),
            (case.line, case.column),
            "{name}: the span is on the mistake"
        );
        assert!(d.help.is_some(), "{name}: a help line");
        let certain = d
            .fixes
            .iter()
            .any(|f| f.applicability == Applicability::MachineApplicable);
        assert_eq!(
            certain, case.fixable,
            "{name}: `# fix:` says whether a certain fix exists"
        );
        let mut body = human(&loaded.db, &diags);
        if case.fixable {
            let after = fixed(&name, &case.text);
            let (_, left) = lint(&name, &after);
            let codes: Vec<&str> = left.iter().map(|d| d.code.as_str()).collect();
            assert!(left.is_empty(), "{name}: after `lint --fix`: {codes:?}");
            body.push_str("--- after lint --fix\n");
            body.push_str(&diff(&case.text, &after));
        }
        let snapshot = Path::new(&name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("case")
            .to_string();
        settings.bind(|| insta::assert_snapshot!(snapshot, body));
    }
}

/// The lines `lint --fix` changed.
fn diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(0)
        .to_string()
}

#[test]
fn the_readme_states_the_corpus_grade() {
    let cases = cases();
    let total: u32 = cases
        .iter()
        .map(|c| {
            let (loaded, diags) = lint(&rel(&c.path), &c.text);
            grade(c, &diags, &loaded.db)
        })
        .sum();
    let average = f64::from(total) / cases.len() as f64;
    let readme = std::fs::read_to_string(root().join("README.md")).expect("the README");
    let stated = format!("average grade is **{average:.2}** over {} cases", cases.len());
    assert!(readme.contains(&stated), "the README should say: {stated}");
}
