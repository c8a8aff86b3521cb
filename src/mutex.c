/* src/mutex.c: gs_mutex, Go's sync.Mutex on one 32-bit word and a queue of waiter records.
 *
 * State word (gs_mutex.state):
 *
 *   bit  0   LOCKED   the mutex is held, or handed to a queued waiter that has not run yet
 *   bit  1   DESIG    the queue's head has been woken and will look at the word again (the
 *                     "designated" waiter): an unlock need not wake anyone
 *   bit  2   QSPIN    the queue's spinlock: its holder alone changes the mutex's queue and
 *                     the records in it, and decides wake-ups and handoffs
 *   bit  3   WAITING  the queue is not empty: every unlock comes to the library
 *
 * Waiters queue as records (struct gs__mrec) on their own stacks, oldest first, and each
 * sleeps on its own record's word: WAIT (asleep, or about to be), WOKEN (an unlock made it
 * the designated waiter), HANDED (an unlock handed it the lock). A record stays queued
 * until its thread owns the lock or leaves (timeout), so the queue's order is the order in
 * which the waiters first came, and the head is the oldest waiter, woken or not.
 *
 * Queues: gs_mutex is one word, so the queues live in a global table of slots, by hashed
 * address (GS__MUTEX_SLOTS). A slot's list holds the records of every mutex hashed to it,
 * in queueing order; mu's queue is its records in that list. Only the holder of mu's QSPIN
 * changes mu's queue; the slot's own lock (a leaf, taken only under some QSPIN, held for a
 * few list operations) guards the list against the other mutexes of the slot. So the
 * protocol is that of one queue per mutex, under QSPIN, and the slot table is the data
 * structure below it. Each slot also holds the handoff pacing of its mutexes and the
 * adaptive spin's score; a mutex sharing a slot shifts those, never the protocol: it counts
 * towards the clock reads, but the gap between two handoffs is kept per mutex (in the new
 * head's record), and its unlocks never move the slot's next check past the due time of the
 * slot's oldest waiter, whichever mutex that is. The slot counts the mutexes that have
 * waiters queued in it (nmu) to tell when it is shared.
 *
 * Invariants the code relies on (the model checks them, see Verification below):
 *   QSPIN clear => WAITING says whether the queue is non-empty, and DESIG whether exactly
 *                  one queued thread holds the woken role
 *   a queued record is written only under QSPIN, or by its own thread (giving up its role);
 *   a popped record only by the unlocker that popped it (HANDED); a thread returns from a
 *   wait only when its record is out of the queue
 *   a handed lock keeps LOCKED set from the unlock until its new owner unlocks it
 *
 * Transitions (each one atomic read-modify-write of the word; decisions from the value
 * the RMW replaced):
 *   lock fast path    set LOCKED (fetch-or, acquire; inline): takes a free lock, barging
 *                     past queued waiters; changes nothing if held or handed
 *   unlock fast path  LOCKED -> 0 when nothing else is set: nobody queued (load, CAS
 *                     release; inline: GS__MUTEX_QUIET_RELEASE)
 *   queue             held, !QSPIN: set QSPIN and WAITING; push the record (WAIT) at the
 *                     back; drop QSPIN; sleep on the record
 *   take              !LOCKED: set LOCKED (clearing DESIG if we hold the role); a queued
 *                     thread then takes QSPIN and unlinks its record
 *   give up the role  woken, and the lock was re-taken: CAS the record WOKEN -> WAIT
 *                     (finding HANDED: the lock is ours), then clear DESIG while the lock is
 *                     held and QSPIN free, or take the lock if it was freed; sleep again,
 *                     still the head (nsync's rule: the next unlock wakes it again)
 *   unlock, library   nobody queued, or DESIG and no handoff due: clear LOCKED. Else take
 *                     QSPIN (LOCKED still held) and, if the head has waited over
 *                     GS__STARVE_NS and the last handoff of this mutex was over
 *                     GS__HANDOFF_GAP_NS ago: hand off (below). Else, DESIG set: release
 *                     both; else set DESIG, write the head's record WOKEN, clear QSPIN and
 *                     LOCKED in one CAS, wake the head
 *   hand off          pop the head; clear DESIG if its record still says WOKEN; drop QSPIN
 *                     with LOCKED still set (no arriving thread can take the lock); then
 *                     store HANDED in the record (release) and wake it
 *   time out          take QSPIN, held lock or not. Popped by a handoff: wait for HANDED,
 *                     own the lock. Else unlink the record, clear DESIG if the role is ours
 *                     (held, or our record says WOKEN), take the lock if it is free (so that
 *                     no free lock is left with sleepers and nobody to wake them), and drop
 *                     QSPIN, in one CAS
 *
 * After the RMW that releases the lock (or drops QSPIN of a handed one), an unlock touches
 * only the record's address, to wake it, and the global slot: the next owner may free the
 * mutex at once (glibc BZ 13690), and the woken thread may return and reuse its stack (a
 * wake on a reused address is a spurious wake-up, which every wait here re-checks).
 *
 * Why a queue (docs/PERFORMANCE.md, "2026-11-27" and "gs_mutex on the queue"): the design before
 * kept only counts in the word, and a futex cannot wake a chosen thread, so a handoff went to
 * whichever starver claimed it first (verify/FINDINGS.md F7) and each one cost a wake-up
 * of a thread that could lose the race. A record names the thread a handoff serves: the
 * head, oldest first, and nobody else can take it. Under contention the woken head usually
 * finds the lock re-taken by a running thread and sleeps again (the lock keeps its
 * throughput).
 *
 * Fairness (Go's, made strict, with a throughput floor): a running thread may barge in at
 * any unlock that does not hand off. Once the head has waited over GS__STARVE_NS (Go's
 * starvation threshold, 1 ms), an unlock hands it the lock, at most one handoff per
 * GS__HANDOFF_GAP_NS (100 us) per mutex: a handoff costs a wake-up and a context switch
 * (the lock is idle until the new owner runs), and handing off at every unlock would run
 * the lock at the speed of context switches (Go's collapse, golang/go#33747). So every
 * unlock that finds waiters queued comes to the library and counts towards the next
 * handoff, also while the head is already woken: a draft released those inline (the word
 * said "a waiter is woken, nobody to wake"), and its woken heads, waiting for a CPU while
 * nobody looked at the clock, were served late (worst waits up to 12 ms at 8 threads and
 * 10 ms at 32 on the dev VM, against 1.1-3.4 ms; docs/PERFORMANCE.md). Reading the clock costs
 * about as much as an uncontended lock+unlock, so those unlocks read it one in GS__CLOCK_EVERY
 * while they come fast; an unlock that wakes the head (a system call) always reads it.
 *
 * Spinning: an arriving thread spins GS__SPIN_LIMIT looks, backing off 1, 2, 4, ... up to
 * GS__SPIN_BACKOFF PAUSEs between them, while nobody is queued, or behind a queue while
 * spinning has been paying on this mutex's slot: a spin that got the lock raises a score
 * (to 16), one that queued anyway lowers it by 2, and one arrival in 32 spins regardless,
 * to notice when it would pay again (without the spin behind a queue, -DGS__SPIN_BEHIND=0,
 * mutex/work ran at 0.70-0.84x pthread at 8 and 32 threads on the dev VM, against 0.68-2.28x
 * with it in the same three rounds; mutex/short and rw/w1 did not move beyond the spread).
 * Only when the process may run on more than one CPU
 * (gs__ncpu: the process's count, not the calling thread's). Threads waiting for QSPIN or
 * a slot's lock (held for a few instructions) PAUSE, yield after 64 looks (at once on one
 * CPU), and nap 20 us after 4 yields, so that a preempted holder gets to run.
 *
 * The watch (machines with GS__WATCH_MIN_CPUS or more CPUs): a woken head that finds the
 * lock free first watches the word for GS__WATCH_PAUSES PAUSEs; if a running thread re-takes
 * it meanwhile, the head gives its role up as if it had lost the race. Taking the lock in a
 * running holder's unlock-to-relock gap moves the lock and its data to the waiter's CPU
 * while the holder goes on running: on many cores a cache-line migration per acquisition
 * (measured with the design before: mutex/short at 8 threads 3.2x on a 16-core Xeon). It is
 * a delay, which the model lets any thread take between two steps.
 *
 * Known weakness: short timed locks retried at once. A timed caller queues at the back and
 * sleeps on its record, which only an unlock that reaches it as the head wakes, so a deadline
 * of tens of microseconds behind a queue mostly runs out asleep, and each retry pays another
 * sleep and wake-up. The design before slept on the lock word, which every lock and unlock
 * changes, and caught the lock free more often: in the mixed stress beside two busy loops
 * 2-5 failed attempts per timed acquisition against 5-17 here, with about 3x the context
 * switches and 2.5x the CPU time. Where the holder shares a CPU with such callers (a pinned
 * process, valgrind), their sleeps and wake-ups take its time (docs/PERFORMANCE.md, "Under
 * CPU load"). QSPIN is seldom waited for there, and a QSPIN whose waiters sleep did not help.
 *
 * Verification: verify/mutex.pml models this protocol bit for bit (QSPIN sections, the
 * records, timeouts), and make verify checks exclusion, the invariants above, no lost wake-up or
 * deadlock with 3 threads, and that every lock call returns; seeded bugs must give counterexamples
 * (docs/VERIFICATION.md).
 *
 * Limits: none on the number of waiters (records are on the waiters' stacks).
 */
