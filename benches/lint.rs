//! `cargo bench --bench lint`: front-end speed on generated projects.
//!
//! Prints medians over several runs (the machine is shared and noisy, so a
//! median is the figure to compare), and throughput. Scenarios:
//! - a 100,000-line project spread over 20 files (what `dvcc lint` reads),
//! - one 5,000-line file (what the language server re-checks per keystroke),
//!   and the same file through the front end alone (`parse-5k`), and parsed
//!   again after a one-character edit reusing its unchanged chunks, as the
//!   language server does (`reparse-5k`),
//! - one 10 MB file (a single huge file, parsed on all cores),
//! - `build-*`: the same 100,000-line project checked and generated for
//!   every target (workflows, charts and values, rules), as `dvcc build`
//!   does before writing.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dvcc::Loaded;

#[path = "../src/allocator.rs"]
mod allocator;

#[global_allocator]
static GLOBAL: allocator::Mimalloc = allocator::Mimalloc;

#[path = "common/project.rs"]
mod project;

use project::project;

/// The generated files, loaded as `dvcc` loads a project.
fn load(files: &[(String, String)]) -> Loaded {
    let refs: Vec<(&str, Vec<u8>)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.clone().into_bytes()))
        .collect();
    Loaded::from_files(&refs)
}

fn lint(files: &[(String, String)]) -> usize {
    let loaded = load(files);
    dvcc::lint(&loaded).len()
}

/// Checks the project and generates every target's artifacts; their count.
fn build(files: &[(String, String)]) -> usize {
    let loaded = load(files);
    let analysis = dvcc::analyze(&loaded, 0);
    assert!(analysis.diagnostics.is_empty(), "the generated project must be clean");
    let ctx = dvcc::backend::Context::default();
    dvcc::backend::ALL
        .iter()
        .map(|b| b.generate(&analysis.model, &ctx).len())
        .sum()
}

/// Where `build` spends its time: analysis, then each target (one run).
fn build_breakdown(files: &[(String, String)]) {
    let start = Instant::now();
    let loaded = load(files);
    let analysis = dvcc::analyze(&loaded, 0);
    let mut parts = vec![format!("load+check {:.0} ms", start.elapsed().as_secs_f64() * 1e3)];
    let ctx = dvcc::backend::Context::default();
    for b in dvcc::backend::ALL {
        let start = Instant::now();
        let n = black_box(b.generate(&analysis.model, &ctx)).len();
        parts.push(format!(
            "{} {:.0} ms ({n} files)",
            b.target().name(),
            start.elapsed().as_secs_f64() * 1e3
        ));
    }
    println!("{:<32} {}", "  one run:", parts.join(", "));
}

/// The front end alone (scan, parse, lower): the files' item count.
fn parse(files: &[(String, String)]) -> usize {
    files
        .iter()
        .map(|(_, t)| dvcc::syntax::parse_text(dvcc::source::FileId(0), t).ast.items.len())
        .sum()
}

/// What the language server does to an edited file on a keystroke: parse
/// it again reusing its unchanged chunks and lowered parts (at
/// `project::edit_site`); copying the parts for the next edit is done once
/// the answer is out, so it is not timed.
fn reparse(text: &str, runs: usize) {
    let at = project::edit_site(text);
    let mut cache = dvcc::syntax::ChunkCache::default();
    let mut text = text.to_string();
    let first = dvcc::syntax::parse_text_with(dvcc::source::FileId(0), &text, &mut cache);
    cache.settle(&first.ast);
    let times: Vec<Duration> = (0..runs)
        .map(|i| {
            text.replace_range(at..at + 1, if i % 2 == 0 { "x" } else { "2" });
            let start = Instant::now();
            let parse = black_box(dvcc::syntax::parse_text_with(
                dvcc::source::FileId(0),
                &text,
                &mut cache,
            ));
            let took = start.elapsed();
            cache.settle(&parse.ast);
            took
        })
        .collect();
    println!(
        "{:<32} {:>8} lines          median {:>9.2} ms",
        "reparse-5k (one edit, cached)",
        text.lines().count(),
        median(times).as_secs_f64() * 1e3
    );
}

/// `dvcc fmt` of every file: the formatted bytes.
fn format(files: &[(String, String)]) -> usize {
    files
        .iter()
        .map(|(_, t)| dvcc::format::format(dvcc::source::FileId(0), t).len())
        .sum()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn measure(name: &str, files: &[(String, String)], runs: usize) {
    measure_with(name, files, runs, lint);
}

fn measure_with(name: &str, files: &[(String, String)], runs: usize, work: fn(&[(String, String)]) -> usize) {
    let lines: usize = files.iter().map(|(_, t)| t.lines().count()).sum();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    assert_eq!(lint(files), 0, "the generated project must be clean");
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(work(black_box(files)));
            start.elapsed()
        })
        .collect();
    let m = median(times);
    let secs = m.as_secs_f64();
    println!(
        "{name:<32} {lines:>8} lines {:>7.2} MB  median {:>9.2} ms  {:>6.2} M lines/s  {:>6.1} MB/s",
        bytes as f64 / 1e6,
        secs * 1e3,
        lines as f64 / secs / 1e6,
        bytes as f64 / secs / 1e6
    );
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters scenarios.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if want("project-100k") {
        measure("project-100k (20 files)", &project(100_000, 20), 9);
    }
    if want("build-100k") {
        let files = project(100_000, 20);
        measure_with("build-100k (all targets)", &files, 5, build);
        build_breakdown(&files);
    }
    if want("fmt-100k") {
        measure_with("fmt-100k (20 files)", &project(100_000, 20), 9, format);
    }
    if want("file-5k") {
        measure("file-5k (language server)", &project(5_000, 1), 31);
    }
    if want("parse-5k") {
        measure_with("parse-5k (front end only)", &project(5_000, 1), 31, parse);
    }
    if want("reparse-5k") {
        reparse(&project(5_000, 1)[0].1, 41);
    }
    if want("file-10mb") {
        let one = project(10 * 1024 * 1024 / 22, 1);
        measure("file-10mb (one file)", &one, 5);
    }
}
