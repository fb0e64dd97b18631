//! Target checks on the resolved model and the checked tree, reported on
//! the `.dvc` spans: plaintext credentials, cron syntax, action references,
//! expression injection in scripts, triggers that can never fire, deploys
//! without a region, PromQL and SLO maths, the Helm and Terraform targets'
//! rules. They run after meaning (`crate::sema`) and before any backend,
//! so backends never see a model with errors.
//!
//! **Boundary:** checks read target facts (`crate::target`), never an
//! emitter (`crate::backend`).

mod actions;
pub mod credentials;
pub mod cron;
mod dataflow;
pub mod expr;
mod handbook;
pub mod helm;
mod infra;
mod kube;
mod kubenames;
mod observability;
mod pipelines;
pub mod promql;
mod rollouts;
pub mod terraform;
pub mod witness;

pub use actions::untrusted;

use crate::diag::{Capped, Diagnostic};
use crate::model::Model;
use crate::sema::tree::CheckedBlock;
use crate::source::{FileId, SourceDb, Span, Spans};
use crate::syntax::ast;

/// The credential scan of a project's syntax trees (`files`): it reads no
/// meaning, so it runs beside it (`driver::analyze`). Files on all cores,
/// in order.
pub fn scan_files(db: &SourceDb, files: &[(FileId, &ast::File)]) -> Capped {
    let mut diags = Capped::default();
    for found in crate::par::map(files, |(file_id, file)| {
        let mut out = Capped::default();
        if crate::memo::is_long_lived() {
            let text = db.text(*file_id);
            for item in &file.items {
                scan_item(db, text, item, &mut out);
            }
        } else {
            credentials::scan(db, &file.items, &mut out);
        }
        out
    }) {
        diags.append(found);
    }
    diags
}

/// What the scan found in a top-level item, with spans from the item's
/// start (in file 0), by the item's text: `None` where a finding points
/// outside the item or some were past the cap (then scanned each time).
type ItemFindings = Option<Vec<Diagnostic>>;

static SCANNED: crate::memo::Memo<String, ItemFindings> = crate::memo::Memo::new(16_384);

/// The credential scan of one top-level item, remembered by its text in a
/// long-lived process (the language server scans every item of a project
/// on each keystroke, and all but the edited one are as they were): an
/// item's findings depend on its text alone.
fn scan_item(db: &SourceDb, text: &str, item: &ast::Item, out: &mut Capped) {
    let span = item.span();
    let scan = |out: &mut Capped| credentials::scan(db, std::slice::from_ref(item), out);
    let Some(item_text) = text.get(span.range()) else {
        return scan(out);
    };
    let found = SCANNED.get_or(item_text, || {
        let mut found = Capped::default();
        scan(&mut found);
        let mut inside = found.omitted.is_empty();
        for d in &mut found.kept {
            d.spans(&mut |s| {
                inside &= span.contains(*s);
                s.file = FileId(0);
                s.start = s.start.saturating_sub(span.start);
                s.end = s.end.saturating_sub(span.start);
            });
        }
        inside.then_some(found.kept)
    });
    match found {
        Some(found) => out.extend(found.into_iter().map(|mut d| {
            d.spans(&mut |s| {
                s.file = span.file;
                s.start += span.start;
                s.end += span.start;
            });
            d
        })),
        None => scan(out),
    }
}

/// Every target check of a project: `scanned` is what [`scan_files`] found
/// in its syntax trees, `user` its checked tree, `model` what was built.
///
/// The checks read the tree and the model alone: the credential scan of
/// what interpolation put together runs on one core while the others run
/// on another. The two that read what was reported before them (a value
/// whose own error explains it) come after, with the earlier errors in
/// place.
pub fn run(db: &SourceDb, scanned: Capped, user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    let before = diags.kept.len();
    diags.append(scanned);
    let (interpolated, others) = crate::par::both(
        || {
            // (Itself split: in a large project it outweighs the others,
            // and the system shares the cores among the three threads.)
            let mut out = Capped::default();
            for found in crate::par::map(&model.interpolated, |i| {
                let mut out = Capped::default();
                let pieces: Vec<&str> = i.pieces.iter().map(String::as_str).collect();
                credentials::scan_interpolated(&i.text, &pieces, i.span, i.site, &mut out);
                out
            }) {
                out.append(found);
            }
            out
        },
        || {
            let mut out = Capped::default();
            independent(db, user, model, &mut out);
            out
        },
    );
    diags.append(interpolated);
    diags.append(others);
    pipelines::regions(user, model, diags);
    helm::images(user, model, diags);
    drop_cascades(user, before, diags);
}

