/* tests/test_once.c: gs_once. Ports of Go's sync tests name the test they follow. */
#include <gosync.h>

#include <setjmp.h>
#include <semaphore.h>

#include "harness.h"

_Static_assert(sizeof(gs_once) == 8, "gs_once is 8 bytes");

static void must_not_run(void *arg) {
    (void)arg;
    GS_T_FAIL("Once called twice");
}

static void noop(void *arg) { (void)arg; }

/* ---- Go: TestOnce ---- */

typedef struct {
    gs_once once;
    int value; /* written by fn only, read after gs_once_do returns */
} once_arg;

static void increment(void *p) { ((once_arg *)p)->value++; }

static void once_run(void *p, int index) {
    (void)index;
    once_arg *a = (once_arg *)p;
    gs_once_do(&a->once, increment, a);
    if (a->value != 1)
        GS_T_FAIL("once failed inside run: %d is not 1", a->value);
}

TEST(TestOnce) {
    once_arg a = {GS_ONCE_INIT, 0};
    run_threads(10, once_run, &a);
    CHECK_EQ(a.value, 1);
}

/* ---- Go: TestOncePanic, with longjmp for panic ---- */

static jmp_buf panic_jb;
static int panic_calls;

static void panicky(void *arg) {
    (void)arg;
    panic_calls++;
    longjmp(panic_jb, 1);
}

TEST(TestOncePanic) {
    static gs_once once;
    for (volatile int i = 0; i < 2; i++) {
        if (setjmp(panic_jb) == 0) {
            gs_once_do(&once, panicky, NULL);
            if (i == 0)
                GS_T_FAIL("Once.Do has not escaped on first iteration");
        } else if (i == 1) {
            GS_T_FAIL("Once.Do has escaped on second iteration");
        }
    }
    gs_once_do(&once, noop, NULL);
    gs_once_do(&once, must_not_run, NULL);
    CHECK_EQ(panic_calls, 1);
}

/* ---- recursion is fatal ---- */

static gs_once recursive_once;

static void recurse(void *arg) {
    (void)arg;
    gs_once_do(&recursive_once, noop, NULL);
}

DEATH_CASE(recursive_do) { gs_once_do(&recursive_once, recurse, NULL); }

/* Two levels down, with another Once in between: still recursion on the first. */
static gs_once outer_once, inner_once;
static void inner_recurse(void *arg) {
    (void)arg;
    gs_once_do(&outer_once, noop, NULL);
}
static void outer_fn(void *arg) {
    (void)arg;
    gs_once_do(&inner_once, inner_recurse, NULL);
}

DEATH_CASE(recursive_do_nested) { gs_once_do(&outer_once, outer_fn, NULL); }

TEST(TestOnceRecursive) {
    EXPECT_DEATH(recursive_do, "gosync: recursive Once.Do");
    EXPECT_DEATH(recursive_do_nested, "gosync: recursive Once.Do");
}

/* ---- nesting on different Onces is fine ---- */

typedef struct {
    gs_once a, b, c;
    int na, nb, nc;
} nested_arg;

static void fn_c(void *p) { ((nested_arg *)p)->nc++; }
static void fn_b(void *p) {
    nested_arg *n = (nested_arg *)p;
    n->nb++;
    gs_once_do(&n->c, fn_c, n);
}
static void fn_a(void *p) {
    nested_arg *n = (nested_arg *)p;
    n->na++;
    gs_once_do(&n->b, fn_b, n);
    gs_once_do(&n->c, must_not_run, n);
}

static void nested_worker(void *p, int index) {
    nested_arg *n = (nested_arg *)p;
    if (index % 2)
        gs_once_do(&n->c, fn_c, n);
    gs_once_do(&n->a, fn_a, n);
    CHECK_EQ(n->na + n->nb + n->nc, 3);
}

TEST(TestOnceNested) {
    for (int round = 0; round < 50; round++) {
        nested_arg n;
        memset(&n, 0, sizeof n);
        run_threads(4, nested_worker, &n);
        CHECK_EQ(n.na, 1);
        CHECK_EQ(n.nb, 1);
        CHECK_EQ(n.nc, 1);
    }
}

/* ---- fn escapes while other threads wait: they are released ---- */

typedef struct {
    gs_once once;
    sem_t started; /* posted by fn */
    sem_t waiting; /* posted by main once the waiters are spawned */
    _Atomic int released;
    int calls;
    int how; /* 0: the runner calls gs_once_do again; 1: it just exits; 2: pthread_exit */
    jmp_buf jb;
} escape_arg;

