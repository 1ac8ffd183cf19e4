#!/usr/bin/env bash
# bench/run.sh — the performance harness of posture (docs/performance.md).
#
# In one run on one machine it measures, with hyperfine (medians):
#   (a) `posture eval --snapshot DIR` (whole process) vs `opa eval` of posture's own built-in
#       policies over posture's own input document (`posture eval --dump-input`), per scale;
#   (b) the same vs the native Go floor (bench/floor: decode the input JSON + all 26 metrics);
#   (c) `posture snapshot` of a 1 GB nginx access log and of a 1 GB sshd log vs `grep -c`;
#   (d) the headers source over 200 local HTTPS endpoints answering in 100 ms vs the ideal
#       200 × 0.1 s ÷ concurrency (skipped when posture has no `headers` source kind yet);
#   (e) the peak memory (max RSS, largest of 3 runs) of eval at the largest scale vs the
#       snapshot's size on disk (target ≤ 4 at 100x), in the same run as the speed targets;
# and cross-checks every metric value of posture against the floor and against opa eval
# (fails loudly on any difference). posture is treated as a black box: built from ./cmd/posture
# and run as a process.
#
# Usage:
#   bench/run.sh --quick     1x only, one run each, no 1 GB files (what CI runs); results and
#                            the table go to $BENCH_WORK/results-quick, docs are not touched
#   bench/run.sh --full      1x, 10x, 100x, 1 GB ingestion, headers; writes the raw hyperfine
#                            JSON to bench/results/<date>/<commit>/ and the table to
#                            docs/performance.md
# Options (after --quick/--full):
#   --scales "1 10"          scales to run (default: quick "1", full "1 10 100")
#   --no-ingest              skip (c)        --no-headers   skip (d)
#   --log-bytes SIZE         size of each ingestion log (default 1G)
#   --runs-small N           hyperfine runs at scales < 100 (full default 5)
#   --runs-large N           hyperfine runs at scale >= 100 and for the 1 GB files (default 3)
#   --write-docs / --no-write-docs
# Environment: BENCH_WORK (default /tmp/posture-bench) holds the generated trees and
# snapshots (about 4 GB for --full); it is kept between runs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin:$PATH"

MODE=""
SCALES=""
INGEST=1
HEADERS=1
LOG_BYTES=1G
RUNS_SMALL=""
RUNS_LARGE=""
WRITE_DOCS=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) MODE=quick ;;
	--full) MODE=full ;;
	--scales) SCALES="$2"; shift ;;
	--no-ingest) INGEST=0 ;;
	--no-headers) HEADERS=0 ;;
	--log-bytes) LOG_BYTES="$2"; shift ;;
	--runs-small) RUNS_SMALL="$2"; shift ;;
	--runs-large) RUNS_LARGE="$2"; shift ;;
	--write-docs) WRITE_DOCS=1 ;;
	--no-write-docs) WRITE_DOCS=0 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$MODE" ] || { echo "run.sh: give --quick or --full (see --help)" >&2; exit 2; }

AS_OF=2026-11-27
DATE=$(date -u +%F)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
WORK=${BENCH_WORK:-/tmp/posture-bench}
BIN=$WORK/bin
if [ "$MODE" = quick ]; then
	SCALES=${SCALES:-1}
	RUNS_SMALL=${RUNS_SMALL:-1}
	RUNS_LARGE=${RUNS_LARGE:-1}
	WARMUP=0
	INGEST=0
	RESULTS=$WORK/results-quick
	WRITE_DOCS=${WRITE_DOCS:-0}
	CMD="bench/run.sh --quick"
else
	SCALES=${SCALES:-1 10 100}
	RUNS_SMALL=${RUNS_SMALL:-5}
	RUNS_LARGE=${RUNS_LARGE:-3}
	WARMUP=1
	RESULTS=$ROOT/bench/results/$DATE/$COMMIT
	WRITE_DOCS=${WRITE_DOCS:-1}
	CMD="bench/run.sh --full"
fi
mkdir -p "$WORK" "$BIN" "$RESULTS"
TABLE=$RESULTS/table.md

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf '\nrun.sh: FAILED: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
say "tools"
need_apt() { # need_apt COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "$(id -u)" = 0 ] || die "$1 is missing: install the Debian package $2"
	echo "installing $2 (apt-get)" >&2
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >/dev/null 2>&1 ||
		die "apt-get install $2 failed"
}
need_apt hyperfine hyperfine
[ -x /usr/bin/time ] || { need_apt /usr/bin/time time; }
OPA_VERSION=$(go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)
OPA=$(go env GOPATH)/bin/opa
if ! [ -x "$OPA" ] || ! "$OPA" version 2>/dev/null | grep -q "Version: ${OPA_VERSION#v}\$"; then
	echo "installing opa $OPA_VERSION (go install)" >&2
	GOFLAGS= go install "github.com/open-policy-agent/opa@$OPA_VERSION"