#include <gosync/mutex.h>

#include "internal/atomic.h"
#include "internal/common.h"
#include "internal/mutex.h"
#include "internal/profile.h"
#include "internal/wait.h"

#undef gs_mutex_lock
#undef gs_mutex_unlock
#include "internal/annotate.h" /* TSan/valgrind builds: public names defined in annotate.c */

enum {
    GS__LOCKED = 1u << 0,
    GS__DESIG = 1u << 1,
    GS__QSPIN = 1u << 2,
    GS__WAITING = 1u << 3,
};

/* The inline paths in include/gosync/mutex.h, and GS__MUTEX_QUIET_RELEASE there, are
 * compiled into users' code with these bits: the layout of bits 0..15 is part of the ABI.
 * Quiet release means the word is 1: held, nobody queued. Headers from before the queue also
 * released in place when bits 0..15 were 3 (LOCKED and DESIG). The library writes 3 in one
 * case only: a handoff that empties the queue while its head is giving the woken role up
 * (the head clears DESIG itself). Only the handed head may unlock then, and it clears DESIG
 * before its lock call returns, so no unlock, old header or new, sees 3. */
_Static_assert(GS__LOCKED == 1 && GS__DESIG == 2 && (GS__QSPIN & 0xfffcu) == GS__QSPIN &&
                   (GS__WAITING & 0xfffcu) == GS__WAITING,
               "the inline paths in include/gosync/mutex.h test bits 0..15");

