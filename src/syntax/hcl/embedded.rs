//! JSON written inside a Terraform string: a heredoc (`<<EOF`, `<<-EOT`), a quoted string
//! (`"{\"Statement\": …}"`) or a `.tf.json` string value. The string is first cut into
//! [`Seg`]ments — literal characters, each with the file bytes it was written as (so `\"` is one
//! character from two bytes), and `${…}`/`%{…}` template parts. The JSON text handed to
//! [`json::parse`] replaces every template part with a placeholder: inside a JSON string one
//! private-use character, outside one a whole JSON string `"<placeholder>"`, so an interpolation
//! that stands for a value (`"Resource": ${jsonencode(var.arns)}`) reads as an unknown value instead
//! of failing the document. A per-character table then maps every span of the parsed tree back to
//! file offsets, and placeholders back to [`Part::Var`]s.
//!
//! Indentation removed by `<<-` does not matter here: JSON ignores white space between tokens and a
//! JSON string cannot span lines, so the raw heredoc text parses to the same document, at the right
//! offsets.

use crate::source::Span;
use crate::syntax::escape::backslash;
use crate::syntax::json::{self, JsonError};
use crate::syntax::tree::{Node, Part, Text, TextBuilder, Value};

/// One piece of a Terraform string.
#[derive(Clone, Debug, PartialEq)]
pub enum Seg {
    /// Literal text, with the file range each character was written as.
    Lit(Lit),
    /// `${expr}` or `%{ if … }`: the expression as written, and the whole `${…}` in the file.
    Var(String, Span),
}

/// Literal text and where it was written: runs of characters written as themselves (`"` is one
/// byte of the file), and characters written otherwise (`\"` is two), each a run of its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lit {
    pub text: String,
    runs: Vec<Run>,
}

/// Text from byte `text` on (up to the next run) written at `file`: byte for byte when `linear`,
/// else one character written as the whole `file` range.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Run {
    text: u32,
    file: Span,
    linear: bool,
}

impl Lit {
    /// A literal from its characters and their file ranges.
    pub fn from_chars(chars: &[(char, Span)]) -> Lit {
        let mut l = Lit::default();
        for &(c, span) in chars {
            l.push(c, span);
        }
        l
    }

    /// Appends one character written at `span`.
    pub fn push(&mut self, c: char, span: Span) {
        if span.len() == c.len_utf8() {
            let mut buf = [0; 4];
            self.push_str(c.encode_utf8(&mut buf), span.start as usize);
        } else {
            self.runs.push(Run {
                text: self.text.len() as u32,
                file: span,
                linear: false,
            });
            self.text.push(c);
        }
    }

    /// Appends text written as itself at file offset `at`.
    pub fn push_str(&mut self, s: &str, at: usize) {
        if s.is_empty() {
            return;
        }
        let end = at + s.len();
        match self.runs.last_mut() {
            Some(r) if r.linear && r.file.end as usize == at => r.file.end = end as u32,
            _ => self.runs.push(Run {
                text: self.text.len() as u32,
                file: Span::new(at, end),
                linear: true,
            }),
        }
        self.text.push_str(s);
    }
}

/// The file range of the text range `s` of a literal whose runs are `runs`: from where its
/// first character was written to where its last one ends.
fn remap(runs: &[Run], s: Span) -> Span {
    if runs.is_empty() {
        return s;
    }
    let at = |off: u32| {
        let r = runs[runs.partition_point(|r| r.text <= off).saturating_sub(1)];
        // (where the character at `off` starts, where one ending at `off + 1` ends)
        if r.linear {
            let delta = off.saturating_sub(r.text);
            (r.file.start + delta, r.file.start + delta + 1)
        } else {
            (r.file.start, r.file.end)
        }
    };
    let start = at(s.start).0;
    if s.end <= s.start {
        return Span { start, end: start };
    }
    Span {
        start,
        end: at(s.end - 1).1.max(start),
    }
}

/// The first placeholder character; the `i`th template part is `PLACEHOLDER + i`. Supplementary
/// private use plane B: no policy contains it.
const PLACEHOLDER: u32 = 0x10_0000;
const MAX_PLACEHOLDERS: usize = 0xFFFD;

