/* gosync/once.h: gs_once, Go's sync.Once.
 *
 * The zero value is a Once that has not run; GS_ONCE_INIT spells it. 8 bytes. A gs_once must
 * not be copied or moved after first use.
 *
 * gs_once_do(o, fn, arg) calls fn(arg) if and only if no call of gs_once_do on o has called
 * fn before. Concurrent callers wait until that one call of fn returns; the return of fn
 * synchronizes-before the return of every gs_once_do on o, so everything fn wrote is visible
 * to them. After completion the fast path is one acquire load (inlined into the caller).
 * Nothing is ever retried: if fn fails, the Once is still done (as in Go).
 *
 * A call of gs_once_do on o from inside its own fn, on the same thread (Go: deadlock), is a
 * fatal error: "gosync: recursive Once.Do". Nested calls on other Onces are fine.
 *
 * fn leaving by longjmp (Go: "if f panics, Do considers it to have returned"): the Once then
 * counts as done, and the threads waiting for it are released, as soon as gosync notices the
 * escape. It notices it
 *   - when the escaping thread calls gs_once_do on o again (that call returns at once, fn is
 *     not called again);
 *   - when the escaping thread calls gs_once_do on any Once whose fn has not finished, if the
 *     stack memory of the escaped call has been overwritten by then (usually, not always);
 *   - when the escaping thread exits (pthread_exit inside fn counts as an escape too).
 * Until then, other threads calling gs_once_do on o keep waiting.
 * How it tells an escape from recursion: the thread running fn records where the frame of its
 * gs_once_do call is and writes a unique token into that frame. A later gs_once_do by the
 * same thread on the same Once is recursion only if its own frame is deeper than the
 * recorded one and the token is still there; otherwise the recorded frame is gone. Limits:
 *   - a call made deeper on the stack than the escaped one, over stack memory that nothing
 *     has overwritten since the escape, looks like recursion and is reported as such;
 *   - it assumes one stack per thread, growing downwards (all platforms gosync supports):
 *     with user-level stack switching (ucontext coroutines, sigaltstack signal handlers), a
 *     gs_once_do on o from another stack of the thread that runs o's fn may be misjudged.
 *     Such a call would deadlock anyway.
 *
 *     static gs_once once;
 *     static struct table *table;
 *     static void init_table(void *arg) { table = build_table(); }
 *
 *     struct table *get_table(void) {
 *         gs_once_do(&once, init_table, NULL);
 *         return table;
 *     }
 */
#ifndef GOSYNC_ONCE_H
#define GOSYNC_ONCE_H

#include "config.h"

GS_EXTERN_C_BEGIN

typedef struct gs_once {
    uint32_t state; /* private: see src/once.c */
    uint32_t owner; /* private: id of the thread running fn */
} gs_once;

#define GS_ONCE_INIT {0, 0}

/* Calls fn(arg) if no call of gs_once_do on o has called fn yet; in any case returns only
 * once that call has returned (or escaped). fn must not call gs_once_do on o. */
GS_API void gs_once_do(gs_once *o, void (*fn)(void *arg), void *arg);

/* The slow path behind the inline fast path below; not for direct use. */
GS_API void gs__once_do_slow(gs_once *o, void (*fn)(void *arg), void *arg);

/* gs_once.state once fn has returned; must match src/once.c. */
#define GS__ONCE_DONE 3u

#if !defined(GS_NO_INLINE)
/* After completion, one acquire load inlined into the caller; pairs with the release store
 * of DONE made after fn returned. */
static GS__ALWAYS_INLINE void gs__once_do_inline(gs_once *o, void (*fn)(void *arg), void *arg) {
    if (GS__UNLIKELY(__atomic_load_n(&o->state, __ATOMIC_ACQUIRE) != GS__ONCE_DONE))
        gs__once_do_slow(o, fn, arg);
}
#define gs_once_do(o, fn, arg) gs__once_do_inline(o, fn, arg)
#endif

GS_EXTERN_C_END

#endif /* GOSYNC_ONCE_H */
