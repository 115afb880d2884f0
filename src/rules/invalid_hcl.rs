use super::{Rule};

declare_rule! {
    /// Raised by the Terraform front end at the position where the HCL parser stopped.
    pub struct InvalidHcl {
        name: "invalid-hcl",
        category: Syntax,
        severity: Error,
        summary: "a Terraform file is not valid HCL, so none of its policies could be checked",
        kinds: [],
    }
}

impl Rule for InvalidHcl {
}
