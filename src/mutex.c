/* src/mutex.c: gs_mutex, Go's sync.Mutex on one 32-bit futex word.
 *
 * State word (gs_mutex.state):
 *
 *   bit  0      LOCKED    the mutex is held (or handed off and not yet claimed)
 *   bit  1      WOKEN     a registered waiter has been woken and will look at the word again
 *                         before sleeping; an unlock need not wake another one
 *   bit  2      HANDOFF   an unlock in starvation mode handed the lock over: LOCKED stays set
 *                         and the first starver to see HANDOFF owns the lock
 *   bits 4..15  starvers  registered waiters that have waited over GS__STARVE_NS (Go's
 *                         "starving" waiters); while there is one, the mutex is in
 *                         starvation mode
 *   bits 16..31 waiters   threads registered in the slow path (asleep or about to be),
 *                         starvers included
 *
 * Invariants the code relies on:
 *   HANDOFF  => LOCKED and starvers >= 1  (only a starver may claim it; a starver that times
 *                                          out while HANDOFF is set takes the lock instead
 *                                          of leaving)
 *   starvers <= waiters; WOKEN => waiters >= 1 (every CAS that removes a waiter clears WOKEN)
 *   A registered waiter sleeps on a word with WOKEN set only as the designated waiter, and
 *   then for at most GS__POLL_NS; any other clears WOKEN first. So while WOKEN is set, some
 *   registered waiter is running, is about to be woken by the unlock that set it, or looks
 *   at the word again within GS__POLL_NS; WOKEN can never stick and silence every later
 *   unlock.
 *
 * Wake-ups: an unlock wakes a waiter only while WOKEN is clear, and sets it. The woken
 * waiter (the "designated" one) takes the lock if it is free; if a running thread re-took
 * it first, the designated waiter keeps WOKEN and sleeps GS__POLL_NS (50 us) before it looks
 * again, until it gets the lock (its claim clears WOKEN) or leaves. Before, it cleared WOKEN
 * and slept, so the next unlock woke another waiter: under contention nearly every unlock
 * paid a futex wake (1.7 M futex calls a second at 8 threads on 2 CPUs), and the woken
 * threads' failed attempts pulled the lock's cache line away from the running holder.
 * Keeping the role while polling lets a running thread use the lock at full speed while
 * one waiter checks 20,000 times a second at most; the price is up to GS__POLL_NS of idle
 * lock when it is freed while the designated waiter sleeps. Measured (docs/PERFORMANCE.md):
 * mutex/short at 8 / 32 / 128 threads 1.4-2x the throughput, the worst wait 16 -> 1.4-1.7
 * ms at 8 threads and 40 -> 4 ms at 32. Starvation mode is unchanged: handoffs wake a
 * starver whatever WOKEN says. The poll sleeps through the running holder's own unlocks and
 * relocks: a wait that returns early on a word that changed only in LOCKED is waited again
 * (the loop after gs__wait below; docs/PERFORMANCE.md, "Lock migrations").
 *
 * The watch (machines with GS__WATCH_MIN_CPUS or more CPUs): a designated waiter that is
 * not a starver and finds the lock free does not take it at once. It watches the word for
 * GS__WATCH_PAUSES PAUSEs; if a running thread re-takes the lock meanwhile (the unlock that
 * woke us was a running holder's unlock-to-relock gap), it keeps WOKEN and goes back to its
 * poll; if the lock is still free, it takes it. Taking it in the gap moves the lock, and the
 * data it guards, to the waiter's CPU while the holder goes on running on its own: on many
 * cores that is a cache-line migration per acquisition, and the lock runs at the speed of
 * those. Measured on a quiet 16-core Xeon (docs/PERFORMANCE.md, "2026-11-26, last: the
 * matrix on a lent 16-core machine, and the watch"): mutex/short at 8 threads 3.2x the
 * throughput (11.6-12.0 against 3.6-3.8 M/s; nsync 5.6-6.1), at 32 threads 1.2-1.5x;
 * mutex/work 1.8x at 8 threads, equal at 32; worst waits 1.1-1.9 ms. On 2 CPUs it is a
 * trade: mutex/short gains 9-24% at 8 threads, but on the dev VM it lost 10% at 32 threads
 * and 8% at 128, and mutex/work 14% at 128 (on the Xeon's 2 CPUs, 8% at 32), because
 * waiters left waiting longer become starvers and each handoff to a sleeping starver costs
 * a context switch where no CPU is idle. So it is off below GS__WATCH_MIN_CPUS. The watch
 * only reads the word: no transition is added, and its wait is one of the delays the
 * model (verify/mutex.pml) already lets any thread take between two steps. A starver never
 * watches: the lock it finds free is the one it is owed.
 *
 * Fairness (Go's, made strict, with a throughput floor): a running thread may barge in at
 * any unlock that does not hand off. A waiter that has waited over GS__STARVE_NS registers
 * as a starver and sleeps with its own tag; while there are starvers, an unlock at least
 * GS__HANDOFF_GAP_NS after this mutex's last handoff hands the lock to one of them, and only
 * a starver can take it: not an arriving thread (LOCKED stays set), and not
 * a plain waiter that happens to be awake. (Go hands off to the head of its queue; a futex
 * cannot requeue a thread at the head, and letting any awake waiter claim the handoff let a
 * sleeping starver lose every round: verify/FINDINGS.md F1.) Starvers are not ordered among
 * themselves: the first to claim gets it, so a woken starver can lose a handoff to another
 * starver that is awake at that moment (F7, open; the model shows it can happen every round
 * with 3 threads, in real time it needs the same coincidence each time). A handoff costs
 * a wake-up and a context switch, and under sustained contention every waiter ends up
 * starving, so handing off at every unlock would run the lock at the speed of context
 * switches (Go's collapse, golang/go#33747). So handoffs from one mutex are at least
 * GS__HANDOFF_GAP_NS apart; the unlocks in between are normal ones, so running threads keep
 * the lock busy while the starvers are served one per gap, the longest asleep first (the
 * futex wakes its sleepers in order), races aside (F7). The time of each mutex's last
 * handoff lives in a small global table hashed by address (gs_mutex is one word); a
 * collision only spaces two mutexes' handoffs. Reading the clock costs as much as a whole
 * uncontended lock+unlock, so while a mutex's unlocks that see starvers come fast, only one
 * in GS__CLOCK_EVERY (8) of them reads it (the stride lives in the same table entry): the
 * handoff comes at the first reading unlock past the gap, at most 7 fast unlocks late.
 *
 * Transitions:
 *   lock fast path     set LOCKED (fetch-or, acquire; inline): takes a free lock (a barge
 *                      if waiters are registered); no change if held or handed off
 *   unlock fast path   LOCKED -> !LOCKED when no waiter needs waking (waiters == 0, or WOKEN)
 *                      and no starver or HANDOFF             (load, CAS release; inline)
 *   barge (normal)     !LOCKED -> LOCKED                     (any thread, even with waiters)
 *   register           LOCKED, n -> n+1                      (then sleep on the word, tag WAITER)
 *   wake and retry     take LOCKED if clear (n-1, and s-1 if it starves; clears WOKEN;
 *                      on 4+ CPUs a designated plain waiter first watches: see above);
 *                      else clear WOKEN unless designated (then sleep at most
 *                      GS__POLL_NS), and once it has waited over GS__STARVE_NS, become a
 *                      starver (s+1), look again (a handoff may be waiting for it) and sleep
 *                      with tag STARVER. A plain waiter sleeps at most until it is due to
 *                      become a starver, so none sleeps through starvation mode unpromoted
 *   unlock, normal     clear LOCKED; if n > 0 and !WOKEN: set WOKEN and wake the oldest
 *                      sleeper, starver or not
 *   unlock, starving   (starvers > 0, this unlock reads the clock, and the last handoff
 *                      was over a gap ago) set HANDOFF (LOCKED stays); wake one STARVER
 *   claim handoff      (a starver) clear HANDOFF and WOKEN, n-1, s-1
 *   time out           take the lock if it is free, or if HANDOFF and we starve (a timed-out
 *                      waiter never swallows a handoff); else n-1 (and s-1), clear WOKEN
 *
 * Each transition is one atomic read-modify-write, and an unlock decides whether to wake
 * from the value its own RMW replaced. After that RMW it only records the handoff time in
 * the global pacing table and calls gs__wake; neither touches the word: the next owner may
 * free the mutex at once (glibc BZ 13690).
 *
 * Spinning: an arriving thread spins a bounded number of times, backing off between looks
 * (GS__SPIN_BACKOFF), and only while the mutex is held with nobody registered (once threads
 * sleep, a newcomer spinning would only delay them) and the process may run on more than
 * one CPU (else the holder cannot run while we spin). That count is the process's, taken
 * at load time, not the calling thread's: a thread pinned to one CPU still waits for
 * holders on other CPUs (gs__ncpu). Letting a spinner also hold WOKEN, so that unlocks
 * leave the sleepers alone while it spins (Go does), and spinning while waiters sleep, was
 * measured and not kept: no gain at 8 to 128 threads on the dev VM, and 0.8-0.9x at 32
 * threads with local work.
 *
 * Limits: 65,535 registered waiters (an arriving thread beyond that polls every
 * millisecond without registering) and 4,095 starvers (a waiter beyond that waits on as a
 * plain waiter).
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
    GS__DUE = 1u << 3,
    GS__WAITING = 1u << 16,
};

/* The inline paths in include/gosync/mutex.h, and GS__MUTEX_QUIET_RELEASE there, are
 * compiled into users' code with these bits (1u, 3u, 0xffffu): the layout of bits 0..15 is
 * part of the ABI. Quiet release there means: held, and either nobody queued, or the head
 * already woken (DESIG) and the queue's spinlock free. */
