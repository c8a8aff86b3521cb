#!/bin/bash
# bench/results/devvm-modes/run.sh: the series behind docs/PERFORMANCE.md, "2026-11-26, late
# night" (the dev VM's two modes): 14 runs of the rw cells, 30 s apart, at 1e42138's harness
# minus its 20 ms cap on a line-transfer batch (6607e38). tab.py prints one line per cell with
# the line-transfer sample the harness took before it (stderr.txt) and the locks' rates
# (median.csv); table.txt is its output for this series.
set -eu
cd "$(dirname "$0")/../../.."
for i in $(seq 1 14); do
  mkdir -p bench/results/devvm-modes/r$i
  build/release/bench/gosync-bench --no-go --filter rw:w0,rw:w1 --impl gs_rwmutex,absl_rw,nsync_rw \
    --threads 2,8 --reps 3 --out bench/results/devvm-modes/r$i \
    2>bench/results/devvm-modes/r$i/stderr.txt >/dev/null
  sleep 30
done
