use super::{Context, Rule};
use crate::policy::PolicyDocument;

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

impl Rule for DataReadOnAllResources {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(resource) = cx.facts().unscoped_allow(st) else {
                continue;
            };
            // `s3:*` is `service-wildcard-allowed`'s and `*` `admin-access-allowed`'s: only the
            // grants through narrower patterns are counted here.
            let covered: Vec<&str> = ACTIONS
                .iter()
                .copied()
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
