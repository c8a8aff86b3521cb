/* src/rwmutex.c: gs_rwmutex, Go's sync.RWMutex.
 *
 * Writers serialise on a gs_mutex (rw->w), which brings the mutex's fairness (starvation
 * mode) to writer-vs-writer contention without a second copy of its slow path. Readers and
 * the one writer that holds w meet on a 64-bit state word (rw->state):
 *
 *   bits  0..15  Q       queued readers: arrived while a writer was pending, asleep until
 *                        that writer unlocks
 *   bits 16..31  P       admitted readers that have not yet noticed it (still asleep)
 *   bits 32..55  A       active readers: hold the lock, or were admitted and are waking up
 *   bit  61      WPEND   a writer has announced itself: it holds the lock once A drains to
 *                        0, and it keeps new readers out (they queue) from the announcement on
 *   bit  62      PHASE   flipped by every writer release; a queued reader is admitted when the
 *                        phase differs from the one it queued in
 *   bit  63      WSLEEP  the writer holding w sleeps on the word
 *
 * The upper half (A, WPEND, PHASE, WSLEEP) is the futex word: readers sleep on it with the
 * READER tag waiting for PHASE to flip, the writer with the WRITER tag waiting for A == 0,
 * for WPEND to clear, or for P == 0. Every change a sleeper waits for changes that half (the
 * reader that takes P to 0 clears WSLEEP in the same CAS), so no wake-up is lost.
 *
 * Reader:   rlock     A+1 (fetch_add, acquire); if WPEND was set, move A-1,Q+1 (CAS) unless
 *                     that writer already released, then sleep until PHASE flips; then P-1
 *           runlock   A-1 (fetch_sub, release); if that took A to 0 under WPEND|WSLEEP,
 *                     wake the writer
 * Writer:   lock      lock w; wait for !WPEND (previous writer inside) and P == 0; set WPEND;
 *                     wait for A == 0; unlock w. The write lock is then held by WPEND alone.
 *           release   one CAS: clear WPEND and WSLEEP, flip PHASE, A += Q, P = Q, Q = 0 (the
 *                     readers that queued behind this writer are admitted before the next
 *                     writer can announce: Go's "neither side starves"); then wake them, and
 *                     the w-holder if it sleeps. Used by unlock, and by a writer that times
 *                     out while draining (it lets in the readers that queued behind it).
 *
 * Invariants:
 *   - Q > 0 only while WPEND is set; a release moves all of Q into A at once.
 *   - Only the thread holding w sleeps with the WRITER tag, so one WSLEEP bit suffices.
 *   - PHASE cannot flip twice while an admitted reader sleeps: flips happen only at the
 *     release of an announced writer, and a writer announces only when P == 0, i.e. once
 *     every reader admitted by the previous flip has woken and seen it. (Without P, writers
 *     that time out and release again could flip PHASE back while such a reader slept: it
 *     would take itself for still queued.) One bit of phase is therefore enough.
 *   - A reader that saw WPEND moves itself to Q only while (WPEND, PHASE) still name the
 *     writer it saw; if that writer has released, its A count already admits it.
 *   - Every release (runlock, unlock, a writer giving up) is a single RMW on state, after
 *     which only gs__wake is called: the lock may be freed by the next owner at once.
 *
 * Readers that time out while queued leave Q with a CAS if their phase has not flipped; if
 * it has, they were admitted and return true.
 */
#include <gosync/rwmutex.h>

#include "internal/atomic.h"
#include "internal/common.h"
#include "internal/mutex.h"
#include "internal/wait.h"

#define GS__RW_QUEUED 1ull
#define GS__RW_Q_MAX 0xffffull
#define GS__RW_Q_MASK GS__RW_Q_MAX
#define GS__RW_PENDING (1ull << 16)
#define GS__RW_P_MASK (0xffffull << 16)
#define GS__RW_READER (1ull << 32)
#define GS__RW_A_MAX ((1ull << 24) - 1)
#define GS__RW_WPEND (1ull << 61)
#define GS__RW_PHASE (1ull << 62)
#define GS__RW_WSLEEP (1ull << 63)

