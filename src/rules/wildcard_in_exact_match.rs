use super::{Context, Rule};
use crate::iamdata::has_wildcard;
use crate::policy::{ConditionOperator, Item, PolicyDocument};
use crate::syntax::tree::Part;

declare_rule! {
    /// `*` or `?` in a value of `StringEquals`, `StringNotEquals` or their `IgnoreCase` forms,
    /// where they are literal characters: `StringLike` was meant.
    pub struct WildcardInExactMatch {
        name: "wildcard-in-exact-match",
        category: Correctness,
        severity: Warning,
        summary: "`*` or `?` in a `StringEquals`/`StringNotEquals` value, where they match only themselves (`StringLike` was meant)",
        kinds: [],
    }
}

/// The operators that compare values as exact text. `ArnEquals`/`ArnNotEquals` are not among
/// them: they match `*` and `?` per ARN field, as `ArnLike` does.
const EXACT: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
];

/// The `Like` operator to write instead of an exact one.
fn like_of(base: &str) -> &'static str {
    if base.starts_with("StringNot") {
        "StringNotLike"
    } else {
        "StringLike"
    }
}

/// Does the value hold a `*` or `?` the author wrote? Only the literal parts of a value count:
/// an unknown template part (`!Ref Pattern`, `${var.x}`) is not a wildcard, and neither is a
/// policy variable (`${aws:username}`, or `${*}`, which is how a literal `*` is written).
fn has_written_wildcard(item: &Item) -> bool {
    item.text.parts.iter().any(|p| match p {
        // Variables are stripped (a copy) only from text that holds a wildcard at all.
        Part::Lit(s) => has_wildcard(s) && has_wildcard(&strip_policy_variables(s)),
        Part::Var(_) => false,
    })
}

fn strip_policy_variables(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find('}') else {
            rest = &rest[at..];
            break;
        };
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

impl Rule for WildcardInExactMatch {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(condition) = &st.condition else {
                continue;
            };
            for op in &condition.operators {
                if EXACT.contains(&op.op.base.as_str()) {
                    check_operator(cx, op);
                }
            }
        }
    }
}

fn check_operator(cx: &mut Context, op: &ConditionOperator) {
    let op_name = op.key.name.as_str();
    let like = like_of(&op.op.base);
    for entry in &op.entries {
        for v in entry.values.iter().filter(|v| has_written_wildcard(v)) {
            let f = cx
                .finding(
                    v.span,
                    format!(
                        "`{}` under `{op_name}` matches only a value with a literal `*` or `?`",
                        v.text.display()
                    ),
                )
                .label(format!("`{op_name}` compares exactly: `*` and `?` are plain characters"))
                .secondary(op.key.span, "exact comparison")
                .help(format!(
                    "write `{}` to match a pattern, or `${{*}}` / `${{?}}` for a literal character",
                    op_name.replace(op.op.base.as_str(), like)
                ));
            cx.report(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_variables_are_not_wildcards() {
        assert_eq!(strip_policy_variables("a${*}b${aws:username}c"), "abc");
        assert_eq!(strip_policy_variables("team-*"), "team-*");
        assert_eq!(strip_policy_variables("x${unclosed*"), "x${unclosed*");
        assert_eq!(like_of("StringNotEqualsIgnoreCase"), "StringNotLike");
        assert_eq!(like_of("StringEquals"), "StringLike");
    }
}
