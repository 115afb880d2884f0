use super::{Category, Rule, RuleMeta};
use crate::diagnostic::Severity;

/// Raised by the Terraform front end at the position where the HCL parser stopped.
pub struct InvalidHcl;

pub static META: RuleMeta = RuleMeta {
    name: "invalid-hcl",
    category: Category::Syntax,
    default_severity: Severity::Error,
    summary: "a Terraform file is not valid HCL, so none of its policies could be checked",
    doc: include_str!("../../rules/invalid-hcl.md"),
    kinds: &[],
};

impl Rule for InvalidHcl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