/* A waiter's record: on its thread's stack, queued in its mutex's slot. */
enum { GS__REC_WAIT = 0, GS__REC_WOKEN = 1, GS__REC_HANDED = 2 };
struct gs__mrec {
    uint32_t state; /* GS__REC_*: its thread sleeps on this word */
    bool inq;       /* queued: under the mutex's QSPIN */
    const gs_mutex *mu;
    struct gs__mrec *next, *prev; /* the slot's list: under the slot's lock */
    int64_t since;                /* when the thread first queued (CLOCK_MONOTONIC ns) */
    int64_t not_before;           /* no handoff to it before this time: under QSPIN */
};

/* A waiter blocked longer than this is owed a handoff (Go: 1 ms). */
#ifndef GS__STARVE_NS
#define GS__STARVE_NS 1000000
#endif
/* The least time between two handoffs of one mutex (see Fairness above). */
#ifndef GS__HANDOFF_GAP_NS
#define GS__HANDOFF_GAP_NS 100000
#endif
/* Reading CLOCK_MONOTONIC costs about as much as an uncontended lock+unlock. The unlocks
 * that see the queue read it one in GS__CLOCK_EVERY while they come faster than one per
 * GS__HANDOFF_GAP_NS / 64 since the last read, else every one (see Fairness above). */
#ifndef GS__CLOCK_EVERY
#define GS__CLOCK_EVERY 64
#endif
/* Spinning before queueing (see Spinning above). */
#ifndef GS__SPIN_LIMIT
#define GS__SPIN_LIMIT 12
#endif
#ifndef GS__SPIN_BACKOFF
#define GS__SPIN_BACKOFF 16
#endif
/* Waiting for QSPIN or a slot's lock: 64 PAUSEs, then GS__SPIN_YIELDS yields, then naps of
 * GS__SPIN_NAP_NS between looks (see gs__mutex_spin_wait). */
#ifndef GS__SPIN_YIELDS
#define GS__SPIN_YIELDS 4
#endif
#ifndef GS__SPIN_NAP_NS
#define GS__SPIN_NAP_NS 20000
#endif
#ifndef GS__SPIN_BEHIND /* spin behind a queue while that pays (1), or never (0) */
#define GS__SPIN_BEHIND 1
#endif
/* The watch (see above): its length, and the least CPU count at which it runs. The count is
 * a variable only so that tests/test_mutex.c can run its stress tests through the watch on a
 * 2-CPU machine; nothing else writes it. */
