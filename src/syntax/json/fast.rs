//! The fast reader: strict JSON read straight into the tree, without jsonc-parser's syntax tree
//! and the conversion after it.
//!
//! It reads what strict JSON allows (no comments, no trailing commas), with white space of
//! spaces, tabs and line breaks, strings without raw control characters or escaped surrogates,
//! and at most [`MAX_DEPTH`] levels. Anything else (errors of any kind included) makes it give
//! up, and [`super::parse`] reads the text with jsonc-parser instead, which reports errors and
//! recovers what it can. What it gives is what jsonc-parser and the conversion give, spans
//! included: `tests.rs` checks that on every JSON file of the repository and on generated ones.

use std::borrow::Cow;

use crate::source::{Span, any_byte};
use crate::syntax::escape::backslash;
use crate::syntax::tree::{Entry, Key, Node, Text, Value};

/// Deeper nesting goes to jsonc-parser, which reports its own limit.
const MAX_DEPTH: usize = 64;

/// The root value of `text` (at byte `base` of its file), when the text is strict JSON in the
/// subset; `None` when jsonc-parser must read it.
pub(super) fn parse(text: &str, base: usize) -> Option<Node> {
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        base,
        depth: 0,
    };
    let i = r.space(0);
    let (root, end) = r.value(i)?;
    (r.space(end) == r.b.len()).then_some(root)
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    base: usize,
    depth: usize,
}

impl Reader<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    fn space(&self, mut i: usize) -> usize {
        while matches!(self.b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            i += 1;
        }
        i
    }

    /// The value at `i` and where it ends.
    fn value(&mut self, i: usize) -> Option<(Node, usize)> {
        let (value, end) = match *self.b.get(i)? {
            b'{' => return self.object(i),
            b'[' => return self.array(i),
            b'"' => {
                let (s, end) = self.string(i)?;
                (Value::Str(Text::lit(s)), end)
            }
            b't' if self.b[i..].starts_with(b"true") => (Value::Bool(true), i + 4),
            b'f' if self.b[i..].starts_with(b"false") => (Value::Bool(false), i + 5),
            b'n' if self.b[i..].starts_with(b"null") => (Value::Null, i + 4),
            b'-' | b'0'..=b'9' => {
                let end = self.number(i)?;
                (Value::Number(self.text[i..end].to_string()), end)
            }
            _ => return None,
        };
        // `truex`, `12ab`: jsonc-parser's error.
        if self.b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
        Some((
            Node {
                span: self.span(i, end),
                value,
            },
            end,
        ))
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn object(&mut self, start: usize) -> Option<(Node, usize)> {
        self.enter()?;
        let mut entries = Vec::new();
        let mut i = self.space(start + 1);
        if self.b.get(i) != Some(&b'}') {
            loop {
                if self.b.get(i) != Some(&b'"') {
                    return None;
                }
                let (name, key_end) = self.string(i)?;
                let key = Key {
                    name: name.into(),
                    span: self.span(i, key_end),
                };
                let colon = self.space(key_end);
                if self.b.get(colon) != Some(&b':') {
                    return None;
                }
                let (value, end) = self.value(self.space(colon + 1))?;
                entries.push(Entry { key, value });
                i = self.space(end);
                match self.b.get(i)? {
                    b',' => i = self.space(i + 1),
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let end = i + 1;
        let node = Node {
            span: self.span(start, end),
            value: Value::Object(entries),
        };
        Some((node, end))
    }

    fn array(&mut self, start: usize) -> Option<(Node, usize)> {
        self.enter()?;
        let mut items = Vec::new();
        let mut i = self.space(start + 1);
        if self.b.get(i) != Some(&b']') {
            loop {
                let (item, end) = self.value(i)?;
                items.push(item);
                i = self.space(end);
                match self.b.get(i)? {
                    b',' => i = self.space(i + 1),
                    b']' => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let end = i + 1;
        let node = Node {
            span: self.span(start, end),
            value: Value::Array(items),
        };
        Some((node, end))
    }

    /// The string whose opening quote is at `q`: its value and where it ends (after the quote).
    fn string(&self, q: usize) -> Option<(Cow<'_, str>, usize)> {
        let b = self.b;
        // Most strings have no escape: their text as it is. The closing quote or the first
        // backslash is searched for, then the text before it is checked for control characters,
        // both a vector of bytes at a time.
        let mut i = q + 1 + memchr::memchr2(b'"', b'\\', &b[q + 1..])?;
        if any_byte(&b[q + 1..i], |c| c < 0x20) {
            return None;
        }
        if b[i] == b'"' {
            return Some((Cow::Borrowed(&self.text[q + 1..i]), i + 1));
        }
        let mut s = String::from(&self.text[q + 1..i]);
        let mut from = i;
        loop {
            match *b.get(i)? {
                b'"' => {
                    s.push_str(&self.text[from..i]);
                    return Some((Cow::Owned(s), i + 1));
                }
                b'\\' => {
                    s.push_str(&self.text[from..i]);
                    // Surrogates (pairs or not) are left to jsonc-parser.
                    let (c, len) = backslash(self.text, i, &[])?;
                    s.push(c);
                    i += len;
                    from = i;
                }
                0..=0x1f => return None,
                _ => i += 1,
            }
        }
    }

    /// A number as JSON writes it (`-0.5e+3`, no leading zeros): where it ends.
    fn number(&self, mut i: usize) -> Option<usize> {
        let b = self.b;
        let digits = |mut i: usize| {
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            (i > start).then_some(i)
        };
        if b[i] == b'-' {
            i += 1;
        }
        i = match b.get(i)? {
            b'0' => i + 1,
            b'1'..=b'9' => digits(i)?,
            _ => return None,
        };
        if b.get(i) == Some(&b'.') {
            i = digits(i + 1)?;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = digits(i)?;
        }
        // `01`, `1.`: jsonc-parser's error, or its reading.
        if matches!(b.get(i), Some(b'0'..=b'9' | b'.')) {
            return None;
        }
        Some(i)
    }
}
