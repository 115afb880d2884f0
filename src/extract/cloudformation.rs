//! CloudFormation templates (YAML or JSON, SAM, CDK's `cdk.out/*.template.json`): finds the
//! policy documents their resources hold, with the kind each one is and the resource that owns it.
//!
//! Works on the [`Node`] tree either front end produces; intrinsics are folded by
//! [`intrinsic::resolve`] before a document is built, so `${AWS::AccountId}` is known to be the
//! stack's own account and `!GetAtt Role.Arn` stays unknown.

use std::sync::Arc;

use super::intrinsic::{self, ACCOUNT_ID, Dialect};
use super::tree::{Key, Node, Part, Value};
use super::{Extracted, json, lambda, sam};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::source::{SourceFile, Span};
use crate::syntax::hcl::embedded::{self, Lit, Seg};

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

/// How a table entry's value is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    /// A policy document of this kind.
    Document(PolicyKind),
    /// `AWS::Organizations::Policy` `Content`: its `Type` says the kind (SCP, RCP) or that it is
    /// not IAM's grammar at all (tag, backup, AI opt-out policies).
    Organizations,
    /// One resource-policy statement (`AWS::Events::EventBusPolicy` `Statement`).
    Statement,
}

/// The generated table (`data/cfn-policy-properties.tsv`, see `data/README.md`): every resource
/// property of the CloudFormation resource schemas that holds a policy document.
const GENERATED: &str = include_str!("../../data/cfn-policy-properties.tsv");

/// Policies the CloudFormation schemas do not describe: SAM's own resource types (their
/// properties as `samtranslator/model/sam_resources.py` and `model/api/api_generator.py` pass
/// them on: an API's `Policy` and `Domain.Policy` become the `AWS::ApiGateway::RestApi` and
/// `DomainNameV2` policies), and the `x-amazon-apigateway-policy` of an inline OpenAPI body,
/// which API Gateway reads as the API's resource policy.
const EXTRA_PROPERTIES: &[(&str, &str, PropertyKind)] = &[
    (
        "AWS::ApiGateway::RestApi",
        "Body.x-amazon-apigateway-policy",
        PropertyKind::Document(PolicyKind::Resource),
    ),
    (
        "AWS::Serverless::Api",
        "DefinitionBody.x-amazon-apigateway-policy",
        PropertyKind::Document(PolicyKind::Resource),
    ),
    (
        "AWS::Serverless::Api",
        "Domain.Policy",
        PropertyKind::Document(PolicyKind::Resource),
    ),
    (
        "AWS::Serverless::Api",
        "Policy",
        PropertyKind::Document(PolicyKind::Resource),
    ),
    (
        "AWS::Serverless::Function",
        "AssumeRolePolicyDocument",
        PropertyKind::Document(PolicyKind::Trust),
    ),
];

/// Every policy property: (resource type, property path, kind), sorted by type. A path's `.`
/// nests into an object, `*` is every item of a list.
pub fn policy_properties() -> &'static [(&'static str, &'static str, PropertyKind)] {
    static TABLE: std::sync::OnceLock<Vec<(&str, &str, PropertyKind)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<_> = GENERATED
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let mut f = l.split('\t');
                let (ty, path, kind) = (f.next(), f.next(), f.next());
                let kind = match kind {
                    Some("identity") => PropertyKind::Document(PolicyKind::Identity),
                    Some("trust") => PropertyKind::Document(PolicyKind::Trust),
                    Some("key") => PropertyKind::Document(PolicyKind::KeyPolicy),
                    Some("resource") => PropertyKind::Document(PolicyKind::Resource),
                    Some("endpoint") => PropertyKind::Document(PolicyKind::Endpoint),
                    Some("session") => PropertyKind::Document(PolicyKind::Session),
                    Some("organizations") => PropertyKind::Organizations,
                    Some("statement") => PropertyKind::Statement,
                    other => panic!("data/cfn-policy-properties.tsv: unknown kind {other:?}"),
                };
                (ty.unwrap_or_default(), path.unwrap_or_default(), kind)
            })
            .chain(EXTRA_PROPERTIES.iter().copied())
            .collect();
        v.sort_by_key(|e| e.0);
        v
    })
}

