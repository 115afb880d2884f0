use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::policy::{PolicyDocument, PolicyKind};

/// `iam:PassRole` on every role without an `iam:PassedToService` condition.
pub struct PassRoleWithWildcardResource;

static META: RuleMeta = RuleMeta {
    name: "pass-role-with-wildcard-resource",
    category: Category::Security,
    default_severity: Severity::Warning,
    summary: "`iam:PassRole` allowed on every role (`*` or `NotResource`) without an `iam:PassedToService` condition",
    doc: include_str!("../../rules/pass-role-with-wildcard-resource.md"),
    kinds: &[PolicyKind::Identity],
};

impl Rule for PassRoleWithWildcardResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

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
