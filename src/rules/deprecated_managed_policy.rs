use super::{Context, Rule};
use crate::iamdata::managed;
use crate::policy::attachment::Attachment;

declare_rule! {
    /// Attaching an AWS managed policy that AWS has deprecated, with its replacement.
    pub struct DeprecatedManagedPolicy {
        name: "deprecated-managed-policy",
        category: Correctness,
        severity: Warning,
        summary: "attaches an AWS managed policy that AWS has deprecated; names the replacement",
        kinds: [],
        default_enabled: true,
    }
}

impl Rule for DeprecatedManagedPolicy {
    fn check_attachment(&self, a: &Attachment, cx: &mut Context) {
        let Some(r) = a.aws_policy() else {
            return;
        };
        let Some(d) = managed::find_deprecated(r.name) else {
            return;
        };
        let help = match d.replaced_by.and_then(managed::find) {
            Some(new) => format!(
                "attach `{}` (`{}`) instead; see {}",
                new.name,
                new.arn(),
                d.source
            ),
            None => format!("no replacement is recorded; see {}", d.source),
        };
        let f = cx
            .finding(
                a.span,
                format!("`{}` is a deprecated AWS managed policy", d.name),
            )
            .label("a deprecated policy cannot be attached to new roles, users or groups")
            .help(help);
        cx.report(f);
    }
}
