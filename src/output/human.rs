//! The human view: rustc-style reports drawn by miette, with the source snippet, the offending
//! token underlined, the rule name linked to its doc page, help and the suggested fix.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::Outcome;
use crate::diagnostic::{Finding, Severity};
use crate::source::SourceFile;

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.display_path(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// One finding seen through miette's `Diagnostic` trait.
struct Report<'a> {
    finding: &'a Finding,
    help: Option<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
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
        Some(&*self.finding.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let span = |s: crate::source::Span| SourceSpan::from(s.range());
        let primary = LabeledSpan::new_primary_with_span(
            Some(f.primary.text.clone()).filter(|t| !t.is_empty()),
            span(f.primary.span),
        );
        let secondary = f
            .secondary
            .iter()
            .filter(move |l| near(f, l))
            .map(move |l| LabeledSpan::new_with_span(Some(l.text.clone()), span(l.span)));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// A secondary label is drawn in the snippet when it is close to the primary one: at most two
/// lines above it (miette heads a report with the first snippet, which must be the offending
/// token's) or fewer than eight below. Others become notes under the report.
fn near(f: &Finding, l: &crate::diagnostic::Label) -> bool {
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
            .map(|e| format!("`{}` → `{}`", f.file.slice(e.span), e.replacement))
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
        .cloned()
        .chain(suggestion)
        .chain(notes)
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Renders every active finding, then a summary line. `width` fixes the line width (tests).
pub fn render(outcome: &Outcome, color: bool, width: Option<usize>) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    if let Some(w) = width {
        handler = handler.with_width(w);
    }
    let mut out = String::new();
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for f in outcome.active() {
        match f.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Info => infos += 1,
        }
        let report = Report {
            finding: f,
            help: help_text(f),
        };
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out.push_str(&summary(outcome.files_linted, errors, warnings, infos));
    out
}

pub(crate) fn summary(files: usize, errors: usize, warnings: usize, infos: usize) -> String {
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
