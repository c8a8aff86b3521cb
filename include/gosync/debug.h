/* gosync/debug.h: debug mode (-DGS_DEBUG), lock invariants, and forgetting freed locks.
 *
 * Compile your code with -DGS_DEBUG (the library is not rebuilt) and, in that code, every
 * lock, unlock, trylock, timed lock, rlock and runlock of a gs_mutex or gs_rwmutex (and
 * every GS_GUARD / GS_RGUARD) becomes a call into the library's checker that carries its
 * file:line and the lock expression's text. The checker keeps, per thread, the locks it
 * holds with their sites and, for the whole program, the graph of "A was held while B was
 * acquired" edges. It reports, as one "gosync: ..." line naming every site involved, then
 * abort() (or, with GOSYNC_DEBUG=warn in the environment, print and continue):
 *
 *   gosync: recursive lock         a thread locks a gs_mutex, or write-locks a gs_rwmutex,
 *                                  that it holds (in either mode)
 *   gosync: recursive RLock        a thread read-locks a gs_rwmutex it already holds
 *                                  (both checked by the blocking calls and by timed calls
 *                                  with a timeout > 0, which would otherwise wait for
 *                                  themselves until the timeout; trylock and timeouts <= 0
 *                                  are not checked: they cannot hang)
 *   gosync: lock order inversion   a blocking acquisition closes a cycle in the graph (two
 *                                  or more locks, taken in conflicting orders anywhere in
 *                                  the program, by any threads, at any time); the line
 *                                  gives both sites of every edge of the cycle
 *   gosync: invariant violated     a registered invariant is false when its lock is
 *                                  unlocked (reported at the unlocking site)
 *   gosync: held lock freed        gs_debug_forget names a lock that is still held
 *
 * Go's rules stay legal: a lock may be unlocked by another thread (it leaves the locker's
 * held set), and trylock (or a timed lock) may be taken in any order: it cannot deadlock, so
 * it adds no edge to the lock it acquires (a blocking acquisition made while holding it does
 * add one, since that can deadlock). Read locks take part in lock ordering like write locks:
 * a writer queued on a gs_rwmutex blocks new readers, so an rlock can deadlock.
 *
 * Debug mode is per call: code compiled without GS_DEBUG runs unchecked and, with GS_DEBUG
 * off, nothing here costs anything. The checker's records follow the calls it sees, so
 * locks should be locked and unlocked by code compiled the same way.
 *
 * Example:
 *
 *     static gs_mutex mu;
 *     static int balance GS_GUARDED_BY(mu);
 *     static bool balance_ok(void *arg) { (void)arg; return balance >= 0; }
 *
 *     gs_mutex_set_invariant(&mu, balance_ok, NULL);
 *     gs_mutex_lock(&mu);
 *     balance -= 100;
 *     gs_mutex_unlock(&mu);     // -DGS_DEBUG: "gosync: invariant violated: f.c:9 unlocks &mu ..."
 *
 * This header is included by gosync/mutex.h and gosync/rwmutex.h; each part below is
 * declared once the type it needs is complete, so -DGS_DEBUG works with either header.
 */

/* ---- common part ---- */
#if !defined(GOSYNC_DEBUG_H)
#define GOSYNC_DEBUG_H

#include <stddef.h>

#include "config.h"

GS_EXTERN_C_BEGIN

/* Tells the checker that the memory [addr, addr + size) is about to be freed or to go out of
 * scope: locks in it are forgotten (their lock-order edges and invariants), so that a new
 * lock at a reused address starts with no history. The zero-value design has no destroy
 * call, so the checker cannot see a lock die: a lock that was never held together with
 * another lock is forgotten on its own at its last unlock, but one that has lock-order edges
 * is kept until this call. With -DGS_DEBUG, a lock in the range that is still held is
 * reported ("gosync: held lock freed"). Cheap when debug mode was never used. */
GS_API void gs_debug_forget(const void *addr, size_t size);

/* Debug-mode entry points behind the macros below; not for direct use. `what` is the lock
 * expression as written at the call, `file` and `line` its site. */
GS_API void gs__debug_forget(const void *addr, size_t size, const char *file, int line);

GS_EXTERN_C_END

#if defined(GS_DEBUG)
#define gs_debug_forget(addr, size) gs__debug_forget((addr), (size), __FILE__, __LINE__)
#endif
#endif /* GOSYNC_DEBUG_H */

/* ---- gs_mutex part (after the end of gosync/mutex.h) ---- */
#if defined(GS_MUTEX_INIT) && !defined(GOSYNC_DEBUG_MUTEX_PART)
#define GOSYNC_DEBUG_MUTEX_PART

GS_EXTERN_C_BEGIN

/* Registers the invariant of the data mu guards: holds(arg) must return true whenever mu is
 * released. In debug mode it is called at every unlock, with mu still held, and a false
 * result is reported at the unlocking site ("gosync: invariant violated"); elsewhere it is
 * only recorded. One invariant per lock (a new call replaces it); holds == NULL removes it.
 * Registrations live in a side table keyed by the lock's address: remove one (or call
 * gs_debug_forget) before the lock's memory is freed. */
