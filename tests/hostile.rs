//! Hostile input, through the real binary in a temporary folder wherever the walk matters: huge
//! and deeply nested files, alias bombs, binary and mis-encoded files, symbolic link cycles and
//! links out of the tree, unreadable and oversized files. Each must end in a finding or a note on
//! stderr, never a crash, a hang or a file read twice.

mod common;

use common::tree_bytes as tree;
use std::fs;
use std::path::Path;
use std::time::Instant;

use assert_cmd::Command;

/// One finding (`pass-role-with-wildcard-resource` at the `"*"`), in each format.
const PASS_ROLE_JSON: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}"#;

const PASS_ROLE_TF: &str = r#"resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*"
    }]
  })
}
"#;

/// Runs `iamlint --format compact ARGS` in `dir`: exit code, stdout, stderr.
fn compact(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let r = common::compact(dir, args);
    (r.code, r.stdout, r.stderr)
}

/// A CloudFormation role with one `iam:PassRole` on `*`: one finding, at line `6 + 20 * i`.
fn template_role(i: usize) -> String {
    format!(
        r#"  Role{i:05}:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "app-${{AWS::StackName}}-{i}"
      Description: role number {i} of a template that is far larger than any real one
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: pass
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
"#
    )
}

#[test]
fn a_five_megabyte_template_is_linted_not_skipped() {
    let mut text = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    let mut roles = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&template_role(roles));
        roles += 1;
    }
    let d = tree(&[("big.yaml", text.as_bytes())]);
    let started = Instant::now();
    let (code, out, err) = compact(d.path(), &[]);
    let took = started.elapsed();
    println!(
        "{} bytes, {roles} roles: linted in {took:?} (debug build)",
        text.len()
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.is_empty(), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), roles);
    assert_eq!(
        lines[0],
        "big.yaml:21:27: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]"
    );
    let last = 2 + 19 * (roles - 1) + 19;
    assert_eq!(
        lines[roles - 1],
        format!(
            "big.yaml:{last}:27: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]"
        )
    );
    assert!(took.as_secs() < 20, "took {took:?}");
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    const N: usize = 100_000;
    let open = |s: &str| s.repeat(N);
    let arrays = format!("{{\"Statement\": {}{}}}", open("["), open("]"));
    let objects = format!("{{\"Statement\": {}1{}}}", open("{\"a\": "), open("}"));
    let flow = format!("Statement: {}{}\n", open("["), open("]"));
    let hcl = format!(
        "resource \"aws_iam_policy\" \"p\" {{\n  policy = {}{}\n}}\n",
        open("["),
        open("]")
    );
    // Unclosed parentheses: a backtracking parser could take hours on them; the block and 63
    // parentheses are the 64 levels the HCL parser reads.
    let parens = format!("locals {{\n  policy = {}\n}}\n", open("(b + c + "));
    let blocks = format!("# policy\n{}{}", open("a {\n"), open("}\n"));
    let tfjson = format!(
        "{{\"resource\": {{\"aws_iam_policy\": {{\"p\": {{\"policy\": {}{}}}}}}}}}",
        open("["),
        open("]")
    );
    let heredoc = format!(
        "resource \"aws_iam_policy\" \"p\" {{\n  policy = <<EOF\n{{\"Statement\": {}{}}}\nEOF\n}}\n",
        open("["),
        open("]")
    );
    let d = tree(&[
        ("arrays.json", arrays.as_bytes()),
        ("objects.json", objects.as_bytes()),
        ("flow.yaml", flow.as_bytes()),
        ("brackets.tf", hcl.as_bytes()),
        ("blocks.tf", blocks.as_bytes()),
        ("parens.tf", parens.as_bytes()),
        ("heredoc.tf", heredoc.as_bytes()),
        ("deep.tf.json", tfjson.as_bytes()),
    ]);
    // Each front end's own limit: jsonc-parser's, the YAML builder's 256 levels, the HCL
    // parser's 64 (blocks, brackets, parentheses alike). On the walker's threads (`-j 2`), not
    // the main one.
    let (code, out, err) = compact(d.path(), &["-j", "2"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        "arrays.json:1:525: error: maximum nesting depth exceeded [invalid-json]\n\
         blocks.tf:66:3: error: nesting deeper than 64 levels; the file is not read further [invalid-hcl]\n\
         brackets.tf:2:75: error: nesting deeper than 64 levels; the file is not read further [invalid-hcl]\n\
         deep.tf.json:1:554: error: maximum nesting depth exceeded [invalid-json]\n\
         flow.yaml:1:267: error: nesting deeper than 256 levels; the file is not read further [invalid-yaml]\n\
         heredoc.tf:3:525: error: maximum nesting depth exceeded [invalid-json]\n\
         objects.json:1:1546: error: maximum nesting depth exceeded [invalid-json]\n\
         parens.tf:2:579: error: nesting deeper than 64 levels; the file is not read further [invalid-hcl]\n",
        "{err}"
    );
}

