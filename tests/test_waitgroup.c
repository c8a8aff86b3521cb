/* tests/test_waitgroup.c: gs_waitgroup. Ports of Go's sync tests name the test they follow. */
#include <gosync.h>

#include <semaphore.h>

#include "harness.h"

_Static_assert(sizeof(gs_waitgroup) <= 16, "gs_waitgroup is at most 16 bytes");

/* In ASan builds, keep stack frames of returned functions poisoned for a while (fake
 * stacks), so that a done touching a WaitGroup on a waiter's dead frame is reported. */
__attribute__((used)) const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_stack_use_after_return=1"; }

/* ---- Go: TestWaitGroup (reuse as a barrier, 8 rounds) ---- */

typedef struct {
    gs_waitgroup *wg1, *wg2;
    sem_t exited;
} barrier_arg;

static void *barrier_worker(void *p) {
    barrier_arg *b = (barrier_arg *)p;
    gs_waitgroup_done(b->wg1);
    gs_waitgroup_wait(b->wg2);
    sem_post(&b->exited);
    return NULL;
}

static void test_waitgroup(gs_waitgroup *wg1, gs_waitgroup *wg2) {
    enum { n = 16 };
    barrier_arg b = {wg1, wg2, {{0}}};
    sem_init(&b.exited, 0, 0);
    gs_waitgroup_add(wg1, n);
    gs_waitgroup_add(wg2, n);
    pthread_t t[n];
    for (int i = 0; i < n; i++)
        t[i] = spawn(barrier_worker, &b);
    gs_waitgroup_wait(wg1);
    for (int i = 0; i < n; i++) {
        if (sem_trywait(&b.exited) == 0)
            GS_T_FAIL("WaitGroup released group too soon");
        gs_waitgroup_done(wg2);
    }
    for (int i = 0; i < n; i++)
        while (sem_wait(&b.exited) != 0) {
        }
    for (int i = 0; i < n; i++)
        join(t[i]);
    sem_destroy(&b.exited);
}

TEST(TestWaitGroup) {
    gs_waitgroup wg1 = GS_WAITGROUP_INIT, wg2 = GS_WAITGROUP_INIT;
    for (int i = 0; i != 8; i++)
        test_waitgroup(&wg1, &wg2);
}

/* ---- Go: TestWaitGroupMisuse, and the counter's bounds ---- */

DEATH_CASE(done_twice) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, 1);
    gs_waitgroup_done(&wg);
    gs_waitgroup_done(&wg);
}

DEATH_CASE(done_on_zero) {
    static gs_waitgroup wg;
    gs_waitgroup_done(&wg);
}

DEATH_CASE(add_below_zero) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, 3);
    gs_waitgroup_add(&wg, -4);
}

DEATH_CASE(add_int64_min) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, 5);
    gs_waitgroup_add(&wg, INT64_MIN);
}

DEATH_CASE(add_overflow) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, INT32_MAX);
    gs_waitgroup_add(&wg, 1);
}

DEATH_CASE(add_int64_max) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, INT64_MAX);
}

DEATH_CASE(add_int32_max_plus_one) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, (int64_t)INT32_MAX + 1);
}

TEST(TestWaitGroupMisuse) {
    EXPECT_DEATH(done_twice, "gosync: negative WaitGroup counter");
    EXPECT_DEATH(done_on_zero, "gosync: negative WaitGroup counter");
    EXPECT_DEATH(add_below_zero, "gosync: negative WaitGroup counter");
    EXPECT_DEATH(add_int64_min, "gosync: negative WaitGroup counter");
    EXPECT_DEATH(add_overflow, "gosync: WaitGroup counter overflow");
    EXPECT_DEATH(add_int64_max, "gosync: WaitGroup counter overflow");
    EXPECT_DEATH(add_int32_max_plus_one, "gosync: WaitGroup counter overflow");
}

/* The whole range in both directions. */
TEST(TestWaitGroupLargeDeltas) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, INT32_MAX);
    CHECK(!gs_waitgroup_wait_timeout(&wg, 0));
    gs_waitgroup_add(&wg, -(int64_t)INT32_MAX + 2);
    gs_waitgroup_add(&wg, 0);
    CHECK(!gs_waitgroup_wait_timeout(&wg, 0));
    gs_waitgroup_done(&wg);
    gs_waitgroup_add(&wg, -1);
    gs_waitgroup_wait(&wg);
    CHECK(gs_waitgroup_wait_timeout(&wg, 0));
}

/* A negative add that takes the counter to 0 releases sleeping waiters, as done does. */
static void *add_minus_two_later(void *p) {
    sleep_ns(20000000);
    gs_waitgroup_add((gs_waitgroup *)p, -2);
    return NULL;
}

static void *plain_waiter(void *p) {
    gs_waitgroup_wait((gs_waitgroup *)p);
    return NULL;
}

TEST(TestWaitGroupNegativeAddReleases) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, 2);
    pthread_t w = spawn(plain_waiter, &wg);
    pthread_t t = spawn(add_minus_two_later, &wg);
    CHECK(gs_waitgroup_wait_timeout(&wg, 60LL * 1000000000));
    join(t);
    join(w);
}

