use super::{Category, Rule, RuleMeta};
use crate::diagnostic::Severity;

/// Raised by the YAML front end where parsing stopped (or where an alias bomb or absurd nesting
/// made it stop on purpose).
pub struct InvalidYaml;

pub static META: RuleMeta = RuleMeta {
    name: "invalid-yaml",
    category: Category::Syntax,
    default_severity: Severity::Error,
    summary: "the file is not valid YAML, so the policies after the error were not linted",
    doc: include_str!("../../rules/invalid-yaml.md"),
    kinds: &[],
};

impl Rule for InvalidYaml {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
