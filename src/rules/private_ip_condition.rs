use std::net::Ipv4Addr;

use super::{Context, Rule};
use crate::policy::{ConditionOperator, PolicyDocument, Statement};

declare_rule! {
    /// `aws:SourceIp` compared with private addresses (`10.0.0.0/8`, `172.16.0.0/12`,
    /// `192.168.0.0/16`, `100.64.0.0/10`) in an Allow, or in a Deny with `NotIpAddress`: requests
    /// from inside a VPC reach AWS through an endpoint and carry no public source IP at all.
    pub struct PrivateIpCondition {
        name: "private-ip-condition",
        category: Correctness,
        severity: Warning,
        summary: "`aws:SourceIp` with a private range (`10.0.0.0/8`, `192.168.0.0/16`…): the key never holds a private address; use `aws:SourceVpc`, `aws:SourceVpce` or `aws:VpcSourceIp`; `aws:VpcSourceIp` without `aws:SourceVpc`",
        kinds: [],
        default_enabled: false,
    }
}

/// The private and shared address ranges of RFC 1918 and RFC 6598, as (network, prefix length).
const PRIVATE: &[([u8; 4], u32, &str)] = &[
    ([10, 0, 0, 0], 8, "10.0.0.0/8"),
    ([172, 16, 0, 0], 12, "172.16.0.0/12"),
    ([192, 168, 0, 0], 16, "192.168.0.0/16"),
    ([100, 64, 0, 0], 10, "100.64.0.0/10"),
];

/// The private range the IPv4 address or CIDR block lies wholly in, if any.
fn private_range(v: &str) -> Option<&'static str> {
    let (addr, len) = match v.split_once('/') {
        Some((a, l)) => (a, l.parse::<u32>().ok()?),
        None => (v, 32),
    };
    let ip = u32::from(addr.parse::<Ipv4Addr>().ok()?);
    if len > 32 {
        return None;
    }
    PRIVATE.iter().find_map(|&(net, plen, name)| {
        let mask = u32::MAX << (32 - plen);
        (len >= plen && ip & mask == u32::from(Ipv4Addr::from(net))).then_some(name)
    })
}

/// Does the operator, in this statement, mean "requests from these addresses are allowed"? An
/// Allow with `IpAddress`, or a Deny with `NotIpAddress` (deny everyone else).
fn grants_by_address(st: &Statement, op: &ConditionOperator) -> bool {
    match op.op.base.as_str() {
        "IpAddress" => st.is_allow(),
        "NotIpAddress" => st.is_deny(),
        _ => false,
    }
}

impl Rule for PrivateIpCondition {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(condition) = &st.condition else {
                continue;
            };
            for (op, entry) in condition.entries_for("aws:SourceIp") {
                if !grants_by_address(st, op) {
                    continue;
                }
                let hits: Vec<_> = entry
                    .values
                    .iter()
                    .filter_map(|v| Some((v, private_range(v.literal()?)?)))
                    .collect();
                let Some(&(first, range)) = hits.first() else {
                    continue;
                };
                let mut f = cx
                    .finding(
                        first.span,
                        format!("`aws:SourceIp` never holds a private address like `{}`", first.text.display()),
                    )
                    .label(format!("in the private range {range}: requests from a VPC carry no public source IP"))
                    .secondary(entry.key.span, "the public IP address of the caller");
                for &(v, r) in &hits[1..] {
                    f = f.secondary(v.span, format!("also private ({r})"));
                }
                let f = f.help("to limit requests to a VPC, compare `aws:SourceVpc` or `aws:SourceVpce` (or `aws:VpcSourceIp` together with `aws:SourceVpc` for addresses inside the VPC)");
                cx.report(f);
            }
            vpc_ip_without_vpc(st, cx);
        }
    }
}

/// `aws:VpcSourceIp` deciding who gets in without `aws:SourceVpc` in the same condition block
/// (Access Analyzer's `MISSING_PAIRED_CONDITION_KEYS`): private ranges repeat in every VPC, so
/// the address alone admits callers from any VPC with an overlapping range, another account's
/// included. `aws:SourceVpce` pins the VPC as well (an endpoint belongs to one VPC) and is
/// accepted too.
fn vpc_ip_without_vpc(st: &Statement, cx: &mut Context) {
    let Some(condition) = &st.condition else {
        return;
    };
    if condition.has_unknown
        || condition.any_key(|k| k == "aws:sourcevpc" || k == "aws:sourcevpce")
    {
        return;
    }
    let Some((_, entry)) = condition
        .entries_for("aws:VpcSourceIp")
        .find(|(op, _)| grants_by_address(st, op))
    else {
        return;
    };
    let f = cx
        .finding(
            entry.key.span,
            "`aws:VpcSourceIp` without `aws:SourceVpc`",
        )
        .label("private address ranges repeat in every VPC: this admits callers from any VPC with these addresses, in any account")
        .help("add `\"StringEquals\": {\"aws:SourceVpc\": \"vpc-…\"}` to the same condition block");
    cx.report(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        assert_eq!(private_range("10.1.2.0/24"), Some("10.0.0.0/8"));
        assert_eq!(private_range("172.31.255.1"), Some("172.16.0.0/12"));
        assert_eq!(private_range("192.168.0.0/16"), Some("192.168.0.0/16"));
        assert_eq!(private_range("100.127.0.0/16"), Some("100.64.0.0/10"));
        // Wider than a private range, public, or not an address.
        assert_eq!(private_range("10.0.0.0/7"), None);
        assert_eq!(private_range("172.32.0.0/16"), None);
        assert_eq!(private_range("203.0.113.0/24"), None);
        assert_eq!(private_range("0.0.0.0/0"), None);
        assert_eq!(private_range("fd00::/8"), None);
        assert_eq!(private_range("10.0.0.0/40"), None);
    }
}
