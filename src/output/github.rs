//! GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…,col=…,endLine=…,
//! endColumn=…,title=iamlint(rule)::message` line per finding, which the runner turns into
//! annotations on the pull request's diff, then a plain summary line for the log.
//!
//! Escaping follows the runner's own rules (actions/toolkit `command.ts`): in the message `%`, CR
//! and LF are percent-encoded; in property values `:` and `,` are too, since they delimit
//! properties. Columns count characters, 1-based; the end column is the one after the token.

use std::io::Write;

use crate::Outcome;
use crate::diagnostic::{Finding, Severity};
use crate::fingerprint;

/// Escapes the message part (after `::`). Other control characters than CR and LF (an escape
/// sequence) are written as `\u{1b}`: the log is shown in a terminal-like view.
pub fn escape_data(s: &str) -> String {
    let s = s.replace('%', "%25");
    let mut out = String::with_capacity(s.len());
    for line in s.split_inclusive(['\r', '\n']) {
        let (body, brk) = match line.strip_suffix(['\r', '\n']) {
            Some(b) => (b, &line[b.len()..]),
            None => (line, ""),
        };
        out.push_str(&crate::source::escape_controls(body));
        out.push_str(brk);
    }
    out.replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (`file=…`, `title=…`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = Vec::new();
    write(outcome, 1, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8 parts")
}

/// [`render`], a line at a time into `out` (lines made on up to `threads` threads, see
/// `in_chunks` in `output`).
pub fn write(outcome: &Outcome, threads: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let cwd = fingerprint::cwd();
    // Files that were not read: a warning each (an error for a file named on the command line).
    for n in &outcome.notes {
        writeln!(
            out,
            "::{} file={},title={}::{}",
            if n.named { "error" } else { "warning" },
            escape_property(&n.path),
            escape_property("iamlint: file not read"),
            escape_data(&n.message),
        )?;
    }
    let active: Vec<&Finding> = outcome.active().collect();
    let lines = |_: usize, findings: &[&Finding]| {
        let mut buf = Vec::new();
        for f in findings {
            annotation(f, cwd.as_deref(), &mut buf).expect("writing to memory");
        }
        buf
    };
    super::in_chunks(&active, threads, &lines, |buf| out.write_all(&buf))?;
    out.write_all(super::human::summary(outcome.files_linted, &active).as_bytes())?;
    out.write_all(crate::outcome::LeftOut::line(outcome.left_out.as_ref()).as_bytes())?;
    out.write_all(super::human::skipped_line(outcome).as_bytes())
}

/// The workflow command of one finding.
fn annotation(
    f: &Finding,
    cwd: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let s = f.file.position(f.primary.span.start as usize);
    let e = f.file.position(f.primary.span.end as usize);
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    // GitHub honours columns only on a one-line range; a token that spans lines (a heredoc)
    // is annotated by lines alone.
    let columns = if s.line == e.line {
        format!(
            ",col={},endLine={},endColumn={}",
            s.column, e.line, e.column
        )
    } else {
        format!(",endLine={}", e.line)
    };
    writeln!(
        out,
        "::{command} file={},line={}{columns},title={}::{}",
        escape_property(&fingerprint::path_of(&f.file, cwd)),
        s.line,
        escape_property(&format!("iamlint({})", f.rule.as_str())),
        escape_data(&message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_over_several_lines_is_annotated_by_lines() {
        let file = crate::source::SourceFile::new("main.tf".into(), "a = <<EOF\n{}\nEOF\n".into());
        let meta = crate::rules::ALL[0].meta();
        let f = crate::diagnostic::Finding::new(
            meta.name.clone(),
            meta.default_severity,
            &file,
            crate::source::Span::new(4, 12),
            "m",
        );
        let outcome = Outcome {
            findings: vec![f],
            files_linted: 1,
            ..Outcome::default()
        };
        let out = render(&outcome);
        assert!(
            out.starts_with(&format!(
                "::{} file=main.tf,line=1,endLine=2,title=iamlint({})::m\n",
                if meta.default_severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                },
                meta.name
            )),
            "{out}"
        );
    }

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("100% a\r\nb: c,d"), "100%25 a%0D%0Ab: c,d");
        assert_eq!(escape_data("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
