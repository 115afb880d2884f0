//! Policies inside CloudFormation, SAM, CDK output and Serverless files, linted through the real
//! binary. Each snapshot holds the `--format compact` output, then the exact source text each
//! finding points at (from `--format json`) and the owner label the template gives it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use iamlint::extract::{FileKind, classify, worth_parsing};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cloudformation")
}

struct Run {
    compact: String,
    json: serde_json::Value,
    code: i32,
}

fn run_in(dir: &Path, paths: &[&str]) -> Run {
    let out = |format: &str| {
        Command::cargo_bin("iamlint")
            .unwrap()
            .current_dir(dir)
            .args(["--format", format, "--color", "never"])
            // These fixtures are about extraction and the must-have rules; a document's own
            // shape (`Version`) is tested with the `missing-version` fixtures.
            .args(["--ignore", "missing-version"])
            .args(paths)
            .output()
            .unwrap()
    };
    let compact = out("compact");
    let json = out("json");
    Run {
        compact: String::from_utf8(compact.stdout).unwrap(),
        json: serde_json::from_slice(&json.stdout).unwrap(),
        code: compact.status.code().unwrap(),
    }
}

fn run(paths: &[&str]) -> Run {
    run_in(&fixtures(), paths)
}

/// The compact output, then each finding's token as the file has it.
fn report(dir: &Path, r: &Run) -> String {
    let mut s = r.compact.clone();
    s.push_str("--- tokens ---\n");
    for f in r.json.as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(path)).unwrap();
        let loc = &f["location"];
        let slice = &text[loc["byte_start"].as_u64().unwrap() as usize
            ..loc["byte_end"].as_u64().unwrap() as usize];
        s.push_str(&format!(
            "{path}:{}:{} {} `{}`\n",
            loc["line"],
            loc["column"],
            f["rule"].as_str().unwrap(),
            slice
        ));
        for l in f["secondary"].as_array().unwrap() {
            let t = l["text"].as_str().unwrap();
            if t.starts_with("in the ") {
                let at = &l["location"];
                let owner = &text[at["byte_start"].as_u64().unwrap() as usize
                    ..at["byte_end"].as_u64().unwrap() as usize];
                s.push_str(&format!(
                    "    {}:{} `{owner}`: {t}\n",
                    at["line"], at["column"]
                ));
            }
        }
    }
    s
}

fn snapshot(name: &str, paths: &[&str]) -> Run {
    let r = run(paths);
    insta::assert_snapshot!(name, report(&fixtures(), &r));
    r
}

