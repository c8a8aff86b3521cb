#!/bin/sh
# Builds bench_sync_extra against the library as it is (cascade) and against two scratch
# variants of src/cond.c (herd, late), into $1 (default build/variants).
set -e
out=${1:-build/variants}
mkdir -p "$out"
python3 bench/variants/make_variants.py src/cond.c "$out"
cp src/cond.c "$out/cond_cascade.c"
common="src/fatal.c src/mutex.c src/rwmutex.c src/locker.c src/once.c src/waitgroup.c \
  src/platform/park_pthread.c src/platform/posix_clock.c src/platform/futex_linux.c"
for v in cascade herd late; do
  cc -O2 -std=c11 -D_GNU_SOURCE -DGOSYNC_BUILDING -fvisibility=hidden -Iinclude -Isrc \
    bench/bench_sync_extra.c $common "$out/cond_$v.c" -lpthread -o "$out/bench_$v"
done