/// The policy properties of one resource type.
fn properties_of(ty: &str) -> &'static [(&'static str, &'static str, PropertyKind)] {
    let t = policy_properties();
    let start = t.partition_point(|e| e.0 < ty);
    let end = start + t[start..].partition_point(|e| e.0 == ty);
    &t[start..end]
}

/// Calls `f` on every value at `path` (`ResourcePolicy.PolicyDocument`, `Replicas.*.Policy`).
fn at_path(node: &mut Node, path: &str, f: &mut dyn FnMut(&mut Node)) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    if head == "*" {
        for item in node.items_mut() {
            match rest {
                Some(r) => at_path(item, r, f),
                None => f(item),
            }
        }
        return;
    }
    let Some(v) = node.get_mut(head) else {
        return;
    };
    match rest {
        Some(r) => at_path(v, r, f),
        None => f(v),
    }
}

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
        // PolicyDocument: !Sub '{"Statement": [… "${Bucket}" …]}', or the same text cut into
        // the parts of a `!Join`
        if let Some(parsed) = self
            .sub_document(value)
            .or_else(|| self.join_document(value))
        {
            value.take();
            if let Some(root) = parsed {
                self.push(
                    PolicyDocument::build(self.file, root, kind, Some(owner)),
                    owner_span,
                );
            }
            return;
        }
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

    /// One resource-policy statement (an object), taken from the tree.
    pub fn statement(&mut self, value: &mut Node, owner: String, owner_span: Span) {
        let mut resolved = value.take();
        intrinsic::resolve_in_place(&mut resolved, self.dialect);
        if !matches!(resolved.value, Value::Object(_)) {
            return;
        }
        let doc = PolicyDocument::from_statements(
            self.file,
            resolved.span,
            resolved,
            PolicyKind::Resource,
            Some(owner),
        );
        self.push(doc, owner_span);
    }

    fn push(&mut self, mut doc: PolicyDocument, owner_span: Span) {
        doc.owner_span = Some(owner_span);
        doc.own_account_vars = self.own_account_vars();
        self.out.documents.push(doc);
    }

    /// A policy written as JSON text in `Fn::Sub` (`!Sub '{"Statement": …}'`, or the long form,
    /// with or without a variable map): `Some` when `value` is one, holding the document (`None`
    /// inside when it does not parse). `${Name}` parts are unknown values (a name the map gives
    /// a literal is that literal), `${!Literal}` is text, spans point into the template.
    fn sub_document(&mut self, value: &Node) -> Option<Option<Node>> {
        let [e] = value.entries()? else {
            return None;
        };
        if e.key.name.as_str() != "Fn::Sub" || self.dialect != Dialect::CloudFormation {
            return None;
        }
        let (template, map) = match &e.value.value {
            Value::Str(_) => (&e.value, None),
            Value::Array(items) if (1..=2).contains(&items.len()) => (&items[0], items.get(1)),
            _ => return None,
        };
        let text = template.literal()?;
        if !text.trim_start().starts_with('{') {
            return None;
        }
        let (body, base) = self.raw_body(template, text)?;
        let vars: Vec<(String, String)> = map
            .and_then(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.name.to_string(), e.value.literal()?.to_string())))
            .collect();
        let segs = sub_segments(body, base, &vars);
        let parsed = embedded::parse(&segs);
        if let Some(e) = parsed.error {
            self.out.findings.push(
                super::input::INVALID_JSON
                    .finding(self.file, e.span, e.message)
                    .label("parsing of the policy in this `Fn::Sub` stopped here"),
            );
        }
        Some(parsed.root.filter(|r| matches!(r.value, Value::Object(_))))
    }

    /// A policy written as JSON text in `Fn::Join` (`{"Fn::Join": ["", ["{\"Statement\": …",
    /// {"Ref": "Bucket"}, "…}"]]}`, or `!Join`): `Some` when `value` is one whose text starts
    /// with `{`, holding the document (`None` inside when it does not parse). Literal parts keep
    /// their spans in the template (each character where it is written, escapes included);
    /// other parts (`!Ref`, `!GetAtt`, `!Sub` with variables) are unknown values.
    fn join_document(&mut self, value: &Node) -> Option<Option<Node>> {
        let [e] = value.entries()? else {
            return None;
        };
        if e.key.name.as_str() != "Fn::Join" || self.dialect != Dialect::CloudFormation {
            return None;
        }
        let Value::Array(args) = &e.value.value else {
            return None;
        };
        let [delim, list] = &args[..] else {
            return None;
        };
        let delim = delim.literal().map(|d| (d, delim.span))?;
        let Value::Array(items) = &list.value else {
            return None;
        };
        let mut segs = Vec::new();
        let mut lit = Lit::default();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                for c in delim.0.chars() {
                    lit.push(c, delim.1);
                }
            }
            if let Some(text) = item.literal() {
                self.literal_chars(item, text, &mut lit);
            } else {
                // !Ref X, !GetAtt X.Arn, !Sub 'arn:…:${X}': its literal text at the part,
                // the rest unknown; a part that is no string (a list) makes the text unknown.
                let resolved = intrinsic::resolve(item, self.dialect);
                for p in resolved.text()?.parts.iter() {
                    match p {
                        Part::Lit(s) => s.chars().for_each(|c| lit.push(c, item.span)),
                        Part::Var(name) => {
                            segs.push(Seg::Lit(std::mem::take(&mut lit)));
                            segs.push(Seg::Var(name.clone(), item.span));
                        }
                    }
                }
            }
            // The text must read as JSON from its first literal character.
            if i == 0 && !lit.text.trim_start().starts_with('{') {
                return None;
            }
        }
        segs.push(Seg::Lit(lit));
        let parsed = embedded::parse(&segs);
        if let Some(e) = parsed.error {
            self.out.findings.push(
                super::input::INVALID_JSON
                    .finding(self.file, e.span, e.message)
                    .label("parsing of the policy in this `Fn::Join` stopped here"),
            );
        }
        Some(parsed.root.filter(|r| matches!(r.value, Value::Object(_))))
    }

    /// Appends the characters of the string `node` (whose value is `text`) with where each is
    /// written: a quoted string's escapes (`\"`, YAML's `''`) map to their escape sequence, a
    /// plain scalar to itself; a string written otherwise maps every character to the whole token.
    fn literal_chars(&self, node: &Node, text: &str, lit: &mut Lit) {
        let raw = self.file.slice(node.span);
        let start = node.span.start as usize;
        let mut chars = Vec::new();
        let decoded = match raw.as_bytes().first() {
            Some(b'"') if raw.len() >= 2 => {
                embedded::quoted_chars(&raw[1..raw.len() - 1], start + 1, false, &mut chars)
                    .is_some()
            }
            Some(b'\'') if raw.len() >= 2 => {
                single_quoted_chars(&raw[1..raw.len() - 1], start + 1, &mut chars);
                true
            }
            _ if raw == text => {
                lit.push_str(text, start);
                return;
            }
            _ => false,
        };
        if decoded && chars.iter().map(|&(c, _)| c).eq(text.chars()) {
            for (c, s) in chars {
                lit.push(c, s);
            }
        } else {
            text.chars().for_each(|c| lit.push(c, node.span));
        }
    }

    /// The file text of a string node whose value is `value`, and its offset: a block scalar's
    /// lines (indentation and folding only change white space, which JSON ignores), a quoted
    /// string without escapes, or a plain scalar.
    fn raw_body(&self, node: &Node, value: &str) -> Option<(&str, usize)> {
        let raw = self.file.slice(node.span);
        let start = node.span.start as usize;
        match raw.as_bytes().first()? {
            b'\'' | b'"' if raw.len() >= 2 && &raw[1..raw.len() - 1] == value => {
                Some((&raw[1..raw.len() - 1], start + 1))
            }
            b'|' | b'>' => {
                let nl = raw.find('\n')?;
                let body = &raw[nl + 1..];
                let dense = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                (dense(body) == dense(value)).then_some((body, start + nl + 1))
            }
            _ if raw == value => Some((raw, start)),
            _ => None,
        }
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

/// Characters of a YAML single-quoted string's inside written at `start`: `''` is one `'`.
fn single_quoted_chars(raw: &str, start: usize, out: &mut Vec<(char, Span)>) {
    let mut it = raw.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let at = start + i;
        if c == '\'' && it.peek().is_some_and(|&(_, n)| n == '\'') {
            it.next();
            out.push((c, Span::new(at, at + 2)));
            continue;
        }
        out.push((c, Span::new(at, at + c.len_utf8())));
    }
}

