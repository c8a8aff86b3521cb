/* src/rwmutex.c: gs_rwmutex, Go's sync.RWMutex.
 *
 * A 64-bit state word (rw->state) is the lock; a gs_mutex (rw->w) queues the writers that
 * find it taken, which brings the mutex's fairness (barging, then starvation mode) to
 * writer-vs-writer contention without a second copy of its slow path; and reader bias
 * (BRAVO, below) takes readers off the state word while no writer is around.
 *
 *   bits  0..15  Q       queued readers: arrived while a writer was pending, asleep until
 *                        that writer releases
 *   bits 16..31  P       admitted readers that have not yet noticed it (still asleep)
 *   bits 32..55  A       active readers: hold the lock, or were admitted and are waking up
 *   bit  59      WBLOCK  the thread holding w waits to announce: writers may not take the
 *                        fast path past it (without it, they could barge forever)
 *   bit  60      WHOLD   the announced writer holds w (it came by the slow path); its
 *                        release unlocks w
 *   bit  61      WPEND   a writer has announced itself: it holds the lock once A drains to
 *                        0 and no reader-bias slot holds rw, and it keeps new readers out
 *                        (they queue) from the announcement on
 *   bit  62      PHASE   flipped by a writer release that admits queued readers; a queued
 *                        reader is admitted when the phase differs from the one it queued in
 *   bit  63      WSLEEP  the thread holding w has gone, or is about to go, to sleep on the
 *                        word; it may be stale until the next announce, drain or release
 *                        clears it
 *
 * The upper half (A and the bits) is the futex word: readers sleep on it with the READER tag
 * waiting for PHASE to flip, the writer with the WRITER tag waiting for A == 0, for WPEND to
 * clear, or for P == 0. Every change a sleeper waits for changes that half (the reader that
 * takes P to 0 clears WSLEEP in the same CAS), so no wake-up is lost.
 *
 * Reader:   rlock     one CAS: A+1 if no writer is pending (acquire), else Q+1 and sleep
 *                     until PHASE flips (spinning first: GS__RW_READER_SPIN_NS); then P-1
 *                     (reader bias skips all this, see below)
 *           runlock   A-1 (CAS, release); if that took A to 0 while WPEND and WSLEEP were
 *                     both set, wake the writer
 * Writer:   fast      state all clear but PHASE -> set WPEND (one CAS): nobody reads, writes
 *                     or waits, so the lock is ours (after revoking reader bias, if set)
 *           slow      lock w; if WPEND (previous writer inside) or P > 0, set WBLOCK and
 *                     wait; one CAS sets WPEND|WHOLD and clears WBLOCK and WSLEEP; then
 *                     wait for A == 0 and for no slot to hold rw. w stays held until the
 *                     release, so the next writers queue on w, not here. Timing out before
 *                     announcing clears WBLOCK and unlocks w.
 *           release   if WHOLD, unlock w first; then one CAS: clear WPEND, WHOLD and WSLEEP,
 *                     and if Q > 0 flip PHASE, A += Q, P = Q, Q = 0 (the readers queued
 *                     behind this writer are admitted before the next writer can announce: Go's
 *                     "neither side starves"); then wake them, and the w-holder if it
 *                     sleeps. Used by unlock, and by a writer that gives up while draining
 *                     (it lets in the readers that queued behind it).
 *
 * Invariants:
 *   - Q > 0 only while WPEND is set; a release moves all of Q into A at once.
 *   - Only the thread holding w sleeps with the WRITER tag, so one WSLEEP bit suffices. (A
 *     slow-path writer holds w while it drains A, and w is released before WPEND is; a
 *     fast-path writer announced with A == 0 and never sleeps on the word.)
 *   - PHASE cannot flip twice while an admitted reader sleeps: flips happen only at a
 *     release that admits readers, and a writer announces only when P == 0, i.e. once
 *     every reader admitted by the previous flip has woken and seen it. (Without P, writers
 *     that time out and release again could flip PHASE back while such a reader slept: it
 *     would take itself for still queued.) One bit of phase is therefore enough.
 *   - Once WPEND is set, A only falls: arriving readers go to Q in the same CAS that looks
 *     at WPEND, so an announced writer's drain ends (no retrying reader can keep A up).
 *   - Every release (runlock, unlock, a writer giving up) ends in a single RMW on state, or
 *     on the reader's slot for a biased runlock, after which only gs__wake is called: the
 *     lock may be freed by the next owner at once. The unlock of w comes before it, while
 *     the lock is still write-held.
 *
 * Readers that time out while queued leave Q with a CAS if their phase has not flipped; if
 * it has, they were admitted and return true.
 */
