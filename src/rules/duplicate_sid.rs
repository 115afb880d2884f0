use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// Two statements of one policy with the same `Sid`.
    pub struct DuplicateSid {
        name: "duplicate-sid",
        category: Correctness,
        severity: Error,
        summary: "two statements of one policy have the same `Sid`",
        kinds: [],
    }
}

impl Rule for DuplicateSid {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for (i, st) in doc.statements.iter().enumerate() {
            let Some(sid) = st.sid.as_ref() else { continue };
            let Some(v) = sid.literal().filter(|v| !v.is_empty()) else {
                continue;
            };
            let earlier = doc.statements[..i]
                .iter()
                .filter_map(|s| s.sid.as_ref())
                .find(|s| s.literal() == Some(v));
            if let Some(first) = earlier {
                let f = cx
                    .finding(
                        sid.span,
                        format!("`Sid` `{v}` is used by another statement"),
                    )
                    .label("IAM requires statement ids to be unique within a policy")
                    .secondary(first.span, "first used here")
                    .help("give each statement its own `Sid`");
                cx.report(f);
            }
        }
    }
}
