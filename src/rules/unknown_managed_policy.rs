use super::{Context, Rule};
use crate::iamdata::managed;
use crate::policy::attachment::Attachment;

declare_rule! {
    /// An `arn:aws:iam::aws:policy/…` ARN that names no AWS managed policy (a misspelt name, or
    /// a missing path such as `service-role/`), with the nearest existing one.
    pub struct UnknownManagedPolicy {
        name: "unknown-managed-policy",
        category: Correctness,
        severity: Error,
        summary: "an `arn:aws:iam::aws:policy/…` ARN that names no AWS managed policy",
        kinds: [],
        default_enabled: true,
    }
}

impl Rule for UnknownManagedPolicy {
    fn check_attachment(&self, a: &Attachment, cx: &mut Context) {
        let Some(r) = a.aws_policy() else {
            return;
        };
        // A bare name (SAM) is looked up by name at deploy time; the list is the `aws`
        // partition's (China and GovCloud have other sets); a deprecated policy that AWS has
        // removed is `deprecated-managed-policy`'s finding.
        let Some(path) = r.path else {
            return;
        };
        if !r.in_listed_partition() || managed::find_deprecated(r.name).is_some() {
            return;
        }
        let message = format!("`{}` names no AWS managed policy", a.value);
        let f = match managed::find(r.name) {
            Some(p) if p.path == path => return,
            // arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole (the path is service-role/)
            Some(p) => cx
                .finding(a.span, message)
                .label(format!("`{}` has the path `{}`", p.name, p.path))
                .help(format!("write `{}`", p.arn())),
            None => {
                let f = cx
                    .finding(a.span, message)
                    .label("no AWS managed policy has this name");
                match managed::nearest(r.name) {
                    Some(p) => f.help(format!("did you mean `{}`?", p.arn())),
                    None => f.help(format!(
                        "check the name against the AWS managed policy list ({} of {})",
                        managed::source(),
                        managed::date()
                    )),
                }
            }
        };
        cx.report(f);
    }
}
