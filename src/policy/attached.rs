//! What a resource policy is attached to, where the file says: the bucket of an S3 bucket
//! policy, the queues of an SQS queue policy, the topics of an SNS topic policy, the secret of a
//! Secrets Manager resource policy. `resource-outside-policy-resource` compares the policy's
//! `Resource` with it.
//!
//! A resource is named two ways, and only like is compared with like:
//!
//! - [`Target::Written`]: the text the file writes for it (a bucket name, a queue URL, a topic or
//!   secret ARN). A literal can be compared with a literal ARN in `Resource`; a text with unknown
//!   parts (`!Ref QueueUrlParam`, `${var.queue_url}`) compares with nothing.
//! - [`Target::Resource`]: a resource the same file declares, by its id (`Queue`, a template's
//!   logical id; `aws_sqs_queue.orders`, a Terraform address). Two ids of one file are two
//!   resources; a `Resource` item that is one of the file's ARN references
//!   ([`AttachedTo::arn_refs`], `!GetAtt Queue.Arn`, `aws_sqs_queue.orders.arn`) names the
//!   resource of that id. Whether a declared resource is the one a literal ARN names depends on
//!   its deployed name: never decided.

use crate::source::Span;
use crate::syntax::tree::Text;

/// The resources a resource policy is attached to, and how the file names their ARNs.
#[derive(Clone, Debug, Default)]
pub struct AttachedTo {
    /// Each resource the policy is attached to (a queue policy can list several queues).
    pub targets: Vec<Attached>,
    /// The references by which the file names the ARN of each resource it declares of the
    /// attached type, with that resource's id: `("Queue.Arn", "Queue")` for an
    /// `AWS::SQS::Queue Queue`, `("Topic", "Topic")` for an `AWS::SNS::Topic` (its `Ref` is the
    /// ARN), `("aws_sqs_queue.orders.arn", "aws_sqs_queue.orders")`.
    pub arn_refs: Vec<(String, String)>,
    /// The type of the resource that attaches the policy when the document's owner is not that
    /// resource: a Terraform `data.aws_iam_policy_document.q` used only by one
    /// `aws_sqs_queue_policy` is attached through it (`Some("aws_sqs_queue_policy")`).
    pub holder: Option<String>,
}

/// One resource a policy is attached to, and where the file names it.
#[derive(Clone, Debug)]
pub struct Attached {
    pub target: Target,
    /// The value that names it (`- !Ref Queue`, `queue_url = aws_sqs_queue.q.id`).
    pub span: Span,
}

/// How the file names an attached resource (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// As written: a bucket name, a queue URL, a topic or secret ARN; possibly with unknown parts.
    Written(Text),
    /// A resource the same file declares, by its id.
    Resource(String),
}

impl AttachedTo {
    /// The one literal text the policy is attached to (an S3 bucket policy's bucket name).
    pub fn literal(&self) -> Option<&str> {
        match self.targets.as_slice() {
            [
                Attached {
                    target: Target::Written(t),
                    ..
                },
            ] => t.literal(),
            _ => None,
        }
    }

    /// The id of the resource the file declares that `reference` (an unknown part's expression:
    /// `Queue.Arn`, `aws_sqs_queue.orders.arn`) is the ARN of.
    pub fn resource_of_arn_ref(&self, reference: &str) -> Option<&str> {
        self.arn_refs
            .iter()
            .find(|(r, _)| r == reference)
            .map(|(_, id)| id.as_str())
    }
}
