//! The human view: rustc-style reports drawn by miette, with the source snippet, the offending
//! token underlined, the rule name linked to its doc page, help and the suggested fix.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::Outcome;
use crate::diagnostic::{Finding, Severity};
use crate::source::{SourceFile, any_byte};

/// Lines longer than this (in bytes) are not shown whole: the snippet is the part of the line
/// around the token (minified JSON, `terraform show -json` put a whole file on one line).
const LONG_LINE: usize = 512;
/// Bytes of a long line shown on each side of the token.
const AROUND: usize = 60;
/// Longest span underlined; a longer one is underlined from its start.
const MAX_LABEL: usize = 160;
/// A secondary label further than this (in bytes) from the primary one is a note.
const NEAR_BYTES: u32 = 400;

/// One file's text as the snippets show it: the file's own text (a settled file's kept lines in
/// place, see [`SourceFile::offset_text`]), or a copy whose control characters (an escape
/// sequence, a lone carriage return) are replaced by `?` byte for byte, so that offsets and the
/// line index still hold and the terminal sees no control sequence.
struct Snippets<'a> {
    file: &'a SourceFile,
    text: std::borrow::Cow<'a, str>,
    name: String,
}

impl<'a> Snippets<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let whole = file.offset_text();
        let bytes = whole.as_bytes();
        let bad = |i: usize, b: u8| {
            (b < 0x20
                && b != b'\n'
                && b != b'\t'
                && !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')))
                || b == 0x7F
        };
        // Most texts have no control character but line feeds and tabs: seen a vector of bytes
        // at a time; only a text with one is looked at closer.
        let suspect = any_byte(bytes, |b| {
            (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7F
        });
        let text = if suspect && bytes.iter().enumerate().any(|(i, &b)| bad(i, b)) {
            let clean: Vec<u8> = bytes
                .iter()
                .enumerate()
                .map(|(i, &b)| if bad(i, b) { b'?' } else { b })
                .collect();
            std::borrow::Cow::Owned(String::from_utf8(clean).expect("ASCII for ASCII"))
        } else {
            whole
        };
        Snippets {
            file,
            text,
            name: crate::source::escape_controls(file.shown_path()).into_owned(),
        }
    }

    /// The byte offset where 0-based line `line` starts (the text's end past the last line).
    fn line_start(&self, line: usize) -> usize {
        self.file.line_start(line).unwrap_or(self.text.len())
    }

    /// Start and end (before the line break) of 0-based line `line` (the text's end for the
    /// empty line after a final line break).
    fn line_bounds(&self, line: usize) -> (usize, usize) {
        self.file
            .line_range(line)
            .map_or((self.text.len(), self.text.len()), |r| (r.start, r.end))
    }
}

impl SourceCode for Snippets<'_> {
    /// Reads only the lines around the span, found with the file's line index: a file with many
    /// findings is not scanned from its start for each one.
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &str = &self.text;
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let first = self.file.line_of(start);
        let last = self.file.line_of(end.saturating_sub(1).max(start));
        let from_line = first.saturating_sub(context_lines_before);
        let a = self.line_start(from_line);
        let b = self.line_start(last + context_lines_after + 1);
        let (la, _) = self.line_bounds(first);
        let (_, lb) = self.line_bounds(last);
        if lb - la > LONG_LINE || b - a > 8 * LONG_LINE {
            // The token's line(s) only, cut around the token.
            // Without context lines (miette asks so for the header's line and column), the
            // contents start at the token, as miette's own reader does.
            let mut wa = if context_lines_before == 0 {
                start
            } else {
                start.saturating_sub(AROUND).max(la)
            };
            while !text.is_char_boundary(wa) {
                wa -= 1;
            }
            let mut wb = (end + AROUND).min(lb).max(wa);
            while !text.is_char_boundary(wb) {
                wb += 1;
            }
            let column = self.file.position(wa).column as usize - 1;
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                &text.as_bytes()[wa..wb],
                (wa, wb - wa).into(),
                first,
                column,
                last - first + 1,
            )));
        }
        let lines = &text.as_bytes()[a..b];
        let c = context(
            lines,
            start - a,
            end - start,
            context_lines_before,
            context_lines_after,
        )
        .ok_or(MietteError::OutOfBounds)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &lines[c.data.clone()],
            (c.data.start + a, c.data.len()).into(),
            c.line + from_line,
            c.column,
            c.line_count,
        )))
    }
}

