//! Autofix: `--fix` rewrites only the offending text, byte for byte, in JSON, YAML and HCL;
//! running it twice changes nothing the second time (on every fixture); `--diff` prints the same
//! change without writing; `--stdin-filename` lints and fixes an editor's buffer.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

fn iamlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("iamlint").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

const JSON: &str = "{\n  \"Version\": \"2008-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Actions\": [\"rds:connect\"],\n      \"Resource\": \"arn:aws:rds:us-east-1:123456789012:dbuser:db-ABC/app\"\n    }\n  ]\n}\n";
const JSON_FIXED: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\"rds-db:connect\"],\n      \"Resource\": \"arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/app\"\n    }\n  ]\n}\n";

const YAML: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          # keep this comment\n          - Effect: allow\n            Action: RDS:Connect   # trailing comment\n            Resource: !Sub arn:aws:rds:${AWS::Region}:${AWS::AccountId}:dbuser:db-ABC/app\n";
const YAML_FIXED: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          # keep this comment\n          - Effect: Allow\n            Action: rds-db:Connect   # trailing comment\n            Resource: !Sub arn:aws:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:db-ABC/app\n";

const HCL: &str = "# comment\ndata \"aws_iam_policy_document\" \"db\" {\n  statement {\n    actions   = [\"rds:connect\"] // why\n    resources = [\"arn:aws:rds:${var.region}:${var.account}:dbuser:${var.db}/app\"]\n  }\n}\n";
const HCL_FIXED: &str = "# comment\ndata \"aws_iam_policy_document\" \"db\" {\n  statement {\n    actions   = [\"rds-db:connect\"] // why\n    resources = [\"arn:aws:rds-db:${var.region}:${var.account}:dbuser:${var.db}/app\"]\n  }\n}\n";

#[test]
fn fix_rewrites_only_the_offending_text_in_json_yaml_and_hcl() {
    let d = TempDir::new().unwrap();
    for (name, text) in [("p.json", JSON), ("t.yaml", YAML), ("main.tf", HCL)] {
        fs::write(d.path().join(name), text).unwrap();
    }
    let out = iamlint(d.path()).args(["--fix", "."]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing is left after the fixes"
    );
    assert_eq!(
        fs::read_to_string(d.path().join("p.json")).unwrap(),
        JSON_FIXED
    );
    assert_eq!(
        fs::read_to_string(d.path().join("t.yaml")).unwrap(),
        YAML_FIXED
    );
    assert_eq!(
        fs::read_to_string(d.path().join("main.tf")).unwrap(),
        HCL_FIXED
    );
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let d = TempDir::new().unwrap();
    fs::write(d.path().join("p.json"), JSON).unwrap();
    let out = iamlint(d.path())
        .args(["--diff", "p.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.starts_with("--- a/p.json\n+++ b/p.json\n"), "{diff}");
    assert!(
        diff.contains("\n-      \"Actions\": [\"rds:connect\"],\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n+      \"Action\": [\"rds-db:connect\"],\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n+  \"Version\": \"2012-10-17\",\n"),
        "{diff}"
    );
    assert_eq!(fs::read_to_string(d.path().join("p.json")).unwrap(), JSON);
    fs::write(d.path().join("p.json"), JSON_FIXED).unwrap();
    let out = iamlint(d.path())
        .args(["--diff", "p.json"])
        .output()
        .unwrap();
    assert_eq!((out.status.code(), out.stdout.len()), (Some(0), 0));
}

/// Copies a folder tree.
fn copy(from: &Path, to: &Path) {
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fixing_twice_changes_nothing_the_second_time_on_every_fixture() {
    let d = TempDir::new().unwrap();
    copy(Path::new("tests/fixtures"), d.path());
    let before = snapshot(d.path());
    let out = iamlint(d.path())
        .args(["--fix", "--unsafe-fixes", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "findings without fixes remain");
    let once = snapshot(d.path());
    assert_ne!(before, once, "the fixtures hold fixable findings");
    let out = iamlint(d.path())
        .args(["--fix", "--unsafe-fixes", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "findings without fixes remain");
    let twice = snapshot(d.path());
    let changed: Vec<&String> = once
        .iter()
        .zip(&twice)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| &a.0)
        .collect();
    assert!(changed.is_empty(), "a second --fix changed {changed:?}");
}

#[test]
fn stdin_is_linted_and_fixed_as_the_named_file() {
    let d = TempDir::new().unwrap();
    fs::write(
        d.path().join("iamlint.toml"),
        "ignore = [\"outdated-version\"]\n",
    )
    .unwrap();
    let out = iamlint(d.path())
        .args([
            "--stdin-filename",
            "infra/new.json",
            "--format",
            "compact",
            "-",
        ])
        .write_stdin(JSON)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.starts_with(
            "infra/new.json:6:7: error: `Actions` is not a statement element [unknown-element]\n"
        ),
        "{s}"
    );
    assert!(
        !s.contains("outdated-version"),
        "the config above the named file applies: {s}"
    );
    let out = iamlint(d.path())
        .args(["--stdin-filename", "main.tf", "--fix", "-"])
        .write_stdin(HCL)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), HCL_FIXED);
}
