/* src/platform/fault_inject.c: test-only fault injection over the wait-on-address API.
 *
 * Built only with -DGOSYNC_FAULT_INJECT=ON (`make test-faults`). The build then compiles the
 * real backend (futex_linux.c or park_only.c) with its gs__wait/gs__wake renamed to
 * gs__backend_wait/gs__backend_wake, and this file provides gs__wait/gs__wake on top. One
 * call in GOSYNC_FAULT_N (environment, default 8) gets a fault that src/internal/wait.h's
 * contract allows:
 *
 *   gs__wait   returns true at once without sleeping (a spurious wake-up), or sleeps at most
 *              a few microseconds and returns true (as after EINTR); it still returns false
 *              only once the caller's deadline has passed;
 *   gs__wake   yields first (widening the window between the releasing store and the wake),
 *              and/or also wakes every sleeper on the address, whatever its tag (a backend
 *              that cannot filter by tag does that).
 *
 * A wake is never dropped: that is not allowed by the contract, and the algorithms rely on
 * it. With GOSYNC_FAULT_VERBOSE set, the counts are printed at exit.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "../internal/wait.h"

GS__HIDDEN bool gs__backend_wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns,
                                 uint32_t tag);
GS__HIDDEN void gs__backend_wake(uint32_t *addr, int n, uint32_t tags);
/* For the test suite: how many faults were injected so far. */
GS__HIDDEN long gs__fault_count(void);

static _Atomic long gs__fault_spurious, gs__fault_eintr, gs__fault_wake_all, gs__fault_yield;
static _Atomic unsigned gs__fault_n; /* 0: not read yet */
static _Thread_local uint64_t gs__fault_rng;

static unsigned gs__fault_every(void) {
    unsigned n = atomic_load_explicit(&gs__fault_n, memory_order_relaxed);
    if (n == 0) {
        const char *s = getenv("GOSYNC_FAULT_N");
        long v = s ? strtol(s, NULL, 10) : 8;
        n = v >= 1 ? (unsigned)v : 8;
        atomic_store_explicit(&gs__fault_n, n, memory_order_relaxed);
    }
    return n;
}

/* xorshift64*, one stream per thread, seeded from the thread's address. */
static uint64_t gs__fault_next(void) {
    uint64_t x = gs__fault_rng;
    if (x == 0)
        x = (uint64_t)(uintptr_t)&gs__fault_rng * 0x9E3779B97F4A7C15ull | 1;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    gs__fault_rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* A fault 1 time in N: returns which of `kinds` faults to inject, or -1 for none. */
static int gs__fault_pick(int kinds) {
    uint64_t r = gs__fault_next() >> 16;
    if (r % gs__fault_every() != 0)
        return -1;
    return (int)((r >> 20) % (uint64_t)kinds);
}

bool gs__wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag) {
    switch (gs__fault_pick(2)) {
    case 0:
        atomic_fetch_add_explicit(&gs__fault_spurious, 1, memory_order_relaxed);
        return deadline_ns == GS__NO_DEADLINE || gs__now_ns() < deadline_ns;
    case 1: {
        atomic_fetch_add_explicit(&gs__fault_eintr, 1, memory_order_relaxed);
        int64_t cut = gs__now_ns() + 1000 + (int64_t)(gs__fault_next() % 50000);
        if (cut >= deadline_ns)
            break;
        gs__backend_wait(addr, expected, cut, tag);
        return true; /* interrupted before the caller's deadline */
    }
    default:
        break;
    }
    return gs__backend_wait(addr, expected, deadline_ns, tag);
}

void gs__wake(uint32_t *addr, int n, uint32_t tags) {
    switch (gs__fault_pick(3)) {
    case 0:
        atomic_fetch_add_explicit(&gs__fault_yield, 1, memory_order_relaxed);
        gs__yield();
        break;
    case 1:
        atomic_fetch_add_explicit(&gs__fault_wake_all, 1, memory_order_relaxed);
        gs__backend_wake(addr, n, tags);
        gs__backend_wake(addr, GS__WAKE_ALL, GS__TAG_ANY);
        return;
    case 2:
        atomic_fetch_add_explicit(&gs__fault_yield, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&gs__fault_wake_all, 1, memory_order_relaxed);
        gs__yield();
        gs__backend_wake(addr, GS__WAKE_ALL, GS__TAG_ANY);
        return;
    default:
        break;
    }
    gs__backend_wake(addr, n, tags);
}

long gs__fault_count(void) {
    return atomic_load(&gs__fault_spurious) + atomic_load(&gs__fault_eintr) +
           atomic_load(&gs__fault_wake_all) + atomic_load(&gs__fault_yield);
}

__attribute__((destructor)) static void gs__fault_report(void) {
    if (getenv("GOSYNC_FAULT_VERBOSE"))
        fprintf(stderr,
                "gosync: fault injection (1 in %u): %ld spurious returns, %ld as EINTR, "
                "%ld wakes of all, %ld yields before a wake\n",
                gs__fault_every(), atomic_load(&gs__fault_spurious), atomic_load(&gs__fault_eintr),
                atomic_load(&gs__fault_wake_all), atomic_load(&gs__fault_yield));
}
