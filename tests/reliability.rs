//! "Never lose a byte, never lie, never fall over": the real binary on a real file system (a
//! full tmpfs where mounting one is permitted), and a scripted Language Server client.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

mod common;
use common::{Session, uri};

/// `rds:connect` where `rds-db:connect` is meant: a safe fix.
const RDS_CONNECT: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "rds:connect", "Resource": "arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/app"}]}
"#;

fn tree(files: &[(&str, &[u8])]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, bytes) in files {
        let p = dir.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    dir
}

fn iamlint(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_iamlint"));
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o: Output = iamlint(dir).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A 64 KiB tmpfs at `dir`, or `None` where mounting is not permitted (not root, a container).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path) -> Option<Tmpfs> {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }

    /// Fills the file system to the last byte.
    fn fill(&self) {
        use std::io::Write;
        let mut f = fs::File::create(self.0.join("filler")).unwrap();
        let block = [b'x'; 512];
        while f.write_all(&block).and_then(|()| f.flush()).is_ok() {}
        while f.write_all(b"x").and_then(|()| f.sync_all()).is_ok() {}
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".iamlint-"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Data safety

/// A full disk: `--fix`, `--output` and `--write-baseline` leave the originals byte for byte,
/// name the failure and exit 2; the other folder's file is still fixed.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_leaves_every_original_and_the_run_goes_on() {
    let d = tree(&[("ok/p.json", RDS_CONNECT.as_bytes())]);
    let full = d.path().join("full");
    fs::create_dir(&full).unwrap();
    let Some(fs_) = Tmpfs::mount(&full) else {
        println!("mounting a tmpfs is not permitted here: the full-disk case was not checked");
        return;
    };
    fs::write(full.join("p.json"), RDS_CONNECT).unwrap();
    fs::write(full.join("report.sarif"), "old report").unwrap();
    fs::write(full.join("baseline.json"), "old baseline").unwrap();
    fs_.fill();

    let (code, _, err) = run(d.path(), &["--fix", "ok", "full/p.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("full/p.json: cannot write the fixes"), "{err}");
    assert_eq!(
        fs::read_to_string(full.join("p.json")).unwrap(),
        RDS_CONNECT
    );
    assert_eq!(
        fs::read_to_string(d.path().join("ok/p.json")).unwrap(),
        RDS_CONNECT.replace("rds:connect", "rds-db:connect")
    );

    let (code, _, err) = run(
        d.path(),
        &[
            "full/p.json",
            "--format",
            "sarif",
            "--output",
            "full/report.sarif",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot write full/report.sarif"), "{err}");
    assert_eq!(fs::read(full.join("report.sarif")).unwrap(), b"old report");

    let (code, _, err) = run(
        d.path(),
        &["full/p.json", "--write-baseline", "full/baseline.json"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot write baseline"), "{err}");
    assert_eq!(
        fs::read(full.join("baseline.json")).unwrap(),
        b"old baseline"
    );
    assert_eq!(leftovers(&full), Vec::<String>::new());
}

/// A fixed file keeps its permissions; no temporary file is left behind.
#[cfg(unix)]
#[test]
fn fixes_replace_files_atomically_and_keep_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let d = tree(&[("p.json", RDS_CONNECT.as_bytes())]);
    let p = d.path().join("p.json");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
    let (code, _, err) = run(d.path(), &["--fix", "p.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(fs::read_to_string(&p).unwrap().contains("rds-db:connect"));
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(leftovers(d.path()), Vec::<String>::new());
    // `--output` and `--write-baseline` over existing files: replaced whole.
    fs::write(d.path().join("out.json"), "x".repeat(100_000)).unwrap();
    fs::write(d.path().join("p.json"), RDS_CONNECT).unwrap();
    let (code, _, _) = run(
        d.path(),
        &["p.json", "--format", "json", "--output", "out.json"],
    );
    assert_eq!(code, 1);
    let out: Value = serde_json::from_str(&fs::read_to_string(d.path().join("out.json")).unwrap())
        .expect("the report, whole");
    assert_eq!(out.as_array().unwrap().len(), 1);
}

/// Formatter mode: what is not fixed goes back byte for byte, whatever its encoding.
#[test]
fn stdin_fix_never_eats_or_reencodes_a_buffer() {
    let d = tree(&[]);
    let cases: Vec<Vec<u8>> = vec![
        // Invalid UTF-8 next to a fixable token: not "fixed" into U+FFFD.
        [RDS_CONNECT.as_bytes(), b"\xff\xfe junk \xe9"].concat(),
        // A NUL byte: a binary buffer.
        [RDS_CONNECT.as_bytes(), b"\x00\x01"].concat(),
        // UTF-16 with a byte order mark.
        [0xFF, 0xFE]
            .into_iter()
            .chain(RDS_CONNECT.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        // Clean, nothing to fix.
        br#"{"Version": "2012-10-17", "Statement": []}"#.to_vec(),
        // Not a policy at all.
        b"hello\r\nworld".to_vec(),
    ];
    for input in cases {
        let o = iamlint(d.path())
            .args(["--fix", "--stdin-filename", "p.json", "-"])
            .write_stdin(input.clone())
            .output()
            .unwrap();
        assert_eq!(o.stdout, input, "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Plain UTF-8 with a fix: the fixed text.
    let o = iamlint(d.path())
        .args(["--fix", "--stdin-filename", "p.json", "-"])
        .write_stdin(RDS_CONNECT)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        RDS_CONNECT.replace("rds:connect", "rds-db:connect")
    );
}

/// `--fix` never writes through a link to a file outside the given folders, and says so.
#[cfg(unix)]
#[test]
fn fixes_never_write_through_links_out_of_the_tree() {
    let d = tree(&[
        ("outside/p.json", RDS_CONNECT.as_bytes()),
        ("repo/in.json", RDS_CONNECT.as_bytes()),
    ]);
    std::os::unix::fs::symlink(
        d.path().join("outside/p.json"),
        d.path().join("repo/link.json"),
    )
    .unwrap();
    for follow in [false, true] {
        let mut args = vec!["--fix", "repo"];
        if follow {
            args.push("--follow");
        }
        let (_, _, err) = run(d.path(), &args);
        assert_eq!(
            fs::read_to_string(d.path().join("outside/p.json")).unwrap(),
            RDS_CONNECT,
            "--follow {follow}: {err}"
        );
        if follow {
            assert!(err.contains("not fixed: a symbolic link to"), "{err}");
        }
    }
    assert!(
        fs::read_to_string(d.path().join("repo/in.json"))
            .unwrap()
            .contains("rds-db:connect")
    );
    assert!(
        fs::symlink_metadata(d.path().join("repo/link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

/// `--new-from-rev=--output=x` is not an option of git's: refused, and no file is written.
#[test]
fn new_from_rev_cannot_inject_git_options() {
    let d = tree(&[("p.json", RDS_CONNECT.as_bytes())]);
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "x"]);
    for rev in ["--output=x", "-p", "--ext-diff"] {
        let (code, _, err) = run(d.path(), &[&format!("--new-from-rev={rev}")]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("is not a git revision"), "{err}");
    }
    assert!(!d.path().join("x").exists());
    let (code, _, err) = run(d.path(), &["--new-from-rev", "HEAD"]);
    assert_eq!(code, 0, "{err}");
}

/// Fixes apply only to what is reported: not what `--baseline`, `--new-from-rev`, `--ignore` or a
/// suppression hides.
#[test]
fn fixes_obey_the_filters() {
    let fixed = RDS_CONNECT.replace("rds:connect", "rds-db:connect");
    let d = tree(&[("p.json", RDS_CONNECT.as_bytes())]);
    let p = d.path().join("p.json");
    let (code, _, err) = run(d.path(), &["--write-baseline", "b.json"]);
    assert_eq!(code, 0, "{err}");
    for args in [
        vec!["--fix", "--baseline", "b.json"],
        vec!["--fix", "--ignore", "rds-connect-prefix"],
        vec!["--fix", "--select", "security"],
    ] {
        let (_, _, err) = run(d.path(), &args);
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            RDS_CONNECT,
            "{args:?}: {err}"
        );
    }
    let (code, out, _) = run(d.path(), &["--diff", "--baseline", "b.json"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // Changed-lines mode: the committed line has not changed, so nothing is reported or fixed.
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "p.json"]);
    git(d.path(), &["commit", "-qm", "x"]);
    let (_, _, err) = run(d.path(), &["--fix", "--new-from-rev", "HEAD", "p.json"]);
    assert_eq!(fs::read_to_string(&p).unwrap(), RDS_CONNECT, "{err}");
    // With no filter, the fix is made.
    let (code, _, err) = run(d.path(), &["--fix", "p.json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read_to_string(&p).unwrap(), fixed);
}

// ---------------------------------------------------------------------------------------------
// Never report clean without looking

/// A named file that cannot be read is an error in every format and exit 2, unless
/// `--skip-unreadable`; a walk's skipped files are counted in the summary and machine formats.
#[test]
fn unreadable_named_files_are_errors_in_every_format() {
    let d = tree(&[
        ("bin.json", b"\x00\x01\x02 Statement"),
        ("big.json", RDS_CONNECT.as_bytes()),
        ("p.json", br#"{"Version": "2012-10-17", "Statement": []}"#),
    ]);
    let (code, out, err) = run(d.path(), &["bin.json", "p.json"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("bin.json: skipped: binary file"), "{err}");
    assert!(
        out.contains("1 file named on the command line could not be read"),
        "{out}"
    );
    let (code, _, _) = run(d.path(), &["bin.json", "p.json", "--skip-unreadable"]);
    assert_eq!(code, 0);
    let (code, _, err) = run(d.path(), &["big.json", "--max-file-size", "10"]);
    assert_eq!(code, 2, "{err}");

    let (_, out, _) = run(d.path(), &["bin.json", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["toolExecutionNotifications"][0]["level"], "error");
    assert!(
        inv["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("bin.json")
    );
    let (_, out, _) = run(d.path(), &["bin.json", "--format", "json"]);
    let entries: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(entries[0]["notification"], "skipped");
    assert_eq!(entries[0]["severity"], "error");
    assert_eq!(entries[0]["path"], "bin.json");
    let (_, out, _) = run(d.path(), &["bin.json", "--format", "github"]);
    assert!(out.starts_with("::error file=bin.json,"), "{out}");

    // A walk: the skipped file is a warning, counted; the exit code stays that of the findings.
    let (code, out, _) = run(d.path(), &["."]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 file skipped"), "{out}");
    let (_, out, _) = run(d.path(), &[".", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["level"],
        "warning"
    );
    let (_, out, _) = run(d.path(), &[".", "--format", "github"]);
    assert!(out.contains("::warning file=bin.json,"), "{out}");
}

/// A FIFO named on the command line: never opened for reading (that would block), an error.
#[cfg(unix)]
#[test]
fn a_named_fifo_is_an_error_not_a_hang() {
    let d = tree(&[]);
    let made = std::process::Command::new("mkfifo")
        .arg(d.path().join("pipe.json"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        println!("no mkfifo here: the FIFO case was not checked");
        return;
    }
    let o = iamlint(d.path())
        .arg("pipe.json")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));
}

/// Duplicate keys: reported, and the rules read the last value, as AWS does.
#[test]
fn duplicate_keys_are_reported_and_the_last_one_is_read() {
    let policy = r#"{"Version": "2012-10-17",
 "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
 "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
"#;
    let d = tree(&[("p.json", policy.as_bytes())]);
    let (code, out, _) = run(d.path(), &["--format", "compact", "p.json"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "p.json:3:2: error: `Statement` appears twice in one object [conflicting-elements]"
        ),
        "{out}"
    );
    assert!(out.contains("[admin-access-allowed]"), "{out}");
    // In a statement: the last `Effect` is the one read.
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
    fs::write(d.path().join("p.json"), policy).unwrap();
    let (_, out, _) = run(d.path(), &["--format", "compact", "p.json"]);
    assert!(out.contains("[admin-access-allowed]"), "{out}");
    assert!(out.contains("`Effect` appears twice"), "{out}");
}

/// File names and policy strings cannot forge output lines or reach the terminal as escapes.
#[cfg(unix)]
#[test]
fn output_cannot_be_forged_by_input() {
    let sid = "A\\r\\nx.json:1:1: error: forged [x]\\u001b[2J";
    let policy = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Sid\": \"{sid}\", \"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}}]}}\n"
    );
    let d = tree(&[("evil\nx.json:1:1: error: forged.json", policy.as_bytes())]);
    for format in ["compact", "github", "human"] {
        let (_, out, err) = run(d.path(), &["--format", format, "."]);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\r'),
            "{format}: {out:?}"
        );
        assert!(
            !out.lines().any(|l| l.starts_with("x.json:1:1")),
            "{format}: {out}"
        );
        assert!(!err.contains('\u{1b}'), "{err:?}");
        if format == "compact" {
            // One line per finding, each naming the escaped path.
            assert!(
                out.lines()
                    .all(|l| l.starts_with("evil\\nx.json:1:1: error: forged.json:")),
                "{out}"
            );
        }
    }
}

/// More results than code scanning accepts: the most severe are kept, under 10 MB, and the run
/// says so.
#[test]
fn sarif_stays_within_githubs_limits() {
    let actions: Vec<String> = (0..26_000).map(|_| "\"rds:connect\"".to_string()).collect();
    let policy = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}, {{\"Effect\": \"Allow\", \"Action\": [{}], \"Resource\": \"arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/app\"}}]}}",
        actions.join(",")
    );
    let d = tree(&[("p.json", policy.as_bytes())]);
    let (_, out, err) = run(d.path(), &["--format", "sarif", "p.json"]);
    assert!(out.len() <= 10_000_000, "{} bytes", out.len());
    let sarif: Value = serde_json::from_str(&out).unwrap();
    // Written result by result, it is the document printed whole.
    assert_eq!(serde_json::to_string_pretty(&sarif).unwrap() + "\n", out);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.len() <= 25_000 && results.len() > 1000,
        "{}",
        results.len()
    );
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "admin-access-allowed")
    );
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("results kept, the most severe"),
        "{notes}"
    );
    assert!(
        err.contains("SARIF:") && err.contains("results kept"),
        "{err}"
    );
}

/// The language server reads `iamlint.toml` as the command line does, and shows an invalid one.
#[test]
fn the_server_shows_an_invalid_config_on_the_config_file() {
    let d = tree(&[("iamlint.toml", b"select = [\"no-such-rule\"]\n")]);
    let mut s = Session::start(d.path());
    s.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", d.path().display()), "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    let doc = uri(d.path(), "p.json");
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "json", "version": 1, "text": RDS_CONNECT}}),
    );
    let first = s.diagnostics();
    let second = s.diagnostics();
    let (config, document) = if first["uri"] == doc {
        (second, first)
    } else {
        (first, second)
    };
    assert!(
        config["uri"].as_str().unwrap().ends_with("/iamlint.toml"),
        "{config}"
    );
    assert!(
        config["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-rule"),
        "{config}"
    );
    assert!(
        document["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("not linted:"),
        "{document}"
    );
    // Fixed config: the config's diagnostic is cleared, and the config's selection applies.
    fs::write(
        d.path().join("iamlint.toml"),
        "ignore = [\"rds-connect-prefix\"]\n",
    )
    .unwrap();
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": RDS_CONNECT}]}),
    );
    let a = s.diagnostics();
    let b = s.diagnostics();
    let (config, document) = if a["uri"] == doc { (b, a) } else { (a, b) };
    assert_eq!(config["diagnostics"], json!([]));
    assert_eq!(document["diagnostics"], json!([]), "{document}");
    s.request("shutdown", json!(null));
    s.notify("exit", json!(null));
    assert!(s.child.wait().unwrap().success());
}

// ---------------------------------------------------------------------------------------------
// No single input takes it down

/// A finding on a 1 MB line: a trimmed snippet, no panic.
#[test]
fn the_human_view_trims_long_lines() {
    let statements: Vec<String> = (0..5_000)
        .map(|i| format!("{{\"Sid\": \"S{i}\", \"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}}"))
        .collect();
    let policy = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}{}",
        statements.join(","),
        " ".repeat(600_000)
    );
    let d = tree(&[("min.json", policy.as_bytes())]);
    // One rule, so the count is the statements' (the document is also over its size quota).
    let (code, out, err) = run(
        d.path(),
        &["--select", "pass-role-with-wildcard-resource", "min.json"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        out.contains("Found 5000 findings"),
        "{}",
        &out[out.len() - 300..]
    );
    let longest = out.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 600, "a line of {longest} characters");
}

/// Output is linear in findings: 20,000 findings on one line, 100,000 on a normal file, and a
/// 50,000-statement policy (duplicate `Sid`s) finish in seconds.
#[test]
fn output_and_rules_stay_linear() {
    let one_line: Vec<String> = (0..20_000).map(|_| "\"rds:connect\"".to_string()).collect();
    let policy = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": [{}], \"Resource\": \"arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/app\"}}]}}",
        one_line.join(",")
    );
    let tall_of = |n: usize| {
        let lines: Vec<String> = (0..n).map(|_| "  \"rds:connect\"".to_string()).collect();
        format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": [\n{}\n], \"Resource\": \"arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/app\"}}]}}\n",
            lines.join(",\n")
        )
    };
    let tall = tall_of(100_000);
    let (small, large) = (tall_of(2_000), tall_of(20_000));
    let statements: Vec<String> = (0..50_000)
        .map(|i| format!("{{\"Sid\": \"S{}\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/k{i}\"}}", i % 2))
        .collect();
    let many = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [\n{}\n]}}\n",
        statements.join(",\n")
    );
    let d = tree(&[
        ("line.json", policy.as_bytes()),
        ("tall.json", tall.as_bytes()),
        ("many.json", many.as_bytes()),
        ("small.json", small.as_bytes()),
        ("large.json", large.as_bytes()),
    ]);
    // Debug builds are some ten times slower than release (see the report for release numbers).
    for (file, format, expect) in [
        ("line.json", "compact", 20_000),
        ("line.json", "human", 20_000),
        ("tall.json", "compact", 100_000),
        ("many.json", "compact", 49_998),
    ] {
        let t = Instant::now();
        let (_, out, err) = run(
            d.path(),
            &[
                "--format",
                format,
                "--select",
                "rds-connect-prefix,duplicate-sid",
                file,
            ],
        );
        let took = t.elapsed();
        if format == "compact" {
            assert_eq!(out.lines().count(), expect, "{file}: {err}");
        } else {
            assert!(
                out.contains(&format!("Found {expect} findings")),
                "{file}: {err}"
            );
        }
        println!("{file} {format}: {took:?}");
        assert!(took < Duration::from_secs(120), "{file} {format}: {took:?}");
    }
    // The human view (miette draws each report, slow in a debug build): ten times the findings
    // take about ten times as long, not a hundred.
    let time = |file: &str| {
        let t = Instant::now();
        let (_, out, _) = run(d.path(), &["--select", "rds-connect-prefix", file]);
        assert!(out.contains("Found "), "{file}");
        t.elapsed()
    };
    let (t_small, t_large) = (time("small.json"), time("large.json"));
    println!("human: 2,000 findings {t_small:?}, 20,000 findings {t_large:?}");
    assert!(t_large < t_small * 30, "{t_small:?} → {t_large:?}");
}

