use super::{Context, Rule};
use crate::policy::PolicyDocument;

declare_rule! {
    /// `Allow` with `NotAction`: grants every action except the listed ones, including future ones.
    pub struct AllowWithNotAction {
        name: "allow-with-not-action",
        category: Security,
        severity: Warning,
        summary: "`Allow` with `NotAction` grants every other action, including those AWS adds later",
        kinds: [Identity, Trust, Resource, KeyPolicy, Endpoint, Scp, Rcp],
    }
}

impl Rule for AllowWithNotAction {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(el) = st.action.as_ref().filter(|a| a.negated) else {
                continue;
            };
            if !st.is_allow() {
                continue;
            }
            let f = cx
                .finding(
                    el.key.span,
                    "`Allow` with `NotAction` grants every action not listed",
                )
                .label("inverted: everything else is allowed, also actions AWS adds later")
                .secondary(st.effect_span(), "allows")
                .help("list the allowed actions in `Action`; use `NotAction` only with `Deny`");
            cx.report(f);
        }
    }
}
