//! `cargo bench --bench scaling`: the cost of inputs that grow one way, at
//! 1,000, 10,000 and 100,000, to show it is linear (each tenfold step
//! should cost about ten times more: the `x10` column). Medians over
//! several runs; the machine is shared and noisy.
//!
//! - `extends`: a chain of environments, each extending the previous one;
//! - `needs`: a chain of jobs in one pipeline, each needing the previous one;
//! - `templates`: a chain of templates, each using the previous one, used
//!   by a job (expansion stops at the depth limit with one DVC0407);
//! - `fan-out`: templates using the one below four times, so expansion
//!   would be exponential; the budget stops it (one DVC0407 per job);
//! - `syntax-errors`: lines that are not dvcc syntax, one error each (past
//!   10,000 they are counted, not kept);
//! - `unclosed-interp`: one string of n unclosed `${` (one error each, all
//!   on one line: column lookups stay local);
//! - `unknown-names`: environments extending undeclared ones, one DVC0203
//!   each, with a did-you-mean search over every environment name.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dvcc::Loaded;

const HEADER: &str = "project p {\n  repo = \"acme/p\"\n}\n";

fn extends(n: usize) -> String {
    let mut s = format!("{HEADER}environment e0 {{\n  cluster = \"c\"\n}}\n");
    for i in 1..n {
        s.push_str(&format!("environment e{i} {{ extends = e{} }}\n", i - 1));
    }
    s
}

fn needs(n: usize) -> String {
    let mut s = format!("{HEADER}pipeline ci {{\n  job j0 {{ run \"make\" }}\n");
    for i in 1..n {
        s.push_str(&format!(
            "  job j{i} {{\n    needs = [j{}]\n    run \"make\"\n  }}\n",
            i - 1
        ));
    }
    s.push_str("}\n");
    s
}

fn templates(n: usize) -> String {
    let mut s = format!("{HEADER}template t0 {{ run \"make\" }}\n");
    for i in 1..n {
        s.push_str(&format!("template t{i} {{ uses t{} }}\n", i - 1));
    }
    s.push_str(&format!("pipeline ci {{\n  job j {{ uses t{} }}\n}}\n", n - 1));
    s
}

fn fan_out(n: usize) -> String {
    // Fifteen levels of four `uses` each (4^15 steps unbounded), used by
    // n / 100 jobs.
    let mut s = format!("{HEADER}template t0 {{ run \"make\" }}\n");
    for i in 1..16 {
        s.push_str(&format!(
            "template t{i} {{\n{}}}\n",
            format!("  uses t{}\n", i - 1).repeat(4)
        ));
    }
    s.push_str("pipeline ci {\n");
    for j in 0..(n / 100).max(1) {
        s.push_str(&format!("  job j{j} {{ uses t15 }}\n"));
    }
    s.push_str("}\n");
    s
}

fn syntax_errors(n: usize) -> String {
    format!("{HEADER}{}", "@ oops\n".repeat(n))
}

fn unclosed_interpolations(n: usize) -> String {
    // One string holding n unclosed `${` (each one error, on one line).
    format!("{HEADER}x = \"{}\"\n", "${".repeat(n))
}

fn unknown_names(n: usize) -> String {
    let mut s = HEADER.to_string();
    for i in 0..n {
        s.push_str(&format!("environment env{i} {{ extends = enx{i} }}\n"));
    }
    s
}

/// Makes a project of `n` items.
type Generator = fn(usize) -> String;

/// Lints `text` as a one-file project; the errors found (kept or counted).
fn run(text: &str) -> usize {
    let loaded = Loaded::from_bytes("bench.dvc", text.as_bytes().to_vec());
    dvcc::driver::lint_projects(&loaded).counts().errors
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let scenarios: [(&str, Generator); 7] = [
        ("extends", extends),
        ("needs", needs),
        ("templates", templates),
        ("fan-out", fan_out),
        ("syntax-errors", syntax_errors),
        ("unclosed-interp", unclosed_interpolations),
        ("unknown-names", unknown_names),
    ];
    println!(
        "{:<15} {:>8} {:>9} {:>12} {:>10} {:>6}",
        "scenario", "n", "errors", "median ms", "us / item", "x10"
    );
    for (name, make) in scenarios {
        if !want(name) {
            continue;
        }
        let mut previous: Option<f64> = None;
        for n in [1_000, 10_000, 100_000] {
            let text = make(n);
            let errors = run(&text);
            let runs = if n >= 100_000 { 3 } else { 7 };
            let times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    black_box(run(black_box(&text)));
                    start.elapsed()
                })
                .collect();
            let ms = median(times).as_secs_f64() * 1e3;
            let ratio = previous.map_or(String::from("-"), |p| format!("{:.1}", ms / p));
            println!(
                "{name:<15} {n:>8} {errors:>9} {ms:>12.1} {:>10.2} {ratio:>6}",
                ms * 1e3 / n as f64
            );
            previous = Some(ms);
        }
    }
}
