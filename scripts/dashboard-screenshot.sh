#!/usr/bin/env bash
# Render the static dashboard (package output/dashboard) in headless Chromium, check
# that it loads nothing and logs nothing, and save a desktop and a phone
# screenshot.
#
# usage: scripts/dashboard-screenshot.sh [-r REPORTS_DIR] [-o OUT_DIR] [-k]
#   -r DIR  render the dated reports (YYYY-MM-DD.json) of DIR, as written by
#           `posture report`, instead of the generated 90-day demo history
#   -o DIR  where to write dashboard.png and dashboard-phone.png
#           (default: docs/img of this repository)
#   -k      keep the work folder (index.html, logs, raw screenshots)
#
# What the checks prove (each fails the script):
#   console  the page as shipped, which carries a Content-Security-Policy of
#            default-src 'none', logs nothing to the console: no CSP
#            violation (so it tried to load no script, style, font, image or
#            frame from anywhere) and no error;
#   network  the same page with its CSP removed, loaded with every host name
#            mapped to NOTFOUND and a NetLog recorded, starts no URL request on
#            behalf of the page (Chromium's own update and account probes are
#            counted apart: they are the browser's, not the page's);
#   dom      the DOM Chromium built has one card per metric, each with an
#            <svg> chart, and no <script> element;
#   controls the same two checks are run on copies with an injected external
#            <img>; they must flag it, which shows they can see a request.
# It does not prove the layout is right: look at the screenshots.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
reports=""
out="$root/docs/img"
keep=0
while getopts "r:o:kh" opt; do
  case $opt in
    r) reports=$(cd "$OPTARG" && pwd) ;;
    o) mkdir -p "$OPTARG" && out=$(cd "$OPTARG" && pwd) ;;
    k) keep=1 ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dashboard-shot.XXXXXX")
cleanup() { if [ "$keep" = 1 ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
start=$(date +%s)

step "build the helpers"
(cd "$root" && go build -o "$work/render" ./output/dashboard/internal/demo/render && go build -o "$work/shot" ./output/dashboard/internal/demo/shot)

step "write index.html"
if [ -n "$reports" ]; then
  msg=$("$work/render" -reports "$reports" -o "$work/index.html")
else
  msg=$("$work/render" -o "$work/index.html")
fi
echo "$msg"
metrics=$(echo "$msg" | sed -n 's/.* \([0-9][0-9]*\) metrics$/\1/p')
[ -n "$metrics" ] || { echo "could not read the metric count" >&2; exit 1; }

step "chromium"
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium is missing: installing Debian's package"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is not installed and this user cannot install it" >&2; exit 1
  fi
fi
chromium --version 2>/dev/null | head -1

# Headless flags for this machine: no sandbox (root), no GPU, none of
# Chromium's background traffic, a fresh profile per run, and every host
# name resolving to NOTFOUND so nothing can leave the machine.
chrome() {
  local profile
  profile=$(mktemp -d "$work/profile.XXXXXX")
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --disable-extensions --mute-audio --hide-scrollbars \
    --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$profile" "$@"
}
page="file://$work/index.html"
failed=0

step "check: console (page as shipped, CSP default-src 'none')"
# Prints the CONSOLE lines of a page's load; the DOM goes to $2.
console_of() { chrome --enable-logging=stderr --v=0 --dump-dom "$1" 2>"$work/console.log" >"$2" || true; grep 'CONSOLE' "$work/console.log" || true; }
lines=$(console_of "$page" "$work/dom.html")
if [ -n "$lines" ]; then echo "$lines"; echo "FAIL: the page logged to the console"; failed=1; else echo "ok: no console messages"; fi

step "check: dom"
"$work/shot" dom "$work/dom.html" "$metrics" || failed=1

step "check: network (CSP removed, NetLog recorded)"
sed 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' "$work/index.html" >"$work/nocsp.html"
grep -q 'Content-Security-Policy' "$work/nocsp.html" && { echo "could not strip the CSP" >&2; exit 1; }
chrome --log-net-log="$work/net.json" --dump-dom "file://$work/nocsp.html" >/dev/null 2>&1 || true
"$work/shot" netlog "$work/net.json" || failed=1

step "controls: the checks must see an injected external image"
probe='<img src="https://example.invalid/probe.png" alt="" />'
sed "s#</body>#$probe</body>#" "$work/index.html" >"$work/control.html"
sed "s#</body>#$probe</body>#" "$work/nocsp.html" >"$work/control-nocsp.html"
if [ -n "$(console_of "file://$work/control.html" /dev/null)" ]; then
  echo "ok: the console check flags the injected image (CSP violation)"
else
  echo "FAIL: the console check missed the injected image"; failed=1
fi
chrome --log-net-log="$work/net-control.json" --dump-dom "file://$work/control-nocsp.html" >/dev/null 2>&1 || true
if "$work/shot" netlog "$work/net-control.json" >"$work/control.txt" 2>&1; then
  cat "$work/control.txt"; echo "FAIL: the network check missed the injected image"; failed=1
else
  grep 'page request' "$work/control.txt"; echo "ok: the network check flags the injected image"
fi

step "screenshots"
mkdir -p "$out"
chrome --window-size=1440,9000 --screenshot="$work/desktop-raw.png" "$page" >/dev/null 2>&1
chrome --window-size=390,16000 --force-device-scale-factor=2 --screenshot="$work/phone-raw.png" "$page" >/dev/null 2>&1
# Desktop: the whole page. Phone: its first 1,600 CSS pixels at 2x. Both
# reduced to 256 colours (flat UI: no visible loss, a third of the size).
"$work/shot" fit -colors 256 "$work/desktop-raw.png" "$out/dashboard.png"
"$work/shot" fit -colors 256 -max-height 3200 "$work/phone-raw.png" "$out/dashboard-phone.png"
ls -l "$out/dashboard.png" "$out/dashboard-phone.png"

step "done in $(( $(date +%s) - start )) s"
if [ "$failed" != 0 ]; then echo "some checks FAILED"; exit 1; fi
echo "all checks passed"
