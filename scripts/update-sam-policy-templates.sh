#!/usr/bin/env bash
# Regenerates data/sam-policy-templates.tsv (every SAM policy template: its parameters and the
# statements it stands for) from samtranslator/policy_templates_data/policy_templates.json in a
# pinned version of the PyPI package aws-sam-translator. Needs python3 and pip; the wheel is
# downloaded into a throw-away folder and unzipped, never installed or run.
#
#   scripts/update-sam-policy-templates.sh
#   SAM_TRANSLATOR_VERSION=x.y.z scripts/update-sam-policy-templates.sh   # try another version
#
# Then run `cargo test --test cloudformation` and commit data/ with this file.
set -euo pipefail

PINNED_VERSION=1.115.0
VERSION=${SAM_TRANSLATOR_VERSION:-$PINNED_VERSION}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "aws-sam-translator==$VERSION"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
  "$tmp"/aws_sam_translator-"$VERSION"-*.whl "$tmp/pkg"

python3 "$root/scripts/gen-sam-policy-templates.py" \
  "$tmp/pkg/samtranslator/policy_templates_data/policy_templates.json" \
  "$root/data/sam-policy-templates.tsv" "aws-sam-translator $VERSION"