/// Nesting just under each front end's limit is read, and every recursive walk over the tree
/// (policy model, rules, intrinsics, custom-rule views) survives it on the walker's threads. Each
/// file holds one `iam:PassRole` on `*` next to a statement with the deep value.
#[test]
fn nesting_just_under_the_limits_is_read() {
    let deep = |n: usize, leaf: &str| format!("{}{leaf}{}", "[".repeat(n), "]".repeat(n));
    let yaml_seq = format!(
        "Statement:\n  - Effect: Allow\n    Action: iam:PassRole\n    Resource: \"*\"\n  - Effect: Allow\n    Action: s3:GetObject\n    Resource: arn:aws:s3:::b/*\n    Condition: {{StringEquals: {{aws:SourceVpc: {}}}}}\n",
        deep(250, "vpc-1")
    );
    let yaml_join = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: iam:PassRole\n            Resource: {}\"*\"{}\n",
        "!Join ['', [".repeat(60),
        "]]".repeat(60)
    );
    let json = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}}, {{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\", \"Condition\": {{\"StringEquals\": {{\"aws:SourceVpc\": {}}}}}}}]}}",
        deep(500, "\"vpc-1\"")
    );
    let hcl = format!(
        "resource \"aws_iam_policy\" \"p\" {{\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n      {{ Effect = \"Allow\", Action = \"iam:PassRole\", Resource = \"*\" }},\n      {{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::b/*\", Condition = {{ StringEquals = {{ \"aws:SourceVpc\" = {} }} }} }}\n    ]\n  }})\n}}\n",
        deep(50, "\"vpc-1\"")
    );
    let d = tree(&[
        ("seq.yaml", yaml_seq.as_bytes()),
        ("join.yaml", yaml_join.as_bytes()),
        ("p.json", json.as_bytes()),
        ("main.tf", hcl.as_bytes()),
    ]);
    let (code, out, err) = compact(
        d.path(),
        &["-j", "2", "--select", "pass-role-with-wildcard-resource"],
    );
    assert_eq!(code, 1, "{err}");
    let files: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        files,
        ["join.yaml", "main.tf", "p.json", "seq.yaml"],
        "{out}"
    );
    assert!(err.is_empty(), "{err}");
}

#[test]
fn yaml_alias_bombs_stop_at_the_node_budget() {
    let mut bomb = String::from(
        "Statement:\na: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let (prev, name) = (w[0], w[1]);
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let d = tree(&[("bomb.yaml", bomb.as_bytes())]);
    let started = Instant::now();
    let (code, out, err) = compact(d.path(), &[]);
    assert!(started.elapsed().as_secs() < 20);
    assert_eq!(code, 1, "{err}");
    // The budget (100,000 nodes) runs out at the first alias in line 7 (`*e`: 66,430 nodes).
    assert_eq!(
        out,
        "bomb.yaml:7:8: error: aliases expand to more than 100000 nodes; the file is not read further (a \"billion laughs\" document?) [invalid-yaml]\n"
    );
}

#[test]
fn binary_files_named_json_are_skipped_with_a_note() {
    let d = tree(&[
        (
            "img.json",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR Statement \x00\x01",
        ),
        ("p.json", PASS_ROLE_JSON.as_bytes()),
    ]);
    let (code, out, err) = compact(d.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "p.json:1:99: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n"
    );
    assert_eq!(err, "iamlint: img.json: skipped: binary file\n");
    // Named on the command line, without any needle: still a note.
    fs::write(d.path().join("raw.json"), b"\x00\x00\x00").unwrap();
    // A file named on the command line that is not read: exit 2 (tests/reliability.rs).
    let (code, out, err) = compact(d.path(), &["raw.json"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with("iamlint: raw.json: skipped: binary file\n"),
        "{err}"
    );
}

#[test]
fn utf16_with_a_byte_order_mark_is_decoded_and_linted() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}]\n}\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let yaml = "Statement:\n  - Effect: Allow\n    Action: iam:PassRole\n    Resource: '*'\n";
    let mut yaml_le = vec![0xFF, 0xFE];
    yaml_le.extend(yaml.encode_utf16().flat_map(u16::to_le_bytes));
    // Found by the walk, so the byte prefilter must look for its needles in the decoded text.
    let d = tree(&[
        ("le.json", &le),
        ("be.json", &be),
        ("sub/policy.yaml", &yaml_le),
    ]);
    let (code, out, err) = compact(d.path(), &["--select", "security"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        "be.json:3:75: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n\
         le.json:3:75: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n\
         sub/policy.yaml:4:15: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n"
    );
}

