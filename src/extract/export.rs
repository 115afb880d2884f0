//! Policies exported from AWS: `aws iam get-account-authorization-details` output and the AWS
//! CLI outputs that hold a policy as a JSON string (`aws s3api get-bucket-policy`,
//! `aws kms get-key-policy`, `aws lambda get-policy`, `aws sqs get-queue-attributes`,
//! `aws secretsmanager get-resource-policy`, `aws iam get-role` as the IAM API writes it, with
//! URL-encoded documents).
//!
//! A policy held as a JSON string is parsed inside the string ([`string_policy`]): every
//! character of the decoded text keeps the file bytes it was written as (`\"` is two bytes, a
//! URL-encoded `%22` three, a `%E2%82%AC` nine), so findings point at the token inside the
//! export, not at the whole string.

use std::sync::Arc;

use super::{Extracted, Unread};
use crate::policy::{PolicyDocument, PolicyKind, infer_kind};
use crate::source::{SourceFile, Span};
use crate::syntax::hcl::embedded::{self, Lit, Seg};
use crate::syntax::tree::{Node, Value};

/// Reads `root` when it is an export this module knows; `false` leaves it to the bare-policy
/// reader (CLI outputs whose documents are objects, `get-role` as the CLI prints it).
pub fn extract(file: &Arc<SourceFile>, root: &mut Node, out: &mut Extracted) -> bool {
    let mut cx = Cx { file, out };
    if is_authorization_details(root) {
        cx.authorization_details(root);
        return true;
    }
    cx.cli_strings(root)
}

/// `get-account-authorization-details`: one of its four lists at the top.
fn is_authorization_details(root: &Node) -> bool {
    ["UserDetailList", "GroupDetailList", "RoleDetailList"]
        .iter()
        .any(|k| matches!(root.get(k).map(|n| &n.value), Some(Value::Array(_))))
        || root.get("Policies").is_some_and(|p| {
            p.items()
                .iter()
                .any(|i| i.get("PolicyVersionList").is_some())
        })
}

struct Cx<'a> {
    file: &'a Arc<SourceFile>,
    out: &'a mut Extracted,
}

