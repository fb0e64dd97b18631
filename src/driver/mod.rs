//! The driver: the one place that runs the stages in order, each a plain
//! function of the previous stage's data.
//!
//! ```text
//!  paths ──load──▶ files ──parse──▶ syntax trees ──meaning──▶ model ──checks──▶ diagnostics
//!   (FileSystem)   (SourceDb)  ▲ imports: load the files      (sema)        (check)
//!                              └──── they name, parse them          │ no error
//!                                                                   ▼
//!                                        artifacts ◀──backends── model
//!                                            └──emit──▶ plan (writes, removals, diff)
//! ```
//!
//! Entry points: [`load_paths`] (or [`load_with`] on any [`FileSystem`]),
//! then [`lint`] (every diagnostic), [`meaning`] (the model and the
//! diagnostics of meaning only: what an editor asks on each keystroke),
//! [`analyze`] (meaning and target checks), [`build`] (analysis once, then
//! the backends and the plan of what to write).
//!
//! **Invariant:** a project is analysed once per command; backends run only
//! when the analysis found no error.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::backend::{self, Artifact, Context};
use crate::diag::{self, Allowed, Code, Counts, Diagnostic};
use crate::emit::{self, Plan};
use crate::load::{self, Disk, FileSystem, Import, Loader, MemoryFs};
use crate::model::Model;
use crate::sema::index::LazyIndex;
use crate::sema::{self, ProjectInput};
use crate::source::{FileId, ImportEdge, SourceDb};
use crate::syntax::{self, Parse, ast, suppress};
use crate::target::Target;

/// Loaded and parsed projects: what every later stage reads.
#[derive(Debug, Default)]
pub struct Loaded {
    pub db: SourceDb,
    /// User files that were read (and parsed), in load order.
    pub files: Vec<FileId>,
    /// The parse of every user and stdlib file.
    pub parses: BTreeMap<FileId, Arc<Parse>>,
    /// One per path given: its files, those it imports included.
    pub projects: Vec<Project>,
    /// The stdlib modules, in module order.
    pub stdlib: Vec<FileId>,
    pub imports: Vec<ImportEdge>,
    /// What loading reported (unreadable paths, encodings, imports).
    pub diagnostics: Vec<Diagnostic>,
    /// How many times a project of this load was analysed.
    analyses: AtomicUsize,
    /// Files analysed as part of a project but not named by the user (see
    /// [`load::lint_roots`]): their diagnostics are not reported.
    pub hidden: Vec<FileId>,
    /// How long each stage took, in the order they ran (`dvcc -v`).
    timings: Mutex<Vec<(&'static str, Duration)>>,
    /// Set by commands that never ask where names are declared and used
    /// (`lint`, `build`): analyses then leave their index empty, which at
    /// the peak of a large project's analysis is memory held for nothing.
    pub without_index: bool,
}

/// The files of one project.
#[derive(Clone, Debug, Default)]
pub struct Project {
    pub files: Vec<FileId>,
    /// The files of its `handbook/` directory (name relative to it, file).
    pub handbook: Vec<(String, FileId)>,
}

/// Loads every path from the disk as a project: a `.dvc` file, or a
/// directory of them, with the files they import.
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    load_with(&Disk, paths)
}

/// [`load_paths`] on any file system.
pub fn load_with(fs: &dyn FileSystem, paths: &[PathBuf]) -> Loaded {
    load_allowing(fs, paths, &[])
}

/// [`load_with`], where imports may also read files under `import_roots`
/// (besides each project's directory and git work tree).
pub fn load_allowing(fs: &dyn FileSystem, paths: &[PathBuf], import_roots: &[PathBuf]) -> Loaded {
    let projects: Vec<Vec<PathBuf>> = paths.iter().map(|p| vec![p.clone()]).collect();
    load_projects(fs, &projects, import_roots)
}

