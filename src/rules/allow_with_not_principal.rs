use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::policy::PolicyDocument;

/// `Allow` with `NotPrincipal`: grants to every principal except the listed ones.
pub struct AllowWithNotPrincipal;

static META: RuleMeta = RuleMeta {
    name: "allow-with-not-principal",
    category: Category::Security,
    default_severity: Severity::Error,
    summary: "`Allow` with `NotPrincipal` grants to everyone else, anonymous users included",
    doc: include_str!("../../rules/allow-with-not-principal.md"),
    kinds: &[],
};

impl Rule for AllowWithNotPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(p) = st.principal.as_ref().filter(|p| p.negated) else {
                continue;
            };
            if !st.is_allow() {
                continue;
            }
            let f = cx
                .finding(p.key.span, "`Allow` with `NotPrincipal` grants to every principal not listed")
                .label("inverted: everyone else, in every account, anonymous users included")
                .secondary(st.effect_span(), "allows")
                .help("name the principals in `Principal`; AWS recommends `NotPrincipal` only with `Deny`");
            cx.report(f);
        }
    }
}
