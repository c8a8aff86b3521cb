/* bench/harness.c: gosync's benchmark harness, one program for every lock and scenario.
 *
 * Scenarios (docs/BENCHMARKS.md says what each one measures and how to read it):
 *   uncontended  one thread, lock+unlock (rlock+runlock) pairs: ns per pair
 *   mutex        N threads, short critical section on a shared cache line, with ("work") or
 *                without ("short") local work between acquisitions: throughput, per-thread
 *                share, wait to acquire p50/p99/max
 *   starvation   a greedy thread holding the lock ~100 us in a loop vs a polite thread doing 10
 *                acquisitions: time to the polite thread's 10th acquisition, capped
 *   rw           N threads, a fixed share of writes: throughput, reader and writer waits
 *   wflood       a writer trying every 1 ms behind readers that keep the lock read-held
 *
 * How the numbers are made trustworthy:
 *   - implementations are interleaved: for each cell (scenario, case, threads) every
 *     implementation runs once per repetition, in an order rotated per repetition, so all
 *     ratios of a cell come from the same minutes; the report takes medians over repetitions;
 *   - threads are created first, pinned round-robin over the allowed CPUs (--no-pin to
 *     leave them free), and released together by a barrier; a warm-up phase runs before the
 *     measured one, and each thread counts only what it did between seeing "measure" and
 *     seeing "stop"; results are read only after join;
 *   - every wait is timed with the TSC (rdtsc, calibrated against CLOCK_MONOTONIC_RAW at
 *     start) around the lock call, on every acquisition, into a per-thread log-linear
 *     histogram (1/32 relative bucket width; the exact maximum is kept);
 *   - every scenario checks its own result (a guarded counter with no lost update, an owner
 *     word nobody else overwrote, a multi-word record never seen torn) and exits with status
 *     3 and a VALIDATION FAILED line on a violation.
 *
 * Go's sync.Mutex / sync.RWMutex run in bench/go's program, started by this harness for each
 * of their measurements with the same parameters (so they interleave too); it prints the same
 * CSV row.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <gnu/libc-version.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <gosync.h>

#include "run.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define GSB_HAVE_TSC 1
#else
#define GSB_HAVE_TSC 0
#endif

#ifndef GSB_GO_BINARY
#define GSB_GO_BINARY ""
#endif

#define GSB_ALIGN 128

const char *const gsb_scenario_names[GSB_SC_N] = {"uncontended", "mutex", "starvation", "rw",
                                                  "wflood"};

/* ---- failure ---- */

static void gsb_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void gsb_die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("gosync-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* A lock let a benchmark see something it must never see: stop everything, loudly. */
static void gsb_violation(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void gsb_violation(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("\ngosync-bench: VALIDATION FAILED: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(3);
}

/* ---- clocks ---- */

static int64_t gsb_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void gsb_sleep_ns(int64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The wait clock: TSC ticks where the CPU has one, else CLOCK_MONOTONIC ns. */
static inline uint64_t gsb_tsc(void) {
#if GSB_HAVE_TSC
    return __rdtsc();
#else
    return (uint64_t)gsb_now_ns();
#endif
}

static double gsb_tsc_per_ns = 1.0;

static void gsb_calibrate_tsc(void) {
#if GSB_HAVE_TSC
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC_RAW, &a);
    uint64_t c0 = gsb_tsc();
    gsb_sleep_ns(50000000);
    clock_gettime(CLOCK_MONOTONIC_RAW, &b);
    uint64_t c1 = gsb_tsc();
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    gsb_tsc_per_ns = (double)(c1 - c0) / ns;
#endif
}

/* ---- wait histograms: log-linear, 32 buckets per power of two ---- */

#define GSB_HSUB_BITS 5
#define GSB_HSUB (1u << GSB_HSUB_BITS)
#define GSB_HBUCKETS ((64 - GSB_HSUB_BITS + 1) * GSB_HSUB)

typedef struct gsb_hist {
    uint64_t n;
    uint64_t max;
    uint32_t b[GSB_HBUCKETS];
} gsb_hist;

static inline unsigned gsb_hist_index(uint64_t v) {
    if (v < GSB_HSUB)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= GSB_HSUB_BITS */
    return (e - GSB_HSUB_BITS + 1) * GSB_HSUB +
           (unsigned)((v >> (e - GSB_HSUB_BITS)) & (GSB_HSUB - 1));
}

/* The middle of bucket i, in ticks. */
static double gsb_hist_value(unsigned i) {
    if (i < GSB_HSUB)
        return i;
    unsigned e = i / GSB_HSUB + GSB_HSUB_BITS - 1, sub = i % GSB_HSUB;
    double lo = (double)(GSB_HSUB + sub) * ldexp(1.0, (int)(e - GSB_HSUB_BITS));
    return lo + ldexp(1.0, (int)(e - GSB_HSUB_BITS)) / 2;
}

static inline void gsb_hist_add(gsb_hist *h, uint64_t ticks) {
    h->n++;
    if (ticks > h->max)
        h->max = ticks;
    h->b[gsb_hist_index(ticks)]++;
}

static void gsb_hist_merge(gsb_hist *into, const gsb_hist *h) {
    into->n += h->n;
    if (h->max > into->max)
        into->max = h->max;
    for (unsigned i = 0; i < GSB_HBUCKETS; i++)
        into->b[i] += h->b[i];
}

/* Percentile q (0..1) in ns; the maximum is exact. NaN when empty. */
static double gsb_hist_pct_ns(const gsb_hist *h, double q) {
    if (h->n == 0)
        return NAN;
    if (q >= 1.0)
        return (double)h->max / gsb_tsc_per_ns;
    uint64_t rank = (uint64_t)ceil(q * (double)h->n), seen = 0;
    if (rank == 0)
        rank = 1;
    for (unsigned i = 0; i < GSB_HBUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            double v = gsb_hist_value(i);
            if (v > (double)h->max)
                v = (double)h->max;
            return v / gsb_tsc_per_ns;
        }
    }
    return (double)h->max / gsb_tsc_per_ns;
}

/* ---- CPUs and pinning ---- */

static int gsb_cpus[CPU_SETSIZE];
static int gsb_ncpus;

static void gsb_read_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &set))
                gsb_cpus[gsb_ncpus++] = c;
    }
    if (gsb_ncpus == 0)
        gsb_cpus[gsb_ncpus++] = 0;
}

/* Thread i's CPU when pinning round-robin. */
static int gsb_cpu_for(int i) { return gsb_cpus[i % gsb_ncpus]; }

static void gsb_attr_pin(pthread_attr_t *attr, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_attr_setaffinity_np(attr, sizeof set, &set);
}

/* ---- the cache-line transfer time ----
 *
 * On a shared VM the time a cache line takes to move between the two CPUs the threads run on
 * can change from minute to minute: on the dev VM it is about 40 ns one way in one mode and
 * over 150 ns in the other, and the peers' rwlock figures move with it (docs/PERFORMANCE.md,
 * "2026-11-26, late night"). So it is sampled before and after each cell, and the summary
 * gives its range over the run and the cells during which it changed: a run whose cells saw
 * both modes is not one comparison. */

static void *gsb_alloc(size_t size);

#define GSB_XFER_ROUNDS 2000
#define GSB_XFER_CELLS 2048
static gsb_xfer_cell gsb_xcells[GSB_XFER_CELLS];
static int gsb_nxcells;

/* A batch stops early after this long: on a loaded machine a round trip can wait for a
 * time slice. The sample then counts the rounds done (and says the machine is busy). */
#define GSB_XFER_LIMIT_NS 20000000

typedef struct {
    _Alignas(GSB_ALIGN) _Atomic int turn; /* 1: the pong thread's move, 0: the ping thread's */
    _Alignas(GSB_ALIGN) _Atomic bool stop;
    pthread_barrier_t start;
    double ns; /* the ping thread's result: one way, per round trip's half */
} gsb_pingpong;

static void *gsb_pong(void *arg) {
    gsb_pingpong *pp = arg;
    pthread_barrier_wait(&pp->start);
    for (;;) {
        while (atomic_load_explicit(&pp->turn, memory_order_acquire) != 1)
            if (atomic_load_explicit(&pp->stop, memory_order_relaxed))
                return NULL;
        atomic_store_explicit(&pp->turn, 0, memory_order_release);
    }
}

