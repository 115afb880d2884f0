#!/usr/bin/env bash
# The install steps of action.yml: `action-install.sh key` prints the cache key for the binary
# (to GITHUB_OUTPUT when set), `action-install.sh install` builds it with `cargo install` into
# $HOME/.iamlint-action (the cached folder).
#
# INPUT_VERSION empty: build the action's own copy (GITHUB_ACTION_PATH), keyed by a hash of its
# sources, so a moving ref like @main never serves a stale binary. Otherwise a tag, branch or
# commit of IAMLINT_REPOSITORY, keyed by the commit it resolves to.
set -euo pipefail

mode="${1:?usage: action-install.sh key|install}"
action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
repo="${IAMLINT_REPOSITORY:-https://github.com/iamlint/iamlint}"
version="${INPUT_VERSION:-}"
root="$HOME/.iamlint-action"
platform="${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}"

source_hash() {
  (
    cd "$action_path"
    find Cargo.toml Cargo.lock src rules -type f -print0 | LC_ALL=C sort -z |
      xargs -0 sha256sum | sha256sum | cut -c1-16
  )
}

resolve() {
  # A commit id is its own answer; a tag or branch is looked up so the key follows it.
  if [[ "$version" =~ ^[0-9a-f]{40}$ ]]; then
    echo "$version"
  else
    # An annotated tag's own id is not a commit: prefer its peeled line ("refs/tags/v1^{}").
    local refs
    refs="$(git ls-remote "$repo" "refs/tags/$version^{}" "refs/tags/$version" "refs/heads/$version")"
    { grep -F "refs/tags/$version^{}" <<<"$refs" || head -n1 <<<"$refs"; } | head -n1 | cut -f1
  fi
}

case "$mode" in
  key)
    if [[ -z "$version" ]]; then
      key="iamlint-$platform-src-$(source_hash)"
    else
      rev="$(resolve)"
      key="iamlint-$platform-git-${rev:-$version}"
    fi
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
      echo "key=$key" >>"$GITHUB_OUTPUT"
    fi
    echo "$key"
    ;;
  install)
    if [[ -z "$version" ]]; then
      cargo install --locked --force --root "$root" --path "$action_path"
    else
      rev="$(resolve)"
      cargo install --locked --force --root "$root" --git "$repo" --rev "${rev:-$version}"
    fi
    ;;
  *)
    echo "usage: action-install.sh key|install" >&2
    exit 2
    ;;
esac