/// The checks that read nothing reported before them.
fn independent(db: &SourceDb, user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    pipelines::schedules(db, model, diags);
    actions::actions(model, diags);
    actions::injection(model, diags);
    dataflow::run(db, model, diags);
    pipelines::events(user, diags);
    pipelines::skipped_after_deploys(model, diags);
    pipelines::triggers(user, diags);
    observability::alerts(db, model, diags);
    observability::records(db, model, diags);
    observability::gates(db, model, diags);
    observability::alert_tests(db, model, diags);
    observability::slos(db, model, diags);
    helm::run(user, model, diags);
    kube::run(user, model, diags);
    rollouts::run(model, diags);
    terraform::run(user, model, diags);
    infra::run(user, model, diags);
    infra::terraform_dirs(model, diags);
    handbook::run(db, model, diags);
}

/// Codes that report a consequence of a block's values (a health check with
/// no port, an empty image, an SLO's maths): in a block whose own error was
/// reported, the consequence is that error's, not a second problem.
const DERIVED: [crate::diag::Code; 4] = [
    crate::diag::Code::HealthWithoutPort,
    crate::diag::Code::InvalidImage,
    crate::diag::Code::UnreachableSlo,
    crate::diag::Code::CanaryWeightInPods,
];

/// Drops what the checks (diagnostics from `before` on) say about values an
/// earlier error already covers: derived codes in a block holding an
/// earlier error, and a credential in a value already rejected.
fn drop_cascades(user: &[CheckedBlock<'_>], before: usize, diags: &mut Capped) {
    if diags.kept.len() <= before {
        return;
    }
    let earlier = Capped {
        kept: diags.kept[..before].iter().filter(|d| d.is_error()).cloned().collect(),
        omitted: Default::default(),
    };
    if earlier.kept.is_empty() {
        return;
    }
    let flawed: Vec<Span> = user
        .iter()
        .map(|b| b.block.span)
        .filter(|s| earlier.explains(*s))
        .collect();
    let mut i = 0;
    diags.kept.retain(|d| {
        i += 1;
        let derived = DERIVED.contains(&d.code) && flawed.iter().any(|s| s.contains(d.primary.span));
        let credential = d.code == crate::diag::Code::PlaintextCredential && earlier.covers(d.primary.span);
        i <= before || !(derived || credential)
    });
}

/// The source span of bytes `start..end` of `text`, the value of a string
/// literal at `lit`; the whole literal when the source is not `text` verbatim
/// (escapes or interpolation changed it).
pub(crate) fn inside(db: &SourceDb, lit: Span, text: &str, start: usize, end: usize) -> Span {
    let src = db.slice(lit);
    if src.len() == text.len() + 2 && &src[1..src.len() - 1] == text {
        Span {
            start: lit.start + 1 + start as u32,
            end: lit.start + 1 + end.max(start) as u32,
            ..lit
        }
    } else {
        lit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;

    /// Every `.dvc` file under `dir`.
    fn dvc_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dvc_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "dvc") {
                out.push(p);
            }
        }
    }

    /// The scan of each item remembered by its text finds what the scan
    /// of the whole file finds, at the same places: in the file, and in a
    /// copy where every item starts elsewhere (the memo's entries made by
    /// the first are read back for the second).
    #[test]
    fn the_remembered_scan_of_items_is_the_scan_of_the_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        for dir in ["examples", "tests/cases"] {
            dvc_files(&root.join(dir), &mut paths);
        }
        paths.sort();
        let mut found = 0;
        crate::memo::long_lived(true);
        for path in &paths {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            for text in [text.clone(), format!("# moved\n\n{text}")] {
                let mut db = SourceDb::default();
                let file = db.add("main.dvc", text.clone(), Origin::User);
                let parse = crate::syntax::parse_text(file, db.text(file));
                let mut whole = Capped::default();
                credentials::scan(&db, &parse.ast.items, &mut whole);
                let files = [(file, &parse.ast)];
                // Twice: remembered the first time, read back the second.
                for _ in 0..2 {
                    let items = scan_files(&db, &files);
                    assert_eq!(items, whole, "{}", path.display());
                }
                found += whole.kept.len();
            }
        }
        assert!(found > 10, "{found} findings compared");
    }
}
