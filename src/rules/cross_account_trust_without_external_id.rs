use super::{Context, Rule};
use crate::syntax::tree::Part;
use crate::policy::arn::{Arn, has_unknown, is_account_id};
use crate::policy::{Item, PolicyDocument};

declare_rule! {
    /// A trust policy that lets another account assume the role without `sts:ExternalId`.
    pub struct CrossAccountTrustWithoutExternalId {
        name: "cross-account-trust-without-external-id",
        category: Security,
        severity: Warning,
        summary: "a trust policy lets another account assume the role without an `sts:ExternalId` condition",
        kinds: [Trust],
    }
}

/// The account an `AWS` principal names: `Some(None)` for `*` (any account), `None` when it is
/// not an account principal or not known.
fn principal_account(item: &Item, doc: &PolicyDocument) -> Option<Option<String>> {
    // "AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"} is the template's own account.
    if item
        .text
        .parts
        .iter()
        .any(|p| matches!(p, Part::Var(v) if doc.is_own_account_var(v)))
    {
        return None;
    }
    let masked = item.text.masked();
    if masked == "*" {
        return Some(None);
    }
    if is_account_id(&masked) {
        return Some(Some(masked.into_owned()));
    }
    let arn = Arn::parse(&masked)?;
    if arn.service != "iam" || has_unknown(arn.account) || !is_account_id(arn.account) {
        return None;
    }
    Some(Some(arn.account.to_string()))
}

impl Rule for CrossAccountTrustWithoutExternalId {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if !st.is_allow() || st.condition_unknown() || st.has_condition_key("sts:ExternalId") {
                continue;
            }
            let Some(action) = st.action_item_covering("sts:AssumeRole") else {
                continue;
            };
            let Some(principal) = st.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            // `*` that nothing limits is world-assumable: `public-principal`'s error, not a
            // missing external id.
            let public = super::public_principal::public_item(doc, st).is_some();
            for item in principal.values_of("AWS") {
                let Some(account) = principal_account(item, doc) else {
                    continue;
                };
                if public && account.is_none() {
                    continue;
                }
                let (message, label) = match &account {
                    None => (
                        "any AWS account may assume this role without `sts:ExternalId`".to_string(),
                        "any account".to_string(),
                    ),
                    Some(a) if cx.options.accounts.iter().any(|own| own == a) => continue,
                    Some(a) => (
                        format!("account `{a}` may assume this role without `sts:ExternalId`"),
                        if cx.options.accounts.is_empty() {
                            "an account not declared as your own".to_string()
                        } else {
                            "another account".to_string()
                        },
                    ),
                };
                let mut help = "add `\"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"…\"}}` with the id the third party gave you".to_string();
                if cx.options.accounts.is_empty() && account.is_some() {
                    help.push_str("; if this is one of your own accounts, declare it with `accounts = [\"…\"]` in iamlint.toml or `--account`");
                }
                let f = cx
                    .finding(item.span, message)
                    .label(label)
                    .secondary(action.span, "allows `sts:AssumeRole`")
                    .help(help);
                cx.report(f);
            }
        }
    }
}
