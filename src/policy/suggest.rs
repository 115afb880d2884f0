//! "Did you mean": the closest known name to a misspelt one, by edit distance, case-insensitive.

use crate::iamdata::suggest::distance_within;

/// Case-insensitive edit distance (the service reference's own, shared).
pub fn distance(a: &str, b: &str) -> usize {
    let max = a.len().max(b.len());
    distance_within(a.as_bytes(), b.as_bytes(), max, &mut Vec::new()).unwrap_or(max)
}

/// The candidate whose two texts (`texts`: the word as compared with it, and the candidate's
/// own) are closest, at most `limit` edits apart; ties go to the earlier candidate. Each distance
/// is bounded by the best one found so far, so a candidate that cannot win stops being compared
/// at its first row over the bound.
pub fn nearest_within<'w, T>(
    limit: usize,
    candidates: impl IntoIterator<Item = T>,
    texts: impl Fn(&T) -> (&'w str, &'w str),
) -> Option<T> {
    let mut row = Vec::new();
    let mut best: Option<(usize, T)> = None;
    for c in candidates {
        // A later candidate must be strictly closer to replace the best one.
        let bound = match &best {
            Some((0, _)) => break,
            Some((d, _)) => d - 1,
            None => limit,
        };
        let (word, text) = texts(&c);
        if let Some(d) = distance_within(word.as_bytes(), text.as_bytes(), bound, &mut row) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The candidate closest to `word`, if it is close enough to be a typo: at most a third of the
/// word's length (and at least one edit) away. Ties go to the earlier candidate.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    nearest_within(limit, candidates, |c| (word, c))
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

    /// The bounded search picks what comparing every full distance picks: the first of the
    /// closest candidates within the limit.
    #[test]
    fn bounded_search_is_the_plain_one() {
        let words = [
            "StringEqual",
            "stringequals",
            "ArnLikes",
            "Bool",
            "Null",
            "Numeric",
            "DateEqualss",
            "IpAdress",
            "x",
            "",
            "ForAnyValue:StringLik",
            "BinaryEqual",
            "StringNotLik",
        ];
        let candidates = [
            "StringEquals",
            "StringNotEquals",
            "StringLike",
            "StringNotLike",
            "NumericEquals",
            "DateEquals",
            "Bool",
            "BinaryEquals",
            "IpAddress",
            "NotIpAddress",
            "ArnLike",
            "ArnEquals",
            "Null",
            "ForAnyValue:StringLike",
            "ForAllValues:StringLike",
        ];
        for w in words {
            for limit in 0..6 {
                let plain = candidates
                    .iter()
                    .map(|c| (distance(w, c), *c))
                    .filter(|(d, _)| *d <= limit)
                    .min_by_key(|(d, _)| *d)
                    .map(|(_, c)| c);
                assert_eq!(
                    nearest_within(limit, candidates, |c| (w, c)),
                    plain,
                    "{w} within {limit}"
                );
            }
        }
    }
}