fi
HYPERFINE_VERSION=$(hyperfine --version | awk '{print $2}')

say "build"
go build -o "$BIN/posture" ./cmd/posture
for t in gen floor harness slowsrv; do go build -o "$BIN/$t" "./bench/$t"; done
POSTURE=$BIN/posture
H=$BIN/harness

# posture's own built-in policies for opa eval: every .rego but the tests.
POL=$WORK/policies
rm -rf "$POL"
(cd policies && find . -name '*.rego' ! -name '*_test.rego' | while read -r f; do
	mkdir -p "$POL/$(dirname "$f")"
	cp "$f" "$POL/$f"
done)

# hyperfine wrapper: hf NAME RUNS WARMUP -n name cmd ...
hf() {
	local name=$1 runs=$2 warm=$3
	shift 3
	hyperfine -N --style basic --ignore-failure --runs "$runs" --warmup "$warm" \
		--export-json "$RESULTS/$name.json" "$@" >&2
}
med() { # med FILE NAME -> median seconds
	"$H" median "$RESULTS/$1.json" | awk -F'\t' -v n="$2" '$1 == n {print $2}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
fmt_s() { awk -v s="$1" 'BEGIN { if (s == "") print "n/a"; else if (s < 1) printf "%.0f ms", s * 1000; else printf "%.2f s", s }'; }
verdict() { # verdict VALUE OP LIMIT
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (v == "n/a" || v == "") { print "n/a"; exit }
		ok = (op == "<=") ? (v <= l) : (v >= l)
		print ok ? "met" : "**missed**" }'
}

eval_cmd() { echo "$POSTURE -q -c $1/posture.hcl --as-of $AS_OF eval --snapshot $1/snap --format json"; }
snap_cmd() { echo "$POSTURE -q -c $1/posture.hcl --as-of $AS_OF snapshot --out $1/snap-bench"; }
opa_cmd() { echo "$OPA eval -d $POL -i $1/input.json -f json data.posture.metrics"; }
floor_cmd() { echo "$BIN/floor $1/input.json"; }

# posture exits 1 when a gated metric fails (the generated data fails several on purpose);
# anything else is an error.
run_posture() {
	local rc=0
	"$POSTURE" "$@" || rc=$?
	[ "$rc" -le 1 ] || die "posture $* exited $rc"
}

# ---------------------------------------------------------------------------------------------
declare -A T_EVAL T_OPA T_FLOOR T_SNAP SNAP_BYTES INPUT_BYTES
LARGEST=""
for S in $SCALES; do
	D=$WORK/s$S
	say "scale ${S}x: generate $D"
	rm -rf "$D"
	"$BIN/gen" -scale "$S" -out "$D"
	say "scale ${S}x: snapshot, input document, cross-check"
	run_posture -q -c "$D/posture.hcl" --as-of $AS_OF snapshot --out "$D/snap"
	run_posture -q -c "$D/posture.hcl" --as-of $AS_OF eval --snapshot "$D/snap" --dump-input -o "$D/input.json"
	run_posture -q -c "$D/posture.hcl" --as-of $AS_OF eval --snapshot "$D/snap" --format json -o "$D/report.json"
	"$BIN/floor" -items "$D/input.json" >"$D/floor.json"
	$(opa_cmd "$D") >"$D/opa.json" || die "opa eval failed at ${S}x"
	"$H" check -posture "$D/report.json" -floor "$D/floor.json" -opa "$D/opa.json" | tee "$RESULTS/check-${S}x.txt" >&2 ||
		die "metric values differ at ${S}x (see above)"
	SNAP_BYTES[$S]=$(du -sb "$D/snap" | cut -f1)
	INPUT_BYTES[$S]=$(stat -c %s "$D/input.json")
	rm -f "$D/opa.json"

	runs=$RUNS_SMALL
	[ "$S" -lt 100 ] || runs=$RUNS_LARGE
	[ "$S" -gt 1 ] || [ "$MODE" = quick ] || runs=10
	say "scale ${S}x: eval — posture vs opa eval vs floor ($runs runs)"
	hf "eval-${S}x" "$runs" "$WARMUP" \
		-n posture "$(eval_cmd "$D")" -n opa "$(opa_cmd "$D")" -n floor "$(floor_cmd "$D")"
	T_EVAL[$S]=$(med "eval-${S}x" posture)
	T_OPA[$S]=$(med "eval-${S}x" opa)
	T_FLOOR[$S]=$(med "eval-${S}x" floor)
	say "scale ${S}x: posture snapshot ($runs runs)"
	hf "snapshot-${S}x" "$runs" "$WARMUP" --prepare "rm -rf $D/snap-bench" -n snapshot "$(snap_cmd "$D")"
	T_SNAP[$S]=$(med "snapshot-${S}x" snapshot)
	LARGEST=$S
