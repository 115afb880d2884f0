//! The real binary in a temporary folder: exit codes, formats, selection, config, walking and bad
//! input.

mod common;

use common::{iamlint, tree};
use std::fs;

use predicates::prelude::*;

const WILDCARD_USER: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "rds-db:connect",
      "Resource": "arn:aws:rds-db:us-east-2:123456789012:dbuser:*/*"
    }
  ]
}
"#;

const RDS_CONNECT: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "rds:connect", "Resource": "arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/app"}]}
"#;

const TRUST: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}
"#;

#[test]
fn exit_codes_follow_findings_and_fail_on() {
    let clean = tree(&[("ok.json", r#"{"Version": "2012-10-17", "Statement": []}"#)]);
    iamlint(clean.path()).assert().code(0);
    let warn = tree(&[("p.json", WILDCARD_USER)]);
    iamlint(warn.path()).assert().code(1);
    iamlint(warn.path())
        .args(["--fail-on", "error"])
        .assert()
        .code(0);
    iamlint(warn.path())
        .args(["--fail-on", "info"])
        .assert()
        .code(1);
}

#[test]
fn usage_and_missing_paths_exit_2() {
    let d = tree(&[]);
    iamlint(d.path())
        .arg("no-such-dir")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no-such-dir: no such file or folder",
        ));
    iamlint(d.path()).arg("--no-such-flag").assert().code(2);
    iamlint(d.path())
        .args(["--select", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown rule or category `no-such-rule`",
        ));
    iamlint(d.path())
        .args(["--account", "12"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an AWS account id"));
}

#[test]
fn compact_is_one_line_per_finding_sorted() {
    let d = tree(&[("b.json", WILDCARD_USER), ("a/c.json", RDS_CONNECT)]);
    iamlint(d.path())
        .args(["--format", "compact"])
        .assert()
        .code(1)
        .stdout(
            "a/c.json:1:71: error: `rds:connect` is not an IAM action [rds-connect-prefix]\n\
             b.json:7:19: warning: `rds-db:connect` allowed on `arn:aws:rds-db:us-east-2:123456789012:dbuser:*/*` lets any database user of any database: both the database and the user are wildcards [rds-db-wildcard-user]\n",
        );
}

#[test]
fn json_has_rule_severity_path_range_and_positions() {
    let d = tree(&[("p.json", WILDCARD_USER)]);
    let out = iamlint(d.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v[0];
    assert_eq!(f["rule"], "rds-db-wildcard-user");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["path"], "p.json");
    let start = f["location"]["byte_start"].as_u64().unwrap() as usize;
    let end = f["location"]["byte_end"].as_u64().unwrap() as usize;
    assert_eq!(
        &WILDCARD_USER[start..end],
        "\"arn:aws:rds-db:us-east-2:123456789012:dbuser:*/*\""
    );
    assert_eq!(f["location"]["line"], 7);
    assert_eq!(f["location"]["column"], 19);
    assert_eq!(f["location"]["end_line"], 7);
    assert_eq!(f["location"]["end_column"], 69);
    assert_eq!(f["secondary"][0]["location"]["line"], 6);
}

#[test]
fn human_view_names_the_rule_and_links_its_doc() {
    let d = tree(&[("p.json", RDS_CONNECT)]);
    iamlint(d.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("iamlint::rds-connect-prefix"))
        .stdout(predicate::str::contains("rules/rds-connect-prefix.md"))
        .stdout(predicate::str::contains(
            "safe fix: `rds:connect` → `rds-db:connect`",
        ))
        .stdout(predicate::str::contains(
            "Found 1 finding (1 error, 0 warnings, 0 info) in 1 file.",
        ));
}

#[test]
fn select_and_ignore_take_rules_and_categories() {
    let d = tree(&[("a.json", RDS_CONNECT), ("b.json", WILDCARD_USER)]);
    let run = |args: &[&str]| {
        let out = iamlint(d.path())
            .args(["--format", "compact"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let sec = run(&["--select", "security"]);
    assert!(sec.contains("[rds-db-wildcard-user]") && !sec.contains("[rds-connect-prefix]"));
    let ign = run(&["--ignore", "rds-db-wildcard-user"]);
    assert!(!ign.contains("[rds-db-wildcard-user]") && ign.contains("[rds-connect-prefix]"));
    let both = run(&[
        "--select",
        "correctness,security",
        "--ignore",
        "correctness",
    ]);
    assert!(both.contains("[rds-db-wildcard-user]") && !both.contains("[rds-connect-prefix]"));
}

#[test]
fn config_is_found_above_the_target_and_declares_own_accounts() {
    let d = tree(&[
        ("iamlint.toml", "accounts = [\"111122223333\"]\n"),
        ("infra/trust.json", TRUST),
    ]);
    iamlint(&d.path().join("infra")).arg(".").assert().code(0);
    let other = tree(&[("trust.json", TRUST)]);
    iamlint(other.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("declare it with `accounts"));
    iamlint(other.path())
        .args(["--account", "111122223333"])
        .assert()
        .code(0);
}

#[test]
fn config_select_ignore_and_severity() {
    let d = tree(&[
        (
            "iamlint.toml",
            "ignore = [\"rds-connect-prefix\"]\n[severity]\nrds-db-wildcard-user = \"error\"\n",
        ),
        ("a.json", RDS_CONNECT),
        ("b.json", WILDCARD_USER),
    ]);
    iamlint(d.path())
        .args(["--format", "compact", "--fail-on", "error"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("b.json:7:19: error:"))
        .stdout(predicate::str::contains("rds-connect-prefix").not());
}

/// `outdated-version` picks `error` for a policy that uses variables and its default `warning`
/// otherwise; a configured severity applies to both.
#[test]
fn config_severity_wins_over_a_level_the_rule_picks_per_finding() {
    let variables = r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}"#;
    let plain = r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;
    let d = tree(&[
        (
            "iamlint.toml",
            "select = [\"outdated-version\"]\n[severity]\noutdated-version = \"info\"\n",
        ),
        ("variables.json", variables),
        ("plain.json", plain),
    ]);
    let out = iamlint(d.path())
        .args(["--format", "compact"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.matches(": info: ").count(), 2, "{out}");
    assert!(
        !out.contains(": error: ") && !out.contains(": warning: "),
        "{out}"
    );
    // Without the override, the rule's own levels stand.
    std::fs::write(
        d.path().join("iamlint.toml"),
        "select = [\"outdated-version\"]\n",
    )
    .unwrap();
    iamlint(d.path())
        .args(["--format", "compact"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("variables.json:1:13: error:"))
        .stdout(predicate::str::contains("plain.json:1:13: warning:"));
}

#[test]
fn unknown_config_key_is_a_usage_error_with_its_line() {
    let d = tree(&[("iamlint.toml", "select = []\nignored = [\"x\"]\n")]);
    iamlint(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("iamlint.toml:2"))
        .stderr(predicate::str::contains("unknown field `ignored`"));
}

#[test]
fn gitignore_hidden_and_non_policy_json_are_passed_over() {
    let d = tree(&[
        (".gitignore", "generated/\n"),
        ("generated/p.json", RDS_CONNECT),
        (".hidden/p.json", RDS_CONNECT),
        (
            "package.json",
            r#"{"name": "app", "version": "1.0.0", "scripts": {}}"#,
        ),
        ("tsconfig.json", r#"{"compilerOptions": {"strict": true}}"#),
        (
            "schema.json",
            r#"{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"Statement": {"type": "array"}}}"#,
        ),
        ("notes.txt", "rds:connect"),
    ]);
    iamlint(d.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings in"));
    // A path named on the command line is linted even when ignored.
    iamlint(d.path())
        .args(["--format", "compact", "generated/p.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("generated/p.json:1:71:"));
}

#[test]
fn exclude_globs_skip_paths() {
    let d = tree(&[("vendor/p.json", RDS_CONNECT), ("own/p.json", RDS_CONNECT)]);
    let out = iamlint(d.path())
        .args(["--format", "compact", "--exclude", "vendor/**"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("own/p.json:") && !s.contains("vendor"), "{s}");
}

#[test]
fn bad_input_is_reported_and_the_run_goes_on() {
    let d = tree(&[
        ("a-invalid.json", "{\"Statement\": [}"),
        ("b-empty.json", ""),
        ("c-null.json", "null"),
        ("d-array.json", "[{\"Statement\": []}]"),
        ("e-policy.json", RDS_CONNECT),
    ]);
    fs::write(d.path().join("bin.json"), b"\x00\x01Statement\x02\x03").unwrap();
    iamlint(d.path())
        .args(["--format", "compact"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "a-invalid.json:1:16: error: unexpected close brace [invalid-json]",
        ))
        .stdout(predicate::str::contains("e-policy.json:1:71: error:"))
        .stderr(predicate::str::contains("bin.json: skipped: binary file"));
}

#[test]
fn output_is_identical_across_runs_and_thread_counts() {
    let mut files = Vec::new();
    for i in 0..40 {
        files.push((
            format!("d{}/p{i}.json", i % 7),
            if i % 2 == 0 {
                RDS_CONNECT
            } else {
                WILDCARD_USER
            },
        ));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let d = tree(&files);
    let run = |j: &str| {
        iamlint(d.path())
            .args(["--format", "json", "-j", j])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert_eq!(one, run("8"));
    assert_eq!(one, run("8"));
}

#[test]
fn rules_lists_every_rule_and_explain_prints_its_page() {
    let d = tree(&[]);
    let out = iamlint(d.path()).arg("rules").output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    for r in iamlint::rules::ALL {
        let m = r.meta();
        assert!(
            s.contains(m.name.as_str()) && s.contains(m.summary.as_ref()),
            "{}",
            m.name
        );
    }
    iamlint(d.path())
        .args(["explain", "rds-connect-prefix"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("# rds-connect-prefix\n"));
    iamlint(d.path()).args(["explain", "nope"]).assert().code(2);
}
