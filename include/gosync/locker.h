/* gosync/locker.h: gs_locker (Go's sync.Locker and RWMutex.RLocker) and the scoped guards
 * GS_GUARD / GS_RGUARD (Go's `mu.Lock(); defer mu.Unlock()`).
 *
 * A gs_locker is a small value pairing a lock with its lock and unlock operations, so code
 * (gs_cond, for one) can take "some lock" without knowing its type:
 *
 *     gs_locker l = gs_rwmutex_rlocker(&rw);   // lock = rlock, unlock = runlock
 *     gs_locker_lock(l);
 *     ...
 *     gs_locker_unlock(l);
 *
 * GS_GUARD(&mu) locks mu (a gs_mutex*, or a gs_rwmutex* for its write side) and unlocks it
 * when the enclosing block is left by any path: falling off its end, return, break,
 * continue or goto. GS_RGUARD(&rw) does the same with a gs_rwmutex's read side. Several
 * guards in one block are released in the reverse order of their declaration. A guard is a
 * declaration, so it cannot be the direct body of an if or a loop without braces. They are
 * built on the cleanup attribute (GCC, Clang); elsewhere using one is a compile error.
 *
 *     int withdraw(int amount) {
 *         GS_GUARD(&mu);
 *         if (balance < amount)
 *             return 0;            // unlocked here...
 *         balance -= amount;
 *         return 1;                // ...and here
 *     }
 *
 * longjmp out of a guarded block skips the unlock, as it skips every cleanup. Jumping *into*
 * a guard's scope (a goto or a switch case past the guard) is undefined behaviour: clang
 * rejects it, gcc warns only with -Wjump-misses-init.
 */
#ifndef GOSYNC_LOCKER_H
#define GOSYNC_LOCKER_H

#include "config.h"
#include "mutex.h"
#include "rwmutex.h"

GS_EXTERN_C_BEGIN

typedef struct gs_locker {
    void (*lock)(void *);
    void (*unlock)(void *);
    void *self;
} gs_locker;

/* A Locker whose lock/unlock are gs_mutex_lock/gs_mutex_unlock on mu. */
GS_API gs_locker gs_mutex_locker(gs_mutex *mu);
/* A Locker whose lock/unlock are gs_rwmutex_lock/gs_rwmutex_unlock on rw. */
GS_API gs_locker gs_rwmutex_locker(gs_rwmutex *rw);
/* Go's RLocker: lock/unlock are gs_rwmutex_rlock/gs_rwmutex_runlock on rw. */
GS_API gs_locker gs_rwmutex_rlocker(gs_rwmutex *rw);
/* l.lock(l.self) and l.unlock(l.self). */
GS_API void gs_locker_lock(gs_locker l);
GS_API void gs_locker_unlock(gs_locker l);

/* ---- guards (implementation details below this line) ---- */

#if !defined(GS_DEBUG)
typedef struct gs__guard {
    void *lock;
    void (*unlock)(void *);
} gs__guard;

static inline void gs__guard_unlock_mutex(void *mu) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs_mutex_unlock((gs_mutex *)mu);
}
static inline void gs__guard_unlock_rwmutex(void *rw) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs_rwmutex_unlock((gs_rwmutex *)rw);
}
static inline void gs__guard_runlock_rwmutex(void *rw) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs_rwmutex_runlock((gs_rwmutex *)rw);
}
static inline void gs__guard_release(gs__guard *g) { g->unlock(g->lock); }

/* The lock functions assert the capability rather than acquire it: clang's analysis cannot
 * see the cleanup call that releases it, and an assertion needs no matching release. */
static inline gs__guard gs__guard_mutex(gs_mutex *mu)
    GS_ASSERT_CAPABILITY(*mu) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs_mutex_lock(mu);
    gs__guard g = {mu, gs__guard_unlock_mutex};
    return g;
}
static inline gs__guard gs__guard_rwmutex(gs_rwmutex *rw)
    GS_ASSERT_CAPABILITY(*rw) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs_rwmutex_lock(rw);
    gs__guard g = {rw, gs__guard_unlock_rwmutex};
    return g;
}
static inline gs__guard gs__guard_rwmutex_read(gs_rwmutex *rw)
    GS_ASSERT_SHARED_CAPABILITY(*rw) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs_rwmutex_rlock(rw);
    gs__guard g = {rw, gs__guard_runlock_rwmutex};
    return g;
}
#define GS__GUARD_ARGS(m) (m)

#else /* GS_DEBUG: the guard keeps its site, reported for its lock and for its unlock */
typedef struct gs__guard {
    void *lock;
    void (*unlock)(void *, const char *, const char *, int);
    const char *what, *file;
    int line;
} gs__guard;

