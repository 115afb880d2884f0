//! The Terraform front end: `.tf` files (native syntax, [`hcl`]) and `.tf.json` files (Terraform's
//! JSON syntax, `tfjson`) are read into the same few [`Block`]s, and policies are taken from
//! wherever Terraform accepts a policy document:
//!
//! - resource arguments (`aws_iam_role.assume_role_policy`, `aws_s3_bucket_policy.policy`, …, see
//!   [`RESOURCE_POLICIES`]) and `aws_iam_role`'s `inline_policy { policy }`, holding
//!   `jsonencode({…})`, heredoc JSON or a quoted JSON string ([`embedded`]);
//! - `data "aws_iam_policy_document"` blocks (`policy_document`), whose kind (trust, key,
//!   resource, identity) comes from the argument that references them in the same file;
//! - `locals` holding a policy, and `module` arguments named `policy` or `*_policy_json` that hold
//!   a literal one.
//!
//! Values Terraform computes stay unknown parts ([`crate::syntax::tree::Part::Var`]); the one
//! thing resolved is "own account": `data.aws_caller_identity.*.account_id`, and locals set to it
//! in the same file, go to [`PolicyDocument::own_account_vars`].

pub mod follow;
pub mod plan;
mod policy_document;
mod tfjson;

use std::sync::Arc;

use super::Extracted;
use super::intrinsic::Dialect;
use super::json;
use super::tree::{Node, Part, Text, Value};
use crate::policy::attached::{Attached, AttachedTo, Target};
use crate::policy::{PolicyDocument, PolicyKind, infer_kind};
use crate::source::{SourceFile, Span};
use crate::syntax::hcl::{self, Attr, Block, Val, embedded};

use PolicyKind::{Endpoint, Identity, KeyPolicy, Rcp, Resource, Scp, Session, Trust};

/// Resource arguments that hold a policy document, and its kind: every resource of the AWS
/// provider (v5/v6) whose argument takes IAM policy JSON, from the provider's resource docs
/// (registry.terraform.io/providers/hashicorp/aws, "Argument Reference"; the provider schema is
/// on no package registry). `block.argument` is an argument of a nested block. Left out on
/// purpose: IoT policies (`aws_iot_policy`, IoT's own grammar), Cedar policies (Verified Access,
/// Verified Permissions), data-protection, lifecycle and filter policies (not IAM's grammar).
/// `aws_organizations_policy` is an SCP unless its `type` says otherwise (see `org_kind`). A
/// Transfer Family user's or access's `policy` and a Roles Anywhere profile's `session_policy`
/// are session policies: they narrow the role's permissions for the session.
pub const RESOURCE_POLICIES: &[(&str, &str, PolicyKind)] = &[
    ("aws_api_gateway_rest_api", "policy", Resource),
    ("aws_api_gateway_rest_api_policy", "policy", Resource),
    ("aws_backup_vault_policy", "policy", Resource),
    (
        "aws_cloudsearch_domain_service_access_policy",
        "access_policy",
        Resource,
    ),
    ("aws_cloudwatch_event_bus_policy", "policy", Resource),
    (
        "aws_cloudwatch_log_destination_policy",
        "access_policy",
        Resource,
    ),
    (
        "aws_cloudwatch_log_resource_policy",
        "policy_document",
        Resource,
    ),
    (
        "aws_codeartifact_domain_permissions_policy",
        "policy_document",
        Resource,
    ),
    (
        "aws_codeartifact_repository_permissions_policy",
        "policy_document",
        Resource,
    ),
    ("aws_codebuild_resource_policy", "policy", Resource),
    ("aws_dynamodb_resource_policy", "policy", Resource),
    ("aws_ecr_registry_policy", "policy", Resource),
    (
        "aws_ecr_repository_creation_template",
        "repository_policy",
        Resource,
    ),
    ("aws_ecr_repository_policy", "policy", Resource),
    ("aws_ecrpublic_repository_policy", "policy", Resource),
    ("aws_efs_file_system_policy", "policy", Resource),
    ("aws_elasticsearch_domain", "access_policies", Resource),
    (
        "aws_elasticsearch_domain_policy",
        "access_policies",
        Resource,
    ),
    ("aws_glacier_vault", "access_policy", Resource),
    ("aws_glacier_vault_lock", "policy", Resource),
    ("aws_glue_resource_policy", "policy", Resource),
    ("aws_iam_group_policy", "policy", Identity),
    ("aws_iam_policy", "policy", Identity),
    ("aws_iam_role", "assume_role_policy", Trust),
    ("aws_iam_role_policy", "policy", Identity),
    ("aws_iam_user_policy", "policy", Identity),
    ("aws_kinesis_resource_policy", "policy", Resource),
    ("aws_kms_external_key", "policy", KeyPolicy),
    ("aws_kms_key", "policy", KeyPolicy),
    ("aws_kms_key_policy", "policy", KeyPolicy),
    ("aws_kms_replica_external_key", "policy", KeyPolicy),
    ("aws_kms_replica_key", "policy", KeyPolicy),
    ("aws_lakeformation_resource_policy", "policy", Resource),
    ("aws_media_store_container_policy", "policy", Resource),
    ("aws_msk_cluster_policy", "policy", Resource),
    ("aws_networkfirewall_resource_policy", "policy", Resource),
    ("aws_oam_sink_policy", "policy", Resource),
    ("aws_opensearch_domain", "access_policies", Resource),
    ("aws_opensearch_domain_policy", "access_policies", Resource),
    ("aws_organizations_policy", "content", Scp),
    ("aws_organizations_resource_policy", "content", Resource),
    ("aws_redshift_resource_policy", "policy", Resource),
    ("aws_redshiftserverless_resource_policy", "policy", Resource),
    ("aws_rolesanywhere_profile", "session_policy", Session),
    ("aws_s3_access_point", "policy", Resource),
    ("aws_s3_bucket", "policy", Resource),
    ("aws_s3_bucket_policy", "policy", Resource),
    ("aws_s3control_access_point_policy", "policy", Resource),
    ("aws_s3control_bucket_policy", "policy", Resource),
    (
        "aws_s3control_multi_region_access_point_policy",
        "details.policy",
        Resource,
    ),
    (
        "aws_s3control_object_lambda_access_point_policy",
        "policy",
        Resource,
    ),
    (
        "aws_s3tables_table_bucket_policy",
        "resource_policy",
        Resource,
    ),
    ("aws_s3tables_table_policy", "resource_policy", Resource),
    (
        "aws_sagemaker_model_package_group_policy",
        "resource_policy",
        Resource,
    ),
    ("aws_schemas_registry_policy", "policy", Resource),
    ("aws_secretsmanager_secret", "policy", Resource),
    ("aws_secretsmanager_secret_policy", "policy", Resource),
    ("aws_ses_identity_policy", "policy", Resource),
    ("aws_sns_topic", "policy", Resource),
    ("aws_sns_topic_policy", "policy", Resource),
    ("aws_sqs_queue", "policy", Resource),
    ("aws_sqs_queue_policy", "policy", Resource),
    (
        "aws_ssoadmin_permission_set_inline_policy",
        "inline_policy",
        Identity,
    ),
    ("aws_transfer_access", "policy", Session),
    ("aws_transfer_user", "policy", Session),
    ("aws_vpc_endpoint", "policy", Endpoint),
    ("aws_vpc_endpoint_policy", "policy", Endpoint),
    ("aws_vpclattice_auth_policy", "policy", Resource),
    ("aws_vpclattice_resource_policy", "policy", Resource),
    ("aws_xray_resource_policy", "policy_document", Resource),
];

