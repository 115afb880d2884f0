use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::policy::PolicyDocument;
use crate::policy::reference::{ActionRef, retired_pattern};

declare_rule! {
    /// A wildcard action pattern that covers no action of the reference (`s3:Gett*`).
    pub struct ActionPatternMatchesNothing {
        name: "action-pattern-matches-nothing",
        category: Correctness,
        severity: Error,
        summary: "a wildcard action pattern that matches no action (`s3:Gett*`, `ec2:Describe?nstance`)",
        kinds: [],
    }
}

impl Rule for ActionPatternMatchesNothing {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for item in doc.action_items() {
            // "Action": "s3:Gett*", "NotAction": "ec2:Describe?nstance"
            let ActionRef::Pattern { pattern, actions } = cx.facts().action(item) else {
                continue;
            };
            if !actions.is_empty() {
                continue;
            }
            let service = pattern.split_once(':').map_or("", |(s, _)| s);
            if let Some(why) = retired_pattern(pattern) {
                let f = cx
                    .finding(
                        item.span,
                        format!("`{pattern}` matches only retired actions"),
                    )
                    .severity(Severity::Warning)
                    .label(format!("{why}; it grants nothing"))
                    .help(format!("remove `{pattern}`"));
                cx.report(f);
                continue;
            }
            let f = cx
                .finding(item.span, format!("`{pattern}` matches no action"))
                .label(if iamdata_service_known(service) {
                    format!("no `{service}` action has a name of this form")
                } else {
                    "no action of any service has a name of this form".to_string()
                })
                .help("check the spelling: `*` stands for any run of characters, `?` for one");
            cx.report(f);
        }
    }
}

fn iamdata_service_known(prefix: &str) -> bool {
    crate::iamdata::get().service(prefix).is_some()
}
