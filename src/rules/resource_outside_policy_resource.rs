use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::iamdata::{has_wildcard, wildcard_match};
use crate::policy::arn::Arn;
use crate::policy::attached::{AttachedTo, Target};
use crate::policy::{Item, PolicyDocument, Statement};
use crate::syntax::tree::Part;

declare_rule! {
    /// A resource policy naming what the resource it is attached to cannot be: an S3 bucket policy
    /// on `*`, on another service's ARN or on another bucket; a queue, topic or secret policy on
    /// another queue, topic or secret when the file says which one it is attached to; and actions
    /// of another service.
    pub struct ResourceOutsidePolicyResource {
        name: "resource-outside-policy-resource",
        category: Correctness,
        severity: Error,
        summary: "a resource policy that names another resource or service: an S3 bucket policy on `\"Resource\": \"*\"` or another bucket, actions of another service in a bucket policy (S3 rejects them: errors), a topic policy on another topic (SNS requires the topic's ARN: error), a queue or secret policy on another queue or secret, or actions of another service in them (they never apply: warnings)",
        kinds: [Resource],
    }
}

/// The service whose resource holds the policy, from the template resource that attaches it.
struct Holder {
    /// The action prefix the policy may use (`s3`).
    service: &'static str,
    /// What the policy is, for messages.
    what: &'static str,
    /// A bucket policy: its resources are checked against the bucket's name.
    bucket: bool,
    /// What one resource of the service is called in messages (`queue`).
    noun: &'static str,
    /// How a template names the attached resource's ARN, for the help.
    arn_example: &'static str,
}

fn holder(doc: &PolicyDocument) -> Option<Holder> {
    // A Terraform document attached through the one resource that uses it.
    let through = doc.attached_to.as_ref().and_then(|a| a.holder.as_deref());
    let owner = through.or(doc.owner.as_deref())?;
    let ty = if owner.starts_with("AWS::") {
        owner.split(' ').next()?
    } else {
        owner.split('.').next()?
    };
    let (service, what, bucket, noun, arn_example) = match ty {
        "AWS::S3::BucketPolicy" | "aws_s3_bucket_policy" | "aws_s3_bucket" => {
            ("s3", "an S3 bucket policy", true, "bucket", "")
        }
        "AWS::SQS::QueuePolicy"
        | "AWS::SQS::QueueInlinePolicy"
        | "aws_sqs_queue_policy"
        | "aws_sqs_queue" => (
            "sqs",
            "an SQS queue policy",
            false,
            "queue",
            "`!GetAtt Queue.Arn`, `aws_sqs_queue.q.arn`",
        ),
        "AWS::SNS::TopicPolicy"
        | "AWS::SNS::TopicInlinePolicy"
        | "aws_sns_topic_policy"
        | "aws_sns_topic" => (
            "sns",
            "an SNS topic policy",
            false,
            "topic",
            "`!Ref Topic`, `aws_sns_topic.t.arn`",
        ),
        "AWS::SecretsManager::ResourcePolicy"
        | "aws_secretsmanager_secret_policy"
        | "aws_secretsmanager_secret" => (
            "secretsmanager",
            "a Secrets Manager secret policy",
            false,
            "secret",
            "`\"*\"` (the secret the policy is attached to)",
        ),
        _ => return None,
    };
    Some(Holder {
        service,
        what,
        bucket,
        noun,
        arn_example,
    })
}

impl Rule for ResourceOutsidePolicyResource {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let Some(h) = holder(doc) else {
            return;
        };
        let attached = doc.attached_to.as_ref();
        for st in &doc.statements {
            foreign_actions(&h, st, cx);
            if h.bucket {
                // The bucket the policy is attached to, when the template writes its name.
                bucket_resources(attached.and_then(AttachedTo::literal), st, cx);
            } else if let Some(a) = attached {
                other_resources(&h, a, st, doc, cx);
            }
        }
    }
}

