//! Terraform's native syntax (`.tf`), read by `parser` into blocks and expressions that keep the
//! byte range of every block, attribute, literal and template part. Expressions become the shared
//! [`Node`] tree: literals as they are, anything Terraform computes (`var.x`,
//! `aws_s3_bucket.b.arn`, function calls, conditionals, `for` expressions) as a [`Part::Var`]
//! holding the expression as written.
//!
//! The parser is this project's own: hcl-edit (which it replaced) builds a full editable syntax
//! tree with its own allocations for every token and backtracks through alternatives, which made
//! it about half of the time iamlint spends on a Terraform tree, and its reparsing of unclosed
//! parentheses grows exponentially with their depth. The tests check this parser against
//! hcl-edit on every `.tf` file of the repository and on generated input.

pub mod embedded;
mod parser;
#[cfg(test)]
mod tests;

use std::ops::Range;

use crate::source::Span;
use crate::syntax::tree::{Entry, Key, Node, Part, Text, TextBuilder, Value};
use embedded::{Lit, Seg};

/// One Terraform block (`resource "aws_iam_role" "app" { … }`), whatever syntax it was written in.
#[derive(Debug)]
pub struct Block {
    /// `resource`, `data`, `statement`, `dynamic`…
    pub ident: String,
    pub ident_span: Span,
    pub labels: Vec<String>,
    pub span: Span,
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

#[derive(Debug)]
pub struct Attr {
    pub name: String,
    pub key_span: Span,
    pub value: Val,
}

/// An argument's value, read as far as a policy needs.
#[derive(Debug)]
pub enum Val {
    /// `jsonencode(<expr>)`: the argument as data.
    Jsonencode(Node),
    /// Anything else as data; a string whose text may be JSON also as [`Seg`]ments.
    Data { node: Node, json: Option<Vec<Seg>> },
}

impl Val {
    /// The value as data; `jsonencode(…)` is a string Terraform computes.
    pub fn node(&self) -> Node {
        match self {
            Val::Data { node, .. } => node.clone(),
            Val::Jsonencode(n) => Node {
                span: n.span,
                value: Value::Str(Text::var("jsonencode(…)")),
            },
        }
    }
}
use parser::{Elem, Expr, Item, KeyKind, Kind};

#[cfg(test)]
use parser::MAX_DEPTH;

/// A syntax error: where (file offset) and what.
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
    /// Perhaps valid HCL, but nested deeper than `parser::MAX_DEPTH`.
    pub over_limit: bool,
}

/// The parsed text and where it starts in the file (after a byte order mark).
struct Cx<'a> {
    src: &'a str,
    base: usize,
}

impl Cx<'_> {
    fn span(&self, r: &Range<usize>) -> Span {
        Span::new(self.base + r.start, self.base + r.end)
    }

    fn slice(&self, r: &Range<usize>) -> &str {
        &self.src[r.clone()]
    }
}

/// Parses `src` (written at file offset `base`) and reads the top-level blocks `keep` selects by
/// type and labels (`resource`, `["aws_iam_role", "app"]`).
pub fn read(
    src: &str,
    base: usize,
    keep: impl Fn(&str, &[String]) -> bool,
) -> Result<Vec<Block>, SyntaxError> {
    let items = parser::Parser::new(src)
        .file(&keep)
        .map_err(|e| SyntaxError {
            offset: base + e.offset,
            message: e.message,
            over_limit: e.over_limit,
        })?;
    let cx = Cx { src, base };
    Ok(items
        .into_iter()
        .filter_map(|item| match item {
            Item::Block {
                ident,
                labels,
                span,
                body: Some(body),
            } => Some(block(&cx, ident, labels, span, body)),
            _ => None,
        })
        .collect())
}