fn rules_of(r: &Run) -> Vec<String> {
    r.json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn iam_resources_through_sub() {
    let r = snapshot("iam", &["iam"]);
    assert_eq!(r.code, 1);
    let mut rules = rules_of(&r);
    rules.sort();
    rules.dedup();
    // The five must-have rules, each through a `!Sub` value.
    assert_eq!(
        rules,
        [
            "cross-account-trust-without-external-id",
            "kms-decrypt-without-via-service",
            "rds-connect-prefix",
            "rds-db-wildcard-user",
            "secret-read-unscoped"
        ]
    );
    assert!(r.compact.starts_with("iam/template.yaml:20:28: warning: `rds-db:connect` allowed on `arn:aws:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:*/*`"));
}

#[test]
fn resource_policies_have_their_kind() {
    let r = snapshot("resource_policies", &["resource-policies"]);
    // The bucket policy's cross-account `sts:AssumeRole` is not a trust policy; the secret's own
    // policy may say `"Resource": "*"`; the key policy's root statement delegates to IAM.
    let rules = rules_of(&r);
    assert!(
        !rules
            .iter()
            .any(|r| r == "cross-account-trust-without-external-id")
    );
    assert!(!rules.iter().any(|r| r == "secret-read-unscoped"));
    assert_eq!(
        rules
            .iter()
            .filter(|r| *r == "kms-decrypt-without-via-service")
            .count(),
        1
    );
}

#[test]
fn deploy_time_values_and_own_account_stay_silent() {
    let r = run(&["silent"]);
    assert_eq!(r.compact, "");
    assert_eq!(r.code, 0);
}

#[test]
fn sam_functions_and_policy_templates() {
    let r = snapshot("sam", &["sam"]);
    // KMSDecryptPolicy grants `kms:Decrypt` without `kms:ViaService`, SQSPollerPolicy names
    // `sqs:DeleteMessageBatch`: SAM's text, not the author's to fix, so not reported.
    assert!(!r.compact.contains(":20:"), "{}", r.compact);
    assert!(!r.compact.contains("unknown-action"), "{}", r.compact);
    // SecretArn: "*" fills the template's resource and is reported at the parameter value.
    assert!(r.compact.contains(
        "sam/template.yaml:23:24: warning: `secretsmanager:GetSecretValue` allowed on `*`"
    ));
}

#[test]
fn json_template_with_long_forms() {
    let r = snapshot("json_template", &["json"]);
    assert_eq!(rules_of(&r).len(), 3);
}

#[test]
fn cdk_out_is_linted_when_named() {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path();
    std::fs::create_dir_all(app.join("cdk.out")).unwrap();
    std::fs::write(app.join(".gitignore"), "cdk.out\n").unwrap();
    for f in ["AppStack.template.json", "manifest.json"] {
        std::fs::copy(
            fixtures().join("cdk/cdk.out").join(f),
            app.join("cdk.out").join(f),
        )
        .unwrap();
    }
    // Git-ignored, so a walk of the project skips it...
    let r = run_in(app, &["."]);
    assert_eq!(r.compact, "");
    // ...but naming the folder or the file lints it.
    let by_dir = run_in(app, &["cdk.out"]);
    let by_file = run_in(app, &["cdk.out/AppStack.template.json"]);
    assert_eq!(by_dir.compact, by_file.compact);
    insta::assert_snapshot!("cdk", report(app, &by_dir));
}

#[test]
fn policy_documents_in_json_strings() {
    let r = snapshot("strings", &["strings"]);
    // The escaped string cannot be mapped back to the file: skipped, not misplaced.
    assert!(!r.compact.contains(":32:"));
    assert!(
        r.compact
            .contains("strings/template.yaml:37:68: error: expected comma [invalid-json]")
    );
}

#[test]
fn yaml_features_long_forms_anchors_and_documents() {
    snapshot("yaml_features", &["yaml-features"]);
}

#[test]
fn serverless_files() {
    let r = snapshot(
        "serverless",
        &["serverless", "serverless-v1", "serverless-json"],
    );
    // `arn:aws:iam::${aws:accountId}:root` is the deploying account, `${self:…}` is unknown.
    assert_eq!(
        rules_of(&r)
            .iter()
            .filter(|r| *r == "cross-account-trust-without-external-id")
            .count(),
        1
    );
}

#[test]
fn non_iam_yaml_yields_nothing() {
    let dir = fixtures().join("non-iam");
    let files = [
        ".github/workflows/ci.yml",
        "k8s/deployment.yaml",
        "docker-compose.yml",
        "helm/values.yaml",
        "helm/templates/role.yaml",
        "openapi.yaml",
    ];
    for f in files {
        let path = dir.join(f);
        assert_eq!(classify(&path), Some(FileKind::Yaml), "{f}");
        let bytes = std::fs::read(&path).unwrap();
        // Most are ruled out by the byte check, so never parsed. The OpenAPI spec mentions a
        // bank "Statement" and the Helm template holds a policy: parsed, and still nothing.
        let expected = matches!(f, "openapi.yaml" | "helm/templates/role.yaml");
        assert_eq!(worth_parsing(FileKind::Yaml, &bytes), expected, "{f}");
        // Named on the command line, every one is parsed: still nothing.
        let r = run_in(&dir, &[f]);
        assert_eq!((r.compact.as_str(), r.code), ("", 0), "{f}");
    }
    let r = run_in(&dir, &["."]);
    assert_eq!((r.compact.as_str(), r.code), ("", 0));
}

#[test]
fn invalid_yaml_is_reported_and_the_run_goes_on() {
    let r = snapshot("invalid", &["invalid"]);
    assert_eq!(
        rules_of(&r),
        ["invalid-yaml", "invalid-yaml", "rds-connect-prefix"]
    );
}

#[test]
fn suppression_comments_in_yaml() {
    let r = snapshot("suppress", &["suppress"]);
    // Same line and line above suppress; the two stale suppressions are reported.
    assert_eq!(
        rules_of(&r),
        [
            "unused-suppression",
            "rds-connect-prefix",
            "unused-suppression"
        ]
    );
}

#[test]
fn alias_bomb_and_deep_nesting_stop_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nlol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "lol{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"
        ));
    }
    std::fs::write(tmp.path().join("bomb.yaml"), &bomb).unwrap();
    let deep = format!(
        "AWSTemplateFormatVersion: x\nResources: {}\n",
        "[".repeat(100_000)
    );
    std::fs::write(tmp.path().join("deep.yaml"), deep).unwrap();
    let started = Instant::now();
    let r = run_in(tmp.path(), &["bomb.yaml", "deep.yaml"]);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        r.compact,
        "bomb.yaml:7:12: error: aliases expand to more than 100000 nodes; the file is not read further (a \"billion laughs\" document?) [invalid-yaml]\n\
         deep.yaml:2:267: error: nesting deeper than 256 levels; the file is not read further [invalid-yaml]\n"
    );
}

