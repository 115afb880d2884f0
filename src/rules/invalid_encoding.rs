use super::{Category, Rule, RuleMeta};
use crate::diagnostic::Severity;

/// Raised when a file is not valid UTF-8; the rest of it is still linted.
pub struct InvalidEncoding;

pub static META: RuleMeta = RuleMeta {
    name: "invalid-encoding",
    category: Category::Syntax,
    default_severity: Severity::Warning,
    summary: "the file is not valid UTF-8 (invalid bytes are read as U+FFFD and the rest is linted)",
    doc: include_str!("../../rules/invalid-encoding.md"),
    kinds: &[],
};

impl Rule for InvalidEncoding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
