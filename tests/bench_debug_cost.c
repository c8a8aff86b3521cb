/* tests/bench_debug_cost.c: what debug mode and contention profiling cost, side by side in
 * one run (quote ratios: timings on a shared machine are noisy).
 *
 *   bench_debug_cost [iterations]
 *
 * 1. Uncontended gs_mutex lock+unlock, ns per pair: the header's inline fast path (this file
 *    is compiled without GS_DEBUG), the same with profiling on (the fast path has no hook, so
 *    it should not move), the exported functions, debug mode (bench_debug_cost_on.c, compiled
 *    with GS_DEBUG), and pthread_mutex for scale.
 * 2. The profiling hook in a slow path: begin+end with profiling off, and one sampled record
 *    (clock reads, backtrace, table update).
 * 3. A contended workload (4 threads, one mutex) with profiling off, 1 in 100 and 1 in 1.
 */
#include <gosync.h>

#include "../src/internal/profile.h"
#include "harness.h"

/* bench_debug_cost_on.c */
double debug_on_lock_unlock_ns(long iters);

static double ns_per(int64_t t0, long n) { return (double)(now_ns() - t0) / (double)n; }

__attribute__((noinline)) static double inline_lock_unlock_ns(long iters) {
    static gs_mutex mu;
    int64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        gs_mutex_lock(&mu);
        gs_mutex_unlock(&mu);
    }
    return ns_per(t0, iters);
}

__attribute__((noinline)) static double exported_lock_unlock_ns(long iters) {
    static gs_mutex mu;
    void (*volatile lock)(gs_mutex *) = gs_mutex_lock;
    void (*volatile unlock)(gs_mutex *) = gs_mutex_unlock;
    int64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        lock(&mu);
        unlock(&mu);
    }
    return ns_per(t0, iters);
}

__attribute__((noinline)) static double pthread_lock_unlock_ns(long iters) {
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(&mu);
        pthread_mutex_unlock(&mu);
    }
    return ns_per(t0, iters);
}

__attribute__((noinline)) static void hooked(const void *lock) {
    GS__PROFILE_WAIT(lock);
    __asm__ __volatile__("" ::: "memory");
}

__attribute__((noinline)) static void not_hooked(const void *lock) {
    (void)lock;
    __asm__ __volatile__("" ::: "memory");
}

__attribute__((noinline)) static double call_ns(void (*f)(const void *), long iters) {
    static gs_mutex mu;
    int64_t t0 = now_ns();
    for (long i = 0; i < iters; i++)
        f(&mu);
    return ns_per(t0, iters);
}

/* ---- contended ---- */

typedef struct {
    gs_mutex mu;
    long counter;
    long loops;
} hammer_arg;

/* Some work inside and outside the lock, so that most acquisitions find it held. */
static void work(int n) {
    for (int i = 0; i < n; i++)
        gs__cpu_relax();
}

static void hammer(void *p, int index) {
    (void)index;
    hammer_arg *h = (hammer_arg *)p;
    for (long i = 0; i < h->loops; i++) {
        gs_mutex_lock(&h->mu);
        h->counter++;
        work(20);
        gs_mutex_unlock(&h->mu);
        work(20);
    }
}

static long sampled(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    gs_profile_write(f);
    fclose(f);
    const char *h = strstr(buf, "# gosync contention profile: ");
    long n = h ? atol(h + strlen("# gosync contention profile: ")) : -1;
    free(buf);
    return n;
}

