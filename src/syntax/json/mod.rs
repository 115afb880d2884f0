//! The JSON reader: text → spanned [`Node`] tree (a fast reader for strict JSON, jsonc-parser
//! for the rest).

use jsonc_parser::ast::{ObjectPropName, Value as J};
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use super::tree::{Entry, Key, Node, Text, Value};
use crate::source::Span;

mod fast;
#[cfg(test)]
mod tests;

/// Where and why JSON could not be parsed (byte offsets in the file).
#[derive(Debug)]
pub struct JsonError {
    pub span: Span,
    pub message: String,
    /// The text parses once comments and trailing commas are allowed: the tree is usable.
    pub recovered: Option<Node>,
}

fn options(lenient: bool) -> ParseOptions {
    ParseOptions {
        allow_comments: lenient,
        allow_trailing_commas: lenient,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parses strict JSON at byte offset `base` of its file: every span in the tree is a file offset.
/// `Ok(None)` for a text with no value at all (empty or only white space).
///
/// Strict JSON is read by the fast reader (`fast`); what it leaves (errors, comments, …) is
/// read by jsonc-parser. Both give the same tree.
pub fn parse(text: &str, base: usize) -> Result<Option<Node>, JsonError> {
    if let Some(root) = fast::parse(text, base) {
        return Ok(Some(root));
    }
    parse_jsonc(text, base)
}

/// [`parse`] without the fast reader: jsonc-parser and the conversion of its tree. Public for
/// the fuzz targets, which check that both agree.
pub fn parse_jsonc(text: &str, base: usize) -> Result<Option<Node>, JsonError> {
    let strict = parse_to_ast(text, &CollectOptions::default(), &options(false));
    match strict {
        Ok(r) => Ok(r.value.map(|v| convert(&v, base))),
        Err(e) => {
            let range = e.range();
            let span = Span::new(base + range.start, base + range.end.max(range.start));
            let recovered = parse_to_ast(text, &CollectOptions::default(), &options(true))
                .ok()
                .and_then(|r| r.value)
                .map(|v| convert(&v, base));
            let message = match (&recovered, e.kind().to_string()) {
                (Some(_), k) => format!(
                    "{}: IAM rejects them (the rest of the file was still linted)",
                    k.to_lowercase()
                ),
                (None, k) => k.to_lowercase(),
            };
            Err(JsonError {
                span,
                message,
                recovered,
            })
        }
    }
}

fn convert(v: &J, base: usize) -> Node {
    let span = |r: jsonc_parser::common::Range| Span::new(base + r.start, base + r.end);
    match v {
        J::StringLit(s) => Node {
            span: span(s.range),
            value: Value::Str(Text::lit(s.value.as_ref())),
        },
        J::NumberLit(n) => Node {
            span: span(n.range),
            value: Value::Number(n.value.to_string()),
        },
        J::BooleanLit(b) => Node {
            span: span(b.range),
            value: Value::Bool(b.value),
        },
        J::NullKeyword(n) => Node {
            span: span(n.range),
            value: Value::Null,
        },
        J::Array(a) => Node {
            span: span(a.range),
            value: Value::Array(a.elements.iter().map(|e| convert(e, base)).collect()),
        },
        J::Object(o) => Node {
            span: span(o.range),
            value: Value::Object(
                o.properties
                    .iter()
                    .map(|p| {
                        let (name, r) = match &p.name {
                            ObjectPropName::String(s) => (s.value.to_string(), s.range),
                            ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                        };
                        Entry {
                            key: Key {
                                name: name.into(),
                                span: span(r),
                            },
                            value: convert(&p.value, base),
                        }
                    })
                    .collect(),
            ),
        },
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn spans_are_file_offsets() {
        let text = r#"{"Statement": [{"Action": "s3:GetObject"}]}"#;
        let n = parse(text, 10).unwrap().unwrap();
        let a = &n.get("Statement").unwrap().items()[0];
        let action = a.get("Action").unwrap();
        let at = text.find("\"s3:GetObject\"").unwrap();
        assert_eq!(action.span, Span::new(10 + at, 10 + at + 14));
        assert_eq!(action.literal(), Some("s3:GetObject"));
    }

    #[test]
    fn comments_are_errors_that_still_give_a_tree() {
        let err = parse("{\n // note\n \"Statement\": []\n}", 0).unwrap_err();
        assert!(err.recovered.is_some());
        assert_eq!(err.span.start, 3);
        let err = parse("{\"a\": ,}", 0).unwrap_err();
        assert!(err.recovered.is_none());
    }
}
