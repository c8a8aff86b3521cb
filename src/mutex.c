/* src/mutex.c: gs_mutex, Go's sync.Mutex on one 32-bit futex word.
 *
 * State word (gs_mutex.state):
 *
 *   bit 0      LOCKED    the mutex is held (or handed off and not yet claimed)
 *   bit 1      WOKEN     a registered waiter has been woken and will look at the word again
 *                        before sleeping; an unlock need not wake another one
 *   bit 2      STARVING  starvation mode: unlock hands the lock to a waiter; arrivals queue
 *   bit 3      HANDOFF   an unlock in starvation mode handed the lock over: LOCKED stays set
 *                        and the first registered waiter to see HANDOFF owns the lock
 *   bit 4      NEWCOMER  threads that arrived during a handoff sleep (unregistered, tag
 *                        NEWCOMER) until it is claimed; the claimer wakes them
 *   bits 5..31 waiters   threads registered in the slow path (asleep or about to be)
 *
 * Invariants the code relies on:
 *   STARVING => LOCKED and waiters >= 1     (set only by a registered waiter, with LOCKED;
 *                                            cleared by the last waiter to leave)
 *   HANDOFF  => LOCKED and waiters >= 1
 *   WOKEN    => waiters >= 1                (every CAS that removes a waiter clears WOKEN)
 *   No thread registers while HANDOFF is set. So every registered waiter was registered
 *   before the handoff and is entitled to it: an arriving thread can never steal a handoff,
 *   not even by registering and looking at once (the greedy-thread starvation others paid
 *   for). Registered waiters sleep with tag WAITER, newcomers with tag NEWCOMER, so the
 *   unlock's one wake-up always goes to a registered waiter.
 *   A registered waiter never sleeps on a word with WOKEN set: it clears WOKEN first. So
 *   while WOKEN is set, some registered waiter is running or is about to be woken by the
 *   unlock that set it; WOKEN can never stick and silence every later unlock.
 *
 * Transitions:
 *   lock fast path     0 -> LOCKED                          (CAS, acquire)
 *   unlock fast path   LOCKED -> 0                          (CAS, release)
 *   barge (normal)     !LOCKED -> LOCKED                    (any thread, even with waiters)
 *   register           LOCKED, !HANDOFF, n -> n+1           (then sleep on the word)
 *   arrive in handoff  set NEWCOMER, sleep until HANDOFF is claimed, then start over
 *   wake and retry     clear WOKEN; take LOCKED if clear (n-1); else sleep again, setting
 *                      STARVING if this thread has waited over GS__STARVE_NS
 *   unlock, normal     clear LOCKED; if n > 0 and !WOKEN: set WOKEN and wake one waiter
 *   unlock, starving   set HANDOFF (LOCKED stays); wake one waiter
 *   claim handoff      clear HANDOFF and NEWCOMER, n-1; clear STARVING if this waiter waited
 *                      less than GS__STARVE_NS or was the last one (Go's rule for leaving
 *                      the mode); wake the newcomers, if any
 *   time out           if HANDOFF or !LOCKED: take the lock (a timed-out waiter never
 *                      swallows a handoff); else n-1, clear WOKEN, clear STARVING if last
 *
 * Each transition is one atomic read-modify-write, and an unlock decides whether to wake
 * from the value its own RMW replaced. After that RMW it only calls gs__wake, which does not
 * touch the word: the next owner may free the mutex at once (glibc BZ 13690).
 *
 * Spinning: an arriving thread spins a bounded number of times, and only while the mutex is
 * held with nobody registered (once threads sleep, a newcomer spinning would only delay
 * them) and more than one CPU exists (else the holder cannot run while we spin).
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
    GS__STARVING = 1u << 2,
    GS__HANDOFF = 1u << 3,
    GS__NEWCOMER = 1u << 4,
    GS__WAITER_SHIFT = 5,
    GS__WAITER = 1u << GS__WAITER_SHIFT,
};
#define GS__WAITERS(s) ((s) >> GS__WAITER_SHIFT)
#define GS__WAITERS_MAX (UINT32_MAX >> GS__WAITER_SHIFT)

/* Wait tags: the unlock's wake-up must reach a registered waiter, never a newcomer. */
enum { GS__TAG_WAITER = 1u << 0, GS__TAG_NEWCOMER = 1u << 1 };

/* A waiter blocked longer than this switches the mutex to starvation mode (Go: 1 ms). */
#define GS__STARVE_NS 1000000
/* Spin iterations before registering; each is one PAUSE. */
#define GS__SPIN_LIMIT 100

/* The CAS that makes a registered waiter the owner, from a word where HANDOFF is set or
 * LOCKED is clear. It clears WOKEN (this waiter is done looking) and, when it takes a
 * handoff, leaves starvation mode per Go's rule. */
static inline uint32_t gs__mutex_claimed(uint32_t old, bool starving) {
    uint32_t next = (old | GS__LOCKED) - GS__WAITER;
    next &= ~(GS__WOKEN | GS__HANDOFF | GS__NEWCOMER);
    if ((old & GS__HANDOFF) && (!starving || GS__WAITERS(old) == 1))
        next &= ~GS__STARVING;
    return next;
}