#ifndef GS__WATCH_PAUSES
#define GS__WATCH_PAUSES 64
#endif
#ifndef GS__WATCH_MIN_CPUS
#define GS__WATCH_MIN_CPUS 4
#endif
int gs__mutex_watch_cpus = GS__WATCH_MIN_CPUS;

/* The slot table, by hashed mutex address (see Queues above). The first cache line is
 * written by the mutexes' queueing and unlocking threads, the second by arriving spinners. */
#ifndef GS__MUTEX_SLOTS
#define GS__MUTEX_SLOTS 128
#endif
static struct gs__mslot {
    _Alignas(64) uint32_t lock;       /* the list's lock: a leaf, taken under a QSPIN */
    struct gs__mrec *first, *last;    /* waiters of every mutex hashed here, in queueing order */
    int64_t next_check;               /* pacing: no handoff is due before this time */
    int64_t checked_at;               /* pacing: when an unlock last read the clock */
    uint32_t unlocks;                 /* pacing: unlocks that saw the queue since then */
    uint32_t stride;                  /* pacing: read the clock every stride-th of them */
    uint32_t nmu;                     /* mutexes with waiters queued here: the list's lock */
    _Alignas(64) uint32_t spin_score; /* spinning behind a queue has paid (see Spinning) */
    uint32_t probe;                   /* arrivals, to spin one in 32 regardless */
} gs__mslots[GS__MUTEX_SLOTS];

static inline struct gs__mslot *gs__mslot_of(const gs_mutex *mu) {
    uintptr_t a = (uintptr_t)mu;
    return &gs__mslots[((a >> 2) ^ (a >> 9) ^ (a >> 16)) % GS__MUTEX_SLOTS];
}

unsigned gs__mutex_slot_index(const gs_mutex *mu) {
    return (unsigned)(gs__mslot_of(mu) - gs__mslots);
}

/* Waiting for a word that another thread holds for a few instructions (QSPIN, a slot's
 * lock): PAUSE, and yield the CPU after a while or at once on one CPU, so that a holder
 * that was preempted gets to run (a pure spin could starve it forever under real-time
 * priorities). */
static void gs__mutex_spin_wait(int *n) {
    int k = ++*n;
    if (k <= 64 && gs__ncpu() > 1) {
        gs__cpu_relax();
    } else if (k <= 64 + GS__SPIN_YIELDS) {
        if (k <= 64)
            *n = 64;
        gs__yield();
    } else {
        /* Still held after the yields: its holder is most likely preempted, and the threads
         * that yield to each other keep it from its CPU. Sleep a moment (off the run
         * queue), then look again. */
        uint32_t idle = 0;
        gs__wait(&idle, 0, gs__now_ns() + GS__SPIN_NAP_NS, GS__TAG_ANY);
        *n = 64;
    }
}

static void gs__mslot_lock(struct gs__mslot *s) {
    int n = 0;
    uint32_t z = 0;
    while (!gs__cas_acquire32(&s->lock, &z, 1)) {
        gs__mutex_spin_wait(&n);
        z = 0;
    }
}

static void gs__mslot_unlock(struct gs__mslot *s) { gs__store_release32(&s->lock, 0); }

/* The queue of mu: its records in the slot's list. Called under mu's QSPIN, which alone
 * changes mu's queue; the slot's lock guards the list, shared with the other mutexes that
 * hash to the slot. */
static struct gs__mrec *gs__mq_head_locked(struct gs__mslot *s, const gs_mutex *mu) {
    struct gs__mrec *r = s->first;
    while (r && r->mu != mu)
        r = r->next;
    return r;
}

/* mu's head; in *oldest when the oldest record of the whole slot (any mutex's) first
 * queued, read under the slot's lock, since that record's thread may return once it is
 * unlinked; in *shared whether other mutexes have waiters queued in the slot. */
static struct gs__mrec *gs__mq_head(struct gs__mslot *s, const gs_mutex *mu, int64_t *oldest,
                                    bool *shared) {
    gs__mslot_lock(s);
    struct gs__mrec *r = gs__mq_head_locked(s, mu);
    *oldest = s->first->since;
    *shared = s->nmu > 1;
    gs__mslot_unlock(s);
    return r;
}

