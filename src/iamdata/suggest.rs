//! "Did you mean …?" for unknown service prefixes and actions: a case-insensitive, bounded
//! Levenshtein distance and the ranking built on it.
//!
//! Where candidates come from (so the cost of a query is bounded by one service's size, not by
//! the whole reference; every answer is also remembered per queried name and thread):
//! - `service:Action` with a known service: that service's actions only (at most a few
//!   hundred). Only when none of them is close may the answer leave the service, and then only
//!   for the exact action name (looked up by binary search in `tables::ACTIONS_BY_NAME`, the
//!   actions sorted by name alone), see below;
//! - `prefix:Action` with an unknown prefix: the actions of the (at most three) services
//!   [`nearest_services`] offers for the prefix;
//! - a bare action name: every action (not used by the rules, which always have a prefix).
//!
//! Ranking rules (kept simple so suggestions are predictable):
//! - distance is edit distance over ASCII-lowercased bytes, of the action name alone when the
//!   service is known (`dynamodb:` does not widen the cutoff for `dynamodb:X`);
//! - a suggestion must be within [`cutoff`] of the query, so gibberish gets no suggestion
//!   rather than a random one;
//! - a suggestion for an action of a known service stays in that service (`SNS:Receive` does
//!   not become `iot:Receive`), with one exception: when the service has no close action, an
//!   action with *exactly* the queried name in another service is offered if that service
//!   extends the queried prefix (`rds:connect` → `rds-db:connect`, also reported by the
//!   rds-connect-prefix rule) or if the name is specific: a verb with a noun (not a bare verb
//!   like `Receive` or `Publish`, which says nothing about the service) held by at most three
//!   services (not `ListTagsForResource`, which hundreds have). So `kms:GetSecretValue` still
//!   finds `secretsmanager:GetSecretValue`: the author named the right action under the wrong
//!   prefix, and the prefix is the thing to fix;
//! - candidates with the same verb as the query come first (IAM action names are VerbNoun:
//!   the verb is the leading capitalised word, `Get` in `GetObject`), then the closer, then
//!   alphabetical order: `s3:GetObjekt` → `s3:GetObject` before `s3:PutObject`. A different
//!   verb is still offered when no same-verb action is close: `dynamodb:CreateItem` →
//!   `dynamodb:UpdateItem` (within 3 edits). `dynamodb:PutItem` is 6 edits away and has
//!   another verb, so no edit-distance rule finds it; that would need a table of synonyms;
//! - an unknown service prefix is matched against the known prefixes first: a known prefix the
//!   query extends at a `-` (`bedrock-runtime` → `bedrock`, longest first), then known prefixes
//!   that extend the query at a `-` (`cognito` → `cognito-identity`, `cognito-idp`, …), else
//!   prefixes by edit distance (`lamda` → `lambda`), alphabetical among equals. Only the first
//!   of these groups that has a match is offered: `bedrock-runtime` gets `bedrock` alone (and
//!   so an unsafe fix), not also `bedrock-mantle`, which is merely 4 edits away.

use std::cell::RefCell;
use std::rc::Rc;

use super::names::cmp_ci;
use super::{Action, Remembered, Service, remembered, tables};

