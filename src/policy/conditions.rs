//! Condition analysis shared by every rule that credits conditions: does a statement's `Condition`
//! narrow the grant by principal, by resource, by network, by calling service, by tag or by region?
//!
//! A key narrows only under a positive operator (`StringEquals`, `ArnLike`, `IpAddress`, `Bool`…,
//! with or without `IfExists` and set qualifiers), or under `Null` with `"false"` (the key must be
//! present: only tagged resources). Negated operators (`StringNotEquals`) widen, so they do not
//! count. An unknown condition block counts as
//! narrowing everything: a rule never fires on what it cannot see.

use super::{Operator, Statement};

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
    let Some(c) = &st.condition else {
        return Narrowing::default();
    };
    if c.has_unknown {
        return Narrowing::unknown();
    }
    let mut n = Narrowing::default();
    for op in &c.operators {
        for e in &op.entries {
            if e.values.iter().any(|v| v.text.literal().is_none()) {
                // A condition on a value the linter cannot see may narrow anything.
                return Narrowing::unknown();
            }
            if positive(&op.op, &e.values) {
                classify(&e.key.name.to_ascii_lowercase(), &mut n);
            }
        }
    }
    n
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
