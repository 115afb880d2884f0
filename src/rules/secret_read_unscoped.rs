use super::{Context, Rule};
use crate::policy::arn::{Arn, has_unknown};
use crate::policy::{Item, PolicyDocument};

declare_rule! {
    /// `secretsmanager:GetSecretValue` allowed on every secret of an account or region.
    pub struct SecretReadUnscoped {
        name: "secret-read-unscoped",
        category: Security,
        severity: Warning,
        summary: "`secretsmanager:GetSecretValue` allowed on every secret, with no narrowing condition",
        kinds: [Identity],
    }
}

/// Condition keys that narrow which secrets can be read.
fn narrows(key: &str) -> bool {
    key.starts_with("secretsmanager:resourcetag/")
        || key.starts_with("aws:resourcetag/")
        || key == "secretsmanager:secretid"
        // Only secrets whose rotation function is the named Lambda.
        || key == "secretsmanager:resource/allowrotationlambdaarn"
}

/// Does the resource cover every secret (of an account, a region, or everywhere)?
fn every_secret(item: &Item) -> bool {
    let masked = item.text.masked();
    if masked == "*" {
        return true;
    }
    let Some(arn) = Arn::parse(&masked) else {
        return false;
    };
    // A wildcard service segment (`arn:aws:*:…`) is not a secret ARN; neither is an unknown one.
    arn.service == "secretsmanager"
        && !has_unknown(arn.resource)
        && matches!(arn.resource, "*" | "secret:*" | "secret*")
}

impl Rule for SecretReadUnscoped {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if !st.is_allow() || st.condition_unknown() {
                continue;
            }
            if st.condition.as_ref().is_some_and(|c| c.any_key(narrows)) {
                continue;
            }
            let Some(action) = st.service_action_item_covering("secretsmanager:GetSecretValue")
            else {
                continue;
            };
            let Some(resources) = st.resource.as_ref().filter(|r| !r.negated) else {
                continue;
            };
            for item in resources.items.iter().filter(|i| every_secret(i)) {
                let f = cx
                    .finding(
                        item.span,
                        format!(
                            "`secretsmanager:GetSecretValue` allowed on `{}` reads every secret",
                            item.text.display()
                        ),
                    )
                    .label("matches every secret")
                    .secondary(action.span, "allows `secretsmanager:GetSecretValue`")
                    .help("name the secrets (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:prod/app-*`) or add a `secretsmanager:ResourceTag/…` condition");
                cx.report(f);
            }
        }
    }
}