/// Loads the projects `dvcc lint` was given (see [`load::lint_roots`]):
/// each analysed whole, the diagnostics of files not named left out.
pub fn load_roots(fs: &dyn FileSystem, roots: &[load::LintRoot], import_roots: &[PathBuf]) -> Loaded {
    let projects: Vec<Vec<PathBuf>> = roots.iter().map(|r| vec![r.path.clone()]).collect();
    let mut loaded = load_projects(fs, &projects, import_roots);
    let mut shown: Vec<FileId> = Vec::new();
    for (root, project) in roots.iter().zip(&loaded.projects) {
        match &root.focus {
            None => shown.extend(&project.files),
            Some(named) => shown.extend(
                project
                    .files
                    .iter()
                    .filter(|f| named.contains(&fs.canonical(Path::new(&loaded.db.get(**f).name)))),
            ),
        }
    }
    loaded.hidden = loaded.files.iter().copied().filter(|f| !shown.contains(f)).collect();
    for (root, project) in roots.iter().zip(&loaded.projects) {
        let Some(&file) = project.files.first().filter(|_| root.foreign) else {
            continue;
        };
        let name = load::display(&root.path);
        loaded.diagnostics.push(
            Diagnostic::new(
                Code::NotADvcFile,
                format!("`{name}` is not a `.dvc` file; it was read as one"),
                diag::Label::new(crate::source::Span::new(file, 0, 0), "read as `.dvc` text"),
            )
            .with_help("rename it with the `.dvc` extension: a directory's project, `dvcc build` and editors only see `.dvc` files"),
        );
    }
    loaded
}

/// What one load parsed, kept for the next load of the same files (an
/// editor's keystrokes): a file whose text did not change is not parsed
/// again, and in a changed file only the top-level chunks that changed are.
#[derive(Debug, Default)]
pub struct ParseCache {
    /// By file name: the id and text it was parsed with, and the parse.
    files: std::collections::HashMap<String, (FileId, String, Arc<Parse>)>,
    /// By file name: the chunks of its last parse.
    chunks: std::collections::HashMap<String, syntax::ChunkCache>,
    /// Parses replaced, not freed yet.
    garbage: Vec<Arc<Parse>>,
    /// Per project (in load order), what its last analysis built and
    /// scanned ([`lint_projects_cached`]).
    reuse: Vec<Kept>,
}

/// What a project's last analysis left for its next one.
#[derive(Debug, Default)]
struct Kept {
    meaning: sema::Reuse,
    scans: crate::check::ScanCache,
    checks: crate::check::CheckCache,
}

impl ParseCache {
    /// How many bytes of text the files it holds have: the size of the
    /// project it was last used for (0 before its first load).
    pub fn text_bytes(&self) -> usize {
        self.files.values().map(|(_, text, _)| text.len()).sum()
    }

    /// Copies what the next parses of the files may reuse out of their
    /// last parses ([`syntax::ChunkCache::settle`]): to be called when
    /// idle, once the answer is out (else the next parse of a file does it).
    pub fn settle(&mut self) {
        for (name, chunks) in &mut self.chunks {
            if let Some((_, _, last)) = self.files.get(name) {
                chunks.settle(&last.ast);
            }
        }
    }

    /// Copies what the next analyses of the projects may take back out of
    /// `linted`, the last ones ([`sema::Reuse::settle`]): to be called when
    /// idle, once the answer is out (else the next analysis builds every
    /// declaration again).
    pub fn settle_analyses(&mut self, linted: &Linted) {
        for (kept, analysis) in self.reuse.iter_mut().zip(&linted.projects) {
            kept.meaning.settle(&analysis.model);
        }
    }

    /// The parses the last loads replaced, to be freed when idle.
    pub fn take_garbage(&mut self) -> Vec<Arc<Parse>> {
        std::mem::take(&mut self.garbage)
    }

    /// The parse of `file`, reused when its name, id and text are those of
    /// the last load, else parsed (reusing unchanged chunks).
    fn parse(&mut self, db: &SourceDb, file: FileId) -> Arc<Parse> {
        let source = db.get(file);
        if let Some((id, text, parse)) = self.files.get(&source.name)
            && *id == file
            && *text == source.text
        {
            return parse.clone();
        }
        let chunks = self.chunks.entry(source.name.clone()).or_default();
        if let Some((_, _, last)) = self.files.get(&source.name) {
            chunks.settle(&last.ast);
        }
        let parse = Arc::new(syntax::parse_text_with(file, &source.text, chunks));
        let old = self
            .files
            .insert(source.name.clone(), (file, source.text.clone(), parse.clone()));
        // Freeing the trees of a large file takes milliseconds an editor
        // would wait for: they are handed over by
        // [`ParseCache::take_garbage`], once the answer is out.
        self.garbage.extend(old.map(|(_, _, p)| p));
        parse
    }
}