impl Cx<'_> {
    /// Every role's trust policy and inline policies, every user's and group's inline policies,
    /// and the default version of every customer managed policy (AWS managed ones, listed when
    /// the export was asked for them, are AWS's to fix).
    fn authorization_details(&mut self, root: &mut Node) {
        for (list, who, inline) in [
            ("UserDetailList", "user", "UserPolicyList"),
            ("GroupDetailList", "group", "GroupPolicyList"),
            ("RoleDetailList", "role", "RolePolicyList"),
        ] {
            let Some(entities) = root.get_mut(list) else {
                continue;
            };
            for e in entities.items_mut() {
                let name_key = match who {
                    "user" => "UserName",
                    "group" => "GroupName",
                    _ => "RoleName",
                };
                let (name, name_span) = named(e, name_key);
                let owner = format!("{who} {name}");
                if who == "role"
                    && let Some(doc) = e.get_mut("AssumeRolePolicyDocument")
                {
                    self.document(doc, Some(PolicyKind::Trust), &owner, name_span);
                }
                let Some(policies) = e.get_mut(inline) else {
                    continue;
                };
                for p in policies.items_mut() {
                    let (pname, _) = named(p, "PolicyName");
                    let owner = format!("{owner} (inline policy {pname})");
                    if let Some(doc) = p.get_mut("PolicyDocument") {
                        self.document(doc, Some(PolicyKind::Identity), &owner, name_span);
                    }
                }
            }
        }
        let Some(policies) = root.get_mut("Policies") else {
            return;
        };
        for p in policies.items_mut() {
            if p.get("Arn")
                .and_then(Node::literal)
                .is_some_and(|a| a.contains(":iam::aws:policy/"))
            {
                continue;
            }
            let (name, name_span) = named(p, "PolicyName");
            let Some(versions) = p.get_mut("PolicyVersionList") else {
                continue;
            };
            for v in versions.items_mut() {
                if !matches!(
                    v.get("IsDefaultVersion").map(|n| &n.value),
                    Some(Value::Bool(true))
                ) {
                    continue;
                }
                let version = v.get("VersionId").and_then(Node::literal).unwrap_or("?");
                let owner = format!("managed policy {name} ({version})");
                if let Some(doc) = v.get_mut("Document") {
                    self.document(doc, Some(PolicyKind::Identity), &owner, name_span);
                }
            }
        }
    }

    /// CLI outputs whose policy is a JSON string; `false` when `root` is none of them.
    fn cli_strings(&mut self, root: &mut Node) -> bool {
        let is_str = |n: Option<&Node>| n.is_some_and(|n| matches!(n.value, Value::Str(_)));
        // aws s3api get-bucket-policy, aws kms get-key-policy (with `PolicyName`), aws lambda
        // get-policy (with `RevisionId`)
        if is_str(root.get("Policy")) {
            let key = root.get("PolicyName").is_some();
            let (owner, span) = match root.get("PolicyName") {
                Some(_) => (
                    "key policy".to_string(),
                    root.entry("Policy").map(|e| e.key.span),
                ),
                None => (
                    "policy".to_string(),
                    root.entry("Policy").map(|e| e.key.span),
                ),
            };
            let doc = root.get_mut("Policy").expect("checked");
            let kind = if key {
                Some(PolicyKind::KeyPolicy)
            } else {
                None
            };
            self.document(doc, kind.or(Some(PolicyKind::Resource)), &owner, span);
            return true;
        }
        // aws sqs get-queue-attributes, aws sns get-topic-attributes
        if let Some(attrs) = root.get_mut("Attributes")
            && is_str(attrs.get("Policy"))
        {
            let span = attrs.entry("Policy").map(|e| e.key.span);
            let doc = attrs.get_mut("Policy").expect("checked");
            self.document(doc, Some(PolicyKind::Resource), "Attributes.Policy", span);
            return true;
        }
        // aws secretsmanager get-resource-policy
        if is_str(root.get("ResourcePolicy")) {
            let (name, span) = named(root, "Name");
            let doc = root.get_mut("ResourcePolicy").expect("checked");
            self.document(
                doc,
                Some(PolicyKind::Resource),
                &format!("secret {name}"),
                span,
            );
            return true;
        }
        // aws iam get-role, get-role-policy, get-user-policy, get-group-policy,
        // get-policy-version as the IAM API writes them (URL-encoded strings).
        let mut any = false;
        if let Some(role) = root.get_mut("Role")
            && is_str(role.get("AssumeRolePolicyDocument"))
        {
            let (name, span) = named(role, "RoleName");
            let doc = role.get_mut("AssumeRolePolicyDocument").expect("checked");
            self.document(doc, Some(PolicyKind::Trust), &format!("role {name}"), span);
            any = true;
        }
        if let Some(version) = root.get_mut("PolicyVersion")
            && is_str(version.get("Document"))
        {
            let doc = version.get_mut("Document").expect("checked");
            self.document(doc, Some(PolicyKind::Identity), "policy version", None);
            any = true;
        }
        if is_str(root.get("PolicyDocument")) {
            let (name, span) = named(root, "PolicyName");
            let doc = root.get_mut("PolicyDocument").expect("checked");
            self.document(
                doc,
                Some(PolicyKind::Identity),
                &format!("inline policy {name}"),
                span,
            );
            any = true;
        }
        any
    }

    /// Builds the document at `value` (an object, or a JSON string, plain or URL-encoded), taken
    /// from the tree. `kind` `Resource` gives way to a key policy when the content says so.
    fn document(
        &mut self,
        value: &mut Node,
        kind: Option<PolicyKind>,
        owner: &str,
        owner_span: Option<Span>,
    ) {
        let root = match &value.value {
            Value::Object(_) => value.take(),
            Value::Str(_) => {
                let Some(r) = string_policy(self.file, value, self.out) else {
                    self.out.unread.push(Unread {
                        file: self.file.clone(),
                        span: value.span,
                        what: format!("the policy of {owner} is a string that is not JSON"),
                    });
                    return;
                };
                r
            }
            _ => return,
        };
        let kind = match kind {
            Some(PolicyKind::Resource) if infer_kind(&root) == PolicyKind::KeyPolicy => {
                PolicyKind::KeyPolicy
            }
            Some(k) => k,
            None => infer_kind(&root),
        };
        let mut doc = PolicyDocument::build(self.file, root, kind, Some(owner.to_string()));
        doc.owner_span = owner_span;
        self.out.documents.push(doc);
    }
}

/// The literal of `key` in `n` and the span of that value (`?` when absent).
fn named(n: &Node, key: &str) -> (String, Option<Span>) {
    match n.get(key) {
        Some(v) => (v.literal().unwrap_or("?").to_string(), Some(v.span)),
        None => ("?".to_string(), None),
    }
}

