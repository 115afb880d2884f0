use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// An identity policy statement with neither `Resource` nor `NotResource`.
    pub struct MissingResource {
        name: "missing-resource",
        category: Correctness,
        severity: Error,
        summary: "an identity policy statement has neither `Resource` nor `NotResource`",
        kinds: [Identity, Boundary, Session],
    }
}

impl Rule for MissingResource {
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
