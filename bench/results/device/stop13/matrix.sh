#!/usr/bin/env bash
# Issue 5 on a quiet 16-core machine: gosync before (20fbf92) and after (032c89c) the
# mutex work of stop 12, on 2 CPUs (taskset) and on all 16; read scaling to 16 threads.
# EXTRA (e.g. "--duration 0.01 --reps 1") shortens a dry run.
set -u
D=$(cd "$(dirname "$0")" && pwd)
O=/tmp/devout; rm -rf $O; mkdir -p $O
X=${EXTRA:-}
{ nproc; grep -m1 'model name' /proc/cpuinfo; uptime; uname -r; } > $O/machine.txt
cat $O/machine.txt
IM="gs_mutex,gs_rwmutex_w,nsync,absl,pthread_adaptive,mtx_t,go"
M2="--filter mutex,starvation --threads 2,8,32,128 --reps 3"
M16="--filter mutex --threads 1,2,4,8,16,32,128 --reps 3"
run() { local name=$1; shift; local t0=$SECONDS; "$@" $X --out $O/$name > $O/$name.log 2>&1; echo "$name: rc $? in $((SECONDS-t0)) s"; }
run old2  taskset -c 0,1 $D/old/run.sh --no-go $M2 --impl gs_mutex,gs_rwmutex_w
run new2  taskset -c 0,1 $D/new/run.sh $M2 --impl $IM
run old16 $D/old/run.sh --no-go $M16 --impl gs_mutex,gs_rwmutex_w
run new16 $D/new/run.sh $M16 --impl $IM
run rw16  $D/new/run.sh --filter uncontended,rw:w0,rw:w1 --threads 1,2,4,8,16 --reps 3 --impl gs_rwmutex,nsync_rw,absl_rw,go_rw,gs_mutex,nsync,go
run wf16  $D/new/run.sh --no-go --filter wflood --reps 3 --impl gs_rwmutex,nsync_rw
run oldrw16 $D/old/run.sh --no-go --filter rw:w0,rw:w1,wflood --threads 1,2,4,8,16 --reps 3 --impl gs_rwmutex
[ -n "${OUT:-}" ] && tar czf $OUT/devout.tgz -C $O .
python3 $D/table.py $O/old2 $O/new2 $O/old16 $O/new16 $O/rw16 $O/wf16 $O/oldrw16 | cut -c1-120
echo "total $SECONDS s"
