//! Terraform plans as JSON (`terraform show -json plan.out`): every policy in `planned_values`
//! (the root module's resources and every child module's, nested), read by the same
//! resource/argument table as `.tf` files ([`super::RESOURCE_POLICIES`]), with the values the
//! plan resolved. A policy argument is a JSON string there: it is parsed inside the string, so
//! spans point into the plan file. A policy the plan knows only after apply
//! (`resource_changes[].change.after_unknown`) is noted as not read. An `aws_iam_policy` a role
//! or user sets as its permissions boundary, and nothing attaches, is read as a boundary.

use std::collections::HashSet;
use std::sync::Arc;

use super::super::export::string_policy;
use super::super::{Extracted, Unread};
use super::{ATTACHMENTS, RESOURCE_POLICIES};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::source::SourceFile;
use crate::syntax::tree::{Node, Value};

/// A plan: `format_version` and `planned_values` at the top.
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some() && root.get("planned_values").is_some()
}

/// Reads a plan's policies; `false` when `root` is no plan.
pub fn extract(file: &Arc<SourceFile>, root: &mut Node, out: &mut Extracted) -> bool {
    if !is_plan(root) {
        return false;
    }
    let unknown = after_unknown(root);
    let boundaries = boundary_policies(root);
    let mut cx = Cx {
        file,
        out,
        unknown,
        boundaries,
    };
    if let Some(module) = root
        .get_mut("planned_values")
        .and_then(|p| p.get_mut("root_module"))
    {
        cx.module(module);
    }
    true
}

struct Cx<'a> {
    file: &'a Arc<SourceFile>,
    out: &'a mut Extracted,
    /// `address/argument` of the arguments the plan knows only after apply.
    unknown: HashSet<String>,
    /// The `aws_iam_policy` addresses (without a `count`/`for_each` index) that are permissions
    /// boundaries only ([`boundary_policies`]).
    boundaries: HashSet<String>,
}

/// `aws_iam_policy.b` of `aws_iam_policy.b[0]` or `aws_iam_policy.b["x"]`.
fn without_index(address: &str) -> &str {
    address
        .strip_suffix(']')
        .and_then(|a| a.rfind('[').map(|i| &address[..i]))
        .unwrap_or(address)
}

/// The policy a value names: `aws_iam_policy.b` of a configuration reference
/// (`aws_iam_policy.b.arn`, `module.m.aws_iam_policy.b` is not the root module's).
fn policy_reference(reference: &str) -> Option<String> {
    let name = reference.strip_prefix("aws_iam_policy.")?;
    let name = name.split(['.', '[']).next().filter(|n| !n.is_empty())?;
    Some(format!("aws_iam_policy.{name}"))
}

/// The plan's `aws_iam_policy` resources (addresses without index) that a role or user sets as
/// its `permissions_boundary` and nothing attaches (`policy_arn` of an attachment, a role's
/// `managed_policy_arns`). A policy is named by the value the plan resolved
/// (`arn:…:policy/NAME`, matched with the policy's `name`) or, in the root module, by the
/// configuration's reference (`aws_iam_policy.b.arn`, when the ARN is known only after apply).
fn boundary_policies(root: &Node) -> HashSet<String> {
    fn each_resource<'n>(module: &'n Node, f: &mut impl FnMut(&'n Node)) {
        for r in module.get("resources").map_or(&[][..], Node::items) {
            f(r);
        }
        for c in module.get("child_modules").map_or(&[][..], Node::items) {
            each_resource(c, f);
        }
    }
    let policy_name = |arn: &str| {
        let (_, path) = arn.rsplit_once(":policy/")?;
        path.rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    };
    let (mut policies, mut bound_names, mut attached_names) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(m) = root
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        each_resource(m, &mut |r| {
            let ty = r.get("type").and_then(Node::literal).unwrap_or("");
            let address = r.get("address").and_then(Node::literal).unwrap_or("");
            let Some(values) = r.get("values") else {
                return;
            };
            let arns = |arg: &str| -> Vec<String> {
                values.get(arg).map_or(Vec::new(), |v| {
                    let items = if v.literal().is_some() {
                        std::slice::from_ref(v)
                    } else {
                        v.items()
                    };
                    items
                        .iter()
                        .filter_map(Node::literal)
                        .filter_map(policy_name)
                        .collect()
                })
            };
            match ty {
                "aws_iam_policy" => {
                    if let Some(n) = values.get("name").and_then(Node::literal) {
                        policies.push((without_index(address).to_string(), n.to_string()));
                    }
                }
                "aws_iam_role" | "aws_iam_user" => {
                    bound_names.extend(arns("permissions_boundary"));
                    attached_names.extend(arns("managed_policy_arns"));
                }
                t if ATTACHMENTS.contains(&t) => attached_names.extend(arns("policy_arn")),
                _ => {}
            }
        });
    }
    let (mut bound, mut attached) = (HashSet::new(), HashSet::new());
    let config = root
        .get("configuration")
        .and_then(|c| c.get("root_module"))
        .and_then(|m| m.get("resources"));
    for r in config.map_or(&[][..], Node::items) {
        let ty = r.get("type").and_then(Node::literal).unwrap_or("");
        let refs = |arg: &str| -> Vec<String> {
            r.get("expressions")
                .and_then(|e| e.get(arg))
                .and_then(|x| x.get("references"))
                .map_or(&[][..], Node::items)
                .iter()
                .filter_map(Node::literal)
                .filter_map(policy_reference)
                .collect()
        };
        match ty {
            "aws_iam_role" | "aws_iam_user" => {
                bound.extend(refs("permissions_boundary"));
                attached.extend(refs("managed_policy_arns"));
            }
            t if ATTACHMENTS.contains(&t) => attached.extend(refs("policy_arn")),
            _ => {}
        }
    }
    for (address, name) in policies {
        if bound_names.contains(&name) {
            bound.insert(address.clone());
        }
        if attached_names.contains(&name) {
            attached.insert(address);
        }
    }
    bound.retain(|b| !attached.contains(b));
    bound
}

