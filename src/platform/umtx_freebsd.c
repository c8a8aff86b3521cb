/* src/platform/umtx_freebsd.c: the wait-on-address API (src/internal/wait.h) on FreeBSD's
 * _umtx_op(2).
 *
 * UMTX_OP_WAIT_UINT_PRIVATE is FreeBSD's futex wait on a 32-bit word: it sleeps while *addr
 * equals the value (the comparison is atomic with UMTX_OP_WAKE_PRIVATE) and returns 0 at once
 * if it differs. The _PRIVATE ops key waiters by (process, address), so a wake never touches
 * the page and waking the address of a freed object is harmless. The deadline is passed as a
 * struct _umtx_time with UMTX_ABSTIME on CLOCK_MONOTONIC, the clock gs__now_ns reads, so a
 * restarted wait never stretches its timeout.
 *
 * No tags: a wake that filters by tag might reach a sleeper with another tag and be lost to
 * the one it was meant for, so it wakes every sleeper on the address (the contract allows
 * waking more threads than asked).
 */
#include <sys/types.h>
#include <sys/umtx.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <time.h>

#include "../internal/wait.h"

bool gs__wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag) {
    (void)tag;
    struct _umtx_time t;
    void *size = NULL, *timeout = NULL; /* the _umtx_time and its size, or none */
    if (deadline_ns != GS__NO_DEADLINE) {
        if (deadline_ns < 0)
            return false;
        t._timeout.tv_sec = (time_t)(deadline_ns / 1000000000);
        t._timeout.tv_nsec = (long)(deadline_ns % 1000000000);
        t._flags = UMTX_ABSTIME;
        t._clockid = CLOCK_MONOTONIC;
        size = (void *)(uintptr_t)sizeof t;
        timeout = &t;
    }
    int saved = errno;
    int r = _umtx_op(addr, UMTX_OP_WAIT_UINT_PRIVATE, (u_long)expected, size, timeout);
    int err = errno;
    errno = saved;
    if (r == 0)
        return true; /* woken, or *addr != expected */
    switch (err) {
    case ETIMEDOUT:
        return false;
    case EINTR: /* a signal: a spurious return, the caller re-checks */
        return true;
    default:
        gs__fatal("_umtx_op wait failed");
    }
}

void gs__wake(uint32_t *addr, int n, uint32_t tags) {
    if (tags != GS__TAG_ANY)
        n = INT_MAX;
    int saved = errno;
    _umtx_op(addr, UMTX_OP_WAKE_PRIVATE, (u_long)n, NULL, NULL);
    errno = saved;
}
