use super::{Rule};

declare_rule! {
    /// Raised by the JSON front end at the position where parsing stopped.
    pub struct InvalidJson {
        name: "invalid-json",
        category: Syntax,
        severity: Error,
        summary: "the file is not valid JSON (or uses comments or trailing commas, which IAM rejects)",
        kinds: [],
    }
}

impl Rule for InvalidJson {
}
