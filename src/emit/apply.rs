//! Carrying out a [`Plan`]: changed files through a temporary file each,
//! renamed into place once all are written; new files in place; a failure
//! undoes everything (see the module's invariants in [`super`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::Plan;

/// The temporary file beside `path` that its new contents go to first.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // (The process id once: asking is a system call, once per file.)
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    path.with_file_name(format!(".{name}.dvcc-{}.tmp", PID.get_or_init(std::process::id)))
}

/// Carries out the plan. A file that exists is replaced through a
/// temporary file in its directory, renamed over it only when every file
/// is written; a new file is written in place (nothing was there to
/// keep). Files get mode 0644. Then stale generated files are removed. On
/// any failure the temporaries and the new files are removed, so the tree
/// is as it was. Returns the first I/O error.
pub fn apply(out: &Path, plan: &Plan) -> std::io::Result<()> {
    // Each directory is made once, however many files go into it.
    let mut dirs: Vec<&Path> = Vec::new();
    let mut seen = HashSet::new();
    let paths: Vec<PathBuf> = plan.writes.iter().map(|(rel, _, _)| out.join(rel)).collect();
    for path in &paths {
        let dir = path.parent().unwrap_or(out);
        if seen.insert(dir) {
            dirs.push(dir);
        }
    }
    // On every core too (`create_dir_all` takes a parent another thread
    // made meanwhile as made).
    let made = crate::par::map(&dirs, |d| std::fs::create_dir_all(d))
        .into_iter()
        .collect::<std::io::Result<Vec<()>>>();
    // Written on every core; what was written is removed again if any
    // write failed.
    let jobs: Vec<(&PathBuf, &String, bool)> = paths
        .iter()
        .zip(&plan.writes)
        .map(|(path, (_, contents, old))| (path, contents, old.is_none()))
        .collect();
    let mut results: Vec<(Written, std::io::Result<()>)> = if made.is_ok() {
        crate::par::map(&jobs, |&(path, contents, new)| write(path, contents, new))
    } else {
        Vec::new()
    };
    let failed = made
        .err()
        .or_else(|| results.iter_mut().find_map(|(_, r)| std::mem::replace(r, Ok(())).err()));
    let result = match failed {
        Some(e) => Err(e),
        // Renamed on every core too; the first failure is reported.
        None => {
            let renames: Vec<(&PathBuf, &PathBuf)> = results
                .iter()
                .zip(&paths)
                .filter_map(|((w, _), path)| match w {
                    Written::Beside(tmp) => Some((tmp, path)),
                    Written::InPlace | Written::Nothing => None,
                })
                .collect();
            crate::par::map(&renames, |(tmp, path)| std::fs::rename(tmp, path))
                .into_iter()
                .collect::<std::io::Result<Vec<()>>>()
                .map(drop)
        }
    };
    if let Err(e) = result {
        for ((w, _), path) in results.iter().zip(&paths) {
            let _ = match w {
                Written::Beside(tmp) => std::fs::remove_file(tmp),
                Written::InPlace => std::fs::remove_file(path),
                Written::Nothing => Ok(()),
            };
        }
        return Err(e);
    }
    for (rel, _) in &plan.removes {
        let path = out.join(rel);
        std::fs::remove_file(&path)?;
        // A directory the removal emptied (a removed service's chart) goes
        // too; one that still holds anything stays.
        let below_owned = |d: &Path| {
            plan.owned
                .iter()
                .any(|o| d.starts_with(out.join(o)) && d != out.join(o))
        };
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| below_owned(d) && std::fs::remove_dir(d).is_ok()) {
            dir = d.parent();
        }
    }
    Ok(())
}

/// Where [`write`] put a file's new contents.
#[derive(Debug)]
enum Written {
    /// At its path: it was new.
    InPlace,
    /// In this temporary file beside its path, to be renamed over it.
    Beside(PathBuf),
    /// Nowhere (the write failed before creating anything of ours).
    Nothing,
}

/// Writes `contents` for `path`: in place when the plan found nothing there
/// (`new`) and nothing has appeared since, else to a temporary file beside
/// it.
fn write(path: &Path, contents: &str, new: bool) -> (Written, std::io::Result<()>) {
    if new {
        match create(path) {
            Ok(file) => return (Written::InPlace, fill(file, contents)),
            // Something appeared since the plan looked: replaced as a
            // changed file is.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return (Written::Nothing, Err(e)),
        }
    }
    let tmp = temporary(path);
    let file = match create(&tmp) {
        // A temporary left by a process of the same id that was killed.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(&tmp).and_then(|()| create(&tmp))
        }
        file => file,
    };
    match file {
        Ok(file) => (Written::Beside(tmp), fill(file, contents)),
        Err(e) => (Written::Nothing, Err(e)),
    }
}

/// A new file at `path` (never an existing one), mode 0644 whatever the
/// umask.
fn create(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o644);
    }
    let file = options.open(path)?;
    if !umask_keeps_0644() {
        set_mode(&file)?;
    }
    Ok(file)
}

fn fill(mut file: std::fs::File, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    file.write_all(contents.as_bytes())
}

/// Whether a file created with mode 0644 gets exactly that: the process's
/// umask clears none of its bits. Linux reports the umask in
/// `/proc/self/status`; where it cannot be read, every file's mode is set
/// after creation (a system call per file that the usual umask, 022, makes
/// needless).
fn umask_keeps_0644() -> bool {
    static KEEPS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *KEEPS.get_or_init(|| {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Umask:"))
                    .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
            })
            .is_some_and(|umask| umask & 0o644 == 0)
    })
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_mode(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}
