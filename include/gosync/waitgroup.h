/* gosync/waitgroup.h: gs_waitgroup, Go's sync.WaitGroup.
 *
 * A counter of outstanding tasks that threads can wait on until it drops to zero. The zero
 * value is a WaitGroup with counter 0; GS_WAITGROUP_INIT spells it. 8 bytes. A gs_waitgroup
 * must not be copied or moved after first use.
 *
 * Semantics are Go's: add(delta) adds any delta, positive or negative; when the counter
 * reaches zero every thread blocked in wait is released. Calls with a positive delta that
 * start from zero must happen before wait; a WaitGroup may be reused once every wait of the
 * previous round has returned. Each done (and each add) synchronizes-before the return of
 * the wait it releases.
 *
 * Misuse is fatal:
 *   - the counter going below zero: "gosync: negative WaitGroup counter";
 *   - the counter going above INT32_MAX (Go's limit): "gosync: WaitGroup counter overflow";
 *   - a new round started (add from zero) while a wait of the previous round, already
 *     released, has not yet returned: "gosync: WaitGroup is reused before previous Wait has
 *     returned". This is detected by that wait when it notices, so only sometimes, as in Go.
 *
 * Destruction: a thread may free the WaitGroup as soon as its wait returns (for example a
 * WaitGroup on the waiter's stack). The add or done that releases the waiters does so with
 * one atomic read-modify-write and touches the WaitGroup no more after it (it only issues
 * the wake-up, which reads no memory of the WaitGroup).
 *
 *     gs_waitgroup wg = GS_WAITGROUP_INIT;
 *     for (int i = 0; i < n; i++) {
 *         gs_waitgroup_add(&wg, 1);
 *         start_worker(&wg);        // each worker calls gs_waitgroup_done(&wg) at its end
 *     }
 *     gs_waitgroup_wait(&wg);
 */
#ifndef GOSYNC_WAITGROUP_H
#define GOSYNC_WAITGROUP_H

#include "config.h"

GS_EXTERN_C_BEGIN

typedef struct gs_waitgroup {
    uint64_t state; /* private: see src/waitgroup.c */
} gs_waitgroup;

#define GS_WAITGROUP_INIT {0}

/* Adds delta to the counter; if it becomes zero, releases every waiting thread. Fatal if
 * the counter would leave [0, INT32_MAX]. */
GS_API void gs_waitgroup_add(gs_waitgroup *wg, int64_t delta);
/* gs_waitgroup_add(wg, -1). */
GS_API void gs_waitgroup_done(gs_waitgroup *wg);
/* Blocks until the counter is zero. */
GS_API void gs_waitgroup_wait(gs_waitgroup *wg);
/* As gs_waitgroup_wait, giving up after timeout_ns (CLOCK_MONOTONIC); returns whether the
 * counter reached zero. Never returns false earlier than timeout_ns after the call.
 * timeout_ns <= 0 only checks. */
GS_API bool gs_waitgroup_wait_timeout(gs_waitgroup *wg, int64_t timeout_ns);

GS_EXTERN_C_END

#endif /* GOSYNC_WAITGROUP_H */