#[test]
fn cloudformation_extensions_and_sniffing() {
    assert_eq!(classify(Path::new("stack.template")), Some(FileKind::Yaml));
    assert_eq!(
        classify(Path::new("a/serverless.yml")),
        Some(FileKind::Yaml)
    );
    assert_eq!(
        classify(Path::new("cdk.out/App.template.json")),
        Some(FileKind::Json)
    );
    let tmp = tempfile::tempdir().unwrap();
    let json = std::fs::read_to_string(fixtures().join("json/template.json")).unwrap();
    std::fs::write(tmp.path().join("stack.template"), &json).unwrap();
    let yaml = std::fs::read_to_string(fixtures().join("iam/template.yaml")).unwrap();
    std::fs::write(tmp.path().join("Stackfile"), &yaml).unwrap();
    // `.template` holding JSON reads as the JSON template does.
    let r = run_in(tmp.path(), &["stack.template"]);
    assert_eq!(rules_of(&r).len(), 3);
    // A file named on the command line whose name says nothing is read by its content.
    let r = run_in(tmp.path(), &["Stackfile"]);
    assert_eq!(rules_of(&r).len(), 7);
}

/// What static analysis cannot see (`${AWS::Partition}`) is never spelt out in a finding: no
/// message, label, help or fix holds the unknown-part marker, on any fixture of any format or on
/// a database user ARN under `rds` whose partition is a pseudo parameter.
#[test]
fn unknown_parts_are_never_shown_as_the_marker() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.yaml"),
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: rds-db:connect\n            Resource: !Sub \"arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:dbuser:db-ABC/app\"\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["t.yaml"]);
    let f = &r.json[0];
    assert_eq!(f["rule"], "rds-connect-prefix", "{}", r.compact);
    assert_eq!(
        f["help"],
        "write the ARN as `arn:PARTITION:rds-db:REGION:ACCOUNT:dbuser:DBI-RESOURCE-ID/USER`"
    );
    // The fix changes the service field alone: the partition stays as written.
    assert_eq!(f["fix"]["edits"][0]["replacement"], ":rds-db:");
    let every_fixture = run_in(&fixtures().join(".."), &["."]);
    assert!(every_fixture.json.as_array().is_some_and(|a| a.len() > 100));
    for out in [r.json.to_string(), every_fixture.json.to_string()] {
        assert!(!out.contains('\u{FFFC}'), "{out}");
    }
}

#[test]
fn every_policy_location_of_the_schemas() {
    let r = snapshot("locations", &["locations"]);
    // The tag policy is not IAM's grammar: nothing from it.
    assert!(!r.compact.contains("TagPolicy"), "{}", r.compact);
    assert!(r.compact.contains("`rds:connect` is not an IAM action"));
}

