use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::iamdata::regions::{RegionVerdict, judge_region, regions_date, regions_source};
use crate::iamdata::has_wildcard;
use crate::policy::arn::Arn;
use crate::policy::{ConditionEntry, ConditionOperator, Item, PolicyDocument};
use crate::syntax::tree::UNKNOWN;

declare_rule! {
    /// A condition value that cannot match its operator (`10.0.0.300/8` for `IpAddress`, `soon`
    /// for a `Date…` operator, two values for `Bool`), or a region name that is not one
    /// (`eu-centrl-1`) in `aws:RequestedRegion` or in the region field of an ARN.
    pub struct InvalidConditionValue {
        name: "invalid-condition-value",
        category: Correctness,
        severity: Error,
        summary: "a condition value its operator cannot read (a malformed CIDR, date or number, a non-boolean or several values for `Bool`), a malformed VPC or VPC endpoint id, or an unknown region in `aws:RequestedRegion` or an ARN; `info` for a CIDR block with host bits set",
        kinds: [],
    }
}

/// The family of a condition operator, by its base name (`StringLike`, `NumericLessThan`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

pub(super) fn family(base: &str) -> Option<Family> {
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
        // An operator IAM does not have: `unknown-condition-operator`'s.
        _ => return None,
    })
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

/// The id prefix of the values of `aws:SourceVpc` (`vpc-`) and `aws:SourceVpce` (`vpce-`).
fn network_id_prefix(key: &str) -> Option<&'static str> {
    if key.eq_ignore_ascii_case("aws:SourceVpc") {
        Some("vpc-")
    } else if key.eq_ignore_ascii_case("aws:SourceVpce") {
        Some("vpce-")
    } else {
        None
    }
}

/// `vpc-0123abcd`, `vpce-0123456789abcdef0`: the prefix and 8 or 17 lower-case hexadecimal
/// digits. A value with wildcards, upper-case letters or `_` (`vpce-XXXXXXXX`, a documentation
/// placeholder) is not judged.
fn is_network_id(v: &str, prefix: &str) -> bool {
    if has_wildcard(v) || v.bytes().any(|b| b.is_ascii_uppercase() || b == b'_') {
        return true;
    }
    v.strip_prefix(prefix).is_some_and(|hex| {
        matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// The network of an IPv4 CIDR block written with host bits set (`10.0.0.1/8` → `10.0.0.0/8`).
fn network_of(v: &str) -> Option<String> {
    let (addr, len) = v.split_once('/')?;
    let addr = addr.parse::<Ipv4Addr>().ok()?;
    let len = len.parse::<u32>().ok().filter(|l| *l <= 32)?;
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    let network = u32::from(addr) & mask;
    (network != u32::from(addr)).then(|| format!("{}/{len}", Ipv4Addr::from(network)))
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

impl Rule for InvalidConditionValue {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if let Some(condition) = &st.condition {
                for op in &condition.operators {
                    let Some(fam) = family(&op.op.base) else {
                        continue;
                    };
                    for entry in &op.entries {
                        check_entry(cx, op, fam, entry);
                    }
                }
            }
            // The region field of resource ARNs; an ARN `invalid-arn` reports is left to it.
            for item in st.resource.iter().flat_map(|r| r.items.iter()) {
                if !cx.facts().malformed_arn(item) {
                    check_arn_region(cx, item);
                }
            }
        }
    }
}

fn check_entry(cx: &mut Context, op: &ConditionOperator, fam: Family, entry: &ConditionEntry) {
    // `NumericEquals` on a String key: `condition-type-mismatch` reports the operator, and the
    // values are then not this rule's (one mistake, one finding).
    if super::condition_type_mismatch::operator_misfits(fam, &entry.key.name) {
        return;
    }
    let op_name = op.key.name.as_str();
    // "Bool": {"aws:SecureTransport": ["true", "false"]}: a single-valued key compared with two
    // booleans is always true (or, with one value each way, meaningless).
    if fam == Family::Bool && op.op.qualifier.is_none() && entry.values.len() > 1 {
        let f = cx
            .finding(
                entry.values[1].span,
                format!("`{op_name}` on `{}` takes one value", entry.key.name),
            )
            .label("a second boolean: the condition is true for both `true` and `false`")
            .secondary(entry.values[0].span, "first value")
            .help("keep the one value the statement means");
        cx.report(f);
    }
    let region_key = entry.key.name.eq_ignore_ascii_case("aws:RequestedRegion");
    let id_prefix = network_id_prefix(&entry.key.name);
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
            continue;
        }
        if fam == Family::Ip
            && let Some(network) = network_of(text)
        {
            let f = cx
                .finding(v.span, format!("`{text}` has host bits set"))
                .severity(Severity::Info)
                .label(format!("IAM reads it as `{network}`"))
                .help(format!("write `{network}`, the range it matches"));
            cx.report(f);
            continue;
        }
        if fam == Family::String
            && !op.op.base.contains("Like")
            && let Some(prefix) = id_prefix
            && !is_network_id(text, prefix)
        {
            let f = cx
                .finding(v.span, format!("`{text}` is not a `{prefix}` id"))
                .label(format!(
                    "`{}` holds ids of the form `{prefix}` and 8 or 17 hexadecimal digits",
                    entry.key.name
                ))
                .help(format!("write the id as AWS shows it (`{prefix}0123456789abcdef0`)"));
            cx.report(f);
            continue;
        }
        if fam == Family::String && region_key && !has_wildcard(text) {
            let name = if op.op.base.ends_with("IgnoreCase") {
                text.to_ascii_lowercase()
            } else {
                text.to_string()
            };
            if let Some(f) = region_finding(cx, v, &name, "the region") {
                cx.report(f);
            }
        } else if matches!(fam, Family::String | Family::Arn) {
            check_arn_region(cx, v);
        }
    }
}

