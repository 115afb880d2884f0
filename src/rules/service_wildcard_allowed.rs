use super::{Context, Rule};
use crate::iamdata;
use crate::policy::PolicyDocument;

declare_rule! {
    /// `s3:*`: every action of a service, today's and those AWS adds later.
    pub struct ServiceWildcardAllowed {
        name: "service-wildcard-allowed",
        category: Security,
        severity: Warning,
        summary: "`service:*` (or `*` on narrowed resources) allows every action of a service, including those AWS adds later",
        kinds: [Identity, Resource],
    }
}

impl Rule for ServiceWildcardAllowed {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let data = iamdata::get();
        for st in &doc.statements {
            // `*` on `*` without condition is `admin-access-allowed`'s.
            if !st.is_allow() || st.is_admin() {
                continue;
            }
            let Some(el) = st.action.as_ref().filter(|a| !a.negated) else {
                continue;
            };
            for item in &el.items {
                let Some(p) = item.literal() else { continue };
                let (message, label) = if p == "*" {
                    (
                        "`*` allows every action of every service".to_string(),
                        format!(
                            "{} actions in {} services today, and every one AWS adds",
                            data.actions().count(),
                            data.services().len()
                        ),
                    )
                } else if let Some(svc) = p.strip_suffix(":*").and_then(|s| data.service(s)) {
                    (
                        format!("`{p}` allows every action of {}", svc.name()),
                        format!(
                            "{} actions today, and every one AWS adds to `{}`",
                            svc.actions().len(),
                            svc.prefix()
                        ),
                    )
                } else {
                    continue;
                };
                let f = cx
                    .finding(item.span, message)
                    .label(label)
                    .help("list the actions the workload calls (IAM Access Analyzer can generate them from CloudTrail)");
                cx.report(f);
            }
        }
    }
}