#define GS__RW_Q(s) ((s)&GS__RW_Q_MASK)
#define GS__RW_P(s) (((s) >> 16) & 0xffffull)
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

/* ---- the reader-bias table (BRAVO) ----
 *
 * While rw->bias is set, a reader does not touch rw->state at all: it publishes itself by a
 * CAS of its slot in a global table from 0 to rw's address, then re-checks bias. Slots are
 * picked by hashing (lock, thread), so readers of one lock on different CPUs write
 * different cache lines, and reads scale. A writer, once announced, clears bias and waits
 * for every slot holding rw to empty (revocation). Dekker's pattern makes this safe: the
 * reader's slot CAS and bias load, and the writer's bias store and slot loads, are all
 * seq_cst, so either the reader sees bias clear (and backs out) or the writer sees its slot.
 * Bias is turned back on by a reader on the state path, once now >= rw->inhibit, which the
 * revoking writer set to GS__RW_INHIBIT times what the revocation cost (Dice and Kogan,
 * "BRAVO", USENIX ATC 2019).
 *
 * Invariant: while no writer has announced, bias clear implies no slot holds rw (apart
 * from readers that saw bias clear and are backing out). A writer clears bias only after
 * announcing, and one that then gives up (timeout, trylock) sets it again before it
 * releases WPEND, since readers may still hold rw through slots.
 *
 * A read hold is a token: either a unit of A or a slot holding rw. Tokens are
 * interchangeable: runlock removes any one, its own slot if that holds rw, else a unit of A,
 * else (A already 0: the read lock was taken on another thread, Go allows the runlock here)
 * any slot holding rw found by scanning the table. A writer waits for A == 0 and for no slot
 * to hold rw, so it never enters while a token is out. A slot value with SLOT_WAITING set
 * says the revoking writer sleeps on the slot's lower half; whoever empties it wakes it. */

#define GS__RW_SLOTS 1024
#define GS__RW_SLOT_WAITING 1ull
#define GS__RW_INHIBIT 9
/* A revoking writer polls a slot this many times before it sleeps on it. */
#define GS__RW_SLOT_SPIN 64

static _Alignas(64) uint64_t gs__rw_table[GS__RW_SLOTS];

#if defined(__GNUC__)
static _Thread_local char gs__rw_self __attribute__((tls_model("initial-exec")));
#else
static _Thread_local char gs__rw_self;
#endif

static inline uint64_t *gs__rw_slot(const gs_rwmutex *rw) {
    uint64_t h = (uint64_t)(uintptr_t)rw * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uintptr_t)&gs__rw_self * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    return &gs__rw_table[h & (GS__RW_SLOTS - 1)];
}

static inline uint32_t *gs__rw_slot_futex(uint64_t *slot) {
    return (uint32_t *)slot + (gs__upper_half32(slot) == (uint32_t *)slot ? 1 : 0);
}

/* Empties a slot seen holding rw (value v, with or without WAITING). Returns false if the
 * slot changed first. release: the reader's critical section happens-before the writer's
 * acquire load that sees the slot empty. */
static inline bool gs__rw_slot_clear(uint64_t *slot, uint64_t v) {
    if (!gs__cas_release64(slot, &v, 0))
        return false;
    /* The lock may be freed from here on; the wake does not touch the slot's lock. */
    if (v & GS__RW_SLOT_WAITING)
        gs__wake(gs__rw_slot_futex(slot), GS__WAKE_ALL, GS__TAG_ANY);
    return true;
}