static void *gsb_ping(void *arg) {
    gsb_pingpong *pp = arg;
    pthread_barrier_wait(&pp->start);
    int64_t t0 = gsb_now_ns(), t = t0;
    int i = 0;
    while (i < GSB_XFER_ROUNDS) {
        atomic_store_explicit(&pp->turn, 1, memory_order_release);
        while (atomic_load_explicit(&pp->turn, memory_order_acquire) != 0)
            ;
        if (++i % 64 == 0 && (t = gsb_now_ns()) - t0 > GSB_XFER_LIMIT_NS)
            break;
    }
    if (i % 64 != 0)
        t = gsb_now_ns();
    atomic_store_explicit(&pp->stop, true, memory_order_relaxed);
    pp->ns = (double)(t - t0) / (2.0 * i);
    return NULL;
}

/* One sample: the median of three batches of GSB_XFER_ROUNDS round trips between the first
 * two CPUs (a few milliseconds); NaN with one CPU. */
static double gsb_xfer_sample(void) {
    if (gsb_ncpus < 2)
        return NAN;
    double batch[3];
    for (int b = 0; b < 3; b++) {
        gsb_pingpong *pp = gsb_alloc(sizeof *pp);
        pthread_barrier_init(&pp->start, NULL, 2);
        pthread_t t[2];
        void *(*fn[2])(void *) = {gsb_ping, gsb_pong};
        for (int k = 0; k < 2; k++) {
            pthread_attr_t attr;
            pthread_attr_init(&attr);
            gsb_attr_pin(&attr, gsb_cpus[k]);
            if (pthread_create(&t[k], &attr, fn[k], pp) != 0)
                gsb_die("pthread_create failed");
            pthread_attr_destroy(&attr);
        }
        pthread_join(t[0], NULL);
        pthread_join(t[1], NULL);
        batch[b] = pp->ns;
        pthread_barrier_destroy(&pp->start);
        free(pp);
    }
    double lo = fmin(batch[0], batch[1]), hi = fmax(batch[0], batch[1]);
    return batch[2] < lo ? lo : batch[2] > hi ? hi : batch[2];
}

/* The run's per-cell samples into m (the report derives their range and median). */
static void gsb_xfer_summary(gsb_machine *m) {
    m->xfer_cells = gsb_xcells;
    m->n_xfer_cells = gsb_nxcells;
    m->xfer_cpu[0] = gsb_cpus[0];
    m->xfer_cpu[1] = gsb_ncpus > 1 ? gsb_cpus[1] : gsb_cpus[0];
}

/* ---- locks and shared data ---- */

static void *gsb_alloc(size_t size) {
    size_t n = (size + GSB_ALIGN - 1) / GSB_ALIGN * GSB_ALIGN;
    void *p = aligned_alloc(GSB_ALIGN, n ? n : GSB_ALIGN);
    if (!p)
        gsb_die("out of memory");
    memset(p, 0, n ? n : GSB_ALIGN);
    return p;
}

static void *gsb_lock_new(const gsb_lock_ops *o) {
    void *l = gsb_alloc(o->size);
    o->init(l);
    return l;
}

static void gsb_lock_free(const gsb_lock_ops *o, void *l) {
    o->destroy(l);
    free(l);
}

/* The cache line every critical section of the mutex scenarios touches. */
typedef struct gsb_line {
    volatile uint64_t owner;   /* id+1 of the thread inside, 0 when none */
    volatile uint64_t counter; /* guarded counter: one per critical section */
} __attribute__((aligned(GSB_ALIGN))) gsb_line;

/* The record a reader/writer lock guards: the writer stores a new value to every word, one
 * by one; a reader that ever sees two different values saw a write in progress. */
#define GSB_REC_WORDS 8
typedef struct gsb_record {
    volatile uint64_t w[GSB_REC_WORDS];
} __attribute__((aligned(GSB_ALIGN))) gsb_record;

static inline bool gsb_record_whole(const gsb_record *r, uint64_t *v) {
    uint64_t first = r->w[0];
    bool ok = true;
    for (int k = 1; k < GSB_REC_WORDS; k++)
        ok &= r->w[k] == first;
    *v = first;
    return ok;
}

static inline void gsb_record_write(gsb_record *r, uint64_t v) {
    for (int k = 0; k < GSB_REC_WORDS; k++)
        r->w[k] = v;
}

/* Local work: a dependent multiply-add chain (an LCG step), ~4 cycles per iteration on any
 * current CPU; bench/go does the same arithmetic. */
static inline uint64_t gsb_work(uint64_t x, int n) {
    for (int i = 0; i < n; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x;
}

static inline uint64_t gsb_xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* ---- teams: threads released together, warm-up, measure, stop ---- */

enum { GSB_WARMUP = 0, GSB_MEASURE = 1, GSB_STOP = 2 };

typedef struct gsb_team {
    _Atomic int phase __attribute__((aligned(GSB_ALIGN)));
    pthread_barrier_t barrier __attribute__((aligned(GSB_ALIGN)));
} gsb_team;

/* Starts n threads running fn(arg + i * stride), pinned round-robin when cfg->pin (and n > 1),
 * releases them together, lets them warm up, measures for duration_s, stops and joins them. Returns
 * the measured seconds. */
static double gsb_team_run(const gsb_config *cfg, gsb_team *team, int n, void *(*fn)(void *),
                           void *arg, size_t stride, double warmup_s, double duration_s) {
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    if (!tid)
        gsb_die("out of memory");
    atomic_store(&team->phase, GSB_WARMUP);
    pthread_barrier_init(&team->barrier, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 256 * 1024);
        /* One thread is left to the scheduler: pinning it gains nothing and, on a busy
         * machine, ties it to a CPU that another process may be using. */
        if (cfg->pin && n > 1)
            gsb_attr_pin(&attr, gsb_cpu_for(i));
        int err = pthread_create(&tid[i], &attr, fn, (char *)arg + (size_t)i * stride);
        pthread_attr_destroy(&attr);
        if (err)
            gsb_die("pthread_create: %s", strerror(err));
    }
    pthread_barrier_wait(&team->barrier);
    gsb_sleep_ns((int64_t)(warmup_s * 1e9));
    int64_t t0 = gsb_now_ns();
    atomic_store(&team->phase, GSB_MEASURE);
    gsb_sleep_ns((int64_t)(duration_s * 1e9));
    atomic_store(&team->phase, GSB_STOP);
    int64_t t1 = gsb_now_ns();
    for (int i = 0; i < n; i++)
        pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&team->barrier);
    free(tid);
    return (double)(t1 - t0) / 1e9;
}

/* A worker's view of the phase: returns false at STOP, and true with *reset set when the
 * measured phase has just begun (so the worker zeroes its counts). */
static inline bool gsb_phase_poll(gsb_team *team, int *seen, bool *reset) {
    int ph = atomic_load_explicit(&team->phase, memory_order_relaxed);
    *reset = false;
    if (ph == *seen)
        return true;
    if (ph == GSB_STOP)
        return false;
    *seen = ph;
    *reset = true;
    return true;
}

/* Per-thread op counts -> share_min, share_max, Jain's index. */
static void gsb_fairness(gsb_row *r, const uint64_t *ops, int n) {
    double sum = 0, sq = 0, mn = INFINITY, mx = 0;
    for (int i = 0; i < n; i++) {
        double x = (double)ops[i];
        sum += x;
        sq += x * x;
        if (x < mn)
            mn = x;
        if (x > mx)
            mx = x;
    }
    if (sum <= 0)
        return;
    double mean = sum / n;
    r->share_min = mn / mean;
    r->share_max = mx / mean;
    r->jain = sum * sum / (n * sq);
}

static gsb_row *gsb_new_row(void);

/* ---- scenario: uncontended ---- */

/* Samples per implementation and repetition; the fastest counts. Other processes (and
 * interrupts) can only add time to a single-threaded loop, never take it away, and a sample
 * of a few milliseconds often runs between two preemptions even on a busy machine. The
 * implementations of a cell take their samples in turn (round k: each one sample), so that a
 * spell of slowness on a shared machine hits them all alike. */
#define GSB_UNC_SAMPLES 20

typedef struct gsb_unc_job {
    const gsb_lock_ops *ops;
    bool read; /* rlock+runlock instead of lock+unlock */
    void (*loop)(void *, uint64_t, volatile uint64_t *);
    void *lock;
    volatile uint64_t *count;
    uint64_t done; /* pairs run so far: the count must match */
    uint64_t n;    /* pairs per sample */
    double ns_per_pair;
    const char *error;
} gsb_unc_job;