/// Resources that attach the managed policy their `policy_arn` names.
const ATTACHMENTS: [&str; 4] = [
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
];

/// The managed policies a block attaches or looks up: `policy_arn` of an attachment resource
/// (`managed_policy_arn` of a permission set's),
/// `managed_policy_arns` of a role, the `arn` or `name` a `data "aws_iam_policy"` looks up (a
/// lookup by name exists to attach that policy; unused, Terraform would not read it).
fn attachments(b: &Block, out: &mut Extracted) {
    let ty = b.labels.first().map_or("", String::as_str);
    let name = b.labels.get(1).map_or("", String::as_str);
    let args: &[(&str, bool)] = match (b.ident.as_str(), ty) {
        ("resource", "aws_iam_role") => &[("managed_policy_arns", false)],
        ("resource", t) if ATTACHMENTS.contains(&t) => &[("policy_arn", false)],
        // An IAM Identity Center permission set's AWS managed policy.
        ("resource", "aws_ssoadmin_managed_policy_attachment") => &[("managed_policy_arn", false)],
        ("data", "aws_iam_policy") => &[("arn", false), ("name", true)],
        _ => return,
    };
    let owner = if b.ident == "data" {
        format!("data.{ty}.{name}")
    } else {
        format!("{ty}.{name}")
    };
    for &(arg, by_name) in args {
        if let Some(a) = b.attrs.iter().find(|a| a.name == arg) {
            let value = a.value.node();
            super::attach_each(
                out,
                &value,
                Dialect::CloudFormation,
                &owner,
                b.ident_span,
                by_name,
            );
        }
    }
}

/// `aws_organizations_policy`'s kind by its `type` (default `SERVICE_CONTROL_POLICY`); `None`
/// for the policy types that are not IAM's grammar (tag, backup, AI-services opt-out…) and for a
/// type Terraform computes.
fn org_kind(b: &Block) -> Option<PolicyKind> {
    let Some(a) = b.attrs.iter().find(|a| a.name == "type") else {
        return Some(Scp);
    };
    let value = a.value.node();
    match value.literal() {
        Some("SERVICE_CONTROL_POLICY") => Some(Scp),
        Some("RESOURCE_CONTROL_POLICY") => Some(Rcp),
        _ => None,
    }
}

/// Resources Lambda turns into a statement of a function's (or layer version's) resource policy.
const LAMBDA_PERMISSIONS: [&str; 2] = [
    "aws_lambda_permission",
    "aws_lambda_layer_version_permission",
];

/// The resource-policy statement Lambda writes for an `aws_lambda_permission` or
/// `aws_lambda_layer_version_permission` ([`super::lambda`]), as a document of its own.
fn lambda_permission(b: &Block, ty: &str) -> Node {
    use super::lambda;
    let get = |name: &str| {
        b.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| lambda::Field {
                key: a.key_span,
                value: a.value.node(),
            })
    };
    let mut p = lambda::Permission::read(&lambda::TERRAFORM, &get);
    if ty == "aws_lambda_layer_version_permission" {
        p.principal_org_id = get("organization_id");
        p.resource = get("layer_name").map(|l| {
            lambda::layer_version_arn(&l.value, get("version_number").map(|v| v.value).as_ref())
        });
    } else {
        let qualifier = get("qualifier").map(|q| q.value);
        p.resource = get("function_name")
            .map(|f| lambda::qualified(lambda::function_arn(&f.value), qualifier.as_ref()));
    }
    p.statement(b.span, b.ident_span)
}

