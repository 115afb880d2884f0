//! Lambda permissions: `AWS::Lambda::Permission` (CloudFormation, SAM) and Terraform's
//! `aws_lambda_permission` are written as properties, but Lambda turns each into one statement
//! of the function's resource policy (`AddPermission`). This module writes that statement, so
//! the resource-policy rules read it as they read any other (`Principal: s3.amazonaws.com`
//! without `SourceArn` is a confused deputy, `Principal: "*"` a public function).
//! `AWS::Lambda::LayerVersionPermission` / `aws_lambda_layer_version_permission`
//! (`AddLayerVersionPermission`) have the same shape.
//!
//! The statement is the one Lambda writes (`aws lambda get-policy` shows it): `Allow`, the
//! principal (a service, an account, an ARN, or `*`), the action, the function's ARN, and one
//! condition per property that asks for one: `SourceArn` → `ArnLike aws:SourceArn`,
//! `SourceAccount` → `StringEquals aws:SourceAccount`, `PrincipalOrgID` (`OrganizationId` of a
//! layer) → `StringEquals aws:PrincipalOrgID`, `FunctionUrlAuthType` → `StringEquals
//! lambda:FunctionUrlAuthType`, `EventSourceToken` (an Alexa skill) → `StringEquals
//! lambda:EventSourceToken`, `InvokedViaFunctionUrl` → `Bool lambda:InvokedViaFunctionUrl`.
//!
//! Every value keeps the span of the author's value; the words Lambda adds (`Allow`, `ArnLike`,
//! the condition key) point at the key of the property that asked for them. The document has no
//! `Version` or `Statement` of the author's: it is [`PolicyDocument::implicit`], so the grammar
//! rules about those stay silent. Values known only when deployed (`!GetAtt Fn.Arn`,
//! `aws_lambda_function.f.arn`) stay unknown parts: a reference is never taken for a name.
//!
//! [`PolicyDocument::implicit`]: crate::policy::PolicyDocument::implicit

use super::tree::{Entry, Key, Node, Part, Text, TextBuilder, Value};
use crate::source::Span;

/// One property as the author wrote it: the span of its key and its value, intrinsic functions
/// already folded.
#[derive(Clone, Debug)]
pub struct Field {
    pub key: Span,
    pub value: Node,
}

/// The properties of one permission, named as Lambda's API names them.
#[derive(Clone, Debug, Default)]
pub struct Permission {
    pub principal: Option<Field>,
    pub action: Option<Field>,
    /// The resource the statement is about: the function's (or layer version's) ARN, built by
    /// [`function_arn`] or [`layer_version_arn`].
    pub resource: Option<Node>,
    pub source_arn: Option<Field>,
    pub source_account: Option<Field>,
    /// `PrincipalOrgID` of a function permission, `OrganizationId` of a layer permission.
    pub principal_org_id: Option<Field>,
    pub function_url_auth_type: Option<Field>,
    /// An Alexa skill's id (`lambda:EventSourceToken`): who may call, as `SourceArn` is for others.
    pub event_source_token: Option<Field>,
    /// `true`: only calls through the function URL (`lambda:InvokedViaFunctionUrl`).
    pub invoked_via_function_url: Option<Field>,
}

/// The property names of each format, in [`Permission`]'s order: principal, action, source
/// ARN, source account, organization, function URL auth type.
pub struct Names {
    pub principal: &'static str,
    pub action: &'static str,
    pub source_arn: &'static str,
    pub source_account: &'static str,
    pub principal_org_id: &'static str,
    pub function_url_auth_type: &'static str,
    pub event_source_token: &'static str,
    pub invoked_via_function_url: &'static str,
}

/// `AWS::Lambda::Permission` and `AWS::Lambda::LayerVersionPermission` (which has no source
/// keys or function URL and calls the organization `OrganizationId`).
pub const CLOUDFORMATION: Names = Names {
    principal: "Principal",
    action: "Action",
    source_arn: "SourceArn",
    source_account: "SourceAccount",
    principal_org_id: "PrincipalOrgID",
    function_url_auth_type: "FunctionUrlAuthType",
    event_source_token: "EventSourceToken",
    invoked_via_function_url: "InvokedViaFunctionUrl",
};

/// `aws_lambda_permission` (a layer's `organization_id` is read by the caller).
pub const TERRAFORM: Names = Names {
    principal: "principal",
    action: "action",
    source_arn: "source_arn",
    source_account: "source_account",
    principal_org_id: "principal_org_id",
    function_url_auth_type: "function_url_auth_type",
    event_source_token: "event_source_token",
    invoked_via_function_url: "invoked_via_function_url",
};