/// A `Fn::Sub` template's text written at `base` cut into literal text and `${…}` parts for
/// [`embedded::parse`]. `${!Literal}` is the text `${Literal}`; a `${Name}` that `vars` gives a
/// literal is that text (each character written where `${Name}` is); AWS's dynamic references
/// `{{resolve:ssm:…}}` are unknown values too.
fn sub_segments(body: &str, base: usize, vars: &[(String, String)]) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut lit = Lit::default();
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        let dollar = rest.find("${");
        let resolve = rest.find("{{resolve:");
        let Some(at) = [dollar, resolve].into_iter().flatten().min() else {
            lit.push_str(rest, base + i);
            break;
        };
        lit.push_str(&rest[..at], base + i);
        let start = i + at;
        let is_ref = resolve == Some(at);
        let close = if is_ref { "}}" } else { "}" };
        let Some(end) = body[start + 2..]
            .find(close)
            .map(|e| start + 2 + e + close.len())
        else {
            lit.push_str(&body[start..], base + start);
            break;
        };
        let span = Span::new(base + start, base + end);
        let inner = &body[start + 2..end - close.len()];
        if !is_ref && inner.starts_with('!') {
            // ${!Literal} → ${Literal}
            lit.push('$', Span::new(base + start, base + start + 1));
            lit.push('{', Span::new(base + start + 1, base + start + 3));
            lit.push_str(&body[start + 3..end], base + start + 3);
        } else if let Some((_, v)) = vars.iter().find(|(n, _)| !is_ref && n == inner.trim()) {
            for c in v.chars() {
                lit.push(c, span);
            }
        } else {
            segs.push(Seg::Lit(std::mem::take(&mut lit)));
            let name = if is_ref {
                body[start..end].to_string()
            } else {
                inner.trim().to_string()
            };
            segs.push(Seg::Var(name, span));
        }
        i = end;
    }
    segs.push(Seg::Lit(lit));
    segs
}

