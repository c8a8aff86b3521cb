#!/bin/sh
# bench/results/devvm-queue/load/run.sh OLD_BUILD NEW_BUILD [ROUNDS=3]
# The load comparisons of docs/PERFORMANCE.md ("2026-11-27, stop 23: what CPU load costs the
# queue"). OLD_BUILD and NEW_BUILD are gosync source trees with a release build in b/ (e.g.
# `git worktree add /tmp/old 7de9ff0 && cmake -S /tmp/old -B /tmp/old/b
# -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/old/b`), or any tree whose libgosync.a is
# at b/libgosync.a. Builds mixed_stress against each, then, alternating the two:
#   - 64 threads beside two busy loops, with and without the timed calls (ROUNDS each);
#   - pinned to one CPU (taskset -c 0), 32 and 48 threads x 1000 acquisitions, timed and not
#     (60 s cap: "T/O" is a run that did not finish);
#   - perf stat (task-clock, context switches) of one run each beside the busy loops.
# Output on stdout; nothing else may run on the machine meanwhile.
set -u
old=$1 new=$2 rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../adopt/mixed_stress.c
tmp=$(mktemp -d)
for b in old new; do
    eval dir=\$$b
    cc -O2 -I"$dir/include" "$src" "$dir/b/libgosync.a" -lpthread -o "$tmp/ms_$b" || exit 1
done
run() { # label, then the command
    l=$1; shift
    out=$(timeout 60 "$@" 2>&1) || out="T/O or failed: $out"
    echo "$l $out"
}
busy() { (timeout "$1" sh -c 'while :; do :; done' &); (timeout "$1" sh -c 'while :; do :; done' &); sleep 1; }
echo "# $(date -u '+%F %T UTC'), $(nproc) CPUs, old=$old new=$new"
echo "## beside two busy loops: 64 threads x 5000"
busy 400
for r in $(seq "$rounds"); do
    for t in 1 0; do
        for b in old new; do run "busy timed=$t $b" "$tmp/ms_$b" 64 1 5000 $t; done
    done
done
for b in old new; do
    echo "perf stat busy timed=1 $b:"
    perf stat -e task-clock,context-switches "$tmp/ms_$b" 64 1 5000 1 2>&1 |
        grep -E 'threads|task-clock|context|elapsed|user|sys'
done
pkill -f 'while :; do :; done'
echo "## pinned to one CPU: 1000 acquisitions per thread"
for t in 32 48; do
    for timed in 1 0; do
        for b in old new; do run "pinned timed=$timed $b" taskset -c 0 "$tmp/ms_$b" $t 1 1000 $timed; done
    done
done
rm -rf "$tmp"
