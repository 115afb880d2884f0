//! Terraform's native syntax (`.tf`) read with `hcl-edit`, whose parser keeps the byte span of every
//! block, attribute, expression and template part. Expressions become the shared [`Node`] tree:
//! literals as they are, anything Terraform computes (`var.x`, `aws_s3_bucket.b.arn`, function
//! calls, conditionals, `for` expressions) as a [`Part::Var`] holding the expression as written.

use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{self, BlockLabel, Structure};
use hcl_edit::template::Element;

use super::embedded::{self, Seg};
use super::{Attr, Block, Val};
use crate::extract::tree::{Entry, Key, Node, Part, Text, Value};
use crate::source::Span;

/// The parsed text and where it starts in the file (after a byte order mark).
struct Cx<'a> {
    src: &'a str,
    base: usize,
}

impl Cx<'_> {
    fn span(&self, r: Option<Range<usize>>) -> Span {
        let r = r.unwrap_or(0..0);
        Span::new(self.base + r.start, self.base + r.end)
    }

    fn slice(&self, r: Option<Range<usize>>) -> &str {
        r.and_then(|r| self.src.get(r)).unwrap_or("")
    }
}

/// A syntax error: where (file offset) and what.
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
    /// Not an error in HCL, but input iamlint declines to parse ([`MAX_PAREN_DEPTH`]).
    pub over_limit: bool,
}

/// Parentheses and template interpolations nested deeper than this stop the file before hcl-edit
/// sees it. On a file that breaks off inside them, its parser reparses each level twice:
/// `a = (b + c + (b + c + …` or `"${b + c + "${b + c + …` takes a second at 16 levels and hours
/// at 40. (Brackets and braces do not do this.) Real expressions stay well under 10.
pub const MAX_PAREN_DEPTH: usize = 12;

