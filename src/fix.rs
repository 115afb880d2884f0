//! Autofix: applies the replacements findings carry, byte for byte, leaving everything else in the
//! file as it was (formatting, comments, key order). Only safe fixes unless unsafe ones are asked
//! for; overlapping edits keep the first and leave the rest for a later run.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use crate::diagnostic::{Edit, Finding};
use crate::settings::Settings;
use crate::source::SourceFile;

/// What fixing one file gives.
pub struct FixedFile {
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
    pub applied: usize,
}

/// Applies non-overlapping edits, in order of position.
pub fn apply(text: &str, edits: &[&Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    let mut applied = 0;
    for e in sorted {
        let r = e.span.range();
        if r.start < at
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&text[at..r.start]);
        out.push_str(&e.replacement);
        at = r.end;
        applied += 1;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// The edits of the fixes among `findings` (suppressed ones excluded), safe ones only unless
/// `unsafe_fixes`.
fn edits(findings: &[Finding], unsafe_fixes: bool) -> Vec<&Edit> {
    findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .filter_map(|f| f.fix.as_ref().filter(|x| x.safe || unsafe_fixes))
        .flat_map(|x| x.edits.iter())
        .collect()
}

/// Most passes one file gets: a fix can reveal another (`Actions` → `Action` lets the
/// `rds:connect` inside it be seen), and a fix that keeps producing fixes must still stop.
const MAX_PASSES: usize = 10;

/// The fixed text of every file that has fixes among `findings`, each relinted and fixed again
/// until nothing more applies.
pub fn fix_files(findings: &[Finding], settings: &Settings, unsafe_fixes: bool) -> Vec<FixedFile> {
    fix_files_hiding(findings, &HashSet::<String>::new(), settings, unsafe_fixes)
}

/// [`fix_files`] for the findings a run reports: `findings` are those left after the filters
/// (baseline, changed lines, suppressions), and `hidden` the fingerprints of those the filters
/// hid. A later pass (a fix revealing another) never fixes a finding with a hidden fingerprint:
/// fingerprints survive the edits of the earlier passes.
pub fn fix_files_hiding(
    findings: &[Finding],
    hidden: &HashSet<String, impl std::hash::BuildHasher>,
    settings: &Settings,
    unsafe_fixes: bool,
) -> Vec<FixedFile> {
    let mut by_file: BTreeMap<String, (&SourceFile, Vec<&Finding>)> = BTreeMap::new();
    for f in findings {
        by_file
            .entry(f.file.display_path())
            .or_insert_with(|| (&f.file, Vec::new()))
            .1
            .push(f);
    }
    by_file
        .into_values()
        .filter_map(|(file, found)| {
            let found: Vec<Finding> = found.into_iter().cloned().collect();
            let (mut text, mut applied) = apply(&file.text, &edits(&found, unsafe_fixes));
            if applied == 0 {
                return None;
            }
            let name = file.path.to_string_lossy();
            for _ in 1..MAX_PASSES {
                let mut again = crate::lint_text(&name, &text, settings);
                if !hidden.is_empty() {
                    let prints = crate::fingerprint::fingerprints(&again);
                    let mut keep = prints.iter().map(|p| !hidden.contains(p));
                    again.retain(|_| keep.next().unwrap_or(true));
                }
                let (next, n) = apply(&text, &edits(&again, unsafe_fixes));
                if n == 0 || next == text {
                    break;
                }
                text = next;
                applied += n;
            }
            (text != file.text).then(|| FixedFile {
                path: file.path.clone(),
                original: file.text.clone(),
                fixed: text,
                applied,
            })
        })
        .collect()
}

/// What writing fixed files back did.
#[derive(Debug, Default)]
pub struct Written {
    /// Fixes applied, and in how many files.
    pub applied: usize,
    pub files: usize,
    /// Files left alone because they are links out of the linted folders: what to say of each.
    pub skipped: Vec<String>,
    /// Files that could not be written (each left as it was): what to say of each.
    pub failed: Vec<String>,
}

/// Writes fixed files back, only where the file on disk is still exactly the text that was linted
/// (a file decoded from UTF-16 or with invalid UTF-8 is left alone), and only inside `roots`
/// (the paths the run was given, links resolved): a symbolic link to a file elsewhere is skipped
/// and named. Each file is written atomically ([`crate::source::write_atomic`]); one that fails is
/// named and the others are still written.
pub fn write(files: &[FixedFile], roots: &[PathBuf]) -> Written {
    let roots: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    let mut out = Written::default();
    for f in files {
        let shown =
            crate::source::escape_controls(&crate::source::display_path(&f.path)).into_owned();
        let real = match std::fs::canonicalize(&f.path) {
            Ok(r) => r,
            Err(e) => {
                out.failed.push(format!("{shown}: {e}"));
                continue;
            }
        };
        if !roots.iter().any(|r| real.starts_with(r)) {
            out.skipped.push(format!(
                "{shown}: not fixed: a symbolic link to {}, outside the linted paths",
                crate::source::escape_controls(&real.display().to_string())
            ));
            continue;
        }
        match std::fs::read(&real) {
            Ok(on_disk) if on_disk == f.original.as_bytes() => {}
            Ok(_) => continue,
            Err(e) => {
                out.failed.push(format!("{shown}: {e}"));
                continue;
            }
        }
        match crate::source::write_atomic(&real, f.fixed.as_bytes()) {
            Ok(()) => {
                out.applied += f.applied;
                out.files += 1;
            }
            Err(e) => out
                .failed
                .push(format!("{shown}: cannot write the fixes: {e}")),
        }
    }
    out
}

/// A unified diff of one fixed file, as `git diff` prints it.
pub fn unified_diff(f: &FixedFile) -> String {
    let name = crate::source::display_path(&f.path);
    similar::TextDiff::from_lines(&f.original, &f.fixed)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn applies_in_order_and_skips_overlaps() {
        let e1 = Edit {
            span: Span::new(0, 3),
            replacement: "rds-db".into(),
        };
        let e2 = Edit {
            span: Span::new(1, 2),
            replacement: "X".into(),
        };
        let e3 = Edit {
            span: Span::new(4, 5),
            replacement: "C".into(),
        };
        let (out, n) = apply("rds:connect", &[&e3, &e2, &e1]);
        assert_eq!(out, "rds-db:Connect");
        assert_eq!(n, 2);
    }
}
