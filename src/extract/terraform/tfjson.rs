//! Terraform's JSON syntax (`.tf.json`, as CDK for Terraform writes it) read into [`Block`]s.
//! There, `"resource": {"aws_iam_role": {"app": {…}}}` is a block, nested blocks are objects (or
//! arrays of objects) under their block name, and every string is a template: `"${var.x}"` is an
//! expression, `"$${"` a literal `${`.

use std::sync::Arc;

use super::embedded::{self, Seg};
use super::{Attr, Block, Val};
use crate::source::SourceFile;
use crate::syntax::tree::{Entry, Node, Value};

/// Argument names whose object values are nested blocks in the resources and data sources read.
const NESTED_BLOCKS: &[&str] = &[
    "assume_role",
    "assume_role_with_web_identity",
    "condition",
    "dynamic",
    "inline_policy",
    "not_principals",
    "principals",
    "statement",
];

/// The top-level blocks `wanted` selects, from a `.tf.json` document.
pub fn blocks(
    file: &Arc<SourceFile>,
    root: &Node,
    wanted: impl Fn(&str, &[String]) -> bool,
) -> Vec<Block> {
    let mut out = Vec::new();
    for top in objects(root) {
        for e in top.entries().unwrap_or_default() {
            let ident = e.key.name.as_str();
            match ident {
                // "resource": {"aws_iam_role": {"app": {…}}}
                "resource" | "data" => {
                    for types in objects(&e.value) {
                        for t in types.entries().unwrap_or_default() {
                            for names in objects(&t.value) {
                                for n in names.entries().unwrap_or_default() {
                                    let labels =
                                        vec![t.key.name.to_string(), n.key.name.to_string()];
                                    if wanted(ident, &labels) {
                                        for body in objects(&n.value) {
                                            out.push(block(file, ident, n, labels.clone(), body));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                // "module": {"role": {"source": "…", …}}
                "module" => {
                    for names in objects(&e.value) {
                        for n in names.entries().unwrap_or_default() {
                            for body in objects(&n.value) {
                                out.push(block(file, ident, n, vec![n.key.name.to_string()], body));
                            }
                        }
                    }
                }
                // "provider": {"aws": {"assume_role": {…}}} (or a list of configurations)
                "provider" => {
                    for names in objects(&e.value) {
                        for n in names.entries().unwrap_or_default() {
                            let labels = vec![n.key.name.to_string()];
                            if wanted(ident, &labels) {
                                for body in objects(&n.value) {
                                    out.push(block(file, ident, n, labels.clone(), body));
                                }
                            }
                        }
                    }
                }
                // "locals": {"account_id": "${data.aws_caller_identity.current.account_id}"}
                "locals" => {
                    for body in objects(&e.value) {
                        out.push(block(file, ident, e, Vec::new(), body));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// An object, or each object of an array (Terraform JSON accepts both for repeated blocks).
fn objects(n: &Node) -> impl Iterator<Item = &Node> {
    n.items()
        .iter()
        .filter(|i| matches!(i.value, Value::Object(_)))
}

fn block(
    file: &Arc<SourceFile>,
    ident: &str,
    at: &Entry,
    labels: Vec<String>,
    body: &Node,
) -> Block {
    let mut b = Block {
        ident: ident.to_string(),
        ident_span: at.key.span,
        labels,
        span: body.span,
        attrs: Vec::new(),
        blocks: Vec::new(),
    };
    for e in body.entries().unwrap_or_default() {
        let name = e.key.name.as_str();
        // "//": a comment
        if name == "//" {
            continue;
        }
        if NESTED_BLOCKS.contains(&name) && objects(&e.value).next().is_some() {
            for inner in objects(&e.value) {
                if name == "dynamic" {
                    // "dynamic": {"statement": {"for_each": …, "content": {…}}}
                    for d in inner.entries().unwrap_or_default() {
                        b.blocks.push(block(
                            file,
                            "dynamic",
                            d,
                            vec![d.key.name.to_string()],
                            &d.value,
                        ));
                    }
                } else {
                    b.blocks.push(block(file, name, e, Vec::new(), inner));
                }
            }
            continue;
        }
        b.attrs.push(Attr {
            name: name.to_string(),
            key_span: e.key.span,
            value: val(file, &e.value),
        });
    }
    b
}

fn val(file: &Arc<SourceFile>, n: &Node) -> Val {
    let json = segments(file, n).filter(|s| embedded::looks_like_json(s));
    Val::Data {
        node: data(file, n),
        json,
    }
}

/// A JSON string token's characters, with file ranges, cut into literal text and `${…}` parts.
fn segments(file: &SourceFile, n: &Node) -> Option<Vec<Seg>> {
    let lit = n.literal()?;
    if !lit.contains(['$', '%']) && !lit.trim_start().starts_with('{') {
        return None;
    }
    let raw = file.slice(n.span);
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut chars = Vec::new();
    embedded::quoted_chars(inner, n.span.start as usize + 1, false, &mut chars)?;
    Some(embedded::split_template(&chars))
}

/// The value as data, with every string read as a template.
fn data(file: &Arc<SourceFile>, n: &Node) -> Node {
    let value = match &n.value {
        Value::Str(t) => match segments(file, n) {
            Some(segs) => Value::Str(embedded::text_of(&segs)),
            None => Value::Str(t.clone()),
        },
        Value::Array(items) => Value::Array(items.iter().map(|i| data(file, i)).collect()),
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    value: data(file, &e.value),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        span: n.span,
        value,
    }
}
