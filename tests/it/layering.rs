//! The stages call only downward: every `crate::X` (and `super::` path that
//! climbs to the crate root) in `src/` names a module of an earlier stage
//! than the file's own, or its own. A new top-level module must be given
//! its place here.

use std::path::{Path, PathBuf};

use crate::support::root;

/// Top-level modules by stage, earliest first. A module may use modules of
/// earlier rows only (and itself).
const STAGES: &[&[&str]] = &[
    &["source", "par", "memo", "hash", "stdlib", "testing"],
    &["diag"],
    &["load"],
    &["syntax"],
    &["schema", "format"],
    &["model"],
    &["diagram"],
    &["target"],
    &["sema"],
    &["check"],
    &["backend"],
    &["emit", "stamp"],
    &["driver"],
    &["lsp"],
    &["cli"],
];

fn stage(module: &str) -> Option<usize> {
    STAGES.iter().position(|row| row.contains(&module))
}

/// The module path of a source file: `src/backend/gha/mod.rs` is
/// `[backend, gha]`, `src/check/cron.rs` is `[check, cron]`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root().join("src")).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a line: without its `//` comment (strings holding `//` are
/// rare in `use` lines and paths; a comment never names a dependency).
fn code(line: &str) -> &str {
    line.split("//").next().unwrap_or("")
}

/// The top-level modules a line refers to.
fn references(line: &str, here: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let word_start = |i: usize| i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        if rest.starts_with("crate::") && word_start(i) {
            let after = &rest["crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                // `crate::{a, b::c}`: the first segment of each item.
                let inner = group.split('}').next().unwrap_or("");
                out.extend(inner.split(',').map(|s| ident(s.trim())).filter(|s| !s.is_empty()));
            } else {
                out.push(ident(after));
            }
            i += "crate::".len();
        } else if rest.starts_with("super::") && word_start(i) {
            let mut ups = 0;
            let mut tail = rest;
            while let Some(t) = tail.strip_prefix("super::") {
                ups += 1;
                tail = t;
            }
            // `super` from `a::b` is `a`; climbing past the top reaches the
            // crate root, whose next segment is a top-level module.
            if ups >= here.len() {
                out.push(ident(tail));
            }
            i += "super::".len() * ups;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

#[test]
fn no_module_imports_a_later_stage() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in &files {
        let mut here = module_path(file);
        let Some(top) = here.first().cloned() else { continue };
        if top == "lib" || top == "main" {
            continue; // the crate root re-exports the driver's entry points
        }
        if top == "allocator" {
            continue; // the binary's own module (`src/main.rs`), not the library's
        }
        let Some(own) = stage(&top) else {
            problems.push(format!(
                "src/{top}: a new top-level module; give it a stage in tests/it/layering.rs"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            // An inline module (`mod tests {`) is one level deeper: its
            // `super::` is the file's module.
            if let Some(inline) = code(line).trim().strip_prefix("mod ").and_then(|m| m.strip_suffix('{')) {
                here.push(inline.trim().to_string());
            }
            for used in references(code(line), &here) {
                seen += 1;
                if used == top {
                    continue;
                }
                match stage(&used) {
                    Some(s) if s < own => {}
                    Some(s) => problems.push(format!(
                        "{}:{}: `{top}` (stage {own}) uses `{used}` (stage {s}), which comes {}",
                        crate::support::rel(file),
                        n + 1,
                        if s == own { "beside it" } else { "after it" }
                    )),
                    None => problems.push(format!(
                        "{}:{}: `{used}` is no top-level module",
                        crate::support::rel(file),
                        n + 1
                    )),
                }
            }
        }
    }
    assert!(seen > 100, "the scan found only {seen} references: is it broken?");
    assert!(problems.is_empty(), "layering broken:\n{}", problems.join("\n"));
}

#[test]
fn references_are_read_from_paths_and_groups() {
    let here = vec!["check".to_string(), "helm".to_string()];
    assert_eq!(references("use crate::model::{Model, Strategy};", &here), ["model"]);
    assert_eq!(
        references("use crate::{diag::Code, source::Span};", &here),
        ["diag", "source"]
    );
    assert_eq!(references("let x = crate::backend::gha::x();", &here), ["backend"]);
    assert_eq!(references("use super::Node;", &here), Vec::<String>::new());
    assert_eq!(references("use super::super::emit::plan;", &here), ["emit"]);
    assert_eq!(references("mycrate::backend", &here), Vec::<String>::new());
}

/// Blocks are named by `BlockId` outside the registry, never by their
/// string ids (a misspelt string compiles and silently matches nothing).
#[test]
fn no_string_block_id_outside_the_registry() {
    let compound: Vec<String> = dvcc::schema::BlockId::ALL
        .iter()
        .map(|id| id.as_str())
        .filter(|id| id.contains(['.', ':']))
        .map(|id| format!("\"{id}\""))
        .collect();
    assert!(compound.len() > 20, "{compound:?}");
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut problems = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(root().join("src/schema"))) {
        let text = std::fs::read_to_string(file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = code(line);
            for id in compound.iter().filter(|id| code.contains(id.as_str())) {
                problems.push(format!("{}:{}: {id}", crate::support::rel(file), n + 1));
            }
            for call in ["children_of(\"", "child(\"", "schema.id == \"", "schema.id != \""] {
                if code.contains(call) {
                    problems.push(format!("{}:{}: `{call}`", crate::support::rel(file), n + 1));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "string block ids outside src/schema/ (use `BlockId`):\n{}",
        problems.join("\n")
    );
}
