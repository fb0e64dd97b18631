//! Loading: paths → files in a [`SourceDb`]. This is the only module of the
//! library that reads `.dvc` sources, and it reads them through a
//! [`FileSystem`]: the disk ([`Disk`]), an in-memory file set
//! ([`MemoryFs`], for tests and generated projects), or later the language
//! server's unsaved buffers layered over the disk. It does not parse: the
//! driver parses what it loads and asks it for the files imports name.
//!
//! A directory is one project: every `*.dvc` file directly in it, in name
//! order. Unreadable paths, invalid UTF-8, NUL bytes and oversized files are
//! `DVC07xx` diagnostics; each points at a stand-in file named after the path
//! when there is no text to show.
//!
//! **Invariant:** every file is read once, however often it is imported
//! (files are keyed by their canonical path).

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diag::suggest::did_you_mean;
use crate::diag::{Code, Diagnostic, Label};
use crate::source::{FileId, Origin, SourceDb, Span};

/// The largest `.dvc` file dvcc reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What a path is (symbolic links followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A regular file of this many bytes.
    File(u64),
    Dir,
    /// A FIFO, socket or device: never read (a FIFO would block, a device
    /// like `/dev/zero` never ends).
    Other,
}

/// Where sources are read from.
pub trait FileSystem: Sync {
    fn entry(&self, path: &Path) -> io::Result<Entry>;
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The paths directly in directory `dir` (files and directories).
    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>>;
    /// The key that identifies the file at `path`, whatever way it is
    /// reached (`a/../b.dvc` and `b.dvc` are one file).
    fn canonical(&self, path: &Path) -> PathBuf;
}

/// The real file system.
pub struct Disk;

impl FileSystem for Disk {
    fn entry(&self, path: &Path) -> io::Result<Entry> {
        let meta = std::fs::metadata(path)?;
        Ok(if meta.is_dir() {
            Entry::Dir
        } else if meta.is_file() {
            Entry::File(meta.len())
        } else {
            Entry::Other
        })
    }

    /// At most [`MAX_FILE_BYTES`] and one byte (a file that grew since its
    /// size was checked is still caught), and only a regular file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(path)?;
        if !file.metadata()?.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
        }
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        Ok(std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect())
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
    }
}

/// Files held in memory, by (normalized) path; directories are implied by
/// the files' paths.
#[derive(Clone, Debug, Default)]
pub struct MemoryFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryFs {
    pub fn new() -> MemoryFs {
        MemoryFs::default()
    }

    /// Adds (or replaces) the file at `path`.
    pub fn insert(&mut self, path: impl AsRef<Path>, bytes: Vec<u8>) {
        self.files.insert(normalize(path.as_ref()), bytes);
    }
}

impl FileSystem for MemoryFs {
    fn entry(&self, path: &Path) -> io::Result<Entry> {
        let path = normalize(path);
        if let Some(bytes) = self.files.get(&path) {
            return Ok(Entry::File(bytes.len() as u64));
        }
        if self.files.keys().any(|f| f.starts_with(&path) && f != &path) {
            return Ok(Entry::Dir);
        }
        Err(io::ErrorKind::NotFound.into())
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let dir = normalize(dir);
        let mut out: Vec<PathBuf> = self
            .files
            .keys()
            .filter_map(|f| {
                let rest = f.strip_prefix(&dir).ok()?;
                let first = rest.components().next()?;
                Some(dir.join(first))
            })
            .collect();
        out.dedup();
        if out.is_empty() {
            return Err(io::ErrorKind::NotFound.into());
        }
        Ok(out)
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// Another file system with some files' contents replaced or added: the
/// text on standard input, an editor's unsaved buffers. Paths are matched
/// by their canonical form, so `./a.dvc` and `a.dvc` are one file.
pub struct Overlay<'a> {
    base: &'a dyn FileSystem,
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a dyn FileSystem) -> Overlay<'a> {
        Overlay {
            base,
            files: BTreeMap::new(),
        }
    }

    /// Reads `bytes` wherever `path` is read.
    pub fn insert(&mut self, path: &Path, bytes: Vec<u8>) {
        let key = self.key(path);
        self.files.insert(key, bytes);
    }

    fn key(&self, path: &Path) -> PathBuf {
        self.base.canonical(path)
    }
}

