//! The Terraform front end end to end: the real binary over `tests/fixtures/terraform/…`, compact
//! output snapshotted (exact `.tf` lines and columns), plus span dumps of what the extractor builds
//! and the cases that must stay silent.

mod common;

use std::fmt::Write;
use std::fs;
use std::path::Path;

use iamlint::extract::{self, Extracted, FileKind};
use iamlint::settings::Settings;
use iamlint::source::{SourceFile, Span};
use iamlint::syntax::tree::{Node, Value};
use tempfile::TempDir;

const FIXTURES: &str = "tests/fixtures/terraform";

/// `iamlint --format compact PATH…` run in the fixtures folder: (stdout, exit code).
fn compact(dir: &Path, paths: &[&str]) -> (String, i32) {
    // Every rule, the opt-in ones included: this suite is about what is read, not defaults.
    let args: Vec<&str> = ["--select", "all"].iter().chain(paths).copied().collect();
    let r = common::compact(dir, &args);
    assert!(r.stderr.is_empty(), "stderr: {}", r.stderr);
    (r.stdout, r.code)
}

fn fixture(name: &str) -> String {
    let (out, code) = compact(Path::new(FIXTURES), &[name]);
    assert_eq!(code, 1, "{name} must have findings:\n{out}");
    out
}

fn rules_in(out: &str) -> Vec<&str> {
    let mut r: Vec<&str> = out
        .lines()
        .filter_map(|l| l.rsplit_once(" [")?.1.strip_suffix(']'))
        .collect();
    r.sort_unstable();
    r.dedup();
    r
}

const MUST_HAVE: &[&str] = &[
    "cross-account-trust-without-external-id",
    "kms-decrypt-without-via-service",
    "rds-connect-prefix",
    "rds-db-wildcard-user",
    "secret-read-unscoped",
];

#[test]
fn jsonencode_objects() {
    let out = fixture("jsonencode");
    for r in MUST_HAVE {
        assert!(rules_in(&out).contains(r), "{r} missing:\n{out}");
    }
    insta::assert_snapshot!("jsonencode", out);
}

#[test]
fn heredoc_json() {
    let out = fixture("heredoc");
    for r in MUST_HAVE {
        assert!(rules_in(&out).contains(r), "{r} missing:\n{out}");
    }
    // Inside `<<-EOT` the JSON is indented; columns are those of the file, not of the dedented text.
    assert!(
        out.contains("heredoc/main.tf:30:22: info: `kms:Decrypt`"),
        "{out}"
    );
    insta::assert_snapshot!("heredoc", out);
}

#[test]
fn aws_iam_policy_document_data_sources() {
    let out = fixture("policy_document");
    for r in MUST_HAVE {
        assert!(rules_in(&out).contains(r), "{r} missing:\n{out}");
    }
    // `Version` is Terraform's to write: no missing-version on data sources.
    assert!(!out.contains("missing-version"), "{out}");
    insta::assert_snapshot!("policy_document", out);
}

#[test]
fn quoted_json_strings_and_broken_heredoc_json() {
    let out = fixture("quoted");
    assert_eq!(
        rules_in(&out),
        [
            "invalid-json",
            "kms-decrypt-without-via-service",
            "missing-version",
            "public-principal",
            "rds-connect-prefix",
            "resource-outside-policy-resource"
        ]
    );
    insta::assert_snapshot!("quoted", out);
}

#[test]
fn locals_and_module_arguments() {
    let out = fixture("locals");
    insta::assert_snapshot!("locals", out);
}

#[test]
fn terraform_json_syntax() {
    let out = fixture("tfjson");
    insta::assert_snapshot!("tfjson", out);
}

#[test]
fn computed_values_stay_silent() {
    let (out, code) = compact(Path::new(FIXTURES), &["silent"]);
    assert_eq!((out.as_str(), code), ("", 0));
}

#[test]
fn invalid_hcl_is_reported_where_parsing_stopped_and_the_run_goes_on() {
    let out = fixture("invalid");
    // main.tf line 6 col 7 is `Resource`, where `]` was expected; ok.tf is still linted.
    insta::assert_snapshot!("invalid", out);
    assert!(out.starts_with("invalid/main.tf:6:7: error: the file is not valid HCL"));
    assert!(out.contains("invalid/ok.tf:2:"));
}