/// Every entry of the generated table (`data/cfn-policy-properties.tsv`) is read: a policy with an
/// unknown action at the entry's path is reported.
#[test]
fn every_table_entry_is_read() {
    use iamlint::extract::cloudformation::{PropertyKind, policy_properties};
    use serde_json::{Value, json};
    let settings = iamlint::settings::Settings::default();
    let statement = json!({
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "s3:GetObjekt",
        "Resource": "*"
    });
    let table = policy_properties();
    assert!(table.len() > 70, "{} entries", table.len());
    for &(ty, path, kind) in table {
        let mut props = json!({});
        let leaf = match kind {
            PropertyKind::Statement => statement.clone(),
            PropertyKind::Organizations => {
                props["Type"] = json!("SERVICE_CONTROL_POLICY");
                json!({"Version": "2012-10-17", "Statement": [statement.clone()]})
            }
            PropertyKind::Document(_) => {
                json!({"Version": "2012-10-17", "Statement": [statement.clone()]})
            }
        };
        // Build the path from the leaf up: `a.*.b` → {a: [{b: leaf}]}.
        let mut value = leaf;
        for seg in path.rsplit('.') {
            value = if seg == "*" {
                Value::Array(vec![value])
            } else {
                json!({ seg: value })
            };
        }
        for (k, v) in value.as_object().unwrap() {
            props[k] = v.clone();
        }
        let template = json!({"Resources": {"R": {"Type": ty, "Properties": props}}});
        let text = serde_json::to_string_pretty(&template).unwrap();
        let found = iamlint::lint_text("probe.json", &text, &settings);
        assert!(
            found.iter().any(|f| f.rule.as_str() == "unknown-action"),
            "{ty} {path}: the policy was not read\n{text}"
        );
    }
}

#[test]
fn policies_written_as_json_in_sub_and_template_parts() {
    let r = snapshot("sub_strings", &["sub-strings"]);
    // `!Sub` JSON: one line, a block, the long form with a variable map; spans into the template.
    assert!(
        r.compact
            .contains("sub-strings/template.yaml:10:99: error: `s3:GetObjekt`")
    );
    assert!(
        r.compact
            .contains("sub-strings/template.yaml:20:25: error: `rds:connect`")
    );
    assert!(
        r.compact
            .contains("sub-strings/template.yaml:38:61: error: the policy allows any principal")
    );
    // `{{resolve:…}}` and `#{AWS::AccountId}` are values known when deployed, not text.
    assert!(!r.compact.contains("invalid-arn"), "{}", r.compact);
    assert!(
        r.compact
            .contains("sub-strings/template.yaml:56:62: error: expected comma")
    );
}

#[test]
fn a_json_file_with_statements_that_are_not_iam_is_silent() {
    // A bank statement: `Statement` entries with an `Effect` of "Closing balance".
    let dir = fixtures().join("non-iam");
    let r = run_in(&dir, &["bank-statement.json"]);
    assert_eq!((r.compact.as_str(), r.code), ("", 0));
}

/// A SAM template whose function uses one policy template with every parameter set to `value`
/// (an ARN of the right service for the parameters that take an ARN).
fn sam_template_using(name: &str, parameters: &[&str], value: &str) -> String {
    let value_of = |p: &str| match p {
        "SecretArn" => format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{value}"),
        "CertificateArn" => format!("arn:aws:acm:us-east-1:111122223333:certificate/{value}"),
        _ => value.to_string(),
    };
    let mut s = String::from(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Policies:\n",
    );
    if parameters.is_empty() {
        s.push_str(&format!("        - {name}: {{}}\n"));
    } else {
        s.push_str(&format!("        - {name}:\n"));
        for p in parameters {
            s.push_str(&format!("            {p}: {}\n", value_of(p)));
        }
    }
    s
}

/// Every SAM policy template of the generated table (`data/sam-policy-templates.tsv`) is expanded:
/// the function gets a document with the template's statements, and each parameter's value lands
/// in it at the value's own place in the file.
#[test]
fn every_sam_policy_template_is_read() {
    use iamlint::extract::{Extracted, extract, sam::templates};
    use iamlint::source::SourceFile;
    let all = templates();
    assert!(all.len() >= 80, "{} templates", all.len());
    for t in all {
        let text = sam_template_using(t.name, &t.parameters, "my-thing-1");
        let file = SourceFile::new("template.yaml".into(), text.clone());
        let mut out = Extracted::default();
        extract(&file, FileKind::Yaml, &mut out);
        let [doc] = out.documents.as_slice() else {
            panic!("{}: {} documents\n{text}", t.name, out.documents.len());
        };
        assert!(
            doc.owner.as_deref().is_some_and(|o| o.ends_with(t.name)),
            "{}",
            t.name
        );
        let want: serde_json::Value = serde_json::from_str(t.definition).unwrap();
        assert_eq!(
            doc.statements.len(),
            want["Statement"].as_array().unwrap().len(),
            "{}",
            t.name
        );
        assert!(
            doc.statements
                .iter()
                .all(|s| s.action.is_some() && s.is_allow()),
            "{}",
            t.name
        );
        // Each value the user gave sits in the document where the user wrote it.
        let values: Vec<u32> = t
            .parameters
            .iter()
            .map(|p| {
                let key = format!("{p}: ");
                (text.find(&key).unwrap() + key.len()) as u32
            })
            .collect();
        let mut spans = Vec::new();
        node_starts(&doc.root, &mut spans);
        for v in values {
            assert!(spans.contains(&v), "{}: no value at {v}\n{text}", t.name);
        }
        // SAM's text is at the template's name, and only there.
        let name_at = text.find(t.name).unwrap() as u32;
        assert!(
            doc.generated.iter().any(|g| g.start == name_at),
            "{}",
            t.name
        );
    }
}

