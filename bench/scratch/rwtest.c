/* bench/scratch/rwtest.c: the rw cell of gosync-bench (N threads pinned round-robin on 2 CPUs,
 * PERMILLE writes per thousand, reads that do RWORK multiply-adds inside the read lock, nothing
 * outside), small enough to run under perf stat. Build lines: README.md in this folder.
 * Usage: rwtest THREADS PERMILLE SECONDS. Prints ops/s, writes/s, worst write wait. */
#define _GNU_SOURCE
#include <gosync.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef USE_NSYNC
#include <nsync.h>
static _Alignas(128) nsync_mu l;
#define RL() nsync_mu_rlock(&l)
#define RU() nsync_mu_runlock(&l)
#define WL() nsync_mu_lock(&l)
#define WU() nsync_mu_unlock(&l)
#elif defined(USE_PTHREAD)
static _Alignas(128) pthread_rwlock_t l = PTHREAD_RWLOCK_INITIALIZER;
#define RL() pthread_rwlock_rdlock(&l)
#define RU() pthread_rwlock_unlock(&l)
#define WL() pthread_rwlock_wrlock(&l)
#define WU() pthread_rwlock_unlock(&l)
#else
static _Alignas(128) gs_rwmutex l;
#define RL() gs_rwmutex_rlock(&l)
#define RU() gs_rwmutex_runlock(&l)
#define WL() gs_rwmutex_lock(&l)
#define WU() gs_rwmutex_unlock(&l)
#endif
static _Alignas(128) volatile unsigned long rec[2];
static atomic_int stop;
static int permille, rwork = 100;
static long counts[1024], wcounts[1024];
static double wmax[1024];
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static void *run(void *a) {
    long id = (long)a;
    if (!getenv("NOPIN")) {
        cpu_set_t s;
        CPU_ZERO(&s);
        CPU_SET(id % 2, &s);
        pthread_setaffinity_np(pthread_self(), sizeof s, &s);
    }
    unsigned long seed = 0x9e3779b97f4a7c15ul * (id + 1), x = id + 1, n = 0, w = 0;
    double mw = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        if ((int)(seed % 1000) < permille) {
            double t0 = (w & 15) == 0 ? now() : 0;
            WL();
            if (t0 != 0) {
                double d = now() - t0;
                if (d > mw) mw = d;
            }
            rec[0]++, rec[1]++;
            WU();
            w++;
        } else {
            RL();
            unsigned long v = rec[0];
            for (int i = 0; i < rwork; i++) x = x * 6364136223846793005ul + 1442695040888963407ul;
            x ^= v ^ rec[1];
            RU();
        }
        n++;
    }
    counts[id] = n + (x == 42);
    wcounts[id] = w;
    wmax[id] = mw;
    return NULL;
}
int main(int c, char **v) {
    int n = c > 1 ? atoi(v[1]) : 8;
    permille = c > 2 ? atoi(v[2]) : 10;
    double secs = c > 3 ? atof(v[3]) : 2;
    pthread_t t[1024];
    for (long i = 0; i < n; i++) pthread_create(&t[i], 0, run, (void *)i);
    double t0 = now();
    struct timespec ts = {(time_t)secs, (long)((secs - (time_t)secs) * 1e9)};
    nanosleep(&ts, 0);
    atomic_store(&stop, 1);
    long tot = 0, wt = 0;
    double mw = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], 0);
        tot += counts[i];
        wt += wcounts[i];
        if (wmax[i] > mw) mw = wmax[i];
    }
    double el = now() - t0;
    printf("%.2f Mops/s  writes %.0f/s  worst write wait (1 in 16 sampled) %.2f ms\n", tot / el / 1e6,
           wt / el, mw * 1e3);
    return rec[0] != rec[1];
}