/// How many suggestions are remembered per name; asking for more computes them afresh.
const KEPT: usize = 8;

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
    if a.len().abs_diff(b.len()) > max || max < a.len().max(b.len()) && letters_apart(a, b) > max {
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

/// A lower bound of the distance of `a` and `b` found in one pass over each: every letter of
/// one that the other lacks (counted with repeats, case-insensitively) takes an edit. It turns
/// away most candidates of a did-you-mean search before the quadratic count.
fn letters_apart(a: &[u8], b: &[u8]) -> usize {
    // Bytes equal ignoring ASCII case share a slot; sharing more slots only lowers the bound.
    let slot = |c: u8| usize::from(c.to_ascii_lowercase() & 0x7f);
    let mut unmatched = [0u32; 128];
    for &c in a {
        unmatched[slot(c)] += 1;
    }
    let mut only_b = 0;
    for &c in b {
        match &mut unmatched[slot(c)] {
            0 => only_b += 1,
            n => *n -= 1,
        }
    }
    let only_a = a.len() - (b.len() - only_b);
    only_a.max(only_b)
}

/// Does `longer` continue `shorter` after a `-` (`rds-db` and `rds`, `bedrock-runtime` and
/// `bedrock`)? Case-insensitive.
fn extends(longer: &str, shorter: &str) -> bool {
    let (l, s) = (longer.as_bytes(), shorter.as_bytes());
    l.len() > s.len() + 1 && l[s.len()] == b'-' && l[..s.len()].eq_ignore_ascii_case(s)
}

/// The verb of an action name in AWS's casing: its leading capitalised word (`Describe` in
/// `DescribeDBInstances`), or the whole name if it has one word (`Receive`, `connect`).
fn verb(name: &str) -> &str {
    let end = name
        .bytes()
        .skip(1)
        .position(|b| b.is_ascii_uppercase())
        .map_or(name.len(), |i| i + 1);
    &name[..end]
}

/// Does the query `written` start with the verb of the action `name`? Case-insensitive; when
/// `written` has capitals, the verb must end where its next capitalised word starts (`List`
/// is not the verb of `ListenX`), as it can only be told in a name written all lower-case.
fn same_verb(written: &str, name: &str) -> bool {
    let v = verb(name).as_bytes();
    let w = written.as_bytes();
    w.len() >= v.len()
        && w[..v.len()].eq_ignore_ascii_case(v)
        && (w.get(v.len()).is_none_or(|b| !b.is_ascii_lowercase())
            || !w.iter().any(u8::is_ascii_uppercase))
}

/// Up to `n` services whose prefix is close to `query`, best first (see the module docs).
pub(crate) fn nearest_services(query: &str, n: usize) -> Vec<&'static Service> {
    thread_local! {
        static SEEN: Remembered<Rc<[&'static Service]>> = RefCell::default();
    }
    if n > KEPT {
        return rank_services(query, n);
    }
    let kept = remembered(&SEEN, query, || rank_services(query, KEPT).into());
    kept.iter().take(n).copied().collect()
}

fn rank_services(query: &str, n: usize) -> Vec<&'static Service> {
    let max = cutoff(query.len());
    let mut row = Vec::new();
    // (group, order within the group, service); services are stored sorted by prefix and the
    // sort is stable, so equal candidates stay alphabetical.
    let mut found: Vec<(u8, usize, &'static Service)> = tables::SERVICES
        .iter()
        .filter_map(|s| {
            let prefix = s.prefix();
            if extends(query, prefix) {
                Some((0, usize::MAX - prefix.len(), s))
            } else if extends(prefix, query) {
                Some((1, 0, s))
            } else {
                let d = distance_within(query.as_bytes(), prefix.as_bytes(), max, &mut row)?;
                Some((2, d, s))
            }
        })
        .collect();
    found.sort_by_key(|&(group, order, _)| (group, order));
    // Only the best group: `bedrock-runtime` is `bedrock`'s, not also `bedrock-mantle`'s.
    let best = found.first().map(|&(group, ..)| group);
    found
        .into_iter()
        .take_while(|&(group, ..)| Some(group) == best)
        .take(n)
        .map(|(.., s)| s)
        .collect()
}

/// Up to `n` actions close to `query` (`service:Action`, or a bare action name), best first
/// (see the module docs).
pub(crate) fn nearest_actions(query: &str, n: usize) -> Vec<&'static Action> {
    thread_local! {
        static SEEN: Remembered<Rc<[&'static Action]>> = RefCell::default();
    }
    if n > KEPT {
        return rank_actions(query, n);
    }
    let kept = remembered(&SEEN, query, || rank_actions(query, KEPT).into());
    kept.iter().take(n).copied().collect()
}

fn rank_actions(query: &str, n: usize) -> Vec<&'static Action> {
    let Some((prefix, name)) = query.split_once(':') else {
        // A bare name: every action is a candidate.
        return closest(tables::ACTIONS.iter(), query, n);
    };
    match super::get().service(prefix) {
        Some(service) => {
            let near = closest(service.actions().iter(), name, n);
            if near.is_empty() {
                same_name_elsewhere(service, name, n)
            } else {
                near
            }
        }
        None => closest(
            rank_services(prefix, 3)
                .into_iter()
                .flat_map(super::Service::actions),
            name,
            n,
        ),
    }
}

