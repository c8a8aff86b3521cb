/* src/platform/futex_linux.c: the wait-on-address API (src/internal/wait.h) on Linux futexes.
 *
 * Private futexes only (gosync locks are not shared between processes), so the kernel keys
 * them by (mm, address) and never touches the page on a wake: waking an address whose object
 * was just freed is harmless. Sleeps use FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC
 * deadline, so a wait that is interrupted and restarted never stretches its timeout, and the
 * bitset carries the waiter's tag.
 *
 * If the kernel has no futex (ENOSYS: some sandboxes), the constructor below finds out before
 * main and every call goes to the portable parking table instead.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../internal/park.h"
#include "../internal/wait.h"

static bool gs__no_futex; /* set once, before main, by gs__futex_probe */

static long gs__futex(uint32_t *addr, int op, uint32_t val, const struct timespec *ts,
                      uint32_t val3) {
    return syscall(SYS_futex, addr, op, val, ts, NULL, val3);
}

__attribute__((constructor)) static void gs__futex_probe(void) {
    uint32_t word = 0;
    if (gs__futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, 0) < 0 && errno == ENOSYS)
        gs__no_futex = true;
}

bool gs__wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag) {
    if (gs__no_futex)
        return gs__park_wait(addr, expected, deadline_ns, tag);
    struct timespec ts, *tsp = NULL;
    if (deadline_ns != GS__NO_DEADLINE) {
        if (deadline_ns < 0)
            return false;
        ts.tv_sec = (time_t)(deadline_ns / 1000000000);
        ts.tv_nsec = (long)(deadline_ns % 1000000000);
        tsp = &ts;
    }
    int saved = errno;
    long r = gs__futex(addr, FUTEX_WAIT_BITSET_PRIVATE, expected, tsp, tag);
    int err = errno;
    errno = saved;
    if (r == 0)
        return true;
    switch (err) {
    case ETIMEDOUT:
        return false;
    case EAGAIN: /* *addr != expected: the caller re-reads it */
    case EINTR:  /* a signal: a spurious return, the caller re-checks */
        return true;
    default:
        gs__fatal("futex wait failed");
    }
}

void gs__wake(uint32_t *addr, int n, uint32_t tags) {
    if (gs__no_futex) {
        gs__park_wake(addr, n, tags);
        return;
    }
    int saved = errno;
    gs__futex(addr, FUTEX_WAKE_BITSET_PRIVATE, (uint32_t)n, NULL, tags);
    errno = saved;
}
