use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::iamdata::managed::{self, ManagedPolicy};
use crate::policy::attachment::Attachment;

declare_rule! {
    /// A role, user, group or function that attaches `AdministratorAccess` (an error) or another
    /// AWS managed policy whose document allows privilege escalation or every action but a few
    /// (a warning), decided from the policies' documents (`data/managed-policies.tsv`). On an
    /// IAM Identity Center permission set every finding is a warning (`permission_set`).
    pub struct AdminManagedPolicyAttached {
        name: "admin-managed-policy-attached",
        category: Security,
        severity: Error,
        summary: "attaches `AdministratorAccess` (error) or an AWS managed policy that allows privilege escalation or almost every action (warning)",
        kinds: [],
        default_enabled: true,
    }
}

impl Rule for AdminManagedPolicyAttached {
    fn check_attachment(&self, a: &Attachment, cx: &mut Context) {
        let Some(r) = a.aws_policy() else {
            return;
        };
        let Some(p) = managed::find(r.name) else {
            return;
        };
        // An ARN with another path names no policy: `unknown-managed-policy` says so.
        if r.path.is_some_and(|path| path != p.path) {
            return;
        }
        let Some((severity, what)) = grant(p) else {
            return;
        };
        if a.is_permission_set() {
            return permission_set(a, p, what, cx);
        }
        let f = cx
            .finding(a.span, format!("the AWS managed policy `{}` {what}", p.name))
            .severity(severity)
            .label(format!("`{}` attached here", p.name))
            .help(format!(
                "attach a policy with only the actions this identity needs; where `{}` is \
                 intended (a break-glass or deployment role), suppress the finding with the reason",
                p.name
            ));
        cx.report(f);
    }
}

/// An IAM Identity Center permission set: always a warning. An administrators' permission set
/// (`AdministratorAccess`, as AWS's own Control Tower sets up) is the usual, intended way to give
/// a few people admin access with single sign-on; what decides the risk is who is assigned it,
/// which the assignment says, not the permission set. Reported so the grant is seen in review.
fn permission_set(a: &Attachment, p: &ManagedPolicy, what: &str, cx: &mut Context) {
    let f = cx
        .finding(
            a.span,
            format!(
                "the permission set gives everyone assigned to it `{}`, which {what}",
                p.name
            ),
        )
        .severity(Severity::Warning)
        .label(format!("`{}` attached to the permission set here", p.name))
        .help(format!(
            "where this is the administrators' permission set, keep its assignments to a few \
             people and suppress the finding with the reason; otherwise attach a policy with only \
             the actions its users need instead of `{}`",
            p.name
        ));
    cx.report(f);
}

/// How much a managed policy grants, from the flags its document earned, or `None` when it is
/// not an administrator's policy.
///
/// A policy for a service's role (`/service-role/`, `/aws-service-role/`) is made for that role
/// and is held by the service the role trusts; its escalation paths (`iam:PassRole` with
/// `ec2:RunInstances` for a Batch or Glue role) are what the service needs, not a grant to a
/// person, so only its full administrator access is reported.
fn grant(p: &ManagedPolicy) -> Option<(Severity, &'static str)> {
    let for_service = p.path.ends_with("service-role/");
    if p.admin {
        Some((Severity::Error, "allows every action on every resource"))
    } else if p.all_but {
        Some((
            Severity::Warning,
            "allows every action but a few on every resource (`NotAction`)",
        ))
    } else if p.escalation && !for_service {
        Some((
            Severity::Warning,
            "allows privilege escalation (`iam:*`, or a path such as `iam:PassRole` with a compute action)",
        ))
    } else {
        None
    }
}
