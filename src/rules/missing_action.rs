use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// A statement with neither `Action` nor `NotAction`.
    pub struct MissingAction {
        name: "missing-action",
        category: Correctness,
        severity: Error,
        summary: "a statement has neither `Action` nor `NotAction`",
        kinds: [],
    }
}

impl Rule for MissingAction {
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