/// SAM's own text never reaches the author: with ordinary names for its parameters, no template
/// gives a finding of any rule (SAM's `sqs:DeleteMessageBatch`, a `*` resource of its
/// `Describe` templates, a missing `Version`).
#[test]
fn sam_policy_templates_with_ordinary_values_are_silent() {
    use iamlint::extract::sam::templates;
    let settings = iamlint::settings::Settings::all_rules();
    let mut reported = Vec::new();
    for t in templates() {
        let text = sam_template_using(t.name, &t.parameters, "my-thing-1");
        for f in iamlint::lint_text("template.yaml", &text, &settings) {
            reported.push(format!("{}: {} {}", t.name, f.rule.as_str(), f.message));
        }
    }
    assert!(reported.is_empty(), "{reported:#?}");
}

#[test]
fn api_gateway_policies_sam_writes_and_openapi_bodies() {
    let r = snapshot("sam_api", &["sam-api"]);
    let c = &r.compact;
    // AwsAccountWhitelist: ["*"]: the author's `*` is public, reported at it.
    assert!(
        c.contains("sam-api/template.yaml:13:33: error: the policy allows any principal"),
        "{c}"
    );
    // CustomStatements are linted as written.
    assert!(
        c.contains("sam-api/template.yaml:17:23: error: `execute-api:Invokee`"),
        "{c}"
    );
    // Domain.Policy, DefinitionBody and Body `x-amazon-apigateway-policy`, the API's Policy, are
    // read. `"Principal": "*"` with only `execute-api:Invoke` is what a public API needs: info.
    assert!(
        c.contains("sam-api/template.yaml:27:26: info: the policy allows any principal"),
        "{c}"
    );
    assert!(
        c.contains("sam-api/template.yaml:65:25: error: the account `1111-2222-3333`"),
        "{c}"
    );
    assert!(
        c.contains("sam-api/template.yaml:100:26: info: the policy allows any principal"),
        "{c}"
    );
    assert!(
        c.contains("sam-api/template.yaml:117:21: error: `rds:connect`"),
        "{c}"
    );
    // IpRangeBlacklist leaves everyone else in: SAM's `Allow *` at the author's key, which only
    // asked to block some ranges of a public API: info.
    assert!(
        c.contains("sam-api/template.yaml:50:11: info: the policy allows any principal"),
        "{c}"
    );
    // A function's Api event: its CustomStatements go into the API's policy too (`{AWS: "*"}`:
    // every AWS account, an error).
    assert!(
        c.contains("sam-api/template.yaml:84:36: error: the policy allows any principal"),
        "{c}"
    );
    // The OpenAPI file a DefinitionUri names is read on its own.
    assert!(
        c.contains("sam-api/openapi.yaml:16:18: info: the policy allows any principal"),
        "{c}"
    );
    // PrivateApi (only through one VPC endpoint or VPC) says nothing.
    assert!(
        !(33..=41).any(|l| c.contains(&format!("sam-api/template.yaml:{l}:"))),
        "{c}"
    );
}

