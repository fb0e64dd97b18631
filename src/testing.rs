//! What the unit tests share.

use std::path::{Path, PathBuf};

/// A seeded xorshift generator: property tests are reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every `.dvc` file under `dir`, in order of their paths, appended to
/// `out`.
pub fn dvc_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            dvc_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "dvc") {
            out.push(p);
        }
    }
}