/// Every `address/argument` whose value `resource_changes` marks unknown until apply.
fn after_unknown(root: &Node) -> HashSet<String> {
    let mut set = HashSet::new();
    for rc in root.get("resource_changes").map_or(&[][..], Node::items) {
        let Some(address) = rc.get("address").and_then(Node::literal) else {
            continue;
        };
        let Some(unknown) = rc.get("change").and_then(|c| c.get("after_unknown")) else {
            continue;
        };
        for e in unknown.entries().unwrap_or_default() {
            if matches!(e.value.value, Value::Bool(true)) {
                set.insert(format!("{address}/{}", e.key.name.as_str()));
            }
        }
    }
    set
}

impl Cx<'_> {
    fn module(&mut self, module: &mut Node) {
        if let Some(resources) = module.get_mut("resources") {
            for r in resources.items_mut() {
                self.resource(r);
            }
        }
        if let Some(children) = module.get_mut("child_modules") {
            for c in children.items_mut() {
                self.module(c);
            }
        }
    }

    fn resource(&mut self, r: &mut Node) {
        // Data sources (`aws_iam_policy_document`) are read where a resource uses their value.
        if r.get("mode")
            .and_then(Node::literal)
            .is_some_and(|m| m != "managed")
        {
            return;
        }
        let ty = r
            .get("type")
            .and_then(Node::literal)
            .unwrap_or("")
            .to_string();
        let (address, address_span) = match r.get("address") {
            Some(a) => (a.literal().unwrap_or("?").to_string(), Some(a.span)),
            None => ("?".to_string(), None),
        };
        let Some(values) = r.get_mut("values") else {
            return;
        };
        let values_span = values.span;
        let entry = RESOURCE_POLICIES.iter().find(|(t, ..)| *t == ty);
        let Some(&(_, arg, kind)) = entry else {
            self.unknown_type(values, &ty, &address);
            return;
        };
        let kind = if ty == "aws_organizations_policy" {
            match values.get("type").and_then(Node::literal) {
                None | Some("SERVICE_CONTROL_POLICY") => Some(PolicyKind::Scp),
                Some("RESOURCE_CONTROL_POLICY") => Some(PolicyKind::Rcp),
                Some(_) => None,
            }
        } else if ty == "aws_iam_policy" && self.boundaries.contains(without_index(&address)) {
            Some(PolicyKind::Boundary)
        } else {
            Some(kind)
        };
        if let Some(kind) = kind {
            match arg.split_once('.') {
                // details = [{ policy = "…" }]
                Some((block, inner)) => {
                    if let Some(b) = values.get_mut(block) {
                        for item in b.items_mut() {
                            if let Some(v) = item.get_mut(inner) {
                                self.policy(v, kind, &address, address_span);
                            }
                        }
                    }
                }
                None => match values.get_mut(arg) {
                    Some(v) if !matches!(v.value, Value::Null) => {
                        self.policy(v, kind, &address, address_span);
                    }
                    _ if self.unknown.contains(&format!("{address}/{arg}")) => {
                        self.out.unread.push(Unread {
                            file: self.file.clone(),
                            span: address_span.unwrap_or(values_span),
                            what: format!(
                                "`{arg}` of {address} is known only after apply: not in the plan"
                            ),
                        });
                    }
                    _ => {}
                },
            }
        }
        if ty == "aws_iam_role"
            && let Some(inline) = values.get_mut("inline_policy")
        {
            for item in inline.items_mut() {
                if let Some(v) = item.get_mut("policy") {
                    self.policy(v, PolicyKind::Identity, &address, address_span);
                }
            }
        }
    }

    fn policy(
        &mut self,
        v: &mut Node,
        kind: PolicyKind,
        address: &str,
        address_span: Option<crate::source::Span>,
    ) {
        let root = match &v.value {
            Value::Object(_) => v.take(),
            Value::Str(t) if t.literal().is_some_and(|s| s.trim().is_empty()) => return,
            Value::Str(_) => {
                let Some(r) = string_policy(self.file, v, self.out) else {
                    self.out.unread.push(Unread {
                        file: self.file.clone(),
                        span: v.span,
                        what: format!("the policy of {address} is not JSON"),
                    });
                    return;
                };
                r
            }
            _ => return,
        };
        let mut doc = PolicyDocument::build(self.file, root, kind, Some(address.to_string()));
        doc.owner_span = address_span;
        self.out.documents.push(doc);
    }

    /// A resource type the table does not know with an argument whose name says policy and
    /// whose value is a JSON policy: noted, not guessed at.
    fn unknown_type(&mut self, values: &Node, ty: &str, address: &str) {
        for e in values.entries().unwrap_or_default() {
            let name = e.key.name.as_str();
            if !name.contains("polic") {
                continue;
            }
            let holds_policy = e
                .value
                .literal()
                .is_some_and(|s| s.trim_start().starts_with('{') && s.contains("Statement"));
            if holds_policy {
                self.out.unread.push(Unread {
                    file: self.file.clone(),
                    span: e.key.span,
                    what: format!(
                        "`{name}` of {address} looks like a policy, but iamlint does not know \
                         the resource type {ty}"
                    ),
                });
            }
        }
    }
}
