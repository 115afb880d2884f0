#!/usr/bin/env bash
# Regenerates data/cfn-policy-properties.tsv (the CloudFormation resource properties that hold a
# policy document) from the CloudFormation resource provider schemas shipped in a pinned version
# of the PyPI package cfn-lint (cfnlint/data/schemas). Needs python3 and pip; the wheel is
# downloaded into a throw-away folder and unzipped, never installed or run.
#
#   scripts/update-cfn-policy-properties.sh
#   CFN_LINT_VERSION=x.y.z scripts/update-cfn-policy-properties.sh   # try another version
#
# Then run `cargo test --test cloudformation` and commit data/ with this file.
set -euo pipefail

PINNED_VERSION=1.58.0
VERSION=${CFN_LINT_VERSION:-$PINNED_VERSION}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "cfn-lint==$VERSION"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
  "$tmp"/cfn_lint-"$VERSION"-*.whl "$tmp/pkg"
schemas="$tmp/pkg/cfnlint/data/schemas"
date=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["schema_date"])' \
  "$schemas/version.json" 2>/dev/null || echo unknown)

python3 "$root/scripts/gen-cfn-policy-properties.py" "$schemas" \
  "$root/data/cfn-policy-properties.tsv" "cfn-lint $VERSION (resource schemas of $date)"
