use super::{Context, Rule};
use crate::iamdata::{Action, has_wildcard};
use crate::policy::arn::split_colon;
use crate::policy::reference::ActionRef;
use crate::policy::{Item, PolicyDocument};

declare_rule! {
    /// A wildcard inside a service name (`s*:GetObject`, `arn:aws:*code*:…`): it reaches every
    /// service whose name fits, today's and future ones.
    pub struct WildcardInServiceName {
        name: "wildcard-in-service-name",
        category: Suspicious,
        severity: Warning,
        summary: "a `*` or `?` inside the service name of an action (`s*:GetObject`) or a resource ARN (`arn:aws:*code*:…`): it reaches every service whose name fits, including future ones",
        kinds: [],
    }
}

impl Rule for WildcardInServiceName {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for item in doc.action_items() {
            action_item(item, cx);
        }
        for st in &doc.statements {
            let Some(r) = &st.resource else { continue };
            for item in &r.items {
                resource_item(item, cx);
            }
        }
    }
}

/// A service name that has a wildcard and something else (`s*`, `*code*`, `ec?`). A bare `*`
/// is deliberate ("every service") and is another rule's matter (`*:Get*`, `arn:aws:*:…`).
fn partial_wildcard(service: &str) -> bool {
    has_wildcard(service) && service.chars().any(|c| c != '*' && c != '?')
}

/// `s*:GetObject`: reported when the pattern matches some action (one that matches none is
/// `action-pattern-matches-nothing`'s).
fn action_item(item: &Item, cx: &mut Context) {
    let Some(text) = item.literal() else { return };
    let Some((service, _)) = split_colon(text) else {
        return;
    };
    if !partial_wildcard(service) {
        return;
    }
    let services = match cx.facts().action(item) {
        ActionRef::Pattern { actions, .. } if !actions.is_empty() => {
            let mut s: Vec<&str> = actions.iter().map(Action::service).collect();
            s.sort_unstable();
            s.dedup();
            s
        }
        _ => return,
    };
    let shown = services
        .iter()
        .take(5)
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let more = if services.len() > 5 {
        format!(" and {} more", services.len() - 5)
    } else {
        String::new()
    };
    let f = cx
        .finding(item.span, format!("`{text}` has a wildcard in its service name"))
        .label(format!(
            "matches actions of {} services today ({shown}{more}), and of any new service whose name fits",
            services.len()
        ))
        .help("name each service: one item per service prefix (`s3:GetObject`)");
    cx.report(f);
}

/// `arn:aws:*code*::111122223333:*`: the ARN's service field has a wildcard.
fn resource_item(item: &Item, cx: &mut Context) {
    let Some(text) = item.literal() else { return };
    let mut fields = text.splitn(4, ':');
    let (Some("arn"), Some(_partition), Some(service)) = (fields.next(), fields.next(), fields.next())
    else {
        return;
    };
    if !partial_wildcard(service) {
        return;
    }
    let f = cx
        .finding(item.span, format!("`{text}` has a wildcard in its service name"))
        .label(format!(
            "`{service}` matches the resources of every service whose name fits, including future ones"
        ))
        .help("name each service: one ARN per service (`arn:aws:codecommit:…`)");
    cx.report(f);
}
