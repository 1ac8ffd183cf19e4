#!/usr/bin/env bash
# bench/history.sh — how fast the repository grows, and how long `report` and the
# dashboard take, with a year of daily history at 10x.
#
# 1. Generates the 10x tree (bench/gen -scale 10) and makes it a git repository.
# 2. Runs `posture run --commit --no-issues` for DAYS consecutive days (default 30) with
#    the config's defaults (commit_snapshots = false), and once more with
#    commit_snapshots = true, and measures what each commit adds: the bytes of the
#    blobs it writes (report JSON + MD, index.html, metrics.prom, vulnerabilities.json;
#    the snapshot's parts with commit_snapshots = true) and the growth of the packed
#    repository (git gc) per day.
# 3. Writes a year (365 days) of dated reports into a fresh reports folder: copies of
#    the real 10x report with their as_of moved back one day at a time (so every day
#    has 10x-sized evidence), then times `posture report --snapshot` (which loads the
#    whole history for trends and series and rebuilds index.html from every dated
#    report) against the same run with no history: the difference is the history's cost.
#
# Usage: bench/history.sh [--days N] [--year N]
# Work goes to $BENCH_WORK/history (default /tmp/posture-bench/history); nothing is
# written to the repository.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PATH="/usr/local/go/bin:$PATH"
DAYS=30
YEAR=365
while [ $# -gt 0 ]; do
	case "$1" in
	--days) DAYS="$2"; shift ;;
	--year) YEAR="$2"; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "history.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

WORK=${BENCH_WORK:-/tmp/posture-bench}/history
rm -rf "$WORK"
mkdir -p "$WORK/bin"
(cd "$ROOT" && go build -o "$WORK/bin/posture" ./cmd/posture && go build -o "$WORK/bin/gen" ./bench/gen)
P=$WORK/bin/posture
TREE=$WORK/tree
"$WORK/bin/gen" -scale 10 -out "$TREE" >/dev/null
cd "$TREE"

git init -q . && git config user.name bench && git config user.email bench@example.com && git config commit.gpgsign false
git add -A && git commit -qm "10x tree" && git gc -q

packed() { git count-objects -v | awk '/^size-pack:/ {p=$2} /^size:/ {l=$2} END {print (p+l)*1024}'; }
added() { # bytes of the blobs a commit adds
	git diff-tree -r --no-commit-id --diff-filter=AM "$1" | awk '{print $4}' | git cat-file --batch-check='%(objectsize)' | awk '{s+=$1} END {print s+0}'
}
mib() { awk -v b="$1" 'BEGIN {printf "%.2f MiB", b/1048576}'; }
kib() { awk -v b="$1" 'BEGIN {printf "%.0f KiB", b/1024}'; }

echo "== $DAYS days of run --commit at 10x (commit_snapshots = false)"
before=$(packed)
total=0
for i in $(seq "$DAYS" -1 1); do
	d=$(date -u -d "2026-11-27 - $((i - 1)) days" +%F)
	"$P" -q -c posture.hcl --as-of "$d" run --commit --no-issues >/dev/null 2>&1 || [ $? -eq 1 ]
	total=$((total + $(added HEAD)))
done
git gc -q
after=$(packed)
last=$(date -u -d "2026-11-27" +%F)
json=$(stat -c %s "security/reports/$last.json")
md=$(stat -c %s "security/reports/$last.md")
snap=$(du -sb "security/snapshots/$last" | cut -f1)
ledger=$(stat -c %s security/reports/vulnerabilities.json)
echo "report JSON $(kib "$json"), MD $(kib "$md"), ledger $(mib "$ledger"), snapshot $(mib "$snap") (not committed)"
echo "blobs committed per day: $(kib $((total / DAYS))); packed repository growth per day: $(kib $(((after - before) / DAYS)))"

echo "== 1 day with commit_snapshots = true"
echo 'commit_snapshots = true' >>posture.hcl
git commit -qm "commit snapshots" posture.hcl && git gc -q
before=$(packed)
"$P" -q -c posture.hcl --as-of 2026-11-28 run --commit --no-issues >/dev/null 2>&1 || [ $? -eq 1 ]
withsnap=$(added HEAD)
git gc -q
echo "blobs committed that day: $(mib "$withsnap"); packed growth: $(mib $(($(packed) - before)))"
sed -i '$d' posture.hcl

echo "== $YEAR days of 10x reports: report and dashboard times"
H=$WORK/year
mkdir -p "$H"
src="security/reports/$last.json"
for i in $(seq "$YEAR" -1 1); do
	d=$(date -u -d "2026-11-27 - $((i - 1)) days" +%F)
	sed "0,/^  \"as_of\": \"[^\"]*\"/s//  \"as_of\": \"${d}T00:00:00Z\"/" "$src" >"$H/$d.json"
done
cp security/reports/baseline.json "$H/"
echo "history: $(ls "$H"/20*.json | wc -l) dated reports, $(mib "$(du -cb "$H"/20*.json | tail -1 | cut -f1)")"
sed -i "s|^reports_dir *=.*|reports_dir = \"$H\"|" posture.hcl
snapdir="security/snapshots/$last"
best() { # best of 3 wall-clock seconds of a command
	local b=""
	for _ in 1 2 3; do
		s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
		b=$(awk -v b="$b" -v t="$(awk -v s="$s" -v e="$e" 'BEGIN {print e-s}')" 'BEGIN {print (b == "" || t < b) ? t : b}')
	done
	printf "%.2f s" "$b"
}
withh=$(best "$P" -q -c posture.hcl --as-of 2026-11-28 report --snapshot "$snapdir")
index=$(stat -c %s "$H/index.html")
E=$WORK/empty
mkdir -p "$E" && cp security/reports/baseline.json "$E/"
sed -i "s|^reports_dir *=.*|reports_dir = \"$E\"|" posture.hcl
without=$(best sh -c "rm -f $E/20*; \"$P\" -q -c posture.hcl --as-of 2026-11-28 report --snapshot $snapdir")
echo "report 10x with $YEAR days of history: $withh; with none: $without; index.html with the year: $(kib "$index")"

echo "== the dashboard alone (load the $YEAR dated reports, render index.html + metrics.prom)"
(cd "$ROOT" && POSTURE_BENCH_HISTORY=$H go test ./report/publish -run '^$' -bench BenchmarkDashboardHistory -benchtime 3x -count 1 | grep -E '^Benchmark')