impl FileSystem for Overlay<'_> {
    fn entry(&self, path: &Path) -> io::Result<Entry> {
        match self.files.get(&self.key(path)) {
            Some(bytes) => Ok(Entry::File(bytes.len() as u64)),
            None => self.base.entry(path),
        }
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.files.get(&self.key(path)) {
            Some(bytes) => Ok(bytes.clone()),
            None => self.base.read(path),
        }
    }

    /// The directory's entries, with the overlaid files that are in it
    /// (named as `dir` names them) but not on the base.
    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let listed = self.base.list(dir);
        let canonical_dir = self.key(dir);
        let extra: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|f| f.parent() == Some(canonical_dir.as_path()))
            .filter_map(|f| f.file_name().map(|n| dir.join(n)))
            .collect();
        if extra.is_empty() {
            return listed;
        }
        let mut out = listed.unwrap_or_default();
        for e in extra {
            if !out.iter().any(|p| self.key(p) == self.key(&e)) {
                out.push(e);
            }
        }
        Ok(out)
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        self.key(path)
    }
}

/// One project `dvcc lint` analyses: its root (a directory, or a file that
/// is a project on its own) and, when only some of its files were named,
/// those files (canonical): only their diagnostics are reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintRoot {
    pub path: PathBuf,
    pub focus: Option<Vec<PathBuf>>,
    /// A file named by the user that is not a `.dvc` file (read as one,
    /// with a warning).
    pub foreign: bool,
}

/// Groups the paths of `dvcc lint` into projects: a directory is a project;
/// a `.dvc` file is analysed within its directory's project (its
/// neighbours declare what it references), and only the named files'
/// diagnostics are reported. A path that is not a `.dvc` file, or cannot
/// be read, is loaded as given (the loader says what is wrong with it).
pub fn lint_roots(fs: &dyn FileSystem, paths: &[PathBuf]) -> Vec<LintRoot> {
    let mut out: Vec<LintRoot> = Vec::new();
    for path in paths {
        let named_file = matches!(fs.entry(path), Ok(Entry::File(_))) && path.extension().is_some_and(|x| x == "dvc");
        let root = match path.parent() {
            Some(dir) if named_file && !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ if named_file => PathBuf::from("."),
            _ => path.clone(),
        };
        let key = fs.canonical(&root);
        let at = match out.iter().position(|r| fs.canonical(&r.path) == key) {
            Some(at) => at,
            None => {
                let foreign = !named_file && matches!(fs.entry(path), Ok(Entry::File(_)));
                out.push(LintRoot {
                    path: root,
                    focus: named_file.then(Vec::new),
                    foreign,
                });
                out.len() - 1
            }
        };
        match (&mut out[at].focus, named_file) {
            (Some(files), true) => files.push(fs.canonical(path)),
            (focus, false) => *focus = None,
            (None, true) => {}
        }
    }
    out
}

/// Where an `import` leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Import {
    /// A module of the standard library (always loaded).
    Stdlib,
    /// A file of the project (read now, or earlier).
    File(FileId),
    /// Nothing; a diagnostic says why.
    Failed,
}

/// Reads sources into a [`SourceDb`], reporting what it cannot read.
/// The directory of a project's handbook templates and runbook notes.
pub const HANDBOOK_SOURCES: &str = "handbook";

pub struct Loader<'fs> {
    fs: &'fs dyn FileSystem,
    pub db: SourceDb,
    /// User files that were read, in load order.
    pub files: Vec<FileId>,
    /// The stdlib modules, in module order.
    pub stdlib: Vec<FileId>,
    pub diagnostics: Vec<Diagnostic>,
    /// Canonical path → file, so a file imported twice is read once.
    by_path: BTreeMap<PathBuf, FileId>,
    /// Directories imports may read from, besides the importing project's
    /// own (canonical): `--import-root`.
    pub import_roots: Vec<PathBuf>,
    /// The project being read: its directory and, when it is in a git
    /// work tree, that tree's root (canonical).
    project_roots: Vec<PathBuf>,
}

