#!/bin/sh
# bench/smoke.sh BENCH OUTDIR: a short run of the benchmark harness (ctest bench_smoke), checking
# what the tables rest on: the run completes its correctness checks (it exits non-zero on a torn
# read or a lost write), writes its files, the no-lock ceiling runs in the read-only rw case
# and nowhere else, and the cache-line transfer samples are reported.
set -eu
bench=$1
out=$2
rm -rf "$out"
"$bench" --no-go --filter rw:w0,rw:w1 --impl gs_rwmutex --threads 1,2 --reps 1 \
    --duration 0.02 --warmup 0.005 --out "$out" >/dev/null
fail() {
    echo "bench_smoke: $*" >&2
    exit 1
}
for f in summary.md median.csv raw.csv; do
    [ -s "$out/$f" ] || fail "$out/$f missing or empty"
done
# median.csv: scenario,case,impl,threads,...
rows() { grep -c "^rw,$1,$2,$3," "$out/median.csv" || true; }
for t in 1 2; do
    for impl in pthread_rw gs_rwmutex no_lock; do
        [ "$(rows w0 "$impl" "$t")" = 1 ] || fail "no rw/w0 row for $impl at $t threads"
    done
    [ "$(rows w1 gs_rwmutex "$t")" = 1 ] || fail "no rw/w1 row for gs_rwmutex at $t threads"
    [ "$(rows w1 no_lock "$t")" = 0 ] || fail "no_lock ran in rw/w1, where its reads would tear"
done
grep -q "| 2 threads × no_lock |" "$out/summary.md" || fail "read-only scaling table has no × no_lock column"
grep -q "^| gs_rwmutex | .*/s | .*/s | [0-9.]*× | [0-9.]*× | [0-9.]*× |$" "$out/summary.md" ||
    fail "no gs_rwmutex row with figures in the read-only scaling table"
# With two CPUs or more, each cell is preceded by a cache-line transfer sample, reported.
if [ "$(nproc)" -ge 2 ]; then
    grep -q "^- Cache-line transfer between CPUs [0-9]* and [0-9]*, one way, sampled before and after each of the 4 cells: median [0-9]* ns" "$out/summary.md" ||
        fail "summary.md has no cache-line transfer line"
    grep -q "^- \(No cell's samples\|Cells whose samples\) before and after" "$out/summary.md" ||
        fail "summary.md does not say whether any cell changed mode"
    grep -q "^# line transfer: CPUs .* (8 samples): min [0-9]* ns" "$out/median.csv" ||
        fail "median.csv has no line transfer header"
    [ "$(grep -o " rw/w[01]/[12]=[0-9]*/[0-9]*" "$out/median.csv" | wc -l)" = 4 ] ||
        fail "median.csv has no per-cell line transfer samples"
fi
echo "bench_smoke: ok"