static double contended_ms(long loops, int rate, long *samples) {
    hammer_arg h = {GS_MUTEX_INIT, 0, loops};
    gs_profile_reset();
    gs_profile_start(rate);
    int64_t t0 = now_ns();
    run_threads(4, hammer, &h);
    double ms = (double)(now_ns() - t0) / 1e6;
    gs_profile_start(0);
    *samples = sampled();
    if (h.counter != 4 * loops)
        GS_T_FAIL("lost updates");
    return ms;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of 5 runs of f, interleaved by the caller's loop. */
#define ROUNDS 5

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 20000000;
    if (iters < 1000)
        iters = 1000;
    double inl[ROUNDS], inl_prof[ROUNDS], exp_[ROUNDS], dbg[ROUNDS], pth[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        inl[r] = inline_lock_unlock_ns(iters);
        gs_profile_start(1);
        inl_prof[r] = inline_lock_unlock_ns(iters);
        gs_profile_start(0);
        exp_[r] = exported_lock_unlock_ns(iters);
        dbg[r] = debug_on_lock_unlock_ns(iters / 20);
        pth[r] = pthread_lock_unlock_ns(iters);
    }
    qsort(inl, ROUNDS, sizeof(double), cmp_double);
    qsort(inl_prof, ROUNDS, sizeof(double), cmp_double);
    qsort(exp_, ROUNDS, sizeof(double), cmp_double);
    qsort(dbg, ROUNDS, sizeof(double), cmp_double);
    qsort(pth, ROUNDS, sizeof(double), cmp_double);
    double base = inl[ROUNDS / 2];
    printf("uncontended gs_mutex lock+unlock, median of %d runs of %ld pairs:\n", ROUNDS, iters);
    printf("  inline fast path, GS_DEBUG off     %7.2f ns  (1.00x)\n", base);
    printf("  same, profiling on (rate 1)        %7.2f ns  (%.2fx)\n", inl_prof[ROUNDS / 2],
           inl_prof[ROUNDS / 2] / base);
    printf("  exported functions                 %7.2f ns  (%.2fx)\n", exp_[ROUNDS / 2],
           exp_[ROUNDS / 2] / base);
    printf("  GS_DEBUG on                        %7.2f ns  (%.2fx)\n", dbg[ROUNDS / 2],
           dbg[ROUNDS / 2] / base);
    printf("  pthread_mutex                      %7.2f ns  (%.2fx)\n", pth[ROUNDS / 2],
           pth[ROUNDS / 2] / base);

    long hook_iters = iters / 4;
    double none = call_ns(not_hooked, hook_iters);
    double off = call_ns(hooked, hook_iters);
    gs_profile_reset();
    gs_profile_start(1);
    double on = call_ns(hooked, hook_iters / 50);
    gs_profile_start(100);
    double on100 = call_ns(hooked, hook_iters / 10);
    gs_profile_start(0);
    gs_profile_reset();
    printf("slow-path profiling hook, per contended acquisition (a call with the hook minus one "
           "without):\n");
    printf("  profiling off (load+branch)        %7.2f ns\n", off - none);
    printf("  sampled (clock, backtrace, record) %7.2f ns\n", on - none);
    printf("  1 in 100: average over all calls   %7.2f ns\n", on100 - none);

    long loops = iters / 200;
    double c_off[ROUNDS], c_100[ROUNDS], c_1[ROUNDS];
    long s_off = 0, s_100 = 0, s_1 = 0;
    for (int r = 0; r < ROUNDS; r++) {
        c_off[r] = contended_ms(loops, 0, &s_off);
        c_100[r] = contended_ms(loops, 100, &s_100);
        c_1[r] = contended_ms(loops, 1, &s_1);
    }
    qsort(c_off, ROUNDS, sizeof(double), cmp_double);
    qsort(c_100, ROUNDS, sizeof(double), cmp_double);
    qsort(c_1, ROUNDS, sizeof(double), cmp_double);
    printf("contended: 4 threads x %ld lock+unlock on one mutex, median of %d runs:\n", loops,
           ROUNDS);
    printf("  profiling off                      %8.1f ms  (1.00x)\n", c_off[ROUNDS / 2]);
    printf("  1 in 100 sampled                   %8.1f ms  (%.2fx)  %ld samples (last run)\n",
           c_100[ROUNDS / 2], c_100[ROUNDS / 2] / c_off[ROUNDS / 2], s_100);
    printf("  every contended acquisition        %8.1f ms  (%.2fx)  %ld samples (last run)\n",
           c_1[ROUNDS / 2], c_1[ROUNDS / 2] / c_off[ROUNDS / 2], s_1);
    if (s_1 > 0)
        printf("  => %.0f ns more per sampled acquisition at 1 in 1 (end to end, noisy)\n",
               (c_1[ROUNDS / 2] - c_off[ROUNDS / 2]) * 1e6 / (double)s_1);
    (void)s_off;
    return 0;
}
