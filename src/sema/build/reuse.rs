//! What the last analysis of a project built, kept for the next one: the
//! language server analyses the whole project after every keystroke, and
//! most of what it builds is what it built a keystroke ago, at another
//! place in the file.
//!
//! Each service and each declaration (pipeline, rollout, alert, ...) is
//! built by a part builder of its own, as on every core (see
//! `Builder::in_parallel`); what it made is kept by where its block was.
//! The next analysis takes it back, moved to where the text now is, when
//! nothing it read can have changed:
//!
//! - its block's text is the same: its block lies outside the edit, and the
//!   new parse has a block of the same kind exactly there;
//! - every other top-level block but services and declarations (the
//!   project, environments, infrastructure, templates) is the same block,
//!   none added or removed: else nothing is taken back;
//! - for a declaration, no service it looked up (found or not) was edited,
//!   added or removed, and the services' builders reported the same
//!   interpolations first (what a declaration's own first reports are
//!   measured against);
//! - every span of what it made lies outside the edit (else it pointed at
//!   text that changed).
//!
//! **Invariant:** an analysis that takes parts back gives exactly the model
//! and the diagnostics of one that builds everything (a property test in
//! `tests/it/lsp` holds it to that over random edits).
//!
//! The edit is found by comparing each file's text with its last one: the
//! bytes between the longest common prefix and the longest common suffix
//! changed, the rest moved by the difference in length.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::declarations::{Part, declarations_of};
use crate::diag::Capped;
use crate::model::{Interpolated, Model, Service};
use crate::schema::BlockId;
use crate::sema::tree::CheckedBlock;
use crate::source::{FileId, SourceDb, Span, Spans};
use crate::syntax::scan::{common_prefix, common_suffix};

/// What the last analysis of a project built, for the next one (the
/// language server keeps one per project).
#[derive(Default)]
pub struct Reuse {
    last: Option<Kept>,
    /// How the last analysis moved what it took back.
    carried: Option<Carried>,
}

/// What the last analysis took back from the one before it: which
/// declarations (by their label's span), and how that analysis' spans
/// moved to this one's texts. What a later stage found in a declaration
/// that reads nothing else may be taken back with it (`crate::check`).
pub struct Carried {
    shifts: Shifts,
    taken: BTreeSet<Span>,
}

impl Carried {
    /// Whether the declaration labelled at `label` (a span of the last
    /// analysis' texts) was taken back unchanged, with where its label was
    /// in the analysis before.
    pub fn was(&self, label: Span) -> Option<Span> {
        if !self.taken.contains(&label) {
            return None;
        }
        self.shifts.unmap(label)
    }

    /// Moves `span`, of the texts of the analysis before, to the last
    /// analysis' texts; `false` where it touches the edit.
    pub fn move_span(&self, span: &mut Span) -> bool {
        self.shifts.move_span(span)
    }
}

impl std::fmt::Debug for Reuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (services, declarations) = self
            .last
            .as_ref()
            .map_or((0, 0), |k| (k.service_parts.len(), k.declaration_parts.len()));
        f.debug_struct("Reuse")
            .field("services", &services)
            .field("declarations", &declarations)
            .finish()
    }
}

/// One analysis' parts, by the span of the block each was built from.
#[derive(Default)]
pub(super) struct Kept {
    /// Every file read: id, name and text.
    files: Vec<(FileId, String, String)>,
    /// The top-level blocks that are neither services nor declarations.
    globals: BTreeSet<(Span, BlockId)>,
    /// The services' blocks and names.
    services: BTreeSet<(Span, String)>,
    /// What the services' builders reported first, as the declarations'
    /// builders started from it.
    reported: BTreeSet<Span>,
    service_parts: BTreeMap<Span, ServicePart>,
    declaration_parts: BTreeMap<Span, Part>,
    /// Declarations' parts kept without what they built ([`Reuse::settle`]).
    unsettled: Vec<Unsettled>,
}

/// A declaration's part kept without what it built: its block's span, the
/// keys of the declarations to copy back out of the model, and where the
/// strings it interpolated are in the model's.
type Unsettled = (Span, Vec<(u8, Span)>, Range<usize>);

/// What one service's builder made.
#[derive(Clone)]
pub(super) struct ServicePart {
    pub service: Service,
    pub diags: Capped,
    pub interpolated: Vec<Interpolated>,
    pub reported: BTreeSet<Span>,
}

