use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// A `Sid` with characters IAM does not accept in IAM policies.
    pub struct InvalidSid {
        name: "invalid-sid",
        category: Correctness,
        severity: Error,
        summary: "a `Sid` of an IAM policy has characters other than `A-Z`, `a-z` and `0-9`",
        kinds: [Identity, Trust, Boundary],
    }
}

impl Rule for InvalidSid {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(sid) = &st.sid else { continue };
            let Some(v) = sid.literal() else { continue };
            let Some(bad) = v.chars().find(|c| !c.is_ascii_alphanumeric()) else {
                continue;
            };
            let f = cx
                .finding(sid.span, format!("`Sid` `{v}` has the character `{bad}`"))
                .label("IAM policies accept only A-Z, a-z and 0-9 in a `Sid`")
                .help(
                    match v
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                    {
                        s if s.is_empty() => "use letters and digits only".to_string(),
                        s => format!("write it as `{s}`"),
                    },
                );
            cx.report(f);
        }
    }
}
