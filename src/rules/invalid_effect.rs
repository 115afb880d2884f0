use super::{Context, Rule};
use crate::diagnostic::replace_in_token;
use crate::policy::PolicyDocument;

declare_rule! {
    /// `Effect` that is neither `Allow` nor `Deny`.
    pub struct InvalidEffect {
        name: "invalid-effect",
        category: Correctness,
        severity: Error,
        summary: "`Effect` is neither `Allow` nor `Deny`",
        kinds: [],
    }
}

impl Rule for InvalidEffect {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(node) = doc.statement_node(st).get("Effect") else {
                continue;
            };
            let value = match node.text() {
                // "Effect": !Ref EffectParam — not known, not judged.
                Some(t) if t.literal().is_none() => continue,
                Some(t) => t.literal().unwrap_or_default(),
                None => "",
            };
            if value == "Allow" || value == "Deny" {
                continue;
            }
            let proper = ["Allow", "Deny"]
                .into_iter()
                .find(|p| p.eq_ignore_ascii_case(value));
            let mut f = cx
                .finding(
                    node.span,
                    if node.text().is_some() {
                        format!("`{value}` is not an effect")
                    } else {
                        format!("`Effect` is {}, not a string", node.type_name())
                    },
                )
                .label("IAM accepts exactly `Allow` or `Deny`")
                .help("write `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`");
            if let Some(p) = proper {
                f = f.fix(replace_in_token(cx.file(), node.span, value, p));
            }
            cx.report(f);
        }
    }
}