/// The policy written as JSON inside the JSON string `node` of `file` (plain, or URL-encoded as
/// the IAM API returns documents), with every span inside the string. `None` when the string
/// holds no JSON object; a JSON syntax error inside it is `invalid-json` at its place.
pub fn string_policy(file: &Arc<SourceFile>, node: &Node, out: &mut Extracted) -> Option<Node> {
    let chars = string_chars(file, node)?;
    let first = chars.iter().map(|&(c, _)| c).find(|c| !c.is_whitespace())?;
    let chars = match first {
        '{' => chars,
        '%' => url_decode(&chars)?,
        _ => return None,
    };
    if chars.iter().map(|&(c, _)| c).find(|c| !c.is_whitespace()) != Some('{') {
        return None;
    }
    let parsed = embedded::parse(&[Seg::Lit(Lit::from_chars(&chars))]);
    if let Some(e) = parsed.error {
        out.findings.push(
            super::input::INVALID_JSON
                .finding(file, e.span, e.message)
                .label("parsing of the policy in this string stopped here"),
        );
    }
    parsed.root.filter(|r| matches!(r.value, Value::Object(_)))
}

/// The characters of a JSON string token of `file` and the file bytes each was written as.
fn string_chars(file: &SourceFile, node: &Node) -> Option<Vec<(char, Span)>> {
    let raw = file.slice(node.span);
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut chars = Vec::new();
    embedded::quoted_chars(inner, node.span.start as usize + 1, false, &mut chars)?;
    Some(chars)
}

/// Percent-decodes characters: the bytes of `%XX` runs are UTF-8, each decoded character
/// written as the whole run of its bytes (`%E2%82%AC` is one `€` from nine characters). `+`
/// stays `+` (IAM encodes a space as `%20`). `None` for a `%` not followed by two hex digits or
/// bytes that are not UTF-8.
fn url_decode(chars: &[(char, Span)]) -> Option<Vec<(char, Span)>> {
    let hex = |c: char| c.to_digit(16);
    let byte_at = |i: usize| -> Option<(u8, Span)> {
        let (h, hi) = chars.get(i + 1)?;
        let (l, lo) = chars.get(i + 2)?;
        let b = u8::try_from(hex(*h)? * 16 + hex(*l)?).ok()?;
        Some((b, chars[i].1.cover(*hi).cover(*lo)))
    };
    let mut out = Vec::with_capacity(chars.len() / 3);
    let mut i = 0;
    while i < chars.len() {
        let (c, span) = chars[i];
        if c != '%' {
            out.push((c, span));
            i += 1;
            continue;
        }
        let (lead, first) = byte_at(i)?;
        let len = match lead {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return None,
        };
        let mut bytes = vec![lead];
        let mut whole = first;
        for k in 1..len {
            if chars.get(i + 3 * k).map(|&(c, _)| c) != Some('%') {
                return None;
            }
            let (b, s) = byte_at(i + 3 * k)?;
            bytes.push(b);
            whole = whole.cover(s);
        }
        let decoded = std::str::from_utf8(&bytes).ok()?.chars().next()?;
        out.push((decoded, whole));
        i += 3 * len;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<(char, Span)> {
        s.char_indices()
            .map(|(i, c)| (c, Span::new(i, i + c.len_utf8())))
            .collect()
    }

    #[test]
    fn each_decoded_character_spans_its_encoded_bytes() {
        let d = url_decode(&chars("%7B%22a%22%3A%E2%82%AC+x")).unwrap();
        let text: String = d.iter().map(|&(c, _)| c).collect();
        assert_eq!(text, "{\"a\":€+x");
        assert_eq!(d[0].1, Span::new(0, 3));
        assert_eq!(d[2].1, Span::new(6, 7));
        assert_eq!(d[5].1, Span::new(13, 22));
        assert_eq!(d[6].1, Span::new(22, 23));
        assert!(url_decode(&chars("%7")).is_none());
        assert!(url_decode(&chars("%E2%82")).is_none());
        assert!(url_decode(&chars("%FF")).is_none());
    }

    #[test]
    fn policies_inside_strings_point_inside_them() {
        let text =
            r#"{"Policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObjekt\"}]}"}"#;
        let file = SourceFile::new("p.json".into(), text.to_string());
        let root = crate::syntax::json::parse(text, 0).unwrap().unwrap();
        let mut out = Extracted::default();
        let doc = string_policy(&file, root.get("Policy").unwrap(), &mut out).unwrap();
        let action = doc.get("Statement").unwrap().items()[0]
            .get("Action")
            .unwrap();
        assert_eq!(file.slice(action.span), r#"\"s3:GetObjekt\""#);
        let encoded = r#"{"Role": {"AssumeRolePolicyDocument": "%7B%22Statement%22%3A%5B%5D%7D"}}"#;
        let file = SourceFile::new("r.json".into(), encoded.to_string());
        let root = crate::syntax::json::parse(encoded, 0).unwrap().unwrap();
        let doc = root
            .get("Role")
            .unwrap()
            .get("AssumeRolePolicyDocument")
            .unwrap();
        let doc = string_policy(&file, doc, &mut out).unwrap();
        let st = doc.entry("Statement").unwrap();
        assert_eq!(file.slice(st.key.span), "%22Statement%22");
    }
}
