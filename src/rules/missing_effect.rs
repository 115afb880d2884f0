use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::policy::PolicyDocument;

/// A statement without `Effect`.
pub struct MissingEffect;

static META: RuleMeta = RuleMeta {
    name: "missing-effect",
    category: Category::Correctness,
    default_severity: Severity::Error,
    summary: "a statement has no `Effect`",
    doc: include_str!("../../rules/missing-effect.md"),
    kinds: &[],
};

impl Rule for MissingEffect {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

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
