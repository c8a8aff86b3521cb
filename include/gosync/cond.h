/* gosync/cond.h: gs_cond, Go's sync.Cond.
 *
 * A condition variable bound to a gs_locker (a gs_mutex, a gs_rwmutex's write side, or its
 * read side through gs_rwmutex_rlocker). gs_cond_init binds it; a zeroed gs_cond must be
 * initialised before gs_cond_wait (signal and broadcast on it do nothing). There is no
 * destroy call. Must not be copied or moved after first use: a copy is detected by its next
 * wait, signal or broadcast, which is fatal ("gosync: Cond is copied", as Go's copy check).
 *
 * Semantics are Go's: gs_cond_wait, called with the locker held, atomically unlocks it and
 * suspends the thread; on wake-up it relocks before returning. Because another thread may
 * run between the signal and the relock, wait is used in a loop:
 *
 *     gs_mutex_lock(&mu);
 *     while (!ready)
 *         gs_cond_wait(&c);
 *     use(data);
 *     gs_mutex_unlock(&mu);
 *
 *     // elsewhere:  gs_mutex_lock(&mu); ready = true; gs_mutex_unlock(&mu); gs_cond_signal(&c);
 *
 * gs_cond_signal wakes the waiter that has waited longest (FIFO, as Go's notify list);
 * gs_cond_broadcast wakes every thread waiting when it is called and none that start waiting
 * later. Neither needs the locker held, but the condition the waiters test must be changed
 * with the locker held (or the change may fall between a waiter's test and its wait). There
 * are no spurious wake-ups: wait returns only after a signal or broadcast picked it.
 *
 * Broadcast wakes its waiters as a cascade, oldest first: it wakes one, and each woken
 * waiter wakes the next before relocking. The broadcaster makes one wake-up call however
 * many wait, and the waiters do not all become runnable at the same instant.
 */
#ifndef GOSYNC_COND_H
#define GOSYNC_COND_H

#include "config.h"
#include "locker.h"

GS_EXTERN_C_BEGIN

typedef struct gs_cond {
    gs_locker l;      /* the locker, as given to gs_cond_init */
    gs_mutex mu;      /* private: see src/cond.c */
    uint32_t nwait;   /* private */
    uint64_t epoch;   /* private */
    void *head;       /* private */
    void *tail;       /* private */
    const void *self; /* private */
} gs_cond;

/* Binds c to l; c is then a Cond with no waiters. Requires that no thread use c meanwhile. */
GS_API void gs_cond_init(gs_cond *c, gs_locker l);
/* Unlocks c's locker, waits for a signal or broadcast, relocks. Requires the locker held by
 * the calling thread and c initialised ("gosync: Cond.Wait before gs_cond_init"). */
GS_API void gs_cond_wait(gs_cond *c);
/* As gs_cond_wait, giving up after timeout_ns (CLOCK_MONOTONIC); relocks either way and
 * returns whether it was woken by signal or broadcast. A signal that picks this waiter as it
 * times out is never lost: the call then returns true. timeout_ns <= 0 returns false at
 * once without unlocking (a Cond keeps no pending signals, so there is nothing to check). */
GS_API bool gs_cond_wait_timeout(gs_cond *c, int64_t timeout_ns);
/* Wakes the longest waiter, if any. */
GS_API void gs_cond_signal(gs_cond *c);
/* Wakes every current waiter. */
GS_API void gs_cond_broadcast(gs_cond *c);

GS_EXTERN_C_END

#endif /* GOSYNC_COND_H */
