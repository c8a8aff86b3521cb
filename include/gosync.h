/* gosync.h: Go's sync package for C.
 *
 *   gs_mutex      Mutex       (gosync/mutex.h)
 *   gs_rwmutex    RWMutex     (gosync/rwmutex.h)
 *   gs_locker     Locker, RLocker, and the GS_GUARD / GS_RGUARD scoped guards (gosync/locker.h)
 *   gs_once       Once        (gosync/once.h)
 *   gs_waitgroup  WaitGroup   (gosync/waitgroup.h)
 *   gs_cond       Cond        (gosync/cond.h)
 *
 * Finding lock bugs: debug mode (-DGS_DEBUG) and lock invariants (gosync/debug.h);
 * contention profiling (gosync/profile.h).
 *
 * Every type's all-zero value is valid (gs_cond needs gs_cond_init); there are no destroy
 * calls. Misuse (unlocking an unlocked lock, a negative WaitGroup counter, ...) prints one
 * "gosync: ..." line and aborts, as Go's runtime does.
 */
#ifndef GOSYNC_H
#define GOSYNC_H

#include "gosync/config.h"
#include "gosync/mutex.h"
#include "gosync/rwmutex.h"
#include "gosync/locker.h"
#include "gosync/once.h"
#include "gosync/waitgroup.h"
#include "gosync/cond.h"
#include "gosync/debug.h"
#include "gosync/profile.h"

#endif /* GOSYNC_H */
