//! A policy's names read against the embedded service reference ([`crate::iamdata`]): what an
//! `Action` item denotes, a resource as an ARN template the reference can match, and the few
//! services AWS has retired (the reference drops them without saying so).
//!
//! Shared by the rules that validate names (`unknown-service`, `unknown-action`,
//! `action-pattern-matches-nothing`, `resource-type-mismatch`, `unknown-condition-key`,
//! `condition-type-mismatch`), so they agree on what is known and what is left alone.

use std::cell::RefCell;

use crate::iamdata::{self, Action, ActionList, Remembered, Service, has_wildcard, remembered};
use crate::syntax::tree::{Part, Text};

use super::arn::split_colon;
use super::{Item, Statement};

/// What one `Action`/`NotAction` item denotes.
#[derive(Clone, Debug)]
pub enum ActionRef<'a> {
    /// `"*"`: every action.
    All,
    /// Not known statically (`${var.action}`), or not of the form `service:action` (`s3`).
    /// No rule judges it.
    Unknown,
    /// `"lamda:InvokeFunction"`: the prefix is literal, has no wildcard and is not a service.
    UnknownService { prefix: &'a str },
    /// `"s3:GetObject"`: a known action, or `None` when the service has no such action.
    Exact {
        service: &'static Service,
        name: &'a str,
        action: Option<&'static Action>,
    },
    /// `"s3:Get*"`, `"*:List*"`: the actions the pattern covers (possibly none).
    Pattern {
        pattern: &'a str,
        actions: ActionList,
    },
}