#include <gosync/rwmutex.h>

#include "internal/atomic.h"
#include "internal/common.h"
#include "internal/mutex.h"
#include "internal/profile.h"
#include "internal/wait.h"

#include "internal/annotate.h" /* TSan/valgrind builds: public names defined in annotate.c */

#define GS__RW_QUEUED 1ull
#define GS__RW_Q_MAX 0xffffull
#define GS__RW_Q_MASK GS__RW_Q_MAX
#define GS__RW_PENDING (1ull << 16)
#define GS__RW_READER (1ull << 32)
#define GS__RW_A_MAX ((1ull << 24) - 1)
#define GS__RW_WBLOCK (1ull << 59)
#define GS__RW_WHOLD (1ull << 60)
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
 * revoking writer set to now + GS__RW_INHIBIT times the time since it cleared bias (the
 * drain of A included), 100 us at least
 * (Dice and Kogan, "BRAVO", USENIX ATC 2019).
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

#define GS__RW_SLOT_WAITING 1ull
/* Short bounded spins before sleeping (PAUSEs): the writer ahead, or the readers a writer
 * waits for, are often about to finish. */
#define GS__RW_WRITER_SPIN 64
#define GS__RW_READER_SPIN 64
/* A queued reader then goes on spinning, polling the state less often, for up to this long
 * after that first round, if its thread's previous queued wait ended within it (a
 * thread-local guess: one thread's waits tend to be alike). On 2 CPUs with 8 to 128 threads
 * and 1% or 10% writes, where the writer drains and writes in microseconds, this keeps the
 * queued readers runnable instead of asleep and woken: 1.1-1.5x the throughput. Where waits
 * are longer (readers that hold 100 us, the writer flood) the thread stops spinning long
 * after one such wait, and the flood's writer is not slowed. The cost: with 50% writes the
 * spinning takes CPU time from the writers, 5-10% of the throughput, a mix for which a
 * plain mutex is the better lock anyway (docs/PERFORMANCE.md, "2026-11-26, night"). */
#define GS__RW_READER_SPIN_NS 25000
#define GS__RW_READER_SPIN_SLOW 8
static _Thread_local bool gs__rw_wait_was_long;
#define GS__RW_INHIBIT 9
/* ... and at least this long: a revocation that finds no reader still scans the table
 * (about a microsecond), so a thread that alternates reads and writes would otherwise pay
 * it every few microseconds. */
#define GS__RW_INHIBIT_MIN_NS 100000
/* A revoking writer polls a slot this many times before it sleeps on it. */
#define GS__RW_SLOT_SPIN 64

_Alignas(64) uint64_t gs__rw_table[GS__RW_SLOTS];

#if defined(GS__RW_INLINE)
/* The header's hash, so that inlined and library calls find the same slot. */
static inline uint64_t *gs__rw_slot(const gs_rwmutex *rw) { return gs__rw_slot_of(rw); }
#else
/* No thread pointer builtin: the address of a thread-local byte names the thread. */
#if defined(__GNUC__)
static _Thread_local char gs__rw_self __attribute__((tls_model("initial-exec")));
#else
static _Thread_local char gs__rw_self;
#endif

static inline uint64_t *gs__rw_slot(const gs_rwmutex *rw) {
    uint64_t h =
        ((uint64_t)(uintptr_t)rw ^ (uint64_t)(uintptr_t)&gs__rw_self) * 0x9E3779B97F4A7C15ull;
    return &gs__rw_table[h >> (64 - GS__RW_SLOT_BITS)];
}
#endif

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

/* Our slot holds rw but bias was revoked meanwhile: back out. Returns false if we did;
 * true if our slot was already emptied by a runlock on another thread, which took our
 * token for one still out elsewhere: we hold that one. */