#[test]
fn utf8_bom_and_crlf_keep_spans_exact() {
    let bom = "\u{feff}";
    let one_line = format!("{bom}{PASS_ROLE_JSON}\r\n");
    let crlf_json = format!(
        "{bom}{{\r\n  \"Version\": \"2012-10-17\",\r\n  \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}}]\r\n}}\r\n"
    );
    let crlf_yaml = format!(
        "{bom}AWSTemplateFormatVersion: \"2010-09-09\"\r\nResources:\r\n  P:\r\n    Type: AWS::IAM::ManagedPolicy\r\n    Properties:\r\n      PolicyDocument:\r\n        Version: \"2012-10-17\"\r\n        Statement:\r\n          - Effect: Allow\r\n            Action: iam:PassRole\r\n            Resource: \"*\"\r\n"
    );
    let crlf_tf = format!("{bom}{}", PASS_ROLE_TF.replace('\n', "\r\n"));
    let d = tree(&[
        ("a.json", one_line.as_bytes()),
        ("b.json", crlf_json.as_bytes()),
        ("c.yaml", crlf_yaml.as_bytes()),
        ("d.tf", crlf_tf.as_bytes()),
    ]);
    let (code, out, err) = compact(d.path(), &["--select", "security"]);
    assert_eq!(code, 1, "{err}");
    // Columns count characters after the mark, as an editor shows them.
    assert_eq!(
        out,
        "a.json:1:99: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n\
         b.json:3:75: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n\
         c.yaml:11:23: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n\
         d.tf:7:18: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n"
    );
    // The JSON output's byte offsets are file offsets: the mark's three bytes included.
    let out = Command::cargo_bin("iamlint")
        .unwrap()
        .current_dir(d.path())
        .args(["--format", "json", "--select", "security", "a.json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let at = one_line.find("\"*\"").unwrap();
    assert_eq!(v[0]["location"]["byte_start"], at);
    assert_eq!(v[0]["location"]["column"], 99);
}

#[test]
fn latin1_bytes_are_reported_and_the_rest_is_linted() {
    let mut bytes = b"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"Caf\xe9\", \"Effect\": \"Allow\",\n    \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}]\n}\n".to_vec();
    let d = tree(&[("latin1.json", &bytes)]);
    let (code, out, err) = compact(d.path(), &["--select", "security,invalid-encoding"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        "latin1.json:3:29: warning: the file is not valid UTF-8 [invalid-encoding]\n\
         latin1.json:4:43: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n"
    );
    // The same in YAML.
    bytes = b"Statement:\n  - Sid: Caf\xe9\n    Effect: Allow\n    Action: iam:PassRole\n    Resource: '*'\n".to_vec();
    let d = tree(&[("latin1.yaml", &bytes)]);
    let (_, out, _) = compact(d.path(), &["--select", "security,invalid-encoding"]);
    assert_eq!(
        out,
        "latin1.yaml:2:13: warning: the file is not valid UTF-8 [invalid-encoding]\n\
         latin1.yaml:5:15: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n"
    );
}

#[test]
fn empty_null_and_top_level_arrays_are_clean() {
    let d = tree(&[
        ("empty.json", b""),
        ("blank.json", b"  \n\n"),
        ("null.json", b"null"),
        ("array.json", b"[{\"Statement\": []}, 1, \"x\"]"),
        ("empty.yaml", b""),
        ("null.yaml", b"null\n"),
        ("array.yaml", b"- Statement: []\n- AWS::x\n"),
        ("empty.tf", b""),
        ("empty.tf.json", b""),
        ("null.tf.json", b"null"),
        ("array.tf.json", b"[\"policy\"]"),
    ]);
    let names = [
        "empty.json",
        "blank.json",
        "null.json",
        "array.json",
        "empty.yaml",
        "null.yaml",
        "array.yaml",
        "empty.tf",
        "empty.tf.json",
        "null.tf.json",
        "array.tf.json",
    ];
    // Named explicitly, so that the byte prefilter does not skip them.
    let (code, out, err) = compact(d.path(), &names);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let out = Command::cargo_bin("iamlint")
        .unwrap()
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .args(names)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "No findings in 11 files.\n"
    );
}

#[cfg(unix)]
#[test]
fn symlink_cycles_report_each_real_file_once_under_its_real_path() {
    use std::os::unix::fs::symlink;
    let d = tree(&[("a/p.json", PASS_ROLE_JSON.as_bytes())]);
    let root = d.path();
    symlink("..", root.join("a/loop")).unwrap();
    symlink("a", root.join("b")).unwrap();
    symlink("a/p.json", root.join("link.json")).unwrap();
    symlink("p.json", root.join("a/again.json")).unwrap();
    let expected = "a/p.json:1:99: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n";
    // Not followed: links are not files.
    let (code, out, err) = compact(root, &[]);
    assert_eq!((code, out.as_str(), err.as_str()), (1, expected, ""));
    // Followed: every way to p.json is walked, it is linted once, named by its real path.
    for j in ["1", "8"] {
        let (code, out, err) = compact(root, &["--follow", "-j", j]);
        assert_eq!((code, out.as_str()), (1, expected), "{err}");
        // (`-j 8` on a smaller machine is capped, with a warning.)
        assert!(
            err.lines()
                .all(|l| l.contains("skipped: symbolic link loop back to")
                    || l.contains("more than the") && l.contains("cores here")),
            "{err}"
        );
    }
    // Named twice, or through a link: still once.
    let (_, out, _) = compact(root, &["a", "a/p.json", "link.json", "b"]);
    assert_eq!(out, expected);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_tree_are_not_followed_unless_asked() {
    use std::os::unix::fs::symlink;
    let d = tree(&[
        ("repo/p.json", PASS_ROLE_JSON.as_bytes()),
        ("outside/secret.json", PASS_ROLE_JSON.as_bytes()),
        ("outside/deep/policy.json", PASS_ROLE_JSON.as_bytes()),
    ]);
    let root = d.path();
    symlink("../outside", root.join("repo/dir")).unwrap();
    symlink("../outside/secret.json", root.join("repo/file.json")).unwrap();
    let listing = || {
        let mut v: Vec<_> = walk_all(root);
        v.sort();
        v
    };
    let before = listing();
    let (code, out, err) = compact(root, &["repo"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "repo/p.json:1:99: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n",
            ""
        )
    );
    // Asked: read, and named by where the files really are.
    let (code, out, err) = compact(root, &["repo", "--follow"]);
    assert_eq!(code, 1, "{err}");
    let files: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        files,
        [
            "outside/deep/policy.json",
            "outside/secret.json",
            "repo/p.json"
        ]
    );
    // Nothing was written anywhere in the tree.
    assert_eq!(before, listing());
}

/// Every path under `dir` with its length and modification time.
fn walk_all(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let md = fs::symlink_metadata(e.path()).unwrap();
        out.push((
            e.path().display().to_string(),
            md.len(),
            md.modified().unwrap(),
        ));
        if md.is_dir() {
            out.extend(walk_all(&e.path()));
        }
    }
    out
}

