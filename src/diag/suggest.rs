//! Did-you-mean: the closest candidate by edit distance. A case-insensitive
//! exact match wins; otherwise the smallest distance within about a third of
//! the name's length; ties go to the smaller name, so the answer does not
//! depend on the candidates' order.
//!
//! **Bounded:** one suggestion looks at no more than [`MAX_EXAMINED`]
//! candidates and computes no more than [`MAX_COMPARED`] distances, each
//! cut off past the limit, so a project with 100,000 misspelt names costs a
//! constant per name, not a pass over every declaration.

/// Candidates looked at for one suggestion (far more names than one kind of
/// declaration has in a real project).
pub const MAX_EXAMINED: usize = 5_000;

/// Edit distances computed for one suggestion (candidates of a plausible
/// length only).
pub const MAX_COMPARED: usize = 1_000;

/// Distance-table cells one analysis may spend on suggestions (about a
/// tenth of a second); past it, unknown names get no suggestion. Real
/// projects spend a tiny fraction of it.
pub const CELL_BUDGET: usize = 100_000_000;

/// What is left of [`CELL_BUDGET`] for one analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget(pub usize);

impl Default for Budget {
    fn default() -> Budget {
        Budget(CELL_BUDGET)
    }
}

pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    did_you_mean_within(name, candidates, &mut Budget::default())
}

/// [`did_you_mean`] spending at most `budget` distance-table cells, taken
/// off `budget` (shared by every suggestion of one analysis, so that
/// thousands of unknown names among thousands of declarations cost a
/// bounded amount in all). Deterministic: the same calls in the same order
/// give the same answers.
pub fn did_you_mean_within<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    budget: &mut Budget,
) -> Option<&'a str> {
    if budget.0 == 0 {
        return None;
    }
    let lower: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    let mut compared = 0;
    let (mut rows, mut other) = (Rows::default(), Vec::new());
    let candidates: Vec<&'a str> = candidates.into_iter().take(MAX_EXAMINED).collect();
    for &c in &candidates {
        if c == name {
            continue;
        }
        // The distance is at least the difference in length.
        let len = c.chars().count();
        if len.abs_diff(lower.len()) > limit {
            continue;
        }
        compared += 1;
        if compared > MAX_COMPARED || budget.0 == 0 {
            break;
        }
        other.clear();
        other.extend(c.chars().flat_map(char::to_lowercase));
        let found = rows.distance(&lower, &other, limit);
        budget.0 = budget.0.saturating_sub(rows.cells);
        let Some(d) = found else { continue };
        // At one distance, a candidate the name begins (`rat` → `rate`,
        // not `rad`) goes first.
        let key = |d: usize, c: &str| (d, !c.to_lowercase().starts_with(&name.to_lowercase()), c.to_string());
        if best.is_none_or(|(bd, bc)| key(d, c) < key(bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c).or_else(|| shortened(name, &candidates))
}

/// The one candidate that `name` shortens or lengthens (`env` for
/// `environment`, `development` for `dev`), or abbreviates by its letters
/// in order (`stg` for `staging`): what edit distance misses.
fn shortened<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    if lower.chars().count() < 3 {
        return None;
    }
    let unique = |found: Vec<&'a str>| match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let prefix: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| {
            let c = c.to_lowercase();
            c != lower && c.chars().count() >= 3 && (c.starts_with(&lower) || lower.starts_with(&c))
        })
        .collect();
    if !prefix.is_empty() {
        return unique(prefix);
    }
    let abbreviates = |c: &str| {
        let c = c.to_lowercase();
        let mut letters = c.chars();
        c.chars().next() == lower.chars().next()
            && c.len() > lower.len()
            && lower.chars().all(|l| letters.any(|x| x == l))
    };
    unique(candidates.iter().copied().filter(|c| abbreviates(c)).collect())
}

/// The three rows of the distance table, kept between comparisons.
#[derive(Default)]
struct Rows {
    two: Vec<usize>,
    one: Vec<usize>,
    row: Vec<usize>,
    /// Cells the last comparison filled.
    cells: usize,
}