/* The biased read fast path: true if rw is now read-held through a slot. */
static inline bool gs__rw_fast_rlock(gs_rwmutex *rw) {
    if (!gs__load_relaxed32(&rw->bias))
        return false;
    uint64_t *slot = gs__rw_slot(rw);
    uint64_t v = 0;
    const uint64_t me = (uint64_t)(uintptr_t)rw;
    if (!gs__cas_seq_cst64(slot, &v, me))
        return false; /* slot taken: collision, use the state */
    /* seq_cst: ordered after our slot store (Dekker with the revoking writer). acquire:
     * pairs with the store that enabled bias, made while holding the lock after the last
     * writer released it. */
    if (GS__LIKELY(gs__load_seq_cst32(&rw->bias)))
        return true;
    /* Revoked meanwhile: back out. If our slot was already emptied by a runlock on another
     * thread, that runlock took our token for one still out elsewhere, and we hold that. */
    for (v = gs__load_relaxed64(slot); (v & ~GS__RW_SLOT_WAITING) == me;) {
        if (gs__rw_slot_clear(slot, v))
            return false;
        v = gs__load_relaxed64(slot);
    }
    return true;
}

/* Empties some slot holding rw, scanning the whole table; false if there is none. */
static bool gs__rw_slot_scan_clear(gs_rwmutex *rw) {
    const uint64_t me = (uint64_t)(uintptr_t)rw;
    for (int i = 0; i < GS__RW_SLOTS; i++) {
        uint64_t v = gs__load_relaxed64(&gs__rw_table[i]);
        while ((v & ~GS__RW_SLOT_WAITING) == me) {
            if (gs__rw_slot_clear(&gs__rw_table[i], v))
                return true;
            v = gs__load_relaxed64(&gs__rw_table[i]);
        }
    }
    return false;
}

/* A reader holding rw through the state may turn bias back on. Checked on one state-path
 * read in 8 per thread, to keep the clock off the common path. */
static void gs__rw_maybe_enable_bias(gs_rwmutex *rw) {
    static _Thread_local unsigned tick;
    if ((tick++ & 7) != 0 || gs__load_relaxed32(&rw->bias))
        return;
    if ((uint64_t)gs__now_ns() >= gs__load_relaxed64(&rw->inhibit))
        gs__store_seq_cst32(&rw->bias, 1);
}

/* Revocation, by the announced writer: clears bias (if set) and waits until no slot holds
 * rw. Returns false if deadline_ns passed first. */
static bool gs__rw_revoke(gs_rwmutex *rw, int64_t deadline_ns, int64_t *started) {
    if (gs__load_relaxed32(&rw->bias)) {
        gs__store_seq_cst32(&rw->bias, 0);
        if (*started == 0)
            *started = gs__now_ns();
    }
    if (*started == 0)
        return true; /* never biased since we announced: no slot can hold rw */
    const uint64_t me = (uint64_t)(uintptr_t)rw;
    for (int i = 0; i < GS__RW_SLOTS; i++) {
        uint64_t *slot = &gs__rw_table[i];
        /* seq_cst: ordered after our bias store (Dekker); acquire for the reader's release. */
        uint64_t v = gs__load_seq_cst64(slot);
        for (int spin = 0; (v & ~GS__RW_SLOT_WAITING) == me; spin++) {
            if (spin < GS__RW_SLOT_SPIN) {
                gs__cpu_relax();
            } else {
                if (!(v & GS__RW_SLOT_WAITING) &&
                    !gs__cas_relaxed64(slot, &v, v | GS__RW_SLOT_WAITING))
                    continue;
                /* A slot can be emptied and refilled by another lock whose address has the
                 * same lower half; the 1 ms cap bounds how long such an ABA could fool us. */
                int64_t until = gs__now_ns() + 1000000;
                if (!gs__wait(gs__rw_slot_futex(slot), (uint32_t)(me | GS__RW_SLOT_WAITING),
                              until < deadline_ns ? until : deadline_ns, GS__TAG_ANY) &&
                    gs__now_ns() >= deadline_ns)
                    return false;
            }
            v = gs__load_seq_cst64(slot);
        }
    }
    return true;
}

/* ---- readers ---- */

/* An admitted reader has seen the PHASE flip: P-1. The one that takes P to 0 clears WSLEEP
 * in the same CAS and wakes the writer, which may be waiting to announce. acquire: pairs
 * with the release CAS of the writer that admitted us. */
