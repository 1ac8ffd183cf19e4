#!/usr/bin/env bash
# posture-install.sh — the install step of the posture GitHub Action
# (action.yml): puts a released posture binary on PATH, or says the action
# must build posture from its own source (the next steps of action.yml).
# Kept in a script so it runs, and is tested, outside GitHub too
# (internal/cli/action_install_test.go).
#
# Which posture, from INPUT_VERSION (the action's `version` input):
#   ""       the release the action's own ref names when that ref is a release
#            tag (uses: localizevideos/posture@v0.2.0); any other ref (a
#            branch, a major tag such as v0, a commit, uses: ./) builds from
#            source
#   latest   the latest release
#   v0.2.0   that release (0.2.0 is read as v0.2.0)
#   source   build from the action's source
#
# Installing a release:
#   1. download checksums.txt and posture_<tag>_<os>_<arch>.tar.gz (.zip on
#      Windows) from <base>/download/<tag>/ (latest: <base>/latest/download/
#      checksums.txt names the tag);
#   2. check the archive's sha256 against checksums.txt: on a mismatch, or an
#      archive checksums.txt does not list, the step fails — an unverified
#      binary is never run, and no fallback hides the mismatch;
#   3. unpack posture into $RUNNER_TOOL_CACHE/posture/<version>/<arch>/ with
#      the binary's sha256 beside it: a later job on the same runner (or a
#      second use of the action in a job) re-uses it after checking that sum;
#   4. run `posture --version`, add the folder to $GITHUB_PATH.
# When the release cannot be downloaded (no such release, no asset for this
# runner, no network, a server error), or this runner's OS/architecture has no
# release binary, the script warns (::warning::) and asks for a source build.
#
# Environment:
#   INPUT_VERSION              the version input (above)
#   POSTURE_ACTION_REF         github.action_ref (empty in some composite action
#                              contexts: then read from $GITHUB_ACTION_PATH,
#                              .../_actions/<owner>/<repo>/<ref>)
#   POSTURE_ACTION_REPOSITORY  github.action_repository (same fallback; default
#                              localizevideos/posture)
#   POSTURE_RELEASE_BASE_URL   where the releases are, default
#                              $GITHUB_SERVER_URL/<action repository>/releases:
#                              assets are read from <base>/download/<tag>/<file>
#                              and <base>/latest/download/<file>. Set it for a
#                              mirror, or on GitHub Enterprise Server to read
#                              github.com's releases
#                              (https://github.com/localizevideos/posture/releases).
#                              https only (http for localhost / 127.0.0.1).
#   RUNNER_OS, RUNNER_ARCH     Linux | macOS | Windows, X64 | ARM64 (default:
#                              this machine's, from uname)
#   RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_SERVER_URL, GITHUB_ACTION_PATH,
#   GITHUB_OUTPUT, GITHUB_PATH
#
# Step outputs ($GITHUB_OUTPUT):
#   method   release (installed) | source (build it: the next steps do)
#   version  the release tag installed (empty for source)
#   bin      the posture binary the action runs (for source: where the build
#            step writes it, $RUNNER_TEMP/posture-bin/posture)
#
# Exit 0 when a release is installed or a source build is asked for; 2 on a
# bad input or a checksum that does not match.
set -uo pipefail

die() { echo "::error title=posture action::$*" >&2; exit 2; }
warn() { echo "::warning title=posture action::$*" >&2; }

version=${INPUT_VERSION:-}
tmp_root=${RUNNER_TEMP:-${TMPDIR:-/tmp}}

# --- this runner --------------------------------------------------------------
runner_os=${RUNNER_OS:-}
if [ -z "$runner_os" ]; then
  case "$(uname -s)" in
    Linux) runner_os=Linux ;;
    Darwin) runner_os=macOS ;;
    MINGW* | MSYS* | CYGWIN*) runner_os=Windows ;;
    *) runner_os=$(uname -s) ;;
  esac
fi
runner_arch=${RUNNER_ARCH:-}
if [ -z "$runner_arch" ]; then
  case "$(uname -m)" in
    x86_64 | amd64) runner_arch=X64 ;;
    aarch64 | arm64) runner_arch=ARM64 ;;
    *) runner_arch=$(uname -m) ;;
  esac
fi
goos="" goarch="" exe=posture ext=tar.gz
case "$runner_os" in
  Linux) goos=linux ;;
  macOS) goos=darwin ;;
  Windows) goos=windows exe=posture.exe ext=zip ;;
esac
case "$runner_arch" in
  X64) goarch=amd64 ;;
  ARM64) goarch=arm64 ;;
esac
source_bin="$tmp_root/posture-bin/$exe"

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# build_from_source [reason]: ask the next steps for a source build.
build_from_source() {
  if [ -n "${1:-}" ]; then
    warn "$1; building posture from the action's source instead"
  else
    echo "posture: building from the action's source" >&2
  fi
  output method source
  output version ""
  output bin "$source_bin"
  exit 0
}

# --- which version --------------------------------------------------------------
semver='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

action_path=${GITHUB_ACTION_PATH:-}
action_path=${action_path//\\//}
action_ref=${POSTURE_ACTION_REF:-}
action_repo=${POSTURE_ACTION_REPOSITORY:-}
# The runner keeps a remote action in .../_actions/<owner>/<repo>/<ref>.
if [[ $action_path =~ /_actions/([^/]+)/([^/]+)/([^/]+)/?$ ]]; then
  [ -z "$action_repo" ] && action_repo="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
  [ -z "$action_ref" ] && action_ref=${BASH_REMATCH[3]}
fi
[[ $action_repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || action_repo=localizevideos/posture

case "$version" in
  source) build_from_source ;;
  "")
    if [[ $action_ref =~ $semver ]]; then
      version=$action_ref
    else
      build_from_source
    fi
    ;;
  latest) ;;
  v*) ;;
  [0-9]*) version=v$version ;;
