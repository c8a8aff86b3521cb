/* gosync/rwmutex.h: gs_rwmutex, Go's sync.RWMutex.
 *
 * A reader/writer lock: held by any number of readers or by one writer. The zero value is
 * unlocked; GS_RWMUTEX_INIT spells it; no init or destroy call. Must not be copied or moved
 * after first use. At most 24 bytes (Go's size).
 *
 * Semantics are Go's:
 *   - a writer blocked in gs_rwmutex_lock keeps new readers out, so it cannot starve behind
 *     a stream of readers; when a writer unlocks, the readers that queued behind it get in
 *     before the next writer, so readers cannot starve behind writers either;
 *   - hence recursive read locking is prohibited: a thread that holds a read lock and calls
 *     gs_rwmutex_rlock again deadlocks as soon as a writer queues between the two calls;
 *   - a held lock is not tied to a thread: another thread may unlock or runlock it;
 *   - memory: the n-th unlock synchronizes-before the return of any later rlock and of the
 *     m-th lock (n < m); a runlock synchronizes-before the return of the next lock;
 *   - misuse is fatal: "gosync: Unlock of unlocked RWMutex", "gosync: RUnlock of unlocked
 *     RWMutex", "gosync: too many readers".
 *
 * Example:
 *
 *     static gs_rwmutex mu;
 *     static int balance GS_GUARDED_BY(mu);
 *
 *     int balance_get(void) {
 *         GS_RGUARD(&mu);          // read-locked until the block is left
 *         return balance;
 *     }
 */
#ifndef GOSYNC_RWMUTEX_H
#define GOSYNC_RWMUTEX_H

#include "config.h"
#include "mutex.h"

GS_EXTERN_C_BEGIN

typedef struct GS_CAPABILITY("rwmutex") gs_rwmutex {
    /* private: see src/rwmutex.c */
    gs_mutex w;       /* serialises writers */
    uint32_t bias;    /* reader bias (scalable read path) */
    uint64_t state;   /* reader counts, writer and phase bits */
    uint64_t inhibit; /* reader bias: when it may be re-enabled */
} gs_rwmutex;

#define GS_RWMUTEX_INIT                                                                            \
    { {0}, 0, 0, 0 }

/* Write-locks rw, blocking until no reader or writer holds it.
 * Requires that the calling thread not hold rw in either mode. */
GS_API void gs_rwmutex_lock(gs_rwmutex *rw) GS_ACQUIRE(*rw);

/* Releases a write lock. Fatal ("gosync: Unlock of unlocked RWMutex") if no writer holds rw
 * or waits for its readers to leave. (As in Go, a stray unlock while another writer holds
 * the lock is not detected: it releases that writer's lock.) */
GS_API void gs_rwmutex_unlock(gs_rwmutex *rw) GS_RELEASE(*rw);

/* Write-locks rw if that can be done at once; returns whether it did. */
GS_API bool gs_rwmutex_trylock(gs_rwmutex *rw) GS_TRY_ACQUIRE(true, *rw);

/* Read-locks rw, blocking while a writer holds it or waits for it.
 * Requires that the calling thread not hold rw in either mode (no recursive read locks). */
GS_API void gs_rwmutex_rlock(gs_rwmutex *rw) GS_ACQUIRE_SHARED(*rw);

/* Releases one read lock. Fatal ("gosync: RUnlock of unlocked RWMutex") if no reader holds
 * rw. */
GS_API void gs_rwmutex_runlock(gs_rwmutex *rw) GS_RELEASE_SHARED(*rw);

/* Read-locks rw if that can be done at once (no writer holds or waits); returns whether it
 * did. */
GS_API bool gs_rwmutex_tryrlock(gs_rwmutex *rw) GS_TRY_ACQUIRE_SHARED(true, *rw);

/* As gs_rwmutex_lock / gs_rwmutex_rlock, giving up after timeout_ns nanoseconds
 * (CLOCK_MONOTONIC); return whether the lock was acquired. timeout_ns <= 0 tries once.
 * A writer that gives up lets in the readers that queued behind it. */
