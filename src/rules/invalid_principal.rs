use super::{Context, Rule};
use crate::iamdata::has_wildcard;
use crate::policy::arn::{Arn, has_unknown, is_account_id};
use crate::policy::{Item, PolicyDocument, PolicyKind, Principal, Statement, suggest};

declare_rule! {
    /// A `Principal` that IAM rejects: one in an identity policy, an unknown principal type, or a
    /// malformed account id, principal ARN, service principal or canonical user id.
    pub struct InvalidPrincipal {
        name: "invalid-principal",
        category: Correctness,
        severity: Error,
        summary: "a `Principal` IAM rejects: in an identity policy, a type other than `AWS`, `Service`, `Federated`, `CanonicalUser`, or a malformed account, ARN or service principal",
        kinds: [Identity, Trust, Resource, KeyPolicy, Endpoint, Boundary, Session],
    }
}

const TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// What a policy that names no principal is called in a finding: identity policies, permissions
/// boundaries and session policies apply to whoever holds them.
/// Returns the name and the finding's label.
fn principal_free(kind: PolicyKind) -> Option<(&'static str, &'static str)> {
    match kind {
        PolicyKind::Identity => Some((
            "an identity policy",
            "IAM rejects a principal in a policy attached to a user, group or role: the principal is whoever holds the policy",
        )),
        PolicyKind::Boundary => Some((
            "a permissions boundary",
            "IAM rejects a principal in a managed policy: a boundary applies to the user or role it is set on",
        )),
        PolicyKind::Session => Some((
            "a session policy",
            "a session policy applies to the session it is passed to; it names no principal",
        )),
        _ => None,
    }
}

impl Rule for InvalidPrincipal {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(p) = &st.principal else { continue };
            if let Some((what, label)) = principal_free(doc.kind) {
                let f = cx
                    .finding(p.key.span, format!("`{}` in {what}", p.key.name))
                    .label(label)
                    .help(format!("remove `{}`; to let others use a resource, write a resource policy on it (or a role's trust policy)", p.key.name));
                cx.report(f);
                continue;
            }
            match &p.value {
                Principal::Map(entries) => {
                    for (key, items) in entries {
                        // `${element(keys(var.principals), 0)}`: a type Terraform fills in.
                        if key.name.contains("${") || key.name.contains(crate::syntax::tree::UNKNOWN) {
                            continue;
                        }
                        if !TYPES.contains(&key.name.as_str()) {
                            report_type(cx, key);
                            continue;
                        }
                        for item in items {
                            if let Some((label, help)) = check_value(doc, st, &key.name, item) {
                                let f = cx
                                    .finding(item.span, format!("`{}` is not a valid `{}` principal", item.text.display(), key.name))
                                    .label(label)
                                    .help(help);
                                cx.report(f);
                            }
                        }
                    }
                }
                // "Principal": "arn:aws:iam::111122223333:root": only `*` may stand alone.
                Principal::Unknown => {
                    let node = doc.statement_node(st).get(p.key.name.as_str());
                    if let Some(text) = node.and_then(|n| n.literal()) {
                        let f = cx
                            .finding(p.span, format!("`{text}` is not a valid `{}`", p.key.name))
                            .label("a principal is `\"*\"` or an object of principal types")
                            .help(format!("write `{{\"AWS\": \"{text}\"}}` (or `Service`, `Federated`, `CanonicalUser`)"));
                        cx.report(f);
                    }
                }
                Principal::Any(_) => {}
            }
        }
    }
}

fn report_type(cx: &mut Context, key: &crate::syntax::tree::Key) {
    let near = suggest::nearest(&key.name, TYPES.iter().copied());
    let help = match near {
        Some(n) => format!("did you mean `{n}`?"),
        None => "use `AWS` (accounts, users, roles), `Service` (AWS services), `Federated` (identity providers) or `CanonicalUser`".to_string(),
    };
    let f = cx
        .finding(key.span, format!("`{}` is not a principal type", key.name))
        .label("IAM knows `AWS`, `Service`, `Federated` and `CanonicalUser`")
        .help(help);
    cx.report(f);
}

/// What is wrong with one principal value of type `ty`, as (label, help); `None` when it is valid
/// or not known.
fn check_value(
    doc: &PolicyDocument,
    st: &Statement,
    ty: &str,
    item: &Item,
) -> Option<(String, String)> {
    let masked = item.text.masked();
    // A value with a part the linter cannot see may be anything; `${account}` in a JSON file is a
    // template's placeholder (`templatefile`), or a policy variable.
    if has_unknown(&masked) || masked.contains("${") {
        return None;
    }
    match ty {
        "AWS" => aws_value(doc, st, item, &masked),
        "Service" => service_value(&masked),
        "Federated" => federated_value(&masked),
        "CanonicalUser" => canonical_value(&masked),
        _ => None,
    }
}

