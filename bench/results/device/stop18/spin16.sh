#!/usr/bin/env bash
# gs_mutex on all 16 CPUs: spinning while waiters are registered (bench/scratch/mutex-spin16.patch).
# Variants (.devbench/v18/gsb-NAME, CMAKE_C_FLAGS of the release build of the patched tree):
#  v0 as at 728c4a9   sa  -DGS__SPIN_WAITERS_MIN_CPUS=4 (arriving threads spin with waiters registered)
#  sb -DGS__DESIG_SPIN=4 (the woken designated waiter spins before it polls)   sab both
#  sab20 both, -DGS__SPIN_LIMIT=20
set -u
D=${D:-.devbench/v18}; O=/tmp/spin16; rm -rf $O; mkdir -p $O
X=${EXTRA:-}
g() { local v=$1; shift; "$D/lib/ld.so" --library-path "$D/lib" "$D/gsb-$v" --no-go "$@" $X >/dev/null 2>&1; }
for r in 1 2; do
  for v in v0 sa sb sab sab20; do
    g $v --filter mutex --impl gs_mutex --threads 8,16,32,128 --reps 3 --out $O/m16-$v-$r
  done
  g v0 --filter mutex --impl nsync --threads 8,16,32,128 --reps 3 --out $O/m16-nsync-$r
  echo "round $r at $SECONDS s"
  [ -n "${OUT:-}" ] && tar czf $OUT/spin16.tgz -C $O .
done
echo "total $SECONDS s"