/// Extracts every policy of a template, taking the documents from its tree.
pub fn extract(file: &Arc<SourceFile>, root: &mut Node, out: &mut Extracted) {
    // SAM's `Globals: Function: PermissionsBoundary` applies to every function of the template.
    let has_function = root
        .get("Resources")
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .any(|r| resource_type(&r.value) == Some("AWS::Serverless::Function"));
    let global_boundary = root
        .get("Globals")
        .and_then(|g| g.get("Function"))
        .and_then(|f| f.get("PermissionsBoundary"))
        .filter(|_| has_function)
        .cloned();
    if let Some(resources) = root.get_mut("Resources") {
        let mut sink = Sink {
            file,
            out,
            dialect: Dialect::CloudFormation,
        };
        resources_policies(&mut sink, resources, global_boundary.as_ref());
    }
}

/// Types whose `PermissionsBoundary` names the managed policy that bounds them.
const BOUNDED: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::Serverless::Function",
    "AWS::Serverless::StateMachine",
];

/// A managed policy of the template: its logical id and its `ManagedPolicyName` when literal.
struct Managed<'a> {
    id: &'a str,
    name: Option<&'a str>,
}

/// The `AWS::IAM::ManagedPolicy` of `managed` (its index) a value names: `!Ref P` (a managed
/// policy's `Ref` is its ARN), `!GetAtt P.PolicyArn`, or an ARN (`!Sub`, `!Join`) ending in
/// `:policy/NAME` where `NAME` is the policy's literal `ManagedPolicyName`.
fn managed_policy_ref(value: &Node, managed: &[Managed]) -> Option<usize> {
    let by_id = |id: &str| managed.iter().position(|m| m.id == id);
    if let Some([e]) = value.entries() {
        match (e.key.name.as_str(), &e.value.value) {
            ("Ref", _) => return by_id(e.value.literal()?),
            ("Fn::GetAtt", Value::Array(parts)) if parts.len() == 2 => {
                return (parts[1].literal()? == "PolicyArn")
                    .then(|| by_id(parts[0].literal()?))
                    .flatten();
            }
            ("Fn::GetAtt", _) => return by_id(e.value.literal()?.strip_suffix(".PolicyArn")?),
            _ => {}
        }
    }
    // arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/boundaries/app-boundary
    let resolved = intrinsic::resolve(value, Dialect::CloudFormation);
    let Some(Part::Lit(last)) = resolved.text()?.parts.last() else {
        return None;
    };
    let (_, path) = last.rsplit_once(":policy/")?;
    let name = path.rsplit('/').next()?;
    managed.iter().position(|m| m.name == Some(name))
}

