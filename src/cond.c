/* src/cond.c: gs_cond, Go's sync.Cond, as a FIFO queue of waiters on the waiters' stacks.
 *
 * Each waiting thread brings a node (gs__cond_waiter, in its own stack frame) with its own
 * futex word, so a signal wakes exactly the thread it picks. The Cond holds the queue (head,
 * tail), its length (nwait) and an epoch, all guarded by the internal mutex mu; nwait is
 * also read without mu by signal and broadcast to return early when nobody waits.
 *
 * Node word (gs__cond_waiter.state):
 *
 *   WAITING    0  queued, popped by a signal or chained by a broadcast, and not yet told
 *   SIGNALLED  1  picked by a signal or broadcast; final. The node's owner returns (after
 *                 relocking) once it reads this, and its stack frame may be reused at once.
 *
 * A node is in exactly one of three places:
 *   queued     in the Cond's queue: epoch == Cond's epoch and !popped
 *   popped     taken by a signal (popped set, under mu); told SIGNALLED after mu is released
 *   chained    detached by a broadcast, which takes the whole queue under mu and advances
 *              the Cond's epoch (so a chained node's epoch is old); linked by next pointers,
 *              oldest first
 *
 * Transitions:
 *   wait       enqueue at the tail (under mu), then unlock the locker, then sleep on the
 *              node until SIGNALLED. Enqueueing before unlocking is what makes the change
 *              of the condition, made under the locker, meet either the waiter's test or its
 *              node.
 *   signal     pop the head (under mu), mark it popped with next = NULL, unlock mu; then
 *              store SIGNALLED (release) and wake that node's word.
 *   broadcast  detach the queue and advance the epoch (under mu), unlock mu; then store
 *              SIGNALLED in the first node only and wake it. Each chained waiter, as soon
 *              as it is told and before it relocks, tells its successor and wakes it: a
 *              cascade. The broadcaster makes one wake-up call whatever the number of
 *              waiters, and the waiters are woken one after another rather than all at
 *              once. (Measured against waking all at once, and against passing the wake-up
 *              on only after relocking: bench/variants; this was the fastest of the three.)
 *   time out   under mu: if the node is still queued, unlink it and return false (after
 *              relocking). If it is not, a signal or broadcast took it and its SIGNALLED is
 *              on the way (a chained node waits for its predecessors to wake): wait for it
 *              without a deadline and return true. A timed-out waiter therefore never
 *              swallows a signal meant for another.
 *
 * Invariants the code relies on:
 *   - Whoever stores SIGNALLED into a node touches neither the node nor the Cond afterwards:
 *     the told waiter may return and free both (a Cond may be freed by a woken waiter even
 *     while the signal that woke it, made without the locker, is still returning). A chained
 *     node passes on the successor it read from its own node, and relocks through the locker it
 *     read before enqueueing; signal and broadcast tell after releasing mu; after telling,
 *     only the word's address is used, by gs__wake, which does not touch memory.
 *   - next/prev/epoch/popped are written only under mu while the node is queued; after it
 *     leaves the queue, next is read only by the node's owner, after its acquire load of
 *     SIGNALLED, which the chain of release stores orders after the detaching critical
 *     section.
 *   - The epoch is 64 bits: it never comes back to a chained node's value.
 */
#include <gosync/cond.h>

#include <stddef.h>

#include "internal/atomic.h"
#include "internal/common.h"
#include "internal/wait.h"

enum { GS__COND_WAITING = 0, GS__COND_SIGNALLED = 1 };

typedef struct gs__cond_waiter {
    struct gs__cond_waiter *next, *prev;
    uint64_t epoch; /* the Cond's epoch when it queued */
    bool popped;    /* taken by a signal */
    uint32_t state; /* WAITING or SIGNALLED: the futex word its owner sleeps on */
} gs__cond_waiter;

/* Whether c can be used; fatal if it is a copy, or if a wait finds it uninitialised. */
static inline bool gs__cond_ready(const gs_cond *c, bool waiting) {
    if (GS__LIKELY(c->self == c))
        return true;
    if (c->self != NULL)
        gs__fatal("Cond is copied");
    if (waiting)
        gs__fatal("Cond.Wait before gs_cond_init");
    return false; /* never initialised: nobody can be waiting */
}

void gs_cond_init(gs_cond *c, gs_locker l) {
    if (l.lock == NULL || l.unlock == NULL)
        gs__fatal("gs_cond_init with an empty Locker");
    c->l = l;
    c->mu.state = 0;
    c->nwait = 0;
    c->epoch = 0;
    c->head = NULL;
    c->tail = NULL;
    c->self = c;
}

/* ---- the queue, under c->mu ---- */