/// Top-level blocks worth reading; the rest of a file is skipped without converting it.
fn wanted(ident: &str, labels: &[String]) -> bool {
    let ty = labels.first().map_or("", String::as_str);
    match ident {
        // Types whose name says policy are read too, to note a policy argument iamlint does not
        // know (see `Collect::unknown_arguments`).
        "resource" => {
            ty.contains("polic")
                || RESOURCE_POLICIES.iter().any(|(r, ..)| *r == ty)
                || ATTACHMENTS.contains(&ty)
                // its `permissions_boundary` (see `boundary_policies`)
                || ty == "aws_iam_user"
                || ty == "aws_ssoadmin_permissions_boundary_attachment"
                || LAMBDA_PERMISSIONS.contains(&ty)
        }
        "data" => ty == "aws_iam_policy_document" || ty == "aws_iam_policy",
        "module" | "locals" => true,
        // provider "aws" { assume_role { policy = … } }: a session policy
        "provider" => ty == "aws",
        _ => false,
    }
}

/// Reads a `.tf` file.
pub fn extract_hcl(file: &Arc<SourceFile>, out: &mut Extracted) {
    let base = super::bom_len(&file.text);
    match hcl::read(&file.text[base..], base, wanted) {
        Ok(blocks) => collect(file, blocks, out),
        Err(e) => {
            // Keep the offset on a character boundary (hcl-edit, used before, could point
            // inside one: `r{\n#é` at the end of the file).
            let mut at = e.offset.min(file.text.len());
            while !file.text.is_char_boundary(at) {
                at -= 1;
            }
            let width = file.text[at..].chars().next().map_or(0, char::len_utf8);
            let message = e.message.strip_suffix('.').unwrap_or(&e.message);
            out.findings.push(
                super::input::INVALID_HCL
                    .finding(
                        file,
                        Span::new(at, at + width),
                        if e.over_limit {
                            format!("{message}; the file is not read further")
                        } else {
                            format!("the file is not valid HCL: {message}")
                        },
                    )
                    .label("parsing stopped here")
                    .help("fix the syntax; `terraform validate` shows the same error"),
            );
        }
    }
}

/// Reads a `.tf.json` file.
pub fn extract_json(file: &Arc<SourceFile>, out: &mut Extracted) {
    if let Some(root) = super::json_file_root(file, out) {
        let blocks = tfjson::blocks(file, &root, wanted);
        collect(file, blocks, out);
    }
}

/// A policy-shaped value that is used elsewhere (`data.aws_iam_policy_document.x`, `local.p`).
struct Named {
    name: String,
    root: Node,
}

/// Finds the policies in a file's blocks.
/// The blocks are the caller's no more: the policies in them are moved out, not copied.
fn collect(file: &Arc<SourceFile>, mut blocks: Vec<Block>, out: &mut Extracted) {
    let boundaries = boundary_policies(file, &blocks);
    let mut cx = Collect {
        file,
        out,
        uses: Vec::new(),
        docs: Vec::new(),
        attached: Vec::new(),
        boundaries,
        synthesized: Vec::new(),
        declared: declared_targets(&blocks),
        used_by: Vec::new(),
    };
    let (named, own_locals) = cx.scan(&mut blocks);
    // A named document used in no argument of this file may be used by another file of the same
    // module (Terraform reads every `.tf` of a folder as one): the siblings say what it is.
    if named
        .iter()
        .any(|n| n.name.starts_with("data.") && !cx.uses.iter().any(|(r, _)| *r == n.name))
    {
        cx.uses.extend(sibling_uses(file));
    }
    // A named document takes the kind of its first use; unused, its content says what it is.
    for n in named {
        let kind = cx
            .uses
            .iter()
            .find(|(r, _)| *r == n.name)
            .map_or_else(|| infer_kind(&n.root), |&(_, k)| k);
        cx.docs.push((n.root, kind, n.name));
    }
    for (root, kind, owner) in cx.docs {
        // Terraform writes `Version` and the statement list of a data source itself.
        let implicit = owner.starts_with("data.");
        let attached_to = attached_of(&cx.attached, &cx.used_by, &cx.uses, &owner);
        let mut doc = PolicyDocument::build(file, root, kind, Some(owner));
        doc.implicit = implicit;
        doc.attached_to = attached_to;
        let mut vars = Vec::new();
        own_account_vars(&doc.root, &own_locals, &mut vars);
        doc.own_account_vars = vars;
        cx.out.documents.push(doc);
    }
    // Lambda permissions: one statement each, no `Version` or `Statement` of the author's.
    for (statement, at, owner) in cx.synthesized {
        let mut doc = PolicyDocument::from_statements(file, at, statement, Resource, Some(owner));
        let mut vars = Vec::new();
        own_account_vars(&doc.root, &own_locals, &mut vars);
        doc.own_account_vars = vars;
        cx.out.documents.push(doc);
    }
}