/// The managed policies of the template that are permissions boundaries and nothing else: named
/// by a role's, user's or SAM function's `PermissionsBoundary` (or by `global_boundary`, SAM's
/// `Globals` or a Serverless service role's, set outside `Resources`), and attached to no one
/// (`Roles`/`Users`/`Groups` of the policy, `ManagedPolicyArns`, SAM `Policies`): a boundary
/// grants nothing, an attached policy does.
fn boundary_policies(resources: &Node, global_boundary: Option<&Node>) -> Vec<String> {
    let entries = resources.entries().unwrap_or_default();
    let managed: Vec<Managed> = entries
        .iter()
        .filter(|r| resource_type(&r.value) == Some("AWS::IAM::ManagedPolicy"))
        .map(|r| Managed {
            id: r.key.name.as_str(),
            name: r
                .value
                .get("Properties")
                .and_then(|p| p.get("ManagedPolicyName"))
                .and_then(Node::literal),
        })
        .collect();
    if managed.is_empty() {
        return Vec::new();
    }
    let mut bounds: Vec<usize> = Vec::new();
    let mut attached: Vec<usize> = Vec::new();
    bounds.extend(global_boundary.and_then(|b| managed_policy_ref(b, &managed)));
    for r in entries {
        let ty = resource_type(&r.value).unwrap_or_default();
        let Some(props) = r.value.get("Properties") else {
            continue;
        };
        if BOUNDED.contains(&ty)
            && let Some(i) = props
                .get("PermissionsBoundary")
                .and_then(|b| managed_policy_ref(b, &managed))
        {
            bounds.push(i);
        }
        // An IAM Identity Center permission set names customer managed policies by name: as its
        // boundary, and as policies it attaches.
        if ty == "AWS::SSO::PermissionSet" {
            let by_name = |r: &Node| {
                let name = r.get("Name").and_then(Node::literal)?;
                managed.iter().position(|m| m.name == Some(name))
            };
            bounds.extend(
                props
                    .get("PermissionsBoundary")
                    .and_then(|b| b.get("CustomerManagedPolicyReference"))
                    .and_then(by_name),
            );
            for r in props
                .get("CustomerManagedPolicyReferences")
                .map(Node::items)
                .unwrap_or_default()
            {
                attached.extend(by_name(r));
            }
        }
        if ty == "AWS::IAM::ManagedPolicy"
            && ["Roles", "Users", "Groups"]
                .iter()
                .any(|k| props.get(k).is_some_and(|v| !v.items().is_empty()))
        {
            attached.extend(managed.iter().position(|m| m.id == r.key.name.as_str()));
        }
        for list in ["ManagedPolicyArns", "Policies"] {
            for item in props.get(list).map(Node::items).unwrap_or_default() {
                attached.extend(managed_policy_ref(item, &managed));
            }
        }
    }
    bounds.retain(|b| !attached.contains(b));
    bounds
        .into_iter()
        .map(|i| managed[i].id.to_string())
        .collect()
}

