/* bench/bench_sync_extra.c: gs_once, gs_waitgroup and gs_cond against their pthread
 * equivalents. A standalone program (its own main), built with the benchmarks
 * (`make bench-sync [QUICK=1]` runs it):
 *
 *     ./build/release/bench/bench_sync_extra [--quick] [--reps N] [--scale X] [--only PREFIX]
 *
 * Each benchmark runs REPS repetitions; each repetition runs the gosync variant and the
 * pthread variant back to back (alternating which goes first), so both see the same machine
 * state. It prints the median ns per operation of each, the ratio of the medians
 * (gosync / pthread: below 1 means gosync is faster), and the range of the per-repetition
 * ratios. Timings on a shared, small machine are noisy: read the ratios, not the absolutes.
 *
 *   once_fast        gs_once_do vs pthread_once on a completed once, per call, 1 and 2 threads
 *   wg_uncontended   add(1); done(); wait() on a private WaitGroup vs a mutex+cond counter
 *   wg_fanin         T threads call done M times each on one WaitGroup; main waits
 *   wg_handoff       two threads hand a turn back and forth through WaitGroups (sleep/wake
 *                    latency of wait/done)
 *   cond_pingpong    two threads alternate turns under one mutex with one Cond
 *   cond_broadcast   Go's BenchmarkCondN: N+1 threads, the last to arrive broadcasts
 *
 * --quick runs a tenth of the operations with 5 reps; --scale multiplies the operations;
 * --only runs the benchmarks whose name starts with PREFIX. bench/variants/build.sh builds
 * the same program against scratch variants of the Cond's broadcast strategy.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <gosync.h>

#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    double *c = (double *)malloc((size_t)n * sizeof *c);
    memcpy(c, v, (size_t)n * sizeof *c);
    qsort(c, (size_t)n, sizeof *c, cmp_double);
    double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    free(c);
    return m;
}

static int reps = 9;
static double scale = 1.0;
static const char *only; /* run only the benchmarks whose name starts with this */

/* A benchmark variant: runs `ops` operations (scaled), returns the ns per operation. */
typedef double (*variant_fn)(long ops, int param);

static void compare(const char *name, int param, long ops, variant_fn gs, variant_fn pt) {
    double g[64], p[64], r[64];
    if (only != NULL && strncmp(name, only, strlen(only)) != 0)
        return;
    ops = (long)(ops * scale);
    if (ops < 1)
        ops = 1;
    gs(ops / 10 + 1, param); /* warm-up */
    pt(ops / 10 + 1, param);
    for (int i = 0; i < reps; i++) {
        if (i % 2) {
            p[i] = pt(ops, param);
            g[i] = gs(ops, param);
        } else {
            g[i] = gs(ops, param);
            p[i] = pt(ops, param);
        }
        r[i] = g[i] / p[i];
    }
    double gm = median(g, reps), pm = median(p, reps);
    double rmin = r[0], rmax = r[0];
    for (int i = 1; i < reps; i++) {
        rmin = r[i] < rmin ? r[i] : rmin;
        rmax = r[i] > rmax ? r[i] : rmax;
    }
    char label[64];
    snprintf(label, sizeof label, "%s/%d", name, param);
    printf("%-22s gosync %10.1f ns   pthread %10.1f ns   ratio %5.2f   (per rep %.2f..%.2f)\n",
           label, gm, pm, gm / pm, rmin, rmax);
    fflush(stdout);
}

/* Runs fn(arg, i) on n threads released together; returns the ns from the first thread's
 * start to the last thread's end, as the threads themselves measured them (timing from the
 * main thread would miss work done before it is scheduled again, on a small machine). */
typedef struct {
    void (*fn)(void *, int);
    void *arg;
    int index;
    pthread_barrier_t *start;
    int64_t t_start, t_end;
} job;

static void *job_main(void *p) {
    job *j = (job *)p;
    pthread_barrier_wait(j->start);
    j->t_start = now_ns();
    j->fn(j->arg, j->index);
    j->t_end = now_ns();
    return NULL;
}

static int64_t run_parallel(int n, void (*fn)(void *, int), void *arg) {
    pthread_t t[256];
    job jobs[256];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        jobs[i] = (job){fn, arg, i, &start, 0, 0};
        pthread_create(&t[i], NULL, job_main, &jobs[i]);
    }
    int64_t first = INT64_MAX, last = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        first = jobs[i].t_start < first ? jobs[i].t_start : first;
        last = jobs[i].t_end > last ? jobs[i].t_end : last;
    }
    pthread_barrier_destroy(&start);
    return last - first;
}

