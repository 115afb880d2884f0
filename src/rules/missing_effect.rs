use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// A statement without `Effect`.
    pub struct MissingEffect {
        name: "missing-effect",
        category: Correctness,
        severity: Error,
        summary: "a statement has no `Effect`",
        kinds: [],
    }
}

impl Rule for MissingEffect {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if doc.statement_node(st).get("Effect").is_some() || st.has_misspelt(&["Effect"]) {
                continue;
            }
            let f = cx
                .finding(st.head(), "the statement has no `Effect`")
                .label("IAM rejects a statement without `Effect`")
                .help("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`");
            cx.report(f);
        }
    }
}
