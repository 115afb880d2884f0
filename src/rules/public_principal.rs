use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::policy::arn::Arn;
use crate::policy::conditions::narrowing_for_anonymous_in;
use crate::policy::{Item, PolicyDocument, Principal, Statement};

declare_rule! {
    /// A resource or trust policy that allows `"Principal": "*"` with no condition limiting who.
    pub struct PublicPrincipal {
        name: "public-principal",
        category: Security,
        severity: Error,
        summary: "a resource or trust policy allows `\"Principal\": \"*\"` (or `arn:aws:iam::*:root`) with no condition that limits who; `info` for `\"Principal\": \"*\"` when the only action is `execute-api:Invoke`",
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

/// `"Principal": "*"` and every action `execute-api:Invoke` (written out): an API Gateway resource
/// policy that lets anyone call the API's methods. On an edge-optimized or regional API without
/// IAM authorization that is the explicit `Allow` API Gateway needs for a public API (authorizers
/// decide who gets through), the one SAM writes for `IpRangeBlacklist` and AWS's examples start
/// from. `{"AWS": "*"}` (SAM's `AwsAccountWhitelist: ["*"]`) names AWS accounts, callers that sign
/// their requests with IAM: every account is then let in, and that stays an error.
fn only_invokes_api(st: &Statement) -> bool {
    let bare_star = st
        .principal
        .as_ref()
        .is_some_and(|p| matches!(p.value, Principal::Any(_)));
    bare_star
        && st.action.as_ref().is_some_and(|el| {
        !el.negated
            && !el.has_unknown
            && !el.items.is_empty()
            && el.items.iter().all(|i| {
                i.literal()
                    .is_some_and(|a| a.eq_ignore_ascii_case("execute-api:Invoke"))
            })
    })
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
            let mut f = cx
                .finding(star.span, message)
                .label(what)
                .help("name the principals, or add a condition on `aws:PrincipalOrgID`, `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceVpce` (or a `Deny` with `StringNotEquals` on one of them)");
            if only_invokes_api(st) {
                f = f
                    .severity(Severity::Info)
                    .label("anyone may invoke the API's methods: what a public API does anyway")
                    .help("on a private API, limit the callers to your VPC endpoints: a `Deny` with `StringNotEquals` on `aws:SourceVpce`");
            }
            cx.report(f);
        }
    }
}
