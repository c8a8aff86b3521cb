/* tests/test_locker.c: gs_locker (Go's Locker / RLocker) and the GS_GUARD / GS_RGUARD guards. */
#include <gosync.h>

#include "harness.h"

static gs_mutex mu;
static gs_rwmutex rw;

static bool mutex_free(void) {
    if (!gs_mutex_trylock(&mu))
        return false;
    gs_mutex_unlock(&mu);
    return true;
}

static bool rw_free(void) {
    if (!gs_rwmutex_trylock(&rw))
        return false;
    gs_rwmutex_unlock(&rw);
    return true;
}

TEST(TestLockerValues) {
    gs_locker l = gs_mutex_locker(&mu);
    CHECK(l.self == &mu);
    gs_locker_lock(l);
    CHECK(!mutex_free());
    gs_locker_unlock(l);
    CHECK(mutex_free());

    gs_locker w = gs_rwmutex_locker(&rw);
    gs_locker_lock(w);
    CHECK(!gs_rwmutex_tryrlock(&rw)); /* write side: excludes readers */
    gs_locker_unlock(w);

    gs_locker r = gs_rwmutex_rlocker(&rw);
    gs_locker_lock(r);
    gs_locker_lock(r); /* read side: shared */
    CHECK(!gs_rwmutex_trylock(&rw));
    gs_locker_unlock(r);
    gs_locker_unlock(r);
    CHECK(rw_free());
}

/* ---- guards: every way out of a block releases ---- */

static int guarded_return(int x) {
    GS_GUARD(&mu);
    CHECK(!gs_mutex_trylock(&mu)); /* held inside the block */
    if (x > 0)
        return x * 2; /* early return */
    return -1;
}

TEST(TestGuardReturn) {
    CHECK_EQ(guarded_return(3), 6);
    CHECK(mutex_free());
    CHECK_EQ(guarded_return(-3), -1);
    CHECK(mutex_free());
}

TEST(TestGuardHeldInside) {
    {
        GS_GUARD(&mu);
        CHECK(!gs_mutex_trylock(&mu));
    }
    CHECK(mutex_free());
}

TEST(TestGuardBreakContinue) {
    int iterations = 0;
    for (int i = 0; i < 10; i++) {
        GS_GUARD(&mu);
        CHECK(!gs_mutex_trylock(&mu));
        iterations++;
        if (i % 2 == 0)
            continue; /* released before the next iteration locks again */
        if (i == 5)
            break; /* released on the way out */
    }
    CHECK_EQ(iterations, 6);
    CHECK(mutex_free());
}

TEST(TestGuardGoto) {
    int n = 0;
again : {
    GS_GUARD(&mu);
    CHECK(!gs_mutex_trylock(&mu));
    if (++n < 3)
        goto again; /* leaves the block: released, then locked again */
    goto out;
}
out:
    CHECK_EQ(n, 3);
    CHECK(mutex_free());
}

TEST(TestGuardNested) {
    gs_mutex inner = GS_MUTEX_INIT;
    {
        GS_GUARD(&mu);
        {
            GS_GUARD(&inner);
            CHECK(!gs_mutex_trylock(&inner));
            CHECK(!gs_mutex_trylock(&mu));
        }
        CHECK(gs_mutex_trylock(&inner)); /* inner released at its block's end */
        gs_mutex_unlock(&inner);
        CHECK(!gs_mutex_trylock(&mu)); /* outer still held */
    }
    CHECK(mutex_free());
}

static int read_guarded(int x) {
    GS_RGUARD(&rw);
    CHECK(!gs_rwmutex_trylock(&rw)); /* a reader holds it */
    CHECK(gs_rwmutex_tryrlock(&rw)); /* readers share */
    gs_rwmutex_runlock(&rw);
    if (x)
        return 1;
    return 0;
}

TEST(TestGuardRWMutex) {
    {
        GS_GUARD(&rw); /* write side, by _Generic dispatch on gs_rwmutex* */
        CHECK(!gs_rwmutex_tryrlock(&rw));
    }
    CHECK(rw_free());
    CHECK_EQ(read_guarded(1), 1);
    CHECK(rw_free());
    CHECK_EQ(read_guarded(0), 0);
    CHECK(rw_free());
}

/* Guards from many threads: the guarded counter is exact. */
static long counter;
static void guard_worker(void *p, int index) {
    (void)p;
    (void)index;
    for (long i = 0; i < scaled(20000); i++) {
        GS_GUARD(&mu);
        counter++;
    }
}

TEST(TestGuardThreads) {
    run_threads(16, guard_worker, NULL);
    CHECK_EQ(counter, 16 * scaled(20000));
    CHECK(mutex_free());
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestLockerValues);
    RUN(TestGuardReturn);
    RUN(TestGuardHeldInside);
    RUN(TestGuardBreakContinue);
    RUN(TestGuardGoto);
    RUN(TestGuardNested);
    RUN(TestGuardRWMutex);
    RUN(TestGuardThreads);
    return 0;
}
