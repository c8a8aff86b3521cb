/* tests/test_cond.c: gs_cond. Ports of Go's sync tests name the test they follow.
 *
 * Go's channels are modelled with POSIX semaphores and a small pthread-based int queue, so
 * that the tests of gs_cond do not lean on gs_cond. */
#include <gosync.h>

#include <semaphore.h>

#include "harness.h"

/* In ASan builds, keep stack frames of returned functions poisoned for a while (fake
 * stacks): a signal or broadcast touching a waiter's node, or a Cond on a waiter's stack,
 * after telling that waiter, is then reported. */
__attribute__((used)) const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_stack_use_after_return=1"; }

static void sem_take(sem_t *s) {
    while (sem_wait(s) != 0) {
    }
}

/* Takes s if it is posted within timeout_ns; returns whether it did. */
static bool sem_take_within(sem_t *s, int64_t timeout_ns) {
    int64_t deadline = now_ns() + timeout_ns;
    while (now_ns() < deadline) {
        if (sem_trywait(s) == 0)
            return true;
        sleep_ns(200000);
    }
    return sem_trywait(s) == 0;
}

/* A buffered channel of ints (capacity CHAN_CAP). */
#define CHAN_CAP 1024
typedef struct {
    pthread_mutex_t mu;
    sem_t items;
    int buf[CHAN_CAP];
    int head, len;
} chan_int;

static void chan_init(chan_int *c) {
    pthread_mutex_init(&c->mu, NULL);
    sem_init(&c->items, 0, 0);
    c->head = c->len = 0;
}
static void chan_destroy(chan_int *c) {
    pthread_mutex_destroy(&c->mu);
    sem_destroy(&c->items);
}
static void chan_send(chan_int *c, int v) {
    pthread_mutex_lock(&c->mu);
    if (c->len == CHAN_CAP)
        GS_T_FAIL("chan_int full");
    c->buf[(c->head + c->len++) % CHAN_CAP] = v;
    pthread_mutex_unlock(&c->mu);
    sem_post(&c->items);
}
static int chan_pop(chan_int *c) {
    pthread_mutex_lock(&c->mu);
    int v = c->buf[c->head];
    c->head = (c->head + 1) % CHAN_CAP;
    c->len--;
    pthread_mutex_unlock(&c->mu);
    return v;
}
static int chan_recv(chan_int *c) {
    sem_take(&c->items);
    return chan_pop(c);
}
/* Go's `select { case v := <-c: ...; default: }`: whether a value was there. */
static bool chan_try_recv(chan_int *c, int *v) {
    if (sem_trywait(&c->items) != 0)
        return false;
    *v = chan_pop(c);
    return true;
}

/* ---- Go: TestCondSignal ---- */

typedef struct {
    gs_mutex m;
    gs_cond c;
    chan_int running, awake;
    int index;
} signal_arg;

static void signal_waiter(void *p, int index) {
    signal_arg *s = (signal_arg *)p;
    gs_mutex_lock(&s->m);
    chan_send(&s->running, index);
    gs_cond_wait(&s->c);
    chan_send(&s->awake, index);
    gs_mutex_unlock(&s->m);
}

typedef struct {
    int n;
    void (*fn)(void *, int);
    void *arg;
} bg_arg;
static void *bg_main(void *p) {
    bg_arg *b = (bg_arg *)p;
    run_threads(b->n, b->fn, b->arg);
    return NULL;
}

TEST(TestCondSignal) {
    signal_arg s;
    s.m = (gs_mutex)GS_MUTEX_INIT;
    gs_cond_init(&s.c, gs_mutex_locker(&s.m));
    chan_init(&s.running);
    chan_init(&s.awake);
    int n = 2, v;
    bg_arg bg = {n, signal_waiter, &s};
    pthread_t t = spawn(bg_main, &bg);
    for (int i = 0; i < n; i++)
        chan_recv(&s.running); /* wait for everyone to run */
    while (n > 0) {
        if (chan_try_recv(&s.awake, &v))
            GS_T_FAIL("thread not asleep");
        gs_mutex_lock(&s.m);
        gs_cond_signal(&s.c);
        gs_mutex_unlock(&s.m);
        chan_recv(&s.awake); /* will deadlock if no thread wakes up */
        if (chan_try_recv(&s.awake, &v))
            GS_T_FAIL("too many threads awake");
        n--;
    }
    gs_cond_signal(&s.c);
    join(t);
    chan_destroy(&s.running);
    chan_destroy(&s.awake);
}

