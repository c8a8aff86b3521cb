/* src/rwmutex.c: gs_rwmutex, Go's sync.RWMutex.
 *
 * Writers serialise on a gs_mutex (rw->w), which brings the mutex's fairness (starvation
 * mode) to writer-vs-writer contention without a second copy of its slow path. Readers and
 * the one writer that holds w meet on a 64-bit state word (rw->state):
 *
 *   bits  0..31  Q       queued readers: arrived while a writer was pending, asleep until
 *                        that writer unlocks
 *   bits 32..55  A       active readers: hold the lock, or were admitted and are waking up
 *   bit  61      WPEND   a writer has announced itself: it holds the lock once A drains to
 *                        0, and it keeps new readers out (they queue) from the announcement on
 *   bit  62      PHASE   flipped by every writer unlock; a queued reader is admitted when the
 *                        phase differs from the one it queued in
 *   bit  63      WSLEEP  the writer holding w sleeps on the word (waiting for A to drain, or
 *                        for the previous writer to unlock)
 *
 * The upper half (A, WPEND, PHASE, WSLEEP) is the futex word: readers sleep on it with the
 * READER tag waiting for PHASE to flip, the writer with the WRITER tag waiting for A == 0 or
 * WPEND clear. Every change a sleeper waits for changes that half, so no wake-up is lost.
 *
 * Reader:   rlock     A+1 (fetch_add, acquire); if WPEND was set, move A-1,Q+1 (CAS) unless
 *                     that writer already unlocked, then sleep until PHASE flips
 *           runlock   A-1 (fetch_sub, release); if that took A to 0 under WPEND|WSLEEP,
 *                     wake the writer
 * Writer:   lock      lock w; wait for WPEND clear (previous writer still inside); set WPEND;
 *                     wait for A == 0; unlock w. The write lock is then held by WPEND alone.
 *           unlock    one CAS: clear WPEND and WSLEEP, flip PHASE, A += Q, Q = 0 (the readers
 *                     that queued behind this writer are admitted before the next writer
 *                     can announce: Go's "neither side starves"); then wake them, and the
 *                     w-holder if it sleeps.
 *
 * Invariants:
 *   - Q > 0 only while WPEND is set; the writer's unlock moves all of Q into A at once.
 *   - Only the thread holding w sleeps with the WRITER tag, so one WSLEEP bit suffices.
 *   - PHASE cannot flip twice while a reader sleeps: after the first flip that reader is
 *     counted in A, and the next writer cannot get in (and unlock) until A drains.
 *   - A reader that saw WPEND moves itself to Q only while (WPEND, PHASE) still name the
 *     writer it saw; if that writer has unlocked, its A count already admits it.
 *   - Every release (runlock, unlock, a writer giving up) is a single RMW on state, after
 *     which only gs__wake is called: the lock may be freed by the next owner at once.
 *
 * A writer that times out while draining gives up exactly as it would unlock, so the
 * readers that queued behind it are let in. Readers that time out leave Q with a CAS if
 * their phase has not flipped; if it has, they were admitted and return true.
 */
#include <gosync/rwmutex.h>

#include "internal/atomic.h"
#include "internal/common.h"
#include "internal/mutex.h"
#include "internal/profile.h"
#include "internal/wait.h"
#include "internal/annotate.h" /* TSan/valgrind builds: public names defined in annotate.c */

#define GS__RW_QUEUED 1ull
#define GS__RW_Q_MASK 0xffffffffull
#define GS__RW_READER (1ull << 32)
#define GS__RW_A_MAX ((1ull << 24) - 1)
#define GS__RW_WPEND (1ull << 61)
#define GS__RW_PHASE (1ull << 62)
#define GS__RW_WSLEEP (1ull << 63)

#define GS__RW_Q(s) ((s)&GS__RW_Q_MASK)
#define GS__RW_A(s) (((s) >> 32) & GS__RW_A_MAX)
#define GS__RW_HIGH(s) ((uint32_t)((s) >> 32))

enum { GS__TAG_READER = 1u << 0, GS__TAG_WRITER = 1u << 1 };

static inline uint32_t *gs__rw_futex(gs_rwmutex *rw) { return gs__upper_half32(&rw->state); }

/* Sleeps on the futex half while the state's upper half is still `seen`'s. */
static bool gs__rw_sleep(gs_rwmutex *rw, uint64_t seen, int64_t deadline_ns, uint32_t tag) {
    return gs__wait(gs__rw_futex(rw), GS__RW_HIGH(seen), deadline_ns, tag);
}

