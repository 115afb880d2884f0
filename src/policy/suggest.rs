//! "Did you mean": the closest known name to a misspelt one, by edit distance, case-insensitive.

/// Case-insensitive edit distance (the service reference's own, shared).
pub fn distance(a: &str, b: &str) -> usize {
    let max = a.len().max(b.len());
    crate::iamdata::suggest::distance_within(a.as_bytes(), b.as_bytes(), max, &mut Vec::new())
        .unwrap_or(max)
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