/* ---- once fast path ---- */

static gs_once g_once;
static pthread_once_t p_once = PTHREAD_ONCE_INIT;
static void init_arg(void *arg) { (void)arg; }
static void init_void(void) {}

typedef struct {
    long ops;
} ops_arg;

static void once_gs_loop(void *p, int i) {
    (void)i;
    long n = ((ops_arg *)p)->ops;
    for (long k = 0; k < n; k++)
        gs_once_do(&g_once, init_arg, NULL);
}
static void once_pt_loop(void *p, int i) {
    (void)i;
    long n = ((ops_arg *)p)->ops;
    for (long k = 0; k < n; k++)
        pthread_once(&p_once, init_void);
}

static double once_gs(long ops, int threads) {
    ops_arg a = {ops};
    return (double)run_parallel(threads, once_gs_loop, &a) / (double)ops;
}
static double once_pt(long ops, int threads) {
    ops_arg a = {ops};
    return (double)run_parallel(threads, once_pt_loop, &a) / (double)ops;
}

/* ---- WaitGroup ---- */

/* The pthread baseline: a counter under a mutex, waiters on a condvar. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long n;
} pt_wg;

static void pt_wg_init(pt_wg *w) {
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->n = 0;
}
static void pt_wg_destroy(pt_wg *w) {
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}
static void pt_wg_add(pt_wg *w, long d) {
    pthread_mutex_lock(&w->mu);
    w->n += d;
    if (w->n == 0)
        pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}
static void pt_wg_wait(pt_wg *w) {
    pthread_mutex_lock(&w->mu);
    while (w->n != 0)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

static double wg_uncontended_gs(long ops, int unused) {
    (void)unused;
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    int64_t t0 = now_ns();
    for (long i = 0; i < ops; i++) {
        gs_waitgroup_add(&wg, 1);
        gs_waitgroup_done(&wg);
        gs_waitgroup_wait(&wg);
    }
    return (double)(now_ns() - t0) / (double)ops;
}
static double wg_uncontended_pt(long ops, int unused) {
    (void)unused;
    pt_wg wg;
    pt_wg_init(&wg);
    int64_t t0 = now_ns();
    for (long i = 0; i < ops; i++) {
        pt_wg_add(&wg, 1);
        pt_wg_add(&wg, -1);
        pt_wg_wait(&wg);
    }
    double r = (double)(now_ns() - t0) / (double)ops;
    pt_wg_destroy(&wg);
    return r;
}

typedef struct {
    gs_waitgroup gwg;
    pt_wg pwg;
    long per_thread;
} fanin_arg;

static void fanin_gs_worker(void *p, int i) {
    fanin_arg *a = (fanin_arg *)p;
    if (i == 0) { /* the waiter */
        gs_waitgroup_wait(&a->gwg);
        return;
    }
    for (long k = 0; k < a->per_thread; k++)
        gs_waitgroup_done(&a->gwg);
}
static void fanin_pt_worker(void *p, int i) {
    fanin_arg *a = (fanin_arg *)p;
    if (i == 0) {
        pt_wg_wait(&a->pwg);
        return;
    }
    for (long k = 0; k < a->per_thread; k++)
        pt_wg_add(&a->pwg, -1);
}

/* ops = total dones; param = worker threads (plus one waiting thread). */
static double wg_fanin_gs(long ops, int workers) {
    fanin_arg a;
    memset(&a, 0, sizeof a);
    a.per_thread = ops / workers;
    gs_waitgroup_add(&a.gwg, a.per_thread * workers);
    int64_t dt = run_parallel(workers + 1, fanin_gs_worker, &a);
    return (double)dt / (double)(a.per_thread * workers);
}
static double wg_fanin_pt(long ops, int workers) {
    fanin_arg a;
    memset(&a, 0, sizeof a);
    pt_wg_init(&a.pwg);
    a.per_thread = ops / workers;
    pt_wg_add(&a.pwg, a.per_thread * workers);
    int64_t dt = run_parallel(workers + 1, fanin_pt_worker, &a);
    pt_wg_destroy(&a.pwg);
    return (double)dt / (double)(a.per_thread * workers);
}

/* Handoff: round r uses pair r%2; main releases the worker with go.done() and waits on
 * back; the worker waits on go and answers with back.done(). A pair is re-armed only after
 * both of its waits have returned, as Go's reuse rule requires. */
typedef struct {
    gs_waitgroup ggo[2], gback[2];
    pt_wg pgo[2], pback[2];
    long rounds;
} handoff_arg;

