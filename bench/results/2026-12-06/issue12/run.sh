#!/usr/bin/env bash
# Same-run comparison of posture at 53fd1ce (old) and HEAD (new): 100x snapshot + eval,
# 1 GiB nginx and sshd ingestion; runs alternate old/new; wall time and peak RSS.
set -euo pipefail
W=/tmp/perf/work; mkdir -p $W
ASOF=2026-11-27
[ -f $W/s100/.done ] || { rm -rf $W/s100; /tmp/perf/gen -scale 100 -out $W/s100; touch $W/s100/.done; }
[ -f $W/ing/.done ] || { rm -rf $W/ing; /tmp/perf/gen -log-bytes 1G -out $W/ing; touch $W/ing/.done; }
ls $W/ing
out=/tmp/perf/results.tsv; : > $out
t() { # label bin args...
  local label=$1 bin=$2; shift 2
  local f=$(mktemp)
  /usr/bin/time -f "%e %M" -o $f /tmp/perf/$bin/posture "$@" >/dev/null 2>/dev/null || true
  echo -e "$label\t$bin\t$(cat $f)" | tee -a $out
  rm -f $f
}
for b in old new; do
  rm -rf $W/s100/snap-$b
  /tmp/perf/$b/posture -q -c $W/s100/posture.hcl --as-of $ASOF snapshot --out $W/s100/snap-$b >/dev/null 2>&1 || true
done
for i in 1 2 3 4 5; do
  for b in old new; do
    rm -rf $W/s100/snapb-$b
    t snapshot-100x $b -q -c $W/s100/posture.hcl --as-of $ASOF snapshot --out $W/s100/snapb-$b
    t eval-100x $b -q -c $W/s100/posture.hcl --as-of $ASOF eval --snapshot $W/s100/snap-$b --format json
  done
done
for i in 1 2 3 4 5; do
  for b in old new; do
    for k in nginx sshd; do
      rm -rf $W/ing/snap-$k-$b
      t ingest-1G-$k $b -q -c $W/ing/$k.hcl --as-of $ASOF snapshot --out $W/ing/snap-$k-$b
    done
  done
done
echo done