#[test]
fn suppression_comments_in_hcl() {
    let out = fixture("suppress");
    // `#` on the line above and `//` on the same line suppress; the one naming a rule that did not
    // fire there is reported.
    assert_eq!(rules_in(&out), ["unused-suppression"]);
    insta::assert_snapshot!("suppress", out);
}

#[test]
fn dot_terraform_folders_are_not_walked() {
    let dir = TempDir::new().unwrap();
    let bad = r#"resource "aws_iam_policy" "p" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "rds:connect", Resource = "*" }] })
}
"#;
    for p in [
        "main.tf",
        ".terraform/modules/vpc/main.tf",
        ".terraform/providers/registry.terraform.io/x/policy.tf",
    ] {
        let path = dir.path().join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bad).unwrap();
    }
    let (out, code) = compact(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "main.tf:2:91: error: `rds:connect` is not an IAM action [rds-connect-prefix]\n"
    );
    // Named explicitly, a file inside is linted.
    let (out, _) = compact(dir.path(), &[".terraform/modules/vpc/main.tf"]);
    assert!(out.contains("rds-connect-prefix"), "{out}");
}

fn lint(name: &str, text: &str) -> Vec<String> {
    let settings = Settings::all_rules();
    iamlint::lint_text(name, text, &settings)
        .iter()
        .map(|f| {
            let p = f.file.position(f.primary.span.start as usize);
            format!(
                "{}:{} {} {:?}",
                p.line,
                p.column,
                f.rule.as_str(),
                f.file.slice(f.primary.span)
            )
        })
        .collect()
}

#[test]
fn crlf_and_byte_order_mark_keep_positions() {
    let text = "\u{feff}resource \"aws_iam_policy\" \"p\" {\r\n  policy = <<-EOT\r\n    {\"Version\": \"2012-10-17\",\r\n     \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"rds:connect\", \"Resource\": \"*\"}]}\r\n  EOT\r\n}\r\n";
    assert_eq!(
        lint("main.tf", text),
        ["4:50 rds-connect-prefix \"\\\"rds:connect\\\"\""]
    );
}

#[test]
fn escapes_in_quoted_json_point_at_the_escaped_token() {
    let text = r#"resource "aws_iam_policy" "p" {
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"rds\u003aconnect\", \"Resource\": \"*\"}]}"
}
"#;
    assert_eq!(
        lint("main.tf", text),
        [r#"2:95 rds-connect-prefix "\\\"rds\\u003aconnect\\\"""#]
    );
}

#[test]
fn invalid_hcl_in_an_unclosed_heredoc() {
    let text = "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = <<EOF\n{}\n}\n";
    // Reported where the heredoc starts: its end is nowhere.
    assert_eq!(lint("main.tf", text), ["2:24 invalid-hcl \"<\""]);
}

#[test]
fn effect_defaults_to_allow_at_the_statement_keyword() {
    let text = r#"resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.p.json
}
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
}
"#;
    assert_eq!(
        lint("main.tf", text),
        ["7:18 secret-read-unscoped \"\\\"*\\\"\""]
    );
}

#[test]
fn a_data_source_takes_the_kind_of_its_first_use() {
    // Used as a bucket policy: a resource policy, where `"Resource": "*"` is not "every secret".
    let text = r#"data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/app"]
    }
  }
}
resource "aws_secretsmanager_secret_policy" "s" {
  policy = data.aws_iam_policy_document.p.json
}
"#;
    assert_eq!(lint("main.tf", text), Vec::<String>::new());
    // Unused and without principals, the same statements are an identity policy.
    let unused = text
        .replace("    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::111122223333:role/app\"]\n    }\n", "")
        .replace("data.aws_iam_policy_document.p.json", "var.p");
    assert_eq!(
        lint("main.tf", &unused),
        ["4:18 secret-read-unscoped \"\\\"*\\\"\""]
    );
}

/// The documents the extractor builds, each span shown as the source it covers.
fn dump(path: &str) -> String {
    let text = fs::read_to_string(Path::new(FIXTURES).join(path)).unwrap();
    let kind = extract::classify(Path::new(path)).unwrap();
    let file = SourceFile::new(path.into(), text);
    let mut ex = Extracted::default();
    extract::extract(&file, kind, &mut ex);
    let mut s = String::new();
    for d in &ex.documents {
        let _ = writeln!(
            s,
            "{} policy {} own={:?}",
            d.kind.as_str(),
            d.owner.as_deref().unwrap_or("-"),
            d.own_account_vars
        );
        node(&mut s, &file, &d.root, "", 1);
    }
    for f in &ex.findings {
        let p = file.position(f.primary.span.start as usize);
        let _ = writeln!(s, "finding {} @ {}:{}", f.rule.as_str(), p.line, p.column);
    }
    s
}

