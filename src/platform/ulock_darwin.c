/* src/platform/ulock_darwin.c: the wait-on-address API (src/internal/wait.h) on macOS.
 *
 * macOS 14.4 made Darwin's futex public: os_sync_wait_on_address_with_timeout and
 * os_sync_wake_by_address_any/_all (<os/os_sync_wait_on_address.h>). Older systems (10.12 and
 * later) have the calls they wrap, __ulock_wait / __ulock_wake in libSystem: private, but
 * stable, and used by libc++'s std::atomic::wait and by libdispatch. The os_sync calls are
 * looked up at run time (dlsym), so one binary uses them where they exist and __ulock_*
 * elsewhere, whatever SDK it was built with.
 *
 * Both compare *addr with the value and sleep atomically with respect to the wakes, key
 * waiters by (process, address) when not told the memory is shared, and return early on
 * signals. Differences from the Linux backend, all allowed by the contract:
 *   - the timeout is relative (os_sync: ns, __ulock_wait: us, 0 meaning "forever"): it is
 *     recomputed from the deadline at each call, rounded up, and a timeout that ends before
 *     the deadline counts as a spurious return, so gs__wait never reports a timeout early
 *     (the kernel's clock is mach_absolute_time, which stops while the machine sleeps, and
 *     CLOCK_MONOTONIC does not);
 *   - no tags: a wake that filters by tag wakes every sleeper on the address.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "../internal/wait.h"

/* <os/os_sync_wait_on_address.h> (macOS 14.4), by hand: flags and clock ids are uint32_t. */
#define GS__OS_SYNC_NONE 0u
#define GS__OS_CLOCK_MACH_ABSOLUTE_TIME 32u
typedef int (*gs__os_sync_wait_fn)(void *addr, uint64_t value, size_t size, uint32_t flags);
typedef int (*gs__os_sync_wait_timeout_fn)(void *addr, uint64_t value, size_t size, uint32_t flags,
                                           uint32_t clockid, uint64_t timeout_ns);
typedef int (*gs__os_sync_wake_fn)(void *addr, size_t size, uint32_t flags);

/* <sys/ulock.h> of the xnu sources (not in the SDK). */
#define GS__UL_COMPARE_AND_WAIT 1u
#define GS__ULF_WAKE_ALL 0x00000100u
extern int __ulock_wait(uint32_t operation, void *addr, uint64_t value, uint32_t timeout_us);
extern int __ulock_wake(uint32_t operation, void *addr, uint64_t wake_value);

static struct {
    gs__os_sync_wait_fn wait;
    gs__os_sync_wait_timeout_fn wait_timeout;
    gs__os_sync_wake_fn wake_any, wake_all;
    bool present; /* all four found */
} gs__os_sync;
static pthread_once_t gs__os_sync_once = PTHREAD_ONCE_INIT;

static void gs__os_sync_lookup(void) {
    gs__os_sync.wait = (gs__os_sync_wait_fn)dlsym(RTLD_DEFAULT, "os_sync_wait_on_address");
    gs__os_sync.wait_timeout =
        (gs__os_sync_wait_timeout_fn)dlsym(RTLD_DEFAULT, "os_sync_wait_on_address_with_timeout");
    gs__os_sync.wake_any = (gs__os_sync_wake_fn)dlsym(RTLD_DEFAULT, "os_sync_wake_by_address_any");
    gs__os_sync.wake_all = (gs__os_sync_wake_fn)dlsym(RTLD_DEFAULT, "os_sync_wake_by_address_all");
    gs__os_sync.present = gs__os_sync.wait && gs__os_sync.wait_timeout && gs__os_sync.wake_any &&
                          gs__os_sync.wake_all;
}

/* Whether the os_sync calls exist; looked up once (pthread_once orders the lookup's writes
 * before every caller's reads). */
static bool gs__have_os_sync(void) {
    pthread_once(&gs__os_sync_once, gs__os_sync_lookup);
    return gs__os_sync.present;
}

bool gs__wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag) {
    (void)tag;
    int64_t left = 0;
    if (deadline_ns != GS__NO_DEADLINE) {
        left = deadline_ns - gs__now_ns();
        if (left <= 0)
            return false;
    }
    int saved = errno, r;
    if (gs__have_os_sync()) {
        if (deadline_ns == GS__NO_DEADLINE)
            r = gs__os_sync.wait(addr, expected, sizeof *addr, GS__OS_SYNC_NONE);
        else
            r = gs__os_sync.wait_timeout(addr, expected, sizeof *addr, GS__OS_SYNC_NONE,
                                         GS__OS_CLOCK_MACH_ABSOLUTE_TIME, (uint64_t)left);
    } else {
        uint32_t us = 0; /* forever */
        if (deadline_ns != GS__NO_DEADLINE) {
            int64_t left_us = (left + 999) / 1000;
            us = left_us > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)left_us;
        }
        r = __ulock_wait(GS__UL_COMPARE_AND_WAIT, addr, expected, us);
    }
    int err = errno;
    errno = saved;
    if (r >= 0)
        return true; /* woken, or *addr != expected */
    switch (err) {
    case ETIMEDOUT:
        return gs__now_ns() < deadline_ns;
    case EINTR:  /* a signal, or a spurious wake-up */
    case EFAULT: /* transient (the documentation says: retry after re-reading *addr) */
    case ENOMEM: /* likewise */
        return true;
    default:
        gs__fatal("wait on address failed");
    }
}

void gs__wake(uint32_t *addr, int n, uint32_t tags) {
    bool all = n != 1 || tags != GS__TAG_ANY;
    int saved = errno, r;
    do {
        if (gs__have_os_sync())
            r = all ? gs__os_sync.wake_all(addr, sizeof *addr, GS__OS_SYNC_NONE)
                    : gs__os_sync.wake_any(addr, sizeof *addr, GS__OS_SYNC_NONE);
        else
            r = __ulock_wake(GS__UL_COMPARE_AND_WAIT | (all ? GS__ULF_WAKE_ALL : 0), addr, 0);
    } while (r < 0 && errno == EINTR); /* ENOENT (nobody waits) and the rest: nothing to do */
    errno = saved;
}
