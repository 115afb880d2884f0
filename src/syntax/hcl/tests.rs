//! The parser's tests: unit tests, and a differential check against hcl-edit (the parser this one
//! replaced, kept as a dev-dependency), whose syntax tree is converted the way iamlint did before:
//! on every `.tf` file of the repository and on generated configurations, both must give the
//! same blocks, attributes, values and spans.

use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{self, BlockLabel, Structure};
use hcl_edit::template::Element;
use proptest::prelude::*;

use super::embedded::{self, Lit, Seg};
use super::{Attr, Block, Val};
use super::{MAX_DEPTH, lines, read};
use crate::source::Span;
use crate::syntax::tree::{Entry, Key, Node, Part, Text, TextBuilder, Value};

/// The reference: hcl-edit's tree, converted as iamlint did with it.
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

fn reference(src: &str, keep: impl Fn(&str, &[String]) -> bool) -> Result<Vec<Block>, String> {
    let body = hcl_edit::parser::parse_body(src).map_err(|e| e.message().to_string())?;
    let cx = Cx { src, base: 0 };
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
    for s in &b.body {
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
            Some(vec![Seg::Lit(Lit::from_chars(&chars))])
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
                segs.push(Seg::Lit(Lit::from_chars(&chars)));
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
        name: name.into(),
        span: cx.span(k.span()),
    }
}

fn template_text<'a>(cx: &Cx, elements: impl Iterator<Item = &'a Element>) -> Text {
    let mut t = TextBuilder::default();
    for el in elements {
        match el {
            Element::Literal(l) => t.push(Part::Lit(l.value().clone())),
            Element::Interpolation(i) => {
                t.push(Part::Var(embedded::normalize_expr(cx.slice(i.expr.span()))));
            }
            Element::Directive(_) => {
                t.push(Part::Var(embedded::normalize_expr(cx.slice(el.span()))));
            }
        }
    }
    t.finish()
}

fn all(_: &str, _: &[String]) -> bool {
    true
}

/// Both parsers on `src`: the same blocks, or both an error.
fn agree(src: &str) -> Result<(), TestCaseError> {
    let ours = read(src, 0, all);
    match reference(src, all) {
        Ok(want) => match ours {
            Ok(got) => prop_assert_eq!(format!("{got:#?}"), format!("{want:#?}"), "{}", src),
            Err(e) => prop_assert!(
                false,
                "hcl-edit reads it, we stop at {}: {}\n{}",
                e.offset,
                e.message,
                src
            ),
        },
        // hcl-edit also refuses a body or object that repeats a key: not a syntax error, and
        // iamlint reads such files (Terraform reports them itself).
        Err(why) if why.contains("expected unique") => {}
        Err(why) => prop_assert!(
            ours.is_err(),
            "hcl-edit refuses it ({why}), we read it:\n{src}"
        ),
    }
    Ok(())
}

#[test]
fn lines_are_split_as_str_split_does() {
    for t in ["", "a", "a\n", "\n", "a\nb", "\n\na\n\nb\n", "é\n\tx"] {
        assert_eq!(
            lines(t).collect::<Vec<_>>(),
            t.split('\n').collect::<Vec<_>>(),
            "{t:?}"
        );
    }
}

#[test]
fn every_tf_file_of_the_repository_reads_as_hcl_edit_reads_it() {
    let files = crate::syntax::repository_files(&[".tf"]);
    assert!(files.len() > 25, "{files:?}");
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        if let Err(e) = agree(text) {
            panic!("{}: {e}", f.display());
        }
    }
}

