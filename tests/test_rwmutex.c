/* tests/test_rwmutex.c: gs_rwmutex. Ports of Go's sync tests name the test they follow. */
#include <gosync.h>
#include <semaphore.h>
#include <stdatomic.h>

#include "harness.h"

_Static_assert(sizeof(gs_rwmutex) <= 24, "gs_rwmutex is at most 24 bytes (Go's size)");

/* Restricts the process's threads to the first n CPUs (Go's GOMAXPROCS, roughly); n <= 0
 * restores every CPU. New threads inherit the calling thread's mask. */
static cpu_set_t all_cpus;
static void set_procs(int n) {
    if (CPU_COUNT(&all_cpus) == 0)
        sched_getaffinity(0, sizeof all_cpus, &all_cpus);
    cpu_set_t set;
    CPU_ZERO(&set);
    int taken = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all_cpus) && (n <= 0 || taken < n)) {
            CPU_SET(c, &set);
            taken++;
        }
    sched_setaffinity(0, sizeof set, &set);
}

/* ---- Go: TestParallelReaders ---- */

typedef struct {
    gs_rwmutex m;
    sem_t locked, unlock, done;
} parallel_arg;

static void parallel_reader(void *p, int index) {
    (void)index;
    parallel_arg *a = (parallel_arg *)p;
    gs_rwmutex_rlock(&a->m);
    sem_post(&a->locked);
    sem_wait(&a->unlock);
    gs_rwmutex_runlock(&a->m);
    sem_post(&a->done);
}

typedef struct {
    parallel_arg *a;
    int n;
} parallel_job;

static void *run_parallel_readers(void *p) {
    parallel_job *j = (parallel_job *)p;
    run_threads(j->n, parallel_reader, j->a);
    return NULL;
}

static void do_parallel_readers(int readers, int procs) {
    set_procs(procs);
    parallel_arg a;
    memset(&a, 0, sizeof a);
    sem_init(&a.locked, 0, 0);
    sem_init(&a.unlock, 0, 0);
    sem_init(&a.done, 0, 0);
    parallel_job j = {&a, readers};
    pthread_t t = spawn(run_parallel_readers, &j);
    /* every reader holds the lock at the same time before any is let go */
    for (int i = 0; i < readers; i++)
        sem_wait(&a.locked);
    CHECK(!gs_rwmutex_trylock(&a.m));
    for (int i = 0; i < readers; i++)
        sem_post(&a.unlock);
    for (int i = 0; i < readers; i++)
        sem_wait(&a.done);
    join(t);
    CHECK(gs_rwmutex_trylock(&a.m));
    gs_rwmutex_unlock(&a.m);
    set_procs(0);
}

TEST(TestParallelReaders) {
    do_parallel_readers(1, 4);
    do_parallel_readers(3, 4);
    do_parallel_readers(4, 2);
    do_parallel_readers(40, 1);
}

/* ---- Go: TestRWMutex (trylock matrix, then HammerRWMutex) ---- */

typedef struct {
    gs_rwmutex rwm;
    _Atomic int activity; /* active readers + 10000 * active writers */
    long iterations;
} hammer_arg;

static void hammer_reader(hammer_arg *h) {
    for (long i = 0; i < h->iterations; i++) {
        gs_rwmutex_rlock(&h->rwm);
        int n = atomic_fetch_add(&h->activity, 1) + 1;
        if (n < 1 || n >= 10000)
            GS_T_FAIL("rlock(%d)", n);
        for (volatile int k = 0; k < 100; k++) {
        }
        h->activity--;
        gs_rwmutex_runlock(&h->rwm);
    }
}

static void hammer_writer(hammer_arg *h) {
    for (long i = 0; i < h->iterations; i++) {
        gs_rwmutex_lock(&h->rwm);
        int n = atomic_fetch_add(&h->activity, 10000) + 10000;
        if (n != 10000)
            GS_T_FAIL("wlock(%d)", n);
        for (volatile int k = 0; k < 100; k++) {
        }
        h->activity -= 10000;
        gs_rwmutex_unlock(&h->rwm);
    }
}

