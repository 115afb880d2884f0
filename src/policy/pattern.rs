//! IAM wildcard matching: `*` matches any run of characters (in ARNs also across `:` and `/`),
//! `?` exactly one. Linear in practice: the classic two-pointer algorithm with one backtrack point.

/// Does `text` match the IAM `pattern`? Action names compare case-insensitively, ARNs do not.
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if case_insensitive {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_like_iam() {
        assert!(wildcard_match("kms:De*", "kms:Decrypt", true));
        assert!(wildcard_match("KMS:decrypt", "kms:Decrypt", true));
        assert!(!wildcard_match("kms:Decrypt", "kms:decrypt", false));
        assert!(wildcard_match("*", "", true));
        assert!(wildcard_match(
            "ec2:Describe?nstances",
            "ec2:DescribeInstances",
            true
        ));
        assert!(wildcard_match(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/x/y:z",
            false
        ));
        assert!(!wildcard_match("s3:Get*", "s3:PutObject", true));
        assert!(wildcard_match("a*b*c", "aXbYbZc", false));
        assert!(!wildcard_match("a*b*c", "aXbYbZ", false));
    }

    proptest! {
        #[test]
        fn agrees_with_a_regex_oracle(p in "[ab*?]{0,8}", t in "[ab]{0,10}") {
            let re: String = p.chars().map(|c| match c {
                '*' => ".*".to_string(),
                '?' => ".".to_string(),
                c => regex::escape(&c.to_string()),
            }).collect();
            let re = regex::Regex::new(&format!("^(?s:{re})$")).unwrap();
            prop_assert_eq!(wildcard_match(&p, &t, false), re.is_match(&t));
        }
    }
}
