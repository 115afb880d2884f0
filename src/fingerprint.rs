//! Fingerprints: an id for a finding that survives edits elsewhere in its file, so that code
//! scanning (SARIF `partialFingerprints`) and the baseline can tell an old finding from a new one
//! after lines are added above it. Also the one place that decides how a finding's path is written
//! for machines: relative to the working directory, with forward slashes.
//!
//! A fingerprint hashes the rule, the path, the trimmed text of the finding's line, the offending
//! token and an occurrence counter (the n-th finding with the same four in that file). Line
//! numbers are left out on purpose; so is the message, whose wording may change between versions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::Finding;
use crate::source::SourceFile;

/// Bumped when the recipe changes, so old baselines read as stale rather than silently wrong.
pub const VERSION: &str = "iamlint/v1";

/// The path as machine formats write it: relative to `cwd` when under it, forward slashes, no
/// leading `./`. A path outside the working directory stays absolute.
pub fn path_of(file: &SourceFile, cwd: Option<&Path>) -> String {
    relative(&file.path, cwd)
}

pub fn relative(path: &Path, cwd: Option<&Path>) -> String {
    let rel = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// The working directory, once per run; `None` if it cannot be read (paths then stay as given).
pub fn cwd() -> Option<PathBuf> {
    std::env::current_dir().ok()
}

/// One fingerprint per finding, in order. Computed over the whole run before any filtering, so
/// the occurrence counters do not depend on which findings a later step hides.
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    let cwd = cwd();
    let mut seen: HashMap<u128, u32> = HashMap::new();
    // The hash after a long line, by the hash before it, file and line: thousands of findings on
    // one minified line would each hash the whole line again.
    let mut after_line: HashMap<(u128, *const SourceFile, u32), u128> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let file = &f.file;
            let line = file.position(f.primary.span.start as usize).line;
            let mut h = Fnv128::new();
            h.field(f.rule.as_str().as_bytes());
            h.field(path_of(file, cwd.as_deref()).as_bytes());
            let text = file.line_text(line).trim();
            if text.len() > LONG_LINE {
                let key = (h.0, std::sync::Arc::as_ptr(file), line);
                h.0 = *after_line.entry(key).or_insert_with(|| {
                    let mut l = Fnv128(h.0);
                    l.field(text.as_bytes());
                    l.0
                });
            } else {
                h.field(text.as_bytes());
            }
            h.field(file.slice(f.primary.span).as_bytes());
            let base = h.0;
            let n = seen.entry(base).or_insert(0);
            h.field(n.to_string().as_bytes());
            *n += 1;
            format!("{:032x}", h.0)
        })
        .collect()
}

/// Lines longer than this (in bytes) are hashed once per rule and file (see [`fingerprints`]).
const LONG_LINE: usize = 256;

/// FNV-1a, 128 bits: stable across platforms and Rust versions (unlike `DefaultHasher`), and
/// more than enough bits for the findings of one repository.
struct Fnv128(u128);

impl Fnv128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn new() -> Self {
        Fnv128(Self::OFFSET)
    }

    /// Hashes `bytes` and a separator, so ("ab", "c") and ("a", "bc") differ.
    fn field(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().chain(&[0xff]) {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{RuleName, Severity};

    #[test]
    fn relative_paths_use_forward_slashes_without_dot_prefix() {
        let cwd = Path::new("/repo");
        assert_eq!(relative(Path::new("/repo/a/b.json"), Some(cwd)), "a/b.json");
        assert_eq!(relative(Path::new("./a/b.json"), Some(cwd)), "a/b.json");
        assert_eq!(
            relative(Path::new("/elsewhere/x.json"), Some(cwd)),
            "/elsewhere/x.json"
        );
        assert_eq!(relative(Path::new("a\\b.json"), None), "a/b.json");
    }

    /// Findings on one long line (a minified policy) get the fingerprints of the plain recipe:
    /// the line's hash is reused, not changed.
    #[test]
    fn a_long_line_is_hashed_once_with_the_same_fingerprints() {
        let actions = vec!["\"rds:connect\""; 40].join(",");
        let text = format!(
            "{{\"Statement\": [{{\"Effect\": \"Allow\", \"Action\": [{actions}], \"Resource\": \"*\"}}]}}"
        );
        let file = SourceFile::new("p.json".into(), text.clone());
        let findings: Vec<Finding> = text
            .match_indices("\"rds:connect\"")
            .enumerate()
            .map(|(i, (at, token))| {
                let rule = ["rds-connect-prefix", "other"][i % 2];
                let span = crate::source::Span::new(at, at + token.len());
                Finding::new(RuleName::new(rule), Severity::Error, &file, span, "m")
            })
            .collect();
        assert!(findings.len() == 40 && text.len() > LONG_LINE);
        let cwd = cwd();
        let mut seen: HashMap<u128, u32> = HashMap::new();
        let plain: Vec<String> = findings
            .iter()
            .map(|f| {
                let line = f.file.position(f.primary.span.start as usize).line;
                let mut h = Fnv128::new();
                h.field(f.rule.as_str().as_bytes());
                h.field(path_of(&f.file, cwd.as_deref()).as_bytes());
                h.field(f.file.line_text(line).trim().as_bytes());
                h.field(f.file.slice(f.primary.span).as_bytes());
                let n = seen.entry(h.0).or_insert(0);
                h.field(n.to_string().as_bytes());
                *n += 1;
                format!("{:032x}", h.0)
            })
            .collect();
        assert_eq!(fingerprints(&findings), plain);
    }

    #[test]
    fn fnv_separates_fields() {
        let mut a = Fnv128::new();
        a.field(b"ab");
        a.field(b"c");
        let mut b = Fnv128::new();
        b.field(b"a");
        b.field(b"bc");
        assert_ne!(a.0, b.0);
    }
}
