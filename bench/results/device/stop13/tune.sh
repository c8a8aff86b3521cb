#!/usr/bin/env bash
# gs_mutex fairness knobs on 2 CPUs, and the rwmutex writer spin on 16 CPUs, quiet machine.
# Variants (CMAKE_C_FLAGS of build/release/bench/gosync-bench, .devbench/v/gsb-NAME):
#  v0 as committed (STARVE 1 ms, GAP 100 us, POLL 50 us, writer spin 64 x 1 PAUSE)
#  v1 GAP 300 us   v2 GAP 1 ms   v3 STARVE 3 ms   v4 STARVE 3 ms + GAP 300 us
#  v5 POLL 200 us  v6 no starvation mode (STARVE 1e9 ns)   v7 STARVE 2 ms + GAP 200 us
#  r1 rwmutex writer spin 12 looks backing off to 16 PAUSEs   r2 rwmutex writer: no spin
set -u
D=$(cd "$(dirname "$0")" && pwd); O=/tmp/tune; rm -rf $O; mkdir -p $O
X=${EXTRA:-}
g() { local c=$1 v=$2; shift 2; taskset -c $c "$D/v/lib/ld.so" --library-path "$D/v/lib" "$D/v/gsb-$v" --no-go "$@" $X >/dev/null 2>&1; }
for r in 1 2; do
  for v in v0 v1 v2 v3 v4 v5 v6 v7; do
    g 0,1 $v --filter mutex --impl gs_mutex --threads 8,32 --reps 3 --out $O/m2-$v-$r
  done
  for v in v0 r1 r2; do
    g 0-15 $v --filter mutex --impl gs_rwmutex_w --threads 2,4,8,16 --reps 3 --out $O/w16-$v-$r
    g 0,1 $v --filter mutex --impl gs_rwmutex_w --threads 8,32 --reps 3 --out $O/w2-$v-$r
  done
  echo "round $r at $SECONDS s"
done
g 0,1 v0 --filter mutex --impl nsync --threads 8,32 --reps 3 --out $O/m2-nsync-1
[ -n "${OUT:-}" ] && tar czf $OUT/tune.tgz -C $O .
for f in m2 w16 w2; do for v in v0 v1 v2 v3 v4 v5 v6 v7 r1 r2 nsync; do
  ls -d $O/$f-$v-* >/dev/null 2>&1 || continue
  python3 $D/table.py $O/$f-$v-* | grep -v '^==' | grep -v " pthread " | sed "s/^/$f $v /"
done; done | sort -s -k1,1 -k3,3 | cut -c1-120
echo "total $SECONDS s"