/// Every span of the part but those of `reported` (a set: moved whole).
impl Spans for ServicePart {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let ServicePart {
            service,
            diags,
            interpolated,
            reported: _,
        } = self;
        service.spans(f);
        diags.kept.spans(f);
        interpolated.spans(f);
    }
}

/// One analysis taking back what the last one built, and keeping what it
/// builds for the next.
pub struct Plan {
    shifts: Shifts,
    /// The declarations taken back, by their label's span.
    taken: BTreeSet<Span>,
    /// The last analysis' parts, if any can be taken back.
    last: Option<Kept>,
    /// Services edited, added or removed since, by name.
    changed_services: BTreeSet<String>,
    /// Whether the declarations' parts may be taken back (known once the
    /// services are built: [`Plan::services_built`]).
    declarations: bool,
    next: Kept,
}

/// A top-level block that is neither a service nor a declaration.
fn is_global(id: BlockId) -> bool {
    id != BlockId::Service && !super::declarations::is_declaration(id)
}

impl Reuse {
    /// The plan of an analysis of `files` whose checked top-level blocks
    /// are `user`.
    pub(crate) fn plan(&mut self, db: &SourceDb, files: &[FileId], user: &[CheckedBlock<'_>]) -> Plan {
        let mut next = Kept {
            files: files
                .iter()
                .map(|f| {
                    let file = db.get(*f);
                    (*f, file.name.clone(), file.text.clone())
                })
                .collect(),
            ..Kept::default()
        };
        for node in user {
            let span = node.block.span;
            match node.schema.id {
                BlockId::Service => {
                    next.services.insert((span, node.label().to_string()));
                }
                id if is_global(id) => {
                    next.globals.insert((span, id));
                }
                _ => {}
            }
        }
        self.carried = None;
        let mut plan = Plan {
            shifts: Shifts::default(),
            taken: BTreeSet::new(),
            last: None,
            changed_services: BTreeSet::new(),
            declarations: false,
            next,
        };
        let Some(mut last) = self.last.take() else {
            return plan;
        };
        if !last.unsettled.is_empty() {
            // (Never settled: those parts lack what they built.)
            for (span, ..) in std::mem::take(&mut last.unsettled) {
                last.declaration_parts.remove(&span);
            }
        }
        let same_files = last.files.len() == plan.next.files.len()
            && last
                .files
                .iter()
                .zip(&plan.next.files)
                .all(|(a, b)| a.0 == b.0 && a.1 == b.1);
        if !same_files {
            return plan;
        }
        plan.shifts = Shifts(
            last.files
                .iter()
                .zip(&plan.next.files)
                .filter_map(|((file, _, old), (_, _, new))| Shift::between(*file, old, new))
                .collect(),
        );
        let globals_kept = last.globals.len() == plan.next.globals.len()
            && plan.next.globals.iter().all(|(span, id)| {
                plan.shifts
                    .unmap(*span)
                    .is_some_and(|old| last.globals.contains(&(old, *id)))
            });
        if !globals_kept {
            return plan;
        }
        let mut kept = BTreeSet::new();
        for (span, name) in &plan.next.services {
            match plan.shifts.unmap(*span) {
                Some(old) if last.services.contains(&(old, name.clone())) => {
                    kept.insert(old);
                }
                _ => {
                    plan.changed_services.insert(name.clone());
                }
            }
        }
        for (span, name) in &last.services {
            if !kept.contains(span) {
                plan.changed_services.insert(name.clone());
            }
        }
        plan.last = Some(last);
        plan
    }

    /// Keeps what `plan`'s analysis built for the next one.
    pub(crate) fn finish(&mut self, plan: Plan) {
        self.last = Some(plan.next);
        self.carried = Some(Carried {
            shifts: plan.shifts,
            taken: plan.taken,
        });
    }

    /// What the last analysis took back, and how it moved (`None` before
    /// the first, or when it took nothing back).
    pub fn carried(&self) -> Option<&Carried> {
        self.carried.as_ref().filter(|c| !c.taken.is_empty())
    }

    /// Copies the declarations the last analysis built, and the strings
    /// they interpolated, out of the model it made (whose declarations are
    /// as built, but for their file names and runbook links, which the
    /// analysis sets again the same way): left for when nobody waits, as
    /// copying them takes a tenth of an analysis. An analysis before this
    /// builds every declaration again.
    pub fn settle(&mut self, model: &Model) {
        let Some(last) = &mut self.last else { return };
        if last.unsettled.is_empty() {
            return;
        }
        let mut built = declarations_of(model);
        for (span, keys, strings) in std::mem::take(&mut last.unsettled) {
            let settled = match (last.declaration_parts.get_mut(&span), model.interpolated.get(strings)) {
                (Some(part), Some(strings)) => part.settle(&keys, &mut built, strings),
                _ => false,
            };
            if !settled {
                last.declaration_parts.remove(&span);
            }
        }
    }
}

impl Plan {
    /// What the last analysis built for the service declared by `node`,
    /// moved to where it is now, if it may be taken back.
    pub(super) fn service(&mut self, node: &CheckedBlock<'_>) -> Option<ServicePart> {
        let old = self.shifts.unmap(node.block.span)?;
        let mut part = self.last.as_mut()?.service_parts.remove(&old)?;
        let shifts = &self.shifts;
        let mut moved = true;
        part.spans(&mut |s| moved &= shifts.move_span(s));
        moved &= shifts.move_set(&mut part.reported);
        moved.then_some(part)
    }