/// Does the string's literal text start (after white space) with `{`, so it may hold JSON?
pub fn looks_like_json(segs: &[Seg]) -> bool {
    for s in segs {
        match s {
            Seg::Lit(l) => {
                if let Some(c) = l.text.chars().find(|c| !c.is_whitespace()) {
                    return c == '{';
                }
            }
            Seg::Var(..) => return false,
        }
    }
    false
}

/// What [`parse`] found.
pub struct Parsed {
    pub root: Option<Node>,
    /// A syntax error with file offsets, worth reporting: only when the text has no template part
    /// outside a JSON string, since such a part may produce the text that looks wrong.
    pub error: Option<JsonError>,
}

/// Parses the JSON in `segs`; every span of the result is a file offset.
pub fn parse(segs: &[Seg]) -> Parsed {
    // One literal written byte for byte (a heredoc without template parts or escapes) is read
    // where it stands: no text to assemble, no spans to map. Not when it holds a character of
    // the placeholders' plane (lead byte 0xF4), which the general path would read as one.
    if let [Seg::Lit(l)] = segs
        && let [r] = l.runs[..]
        && r.linear
        && r.text == 0
        && memchr::memchr(0xF4, l.text.as_bytes()).is_none()
    {
        return match json::parse(&l.text, r.file.start as usize) {
            Ok(root) => Parsed { root, error: None },
            Err(e) => Parsed {
                root: e.recovered,
                error: Some(JsonError {
                    span: e.span,
                    message: e.message,
                    recovered: None,
                }),
            },
        };
    }
    assemble_and_parse(segs)
}

/// [`parse`] of any segments: their text joined (template parts as placeholder characters),
/// parsed, and the tree's spans mapped back to the file.
fn assemble_and_parse(segs: &[Seg]) -> Parsed {
    let size: usize = segs
        .iter()
        .map(|s| match s {
            Seg::Lit(l) => l.text.len(),
            Seg::Var(..) => 6,
        })
        .sum();
    let mut text = String::with_capacity(size);
    // Where each part of `text` was written, as runs.
    let mut runs: Vec<Run> = Vec::new();
    let mut vars: Vec<&str> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut var_outside = false;
    for seg in segs {
        match seg {
            Seg::Lit(l) => {
                let base = text.len() as u32;
                runs.extend(l.runs.iter().map(|r| Run {
                    text: base + r.text,
                    ..*r
                }));
                text.push_str(&l.text);
                // Only `"` and `\` change whether a template part falls inside a JSON string.
                let b = l.text.as_bytes();
                let mut i = 0;
                if escaped && !b.is_empty() {
                    // The last literal ended in a string with `\`: this one's first character
                    // is escaped (its other bytes are never `"` or `\`).
                    escaped = false;
                    i = 1;
                }
                while let Some(k) = memchr::memchr2(b'"', b'\\', &b[i.min(b.len())..]) {
                    let j = i + k;
                    i = j + 1;
                    match (in_string, b[j]) {
                        (true, b'\\') if j + 1 == b.len() => escaped = true,
                        (true, b'\\') => i = j + 2,
                        (true, _) => in_string = false,
                        (false, b'"') => in_string = true,
                        (false, _) => {}
                    }
                }
            }
            Seg::Var(expr, span) => {
                if vars.len() >= MAX_PLACEHOLDERS {
                    return Parsed {
                        root: None,
                        error: None,
                    };
                }
                let ph = char::from_u32(PLACEHOLDER + vars.len() as u32).unwrap_or('\u{FFFC}');
                vars.push(expr);
                runs.push(Run {
                    text: text.len() as u32,
                    file: *span,
                    linear: false,
                });
                escaped = false;
                if in_string {
                    // "arn:aws:s3:::${var.bucket}/*"
                    text.push(ph);
                } else {
                    // "Resource": ${jsonencode(var.arns)}
                    var_outside = true;
                    text.push('"');
                    text.push(ph);
                    text.push('"');
                }
            }
        }
    }
    let map = |s: Span| remap(&runs, s);
    match json::parse(&text, 0) {
        Ok(root) => Parsed {
            root: root.map(|n| finish(n, &map, &vars)),
            error: None,
        },
        Err(e) => {
            let root = e.recovered.map(|n| finish(n, &map, &vars));
            let error = (!var_outside).then(|| JsonError {
                span: map(e.span),
                message: e.message,
                recovered: None,
            });
            Parsed { root, error }
        }
    }
}

