use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Context, Rule};
use crate::syntax::tree::UNKNOWN;
use crate::iamdata::{self, ConditionKeyInfo, ConditionType};
use crate::policy::{ConditionEntry, ConditionOperator, Item, PolicyDocument, SetQualifier};

declare_rule! {
    /// A condition operator that does not fit its key's type (`NumericEquals` on a String key), a
    /// value the operator cannot read (`IpAddress` with `10.0.0/8`), or a set qualifier on a
    /// single-valued key.
    pub struct ConditionTypeMismatch {
        name: "condition-type-mismatch",
        category: Correctness,
        severity: Warning,
        summary: "a condition operator that does not fit its key's type or values (`NumericEquals` on a String key, a malformed CIDR), or `ForAllValues`/`ForAnyValue` on a single-valued key",
        kinds: [],
    }
}

/// The family of a condition operator, by its base name (`StringLike`, `NumericLessThan`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

fn family(base: &str) -> Option<Family> {
    Some(match base {
        "StringEquals"
        | "StringNotEquals"
        | "StringEqualsIgnoreCase"
        | "StringNotEqualsIgnoreCase"
        | "StringLike"
        | "StringNotLike" => Family::String,
        "NumericEquals"
        | "NumericNotEquals"
        | "NumericLessThan"
        | "NumericLessThanEquals"
        | "NumericGreaterThan"
        | "NumericGreaterThanEquals" => Family::Numeric,
        "DateEquals"
        | "DateNotEquals"
        | "DateLessThan"
        | "DateLessThanEquals"
        | "DateGreaterThan"
        | "DateGreaterThanEquals" => Family::Date,
        "Bool" => Family::Bool,
        "BinaryEquals" => Family::Binary,
        "IpAddress" | "NotIpAddress" => Family::Ip,
        "ArnEquals" | "ArnLike" | "ArnNotEquals" | "ArnNotLike" => Family::Arn,
        "Null" => Family::Null,
        // An operator IAM does not have: not this rule's to judge.
        _ => return None,
    })
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

/// `10.0.0.0/8`, `203.0.113.7`, `2001:db8::/32`.
fn is_cidr(v: &str) -> bool {
    let (addr, len) = match v.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (v, None),
    };
    let max = if addr.parse::<Ipv4Addr>().is_ok() {
        32
    } else if addr.parse::<Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    len.is_none_or(|l| {
        !l.is_empty()
            && l.len() <= 3
            && l.bytes().all(|b| b.is_ascii_digit())
            && l.parse::<u32>().is_ok_and(|n| n <= max)
    })
}

/// `2020-01-01`, `2020-01-01T00:00:00Z`, `2020-01-01T00:00:00.000+01:00`, or epoch seconds.
fn is_date(v: &str) -> bool {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b[10..]
            .iter()
            .all(|c| c.is_ascii_digit() || b"T:.Z+-".contains(c))
}

fn is_number(v: &str) -> bool {
    !v.is_empty() && v.parse::<f64>().is_ok_and(f64::is_finite)
}

fn is_bool(v: &str) -> bool {
    v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
}

/// What a value of the operator's family must look like, if it does not.
fn bad_value(family: Family, v: &str) -> Option<&'static str> {
    let ok = match family {
        Family::Ip => is_cidr(v),
        Family::Numeric => is_number(v),
        Family::Date => is_date(v),
        Family::Bool | Family::Null => is_bool(v),
        _ => true,
    };
    (!ok).then_some(match family {
        Family::Ip => "an IP address or CIDR block (`203.0.113.0/24`, `2001:db8::/32`)",
        Family::Numeric => "a number",
        Family::Date => "a date (`2026-01-31T00:00:00Z`) or epoch seconds",
        _ => "`true` or `false`",
    })
}

/// A value the rule can judge: fully known, without policy variables.
fn literal_value(item: &Item) -> Option<&str> {
    item.literal()
        .filter(|v| !v.contains("${") && !v.contains(UNKNOWN))
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
                    .help(format!("write `{plain}`")),
            };
            cx.report(f);
            return;
        }
    }
    // Values the operator cannot read, whatever the key: "IpAddress": {"aws:SourceIp": "10.0.0/8"}
    for v in &entry.values {
        let Some(text) = literal_value(v) else {
            continue;
        };
        if let Some(want) = bad_value(fam, text) {
            let f = cx
                .finding(
                    v.span,
                    format!("`{text}` is not a value `{op_name}` can compare"),
                )
                .label(format!("`{op_name}` expects {want}"))
                .help(format!("write {want}"));
            cx.report(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_blocks() {
        for ok in [
            "10.0.0.0/8",
            "203.0.113.7",
            "2001:db8::/32",
            "::1",
            "0.0.0.0/0",
        ] {
            assert!(is_cidr(ok), "{ok}");
        }
        for bad in [
            "10.0.0/8",
            "192.0.2.0/33",
            "2001:db8::/129",
            "10.0.0.0/",
            "10.0.0.0/8 ",
            "any",
        ] {
            assert!(!is_cidr(bad), "{bad}");
        }
    }

    #[test]
    fn dates_numbers_booleans() {
        for ok in [
            "2026-01-31",
            "2026-01-31T00:00:00Z",
            "2026-01-31T00:00:00.000+01:00",
            "1767225600",
        ] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in ["last tuesday", "31/01/2026", "2026-1-31", ""] {
            assert!(!is_date(bad), "{bad}");
        }
        assert!(is_number("3600") && is_number("-1.5") && !is_number("one") && !is_number("inf"));
        assert!(is_bool("TRUE") && is_bool("false") && !is_bool("yes"));
    }

    #[test]
    fn operator_families() {
        assert_eq!(family("StringNotEqualsIgnoreCase"), Some(Family::String));
        assert_eq!(family("NotIpAddress"), Some(Family::Ip));
        assert_eq!(family("ArnNotLike"), Some(Family::Arn));
        assert_eq!(family("StringEqual"), None);
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
