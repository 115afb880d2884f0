//! SAM's own constructs that stand for policies SAM's translator writes.
//!
//! Policy templates: `Policies: [{SQSPollerPolicy: {QueueName: !GetAtt Queue.QueueName}}]` stands
//! for the statements of SAM's `policy_templates.json`, generated into
//! `data/sam-policy-templates.tsv` (see `data/README.md`). [`expand`] builds that document the way
//! the translator does (`samtranslator/policy_template_processor/template.py`): every `Ref` to a
//! template parameter becomes the user's value, and the `Fn::Sub` around it is resolved as
//! CloudFormation resolves it. SAM's text points at the template's name; a value filled from a
//! parameter points at the user's value. The name's span is the document's generated span
//! ([`crate::policy::PolicyDocument::generated`]): findings there are about SAM's text, not
//! the author's, and the driver drops them.

use super::intrinsic::{self, Dialect};
use super::tree::{Entry, Key, Node, Text, Value};
use crate::source::Span;

/// The generated table: `name<TAB>parameters<TAB>definition` lines.
const GENERATED: &str = include_str!("../../data/sam-policy-templates.tsv");

/// One policy template of SAM's `policy_templates.json`.
#[derive(Debug)]
pub struct Template {
    pub name: &'static str,
    /// Its parameter names: only `Ref`s to these are the user's values.
    pub parameters: Vec<&'static str>,
    /// The policy document SAM writes (JSON), with `{"Ref": parameter}` where a value goes.
    pub definition: &'static str,
}

/// Every policy template, sorted by name.
pub fn templates() -> &'static [Template] {
    static TABLE: std::sync::OnceLock<Vec<Template>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<Template> = GENERATED
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let mut f = l.splitn(3, '\t');
                let (name, params, definition) = (f.next(), f.next(), f.next());
                let (Some(name), Some(params), Some(definition)) = (name, params, definition)
                else {
                    panic!("data/sam-policy-templates.tsv: malformed line {l:?}");
                };
                Template {
                    name,
                    parameters: params.split(',').filter(|p| !p.is_empty()).collect(),
                    definition,
                }
            })
            .collect();
        v.sort_by_key(|t| t.name);
        v
    })
}

fn template(name: &str) -> Option<&'static Template> {
    let t = templates();
    t.binary_search_by(|e| e.name.cmp(name)).ok().map(|i| &t[i])
}

/// The policy document a template stands for. `name` is the template's key in `Policies`,
/// `params` its value (`{QueueName: !GetAtt Queue.QueueName}`). `None` for a name that is not a
/// SAM policy template (a newer template, a typo: SAM itself reports those).
pub fn expand(name: &Key, params: &Node) -> Option<Node> {
    let t = template(&name.name)?;
    // SAM's text: a JSON document of its own, every token of it at the template's name.
    let mut doc = super::json::parse(t.definition, 0).ok().flatten()?;
    respan(&mut doc, name.span);
    let values: Vec<(&str, Node)> = params
        .entries()
        .unwrap_or_default()
        .iter()
        .filter(|e| t.parameters.contains(&e.key.name.as_str()))
        .map(|e| {
            (
                e.key.name.as_str(),
                intrinsic::resolve(&e.value, Dialect::CloudFormation),
            )
        })
        .collect();
    substitute(&mut doc, &values, 0);
    Some(doc)
}

/// Puts every node and key of `n` at `span`.
fn respan(n: &mut Node, span: Span) {
    n.span = span;
    match &mut n.value {
        Value::Array(items) => items.iter_mut().for_each(|i| respan(i, span)),
        Value::Object(entries) => {
            for e in entries {
                e.key.span = span;
                respan(&mut e.value, span);
            }
        }
        _ => {}
    }
}