/// Up to `n` of `candidates` whose names are within [`cutoff`] of `name`: same verb first,
/// then closer, then in the candidates' order.
fn closest(
    candidates: impl Iterator<Item = &'static Action>,
    name: &str,
    n: usize,
) -> Vec<&'static Action> {
    let max = cutoff(name.len());
    let mut row = Vec::new();
    let mut found: Vec<(bool, usize, &'static Action)> = candidates
        .filter_map(|a| {
            let d = distance_within(name.as_bytes(), a.name().as_bytes(), max, &mut row)?;
            Some((!same_verb(name, a.name()), d, a))
        })
        .collect();
    found.sort_by_key(|&(other_verb, d, _)| (other_verb, d));
    found.into_iter().take(n).map(|(.., a)| a).collect()
}

/// The actions called exactly `name` (case-insensitively) in any service, by service prefix.
fn named(name: &str) -> impl Iterator<Item = &'static Action> {
    super::equal_run(&tables::ACTIONS_BY_NAME, |&r| {
        cmp_ci(tables::ACTIONS[r as usize].name(), name)
    })
    .iter()
    .map(|&r| &tables::ACTIONS[r as usize])
}

/// For a known `service` that has no action close to `name`: the actions with exactly that
/// name in other services that are worth offering (see the module docs), sub-services of
/// `service` first, then the closer prefix, then alphabetical.
fn same_name_elsewhere(service: &Service, name: &str, n: usize) -> Vec<&'static Action> {
    let holders = named(name).count();
    let mut row = Vec::new();
    let mut found: Vec<(bool, usize, &'static Action)> = named(name)
        .filter_map(|a| {
            let sub = extends(a.service(), service.prefix());
            let specific = verb(a.name()).len() < a.name().len() && holders <= 3;
            (sub || specific).then(|| {
                let d = distance_within(
                    service.prefix().as_bytes(),
                    a.service().as_bytes(),
                    usize::MAX,
                    &mut row,
                );
                (!sub, d.unwrap_or(usize::MAX), a)
            })
        })
        .collect();
    found.sort_by_key(|&(other, d, _)| (other, d));
    found.into_iter().take(n).map(|(.., a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(a: &str, b: &str) -> Option<usize> {
        distance_within(a.as_bytes(), b.as_bytes(), usize::MAX, &mut Vec::new())
    }

    fn actions(query: &str) -> Vec<String> {
        nearest_actions(query, 3)
            .iter()
            .map(|a| a.full_name())
            .collect()
    }

    fn services(query: &str) -> Vec<&'static str> {
        nearest_services(query, 3)
            .iter()
            .map(|s| s.prefix())
            .collect()
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

    proptest::proptest! {
        /// The letter count never exceeds the distance, so it never turns a candidate away
        /// that is within reach; the bounded distance is the plain one wherever it answers.
        #[test]
        fn letters_apart_bounds_the_distance(a in "[a-cA-C:é-]{0,12}", b in "[a-cA-C:é-]{0,12}") {
            let d = dist(&a, &b).unwrap();
            proptest::prop_assert!(letters_apart(a.as_bytes(), b.as_bytes()) <= d);
            for max in 0..6 {
                let bounded = distance_within(a.as_bytes(), b.as_bytes(), max, &mut Vec::new());
                proptest::prop_assert_eq!(bounded, (d <= max).then_some(d));
            }
        }
    }

    #[test]
    fn letters_apart_counts_repeats_ignoring_case() {
        assert_eq!(letters_apart(b"GetObject", b"getobjekt"), 1);
        assert_eq!(letters_apart(b"aab", b"abb"), 1);
        assert_eq!(letters_apart(b"abc", b""), 3);
        assert_eq!(letters_apart(b"", b"xyz"), 3);
        // Transposed letters: no letter is missing, the distance is 2.
        assert_eq!(letters_apart(b"ab", b"ba"), 0);
    }

    #[test]
    fn verbs() {
        assert_eq!(verb("GetObject"), "Get");
        assert_eq!(verb("DescribeDBInstances"), "Describe");
        assert_eq!(verb("Receive"), "Receive");
        assert_eq!(verb("connect"), "connect");
        assert!(same_verb("GetObjekt", "GetObjectAcl"));
        assert!(same_verb("getobjekt", "GetObject"));
        assert!(!same_verb("GetObjekt", "PutObject"));
        assert!(!same_verb("ListenX", "ListBuckets"));
        assert!(extends("rds-db", "rds"));
        assert!(extends("Bedrock-Runtime", "bedrock"));
        assert!(!extends("rdsx", "rds"));
        assert!(!extends("rds-", "rds"));
    }

    #[test]
    fn a_known_service_keeps_its_suggestions() {
        // `iot:Receive` has the same name, but a bare verb says nothing about the service.
        assert_eq!(actions("SNS:Receive"), Vec::<String>::new());
        assert_eq!(actions("s3:GetObjekt")[0], "s3:GetObject");
        for query in ["s3:GetObjekt", "sqs:ReceiveMessages", "dynamodb:CreateItem"] {
            let prefix = query.split(':').next().unwrap().to_ascii_lowercase();
            let near = actions(query);
            assert!(!near.is_empty(), "{query}");
            assert!(
                near.iter().all(|a| a.starts_with(&format!("{prefix}:"))),
                "{query}: {near:?}"
            );
        }
    }

    #[test]
    fn an_exact_name_may_cross_when_the_service_has_nothing_close() {
        // A specific name (verb and noun) held by one other service.
        assert_eq!(
            actions("kms:GetSecretValue"),
            ["secretsmanager:GetSecretValue"]
        );
        // A sub-service of the one written (also the rds-connect-prefix rule's finding).
        assert_eq!(actions("rds:connect"), ["rds-db:connect"]);
        // A name many services share points at none of them.
        assert!(named("ListTagsForResource").count() > 3);
        assert_eq!(actions("sts:ListTagsForResource"), Vec::<String>::new());
        assert!(named("Receive").any(|a| a.service() == "iot"));
    }

    #[test]
    fn same_verb_ranks_first() {
        let near = actions("s3:GetObjekt");
        let put = near.iter().position(|a| a == "s3:PutObject");
        let get_acl = near.iter().position(|a| a == "s3:GetObjectAcl");
        assert!(
            put.is_none() || get_acl.is_none() || get_acl < put,
            "{near:?}"
        );
        // `CreateItem` has no close action with its verb; the closest write wins.
        assert_eq!(actions("dynamodb:CreateItem")[0], "dynamodb:UpdateItem");
        assert_eq!(
            actions("iam:CreateAccesKey")[0],
            "iam:CreateAccessKey",
            "{:?}",
            actions("iam:CreateAccesKey")
        );
    }

    #[test]
    fn unknown_prefixes_match_prefixes_first() {
        assert_eq!(services("bedrock-runtime"), ["bedrock"]);
        assert_eq!(services("lamda"), ["lambda"]);
        assert_eq!(services("dynamo")[0], "dynamodb");
        let cognito = services("cognito");
        assert!(
            cognito.iter().all(|p| p.starts_with("cognito-")),
            "{cognito:?}"
        );
        assert!(services("zzzzqqqqxxxx").is_empty());
    }

    #[test]
    fn gibberish_gets_nothing() {
        assert!(actions("s3:Zzzzqqqqxxxx").is_empty());
        assert!(actions("ec2:Qwrtzplkjh").is_empty());
        assert!(actions("qqqq:zzzzzzzzzzzzzzz").is_empty());
        assert!(actions("zzzzqqqqxxxx").is_empty());
    }

    #[test]
    fn remembered_answers_agree_with_fresh_ones() {
        for query in ["s3:GetObjekt", "kms:GetSecretValue", "lamda:InvokeFunction"] {
            let fresh = rank_actions(query, 3);
            let first = nearest_actions(query, 3);
            let again = nearest_actions(query, 3);
            assert_eq!(format!("{fresh:?}"), format!("{first:?}"));
            assert_eq!(format!("{first:?}"), format!("{again:?}"));
        }
        assert_eq!(nearest_actions("s3:GetObjekt", 1).len(), 1);
    }
}
