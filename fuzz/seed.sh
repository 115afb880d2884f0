#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ with the repository's own fixtures and examples, so each target
# starts from real policies, templates and Terraform instead of from nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
seed() { # target, find-name-args…
  local target=$1; shift
  mkdir -p "fuzz/corpus/$target"
  find tests/fixtures examples -type f \( "$@" \) -print0 |
    while IFS= read -r -d '' f; do
      cp "$f" "fuzz/corpus/$target/$(printf '%s' "$f" | md5sum | cut -c1-16)"
    done
}
seed json -name '*.json'
seed yaml -name '*.yaml' -o -name '*.yml' -o -name '*.template'
seed hcl -name '*.tf'
seed pipeline -name '*.json' -o -name '*.yaml' -o -name '*.yml' -o -name '*.template' -o -name '*.tf'
