//! Findings as plain data: which rule, how severe, what and where, with optional fix. Every output
//! format renders these; nothing here knows about terminals or file formats.

use std::fmt;
use std::sync::Arc;

use crate::source::{SourceFile, Span};

/// A rule's name, carried by value in each finding: findings never point into the registry, so
/// custom rules (named at run time) need no `'static` lifetime. Cheap to clone.
#[derive(Clone)]
pub struct RuleName(Name);

#[derive(Clone)]
enum Name {
    /// A built-in rule's name.
    Static(&'static str),
    /// A custom rule's name, shared by its findings.
    Shared(Arc<str>),
}

impl RuleName {
    pub const fn new(name: &'static str) -> Self {
        RuleName(Name::Static(name))
    }

    pub fn shared(name: Arc<str>) -> Self {
        RuleName(Name::Shared(name))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Name::Static(s) => s,
            Name::Shared(s) => s,
        }
    }
}

impl PartialEq for RuleName {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RuleName {}

impl PartialEq<str> for RuleName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RuleName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::hash::Hash for RuleName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for RuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for RuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: Words,
}

/// The words of a label or a help. A run can hold a hundred thousand findings until they are
/// sorted, so words are not copied into each: most are fixed (`not of a type the action
/// takes`), and the policy's owner (`in the identity policy of …`) is one text shared by every
/// finding of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Words {
    Fixed(&'static str),
    Made(Box<str>),
    Shared(Arc<str>),
}

impl std::ops::Deref for Words {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Words::Fixed(s) => s,
            Words::Made(s) => s,
            Words::Shared(s) => s,
        }
    }
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl From<&'static str> for Words {
    fn from(s: &'static str) -> Self {
        Words::Fixed(s)
    }
}

impl From<String> for Words {
    fn from(s: String) -> Self {
        Words::Made(s.into_boxed_str())
    }
}

impl From<Arc<str>> for Words {
    fn from(s: Arc<str>) -> Self {
        Words::Shared(s)
    }
}

impl PartialEq<str> for Words {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl PartialEq<&str> for Words {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

/// Replacements that turn the offending text into the corrected one. Applied only on request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub edits: Vec<Edit>,
    /// Safe fixes keep the policy's meaning as the author intended it; unsafe ones guess.
    pub safe: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// One problem found in one file.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: RuleName,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<Words>,
    /// Boxed: most findings have none, and every finding is kept until the end of the walk.
    pub fix: Option<Box<Fix>>,
    pub file: Arc<SourceFile>,
    /// The reason given by the suppression comment or baseline that hides this finding.
    pub suppressed: Option<String>,
}

impl Finding {
    /// A finding of `rule` at its default severity, `severity`.
    pub fn new(
        rule: RuleName,
        severity: Severity,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity,
            message: message.into(),
            primary: Label {
                span: whole_chars(&file.text, span),
                text: Words::Fixed(""),
            },
            secondary: Vec::new(),
            help: None,
            fix: None,
            file: file.clone(),
            suppressed: None,
        }
    }

    /// Text shown at the primary span: why this token is the problem.
    pub fn label(mut self, text: impl Into<Words>) -> Self {
        self.primary.text = text.into();
        self
    }

    pub fn secondary(mut self, span: Span, text: impl Into<Words>) -> Self {
        self.secondary.push(Label {
            span: whole_chars(&self.file.text, span),
            text: text.into(),
        });
        self
    }

    pub fn help(mut self, text: impl Into<Words>) -> Self {
        self.help = Some(text.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix.map(Box::new);
        self
    }

    /// Sorts findings in the order every output uses: by [`Self::sort_key`].
    pub fn sort(findings: &mut [Finding]) {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    /// The sort key every output uses: path, line, column, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            self.file.shown_path(),
            self.primary.span.start,
            self.primary.span.end,
            self.rule.as_str(),
            &self.message,
        )
    }
}

/// `span` widened to whole characters: a rule that points at "the first character" of a document
/// (`start..start + 1`) must not cut a multi-byte one (`é: x` as a YAML policy's first key).
fn whole_chars(text: &str, span: Span) -> Span {
    let mut start = (span.start as usize).min(text.len());
    let mut end = (span.end as usize).clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

/// A fix that replaces `old` with `new` inside the token at `span`, if the token's source text
/// contains `old` exactly once (an escaped string in the source gets no fix rather than a wrong one).
pub fn replace_in_token(file: &SourceFile, span: Span, old: &str, new: &str) -> Option<Fix> {
    let raw = file.slice(span);
    let at = raw.find(old)?;
    if raw[at + old.len()..].contains(old) {
        return None;
    }
    let start = span.start as usize + at;
    Some(Fix {
        edits: vec![Edit {
            span: Span::new(start, start + old.len()),
            replacement: new.to_string(),
        }],
        safe: true,
    })
}