/// Every rule at once, on a policy of 500 and of 4,000 statements that each rule has something
/// to read in (Allow and exclusion-only Deny statements, principals, conditions, wildcards):
/// eight times the statements take about eight times as long, not sixty-four (a rule that
/// compared every statement with every other did; Deny narrowing was one).
#[test]
fn every_rule_together_stays_near_linear_in_statements() {
    let policy = |n: usize| {
        let statements: Vec<String> = (0..n)
            .map(|i| {
                let effect = if i % 3 == 0 { "Deny" } else { "Allow" };
                let op = if i % 6 == 0 { "StringNotEquals" } else { "StringEquals" };
                format!(
                    r#"{{"Sid": "S{i}", "Effect": "{effect}", "Principal": {{"AWS": "arn:aws:iam::{}:root", "Service": "sns.amazonaws.com"}}, "Action": ["s3:GetObject", "s3:Put*", "ec2:Describe{}x", "iam:PassRole", "kms:Decrypt", "secretsmanager:GetSecretValue"], "Resource": ["arn:aws:s3:::b{i}/*", "*", "arn:aws:iam::123456789012:role/r{i}"], "Condition": {{"{op}": {{"aws:PrincipalTag/team": "t{i}", "aws:SourceVpc": "vpc-{i:08x}"}}, "IpAddress": {{"aws:SourceIp": ["10.0.0.0/8", "1.2.{}.0/24"]}}}}}}"#,
                    100_000_000_000 + i,
                    i % 7,
                    i % 250
                )
            })
            .collect();
        format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [\n{}\n]}}\n",
            statements.join(",\n")
        )
    };
    let d = tree(&[
        ("small.json", policy(500).as_bytes()),
        ("large.json", policy(4_000).as_bytes()),
    ]);
    // The faster of two runs, to keep a busy machine's pauses out of the ratio.
    let time = |file: &str| {
        (0..2)
            .map(|_| {
                let t = Instant::now();
                let (code, out, err) =
                    run(d.path(), &["--select", "all", "--format", "compact", file]);
                assert_eq!(code, 1, "{file}: {err}");
                assert!(out.lines().count() > 1_000, "{file}: every rule has work");
                t.elapsed()
            })
            .min()
            .expect("two runs")
    };
    let (small, large) = (time("small.json"), time("large.json"));
    println!("all rules: 500 statements {small:?}, 4,000 statements {large:?}");
    assert!(large < small * 24, "{small:?} → {large:?}");
}

