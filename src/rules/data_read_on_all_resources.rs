use super::{Context, Rule};
use crate::policy::{PolicyDocument, Statement};

declare_rule! {
    /// Actions that read stored data, allowed on every resource.
    pub struct DataReadOnAllResources {
        name: "data-read-on-all-resources",
        category: Security,
        severity: Warning,
        summary: "actions that read stored data (`s3:GetObject`, `dynamodb:Scan`, `ssm:GetParameter`…) allowed on every resource",
        kinds: [Identity],
    }
}

/// Actions that return the content of data stores.
pub const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "sqs:ReceiveMessage",
    "kinesis:GetRecords",
    "logs:GetLogEvents",
    "rds-data:ExecuteStatement",
];

/// The actions of the AWS managed policy `AmazonAPIGatewayPushToCloudWatchLogs`, on `*`: the role
/// API Gateway writes its access and execution logs with, which AWS documents to create with
/// exactly this grant (https://repost.aws/knowledge-center/api-gateway-missing-cloudwatch-logs).
/// Reading log events comes with it; a statement that copies it is the documented setup.
const API_GATEWAY_LOGS_ROLE: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
];

/// Every action of the statement is one of [`API_GATEWAY_LOGS_ROLE`] (written out, no pattern).
fn copies_api_gateway_logs_role(st: &Statement) -> bool {
    st.action.as_ref().is_some_and(|el| {
        !el.negated
            && !el.has_unknown
            && !el.items.is_empty()
            && el.items.iter().all(|i| {
                i.literal().is_some_and(|a| {
                    API_GATEWAY_LOGS_ROLE
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(a))
                })
            })
    })
}

impl Rule for DataReadOnAllResources {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(resource) = cx.facts().unscoped_allow(st) else {
                continue;
            };
            // `s3:*` is `service-wildcard-allowed`'s and `*` `admin-access-allowed`'s: only the
            // grants through narrower patterns are counted here.
            let api_gateway_logs = copies_api_gateway_logs_role(st);
            let covered: Vec<&str> = ACTIONS
                .iter()
                .copied()
                .filter(|a| !(api_gateway_logs && a.starts_with("logs:")))
                .filter(|a| {
                    st.service_action_item_covering(a)
                        .and_then(|i| i.literal())
                        .is_some_and(|p| !p.ends_with(":*"))
                })
                .collect();
            if covered.is_empty() {
                continue;
            }
            let list: Vec<String> = covered.iter().map(|a| format!("`{a}`")).collect();
            let f = cx
                .finding(
                    resource,
                    format!("{} allowed on every resource", list.join(", ")),
                )
                .label("reads the data of every bucket, table, parameter or queue in the account")
                .help("name the buckets, tables, parameters or queues the workload reads");
            cx.report(f);
        }
    }
}