/* first: r's mutex had nobody queued (WAITING was clear under QSPIN). */
static void gs__mq_push(struct gs__mslot *s, struct gs__mrec *r, bool first) {
    gs__mslot_lock(s);
    s->nmu += first;
    r->inq = true;
    r->next = NULL;
    r->prev = s->last;
    if (s->last)
        s->last->next = r;
    else
        s->first = r;
    s->last = r;
    gs__mslot_unlock(s);
}

/* Takes r out; returns the head of r's mutex's queue after that (NULL: empty). */
static struct gs__mrec *gs__mq_unlink(struct gs__mslot *s, struct gs__mrec *r, bool *shared) {
    gs__mslot_lock(s);
    r->inq = false;
    struct gs__mrec *n = r->next;
    if (r->prev)
        r->prev->next = n;
    else
        s->first = n;
    if (n)
        n->prev = r->prev;
    else
        s->last = r->prev;
    n = gs__mq_head_locked(s, r->mu);
    s->nmu -= n == NULL;
    if (shared)
        *shared = s->nmu > (n != NULL);
    gs__mslot_unlock(s);
    return n;
}

/* Takes QSPIN. */
static void gs__qspin_acquire(uint32_t *word) {
    int n = 0;
    for (;;) {
        uint32_t w = gs__load_relaxed32(word);
        if (!(w & GS__QSPIN) && gs__cas_acquire32(word, &w, w | GS__QSPIN))
            return;
        gs__mutex_spin_wait(&n);
    }
}

/* Drops QSPIN, clearing WAITING if the queue is empty, clearing the bits in clear
 * and setting those in set (LOCKED in set: take the lock if it is free), in one CAS loop:
 * other threads change LOCKED meanwhile. Returns the word it replaced. */
static uint32_t gs__qspin_release(uint32_t *word, bool empty, uint32_t clear, uint32_t set) {
    uint32_t c = gs__load_relaxed32(word), n;
    do {
        n = (c & ~(GS__QSPIN | clear)) | set;
        if (empty)
            n &= ~GS__WAITING;
    } while (!gs__cas_acq_rel32(word, &c, n));
    return c;
}

/* Counts an unlock that sees the queue; returns whether a handoff may be due, with the
 * clock in *now when it read it. Relaxed: the fields only pace handoffs. A mutex that shares
 * the slot shifts which unlock reads the clock; it never pushes next_check past the due time
 * of the slot's oldest waiter, nor past its own gap while others queue in the slot (see
 * gs__mutex_unlock_slow). */
static bool gs__mutex_due(struct gs__mslot *s, int64_t *now) {
    uint32_t n = gs__load_relaxed32(&s->unlocks) + 1;
    if (n < gs__load_relaxed32(&s->stride)) {
        gs__store_relaxed32(&s->unlocks, n);
        return false;
    }
    *now = gs__now_ns();
    int64_t since = *now - (int64_t)gs__load_relaxed64((uint64_t *)&s->checked_at);
    bool fast = since < (int64_t)n * (GS__HANDOFF_GAP_NS / 64);
    gs__store_relaxed32(&s->stride, fast ? GS__CLOCK_EVERY : 1);
    gs__store_relaxed32(&s->unlocks, 0);
    gs__store_relaxed64((uint64_t *)&s->checked_at, (uint64_t)*now);
    return *now >= (int64_t)gs__load_relaxed64((uint64_t *)&s->next_check);
}

/* The adaptive spin's score (see Spinning above). */
static void gs__spin_paid(struct gs__mslot *s) {
    uint32_t sc = gs__load_relaxed32(&s->spin_score);
    if (sc < 16)
        gs__store_relaxed32(&s->spin_score, sc + 1);
}

static void gs__spin_missed(struct gs__mslot *s) {
    uint32_t sc = gs__load_relaxed32(&s->spin_score);
    gs__store_relaxed32(&s->spin_score, sc > 2 ? sc - 2 : 0);
}

/* A queued waiter out of time leaves ("time out" above). desig: we hold the woken role as
 * far as we have seen. Returns 0 if we left without the lock, 1 if we found the lock free
 * and took it instead, 2 if a handoff popped our record first (the lock is ours once the
 * record says HANDED). */
