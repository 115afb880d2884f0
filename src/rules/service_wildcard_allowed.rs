use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::iamdata;
use crate::policy::{PolicyDocument, PolicyKind};

/// `s3:*`: every action of a service, today's and those AWS adds later.
pub struct ServiceWildcardAllowed;

static META: RuleMeta = RuleMeta {
    name: "service-wildcard-allowed",
    category: Category::Security,
    default_severity: Severity::Warning,
    summary: "`service:*` (or `*` on narrowed resources) allows every action of a service, including those AWS adds later",
    doc: include_str!("../../rules/service-wildcard-allowed.md"),
    // Key policies give `kms:*` to the account root by design (see `kms-decrypt-without-via-service`).
    kinds: &[PolicyKind::Identity, PolicyKind::Resource],
};

impl Rule for ServiceWildcardAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

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
