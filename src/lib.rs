//! dvcc: a compiler for `.dvc` delivery-cycle descriptions.
//!
//! The library does the work; the `dvcc` binary, the tests and (later) the
//! language server are thin users of it. See `docs/ARCHITECTURE.md`.

pub mod cli;
pub mod diag;
pub mod load;
mod par;
pub mod source;
pub mod syntax;

use diag::Diagnostic;

/// Checks every loaded file and returns all diagnostics (the loader's and the
/// parser's), sorted by file and position, without duplicates.
pub fn lint(loaded: &load::Loaded) -> Vec<Diagnostic> {
    let mut diags = loaded.diagnostics.clone();
    for file_diags in par::map(&loaded.files, |&file| syntax::parse(&loaded.db, file).diagnostics) {
        diags.extend(file_diags);
    }
    diag::sort_and_dedup(&mut diags);
    diags
}
