/* src/platform/clock_windows.c: time, CPU count and yield for Windows (posix_clock.c's twin).
 *
 * The monotonic clock is QueryPerformanceCounter, which Windows guarantees monotonic and
 * consistent across processors (Windows 7+); its frequency is fixed at boot.
 */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0602 /* the same floor as wait_windows.c: Windows 8 */
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdatomic.h>

#include "../internal/wait.h"

int64_t gs__now_ns(void) {
    static _Atomic int64_t freq_cache;
    int64_t freq = atomic_load_explicit(&freq_cache, memory_order_relaxed);
    if (freq == 0) {
        LARGE_INTEGER f;
        QueryPerformanceFrequency(&f); /* cannot fail on Windows XP and later */
        freq = f.QuadPart;
        atomic_store_explicit(&freq_cache, freq, memory_order_relaxed);
    }
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    /* Whole seconds and the remainder apart, so that counts * 1e9 cannot overflow. */
    int64_t sec = c.QuadPart / freq, rem = c.QuadPart % freq;
    return sec * 1000000000 + rem * 1000000000 / freq;
}

int64_t gs__deadline_after(int64_t timeout_ns) {
    int64_t now = gs__now_ns();
    if (timeout_ns > GS__NO_DEADLINE - now)
        return GS__NO_DEADLINE - 1;
    return now + timeout_ns;
}

int gs__ncpu(void) {
    static _Atomic int cached;
    int n = atomic_load_explicit(&cached, memory_order_relaxed);
    if (n > 0)
        return n;
    DWORD_PTR process, system;
    if (GetProcessAffinityMask(GetCurrentProcess(), &process, &system)) {
        for (; process != 0; process &= process - 1)
            n++;
    }
    if (n <= 0)
        n = (int)GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    if (n <= 0)
        n = 1;
    atomic_store_explicit(&cached, n, memory_order_relaxed);
    return n;
}

void gs__yield(void) { SwitchToThread(); }