static void gs__rw_reader_noticed(gs_rwmutex *rw, uint64_t cur) {
    uint64_t next;
    do {
        next = cur - GS__RW_PENDING;
        if (GS__RW_P(cur) == 1)
            next &= ~GS__RW_WSLEEP;
    } while (!gs__cas_acquire64(&rw->state, &cur, next));
    if (GS__RW_P(cur) == 1 && (cur & GS__RW_WSLEEP))
        gs__wake(gs__rw_futex(rw), 1, GS__TAG_WRITER);
}

/* Slow path of rlock: our A+1 landed while a writer was pending (old is the value it
 * replaced). Returns whether we got the read lock by deadline_ns. */
static GS__NOINLINE bool gs__rw_rlock_wait(gs_rwmutex *rw, uint64_t old, int64_t deadline_ns) {
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
        if (GS__RW_Q(cur) == GS__RW_Q_MAX)
            gs__fatal("too many readers");
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
        if ((cur & GS__RW_PHASE) != phase) {
            gs__rw_reader_noticed(rw, cur);
            return true;
        }
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

/* The state path of rlock, by deadline_ns. */
static bool gs__rw_state_rlock(gs_rwmutex *rw, int64_t deadline_ns) {
    uint64_t old = gs__fetch_add_acquire64(&rw->state, GS__RW_READER);
    if (GS__UNLIKELY((old & GS__RW_WPEND) || GS__RW_A(old) == GS__RW_A_MAX))
        return gs__rw_rlock_wait(rw, old, deadline_ns);
    gs__rw_maybe_enable_bias(rw);
    return true;
}

void gs_rwmutex_rlock(gs_rwmutex *rw) {
    if (!gs__rw_fast_rlock(rw))
        gs__rw_state_rlock(rw, GS__NO_DEADLINE);
}

bool gs_rwmutex_tryrlock(gs_rwmutex *rw) {
    if (gs__rw_fast_rlock(rw))
        return true;
    uint64_t old = gs__load_relaxed64(&rw->state);
    do {
        if (old & GS__RW_WPEND)
            return false;
        if (GS__RW_A(old) == GS__RW_A_MAX)
            gs__fatal("too many readers");
    } while (!gs__cas_acquire64(&rw->state, &old, old + GS__RW_READER));
    gs__rw_maybe_enable_bias(rw);
    return true;
}

bool gs_rwmutex_rlock_timeout(gs_rwmutex *rw, int64_t timeout_ns) {
    if (timeout_ns <= 0)
        return gs_rwmutex_tryrlock(rw);
    if (gs__rw_fast_rlock(rw))
        return true;
    return gs__rw_state_rlock(rw, gs__deadline_after(timeout_ns));
}

void gs_rwmutex_runlock(gs_rwmutex *rw) {
    /* Our own slot, if it holds rw (release: see gs__rw_slot_clear). */
    uint64_t *slot = gs__rw_slot(rw);
    const uint64_t me = (uint64_t)(uintptr_t)rw;
    for (uint64_t v = gs__load_relaxed64(slot); (v & ~GS__RW_SLOT_WAITING) == me;) {
        if (gs__rw_slot_clear(slot, v))
            return;
        v = gs__load_relaxed64(slot);
    }
    /* Else a unit of A. release: pairs with the acquire by which a writer sees A reach 0. */
    uint64_t old = gs__load_relaxed64(&rw->state);
    do {
        if (GS__UNLIKELY(GS__RW_A(old) == 0)) {
            /* No unit of A: the hold must be a slot taken on another thread. */
            if (!gs__rw_slot_scan_clear(rw))
                gs__fatal("RUnlock of unlocked RWMutex");
            return;
        }
    } while (!gs__cas_release64(&rw->state, &old, old - GS__RW_READER));
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
        next += GS__RW_Q(old) * (GS__RW_READER + GS__RW_PENDING);
    } while (!gs__cas_release64(&rw->state, &old, next));
    /* Only wakes from here on: the lock may already be freed. */
    uint32_t tags = (GS__RW_Q(old) ? GS__TAG_READER : 0) | (old & GS__RW_WSLEEP ? GS__TAG_WRITER : 0);
    if (tags)
        gs__wake(gs__rw_futex(rw), GS__WAKE_ALL, tags);
}

