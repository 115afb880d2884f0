//! Resources AWS documents for an action that the service reference's ARN formats do not cover.
//!
//! The reference (`data/iam-data.json.br`) is generated from the Service Authorization Reference,
//! which lists one ARN format per resource type. A few resources the AWS documentation tells
//! users to write have no such format: rules that match resources against the formats
//! (`invalid-arn`, `resource-type-mismatch`) accept these as well. Each entry names its source;
//! add one only with an AWS page that shows the resource in a policy.

use super::wildcard_match;

/// A resource AWS documents for some actions.
#[derive(Debug)]
pub struct DocumentedResource {
    /// The actions that take the resource (full names, case-insensitive).
    pub actions: &'static [&'static str],
    /// The resource, as an IAM wildcard pattern (`*` any run, `?` one character).
    pub arn: &'static str,
    /// The AWS page that shows it.
    pub source: &'static str,
}

pub const DOCUMENTED_RESOURCES: &[DocumentedResource] = &[
    // A change set that uses a transform (`AWS::Serverless-2016-10-31`, `AWS::Include`) is created
    // against the transform's resource, owned by the account `aws`.
    DocumentedResource {
        actions: &["cloudformation:CreateChangeSet"],
        arn: "arn:*:cloudformation:*:aws:transform/*",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html",
    },
    // Global cross-Region inference: the foundation model is named without a region.
    DocumentedResource {
        actions: &[
            "bedrock:InvokeModel",
            "bedrock:InvokeModelWithResponseStream",
        ],
        arn: "arn:*:bedrock:::foundation-model/*",
        source: "https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html",
    },
];

/// Is `arn` (literal text) a resource AWS documents for an action `covers` accepts?
pub fn documented_for(
    arn: &str,
    covers: impl Fn(&str) -> bool,
) -> Option<&'static DocumentedResource> {
    DOCUMENTED_RESOURCES
        .iter()
        // The actions first: most statements have none of them, and matching a pattern that
        // starts `arn:*:` costs a step per character of the ARN for each.
        .find(|d| d.actions.iter().any(|a| covers(a)) && wildcard_match(d.arn, arn, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_resources_name_real_actions_and_a_source() {
        for d in DOCUMENTED_RESOURCES {
            assert!(
                d.source.starts_with("https://docs.aws.amazon.com/"),
                "{d:?}"
            );
            for a in d.actions {
                assert!(super::super::get().action_by_full_name(a).is_some(), "{a}");
            }
        }
        let t = "arn:aws:cloudformation:us-east-1:aws:transform/Serverless-2016-10-31";
        assert!(documented_for(t, |a| a == "cloudformation:CreateChangeSet").is_some());
        assert!(documented_for(t, |a| a == "cloudformation:CreateStack").is_none());
    }
}
