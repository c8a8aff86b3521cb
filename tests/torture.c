/* tests/torture.c: gosync's lock torture, after Linux's locktorture (kernel/locking/
 * locktorture.c): many threads, far more than CPUs, run a random mix of every way to take and
 * release gs_mutex and gs_rwmutex, with random hold times, yields and sleeps, and check as
 * they go that what the locks promise holds:
 *
 *   - an exclusive holder is alone: a shared "holders" count, raised after each acquisition
 *     and lowered before each release, is 0 when raised (mutex, rwmutex write side), and a
 *     writer sees no reader and a reader no writer;
 *   - a guarded counter, read and then written back + 1 with a delay in between, ends equal to
 *     the number of increments the threads counted for themselves (no lost update), and a
 *     reader sees it unchanged while it read-holds the lock;
 *   - a watchdog thread fails the run if any thread has not finished an operation for
 *     --watchdog seconds (a lost wake-up, a deadlock, a handoff nobody claims).
 *
 *   torture [--seconds S] [--threads N] [--watchdog S] [--seed N] [--busted] [--hammer]
 *           [--watch]
 *
 * --seconds bounds the run (default 10). --busted swaps in a lock that does nothing
 * (locktorture's lock_busted): the run must then FAIL, which shows the checks can see a
 * violation. --hammer runs a plain fixed-size lock/increment/unlock hammer instead (Go's
 * HammerMutex shape), whose only check is the final count. --watch turns on gs_mutex's watch
 * (src/mutex.c) whatever the CPU count: by default it runs only with 4 or more CPUs, so a
 * 2-CPU machine would never torture it.
 *
 * Prints "torture: PASSED ..." or "torture: FAILED ..." and exits 0 or 1.
 *
 * Extension points: the op table (`ops` below) is the one place to add operations. Once,
 * WaitGroup and Cond ops are compiled in when the build defines GS_TORTURE_ONCE,
 * GS_TORTURE_WAITGROUP, GS_TORTURE_COND (tests/CMakeLists.txt does when src/once.c,
 * src/waitgroup.c, src/cond.c exist).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <gosync.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- time, randomness ---- */

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ns(int64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static uint64_t rnd(uint64_t *s) { /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static unsigned below(uint64_t *s, unsigned n) { return (unsigned)(rnd(s) >> 33) % n; }

/* ---- the locks under test, behind one adapter (ConcurrencyKit's habit) ---- */

typedef struct {
    const char *name;
    void (*m_lock)(gs_mutex *);
    void (*m_unlock)(gs_mutex *);
    bool (*m_trylock)(gs_mutex *);
    bool (*m_timed)(gs_mutex *, int64_t);
    void (*w_lock)(gs_rwmutex *);
    void (*w_unlock)(gs_rwmutex *);
    bool (*w_trylock)(gs_rwmutex *);
    bool (*w_timed)(gs_rwmutex *, int64_t);
    void (*r_lock)(gs_rwmutex *);
    void (*r_unlock)(gs_rwmutex *);
    bool (*r_trylock)(gs_rwmutex *);
    bool (*r_timed)(gs_rwmutex *, int64_t);
} lock_adapter;

/* The real ones (the names without a call are the exported functions, not the macros). */
static const lock_adapter gosync_locks = {
    "gosync",
    gs_mutex_lock,
    gs_mutex_unlock,
    gs_mutex_trylock,
    gs_mutex_lock_timeout,
    gs_rwmutex_lock,
    gs_rwmutex_unlock,
    gs_rwmutex_trylock,
    gs_rwmutex_lock_timeout,
    gs_rwmutex_rlock,
    gs_rwmutex_runlock,
    gs_rwmutex_tryrlock,
    gs_rwmutex_rlock_timeout,
};

/* lock_busted: every call "succeeds" and excludes nobody. */
static void busted_m(gs_mutex *mu) { (void)mu; }
static bool busted_m_try(gs_mutex *mu) { return (void)mu, true; }
static bool busted_m_timed(gs_mutex *mu, int64_t t) { return (void)mu, (void)t, true; }
static void busted_rw(gs_rwmutex *rw) { (void)rw; }
static bool busted_rw_try(gs_rwmutex *rw) { return (void)rw, true; }
static bool busted_rw_timed(gs_rwmutex *rw, int64_t t) { return (void)rw, (void)t, true; }
static const lock_adapter busted_locks = {
    "busted",  busted_m,      busted_m,        busted_m_try,    busted_m_timed,
    busted_rw, busted_rw,     busted_rw_try,   busted_rw_timed, busted_rw,
    busted_rw, busted_rw_try, busted_rw_timed,
};

static const lock_adapter *L = &gosync_locks;

/* ---- shared state and checks ---- */

static struct {
    gs_mutex mu;
    long m_counter; /* guarded by mu */
    _Atomic int m_holders;

    gs_rwmutex rw;
    long rw_counter; /* guarded by rw (written under the write lock only) */
    _Atomic int rw_writers;
    _Atomic int rw_readers;
} S;

static _Atomic long violations;
static _Atomic int stop;

static void violation(const char *fmt, ...) {
    long n = atomic_fetch_add(&violations, 1);
    if (n >= 10)
        return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    fprintf(stderr, "torture: VIOLATION %ld: %s\n", n + 1, line);
}

/* ---- per-thread state ---- */

enum {
    OP_M_LOCK,
    OP_M_TRY,
    OP_M_TIMED,
    OP_W_LOCK,
    OP_W_TRY,
    OP_W_TIMED,
    OP_R_LOCK,
    OP_R_TRY,
    OP_R_TIMED,
    OP_ONCE,
    OP_WAITGROUP,
    OP_COND,
    OP_COUNT
};
static const char *const op_names[OP_COUNT] = {
    "mutex lock", "mutex trylock", "mutex timed", "rw lock", "rw trylock", "rw timed",
    "rw rlock",   "rw tryrlock",   "rw rtimed",   "once",    "waitgroup",  "cond",
};

typedef struct {
    int index;
    uint64_t seed;
    long m_incs, rw_incs;
    long calls[OP_COUNT], got[OP_COUNT];
    _Atomic int64_t last_progress; /* ns; read by the watchdog */
    _Atomic int current_op;        /* -1: between operations */
    char pad[64];
} thread_state;

static thread_state *threads;
static int nthreads = 64;

/* A random hold: mostly nothing or a few instructions, sometimes a yield or a short sleep,
 * rarely over a millisecond (which pushes waiters into gs_mutex's starvation mode). */
static void hold(thread_state *t) {
    unsigned r = below(&t->seed, 1000);
    if (r < 550)
        return;
    if (r < 850) {
        for (volatile unsigned i = below(&t->seed, 200); i > 0; i--) {
        }
    } else if (r < 960) {
        sched_yield();
    } else if (r < 995) {
        sleep_ns(1000 + below(&t->seed, 50000));
    } else {
        sleep_ns(1000000 + below(&t->seed, 1000000));
    }
}

/* A random timeout for the timed calls: <= 0 (one try), short, or up to a few ms. */
static int64_t timeout(thread_state *t) {
    unsigned r = below(&t->seed, 10);
    if (r == 0)
        return -(int64_t)below(&t->seed, 2);
    if (r < 6)
        return 1000 + below(&t->seed, 100000);
    return 100000 + below(&t->seed, 5000000);
}

/* Exclusive section: alone, then a read-modify-write of the counter across a hold. */
static void exclusive(thread_state *t, const char *what, _Atomic int *holders, _Atomic int *readers,
                      long *counter, long *mine) {
    int h = atomic_fetch_add(holders, 1);
    if (h != 0)
        violation("%s: thread %d holds it with %d other exclusive holder(s)", what, t->index, h);
    if (readers) {
        int r = atomic_load(readers);
        if (r != 0)
            violation("%s: thread %d holds it with %d reader(s)", what, t->index, r);
    }
    long v = *counter;
    hold(t);
    *counter = v + 1;
    (*mine)++;
    h = atomic_fetch_sub(holders, 1);
    if (h != 1)
        violation("%s: thread %d leaves with %d other exclusive holder(s)", what, t->index, h - 1);
}

static void shared(thread_state *t) {
    atomic_fetch_add(&S.rw_readers, 1);
    int w = atomic_load(&S.rw_writers);
    if (w != 0)
        violation("rwmutex: thread %d read-holds it with %d writer(s)", t->index, w);
    long v = S.rw_counter;
    hold(t);
    if (S.rw_counter != v)
        violation("rwmutex: guarded counter changed under thread %d's read lock", t->index);
    atomic_fetch_sub(&S.rw_readers, 1);
}

static void m_section(thread_state *t) {
    exclusive(t, "mutex", &S.m_holders, NULL, &S.m_counter, &t->m_incs);
    L->m_unlock(&S.mu);
}
static void w_section(thread_state *t) {
    exclusive(t, "rwmutex", &S.rw_writers, &S.rw_readers, &S.rw_counter, &t->rw_incs);
    L->w_unlock(&S.rw);
}
static void r_section(thread_state *t) {
    shared(t);
    L->r_unlock(&S.rw);
}

/* Each op returns whether it got what it asked for. */
static bool op_m_lock(thread_state *t) { return L->m_lock(&S.mu), m_section(t), true; }
static bool op_m_try(thread_state *t) {
    if (!L->m_trylock(&S.mu))
        return false;
    m_section(t);
    return true;
}
static bool op_m_timed(thread_state *t) {
    if (!L->m_timed(&S.mu, timeout(t)))
        return false;
    m_section(t);
    return true;
}
static bool op_w_lock(thread_state *t) { return L->w_lock(&S.rw), w_section(t), true; }
static bool op_w_try(thread_state *t) {
    if (!L->w_trylock(&S.rw))
        return false;
    w_section(t);
    return true;
}
static bool op_w_timed(thread_state *t) {
    if (!L->w_timed(&S.rw, timeout(t)))
        return false;
    w_section(t);
    return true;
}
static bool op_r_lock(thread_state *t) { return L->r_lock(&S.rw), r_section(t), true; }
static bool op_r_try(thread_state *t) {
    if (!L->r_trylock(&S.rw))
        return false;
    r_section(t);
    return true;
}
static bool op_r_timed(thread_state *t) {
    if (!L->r_timed(&S.rw, timeout(t)))
        return false;
    r_section(t);
    return true;
}

/* ---- extension points: Once, WaitGroup, Cond ---- */

#ifdef GS_TORTURE_ONCE
/* Epochs of fresh gs_once objects: racing callers of one epoch must see fn run exactly once,
 * and its write, when gs_once_do returns. */
#define ONCE_EPOCHS 65536
static struct once_epoch {
    gs_once once;
    _Atomic int runs;
    long value; /* written by fn only */
} * once_epochs;
static _Atomic unsigned once_current;

static void once_fn(void *arg) {
    struct once_epoch *e = (struct once_epoch *)arg;
    atomic_fetch_add(&e->runs, 1);
    e->value = 42;
    sched_yield(); /* keep the others waiting in gs_once_do for a while */
}

static bool op_once(thread_state *t) {
    unsigned i = atomic_load(&once_current);
    struct once_epoch *e = &once_epochs[i];
    gs_once_do(&e->once, once_fn, e);
    if (atomic_load(&e->runs) != 1)
        violation("once: fn ran %d times", atomic_load(&e->runs));
    if (e->value != 42)
        violation("once: fn's write not visible after gs_once_do returned");
    if (below(&t->seed, 8) == 0 && i + 1 < ONCE_EPOCHS)
        atomic_compare_exchange_strong(&once_current, &i, i + 1);
    return true;
}
#endif

#ifdef GS_TORTURE_WAITGROUP
/* A thread posts a heap gs_waitgroup with count 1 to a mailbox and waits (with timeouts); any
 * thread may take it from the mailbox and call done. The waiter frees it as soon as wait
 * returns, so a done that touched it after releasing the waiter is seen by ASan. */
#define WG_SLOTS 16
static gs_mutex wg_mu;
static gs_waitgroup *wg_box[WG_SLOTS]; /* guarded by wg_mu */

static bool wg_take_back(const gs_waitgroup *wg) {
    bool took = false;
    gs_mutex_lock(&wg_mu);
    for (int i = 0; i < WG_SLOTS; i++)
        if (wg_box[i] == wg) {
            wg_box[i] = NULL;
            took = true;
        }
    gs_mutex_unlock(&wg_mu);
    return took;
}

static bool op_waitgroup(thread_state *t) {
    if (below(&t->seed, 2) == 0) { /* serve: done one posted group */
        gs_waitgroup *wg = NULL;
        gs_mutex_lock(&wg_mu);
        for (int i = 0; i < WG_SLOTS && !wg; i++) {
            wg = wg_box[i];
            wg_box[i] = NULL;
        }
        gs_mutex_unlock(&wg_mu);
        if (wg)
            gs_waitgroup_done(wg);
        return wg != NULL;
    }
    gs_waitgroup *wg = (gs_waitgroup *)calloc(1, sizeof *wg);
    gs_waitgroup_add(wg, 1);
    bool posted = false;
    gs_mutex_lock(&wg_mu);
    for (int i = 0; i < WG_SLOTS && !posted; i++)
        if (!wg_box[i]) {
            wg_box[i] = wg;
            posted = true;
        }
    gs_mutex_unlock(&wg_mu);
    if (!posted)
        gs_waitgroup_done(wg);
    while (!gs_waitgroup_wait_timeout(wg, timeout(t))) {
        if (wg_take_back(wg)) /* nobody served it: do it ourselves */
            gs_waitgroup_done(wg);
    }
    free(wg);
    return posted;
}
#endif

#ifdef GS_TORTURE_COND
/* A generation counter under a mutex: waiters wait (with timeouts) for it to move; others
 * move it and signal or broadcast. */
static gs_mutex cond_mu;
static gs_cond cond_cv;
static long cond_gen; /* guarded by cond_mu */

static bool op_cond(thread_state *t) {
    gs_mutex_lock(&cond_mu);
    bool got = true;
    if (below(&t->seed, 2) == 0) {
        long g = cond_gen;
        while (cond_gen == g && got)
            got = gs_cond_wait_timeout(&cond_cv, timeout(t));
    } else {
        cond_gen++;
        if (below(&t->seed, 4) == 0)
            gs_cond_broadcast(&cond_cv);
        else
            gs_cond_signal(&cond_cv);
    }
    gs_mutex_unlock(&cond_mu);
    return got;
}
#endif

typedef struct {
    bool (*fn)(thread_state *);
    unsigned weight;
} op_entry;

static const op_entry ops[OP_COUNT] = {
    [OP_M_LOCK] = {op_m_lock, 10},      [OP_M_TRY] = {op_m_try, 4}, [OP_M_TIMED] = {op_m_timed, 6},
    [OP_W_LOCK] = {op_w_lock, 4},       [OP_W_TRY] = {op_w_try, 2}, [OP_W_TIMED] = {op_w_timed, 3},
    [OP_R_LOCK] = {op_r_lock, 10},      [OP_R_TRY] = {op_r_try, 3}, [OP_R_TIMED] = {op_r_timed, 4},
#ifdef GS_TORTURE_ONCE
    [OP_ONCE] = {op_once, 2},
#endif
#ifdef GS_TORTURE_WAITGROUP
    [OP_WAITGROUP] = {op_waitgroup, 2},
#endif
#ifdef GS_TORTURE_COND
    [OP_COND] = {op_cond, 2},
#endif
};

static unsigned total_weight;

static int pick_op(thread_state *t) {
    unsigned r = below(&t->seed, total_weight);
    for (int i = 0; i < OP_COUNT; i++) {
        if (r < ops[i].weight)
            return i;
        r -= ops[i].weight;
    }
    return OP_M_LOCK;
}

static void *torture_thread(void *p) {
    thread_state *t = (thread_state *)p;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        int op = pick_op(t);
        atomic_store(&t->current_op, op);
        t->calls[op]++;
        if (ops[op].fn(t))
            t->got[op]++;
        atomic_store(&t->current_op, -1);
        atomic_store(&t->last_progress, now_ns());
        unsigned r = below(&t->seed, 100);
        if (r < 5)
            sched_yield();
        else if (r == 5)
            sleep_ns(1000 + below(&t->seed, 200000));
    }
    return NULL;
}

/* ---- watchdog ---- */

static double watchdog_s = 20;
static _Atomic int all_joined;

static void *watchdog(void *p) {
    (void)p;
    while (!atomic_load(&all_joined)) {
        sleep_ns(100000000);
        int64_t now = now_ns();
        for (int i = 0; i < nthreads; i++) {
            int64_t last = atomic_load(&threads[i].last_progress);
            if ((double)(now - last) / 1e9 > watchdog_s) {
                int op = atomic_load(&threads[i].current_op);
                fprintf(stderr,
                        "torture: FAILED: watchdog: thread %d made no progress for %.1f s "
                        "(in %s); mutex state 0x%08" PRIx32 ", rwmutex w 0x%08" PRIx32
                        " state 0x%016" PRIx64 "\n",
                        i, (double)(now - last) / 1e9, op >= 0 ? op_names[op] : "no op",
                        __atomic_load_n(&S.mu.state, __ATOMIC_RELAXED),
                        __atomic_load_n(&S.rw.w.state, __ATOMIC_RELAXED),
                        __atomic_load_n(&S.rw.state, __ATOMIC_RELAXED));
                fflush(stderr);
                _exit(1);
            }
        }
    }
    return NULL;
}

/* ---- hammer: a fixed number of lock/increment/unlock per thread, count checked ---- */

static long hammer_loops = 20000;

static void *hammer_thread(void *p) {
    thread_state *t = (thread_state *)p;
    for (long i = 0; i < hammer_loops; i++) {
        L->m_lock(&S.mu);
        long v = S.m_counter;
        if ((i & 63) == 0)
            sched_yield();
        S.m_counter = v + 1;
        L->m_unlock(&S.mu);
        L->w_lock(&S.rw);
        v = S.rw_counter;
        if ((i & 63) == 32)
            sched_yield();
        S.rw_counter = v + 1;
        L->w_unlock(&S.rw);
        atomic_store(&t->last_progress, now_ns());
    }
    return NULL;
}

/* ---- main ---- */

/* src/mutex.c: the least CPU count at which the designated waiter watches (--watch). */
extern int gs__mutex_watch_cpus;

static void usage(void) {
    fprintf(stderr, "usage: torture [--seconds S] [--threads N] [--watchdog S] [--seed N] "
                    "[--busted] [--hammer [--loops N]] [--watch]\n");
    exit(2);
}

int main(int argc, char **argv) {
    double seconds = 10;
    uint64_t seed = (uint64_t)now_ns();
    bool hammer = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--busted")) {
            L = &busted_locks;
        } else if (!strcmp(a, "--hammer")) {
            hammer = true;
        } else if (!strcmp(a, "--watch")) {
            gs__mutex_watch_cpus = 1; /* before any thread starts */
        } else if (v && !strcmp(a, "--seconds")) {
            seconds = atof(v), i++;
        } else if (v && !strcmp(a, "--threads")) {
            nthreads = atoi(v), i++;
        } else if (v && !strcmp(a, "--watchdog")) {
            watchdog_s = atof(v), i++;
        } else if (v && !strcmp(a, "--seed")) {
            seed = strtoull(v, NULL, 0), i++;
        } else if (v && !strcmp(a, "--loops")) {
            hammer_loops = atol(v), i++;
        } else {
            usage();
        }
    }
    if (nthreads < 1 || seconds < 0 || watchdog_s <= 0)
        usage();
    for (int i = 0; i < OP_COUNT; i++)
        total_weight += ops[i].weight;