/// Replaces each `{"Ref": P}` of a parameter the user gave by the user's value, and folds each
/// `Fn::Sub` that took one; returns the span of the first user value placed in `n`. A folded
/// `Fn::Sub` is put at that span: the ARN built from the user's name is reported at the name.
/// A parameter the user left out stays a `Ref`, an unknown value (SAM would reject the template).
fn substitute(n: &mut Node, values: &[(&str, Node)], depth: usize) -> Option<Span> {
    if depth > 64 {
        return None;
    }
    match &mut n.value {
        Value::Object(entries) if entries.len() == 1 => {
            let e: &mut Entry = &mut entries[0];
            match e.key.name.as_str() {
                "Ref" => {
                    let p = e.value.literal()?;
                    let (_, v) = values.iter().find(|(name, _)| *name == p)?;
                    *n = v.clone();
                    Some(n.span)
                }
                "Fn::Sub" => {
                    let user = substitute(&mut e.value, values, depth + 1);
                    intrinsic::resolve_in_place(n, Dialect::CloudFormation);
                    if let Some(s) = user {
                        n.span = s;
                    }
                    user
                }
                _ => substitute(&mut e.value, values, depth + 1),
            }
        }
        Value::Object(entries) => entries
            .iter_mut()
            .map(|e| substitute(&mut e.value, values, depth + 1))
            .fold(None, Option::or),
        Value::Array(items) => items
            .iter_mut()
            .map(|i| substitute(i, values, depth + 1))
            .fold(None, Option::or),
        _ => None,
    }
}

/// Every key of `Auth.ResourcePolicy` SAM's translator reads (`ResourcePolicy` in
/// `samtranslator/internal/schema_source/aws_serverless_api.py`), each the author's way to ask for statements.
pub const RESOURCE_POLICY_KEYS: [&str; 11] = [
    "AwsAccountWhitelist",
    "AwsAccountBlacklist",
    "IpRangeWhitelist",
    "IpRangeBlacklist",
    "SourceVpcWhitelist",
    "SourceVpcBlacklist",
    "IntrinsicVpcWhitelist",
    "IntrinsicVpceWhitelist",
    "IntrinsicVpcBlacklist",
    "IntrinsicVpceBlacklist",
    "CustomStatements",
];

/// The resource policy SAM writes for `Auth.ResourcePolicy` of an `AWS::Serverless::Api` (or of
/// a function's `Api` event), as `samtranslator/swagger/swagger.py` (`add_resource_policy`,
/// `add_custom_statements`) writes it: for each list the author gives, an `execute-api:Invoke`
/// statement on the API's methods, then the author's `CustomStatements`.
///
/// - `AwsAccountWhitelist` / `AwsAccountBlacklist`: `Allow` / `Deny` to `Principal: {AWS: list}`.
/// - `IpRangeWhitelist` / `IpRangeBlacklist`: `Allow` to `*`, and a `Deny` to `*` with
///   `NotIpAddress` / `IpAddress` on `aws:SourceIp`.
/// - `SourceVpcBlacklist` (+ `IntrinsicVpcBlacklist`, `IntrinsicVpceBlacklist`), then the white
///   lists: `Allow` to `*`, and a `Deny` to `*` with `StringEquals` / `StringNotEquals` on
///   `aws:SourceVpc` (the `vpc-…` values) and `aws:SourceVpce` (the `vpce-…` values).
///
/// SAM's words (effect, action, `*`, the condition operator) point at the author's key that asked
/// for them (`IpRangeWhitelist:`), the values at the author's values: everything in this policy
/// is the author's choice, so nothing is marked generated. The resource is the API's own methods,
/// known only when SAM reads the API's paths: `execute-api:/${__Stage__}/${method/path}`.
/// `resource_policy` is resolved already. `None` when it asks for nothing.
pub fn api_resource_policy(resource_policy: &Node) -> Option<Node> {
    let rp = resource_policy;
    let mut statements: Vec<Node> = Vec::new();
    let mut allowed_any = false;
    let entry_of = |name: &str| {
        rp.entries()
            .unwrap_or_default()
            .iter()
            .find(|e| e.key.name == name)
    };
    for (name, effect) in [
        ("AwsAccountWhitelist", "Allow"),
        ("AwsAccountBlacklist", "Deny"),
    ] {
        let Some(e) = entry_of(name).filter(|e| !is_empty(&e.value)) else {
            continue;
        };
        let at = e.key.span;
        let principal = object(at, vec![("AWS", e.value.clone())]);
        statements.push(invoke_statement(at, effect, Some(principal), None));
    }
    for (name, operator) in [
        ("IpRangeWhitelist", "NotIpAddress"),
        ("IpRangeBlacklist", "IpAddress"),
    ] {
        let Some(e) = entry_of(name).filter(|e| !is_empty(&e.value)) else {
            continue;
        };
        let at = e.key.span;
        let condition = object(
            at,
            vec![(
                operator,
                object(at, vec![("aws:SourceIp", e.value.clone())]),
            )],
        );
        push_allow_and_deny(&mut statements, &mut allowed_any, at, condition);
    }
    for (list, vpcs, vpces, operator) in [
        (
            "SourceVpcBlacklist",
            "IntrinsicVpcBlacklist",
            "IntrinsicVpceBlacklist",
            "StringEquals",
        ),
        (
            "SourceVpcWhitelist",
            "IntrinsicVpcWhitelist",
            "IntrinsicVpceWhitelist",
            "StringNotEquals",
        ),
    ] {
        let mut vpc: Vec<Node> = Vec::new();
        let mut vpce: Vec<Node> = Vec::new();
        let mut at = None;
        if let Some(e) = entry_of(list) {
            at = Some(e.key.span);
            for v in list_items(&e.value) {
                match v.literal() {
                    Some(s) if s.starts_with("vpce-") => vpce.push(v.clone()),
                    Some(s) if s.starts_with("vpc-") => vpc.push(v.clone()),
                    _ => {}
                }
            }
        }
        for (key, into) in [(vpcs, &mut vpc), (vpces, &mut vpce)] {
            if let Some(e) = entry_of(key) {
                at = at.or(Some(e.key.span));
                into.extend(list_items(&e.value).iter().cloned());
            }
        }
        let Some(at) = at else { continue };
        if vpc.is_empty() && vpce.is_empty() {
            continue;
        }
        let mut keys = Vec::new();
        for (key, values) in [("aws:SourceVpc", vpc), ("aws:SourceVpce", vpce)] {
            if !values.is_empty() {
                keys.push((key, array(at, values)));
            }
        }
        let condition = object(at, vec![(operator, object(at, keys))]);
        push_allow_and_deny(&mut statements, &mut allowed_any, at, condition);
    }
    if let Some(e) = entry_of("CustomStatements") {
        statements.extend(list_items(&e.value).iter().cloned());
    }
    if statements.is_empty() {
        return None;
    }
    let at = rp.span;
    Some(object(at, vec![("Statement", array(at, statements))]))
}

