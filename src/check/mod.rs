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
mod carry;
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
mod scanned;
pub mod terraform;
pub mod witness;

pub use actions::untrusted;
pub use carry::{Carry, CheckCache};
pub use scanned::{ScanCache, scan_files, scan_files_reusing};

use crate::diag::Capped;
use crate::model::Model;
use crate::sema::tree::CheckedBlock;
use crate::source::{SourceDb, Span};

/// Every target check of a project: `scanned` is what [`scan_files`] found
/// in its syntax trees, `user` its checked tree, `model` what was built.
///
/// The checks read the tree and the model alone: the credential scan of
/// what interpolation put together runs on one core while the others run
/// on another. The two that read what was reported before them (a value
/// whose own error explains it) come after, with the earlier errors in
/// place.
///
/// With `carry` (the language server's), the checks of one pipeline at a
/// time take back what they found in the pipelines the meaning took back
/// (see `carry`).
pub fn run(
    db: &SourceDb,
    scanned: Capped,
    user: &[CheckedBlock<'_>],
    model: &Model,
    mut carry: Option<Carry<'_>>,
    diags: &mut Capped,
) {
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
            independent(db, user, model, &mut carry, &mut out);
            if let Some(carry) = carry {
                carry.done();
            }
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
fn independent(
    db: &SourceDb,
    user: &[CheckedBlock<'_>],
    model: &Model,
    carry: &mut Option<Carry<'_>>,
    diags: &mut Capped,
) {
    use carry::{Family, each};
    let pipelines = &model.pipelines;
    pipelines::schedules(db, model, diags);
    each(pipelines, |p| (Family::Actions, p.span), carry, diags, actions::actions);
    each(
        pipelines,
        |p| (Family::Injection, p.span),
        carry,
        diags,
        actions::injection,
    );
    each(
        pipelines,
        |p| (Family::Dataflow, p.span),
        carry,
        diags,
        |p, d| dataflow::run(db, p, d),
    );
    pipelines::events(user, diags);
    pipelines::skipped_after_deploys(model, diags);
    pipelines::triggers(user, diags);
    observability::alerts(db, model, carry, diags);
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
