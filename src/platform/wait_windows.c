/* src/platform/wait_windows.c: the wait-on-address API (src/internal/wait.h) on Windows 8+
 * WaitOnAddress / WakeByAddressSingle / WakeByAddressAll (Synchronization.lib).
 *
 * WaitOnAddress compares *addr with *CompareAddress and sleeps while they are equal, atomically
 * with respect to the wake calls, and may return spuriously: the contract gs__wait needs.
 * Two differences from the futex backend, both allowed by the contract:
 *   - no tags: a wake for some tags (a gs_mutex unlock waking a registered waiter, not a
 *     newcomer) might reach a sleeper with another tag and be lost to the one it was meant
 *     for, so any wake that filters by tag wakes every sleeper on the address;
 *   - the timeout is relative and in milliseconds: it is rounded up, and a timeout that ends
 *     before the deadline (rounding, timer resolution) counts as a spurious return, so that
 *     gs__wait never reports a timeout early.
 * The wake calls do not touch *addr (keyed by address only), so waking the address of an
 * object another thread has just freed is harmless.
 */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0602 /* Windows 8: WaitOnAddress */
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "../internal/wait.h"

bool gs__wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag) {
    (void)tag;
    DWORD ms = INFINITE;
    if (deadline_ns != GS__NO_DEADLINE) {
        int64_t left = deadline_ns - gs__now_ns();
        if (left <= 0)
            return false;
        int64_t left_ms = (left + 999999) / 1000000;
        /* Never INFINITE by accident: cap a huge timeout just below it (the caller waits
         * again if woken by the cap). */
        ms = left_ms >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)left_ms;
    }
    if (WaitOnAddress((volatile VOID *)addr, &expected, sizeof expected, ms))
        return true; /* woken, *addr != expected, or spurious: the caller re-checks */
    if (GetLastError() != ERROR_TIMEOUT)
        gs__fatal("WaitOnAddress failed");
    return deadline_ns == GS__NO_DEADLINE || gs__now_ns() < deadline_ns;
}

void gs__wake(uint32_t *addr, int n, uint32_t tags) {
    if (n == 1 && tags == GS__TAG_ANY)
        WakeByAddressSingle(addr);
    else
        WakeByAddressAll(addr);
}