    /// Keeps what was built for the service declared by `node`.
    pub(super) fn keep_service(&mut self, node: &CheckedBlock<'_>, part: &ServicePart) {
        if part.diags.omitted.is_empty() {
            self.next.service_parts.insert(node.block.span, part.clone());
        }
    }

    /// Called once the services are built, with what they reported first:
    /// whether the declarations' parts may be taken back.
    pub(super) fn services_built(&mut self, reported: &BTreeSet<Span>) {
        self.next.reported = reported.clone();
        let Some(last) = &mut self.last else { return };
        let mut old = std::mem::take(&mut last.reported);
        self.declarations = self.shifts.move_set(&mut old) && old == *reported;
    }

    /// What the last analysis built for the declaration `node`, moved to
    /// where it is now, if it may be taken back.
    pub(super) fn declaration(&mut self, node: &CheckedBlock<'_>) -> Option<Part> {
        if !self.declarations {
            return None;
        }
        let old = self.shifts.unmap(node.block.span)?;
        let mut part = self.last.as_mut()?.declaration_parts.remove(&old)?;
        if part.reads.iter().any(|s| self.changed_services.contains(s)) {
            return None;
        }
        let shifts = &self.shifts;
        let mut moved = true;
        part.spans(&mut |s| moved &= shifts.move_span(s));
        moved &= shifts.move_set(&mut part.reported);
        if moved {
            self.taken.insert(node.label_span());
        }
        moved.then_some(part)
    }

    /// Keeps no declaration's part for the next analysis (they could not
    /// be merged: the next builds them all), and takes none back.
    pub(super) fn forget_declarations(&mut self) {
        self.next.declaration_parts.clear();
        self.next.unsettled.clear();
        self.taken.clear();
    }

    /// Keeps what was built for the declaration `node`.
    /// `strings` is where its interpolated strings will be in the model's.
    pub(super) fn keep_declaration(&mut self, node: &CheckedBlock<'_>, part: &Part, strings: Range<usize>) {
        if part.diags.omitted.is_empty() {
            let (part, keys) = part.without_built();
            self.next.declaration_parts.insert(node.block.span, part);
            self.next.unsettled.push((node.block.span, keys, strings));
        }
    }
}

/// How each edited file's spans move: the others' stay.
#[derive(Default)]
struct Shifts(Vec<Shift>);

/// One file's edit: the bytes `start..old_end` of its last text became
/// `start..new_end`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Shift {
    file: FileId,
    start: u32,
    old_end: u32,
    new_end: u32,
}

impl Shift {
    /// The edit between two texts of `file` (`None`: the same text).
    fn between(file: FileId, old: &str, new: &str) -> Option<Shift> {
        if old == new {
            return None;
        }
        let (old, new) = (old.as_bytes(), new.as_bytes());
        let prefix = common_prefix(old, new);
        let room = old.len().min(new.len()) - prefix;
        let suffix = common_suffix(&old[old.len() - room..], &new[new.len() - room..]);
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Some(Shift {
            file,
            start: at(prefix),
            old_end: at(old.len() - suffix),
            new_end: at(new.len() - suffix),
        })
    }

    /// `span`, in a text where the edit ends at `from`, moved to one where
    /// it ends at `to`; `None` where it touches the edit. An empty span at
    /// either end of the edit could be before or after it: `None` too.
    fn moved(self, span: Span, from: u32, to: u32) -> Option<Span> {
        let before = span.end < self.start || (span.end == self.start && span.start < span.end);
        if before {
            return Some(span);
        }
        let after = span.start > from || (span.start == from && span.start < span.end);
        if !after {
            return None;
        }
        Some(Span {
            file: span.file,
            start: span.start - from + to,
            end: span.end - from + to,
        })
    }
}

