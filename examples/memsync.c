/* examples/memsync.c: "synchronization is about more than the order of execution; it also
 * affects memory" — the text's point, measured.
 *
 * Store buffering: two threads each store to one variable and then load the other.
 *
 *     thread A: x = 1; r1 = y;          thread B: y = 1; r2 = x;
 *
 * Interleaving the four statements in any order gives at least one 1, yet real CPUs can
 * return r1 == r2 == 0: each store waits in its core's store buffer while the load behind it
 * runs ahead (x86 does this; its model is "TSO"). The variables are relaxed C11 atomics, so
 * the program is race-free and the outcome is simply allowed. With a gs_mutex around each
 * side, unlock synchronizes-before the next lock (Go's memory model, DESIGN.md), so one side
 * sees the other's store: both-zero is impossible and the program checks it never happens.
 *
 * The two threads are pinned to different CPUs where there are two, and start each round
 * together.
 */
#define _GNU_SOURCE
#include <gosync.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 200000

static atomic_int x, y;
static int r1, r2;
static gs_mutex mu;
static bool use_mutex;
static atomic_int go_round, done_round;

static cpu_set_t all_cpus; /* the process's CPUs, read before any pinning */

static void pin(int cpu) {
    cpu_set_t set = all_cpus;
    if (CPU_COUNT(&set) < 2)
        return;
    int seen = 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, &set) && seen++ == cpu) {
            CPU_ZERO(&set);
            CPU_SET(c, &set);
            pthread_setaffinity_np(pthread_self(), sizeof set, &set);
            return;
        }
    }
}

/* One side of one round: store mine, load theirs. */
static int side(atomic_int *mine, atomic_int *theirs) {
    int r;
    if (use_mutex)
        gs_mutex_lock(&mu);
    atomic_store_explicit(mine, 1, memory_order_relaxed);
    r = atomic_load_explicit(theirs, memory_order_relaxed);
    if (use_mutex)
        gs_mutex_unlock(&mu);
    return r;
}

static void *thread_b(void *arg) {
    (void)arg;
    pin(1);
    for (int round = 1; round <= ROUNDS; round++) {
        while (atomic_load_explicit(&go_round, memory_order_acquire) < round) {
        }
        r2 = side(&y, &x);
        atomic_fetch_add_explicit(&done_round, 1, memory_order_release);
    }
    return NULL;
}

/* Runs ROUNDS rounds; returns how many ended with r1 == r2 == 0. */
static long run(bool with_mutex) {
    use_mutex = with_mutex;
    atomic_store(&go_round, 0);
    atomic_store(&done_round, 0);
    pthread_t b;
    pthread_create(&b, NULL, thread_b, NULL);
    long both_zero = 0;
    for (int round = 1; round <= ROUNDS; round++) {
        atomic_store_explicit(&x, 0, memory_order_relaxed);
        atomic_store_explicit(&y, 0, memory_order_relaxed);
        atomic_store_explicit(&go_round, round, memory_order_release);
        r1 = side(&x, &y);
        while (atomic_load_explicit(&done_round, memory_order_acquire) < round) {
        }
        if (r1 == 0 && r2 == 0)
            both_zero++;
    }
    pthread_join(b, NULL);
    return both_zero;
}

int main(void) {
    sched_getaffinity(0, sizeof all_cpus, &all_cpus);
    pin(0);
    long plain = run(false);
    long locked = run(true);
    printf("memsync: store buffering, %d rounds, 2 threads\n", ROUNDS);
    printf("  %-28s %12s %10s\n", "", "r1==r2==0", "share");
    printf("  %-28s %12ld %9.4f%%\n", "no synchronization", plain, 100.0 * plain / ROUNDS);
    printf("  %-28s %12ld %9.4f%%\n", "gs_mutex around each side", locked,
           100.0 * locked / ROUNDS);
    if (plain == 0)
        printf("memsync: this CPU (or this run) never reordered the plain stores; "
               "the unsynchronized count is hardware-dependent\n");
    if (locked != 0) {
        printf("memsync: FAILED: the mutex did not order memory\n");
        return 1;
    }
    printf("memsync: OK: with the mutex, no round saw both old values\n");
    return 0;
}
