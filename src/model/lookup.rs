//! The sealed model's lookups by name ([`super::Model::seal`]): positions
//! in its lists, so that a lookup costs the same in a project of ten
//! services or a hundred thousand.

use std::collections::HashMap;

/// Positions by name, for lookups in constant time whatever the size of
/// the project. Each hit is checked against the name (a model changed
/// after [`super::Model::seal`] falls back to a search).
#[derive(Clone, Debug, Default)]
pub(super) struct Lookup {
    pub(super) environments: Positions,
    pub(super) services: Positions,
    pub(super) rollouts: Positions,
    /// Positions in `rollouts` by service (each hit checked again).
    pub(super) rollouts_by_service: HashMap<String, Vec<usize>, foldhash::fast::RandomState>,
    pub(super) alerts: Positions,
    pub(super) infra: Positions,
    /// The lengths indexed: a miss is trusted only while they hold.
    pub(super) lens: [usize; 5],
}

/// Positions by name, hashed with foldhash, randomly seeded (the names are
/// the user's): looked up thousands of times an analysis.
pub(super) type Positions = HashMap<String, usize, foldhash::fast::RandomState>;

/// The first position of each name.
pub(super) fn positions<T>(items: &[T], name: impl Fn(&T) -> &str) -> Positions {
    let mut out = Positions::with_capacity_and_hasher(items.len(), Default::default());
    for (i, item) in items.iter().enumerate() {
        out.entry(name(item).to_string()).or_insert(i);
    }
    out
}

/// `items`' element named `name`: through `index` when it is current,
/// else by a search.
pub(super) fn find<'m, T>(
    items: &'m [T],
    index: Option<(&Positions, usize)>,
    name: &str,
    name_of: impl Fn(&T) -> &str,
) -> Option<&'m T> {
    if let Some((index, len)) = index
        && len == items.len()
    {
        return match index.get(name).and_then(|&i| items.get(i)) {
            Some(item) if name_of(item) == name => Some(item),
            Some(_) => items.iter().find(|i| name_of(i) == name),
            None => None,
        };
    }
    items.iter().find(|i| name_of(i) == name)
}