typedef struct gsb_unc_set {
    gsb_unc_job *jobs;
    int n;
    double sample_s;
} gsb_unc_set;

static double gsb_unc_sample(gsb_unc_job *j, uint64_t n) {
    int64_t t0 = gsb_now_ns();
    j->loop(j->lock, n, j->count);
    int64_t t1 = gsb_now_ns();
    j->done += n;
    return (double)(t1 - t0);
}

static void *gsb_unc_thread(void *arg) {
    gsb_unc_set *set = arg;
    for (int i = 0; i < set->n; i++) {
        gsb_unc_job *j = &set->jobs[i];
        j->loop = j->read ? j->ops->rpair_loop : j->ops->pair_loop;
        j->lock = gsb_lock_new(j->ops);
        j->count = gsb_alloc(sizeof *j->count);
        gsb_unc_sample(j, 10000); /* warm-up: caches, branch predictors, lazy binding */
        uint64_t n = 4096;
        double ns;
        while ((ns = gsb_unc_sample(j, n)) < set->sample_s * 1e9 / 4 && n < (1ull << 40))
            n *= 2;
        n = (uint64_t)((double)n * set->sample_s * 1e9 / (ns > 0 ? ns : 1));
        j->n = n < 1000 ? 1000 : n;
        j->ns_per_pair = INFINITY;
    }
    for (int s = 0; s < GSB_UNC_SAMPLES; s++) {
        for (int k = 0; k < set->n; k++) {
            gsb_unc_job *j = &set->jobs[(k + s) % set->n];
            double ns = gsb_unc_sample(j, j->n) / (double)j->n;
            if (ns < j->ns_per_pair)
                j->ns_per_pair = ns;
        }
    }
    for (int i = 0; i < set->n; i++) {
        gsb_unc_job *j = &set->jobs[i];
        const gsb_lock_ops *o = j->ops;
        if (*j->count != j->done)
            j->error = "the guarded count lost updates";
        else if (!o->trylock(j->lock))
            j->error = "trylock failed on a lock the loop should have left free";
        else if (o->trylock(j->lock))
            j->error = "trylock succeeded on a lock this thread holds";
        else
            o->unlock(j->lock);
        free((void *)j->count);
        gsb_lock_free(o, j->lock);
    }
    return NULL;
}

/* One repetition of an uncontended cell for the C implementations among set[0..n), on one
 * pinned thread. */
static void gsb_run_uncontended(const gsb_config *cfg, const gsb_impl **set, int n,
                                const char *kase, int rep) {
    gsb_unc_job *jobs = calloc((size_t)n, sizeof *jobs);
    gsb_unc_set us = {jobs, 0, cfg->unc_s / GSB_UNC_SAMPLES};
    for (int i = 0; i < n; i++)
        if (!set[i]->go)
            jobs[us.n++] = (gsb_unc_job){.ops = set[i]->ops, .read = !strcmp(kase, "rlock")};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    gsb_attr_pin(&attr, gsb_cpus[0]);
    pthread_t t;
    if (pthread_create(&t, &attr, gsb_unc_thread, &us))
        gsb_die("pthread_create failed");
    pthread_attr_destroy(&attr);
    pthread_join(t, NULL);
    for (int i = 0; i < us.n; i++) {
        gsb_unc_job *j = &jobs[i];
        if (j->error)
            gsb_violation("uncontended/%s %s: %s", kase, j->ops->name, j->error);
        gsb_row *r = gsb_new_row();
        gsb_row_init(r, "uncontended", kase, j->ops->name, 1, rep);
        r->ns_per_op = j->ns_per_pair;
        r->ops = (double)j->n;
        r->seconds = j->ns_per_pair * (double)j->n / 1e9;
        r->ops_per_sec = 1e9 / j->ns_per_pair;
    }
    free(jobs);
}

/* ---- scenario: contended mutex ---- */

typedef struct gsb_mworker {
    gsb_team *team;
    const gsb_lock_ops *ops;
    void *lock;
    gsb_line *line;
    int id;
    int work;
    uint64_t measured; /* acquisitions in the measured phase */
    uint64_t total;    /* all acquisitions, for the guarded counter */
    uint64_t overlaps; /* critical sections another thread entered too */
    uint64_t sink;
    gsb_hist wait;
} __attribute__((aligned(GSB_ALIGN))) gsb_mworker;

static void *gsb_mutex_thread(void *arg) {
    gsb_mworker *w = arg;
    const gsb_lock_ops *o = w->ops;
    void *l = w->lock;
    gsb_line *line = w->line;
    const uint64_t me = (uint64_t)w->id + 1;
    uint64_t n = 0, total = 0, overlaps = 0, x = me;
    int seen = GSB_WARMUP;
    bool reset;
    pthread_barrier_wait(&w->team->barrier);
    while (gsb_phase_poll(w->team, &seen, &reset)) {
        if (reset) {
            n = 0;
            memset(&w->wait, 0, sizeof w->wait);
        }
        uint64_t t0 = gsb_tsc();
        o->lock(l);
        uint64_t t1 = gsb_tsc();
        line->owner = me;
        line->counter = line->counter + 1;
        overlaps += line->owner != me;
        line->owner = 0;
        o->unlock(l);
        gsb_hist_add(&w->wait, t1 - t0);
        n++;
        total++;
        if (w->work)
            x = gsb_work(x, w->work);
    }
    if (seen == GSB_WARMUP) {
        /* Never saw the measured phase (not scheduled during it): nothing to count. */
        n = 0;
        memset(&w->wait, 0, sizeof w->wait);
    }
    w->measured = n;
    w->total = total;
    w->overlaps = overlaps;
    w->sink = x;
    return NULL;
}

static void gsb_run_mutex(const gsb_config *cfg, const gsb_impl *im, const char *kase, int threads,
                          gsb_row *r) {
    const gsb_lock_ops *o = im->ops;
    gsb_team *team = gsb_alloc(sizeof *team);
    gsb_line *line = gsb_alloc(sizeof *line);
    gsb_mworker *w = gsb_alloc(sizeof *w * (size_t)threads);
    void *l = gsb_lock_new(o);
    for (int i = 0; i < threads; i++) {
        w[i].team = team;
        w[i].ops = o;
        w[i].lock = l;
        w[i].line = line;
        w[i].id = i;
        w[i].work = strcmp(kase, "work") == 0 ? cfg->work : 0;
    }
    double secs = gsb_team_run(cfg, team, threads, gsb_mutex_thread, w, sizeof *w, cfg->warmup_s,
                               cfg->duration_s);

    gsb_hist *all = gsb_alloc(sizeof *all);
    uint64_t *per = calloc((size_t)threads, sizeof *per);
    uint64_t total = 0, measured = 0, overlaps = 0;
    for (int i = 0; i < threads; i++) {
        per[i] = w[i].measured;
        measured += w[i].measured;
        total += w[i].total;
        overlaps += w[i].overlaps;
        gsb_hist_merge(all, &w[i].wait);
    }
    if (line->counter != total || overlaps)
        gsb_violation("mutex/%s %s %d threads: guarded counter %llu after %llu critical sections, "
                      "%llu overlapping critical sections",
                      kase, im->name, threads, (unsigned long long)line->counter,
                      (unsigned long long)total, (unsigned long long)overlaps);
    if (!o->trylock(l))
        gsb_violation("mutex/%s %s: lock still held after every thread unlocked", kase, im->name);
    o->unlock(l);

    r->seconds = secs;
    r->ops = (double)measured;
    r->ops_per_sec = (double)measured / secs;
    gsb_fairness(r, per, threads);
    r->p50_ns = gsb_hist_pct_ns(all, 0.50);
    r->p99_ns = gsb_hist_pct_ns(all, 0.99);
    r->max_ns = gsb_hist_pct_ns(all, 1.0);
    free(per);
    free(all);
    gsb_lock_free(o, l);
    free(w);
    free(line);
    free(team);
}

/* ---- scenario: starvation (Go's TestMutexFairness, measured) ---- */

typedef struct gsb_starve {
    const gsb_lock_ops *ops;
    void *lock;
    gsb_line *line;
    int hold_us;
    _Atomic int stop;
    _Atomic int greedy_in; /* the greedy thread has held the lock once */
    _Atomic int polite_done;
    _Atomic int polite_count;
    uint64_t greedy_n;
    int64_t polite_ns;
    gsb_hist polite_wait;
    pthread_barrier_t barrier;
} gsb_starve;

