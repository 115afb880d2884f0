use super::{Context, Rule, Facts};
use crate::policy::{PolicyDocument, Statement};
use crate::source::Span;

declare_rule! {
    /// Grants that let a principal give itself more permissions, alone or in combination.
    pub struct PrivilegeEscalation {
        name: "privilege-escalation",
        category: Security,
        severity: Error,
        summary: "the policy grants a known privilege-escalation path (`iam:CreatePolicyVersion`, `iam:PassRole` + `ec2:RunInstances`…) on unscoped resources",
        kinds: [Identity],
    }
}

/// Actions that escalate on their own, with what they let the principal do.
pub const SINGLE: &[(&str, &str)] = &[
    (
        "iam:CreatePolicyVersion",
        "rewrite a managed policy it is attached to",
    ),
    (
        "iam:SetDefaultPolicyVersion",
        "switch a managed policy to a more permissive version",
    ),
    (
        "iam:AttachUserPolicy",
        "attach any managed policy to a user",
    ),
    (
        "iam:AttachGroupPolicy",
        "attach any managed policy to a group",
    ),
    (
        "iam:AttachRolePolicy",
        "attach any managed policy to a role",
    ),
    ("iam:PutUserPolicy", "write an inline policy on a user"),
    ("iam:PutGroupPolicy", "write an inline policy on a group"),
    ("iam:PutRolePolicy", "write an inline policy on a role"),
    ("iam:UpdateAssumeRolePolicy", "let itself assume any role"),
    ("iam:CreateAccessKey", "create access keys for other users"),
    (
        "iam:CreateLoginProfile",
        "set a console password for other users",
    ),
    (
        "iam:UpdateLoginProfile",
        "change other users' console passwords",
    ),
    (
        "iam:AddUserToGroup",
        "add itself to a more privileged group",
    ),
    (
        "lambda:UpdateFunctionCode",
        "run its own code as an existing function's role",
    ),
    (
        "glue:UpdateDevEndpoint",
        "log in to an existing Glue endpoint with its role",
    ),
];

/// Combinations with `iam:PassRole`: the principal passes a privileged role to a resource it
/// creates and then acts through that resource. Each with the service principal the role is
/// passed to, which an `iam:PassedToService` condition names.
const WITH_PASS_ROLE: &[(&[&str], &str)] = &[
    (
        &["lambda:CreateFunction", "lambda:InvokeFunction"],
        "lambda.amazonaws.com",
    ),
    (
        &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
        "lambda.amazonaws.com",
    ),
    (&["ec2:RunInstances"], "ec2.amazonaws.com"),
    (&["cloudformation:CreateStack"], "cloudformation.amazonaws.com"),
    (&["glue:CreateDevEndpoint"], "glue.amazonaws.com"),
    (
        &[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
        "datapipeline.amazonaws.com",
    ),
    (
        &[
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ],
        "sagemaker.amazonaws.com",
    ),
    (
        &["codebuild:CreateProject", "codebuild:StartBuild"],
        "codebuild.amazonaws.com",
    ),
    (
        &["ecs:RegisterTaskDefinition", "ecs:RunTask"],
        "ecs-tasks.amazonaws.com",
    ),
];

/// The services the statement's `iam:PassedToService` condition lets it pass roles to (`None`:
/// any service). Only positive string operators limit; a value the linter cannot see limits to
/// anything.
fn passed_to(st: &Statement) -> Option<Vec<String>> {
    let c = st.condition.as_ref()?;
    let mut services: Option<Vec<String>> = None;
    for (op, e) in c.entries_for("iam:PassedToService") {
        if op.op.base.contains("Not") || op.op.if_exists || !op.op.base.starts_with("String") {
            continue;
        }
        let mut values = Vec::new();
        for v in &e.values {
            values.push(v.literal()?.to_string());
        }
        services.get_or_insert_with(Vec::new).extend(values);
    }
    services
}

/// Can some statement that grants `iam:PassRole` unscoped pass a role to `service`?
fn can_pass_to(doc: &PolicyDocument, service: &str, facts: &Facts) -> bool {
    doc.statements
        .iter()
        .filter(|st| grants_unscoped(st, "iam:PassRole", facts).is_some())
        .any(|st| {
            passed_to(st).is_none_or(|list| {
                list.iter().any(|p| crate::iamdata::wildcard_match(p, service, true))
            })
        })
}

/// The statement grants `action` on resources that are not narrowed (by ARN or condition).
fn grants_unscoped(st: &Statement, action: &str, facts: &Facts) -> Option<Span> {
    // `NotAction` grants are `allow-with-not-action`'s.
    if st.action.as_ref().is_none_or(|a| a.negated) {
        return None;
    }
    facts.unscoped_allow(st)?;
    st.allows(action)
}

fn first_grant(doc: &PolicyDocument, action: &str, facts: &Facts) -> Option<Span> {
    doc.statements
        .iter()
        .find_map(|st| grants_unscoped(st, action, facts))
}

impl Rule for PrivilegeEscalation {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        // One finding per statement for the actions that escalate alone.
        for st in &doc.statements {
            let hits: Vec<(&str, &str, Span)> = SINGLE
                .iter()
                .filter_map(|&(a, why)| grants_unscoped(st, a, cx.facts()).map(|s| (a, why, s)))
                .collect();
            let Some(&(first, why, span)) = hits.first() else {
                continue;
            };
            let names: Vec<String> = hits.iter().map(|(a, _, _)| format!("`{a}`")).collect();
            let mut f = cx
                .finding(
                    span,
                    format!("the policy can escalate its own privileges through {}", names.join(", ")),
                )
                .label(format!("`{first}` on every resource lets it {why}"))
                .help("scope these actions to the resources they manage, or move them to a separate administrator role");
            for &(a, why, s) in &hits[1..] {
                if s != span {
                    f = f.secondary(s, format!("`{a}`: {why}"));
                }
            }
            cx.report(f);
        }
        // One finding for the combinations with `iam:PassRole`.
        let Some(pass) = first_grant(doc, "iam:PassRole", cx.facts()) else {
            return;
        };
        let mut paths = Vec::new();
        let mut labels: Vec<(Span, String)> = Vec::new();
        for &(combo, service) in WITH_PASS_ROLE {
            if !can_pass_to(doc, service, cx.facts()) {
                continue;
            }
            let grants: Option<Vec<Span>> = combo.iter().map(|a| first_grant(doc, a, cx.facts())).collect();
            let Some(grants) = grants else { continue };
            paths.push(format!(
                "`iam:PassRole` + {}",
                combo
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            ));
            for (a, s) in combo.iter().zip(grants) {
                if s != pass && !labels.iter().any(|(l, _)| *l == s) {
                    labels.push((s, format!("allows `{a}`")));
                }
            }
        }
        if paths.is_empty() {
            return;
        }
        let mut f = cx
            .finding(pass, format!("the policy can escalate its own privileges through {}", paths.join("; ")))
            .label("passes any role to a resource the principal then controls")
            .help("scope `iam:PassRole` to the roles the workload passes, with an `iam:PassedToService` condition");
        for (s, t) in labels {
            f = f.secondary(s, t);
        }
        cx.report(f);
    }
}
