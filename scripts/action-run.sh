#!/usr/bin/env bash
# The "Run iamlint" step of action.yml, kept here so it can be run (and tested) outside GitHub.
#
# Reads the action's inputs from INPUT_PATHS, INPUT_FORMAT, INPUT_CONFIG, INPUT_FAIL_ON,
# INPUT_SARIF_FILE and INPUT_ONLY_CHANGED (action.yml maps them), and what GitHub sets:
# GITHUB_WORKSPACE (where to run), GITHUB_BASE_REF (a pull request's base branch) and
# GITHUB_OUTPUT (where step outputs go). IAMLINT_BIN overrides the binary.
#
# Exit status: iamlint's (0 clean, 1 findings at or above fail-on, 2 usage or I/O error), except
# that fail-on "never" turns 1 into 0.
set -euo pipefail

bin="${IAMLINT_BIN:-}"
if [[ -z "$bin" ]]; then
  if [[ -x "$HOME/.iamlint-action/bin/iamlint" ]]; then
    bin="$HOME/.iamlint-action/bin/iamlint"
  elif [[ -x "$HOME/.iamlint-action/bin/iamlint.exe" ]]; then
    bin="$HOME/.iamlint-action/bin/iamlint.exe"
  else
    bin=iamlint
  fi
fi

cd "${GITHUB_WORKSPACE:-.}"

args=(--format "${INPUT_FORMAT:-github}")

if [[ -n "${INPUT_CONFIG:-}" ]]; then
  args+=(--config "$INPUT_CONFIG")
fi

fail_on="${INPUT_FAIL_ON:-}"
case "$fail_on" in
  "" | never) ;;
  error | warning | info) args+=(--fail-on "$fail_on") ;;
  *)
    echo "::error title=iamlint::fail-on must be error, warning, info or never, not '$fail_on'"
    exit 2
    ;;
esac

if [[ "${INPUT_ONLY_CHANGED:-false}" == "true" ]]; then
  if [[ -n "${GITHUB_BASE_REF:-}" ]]; then
    base="origin/$GITHUB_BASE_REF"
    # actions/checkout fetches only the pull request's merge commit; the base needs its tree too.
    if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
      git fetch --no-tags --depth=1 origin \
        "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF"
    fi
    args+=(--new-from-rev "$base")
  else
    echo "::notice title=iamlint::only-changed applies to pull requests (GITHUB_BASE_REF is empty); reporting every line"
  fi
fi

sarif="${INPUT_SARIF_FILE:-}"
if [[ -n "$sarif" ]]; then
  args+=(--output-format sarif --output "$sarif")
fi

# Paths are separated by white space or new lines; no glob expansion.
set -f
read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
set +f
if [[ ${#paths[@]} -eq 0 ]]; then
  paths=(.)
fi

set +e
"$bin" "${args[@]}" -- "${paths[@]}"
code=$?
set -e

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "exit-code=$code"
    if [[ -n "$sarif" && -f "$sarif" ]]; then
      echo "sarif-file=$sarif"
    else
      echo "sarif-file="
    fi
  } >>"$GITHUB_OUTPUT"
fi

if [[ $code -eq 1 && "$fail_on" == "never" ]]; then
  exit 0
fi
exit "$code"