fn block(
    cx: &Cx,
    ident: Range<usize>,
    labels: Vec<String>,
    span: Range<usize>,
    body: Vec<Item>,
) -> Block {
    let mut out = Block {
        ident: cx.slice(&ident).to_string(),
        ident_span: cx.span(&ident),
        labels,
        span: cx.span(&span),
        attrs: Vec::new(),
        blocks: Vec::new(),
    };
    for item in body {
        match item {
            Item::Attr { name, value } => out.attrs.push(Attr {
                name: cx.slice(&name).to_string(),
                key_span: cx.span(&name),
                value: val(cx, value),
            }),
            Item::Block {
                ident,
                labels,
                span,
                body,
            } => out
                .blocks
                .push(block(cx, ident, labels, span, body.unwrap_or_default())),
        }
    }
    out
}

/// The value of a quoted string's raw text (`quoted`: `\` escapes apply) or a heredoc's.
fn unescape(raw: &str, escaped: bool, quoted: bool) -> String {
    if !escaped {
        return raw.to_string();
    }
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    // Text from `done` on is not copied yet; the next byte that may start an escape is looked
    // for from `at` on.
    let (mut done, mut at) = (0, 0);
    loop {
        let next = if quoted {
            memchr::memchr3(b'$', b'%', b'\\', &b[at..])
        } else {
            memchr::memchr2(b'$', b'%', &b[at..])
        };
        let Some(n) = next else { break };
        let i = at + n;
        let c = b[i];
        if c == b'\\' {
            let rest = &raw[i..];
            let (ch, len) = match b.get(i + 1) {
                Some(b'n') => ('\n', 2),
                Some(b'r') => ('\r', 2),
                Some(b't') => ('\t', 2),
                Some(b'u') => (hex(&rest[2..6]), 6),
                Some(b'U') => (hex(&rest[2..10]), 10),
                // `\"`, `\\` (the parser has refused every other escape)
                _ => (rest[1..].chars().next().unwrap_or('\\'), 2),
            };
            out.push_str(&raw[done..i]);
            out.push(ch);
            done = i + len;
            at = done;
        } else if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') {
            // `$${` is a literal `${`
            out.push_str(&raw[done..i]);
            out.push(char::from(c));
            out.push('{');
            done = i + 3;
            at = done;
        } else {
            at = i + 1;
        }
    }
    out.push_str(&raw[done..]);
    out
}

