//! The credential scan of a project's syntax trees, and what the language
//! server keeps of it from one edit to the next ([`ScanCache`]).
//!
//! The scan reads no meaning, so it runs beside it (`driver::analyze`).
//! What it finds in a top-level item depends on the item's text alone: an
//! item whose text the edit left as it was is found again where the last
//! scan saw it (before the edit, or after it, moved by the edit's length),
//! and its findings are taken back, moved, instead of scanned again.

use super::credentials;
use crate::diag::{Capped, Diagnostic};
use crate::source::{FileId, SourceDb, Spans};
use crate::syntax::ast;
use crate::syntax::scan::{common_prefix, common_suffix};

/// The credential scan of a project's syntax trees (`files`): files on all
/// cores, in order.
pub fn scan_files(db: &SourceDb, files: &[(FileId, &ast::File)]) -> Capped {
    let mut diags = Capped::default();
    for found in crate::par::map(files, |(_, file)| {
        let mut out = Capped::default();
        credentials::scan(db, &file.items, &mut out);
        out
    }) {
        diags.append(found);
    }
    diags
}

/// What the last scan found in each file, by file name.
#[derive(Debug, Default)]
pub struct ScanCache {
    files: crate::hash::Map<String, Scanned>,
    /// How many items the last scan took back (for tests).
    taken: usize,
}

/// One file's last scan: its text, and for each top-level item whose
/// findings could be kept (all inside the item, none past the cap), where
/// the item was and what was found in it, with spans from the item's start
/// (in file 0). In the items' order.
#[derive(Debug)]
struct Scanned {
    text: String,
    items: Vec<(u32, u32, Vec<Diagnostic>)>,
}

/// [`scan_files`], taking back from `cache` the findings of every item the
/// edit since the last scan left as it was, and keeping this scan's for
/// the next. Files the project no longer has are forgotten.
pub fn scan_files_reusing(db: &SourceDb, files: &[(FileId, &ast::File)], cache: &mut ScanCache) -> Capped {
    let work: Vec<(FileId, &ast::File, Option<Scanned>)> = files
        .iter()
        .map(|(id, file)| (*id, *file, cache.files.remove(&db.get(*id).name)))
        .collect();
    let scanned = crate::par::map(&work, |(id, file, last)| scan_file(db, *id, file, last.as_ref()));
    cache.files.clear();
    cache.taken = 0;
    let mut diags = Capped::default();
    for ((id, _, _), (found, kept, taken)) in work.iter().zip(scanned) {
        diags.append(found);
        cache.taken += taken;
        cache.files.insert(db.get(*id).name.clone(), kept);
    }
    diags
}

/// The scan of one file, what to keep of it, and how many items it took
/// back from `last`.
fn scan_file(db: &SourceDb, id: FileId, file: &ast::File, last: Option<&Scanned>) -> (Capped, Scanned, usize) {
    let text = db.text(id);
    let new = text.as_bytes();
    // The text before `same_before` and from `same_after` on is the last
    // text's, moved by `grown` after the edit.
    let (same_before, same_after, grown) = match last {
        Some(last) => {
            let old = last.text.as_bytes();
            let prefix = common_prefix(old, new);
            let room = old.len().min(new.len()) - prefix;
            let suffix = common_suffix(&old[old.len() - room..], &new[new.len() - room..]);
            (prefix, new.len() - suffix, new.len() as i64 - old.len() as i64)
        }
        None => (0, usize::MAX, 0),
    };
    let mut out = Capped::default();
    let mut items = Vec::with_capacity(file.items.len());
    let mut taken_back = 0;
    for item in &file.items {
        let span = item.span();
        let (start, end) = (span.start as usize, span.end as usize);
        let was_at = if end <= same_before {
            Some(start as i64)
        } else if start >= same_after {
            Some(start as i64 - grown)
        } else {
            None
        };
        let taken = last.zip(was_at).and_then(|(last, at)| {
            let at = u32::try_from(at).ok()?;
            let i = last.items.binary_search_by_key(&at, |(s, _, _)| *s).ok()?;
            let (s, e, found) = &last.items[i];
            (e - s == span.end - span.start).then_some(found)
        });
        let found = match taken {
            Some(found) => {
                taken_back += 1;
                found.clone()
            }
            None => {
                let mut found = Capped::default();
                credentials::scan(db, std::slice::from_ref(item), &mut found);
                let mut inside = found.omitted.is_empty();
                for d in &mut found.kept {
                    d.spans(&mut |s| inside &= span.contains(*s));
                }
                if !inside {
                    out.append(found);
                    continue;
                }
                relative(found.kept, span.start)
            }
        };
        out.extend(found.iter().cloned().map(|mut d| {
            d.spans(&mut |s| {
                s.file = span.file;
                s.start += span.start;
                s.end += span.start;
            });
            d
        }));
        items.push((span.start, span.end, found));
    }
    let kept = Scanned {
        text: text.to_string(),
        items,
    };
    (out, kept, taken_back)
}

