#!/usr/bin/env bash
# gs_mutex spin variants (bench binaries of the same source, -D flags) on a quiet 16-core box:
# base = HEAD (100 single PAUSEs); bo16 = doubling pauses up to 16, 30 looks (431 PAUSEs);
# bo16s = same, 12 looks (143); bo64 = up to 64, 16 looks (703); sp400 = 400 single PAUSEs.
# Each variant is build/release/bench/gosync-bench configured with CMAKE_C_FLAGS
# "-DGS__SPIN_BACKOFF=16 -DGS__SPIN_LIMIT=12" (and so on), copied to .devbench/v/gsb-VARIANT
# beside the libraries of a scripts/bench-bundle.sh bundle. (See README.md: the run that
# produced the figures started the 2-CPU half with `taskset -p` after the harness had read its
# CPU set, so that half ran on 16 CPUs; the 2-CPU figures come from a second command, the
# loop below with `--impl gs_mutex` for base, bo16s and bo64 and one nsync run.)
set -u
D=$(cd "$(dirname "$0")" && pwd); O=/tmp/spinout; rm -rf $O; mkdir -p $O
X=${EXTRA:-}
grep -m1 'model name' /proc/cpuinfo; nproc
gsb() { local v=$1; shift; "$D/v/lib/ld.so" --library-path "$D/v/lib" "$D/v/gsb-$v" --no-go "$@"; }
for r in 1 2; do
  for v in base bo16 bo16s bo64 sp400; do
    taskset -c 0,1 "$D/v/lib/ld.so" --library-path "$D/v/lib" "$D/v/gsb-$v" --no-go \
      --filter mutex --impl gs_mutex --threads 2,8,32,128 --reps 3 $X --out $O/c2-$v-$r >/dev/null 2>&1
    gsb $v --filter mutex --impl gs_mutex --threads 2,4,8,16,32 --reps 3 $X --out $O/c16-$v-$r >/dev/null 2>&1
  done
  echo "round $r done at $SECONDS s"
done
taskset -c 0,1 "$D/v/lib/ld.so" --library-path "$D/v/lib" "$D/v/gsb-base" --no-go --filter mutex --impl nsync --threads 2,8,32,128 --reps 3 $X --out $O/c2-nsync-1 >/dev/null 2>&1
gsb base --filter mutex --impl nsync --threads 2,4,8,16,32 --reps 3 $X --out $O/c16-nsync-1 >/dev/null 2>&1
[ -n "${OUT:-}" ] && tar czf $OUT/spinout.tgz -C $O .
for c in c2 c16; do for v in base bo16 bo16s bo64 sp400 nsync; do
  python3 $D/table.py $O/$c-$v-* | grep -v '^==' | grep -v " pthread " | sed "s/^/$c $v /"
done; done | sort -s -k1,1 -k3,3 | cut -c1-130
echo "total $SECONDS s"
