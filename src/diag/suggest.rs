//! Did-you-mean: the closest candidate by edit distance. A case-insensitive
//! exact match wins; otherwise the smallest distance within about a third of
//! the name's length. Candidates are sorted first, so ties break the same way
//! on every run.

pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut cands: Vec<&str> = candidates.into_iter().filter(|c| *c != name).collect();
    cands.sort_unstable();
    cands.dedup();
    if let Some(c) = cands.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return Some(c);
    }
    let limit = (name.chars().count() / 3).max(1);
    cands
        .into_iter()
        .map(|c| (distance(&name.to_ascii_lowercase(), &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent swaps).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
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
    }
}
