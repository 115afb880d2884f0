//! Condition analysis shared by every rule that credits conditions: does a statement's `Condition`
//! narrow the grant by principal, by resource, by network, by calling service, by tag or by region?
//!
//! A key narrows only under a positive operator (`StringEquals`, `ArnLike`, `IpAddress`, `Bool`…,
//! with or without `IfExists` and set qualifiers), or under `Null` with `"false"` (the key must be
//! present: only tagged resources). Negated operators (`StringNotEquals`) widen, so they do not
//! count. An unknown condition block counts as
//! narrowing everything: a rule never fires on what it cannot see.
//!
//! A policy is read whole: [`narrowing_in`] also credits a sibling `Deny` that covers the
//! statement's principals, actions and resources and whose condition denies everyone outside a
//! set (`"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b"}`, `NotIpAddress`, `ArnNotLike`…): the
//! documented private API Gateway and "only my organization" patterns. What such a Deny excludes
//! narrows the Allow exactly as the same key under a positive operator would.

use super::{Element, Operator, PolicyDocument, Principal, SetQualifier, Statement};
use crate::iamdata::wildcard_match;

/// What a statement's conditions narrow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Narrowing {
    /// Who may act: organization, account, source ARN, principal ARN or tags.
    pub principal: bool,
    /// Which resources: resource tags, resource account or org, service-specific resource keys.
    pub resource: bool,
    /// From where: source IP, VPC, VPC endpoint.
    pub network: bool,
    /// Through which AWS service: `aws:CalledVia`, `kms:ViaService`, `iam:PassedToService`.
    pub service: bool,
    /// Request or resource tags.
    pub tag: bool,
    /// `aws:RequestedRegion`.
    pub region: bool,
    /// Part of the condition is not known (a template value): it may narrow anything, and rules
    /// that credit conditions stay silent.
    pub unknown: bool,
}

impl Narrowing {
    pub fn any(self) -> bool {
        self.principal || self.resource || self.network || self.service || self.tag || self.region
    }

    /// Narrows who can use a resource or trust policy's grant (network origin counts: a VPC
    /// endpoint limits the callers to those inside it).
    pub fn who(self) -> bool {
        self.principal || self.network
    }

    fn unknown() -> Narrowing {
        Narrowing {
            principal: true,
            resource: true,
            network: true,
            service: true,
            tag: true,
            region: true,
            unknown: true,
        }
    }
}

const PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principaltype",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceidentity",
    "aws:userid",
    "aws:username",
    "aws:federatedprovider",
    "kms:calleraccount",
    // The Alexa skill that may invoke a Lambda function: Alexa's `aws:SourceArn`.
    "lambda:eventsourcetoken",
];
const NETWORK_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "aws:sourcevpcarn",
];
const SERVICE_KEYS: &[&str] = &[
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:viaawsservice",
    "aws:principalservicename",
    "kms:viaservice",
    "iam:passedtoservice",
];
const RESOURCE_KEYS: &[&str] = &[
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
];

/// Does the operator, with these values, narrow? `"Null": {"aws:ResourceTag/team": "false"}`
/// requires the key to be present (only tagged resources), so it narrows; `"true"` widens.
fn positive(op: &Operator, values: &[crate::policy::Item]) -> bool {
    if op.base == "Null" {
        return !values.is_empty() && values.iter().all(|v| v.literal() == Some("false"));
    }
    !op.base.contains("Not")
}