/// Every key of `Auth.ResourcePolicy` that SAM reads gives statements, on an API and on a
/// function's `Api` event; a value the author gives keeps its place in the file.
#[test]
fn every_resource_policy_key_is_read() {
    use iamlint::extract::sam::RESOURCE_POLICY_KEYS;
    use iamlint::extract::{Extracted, extract};
    use iamlint::source::SourceFile;
    for key in RESOURCE_POLICY_KEYS {
        let value = match key {
            "AwsAccountWhitelist" | "AwsAccountBlacklist" => "\"111122223333\"",
            "IpRangeWhitelist" | "IpRangeBlacklist" => "10.1.0.0/16",
            "SourceVpcWhitelist" | "SourceVpcBlacklist" => "vpce-0123456789abcdef0",
            "CustomStatements" => {
                "{Effect: Allow, Principal: \"*\", Action: execute-api:Invoke, Resource: execute-api:/*}"
            }
            _ => "!Ref Thing",
        };
        let api = format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      Auth:\n        ResourcePolicy:\n          {key}: [{value}]\n"
        );
        let event = format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Get:\n          Type: Api\n          Properties:\n            Auth:\n              ResourcePolicy:\n                {key}: [{value}]\n"
        );
        for text in [api, event] {
            let file = SourceFile::new("template.yaml".into(), text.clone());
            let mut out = Extracted::default();
            extract(&file, FileKind::Yaml, &mut out);
            let [doc] = out.documents.as_slice() else {
                panic!("{key}: {} documents\n{text}", out.documents.len());
            };
            assert_eq!(doc.kind, iamlint::policy::PolicyKind::Resource);
            assert!(!doc.statements.is_empty(), "{key}");
            // The author's value is in the document at its own place.
            let at = text.find(value).unwrap() as u32;
            let mut spans = Vec::new();
            node_starts(&doc.root, &mut spans);
            assert!(
                spans
                    .iter()
                    .any(|s| (at..at + value.len() as u32).contains(s)),
                "{key}: the value is not at its place\n{text}"
            );
        }
    }
}

/// Where every value of a tree starts.
fn node_starts(n: &iamlint::syntax::tree::Node, out: &mut Vec<u32>) {
    use iamlint::syntax::tree::Value;
    out.push(n.span.start);
    match &n.value {
        Value::Array(items) => items.iter().for_each(|i| node_starts(i, out)),
        Value::Object(entries) => entries.iter().for_each(|e| node_starts(&e.value, out)),
        _ => {}
    }
}

/// A managed policy set as a permissions boundary (`PermissionsBoundary: !Ref P`,
/// `!GetAtt P.PolicyArn`, an ARN ending in its `ManagedPolicyName`, SAM `Globals`, a Serverless
/// service role's `permissionsBoundary`) is a boundary: it grants nothing, so the grant rules
/// (`admin-access-allowed`, `allow-with-not-action`, `privilege-escalation`,
/// `secret-read-unscoped`, `kms-decrypt-without-via-service`) stay silent, while grammar and value
/// rules still report; the same policy attached to a role as well grants, and is reported.
#[test]
fn permissions_boundaries_grant_nothing() {
    let r = snapshot("boundaries", &["boundaries", "serverless-boundary"]);
    let mut rules = rules_of(&r);
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "admin-access-allowed",
            "invalid-principal",
            "missing-resource",
            "unknown-action",
            "unknown-service"
        ],
        "{}",
        r.compact
    );
    // Only the shared policy (attached to `Admin` too) grants `*`.
    assert!(
        r.compact.contains(
            "boundaries/template.yaml:58:21: error: every action is allowed on every resource"
        ),
        "{}",
        r.compact
    );
    assert!(r.compact.contains("`Principal` in a permissions boundary"));
}

