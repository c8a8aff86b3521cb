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
    GS__WOKEN = 1u << 1,
    GS__HANDOFF = 1u << 2,
    GS__STARVER_SHIFT = 4,
    GS__STARVER = 1u << GS__STARVER_SHIFT,
    GS__WAITER_SHIFT = 16,
    GS__WAITER = 1u << GS__WAITER_SHIFT,
};
#define GS__WAITERS(s) ((s) >> GS__WAITER_SHIFT)
#define GS__WAITERS_MAX 0xffffu
#define GS__STARVERS(s) (((s) >> GS__STARVER_SHIFT) & 0xfffu)
#define GS__STARVERS_MAX 0xfffu

/* The inline paths in include/gosync/mutex.h, and GS__MUTEX_QUIET_RELEASE there, are
 * compiled into users' code with these bits (1u, 3u, 0xffffu): the layout of bits 0..15 is
 * part of the ABI. */
_Static_assert(GS__LOCKED == 1 && GS__WOKEN == 2 && GS__HANDOFF == 4 && GS__STARVER_SHIFT == 4 &&
                   GS__WAITER_SHIFT == 16,
               "the inline paths in include/gosync/mutex.h test bits 0..15");

/* Wait tags: an unlock in starvation mode wakes a starver, one in normal mode a waiter. */
enum { GS__TAG_WAITER = 1u << 0, GS__TAG_STARVER = 1u << 1 };

/* A waiter blocked longer than this becomes a starver (Go: 1 ms). */
#ifndef GS__STARVE_NS
#define GS__STARVE_NS 1000000
#endif
/* The least time between two handoffs of one mutex (see Fairness above). */
#ifndef GS__HANDOFF_GAP_NS
#define GS__HANDOFF_GAP_NS 100000
#endif

/* Reading CLOCK_MONOTONIC costs about as much as an uncontended lock+unlock (23 ns on the
 * dev VM, where a contended short lock/unlock iteration takes 25-30 ns), and under
 * sustained contention starvers are counted at almost every unlock: reading the clock at
 * every one of them halved the throughput at 32 and 128 threads (docs/PERFORMANCE.md). So
 * the unlocks that see starvers read it with a stride: every GS__CLOCK_EVERY-th one while
 * they come faster than one per GS__HANDOFF_GAP_NS / 64 (1.6 us) on average since the last
 * read, else every one. A handoff then comes at the first reading unlock past the gap:
 * at most GS__CLOCK_EVERY - 1 fast unlocks (about 11 us) late, and never late when unlocks
 * are slow (a greedy holder's: the starvation scenario). */
#ifndef GS__CLOCK_EVERY
#define GS__CLOCK_EVERY 8
#endif

/* Pacing, by hashed mutex address: when the mutex last handed off, when an unlock last read
 * the clock, the unlocks since, and the stride. Relaxed: it only paces handoffs. One
 * mutex's entry is written only by its unlocks, before their release, so the mutex itself
 * orders them; a mutex sharing the entry only shifts which unlock reads the clock. One
 * cache line per entry: it is written at every unlock that sees starvers. */
#define GS__HANDOFF_SLOTS 64
static struct gs__pacing {
    _Alignas(64) int64_t handoff_at;
    int64_t checked_at;
    uint32_t unlocks;
    uint32_t stride;
} gs__pacing[GS__HANDOFF_SLOTS];

/* Counts an unlock that sees starvers; returns whether it reads the clock, into *now. */
static bool gs__pacing_check(struct gs__pacing *p, int64_t *now) {
    uint32_t n = gs__load_relaxed32(&p->unlocks) + 1;
    if (n < gs__load_relaxed32(&p->stride)) {
        gs__store_relaxed32(&p->unlocks, n);
        return false;
    }
    *now = gs__now_ns();
    int64_t since = *now - (int64_t)gs__load_relaxed64((uint64_t *)&p->checked_at);
    bool fast = since < (int64_t)n * (GS__HANDOFF_GAP_NS / 64);
    gs__store_relaxed32(&p->stride, fast ? GS__CLOCK_EVERY : 1);
    gs__store_relaxed32(&p->unlocks, 0);
    gs__store_relaxed64((uint64_t *)&p->checked_at, (uint64_t)*now);
    return true;
}

