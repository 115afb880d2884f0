use super::{Context, Rule};
use crate::diagnostic::replace_in_token;
use crate::policy::PolicyDocument;
use crate::policy::arn::has_unknown;

declare_rule! {
    /// `rds:connect` or an `arn:aws:rds:…:dbuser:…` resource where IAM database authentication needs
    /// the `rds-db` service prefix.
    pub struct RdsConnectPrefix {
        name: "rds-connect-prefix",
        category: Correctness,
        severity: Error,
        summary: "`rds:connect` or an `arn:aws:rds:…:dbuser:` ARN where IAM database authentication needs `rds-db`",
        kinds: [],
    }
}

impl Rule for RdsConnectPrefix {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if let Some(actions) = &st.action {
                for item in &actions.items {
                    // "Action": "rds:connect" (any case, in NotAction too)
                    let Some(a) = item.literal() else { continue };
                    if !a.eq_ignore_ascii_case("rds:connect") {
                        continue;
                    }
                    let fixed = format!("rds-db:{}", &a[4..]);
                    let fix = replace_in_token(cx.file(), item.span, a, &fixed);
                    let f = cx
                        .finding(item.span, format!("`{a}` is not an IAM action"))
                        .label("the `rds` service has no `connect` action")
                        .help(format!(
                            "IAM database authentication uses `{fixed}`: write `{fixed}`"
                        ))
                        .fix(fix);
                    cx.report(f);
                }
            }
            if let Some(resources) = &st.resource {
                for item in &resources.items {
                    // "Resource": "arn:aws:rds:us-east-1:123456789012:dbuser:db-ABC/jane"
                    // `arn:${AWS::Partition}:rds:…`: the partition is not known, so neither the
                    // help nor the fix names it; the fix changes the service field alone.
                    let Some((partition, prefix, fixed)) = item.rds_dbuser_arn(|arn| {
                        if has_unknown(arn.partition) {
                            (
                                "PARTITION".to_string(),
                                ":rds:".to_string(),
                                ":rds-db:".to_string(),
                            )
                        } else {
                            let p = arn.partition;
                            (
                                p.to_string(),
                                format!("arn:{p}:rds:"),
                                format!("arn:{p}:rds-db:"),
                            )
                        }
                    }) else {
                        continue;
                    };
                    let fix = replace_in_token(cx.file(), item.span, &prefix, &fixed);
                    let f = cx
                        .finding(
                            item.span,
                            format!("`{}` is not a database user ARN", item.text.display()),
                        )
                        .label("`dbuser` resources belong to the `rds-db` service, not `rds`")
                        .help(format!(
                            "write the ARN as `arn:{partition}:rds-db:REGION:ACCOUNT:dbuser:DBI-RESOURCE-ID/USER`"
                        ))
                        .fix(fix);
                    cx.report(f);
                }
            }
        }
    }
}
