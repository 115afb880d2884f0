use std::cell::OnceCell;

use super::{Context, Facts, Rule};
use crate::diagnostic::Finding;
use crate::iamdata::documented::documented_for;
use crate::iamdata::{Action, ResourceType};
use crate::policy::reference::ActionRef;
use crate::policy::{Item, PolicyDocument, Statement};


declare_rule! {
    /// An action that supports resource-level permissions next to resources none of which is of a
    /// type the action takes (`s3:GetObject` on a bucket ARN, `sns:Publish` on a queue).
    pub struct ResourceTypeMismatch {
        name: "resource-type-mismatch",
        category: Correctness,
        severity: Warning,
        summary: "an action none of whose resource types matches any resource of the statement (`s3:GetObject` on a bucket ARN)",
        kinds: [],
    }
}

/// One resource of the statement.
struct Resource<'s> {
    item: &'s Item,
    /// Whether another rule reports it as malformed; worked out only when needed.
    malformed: OnceCell<bool>,
}

/// The resources of one statement, and what is known of them so far.
struct Resources<'s> {
    list: Vec<Resource<'s>>,
    /// Resource types already tried against the list: could some resource be of that type?
    /// Actions of one service share types, so each type is matched once per statement.
    tried: &'s mut Vec<(&'static ResourceType, bool)>,
}

impl Resources<'_> {
    /// Could some resource of the statement that no other rule reports as malformed be of some
    /// type the actions take? Whether a resource is malformed is worked out only for resources
    /// that match, so usually once per statement.
    fn any_matches(&mut self, types: &[&'static ResourceType], facts: &Facts) -> bool {
        types.iter().any(|t| {
            if let Some(&(_, m)) = self.tried.iter().find(|(seen, _)| std::ptr::eq(*seen, *t)) {
                return m;
            }
            let m = self
                .list
                .iter()
                .any(|r| facts.matches_type(r.item, t) && !r.is_malformed(facts));
            self.tried.push((t, m));
            m
        })
    }
}

impl Resource<'_> {
    /// `invalid-arn` and `rds-connect-prefix` report the resource: a mistake in a resource is
    /// reported once, at it.
    fn is_malformed(&self, facts: &Facts) -> bool {
        *self
            .malformed
            .get_or_init(|| self.item.is_rds_dbuser_arn() || facts.malformed_arn(self.item))
    }
}

/// The distinct resource types of `actions`, in first-seen order, into `out` (emptied first).
fn resource_types(
    actions: impl Iterator<Item = &'static Action>,
    out: &mut Vec<&'static ResourceType>,
) {
    out.clear();
    for a in actions {
        for r in a.resource_types() {
            let t = r.resource_type();
            if !out.iter().any(|seen| std::ptr::eq(*seen, t)) {
                out.push(t);
            }
        }
    }
}

/// Is a resource of the statement one AWS documents for an action the item covers
/// (`arn:aws:cloudformation:us-east-1:aws:transform/Serverless-2016-10-31` for
/// `cloudformation:CreateChangeSet`)?
fn documented(resources: &Resources<'_>, action: &Item) -> bool {
    let Some(pattern) = action.literal() else {
        return false;
    };
    // Unknown parts (`${AWS::Region}`) are masked: the documented pattern's `*` matches them.
    resources.list.iter().any(|r| {
        documented_for(&r.item.text.masked(), |a| {
            crate::iamdata::wildcard_match(pattern, a, true)
        })
        .is_some()
    })
}

/// "`object` (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) or …", at most three.
fn describe(types: &[&'static ResourceType]) -> String {
    let mut parts: Vec<String> = types
        .iter()
        .take(3)
        .map(|t| format!("`{}` (`{}`)", t.key(), t.arn_format()))
        .collect();
    if types.len() > 3 {
        parts.push(format!("{} more", types.len() - 3));
    }
    parts.join(", ")
}

/// The statement's resources read for matching; `None` when the rule has nothing to judge.
/// `tried` is a buffer kept from statement to statement (emptied here).
fn resources_of<'s>(
    st: &'s Statement,
    tried: &'s mut Vec<(&'static ResourceType, bool)>,
) -> Option<Resources<'s>> {
    let el = st
        .resource
        .as_ref()
        .filter(|r| !r.negated && !r.has_unknown)?;
    // "Resource": "*" takes every action; a fully unknown item (or a module's placeholder,
    // `_S3_BUCKET_ARN_`) may be anything.
    if el.items.is_empty()
        || el.star().is_some()
        || el
            .items
            .iter()
            .any(|i| i.text.is_unknown() || super::invalid_arn::is_placeholder(i))
    {
        return None;
    }
    tried.clear();
    Some(Resources {
        list: el
            .items
            .iter()
            .map(|item| Resource {
                item,
                malformed: OnceCell::new(),
            })
            .collect(),
        tried,
    })
}

impl Rule for ResourceTypeMismatch {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        // The resource types of one action item at a time, in one buffer; the types tried
        // against a statement's resources, in another.
        let mut types = Vec::new();
        let mut tried = Vec::new();
        for st in &doc.statements {
            let Some(actions) = st.action.as_ref().filter(|a| !a.negated) else {
                continue;
            };
            let Some(mut resources) = resources_of(st, &mut tried) else {
                continue;
            };
            for item in &actions.items {
                // An action of another service in a bucket, queue, topic or secret policy is
                // `resource-outside-policy-resource`'s, at the same token.
                if super::resource_outside_policy_resource::is_foreign_action(doc, item) {
                    continue;
                }
                // The action, or the pattern as written.
                let written = match cx.facts().action(item) {
                    // "Action": "s3:GetObject"
                    ActionRef::Exact {
                        action: Some(a), ..
                    } => {
                        resource_types(std::iter::once(a), &mut types);
                        Ok(a)
                    }
                    // "Action": "s3:Get*": only when no action it covers could use a resource.
                    ActionRef::Pattern { pattern, actions } => {
                        resource_types(actions.iter(), &mut types);
                        Err(pattern)
                    }
                    _ => continue,
                };
                // Actions without resource-level permissions are not this rule's business.
                if types.is_empty() || resources.any_matches(&types, cx.facts()) {
                    continue;
                }
                // A resource AWS documents for the action without an ARN format for it.
                if documented(&resources, item) {
                    continue;
                }
                let judged: Vec<&Item> = resources
                    .list
                    .iter()
                    .filter(|r| !r.is_malformed(cx.facts()))
                    .map(|r| r.item)
                    .collect();
                // Every resource is malformed: other rules report them.
                if judged.is_empty() {
                    continue;
                }
                let (name, pattern) = match written {
                    Ok(a) => (a.full_name(), false),
                    Err(p) => (p.to_string(), true),
                };
                cx.report(finding(cx, item, &name, pattern, &types, &judged));
            }
        }
    }
}

fn finding(
    cx: &Context,
    item: &Item,
    written: &str,
    pattern: bool,
    types: &[&'static ResourceType],
    resources: &[&Item],
) -> Finding {
    let target = match resources {
        [only] => format!("`{}`", only.text.display()),
        _ => format!("any of the statement's {} resources", resources.len()),
    };
    let message = if pattern {
        format!("no action matched by `{written}` can apply to {target}")
    } else {
        format!("`{written}` cannot apply to {target}")
    };
    let label = if pattern {
        "every action it matches takes other resource types"
    } else {
        "this action takes other resource types"
    };
    let mut f = cx.finding(item.span, message).label(label).help(format!(
        "give a resource of a type it takes: {}",
        describe(types)
    ));
    for r in resources.iter().take(5) {
        f = f.secondary(r.span, "not of a type the action takes");
    }
    f
}
