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

/* The CPUs this process may use. Spinning pays when the lock holder can run on another
 * CPU at the same time, which depends on the process's CPUs, not on the calling thread's:
 * a thread pinned to one CPU still waits for holders running elsewhere. So the count is
 * taken once, at load time, from the thread that loads the library (the main thread, before
 * the program can pin it; `taskset` restricts it, and so the count, for the whole process).
 * The first caller fills it only where the constructor did not run. */
static _Atomic int gs__ncpu_cached;

static int gs__ncpu_compute(void) {
    int n = 0;
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
#endif
    if (n <= 0)
        n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

__attribute__((constructor)) static void gs__ncpu_init(void) {
    atomic_store_explicit(&gs__ncpu_cached, gs__ncpu_compute(), memory_order_relaxed);
}

int gs__ncpu(void) {
    int n = atomic_load_explicit(&gs__ncpu_cached, memory_order_relaxed);
    if (n > 0)
        return n;
    n = gs__ncpu_compute();
    atomic_store_explicit(&gs__ncpu_cached, n, memory_order_relaxed);
    return n;
}

void gs__yield(void) { sched_yield(); }