/* ---- Go: TestWaitGroupMisuse2/3, made deterministic enough to expect the fatal error ----
 * A waiter sleeps; the final done releases it and at once a new round starts, before the
 * waiter can have returned. Each try is a valid scenario whichever way it goes, and the
 * waiter notices the reuse in practically every one. */

static void *reuse_waiter(void *p) {
    gs_waitgroup_wait((gs_waitgroup *)p);
    return NULL;
}

DEATH_CASE(reuse_before_wait_returned) {
    for (int i = 0; i < 1000; i++) {
        gs_waitgroup *wg = (gs_waitgroup *)calloc(1, sizeof *wg);
        gs_waitgroup_add(wg, 1);
        pthread_t t = spawn(reuse_waiter, wg);
        sleep_ns(1000000); /* let it sleep */
        gs_waitgroup_done(wg);
        gs_waitgroup_add(wg, 1); /* the bad guy */
        gs_waitgroup_done(wg);
        join(t);
        free(wg);
    }
}

TEST(TestWaitGroupMisuseReuse) {
    EXPECT_DEATH(reuse_before_wait_returned,
                 "gosync: WaitGroup is reused before previous Wait has returned");
}

/* ---- Go: TestWaitGroupRace ---- */

typedef struct {
    gs_waitgroup *wg;
    _Atomic int *n;
} race_arg;

static void *race_worker(void *p) {
    race_arg *r = (race_arg *)p;
    (*r->n)++;
    gs_waitgroup_done(r->wg);
    return NULL;
}

TEST(TestWaitGroupRace) {
    for (long i = 0; i < scaled(1000); i++) {
        gs_waitgroup wg = GS_WAITGROUP_INIT;
        _Atomic int n = 0;
        race_arg r = {&wg, &n};
        gs_waitgroup_add(&wg, 1);
        pthread_t t1 = spawn(race_worker, &r);
        gs_waitgroup_add(&wg, 1);
        pthread_t t2 = spawn(race_worker, &r);
        gs_waitgroup_wait(&wg);
        if (n != 2)
            GS_T_FAIL("Spurious wakeup from Wait");
        join(t1);
        join(t2);
    }
}

/* ---- Go: TestWaitGroupAlign ---- */

typedef struct {
    char x;
    gs_waitgroup wg;
} align_arg;

static void *align_done(void *p) {
    gs_waitgroup_done(&((align_arg *)p)->wg);
    return NULL;
}

TEST(TestWaitGroupAlign) {
    align_arg x = {0, GS_WAITGROUP_INIT};
    gs_waitgroup_add(&x.wg, 1);
    pthread_t t = spawn(align_done, &x);
    gs_waitgroup_wait(&x.wg);
    join(t);
}

/* ---- timeouts ---- */

typedef struct {
    gs_waitgroup *wg;
    int64_t delay_ns;
} delayed_arg;

static void *delayed_done(void *p) {
    delayed_arg *d = (delayed_arg *)p;
    sleep_ns(d->delay_ns);
    gs_waitgroup_done(d->wg);
    return NULL;
}

TEST(TestWaitGroupWaitTimeout) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    /* counter 0: true at once, whatever the timeout */
    CHECK(gs_waitgroup_wait_timeout(&wg, 0));
    CHECK(gs_waitgroup_wait_timeout(&wg, -1));
    CHECK(gs_waitgroup_wait_timeout(&wg, 1000000));

    gs_waitgroup_add(&wg, 1);
    /* never earlier than asked */
    for (int64_t ms = 1; ms <= 64; ms *= 4) {
        int64_t start = now_ns();
        CHECK(!gs_waitgroup_wait_timeout(&wg, ms * 1000000));
        CHECK_GE(now_ns() - start, ms * 1000000);
    }
    /* <= 0 never blocks (generous bound: it is one load) */
    int64_t start = now_ns();
    CHECK(!gs_waitgroup_wait_timeout(&wg, 0));
    CHECK(!gs_waitgroup_wait_timeout(&wg, INT64_MIN));
    CHECK_LT(now_ns() - start, 500000000);
    /* released while it waits: true */
    delayed_arg d = {&wg, 20000000};
    pthread_t t = spawn(delayed_done, &d);
    CHECK(gs_waitgroup_wait_timeout(&wg, 60LL * 1000000000));
    join(t);
    /* a huge timeout does not overflow */
    gs_waitgroup_add(&wg, 1);
    t = spawn(delayed_done, &d);
    CHECK(gs_waitgroup_wait_timeout(&wg, INT64_MAX));
    join(t);
    /* timed-out waiters leave the WaitGroup usable for plain waits */
    gs_waitgroup_add(&wg, 1);
    CHECK(!gs_waitgroup_wait_timeout(&wg, 1000000));
    t = spawn(delayed_done, &d);
    gs_waitgroup_wait(&wg);
    join(t);
}

