/* tests/bench_debug_cost_on.c: the debug-mode side of bench_debug_cost (GS_DEBUG on). */
#define GS_DEBUG 1
#include <gosync.h>

#include <time.h>

double debug_on_lock_unlock_ns(long iters);

double debug_on_lock_unlock_ns(long iters) {
    static gs_mutex mu;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < iters; i++) {
        gs_mutex_lock(&mu);
        gs_mutex_unlock(&mu);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)iters;
}