/// The policies in a `Resources` map (a template's, or `resources.Resources` in serverless.yml).
pub(crate) fn resources_policies(
    sink: &mut Sink,
    resources: &mut Node,
    global_boundary: Option<&Node>,
) {
    let boundaries = boundary_policies(resources, global_boundary);
    let declared = declared_targets(resources);
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
        for &(_, path, kind) in properties_of(ty) {
            let kind = match kind {
                // A managed policy set as a permissions boundary (see `boundary_policies`).
                PropertyKind::Document(PolicyKind::Identity)
                    if ty == "AWS::IAM::ManagedPolicy"
                        && boundaries.iter().any(|b| *b == *id.name) =>
                {
                    PolicyKind::Boundary
                }
                PropertyKind::Document(k) => k,
                PropertyKind::Organizations => {
                    match props.get("Type").and_then(Node::literal) {
                        Some("SERVICE_CONTROL_POLICY") => PolicyKind::Scp,
                        Some("RESOURCE_CONTROL_POLICY") => PolicyKind::Rcp,
                        // Tag, backup, AI-services opt-out policies: not IAM's grammar.
                        _ => continue,
                    }
                }
                PropertyKind::Statement => {
                    if let Some(v) = props.get_mut(path) {
                        sink.statement(v, owner.clone(), id.span);
                    }
                    continue;
                }
            };
            let before = sink.out.documents.len();
            at_path(props, path, &mut |v| {
                sink.document(v, kind, owner.clone(), id.span);
            });
            // The bucket, queues, topics or secret the policy is attached to.
            if let Some(att) = attached_to(props, ty, &declared, sink.dialect) {
                for d in &mut sink.out.documents[before..] {
                    d.attached_to = Some(att.clone());
                }
            }
        }
        match ty {
            // Policies: [{PolicyName: …, PolicyDocument: {…}}]
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                // ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess, !Ref Policy]
                if let Some(arns) = props.get("ManagedPolicyArns") {
                    super::attach_each(sink.out, arns, sink.dialect, &owner, id.span, false);
                }
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
                if let Some(events) = props.get_mut("Events") {
                    sam_api_events(sink, events, &owner, id.span);
                }
            }
            // An IAM Identity Center permission set: the AWS managed policies it attaches to
            // the roles it makes in every account it is assigned to.
            "AWS::SSO::PermissionSet" => {
                if let Some(arns) = props.get("ManagedPolicies") {
                    super::attach_each(sink.out, arns, sink.dialect, &owner, id.span, false);
                }
            }
            "AWS::Lambda::Permission" | "AWS::Lambda::LayerVersionPermission" => {
                lambda_permission(sink, props, ty, owner.clone(), id.span);
            }
            "AWS::Serverless::Api" => {
                if let Some(rp) = props.get("Auth").and_then(|a| a.get("ResourcePolicy")) {
                    let owner = format!("{owner}, Auth.ResourcePolicy");
                    sam_resource_policy(sink, rp, owner, id.span);
                }
            }
            _ => {}
        }
    }
}

