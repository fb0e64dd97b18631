//! Build stamps: an unchanged rebuild costs a look at the files, not a
//! compilation. After a clean build (no diagnostic) of a project directory,
//! dvcc records in its cache directory what the build read (every input's
//! content hash, the directory's `.dvc` names, the dvcc binary) and what it
//! left (every output's size and modification time, and those of the
//! directories holding them). The next `build` or `build --check` of the
//! same project into the same place with the same options first compares:
//! when nothing differs, the outputs are what a build would write, and it
//! says so without loading anything.
//!
//! **Invariant:** a stamp only ever answers "unchanged" — anything it cannot
//! vouch for (a missing or unreadable stamp, a changed, added or removed
//! input, an output or a directory touched since, another binary) falls back
//! to the full build. Outputs modified within [`RACY`] of the stamp are not
//! vouched for (a file system's timestamps are coarse, so a same-size edit
//! right after a build could keep its time): such a stamp is not written.
//!
//! Stamps live in `$DVCC_CACHE_DIR`, else `$XDG_CACHE_HOME/dvcc`, else
//! `~/.cache/dvcc` (one small file per project and output directory);
//! `DVCC_NO_CACHE=1` turns them off.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::source::{FileId, SourceDb, SourceFile};

/// How close to the stamp's writing a file's modification time makes it
/// unsafe to vouch for.
const RACY: Duration = Duration::from_secs(2);

/// What a stamp is for: a project directory built into an output directory
/// for some targets.
pub struct Key {
    pub root: PathBuf,
    pub out: PathBuf,
    pub targets: Vec<&'static str>,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Stamp {
    version: String,
    /// The dvcc binary: size and modification time.
    exe: (u64, u128),
    /// The `.dvc` file names directly in the project directory.
    listing: Vec<String>,
    /// Every input (as loaded) and the hash of its bytes.
    inputs: Vec<(String, u128)>,
    /// Every output, relative to the output directory: size, mtime (ns).
    outputs: Vec<(String, u64, u128)>,
    /// The directories holding outputs, and the owned ones and all below
    /// them: mtime (ns), or none for an owned directory that is absent.
    dirs: Vec<(String, Option<u128>)>,
}

fn cache_dir() -> Option<PathBuf> {
    if std::env::var_os("DVCC_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    let from = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from);
    from("DVCC_CACHE_DIR")
        .or_else(|| from("XDG_CACHE_HOME").map(|d| d.join("dvcc")))
        .or_else(|| from("HOME").map(|d| d.join(".cache").join("dvcc")))
}

/// A 128-bit hash of `bytes` (two differently seeded SipHashes): a change
/// of an input goes unnoticed with negligible probability.
fn hash(bytes: &[u8]) -> u128 {
    let mut a = std::collections::hash_map::DefaultHasher::new();
    let mut b = std::collections::hash_map::DefaultHasher::new();
    0xd5u8.hash(&mut b);
    bytes.hash(&mut a);
    bytes.hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

fn nanos(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

fn mtime(path: &Path) -> Option<(u64, u128)> {
    let m = std::fs::symlink_metadata(path).ok()?;
    Some((m.len(), nanos(m.modified().ok()?)))
}

/// Where the stamp of `key` is kept.
fn path(key: &Key) -> Option<PathBuf> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let id = format!(
        "{}\n{}\n{}",
        canonical(&key.root).display(),
        canonical(&key.out).display(),
        key.targets.join(",")
    );
    Some(
        cache_dir()?
            .join("stamps")
            .join(format!("{:032x}.json", hash(id.as_bytes()))),
    )
}

fn exe() -> (u64, u128) {
    std::env::current_exe().ok().and_then(|p| mtime(&p)).unwrap_or_default()
}

/// The `.dvc` file names directly in `root`, then the names in its
/// `handbook/` and `handbook/runbooks/` directories (what a build reads).
fn listing(root: &Path) -> Option<Vec<String>> {
    let names = |dir: &Path, keep: &dyn Fn(&str) -> bool| -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| keep(n))
            .collect();
        out.sort();
        out
    };
    std::fs::read_dir(root).ok()?;
    let mut out = names(root, &|n| n.ends_with(".dvc"));
    let handbook = root.join(crate::load::HANDBOOK_SOURCES);
    out.extend(names(&handbook, &|_| true).into_iter().map(|n| format!("handbook/{n}")));
    out.extend(
        names(&handbook.join("runbooks"), &|_| true)
            .into_iter()
            .map(|n| format!("handbook/runbooks/{n}")),
    );
    Some(out)
}