#[test]
fn a_policy_reads_with_spans_into_the_file() {
    let src = "# c\nresource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", \"Action\" = [\"s3:*\"], Resource = \"arn:aws:s3:::${var.b}/*\" }]\n  })\n}\n";
    let blocks = read(src, 3, all).ok().unwrap();
    let [b] = blocks.as_slice() else {
        panic!("{blocks:?}")
    };
    assert_eq!(b.labels, ["aws_iam_policy", "p"]);
    assert_eq!(b.span, Span::new(3 + 4, 3 + src.len() - 1));
    let Val::Jsonencode(doc) = &b.attrs[0].value else {
        panic!("{:?}", b.attrs[0].value)
    };
    let st = &doc.get("Statement").unwrap().items()[0];
    let r = st.get("Resource").unwrap();
    assert_eq!(r.text().unwrap().display(), "arn:aws:s3:::${var.b}/*");
    let at = src.find("\"arn:").unwrap();
    assert_eq!(
        r.span,
        Span::new(3 + at, 3 + at + "\"arn:aws:s3:::${var.b}/*\"".len())
    );
    let key = 3 + src.find("\"Action\"").unwrap();
    assert_eq!(
        st.entry("Action").unwrap().key.span,
        Span::new(key, key + 8)
    );
}

#[test]
fn nesting_deeper_than_the_limit_stops_the_file() {
    for (open, close) in [
        ("(", ")"),
        ("[", "]"),
        ("{a = ", "}"),
        ("\"${", "}\""),
        ("-", ""),
    ] {
        let deep = |n: usize| format!("a = {}1{}\n", open.repeat(n), close.repeat(n));
        // `a = ` is not a level; the attribute's value is.
        assert!(read(&deep(MAX_DEPTH), 0, all).is_ok(), "{open}");
        let e = read(&deep(MAX_DEPTH + 1), 0, all).err().unwrap();
        assert!(e.over_limit, "{open}: {}", e.message);
        assert_eq!(e.message, format!("nesting deeper than {MAX_DEPTH} levels"));
        // Unclosed, at any depth: the answer comes at once.
        if !close.is_empty() {
            let unclosed = format!("a = {}", format!("{open}b + ").repeat(100_000));
            let e = read(&unclosed, 0, all).err().unwrap();
            assert!(e.over_limit, "{open}");
        }
    }
    let blocks = format!(
        "{}{}",
        "a {\n".repeat(MAX_DEPTH + 1),
        "}\n".repeat(MAX_DEPTH + 1)
    );
    assert!(read(&blocks, 0, all).err().unwrap().over_limit);
}

#[test]
fn errors_say_what_was_expected_where() {
    for (src, at, message) in [
        ("a = \n", 4, "expected an expression, found a line break"),
        ("a = \"x\n", 4, "this string is never closed by `\"`"),
        (
            "a = <<EOF\nx\n",
            4,
            "this heredoc is never closed by a `EOF` line",
        ),
        ("a = \"\\q\"", 5, "invalid escape `\\q`"),
        (
            "b \"l\" {\n  a = 1\n",
            16,
            "expected `}` to close the block, found the end of the file",
        ),
        (
            "a = 1 b = 2\n",
            6,
            "expected a line break after the attribute, found `b`",
        ),
        (
            "a = [1 2]\n",
            7,
            "expected `,` or `]` in the list, found `2`",
        ),
        (
            "a = {x 1}\n",
            7,
            "expected `=` or `:` after the object key, found `1`",
        ),
        ("a = \"${x\"\n", 8, "expected `}` to close `${`, found `\"`"),
        (
            "b \"${x}\" {}\n",
            2,
            "a block label cannot hold template parts",
        ),
        (
            "a = \"%{ endif }\"\n",
            5,
            "`%{ endif }` without its `%{ if }`",
        ),
        ("/* x\n", 0, "this comment is never closed by `*/`"),
    ] {
        let e = read(src, 0, all)
            .err()
            .unwrap_or_else(|| panic!("{src:?} reads"));
        assert_eq!(e.offset, at, "{src:?}: {}", e.message);
        assert!(e.message.starts_with(message), "{src:?}: {}", e.message);
        assert!(!e.over_limit);
    }
}

