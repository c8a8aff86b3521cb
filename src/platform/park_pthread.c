/* src/platform/park_pthread.c: wait-on-address from pthread mutexes and condition variables.
 *
 * Addresses hash to one of GS__PARK_BUCKETS buckets. A bucket is a mutex and a FIFO list of
 * the threads parked on any address of that hash; each parked thread brings its own node
 * (on its stack) with its own condition variable, so a wake signals exactly the threads it
 * picks, oldest first.
 *
 * Atomicity of check-and-sleep: gs__park_wait compares *addr with expected while holding
 * the bucket mutex and stays in the list until it is unlinked by a waker. A waker stores to
 * *addr before calling gs__park_wake, which takes the same mutex; so either the waiter's
 * comparison sees the store, or the waiter is already listed when the waker looks.
 * gs__park_wake never dereferences addr.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "../internal/park.h"
#include "../internal/wait.h"

#define GS__PARK_BUCKETS 256

typedef struct gs__park_node {
    struct gs__park_node *next, *prev;
    uint32_t *addr;
    uint32_t tag;
    bool woken; /* guarded by the bucket mutex */
    pthread_cond_t cond;
} gs__park_node;

typedef struct gs__park_bucket {
    pthread_mutex_t mu;
    gs__park_node *head, *tail;
} gs__park_bucket;

static gs__park_bucket gs__park_table[GS__PARK_BUCKETS];
static pthread_once_t gs__park_once = PTHREAD_ONCE_INIT;
static pthread_condattr_t gs__park_condattr;

static void gs__park_init(void) {
    for (int i = 0; i < GS__PARK_BUCKETS; i++)
        pthread_mutex_init(&gs__park_table[i].mu, NULL);
    pthread_condattr_init(&gs__park_condattr);
    pthread_condattr_setclock(&gs__park_condattr, CLOCK_MONOTONIC);
}

static gs__park_bucket *gs__park_bucket_of(const uint32_t *addr) {
    uintptr_t a = (uintptr_t)addr;
    a ^= a >> 17;
    a *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return &gs__park_table[(a >> 24) % GS__PARK_BUCKETS];
}

static void gs__park_unlink(gs__park_bucket *b, gs__park_node *n) {
    if (n->prev)
        n->prev->next = n->next;
    else
        b->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        b->tail = n->prev;
}

bool gs__park_wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag) {
    pthread_once(&gs__park_once, gs__park_init);
    gs__park_bucket *b = gs__park_bucket_of(addr);
    bool in_time = true;
    pthread_mutex_lock(&b->mu);
    if (atomic_load_explicit((_Atomic uint32_t *)addr, memory_order_relaxed) != expected) {
        pthread_mutex_unlock(&b->mu);
        return true;
    }
    gs__park_node n = {.next = NULL, .prev = b->tail, .addr = addr, .tag = tag, .woken = false};
    pthread_cond_init(&n.cond, &gs__park_condattr);
    if (b->tail)
        b->tail->next = &n;
    else
        b->head = &n;
    b->tail = &n;
    struct timespec ts;
    if (deadline_ns != GS__NO_DEADLINE) {
        int64_t d = deadline_ns < 0 ? 0 : deadline_ns;
        ts.tv_sec = (time_t)(d / 1000000000);
        ts.tv_nsec = (long)(d % 1000000000);
    }
    while (!n.woken) {
        if (deadline_ns == GS__NO_DEADLINE) {
            pthread_cond_wait(&n.cond, &b->mu);
        } else if (pthread_cond_timedwait(&n.cond, &b->mu, &ts) == ETIMEDOUT && !n.woken) {
            gs__park_unlink(b, &n);
            in_time = false;
            break;
        }
    }
    pthread_mutex_unlock(&b->mu);
    pthread_cond_destroy(&n.cond);
    return in_time;
}

void gs__park_wake(uint32_t *addr, int n, uint32_t tags) {
    pthread_once(&gs__park_once, gs__park_init);
    gs__park_bucket *b = gs__park_bucket_of(addr);
    pthread_mutex_lock(&b->mu);
    for (gs__park_node *p = b->head, *next; p != NULL && n > 0; p = next) {
        next = p->next;
        if (p->addr == addr && (p->tag & tags) != 0) {
            gs__park_unlink(b, p);
            p->woken = true;
            pthread_cond_signal(&p->cond);
            n--;
        }
    }
    pthread_mutex_unlock(&b->mu);
}
