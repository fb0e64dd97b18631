//! dvcc: a compiler for `.dvc` delivery-cycle descriptions.
//!
//! The library does the work; the `dvcc` binary, the tests and the
//! language server are thin users of it. [`driver`] runs the stages in
//! order; its entry points are re-exported here. See
//! `docs/ARCHITECTURE.md`.
//!
//! The modules, in stage order (a module imports only earlier ones; a test
//! holds the crate to it): `source`, `par`, `memo`, `hash`, `stdlib` · `diag` · `load` ·
//! `syntax` · `schema` · `model` · `target` · `sema` · `check` · `backend` ·
//! `emit`, `diagram` · `driver` · `lsp` · `cli`.

pub mod backend;
pub mod check;
pub mod cli;
pub mod diag;
pub mod diagram;
pub mod driver;
pub mod emit;
pub mod format;
mod hash;
pub mod load;
pub mod lsp;
mod memo;
pub mod model;
mod par;
pub mod schema;
pub mod sema;
pub mod source;
pub mod stamp;
pub mod stdlib;
pub mod syntax;
pub mod target;
#[cfg(test)]
mod testing;

pub use driver::{Analysis, Loaded, analyze, lint, load_paths, meaning, syntax_diagnostics};
