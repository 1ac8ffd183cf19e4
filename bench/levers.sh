#!/usr/bin/env bash
# bench/levers.sh — what each performance lever bought, measured with benchstat.
#
# For every lever below, the commit before it and the commit that landed it
# are checked out side by side (git worktrees under $BENCH_WORK/levers), the
# same benchmark code (the files listed, taken from HEAD, so both sides run
# identical benchmarks) is put into both, `go test -bench` runs COUNT times
# on each side, alternating, and benchstat compares them. The comparisons go to
# bench/results/<date>/levers-<commit>/ and, with --write-docs, between the
# levers markers of docs/performance.md.
#
# Usage: bench/levers.sh [--count N] [--only NAME] [--write-docs]
#   --count N      repetitions of each benchmark per side (default 6)
#   --only NAME    run one lever (its first column below)
#   --write-docs   rewrite the section between <!-- levers:begin/end --> in docs/performance.md
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="/usr/local/go/bin:$(go env GOPATH)/bin:$PATH"

COUNT=6
ONLY=""
WRITE_DOCS=0
while [ $# -gt 0 ]; do
	case "$1" in
	--count) COUNT="$2"; shift ;;
	--only) ONLY="$2"; shift ;;
	--write-docs) WRITE_DOCS=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "levers.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

# name | before | after | package | benchmark regexp | benchmark files from HEAD (space separated)
LEVERS=$(cat <<'EOF'
policies-prefilter|f035c90^|f035c90|./policies/|^BenchmarkMetrics$|policies/bench_test.go
shared-helper-cache|e7211d2^|e7211d2|./engine/|^BenchmarkEvaluate$|engine/bench_test.go
ledger-masks|0743df6^|0743df6|./ledger/|^BenchmarkAnnotate$|ledger/bench_test.go
plain-exceptions|ec1e3df^|ec1e3df|./config/|^BenchmarkExceptionsFile$|config/bench_test.go
sshd-parallel-ranges|ea76d45^|ea76d45|./sources/sshd/|^BenchmarkCollect$|sources/sshd/bench_test.go
nginx-parallel-ranges|34edca4^|34edca4|./sources/nginx/|^BenchmarkCollect$|sources/nginx/bench_test.go sources/internal/sourcetest/bench.go
parallel-encode|01d1df9^|01d1df9|./snapshot/|^BenchmarkPartWriteTo$|snapshot/bench_test.go
merge-once|32a7d31^|32a7d31|./engine/|^BenchmarkBuildInput$|engine/bench_test.go
event-segments|ad72f04^|ad72f04|./sources/sshd/|^BenchmarkCollect$|sources/sshd/bench_test.go
string-arena|b59b00a^|b59b00a|./sources/sshd/|^BenchmarkCollect$|sources/sshd/bench_test.go
engine-since-first-run|18a1345|HEAD|./engine/|^BenchmarkEvaluate$|engine/bench_test.go
EOF
)

command -v benchstat >/dev/null || {
	echo "== installing benchstat"
	go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
}

HEAD=$(git rev-parse --short HEAD)
WORK=${BENCH_WORK:-/tmp/posture-bench}/levers
OUT=bench/results/$(date -u +%F)/levers
mkdir -p "$WORK" "$OUT"

worktree() { # commit -> path of a clean worktree at it, with HEAD's benchmark files
	local commit=$1 files=$2 dir
	dir=$WORK/$(git rev-parse --short "$commit")
	if [ ! -d "$dir" ]; then
		git worktree add --detach -f "$dir" "$commit" >/dev/null 2>&1
	fi
	git -C "$dir" checkout -q -f "$(git rev-parse "$commit")"
	git -C "$dir" clean -qfd
	for f in $files; do
		mkdir -p "$dir/$(dirname "$f")"
		cp "$f" "$dir/$f"
	done
	echo "$dir"
}

while IFS='|' read -r name before after pkg regexp files; do
	[ -n "$name" ] || continue
	[ -z "$ONLY" ] || [ "$ONLY" = "$name" ] || continue
	b=$(git rev-parse --short "$before") a=$(git rev-parse --short "$after")
	echo "== $name: $b → $a ($pkg $regexp)"
	bdir=$(worktree "$before" "$files")
	adir=$(worktree "$after" "$files")
	rm -f "$OUT/$name".*
	printf '%s|%s|%s|%s|%s\n' "$b" "$a" "$pkg" "$regexp" "$COUNT" >"$OUT/$name.run"
	ok=1
	for side in before after; do # compile both first: a benchmark that does not build is reported, not timed
		dir=$bdir; [ "$side" = after ] && dir=$adir
		if ! (cd "$dir" && go test -c -o /dev/null "$pkg") >"$OUT/$name.$side.build.txt" 2>&1; then
			echo "   $side does not build with HEAD's benchmark: $(head -n 3 "$OUT/$name.$side.build.txt" | tr '\n' ' ')"
			ok=0
		else
			rm -f "$OUT/$name.$side.build.txt"
		fi
	done
	[ "$ok" = 1 ] || continue
	# Alternate the sides so that a change in the machine's load hits both.
	for _ in $(seq "$COUNT"); do
		(cd "$bdir" && go test -run '^$' -bench "$regexp" -benchmem -count 1 "$pkg") | grep -E '^(Benchmark|goos|goarch|pkg|cpu)' >>"$OUT/$name.before.txt"
		(cd "$adir" && go test -run '^$' -bench "$regexp" -benchmem -count 1 "$pkg") | grep -E '^(Benchmark|goos|goarch|pkg|cpu)' >>"$OUT/$name.after.txt"
	done
	(cd "$OUT" && benchstat "before=$name.before.txt" "after=$name.after.txt") >"$OUT/$name.benchstat.txt"
	cat "$OUT/$name.benchstat.txt"
done <<<"$LEVERS"

for d in "$WORK"/*/; do git worktree remove -f "$d" >/dev/null 2>&1 || true; done
git worktree prune

# The summary covers every lever measured into $OUT (so --only refreshes one
# lever without losing the others), in the order of the list above.
SUMMARY=$OUT/levers.md
: >"$SUMMARY"
while IFS='|' read -r name _; do
	[ -f "$OUT/$name.run" ] || continue
	IFS='|' read -r b a pkg regexp count <"$OUT/$name.run"
	printf '### %s (%s → %s)\n\n' "$name" "$b" "$a" >>"$SUMMARY"
	if [ -f "$OUT/$name.benchstat.txt" ]; then
		{
			printf '`go test -bench '\''%s'\'' %s`, %s runs per side\n\n```\n' "$regexp" "$pkg" "$count"
			grep -vE '^(goos|goarch|pkg|cpu):' "$OUT/$name.benchstat.txt"
			printf '```\n\n'
		} >>"$SUMMARY"
	else
		printf 'not comparable: the benchmark does not build on both sides (%s)\n\n' "$(ls "$OUT/$name".*.build.txt 2>/dev/null | tr '\n' ' ')" >>"$SUMMARY"
	fi
done <<<"$LEVERS"

if [ "$WRITE_DOCS" = 1 ]; then
	doc=docs/performance.md
	{
		sed -n '1,/<!-- levers:begin -->/p' "$doc"
		printf 'Measured %s on %s cores (%s) with `bench/levers.sh --count N`; raw benchmark output in `%s/`.\n\n' \
			"$(date -u +%F)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$OUT"
		cat "$SUMMARY"
		sed -n '/<!-- levers:end -->/,$p' "$doc"
	} >"$doc.tmp"
	mv "$doc.tmp" "$doc"
fi
echo "== levers: $SUMMARY"