#[test]
fn templates_escapes_and_heredocs_read_as_hcl_edit_reads_them() {
    for src in [
        "a = \"x\\\"y\\\\z\\n\\u00e9\\U0001F600 $${lit} %%{lit}\"\n",
        "a = \"${var.x}-${ ~ local.y ~ }\"\n",
        "a = \"pre %{ if var.a }x${var.b}%{ else }y%{ endif } post\"\n",
        "a = \"%{ for k, v in var.m }${k}=${v},%{ endfor }\"\n",
        "a = <<EOF\n{\"A\": \"${var.x}\"}\nEOF\n",
        // JSON after escaped white space, a `{` written as an escape, after a template part
        "a = \" \\n\\t{\\\"A\\\": 1}\"\nb = \"\\u007B\\\"A\\\": 1}\"\n",
        "a = \" ${var.x}{}\"\nb = \"  {\\\"A\\\": \\\"${var.x}\\\"}\"\nc = \"$${x}\"\n",
        "a = <<EOF\n\n  ${var.x}\nEOF\nb = <<EOF\n  \n  {}\nEOF\n",
        "a = <<-EOT\n    one\n      two ${x}\n\n    three\n    EOT\n",
        "a = <<-EOT\n  ${x}\n    y\n  EOT\n",
        "a = <<-EOT\n    x $${y} %{ if z }w%{ endif }\n  EOT\n",
        "a = <<EOF\r\nx\r\nEOF\r\n",
        "a = <<EOF\nEOF\n",
        "a = jsonencode(<<EOF\n{}\nEOF\n)\n",
        "locals {\n  p = { for k, v in var.m : k => v... if v != null }\n  q = [for x in var.l : upper(x)]\n}\n",
        "a = var.x ? [1, 2,] : {b = 1, c: 2}\n",
        "a = !var.b && -1 < 2 || x == y\n",
        "a = aws_s3_bucket.b[*].arn\nb = x.0.y[\"k\"].*.z\n",
        "a = provider::aws::arn_parse(\"arn:aws:s3:::b\").service\n",
        "a = concat(var.a, [\"x\"], var.rest...)\n",
        "a = (\"s3:GetObject\")\nb = ( jsonencode({}) )\n",
        "a = {\n  (var.k) = 1\n  \"${var.j}\" = 2\n  \"q\\\"uoted\" = 3 # c\n  // c\n  /* c */ d = 4\n}\n",
        "a = 1.5e+3\nb = 0.25\nc = null\nd = true\n",
        "b x \"y\" { a = 1 }\nc { }\n",
        "b {\n  a = [\n    1, # one\n    2\n  ]\n}\n",
    ] {
        // Also inside a block: only blocks are converted, so values are compared there.
        for src in [src.to_string(), format!("r {{\n{src}}}\n")] {
            if let Err(e) = agree(&src) {
                panic!("{e}");
            }
        }
    }
}

