use super::{Context, Rule};
use crate::syntax::tree::Entry;
use crate::policy::PolicyDocument;

declare_rule! {
    /// Elements that exclude each other in one statement (`Action` and `NotAction`), or one element
    /// given twice.
    pub struct ConflictingElements {
        name: "conflicting-elements",
        category: Correctness,
        severity: Error,
        summary: "a statement has both `Action` and `NotAction` (or `Resource`/`NotResource`, `Principal`/`NotPrincipal`), or one element twice",
        kinds: [],
    }
}

const PAIRS: &[(&str, &str)] = &[
    ("Action", "NotAction"),
    ("Resource", "NotResource"),
    ("Principal", "NotPrincipal"),
];

impl Rule for ConflictingElements {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        duplicate_keys(doc, cx);
        for st in &doc.statements {
            let entries = doc.statement_node(st).entries().unwrap_or_default();
            let first = |name: &str| entries.iter().find(|e| e.key.name == name);
            for (a, b) in PAIRS {
                if let (Some(x), Some(y)) = (first(a), first(b)) {
                    let (early, late): (&Entry, &Entry) = if x.key.span < y.key.span {
                        (x, y)
                    } else {
                        (y, x)
                    };
                    let f = cx
                        .finding(
                            late.key.span,
                            format!("the statement has both `{a}` and `{b}`"),
                        )
                        .label(format!("`{}` excludes `{}`", late.key.name, early.key.name))
                        .secondary(early.key.span, "given here")
                        .help(format!(
                            "keep one of `{a}` and `{b}`; split the statement if you need both"
                        ));
                    cx.report(f);
                }
            }
            // "Effect": "Allow", …, "Effect": "Deny" — AWS reads only one of them.
            for (i, e) in entries.iter().enumerate() {
                if let Some(prev) = entries[..i].iter().find(|p| p.key.name == e.key.name) {
                    let f = cx
                        .finding(
                            e.key.span,
                            format!("`{}` appears twice in the statement", e.key.name),
                        )
                        .label("a duplicate key: only one of the two takes effect")
                        .secondary(prev.key.span, "first given here")
                        .help("merge the two into one element");
                    cx.report(f);
                }
            }
        }
    }
}

/// Reports keys given twice in one object of the document outside the statement objects (whose
/// keys [`ConflictingElements::check`] reads itself): two top-level `Statement` keys, a condition
/// operator or key twice. AWS reads the last; the rules do too
/// ([`crate::syntax::tree::Node::get`]).
fn duplicate_keys(doc: &PolicyDocument, cx: &mut Context) {
    use crate::syntax::tree::{Node, Value};
    fn walk(n: &Node, statements: &std::collections::HashSet<*const Node>, cx: &mut Context) {
        match &n.value {
            Value::Object(entries) => {
                if !statements.contains(&std::ptr::from_ref(n)) {
                    let mut seen = std::collections::HashMap::new();
                    for e in entries {
                        let Some(first) = seen.insert(e.key.name.as_str(), e.key.span) else {
                            continue;
                        };
                        let f = cx
                            .finding(
                                e.key.span,
                                format!("`{}` appears twice in one object", e.key.name),
                            )
                            .label("a duplicate key: AWS reads only the last one, this one")
                            .secondary(first, "first given here")
                            .help("merge the two into one");
                        cx.report(f);
                    }
                }
                for e in entries {
                    walk(&e.value, statements, cx);
                }
            }
            Value::Array(items) => {
                for i in items {
                    walk(i, statements, cx);
                }
            }
            _ => {}
        }
    }
    let statements = doc
        .statements
        .iter()
        .map(|st| std::ptr::from_ref(doc.statement_node(st)))
        .collect();
    walk(&doc.root, &statements, cx);
}