_Static_assert(GS__LOCKED == 1 && GS__DESIG == 2 && (GS__QSPIN & 0xfffcu) == GS__QSPIN &&
                   (GS__DUE & 0xfffcu) == GS__DUE && (GS__WAITING & 0xffffu) == 0,
               "the inline paths in include/gosync/mutex.h test bits 0..15");

/* A waiter's record: on its thread's stack, queued in its mutex's slot. */
enum { GS__REC_WAIT = 0, GS__REC_WOKEN = 1, GS__REC_HANDED = 2 };
struct gs__mrec {
    uint32_t state; /* GS__REC_*: its thread sleeps on this word */
    bool inq;       /* queued: under the mutex's QSPIN */
    const gs_mutex *mu;
    struct gs__mrec *next, *prev; /* the slot's list: under the slot's lock */
    int64_t since;                /* when the thread first queued (CLOCK_MONOTONIC ns) */
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
    _Alignas(64) uint32_t lock;     /* the list's lock: a leaf, taken under a QSPIN */
    struct gs__mrec *first, *last;  /* waiters of every mutex hashed here, in queueing order */
    int64_t next_check;             /* pacing: no handoff is due before this time */
    int64_t checked_at;             /* pacing: when an unlock last read the clock */
    uint32_t unlocks;               /* pacing: unlocks that saw the queue since then */
    uint32_t stride;                /* pacing: read the clock every stride-th of them */
    _Alignas(64) uint32_t spin_score; /* spinning behind a queue has paid (see Spinning) */
    uint32_t probe;                 /* arrivals, to spin one in 32 regardless */
} gs__mslots[GS__MUTEX_SLOTS];