#[cfg(target_os = "linux")]
#[test]
fn unreadable_files_are_notes_and_the_exit_code_reflects_findings() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
    let d = tree(&[
        ("p.json", PASS_ROLE_JSON.as_bytes()),
        ("locked.json", PASS_ROLE_JSON.as_bytes()),
    ]);
    let root = d.path();
    // A file whose read fails whoever reads it: the process's own memory at address 0.
    symlink("/proc/self/mem", root.join("mem.json")).unwrap();
    let (code, out, err) = compact(root, &["--follow", "--select", "security"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    // Followed, the link is named by its real path: `/proc/<pid>/mem`.
    assert!(
        err.starts_with("iamlint: /proc/")
            && err.ends_with("/mem: skipped: Input/output error (os error 5)\n"),
        "{err}"
    );
    // Permission denied, where it can be had: root reads a mode 000 file anyway.
    fs::set_permissions(root.join("locked.json"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::remove_file(root.join("mem.json")).unwrap();
    let as_root = fs::metadata(root.join("p.json")).unwrap().uid() == 0;
    if as_root {
        println!("running as root: mode 000 does not stop reads; checked the read error only");
        return;
    }
    let (code, out, err) = compact(root, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("p.json:1:96:"), "{out}");
    assert_eq!(
        err,
        "iamlint: locked.json: skipped: Permission denied (os error 13)\n"
    );
    fs::remove_file(root.join("p.json")).unwrap();
    let (code, out, _) = compact(root, &[]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[cfg(unix)]
#[test]
fn fifos_and_folders_named_like_policies_are_not_read() {
    let d = tree(&[("dir.json/p.json", PASS_ROLE_JSON.as_bytes())]);
    let root = d.path();
    let made = std::process::Command::new("mkfifo")
        .arg(root.join("pipe.json"))
        .status()
        .is_ok_and(|s| s.success());
    let (code, out, err) = compact(root, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        "dir.json/p.json:1:99: warning: `iam:PassRole` allowed on every role [pass-role-with-wildcard-resource]\n"
    );
    assert_eq!(err, "");
    if !made {
        println!("no mkfifo here: the FIFO case was not checked");
        return;
    }
    // Named on the command line: a note, not a read that blocks forever.
    let (code, out, err) = compact(root, &["pipe.json"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with("iamlint: pipe.json: skipped: not a regular file\n"),
        "{err}"
    );
}

#[test]
fn files_over_the_size_limit_are_skipped_with_a_note() {
    let padded = format!("{PASS_ROLE_JSON}{}", " ".repeat(200));
    let d = tree(&[("p.json", padded.as_bytes())]);
    let (code, out, err) = compact(d.path(), &["--max-file-size", "100"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(
        err,
        format!(
            "iamlint: p.json: skipped: {} bytes is over the 100 byte limit (--max-file-size)\n",
            padded.len()
        )
    );
    let (code, _, err) = compact(d.path(), &["--max-file-size", "1000"]);
    assert_eq!((code, err.as_str()), (1, ""));
    // The default limit is 10 MiB.
    let big = format!("{PASS_ROLE_JSON}{}", " ".repeat(10 * 1024 * 1024));
    fs::write(d.path().join("p.json"), &big).unwrap();
    let (code, _, err) = compact(d.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        err,
        format!(
            "iamlint: p.json: skipped: {} bytes is over the 10485760 byte limit (--max-file-size)\n",
            big.len()
        )
    );
}

/// JSON, YAML and Terraform in several folders: every format's output is the same bytes whatever
/// the thread count and however often it runs.
#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let mut owned: Vec<(String, String)> = Vec::new();
    for i in 0..60 {
        let dir = format!("svc{}", i % 7);
        match i % 3 {
            0 => owned.push((format!("{dir}/p{i}.json"), PASS_ROLE_JSON.to_string())),
            1 => owned.push((
                format!("{dir}/t{i}.yaml"),
                format!(
                    "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n{}",
                    template_role(i)
                ),
            )),
            _ => owned.push((
                format!("{dir}/m{i}.tf"),
                PASS_ROLE_TF.replace("\"p\"", &format!("\"p{i}\"")),
            )),
        }
    }
    owned.push(("bad.json".into(), "{\"Statement\": [}".into()));
    owned.push(("bad.yaml".into(), "Statement: [\n".into()));
    owned.push(("bad.tf".into(), "resource \"aws_iam_policy\" {\n".into()));
    let files: Vec<(&str, &[u8])> = owned
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_bytes()))
        .collect();
    let d = tree(&files);
    for format in ["compact", "json", "human"] {
        let run = |j: &str| {
            let out = Command::cargo_bin("iamlint")
                .unwrap()
                .current_dir(d.path())
                .env("NO_COLOR", "1")
                .args(["--format", format, "--color", "never", "-j", j])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1));
            out.stdout
        };
        let one = run("1");
        assert!(one.len() > 1000, "{format}");
        for j in ["8", "8", "2", "1"] {
            assert!(run(j) == one, "{format} -j {j} differs from -j 1");
        }
    }
}
