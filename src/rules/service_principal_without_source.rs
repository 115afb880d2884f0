use super::{Context, Rule};
use crate::policy::PolicyDocument;
use crate::policy::conditions::narrowing_in;

declare_rule! {
    /// A resource policy that lets an AWS service principal act without `aws:SourceArn`,
    /// `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths`: the service may be made
    /// to act for another customer (the cross-service confused deputy).
    pub struct ServicePrincipalWithoutSource {
        name: "service-principal-without-source",
        category: Security,
        severity: Warning,
        summary: "a resource policy allows an AWS service principal with no `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition (confused deputy)",
        kinds: [Resource],
        default_enabled: false,
    }
}

impl Rule for ServicePrincipalWithoutSource {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            if !st.is_allow() {
                continue;
            }
            let Some(principal) = st.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            let Some(service) = principal.values_of("Service").find(|i| i.literal().is_some())
            else {
                continue;
            };
            // Any condition on who is calling — the source keys, or keys a service's request
            // does not carry (`aws:PrincipalOrgID`, `aws:SourceVpce`), which then refuse it —
            // and a `Deny` of the policy that refuses requests outside a source set, or a
            // condition the linter cannot see: not reported.
            let n = narrowing_in(doc, st);
            if n.who() || n.unknown {
                continue;
            }
            let name = service.text.display();
            let help = match lambda_permission(doc) {
                Some(Format::CloudFormation) => "set `SourceArn` (the resource that invokes) or `SourceAccount` (your account) on the permission",
                Some(Format::Terraform) => "set `source_arn` (the resource that invokes) or `source_account` (your account) on the permission",
                None => "add `\"Condition\": {\"ArnLike\": {\"aws:SourceArn\": \"<the resource that calls>\"}}` or `{\"StringEquals\": {\"aws:SourceAccount\": \"<your account>\"}}` (`aws:SourceOrgID` for an organization)",
            };
            let mut f = cx
                .finding(
                    service.span,
                    format!("`{name}` may act on this resource for any AWS account: no `aws:SourceArn` or `aws:SourceAccount` condition"),
                )
                .label("the service acts for every customer; any of them can make it use this grant")
                .help(help);
            if let Some(a) = &st.action {
                f = f.secondary(a.span, "what the service may do");
            }
            cx.report(f);
        }
    }
}

/// Where a Lambda permission was written, for a fix in its own words (its statement is
/// written by Lambda from properties: there is no `Condition` to add).
enum Format {
    CloudFormation,
    Terraform,
}

fn lambda_permission(doc: &PolicyDocument) -> Option<Format> {
    let owner = doc.owner.as_deref()?;
    if owner.starts_with("AWS::Lambda::Permission ") {
        Some(Format::CloudFormation)
    } else if owner.starts_with("aws_lambda_permission.") {
        Some(Format::Terraform)
    } else {
        None
    }
}
