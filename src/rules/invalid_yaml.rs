use super::{Rule};

declare_rule! {
    /// Raised by the YAML front end where parsing stopped (or where an alias bomb or absurd nesting
    /// made it stop on purpose).
    pub struct InvalidYaml {
        name: "invalid-yaml",
        category: Syntax,
        severity: Error,
        summary: "the file is not valid YAML, so the policies after the error were not linted",
        kinds: [],
    }
}

impl Rule for InvalidYaml {
}