static int gs__mutex_leave(uint32_t *word, struct gs__mslot *s, struct gs__mrec *me, bool desig) {
    gs__qspin_acquire(word);
    if (!me->inq) { /* a handoff popped us: HANDED is coming */
        gs__qspin_release(word, false, 0, 0);
        uint32_t st;
        while ((st = gs__load_acquire32(&me->state)) != GS__REC_HANDED)
            gs__wait(&me->state, st, GS__NO_DEADLINE, GS__TAG_ANY);
        return 2;
    }
    bool d = desig || gs__load_relaxed32(&me->state) == GS__REC_WOKEN;
    bool empty = gs__mq_unlink(s, me, NULL) == NULL;
    uint32_t c = gs__qspin_release(word, empty, d ? GS__DESIG : 0u, GS__LOCKED);
    return !(c & GS__LOCKED);
}

/* Waits for the lock until deadline_ns; returns whether it was acquired. */
static GS__NOINLINE bool gs__mutex_lock_wait(gs_mutex *mu, int64_t deadline_ns) {
    GS__PROFILE_WAIT(mu); /* contention profiling (src/profile.c) */
    uint32_t *word = &mu->state;
    struct gs__mslot *s = gs__mslot_of(mu);
    struct gs__mrec me;
    me.state = GS__REC_WAIT;
    me.inq = false;
    me.mu = mu;
    me.next = me.prev = NULL;
    me.since = 0;
    me.not_before = 0;
    const bool timed = deadline_ns != GS__NO_DEADLINE;
    bool queued = false, desig = false, spin_ok = false, spun_behind = false;
    int qspins = 0, delay = 1, left;

    /* (spins stops counting once past the spin: a queued waiter loops once per wake-up) */
    for (int spins = 0;; spins += spins <= GS__SPIN_LIMIT) {
        uint32_t w = gs__load_relaxed32(word);
        if (!(w & GS__LOCKED)) {
            /* Take a free lock; the woken head ends its role with it. acquire: pairs with
             * the release of the unlock that cleared LOCKED. */
            if (!gs__cas_acquire32(word, &w, (w | GS__LOCKED) & ~(desig ? GS__DESIG : 0u)))
                continue;
            if (spun_behind)
                gs__spin_paid(s);
            if (queued) { /* we own the lock: take our record out */
                gs__qspin_acquire(word);
                bool empty = gs__mq_unlink(s, &me, NULL) == NULL;
                gs__qspin_release(word, empty, 0, 0);
            }
            return true;
        }
        if (!queued) {
            /* Spin: while nobody queues, or behind a queue while that has paid lately (and
             * one arrival in 32 regardless). Decided at the first look only: an arrival that
             * found the lock free there and lost the race for it does not spin at all.
             * Letting it decide at its next look instead ran mutex/short at 32 threads at
             * 1.6-1.9x pthread against 2.4-3.0x (dev VM, three rounds alternating). */
            if (spins == 0) {
                spin_ok =
                    gs__ncpu() > 1 &&
                    (!(w & GS__WAITING) ||
                     (GS__SPIN_BEHIND && (gs__load_relaxed32(&s->spin_score) > 0 ||
                                          (gs__fetch_add_relaxed32(&s->probe, 1) & 31) == 0)));
            }
            if (spins == GS__SPIN_LIMIT && spun_behind) {
                gs__spin_missed(s);
                spun_behind = false;
            }
            if (spin_ok && spins < GS__SPIN_LIMIT) {
                if (w & GS__WAITING)
                    spun_behind = true;
                for (int k = 0; k < delay; k++)
                    gs__cpu_relax();
                if (delay < GS__SPIN_BACKOFF)
                    delay <<= 1;
                continue;
            }
            if (w & GS__QSPIN) {
                gs__mutex_spin_wait(&qspins);
                continue;
            }
            if (timed && gs__now_ns() >= deadline_ns)
                return false;
            /* Queue at the back: QSPIN and WAITING, the record, QSPIN dropped. */
            if (!gs__cas_acquire32(word, &w, w | GS__QSPIN | GS__WAITING))
                continue;
            if (!me.since)
                me.since = gs__now_ns();
            gs__store_relaxed32(&me.state, GS__REC_WAIT);
            gs__mq_push(s, &me, !(w & GS__WAITING));
            queued = true;
            gs__qspin_release(word, false, 0, 0);
        } else {
            /* Woken, and the lock was taken again. */
            if (timed && gs__now_ns() >= deadline_ns)
                goto timed_out;
            /* Give the role up: the record first (a CAS that finds HANDED if a handoff
             * came), then DESIG, while the lock is held and QSPIN free; if the lock is
             * freed meanwhile, take it instead. acq_rel: orders the give-up before the next
             * unlocker's WOKEN store. */
            uint32_t st = GS__REC_WOKEN;
            if (!gs__cas_acq_rel32(&me.state, &st, GS__REC_WAIT) && st == GS__REC_HANDED)
                goto handed;
            bool freed = false;
            int n = 0;
            for (;;) {
                uint32_t c = gs__load_relaxed32(word);
                if (!(c & GS__LOCKED)) { /* freed meanwhile: take it, keeping the role */
                    freed = true;
                    break;
                }
                if (c & GS__QSPIN) {
                    gs__mutex_spin_wait(&n);
                    continue;
                }
                if (gs__cas_relaxed32(word, &c, c & ~GS__DESIG)) {
                    desig = false;
                    break;
                }
            }
            if (freed)
                continue;
        }
        /* Asleep on the record until an unlock wakes us (the role) or hands us the lock. */
        while (gs__load_acquire32(&me.state) == GS__REC_WAIT) {
            if (timed && gs__now_ns() >= deadline_ns)
                goto timed_out; /* asleep: we hold no role */
            gs__wait(&me.state, GS__REC_WAIT, deadline_ns, GS__TAG_ANY);
        }
        if (gs__load_acquire32(&me.state) == GS__REC_HANDED)
            goto handed;
        desig = true;
        if (gs__ncpu() >= gs__mutex_watch_cpus) {
            /* The watch: leave a free lock to a running holder that re-takes it within
             * GS__WATCH_PAUSES; look every 8 PAUSEs. */
            for (int k = 1; k <= GS__WATCH_PAUSES; k++) {
                gs__cpu_relax();
                if ((k & 7) == 0 && (gs__load_relaxed32(word) & GS__LOCKED))
                    break;
            }
        }
    }
timed_out:
    /* Queued, asleep or woken, and out of time: leave, unless a handoff came first. */
    left = gs__mutex_leave(word, s, &me, desig);
    if (left != 2)
        return left;
handed:
    /* The unlocker took our record out and left LOCKED set: the lock is ours. The acquire
     * load pairs with its release store of HANDED (the give-up CAS that may have found
     * HANDED fails with relaxed order). If we still hold the role it ends here (the
     * unlocker ended it too if our record said WOKEN). */
    (void)gs__load_acquire32(&me.state);
    if (desig) {
        uint32_t c = gs__load_relaxed32(word);
        while (!gs__cas_relaxed32(word, &c, c & ~GS__DESIG))
            ;
    }
    return true;
}

