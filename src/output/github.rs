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
pub fn escape_data(s: &str) -> std::borrow::Cow<'_, str> {
    escape(s, false)
}

/// Escapes a property value (`file=…`, `title=…`).
pub fn escape_property(s: &str) -> std::borrow::Cow<'_, str> {
    escape(s, true)
}

/// One pass over `s`: `%`, CR and LF percent-encoded, and in a property `:` and `,` too; other
/// control characters (and the Unicode line and paragraph separators) as `\u{…}`. Text with
/// none of them, nearly every message, is returned as it is.
fn escape(s: &str, property: bool) -> std::borrow::Cow<'_, str> {
    let special =
        |b: u8| !(0x20..0x7F).contains(&b) || b == b'%' || property && (b == b':' || b == b',');
    if !crate::source::any_byte(s.as_bytes(), special) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if crate::source::is_escaped_control(c) => {
                crate::source::push_unicode_escape(&mut out, c);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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
    write!(
        out,
        "::{command} file={},line={}{columns},title=iamlint({})::{}",
        escape_property(&fingerprint::path_of(&f.file, cwd)),
        s.line,
        escape_property(f.rule.as_str()),
        escape_data(&f.message),
    )?;
    if let Some(help) = &f.help {
        write!(out, "%0Ahelp: {}", escape_data(help))?;
    }
    out.write_all(b"\n")
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
        assert_eq!(escape_data("a\u{85}b\u{2028}\tc"), "a\\u{85}b\\u{2028}\tc");
        assert!(matches!(
            escape_data("plain: text, 1"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// The escaping as it was written before the one pass: the runner's rules applied one after
    /// the other, as `command.ts` does (`%` first, then CR and LF; for a property then `:` and
    /// `,`), and the text between line breaks through `escape_controls`.
    fn step_by_step(s: &str, property: bool) -> String {
        let s = s.replace('%', "%25");
        let mut out = String::new();
        for line in s.split_inclusive(['\r', '\n']) {
            let (body, brk) = match line.strip_suffix(['\r', '\n']) {
                Some(b) => (b, &line[b.len()..]),
                None => (line, ""),
            };
            out.push_str(&crate::source::escape_controls(body));
            out.push_str(brk);
        }
        let data = out.replace('\r', "%0D").replace('\n', "%0A");
        if property {
            data.replace(':', "%3A").replace(',', "%2C")
        } else {
            data
        }
    }

    proptest::proptest! {
        /// One pass escapes as the rules applied one by one do.
        #[test]
        fn one_pass_is_the_runners_rules(s in "[a-z:,%\\r\\n\\t\u{0}-\u{1f}\u{7f}-\u{a0}\u{2028}\u{2029}é ]{0,40}") {
            proptest::prop_assert_eq!(escape_data(&s), step_by_step(&s, false));
            proptest::prop_assert_eq!(escape_property(&s), step_by_step(&s, true));
        }
    }
}
