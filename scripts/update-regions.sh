#!/usr/bin/env bash
# Regenerates data/regions.tsv, the AWS region names per partition, from botocore's endpoint
# data (botocore/data/endpoints.json in the PyPI package botocore, Apache-2.0). Needs python3
# and pip; the wheel is downloaded into a throw-away folder and read as a zip, nothing is
# installed.
#
#   scripts/update-regions.sh                        # the pinned version below
#   BOTOCORE_VERSION=x.y.z scripts/update-regions.sh # try another version (then update the pin)
#
# To move to newer data: `pip index versions botocore` (or `pip download botocore --no-deps`),
# change PINNED_VERSION, run this script, run `cargo test --lib iamdata`, commit data/ and this
# file together.
set -euo pipefail

PINNED_VERSION=1.44.5
VERSION=${BOTOCORE_VERSION:-$PINNED_VERSION}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "botocore==$VERSION"
python3 "$root/scripts/gen-regions.py" "$tmp"/botocore-"$VERSION"-*.whl "$VERSION" > "$root/data/regions.tsv"
echo "wrote data/regions.tsv from botocore $VERSION"
