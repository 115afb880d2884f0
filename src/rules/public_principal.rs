use super::{Context, Rule};
use crate::policy::arn::Arn;
use crate::policy::conditions::narrowing_for_anonymous_in;
use crate::policy::{Item, PolicyDocument, Statement};

declare_rule! {
    /// A resource or trust policy that allows `"Principal": "*"` with no condition limiting who.
    pub struct PublicPrincipal {
        name: "public-principal",
        category: Security,
        severity: Error,
        summary: "a resource or trust policy allows `\"Principal\": \"*\"` (or `arn:aws:iam::*:root`) with no condition that limits who",
        kinds: [Resource, Trust, KeyPolicy],
    }
}

/// An `AWS` principal value that stands for every account: `*`, or an ARN whose account is `*`
/// (`arn:aws:iam::*:root`).
pub(crate) fn any_account(item: &Item) -> bool {
    let Some(v) = item.literal() else {
        return false;
    };
    v == "*" || Arn::parse(v).is_some_and(|a| a.service == "iam" && a.account == "*")
}

/// The statement's public principal, if the policy leaves it open to anyone: an Allow to `*`
/// that neither its own condition nor a `Deny` of the policy limits for a caller without an
/// account, organization or network of the owner's.
pub(crate) fn public_item<'a>(doc: &PolicyDocument, st: &'a Statement) -> Option<&'a Item> {
    if !st.is_allow() {
        return None;
    }
    let p = st.principal.as_ref().filter(|p| !p.negated)?;
    let item = p.values_of("AWS").find(|i| any_account(i))?;
    (!narrowing_for_anonymous_in(doc, st).who()).then_some(item)
}

impl Rule for PublicPrincipal {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(star) = public_item(doc, st) else {
                continue;
            };
            let what = if star.literal() == Some("*") {
                "`*`: anyone, anonymous users included".to_string()
            } else {
                format!("`{}`: every AWS account", star.text.display())
            };
            let message = if doc.kind == crate::policy::PolicyKind::Trust {
                "anyone, in any account, may assume this role"
            } else {
                "the policy allows any principal, in any account"
            };
            let f = cx
                .finding(star.span, message)
                .label(what)
                .help("name the principals, or add a condition on `aws:PrincipalOrgID`, `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceVpce` (or a `Deny` with `StringNotEquals` on one of them)");
            cx.report(f);
        }
    }
}
