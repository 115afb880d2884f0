#!/usr/bin/env bash
# Builds the real-world precision corpus: one folder per repository listed in repos.txt
# (`owner/name <commit>`), extracted at exactly that commit.
#
# The git mirrors are not cloned here: they come from the search tool's `fetch`
# (github:owner/name), which leaves a bare git directory under /work/.mirror/owner+name/.
# This script only runs `git archive` on them. The corpus itself (third-party code) is never
# committed: it is built outside the repository, by default in /work/corpus.
#
# Usage: bench/corpus/build.sh [OUT]      (OUT defaults to /work/corpus; MIRRORS to /work/.mirror)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-${OUT:-/work/corpus}}"
MIRRORS="${MIRRORS:-/work/.mirror}"
mkdir -p "$OUT"
while read -r repo commit; do
  [[ -z "$repo" || "$repo" == \#* ]] && continue
  name="${repo/\//+}"
  gitdir="$(find "$MIRRORS/$name" -maxdepth 2 -type d -name repo 2>/dev/null | head -1)"
  [[ -z "$gitdir" ]] && gitdir="$(find "$MIRRORS" -maxdepth 3 -type d -path "*$name*" \( -name '*.git' -o -name repo \) | head -1)"
  if [[ -z "$gitdir" ]]; then echo "missing mirror for $repo (fetch github:$repo first)" >&2; exit 1; fi
  dest="$OUT/$name"
  rm -rf "$dest"; mkdir -p "$dest"
  # A fetched snapshot lacks blobs of 4 MiB and more (and Git LFS content): count and name them.
  listing="$(mktemp)"
  git --git-dir="$gitdir" ls-tree -r --full-tree "$commit" | awk -F'\t' '$1 ~ / blob / {print}' > "$listing"
  mapfile -t missing < <(paste -d'\t' \
      <(awk '{print $3}' "$listing" | git --git-dir="$gitdir" cat-file --batch-check='%(objectname) ok') \
      <(cut -f2- "$listing") \
    | awk -F'\t' '$1 ~ / missing$/ {print $2}')
  rm -f "$listing"
  treeish="$commit"
  tmpobj=""
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "  $repo: ${#missing[@]} file(s) absent from the snapshot, left out: ${missing[*]:0:3}" >&2
    # git archive stops at the first absent blob, so archive a tree without them instead. The
    # new index and tree objects go to a temporary folder: the mirror is only read.
    tmpobj="$(mktemp -d)"
    export GIT_INDEX_FILE="$tmpobj/index" GIT_OBJECT_DIRECTORY="$tmpobj/objects" \
           GIT_ALTERNATE_OBJECT_DIRECTORIES="$gitdir/objects"
    mkdir -p "$GIT_OBJECT_DIRECTORY"
    git --git-dir="$gitdir" read-tree "$commit"
    printf '%s\0' "${missing[@]}" | git --git-dir="$gitdir" update-index --force-remove -z --stdin
    treeish="$(git --git-dir="$gitdir" write-tree)"
  fi
  git --git-dir="$gitdir" archive "$treeish" | tar -x -C "$dest"
  if [[ -n "$tmpobj" ]]; then
    unset GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
    rm -rf "$tmpobj"
  fi
  echo "$repo $commit -> $dest ($(find "$dest" -type f | wc -l) files)"
done < "$HERE/repos.txt"