void gs__mutex_lock_slow(gs_mutex *mu) { gs__mutex_lock_wait(mu, GS__NO_DEADLINE); }

bool gs__mutex_lock_until(gs_mutex *mu, int64_t deadline_ns) {
    /* trylock's load-then-CAS, not the fetch-or of gs_mutex_lock: a failed lock_timeout
     * synchronizes with nothing (docs/API.md), and an acquire fetch-or that finds the lock
     * held would read the holder's value with acquire order. */
    if (GS__LIKELY(gs_mutex_trylock(mu)))
        return true;
    return gs__mutex_lock_wait(mu, deadline_ns);
}

void gs__mutex_unlock_slow(gs_mutex *mu) {
    uint32_t *word = &mu->state;
    struct gs__mslot *s = gs__mslot_of(mu);
    uint32_t w = gs__load_relaxed32(word);
    int64_t now = 0;
    bool due = (w & GS__LOCKED) && (w & GS__WAITING) && gs__mutex_due(s, &now);
    int n = 0;
    for (;;) {
        if (!(w & GS__LOCKED))
            gs__fatal("unlock of unlocked mutex");
        if (!(w & GS__WAITING) || ((w & GS__DESIG) && !due)) {
            /* Nobody to wake: nobody queued, or the head is awake and nothing is due. */
            if (gs__cas_release32(word, &w, w & ~GS__LOCKED))
                return;
            continue;
        }
        if (w & GS__QSPIN) {
            gs__mutex_spin_wait(&n);
            w = gs__load_relaxed32(word);
            continue;
        }
        if (gs__cas_acquire32(word, &w, w | GS__QSPIN))
            break;
    }
    /* Under QSPIN, the lock still held. WAITING was set with QSPIN free: the queue is not
     * empty. */
    int64_t oldest;
    bool shared;
    struct gs__mrec *h = gs__mq_head(s, mu, &oldest, &shared);
    if (!now) { /* this unlock wakes the head, a system call: the clock costs little */
        now = gs__now_ns();
        due = now >= (int64_t)gs__load_relaxed64((uint64_t *)&s->next_check);
    }
    if (due && now - h->since >= GS__STARVE_NS && now >= h->not_before) {
        /* Hand the lock to the head: pop it, keep LOCKED set (no other thread can take the
         * lock now), end its role if its record still says WOKEN (it may be giving the role
         * up at this moment: then it clears DESIG itself, harmlessly, since no unlock can
         * give the role to anyone while the lock is handed), drop QSPIN, and only then
         * write the record HANDED: from that store on, the head may unlock and free the
         * mutex, so after it we touch only the record's address, to wake it. */
        bool others;
        struct gs__mrec *next = gs__mq_unlink(s, h, &others);
        /* The gap: no handoff of this mutex before now + GS__HANDOFF_GAP_NS. The new head
         * carries it, and so does the slot's next check, unless other mutexes have waiters
         * queued in the slot: their handoffs must not wait for ours. */
        if (next)
            next->not_before = now + GS__HANDOFF_GAP_NS;
        if (!others)
            gs__store_relaxed64((uint64_t *)&s->next_check, (uint64_t)(now + GS__HANDOFF_GAP_NS));
        uint32_t clear = gs__load_relaxed32(&h->state) == GS__REC_WOKEN ? GS__DESIG : 0u;
        gs__qspin_release(word, next == NULL, clear, 0);
        gs__store_release32(&h->state, GS__REC_HANDED);
        gs__wake(&h->state, 1, GS__TAG_ANY);
        return;
    }
    if (due) {
        /* No handoff of ours is due before our head's due time and the end of our gap: the
         * next check can wait until then. But while other mutexes queue in the slot, not
         * past its oldest waiter's due time: that waiter may be another mutex's, due
         * already, and pushing past it at each of our unlocks would defer its handoff for
         * as long as ours keep coming (TestFairnessInSharedSlot on the dev VM: the polite
         * thread's 10 acquisitions took 23-69 ms that way, 11-25 ms since, 12-13 ms without
         * the neighbour). */
        int64_t at = h->since + GS__STARVE_NS;
        if (h->not_before > at)
            at = h->not_before;
        if (shared && oldest + GS__STARVE_NS < at)
            at = oldest + GS__STARVE_NS;
        if (at > (int64_t)gs__load_relaxed64((uint64_t *)&s->next_check))
            gs__store_relaxed64((uint64_t *)&s->next_check, (uint64_t)at);
    }
    if (w & GS__DESIG) { /* only the handoff check brought us here: release both */
        gs__qspin_release(word, false, GS__LOCKED, 0);
        return;
    }
    /* Wake the head, which stays queued: DESIG first, then its record, then release QSPIN
     * and LOCKED together. The record's address is all we use after that. */
    gs__fetch_or_acquire32(word, GS__DESIG);
    gs__store_release32(&h->state, GS__REC_WOKEN);
    gs__qspin_release(word, false, GS__LOCKED, 0);
    gs__wake(&h->state, 1, GS__TAG_ANY);
}

