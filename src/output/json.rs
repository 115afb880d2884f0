//! The findings as data: rule, severity, message, path, byte range, 1-based start and end
//! line/column, labels, help and fix; then one entry per file not read (`"notification"`).

use serde_json::{Value, json};

use crate::Outcome;
use crate::diagnostic::Finding;
use crate::source::Span;

fn location(f: &Finding, span: Span) -> Value {
    let s = f.file.position(span.start as usize);
    let e = f.file.position(span.end as usize);
    json!({
        "byte_start": span.start,
        "byte_end": span.end,
        "line": s.line,
        "column": s.column,
        "end_line": e.line,
        "end_column": e.column,
    })
}

pub fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule.as_str(),
        "category": crate::rules::category_of(f.rule.as_str()).as_str(),
        "severity": f.severity.as_str(),
        "message": f.message,
        "path": f.file.shown_path(),
        "location": location(f, f.primary.span),
        "label": &*f.primary.text,
        "secondary": f.secondary.iter().map(|l| json!({
            "text": &*l.text,
            "location": location(f, l.span),
        })).collect::<Vec<_>>(),
        "help": f.help.as_deref(),
        "fix": f.fix.as_ref().map(|fix| json!({
            "safe": fix.safe,
            "edits": fix.edits.iter().map(|e| json!({
                "byte_start": e.span.start,
                "byte_end": e.span.end,
                "replacement": e.replacement,
            })).collect::<Vec<_>>(),
        })),
    })
}

/// A file the run did not read, as an entry after the findings: `{"notification": "skipped",
/// "severity": "error" (named on the command line) or "warning", "path", "message"}`.
pub fn note_json(n: &crate::walk::Note) -> Value {
    json!({
        "notification": "skipped",
        "severity": if n.named { "error" } else { "warning" },
        "path": n.path,
        "message": n.message,
    })
}

/// How many places that look like policies were not read, and the first [`UNREAD_SHOWN`] of
/// them: `{"notification": "not-read", "severity": "info", "count", "locations": [{"path",
/// "line", "column", "message"}]}`.
pub fn unread_json(outcome: &Outcome) -> Option<Value> {
    if outcome.unread.is_empty() {
        return None;
    }
    let locations: Vec<Value> = outcome
        .unread
        .iter()
        .take(UNREAD_SHOWN)
        .map(|u| {
            let p = u.file.position(u.span.start as usize);
            json!({
                "path": u.file.shown_path(),
                "line": p.line,
                "column": p.column,
                "message": u.what,
            })
        })
        .collect();
    Some(json!({
        "notification": "not-read",
        "severity": "info",
        "count": outcome.unread.len(),
        "locations": locations,
    }))
}

/// Places not read listed in the JSON output (`--verbose` prints them all on stderr).
pub const UNREAD_SHOWN: usize = 10;

/// Writes the array entry by entry: only one finding's JSON is held at a time.
pub fn write(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let entries = outcome
        .active()
        .map(finding_json)
        .chain(outcome.notes.iter().map(note_json))
        .chain(unread_json(outcome));
    super::write_array(out, "", entries)?;
    out.write_all(b"\n")
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = Vec::new();
    write(outcome, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}
