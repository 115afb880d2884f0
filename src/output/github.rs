//! GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…,col=…,endLine=…,
//! endColumn=…,title=iamlint(rule)::message` line per finding, which the runner turns into
//! annotations on the pull request's diff, then a plain summary line for the log.
//!
//! Escaping follows the runner's own rules (actions/toolkit `command.ts`): in the message `%`, CR
//! and LF are percent-encoded; in property values `:` and `,` are too, since they delimit
//! properties. Columns count characters, 1-based; the end column is the one after the token.

use std::fmt::Write;

use crate::Outcome;
use crate::diagnostic::Severity;
use crate::fingerprint;

/// Escapes the message part (after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=…`, `title=…`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(outcome: &Outcome) -> String {
    let cwd = fingerprint::cwd();
    let mut out = String::new();
    let mut counts = [0usize; 3];
    for f in outcome.active() {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        counts[f.severity as usize] += 1;
        let s = f.file.position(f.primary.span.start as usize);
        let e = f.file.position(f.primary.span.end as usize);
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&fingerprint::path_of(&f.file, cwd.as_deref())),
            s.line,
            s.column,
            e.line,
            e.column,
            escape_property(&format!("iamlint({})", f.rule.name)),
            escape_data(&message),
        );
    }
    let [infos, warnings, errors] = counts;
    out.push_str(&super::human::summary(
        outcome.files_linted,
        errors,
        warnings,
        infos,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("100% a\r\nb: c,d"), "100%25 a%0D%0Ab: c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
