#!/usr/bin/env bash
# release.sh — build posture's release archives (docs/releasing.md).
#
#   scripts/release.sh VERSION [OUTDIR]
#
# For every target (GOOS/GOARCH) it builds a static binary of ./cmd/posture
# with the Go toolchain on PATH (CGO_ENABLED=0, -trimpath, -ldflags "-s -w"
# stamping VERSION and the commit into internal/version) and writes
#
#   OUTDIR/posture_<VERSION>_<os>_<arch>.tar.gz   (.zip for windows)
#     posture (posture.exe on windows), LICENSE, README.md — flat, no folder
#   OUTDIR/checksums.txt                          sha256sum format
#
# OUTDIR defaults to dist. The archives are reproducible: members sorted,
# owned by 0:0, with the modification time of SOURCE_DATE_EPOCH (default: the
# commit time of HEAD) — the same commit and Go version give the same bytes
# (internal/release). Earlier archives of the same VERSION in OUTDIR are
# replaced; nothing else there is touched.
#
# Environment:
#   TARGETS            the targets, space-separated (default: linux, darwin and
#                      windows on amd64 and arm64, the six of a release)
#   SOURCE_DATE_EPOCH  the archives' time (default: HEAD's commit time)
#   REVISION           the commit stamped into the binary (default: HEAD)
set -euo pipefail

die() { echo "release.sh: $*" >&2; exit 2; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: scripts/release.sh VERSION [OUTDIR]"; fi
version=$1
out=${2:-dist}
# A tag: v1.2.3, v1.2.3-rc.1, v0.0.0-ci (letters, digits, dots and dashes only:
# it becomes part of file names and of a URL).
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "VERSION: want a tag like v1.2.3 or v1.2.3-rc.1, got \"$version\""

mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

targets=${TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}
revision=${REVISION:-$(git rev-parse HEAD)}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}
[[ $epoch =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH: want seconds since 1970, got \"$epoch\""
[[ $revision =~ ^[0-9a-f]+$ ]] || die "REVISION: want a commit hash, got \"$revision\""

work=$(mktemp -d "${TMPDIR:-/tmp}/posture-release.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The archiver runs on this machine, whatever the targets.
env -u GOOS -u GOARCH CGO_ENABLED=0 go build -o "$work/archive" ./internal/release/archive

rm -f "$out/posture_${version}_"* "$out/checksums.txt"

pkg=github.com/localizevideos/posture/internal/version
ldflags="-s -w -X $pkg.version=$version -X $pkg.revision=$revision"
archives=()
for target in $targets; do
  goos=${target%/*}
  goarch=${target#*/}
  [[ $target =~ ^[a-z0-9]+/[a-z0-9]+$ ]] || die "TARGETS: want os/arch, got \"$target\""
  exe=posture
  ext=tar.gz
  if [ "$goos" = windows ]; then
    exe=posture.exe
    ext=zip
  fi
  stage="$work/${goos}_$goarch"
  mkdir -p "$stage"
  echo "== $goos/$goarch" >&2
  # The builder's environment does not change the binary: GOFLAGS, GOAMD64 and
  # GOARM64 pinned; no VCS stamp (an untracked file would flip vcs.modified),
  # the revision comes through -ldflags instead.
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch GOAMD64=v1 GOARM64=v8.0 GOFLAGS=-mod=readonly \
    go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$stage/$exe" ./cmd/posture
  cp LICENSE README.md "$stage/"
  archive="$out/posture_${version}_${goos}_${goarch}.$ext"
  "$work/archive" -mtime "$epoch" "$archive" "$stage/$exe" "$stage/LICENSE" "$stage/README.md"
  archives+=("$archive")
done
[ ${#archives[@]} -gt 0 ] || die "TARGETS: no target"

"$work/archive" -checksums "$out/checksums.txt" "${archives[@]}"
echo "== $out/checksums.txt" >&2
cat "$out/checksums.txt"
