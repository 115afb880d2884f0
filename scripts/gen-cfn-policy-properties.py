#!/usr/bin/env python3
"""Writes data/cfn-policy-properties.tsv: every CloudFormation resource property that holds an IAM
policy document (and its policy kind), derived from the CloudFormation resource provider schemas
that the cfn-lint package ships (cfnlint/data/schemas). Run by scripts/update-cfn-policy-properties.sh.

A property is taken when the schema says it holds a policy: its name mentions a policy (or its
description says "policy document", "resource-based policy", "access policy"…) and its type is a
free-form JSON object or "object or string" (CloudFormation's way of saying "a JSON document
written as YAML/JSON or as a string"), or a string the description calls a JSON policy. The few
lists below name what the schema text cannot say: properties that look like policies but use
another grammar (SNS filter policies, Cedar, data-protection policies), policies stored as plain
strings without a description, and the kind of each non-resource policy.

Usage: gen-cfn-policy-properties.py SCHEMAS_DIR OUT_FILE SOURCE_LABEL
"""
import json
import os
import re
import sys

schemas, out_path, source = sys.argv[1], sys.argv[2], sys.argv[3]

DOC = re.compile(
    r"(policy document|iam policy|access polic|resource[- ]based polic|resource polic|key polic|"
    r"permissions polic|json polic|policy in json|trust polic|bucket polic|json repository policy)",
    re.I,
)

# Policy-shaped properties whose grammar is not IAM's (or that hold no policy at all).
NOT_IAM = {
    ("AWS::BedrockAgentCore::Policy", "*"),  # Cedar
    ("AWS::DSQL::Cluster", "PolicyVersion"),
    ("AWS::EC2::VerifiedAccessEndpoint", "*"),  # Cedar
    ("AWS::EC2::VerifiedAccessGroup", "*"),  # Cedar
    ("AWS::ECR::Repository", "LifecyclePolicy.LifecyclePolicyText"),
    ("AWS::IoT::Policy", "*"),  # IoT Core policies: IAM-like, with their own variables and no Principal
    ("AWS::IoTSiteWise::AccessPolicy", "*"),
    ("AWS::Logs::AccountPolicy", "*"),  # data protection / subscription filter policies
    ("AWS::Logs::LogGroup", "DataProtectionPolicy"),
    ("AWS::MediaStore::Container", "LifecyclePolicy"),
    ("AWS::NetworkManager::CoreNetwork", "*"),  # core network policy grammar
    ("AWS::ODB::OdbNetwork", "*"),  # service-defined documents, not checked here
    ("AWS::OpenSearchServerless::AccessPolicy", "*"),  # OpenSearch Serverless rule lists
    ("AWS::OpenSearchServerless::LifecyclePolicy", "*"),
    ("AWS::OpenSearchServerless::SecurityPolicy", "*"),
    ("AWS::RAM::Permission", "*"),  # a statement template without Principal/Resource
    ("AWS::SNS::Subscription", "*"),  # filter, delivery, redrive, replay policies
    ("AWS::SNS::Topic", "*"),  # archive, data protection policies
    ("AWS::SQS::Queue", "*"),  # redrive policies
}

# Policies the schema text does not describe (a bare `string` without a description).
EXTRA = [
    ("AWS::Comprehend::DocumentClassifier", "ModelPolicy"),
    ("AWS::Events::EventBusPolicy", "Statement"),
    ("AWS::MediaStore::Container", "Policy"),
    ("AWS::Organizations::ResourcePolicy", "Content"),
    ("AWS::Organizations::Policy", "Content"),
    # Session policies (plain strings): a Transfer Family user's scope-down policy, the policy
    # IAM Roles Anywhere passes when it vends a session.
    ("AWS::RolesAnywhere::Profile", "SessionPolicy"),
    ("AWS::Transfer::User", "Policy"),
]

