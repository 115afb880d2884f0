//! The raw-policy extractor: finds policy documents in parsed `.json` files (bare policies,
//! `PolicyDocument` wrappers, AWS CLI output).

pub use crate::syntax::json::{JsonError, parse};
use crate::syntax::tree::{Node, Value};

/// Does this object look like a policy document? It has `Statement`, and nothing that says it is
/// something else (a JSON schema describing policies has `properties`, not a statement list).
///
/// A `Statement` key alone is not enough (an accounting export has statements too): some
/// statement must be shaped like IAM's, with an `Allow`/`Deny` effect, an action written
/// `service:Action` or `*`, a principal, or an ARN resource. A statement list Terraform or a
/// template computes counts as a policy.
pub fn is_policy(n: &Node) -> bool {
    let Some(s) = n.get("Statement") else {
        return false;
    };
    if n.get("$schema").is_some() {
        return false;
    }
    match &s.value {
        Value::Array(items) => items.is_empty() || items.iter().any(statement_shaped),
        Value::Object(_) => statement_shaped(s),
        // {"Version": "2012-10-17", "Statement": null}: a broken policy, not another format.
        Value::Null => has_policy_version(n),
        _ => s.is_unknown(),
    }
}

/// `Version` is one of IAM's policy language versions: with it, an object is a policy even when
/// its statements are missing (which `missing-statement` reports).
fn has_policy_version(n: &Node) -> bool {
    n.get("Version")
        .and_then(Node::literal)
        .is_some_and(|v| v == "2012-10-17" || v == "2008-10-17")
}

/// Does this statement look like an IAM statement? Unknown values (computed by Terraform, an
/// intrinsic) count: nothing says otherwise.
fn statement_shaped(st: &Node) -> bool {
    let Some(entries) = st.entries() else {
        return st.is_unknown();
    };
    if entries.is_empty() {
        return true;
    }
    let text_like = |n: &Node, f: &dyn Fn(&str) -> bool| {
        let items = match &n.value {
            Value::Array(a) => a.as_slice(),
            _ => std::slice::from_ref(n),
        };
        items
            .iter()
            .any(|i| i.is_unknown() || i.text().is_some_and(|t| f(&t.masked())))
    };
    let action = |a: &str| {
        let a = a.trim();
        a == "*"
            || a.split_once(':').is_some_and(|(svc, act)| {
                !svc.is_empty()
                    && !act.is_empty()
                    && svc
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    && !act.contains(char::is_whitespace)
            })
    };
    let resource = |r: &str| r.trim() == "*" || r.trim_start().starts_with("arn:");
    entries.iter().any(|e| {
        let v = &e.value;
        match e.key.name.as_str() {
            "Effect" => text_like(v, &|t| {
                t.eq_ignore_ascii_case("allow") || t.eq_ignore_ascii_case("deny")
            }),
            "Action" | "NotAction" => text_like(v, &action),
            "Resource" | "NotResource" => text_like(v, &resource),
            "Principal" | "NotPrincipal" | "Condition" | "Sid" => true,
            _ => false,
        }
    })
}

/// Policy documents in a JSON value that is not a template, with the wrapper key that held each:
/// a bare policy; `{"PolicyDocument": …}`, `{"AssumeRolePolicyDocument": …}`; AWS CLI output
/// (`get-role` → `Role.AssumeRolePolicyDocument`, `get-policy-version` → `PolicyVersion.Document`,
/// `get-role-policy` → `PolicyDocument`, `get-key-policy` → `Policy` as a string is not parsed).
/// The documents are taken from the tree.
pub fn take_policies(root: &mut Node) -> Vec<(Node, Option<&'static str>)> {
    let mut out = Vec::new();
    if is_policy(root) {
        out.push((root.take(), None));
        return out;
    }
    for wrapper in ["Role", "PolicyVersion", "User", "Group"] {
        if let Some(inner) = root.get_mut(wrapper) {
            out.append(&mut take_policies(inner));
        }
    }
    for key in [
        "PolicyDocument",
        "AssumeRolePolicyDocument",
        "Document",
        "KeyPolicy",
    ] {
        // {"PolicyDocument": {"Version": "2012-10-17"}}: the wrapper says it is a policy.
        if let Some(doc) = root
            .get_mut(key)
            .filter(|d| is_policy(d) || (d.get("Statement").is_none() && has_policy_version(d)))
        {
            out.push((doc.take(), Some(key)));
        }
    }
    out
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn finds_wrapped_policies() {
        let cli = r#"{"Role": {"RoleName": "r", "AssumeRolePolicyDocument": {"Statement": []}}}"#;
        let mut n = parse(cli, 0).unwrap().unwrap();
        assert_eq!(
            take_policies(&mut n)
                .iter()
                .map(|(_, w)| *w)
                .collect::<Vec<_>>(),
            vec![Some("AssumeRolePolicyDocument")]
        );
        let mut pkg = parse(r#"{"name": "x", "version": "1.0.0"}"#, 0)
            .unwrap()
            .unwrap();
        assert!(take_policies(&mut pkg).is_empty());
    }

    #[test]
    fn a_statement_key_alone_is_not_a_policy() {
        let doc = |t: &str| parse(t, 0).unwrap().unwrap();
        // An accounting export.
        assert!(!is_policy(&doc(
            r#"{"Statement": [{"Effect": "Closing balance", "Amount": 120.5, "Currency": "EUR"}]}"#
        )));
        assert!(!is_policy(&doc(
            r#"{"Statement": {"Period": "2024-03", "Effect": "Opening balance"}}"#
        )));
        // Policies, even broken ones: a misspelt effect with an IAM action, a lone Sid.
        assert!(is_policy(&doc(
            r#"{"Statement": [{"Effect": "Permit", "Action": "s3:GetObject"}]}"#
        )));
        assert!(is_policy(&doc(r#"{"Statement": [{"Effect": "allow"}]}"#)));
        assert!(is_policy(&doc(
            r#"{"Statement": [{"Resource": "arn:aws:s3:::b"}]}"#
        )));
        assert!(is_policy(&doc(r#"{"Statement": []}"#)));
        assert!(is_policy(&doc(
            r#"{"Version": "2012-10-17", "Statement": null}"#
        )));
        assert!(!is_policy(&doc(r#"{"Statement": null}"#)));
        assert!(!is_policy(&doc(r#"{"Version": "2012-10-17"}"#)));
    }
}