static inline struct gs__pacing *gs__pacing_slot(const gs_mutex *mu) {
    uintptr_t a = (uintptr_t)mu;
    return &gs__pacing[((a >> 2) ^ (a >> 9) ^ (a >> 16)) % GS__HANDOFF_SLOTS];
}
/* How long the designated waiter sleeps before it looks at the word again (see Wake-ups
 * above). 50 us and 200 us measured alike; the first is the smaller idle gap when the lock
 * is freed while it sleeps. */
#ifndef GS__POLL_NS
#define GS__POLL_NS 50000
#endif
/* The watch (see above): its length, about 1.1 us on the Xeon and 1.6 us on the dev VM's
 * EPYC, long enough to cover a running holder's unlock-to-relock gap, and the least CPU
 * count at which it runs. The count is a variable only so that tests/test_mutex.c can run
 * its stress tests through the watch on a 2-CPU machine; nothing else writes it. */
#ifndef GS__WATCH_PAUSES
#define GS__WATCH_PAUSES 64
#endif
#ifndef GS__WATCH_MIN_CPUS
#define GS__WATCH_MIN_CPUS 4
#endif
int gs__mutex_watch_cpus = GS__WATCH_MIN_CPUS;

/* Spinning before registering: GS__SPIN_LIMIT looks at the word, with 1, 2, 4, ... up to
 * GS__SPIN_BACKOFF PAUSEs between two looks (143 PAUSEs in all). Each look pulls the lock's
 * cache line away from the holder, whose next CAS must then fetch it back: backing off lets
 * a running holder keep the line for a run of acquisitions. Measured on a quiet 16-core Xeon
 * (docs/PERFORMANCE.md, "Spinning with backoff"): mutex/short at 2 threads 1.5-1.9x the
 * throughput of 100 looks one PAUSE apart, whether on 2 CPUs or 16, with the worst wait
 * still under 1 ms (the two threads' shares of acquisitions spread 0.3-1.7 over 0.1 s, was
 * 0.87-1.13; nsync's 0.6-1.4); 4 threads 1.4x; 8 to 128 threads and mutex/work unchanged.
 * Spinning longer without backoff (400 looks) gained nothing, and backing off further (up
 * to 64 PAUSEs, 703 in all) no more than this. */
#ifndef GS__SPIN_LIMIT
#define GS__SPIN_LIMIT 12
#endif
#ifndef GS__SPIN_BACKOFF
#define GS__SPIN_BACKOFF 16
#endif

