use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// `iam:PassRole` on every role without an `iam:PassedToService` condition.
    pub struct PassRoleWithWildcardResource {
        name: "pass-role-with-wildcard-resource",
        category: Security,
        severity: Warning,
        summary: "`iam:PassRole` allowed on every role (`*` or `NotResource`) without an `iam:PassedToService` condition",
        kinds: [Identity],
    }
}

impl Rule for PassRoleWithWildcardResource {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if st.is_admin()
                || st.condition_unknown()
                || st.has_condition_key("iam:PassedToService")
            {
                continue;
            }
            // NotAction grants are `allow-with-not-action`'s.
            if st.action.as_ref().is_none_or(|a| a.negated) {
                continue;
            }
            let (Some(action), Some(resource)) = (st.allows("iam:PassRole"), st.all_resources())
            else {
                continue;
            };
            let f = cx
                .finding(resource, "`iam:PassRole` allowed on every role")
                .label("any role, with whatever permissions it has, can be passed to a service")
                .secondary(action, "allows `iam:PassRole`")
                .help("name the roles (`arn:aws:iam::ACCOUNT:role/app-*`) and add `\"StringEquals\": {\"iam:PassedToService\": \"lambda.amazonaws.com\"}`");
            cx.report(f);
        }
    }
}
