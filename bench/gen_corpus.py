#!/usr/bin/env python3
"""Deterministic benchmark trees for iamlint (standard library only).

    bench/gen_corpus.py --files N --seed S --out DIR [--mix monorepo|iac] [--manifest FILE]

--mix monorepo (default): a monorepo-like tree of N files outside node_modules. Most files are not
    IAM: TypeScript packages (package.json, tsconfig.json, .ts/.tsx, tests, locale and fixture
    JSON, small PNG images), Python services, Markdown docs, GitHub workflow YAML, Kubernetes
    manifests, Dockerfiles. The IAM part: raw policy JSON (identity, trust, resource, SCP),
    Terraform (`jsonencode(...)`, heredoc JSON, `data "aws_iam_policy_document"`), CloudFormation
    and SAM YAML (`!Sub`, `!Ref`, `!GetAtt`), a few CloudFormation JSON templates, serverless.yml.
    Besides the N files: a root `.gitignore` that ignores `node_modules/`, and `node_modules/`
    folders (root and per package; about `--node-modules` x N more files, mostly JSON and JS,
    some of them IAM policies with problems) that a linter honouring .gitignore never reads.
--mix iac: N files that are all Terraform (`terraform/<module>/*.tf`) or CloudFormation/SAM
    templates (`stacks/<name>/*.yaml`, a few `*.template.json`): the tree a Terraform +
    CloudFormation scanner is pointed at. No node_modules.

Most policies are clean. A few statements are seeded, each with exactly one problem that one
iamlint rule reports (rds-connect-prefix, rds-db-wildcard-user, kms-decrypt-without-via-service,
secret-read-unscoped, cross-account-trust-without-external-id). --manifest FILE (written outside
the tree) records file counts per kind, bytes, and the seeded problems per rule and per format.

The same arguments always give byte-identical files (`diff -r` of two runs is empty); the tree
is written from one seeded random.Random in a fixed order. DIR must not exist or be empty unless
--force, which deletes it first.
"""

import argparse
import json
import os
import random
import re
import shutil
import sys

# ------------------------------------------------------------------ vocabulary

