//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use dvcc::Loaded;
use dvcc::diag::render::{self, Format, HumanStyle};
use dvcc::diag::{Code, Diagnostic};
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

/// Loads `bytes` as a one-file project named `name` and lints it fully.
pub fn lint_bytes(name: &str, bytes: Vec<u8>) -> (Loaded, Vec<Diagnostic>) {
    let loaded = Loaded::from_bytes(name, bytes);
    let diags = dvcc::lint(&loaded);
    (loaded, diags)
}

/// Loads `bytes` as a file and reports loading and syntax problems only.
pub fn syntax_bytes(name: &str, bytes: Vec<u8>) -> (Loaded, Vec<Diagnostic>) {
    let loaded = Loaded::from_bytes(name, bytes);
    let diags = dvcc::syntax_diagnostics(&loaded);
    (loaded, diags)
}

/// A case file: one file, or several separated by `# file: NAME` lines.
/// Files under `tests/cases/syntax/` are checked by the parser alone.
pub fn lint_case(path: &Path, bytes: Vec<u8>) -> (Loaded, Vec<Diagnostic>) {
    let name = rel(path);
    if name.starts_with("tests/cases/syntax/") {
        return syntax_bytes(&name, bytes);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if !text.contains("\n# file: ") {
        return lint_bytes(&name, bytes);
    }
    let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for piece in text.split("\n# file: ").skip(1) {
        let (file, body) = piece.split_once('\n').unwrap_or((piece, ""));
        files.push((format!("{dir}/{}", file.trim()), body.as_bytes().to_vec()));
    }
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let loaded = Loaded::from_files(&refs);
    let diags = dvcc::lint(&loaded);
    (loaded, diags)
}

pub fn human(db: &SourceDb, diags: &[Diagnostic]) -> String {
    human_at(db, diags, 100)
}

/// The human report wrapped at `width` columns.
pub fn human_at(db: &SourceDb, diags: &[Diagnostic], width: usize) -> String {
    render::render(db, diags, Format::Human, HumanStyle { color: false, width }, usize::MAX)
}

pub fn json_pretty(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let compact = render::render(db, diags, Format::Json, HumanStyle::default(), usize::MAX);
    let value: serde_json::Value = serde_json::from_str(&compact).expect("the JSON renderer writes valid JSON");
    serde_json::to_string_pretty(&value).expect("a JSON value serializes")
}

/// The snapshot body: the source, the human report and the JSON report.
pub fn report(source: &str, db: &SourceDb, diags: &[Diagnostic]) -> String {
    report_at(source, db, diags, 100)
}

/// [`report`] with the human part wrapped at `width` columns: reports
/// naming machine-dependent paths use a width no path reaches, so where a
/// line wraps does not depend on where the tests run.
pub fn report_at(source: &str, db: &SourceDb, diags: &[Diagnostic], width: usize) -> String {
    format!(
        "--- source\n{source}\n--- human\n{}\n--- json\n{}\n",
        human_at(db, diags, width),
        json_pretty(db, diags)
    )
}

/// Every `.dvc` file of the repository: examples, stdlib, test cases and
/// fixtures (the docs' examples are extracted separately).
pub fn repo_dvc_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["examples", "stdlib", "tests/cases", "tests/fixtures", "tests/newcomers"] {
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
        let (_, diags) = lint_case(&path, bytes);
        out.extend(diags.iter().map(|d| d.code));
    }
    out
}

/// Whether promtool (Debian's prometheus package) is installed.
pub fn promtool() -> bool {
    std::process::Command::new("promtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs promtool in `dir`: whether it succeeded, and what it printed.
pub fn promtool_run(dir: &Path, args: &[&str]) -> (bool, String) {
    let o = std::process::Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("promtool runs");
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// A seeded xorshift generator: property tests are reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
