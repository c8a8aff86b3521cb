#!/usr/bin/env bash
# Issue 5 on a lent 16-core machine, gosync at 728c4a9 (bundle by scripts/bench-bundle.sh in
# .devbench/new): read scaling to 16 threads, the contended mutex on 16 CPUs, the issue's
# targets on 2 CPUs (taskset), the writer flood on 16 CPUs. Results go to /tmp/devout and,
# packed in one tarball, to $OUT after each run (so a run cut short still returns what it
# finished). EXTRA shortens a dry run.
set -u
B=${B:-.devbench/new}
O=/tmp/devout; rm -rf "$O"; mkdir -p "$O"
X=${EXTRA:-}
{ nproc; grep -m1 'model name' /proc/cpuinfo; uptime; uname -r; } > "$O/machine.txt"
cat "$O/machine.txt"
run() { local name=$1; shift; local t0=$SECONDS; "$@" $X --out "$O/$name" > "$O/$name.log" 2>&1; echo "$name: rc $? in $((SECONDS-t0)) s; $(uptime)"
  [ -n "${OUT:-}" ] && tar czf "$OUT/devout.tgz" -C "$O" .; }
run rw16    "$B/run.sh" --filter uncontended,rw:w0,rw:w1 --threads 1,2,4,8,16 --reps 3 \
            --impl gs_rwmutex,nsync_rw,absl_rw,go_rw,gs_mutex,nsync,go
run mutex16 "$B/run.sh" --filter mutex --threads 1,2,8,16,32,128 --reps 3 --impl gs_mutex,nsync,absl,go
run mutex2  taskset -c 0,1 "$B/run.sh" --filter uncontended,mutex --threads 2,8,32,128 --reps 3
run rw2     taskset -c 0,1 "$B/run.sh" --filter rw,wflood --reps 3
run wf16    "$B/run.sh" --no-go --filter wflood --reps 3 --impl gs_rwmutex,nsync_rw
echo "total $SECONDS s"