static void gs__cond_enqueue(gs_cond *c, gs__cond_waiter *w) GS_REQUIRES(c->mu) {
    gs__cond_waiter *tail = (gs__cond_waiter *)c->tail;
    w->epoch = c->epoch;
    w->next = NULL;
    w->prev = tail;
    if (tail != NULL)
        tail->next = w;
    else
        c->head = w;
    c->tail = w;
    gs__store_relaxed32(&c->nwait, gs__load_relaxed32(&c->nwait) + 1);
}

static void gs__cond_unlink(gs_cond *c, gs__cond_waiter *w) GS_REQUIRES(c->mu) {
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        c->head = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    else
        c->tail = w->prev;
    gs__store_relaxed32(&c->nwait, gs__load_relaxed32(&c->nwait) - 1);
}

/* Tells w it was picked. w may be gone once the store is visible: only its address is
 * used afterwards, by the caller's wake. */
static inline void gs__cond_tell(gs__cond_waiter *w) {
    /* release: pairs with the waiter's acquire load; carries the queue writes (next) made
     * under mu before the detaching critical section. */
    gs__store_release32(&w->state, GS__COND_SIGNALLED);
}

/* Tells w and wakes its thread: only the word's address is used after the store. */
static inline void gs__cond_tell_and_wake(gs__cond_waiter *w) {
    uint32_t *word = &w->state;
    gs__cond_tell(w);
    gs__wake_one(word);
}

/* ---- wait ---- */

static bool gs__cond_wait_until(gs_cond *c, int64_t deadline_ns) {
    gs__cond_waiter w = {NULL, NULL, 0, false, GS__COND_WAITING};
    /* The locker, read now: once this waiter has told its successor (below), the Cond may
     * be freed by a waiter that returned. */
    gs_locker l = c->l;
    gs_mutex_lock(&c->mu);
    gs__cond_enqueue(c, &w);
    gs_mutex_unlock(&c->mu);
    gs_locker_unlock(l);

    bool signalled = true;
    for (;;) {
        /* acquire: pairs with gs__cond_tell; after it, w.next is the chain successor. */
        if (gs__load_acquire32(&w.state) == GS__COND_SIGNALLED)
            break;
        if (gs__wait(&w.state, GS__COND_WAITING, deadline_ns, GS__TAG_ANY))
            continue;
        gs_mutex_lock(&c->mu);
        bool queued = !w.popped && w.epoch == c->epoch;
        if (queued)
            gs__cond_unlink(c, &w);
        gs_mutex_unlock(&c->mu);
        if (queued) {
            signalled = false;
            break;
        }
        deadline_ns = GS__NO_DEADLINE; /* picked: SIGNALLED is on its way */
    }

    if (signalled && w.next != NULL) {
        /* Chained by a broadcast: wake the next waiter, before relocking, so that the
         * cascade does not wait on the lock. */
        gs__cond_tell_and_wake(w.next);
    }
    gs_locker_lock(l);
    return signalled;
}

void gs_cond_wait(gs_cond *c) {
    gs__cond_ready(c, true);
    gs__cond_wait_until(c, GS__NO_DEADLINE);
}

bool gs_cond_wait_timeout(gs_cond *c, int64_t timeout_ns) {
    gs__cond_ready(c, true);
    if (timeout_ns <= 0)
        return false;
    return gs__cond_wait_until(c, gs__deadline_after(timeout_ns));
}

/* ---- signal, broadcast ---- */

void gs_cond_signal(gs_cond *c) {
    if (!gs__cond_ready(c, false))
        return;
    /* relaxed: a waiter this signal must reach queued (under mu) before unlocking the
     * locker, and that unlock happens-before this call when the condition was changed under
     * the locker; coherence then makes this load see its count. A waiter racing with the
     * signal may be missed, as in Go. */
    if (gs__load_relaxed32(&c->nwait) == 0)
        return;
    gs_mutex_lock(&c->mu);
    gs__cond_waiter *w = (gs__cond_waiter *)c->head;
    if (w != NULL) {
        gs__cond_unlink(c, w);
        w->popped = true;
        w->next = NULL;
    }
    gs_mutex_unlock(&c->mu);
    /* Told only now that mu is released: once told, w may return, and its thread may free
     * the Cond (legal when the locker was not held for this signal). */
    if (w != NULL)
        gs__cond_tell_and_wake(w);
}

void gs_cond_broadcast(gs_cond *c) {
    if (!gs__cond_ready(c, false))
        return;
    if (gs__load_relaxed32(&c->nwait) == 0) /* relaxed: as in gs_cond_signal */
        return;
    gs_mutex_lock(&c->mu);
    gs__cond_waiter *first = (gs__cond_waiter *)c->head;
    c->head = NULL;
    c->tail = NULL;
    gs__store_relaxed32(&c->nwait, 0);
    c->epoch++;
    gs_mutex_unlock(&c->mu);
    if (first != NULL) /* told after unlocking mu, as in gs_cond_signal */
        gs__cond_tell_and_wake(first);
}
