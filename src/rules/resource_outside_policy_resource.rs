use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::policy::arn::Arn;
use crate::policy::{Item, PolicyDocument, Statement};

declare_rule! {
    /// A resource policy naming what the resource it is attached to cannot be: an S3 bucket policy
    /// on `*`, on another service's ARN or on another bucket, and actions of another service.
    pub struct ResourceOutsidePolicyResource {
        name: "resource-outside-policy-resource",
        category: Correctness,
        severity: Error,
        summary: "a resource policy that names another resource or service: an S3 bucket policy on `\"Resource\": \"*\"` or another bucket, actions of another service in a bucket policy (S3 rejects them: errors), or in a queue, topic or secret policy (they never apply: warnings)",
        kinds: [Resource],
    }
}

/// The service whose resource holds the policy, from the template resource that attaches it.
struct Holder {
    /// The action prefix the policy may use (`s3`).
    service: &'static str,
    /// What the policy is, for messages.
    what: &'static str,
    /// A bucket policy: its resources are checked too.
    bucket: bool,
}

fn holder(doc: &PolicyDocument) -> Option<Holder> {
    let owner = doc.owner.as_deref()?;
    let ty = if owner.starts_with("AWS::") {
        owner.split(' ').next()?
    } else {
        owner.split('.').next()?
    };
    let (service, what, bucket) = match ty {
        "AWS::S3::BucketPolicy" | "aws_s3_bucket_policy" | "aws_s3_bucket" => {
            ("s3", "an S3 bucket policy", true)
        }
        "AWS::SQS::QueuePolicy" | "aws_sqs_queue_policy" | "aws_sqs_queue" => {
            ("sqs", "an SQS queue policy", false)
        }
        "AWS::SNS::TopicPolicy" | "aws_sns_topic_policy" | "aws_sns_topic" => {
            ("sns", "an SNS topic policy", false)
        }
        "AWS::SecretsManager::ResourcePolicy" | "aws_secretsmanager_secret_policy" => {
            ("secretsmanager", "a Secrets Manager secret policy", false)
        }
        _ => return None,
    };
    Some(Holder {
        service,
        what,
        bucket,
    })
}

impl Rule for ResourceOutsidePolicyResource {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let Some(h) = holder(doc) else {
            return;
        };
        // The bucket the policy is attached to, when the template writes its name.
        let attached = doc.attached_to.as_ref().and_then(|t| t.literal());
        for st in &doc.statements {
            foreign_actions(&h, st, cx);
            if h.bucket {
                bucket_resources(attached, st, cx);
            }
        }
    }
}

/// The service prefix of an action item that is not the holder's service.
fn foreign_prefix<'a>(h: &Holder, item: &'a Item) -> Option<&'a str> {
    let (prefix, _) = item.literal()?.split_once(':')?;
    (!prefix.eq_ignore_ascii_case(h.service) && !prefix.contains(['*', '?'])).then_some(prefix)
}

/// Is `item` an action this rule reports in `doc` (for `resource-type-mismatch`, which then
/// stays silent on it)?
pub(crate) fn is_foreign_action(doc: &PolicyDocument, item: &Item) -> bool {
    doc.kind == crate::policy::PolicyKind::Resource
        && holder(doc).is_some_and(|h| foreign_prefix(&h, item).is_some())
}

/// `sqs:SendMessage` in a bucket policy: the service accepts only its own actions.
fn foreign_actions(h: &Holder, st: &Statement, cx: &mut Context) {
    let Some(el) = &st.action else {
        return;
    };
    for item in &el.items {
        let Some(prefix) = foreign_prefix(h, item) else {
            continue;
        };
        // S3 rejects the policy (`Policy has invalid action`); the other services store it, and
        // the action never applies (a published SQS example deploys with `logs:` actions).
        let severity = if h.bucket {
            Severity::Error
        } else {
            Severity::Warning
        };
        let f = cx
            .finding(
                item.span,
                format!(
                    "`{}` in {}: only `{}:` actions apply to it",
                    item.literal().unwrap_or_default(),
                    h.what,
                    h.service
                ),
            )
            .label(format!("an action of `{prefix}`, not of `{}`", h.service))
            .help(format!(
                "remove it; grant `{prefix}` actions in a policy of that service's resource or in an identity policy"
            ))
            .severity(severity);
        cx.report(f);
    }
}

/// A bucket policy's `Resource` must be the bucket or its objects.
fn bucket_resources(attached: Option<&str>, st: &Statement, cx: &mut Context) {
    let Some(el) = st.resource.as_ref().filter(|r| !r.negated) else {
        return;
    };
    for item in &el.items {
        let Some(text) = item.literal() else {
            continue;
        };
        if text == "*" {
            let f = cx
                .finding(item.span, "S3 rejects `\"Resource\": \"*\"` in a bucket policy")
                .label("a bucket policy can only name its bucket and the bucket's objects")
                .help(bucket_help(attached));
            cx.report(f);
            continue;
        }
        let Some(arn) = Arn::parse(text) else {
            continue;
        };
        if arn.service != "s3" {
            if arn.service.contains(['*', '?']) {
                continue;
            }
            report_outside(item, format!("`{}` is not an S3 resource", arn.service), attached, cx);
            continue;
        }
        let name = arn.resource.split('/').next().unwrap_or_default();
        if let Some(bucket) = attached
            && !name.is_empty()
            && !name.contains(['*', '?', '$'])
            && !bucket.contains(['*', '?', '$'])
            && name != bucket
        {
            report_outside(
                item,
                format!("names bucket `{name}`, but the policy is attached to `{bucket}`"),
                attached,
                cx,
            );
        }
    }
}

fn report_outside(item: &Item, label: String, attached: Option<&str>, cx: &mut Context) {
    let f = cx
        .finding(
            item.span,
            format!(
                "`{}` cannot be in a bucket policy",
                item.literal().unwrap_or_default()
            ),
        )
        .label(label)
        .help(bucket_help(attached));
    cx.report(f);
}

fn bucket_help(attached: Option<&str>) -> String {
    let b = attached.unwrap_or("BUCKET");
    format!("name the bucket `arn:aws:s3:::{b}` and its objects `arn:aws:s3:::{b}/*`; S3 answers `Policy has invalid resource` otherwise")
}
