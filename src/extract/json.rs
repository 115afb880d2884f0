//! The raw-policy extractor: finds policy documents in parsed `.json` files (bare policies,
//! `PolicyDocument` wrappers, AWS CLI output).

pub use crate::syntax::json::{JsonError, parse};
use crate::syntax::tree::{Node, Value};

/// Does this object look like a policy document? It has `Statement`, and nothing that says it is
/// something else (a JSON schema describing policies has `properties`, not a statement list).
pub fn is_policy(n: &Node) -> bool {
    n.get("Statement")
        .is_some_and(|s| matches!(s.value, Value::Array(_) | Value::Object(_)) || s.is_unknown())
        && n.get("$schema").is_none()
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
        if let Some(doc) = root.get_mut(key).filter(|d| is_policy(d)) {
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
}
