use super::{Context, Rule};
use crate::diagnostic::{Severity, replace_in_token};
use crate::iamdata;
use crate::policy::PolicyDocument;
use crate::policy::reference::{
    ActionRef, aws_written_non_action, retired_action, undocumented_action,
};
use crate::policy::suggest::distance;

declare_rule! {
    /// An action a known service does not have (`s3:GetObjekt`).
    pub struct UnknownAction {
        name: "unknown-action",
        category: Correctness,
        severity: Error,
        summary: "an action the service does not have (`s3:GetObjekt`), with the likely one; `info` for a name AWS itself writes (`SNS:Receive`)",
        kinds: [],
    }
}

impl Rule for UnknownAction {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let data = iamdata::get();
        for item in doc.action_items() {
            // "Action": "s3:GetObjekt", "NotAction": "secretsmanager:GetSecretValues"
            let ActionRef::Exact {
                service,
                name,
                action: None,
            } = cx.facts().action(item)
            else {
                continue;
            };
            let Some(written) = item.literal() else {
                continue;
            };
            // "rds:connect" is `rds-connect-prefix`'s, with a safe fix.
            if written.eq_ignore_ascii_case("rds:connect") || undocumented_action(written) {
                continue;
            }
            // `SNS:Receive`: AWS's own generated policy names it; a copy of that policy is not
            // the author's typo, and the name grants nothing.
            if let Some(why) = aws_written_non_action(written) {
                let f = cx
                    .finding(
                        item.span,
                        format!("`{written}` is not an action of {}", service.name()),
                    )
                    .severity(Severity::Info)
                    .label(format!("{why}; it grants nothing"))
                    .help(format!("`{written}` can be removed"));
                cx.report(f);
                continue;
            }
            if let Some(why) = retired_action(service.prefix(), name) {
                let f = cx
                    .finding(
                        item.span,
                        format!("`{written}` is a retired action of {}", service.name()),
                    )
                    .severity(Severity::Warning)
                    .label(format!("{why}; it grants nothing"))
                    .help(format!("remove `{written}`"));
                cx.report(f);
                continue;
            }
            let near = data.nearest_actions(written, 3);
            let mut f = cx
                .finding(
                    item.span,
                    format!(
                        "`{written}` is not an action of {} (`{}`)",
                        service.name(),
                        service.prefix()
                    ),
                )
                .label("no such action: it grants nothing");
            f = match near.as_slice() {
                    [] => f.help(format!(
                        "check the action name in the list of `{}` actions of the Service Authorization Reference",
                        service.prefix()
                    )),
                    [best, rest @ ..] => {
                        let names: Vec<String> = near.iter().map(|a| a.full_name()).collect();
                        let best_name = best.full_name();
                        let d = distance(written, &best_name);
                        // One candidate clearly closest: offer it, as a guess the author confirms.
                        let unique = rest.iter().all(|a| distance(written, &a.full_name()) > d);
                        let fix = unique
                            .then(|| replace_in_token(cx.file(), item.span, written, &best_name))
                            .flatten()
                            .map(|mut fix| {
                                fix.safe = false;
                                fix
                            });
                        f.help(format!(
                            "did you mean {}?",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .fix(fix)
                    }
                };
            cx.report(f);
        }
    }
}