static inline struct gs__mslot *gs__mslot_of(const gs_mutex *mu) {
    uintptr_t a = (uintptr_t)mu;
    return &gs__mslots[((a >> 2) ^ (a >> 9) ^ (a >> 16)) % GS__MUTEX_SLOTS];
}

/* Waiting for a word that another thread holds for a few instructions (QSPIN, a slot's
 * lock): PAUSE, and yield the CPU after a while or at once on one CPU, so that a holder
 * that was preempted gets to run (a pure spin could starve it forever under real-time
 * priorities). */
static inline void gs__mutex_spin_wait(int *n) {
    if (++*n > 64 || gs__ncpu() == 1) {
        *n = 0;
        gs__yield();
    } else {
        gs__cpu_relax();
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

static struct gs__mrec *gs__mq_head(struct gs__mslot *s, const gs_mutex *mu) {
    gs__mslot_lock(s);
    struct gs__mrec *r = gs__mq_head_locked(s, mu);
    gs__mslot_unlock(s);
    return r;
}

static void gs__mq_push(struct gs__mslot *s, struct gs__mrec *r) {
    gs__mslot_lock(s);
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
static struct gs__mrec *gs__mq_unlink(struct gs__mslot *s, struct gs__mrec *r) {
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
    if (r->prev)
        n = gs__mq_head_locked(s, r->mu);
    else
        while (n && n->mu != r->mu)
            n = n->next;
    gs__mslot_unlock(s);
    return n;
}

/* Takes QSPIN; returns the word with QSPIN set. */
static uint32_t gs__qspin_acquire(uint32_t *word) {
    int n = 0;
    for (;;) {
        uint32_t w = gs__load_relaxed32(word);
        if (!(w & GS__QSPIN) && gs__cas_acquire32(word, &w, w | GS__QSPIN))
            return w | GS__QSPIN;
        gs__mutex_spin_wait(&n);
    }
}

/* Drops QSPIN, clearing WAITING and DUE if the queue is empty, clearing the bits in clear
 * and setting those in set (LOCKED in set: take the lock if it is free), in one CAS loop:
 * other threads change LOCKED meanwhile. Returns the word it replaced. */
static uint32_t gs__qspin_release(uint32_t *word, bool empty, uint32_t clear, uint32_t set) {
    uint32_t c = gs__load_relaxed32(word), n;
    do {
        n = (c & ~(GS__QSPIN | clear)) | set;
        if (empty)
            n &= ~(GS__WAITING | GS__DUE);
    } while (!gs__cas_acq_rel32(word, &c, n));
    return c;
}

/* Counts an unlock that sees the queue; returns whether a handoff may be due, with the
 * clock in *now when it read it. Relaxed: the fields only pace handoffs, and a mutex that
 * shares the slot only shifts which unlock reads the clock, or delays a handoff by at most
 * GS__STARVE_NS (it may push next_check to its own head's due time). */
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

/* A queued waiter out of time leaves (see Timeouts above). desig: we hold the woken role as
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
    bool empty = gs__mq_unlink(s, me) == NULL;
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
    const bool timed = deadline_ns != GS__NO_DEADLINE;
    bool queued = false, desig = false, spin_ok = false, spun_behind = false;
    int qspins = 0, delay = 1;

    for (int spins = 0;; spins++) {
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
                bool empty = gs__mq_unlink(s, &me) == NULL;
                gs__qspin_release(word, empty, 0, 0);
            }
            return true;
        }
        if (!queued) {
            /* Spin: while nobody queues, or behind a queue while that has paid lately (and
             * one arrival in 32 regardless). */
            if (spins == 0)
                spin_ok = gs__ncpu() > 1 &&
                          (!(w & GS__WAITING) || gs__load_relaxed32(&s->spin_score) > 0 ||
                           (gs__fetch_add_relaxed32(&s->probe, 1) & 31) == 0);
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
            gs__mq_push(s, &me);
            queued = true;
            gs__qspin_release(word, false, 0, 0);
        } else {
            /* Woken, and the lock was taken again. */
            if (timed && gs__now_ns() >= deadline_ns) {
                int r = gs__mutex_leave(word, s, &me, desig);
                if (r == 2)
                    goto handed;
                return r;
            }
            /* Give the role up: the record first (a CAS that finds HANDED if a handoff
             * came), then DESIG, while the lock is held and QSPIN free; if the lock is
             * freed meanwhile, take it instead. acq_rel: orders the give-up before the next
             * unlocker's WOKEN store. */
            uint32_t st = GS__REC_WOKEN;
            if (!gs__cas_acq_rel32(&me.state, &st, GS__REC_WAIT) && st == GS__REC_HANDED)
                goto handed;
            bool freed = false;
            int n = 0;
            uint32_t due = gs__now_ns() - me.since >= GS__STARVE_NS ? GS__DUE : 0u;
            for (;;) {
                uint32_t c = gs__load_relaxed32(word);
                if (!(c & GS__LOCKED)) {
                    freed = true;
                    break;
                }
                if (c & GS__QSPIN) {
                    gs__mutex_spin_wait(&n);
                    continue;
                }
                if (gs__cas_relaxed32(word, &c, (c & ~GS__DESIG) | due)) {
                    desig = false;
                    break;
                }
            }
            if (freed)
                continue;
        }
        /* Asleep on the record until an unlock wakes us (the role) or hands us the lock. */
        while (gs__load_acquire32(&me.state) == GS__REC_WAIT) {
            if (timed && gs__now_ns() >= deadline_ns) {
                int r = gs__mutex_leave(word, s, &me, desig); /* asleep: we hold no role */
                if (r == 2)
                    goto handed;
                return r;
            }
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
handed:
    /* The unlocker took our record out and left LOCKED set: the lock is ours. If we still
     * hold the role it ends here (the unlocker ended it too if our record said WOKEN). */
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
    if (!(w & GS__LOCKED))
        gs__fatal("unlock of unlocked mutex");
    int64_t now = 0;
    bool due = (w & GS__WAITING) && gs__mutex_due(s, &now);
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
     * empty. DUE is re-decided whenever this unlock read the clock: set while the head has
     * waited over GS__STARVE_NS and no handoff could be made yet (the gap), so that the
     * unlocks until the handoff come here even while the head is awake (DESIG). */
    struct gs__mrec *h = gs__mq_head(s, mu);
    if (!now) { /* this unlock wakes or hands off, a system call: the clock costs little */
        now = gs__now_ns();
        due = now >= (int64_t)gs__load_relaxed64((uint64_t *)&s->next_check);
    }
    bool starving = now - h->since >= GS__STARVE_NS;
    if (!starving)
        gs__store_relaxed64((uint64_t *)&s->next_check, (uint64_t)(h->since + GS__STARVE_NS));
    if (starving && due) {
        /* Hand the lock to the head: pop it, keep LOCKED set (no other thread can take the
         * lock now), end its role if its record still says WOKEN (it may be giving the role
         * up at this moment: then it clears DESIG itself, harmlessly, since no unlock can
         * give the role to anyone while the lock is handed), drop QSPIN, and only then
         * write the record HANDED: from that store on, the head may unlock and free the
         * mutex, so after it we touch only the record's address, to wake it. DUE stays set
         * if the next head is owed a handoff too. */
        struct gs__mrec *next = gs__mq_unlink(s, h);
        gs__store_relaxed64((uint64_t *)&s->next_check, (uint64_t)(now + GS__HANDOFF_GAP_NS));
        uint32_t clear = gs__load_relaxed32(&h->state) == GS__REC_WOKEN ? GS__DESIG : 0u;
        bool next_due = next && now - next->since >= GS__STARVE_NS;
        gs__qspin_release(word, next == NULL, clear | (next_due ? 0u : GS__DUE),
                          next_due ? GS__DUE : 0u);
        gs__store_release32(&h->state, GS__REC_HANDED);
        gs__wake(&h->state, 1, GS__TAG_ANY);
        return;
    }
    /* DUE: the head is owed a handoff, and the gap has not passed yet. */
    uint32_t clear_due = starving ? 0u : GS__DUE, set_due = starving ? GS__DUE : 0u;
    if (w & GS__DESIG) { /* only the handoff check brought us here: release both */
        gs__qspin_release(word, false, GS__LOCKED | clear_due, set_due);
        return;
    }
    /* Wake the head, which stays queued: DESIG first, then its record, then release QSPIN
     * and LOCKED together. The record's address is all we use after that. */
    gs__fetch_or_acquire32(word, GS__DESIG);
    gs__store_release32(&h->state, GS__REC_WOKEN);
    gs__qspin_release(word, false, GS__LOCKED | clear_due, set_due);
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