/// What the document of `owner` is attached to: its own resource's, or for a named document
/// (`data.aws_iam_policy_document.q`) used by exactly one holder of this file and by nothing
/// else, that holder's (with the holder's type, which the rules then read). A document several
/// resources use is attached to none in particular.
fn attached_of(
    attached: &[(String, AttachedTo)],
    used_by: &[(String, String)],
    uses: &[(String, PolicyKind)],
    owner: &str,
) -> Option<AttachedTo> {
    let of = |o: &str| {
        attached
            .iter()
            .find(|(a, _)| a == o)
            .map(|(_, t)| t.clone())
    };
    if let Some(own) = of(owner) {
        return Some(own);
    }
    let mut users = used_by.iter().filter(|(name, _)| name == owner);
    let (Some((_, user)), None) = (users.next(), users.next()) else {
        return None;
    };
    // Uses in sibling files are in `uses` without an owner: one more use than `used_by` knows.
    if uses.iter().filter(|(name, _)| name == owner).count() != 1 {
        return None;
    }
    let mut att = of(user)?;
    att.holder = user.split('.').next().map(str::to_string);
    Some(att)
}

/// The other `.tf` files of `file`'s folder (its module: Terraform reads them as one), sorted.
fn sibling_paths(file: &SourceFile) -> Vec<std::path::PathBuf> {
    let Some(dir) = file.path.parent() else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "tf") && p.file_name() != file.path.file_name()
        })
        .collect();
    paths.sort();
    paths
}

/// The references to named documents, with the kind their argument gives, in the other `.tf`
/// files of `file`'s folder (its module). Files that do not parse give none: they are reported
/// where they are linted themselves.
fn sibling_uses(file: &Arc<SourceFile>) -> Vec<(String, PolicyKind)> {
    let mut uses = Vec::new();
    for p in sibling_paths(file) {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        if !text.contains("aws_iam_policy_document") {
            continue;
        }
        let sibling = SourceFile::new(p, text);
        let Ok(mut blocks) = hcl::read(&sibling.text, 0, wanted) else {
            continue;
        };
        let mut scratch = Extracted::default();
        let boundaries = boundary_policies(&sibling, &blocks);
        let mut cx = Collect {
            file: &sibling,
            out: &mut scratch,
            uses: Vec::new(),
            docs: Vec::new(),
            attached: Vec::new(),
            boundaries,
            synthesized: Vec::new(),
            declared: Vec::new(),
            used_by: Vec::new(),
        };
        cx.scan(&mut blocks);
        uses.append(&mut cx.uses);
    }
    uses
}

impl Collect<'_> {
    /// Walks a file's blocks: policies in arguments go to `docs`, references to named documents
    /// to `uses`; returns the named documents and the locals that hold the caller's account.
    fn scan(&mut self, blocks: &mut [Block]) -> (Vec<Named>, Vec<String>) {
        let cx = self;
        let mut own_locals: Vec<String> = Vec::new();
        let mut named: Vec<Named> = Vec::new();
        for b in blocks {
            attachments(b, cx.out);
            let ty = b.labels.first().map_or("", String::as_str);
            let name = b.labels.get(1).map_or("", String::as_str);
            match b.ident.as_str() {
                // resource "aws_iam_role" "app" { assume_role_policy = … }
                "resource" => {
                    let owner = format!("{ty}.{name}");
                    // A resource type has one policy argument at most (a test checks the list).
                    let policy = RESOURCE_POLICIES.iter().find(|(r, ..)| *r == ty);
                    let role = ty == "aws_iam_role";
                    let lambda = LAMBDA_PERMISSIONS.iter().find(|t| **t == ty).copied();
                    let attached = attached_to(b, ty, &owner, &cx.declared);
                    let kind = match policy {
                        Some(_) if ty == "aws_organizations_policy" => org_kind(b),
                        Some(_) if cx.boundaries.contains(&owner) => Some(PolicyKind::Boundary),
                        Some(&(_, _, kind)) => Some(kind),
                        None => None,
                    };
                    if let (Some(&(_, arg, _)), Some(kind)) = (policy, kind) {
                        // details { policy = … }: an argument of a nested block
                        let attr = match arg.split_once('.') {
                            Some((block, arg)) => b
                                .blocks
                                .iter_mut()
                                .find(|ib| ib.ident == block)
                                .and_then(|ib| ib.attr_mut(arg)),
                            None => b.attr_mut(arg),
                        };
                        if let Some(a) = attr {
                            cx.policy_at(a, Some(kind), &owner);
                        }
                        // aws_sqs_queue_policy { queue_url = aws_sqs_queue.q.id }
                        if let Some(att) = attached {
                            cx.attached.push((owner.clone(), att));
                        }
                    }
                    if let Some(ty) = lambda {
                        let statement = lambda_permission(b, ty);
                        cx.synthesized
                            .push((statement, b.ident_span, owner.clone()));
                    } else if policy.is_none() {
                        let ty = b.labels.first().cloned().unwrap_or_default();
                        cx.unknown_arguments(b, &ty, &owner);
                    }
                    if role {
                        // inline_policy { name = "x" policy = jsonencode({…}) }
                        for ib in b.blocks.iter_mut().filter(|ib| ib.ident == "inline_policy") {
                            if let Some(a) = ib.attr_mut("policy") {
                                cx.policy_at(a, Some(Identity), &owner);
                            }
                        }
                    }
                }
                // provider "aws" { assume_role { role_arn = …, policy = … } }: the session
                // policy the provider passes when it assumes the role.
                "provider" => {
                    let alias = b
                        .attrs
                        .iter()
                        .find(|a| a.name == "alias")
                        .and_then(|a| a.value.node().literal().map(str::to_string));
                    let owner = match alias {
                        Some(alias) => format!("provider.aws.{alias}"),
                        None => "provider.aws".to_string(),
                    };
                    for ib in b.blocks.iter_mut().filter(|ib| {
                        matches!(
                            ib.ident.as_str(),
                            "assume_role" | "assume_role_with_web_identity"
                        )
                    }) {
                        if let Some(a) = ib.attr_mut("policy") {
                            cx.policy_at(a, Some(Session), &owner);
                        }
                    }
                }
                // data "aws_iam_policy" "admin" { name = "AdministratorAccess" }: above
                "data" if ty == "aws_iam_policy" => {}
                // data "aws_iam_policy_document" "assume" { statement { … } }
                "data" => named.push(Named {
                    name: format!("data.aws_iam_policy_document.{name}"),
                    root: policy_document::document(b),
                }),
                // module "role" { assume_role_policy_json = data.aws_iam_policy_document.x.json }
                "module" => {
                    // The module's one label is its name: `module "role"` → `module.role`.
                    let owner = format!("module.{ty}");
                    for a in &mut b.attrs {
                        if a.name == "policy" || a.name.ends_with("_policy_json") {
                            let kind = (a.name.contains("assume_role") || a.name.contains("trust"))
                                .then_some(Trust);
                            cx.policy_at(a, kind, &owner);
                        }
                    }
                }
                // locals { account_id = data.aws_caller_identity.current.account_id, policy = {…} }
                "locals" => {
                    for a in &mut b.attrs {
                        let local = format!("local.{}", a.name);
                        if let Some(root) = cx.policy_value(a, true) {
                            named.push(Named { name: local, root });
                        } else if a
                            .value
                            .node()
                            .text()
                            .and_then(Text::var_name)
                            .is_some_and(is_caller_account)
                        {
                            own_locals.push(local);
                        }
                    }
                }
                _ => {}
            }
        }
        (named, own_locals)
    }
}

