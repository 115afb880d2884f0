//! CloudFormation intrinsic functions and Serverless variables folded into template [`Text`]s.
//!
//! The YAML front end turns short tags into long forms, so this module reads only long forms:
//! `{"Fn::Sub": …}`, `{"Ref": …}`, `{"Fn::GetAtt": …}`, `{"Fn::Join": …}`. What can be known
//! without deploying is kept as literal parts; everything else becomes a [`Part::Var`] named the
//! way `Fn::Sub` would name it (`AWS::AccountId`, `Role.Arn`, `Bucket`). Nothing is guessed:
//! `Fn::If`, `Fn::Select`, `Fn::ImportValue` and the like are unknown as a whole.

use super::tree::{Entry, Node, Part, Text, TextBuilder, Value};
use crate::source::Span;

/// The pseudo parameter that means "this stack's account": trust from it is not cross-account.
pub const ACCOUNT_ID: &str = "AWS::AccountId";

/// Deeper subtrees are left as they are; the YAML reader stops far earlier, and JSON nested this
/// deep is not a policy.
const MAX_DEPTH: usize = 256;

/// Which variable syntaxes plain strings carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// CloudFormation (and SAM, CDK output): plain strings are literal; `${…}` means something
    /// only inside `Fn::Sub`.
    CloudFormation,
    /// `serverless.yml`: `${self:…}`, `${opt:…}`, `${env:…}`, `${sls:…}`, `${ssm:…}`, `${cf:…}`
    /// are resolved by the framework anywhere in a string.
    Serverless,
}

/// A copy of `node` with every intrinsic function replaced by the string it stands for.
pub fn resolve(node: &Node, dialect: Dialect) -> Node {
    let mut n = node.clone();
    resolve_in_place(&mut n, dialect);
    n
}

/// Replaces every intrinsic function in `node` by the string it stands for. Only the functions
/// themselves are rebuilt; the rest of the tree is left where it is.
pub fn resolve_in_place(node: &mut Node, dialect: Dialect) {
    resolve_at(node, dialect, 0);
}

/// Folds `node` when it is itself an intrinsic (`- !If [C, {…}, !Ref AWS::NoValue]` in a list),
/// leaving an ordinary value as it is.
pub fn resolve_shallow(node: &mut Node, dialect: Dialect) {
    if let Some([e]) = node.entries()
        && is_intrinsic(&e.key.name)
    {
        resolve_in_place(node, dialect);
    }
}

fn resolve_at(n: &mut Node, dialect: Dialect, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &mut n.value {
        // {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"}
        Value::Object(entries) if entries.len() == 1 && is_intrinsic(&entries[0].key.name) => {
            let mut e = entries.pop().expect("one entry");
            resolve_at(&mut e.value, dialect, depth + 1);
            *n = fold(&e, n.span);
        }
        Value::Object(entries) => {
            for e in entries {
                resolve_at(&mut e.value, dialect, depth + 1);
            }
        }
        Value::Array(items) => {
            for i in items {
                resolve_at(i, dialect, depth + 1);
            }
        }
        // "arn:aws:s3:::${self:custom.bucket}/*" in serverless.yml; `#{AWS::AccountId}` of the
        // serverless-pseudo-parameters plugin
        Value::Str(t) if dialect == Dialect::Serverless => {
            *t = split_unknown(&serverless_vars(t), "#{", "}", true);
        }
        // '{{resolve:ssm:/org/account-id}}': a dynamic reference, known when deployed
        Value::Str(t)
            if t.parts
                .iter()
                // A byte search first: few strings hold a `{`, and it is cheaper than a
                // substring search on each.
                .any(
                    |p| matches!(p, Part::Lit(s) if s.contains('{') && s.contains("{{resolve:")),
                ) =>
        {
            *t = split_unknown(t, "{{resolve:", "}}", false);
        }
        _ => {}
    }
}

/// `Ref` and `Fn::*` keys. `Condition` is not one here: as a one-key object it is far more often
/// a statement's `Condition` than `!Condition` inside `Fn::And`, which is unknown anyway.
fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

