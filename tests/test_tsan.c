/* tests/test_tsan.c: ThreadSanitizer sees gosync's locks (src/annotate.c). Built and run
 * only in TSan builds.
 *
 * TSan's own reports for gosync locks: an unlock of an unlocked lock, and lock-order
 * inversions (detect_deadlocks=1), in children run with halt_on_error=1:abort_on_error=1.
 * No false report for what Go allows (cross-thread unlock and runlock, exiting with a lock
 * held, handing a lock over and freeing it), and gosync's own bookkeeping (the debug
 * checker, the shim's tables) must not hide a real race by synchronizing threads behind
 * TSan's back.
 */
#include <gosync.h>

#include <stdatomic.h>

#include "harness.h"

/* tests/test_tsan_debug.c, compiled with GS_DEBUG */
void debug_lock_unlock(gs_mutex *mu);

/* ---- TSan's reports ---- */

DEATH_CASE(double_unlock) {
    gs_mutex mu = GS_MUTEX_INIT;
    gs_mutex_lock(&mu);
    gs_mutex_unlock(&mu);
    gs_mutex_unlock(&mu);
}

DEATH_CASE(double_write_unlock) {
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    gs_rwmutex_lock(&rw);
    gs_rwmutex_unlock(&rw);
    gs_rwmutex_unlock(&rw);
}

static gs_mutex ma, mb;
static gs_rwmutex rw;

static void *lock_a_then_b(void *p) {
    (void)p;
    gs_mutex_lock(&ma);
    gs_mutex_lock(&mb);
    gs_mutex_unlock(&mb);
    gs_mutex_unlock(&ma);
    return NULL;
}

DEATH_CASE(inversion) {
    join(spawn(lock_a_then_b, NULL));
    gs_mutex_lock(&mb);
    gs_mutex_lock(&ma);
    gs_mutex_unlock(&ma);
    gs_mutex_unlock(&mb);
}

static void *rlock_then_a(void *p) {
    (void)p;
    gs_rwmutex_rlock(&rw);
    gs_mutex_lock(&ma);
    gs_mutex_unlock(&ma);
    gs_rwmutex_runlock(&rw);
    return NULL;
}

DEATH_CASE(inversion_rwmutex) {
    join(spawn(rlock_then_a, NULL));
    gs_mutex_lock(&ma);
    gs_rwmutex_lock(&rw);
    gs_rwmutex_unlock(&rw);
    gs_mutex_unlock(&ma);
}

/* A race between two threads that each use gosync locks, but different ones, in between: the
 * debug checker's and the shim's internal mutexes must not order them. */
static long racy;
static _Atomic int written; /* relaxed: TSan derives no order from it */
static gs_mutex m1, m2;

static void *write_then_lock(void *p) {
    bool debug = p != NULL;
    racy = 1;
    if (debug)
        debug_lock_unlock(&m1);
    else {
        gs_mutex_lock(&m1);
        gs_mutex_unlock(&m1);
    }
    atomic_store_explicit(&written, 1, memory_order_relaxed);
    return NULL;
}

static void race_behind_locks(bool debug) {
    pthread_t t = spawn(write_then_lock, debug ? (void *)1 : NULL);
    while (!atomic_load_explicit(&written, memory_order_relaxed))
        sched_yield();
    if (debug)
        debug_lock_unlock(&m2);
    else {
        gs_mutex_lock(&m2);
        gs_mutex_unlock(&m2);
    }
    printf("racy = %ld\n", racy);
    join(t);
}

DEATH_CASE(race_still_seen) { race_behind_locks(false); }
DEATH_CASE(race_still_seen_debug_mode) { race_behind_locks(true); }

TEST(TestTSanReports) {
    setenv("TSAN_OPTIONS", "halt_on_error=1:abort_on_error=1:detect_deadlocks=1", 1);
    EXPECT_DEATH(double_unlock, "ThreadSanitizer: unlock of an unlocked mutex");
    EXPECT_DEATH(double_write_unlock, "ThreadSanitizer: unlock of an unlocked mutex");
    EXPECT_DEATH(inversion, "ThreadSanitizer: lock-order-inversion (potential deadlock)");
    EXPECT_DEATH(inversion_rwmutex, "ThreadSanitizer: lock-order-inversion (potential deadlock)");
    EXPECT_DEATH(race_still_seen, "ThreadSanitizer: data race");
    EXPECT_DEATH(race_still_seen_debug_mode, "ThreadSanitizer: data race");
}

/* ---- Go's rules: no report ---- */

static void *unlock_it(void *p) {
    gs_mutex_unlock((gs_mutex *)p);
    return NULL;
}

static void *runlock_it(void *p) {
    gs_rwmutex_runlock((gs_rwmutex *)p);
    return NULL;
}

/* Unlocks a lock another thread holds, then uses it itself before that thread does anything
 * else: the tool must not take it for a second owner. */
