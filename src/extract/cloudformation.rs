//! CloudFormation templates (YAML or JSON, SAM, CDK's `cdk.out/*.template.json`): finds the
//! policy documents their resources hold, with the kind each one is and the resource that owns it.
//!
//! Works on the [`Node`] tree either front end produces; intrinsics are folded by
//! [`intrinsic::resolve`] before a document is built, so `${AWS::AccountId}` is known to be the
//! stack's own account and `!GetAtt Role.Arn` stays unknown.

use std::sync::Arc;

use super::intrinsic::{self, ACCOUNT_ID, Dialect};
use super::tree::{Key, Node, Value};
use super::{Extracted, json, sam};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::source::{SourceFile, Span};

/// Does this document root look like a template? `AWSTemplateFormatVersion`, the SAM transform,
/// or a `Resources` map with an `AWS::` type.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    // Transform: AWS::Serverless-2016-10-31, or a list of transforms
    if root.get("Transform").is_some_and(|t| {
        t.items().iter().any(|i| {
            i.literal()
                .is_some_and(|s| s.starts_with("AWS::Serverless"))
        })
    }) {
        return true;
    }
    root.get("Resources")
        .and_then(Node::entries)
        .is_some_and(|rs| {
            rs.iter()
                .any(|r| resource_type(&r.value).is_some_and(|t| t.starts_with("AWS::")))
        })
}

fn resource_type(resource: &Node) -> Option<&str> {
    resource.get("Type").and_then(Node::literal)
}

/// Policy properties of resource types: (type, property, kind).
const POLICY_PROPERTIES: &[(&str, &str, PolicyKind)] = &[
    ("AWS::ApiGateway::RestApi", "Policy", PolicyKind::Resource),
    (
        "AWS::Backup::BackupVault",
        "AccessPolicy",
        PolicyKind::Resource,
    ),
    (
        "AWS::ECR::Repository",
        "RepositoryPolicyText",
        PolicyKind::Resource,
    ),
    (
        "AWS::EFS::FileSystem",
        "FileSystemPolicy",
        PolicyKind::Resource,
    ),
    (
        "AWS::Elasticsearch::Domain",
        "AccessPolicies",
        PolicyKind::Resource,
    ),
    (
        "AWS::IAM::GroupPolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::IAM::ManagedPolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    ("AWS::IAM::Policy", "PolicyDocument", PolicyKind::Identity),
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        PolicyKind::Trust,
    ),
    (
        "AWS::IAM::RolePolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::IAM::UserPolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    ("AWS::KMS::Key", "KeyPolicy", PolicyKind::KeyPolicy),
    ("AWS::KMS::ReplicaKey", "KeyPolicy", PolicyKind::KeyPolicy),
    (
        "AWS::Logs::ResourcePolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::OpenSearchService::Domain",
        "AccessPolicies",
        PolicyKind::Resource,
    ),
    ("AWS::S3::AccessPoint", "Policy", PolicyKind::Resource),
    (
        "AWS::S3::BucketPolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::S3Express::BucketPolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SNS::TopicPolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SQS::QueuePolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SecretsManager::ResourcePolicy",
        "ResourcePolicy",
        PolicyKind::Resource,
    ),
    (
        "AWS::Serverless::Function",
        "AssumeRolePolicyDocument",
        PolicyKind::Trust,
    ),
];

/// Where policies found in one file go, and how their strings are read.
pub(crate) struct Sink<'a> {
    pub file: &'a Arc<SourceFile>,
    pub out: &'a mut Extracted,
    pub dialect: Dialect,
}

