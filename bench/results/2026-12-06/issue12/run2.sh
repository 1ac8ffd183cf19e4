#!/usr/bin/env bash
set -euo pipefail
W=/tmp/perf/work; ASOF=2026-11-27
out=/tmp/perf/results2.tsv; : > $out
t() { local label=$1 bin=$2; shift 2; local f=$(mktemp)
  /usr/bin/time -f "%e %M" -o $f /tmp/perf/$bin/posture "$@" >/dev/null 2>/dev/null || true
  echo -e "$label\t$bin\t$(tail -1 $f)" >> $out; rm -f $f; }
for i in $(seq 1 12); do
  for b in old new; do
    rm -rf $W/s100/snapb-$b; t snapshot-100x $b -q -c $W/s100/posture.hcl --as-of $ASOF snapshot --out $W/s100/snapb-$b
    rm -rf $W/ing/snap-nginx-$b; t ingest-1G-nginx $b -q -c $W/ing/nginx.hcl --as-of $ASOF snapshot --out $W/ing/snap-nginx-$b
  done
done
echo done