done

# (e) peak memory at the largest scale.
D=$WORK/s$LARGEST
say "peak memory at ${LARGEST}x"
# posture's peak is the largest of three runs (the collector's timing varies the peak a little).
RSS_POSTURE=0
for k in 1 2 3; do
	/usr/bin/time -v $(eval_cmd "$D") >/dev/null 2>"$RESULTS/rss-posture-${LARGEST}x-$k.txt" || true
	r=$("$H" rss "$RESULTS/rss-posture-${LARGEST}x-$k.txt")
	[ "$r" -le "$RSS_POSTURE" ] || { RSS_POSTURE=$r; cp "$RESULTS/rss-posture-${LARGEST}x-$k.txt" "$RESULTS/rss-posture-${LARGEST}x.txt"; }
done
/usr/bin/time -v $(opa_cmd "$D") >/dev/null 2>"$RESULTS/rss-opa-${LARGEST}x.txt" || true
/usr/bin/time -v $(floor_cmd "$D") >/dev/null 2>"$RESULTS/rss-floor-${LARGEST}x.txt" || true
RSS_OPA=$("$H" rss "$RESULTS/rss-opa-${LARGEST}x.txt")
RSS_FLOOR=$("$H" rss "$RESULTS/rss-floor-${LARGEST}x.txt")

# (c) ingestion of 1 GB logs.
T_ING_NGINX="" T_GREP_NGINX="" T_ING_SSHD="" T_GREP_SSHD=""
if [ "$INGEST" = 1 ]; then
	I=$WORK/ingest-$LOG_BYTES
	if ! [ -f "$I/.done" ]; then
		say "ingestion: generate two logs of $LOG_BYTES in $I"
		rm -rf "$I"
		"$BIN/gen" -log-bytes "$LOG_BYTES" -out "$I"
		touch "$I/.done"
	fi
	say "ingestion: check once"
	for k in nginx sshd; do
		"$POSTURE" -c "$I/$k.hcl" --as-of $AS_OF snapshot --out "$I/snap-$k" >&2 || die "posture snapshot of the $k log failed"
	done
	G403=$(grep -c ' 403 ' "$I/access.log") || die "grep found no ' 403 ' in $I/access.log"
	GFAILED=$(grep -c 'Failed password' "$I/auth.log") || die "grep found no 'Failed password' in $I/auth.log"
	echo "grep -c: $G403 lines with ' 403 ', $GFAILED lines with 'Failed password'" | tee "$RESULTS/ingest-grep-counts.txt" >&2
	# --output pipe: GNU grep stops at the first match when its output is /dev/null.
	say "ingestion: posture snapshot vs grep -c ($RUNS_LARGE runs)"
	hf "ingest-nginx" "$RUNS_LARGE" 1 --output pipe --prepare "rm -rf $I/snap-nginx" \
		-n posture "$POSTURE -q -c $I/nginx.hcl --as-of $AS_OF snapshot --out $I/snap-nginx" \
		-n grep "grep -c ' 403 ' $I/access.log"
	hf "ingest-sshd" "$RUNS_LARGE" 1 --output pipe --prepare "rm -rf $I/snap-sshd" \
		-n posture "$POSTURE -q -c $I/sshd.hcl --as-of $AS_OF snapshot --out $I/snap-sshd" \
		-n grep "grep -c 'Failed password' $I/auth.log"
	T_ING_NGINX=$(med ingest-nginx posture)
	T_GREP_NGINX=$(med ingest-nginx grep)
	T_ING_SSHD=$(med ingest-sshd posture)
	T_GREP_SSHD=$(med ingest-sshd grep)
	INGEST_SIZE=$(stat -c %s "$I/access.log")
fi