/* ---- Go: TestCondSignalGenerations (FIFO) ---- */

static void *generation_waiter(void *p) {
    signal_arg *s = (signal_arg *)p;
    gs_mutex_lock(&s->m);
    int i = s->index;
    chan_send(&s->running, i);
    gs_cond_wait(&s->c);
    chan_send(&s->awake, i);
    gs_mutex_unlock(&s->m);
    return NULL;
}

TEST(TestCondSignalGenerations) {
    signal_arg s;
    s.m = (gs_mutex)GS_MUTEX_INIT;
    gs_cond_init(&s.c, gs_mutex_locker(&s.m));
    chan_init(&s.running);
    chan_init(&s.awake);
    enum { n = 100 };
    pthread_t t[n];
    for (int i = 0; i < n; i++) {
        gs_mutex_lock(&s.m);
        s.index = i;
        gs_mutex_unlock(&s.m);
        t[i] = spawn(generation_waiter, &s);
        if (i > 0) {
            int a = chan_recv(&s.awake);
            if (a != i - 1)
                GS_T_FAIL("wrong thread woke up: want %d, got %d", i - 1, a);
        }
        chan_recv(&s.running);
        gs_mutex_lock(&s.m);
        gs_cond_signal(&s.c);
        gs_mutex_unlock(&s.m);
    }
    CHECK_EQ(chan_recv(&s.awake), n - 1);
    for (int i = 0; i < n; i++)
        join(t[i]);
    chan_destroy(&s.running);
    chan_destroy(&s.awake);
}

/* ---- Go: TestCondBroadcast (scaled) ---- */

typedef struct {
    gs_mutex m;
    gs_cond c;
    chan_int running, awake;
    bool exit; /* guarded by m */
} broadcast_arg;

static void broadcast_waiter(void *p, int g) {
    broadcast_arg *b = (broadcast_arg *)p;
    gs_mutex_lock(&b->m);
    while (!b->exit) {
        chan_send(&b->running, g);
        gs_cond_wait(&b->c);
        chan_send(&b->awake, g);
    }
    gs_mutex_unlock(&b->m);
}

TEST(TestCondBroadcast) {
    broadcast_arg *b = (broadcast_arg *)calloc(1, sizeof *b);
    gs_cond_init(&b->c, gs_mutex_locker(&b->m));
    chan_init(&b->running);
    chan_init(&b->awake);
    int n = (int)scaled(200), v;
    if (n < 2)
        n = 2;
    bool *seen = (bool *)calloc((size_t)n, sizeof *seen);
    bg_arg bg = {n, broadcast_waiter, b};
    pthread_t t = spawn(bg_main, &bg);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < n; k++)
            chan_recv(&b->running); /* will deadlock unless n are running */
        if (i == n - 1) {
            gs_mutex_lock(&b->m);
            b->exit = true;
            gs_mutex_unlock(&b->m);
        }
        if (chan_try_recv(&b->awake, &v))
            GS_T_FAIL("thread not asleep");
        gs_mutex_lock(&b->m);
        gs_cond_broadcast(&b->c);
        gs_mutex_unlock(&b->m);
        memset(seen, 0, (size_t)n * sizeof *seen);
        for (int k = 0; k < n; k++) {
            int g = chan_recv(&b->awake);
            if (seen[g])
                GS_T_FAIL("thread woke up twice");
            seen[g] = true;
        }
    }
    join(t);
    if (chan_try_recv(&b->running, &v))
        GS_T_FAIL("thread did not exit");
    gs_cond_broadcast(&b->c);
    free(seen);
    chan_destroy(&b->running);
    chan_destroy(&b->awake);
    free(b);
}

/* ---- Go: TestRace ---- */

typedef struct {
    gs_mutex m;
    gs_cond c;
    int x; /* guarded by m */
} race_arg;

