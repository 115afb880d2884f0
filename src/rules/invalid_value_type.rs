use std::fmt::Arguments;

use super::{Context, Rule};
use crate::policy::PolicyDocument;
use crate::syntax::tree::{Node, Value};

declare_rule! {
    /// An element of a JSON type IAM does not accept there: `Action` as a number or an object,
    /// `Sid` not a string, a condition value that is an object.
    pub struct InvalidValueType {
        name: "invalid-value-type",
        category: Correctness,
        severity: Error,
        summary: "an element of the wrong JSON type: `Action` as a number or object, `Sid` not a string, a condition value that is an object",
        kinds: [],
    }
}

/// Values the rule does not judge: unknown template parts (`!Ref X`, `${var.x}`), intrinsic
/// functions the extractor left as objects, and empty lists and objects (`empty-value`'s).
fn not_judged(n: &Node) -> bool {
    match &n.value {
        Value::Str(t) => t.literal().is_none(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => {
            o.is_empty()
                || matches!(o.as_slice(), [e] if e.key.name == "Ref" || e.key.name.starts_with("Fn::"))
        }
        _ => false,
    }
}

/// `what` is formatted only here: most elements have the right type.
fn report(cx: &mut Context, n: &Node, what: Arguments<'_>, expected: &str) {
    let f = cx
        .finding(n.span, format!("{what} is {}, not {expected}", n.type_name()))
        .label("IAM rejects the policy: the element has the wrong type")
        .help(format!("write {what} as {expected}"));
    cx.report(f);
}

/// A string, or in YAML a number or boolean scalar (`Sid: 1`, `AWS: 123456789012`): whether
/// CloudFormation hands IAM such a scalar as a number or as text is not established (an AWS
/// sample template has `Sid: 1`), so a YAML scalar is not judged.
fn stringish(cx: &Context, n: &Node) -> bool {
    match n.value {
        Value::Str(_) => true,
        Value::Number(_) | Value::Bool(_) => is_yaml(cx),
        _ => false,
    }
}

fn is_yaml(cx: &Context) -> bool {
    cx.file()
        .path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// `Action`, `Resource`, a principal's values: a string or a list of strings.
fn string_or_list(cx: &mut Context, n: &Node, what: Arguments<'_>) {
    match &n.value {
        _ if not_judged(n) || stringish(cx, n) => {}
        Value::Array(items) => {
            for i in items {
                if !stringish(cx, i) && !not_judged(i) {
                    report(cx, i, format_args!("an item of {what}"), "a string");
                }
            }
        }
        _ => report(cx, n, what, "a string or a list of strings"),
    }
}

/// `"Principal": "*"` or `{"AWS": …, "Service": …}` with string values.
fn principal(cx: &mut Context, key: &str, n: &Node) {
    match &n.value {
        _ if not_judged(n) => {}
        // A string other than `*` is `invalid-principal`'s.
        Value::Str(_) => {}
        Value::Object(entries) => {
            for e in entries {
                string_or_list(cx, &e.value, format_args!("`{key}.{}`", e.key.name));
            }
        }
        _ => report(cx, n, format_args!("`{key}`"), "`\"*\"` or an object"),
    }
}

/// `{"StringEquals": {"key": "value" | ["value", …]}}`; condition values may be strings,
/// numbers or booleans (IAM reads them as text).
fn condition(cx: &mut Context, n: &Node) {
    let scalar = |v: &Node| matches!(v.value, Value::Str(_) | Value::Number(_) | Value::Bool(_));
    match &n.value {
        _ if not_judged(n) => {}
        Value::Object(ops) => {
            for op in ops {
                let Some(keys) = op.value.entries() else {
                    if !not_judged(&op.value) {
                        let what = format_args!("the `{}` block", op.key.name);
                        report(cx, &op.value, what, "an object of condition keys");
                    }
                    continue;
                };
                for k in keys {
                    let what = format_args!("the value of `{}`", k.key.name);
                    match &k.value.value {
                        _ if not_judged(&k.value) || scalar(&k.value) => {}
                        Value::Array(items) => {
                            for i in items.iter().filter(|i| !scalar(i) && !not_judged(i)) {
                                report(cx, i, format_args!("an item of {what}"), "a string");
                            }
                        }
                        _ => report(cx, &k.value, what, "a string or a list of strings"),
                    }
                }
            }
        }
        _ => report(cx, n, format_args!("`Condition`"), "an object of condition operators"),
    }
}

impl Rule for InvalidValueType {
    /// `Effect` is `invalid-effect`'s (it reports any value that is not `Allow` or `Deny`),
    /// `Version` `invalid-version`'s, `"Statement": null` `missing-statement`'s, and empty lists
    /// and objects `empty-value`'s: one finding for one mistake.
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        if let Some(id) = doc.root.get("Id")
            && !stringish(cx, id)
            && !not_judged(id)
        {
            report(cx, id, format_args!("`Id`"), "a string");
        }
        if let Some(s) = doc.root.get("Statement") {
            match &s.value {
                Value::Array(items) => {
                    for i in items {
                        if !matches!(i.value, Value::Object(_)) && !not_judged(i) {
                            report(cx, i, format_args!("a statement"), "an object");
                        }
                    }
                }
                Value::Object(_) | Value::Null => {}
                _ if not_judged(s) => {}
                _ => report(cx, s, format_args!("`Statement`"), "a list of statements"),
            }
        }
        for st in &doc.statements {
            for e in doc.statement_node(st).entries().unwrap_or_default() {
                let v = &e.value;
                match e.key.name.as_str() {
                    "Sid" if !stringish(cx, v) && !not_judged(v) => {
                        report(cx, v, format_args!("`Sid`"), "a string");
                    }
                    k @ ("Action" | "NotAction" | "Resource" | "NotResource") => {
                        string_or_list(cx, v, format_args!("`{k}`"));
                    }
                    k @ ("Principal" | "NotPrincipal") => principal(cx, k, v),
                    "Condition" => condition(cx, v),
                    _ => {}
                }
            }
        }
    }
}