# (d) headers over 200 slow local endpoints.
T_HEADERS="" HEADERS_NOTE=""
PATHS=200 DELAY_MS=100 CONC=8
IDEAL=$(awk -v p=$PATHS -v d=$DELAY_MS -v c=$CONC 'BEGIN { printf "%.6f", p * d / 1000 / c }')
if [ "$HEADERS" = 1 ]; then
	HD=$WORK/headers
	rm -rf "$HD"
	mkdir -p "$HD"
	sed '/^exceptions = /,$d' "$WORK/s${LARGEST}/posture.hcl" >"$HD/header.hcl"
	"$BIN/slowsrv" -dir "$HD" -paths $PATHS -delay ${DELAY_MS}ms -concurrency $CONC -lifetime 10m -config-header "$HD/header.hcl" &
	SRV=$!
	trap 'kill $SRV 2>/dev/null || true' EXIT
	for _ in $(seq 100); do [ -f "$HD/url" ] && break; sleep 0.1; done
	[ -f "$HD/url" ] || die "slowsrv did not start"
	if ! msg=$("$POSTURE" -q -c "$HD/headers.hcl" validate 2>&1); then
		if grep -qi 'headers' <<<"$msg"; then
			HEADERS_NOTE="skipped: this posture has no \`headers\` source kind yet ($(head -1 <<<"$msg"))"
			echo "(d) $HEADERS_NOTE" >&2
		else
			die "headers config does not validate: $msg"
		fi
	else
		say "headers: posture snapshot over $PATHS endpoints × ${DELAY_MS} ms, concurrency $CONC ($RUNS_LARGE runs)"
		run_posture -q -c "$HD/headers.hcl" --as-of $AS_OF snapshot --out "$HD/snap"
		run_posture -q -c "$HD/headers.hcl" --as-of $AS_OF eval --snapshot "$HD/snap" --dump-input -o "$HD/input.json"
		run_posture -q -c "$HD/headers.hcl" --as-of $AS_OF eval --snapshot "$HD/snap" --format json -o "$HD/report.json"
		"$BIN/floor" -items "$HD/input.json" >"$HD/floor.json"
		$(opa_cmd "$HD") >"$HD/opa.json" || die "opa eval failed on the headers input"
		"$H" check -posture "$HD/report.json" -floor "$HD/floor.json" -opa "$HD/opa.json" | tee "$RESULTS/check-headers.txt" >&2 ||
			die "metric values differ on the headers input (see above)"
		hf headers "$RUNS_LARGE" "$WARMUP" --prepare "rm -rf $HD/snap-bench" \
			-n posture "$POSTURE -q -c $HD/headers.hcl --as-of $AS_OF snapshot --out $HD/snap-bench"
		T_HEADERS=$(med headers posture)
	fi
	kill $SRV 2>/dev/null || true
	wait $SRV 2>/dev/null || true
	trap - EXIT
fi

