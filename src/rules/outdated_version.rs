use super::{Context, Rule};
use crate::diagnostic::{Severity, replace_in_token};
use crate::syntax::tree::{Node, Part, Value};
use crate::policy::PolicyDocument;

declare_rule! {
    /// `"Version": "2008-10-17"`: policy variables are not substituted in that language version.
    pub struct OutdatedVersion {
        name: "outdated-version",
        category: Correctness,
        severity: Warning,
        summary: "`Version` is `2008-10-17`; an error when the policy uses `${aws:…}` variables, which that version does not substitute",
        kinds: [],
    }
}

/// Does any string in the tree contain a policy variable (`${aws:username}`, `${saml:sub}`)?
pub(super) fn uses_policy_variables(n: &Node) -> bool {
    match &n.value {
        // Template languages escape policy variables (`${!aws:username}` in `!Sub`,
        // `$${aws:username}` in Terraform), so after extraction they are literal text.
        Value::Str(t) => t
            .parts
            .iter()
            .any(|p| matches!(p, Part::Lit(l) if l.contains("${"))),
        Value::Array(a) => a.iter().any(uses_policy_variables),
        Value::Object(o) => o
            .iter()
            .any(|e| e.key.name.contains("${") || uses_policy_variables(&e.value)),
        _ => false,
    }
}

impl Rule for OutdatedVersion {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let Some(v) = &doc.version else { return };
        if v.literal() != Some("2008-10-17") {
            return;
        }
        let variables = uses_policy_variables(&doc.root);
        let mut f = cx.finding(v.span, "the policy uses the 2008-10-17 policy language");
        f = if variables {
            f.severity(Severity::Error)
                .label("in this version `${…}` policy variables are not substituted: they match literally")
                .help("set `\"Version\": \"2012-10-17\"`; the variables then mean what they say")
        } else {
            f.label("the current policy language is 2012-10-17")
                .help("set `\"Version\": \"2012-10-17\"`")
                .fix(replace_in_token(
                    cx.file(),
                    v.span,
                    "2008-10-17",
                    "2012-10-17",
                ))
        };
        cx.report(f);
    }
}