/// A `\u`/`\U` escape's digits (checked by the parser).
fn hex(digits: &str) -> char {
    u32::from_str_radix(digits, 16)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn val(cx: &Cx, e: Expr) -> Val {
    match e.kind {
        // policy = jsonencode({ Version = "2012-10-17", Statement = [ … ] })
        Kind::Call {
            name,
            namespaced: false,
            mut args,
        } if cx.slice(&name) == "jsonencode" && args.len() == 1 => {
            Val::Jsonencode(node(cx, args.swap_remove(0)))
        }
        // policy = (jsonencode({…}))
        Kind::Paren(inner) => val(cx, *inner),
        // policy = "{\"Statement\": …}", policy = <<EOF … EOF
        Kind::Str { .. } | Kind::Template { .. } => {
            let json = may_be_json(cx, &e)
                .then(|| segments(cx, &e))
                .flatten()
                .filter(|s| embedded::looks_like_json(s));
            Val::Data {
                node: node(cx, e),
                json,
            }
        }
        _ => Val::Data {
            node: node(cx, e),
            json: None,
        },
    }
}

/// Could the string's text start (after white space) with `{`, as [`embedded::looks_like_json`]
/// asks? Read on the source, before any string is built: a literal reads as written up to its
/// first other character unless that is a `\` escape (then: maybe).
fn may_be_json(cx: &Cx, e: &Expr) -> bool {
    let first = |raw: &Range<usize>| {
        let c = cx.slice(raw).chars().find(|c| !c.is_whitespace())?;
        Some(c == '{' || c == '\\')
    };
    match &e.kind {
        Kind::Str { raw, .. } => first(raw).unwrap_or(false),
        Kind::Template { elems, .. } => {
            for el in elems {
                match el {
                    Elem::Lit { raw, .. } => {
                        if let Some(answer) = first(raw) {
                            return answer;
                        }
                    }
                    _ => return false,
                }
            }
            false
        }
        _ => false,
    }
}

/// A string expression's characters and template parts, with file ranges.
fn segments(cx: &Cx, e: &Expr) -> Option<Vec<Seg>> {
    match &e.kind {
        // "{\"Version\": \"2012-10-17\"}"
        Kind::Str { raw, .. } => {
            let mut chars = Vec::new();
            embedded::quoted_chars(cx.slice(raw), cx.base + raw.start, true, &mut chars)?;
            Some(vec![Seg::Lit(Lit::from_chars(&chars))])
        }
        // "{\"Resource\": \"${aws_s3_bucket.b.arn}/*\"}", <<EOF … EOF
        Kind::Template { elems, heredoc } => {
            let mut segs = Vec::with_capacity(elems.len());
            for el in elems {
                match el {
                    Elem::Lit { raw, .. } => {
                        let (text, at) = (cx.slice(raw), cx.base + raw.start);
                        let lit = if heredoc.is_some() {
                            embedded::heredoc_lit(text, at)
                        } else {
                            let mut chars = Vec::new();
                            embedded::quoted_chars(text, at, true, &mut chars)?;
                            Lit::from_chars(&chars)
                        };
                        segs.push(Seg::Lit(lit));
                    }
                    Elem::Interp { span, expr } => segs.push(Seg::Var(
                        embedded::normalize_expr(cx.slice(expr)),
                        cx.span(span),
                    )),
                    // %{ if var.x }…%{ endif }
                    Elem::Directive { span } => segs.push(Seg::Var(
                        embedded::normalize_expr(cx.slice(span)),
                        cx.span(span),
                    )),
                }
            }
            Some(segs)
        }
        _ => None,
    }
}

/// An expression as data. Anything not literal is one unknown part holding its text.
fn node(cx: &Cx, e: Expr) -> Node {
    let span = cx.span(&e.span);
    let value = match e.kind {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(b),
        Kind::Number => Value::Number(cx.slice(&e.span).to_string()),
        Kind::Str {
            raw,
            escaped: false,
        } => Value::Str(Text::lit(cx.slice(&raw))),
        Kind::Str { raw, escaped: true } => {
            Value::Str(Text::lit(unescape(cx.slice(&raw), true, true)))
        }
        Kind::Array(items) => Value::Array(items.into_iter().map(|i| node(cx, i)).collect()),
        // { Effect = "Allow", "Action" = [ … ] }
        Kind::Object(items) => Value::Object(
            items
                .into_iter()
                .map(|(k, v)| Entry {
                    key: key(cx, k),
                    value: node(cx, v),
                })
                .collect(),
        ),
        // "arn:aws:s3:::${var.bucket}/*", <<EOF … EOF
        Kind::Template { elems, heredoc } => Value::Str(template_text(cx, &elems, heredoc)),
        // ("s3:GetObject")
        Kind::Paren(inner) => return node(cx, *inner),
        // var.actions, aws_s3_bucket.b.arn, concat(…), var.x ? "a" : "b", [for …]
        Kind::Call { .. } | Kind::Other => {
            Value::Str(Text::var(embedded::normalize_expr(cx.slice(&e.span))))
        }
    };
    Node { span, value }
}

fn key(cx: &Cx, k: parser::Key) -> Key {
    let name = match k.kind {
        // Effect = …
        KeyKind::Ident => cx.slice(&k.span).into(),
        // "Effect" = …
        KeyKind::Str {
            raw,
            escaped: false,
        } => cx.slice(&raw).into(),
        KeyKind::Str { raw, escaped: true } => unescape(cx.slice(&raw), true, true).into(),
        // (var.key) = …: not a policy element name; kept as written
        KeyKind::Other => embedded::normalize_expr(cx.slice(&k.span)).into(),
    };
    Key {
        name,
        span: cx.span(&k.span),
    }
}

/// A template's text: literals decoded (and for `<<-`, their common indentation removed),
/// template parts as unknown.
fn template_text(cx: &Cx, elems: &[Elem], heredoc: Option<bool>) -> Text {
    let mut lits: Vec<String> = elems
        .iter()
        .filter_map(|el| match el {
            Elem::Lit { raw, escaped } => {
                Some(unescape(cx.slice(raw), *escaped, heredoc.is_none()))
            }
            _ => None,
        })
        .collect();
    if heredoc == Some(true) {
        dedent(elems, &mut lits);
    }
    let mut lits = lits.into_iter();
    let mut t = TextBuilder::default();
    for el in elems {
        match el {
            Elem::Lit { .. } => t.push(Part::Lit(lits.next().unwrap_or_default())),
            Elem::Interp { expr, .. } => {
                t.push(Part::Var(embedded::normalize_expr(cx.slice(expr))));
            }
            Elem::Directive { span } => t.push(Part::Var(embedded::normalize_expr(cx.slice(span)))),
        }
    }
    t.finish()
}

/// `text.split('\n')`, found with `memchr`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut from = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .map(Some)
        .chain([None])
        .map(move |end| {
            let line = &text[from..end.unwrap_or(text.len())];
            from = end.map_or(text.len(), |e| e + 1);
            line
        })
}

