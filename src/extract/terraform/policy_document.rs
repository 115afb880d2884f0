//! `data "aws_iam_policy_document"` blocks, turned into the same [`Node`] tree a JSON policy gives,
//! so every rule reads them unchanged. Element names become IAM's (`actions` → `Action`,
//! `principals { type identifiers }` → `Principal: {TYPE: [...]}`, `condition { test variable
//! values }` → `Condition: {test: {variable: values}}`); keys keep the span of the Terraform
//! argument or block keyword they came from, values the span of their expression.
//!
//! What Terraform fills in later stays unknown and silent: `dynamic` blocks, and statements merged
//! in from `source_policy_documents` / `override_policy_documents`.

use super::{Attr, Block};
use crate::source::Span;
use crate::syntax::tree::{Entry, Key, Node, Text, Value};

/// The policy document a data block renders.
pub fn document(b: &Block) -> Node {
    let mut entries = Vec::new();
    for a in &b.attrs {
        let name = match a.name.as_str() {
            "version" => "Version",
            "policy_id" => "Id",
            _ => continue,
        };
        entries.push(entry(name, a.key_span, a.value.node()));
    }
    let statements: Vec<&Block> = b.blocks_named("statement").collect();
    if let Some(first) = statements.first() {
        let span = statements.iter().fold(first.span, |s, st| s.cover(st.span));
        entries.push(entry(
            "Statement",
            first.ident_span,
            Node {
                span,
                value: Value::Array(statements.iter().map(|s| statement(s)).collect()),
            },
        ));
    } else if let Some((span, what)) = unknown_statements(b) {
        // Only `dynamic "statement"` or merged documents: the statements are not known here.
        entries.push(entry("Statement", span, unknown(span, what)));
    }
    Node {
        span: b.span,
        value: Value::Object(entries),
    }
}

/// Where statements come from that the linter cannot see.
fn unknown_statements(b: &Block) -> Option<(Span, String)> {
    if let Some(d) = b.dynamic("statement") {
        return Some((d.ident_span, "dynamic \"statement\"".into()));
    }
    b.attrs
        .iter()
        .find(|a| a.name == "source_policy_documents" || a.name == "override_policy_documents")
        .map(|a| (a.key_span, a.name.clone()))
}

fn statement(s: &Block) -> Node {
    let mut entries = Vec::new();
    for a in &s.attrs {
        let name = match a.name.as_str() {
            "sid" => "Sid",
            "effect" => "Effect",
            "actions" => "Action",
            "not_actions" => "NotAction",
            "resources" => "Resource",
            "not_resources" => "NotResource",
            _ => continue,
        };
        let value = a.value.node();
        // `sid = ""`: the provider leaves an empty `Sid` out of the JSON it renders.
        if name == "Sid" && matches!(&value.value, Value::Str(t) if t.literal() == Some("")) {
            continue;
        }
        entries.push(entry(name, a.key_span, value));
    }
    if s.attr("effect").is_none() {
        // Terraform's default; no token says it, so it points at the `statement` keyword.
        entries.push(entry(
            "Effect",
            s.ident_span,
            Node {
                span: s.ident_span,
                value: Value::Str(Text::lit("Allow")),
            },
        ));
    }
    for (block, element) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(p) = principals(s, block) {
            entries.push(p.named(element));
        }
    }
    if let Some(c) = conditions(s) {
        entries.push(c.named("Condition"));
    }
    Node {
        span: s.span,
        value: Value::Object(entries),
    }
}

/// An element built from blocks: the first block's keyword is its key.
struct FromBlocks {
    key_span: Span,
    value: Node,
}

impl FromBlocks {
    fn named(self, name: &str) -> Entry {
        entry(name, self.key_span, self.value)
    }
}

/// `principals { type = "AWS" identifiers = [...] }` blocks → `{"AWS": [...], "Service": [...]}`.
fn principals(s: &Block, name: &str) -> Option<FromBlocks> {
    let blocks: Vec<&Block> = s.blocks_named(name).collect();
    let dynamic = s.dynamic(name);
    let first = blocks.first().copied().or(dynamic)?;
    let span = blocks.iter().fold(first.span, |a, b| a.cover(b.span));
    if blocks.is_empty() {
        // Only `dynamic "principals"`: who they are is not known.
        return Some(FromBlocks {
            key_span: first.ident_span,
            value: unknown(span, format!("dynamic \"{name}\"")),
        });
    }
    let mut map = Vec::new();
    for b in &blocks {
        let ty = b.attr("type").map(|a| a.value.node());
        let ids = b
            .attr("identifiers")
            .map_or_else(|| unknown(b.span, "identifiers".into()), |a| a.value.node());
        let Some(ty) = ty else { continue };
        if ty.literal() == Some("*") {
            // principals { type = "*" identifiers = ["*"] } renders as "Principal": "*"
            let star = ids
                .items()
                .iter()
                .find(|i| i.literal() == Some("*"))
                .cloned();
            if let Some(star) = star {
                return Some(FromBlocks {
                    key_span: first.ident_span,
                    value: star,
                });
            }
        }
        let key_name = ty.text().map_or_else(|| "?".to_string(), Text::display);
        map.push(Entry {
            key: Key {
                name: key_name.into(),
                span: ty.span,
            },
            value: ids,
        });
    }
    Some(FromBlocks {
        key_span: first.ident_span,
        value: Node {
            span,
            value: Value::Object(map),
        },
    })
}

