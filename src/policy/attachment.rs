//! Managed policies attached to a role, user, group or function: not policy documents, but
//! what the extract stage found in the arguments that attach one (`ManagedPolicyArns`,
//! `aws_iam_role_policy_attachment.policy_arn`, a SAM function's `Policies`, Serverless
//! `iam.role.managedPolicies`…). Rules see them through `Rule::check_attachment`.

use crate::source::Span;
use crate::syntax::tree::{Text, UNKNOWN};

/// One attachment of a managed policy, given by ARN (or, where the format allows, by name).
#[derive(Clone, Debug)]
pub struct Attachment {
    /// What attaches it: `AWS::IAM::Role Role`, `aws_iam_role_policy_attachment.admin`.
    pub owner: String,
    /// Where the owner is named (a logical id, a resource's type label, a key).
    pub owner_span: Span,
    /// The value as written, intrinsic functions folded (`!Sub` with `${AWS::Partition}` keeps
    /// the partition unknown).
    pub value: Text,
    /// The value's token: findings point here.
    pub span: Span,
    /// A bare name stands for the AWS managed policy of that name (a SAM function's `Policies`,
    /// a `data "aws_iam_policy"` looked up by `name`); elsewhere a value must be an ARN.
    pub by_name: bool,
}

/// An AWS managed policy an attachment names: `arn:PARTITION:iam::aws:policy/PATH/NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwsPolicyRef<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`; `None` when the template computes it (`${AWS::Partition}`).
    pub partition: Option<&'a str>,
    /// `/`, `/service-role/`; `None` for a bare name, which says no path.
    pub path: Option<&'a str>,
    pub name: &'a str,
}

impl AwsPolicyRef<'_> {
    /// The commercial partition, or one the template computes: the embedded list is the `aws`
    /// partition's, so a name missing from it means something only there.
    pub fn in_listed_partition(&self) -> bool {
        self.partition.is_none_or(|p| p == "aws")
    }
}

impl Attachment {
    /// Is the owner an IAM Identity Center permission set (`AWS::SSO::PermissionSet`,
    /// `aws_ssoadmin_managed_policy_attachment`)? Its policies go to the people assigned it,
    /// through roles it makes in each account, rather than to one role of the template.
    pub fn is_permission_set(&self) -> bool {
        self.owner.starts_with("AWS::SSO::PermissionSet ")
            || self
                .owner
                .starts_with("aws_ssoadmin_managed_policy_attachment.")
    }

    /// The AWS managed policy this attachment names, when its name is known. Customer managed
    /// policies (an account id instead of `aws`) and values with an unknown name are `None`.
    pub fn aws_policy(&self) -> Option<AwsPolicyRef<'_>> {
        match self.value.literal() {
            Some(text) => parse_literal(text, self.by_name),
            None => self.aws_policy_with_unknown_partition(),
        }
    }

    /// `arn:${AWS::Partition}:iam::aws:policy/NAME` (CDK's and `!Sub`'s way): the partition is
    /// the one unknown part.
    fn aws_policy_with_unknown_partition(&self) -> Option<AwsPolicyRef<'_>> {
        use crate::syntax::tree::Part;
        let [Part::Lit(head), Part::Var(_), Part::Lit(tail)] = &*self.value.parts else {
            return None;
        };
        if head != "arn:" {
            return None;
        }
        let (path, name) = split_resource(tail.strip_prefix(":iam::aws:policy")?)?;
        Some(AwsPolicyRef {
            partition: None,
            path: Some(path),
            name,
        })
    }
}

/// `arn:aws:iam::aws:policy/service-role/X` or (when `by_name`) `X`.
fn parse_literal(text: &str, by_name: bool) -> Option<AwsPolicyRef<'_>> {
    if text.contains(UNKNOWN) {
        return None;
    }
    let Some(rest) = text.strip_prefix("arn:") else {
        return (by_name && is_name(text)).then_some(AwsPolicyRef {
            partition: Some("aws"),
            path: None,
            name: text,
        });
    };
    let (partition, rest) = rest.split_once(':')?;
    let (path, name) = split_resource(rest.strip_prefix("iam::aws:policy")?)?;
    Some(AwsPolicyRef {
        partition: Some(partition),
        path: Some(path),
        name,
    })
}

/// `/service-role/X` → (`/service-role/`, `X`).
fn split_resource(resource: &str) -> Option<(&str, &str)> {
    if !resource.starts_with('/') {
        return None;
    }
    let cut = resource.rfind('/')? + 1;
    let (path, name) = resource.split_at(cut);
    is_name(name).then_some((path, name))
}

/// IAM's policy name characters: letters, digits and `+=,.@_-`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::{Part, TextBuilder};

    fn attachment(parts: Vec<Part>, by_name: bool) -> Attachment {
        let mut b = TextBuilder::default();
        for p in parts {
            b.push(p);
        }
        Attachment {
            owner: "o".into(),
            owner_span: Span::new(0, 0),
            value: b.finish(),
            span: Span::new(0, 0),
            by_name,
        }
    }

    fn lit(s: &str, by_name: bool) -> Option<(Option<String>, Option<String>, String)> {
        let a = attachment(vec![Part::Lit(s.to_string())], by_name);
        a.aws_policy().map(|r| {
            (
                r.partition.map(str::to_string),
                r.path.map(str::to_string),
                r.name.to_string(),
            )
        })
    }

    #[test]
    fn arns_names_and_paths() {
        let p = lit("arn:aws:iam::aws:policy/service-role/AWSLambdaRole", false).unwrap();
        assert_eq!(p.1.as_deref(), Some("/service-role/"));
        assert_eq!(p.2, "AWSLambdaRole");
        let p = lit("arn:aws-cn:iam::aws:policy/AdministratorAccess", false).unwrap();
        assert_eq!(p.0.as_deref(), Some("aws-cn"));
        assert_eq!(lit("AmazonS3ReadOnlyAccess", true).unwrap().1, None);
        // A bare name is no ARN where only ARNs are taken; customer policies are not AWS's.
        assert!(lit("AmazonS3ReadOnlyAccess", false).is_none());
        assert!(lit("arn:aws:iam::123456789012:policy/Mine", false).is_none());
        assert!(lit("arn:aws:iam::aws:policy/", false).is_none());
    }

    #[test]
    fn an_unknown_partition_is_allowed_and_an_unknown_name_is_not() {
        let a = attachment(
            vec![
                Part::Lit("arn:".into()),
                Part::Var("AWS::Partition".into()),
                Part::Lit(":iam::aws:policy/ReadOnlyAccess".into()),
            ],
            false,
        );
        let r = a.aws_policy().unwrap();
        assert_eq!((r.partition, r.name), (None, "ReadOnlyAccess"));
        assert!(r.in_listed_partition());
        let a = attachment(
            vec![
                Part::Lit("arn:aws:iam::aws:policy/".into()),
                Part::Var("Name".into()),
            ],
            false,
        );
        assert!(a.aws_policy().is_none());
        assert!(
            attachment(vec![Part::Var("PolicyArn".into())], true)
                .aws_policy()
                .is_none()
        );
    }
}
