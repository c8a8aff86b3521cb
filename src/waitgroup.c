/* src/waitgroup.c: gs_waitgroup, Go's sync.WaitGroup, on one 64-bit word.
 *
 * State word (gs_waitgroup.state):
 *
 *   bits  0..31  GEN      rounds started: +1 by every add that takes the counter up from 0
 *   bit  32      WAITERS  some thread has registered to sleep in this round
 *   bits 33..63  counter  outstanding tasks, 0..INT32_MAX
 *
 * The upper half (WAITERS and the counter) is the futex word: waiters sleep on it expecting
 * the upper half they last read (at registration, then after each wake-up), so any change
 * of the counter (the one they wait for is to 0) makes their sleep return or not begin.
 *
 * Transitions, each one atomic read-modify-write:
 *   done             counter-1 (fetch_sub, release); if that made it 0 with WAITERS set,
 *                    wake all sleepers
 *   add, delta > 0   CAS: counter+delta; from 0 also GEN+1 and clear WAITERS (a new round:
 *                    the flag belonged to the last one)
 *   add, delta < 0   CAS: counter-|delta|; wake all if it made it 0 with WAITERS set
 *   wait, register   CAS: set WAITERS (also when already set: the CAS is the point where the
 *                    waiter joins a round, as in Go); then sleep on the upper half
 *   wait, wake-up    load (acquire): GEN moved on -> misuse (a new round began before this
 *                    wait returned), even if the counter is 0; counter 0 -> return true;
 *                    deadline passed -> return false; else sleep again
 *
 * Invariants the code relies on:
 *   - Everything a waiter needs to decide to return (the counter reaching 0) changes in the
 *     same RMW that decides to wake it. WAITERS is left set when the counter reaches 0; a
 *     stale flag costs at most one needless wake-up and the next round clears it.
 *   - Destruction safety: the releasing done/add computes the futex address before its RMW
 *     and after it only calls gs__wake, which does not touch memory: a waiter may return and
 *     free the WaitGroup (say, from its stack) the moment the RMW is visible.
 *   - A registered waiter's round ends only through its counter reaching 0, and GEN changes
 *     only when a new round starts, so a registered waiter that sees GEN changed is proof of
 *     Go's misuse "reused before previous Wait has returned", never a false alarm.
 *   - The counter is checked before each add's CAS, so a fatal add leaves the state intact;
 *     done's fetch_sub is checked after (the process aborts anyway).
 */
#include <gosync/waitgroup.h>

#include "internal/atomic.h"
#include "internal/common.h"
#include "internal/wait.h"

#define GS__WG_GEN_MASK 0xffffffffull
#define GS__WG_WAITERS (1ull << 32)
#define GS__WG_COUNT_SHIFT 33
#define GS__WG_ONE (1ull << GS__WG_COUNT_SHIFT)
#define GS__WG_COUNT_MAX ((uint64_t)INT32_MAX)

#define GS__WG_COUNT(s) ((s) >> GS__WG_COUNT_SHIFT)
#define GS__WG_GEN(s) ((uint32_t)((s)&GS__WG_GEN_MASK))
#define GS__WG_HIGH(s) ((uint32_t)((s) >> 32))

_Static_assert(GS__WG_COUNT_MAX << GS__WG_COUNT_SHIFT >> GS__WG_COUNT_SHIFT == GS__WG_COUNT_MAX,
               "the counter fits above WAITERS");

static inline uint32_t *gs__wg_futex(gs_waitgroup *wg) { return gs__upper_half32(&wg->state); }

