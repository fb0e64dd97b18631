//! What the checks of one declaration at a time found, kept for the
//! language server's next analysis: a declaration the meaning took back
//! unchanged (`sema::Carried`) is not checked again by the checks that
//! read nothing but the declaration and the text at its spans (and what
//! their key says: whether a test names an alert); what they found in it
//! last time is moved to where its text now is.
//!
//! **Invariant:** what is taken back is what checking the declaration
//! again finds (a property test in `tests/it/lsp` holds the whole analysis
//! to one from scratch over random edits).

use crate::diag::{Capped, Diagnostic};
use crate::sema::Carried;
use crate::source::{Span, Spans};

/// The checks that read one declaration alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Family {
    /// A pipeline's expressions.
    Dataflow,
    /// A pipeline's actions.
    Actions,
    /// A pipeline's scripts.
    Injection,
    /// An alert's query, and whether it gets a generated test (it reads
    /// whether a test of the user's names it: part of the key).
    Alert { tested: bool },
}

/// What each check of one declaration at a time found in each
/// declaration, by the span of its label (the language server keeps one
/// per project).
#[derive(Debug, Default)]
pub struct CheckCache {
    last: crate::hash::Map<(Family, Span), Vec<Diagnostic>>,
    next: crate::hash::Map<(Family, Span), Vec<Diagnostic>>,
}

/// A check run that takes back from `cache` what `carried` allows.
pub struct Carry<'c> {
    cache: &'c mut CheckCache,
    carried: Option<&'c Carried>,
}

impl<'c> Carry<'c> {
    /// Takes back from `cache` what the pipelines `carried` took back
    /// hold; what this run finds replaces it ([`Carry::done`]).
    pub fn new(cache: &'c mut CheckCache, carried: Option<&'c Carried>) -> Carry<'c> {
        cache.next.clear();
        Carry { cache, carried }
    }

    /// What `family` found last time in the declaration labelled at
    /// `label`, moved, where the declaration was taken back unchanged.
    fn take(&mut self, family: Family, label: Span) -> Option<Vec<Diagnostic>> {
        let carried = self.carried?;
        let was = carried.was(label)?;
        let mut found = self.cache.last.remove(&(family, was))?;
        let mut moved = true;
        found.spans(&mut |s| moved &= carried.move_span(s));
        moved.then_some(found)
    }

    /// Ends the run: what it found is what the next takes back.
    pub fn done(self) {
        self.cache.last = std::mem::take(&mut self.cache.next);
    }
}

/// Runs `check` on each of `items` (declarations, keyed by `key`: the
/// check and the span of the declaration's label), in order, or takes back
/// what it found in one last time (see the module's text). What is not
/// taken back is checked on all cores.
pub(super) fn each<T: Sync>(
    items: &[T],
    key: impl Fn(&T) -> (Family, Span),
    carry: &mut Option<Carry<'_>>,
    diags: &mut Capped,
    check: impl Fn(&T, &mut Capped) + Sync,
) {
    let Some(carry) = carry else {
        for item in items {
            check(item, diags);
        }
        return;
    };
    let keys: Vec<(Family, Span)> = items.iter().map(&key).collect();
    let mut found: Vec<Option<Capped>> = keys
        .iter()
        .map(|(family, label)| {
            carry.take(*family, *label).map(|kept| Capped {
                kept,
                omitted: Default::default(),
            })
        })
        .collect();
    let missing: Vec<(usize, &T)> = items.iter().enumerate().filter(|(i, _)| found[*i].is_none()).collect();
    let checked = crate::par::map(&missing, |(_, item)| {
        let mut out = Capped::default();
        check(item, &mut out);
        out
    });
    for ((i, _), out) in missing.iter().zip(checked) {
        found[*i] = Some(out);
    }
    for (key, out) in keys.into_iter().zip(found.into_iter().flatten()) {
        // (A declaration with findings past the cap is checked again.)
        if out.omitted.is_empty() {
            carry.cache.next.insert(key, out.kept.clone());
        }
        diags.append(out);
    }
}
