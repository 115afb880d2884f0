use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::policy::PolicyDocument;

/// A statement with neither `Action` nor `NotAction`.
pub struct MissingAction;

static META: RuleMeta = RuleMeta {
    name: "missing-action",
    category: Category::Correctness,
    default_severity: Severity::Error,
    summary: "a statement has neither `Action` nor `NotAction`",
    doc: include_str!("../../rules/missing-action.md"),
    kinds: &[],
};

impl Rule for MissingAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if st.action.is_some() || st.has_misspelt(&["Action", "NotAction"]) {
                continue;
            }
            let f = cx
                .finding(
                    st.head(),
                    "the statement has neither `Action` nor `NotAction`",
                )
                .label("IAM rejects a statement that names no action")
                .help("add the actions the statement is about: `\"Action\": [\"s3:GetObject\"]`");
            cx.report(f);
        }
    }
}