# service -> (actions, ARN templates). Real IAM action names; kms:Decrypt,
# secretsmanager:GetSecretValue, rds-db:connect and sts:AssumeRole only appear
# through the dedicated statements below, so that clean policies stay clean.
SERVICES = {
    "s3": (["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketLocation",
            "GetObjectVersion", "GetObjectTagging", "PutObjectTagging", "AbortMultipartUpload"],
           ["arn:aws:s3:::{name}", "arn:aws:s3:::{name}/*", "arn:aws:s3:::{name}/{team}/*"]),
    "dynamodb": (["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                  "BatchGetItem", "BatchWriteItem", "DescribeTable", "ConditionCheckItem"],
                 ["arn:aws:dynamodb:{region}:{acct}:table/{name}",
                  "arn:aws:dynamodb:{region}:{acct}:table/{name}/index/*"]),
    "sqs": (["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes",
             "GetQueueUrl", "ChangeMessageVisibility"],
            ["arn:aws:sqs:{region}:{acct}:{name}", "arn:aws:sqs:{region}:{acct}:{name}-dlq"]),
    "sns": (["Publish", "Subscribe", "GetTopicAttributes", "ListSubscriptionsByTopic"],
            ["arn:aws:sns:{region}:{acct}:{name}"]),
    "logs": (["CreateLogGroup", "CreateLogStream", "PutLogEvents", "DescribeLogStreams"],
             ["arn:aws:logs:{region}:{acct}:log-group:/aws/lambda/{name}:*"]),
    "lambda": (["InvokeFunction", "GetFunction", "GetFunctionConfiguration"],
               ["arn:aws:lambda:{region}:{acct}:function:{name}"]),
    "ssm": (["GetParameter", "GetParameters", "GetParametersByPath"],
            ["arn:aws:ssm:{region}:{acct}:parameter/{team}/{name}/*"]),
    "ecr": (["BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability"],
            ["arn:aws:ecr:{region}:{acct}:repository/{team}/{name}"]),
    "kinesis": (["PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "DescribeStream"],
                ["arn:aws:kinesis:{region}:{acct}:stream/{name}"]),
    "states": (["StartExecution", "DescribeExecution"],
               ["arn:aws:states:{region}:{acct}:stateMachine:{name}"]),
    "events": (["PutEvents"], ["arn:aws:events:{region}:{acct}:event-bus/{name}"]),
}
# Actions whose only sensible resource is "*".
STAR_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "ecr:GetAuthorizationToken",
                "cloudwatch:PutMetricData", "ec2:DescribeInstances", "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups", "sts:GetCallerIdentity"]
SERVICE_NAMES = sorted(SERVICES)
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
WORDS = ["orders", "billing", "ledger", "search", "catalog", "payments", "identity", "inventory",
         "shipping", "reports", "metrics", "audit", "profile", "media", "notify", "gateway",
         "export", "archive", "session", "pricing", "ingest", "etl", "analytics", "checkout",
         "fraud", "support", "tickets", "assets", "backup", "scheduler", "events", "flags"]
TEAMS = ["platform", "data", "web", "mobile", "sre", "security", "growth", "finance", "core"]
ENVS = ["dev", "staging", "prod"]
SERVICE_PRINCIPALS = ["lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
                      "states.amazonaws.com", "events.amazonaws.com", "codebuild.amazonaws.com"]
RULES = ["cross-account-trust-without-external-id", "kms-decrypt-without-via-service",
         "rds-connect-prefix", "rds-db-wildcard-user", "secret-read-unscoped"]
# Share of identity statements that use one of those actions (kms:Decrypt, GetSecretValue,
# rds-db:connect), share of those that are seeded with a problem (so ~1.5% of all statements),
# and share of cross-account trust statements without sts:ExternalId.
SPECIAL = 0.12
SPECIAL_BAD = 0.125
TRUST_SEED_RATE = 0.15


class Sub:
    """A CloudFormation intrinsic with a scalar value: !Sub, !Ref, !GetAtt."""
    __slots__ = ("tag", "value")

    def __init__(self, tag, value):
        self.tag, self.value = tag, value

    def long_form(self):
        if self.tag == "!Ref":
            return {"Ref": self.value}
        if self.tag == "!GetAtt":
            return {"Fn::GetAtt": self.value.split(".", 1)}
        return {"Fn::" + self.tag[1:]: self.value}


class Raw(str):
    """A Terraform expression written as is (`aws_s3_bucket.data.arn`), not as a string."""


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        # one pool of random bytes, sliced for images (fast and deterministic)
        self.blob = random.Random(seed * 7919 + 1).randbytes(1 << 20)
        self.seeded = {}  # format -> rule -> count
        self.fmt = "json"  # the format of the file being generated, for `seeded`

    # -- small helpers -------------------------------------------------------------------
    def p(self, prob):
        return self.r.random() < prob

    def word(self):
        return self.r.choice(WORDS)

    def name(self):
        return f"{self.word()}-{self.word()}-{self.r.choice(ENVS)}"

    def acct(self):
        return "%012d" % self.r.randrange(10**11, 10**12)

    def hexs(self, n):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def arn(self, svc, acct=None):
        tpl = self.r.choice(SERVICES[svc][1])
        return tpl.format(name=self.name(), team=self.r.choice(TEAMS), region=self.r.choice(REGIONS),
                          acct=acct or self.acct())

    def seed(self, rule):
        by_rule = self.seeded.setdefault(self.fmt, {})
        by_rule[rule] = by_rule.get(rule, 0) + 1

    # -- statements ----------------------------------------------------------------------
    def plain_statement(self):
        r = self.r
        if self.p(0.08):
            acts = r.sample(STAR_ACTIONS, r.randint(1, 3))
            return {"Effect": "Allow", "Action": acts if len(acts) > 1 else acts[0], "Resource": "*"}
        svc = r.choice(SERVICE_NAMES)
        acts = [f"{svc}:{a}" for a in r.sample(SERVICES[svc][0], r.randint(1, min(5, len(SERVICES[svc][0]))))]
        if self.p(0.1):  # a verb wildcard that matches some of the service's actions: s3:Get*
            verb = re.match("[A-Z][a-z]+", r.choice(SERVICES[svc][0])).group(0)
            acts.append(f"{svc}:{verb}*")
        res = [self.arn(svc) for _ in range(r.randint(1, 3))]
        st = {}
        if self.p(0.5):
            st["Sid"] = f"{svc.capitalize()}{r.choice(['Read', 'Write', 'Access'])}{r.randrange(100)}"
        st["Effect"] = "Allow" if self.p(0.92) else "Deny"
        st["Action"] = acts if len(acts) > 1 or self.p(0.5) else acts[0]
        st["Resource"] = res if len(res) > 1 or self.p(0.5) else res[0]
        x = r.random()
        if x < 0.08:
            st["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": "o-" + self.hexs(10)}}
        elif x < 0.14:
            st["Condition"] = {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "shared/*"]}}
        elif x < 0.18:
            st["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
        return st

    def special_statement(self):
        """A statement for one of the actions iamlint has rules about: clean, or seeded with
        exactly one problem (counted)."""
        r = self.r
        region, acct = r.choice(REGIONS), self.acct()
        kind = r.choice(["kms", "secret", "rdsdb", "rds"])
        bad = self.p(SPECIAL_BAD)
        if kind == "kms":
            st = {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"] if self.p(0.5) else "kms:Decrypt",
                  "Resource": f"arn:aws:kms:{region}:{acct}:key/{self.hexs(8)}-{self.hexs(4)}-{self.hexs(4)}-{self.hexs(4)}-{self.hexs(12)}"}
            if bad:
                self.seed("kms-decrypt-without-via-service")
            else:
                st["Condition"] = {"StringEquals": {"kms:ViaService": f"{r.choice(['s3', 'secretsmanager', 'sqs'])}.{region}.amazonaws.com"}}
            return st
        if kind == "secret":
            if bad:
                self.seed("secret-read-unscoped")
                res = "*" if self.p(0.5) else f"arn:aws:secretsmanager:{region}:{acct}:secret:*"
            else:
                res = f"arn:aws:secretsmanager:{region}:{acct}:secret:{r.choice(ENVS)}/{self.word()}-*"
            return {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": res}
        dbuser = f"arn:aws:rds-db:{region}:{acct}:dbuser:db-{self.hexs(8).upper()}/{self.word()}_app"
        if kind == "rdsdb" and bad:
            self.seed("rds-db-wildcard-user")
            return {"Effect": "Allow", "Action": "rds-db:connect",
                    "Resource": f"arn:aws:rds-db:{region}:{acct}:dbuser:*/*"}
        if kind == "rds" and bad:
            self.seed("rds-connect-prefix")
            return {"Effect": "Allow", "Action": "rds:connect", "Resource": dbuser}
        return {"Effect": "Allow", "Action": "rds-db:connect", "Resource": dbuser}

    def identity_policy(self):
        n = self.r.randint(1, 6) if not self.p(0.03) else self.r.randint(15, 40)
        sts = [self.special_statement() if self.p(SPECIAL) else self.plain_statement() for _ in range(n)]
        return {"Version": "2012-10-17", "Statement": sts}

    def trust_policy(self, own_acct=None):
        """own_acct: how this format names its own account (a !Sub or a Terraform reference);
        a principal there is not cross-account."""
        r = self.r
        x = r.random()
        st = {"Effect": "Allow"}
        if x < 0.6:
            st["Principal"] = {"Service": r.choice(SERVICE_PRINCIPALS)}
            st["Action"] = "sts:AssumeRole"
        elif x < 0.75 and own_acct is not None:
            st["Principal"] = {"AWS": own_acct}
            st["Action"] = "sts:AssumeRole"
        elif x < 0.9:
            st["Principal"] = {"AWS": f"arn:aws:iam::{self.acct()}:root" if self.p(0.6)
                               else f"arn:aws:iam::{self.acct()}:role/{self.name()}"}
            st["Action"] = ["sts:AssumeRole", "sts:TagSession"] if self.p(0.3) else "sts:AssumeRole"
            if self.p(TRUST_SEED_RATE):
                self.seed("cross-account-trust-without-external-id")
            else:
                st["Condition"] = {"StringEquals": {"sts:ExternalId": self.hexs(16)}}
        else:
            st["Principal"] = {"Federated": f"arn:aws:iam::{self.acct()}:oidc-provider/token.actions.githubusercontent.com"}
            st["Action"] = "sts:AssumeRoleWithWebIdentity"
            st["Condition"] = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                               "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:acme/{self.word()}:*"}}
        return {"Version": "2012-10-17", "Statement": [st]}

    def bucket_policy(self, bucket_arn):
        r = self.r
        sts = [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [bucket_arn, bucket_arn + "/*"] if isinstance(bucket_arn, str) else bucket_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
        if self.p(0.6):
            sts.append({"Sid": "ReadFromOrg", "Effect": "Allow", "Principal": {"AWS": "*"},
                        "Action": ["s3:GetObject"], "Resource": sts[0]["Resource"][-1] if isinstance(sts[0]["Resource"], list) else sts[0]["Resource"],
                        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-" + self.hexs(10)}}})
        return {"Version": "2012-10-17", "Statement": sts}

    def scp(self):
        return {"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyOutsideRegions", "Effect": "Deny",
             "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*"],
             "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": self.r.sample(REGIONS, 2)}}},
            {"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": "organizations:LeaveOrganization",
             "Resource": "*"}]}

    # -- raw policy JSON -----------------------------------------------------------------
    def policy_json(self):
        self.fmt = "json"
        x = self.r.random()
        if x < 0.65:
            doc = self.identity_policy()
        elif x < 0.85:
            doc = self.trust_policy()
        elif x < 0.95:
            doc = self.bucket_policy(f"arn:aws:s3:::{self.name()}")
        else:
            doc = self.scp()
        return (json.dumps(doc, indent=self.r.choice([2, 2, 4, None])) + "\n").encode()

    # -- Terraform -----------------------------------------------------------------------
    def hcl(self, v, ind):
        sp = "  " * ind
        if isinstance(v, Raw):
            return str(v)
        if isinstance(v, str):
            # IAM's ${aws:username} must be written $${aws:username} in a Terraform string
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("${aws:", "$${aws:") + '"'
        if isinstance(v, list):
            if len(v) <= 3 and all(isinstance(x, str) and len(x) < 40 for x in v):
                return "[" + ", ".join(self.hcl(x, ind) for x in v) + "]"
            return "[\n" + "".join(f"{sp}  {self.hcl(x, ind + 1)},\n" for x in v) + sp + "]"
        if isinstance(v, dict):
            lines = []
            for k, x in v.items():
                key = k if k.isidentifier() else self.hcl(k, ind)
                lines.append(f"{sp}  {key} = {self.hcl(x, ind + 1)}\n")
            return "{\n" + "".join(lines) + sp + "}"
        raise TypeError(type(v))

    def tf_policy(self, doc, style):
        if style == "jsonencode":
            return "jsonencode(" + self.hcl(doc, 1) + ")"
        body = json.dumps(doc, indent=2).replace("${aws:", "$${aws:")
        if style == "heredoc":
            return "<<EOF\n" + body + "\nEOF"
        return "<<-POLICY\n" + "".join("    " + ln + "\n" for ln in body.split("\n")) + "  POLICY"

    def tf_document(self, label):
        """data "aws_iam_policy_document" from an identity policy's statements."""
        out = [f'data "aws_iam_policy_document" "{label}" {{']
        for st in self.identity_policy()["Statement"]:
            out.append("  statement {")
            if "Sid" in st:
                out.append(f'    sid       = "{st["Sid"]}"')
            if st["Effect"] != "Allow" or self.p(0.5):
                out.append(f'    effect    = "{st["Effect"]}"')
            acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            out.append(f"    actions   = {self.hcl(acts, 2)}")
            res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            if res != ["*"] and self.p(0.2) and not any(":dbuser:" in x or ":secret:" in x for x in res):
                res = [Raw("aws_s3_bucket.data.arn"), "${aws_s3_bucket.data.arn}/*"]
            out.append(f"    resources = {self.hcl(res, 2)}")
            for test, kv in st.get("Condition", {}).items():
                for var, vals in kv.items():
                    out += ["    condition {", f'      test     = "{test}"', f'      variable = "{var}"',
                            f"      values   = {self.hcl(vals if isinstance(vals, list) else [vals], 3)}", "    }"]
            out.append("  }")
        out.append("}")
        return "\n".join(out)

    def tf_iam_block(self):
        r = self.r
        lbl = f"{self.word()}_{r.randrange(100)}"
        style = r.choice(["jsonencode", "jsonencode", "heredoc", "indented"])
        x = r.random()
        if x < 0.3:
            return (f'resource "aws_iam_policy" "{lbl}" {{\n  name        = "{self.name()}"\n'
                    f'  description = "Managed by Terraform"\n'
                    f"  policy      = {self.tf_policy(self.identity_policy(), style)}\n}}")
        if x < 0.55:
            own = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"
            return (f'resource "aws_iam_role" "{lbl}" {{\n  name               = "{self.name()}"\n'
                    f"  assume_role_policy = {self.tf_policy(self.trust_policy(own), style)}\n"
                    f'  tags = {{\n    team = "{r.choice(TEAMS)}"\n  }}\n}}\n\n'
                    f'resource "aws_iam_role_policy" "{lbl}" {{\n  name   = "{self.name()}"\n'
                    f"  role   = aws_iam_role.{lbl}.id\n"
                    f"  policy = {self.tf_policy(self.identity_policy(), style)}\n}}")
        if x < 0.85:
            return (self.tf_document(lbl) + "\n\n"
                    f'resource "aws_iam_policy" "{lbl}" {{\n  name   = "{self.name()}"\n'
                    f"  policy = data.aws_iam_policy_document.{lbl}.json\n}}")
        doc = self.bucket_policy([Raw("aws_s3_bucket.data.arn"), "${aws_s3_bucket.data.arn}/*"])
        return (f'resource "aws_s3_bucket_policy" "{lbl}" {{\n  bucket = aws_s3_bucket.data.id\n'
                f'  policy = {self.tf_policy(doc, "jsonencode")}\n}}')

    def tf_other_block(self):
        r = self.r
        lbl = self.word()
        x = r.random()
        if x < 0.25:
            return (f'resource "aws_s3_bucket" "{lbl}" {{\n  bucket = "{self.name()}-{self.hexs(6)}"\n'
                    f'  tags = {{\n    Name = "{lbl}"\n    env  = var.env\n  }}\n}}')
        if x < 0.45:
            return (f'resource "aws_lambda_function" "{lbl}" {{\n  function_name = "{self.name()}"\n'
                    f"  role          = aws_iam_role.{lbl}.arn\n  handler       = \"index.handler\"\n"
                    f'  runtime       = "nodejs22.x"\n  filename      = "dist/{lbl}.zip"\n'
                    f"  memory_size   = {r.choice([128, 256, 512, 1024])}\n}}")
        if x < 0.65:
            return (f'variable "{lbl}_{r.randrange(100)}" {{\n  type        = string\n'
                    f'  description = "{self.word()} setting"\n  default     = "{r.choice(ENVS)}"\n}}')
        if x < 0.8:
            return (f'resource "aws_sqs_queue" "{lbl}" {{\n  name                       = "{self.name()}"\n'
                    f"  visibility_timeout_seconds = {r.choice([30, 60, 300])}\n}}")
        if x < 0.9:
            # a registry module: scanners do not download it (no local folder to resolve)
            return (f'module "{lbl}" {{\n  source  = "terraform-aws-modules/{self.r.choice(["sqs", "sns", "s3-bucket"])}/aws"\n'
                    f'  version = "~> 4.0"\n'
                    f'  name    = "{self.name()}"\n  env     = var.env\n}}')
        return f'output "{lbl}_arn" {{\n  value = aws_s3_bucket.data.arn\n}}'

    def terraform(self, iam_share):
        self.fmt = "terraform"
        blocks = [self.tf_iam_block() if self.p(iam_share) else self.tf_other_block()
                  for _ in range(self.r.randint(1, 5))]
        return ("\n\n".join(blocks) + "\n").encode()

    def terraform_boilerplate(self, which):
        if which == "versions":
            return (b'terraform {\n  required_version = ">= 1.5"\n  required_providers {\n'
                    b'    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n\n'
                    b'data "aws_caller_identity" "current" {}\n')
        return (f'variable "env" {{\n  type    = string\n  default = "{self.r.choice(ENVS)}"\n}}\n\n'
                f'resource "aws_s3_bucket" "data" {{\n  bucket = "{self.name()}-${{var.env}}"\n}}\n').encode()

    # -- CloudFormation / SAM / Serverless -------------------------------------------------
    def cfn_doc(self, doc):
        """Intrinsics in Resource fields, the way templates write them."""
        for st in doc["Statement"]:
            res = st.get("Resource")
            if res and res != "*" and self.p(0.35) and not any(m in str(res) for m in (":dbuser:", ":secret:", ":key/")):
                st["Resource"] = [Sub("!Sub", "arn:${AWS::Partition}:s3:::${DataBucket}/*"),
                                  Sub("!GetAtt", "DataBucket.Arn")]
        return doc

    def cfn_template(self, sam):
        r = self.r
        own = Sub("!Sub", "arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
        res = {"DataBucket": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": Sub("!Sub", "${AWS::StackName}-${Env}-" + self.word())}}}
        for i in range(r.randint(1, 4)):
            lid = f"{self.word().capitalize()}{i}"
            x = r.random()
            if sam and x < 0.5:
                res[lid + "Function"] = {"Type": "AWS::Serverless::Function", "Properties": {
                    "Handler": "index.handler", "Runtime": "nodejs22.x", "CodeUri": f"src/{lid.lower()}/",
                    "Environment": {"Variables": {"TABLE": Sub("!Ref", "Table"), "BUCKET": Sub("!Ref", "DataBucket")}},
                    "Policies": [{"DynamoDBReadPolicy": {"TableName": Sub("!Ref", "Table")}},
                                 self.cfn_doc(self.identity_policy())]}}
            elif x < 0.6:
                props = {"AssumeRolePolicyDocument": self.trust_policy(own),
                         "Policies": [{"PolicyName": self.name(), "PolicyDocument": self.cfn_doc(self.identity_policy())}]}
                if self.p(0.4):
                    props["ManagedPolicyArns"] = [Sub("!Sub", "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")]
                res[lid + "Role"] = {"Type": "AWS::IAM::Role", "Properties": props}
            elif x < 0.8:
                res[lid + "Policy"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
                    "Description": "managed policy", "PolicyDocument": self.cfn_doc(self.identity_policy())}}
            elif "BucketPolicy" not in res:
                res["BucketPolicy"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {
                    "Bucket": Sub("!Ref", "DataBucket"),
                    "PolicyDocument": self.bucket_policy(Sub("!Sub", "${DataBucket.Arn}/*"))}}
            else:
                res[lid + "Queue"] = {"Type": "AWS::SQS::Queue", "Properties": {
                    "VisibilityTimeout": r.choice([30, 60, 300])}}
        res["Table"] = {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}
        tpl = {"AWSTemplateFormatVersion": "2010-09-09"}
        if sam:
            tpl["Transform"] = "AWS::Serverless-2016-10-31"
        tpl.update({"Description": f"{self.word()} service stack",
                    "Parameters": {"Env": {"Type": "String", "Default": "dev", "AllowedValues": ENVS}},
                    "Resources": res,
                    "Outputs": {"BucketArn": {"Value": Sub("!GetAtt", "DataBucket.Arn")}}})
        return tpl

    def yaml_scalar(self, v):
        if isinstance(v, Sub):
            return f"{v.tag} {self.yaml_scalar(v.value)}"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if v and all(c.isalnum() or c in "-_./:" for c in v) and not v[0].isdigit() \
                and v.lower() not in ("true", "false", "yes", "no", "on", "off", "null", "y", "n") \
                and ": " not in v and not v.endswith(":"):
            return v
        return "'" + v.replace("'", "''") + "'"

    def yaml(self, obj, ind=0, out=None):
        out = [] if out is None else out
        sp = " " * ind
        if isinstance(obj, dict):
            for k, v in obj.items():
                if isinstance(v, (dict, list)) and v:
                    out.append(f"{sp}{k}:")
                    self.yaml(v, ind + 2, out)
                else:
                    out.append(f"{sp}{k}: {self.yaml_scalar(v) if not isinstance(v, (dict, list)) else '{}' if isinstance(v, dict) else '[]'}")
        else:
            for v in obj:
                if isinstance(v, dict) and v:
                    sub = self.yaml(v, ind + 2, [])
                    sub[0] = sp + "- " + sub[0][ind + 2:]
                    out.extend(sub)
                elif isinstance(v, list) and v:
                    out.append(sp + "-")
                    self.yaml(v, ind + 2, out)
                else:
                    out.append(f"{sp}- {self.yaml_scalar(v)}")
        return out

    def long_form(self, obj):
        if isinstance(obj, Sub):
            return obj.long_form()
        if isinstance(obj, dict):
            return {k: self.long_form(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.long_form(v) for v in obj]
        return obj

    def cfn_yaml(self, sam=False):
        self.fmt = "cloudformation"
        return ("\n".join(self.yaml(self.cfn_template(sam))) + "\n").encode()

    def cfn_json(self):
        self.fmt = "cloudformation-json"
        return (json.dumps(self.long_form(self.cfn_template(False)), indent=2) + "\n").encode()

    def serverless_yml(self, service):
        self.fmt = "serverless"
        sts = self.identity_policy()["Statement"]
        for st in sts:
            if st.get("Resource") != "*" and self.p(0.3) and "dbuser" not in str(st) and ":secret:" not in str(st):
                st["Resource"] = [Sub("!GetAtt", "OrdersTable.Arn"), "arn:aws:s3:::${self:service}-${sls:stage}/*"]
        doc = {"service": service, "frameworkVersion": "3",
               "provider": {"name": "aws", "runtime": "nodejs22.x", "region": self.r.choice(REGIONS),
                            "stage": "${opt:stage, 'dev'}", "iam": {"role": {"statements": sts}}},
               "functions": {"api": {"handler": "src/handler.main",
                                     "events": [{"httpApi": {"path": "/" + self.word(), "method": "get"}}]}},
               "resources": {"Resources": {"OrdersTable": {"Type": "AWS::DynamoDB::Table", "Properties": {
                   "BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}}}}
        return ("\n".join(self.yaml(doc)) + "\n").encode()

    # -- files that are not IAM --------------------------------------------------------------
    def package_json(self, name):
        r = self.r
        deps = {f"@acme/{self.word()}": f"^{r.randint(0, 9)}.{r.randint(0, 20)}.0" for _ in range(r.randint(1, 5))}
        for d in r.sample(["react", "lodash", "zod", "express", "@aws-sdk/client-s3", "axios", "date-fns"], 3):
            deps[d] = f"^{r.randint(1, 18)}.{r.randint(0, 9)}.{r.randint(0, 9)}"
        return (json.dumps({"name": name, "version": f"{r.randint(0, 4)}.{r.randint(0, 30)}.{r.randint(0, 9)}",
                            "private": True, "main": "dist/index.js",
                            "scripts": {"build": "tsc -p .", "test": "jest", "lint": "eslint src"},
                            "dependencies": deps}, indent=2) + "\n").encode()

    def tsconfig(self):
        return (json.dumps({"extends": "../../tsconfig.base.json",
                            "compilerOptions": {"outDir": "dist", "rootDir": "src", "strict": True,
                                                "target": "ES2022", "module": "NodeNext"},
                            "include": ["src/**/*"]}, indent=2) + "\n").encode()

    def code_ts(self):
        r = self.r
        w = self.word()
        out = [f"import {{ {w.capitalize()}Client }} from '@acme/{w}';", ""]
        for i in range(r.randint(2, 20)):
            out += [f"export async function {w}{i}(input: {{ id: string; n: number }}): Promise<number> {{",
                    f"  const c = new {w.capitalize()}Client({{ region: '{r.choice(REGIONS)}' }});",
                    f"  return (await c.get(input.id)).length * {r.randint(1, 99)} + input.n;", "}", ""]
        return "\n".join(out).encode()

    def code_py(self):
        out = ["import json", "import boto3", ""]
        for i in range(self.r.randint(2, 12)):
            out += [f"def handler_{i}(event, context):",
                    f"    table = boto3.resource('dynamodb').Table('{self.name()}')",
                    "    return {'statusCode': 200, 'body': json.dumps(table.get_item(Key={'pk': event['id']}))}", ""]
        return "\n".join(out).encode()

    def markdown(self, title):
        r = self.r
        paras = [" ".join(r.choice(WORDS) for _ in range(r.randint(20, 80))) + "." for _ in range(r.randint(2, 10))]
        return (f"# {title}\n\n" + "\n\n".join(paras) + "\n").encode()

    def png(self):
        n = self.r.randint(400, 12_000)
        off = self.r.randrange(len(self.blob) - n)
        return b"\x89PNG\r\n\x1a\n" + self.blob[off:off + n]

    def locale_json(self):
        r = self.r
        return (json.dumps({f"{self.word()}.{self.word()}.{i}": " ".join(r.choice(WORDS) for _ in range(r.randint(1, 8)))
                            for i in range(r.randint(10, 100))}, indent=2) + "\n").encode()

    def fixture_json(self):
        # not IAM, but shares key names with it (passes a naive byte prefilter)
        r = self.r
        items = [{"id": self.hexs(16), "Version": r.randint(1, 9), "Effect": r.choice(["fade", "slide"]),
                  "Statement": f"{self.word()} {self.word()}", "amount": r.randint(1, 10**6)}
                 for _ in range(r.randint(3, 50))]
        return (json.dumps({"items": items}, indent=None if self.p(0.5) else 2) + "\n").encode()

    def workflow(self):
        return (f"name: ci\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  build:\n"
                f"    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n      contents: read\n"
                f"    steps:\n      - uses: actions/checkout@v4\n"
                f"      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n"
                f"          role-to-assume: arn:aws:iam::{self.acct()}:role/gha-{self.word()}\n"
                f"          aws-region: {self.r.choice(REGIONS)}\n"
                f"      - run: npm ci && npm test -- --shard={self.r.randint(1, 4)}\n").encode()

    def k8s(self, app):
        r = self.r
        acct = self.acct()
        docs = [
            f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n  annotations:\n"
            f"    eks.amazonaws.com/role-arn: arn:aws:iam::{acct}:role/{app}-irsa\n",
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  labels:\n    app: {app}\n"
            f"spec:\n  replicas: {r.randint(1, 6)}\n  selector:\n    matchLabels:\n      app: {app}\n"
            f"  template:\n    metadata:\n      labels:\n        app: {app}\n    spec:\n"
            f"      serviceAccountName: {app}\n      containers:\n        - name: {app}\n"
            f"          image: {acct}.dkr.ecr.{r.choice(REGIONS)}.amazonaws.com/{app}:{self.hexs(7)}\n"
            f"          ports:\n            - containerPort: {r.choice([3000, 8080, 8000])}\n"
            f"          resources:\n            limits:\n              memory: {r.choice([256, 512, 1024])}Mi\n",
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n  selector:\n    app: {app}\n"
            f"  ports:\n    - port: 80\n      targetPort: 8080\n",
        ]
        return "---\n".join(docs).encode()

    def dockerfile(self):
        return (f"FROM node:20-alpine\nWORKDIR /app\nCOPY package.json .\nRUN npm ci --omit=dev\n"
                f"COPY dist ./dist\nEXPOSE {self.r.choice([3000, 8080])}\nCMD [\"node\", \"dist/index.js\"]\n").encode()


# ------------------------------------------------------------------ the tree

class Tree:
    def __init__(self, out):
        self.out = out
        self.files = 0
        self.bytes = 0
        self.kinds = {}
        self.dirs = set()
        self.paths = set()

    def write(self, rel, data, kind):
        if rel in self.paths:  # a generator bug: the tree would have fewer files than asked
            raise RuntimeError(f"path written twice: {rel}")
        self.paths.add(rel)
        path = os.path.join(self.out, rel)
        d = os.path.dirname(path)
        if d not in self.dirs:
            os.makedirs(d, exist_ok=True)
            self.dirs.add(d)
        with open(path, "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1


def monorepo_unit(g, idx):
    """(relative path, kind, body thunk) for one package/service/policy folder/doc folder."""
    r = g.r
    w = g.word()
    x = r.random()
    if x < 0.55:  # TypeScript package
        base = f"packages/{w}-{idx:05d}"
        yield f"{base}/package.json", "package.json", lambda: g.package_json(f"@acme/{w}-{idx}")
        yield f"{base}/tsconfig.json", "tsconfig.json", g.tsconfig
        yield f"{base}/README.md", "markdown", lambda: g.markdown(w)
        for i in range(r.randint(3, 14)):
            yield f"{base}/src/{g.word()}{i}.{'tsx' if g.p(0.3) else 'ts'}", "typescript", g.code_ts
        for i in range(r.randint(0, 5)):
            yield f"{base}/test/{g.word()}{i}.test.ts", "typescript", g.code_ts
        for i in range(r.randint(0, 4)):
            yield f"{base}/assets/{g.word()}{i}.png", "png", g.png
        if g.p(0.4):
            for lang in r.sample(["en", "de", "fr", "ja"], r.randint(1, 3)):
                yield f"{base}/locales/{lang}.json", "locale.json", g.locale_json
        if g.p(0.25):
            for i in range(r.randint(1, 3)):
                yield f"{base}/test/fixtures/{g.word()}{i}.json", "fixture.json", g.fixture_json
    elif x < 0.82:  # backend service with its infrastructure
        base = f"services/{w}-{idx:05d}"
        yield f"{base}/README.md", "markdown", lambda: g.markdown(w)
        yield f"{base}/Dockerfile", "dockerfile", g.dockerfile
        for i in range(r.randint(2, 8)):
            yield f"{base}/src/{g.word()}_{i}.py", "python", g.code_py
        if g.p(0.6):
            yield f"{base}/terraform/versions.tf", "terraform", lambda: g.terraform_boilerplate("versions")
            yield f"{base}/terraform/main.tf", "terraform", lambda: g.terraform(0.2)
            for i in range(r.randint(0, 2)):
                yield f"{base}/terraform/iam_{g.word()}_{i}.tf", "terraform", lambda: g.terraform(0.8)
        if g.p(0.3):
            yield f"{base}/cloudformation/template.yaml", "cloudformation.yaml", lambda: g.cfn_yaml(sam=g.p(0.5))
        if g.p(0.05):
            yield f"{base}/cloudformation/{w}.template.json", "cloudformation.json", g.cfn_json
        if g.p(0.2):
            yield f"{base}/serverless.yml", "serverless.yml", lambda: g.serverless_yml(f"{w}-{idx}")
        if g.p(0.5):
            for i in range(r.randint(1, 4)):
                yield f"{base}/iam/{g.word()}-{i}.json", "policy.json", g.policy_json
        if g.p(0.5):
            yield f"{base}/k8s/{w}.yaml", "k8s.yaml", lambda: g.k8s(f"{w}-{idx}")
        if g.p(0.4):
            yield f"{base}/.github/workflows/ci.yml", "workflow.yaml", g.workflow
    elif x < 0.87:  # central policy library
        base = f"policies/{r.choice(TEAMS)}/{r.choice(ENVS)}/{w}-{idx:05d}"
        yield f"{base}/README.md", "markdown", lambda: g.markdown(w)
        for i in range(r.randint(3, 12)):
            yield f"{base}/{g.word()}-{i}.json", "policy.json", g.policy_json
    else:  # docs
        base = f"docs/{w}-{idx:05d}"
        for i in range(r.randint(2, 10)):
            yield f"{base}/{g.word()}{i}.md", "markdown", lambda: g.markdown(w)
        for i in range(r.randint(0, 4)):
            yield f"{base}/img/{g.word()}{i}.png", "png", g.png


def node_modules_files(g, budget):
    """Files under node_modules/ folders, which the root .gitignore ignores."""
    r = g.r
    made = i = 0
    while made < budget:
        i += 1
        cdk = g.p(0.08)
        pkg = f"@aws-cdk/{g.word()}-{i}" if cdk else f"{g.word()}-{g.word()}-{i}"
        where = "node_modules" if g.p(0.8) else f"packages/{g.word()}-{r.randrange(1000):05d}/node_modules"
        base = f"{where}/{pkg}"
        files = [(f"{base}/package.json", "package.json", lambda p=pkg: g.package_json(p)),
                 (f"{base}/index.js", "js", g.code_ts), (f"{base}/README.md", "markdown", lambda: g.markdown(pkg))]
        files += [(f"{base}/lib/{g.word()}{k}.js", "js", g.code_ts) for k in range(r.randint(0, 6))]
        files += [(f"{base}/data/{g.word()}{k}.json", "fixture.json", g.fixture_json) for k in range(r.randint(0, 4))]
        if cdk:  # test fixtures that are IAM policies, some with problems: must never be reported
            files += [(f"{base}/test/policy-{k}.json", "policy.json", g.policy_json) for k in range(r.randint(1, 4))]
        for rel, kind, thunk in files:
            if made >= budget:
                return
            yield rel, kind, thunk
            made += 1


def iac_unit(g, idx):
    r = g.r
    w = g.word()
    if g.p(0.55):
        base = f"terraform/{w}-{idx:04d}"
        yield f"{base}/versions.tf", "terraform", lambda: g.terraform_boilerplate("versions")
        yield f"{base}/variables.tf", "terraform", lambda: g.terraform_boilerplate("variables")
        yield f"{base}/main.tf", "terraform", lambda: g.terraform(0.4)
        for i in range(r.randint(1, 3)):
            yield f"{base}/iam_{g.word()}_{i}.tf", "terraform", lambda: g.terraform(0.85)
    else:
        base = f"stacks/{w}-{idx:04d}"
        for i in range(r.randint(1, 3)):
            yield f"{base}/{g.word()}-{i}.yaml", "cloudformation.yaml", lambda: g.cfn_yaml(sam=g.p(0.3))
        if g.p(0.1):
            yield f"{base}/{w}.template.json", "cloudformation.json", g.cfn_json


def generate(out, n, seed, mix, nm_ratio):
    g = Gen(seed)
    t = Tree(out)
    if mix == "monorepo":
        roots = [(".gitignore", "gitignore", lambda: b"node_modules/\n*.log\n.terraform/\ndist/\ncdk.out/\n"),
                 ("package.json", "package.json", lambda: g.package_json("acme-monorepo")),
                 ("README.md", "markdown", lambda: g.markdown("acme monorepo")),
                 ("tsconfig.base.json", "tsconfig.json", g.tsconfig),
                 (".github/workflows/deploy.yml", "workflow.yaml", g.workflow)]
        for rel, kind, thunk in roots[:n]:
            t.write(rel, thunk(), kind)
    unit = monorepo_unit if mix == "monorepo" else iac_unit
    idx = 0
    while t.files < n:
        idx += 1
        for rel, kind, thunk in unit(g, idx):
            if t.files >= n:
                break
            t.write(rel, thunk(), kind)
    tracked = dict(files=t.files, bytes=t.bytes, kinds=dict(sorted(t.kinds.items())),
                   seeded=json.loads(json.dumps(g.seeded, sort_keys=True)))
    ignored = None
    if mix == "monorepo" and nm_ratio > 0:
        g.seeded = {}
        t2 = Tree(out)
        t2.dirs, t2.paths = t.dirs, t.paths
        for rel, kind, thunk in node_modules_files(g, int(n * nm_ratio)):
            t2.write(rel, thunk(), kind)
        ignored = dict(files=t2.files, bytes=t2.bytes, kinds=dict(sorted(t2.kinds.items())),
                       seeded=json.loads(json.dumps(g.seeded, sort_keys=True)))
    return {"args": {"files": n, "seed": seed, "mix": mix, "node_modules": nm_ratio},
            "tracked": tracked, "ignored_node_modules": ignored,
            "note": "seeded = statements with exactly one problem, per file format and iamlint rule"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, required=True, help="files outside node_modules")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mix", choices=["monorepo", "iac"], default="monorepo")
    ap.add_argument("--node-modules", type=float, default=0.3, metavar="RATIO",
                    help="monorepo: files under node_modules/ as a share of --files (default 0.3)")
    ap.add_argument("--manifest", help="write counts and seeded problems here (keep it outside --out)")
    ap.add_argument("--force", action="store_true", help="delete --out first if it is not empty")
    a = ap.parse_args(argv)
    if os.path.isdir(a.out) and os.listdir(a.out):
        if not a.force:
            ap.error(f"{a.out} is not empty (use --force to replace it)")
        shutil.rmtree(a.out)
    os.makedirs(a.out, exist_ok=True)
    m = generate(a.out, a.files, a.seed, a.mix, a.node_modules)
    if a.manifest:
        with open(a.manifest, "w") as f:
            json.dump(m, f, indent=2)
            f.write("\n")
    summary = {"out": a.out, "files": m["tracked"]["files"], "bytes": m["tracked"]["bytes"]}
    if m["ignored_node_modules"]:
        summary["node_modules_files"] = m["ignored_node_modules"]["files"]
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