static void race_thread(void *p, int index) {
    race_arg *r = (race_arg *)p;
    gs_locker l = r->c.l;
    switch (index) {
    case 0:
        gs_locker_lock(l);
        r->x = 1;
        gs_cond_wait(&r->c);
        if (r->x != 2)
            GS_T_FAIL("want 2");
        r->x = 3;
        gs_cond_signal(&r->c);
        gs_locker_unlock(l);
        break;
    case 1:
        gs_locker_lock(l);
        for (;;) {
            if (r->x == 1) {
                r->x = 2;
                gs_cond_signal(&r->c);
                break;
            }
            gs_locker_unlock(l);
            sched_yield();
            gs_locker_lock(l);
        }
        gs_locker_unlock(l);
        break;
    default:
        gs_locker_lock(l);
        for (;;) {
            if (r->x == 2) {
                gs_cond_wait(&r->c);
                if (r->x != 3)
                    GS_T_FAIL("want 3");
                break;
            }
            if (r->x == 3)
                break;
            gs_locker_unlock(l);
            sched_yield();
            gs_locker_lock(l);
        }
        gs_locker_unlock(l);
    }
}

TEST(TestRace) {
    for (int i = 0; i < 20; i++) {
        race_arg r;
        r.m = (gs_mutex)GS_MUTEX_INIT;
        r.x = 0;
        gs_cond_init(&r.c, gs_mutex_locker(&r.m));
        run_threads(3, race_thread, &r);
    }
}

/* ---- Go: TestCondSignalStealing ---- */

typedef struct {
    gs_mutex m;
    gs_cond c;
    sem_t ch;
    bool done; /* guarded by m */
} stealing_arg;

static void *stealing_first(void *p) {
    stealing_arg *s = (stealing_arg *)p;
    gs_mutex_lock(&s->m);
    sem_post(&s->ch);
    gs_cond_wait(&s->c);
    gs_mutex_unlock(&s->m);
    sem_post(&s->ch);
    return NULL;
}

static void *stealing_broadcast(void *p) {
    gs_cond_broadcast(&((stealing_arg *)p)->c);
    return NULL;
}

static void *stealing_second(void *p) {
    stealing_arg *s = (stealing_arg *)p;
    gs_mutex_lock(&s->m);
    while (!s->done)
        gs_cond_wait(&s->c);
    gs_mutex_unlock(&s->m);
    return NULL;
}

TEST(TestCondSignalStealing) {
    for (long iters = 0; iters < scaled(1000); iters++) {
        stealing_arg s;
        s.m = (gs_mutex)GS_MUTEX_INIT;
        s.done = false;
        sem_init(&s.ch, 0, 0);
        gs_cond_init(&s.c, gs_mutex_locker(&s.m));
        pthread_t first = spawn(stealing_first, &s);
        sem_take(&s.ch);
        gs_mutex_lock(&s.m);
        gs_mutex_unlock(&s.m);
        /* The first waiter is in gs_cond_wait. A broadcast and a new waiter race: the new
         * one may or may not be woken, but the first one must be. */
        pthread_t bc = spawn(stealing_broadcast, &s);
        pthread_t second = spawn(stealing_second, &s);
        if (!sem_take_within(&s.ch, 10000000000LL))
            GS_T_FAIL("first waiter didn't get broadcast");
        gs_mutex_lock(&s.m);
        s.done = true;
        gs_mutex_unlock(&s.m);
        gs_cond_broadcast(&s.c);
        join(first);
        join(bc);
        join(second);
        sem_destroy(&s.ch);
    }
}

/* ---- Go: TestCondCopy, and use before init ---- */

DEATH_CASE(cond_copied) {
    static gs_mutex m;
    static gs_cond c, c2;
    gs_cond_init(&c, gs_mutex_locker(&m));
    gs_cond_signal(&c);
    memcpy(&c2, &c, sizeof c);
    gs_cond_signal(&c2);
}

DEATH_CASE(cond_copied_wait) {
    static gs_mutex m;
    static gs_cond c, c2;
    gs_cond_init(&c, gs_mutex_locker(&m));
    memcpy(&c2, &c, sizeof c);
    gs_mutex_lock(&m);
    gs_cond_wait(&c2);
}