/// A customer managed policy an IAM Identity Center permission set names as its permissions
/// boundary (`PermissionsBoundary.CustomerManagedPolicyReference.Name`) is a boundary and grants
/// nothing; one the permission set attaches (`CustomerManagedPolicyReferences`) grants.
#[test]
fn permission_set_boundaries_grant_nothing() {
    let policy = |id: &str, name: &str| {
        format!(
            "  {id}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      ManagedPolicyName: {name}\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: '*'\n            Resource: '*'\n"
        )
    };
    let template = format!(
        "Resources:\n{}{}  Set:\n    Type: AWS::SSO::PermissionSet\n    Properties:\n      InstanceArn: arn:aws:sso:::instance/ssoins-1\n      Name: Ops\n      PermissionsBoundary:\n        CustomerManagedPolicyReference:\n          Name: edge\n      CustomerManagedPolicyReferences:\n        - Name: granted\n",
        policy("Edge", "edge"),
        policy("Granted", "granted")
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    let r = run_in(dir.path(), &["template.yaml"]);
    let admin: Vec<&str> = r
        .compact
        .lines()
        .filter(|l| l.ends_with("[admin-access-allowed]"))
        .collect();
    // Only `Granted` (line 20) grants `*`.
    assert_eq!(admin.len(), 1, "{}", r.compact);
    assert!(admin[0].starts_with("template.yaml:20:"), "{}", r.compact);
}

/// A Transfer Family user's `Policy` and a Roles Anywhere profile's `SessionPolicy` are session
/// policies: read (as `!Sub` text and as a JSON string), checked for grammar and values, never
/// as grants; Transfer's `${transfer:HomeBucket}` variables are not unknown variables.
#[test]
fn session_policies_are_read_as_such() {
    let r = snapshot("sessions", &["sessions"]);
    let mut rules = rules_of(&r);
    rules.sort();
    assert_eq!(
        rules,
        ["invalid-principal", "unknown-action"],
        "{}",
        r.compact
    );
    assert!(
        r.compact
            .contains("sessions/template.yaml:26:26: error: `s3:GetObjekt` is not an action"),
        "{}",
        r.compact
    );
    assert!(r.compact.contains("`Principal` in a session policy"));
}

/// A policy written as `Fn::Join` text (JSON with escaped quotes, YAML `!Join` with single-quoted
/// parts) is parsed with the literal parts at their place in the template and the `!Ref`,
/// `!GetAtt` and `!Sub` parts as unknown values: an unknown principal stays silent.
#[test]
fn policies_in_join_strings() {
    let r = snapshot("join_strings", &["join-strings"]);
    assert!(
        r.compact.contains(
            "join-strings/template.json:10:48: error: `logs:PutLogEventz` is not an action"
        ),
        "{}",
        r.compact
    );
    assert!(
        r.compact.contains(
            "join-strings/template.yaml:10:46: error: `logs:PutLogEventz` is not an action"
        ),
        "{}",
        r.compact
    );
    assert!(
        r.compact
            .contains("join-strings/template.yaml:12:51: error: the policy allows any principal"),
        "{}",
        r.compact
    );
    // The `Silent` policy (principal `!Ref Account`) has no finding.
    assert!(!r.compact.contains("template.yaml:19:"), "{}", r.compact);
}

/// Lambda permissions are read as the statement Lambda writes into the resource policy (a
/// probe per resource type: a misspelt action in the permission is reported, in YAML and JSON).
#[test]
fn lambda_permissions_are_read_as_resource_policies() {
    let settings = iamlint::settings::Settings::default();
    for (ty, props) in [
        (
            "AWS::Lambda::Permission",
            "FunctionName: my-function\n      Principal: s3.amazonaws.com\n      SourceArn: arn:aws:s3:::b\n      Action: lambda:InvokeFunctoin",
        ),
        (
            "AWS::Lambda::LayerVersionPermission",
            "LayerVersionArn: arn:aws:lambda:us-east-1:123456789012:layer:l:1\n      Principal: \"123456789012\"\n      Action: lambda:GetLayerVersoin",
        ),
    ] {
        let yaml = format!("Resources:\n  P:\n    Type: {ty}\n    Properties:\n      {props}\n");
        let found = iamlint::lint_text("probe.yaml", &yaml, &settings);
        assert!(
            found.iter().any(|f| f.rule.as_str() == "unknown-action"),
            "{ty}: the permission was not read\n{yaml}"
        );
        // The grammar rules stay silent on what Lambda writes.
        let rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["unknown-action"], "{yaml}");
        let template: serde_json::Value = serde_yaml_like(&yaml);
        let json = serde_json::to_string_pretty(&template).unwrap();
        let found = iamlint::lint_text("probe.json", &json, &settings);
        assert!(
            found.iter().any(|f| f.rule.as_str() == "unknown-action"),
            "{ty}: the permission was not read\n{json}"
        );
    }
}

/// The probe's YAML (flat `key: value` properties) as JSON.
fn serde_yaml_like(yaml: &str) -> serde_json::Value {
    let mut props = serde_json::Map::new();
    let mut ty = String::new();
    for line in yaml.lines() {
        let Some((k, v)) = line.trim().split_once(": ") else {
            continue;
        };
        let v = v.trim_matches('"').to_string();
        if k == "Type" {
            ty = v;
        } else {
            props.insert(k.to_string(), serde_json::Value::String(v));
        }
    }
    serde_json::json!({"Resources": {"P": {"Type": ty, "Properties": props}}})
}
