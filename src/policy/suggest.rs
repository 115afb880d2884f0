//! "Did you mean": the closest known name to a misspelt one, by edit distance, case-insensitive.

/// Levenshtein distance over characters, compared case-insensitively.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a typo: at most a third of the
/// word's length (and at least one edit) away. Ties go to the earlier candidate.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_not_strangers() {
        let elements = ["Sid", "Effect", "Action", "Resource", "Condition"];
        assert_eq!(nearest("Actions", elements), Some("Action"));
        assert_eq!(nearest("Condtion", elements), Some("Condition"));
        assert_eq!(nearest("resource", elements), Some("Resource"));
        assert_eq!(nearest("Banana", elements), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
