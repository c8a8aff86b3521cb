/* src/internal/profile.h: the contention profiler's hook in the slow paths.
 *
 * One line at the top of a function that only runs under contention:
 *
 *     GS__PROFILE_WAIT(lock);
 *
 * declares a scope whose end (any return) records the time spent from there to the return,
 * when this acquisition was sampled. With profiling off the cost is one relaxed load and a
 * predictable branch at entry and a test of a local at exit; uncontended paths never get
 * here. Scopes may nest (a writer's slow path waiting on its internal mutex): only the
 * outermost one counts.
 */
#ifndef GS_INTERNAL_PROFILE_H
#define GS_INTERNAL_PROFILE_H

#include "atomic.h"
#include "common.h"
#include "wait.h"

/* Sample 1 in this many contended acquisitions; 0: profiling is off. */
GS__HIDDEN extern uint32_t gs__profile_rate;

/* Whether this contended acquisition is sampled (called only while profiling is on). */
GS__HIDDEN bool gs__profile_sample(uint32_t rate);
/* Records one sampled wait of wait_ns on lock, with the caller's stack. */
GS__HIDDEN GS__NOINLINE void gs__profile_record(const void *lock, int64_t wait_ns);

/* Set while this thread is inside a profiled wait, so that a wait nested in another (an
 * rwmutex writer waiting for its internal mutex) is counted once, by the outer one. */
GS__HIDDEN extern __thread bool gs__profile_inside;

typedef struct {
    int64_t start_ns; /* 0: not sampled */
    const void *lock;
    bool outer; /* this scope set gs__profile_inside */
} gs__profile_scope;

static inline gs__profile_scope gs__profile_begin(const void *lock) {
    gs__profile_scope s = {0, lock, false};
    uint32_t rate = gs__load_relaxed32(&gs__profile_rate);
    if (GS__UNLIKELY(rate != 0) && !gs__profile_inside) {
        gs__profile_inside = s.outer = true;
        if (gs__profile_sample(rate))
            s.start_ns = gs__now_ns();
    }
    return s;
}

static inline void gs__profile_end(gs__profile_scope *s) {
    if (GS__UNLIKELY(s->outer)) {
        gs__profile_inside = false;
        if (s->start_ns != 0)
            gs__profile_record(s->lock, gs__now_ns() - s->start_ns);
    }
}

#if defined(__GNUC__)
#define GS__PROFILE_WAIT(lock)                                                                     \
    gs__profile_scope gs__profile_scope_ __attribute__((cleanup(gs__profile_end), unused)) =       \
        gs__profile_begin(lock)
#else
#define GS__PROFILE_WAIT(lock) ((void)(lock))
#endif

#endif /* GS_INTERNAL_PROFILE_H */
