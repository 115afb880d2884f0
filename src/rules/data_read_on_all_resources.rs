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

/// Statements of AWS managed policies that AWS documents for one service's role or agent, each
/// granting on `*` a read the role needs: the role API Gateway writes its logs with
/// (`AmazonAPIGatewayPushToCloudWatchLogs`, which AWS tells users to create with exactly this grant:
/// https://repost.aws/knowledge-center/api-gateway-missing-cloudwatch-logs) and the SSM Agent's
/// instance role (`AmazonSSMManagedInstanceCore`, first statement). A statement that contains one
/// of them whole is that documented grant written out: the reads it brings are not reported
/// (other reads in the same statement are).
const MANAGED_GRANTS: &[(&str, &[&str])] = &[
    (
        "AmazonAPIGatewayPushToCloudWatchLogs",
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogGroups",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
            "logs:GetLogEvents",
            "logs:FilterLogEvents",
        ],
    ),
    (
        "AmazonSSMManagedInstanceCore",
        &[
            "ssm:DescribeAssociation",
            "ssm:GetDeployablePatchSnapshotForInstance",
            "ssm:GetDocument",
            "ssm:DescribeDocument",
            "ssm:GetManifest",
            "ssm:GetParameter",
            "ssm:GetParameters",
            "ssm:ListAssociations",
            "ssm:ListInstanceAssociations",
            "ssm:PutInventory",
            "ssm:PutComplianceItems",
            "ssm:PutConfigurePackageResult",
            "ssm:UpdateAssociationStatus",
            "ssm:UpdateInstanceAssociationStatus",
            "ssm:UpdateInstanceInformation",
        ],
    ),
];

/// The actions of the [`MANAGED_GRANTS`] the statement contains whole (written out, no pattern).
fn managed_grants_in(st: &Statement) -> Vec<&'static str> {
    let Some(el) = st.action.as_ref().filter(|el| !el.negated && !el.has_unknown) else {
        return Vec::new();
    };
    let written = |a: &str| {
        el.items
            .iter()
            .any(|i| i.literal().is_some_and(|w| w.eq_ignore_ascii_case(a)))
    };
    MANAGED_GRANTS
        .iter()
        .filter(|(_, actions)| actions.iter().all(|a| written(a)))
        .flat_map(|(_, actions)| actions.iter().copied())
        .collect()
}

impl Rule for DataReadOnAllResources {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(resource) = cx.facts().unscoped_allow(st) else {
                continue;
            };
            // `s3:*` is `service-wildcard-allowed`'s and `*` `admin-access-allowed`'s: only the
            // grants through narrower patterns are counted here.
            let documented = managed_grants_in(st);
            let covered: Vec<&str> = ACTIONS
                .iter()
                .copied()
                .filter(|a| !documented.contains(a))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iamdata;

    /// Each listed grant names an AWS managed policy and actions the service reference knows.
    #[test]
    fn managed_grants_are_real() {
        let data = iamdata::get();
        for (policy, actions) in MANAGED_GRANTS {
            assert!(iamdata::managed::find(policy).is_some(), "{policy}");
            for a in *actions {
                let (service, name) = a.split_once(':').unwrap();
                assert!(data.action(service, name).is_some(), "{a}");
            }
        }
    }
}
