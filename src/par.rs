//! Ordered parallel map over a slice, on rayon's pool of threads (kept for
//! the process: a thread made per call started with a cold allocator heap,
//! and its first pages cost more than the work saved on small inputs).
//! Results come back in input order, so callers stay deterministic. Used
//! where work items are independent: files of a project, chunks of a large
//! file, the credential scan beside the meaning.

use std::cell::Cell;

use rayon::prelude::*;

thread_local! {
    /// Set by [`sequentially`]: work started on this thread runs on it.
    static ONE_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// The cores to use: `available_parallelism`, at most 8 (one inside
/// [`sequentially`]). Asked once per process: on Linux the answer takes a
/// dozen system calls (the affinity mask, then the cgroup's quota files),
/// tens of microseconds that every parallel map paid again.
pub(crate) fn threads() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if ONE_THREAD.get() {
        return 1;
    }
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8))
}

/// Runs `f` with everything it maps on this thread alone, as on a machine
/// of one core. What runs in parallel gives the same result (tests compare
/// the two); the language server analyses a small project this way (see
/// `lsp::world::Snapshot::analyse`).
pub fn sequentially<R>(f: impl FnOnce() -> R) -> R {
    let before = ONE_THREAD.replace(true);
    let out = f();
    ONE_THREAD.set(before);
    out
}

/// Whether there is more than one core to run on.
pub fn parallel() -> bool {
    threads() >= 2
}

/// Maps `f` over `items` on up to [`threads`] threads, keeping the order.
/// Runs inline when there is one item or one core.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_parts(items, |part| part.iter().map(&f).collect::<Vec<R>>())
        .into_iter()
        .flatten()
        .collect()
}

/// Splits `items` into one part per thread (up to [`threads`]) and maps
/// `f` over the parts, in order: for work that sets something up once per
/// part (a builder of its own). One part, inline, when there is one item
/// or one core.
pub fn map_parts<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = threads();
    if threads < 2 || items.len() < 2 {
        return vec![f(items)];
    }
    let per = items.len().div_ceil(threads);
    pool();
    let f = &f;
    items.par_chunks(per).map(f).collect()
}

/// Maps `f` over a few large `items`, each a task of its own, keeping the
/// order: for work items of very unequal size, which [`map`]'s even split
/// would leave on one core.
pub fn map_each<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads() < 2 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    pool();
    let f = &f;
    items.par_iter().with_max_len(1).map(f).collect()
}

/// Runs `a` and `b`, side by side where there are cores, and returns both
/// results. Runs them in turn when there is one core.
pub fn both<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if threads() < 2 {
        return (a(), b());
    }
    pool();
    rayon::join(a, b)
}

/// Runs `f` on one of the pool's threads, the caller waiting (asleep):
/// the maps and joins inside it then start their work where the pool's
/// threads find it at once, rather than each waking the pool from outside,
/// and the caller does not compete for a core with the pool's idle
/// threads. Inline with one core, and on a pool thread already.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if threads() < 2 || rayon::current_thread_index().is_some() {
        return f();
    }
    pool();
    // (`scope` runs its body on a pool thread when called from outside.)
    rayon::scope(|_| f())
}

/// Sizes rayon's pool to [`threads`] the first time it is needed. (A panic
/// in a task is a bug: rayon raises it again where the work was started.)
fn pool() {
    static SIZED: std::sync::Once = std::sync::Once::new();
    SIZED.call_once(|| {
        // (Already built, by a caller of the library: that pool is used.)
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads()).build_global();
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert!(super::map(&[] as &[u32], |x| *x).is_empty());
    }

    #[test]
    fn map_parts_covers_every_item_once_in_order() {
        let items: Vec<u32> = (0..1001).collect();
        let parts = super::map_parts(&items, |p| p.to_vec());
        assert!(!parts.is_empty() && parts.len() <= 8);
        assert_eq!(parts.concat(), items);
        assert_eq!(super::map_parts(&[] as &[u32], |p| p.len()), vec![0]);
    }

    #[test]
    fn map_each_keeps_order() {
        let items: Vec<u32> = (0..7).collect();
        assert_eq!(super::map_each(&items, |x| x * 3), vec![0, 3, 6, 9, 12, 15, 18]);
        assert!(super::map_each(&[] as &[u32], |x| *x).is_empty());
    }

    #[test]
    fn both_returns_both() {
        let items: Vec<u64> = (0..10_000).collect();
        let (a, b) = super::both(|| items.iter().sum::<u64>(), || items.len());
        assert_eq!((a, b), (49_995_000, 10_000));
    }
}