DEATH_CASE(cond_wait_uninitialised) {
    static gs_mutex m;
    static gs_cond c;
    gs_mutex_lock(&m);
    gs_cond_wait(&c);
}

DEATH_CASE(cond_wait_unlocked) {
    static gs_mutex m;
    static gs_cond c;
    gs_cond_init(&c, gs_mutex_locker(&m));
    gs_cond_wait(&c); /* the locker is not held: its unlock is the misuse */
}

DEATH_CASE(cond_init_empty_locker) {
    static gs_cond c;
    gs_locker empty = {0};
    gs_cond_init(&c, empty);
}

TEST(TestCondMisuse) {
    EXPECT_DEATH(cond_copied, "gosync: Cond is copied");
    EXPECT_DEATH(cond_copied_wait, "gosync: Cond is copied");
    EXPECT_DEATH(cond_wait_uninitialised, "gosync: Cond.Wait before gs_cond_init");
    EXPECT_DEATH(cond_wait_unlocked, "gosync: unlock of unlocked mutex");
    EXPECT_DEATH(cond_init_empty_locker, "gosync: gs_cond_init with an empty Locker");
    /* signal and broadcast on a zeroed, never initialised Cond do nothing */
    gs_cond zero;
    memset(&zero, 0, sizeof zero);
    gs_cond_signal(&zero);
    gs_cond_broadcast(&zero);
}

/* ---- timeouts ---- */

typedef struct {
    gs_mutex m;
    gs_cond c;
    bool flag; /* guarded by m */
} timeout_arg;

static void *signal_later(void *p) {
    timeout_arg *t = (timeout_arg *)p;
    sleep_ns(20000000);
    gs_mutex_lock(&t->m);
    t->flag = true;
    gs_mutex_unlock(&t->m);
    gs_cond_signal(&t->c);
    return NULL;
}

TEST(TestCondWaitTimeout) {
    timeout_arg t;
    t.m = (gs_mutex)GS_MUTEX_INIT;
    t.flag = false;
    gs_cond_init(&t.c, gs_mutex_locker(&t.m));
    gs_mutex_lock(&t.m);
    /* nobody signals: false, never earlier than asked, and the locker is held again */
    for (int64_t ms = 1; ms <= 64; ms *= 4) {
        int64_t start = now_ns();
        CHECK(!gs_cond_wait_timeout(&t.c, ms * 1000000));
        CHECK_GE(now_ns() - start, ms * 1000000);
        CHECK(!gs_mutex_trylock(&t.m));
    }
    /* <= 0 never blocks and keeps the locker */
    int64_t start = now_ns();
    CHECK(!gs_cond_wait_timeout(&t.c, 0));
    CHECK(!gs_cond_wait_timeout(&t.c, INT64_MIN));
    CHECK_LT(now_ns() - start, 500000000);
    CHECK(!gs_mutex_trylock(&t.m));
    /* signalled while it waits: true */
    pthread_t th = spawn(signal_later, &t);
    while (!t.flag)
        CHECK(gs_cond_wait_timeout(&t.c, 60LL * 1000000000));
    CHECK(!gs_mutex_trylock(&t.m));
    gs_mutex_unlock(&t.m);
    join(th);
    /* a huge timeout does not overflow */
    gs_mutex_lock(&t.m);
    t.flag = false;
    th = spawn(signal_later, &t);
    while (!t.flag)
        CHECK(gs_cond_wait_timeout(&t.c, INT64_MAX));
    gs_mutex_unlock(&t.m);
    join(th);
}

/* Waiters that time out leave the queue; the others keep their FIFO order. */
typedef struct {
    gs_mutex m;
    gs_cond c;
    chan_int running, awake;
    int index;
} fifo_arg;

static void *fifo_waiter(void *p) {
    fifo_arg *f = (fifo_arg *)p;
    gs_mutex_lock(&f->m);
    int i = f->index;
    chan_send(&f->running, i);
    if (i % 2) {
        if (gs_cond_wait_timeout(&f->c, 10000000))
            GS_T_FAIL("waiter %d: signalled, but nobody signalled yet", i);
    } else {
        gs_cond_wait(&f->c);
        chan_send(&f->awake, i);
    }
    gs_mutex_unlock(&f->m);
    return NULL;
}

