//! Terraform plans as JSON (`terraform show -json plan.out`): every policy in `planned_values`
//! (the root module's resources and every child module's, nested), read by the same
//! resource/argument table as `.tf` files ([`super::RESOURCE_POLICIES`]), with the values the
//! plan resolved. A policy argument is a JSON string there: it is parsed inside the string, so
//! spans point into the plan file. A policy the plan knows only after apply
//! (`resource_changes[].change.after_unknown`) is noted as not read.

use std::collections::HashSet;
use std::sync::Arc;

use super::super::export::string_policy;
use super::super::{Extracted, Unread};
use super::RESOURCE_POLICIES;
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
    let mut cx = Cx { file, out, unknown };
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
