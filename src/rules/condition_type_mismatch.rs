use crate::diagnostic::Severity;
use super::invalid_condition_value::{Family, family};
use super::{Context, Rule};
use crate::syntax::tree::{Node, UNKNOWN, Value};
use crate::iamdata::{self, ConditionKeyInfo, ConditionType};
use crate::policy::{ConditionEntry, ConditionOperator, PolicyDocument, SetQualifier};

declare_rule! {
    /// A condition operator that does not fit its key's type (`NumericEquals` on a String key), a
    /// set qualifier on a single-valued key or none on a multivalued one (`aws:TagKeys`), or a
    /// list of values of mixed JSON types.
    pub struct ConditionTypeMismatch {
        name: "condition-type-mismatch",
        category: Correctness,
        severity: Warning,
        summary: "a condition operator that does not fit its key's type (`NumericEquals` on a String key), `ForAllValues` (or, as `info`, `ForAnyValue`) on a single-valued key or none on a multivalued one (`aws:TagKeys`), or condition values of mixed types",
        kinds: [],
    }
}

/// Does an operator of `family` read values of a key of element type `ty`?
fn fits(family: Family, ty: ConditionType, key: &str) -> bool {
    match family {
        // String operators also compare ARNs as text, which AWS allows. Other types compared as
        // strings are left alone: the values are strings in the request too.
        Family::String | Family::Null => true,
        Family::Numeric => {
            ty == ConditionType::Numeric
                // `aws:EpochTime` is documented as Date and Numeric.
                || key.eq_ignore_ascii_case("aws:EpochTime")
        }
        Family::Date => ty == ConditionType::Date,
        Family::Bool => ty == ConditionType::Bool,
        Family::Binary => ty == ConditionType::Binary,
        Family::Ip => ty == ConditionType::IpAddress,
        Family::Arn => ty == ConditionType::Arn,
    }
}

/// Keys whose values AWS's own policies treat as a set although the reference types them as
/// single strings (`ForAllValues:StringEquals` in AWS's documentation and managed policies).
const MULTIVALUED_STRINGS: &[&str] = &[
    "codestar-connections:ProviderAction",
    "codeconnections:ProviderAction",
];

fn effective_type(info: &ConditionKeyInfo) -> ConditionType {
    if MULTIVALUED_STRINGS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(info.key()))
    {
        return ConditionType::ArrayOfString;
    }
    info.ty()
}

/// Is the reference's single- or multivalued type of the key worth judging a set qualifier by?
/// Not for identity providers' claims (`cognito-identity.amazonaws.com:amr`, `saml:…`), which
/// the reference types as plain strings although tokens carry lists (AWS's own examples use
/// `ForAnyValue:StringLike` on `…:amr`): only `aws:` keys and keys of AWS services.
fn typed_reliably(key: &str) -> bool {
    key.split_once(':').is_some_and(|(prefix, _)| {
        prefix.eq_ignore_ascii_case("aws")
            || (prefix != "saml" && iamdata::get().service(prefix).is_some())
    })
}

/// Is the key's multivalued type worth a finding when no set qualifier is written? Global `aws:`
/// keys (`aws:TagKeys`, `aws:CalledVia`) and tag-key lists (`s3:RequestObjectTagKeys`) only: AWS's
/// own managed policies compare other keys the reference types as lists (`events:detail-type`)
/// with plain `StringEquals`.
fn multivalued_reliably(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.starts_with("aws:") || lower.ends_with("tagkeys")
}

/// An ARN operator on a String key that may well hold ARNs: a templated key whose values the
/// author chooses (`kms:EncryptionContext:aws:s3:arn`, `aws:ResourceTag/…`), or a key named for
/// an ARN (`…Arn`). AWS's own documentation compares such keys with `ArnLike`.
fn holds_arns(fam: Family, info: &ConditionKeyInfo) -> bool {
    fam == Family::Arn
        && matches!(info.ty().element_type(), ConditionType::String)
        && (info.is_templated() || info.key().to_ascii_lowercase().ends_with("arn"))
}

/// The operator family AWS documents for a key type, to name in the help.
fn operators_for(ty: ConditionType) -> &'static str {
    match ty {
        ConditionType::Numeric => "a `Numeric…` operator",
        ConditionType::Date => "a `Date…` operator",
        ConditionType::Bool => "`Bool`",
        ConditionType::Binary => "`BinaryEquals`",
        ConditionType::IpAddress => "`IpAddress` or `NotIpAddress`",
        ConditionType::Arn => "an `Arn…` or `String…` operator",
        _ => "a `String…` operator",
    }
}

/// Does `condition-type-mismatch` report the operator as not fitting the key `name` (so that
/// `invalid-condition-value` leaves the key's values alone)?
pub(super) fn operator_misfits(fam: Family, name: &str) -> bool {
    if name.contains("${") || name.contains(UNKNOWN) {
        return false;
    }
    iamdata::get().condition_key(name).is_some_and(|info| {
        !fits(fam, effective_type(info).element_type(), name) && !holds_arns(fam, info)
    })
}

