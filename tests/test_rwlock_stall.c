/* tests/test_rwlock_stall.c: gs_rwmutex stall regressions, each with a watchdog.
 *
 * Ports (our own code, with the shapes of glibc's nptl tests of the same names, which found
 * stalls in glibc's 2017 rwlock):
 *   tst-rwlock20               phase hand-over: three threads, empty critical sections
 *   tst-rwlock-pwn             three threads, random reads and writes, fresh threads per round
 *   tst-rwlock-tryrdlock-stall 32 threads, 7 writes in 8, tryrdlock then rdlock
 * plus a 16-thread random mix of every kind of call (timed, try) with exclusion checks
 * and our own regression for FINDINGS.md F2 (a writer giving up re-flipped PHASE and
 * stranded a reader that had been admitted but had not yet woken).
 *
 * A stall is reported by a watchdog that fails the test when the workers stop making
 * progress for WATCHDOG_S seconds (GS_TEST_TIMEOUT's alarm is the second line of defence).
 */
#include <gosync.h>

#include "harness.h"

#include <stdatomic.h>

#define WATCHDOG_S 30

/* ---- watchdog: fails when `progress` has not moved for WATCHDOG_S seconds ---- */

typedef struct {
    _Atomic long progress;
    _Atomic int done;
    const char *what;
    pthread_t t;
} watchdog;

static void *watchdog_main(void *p) {
    watchdog *w = (watchdog *)p;
    long last = -1;
    int64_t since = now_ns();
    while (!w->done) {
        sleep_ns(50000000);
        long cur = w->progress;
        if (cur != last) {
            last = cur;
            since = now_ns();
        } else if (now_ns() - since > (int64_t)WATCHDOG_S * 1000000000) {
            fprintf(stderr, "FAIL %s: stalled: no progress for %d s (%ld operations done)\n",
                    w->what, WATCHDOG_S, cur);
            _exit(1);
        }
    }
    return NULL;
}

static void watchdog_start(watchdog *w, const char *what) {
    w->progress = 0;
    w->done = 0;
    w->what = what;
    w->t = spawn(watchdog_main, w);
}

static void watchdog_stop(watchdog *w) {
    w->done = 1;
    join(w->t);
}

/* ---- glibc tst-rwlock20: read-phase / write-phase hand-over, empty critical sections ----
 * As glibc's: three threads; thread 0 alternates one write lock and one read lock, threads 1
 * and 2 write-lock 100 times per round. glibc's bug was a reader and a writer each waiting
 * for the other at a phase switch. */

typedef struct {
    gs_rwmutex rw;
    long rounds;
    watchdog wd;
} rw20_arg;

static void rw20_worker(void *p, int index) {
    rw20_arg *a = (rw20_arg *)p;
    for (long r = 0; r < a->rounds; r++) {
        int wcnt = index == 0 ? 1 : 100, rcnt = index == 0 ? 1 : 0;
        while (wcnt + rcnt > 0) {
            if (wcnt) {
                gs_rwmutex_lock(&a->rw);
                gs_rwmutex_unlock(&a->rw);
                wcnt--;
            }
            if (rcnt) {
                gs_rwmutex_rlock(&a->rw);
                gs_rwmutex_runlock(&a->rw);
                rcnt--;
            }
            a->wd.progress++;
        }
    }
}

TEST(TestRwlock20PhaseSwitch) {
    static rw20_arg a;
    a.rounds = scaled(200000);
    watchdog_start(&a.wd, "tst-rwlock20");
    run_threads(3, rw20_worker, &a);
    watchdog_stop(&a.wd);
    CHECK_EQ(a.wd.progress, a.rounds * (1 + 100 + 100));
}

/* ---- glibc tst-rwlock-pwn: three threads, random reads and writes, fresh threads per
 * round (glibc: PREFER_WRITER_NONRECURSIVE, bug 23861: the second-to-last reader failed to
 * wake the last) ---- */

typedef struct {
    gs_rwmutex rw;
    long loops;
    watchdog wd;
} pwn3_arg;

static void pwn3_worker(void *p, int index) {
    pwn3_arg *a = (pwn3_arg *)p;
    unsigned seed = (unsigned)index * 2654435761u + (unsigned)a->wd.progress + 1;
    for (long i = 0; i < a->loops; i++) {
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) & 1) {
            gs_rwmutex_lock(&a->rw);
            gs_rwmutex_unlock(&a->rw);
        } else {
            gs_rwmutex_rlock(&a->rw);
            gs_rwmutex_runlock(&a->rw);
        }
        a->wd.progress++;
    }
}

TEST(TestRwlockPwn) {
    static pwn3_arg a;
    a.loops = scaled(200000);
    watchdog_start(&a.wd, "tst-rwlock-pwn");
    for (int round = 0; round < 10; round++)
        run_threads(3, pwn3_worker, &a);
    watchdog_stop(&a.wd);
    CHECK_EQ(a.wd.progress, 10 * 3 * a.loops);
}

/* ---- ours, after tst-rwlock-pwn: 16 threads, every kind of call, exclusion checked ---- */

typedef struct {
    gs_rwmutex rw;
    long value; /* written under the write lock */
    _Atomic int writers, readers;
    _Atomic long bad;
    long loops;
    watchdog wd;
} pwn_arg;

