//! What the server knows: the editor's open documents, and per project an
//! analysed snapshot of them over the disk.
//!
//! A project is the directory of a `.dvc` file (its `.dvc` files, with the
//! files they import), as for `dvcc lint FILE`; an unsaved buffer replaces
//! its file's contents on disk (a [`load::Overlay`]). A document that is
//! not a `.dvc` file on disk (another extension, an `untitled:` buffer) is a
//! project of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types as lsp;

use super::convert;
use crate::driver::{self, Analysis, Linted, Loaded, ParseCache};
use crate::load::{Disk, FileSystem, Overlay};
use crate::source::{FileId, Origin};
use crate::syntax::ast;

/// An open document: the editor's text, not the disk's.
#[derive(Clone, Debug)]
pub struct Document {
    pub uri: lsp::Uri,
    pub version: i32,
    pub text: String,
}

/// Which files are analysed together.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProjectKey {
    /// A directory of `.dvc` files (canonical path).
    Dir(PathBuf),
    /// One document on its own (its URI).
    Alone(String),
}

/// The project a document belongs to.
pub fn project_of(uri: &lsp::Uri) -> ProjectKey {
    match convert::uri_to_path(uri) {
        Some(path) if path.extension().is_some_and(|x| x == "dvc") => {
            let dir = path.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
            ProjectKey::Dir(Disk.canonical(&dir))
        }
        Some(path) if handbook_project(&path).is_some() => {
            ProjectKey::Dir(Disk.canonical(&handbook_project(&path).unwrap_or_default()))
        }
        _ => ProjectKey::Alone(uri.as_str().to_string()),
    }
}

/// The project directory of a handbook file (`DIR/handbook/NAME.hbs`,
/// `DIR/handbook/runbooks/NAME.md`): `DIR`.
fn handbook_project(path: &Path) -> Option<PathBuf> {
    let parent = path.parent()?;
    let handbook = if parent.file_name()? == "runbooks" && path.extension()? == "md" {
        parent.parent()?
    } else if path.extension()? == "hbs" {
        parent
    } else {
        return None;
    };
    (handbook.file_name()? == crate::load::HANDBOOK_SOURCES).then(|| handbook.parent().map(Path::to_path_buf))?
}

/// Projects smaller than this (bytes of `.dvc` text, the stdlib's
/// included: about 35,000 lines) are analysed on one thread after an edit.
/// Between keystrokes the pool's threads fall asleep, and for the short
/// phases of a small project's analysis waking them costs more than they
/// save: on the 2-core machine, with a 5,000-line file and edits 50 ms
/// apart, `cargo bench --bench lsp` measured 11.5–12.0 ms from `didChange`
/// to diagnostics on one thread against 12.0–13.2 ms with the pool (five
/// interleaved runs each), and in process 9.5–10.5 ms against 11.0–12.0.
/// It also leaves the other cores to the editor. Larger projects keep the
/// pool, for machines whose other cores are free (on this one it made no
/// clear difference at 20,000 and 50,000 lines either way).
pub const SEQUENTIAL_BELOW: usize = 1 << 20;

/// One analysis of a project: the texts it read, their trees, every
/// diagnostic `dvcc lint` reports on them, the model and the index.
pub struct Snapshot {
    pub key: ProjectKey,
    /// Which edit of the project this is (see [`super::Server`]).
    pub generation: u64,
    pub loaded: Loaded,
    pub linted: Linted,
    /// The URI of each user file.
    uris: BTreeMap<FileId, lsp::Uri>,
    /// The project's `handbook/` files (templates, runbook notes): they
    /// get diagnostics, nothing else.
    handbook: BTreeMap<FileId, lsp::Uri>,
}

impl Snapshot {
    /// Loads and lints `key` with `docs` (its open documents) over the
    /// disk; `None` when `stale` says a newer edit came in meanwhile.
    ///
    /// A project whose last analysis read less than [`SEQUENTIAL_BELOW`]
    /// bytes is analysed on the calling thread alone; a larger one, or the
    /// first analysis, on the thread pool (see [`crate::par::install`]).
    pub fn analyse(
        key: ProjectKey,
        generation: u64,
        docs: &[Document],
        cache: &mut ParseCache,
        stale: &(dyn Fn() -> bool + Sync),
    ) -> Option<Snapshot> {
        let bytes = cache.text_bytes();
        if bytes > 0 && bytes < SEQUENTIAL_BELOW {
            crate::par::sequentially(|| Self::analyse_here(key, generation, docs, cache, stale))
        } else {
            crate::par::install(|| Self::analyse_here(key, generation, docs, cache, stale))
        }
    }

