//! The AWS and Teleport documentation policies this product grew from, linted as users would: what
//! AWS recommends is clean, and the wildcard examples are reported where they stand.

use iamlint::settings::Settings;

/// `(rule, severity, line:column)` of each active finding in one seed file.
fn findings(name: &str) -> Vec<(String, String, String)> {
    let path = format!("tests/fixtures/seeds/{name}");
    let settings = Settings {
        paths: vec![path.into()],
        ..Settings::default()
    };
    let outcome = iamlint::run(&settings).unwrap();
    outcome
        .active()
        .map(|f| {
            let p = f.file.position(f.primary.span.start as usize);
            (
                f.rule.as_str().to_string(),
                f.severity.to_string(),
                format!("{}:{}", p.line, p.column),
            )
        })
        .collect()
}

fn one(rule: &str, severity: &str, at: &str) -> Vec<(String, String, String)> {
    vec![(rule.into(), severity.into(), at.into())]
}

#[test]
fn rds_proxy_policy_with_scoped_secrets_and_via_service_is_clean() {
    assert_eq!(findings("rds-proxy-secrets-and-kms.json"), vec![]);
    assert_eq!(findings("rds-proxy-trust.json"), vec![]);
}

#[test]
fn aurora_any_user_example_is_reported() {
    assert_eq!(
        findings("aurora-any-user.json"),
        vec![
            // The AWS documentation example has a ten-digit account id.
            ("invalid-arn".into(), "error".into(), "1:110".into()),
            (
                "rds-db-wildcard-user".into(),
                "warning".into(),
                "1:110".into()
            ),
        ]
    );
}

#[test]
fn aurora_one_user_in_any_database_is_only_info() {
    assert_eq!(
        findings("aurora-jane-doe-any-database.json"),
        one("rds-db-wildcard-user", "info", "1:110")
    );
    assert_eq!(findings("aurora-two-users.json"), vec![]);
}

#[test]
fn rds_db_connect_on_star_is_reported() {
    // `rds:ModifyDBCluster` and `rds:ModifyDBInstance` on `*` (11:25) are for the opt-in
    // `wildcard-resource-for-scopable-action`, not the default run.
    assert_eq!(
        findings("teleport-rds-connect.json"),
        one("rds-db-wildcard-user", "warning", "17:25")
    );
}

#[test]
fn trust_with_external_id_is_clean() {
    assert_eq!(findings("teleport-trust-external-id.json"), vec![]);
}

#[test]
fn kms_decrypt_without_via_service_in_the_secrets_manager_guide_is_reported() {
    // The guide's secret ARN ends in a name prefix with `*`: scoped, so only the KMS grant fires,
    // at `info` since it names its key.
    assert_eq!(
        findings("secretsmanager-read-with-kms.json"),
        one("kms-decrypt-without-via-service", "info", "11:11")
    );
}
