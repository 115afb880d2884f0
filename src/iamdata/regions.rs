//! AWS region names per partition, from botocore's endpoint data (`data/regions.tsv`, written by
//! `scripts/update-regions.sh`; see `data/README.md`), and the verdict on a region name written
//! in a policy.
//!
//! New regions open every year, and a policy may name one that is newer than the data. So a name
//! is judged in three steps: listed (fine); of a listed area and direction with another number
//! (`ap-southeast-9`: maybe newer than the data, a warning that names the data's date); anything
//! else (`eu-centrl-1`, `europe-west-1`) cannot be a region.

use std::sync::OnceLock;

const TSV: &str = include_str!("../../data/regions.tsv");

/// One partition's line of the data.
struct Partition {
    /// Region-name heads of the partition's `regionRegex`: `us`, `eu`…, or `us-gov`.
    heads: Vec<&'static str>,
    regions: Vec<&'static str>,
}

fn partitions() -> &'static [Partition] {
    static P: OnceLock<Vec<Partition>> = OnceLock::new();
    P.get_or_init(|| {
        TSV.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let _id = cols.next()?;
                let heads = cols.next()?.split(',').collect();
                let regions = cols.next()?.split(' ').collect();
                Some(Partition { heads, regions })
            })
            .collect()
    })
}

fn meta(key: &str) -> &'static str {
    TSV.lines()
        .filter_map(|l| l.strip_prefix("# "))
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or("unknown")
}

/// The package the region list came from: `botocore@1.44.5`.
pub fn regions_source() -> &'static str {
    meta("source")
}

/// The date of the region list (`YYYY-MM-DD`).
pub fn regions_date() -> &'static str {
    meta("date")
}

/// Every listed region, all partitions.
pub fn all_regions() -> impl Iterator<Item = &'static str> {
    partitions().iter().flat_map(|p| p.regions.iter().copied())
}

/// What a region name is, by the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionVerdict {
    Known,
    /// The shape of a region of a listed area and direction, with a number not in the data:
    /// perhaps a region newer than the data.
    Unlisted,
    /// Not a region name; the closest listed one, if it is a likely typo.
    Unknown(Option<&'static str>),
}

/// `eu-central-1` → (`eu`, `central`, `1`) for the partition head it starts with.
fn split<'a>(name: &'a str, head: &str) -> Option<(&'a str, &'a str)> {
    let rest = name.strip_prefix(head)?.strip_prefix('-')?;
    let (word, num) = rest.split_once('-')?;
    let word_ok = !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let num_ok = !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit());
    (word_ok && num_ok).then_some((word, num))
}

/// Judges a literal region name (no wildcards, no variables: the caller checks).
pub fn judge_region(name: &str) -> RegionVerdict {
    let parts = partitions();
    if parts.iter().any(|p| p.regions.contains(&name)) {
        return RegionVerdict::Known;
    }
    for p in parts {
        for head in &p.heads {
            let Some((word, _)) = split(name, head) else {
                continue;
            };
            // A listed area (`ap`) with a direction some listed region of the partition has.
            let direction_known = p
                .regions
                .iter()
                .any(|r| split(r, head).is_some_and(|(w, _)| w == word));
            if direction_known {
                return RegionVerdict::Unlisted;
            }
        }
    }
    RegionVerdict::Unknown(nearest(name))
}

/// The listed region closest to `name`, within a third of its length (at least two edits).
fn nearest(name: &str) -> Option<&'static str> {
    let max = super::suggest::cutoff(name.len());
    let mut row = Vec::new();
    all_regions()
        .filter_map(|r| {
            super::suggest::distance_within(name.as_bytes(), r.as_bytes(), max, &mut row)
                .map(|d| (d, r))
        })
        .min_by_key(|&(d, r)| (d, r))
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(judge_region("eu-central-1"), RegionVerdict::Known);
        assert_eq!(judge_region("us-gov-west-1"), RegionVerdict::Known);
        assert_eq!(judge_region("cn-northwest-1"), RegionVerdict::Known);
        assert_eq!(judge_region("ap-southeast-99"), RegionVerdict::Unlisted);
        assert_eq!(judge_region("us-gov-east-7"), RegionVerdict::Unlisted);
        assert_eq!(
            judge_region("eu-centrl-1"),
            RegionVerdict::Unknown(Some("eu-central-1"))
        );
        assert_eq!(
            judge_region("us-east1"),
            RegionVerdict::Unknown(Some("us-east-1"))
        );
        assert_eq!(judge_region("global"), RegionVerdict::Unknown(None));
        // Case matters: IAM compares region names as written.
        assert_eq!(
            judge_region("US-EAST-1"),
            RegionVerdict::Unknown(Some("us-east-1"))
        );
    }

    #[test]
    fn data_is_described() {
        assert!(regions_source().starts_with("botocore@"));
        assert_eq!(regions_date().len(), 10);
        assert!(all_regions().count() > 30);
    }
}
