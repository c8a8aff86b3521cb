#!/bin/sh
# Builds the mtest binaries of docs/PERFORMANCE.md, "2026-11-27", into DIR (default
# /tmp/devvm-queue): the peers, gs_mutex at HEAD and its variants (-D knobs and the patches
# in bench/scratch/), and the waiter-queue prototype bench/scratch/qmu.h. Run from anywhere
# inside the repository.
set -e
out=${1:-/tmp/devvm-queue}
root=$(git rev-parse --show-toplevel)
mkdir -p "$out"
cd "$root"
GS="src/fatal.c src/mutex.c src/rwmutex.c src/locker.c src/once.c src/waitgroup.c src/cond.c
    src/profile.c src/debug.c src/annotate.c src/platform/park_pthread.c
    src/platform/posix_clock.c src/platform/futex_linux.c"
CC="cc -O2 -std=gnu11 -DBENCH_LIKE"
MT=bench/scratch/mtest.c
$CC -DUSE_PTHREAD -Iinclude $MT -lpthread -o "$out/pthread"
$CC -DUSE_NSYNC -Iinclude $MT -lnsync -lpthread -o "$out/nsync"
gs() { # NAME SRCDIR FLAGS...
    n=$1; d=$2; shift 2
    (cd "$d" && $CC -DGOSYNC_BUILDING -fvisibility=hidden -Iinclude -Isrc "$root/$MT" $GS \
        -lpthread "$@" -o "$out/$n")
}
gs gs "$root"
gs gs_gap250 "$root" -DGS__HANDOFF_GAP_NS=250000
gs gs_gap1ms "$root" -DGS__HANDOFF_GAP_NS=1000000
gs gs_watch "$root" -DGS__WATCH_MIN_CPUS=2
gs gs_watch_gap1ms "$root" -DGS__WATCH_MIN_CPUS=2 -DGS__HANDOFF_GAP_NS=1000000
for p in adaptive-gap starvers-by-handoff starver-side-word; do
    d="$out/src-$p"
    rm -rf "$d" && mkdir -p "$d"
    git archive HEAD src include | tar -x -C "$d"
    (cd "$d" && patch -s -p1 < "$root/bench/scratch/mutex-$p.patch")
done
gs gs_adgap4 "$out/src-adaptive-gap"
gs gs_adgap8 "$out/src-adaptive-gap" -DGS__HANDOFF_BUDGET_NS=8000000
gs gs_watch_adgap4 "$out/src-adaptive-gap" -DGS__WATCH_MIN_CPUS=2
gs gs_starvers_by_handoff "$out/src-starvers-by-handoff"
gs gs_side "$out/src-starver-side-word"
q() { n=$1; shift; $CC -DUSE_QMU -Iinclude $MT -lpthread "$@" -o "$out/$n"; }
# the prototype's second version (the default since 2026-11-27, verify/qmu.pml) ...
q q                                   # gap 100 us, spin only while nobody queues
q q250 -DQ_GAP_NS=250000
q q1ms -DQ_GAP_NS=1000000
q q_nostarve -DQ_STARVE_NS=1000000000000
q q_spin -DQ_SPIN_ALWAYS              # spin before queueing, even behind a queue
q q_adapt -DQ_SPIN_ADAPT              # ... while spinning pays off
q q_adapt250 -DQ_SPIN_ADAPT -DQ_GAP_NS=250000
# ... and its first (-DQ_V1, verify/qmu_v1.pml), which series-queue.txt measured under the
# names above
q q_v1 -DQ_V1
q q250_v1 -DQ_V1 -DQ_GAP_NS=250000
q q_poll_v1 -DQ_V1 -DQ_POLL
q q_adapt250_v1 -DQ_V1 -DQ_SPIN_ADAPT -DQ_GAP_NS=250000
echo "built in $out"
