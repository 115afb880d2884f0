//! IAM wildcard matching: the `*` / `?` globbing that IAM applies to `Action`, `NotAction`,
//! `Resource` and string condition values.
//!
//! IAM's wildcards are simpler than shell globs: `*` matches any run of characters (including
//! none, and including `:` and `/`), `?` matches exactly one character, and there are no
//! character classes or escapes. Action names and condition keys compare case-insensitively,
//! ARNs case-sensitively, so the caller picks.
//!
//! The matcher is the classic two-pointer algorithm with a single backtrack point: when a
//! literal fails after a `*`, only the most recent `*` needs to absorb one more character,
//! because any earlier `*` could have absorbed the same text. That makes it O(pattern × text)
//! in the worst case, linear in practice, allocation-free and without recursion, so hostile
//! inputs like `*a*a*a*a*b` cannot blow up.

/// Does `text` match the IAM wildcard `pattern` in full?
///
/// `*` matches any run of characters (possibly empty, crossing `:` and `/`), `?` exactly one
/// character; everything else matches itself. With `case_insensitive`, ASCII letters compare
/// without regard to case (IAM action names and condition keys are ASCII); other characters
/// always compare exactly.
///
/// ```
/// use iamlint::iamdata::wildcard::wildcard_match;
/// assert!(wildcard_match("s3:Get*", "s3:GetObject", false));
/// assert!(wildcard_match("S3:get*", "s3:GetObject", true));
/// assert!(wildcard_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", false));
/// assert!(!wildcard_match("ec2:Describe?nstances", "ec2:DescribeInstance", true));
/// ```
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    // Work on bytes. The only special characters are ASCII, literal bytes compare one by one
    // (so multi-byte characters match only whole and the text index stays on a character
    // boundary), and `?` / backtracking step over one whole UTF-8 character of the text.
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let eq = |a: u8, b: u8| {
        if case_insensitive {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };

    let (mut pi, mut ti) = (0, 0);
    // Position just after the last `*` seen, and where in the text that `*` stopped absorbing.
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                pi += 1;
                if pi == p.len() {
                    // A trailing `*` matches whatever is left.
                    return true;
                }
                backtrack = Some((pi, ti));
                continue;
            }
            Some(b'?') => {
                pi += 1;
                ti += utf8_len(t[ti]);
                continue;
            }
            Some(&c) if eq(c, t[ti]) => {
                pi += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        // Mismatch: let the last `*` swallow one more character and retry from there.
        match backtrack {
            Some((star_pi, star_ti)) => {
                let next = star_ti + utf8_len(t[star_ti]);
                backtrack = Some((star_pi, next));
                pi = star_pi;
                ti = next;
            }
            None => return false,
        }
    }
    // Text used up: the rest of the pattern must be able to match the empty string.
    p[pi..].iter().all(|&c| c == b'*')
}

/// Does `s` contain an IAM wildcard character (`*` or `?`)?
pub fn has_wildcard(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?')
}

/// Length in bytes of the UTF-8 character that starts with byte `b`.
///
/// Callers only pass bytes at character boundaries of a `str`, so `b` is a leading byte.
pub(crate) fn utf8_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn basics() {
        assert!(wildcard_match("", "", false));
        assert!(!wildcard_match("", "a", false));
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("*", "anything:at/all", false));
        assert!(!wildcard_match("?", "", false));
        assert!(wildcard_match("?", "é", false));
        assert!(wildcard_match("a?c", "aéc", false));
        assert!(wildcard_match("s3:*Object", "s3:GetObject", false));
        assert!(!wildcard_match("s3:*Object", "s3:GetObjectAcl", false));
        assert!(wildcard_match("*:Get*", "iam:GetRole", false));
        assert!(!wildcard_match("s3:getobject", "s3:GetObject", false));
        assert!(wildcard_match("s3:getobject", "s3:GetObject", true));
        assert!(wildcard_match("a*b*c", "abbbc", false));
        assert!(wildcard_match("a**?", "ab", false));
        assert!(!wildcard_match("a*b", "a", false));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let text = "a".repeat(10_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!wildcard_match(&pattern, &text, false));
    }

    #[test]
    fn has_wildcard_detects() {
        assert!(has_wildcard("s3:Get*"));
        assert!(has_wildcard("ec2:Describe?nstances"));
        assert!(!has_wildcard("s3:GetObject"));
    }

    /// The reference semantics, spelled as a regex.
    fn oracle(pattern: &str, text: &str, case_insensitive: bool) -> bool {
        let mut re = String::from(if case_insensitive { "(?is)^" } else { "(?s)^" });
        for c in pattern.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
        re.push('$');
        regex::Regex::new(&re).unwrap().is_match(text)
    }

    proptest! {
        // A small alphabet makes matches (and near misses) common; `é` and `ß` check
        // multi-byte handling, `:` and `/` that `*` crosses separators.
        #[test]
        fn agrees_with_regex(
            pattern in "[ab*?:/é]{0,10}",
            text in "[ab:/é]{0,12}",
        ) {
            prop_assert_eq!(wildcard_match(&pattern, &text, false), oracle(&pattern, &text, false));
        }

        #[test]
        fn agrees_with_regex_case_insensitive(
            pattern in "[aAbB*?:]{0,10}",
            text in "[aAbB:]{0,12}",
        ) {
            prop_assert_eq!(wildcard_match(&pattern, &text, true), oracle(&pattern, &text, true));
        }

        #[test]
        fn literal_text_matches_itself(text in "\\PC{0,20}") {
            prop_assume!(!has_wildcard(&text));
            prop_assert!(wildcard_match(&text, &text, false));
        }
    }
}