TEST(TestCondFIFOWithTimeouts) {
    fifo_arg f;
    f.m = (gs_mutex)GS_MUTEX_INIT;
    gs_cond_init(&f.c, gs_mutex_locker(&f.m));
    chan_init(&f.running);
    chan_init(&f.awake);
    enum { n = 20 };
    pthread_t t[n];
    for (int i = 0; i < n; i++) {
        gs_mutex_lock(&f.m);
        f.index = i;
        gs_mutex_unlock(&f.m);
        t[i] = spawn(fifo_waiter, &f);
        chan_recv(&f.running);
    }
    for (int i = 1; i < n; i += 2)
        join(t[i]); /* the timed ones have timed out and left */
    for (int i = 0; i < n; i += 2) {
        gs_cond_signal(&f.c);
        int a = chan_recv(&f.awake);
        if (a != i)
            GS_T_FAIL("wrong thread woke up: want %d, got %d", i, a);
    }
    for (int i = 0; i < n; i += 2)
        join(t[i]);
    chan_destroy(&f.running);
    chan_destroy(&f.awake);
}

/* Broadcast wakes the waiters present, not one that starts waiting after it returned. */
static void *broadcast_late_waiter(void *p) {
    timeout_arg *t = (timeout_arg *)p;
    gs_mutex_lock(&t->m);
    t->flag = true;
    gs_cond_wait(&t->c);
    gs_mutex_unlock(&t->m);
    return NULL;
}

TEST(TestCondBroadcastOnlyPresent) {
    timeout_arg t;
    t.m = (gs_mutex)GS_MUTEX_INIT;
    t.flag = false;
    gs_cond_init(&t.c, gs_mutex_locker(&t.m));
    pthread_t early = spawn(broadcast_late_waiter, &t);
    for (;;) { /* until the early waiter waits */
        gs_mutex_lock(&t.m);
        bool in = t.flag;
        gs_mutex_unlock(&t.m);
        if (in)
            break;
        sleep_ns(100000);
    }
    gs_cond_broadcast(&t.c);
    join(early);
    gs_mutex_lock(&t.m);
    CHECK(!gs_cond_wait_timeout(&t.c, 50000000));
    gs_mutex_unlock(&t.m);
}

/* A signal that meets a timing-out waiter is never lost. Observers wait with short
 * timeouts and pass on any signal they get; consumers wait without timeout and must get
 * every item. A waiter reporting a timeout after swallowing a signal would strand an item
 * (consumers waiting forever with an item available). */
typedef struct {
    gs_mutex m;
    gs_cond c;
    long items;    /* guarded by m: produced, not yet consumed */
    long consumed; /* guarded by m */
    long total;
    _Atomic bool stop;
    _Atomic long observer_true, observer_false;
} swallow_arg;

enum { SWALLOW_PRODUCERS = 4, SWALLOW_CONSUMERS = 8, SWALLOW_OBSERVERS = 20 };

static void swallow_thread(void *p, int index) {
    swallow_arg *s = (swallow_arg *)p;
    if (index < SWALLOW_PRODUCERS) {
        for (long i = 0; i < s->total / SWALLOW_PRODUCERS; i++) {
            gs_mutex_lock(&s->m);
            s->items++;
            gs_mutex_unlock(&s->m);
            gs_cond_signal(&s->c);
            if (i % 16 == 0)
                sched_yield();
        }
    } else if (index < SWALLOW_PRODUCERS + SWALLOW_CONSUMERS) {
        gs_mutex_lock(&s->m);
        while (s->consumed < s->total) {
            while (s->items == 0 && s->consumed < s->total)
                gs_cond_wait(&s->c);
            if (s->items > 0) {
                s->items--;
                s->consumed++;
            }
            if (s->consumed == s->total)
                gs_cond_broadcast(&s->c); /* release the other consumers */
        }
        gs_mutex_unlock(&s->m);
    } else {
        unsigned seed = (unsigned)index * 2654435761u;
        gs_mutex_lock(&s->m);
        while (!s->stop) {
            seed = seed * 1103515245u + 12345u;
            if (gs_cond_wait_timeout(&s->c, 1000 + (seed >> 8) % 200000)) {
                s->observer_true++;
                gs_cond_signal(&s->c); /* not ours to keep: pass it on */
            } else {
                s->observer_false++;
            }
        }
        gs_mutex_unlock(&s->m);
    }
}