fn aws_value(
    doc: &PolicyDocument,
    st: &Statement,
    item: &Item,
    v: &str,
) -> Option<(String, String)> {
    if v == "*" || is_account_id(v) || is_unique_id(v) {
        return None;
    }
    let Some(arn) = Arn::parse(v) else {
        let help = if v.bytes().all(|b| b.is_ascii_digit()) {
            format!("an account id has twelve digits (`{v}` has {}); keep its leading zeros", v.len())
        } else {
            "name an account (`111122223333` or `arn:aws:iam::111122223333:root`), a role or user ARN, or `*`".to_string()
        };
        return Some(("an AWS principal is an account id, an IAM ARN or `*`".into(), help));
    };
    if arn.service != "iam" && arn.service != "sts" {
        return Some((
            format!("`{}` is not an IAM or STS ARN", arn.service),
            "name the account or role that may act (`arn:aws:iam::111122223333:role/name`); to limit what it acts on, use `Resource`".into(),
        ));
    }
    if has_wildcard(arn.account) {
        // `arn:aws:iam::*:root` with no condition is `public-principal`'s finding.
        if super::public_principal::public_item(doc, st).is_some_and(|p| p == item) {
            return None;
        }
        return Some((
            "IAM does not accept a wildcard in a principal ARN".into(),
            "name the accounts, or use `\"AWS\": \"*\"` with a condition on `aws:PrincipalAccount`, `aws:PrincipalOrgID` or `aws:PrincipalArn` (`ArnLike` accepts wildcards)".into(),
        ));
    }
    // An account field with letters is a documentation placeholder
    // (`external-aws-account-id`), not judged, as `invalid-arn` does not judge `ACCOUNT_ID`.
    let placeholder = arn.account.bytes().any(|b| b.is_ascii_alphabetic());
    if !placeholder && !is_account_id(arn.account) {
        return Some((
            format!("the account `{}` is not a twelve-digit account id", arn.account),
            "write the twelve-digit account id, leading zeros included".into(),
        ));
    }
    if has_wildcard(arn.resource) {
        return Some((
            "IAM does not accept a wildcard in a principal ARN".into(),
            "name the roles or users, or use the account (`arn:aws:iam::ACCOUNT:root`) with an `ArnLike` condition on `aws:PrincipalArn`".into(),
        ));
    }
    let ok = match arn.service {
        "iam" => {
            arn.resource == "root"
                || ["user/", "role/"].iter().any(|p| arn.resource.starts_with(p))
                    && arn.resource.len() > 5
        }
        _ => ["assumed-role/", "federated-user/"]
            .iter()
            .any(|p| arn.resource.starts_with(p)),
    };
    (!ok).then(|| {
        (
            format!("`{}` is not a principal: only the account `root`, users, roles and STS sessions are", arn.resource),
            "a group or policy cannot be a principal: name the users or roles (`arn:aws:iam::ACCOUNT:role/name`) or the account".into(),
        )
    })
}

/// An IAM unique id (`AROAEXAMPLEID1234567`): what a policy shows for a deleted principal.
fn is_unique_id(v: &str) -> bool {
    v.len() >= 16 && v.starts_with('A') && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Only what is surely malformed: no domain at all (`lambda`), a cut-off domain
/// (`lambda.amazonaws`), an ARN. Service principals end in many domains (`.amazonaws.com`,
/// `.amazonaws.com.cn`, `.amazon.com`, regional ones), so others are not judged.
fn service_value(v: &str) -> Option<(String, String)> {
    let name = v.split('.').next().unwrap_or(v);
    let fix = format!("write the service principal: `{name}.amazonaws.com`");
    if v.starts_with("arn:") {
        return Some(("a service principal is a domain name, not an ARN".into(), "use the service's principal (`events.amazonaws.com`); to name a role, use `AWS`".into()));
    }
    if !v.contains('.') && v != "*" {
        return Some(("a service principal is the service's domain name".into(), fix));
    }
    if v.ends_with(".amazonaws") || v.ends_with(".amazon") {
        return Some(("the service principal's domain is cut off".into(), fix));
    }
    None
}

/// An IAM ARN that is not an identity provider (`saml-provider/…`, `oidc-provider/…`).
fn federated_value(v: &str) -> Option<(String, String)> {
    let arn = Arn::parse(v)?;
    let ok = arn.service == "iam"
        && is_account_id(arn.account)
        && (arn.resource.starts_with("saml-provider/") || arn.resource.starts_with("oidc-provider/"));
    (!ok && !has_unknown(arn.account)).then(|| {
        (
            "a federated principal is an identity provider: `arn:aws:iam::ACCOUNT:saml-provider/NAME`, `…:oidc-provider/HOST` or a web identity provider's domain".into(),
            "name the provider's ARN; to name a role or account, use `AWS`".into(),
        )
    })
}

/// A canonical user id is 64 hexadecimal digits.
fn canonical_value(v: &str) -> Option<(String, String)> {
    (v.len() != 64 || !v.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        (
            "a canonical user id is 64 hexadecimal digits".into(),
            "copy the id from the S3 console or `aws s3api list-buckets --query Owner.ID`; for a CloudFront origin access identity, prefer origin access control with the `cloudfront.amazonaws.com` service principal".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_principals() {
        assert!(service_value("lambda").is_some());
        assert!(service_value("lambda.amazonaws").is_some());
        assert!(service_value("lambda.amazonaws.com").is_none());
        assert!(service_value("states.eu-west-1.amazonaws.com").is_none());
        assert!(service_value("ec2.amazonaws.com.cn").is_none());
        assert!(service_value("alexa-appkit.amazon.com").is_none());
    }

    #[test]
    fn federated_and_canonical() {
        assert!(federated_value("arn:aws:iam::111122223333:saml-provider/Okta").is_none());
        assert!(federated_value("arn:aws:iam::111122223333:role/x").is_some());
        assert!(federated_value("cognito-identity.amazonaws.com").is_none());
        assert!(canonical_value(&"a".repeat(64)).is_none());
        assert!(canonical_value("E2MPLE").is_some());
        assert!(is_unique_id("AROAEXAMPLEID1234567"));
    }
}
