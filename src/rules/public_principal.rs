use super::{Context, Rule};
use crate::policy::conditions::narrowing;
use crate::policy::{PolicyDocument, PolicyKind};

declare_rule! {
    /// A resource or trust policy that allows `"Principal": "*"` with no condition limiting who.
    pub struct PublicPrincipal {
        name: "public-principal",
        category: Security,
        severity: Error,
        summary: "a resource or trust policy allows `\"Principal\": \"*\"` with no condition that limits who",
        kinds: [Resource, Trust, KeyPolicy],
    }
}

impl Rule for PublicPrincipal {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if !st.is_allow() || narrowing(st).who() {
                continue;
            }
            let Some(p) = st.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            // A trust policy open to `*` without `sts:ExternalId` is already reported by
            // `cross-account-trust-without-external-id`: one finding for one grant.
            if doc.kind == PolicyKind::Trust
                && st.action_item_covering("sts:AssumeRole").is_some()
                && !st.has_condition_key("sts:ExternalId")
            {
                continue;
            }
            let Some(star) = p.values_of("AWS").find(|i| i.literal() == Some("*")) else {
                continue;
            };
            let f = cx
                .finding(star.span, "the policy allows any principal, in any account")
                .label("`*`: anyone, anonymous users included")
                .help("name the principals, or add a condition on `aws:PrincipalOrgID`, `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceVpce`");
            cx.report(f);
        }
    }
}