static void *gsb_greedy_thread(void *arg) {
    gsb_starve *s = arg;
    uint64_t n = 0;
    pthread_barrier_wait(&s->barrier);
    while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        s->ops->lock(s->lock);
        s->line->counter = s->line->counter + 1;
        atomic_store_explicit(&s->greedy_in, 1, memory_order_relaxed);
        gsb_sleep_ns((int64_t)s->hold_us * 1000);
        s->ops->unlock(s->lock);
        n++;
    }
    s->greedy_n = n;
    return NULL;
}

static void *gsb_polite_thread(void *arg) {
    gsb_starve *s = arg;
    pthread_barrier_wait(&s->barrier);
    while (!atomic_load_explicit(&s->greedy_in, memory_order_relaxed))
        gsb_sleep_ns(10000);
    int64_t start = gsb_now_ns();
    for (int i = 0; i < 10; i++) {
        gsb_sleep_ns(100000);
        uint64_t t0 = gsb_tsc();
        s->ops->lock(s->lock);
        uint64_t t1 = gsb_tsc();
        s->line->counter = s->line->counter + 1;
        s->ops->unlock(s->lock);
        gsb_hist_add(&s->polite_wait, t1 - t0);
        atomic_store(&s->polite_count, i + 1);
    }
    s->polite_ns = gsb_now_ns() - start;
    atomic_store(&s->polite_done, 1);
    return NULL;
}

static void gsb_run_starvation(const gsb_config *cfg, const gsb_impl *im, gsb_row *r) {
    gsb_starve *s = gsb_alloc(sizeof *s);
    s->ops = im->ops;
    s->lock = gsb_lock_new(im->ops);
    s->line = gsb_alloc(sizeof *s->line);
    s->hold_us = cfg->greedy_hold_us;
    pthread_barrier_init(&s->barrier, NULL, 3);
    pthread_t g, p;
    pthread_attr_t attr;
    /* Different CPUs: the greedy thread can re-take the lock the instant it lets go, while
     * the polite one is still being woken on the other CPU, which is what starves it. */
    pthread_attr_init(&attr);
    gsb_attr_pin(&attr, gsb_cpu_for(0));
    pthread_create(&g, &attr, gsb_greedy_thread, s);
    pthread_attr_destroy(&attr);
    pthread_attr_init(&attr);
    gsb_attr_pin(&attr, gsb_cpu_for(1));
    pthread_create(&p, &attr, gsb_polite_thread, s);
    pthread_attr_destroy(&attr);
    pthread_barrier_wait(&s->barrier);
    int64_t deadline = gsb_now_ns() + (int64_t)(cfg->cap_s * 1e9);
    while (!atomic_load(&s->polite_done) && gsb_now_ns() < deadline)
        gsb_sleep_ns(1000000);
    bool capped = !atomic_load(&s->polite_done);
    int got = atomic_load(&s->polite_count);
    atomic_store(&s->stop, 1);
    pthread_join(g, NULL);
    pthread_join(p, NULL);
    pthread_barrier_destroy(&s->barrier);

    if (s->line->counter != s->greedy_n + 10)
        gsb_violation("starvation %s: guarded counter %llu, expected %llu", im->name,
                      (unsigned long long)s->line->counter, (unsigned long long)(s->greedy_n + 10));
    r->capped = capped;
    r->value = capped ? cfg->cap_s * 1e3 : (double)s->polite_ns / 1e6;
    r->ops = capped ? got : 10;
    r->seconds = r->value / 1e3;
    r->max_ns = gsb_hist_pct_ns(&s->polite_wait, 1.0);
    gsb_lock_free(im->ops, s->lock);
    free(s->line);
    free(s);
}

/* ---- scenario: reader/writer mix ---- */

typedef struct gsb_rwworker {
    gsb_team *team;
    const gsb_lock_ops *ops;
    void *lock;
    gsb_record *rec;
    int id;
    int permille; /* writes per thousand operations */
    int rwork;
    uint64_t measured;
    uint64_t writes_total;
    uint64_t torn;
    uint64_t sink;
    gsb_hist rwait, wwait;
} __attribute__((aligned(GSB_ALIGN))) gsb_rwworker;

static void *gsb_rw_thread(void *arg) {
    gsb_rwworker *w = arg;
    const gsb_lock_ops *o = w->ops;
    void *l = w->lock;
    gsb_record *rec = w->rec;
    uint64_t n = 0, writes = 0, torn = 0, x = (uint64_t)w->id + 1;
    uint64_t seed = 0x9e3779b97f4a7c15ull * ((uint64_t)w->id + 1);
    int seen = GSB_WARMUP;
    bool reset;
    pthread_barrier_wait(&w->team->barrier);
    while (gsb_phase_poll(w->team, &seen, &reset)) {
        if (reset) {
            n = 0;
            memset(&w->rwait, 0, sizeof w->rwait);
            memset(&w->wwait, 0, sizeof w->wwait);
        }
        uint64_t v, v2;
        if ((int)(gsb_xorshift(&seed) % 1000) < w->permille) {
            uint64_t t0 = gsb_tsc();
            o->lock(l);
            uint64_t t1 = gsb_tsc();
            torn += !gsb_record_whole(rec, &v);
            gsb_record_write(rec, v + 1);
            o->unlock(l);
            gsb_hist_add(&w->wwait, t1 - t0);
            writes++;
        } else {
            uint64_t t0 = gsb_tsc();
            o->rlock(l);
            uint64_t t1 = gsb_tsc();
            torn += !gsb_record_whole(rec, &v);
            x = gsb_work(x ^ v, w->rwork);
            torn += !gsb_record_whole(rec, &v2) || v2 != v;
            o->runlock(l);
            gsb_hist_add(&w->rwait, t1 - t0);
        }
        n++;
    }
    if (seen == GSB_WARMUP) {
        n = 0;
        memset(&w->rwait, 0, sizeof w->rwait);
        memset(&w->wwait, 0, sizeof w->wwait);
    }
    w->measured = n;
    w->writes_total = writes;
    w->torn = torn;
    w->sink = x;
    return NULL;
}

static const struct {
    const char *name;
    int permille;
} gsb_rw_cases[] = {{"w0", 0}, {"w1", 10}, {"w10", 100}, {"w50", 500}};
#define GSB_RW_NCASES ((int)(sizeof gsb_rw_cases / sizeof gsb_rw_cases[0]))

static void gsb_run_rw(const gsb_config *cfg, const gsb_impl *im, int c, int threads, gsb_row *r) {
    const gsb_lock_ops *o = im->ops;
    const char *kase = gsb_rw_cases[c].name;
    gsb_team *team = gsb_alloc(sizeof *team);
    gsb_record *rec = gsb_alloc(sizeof *rec);
    gsb_rwworker *w = gsb_alloc(sizeof *w * (size_t)threads);
    void *l = gsb_lock_new(o);
    for (int i = 0; i < threads; i++) {
        w[i].team = team;
        w[i].ops = o;
        w[i].lock = l;
        w[i].rec = rec;
        w[i].id = i;
        w[i].permille = gsb_rw_cases[c].permille;
        w[i].rwork = cfg->rwork;
    }
    double secs = gsb_team_run(cfg, team, threads, gsb_rw_thread, w, sizeof *w, cfg->warmup_s,
                               cfg->duration_s);
    gsb_hist *rh = gsb_alloc(sizeof *rh), *wh = gsb_alloc(sizeof *wh), *ah = gsb_alloc(sizeof *ah);
    uint64_t *per = calloc((size_t)threads, sizeof *per);
    uint64_t measured = 0, writes = 0, torn = 0, v;
    for (int i = 0; i < threads; i++) {
        per[i] = w[i].measured;
        measured += w[i].measured;
        writes += w[i].writes_total;
        torn += w[i].torn;
        gsb_hist_merge(rh, &w[i].rwait);
        gsb_hist_merge(wh, &w[i].wwait);
    }
    bool whole = gsb_record_whole(rec, &v);
    if (torn || !whole || v != writes)
        gsb_violation("rw/%s %s %d threads: %llu torn reads, record %s, value %llu after %llu "
                      "writes",
                      kase, im->name, threads, (unsigned long long)torn, whole ? "whole" : "torn",
                      (unsigned long long)v, (unsigned long long)writes);
    if (!o->trylock(l))
        gsb_violation("rw/%s %s: lock still held after every thread left", kase, im->name);
    o->unlock(l);
    gsb_hist_merge(ah, rh);
    gsb_hist_merge(ah, wh);
    r->seconds = secs;
    r->ops = (double)measured;
    r->ops_per_sec = (double)measured / secs;
    gsb_fairness(r, per, threads);
    r->p50_ns = gsb_hist_pct_ns(ah, 0.50);
    r->p99_ns = gsb_hist_pct_ns(ah, 0.99);
    r->max_ns = gsb_hist_pct_ns(ah, 1.0);
    r->rp99_ns = gsb_hist_pct_ns(rh, 0.99);
    r->rmax_ns = gsb_hist_pct_ns(rh, 1.0);
    r->wp99_ns = gsb_hist_pct_ns(wh, 0.99);
    r->wmax_ns = gsb_hist_pct_ns(wh, 1.0);
    free(per);
    free(rh);
    free(wh);
    free(ah);
    gsb_lock_free(o, l);
    free(w);
    free(rec);
    free(team);
}