#ifdef GS_TORTURE_ONCE
    once_epochs = calloc(ONCE_EPOCHS, sizeof *once_epochs);
#endif
#ifdef GS_TORTURE_COND
    gs_cond_init(&cond_cv, gs_mutex_locker(&cond_mu));
#endif
    threads = (thread_state *)calloc((size_t)nthreads, sizeof *threads);
    pthread_t *tids = (pthread_t *)calloc((size_t)nthreads, sizeof *tids);
    printf("torture: %s locks, %d threads, %s, seed %" PRIu64 ", watchdog %.0f s\n", L->name,
           nthreads, hammer ? "hammer" : "random mix", seed, watchdog_s);
    fflush(stdout);

    int64_t start = now_ns();
    for (int i = 0; i < nthreads; i++) {
        threads[i].index = i;
        threads[i].seed = (seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)(i + 1))) | 1;
        threads[i].current_op = -1;
        threads[i].last_progress = start;
    }
    pthread_t wd;
    pthread_create(&wd, NULL, watchdog, NULL);
    for (int i = 0; i < nthreads; i++) {
        int err =
            pthread_create(&tids[i], NULL, hammer ? hammer_thread : torture_thread, &threads[i]);
        if (err) {
            fprintf(stderr, "torture: pthread_create: %s\n", strerror(err));
            return 1;
        }
    }
    if (!hammer) {
        while ((double)(now_ns() - start) / 1e9 < seconds)
            sleep_ns(10000000);
        atomic_store(&stop, 1);
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(tids[i], NULL);
    atomic_store(&all_joined, 1);
    pthread_join(wd, NULL);
    double elapsed = (double)(now_ns() - start) / 1e9;

    /* The guarded counters are exact: every increment each thread counted is there. */
    long m_incs = 0, rw_incs = 0, calls = 0;
    long per_calls[OP_COUNT] = {0}, per_got[OP_COUNT] = {0};
    for (int i = 0; i < nthreads; i++) {
        m_incs += hammer ? hammer_loops : threads[i].m_incs;
        rw_incs += hammer ? hammer_loops : threads[i].rw_incs;
        for (int k = 0; k < OP_COUNT; k++) {
            per_calls[k] += threads[i].calls[k];
            per_got[k] += threads[i].got[k];
            calls += threads[i].calls[k];
        }
    }
    if (hammer)
        calls = 2 * m_incs;
    if (S.m_counter != m_incs)
        violation("mutex: guarded counter is %ld, threads counted %ld increments", S.m_counter,
                  m_incs);
    if (S.rw_counter != rw_incs)
        violation("rwmutex: guarded counter is %ld, threads counted %ld increments", S.rw_counter,
                  rw_incs);
    /* And the locks are free: a leaked hold or reader would show here. */
    if (L == &gosync_locks) {
        if (!gs_mutex_trylock(&S.mu))
            violation("mutex still held at the end");
        else
            gs_mutex_unlock(&S.mu);
        if (!gs_rwmutex_trylock(&S.rw))
            violation("rwmutex still held at the end");
        else
            gs_rwmutex_unlock(&S.rw);
    }

    if (!hammer) {
        for (int k = 0; k < OP_COUNT; k++)
            if (per_calls[k])
                printf("torture:   %-14s %10ld calls %10ld acquired\n", op_names[k], per_calls[k],
                       per_got[k]);
    }
    long v = atomic_load(&violations);
    printf("torture: %s: %ld ops in %.1f s (%.0f ops/s), %d threads, mutex count %ld, "
           "rwmutex count %ld, violations %ld\n",
           v ? "FAILED" : "PASSED", calls, elapsed, (double)calls / elapsed, nthreads, S.m_counter,
           S.rw_counter, v);
    free(tids);
    free(threads);
    return v ? 1 : 0;
}