    fn analyse_here(
        key: ProjectKey,
        generation: u64,
        docs: &[Document],
        cache: &mut ParseCache,
        stale: &(dyn Fn() -> bool + Sync),
    ) -> Option<Snapshot> {
        let loaded = match &key {
            ProjectKey::Dir(dir) => {
                let mut overlay = Overlay::new(&Disk);
                for d in docs {
                    if let Some(path) = convert::uri_to_path(&d.uri) {
                        overlay.insert(&path, d.text.clone().into_bytes());
                    }
                }
                driver::load_cached(&overlay, std::slice::from_ref(dir), cache)
            }
            ProjectKey::Alone(uri) => {
                let text = docs.iter().find(|d| d.uri.as_str() == uri).map(|d| d.text.clone());
                let name = docs
                    .iter()
                    .find(|d| d.uri.as_str() == uri)
                    .and_then(|d| convert::uri_to_path(&d.uri))
                    .map_or_else(|| uri.clone(), |p| p.to_string_lossy().into_owned());
                Loaded::from_bytes(&name, text.unwrap_or_default().into_bytes())
            }
        };
        if stale() {
            return None;
        }
        let linted = driver::lint_projects_cached(&loaded, cache);
        let mut uris = BTreeMap::new();
        for &f in &loaded.files {
            let file = loaded.db.get(f);
            if file.origin != Origin::User {
                continue;
            }
            let uri = match &key {
                ProjectKey::Alone(uri) => uri.parse::<lsp::Uri>().ok(),
                ProjectKey::Dir(_) => {
                    let path = Disk.canonical(Path::new(&file.name));
                    // The URI the editor uses for this file, when open.
                    docs.iter()
                        .find(|d| convert::uri_to_path(&d.uri).is_some_and(|p| Disk.canonical(&p) == path))
                        .map(|d| d.uri.clone())
                        .or_else(|| convert::path_to_uri(&path))
                }
            };
            if let Some(uri) = uri {
                uris.insert(f, uri);
            }
        }
        let handbook = loaded
            .projects
            .iter()
            .flat_map(|p| &p.handbook)
            .filter_map(|(_, f)| {
                let path = Disk.canonical(Path::new(&loaded.db.get(*f).name));
                Some((*f, convert::path_to_uri(&path)?))
            })
            .collect();
        Some(Snapshot {
            key,
            generation,
            loaded,
            linted,
            uris,
            handbook,
        })
    }

    /// Makes what is made when first read (the index), so that requests
    /// find it made: for when nobody waits.
    pub fn warm(&self) {
        for a in &self.linted.projects {
            a.index.get();
        }
    }

    /// The project's analysis (model, index).
    pub fn analysis(&self) -> Option<&Analysis> {
        self.linted.projects.first()
    }

    pub fn uri(&self, file: FileId) -> Option<lsp::Uri> {
        self.uris.get(&file).cloned()
    }

    /// The user files with a URI, in load order.
    pub fn user_files(&self) -> impl Iterator<Item = (FileId, &lsp::Uri)> {
        self.uris.iter().map(|(f, u)| (*f, u))
    }

    /// The file a URI names, if this snapshot read it.
    pub fn file(&self, uri: &lsp::Uri) -> Option<FileId> {
        if let Some((f, _)) = self.uris.iter().find(|(_, u)| *u == uri) {
            return Some(*f);
        }
        let path = Disk.canonical(&convert::uri_to_path(uri)?);
        self.uris
            .iter()
            .find(|(_, u)| convert::uri_to_path(u).is_some_and(|p| Disk.canonical(&p) == path))
            .map(|(f, _)| *f)
    }

    pub fn ast(&self, file: FileId) -> Option<&ast::File> {
        self.loaded.ast(file)
    }

    /// Every diagnostic, as the protocol shows it, for each user file (an
    /// empty list for files without any: it clears what was shown).
    pub fn diagnostics(&self) -> Vec<(lsp::Uri, Vec<lsp::Diagnostic>)> {
        let uri_of = |f: FileId| self.uri(f).or_else(|| self.handbook.get(&f).cloned());
        let mut out: BTreeMap<FileId, Vec<lsp::Diagnostic>> = self
            .uris
            .keys()
            .chain(self.handbook.keys())
            .map(|f| (*f, Vec::new()))
            .collect();
        for d in &self.linted.diagnostics {
            if let Some(list) = out.get_mut(&d.primary.span.file) {
                list.push(convert::diagnostic(&self.loaded.db, d, &uri_of));
            }
        }
        out.into_iter()
            .filter_map(|(f, list)| Some((uri_of(f)?, list)))
            .collect()
    }
}