#define ESCAPE_WAITERS 4

static void escape_fn(void *p) {
    escape_arg *a = (escape_arg *)p;
    a->calls++;
    sem_post(&a->started);
    while (sem_wait(&a->waiting) != 0) {
    }
    sleep_ns(20000000); /* let the waiters block */
    if (a->how == 2)
        pthread_exit(NULL);
    longjmp(a->jb, 1);
}

static void *escape_runner(void *p) {
    escape_arg *a = (escape_arg *)p;
    if (setjmp(a->jb) == 0) {
        gs_once_do(&a->once, escape_fn, a);
        GS_T_FAIL("fn did not escape");
    }
    /* Escaped, and not yet noticed: the waiters must still be blocked. */
    sleep_ns(20000000);
    CHECK_EQ(a->released, 0);
    if (a->how == 0) {
        gs_once_do(&a->once, must_not_run, NULL); /* notices the escape, returns */
        CHECK_EQ(a->calls, 1);
    }
    return NULL; /* how == 1: noticed at thread exit */
}

static void *escape_waiter(void *p) {
    escape_arg *a = (escape_arg *)p;
    gs_once_do(&a->once, must_not_run, NULL);
    a->released++;
    return NULL;
}

static void escape_case(int how) {
    escape_arg *a = (escape_arg *)calloc(1, sizeof *a);
    a->how = how;
    sem_init(&a->started, 0, 0);
    sem_init(&a->waiting, 0, 0);
    pthread_t runner = spawn(escape_runner, a);
    while (sem_wait(&a->started) != 0) {
    }
    pthread_t w[ESCAPE_WAITERS];
    for (int i = 0; i < ESCAPE_WAITERS; i++)
        w[i] = spawn(escape_waiter, a);
    sem_post(&a->waiting);
    join(runner);
    int64_t deadline = now_ns() + 10000000000LL;
    while (a->released < ESCAPE_WAITERS && now_ns() < deadline)
        sleep_ns(1000000);
    if (a->released < ESCAPE_WAITERS)
        GS_T_FAIL("escape %d: only %d of %d waiters released in 10 s", how, (int)a->released,
                  ESCAPE_WAITERS);
    for (int i = 0; i < ESCAPE_WAITERS; i++)
        join(w[i]);
    gs_once_do(&a->once, must_not_run, NULL);
    CHECK_EQ(a->calls, 1);
    sem_destroy(&a->started);
    sem_destroy(&a->waiting);
    free(a);
}

TEST(TestOnceEscapeRecall) { escape_case(0); }
TEST(TestOnceEscapeThreadExit) { escape_case(1); }
TEST(TestOncePthreadExit) { escape_case(2); }

/* After an escape, a call made deeper in the stack than the escaped one, over memory that
 * has been reused since, is not mistaken for recursion. The escape happens under a frame
 * with a 512-byte local, the later call under an 8 KiB local that is written all over (not
 * instrumented by ASan, whose redzones would leave holes in it). */
static jmp_buf deep_jb;

static void escape_to_deep_jb(void *arg) {
    (void)arg;
    longjmp(deep_jb, 1);
}

static __attribute__((noinline)) void escape_from_depth(gs_once *o) {
    volatile char pad[512];
    pad[0] = 1;
    gs_once_do(o, escape_to_deep_jb, NULL);
    (void)pad[0];
}

static __attribute__((noinline, no_sanitize("address"))) void call_over_reused_stack(gs_once *o) {
    volatile char scrub[8192];
    for (size_t i = 0; i < sizeof scrub; i++)
        scrub[i] = (char)(i * 7 + 1);
    gs_once_do(o, must_not_run, NULL);
    (void)scrub[0];
}

TEST(TestOnceEscapeThenDeeperCall) {
    static gs_once once;
    if (setjmp(deep_jb) == 0) {
        escape_from_depth(&once);
        GS_T_FAIL("fn did not escape");
    }
    call_over_reused_stack(&once);
    gs_once_do(&once, must_not_run, NULL);
}

/* The same, with the later call shallower than the escaped one: decided by frame depth. */
TEST(TestOnceEscapeThenShallowerCall) {
    static gs_once once;
    if (setjmp(deep_jb) == 0) {
        escape_from_depth(&once);
        GS_T_FAIL("fn did not escape");
    }
    gs_once_do(&once, must_not_run, NULL);
}