impl<'a> ActionRef<'a> {
    /// Reads one action item. A partly known item (`s3:${var.verb}`) is `Unknown`, except that a
    /// literal, wildcard-free service prefix before the first unknown part is still checked:
    /// `lamda:${var.verb}` is an unknown service whatever the variable holds.
    ///
    /// Rules read it through their facts (`rules::Facts::action`), worked out once per item;
    /// see [`Self::resolve`] for what is remembered.
    pub fn of(item: &'a Item) -> ActionRef<'a> {
        Self::view(item, &Self::resolve(item))
    }

    /// The item as `resolved` says it reads (what [`Self::resolve`] gave for it).
    pub fn view(item: &'a Item, resolved: &Resolved) -> ActionRef<'a> {
        let text = item.literal();
        match resolved {
            Resolved::All => ActionRef::All,
            Resolved::Unknown => ActionRef::Unknown,
            Resolved::UnknownService => ActionRef::UnknownService {
                prefix: text
                    .unwrap_or_else(|| item.text.known_prefix())
                    .split(':')
                    .next()
                    .unwrap_or(""),
            },
            Resolved::Exact { service, action } => ActionRef::Exact {
                service,
                name: text.map_or("", |t| name_in(t, service)),
                action: *action,
            },
            Resolved::Pattern(actions) => ActionRef::Pattern {
                pattern: text.unwrap_or(""),
                actions: actions.clone(),
            },
        }
    }

    /// What the item denotes, without the text it borrows. `*` and action names are looked up
    /// directly; what else a literal means (patterns, unknown names) is remembered by each
    /// thread: a tree repeats a few hundred of them thousands of times.
    pub fn resolve(item: &Item) -> Resolved {
        let Some(text) = item.literal() else {
            // "lamda:${var.verb}"
            let known = item.text.known_prefix();
            return match split_colon(known) {
                Some((prefix, _)) if is_plain_prefix(prefix) => {
                    match iamdata::get().service(prefix) {
                        Some(_) => Resolved::Unknown,
                        None => Resolved::UnknownService,
                    }
                }
                _ => Resolved::Unknown,
            };
        };
        if let Some(known) = ActionRef::known(text) {
            return Resolved::of(&known);
        }
        thread_local! {
            static SEEN: Remembered<Resolved> = RefCell::default();
        }
        remembered(&SEEN, text, || Resolved::of(&ActionRef::other(text)))
    }

    /// Reads an action name as written (`s3:GetObject`, `s3:Get*`, `*`).
    pub fn of_str(text: &'a str) -> ActionRef<'a> {
        Self::known(text).unwrap_or_else(|| Self::other(text))
    }

    /// `*`, or an action of the reference (`s3:GetObject`, in any case): what most items are,
    /// answered by one look-up of the whole name.
    fn known(text: &'a str) -> Option<ActionRef<'a>> {
        if text == "*" {
            return Some(ActionRef::All);
        }
        let action = iamdata::get().action_by_full_name(text)?;
        let service = action.owner();
        Some(ActionRef::Exact {
            service,
            name: name_in(text, service),
            action: Some(action),
        })
    }

    /// What a text that is neither `*` nor an action of the reference denotes.
    fn other(text: &'a str) -> ActionRef<'a> {
        let Some((prefix, name)) = split_colon(text) else {
            // "s3GetObject", "": not an action name; other rules' business.
            return ActionRef::Unknown;
        };
        let data = iamdata::get();
        if !has_wildcard(prefix) {
            if !is_plain_prefix(prefix) {
                return ActionRef::Unknown;
            }
            let Some(service) = data.service(prefix) else {
                return ActionRef::UnknownService { prefix };
            };
            if !has_wildcard(name) {
                // Not an action: [`Self::known`] looked the whole name up.
                return ActionRef::Exact {
                    service,
                    name,
                    action: None,
                };
            }
        }
        ActionRef::Pattern {
            pattern: text,
            actions: data.expand_action_pattern(text),
        }
    }
}

/// The action name of `text`, an item naming an action of `service` (`getobject` of
/// `S3:getobject`): what follows the prefix, written in some case, and its `:`.
fn name_in<'t>(text: &'t str, service: &Service) -> &'t str {
    text.get(service.prefix().len() + 1..).unwrap_or("")
}

/// [`ActionRef`] without the text it borrows, kept for the item it was worked out for.
#[derive(Clone, Debug)]
pub enum Resolved {
    All,
    Unknown,
    UnknownService,
    Exact {
        service: &'static Service,
        action: Option<&'static Action>,
    },
    Pattern(ActionList),
}

impl Resolved {
    fn of(r: &ActionRef<'_>) -> Resolved {
        match r {
            ActionRef::All => Resolved::All,
            ActionRef::Unknown => Resolved::Unknown,
            ActionRef::UnknownService { .. } => Resolved::UnknownService,
            ActionRef::Exact {
                service, action, ..
            } => Resolved::Exact {
                service,
                action: *action,
            },
            ActionRef::Pattern { actions, .. } => Resolved::Pattern(actions.clone()),
        }
    }
}

/// The actions of the reference a literal `Action` item grants (`None` for an item not known
/// statically): a pattern's, an exact name's, none for an unknown name or service. `meaning` is
/// what the item denotes (rules have it from their facts, worked out once per item).
pub fn granted_by(item: &Item, meaning: ActionRef<'_>) -> Option<ActionList> {
    let text = item.literal()?;
    Some(match meaning {
        ActionRef::Exact {
            action: Some(a), ..
        } => ActionList::one(a),
        ActionRef::Pattern { actions, .. } => actions,
        ActionRef::All => iamdata::get().expand_action_pattern("*"),
        // "*Get*" has no `:`, but a wildcard can still match `service:Action` names.
        ActionRef::Unknown if has_wildcard(text) => iamdata::get().expand_action_pattern(text),
        ActionRef::Exact { action: None, .. }
        | ActionRef::Unknown
        | ActionRef::UnknownService { .. } => ActionList::EMPTY,
    })
}

/// A service prefix as IAM writes them (`s3`, `rds-db`, `execute-api`): no spaces, quotes or
/// template syntax, so a half-evaluated expression is never taken for a prefix.
fn is_plain_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// The actions of a statement's `Action` element when every item is a known action written out
/// (no wildcard, no template, no unknown name); `None` otherwise, or for `NotAction`.
pub fn exact_actions(st: &Statement) -> Option<Vec<&'static Action>> {
    let el = st
        .action
        .as_ref()
        .filter(|a| !a.negated && !a.has_unknown)?;
    if el.items.is_empty() {
        return None;
    }
    el.items
        .iter()
        .map(|i| match ActionRef::of(i) {
            ActionRef::Exact {
                action: Some(a), ..
            } => Some(a),
            _ => None,
        })
        .collect()
}

/// A resource value as the reference's ARN matcher reads it: literal parts as policy text
/// (wildcards, policy variables), unknown parts as [`iamdata::Part::Unknown`].
pub fn arn_parts(text: &Text) -> Vec<iamdata::Part<'_>> {
    text.parts
        .iter()
        .map(|p| match p {
            Part::Lit(s) => iamdata::Part::Lit(s),
            Part::Var(_) => iamdata::Part::Unknown,
        })
        .collect()
}

/// Services AWS has retired, by IAM prefix, with their names: the reference no longer lists
/// them, but AWS managed policies (and old repositories) still name them. Their actions grant
/// nothing. Found by linting every AWS managed policy (`bench/managed-policies.sh`).
pub const RETIRED_SERVICES: &[(&str, &str)] = &[
    ("deepcomposer", "AWS DeepComposer"),
    ("deeplens", "AWS DeepLens"),
    ("deepracer", "AWS DeepRacer"),
    ("elastic-inference", "Amazon Elastic Inference"),
    ("iot1click", "AWS IoT 1-Click"),
    ("iotroborunner", "AWS IoT RoboRunner"),
    ("mobilehub", "AWS Mobile Hub"),
    (
        "sagemaker-groundtruth-synthetic",
        "Amazon SageMaker Ground Truth Synthetic Data",
    ),
    ("zocalo", "Amazon WorkDocs (`zocalo`)"),
];

/// The name of the retired service with this prefix, case-insensitively.
pub fn retired_service(prefix: &str) -> Option<&'static str> {
    RETIRED_SERVICES
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(prefix))
        .map(|&(_, name)| name)
}

