use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::policy::PolicyDocument;

/// A policy document without `Version`: IAM then uses the 2008 language, without policy variables.
pub struct MissingVersion;

static META: RuleMeta = RuleMeta {
    name: "missing-version",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    summary: "the policy has no `Version`, so IAM reads it with the 2008-10-17 language",
    doc: include_str!("../../rules/missing-version.md"),
    kinds: &[],
};

impl Rule for MissingVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        if doc.implicit || doc.version.is_some() || doc.root.get("Version").is_some() {
            return;
        }
        let f = cx
            .finding(doc.anchor(), "the policy has no `Version`")
            .label("without `Version`, policy variables such as `${aws:username}` are plain text")
            .help("add `\"Version\": \"2012-10-17\"` to the document");
        cx.report(f);
    }
}
