/* bench/scratch/holder.c: what one lock+unlock costs the running holder of a contended
 * gs_mutex. One thread locks and unlocks in a loop, first on a mutex with nothing else in its
 * word, then on one whose word says "one waiter registered, already woken" (what a holder
 * sees while the others sleep): no other thread runs, so this is the instruction cost of the
 * paths alone. pthread_mutex's uncontended pair is timed in the same run as the baseline.
 * Pokes the private state word; diagnostic only (see README.md). */
#include <gosync.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static gs_mutex mu;
static pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;
static volatile long x;

int main(void) {
    for (int r = 0; r < 3; r++) {
        long n = 50000000;
        double t = now();
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&pm);
            x++;
            pthread_mutex_unlock(&pm);
        }
        t = now() - t;
        printf("%-22s %.2f ns per lock+unlock\n", "pthread_mutex", t / n * 1e9);
    }
    for (int mode = 0; mode < 2; mode++) {
        for (int r = 0; r < 3; r++) {
            mu.state = mode ? ((1u << 16) | 2u) : 0; /* 1 waiter, WOKEN */
            long n = 50000000;
            double t = now();
            for (long i = 0; i < n; i++) {
                gs_mutex_lock(&mu);
                x++;
                gs_mutex_unlock(&mu);
            }
            t = now() - t;
            printf("%-22s %.2f ns per lock+unlock\n", mode ? "waiter registered+woken" : "word empty",
                   t / n * 1e9);
        }
    }
    return 0;
}
