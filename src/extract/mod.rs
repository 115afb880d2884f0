//! Extraction: one front end per input format turns a file into policy documents with spans into
//! that file, plus findings about the input itself (`invalid-json`). Which front end reads a file
//! is decided by its name ([`classify`]) and a cheap byte check ([`worth_parsing`]) that keeps the
//! many JSON/YAML files that are not IAM from being parsed at all.

pub mod json;
pub mod terraform;
pub mod tree;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Finding;
use crate::policy::{PolicyDocument, infer_kind};
use crate::rules;
use crate::source::SourceFile;

/// How a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Json,
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
    None
}

/// The front end for text whose file name says nothing, by its first non-blank character.
pub fn sniff_text(text: &str) -> Option<FileKind> {
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .next()?
    {
        '{' => Some(FileKind::Json),
        _ => None,
    }
}

/// Byte needles, one of which every file worth parsing contains.
pub fn worth_parsing(kind: FileKind, bytes: &[u8]) -> bool {
    let needles: &[&[u8]] = match kind {
        FileKind::Json => &[b"Statement", b"AWSTemplateFormatVersion", b"AWS::"],
        // Every argument and data source that takes a policy has `policy` in its name
        // (`assume_role_policy`, `aws_iam_policy_document`, `*_policy_json`).
        FileKind::Terraform | FileKind::TerraformJson => &[b"policy", b"Statement"],
    };
    needles.iter().any(|n| memfind(bytes, n))
}

fn memfind(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// What a file yields: its policy documents and findings about the input itself.
#[derive(Default)]
pub struct Extracted {
    pub documents: Vec<PolicyDocument>,
    pub findings: Vec<Finding>,
}

pub fn extract(file: &Arc<SourceFile>, kind: FileKind, out: &mut Extracted) {
    match kind {
        FileKind::Json => extract_json(file, out),
        FileKind::Terraform => terraform::extract_hcl(file, out),
        FileKind::TerraformJson => terraform::extract_json(file, out),
    }
}

fn extract_json(file: &Arc<SourceFile>, out: &mut Extracted) {
    // A UTF-8 byte order mark is not JSON; parse after it so spans stay file offsets.
    let base = if file.text.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let root = match json::parse(&file.text[base..], base) {
        Ok(Some(root)) => root,
        Ok(None) => return,
        Err(e) => {
            out.findings.push(
                Finding::new(&rules::invalid_json::META, file, e.span, e.message)
                    .label("parsing stopped here"),
            );
            match e.recovered {
                Some(root) => root,
                None => return,
            }
        }
    };
    for (doc, wrapper) in json::find_policies(&root) {
        let kind = match wrapper {
            Some("AssumeRolePolicyDocument") => crate::policy::PolicyKind::Trust,
            Some("KeyPolicy") => crate::policy::PolicyKind::KeyPolicy,
            _ => infer_kind(doc),
        };
        out.documents.push(PolicyDocument::build(
            file,
            doc.clone(),
            kind,
            wrapper.map(str::to_string),
        ));
    }
}