static void *handoff_gs_worker(void *p) {
    handoff_arg *a = (handoff_arg *)p;
    for (long r = 0; r < a->rounds; r++) {
        gs_waitgroup_wait(&a->ggo[r % 2]);
        gs_waitgroup_done(&a->gback[r % 2]);
    }
    return NULL;
}
static void *handoff_pt_worker(void *p) {
    handoff_arg *a = (handoff_arg *)p;
    for (long r = 0; r < a->rounds; r++) {
        pt_wg_wait(&a->pgo[r % 2]);
        pt_wg_add(&a->pback[r % 2], -1);
    }
    return NULL;
}

static double wg_handoff_gs(long ops, int unused) {
    (void)unused;
    handoff_arg *a = (handoff_arg *)calloc(1, sizeof *a);
    a->rounds = ops;
    for (int i = 0; i < 2; i++) {
        gs_waitgroup_add(&a->ggo[i], 1);
        gs_waitgroup_add(&a->gback[i], 1);
    }
    pthread_t t;
    pthread_create(&t, NULL, handoff_gs_worker, a);
    int64_t t0 = now_ns();
    for (long r = 0; r < ops; r++) {
        gs_waitgroup_done(&a->ggo[r % 2]);
        gs_waitgroup_wait(&a->gback[r % 2]);
        gs_waitgroup_add(&a->ggo[r % 2], 1);
        gs_waitgroup_add(&a->gback[r % 2], 1);
    }
    int64_t dt = now_ns() - t0;
    pthread_join(t, NULL);
    free(a);
    return (double)dt / (double)ops;
}
static double wg_handoff_pt(long ops, int unused) {
    (void)unused;
    handoff_arg *a = (handoff_arg *)calloc(1, sizeof *a);
    a->rounds = ops;
    for (int i = 0; i < 2; i++) {
        pt_wg_init(&a->pgo[i]);
        pt_wg_init(&a->pback[i]);
        pt_wg_add(&a->pgo[i], 1);
        pt_wg_add(&a->pback[i], 1);
    }
    pthread_t t;
    pthread_create(&t, NULL, handoff_pt_worker, a);
    int64_t t0 = now_ns();
    for (long r = 0; r < ops; r++) {
        pt_wg_add(&a->pgo[r % 2], -1);
        pt_wg_wait(&a->pback[r % 2]);
        pt_wg_add(&a->pgo[r % 2], 1);
        pt_wg_add(&a->pback[r % 2], 1);
    }
    int64_t dt = now_ns() - t0;
    pthread_join(t, NULL);
    for (int i = 0; i < 2; i++) {
        pt_wg_destroy(&a->pgo[i]);
        pt_wg_destroy(&a->pback[i]);
    }
    free(a);
    return (double)dt / (double)ops;
}

/* ---- Cond ---- */

typedef struct {
    gs_mutex gm;
    gs_cond gc;
    pthread_mutex_t pm;
    pthread_cond_t pc;
    long turn_count; /* guarded by the mutex in use */
    long rounds;
    int waiters; /* cond_broadcast: N */
    long id;     /* cond_broadcast: arrivals in this generation, -1 to stop */
} cond_arg;

static cond_arg *cond_arg_new(void) {
    cond_arg *a = (cond_arg *)calloc(1, sizeof *a);
    gs_cond_init(&a->gc, gs_mutex_locker(&a->gm));
    pthread_mutex_init(&a->pm, NULL);
    pthread_cond_init(&a->pc, NULL);
    return a;
}
static void cond_arg_free(cond_arg *a) {
    pthread_mutex_destroy(&a->pm);
    pthread_cond_destroy(&a->pc);
    free(a);
}

/* Ping-pong: thread i moves when turn_count % 2 == i. */
static void pingpong_gs(void *p, int i) {
    cond_arg *a = (cond_arg *)p;
    gs_mutex_lock(&a->gm);
    for (long r = 0; r < a->rounds; r++) {
        while (a->turn_count % 2 != i)
            gs_cond_wait(&a->gc);
        a->turn_count++;
        gs_cond_signal(&a->gc);
    }
    gs_mutex_unlock(&a->gm);
}
static void pingpong_pt(void *p, int i) {
    cond_arg *a = (cond_arg *)p;
    pthread_mutex_lock(&a->pm);
    for (long r = 0; r < a->rounds; r++) {
        while (a->turn_count % 2 != i)
            pthread_cond_wait(&a->pc, &a->pm);
        a->turn_count++;
        pthread_cond_signal(&a->pc);
    }
    pthread_mutex_unlock(&a->pm);
}