/// The service prefix of an action item that is not the holder's service.
fn foreign_prefix<'a>(h: &Holder, item: &'a Item) -> Option<&'a str> {
    let (prefix, _) = item.literal()?.split_once(':')?;
    (!prefix.eq_ignore_ascii_case(h.service) && !has_wildcard(prefix)).then_some(prefix)
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
            if has_wildcard(arn.service) {
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

/// Whether a `Resource` item can name a resource the policy is attached to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Relation {
    /// It names it (or a pattern that covers it).
    Same,
    /// It cannot: another resource of the file, an ARN that does not match, another service.
    Different,
    /// Not known statically: a computed name against a literal one, an unknown target.
    Unknown,
}

/// A queue, topic or secret policy's `Resource` items that name none of the resources the policy
/// is attached to, when each comparison is known (see [`relation`]). The effect does not matter:
/// an `Allow` or a `Deny` on another queue never applies to this one.
fn other_resources(
    h: &Holder,
    a: &AttachedTo,
    st: &Statement,
    doc: &PolicyDocument,
    cx: &mut Context,
) {
    let Some(el) = st.resource.as_ref().filter(|r| !r.negated) else {
        return;
    };
    if a.targets.is_empty() {
        return;
    }
    for item in &el.items {
        if !a
            .targets
            .iter()
            .all(|t| relation(h, a, item, &t.target) == Relation::Different)
        {
            continue;
        }
        // `rds-db:connect` on an `rds-db` ARN in a queue policy: the statement belongs to another
        // service's policy, reported once, at its foreign actions.
        if let Some(service) = foreign_service(h, item)
            && has_action_of(st, service)
        {
            continue;
        }
        let shown = item
            .literal()
            .map_or_else(
                || doc.file.slice(item.span).trim_matches('"').to_string(),
                str::to_string,
            );
        let label = match foreign_service(h, item) {
            Some(service) => format!("a resource of `{service}`, not a {}", h.noun),
            None => format!("another {}", h.noun),
        };
        // SNS documents that a topic policy's resource "must match the ARN of the policy's
        // topic"; SQS and Secrets Manager store the statement, which then never applies.
        let (severity, consequence) = match h.service {
            "sns" => (
                Severity::Error,
                "SNS requires the ARN of the policy's topic".to_string(),
            ),
            service => (
                Severity::Warning,
                format!(
                    "{} stores the policy, but this statement never applies to the {}",
                    if service == "sqs" { "SQS" } else { "Secrets Manager" },
                    h.noun
                ),
            ),
        };
        let mut f = cx
            .finding(
                item.span,
                format!("`{shown}` is not the {} this policy is attached to", h.noun),
            )
            .label(label)
            .help(format!(
                "name the attached {}'s ARN ({}); {consequence}",
                h.noun, h.arn_example
            ))
            .severity(severity);
        for t in &a.targets {
            f = f.secondary(t.span, format!("the policy is attached to this {}", h.noun));
        }
        cx.report(f);
    }
}

/// Does the statement name an action of `service` (which [`foreign_actions`] reports)?
fn has_action_of(st: &Statement, service: &str) -> bool {
    st.action.as_ref().is_some_and(|el| {
        !el.negated
            && el.items.iter().any(|i| {
                i.literal()
                    .and_then(|t| t.split_once(':'))
                    .is_some_and(|(p, _)| p.eq_ignore_ascii_case(service))
            })
    })
}

/// How a `Resource` item relates to one attached resource.
fn relation(h: &Holder, a: &AttachedTo, item: &Item, target: &Target) -> Relation {
    // `!GetAtt Queue.Arn`, `aws_sqs_queue.orders.arn`: a resource of the file, by its id.
    if let Some(id) = item.text.var_name().and_then(|v| a.resource_of_arn_ref(v)) {
        return match target {
            Target::Resource(t) if t == id => Relation::Same,
            Target::Resource(_) => Relation::Different,
            Target::Written(_) => Relation::Unknown,
        };
    }
    if foreign_service(h, item).is_some() {
        return Relation::Different;
    }
    let Some(pattern) = glob(item) else {
        return Relation::Unknown;
    };
    match target {
        Target::Written(t) => match t.literal().and_then(|w| written_arn(h, w)) {
            // Case-insensitively: a mismatch only in case is left alone.
            Some(arn) if wildcard_match(&pattern, &arn, true) => Relation::Same,
            Some(_) => Relation::Different,
            None => Relation::Unknown,
        },
        Target::Resource(_) => Relation::Unknown,
    }
}

