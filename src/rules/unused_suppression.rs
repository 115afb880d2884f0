use super::{Category, Rule, RuleMeta};
use crate::diagnostic::Severity;

/// Raised by the suppression pass for `iamlint: ignore[…]` comments that hide nothing.
pub struct UnusedSuppression;

pub static META: RuleMeta = RuleMeta {
    name: "unused-suppression",
    category: Category::Suspicious,
    default_severity: Severity::Warning,
    summary: "an `iamlint: ignore[…]` comment hides no finding",
    doc: include_str!("../../rules/unused-suppression.md"),
    kinds: &[],
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
