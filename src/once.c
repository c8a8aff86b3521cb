/* src/once.c: gs_once, Go's sync.Once, on one 32-bit futex word.
 *
 * State word (gs_once.state), one of:
 *
 *   NOT_RUN   0  fn has not been called
 *   RUNNING   1  a thread is inside fn (its id in gs_once.owner); nobody sleeps on the word
 *   SLEEPERS  2  as RUNNING, and some thread sleeps on the word (or is about to)
 *   DONE      3  fn has returned or escaped; final (GS__ONCE_DONE in gosync/once.h)
 *
 * Transitions:
 *   NOT_RUN -> RUNNING         the runner's CAS; it then sets owner, records the call (below)
 *                              and calls fn
 *   RUNNING -> SLEEPERS        a waiter's CAS, before it sleeps on the word expecting SLEEPERS
 *   RUNNING|SLEEPERS -> DONE   one exchange (release), by the runner's thread: after fn
 *                              returns, or when it finds that fn escaped ((a), (b), (c)
 *                              below); it wakes all if it replaced SLEEPERS
 *
 * Invariants the code relies on:
 *   - DONE is never left, so the fast path (an acquire load that sees DONE, pairing with the
 *     release exchange) needs no further check.
 *   - A thread sleeps only on SLEEPERS, and whoever stores DONE over SLEEPERS wakes all: no
 *     sleeper is missed. After the exchange only gs__wake is called: a thread that sees DONE
 *     may free the Once at once (as long as no gs_once_do(o) call of its own is running).
 *   - owner is written only by the runner, after its CAS; a thread that reads its own id
 *     there is the runner, so it is either inside fn (recursion) or fn escaped.
 *
 * Escapes (longjmp or pthread_exit out of fn). Each thread keeps a list of the calls of fn
 * it has started and not finished: the Once, the frame address of the gs__once_do_slow that
 * called fn, and a volatile word in that frame holding a token unique to the call. A call's
 * frame is gone, and fn escaped, when
 *   (a) the token is no longer in its word (the stack was reused), or
 *   (b) the thread is back in gs__once_do_slow for the same Once at a frame as shallow as
 *       the recorded one or shallower (a live recorded frame would be an ancestor, deeper
 *       calls having lower addresses);
 *   (c) the thread exits (a pthread key destructor: no frame of it is alive then).
 * (a) is checked for every recorded call whenever the thread enters the slow path and
 * after each fn returns, and never declares a live frame dead. (b) is checked only for the
 * Once being entered, whose runner is this thread, because with user-level stack switching
 * it could misjudge a live frame on another stack; for that one Once the alternative is a
 * certain deadlock. A call that passes neither test is recursion: fatal. Reading a dead
 * frame's word is done with sanitizers off: it is this thread's own stack, mapped for as
 * long as the thread lives.
 */
#include <gosync/once.h>

#include <pthread.h>
#include <stdlib.h>

#include "internal/atomic.h"
#include "internal/common.h"
#include "internal/wait.h"

#undef gs_once_do

enum {
    GS__ONCE_NOT_RUN = 0,
    GS__ONCE_RUNNING = 1,
    GS__ONCE_SLEEPERS = 2,
};
_Static_assert(GS__ONCE_DONE == 3, "GS__ONCE_DONE follows the other states");

/* ---- the calls of fn this thread has started and not finished ---- */

typedef struct gs__once_call {
    gs_once *once;
    uintptr_t frame;                 /* __builtin_frame_address(0) of its gs__once_do_slow */
    const volatile uint64_t *marker; /* a word in that frame ... */
    uint64_t token;                  /* ... that holds this while the frame is alive */
} gs__once_call;

/* Calls nested this deep need no allocation. */
#define GS__ONCE_SMALL 8

typedef struct gs__once_thread {
    uint32_t id;          /* this thread's owner id, 0 until first needed */
    uint32_t n, cap;      /* calls recorded in calls[], room in calls[] */
    bool exit_hook;       /* registered with gs__once_key, so that (c) above runs */
    uint64_t started;     /* calls of fn started by this thread, for the tokens */
    gs__once_call *calls; /* small[] or, when more are nested, a malloc'ed array */
    gs__once_call small[GS__ONCE_SMALL];
} gs__once_thread;

static _Thread_local gs__once_thread gs__once_self;
static uint32_t gs__once_last_id; /* ids handed out so far */
static pthread_once_t gs__once_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t gs__once_key;

static uint32_t gs__once_thread_id(gs__once_thread *self) {
    while (self->id == 0) /* 0 means "none": skip it when the counter wraps */
        self->id = gs__fetch_add_relaxed32(&gs__once_last_id, 1) + 1;
    return self->id;
}

/* Reads a recorded marker word, which may lie in a dead frame (see the top comment). */
static GS__NO_SANITIZE GS__NOINLINE uint64_t gs__once_peek(const volatile uint64_t *marker) {
    return *marker;
}

/* Marks o done and releases its waiters. The Once may be freed by another thread as soon
 * as the exchange is visible, so only gs__wake follows it. */
static void gs__once_finish(gs_once *o) {
    uint32_t *word = &o->state;
    /* release: fn's writes (or those made before it escaped) happen-before every acquire
     * load that sees DONE. */
    uint32_t old = gs__exchange_release32(word, GS__ONCE_DONE);
    if (old == GS__ONCE_SLEEPERS)
        gs__wake_all(word);
}

static void gs__once_forget(gs__once_thread *self, uint32_t i) {
    self->calls[i] = self->calls[--self->n];
    if (self->n == 0 && self->calls != self->small) {
        free(self->calls);
        self->calls = self->small;
        self->cap = GS__ONCE_SMALL;
    }
}