/// `-j` above the machine's parallelism: capped, with a warning.
#[test]
fn threads_are_capped_at_the_machines_cores() {
    let d = tree(&[("p.json", RDS_CONNECT.as_bytes())]);
    let (code, _, err) = run(d.path(), &["-j", "100000", "p.json"]);
    assert_eq!(code, 1);
    assert!(err.contains("warning: -j 100000 is more than the"), "{err}");
}

fn send_raw(s: &mut Session, bytes: &[u8]) {
    use std::io::Write;
    s.stdin.write_all(bytes).unwrap();
    s.stdin.flush().unwrap();
}

/// Whatever the client sends, the server goes on: malformed frames and JSON, a lying
/// `Content-Length`, bad params, unopened documents, a save naming a FIFO.
#[cfg(unix)]
#[test]
fn the_server_survives_any_client() {
    let d = tree(&[]);
    let fifo = d.path().join("pipe.json");
    let fifo_made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut s = Session::start(d.path());
    s.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", d.path().display()), "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    // Not JSON; JSON that is not a message; no Content-Length; a huge Content-Length.
    // Each body that is not a message gets the JSON-RPC error reply, in order: parse error
    // (-32700, id null), invalid request (-32600; id null when the message's own is unusable),
    // and -32600 for a frame refused for its size; a malformed notification gets none.
    send_raw(&mut s, b"Content-Length: 5\r\n\r\n{{{{{");
    send_raw(&mut s, b"Content-Length: 2\r\n\r\n[]");
    send_raw(
        &mut s,
        b"Content-Length: 34\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":[1,2,3]}",
    );
    send_raw(&mut s, b"X-Nothing: 1\r\n\r\n");
    send_raw(&mut s, b"Content-Length: 99999999999999\r\n\r\n");
    send_raw(&mut s, b"Content-Length: nope\r\n\r\n");
    let replies: Vec<(Value, Value)> = (0..3)
        .map(|_| {
            let m = s.read();
            assert!(m.get("method").is_none(), "{m}");
            (m["id"].clone(), m["error"]["code"].clone())
        })
        .collect();
    assert_eq!(
        replies,
        [
            (Value::Null, json!(-32700)),
            (Value::Null, json!(-32600)),
            (Value::Null, json!(-32600)),
        ]
    );
    // Notifications with bad params, requests for documents never opened.
    s.notify("textDocument/didOpen", json!({"textDocument": 42}));
    s.notify("textDocument/didChange", json!(null));
    s.notify("textDocument/didClose", json!({}));
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(d.path(), "never.json")}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["result"], Value::Null, "{hover}");
    let bad = s.request("textDocument/codeAction", json!({"nope": 1}));
    assert!(bad["error"].is_object(), "{bad}");
    // A save of a FIFO without text: not read (that would block the server).
    if fifo_made {
        s.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri(d.path(), "pipe.json")}}),
        );
    }
    // Still serving.
    let doc = uri(d.path(), "p.json");
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "json", "version": 1, "text": RDS_CONNECT}}),
    );
    let diags = s.diagnostics();
    assert_eq!(diags["uri"], doc);
    assert_eq!(
        diags["diagnostics"][0]["code"], "rds-connect-prefix",
        "{diags}"
    );
    // A save without text relints the text the client sent, not the file on disk.
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": doc}}),
    );
    let again = s.diagnostics();
    assert_eq!(again["diagnostics"], diags["diagnostics"]);
    s.request("shutdown", json!(null));
    s.notify("exit", json!(null));
    assert!(s.child.wait().unwrap().success());
}