/* ---- scenario: a writer behind a reader flood ---- */

typedef struct gsb_flood {
    const gsb_lock_ops *ops;
    void *lock;
    gsb_record *rec;
    int readers;
    int hold_us;
    double window_s;
    _Atomic int stop;
    pthread_barrier_t barrier;
    /* writer results */
    uint64_t acquired; /* within the window */
    uint64_t writes;   /* all, for the record check */
    gsb_hist wait;
    _Atomic uint64_t torn;
} gsb_flood;

typedef struct gsb_flood_reader {
    gsb_flood *f;
    int id;
} gsb_flood_reader;

static void *gsb_flood_reader_thread(void *arg) {
    gsb_flood_reader *rd = arg;
    gsb_flood *f = rd->f;
    uint64_t torn = 0, v, v2;
    pthread_barrier_wait(&f->barrier);
    /* Staggered starts, so that the holds overlap and the lock is always read-held. */
    gsb_sleep_ns((int64_t)f->hold_us * 1000 * rd->id / f->readers);
    while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
        f->ops->rlock(f->lock);
        torn += !gsb_record_whole(f->rec, &v);
        gsb_sleep_ns((int64_t)f->hold_us * 1000);
        torn += !gsb_record_whole(f->rec, &v2) || v2 != v;
        f->ops->runlock(f->lock);
    }
    atomic_fetch_add(&f->torn, torn);
    return NULL;
}

static void *gsb_flood_writer_thread(void *arg) {
    gsb_flood *f = arg;
    uint64_t v;
    pthread_barrier_wait(&f->barrier);
    int64_t end = gsb_now_ns() + (int64_t)(f->window_s * 1e9);
    uint64_t end_tsc = gsb_tsc() + (uint64_t)(f->window_s * 1e9 * gsb_tsc_per_ns);
    for (;;) {
        gsb_sleep_ns(1000000); /* the writer's pacing: one try per ms */
        if (gsb_now_ns() >= end)
            break;
        uint64_t t0 = gsb_tsc();
        f->ops->lock(f->lock);
        uint64_t t1 = gsb_tsc();
        if (!gsb_record_whole(f->rec, &v))
            atomic_fetch_add(&f->torn, 1);
        gsb_record_write(f->rec, v + 1);
        f->ops->unlock(f->lock);
        gsb_hist_add(&f->wait, t1 - t0);
        f->writes++;
        f->acquired += t1 <= end_tsc;
    }
    return NULL;
}

static void gsb_run_wflood(const gsb_config *cfg, const gsb_impl *im, gsb_row *r) {
    gsb_flood *f = gsb_alloc(sizeof *f);
    f->ops = im->ops;
    f->lock = gsb_lock_new(im->ops);
    f->rec = gsb_alloc(sizeof *f->rec);
    f->readers = cfg->flood_readers;
    f->hold_us = cfg->hold_us;
    f->window_s = cfg->flood_s;
    int n = f->readers;
    pthread_barrier_init(&f->barrier, NULL, (unsigned)n + 2);
    pthread_t *tid = calloc((size_t)n + 1, sizeof *tid);
    gsb_flood_reader *rd = calloc((size_t)n, sizeof *rd);
    for (int i = 0; i < n; i++) {
        rd[i].f = f;
        rd[i].id = i;
        pthread_create(&tid[i], NULL, gsb_flood_reader_thread, &rd[i]);
    }
    pthread_create(&tid[n], NULL, gsb_flood_writer_thread, f);
    pthread_barrier_wait(&f->barrier);
    gsb_sleep_ns((int64_t)(cfg->flood_s * 1e9));
    /* The writer may still be blocked behind the readers: stopping them lets it in, and its
     * wait (about the whole window for a lock that starves it) is counted. */
    atomic_store(&f->stop, 1);
    for (int i = 0; i <= n; i++)
        pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&f->barrier);
    uint64_t v;
    bool whole = gsb_record_whole(f->rec, &v);
    if (atomic_load(&f->torn) || !whole || v != f->writes)
        gsb_violation("wflood %s: %llu torn reads, record value %llu after %llu writes", im->name,
                      (unsigned long long)atomic_load(&f->torn), (unsigned long long)v,
                      (unsigned long long)f->writes);
    r->seconds = cfg->flood_s;
    r->ops = (double)f->acquired;
    r->ops_per_sec = (double)f->acquired / cfg->flood_s;
    r->wp99_ns = gsb_hist_pct_ns(&f->wait, 0.99);
    r->wmax_ns = gsb_hist_pct_ns(&f->wait, 1.0);
    gsb_lock_free(im->ops, f->lock);
    free(f->rec);
    free(f);
    free(tid);
    free(rd);
}

/* ---- Go's sync, through bench/go's program ---- */

static void gsb_run_go(const gsb_config *cfg, const gsb_impl *im, const char *scenario,
                       const char *kase, int threads, int rep, gsb_row *r) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "'%s' -scenario %s -case %s -impl %s -threads %d -rep %d -duration %g -warmup %g "
             "-unc %g -cap %g -flood %g -readers %d -hold-us %d -greedy-hold-us %d -work %d "
             "-rwork %d -tsc-per-ns %.9f",
             cfg->go_bin, scenario, kase, im->name, threads, rep, cfg->duration_s, cfg->warmup_s,
             cfg->unc_s, cfg->cap_s, cfg->flood_s, cfg->flood_readers, cfg->hold_us,
             cfg->greedy_hold_us, cfg->work, cfg->rwork, gsb_tsc_per_ns);
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    if (!p)
        gsb_die("cannot run %s", cfg->go_bin);
    char line[4096];
    bool got = false;
    while (fgets(line, sizeof line, p)) {
        if (line[0] == '#' || strncmp(line, "scenario,", 9) == 0)
            continue;
        if (!got && gsb_row_parse(line, r))
            got = true;
    }
    int status = pclose(p);
    if (status != 0)
        gsb_violation("%s/%s %s %d threads: the Go program failed (status %d): %s", scenario, kase,
                      im->name, threads, status, cmd);
    if (!got || strcmp(r->scenario, scenario) || strcmp(r->kase, kase) ||
        strcmp(r->impl, im->name) || r->threads != threads)
        gsb_die("the Go program printed no matching row for: %s", cmd);
    r->rep = rep;
}

/* ---- rows ---- */

/* Copies src into dst[n], cut to fit. */
static void gsb_copy(char *dst, size_t n, const char *src) {
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = 0;
}

void gsb_row_init(gsb_row *r, const char *scenario, const char *kase, const char *impl, int threads,
                  int rep) {
    memset(r, 0, sizeof *r);
    gsb_copy(r->scenario, sizeof r->scenario, scenario);
    gsb_copy(r->kase, sizeof r->kase, kase);
    gsb_copy(r->impl, sizeof r->impl, impl);
    r->threads = threads;
    r->rep = rep;
    r->seconds = r->ops = r->ops_per_sec = r->ns_per_op = NAN;
    r->share_min = r->share_max = r->jain = NAN;
    r->p50_ns = r->p99_ns = r->max_ns = r->rp99_ns = r->rmax_ns = r->wp99_ns = r->wmax_ns = NAN;
    r->value = NAN;
}

static void gsb_put(FILE *f, double v, const char *fmt) {
    fputc(',', f);
    if (!isnan(v))
        fprintf(f, fmt, v);
}

