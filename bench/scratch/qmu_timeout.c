/* bench/scratch/qmu_timeout.c: a stress test of the waiter-queue prototype's timeouts
 * (bench/scratch/qmu.h, qmu_lock_until; verify/mutex.pml with -DTIMEOUTS models them).
 * Research code, as qmu.h is. Usage: qmu_timeout THREADS SECONDS
 *
 * Every thread loops: half its calls lock without a deadline, half with one 0 to 200 us
 * away; a holder sometimes sleeps 20-100 us inside, so that waiters queue, are woken, are
 * handed the lock and time out in every state. Checks: mutual exclusion (a non-atomic
 * counter, which ThreadSanitizer also watches, and an owner word), the counter equals the
 * acquisitions, and at the end the word is 0 and the queue empty. Exits 1 on a failure;
 * a lost wake-up shows as a hang (run it under `timeout`). Build: see bench/scratch/README.md. */
#define _GNU_SOURCE
#include "qmu.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static qmu m;
static long counter;           /* guarded by m */
static _Atomic int owner = -1; /* the holder's id, checked at entry and exit */
static _Atomic int stop, failed;
static _Atomic long acquired, timed_out, late;

static void *run(void *arg) {
    int id = (int)(long)arg;
    unsigned seed = 0x9e3779b9u * (unsigned)(id + 1);
    long mine = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        seed = seed * 1103515245u + 12345u;
        int timed = (seed >> 16) & 1;
        int got = 1;
        int64_t deadline = 0;
        if (timed) {
            deadline = q_now() + (int64_t)((seed >> 8) % 200000);
            got = qmu_lock_until(&m, deadline);
        } else {
            qmu_lock(&m);
        }
        if (!got) {
            if (q_now() < deadline) {
                fprintf(stderr, "qmu_timeout: gave up before the deadline\n");
                atomic_store(&failed, 1);
            }
            atomic_fetch_add_explicit(&timed_out, 1, memory_order_relaxed);
            continue;
        }
        if (timed && q_now() > deadline)
            atomic_fetch_add_explicit(&late, 1, memory_order_relaxed);
        int o = -1;
        if (!atomic_compare_exchange_strong(&owner, &o, id)) {
            fprintf(stderr, "qmu_timeout: MUTUAL EXCLUSION BROKEN (thread %d entered, %d inside)\n",
                    id, o);
            atomic_store(&failed, 1);
        }
        counter++;
        mine++;
        if (((seed >> 20) & 15) == 0) {
            struct timespec ts = {0, 20000 + (long)((seed >> 4) % 80000)};
            nanosleep(&ts, 0);
        }
        o = id;
        if (!atomic_compare_exchange_strong(&owner, &o, -1)) {
            fprintf(stderr, "qmu_timeout: MUTUAL EXCLUSION BROKEN (thread %d left, owner %d)\n", id, o);
            atomic_store(&failed, 1);
        }
        qmu_unlock(&m);
    }
    atomic_fetch_add(&acquired, mine);
    return NULL;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 8;
    double secs = argc > 2 ? atof(argv[2]) : 2;
    pthread_t *t = calloc((size_t)n, sizeof *t);
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, run, (void *)(long)i);
    struct timespec ts = {(time_t)secs, (long)((secs - (long)secs) * 1e9)};
    nanosleep(&ts, 0);
    atomic_store(&stop, 1);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    uint32_t w = atomic_load(&m.word);
    if (counter != acquired || w != 0 || m.head || m.tail) {
        fprintf(stderr, "qmu_timeout: counter %ld, acquisitions %ld, word %u, queue %s\n", counter,
                (long)acquired, w, m.head || m.tail ? "not empty" : "empty");
        atomic_store(&failed, 1);
    }
    printf("threads=%d acquired=%ld timed_out=%ld acquired_after_deadline=%ld %s\n", n,
           (long)acquired, (long)timed_out, (long)late, failed ? "FAILED" : "ok");
    return failed ? 1 : 0;
}
