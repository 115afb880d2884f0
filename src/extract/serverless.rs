//! Serverless Framework files (`serverless.yml`, `.yaml`, `.json`): the statements of the
//! service's role (`provider.iam.role.statements`, the older `provider.iamRoleStatements`), each
//! function's own (`functions.<name>.iamRoleStatements`, the serverless-iam-roles-per-function
//! plugin), and the CloudFormation resources under `resources.Resources`.
//!
//! Strings are read with Serverless variables (`${self:custom.bucket}`, `${opt:stage}`) as
//! unknown parts; `${aws:accountId}` is the deploying account.

use std::sync::Arc;

use super::Extracted;
use super::cloudformation::{Sink, resources_policies};
use super::intrinsic::Dialect;
use super::tree::Node;
use crate::source::SourceFile;

/// A Serverless service: a `provider` map that is AWS, or one beside a `service` name.
pub fn is_serverless(root: &Node) -> bool {
    let Some(provider) = root.get("provider").filter(|p| p.entries().is_some()) else {
        return false;
    };
    provider.get("name").and_then(Node::literal) == Some("aws") || root.get("service").is_some()
}

pub fn extract(file: &Arc<SourceFile>, root: &mut Node, out: &mut Extracted) {
    let mut sink = Sink {
        file,
        out,
        dialect: Dialect::Serverless,
    };
    if let Some(provider) = root.get("provider") {
        // provider.iam.role.managedPolicies / provider.iamManagedPolicies: ARNs
        let role = provider.get("iam").and_then(|i| i.get("role"));
        for (at, name) in [
            (role, "managedPolicies"),
            (Some(provider), "iamManagedPolicies"),
        ] {
            if let Some(e) = at.and_then(|n| n.entry(name)) {
                let owner = if name == "managedPolicies" {
                    "provider.iam.role.managedPolicies"
                } else {
                    "provider.iamManagedPolicies"
                };
                super::attach_each(sink.out, &e.value, sink.dialect, owner, e.key.span, false);
            }
        }
    }
    if let Some(provider) = root.get_mut("provider") {
        // provider:
        //   iam:
        //     role:
        //       statements: [...]
        if let Some(e) = provider
            .get_mut("iam")
            .and_then(|i| i.get_mut("role"))
            .and_then(|r| r.entry_mut("statements"))
        {
            sink.statements(
                &e.key,
                &mut e.value,
                "provider.iam.role.statements".into(),
                e.key.span,
            );
        }
        // provider:
        //   iamRoleStatements: [...]
        if let Some(e) = provider.entry_mut("iamRoleStatements") {
            sink.statements(
                &e.key,
                &mut e.value,
                "provider.iamRoleStatements".into(),
                e.key.span,
            );
        }
    }
    // functions:
    //   resize:
    //     iamRoleStatements: [...]
    for f in root
        .get_mut("functions")
        .and_then(Node::entries_mut)
        .unwrap_or_default()
    {
        if let Some(e) = f.value.entry_mut("iamRoleStatements") {
            let owner = format!("functions.{}.iamRoleStatements", f.key.name);
            sink.statements(&e.key, &mut e.value, owner, f.key.span);
        }
    }
    // provider.iam.role.permissionsBoundary (provider.rolePermissionsBoundary before v3): the
    // service role's boundary, maybe a managed policy of `resources`.
    let boundary = root.get("provider").and_then(|p| {
        p.get("iam")
            .and_then(|i| i.get("role"))
            .and_then(|r| r.get("permissionsBoundary"))
            .or_else(|| p.get("rolePermissionsBoundary"))
            .cloned()
    });
    // resources:
    //   Resources: {...}        (or a list of such maps)
    for r in root
        .get_mut("resources")
        .map(Node::items_mut)
        .unwrap_or_default()
    {
        if let Some(resources) = r.get_mut("Resources") {
            resources_policies(&mut sink, resources, boundary.as_ref());
        }
    }
}