/// Maps the tree's spans to the file and turns placeholders back into unknown parts.
fn finish(mut n: Node, map: &impl Fn(Span) -> Span, vars: &[&str]) -> Node {
    n.span = map(n.span);
    n.value = match n.value {
        Value::Str(t) => Value::Str(match t.literal() {
            Some(s) if s.chars().any(is_placeholder) => split(s, vars),
            _ => t,
        }),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|i| finish(i, map, vars)).collect())
        }
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|mut e| {
                    e.key.span = map(e.key.span);
                    e.value = finish(e.value, map, vars);
                    e
                })
                .collect(),
        ),
        other => other,
    };
    n
}

fn is_placeholder(c: char) -> bool {
    (PLACEHOLDER..PLACEHOLDER + MAX_PLACEHOLDERS as u32).contains(&(c as u32))
}

fn split(s: &str, vars: &[&str]) -> Text {
    let mut t = TextBuilder::default();
    let mut lit = String::new();
    for c in s.chars() {
        if is_placeholder(c) {
            t.push(Part::Lit(std::mem::take(&mut lit)));
            let i = (c as u32 - PLACEHOLDER) as usize;
            t.push(Part::Var(vars.get(i).copied().unwrap_or("").to_string()));
        } else {
            lit.push(c);
        }
    }
    t.push(Part::Lit(lit));
    t.finish()
}

/// Characters of a heredoc literal as written at `start`: only the template escapes `$${` and
/// `%%{` differ from the text (heredocs have no backslash escapes). The character-by-character
/// reference that [`heredoc_lit`] is tested against.
#[cfg(test)]
pub fn heredoc_chars(raw: &str, start: usize, out: &mut Vec<(char, Span)>) {
    out.reserve(raw.len());
    let mut it = raw.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let at = start + i;
        if (c == '$' || c == '%') && raw[i + 1..].starts_with([c]) && raw[i + 2..].starts_with('{')
        {
            // `$${` is a literal `${`
            it.next();
            out.push((c, Span::new(at, at + 2)));
            continue;
        }
        out.push((c, Span::new(at, at + c.len_utf8())));
    }
}

/// A heredoc literal written at `start`, as a [`Lit`] built a run at a time: only the template
/// escapes `$${` and `%%{` (one character from two bytes) differ from the text.
pub fn heredoc_lit(raw: &str, start: usize) -> Lit {
    let mut l = Lit::default();
    let b = raw.as_bytes();
    let mut from = 0;
    for i in memchr::memchr2_iter(b'$', b'%', b) {
        if i < from {
            continue;
        }
        let c = b[i];
        if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') {
            // `$${` is a literal `${`
            l.push_str(&raw[from..i], start + from);
            l.push(char::from(c), Span::new(start + i, start + i + 2));
            from = i + 2;
        }
    }
    l.push_str(&raw[from..], start + from);
    l
}

/// Characters of a quoted string's literal text written at `start` (between the quotes): HCL and
/// JSON backslash escapes, plus `$${`/`%%{` when `template_escapes`. `None` for an escape that
/// is not valid, so the caller skips the string rather than guessing.
pub fn quoted_chars(
    raw: &str,
    start: usize,
    template_escapes: bool,
    out: &mut Vec<(char, Span)>,
) -> Option<()> {
    out.reserve(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i..].chars().next()?;
        let at = start + i;
        if c == '\\' {
            let (ch, len) = backslash(raw, i, b"U")?;
            out.push((ch, Span::new(at, at + len)));
            i += len;
            continue;
        }
        if template_escapes
            && (c == '$' || c == '%')
            && raw[i + 1..].starts_with([c])
            && raw[i + 2..].starts_with('{')
        {
            out.push((c, Span::new(at, at + 2)));
            i += 2;
            continue;
        }
        out.push((c, Span::new(at, at + c.len_utf8())));
        i += c.len_utf8();
    }
    Some(())
}

