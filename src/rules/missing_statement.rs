use super::{Context, Rule};
use crate::policy::suggest::nearest;
use crate::policy::{DOCUMENT_ELEMENTS, PolicyDocument};
use crate::syntax::tree::Value;

declare_rule! {
    /// A policy document with no `Statement`, or with `"Statement": null`.
    pub struct MissingStatement {
        name: "missing-statement",
        category: Correctness,
        severity: Error,
        summary: "a policy document has no `Statement`, or its `Statement` is `null`",
        kinds: [],
    }
}

impl Rule for MissingStatement {
    /// Fires only on documents the extractor already knows are policies from where they are (a
    /// template's `PolicyDocument`, a Terraform `policy =`, a JSON `PolicyDocument` wrapper, or a
    /// raw file with a policy `Version`): a JSON file without `Statement` is not read as a policy
    /// at all (`extract::json::is_policy`).
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        if doc.implicit {
            return;
        }
        match doc.root.entry("Statement") {
            // "Statement": null
            Some(e) if matches!(e.value.value, Value::Null) => {
                let f = cx
                    .finding(e.value.span, "`Statement` is `null`")
                    .label("IAM rejects a policy without statements")
                    .help("give `Statement` a list of statements, or remove the policy");
                cx.report(f);
            }
            Some(_) => {}
            None => {
                // {"Version": "2012-10-17", "Statment": […]}: `unknown-element` reports the
                // misspelt key; one finding for one mistake.
                let misspelt = doc.root.entries().unwrap_or_default().iter().any(|e| {
                    !DOCUMENT_ELEMENTS.contains(&e.key.name.as_str())
                        && nearest(&e.key.name, DOCUMENT_ELEMENTS.iter().copied()) == Some("Statement")
                });
                if misspelt || !matches!(doc.root.value, Value::Object(_)) {
                    return;
                }
                let f = cx
                    .finding(doc.anchor(), "the policy document has no `Statement`")
                    .label("IAM rejects a policy without statements")
                    .help("add `\"Statement\": [{\"Effect\": …, \"Action\": …, \"Resource\": …}]`");
                cx.report(f);
            }
        }
    }
}
