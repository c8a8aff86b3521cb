/* tests/pkg/headers.c: one translation unit that uses every public declaration of <gosync.h>.
 *
 * scripts/check-headers.sh compiles it (compile only, never linked or run) as C11, C17 and
 * C2x and, with -x c++, as C++11, C++14, C++17 and C++20, with gcc, clang, g++ and clang++,
 * all with -Wall -Wextra -Wpedantic -Werror, and again with -DGS_DEBUG and -DGS_NO_INLINE. So
 * it must stay valid C and valid C++ at once. Parts of the API that only some builds of the
 * headers have are used under the header's own include guard.
 */
#include <gosync.h>

#include <stddef.h>
#include <stdio.h>

#if defined(__cplusplus)
#define GS_T_STATIC_ASSERT(c, msg) static_assert(c, msg)
#else
#define GS_T_STATIC_ASSERT(c, msg) _Static_assert(c, msg)
#endif

GS_T_STATIC_ASSERT(sizeof(gs_mutex) <= 8, "gs_mutex is at most 8 bytes");
GS_T_STATIC_ASSERT(sizeof(gs_rwmutex) <= 24, "gs_rwmutex is at most 24 bytes");
GS_T_STATIC_ASSERT(GOSYNC_VERSION_MAJOR >= 0 && GOSYNC_VERSION_MINOR >= 0 &&
                       GOSYNC_VERSION_PATCH >= 0,
                   "version macros are integer constants");

/* Zero values and the spelled-out initializers. */
static gs_mutex mu_zero;
static gs_mutex mu = GS_MUTEX_INIT;
static gs_rwmutex rw_zero;
static gs_rwmutex rw = GS_RWMUTEX_INIT;
static gs_once once = GS_ONCE_INIT;
static gs_waitgroup wg = GS_WAITGROUP_INIT;
static gs_cond cond;

static long balance GS_GUARDED_BY(mu);
static long *shared_ptr GS_PT_GUARDED_BY(rw);

/* The annotations on user functions. */
static void deposit_locked(long amount) GS_REQUIRES(mu);
static void deposit_locked(long amount) { balance += amount; }
static long read_locked(void) GS_REQUIRES_SHARED(rw);
static long read_locked(void) { return shared_ptr ? *shared_ptr : 0; }
static void take(void) GS_ACQUIRE(mu);
static void take(void) { gs_mutex_lock(&mu); }
static void give(void) GS_RELEASE(mu);
static void give(void) { gs_mutex_unlock(&mu); }
static void outside(void) GS_EXCLUDES(mu);
static void outside(void) {}

static void init_once(void *arg) { (void)arg; }

#if defined(GOSYNC_DEBUG_H)
static bool invariant(void *arg) { return arg == NULL; }
#endif

/* Exported functions by address (the inline fast paths are macros; the functions remain). */
typedef void (*mutex_fn)(gs_mutex *);
typedef void (*rwmutex_fn)(gs_rwmutex *);

int gs_t_use_everything(void);
int gs_t_use_everything(void) {
    int n = 0;
    const char *v = gs_version();
    n += v != NULL;

    gs_mutex_lock(&mu);
    deposit_locked(1);
    gs_mutex_unlock(&mu);
    if (gs_mutex_trylock(&mu_zero))
        gs_mutex_unlock(&mu_zero);
    if (gs_mutex_lock_timeout(&mu_zero, 1000))
        gs_mutex_unlock(&mu_zero);
    take();
    give();
    outside();
    {
        GS_GUARD(&mu);
        deposit_locked(2);
    }

    mutex_fn lock_fn = gs_mutex_lock, unlock_fn = gs_mutex_unlock;
    lock_fn(&mu_zero);
    unlock_fn(&mu_zero);
    (gs_mutex_lock)(&mu_zero);
    (gs_mutex_unlock)(&mu_zero);

    gs_rwmutex_lock(&rw);
    gs_rwmutex_unlock(&rw);
    gs_rwmutex_rlock(&rw);
    n += (int)read_locked();
    gs_rwmutex_runlock(&rw);
    if (gs_rwmutex_trylock(&rw_zero))
        gs_rwmutex_unlock(&rw_zero);
    if (gs_rwmutex_tryrlock(&rw_zero))
        gs_rwmutex_runlock(&rw_zero);
    if (gs_rwmutex_lock_timeout(&rw_zero, 1000))
        gs_rwmutex_unlock(&rw_zero);
    if (gs_rwmutex_rlock_timeout(&rw_zero, 1000))
        gs_rwmutex_runlock(&rw_zero);
    { GS_GUARD(&rw); }
    {
        GS_RGUARD(&rw);
        n += (int)read_locked();
    }
    rwmutex_fn rlock_fn = gs_rwmutex_rlock, runlock_fn = gs_rwmutex_runlock;
    rlock_fn(&rw_zero);
    runlock_fn(&rw_zero);

    gs_locker l = gs_mutex_locker(&mu_zero);
    gs_locker_lock(l);
    gs_locker_unlock(l);
    gs_locker wl = gs_rwmutex_locker(&rw_zero);
    gs_locker rl = gs_rwmutex_rlocker(&rw_zero);
    gs_locker_lock(wl);
    gs_locker_unlock(wl);
    rl.lock(rl.self);
    rl.unlock(rl.self);

    gs_once_do(&once, init_once, NULL);

    gs_waitgroup_add(&wg, 1);
    gs_waitgroup_done(&wg);
    gs_waitgroup_wait(&wg);
    n += gs_waitgroup_wait_timeout(&wg, 0);

    gs_cond_init(&cond, gs_mutex_locker(&mu_zero));
    gs_mutex_lock(&mu_zero);
    n += gs_cond_wait_timeout(&cond, 1);
    gs_mutex_unlock(&mu_zero);
    gs_cond_signal(&cond);
    gs_cond_broadcast(&cond);
    if (n < 0) {
        gs_mutex_lock(&mu_zero);
        gs_cond_wait(&cond);
        gs_mutex_unlock(&mu_zero);
    }

#if defined(GOSYNC_DEBUG_H)
    gs_mutex_set_invariant(&mu_zero, invariant, NULL);
    gs_rwmutex_set_invariant(&rw_zero, invariant, NULL);
    gs_debug_forget(&mu_zero, sizeof mu_zero);
#endif
#if defined(GOSYNC_PROFILE_H)
    n += gs_profile_start(0);
    n += gs_profile_write(stderr);
    gs_profile_reset();
#endif
    return n;
}
