use super::{Context, Facts, Rule};
use crate::policy::{PolicyDocument, Statement};
use crate::source::Span;

declare_rule! {
    /// An identity policy that lets its principal rewrite resource policies (`s3:PutBucketPolicy`,
    /// `kms:PutKeyPolicy`, `lambda:AddPermission`…) on resources nothing narrows: whoever holds
    /// it can open those resources to any account, or to anyone.
    pub struct ResourcePolicyChangeAllowed {
        name: "resource-policy-change-allowed",
        category: Security,
        severity: Warning,
        summary: "an identity policy allows changing resource policies (`s3:PutBucketPolicy`, `kms:PutKeyPolicy`, `lambda:AddPermission`…) on unscoped resources",
        kinds: [Identity],
        default_enabled: false,
    }
}

/// `data/resource-policy-actions.tsv`: every candidate action, judged, with the reason.
const TABLE: &str = include_str!("../../data/resource-policy-actions.tsv");

/// The rows of [`TABLE`]: (action pattern, reported?, reason).
fn rows() -> impl Iterator<Item = (&'static str, bool, &'static str)> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let mut cols = l.splitn(3, '\t');
            Some((cols.next()?, cols.next()? == "yes", cols.next()?))
        })
}

/// The actions this rule reports, with what each lets the principal do.
fn reported() -> impl Iterator<Item = (&'static str, &'static str)> {
    rows().filter(|r| r.1).map(|(a, _, why)| (a, why))
}

/// The item that grants `action` unscoped, if the statement does: an Allow with `Action` (a
/// `NotAction` grant is `allow-with-not-action`'s) that nothing narrows, through an item that is
/// not a whole-service wildcard (`s3:*` on `*` is `service-wildcard-allowed`'s, `*` is
/// `admin-access-allowed`'s).
fn grant(st: &Statement, action: &str, facts: &Facts) -> Option<Span> {
    st.action.as_ref().filter(|a| !a.negated)?;
    facts.unscoped_allow(st)?;
    let item = st.action_item_covering(action)?;
    let p = item.literal()?;
    (p != "*" && !p.ends_with(":*")).then_some(item.span)
}

impl Rule for ResourcePolicyChangeAllowed {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let hits: Vec<(&str, &str, Span)> = reported()
                .filter_map(|(a, why)| grant(st, a, cx.facts()).map(|s| (a, why, s)))
                .collect();
            let Some(&(first, why, span)) = hits.first() else {
                continue;
            };
            let names: Vec<String> = hits.iter().map(|(a, _, _)| format!("`{a}`")).collect();
            let resource = cx.facts().unscoped_allow(st);
            let mut f = cx
                .finding(
                    span,
                    format!("the policy can change resource policies: {}", names.join(", ")),
                )
                .label(format!("`{first}` on every resource lets it {why}"))
                .help("scope these actions to the resources whose policies the principal manages, or move them to an administrator role");
            for &(a, why, s) in &hits[1..] {
                if s != span {
                    f = f.secondary(s, format!("`{a}`: {why}"));
                }
            }
            if let Some(r) = resource {
                f = f.secondary(r, "on every resource");
            }
            cx.report(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iamdata::{self, AccessLevel, wildcard_match};

    /// Is `name` a candidate: an action name that reads as setting a policy or a permission?
    fn candidate_name(name: &str) -> bool {
        let verb = ["Put", "Set", "Add", "Update", "Attach"]
            .iter()
            .any(|v| name.starts_with(v));
        let noun = ["Policy", "Permission", "Permissions", "PolicyStatement"]
            .iter()
            .any(|n| name.ends_with(n));
        let identity = ["PutUserPolicy", "PutRolePolicy", "PutGroupPolicy", "AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"]
            .contains(&name);
        verb && noun && !identity
    }

    /// Is `action` in the table, as itself or under a pattern row?
    fn judged(action: &str) -> bool {
        rows().any(|(p, _, _)| wildcard_match(p, action, true))
    }

    /// Every candidate of the embedded reference is judged in the table, and every row names
    /// "Permissions management" actions of the reference.
    #[test]
    fn table_judges_every_candidate_of_the_reference() {
        let pm = AccessLevel::PERMISSIONS_MANAGEMENT;
        let data = iamdata::get();
        let mut unjudged = Vec::new();
        for svc in data.services() {
            for a in svc.actions() {
                if a.access_level().contains(pm) && candidate_name(a.name()) {
                    let full = format!("{}:{}", svc.prefix(), a.name());
                    if !judged(&full) {
                        unjudged.push(full);
                    }
                }
            }
        }
        assert!(unjudged.is_empty(), "add to data/resource-policy-actions.tsv: {unjudged:?}");
        for (pattern, _, reason) in rows() {
            assert!(!reason.is_empty(), "{pattern}");
            let (svc, name) = pattern.split_once(':').unwrap();
            let svc = data.service(svc).unwrap_or_else(|| panic!("{pattern}"));
            assert!(
                svc.actions().iter().any(|a| wildcard_match(name, a.name(), true)
                    && a.access_level().contains(pm)),
                "{pattern} is no Permissions management action of the reference"
            );
        }
        assert!(reported().any(|(a, _)| a == "s3:PutBucketPolicy"));
        // One grant, one finding: what privilege-escalation reports is not in this list.
        for (a, _) in reported() {
            assert!(
                !super::super::privilege_escalation::SINGLE.iter().any(|(p, _)| p.eq_ignore_ascii_case(a)),
                "{a}"
            );
        }
    }
}
