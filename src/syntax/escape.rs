//! Backslash escapes in quoted strings, as JSON writes them, with the extras YAML (`\0`) and HCL
//! (`\U` and eight hex digits) add: one decoder for the JSON and YAML fast readers and for
//! Terraform strings.

/// The character the escape whose `\` is at byte `i` of `text` stands for, and the escape's
/// length in bytes. JSON's escapes (`\" \\ \/ \b \f \n \r \t \uXXXX`) and those of `extra`
/// (`b'0'`, `b'U'`) are known; `None` for any other escape and for a surrogate.
pub fn backslash(text: &str, i: usize, extra: &[u8]) -> Option<(char, usize)> {
    let e = *text.as_bytes().get(i + 1)?;
    Some(match e {
        b'"' => ('"', 2),
        b'\\' => ('\\', 2),
        b'/' => ('/', 2),
        b'b' => ('\u{8}', 2),
        b'f' => ('\u{c}', 2),
        b'n' => ('\n', 2),
        b'r' => ('\r', 2),
        b't' => ('\t', 2),
        b'u' => (hex(text.get(i + 2..i + 6)?)?, 6),
        b'0' if extra.contains(&b'0') => ('\0', 2),
        b'U' if extra.contains(&b'U') => (hex(text.get(i + 2..i + 10)?)?, 10),
        _ => return None,
    })
}

fn hex(digits: &str) -> Option<char> {
    if !digits.bytes().all(|h| h.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(digits, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::backslash;

    #[test]
    fn escapes_decode_with_their_lengths() {
        assert_eq!(backslash(r#"a\"b"#, 1, &[]), Some(('"', 2)));
        assert_eq!(backslash(r"\u00e9", 0, &[]), Some(('é', 6)));
        assert_eq!(backslash(r"\U0001F600", 0, b"U"), Some(('😀', 10)));
        assert_eq!(backslash(r"\U0001F600", 0, &[]), None);
        assert_eq!(backslash(r"\0", 0, b"0"), Some(('\0', 2)));
        assert_eq!(backslash(r"\0", 0, &[]), None);
        // Surrogates, bad digits, short input and unknown escapes.
        for bad in [r"\ud800", r"\u12g4", r"\u12", r"\q", "\\"] {
            assert_eq!(backslash(bad, 0, b"0U"), None, "{bad}");
        }
    }
}