/// [`load_with`], reusing (and updating) what `cache` kept of earlier loads.
pub fn load_cached(fs: &dyn FileSystem, paths: &[PathBuf], cache: &mut ParseCache) -> Loaded {
    let projects: Vec<Vec<PathBuf>> = paths.iter().map(|p| vec![p.clone()]).collect();
    load_projects_with(fs, &projects, &[], Some(cache))
}

/// Loads each project from its roots (files or directories), with the
/// files they import, and parses everything.
fn load_projects(fs: &dyn FileSystem, projects: &[Vec<PathBuf>], import_roots: &[PathBuf]) -> Loaded {
    load_projects_with(fs, projects, import_roots, None)
}

fn load_projects_with(
    fs: &dyn FileSystem,
    projects: &[Vec<PathBuf>],
    import_roots: &[PathBuf],
    cache: Option<&mut ParseCache>,
) -> Loaded {
    crate::par::install(|| load_projects_here(fs, projects, import_roots, cache))
}

fn load_projects_here(
    fs: &dyn FileSystem,
    projects: &[Vec<PathBuf>],
    import_roots: &[PathBuf],
    mut cache: Option<&mut ParseCache>,
) -> Loaded {
    let started = Instant::now();
    let mut loader = Loader::new(fs);
    loader.import_roots = import_roots.to_vec();
    let mut out = Loaded::default();
    if cache.is_none() {
        stdlib_parses(&loader.db, &loader.stdlib, &mut out.parses);
    }
    parse_missing(
        &loader.db,
        &loader.stdlib.clone(),
        &mut out.parses,
        cache.as_deref_mut(),
    );
    for roots in projects {
        if let Some(first) = roots.first() {
            loader.enter_project(first);
        }
        let files: Vec<FileId> = roots.iter().flat_map(|r| loader.read_root(r)).collect();
        let files = follow_imports(&mut loader, &mut out, files, cache.as_deref_mut());
        let handbook = match roots.first() {
            Some(root) => loader.read_handbook(root),
            None => Vec::new(),
        };
        out.projects.push(Project { files, handbook });
    }
    out.db = loader.db;
    out.files = loader.files;
    out.stdlib = loader.stdlib;
    out.diagnostics = loader.diagnostics;
    out.record("load and parse", started);
    out
}

