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

/// Owners whose service accepts a policy with repeated `Sid`s: Amazon ECR stores a repository
/// policy as written (the `Sid` is optional and not checked for uniqueness there), while IAM, S3,
/// SQS, SNS and KMS reject one.
const ACCEPTS_DUPLICATES: &[&str] = &[
    "AWS::ECR::Repository ",
    "aws_ecr_repository_policy.",
    "aws_ecr_registry_policy.",
];

impl Rule for DuplicateSid {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        if doc
            .owner
            .as_deref()
            .is_some_and(|o| ACCEPTS_DUPLICATES.iter().any(|p| o.starts_with(p)))
        {
            return;
        }
        // The first statement of each `Sid`: one pass, not a scan of the earlier ones per
        // statement (a policy of 50,000 statements).
        let mut first_of: std::collections::HashMap<&str, crate::source::Span> =
            std::collections::HashMap::new();
        for st in &doc.statements {
            let Some(sid) = st.sid.as_ref() else { continue };
            let Some(v) = sid.literal().filter(|v| !v.is_empty()) else {
                continue;
            };
            let earlier = match first_of.entry(v) {
                std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(sid.span);
                    None
                }
            };
            if let Some(first) = earlier {
                let f = cx
                    .finding(
                        sid.span,
                        format!("`Sid` `{v}` is used by another statement"),
                    )
                    .label("IAM requires statement ids to be unique within a policy")
                    .secondary(first, "first used here")
                    .help("give each statement its own `Sid`");
                cx.report(f);
            }
        }
    }
}
