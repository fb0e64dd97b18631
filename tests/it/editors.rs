//! The language server in a real editor: Neovim's own client (headless)
//! drives `dvcc lsp` through `tests/editors/nvim_test.lua`, with the
//! configuration users copy (`editors/nvim/dvcc.lua`).
//!
//! CI installs Debian's `neovim` (0.7); elsewhere the test is skipped, with
//! a note, when `nvim` is not installed.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::root;

fn nvim() -> Option<PathBuf> {
    let found = Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(PathBuf::from("nvim"));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have Neovim installed (.ci/run installs it)"
    );
    eprintln!("note: `nvim` is not installed; the Neovim test is skipped");
    None
}

#[test]
fn neovim_shows_diagnostics_hover_completion_and_renames() {
    let Some(nvim) = nvim() else { return };
    let project = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nvim-shop");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&project).expect("scratch directory");
    for entry in std::fs::read_dir(root().join("examples/shop")).expect("the example") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|x| x == "dvc") {
            std::fs::copy(&path, project.join(path.file_name().expect("a name"))).expect("copied");
        }
    }
    let mut child = Command::new(nvim)
        .args(["--headless", "--clean", "-c"])
        .arg(format!(
            "luafile {}",
            root().join("tests/editors/nvim_test.lua").display()
        ))
        .env("DVCC_BIN", env!("CARGO_BIN_EXE_dvcc"))
        .env("DVCC_PROJECT", &project)
        .env("DVCC_PLUGIN", root().join("editors/nvim/dvcc.lua"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.try_wait().expect("nvim can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish in 5 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().expect("nvim's output");
    let out = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    assert!(status.success(), "Neovim's checks failed:\n{out}");
    for check in [
        "ok client attached",
        "ok diagnostic DVC0302 on the unsaved edit",
        "ok diagnostic cleared",
        "ok hover",
        "ok completion",
        "ok rename across files",
        "ok clean after rename",
    ] {
        assert!(out.contains(check), "`{check}` missing from:\n{out}");
    }
}

/// The block kinds the TextMate grammar highlights are exactly the
/// registry's: a kind added to the language is added to the grammar.
#[test]
fn the_grammar_knows_every_block_kind() {
    let text =
        std::fs::read_to_string(root().join("editors/vscode/syntaxes/dvc.tmLanguage.json")).expect("the grammar");
    let grammar: serde_json::Value = serde_json::from_str(&text).expect("the grammar is JSON");
    let pattern = grammar["repository"]["block"]["match"]
        .as_str()
        .expect("the block rule");
    let open = pattern.find("])(").expect("the kinds group") + 3;
    let close = open + pattern[open..].find(')').expect("its end");
    let in_grammar: std::collections::BTreeSet<&str> = pattern[open..close].split('|').collect();
    let in_registry: std::collections::BTreeSet<&str> =
        dvcc::schema::registry().blocks.iter().map(|b| b.kind).collect();
    assert_eq!(
        in_grammar, in_registry,
        "editors/vscode/syntaxes/dvc.tmLanguage.json's block kinds"
    );
    // The extension's manifest names the grammar and the language file.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("editors/vscode/package.json")).expect("package.json"),
    )
    .expect("JSON");
    for file in [
        manifest["contributes"]["grammars"][0]["path"].as_str(),
        manifest["contributes"]["languages"][0]["configuration"].as_str(),
        manifest["main"].as_str(),
    ] {
        let file = file.expect("a path");
        assert!(root().join("editors/vscode").join(file).is_file(), "{file}");
    }
}
