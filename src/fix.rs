//! Autofix: applies the replacements findings carry, byte for byte, leaving everything else in the
//! file as it was (formatting, comments, key order). Only safe fixes unless unsafe ones are asked
//! for; overlapping edits keep the first and leave the rest for a later run.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostic::{Edit, Finding};
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

/// The fixed text of every file that has fixes among `findings` (suppressed ones excluded).
pub fn fix_files(findings: &[Finding], unsafe_fixes: bool) -> Vec<FixedFile> {
    let mut by_file: BTreeMap<String, (&SourceFile, Vec<&Edit>)> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.suppressed.is_none()) {
        let Some(fix) = f.fix.as_ref().filter(|x| x.safe || unsafe_fixes) else {
            continue;
        };
        by_file
            .entry(f.file.display_path())
            .or_insert_with(|| (&f.file, Vec::new()))
            .1
            .extend(fix.edits.iter());
    }
    by_file
        .into_values()
        .filter_map(|(file, edits)| {
            let (fixed, applied) = apply(&file.text, &edits);
            (applied > 0 && fixed != file.text).then(|| FixedFile {
                path: file.path.clone(),
                original: file.text.clone(),
                fixed,
                applied,
            })
        })
        .collect()
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