/// The `Allow` to `*` SAM writes once, and the `Deny` with `condition`.
fn push_allow_and_deny(out: &mut Vec<Node>, allowed_any: &mut bool, at: Span, condition: Node) {
    if !*allowed_any {
        out.push(invoke_statement(at, "Allow", Some(star(at)), None));
        *allowed_any = true;
    }
    out.push(invoke_statement(
        at,
        "Deny",
        Some(star(at)),
        Some(condition),
    ));
}

/// `{Effect, Action: execute-api:Invoke, Resource: [the API's methods], Principal, Condition}`.
fn invoke_statement(
    at: Span,
    effect: &str,
    principal: Option<Node>,
    condition: Option<Node>,
) -> Node {
    use crate::syntax::tree::{Part, TextBuilder};
    let mut resource = TextBuilder::default();
    resource.push(Part::Lit("execute-api:/".into()));
    resource.push(Part::Var("__Stage__".into()));
    resource.push(Part::Lit("/".into()));
    resource.push(Part::Var("method/path".into()));
    let mut entries = vec![
        ("Effect", text(at, Text::lit(effect))),
        ("Action", text(at, Text::lit("execute-api:Invoke"))),
        ("Resource", array(at, vec![text(at, resource.finish())])),
    ];
    if let Some(p) = principal {
        entries.push(("Principal", p));
    }
    if let Some(c) = condition {
        entries.push(("Condition", c));
    }
    object(at, entries)
}

fn is_empty(n: &Node) -> bool {
    matches!(&n.value, Value::Null) || matches!(&n.value, Value::Array(a) if a.is_empty())
}

/// A list's items, or the value itself as a list of one (SAM wraps a single value).
fn list_items(n: &Node) -> &[Node] {
    match &n.value {
        Value::Array(items) => items,
        Value::Null => &[],
        _ => std::slice::from_ref(n),
    }
}

fn text(span: Span, t: Text) -> Node {
    Node {
        span,
        value: Value::Str(t),
    }
}

fn star(span: Span) -> Node {
    text(span, Text::lit("*"))
}

fn array(span: Span, items: Vec<Node>) -> Node {
    Node {
        span,
        value: Value::Array(items),
    }
}