impl Sink<'_> {
    fn own_account_vars(&self) -> Vec<String> {
        let mut v = vec![ACCOUNT_ID.to_string()];
        if self.dialect == Dialect::Serverless {
            // ${aws:accountId}, Serverless's own variable for the deploying account
            v.push("aws:accountId".to_string());
        }
        v
    }

    /// Builds and keeps the policy document at `value` (taken from the tree): an object, or a
    /// string holding JSON. Values known only at deploy time (`!Ref`, `!If`) are skipped.
    pub fn document(
        &mut self,
        value: &mut Node,
        kind: PolicyKind,
        owner: String,
        owner_span: Span,
    ) {
        let mut resolved = value.take();
        intrinsic::resolve_in_place(&mut resolved, self.dialect);
        let root = match &resolved.value {
            Value::Object(_) => resolved,
            // PolicyDocument: '{"Version": "2012-10-17", "Statement": [...]}'
            Value::Str(_) => match self.string_document(&resolved) {
                Some(n) => n,
                None => return,
            },
            _ => return,
        };
        self.push(
            PolicyDocument::build(self.file, root, kind, Some(owner)),
            owner_span,
        );
    }

    /// A bare statement list (`iamRoleStatements:`) under `key`, taken from the tree.
    pub fn statements(&mut self, key: &Key, value: &mut Node, owner: String, owner_span: Span) {
        let mut resolved = value.take();
        intrinsic::resolve_in_place(&mut resolved, self.dialect);
        if !matches!(resolved.value, Value::Array(_)) {
            return;
        }
        let doc = PolicyDocument::from_statements(
            self.file,
            key.span,
            resolved,
            PolicyKind::Identity,
            Some(owner),
        );
        self.push(doc, owner_span);
    }

    fn push(&mut self, mut doc: PolicyDocument, owner_span: Span) {
        doc.owner_span = Some(owner_span);
        doc.own_account_vars = self.own_account_vars();
        self.out.documents.push(doc);
    }

    /// Parses a string whose text is JSON, when its characters in the file are its value (a
    /// block scalar, or a quoted string without escapes), so spans land inside it. Escaped
    /// strings are skipped: their offsets do not map back one to one.
    fn string_document(&mut self, node: &Node) -> Option<Node> {
        let value = node.literal()?;
        let raw = self.file.slice(node.span);
        let start = node.span.start as usize;
        let (text, base) = match raw.as_bytes().first()? {
            // '{"Version": …}' or "{…}" without escapes
            b'\'' | b'"' if raw.len() >= 2 && &raw[1..raw.len() - 1] == value => {
                (&raw[1..raw.len() - 1], start + 1)
            }
            // PolicyDocument: |
            //   {"Version": …}
            // Indentation and folding only change white space, which JSON ignores.
            b'|' | b'>' => {
                let nl = raw.find('\n')?;
                let body = &raw[nl + 1..];
                let dense = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                if dense(body) != dense(value) {
                    return None;
                }
                (body, start + nl + 1)
            }
            _ if raw == value => (raw, start),
            _ => return None,
        };
        if !text.trim_start().starts_with('{') {
            return None;
        }
        match json::parse(text, base) {
            Ok(root) => root,
            Err(e) => {
                self.out.findings.push(
                    super::input::INVALID_JSON
                        .finding(self.file, e.span, e.message)
                        .label("parsing of the policy in this string stopped here"),
                );
                e.recovered
            }
        }
    }
}

/// Extracts every policy of a template, taking the documents from its tree.
pub fn extract(file: &Arc<SourceFile>, root: &mut Node, out: &mut Extracted) {
    if let Some(resources) = root.get_mut("Resources") {
        let mut sink = Sink {
            file,
            out,
            dialect: Dialect::CloudFormation,
        };
        resources_policies(&mut sink, resources);
    }
}

/// The policies in a `Resources` map (a template's, or `resources.Resources` in serverless.yml).
pub(crate) fn resources_policies(sink: &mut Sink, resources: &mut Node) {
    for r in resources.entries_mut().unwrap_or_default() {
        let id = &r.key;
        let Some(ty) = resource_type(&r.value) else {
            continue;
        };
        // "AWS::IAM::Role Role": the type is the owner's start.
        let owner = format!("{ty} {}", id.name);
        let ty = &owner[..ty.len()];
        let Some(props) = r.value.get_mut("Properties") else {
            continue;
        };
        for (_, prop, kind) in POLICY_PROPERTIES.iter().filter(|(t, _, _)| *t == ty) {
            if let Some(v) = props.get_mut(prop) {
                sink.document(v, *kind, owner.clone(), id.span);
            }
        }
        match ty {
            // Policies: [{PolicyName: …, PolicyDocument: {…}}]
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                for p in props
                    .get_mut("Policies")
                    .map(Node::items_mut)
                    .unwrap_or_default()
                {
                    intrinsic::resolve_shallow(p, sink.dialect);
                    let owner = match p.get("PolicyName").and_then(Node::literal) {
                        Some(name) => format!("{owner}, policy {name}"),
                        None => owner.clone(),
                    };
                    let Some(doc) = p.get_mut("PolicyDocument") else {
                        continue;
                    };
                    sink.document(doc, PolicyKind::Identity, owner, id.span);
                }
            }
            "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => {
                if let Some(p) = props.get_mut("Policies") {
                    sam_policies(sink, p, &owner, id.span);
                }
            }
            _ => {}
        }
    }
}

/// SAM `Policies`: a managed policy name or ARN, an inline document, a policy template, or a list
/// of those.
fn sam_policies(sink: &mut Sink, policies: &mut Node, owner: &str, owner_span: Span) {
    for p in policies.items_mut() {
        intrinsic::resolve_shallow(p, sink.dialect);
        let Some(entries) = p.entries() else {
            // AWSLambdaBasicExecutionRole, arn:aws:iam::aws:policy/…, !Ref PolicyArn
            continue;
        };
        // {Statement: [...]}
        if p.get("Statement").is_some() {
            sink.document(p, PolicyKind::Identity, owner.to_string(), owner_span);
            continue;
        }
        // {KMSDecryptPolicy: {KeyId: !Ref Key}}
        if let [e] = entries {
            let params = intrinsic::resolve(&e.value, sink.dialect);
            if let Some(mut doc) = sam::expand(&e.key, &params) {
                sink.document(
                    &mut doc,
                    PolicyKind::Identity,
                    format!("{owner}, {}", e.key.name),
                    owner_span,
                );
                // SAM writes the expanded document: its shape is not the author's to fix.
                if let Some(d) = sink.out.documents.last_mut() {
                    d.implicit = true;
                }
            }
        }
    }
}