/// The server's resident memory, from `/proc` (Linux only).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// 10,000 edits with custom rules configured: memory stays flat.
#[test]
fn server_memory_stays_flat_over_ten_thousand_edits() {
    let d = tree(&[]);
    let mut config = String::new();
    for i in 0..5 {
        config.push_str(&format!(
            "[[rules.custom]]\nname = \"team-rule-{i}\"\nmessage = \"{}\"\nselect = \"$.Statement[?@.Effect == 'Allow'].Action[?@ == 's3:*']\"\n",
            "a long message ".repeat(20)
        ));
    }
    fs::write(d.path().join("iamlint.toml"), config).unwrap();
    let mut s = Session::start(d.path());
    if rss_kib(s.child.id()).is_none() {
        return;
    }
    s.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", d.path().display()), "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    let doc = uri(d.path(), "policy.json");
    let text = |n: usize| {
        format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Sid\": \"E{n}\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}]}}"
        )
    };
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "json", "version": 0, "text": text(0)}}),
    );
    let first = s.diagnostics();
    assert!(
        first["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "team-rule-0")
    );
    let mut warm = 0;
    for n in 1..=10_000 {
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc, "version": n}, "contentChanges": [{"text": text(n)}]}),
        );
        s.diagnostics();
        if n == 500 {
            warm = rss_kib(s.child.id()).unwrap();
        }
    }
    let after = rss_kib(s.child.id()).unwrap();
    assert!(
        after <= warm + 8 * 1024,
        "memory grew from {warm} KiB to {after} KiB over 9,500 edits"
    );
    s.request("shutdown", json!(null));
    s.notify("exit", json!(null));
    assert!(s.child.wait().unwrap().success());
}

