/* src/internal/wait.h: the wait-on-address API every primitive sleeps through.
 *
 * Declared once here, implemented once per platform in src/platform/ (the build picks the
 * file). The algorithms rely on exactly this contract:
 *
 *   gs__wait(addr, expected, deadline, tag)
 *       Sleeps if *addr == expected, until a gs__wake on addr whose tags include tag, the
 *       deadline (absolute CLOCK_MONOTONIC ns, GS__NO_DEADLINE for none), or spuriously.
 *       The comparison and the going to sleep are atomic with respect to gs__wake: a wake
 *       issued after a store that made *addr != expected is never lost. Returns false only
 *       when the deadline has passed; true does NOT mean "woken": callers re-check their
 *       condition every time. EINTR, EAGAIN and spurious returns are handled here.
 *   gs__wake(addr, n, tags)
 *       Wakes up to n threads sleeping on addr with a tag in tags. Never reads or writes
 *       *addr, so it may be called after the store that let another thread free the object
 *       (a wake on a reused address is just a spurious wake-up for its new waiters).
 *
 * Tags let two kinds of waiters share one word (readers and a writer of a gs_rwmutex) and be
 * woken separately; GS__TAG_ANY matches all. Backends that cannot filter by tag wake more
 * threads than asked, which the contract allows.
 */
#ifndef GS_INTERNAL_WAIT_H
#define GS_INTERNAL_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"

#define GS__NO_DEADLINE INT64_MAX
#define GS__TAG_ANY 0xffffffffu
#define GS__WAKE_ALL 0x7fffffff

GS__HIDDEN bool gs__wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag);
GS__HIDDEN void gs__wake(uint32_t *addr, int n, uint32_t tags);

static inline void gs__wake_one(uint32_t *addr) { gs__wake(addr, 1, GS__TAG_ANY); }
static inline void gs__wake_all(uint32_t *addr) { gs__wake(addr, GS__WAKE_ALL, GS__TAG_ANY); }

/* CLOCK_MONOTONIC now, in nanoseconds. */
GS__HIDDEN int64_t gs__now_ns(void);
/* now + timeout_ns, saturating at GS__NO_DEADLINE. */
GS__HIDDEN int64_t gs__deadline_after(int64_t timeout_ns);
/* Number of CPUs this process may run on (cached; at least 1). */
GS__HIDDEN int gs__ncpu(void);
/* Gives up the CPU to another runnable thread. */
GS__HIDDEN void gs__yield(void);

#endif /* GS_INTERNAL_WAIT_H */
