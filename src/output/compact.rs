//! `path:line:col: severity: message [rule]`, one finding a line: what editors' problem matchers
//! read. Columns count characters, 1-based.

use std::fmt::Write;

use crate::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let mut s = String::new();
    for f in outcome.active() {
        let p = f.file.position(f.primary.span.start as usize);
        let _ = writeln!(
            s,
            "{}:{}:{}: {}: {} [{}]",
            f.file.shown_path(),
            p.line,
            p.column,
            f.severity,
            f.message,
            f.rule.name
        );
    }
    s
}