static void *swallow_stopper(void *p) {
    swallow_arg *s = (swallow_arg *)p;
    for (;;) {
        gs_mutex_lock(&s->m);
        bool done = s->consumed == s->total;
        gs_mutex_unlock(&s->m);
        if (done)
            break;
        sleep_ns(1000000);
    }
    s->stop = true;
    return NULL;
}

TEST(TestCondTimeoutNeverSwallows) {
    swallow_arg *s = (swallow_arg *)calloc(1, sizeof *s);
    gs_cond_init(&s->c, gs_mutex_locker(&s->m));
    s->total = SWALLOW_PRODUCERS * scaled(5000);
    pthread_t stopper = spawn(swallow_stopper, s);
    run_threads(SWALLOW_PRODUCERS + SWALLOW_CONSUMERS + SWALLOW_OBSERVERS, swallow_thread, s);
    join(stopper);
    CHECK_EQ(s->consumed, s->total);
    CHECK_EQ(s->items, 0);
    printf("     observers: %ld woken (passed on), %ld timed out\n", (long)s->observer_true,
           (long)s->observer_false);
    free(s);
}

/* ---- any Locker: RWMutex write side and RLocker ---- */

typedef struct {
    gs_rwmutex rw;
    gs_cond c;
    bool go; /* written under the write lock, read under either */
    _Atomic int woken;
} rw_arg;

static void rlocker_waiter(void *p, int index) {
    (void)index;
    rw_arg *r = (rw_arg *)p;
    gs_rwmutex_rlock(&r->rw);
    while (!r->go)
        gs_cond_wait(&r->c); /* its locker is the read side */
    r->woken++;
    gs_rwmutex_runlock(&r->rw);
}

static void *rlocker_waiters(void *p) {
    run_threads(16, rlocker_waiter, p);
    return NULL;
}

TEST(TestCondLockers) {
    /* RLocker: 16 readers wait, a writer sets go and broadcasts. */
    rw_arg *r = (rw_arg *)calloc(1, sizeof *r);
    gs_cond_init(&r->c, gs_rwmutex_rlocker(&r->rw));
    pthread_t t = spawn(rlocker_waiters, r);
    sleep_ns(20000000);
    gs_rwmutex_lock(&r->rw);
    r->go = true;
    gs_rwmutex_unlock(&r->rw);
    gs_cond_broadcast(&r->c);
    join(t);
    CHECK_EQ(r->woken, 16);

    /* the write side as the locker: hand a token around by signals */
    gs_cond_init(&r->c, gs_rwmutex_locker(&r->rw));
    gs_rwmutex_lock(&r->rw);
    r->go = false;
    CHECK(!gs_cond_wait_timeout(&r->c, 1000000));
    CHECK(!gs_rwmutex_tryrlock(&r->rw)); /* write lock held again */
    gs_rwmutex_unlock(&r->rw);
    free(r);
}

/* ---- destruction safety: a Cond, its mutex and the waiter's node on the waiter's stack ----
 * The waiter returns (its frame is reused, or poisoned in ASan builds) as soon as its wait
 * returns; the signaller signals without holding the mutex, so it may still be inside
 * gs_cond_signal when that happens. Touching the node or the Cond after telling the waiter
 * would be a use after return. */

typedef struct {
    gs_mutex *m;
    gs_cond *c;
    bool *flag;
    sem_t ready;
    bool use_broadcast;
} on_stack_job;

static void *on_stack_signaller(void *p) {
    on_stack_job *j = (on_stack_job *)p;
    sem_take(&j->ready);
    gs_mutex_lock(j->m); /* the waiter is in gs_cond_wait once this succeeds */
    *j->flag = true;
    gs_cond *c = j->c;
    bool b = j->use_broadcast;
    gs_mutex_unlock(j->m);
    if (b)
        gs_cond_broadcast(c);
    else
        gs_cond_signal(c);
    return NULL;
}

