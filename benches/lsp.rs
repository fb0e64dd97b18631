//! `cargo bench --bench lsp`: the language server as an editor meets it.
//!
//! Starts `dvcc lsp` (the release binary) on a project whose one file has
//! 5,000 lines (the generated shop of `benches/lint.rs`), opens it, then
//! measures, as medians over many runs (the machine is shared and noisy):
//! - `didChange` → diagnostics: from sending an edit of one character (as
//!   editors send them) to receiving the `publishDiagnostics` of that
//!   version; the edits alternate between a clean value and a type error,
//!   so every other answer carries a diagnostic, and come 50 ms apart (a
//!   fast typist's pace);
//! - `hover` and `completion` round trips on the analysed file.

#[path = "../tests/it/lsp/client.rs"]
#[allow(dead_code)]
mod client;
#[path = "common/project.rs"]
#[allow(dead_code)]
mod project;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("dvcc-bench-lsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let files = project::project(5_000, 1);
    let (_, text) = &files[0];
    let path = dir.join("main.dvc");
    std::fs::write(&path, text).expect("writable");
    let lines = text.lines().count();
    let uri = client::uri(&path);
    let mut c = client::Client::start(&PathBuf::from(env!("CARGO_BIN_EXE_dvcc")), &dir, &[]);
    c.open(&uri, text);
    assert!(c.diagnostics(&uri).is_empty(), "the generated project is clean");

    // The edit: one character at `project::edit_site`, an error and back.
    let replicas = project::edit_site(text);
    let line = text[..replicas].matches('\n').count();
    let col = replicas - text[..replicas].rfind('\n').map_or(0, |i| i + 1);
    let runs = 41;
    let mut times = Vec::new();
    for version in 2..(2 + runs) {
        let new = if version % 2 == 0 { "x" } else { "2" };
        // Keystrokes come tens of milliseconds apart (100 ms at a brisk
        // 10 keys a second): the server frees the last edit's trees between
        // them, as it does while the user types.
        std::thread::sleep(Duration::from_millis(50));
        c.clear();
        let started = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{
                    "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col + 1 } },
                    "text": new,
                }],
            }),
        );
        let diags = c.diagnostics(&uri);
        times.push(started.elapsed());
        assert_eq!(diags.is_empty(), version % 2 == 1, "version {version}: {diags:?}");
    }
    let change = median(times);

    let position = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": col - 6 } });
    let mut hover = Vec::new();
    for _ in 0..201 {
        let started = Instant::now();
        let h = c.request("textDocument/hover", position.clone());
        hover.push(started.elapsed());
        assert!(
            h["contents"]["value"]
                .as_str()
                .is_some_and(|v| v.contains("production"))
        );
    }
    let completion_at = json!({ "textDocument": { "uri": uri }, "position": { "line": line + 1, "character": 2 } });
    let mut completion = Vec::new();
    for _ in 0..201 {
        let started = Instant::now();
        let items = c.request("textDocument/completion", completion_at.clone());
        completion.push(started.elapsed());
        assert!(items.as_array().is_some_and(|a| !a.is_empty()));
    }
    println!("lsp on a {lines}-line file (medians):");
    println!("  didChange -> publishDiagnostics  {:>10}  ({runs} edits)", ms(change));
    println!(
        "  hover                            {:>10}  (201 requests)",
        ms(median(hover))
    );
    println!(
        "  completion                       {:>10}  (201 requests)",
        ms(median(completion))
    );
    drop(c);
    let _ = std::fs::remove_dir_all(&dir);
}