fn at(file: &SourceFile, span: Span) -> String {
    let p = file.position(span.start as usize);
    let slice = file.slice(span);
    let shown = if slice.len() > 40 || slice.contains('\n') {
        format!(
            "{}…",
            slice
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(30)
                .collect::<String>()
        )
    } else {
        slice.to_string()
    };
    format!("@ {}:{} {shown:?}", p.line, p.column)
}

fn node(s: &mut String, file: &SourceFile, n: &Node, name: &str, depth: usize) {
    let pad = "  ".repeat(depth);
    let what = match &n.value {
        Value::Str(t) => format!("= {:?}", t.display()),
        Value::Array(_) => "[…]".to_string(),
        Value::Object(_) => "{…}".to_string(),
        Value::Bool(b) => format!("= {b}"),
        Value::Number(x) => format!("= {x}"),
        Value::Null => "= null".to_string(),
    };
    let _ = writeln!(s, "{pad}{name} {what} {}", at(file, n.span));
    match &n.value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                node(s, file, item, &format!("[{i}]"), depth + 1);
            }
        }
        Value::Object(entries) => {
            for e in entries {
                let key = format!("{} {}", e.key.name, at(file, e.key.span));
                node(s, file, &e.value, &key, depth + 1);
            }
        }
        _ => {}
    }
}

#[test]
fn extracted_spans_heredoc() {
    insta::assert_snapshot!("dump_heredoc", dump("heredoc/main.tf"));
}

#[test]
fn extracted_spans_policy_document() {
    insta::assert_snapshot!("dump_policy_document", dump("policy_document/main.tf"));
}

#[test]
fn extracted_spans_silent_cases_keep_unknown_parts() {
    insta::assert_snapshot!("dump_silent", dump("silent/main.tf"));
}

#[test]
fn extracted_spans_terraform_json() {
    insta::assert_snapshot!("dump_tfjson", dump("tfjson/main.tf.json"));
}

#[test]
fn classify_and_prefilter() {
    assert_eq!(
        extract::classify(Path::new("a/main.tf")),
        Some(FileKind::Terraform)
    );
    assert_eq!(
        extract::classify(Path::new("cdktf.out/stacks/app/cdk.tf.json")),
        Some(FileKind::TerraformJson)
    );
    assert_eq!(
        extract::classify(Path::new("main.tofu")),
        Some(FileKind::Terraform)
    );
    assert!(!extract::worth_parsing(
        FileKind::Terraform,
        b"resource \"aws_vpc\" \"main\" { cidr_block = \"10.0.0.0/16\" }"
    ));
    assert!(extract::worth_parsing(
        FileKind::Terraform,
        b"resource \"aws_iam_role\" \"r\" { assume_role_policy = x }"
    ));
}

#[test]
fn key_policy_delegating_to_the_own_account_root_is_silent() {
    let text = r#"resource "aws_kms_key" "k" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }, {
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.app.arn }
      Action    = "kms:Decrypt"
      Resource  = "*"
    }]
  })
}
"#;
    assert_eq!(
        lint("main.tf", text),
        ["12:19 kms-decrypt-without-via-service \"\\\"kms:Decrypt\\\"\""]
    );
}

#[test]
fn star_principals_and_module_arguments() {
    let text = r#"data "aws_iam_policy_document" "any" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.any.json
}
module "m" {
  source           = "./m"
  tags_policy_json = jsonencode({ a = 1 })
  trust_policy_json = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"sts:AssumeRole\"}]}"
}
"#;
    // `type = "*"` renders `"Principal": "*"`; a module argument that is not a policy is skipped.
    // A trust policy open to `*` with no condition is world-assumable: `public-principal`.
    assert_eq!(
        lint("main.tf", text),
        [
            "6:22 public-principal \"\\\"*\\\"\"",
            "16:119 public-principal \"\\\\\\\"*\\\\\\\"\"",
        ]
    );
}

