/* tests/test_valgrind.c: planted lock bugs that helgrind and DRD must report once gosync's
 * locks are annotated (GOSYNC_VALGRIND builds; see cmake/GosyncValgrind.cmake).
 *
 *   test_valgrind inversion       two locks taken in both orders (helgrind: lock order)
 *   test_valgrind double_unlock   an unlock of an unlocked gs_rwmutex
 *   test_valgrind race            a variable written by two threads without a common lock
 *   test_valgrind clean           the same shapes done right: no report
 */
#include <gosync.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static gs_mutex a, b;
static gs_rwmutex rw;
static long shared, guarded;

static void *a_then_b(void *p) {
    (void)p;
    gs_mutex_lock(&a);
    gs_mutex_lock(&b);
    guarded++;
    gs_mutex_unlock(&b);
    gs_mutex_unlock(&a);
    return NULL;
}

static void *b_then_a(void *p) {
    (void)p;
    gs_mutex_lock(&b);
    gs_mutex_lock(&a);
    guarded++;
    gs_mutex_unlock(&a);
    gs_mutex_unlock(&b);
    return NULL;
}

/* Each thread writes `shared` under a different lock: a race. */
static void *write_under_a(void *p) {
    (void)p;
    gs_mutex_lock(&a);
    shared++;
    gs_mutex_unlock(&a);
    return NULL;
}
static void *write_under_b(void *p) {
    (void)p;
    gs_mutex_lock(&b);
    shared++;
    gs_mutex_unlock(&b);
    return NULL;
}
static void *write_under_rw(void *p) {
    (void)p;
    gs_rwmutex_lock(&rw);
    shared++;
    gs_rwmutex_unlock(&rw);
    return NULL;
}

static void run2(void *(*f)(void *), void *(*g)(void *)) {
    pthread_t t, u;
    pthread_create(&t, NULL, f, NULL);
    pthread_join(t, NULL); /* one after the other: the bug is the order, not a hang */
    pthread_create(&u, NULL, g, NULL);
    pthread_join(u, NULL);
}

static void run2_concurrent(void *(*f)(void *), void *(*g)(void *)) {
    pthread_t t, u;
    pthread_create(&t, NULL, f, NULL);
    pthread_create(&u, NULL, g, NULL);
    pthread_join(t, NULL);
    pthread_join(u, NULL);
}

int main(int argc, char **argv) {
    const char *c = argc > 1 ? argv[1] : "clean";
    if (strcmp(c, "inversion") == 0) {
        run2(a_then_b, b_then_a);
    } else if (strcmp(c, "double_unlock") == 0) {
        gs_rwmutex_lock(&rw);
        gs_rwmutex_unlock(&rw);
        gs_rwmutex_unlock(&rw); /* the tool reports, then gosync aborts */
    } else if (strcmp(c, "race") == 0) {
        run2_concurrent(write_under_a, write_under_b);
    } else if (strcmp(c, "clean") == 0) {
        run2(a_then_b, a_then_b);
        run2_concurrent(write_under_a, write_under_a);
        run2_concurrent(write_under_rw, write_under_rw);
    } else {
        fprintf(stderr, "unknown case %s\n", c);
        return 2;
    }
    printf("%s: shared=%ld guarded=%ld\n", c, shared, guarded);
    return 0;
}