impl<'fs> Loader<'fs> {
    /// A loader reading from `fs`, with the stdlib modules already added.
    pub fn new(fs: &'fs dyn FileSystem) -> Loader<'fs> {
        let mut db = SourceDb::new();
        let stdlib = crate::stdlib::MODULES
            .iter()
            .map(|(name, src)| db.add(crate::stdlib::display_name(name), *src, Origin::Stdlib))
            .collect();
        Loader {
            fs,
            db,
            files: Vec::new(),
            stdlib,
            diagnostics: Vec::new(),
            by_path: BTreeMap::new(),
            import_roots: Vec::new(),
            project_roots: Vec::new(),
        }
    }

    /// Starts a project at `root` (a directory, or a file in one): imports
    /// may read files in its directory, in the git work tree that holds it,
    /// and in the import roots.
    pub fn enter_project(&mut self, root: &Path) {
        let dir = match self.fs.entry(root) {
            Ok(Entry::Dir) => root.to_path_buf(),
            _ => root.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let dir = self.fs.canonical(&dir);
        let mut roots = vec![dir.clone()];
        let mut up = Some(dir.as_path());
        while let Some(d) = up {
            if self.fs.entry(&d.join(".git")).is_ok() {
                roots.push(d.to_path_buf());
                break;
            }
            up = d.parent();
        }
        self.project_roots = roots;
    }

    /// Whether an import may read `target` (canonical).
    fn may_import(&self, target: &Path) -> bool {
        let inside = |root: &Path| target.starts_with(root) && !target.components().any(|c| c == Component::ParentDir);
        self.project_roots.iter().any(|r| inside(r)) || self.import_roots.iter().any(|r| inside(&self.fs.canonical(r)))
    }

    /// Reads the files of a project root: a `.dvc` file, or every `.dvc`
    /// file directly in a directory. Returns the files read.
    pub fn read_root(&mut self, path: &Path) -> Vec<FileId> {
        let start = self.files.len();
        match self.fs.entry(path) {
            Ok(Entry::Dir) => self.read_dir(path),
            Ok(Entry::File(_)) => self.read_file(path),
            Ok(Entry::Other) => {
                let e = io::Error::new(io::ErrorKind::InvalidInput, "not a regular file");
                self.unreadable(path, &e)
            }
            Err(e) => self.unreadable(path, &e),
        }
        self.files[start..].to_vec()
    }

    fn read_dir(&mut self, dir: &Path) {
        let entries = match self.fs.list(dir) {
            Ok(entries) => entries,
            Err(e) => return self.unreadable(dir, &e),
        };
        // `.` lists `./a.dvc`: shown as `a.dvc`, as the user would write it.
        let here = dir == Path::new(".");
        let mut files: Vec<PathBuf> = entries
            .into_iter()
            .map(|p| match (here, p.strip_prefix(".")) {
                (true, Ok(rest)) => rest.to_path_buf(),
                _ => p,
            })
            .filter(|p| p.extension().is_some_and(|x| x == "dvc") && matches!(self.fs.entry(p), Ok(Entry::File(_))))
            .collect();
        files.sort();
        if files.is_empty() {
            let id = self.db.add(display(dir), "", Origin::User);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::NoDvcFiles,
                    format!("no `.dvc` files in `{}`", display(dir)),
                    Label::new(Span::new(id, 0, 0), "this directory has nothing to check"),
                )
                .with_help("give the directory that holds the project's `.dvc` files, or a `.dvc` file"),
            );
        }
        for f in files {
            self.read_file(&f);
        }
    }