void(gs_mutex_lock)(gs_mutex *mu) {
    /* Sets LOCKED: takes a free lock, barging past queued waiters, and changes nothing if it
     * is held or handed over (include/gosync/mutex.h says why not a compare-and-swap). */
    if (GS__UNLIKELY(gs__fetch_or_acquire32(&mu->state, GS__LOCKED) & GS__LOCKED))
        gs__mutex_lock_wait(mu, GS__NO_DEADLINE);
}

void(gs_mutex_unlock)(gs_mutex *mu) {
    uint32_t old = gs__load_relaxed32(&mu->state);
    if (GS__UNLIKELY(!GS__MUTEX_QUIET_RELEASE(old) ||
                     !gs__cas_release32(&mu->state, &old, old & ~GS__LOCKED)))
        gs__mutex_unlock_slow(mu);
}

bool gs_mutex_trylock(gs_mutex *mu) {
    uint32_t old = gs__load_relaxed32(&mu->state);
    /* A handed-over lock keeps LOCKED set: trylock fails, as Go's TryLock in starvation
     * mode. A failed attempt reads with relaxed order: it synchronizes with nothing. */
    if (old & GS__LOCKED)
        return false;
    return gs__cas_acquire32(&mu->state, &old, old | GS__LOCKED);
}

bool gs_mutex_lock_timeout(gs_mutex *mu, int64_t timeout_ns) {
    if (timeout_ns <= 0)
        return gs_mutex_trylock(mu);
    return gs__mutex_lock_until(mu, gs__deadline_after(timeout_ns));
}