/// `condition { test variable values }` blocks → `{"test": {"variable": values}}`, blocks with the
/// same test merged as Terraform merges them.
fn conditions(s: &Block) -> Option<FromBlocks> {
    let blocks: Vec<&Block> = s.blocks_named("condition").collect();
    let dynamic = s.dynamic("condition");
    let first = blocks.first().copied().or(dynamic)?;
    let mut span = first.span;
    let mut ops: Vec<Entry> = Vec::new();
    for b in &blocks {
        span = span.cover(b.span);
        let test = b.attr("test").map(|a| a.value.node());
        let variable = b.attr("variable").map(|a| a.value.node());
        let values = b
            .attr("values")
            .map_or_else(|| unknown(b.span, "values".into()), |a| a.value.node());
        match (&test, &variable) {
            // condition { test = "StringEquals" variable = "kms:ViaService" values = [...] }
            (Some(t), Some(v)) if t.literal().is_some() && v.literal().is_some() => {
                let op_name = t.literal().unwrap_or_default();
                let item = Entry {
                    key: Key {
                        name: v.literal().unwrap_or_default().into(),
                        span: v.span,
                    },
                    value: values,
                };
                match ops.iter_mut().find(|e| e.key.name == op_name) {
                    Some(Entry {
                        value:
                            Node {
                                span: op_span,
                                value: Value::Object(items),
                            },
                        ..
                    }) => {
                        *op_span = op_span.cover(b.span);
                        items.push(item);
                    }
                    // The operator already holds a key the linter cannot read: it stays unknown
                    // as a whole (Terraform merges both blocks into it).
                    Some(op) => op.value.span = op.value.span.cover(b.span),
                    None => ops.push(Entry {
                        key: Key {
                            name: op_name.into(),
                            span: t.span,
                        },
                        value: Node {
                            span: b.span,
                            value: Value::Object(vec![item]),
                        },
                    }),
                }
            }
            // condition { test = var.test … }: an operator the linter cannot read
            _ => {
                let key_span = test.as_ref().map_or(b.ident_span, |t| t.span);
                let name = test
                    .as_ref()
                    .and_then(Node::text)
                    .map_or_else(|| "?".to_string(), Text::display);
                // A block of the same operator merges into it, which is then not known either.
                if let Some(op) = ops.iter_mut().find(|e| e.key.name == name.as_str()) {
                    op.value = unknown(op.value.span.cover(b.span), "condition".into());
                    continue;
                }
                ops.push(Entry {
                    key: Key {
                        name: name.into(),
                        span: key_span,
                    },
                    value: unknown(b.span, "condition".into()),
                });
            }
        }
    }
    if let Some(d) = dynamic {
        // dynamic "condition" { … }: may hold any key, so the whole condition is not known.
        span = span.cover(d.span);
        ops.push(Entry {
            key: Key {
                name: "dynamic".into(),
                span: d.ident_span,
            },
            value: unknown(d.span, "dynamic \"condition\"".into()),
        });
    }
    Some(FromBlocks {
        key_span: first.ident_span,
        value: Node {
            span,
            value: Value::Object(ops),
        },
    })
}

fn entry(name: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: Key {
            name: name.into(),
            span: key_span,
        },
        value,
    }
}

fn unknown(span: Span, what: String) -> Node {
    Node {
        span,
        value: Value::Str(Text::var(what)),
    }
}

impl Block {
    pub(super) fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub(super) fn attr_mut(&mut self, name: &str) -> Option<&mut Attr> {
        self.attrs.iter_mut().find(|a| a.name == name)
    }

    pub(super) fn blocks_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Block> {
        self.blocks.iter().filter(move |b| b.ident == name)
    }

    /// `dynamic "NAME" { … }`
    pub(super) fn dynamic(&self, name: &str) -> Option<&Block> {
        self.blocks
            .iter()
            .find(|b| b.ident == "dynamic" && b.labels.first().is_some_and(|l| l == name))
    }
}