fn str_node(span: Span, text: Text) -> Node {
    Node {
        span,
        value: Value::Str(text),
    }
}

/// The string an intrinsic stands for; its argument `e.value` is resolved already.
fn fold(e: &Entry, span: Span) -> Node {
    let arg = &e.value;
    match e.key.name.as_str() {
        // !Ref AWS::AccountId, {"Ref": "BucketName"}
        "Ref" => str_node(span, Text::var(arg.literal().unwrap_or("Ref").to_string())),
        // !GetAtt Role.Arn, {"Fn::GetAtt": ["Role", "Arn"]}
        "Fn::GetAtt" => {
            let name = match &arg.value {
                Value::Array(parts) => parts
                    .iter()
                    .map(|p| p.literal().unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join("."),
                _ => arg.literal().unwrap_or("Fn::GetAtt").to_string(),
            };
            str_node(span, Text::var(name))
        }
        "Fn::Sub" => sub(arg, span),
        "Fn::Join" => str_node(span, join(arg).unwrap_or_else(|| Text::var("Fn::Join"))),
        // !If, !Select, !ImportValue, !FindInMap, !Base64, custom tags: known only when deployed.
        other => str_node(span, Text::var(other)),
    }
}

/// `!Sub "template"` or `!Sub ["template", {Name: value}]`. The result spans the template string,
/// so findings about its content point there.
fn sub(arg: &Node, span: Span) -> Node {
    match &arg.value {
        // !Sub "arn:aws:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:*/*"
        Value::Str(t) => str_node(arg.span, sub_parts(t, &[])),
        // !Sub ["arn:aws:s3:::${Name}/*", {Name: !Ref Bucket}]
        Value::Array(items) => {
            let Some(template) = items.first().and_then(Node::text) else {
                return str_node(span, Text::var("Fn::Sub"));
            };
            let vars: Vec<(String, Text)> = items
                .get(1)
                .and_then(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(|e| {
                    let text =
                        scalar_text(&e.value).unwrap_or_else(|| Text::var(e.key.name.as_str()));
                    (e.key.name.to_string(), text)
                })
                .collect();
            str_node(items[0].span, sub_parts(template, &vars))
        }
        _ => str_node(span, Text::var("Fn::Sub")),
    }
}

/// A string, number or boolean as text; `None` for anything else.
fn scalar_text(n: &Node) -> Option<Text> {
    match &n.value {
        Value::Str(t) => Some(t.clone()),
        Value::Number(s) => Some(Text::lit(s.as_str())),
        Value::Bool(b) => Some(Text::lit(b.to_string())),
        _ => None,
    }
}

/// [`sub_text`] over the literal parts of a template that already has unknown parts (a
/// Serverless variable in a `Fn::Sub` string).
fn sub_parts(template: &Text, vars: &[(String, Text)]) -> Text {
    let mut out = TextBuilder::default();
    for p in template.parts.iter() {
        match p {
            Part::Lit(s) => sub_into(s, vars, &mut out),
            Part::Var(_) => out.push(p.clone()),
        }
    }
    out.finish()
}

/// Expands a `Fn::Sub` template: `${Name}` from `vars` or unknown, `${!Literal}` as `${Literal}`.
pub fn sub_text(template: &str, vars: &[(String, Text)]) -> Text {
    let mut out = TextBuilder::default();
    sub_into(template, vars, &mut out);
    out.finish()
}

/// [`sub_text`] into a text being built.
fn sub_into(template: &str, vars: &[(String, Text)], out: &mut TextBuilder) {
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        out.push(Part::Lit(rest[..at].to_string()));
        let after = &rest[at + 2..];
        // "${!Literal}" is written out as "${Literal}"
        if let Some(lit) = after.strip_prefix('!') {
            out.push(Part::Lit("${".to_string()));
            rest = lit;
            continue;
        }
        let Some(close) = after.find('}') else {
            out.push(Part::Lit(rest[at..].to_string()));
            return;
        };
        let name = after[..close].trim();
        match vars.iter().find(|(n, _)| n == name) {
            Some((_, t)) => out.push_text(t),
            None => out.push(Part::Var(name.to_string())),
        }
        rest = &after[close + 1..];
    }
    out.push(Part::Lit(rest.to_string()));
}

/// `!Join [":", [a, !Ref B, c]]` with a literal delimiter and a literal list of values.
fn join(arg: &Node) -> Option<Text> {
    let [delim, list] = arg_items(arg)?;
    let delim = delim.literal()?;
    let Value::Array(items) = &list.value else {
        // !Join [",", !Ref Subnets]: the list itself is unknown.
        return None;
    };
    let mut out = TextBuilder::default();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(Part::Lit(delim.to_string()));
        }
        out.push_text(&scalar_text(item)?);
    }
    Some(out.finish())
}

