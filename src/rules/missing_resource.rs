use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::policy::{PolicyDocument, PolicyKind};

/// An identity policy statement with neither `Resource` nor `NotResource`.
pub struct MissingResource;

static META: RuleMeta = RuleMeta {
    name: "missing-resource",
    category: Category::Correctness,
    default_severity: Severity::Error,
    summary: "an identity policy statement has neither `Resource` nor `NotResource`",
    doc: include_str!("../../rules/missing-resource.md"),
    // Trust and resource policies apply to the resource they are attached to.
    kinds: &[PolicyKind::Identity],
};

impl Rule for MissingResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if st.resource.is_some() || st.has_misspelt(&["Resource", "NotResource"]) {
                continue;
            }
            let f = cx
                .finding(st.head(), "the statement has neither `Resource` nor `NotResource`")
                .label("IAM rejects an identity policy statement that names no resource")
                .help("add the resources the statement applies to: `\"Resource\": \"arn:aws:s3:::bucket/*\"`");
            cx.report(f);
        }
    }
}
