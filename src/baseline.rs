//! Baselines, for adopting iamlint on a repository that already has findings:
//! `--write-baseline FILE` records every current finding by [`fingerprint`]
//! (not by line, so edits above a finding do not resurrect it) and `--baseline FILE` hides the
//! recorded ones, so only new findings are reported. Entries that no longer match anything are
//! counted as stale, so the file can be rewritten once they pile up.
//!
//! The file is JSON, sorted by path, rule and fingerprint, one entry per finding with its message
//! for the reader's benefit; only the fingerprint is matched.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::fingerprint;
use crate::outcome::{Applied, Outcome};
use crate::settings::UsageError;

#[derive(Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    /// Always `iamlint`: says what wrote the file.
    tool: String,
    /// The fingerprint recipe, [`fingerprint::VERSION`].
    fingerprints: String,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    pub message: String,
}

/// A loaded baseline.
#[derive(Debug)]
pub struct Baseline {
    pub entries: Vec<Entry>,
    /// The recipe the file was written with differs from ours: nothing in it can match.
    pub outdated: bool,
}

/// The entries for every finding that counts now (not already suppressed in the source).
pub fn entries(outcome: &Outcome) -> Vec<Entry> {
    let cwd = fingerprint::cwd();
    let prints = outcome.prints();
    let mut entries: Vec<Entry> = outcome
        .findings
        .iter()
        .zip(prints.iter())
        .filter(|(f, _)| f.suppressed.is_none())
        .map(|(f, p)| Entry {
            path: fingerprint::path_of(&f.file, cwd.as_deref()),
            rule: f.rule.as_str().to_string(),
            fingerprint: p.clone(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort();
    entries
}

/// The baseline file's text for these entries: stable, sorted, ending in a newline.
pub fn to_text(entries: Vec<Entry>) -> String {
    let file = BaselineFile {
        tool: "iamlint".into(),
        fingerprints: fingerprint::VERSION.into(),
        findings: entries,
    };
    let mut s = serde_json::to_string_pretty(&file).expect("a baseline serializes");
    s.push('\n');
    s
}

/// Writes the baseline for `outcome` to `path`; returns how many findings it records.
pub fn write(path: &Path, outcome: &Outcome) -> Result<usize, UsageError> {
    let entries = entries(outcome);
    let n = entries.len();
    crate::source::write_atomic(path, to_text(entries).as_bytes())
        .map_err(|e| UsageError(format!("cannot write baseline {}: {e}", path.display())))?;
    Ok(n)
}

pub fn load(path: &Path) -> Result<Baseline, UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read baseline {}: {e}", path.display())))?;
    parse(&text).map_err(|e| UsageError(format!("invalid baseline {}: {e}", path.display())))
}

pub fn parse(text: &str) -> Result<Baseline, serde_json::Error> {
    let file: BaselineFile = serde_json::from_str(text)?;
    Ok(Baseline {
        outdated: file.fingerprints != fingerprint::VERSION,
        entries: file.findings,
    })
}

/// Marks the findings the baseline records as suppressed and counts stale entries.
/// `shown` is the baseline's name in messages.
pub fn apply(outcome: &mut Outcome, baseline: &Baseline, shown: &str) {
    let prints = outcome.prints().into_owned();
    let recorded: HashSet<&str> = baseline
        .entries
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    let mut applied = Applied {
        path: shown.to_string(),
        outdated: baseline.outdated,
        ..Applied::default()
    };
    for (f, p) in outcome.findings.iter_mut().zip(&prints) {
        if f.suppressed.is_none() && recorded.contains(p.as_str()) {
            f.suppressed = Some(format!("recorded in the baseline {shown}"));
            applied.hidden += 1;
            applied.fingerprints.insert(p.clone());
        }
    }
    // A finding suppressed in the source since the baseline was written still matches: not stale.
    let found: HashSet<&str> = prints.iter().map(String::as_str).collect();
    let linted: BTreeSet<&str> = outcome.linted_paths.iter().map(String::as_str).collect();
    applied.stale = baseline
        .entries
        .iter()
        .filter(|e| !found.contains(e.fingerprint.as_str()))
        // An entry for a file this run did not look at may well still hold.
        .filter(|e| linted.contains(e.path.as_str()) || !Path::new(&e.path).exists())
        .count();
    outcome.fingerprints = prints;
    outcome.baseline = Some(applied);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_flags_other_recipes() {
        let entries = vec![Entry {
            path: "a.json".into(),
            rule: "rds-db-wildcard-user".into(),
            fingerprint: "00ff".into(),
            message: "m".into(),
        }];
        let text = to_text(entries.clone());
        let b = parse(&text).unwrap();
        assert_eq!(b.entries, entries);
        assert!(!b.outdated);
        let old = text.replace(fingerprint::VERSION, "iamlint/v0");
        assert!(parse(&old).unwrap().outdated);
        assert!(parse("{\"tool\": \"iamlint\"}").is_err());
    }
}