/* Waits for the lock until deadline_ns; returns whether it was acquired. */
static GS__NOINLINE bool gs__mutex_lock_wait(gs_mutex *mu, int64_t deadline_ns) {
    GS__PROFILE_WAIT(mu); /* contention profiling (src/profile.c) */
    uint32_t *word = &mu->state;
    uint32_t old = gs__load_relaxed32(word);

    if (gs__ncpu() > 1) {
        int delay = 1;
        for (int i = 0; i < GS__SPIN_LIMIT && (old & ~GS__LOCKED) == 0; i++) {
            if (old == 0) {
                if (gs__cas_acquire32(word, &old, GS__LOCKED))
                    return true;
                continue;
            }
            for (int k = 0; k < delay; k++)
                gs__cpu_relax();
            if (delay < GS__SPIN_BACKOFF)
                delay <<= 1;
            old = gs__load_relaxed32(word);
        }
    }

    /* Barge or register. */
    bool timed_out = false;
    for (;;) {
        if (!(old & GS__LOCKED)) {
            if (gs__cas_acquire32(word, &old, old | GS__LOCKED))
                return true;
            continue;
        }
        if (timed_out)
            return false;
        if (GS__WAITERS(old) == GS__WAITERS_MAX) {
            /* No room to register: poll. Never woken (no unlock wakes this tag). */
            int64_t until = gs__now_ns() + GS__STARVE_NS;
            if (!gs__wait(word, old, until < deadline_ns ? until : deadline_ns, 0x80000000u) &&
                gs__now_ns() >= deadline_ns)
                timed_out = true;
            old = gs__load_relaxed32(word);
            continue;
        }
        if (gs__cas_relaxed32(word, &old, old + GS__WAITER)) {
            old += GS__WAITER;
            break;
        }
    }

    const int64_t start = gs__now_ns();
    bool starver = false, desig = false;
    for (;;) {
        if (!(old & GS__LOCKED) || ((old & GS__HANDOFF) && starver)) {
            /* Take it: a free lock (normal mode), or a handoff (we starve). acquire: pairs
             * with the release CAS of the unlock that cleared LOCKED or set HANDOFF. */
            uint32_t next = ((old | GS__LOCKED) - GS__WAITER) & ~(GS__WOKEN | GS__HANDOFF);
            if (starver)
                next -= GS__STARVER;
            if (gs__cas_acquire32(word, &old, next))
                return true;
            continue;
        }
        if (timed_out) {
            uint32_t next = (old - GS__WAITER) & ~GS__WOKEN;
            if (starver)
                next -= GS__STARVER;
            if (gs__cas_relaxed32(word, &old, next))
                return false;
            continue;
        }
        /* Held: sleep, first clearing WOKEN unless we are the designated waiter (below),
         * and becoming a starver once we have waited long enough. */
        desig = desig && (old & GS__WOKEN);
        uint32_t want = desig ? old : old & ~GS__WOKEN;
        bool can_promote = !starver && GS__STARVERS(old) < GS__STARVERS_MAX;
        bool promote = can_promote && gs__now_ns() - start >= GS__STARVE_NS;
        if (promote)
            want += GS__STARVER;
        if (want != old) {
            if (!gs__cas_relaxed32(word, &old, want))
                continue;
            old = want;
            if (promote) {
                /* Look again before sleeping: a handoff may be pending, and it is ours to
                 * claim now. (Sleeping on it could lose it: verify/FINDINGS.md F5.) */
                starver = true;
                continue;
            }
        }
        /* A plain waiter wakes by itself when it is due to become a starver: unlocks in
         * starvation mode wake only starvers, and a plain waiter that nothing woke could
         * otherwise sleep through every handoff (verify/FINDINGS.md F6). */
        int64_t until = deadline_ns;
        if (can_promote && start + GS__STARVE_NS < until)
            until = start + GS__STARVE_NS;
        if (desig) {
            int64_t poll = gs__now_ns() + GS__POLL_NS;
            if (poll < until)
                until = poll;
        }
        uint32_t slept_on = old;
        bool returned;
        for (;;) {
            returned = gs__wait(word, old, until, starver ? GS__TAG_STARVER : GS__TAG_WAITER);
            if (!returned || !desig)
                break;
            /* The designated waiter's poll: a word that differs from the one it slept on at
             * most in LOCKED is the running holder's unlock and relock racing the futex's
             * comparison (the word changes tens of millions of times a second), not an event
             * for it. Sleep on until the poll is due. Looking at once instead took the lock
             * in the holder's unlock-to-relock gap and moved the lock and its data to the
             * other CPU: 2.7x the migrations (docs/PERFORMANCE.md, "Lock migrations"). Any
             * other difference (WOKEN cleared, a handoff, a waiter gone) ends the poll. A
             * change undone before we look (WOKEN cleared and set again by an unlock whose
             * wake took us) is not seen: we may absorb that wake, but we still hold WOKEN
             * and look by `until`, so the lock is idle at most GS__POLL_NS, as when it is
             * freed while we sleep. The same holds for a holder's last unlock racing the
             * comparison: it may now cost up to GS__POLL_NS before we take the lock. */
            uint32_t cur = gs__load_relaxed32(word);
            if (((cur ^ slept_on) & ~GS__LOCKED) != 0 || gs__now_ns() >= until)
                break;
            old = cur;
        }
        if (!returned && until == deadline_ns)
            timed_out = true;
        old = gs__load_relaxed32(word);
        /* The designated waiter: WOKEN was set while we slept (an unlock woke a waiter,
         * most likely us, the oldest sleeper), or we hold the role already and it is still
         * set. It keeps WOKEN when it finds the lock re-taken, and polls. */
        desig = (old & GS__WOKEN) && (desig || (returned && !(slept_on & GS__WOKEN)));
        if (desig && !starver && !(old & GS__LOCKED) && gs__ncpu() >= gs__mutex_watch_cpus) {
            /* The watch (see the top of the file): leave a free lock to a running holder
             * that re-takes it within GS__WATCH_PAUSES; look every 8 PAUSEs. */
            for (int k = 1; k <= GS__WATCH_PAUSES; k++) {
                gs__cpu_relax();
                if ((k & 7) == 0 && (gs__load_relaxed32(word) & GS__LOCKED))
                    break;
            }
            old = gs__load_relaxed32(word);
        }
    }
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
    struct gs__pacing *pacing = gs__pacing_slot(mu);
    int64_t now = 0;
    bool counted = false, check = false;
    uint32_t old = gs__load_relaxed32(word);
    uint32_t next, tag;
    do {
        if (!(old & GS__LOCKED) || (old & GS__HANDOFF))
            gs__fatal("unlock of unlocked mutex");
        bool hand_off = false;
        if (GS__STARVERS(old) > 0) {
            if (!counted) {
                /* Once per call, before the release: this mutex's unlocks are ordered by it. */
                counted = true;
                check = gs__pacing_check(pacing, &now);
            }
            hand_off =
                check && now - (int64_t)gs__load_relaxed64((uint64_t *)&pacing->handoff_at) >=
                             GS__HANDOFF_GAP_NS;
        }
        if (hand_off) {
            /* Hand the lock to a starver: LOCKED stays set, so no arriving thread can take
             * it, and only a starver claims HANDOFF. */
            next = old | GS__HANDOFF;
            tag = GS__TAG_STARVER;
        } else {
            next = old & ~GS__LOCKED;
            /* One woken waiter is enough: it either takes the lock, or finds it re-taken by a
             * barger whose own unlock will wake the next one. WOKEN set means one is already
             * on its way. Either tag: between handoffs, starvers are woken like any waiter
             * (the oldest sleeper first); waking only plain waiters could leave WOKEN set
             * with nobody awake to clear it, and the starvers asleep on a free lock. */
            tag = GS__WAITERS(old) > 0 && !(old & GS__WOKEN) ? GS__TAG_WAITER | GS__TAG_STARVER : 0;
            if (tag)
                next |= GS__WOKEN;
        }
    } while (!gs__cas_release32(word, &old, next));
    /* The word may belong to freed memory from here on; the pacing table is global, and
     * gs__wake does not touch the word. */
    if (next & GS__HANDOFF)
        gs__store_relaxed64((uint64_t *)&pacing->handoff_at, (uint64_t)now);
    if (tag)
        gs__wake(word, 1, tag);
}

void(gs_mutex_lock)(gs_mutex *mu) {
    /* Sets LOCKED: takes a free lock, barging past registered waiters, and changes nothing
     * if it is held or handed off (include/gosync/mutex.h says why not a compare-and-swap). */
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
    /* In starvation mode LOCKED stays set: trylock fails, as Go's TryLock. A failed attempt
     * reads with relaxed order: it synchronizes with nothing. */
    if (old & GS__LOCKED)
        return false;
    return gs__cas_acquire32(&mu->state, &old, old | GS__LOCKED);
}

bool gs_mutex_lock_timeout(gs_mutex *mu, int64_t timeout_ns) {
    if (timeout_ns <= 0)
        return gs_mutex_trylock(mu);
    return gs__mutex_lock_until(mu, gs__deadline_after(timeout_ns));
}