/// When the stamp of `key` vouches that a build would change nothing: how
/// many files it generates (all unchanged).
pub fn fresh(key: &Key) -> Option<usize> {
    let text = std::fs::read(path(key)?).ok()?;
    let stamp: Stamp = serde_json::from_slice(&text).ok()?;
    let same = stamp.version == env!("CARGO_PKG_VERSION")
        && stamp.exe == exe()
        && listing(&key.root)? == stamp.listing
        && stamp
            .inputs
            .iter()
            .all(|(name, h)| std::fs::read(name).is_ok_and(|bytes| hash(&bytes) == *h))
        && stamp
            .outputs
            .iter()
            .all(|(rel, len, t)| mtime(&key.out.join(rel)) == Some((*len, *t)))
        && stamp
            .dirs
            .iter()
            .all(|(rel, t)| mtime(&key.out.join(rel)).map(|m| m.1) == *t);
    same.then_some(stamp.outputs.len())
}

/// The bytes a source file was read from: its text, after the byte order
/// mark it had.
fn bytes(file: &SourceFile) -> Vec<u8> {
    let mut bytes = if file.bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
    bytes.extend_from_slice(file.text.as_bytes());
    bytes
}

/// Records the stamp of a clean build of `key`: `inputs` are the files it
/// read (as loaded into `db`), `outputs` what it generated (relative to the
/// output directory) and `owned` the directories it owns. Best effort: a
/// stamp that cannot be written is no stamp.
pub fn record(key: &Key, db: &SourceDb, inputs: &[FileId], outputs: &[String], owned: &[String]) {
    let Some(file) = path(key) else { return };
    let Some(listing) = listing(&key.root) else { return };
    let now = nanos(SystemTime::now());
    let racy = |t: u128| t + RACY.as_nanos() >= now;
    let mut stamped = Vec::with_capacity(outputs.len());
    let mut dirs: BTreeSet<String> = owned.iter().cloned().collect();
    for rel in outputs {
        let Some((len, t)) = mtime(&key.out.join(rel)) else {
            return;
        };
        if racy(t) {
            return;
        }
        stamped.push((rel.clone(), len, t));
        let mut at = Path::new(rel).parent();
        while let Some(dir) = at.filter(|d| !d.as_os_str().is_empty()) {
            if !dirs.insert(dir.to_string_lossy().into_owned()) {
                break;
            }
            at = dir.parent();
        }
    }
    // Every directory below the owned ones too, outputs or not: a file
    // dropped into any of them changes its time.
    let mut below = Vec::new();
    for dir in owned {
        subdirectories(&key.out.join(dir), dir, &mut below);
    }
    dirs.extend(below);
    let mut dir_times = Vec::with_capacity(dirs.len());
    for rel in dirs {
        // An owned directory that does not exist is recorded absent.
        let t = mtime(&key.out.join(&rel)).map(|m| m.1);
        if t.is_some_and(racy) {
            return;
        }
        dir_times.push((rel, t));
    }
    let stamp = Stamp {
        version: env!("CARGO_PKG_VERSION").to_string(),
        exe: exe(),
        listing,
        inputs: inputs
            .iter()
            .map(|id| {
                let file = db.get(*id);
                // Absolute: the next build may run from elsewhere.
                let at = std::fs::canonicalize(&file.name).unwrap_or_else(|_| PathBuf::from(&file.name));
                (at.to_string_lossy().into_owned(), hash(&bytes(file)))
            })
            .collect(),
        outputs: stamped,
        dirs: dir_times,
    };
    let Some(parent) = file.parent() else { return };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    let tmp = file.with_extension(format!("{}.tmp", std::process::id()));
    if serde_json::to_vec(&stamp).is_ok_and(|bytes| std::fs::write(&tmp, bytes).is_ok()) {
        let _ = std::fs::rename(&tmp, &file);
    } else {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The directories below `dir` (relative names), links not followed.
fn subdirectories(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.filter_map(Result::ok) {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let child = format!("{rel}/{}", e.file_name().to_string_lossy());
            subdirectories(&e.path(), &child, out);
            out.push(child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_tell_bytes_apart() {
        assert_eq!(hash(b"abc"), hash(b"abc"));
        assert_ne!(hash(b"abc"), hash(b"abd"));
        assert_ne!(hash(b""), hash(b"\0"));
        assert_ne!(
            hash(b"x") >> 64,
            hash(b"x") & u128::from(u64::MAX),
            "two different halves"
        );
    }
}