/* A reader RMW that took A to 0 while a writer waits asleep must wake it. */
static inline void gs__rw_after_reader_left(gs_rwmutex *rw, uint64_t old) {
    if (GS__RW_A(old) == 1 && (old & GS__RW_WPEND) && (old & GS__RW_WSLEEP))
        gs__wake(gs__rw_futex(rw), 1, GS__TAG_WRITER);
}

/* ---- readers ---- */

/* Slow path of rlock: our A+1 landed while a writer was pending (old is the value it
 * replaced). Returns whether we got the read lock by deadline_ns. */
static GS__NOINLINE bool gs__rw_rlock_wait(gs_rwmutex *rw, uint64_t old, int64_t deadline_ns) {
    GS__PROFILE_WAIT(rw); /* contention profiling (src/profile.c) */
    if (GS__RW_A(old) == GS__RW_A_MAX)
        gs__fatal("too many readers");
    const uint64_t phase = old & GS__RW_PHASE;
    uint64_t cur = old + GS__RW_READER;
    for (;;) {
        if (!(cur & GS__RW_WPEND) || (cur & GS__RW_PHASE) != phase) {
            /* The writer we saw has unlocked: our A count stands and admits us. acquire:
             * pairs with that writer's release CAS. */
            gs__load_acquire64(&rw->state);
            return true;
        }
        uint64_t next = cur - GS__RW_READER + GS__RW_QUEUED;
        if (gs__cas_relaxed64(&rw->state, &cur, next)) {
            gs__rw_after_reader_left(rw, cur);
            cur = next;
            break;
        }
    }
    /* Queued: sleep until PHASE flips, which means the writer moved us into A. */
    bool timed_out = false;
    for (;;) {
        if ((cur & GS__RW_PHASE) != phase)
            return true; /* cur was read with acquire below */
        if (timed_out) {
            if (gs__cas_relaxed64(&rw->state, &cur, cur - GS__RW_QUEUED))
                return false;
            cur = gs__load_acquire64(&rw->state);
            continue;
        }
        if (!gs__rw_sleep(rw, cur, deadline_ns, GS__TAG_READER))
            timed_out = true;
        cur = gs__load_acquire64(&rw->state);
    }
}

void gs_rwmutex_rlock(gs_rwmutex *rw) {
    uint64_t old = gs__fetch_add_acquire64(&rw->state, GS__RW_READER);
    if (GS__UNLIKELY((old & GS__RW_WPEND) || GS__RW_A(old) == GS__RW_A_MAX))
        gs__rw_rlock_wait(rw, old, GS__NO_DEADLINE);
}

bool gs_rwmutex_tryrlock(gs_rwmutex *rw) {
    uint64_t old = gs__load_relaxed64(&rw->state);
    do {
        if (old & GS__RW_WPEND)
            return false;
        if (GS__RW_A(old) == GS__RW_A_MAX)
            gs__fatal("too many readers");
    } while (!gs__cas_acquire64(&rw->state, &old, old + GS__RW_READER));
    return true;
}

bool gs_rwmutex_rlock_timeout(gs_rwmutex *rw, int64_t timeout_ns) {
    if (timeout_ns <= 0)
        return gs_rwmutex_tryrlock(rw);
    uint64_t old = gs__fetch_add_acquire64(&rw->state, GS__RW_READER);
    if (GS__LIKELY(!(old & GS__RW_WPEND) && GS__RW_A(old) < GS__RW_A_MAX))
        return true;
    return gs__rw_rlock_wait(rw, old, gs__deadline_after(timeout_ns));
}

void gs_rwmutex_runlock(gs_rwmutex *rw) {
    /* release: pairs with the acquire by which a writer sees A reach 0. */
    uint64_t old = gs__fetch_sub_release64(&rw->state, GS__RW_READER);
    if (GS__UNLIKELY(GS__RW_A(old) == 0))
        gs__fatal("RUnlock of unlocked RWMutex");
    if (GS__UNLIKELY(old & GS__RW_WPEND))
        gs__rw_after_reader_left(rw, old);
}

/* ---- writers ---- */

/* The writer's release: clear WPEND and WSLEEP, flip PHASE, admit the queued readers.
 * Also how a writer that timed out while draining withdraws. */