/// The region field of a literal ARN (`arn:aws:sqs:eu-centrl-1:…`), judged when it is fully
/// written out: no wildcard, variable or unknown part, and not empty.
fn check_arn_region(cx: &mut Context, item: &Item) {
    let Some(text) = literal_value(item) else {
        return;
    };
    let Some(arn) = Arn::parse(text) else {
        return;
    };
    if arn.region.is_empty() || has_wildcard(arn.region) {
        return;
    }
    if let Some(f) = region_finding(cx, item, arn.region, "the ARN's region") {
        cx.report(f);
    }
}

/// The finding for a region name that is not listed: an error when it cannot be a region, a
/// warning naming the data's date when it has the shape of a listed area and direction
/// (`ap-southeast-9` may be newer than the data).
fn region_finding(
    cx: &Context,
    item: &Item,
    region: &str,
    what: &str,
) -> Option<crate::diagnostic::Finding> {
    // Documentation placeholders (`YOUR-REGION`, `REGION_NAME`) are not regions anyone deploys:
    // not judged, as `invalid-arn` does not judge `ACCOUNT_ID`. Region names are lower case.
    if region.bytes().any(|b| b.is_ascii_uppercase() || b == b'_') {
        return None;
    }
    match judge_region(region) {
        RegionVerdict::Known => None,
        RegionVerdict::Unlisted => Some(
            cx.finding(
                item.span,
                format!("`{region}` is not an AWS region in the region list of {} ({})", regions_source(), regions_date()),
            )
            .label(format!("{what}: not a region as of {}", regions_date()))
            .help("check the region name; if AWS opened this region after that date, suppress this finding or update iamlint")
            .severity(Severity::Warning),
        ),
        RegionVerdict::Unknown(near) => {
            let f = cx
                .finding(item.span, format!("`{region}` is not an AWS region"))
                .label(format!("{what}: no request or resource is in this region"));
            Some(match near {
                Some(n) => f.help(format!("did you mean `{n}`?")),
                None => f.help("write a region name such as `us-east-1`"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_bits_and_network_ids() {
        assert_eq!(network_of("10.0.0.1/8").as_deref(), Some("10.0.0.0/8"));
        assert_eq!(network_of("10.0.0.0/8"), None);
        assert_eq!(network_of("203.0.113.7"), None);
        assert_eq!(network_of("0.0.0.1/0").as_deref(), Some("0.0.0.0/0"));
        assert!(is_network_id("vpc-0123abcd", "vpc-"));
        assert!(is_network_id("vpce-0123456789abcdef0", "vpce-"));
        assert!(is_network_id("vpce-XXXXXXXX", "vpce-"));
        assert!(is_network_id("vpce-*", "vpce-"));
        assert!(!is_network_id("vpc-12345", "vpc-"));
        assert!(!is_network_id("vpce-0123abcd", "vpc-"));
        assert!(!is_network_id("vpc-0123abcg", "vpc-"));
    }

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
            "10.0.0.300/8",
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
    }
}
