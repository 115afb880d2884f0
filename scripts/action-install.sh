#!/usr/bin/env bash
# The install steps of action.yml: `action-install.sh key` prints the cache key for the binary
# (to GITHUB_OUTPUT when set), `action-install.sh install` puts it in $HOME/.iamlint-action/bin
# (the cached folder).
#
# Which iamlint: INPUT_VERSION if set, else the action's own ref (IAMLINT_ACTION_REF, which
# action.yml sets from github.action_ref).
# - A release (v1.2.3, or 1.2.3): the release archive for this runner's OS and architecture is
#   downloaded from IAMLINT_RELEASE_URL (default: the repository's GitHub releases), its SHA-256
#   checked against the published .sha256 file, and unpacked. Nothing is compiled.
# - A moving major or minor tag of the action (@v1, @v1.2): the release its checkout holds
#   (the version in the action's Cargo.toml).
# - No ref (a local `uses: ./`) or a branch or commit of the action: an unreleased ref, built
#   from the action's checkout with `cargo install`, keyed by a hash of its sources so a moving
#   ref like @main never serves a stale binary.
# - INPUT_VERSION naming a branch or commit: `cargo install --git`, keyed by the commit.
set -euo pipefail

mode="${1:?usage: action-install.sh key|install}"
action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
repo="${IAMLINT_REPOSITORY:-https://github.com/iamlint/iamlint}"
release_url="${IAMLINT_RELEASE_URL:-$repo/releases/download}"
root="$HOME/.iamlint-action"
os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
platform="$os-$arch"

fail() {
  echo "::error title=iamlint::$*"
  exit 1
}

# The release target (the archive's name) for this runner, in $target.
find_target() {
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) target=x86_64-pc-windows-msvc ;;
    *)
      fail "iamlint has no prebuilt binary for $os $arch (releases cover Linux X64 and ARM64, macOS X64 and ARM64, Windows X64); set the action's version input to a branch or commit to build it with cargo instead"
      ;;
  esac
}

# What to install: kind "release" (of tag $tag), "src" (the action's checkout) or "git" ($ref).
ref="${INPUT_VERSION:-${IAMLINT_ACTION_REF:-}}"
tag=""
if [[ "$ref" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$ ]]; then
  kind=release
  tag="v${ref#v}"
elif [[ -z "${INPUT_VERSION:-}" && "$ref" =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
  kind=release
  v="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$action_path/Cargo.toml" | head -n1)"
  [[ -n "$v" ]] || fail "cannot read the version from $action_path/Cargo.toml"
  tag="v$v"
elif [[ -z "${INPUT_VERSION:-}" ]]; then
  kind=src
else
  kind=git
fi

source_hash() {
  (
    cd "$action_path"
    find Cargo.toml Cargo.lock build.rs data src rules -type f -print0 | LC_ALL=C sort -z |
      xargs -0 sha256sum | sha256sum | cut -c1-16
  )
}

resolve() {
  # A commit id is its own answer; a tag or branch is looked up so the key follows it.
  local version="$1"
  if [[ "$version" =~ ^[0-9a-f]{40}$ ]]; then
    echo "$version"
  else
    # An annotated tag's own id is not a commit: prefer its peeled line ("refs/tags/v1^{}").
    local refs
    refs="$(git ls-remote "$repo" "refs/tags/$version^{}" "refs/tags/$version" "refs/heads/$version")"
    { grep -F "refs/tags/$version^{}" <<<"$refs" || head -n1 <<<"$refs"; } | head -n1 | cut -f1
  fi
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

download() {
  # curl reads file:// too (tests serve a fake release from a folder).
  curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
}

install_release() {
  local t ext archive url expected actual
  find_target
  t="$target"
  ext=.tar.gz
  [[ "$t" == *windows* ]] && ext=.zip
  archive="iamlint-$t$ext"
  url="$release_url/$tag/$archive"
  tmp="$(mktemp -d)"
  trap 'rm -rf "${tmp:-}"' EXIT
  echo "Downloading $url"
  download "$url" "$tmp/$archive" ||
    fail "cannot download iamlint $tag for $os $arch from $url (is $tag released?)"
  download "$url.sha256" "$tmp/$archive.sha256" ||
    fail "cannot download the checksum $url.sha256"
  expected="$(cut -d' ' -f1 <"$tmp/$archive.sha256" | tr -d '\r\n')"
  actual="$(sha256 "$tmp/$archive")"
  if [[ ! "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    fail "the checksum file $url.sha256 holds no SHA-256"
  fi
  if [[ "$expected" != "$actual" ]]; then
    fail "checksum mismatch for $archive: expected $expected (from $archive.sha256), got $actual; not installing it"
  fi
  echo "SHA-256 $actual OK"
  if [[ "$ext" == .zip ]]; then
    unzip -q "$tmp/$archive" -d "$tmp"
  else
    tar -xzf "$tmp/$archive" -C "$tmp"
  fi
  local exe=iamlint
  [[ "$t" == *windows* ]] && exe=iamlint.exe
  [[ -f "$tmp/iamlint-$t/$exe" ]] || fail "$archive holds no iamlint-$t/$exe"
  mkdir -p "$root/bin"
  rm -f "$root/bin/$exe"
  cp "$tmp/iamlint-$t/$exe" "$root/bin/$exe"
  chmod +x "$root/bin/$exe"
  "$root/bin/$exe" --version
}

case "$mode" in
  key)
    case "$kind" in
      release)
        find_target # an unknown platform fails here, before the cache step
        key="iamlint-$platform-release-$tag"
        ;;
      src) key="iamlint-$platform-src-$(source_hash)" ;;
      git)
        rev="$(resolve "$ref")"
        key="iamlint-$platform-git-${rev:-$ref}"
        ;;
    esac
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
      echo "key=$key" >>"$GITHUB_OUTPUT"
    fi
    echo "$key"
    ;;
  install)
    case "$kind" in
      release) install_release ;;
      src) cargo install --locked --force --root "$root" --path "$action_path" ;;
      git)
        rev="$(resolve "$ref")"
        cargo install --locked --force --root "$root" --git "$repo" --rev "${rev:-$ref}"
        ;;
    esac
    ;;
  *)
    echo "usage: action-install.sh key|install" >&2
    exit 2
    ;;
esac
