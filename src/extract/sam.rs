//! SAM policy templates: `Policies: [{KMSDecryptPolicy: {KeyId: !Ref Key}}]` stands for the
//! statements SAM's translator writes into the function's role. The templates whose grants the
//! rules care about are expanded here into a policy document; every token of it points at the
//! template's name in the template file (or at the parameter value that fills a resource).
//!
//! The statements follow SAM's `policy_templates.json`
//! (<https://github.com/aws/serverless-application-model>, `samtranslator/policy_templates_data`).
//! A template not listed here is not expanded and not reported: it is a known SAM construct, not
//! bad input.

use super::intrinsic::sub_text;
use super::tree::{Entry, Key, Node, Text, Value};
use crate::source::Span;

/// One statement: actions and resource patterns (`Fn::Sub` syntax; `${Param}` names a template
/// parameter).
type StatementTemplate = (&'static [&'static str], &'static [&'static str]);

const ANY: &[&str] = &["*"];

/// Name → statements (all `Allow`).
static TEMPLATES: &[(&str, &[StatementTemplate])] = &[
    (
        "AWSSecretsManagerGetSecretValuePolicy",
        &[(&["secretsmanager:GetSecretValue"], &["${SecretArn}"])],
    ),
    (
        "CloudWatchPutMetricPolicy",
        &[(&["cloudwatch:PutMetricData"], ANY)],
    ),
    (
        "DynamoDBCrudPolicy",
        &[(
            &[
                "dynamodb:GetItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
                "dynamodb:ConditionCheckItem",
            ],
            &[
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*",
            ],
        )],
    ),
    (
        "DynamoDBReadPolicy",
        &[(
            &[
                "dynamodb:GetItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
            ],
            &[
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*",
            ],
        )],
    ),
    (
        "EC2DescribePolicy",
        &[(&["ec2:DescribeRegions", "ec2:DescribeInstances"], ANY)],
    ),
    (
        "KMSDecryptPolicy",
        &[(
            &["kms:Decrypt"],
            &["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"],
        )],
    ),
    (
        "KMSEncryptPolicy",
        &[(
            &["kms:Encrypt"],
            &["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"],
        )],
    ),
    (
        "LambdaInvokePolicy",
        &[(
            &["lambda:InvokeFunction"],
            &[
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}*",
            ],
        )],
    ),
    (
        "S3CrudPolicy",
        &[(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:DeleteObject",
            ],
            &[
                "arn:${AWS::Partition}:s3:::${BucketName}",
                "arn:${AWS::Partition}:s3:::${BucketName}/*",
            ],
        )],
    ),
    (
        "S3ReadPolicy",
        &[(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:GetLifecycleConfiguration",
            ],
            &[
                "arn:${AWS::Partition}:s3:::${BucketName}",
                "arn:${AWS::Partition}:s3:::${BucketName}/*",
            ],
        )],
    ),
    (
        "SNSPublishMessagePolicy",
        &[(
            &["sns:Publish"],
            &["arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}"],
        )],
    ),
    (
        "SQSPollerPolicy",
        &[(
            &[
                "sqs:ChangeMessageVisibility",
                "sqs:ChangeMessageVisibilityBatch",
                "sqs:DeleteMessage",
                "sqs:DeleteMessageBatch",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            &["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"],
        )],
    ),
    (
        "SQSSendMessagePolicy",
        &[(
            &["sqs:SendMessage*"],
            &["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"],
        )],
    ),
    (
        "SSMParameterReadPolicy",
        &[
            (&["ssm:DescribeParameters"], ANY),
            (
                &[
                    "ssm:GetParameters",
                    "ssm:GetParameter",
                    "ssm:GetParametersByPath",
                ],
                &[
                    "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${ParameterName}",
                ],
            ),
        ],
    ),
    (
        "VPCAccessPolicy",
        &[(
            &[
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DetachNetworkInterface",
            ],
            ANY,
        )],
    ),
];

fn str_node(span: Span, text: Text) -> Node {
    Node {
        span,
        value: Value::Str(text),
    }
}

fn entry(name: &str, span: Span, value: Node) -> Entry {
    Entry {
        key: Key {
            name: name.into(),
            span,
        },
        value,
    }
}

/// The policy document a template stands for. `name` is the template's key in `Policies`,
/// `params` its (resolved) value: `{KeyId: …}`. `None` for a template not known here.
pub fn expand(name: &Key, params: &Node) -> Option<Node> {
    let (_, statements) = TEMPLATES.iter().find(|(n, _)| *n == name.name.as_str())?;
    let at = name.span;
    let vars: Vec<(String, Text, Span)> = params
        .entries()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let text = match &e.value.value {
                Value::Str(t) => t.clone(),
                Value::Number(n) => Text::lit(n.as_str()),
                _ => return None,
            };
            Some((e.key.name.to_string(), text, e.value.span))
        })
        .collect();
    let sub_vars: Vec<(String, Text)> = vars
        .iter()
        .map(|(n, t, _)| (n.clone(), t.clone()))
        .collect();
    let list = statements
        .iter()
        .map(|(actions, resources)| {
            let actions = actions
                .iter()
                .map(|a| str_node(at, Text::lit(*a)))
                .collect();
            let resources = resources
                .iter()
                .map(|r| {
                    // A resource filled from a parameter points at the parameter's value.
                    let span = vars
                        .iter()
                        .find(|(n, _, _)| r.contains(&format!("${{{n}}}")))
                        .map_or(at, |(_, _, s)| *s);
                    str_node(span, sub_text(r, &sub_vars))
                })
                .collect();
            Node {
                span: at,
                value: Value::Object(vec![
                    entry("Effect", at, str_node(at, Text::lit("Allow"))),
                    entry(
                        "Action",
                        at,
                        Node {
                            span: at,
                            value: Value::Array(actions),
                        },
                    ),
                    entry(
                        "Resource",
                        at,
                        Node {
                            span: at,
                            value: Value::Array(resources),
                        },
                    ),
                ]),
            }
        })
        .collect();
    Some(Node {
        span: at,
        value: Value::Object(vec![entry(
            "Statement",
            at,
            Node {
                span: at,
                value: Value::Array(list),
            },
        )]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::Part;

    #[test]
    fn templates_are_sorted_and_expand_with_parameters() {
        let names: Vec<_> = TEMPLATES.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        let key = Key {
            name: "KMSDecryptPolicy".into(),
            span: Span::new(10, 26),
        };
        let params = Node {
            span: Span::new(28, 40),
            value: Value::Object(vec![entry(
                "KeyId",
                Span::new(29, 34),
                str_node(Span::new(36, 39), Text::var("AppKey")),
            )]),
        };
        let doc = expand(&key, &params).unwrap();
        let st = &doc.get("Statement").unwrap().items()[0];
        assert_eq!(
            st.get("Action").unwrap().items()[0].literal(),
            Some("kms:Decrypt")
        );
        let r = &st.get("Resource").unwrap().items()[0];
        assert_eq!(r.span, Span::new(36, 39));
        assert_eq!(
            r.text().unwrap().parts.last(),
            Some(&Part::Var("AppKey".into()))
        );
        let unknown = Key {
            name: "SomeFuturePolicy".into(),
            span: Span::default(),
        };
        assert!(expand(&unknown, &params).is_none());
    }
}