/// Removes from every line of a `<<-` heredoc the white space all its non-empty lines start
/// with. A line that starts with a template part has none, so nothing is removed then.
fn dedent(elems: &[Elem], lits: &mut [String]) {
    // Does each literal start a line (the first element, or one after a literal ending in `\n`)?
    let mut starts_line = Vec::with_capacity(lits.len());
    let mut at_line_start = true;
    let mut min: Option<usize> = None;
    let mut lit = 0;
    for el in elems {
        if let Elem::Lit { .. } = el {
            let text = &lits[lit];
            starts_line.push(at_line_start);
            let last_line = memchr::memchr_iter(b'\n', text.as_bytes()).count();
            for (i, line) in lines(text).enumerate() {
                let line_start = i > 0 || at_line_start;
                let is_last = i == last_line;
                // An empty line, or the empty rest after the last `\n`, sets no indentation
                // unless a template part follows on it.
                if !line_start || (line.is_empty() && (!is_last || lit + 1 == lits.len())) {
                    continue;
                }
                let ascii = line
                    .bytes()
                    .take_while(|b| b.is_ascii_whitespace() || *b == 0x0b)
                    .count();
                let ws = match line.as_bytes().get(ascii) {
                    Some(b) if !b.is_ascii() => {
                        ascii
                            + line[ascii..]
                                .chars()
                                .take_while(|c| c.is_whitespace())
                                .count()
                    }
                    _ => ascii,
                };
                min = Some(min.map_or(ws, |m| m.min(ws)));
            }
            at_line_start = text.ends_with('\n');
            lit += 1;
        } else {
            if at_line_start {
                min = Some(0);
            }
            at_line_start = false;
        }
    }
    let n = min.unwrap_or(0);
    if n == 0 {
        return;
    }
    for (text, first_starts) in lits.iter_mut().zip(starts_line) {
        let mut out = String::with_capacity(text.len());
        for (i, line) in lines(text).enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if i > 0 || first_starts {
                let ascii = n.min(line.len());
                let cut = if line.as_bytes()[..ascii].is_ascii() {
                    ascii
                } else {
                    line.char_indices().nth(n).map_or(line.len(), |(i, _)| i)
                };
                out.push_str(&line[cut..]);
            } else {
                out.push_str(line);
            }
        }
        *text = out;
    }
}
