/* tests/consumers/consumer.c: a program that uses an installed gosync, as a project that
 * adopts it would. Built by the two consumer projects beside it (CMake find_package, and make
 * with pkg-config) against a fresh install; scripts/test-consumers.sh builds and runs them.
 * Exits 0 if four threads counting under a gs_mutex and a gs_rwmutex lose no increment and the
 * library linked is the version of the headers. */
#include <gosync.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)
#define THREADS 4
#define ROUNDS 100000

static gs_mutex mu;
static long count GS_GUARDED_BY(mu);
static gs_rwmutex rw;
static long rw_count GS_GUARDED_BY(rw);

static void *work(void *arg) {
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        {
            GS_GUARD(&mu);
            count++;
        }
        gs_rwmutex_lock(&rw);
        rw_count++;
        gs_rwmutex_unlock(&rw);
    }
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    gs_rwmutex_rlock(&rw);
    long seen = rw_count;
    gs_rwmutex_runlock(&rw);
    gs_mutex_lock(&mu);
    long total = count;
    gs_mutex_unlock(&mu);

    const char *want =
        STR(GOSYNC_VERSION_MAJOR) "." STR(GOSYNC_VERSION_MINOR) "." STR(GOSYNC_VERSION_PATCH);
    const char *how = argc > 1 ? argv[1] : argv[0];
    if (total != (long)THREADS * ROUNDS || seen != total || strcmp(gs_version(), want) != 0) {
        fprintf(stderr, "%s: FAIL counts %ld %ld (want %ld), library %s, headers %s\n", how, total,
                seen, (long)THREADS * ROUNDS, gs_version(), want);
        return 1;
    }
    printf("%s: ok, gosync %s\n", how, gs_version());
    return 0;
}
