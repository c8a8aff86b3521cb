/* src/platform/futex_openbsd.c: the wait-on-address API (src/internal/wait.h) on OpenBSD's
 * futex(2) (OpenBSD 6.2 and later).
 *
 * FUTEX_WAIT sleeps while *addr equals the value, atomically with FUTEX_WAKE; private ops
 * (where the headers have them) key waiters by (process, address), so a wake never touches
 * the page. Two differences from the Linux backend, both allowed by the contract:
 *   - the timeout is relative: it is recomputed from the absolute deadline at each call, and
 *     a timeout that ends before the deadline counts as a spurious return, so gs__wait never
 *     reports a timeout early;
 *   - no tags: a wake that filters by tag wakes every sleeper on the address, since a single
 *     wake-up might reach a sleeper with another tag and be lost to the one it was meant for.
 */
#include <sys/time.h>
#include <sys/futex.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <time.h>

#include "../internal/wait.h"

#if defined(FUTEX_WAIT_PRIVATE)
#define GS__FUTEX_WAIT FUTEX_WAIT_PRIVATE
#define GS__FUTEX_WAKE FUTEX_WAKE_PRIVATE
#else
#define GS__FUTEX_WAIT FUTEX_WAIT
#define GS__FUTEX_WAKE FUTEX_WAKE
#endif

bool gs__wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag) {
    (void)tag;
    struct timespec ts, *tsp = NULL;
    if (deadline_ns != GS__NO_DEADLINE) {
        int64_t left = deadline_ns - gs__now_ns();
        if (left <= 0)
            return false;
        ts.tv_sec = (time_t)(left / 1000000000);
        ts.tv_nsec = (long)(left % 1000000000);
        tsp = &ts;
    }
    int saved = errno;
    int r = futex(addr, GS__FUTEX_WAIT, (int)expected, tsp, NULL);
    int err = errno;
    errno = saved;
    if (r == 0)
        return true;
    switch (err) {
    case ETIMEDOUT:
        return gs__now_ns() < deadline_ns;
    case EAGAIN:    /* *addr != expected: the caller re-reads it */
    case EINTR:     /* a signal: a spurious return, the caller re-checks */
    case ECANCELED: /* a signal with SA_RESTART: likewise */
        return true;
    default:
        gs__fatal("futex wait failed");
    }
}

void gs__wake(uint32_t *addr, int n, uint32_t tags) {
    if (tags != GS__TAG_ANY)
        n = INT_MAX;
    int saved = errno;
    futex(addr, GS__FUTEX_WAKE, n, NULL, NULL);
    errno = saved;
}
