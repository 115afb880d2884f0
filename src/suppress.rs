//! Inline suppressions: `# iamlint: ignore[rule-name] reason` (or `//`) on the line of a finding or
//! the line above hides it. A suppression that hides nothing is itself a finding
//! (`unused-suppression`), so stale ones do not pile up. Formats without comments (JSON) have none.

use std::sync::{Arc, LazyLock};

use crate::diagnostic::Finding;
use crate::rules;
use crate::settings::Settings;
use crate::source::{SourceFile, Span};

/// One `iamlint: ignore[…]` comment.
#[derive(Debug, PartialEq, Eq)]
pub struct Directive {
    /// 1-based line of the comment.
    pub line: u32,
    /// The rule names in brackets, each with its span.
    pub rules: Vec<(String, Span)>,
    pub reason: String,
}

const MARKER: &str = "iamlint: ignore[";

/// Every directive in the file, found in `#` and `//` comments.
pub fn directives(file: &SourceFile) -> Vec<Directive> {
    static FINDER: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(MARKER));
    // Most files have none: looked for with the vectorised searcher first.
    if FINDER.find(file.text.as_bytes()).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut offset = 0usize;
    for (i, line) in file.text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = line[..at].trim_end();
        if !(before.ends_with('#') || before.ends_with("//")) {
            continue;
        }
        let list_start = at + MARKER.len();
        let Some(close) = line[list_start..].find(']') else {
            continue;
        };
        let mut rules = Vec::new();
        let mut pos = list_start;
        for name in line[list_start..list_start + close].split(',') {
            let trimmed = name.trim();
            let lead = name.len() - name.trim_start().len();
            if !trimmed.is_empty() {
                let s = start + pos + lead;
                rules.push((trimmed.to_string(), Span::new(s, s + trimmed.len())));
            }
            pos += name.len() + 1;
        }
        out.push(Directive {
            line: i as u32 + 1,
            rules,
            reason: line[list_start + close + 1..].trim().to_string(),
        });
    }
    out
}

/// Marks suppressed findings and reports directives that suppress nothing.
pub fn apply(file: &Arc<SourceFile>, findings: &mut Vec<Finding>, settings: &Settings) {
    let dirs = directives(file);
    if dirs.is_empty() {
        return;
    }
    let mut used = vec![vec![false; 0]; dirs.len()];
    for (d, u) in dirs.iter().zip(used.iter_mut()) {
        *u = vec![false; d.rules.len()];
    }
    for f in findings.iter_mut() {
        let line = file.position(f.primary.span.start as usize).line;
        for (d, u) in dirs.iter().zip(used.iter_mut()) {
            if d.line != line && d.line + 1 != line {
                continue;
            }
            if let Some(i) = d.rules.iter().position(|(r, _)| r == f.rule.as_str()) {
                u[i] = true;
                f.suppressed = Some(if d.reason.is_empty() {
                    "suppressed by an inline comment".to_string()
                } else {
                    d.reason.clone()
                });
            }
        }
    }
    let meta = &rules::unused_suppression::META;
    let Some(severity) = settings.severity_of(meta.name.as_str()) else {
        return;
    };
    for (d, u) in dirs.iter().zip(&used) {
        for ((name, span), used) in d.rules.iter().zip(u) {
            // A rule that is not enabled could not have fired: its suppression is not stale.
            let enabled = settings.severity_of(name).is_some();
            let unknown = settings.find_rule(name).is_none();
            if *used || (!enabled && !unknown) {
                continue;
            }
            let message = if unknown {
                format!("`{name}` is not a rule, so this suppression hides nothing")
            } else {
                format!("this suppression of `{name}` hides nothing")
            };
            findings.push(
                Finding::new(meta.name.clone(), severity, file, *span, message)
                    .label("no finding of this rule on this line or the next")
                    .help("remove the suppression"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hash_and_slash_comments_with_reasons() {
        let f = SourceFile::new(
            "a.yaml".into(),
            "a: 1 # iamlint: ignore[rds-connect-prefix, secret-read-unscoped] legacy app\n\
             // iamlint: ignore[x]\n\"iamlint: ignore[y]\"\n"
                .into(),
        );
        let d = directives(&f);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].line, 1);
        assert_eq!(d[0].reason, "legacy app");
        assert_eq!(f.slice(d[0].rules[1].1), "secret-read-unscoped");
        assert_eq!(d[1].rules[0].0, "x");
        assert_eq!(d[1].line, 2);
    }
}
