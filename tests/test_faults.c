/* tests/test_faults.c: gs_mutex and gs_rwmutex under faults from outside the algorithm:
 * signals delivered to blocked threads, timeouts racing with unlock and with starvation
 * handoff, and the lock's memory freed right after its final unlock (glibc BZ 13690; the
 * ASan build reports any touch). Built with -DGOSYNC_FAULT_INJECT=ON (make test-faults),
 * it also checks that faults were in fact injected.
 */
#include <gosync.h>

#include "harness.h"

#include <stdatomic.h>

#ifdef GOSYNC_FAULT_INJECT
long gs__fault_count(void); /* src/platform/fault_inject.c */
#endif

/* ---- signals: a blocked lock call neither returns early nor loses the lock ---- */

static _Atomic long signals_taken;
static void on_signal(int sig) {
    (void)sig;
    atomic_fetch_add(&signals_taken, 1);
}

enum { SIG_MUTEX, SIG_MUTEX_TIMED, SIG_RW_LOCK, SIG_RW_RLOCK, SIG_RW_TIMED, SIG_RW_RTIMED, SIG_N };

typedef struct {
    gs_mutex mu;
    gs_rwmutex rw;
    _Atomic int started;
    _Atomic int returned[SIG_N];
    _Atomic int ok[SIG_N];
    pthread_t t[SIG_N];
} sig_arg;

typedef struct {
    sig_arg *a;
    int kind;
} sig_job;

static void *sig_blocked(void *p) {
    sig_job *j = (sig_job *)p;
    sig_arg *a = j->a;
    bool got = true;
    atomic_fetch_add(&a->started, 1);
    switch (j->kind) {
    case SIG_MUTEX:
        gs_mutex_lock(&a->mu);
        break;
    case SIG_MUTEX_TIMED:
        got = gs_mutex_lock_timeout(&a->mu, 60LL * 1000000000);
        break;
    case SIG_RW_LOCK:
        gs_rwmutex_lock(&a->rw);
        break;
    case SIG_RW_RLOCK:
        gs_rwmutex_rlock(&a->rw);
        break;
    case SIG_RW_TIMED:
        got = gs_rwmutex_lock_timeout(&a->rw, 60LL * 1000000000);
        break;
    default:
        got = gs_rwmutex_rlock_timeout(&a->rw, 60LL * 1000000000);
        break;
    }
    a->ok[j->kind] = got;
    a->returned[j->kind] = 1;
    if (got) {
        if (j->kind == SIG_MUTEX || j->kind == SIG_MUTEX_TIMED)
            gs_mutex_unlock(&a->mu);
        else if (j->kind == SIG_RW_RLOCK || j->kind == SIG_RW_RTIMED)
            gs_rwmutex_runlock(&a->rw);
        else
            gs_rwmutex_unlock(&a->rw);
    }
    return NULL;
}

TEST(TestSignalsToBlockedThreads) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the futex wait returns EINTR */
    sigaction(SIGUSR1, &sa, NULL);

    static sig_arg a;
    static sig_job jobs[SIG_N];
    gs_mutex_lock(&a.mu);
    gs_rwmutex_lock(&a.rw);
    for (int k = 0; k < SIG_N; k++) {
        jobs[k].a = &a;
        jobs[k].kind = k;
        a.t[k] = spawn(sig_blocked, &jobs[k]);
    }
    while (a.started < SIG_N)
        sleep_ns(1000000);
    sleep_ns(20000000); /* let them block */
    int64_t until = now_ns() + scaled(300) * 1000000;
    long sent = 0;
    for (int round = 0; round < 20 || now_ns() < until; round++) {
        for (int k = 0; k < SIG_N; k++)
            pthread_kill(a.t[k], SIGUSR1);
        sent += SIG_N;
        sleep_ns(200000);
        for (int k = 0; k < SIG_N; k++)
            if (a.returned[k])
                GS_T_FAIL("blocked call %d returned while the lock was held (signal storm)", k);
    }
    gs_rwmutex_unlock(&a.rw);
    gs_mutex_unlock(&a.mu);
    for (int k = 0; k < SIG_N; k++) {
        join(a.t[k]);
        CHECK_EQ(a.ok[k], 1);
    }
    CHECK(gs_mutex_trylock(&a.mu));
    gs_mutex_unlock(&a.mu);
    CHECK(gs_rwmutex_trylock(&a.rw));
    gs_rwmutex_unlock(&a.rw);
    signal(SIGUSR1, SIG_DFL);
    printf("     %ld signals sent, %ld handled\n", sent, (long)signals_taken);
    CHECK_GE(signals_taken, 1);
}

