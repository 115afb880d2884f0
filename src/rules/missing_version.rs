use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::policy::PolicyDocument;

declare_rule! {
    /// A policy document without `Version`: IAM then uses the 2008 language, without policy variables.
    pub struct MissingVersion {
        name: "missing-version",
        category: Correctness,
        severity: Info,
        summary: "the policy has no `Version`, so IAM reads it with the 2008-10-17 language; an error when it uses `${…}` policy variables, which that version does not substitute",
        kinds: [],
    }
}

impl Rule for MissingVersion {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        if doc.implicit || doc.version.is_some() || doc.root.get("Version").is_some() {
            return;
        }
        // `PolicyDocument: {}`: an empty document is `missing-statement`'s, one finding.
        if doc.root.entries().is_some_and(<[_]>::is_empty) {
            return;
        }
        let f = cx.finding(doc.anchor(), "the policy has no `Version`");
        let f = if super::outdated_version::uses_policy_variables(&doc.root) {
            f.severity(Severity::Error)
                .label("without `Version`, the policy's `${…}` variables are plain text: they match literally")
        } else {
            f.label("without `Version`, policy variables such as `${aws:username}` would be plain text")
        };
        cx.report(f.help("add `\"Version\": \"2012-10-17\"` to the document"));
    }
}
