/* src/internal/book.h: the lock and the memory of gosync's own bookkeeping (the debug
 * checker, the profiler, the race-detector shim), kept invisible to race detectors.
 *
 * A race detector that saw the bookkeeping lock would find every thread that passes through
 * it synchronized with every other, and real races in the program would go unreported. So:
 *   - in TSan builds the lock is a pthread mutex, taken inside an ignore region
 *     (GS__TSAN_IGNORE_BEGIN/END): no happens-before from it, no checks of what it guards;
 *   - in valgrind builds (GOSYNC_VALGRIND) it is a spinlock on an atomic word, which helgrind
 *     and DRD do not treat as synchronization, and the memory it guards is allocated through
 *     gs__book_* and marked untracked (helgrind) and suppressed (DRD);
 *   - elsewhere, a pthread mutex and plain malloc.
 * The bookkeeping's own statics are passed to gs__book_untracked before use.
 */
#ifndef GS_INTERNAL_BOOK_H
#define GS_INTERNAL_BOOK_H

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

#include "atomic.h"
#include "sanitizer.h"

#if defined(GOSYNC_VALGRIND)
#include <sched.h>
#include <valgrind/drd.h>
#include <valgrind/helgrind.h>

/* Accesses to [addr, addr + size) are no race detector's business. */
#define GS__VG_UNTRACKED(addr, size)                                                               \
    do {                                                                                           \
        VALGRIND_HG_DISABLE_CHECKING(addr, size);                                                  \
        VALGRIND_DO_CLIENT_REQUEST_STMT(VG_USERREQ__DRD_START_SUPPRESSION, addr, size, 0, 0, 0);   \
    } while (0)

typedef struct {
    uint32_t word;
} gs__book;
#define GS__BOOK_INIT                                                                              \
    { 0 }

static inline void *gs__book_untracked(void *p, size_t n) {
    if (p)
        GS__VG_UNTRACKED(p, n);
    return p;
}

static inline void gs__book_lock(gs__book *b) {
    gs__book_untracked(b, sizeof *b);
    while (gs__exchange_acquire32(&b->word, 1))
        sched_yield(); /* valgrind runs one thread at a time: let the holder run */
}

static inline void gs__book_unlock(gs__book *b) { gs__store_release32(&b->word, 0); }

#else
typedef struct {
    pthread_mutex_t m;
} gs__book;
#define GS__BOOK_INIT                                                                              \
    { PTHREAD_MUTEX_INITIALIZER }

static inline void *gs__book_untracked(void *p, size_t n) {
    (void)n;
    return p;
}

static inline void gs__book_lock(gs__book *b) {
    GS__TSAN_IGNORE_BEGIN();
    pthread_mutex_lock(&b->m);
}

static inline void gs__book_unlock(gs__book *b) {
    pthread_mutex_unlock(&b->m);
    GS__TSAN_IGNORE_END();
}
#endif

static inline void *gs__book_malloc(size_t n) { return gs__book_untracked(malloc(n), n); }
static inline void *gs__book_calloc(size_t k, size_t n) {
    return gs__book_untracked(calloc(k, n), k * n);
}
static inline void *gs__book_realloc(void *p, size_t n) {
    return gs__book_untracked(realloc(p, n), n);
}

#endif /* GS_INTERNAL_BOOK_H */