    fn read_file(&mut self, path: &Path) {
        let name = display(path);
        if name.chars().any(char::is_control) {
            // Its name would go into every generated file's header.
            let shown = name.escape_debug().to_string();
            let id = self.db.add(shown.clone(), "", Origin::User);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnprintableFileName,
                    format!("`{shown}` has a line break or control character in its name; it was not read"),
                    Label::new(
                        Span::new(id, 0, 0),
                        "generated files name their sources in their headers",
                    ),
                )
                .with_help("rename the file with letters, digits, `-`, `_` and `.`"),
            );
            return;
        }
        if let Ok(Entry::File(len)) = self.fs.entry(path)
            && len > MAX_FILE_BYTES
        {
            let id = self.db.add(name.clone(), "", Origin::User);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::FileTooLarge,
                    format!(
                        "`{name}` is {:.1} MiB; dvcc reads files of up to {} MiB",
                        len as f64 / 1_048_576.0,
                        MAX_FILE_BYTES / 1_048_576
                    ),
                    Label::new(Span::new(id, 0, 0), "this file was not read"),
                )
                .with_help("split the project over several `.dvc` files in one directory"),
            );
            return;
        }
        match self.fs.read(path) {
            Ok(bytes) => {
                if let Some(id) = self.add_bytes(name, bytes) {
                    self.by_path.insert(self.fs.canonical(path), id);
                }
            }
            Err(e) => self.unreadable(path, &e),
        }
    }

    /// Resolves `import "PATH"` written at `span` in file `from`: a stdlib
    /// module, or a file relative to the importing one (read now unless it
    /// was read before).
    pub fn read_import(&mut self, from: FileId, path: &str, span: Span) -> Import {
        if let Some(module) = path.strip_prefix("std/") {
            if crate::stdlib::module(module).is_some() {
                return Import::Stdlib;
            }
            let names: Vec<&str> = crate::stdlib::MODULES.iter().map(|(n, _)| *n).collect();
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnresolvedImport,
                    format!("no stdlib module `{path}`"),
                    Label::new(span, "not a module of the standard library"),
                )
                .with_help(
                    did_you_mean(module, names.iter().copied())
                        .map(|m| format!("did you mean `std/{m}`?"))
                        .unwrap_or_else(|| format!("the stdlib modules are std/{}", names.join(", std/"))),
                ),
            );
            return Import::Failed;
        }
        let base = Path::new(&self.db.get(from).name)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let target = base.join(path);
        let key = self.fs.canonical(&target);
        if let Some(id) = self.by_path.get(&key) {
            return Import::File(*id);
        }
        let shown = display(&normalize(&target));
        // Only `.dvc` files inside the project, regular and of a readable
        // size: anything else is refused before a byte is read (so nothing
        // of it can reach a diagnostic).
        let refusal = if !path.ends_with(".dvc") {
            Some((
                "only `.dvc` files can be imported".to_string(),
                "import a `.dvc` file of the project, or a stdlib module (`std/NAME`)".to_string(),
            ))
        } else if !self.may_import(&key) {
            Some((
                format!("`{shown}` is outside the project"),
                "imports read files in the project's directory or its git repository; allow another directory with `--import-root DIR`".to_string(),
            ))
        } else {
            match self.fs.entry(&target) {
                Ok(Entry::File(len)) if len > MAX_FILE_BYTES => Some((
                    format!("`{shown}` is larger than {} MiB", MAX_FILE_BYTES / 1_048_576),
                    "split it into several files".to_string(),
                )),
                Ok(Entry::File(_)) | Err(_) => None,
                Ok(Entry::Dir) => Some((
                    format!("`{shown}` is a directory"),
                    "import the files in it one by one".to_string(),
                )),
                Ok(Entry::Other) => Some((
                    format!("`{shown}` is not a regular file"),
                    "import a `.dvc` file, not a device, pipe or socket".to_string(),
                )),
            }
        };
        if let Some((why, help)) = refusal {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnresolvedImport,
                    format!("cannot import `{path}`: {why}"),
                    Label::new(span, "not imported"),
                )
                .with_help(help),
            );
            return Import::Failed;
        }
        match self.fs.read(&target) {
            Ok(bytes) => match self.add_bytes(display(&normalize(&target)), bytes) {
                Some(id) => {
                    self.by_path.insert(key, id);
                    Import::File(id)
                }
                None => Import::Failed,
            },
            Err(e) => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnresolvedImport,
                        format!("cannot import `{path}`: {}", reason(&e)),
                        Label::new(span, format!("looked for `{}`", display(&normalize(&target)))),
                    )
                    .with_help("paths are relative to the importing file; stdlib modules are written `std/NAME`"),
                );
                Import::Failed
            }
        }
    }

    /// Adds file contents, checking the encoding; the file's id when it is
    /// text.
    fn add_bytes(&mut self, name: String, bytes: Vec<u8>) -> Option<FileId> {
        let id = self.add_text(name, bytes)?;
        self.files.push(id);
        Some(id)
    }

    /// Adds a file's bytes to the database (a user file that is not
    /// parsed), reporting bytes that are not text.
    fn add_text(&mut self, name: String, bytes: Vec<u8>) -> Option<FileId> {
        // (Vectorised: the language server reads the edited file on every
        // keystroke.)
        let nul = memchr::memchr(0, &bytes);
        match String::from_utf8(bytes) {
            Ok(text) => {
                let id = self.db.add(name.clone(), text, Origin::User);
                match nul {
                    Some(at) => {
                        // The BOM, if any, was removed by `add`.
                        let at = at.saturating_sub(if self.db.get(id).bom { 3 } else { 0 });
                        self.diagnostics.push(nul_byte(id, &name, at));
                        None
                    }
                    None => Some(id),
                }
            }
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bad = e.as_bytes().get(valid).copied().unwrap_or(0);
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let id = self.db.add(name.clone(), text, Origin::User);
                let bom_len = if self.db.get(id).bom { 3 } else { 0 };
                let at = valid.saturating_sub(bom_len);
                if let Some(n) = nul.filter(|&n| n < valid) {
                    self.diagnostics.push(nul_byte(id, &name, n.saturating_sub(bom_len)));
                }
                let pos = self.db.get(id).line_col(at);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidUtf8,
                        format!(
                            "`{name}` is not valid UTF-8 (first bad byte 0x{bad:02X} at line {}, column {})",
                            pos.line, pos.column
                        ),
                        Label::new(
                            Span::new(id, at, at + '\u{FFFD}'.len_utf8()),
                            format!("byte 0x{bad:02X} is not UTF-8"),
                        ),
                    )
                    .with_help("save the file as UTF-8, for example with `iconv -f latin1 -t utf-8`"),
                );
                None
            }
        }
    }

    /// Reads the `handbook/` directory of the project at `root` (when it is
    /// a directory): its templates (`*.hbs`) and the runbook notes
    /// (`runbooks/*.md`). Returns each file's name relative to `handbook/`
    /// and its id, in name order.
    pub fn read_handbook(&mut self, root: &Path) -> Vec<(String, FileId)> {
        if !matches!(self.fs.entry(root), Ok(Entry::Dir)) {
            return Vec::new();
        }
        let dir = root.join(HANDBOOK_SOURCES);
        let mut out = Vec::new();
        for (sub, ext) in [("", "hbs"), ("runbooks", "md")] {
            let at = if sub.is_empty() { dir.clone() } else { dir.join(sub) };
            let Ok(mut entries) = self.fs.list(&at) else { continue };
            entries.sort();
            for p in entries {
                let Some(file) = p.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                    continue;
                };
                if !file.ends_with(&format!(".{ext}")) || !matches!(self.fs.entry(&p), Ok(Entry::File(_))) {
                    continue;
                }
                let name = if sub.is_empty() { file } else { format!("{sub}/{file}") };
                match self.fs.read(&p) {
                    Ok(bytes) => {
                        if let Some(id) = self.add_text(display(&p), bytes) {
                            out.push((name, id));
                        }
                    }
                    Err(e) => self.unreadable(&p, &e),
                }
            }
        }
        out
    }

    fn unreadable(&mut self, path: &Path, e: &io::Error) {
        let name = display(path);
        let id = self.db.add(name.clone(), "", Origin::User);
        let reason = match e.kind() {
            io::ErrorKind::NotFound => "no such file or directory".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        self.diagnostics.push(
            Diagnostic::new(
                Code::UnreadablePath,
                format!("cannot read `{name}`: {reason}"),
                Label::new(Span::new(id, 0, 0), reason.clone()),
            )
            .with_help("check the path and its permissions; with no path, dvcc reads the current directory"),
        );
    }
}

