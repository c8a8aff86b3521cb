/* src/internal/annotate.h: telling race detectors what gosync's locks are.
 *
 * ThreadSanitizer, helgrind and DRD know pthread locks; a lock built on atomics and futexes
 * looks to them like racy memory and no synchronization at all. In builds for those tools the
 * public lock functions report each operation through the tool's own interface (TSan's
 * __tsan_mutex_* calls, valgrind's ANNOTATE_RWLOCK_* client requests), so that the tool
 * checks gosync locks as it checks its own: races on the data they guard, lock-order
 * inversions, unlocks of unlocked locks.
 *
 * When: TSan builds of the library (detected from the compiler), and builds configured with
 * -DGOSYNC_VALGRIND=ON (valgrind/helgrind.h must exist). Elsewhere this header defines
 * nothing and costs nothing.
 *
 * How, without touching the algorithms: this header is included by src/mutex.c and
 * src/rwmutex.c after their other includes, and renames the public functions they define to
 * gs__plain_* (hidden). src/annotate.c defines the public names around them. Calls the
 * algorithm files make among themselves (rwmutex's writer mutex rw->w, lock_timeout calling
 * trylock) go to the plain functions, so only the user's operations are reported.
 */
#ifndef GS_INTERNAL_ANNOTATE_H
#define GS_INTERNAL_ANNOTATE_H

#include <gosync/mutex.h>
#include <gosync/rwmutex.h>

#include "common.h"
#include "sanitizer.h"

#if defined(GS__TSAN) || defined(GOSYNC_VALGRIND)
#define GS__ANNOTATE 1
#endif

#if defined(GS__ANNOTATE)
#if !defined(GS_NO_INLINE)
#error "annotated builds take every lock operation through the library: define GS_NO_INLINE"
#endif

GS__HIDDEN void gs__plain_mutex_lock(gs_mutex *mu);
GS__HIDDEN void gs__plain_mutex_unlock(gs_mutex *mu);
GS__HIDDEN bool gs__plain_mutex_trylock(gs_mutex *mu);
GS__HIDDEN bool gs__plain_mutex_lock_timeout(gs_mutex *mu, int64_t timeout_ns);
GS__HIDDEN void gs__plain_rwmutex_lock(gs_rwmutex *rw);
GS__HIDDEN void gs__plain_rwmutex_unlock(gs_rwmutex *rw);
GS__HIDDEN bool gs__plain_rwmutex_trylock(gs_rwmutex *rw);
GS__HIDDEN bool gs__plain_rwmutex_lock_timeout(gs_rwmutex *rw, int64_t timeout_ns);
GS__HIDDEN void gs__plain_rwmutex_rlock(gs_rwmutex *rw);
GS__HIDDEN void gs__plain_rwmutex_runlock(gs_rwmutex *rw);
GS__HIDDEN bool gs__plain_rwmutex_tryrlock(gs_rwmutex *rw);
GS__HIDDEN bool gs__plain_rwmutex_rlock_timeout(gs_rwmutex *rw, int64_t timeout_ns);
#endif

#endif /* GS_INTERNAL_ANNOTATE_H */

/* The renames are outside the include guard, so that they hold wherever this header is
 * included, also when all sources are compiled as one file (annotate.c undoes them before it
 * defines the public names). */
#if defined(GS__ANNOTATE)
#undef gs_mutex_lock
#undef gs_mutex_unlock
#undef gs_mutex_trylock
#undef gs_mutex_lock_timeout
#undef gs_rwmutex_lock
#undef gs_rwmutex_unlock
#undef gs_rwmutex_trylock
#undef gs_rwmutex_lock_timeout
#undef gs_rwmutex_rlock
#undef gs_rwmutex_runlock
#undef gs_rwmutex_tryrlock
#undef gs_rwmutex_rlock_timeout
#define gs_mutex_lock gs__plain_mutex_lock
#define gs_mutex_unlock gs__plain_mutex_unlock
#define gs_mutex_trylock gs__plain_mutex_trylock
#define gs_mutex_lock_timeout gs__plain_mutex_lock_timeout
#define gs_rwmutex_lock gs__plain_rwmutex_lock
#define gs_rwmutex_unlock gs__plain_rwmutex_unlock
#define gs_rwmutex_trylock gs__plain_rwmutex_trylock
#define gs_rwmutex_lock_timeout gs__plain_rwmutex_lock_timeout
#define gs_rwmutex_rlock gs__plain_rwmutex_rlock
#define gs_rwmutex_runlock gs__plain_rwmutex_runlock
#define gs_rwmutex_tryrlock gs__plain_rwmutex_tryrlock
#define gs_rwmutex_rlock_timeout gs__plain_rwmutex_rlock_timeout
#endif