/* Sets WSLEEP (if not yet set) and sleeps on `cur`. Returns false when the deadline passed;
 * in every case the caller re-reads the state. */
static bool gs__rw_writer_sleep(gs_rwmutex *rw, uint64_t cur, int64_t deadline_ns) {
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
    /* 1. Wait for the previous writer to release and for the readers it admitted to
     * notice, then announce. acquire: pairs with the previous writer's release CAS. */
    uint64_t cur = gs__load_relaxed64(&rw->state);
    for (;;) {
        if (!(cur & GS__RW_WPEND) && GS__RW_P(cur) == 0) {
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
    /* 2. Turn reader bias off, so that new readers come to the state and queue (a waiting
     * writer keeps new readers out), then wait for the active readers to drain. acquire:
     * pairs with their release in runlock. */
    int64_t revoked_at = 0;
    if (gs__load_relaxed32(&rw->bias)) {
        gs__store_seq_cst32(&rw->bias, 0);
        revoked_at = gs__now_ns();
    }
    for (;;) {
        if (GS__RW_A(cur) == 0) {
            if (!(cur & GS__RW_WSLEEP) ||
                gs__cas_acquire64(&rw->state, &cur, cur & ~GS__RW_WSLEEP))
                break;
            continue;
        }
        if (!in_time)
            goto give_up;
        in_time = gs__rw_writer_sleep(rw, cur, deadline_ns);
        cur = gs__load_acquire64(&rw->state);
    }
    /* 3. Wait for the readers that hold rw through slots. A reader that held it through the
     * state may have turned bias back on before it left; none can now (A is 0 and new
     * readers queue), so this revocation is the last. */
    if (!gs__rw_revoke(rw, deadline_ns, &revoked_at))
        goto give_up;
    if (revoked_at != 0) {
        int64_t now = gs__now_ns();
        gs__store_relaxed64(&rw->inhibit, (uint64_t)(now + GS__RW_INHIBIT * (now - revoked_at)));
    }
    gs_mutex_unlock(&rw->w);
    return true;

give_up:
    /* Readers may still hold rw through slots: bias goes back on before WPEND goes, so
     * that "bias clear => no slot holds rw" stays true for the next writer. */
    if (revoked_at != 0)
        gs__store_seq_cst32(&rw->bias, 1);
    /* Give up as an unlock would, after releasing w: once the readers are let in, one of
     * them may free the lock. */
    gs_mutex_unlock(&rw->w);
    gs__rw_writer_release(rw);
    return false;
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
    while (!(cur & GS__RW_WPEND) && GS__RW_A(cur) == 0 && GS__RW_P(cur) == 0) {
        if (gs__cas_acquire64(&rw->state, &cur, cur | GS__RW_WPEND)) {
            got = true;
            break;
        }
    }
    if (got && gs__load_relaxed32(&rw->bias)) {
        /* Readers may hold rw through slots: revoke, and fail if any does. */
        gs__store_seq_cst32(&rw->bias, 0);
        const uint64_t me = (uint64_t)(uintptr_t)rw;
        for (int i = 0; i < GS__RW_SLOTS && got; i++)
            if ((gs__load_seq_cst64(&gs__rw_table[i]) & ~GS__RW_SLOT_WAITING) == me)
                got = false;
        if (!got) {
            gs__store_seq_cst32(&rw->bias, 1); /* as in gs__rw_lock_until's give_up */
            gs_mutex_unlock(&rw->w);
            gs__rw_writer_release(rw);
            return false;
        }
    }
    gs_mutex_unlock(&rw->w);
    return got;
}

void gs_rwmutex_unlock(gs_rwmutex *rw) { gs__rw_writer_release(rw); }