/// Actions AWS has retired from services that still exist: `(prefix, action, why)`. The
/// reference drops them; AWS managed policies still grant some of them.
pub const RETIRED_ACTIONS: &[(&str, &str, &str)] = &[
    // CloudHSM Classic's API, replaced by the current CloudHSM.
    ("cloudhsm", "CreateHapg", CLOUDHSM_CLASSIC),
    ("cloudhsm", "CreateLunaClient", CLOUDHSM_CLASSIC),
    ("cloudhsm", "DeleteHapg", CLOUDHSM_CLASSIC),
    ("cloudhsm", "DeleteLunaClient", CLOUDHSM_CLASSIC),
    ("cloudhsm", "DescribeHapg", CLOUDHSM_CLASSIC),
    ("cloudhsm", "DescribeHsm", CLOUDHSM_CLASSIC),
    ("cloudhsm", "DescribeLunaClient", CLOUDHSM_CLASSIC),
    ("cloudhsm", "GetConfig", CLOUDHSM_CLASSIC),
    ("cloudhsm", "ListAvailableZones", CLOUDHSM_CLASSIC),
    ("cloudhsm", "ListHapgs", CLOUDHSM_CLASSIC),
    ("cloudhsm", "ListHsms", CLOUDHSM_CLASSIC),
    ("cloudhsm", "ListLunaClients", CLOUDHSM_CLASSIC),
    ("cloudhsm", "ModifyHapg", CLOUDHSM_CLASSIC),
    ("cloudhsm", "ModifyHsm", CLOUDHSM_CLASSIC),
    ("cloudhsm", "ModifyLunaClient", CLOUDHSM_CLASSIC),
    (
        "cloud9",
        "ValidateEnvironmentName",
        "AWS Cloud9 no longer has this action",
    ),
    // AWS Security Agent's preview names, renamed before general availability.
    (
        "securityagent",
        "BatchGetAgentInstances",
        SECURITY_AGENT_PREVIEW,
    ),
    (
        "securityagent",
        "BatchGetSecurityTestContentMetadata",
        SECURITY_AGENT_PREVIEW,
    ),
    ("securityagent", "BatchGetTasks", SECURITY_AGENT_PREVIEW),
    (
        "securityagent",
        "CreateDocumentReview",
        SECURITY_AGENT_PREVIEW,
    ),
    (
        "securityagent",
        "DeleteDocumentReview",
        SECURITY_AGENT_PREVIEW,
    ),
    ("securityagent", "GetCodeReviewTask", SECURITY_AGENT_PREVIEW),
    ("securityagent", "GetDocReviewTask", SECURITY_AGENT_PREVIEW),
    ("securityagent", "GetDocumentReview", SECURITY_AGENT_PREVIEW),
    (
        "securityagent",
        "GetDocumentReviewArtifact",
        SECURITY_AGENT_PREVIEW,
    ),
    (
        "securityagent",
        "ListAgentInstances",
        SECURITY_AGENT_PREVIEW,
    ),
    ("securityagent", "ListControls", SECURITY_AGENT_PREVIEW),
    (
        "securityagent",
        "ListDocumentReviewComments",
        SECURITY_AGENT_PREVIEW,
    ),
    (
        "securityagent",
        "ListDocumentReviews",
        SECURITY_AGENT_PREVIEW,
    ),
    ("securityagent", "ListTasks", SECURITY_AGENT_PREVIEW),
    (
        "securityagent",
        "StartPentestExecution",
        SECURITY_AGENT_PREVIEW,
    ),
    (
        "securityagent",
        "StopPentestExecution",
        SECURITY_AGENT_PREVIEW,
    ),
];