static void gs__rw_writer_release(gs_rwmutex *rw) {
    uint64_t old = gs__load_relaxed64(&rw->state);
    uint64_t next;
    do {
        if (!(old & GS__RW_WPEND))
            gs__fatal("Unlock of unlocked RWMutex");
        if (GS__RW_A(old) + GS__RW_Q(old) > GS__RW_A_MAX)
            gs__fatal("too many readers");
        next = old & ~(GS__RW_WPEND | GS__RW_WSLEEP | GS__RW_Q_MASK);
        next ^= GS__RW_PHASE;
        next += GS__RW_Q(old) * GS__RW_READER;
    } while (!gs__cas_release64(&rw->state, &old, next));
    /* Only wakes from here on: the lock may already be freed. */
    uint32_t tags = (GS__RW_Q(old) ? GS__TAG_READER : 0) | (old & GS__RW_WSLEEP ? GS__TAG_WRITER : 0);
    if (tags)
        gs__wake(gs__rw_futex(rw), GS__WAKE_ALL, tags);
}

/* Sets WSLEEP (if not yet set) and sleeps on `cur`. Returns false when the deadline passed;
 * in every case the caller re-reads the state. */
static bool gs__rw_writer_sleep(gs_rwmutex *rw, uint64_t cur, int64_t deadline_ns) {
    GS__PROFILE_WAIT(rw); /* contention profiling (src/profile.c) */
    if (!(cur & GS__RW_WSLEEP)) {
        if (!gs__cas_relaxed64(&rw->state, &cur, cur | GS__RW_WSLEEP))
            return true;
        cur |= GS__RW_WSLEEP;
    }
    return gs__rw_sleep(rw, cur, deadline_ns, GS__TAG_WRITER);
}

/* Write-locks rw by deadline_ns; returns whether it did. */
static bool gs__rw_lock_until(gs_rwmutex *rw, int64_t deadline_ns) {
    if (!gs__mutex_lock_until(&rw->w, deadline_ns))
        return false;
    bool in_time = true;
    /* 1. Wait for the previous writer to unlock, then announce. acquire: pairs with its
     * release CAS. */
    uint64_t cur = gs__load_relaxed64(&rw->state);
    for (;;) {
        if (!(cur & GS__RW_WPEND)) {
            if (gs__cas_acquire64(&rw->state, &cur, (cur & ~GS__RW_WSLEEP) | GS__RW_WPEND)) {
                cur = (cur & ~GS__RW_WSLEEP) | GS__RW_WPEND;
                break;
            }
            continue;
        }
        if (!in_time) {
            gs_mutex_unlock(&rw->w);
            return false;
        }
        in_time = gs__rw_writer_sleep(rw, cur, deadline_ns);
        cur = gs__load_relaxed64(&rw->state);
    }
    /* 2. Wait for the active readers to drain. acquire: pairs with their release in
     * runlock. */
    for (;;) {
        if (GS__RW_A(cur) == 0) {
            if (!(cur & GS__RW_WSLEEP) ||
                gs__cas_acquire64(&rw->state, &cur, cur & ~GS__RW_WSLEEP))
                break;
            continue;
        }
        if (!in_time) {
            /* Give up as an unlock would, after releasing w: once the readers are let in,
             * one of them may free the lock. */
            gs_mutex_unlock(&rw->w);
            gs__rw_writer_release(rw);
            return false;
        }
        in_time = gs__rw_writer_sleep(rw, cur, deadline_ns);
        cur = gs__load_acquire64(&rw->state);
    }
    gs_mutex_unlock(&rw->w);
    return true;
}

void gs_rwmutex_lock(gs_rwmutex *rw) { gs__rw_lock_until(rw, GS__NO_DEADLINE); }

bool gs_rwmutex_lock_timeout(gs_rwmutex *rw, int64_t timeout_ns) {
    if (timeout_ns <= 0)
        return gs_rwmutex_trylock(rw);
    return gs__rw_lock_until(rw, gs__deadline_after(timeout_ns));
}

bool gs_rwmutex_trylock(gs_rwmutex *rw) {
    if (!gs_mutex_trylock(&rw->w))
        return false;
    uint64_t cur = gs__load_relaxed64(&rw->state);
    bool got = false;
    while (!(cur & GS__RW_WPEND) && GS__RW_A(cur) == 0) {
        if (gs__cas_acquire64(&rw->state, &cur, cur | GS__RW_WPEND)) {
            got = true;
            break;
        }
    }
    gs_mutex_unlock(&rw->w);
    return got;
}

void gs_rwmutex_unlock(gs_rwmutex *rw) { gs__rw_writer_release(rw); }