static bool gs__rw_backout(gs_rwmutex *rw, uint64_t *slot) {
    const uint64_t me = (uint64_t)(uintptr_t)rw;
    for (uint64_t v = gs__load_relaxed64(slot); (v & ~GS__RW_SLOT_WAITING) == me;) {
        if (gs__rw_slot_clear(slot, v))
            return false;
        v = gs__load_relaxed64(slot);
    }
    return true;
}

/* The biased read fast path: true if rw is now read-held through a slot. */
static inline bool gs__rw_fast_rlock(gs_rwmutex *rw) {
    if (!gs__load_relaxed32(&rw->bias))
        return false;
    uint64_t *slot = gs__rw_slot(rw);
    uint64_t v = 0;
    if (!gs__cas_seq_cst64(slot, &v, (uint64_t)(uintptr_t)rw))
        return false; /* slot taken: collision, use the state */
    /* seq_cst: ordered after our slot store (Dekker with the revoking writer). acquire:
     * pairs with the store that enabled bias, made while holding the lock after the last
     * writer released it. */
    if (GS__LIKELY(gs__load_seq_cst32(&rw->bias)))
        return true;
    return gs__rw_backout(rw, slot);
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

/* Waits until `slot` no longer holds rw (me); false if deadline_ns passed first. */
static GS__NOINLINE bool gs__rw_slot_drain(gs_rwmutex *rw, uint64_t *slot, int64_t deadline_ns) {
    GS__PROFILE_WAIT(rw); /* contention profiling (src/profile.c) */
    const uint64_t me = (uint64_t)(uintptr_t)rw;
    uint64_t v = gs__load_seq_cst64(slot);
    for (int spin = 0; (v & ~GS__RW_SLOT_WAITING) == me; spin++) {
        if (spin < GS__RW_SLOT_SPIN) {
            gs__cpu_relax();
        } else {
            if (!(v & GS__RW_SLOT_WAITING) && !gs__cas_relaxed64(slot, &v, v | GS__RW_SLOT_WAITING))
                continue;
            /* A slot can be emptied and refilled by another lock whose address has the same
             * lower half; the 1 ms cap bounds how long such an ABA could fool us. */
            int64_t until = gs__now_ns() + 1000000;
            if (!gs__wait(gs__rw_slot_futex(slot), (uint32_t)(me | GS__RW_SLOT_WAITING),
                          until < deadline_ns ? until : deadline_ns, GS__TAG_ANY) &&
                gs__now_ns() >= deadline_ns)
                return false;
        }
        v = gs__load_seq_cst64(slot);
    }
    return true;
}

/* Revocation, by the announced writer: clears bias (if set; *started gets the time, if it
 * is 0) and waits until no slot holds rw. Returns false if deadline_ns passed first. */
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
        /* seq_cst: ordered after our bias store (Dekker); acquire for the reader's release. */
        if ((gs__load_seq_cst64(&gs__rw_table[i]) & ~GS__RW_SLOT_WAITING) == me &&
            !gs__rw_slot_drain(rw, &gs__rw_table[i], deadline_ns))
            return false;
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

/* A reader queued (Q+1) in `phase`, cur the state its CAS wrote: sleeps until PHASE flips,
 * which means the writer moved it into A. Returns whether it got the read lock by
 * deadline_ns. */
static GS__NOINLINE bool gs__rw_rlock_queued(gs_rwmutex *rw, uint64_t cur, int64_t deadline_ns) {
    GS__PROFILE_WAIT(rw); /* contention profiling (src/profile.c) */
    const uint64_t phase = cur & GS__RW_PHASE;
    bool timed_out = false;
    int spin = gs__ncpu() > 1 ? GS__RW_READER_SPIN : 0;
    bool spin_long = false;
    /* When the first round of spinning ended: most waits end within it, and they need no
     * clock read to be known as short. */
    int64_t spun_at = 0;
    for (;;) {
        if ((cur & GS__RW_PHASE) != phase) {
            /* (With one CPU nothing spins: spun_at stays 0, and the flag is never read.) */
            gs__rw_wait_was_long = spun_at != 0 && gs__now_ns() - spun_at >= GS__RW_READER_SPIN_NS;
            gs__rw_reader_noticed(rw, cur);
            return true;
        }
        if (timed_out) {
            if (gs__cas_relaxed64(&rw->state, &cur, cur - GS__RW_QUEUED))
                return false;
            cur = gs__load_acquire64(&rw->state);
            continue;
        }
        if (spin > 0) {
            /* Write sections are often short: a little spinning saves the queued readers a
             * sleep and a wake-up. */
            spin--;
            gs__cpu_relax();
            /* The longer spin reads the state once per GS__RW_READER_SPIN_SLOW PAUSEs: each
             * read pulls the line to this CPU, and the writers' next CAS must take it back. */
            for (int i = 1; spin_long && i < GS__RW_READER_SPIN_SLOW; i++)
                gs__cpu_relax();
            if (spin == 0) { /* a round is over; the longer spin goes on in such rounds */
                int64_t now = gs__now_ns();
                if (spun_at == 0) {
                    spun_at = now;
                    spin_long = !gs__rw_wait_was_long;
                }
                spin_long = spin_long && now - spun_at < GS__RW_READER_SPIN_NS && now < deadline_ns;
                if (spin_long)
                    spin = GS__RW_READER_SPIN;
            }
        } else if (!gs__rw_sleep(rw, cur, deadline_ns, GS__TAG_READER)) {
            timed_out = true;
        }
        cur = gs__load_acquire64(&rw->state);
    }
}

/* The state path of rlock, by deadline_ns: A+1 if no writer is pending, else Q+1, in one
 * CAS. (Counting every arrival in A first and moving it to Q afterwards would let a reader
 * that times out and retries keep A from ever draining under an announced writer:
 * verify/FINDINGS.md F3.) */
static bool gs__rw_state_rlock(gs_rwmutex *rw, int64_t deadline_ns) {
    uint64_t old = gs__load_relaxed64(&rw->state);
    for (;;) {
        if (!(old & GS__RW_WPEND)) {
            if (GS__RW_A(old) == GS__RW_A_MAX)
                gs__fatal("too many readers");
            /* acquire: pairs with the last writer's release. */
            if (gs__cas_acquire64(&rw->state, &old, old + GS__RW_READER)) {
                gs__rw_maybe_enable_bias(rw);
                return true;
            }
        } else {
            if (GS__RW_Q(old) == GS__RW_Q_MAX)
                gs__fatal("too many readers");
            if (gs__cas_relaxed64(&rw->state, &old, old + GS__RW_QUEUED))
                return gs__rw_rlock_queued(rw, old + GS__RW_QUEUED, deadline_ns);
        }
    }
}

void(gs_rwmutex_rlock)(gs_rwmutex *rw) {
    if (!gs__rw_fast_rlock(rw))
        gs__rw_state_rlock(rw, GS__NO_DEADLINE);
}

void gs__rwmutex_rlock_backout(gs_rwmutex *rw, uint64_t *slot) {
    if (!gs__rw_backout(rw, slot))
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

void(gs_rwmutex_runlock)(gs_rwmutex *rw) {
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

/* The writer's release: if it holds w, unlock w (the lock is still write-held, so nobody
 * can free it yet); then one CAS clears WPEND, WHOLD and WSLEEP, flips PHASE and admits the
 * queued readers. Also how a writer that gave up while draining withdraws. */
static void gs__rw_writer_release(gs_rwmutex *rw) {
    uint64_t old = gs__load_relaxed64(&rw->state);
    if (!(old & GS__RW_WPEND))
        gs__fatal("Unlock of unlocked RWMutex");
    if (old & GS__RW_WHOLD)
        gs_mutex_unlock(&rw->w); /* WHOLD is ours: nobody else changes it */
    uint64_t next;
    do {
        if (!(old & GS__RW_WPEND))
            gs__fatal("Unlock of unlocked RWMutex");
        if (GS__RW_A(old) + GS__RW_Q(old) > GS__RW_A_MAX)
            gs__fatal("too many readers");
        next = old & ~(GS__RW_WPEND | GS__RW_WHOLD | GS__RW_WSLEEP | GS__RW_Q_MASK);
        if (GS__RW_Q(old)) { /* admit them: P counts them until each has seen the flip */
            next ^= GS__RW_PHASE;
            next += GS__RW_Q(old) * (GS__RW_READER + GS__RW_PENDING);
        }
    } while (!gs__cas_release64(&rw->state, &old, next));
    /* Only wakes from here on: the lock may already be freed. */
    uint32_t tags =
        (GS__RW_Q(old) ? GS__TAG_READER : 0) | (old & GS__RW_WSLEEP ? GS__TAG_WRITER : 0);
    if (tags)
        gs__wake(gs__rw_futex(rw), GS__WAKE_ALL, tags);
}

/* Waits for `cur` to change: spins first (spin counts down across calls), then sets WSLEEP
 * and sleeps. Returns false when the deadline passed; in every case the caller re-reads. */
static bool gs__rw_writer_wait(gs_rwmutex *rw, uint64_t cur, int *spin, int64_t deadline_ns) {
    if (*spin > 0) {
        (*spin)--;
        gs__cpu_relax();
        return true;
    }
    if (!(cur & GS__RW_WSLEEP)) {
        if (!gs__cas_relaxed64(&rw->state, &cur, cur | GS__RW_WSLEEP))
            return true;
        cur |= GS__RW_WSLEEP;
    }
    return gs__rw_sleep(rw, cur, deadline_ns, GS__TAG_WRITER);
}

/* The announced writer waits for its way in: A drained and no slot holding rw. On success
 * sets the inhibit time if this writer turned reader bias off (revoked_at: when); returns
 * false if deadline_ns passed first (the caller gives up). */
static bool gs__rw_writer_drain(gs_rwmutex *rw, uint64_t cur, int64_t deadline_ns) {
    /* Turn reader bias off first, so that new readers come to the state and queue (a
     * waiting writer keeps new readers out). */
    int64_t revoked_at = 0;
    if (gs__load_relaxed32(&rw->bias)) {
        gs__store_seq_cst32(&rw->bias, 0);
        revoked_at = gs__now_ns();
    }
    int spin = gs__ncpu() > 1 ? GS__RW_WRITER_SPIN : 0;
    bool in_time = true;
    /* acquire: pairs with the readers' release in runlock. */
    while (GS__RW_A(cur) != 0 || (cur & GS__RW_WSLEEP)) {
        if (GS__RW_A(cur) == 0) { /* drained: clear our WSLEEP */
            if (gs__cas_acquire64(&rw->state, &cur, cur & ~GS__RW_WSLEEP))
                break;
            continue;
        }
        if (!in_time)
            goto give_up;
        in_time = gs__rw_writer_wait(rw, cur, &spin, deadline_ns);
        cur = gs__load_acquire64(&rw->state);
    }
    /* The readers holding rw through slots. A reader that held it through the state may have
     * turned bias back on before it left; none can now (A is 0 and new readers queue), so
     * this revocation is the last. */
    if (!gs__rw_revoke(rw, deadline_ns, &revoked_at))
        goto give_up;
    if (revoked_at != 0) {
        int64_t now = gs__now_ns();
        int64_t cost = now - revoked_at;
        if (cost < GS__RW_INHIBIT_MIN_NS / GS__RW_INHIBIT)
            cost = GS__RW_INHIBIT_MIN_NS / GS__RW_INHIBIT;
        gs__store_relaxed64(&rw->inhibit, (uint64_t)(now + GS__RW_INHIBIT * cost));
    }
    return true;

give_up:
    /* Readers may still hold rw through slots: bias goes back on before WPEND goes, so that
     * "bias clear => no slot holds rw" stays true for the next writer. */
    if (revoked_at != 0)
        gs__store_seq_cst32(&rw->bias, 1);
    return false;
}

/* The writer fast path: all clear but PHASE -> WPEND. acquire: pairs with the release of
 * the previous holder (writer release, or the runlock that emptied A). */
static inline bool gs__rw_fast_wlock(gs_rwmutex *rw) {
    uint64_t cur = 0;
    if (GS__LIKELY(gs__cas_acquire64(&rw->state, &cur, GS__RW_WPEND)))
        return true;
    return cur == GS__RW_PHASE && gs__cas_acquire64(&rw->state, &cur, cur | GS__RW_WPEND);
}

/* Write-locks rw by deadline_ns; returns whether it did. */
static GS__NOINLINE bool gs__rw_lock_slow(gs_rwmutex *rw, int64_t deadline_ns) {
    GS__PROFILE_WAIT(rw); /* contention profiling (src/profile.c) */
    if (!gs__mutex_lock_until(&rw->w, deadline_ns))
        return false;
    /* 1. We hold w: block fast-path writers, wait for the writer inside to release and for
     * the readers it admitted to notice, then announce. acquire: pairs with its release. */
    int spin = gs__ncpu() > 1 ? GS__RW_WRITER_SPIN : 0;
    bool in_time = true;
    uint64_t cur = gs__load_relaxed64(&rw->state);
    for (;;) {
        if (!(cur & GS__RW_WPEND) && GS__RW_P(cur) == 0) {
            uint64_t next = (cur & ~(GS__RW_WSLEEP | GS__RW_WBLOCK)) | GS__RW_WPEND | GS__RW_WHOLD;
            if (gs__cas_acquire64(&rw->state, &cur, next)) {
                cur = next;
                break;
            }
            continue;
        }
        if (!(cur & GS__RW_WBLOCK)) {
            gs__cas_relaxed64(&rw->state, &cur, cur | GS__RW_WBLOCK);
            continue;
        }
        if (!in_time) {
            /* Unblock the fast path before the next w-holder sets its own block. */
            while (!gs__cas_relaxed64(&rw->state, &cur, cur & ~GS__RW_WBLOCK)) {
            }
            gs_mutex_unlock(&rw->w);
            return false;
        }
        in_time = gs__rw_writer_wait(rw, cur, &spin, deadline_ns);
        cur = gs__load_relaxed64(&rw->state);
    }
    /* 2. Drain the readers; w stays held until our release. */
    if (!gs__rw_writer_drain(rw, cur, deadline_ns)) {
        gs__rw_writer_release(rw); /* unlocks w, lets in the readers queued behind us */
        return false;
    }
    return true;
}

/* A writer that took the fast path while reader bias was on waits for the readers that hold
 * rw through slots (profiled per slot it waits on, in gs__rw_slot_drain); gives up (and
 * releases) at deadline_ns. */
static GS__NOINLINE bool gs__rw_fast_drain(gs_rwmutex *rw, int64_t deadline_ns) {
    if (gs__rw_writer_drain(rw, GS__RW_WPEND, deadline_ns))
        return true;
    gs__rw_writer_release(rw);
    return false;
}

void gs_rwmutex_lock(gs_rwmutex *rw) {
    if (GS__LIKELY(gs__rw_fast_wlock(rw))) {
        if (GS__UNLIKELY(gs__load_relaxed32(&rw->bias)))
            gs__rw_fast_drain(rw, GS__NO_DEADLINE);
        return;
    }
    gs__rw_lock_slow(rw, GS__NO_DEADLINE);
}

bool gs_rwmutex_lock_timeout(gs_rwmutex *rw, int64_t timeout_ns) {
    if (timeout_ns <= 0)
        return gs_rwmutex_trylock(rw);
    int64_t deadline_ns = gs__deadline_after(timeout_ns);
    if (gs__rw_fast_wlock(rw))
        return !gs__load_relaxed32(&rw->bias) || gs__rw_fast_drain(rw, deadline_ns);
    return gs__rw_lock_slow(rw, deadline_ns);
}

bool gs_rwmutex_trylock(gs_rwmutex *rw) {
    if (!gs__rw_fast_wlock(rw))
        return false;
    if (gs__load_relaxed32(&rw->bias)) {
        /* Readers may hold rw through slots: revoke, and fail if any does. */
        gs__store_seq_cst32(&rw->bias, 0);
        const uint64_t me = (uint64_t)(uintptr_t)rw;
        for (int i = 0; i < GS__RW_SLOTS; i++) {
            if ((gs__load_seq_cst64(&gs__rw_table[i]) & ~GS__RW_SLOT_WAITING) == me) {
                gs__store_seq_cst32(&rw->bias, 1); /* as in gs__rw_writer_drain's give_up */
                gs__rw_writer_release(rw);
                return false;
            }
        }
    }
    return true;
}

void gs_rwmutex_unlock(gs_rwmutex *rw) {
    /* Fast path: a writer that came by the fast path, nobody queued or waiting. release:
     * pairs with the next holder's acquire. */
    uint64_t cur = GS__RW_WPEND;
    if (GS__LIKELY(gs__cas_release64(&rw->state, &cur, 0)))
        return;
    if (cur == (GS__RW_WPEND | GS__RW_PHASE) && gs__cas_release64(&rw->state, &cur, GS__RW_PHASE))
        return;
    gs__rw_writer_release(rw);
}
