use super::{Rule};

declare_rule! {
    /// Raised by the suppression pass for `iamlint: ignore[…]` comments that hide nothing.
    pub struct UnusedSuppression {
        name: "unused-suppression",
        category: Suspicious,
        severity: Warning,
        summary: "an `iamlint: ignore[…]` comment hides no finding",
        kinds: [],
    }
}

impl Rule for UnusedSuppression {
}
