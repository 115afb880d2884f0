use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// `"Action": "*"` on `"Resource": "*"` with no condition: full administrator access.
    pub struct AdminAccessAllowed {
        name: "admin-access-allowed",
        category: Security,
        severity: Error,
        summary: "`\"Action\": \"*\"` allowed on `\"Resource\": \"*\"` with no condition: full administrator access",
        kinds: [Identity],
    }
}

impl Rule for AdminAccessAllowed {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in doc.statements.iter().filter(|s| s.is_admin()) {
            let (Some(action), Some(resource)) = (
                st.action.as_ref().and_then(|a| a.star()),
                st.resource.as_ref().and_then(|r| r.star()),
            ) else {
                continue;
            };
            let f = cx
                .finding(action.span, "every action is allowed on every resource")
                .label("`*` grants full administrator access")
                .secondary(resource.span, "on every resource")
                .help("grant the actions the principal needs, or attach the AWS managed `AdministratorAccess` policy where full access is intended");
            cx.report(f);
        }
    }
}