fn arg_items(arg: &Node) -> Option<[&Node; 2]> {
    match &arg.value {
        Value::Array(a) if a.len() == 2 => Some([&a[0], &a[1]]),
        _ => None,
    }
}

/// Splits the parts of literal text that run from `open` to the next `close` out of `t` as
/// unknown values, named by their whole text (`{{resolve:ssm:/p}}`) or, when `inner`, by what is
/// between (`#{AWS::AccountId}` is `AWS::AccountId`, the stack's own account).
fn split_unknown(t: &Text, open: &str, close: &str, inner: bool) -> Text {
    let mut out = TextBuilder::default();
    for part in t.parts.iter() {
        let Part::Lit(s) = part else {
            out.push(part.clone());
            continue;
        };
        let mut rest = s.as_str();
        while let Some(at) = rest.find(open) {
            let Some(end) = rest[at + open.len()..].find(close) else {
                break;
            };
            let end = at + open.len() + end + close.len();
            out.push(Part::Lit(rest[..at].to_string()));
            let name = if inner {
                &rest[at + open.len()..end - close.len()]
            } else {
                &rest[at..end]
            };
            out.push(Part::Var(name.to_string()));
            rest = &rest[end..];
        }
        out.push(Part::Lit(rest.to_string()));
    }
    out.finish()
}

/// Splits Serverless Framework variables out of a string's literal parts. IAM's own policy
/// variables (`${aws:username}`) stay literal, as in any policy.
pub fn serverless_vars(t: &Text) -> Text {
    let mut out = TextBuilder::default();
    for part in t.parts.iter() {
        let Part::Lit(s) = part else {
            out.push(part.clone());
            continue;
        };
        let mut rest = s.as_str();
        while let Some(at) = rest.find("${") {
            // `${self:custom.${sls:stage}}`: variables nest, so match braces.
            let mut level = 0usize;
            let mut close = None;
            for (i, c) in rest[at + 2..].char_indices() {
                match c {
                    '{' => level += 1,
                    '}' if level == 0 => {
                        close = Some(at + 2 + i);
                        break;
                    }
                    '}' => level -= 1,
                    _ => {}
                }
            }
            let Some(close) = close else { break };
            let inner = &rest[at + 2..close];
            if is_iam_policy_variable(inner) {
                out.push(Part::Lit(rest[..=close].to_string()));
            } else {
                out.push(Part::Lit(rest[..at].to_string()));
                out.push(Part::Var(inner.to_string()));
            }
            rest = &rest[close + 1..];
        }
        out.push(Part::Lit(rest.to_string()));
    }
    out.finish()
}