static void pwn_worker(void *p, int index) {
    pwn_arg *a = (pwn_arg *)p;
    unsigned seed = (unsigned)index * 2654435761u + 7;
    for (long i = 0; i < a->loops; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 16) % 8;
        if (r < 3) {
            bool got = true;
            if (r == 0)
                gs_rwmutex_lock(&a->rw);
            else if (r == 1)
                got = gs_rwmutex_lock_timeout(&a->rw, (int64_t)((seed >> 4) % 200000));
            else
                got = gs_rwmutex_trylock(&a->rw);
            if (got) {
                if (atomic_fetch_add(&a->writers, 1) != 0 || a->readers != 0)
                    a->bad++;
                a->value++;
                atomic_fetch_sub(&a->writers, 1);
                gs_rwmutex_unlock(&a->rw);
            }
        } else {
            bool got = true;
            if (r < 6)
                gs_rwmutex_rlock(&a->rw);
            else if (r == 6)
                got = gs_rwmutex_rlock_timeout(&a->rw, (int64_t)((seed >> 4) % 200000));
            else
                got = gs_rwmutex_tryrlock(&a->rw);
            if (got) {
                atomic_fetch_add(&a->readers, 1);
                if (a->writers != 0)
                    a->bad++;
                atomic_fetch_sub(&a->readers, 1);
                gs_rwmutex_runlock(&a->rw);
            }
        }
        if ((seed & 255) == 0)
            sched_yield();
        a->wd.progress++;
    }
}

TEST(TestRwlockPwnRandomMix) {
    static pwn_arg a;
    a.loops = scaled(30000);
    watchdog_start(&a.wd, "random mix, 16 threads");
    run_threads(16, pwn_worker, &a);
    watchdog_stop(&a.wd);
    CHECK_EQ(a.bad, 0);
    CHECK(gs_rwmutex_trylock(&a.rw)); /* left free */
    gs_rwmutex_unlock(&a.rw);
}

/* ---- glibc tst-rwlock-tryrdlock-stall: 32 threads, mostly writes; reads try first ----
 * glibc's bug 23844: tryrdlock did not wake the readers waiting on the write-phase futex. */

typedef struct {
    gs_rwmutex rw;
    long loops;
    watchdog wd;
} tryrd_arg;

static void tryrd_worker(void *p, int index) {
    (void)index;
    tryrd_arg *a = (tryrd_arg *)p;
    for (long i = 0; i < a->loops; i++) {
        if (i % 8 != 0) { /* as glibc's: 7 of 8 iterations write */
            gs_rwmutex_lock(&a->rw);
            gs_rwmutex_unlock(&a->rw);
        } else { /* try to read-lock, then read-lock */
            if (!gs_rwmutex_tryrlock(&a->rw))
                gs_rwmutex_rlock(&a->rw);
            gs_rwmutex_runlock(&a->rw);
        }
        a->wd.progress++;
    }
}

TEST(TestRwlockTryrdlockStall) {
    static tryrd_arg a;
    a.loops = scaled(200000);
    watchdog_start(&a.wd, "tst-rwlock-tryrdlock-stall");
    run_threads(32, tryrd_worker, &a);
    watchdog_stop(&a.wd);
    CHECK_EQ(a.wd.progress, 32 * a.loops);
}

/* ---- FINDINGS.md F2: a writer that gives up must not strand an admitted reader ----
 * A writer unlocks, admitting a queued reader, and at once a timed writer announces, sees
 * that reader counted as active, and gives up. Before the fix its give-up flipped PHASE back,
 * so the reader, not yet awake, found "its" phase again and slept forever while counted as
 * active: every later writer then waited for it. The SPIN model found it with 2 threads. */

typedef struct {
    gs_rwmutex rw;
    _Atomic int queued_go, done;
} f2_arg;

static void *f2_reader(void *p) {
    f2_arg *a = (f2_arg *)p;
    /* Same CPU as the writer, at idle priority: once woken it runs only when the writer
     * sleeps, so the writer's unlock and give-up both happen before it looks. */
    pin_to_cpu(0);
    struct sched_param sp = {0};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
    while (!a->queued_go)
        sched_yield();
    gs_rwmutex_rlock(&a->rw);
    gs_rwmutex_runlock(&a->rw);
    a->done = 1;
    return NULL;
}

TEST(TestWriterGiveUpDoesNotStrandReader) {
    long rounds = scaled(300);
    cpu_set_t saved;
    bool pinned = sched_getaffinity(0, sizeof saved, &saved) == 0 && pin_to_cpu(0);
    for (long i = 0; i < rounds; i++) {
        f2_arg a = {GS_RWMUTEX_INIT, 0, 0};
        gs_rwmutex_lock(&a.rw);
        pthread_t r = spawn(f2_reader, &a);
        a.queued_go = 1;
        sleep_ns(200000); /* the reader queues behind us and sleeps */
        gs_rwmutex_unlock(&a.rw);
        /* Tiny timeout: announces, finds the admitted reader active, gives up at once. */
        if (gs_rwmutex_lock_timeout(&a.rw, 1))
            gs_rwmutex_unlock(&a.rw);
        int64_t deadline = now_ns() + 10 * 1000000000LL;
        while (!a.done && now_ns() < deadline)
            sleep_ns(100000);
        if (!a.done)
            GS_T_FAIL("round %ld: reader stranded after a writer gave up (rw state 0x%016llx)", i,
                      (unsigned long long)__atomic_load_n(&a.rw.state, __ATOMIC_RELAXED));
        join(r);
        /* and the lock is free for a writer */
        CHECK(gs_rwmutex_lock_timeout(&a.rw, 10 * 1000000000LL));
        gs_rwmutex_unlock(&a.rw);
    }
    if (pinned)
        pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestWriterGiveUpDoesNotStrandReader);
    RUN(TestRwlock20PhaseSwitch);
    RUN(TestRwlockPwn);
    RUN(TestRwlockPwnRandomMix);
    RUN(TestRwlockTryrdlockStall);
    return 0;
}
