use super::{Context, Rule};
use crate::diagnostic::{Severity, replace_in_token};
use crate::iamdata;
use crate::policy::PolicyDocument;
use crate::policy::reference::{ActionRef, retired_service, undocumented_service};

declare_rule! {
    /// An action whose service prefix is not an AWS service (`lamda:InvokeFunction`).
    pub struct UnknownService {
        name: "unknown-service",
        category: Correctness,
        severity: Error,
        summary: "an action whose service prefix is not an AWS service (`lamda:InvokeFunction`), with the likely one",
        kinds: [],
    }
}

impl Rule for UnknownService {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let data = iamdata::get();
        for item in doc.action_items() {
            // "Action": "lamda:InvokeFunction", "NotAction": "dynamo:*"
            let ActionRef::UnknownService { prefix } = cx.facts().action(item) else {
                continue;
            };
            if undocumented_service(prefix) {
                continue;
            }
            let shown = item.text.display();
            if let Some(name) = retired_service(prefix) {
                let f = cx
                    .finding(
                        item.span,
                        format!("`{shown}` belongs to {name}, a retired service"),
                    )
                    .severity(Severity::Warning)
                    .label(format!(
                        "AWS no longer offers {name}: `{prefix}` actions grant nothing"
                    ))
                    .help(format!("remove the `{prefix}` actions"));
                cx.report(f);
                continue;
            }
            let near = data.nearest_services(prefix, 3);
            let mut f = cx
                .finding(
                    item.span,
                    format!("`{prefix}` in `{shown}` is not an AWS service prefix"),
                )
                .label("no AWS service has this prefix: the action grants nothing");
            f = match near.as_slice() {
                [] => f.help("check the prefix in the Service Authorization Reference"),
                [one] => {
                    let fix = replace_in_token(
                        cx.file(),
                        item.span,
                        &format!("{prefix}:"),
                        &format!("{}:", one.prefix()),
                    )
                    .map(|mut fix| {
                        fix.safe = false;
                        fix
                    });
                    f.help(format!("did you mean `{}` ({})?", one.prefix(), one.name()))
                        .fix(fix)
                }
                many => f.help(format!(
                    "did you mean {}?",
                    many.iter()
                        .map(|s| format!("`{}` ({})", s.prefix(), s.name()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            cx.report(f);
        }
    }
}
