use super::{Context, Rule};
use crate::policy::{Item, PolicyDocument, Principal, Statement};

declare_rule! {
    /// The grammar of a role trust policy: no `Resource`, actions that fit the principal, the
    /// actions IAM Roles Anywhere needs, and the action that sets a condition key's value.
    pub struct InvalidTrustPolicy {
        name: "invalid-trust-policy",
        category: Correctness,
        severity: Error,
        summary: "a role trust policy with `Resource`, an action its principal cannot use (`sts:AssumeRoleWithSAML` for a service), IAM Roles Anywhere without `sts:SetSourceIdentity`/`sts:TagSession`, or a condition on `sts:SourceIdentity` or session tags without the action that sets them",
        kinds: [Trust],
    }
}

impl Rule for InvalidTrustPolicy {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            resource_in_trust(st, cx);
            mismatched_actions(st, cx);
            missing_setter_action(st, cx);
        }
        roles_anywhere(doc, cx);
    }
}

/// `Resource`/`NotResource` in a trust policy: the policy is about the role it is attached to,
/// and IAM rejects it ("Has prohibited field Resource").
fn resource_in_trust(st: &Statement, cx: &mut Context) {
    let Some(r) = &st.resource else { return };
    let f = cx
        .finding(r.key.span, format!("a role trust policy has no `{}`", r.key.name))
        .label("a trust policy applies to the role it is attached to: IAM rejects a resource in it")
        .help(format!("remove `{}`", r.key.name));
    cx.report(f);
}

/// What kind of principal an `sts:AssumeRole…` action needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Need {
    /// `sts:AssumeRole`: an AWS account, user, role or session, or a service.
    AwsOrService,
    /// `sts:AssumeRoleWithSAML`: a SAML provider.
    Saml,
    /// `sts:AssumeRoleWithWebIdentity`: an OIDC provider or a web identity provider.
    Oidc,
}

impl Need {
    fn of(action: &str) -> Option<Need> {
        match action.to_ascii_lowercase().as_str() {
            "sts:assumerole" => Some(Need::AwsOrService),
            "sts:assumerolewithsaml" => Some(Need::Saml),
            "sts:assumerolewithwebidentity" => Some(Need::Oidc),
            _ => None,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Need::AwsOrService => "an AWS account, role, user or service principal",
            Need::Saml => "a `Federated` SAML provider (`arn:aws:iam::ACCOUNT:saml-provider/NAME`)",
            Need::Oidc => "a `Federated` OIDC provider (`arn:aws:iam::ACCOUNT:oidc-provider/HOST`) or web identity provider (`cognito-identity.amazonaws.com`)",
        }
    }
}

/// Web identity providers named by domain in `Federated` (not by an `oidc-provider` ARN).
const WEB_IDENTITY_DOMAINS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// Which actions a principal can use: `None` when its value cannot be told (a template
/// reference in a `Federated` value), which fits any.
fn fits(ty: &str, value: &Item) -> Option<Vec<Need>> {
    match ty {
        "AWS" | "Service" => Some(vec![Need::AwsOrService]),
        "Federated" => {
            let v = value.text.masked();
            if v.contains(":saml-provider/") {
                Some(vec![Need::Saml])
            } else if v.contains(":oidc-provider/")
                || WEB_IDENTITY_DOMAINS.iter().any(|d| v.eq_ignore_ascii_case(d))
            {
                Some(vec![Need::Oidc])
            } else {
                None
            }
        }
        _ => None,
    }
}

/// An `sts:AssumeRole…` action written out that none of the statement's principals can use
/// (`sts:AssumeRoleWithSAML` for a service, `sts:AssumeRoleWithWebIdentity` for a SAML
/// provider, `sts:AssumeRole` for an identity provider): that grant never takes effect. A
/// statement whose principals fit different actions is judged per action, so a statement
/// listing one action for each of two principals is left alone.
fn mismatched_actions(st: &Statement, cx: &mut Context) {
    let Some(p) = st.principal.as_ref().filter(|p| !p.negated) else {
        return;
    };
    let Principal::Map(types) = &p.value else {
        return;
    };
    let Some(actions) = st.action.as_ref().filter(|a| !a.negated) else {
        return;
    };
    let mut fitting: Vec<Need> = Vec::new();
    let mut named: Vec<(&Item, &str)> = Vec::new();
    for (key, values) in types {
        for v in values {
            match fits(&key.name, v) {
                Some(f) => fitting.extend(f),
                None => return,
            }
            named.push((v, key.name.as_str()));
        }
    }
    if named.is_empty() {
        return;
    }
    for item in &actions.items {
        let Some(need) = item.literal().and_then(Need::of) else {
            continue;
        };
        if fitting.contains(&need) {
            continue;
        }
        let action = item.literal().unwrap_or_default();
        let mut f = cx
            .finding(
                item.span,
                format!("`{action}` cannot be used by this statement's principal"),
            )
            .label(format!("`{action}` needs {}", need.what()))
            .help(match need {
                Need::Saml => "use `sts:AssumeRoleWithSAML` with a SAML provider principal, `sts:AssumeRoleWithWebIdentity` with an OIDC provider, `sts:AssumeRole` with AWS and service principals",
                Need::Oidc => "use `sts:AssumeRoleWithWebIdentity` with an OIDC provider principal, `sts:AssumeRoleWithSAML` with a SAML provider, `sts:AssumeRole` with AWS and service principals",
                Need::AwsOrService => "an identity provider assumes a role with `sts:AssumeRoleWithSAML` (SAML) or `sts:AssumeRoleWithWebIdentity` (OIDC)",
            });
        for (v, ty) in named.iter().take(3) {
            f = f.secondary(v.span, format!("a `{ty}` principal"));
        }
        cx.report(f);
    }
}

