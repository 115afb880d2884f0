use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// Actions that return credentials, allowed on every resource.
    pub struct CredentialsExposure {
        name: "credentials-exposure",
        category: Security,
        severity: Warning,
        summary: "actions that return credentials (`sts:GetFederationToken`, `redshift:GetClusterCredentials`…) allowed on every resource",
        kinds: [Identity],
    }
}

/// Each action and what it hands out. `iam:CreateAccessKey` is `privilege-escalation`'s,
/// `rds-db:connect` and `secretsmanager:GetSecretValue` the must-have rules'; `ecr:GetAuthorizationToken`
/// is absent on purpose (see the rule's page).
pub const ACTIONS: &[(&str, &str)] = &[
    (
        "sts:GetFederationToken",
        "temporary credentials for a federated user",
    ),
    (
        "redshift:GetClusterCredentials",
        "a database user's temporary password",
    ),
    (
        "redshift:GetClusterCredentialsWithIAM",
        "temporary database credentials",
    ),
    (
        "redshift-serverless:GetCredentials",
        "temporary database credentials",
    ),
    (
        "lightsail:GetInstanceAccessDetails",
        "SSH keys and passwords of instances",
    ),
    (
        "lightsail:GetRelationalDatabaseMasterUserPassword",
        "database master passwords",
    ),
    (
        "lightsail:DownloadDefaultKeyPair",
        "the default SSH private key",
    ),
    ("ec2:GetPasswordData", "Windows administrator passwords"),
    (
        "gamelift:GetInstanceAccess",
        "credentials to log in to fleet instances",
    ),
    (
        "iam:CreateServiceSpecificCredential",
        "passwords for CodeCommit and Keyspaces",
    ),
    (
        "iam:ResetServiceSpecificCredential",
        "new passwords for service-specific credentials",
    ),
    (
        "iam:UpdateAccessKey",
        "re-activation of disabled access keys",
    ),
];

impl Rule for CredentialsExposure {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(resource) = cx.facts().unscoped_allow(st) else {
                continue;
            };
            // Through the action's own service only: `"*"` is another rule's finding.
            let hits: Vec<(&str, &str, &crate::policy::Item)> = ACTIONS
                .iter()
                .filter_map(|&(a, what)| st.service_action_item_covering(a).map(|i| (a, what, i)))
                .collect();
            let Some(&(first, what, item)) = hits.first() else {
                continue;
            };
            let names: Vec<String> = hits.iter().map(|(a, _, _)| format!("`{a}`")).collect();
            let f = cx
                .finding(
                    item.span,
                    format!("{} allowed on every resource returns credentials", names.join(", ")),
                )
                .label(format!("`{first}` returns {what}"))
                .secondary(resource, "on every resource")
                .help("scope the actions to the resources the workload needs (a cluster, a user, an instance)");
            cx.report(f);
        }
    }
}