struct Collect<'a> {
    file: &'a Arc<SourceFile>,
    out: &'a mut Extracted,
    /// References to named documents and the kind the referencing argument gives them.
    uses: Vec<(String, PolicyKind)>,
    docs: Vec<(Node, PolicyKind, String)>,
    /// What a resource policy is attached to (`bucket = …`, `queue_url = …`), by its owner.
    attached: Vec<(String, AttachedTo)>,
    /// The file's resources that [`TF_HOLDERS`] attach policies to: `aws_sqs_queue.orders`.
    declared: Vec<String>,
    /// Which argument's owner uses each named document of this file (`(name, owner)`).
    used_by: Vec<(String, String)>,
    /// The `aws_iam_policy` resources of the module that are permissions boundaries only
    /// ([`boundary_policies`]).
    boundaries: Vec<String>,
    /// Statements written from a resource's arguments (a Lambda permission), with the span
    /// standing for their `Statement` (the `resource` keyword) and their owner.
    synthesized: Vec<(Node, Span, String)>,
}

/// `aws_iam_policy.b` when a value is that policy's ARN: `aws_iam_policy.b.arn` (or `.id`, also
/// the ARN), `aws_iam_policy.b[0].arn`, `"${aws_iam_policy.b.arn}"`.
fn policy_resource_ref(n: &Node) -> Option<String> {
    let v = n.text()?.var_name()?;
    let rest = v.strip_prefix("aws_iam_policy.")?;
    let (name, mut tail) = rest.split_at(rest.find(['.', '['])?);
    // a `count`/`for_each` index: `[0]`, `["a"]`
    if let Some(t) = tail.strip_prefix('[') {
        tail = &t[t.find(']')? + 1..];
    }
    (!name.is_empty() && matches!(tail, ".arn" | ".id")).then(|| format!("aws_iam_policy.{name}"))
}

/// The policy an ARN written out names: `aws_iam_policy.b` for
/// `"arn:aws:iam::${…}:policy/${aws_iam_policy.b.name}"`, `name:NAME` for one that ends in
/// `:policy/NAME` (a path before the name is left out), to be matched with a policy's `name`.
fn policy_arn_by_name(n: &Node) -> Option<String> {
    let parts = &n.text()?.parts;
    let after_policy = |i: usize| {
        i > 0 && matches!(&parts[i - 1], Part::Lit(l) if l.contains(":policy/") && l.ends_with('/'))
    };
    match parts.last()? {
        Part::Var(v) if after_policy(parts.len() - 1) => {
            let name = v.strip_prefix("aws_iam_policy.")?.strip_suffix(".name")?;
            (!name.is_empty() && !name.contains(['.', '[', ' ']))
                .then(|| format!("aws_iam_policy.{name}"))
        }
        Part::Lit(l) => {
            let (_, path) = l.rsplit_once(":policy/")?;
            let name = path.rsplit('/').next().filter(|n| !n.is_empty())?;
            Some(format!("name:{name}"))
        }
        Part::Var(_) => None,
    }
}

