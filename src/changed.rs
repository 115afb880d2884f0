//! Changed-lines mode, `--new-from-rev REV`: keep only the findings on lines changed since `REV`,
//! so a team can turn the linter on in an old repository and hold new code to it without fixing
//! history first. Works in any CI: it asks `git` (run as a subprocess from the repository root)
//! for `git diff --unified=0 REV` and reads the hunk headers; untracked files count as changed
//! throughout. A finding in a file git does not know about (outside the repository, or ignored)
//! is on no changed line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Outcome;
use crate::settings::UsageError;

/// What changed in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lines {
    /// A file git does not track yet: every line is new.
    All,
    /// 1-based inclusive line ranges of the new text.
    Ranges(Vec<(u32, u32)>),
}

impl Lines {
    fn touches(&self, first: u32, last: u32) -> bool {
        match self {
            Lines::All => true,
            Lines::Ranges(r) => r.iter().any(|&(a, b)| a <= last && first <= b),
        }
    }
}

/// The changed lines of a repository, by path relative to its root (forward slashes).
#[derive(Debug)]
pub struct Changed {
    pub root: PathBuf,
    pub files: HashMap<String, Lines>,
}

fn git(dir: &Path, args: &[&str]) -> Result<String, UsageError> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| UsageError(format!("--new-from-rev needs git: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(UsageError(format!(
            "`git {}` failed: {}",
            args.join(" "),
            err.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A revision as git names one: not empty, not an option (`--output=x` would make `git diff`
/// write a file), no control characters.
pub fn check_revision(rev: &str) -> Result<(), UsageError> {
    if rev.is_empty() || rev.starts_with('-') || rev.chars().any(char::is_control) {
        return Err(UsageError(format!(
            "--new-from-rev: `{}` is not a git revision",
            crate::source::escape_controls(rev)
        )));
    }
    Ok(())
}

/// Asks git what changed since `rev` in the repository holding the working directory.
pub fn since(rev: &str) -> Result<Changed, UsageError> {
    check_revision(rev)?;
    let cwd = std::env::current_dir()
        .map_err(|e| UsageError(format!("cannot read the working directory: {e}")))?;
    let top = git(&cwd, &["rev-parse", "--show-toplevel"])?;
    let root = std::fs::canonicalize(top.trim())
        .map_err(|e| UsageError(format!("{}: {e}", top.trim())))?;
    // Fixed prefixes and quoting: user config (diff.noprefix, diff.mnemonicPrefix, external diff
    // drivers) must not change what we parse.
    let diff = git(
        &root,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            // After this, `rev` can only be a revision (git 2.24 and later).
            "--end-of-options",
            rev,
            "--",
        ],
    )?;
    let mut files = parse_diff(&diff);
    let untracked = git(&root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    for path in untracked.split('\0').filter(|p| !p.is_empty()) {
        files.insert(path.to_string(), Lines::All);
    }
    Ok(Changed { root, files })
}

/// Reads `git diff --unified=0` output: for each file, the line ranges of its new text.
pub fn parse_diff(diff: &str) -> HashMap<String, Lines> {
    let mut files = HashMap::new();
    let mut current: Option<String> = None;
    // Between `diff --git` and the first `@@`; a content line `+++x` is not a header.
    let mut in_header = false;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            current = None;
            in_header = true;
        } else if in_header && let Some(rest) = line.strip_prefix("+++ ") {
            // "+++ b/policies/app.json", "+++ /dev/null" (deleted), "+++ \"b/caf\\303\\251.json\""
            current = unquote(rest.trim_end_matches('\t'))
                .strip_prefix("b/")
                .map(str::to_string);
            if let Some(p) = &current {
                files.insert(p.clone(), Lines::Ranges(Vec::new()));
            }
        } else if let Some(rest) = line.strip_prefix("@@ ") {
            in_header = false;
            // "@@ -12,0 +13,2 @@ …": two lines added at 13; "+13" alone means one line.
            let Some(new) = rest.split(' ').find_map(|w| w.strip_prefix('+')) else {
                continue;
            };
            let (start, count) = match new.split_once(',') {
                Some((s, c)) => (s.parse().unwrap_or(0), c.parse().unwrap_or(0)),
                None => (new.parse().unwrap_or(0), 1),
            };
            if let Some(p) = &current
                && count > 0
                && let Some(Lines::Ranges(r)) = files.get_mut(p)
            {
                r.push((start, start + count - 1));
            }
        }
    }
    files
}

/// Undoes git's C-style quoting of unusual paths: `"a\tb\\303\\251"` → `a<TAB>bé`.
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut it = inner.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(7),
            Some(b'b') => bytes.push(8),
            Some(b'f') => bytes.push(12),
            Some(b'v') => bytes.push(11),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + u32::from(n - b'0');
                        it.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Drops the findings that are on no changed line.
pub fn filter(outcome: &mut Outcome, changed: &Changed) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut repo_paths: HashMap<PathBuf, Option<String>> = HashMap::new();
    outcome.retain(|f, _| {
        let rel = repo_paths
            .entry(f.file.path.clone())
            .or_insert_with(|| {
                let abs = std::fs::canonicalize(cwd.join(&f.file.path)).ok()?;
                let rel = abs.strip_prefix(&changed.root).ok()?;
                Some(rel.to_string_lossy().replace('\\', "/"))
            })
            .clone();
        let Some(lines) = rel.and_then(|r| changed.files.get(&r)) else {
            return false;
        };
        let span = f.primary.span;
        let first = f.file.position(span.start as usize).line;
        let last = f
            .file
            .position(
                (span.end as usize)
                    .saturating_sub(1)
                    .max(span.start as usize),
            )
            .line;
        lines.touches(first, last)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hunks_of_added_changed_deleted_and_quoted_files() {
        let diff = "\
diff --git a/p.json b/p.json
index 1..2 100644
--- a/p.json
+++ b/p.json
@@ -3 +3 @@ x
-old
+new
@@ -10,0 +11,2 @@
+++ not a header
+b
@@ -20,2 +21,0 @@
-gone
-gone
diff --git a/gone.json b/gone.json
deleted file mode 100644
--- a/gone.json
+++ /dev/null
@@ -1 +0,0 @@
-x
diff --git \"a/caf\\303\\251.json\" \"b/caf\\303\\251.json\"
--- \"a/caf\\303\\251.json\"
+++ \"b/caf\\303\\251.json\"
@@ -1,0 +2 @@
+y
";
        let files = parse_diff(diff);
        assert_eq!(files["p.json"], Lines::Ranges(vec![(3, 3), (11, 12)]));
        assert_eq!(files["café.json"], Lines::Ranges(vec![(2, 2)]));
        assert_eq!(files.len(), 2);
        assert!(!files.contains_key("not a header"));
        assert!(Lines::Ranges(vec![(3, 3)]).touches(2, 3));
        assert!(!Lines::Ranges(vec![(3, 3)]).touches(4, 9));
    }
}