impl Permission {
    /// Reads the properties named `names` through `get` (a property's key span and folded value).
    pub fn read(names: &Names, get: &dyn Fn(&str) -> Option<Field>) -> Permission {
        Permission {
            principal: get(names.principal),
            action: get(names.action),
            resource: None,
            source_arn: get(names.source_arn),
            source_account: get(names.source_account),
            principal_org_id: get(names.principal_org_id),
            function_url_auth_type: get(names.function_url_auth_type),
            event_source_token: get(names.event_source_token),
            invoked_via_function_url: get(names.invoked_via_function_url),
        }
    }

    /// The statement Lambda writes, as an object node spanning `at` (the resource's properties).
    /// `owner` (the resource's name) stands for what the author did not write at all: the
    /// effect when there is no action, the resource when the function is not named.
    pub fn statement(&self, at: Span, owner: Span) -> Node {
        let effect_at = self.action.as_ref().map_or(owner, |a| a.key);
        let mut entries = vec![("Effect", text(effect_at, Text::lit("Allow")))];
        if let Some(p) = &self.principal {
            entries.push(("Principal", principal(p)));
        }
        if let Some(a) = &self.action {
            entries.push(("Action", scalar(&a.value)));
        }
        let resource = self
            .resource
            .clone()
            .unwrap_or_else(|| text(owner, Text::var("function")));
        entries.push(("Resource", resource));
        if let Some(c) = self.condition() {
            entries.push(("Condition", c));
        }
        object(at, entries)
    }

    /// `{ArnLike: {aws:SourceArn}, StringEquals: {aws:SourceAccount, …}}`, or `None` without a
    /// property that asks for one.
    fn condition(&self) -> Option<Node> {
        let mut operators: Vec<(&str, Span, Vec<ConditionKey>)> = Vec::new();
        let mut add = |operator: &'static str, key: &'static str, f: &Option<Field>| {
            let Some(f) = f else { return };
            let value = (key, f.key, scalar(&f.value));
            match operators.iter_mut().find(|(o, ..)| *o == operator) {
                Some((_, _, keys)) => keys.push(value),
                None => operators.push((operator, f.key, vec![value])),
            }
        };
        add("ArnLike", "aws:SourceArn", &self.source_arn);
        add("StringEquals", "aws:SourceAccount", &self.source_account);
        add("StringEquals", "aws:PrincipalOrgID", &self.principal_org_id);
        add(
            "StringEquals",
            "lambda:FunctionUrlAuthType",
            &self.function_url_auth_type,
        );
        add(
            "StringEquals",
            "lambda:EventSourceToken",
            &self.event_source_token,
        );
        add(
            "Bool",
            "lambda:InvokedViaFunctionUrl",
            &self.invoked_via_function_url,
        );
        let first = operators.first()?.1;
        let ops = operators
            .into_iter()
            .map(|(op, at, keys)| Entry {
                key: Key {
                    name: op.into(),
                    span: at,
                },
                value: Node {
                    span: at,
                    value: Value::Object(
                        keys.into_iter()
                            .map(|(k, at, v)| Entry {
                                key: Key {
                                    name: k.into(),
                                    span: at,
                                },
                                value: v,
                            })
                            .collect(),
                    ),
                },
            })
            .collect();
        Some(Node {
            span: first,
            value: Value::Object(ops),
        })
    }
}