/// Splits already-decoded characters (a `.tf.json` string) into literal text and template parts.
/// `$${` and `%%{` are literal; `${…}` and `%{…}` end at the matching `}` outside quoted strings.
pub fn split_template(chars: &[(char, Span)]) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut lit: Vec<(char, Span)> = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).map(|&(c, _)| c);
    while i < chars.len() {
        let c = chars[i].0;
        let opens = (c == '$' || c == '%') && at(i + 1) == Some('{');
        if (c == '$' || c == '%') && at(i + 1) == Some(c) && at(i + 2) == Some('{') {
            // `$${`: a literal `${`
            let s = chars[i].1.cover(chars[i + 1].1);
            lit.push((c, s));
            i += 2;
            continue;
        }
        if !opens {
            lit.push(chars[i]);
            i += 1;
            continue;
        }
        let Some(end) = template_end(chars, i + 2) else {
            // An unclosed `${`: the rest is text, as Terraform would reject it anyway.
            lit.extend_from_slice(&chars[i..]);
            break;
        };
        if !lit.is_empty() {
            segs.push(Seg::Lit(Lit::from_chars(&std::mem::take(&mut lit))));
        }
        let expr: String = chars[i + 2..end].iter().map(|&(c, _)| c).collect();
        let expr = expr.trim_matches(|c: char| c.is_whitespace() || c == '~');
        segs.push(Seg::Var(
            normalize_expr(expr),
            chars[i].1.cover(chars[end].1),
        ));
        i = end + 1;
    }
    if !lit.is_empty() {
        segs.push(Seg::Lit(Lit::from_chars(&lit)));
    }
    segs
}

