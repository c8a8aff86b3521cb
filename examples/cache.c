/* examples/cache.c: when does an RWMutex pay? The text: "only when most of the goroutines
 * that acquire the lock are readers, and the lock is under contention".
 *
 * A read-mostly cache (a small hash table of records) is guarded once by a gs_rwmutex and
 * once by a gs_mutex. Reader threads look records up; one refresher thread rewrites a record
 * every millisecond. Each record carries a checksum written with it, so a torn read (a
 * reader seeing half a refresh) is detected; the program checks there is none and prints
 * reads per second for each lock at 1 and 2 reader threads (more with an argument).
 */
#define _GNU_SOURCE
#include <gosync.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 256
#define WORDS 8

typedef struct {
    uint64_t key;
    uint64_t words[WORDS];
    uint64_t sum;
} record;

static record table[SLOTS];
static gs_rwmutex rw;
static gs_mutex mu;
static bool use_rw;
static atomic_int stop;
static atomic_long torn;

static uint64_t checksum(const record *r) {
    uint64_t s = r->key * 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < WORDS; i++)
        s = (s ^ r->words[i]) * 0x100000001B3ull;
    return s;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Looks key up and checks the record it finds; returns whether it was found. */
static bool lookup(uint64_t key) {
    bool found = false;
    if (use_rw)
        gs_rwmutex_rlock(&rw);
    else
        gs_mutex_lock(&mu);
    record *r = &table[key % SLOTS];
    if (r->key == key) {
        found = true;
        if (checksum(r) != r->sum)
            atomic_fetch_add(&torn, 1);
    }
    if (use_rw)
        gs_rwmutex_runlock(&rw);
    else
        gs_mutex_unlock(&mu);
    return found;
}

static void refresh(uint64_t key, uint64_t gen) {
    if (use_rw)
        gs_rwmutex_lock(&rw);
    else
        gs_mutex_lock(&mu);
    record *r = &table[key % SLOTS];
    r->key = key;
    for (int i = 0; i < WORDS; i++)
        r->words[i] = gen * 31 + (uint64_t)i;
    r->sum = checksum(r);
    if (use_rw)
        gs_rwmutex_unlock(&rw);
    else
        gs_mutex_unlock(&mu);
}

static void *reader(void *arg) {
    long *count = (long *)arg;
    uint64_t k = (uint64_t)(uintptr_t)count;
    long n = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        k = k * 6364136223846793005ull + 1442695040888963407ull;
        if (!lookup((k >> 33) % SLOTS))
            abort(); /* every key 0..SLOTS-1 is always present */
        n++;
    }
    *count = n;
    return NULL;
}

static void *refresher(void *arg) {
    (void)arg;
    uint64_t gen = 1;
    struct timespec ms = {0, 1000000};
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        refresh(gen % SLOTS, gen);
        gen++;
        nanosleep(&ms, NULL);
    }
    return NULL;
}

/* Reads per second with `readers` reader threads for `ms` milliseconds. */
static double measure(bool rw_lock, int readers, int ms) {
    use_rw = rw_lock;
    atomic_store(&stop, 0);
    pthread_t r[64], w;
    long counts[64];
    pthread_create(&w, NULL, refresher, NULL);
    int64_t start = now_ns();
    for (int i = 0; i < readers; i++)
        pthread_create(&r[i], NULL, reader, &counts[i]);
    struct timespec d = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&d, NULL);
    atomic_store(&stop, 1);
    long total = 0;
    for (int i = 0; i < readers; i++) {
        pthread_join(r[i], NULL);
        total += counts[i];
    }
    double secs = (double)(now_ns() - start) / 1e9;
    pthread_join(w, NULL);
    return (double)total / secs;
}

int main(int argc, char **argv) {
    int max_readers = argc > 1 ? atoi(argv[1]) : 2;
    int ms = argc > 2 ? atoi(argv[2]) : 300;
    if (max_readers < 1 || max_readers > 64)
        max_readers = 2;
    for (uint64_t k = 0; k < SLOTS; k++) {
        table[k].key = k;
        table[k].sum = checksum(&table[k]);
    }
    printf("cache: %d-slot read-mostly cache, one refresh per ms, %d ms per run\n", SLOTS, ms);
    printf("  %-8s %16s %16s %8s\n", "readers", "gs_mutex reads/s", "gs_rwmutex reads/s",
           "rw/mutex");
    for (int n = 1; n <= max_readers; n *= 2) {
        double m = measure(false, n, ms);
        double r = measure(true, n, ms);
        printf("  %-8d %16.0f %16.0f %8.2f\n", n, m, r, r / m);
    }
    if (atomic_load(&torn) != 0) {
        printf("cache: FAILED: %ld torn reads\n", atomic_load(&torn));
        return 1;
    }
    printf("cache: OK: no torn reads\n");
    return 0;
}
