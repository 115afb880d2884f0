"""Runs parliament over every *.json file of a folder in ONE Python process.

    python parliament_dir.py DIR

Why not `parliament --directory DIR`: its CLI aborts the whole run, printing nothing, at the first
policy it cannot analyse (with parliament 1.6.4 on the AWS managed policies:
`Exception: Unknown data format: ArrayOfARN`). This driver runs the same code path as the CLI's
directory mode (find_files -> analyze_policy_string -> enhance_finding -> is_finding_filtered ->
print_finding), in one process so that parliament loads its IAM definitions once, and catches
exceptions per file so that one bad policy does not stop the rest. Findings go to stdout (JSON
lines, as `--json`); a summary line goes to stderr.
"""

import json
import sys

from parliament import analyze_policy_string, config, enhance_finding
from parliament.cli import find_files, is_finding_filtered, print_finding


def main():
    files = find_files(directory=sys.argv[1], exclude_pattern=None, policy_extension="json")
    findings, crashed = [], []
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            policy = analyze_policy_string(text, path, private_auditors_custom_path=None,
                                           include_community_auditors=False, config=config)
            findings.extend(policy.findings)
        except Exception as e:  # noqa: BLE001 - one policy parliament cannot analyse
            crashed.append(f"{path}: {type(e).__name__}: {str(e)[:100]}")
    shown = [f for f in (enhance_finding(x) for x in findings) if not is_finding_filtered(f, "LOW")]
    for f in shown:
        print_finding(f, False, True)
    print(json.dumps({"files": len(files), "crashed": len(crashed), "findings": len(shown),
                      "crash_examples": crashed[:3]}), file=sys.stderr)


if __name__ == "__main__":
    main()