/// What miette's own reader (`SourceCode for [u8]`) answers for a span: the bytes shown, the
/// first one's 0-based line and column, and the lines it went through.
#[derive(Debug, PartialEq)]
struct Context {
    data: std::ops::Range<usize>,
    line: usize,
    column: usize,
    line_count: usize,
}

/// miette's reader, step for step, but from line break to line break rather than byte by
/// byte: the bytes between two breaks only move the column and may end the read, which is
/// worked out for the whole run at once. `None` where miette answers out of bounds. The
/// `same_as_miettes_reader` proptest holds it to miette's.
fn context(
    input: &[u8],
    offset: usize,
    len: usize,
    before: usize,
    after: usize,
) -> Option<Context> {
    // A break at or past this ends the span (miette: `offset + len - 1`, saturating)...
    let span_end = offset + len.saturating_sub(1);
    // ...and a byte at or past this one (`(offset + len) - 1`, saturating).
    let last = (offset + len).saturating_sub(1);
    let mut at = 0usize;
    let mut line_count = 0;
    let mut start_line = 0;
    let mut column = 0;
    let mut starts = std::collections::VecDeque::new();
    let mut line_start = 0;
    let mut end_lines = 0;
    let mut post_span = false;
    let mut got_newline = false;
    'read: while at < input.len() {
        // The run of bytes before the next break.
        let stop = memchr::memchr2(b'\n', b'\r', &input[at..]).map_or(input.len(), |i| at + i);
        if at < stop {
            // The first byte of the run at or past the span's last one ends the read there,
            // once the lines after it are all read.
            let ends = (last.max(at) < stop).then_some(last.max(at));
            if let Some(o) = ends
                && end_lines >= after
            {
                column += offset.min(o + 1).saturating_sub(at);
                at = o + 1;
                break 'read;
            }
            post_span |= ends.is_some();
            column += offset.min(stop).saturating_sub(at);
            at = stop;
            if at == input.len() {
                break;
            }
        }
        // The break at `at` (CR LF is one).
        line_count += 1;
        if input[at] == b'\r' && input.get(at + 1) == Some(&b'\n') {
            at += 1;
        }
        if at < offset {
            column = 0;
            starts.push_back(line_start);
            if starts.len() > before {
                start_line += 1;
                starts.pop_front();
            }
        } else if at >= span_end && post_span {
            column = 0;
            if got_newline {
                end_lines += 1;
            } else {
                got_newline = true;
            }
            if end_lines >= after {
                at += 1;
                break;
            }
        }
        line_start = at + 1;
        if at >= last {
            post_span = true;
            if end_lines >= after {
                at += 1;
                break;
            }
        }
        at += 1;
    }
    if at < last {
        return None;
    }
    let first = starts
        .front()
        .copied()
        .unwrap_or(if before == 0 { offset } else { 0 });
    Some(Context {
        data: first..at,
        line: start_line,
        column: if before == 0 { column } else { 0 },
        line_count,
    })
}

/// A span cut to at most [`MAX_LABEL`] bytes (at a character boundary).
fn short(text: &str, s: crate::source::Span) -> SourceSpan {
    let r = s.range();
    let mut end = r.end.min(r.start + MAX_LABEL).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    SourceSpan::from(r.start..end.max(r.start.min(text.len())))
}

/// One finding seen through miette's `Diagnostic` trait.
struct Report<'a> {
    finding: &'a Finding,
    help: Option<String>,
    message: String,
    source: &'a Snippets<'a>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("iamlint::{}", self.finding.rule.as_str())))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(crate::rules::doc_url(self.finding.rule.as_str())))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let span = |s: crate::source::Span| short(&self.source.text, s);
        let text = |t: &str| crate::source::escape_controls(t).into_owned();
        let primary = LabeledSpan::new_primary_with_span(
            Some(text(&f.primary.text)).filter(|t| !t.is_empty()),
            span(f.primary.span),
        );
        let secondary = f
            .secondary
            .iter()
            .filter(move |l| near(f, l))
            .map(move |l| LabeledSpan::new_with_span(Some(text(&l.text)), span(l.span)));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// A secondary label is drawn in the snippet when it is close to the primary one: at most two