/// The `aws_iam_policy` resources referenced in `blocks` as a role's or user's
/// `permissions_boundary` (into `bounds`) and as an attached policy (`policy_arn` of an
/// attachment, a role's `managed_policy_arns`; into `attached`).
fn policy_refs(blocks: &[Block], bounds: &mut Vec<String>, attached: &mut Vec<String>) {
    for b in blocks.iter().filter(|b| b.ident == "resource") {
        let ty = b.labels.first().map_or("", String::as_str);
        let values = |arg: &str| {
            b.attrs
                .iter()
                .filter(|a| a.name == arg)
                .flat_map(|a| {
                    let n = a.value.node();
                    match n.value {
                        Value::Array(items) => items,
                        _ => vec![n],
                    }
                })
                .filter_map(|n| policy_resource_ref(&n).or_else(|| policy_arn_by_name(&n)))
                .collect::<Vec<_>>()
        };
        if matches!(ty, "aws_iam_role" | "aws_iam_user") {
            bounds.extend(values("permissions_boundary"));
            attached.extend(values("managed_policy_arns"));
        }
        if ATTACHMENTS.contains(&ty) {
            attached.extend(values("policy_arn"));
        }
        // An IAM Identity Center permission set's boundary names a customer managed policy by
        // name: `permissions_boundary { customer_managed_policy_reference { name = … } }`.
        if ty == "aws_ssoadmin_permissions_boundary_attachment" {
            let names = b
                .blocks
                .iter()
                .filter(|pb| pb.ident == "permissions_boundary")
                .flat_map(|pb| &pb.blocks)
                .filter(|r| r.ident == "customer_managed_policy_reference")
                .flat_map(|r| &r.attrs)
                .filter(|a| a.name == "name")
                .filter_map(|a| {
                    let n = a.value.node();
                    if let Some(lit) = n.literal() {
                        return Some(format!("name:{lit}"));
                    }
                    let v = n.text()?.var_name()?;
                    let name = v.strip_prefix("aws_iam_policy.")?.strip_suffix(".name")?;
                    (!name.is_empty() && !name.contains(['.', '[', ' ']))
                        .then(|| format!("aws_iam_policy.{name}"))
                })
                .collect::<Vec<_>>();
            bounds.extend(names);
        }
    }
}

/// The `aws_iam_policy` resources of `file` that its module (this file and the other `.tf` files
/// of its folder) uses as a permissions boundary (by reference, or by an ARN that ends in the
/// policy's literal `name`) and attaches nowhere: their policy is read as a
/// boundary, which grants nothing by itself.
fn boundary_policies(file: &SourceFile, blocks: &[Block]) -> Vec<String> {
    let is_policy = |b: &Block| {
        b.ident == "resource" && b.labels.first().is_some_and(|t| t == "aws_iam_policy")
    };
    if !blocks.iter().any(is_policy) {
        return Vec::new();
    }
    let (mut bounds, mut attached) = (Vec::new(), Vec::new());
    policy_refs(blocks, &mut bounds, &mut attached);
    for p in sibling_paths(file) {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        if !text.contains("aws_iam_policy.") && !text.contains(":policy/") {
            continue;
        }
        if let Ok(sibling) = hcl::read(&text, 0, wanted) {
            policy_refs(&sibling, &mut bounds, &mut attached);
        }
    }
    // `name:NAME`: the policies of this file named NAME.
    let named = |refs: Vec<String>| -> Vec<String> {
        refs.into_iter()
            .flat_map(|r| match r.strip_prefix("name:") {
                None => vec![r],
                Some(name) => blocks
                    .iter()
                    .filter(|b| is_policy(b))
                    .filter(|b| {
                        b.attrs
                            .iter()
                            .any(|a| a.name == "name" && a.value.node().literal() == Some(name))
                    })
                    .map(|b| {
                        format!(
                            "aws_iam_policy.{}",
                            b.labels.get(1).map_or("", String::as_str)
                        )
                    })
                    .collect(),
            })
            .collect()
    };
    let (mut bounds, attached) = (named(bounds), named(attached));
    bounds.retain(|b| !attached.contains(b));
    bounds
}

/// A Terraform resource type that holds a resource policy and names what it is attached to: the
/// argument that names it (`None`: the resource holds its own policy), the type of the
/// resources it attaches to, the attributes of one that name it in that argument, and those
/// that are its ARN.
struct TfHolder {
    holder: &'static str,
    argument: Option<&'static str>,
    target: &'static str,
    names: &'static [&'static str],
    arns: &'static [&'static str],
}

/// The holders `resource-outside-policy-resource` compares. A bucket is read as written (its
/// name is compared with bucket ARNs), so S3 has no target type.
const TF_HOLDERS: &[TfHolder] = &[
    TfHolder {
        holder: "aws_s3_bucket_policy",
        argument: Some("bucket"),
        target: "",
        names: &[],
        arns: &[],
    },
    TfHolder {
        holder: "aws_s3_bucket",
        argument: Some("bucket"),
        target: "",
        names: &[],
        arns: &[],
    },
    TfHolder {
        holder: "aws_sqs_queue_policy",
        argument: Some("queue_url"),
        target: "aws_sqs_queue",
        names: &["id", "url"],
        arns: &["arn"],
    },
    TfHolder {
        holder: "aws_sqs_queue",
        argument: None,
        target: "aws_sqs_queue",
        names: &[],
        arns: &["arn"],
    },
    TfHolder {
        holder: "aws_sns_topic_policy",
        argument: Some("arn"),
        target: "aws_sns_topic",
        names: &["arn", "id"],
        arns: &["arn", "id"],
    },
    TfHolder {
        holder: "aws_sns_topic",
        argument: None,
        target: "aws_sns_topic",
        names: &[],
        arns: &["arn", "id"],
    },
    TfHolder {
        holder: "aws_secretsmanager_secret_policy",
        argument: Some("secret_arn"),
        target: "aws_secretsmanager_secret",
        names: &["arn", "id"],
        arns: &["arn", "id"],
    },
    TfHolder {
        holder: "aws_secretsmanager_secret",
        argument: None,
        target: "aws_secretsmanager_secret",
        names: &[],
        arns: &["arn", "id"],
    },
];