/// Generated configurations: what Terraform files hold, in many shapes.
fn expr(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        "[0-9]{1,3}(\\.[0-9]{1,2})?",
        "[a-z_]{1,6}(\\.[a-z_]{1,6}){0,2}",
        Just("data.aws_caller_identity.current.account_id".to_string()),
        Just("var.l[0]".to_string()),
        Just("local.a[*].b".to_string()),
        Just("\"\"".to_string()),
        proptest::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9:*/ _.-]{1,8}",
                Just("\\\"".to_string()),
                Just("\\\\".to_string()),
                Just("\\n".to_string()),
                Just("\\u00e9".to_string()),
                Just("$${lit}".to_string()),
                Just("${var.x}".to_string()),
                Just("${ ~ aws_s3_bucket.b.arn ~}".to_string()),
                Just("%{ if var.c }x%{ else }y%{ endif }".to_string()),
                Just("é".to_string()),
            ],
            0..5
        )
        .prop_map(|parts| format!("\"{}\"", parts.concat())),
        ("-?", "[ \\t]{0,2}(EOF|POLICY)", "[ a-z{}\":,${}.]{0,20}").prop_map(
            |(dash, delim, body)| {
                let delim = delim.trim();
                let body = body.replace("${}", "${x}").replace('$', "$$");
                format!("<<{dash}{delim}\n  {body}\n  {delim}")
            }
        ),
    ];
    leaf.prop_recursive(depth, 40, 4, |inner| {
        let sep = prop_oneof![Just(", "), Just(",\n"), Just("\n"), Just(" ,")];
        prop_oneof![
            (
                proptest::collection::vec(inner.clone(), 0..4),
                prop_oneof![Just(", "), Just(",\n  ")],
                any::<bool>()
            )
                .prop_map(|(items, sep, trailing)| {
                    let mut s = format!("[{}", items.join(sep));
                    if trailing && !items.is_empty() {
                        s.push(',');
                    }
                    s + "]"
                }),
            (
                proptest::collection::vec(
                    (
                        prop_oneof!["[A-Za-z][A-Za-z0-9_]{0,6}", "\"[a-z:]{1,8}\""],
                        prop_oneof![Just(" = "), Just(": ")],
                        inner.clone()
                    ),
                    0..4
                ),
                sep
            )
                .prop_map(|(items, sep)| {
                    let items: Vec<String> = items
                        .into_iter()
                        .map(|(k, op, v)| format!("{k}{op}{v}"))
                        .collect();
                    format!("{{\n{}\n}}", items.join(sep))
                }),
            inner.clone().prop_map(|e| format!("({e})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("jsonencode({a}, {b})")),
            inner.clone().prop_map(|e| format!("jsonencode({e})")),
            (
                inner.clone(),
                prop_oneof![Just(" + "), Just(" == "), Just(" && "), Just(" <= ")],
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a}{op}{b}")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("{c} ? {a} : {b}")),
            inner.clone().prop_map(|e| format!("[for x in {e} : x]")),
        ]
    })
    .boxed()
}

fn body(depth: u32) -> BoxedStrategy<String> {
    let attr = ("[a-z_]{1,8}", expr(3)).prop_map(|(k, v)| format!("{k} = {v}\n"));
    let comment = prop_oneof![
        Just("# c\n".to_string()),
        Just("// c\n".to_string()),
        Just("/* c\n */\n".to_string())
    ];
    let items = proptest::collection::vec(prop_oneof![4 => attr, 1 => comment], 0..4)
        .prop_map(|v| v.concat())
        .boxed();
    if depth == 0 {
        return items;
    }
    let block = (
        "[a-z_]{1,8}",
        proptest::collection::vec(prop_oneof!["\"[a-z_]{0,8}\"", "[a-z_]{1,8}"], 0..3),
        body(depth - 1),
    )
        .prop_map(|(ident, labels, body)| format!("{ident} {} {{\n{body}}}\n", labels.join(" ")));
    proptest::collection::vec(prop_oneof![items, block], 0..4)
        .prop_map(|v| v.concat())
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn generated_configurations_read_as_hcl_edit_reads_them(src in body(2)) {
        agree(&src)?;
    }

    /// With a character cut out or put in, the text is often invalid: the parser must still
    /// answer (no panic), and where both read it, read it alike.
    #[test]
    fn damaged_configurations_never_break_the_parser(
        src in body(1),
        at in any::<prop::sample::Index>(),
        insert in prop::option::of(prop_oneof![Just('{'), Just('}'), Just('"'), Just('\n'), Just('$'), Just('\\'), Just('#')]),
    ) {
        let mut cut: Vec<char> = src.chars().collect();
        if !cut.is_empty() {
            let i = at.index(cut.len());
            match insert {
                Some(c) => cut.insert(i, c),
                None => { cut.remove(i); }
            }
        }
        let src: String = cut.into_iter().collect();
        if let (Ok(got), Ok(want)) = (read(&src, 0, all), reference(&src, all)) {
            prop_assert_eq!(format!("{got:#?}"), format!("{want:#?}"), "{}", src);
        }
    }
}
