use super::{Rule};

declare_rule! {
    /// Raised when a file is not valid UTF-8; the rest of it is still linted.
    pub struct InvalidEncoding {
        name: "invalid-encoding",
        category: Syntax,
        severity: Warning,
        summary: "the file is not valid UTF-8 (invalid bytes are read as U+FFFD and the rest is linted)",
        kinds: [],
    }
}

impl Rule for InvalidEncoding {
}