/* (c): the thread exits, so every call it still records has escaped. */
static void gs__once_thread_exit(void *p) {
    gs__once_thread *self = (gs__once_thread *)p;
    while (self->n > 0) {
        gs__once_finish(self->calls[self->n - 1].once);
        gs__once_forget(self, self->n - 1);
    }
}

static void gs__once_make_key(void) {
    if (pthread_key_create(&gs__once_key, gs__once_thread_exit) != 0)
        gs__fatal("Once: pthread_key_create failed");
}

static void gs__once_remember(gs__once_thread *self, gs__once_call call) {
    if (self->calls == NULL) {
        self->calls = self->small;
        self->cap = GS__ONCE_SMALL;
    }
    if (!self->exit_hook) {
        pthread_once(&gs__once_key_once, gs__once_make_key);
        if (pthread_setspecific(gs__once_key, self) != 0)
            gs__fatal("Once: pthread_setspecific failed");
        self->exit_hook = true;
    }
    if (self->n == self->cap) {
        uint32_t cap = self->cap ? self->cap * 2 : GS__ONCE_SMALL;
        gs__once_call *calls = (gs__once_call *)malloc(cap * sizeof *calls);
        if (calls == NULL)
            gs__fatal("Once: out of memory");
        for (uint32_t i = 0; i < self->n; i++)
            calls[i] = self->calls[i];
        if (self->calls != self->small)
            free(self->calls);
        self->calls = calls;
        self->cap = cap;
    }
    self->calls[self->n++] = call;
}

/* (a): finishes every recorded call whose token has been overwritten. */
static void gs__once_reap(gs__once_thread *self) {
    for (uint32_t i = self->n; i-- > 0;) {
        gs__once_call *c = &self->calls[i];
        if (gs__once_peek(c->marker) != c->token) {
            gs__once_finish(c->once);
            gs__once_forget(self, i);
        }
    }
}

/* This thread is o's runner and is back in gs_once_do(o) at `frame`: fn escaped, or this is
 * recursion. */
static void gs__once_settle(gs__once_thread *self, gs_once *o, uintptr_t frame) {
    for (uint32_t i = self->n; i-- > 0;) {
        gs__once_call *c = &self->calls[i];
        if (c->once != o)
            continue;
        /* The token test (a) already ran on entry. Stacks grow downwards: a live recorded
         * frame would be strictly above this one. */
        if (frame >= c->frame) {
            gs__once_finish(o);
            gs__once_forget(self, i);
            return;
        }
        break;
    }
    gs__fatal("recursive Once.Do");
}

static void gs__once_run(gs__once_thread *self, gs_once *o, void (*fn)(void *), void *arg,
                         uintptr_t frame, volatile uint64_t *marker) {
    gs__store_relaxed32(&o->owner, gs__once_thread_id(self));
    /* A token no other call of this thread uses, and unlike the small integers and addresses
     * that stale stack words usually hold. */
    uint64_t token =
        (((uint64_t)self->id << 32) | (uint32_t)++self->started) ^ (uint64_t)0x9e3779b97f4a7c15ull;
    *marker = token;
    gs__once_call call = {o, frame, marker, token};
    gs__once_remember(self, call);

    fn(arg);

    for (uint32_t i = self->n; i-- > 0;) {
        if (self->calls[i].marker == marker && self->calls[i].once == o) {
            gs__once_forget(self, i);
            break;
        }
    }
    *marker = 0;
    /* Calls nested in fn that escaped into fn have left their tokens to be overwritten. */
    if (self->n > 0)
        gs__once_reap(self);
    gs__once_finish(o);
}

GS__NOINLINE void gs__once_do_slow(gs_once *o, void (*fn)(void *), void *arg) {
    /* This call's marker word and frame: they identify it if it becomes the runner. Writing
     * the marker also overwrites the token of an escaped call made at this same depth. */
    volatile uint64_t marker = 0;
    uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
    gs__once_thread *self = &gs__once_self;
    if (self->n > 0)
        gs__once_reap(self);

    uint32_t *word = &o->state;
    /* acquire: pairs with the release exchange that stored DONE (fn's writes are visible). */
    uint32_t s = gs__load_acquire32(word);
    for (;;) {
        if (s == GS__ONCE_DONE)
            return;
        if (s == GS__ONCE_NOT_RUN) {
            /* relaxed: the runner reads nothing published through the Once. */
            if (gs__cas_relaxed32(word, &s, GS__ONCE_RUNNING)) {
                gs__once_run(self, o, fn, arg, frame, &marker);
                return;
            }
            s = gs__load_acquire32(word);
            continue;
        }
        if (gs__load_relaxed32(&o->owner) == gs__once_thread_id(self)) {
            gs__once_settle(self, o, frame); /* finishes o, or dies: recursion */
            return;
        }
        if (s == GS__ONCE_RUNNING && !gs__cas_relaxed32(word, &s, GS__ONCE_SLEEPERS)) {
            s = gs__load_acquire32(word);
            continue;
        }
        gs__wait(word, GS__ONCE_SLEEPERS, GS__NO_DEADLINE, GS__TAG_ANY);
        s = gs__load_acquire32(word);
    }
}

void(gs_once_do)(gs_once *o, void (*fn)(void *), void *arg) {
    if (GS__LIKELY(gs__load_acquire32(&o->state) == GS__ONCE_DONE))
        return;
    gs__once_do_slow(o, fn, arg);
}