esac
if [ "$version" != latest ] && ! [[ $version =~ $semver ]]; then
  die "input version: want latest, source or a release tag such as v0.2.0, got \"${INPUT_VERSION:-}\""
fi

if [ -z "$goos" ] || [ -z "$goarch" ]; then
  build_from_source "no posture release binary for $runner_os/$runner_arch"
fi

base=${POSTURE_RELEASE_BASE_URL:-${GITHUB_SERVER_URL:-https://github.com}/$action_repo/releases}
base=${base%/}
case "$base" in
  https://*) ;;
  http://localhost[:/]* | http://127.0.0.1[:/]* | http://\[::1\][:/]*) ;;
  *) die "POSTURE_RELEASE_BASE_URL: want an https:// URL, got \"$base\"" ;;
esac

command -v curl >/dev/null 2>&1 || build_from_source "curl is not installed"
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
  build_from_source "neither sha256sum nor shasum is installed: a release binary cannot be verified"
fi

tmp=$(mktemp -d "$tmp_root/posture-install.XXXXXX") || die "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT

fetch() { # fetch URL FILE
  curl -fsSL --retry 3 --retry-delay 2 --connect-timeout 20 --max-time 300 -o "$2" "$1"
}

checksums=""
if [ "$version" = latest ]; then
  if ! fetch "$base/latest/download/checksums.txt" "$tmp/checksums.txt"; then
    build_from_source "could not download $base/latest/download/checksums.txt"
  fi
  checksums="$tmp/checksums.txt"
  version=""
  while read -r _ name; do
    if [[ $name =~ ^\*?posture_(v[0-9][^_]*)_[a-z0-9]+_[a-z0-9]+\.(tar\.gz|zip)$ ]]; then
      version=${BASH_REMATCH[1]}
      break
    fi
  done <"$checksums"
  [[ $version =~ $semver ]] || die "$base/latest/download/checksums.txt names no posture release archive"
  echo "posture: the latest release is $version" >&2
fi

asset="posture_${version}_${goos}_${goarch}.$ext"
cache_root=${RUNNER_TOOL_CACHE:-$tmp_root/tool-cache}
dir="$cache_root/posture/${version#v}/$(tr '[:upper:]' '[:lower:]' <<<"$runner_arch")"
bin="$dir/$exe"

installed() { # the cached binary, its sum as recorded when it was verified
  [ -f "$bin" ] && [ -f "$dir.sha256" ] && [ "$(sha256 "$bin")" = "$(cat "$dir.sha256")" ]
}

if installed; then
  echo "posture: $version from the tool cache ($bin)" >&2
else
  if [ -z "$checksums" ]; then
    if ! fetch "$base/download/$version/checksums.txt" "$tmp/checksums.txt"; then
      build_from_source "could not download $base/download/$version/checksums.txt (is $version a posture release?)"
    fi
    checksums="$tmp/checksums.txt"
  fi
  if ! fetch "$base/download/$version/$asset" "$tmp/$asset"; then
    build_from_source "could not download $base/download/$version/$asset"
  fi
  want=$(awk -v f="$asset" '$2 == f || $2 == "*" f {print $1}' "$checksums" | head -n 1)
  [ -n "$want" ] || die "checksums.txt of $version does not list $asset: refusing to run an unverified binary"
  got=$(sha256 "$tmp/$asset")
  if [ "$got" != "$want" ]; then
    die "$asset: sha256 $got does not match checksums.txt ($want): refusing to run it"
  fi
  echo "posture: $asset sha256 $got matches checksums.txt" >&2

  mkdir -p "$tmp/x" "$dir" || die "cannot create $dir"
  if [ "$ext" = zip ]; then
    if command -v unzip >/dev/null 2>&1; then
      unzip -q -o "$tmp/$asset" "$exe" -d "$tmp/x" || die "cannot unpack $asset"
    else
      powershell -NoProfile -NonInteractive -Command \
        "Expand-Archive -LiteralPath '$tmp/$asset' -DestinationPath '$tmp/x' -Force" || die "cannot unpack $asset"
    fi
  else
    tar -xzf "$tmp/$asset" -C "$tmp/x" "$exe" || die "cannot unpack $asset"
  fi
  [ -f "$tmp/x/$exe" ] || die "$asset holds no $exe"
  chmod 0755 "$tmp/x/$exe"
  # Into the cache by renames: a job running beside this one never sees half a file.
  sha256 "$tmp/x/$exe" >"$tmp/sum"
  if ! { mv -f "$tmp/x/$exe" "$bin.$$" && mv -f "$bin.$$" "$bin" && mv -f "$tmp/sum" "$dir.sha256"; }; then
    die "cannot write $bin"
  fi
fi

if ! out=$("$bin" --version 2>&1); then
  rm -f "$dir.sha256"
  build_from_source "the $version binary does not run here ($out)"
fi
echo "posture: $out" >&2
[ -n "${GITHUB_PATH:-}" ] && echo "$dir" >>"$GITHUB_PATH"
output method release
output version "$version"
output bin "$bin"
