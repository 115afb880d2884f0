use super::{Context, Rule};
use crate::syntax::tree::Value;
use crate::policy::PolicyDocument;

declare_rule! {
    /// An element given as an empty list or object: `"Action": []`, `"Condition": {}`.
    pub struct EmptyValue {
        name: "empty-value",
        category: Correctness,
        severity: Error,
        summary: "`Action`, `Resource`, `Principal` or `Condition` is an empty list or object",
        kinds: [],
    }
}

const ELEMENTS: &[&str] = &[
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

impl Rule for EmptyValue {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            for e in doc.statement_node(st).entries().unwrap_or_default() {
                if !ELEMENTS.contains(&e.key.name.as_str()) {
                    continue;
                }
                let empty = match &e.value.value {
                    Value::Array(a) => a.is_empty(),
                    Value::Object(o) => o.is_empty(),
                    Value::Str(t) => t.literal() == Some(""),
                    _ => false,
                };
                if empty {
                    let f = cx
                        .finding(e.value.span, format!("`{}` is empty", e.key.name))
                        .label("IAM rejects an empty element")
                        .help(format!("give `{}` a value or remove it", e.key.name));
                    cx.report(f);
                }
                // "Condition": {"StringEquals": {}}
                if e.key.name == "Condition" {
                    for op in e.value.entries().unwrap_or_default() {
                        if op.value.entries().is_some_and(<[_]>::is_empty) {
                            let f = cx
                                .finding(
                                    op.value.span,
                                    format!("`{}` has no condition keys", op.key.name),
                                )
                                .label("IAM rejects an empty condition block")
                                .help("add the condition keys or remove the operator");
                            cx.report(f);
                        }
                    }
                }
            }
        }
    }
}
