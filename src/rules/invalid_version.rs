use super::{Context, Rule};
use crate::diagnostic::replace_in_token;
use crate::policy::PolicyDocument;

declare_rule! {
    /// A `Version` that is not one of IAM's two policy language versions, or not a string.
    pub struct InvalidVersion {
        name: "invalid-version",
        category: Correctness,
        severity: Error,
        summary: "`Version` is neither `2012-10-17` nor `2008-10-17`, or is not a string",
        kinds: [],
    }
}

/// The policy language versions IAM accepts.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>
const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];

impl Rule for InvalidVersion {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        // A missing `Version` is `missing-version`'s; `2008-10-17` is `outdated-version`'s.
        let Some(node) = doc.root.get("Version") else {
            return;
        };
        let Some(text) = node.text() else {
            let f = cx
                .finding(
                    node.span,
                    format!("`Version` is {}, not a string", node.type_name()),
                )
                .label("IAM accepts only the string `\"2012-10-17\"` (or the outdated `\"2008-10-17\"`)")
                .help("write `\"Version\": \"2012-10-17\"`");
            cx.report(f);
            return;
        };
        // "Version": !Ref PolicyVersion — not known, not judged.
        let Some(v) = text.literal() else { return };
        if VERSIONS.contains(&v) {
            return;
        }
        let mut f = cx
            .finding(node.span, format!("`{v}` is not a policy language version"))
            .label("IAM accepts only `2012-10-17` (current) and `2008-10-17`")
            .help("write `\"Version\": \"2012-10-17\"`: a version is a fixed name, not the date the policy was written");
        if !v.is_empty() {
            f = f.fix(replace_in_token(cx.file(), node.span, v, VERSIONS[0]).map(|mut fix| {
                // The author may have meant 2008-10-17 (rarely): review the fix.
                fix.safe = false;
                fix
            }));
        }
        cx.report(f);
    }
}
