//! "Did you mean …?" for unknown service prefixes and actions: a case-insensitive, bounded
//! Levenshtein distance and the ranking built on it.
//!
//! Ranking rules (kept simple so suggestions are predictable):
//! - distance is edit distance over ASCII-lowercased bytes;
//! - a suggestion must be within [`cutoff`] of the query, so gibberish gets no suggestion
//!   rather than a random one;
//! - for actions, an action with exactly the queried name in *another* service counts as
//!   distance 2 at most, so `rds:connect` finds `rds-db:connect` and `kms:GetSecretValue` finds
//!   `secretsmanager:GetSecretValue` even though the prefixes are far apart;
//! - ties go to the candidate whose service prefix shares a longer start with the queried one
//!   (`rds` → `rds-db` rather than `iot`), then the closer prefix, then alphabetical order.

use std::cmp::Reverse;

use super::{Action, Service};

/// Largest distance still worth suggesting for a query of `len` bytes.
pub(crate) fn cutoff(len: usize) -> usize {
    (len / 3).max(2)
}

/// Case-insensitive Levenshtein distance of `a` and `b`, or `None` if it exceeds `max`.
///
/// `row` is scratch space reused between calls to avoid an allocation per candidate.
pub(crate) fn distance_within(
    a: &[u8],
    b: &[u8],
    max: usize,
    row: &mut Vec<usize>,
) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    row.clear();
    row.extend(0..=b.len());
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        let mut row_min = row[0];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(&cb));
            let value = (diagonal + cost).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = value;
            row_min = row_min.min(value);
        }
        // Every later value is at least this row's minimum: stop early.
        if row_min > max {
            return None;
        }
    }
    let d = row[b.len()];
    (d <= max).then_some(d)
}

/// Up to `n` services whose prefix is close to `query`, best first.
pub(crate) fn nearest_services(
    services: &'static [Service],
    query: &str,
    n: usize,
) -> Vec<&'static Service> {
    let max = cutoff(query.len());
    let mut row = Vec::new();
    let mut found: Vec<(usize, &'static Service)> = services
        .iter()
        .filter_map(|s| {
            let d = distance_within(query.as_bytes(), s.prefix().as_bytes(), max, &mut row)?;
            Some((d, s))
        })
        .collect();
    // Services are stored sorted by prefix, and the sort is stable: ties stay alphabetical.
    found.sort_by_key(|&(d, _)| d);
    found.into_iter().take(n).map(|(_, s)| s).collect()
}

/// Up to `n` actions close to `query` (`service:Action`, or a bare action name), best first.
pub(crate) fn nearest_actions(
    services: &'static [Service],
    query: &str,
    n: usize,
) -> Vec<&'static Action> {
    let (q_service, q_action) = match query.split_once(':') {
        Some((s, a)) => (Some(s), a),
        None => (None, query),
    };
    let max = cutoff(query.len());
    let mut row = Vec::new();
    let mut full = String::new();
    // (distance, shared start of the prefixes, prefix distance, action); services and actions
    // are stored sorted, so a stable sort leaves equal candidates in alphabetical order.
    let mut found: Vec<(usize, Reverse<usize>, usize, &'static Action)> = Vec::new();
    for service in services {
        let (shared, service_distance) = q_service.map_or((0, 0), |q| {
            let shared = q
                .bytes()
                .zip(service.prefix().bytes())
                .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                .count();
            let d = distance_within(
                q.as_bytes(),
                service.prefix().as_bytes(),
                usize::MAX,
                &mut row,
            );
            (shared, d.unwrap_or(usize::MAX))
        });
        for action in service.actions() {
            let same_name_elsewhere =
                service_distance > 0 && action.name().eq_ignore_ascii_case(q_action);
            let d = match q_service {
                Some(_) => {
                    full.clear();
                    full.push_str(service.prefix());
                    full.push(':');
                    full.push_str(action.name());
                    distance_within(query.as_bytes(), full.as_bytes(), max, &mut row)
                }
                None => {
                    distance_within(q_action.as_bytes(), action.name().as_bytes(), max, &mut row)
                }
            };
            let d = if same_name_elsewhere {
                Some(d.map_or(2, |d| d.min(2)))
            } else {
                d
            };
            if let Some(d) = d {
                found.push((d, Reverse(shared), service_distance, action));
            }
        }
    }
    found.sort_by_key(|&(d, shared, sd, _)| (d, shared, sd));
    found.into_iter().take(n).map(|(.., a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(a: &str, b: &str) -> Option<usize> {
        distance_within(a.as_bytes(), b.as_bytes(), usize::MAX, &mut Vec::new())
    }

    #[test]
    fn levenshtein() {
        assert_eq!(dist("", ""), Some(0));
        assert_eq!(dist("abc", ""), Some(3));
        assert_eq!(dist("kitten", "sitting"), Some(3));
        assert_eq!(dist("S3", "s3"), Some(0));
        assert_eq!(dist("rds:connect", "rds-db:connect"), Some(3));
        assert_eq!(
            distance_within(b"kitten", b"sitting", 2, &mut Vec::new()),
            None
        );
        assert_eq!(distance_within(b"abcdef", b"a", 2, &mut Vec::new()), None);
    }
}
