//! Hash maps and sets for the compiler's own tables, hashed with foldhash
//! (several times faster than std's SipHash on the short names they hold)
//! and randomly seeded per process, so keys chosen by a hostile input do
//! not collide by design. Order is never observed through them: where an
//! order reaches an output, callers sort or use a `BTreeMap`.

pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type Set<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// An empty [`Map`] with room for `n` entries.
pub fn map_with<K, V>(n: usize) -> Map<K, V> {
    Map::with_capacity_and_hasher(n, Default::default())
}