/* Waits for the lock until deadline_ns; returns whether it was acquired. */
static GS__NOINLINE bool gs__mutex_lock_wait(gs_mutex *mu, int64_t deadline_ns) {
    GS__PROFILE_WAIT(mu); /* contention profiling (src/profile.c) */
    uint32_t *word = &mu->state;
    uint32_t old = gs__load_relaxed32(word);

    if (gs__ncpu() > 1) {
        for (int i = 0; i < GS__SPIN_LIMIT && (old & ~GS__LOCKED) == 0; i++) {
            if (old == 0) {
                if (gs__cas_acquire32(word, &old, GS__LOCKED))
                    return true;
                continue;
            }
            gs__cpu_relax();
            old = gs__load_relaxed32(word);
        }
    }

    /* Barge or register; stay out of the queue while a handoff is in flight. */
    bool timed_out = false;
    for (;;) {
        if (!(old & GS__LOCKED)) {
            if (gs__cas_acquire32(word, &old, old | GS__LOCKED))
                return true;
            continue;
        }
        if (old & GS__HANDOFF) {
            if (timed_out)
                return false;
            if (!(old & GS__NEWCOMER) && !gs__cas_relaxed32(word, &old, old | GS__NEWCOMER))
                continue;
            if (!gs__wait(word, old | GS__NEWCOMER, deadline_ns, GS__TAG_NEWCOMER))
                timed_out = true;
            old = gs__load_relaxed32(word);
            continue;
        }
        if (timed_out)
            return false;
        if (GS__WAITERS(old) == GS__WAITERS_MAX)
            gs__fatal("too many threads waiting on one mutex");
        if (gs__cas_relaxed32(word, &old, old + GS__WAITER)) {
            old += GS__WAITER;
            break;
        }
    }

    const int64_t start = gs__now_ns();
    bool starving = false;
    for (;;) {
        if ((old & GS__HANDOFF) || !(old & GS__LOCKED)) {
            /* acquire: pairs with the release CAS of the unlock that cleared LOCKED or set
             * HANDOFF. */
            if (gs__cas_acquire32(word, &old, gs__mutex_claimed(old, starving))) {
                /* We own the mutex now, so touching it is safe: let the newcomers that
                 * waited out the handoff line up. */
                if (old & GS__NEWCOMER)
                    gs__wake(word, GS__WAKE_ALL, GS__TAG_NEWCOMER);
                return true;
            }
            continue;
        }
        if (timed_out) {
            uint32_t next = (old - GS__WAITER) & ~GS__WOKEN;
            if (GS__WAITERS(old) == 1)
                next &= ~GS__STARVING;
            if (gs__cas_relaxed32(word, &old, next))
                return false;
            continue;
        }
        uint32_t want = old & ~GS__WOKEN;
        if (starving)
            want |= GS__STARVING;
        if (want != old) {
            if (!gs__cas_relaxed32(word, &old, want))
                continue;
            old = want;
        }
        if (!gs__wait(word, old, deadline_ns, GS__TAG_WAITER))
            timed_out = true;
        old = gs__load_relaxed32(word);
        if (!starving && gs__now_ns() - start > GS__STARVE_NS)
            starving = true;
    }
}

void gs__mutex_lock_slow(gs_mutex *mu) { gs__mutex_lock_wait(mu, GS__NO_DEADLINE); }

bool gs__mutex_lock_until(gs_mutex *mu, int64_t deadline_ns) {
    uint32_t unlocked = 0;
    if (GS__LIKELY(gs__cas_acquire32(&mu->state, &unlocked, GS__LOCKED)))
        return true;
    return gs__mutex_lock_wait(mu, deadline_ns);
}

void gs__mutex_unlock_slow(gs_mutex *mu) {
    uint32_t *word = &mu->state;
    uint32_t old = gs__load_relaxed32(word);
    uint32_t next;
    bool wake;
    do {
        if (!(old & GS__LOCKED) || (old & GS__HANDOFF))
            gs__fatal("unlock of unlocked mutex");
        if (old & GS__STARVING) {
            /* Hand the lock to a waiter: LOCKED stays set, so no arriving thread can take
             * it, and only a registered waiter claims HANDOFF. */
            next = old | GS__HANDOFF;
            wake = true;
        } else {
            next = old & ~GS__LOCKED;
            /* One woken waiter is enough: it either takes the lock, or finds it re-taken by a
             * barger whose own unlock will wake the next one. WOKEN set means one is already
             * on its way. */
            wake = GS__WAITERS(old) > 0 && !(old & GS__WOKEN);
            if (wake)
                next |= GS__WOKEN;
        }
    } while (!gs__cas_release32(word, &old, next));
    /* The word may belong to freed memory from here on; gs__wake does not touch it. */
    if (wake)
        gs__wake(word, 1, GS__TAG_WAITER);
}

void(gs_mutex_lock)(gs_mutex *mu) {
    uint32_t unlocked = 0;
    if (GS__UNLIKELY(!gs__cas_acquire32(&mu->state, &unlocked, GS__LOCKED)))
        gs__mutex_lock_wait(mu, GS__NO_DEADLINE);
}

void(gs_mutex_unlock)(gs_mutex *mu) {
    uint32_t locked = GS__LOCKED;
    if (GS__UNLIKELY(!gs__cas_release32(&mu->state, &locked, 0)))
        gs__mutex_unlock_slow(mu);
}

bool gs_mutex_trylock(gs_mutex *mu) {
    uint32_t old = gs__load_relaxed32(&mu->state);
    /* STARVING implies LOCKED: in starvation mode trylock fails, as Go's TryLock. A failed
     * attempt reads with relaxed order: it synchronizes with nothing. */
    if (old & GS__LOCKED)
        return false;
    return gs__cas_acquire32(&mu->state, &old, old | GS__LOCKED);
}

bool gs_mutex_lock_timeout(gs_mutex *mu, int64_t timeout_ns) {
    if (timeout_ns <= 0)
        return gs_mutex_trylock(mu);
    return gs__mutex_lock_until(mu, gs__deadline_after(timeout_ns));
}