/// The JSON and SARIF documents are written entry by entry; their bytes are those of printing
/// the whole document at once (findings in several files, a secondary label, a file not read).
#[test]
fn streamed_documents_are_the_documents_printed_whole() {
    let two = RDS_CONNECT.replace("\"rds:connect\"", "[\"rds:connect\", \"rds:Connect\"]");
    let d = tree(&[
        ("a/p.json", RDS_CONNECT.as_bytes()),
        ("b/q.json", two.as_bytes()),
        ("c/bin.json", b"{\"Statement\": \x00}"),
        ("d/empty.json", b"{}"),
    ]);
    for format in ["json", "sarif"] {
        let (code, out, err) = run(d.path(), &["--format", format, "."]);
        assert_eq!(code, 1, "{err}");
        let whole: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(serde_json::to_string_pretty(&whole).unwrap() + "\n", out);
        let (_, empty, _) = run(d.path(), &["--format", format, "d"]);
        let whole: Value = serde_json::from_str(&empty).unwrap();
        assert_eq!(serde_json::to_string_pretty(&whole).unwrap() + "\n", empty);
    }
}

/// `--max-findings-per-file`: the first N of each file are shown, the rest counted, in every
/// format; what was left out still sets the exit code.
#[test]
fn max_findings_per_file_says_what_it_left_out() {
    let three = RDS_CONNECT.replace(
        "\"rds:connect\"",
        "[\"rds:connect\", \"rds:Connect\", \"rds:CONNECT\"]",
    );
    let d = tree(&[
        ("a.json", three.as_bytes()),
        ("b.json", RDS_CONNECT.as_bytes()),
    ]);
    let args = [
        "--select",
        "rds-connect-prefix",
        "--max-findings-per-file",
        "1",
    ];
    let (code, out, _) = run(
        d.path(),
        &[&args[..], &["--format", "compact", "."]].concat(),
    );
    assert_eq!(code, 1);
    let (_, all, _) = run(
        d.path(),
        &["--select", "rds-connect-prefix", "--format", "compact", "."],
    );
    let all: Vec<&str> = all.lines().collect();
    assert_eq!(all.len(), 4);
    // The first of each file, in output order.
    assert_eq!(out.lines().collect::<Vec<_>>(), [all[0], all[3]]);
    let (_, human, _) = run(d.path(), &[&args[..], &["."]].concat());
    assert!(
        human.contains("Found 2 findings")
            && human.contains("2 more findings in 1 file not shown (--max-findings-per-file 1)."),
        "{human}"
    );
    let (_, github, _) = run(
        d.path(),
        &[&args[..], &["--format", "github", "."]].concat(),
    );
    assert!(
        github.contains("2 more findings in 1 file not shown"),
        "{github}"
    );
    for format in ["json", "sarif", "compact"] {
        let (_, _, err) = run(d.path(), &[&args[..], &["--format", format, "."]].concat());
        assert!(
            err.contains("2 more findings in 1 file not shown"),
            "{format}: {err}"
        );
    }
    // Nothing shown, still exit 1: the left-out findings count.
    let (code, out, _) = run(
        d.path(),
        &[
            "--select",
            "rds-connect-prefix",
            "--max-findings-per-file",
            "0",
            "--format",
            "compact",
            ".",
        ],
    );
    assert_eq!((code, out.as_str()), (1, ""));
}

