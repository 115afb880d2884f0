//! The findings as data: rule, severity, message, path, byte range, 1-based start and end
//! line/column, labels, help and fix; then one entry per file not read (`"notification"`).

use serde_json::{Value, json};

use crate::Outcome;
use crate::diagnostic::Finding;
use crate::source::Span;

/// Where a token is: byte range and 1-based lines and columns. Fields in the order printed
/// (alphabetical, as every object of the output).
#[derive(serde::Serialize)]
struct Location {
    byte_end: u32,
    byte_start: u32,
    column: u32,
    end_column: u32,
    end_line: u32,
    line: u32,
}

fn location(f: &Finding, span: Span) -> Location {
    let s = f.file.position(span.start as usize);
    let e = f.file.position(span.end as usize);
    Location {
        byte_end: span.end,
        byte_start: span.start,
        column: s.column,
        end_column: e.column,
        end_line: e.line,
        line: s.line,
    }
}

/// One finding as the JSON output prints it: serialized straight from the finding, without a
/// `Value` tree in between (a large run prints hundreds of thousands).
#[derive(serde::Serialize)]
pub struct FindingJson<'a> {
    category: &'static str,
    fix: Option<FixJson<'a>>,
    help: Option<&'a str>,
    label: &'a str,
    location: Location,
    message: &'a str,
    path: &'a str,
    rule: &'a str,
    secondary: Vec<SecondaryJson<'a>>,
    severity: &'static str,
}

#[derive(serde::Serialize)]
struct SecondaryJson<'a> {
    location: Location,
    text: &'a str,
}

#[derive(serde::Serialize)]
struct FixJson<'a> {
    edits: Vec<EditJson<'a>>,
    safe: bool,
}

#[derive(serde::Serialize)]
struct EditJson<'a> {
    byte_end: u32,
    byte_start: u32,
    replacement: &'a str,
}

pub fn finding_json(f: &Finding) -> FindingJson<'_> {
    FindingJson {
        category: crate::rules::category_of(f.rule.as_str()).as_str(),
        fix: f.fix.as_ref().map(|fix| FixJson {
            edits: fix
                .edits
                .iter()
                .map(|e| EditJson {
                    byte_end: e.span.end,
                    byte_start: e.span.start,
                    replacement: &e.replacement,
                })
                .collect(),
            safe: fix.safe,
        }),
        help: f.help.as_deref(),
        label: &f.primary.text,
        location: location(f, f.primary.span),
        message: &f.message,
        path: f.file.shown_path(),
        rule: f.rule.as_str(),
        secondary: f
            .secondary
            .iter()
            .map(|l| SecondaryJson {
                location: location(f, l.span),
                text: &l.text,
            })
            .collect(),
        severity: f.severity.as_str(),
    }
}

/// An entry of the array: a finding, or a notification.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Entry<'a> {
    Finding(FindingJson<'a>),
    Notification(Value),
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

/// Writes the array entry by entry (the findings' entries made on up to `threads` threads, see
/// `in_chunks` in `output`): only a round of findings' JSON is held at a time.
pub fn write(
    outcome: &Outcome,
    threads: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let active: Vec<&Finding> = outcome.active().collect();
    let entries = |at: usize, findings: &[&Finding]| {
        let mut out = Vec::new();
        let entries = findings.iter().map(|f| Entry::Finding(finding_json(f)));
        super::write_elements(&mut out, "", at == 0, entries).expect("writing to memory");
        out
    };
    super::in_chunks(&active, threads, &entries, |buf| out.write_all(&buf))?;
    let rest = outcome
        .notes
        .iter()
        .map(|n| Entry::Notification(note_json(n)))
        .chain(unread_json(outcome).map(Entry::Notification));
    let empty = super::write_elements(out, "", active.is_empty(), rest)?;
    super::close_array(out, "", empty)?;
    out.write_all(b"\n")
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = Vec::new();
    write(outcome, 1, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}