/// The item as a wildcard pattern, a computed part matching anything; `None` for an IAM policy
/// variable (`${aws:PrincipalAccount}`), which the pattern would take literally.
fn glob(item: &Item) -> Option<String> {
    let mut out = String::new();
    for p in item.text.parts.iter() {
        match p {
            Part::Lit(s) if s.contains("${") => return None,
            Part::Lit(s) => out.push_str(s),
            Part::Var(_) => out.push('*'),
        }
    }
    Some(out)
}

/// The service of an item's ARN when the written text says it and it is not the holder's:
/// `arn:aws:s3:::b` in a queue policy.
fn foreign_service<'a>(h: &Holder, item: &'a Item) -> Option<&'a str> {
    let known = item.literal().unwrap_or_else(|| item.text.known_prefix());
    let mut fields = known.splitn(4, ':');
    let (Some("arn"), Some(_), Some(service), Some(_)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    (!service.is_empty()
        && !service.contains(['*', '?', '$'])
        && !service.eq_ignore_ascii_case(h.service))
    .then_some(service)
}

/// The ARN of an attached resource written literally: an ARN as is; an SQS queue URL
/// (`https://sqs.us-east-1.amazonaws.com/111122223333/orders`) as the queue's ARN. A secret
/// named by name (its ARN has a random suffix) is not known.
fn written_arn(h: &Holder, written: &str) -> Option<String> {
    if written.starts_with("arn:") {
        return Some(written.to_string());
    }
    if h.service != "sqs" {
        return None;
    }
    queue_url_arn(written)
}

/// `https://sqs.<region>.amazonaws.com/<account>/<name>` (also the legacy hosts
/// `<region>.queue.amazonaws.com` and `queue.amazonaws.com`, and `.amazonaws.com.cn`) as
/// `arn:<partition>:sqs:<region>:<account>:<name>`.
fn queue_url_arn(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let (account, name) = path.trim_end_matches('/').split_once('/')?;
    if account.len() != 12
        || !account.bytes().all(|b| b.is_ascii_digit())
        || name.is_empty()
        || name.contains(['/', '*', '?', '$'])
    {
        return None;
    }
    let (domain, china) = match host.strip_suffix(".amazonaws.com.cn") {
        Some(d) => (d, true),
        None => (host.strip_suffix(".amazonaws.com")?, false),
    };
    let region = match domain.split('.').collect::<Vec<_>>().as_slice() {
        ["sqs", region] => (*region).to_string(),
        [region, "queue"] => (*region).to_string(),
        ["queue"] => "us-east-1".to_string(),
        _ => return None,
    };
    let partition = if china {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    Some(format!("arn:{partition}:sqs:{region}:{account}:{name}"))
}

#[cfg(test)]
mod tests {
    use super::queue_url_arn;

    #[test]
    fn queue_urls_read_as_arns() {
        assert_eq!(
            queue_url_arn("https://sqs.eu-west-1.amazonaws.com/111122223333/orders").as_deref(),
            Some("arn:aws:sqs:eu-west-1:111122223333:orders")
        );
        assert_eq!(
            queue_url_arn("https://queue.amazonaws.com/111122223333/orders.fifo").as_deref(),
            Some("arn:aws:sqs:us-east-1:111122223333:orders.fifo")
        );
        assert_eq!(
            queue_url_arn("https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q").as_deref(),
            Some("arn:aws-cn:sqs:cn-north-1:111122223333:q")
        );
        assert_eq!(queue_url_arn("https://sqs.us-east-1.amazonaws.com/123/q"), None);
        assert_eq!(queue_url_arn("orders"), None);
        assert_eq!(queue_url_arn("https://example.com/111122223333/q"), None);
    }
}