static __attribute__((noinline)) void wait_on_stack(on_stack_job *j, long i) {
    gs_mutex m = GS_MUTEX_INIT;
    gs_cond c;
    bool flag = false;
    gs_cond_init(&c, gs_mutex_locker(&m));
    j->m = &m;
    j->c = &c;
    j->flag = &flag;
    j->use_broadcast = i % 2;
    pthread_t t = spawn(on_stack_signaller, j);
    pthread_detach(t);
    gs_mutex_lock(&m);
    sem_post(&j->ready);
    while (!flag)
        gs_cond_wait(&c);
    gs_mutex_unlock(&m);
}

TEST(TestCondOnWaiterStack) {
    on_stack_job *jobs = (on_stack_job *)calloc((size_t)scaled(2000), sizeof *jobs);
    for (long i = 0; i < scaled(2000); i++) {
        sem_init(&jobs[i].ready, 0, 0);
        wait_on_stack(&jobs[i], i);
    }
    sleep_ns(100000000); /* let the last signallers finish (they touch only their job) */
    free(jobs);
}

/* ---- stress: many more threads than CPUs; signal, broadcast and timed waits mixed ---- */

typedef struct {
    gs_mutex m;
    gs_cond not_empty, not_full;
    long queue, cap;         /* guarded by m */
    long produced, consumed; /* guarded by m */
    long per_producer;
} pc_arg;

enum { PC_PRODUCERS = 32, PC_CONSUMERS = 32 };

static void pc_thread(void *p, int index) {
    pc_arg *a = (pc_arg *)p;
    const long total = a->per_producer * PC_PRODUCERS;
    if (index < PC_PRODUCERS) {
        for (long i = 0; i < a->per_producer; i++) {
            gs_mutex_lock(&a->m);
            while (a->queue == a->cap) {
                if (index % 3 == 0)
                    gs_cond_wait_timeout(&a->not_full, 50000 + index * 1000);
                else
                    gs_cond_wait(&a->not_full);
            }
            a->queue++;
            a->produced++;
            gs_mutex_unlock(&a->m);
            if (i % 5 == 0)
                gs_cond_broadcast(&a->not_empty);
            else
                gs_cond_signal(&a->not_empty);
        }
    } else {
        gs_mutex_lock(&a->m);
        while (a->consumed < total) {
            if (a->queue == 0) {
                if (index % 4 == 0)
                    gs_cond_wait_timeout(&a->not_empty, 30000 + index * 1000);
                else
                    gs_cond_wait(&a->not_empty);
                continue;
            }
            a->queue--;
            a->consumed++;
            gs_cond_signal(&a->not_full);
            if (a->consumed == total)
                gs_cond_broadcast(&a->not_empty);
        }
        gs_mutex_unlock(&a->m);
    }
}

TEST(TestCondStress64) {
    pc_arg *a = (pc_arg *)calloc(1, sizeof *a);
    gs_cond_init(&a->not_empty, gs_mutex_locker(&a->m));
    gs_cond_init(&a->not_full, gs_mutex_locker(&a->m));
    a->cap = 4;
    a->per_producer = scaled(2000);
    run_threads(PC_PRODUCERS + PC_CONSUMERS, pc_thread, a);
    CHECK_EQ(a->produced, a->per_producer * PC_PRODUCERS);
    CHECK_EQ(a->consumed, a->produced);
    CHECK_EQ(a->queue, 0);
    free(a);
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestCondSignal);
    RUN(TestCondSignalGenerations);
    RUN(TestCondBroadcast);
    RUN(TestRace);
    RUN(TestCondSignalStealing);
    RUN(TestCondMisuse);
    RUN(TestCondWaitTimeout);
    RUN(TestCondFIFOWithTimeouts);
    RUN(TestCondBroadcastOnlyPresent);
    RUN(TestCondTimeoutNeverSwallows);
    RUN(TestCondLockers);
    RUN(TestCondOnWaiterStack);
    RUN(TestCondStress64);
    return 0;
}
