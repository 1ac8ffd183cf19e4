#!/usr/bin/env bash
# bench/history.sh — how fast the repository grows, and how long `report` and the
# dashboard take, with a year of daily history at 10x.
#
# 1. Generates the 10x tree (bench/gen -scale 10) for the first day and makes it a git
#    repository.
# 2. Runs `posture run --commit --no-issues` for DAYS consecutive days (default 365,
#    ending with --end, default 2026-11-27) with the config's defaults
#    (commit_snapshots = false). Before each day the data is generated afresh for that
#    day (bench/gen -as-of D): new log lines, incidents, alerts and deployments every
#    day, about 0.6% of the scanner findings fixed and as many new ones; accounts,
#    tokens, watched files and exceptions stay those of the default tree. Per day it
#    records the wall time of the run, the bytes of the blobs the commit adds (report
#    JSON + MD, index.html, metrics.prom, vulnerabilities.json) and the sizes of the
#    dated report and the ledger; every --gc-every days (default 30) and on the last day
#    it runs git gc and records the packed repository size. Only the newest snapshot
#    folder is kept (they are not committed).
# 3. One more day with commit_snapshots = true: what committing the snapshot would add.
# 4. With the year of real reports (a copy of reports_dir), times
#    `posture report --snapshot <last snapshot>` for the next day against the same run
#    with an empty reports_dir (best of 3), and runs BenchmarkDashboardHistory
#    (report/publish) on the year.
#
# Usage: bench/history.sh [--days N] [--end YYYY-MM-DD] [--gc-every N]
# Work goes to $BENCH_WORK/history (default /tmp/posture-bench/history); the per-day
# figures to $BENCH_WORK/history/days.tsv. Nothing is written to the repository.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PATH="/usr/local/go/bin:$PATH"
DAYS=365
END=2026-11-27
GC_EVERY=30
while [ $# -gt 0 ]; do
	case "$1" in
	--days) DAYS="$2"; shift ;;
	--end) END="$2"; shift ;;
	--gc-every) GC_EVERY="$2"; shift ;;
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
TSV=$WORK/days.tsv
day() { date -u -d "$END - $1 days" +%F; } # day N days before END
first=$(day $((DAYS - 1)))
"$WORK/bin/gen" -scale 10 -as-of "$first" -out "$TREE" 2>/dev/null
cd "$TREE"

git init -q . && git config user.name bench && git config user.email bench@example.com && git config commit.gpgsign false
git add -A && git commit -qm "10x tree" && git gc -q

