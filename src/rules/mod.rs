//! The rule registry and the contract every rule follows.
//!
//! A rule is a unit struct with constant metadata ([`RuleMeta`], its doc page included at compile
//! time, so a missing page is a build error) and a `check` over one policy document. The registry
//! is the one sorted list [`ALL`]. Rules never name themselves in findings: [`Context`] stamps the
//! rule and its configured severity.

mod action_pattern_matches_nothing;
mod admin_access_allowed;
mod allow_with_not_action;
mod allow_with_not_principal;
mod allow_with_not_resource;
mod condition_type_mismatch;
mod conflicting_elements;
mod credentials_exposure;
mod cross_account_trust_without_external_id;
mod data_read_on_all_resources;
mod duplicate_sid;
mod empty_value;
mod invalid_arn;
mod invalid_effect;
pub(crate) mod invalid_encoding;
pub(crate) mod invalid_hcl;
pub(crate) mod invalid_json;
mod invalid_sid;
pub(crate) mod invalid_yaml;
mod kms_decrypt_without_via_service;
mod missing_action;
mod missing_effect;
mod missing_resource;
mod missing_version;
mod outdated_version;
mod pass_role_with_wildcard_resource;
mod privilege_escalation;
mod public_principal;
mod rds_connect_prefix;
mod rds_db_wildcard_user;
mod resource_type_mismatch;
mod secret_read_unscoped;
mod service_wildcard_allowed;
mod unknown_action;
mod unknown_condition_key;
mod unknown_element;
mod unknown_service;
pub(crate) mod unused_suppression;
mod wildcard_resource_for_scopable_action;

use std::sync::Arc;

use crate::diagnostic::{Finding, Severity};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::source::{SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// The policy does not do what its author meant, or AWS rejects it.
    Correctness,
    /// The policy grants more than it should.
    Security,
    /// The input could not be read as a policy at all.
    Syntax,
    /// Legal but unusual; worth a look.
    Suspicious,
    Style,
    /// Rules a team wrote in `iamlint.toml`.
    Custom,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Security => "security",
            Category::Syntax => "syntax",
            Category::Suspicious => "suspicious",
            Category::Style => "style",
            Category::Custom => "custom",
        }
    }

    pub const ALL: &'static [Category] = &[
        Category::Correctness,
        Category::Security,
        Category::Syntax,
        Category::Suspicious,
        Category::Style,
        Category::Custom,
    ];
}

#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case id: config, suppressions, SARIF `ruleId`, doc file name.
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// One line, shown in `iamlint rules`.
    pub summary: &'static str,
    /// The rule's page, `rules/<name>.md`.
    pub doc: &'static str,
    /// Policy kinds the rule applies to; empty means all.
    pub kinds: &'static [PolicyKind],
}

impl RuleMeta {
    pub fn applies_to(&self, kind: PolicyKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }

    pub fn doc_url(&self) -> String {
        format!("{}/blob/main/rules/{}.md", crate::REPOSITORY, self.name)
    }
}

/// Settings a rule may read.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    /// The repository's own account ids: trust from them is not cross-account.
    pub accounts: Vec<String>,
}

pub struct Context<'a> {
    pub options: &'a RuleOptions,
    rule: &'static RuleMeta,
    file: &'a Arc<SourceFile>,
    out: &'a mut Vec<Finding>,
}

impl<'a> Context<'a> {
    pub fn new(
        options: &'a RuleOptions,
        rule: &'static RuleMeta,
        file: &'a Arc<SourceFile>,
        out: &'a mut Vec<Finding>,
    ) -> Self {
        Context {
            options,
            rule,
            file,
            out,
        }
    }

    /// A finding of the running rule at `span`, to be completed and passed to [`Self::report`].
    pub fn finding(&self, span: Span, message: impl Into<String>) -> Finding {
        Finding::new(self.rule, self.file, span, message)
    }

    pub fn report(&mut self, finding: Finding) {
        self.out.push(finding);
    }

    pub fn file(&self) -> &SourceFile {
        self.file
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Checks one document. Rules that report on the input itself (`invalid-json`) are raised by
    /// the front ends and keep the default, which checks nothing.
    fn check(&self, _doc: &PolicyDocument, _cx: &mut Context) {}
}

/// Every built-in rule, sorted by name.
pub static ALL: &[&dyn Rule] = &[
    &action_pattern_matches_nothing::ActionPatternMatchesNothing,
    &admin_access_allowed::AdminAccessAllowed,
    &allow_with_not_action::AllowWithNotAction,
    &allow_with_not_principal::AllowWithNotPrincipal,
    &allow_with_not_resource::AllowWithNotResource,
    &condition_type_mismatch::ConditionTypeMismatch,
    &conflicting_elements::ConflictingElements,
    &credentials_exposure::CredentialsExposure,
    &cross_account_trust_without_external_id::CrossAccountTrustWithoutExternalId,
    &data_read_on_all_resources::DataReadOnAllResources,
    &duplicate_sid::DuplicateSid,
    &empty_value::EmptyValue,
    &invalid_arn::InvalidArn,
    &invalid_effect::InvalidEffect,
    &invalid_encoding::InvalidEncoding,
    &invalid_hcl::InvalidHcl,
    &invalid_json::InvalidJson,
    &invalid_sid::InvalidSid,
    &invalid_yaml::InvalidYaml,
    &kms_decrypt_without_via_service::KmsDecryptWithoutViaService,
    &missing_action::MissingAction,
    &missing_effect::MissingEffect,
    &missing_resource::MissingResource,
    &missing_version::MissingVersion,
    &outdated_version::OutdatedVersion,
    &pass_role_with_wildcard_resource::PassRoleWithWildcardResource,
    &privilege_escalation::PrivilegeEscalation,
    &public_principal::PublicPrincipal,
    &rds_connect_prefix::RdsConnectPrefix,
    &rds_db_wildcard_user::RdsDbWildcardUser,
    &resource_type_mismatch::ResourceTypeMismatch,
    &secret_read_unscoped::SecretReadUnscoped,
    &service_wildcard_allowed::ServiceWildcardAllowed,
    &unknown_action::UnknownAction,
    &unknown_condition_key::UnknownConditionKey,
    &unknown_element::UnknownElement,
    &unknown_service::UnknownService,
    &unused_suppression::UnusedSuppression,
    &wildcard_resource_for_scopable_action::WildcardResourceForScopableAction,
];

pub fn find(name: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_with_unique_kebab_case_names() {
        let names: Vec<_> = ALL.iter().map(|r| r.meta().name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
        for n in names {
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()),
                "{n}"
            );
        }
    }
}