fn nul_byte(id: FileId, name: &str, at: usize) -> Diagnostic {
    Diagnostic::new(
        Code::NulByte,
        format!("`{name}` contains a NUL byte, so it is not a text file"),
        Label::new(Span::new(id, at, at + 1), "NUL byte here"),
    )
    .with_help("save the file as UTF-8 text (not UTF-16), or remove it from the project")
}

/// `a/./b/../c` → `a/c`, without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// An I/O error as people read it, without the OS's error number.
pub fn reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "no such file".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::NotADirectory => "a part of the path is a file, not a directory".into(),
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        ErrorKind::StorageFull => "the disk is full".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_lowercase(),
                None => text,
            }
        }
    }
}

/// A path as it is shown to users: as given, with `/`.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `path` relative to `base` (both as given, resolved on `fs`; `..` where
/// needed), as generated files' headers name their sources.
pub fn relative(fs: &dyn FileSystem, path: &Path, base: &Path) -> String {
    let (p, b) = (fs.canonical(path), fs.canonical(base));
    let pc: Vec<_> = p.components().collect();
    let bc: Vec<_> = b.components().collect();
    let common = pc.iter().zip(&bc).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    for c in &pc[common..] {
        out.push(c);
    }
    display(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_files_have_directories_and_canonical_paths() {
        let mut fs = MemoryFs::new();
        fs.insert("p/a.dvc", b"x".to_vec());
        fs.insert("p/sub/b.dvc", b"yy".to_vec());
        assert_eq!(fs.entry(Path::new("p")).ok(), Some(Entry::Dir));
        assert_eq!(fs.entry(Path::new("p/./sub/../a.dvc")).ok(), Some(Entry::File(1)));
        assert!(fs.entry(Path::new("q")).is_err());
        assert_eq!(
            fs.list(Path::new("p")).ok(),
            Some(vec![PathBuf::from("p/a.dvc"), PathBuf::from("p/sub")])
        );
        assert_eq!(relative(&fs, Path::new("p/sub/b.dvc"), Path::new("p")), "sub/b.dvc");
        assert_eq!(relative(&fs, Path::new("p/a.dvc"), Path::new("p/sub")), "../a.dvc");
    }

    #[test]
    fn a_directory_in_memory_loads_like_one_on_disk() {
        let mut fs = MemoryFs::new();
        fs.insert("p/b.dvc", b"project p {}".to_vec());
        fs.insert("p/a.dvc", b"import \"../lib/x.dvc\"".to_vec());
        fs.insert("p/notes.txt", b"no".to_vec());
        fs.insert("lib/x.dvc", b"".to_vec());
        let mut loader = Loader::new(&fs);
        loader.enter_project(Path::new("p"));
        let root = loader.read_root(Path::new("p"));
        let names: Vec<&str> = root.iter().map(|f| loader.db.get(*f).name.as_str()).collect();
        assert_eq!(names, ["p/a.dvc", "p/b.dvc"]);
        let span = Span::new(root[0], 0, 0);
        // Outside the project: refused, unless an import root allows it.
        assert_eq!(loader.read_import(root[0], "../lib/x.dvc", span), Import::Failed);
        loader.import_roots.push(PathBuf::from("lib"));
        let Import::File(x) = loader.read_import(root[0], "../lib/x.dvc", span) else {
            panic!("the import resolves in memory")
        };
        assert_eq!(loader.db.get(x).name, "lib/x.dvc");
        assert_eq!(loader.read_import(root[1], "../lib/./x.dvc", span), Import::File(x));
        assert_eq!(loader.read_import(root[0], "std/github", span), Import::Stdlib);
        assert_eq!(loader.read_import(root[0], "missing.dvc", span), Import::Failed);
        // Only `.dvc` files: nothing else is read.
        assert_eq!(loader.read_import(root[0], "notes.txt", span), Import::Failed);
        assert_eq!(loader.read_import(root[0], "sub", span), Import::Failed);
        assert!(loader.diagnostics.iter().all(|d| d.code == Code::UnresolvedImport));
        let messages: Vec<&str> = loader.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "cannot import `../lib/x.dvc`: `lib/x.dvc` is outside the project",
                "cannot import `missing.dvc`: no such file",
                "cannot import `notes.txt`: only `.dvc` files can be imported",
                "cannot import `sub`: only `.dvc` files can be imported",
            ]
        );
        assert!(
            loader.db.ids().all(|id| !loader.db.get(id).name.ends_with("notes.txt")),
            "notes.txt was never read"
        );
    }
}