const CLOUDHSM_CLASSIC: &str = "an action of CloudHSM Classic, which AWS retired";
const SECURITY_AGENT_PREVIEW: &str = "a preview name AWS Security Agent no longer has";

/// Why the action `name` of service `prefix` is retired, if it is (case-insensitive).
pub fn retired_action(prefix: &str, name: &str) -> Option<&'static str> {
    RETIRED_ACTIONS
        .iter()
        .find(|(p, a, _)| p.eq_ignore_ascii_case(prefix) && a.eq_ignore_ascii_case(name))
        .map(|&(.., why)| why)
}

/// Why every action the pattern could have meant is retired, if a listed retired action matches
/// it.
pub fn retired_pattern(pattern: &str) -> Option<&'static str> {
    RETIRED_ACTIONS
        .iter()
        .find(|(p, a, _)| iamdata::action_pattern_matches(pattern, &format!("{p}:{a}")))
        .map(|&(.., why)| why)
}

/// Names that are no IAM action but that AWS itself writes into the policies it generates, as
/// `service:Action`, with where AWS writes them. Copies of such a policy are common and the name
/// grants nothing, so `unknown-action` reports it as information, not as the author's mistake.
pub const AWS_WRITTEN_NON_ACTIONS: &[(&str, &str)] = &[
    // Amazon SNS writes this statement (`"Sid": "__default_statement_ID"`, in the policy
    // `"Id": "__default_policy_ID"`) into every topic created without a policy; the Terraform AWS
    // provider's `aws_sns_topic_policy` page shows the same list as its example
    // (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sns_topic_policy).
    (
        "sns:Receive",
        "Amazon SNS's default topic policy (`__default_policy_ID`) lists it",
    ),
];

/// Where AWS writes the non-action `full_name` (case-insensitive), if it is one of
/// [`AWS_WRITTEN_NON_ACTIONS`].
pub fn aws_written_non_action(full_name: &str) -> Option<&'static str> {
    AWS_WRITTEN_NON_ACTIONS
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(full_name))
        .map(|&(_, why)| why)
}

/// Service prefixes AWS's own managed policies use that the reference does not list (yet):
/// internal or unannounced services. Not reported: the linter cannot tell them from typos, but
/// AWS grants them, so they exist.
pub const UNDOCUMENTED_SERVICES: &[&str] = &["builderid", "datazonecontrol"];

/// Actions AWS's own managed policies grant that the reference does not list (yet), as
/// `service:Action`. Not reported, like [`UNDOCUMENTED_SERVICES`].
pub const UNDOCUMENTED_ACTIONS: &[&str] = &[
    "budgets:CreateBudget",
    "budgets:DeleteBudget",
    "budgets:DescribeBudget",
    "budgets:DescribeBudgets",
    "budgets:UpdateBudget",
    "memorydb:ReplicateMultiRegionClusterData",
    "organizations:CreateBuilderIdOwnedAccount",
    "payments:AcceptTermsAndConditionsForProgramByAccountId",
    "payments:BatchGetPaymentProfiles",
    "payments:CreatePaymentAttempt",
    "payments:CreatePaymentProfile",
    "payments:Get",
    "payments:GetAcceptedTermsAndConditionsForProgramByAccountId",
    "payments:GetAccountBalance",
    "payments:GetDefaultPaymentProfile",
    "payments:GetEligibleCurrencies",
    "payments:GetPaymentAttempt",
    "payments:GetPaymentPreferences",
    "payments:GetPreferredCurrency",
    "payments:GetRecommendedTermsAndConditionsForProgram",
    "payments:ListPaymentProfiles",
    "payments:SearchFinancialRecords",
    "payments:SetPreferredCurrency",
    "payments:UpdatePaymentProfile",
    "qapps:ImportDocumentToQApp",
    "qapps:ImportDocumentToQAppSession",
    "route53-recovery-control-config:DescribeRoutingControlByName",
];

/// Condition keys AWS's own managed policies use that the reference does not list.
pub const UNDOCUMENTED_CONDITION_KEYS: &[&str] =
    &["aws:PrincipalOrgMasterAccountId", "lakeformation:GlueARN"];