/// Index of the `}` that closes a template part whose body starts at `from`.
fn template_end(chars: &[(char, Span)], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (j, &(c, _)) in chars.iter().enumerate().skip(from) {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '{' => depth += 1,
            '}' if depth == 0 => return Some(j),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// An expression's text as shown in messages: runs of white space (a multi-line `for`) as one space.
pub fn normalize_expr(s: &str) -> String {
    if !s.contains(['\n', '\r', '\t']) && !s.contains("  ") {
        return s.to_string();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The literal text and template parts of segments, as a [`Text`].
pub fn text_of(segs: &[Seg]) -> Text {
    let mut t = TextBuilder::default();
    for s in segs {
        match s {
            Seg::Lit(l) => t.push(Part::Lit(l.text.clone())),
            Seg::Var(v, _) => t.push(Part::Var(v.clone())),
        }
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(raw: &str, start: usize) -> Seg {
        let mut v = Vec::new();
        heredoc_chars(raw, start, &mut v);
        let l = Lit::from_chars(&v);
        assert_eq!(heredoc_lit(raw, start), l, "{raw}");
        Seg::Lit(l)
    }

    /// A heredoc read where it stands gives what joining, parsing and mapping back gives: the
    /// same tree, the same error, the same spans.
    #[test]
    fn a_plain_heredoc_is_read_in_place() {
        let cases = [
            "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\"}]}\n",
            "  {\n    \"Statement\": []\n  }\n",
            "{\"Resource\": \"arn:aws:s3:::b/\\u00e9\", \"é\": [1, 2.5, true, null]}",
            "{\"Statement\": [,]}",
            "{\"a\": 1, // comment\n}",
            "{\"a\": \"unterminated}",
        ];
        for (i, raw) in cases.iter().enumerate() {
            let segs = vec![lit(raw, 40 + i)];
            let Seg::Lit(l) = &segs[0] else {
                unreachable!()
            };
            assert_eq!(l.runs.len(), 1, "{raw}: one linear run, so read in place");
            let (fast, general) = (parse(&segs), assemble_and_parse(&segs));
            assert_eq!(fast.root, general.root, "{raw}");
            let error = |p: &Parsed| p.error.as_ref().map(|e| (e.span, e.message.clone()));
            assert_eq!(error(&fast), error(&general), "{raw}");
        }
    }

    #[test]
    fn placeholders_map_back_to_vars_and_file_offsets() {
        // {"Resource": "arn:${var.b}/*", "X": ${f(x)}}   written at offset 100
        let segs = vec![
            lit("{\"Resource\": \"arn:", 100),
            Seg::Var("var.b".into(), Span::new(118, 126)),
            lit("/*\", \"X\": ", 126),
            Seg::Var("f(x)".into(), Span::new(136, 143)),
            lit("}", 143),
        ];
        let p = parse(&segs);
        assert!(p.error.is_none());
        let root = p.root.unwrap();
        assert_eq!(root.span, Span::new(100, 144));
        let r = root.get("Resource").unwrap();
        assert_eq!(r.span, Span::new(113, 129));
        assert_eq!(r.text().unwrap().display(), "arn:${var.b}/*");
        let x = root.get("X").unwrap();
        assert_eq!(x.span, Span::new(136, 143));
        assert!(x.is_unknown());
        assert_eq!(root.entry("X").unwrap().key.span, Span::new(131, 134));
    }

    #[test]
    fn escapes_decide_whether_a_part_is_inside_a_string() {
        // {"A": "a\\", "B": ${v}}: the string ends before the part, which is a whole value.
        let segs = vec![
            lit(r#"{"A": "a\\", "B": "#, 0),
            Seg::Var("v".into(), Span::new(18, 22)),
            lit("}", 22),
        ];
        let root = parse(&segs).root.unwrap();
        assert!(root.get("B").unwrap().is_unknown());
        // {"A": "x\"${v}"}: an escaped quote, across two literals; the part is in the string.
        let segs = vec![
            lit(r#"{"A": "x\"#, 0),
            lit("\"", 9),
            Seg::Var("v".into(), Span::new(10, 14)),
            lit("\"}", 14),
        ];
        let root = parse(&segs).root.unwrap();
        let a = root.get("A").unwrap();
        assert_eq!(a.text().unwrap().display(), "x\"${v}");
        assert_eq!(a.span, Span::new(6, 15));
        // The same in one literal.
        let segs = vec![
            lit(r#"{"A": "x\""#, 0),
            Seg::Var("v".into(), Span::new(10, 14)),
            lit("\"}", 14),
        ];
        let a = parse(&segs).root.unwrap().get("A").unwrap().clone();
        assert_eq!(a.text().unwrap().display(), "x\"${v}");
    }

    #[test]
    fn quoted_escapes_keep_their_file_width() {
        // "{\"A\": \"x\"}" between the quotes, at offset 10
        let raw = r#"{\"A\": \"x\u0041\"}"#;
        let mut chars = Vec::new();
        quoted_chars(raw, 10, true, &mut chars).unwrap();
        let root = parse(&[Seg::Lit(Lit::from_chars(&chars))]).root.unwrap();
        let a = root.get("A").unwrap();
        assert_eq!(a.literal(), Some("xA"));
        let at = raw.find(r#"\"x"#).unwrap();
        assert_eq!(a.span, Span::new(10 + at, 10 + raw.len() - 1));
        assert!(quoted_chars(r"\q", 0, true, &mut Vec::new()).is_none());
    }

    #[test]
    fn template_escapes_are_literal() {
        let mut chars = Vec::new();
        heredoc_chars("a$${b}c", 0, &mut chars);
        assert_eq!(chars.iter().map(|c| c.0).collect::<String>(), "a${b}c");
        assert_eq!(chars[1].1, Span::new(1, 3));
        let mut chars = Vec::new();
        quoted_chars(r#"x${a["}"]}y$${z}"#, 0, false, &mut chars).unwrap();
        let segs = split_template(&chars);
        assert_eq!(text_of(&segs).display(), "x${a[\"}\"]}y${z}");
        assert_eq!(segs.len(), 3);
    }

    #[test]
    fn errors_are_reported_only_without_outside_parts() {
        let p = parse(&[lit("{\"A\": ,}", 5)]);
        assert_eq!(p.error.unwrap().span.start, 11);
        let p = parse(&[
            lit("{", 0),
            Seg::Var("local.x".into(), Span::new(1, 11)),
            lit("}", 11),
        ]);
        assert!(p.error.is_none() && p.root.is_none());
    }
}
