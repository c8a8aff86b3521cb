#!/usr/bin/env bash
# gs_mutex's designated waiter that watches a free lock before taking it
# (bench/scratch/mutex-desig-watch.patch), on 16 CPUs and on 2 (taskset), quiet machine.
# Variants (.devbench/v18/gsb-NAME): v0 as at 728c4a9; w64 the watch (64 PAUSEs);
# wns the watch without starvation mode (-DGS__STARVE_NS=1000000000: a ceiling, not a lock
# anyone should ship).
set -u
D=${D:-.devbench/v18}; O=/tmp/watch; rm -rf $O; mkdir -p $O
X=${EXTRA:-}
g() { local c=$1 v=$2; shift 2; taskset -c $c "$D/lib/ld.so" --library-path "$D/lib" "$D/gsb-$v" --no-go "$@" $X >/dev/null 2>&1; }
for r in 1 2; do
  for v in v0 w64 wns; do
    g 0-15 $v --filter mutex --impl gs_mutex --threads 8,32 --reps 3 --out $O/m16-$v-$r
    g 0,1 $v --filter mutex --impl gs_mutex --threads 8,32 --reps 3 --out $O/m2-$v-$r
  done
  echo "round $r at $SECONDS s"
  [ -n "${OUT:-}" ] && tar czf $OUT/watch.tgz -C $O .
done
g 0,1 v0 --filter mutex --impl nsync --threads 8,32 --reps 3 --out $O/m2-nsync-1
[ -n "${OUT:-}" ] && tar czf $OUT/watch.tgz -C $O .
echo "total $SECONDS s"