/// Classifies one lowercased condition key.
fn classify(key: &str, n: &mut Narrowing) {
    if PRINCIPAL_KEYS.contains(&key) || key.starts_with("aws:principaltag/") {
        n.principal = true;
    }
    if NETWORK_KEYS.contains(&key) {
        n.network = true;
    }
    if SERVICE_KEYS.contains(&key) {
        n.service = true;
    }
    if key == "aws:requestedregion" {
        n.region = true;
    }
    let tag =
        key.contains("resourcetag/") || key.contains("requesttag/") || key.ends_with(":tagkeys");
    if tag {
        n.tag = true;
    }
    // `secretsmanager:SecretId`, `s3:prefix`, `ec2:ResourceTag/…`: service keys describe the
    // resource or the request on it. Global `aws:` keys only where listed.
    if RESOURCE_KEYS.contains(&key)
        || key.starts_with("aws:resourcetag/")
        || (!key.starts_with("aws:") && !SERVICE_KEYS.contains(&key) && key != "kms:calleraccount")
    {
        n.resource = true;
    }
}

/// What the statement's conditions narrow.
pub fn narrowing(st: &Statement) -> Narrowing {
    narrowing_with(st, false)
}

/// What the statement's conditions narrow for a caller who lacks the keys: an anonymous request
/// has no `aws:PrincipalOrgID`, and a request from outside a VPC no `aws:SourceVpce`. Such a
/// caller passes `…IfExists` operators and `ForAllValues:` sets (both are true when the key is
/// absent), so they do not narrow here.
pub fn narrowing_for_anonymous(st: &Statement) -> Narrowing {
    narrowing_with(st, true)
}

fn narrowing_with(st: &Statement, anonymous: bool) -> Narrowing {
    let Some(c) = &st.condition else {
        return Narrowing::default();
    };
    if c.has_unknown {
        return Narrowing::unknown();
    }
    let mut n = Narrowing::default();
    for op in &c.operators {
        let passed_when_absent =
            op.op.if_exists || op.op.qualifier == Some(SetQualifier::ForAllValues);
        for e in &op.entries {
            if e.values.iter().any(|v| v.text.literal().is_none()) {
                // A condition on a value the linter cannot see may narrow anything.
                return Narrowing::unknown();
            }
            if anonymous && passed_when_absent && op.op.base != "Null" {
                continue;
            }
            if positive(&op.op, &e.values) {
                classify(&e.key.name.to_ascii_lowercase(), &mut n);
            }
        }
    }
    n
}

/// [`narrowing`], with what the policy's `Deny` statements take away from the grant.
pub fn narrowing_in(doc: &PolicyDocument, st: &Statement) -> Narrowing {
    narrowing(st).with(denied_outside(doc, st))
}

/// [`narrowing_for_anonymous`], with what the policy's `Deny` statements take away from the grant.
pub fn narrowing_for_anonymous_in(doc: &PolicyDocument, st: &Statement) -> Narrowing {
    narrowing_for_anonymous(st).with(denied_outside(doc, st))
}

/// Does a `Deny` of the policy refuse the Allow `st` to every request without `key`'s value in a
/// set (`"StringNotEquals": {"kms:ViaService": […]}`)? Then the Allow holds only with that key.
pub fn denied_without_key(doc: &PolicyDocument, st: &Statement, key: &str) -> bool {
    st.is_allow()
        && denies(doc).any(|d| {
            covering_deny(d, st)
                && d.condition.as_ref().is_some_and(|c| {
                    c.operators
                        .iter()
                        .flat_map(|o| o.entries.iter())
                        .any(|e| e.key.name.eq_ignore_ascii_case(key))
                })
        })
}

impl Narrowing {
    fn with(self, o: Narrowing) -> Narrowing {
        Narrowing {
            principal: self.principal || o.principal,
            resource: self.resource || o.resource,
            network: self.network || o.network,
            service: self.service || o.service,
            tag: self.tag || o.tag,
            region: self.region || o.region,
            unknown: self.unknown || o.unknown,
        }
    }
}

