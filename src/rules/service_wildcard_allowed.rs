use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::iamdata;
use crate::policy::PolicyDocument;

declare_rule! {
    /// `s3:*`: every action of a service, today's and those AWS adds later.
    pub struct ServiceWildcardAllowed {
        name: "service-wildcard-allowed",
        category: Security,
        severity: Warning,
        summary: "`service:*` (or `*` on narrowed resources) allows every action of a service, including those AWS adds later; `info` where an AWS managed policy grants every action of the service by name (`ssmmessages:*`)",
        kinds: [Identity, Resource],
    }
}

/// Services whose every action an AWS managed policy grants, by name, to the one client that uses
/// them: `svc:*` there is the managed policy's grant written short, not a broader one, so it is
/// reported as information (AWS may still add actions), not as a warning that fails a run.
/// Each entry: the prefix, the managed policy, and every action that policy lists for the prefix
/// (a test checks that this is still every action the service reference knows).
pub const GRANTED_WHOLE_BY_MANAGED_POLICY: &[(&str, &str, &[&str])] = &[
    // The SSM Agent's message channels (Run Command, Session Manager).
    (
        "ec2messages",
        "AmazonSSMManagedInstanceCore",
        &[
            "AcknowledgeMessage",
            "DeleteMessage",
            "FailMessage",
            "GetEndpoint",
            "GetMessages",
            "SendReply",
        ],
    ),
    (
        "ssmmessages",
        "AmazonSSMManagedInstanceCore",
        &[
            "CreateControlChannel",
            "CreateDataChannel",
            "OpenControlChannel",
            "OpenDataChannel",
        ],
    ),
];

/// The managed policy that grants every action of `prefix` by name, if one is listed.
fn granted_whole_by(prefix: &str) -> Option<&'static str> {
    GRANTED_WHOLE_BY_MANAGED_POLICY
        .iter()
        .find(|(p, ..)| p.eq_ignore_ascii_case(prefix))
        .map(|&(_, policy, _)| policy)
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
                let mut whole_by = None;
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
                    whole_by = granted_whole_by(svc.prefix());
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
                let mut f = cx
                    .finding(item.span, message)
                    .label(label)
                    .help("list the actions the workload calls (IAM Access Analyzer can generate them from CloudTrail)");
                if let Some(policy) = whole_by {
                    f = f.severity(Severity::Info).help(format!(
                        "the AWS managed policy `{policy}` grants every one of these actions by name: list them, or attach it"
                    ));
                }
                cx.report(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list is still every action of the service: when AWS adds one, `svc:*` grants more
    /// than the managed policy, and the entry must be checked again.
    #[test]
    fn managed_policy_lists_every_action_of_the_service() {
        let data = iamdata::get();
        for (prefix, _, listed) in GRANTED_WHOLE_BY_MANAGED_POLICY {
            let svc = data.service(prefix).expect(prefix);
            let mut known: Vec<&str> = svc.actions().iter().map(iamdata::Action::name).collect();
            let mut listed = listed.to_vec();
            known.sort_unstable();
            listed.sort_unstable();
            assert_eq!(known, listed, "{prefix}");
        }
    }
}