#[test]
fn a_data_source_used_in_another_file_of_the_module_takes_that_kind() {
    // key.tf uses documents.tf's data source as a KMS key policy: the account-root statement
    // delegates to IAM, so nothing is reported, whichever file is linted.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform/module-split");
    assert_eq!(compact(&dir, &["."]), (String::new(), 0));
    assert_eq!(compact(&dir, &["documents.tf"]), (String::new(), 0));
    // Alone, the same document still reads as a key policy: a statement granting `kms:*` to
    // principals is one (`infer_kind`).
    let alone = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("documents.tf"), alone.path().join("documents.tf")).unwrap();
    assert_eq!(compact(alone.path(), &["."]), (String::new(), 0));
}

#[test]
fn every_policy_argument_of_the_provider() {
    let out = fixture("locations");
    // The tag policy is not IAM's grammar; the VPC endpoint's `"*"` is not public.
    assert!(
        !out.contains("TAG_POLICY") && !out.contains(":45:"),
        "{out}"
    );
    assert!(out.contains("main.tf:63:19: error: the policy allows any principal"));
    assert!(out.contains("`rds:connect` is not an IAM action"), "{out}");
    insta::assert_snapshot!("locations", out);
}

/// Every entry of `RESOURCE_POLICIES` is read: a policy with an unknown action in the entry's
/// argument (or nested block argument) is reported.
#[test]
fn every_table_entry_is_read() {
    use iamlint::extract::terraform::RESOURCE_POLICIES;
    let policy = r#"jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "s3:GetObjekt", Resource = "*" }]
    })"#;
    for &(ty, arg, _) in RESOURCE_POLICIES {
        let body = match arg.split_once('.') {
            Some((block, arg)) => format!("  {block} {{\n    {arg} = {policy}\n  }}\n"),
            None => format!("  {arg} = {policy}\n"),
        };
        let text = format!("resource \"{ty}\" \"r\" {{\n{body}}}\n");
        let found = lint("probe.tf", &text);
        assert!(
            found.iter().any(|f| f.contains("unknown-action")),
            "{ty}.{arg}: the policy was not read\n{text}"
        );
    }
}

/// Two `condition` blocks of one operator merge into it, as Terraform merges them; when one of
/// their keys is computed, the operator as a whole is not known. Never a duplicate operator.
#[test]
fn condition_blocks_of_one_operator_merge_also_with_a_computed_key() {
    let tf = r#"data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["ec2:RunInstances"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes.io/cluster/${var.cluster_name}"
      values   = ["owned"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.cluster_name]
    }
  }
}
"#;
    let dir = common::tree(&[("main.tf", tf)]);
    let (out, code) = compact(dir.path(), &["."]);
    // No duplicate `StringEquals`; and the unknown key keeps the condition-reading rules silent.
    assert_eq!((out.as_str(), code), ("", 0));
}

/// A plan (`terraform show -json`) reads a policy a role sets as its permissions boundary as a
/// boundary: by the ARN the plan resolved (matched with the policy's `name`), or by the
/// configuration's reference when the ARN is known only after apply. The same document as an
/// ordinary policy still grants, and is reported.
#[test]
fn plan_boundaries_grant_nothing() {
    let all = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"#;
    let plan = format!(
        r#"{{
  "format_version": "1.2",
  "planned_values": {{ "root_module": {{ "resources": [
    {{ "address": "aws_iam_role.by_arn", "mode": "managed", "type": "aws_iam_role",
       "values": {{ "name": "a", "permissions_boundary": "arn:aws:iam::123456789012:policy/edge" }} }},
    {{ "address": "aws_iam_role.by_reference", "mode": "managed", "type": "aws_iam_role",
       "values": {{ "name": "b", "permissions_boundary": null }} }},
    {{ "address": "aws_iam_policy.edge", "mode": "managed", "type": "aws_iam_policy",
       "values": {{ "name": "edge", "policy": "{all}" }} }},
    {{ "address": "aws_iam_policy.later[0]", "mode": "managed", "type": "aws_iam_policy",
       "values": {{ "name_prefix": "later", "policy": "{all}" }} }},
    {{ "address": "aws_iam_policy.grant", "mode": "managed", "type": "aws_iam_policy",
       "values": {{ "name": "grant", "policy": "{all}" }} }}
  ] }} }},
  "configuration": {{ "root_module": {{ "resources": [
    {{ "address": "aws_iam_role.by_reference", "type": "aws_iam_role",
       "expressions": {{ "permissions_boundary": {{ "references": ["aws_iam_policy.later[0].arn", "aws_iam_policy.later"] }} }} }}
  ] }} }}
}}"#
    );
    let dir = common::tree(&[("plan.json", &plan)]);
    let (out, _) = compact(dir.path(), &["plan.json"]);
    let admin: Vec<&str> = out
        .lines()
        .filter(|l| l.ends_with("[admin-access-allowed]"))
        .collect();
    // Only `aws_iam_policy.grant` (line 13) grants `*`: the two boundaries do not.
    assert_eq!(admin.len(), 1, "{out}");
    assert!(admin[0].starts_with("plan.json:13:"), "{out}");
}