/// What the `Deny` statements of `doc` that cover the Allow `st` exclude: a `Deny` with
/// `NotPrincipal` keeps only the named principals; a `Deny` whose condition is made only of
/// negated operators (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`…, no set qualifier) refuses
/// every request outside the sets it names, so the Allow holds only inside them.
fn denied_outside(doc: &PolicyDocument, st: &Statement) -> Narrowing {
    let mut n = Narrowing::default();
    if !st.is_allow() {
        return n;
    }
    for d in denies(doc) {
        if !covering_deny(d, st) {
            continue;
        }
        if d.principal.as_ref().is_some_and(|p| p.negated) {
            n.principal = true;
        }
        let Some(c) = &d.condition else { continue };
        for e in c.operators.iter().flat_map(|o| o.entries.iter()) {
            classify(&e.key.name.to_ascii_lowercase(), &mut n);
        }
    }
    n
}

/// Exclusion-only Denies a document keeps ([`exclusion_denies`]). A policy within IAM's size
/// quotas has a few; past this many, the rest are not credited with narrowing (a finding may
/// then stay that a Deny would have excused), so that no policy costs more than linear time.
pub const MAX_EXCLUSION_DENIES: usize = 64;

/// The indices of the statements that are `Deny`s made only of exclusions (a `NotPrincipal`, a
/// condition of negated operators): the only ones that can cover an Allow.
pub fn exclusion_denies(statements: &[Statement]) -> Vec<u32> {
    statements
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_deny() && exclusion_only(d))
        .filter_map(|(i, _)| u32::try_from(i).ok())
        .take(MAX_EXCLUSION_DENIES)
        .collect()
}

/// The exclusion-only Denies of `doc`.
fn denies(doc: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    doc.exclusion_denies
        .iter()
        .filter_map(|&i| doc.statements.get(i as usize))
}

/// A `Deny` that refuses only what its exclusions leave out: a `NotPrincipal` without condition,
/// or a condition made only of negated operators (`StringNotEquals`, `NotIpAddress`…).
fn exclusion_only(d: &Statement) -> bool {
    match &d.condition {
        None => d.principal.as_ref().is_some_and(|p| p.negated),
        Some(c) => {
            // Values the linter cannot see (`!Ref EndpointId`) still name the key, and the key is
            // what the exclusion narrows by.
            !c.operators.is_empty()
                && c.operators.iter().all(|o| {
                    o.op.qualifier.is_none()
                        && o.op.base.contains("Not")
                        && !o.entries.is_empty()
                        && o.entries.iter().all(|e| {
                            // `StringNotLike "*"` refuses only requests without the key.
                            !e.values.is_empty()
                                && !e.values.iter().any(|v| v.literal() == Some("*"))
                        })
                })
        }
    }
}

/// `d`, an exclusion-only `Deny` ([`exclusion_denies`]), applies to every request the Allow
/// `st` grants, except those its exclusions spare.
fn covering_deny(d: &Statement, st: &Statement) -> bool {
    !std::ptr::eq(d, st)
        && principals_cover(d, st)
        && element_covers(d.action.as_ref(), st.action.as_ref(), true)
        && element_covers(d.resource.as_ref(), st.resource.as_ref(), false)
}

/// The Deny's principal covers the Allow's: absent (an identity policy), `*`, `NotPrincipal`, or
/// the same values.
fn principals_cover(d: &Statement, st: &Statement) -> bool {
    let Some(dp) = &d.principal else { return true };
    if dp.negated {
        return true;
    }
    let any = |p: &super::PrincipalElement| {
        matches!(p.value, Principal::Any(_)) || p.values_of("AWS").any(|i| i.literal() == Some("*"))
    };
    if any(dp) {
        return true;
    }
    match (&dp.value, st.principal.as_ref().map(|p| &p.value)) {
        (Principal::Map(dm), Some(Principal::Map(sm))) => sm.iter().all(|(k, items)| {
            items.iter().all(|i| {
                dm.iter()
                    .filter(|(dk, _)| dk.name == k.name)
                    .any(|(_, ditems)| ditems.iter().any(|di| di.text == i.text))
            })
        }),
        _ => false,
    }
}

