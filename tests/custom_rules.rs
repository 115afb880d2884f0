//! Custom rules from `iamlint.toml`: the five team rules of docs/custom-rules.md each fire on a
//! policy that breaks them and stay silent on one that keeps them, in JSON, YAML and Terraform;
//! config errors name their place; custom rules join selection, suppression, `iamlint rules` and
//! SARIF like built-in ones.

mod common;

use common::tree;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

/// The `[[rules.custom]]` blocks of the docs page, by rule name.
fn doc_rules() -> Vec<(String, String)> {
    let doc = fs::read_to_string("docs/custom-rules.md").unwrap();
    let five = &doc[doc.find("## Five rules").unwrap()..];
    let mut out = Vec::new();
    for block in five.split("```toml\n").skip(1) {
        let toml = &block[..block.find("```").unwrap()];
        let name = toml
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .unwrap()
            .trim_end_matches('"')
            .to_string();
        out.push((name, toml.to_string()));
    }
    out
}

fn compact(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let r = common::compact(dir, args);
    (r.stdout, r.stderr, r.code)
}

/// Lines of one rule in compact output.
fn of_rule(out: &str, rule: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.ends_with(&format!("[{rule}]")))
        .map(str::to_string)
        .collect()
}

const S3_STAR: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "App", "Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "arn:aws:s3:::app/*"}]}"#;
const S3_SCOPED: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "App", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::app/*"}, {"Sid": "Guard", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}"#;

const TRUST_NO_ORG: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Sid: Partner\n            Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::444455556666:root\n            Action: sts:AssumeRole\n            Condition:\n              StringEquals:\n                sts:ExternalId: partner-7\n";
const TRUST_ORG: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Sid: Org\n            Effect: Allow\n            Principal:\n              AWS: \"*\"\n            Action: sts:AssumeRole\n            Condition:\n              StringEquals:\n                aws:PrincipalOrgID: o-a1b2c3d4e5\n";

const KMS_OTHER_KEY: &str = r#"resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Keys"
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:GenerateDataKey"]
      Resource = ["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:eu-west-1:999999999999:key/ffff"]
    }]
  })
}
"#;
const KMS_PLATFORM_KEY: &str = r#"resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Keys"
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:GenerateDataKey"]
      Resource = ["arn:aws:kms:eu-west-1:111122223333:key/abcd1234-ab12-cd34-ef56-abcdef123456"]
    }, {
      Sid      = "Other"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::app/*"]
    }]
  })
}
"#;

const NO_SID: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"}, {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::a/*"}]}"#;
const IAM_USERS: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Users", "Effect": "Allow", "Action": ["iam:CreateUser", "iam:GetUser"], "Resource": "arn:aws:iam::111122223333:user/app-*"}]}"#;

/// A file's name and text.
type File = (&'static str, &'static str);

/// (rule, breaking file, keeping file, expected finding lines in the breaking file)
fn cases() -> Vec<(&'static str, File, File, Vec<&'static str>)> {
    vec![
        (
            "no-s3-star",
            ("p.json", S3_STAR),
            ("p.json", S3_SCOPED),
            vec!["p.json:1:102: error: s3:* is not allowed in this repository [no-s3-star]"],
        ),
        (
            "trust-requires-org",
            ("template.yaml", TRUST_NO_ORG),
            ("template.yaml", TRUST_ORG),
            vec![
                "template.yaml:9:13: warning: a role that other principals assume must require aws:PrincipalOrgID [trust-requires-org]",
            ],
        ),
        (
            "approved-kms-keys",
            ("main.tf", KMS_OTHER_KEY),
            ("main.tf", KMS_PLATFORM_KEY),
            vec![
                "main.tf:8:98: warning: KMS grants must name one of the platform keys [approved-kms-keys]",
            ],
        ),
        (
            "statement-needs-sid",
            ("p.json", NO_SID),
            ("p.json", S3_SCOPED),
            vec![
                "p.json:1:132: info: give every statement a Sid so reviews and findings can name it [statement-needs-sid]",
            ],
        ),
        (
            "no-iam-users-in-apps",
            ("apps/api/p.json", IAM_USERS),
            ("identity/p.json", IAM_USERS),
            vec![
                "apps/api/p.json:1:88: error: IAM users are managed in identity/, not by applications [no-iam-users-in-apps]",
            ],
        ),
    ]
}

#[test]
fn the_five_documented_team_rules_fire_and_stay_silent_as_documented() {
    let rules = doc_rules();
    assert_eq!(
        rules.len(),
        5,
        "docs/custom-rules.md should hold five team rules"
    );
    for (name, (bad_path, bad), (good_path, good), want) in cases() {
        let toml = &rules.iter().find(|(n, _)| n == name).unwrap().1;
        let d = tree(&[("iamlint.toml", toml), (bad_path, bad)]);
        let (out, err, _) = compact(d.path(), &["."]);
        assert_eq!(of_rule(&out, name), want, "{name}: {out}{err}");
        let d = tree(&[("iamlint.toml", toml), (good_path, good)]);
        let (out, err, _) = compact(d.path(), &["."]);
        assert!(
            of_rule(&out, name).is_empty(),
            "{name} fired on its keeping example: {out}{err}"
        );
    }
}

/// The error a config gives: exit code 2 and the message on standard error.
fn config_error(toml: &str) -> String {
    let d = tree(&[("iamlint.toml", toml)]);
    let (_, err, code) = compact(d.path(), &["."]);
    assert_eq!(code, 2, "{err}");
    err
}

#[test]
fn config_errors_name_their_place() {
    let rule = "[[rules.custom]]\nname = \"x\"\nmessage = \"m\"\nselect = \"$\"\n";
    // (iamlint.toml, the place the error names, what it says)
    let cases = [
        (
            "[[rules.custom]]\nname = \"x\"\nmessage = \"m\"\nselect = \"$.Statement[\"\n"
                .to_string(),
            "iamlint.toml:4:10",
            "is not a JSONPath",
        ),
        (
            format!("{rule}severity = \"error\"\nfoo = 1\n"),
            "iamlint.toml:6:1",
            "unknown field `foo`",
        ),
        (
            format!("{rule}{rule}"),
            "iamlint.toml:6:8",
            "a rule named `x` already exists",
        ),
        (
            rule.replace("\"x\"", "\"admin-access-allowed\""),
            "iamlint.toml:2:8",
            "already exists",
        ),
        // Patterns are compiled at load: an invalid one, or one read from the policy, is an
        // error at the query's place.
        (
            rule.replace("\"$\"", "\"$..Action[?match(@, 'iam:(Create')]\""),
            "iamlint.toml:4:10",
            "is not a valid regular expression",
        ),
        (
            rule.replace("\"$\"", "\"$..Action[?search(@, $.Id)]\""),
            "iamlint.toml:4:10",
            "must be a literal string",
        ),
        (
            "[[rules.custom]]\nname = \"x\"\nmessage = \"m\"\nselect = \"$..Action\"\nrequire = \"$..Resource[?match(@, 'a{99999}{99999}')]\"\n"
                .to_string(),
            "iamlint.toml:5:11",
            "is not a valid regular expression",
        ),
        (
            rule.replace("\"$\"", "\"$..Statement..Action..*\""),
            "iamlint.toml:4:10",
            "has 3 descendant segments",
        ),
    ];
    for (config, place, says) in cases {
        let err = config_error(&config);
        assert!(err.contains(place) && err.contains(says), "{config}\n{err}");
    }
}

const NO_S3_STAR: &str = "[[rules.custom]]\nname = \"no-s3-star\"\nseverity = \"error\"\nmessage = \"s3:* is not allowed\"\nselect = \"$.Statement[?@.Effect == 'Allow'].Action[?@ == 's3:*']\"\n";

#[test]
fn custom_rules_are_selected_ignored_suppressed_and_listed_like_built_in_ones() {
    let yaml = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            # iamlint: ignore[no-s3-star] the data lake team owns this bucket\n            Action: s3:*\n            Resource: arn:aws:s3:::lake/*\n          - Effect: Allow\n            Action: s3:*\n            Resource: arn:aws:s3:::lake/*\n";
    let d = tree(&[("iamlint.toml", NO_S3_STAR), ("t.yaml", yaml)]);
    let (out, _, _) = compact(d.path(), &["."]);
    assert_eq!(
        of_rule(&out, "no-s3-star"),
        ["t.yaml:14:21: error: s3:* is not allowed [no-s3-star]"]
    );
    let (out, _, _) = compact(d.path(), &["--select", "no-s3-star", "."]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let (out, _, _) = compact(d.path(), &["--ignore", "custom", "."]);
    assert!(of_rule(&out, "no-s3-star").is_empty(), "{out}");

    Command::cargo_bin("iamlint")
        .unwrap()
        .current_dir(d.path())
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("no-s3-star").and(predicate::str::contains("custom")));
    let sarif = Command::cargo_bin("iamlint")
        .unwrap()
        .current_dir(d.path())
        .args(["--format", "sarif", "."])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "no-s3-star"));
}

/// A node a query reaches twice is one finding, and `require` is asked once per statement.
#[test]
fn a_node_reached_twice_is_one_finding() {
    let config = "[[rules.custom]]\nname = \"no-s3-star\"\nseverity = \"error\"\nmessage = \"s3:* is not allowed\"\nselect = \"$.Statement[0,0,0].Action[?@ == 's3:*']\"\n";
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]}"#;
    let d = tree(&[("iamlint.toml", config), ("p.json", policy)]);
    let (out, err, code) = compact(d.path(), &["--select", "no-s3-star", "p.json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(of_rule(&out, "no-s3-star").len(), 1, "{out}");
}

/// A rule over its time budget on a file is stopped there and says so; the run goes on.
#[test]
fn a_custom_rule_over_its_budget_is_stopped_and_reported() {
    let config = "[[rules.custom]]\nname = \"slow\"\nmessage = \"an action\"\nselect = \"$..Action..*\"\nbudget_ms = 1\n";
    let statements: Vec<String> = (0..20_000)
        .map(|i| format!(r#"{{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/{i}"}}"#))
        .collect();
    let big = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",")
    );
    let small = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let d = tree(&[
        ("iamlint.toml", config),
        ("big.json", &big),
        ("small.json", small),
    ]);
    let (out, err, code) = compact(d.path(), &["--select", "slow", "big.json"]);
    assert_eq!(code, 1, "{err}");
    let found = of_rule(&out, "slow");
    assert_eq!(found.len(), 1, "{out}");
    assert!(
        found[0].contains("custom rule stopped: it ran over its time budget"),
        "{out}"
    );
    // Nothing is stopped on a file within the budget.
    let config = config.replace("budget_ms = 1", "budget_ms = 60000");
    let d = tree(&[("iamlint.toml", config.as_str()), ("small.json", small)]);
    let (out, _, _) = compact(d.path(), &["--select", "slow", "small.json"]);
    assert_eq!(of_rule(&out, "slow").len(), 1, "{out}");
    assert!(!out.contains("stopped"), "{out}");
}
