//! Policies exported from AWS and Terraform plans, end to end: `tests/fixtures/exports/` holds a
//! `get-account-authorization-details` output, one AWS CLI output per command whose policy is a
//! JSON string (plain or URL-encoded), and a `terraform show -json` plan. Each has a known
//! mistake, snapshotted at its line and column inside the string; probe tests fail when a
//! location stops being read.

mod common;

use std::path::Path;

use iamlint::settings::Settings;

const FIXTURES: &str = "tests/fixtures/exports";

fn compact(dir: &Path, args: &[&str]) -> common::Ran {
    let args: Vec<&str> = ["--select", "all"].iter().chain(args).copied().collect();
    common::compact(dir, &args)
}

fn lint(name: &str, text: &str) -> Vec<String> {
    let settings = Settings::all_rules();
    iamlint::lint_text(name, text, &settings)
        .iter()
        .map(|f| {
            let p = f.file.position(f.primary.span.start as usize);
            format!(
                "{}:{}: {} [{}]",
                p.line,
                p.column,
                f.message,
                f.rule.as_str()
            )
        })
        .collect()
}

#[test]
fn every_export_is_read_at_the_token() {
    let r = compact(Path::new(FIXTURES), &["."]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    // Every file of the folder is a location with a known finding.
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            r.stdout.lines().any(|l| l.starts_with(&format!("{name}:"))),
            "{name}: nothing read\n{}",
            r.stdout
        );
    }
    insta::assert_snapshot!("exports", r.stdout);
}

/// Each list of the authorization details is read, with the owner named; a managed policy's
/// versions other than the default, and AWS managed policies, are not.
#[test]
fn authorization_details_name_the_role_user_group_and_policy() {
    let r = common::iamlint(Path::new(FIXTURES))
        .args(["--select", "all", "authorization-details.json"])
        .output()
        .unwrap();
    let out = String::from_utf8(r.stdout).unwrap();
    for owner in [
        "in the identity policy of user deploy-bot (inline policy artifact-read)",
        "in the identity policy of group deployers (inline policy db-connect)",
        "in the trust policy of role vendor-access",
        "in the identity policy of role vendor-access (inline policy queue-send)",
        "in the identity policy of managed policy logs-writer (v2)",
    ] {
        assert!(out.contains(owner), "{owner} missing:\n{out}");
    }
    assert!(!out.contains("OldActionName"), "{out}");
    assert!(!out.contains("NotAnAction"), "{out}");
}

/// A policy of every resource type of the table is read from a plan's `planned_values`, in a
/// child module, as the plan writes it (a JSON string).
#[test]
fn every_table_entry_is_read_from_a_plan() {
    use iamlint::extract::terraform::RESOURCE_POLICIES;
    let policy = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObjekt\",\"Resource\":\"*\"}]}"#;
    for &(ty, arg, _) in RESOURCE_POLICIES {
        let values = match arg.split_once('.') {
            Some((block, arg)) => format!(r#"{{"{block}": [{{"{arg}": "{policy}"}}]}}"#),
            None => format!(r#"{{"{arg}": "{policy}"}}"#),
        };
        let plan = format!(
            r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"child_modules": [
  {{"address": "module.m", "resources": [
    {{"address": "module.m.{ty}.r", "mode": "managed", "type": "{ty}", "name": "r",
      "values": {values}}}]}}]}}}}}}"#
        );
        let found = lint("plan.json", &plan);
        assert!(
            found.iter().any(|f| f.contains("unknown-action")),
            "{ty}.{arg}: the policy was not read from the plan\n{plan}"
        );
    }
}

/// The CLI outputs as the commands print them, in one line each: the finding's column is inside
/// the string, at the escaped token.
#[test]
fn cli_strings_point_inside_the_string() {
    let get_role = r#"{"Role": {"RoleName": "r", "AssumeRolePolicyDocument": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22sts%3AAssumeRolee%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%7D%5D%7D"}}"#;
    let found = lint("get-role.json", get_role);
    let at = get_role.find("%22sts%3AAssumeRolee%22").unwrap() + 1;
    assert!(
        found
            .iter()
            .any(|f| f.starts_with(&format!("1:{at}:")) && f.contains("unknown-action")),
        "{found:#?}"
    );
    // A string that is not JSON is not a policy: nothing, and no crash.
    assert!(lint("p.json", r#"{"Policy": "not json", "Statement": 1}"#).is_empty());
    // A broken policy inside the string is invalid-json at its place.
    let broken = r#"{"Policy": "{\"Statement\": [{\"Effect\": \"Allow\",}"}"#;
    assert!(
        lint("p.json", broken)
            .iter()
            .any(|f| f.contains("invalid-json")),
        "{:#?}",
        lint("p.json", broken)
    );
}

/// What looks like a policy but is not read is said once in the summary and in the JSON output,
/// and listed in full with `--verbose`; a plan's policy known only after apply is one.
#[test]
fn places_not_read_are_reported() {
    let dir = Path::new(FIXTURES);
    let human = common::iamlint(dir)
        .args(["--select", "all", "terraform-plan.json"])
        .output()
        .unwrap();
    let out = String::from_utf8(human.stdout).unwrap();
    assert!(
        out.contains("Not read: 2 places that look like policies (first: terraform-plan.json:33:22: `policy` of aws_sqs_queue_policy.jobs is known only after apply: not in the plan); --verbose lists them all."),
        "{out}"
    );
    let json = common::iamlint(dir)
        .args(["--select", "all", "--format", "json", "terraform-plan.json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let note = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["notification"] == "not-read")
        .expect("a not-read entry");
    assert_eq!(note["count"], 2);
    assert_eq!(note["locations"][1]["line"], 50);
    assert!(
        note["locations"][1]["message"]
            .as_str()
            .unwrap()
            .contains("aws_example_widget_policy"),
        "{note}"
    );
    let verbose = common::compact(dir, &["--select", "all", "-v", "terraform-plan.json"]);
    assert_eq!(
        verbose
            .stderr
            .lines()
            .filter(|l| l.starts_with("iamlint: not read: terraform-plan.json:"))
            .count(),
        2,
        "{}",
        verbose.stderr
    );
    // Nothing unread: no line.
    let clean = common::iamlint(dir)
        .args(["--select", "all", "iam-get-role-api.json"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(clean.stdout)
            .unwrap()
            .contains("Not read")
    );
}