/// lines above it (miette heads a report with the first snippet, which must be the offending
/// token's) or fewer than eight below. Others become notes under the report.
fn near(f: &Finding, l: &crate::diagnostic::Label) -> bool {
    if l.span.start.abs_diff(f.primary.span.start) > NEAR_BYTES {
        return false;
    }
    let p = f.file.position(f.primary.span.start as usize).line;
    let at = f.file.position(l.span.start as usize).line;
    (at <= p && p - at <= 2) || (at > p && at - p < 8)
}

/// The help line, with the fix's replacement text and far labels as notes.
fn help_text(f: &Finding) -> Option<String> {
    let suggestion = f.fix.as_ref().map(|fix| {
        let edits: Vec<String> = fix
            .edits
            .iter()
            .map(|e| {
                format!(
                    "`{}` → `{}`",
                    clip(f.file.slice(e.span)),
                    clip(&e.replacement)
                )
            })
            .collect();
        format!(
            "{} fix: {}",
            if fix.safe { "safe" } else { "unsafe" },
            edits.join(", ")
        )
    });
    let notes = f.secondary.iter().filter(|l| !near(f, l)).map(|l| {
        let p = f.file.position(l.span.start as usize);
        format!("note: {} (line {})", l.text, p.line)
    });
    let lines: Vec<String> = f
        .help
        .iter()
        .map(ToString::to_string)
        .chain(suggestion)
        .chain(notes)
        .collect();
    (!lines.is_empty()).then(|| {
        lines
            .iter()
            .map(|l| crate::source::escape_controls(l))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// At most 80 characters of `s`, controls escaped; `…` marks a cut.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    crate::source::escape_controls(&out).into_owned()
}

/// Renders every active finding, then a summary line.
pub fn render(outcome: &Outcome, color: bool) -> String {
    let mut out = Vec::new();
    write(outcome, color, 1, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8 reports")
}

/// [`render`], a report at a time into `out` (reports drawn on up to `threads` threads, see
/// `in_chunks` in `output`).
pub fn write(
    outcome: &Outcome,
    color: bool,
    threads: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let active: Vec<&Finding> = outcome.active().collect();
    let reports = |_: usize, findings: &[&Finding]| draw(findings, color);
    super::in_chunks(&active, threads, &reports, |buf| out.write_all(&buf))?;
    out.write_all(summary(outcome.files_linted, &active).as_bytes())?;
    out.write_all(crate::outcome::LeftOut::line(outcome.left_out.as_ref()).as_bytes())?;
    out.write_all(skipped_line(outcome).as_bytes())?;
    out.write_all(unread_line(outcome).as_bytes())
}

/// The reports of `findings` (sorted by file), each followed by a blank line.
fn draw(findings: &[&Finding], color: bool) -> Vec<u8> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Messages are not wrapped to the terminal, as rustc and ruff do not: a terminal wraps a
    // long line itself, a log or a pager keeps it whole, and wrapping cost half the render time.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_wrap_lines(false)
        .with_context_lines(crate::source::SNIPPET_CONTEXT);
    let mut out = String::new();
    // Findings come sorted by file: one snippet source per file.
    let mut source: Option<Snippets> = None;
    for f in findings {
        if !source
            .as_ref()
            .is_some_and(|s| std::ptr::eq(s.file, std::sync::Arc::as_ptr(&f.file)))
        {
            source = Some(Snippets::new(&f.file));
        }
        let report = Report {
            finding: f,
            help: help_text(f),
            message: crate::source::escape_controls(&f.message).into_owned(),
            source: source.as_ref().expect("set above"),
        };
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out.into_bytes()
}

/// How many places look like they hold a policy but were not read, and the first of them:
/// `Not read: 2 places that look like policies (a.tf:3:5: …); --verbose lists them all.`
pub(crate) fn unread_line(outcome: &Outcome) -> String {
    let n = outcome.unread.len();
    let Some(first) = outcome.unread_lines().next() else {
        return String::new();
    };
    if n == 1 {
        return format!("Not read: 1 place that looks like a policy ({first}).\n");
    }
    format!(
        "Not read: {n} places that look like policies (first: {first}); --verbose lists them all.\n"
    )
}

/// `1 file named on the command line could not be read; 2 files skipped (see stderr).`, or
/// nothing when every file was read.
pub(crate) fn skipped_line(outcome: &Outcome) -> String {
    let named = outcome.notes.iter().filter(|n| n.named).count();
    let walked = outcome.notes.len() - named;
    let plural = |n: usize| if n == 1 { "file" } else { "files" };
    let mut parts = Vec::new();
    if named > 0 {
        parts.push(format!(
            "{named} {} named on the command line could not be read",
            plural(named)
        ));
    }
    if walked > 0 {
        parts.push(format!("{walked} {} skipped", plural(walked)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{} (see the messages above).\n", parts.join("; "))
    }
}

/// `Found 3 findings (1 error, 2 warnings, 0 info) in 2 files.`, of the `active` findings.
pub(crate) fn summary(files: usize, active: &[&Finding]) -> String {
    let count = |s: Severity| active.iter().filter(|f| f.severity == s).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let total = errors + warnings + infos;
    if total == 0 {
        return format!("No findings in {}.\n", plural(files, "file"));
    }
    format!(
        "Found {} ({}, {}, {}) in {}.\n",
        plural(total, "finding"),
        plural(errors, "error"),
        plural(warnings, "warning"),
        infos,
        plural(files, "file"),
    )
    .replace(&format!(", {infos})"), &format!(", {infos} info)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Raw control characters in a file (an escape sequence, a lone carriage return, DEL) reach
    /// the snippet as `?`, byte for byte; line feeds, tabs and CRLF line ends stay.
    #[test]
    fn snippets_replace_control_characters() {
        let cases = [
            ("{\"a\": \"x\u{1b}[2Jy\"}\n", "{\"a\": \"x?[2Jy\"}\n"),
            ("a\rb\r\nc\td\u{7f}\n", "a?b\r\nc\td?\n"),
            ("plain\ttext\r\nmore\n", "plain\ttext\r\nmore\n"),
        ];
        for (text, shown) in cases {
            let file = SourceFile::new("p.json".into(), text.into());
            assert_eq!(Snippets::new(&file).text, shown, "{text:?}");
        }
        // Every ASCII byte, alone in a line.
        for b in 0u8..0x80 {
            let text = format!("a{}b\n", char::from(b));
            let file = SourceFile::new("p.json".into(), text.clone());
            let kept = b == b'\n' || b == b'\t' || (b >= 0x20 && b != 0x7F);
            assert_eq!(Snippets::new(&file).text == text, kept, "{b:#x}");
        }
    }

    /// What miette's own reader answers, as a [`Context`].
    fn miettes(
        input: &[u8],
        offset: usize,
        len: usize,
        before: usize,
        after: usize,
    ) -> Option<Context> {
        let c = input
            .read_span(&SourceSpan::from((offset, len)), before, after)
            .ok()?;
        let start = c.span().offset();
        assert_eq!(c.data(), &input[start..start + c.span().len()]);
        Some(Context {
            data: start..start + c.span().len(),
            line: c.line(),
            column: c.column(),
            line_count: c.line_count(),
        })
    }

    #[test]
    fn reads_spans_as_miette() {
        let text = b"ab\ncd\r\n\r\nef\rg\n\nhij";
        // Spans inside the text, as `Snippets::read_span` asks (miette panics on some past it).
        for offset in 0..=text.len() {
            for len in 0..=text.len() - offset {
                for (before, after) in [(0, 0), (1, 1), (0, 2), (2, 0), (3, 3)] {
                    assert_eq!(
                        context(text, offset, len, before, after),
                        miettes(text, offset, len, before, after),
                        "{offset}+{len}, {before} before, {after} after"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        /// Line break to line break, the reader answers as miette's byte-by-byte one.
        #[test]
        fn same_as_miettes_reader(
            text in "(a|é|xyz|\n|\r\n|\r| ){0,30}",
            offset in 0usize..80,
            len in 0usize..40,
            before in 0usize..4,
            after in 0usize..4,
        ) {
            let input = text.as_bytes();
            let offset = offset.min(input.len());
            let len = len.min(input.len() - offset);
            proptest::prop_assert_eq!(
                context(input, offset, len, before, after),
                miettes(input, offset, len, before, after)
            );
        }
    }
}
