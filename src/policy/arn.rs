//! ARN fields, split the way IAM reads them: `arn:partition:service:region:account:resource`.
//! Works on masked text (see [`crate::syntax::tree::Text::masked`]), so unknown parts stay unknown.

use crate::syntax::tree::UNKNOWN;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the fifth colon (`dbuser:db-ABC/jane`, `secret:prod/*`).
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let rest = s.strip_prefix("arn:")?;
        let (partition, rest) = split_colon(rest)?;
        let (service, rest) = split_colon(rest)?;
        let (region, rest) = split_colon(rest)?;
        let (account, resource) = split_colon(rest)?;
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

/// `s` around its first `:`. (`str::split_once` searches with `memchr`, whose setup costs
/// more than the search on the short texts of policies.)
#[inline]
pub fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b':')?;
    Some((&s[..i], &s[i + 1..]))
}

/// True when the field contains a part the linter cannot know.
pub fn has_unknown(field: &str) -> bool {
    // The marker's first UTF-8 byte, looked for before the character itself.
    field.as_bytes().contains(&0xEF) && field.contains(UNKNOWN)
}

/// A twelve-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_six_fields_and_keeps_colons_in_the_resource() {
        let a = Arn::parse("arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/jane").unwrap();
        assert_eq!(a.service, "rds-db");
        assert_eq!(a.account, "123456789012");
        assert_eq!(a.resource, "dbuser:db-ABC/jane");
        assert!(Arn::parse("arn:aws:s3").is_none());
        assert!(Arn::parse("*").is_none());
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901x"));
    }
}