/* ---- timeouts racing with unlock, and with starvation handoff ----
 * Timeouts near the holder's unlock (and, with holds over 1 ms, near a handoff). Every
 * timed call that says true holds the lock alone; at the end the lock is free. */

typedef struct {
    gs_mutex mu;
    gs_rwmutex rw;
    _Atomic int holders, readers;
    _Atomic long bad, got, missed;
    long loops;
} race_arg;

static void hold_exclusive(race_arg *a, int64_t ns) {
    if (atomic_fetch_add(&a->holders, 1) != 0 || a->readers != 0)
        a->bad++;
    if (ns)
        sleep_ns(ns);
    atomic_fetch_sub(&a->holders, 1);
}

static void mutex_racer(void *p, int index) {
    race_arg *a = (race_arg *)p;
    for (long i = 0; i < a->loops; i++) {
        if (index == 0) {
            gs_mutex_lock(&a->mu);
            hold_exclusive(a, 1100000 + (i % 3) * 300000); /* > 1 ms: waiters starve */
            gs_mutex_unlock(&a->mu);
            continue;
        }
        int64_t t = 800000 + (((long)index * 7919 + i * 104729) % 1000000);
        if (gs_mutex_lock_timeout(&a->mu, t)) {
            a->got++;
            hold_exclusive(a, (i & 3) == 0 ? 50000 : 0);
            gs_mutex_unlock(&a->mu);
        } else {
            a->missed++;
        }
    }
}

TEST(TestMutexTimeoutsRaceUnlockAndHandoff) {
    static race_arg a;
    a.loops = scaled(150);
    run_threads(8, mutex_racer, &a);
    CHECK_EQ(a.bad, 0);
    CHECK(gs_mutex_trylock(&a.mu)); /* no handoff swallowed, no lock left owner-less */
    gs_mutex_unlock(&a.mu);
    printf("     timed locks: %ld acquired, %ld timed out\n", (long)a.got, (long)a.missed);
    CHECK_GE(a.got, 1);
    CHECK_GE(a.missed, 1);
}

static void rw_racer(void *p, int index) {
    race_arg *a = (race_arg *)p;
    for (long i = 0; i < a->loops; i++) {
        int64_t t = 200000 + (((long)index * 7919 + i * 104729) % 800000);
        switch ((index + i) % 4) {
        case 0: /* writer, holds ~0.5 ms */
            gs_rwmutex_lock(&a->rw);
            hold_exclusive(a, 500000);
            gs_rwmutex_unlock(&a->rw);
            break;
        case 1: /* timed writer */
            if (gs_rwmutex_lock_timeout(&a->rw, t)) {
                a->got++;
                hold_exclusive(a, 0);
                gs_rwmutex_unlock(&a->rw);
            } else {
                a->missed++;
            }
            break;
        case 2: /* timed reader */
            if (gs_rwmutex_rlock_timeout(&a->rw, t)) {
                a->got++;
                atomic_fetch_add(&a->readers, 1);
                if (a->holders != 0)
                    a->bad++;
                atomic_fetch_sub(&a->readers, 1);
                gs_rwmutex_runlock(&a->rw);
            } else {
                a->missed++;
            }
            break;
        default: /* reader, holds ~0.3 ms */
            gs_rwmutex_rlock(&a->rw);
            atomic_fetch_add(&a->readers, 1);
            if (a->holders != 0)
                a->bad++;
            sleep_ns(300000);
            atomic_fetch_sub(&a->readers, 1);
            gs_rwmutex_runlock(&a->rw);
            break;
        }
    }
}

TEST(TestRwmutexTimeoutsRaceUnlock) {
    static race_arg a;
    a.loops = scaled(300);
    run_threads(8, rw_racer, &a);
    CHECK_EQ(a.bad, 0);
    CHECK(gs_rwmutex_trylock(&a.rw));
    gs_rwmutex_unlock(&a.rw);
    CHECK(gs_rwmutex_tryrlock(&a.rw));
    gs_rwmutex_runlock(&a.rw);
    printf("     timed calls: %ld acquired, %ld timed out\n", (long)a.got, (long)a.missed);
    CHECK_GE(a.got + a.missed, 1);
}

