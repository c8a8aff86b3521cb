#!/bin/bash
# bench/results/devvm-modes/mutex/run.sh: the mutex series behind docs/PERFORMANCE.md,
# "2026-11-26, late night" (the dev VM's two modes), at 1e42138: 14 runs of the mutex cells at
# 8 and 32 threads, 25 s apart. tab.py prints one line per cell with the line-transfer sample
# taken before it (stderr.txt), the rates (median.csv) and the worst waits; table.txt is its
# output for this series.
set -eu
cd "$(dirname "$0")/../../../.."
for i in $(seq 1 14); do
  mkdir -p bench/results/devvm-modes/mutex/r$i
  build/release/bench/gosync-bench --no-go --filter mutex --impl gs_mutex,nsync,absl --threads 8,32 \
    --reps 3 --out bench/results/devvm-modes/mutex/r$i \
    2>bench/results/devvm-modes/mutex/r$i/stderr.txt >/dev/null
  sleep 25
done
