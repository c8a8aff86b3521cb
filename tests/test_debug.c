/* tests/test_debug.c: debug mode (-DGS_DEBUG): every report, the legal cases that must not
 * be reported (Go's rules), warn mode, and stale graph nodes.
 *
 * This file is compiled with GS_DEBUG; tests/test_debug_plain.c, linked in, is not (code
 * that locks without the checker seeing it). Expected messages name sites by line: the calls
 * whose lines matter sit at fixed offsets from an enum constant just above them.
 */
#define GS_DEBUG 1
#include <gosync.h>

#include <ctype.h>
#include <stdarg.h>

#include "harness.h"

/* From test_debug_plain.c (compiled without GS_DEBUG). */
void plain_mutex_lock(gs_mutex *mu);
void plain_mutex_unlock(gs_mutex *mu);
/* Checker statistics (src/debug.c), for the stale-node tests. */
GS_API void gs__debug_stats(uint32_t *nodes, uint32_t *edges);

/* "…/test_debug.c:<line>" as the checker prints it. */
static const char *at(int line) {
    static char buf[8][512];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, sizeof buf[0], "%s:%d", __FILE__, line);
    return b;
}

/* Runs death case `name` in a child (it must abort); returns its stderr (static buffer). */
static const char *death_output(const char *name) {
    static char buf[16384];
    return gs_t_death_output(name, buf, sizeof buf, __FILE__, __LINE__);
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Does `text` contain `pat`, where '@' in pat stands for an address (0x and hex digits) and
 * '#' for a decimal number? */
static bool match_here(const char *t, const char *p) {
    for (; *p; p++, t++) {
        if (*p == '#') {
            if (!isdigit((unsigned char)t[0]))
                return false;
            while (isdigit((unsigned char)t[1]))
                t++;
        } else if (*p == '@') {
            if (t[0] != '0' || t[1] != 'x' || !isxdigit((unsigned char)t[2]))
                return false;
            t += 2;
            while (isxdigit((unsigned char)t[1]))
                t++;
        } else if (*t != *p) {
            return false;
        }
    }
    return true;
}
static bool contains(const char *text, const char *pat) {
    for (; *text; text++)
        if (match_here(text, pat))
            return true;
    return false;
}

/* Runs death case `name` once; it must abort and its stderr must contain every pattern. */
#define EXPECT_REPORT(name, ...)                                                                   \
    do {                                                                                           \
        const char *out_ = death_output(#name);                                                    \
        const char *pats_[] = {__VA_ARGS__};                                                       \
        for (size_t i_ = 0; i_ < sizeof pats_ / sizeof pats_[0]; i_++)                             \
            if (!contains(out_, pats_[i_]))                                                        \
                GS_T_FAIL("death case %s: stderr lacks \"%s\":\n%s", #name, pats_[i_], out_);      \
    } while (0)

static char fmt_buf[8][1024];
static const char *fmt(int slot, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt(int slot, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    /* clang-analyzer 14 reports ap as uninitialized here, one line after va_start. */
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    vsnprintf(fmt_buf[slot], sizeof fmt_buf[slot], f, ap);
    va_end(ap);
    return fmt_buf[slot];
}

/* ---- recursive lock / recursive RLock ---- */

static gs_mutex rec_mu;
enum { REC = __LINE__ };
DEATH_CASE(recursive_lock) {
    gs_mutex_lock(&rec_mu);
    gs_mutex_lock(&rec_mu);
}

static gs_rwmutex rec_rw;
enum { RECW = __LINE__ };
DEATH_CASE(recursive_write_lock) {
    gs_rwmutex_lock(&rec_rw);
    gs_rwmutex_lock(&rec_rw);
}

enum { RECWR = __LINE__ };
DEATH_CASE(write_lock_while_read_holding) {
    gs_rwmutex_rlock(&rec_rw);
    gs_rwmutex_lock(&rec_rw);
}

enum { RECR = __LINE__ };
DEATH_CASE(recursive_rlock) {
    gs_rwmutex_rlock(&rec_rw);
    gs_rwmutex_rlock(&rec_rw);
}

enum { RECRW = __LINE__ };
DEATH_CASE(rlock_while_write_holding) {
    gs_rwmutex_lock(&rec_rw);
    gs_rwmutex_rlock(&rec_rw);
}

enum { RECG = __LINE__ + 1 };
static volatile int one = 1;
DEATH_CASE(recursive_guard) {
    GS_GUARD(&rec_mu);
    if (one) {
        GS_GUARD(&rec_mu);
    }
}

enum { RECT = __LINE__ };
DEATH_CASE(recursive_timed_lock) {
    gs_mutex_lock(&rec_mu);
    gs_mutex_lock_timeout(&rec_mu, 1000000);
}

TEST(TestRecursive) {
    EXPECT_REPORT(recursive_lock, fmt(0, "gosync: recursive lock: %s locks &rec_mu (", at(REC + 3)),
                  fmt(1, "already holds (locked at %s)", at(REC + 2)));
    EXPECT_REPORT(recursive_write_lock,
                  fmt(0, "gosync: recursive lock: %s write-locks &rec_rw (", at(RECW + 3)),
                  fmt(1, "already holds (write-locked at %s)", at(RECW + 2)));
    EXPECT_REPORT(write_lock_while_read_holding,
                  fmt(0, "gosync: recursive lock: %s write-locks &rec_rw (", at(RECWR + 3)),
                  fmt(1, "already holds (read-locked at %s)", at(RECWR + 2)));
    EXPECT_REPORT(recursive_rlock,
                  fmt(0, "gosync: recursive RLock: %s read-locks &rec_rw (", at(RECR + 3)),
                  fmt(1, "already holds (read-locked at %s)", at(RECR + 2)));
    EXPECT_REPORT(rlock_while_write_holding,
                  fmt(0, "gosync: recursive RLock: %s read-locks &rec_rw (", at(RECRW + 3)),
                  fmt(1, "already holds (write-locked at %s)", at(RECRW + 2)));
    /* A guard reports its own line, for the lock it takes. */
    EXPECT_REPORT(recursive_guard,
                  fmt(0, "gosync: recursive lock: %s locks &rec_mu (", at(RECG + 4)),
                  fmt(1, "already holds (locked at %s)", at(RECG + 2)));
    EXPECT_REPORT(recursive_timed_lock,
                  fmt(0, "gosync: recursive lock: %s locks &rec_mu (", at(RECT + 3)));
}

/* ---- lock order inversion ---- */

static gs_mutex ma, mb, mc;
enum { AB = __LINE__ };
static void lock_ab(void) {
    gs_mutex_lock(&ma);
    gs_mutex_lock(&mb);
    gs_mutex_unlock(&mb);
    gs_mutex_unlock(&ma);
}
enum { BC = __LINE__ };
static void lock_bc(void) {
    gs_mutex_lock(&mb);
    gs_mutex_lock(&mc);
    gs_mutex_unlock(&mc);
    gs_mutex_unlock(&mb);
}
enum { CA = __LINE__ };
static void lock_ca(void) {
    gs_mutex_lock(&mc);
    gs_mutex_lock(&ma);
    gs_mutex_unlock(&ma);
    gs_mutex_unlock(&mc);
}
enum { BA = __LINE__ };
static void lock_ba(void) {
    gs_mutex_lock(&mb);
    gs_mutex_lock(&ma);
    gs_mutex_unlock(&ma);
    gs_mutex_unlock(&mb);
}

static void *thread_ab(void *p) {
    (void)p;
    lock_ab();
    return NULL;
}
static void *thread_bc(void *p) {
    (void)p;
    lock_bc();
    return NULL;
}

/* Never deadlocks (the two orders are used one after the other), but could have. */
DEATH_CASE(inversion_one_thread) {
    lock_ab();
    lock_ba();
}

DEATH_CASE(inversion_two_threads) {
    join(spawn(thread_ab, NULL));
    lock_ba();
}

DEATH_CASE(inversion_three_locks) {
    join(spawn(thread_ab, NULL));
    join(spawn(thread_bc, NULL));
    lock_ca();
}

static gs_rwmutex ir;
static gs_mutex im;
enum { RM = __LINE__ };
static void rlock_r_then_m(void) {
    gs_rwmutex_rlock(&ir);
    gs_mutex_lock(&im);
    gs_mutex_unlock(&im);
    gs_rwmutex_runlock(&ir);
}
enum { MR = __LINE__ };
static void lock_m_then_rlock_r(void) {
    gs_mutex_lock(&im);
    gs_rwmutex_rlock(&ir);
    gs_rwmutex_runlock(&ir);
    gs_mutex_unlock(&im);
}

/* Readers deadlock too: a writer queued on ir keeps the second reader out. */
DEATH_CASE(inversion_read_locks) {
    rlock_r_then_m();
    lock_m_then_rlock_r();
}

/* A lock taken with trylock adds edges out of it: holding it while blocking on another lock
 * can deadlock. */
enum { TB = __LINE__ };
DEATH_CASE(inversion_from_trylocked) {
    lock_ab();
    CHECK(gs_mutex_trylock(&mb));
    gs_mutex_lock(&ma);
}

TEST(TestInversion) {
    const char *closing =
        fmt(0, "%s locks &ma (@) while holding &mb (@, locked at %s)", at(BA + 3), at(BA + 2));
    const char *earlier = fmt(1, "earlier %s locked &mb (@) while holding &ma (@, locked at %s)",
                              at(AB + 3), at(AB + 2));
    EXPECT_REPORT(inversion_one_thread,
                  "gosync: lock order inversion (cycle of 2 locks): ", closing, earlier);
    EXPECT_REPORT(inversion_two_threads,
                  "gosync: lock order inversion (cycle of 2 locks): ", closing, earlier);

    /* Every edge of the cycle, with both of its sites, in cycle order. */
    fmt(2,
        "gosync: lock order inversion (cycle of 3 locks): %s locks &ma (@) while holding &mc "
        "(@, locked at %s) in thread 3; earlier %s locked &mb (@) while holding &ma (@, locked "
        "at %s) in thread 1; earlier %s locked &mc (@) while holding &mb (@, locked at %s) in "
        "thread 2\n",
        at(CA + 3), at(CA + 2), at(AB + 3), at(AB + 2), at(BC + 3), at(BC + 2));
    EXPECT_REPORT(inversion_three_locks, fmt_buf[2]);

    EXPECT_REPORT(
        inversion_read_locks,
        fmt(3, "gosync: lock order inversion (cycle of 2 locks): %s locks &ir", at(MR + 3)),
        fmt(4, "earlier %s locked &im", at(RM + 3)));
    EXPECT_REPORT(inversion_from_trylocked,
                  fmt(3,
                      "gosync: lock order inversion (cycle of 2 locks): %s locks &ma (@) "
                      "while holding &mb (@, locked at %s)",
                      at(TB + 4), at(TB + 3)));
}

/* ---- invariants ---- */

typedef struct {
    gs_mutex mu;
    gs_rwmutex rw;
    long balance; /* invariant: >= 0 */
    int checks;   /* how often the invariant ran */
} account;

static bool balance_ok(void *p) {
    account *a = (account *)p;
    a->checks++;
    return a->balance >= 0;
}

static account acc;
enum { INV = __LINE__ };
DEATH_CASE(invariant_mutex) {
    gs_mutex_set_invariant(&acc.mu, balance_ok, &acc);
    gs_mutex_lock(&acc.mu);
    acc.balance -= 100;
    gs_mutex_unlock(&acc.mu);
}

enum { INVW = __LINE__ };
DEATH_CASE(invariant_rwmutex_unlock) {
    gs_rwmutex_set_invariant(&acc.rw, balance_ok, &acc);
    gs_rwmutex_lock(&acc.rw);
    acc.balance = -1;
    gs_rwmutex_unlock(&acc.rw);
}

/* A reader that writes what it should only read. */
enum { INVR = __LINE__ };
DEATH_CASE(invariant_rwmutex_runlock) {
    gs_rwmutex_set_invariant(&acc.rw, balance_ok, &acc);
    gs_rwmutex_rlock(&acc.rw);
    acc.balance = -1;
    gs_rwmutex_runlock(&acc.rw);
}

/* Reported at the unlocking site, also when another thread unlocks. */
static void *unlock_acct(void *p) {
    (void)p;
    gs_mutex_unlock(&acc.mu);
    return NULL;
}
enum { INVX = __LINE__ };
DEATH_CASE(invariant_cross_thread) {
    gs_mutex_set_invariant(&acc.mu, balance_ok, &acc);
    gs_mutex_lock(&acc.mu);
    acc.balance = -5;
    join(spawn(unlock_acct, NULL));
}

TEST(TestInvariant) {
    EXPECT_REPORT(invariant_mutex,
                  fmt(0,
                      "gosync: invariant violated: %s unlocks &acc.mu (@) with its "
                      "invariant false (locked at %s)",
                      at(INV + 5), at(INV + 3)));
    EXPECT_REPORT(invariant_rwmutex_unlock,
                  fmt(0,
                      "gosync: invariant violated: %s unlocks &acc.rw (@) with its "
                      "invariant false (locked at %s)",
                      at(INVW + 5), at(INVW + 3)));
    EXPECT_REPORT(invariant_rwmutex_runlock,
                  fmt(0,
                      "gosync: invariant violated: %s read-unlocks &acc.rw (@) with its "
                      "invariant false (read-locked at %s)",
                      at(INVR + 5), at(INVR + 3)));
    EXPECT_REPORT(
        invariant_cross_thread, "gosync: invariant violated: ",
        fmt(0, "unlocks &acc.mu (@) with its invariant false (locked at %s)", at(INVX + 3)));

    /* Holds: checked at every unlock, no report; removed: not checked any more. */
    account ok = {GS_MUTEX_INIT, GS_RWMUTEX_INIT, 10, 0};
    gs_mutex_set_invariant(&ok.mu, balance_ok, &ok);
    gs_rwmutex_set_invariant(&ok.rw, balance_ok, &ok);
    for (int i = 0; i < 5; i++) {
        gs_mutex_lock(&ok.mu);
        ok.balance -= 1;
        gs_mutex_unlock(&ok.mu);
    }
    CHECK_EQ(ok.checks, 5);
    gs_rwmutex_lock(&ok.rw);
    gs_rwmutex_unlock(&ok.rw);
    gs_rwmutex_rlock(&ok.rw);
    gs_rwmutex_runlock(&ok.rw);
    CHECK_EQ(ok.checks, 7);
    /* Broken while held is fine: only the unlock must restore it. */
    gs_mutex_lock(&ok.mu);
    ok.balance = -1;
    // cppcheck-suppress redundantAssignment ; the point: the invariant is broken while held
    ok.balance = 5;
    gs_mutex_unlock(&ok.mu);
    CHECK_EQ(ok.checks, 8);
    gs_mutex_set_invariant(&ok.mu, NULL, NULL);
    gs_rwmutex_set_invariant(&ok.rw, NULL, NULL);
    gs_mutex_lock(&ok.mu);
    gs_mutex_unlock(&ok.mu);
    CHECK_EQ(ok.checks, 8);
    /* Code compiled without GS_DEBUG does not check. */
    gs_mutex_set_invariant(&ok.mu, balance_ok, &ok);
    plain_mutex_lock(&ok.mu);
    ok.balance = -1;
    plain_mutex_unlock(&ok.mu);
    CHECK_EQ(ok.checks, 8);
    // cppcheck-suppress redundantAssignment ; -1 was for the unchecked unlock above
    ok.balance = 0;
    gs_debug_forget(&ok, sizeof ok);
    gs_mutex_lock(&ok.mu);
    gs_mutex_unlock(&ok.mu);
    CHECK_EQ(ok.checks, 8);
}

/* ---- legal per Go: no report ---- */

static gs_mutex la, lb;

static void *unlock_mutex(void *p) {
    gs_mutex_unlock((gs_mutex *)p);
    return NULL;
}
static void *runlock_rwmutex(void *p) {
    gs_rwmutex_runlock((gs_rwmutex *)p);
    return NULL;
}
static void *lock_and_exit(void *p) {
    gs_mutex_lock((gs_mutex *)p);
    return NULL;
}

/* Locks la, waits while the main thread unlocks it, then locks lb. */
static _Atomic int handoff;
static void *lock_la_then_lb(void *p) {
    (void)p;
    gs_mutex_lock(&la);
    handoff = 1;
    while (handoff != 2)
        sleep_ns(100000);
    gs_mutex_lock(&lb); /* la was unlocked by main: no edge la -> lb */
    gs_mutex_unlock(&lb);
    return NULL;
}

TEST(TestCrossThreadUnlockIsLegal) {
    /* The lock leaves the locker's held set: locking it again is not recursive. */
    for (int i = 0; i < 20; i++) {
        gs_mutex_lock(&la);
        join(spawn(unlock_mutex, &la));
        gs_mutex_lock(&la);
        gs_mutex_unlock(&la);
    }
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    gs_rwmutex_rlock(&rw);
    join(spawn(runlock_rwmutex, &rw));
    gs_rwmutex_rlock(&rw);
    gs_rwmutex_runlock(&rw);
    gs_rwmutex_lock(&rw);
    gs_rwmutex_unlock(&rw);
    /* A thread may exit holding a lock that another thread unlocks later. */
    join(spawn(lock_and_exit, &la));
    gs_mutex_unlock(&la);
    gs_mutex_lock(&la);
    gs_mutex_unlock(&la);
    /* Another thread's lock unlocked here leaves that thread's held set too: its later
     * acquisitions add no edge from it, so lb -> la below is no inversion. */
    pthread_t t = spawn(lock_la_then_lb, NULL);
    while (handoff != 1)
        sleep_ns(100000);
    gs_mutex_unlock(&la);
    handoff = 2;
    join(t);
    gs_mutex_lock(&lb);
    gs_mutex_lock(&la);
    gs_mutex_unlock(&la);
    gs_mutex_unlock(&lb);
}

TEST(TestTrylockAnyOrder) {
    gs_mutex a = GS_MUTEX_INIT, b = GS_MUTEX_INIT;
    /* a then b by trylock: no edge a -> b ... */
    gs_mutex_lock(&a);
    CHECK(gs_mutex_trylock(&b));
    gs_mutex_unlock(&b);
    gs_mutex_unlock(&a);
    /* ... so b then a (blocking) closes no cycle. */
    gs_mutex_lock(&b);
    gs_mutex_lock(&a);
    gs_mutex_unlock(&a);
    gs_mutex_unlock(&b);
    /* Timed locks and read trylocks cannot deadlock either. */
    gs_rwmutex r = GS_RWMUTEX_INIT;
    gs_mutex_lock(&a);
    CHECK(gs_rwmutex_tryrlock(&r));
    gs_rwmutex_runlock(&r);
    CHECK(gs_rwmutex_lock_timeout(&r, 1000000));
    gs_rwmutex_unlock(&r);
    CHECK(gs_rwmutex_rlock_timeout(&r, 1000000));
    gs_rwmutex_runlock(&r);
    gs_mutex_unlock(&a);
    gs_rwmutex_lock(&r);
    gs_mutex_lock(&a);
    CHECK(!gs_mutex_trylock(&a)); /* trylock of a held lock fails; Go allows it */
    gs_mutex_unlock(&a);
    gs_rwmutex_unlock(&r);
    gs_mutex_lock(&b);
    CHECK(gs_mutex_lock_timeout(&a, 1000000));
    gs_mutex_unlock(&a);
    gs_mutex_unlock(&b);
    gs_debug_forget(&a, sizeof a);
    gs_debug_forget(&b, sizeof b);
    gs_debug_forget(&r, sizeof r);
}

/* Many threads, one consistent order over a mutex, an rwmutex (both modes) and guards. */
typedef struct {
    gs_mutex outer;
    gs_rwmutex mid;
    gs_mutex inner;
    long count;
    long loops;
} ordered_arg;

static void ordered_worker(void *p, int index) {
    ordered_arg *o = (ordered_arg *)p;
    for (long i = 0; i < o->loops; i++) {
        GS_GUARD(&o->outer);
        if ((i + index) % 2) {
            GS_RGUARD(&o->mid);
            GS_GUARD(&o->inner);
            o->count++;
        } else {
            GS_GUARD(&o->mid);
            gs_mutex_lock(&o->inner);
            o->count++;
            gs_mutex_unlock(&o->inner);
        }
    }
}

TEST(TestConsistentOrderManyThreads) {
    static ordered_arg o;
    o.loops = scaled(2000);
    run_threads(8, ordered_worker, &o);
    CHECK_EQ(o.count, 8 * o.loops);
    uint32_t nodes, edges;
    gs__debug_stats(&nodes, &edges);
    printf("     graph: %u nodes, %u edges\n", (unsigned)nodes, (unsigned)edges);
}

/* ---- stale nodes ---- */

TEST(TestUnnestedLocksLeaveNothing) {
    uint32_t nodes0, edges0, nodes, edges;
    gs__debug_stats(&nodes0, &edges0);
    for (int i = 0; i < 1000; i++) {
        gs_mutex *m = (gs_mutex *)calloc(1, sizeof *m);
        gs_rwmutex *r = (gs_rwmutex *)calloc(1, sizeof *r);
        gs_mutex_lock(m);
        gs_mutex_unlock(m);
        gs_rwmutex_rlock(r);
        gs_rwmutex_runlock(r);
        free(r);
        free(m);
    }
    gs__debug_stats(&nodes, &edges);
    CHECK_EQ(nodes, nodes0);
    CHECK_EQ(edges, edges0);
}

/* Two objects whose memory is reused for two new objects with the roles swapped: new `first`
 * sits where old `second` was. Without gs_debug_forget the old edge first -> second survives
 * in the graph and the new, consistent order looks like an inversion. */
typedef struct {
    gs_mutex mu;
    char pad[60]; // cppcheck-suppress unusedStructMember ; spaces the two objects apart
} object;
static object arena[2];

static void parent_then_child(object *parent, object *child) {
    gs_mutex_lock(&parent->mu);
    gs_mutex_lock(&child->mu);
    gs_mutex_unlock(&child->mu);
    gs_mutex_unlock(&parent->mu);
}

DEATH_CASE(reuse_without_forget_reports) {
    parent_then_child(&arena[0], &arena[1]);
    memset(arena, 0, sizeof arena); /* "freed", then reused with the roles swapped */
    parent_then_child(&arena[1], &arena[0]);
}

TEST(TestReuseAfterForget) {
    uint32_t nodes0, edges0, nodes, edges;
    gs__debug_stats(&nodes0, &edges0);
    for (int round = 0; round < 10; round++) {
        object *parent = &arena[round % 2], *child = &arena[1 - round % 2];
        parent_then_child(parent, child);
        gs_debug_forget(arena, sizeof arena);
        memset(arena, 0, sizeof arena);
    }
    gs__debug_stats(&nodes, &edges);
    CHECK_EQ(nodes, nodes0);
    CHECK_EQ(edges, edges0);
    /* The control: without the forget the stale edge is there, and reported. */
    EXPECT_DEATH(reuse_without_forget_reports, "gosync: lock order inversion (cycle of 2 locks)");
}

enum { FREED = __LINE__ };
DEATH_CASE(forget_held_lock) {
    gs_mutex_lock(&arena[0].mu);
    gs_debug_forget(arena, sizeof arena);
}

TEST(TestForgetHeldLock) {
    EXPECT_REPORT(forget_held_lock,
                  fmt(0,
                      "gosync: held lock freed: %s forgets &arena[0].mu (@), which is "
                      "still held (locked at %s)",
                      at(FREED + 3), at(FREED + 2)));
}

/* ---- code that locks without the checker ---- */

TEST(TestMixedWithPlainCode) {
    gs_mutex m = GS_MUTEX_INIT;
    /* Locked here, unlocked where the checker does not look: the stale record must not make
     * the next lock look recursive. */
    gs_mutex_lock(&m);
    plain_mutex_unlock(&m);
    gs_mutex_lock(&m);
    gs_mutex_unlock(&m);
    /* Locked where it does not look, unlocked here: nothing to remove, no report. */
    plain_mutex_lock(&m);
    gs_mutex_unlock(&m);
}

/* ---- warn mode ---- */

static gs_mutex wa, wb;
DEATH_CASE(warn_mode_continues) {
    account a = {GS_MUTEX_INIT, GS_RWMUTEX_INIT, 0, 0};
    gs_mutex_set_invariant(&a.mu, balance_ok, &a);
    gs_mutex_lock(&a.mu);
    a.balance = -1;
    gs_mutex_unlock(&a.mu); /* reported, continues */
    gs_mutex_lock(&wa);
    gs_mutex_lock(&wb);
    gs_mutex_unlock(&wb);
    gs_mutex_unlock(&wa);
    for (int i = 0; i < 3; i++) { /* reported once, continues */
        gs_mutex_lock(&wb);
        gs_mutex_lock(&wa);
        gs_mutex_unlock(&wa);
        gs_mutex_unlock(&wb);
    }
    gs_mutex_lock(&wa);
    CHECK(!gs_mutex_lock_timeout(&wa, 1000000)); /* reported, then times out */
    gs_mutex_unlock(&wa);
    fprintf(stderr, "continued past every report\n");
    abort();
}

TEST(TestWarnMode) {
    setenv("GOSYNC_DEBUG", "warn", 1);
    const char *out = death_output("warn_mode_continues");
    unsetenv("GOSYNC_DEBUG");
    if (count(out, "gosync: invariant violated: ") != 1 ||
        count(out, "gosync: lock order inversion (cycle of 2 locks): ") != 1 ||
        count(out, "gosync: recursive lock: ") != 1 ||
        count(out, "continued past every report\n") != 1 || count(out, "gosync: ") != 3)
        GS_T_FAIL("warn mode: expected three reports, each once, then the end; got:\n%s", out);
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestRecursive);
    RUN(TestInversion);
    RUN(TestInvariant);
    RUN(TestCrossThreadUnlockIsLegal);
    RUN(TestTrylockAnyOrder);
    RUN(TestConsistentOrderManyThreads);
    RUN(TestUnnestedLocksLeaveNothing);
    RUN(TestReuseAfterForget);
    RUN(TestForgetHeldLock);
    RUN(TestMixedWithPlainCode);
    RUN(TestWarnMode);
    return 0;
}