impl Rows {
    /// Optimal string alignment distance (Levenshtein plus adjacent swaps),
    /// or `None` when it is above `limit` (found as soon as a whole row is).
    fn distance(&mut self, a: &[char], b: &[char], limit: usize) -> Option<usize> {
        let Rows { two, one, row, cells } = self;
        *cells = 0;
        for r in [&mut *two, &mut *one, &mut *row] {
            r.clear();
            r.resize(b.len() + 1, 0);
        }
        for (j, cell) in one.iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            row[0] = i;
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (one[j] + 1).min(row[j - 1] + 1).min(one[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(two[j - 2] + 1);
                }
                row[j] = best;
            }
            *cells += b.len() + 1;
            if row.iter().min().is_some_and(|m| *m > limit) {
                return None;
            }
            std::mem::swap(two, one);
            std::mem::swap(one, row);
        }
        let d = one[b.len()];
        (d <= limit).then_some(d)
    }
}

/// "did you mean `staging`?" or nothing.
pub fn help_line(name: &str, candidates: impl IntoIterator<Item = impl AsRef<str>>) -> Option<String> {
    let owned: Vec<String> = candidates.into_iter().map(|c| c.as_ref().to_string()).collect();
    did_you_mean(name, owned.iter().map(String::as_str)).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_closest_and_breaks_ties_by_name() {
        assert_eq!(
            did_you_mean("stagng", ["staging", "production", "dev"]),
            Some("staging")
        );
        assert_eq!(did_you_mean("Staging", ["staging"]), Some("staging"));
        assert_eq!(did_you_mean("imgae", ["image", "port"]), Some("image"));
        assert_eq!(did_you_mean("xyz", ["staging"]), None);
        assert_eq!(did_you_mean("ab", ["ac", "aa"]), Some("aa"));
        assert_eq!(did_you_mean("api", ["api"]), None);
        // Order does not matter.
        assert_eq!(did_you_mean("ab", ["aa", "ac"]), Some("aa"));
        assert_eq!(did_you_mean("staging", ["STAGING", "Staging"]), Some("STAGING"));
    }

    #[test]
    fn shortened_and_abbreviated_names_are_found() {
        assert_eq!(did_you_mean("env", ["environment", "service"]), Some("environment"));
        assert_eq!(did_you_mean("development", ["dev", "prod"]), Some("dev"));
        assert_eq!(did_you_mean("production", ["dev", "staging", "prod"]), Some("prod"));
        assert_eq!(did_you_mean("stg", ["dev", "staging", "prod"]), Some("staging"));
        // Two candidates it could shorten: no guess.
        assert_eq!(did_you_mean("serv", ["service", "server"]), None);
        // At equal distance, the one the name begins.
        assert_eq!(did_you_mean("rat", ["rad", "rate"]), Some("rate"));
    }

    #[test]
    fn distance_counts_swaps_and_stops_past_the_limit() {
        let mut rows = Rows::default();
        let mut d = |a: &str, b: &str, l| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            rows.distance(&a, &b, l)
        };
        assert_eq!(d("imgae", "image", 3), Some(1));
        assert_eq!(d("kitten", "sitting", 5), Some(3));
        assert_eq!(d("kitten", "sitting", 2), None);
        assert_eq!(d("", "abc", 3), Some(3));
        assert_eq!(d("abc", "", 2), None);
    }

    #[test]
    fn work_is_bounded_by_the_budgets() {
        // The right answer past the budget is not looked at.
        let many: Vec<String> = (0..MAX_EXAMINED + 10).map(|i| format!("zz{i:06}")).collect();
        let mut names: Vec<&str> = many.iter().map(String::as_str).collect();
        names.push("service");
        assert_eq!(did_you_mean("servce", names.iter().copied()), None);
        names.insert(0, "service");
        assert_eq!(did_you_mean("servce", names.iter().copied()), Some("service"));
        // A spent budget gives no more suggestions, and is shared.
        let mut budget = Budget(40);
        assert_eq!(did_you_mean_within("servce", ["service"], &mut budget), Some("service"));
        assert!(budget.0 < 40);
        let mut spent = Budget(0);
        assert_eq!(did_you_mean_within("servce", ["service"], &mut spent), None);
    }
}