/* ---- destruction safety ----
 * The WaitGroup lives in the waiter's stack frame, and the waiter returns (its frame is
 * reused, or, in ASan builds, poisoned) as soon as wait returns, while the thread that
 * called done may still be running. A done that touched the WaitGroup after releasing the
 * waiter would write into a dead frame: ASan reports it; elsewhere it scribbles on the
 * next frame, which the waiter checks. */

static _Atomic long finishers_left;

static void *finisher(void *p) {
    gs_waitgroup_done((gs_waitgroup *)p);
    finishers_left--; /* not the WaitGroup: a global */
    return NULL;
}

static __attribute__((noinline)) void wait_on_stack(long i) {
    gs_waitgroup wg = GS_WAITGROUP_INIT;
    gs_waitgroup_add(&wg, 1);
    pthread_t t = spawn(finisher, &wg);
    pthread_detach(t);
    if (i % 2)
        sleep_ns(20000); /* let it sleep in the slow path sometimes */
    if (i % 3 == 0)
        CHECK(gs_waitgroup_wait_timeout(&wg, 60LL * 1000000000));
    else
        gs_waitgroup_wait(&wg);
}

static __attribute__((noinline)) void reuse_frame(long i) {
    volatile uint64_t words[8];
    for (int k = 0; k < 8; k++)
        words[k] = (uint64_t)i * 0x9e3779b97f4a7c15ull + (uint64_t)k;
    sched_yield();
    for (int k = 0; k < 8; k++)
        if (words[k] != (uint64_t)i * 0x9e3779b97f4a7c15ull + (uint64_t)k)
            GS_T_FAIL("a dead WaitGroup's frame was written after its wait returned");
}

TEST(TestWaitGroupOnWaiterStack) {
    long n = scaled(2000);
    finishers_left = n;
    for (long i = 0; i < n; i++) {
        wait_on_stack(i);
        reuse_frame(i);
    }
    while (finishers_left > 0)
        sleep_ns(1000000);
}

/* The same with the WaitGroup freed by the waiter right after wait returns. */
TEST(TestWaitGroupFreeAfterWait) {
    long n = scaled(2000);
    finishers_left = n;
    for (long i = 0; i < n; i++) {
        gs_waitgroup *wg = (gs_waitgroup *)calloc(1, sizeof *wg);
        gs_waitgroup_add(wg, 1);
        pthread_t t = spawn(finisher, wg);
        pthread_detach(t);
        if (i % 2)
            sleep_ns(20000);
        gs_waitgroup_wait(wg);
        free(wg);
    }
    while (finishers_left > 0)
        sleep_ns(1000000);
}

/* ---- stress: fan-out/fan-in rounds, 64 workers and 8 waiters on 2 CPUs ---- */

enum { STRESS_WORKERS = 64, STRESS_WAITERS = 8 };

typedef struct {
    gs_waitgroup wg;
    long results[STRESS_WORKERS]; /* plain data, written before done */
    long round;
} stress_arg;

static void check_results(stress_arg *s) {
    for (int i = 0; i < STRESS_WORKERS; i++)
        if (s->results[i] != s->round * 1000 + i)
            GS_T_FAIL("round %ld: worker %d's result not visible after wait", s->round, i);
}

static void stress_thread(void *p, int index) {
    stress_arg *s = (stress_arg *)p;
    if (index < STRESS_WORKERS) {
        /* Extra tasks of its own: the counter never drops to 0 while this one runs. */
        for (int k = 0; k < 1 + index % 5; k++) {
            gs_waitgroup_add(&s->wg, 2);
            if (index % 7 == 0)
                sched_yield();
            gs_waitgroup_done(&s->wg);
            gs_waitgroup_add(&s->wg, -1);
        }
        s->results[index] = s->round * 1000 + index;
        gs_waitgroup_done(&s->wg);
    } else if (index % 2) {
        gs_waitgroup_wait(&s->wg);
        check_results(s);
    } else {
        while (!gs_waitgroup_wait_timeout(&s->wg, 1000 + index * 5000)) {
        }
        check_results(s);
    }
}

TEST(TestWaitGroupStress72) {
    stress_arg *s = (stress_arg *)calloc(1, sizeof *s);
    for (s->round = 1; s->round <= scaled(30); s->round++) {
        gs_waitgroup_add(&s->wg, STRESS_WORKERS);
        run_threads(STRESS_WORKERS + STRESS_WAITERS, stress_thread, s);
        gs_waitgroup_wait(&s->wg);
        check_results(s);
    }
    free(s);
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestWaitGroup);
    RUN(TestWaitGroupMisuse);
    RUN(TestWaitGroupLargeDeltas);
    RUN(TestWaitGroupNegativeAddReleases);
    RUN(TestWaitGroupMisuseReuse);
    RUN(TestWaitGroupRace);
    RUN(TestWaitGroupAlign);
    RUN(TestWaitGroupWaitTimeout);
    RUN(TestWaitGroupOnWaiterStack);
    RUN(TestWaitGroupFreeAfterWait);
    RUN(TestWaitGroupStress72);
    return 0;
}