/* ---- a lock freed by the thread that got it, right after its final unlock ----
 * The releasing thread must not touch the object after the store that lets the next owner
 * in (BZ 13690); the next owner frees it at once, and ASan sees any later touch. */

enum { FREE_W_TO_W, FREE_W_TO_R, FREE_R_TO_W, FREE_RR_TO_W, FREE_KINDS };

typedef struct {
    gs_rwmutex rw;
    _Atomic int waiting;
    int kind;
} rw_box;

static void *rw_take_and_free(void *p) {
    rw_box *b = (rw_box *)p;
    b->waiting = 1;
    if (b->kind == FREE_W_TO_R) {
        gs_rwmutex_rlock(&b->rw);
        gs_rwmutex_runlock(&b->rw);
    } else {
        gs_rwmutex_lock(&b->rw);
        gs_rwmutex_unlock(&b->rw);
    }
    free(b);
    return NULL;
}

static void *rw_second_reader(void *p) {
    rw_box *b = (rw_box *)p;
    gs_rwmutex_runlock(&b->rw); /* a read lock taken by main, released here (Go allows) */
    return NULL;
}

TEST(TestRwmutexFreedAfterFinalUnlock) {
    for (long i = 0; i < scaled(1200); i++) {
        rw_box *b = (rw_box *)calloc(1, sizeof *b);
        b->kind = (int)(i % FREE_KINDS);
        if (b->kind == FREE_R_TO_W) {
            gs_rwmutex_rlock(&b->rw);
        } else if (b->kind == FREE_RR_TO_W) {
            gs_rwmutex_rlock(&b->rw);
            gs_rwmutex_rlock(&b->rw);
        } else {
            gs_rwmutex_lock(&b->rw);
        }
        pthread_t t = spawn(rw_take_and_free, b);
        while (!b->waiting)
            sched_yield();
        if (i % 2)
            sleep_ns(20000); /* let it sleep in the slow path sometimes */
        if (b->kind == FREE_RR_TO_W) {
            join(spawn(rw_second_reader, b)); /* one of the two read holds */
            gs_rwmutex_runlock(&b->rw);       /* the final one: b may be freed after this */
        } else if (b->kind == FREE_R_TO_W) {
            gs_rwmutex_runlock(&b->rw);
        } else {
            gs_rwmutex_unlock(&b->rw);
        }
        join(t);
    }
}

typedef struct {
    gs_mutex mu;
    _Atomic int waiting;
} mu_box;

static void *mu_take_and_free(void *p) {
    mu_box *b = (mu_box *)p;
    b->waiting = 1;
    /* timed, so the waiter also exercises the timed path's claim */
    while (!gs_mutex_lock_timeout(&b->mu, 5000000)) {
    }
    gs_mutex_unlock(&b->mu);
    free(b);
    return NULL;
}

TEST(TestMutexFreedAfterHandoff) {
    /* Holds over 1 ms push the waiter into starvation mode: the unlock is then a handoff. */
    for (long i = 0; i < scaled(300); i++) {
        mu_box *b = (mu_box *)calloc(1, sizeof *b);
        gs_mutex_lock(&b->mu);
        pthread_t t = spawn(mu_take_and_free, b);
        while (!b->waiting)
            sched_yield();
        sleep_ns(i % 3 == 0 ? 1500000 : 30000);
        gs_mutex_unlock(&b->mu);
        join(t);
    }
}

TEST(TestFaultsInjected) {
#ifdef GOSYNC_FAULT_INJECT
    printf("     %ld faults injected so far\n", gs__fault_count());
    CHECK_GE(gs__fault_count(), 1);
#else
    printf("     (not a fault-injection build)\n");
#endif
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestSignalsToBlockedThreads);
    RUN(TestMutexTimeoutsRaceUnlockAndHandoff);
    RUN(TestRwmutexTimeoutsRaceUnlock);
    RUN(TestRwmutexFreedAfterFinalUnlock);
    RUN(TestMutexFreedAfterHandoff);
    RUN(TestFaultsInjected);
    return 0;
}
