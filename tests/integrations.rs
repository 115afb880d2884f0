//! Where users run iamlint: SARIF (validated against the official 2.1.0 schema), GitHub workflow
//! commands, `--output`, `--new-from-rev`, baselines, the GitHub Action's run script (with the
//! environment GitHub sets, in a temporary git repository), the pre-commit hook, and the problem
//! matchers for the compact format. Every test runs the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/integrations")
}

fn iamlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlint"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("iamlint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    stdout(&o)
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A policy with one `secret-read-unscoped` finding per entry of `resources` (a `"*"` each).
fn policy(statements: &[(&str, &str)]) -> String {
    let st: Vec<String> = statements
        .iter()
        .map(|(action, resource)| {
            format!(
                "    {{\n      \"Effect\": \"Allow\",\n      \"Action\": \"{action}\",\n      \"Resource\": \"{resource}\"\n    }}"
            )
        })
        .collect();
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}\n",
        st.join(",\n")
    )
}

const SECRET: (&str, &str) = ("secretsmanager:GetSecretValue", "*");
const RDS: (&str, &str) = (
    "rds-db:connect",
    "arn:aws:rds-db:us-east-1:123456789012:dbuser:*/*",
);
const CLEAN: (&str, &str) = ("s3:GetObject", "arn:aws:s3:::bucket/key");

