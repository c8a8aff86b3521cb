/* tests/test_valgrind.c: planted lock bugs that helgrind and DRD must report once gosync's
 * locks are annotated (GOSYNC_VALGRIND builds; see cmake/GosyncValgrind.cmake).
 *
 *   test_valgrind inversion       two locks taken in both orders (helgrind: lock order)
 *   test_valgrind double_unlock   an unlock of an unlocked gs_rwmutex
 *   test_valgrind race            a variable written by two threads without a common lock
 *   test_valgrind clean           the same shapes done right: no report
 *   test_valgrind gorules         what Go allows and pthread does not (a lock unlocked by
 *                                 another thread, a thread exiting with a lock held, a lock
 *                                 handed over and freed): no report either
 */
#include <gosync.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- Go's rules ---- */

static void *unlock_a(void *p) {
    (void)p;
    gs_mutex_unlock(&a);
    return NULL;
}
static void *unlock_then_relock_a(void *p) {
    (void)p;
    gs_mutex_unlock(&a);
    gs_mutex_lock(&a);
    guarded++;
    gs_mutex_unlock(&a);
    return NULL;
}
static void *runlock_then_write(void *p) {
    (void)p;
    gs_rwmutex_runlock(&rw);
    gs_rwmutex_lock(&rw);
    shared++;
    gs_rwmutex_unlock(&rw);
    return NULL;
}
static void *lock_a_and_exit(void *p) {
    (void)p;
    gs_mutex_lock(&a);
    guarded++;
    return NULL;
}
static void *rlock_and_exit(void *p) {
    (void)p;
    gs_rwmutex_rlock(&rw);
    return NULL;
}
typedef struct {
    gs_mutex mu;
    long data;
} box;
static void *unlock_and_free(void *p) {
    box *x = (box *)p;
    x->data++;
    gs_mutex_unlock(&x->mu);
    free(x);
    return NULL;
}

static void go_rules(void) {
    pthread_t t;
    for (int i = 0; i < 20; i++) {
        gs_mutex_lock(&a);
        guarded++;
        pthread_create(&t, NULL, unlock_a, NULL);
        pthread_join(t, NULL);
        gs_mutex_lock(&a); /* the locker again, after another thread's unlock */
        guarded++;
        gs_mutex_unlock(&a);

        gs_mutex_lock(&a);
        pthread_create(&t, NULL, unlock_then_relock_a, NULL);
        pthread_join(t, NULL);

        gs_rwmutex_rlock(&rw);
        pthread_create(&t, NULL, runlock_then_write, NULL);
        pthread_join(t, NULL);
        gs_rwmutex_rlock(&rw);
        gs_rwmutex_runlock(&rw);

        pthread_create(&t, NULL, lock_a_and_exit, NULL);
        pthread_join(t, NULL);
        gs_mutex_unlock(&a);
        pthread_create(&t, NULL, rlock_and_exit, NULL);
        pthread_join(t, NULL);
        gs_rwmutex_runlock(&rw);

        box *x = (box *)calloc(1, sizeof *x);
        gs_mutex_lock(&x->mu);
        pthread_create(&t, NULL, unlock_and_free, x);
        pthread_join(t, NULL);
    }
    for (int i = 0; i < 200; i++) /* many read holds by one thread */
        gs_rwmutex_rlock(&rw);
    for (int i = 0; i < 200; i++)
        gs_rwmutex_runlock(&rw);
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
    } else if (strcmp(c, "gorules") == 0) {
        go_rules();
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