# Kinds other than `resource`. `organizations`: Organizations::Policy's `Type` says it
# (SERVICE_CONTROL_POLICY → scp, RESOURCE_CONTROL_POLICY → rcp, other types are not IAM grammar);
# `statement`: the value is one resource-policy statement, not a document.
KIND = {
    ("AWS::IAM::GroupPolicy", "PolicyDocument"): "identity",
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"): "identity",
    ("AWS::IAM::Policy", "PolicyDocument"): "identity",
    ("AWS::IAM::RolePolicy", "PolicyDocument"): "identity",
    ("AWS::IAM::UserPolicy", "PolicyDocument"): "identity",
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"): "trust",
    ("AWS::KMS::Key", "KeyPolicy"): "key",
    ("AWS::KMS::ReplicaKey", "KeyPolicy"): "key",
    ("AWS::SSO::PermissionSet", "InlinePolicy"): "identity",
    ("AWS::EC2::VPCEndpoint", "PolicyDocument"): "endpoint",
    ("AWS::Organizations::Policy", "Content"): "organizations",
    ("AWS::Events::EventBusPolicy", "Statement"): "statement",
    ("AWS::RolesAnywhere::Profile", "SessionPolicy"): "session",
    ("AWS::Transfer::User", "Policy"): "session",
}

# IAM::Role/User/Group `Policies` lists are read by the extractor itself (each item's name is
# part of the owner), not through this table.
HANDLED_IN_CODE = {"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"}


def excluded(ty, path):
    return (ty, path) in NOT_IAM or (ty, "*") in NOT_IAM


providers = os.path.join(schemas, "providers")
types = {}
for region in sorted(os.listdir(providers)):
    if region.endswith(".json"):
        for ty, h in json.load(open(os.path.join(providers, region))).items():
            types.setdefault(ty, h)

rows = set()
for ty, h in sorted(types.items()):
    # SAM's own types (a few regions list them) are read by the extractor's SAM support.
    if ty.startswith("AWS::Serverless::"):
        continue
    schema = json.load(open(os.path.join(schemas, "resources", f"{h}.json")))
    defs = schema.get("definitions", {})

    def resolve(p):
        if "$ref" in p:
            d = dict(defs.get(p["$ref"].split("/")[-1], {}))
            d.update({k: v for k, v in p.items() if k != "$ref"})
            return d
        return p

    def walk(props, path, depth):
        for name, p in props.items():
            p = resolve(p)
            t = p.get("type")
            desc = p.get("description") or ""
            full = ".".join(path + [name])
            free = (
                t in (None, "object")
                and not any(k in p for k in ("properties", "patternProperties", "oneOf", "anyOf"))
                and (t is not None or "Polic" in name)
            )
            both = isinstance(t, list) and set(t) == {"object", "string"}
            json_string = t == "string" and DOC.search(desc)
            # `PolicyArn`, `PolicyName`: a policy's name, not its text.
            named = re.search("polic", name, re.I) and not re.search("(Arn|Name)$", name)
            if named and (both or free or json_string):
                if not excluded(ty, full) and not (ty in HANDLED_IN_CODE and full.startswith("Policies.")):
                    rows.add((ty, full))
            if depth < 2:
                if "properties" in p:
                    walk(p["properties"], path + [name], depth + 1)
                items = p.get("items")
                if isinstance(items, dict):
                    items = resolve(items)
                    if "properties" in items:
                        walk(items["properties"], path + [name, "*"], depth + 1)

    walk(schema.get("properties", {}), [], 0)

for ty, path in EXTRA:
    if ty in types:
        rows.add((ty, path))
    else:
        sys.exit(f"gen-cfn-policy-properties: {ty} is no longer in the schemas")

with open(out_path, "w") as f:
    f.write(f"# CloudFormation resource properties that hold an IAM policy document.\n")
    f.write(f"# Generated by scripts/update-cfn-policy-properties.sh from {source}; do not edit.\n")
    f.write("# type<TAB>property path (`.` nests, `*` is every item of a list)<TAB>kind\n")
    for ty, path in sorted(rows):
        f.write(f"{ty}\t{path}\t{KIND.get((ty, path), 'resource')}\n")
print(f"{len(rows)} properties of {len({t for t, _ in rows})} resource types", file=sys.stderr)