/// The resource-policy statement Lambda writes for an `AWS::Lambda::Permission` or
/// `AWS::Lambda::LayerVersionPermission` ([`lambda`]).
fn lambda_permission(sink: &mut Sink, props: &Node, ty: &str, owner: String, owner_span: Span) {
    let dialect = sink.dialect;
    let get = |name: &str| {
        props.entry(name).map(|e| lambda::Field {
            key: e.key.span,
            value: intrinsic::resolve(&e.value, dialect),
        })
    };
    let mut p = lambda::Permission::read(&lambda::CLOUDFORMATION, &get);
    if ty == "AWS::Lambda::LayerVersionPermission" {
        p.principal_org_id = get("OrganizationId");
        p.resource = get("LayerVersionArn").map(|f| f.value);
    } else {
        p.resource = get("FunctionName").map(|f| lambda::function_arn(&f.value));
    }
    let statement = p.statement(props.span, owner_span);
    let doc = PolicyDocument::from_statements(
        sink.file,
        owner_span,
        statement,
        PolicyKind::Resource,
        Some(owner),
    );
    sink.push(doc, owner_span);
}

/// A resource type whose policy holder names the resources it applies to: the holder's
/// property that names them, the type of those resources, and how the template refers to one
/// (`(suffix, denotes the ARN)`: `""` is `!Ref X`, `".Arn"` is `!GetAtt X.Arn`).
struct HolderOf {
    holder: &'static str,
    property: &'static str,
    target: &'static str,
    refs: &'static [(&'static str, bool)],
}

/// The policy holders whose targets `resource-outside-policy-resource` compares. An S3 bucket
/// policy's `Bucket` is read as written (no resource type: a bucket's name is compared).
const HOLDERS: &[HolderOf] = &[
    HolderOf {
        holder: "AWS::S3::BucketPolicy",
        property: "Bucket",
        target: "",
        refs: &[],
    },
    // `Queues` are URLs: `!Ref Queue` (or `!GetAtt Queue.QueueUrl`); the ARN is `Queue.Arn`.
    HolderOf {
        holder: "AWS::SQS::QueuePolicy",
        property: "Queues",
        target: "AWS::SQS::Queue",
        refs: QUEUE_REFS,
    },
    HolderOf {
        holder: "AWS::SQS::QueueInlinePolicy",
        property: "Queue",
        target: "AWS::SQS::Queue",
        refs: QUEUE_REFS,
    },
    // A topic's `Ref` is its ARN, as is `!GetAtt Topic.TopicArn`.
    HolderOf {
        holder: "AWS::SNS::TopicPolicy",
        property: "Topics",
        target: "AWS::SNS::Topic",
        refs: TOPIC_REFS,
    },
    HolderOf {
        holder: "AWS::SNS::TopicInlinePolicy",
        property: "TopicArn",
        target: "AWS::SNS::Topic",
        refs: TOPIC_REFS,
    },
    // A secret's `Ref` is its ARN, as is `!GetAtt Secret.Id`.
    HolderOf {
        holder: "AWS::SecretsManager::ResourcePolicy",
        property: "SecretId",
        target: "AWS::SecretsManager::Secret",
        refs: &[("", true), (".Id", true)],
    },
];
const QUEUE_REFS: &[(&str, bool)] = &[("", false), (".QueueUrl", false), (".Arn", true)];
const TOPIC_REFS: &[(&str, bool)] = &[("", true), (".TopicArn", true)];

/// The template's resources whose type some holder of [`HOLDERS`] attaches to: `(id, type)`.
fn declared_targets(resources: &Node) -> Vec<(String, &'static str)> {
    let Some(entries) = resources.entries() else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| {
            let ty = resource_type(&e.value)?;
            let h = HOLDERS
                .iter()
                .find(|h| !h.target.is_empty() && h.target == ty)?;
            Some((e.key.name.to_string(), h.target))
        })
        .collect()
}