GS_API void gs_mutex_set_invariant(gs_mutex *mu, bool (*holds)(void *arg), void *arg);

GS_API void gs__debug_mutex_lock(gs_mutex *mu, const char *what, const char *file, int line)
    GS_ACQUIRE(*mu);
GS_API void gs__debug_mutex_unlock(gs_mutex *mu, const char *what, const char *file, int line)
    GS_RELEASE(*mu);
GS_API bool gs__debug_mutex_trylock(gs_mutex *mu, const char *what, const char *file, int line)
    GS_TRY_ACQUIRE(true, *mu);
GS_API bool gs__debug_mutex_lock_timeout(gs_mutex *mu, int64_t timeout_ns, const char *what,
                                         const char *file, int line) GS_TRY_ACQUIRE(true, *mu);

GS_EXTERN_C_END

#if defined(GS_DEBUG)
#undef gs_mutex_lock
#undef gs_mutex_unlock
#define gs_mutex_lock(mu) gs__debug_mutex_lock((mu), #mu, __FILE__, __LINE__)
#define gs_mutex_unlock(mu) gs__debug_mutex_unlock((mu), #mu, __FILE__, __LINE__)
#define gs_mutex_trylock(mu) gs__debug_mutex_trylock((mu), #mu, __FILE__, __LINE__)
#define gs_mutex_lock_timeout(mu, ns)                                                              \
    gs__debug_mutex_lock_timeout((mu), (ns), #mu, __FILE__, __LINE__)
#endif
#endif /* gs_mutex part */

/* ---- gs_rwmutex part (after the end of gosync/rwmutex.h) ---- */
#if defined(GS_RWMUTEX_INIT) && defined(GOSYNC_DEBUG_MUTEX_PART) &&                                \
    !defined(GOSYNC_DEBUG_RWMUTEX_PART)
#define GOSYNC_DEBUG_RWMUTEX_PART

GS_EXTERN_C_BEGIN

/* As gs_mutex_set_invariant, for rw: checked at every unlock and runlock (a reader must not
 * break what the lock guards either). */
GS_API void gs_rwmutex_set_invariant(gs_rwmutex *rw, bool (*holds)(void *arg), void *arg);

GS_API void gs__debug_rwmutex_lock(gs_rwmutex *rw, const char *what, const char *file, int line)
    GS_ACQUIRE(*rw);
GS_API void gs__debug_rwmutex_unlock(gs_rwmutex *rw, const char *what, const char *file, int line)
    GS_RELEASE(*rw);
GS_API bool gs__debug_rwmutex_trylock(gs_rwmutex *rw, const char *what, const char *file, int line)
    GS_TRY_ACQUIRE(true, *rw);
GS_API bool gs__debug_rwmutex_lock_timeout(gs_rwmutex *rw, int64_t timeout_ns, const char *what,
                                           const char *file, int line) GS_TRY_ACQUIRE(true, *rw);
GS_API void gs__debug_rwmutex_rlock(gs_rwmutex *rw, const char *what, const char *file, int line)
    GS_ACQUIRE_SHARED(*rw);
GS_API void gs__debug_rwmutex_runlock(gs_rwmutex *rw, const char *what, const char *file, int line)
    GS_RELEASE_SHARED(*rw);
GS_API bool gs__debug_rwmutex_tryrlock(gs_rwmutex *rw, const char *what, const char *file, int line)
    GS_TRY_ACQUIRE_SHARED(true, *rw);
GS_API bool gs__debug_rwmutex_rlock_timeout(gs_rwmutex *rw, int64_t timeout_ns, const char *what,
                                            const char *file, int line)
    GS_TRY_ACQUIRE_SHARED(true, *rw);

GS_EXTERN_C_END

#if defined(GS_DEBUG)
#define gs_rwmutex_lock(rw) gs__debug_rwmutex_lock((rw), #rw, __FILE__, __LINE__)
#define gs_rwmutex_unlock(rw) gs__debug_rwmutex_unlock((rw), #rw, __FILE__, __LINE__)
#define gs_rwmutex_trylock(rw) gs__debug_rwmutex_trylock((rw), #rw, __FILE__, __LINE__)
#define gs_rwmutex_lock_timeout(rw, ns)                                                            \
    gs__debug_rwmutex_lock_timeout((rw), (ns), #rw, __FILE__, __LINE__)
#define gs_rwmutex_rlock(rw) gs__debug_rwmutex_rlock((rw), #rw, __FILE__, __LINE__)
#define gs_rwmutex_runlock(rw) gs__debug_rwmutex_runlock((rw), #rw, __FILE__, __LINE__)
#define gs_rwmutex_tryrlock(rw) gs__debug_rwmutex_tryrlock((rw), #rw, __FILE__, __LINE__)
#define gs_rwmutex_rlock_timeout(rw, ns)                                                           \
    gs__debug_rwmutex_rlock_timeout((rw), (ns), #rw, __FILE__, __LINE__)
#endif
#endif /* gs_rwmutex part */