GS_API bool gs_rwmutex_lock_timeout(gs_rwmutex *rw, int64_t timeout_ns) GS_TRY_ACQUIRE(true, *rw);
GS_API bool gs_rwmutex_rlock_timeout(gs_rwmutex *rw, int64_t timeout_ns)
    GS_TRY_ACQUIRE_SHARED(true, *rw);

/* ---- the read fast path, inlined (implementation details; see src/rwmutex.c) ----
 *
 * While a lock is reader-biased, rlock and runlock touch only the calling thread's slot in a
 * global table (chosen by hashing the lock's address with the thread pointer) and read
 * rw->bias: no shared cache line is written. Anything else goes to the library. */

#define GS__RW_SLOT_BITS 10
#define GS__RW_SLOTS (1 << GS__RW_SLOT_BITS)
GS_API extern uint64_t gs__rw_table[GS__RW_SLOTS];
GS_API void gs__rwmutex_rlock_backout(gs_rwmutex *rw, uint64_t *slot);

/* Inlined where the thread pointer is one instruction and the builtin is known to work
 * (Linux on x86-64 and AArch64; clang accepts the builtin for macOS but cannot compile it). */
#if !defined(GS_NO_INLINE) && defined(__has_builtin) && defined(__linux__) &&                      \
    (defined(__x86_64__) || defined(__aarch64__))
#if __has_builtin(__builtin_thread_pointer)
#define GS__RW_INLINE 1
#endif
#endif

#if defined(GS__RW_INLINE)
/* The slot of (rw, calling thread). The library computes it the same way. */
static GS__ALWAYS_INLINE uint64_t *gs__rw_slot_of(const gs_rwmutex *rw) {
    /* Fibonacci hashing: the top bits of the product depend on every bit of lock ^ thread. */
    uint64_t h = ((uint64_t)(uintptr_t)rw ^ (uint64_t)(uintptr_t)__builtin_thread_pointer()) *
                 0x9E3779B97F4A7C15ull;
    return &gs__rw_table[h >> (64 - GS__RW_SLOT_BITS)];
}

static GS__ALWAYS_INLINE void gs__rwmutex_rlock_inline(gs_rwmutex *rw)
    GS_ACQUIRE_SHARED(*rw) GS_NO_THREAD_SAFETY_ANALYSIS {
    if (__atomic_load_n(&rw->bias, __ATOMIC_RELAXED)) {
        uint64_t *slot = gs__rw_slot_of(rw);
        uint64_t empty = 0;
        if (__atomic_compare_exchange_n(slot, &empty, (uint64_t)(uintptr_t)rw, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED)) {
            if (GS__LIKELY(__atomic_load_n(&rw->bias, __ATOMIC_SEQ_CST)))
                return;
            gs__rwmutex_rlock_backout(rw, slot);
            return;
        }
    }
    (gs_rwmutex_rlock)(rw);
}

static GS__ALWAYS_INLINE void gs__rwmutex_runlock_inline(gs_rwmutex *rw)
    GS_RELEASE_SHARED(*rw) GS_NO_THREAD_SAFETY_ANALYSIS {
    uint64_t mine = (uint64_t)(uintptr_t)rw;
    if (GS__LIKELY(__atomic_compare_exchange_n(gs__rw_slot_of(rw), &mine, 0, 0, __ATOMIC_RELEASE,
                                               __ATOMIC_RELAXED)))
        return;
    (gs_rwmutex_runlock)(rw);
}

#if !defined(GS_DEBUG)
#define gs_rwmutex_rlock(rw) gs__rwmutex_rlock_inline(rw)
#define gs_rwmutex_runlock(rw) gs__rwmutex_runlock_inline(rw)
#endif
#endif

GS_EXTERN_C_END

/* Debug mode (-DGS_DEBUG) and gs_rwmutex_set_invariant. */
#include "debug.h"

#endif /* GOSYNC_RWMUTEX_H */