impl Shifts {
    fn of(&self, file: FileId) -> Option<Shift> {
        self.0.iter().find(|s| s.file == file).copied()
    }

    /// A span of the last texts in the new ones.
    fn map(&self, span: Span) -> Option<Span> {
        match self.of(span.file) {
            Some(s) => s.moved(span, s.old_end, s.new_end),
            None => Some(span),
        }
    }

    /// A span of the new texts in the last ones.
    fn unmap(&self, span: Span) -> Option<Span> {
        match self.of(span.file) {
            Some(s) => s.moved(span, s.new_end, s.old_end),
            None => Some(span),
        }
    }

    /// Moves `span` to the new texts; `false` where it touches an edit.
    fn move_span(&self, span: &mut Span) -> bool {
        match self.map(*span) {
            Some(moved) => {
                *span = moved;
                true
            }
            None => false,
        }
    }

    /// Moves every span of `set`; `false` where one touches an edit.
    fn move_set(&self, set: &mut BTreeSet<Span>) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let moved: Option<BTreeSet<Span>> = set.iter().map(|s| self.map(*s)).collect();
        match moved {
            Some(moved) => {
                *set = moved;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: u32, end: u32) -> Span {
        Span {
            file: FileId(0),
            start,
            end,
        }
    }

    #[test]
    fn an_edit_is_what_lies_between_the_common_prefix_and_suffix() {
        let s = Shift::between(FileId(0), "ab 2 cd", "ab xy cd").unwrap();
        assert_eq!((s.start, s.old_end, s.new_end), (3, 4, 5));
        // Repeated text: the suffix never overlaps the prefix.
        let s = Shift::between(FileId(0), "aa", "aaa").unwrap();
        assert_eq!((s.start, s.old_end, s.new_end), (2, 2, 3));
        assert!(Shift::between(FileId(0), "same", "same").is_none());
    }

    #[test]
    fn spans_before_an_edit_stay_those_after_it_move_those_on_it_are_lost() {
        // `ab 2 cd` → `ab xy cd`.
        let shifts = Shifts(vec![Shift::between(FileId(0), "ab 2 cd", "ab xy cd").unwrap()]);
        assert_eq!(shifts.map(span(0, 2)), Some(span(0, 2)));
        assert_eq!(shifts.map(span(0, 3)), Some(span(0, 3)));
        assert_eq!(shifts.map(span(5, 7)), Some(span(6, 8)));
        assert_eq!(shifts.map(span(4, 5)), Some(span(5, 6)));
        assert_eq!(shifts.map(span(3, 4)), None);
        assert_eq!(shifts.map(span(2, 5)), None);
        // Empty spans at the edit's ends are ambiguous.
        assert_eq!(shifts.map(span(3, 3)), None);
        assert_eq!(shifts.map(span(4, 4)), None);
        assert_eq!(shifts.map(span(2, 2)), Some(span(2, 2)));
        assert_eq!(shifts.map(span(6, 6)), Some(span(7, 7)));
        // And back; other files stay.
        assert_eq!(shifts.unmap(span(6, 8)), Some(span(5, 7)));
        let other = Span {
            file: FileId(1),
            start: 3,
            end: 4,
        };
        assert_eq!(shifts.map(other), Some(other));
    }

    #[test]
    fn common_ends_are_found_across_blocks() {
        let a: Vec<u8> = (0..1000).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 127, 128, 129, 500, 999] {
            let mut b = a.clone();
            b[at] ^= 0xff;
            assert_eq!(common_prefix(&a, &b), at);
            assert_eq!(common_suffix(&a, &b), 999 - at);
        }
        assert_eq!(common_prefix(&a, &a[..300]), 300);
        assert_eq!(common_suffix(&a, &a[700..]), 300);
        assert_eq!(common_suffix(b"", b"x"), 0);
    }

    #[test]
    fn an_insertion_moves_what_starts_where_it_is() {
        // `ab}cd` → `ab}XXcd`: the block `ab}` stays, `cd` moves.
        let shifts = Shifts(vec![Shift::between(FileId(0), "ab}cd", "ab}XXcd").unwrap()]);
        assert_eq!(shifts.map(span(0, 3)), Some(span(0, 3)));
        assert_eq!(shifts.map(span(3, 5)), Some(span(5, 7)));
        assert_eq!(shifts.map(span(3, 3)), None);
    }
}
