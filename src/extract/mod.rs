//! Extraction: one front end per input format turns a file into policy documents with spans into
//! that file, plus findings about the input itself (`invalid-json`). Which front end reads a file
//! is decided by its name ([`classify`]) and a cheap byte check ([`worth_parsing`]) that keeps the
//! many JSON/YAML files that are not IAM from being parsed at all.
//!
//! JSON and YAML front ends give the same [`tree::Node`] tree; what is read from it is decided by
//! its content: a CloudFormation template ([`cloudformation`]), a Serverless service
//! ([`serverless`]), or a bare policy.

pub mod cloudformation;
pub mod export;

pub mod intrinsic;
pub mod json;
pub mod lambda;
pub mod sam;
pub mod serverless;
pub mod terraform;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Finding;
use crate::policy::attachment::Attachment;
use crate::policy::{PolicyDocument, infer_kind};
use crate::source::{SourceFile, Span};
use crate::syntax::{tree, yaml};

/// How a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Json,
    /// `.yaml`, `.yml`, `.template` (CloudFormation's own extension, YAML or JSON inside).
    Yaml,
    /// Terraform's native syntax: `.tf` (and OpenTofu's `.tofu`).
    Terraform,
    /// Terraform's JSON syntax: `.tf.json` (and `.tofu.json`).
    TerraformJson,
}

/// The front end for a file name, or `None` for files iamlint does not read.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf.json") || lower.ends_with(".tofu.json") {
        return Some(FileKind::TerraformJson);
    }
    if lower.ends_with(".tf") || lower.ends_with(".tofu") {
        return Some(FileKind::Terraform);
    }
    if lower.ends_with(".json") {
        return Some(FileKind::Json);
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".template") {
        return Some(FileKind::Yaml);
    }
    None
}

/// The front end for text whose file name says nothing: JSON by its first non-blank character, a
/// YAML template by `AWSTemplateFormatVersion` near its start.
pub fn sniff_text(text: &str) -> Option<FileKind> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') {
        return Some(FileKind::Json);
    }
    let head = &t.as_bytes()[..t.len().min(512)];
    memfind(head, b"AWSTemplateFormatVersion").then_some(FileKind::Yaml)
}

/// Byte needles, one of which every file worth parsing contains.
pub fn worth_parsing(kind: FileKind, bytes: &[u8]) -> bool {
    let needles: &[&[u8]] = match kind {
        // "Statement" also finds "iamRoleStatements"; "statements" is Serverless's
        // `provider.iam.role.statements`.
        // "anagedPolic" finds `ManagedPolicyArns` and Serverless's `managedPolicies` /
        // `iamManagedPolicies` (a service may attach policies and write no statement).
        FileKind::Json => &[
            b"Statement",
            b"anagedPolic",
            b"AWSTemplateFormatVersion",
            b"AWS::",
            b"statements",
            // {"PolicyDocument": {"Version": "2012-10-17"}}: a policy without statements.
            b"PolicyDocument",
        ],
        FileKind::Yaml => &[
            b"Statement",
            b"anagedPolic",
            b"statements",
            b"AWSTemplateFormatVersion",
            b"AWS::",
            b"PolicyDocument",
        ],
        // Every argument and data source that takes a policy has `polic` in its name
        // (`assume_role_policy`, `aws_iam_policy_document`, `*_policy_json`, `access_policies`).
        // Lambda permissions are resource policies written as arguments.
        FileKind::Terraform | FileKind::TerraformJson => &[
            b"polic",
            b"Statement",
            b"aws_lambda_permission",
            b"aws_lambda_layer_version_permission",
        ],
    };
    needles.iter().any(|n| memfind(bytes, n))
}