static void *unlock_then_relock(void *p) {
    gs_mutex *mu = (gs_mutex *)p;
    gs_mutex_unlock(mu);
    gs_mutex_lock(mu);
    gs_mutex_unlock(mu);
    return NULL;
}

static void *runlock_then_write(void *p) {
    gs_rwmutex *r = (gs_rwmutex *)p;
    gs_rwmutex_runlock(r);
    gs_rwmutex_lock(r);
    gs_rwmutex_unlock(r);
    gs_rwmutex_lock(r); /* still write-held when the original reader comes back */
    return NULL;
}

static void *lock_and_exit(void *p) {
    gs_mutex_lock((gs_mutex *)p);
    return NULL;
}

static void *rlock_and_exit(void *p) {
    gs_rwmutex_rlock((gs_rwmutex *)p);
    return NULL;
}

typedef struct {
    gs_mutex mu;
    long data;
} box;

static void *unlock_and_free(void *p) {
    box *b = (box *)p;
    b->data++; /* ordered after the locker by the spawn, before the next locker by unlock */
    gs_mutex_unlock(&b->mu);
    free(b);
    return NULL;
}

TEST(TestGoRulesNoReport) {
    /* Cross-thread unlock, many times from one locker (TSan's per-thread lock sets are
     * bounded: a stale hold per round would overflow them). */
    static box shared;
    for (int i = 0; i < 200; i++) {
        gs_mutex_lock(&shared.mu);
        shared.data++;
        join(spawn(unlock_it, &shared.mu));
        gs_mutex_lock(&shared.mu); /* and again by the original locker */
        shared.data++;
        gs_mutex_unlock(&shared.mu);
    }
    /* Cross-thread runlock, then a writer. */
    gs_rwmutex r = GS_RWMUTEX_INIT;
    for (int i = 0; i < 100; i++) {
        gs_rwmutex_rlock(&r);
        join(spawn(runlock_it, &r));
        gs_rwmutex_lock(&r);
        shared.data++;
        gs_rwmutex_unlock(&r);
        gs_rwmutex_rlock(&r);
        gs_rwmutex_runlock(&r);
    }
    /* The unlocking thread takes the lock next. */
    for (int i = 0; i < 100; i++) {
        gs_mutex_lock(&shared.mu);
        join(spawn(unlock_then_relock, &shared.mu));
        gs_rwmutex_rlock(&r);
        join(spawn(runlock_then_write, &r));
        gs_rwmutex_unlock(&r); /* this thread's first gosync call since: its late releases */
        gs_mutex_lock(&shared.mu);
        gs_mutex_unlock(&shared.mu);
    }
    /* Many read holds by one thread (TSan's deadlock detector keeps 64 per thread), some
     * released by another thread. */
    for (int i = 0; i < 1000; i++)
        gs_rwmutex_rlock(&r);
    for (int i = 0; i < 10; i++)
        join(spawn(runlock_it, &r));
    for (int i = 0; i < 990; i++)
        gs_rwmutex_runlock(&r);
    gs_rwmutex_lock(&r);
    gs_rwmutex_unlock(&r);
    /* A thread exits holding a lock; another unlocks it. */
    for (int i = 0; i < 100; i++) {
        join(spawn(lock_and_exit, &shared.mu));
        gs_mutex_unlock(&shared.mu);
        gs_mutex_lock(&shared.mu);
        gs_mutex_unlock(&shared.mu);
        join(spawn(rlock_and_exit, &r));
        gs_rwmutex_runlock(&r);
        gs_rwmutex_lock(&r);
        gs_rwmutex_unlock(&r);
    }
    /* Lock, hand over, the other thread unlocks and frees; this thread goes on locking. */
    for (int i = 0; i < 100; i++) {
        box *b = (box *)calloc(1, sizeof *b);
        gs_mutex_lock(&b->mu);
        join(spawn(unlock_and_free, b));
        gs_mutex_lock(&ma);
        gs_mutex_unlock(&ma);
    }
    /* The same two locks in one order, with cross-thread unlocks in between: no inversion. */
    for (int i = 0; i < 50; i++) {
        gs_mutex_lock(&ma);
        gs_mutex_lock(&mb);
        join(spawn(unlock_it, &mb));
        gs_mutex_unlock(&ma);
    }
    CHECK_EQ(shared.data, 500);
}

/* gs_debug_forget is the destroy call TSan never gets otherwise: without it, a new lock at a
 * reused address would inherit the old one's lock order. */
TEST(TestForgetIsDestroy) {
    static gs_mutex pair[2];
    for (int round = 0; round < 4; round++) {
        gs_mutex *first = &pair[round % 2], *second = &pair[1 - round % 2];
        gs_mutex_lock(first);
        gs_mutex_lock(second);
        gs_mutex_unlock(second);
        gs_mutex_unlock(first);
        gs_debug_forget(pair, sizeof pair);
    }
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestTSanReports);
    unsetenv("TSAN_OPTIONS"); /* back to the suite's (any report fails the test) */
    RUN(TestGoRulesNoReport);
    RUN(TestForgetIsDestroy);
    return 0;
}
