//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use dvcc::diag::render::{self, Format, HumanStyle};
use dvcc::diag::{Code, Diagnostic};
use dvcc::load::{self, Loaded};
use dvcc::source::SourceDb;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `path` relative to the repository root, with forward slashes.
pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The codes of a case file's `# expect:` header (`none` means no codes).
pub fn expected_codes(text: &str) -> Option<Vec<String>> {
    let line = text.lines().find_map(|l| l.trim().strip_prefix("# expect:"))?;
    let mut codes: Vec<String> = line
        .split_whitespace()
        .filter(|c| *c != "none")
        .map(str::to_string)
        .collect();
    codes.sort();
    Some(codes)
}

pub fn codes(diags: &[Diagnostic]) -> Vec<String> {
    let mut out: Vec<String> = diags.iter().map(|d| d.code.as_str().to_string()).collect();
    out.sort();
    out
}

/// Loads `bytes` as a file named `name` and lints it.
pub fn lint_bytes(name: &str, bytes: Vec<u8>) -> (Loaded, Vec<Diagnostic>) {
    let mut loaded = Loaded::default();
    load::add_bytes(&mut loaded, name.to_string(), bytes);
    let diags = dvcc::lint(&loaded);
    (loaded, diags)
}

pub fn human(db: &SourceDb, diags: &[Diagnostic]) -> String {
    render::render(
        db,
        diags,
        Format::Human,
        HumanStyle {
            color: false,
            width: 100,
        },
        usize::MAX,
    )
}

pub fn json_pretty(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let compact = render::render(db, diags, Format::Json, HumanStyle::default(), usize::MAX);
    let value: serde_json::Value = serde_json::from_str(&compact).expect("the JSON renderer writes valid JSON");
    serde_json::to_string_pretty(&value).expect("a JSON value serializes")
}

/// The snapshot body: the source, the human report and the JSON report.
pub fn report(source: &str, db: &SourceDb, diags: &[Diagnostic]) -> String {
    format!(
        "--- source\n{source}\n--- human\n{}\n--- json\n{}\n",
        human(db, diags),
        json_pretty(db, diags)
    )
}

/// Every `.dvc` file of the repository (examples, stdlib, test cases, docs'
/// examples are extracted separately).
pub fn repo_dvc_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["examples", "stdlib", "tests/cases"] {
        walk(&root().join(dir), &mut out);
    }
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "dvc") {
            out.push(p);
        }
    }
}

/// Every code triggered by the case files, for the coverage test.
pub fn codes_in_cases() -> Vec<Code> {
    let mut out = Vec::new();
    for path in repo_dvc_files() {
        let bytes = std::fs::read(&path).expect("case files are readable");
        let (_, diags) = lint_bytes(&rel(&path), bytes);
        out.extend(diags.iter().map(|d| d.code));
    }
    out
}
