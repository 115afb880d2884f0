use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// `Allow` with `NotResource`: grants on every resource except the listed ones.
    pub struct AllowWithNotResource {
        name: "allow-with-not-resource",
        category: Security,
        severity: Warning,
        summary: "`Allow` with `NotResource` grants on every other resource, including future ones",
        kinds: [Identity, Trust, Resource, KeyPolicy, Endpoint, Scp, Rcp],
    }
}

impl Rule for AllowWithNotResource {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(el) = st.resource.as_ref().filter(|r| r.negated) else {
                continue;
            };
            if !st.is_allow() {
                continue;
            }
            let f = cx
                .finding(el.key.span, "`Allow` with `NotResource` grants on every resource not listed")
                .label("inverted: every other resource, in every service and account, also future ones")
                .secondary(st.effect_span(), "allows")
                .help("list the resources in `Resource`; use `NotResource` only with `Deny`");
            cx.report(f);
        }
    }
}