fn sarif_errors(log: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    v.iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `(file, line, column, severity, message, rule)` of every active finding, from `--format json`.
fn findings_of(dir: &Path, args: &[&str]) -> Vec<(String, u64, u64, String, String, String)> {
    let mut a = vec!["--format", "json"];
    a.extend(args);
    let o = iamlint(dir, &a);
    json(&stdout(&o))
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_is_valid_and_points_at_the_tokens() {
    let o = iamlint(&fixtures(), &["--format", "sarif", "policies"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let log = json(&stdout(&o));
    assert_eq!(sarif_errors(&log), Vec::<String>::new());
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "iamlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], iamlint::REPOSITORY);
    // Every enabled rule (the default group, without the opt-in `pedantic` rules), in registry
    // order, with its metadata.
    let rules = driver["rules"].as_array().unwrap();
    let names: Vec<&str> = iamlint::rules::ALL
        .iter()
        .filter(|r| iamlint::rules::Declared::default_enabled(**r))
        .map(|r| r.meta().name.as_str())
        .collect();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, names);
    let secret = rules
        .iter()
        .find(|r| r["id"] == "secret-read-unscoped")
        .unwrap();
    assert_eq!(secret["name"], "SecretReadUnscoped");
    assert_eq!(
        secret["helpUri"],
        format!(
            "{}/blob/main/rules/secret-read-unscoped.md",
            iamlint::REPOSITORY
        )
    );
    assert_eq!(secret["defaultConfiguration"]["level"], "warning");
    assert!(
        secret["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("GetSecretValue")
    );
    assert!(secret["fullDescription"]["text"].is_string());

    let results = run["results"].as_array().unwrap();
    let brief: Vec<String> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            let reg = &loc["region"];
            format!(
                "{} {} #{} {} {}:{}-{}:{} suppressed={}",
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                r["ruleIndex"],
                loc["artifactLocation"]["uri"].as_str().unwrap(),
                reg["startLine"],
                reg["startColumn"],
                reg["endLine"],
                reg["endColumn"],
                r["suppressions"][0]["kind"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    let idx = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert_eq!(
        brief,
        vec![
            format!(
                "secret-read-unscoped warning #{} policies/app.json 8:19-8:22 suppressed=-",
                idx("secret-read-unscoped")
            ),
            format!(
                "rds-db-wildcard-user warning #{} policies/app.json 14:19-14:69 suppressed=-",
                idx("rds-db-wildcard-user")
            ),
            format!(
                "invalid-json error #{} policies/suppressed.json 7:7-7:93 suppressed=-",
                idx("invalid-json")
            ),
            format!(
                "secret-read-unscoped warning #{} policies/suppressed.json 8:19-8:22 suppressed=inSource",
                idx("secret-read-unscoped")
            ),
        ]
    );
    let suppressed = &results[3]["suppressions"][0];
    assert_eq!(
        suppressed["justification"],
        "the vault reader reads every secret by design"
    );
    for r in results {
        let fp = r["partialFingerprints"]["iamlint/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 32);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
    }
    // Rule indexes move as rules are added; they are checked above.
    let mut results = results.clone();
    for r in &mut results {
        r.as_object_mut().unwrap().remove("ruleIndex");
    }
    insta::assert_json_snapshot!("sarif_results", results);
}

#[test]
fn sarif_encodes_paths_and_counts_utf16_columns() {
    let tmp = tempfile::tempdir().unwrap();
    // "é" is one code point and one UTF-16 unit, "😀" one code point and two units.
    let text = policy(&[SECRET]).replace("\"Resource\"", "\"Sid\": \"😀é\", \"Resource\"");
    write(tmp.path(), "my policies/café #1.json", &text);
    // (A `Sid` may not hold "😀": keep to the one rule this is about.)
    let one = ["--select", "secret-read-unscoped"];
    let o = iamlint(tmp.path(), &["--format", "sarif", one[0], one[1], "."]);
    let log = json(&stdout(&o));
    assert_eq!(sarif_errors(&log), Vec::<String>::new());
    let loc = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "my%20policies/caf%C3%A9%20%231.json"
    );
    assert_eq!(loc["region"]["startLine"], 7);
    assert_eq!(loc["region"]["startColumn"], 33);
    assert_eq!(loc["region"]["endColumn"], 36);
    // The other formats count characters.
    assert_eq!(findings_of(tmp.path(), &[one[0], one[1], "."])[0].2, 32);

    // A path outside the working directory is an absolute file URI, with no base.
    let elsewhere = tempfile::tempdir().unwrap();
    let abs = tmp.path().join("my policies");
    let o = iamlint(
        elsewhere.path(),
        &["--format", "sarif", one[0], one[1], abs.to_str().unwrap()],
    );
    let log = json(&stdout(&o));
    assert_eq!(sarif_errors(&log), Vec::<String>::new());
    let art = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = art["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(
        uri.ends_with("/my%20policies/caf%C3%A9%20%231.json"),
        "{uri}"
    );
    assert!(art.get("uriBaseId").is_none());
}

#[test]
fn fingerprints_survive_edits_above_and_change_with_the_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let prints = |dir: &Path| -> Vec<(String, u64)> {
        let log = json(&stdout(&iamlint(dir, &["--format", "sarif", "."])));
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["iamlint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    // Two identical findings in one file: the occurrence counter tells them apart.
    write(tmp.path(), "p.json", &policy(&[SECRET, SECRET, RDS]));
    let before = prints(tmp.path());
    assert_eq!(before.len(), 3);
    assert_ne!(before[0].0, before[1].0);

    // A statement added above moves every finding down five lines; no fingerprint changes.
    write(tmp.path(), "p.json", &policy(&[CLEAN, SECRET, SECRET, RDS]));
    let after = prints(tmp.path());
    assert_eq!(
        after.iter().map(|p| &p.0).collect::<Vec<_>>(),
        before.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    assert_eq!(after[0].1, before[0].1 + 5);

    // The same finding in another file, or on a changed token, is another finding.
    write(tmp.path(), "q.json", &policy(&[SECRET]));
    let rds_other = RDS.1.replace("us-east-1", "eu-west-1");
    write(
        tmp.path(),
        "p.json",
        &policy(&[SECRET, SECRET, ("rds-db:connect", &rds_other)]),
    );
    let again = prints(tmp.path());
    assert_eq!(again[0].0, before[0].0);
    assert_ne!(again[2].0, before[2].0);
    assert_ne!(again[3].0, before[0].0);
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands and --output

#[test]
fn github_format_escapes_properties_and_message() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a,b:c%d.json", &policy(&[SECRET]));
    write(tmp.path(), "z.json", &policy(&[RDS]));
    let o = iamlint(tmp.path(), &["--format", "github", "."]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[0],
        "::warning file=a%2Cb%3Ac%25d.json,line=7,col=19,endLine=7,endColumn=22,\
         title=iamlint(secret-read-unscoped)::`secretsmanager:GetSecretValue` allowed on `*` reads \
         every secret%0Ahelp: name the secrets (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:prod/app-*`) \
         or add a `secretsmanager:ResourceTag/…` condition"
    );
    assert!(
        lines[1].starts_with(
            "::warning file=z.json,line=7,col=19,endLine=7,endColumn=69,title=iamlint(rds-db-wildcard-user)::"
        ),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "Found 2 findings (0 errors, 2 warnings, 0 info) in 2 files."
    );

    // Errors are `::error`, and the unparsable comment is reported where it starts.
    let o = iamlint(
        &fixtures(),
        &["--format", "github", "policies/suppressed.json"],
    );
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "::error file=policies/suppressed.json,line=7,col=7,endLine=7,endColumn=93,title=iamlint(invalid-json)::"
        ),
        "{out}"
    );
    // The suppressed finding is not annotated.
    assert!(!out.contains("secret-read-unscoped"), "{out}");
}

#[test]
fn output_file_gets_the_format_and_the_terminal_the_human_view() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "p.json", &policy(&[SECRET]));
    let o = iamlint(
        tmp.path(),
        &["--format", "sarif", "--output", "r.sarif", "p.json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let term = stdout(&o);
    assert!(term.contains("reads every secret"), "{term}");
    assert!(term.ends_with("Found 1 finding (0 errors, 1 warning, 0 info) in 1 file.\n"));
    let log = json(&std::fs::read_to_string(tmp.path().join("r.sarif")).unwrap());
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);

    // One run for the job log and the upload: annotations on stdout, SARIF in the file.
    let o = iamlint(
        tmp.path(),
        &[
            "--format",
            "github",
            "--output-format",
            "sarif",
            "-o",
            "s.sarif",
            "p.json",
        ],
    );
    assert!(stdout(&o).starts_with("::warning file=p.json,line=7,col=19,"));
    let log = json(&std::fs::read_to_string(tmp.path().join("s.sarif")).unwrap());
    assert_eq!(sarif_errors(&log), Vec::<String>::new());

    // An unwritable output is an I/O error, exit 2.
    let o = iamlint(tmp.path(), &["--output", "no/such/dir/x.sarif", "p.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot write no/such/dir/x.sarif"));
}

// ---------------------------------------------------------------------------------------------
// --new-from-rev

#[test]
fn new_from_rev_reports_only_changed_lines_and_untracked_files() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    write(repo, "old.json", &policy(&[SECRET, CLEAN]));
    write(repo, "sub/kept.json", &policy(&[RDS]));
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    // A new statement at the end of old.json (lines 14-18), and a file git does not know yet.
    write(repo, "old.json", &policy(&[SECRET, CLEAN, RDS]));
    write(repo, "new.json", &policy(&[SECRET]));
    // Ignored files are not new code.
    write(repo, ".gitignore", "ignored.json\n");
    write(repo, "ignored.json", &policy(&[SECRET]));

    let all = findings_of(repo, &["."]);
    assert_eq!(all.len(), 4, "{all:?}");
    let changed = findings_of(repo, &["--new-from-rev", "HEAD", "."]);
    let at: Vec<(String, u64)> = changed.iter().map(|f| (f.0.clone(), f.1)).collect();
    assert_eq!(
        at,
        vec![("new.json".to_string(), 7), ("old.json".to_string(), 17)]
    );

    // From a subfolder, the paths still line up with git's (repository-root relative) ones.
    write(repo, "sub/kept.json", &policy(&[RDS, SECRET]));
    let sub = findings_of(&repo.join("sub"), &["--new-from-rev", "HEAD", "."]);
    assert_eq!(sub.len(), 1, "{sub:?}");
    assert_eq!((sub[0].0.as_str(), sub[0].1), ("kept.json", 12));

    // Exit code follows what is reported.
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "more"]);
    let o = iamlint(repo, &["--new-from-rev", "HEAD", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    let o = iamlint(repo, &["--new-from-rev", "no-such-rev", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-rev"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// Baseline

#[test]
fn baseline_hides_recorded_findings_reports_new_ones_and_counts_stale_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "a.json", &policy(&[SECRET, RDS]));
    write(dir, "b.json", &policy(&[SECRET]));

    let o = iamlint(
        dir,
        &["--write-baseline", "baseline.json", "a.json", "b.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stderr(&o).contains("recorded 3 findings in the baseline baseline.json"));
    let text = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    let b = json(&text);
    let entries = b["findings"].as_array().unwrap();
    let keys: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("a.json", "rds-db-wildcard-user"),
            ("a.json", "secret-read-unscoped"),
            ("b.json", "secret-read-unscoped"),
        ]
    );
    assert_eq!(b["fingerprints"], "iamlint/v1");
    // Deterministic: writing again gives the same bytes.
    iamlint(
        dir,
        &["--write-baseline", "baseline.json", "a.json", "b.json"],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("baseline.json")).unwrap(),
        text
    );
    // Its fingerprints are SARIF's.
    let log = json(&stdout(&iamlint(
        dir,
        &["--format", "sarif", "a.json", "b.json"],
    )));
    let mut sarif_prints: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["iamlint/v1"].as_str().unwrap())
        .collect();
    let mut base_prints: Vec<&str> = entries
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    sarif_prints.sort_unstable();
    base_prints.sort_unstable();
    assert_eq!(sarif_prints, base_prints);

    // Nothing new: clean.
    let o = iamlint(dir, &["--baseline", "baseline.json", "a.json", "b.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("No findings in 2 files."));
    assert!(
        stderr(&o).contains("baseline baseline.json: 3 findings hidden, 0 stale entries"),
        "{}",
        stderr(&o)
    );

    // Lines added above, one finding fixed (b.json), one new one: only the new one is reported.
    write(dir, "a.json", &policy(&[CLEAN, SECRET, RDS, SECRET]));
    write(dir, "b.json", &policy(&[CLEAN]));
    let o = iamlint(
        dir,
        &[
            "--format",
            "compact",
            "--baseline",
            "baseline.json",
            "a.json",
            "b.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "a.json:22:19: warning: `secretsmanager:GetSecretValue` allowed on `*` reads every secret [secret-read-unscoped]\n"
    );
    assert!(
        stderr(&o).contains(
            "baseline baseline.json: 2 findings hidden, 1 stale entry (no longer found; refresh with --write-baseline)"
        ),
        "{}",
        stderr(&o)
    );

    // SARIF keeps the hidden ones, marked as suppressed outside the source.
    let o = iamlint(
        dir,
        &["--format", "sarif", "--baseline", "baseline.json", "a.json"],
    );
    let log = json(&stdout(&o));
    assert_eq!(sarif_errors(&log), Vec::<String>::new());
    let kinds: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["suppressions"][0]["kind"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(kinds, vec!["external", "external", "-"]);
    // b.json was not linted this time: its entry may still hold, so it is not stale.
    assert!(
        stderr(&o).contains("2 findings hidden, 0 stale entries"),
        "{}",
        stderr(&o)
    );

    let o = iamlint(dir, &["--baseline", "missing.json", "a.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read baseline missing.json"));
}

// ---------------------------------------------------------------------------------------------
// The GitHub Action

/// Runs scripts/action-run.sh in `workspace` with GitHub's variables and the given inputs.
fn run_action(workspace: &Path, base_ref: &str, inputs: &[(&str, &str)]) -> (Output, String) {
    let gh_output = workspace.join("../github_output");
    std::fs::write(&gh_output, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/action-run.sh"))
        .current_dir(std::env::temp_dir())
        .env("IAMLINT_BIN", env!("CARGO_BIN_EXE_iamlint"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_BASE_REF", base_ref)
        .env("GITHUB_OUTPUT", &gh_output)
        .env("NO_COLOR", "1");
    for k in [
        "PATHS",
        "FORMAT",
        "CONFIG",
        "FAIL_ON",
        "SARIF_FILE",
        "ONLY_CHANGED",
    ] {
        cmd.env_remove(format!("INPUT_{k}"));
    }
    for (k, v) in inputs {
        cmd.env(format!("INPUT_{k}"), v);
    }
    let o = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&gh_output).unwrap();
    (o, outputs)
}

#[test]
fn action_script_annotates_changed_lines_and_writes_sarif() {
    let tmp = tempfile::tempdir().unwrap();
    let origin = tmp.path().join("origin.git");
    let ws = tmp.path().join("workspace");
    std::fs::create_dir_all(&ws).unwrap();
    git(
        tmp.path(),
        &["init", "-q", "--bare", origin.to_str().unwrap()],
    );
    git(&ws, &["init", "-q"]);
    git(&ws, &["remote", "add", "origin", origin.to_str().unwrap()]);
    write(&ws, "policies/app.json", &policy(&[SECRET, CLEAN]));
    write(&ws, "docs/readme.txt", "not linted\n");
    git(&ws, &["add", "."]);
    git(&ws, &["commit", "-q", "-m", "base"]);
    git(&ws, &["push", "-q", "origin", "HEAD:refs/heads/main"]);
    // actions/checkout fetches the pull request alone: no origin/main yet.
    git(&ws, &["update-ref", "-d", "refs/remotes/origin/main"]);
    // The pull request: one new statement with a finding.
    write(&ws, "policies/app.json", &policy(&[SECRET, CLEAN, RDS]));
    git(&ws, &["commit", "-q", "-am", "pr"]);

    // Every line: both findings annotated, exit 1, SARIF written and valid, outputs set.
    let (o, outputs) = run_action(
        &ws,
        "",
        &[("PATHS", "policies\n"), ("SARIF_FILE", "out.sarif")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let annotations: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(|l| l.split("::").nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        annotations,
        vec![
            "warning file=policies/app.json,line=7,col=19,endLine=7,endColumn=22,title=iamlint(secret-read-unscoped)",
            "warning file=policies/app.json,line=17,col=19,endLine=17,endColumn=69,title=iamlint(rds-db-wildcard-user)",
        ]
    );
    assert_eq!(outputs, "exit-code=1\nsarif-file=out.sarif\n");
    let log = json(&std::fs::read_to_string(ws.join("out.sarif")).unwrap());
    assert_eq!(sarif_errors(&log), Vec::<String>::new());
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2);

    // only-changed on a pull request: origin/main is fetched (it is not there yet) and only the
    // new statement's finding is reported; fail-on never keeps the step green.
    assert!(git(&ws, &["branch", "-r"]).trim().is_empty());
    let (o, outputs) = run_action(
        &ws,
        "main",
        &[
            ("PATHS", "policies docs"),
            ("SARIF_FILE", "out.sarif"),
            ("ONLY_CHANGED", "true"),
            ("FAIL_ON", "never"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("::warning file=policies/app.json,line=17,col=19,"));
    assert_eq!(
        lines[1],
        "Found 1 finding (0 errors, 1 warning, 0 info) in 1 file."
    );
    assert_eq!(outputs, "exit-code=1\nsarif-file=out.sarif\n");
    assert_eq!(git(&ws, &["branch", "-r"]).trim(), "origin/main");

    // fail-on error: warnings do not fail the step; a config input is passed through.
    write(&ws, "quiet.toml", "ignore = [\"security\"]\n");
    let (o, _) = run_action(
        &ws,
        "",
        &[
            ("PATHS", "policies"),
            ("FAIL_ON", "error"),
            ("SARIF_FILE", ""),
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let (o, outputs) = run_action(
        &ws,
        "",
        &[
            ("PATHS", "policies"),
            ("CONFIG", "quiet.toml"),
            ("SARIF_FILE", ""),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(outputs, "exit-code=0\nsarif-file=\n");
    let (o, _) = run_action(&ws, "", &[("FAIL_ON", "sometimes")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("::error title=iamlint::fail-on must be"));
}

#[test]
fn action_yml_declares_every_input_and_passes_it_to_the_script() {
    let yml = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for (input, env) in [
        ("paths", "INPUT_PATHS"),
        ("format", "INPUT_FORMAT"),
        ("config", "INPUT_CONFIG"),
        ("fail-on", "INPUT_FAIL_ON"),
        ("sarif-file", "INPUT_SARIF_FILE"),
        ("only-changed", "INPUT_ONLY_CHANGED"),
        ("version", "INPUT_VERSION"),
    ] {
        assert!(yml.contains(&format!("\n  {input}:\n")), "input {input}");
        assert!(
            yml.contains(&format!("{env}: ${{{{ inputs.{input} }}}}")),
            "{env} from inputs.{input}"
        );
    }
    assert!(yml.contains("using: composite"));
    assert!(yml.contains("uses: actions/cache@v4"));
    assert!(yml.contains("\"$GITHUB_ACTION_PATH/scripts/action-run.sh\""));
    assert!(yml.contains("\"$GITHUB_ACTION_PATH/scripts/action-install.sh\" install"));
    // The default version is the action's own tag.
    assert_eq!(
        yml.matches("IAMLINT_ACTION_REF: ${{ github.action_ref }}")
            .count(),
        2
    );
    // The run step's defaults are the script's: annotations in the log.
    assert!(yml.contains("  format:\n    description: What the job log shows - github"));
    assert!(yml.contains("    default: github\n"));

    // The cache key follows the sources, so a moving ref never serves a stale binary.
    let key = |extra: &str| {
        let o = Command::new("bash")
            .arg(root().join("scripts/action-install.sh"))
            .arg("key")
            .env("GITHUB_ACTION_PATH", root())
            .env("INPUT_VERSION", extra)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env_remove("GITHUB_OUTPUT")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).trim().to_string()
    };
    let k = key("");
    assert!(k.starts_with("iamlint-Linux-X64-src-"), "{k}");
    assert_eq!(k.len(), "iamlint-Linux-X64-src-".len() + 16);
    assert_eq!(key(""), k);
}

/// A fake GitHub release of `tag` in a folder, as the release workflow lays it out:
/// `TAG/iamlint-TARGET.tar.gz` (holding `iamlint-TARGET/iamlint`, here the test binary) and its
/// `.sha256`. Returns the folder, to be given as a `file://` IAMLINT_RELEASE_URL.
fn fake_release(dir: &Path, tag: &str, target: &str) -> PathBuf {
    let base = dir.join("releases");
    let stage = dir.join("stage").join(format!("iamlint-{target}"));
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::create_dir_all(base.join(tag)).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_iamlint"), stage.join("iamlint")).unwrap();
    std::fs::copy(root().join("LICENSE-MIT"), stage.join("LICENSE-MIT")).unwrap();
    let archive = format!("iamlint-{target}.tar.gz");
    let o = Command::new("tar")
        .arg("-czf")
        .arg(base.join(tag).join(&archive))
        .arg("-C")
        .arg(dir.join("stage"))
        .arg(format!("iamlint-{target}"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = Command::new("sha256sum")
        .arg(&archive)
        .current_dir(base.join(tag))
        .output()
        .unwrap();
    assert!(o.status.success());
    write(&base.join(tag), &format!("{archive}.sha256"), &stdout(&o));
    base
}

/// Runs scripts/action-install.sh MODE with HOME in `home`, as on a runner of `os`/`arch`.
fn action_install(mode: &str, home: &Path, os: &str, arch: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/action-install.sh"))
        .arg(mode)
        .env("HOME", home)
        .env("GITHUB_ACTION_PATH", root())
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env_remove("GITHUB_OUTPUT")
        .env_remove("INPUT_VERSION")
        .env_remove("IAMLINT_ACTION_REF")
        .env_remove("IAMLINT_RELEASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn action_installs_the_release_archive_and_verifies_its_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    let releases = fake_release(tmp.path(), "v0.1.0", "x86_64-unknown-linux-musl");
    let url = format!("file://{}", releases.display());
    let home = tmp.path().join("home");
    let installed = home.join(".iamlint-action/bin/iamlint");

    // A release version, given as the input or as the action's own tag, is keyed by the tag.
    for env in [
        [("INPUT_VERSION", "v0.1.0")],
        [("IAMLINT_ACTION_REF", "v0.1.0")],
    ] {
        let o = action_install("key", &home, "Linux", "X64", &env);
        assert!(o.status.success(), "{}", stdout(&o));
        assert_eq!(stdout(&o), "iamlint-Linux-X64-release-v0.1.0\n");
    }
    // A moving major tag of the action (@v0) means the release its checkout holds.
    let version = env!("CARGO_PKG_VERSION");
    let o = action_install(
        "key",
        &home,
        "Linux",
        "X64",
        &[("IAMLINT_ACTION_REF", "v0")],
    );
    assert_eq!(
        stdout(&o),
        format!("iamlint-Linux-X64-release-v{version}\n")
    );
    // A branch of the action is unreleased: built from its checkout, keyed by the sources.
    let o = action_install(
        "key",
        &home,
        "Linux",
        "X64",
        &[("IAMLINT_ACTION_REF", "main")],
    );
    assert!(
        stdout(&o).starts_with("iamlint-Linux-X64-src-"),
        "{}",
        stdout(&o)
    );

    // Downloaded, checked, unpacked into the cached folder; no cargo involved.
    let o = action_install(
        "install",
        &home,
        "Linux",
        "X64",
        &[
            ("INPUT_VERSION", "0.1.0"),
            ("IAMLINT_RELEASE_URL", &url),
            ("PATH", "/usr/bin:/bin"),
        ],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("SHA-256 "), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("iamlint "),
        "the installed binary runs: {}",
        stdout(&o)
    );
    let o = Command::new(&installed).arg("--version").output().unwrap();
    assert!(o.status.success());

    // The run step finds it there.
    let ws = tmp.path().join("ws");
    write(
        &ws,
        "p.json",
        &policy(&[("secretsmanager:GetSecretValue", "*")]),
    );
    let o = Command::new("bash")
        .arg(root().join("scripts/action-run.sh"))
        .env("HOME", &home)
        .env("GITHUB_WORKSPACE", &ws)
        .env("INPUT_SARIF_FILE", "")
        .env("INPUT_FORMAT", "compact")
        .env_remove("IAMLINT_BIN")
        .env_remove("GITHUB_OUTPUT")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("[secret-read-unscoped]"),
        "{}",
        stdout(&o)
    );

    // A tampered archive is refused, and nothing is installed.
    std::fs::remove_file(&installed).unwrap();
    let sum = releases.join("v0.1.0/iamlint-x86_64-unknown-linux-musl.tar.gz.sha256");
    let text = std::fs::read_to_string(&sum).unwrap();
    std::fs::write(&sum, format!("{}{}", "0".repeat(64), &text[64..])).unwrap();
    let o = action_install(
        "install",
        &home,
        "Linux",
        "X64",
        &[("INPUT_VERSION", "v0.1.0"), ("IAMLINT_RELEASE_URL", &url)],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("::error title=iamlint::checksum mismatch for iamlint-x86_64-unknown-linux-musl.tar.gz: expected 0000"),
        "{out}"
    );
    assert!(!installed.exists());

    // A version with no release says so.
    let o = action_install(
        "install",
        &home,
        "Linux",
        "X64",
        &[("INPUT_VERSION", "v9.9.9"), ("IAMLINT_RELEASE_URL", &url)],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("::error title=iamlint::cannot download iamlint v9.9.9 for Linux X64"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn action_names_the_platforms_it_has_binaries_for() {
    let tmp = tempfile::tempdir().unwrap();
    let releases = fake_release(tmp.path(), "v0.1.0", "x86_64-unknown-linux-musl");
    let url = format!("file://{}", releases.display());
    for mode in ["key", "install"] {
        let o = action_install(
            mode,
            tmp.path(),
            "Linux",
            "ARM",
            &[("INPUT_VERSION", "v0.1.0"), ("IAMLINT_RELEASE_URL", &url)],
        );
        assert_eq!(o.status.code(), Some(1), "{mode}");
        assert!(
            stdout(&o).contains("::error title=iamlint::iamlint has no prebuilt binary for Linux ARM (releases cover Linux X64 and ARM64, macOS X64 and ARM64, Windows X64)"),
            "{mode}: {}",
            stdout(&o)
        );
    }
    // Each runner the release covers maps to the archive the release workflow builds.
    let workflow = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("Windows", "X64", "x86_64-pc-windows-msvc"),
    ] {
        assert!(workflow.contains(&format!("target: {target},")), "{target}");
        let o = action_install(
            "install",
            tmp.path(),
            os,
            arch,
            &[("INPUT_VERSION", "v0.0.1"), ("IAMLINT_RELEASE_URL", &url)],
        );
        let ext = if os == "Windows" { "zip" } else { "tar.gz" };
        assert!(
            stdout(&o).contains(&format!("/v0.0.1/iamlint-{target}.{ext}")),
            "{os} {arch}: {}",
            stdout(&o)
        );
    }
}

#[test]
fn release_archives_are_named_alike_by_the_workflow_the_action_and_binstall() {
    let workflow = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let install = std::fs::read_to_string(root().join("scripts/action-install.sh")).unwrap();
    // The workflow: iamlint-TARGET/ with the binary, README and licences, in
    // iamlint-TARGET.tar.gz (.zip on Windows), with a .sha256 beside it.
    for needle in [
        "name=\"iamlint-$target\"",
        "cp \"target/$target/release/$exe\" README.md LICENSE-MIT LICENSE-APACHE \"dist/$name/\"",
        "archive=\"$name.tar.gz\"",
        "archive=\"$name.zip\"",
        ">\"$archive.sha256\"",
        "uses: actions/attest-build-provenance@v2",
        "tags: [\"v[0-9]+.[0-9]+.[0-9]+*\"]",
    ] {
        assert!(workflow.contains(needle), "release.yml: {needle}");
    }
    // cargo binstall and the action look for the same names.
    assert!(cargo.contains("[package.metadata.binstall]"));
    assert!(cargo.contains(
        "pkg-url = \"{ repo }/releases/download/v{ version }/{ name }-{ target }{ archive-suffix }\""
    ));
    assert!(cargo.contains("bin-dir = \"{ name }-{ target }/{ bin }{ binary-ext }\""));
    assert!(install.contains("archive=\"iamlint-$t$ext\""));
    assert!(install.contains("\"$tmp/iamlint-$t/$exe\""));
    // The licences the archives and the crate carry exist, and the crate says which.
    assert!(cargo.contains("license = \"MIT OR Apache-2.0\""));
    for f in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert!(root().join(f).is_file(), "{f}");
    }
}

#[test]
fn pre_commit_offers_a_hook_that_needs_no_rust() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let hook = |id: &str| {
        let start = hooks
            .find(&format!("- id: {id}\n"))
            .unwrap_or_else(|| panic!("no hook {id}"));
        let rest = &hooks[start + 2..];
        rest[..rest.find("\n- id: ").unwrap_or(rest.len())].to_string()
    };
    let rust = hook("iamlint");
    let python = hook("iamlint-prebuilt");
    assert!(rust.contains("language: rust"), "{rust}");
    assert!(python.contains("language: python"), "{python}");
    // The same command on the same files.
    for field in ["entry:", "types_or:", "pass_filenames:"] {
        let line = |h: &str| {
            h.lines()
                .find(|l| l.trim().starts_with(field))
                .map(str::to_string)
        };
        assert_eq!(line(&rust), line(&python), "{field}");
    }
    // pre-commit's `pip install .` goes through the backend that takes the released wheel.
    let pyproject = std::fs::read_to_string(root().join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("build-backend = \"iamlint_build\""));
    assert!(pyproject.contains("backend-path = [\"pep517\"]"));
    assert!(pyproject.contains("bindings = \"bin\""));
    assert!(pyproject.contains("dynamic = [\"version\""));
    let backend = std::fs::read_to_string(root().join("pep517/iamlint_build.py")).unwrap();
    assert!(backend.contains("os.environ.get(\"PRE_COMMIT\") == \"1\""));
}

#[test]
fn ci_workflow_checks_the_project_and_uploads_sarif() {
    let ci = std::fs::read_to_string(root().join(".github/workflows/ci.yml")).unwrap();
    for needle in [
        "cargo fmt --all --check",
        "cargo clippy --all-targets -- -D warnings",
        "cargo test",
        "uses: ./",
        "paths: examples",
        "sarif-file: iamlint.sarif",
        "uses: github/codeql-action/upload-sarif@v3",
        "security-events: write",
    ] {
        assert!(ci.contains(needle), "{needle}");
    }
    // What the workflow lints exists and gives findings on purpose (fail-on: never).
    assert!(ci.contains("fail-on: never"));
    let found = findings_of(&root(), &["examples"]);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|f| f.0.starts_with("examples/")),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// pre-commit

#[test]
fn pre_commit_hook_lints_exactly_the_files_it_is_given() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let field = |name: &str| {
        hooks
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name}"))
            .to_string()
    };
    assert_eq!(field("- id"), "iamlint");
    assert_eq!(field("language"), "rust");
    assert_eq!(field("types_or"), "[json, yaml, terraform]");
    assert_eq!(field("pass_filenames"), "true");
    let entry = field("entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("iamlint"));
    let hook_args: Vec<&str> = words.collect();

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "iam/app.json", &policy(&[SECRET]));
    // `aws iam get-policy-version` output.
    write(
        dir,
        "cli/version.json",
        &format!(
            "{{\"PolicyVersion\": {{\"Document\": {}}}}}\n",
            policy(&[RDS])
        ),
    );
    // A CloudFormation template in JSON: read too (its policy is clean; the count shows it).
    write(
        dir,
        "stack.template.json",
        &format!(
            "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"P\": {{\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {{\"PolicyDocument\": {} }}}}}}}}\n",
            policy(&[CLEAN])
        ),
    );
    // Templates: CloudFormation YAML and Terraform.
    write(
        dir,
        "infra/template.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  ReadSecrets:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: secretsmanager:GetSecretValue\n            Resource: \"*\"\n",
    );
    write(
        dir,
        "infra/main.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = \"rds-db:connect\"\n      Resource = \"arn:aws:rds-db:us-east-1:123456789012:dbuser:*/*\"\n    }]\n  })\n}\n",
    );
    // Staged, not IAM, and broken: not iamlint's business.
    write(
        dir,
        "docker-compose.yml",
        "services:\n  web:\n    ports: [\"80:80\"\n",
    );
    write(dir, "infra/variables.tf", "variable \"x\" {\n");
    // Not staged, so not passed: must not be linted even though it is next door.
    write(dir, "iam/other.json", &policy(&[SECRET]));
    // Staged but not IAM: pre-commit passes every json file; these must not be reported.
    write(
        dir,
        "tsconfig.json",
        "{\n  // comments are fine here\n  \"compilerOptions\": {},\n}\n",
    );
    write(dir, "package.json", "{\"name\": \"x\"}\n");
    // Excluded by the project's config: pre-commit does not know, iamlint must.
    write(dir, "iamlint.toml", "exclude = [\"vendor\"]\n");
    write(dir, "vendor/lib/policy.json", &policy(&[SECRET]));

    let mut args: Vec<&str> = hook_args.clone();
    args.extend(["--format", "json"]);
    let files = [
        "iam/app.json",
        "cli/version.json",
        "stack.template.json",
        "infra/template.yaml",
        "infra/main.tf",
        "docker-compose.yml",
        "infra/variables.tf",
        "tsconfig.json",
        "package.json",
        "vendor/lib/policy.json",
    ];
    args.extend(files);
    let o = iamlint(dir, &args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found: Vec<(String, String)> = json(&stdout(&o))
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "cli/version.json".to_string(),
                "rds-db-wildcard-user".to_string()
            ),
            (
                "iam/app.json".to_string(),
                "secret-read-unscoped".to_string()
            ),
            (
                "infra/main.tf".to_string(),
                "rds-db-wildcard-user".to_string()
            ),
            (
                "infra/template.yaml".to_string(),
                "secret-read-unscoped".to_string()
            ),
        ]
    );
    // Read: the policies and the templates; not the others.
    let mut human: Vec<&str> = hook_args.clone();
    human.extend(files);
    let o = iamlint(dir, &human);
    assert!(
        stdout(&o).ends_with("Found 4 findings (0 errors, 4 warnings, 0 info) in 5 files.\n"),
        "{}",
        stdout(&o)
    );
    // Without the hook's flag a named file is always linted, as ripgrep does: the excluded
    // policy and the commented tsconfig are reported.
    let o = iamlint(
        dir,
        &[
            "--format",
            "compact",
            "tsconfig.json",
            "vendor/lib/policy.json",
        ],
    );
    let out = stdout(&o);
    assert!(out.contains("tsconfig.json:2:3: error"), "{out}");
    assert!(
        out.contains("vendor/lib/policy.json:7:19: warning"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// Problem matchers

/// Applies a problem matcher's single-line pattern; returns the groups it names.
fn apply_matcher(pattern: &Value, line: &str) -> Option<Vec<(String, String)>> {
    let re = regex::Regex::new(pattern["regexp"].as_str().unwrap()).unwrap();
    let caps = re.captures(line)?;
    let mut out = Vec::new();
    for key in ["file", "line", "column", "severity", "message", "code"] {
        if let Some(i) = pattern[key].as_u64() {
            out.push((key.to_string(), caps[i as usize].to_string()));
        }
    }
    Some(out)
}

fn compact_and_json(dir: &Path, args: &[&str]) -> Vec<(String, Vec<(String, String)>)> {
    let mut a = vec!["--format", "compact"];
    a.extend(args);
    let compact = stdout(&iamlint(dir, &a));
    let expected = findings_of(dir, args);
    assert_eq!(compact.lines().count(), expected.len());
    compact
        .lines()
        .zip(expected)
        .map(|(l, f)| {
            (
                l.to_string(),
                vec![
                    ("file".to_string(), f.0),
                    ("line".to_string(), f.1.to_string()),
                    ("column".to_string(), f.2.to_string()),
                    ("severity".to_string(), f.3),
                    ("message".to_string(), f.4),
                    ("code".to_string(), f.5),
                ],
            )
        })
        .collect()
}

#[test]
fn github_problem_matcher_reads_compact_output() {
    let matcher =
        json(&std::fs::read_to_string(root().join(".github/iamlint-matcher.json")).unwrap());
    let matchers = matcher["problemMatcher"].as_array().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // Messages with colons, brackets and backticks; a path with a colon-free space.
    write(tmp.path(), "a b/p.json", &policy(&[SECRET, RDS]));
    write(tmp.path(), "bad.json", "{\"Statement\": [,]}\n");
    // An info finding, through a severity override.
    write(
        tmp.path(),
        "iamlint.toml",
        "[severity]\nrds-db-wildcard-user = \"info\"\n",
    );
    let cases = compact_and_json(tmp.path(), &["."]);
    assert_eq!(cases.len(), 3);
    let mut severities = Vec::new();
    for (line, expected) in cases {
        let hits: Vec<(&Value, Vec<(String, String)>)> = matchers
            .iter()
            .filter_map(|m| apply_matcher(&m["pattern"][0], &line).map(|g| (m, g)))
            .collect();
        assert_eq!(hits.len(), 1, "exactly one matcher for {line}");
        let (m, groups) = &hits[0];
        // The info matcher has no severity group: its default stands in (GitHub knows only
        // error and warning).
        let mut want = expected.clone();
        if m["severity"].is_string() {
            want.retain(|(k, _)| k != "severity");
            assert_eq!(expected[3].1, "info");
        }
        assert_eq!(groups, &want, "{line}");
        severities.push(expected[3].1.clone());
    }
    assert_eq!(severities, vec!["warning", "info", "error"]);
}

#[test]
fn vscode_problem_matcher_in_the_docs_reads_compact_output() {
    let doc = std::fs::read_to_string(root().join("docs/integrations.md")).unwrap();
    // The one ```jsonc block that defines the task.
    let start = doc.find("```jsonc\n").expect("a jsonc block") + "```jsonc\n".len();
    let block = &doc[start..start + doc[start..].find("```").unwrap()];
    let no_comments: String = block
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let tasks = json(&no_comments);
    let task = &tasks["tasks"][0];
    assert_eq!(task["command"], "iamlint");
    assert_eq!(task["args"][0], "--format");
    assert_eq!(task["args"][1], "compact");
    let pm = &task["problemMatcher"];
    assert_eq!(pm["fileLocation"][0], "relative");
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "p.json", &policy(&[SECRET]));
    write(tmp.path(), "bad.json", "{\"Statement\": [,]}\n");
    for (line, expected) in compact_and_json(tmp.path(), &["."]) {
        let groups = apply_matcher(&pm["pattern"], &line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!(groups, expected, "{line}");
    }
}