# ---------------------------------------------------------------------------------------------
say "table"
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
GOV=$(go env GOVERSION)
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
{
	echo "Measured $DATE on $(nproc) cores, $CPU, $MEM; $GOV, opa ${OPA_VERSION}, hyperfine $HYPERFINE_VERSION;"
	if [ "$MODE" = quick ]; then
		echo "posture at commit $COMMIT$DIRTY. Command: \`$CMD\`. One run each (no warm-up): a smoke test, not a measurement."
	else
		echo "posture at commit $COMMIT$DIRTY. Command: \`$CMD\`. Medians of 10 runs (1x), $RUNS_SMALL (10x)"
		echo "and $RUNS_LARGE (100x, 1 GB files, headers) after $WARMUP warm-up run; whole processes."
	fi
	echo
	echo "| measurement | posture | reference | ratio | target |"
	echo "|---|---|---|---|---|"
	for S in $SCALES; do
		r=$(ratio "${T_EVAL[$S]}" "${T_OPA[$S]}")
		tgt="—"
		[ "$S" -lt 100 ] || tgt="≤ 0.5 ($(verdict "$r" "<=" 0.5))"
		echo "| (a) eval ${S}x ($(mib "${INPUT_BYTES[$S]}") input) vs \`opa eval\` | $(fmt_s "${T_EVAL[$S]}") | $(fmt_s "${T_OPA[$S]}") | posture/opa $r | $tgt |"
	done
	for S in $SCALES; do
		r=$(ratio "${T_EVAL[$S]}" "${T_FLOOR[$S]}")
		tgt="—"
		[ "$S" -lt 100 ] || tgt="≤ 3 ($(verdict "$r" "<=" 3))"
		echo "| (b) eval ${S}x vs native floor | $(fmt_s "${T_EVAL[$S]}") | $(fmt_s "${T_FLOOR[$S]}") | posture/floor $r | $tgt |"
	done
	for S in $SCALES; do
		echo "| posture snapshot ${S}x ($(mib "${SNAP_BYTES[$S]}") written) | $(fmt_s "${T_SNAP[$S]}") | — | — | — |"
	done
	if [[ " $SCALES " == *" 10 "* && " $SCALES " == *" 100 "* ]]; then
		r=$(ratio "${T_EVAL[100]}" "${T_EVAL[10]}")
		echo "| scaling of eval: t(100x)/t(10x) | $(fmt_s "${T_EVAL[100]}") / $(fmt_s "${T_EVAL[10]}") | opa $(ratio "${T_OPA[100]}" "${T_OPA[10]}"), floor $(ratio "${T_FLOOR[100]}" "${T_FLOOR[10]}") | $r | ≤ 11 ($(verdict "$r" "<=" 11)) |"
		r=$(ratio "${T_SNAP[100]}" "${T_SNAP[10]}")
		echo "| scaling of snapshot: t(100x)/t(10x) | $(fmt_s "${T_SNAP[100]}") / $(fmt_s "${T_SNAP[10]}") | — | $r | ≤ 11 ($(verdict "$r" "<=" 11)) |"
	fi
	if [ -n "$T_ING_NGINX" ]; then
		r=$(ratio "$T_ING_NGINX" "$T_GREP_NGINX")
		echo "| (c) snapshot of a $(mib "$INGEST_SIZE") nginx access log vs \`grep -c ' 403 '\` | $(fmt_s "$T_ING_NGINX") | $(fmt_s "$T_GREP_NGINX") | $r | ≤ 4 ($(verdict "$r" "<=" 4)) |"
		r=$(ratio "$T_ING_SSHD" "$T_GREP_SSHD")
		echo "| (c) snapshot of a $(mib "$INGEST_SIZE") sshd log vs \`grep -c 'Failed password'\` | $(fmt_s "$T_ING_SSHD") | $(fmt_s "$T_GREP_SSHD") | $r | ≤ 4 ($(verdict "$r" "<=" 4)) |"
	else
		echo "| (c) 1 GB ingestion | not run ($MODE) | | | |"
	fi
	if [ -n "$T_HEADERS" ]; then
		r=$(ratio "$T_HEADERS" "$IDEAL")
		echo "| (d) headers: $PATHS HTTPS endpoints × $DELAY_MS ms, concurrency $CONC, vs ideal $PATHS×0.1 s÷$CONC | $(fmt_s "$T_HEADERS") | $(fmt_s "$IDEAL") | $r | ≤ 1.5 ($(verdict "$r" "<=" 1.5)) |"
	else
		echo "| (d) headers | ${HEADERS_NOTE:-not run} | $(fmt_s "$IDEAL") (ideal) | | ≤ 1.5 |"
	fi
	r=$(ratio "$((RSS_POSTURE * 1048576))" "${SNAP_BYTES[$LARGEST]}")
	tgt="—"
	[ "$LARGEST" -lt 100 ] || tgt="≤ 4 ($(verdict "$r" "<=" 4))"
	echo "| (e) peak RSS of eval ${LARGEST}x (largest of 3 runs) vs snapshot on disk ($(mib "${SNAP_BYTES[$LARGEST]}")) | $RSS_POSTURE MiB | opa $RSS_OPA MiB, floor $RSS_FLOOR MiB | RSS/snapshot $r | $tgt |"
} >"$TABLE"
{
	echo "date=$DATE"
	echo "nproc=$(nproc)"
	echo "cpu=$CPU"
	echo "memory=$MEM"
	echo "go=$GOV"
	echo "opa=$OPA_VERSION"
	echo "hyperfine=$HYPERFINE_VERSION"
	echo "commit=$COMMIT$DIRTY"
	echo "command=$CMD"
	echo "scales=$SCALES"
	for S in $SCALES; do echo "input_bytes_${S}x=${INPUT_BYTES[$S]} snapshot_bytes_${S}x=${SNAP_BYTES[$S]}"; done
} >"$RESULTS/machine.txt"
cat "$TABLE"

if [ "$WRITE_DOCS" = 1 ]; then
	DOC=$ROOT/docs/performance.md
	[ -f "$DOC" ] || printf '# Performance\n\n<!-- bench:begin -->\n<!-- bench:end -->\n' >"$DOC"
	grep -q '<!-- bench:begin -->' "$DOC" || die "$DOC has no <!-- bench:begin --> marker"
	awk -v table="$TABLE" '
		/<!-- bench:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
		/<!-- bench:end -->/ { skip = 0 }
		!skip { print }' "$DOC" >"$DOC.tmp" && mv "$DOC.tmp" "$DOC"
	echo "wrote the table into $DOC; raw hyperfine JSON in $RESULTS" >&2
fi