packed() { git count-objects -v | awk '/^size-pack:/ {p=$2} /^size:/ {l=$2} END {print (p+l)*1024}'; }
added() { # bytes of the blobs a commit adds
	git diff-tree -r --no-commit-id --diff-filter=AM "$1" | awk '{print $4}' | git cat-file --batch-check='%(objectsize)' | awk '{s+=$1} END {print s+0}'
}
mib() { awk -v b="$1" 'BEGIN {printf "%.2f MiB", b/1048576}'; }
kib() { awk -v b="$1" 'BEGIN {printf "%.0f KiB", b/1024}'; }
now() { date +%s.%N; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN {printf "%.3f", e-s}'; }

echo "== $DAYS days of run --commit at 10x, $first … $END (commit_snapshots = false)"
base=$(packed)
printf 'day\tdate\tgen_s\trun_s\tadded_bytes\treport_json_bytes\treport_md_bytes\tledger_bytes\tpacked_bytes\tgc_s\tload1\n' >"$TSV"
for n in $(seq 1 "$DAYS"); do
	d=$(day $((DAYS - n)))
	s=$(now)
	rm -rf data && "$WORK/bin/gen" -scale 10 -as-of "$d" -out . 2>/dev/null
	m=$(now)
	"$P" -q -c posture.hcl --as-of "$d" run --commit --no-issues >/dev/null 2>&1 || [ $? -eq 1 ]
	e=$(now)
	for old in security/snapshots/20*; do [ "$old" = "security/snapshots/$d" ] || rm -rf "$old"; done
	pk="" gc=""
	if [ $((n % GC_EVERY)) -eq 0 ] || [ "$n" -eq "$DAYS" ]; then
		g=$(now); git gc -q; gc=$(secs "$g" "$(now)"); pk=$(packed)
	fi
	printf '%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n' "$n" "$d" "$(secs "$s" "$m")" "$(secs "$m" "$e")" "$(added HEAD)" \
		"$(stat -c %s "security/reports/$d.json")" "$(stat -c %s "security/reports/$d.md")" \
		"$(stat -c %s security/reports/vulnerabilities.json)" "$pk" "$gc" "$(cut -d' ' -f1 /proc/loadavg)" >>"$TSV"
	[ -z "$pk" ] || echo "day $n ($d): run $(secs "$m" "$e") s, packed $(mib "$pk") ($(kib $(((pk - base) / n))) a day so far), load $(cut -d' ' -f1-3 /proc/loadavg)"
done
last=$END
after=$(packed)
json=$(stat -c %s "security/reports/$last.json")
md=$(stat -c %s "security/reports/$last.md")
snap=$(du -sb "security/snapshots/$last" | cut -f1)
ledger=$(stat -c %s security/reports/vulnerabilities.json)
echo "last day: report JSON $(kib "$json"), MD $(kib "$md"), ledger $(mib "$ledger"), snapshot $(mib "$snap") (not committed)"
added_avg=$(awk -F'\t' 'NR > 1 {a += $5; n++} END {printf "%.0f", a / n}' "$TSV")
tail -n +2 "$TSV" | cut -f4 | sort -n >"$WORK/run_s"
pct() { sed -n "$(awk -v n="$(wc -l <"$WORK/run_s")" -v p="$1" 'BEGIN {i = int(n * p + 0.5); print (i < 1) ? 1 : i}')p" "$WORK/run_s"; }
echo "blobs committed per day: $(kib "$added_avg"); run per day: median $(pct 0.5) s, p95 $(pct 0.95) s, max $(pct 1) s"
echo "packed repository: $(mib "$base") → $(mib "$after"), growth per day $(kib $(((after - base) / DAYS)))"

echo "== 1 day with commit_snapshots = true"
next=$(date -u -d "$END + 1 day" +%F)
rm -rf data && "$WORK/bin/gen" -scale 10 -as-of "$next" -out . 2>/dev/null
echo 'commit_snapshots = true' >>posture.hcl
git commit -qm "commit snapshots" posture.hcl && git gc -q
before=$(packed)
"$P" -q -c posture.hcl --as-of "$next" run --commit --no-issues >/dev/null 2>&1 || [ $? -eq 1 ]
withsnap=$(added HEAD)
git gc -q
echo "blobs committed that day: $(mib "$withsnap"); packed growth: $(mib $(($(packed) - before)))"
git reset -q --hard HEAD~2 # back to the year (the day and the config change undone)
rm -rf "security/snapshots/$next"

echo "== the year of real reports: report and dashboard times"
H=$WORK/year
cp -r security/reports "$H"
echo "history: $(ls "$H"/20*.json | wc -l) dated reports, $(mib "$(du -cb "$H"/20*.json | tail -1 | cut -f1)"), ledger $(mib "$(stat -c %s "$H/vulnerabilities.json")")"
snapdir="security/snapshots/$last"
best() { # best of 3 wall-clock seconds of a command
	local b=""
	for _ in 1 2 3; do
		s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now)
		b=$(awk -v b="$b" -v t="$(secs "$s" "$e")" 'BEGIN {print (b == "" || t < b) ? t : b}')
	done
	printf "%.2f s" "$b"
}
sed -i "s|^reports_dir *=.*|reports_dir = \"$H\"|" posture.hcl
withh=$(best "$P" -q -c posture.hcl --as-of "$next" report --snapshot "$snapdir")
index=$(stat -c %s "$H/index.html")
E=$WORK/empty
mkdir -p "$E" && cp security/reports/baseline.json "$E/"
sed -i "s|^reports_dir *=.*|reports_dir = \"$E\"|" posture.hcl
without=$(best sh -c "rm -f $E/20* $E/vulnerabilities.json; \"$P\" -q -c posture.hcl --as-of $next report --snapshot $snapdir")
git checkout -q posture.hcl
echo "report 10x with $DAYS days of history: $withh; with none: $without; index.html with the year: $(kib "$index"); load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== the dashboard alone (load the dated reports, render index.html + metrics.prom)"
rm -f "$H/$next.json" "$H/$next.md"
(cd "$ROOT" && POSTURE_BENCH_HISTORY=$H go test ./report/publish -run '^$' -bench BenchmarkDashboardHistory -benchtime 3x -count 1 -benchmem | grep -E '^Benchmark')
echo "per-day figures: $TSV"