typedef struct {
    hammer_arg *h;
    int readers;
} hammer_job;

/* Go's thread order: a writer, half the readers, another writer, the other half. */
static void hammer_role(void *p, int index) {
    hammer_job *j = (hammer_job *)p;
    int half = j->readers / 2;
    if (index == 0 || index == half + 1)
        hammer_writer(j->h);
    else
        hammer_reader(j->h);
}

static void hammer_rwmutex(int procs, int readers, long iterations) {
    set_procs(procs);
    hammer_arg h;
    memset(&h, 0, sizeof h);
    h.iterations = iterations;
    hammer_job j = {&h, readers};
    run_threads(readers + 2, hammer_role, &j);
    CHECK_EQ(h.activity, 0);
    set_procs(0);
}

TEST(TestRWMutex) {
    gs_rwmutex m = GS_RWMUTEX_INIT;
    gs_rwmutex_lock(&m);
    CHECK(!gs_rwmutex_trylock(&m));
    CHECK(!gs_rwmutex_tryrlock(&m));
    gs_rwmutex_unlock(&m);
    CHECK(gs_rwmutex_trylock(&m));
    gs_rwmutex_unlock(&m);
    CHECK(gs_rwmutex_tryrlock(&m));
    CHECK(gs_rwmutex_tryrlock(&m));
    CHECK(!gs_rwmutex_trylock(&m));
    gs_rwmutex_runlock(&m);
    gs_rwmutex_runlock(&m);

    long n = scaled(1000);
    static const int pairs[][2] = {{1, 1}, {1, 3}, {1, 10}, {4, 1}, {4, 3},
                                   {4, 10}, {10, 1}, {10, 3}, {10, 10}, {10, 5}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        hammer_rwmutex(pairs[i][0], pairs[i][1], n);
}

/* ---- Go: TestRLocker ---- */

typedef struct {
    gs_rwmutex wl;
    gs_locker rl;
    sem_t rlocked, wlocked;
    int n;
} rlocker_arg;

static void *rlocker_thread(void *p) {
    rlocker_arg *a = (rlocker_arg *)p;
    for (int i = 0; i < a->n; i++) {
        gs_locker_lock(a->rl);
        gs_locker_lock(a->rl);
        sem_post(&a->rlocked);
        gs_rwmutex_lock(&a->wl);
        sem_post(&a->wlocked);
    }
    return NULL;
}

TEST(TestRLocker) {
    rlocker_arg a;
    memset(&a, 0, sizeof a);
    a.rl = gs_rwmutex_rlocker(&a.wl);
    a.n = 10;
    sem_init(&a.rlocked, 0, 0);
    sem_init(&a.wlocked, 0, 0);
    pthread_t t = spawn(rlocker_thread, &a);
    for (int i = 0; i < a.n; i++) {
        sem_wait(&a.rlocked);
        gs_locker_unlock(a.rl);
        sleep_ns(1000000); /* give a broken lock the chance to let the writer in */
        if (sem_trywait(&a.wlocked) == 0)
            GS_T_FAIL("RLocker() didn't read-lock it");
        gs_locker_unlock(a.rl);
        sem_wait(&a.wlocked);
        if (sem_trywait(&a.rlocked) == 0)
            GS_T_FAIL("RLocker() didn't respect the write lock");
        gs_rwmutex_unlock(&a.wl);
    }
    join(t);
}

/* ---- Go: TestMutexMisuse, the RWMutex cases ---- */

DEATH_CASE(rw_unlock) {
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    gs_rwmutex_unlock(&rw);
}
DEATH_CASE(rw_unlock2) {
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    gs_rwmutex_rlock(&rw);
    gs_rwmutex_unlock(&rw);
}
DEATH_CASE(rw_unlock3) {
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    gs_rwmutex_lock(&rw);
    gs_rwmutex_unlock(&rw);
    gs_rwmutex_unlock(&rw);
}
DEATH_CASE(rw_runlock) {
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    gs_rwmutex_runlock(&rw);
}
DEATH_CASE(rw_runlock2) {
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    gs_rwmutex_lock(&rw);
    gs_rwmutex_runlock(&rw);
}
DEATH_CASE(rw_runlock3) {
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    gs_rwmutex_rlock(&rw);
    gs_rwmutex_runlock(&rw);
    gs_rwmutex_runlock(&rw);
}
/* Read locks are counted, not tied to threads: one thread may take very many. Overflowing
 * the count is fatal rather than silently wrapping. */
DEATH_CASE(rw_too_many_readers) {
    static gs_rwmutex rw;
    for (;;)
        gs_rwmutex_rlock(&rw);
}
DEATH_CASE(rw_too_many_tryreaders) {
    static gs_rwmutex rw;
    for (;;)
        gs_rwmutex_tryrlock(&rw);
}

TEST(TestRWMutexMisuse) {
    EXPECT_DEATH(rw_unlock, "gosync: Unlock of unlocked RWMutex");
    EXPECT_DEATH(rw_unlock2, "gosync: Unlock of unlocked RWMutex");
    EXPECT_DEATH(rw_unlock3, "gosync: Unlock of unlocked RWMutex");
    EXPECT_DEATH(rw_runlock, "gosync: RUnlock of unlocked RWMutex");
    EXPECT_DEATH(rw_runlock2, "gosync: RUnlock of unlocked RWMutex");
    EXPECT_DEATH(rw_runlock3, "gosync: RUnlock of unlocked RWMutex");
    EXPECT_DEATH(rw_too_many_readers, "gosync: too many readers");
    EXPECT_DEATH(rw_too_many_tryreaders, "gosync: too many readers");
}

/* ---- ours ---- */

static gs_rwmutex static_rw; /* zero value */

TEST(TestZeroValueAndInit) {
    CHECK(gs_rwmutex_trylock(&static_rw));
    gs_rwmutex_unlock(&static_rw);
    gs_rwmutex_rlock(&static_rw);
    gs_rwmutex_runlock(&static_rw);
    gs_rwmutex a = GS_RWMUTEX_INIT;
    gs_rwmutex_lock(&a);
    gs_rwmutex_unlock(&a);
    gs_rwmutex *heap = (gs_rwmutex *)calloc(1, sizeof *heap);
    gs_rwmutex_rlock(heap);
    CHECK(!gs_rwmutex_trylock(heap));
    CHECK(gs_rwmutex_tryrlock(heap));
    gs_rwmutex_runlock(heap);
    gs_rwmutex_runlock(heap);
    free(heap);
}

typedef struct {
    gs_rwmutex rw;
    _Atomic int phase;
    _Atomic int got;
} wq_arg;

static void *pending_writer(void *p) {
    wq_arg *a = (wq_arg *)p;
    a->phase = 1;
    gs_rwmutex_lock(&a->rw);
    a->got = 1;
    while (a->phase != 2)
        sleep_ns(100000);
    gs_rwmutex_unlock(&a->rw);
    return NULL;
}

/* A waiting writer blocks new readers (tryrlock fails, rlock waits) and gets in as soon as
 * the old reader leaves; the blocked reader then gets in when the writer unlocks. */
static void *late_reader(void *p) {
    wq_arg *a = (wq_arg *)p;
    gs_rwmutex_rlock(&a->rw);
    CHECK(a->got == 1); /* the writer went first */
    gs_rwmutex_runlock(&a->rw);
    return NULL;
}

TEST(TestWriterBlocksNewReaders) {
    wq_arg a;
    memset(&a, 0, sizeof a);
    gs_rwmutex_rlock(&a.rw);
    pthread_t w = spawn(pending_writer, &a);
    while (!a.phase)
        sleep_ns(100000);
    /* wait until the writer has announced itself: tryrlock then fails */
    int64_t deadline = now_ns() + 10000000000LL;
    while (gs_rwmutex_tryrlock(&a.rw)) {
        gs_rwmutex_runlock(&a.rw);
        CHECK_LT(now_ns(), deadline);
        sleep_ns(100000);
    }
    pthread_t r = spawn(late_reader, &a);
    sleep_ns(20000000);
    CHECK_EQ(a.got, 0);
    gs_rwmutex_runlock(&a.rw); /* the old reader leaves: the writer gets in */
    deadline = now_ns() + 10000000000LL;
    while (!a.got) {
        CHECK_LT(now_ns(), deadline);
        sleep_ns(100000);
    }
    a.phase = 2;
    join(w);
    join(r);
}

/* A reader queued behind a long write section sleeps: queued readers spin a little (up to
 * 25 us after queueing, GS__RW_READER_SPIN_NS) and then wait on the futex. The bound is far
 * above a correct reader's CPU time (the spin and a few system calls) and far below the
 * write section, which a reader that never stopped spinning would burn whole. */
typedef struct {
    gs_rwmutex rw;
    _Atomic int queued, read, go; /* rounds: queued, done reading; the writer's go-ahead */
    _Atomic int64_t cpu_ns;
} sleeper_arg;

static int64_t thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *sleepy_reader(void *p) {
    sleeper_arg *a = (sleeper_arg *)p;
    for (int round = 1; round <= 2; round++) { /* the second after a long wait, as well */
        while (a->go < round)
            sleep_ns(100000);
        int64_t t0 = thread_cpu_ns();
        a->queued = round;
        gs_rwmutex_rlock(&a->rw);
        a->cpu_ns += thread_cpu_ns() - t0;
        gs_rwmutex_runlock(&a->rw);
        a->read = round;
    }
    return NULL;
}

TEST(TestQueuedReaderSleeps) {
    sleeper_arg a;
    memset(&a, 0, sizeof a);
    pthread_t r = spawn(sleepy_reader, &a);
    for (int round = 1; round <= 2; round++) {
        gs_rwmutex_lock(&a.rw);
        a.go = round;
        while (a.queued < round)
            sleep_ns(100000);
        sleep_ns(300000000); /* the write section: 300 ms with the reader queued */
        gs_rwmutex_unlock(&a.rw);
        while (a.read < round)
            sleep_ns(100000);
    }
    join(r);
    /* both waits together: at most 60 ms of CPU in 600 ms queued */
    CHECK_LT(a.cpu_ns, 60000000);
}

/* A writer behind a continuous stream of overlapping readers gets in; and readers behind a
 * continuous stream of writers get in. Bounds are generous: they catch starvation
 * (which would be seconds or forever), not slowness. */
typedef struct {
    gs_rwmutex rw;
    _Atomic int stop;
    _Atomic long reads, writes;
} flood_arg;

static void flood_reader(void *p, int index) {
    flood_arg *a = (flood_arg *)p;
    (void)index;
    while (!a->stop) {
        gs_rwmutex_rlock(&a->rw);
        a->reads++;
        sleep_ns(200000); /* long overlapping holds: the lock is never free of readers */
        gs_rwmutex_runlock(&a->rw);
    }
}

static void flood_writer(void *p, int index) {
    flood_arg *a = (flood_arg *)p;
    (void)index;
    while (!a->stop) {
        gs_rwmutex_lock(&a->rw);
        a->writes++;
        sleep_ns(200000);
        gs_rwmutex_unlock(&a->rw);
    }
}

typedef struct {
    flood_arg *a;
    int n;
    void (*fn)(void *, int);
} flood_job;

static void *run_flood(void *p) {
    flood_job *j = (flood_job *)p;
    run_threads(j->n, j->fn, j->a);
    return NULL;
}

TEST(TestWriterNotStarvedByReaders) {
    flood_arg a;
    memset(&a, 0, sizeof a);
    flood_job j = {&a, 8, flood_reader};
    pthread_t t = spawn(run_flood, &j);
    while (a.reads < 16)
        sleep_ns(100000);
    int64_t worst = 0;
    for (int i = 0; i < 20; i++) {
        int64_t start = now_ns();
        gs_rwmutex_lock(&a.rw);
        int64_t waited = now_ns() - start;
        gs_rwmutex_unlock(&a.rw);
        if (waited > worst)
            worst = waited;
        sleep_ns(1000000);
    }
    a.stop = 1;
    join(t);
    CHECK_LT(worst, 2000000000LL);
    printf("     writer behind 8 readers: worst wait %.2f ms\n", (double)worst / 1e6);
}

TEST(TestReadersNotStarvedByWriters) {
    flood_arg a;
    memset(&a, 0, sizeof a);
    flood_job j = {&a, 4, flood_writer};
    pthread_t t = spawn(run_flood, &j);
    while (a.writes < 8)
        sleep_ns(100000);
    int64_t worst = 0;
    for (int i = 0; i < 20; i++) {
        int64_t start = now_ns();
        gs_rwmutex_rlock(&a.rw);
        int64_t waited = now_ns() - start;
        gs_rwmutex_runlock(&a.rw);
        if (waited > worst)
            worst = waited;
        sleep_ns(1000000);
    }
    a.stop = 1;
    join(t);
    CHECK_LT(worst, 2000000000LL);
    printf("     reader behind 4 writers: worst wait %.2f ms\n", (double)worst / 1e6);
}

typedef struct {
    gs_rwmutex rw;
    _Atomic int ready;
    _Atomic int release;
    int write;
} rw_holder;

static void *rw_hold(void *p) {
    rw_holder *h = (rw_holder *)p;
    if (h->write)
        gs_rwmutex_lock(&h->rw);
    else
        gs_rwmutex_rlock(&h->rw);
    h->ready = 1;
    while (!h->release)
        sleep_ns(100000);
    if (h->write)
        gs_rwmutex_unlock(&h->rw);
    else
        gs_rwmutex_runlock(&h->rw);
    return NULL;
}

TEST(TestTimeouts) {
    rw_holder h;
    memset(&h, 0, sizeof h);
    /* free: both succeed at once */
    CHECK(gs_rwmutex_lock_timeout(&h.rw, 1000000));
    CHECK(!gs_rwmutex_rlock_timeout(&h.rw, 0));
    CHECK(!gs_rwmutex_lock_timeout(&h.rw, -1));
    gs_rwmutex_unlock(&h.rw);
    CHECK(gs_rwmutex_rlock_timeout(&h.rw, 1000000));
    CHECK(gs_rwmutex_rlock_timeout(&h.rw, 0));
    CHECK(!gs_rwmutex_lock_timeout(&h.rw, 0));
    gs_rwmutex_runlock(&h.rw);
    gs_rwmutex_runlock(&h.rw);

    /* write-held by another thread: readers and writers give up, never early */
    h.write = 1;
    pthread_t t = spawn(rw_hold, &h);
    while (!h.ready)
        sleep_ns(100000);
    for (int64_t ms = 1; ms <= 16; ms *= 4) {
        int64_t start = now_ns();
        CHECK(!gs_rwmutex_rlock_timeout(&h.rw, ms * 1000000));
        CHECK_GE(now_ns() - start, ms * 1000000);
        start = now_ns();
        CHECK(!gs_rwmutex_lock_timeout(&h.rw, ms * 1000000));
        CHECK_GE(now_ns() - start, ms * 1000000);
    }
    h.release = 1;
    CHECK(gs_rwmutex_rlock_timeout(&h.rw, 60LL * 1000000000));
    gs_rwmutex_runlock(&h.rw);
    join(t);

    /* read-held: a writer gives up; other readers still get in meanwhile */
    memset(&h, 0, sizeof h);
    t = spawn(rw_hold, &h);
    while (!h.ready)
        sleep_ns(100000);
    int64_t start = now_ns();
    CHECK(!gs_rwmutex_lock_timeout(&h.rw, 10000000));
    CHECK_GE(now_ns() - start, 10000000);
    CHECK(gs_rwmutex_tryrlock(&h.rw)); /* the writer that gave up no longer blocks readers */
    gs_rwmutex_runlock(&h.rw);
    h.release = 1;
    CHECK(gs_rwmutex_lock_timeout(&h.rw, 60LL * 1000000000));
    gs_rwmutex_unlock(&h.rw);
    join(t);
}

/* A writer that times out while readers queued behind it lets them in at once, though the
 * old reader still holds the lock. */
typedef struct {
    gs_rwmutex rw;
    _Atomic int got;
} queued_arg;

static void *queued_reader(void *p) {
    queued_arg *a = (queued_arg *)p;
    gs_rwmutex_rlock(&a->rw);
    a->got = 1;
    gs_rwmutex_runlock(&a->rw);
    return NULL;
}

static void *timed_writer(void *p) {
    queued_arg *a = (queued_arg *)p;
    CHECK(!gs_rwmutex_lock_timeout(&a->rw, 200000000));
    return NULL;
}

TEST(TestTimedOutWriterReleasesQueuedReaders) {
    queued_arg a;
    memset(&a, 0, sizeof a);
    gs_rwmutex_rlock(&a.rw); /* the old reader, held throughout */
    pthread_t w = spawn(timed_writer, &a);
    int64_t deadline = now_ns() + 10000000000LL;
    while (gs_rwmutex_tryrlock(&a.rw)) { /* until the writer is pending */
        gs_rwmutex_runlock(&a.rw);
        CHECK_LT(now_ns(), deadline);
        sleep_ns(100000);
    }
    pthread_t r = spawn(queued_reader, &a);
    join(w); /* the writer gives up after 200 ms */
    join(r); /* and the queued reader got in, with the old reader still there */
    CHECK_EQ(a.got, 1);
    gs_rwmutex_runlock(&a.rw);
    CHECK(gs_rwmutex_trylock(&a.rw));
    gs_rwmutex_unlock(&a.rw);
}

/* Readers that time out in the queue leave it cleanly: the writer's unlock then admits
 * only the remaining ones, and the counts end at zero (trylock succeeds). */
static void *queued_timed_reader(void *p) {
    gs_rwmutex *rw = (gs_rwmutex *)p;
    CHECK(!gs_rwmutex_rlock_timeout(rw, 20000000));
    return NULL;
}

TEST(TestTimedOutReadersLeaveQueue) {
    static gs_rwmutex rw;
    gs_rwmutex_lock(&rw);
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        t[i] = spawn(queued_timed_reader, &rw);
    for (int i = 0; i < 8; i++)
        join(t[i]);
    gs_rwmutex_unlock(&rw);
    CHECK(gs_rwmutex_trylock(&rw));
    gs_rwmutex_unlock(&rw);
    CHECK(gs_rwmutex_tryrlock(&rw));
    gs_rwmutex_runlock(&rw);
}

/* Many threads, every operation mixed, with a multi-word record written under the write
 * lock and checked whole under the read lock. */
#define WORDS 16
typedef struct {
    gs_rwmutex rw;
    uint64_t rec[WORDS];
    long writes_done;
    long loops;
    _Atomic int writers_in, readers_in;
} mix_arg;

static void check_record(mix_arg *a) {
    for (int k = 1; k < WORDS; k++)
        if (a->rec[k] != a->rec[0])
            GS_T_FAIL("torn record at word %d", k);
}

static void mix_worker(void *p, int index) {
    mix_arg *a = (mix_arg *)p;
    unsigned seed = (unsigned)index * 7919u + 17;
    for (long i = 0; i < a->loops; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned op = (seed >> 16) % 8;
        if (op < 2) { /* write */
            bool got = true;
            if (op == 0)
                gs_rwmutex_lock(&a->rw);
            else
                got = gs_rwmutex_lock_timeout(&a->rw, (int64_t)(seed % 100000));
            if (!got && !gs_rwmutex_trylock(&a->rw))
                continue;
            if (++a->writers_in != 1 || a->readers_in != 0)
                GS_T_FAIL("writer not alone");
            check_record(a);
            a->writes_done++;
            for (int k = 0; k < WORDS; k++)
                a->rec[k] = (uint64_t)a->writes_done;
            a->writers_in--;
            gs_rwmutex_unlock(&a->rw);
        } else { /* read */
            bool got = true;
            if (op < 5)
                gs_rwmutex_rlock(&a->rw);
            else if (op < 7)
                got = gs_rwmutex_rlock_timeout(&a->rw, (int64_t)(seed % 100000));
            else
                got = gs_rwmutex_tryrlock(&a->rw);
            if (!got)
                continue;
            a->readers_in++;
            if (a->writers_in != 0)
                GS_T_FAIL("reader with a writer");
            check_record(a);
            if ((seed & 31) == 0)
                sched_yield();
            a->readers_in--;
            gs_rwmutex_runlock(&a->rw);
        }
    }
}

TEST(TestStressMixed64) {
    static mix_arg a;
    a.loops = scaled(4000);
    run_threads(64, mix_worker, &a);
    CHECK_EQ((long)a.rec[0], a.writes_done);
    CHECK(gs_rwmutex_trylock(&a.rw));
    gs_rwmutex_unlock(&a.rw);
    printf("     %ld writes\n", a.writes_done);
}

/* The object holding the lock is freed by the thread that acquires it right after the
 * previous holder's release (read or write); ASan reports any touch after the release. */
typedef struct {
    gs_rwmutex rw;
    _Atomic int waiting;
} rw_box;

static void *rlock_and_free(void *p) {
    rw_box *b = (rw_box *)p;
    b->waiting = 1;
    gs_rwmutex_rlock(&b->rw);
    gs_rwmutex_runlock(&b->rw);
    free(b);
    return NULL;
}

static void *lock_and_free(void *p) {
    rw_box *b = (rw_box *)p;
    b->waiting = 1;
    gs_rwmutex_lock(&b->rw);
    gs_rwmutex_unlock(&b->rw);
    free(b);
    return NULL;
}

TEST(TestReleaseThenFree) {
    for (long i = 0; i < scaled(1000); i++) {
        rw_box *b = (rw_box *)calloc(1, sizeof *b);
        bool writer_first = i % 2;
        if (writer_first)
            gs_rwmutex_lock(&b->rw);
        else
            gs_rwmutex_rlock(&b->rw);
        pthread_t t = spawn(writer_first ? rlock_and_free : lock_and_free, b);
        while (!b->waiting)
            sched_yield();
        if (i % 4 >= 2)
            sleep_ns(20000); /* let it sleep in the slow path sometimes */
        if (writer_first)
            gs_rwmutex_unlock(&b->rw);
        else
            gs_rwmutex_runlock(&b->rw);
        join(t);
    }
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    RUN(TestRWMutexMisuse);
    RUN(TestZeroValueAndInit);
    RUN(TestParallelReaders);
    RUN(TestRWMutex);
    RUN(TestRLocker);
    RUN(TestWriterBlocksNewReaders);
    RUN(TestQueuedReaderSleeps);
    RUN(TestWriterNotStarvedByReaders);
    RUN(TestReadersNotStarvedByWriters);
    RUN(TestTimeouts);
    RUN(TestTimedOutWriterReleasesQueuedReaders);
    RUN(TestTimedOutReadersLeaveQueue);
    RUN(TestStressMixed64);
    RUN(TestReleaseThenFree);
    return 0;
}