/// Findings held until the walk ends point at settled copies of their files (the lines they are
/// on and the snippet's context, not the whole text): every format prints what it prints from
/// the whole files, on the bundled examples and the rule fixtures.
#[test]
fn settled_files_print_what_whole_files_print() {
    use iamlint::settings::Format;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let outcome = |keep_sources| {
        iamlint::run(&iamlint::settings::Settings {
            paths: vec![root.join("examples"), root.join("tests/fixtures")],
            keep_sources,
            ..iamlint::settings::Settings::default()
        })
        .unwrap()
    };
    let (whole, settled) = (outcome(true), outcome(false));
    assert!(whole.findings.len() > 100, "{}", whole.findings.len());
    let copies = settled
        .findings
        .iter()
        .filter(|f| f.file.text.is_empty() && !f.file.is_empty())
        .count();
    assert!(
        copies > 50,
        "only {copies} findings point at settled copies"
    );
    assert!(whole.findings.iter().all(|f| !f.file.text.is_empty()));
    for &format in <Format as clap::ValueEnum>::value_variants() {
        assert_eq!(
            iamlint::output::render(format, &settled, false),
            iamlint::output::render(format, &whole, false),
            "{format:?}"
        );
    }
}

/// Every format prints the same bytes on one thread and on several, over several rounds of
/// chunks and files (the outputs draw findings in chunks of 512 on the run's threads; the human
/// view starts a file's snippets anew in each chunk).
#[test]
fn threads_do_not_change_the_output() {
    use iamlint::settings::{Format, Settings};
    let settings = Settings::default();
    let mut findings = Vec::new();
    for file in 0..7 {
        let actions: Vec<String> = (0..400)
            .map(|i| format!("\"s3:GetObjekt{file}x{i}\""))
            .collect();
        let text = format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \
             \"Action\": [\n{}\n], \"Resource\": \"*\"}}]}}",
            actions.join(",\n")
        );
        findings.extend(iamlint::lint_text(
            &format!("p{file}.json"),
            &text,
            &settings,
        ));
    }
    assert!(findings.len() > 512 * 5, "{} findings", findings.len());
    let outcome = iamlint::Outcome {
        findings,
        files_linted: 7,
        ..iamlint::Outcome::default()
    };
    for &format in <Format as clap::ValueEnum>::value_variants() {
        let one = iamlint::output::render(format, &outcome, false);
        for threads in [2, 3] {
            let mut out = Vec::new();
            iamlint::output::write(format, &outcome, false, threads, &mut out).unwrap();
            assert!(
                String::from_utf8(out).unwrap() == one,
                "{format:?} on {threads} threads"
            );
        }
    }
}