/* An escape is also noticed by a call on another Once made at the same depth: a waiter on
 * the escaped Once is released although its runner never calls it again. */
static jmp_buf other_jb;
static pthread_t other_waiter_thread;

static void *other_waiter(void *p) {
    gs_once_do((gs_once *)p, must_not_run, NULL);
    return NULL;
}

static void escape_to_other_jb(void *p) {
    other_waiter_thread = spawn(other_waiter, p); /* fn is running: it waits */
    sleep_ns(20000000);                           /* let it block */
    longjmp(other_jb, 1);
}

TEST(TestOnceEscapeNoticedByOtherOnce) {
    static gs_once escaped, fresh;
    if (setjmp(other_jb) == 0) {
        gs_once_do(&escaped, escape_to_other_jb, &escaped);
        GS_T_FAIL("fn did not escape");
    }
    gs_once_do(&fresh, noop, NULL);
    join(other_waiter_thread);
}

/* ---- zero value, GS_ONCE_INIT, the out-of-line function ---- */

static gs_once static_once;
static int static_calls;
static void count_static(void *arg) {
    (void)arg;
    static_calls++;
}

TEST(TestOnceZeroValueAndInit) {
    gs_once_do(&static_once, count_static, NULL);
    gs_once_do(&static_once, must_not_run, NULL);
    CHECK_EQ(static_calls, 1);
    /* the out-of-line function, as a program taking its address would call it */
    once_arg a = {GS_ONCE_INIT, 0};
    void (*do_fn)(gs_once *, void (*)(void *), void *) = gs_once_do;
    do_fn(&a.once, increment, &a);
    do_fn(&a.once, must_not_run, NULL);
    gs_once_do(&a.once, must_not_run, NULL);
    CHECK_EQ(a.value, 1);
    once_arg *heap = (once_arg *)calloc(1, sizeof *heap);
    gs_once_do(&heap->once, increment, heap);
    gs_once_do(&heap->once, must_not_run, NULL);
    CHECK_EQ(heap->value, 1);
    free(heap);
}

/* ---- stress: many Onces, many more threads than CPUs ---- */

#define STRESS_ONCES 512

typedef struct {
    gs_once once;
    long value; /* plain data published by fn */
    _Atomic int calls;
} stress_slot;

typedef struct {
    stress_slot *slots;
    long rounds;
} stress_arg;

static void stress_init(void *p) {
    stress_slot *s = (stress_slot *)p;
    s->calls++;
    if ((uintptr_t)s % 7 == 0)
        sched_yield(); /* now and then, slow enough that others sleep on it */
    s->value = (long)(uintptr_t)s ^ 0x5a5a;
}

static void stress_worker(void *p, int index) {
    stress_arg *a = (stress_arg *)p;
    for (long r = 0; r < a->rounds; r++) {
        stress_slot *slots = a->slots + r * STRESS_ONCES;
        for (int k = 0; k < STRESS_ONCES; k++) {
            int i = (k * 37 + index * 101) % STRESS_ONCES;
            gs_once_do(&slots[i].once, stress_init, &slots[i]);
            if (slots[i].value != (long)((uintptr_t)&slots[i] ^ 0x5a5a))
                GS_T_FAIL("once %d: fn's write not visible after gs_once_do", i);
        }
    }
}

TEST(TestOnceStress64) {
    stress_arg a;
    a.rounds = scaled(50);
    a.slots = (stress_slot *)calloc((size_t)(a.rounds * STRESS_ONCES), sizeof *a.slots);
    run_threads(64, stress_worker, &a);
    for (long i = 0; i < a.rounds * STRESS_ONCES; i++)
        CHECK_EQ(a.slots[i].calls, 1);
    free(a.slots);
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestOnce);
    RUN(TestOncePanic);
    RUN(TestOnceRecursive);
    RUN(TestOnceNested);
    RUN(TestOnceEscapeRecall);
    RUN(TestOnceEscapeThreadExit);
    RUN(TestOncePthreadExit);
    RUN(TestOnceEscapeThenDeeperCall);
    RUN(TestOnceEscapeThenShallowerCall);
    RUN(TestOnceEscapeNoticedByOtherOnce);
    RUN(TestOnceZeroValueAndInit);
    RUN(TestOnceStress64);
    return 0;
}
