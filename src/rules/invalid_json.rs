use super::{Category, Rule, RuleMeta};
use crate::diagnostic::Severity;

/// Raised by the JSON front end at the position where parsing stopped.
pub struct InvalidJson;

pub static META: RuleMeta = RuleMeta {
    name: "invalid-json",
    category: Category::Syntax,
    default_severity: Severity::Error,
    summary: "the file is not valid JSON (or uses comments or trailing commas, which IAM rejects)",
    doc: include_str!("../../rules/invalid-json.md"),
    kinds: &[],
};

impl Rule for InvalidJson {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
