/* gosync/mutex.h: gs_mutex, Go's sync.Mutex.
 *
 * A mutual exclusion lock. The zero value is an unlocked mutex: a static, calloc'ed or
 * `= {0}` gs_mutex needs no initialisation call, and there is no destroy call. GS_MUTEX_INIT
 * spells the zero value. A gs_mutex must not be copied or moved after first use.
 *
 * Semantics are Go's:
 *   - not re-entrant: a thread that locks a mutex it already holds deadlocks (compile with
 *     -DGS_DEBUG to have that reported instead); holding the lock means "the invariants of
 *     the data it guards may be broken right now", so the holder must not re-acquire it;
 *   - a locked mutex is not tied to a thread: one thread may lock it and another unlock it;
 *   - unlocking an unlocked mutex is a fatal error ("gosync: unlock of unlocked mutex");
 *   - memory: the n-th unlock synchronizes-before the return of the m-th lock for n < m
 *     (unlock is a release, lock an acquire); a failed trylock synchronizes with nothing;
 *   - fairness: a running thread may take the lock ahead of sleeping waiters (throughput),
 *     but waiters queue in the order they came, and once the oldest has waited over 1 ms
 *     an unlock hands the lock straight to it (no other thread can take a handoff), at
 *     most one handoff per 100 us with ordinary unlocks in between, so that the lock keeps
 *     its throughput while the waiters are served in turn (src/mutex.c).
 *
 * Example (Go's `mu.Lock(); defer mu.Unlock()`):
 *
 *     static gs_mutex mu;
 *     static int balance GS_GUARDED_BY(mu);
 *
 *     void deposit(int amount) {
 *         GS_GUARD(&mu);          // unlocked when the block is left, by any path
 *         balance += amount;
 *     }
 */
#ifndef GOSYNC_MUTEX_H
#define GOSYNC_MUTEX_H

#include "config.h"

GS_EXTERN_C_BEGIN

typedef struct GS_CAPABILITY("mutex") gs_mutex {
    uint32_t state; /* private: see src/mutex.c */
} gs_mutex;

#define GS_MUTEX_INIT                                                                              \
    { 0 }

/* Locks mu, blocking until it is available.
 * Requires that the calling thread not hold mu (not re-entrant). */
GS_API void gs_mutex_lock(gs_mutex *mu) GS_ACQUIRE(*mu);

/* Unlocks mu. Requires mu to be locked (by any thread); otherwise fatal:
 * "gosync: unlock of unlocked mutex". Never touches *mu after the lock is released, so the
 * thread that next acquires it may free it at once. */
GS_API void gs_mutex_unlock(gs_mutex *mu) GS_RELEASE(*mu);

/* Locks mu if it is free at this instant; returns whether it did. Never takes a lock that
 * an unlock is handing to a starving waiter. A failed call is not a synchronizing
 * operation. */
GS_API bool gs_mutex_trylock(gs_mutex *mu) GS_TRY_ACQUIRE(true, *mu);

/* Locks mu, waiting at most timeout_ns nanoseconds (CLOCK_MONOTONIC); returns whether it
 * acquired. timeout_ns <= 0 tries once without blocking. Never returns false earlier than
 * timeout_ns after the call. */
GS_API bool gs_mutex_lock_timeout(gs_mutex *mu, int64_t timeout_ns) GS_TRY_ACQUIRE(true, *mu);

/* Slow paths behind the inline fast paths below; not for direct use. */
GS_API void gs__mutex_lock_slow(gs_mutex *mu);
GS_API void gs__mutex_unlock_slow(gs_mutex *mu);

/* Whether an unlock that finds the state word v may just clear LOCKED (bit 0): the lock is
 * held and nobody is queued (every other bit clear). While waiters queue, every unlock goes
 * to the library, which counts it towards the next handoff (src/mutex.c, "Fairness"). The
 * inline unlock below and the library share it; not for direct use. (Headers before the
 * queue also released in place when bits 0..15 were 3, a woken waiter and nothing else
 * pending; no unlock sees such a word now: the library writes it only while it hands the
 * lock to a waiter, which clears bit 1 before its lock call returns.) */
#define GS__MUTEX_QUIET_RELEASE(v) ((v) == 1u)

#if !defined(GS_NO_INLINE)
/* Inlined into the caller: one atomic operation for lock, a load and one compare-and-swap for
 * unlock. Lock sets the LOCKED bit whatever the other bits hold (x86: lock bts), so it takes
 * a free lock even while waiters are queued (a running thread may barge), and changes
 * nothing if the lock is held (or handed off), which the library then handles: a
 * compare-and-swap that expects the bare value 0 instead fails whenever waiters are queued,
 * costs as much failing as succeeding, and took every lock of a contended mutex into the
 * library (docs/PERFORMANCE.md, "The inline paths"). Unlock releases in place while nobody
 * is queued; it loads the word first, so that it never pays for a compare-and-swap bound
 * to fail. The bits must match
 * src/mutex.c, and code compiled against this header carries them: the meaning of bits
 * 0..15 of the state word is part of the library's ABI. */
static GS__ALWAYS_INLINE void gs__mutex_lock_inline(gs_mutex *mu)
    GS_ACQUIRE(*mu) GS_NO_THREAD_SAFETY_ANALYSIS {
    if (GS__UNLIKELY(__atomic_fetch_or(&mu->state, 1u, __ATOMIC_ACQUIRE) & 1u))
        gs__mutex_lock_slow(mu);
}
static GS__ALWAYS_INLINE void gs__mutex_unlock_inline(gs_mutex *mu)
    GS_RELEASE(*mu) GS_NO_THREAD_SAFETY_ANALYSIS {
    uint32_t old = __atomic_load_n(&mu->state, __ATOMIC_RELAXED);
    if (GS__UNLIKELY(!GS__MUTEX_QUIET_RELEASE(old) ||
                     !__atomic_compare_exchange_n(&mu->state, &old, old & ~1u, 0, __ATOMIC_RELEASE,
                                                  __ATOMIC_RELAXED)))
        gs__mutex_unlock_slow(mu);
}
#if !defined(GS_DEBUG)
#define gs_mutex_lock(mu) gs__mutex_lock_inline(mu)
#define gs_mutex_unlock(mu) gs__mutex_unlock_inline(mu)
#endif
#endif

GS_EXTERN_C_END

/* Debug mode (-DGS_DEBUG) and gs_mutex_set_invariant. */
#include "debug.h"

#endif /* GOSYNC_MUTEX_H */