fn object(span: Span, entries: Vec<(&str, Node)>) -> Node {
    Node {
        span,
        value: Value::Object(
            entries
                .into_iter()
                .map(|(name, value)| Entry {
                    key: Key {
                        name: name.into(),
                        span,
                    },
                    value,
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::Part;

    fn str_node(span: Span, text: Text) -> Node {
        Node {
            span,
            value: Value::Str(text),
        }
    }

    #[test]
    fn every_template_of_the_table_parses_and_names_only_its_parameters() {
        let all = templates();
        assert!(all.len() >= 80, "{} templates", all.len());
        for t in all {
            let doc = super::super::json::parse(t.definition, 0)
                .unwrap_or_else(|e| panic!("{}: {}", t.name, e.message))
                .unwrap();
            assert!(
                !doc.get("Statement").unwrap().items().is_empty(),
                "{}",
                t.name
            );
            // Every `Ref` names one of the template's parameters.
            let text = t.definition;
            for (i, _) in text.match_indices("{\"Ref\":\"") {
                let name = &text[i + 8..];
                let name = &name[..name.find('"').unwrap()];
                assert!(t.parameters.contains(&name), "{}: Ref {name}", t.name);
            }
        }
    }

    #[test]
    fn a_template_expands_with_the_users_values_at_their_spans() {
        let key = Key {
            name: "KMSDecryptPolicy".into(),
            span: Span::new(10, 26),
        };
        let params = Node {
            span: Span::new(28, 40),
            value: Value::Object(vec![Entry {
                key: Key {
                    name: "KeyId".into(),
                    span: Span::new(29, 34),
                },
                value: str_node(Span::new(36, 39), Text::var("AppKey")),
            }]),
        };
        let doc = expand(&key, &params).unwrap();
        let st = &doc.get("Statement").unwrap().items()[0];
        let action = st.get("Action").unwrap();
        assert_eq!(action.literal(), Some("kms:Decrypt"));
        assert_eq!(action.span, key.span);
        let r = st.get("Resource").unwrap();
        assert_eq!(r.span, Span::new(36, 39));
        let parts = &r.text().unwrap().parts;
        assert_eq!(parts.last(), Some(&Part::Var("AppKey".into())));
        assert_eq!(parts.first(), Some(&Part::Lit("arn:".into())));
        let unknown = Key {
            name: "SomeFuturePolicy".into(),
            span: Span::default(),
        };
        assert!(expand(&unknown, &params).is_none());
    }

    #[test]
    fn a_missing_parameter_is_unknown_and_stays_at_sams_text() {
        let key = Key {
            name: "SQSPollerPolicy".into(),
            span: Span::new(3, 18),
        };
        let doc = expand(&key, &Node::default()).unwrap();
        let st = &doc.get("Statement").unwrap().items()[0];
        let r = st.get("Resource").unwrap();
        assert_eq!(r.span, key.span);
        assert!(
            r.text()
                .unwrap()
                .parts
                .iter()
                .any(|p| matches!(p, Part::Var(_)))
        );
    }

    #[test]
    fn resource_policy_lists_become_the_statements_sam_writes() {
        let text = "{\"IpRangeWhitelist\": [\"10.0.0.0/8\"], \"SourceVpcWhitelist\": [\"vpc-1\", \"vpce-2\", \"x\"]}";
        let rp = super::super::json::parse(text, 0).unwrap().unwrap();
        let doc = api_resource_policy(&rp).unwrap();
        let st = doc.get("Statement").unwrap().items();
        // One Allow to *, a Deny per list.
        assert_eq!(st.len(), 3);
        assert_eq!(st[0].get("Effect").unwrap().literal(), Some("Allow"));
        let ip = st[1].get("Condition").unwrap().get("NotIpAddress").unwrap();
        let range = &ip.get("aws:SourceIp").unwrap().items()[0];
        assert_eq!(range.span.start as usize, text.find("\"10.").unwrap());
        let vpc = st[2]
            .get("Condition")
            .unwrap()
            .get("StringNotEquals")
            .unwrap();
        assert_eq!(
            vpc.get("aws:SourceVpc").unwrap().items()[0].literal(),
            Some("vpc-1")
        );
        assert_eq!(
            vpc.get("aws:SourceVpce").unwrap().items()[0].literal(),
            Some("vpce-2")
        );
        // SAM's words point at the author's key.
        let key = text.find("\"IpRangeWhitelist").unwrap();
        assert_eq!(st[1].get("Effect").unwrap().span.start as usize, key);
        let empty = super::super::json::parse("{\"SourceVpcWhitelist\": []}", 0)
            .unwrap()
            .unwrap();
        assert!(api_resource_policy(&empty).is_none());
    }
}