fn memfind(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// What a file yields: its policy documents, the managed policies it attaches, findings about
/// the input itself, and the places that look like they hold a policy but could not be read.
#[derive(Default)]
pub struct Extracted {
    pub documents: Vec<PolicyDocument>,
    /// Managed policies attached by ARN or name (no documents: the rules look them up).
    pub attachments: Vec<Attachment>,
    pub findings: Vec<Finding>,
    pub unread: Vec<Unread>,
    /// Set by the driver: a Terraform `file()`/`templatefile()` policy is read from where the
    /// call says, inside this folder (`None`: such files are not followed).
    pub follow: Option<Follow>,
    /// The files read that way, with links resolved and as named: the driver lints each once,
    /// as the calling resource's kind, not again as a file of its own.
    pub followed: Vec<(std::path::PathBuf, std::path::PathBuf)>,
}

pub use terraform::follow::Follow;

/// A place that looks like it holds a policy that was not read (an argument whose name says
/// policy on a resource type iamlint does not know, a value known only at apply time, a
/// template too dynamic to follow): never dropped silently, the run reports them as a note.
#[derive(Clone, Debug)]
pub struct Unread {
    pub file: Arc<SourceFile>,
    pub span: Span,
    /// What was not read and why, as one sentence without a final stop.
    pub what: String,
}

/// Records each value of `list` (one value or a list of them; intrinsic functions folded) as
/// an attachment of `owner`. Values that are not strings (an inline document in a SAM
/// function's `Policies`) are left to the caller.
pub(crate) fn attach_each(
    out: &mut Extracted,
    list: &tree::Node,
    dialect: intrinsic::Dialect,
    owner: &str,
    owner_span: crate::source::Span,
    by_name: bool,
) {
    for item in list.items() {
        let resolved = intrinsic::resolve(item, dialect);
        if let Some(value) = resolved.text()
            && !value.is_unknown()
        {
            out.attachments.push(Attachment {
                owner: owner.to_string(),
                owner_span,
                value: value.clone(),
                span: item.span,
                by_name,
            });
        }
    }
}

pub fn extract(file: &Arc<SourceFile>, kind: FileKind, out: &mut Extracted) {
    match kind {
        FileKind::Json => extract_json(file, out),
        FileKind::Yaml => extract_yaml(file, out),
        FileKind::Terraform => terraform::extract_hcl(file, out),
        FileKind::TerraformJson => terraform::extract_json(file, out),
    }
}

/// Reads a document root by what it holds, taking the documents from it.
fn extract_root(file: &Arc<SourceFile>, root: &mut tree::Node, out: &mut Extracted) -> bool {
    if cloudformation::is_template(root) {
        cloudformation::extract(file, root, out);
    } else if serverless::is_serverless(root) {
        serverless::extract(file, root, out);
    } else if let Some(policy) = openapi_policy(root) {
        let mut doc = policy.take();
        intrinsic::resolve_in_place(&mut doc, intrinsic::Dialect::CloudFormation);
        out.documents.push(PolicyDocument::build(
            file,
            doc,
            crate::policy::PolicyKind::Resource,
            Some(OPENAPI_POLICY.to_string()),
        ));
    } else {
        return false;
    }
    true
}

/// The extension API Gateway reads as a REST API's resource policy.
const OPENAPI_POLICY: &str = "x-amazon-apigateway-policy";

/// The resource policy of an OpenAPI (or Swagger) definition file, the file a SAM API's
/// `DefinitionUri` or a REST API's `BodyS3Location` names: `x-amazon-apigateway-policy` at its
/// top level. The file is read like any other when the walk finds it.
fn openapi_policy(root: &mut tree::Node) -> Option<&mut tree::Node> {
    if root.get("openapi").is_none() && root.get("swagger").is_none() {
        return None;
    }
    root.get_mut(OPENAPI_POLICY)
        .filter(|p| matches!(p.value, tree::Value::Object(_)))
}

fn extract_yaml(file: &Arc<SourceFile>, out: &mut Extracted) {
    let base = bom_len(&file.text);
    // A `.template` written as JSON. (JSON that does not parse may still be YAML: `{a: 1}`.)
    if file.text[base..].trim_start().starts_with('{')
        && let Ok(Some(mut root)) = json::parse(&file.text[base..], base)
    {
        return extract_json_root(file, &mut root, out);
    }
    let mut parsed = yaml::parse(&file.text[base..], base);
    if let Some(e) = parsed.error
        && !looks_templated(&file.text)
    {
        out.findings.push(
            input::INVALID_YAML
                .finding(file, e.span, e.message)
                .label("the YAML parser stopped here")
                .help("fix the YAML syntax; nothing after this point was linted"),
        );
    }
    for root in &mut parsed.documents {
        if extract_root(file, root, out) {
            continue;
        }
        // A policy written as YAML: Version/Statement at the top.
        if json::is_policy(root) {
            let mut doc = root.take();
            intrinsic::resolve_in_place(&mut doc, intrinsic::Dialect::CloudFormation);
            let kind = infer_kind(&doc);
            out.documents
                .push(PolicyDocument::build(file, doc, kind, None));
        }
    }
}

/// A Go or Jinja template (a Helm chart's `templates/*.yaml`) is not YAML until rendered: its
/// syntax errors are not the author's mistakes. CloudFormation's `{{resolve:…}}` dynamic
/// references and GitHub's `${{ … }}` expressions are plain YAML strings and do not count.
fn looks_templated(text: &str) -> bool {
    text.contains("{%")
        || text.match_indices("{{").any(|(i, _)| {
            !text[..i].ends_with('$') && !text[i + 2..].trim_start().starts_with("resolve:")
        })
}

/// The rules the front ends raise about the input itself, named by value. Their declarations
/// (and doc pages) are in `rules/`, above this stage; a test there checks that both agree.
pub mod input {
    use std::sync::Arc;

    use crate::diagnostic::{Finding, RuleName, Severity};
    use crate::source::{SourceFile, Span};

    pub struct InputRule {
        pub name: RuleName,
        pub severity: Severity,
    }

    impl InputRule {
        pub fn finding(
            &self,
            file: &Arc<SourceFile>,
            span: Span,
            message: impl Into<String>,
        ) -> Finding {
            Finding::new(self.name.clone(), self.severity, file, span, message)
        }
    }

    pub const INVALID_JSON: InputRule = InputRule {
        name: RuleName::new("invalid-json"),
        severity: Severity::Error,
    };
    pub const INVALID_YAML: InputRule = InputRule {
        name: RuleName::new("invalid-yaml"),
        severity: Severity::Error,
    };
    pub const INVALID_HCL: InputRule = InputRule {
        name: RuleName::new("invalid-hcl"),
        severity: Severity::Error,
    };
    pub const INVALID_ENCODING: InputRule = InputRule {
        name: RuleName::new("invalid-encoding"),
        severity: Severity::Warning,
    };

    /// Every rule of this list, for the test that holds it to the registry.
    pub const ALL: [&InputRule; 4] = [
        &INVALID_ENCODING,
        &INVALID_HCL,
        &INVALID_JSON,
        &INVALID_YAML,
    ];
}

/// Bytes of a leading UTF-8 byte order mark: no front end reads it, and every front end parses
/// after it so that spans stay file offsets.
pub(crate) fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

/// `invalid-json` at the place a JSON parse stopped.
pub(crate) fn report_json_error(file: &Arc<SourceFile>, e: &json::JsonError, out: &mut Extracted) {
    out.findings.push(
        input::INVALID_JSON
            .finding(file, e.span, e.message.clone())
            .label("parsing stopped here"),
    );
}

/// The JSON file's root value; a parse error is reported, and the tree is still used when the
/// only problems were comments or trailing commas.
pub(crate) fn json_file_root(file: &Arc<SourceFile>, out: &mut Extracted) -> Option<tree::Node> {
    let base = bom_len(&file.text);
    match json::parse(&file.text[base..], base) {
        Ok(root) => root,
        Err(e) => {
            report_json_error(file, &e, out);
            e.recovered
        }
    }
}

fn extract_json(file: &Arc<SourceFile>, out: &mut Extracted) {
    if let Some(mut root) = json_file_root(file, out) {
        extract_json_root(file, &mut root, out);
    }
}

fn extract_json_root(file: &Arc<SourceFile>, root: &mut tree::Node, out: &mut Extracted) {
    if extract_root(file, root, out)
        || terraform::plan::extract(file, root, out)
        || export::extract(file, root, out)
    {
        return;
    }
    for (doc, wrapper) in json::take_policies(root) {
        let kind = match wrapper {
            Some("AssumeRolePolicyDocument") => crate::policy::PolicyKind::Trust,
            Some("KeyPolicy") => crate::policy::PolicyKind::KeyPolicy,
            _ => infer_kind(&doc),
        };
        out.documents.push(PolicyDocument::build(
            file,
            doc,
            kind,
            wrapper.map(str::to_string),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_templates_are_told_from_cloudformation_and_actions_expressions() {
        assert!(looks_templated("name: {{ .Values.name }}\n"));
        assert!(looks_templated("{% if x %}\n"));
        assert!(!looks_templated(
            "Password: '{{resolve:secretsmanager:db:SecretString:pw}}'\n"
        ));
        assert!(!looks_templated(
            "if: ${{ github.ref == 'refs/heads/main' }}\n"
        ));
    }

    #[test]
    fn yaml_needles_rule_out_files_without_policies() {
        assert!(!worth_parsing(
            FileKind::Yaml,
            b"services:\n  app:\n    image: nginx\n"
        ));
        assert!(worth_parsing(
            FileKind::Yaml,
            b"Resources:\n  R:\n    Type: AWS::SQS::Queue\n"
        ));
        assert!(worth_parsing(
            FileKind::Yaml,
            b"provider:\n  iamRoleStatements: []\n"
        ));
        assert!(worth_parsing(
            FileKind::Json,
            b"{\"provider\": {\"iam\": {\"role\": {\"statements\": []}}}}"
        ));
    }
}
