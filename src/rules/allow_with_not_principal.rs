use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// `Allow` with `NotPrincipal`: grants to every principal except the listed ones.
    pub struct AllowWithNotPrincipal {
        name: "allow-with-not-principal",
        category: Security,
        severity: Error,
        summary: "`Allow` with `NotPrincipal` grants to everyone else, anonymous users included",
        kinds: [Identity, Trust, Resource, KeyPolicy, Endpoint, Scp, Rcp],
    }
}

impl Rule for AllowWithNotPrincipal {
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