pub fn undocumented_service(prefix: &str) -> bool {
    UNDOCUMENTED_SERVICES
        .iter()
        .any(|p| p.eq_ignore_ascii_case(prefix))
}

pub fn undocumented_action(full_name: &str) -> bool {
    UNDOCUMENTED_ACTIONS
        .iter()
        .any(|a| a.eq_ignore_ascii_case(full_name))
}

pub fn undocumented_condition_key(key: &str) -> bool {
    UNDOCUMENTED_CONDITION_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    use crate::syntax::tree::Text;

    /// Every rule asks about the same item; the first answer is kept and later ones agree.
    #[test]
    fn an_item_is_resolved_once() {
        let item = |parts: Vec<Part>| {
            Item::new(
                Span::default(),
                Text {
                    parts: parts.into(),
                },
            )
        };
        let exact = item(vec![Part::Lit("S3:getobject".into())]);
        for _ in 0..2 {
            assert!(matches!(
                ActionRef::of(&exact),
                ActionRef::Exact { name: "getobject", action: Some(a), .. } if a.full_name() == "s3:GetObject"
            ));
        }
        assert!(matches!(
            ActionRef::resolve(&exact),
            Resolved::Exact {
                action: Some(_),
                ..
            }
        ));
        let partial = item(vec![
            Part::Lit("lamda:".into()),
            Part::Var("var.verb".into()),
        ]);
        for _ in 0..2 {
            assert!(matches!(
                ActionRef::of(&partial),
                ActionRef::UnknownService { prefix: "lamda" }
            ));
        }
        let pattern = item(vec![Part::Lit("s3:Get*".into())]);
        let first = ActionRef::of(&pattern);
        let ActionRef::Pattern {
            pattern: "s3:Get*",
            actions,
        } = ActionRef::of(&pattern)
        else {
            panic!("{first:?}");
        };
        assert!(actions.len() > 10);
        assert_eq!(
            granted_by(&pattern, ActionRef::of(&pattern)).unwrap().len(),
            actions.len()
        );
    }

    #[test]
    fn action_refs() {
        assert!(matches!(ActionRef::of_str("*"), ActionRef::All));
        assert!(matches!(
            ActionRef::of_str("s3GetObject"),
            ActionRef::Unknown
        ));
        assert!(matches!(
            ActionRef::of_str("lamda:InvokeFunction"),
            ActionRef::UnknownService { prefix: "lamda" }
        ));
        assert!(matches!(
            ActionRef::of_str("S3:getobject"),
            ActionRef::Exact { action: Some(a), .. } if a.full_name() == "s3:GetObject"
        ));
        assert!(matches!(
            ActionRef::of_str("s3:GetObjekt"),
            ActionRef::Exact {
                action: None,
                name: "GetObjekt",
                ..
            }
        ));
        assert!(matches!(
            ActionRef::of_str("s3:Gett*"),
            ActionRef::Pattern { actions, .. } if actions.is_empty()
        ));
        assert!(matches!(
            ActionRef::of_str("s3*:GetObject"),
            ActionRef::Pattern { actions, .. } if !actions.is_empty()
        ));
        assert!(matches!(ActionRef::of_str("\"s3\":x"), ActionRef::Unknown));
    }

    /// The hand-kept lists describe what the reference lacks; when it catches up, they must
    /// shrink (or the linter would hide real typos).
    #[test]
    fn hand_kept_lists_name_what_the_reference_lacks() {
        let data = iamdata::get();
        for (prefix, _) in RETIRED_SERVICES {
            assert!(
                data.service(prefix).is_none(),
                "{prefix} is in the reference"
            );
        }
        for prefix in UNDOCUMENTED_SERVICES {
            assert!(
                data.service(prefix).is_none(),
                "{prefix} is in the reference"
            );
        }
        for (prefix, action, _) in RETIRED_ACTIONS {
            assert!(data.service(prefix).is_some(), "{prefix} is gone");
            assert!(
                data.action(prefix, action).is_none(),
                "{prefix}:{action} exists"
            );
        }
        for full in UNDOCUMENTED_ACTIONS {
            assert!(data.action_by_full_name(full).is_none(), "{full} exists");
        }
        for key in UNDOCUMENTED_CONDITION_KEYS {
            assert!(data.condition_key(key).is_none(), "{key} exists");
        }
    }
}