/// A customer managed policy an IAM Identity Center permission set uses as its permissions
/// boundary (`aws_ssoadmin_permissions_boundary_attachment`, by `aws_iam_policy.b.name` or by its
/// literal name) is a boundary: it grants nothing, so `admin-access-allowed` stays silent on it.
#[test]
fn permission_set_boundaries_grant_nothing() {
    let policy = |name: &str| {
        format!(
            "resource \"aws_iam_policy\" \"{name}\" {{\n  name   = \"{name}\"\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }}]\n  }})\n}}\n"
        )
    };
    let attachment = |reference: &str| {
        format!(
            "resource \"aws_ssoadmin_permissions_boundary_attachment\" \"{0}\" {{\n  instance_arn       = \"arn:aws:sso:::instance/ssoins-1\"\n  permission_set_arn = \"arn:aws:sso:::permissionSet/ssoins-1/ps-1\"\n  permissions_boundary {{\n    customer_managed_policy_reference {{\n      name = {reference}\n    }}\n  }}\n}}\n",
            reference.len()
        )
    };
    let tf = [
        policy("by_reference"),
        policy("by_name"),
        policy("granted"),
        attachment("aws_iam_policy.by_reference.name"),
        attachment("\"by_name\""),
    ]
    .concat();
    let dir = common::tree(&[("main.tf", &tf)]);
    let (out, _) = compact(dir.path(), &["main.tf"]);
    let admin: Vec<&str> = out
        .lines()
        .filter(|l| l.ends_with("[admin-access-allowed]"))
        .collect();
    // Only `aws_iam_policy.granted` (line 19) grants `*`.
    assert_eq!(admin.len(), 1, "{out}");
    assert!(admin[0].starts_with("main.tf:19:"), "{out}");
}

/// Standard input named as a Terraform file (`--stdin-filename main.tf -`, what editors send)
/// follows its `templatefile()` like the file on disk would; a name whose folder is not there
/// cannot be followed, and the run says so instead of reporting the input clean in silence.
#[test]
fn standard_input_follows_templatefile_or_says_it_did_not() {
    let main = "resource \"aws_iam_policy\" \"p\" {\n  policy = templatefile(\"${path.module}/p.json.tftpl\", {})\n}\n";
    let dir = common::tree(&[
        ("main.tf", main),
        (
            "p.json.tftpl",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}"#,
        ),
    ]);
    let followed = common::iamlint(dir.path())
        .args(["--format", "compact", "--stdin-filename", "main.tf", "-"])
        .write_stdin(main)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&followed.stdout);
    assert_eq!(followed.status.code(), Some(1), "{out}");
    assert!(
        out.contains("p.json.tftpl:1:65: error: `s3:GetObjekt`"),
        "{out}"
    );
    let nowhere = common::iamlint(dir.path())
        .args(["--stdin-filename", "no/such/folder/main.tf", "-"])
        .write_stdin(main)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&nowhere.stdout);
    assert!(
        out.contains("Not read: 1 place") && out.contains("aws_iam_policy.p"),
        "{out}"
    );
}

