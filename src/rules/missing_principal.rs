use super::{Context, Rule};
use crate::policy::{PolicyDocument, infer_kind};

declare_rule! {
    /// A statement of a resource, trust, key or VPC endpoint policy with neither `Principal` nor
    /// `NotPrincipal`: the service rejects the policy.
    pub struct MissingPrincipal {
        name: "missing-principal",
        category: Correctness,
        severity: Error,
        summary: "a statement of a resource, trust, key or VPC endpoint policy has neither `Principal` nor `NotPrincipal`",
        kinds: [Resource, Trust, KeyPolicy, Endpoint],
    }
}

/// The kind was said by where the policy is (a bucket's `PolicyDocument`, a role's
/// `AssumeRolePolicyDocument`, `aws_s3_bucket_policy.policy`), not guessed from the document. A
/// raw JSON document or an unused `aws_iam_policy_document` is read as a resource policy
/// *because* some statement has a principal, and then a statement without one may as well mean
/// an identity policy with a stray principal. A guessed kind is always [`infer_kind`]'s answer,
/// so a kind that differs from it was said; so was one that a template resource
/// (`AWS::SQS::QueuePolicy Q`), a Terraform resource (`aws_sqs_queue_policy.q`) or a wrapper key
/// of a JSON file gives.
fn kind_is_certain(doc: &PolicyDocument) -> bool {
    let said_by_owner = doc.owner.as_deref().is_some_and(|o| {
        matches!(o, "AssumeRolePolicyDocument" | "KeyPolicy")
            || o.starts_with("AWS::")
            || o.starts_with("aws_")
    });
    said_by_owner || infer_kind(&doc.root) != doc.kind
}

impl Rule for MissingPrincipal {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        if !kind_is_certain(doc) {
            return;
        }
        for st in &doc.statements {
            if st.principal.is_some() || st.has_misspelt(&["Principal", "NotPrincipal"]) {
                continue;
            }
            let what = match doc.kind {
                crate::policy::PolicyKind::Trust => "a trust policy",
                crate::policy::PolicyKind::KeyPolicy => "a key policy",
                crate::policy::PolicyKind::Endpoint => "a VPC endpoint policy",
                _ => "a resource policy",
            };
            let f = cx
                .finding(st.head(), "the statement has neither `Principal` nor `NotPrincipal`")
                .label(format!("every statement of {what} must name who it applies to; the policy is rejected on deploy"))
                .help("add the principals the statement applies to: `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}` (or `{\"Service\": \"…\"}`; in a VPC endpoint policy, `\"Principal\": \"*\"` with conditions)");
            cx.report(f);
        }
    }
}