void gsb_row_print(FILE *f, const gsb_row *r) {
    fprintf(f, "%s,%s,%s,%d,%d", r->scenario, r->kase, r->impl, r->threads, r->rep);
    gsb_put(f, r->seconds, "%.6f");
    gsb_put(f, r->ops, "%.0f");
    gsb_put(f, r->ops_per_sec, "%.1f");
    gsb_put(f, r->ns_per_op, "%.3f");
    gsb_put(f, r->share_min, "%.4f");
    gsb_put(f, r->share_max, "%.4f");
    gsb_put(f, r->jain, "%.4f");
    gsb_put(f, r->p50_ns, "%.0f");
    gsb_put(f, r->p99_ns, "%.0f");
    gsb_put(f, r->max_ns, "%.0f");
    gsb_put(f, r->rp99_ns, "%.0f");
    gsb_put(f, r->rmax_ns, "%.0f");
    gsb_put(f, r->wp99_ns, "%.0f");
    gsb_put(f, r->wmax_ns, "%.0f");
    gsb_put(f, r->value, "%.3f");
    fprintf(f, ",%d\n", r->capped);
}

bool gsb_row_parse(const char *line, gsb_row *r) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", line);
    char *fields[32];
    int n = 0;
    char *p = buf;
    fields[n++] = p;
    for (; *p && *p != '\n' && *p != '\r'; p++) {
        if (*p == ',') {
            *p = 0;
            if (n == 32)
                return false;
            fields[n++] = p + 1;
        }
    }
    *p = 0;
    if (n != 21)
        return false;
    gsb_row_init(r, fields[0], fields[1], fields[2], atoi(fields[3]), atoi(fields[4]));
    double *d[] = {&r->seconds,   &r->ops,     &r->ops_per_sec, &r->ns_per_op, &r->share_min,
                   &r->share_max, &r->jain,    &r->p50_ns,      &r->p99_ns,    &r->max_ns,
                   &r->rp99_ns,   &r->rmax_ns, &r->wp99_ns,     &r->wmax_ns,   &r->value};
    for (int i = 0; i < 15; i++)
        *d[i] = fields[5 + i][0] ? strtod(fields[5 + i], NULL) : NAN;
    r->capped = atoi(fields[20]);
    return true;
}

/* ---- the matrix ---- */

static gsb_row *gsb_rows;
static int gsb_nrows, gsb_caprows;

static gsb_row *gsb_new_row(void) {
    if (gsb_nrows == gsb_caprows) {
        gsb_caprows = gsb_caprows ? 2 * gsb_caprows : 256;
        gsb_rows = realloc(gsb_rows, sizeof *gsb_rows * (size_t)gsb_caprows);
        if (!gsb_rows)
            gsb_die("out of memory");
    }
    return &gsb_rows[gsb_nrows++];
}

static bool gsb_in_list(const char *list, const char *name) {
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0)
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* --filter: "scenario" or "scenario:case", comma-separated. */
static bool gsb_wanted(const gsb_config *cfg, const char *scenario, const char *kase) {
    if (!cfg->filter)
        return true;
    char both[64];
    snprintf(both, sizeof both, "%s:%s", scenario, kase ? kase : "");
    return gsb_in_list(cfg->filter, scenario) || (kase && gsb_in_list(cfg->filter, both));
}

static gsb_impl gsb_all[64];
static int gsb_nall;

/* Runs one measurement of one implementation and records its row. */
static void gsb_measure(const gsb_config *cfg, const gsb_impl *im, int sc, const char *kase,
                        int rw_case, int threads, int rep) {
    gsb_row *r = gsb_new_row();
    gsb_row_init(r, gsb_scenario_names[sc], kase, im->name, threads, rep);
    if (im->go) {
        gsb_run_go(cfg, im, gsb_scenario_names[sc], kase, threads, rep, r);
        return;
    }
    switch (sc) {
    case GSB_SC_MUTEX:
        gsb_run_mutex(cfg, im, kase, threads, r);
        break;
    case GSB_SC_STARVATION:
        gsb_run_starvation(cfg, im, r);
        break;
    case GSB_SC_RW:
        gsb_run_rw(cfg, im, rw_case, threads, r);
        break;
    case GSB_SC_WFLOOD:
        gsb_run_wflood(cfg, im, r);
        break;
    }
}

/* Spin-only locks run only with at most one thread per CPU in the throughput scenarios: with
 * more, a queue spinlock hands the lock to waiters that are not running and each handoff waits
 * for a scheduler time slice (ck_mcs measured 58 acquisitions/s at 4 threads on 2 CPUs, and
 * one 128-thread cell took over 20 s to drain). */
static bool gsb_spin_skipped(const gsb_impl *im, int sc, int threads) {
    return im->ops && im->ops->spin_only && (sc == GSB_SC_MUTEX || sc == GSB_SC_RW) &&
           threads > gsb_ncpus;
}

/* One cell: every implementation in `set`, once per repetition, in an order rotated by the
 * repetition. In the starvation scenario an implementation that ran into the cap is not
 * repeated: its figure is "> cap" either way, and each try costs the whole cap. */
static void gsb_cell(const gsb_config *cfg, const gsb_impl **set, int n, int sc, const char *kase,
                     int rw_case, int threads) {
    bool *capped = calloc((size_t)n, sizeof *capped);
    double xfer = gsb_xfer_sample();
    fprintf(stderr, "  %s/%s", gsb_scenario_names[sc], kase);
    if (threads > 0)
        fprintf(stderr, " threads=%d", threads);
    if (!isnan(xfer))
        fprintf(stderr, " (line transfer %.0f ns)", xfer);
    fprintf(stderr, " ...");
    int64_t t0 = gsb_now_ns();
    int reps = sc == GSB_SC_STARVATION || sc == GSB_SC_WFLOOD ? cfg->reps_long : cfg->reps;
    for (int rep = 1; rep <= reps; rep++) {
        if (sc == GSB_SC_UNCONTENDED) {
            /* The C implementations take turns sample by sample (see GSB_UNC_SAMPLES); Go's
             * program takes its samples in its own process, in the same repetition. */
            const gsb_impl *order[64];
            for (int k = 0; k < n; k++)
                order[k] = set[(k + rep - 1) % n];
            gsb_run_uncontended(cfg, order, n, kase, rep);
            for (int k = 0; k < n; k++)
                if (set[k]->go)
                    gsb_measure(cfg, set[k], sc, kase, rw_case, threads, rep);
            continue;
        }
        for (int k = 0; k < n; k++) {
            int i = (k + rep - 1) % n;
            if (capped[i] || gsb_spin_skipped(set[i], sc, threads))
                continue;
            gsb_measure(cfg, set[i], sc, kase, rw_case, threads, rep);
            if (sc == GSB_SC_STARVATION && gsb_rows[gsb_nrows - 1].capped)
                capped[i] = true;
        }
    }
    double elapsed = (double)(gsb_now_ns() - t0) / 1e9;
    double after = gsb_xfer_sample();
    fprintf(stderr, " %.1f s", elapsed);
    if (!isnan(after))
        fprintf(stderr, " (after: %.0f ns)", after);
    fprintf(stderr, "\n");
    if (!isnan(xfer) && gsb_nxcells < GSB_XFER_CELLS) {
        gsb_xfer_cell *c = &gsb_xcells[gsb_nxcells++];
        snprintf(c->scenario, sizeof c->scenario, "%s", gsb_scenario_names[sc]);
        snprintf(c->kase, sizeof c->kase, "%s", kase);
        c->threads = threads;
        c->before_ns = xfer;
        c->after_ns = after;
    }
    free(capped);
}

static int gsb_select(gsb_kind k1, gsb_kind k2, const gsb_impl **set) {
    int n = 0;
    for (int i = 0; i < gsb_nall; i++)
        if (gsb_all[i].kind == k1 || gsb_all[i].kind == k2)
            set[n++] = &gsb_all[i];
    return n;
}

