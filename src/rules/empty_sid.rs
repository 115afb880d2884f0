use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// `"Sid": ""`: a statement id that identifies nothing.
    pub struct EmptySid {
        name: "empty-sid",
        category: Style,
        severity: Info,
        summary: "`\"Sid\": \"\"`: IAM accepts an empty statement id, but it names nothing",
        kinds: [],
        // AWS's own documentation examples and HashiCorp's Terraform examples write `"Sid": ""`
        // (140 of the real-world corpus's findings, all harmless): a style choice, opt-in.
        default_enabled: false,
    }
}

impl Rule for EmptySid {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            // A `Sid` that is not a string is `invalid-value-type`'s; two empty ones are not
            // `duplicate-sid`'s.
            let Some(sid) = st.sid.as_ref().filter(|s| s.literal() == Some("")) else {
                continue;
            };
            let f = cx
                .finding(sid.span, "`Sid` is empty")
                .label("an empty statement id identifies nothing")
                .help("give the statement a `Sid` that says what it is for, or remove the key");
            cx.report(f);
        }
    }
}