/// The addresses of the file's resources of a type some holder attaches to
/// (`aws_sqs_queue.orders`). A Terraform address is unique in its module, so two of them are two
/// resources; data sources (`data.aws_sqs_queue.x`) may look up any queue and are not listed.
fn declared_targets(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .filter(|b| b.ident == "resource")
        .filter_map(|b| match b.labels.as_slice() {
            [ty, name, ..]
                if TF_HOLDERS
                    .iter()
                    .any(|h| !h.target.is_empty() && h.target == ty) =>
            {
                Some(format!("{ty}.{name}"))
            }
            _ => None,
        })
        .collect()
}

/// What the policy of the resource block `b` (of type `ty`, address `owner`) is attached to.
fn attached_to(b: &Block, ty: &str, owner: &str, declared: &[String]) -> Option<AttachedTo> {
    let h = TF_HOLDERS.iter().find(|h| h.holder == ty)?;
    let ours = declared
        .iter()
        .filter(|d| d.split('.').next() == Some(h.target));
    let arn_refs = ours
        .clone()
        .flat_map(|d| h.arns.iter().map(move |a| (format!("{d}.{a}"), d.clone())))
        .collect();
    let target = match h.argument {
        // aws_sqs_queue "q" { policy = … }: the queue itself.
        None => Attached {
            target: Target::Resource(owner.to_string()),
            span: b.ident_span,
        },
        Some(arg) => {
            let node = b.attrs.iter().find(|a| a.name == arg)?.value.node();
            let text = node.text()?;
            // queue_url = aws_sqs_queue.q.id
            let resource = text.var_name().and_then(|v| {
                let (address, attribute) = v.rsplit_once('.')?;
                (h.names.contains(&attribute) && ours.clone().any(|d| d == address))
                    .then(|| address.to_string())
            });
            Attached {
                target: resource.map_or_else(|| Target::Written(text.clone()), Target::Resource),
                span: node.span,
            }
        }
    };
    Some(AttachedTo {
        targets: vec![target],
        arn_refs,
        holder: None,
    })
}

/// Resource types whose policy is not IAM's grammar, left out of [`RESOURCE_POLICIES`] on
/// purpose: not noted as unread.
const NOT_IAM: &[&str] = &["aws_iot_policy"];

impl Collect<'_> {
    /// Arguments of a resource type the table does not know whose name says policy and whose
    /// value is an IAM policy (`jsonencode` of one, JSON text, an `aws_iam_policy_document`):
    /// noted as not read, not guessed at.
    fn unknown_arguments(&mut self, b: &Block, ty: &str, owner: &str) {
        if NOT_IAM.contains(&ty) {
            return;
        }
        for a in b.attrs.iter().filter(|a| a.name.contains("polic")) {
            let holds = match &a.value {
                Val::Jsonencode(n) => json::is_policy(n),
                Val::Data {
                    json: Some(segs), ..
                } => embedded::parse(segs)
                    .root
                    .is_some_and(|r| json::is_policy(&r)),
                Val::Data { node, .. } => reference(node).is_some_and(|r| r.starts_with("data.")),
            };
            if holds {
                self.out.unread.push(super::Unread {
                    file: self.file.clone(),
                    span: a.key_span,
                    what: format!(
                        "`{}` of {owner} looks like a policy, but iamlint does not know the \
                         resource type {ty}",
                        a.name
                    ),
                });
            }
        }
    }

    /// The policy an argument holds, or the named document it references. A module argument
    /// (`kind` not known) must look like a policy: some `*_policy_json` are other JSON.
    fn policy_at(&mut self, a: &mut Attr, kind: Option<PolicyKind>, owner: &str) {
        // policy = templatefile("${path.module}/policy.json.tftpl", { … })
        if let Val::Data { node, json: None } = &a.value
            && follow::follow(self.file, node, kind, owner, self.out)
        {
            return;
        }
        if let Some(root) = self.policy_value(a, kind.is_none()) {
            let kind = kind.unwrap_or_else(|| infer_kind(&root));
            self.docs.push((root, kind, owner.to_string()));
            return;
        }
        let node = match &a.value {
            // jsonencode(local.policy)
            Val::Jsonencode(n) => n,
            // data.aws_iam_policy_document.assume.json
            Val::Data { node, .. } => node,
        };
        match (reference(node), kind) {
            (Some(r), Some(kind)) => {
                self.used_by.push((r.clone(), owner.to_string()));
                self.uses.push((r, kind));
            }
            // policy = var.policy: known only to whoever calls the module
            (None, Some(_)) if node.is_unknown() => {
                let expr = node.text().and_then(|t| t.var_name()).unwrap_or("?");
                let short: String = expr.chars().take(60).collect();
                let more = if short.len() < expr.len() { "…" } else { "" };
                self.out.unread.push(super::Unread {
                    file: self.file.clone(),
                    span: node.span,
                    what: format!(
                        "the policy of {owner} is computed (`{short}{more}`): not read here"
                    ),
                });
            }
            _ => {}
        }
    }

    /// A literal policy in the argument: `jsonencode({…})`, JSON text, or (for locals, which
    /// `jsonencode(local.p)` may use) an object. When `strict`, only documents with `Statement`.
    /// A policy written as data is moved out of the argument, which keeps a null in its place.
    fn policy_value(&mut self, a: &mut Attr, strict: bool) -> Option<Node> {
        let is_doc =
            |n: &Node| matches!(n.value, Value::Object(_)) && (!strict || json::is_policy(n));
        match &mut a.value {
            Val::Jsonencode(n) => is_doc(n).then(|| std::mem::take(n)),
            Val::Data {
                json: Some(segs), ..
            } => {
                let parsed = embedded::parse(segs);
                if let Some(e) = &parsed.error
                    && (!strict || parsed.root.as_ref().is_some_and(json::is_policy))
                {
                    super::report_json_error(self.file, e, self.out);
                }
                parsed.root.filter(is_doc)
            }
            Val::Data { node, .. } if strict => is_doc(node).then(|| std::mem::take(node)),
            Val::Data { .. } => None,
        }
    }
}

