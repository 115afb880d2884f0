use std::collections::HashSet;

use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::iamdata::{AccessLevel, Action};
use crate::policy::conditions::narrowing_in;
use crate::policy::{PolicyDocument, Statement};
use crate::source::Span;

declare_rule! {
    /// Write, permissions-management and tagging actions that support resource-level permissions,
    /// allowed on `"Resource": "*"`.
    pub struct WildcardResourceForScopableAction {
        name: "wildcard-resource-for-scopable-action",
        category: Security,
        severity: Warning,
        summary: "write, permissions-management or tagging actions that can be scoped to resources are allowed on `\"Resource\": \"*\"`",
        kinds: [Identity],
        default_enabled: false,
    }
}

const LEVELS: AccessLevel = AccessLevel::WRITE
    .union(AccessLevel::PERMISSIONS_MANAGEMENT)
    .union(AccessLevel::TAGGING);

/// Actions another rule reports on `*` already: one finding for one grant.
fn reported_elsewhere(action: &Action, st: &Statement) -> bool {
    let is = |full: &str| {
        full.split_once(':').is_some_and(|(service, name)| {
            action.name().eq_ignore_ascii_case(name)
                && action.service().eq_ignore_ascii_case(service)
        })
    };
    is("iam:PassRole")
        || is("rds-db:connect")
        || is("secretsmanager:GetSecretValue")
        || (is("kms:Decrypt") && !st.has_condition_key("kms:ViaService"))
        || super::privilege_escalation::SINGLE
            .iter()
            .any(|(a, _)| is(a))
        || super::credentials_exposure::ACTIONS
            .iter()
            .any(|(a, _)| is(a))
}

impl Rule for WildcardResourceForScopableAction {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if st.is_admin() || st.condition_unknown() {
                continue;
            }
            let Some(star) = st
                .resource
                .as_ref()
                .filter(|r| !r.negated)
                .and_then(|r| r.star())
            else {
                continue;
            };
            let mut actions: Vec<&'static Action> = Vec::new();
            let mut seen: HashSet<*const Action> = HashSet::new();
            let mut items: Vec<Span> = Vec::new();
            for (item, expanded) in st.granted_actions(|i| cx.facts().action(i)) {
                // `s3:*` is `service-wildcard-allowed`'s, `*` `admin-access-allowed`'s.
                if item
                    .literal()
                    .is_some_and(|p| p == "*" || p.ends_with(":*"))
                {
                    continue;
                }
                let before = actions.len();
                for a in expanded.iter() {
                    if a.access_level().intersects(LEVELS)
                        && a.supports_resource_level()
                        && !reported_elsewhere(a, st)
                        && seen.insert(std::ptr::from_ref(a))
                    {
                        actions.push(a);
                    }
                }
                if actions.len() > before {
                    items.push(item.span);
                }
            }
            if actions.is_empty() {
                continue;
            }
            let n = narrowing_in(doc, st);
            if n.unknown {
                continue;
            }
            // `aws:CalledVia`, `aws:ViaAWSService`: only through a service that names the
            // resource itself.
            let narrowed = n.resource || n.tag || n.region || n.service;
            let shown: Vec<String> = actions.iter().take(3).map(|a| format!("`{a}`")).collect();
            let more = if actions.len() > 3 {
                format!(" and {} more", actions.len() - 3)
            } else {
                String::new()
            };
            let mut f = cx
                .finding(
                    star.span,
                    format!(
                        "{}{more} can be scoped to resources but {} allowed on `*`",
                        shown.join(", "),
                        if actions.len() == 1 { "is" } else { "are" }
                    ),
                )
                .label("every resource of the account")
                .help(if actions.iter().all(|a| a.service() == "cloudwatch" && a.name() == "PutMetricData") {
                    "`cloudwatch:PutMetricData` takes an optional resource: limit it with a `cloudwatch:namespace` condition instead"
                } else {
                    "name the resources (ARNs) these actions work on; the service reference lists their resource types"
                });
            if narrowed {
                f = f
                    .severity(Severity::Info)
                    .label("every resource, narrowed by the statement's condition");
            }
            for s in items {
                f = f.secondary(s, "grants write access");
            }
            cx.report(f);
        }
    }
}