impl Rule for ConditionTypeMismatch {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(condition) = &st.condition else {
                continue;
            };
            for op in &condition.operators {
                let Some(fam) = family(&op.op.base) else {
                    continue;
                };
                for entry in &op.entries {
                    check_entry(cx, op, fam, entry);
                }
            }
            // The raw lists, for the JSON types of their values.
            let Some(Value::Object(ops)) = doc
                .statement_node(st)
                .get(&condition.key.name)
                .map(|n| &n.value)
            else {
                continue;
            };
            for op in ops {
                for entry in op.value.entries().unwrap_or_default() {
                    check_mixed_types(cx, &entry.value);
                }
            }
        }
    }
}

fn check_entry(cx: &mut Context, op: &ConditionOperator, fam: Family, entry: &ConditionEntry) {
    let name = entry.key.name.as_str();
    let info = if name.contains("${") || name.contains(UNKNOWN) {
        None
    } else {
        iamdata::get().condition_key(name)
    };
    let op_name = op.key.name.as_str();
    if let Some(info) = info {
        let ty = effective_type(info);
        // "NumericEquals": {"aws:username": "5"}
        if !fits(fam, ty.element_type(), name) && !holds_arns(fam, info) {
            let f = cx
                .finding(
                    entry.key.span,
                    format!("`{op_name}` on `{name}`, a key of type {ty}"),
                )
                .label(format!("`{name}` holds {} values", ty.element_type()))
                .secondary(op.key.span, "this operator reads other values")
                .help(format!(
                    "compare `{name}` with {}",
                    operators_for(ty.element_type())
                ));
            cx.report(f);
            return;
        }
        // "ForAllValues:StringEquals": {"aws:PrincipalTag/team": "x"}
        if let Some(q) = op.op.qualifier
            && !ty.is_multivalued()
            && fam != Family::Null
            && typed_reliably(name)
        {
            let plain = op_name.split_once(':').map_or(op_name, |(_, rest)| rest);
            let f = match q {
                SetQualifier::ForAllValues => cx
                    .finding(
                        entry.key.span,
                        format!("`{op_name}` on the single-valued key `{name}` is also true when the request has no `{name}`"),
                    )
                    .label("single-valued key: `ForAllValues` is true for an empty set")
                    .secondary(op.key.span, "set operator")
                    .help(format!("write `{plain}`; `ForAllValues` only fits multivalued keys, and then with a `Null` check")),
                SetQualifier::ForAnyValue => cx
                    .finding(
                        entry.key.span,
                        format!("`{op_name}` on the single-valued key `{name}`"),
                    )
                    .label("single-valued key: the set qualifier has nothing to range over")
                    .secondary(op.key.span, "set operator")
                    .help(format!("write `{plain}`"))
                    // It matches exactly what `{plain}` matches: misleading to read, no wider
                    // grant, so information that never fails a run.
                    .severity(Severity::Info),
            };
            cx.report(f);
            return;
        }
        // "StringEquals": {"aws:TagKeys": ["team"]}
        if op.op.qualifier.is_none()
            && ty.is_multivalued()
            && fam != Family::Null
            && multivalued_reliably(name)
        {
            let f = cx
                .finding(
                    entry.key.span,
                    format!("`{op_name}` on the multivalued key `{name}` without `ForAnyValue:` or `ForAllValues:`"),
                )
                .label(format!("`{name}` can hold several values in one request"))
                .secondary(op.key.span, "no set qualifier")
                .help(format!(
                    "write `ForAllValues:{op_name}` (every value must be listed; add a `Null` check) or `ForAnyValue:{op_name}` (one listed value suffices)"
                ));
            cx.report(f);
        }
    }
}

/// `["true", false]`, `["123456789012", 210987654321]`: a list whose values are not all of one
/// JSON type (strings, numbers, booleans), reported at the first value whose type differs from
/// the first value's. IAM reads every value as text, so the list works, but the mix is a sign
/// the values were pasted from different places; Access Analyzer and cfn-lint flag it. Values
/// the linter cannot see (`!Ref X`) are not judged.
fn check_mixed_types(cx: &mut Context, list: &Node) {
    let Value::Array(items) = &list.value else {
        return;
    };
    let kind = |n: &Node| match &n.value {
        Value::Str(t) if !t.is_unknown() => Some("a string"),
        Value::Number(_) => Some("a number"),
        Value::Bool(_) => Some("a boolean"),
        _ => None,
    };
    let mut known = items.iter().filter_map(|n| kind(n).map(|k| (n, k)));
    let Some((first, first_kind)) = known.next() else {
        return;
    };
    if let Some((odd, odd_kind)) = known.find(|&(_, k)| k != first_kind) {
        let f = cx
            .finding(odd.span, format!("{odd_kind} in a list of condition values that starts with {first_kind}"))
            .label(format!("{odd_kind} among {first_kind}s"))
            .secondary(first.span, first_kind)
            .help("write every value of the list as a string");
        cx.report(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_families() {
        assert!(fits(Family::String, ConditionType::Arn, "aws:SourceArn"));
        assert!(fits(Family::Numeric, ConditionType::Date, "aws:EpochTime"));
        assert!(!fits(
            Family::Numeric,
            ConditionType::Date,
            "aws:CurrentTime"
        ));
        assert!(typed_reliably("aws:PrincipalTag/x") && typed_reliably("s3:prefix"));
        assert!(!typed_reliably("cognito-identity.amazonaws.com:amr"));
    }
}