/// `found` with spans from `start`, in file 0.
fn relative(mut found: Vec<Diagnostic>, start: u32) -> Vec<Diagnostic> {
    for d in &mut found {
        d.spans(&mut |s| {
            s.file = FileId(0);
            s.start -= start;
            s.end -= start;
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;
    use crate::testing::dvc_files;

    /// The scan that takes findings back finds what the scan of the whole
    /// file finds, at the same places, over a sequence of edits of each
    /// file: text put before everything, a character put in and taken out
    /// in the middle, a line cut and put back, a credential cut and put
    /// back, and one overwritten and put back.
    #[test]
    fn the_kept_scan_is_the_scan_of_the_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        for dir in ["examples", "tests/cases"] {
            dvc_files(&root.join(dir), &mut paths);
        }
        paths.sort();
        let (mut found, mut taken_back) = (0, 0);
        for path in &paths {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let middle = crate::source::floor_char_boundary(&text, text.len() / 2);
            let line = text[middle..].find('\n').map(|i| middle + i + 1);
            let mut versions = vec![
                text.clone(),
                format!("# moved\n\n{text}"),
                text.clone(),
                format!("{}x{}", &text[..middle], &text[middle..]),
                text.clone(),
            ];
            if let Some(line) = line {
                let next = text[line..].find('\n').map_or(text.len(), |i| line + i + 1);
                versions.push(format!("{}{}", &text[..line], &text[next..]));
                versions.push(text.clone());
            }
            // A credential taken out of its item and put back: the item's
            // findings change while it stays where it was.
            let mut db = SourceDb::default();
            let file = db.add("main.dvc", text.clone(), Origin::User);
            let mut first = Capped::default();
            credentials::scan(
                &db,
                &crate::syntax::parse_text(file, db.text(file)).ast.items,
                &mut first,
            );
            if let Some(d) = first.kept.first() {
                let (a, b) = (d.primary.span.start as usize, d.primary.span.end as usize);
                versions.push(format!("{}{}", &text[..a], &text[b..]));
                versions.push(text.clone());
                versions.push(format!("{}{}{}", &text[..a], "x".repeat(text[a..b].len()), &text[b..]));
                versions.push(text.clone());
            }
            let mut cache = ScanCache::default();
            for version in versions {
                let mut db = SourceDb::default();
                // (A file before it: its id is not the last scan's.)
                db.add("other.dvc", "", Origin::User);
                let file = db.add("main.dvc", version, Origin::User);
                let parse = crate::syntax::parse_text(file, db.text(file));
                let mut whole = Capped::default();
                credentials::scan(&db, &parse.ast.items, &mut whole);
                let files = [(file, &parse.ast)];
                let kept = scan_files_reusing(&db, &files, &mut cache);
                assert_eq!(kept, whole, "{}", path.display());
                assert_eq!(scan_files(&db, &files), whole, "{}", path.display());
                found += whole.kept.len();
                taken_back += cache.taken;
            }
        }
        assert!(found > 10, "{found} findings compared");
        assert!(taken_back > 100, "{taken_back} items could be taken back");
    }
}