/// Condition keys whose value a caller sets with an action of its own, which the trust policy
/// must then allow in the same statement: `(key, or key prefix ending in '/', action)`.
const SET_BY: &[(&str, &str)] = &[
    ("sts:SourceIdentity", "sts:SetSourceIdentity"),
    ("aws:RequestTag/", "sts:TagSession"),
    ("aws:TagKeys", "sts:TagSession"),
    ("sts:TransitiveTagKeys", "sts:TagSession"),
];

/// An Allow that conditions on a value the caller sets (a source identity, session tags) but does
/// not allow the action that sets it: the caller cannot set the value, so the condition can only
/// test its absence. Judged when the statement's actions are all known.
fn missing_setter_action(st: &Statement, cx: &mut Context) {
    // IAM Roles Anywhere needs both setters anyway: `roles_anywhere` reports what is missing.
    if !st.is_allow() || names_roles_anywhere(st) {
        return;
    }
    let (Some(cond), Some(actions)) = (&st.condition, &st.action) else {
        return;
    };
    if actions.has_unknown || actions.items.iter().any(|i| i.literal().is_none()) {
        return;
    }
    let mut reported: Vec<&str> = Vec::new();
    // `Null` tests whether the value is there at all, which means something without the setter.
    for op in cond.operators.iter().filter(|op| op.op.base != "Null") {
        for e in &op.entries {
            let name = e.key.name.to_ascii_lowercase();
            let Some((_, setter)) = SET_BY.iter().find(|(k, _)| {
                let k = k.to_ascii_lowercase();
                if k.ends_with('/') {
                    name.starts_with(&k) && name.len() > k.len()
                } else {
                    name == k
                }
            }) else {
                continue;
            };
            if reported.contains(setter) || st.allows(setter).is_some() {
                continue;
            }
            reported.push(setter);
            let f = cx
                .finding(
                    e.key.span,
                    format!("`{}` is set with `{setter}`, which this statement does not allow", e.key.name),
                )
                .label(format!("without `{setter}` in `Action`, no caller can set this key's value"))
                .secondary(actions.span, "the statement's actions")
                .help(format!("add `{setter}` to the statement's `Action`"));
            cx.report(f);
        }
    }
}

/// The actions IAM Roles Anywhere needs to deliver credentials for a role.
const ROLES_ANYWHERE_ACTIONS: &[&str] = &["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"];

/// A trust policy that lets `rolesanywhere.amazonaws.com` assume the role without all three of
/// `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession`: IAM Roles Anywhere sets the
/// session's source identity and tags, so it cannot create sessions for the role. The actions
/// of every Allow naming the service count together; reported once, at the first.
fn roles_anywhere(doc: &PolicyDocument, cx: &mut Context) {
    let naming: Vec<&Statement> = doc
        .statements
        .iter()
        .filter(|st| st.is_allow() && names_roles_anywhere(st))
        .collect();
    let Some(first) = naming.first() else { return };
    if naming
        .iter()
        .any(|st| st.action.as_ref().is_none_or(|a| a.has_unknown))
    {
        return;
    }
    let missing: Vec<&str> = ROLES_ANYWHERE_ACTIONS
        .iter()
        .copied()
        .filter(|a| naming.iter().all(|st| st.allows(a).is_none()))
        .collect();
    if missing.is_empty() {
        return;
    }
    let Some(actions) = &first.action else { return };
    let list = missing
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut f = cx
        .finding(
            actions.span,
            format!("IAM Roles Anywhere needs {list} to assume this role"),
        )
        .label("`rolesanywhere.amazonaws.com` needs `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession`")
        .help(format!("add {list} to `Action`"));
    if let Some(v) = first
        .principal
        .as_ref()
        .and_then(|p| p.values_of("Service").find(|v| is_roles_anywhere(v)))
    {
        f = f.secondary(v.span, "the IAM Roles Anywhere service principal");
    }
    cx.report(f);
}

fn is_roles_anywhere(v: &Item) -> bool {
    v.literal()
        .is_some_and(|s| s.eq_ignore_ascii_case("rolesanywhere.amazonaws.com"))
}

fn names_roles_anywhere(st: &Statement) -> bool {
    st.principal
        .as_ref()
        .filter(|p| !p.negated)
        .is_some_and(|p| p.values_of("Service").any(is_roles_anywhere))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    use crate::syntax::tree::Text;

    fn item(s: &str) -> Item {
        Item::new(Span::new(0, s.len()), Text::lit(s))
    }

    #[test]
    fn principals_fit_their_actions() {
        let saml = item("arn:aws:iam::111122223333:saml-provider/Okta");
        let oidc = item("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com");
        assert_eq!(fits("Federated", &saml), Some(vec![Need::Saml]));
        assert_eq!(fits("Federated", &oidc), Some(vec![Need::Oidc]));
        assert_eq!(fits("Federated", &item("accounts.google.com")), Some(vec![Need::Oidc]));
        // A provider the policy does not spell out fits any action.
        assert_eq!(fits("Federated", &item("my-idp")), None);
        assert_eq!(fits("Service", &item("ec2.amazonaws.com")), Some(vec![Need::AwsOrService]));
        assert_eq!(Need::of("STS:AssumeRoleWithSAML"), Some(Need::Saml));
        assert_eq!(Need::of("sts:TagSession"), None);
    }
}
