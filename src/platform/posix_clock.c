/* src/platform/posix_clock.c: time, CPU count and yield for POSIX systems. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "../internal/wait.h"

int64_t gs__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t gs__deadline_after(int64_t timeout_ns) {
    int64_t now = gs__now_ns();
    if (timeout_ns > GS__NO_DEADLINE - now)
        return GS__NO_DEADLINE - 1;
    return now + timeout_ns;
}

int gs__ncpu(void) {
    static _Atomic int cached;
    int n = atomic_load_explicit(&cached, memory_order_relaxed);
    if (n > 0)
        return n;
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
#endif
    if (n <= 0)
        n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n <= 0)
        n = 1;
    atomic_store_explicit(&cached, n, memory_order_relaxed);
    return n;
}

void gs__yield(void) { sched_yield(); }