/// `templatefile()` and `file()`: the policy is linted in the file the call reads, as the calling
/// resource's kind (`trust.json` is a trust policy because `assume_role_policy` reads it, and is
/// linted once although the walk finds it too; `guardrails.json` an SCP); template parts are unknown values, a loop's
/// directives are left out; what cannot be followed is noted, never read outside the folder.
#[test]
fn templatefile_and_file_are_followed_into_the_policy_file() {
    let out = fixture("templatefile");
    assert_eq!(
        out.lines().filter(|l| l.contains("trust.json")).count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("templatefile/policies/reader.json.tftpl:6:18: error: `s3:GetObjekt`"),
        "{out}"
    );
    assert!(!out.contains("invalid-json"), "{out}");
    // `guardrails.json` is an SCP because `aws_organizations_policy.content` reads it: its
    // `Allow * *` grants nothing (alone, the file reads as an identity policy granting all).
    assert!(out.contains("guardrails.json:7:17: error: `organizations:LeaveOrganisation`"));
    assert!(!out.contains("admin-access-allowed"), "{out}");
    insta::assert_snapshot!("templatefile", out);
    let human = common::iamlint(Path::new(FIXTURES))
        .args(["--select", "all", "-v", "templatefile"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(human.stdout).unwrap();
    let stderr = String::from_utf8(human.stderr).unwrap();
    assert!(
        stdout.contains("note: in the trust policy of aws_iam_role.ci (templatefile/main.tf:24)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("templatefile/main.tf:34:12: the policy file of aws_iam_role_policy.outside, ../outside.json, is outside the linted folder: not read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("templatefile/main.tf:29:15: the policy of aws_sqs_queue_policy.jobs is computed (`var.external_policy`)"),
        "{stderr}"
    );
}

/// A path that leaves the linted folder is not read even when the file is there; a template no
/// `.tf` file uses is not read at all.
#[test]
fn followed_files_stay_inside_the_linted_folder() {
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}"#;
    let dir = common::tree(&[
        ("secret.json", policy),
        (
            "repo/main.tf",
            "resource \"aws_iam_policy\" \"p\" {\n  policy = file(\"../secret.json\")\n}\n",
        ),
        ("repo/unused.json.tftpl", policy),
    ]);
    let r = common::compact(&dir.path().join("repo"), &["--select", "all", "-v", "."]);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("is outside the linted folder: not read"),
        "{}",
        r.stderr
    );
    // Linting the parent, the same call is inside the folder: the file is linted once.
    let r = common::compact(dir.path(), &["--select", "all", "."]);
    assert_eq!(
        r.stdout,
        "secret.json:1:71: error: `s3:GetObjekt` is not an action of Amazon S3 (`s3`) [unknown-action]\n"
    );
}

/// A resource type the table does not know, with an argument whose name says policy holding an
/// IAM policy, is noted as not read; a policy ARN, or IoT's own policy grammar, is not. Only
/// types whose name says policy are looked into (`aws_example_gadget` is not: the walk skips
/// the blocks it does not need without reading them).
#[test]
fn unknown_policy_arguments_are_noted_as_not_read() {
    let dir = common::tree(&[(
        "main.tf",
        r#"resource "aws_example_widget_policy" "w" {
  widget_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
resource "aws_example_gadget" "g" {
  gadget_policy = data.aws_iam_policy_document.g.json
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = "r"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
resource "aws_iot_policy" "i" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iot:*", Resource = "*" }] })
}
"#,
    )]);
    let r = common::compact(dir.path(), &["--select", "all", "-v", "."]);
    let notes: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("iamlint: not read:"))
        .collect();
    assert_eq!(
        notes,
        [
            "iamlint: not read: main.tf:2:3: `widget_policy` of aws_example_widget_policy.w looks like a policy, but iamlint does not know the resource type aws_example_widget_policy"
        ],
        "{}",
        r.stderr
    );
}

/// `permissions_boundary = aws_iam_policy.b.arn` on a role or user (in another file of the
/// module; or an ARN ending in the policy's `name`, literal or `${aws_iam_policy.b.name}`) makes
/// that policy, and the `aws_iam_policy_document` it reads, a boundary: the grant
/// rules stay silent on it, grammar and value rules do not. A policy set as a boundary and also
/// attached grants, and is reported.
#[test]
fn permissions_boundaries_across_the_module() {
    let out = fixture("boundaries");
    assert_eq!(
        rules_in(&out),
        [
            "admin-access-allowed",
            "missing-resource",
            "redundant-statement",
            "unknown-action"
        ],
        "{out}"
    );
    assert!(
        out.contains("boundaries/main.tf:32:47: error: every action is allowed on every resource"),
        "{out}"
    );
    insta::assert_snapshot!("boundaries", out);
    // Alone, without the roles that set it as a boundary, the document grants again.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(FIXTURES).join("boundaries/main.tf"),
        dir.path().join("main.tf"),
    )
    .unwrap();
    let (alone, _) = compact(dir.path(), &["."]);
    assert!(alone.contains("allow-with-not-action"), "{alone}");
    assert!(alone.contains("secret-read-unscoped"), "{alone}");
}