/// `data.aws_iam_policy_document.x.json` → `data.aws_iam_policy_document.x`; `local.p` → itself.
fn reference(n: &Node) -> Option<String> {
    let v = n.text()?.var_name()?;
    if v.starts_with("data.aws_iam_policy_document.") {
        let base = v
            .strip_suffix(".json")
            .or_else(|| v.strip_suffix(".minified_json"))?;
        return Some(base.to_string());
    }
    (v.starts_with("local.") && !v[6..].contains(['.', '[', ' '])).then(|| v.to_string())
}

/// `data.aws_caller_identity.current.account_id`: the account Terraform runs in.
fn is_caller_account(v: &str) -> bool {
    v.strip_prefix("data.aws_caller_identity.")
        .and_then(|r| r.strip_suffix(".account_id"))
        .is_some_and(|name| !name.is_empty() && !name.contains(['.', '[', ' ']))
}

/// The unknown parts of a document that name the own account.
fn own_account_vars(n: &Node, own_locals: &[String], out: &mut Vec<String>) {
    match &n.value {
        Value::Str(t) => {
            for p in t.parts.iter() {
                if let Part::Var(v) = p
                    && (is_caller_account(v) || own_locals.contains(v))
                    && !out.contains(v)
                {
                    out.push(v.clone());
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| own_account_vars(i, own_locals, out)),
        Value::Object(entries) => entries
            .iter()
            .for_each(|e| own_account_vars(&e.value, own_locals, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_own_account() {
        let n = |v: &str| Node {
            span: Span::default(),
            value: Value::Str(Text::var(v)),
        };
        assert_eq!(
            reference(&n("data.aws_iam_policy_document.a.json")).as_deref(),
            Some("data.aws_iam_policy_document.a")
        );
        assert_eq!(reference(&n("data.aws_iam_policy_document.a.id")), None);
        assert_eq!(reference(&n("local.p")).as_deref(), Some("local.p"));
        assert_eq!(reference(&n("local.p.x")), None);
        assert!(is_caller_account(
            "data.aws_caller_identity.current.account_id"
        ));
        assert!(!is_caller_account("data.aws_caller_identity.current.arn"));
    }

    #[test]
    fn policy_arns_name_their_resource() {
        let n = |v: &str| Node {
            span: Span::default(),
            value: Value::Str(Text::var(v)),
        };
        let r = |v: &str| policy_resource_ref(&n(v));
        assert_eq!(
            r("aws_iam_policy.b.arn").as_deref(),
            Some("aws_iam_policy.b")
        );
        assert_eq!(
            r("aws_iam_policy.b.id").as_deref(),
            Some("aws_iam_policy.b")
        );
        assert_eq!(
            r("aws_iam_policy.b[0].arn").as_deref(),
            Some("aws_iam_policy.b")
        );
        assert_eq!(
            r(r#"aws_iam_policy.b["x"].arn"#).as_deref(),
            Some("aws_iam_policy.b")
        );
        for v in [
            "aws_iam_policy.b.name",
            "aws_iam_policy.b",
            "var.boundary",
            "aws_iam_policy..arn",
        ] {
            assert_eq!(r(v), None, "{v}");
        }
    }

    #[test]
    fn policy_arns_written_out_name_their_policy() {
        let t = |parts: &[Part]| Node {
            span: Span::default(),
            value: Value::Str(Text {
                parts: parts.to_vec().into(),
            }),
        };
        let lit = |s: &str| Part::Lit(s.into());
        let var = |s: &str| Part::Var(s.into());
        let r = |parts: &[Part]| policy_arn_by_name(&t(parts));
        assert_eq!(
            r(&[
                lit("arn:aws:iam::"),
                var("data.aws_caller_identity.c.account_id"),
                lit(":policy/b/x")
            ])
            .as_deref(),
            Some("name:x")
        );
        assert_eq!(
            r(&[lit("arn:aws:iam::1:policy/"), var("aws_iam_policy.p.name")]).as_deref(),
            Some("aws_iam_policy.p")
        );
        assert_eq!(
            r(&[lit("arn:aws:iam::1:role/"), var("aws_iam_policy.p.name")]),
            None
        );
        assert_eq!(r(&[lit("arn:aws:iam::1:policy/")]), None);
    }

    #[test]
    fn a_resource_type_has_one_policy_argument() {
        for (i, (ty, ..)) in RESOURCE_POLICIES.iter().enumerate() {
            assert!(
                RESOURCE_POLICIES[i + 1..].iter().all(|(t, ..)| t != ty),
                "{ty} is listed twice"
            );
        }
    }
}
