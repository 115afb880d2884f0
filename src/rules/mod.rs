//! The rule registry and the contract every rule follows.
//!
//! A rule is a unit struct with constant metadata ([`RuleMeta`], its doc page included at compile
//! time, so a missing page is a build error) and a `check` over one policy document. The registry
//! is the one sorted list [`ALL`]. Rules never name themselves in findings: [`Context`] stamps the
//! rule and its configured severity.

mod facts;

use std::borrow::Cow;
use std::sync::Arc;

pub use facts::Facts;

use crate::diagnostic::{Finding, RuleName, Severity};
use crate::policy::attachment::Attachment;
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
    pub name: RuleName,
    pub category: Category,
    pub default_severity: Severity,
    /// One line, shown in `iamlint rules`.
    pub summary: Cow<'static, str>,
    /// The rule's page, `rules/<name>.md`.
    pub doc: Cow<'static, str>,
    /// Policy kinds the rule applies to; empty means all.
    pub kinds: &'static [PolicyKind],
}

/// The selector naming the group of opt-in rules.
pub const PEDANTIC: &str = "pedantic";

impl RuleMeta {
    pub fn applies_to(&self, kind: PolicyKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }

    pub fn doc_url(&self) -> String {
        doc_url(self.name.as_str())
    }
}

/// The page of the rule named `name` in the project's repository.
pub fn doc_url(name: &str) -> String {
    format!("{}/blob/main/rules/{name}.md", crate::REPOSITORY)
}

/// The category of the rule named `name`: a built-in rule's, else a custom rule's.
pub fn category_of(name: &str) -> Category {
    find(name).map_or(Category::Custom, |r| r.meta().category)
}

/// Settings a rule may read.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    /// The repository's own account ids: trust from them is not cross-account.
    pub accounts: Vec<String>,
}

pub struct Context<'a> {
    pub options: &'a RuleOptions,
    rule: &'a RuleMeta,
    file: &'a Arc<SourceFile>,
    facts: &'a Facts<'a>,
    /// Every document of the file, the checked one included (in extraction order).
    documents: &'a [PolicyDocument],
    out: &'a mut Vec<Finding>,
}

impl<'a> Context<'a> {
    pub fn new(
        options: &'a RuleOptions,
        rule: &'a RuleMeta,
        file: &'a Arc<SourceFile>,
        facts: &'a Facts<'a>,
        documents: &'a [PolicyDocument],
        out: &'a mut Vec<Finding>,
    ) -> Self {
        Context {
            options,
            rule,
            file,
            facts,
            documents,
            out,
        }
    }

    /// Every document of the file being checked, in extraction order: for the few rules whose
    /// question spans documents (the inline policies of one role share one size quota).
    pub fn documents(&self) -> &'a [PolicyDocument] {
        self.documents
    }

    /// What the rules know of the document being checked (see [`Facts`]).
    pub fn facts(&self) -> &Facts<'a> {
        self.facts
    }

    /// A finding of the running rule at `span`, to be completed and passed to [`Self::report`].
    pub fn finding(&self, span: Span, message: impl Into<String>) -> Finding {
        Finding::new(
            self.rule.name.clone(),
            self.rule.default_severity,
            self.file,
            span,
            message,
        )
    }

    pub fn report(&mut self, finding: Finding) {
        self.out.push(finding);
    }

    pub fn file(&self) -> &SourceFile {
        self.file
    }
}

/// A rule a run knows: a built-in one from [`ALL`], or a custom one its config declares.
#[derive(Clone)]
pub enum RuleRef {
    Builtin(&'static dyn Rule),
    Custom(Arc<dyn Rule>),
}

impl std::ops::Deref for RuleRef {
    type Target = dyn Rule;

    fn deref(&self) -> &(dyn Rule + 'static) {
        match self {
            RuleRef::Builtin(r) => *r,
            RuleRef::Custom(r) => r.as_ref(),
        }
    }
}

/// What `declare_rule!` implements: the rule's constant description.
pub trait Declared {
    fn meta(&self) -> &RuleMeta;

    /// Part of the default run. An opt-in rule (`default_enabled: false`, the `pedantic` group)
    /// is right but reports much that well-written policies do on purpose; it runs when selected
    /// by name, as `pedantic` or `all` (not by its category).
    fn default_enabled(&self) -> bool {
        true
    }

    /// `default` or `pedantic`: the group the rule belongs to.
    fn group(&self) -> &'static str {
        if self.default_enabled() {
            "default"
        } else {
            PEDANTIC
        }
    }
}

pub trait Rule: Declared + Send + Sync {
    /// Checks one document. Rules that report on the input itself (`invalid-json`) are raised by
    /// the front ends and keep the default, which checks nothing.
    fn check(&self, _doc: &PolicyDocument, _cx: &mut Context) {}

    /// Checks one managed policy attachment (`ManagedPolicyArns`, `policy_arn`…): not a document,
    /// so it has no kind and no facts. Only the attachment rules implement it; the default
    /// checks nothing.
    fn check_attachment(&self, _attachment: &Attachment, _cx: &mut Context) {}
}

/// `declare_rule!`'s `default_enabled`, `true` when not written.
#[doc(hidden)]
pub const fn default_enabled(given: &[bool]) -> bool {
    match given {
        [on] => *on,
        _ => true,
    }
}

/// Declares a rule: its struct, its [`RuleMeta`] (`META`, with the page `rules/<name>.md`
/// included, so a missing page is a build error) and [`Declared`]. The file then implements
/// [`Rule`]; `build.rs` finds the declaration and registers the rule in [`ALL`].
///
/// ```ignore
/// declare_rule! {
///     /// `rds:connect` where IAM database authentication needs `rds-db:connect`.
///     pub struct RdsConnectPrefix {
///         name: "rds-connect-prefix",
///         category: Correctness,
///         severity: Error,
///         summary: "`rds:connect` where IAM database authentication needs `rds-db`",
///         kinds: [],
///         // optional: `false` keeps the rule out of the default run (the `pedantic` group)
///         default_enabled: true,
///     }
/// }
/// ```
macro_rules! declare_rule {
    (
        $(#[$attr:meta])*
        pub struct $rule:ident {
            name: $name:literal,
            category: $category:ident,
            severity: $severity:ident,
            summary: $summary:literal,
            kinds: [$($kind:ident),* $(,)?]
            $(, default_enabled: $default_enabled:literal)? $(,)?
        }
    ) => {
        $(#[$attr])*
        pub struct $rule;

        /// The rule's description, as the registry lists it.
        pub static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            name: $crate::diagnostic::RuleName::new($name),
            category: $crate::rules::Category::$category,
            default_severity: $crate::diagnostic::Severity::$severity,
            summary: ::std::borrow::Cow::Borrowed($summary),
            doc: ::std::borrow::Cow::Borrowed(include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/rules/",
                $name,
                ".md"
            ))),
            kinds: &[$($crate::policy::PolicyKind::$kind),*],
        };

        impl $crate::rules::Declared for $rule {
            fn meta(&self) -> &$crate::rules::RuleMeta {
                &META
            }

            fn default_enabled(&self) -> bool {
                $crate::rules::default_enabled(&[$($default_enabled)?])
            }
        }
    };
}

// The rule modules and [`ALL`], generated by `build.rs` from the `declare_rule!` of every file
// in this folder: adding a file is all it takes to register a rule.
include!(concat!(env!("OUT_DIR"), "/rules.rs"));

pub fn find(name: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().name.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_with_unique_kebab_case_names() {
        let names: Vec<_> = ALL.iter().map(|r| r.meta().name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
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
