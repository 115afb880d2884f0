//! `path:line:col: severity: message [rule]`, one finding a line: what editors' problem matchers
//! read. Columns count characters, 1-based. Control characters in a path or a message are
//! escaped (`\n`, `\u{1b}`): a finding is always one line, and the input cannot forge another.

use std::io::Write;

use crate::Outcome;
use crate::diagnostic::Finding;
use crate::source::escape_controls;

pub fn render(outcome: &Outcome) -> String {
    let mut out = Vec::new();
    write(outcome, 1, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8 parts")
}

/// [`render`], a line at a time into `out` (lines made on up to `threads` threads, see
/// `in_chunks` in `output`).
pub fn write(outcome: &Outcome, threads: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let active: Vec<&Finding> = outcome.active().collect();
    let lines = |_: usize, findings: &[&Finding]| {
        let mut buf = Vec::new();
        for f in findings {
            let p = f.file.position(f.primary.span.start as usize);
            writeln!(
                buf,
                "{}:{}:{}: {}: {} [{}]",
                escape_controls(f.file.shown_path()),
                p.line,
                p.column,
                f.severity,
                escape_controls(&f.message),
                f.rule.as_str()
            )
            .expect("writing to memory");
        }
        buf
    };
    super::in_chunks(&active, threads, &lines, |buf| out.write_all(&buf))
}
