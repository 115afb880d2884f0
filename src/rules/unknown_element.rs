use super::{Context, Rule};
use crate::diagnostic::{Edit, Fix};
use crate::syntax::tree::Key;
use crate::policy::suggest::nearest;
use crate::policy::{DOCUMENT_ELEMENTS, PolicyDocument, STATEMENT_ELEMENTS};

declare_rule! {
    /// A key IAM does not know in a statement or at the top of a document (`Actions`, `Condtion`).
    pub struct UnknownElement {
        name: "unknown-element",
        category: Correctness,
        severity: Error,
        summary: "an element IAM does not know (`Actions`, `Resources`, `Condtion`), with the likely one",
        kinds: [],
    }
}

fn report(cx: &mut Context, key: &Key, known: &[&str], place: &str) {
    let suggestion = nearest(&key.name, known.iter().copied());
    let mut f = cx
        .finding(key.span, format!("`{}` is not a {place} element", key.name))
        .label("IAM rejects the policy");
    f = match suggestion {
        Some(s) => {
            // Replace the name inside the key token; quotes (JSON) or none (YAML) stay.
            let raw = cx.file().slice(key.span);
            let fix = raw.find(key.name.as_str()).map(|at| Fix {
                edits: vec![Edit {
                    span: crate::source::Span::new(
                        key.span.start as usize + at,
                        key.span.start as usize + at + key.name.len(),
                    ),
                    replacement: s.to_string(),
                }],
                safe: true,
            });
            f.help(format!("did you mean `{s}`?")).fix(fix)
        }
        None => f.help(format!("a {place} has only {}", known.join(", "))),
    };
    cx.report(f);
}

impl Rule for UnknownElement {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        if !doc.implicit {
            for e in doc.root.entries().unwrap_or_default() {
                if !DOCUMENT_ELEMENTS.contains(&e.key.name.as_str()) {
                    report(cx, &e.key, DOCUMENT_ELEMENTS, "policy");
                }
            }
        }
        for st in &doc.statements {
            for e in doc.statement_node(st).entries().unwrap_or_default() {
                if !STATEMENT_ELEMENTS.contains(&e.key.name.as_str()) {
                    report(cx, &e.key, STATEMENT_ELEMENTS, "statement");
                }
            }
        }
    }
}