static void gsb_matrix(const gsb_config *cfg, bool *ran) {
    const gsb_impl *set[64];
    int n;
    if ((n = gsb_select(GSB_MUTEX, GSB_FLOOR, set)) && gsb_wanted(cfg, "uncontended", "lock")) {
        gsb_cell(cfg, set, n, GSB_SC_UNCONTENDED, "lock", 0, 1);
        ran[GSB_SC_UNCONTENDED] = true;
    }
    n = gsb_select(GSB_RW, GSB_RW, set);
    for (int c = 0; c < 2; c++) {
        const char *kase = c == 0 ? "rlock" : "wlock";
        if (n && gsb_wanted(cfg, "uncontended", kase)) {
            gsb_cell(cfg, set, n, GSB_SC_UNCONTENDED, kase, 0, 1);
            ran[GSB_SC_UNCONTENDED] = true;
        }
    }
    n = gsb_select(GSB_MUTEX, GSB_MUTEX, set);
    for (int c = 0; c < 2; c++) {
        const char *kase = c == 0 ? "short" : "work";
        if (!n || !gsb_wanted(cfg, "mutex", kase))
            continue;
        for (int t = 0; t < cfg->n_mutex_threads; t++)
            gsb_cell(cfg, set, n, GSB_SC_MUTEX, kase, 0, cfg->mutex_threads[t]);
        ran[GSB_SC_MUTEX] = true;
    }
    if (n && gsb_wanted(cfg, "starvation", "polite10")) {
        gsb_cell(cfg, set, n, GSB_SC_STARVATION, "polite10", 0, 2);
        ran[GSB_SC_STARVATION] = true;
    }
    for (int c = 0; c < GSB_RW_NCASES; c++) {
        /* The no-lock ceiling only where nobody writes: elsewhere its reads would tear. */
        n = gsb_select(GSB_RW, gsb_rw_cases[c].permille == 0 ? GSB_CEILING : GSB_RW, set);
        if (!n || !gsb_wanted(cfg, "rw", gsb_rw_cases[c].name))
            continue;
        for (int t = 0; t < cfg->n_rw_threads; t++)
            gsb_cell(cfg, set, n, GSB_SC_RW, gsb_rw_cases[c].name, c, cfg->rw_threads[t]);
        ran[GSB_SC_RW] = true;
    }
    n = gsb_select(GSB_RW, GSB_RW, set);
    char kase[16];
    snprintf(kase, sizeof kase, "r%d", cfg->flood_readers);
    if (n && gsb_wanted(cfg, "wflood", kase)) {
        gsb_cell(cfg, set, n, GSB_SC_WFLOOD, kase, 0, cfg->flood_readers + 1);
        ran[GSB_SC_WFLOOD] = true;
    }
}

/* ---- setup ---- */

/* /proc/stat's aggregate line: busy (everything but idle and iowait) and steal, seconds. */
static bool gsb_proc_stat(double *busy, double *steal) {
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    int got = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                         &v[3], &v[4], &v[5], &v[6], &v[7])
                : 0;
    if (f)
        fclose(f);
    if (got < 8)
        return false;
    double hz = (double)sysconf(_SC_CLK_TCK);
    /* user nice system idle iowait irq softirq steal */
    *busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / hz;
    *steal = (double)v[7] / hz;
    return true;
}

static double gsb_self_cpu_s(void) {
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    getrusage(RUSAGE_CHILDREN, &b); /* the Go program's runs, once waited for */
    return (double)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec + b.ru_stime.tv_sec) +
           (double)(a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
                    b.ru_stime.tv_usec) /
               1e6;
}

void gsb_cpu_account_start(gsb_machine *m) {
    if (!gsb_proc_stat(&m->stat_busy_s, &m->stat_steal_s))
        m->stat_busy_s = NAN;
    m->self_cpu_s = gsb_self_cpu_s();
    m->wall_s = (double)gsb_now_ns() / 1e9;
}

void gsb_cpu_account_end(const gsb_machine *m, double *others, double *steal) {
    double busy, st;
    *others = *steal = NAN;
    if (isnan(m->stat_busy_s) || !gsb_proc_stat(&busy, &st))
        return;
    double capacity = ((double)gsb_now_ns() / 1e9 - m->wall_s) * gsb_ncpus;
    double mine = gsb_self_cpu_s() - m->self_cpu_s;
    if (capacity <= 0)
        return;
    *others = (busy - m->stat_busy_s - mine) / capacity;
    if (*others < 0)
        *others = 0;
    *steal = (st - m->stat_steal_s) / capacity;
}

void gsb_loadavg(char *buf, size_t n) {
    double a = 0, b = 0, c = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
        snprintf(buf, n, "%.2f %.2f %.2f", a, b, c);
    else
        snprintf(buf, n, "unknown");
    if (f)
        fclose(f);
}

static void gsb_machine_info(gsb_machine *m, const gsb_config *cfg) {
    memset(m, 0, sizeof *m);
    gsb_loadavg(m->load_start, sizeof m->load_start);
    time_t now = time(NULL);
    strftime(m->date, sizeof m->date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    snprintf(m->cpu, sizeof m->cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *c = strchr(line, ':');
                if (c) {
                    c += 1 + strspn(c + 1, " \t");
                    c[strcspn(c, "\n")] = 0;
                    snprintf(m->cpu, sizeof m->cpu, "%s", c);
                }
                break;
            }
        }
        fclose(f);
    }
    m->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    m->allowed = gsb_ncpus;
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->kernel, sizeof m->kernel, "Linux %.64s %.16s", u.release, u.machine);
    snprintf(m->libc, sizeof m->libc, "glibc %s", gnu_get_libc_version());
#if defined(__clang__)
    snprintf(m->compiler, sizeof m->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(m->compiler, sizeof m->compiler, "gcc %s", __VERSION__);
#endif
    snprintf(m->gosync, sizeof m->gosync, "%s", gs_version());
    snprintf(m->go, sizeof m->go, "absent");
    if (cfg->go_bin) {
        char cmd[1100];
        snprintf(cmd, sizeof cmd, "'%s' -version", cfg->go_bin);
        FILE *p = popen(cmd, "r");
        if (p) {
            if (fgets(m->go, sizeof m->go, p))
                m->go[strcspn(m->go, "\n")] = 0;
            pclose(p);
        }
    }
#if GSB_HAVE_TSC
    snprintf(m->clock, sizeof m->clock,
             "rdtsc around every lock call, %.3f ticks/ns (calibrated against "
             "CLOCK_MONOTONIC_RAW)",
             gsb_tsc_per_ns);
#else
    snprintf(m->clock, sizeof m->clock, "clock_gettime(CLOCK_MONOTONIC) around every lock call");
#endif
}

static int gsb_parse_threads(const char *s, int *out) {
    int n = 0;
    for (const char *p = s; p && *p && n < GSB_MAX_THREADS_LIST;) {
        int v = atoi(p);
        if (v < 1 || v > 4096)
            gsb_die("bad thread count in '%s'", s);
        out[n++] = v;
        p = strchr(p, ',');
        if (p)
            p++;
    }
    if (n == 0)
        gsb_die("empty thread list");
    return n;
}

static void gsb_usage(FILE *f) {
    fputs(
        "usage: gosync-bench [options]\n"
        "  --filter LIST      scenarios to run: uncontended, mutex, starvation, rw, wflood;\n"
        "                     scenario:case picks one case (mutex:work, rw:w1, uncontended:rlock)\n"
        "  --impl LIST        implementations (see --list); the pthread baselines and the\n"
        "                     floor and no_lock references are added\n"
        "  --reps N           repetitions per cell (default 5, 3 for starvation and wflood;\n"
        "                     quick 1); medians are reported\n"
        "  --duration S       measured seconds per mutex/rw cell (default 0.1; quick 0.08)\n"
        "  --warmup S         warm-up seconds before each (default 0.03; quick 0.02)\n"
        "  --threads LIST     thread counts for mutex and rw (default 1,2,4,8,32,128 and 1,2,8)\n"
        "  --quick            a short run: the whole matrix in under a minute\n"
        "  --work N           local work iterations between acquisitions, case work (100)\n"
        "  --rwork N          work iterations inside a read critical section (100)\n"
        "  --cap S            starvation: give up after S seconds (5; quick 2)\n"
        "  --flood-duration S writer flood length (1; quick 0.5)\n"
        "  --flood-readers N  readers in the writer flood (8)\n"
        "  --hold-us N        writer flood: each read hold, microseconds (100)\n"
        "  --unc S            uncontended: seconds per sample (0.05; quick 0.02)\n"
        "  --no-pin           do not pin threads to CPUs\n"
        "  --go PATH          the Go program (default: the one built with this harness)\n"
        "  --no-go            leave Go out\n"
        "  --out DIR          write CSV, gnuplot data and scripts, summary.md into DIR\n"
        "  --list             list the implementations in this build and exit\n",
        f);
}