/// Session policies: a Transfer Family user's `policy`, a Roles Anywhere profile's
/// `session_policy` and the AWS provider's `assume_role { policy }` (in `.tf` and `.tf.json`)
/// are read as session policies: no grant findings (`Allow NotAction`, secrets on `*`).
#[test]
fn session_policies_are_read_as_such() {
    let out = fixture("sessions");
    assert!(
        out.contains("sessions/provider.tf.json:8:104: error: `cloudtrail:LookupEventz`"),
        "{out}"
    );
    assert!(out.contains("`Principal` in a session policy"), "{out}");
    for grant in [
        "allow-with-not-action",
        "secret-read-unscoped",
        "kms-decrypt-without-via-service",
        "service-wildcard-allowed",
    ] {
        assert!(!out.contains(grant), "{grant}:\n{out}");
    }
    insta::assert_snapshot!("sessions", out);
}

/// `templatefile()` variables that are lists or objects: `${jsonencode(arns)}` and a `for`
/// expression are unknown values, a loop's names are unknown even where the call gives a
/// variable of the same name, a separator-only `%{ if }` is left out, and `cfg.action` of a
/// literal object is its text (reported at the `${…}`).
#[test]
fn templatefile_list_and_object_variables() {
    let out = fixture("templatefile-vars");
    assert!(!out.contains("invalid-json"), "{out}");
    // Every template is read (none noted as not read), and the loop's `${b}` is not the call's
    // `b = "s3:GetObjekt"`.
    assert!(!out.contains("GetObjekt"), "{out}");
    assert!(
        out.contains("policies/lists.json.tftpl:11:17: error: `s3:ListBuckett`"),
        "{out}"
    );
    assert!(
        out.contains("policies/loop.json.tftpl:13:17: error: `s3:ListBuckett`"),
        "{out}"
    );
    assert!(
        out.contains("policies/object.json.tftpl:6:17: error: `s3:PutObjekt`"),
        "{out}"
    );
    insta::assert_snapshot!("templatefile_vars", out);
    let r = common::compact(
        Path::new(FIXTURES),
        &["--select", "all", "-v", "templatefile-vars"],
    );
    assert!(!r.stderr.contains("not read"), "{}", r.stderr);
}

/// `file()` and `templatefile()` in a `.tf.json` file (`"${file(\"…\")}"`) are followed as in a
/// `.tf` file, with the calling resource's kind (`trust.json` is a trust policy).
#[test]
fn file_and_templatefile_in_terraform_json() {
    let out = fixture("tfjson-follow");
    assert!(
        out.contains("policies/plain.json:1:71: error: `dynamodb:GetItm`"),
        "{out}"
    );
    assert!(
        out.contains("policies/templated.json.tftpl:3:47: error: `s3:GetObjekt`"),
        "{out}"
    );
    assert!(
        out.contains("cross-account-trust-without-external-id"),
        "{out}"
    );
    insta::assert_snapshot!("tfjson_follow", out);
}

/// Lambda permissions are read as the statement Lambda writes into the resource policy (a
/// probe per resource type: a misspelt action in the permission is reported, and nothing else).
#[test]
fn lambda_permissions_are_read_as_resource_policies() {
    for (ty, args) in [
        (
            "aws_lambda_permission",
            "function_name = \"f\"\n  principal = \"s3.amazonaws.com\"\n  source_arn = aws_s3_bucket.b.arn\n  action = \"lambda:InvokeFunctoin\"",
        ),
        (
            "aws_lambda_layer_version_permission",
            "layer_name = \"l\"\n  version_number = 1\n  principal = \"123456789012\"\n  statement_id = \"x\"\n  action = \"lambda:GetLayerVersoin\"",
        ),
    ] {
        let text = format!("resource \"{ty}\" \"p\" {{\n  {args}\n}}\n");
        let found = lint("probe.tf", &text);
        assert_eq!(found.len(), 1, "{ty}: {found:?}\n{text}");
        assert!(
            found[0].contains("unknown-action"),
            "{ty}: the permission was not read\n{text}"
        );
    }
}