static double cond_pingpong_gs(long ops, int unused) {
    (void)unused;
    cond_arg *a = cond_arg_new();
    a->rounds = ops;
    double r = (double)run_parallel(2, pingpong_gs, a) / (double)(2 * ops);
    cond_arg_free(a);
    return r;
}
static double cond_pingpong_pt(long ops, int unused) {
    (void)unused;
    cond_arg *a = cond_arg_new();
    a->rounds = ops;
    double r = (double)run_parallel(2, pingpong_pt, a) / (double)(2 * ops);
    cond_arg_free(a);
    return r;
}

/* Go's benchmarkCond: waiters+1 threads; each round the last to arrive broadcasts. */
static void barrier_gs(void *p, int i) {
    (void)i;
    cond_arg *a = (cond_arg *)p;
    for (long r = 0; r < a->rounds; r++) {
        gs_mutex_lock(&a->gm);
        if (a->id == -1) {
            gs_mutex_unlock(&a->gm);
            break;
        }
        if (++a->id == a->waiters + 1) {
            a->id = 0;
            gs_cond_broadcast(&a->gc);
        } else {
            gs_cond_wait(&a->gc);
        }
        gs_mutex_unlock(&a->gm);
    }
    gs_mutex_lock(&a->gm);
    a->id = -1;
    gs_cond_broadcast(&a->gc);
    gs_mutex_unlock(&a->gm);
}
static void barrier_pt(void *p, int i) {
    (void)i;
    cond_arg *a = (cond_arg *)p;
    for (long r = 0; r < a->rounds; r++) {
        pthread_mutex_lock(&a->pm);
        if (a->id == -1) {
            pthread_mutex_unlock(&a->pm);
            break;
        }
        if (++a->id == a->waiters + 1) {
            a->id = 0;
            pthread_cond_broadcast(&a->pc);
        } else {
            pthread_cond_wait(&a->pc, &a->pm);
        }
        pthread_mutex_unlock(&a->pm);
    }
    pthread_mutex_lock(&a->pm);
    a->id = -1;
    pthread_cond_broadcast(&a->pc);
    pthread_mutex_unlock(&a->pm);
}

/* ops = rounds; reported per round (one broadcast and its waiters' wake-ups). */
static double cond_broadcast_gs(long ops, int waiters) {
    cond_arg *a = cond_arg_new();
    a->rounds = ops;
    a->waiters = waiters;
    double r = (double)run_parallel(waiters + 1, barrier_gs, a) / (double)ops;
    cond_arg_free(a);
    return r;
}
static double cond_broadcast_pt(long ops, int waiters) {
    cond_arg *a = cond_arg_new();
    a->rounds = ops;
    a->waiters = waiters;
    double r = (double)run_parallel(waiters + 1, barrier_pt, a) / (double)ops;
    cond_arg_free(a);
    return r;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            scale = 0.1;
            reps = 5;
        } else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            scale = atof(argv[++i]);
            if (scale <= 0)
                scale = 1.0;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1 || reps > 64)
                reps = 9;
        } else {
            fprintf(stderr, "usage: %s [--quick] [--reps N] [--scale X] [--only PREFIX]\n",
                    argv[0]);
            return 2;
        }
    }
    gs_once_do(&g_once, init_arg, NULL);
    pthread_once(&p_once, init_void);
    printf("gosync %s: ns per operation, median of %d interleaved reps; ratio = gosync/pthread\n",
           gs_version(), reps);
    compare("once_fast", 1, 50000000, once_gs, once_pt);
    compare("once_fast", 2, 50000000, once_gs, once_pt);
    compare("wg_uncontended", 1, 5000000, wg_uncontended_gs, wg_uncontended_pt);
    compare("wg_fanin", 2, 2000000, wg_fanin_gs, wg_fanin_pt);
    compare("wg_fanin", 8, 2000000, wg_fanin_gs, wg_fanin_pt);
    compare("wg_fanin", 64, 2000000, wg_fanin_gs, wg_fanin_pt);
    compare("wg_handoff", 1, 100000, wg_handoff_gs, wg_handoff_pt);
    compare("cond_pingpong", 1, 100000, cond_pingpong_gs, cond_pingpong_pt);
    compare("cond_broadcast", 1, 50000, cond_broadcast_gs, cond_broadcast_pt);
    compare("cond_broadcast", 4, 20000, cond_broadcast_gs, cond_broadcast_pt);
    compare("cond_broadcast", 16, 5000, cond_broadcast_gs, cond_broadcast_pt);
    compare("cond_broadcast", 64, 1000, cond_broadcast_gs, cond_broadcast_pt);
    return 0;
}