/// Every item of the Allow's element (`Action` or `Resource`) is matched by an item of the Deny's.
/// An absent element on both sides (a trust policy's `Resource`) covers; negated ones do not.
fn element_covers(deny: Option<&Element>, allow: Option<&Element>, case_insensitive: bool) -> bool {
    let Some(deny) = deny else {
        return allow.is_none();
    };
    if deny.negated {
        return false;
    }
    if deny.star().is_some() {
        return true;
    }
    let Some(allow) = allow.filter(|a| !a.negated) else {
        return false;
    };
    !allow.items.is_empty()
        && allow.items.iter().all(|a| {
            deny.items.iter().any(|d| {
                d.text == a.text
                    || match (d.literal(), a.literal()) {
                        (Some(dp), Some(ap)) => wildcard_match(dp, ap, case_insensitive),
                        _ => false,
                    }
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyDocument, PolicyKind};
    use crate::source::SourceFile;
    use crate::syntax::json;

    fn narrowing_of(condition: &str) -> Narrowing {
        let text = format!(
            r#"{{"Statement": [{{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {condition}}}]}}"#
        );
        let file = SourceFile::new("p.json".into(), text);
        let root = json::parse(&file.text, 0).unwrap().unwrap();
        let doc = PolicyDocument::build(&file, root, PolicyKind::Identity, None);
        narrowing(&doc.statements[0])
    }

    /// Only exclusion-only Denies are kept, at most [`MAX_EXCLUSION_DENIES`]: narrowing is
    /// asked for every Allow, and must not scan every statement each time.
    #[test]
    fn exclusion_denies_are_found_once_and_bounded() {
        let deny_outside_vpc = r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}}"#;
        let deny_plain = r#"{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}"#;
        let allow = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#;
        let mut statements = vec![allow, deny_plain, deny_outside_vpc];
        statements.extend(std::iter::repeat_n(
            deny_outside_vpc,
            2 * MAX_EXCLUSION_DENIES,
        ));
        let text = format!(r#"{{"Statement": [{}]}}"#, statements.join(","));
        let file = SourceFile::new("p.json".into(), text);
        let root = json::parse(&file.text, 0).unwrap().unwrap();
        let doc = PolicyDocument::build(&file, root, PolicyKind::Identity, None);
        assert_eq!(doc.exclusion_denies.len(), MAX_EXCLUSION_DENIES);
        assert_eq!(
            doc.exclusion_denies[0], 2,
            "the plain Deny excludes nothing"
        );
        // The kept Denies still narrow the Allow.
        assert!(narrowing_in(&doc, &doc.statements[0]).network);
    }

    #[test]
    fn classifies_keys_by_what_they_narrow() {
        let n = narrowing_of(r#"{"StringEquals": {"aws:PrincipalOrgID": "o-123"}}"#);
        assert!(n.principal && !n.resource && n.who());
        let n = narrowing_of(r#"{"StringEquals": {"aws:ResourceTag/team": "a"}}"#);
        assert!(n.resource && n.tag && !n.principal);
        let n = narrowing_of(r#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#);
        assert!(n.network && n.who());
        let n = narrowing_of(r#"{"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}"#);
        assert!(n.region && !n.resource);
        let n = narrowing_of(r#"{"StringLike": {"s3:prefix": "home/*"}}"#);
        assert!(n.resource);
    }

    #[test]
    fn negated_operators_and_null_true_do_not_narrow() {
        assert!(!narrowing_of(r#"{"StringNotEquals": {"aws:PrincipalOrgID": "o-123"}}"#).any());
        assert!(!narrowing_of(r#"{"Null": {"aws:SourceArn": "true"}}"#).any());
        assert!(narrowing_of(r#"{"Null": {"aws:ResourceTag/project": "false"}}"#).tag);
        assert!(narrowing_of(r#"{"StringEqualsIfExists": {"aws:SourceAccount": "1"}}"#).principal);
        assert!(!narrowing_of(r#"{"Bool": {"aws:SecureTransport": "true"}}"#).any());
    }
}