void gs_waitgroup_add(gs_waitgroup *wg, int64_t delta) {
    if (delta == 0)
        return;
    uint32_t *futex = gs__wg_futex(wg);
    uint64_t *word = &wg->state;
    uint64_t old = gs__load_relaxed64(word);
    uint64_t next;
    do {
        uint64_t count = GS__WG_COUNT(old);
        if (delta > 0) {
            if ((uint64_t)delta > GS__WG_COUNT_MAX - count)
                gs__fatal("WaitGroup counter overflow");
            next = (old & ~(GS__WG_COUNT_MAX << GS__WG_COUNT_SHIFT)) |
                   ((count + (uint64_t)delta) << GS__WG_COUNT_SHIFT);
            if (count == 0) /* a new round: next GEN, and no waiters in it yet */
                next = (next & ~(GS__WG_WAITERS | GS__WG_GEN_MASK)) |
                       (uint64_t)(uint32_t)(GS__WG_GEN(old) + 1);
        } else {
            uint64_t sub = (uint64_t)(-(delta + 1)) + 1; /* |delta|, also for INT64_MIN */
            if (sub > count)
                gs__fatal("negative WaitGroup counter");
            next = old - sub * GS__WG_ONE;
        }
        /* release: a negative add is a done (see gs_waitgroup_done). */
    } while (!gs__cas_release64(word, &old, next));
    /* The WaitGroup may be freed from here on; gs__wake does not touch it. */
    if (GS__WG_COUNT(next) == 0 && (old & GS__WG_WAITERS))
        gs__wake_all(futex);
}

void gs_waitgroup_done(gs_waitgroup *wg) {
    uint32_t *futex = gs__wg_futex(wg);
    /* release: this done's prior writes happen-before the return of the wait that sees the
     * counter at 0 (an acquire load reading this RMW or a later one in its release
     * sequence: every write to the word is an RMW). */
    uint64_t old = gs__fetch_sub_release64(&wg->state, GS__WG_ONE);
    if (GS__UNLIKELY(GS__WG_COUNT(old) == 0))
        gs__fatal("negative WaitGroup counter");
    /* The WaitGroup may be freed from here on; gs__wake does not touch it. */
    if (GS__WG_COUNT(old) == 1 && (old & GS__WG_WAITERS))
        gs__wake_all(futex);
}

static GS__NOINLINE bool gs__wg_wait_slow(gs_waitgroup *wg, uint64_t s, int64_t deadline_ns) {
    uint32_t *futex = gs__wg_futex(wg);
    uint64_t *word = &wg->state;
    for (;;) {
        /* relaxed: on success nothing is read yet; every decision below follows an acquire
         * load. */
        if (!gs__cas_relaxed64(word, &s, s | GS__WG_WAITERS)) {
            s = gs__load_acquire64(word);
            if (GS__WG_COUNT(s) == 0)
                return true;
            continue;
        }
        s |= GS__WG_WAITERS;
        const uint32_t gen = GS__WG_GEN(s);
        for (;;) {
            bool in_time = gs__wait(futex, GS__WG_HIGH(s), deadline_ns, GS__TAG_ANY);
            /* acquire: pairs with the release RMW of the done/add that took the counter to 0.
             * From the moment it reads 0, this thread does not touch the WaitGroup again. */
            s = gs__load_acquire64(word);
            if (GS__WG_GEN(s) != gen)
                gs__fatal("WaitGroup is reused before previous Wait has returned");
            if (GS__WG_COUNT(s) == 0)
                return true;
            if (!in_time)
                return false;
        }
    }
}

void gs_waitgroup_wait(gs_waitgroup *wg) {
    /* acquire: see gs__wg_wait_slow. */
    uint64_t s = gs__load_acquire64(&wg->state);
    if (GS__WG_COUNT(s) == 0)
        return;
    gs__wg_wait_slow(wg, s, GS__NO_DEADLINE);
}

bool gs_waitgroup_wait_timeout(gs_waitgroup *wg, int64_t timeout_ns) {
    uint64_t s = gs__load_acquire64(&wg->state);
    if (GS__WG_COUNT(s) == 0)
        return true;
    if (timeout_ns <= 0)
        return false;
    return gs__wg_wait_slow(wg, s, gs__deadline_after(timeout_ns));
}