/// What the policy of holder type `ty` is attached to: each item of its targets property,
/// as a resource of this template when it is a reference to one, else as written.
fn attached_to(
    props: &Node,
    ty: &str,
    declared: &[(String, &'static str)],
    dialect: Dialect,
) -> Option<crate::policy::attached::AttachedTo> {
    use crate::policy::attached::{Attached, AttachedTo, Target};
    let h = HOLDERS.iter().find(|h| h.holder == ty)?;
    let value = intrinsic::resolve(props.get(h.property)?, dialect);
    // `(reference, id)` for every resource of the target type; only the ARN ones with `arns`.
    let named = |arns: bool| -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (id, _) in declared.iter().filter(|(_, t)| *t == h.target) {
            for (suffix, arn) in h.refs {
                if *arn || !arns {
                    out.push((format!("{id}{suffix}"), id.clone()));
                }
            }
        }
        out
    };
    let target_refs = named(false);
    let targets = value
        .items()
        .iter()
        .filter_map(|item| {
            let text = item.text()?;
            let target = text
                .var_name()
                .and_then(|v| target_refs.iter().find(|(r, _)| r == v))
                .map_or_else(
                    || Target::Written(text.clone()),
                    |(_, id)| Target::Resource(id.clone()),
                );
            Some(Attached {
                target,
                span: item.span,
            })
        })
        .collect();
    Some(AttachedTo {
        targets,
        arn_refs: named(true),
        holder: None,
    })
}

/// SAM `Policies`: a managed policy name or ARN, an inline document, a policy template, or a list
/// of those.
fn sam_policies(sink: &mut Sink, policies: &mut Node, owner: &str, owner_span: Span) {
    for p in policies.items_mut() {
        intrinsic::resolve_shallow(p, sink.dialect);
        let Some(entries) = p.entries() else {
            // AWSLambdaBasicExecutionRole, arn:aws:iam::aws:policy/…, !Ref PolicyArn: SAM
            // takes a bare name for the AWS managed policy of that name.
            super::attach_each(sink.out, p, sink.dialect, owner, owner_span, true);
            continue;
        };
        // {Statement: [...]}
        if p.get("Statement").is_some() {
            sink.document(p, PolicyKind::Identity, owner.to_string(), owner_span);
            continue;
        }
        // {KMSDecryptPolicy: {KeyId: !Ref Key}}
        if let [e] = entries
            && let Some(mut doc) = sam::expand(&e.key, &e.value)
        {
            let before = sink.out.documents.len();
            sink.document(
                &mut doc,
                PolicyKind::Identity,
                format!("{owner}, {}", e.key.name),
                owner_span,
            );
            // SAM writes the expanded document: its shape and its text (at the template's
            // name) are not the author's to fix; the values the author gave keep their spans.
            for d in &mut sink.out.documents[before..] {
                d.implicit = true;
                d.generated.push(e.key.span);
            }
        }
    }
}

/// `Auth.ResourcePolicy` of a function's `Api` events: SAM adds it to the API's resource policy.
fn sam_api_events(sink: &mut Sink, events: &mut Node, owner: &str, owner_span: Span) {
    for e in events.entries_mut().unwrap_or_default() {
        if e.value.get("Type").and_then(Node::literal) != Some("Api") {
            continue;
        }
        let Some(rp) = e
            .value
            .get("Properties")
            .and_then(|p| p.get("Auth"))
            .and_then(|a| a.get("ResourcePolicy"))
        else {
            continue;
        };
        let owner = format!("{owner}, event {} Auth.ResourcePolicy", e.key.name);
        sam_resource_policy(sink, rp, owner, owner_span);
    }
}

/// The resource policy SAM writes for an `Auth.ResourcePolicy` ([`sam::api_resource_policy`]).
fn sam_resource_policy(sink: &mut Sink, rp: &Node, owner: String, owner_span: Span) {
    let rp = intrinsic::resolve(rp, sink.dialect);
    let Some(mut doc) = sam::api_resource_policy(&rp) else {
        return;
    };
    let before = sink.out.documents.len();
    sink.document(&mut doc, PolicyKind::Resource, owner, owner_span);
    // SAM writes the document and its `Version`.
    for d in &mut sink.out.documents[before..] {
        d.implicit = true;
    }
}