/// `${aws:username}`, `${saml:sub}`, `${*}`: evaluated by IAM, not by the framework. (Serverless's
/// own `aws` source knows only `accountId` and `region`.)
fn is_iam_policy_variable(v: &str) -> bool {
    let l = v.trim().to_ascii_lowercase();
    matches!(l.as_str(), "*" | "?" | "$" | "s3:prefix" | "s3:max-keys")
        || (l.starts_with("aws:") && l != "aws:accountid" && l != "aws:region")
        || ["saml:", "sts:", "ec2:"].iter().any(|p| l.starts_with(p))
        // web identity keys: ${www.amazon.com:user_id}, ${cognito-identity.amazonaws.com:sub}
        || l.split(':').next().is_some_and(|p| p.contains(".com"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::json;

    fn lit(s: &str) -> Part {
        Part::Lit(s.into())
    }
    fn var(s: &str) -> Part {
        Part::Var(s.into())
    }

    fn resolved(json_text: &str) -> Node {
        resolve(
            &json::parse(json_text, 0).unwrap().unwrap(),
            Dialect::CloudFormation,
        )
    }

    #[test]
    fn sub_keeps_known_parts() {
        let t = sub_text(
            "arn:aws:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:*/*",
            &[],
        );
        assert_eq!(
            t.parts[..],
            [
                lit("arn:aws:rds-db:"),
                var("AWS::Region"),
                lit(":"),
                var("AWS::AccountId"),
                lit(":dbuser:*/*")
            ]
        );
        assert_eq!(
            sub_text("a${!Literal}b", &[]).literal(),
            Some("a${Literal}b")
        );
        assert_eq!(
            sub_text("a${ B }c${", &[]).parts[..],
            [lit("a"), var("B"), lit("c${")]
        );
        let vars = vec![("Name".to_string(), Text::lit("logs"))];
        assert_eq!(
            sub_text("arn:aws:s3:::${Name}/*", &vars).literal(),
            Some("arn:aws:s3:::logs/*")
        );
    }

    #[test]
    fn long_forms_fold() {
        let n = resolved(
            r#"{"Fn::Sub": ["arn:aws:s3:::${B}/${K}", {"B": "logs", "K": {"Ref": "Key"}}]}"#,
        );
        assert_eq!(
            n.text().unwrap().parts[..],
            [lit("arn:aws:s3:::logs/"), var("Key")]
        );
        let n = resolved(
            r#"{"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":root"]]}"#,
        );
        assert_eq!(
            n.text().unwrap().parts[..],
            [lit("arn:aws:iam::"), var("AWS::AccountId"), lit(":root")]
        );
        let n = resolved(r#"{"Fn::Join": [",", {"Ref": "List"}]}"#);
        assert!(n.is_unknown());
        let n = resolved(r#"{"Fn::GetAtt": ["Role", "Arn"]}"#);
        assert_eq!(n.text().unwrap().var_name(), Some("Role.Arn"));
        let n = resolved(r#"{"Fn::If": ["C", "a", "b"]}"#);
        assert_eq!(n.text().unwrap().var_name(), Some("Fn::If"));
        // A statement's Condition is not an intrinsic.
        let n = resolved(r#"{"Condition": {"Bool": {"aws:SecureTransport": false}}}"#);
        assert!(n.get("Condition").unwrap().entries().is_some());
    }

    #[test]
    fn sub_result_spans_the_template_string() {
        let text = r#"{"R": {"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}}"#;
        let n = resolved(text);
        let r = n.get("R").unwrap();
        assert_eq!(&text[r.span.range()], r#""arn:${AWS::Partition}:s3:::b""#);
    }

    #[test]
    fn serverless_variables_are_unknown_but_iam_variables_are_not() {
        let t = serverless_vars(&Text::lit(
            "arn:aws:s3:::${self:custom.bucket.${sls:stage}}/${aws:username}/*",
        ));
        assert_eq!(
            t.parts[..],
            [
                lit("arn:aws:s3:::"),
                var("self:custom.bucket.${sls:stage}"),
                lit("/${aws:username}/*")
            ]
        );
        let t = serverless_vars(&Text::lit("arn:aws:iam::${aws:accountId}:root"));
        assert_eq!(t.parts[1], var("aws:accountId"));
        assert_eq!(
            serverless_vars(&Text::lit("${opt:x")).literal(),
            Some("${opt:x")
        );
    }
}
