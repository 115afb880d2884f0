use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

use super::{Context, Rule};
use crate::diagnostic::replace_in_token;
use crate::iamdata::{Remembered, remembered};
use crate::policy::suggest::nearest_within;
use crate::policy::{ConditionOperator, Operator, PolicyDocument, SetQualifier};
use crate::syntax::tree::{Node, UNKNOWN};

declare_rule! {
    /// A condition operator IAM does not have (`StringEqual`, `ArnLikes`), or `Null` with
    /// `IfExists` or a set qualifier.
    pub struct UnknownConditionOperator {
        name: "unknown-condition-operator",
        category: Correctness,
        severity: Error,
        summary: "a condition operator IAM does not have (`StringEqual`, `ArnLikes`), with the likely one; `Null` with `IfExists` or `ForAnyValue:`/`ForAllValues:`",
        kinds: [],
    }
}

/// The base condition operators of the IAM policy language: grammar, not service data, so a
/// table here, from AWS's page (every operator but `Null` takes `IfExists` and a set qualifier).
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
pub(super) const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

fn qualifier_text(q: Option<SetQualifier>) -> &'static str {
    match q {
        Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
        Some(SetQualifier::ForAllValues) => "ForAllValues:",
        None => "",
    }
}

/// Every operator IAM accepts, written out: qualifier, base, `IfExists`.
fn all_operators() -> impl Iterator<Item = String> {
    OPERATORS.iter().flat_map(|base| {
        let null = *base == "Null";
        [None, Some(SetQualifier::ForAnyValue), Some(SetQualifier::ForAllValues)]
            .into_iter()
            .filter(move |q| !null || q.is_none())
            .flat_map(move |q| {
                let ifs: &[&str] = if null { &[""] } else { &["", "IfExists"] };
                ifs.iter()
                    .map(move |i| format!("{}{base}{i}", qualifier_text(q)))
            })
    })
}

/// The accepted operator closest to `written`, if it is a likely typo (or a case slip).
/// Remembered per written name (per thread): a tree repeats its few misspellings.
fn nearest_operator(written: &str) -> Option<Rc<str>> {
    thread_local! {
        static SEEN: Remembered<Option<Rc<str>>> = RefCell::default();
    }
    static ALL: OnceLock<Vec<String>> = OnceLock::new();
    remembered(&SEEN, written, || {
        let all = ALL.get_or_init(|| all_operators().collect());
        let limit = (written.len() / 4).max(2);
        nearest_within(limit, all, |o| (written, o.as_str())).map(|o| o.as_str().into())
    })
}

impl Rule for UnknownConditionOperator {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(condition) = &st.condition else {
                continue;
            };
            let node = doc.statement_node(st).get("Condition");
            for op in &condition.operators {
                // A Terraform `dynamic "condition"` block or `test = var.test`: the extractor
                // keeps a placeholder operator whose value is unknown.
                if node
                    .and_then(|c| c.get(&op.key.name))
                    .is_some_and(Node::is_unknown)
                {
                    continue;
                }
                check_operator(cx, op);
            }
        }
    }
}

fn check_operator(cx: &mut Context, op: &ConditionOperator) {
    let written = op.key.name.as_str();
    // An operator a template computes (`${var.test}` in a Terraform `condition` block).
    if written.contains(UNKNOWN) || written.contains("${") {
        return;
    }
    let Operator {
        base,
        if_exists,
        qualifier,
    } = &op.op;
    if OPERATORS.contains(&base.as_str()) {
        if base == "Null" && (*if_exists || qualifier.is_some()) {
            let f = cx
                .finding(op.key.span, format!("`{written}` is not a condition operator"))
                .label("`Null` tests whether a key is present: it takes neither `IfExists` nor `ForAnyValue:`/`ForAllValues:`")
                .help("write `Null`")
                .fix(replace_in_token(cx.file(), op.key.span, written, "Null").map(|mut f| {
                    f.safe = false;
                    f
                }));
            cx.report(f);
        }
        return;
    }
    let mut f = cx
        .finding(op.key.span, format!("`{written}` is not a condition operator"))
        .label("IAM rejects the policy");
    f = match nearest_operator(written) {
        Some(s) => {
            let fix = replace_in_token(cx.file(), op.key.span, written, &s).map(|mut f| {
                f.safe = false;
                f
            });
            f.help(format!("did you mean `{s}`?")).fix(fix)
        }
        None => f.help("see the condition operators of the IAM policy language: `StringEquals`, `ArnLike`, `NumericLessThan`…"),
    };
    cx.report(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let n = |s: &str| nearest_operator(s);
        assert_eq!(n("StringEqual").as_deref(), Some("StringEquals"));
        assert_eq!(
            n("StringEqualsIgnoreCaseIfExist").as_deref(),
            Some("StringEqualsIgnoreCaseIfExists")
        );
        assert_eq!(n("ArnLikes").as_deref(), Some("ArnLike"));
        assert_eq!(n("stringequals").as_deref(), Some("StringEquals"));
        assert_eq!(
            n("ForAnyValues:StringLike").as_deref(),
            Some("ForAnyValue:StringLike")
        );
        assert_eq!(n("Banana"), None);
        assert!(all_operators().any(|o| o == "ForAllValues:ArnNotLikeIfExists"));
        assert!(!all_operators().any(|o| o == "NullIfExists"));
    }
}
