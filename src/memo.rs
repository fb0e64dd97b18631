//! Memos of pure functions that are costly and called again with the same
//! input: the search for an alert's test series (a build meets each
//! expression in its checks and again in its promtool tests), the
//! credential scan of strings, and in the language server, which meets all
//! of them again on every keystroke, PromQL parsing (`target::promql`).
//!
//! **Invariant:** a memo only ever holds what its function returns for the
//! key, so a hit and a miss give equal values; it is cleared, never
//! evicted piecemeal, when it reaches its capacity (memory stays bounded,
//! whatever the input).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static LONG_LIVED: AtomicBool = AtomicBool::new(false);

/// Says this process analyses the same project again and again (the
/// language server): memos that only pay off across analyses (PromQL
/// parses, the credential scan of strings) remember from now on. A
/// one-shot command meets most of their inputs once, and remembering
/// them would cost more than it saves.
pub fn long_lived(on: bool) {
    LONG_LIVED.store(on, Ordering::Relaxed);
}

/// Whether [`long_lived`] was said.
pub fn is_long_lived() -> bool {
    LONG_LIVED.load(Ordering::Relaxed)
}

pub struct Memo<K, V> {
    /// Hashed with foldhash, randomly seeded: keys are long texts (whole
    /// scripts), which SipHash took a million instructions an edit over.
    map: Mutex<Option<HashMap<K, V, foldhash::fast::RandomState>>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub const fn new(capacity: usize) -> Memo<K, V> {
        Memo {
            map: Mutex::new(None),
            capacity,
        }
    }

    /// `compute()`'s value for `key`, computed once while it is remembered.
    /// (The lock is not held while computing: two threads may both compute
    /// a value, which is equal either way.)
    pub fn get_or<Q>(&self, key: &Q, compute: impl FnOnce() -> V) -> V
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Ok(guard) = self.map.lock()
            && let Some(v) = guard.as_ref().and_then(|m| m.get(key))
        {
            return v.clone();
        }
        let value = compute();
        if let Ok(mut guard) = self.map.lock() {
            let map = guard.get_or_insert_with(HashMap::default);
            if map.len() >= self.capacity {
                map.clear();
            }
            map.insert(key.to_owned(), value.clone());
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_return_what_was_computed_and_capacity_bounds_it() {
        let memo: Memo<u32, u32> = Memo::new(2);
        let mut calls = 0;
        for k in [1, 1, 2, 1, 3, 1] {
            let v = memo.get_or(&k, || {
                calls += 1;
                k * 10
            });
            assert_eq!(v, k * 10);
        }
        // 1, 2 computed; 1 hit; 3 clears the full memo; 1 again computed.
        assert_eq!(calls, 4);
    }
}