/// Parses the project's files and follows their relative imports (loading
/// and parsing what they name); the project's files, imports included.
fn follow_imports(
    loader: &mut Loader<'_>,
    out: &mut Loaded,
    mut files: Vec<FileId>,
    mut cache: Option<&mut ParseCache>,
) -> Vec<FileId> {
    parse_missing(&loader.db, &files, &mut out.parses, cache.as_deref_mut());
    let mut i = 0;
    while let Some(&from) = files.get(i) {
        i += 1;
        let imports: Vec<(String, crate::source::Span)> = out
            .parses
            .get(&from)
            .map(|p| {
                p.ast
                    .items
                    .iter()
                    .filter_map(|item| match item {
                        ast::Item::Import(imp) => imp
                            .path
                            .as_ref()
                            .and_then(|s| s.as_plain())
                            .map(|path| (path, imp.span)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (path, span) in imports {
            if let Import::File(to) = loader.read_import(from, &path, span) {
                parse_missing(&loader.db, &[to], &mut out.parses, cache.as_deref_mut());
                out.imports.push(ImportEdge { from, to, span });
                if !files.contains(&to) {
                    files.push(to);
                }
            }
        }
    }
    files
}

/// The stdlib's parses, made once per process: a loader adds the stdlib
/// modules first, in module order, so every load gives them the same ids
/// and text.
static STDLIB: std::sync::LazyLock<Vec<(FileId, &'static str, Arc<Parse>)>> = std::sync::LazyLock::new(|| {
    let fs = MemoryFs::new();
    let loader = Loader::new(&fs);
    loader
        .stdlib
        .iter()
        .zip(crate::stdlib::MODULES)
        .map(|(&f, (_, src))| (f, *src, Arc::new(syntax::parse(&loader.db, f))))
        .collect()
});

/// The parses of the stdlib modules of `db` (at `files`) from [`STDLIB`],
/// where ids and text are those it parsed.
fn stdlib_parses(db: &SourceDb, files: &[FileId], parses: &mut BTreeMap<FileId, Arc<Parse>>) {
    for &f in files {
        if let Some((_, _, parse)) = STDLIB.iter().find(|(id, text, _)| *id == f && *text == db.text(f)) {
            parses.insert(f, parse.clone());
        }
    }
}

/// Parses the files not parsed yet: in parallel, or through `cache`.
fn parse_missing(
    db: &SourceDb,
    files: &[FileId],
    parses: &mut BTreeMap<FileId, Arc<Parse>>,
    cache: Option<&mut ParseCache>,
) {
    let todo: Vec<FileId> = files.iter().copied().filter(|f| !parses.contains_key(f)).collect();
    if let Some(cache) = cache {
        for f in todo {
            parses.insert(f, cache.parse(db, f));
        }
        return;
    }
    let parsed = crate::par::map(&todo, |&f| syntax::parse(db, f));
    parses.extend(todo.into_iter().zip(parsed.into_iter().map(Arc::new)));
}

impl Loaded {
    /// One project made of one in-memory file (tests, the language server).
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Loaded {
        Loaded::from_files(&[(name, bytes)])
    }

    /// One project made of in-memory files, in the order given; relative
    /// imports resolve among them by name (the disk is not read).
    pub fn from_files(files: &[(&str, Vec<u8>)]) -> Loaded {
        let mut fs = MemoryFs::new();
        for (name, bytes) in files {
            fs.insert(name, bytes.clone());
        }
        let roots: Vec<PathBuf> = files.iter().map(|(name, _)| PathBuf::from(name)).collect();
        load_projects(&fs, &[roots], &[])
    }

    pub fn ast(&self, file: FileId) -> Option<&ast::File> {
        self.parses.get(&file).map(|p| &p.ast)
    }

    /// Notes that stage `name`, started at `started`, has ended.
    pub fn record(&self, name: &'static str, started: Instant) {
        if let Ok(mut t) = self.timings.lock() {
            t.push((name, started.elapsed()));
        }
    }

    /// Each stage run so far and how long it took.
    pub fn timings(&self) -> Vec<(&'static str, Duration)> {
        self.timings.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// The user files whose diagnostics are reported.
    /// Every file the projects read: the `.dvc` files, then each
    /// project's `handbook/` files.
    pub fn inputs(&self) -> Vec<FileId> {
        let mut out = self.files.clone();
        out.extend(self.projects.iter().flat_map(|p| p.handbook.iter().map(|(_, f)| *f)));
        out
    }

    pub fn reported_files(&self) -> usize {
        self.files.len() - self.hidden.len()
    }

    /// Whether some path could not be read at all (exit code 2).
    pub fn has_io_failure(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::UnreadablePath | Code::NoDvcFiles | Code::FileTooLarge))
    }

    /// The syntax problems of user files past the cap, counted.
    pub fn syntax_omitted(&self) -> Counts {
        self.files
            .iter()
            .filter_map(|f| self.parses.get(f))
            .fold(Counts::default(), |c, p| c.plus(p.omitted))
    }

    /// How many times a project of this load has been analysed (a command
    /// analyses each project once).
    pub fn analysis_runs(&self) -> usize {
        self.analyses.load(Ordering::Relaxed)
    }

    /// What meaning reads of project `index`.
    fn input(&self, index: usize) -> ProjectInput<'_> {
        let files = self.projects.get(index).map(|p| p.files.as_slice()).unwrap_or(&[]);
        ProjectInput {
            index: !self.without_index,
            files: files.iter().filter_map(|f| Some((*f, self.ast(*f)?))).collect(),
            stdlib: self.stdlib.iter().filter_map(|f| Some((*f, self.ast(*f)?))).collect(),
            imports: self
                .imports
                .iter()
                .filter(|e| files.contains(&e.from))
                .cloned()
                .collect(),
            handbook: self.projects.get(index).map(|p| p.handbook.clone()).unwrap_or_default(),
        }
    }
}

/// The loader's and the parser's diagnostics only, sorted (those past the
/// cap are [`Loaded::syntax_omitted`]).
pub fn syntax_diagnostics(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut diags = loaded.diagnostics.clone();
    for f in &loaded.files {
        if let Some(p) = loaded.parses.get(f) {
            diags.extend(p.diagnostics.iter().cloned());
        }
    }
    diag::sort_and_dedup(&mut diags);
    diags
}

/// What the analysis of one project gives: owned data, kept as long as
/// needed (the syntax trees it came from may change).
#[derive(Clone, Debug)]
pub struct Analysis {
    pub model: Model,
    /// Every declaration and the references that resolved to it (for the
    /// editor: definitions, references, rename).
    pub index: LazyIndex,
    /// Sorted, without duplicates; the first [`diag::MAX_KEPT`].
    pub diagnostics: Vec<Diagnostic>,
    /// Diagnostics past the cap, counted.
    pub omitted: Counts,
}

/// The meaning of project `index`: the resolved model and the diagnostics
/// of shapes, names, types, inheritance, templates and relations, without
/// target checks. What an editor runs on each keystroke.
pub fn meaning(loaded: &Loaded, index: usize) -> Analysis {
    loaded.analyses.fetch_add(1, Ordering::Relaxed);
    let meaning = sema::analyze(&loaded.db, &loaded.input(index));
    analysis(meaning.model, meaning.index, meaning.diagnostics)
}

/// The full analysis of project `index`: meaning, then every target check.
pub fn analyze(loaded: &Loaded, index: usize) -> Analysis {
    analyze_reusing(loaded, index, None)
}

/// [`analyze`], taking back what `kept` holds of the project's last
/// analysis (see [`sema::analyze_reusing`], [`crate::check::scan_files_reusing`]).
fn analyze_reusing(loaded: &Loaded, index: usize, kept: Option<&mut Kept>) -> Analysis {
    loaded.analyses.fetch_add(1, Ordering::Relaxed);
    let input = loaded.input(index);
    let (mut reuse, scans, checks) = match kept {
        Some(kept) => (Some(&mut kept.meaning), Some(&mut kept.scans), Some(&mut kept.checks)),
        None => (None, None, None),
    };
    // The credential scan reads only syntax trees: it runs beside the
    // meaning, whose building is sequential.
    let (scanned, meaning) = crate::par::both(
        || match scans {
            Some(scans) => crate::check::scan_files_reusing(&loaded.db, &input.files, scans),
            None => crate::check::scan_files(&loaded.db, &input.files),
        },
        || sema::analyze_reusing(&loaded.db, &input, reuse.as_deref_mut()),
    );
    let mut diagnostics = meaning.diagnostics;
    let carried = reuse.as_deref().and_then(sema::Reuse::carried);
    let carry = checks.map(|c| crate::check::Carry::new(c, carried));
    crate::check::run(
        &loaded.db,
        scanned,
        &meaning.tree,
        &meaning.model,
        carry,
        &mut diagnostics,
    );
    analysis(meaning.model, meaning.index, diagnostics)
}

/// An analysis of these results, its diagnostics sorted and deduplicated.
fn analysis(model: Model, index: LazyIndex, diagnostics: diag::Capped) -> Analysis {
    let diag::Capped {
        kept: mut diagnostics,
        omitted,
    } = diagnostics;
    diag::sort_and_dedup(&mut diagnostics);
    Analysis {
        model,
        index,
        diagnostics,
        omitted,
    }
}

/// Every project analysed once, and every diagnostic of the load.
pub struct Linted {
    /// Loading, syntax and every project's analysis, sorted, without
    /// duplicates, but for what `dvcc-allow` comments allowed; the first
    /// [`diag::MAX_KEPT`].
    pub diagnostics: Vec<Diagnostic>,
    /// Diagnostics past the cap (of any stage), counted, not stored.
    pub omitted: Counts,
    /// What `dvcc-allow` comments allowed, with their reasons.
    pub allowed: Vec<Allowed>,
    /// One per project, in load order.
    pub projects: Vec<Analysis>,
}

/// Analyses every project of `loaded` once, and applies the `dvcc-allow`
/// comments of the user's files.
pub fn lint_projects(loaded: &Loaded) -> Linted {
    crate::par::install(|| lint_projects_here(loaded, None))
}

/// [`lint_projects`] of a load made with `cache` ([`load_cached`]): each
/// project's analysis takes back what its last one built where nothing it
/// read changed (the language server's, after each edit).
pub fn lint_projects_cached(loaded: &Loaded, cache: &mut ParseCache) -> Linted {
    crate::par::install(|| lint_projects_here(loaded, Some(&mut cache.reuse)))
}

fn lint_projects_here(loaded: &Loaded, reuse: Option<&mut Vec<Kept>>) -> Linted {
    let started = Instant::now();
    let mut diagnostics = syntax_diagnostics(loaded);
    let mut omitted = loaded.syntax_omitted();
    let projects: Vec<Analysis> = match reuse {
        Some(reuse) => {
            reuse.resize_with(loaded.projects.len(), Kept::default);
            reuse
                .iter_mut()
                .enumerate()
                .map(|(i, r)| analyze_reusing(loaded, i, Some(r)))
                .collect()
        }
        None => (0..loaded.projects.len()).map(|i| analyze(loaded, i)).collect(),
    };
    for p in &projects {
        diagnostics.extend(p.diagnostics.iter().cloned());
        omitted = omitted.plus(p.omitted);
    }
    let mut suppressions = Vec::new();
    for f in &loaded.files {
        if let Some(p) = loaded.parses.get(f) {
            // (Found by the parser, which reported the malformed ones.)
            suppressions.extend(p.suppressions.iter().cloned());
        }
    }
    diag::sort_and_dedup(&mut diagnostics);
    let applied = suppress::apply(diagnostics, &suppressions);
    let mut diagnostics = applied.kept;
    diagnostics.extend(applied.unused.iter().map(suppress::unused));
    diag::sort_and_dedup(&mut diagnostics);
    if !loaded.hidden.is_empty() {
        diagnostics.retain(|d| !loaded.hidden.contains(&d.primary.span.file));
    }
    let capped = diag::cap(diagnostics);
    let (diagnostics, omitted) = (capped.kept, omitted.plus(capped.omitted));
    loaded.record("analysis", started);
    let allowed = applied
        .allowed
        .into_iter()
        .filter(|(d, _)| !loaded.hidden.contains(&d.primary.span.file))
        .map(|(d, s)| Allowed {
            diagnostic: d,
            reason: s.reason,
            directive: s.directive,
        })
        .collect();
    Linted {
        diagnostics,
        omitted,
        allowed,
        projects,
    }
}

impl Linted {
    /// Errors and warnings, those past the cap included.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.diagnostics).plus(self.omitted)
    }
}

/// Every diagnostic of the loaded projects (loading, syntax, meaning,
/// checks), sorted by file and position, without duplicates.
pub fn lint(loaded: &Loaded) -> Vec<Diagnostic> {
    lint_projects(loaded).diagnostics
}

/// The artifacts of `targets` (when empty, every target the project
/// builds by default) for a model with no error, and the directories whose
/// generated files they own.
pub fn generate(model: &Model, targets: &[Target], ctx: &Context<'_>) -> (Vec<Artifact>, Vec<String>) {
    let asked: Vec<&dyn backend::Backend> = backend::ALL
        .iter()
        .copied()
        .filter(|b| asked(*b, model, targets))
        .collect();
    // The backends read the model alone: they run side by side, and their
    // artifacts come back in backend order.
    let mut artifacts = Vec::new();
    let mut owned = Vec::new();
    for (a, o) in crate::par::map_each(&asked, |b| (b.generate(model, ctx), b.owned_dirs(model))) {
        artifacts.extend(a);
        owned.extend(o);
    }
    (artifacts, owned)
}

/// Whether `targets` (when empty, the project's defaults) ask for `b`.
fn asked(b: &dyn backend::Backend, model: &Model, targets: &[Target]) -> bool {
    if targets.is_empty() {
        b.by_default(model)
    } else {
        targets.contains(&b.target())
    }
}

/// The targets a build of `model` generates when asked for `targets`
/// (when empty, the project's defaults).
pub fn built_targets(model: &Model, targets: &[Target]) -> Vec<Target> {
    backend::ALL
        .iter()
        .filter(|b| asked(**b, model, targets))
        .map(|b| b.target())
        .collect()
}

/// What `dvcc build` is asked to do.
pub struct BuildOptions {
    /// The project's directory: headers name sources relative to it.
    pub root: PathBuf,
    /// Where artifacts go (their paths are relative to it).
    pub out: PathBuf,
    /// Only these targets; every target when empty.
    pub targets: Vec<Target>,
    /// Treat warnings as errors.
    pub deny_warnings: bool,
}

/// What `dvcc build` found.
pub enum Built {
    /// Nothing may be written: errors (or warnings denied), or a path that
    /// could not be read.
    Refused {
        diagnostics: Vec<Diagnostic>,
        /// Diagnostics past the cap, counted.
        omitted: Counts,
        io_failure: bool,
    },
    /// What writing would do; `diagnostics` holds the warnings.
    Planned {
        diagnostics: Vec<Diagnostic>,
        omitted: Counts,
        plan: Plan,
    },
}

/// Analyses the first project of `loaded` once and, when it has no error,
/// generates its artifacts and plans them against what is under `out`.
pub fn build(loaded: &mut Loaded, options: &BuildOptions) -> Built {
    crate::par::install(|| build_here(loaded, options))
}

fn build_here(loaded: &mut Loaded, options: &BuildOptions) -> Built {
    let linted = lint_projects(loaded);
    let counts = linted.counts();
    let omitted = linted.omitted;
    let io_failure = loaded.has_io_failure();
    if counts.errors > 0 || io_failure || (options.deny_warnings && counts.warnings > 0) {
        return Built::Refused {
            diagnostics: linted.diagnostics,
            omitted,
            io_failure,
        };
    }
    let Some(analysis) = linted.projects.into_iter().next() else {
        return Built::Refused {
            diagnostics: linted.diagnostics,
            omitted,
            io_failure: true,
        };
    };
    // Generating reads the model alone: the syntax trees and the symbol
    // index go before the artifacts come (the peak is when both are held),
    // freed on another thread meanwhile.
    let Analysis { model, index, .. } = analysis;
    let trees = std::mem::take(&mut loaded.parses);
    // (Where no thread can be started, they are freed here, when the
    // refused closure is dropped.)
    let _ = std::thread::Builder::new().spawn(move || drop((trees, index)));
    let out = options.out.as_path();
    // Every artifact's header names its sources: each is resolved against
    // the root once, not once per file naming it.
    let names: Mutex<HashMap<String, String>> = Default::default();
    let source_name = |s: &str| {
        if let Some(known) = names.lock().ok().and_then(|n| n.get(s).cloned()) {
            return known;
        }
        let name = load::relative(&Disk, Path::new(s), &options.root);
        if let Ok(mut n) = names.lock() {
            n.insert(s.to_string(), name.clone());
        }
        name
    };
    let project = model.project.name.as_str();
    let ctx = Context {
        project,
        source_name: &source_name,
    };
    let started = Instant::now();
    let (artifacts, owned) = generate(&model, &options.targets, &ctx);
    loaded.record("generate", started);
    let started = Instant::now();
    let mut plan = emit::plan(out, project, artifacts, &owned, &mut loaded.db);
    plan.targets = built_targets(&model, &options.targets)
        .into_iter()
        .map(|t| t.name())
        .collect();
    loaded.record("compare with the output directory", started);
    // What is left is writing: the model goes, on another thread.
    let _ = std::thread::Builder::new().spawn(move || drop(model));
    let mut diagnostics = linted.diagnostics;
    diagnostics.extend(plan.diagnostics.iter().cloned());
    diag::sort_and_dedup(&mut diagnostics);
    if Counts::of(&diagnostics).errors > 0 {
        return Built::Refused {
            diagnostics,
            omitted,
            io_failure: false,
        };
    }
    Built::Planned {
        diagnostics,
        omitted,
        plan,
    }
}

#[cfg(test)]
mod tests;
