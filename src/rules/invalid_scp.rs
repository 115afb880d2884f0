use super::{Context, Rule};
use crate::iamdata::has_wildcard;
use crate::policy::arn::split_colon;
use crate::policy::{Principal, PolicyDocument, PolicyKind, Statement};

declare_rule! {
    /// The grammar of AWS Organizations' service control and resource control policies, where it
    /// differs from IAM's: AWS Organizations rejects the policy.
    pub struct InvalidScp {
        name: "invalid-scp",
        category: Correctness,
        severity: Error,
        summary: "an SCP with `Principal` or `NotPrincipal`; an RCP statement without `Principal: \"*\"`, with `Allow`, `NotAction`, `NotPrincipal` or an action of a service RCPs do not support: AWS Organizations rejects the policy",
        kinds: [Scp, Rcp],
    }
}

impl Rule for InvalidScp {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            match doc.kind {
                PolicyKind::Scp => scp_statement(st, cx),
                PolicyKind::Rcp => rcp_statement(st, cx),
                _ => {}
            }
        }
    }
}

/// An SCP names no principal: it limits every IAM user and role of the accounts it is attached to.
fn scp_statement(st: &Statement, cx: &mut Context) {
    let Some(p) = &st.principal else {
        return;
    };
    let f = cx
        .finding(
            p.key.span,
            format!("a service control policy cannot have `{}`", p.key.name.as_str()),
        )
        .label("not an element of SCPs")
        .help("remove it: an SCP applies to every IAM user and role of the accounts it is attached to; to exempt some, use a condition on `aws:PrincipalArn` in a `Deny`");
    cx.report(f);
}

/// An RCP statement applies to every caller (`Principal: "*"`), and only denies.
fn rcp_statement(st: &Statement, cx: &mut Context) {
    rcp_actions(st, cx);
    if st.is_allow() {
        // Only the AWS managed `RCPFullAWSAccess` allows.
        let f = cx
            .finding(st.effect_span(), "a resource control policy can only `Deny`")
            .label("`Allow` is supported only in the AWS managed `RCPFullAWSAccess`")
            .help("write the restriction as a `Deny` with conditions for the exceptions");
        cx.report(f);
    }
    // With `Allow`, `allow-with-not-action` reports the `NotAction` key, and `Allow` is reported.
    if let Some(a) = st.action.as_ref().filter(|a| a.negated && !st.is_allow()) {
        let f = cx
            .finding(a.key.span, "a resource control policy cannot have `NotAction`")
            .label("not an element of RCPs")
            .help("list the denied actions in `Action`");
        cx.report(f);
    }
    match &st.principal {
        None => {
            if !st.has_misspelt(&["Principal", "NotPrincipal"]) {
                let f = cx
                    .finding(st.head(), "an RCP statement needs `\"Principal\": \"*\"`")
                    .label("no `Principal`")
                    .help("add `\"Principal\": \"*\"` and narrow the callers with conditions (`aws:PrincipalOrgID`, `aws:PrincipalIsAWSService`)");
                cx.report(f);
            }
        }
        // `Allow` with `NotPrincipal` is `allow-with-not-principal`'s (and `Allow` is reported).
        Some(p) if p.negated => {
            if !st.is_allow() {
                let f = cx
                    .finding(p.key.span, "a resource control policy cannot have `NotPrincipal`")
                    .label("not an element of RCPs")
                    .help("use `\"Principal\": \"*\"` with a condition on `aws:PrincipalArn` or `aws:PrincipalAccount` for the exceptions");
                cx.report(f);
            }
        }
        Some(p) => match &p.value {
            Principal::Any(i) if i.literal() == Some("*") => {}
            Principal::Unknown => {}
            Principal::Map(m)
                if m.iter()
                    .flat_map(|(_, v)| v.iter())
                    .any(|i| i.literal().is_none()) => {}
            _ => {
                let f = cx
                    .finding(p.span, "an RCP's `Principal` must be `\"*\"`")
                    .label("RCPs apply to every caller; only `\"*\"` is accepted")
                    .help("write `\"Principal\": \"*\"` and narrow the callers with conditions (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`)");
                cx.report(f);
            }
        },
    }
}

/// The services RCPs apply to, `data/rcp-services.tsv` (see `data/README.md`): `prefix<TAB>name`
/// lines after `#` comments.
const RCP_SERVICES: &str = include_str!("../../data/rcp-services.tsv");

/// Does an RCP apply to actions of the service `prefix` (compared as IAM does, ignoring case)?
fn rcp_supports(prefix: &str) -> bool {
    RCP_SERVICES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .any(|p| p.eq_ignore_ascii_case(prefix))
}

/// `ec2:*` in an RCP: AWS Organizations accepts only actions of the services RCPs apply to.
/// Judged: a literal item whose service prefix has no wildcard and is a service of the
/// reference. An unknown prefix (`s4:GetObject`) is `unknown-service`'s; `*` and `s*:Get*`
/// cover supported services too; values the template computes are not known.
fn rcp_actions(st: &Statement, cx: &mut Context) {
    let Some(el) = st.action.as_ref().filter(|a| !a.negated) else {
        return;
    };
    for item in &el.items {
        let Some((prefix, _)) = item.literal().and_then(split_colon) else {
            continue;
        };
        if has_wildcard(prefix)
            || rcp_supports(prefix)
            || crate::iamdata::get().service(prefix).is_none()
        {
            continue;
        }
        let f = cx
            .finding(
                item.span,
                format!(
                    "RCPs only support specifying select service prefixes in the `Action` element; `{prefix}` is not one of them"
                ),
            )
            .label(format!("resource control policies do not apply to `{prefix}` actions"))
            .help("remove it: RCPs apply to the services listed under \"List of AWS services that support RCPs\" in the AWS Organizations User Guide; restrict what your own principals may do with an SCP instead");
        cx.report(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of the table is `prefix<TAB>name` and names a service of the reference (a
    /// typo in the table would silently report every action of the real service).
    #[test]
    fn rcp_services_are_known_services() {
        let rows: Vec<&str> = RCP_SERVICES.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(rows.len(), 62, "the page lists 62 services");
        for l in rows {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() == 2, "data/rcp-services.tsv: bad line {l:?}");
            assert!(
                crate::iamdata::get().service(f[0]).is_some(),
                "data/rcp-services.tsv: {} is not a service prefix",
                f[0]
            );
        }
        assert!(rcp_supports("s3") && rcp_supports("STS") && !rcp_supports("ec2"));
    }
}