/// Where `(`, `${` and `%{` first nest deeper than [`MAX_PAREN_DEPTH`], counting only those HCL
/// reads as syntax: comments, quoted strings and heredocs are skipped, but the interpolations in
/// them are expressions again. `None` also when brackets do not match: hcl-edit reports that
/// quickly.
fn deep_parens(src: &str) -> Option<usize> {
    enum Frame<'a> {
        /// `(`, `[`, `{`, with the byte that closes it.
        Open(u8),
        /// `${` or `%{` in a template, closed by `}`.
        Interp,
        Quoted,
        Heredoc(&'a str),
    }
    let b = src.as_bytes();
    let line_end = |i: usize| {
        b[i..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |n| i + n)
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        match stack.last() {
            Some(Frame::Heredoc(marker)) if i == 0 || b[i - 1] == b'\n' => {
                let end = line_end(i);
                if src[i..end].trim() == *marker {
                    stack.pop();
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        match (stack.last(), b[i]) {
            // "…\"…", an escaped quote or backslash
            (Some(Frame::Quoted), b'\\') => i += 1,
            // hcl-edit lets a quoted string run over line breaks, and so does this count.
            (Some(Frame::Quoted), b'"') => {
                stack.pop();
            }
            // "$${literal}", "%%{literal}"
            (Some(Frame::Quoted | Frame::Heredoc(_)), b'$' | b'%') if next == Some(b[i]) => i += 1,
            // "arn:${var.partition}:s3", "%{ if var.x }"
            (Some(Frame::Quoted | Frame::Heredoc(_)), b'$' | b'%') if next == Some(b'{') => {
                depth += 1;
                if depth > MAX_PAREN_DEPTH {
                    return Some(i);
                }
                stack.push(Frame::Interp);
                i += 1;
            }
            (Some(Frame::Quoted | Frame::Heredoc(_)), _) => {}
            // # comment, // comment
            (_, b'#') => i = line_end(i),
            (_, b'/') if next == Some(b'/') => i = line_end(i),
            // /* comment */
            (_, b'/') if next == Some(b'*') => {
                i = src[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 1);
            }
            (_, b'"') => stack.push(Frame::Quoted),
            // <<EOF, <<-EOT
            (_, b'<') if next == Some(b'<') => {
                let end = line_end(i);
                let marker = src[i + 2..end].trim_start_matches('-').trim_end();
                if !marker.is_empty()
                    && marker
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
                {
                    stack.push(Frame::Heredoc(marker));
                    i = end;
                } else {
                    i += 1;
                }
            }
            (_, b'(') => {
                depth += 1;
                if depth > MAX_PAREN_DEPTH {
                    return Some(i);
                }
                stack.push(Frame::Open(b')'));
            }
            (_, b'[') => stack.push(Frame::Open(b']')),
            (_, b'{') => stack.push(Frame::Open(b'}')),
            (_, c @ (b')' | b']' | b'}')) => match stack.pop() {
                Some(Frame::Open(close)) if close == c => depth -= usize::from(c == b')'),
                Some(Frame::Interp) if c == b'}' => depth -= 1,
                _ => return None,
            },
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses `src` (written at file offset `base`) and reads the top-level blocks `keep` selects by
/// type and labels (`resource`, `["aws_iam_role", "app"]`).
pub fn read(
    src: &str,
    base: usize,
    keep: impl Fn(&str, &[String]) -> bool,
) -> Result<Vec<Block>, SyntaxError> {
    if let Some(at) = deep_parens(src) {
        return Err(SyntaxError {
            offset: base + at,
            message: format!(
                "parentheses and `${{…}}` nested more than {MAX_PAREN_DEPTH} levels deep"
            ),
            over_limit: true,
        });
    }
    let body = hcl_edit::parser::parse_body(src).map_err(|e| SyntaxError {
        offset: base + e.location().offset(),
        message: e.message().to_string(),
        over_limit: false,
    })?;
    let cx = Cx { src, base };
    Ok(body
        .blocks()
        .filter_map(|b| {
            let labels = label_texts(b);
            keep(b.ident.as_str(), &labels).then(|| block(&cx, b, labels))
        })
        .collect())
}

fn label_texts(b: &structure::Block) -> Vec<String> {
    b.labels
        .iter()
        .map(|l| match l {
            BlockLabel::Ident(i) => i.as_str().to_string(),
            BlockLabel::String(s) => s.value().clone(),
        })
        .collect()
}

fn block(cx: &Cx, b: &structure::Block, labels: Vec<String>) -> Block {
    let mut out = Block {
        ident: b.ident.as_str().to_string(),
        ident_span: cx.span(b.ident.span()),
        labels,
        span: cx.span(b.span()),
        attrs: Vec::new(),
        blocks: Vec::new(),
    };
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => out.attrs.push(Attr {
                name: a.key.as_str().to_string(),
                key_span: cx.span(a.key.span()),
                value: val(cx, &a.value),
            }),
            Structure::Block(inner) => {
                let l = label_texts(inner);
                out.blocks.push(block(cx, inner, l));
            }
        }
    }
    out
}

fn val(cx: &Cx, e: &Expression) -> Val {
    match e {
        // policy = jsonencode({ Version = "2012-10-17", Statement = [ … ] })
        Expression::FuncCall(f)
            if f.name.namespace.is_empty()
                && f.name.name.as_str() == "jsonencode"
                && f.args.len() == 1 =>
        {
            match f.args.get(0) {
                Some(arg) => Val::Jsonencode(node(cx, arg)),
                None => Val::Data {
                    node: node(cx, e),
                    json: None,
                },
            }
        }
        // policy = (jsonencode({…}))
        Expression::Parenthesis(p) => val(cx, p.inner()),
        // policy = "{\"Statement\": …}", policy = <<EOF … EOF
        Expression::String(_) | Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
            let json = segments(cx, e).filter(|s| embedded::looks_like_json(s));
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

/// A string expression's characters and template parts, with file ranges. `None` for a string
/// whose escapes cannot be mapped.
fn segments(cx: &Cx, e: &Expression) -> Option<Vec<Seg>> {
    match e {
        // "{\"Version\": \"2012-10-17\"}"
        Expression::String(s) => {
            let r = s.span()?;
            let inner = cx.src.get(r.start + 1..r.end.checked_sub(1)?)?;
            let mut chars = Vec::new();
            embedded::quoted_chars(inner, cx.base + r.start + 1, true, &mut chars)?;
            Some(vec![Seg::Lit(chars)])
        }
        // "{\"Resource\": \"${aws_s3_bucket.b.arn}/*\"}"
        Expression::StringTemplate(t) => template_segments(cx, t.iter(), false),
        // <<EOF
        // {"Statement": [ … ]}
        // EOF
        Expression::HeredocTemplate(h) => template_segments(cx, h.template.iter(), true),
        _ => None,
    }
}

fn template_segments<'a>(
    cx: &Cx,
    elements: impl Iterator<Item = &'a Element>,
    heredoc: bool,
) -> Option<Vec<Seg>> {
    let mut segs = Vec::new();
    for el in elements {
        let r = el.span()?;
        match el {
            Element::Literal(_) => {
                let raw = cx.src.get(r.clone())?;
                let mut chars = Vec::new();
                if heredoc {
                    embedded::heredoc_chars(raw, cx.base + r.start, &mut chars);
                } else {
                    embedded::quoted_chars(raw, cx.base + r.start, true, &mut chars)?;
                }
                segs.push(Seg::Lit(chars));
            }
            Element::Interpolation(i) => segs.push(Seg::Var(
                embedded::normalize_expr(cx.slice(i.expr.span())),
                cx.span(Some(r)),
            )),
            // %{ if var.x }…%{ endif }
            Element::Directive(_) => segs.push(Seg::Var(
                embedded::normalize_expr(cx.slice(Some(r.clone()))),
                cx.span(Some(r)),
            )),
        }
    }
    Some(segs)
}

/// An expression as data. Anything not literal is one unknown part holding its text.
fn node(cx: &Cx, e: &Expression) -> Node {
    let span = cx.span(e.span());
    let value = match e {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(_) => Value::Number(cx.slice(e.span()).to_string()),
        Expression::String(s) => Value::Str(Text::lit(s.value().as_str())),
        Expression::Array(a) => Value::Array(a.iter().map(|i| node(cx, i)).collect()),
        // { Effect = "Allow", "Action" = [ … ] }
        Expression::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| Entry {
                    key: key(cx, k),
                    value: node(cx, v.expr()),
                })
                .collect(),
        ),
        // "arn:aws:s3:::${var.bucket}/*"
        Expression::StringTemplate(t) => Value::Str(template_text(cx, t.iter())),
        Expression::HeredocTemplate(h) => Value::Str(template_text(cx, h.template.iter())),
        // ("s3:GetObject")
        Expression::Parenthesis(p) => return node(cx, p.inner()),
        // var.actions, aws_s3_bucket.b.arn, concat(…), var.x ? "a" : "b", [for …]
        _ => Value::Str(Text::var(embedded::normalize_expr(cx.slice(e.span())))),
    };
    Node { span, value }
}

fn key(cx: &Cx, k: &ObjectKey) -> Key {
    let name = match k {
        // Effect = …
        ObjectKey::Ident(i) => i.as_str().to_string(),
        // "Effect" = …
        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
        // (var.key) = …: not a policy element name; kept as written
        ObjectKey::Expression(e) => embedded::normalize_expr(cx.slice(e.span())),
    };
    Key {
        name,
        span: cx.span(k.span()),
    }
}

fn template_text<'a>(cx: &Cx, elements: impl Iterator<Item = &'a Element>) -> Text {
    let mut t = Text::default();
    for el in elements {
        match el {
            Element::Literal(l) => t.push(Part::Lit(l.value().clone())),
            Element::Interpolation(i) => {
                t.push(Part::Var(embedded::normalize_expr(cx.slice(i.expr.span()))))
            }
            Element::Directive(_) => {
                t.push(Part::Var(embedded::normalize_expr(cx.slice(el.span()))))
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_parentheses_stop_the_file_before_hcl_edit() {
        // Unclosed, hcl-edit would take minutes: the check answers at once.
        let unclosed = format!("a = {}", "(b + c + ".repeat(40));
        let at = deep_parens(&unclosed).unwrap();
        assert_eq!(at, 4 + 9 * MAX_PAREN_DEPTH);
        let e = read(&unclosed, 3, |_, _| true).err().unwrap();
        assert!(e.over_limit && e.offset == 3 + at, "{}", e.message);
        // At the limit, closed or not, hcl-edit reads it (quickly).
        let at_limit = format!("a = {}x{}", "(b + ".repeat(12), ")".repeat(12));
        assert_eq!(deep_parens(&at_limit), None);
        assert!(read(&at_limit, 0, |_, _| true).is_ok());
    }

    #[test]
    fn parentheses_in_comments_strings_and_heredocs_do_not_count() {
        let deep = "(".repeat(20);
        for text in [
            format!("# {deep}\na = 1\n"),
            format!("// {deep}\na = 1\n"),
            format!("/* {deep}\n */ a = 1\n"),
            format!("a = \"{deep} \\\" {deep}\"\n"),
            format!("a = \"$${{{deep}\"\n"),
            format!("a = <<EOF\n{deep}\nEOF\nb = <<-EOT\n  {deep}\n  EOT\n"),
        ] {
            assert_eq!(deep_parens(&text), None, "{text}");
            assert!(read(&text, 0, |_, _| true).is_ok(), "{text}");
        }
        // Interpolations are expressions again, in strings and heredocs, and count themselves.
        let in_string = format!("a = \"${{{deep}\"\n");
        assert_eq!(deep_parens(&in_string), Some(7 + MAX_PAREN_DEPTH - 1));
        let in_heredoc = format!("a = <<EOF\n${{{deep}}}\nEOF\n");
        assert_eq!(deep_parens(&in_heredoc), Some(12 + MAX_PAREN_DEPTH - 1));
        let templates = format!("a = {}", "\"${b + c + ".repeat(40));
        assert_eq!(deep_parens(&templates), Some(4 + 11 * MAX_PAREN_DEPTH + 1));
        // A comment in an interpolation hides its `}`: the nesting goes on.
        let commented = "a = \"${x # }\n".repeat(2) + "\"${b + c + \"${".repeat(20).as_str();
        assert!(deep_parens(&commented).is_some());
        let closed = format!("a = {}x{}", "\"${".repeat(12), "}\"".repeat(12));
        assert_eq!(deep_parens(&closed), None);
        assert!(read(&closed, 0, |_, _| true).is_ok());
    }
}
