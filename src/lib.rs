//! dvcc: a compiler for `.dvc` delivery-cycle descriptions.
//!
//! The library does the work; the `dvcc` binary, the tests and (later) the
//! language server are thin users of it. See `docs/ARCHITECTURE.md`.

pub mod backend;
pub mod check;
pub mod cli;
pub mod diag;
pub mod diagram;
pub mod emit;
pub mod load;
pub mod model;
mod par;
pub mod schema;
pub mod sema;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod target;

use diag::Diagnostic;

/// Every diagnostic of the loaded projects (loading, syntax, meaning),
/// sorted by file and position, without duplicates.
pub fn lint(loaded: &load::Loaded) -> Vec<Diagnostic> {
    let mut diags = syntax_diagnostics(loaded);
    for i in 0..loaded.projects.len() {
        diags.extend(analyze(loaded, i).diagnostics);
    }
    diag::sort_and_dedup(&mut diags);
    diags
}

/// The loader's and the parser's diagnostics only.
pub fn syntax_diagnostics(loaded: &load::Loaded) -> Vec<Diagnostic> {
    let mut diags = loaded.diagnostics.clone();
    for f in &loaded.files {
        if let Some(p) = loaded.parses.get(f) {
            diags.extend(p.diagnostics.iter().cloned());
        }
    }
    diag::sort_and_dedup(&mut diags);
    diags
}

/// The analysis of project `index` of `loaded`.
pub fn analyze(loaded: &load::Loaded, index: usize) -> sema::Analysis {
    let files = loaded.projects.get(index).map(|p| p.files.as_slice()).unwrap_or(&[]);
    let input = sema::ProjectInput {
        files: files.iter().filter_map(|f| Some((*f, loaded.ast(*f)?))).collect(),
        stdlib: loaded
            .stdlib
            .iter()
            .filter_map(|f| Some((*f, loaded.ast(*f)?)))
            .collect(),
        imports: loaded
            .imports
            .iter()
            .filter(|e| files.contains(&e.from))
            .cloned()
            .collect(),
    };
    sema::analyze(&loaded.db, &input)
}