int main(int argc, char **argv) {
    gsb_config cfg = {0};
    cfg.reps = -1;
    cfg.duration_s = -1;
    cfg.warmup_s = -1;
    cfg.unc_s = -1;
    cfg.cap_s = -1;
    cfg.flood_s = -1;
    cfg.flood_readers = 8;
    cfg.hold_us = 100;
    cfg.greedy_hold_us = 100;
    cfg.work = 100;
    cfg.rwork = 100;
    cfg.pin = true;
    cfg.go_bin = GSB_GO_BINARY[0] ? GSB_GO_BINARY : NULL;
    bool list = false;
    const char *threads = NULL;

    size_t used = 0;
    for (int i = 0; i < argc && used + 2 < sizeof cfg.cmdline; i++)
        used += (size_t)snprintf(cfg.cmdline + used, sizeof cfg.cmdline - used, "%s%s",
                                 i ? " " : "", i ? argv[i] : "gosync-bench");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define GSB_ARG() (i + 1 < argc ? argv[++i] : (gsb_die("%s needs a value", a), ""))
        if (!strcmp(a, "--filter"))
            cfg.filter = GSB_ARG();
        else if (!strcmp(a, "--impl"))
            cfg.impls = GSB_ARG();
        else if (!strcmp(a, "--reps"))
            cfg.reps = atoi(GSB_ARG());
        else if (!strcmp(a, "--duration"))
            cfg.duration_s = atof(GSB_ARG());
        else if (!strcmp(a, "--warmup"))
            cfg.warmup_s = atof(GSB_ARG());
        else if (!strcmp(a, "--threads"))
            threads = GSB_ARG();
        else if (!strcmp(a, "--quick"))
            cfg.quick = true;
        else if (!strcmp(a, "--work"))
            cfg.work = atoi(GSB_ARG());
        else if (!strcmp(a, "--rwork"))
            cfg.rwork = atoi(GSB_ARG());
        else if (!strcmp(a, "--cap"))
            cfg.cap_s = atof(GSB_ARG());
        else if (!strcmp(a, "--flood-duration"))
            cfg.flood_s = atof(GSB_ARG());
        else if (!strcmp(a, "--flood-readers"))
            cfg.flood_readers = atoi(GSB_ARG());
        else if (!strcmp(a, "--hold-us"))
            cfg.hold_us = atoi(GSB_ARG());
        else if (!strcmp(a, "--unc"))
            cfg.unc_s = atof(GSB_ARG());
        else if (!strcmp(a, "--no-pin"))
            cfg.pin = false;
        else if (!strcmp(a, "--go"))
            cfg.go_bin = GSB_ARG();
        else if (!strcmp(a, "--no-go"))
            cfg.go_bin = NULL;
        else if (!strcmp(a, "--out"))
            cfg.out_dir = GSB_ARG();
        else if (!strcmp(a, "--list"))
            list = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            gsb_usage(stdout);
            return 0;
        } else {
            gsb_usage(stderr);
            gsb_die("unknown option %s", a);
        }
#undef GSB_ARG
    }
    bool q = cfg.quick;
    cfg.reps_long = cfg.reps;
    if (cfg.reps < 0) {
        cfg.reps = q ? 1 : 5;
        /* The starvation and writer-flood cells last up to seconds each: 3 repetitions. */
        cfg.reps_long = q ? 1 : 3;
    }
    if (cfg.duration_s < 0)
        cfg.duration_s = q ? 0.08 : 0.1;
    if (cfg.warmup_s < 0)
        cfg.warmup_s = q ? 0.02 : 0.03;
    if (cfg.unc_s < 0)
        cfg.unc_s = q ? 0.02 : 0.05;
    if (cfg.cap_s < 0)
        cfg.cap_s = q ? 2 : 5;
    if (cfg.flood_s < 0)
        cfg.flood_s = q ? 0.5 : 1;
    if (cfg.reps < 1 || cfg.duration_s <= 0 || cfg.unc_s <= 0 || cfg.cap_s <= 0 ||
        cfg.flood_s <= 0 || cfg.flood_readers < 1 || cfg.hold_us < 1 || cfg.work < 0 ||
        cfg.rwork < 0)
        gsb_die("bad option value (see --help)");
    static const int mutex_default[] = {1, 2, 4, 8, 32, 128}, rw_default[] = {1, 2, 8};
    if (threads) {
        cfg.n_mutex_threads = gsb_parse_threads(threads, cfg.mutex_threads);
        cfg.n_rw_threads = gsb_parse_threads(threads, cfg.rw_threads);
    } else {
        cfg.n_mutex_threads = 6;
        memcpy(cfg.mutex_threads, mutex_default, sizeof mutex_default);
        cfg.n_rw_threads = 3;
        memcpy(cfg.rw_threads, rw_default, sizeof rw_default);
    }
    if (cfg.go_bin && access(cfg.go_bin, X_OK) != 0) {
        fprintf(stderr,
                "gosync-bench: skipping Go: %s is not built (install golang-go, "
                "reconfigure)\n",
                cfg.go_bin);
        cfg.go_bin = NULL;
    }

    /* The implementations: this build's adapters, Go's after the peers, gosync's last. */
    for (int i = 0; gsb_impls[i]; i++) {
        const gsb_lock_ops *o = gsb_impls[i];
        if (cfg.go_bin && strcmp(o->name, "gs_mutex") == 0)
            gsb_all[gsb_nall++] = (gsb_impl){"go", GSB_MUTEX, NULL, true};
        if (cfg.go_bin && strcmp(o->name, "gs_rwmutex") == 0)
            gsb_all[gsb_nall++] = (gsb_impl){"go_rw", GSB_RW, NULL, true};
        gsb_all[gsb_nall++] = (gsb_impl){o->name, o->kind, o, false};
    }
    if (list) {
        for (int i = 0; i < gsb_nall; i++)
            printf("%-18s %s\n", gsb_all[i].name,
                   gsb_all[i].kind == GSB_RW      ? "rwlock"
                   : gsb_all[i].kind == GSB_MUTEX ? "mutex"
                   : gsb_all[i].kind == GSB_FLOOR ? "floor (uncontended only)"
                                                  : "ceiling (read-only rw only)");
        for (int i = 0; gsb_absents[i].name; i++)
            printf("%-18s absent: %s\n", gsb_absents[i].name, gsb_absents[i].hint);
        if (!cfg.go_bin)
            printf("%-18s absent: apt-get install golang-go, then reconfigure\n", "go");
        return 0;
    }
    for (int i = 0; gsb_absents[i].name; i++)
        fprintf(stderr, "gosync-bench: skipping %s: %s\n", gsb_absents[i].name,
                gsb_absents[i].hint);
    if (cfg.impls) {
        for (const char *p = cfg.impls; *p;) {
            size_t len = strcspn(p, ",");
            bool known = false;
            for (int i = 0; i < gsb_nall; i++)
                known |= strlen(gsb_all[i].name) == len && !strncmp(gsb_all[i].name, p, len);
            if (!known)
                gsb_die("unknown implementation '%.*s' (see --list)", (int)len, p);
            p += len + (p[len] == ',');
        }
        int n = 0;
        for (int i = 0; i < gsb_nall; i++) {
            const char *name = gsb_all[i].name;
            if (gsb_in_list(cfg.impls, name) || !strcmp(name, "pthread") ||
                !strcmp(name, "pthread_rw") || !strcmp(name, "floor") || !strcmp(name, "no_lock"))
                gsb_all[n++] = gsb_all[i];
        }
        gsb_nall = n;
    }

    gsb_read_cpus();
    gsb_calibrate_tsc();
    gsb_machine m;
    gsb_machine_info(&m, &cfg);
    fprintf(stderr, "gosync-bench: %s, %d CPUs (%d allowed), %s%s; %d repetition%s per cell\n",
            m.cpu, m.cores, m.allowed, cfg.pin ? "threads pinned" : "threads not pinned",
            cfg.quick ? ", quick" : "", cfg.reps, cfg.reps == 1 ? "" : "s");

    bool ran[GSB_SC_N] = {false};
    int64_t t0 = gsb_now_ns();
    gsb_cpu_account_start(&m);
    gsb_matrix(&cfg, ran);
    gsb_xfer_summary(&m);
    fprintf(stderr, "gosync-bench: %d measurements in %.1f s\n", gsb_nrows,
            (double)(gsb_now_ns() - t0) / 1e9);
    if (gsb_nrows == 0)
        gsb_die("nothing matched --filter '%s'", cfg.filter ? cfg.filter : "");
    gsb_report(&cfg, &m, gsb_all, gsb_nall, gsb_rows, gsb_nrows, ran);
    return 0;
}
