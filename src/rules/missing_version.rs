use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// A policy document without `Version`: IAM then uses the 2008 language, without policy variables.
    pub struct MissingVersion {
        name: "missing-version",
        category: Correctness,
        severity: Warning,
        summary: "the policy has no `Version`, so IAM reads it with the 2008-10-17 language",
        kinds: [],
    }
}

impl Rule for MissingVersion {
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