/// A condition key Lambda writes: its name, the author's key that asked for it, the value.
type ConditionKey = (&'static str, Span, Node);

/// The `Principal` Lambda writes for a `Principal` property: `"*"` as it is, a service
/// principal (`s3.amazonaws.com`, `s3.${AWS::URLSuffix}`, `alexa-appkit.amazon.com`) under
/// `Service`, anything else (an account id, an ARN, a value known only when deployed) under
/// `AWS`. Each points at the author's value.
fn principal(f: &Field) -> Node {
    let value = scalar(&f.value);
    let Some(t) = value.text() else {
        return object(f.value.span, vec![("AWS", value)]);
    };
    if t.literal() == Some("*") {
        return value;
    }
    let key = if is_service(t) { "Service" } else { "AWS" };
    object(f.value.span, vec![(key, value)])
}

/// A service principal: a host name (`s3.amazonaws.com`, `alexa-appkit.amazon.com`, a misspelt
/// `s3.amazonaws` that `invalid-principal` then names as a service), or a name ending in the
/// stack's URL suffix (`s3.${AWS::URLSuffix}`). Account ids and ARNs have no dot before a `:`.
fn is_service(t: &Text) -> bool {
    match t.parts.last() {
        Some(Part::Lit(s)) => t.parts.len() == 1 && !s.contains(':') && s.contains('.'),
        Some(Part::Var(v)) => v == "AWS::URLSuffix" && t.parts.len() > 1,
        None => false,
    }
}

/// A string, or a number written for one (`Principal: 123456789012` in YAML), as a string node.
fn scalar(n: &Node) -> Node {
    match &n.value {
        Value::Number(s) => text(n.span, Text::lit(s.as_str())),
        Value::Bool(b) => text(n.span, Text::lit(b.to_string())),
        _ => n.clone(),
    }
}

/// The ARN Lambda resolves a `FunctionName` to: an ARN as written; a partial ARN
/// (`123456789012:function:f`) or a name (`f`, `f:alias`) in the stack's partition, region and
/// (for a name) account, those parts unknown. A value that starts with an unknown part
/// (`!Ref Fn`, `!GetAtt Fn.Arn`, `${Prefix}-fn`) may be either: it stays as it is.
pub fn function_arn(name: &Node) -> Node {
    let name = scalar(name);
    let Some(t) = name.text() else {
        return text(name.span, Text::var("function"));
    };
    let Some(Part::Lit(first)) = t.parts.first() else {
        return name;
    };
    if first.starts_with("arn:") {
        return name;
    }
    let mut b = TextBuilder::default();
    b.push(Part::Lit("arn:".into()));
    b.push(Part::Var("AWS::Partition".into()));
    b.push(Part::Lit(":lambda:".into()));
    b.push(Part::Var("AWS::Region".into()));
    b.push(Part::Lit(":".into()));
    if !first.contains(":function:") {
        b.push(Part::Var("AWS::AccountId".into()));
        b.push(Part::Lit(":function:".into()));
    }
    b.push_text(t);
    text(name.span, b.finish())
}

/// The ARN of a function's version or alias: Terraform's `qualifier` appended to the ARN.
pub fn qualified(arn: Node, qualifier: Option<&Node>) -> Node {
    let Some(q) = qualifier.map(scalar) else {
        return arn;
    };
    let (Some(t), Some(qt)) = (arn.text(), q.text()) else {
        return arn;
    };
    let mut b = TextBuilder::default();
    b.push_text(t);
    b.push(Part::Lit(":".into()));
    b.push_text(qt);
    text(arn.span, b.finish())
}

/// A layer version's ARN from Terraform's `layer_name` (a name or an ARN) and `version_number`;
/// `None` for a value that is not text. The ARN points at the layer's name.
pub fn layer_version_arn(layer: &Node, version: Option<&Node>) -> Node {
    let layer = scalar(layer);
    let Some(t) = layer.text() else {
        return text(layer.span, Text::var("layer"));
    };
    let mut b = TextBuilder::default();
    match t.parts.first() {
        Some(Part::Lit(first)) if first.starts_with("arn:") => {}
        Some(Part::Lit(_)) => {
            b.push(Part::Lit("arn:".into()));
            b.push(Part::Var("AWS::Partition".into()));
            b.push(Part::Lit(":lambda:".into()));
            b.push(Part::Var("AWS::Region".into()));
            b.push(Part::Lit(":".into()));
            b.push(Part::Var("AWS::AccountId".into()));
            b.push(Part::Lit(":layer:".into()));
        }
        // An unknown layer: its version is not worth spelling out.
        _ => return layer,
    }
    b.push_text(t);
    b.push(Part::Lit(":".into()));
    match version.map(scalar).as_ref().and_then(Node::text) {
        Some(v) => b.push_text(v),
        None => b.push(Part::Var("version_number".into())),
    }
    text(layer.span, b.finish())
}

fn text(span: Span, t: Text) -> Node {
    Node {
        span,
        value: Value::Str(t),
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
                        span: value.span,
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

    fn lit(span: (usize, usize), s: &str) -> Node {
        text(Span::new(span.0, span.1), Text::lit(s))
    }

    fn field(at: usize, s: &str) -> Option<Field> {
        Some(Field {
            key: Span::new(at, at + 1),
            value: lit((at + 2, at + 2 + s.len()), s),
        })
    }

    #[test]
    fn principals_are_services_accounts_or_everyone() {
        let key = |s: &str| {
            let p = principal(&field(0, s).unwrap());
            p.entries().map(|e| e[0].key.name.to_string())
        };
        assert_eq!(key("s3.amazonaws.com").as_deref(), Some("Service"));
        assert_eq!(key("alexa-appkit.amazon.com").as_deref(), Some("Service"));
        assert_eq!(key("123456789012").as_deref(), Some("AWS"));
        assert_eq!(
            key("arn:aws:iam::123456789012:root").as_deref(),
            Some("AWS")
        );
        assert_eq!(key("*"), None);
        let mut b = TextBuilder::default();
        b.push(Part::Lit("s3.".into()));
        b.push(Part::Var("AWS::URLSuffix".into()));
        assert!(is_service(&b.finish()));
        assert!(!is_service(&Text::var("AWS::URLSuffix")));
    }

    #[test]
    fn the_statement_has_one_condition_per_property() {
        let p = Permission {
            principal: field(0, "s3.amazonaws.com"),
            action: field(30, "lambda:InvokeFunction"),
            source_arn: field(60, "arn:aws:s3:::b"),
            source_account: field(90, "123456789012"),
            function_url_auth_type: field(120, "AWS_IAM"),
            ..Permission::default()
        };
        let st = p.statement(Span::new(0, 200), Span::new(0, 1));
        let c = st.get("Condition").unwrap();
        let arn = c.get("ArnLike").unwrap().get("aws:SourceArn").unwrap();
        assert_eq!(arn.span, Span::new(62, 76));
        let eq = c.get("StringEquals").unwrap();
        assert!(eq.get("aws:SourceAccount").is_some());
        assert!(eq.get("lambda:FunctionUrlAuthType").is_some());
        // Lambda's words point at the author's keys.
        assert_eq!(c.entry("ArnLike").unwrap().key.span, Span::new(60, 61));
        assert_eq!(st.get("Effect").unwrap().span, Span::new(30, 31));
        // No function named: an unknown resource at the owner.
        assert!(st.get("Resource").unwrap().is_unknown());
        // An Alexa skill's token and the function URL flag are conditions of their own.
        let skill = Permission {
            principal: field(0, "alexa-appkit.amazon.com"),
            event_source_token: field(30, "amzn1.ask.skill.1"),
            invoked_via_function_url: Some(Field {
                key: Span::new(60, 61),
                value: Node {
                    span: Span::new(62, 66),
                    value: Value::Bool(true),
                },
            }),
            ..Permission::default()
        };
        let c = skill.statement(Span::new(0, 99), Span::new(0, 1));
        let c = c.get("Condition").unwrap();
        assert!(
            c.get("StringEquals")
                .unwrap()
                .get("lambda:EventSourceToken")
                .is_some()
        );
        let via = c
            .get("Bool")
            .unwrap()
            .get("lambda:InvokedViaFunctionUrl")
            .unwrap();
        assert_eq!(via.literal(), Some("true"));
        let bare = Permission {
            principal: field(0, "*"),
            ..Permission::default()
        };
        assert!(
            bare.statement(Span::new(0, 9), Span::new(0, 1))
                .get("Condition")
                .is_none()
        );
    }

    #[test]
    fn function_names_become_arns_and_references_stay_unknown() {
        let arn = |s: &str| {
            function_arn(&lit((0, s.len()), s))
                .text()
                .unwrap()
                .masked()
                .into_owned()
        };
        let u = crate::syntax::tree::UNKNOWN;
        assert_eq!(
            arn("my-fn"),
            format!("arn:{u}:lambda:{u}:{u}:function:my-fn")
        );
        assert_eq!(
            arn("123456789012:function:f"),
            format!("arn:{u}:lambda:{u}:123456789012:function:f")
        );
        assert_eq!(
            arn("arn:aws:lambda:us-east-1:123456789012:function:f"),
            "arn:aws:lambda:us-east-1:123456789012:function:f"
        );
        let r = function_arn(&text(Span::new(0, 3), Text::var("Fn.Arn")));
        assert!(r.is_unknown());
        let layer = layer_version_arn(&lit((0, 1), "l"), Some(&lit((2, 3), "3")));
        assert_eq!(
            layer.text().unwrap().masked(),
            format!("arn:{u}:lambda:{u}:{u}:layer:l:3")
        );
    }
}