static inline void gs__guard_unlock_mutex(void *mu, const char *what, const char *file,
                                          int line) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs__debug_mutex_unlock((gs_mutex *)mu, what, file, line);
}
static inline void gs__guard_unlock_rwmutex(void *rw, const char *what, const char *file,
                                            int line) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs__debug_rwmutex_unlock((gs_rwmutex *)rw, what, file, line);
}
static inline void gs__guard_runlock_rwmutex(void *rw, const char *what, const char *file,
                                             int line) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs__debug_rwmutex_runlock((gs_rwmutex *)rw, what, file, line);
}
static inline void gs__guard_release(gs__guard *g) {
    g->unlock(g->lock, g->what, g->file, g->line);
}

static inline gs__guard gs__guard_mutex(gs_mutex *mu, const char *what, const char *file, int line)
    GS_ASSERT_CAPABILITY(*mu) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs__debug_mutex_lock(mu, what, file, line);
    gs__guard g = {mu, gs__guard_unlock_mutex, what, file, line};
    return g;
}
static inline gs__guard gs__guard_rwmutex(gs_rwmutex *rw, const char *what, const char *file,
                                          int line)
    GS_ASSERT_CAPABILITY(*rw) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs__debug_rwmutex_lock(rw, what, file, line);
    gs__guard g = {rw, gs__guard_unlock_rwmutex, what, file, line};
    return g;
}
static inline gs__guard gs__guard_rwmutex_read(gs_rwmutex *rw, const char *what, const char *file,
                                               int line)
    GS_ASSERT_SHARED_CAPABILITY(*rw) GS_NO_THREAD_SAFETY_ANALYSIS {
    gs__debug_rwmutex_rlock(rw, what, file, line);
    gs__guard g = {rw, gs__guard_runlock_rwmutex, what, file, line};
    return g;
}
#define GS__GUARD_ARGS(m) (m, #m, __FILE__, __LINE__)
#endif /* GS_DEBUG */

GS_EXTERN_C_END

#if defined(__cplusplus)
#if !defined(GS_DEBUG)
static inline gs__guard gs__guard_lock(gs_mutex *mu) { return gs__guard_mutex(mu); }
static inline gs__guard gs__guard_lock(gs_rwmutex *rw) { return gs__guard_rwmutex(rw); }
#else
static inline gs__guard gs__guard_lock(gs_mutex *mu, const char *what, const char *file, int line) {
    return gs__guard_mutex(mu, what, file, line);
}
static inline gs__guard gs__guard_lock(gs_rwmutex *rw, const char *what, const char *file,
                                       int line) {
    return gs__guard_rwmutex(rw, what, file, line);
}
#endif
#define GS__GUARD_LOCK(m) gs__guard_lock GS__GUARD_ARGS(m)
#else
#define GS__GUARD_LOCK(m)                                                                          \
    _Generic((m), gs_mutex * : gs__guard_mutex, gs_rwmutex * : gs__guard_rwmutex) GS__GUARD_ARGS(m)
#endif

/* GS_RGUARD takes only a gs_rwmutex*: anything else is a compile error (in C, a plain call
 * would only warn about the pointer type). */
#if defined(__cplusplus)
#define GS__RGUARD_LOCK(rw) gs__guard_rwmutex_read GS__GUARD_ARGS(rw)
#else
#define GS__RGUARD_LOCK(rw) _Generic((rw), gs_rwmutex * : gs__guard_rwmutex_read) GS__GUARD_ARGS(rw)
#endif

#define GS__CAT2(a, b) a##b
#define GS__CAT(a, b) GS__CAT2(a, b)
#if defined(__COUNTER__)
#define GS__UNIQUE(prefix) GS__CAT(prefix, __COUNTER__)
#else
#define GS__UNIQUE(prefix) GS__CAT(prefix, __LINE__)
#endif

#if defined(__GNUC__)
#define GS__GUARD_DECL(name, init)                                                                 \
    gs__guard name __attribute__((cleanup(gs__guard_release), unused)) = init
#define GS_GUARD(m) GS__GUARD_DECL(GS__UNIQUE(gs__guard_), GS__GUARD_LOCK(m))
#define GS_RGUARD(rw) GS__GUARD_DECL(GS__UNIQUE(gs__rguard_), GS__RGUARD_LOCK(rw))
#elif defined(__cplusplus)
#define GS_GUARD(m) static_assert(false, "GS_GUARD needs the cleanup attribute (GCC or Clang)")
#define GS_RGUARD(rw) static_assert(false, "GS_RGUARD needs the cleanup attribute (GCC or Clang)")
#else
#define GS_GUARD(m) _Static_assert(0, "GS_GUARD needs the cleanup attribute (GCC or Clang)")
#define GS_RGUARD(rw) _Static_assert(0, "GS_RGUARD needs the cleanup attribute (GCC or Clang)")
#endif

#endif /* GOSYNC_LOCKER_H */
