#!/usr/bin/env bash
# The rwmutex handover spin (r3: the w-holder waiting for the writer inside does not spin;
# v0: 64 PAUSEs as committed) on 16 and 2 CPUs, and the cost of one PAUSE on this machine.
set -u
D=$(cd "$(dirname "$0")" && pwd); O=/tmp/last; rm -rf $O; mkdir -p $O
X=${EXTRA:-}
$D/pause | tee $O/pause.txt; grep -m1 'model name' /proc/cpuinfo | tee -a $O/pause.txt
g() { local c=$1 v=$2; shift 2; taskset -c $c "$D/v/lib/ld.so" --library-path "$D/v/lib" "$D/v/gsb-$v" --no-go "$@" $X >/dev/null 2>&1; }
for r in 1 2; do
  for v in v0 r3; do
    g 0-15 $v --filter mutex,rw:w1,rw:w10 --impl gs_rwmutex_w,gs_rwmutex --threads 2,4,8,16 --reps 3 --out $O/w16-$v-$r
    g 0,1 $v --filter mutex --impl gs_rwmutex_w --threads 2,8,32 --reps 3 --out $O/w2-$v-$r
  done
  echo "round $r at $SECONDS s"
done
[ -n "${OUT:-}" ] && tar czf $OUT/last.tgz -C $O .
for f in w16 w2; do for v in v0 r3; do
  python3 $D/table.py $O/$f-$v-* | grep -v '^==' | grep -v " pthread" | sed "s/^/$f $v /"
done; done | sort -s -k1,1 -k3,3 | cut -c1-120
echo "total $SECONDS s"
