use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::policy::PolicyDocument;

/// `Allow` with `NotResource`: grants on every resource except the listed ones.
pub struct AllowWithNotResource;

static META: RuleMeta = RuleMeta {
    name: "allow-with-not-resource",
    category: Category::Security,
    default_severity: Severity::Warning,
    summary: "`Allow` with `NotResource` grants on every other resource, including future ones",
    doc: include_str!("../../rules/allow-with-not-resource.md"),
    kinds: &[],
};

impl Rule for AllowWithNotResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

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
