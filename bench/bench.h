/* bench/bench.h: the shared pieces of gosync's benchmark harness.
 *
 * One harness (harness.c) measures every lock through one small adapter per lock
 * (adapters.c, adapter_absl.cc), the ConcurrencyKit regressions pattern: an adapter names its
 * lock type and its LOCK/UNLOCK (and RLOCK/RUNLOCK) expressions, and a macro turns them into
 * a gsb_lock_ops table. The harness never knows which lock it drives.
 *
 * This is not library code: it uses C11 atomics directly.
 */
#ifndef GSB_BENCH_H
#define GSB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gsb_kind {
    GSB_MUTEX,   /* lock/unlock only */
    GSB_RW,      /* lock/unlock and rlock/runlock */
    GSB_FLOOR,   /* the bare-atomics floor: only in the uncontended scenario */
    GSB_CEILING, /* no lock at all: only in the read-only rw case (rw/w0) */
} gsb_kind;

/* One lock implementation, as the harness sees it. The lock object lives in a block of
 * `size` bytes aligned to 128 (its own cache lines) that init prepares and destroy ends. */
typedef struct gsb_lock_ops {
    const char *name;   /* as used by --impl and in the tables */
    const char *family; /* who wrote it: pthread, gosync, nsync, ... */
    gsb_kind kind;
    bool spin_only; /* never sleeps: the spinning reference */
    size_t size;
    void (*init)(void *l);
    void (*destroy)(void *l);
    void (*lock)(void *l);
    void (*unlock)(void *l);
    void (*rlock)(void *l);   /* GSB_RW only */
    void (*runlock)(void *l); /* GSB_RW only */
    bool (*trylock)(void *l);
    /* n lock+unlock (or rlock+runlock) pairs with the adapter's own calls inlined, each
     * critical section adding 1 to *count: the uncontended scenario's loop, free of the
     * indirect calls the other scenarios pay for. */
    void (*pair_loop)(void *l, uint64_t n, volatile uint64_t *count);
    void (*rpair_loop)(void *l, uint64_t n, volatile uint64_t *count);
} gsb_lock_ops;

/* A peer that this build could not include, and how to get it. */
typedef struct gsb_absent {
    const char *name;
    const char *hint;
} gsb_absent;

/* Defined in adapters.c: every lock compiled into this build, in table order, then a
 * {NULL} entry; and the peers left out. */
extern const gsb_lock_ops *const gsb_impls[];
extern const gsb_absent gsb_absents[];

/* Defined in adapter_absl.cc when abseil is present. */
extern const gsb_lock_ops gsb_absl_mutex, gsb_absl_rw;

#define GSB_CAT_(a, b) a##b
#define GSB_CAT(a, b) GSB_CAT_(a, b)

/* Generates the ops table `gsb_<id>` for a lock type. LOCK etc. are statements using `l`
 * (a TYPE *). The generated loops let the compiler inline them, as a real caller would. */
#define GSB_COMMON_(id, TYPE, INIT, DESTROY, LOCK, UNLOCK, TRYLOCK)                                \
    static void GSB_CAT(id, _init)(void *p) {                                                      \
        TYPE *l = (TYPE *)p;                                                                       \
        (void)l;                                                                                   \
        INIT;                                                                                      \
    }                                                                                              \
    static void GSB_CAT(id, _destroy)(void *p) {                                                   \
        TYPE *l = (TYPE *)p;                                                                       \
        (void)l;                                                                                   \
        DESTROY;                                                                                   \
    }                                                                                              \
    static void GSB_CAT(id, _lock)(void *p) {                                                      \
        TYPE *l = (TYPE *)p;                                                                       \
        LOCK;                                                                                      \
    }                                                                                              \
    static void GSB_CAT(id, _unlock)(void *p) {                                                    \
        TYPE *l = (TYPE *)p;                                                                       \
        UNLOCK;                                                                                    \
    }                                                                                              \
    static bool GSB_CAT(id, _trylock)(void *p) {                                                   \
        TYPE *l = (TYPE *)p;                                                                       \
        return (TRYLOCK);                                                                          \
    }                                                                                              \
    static void GSB_CAT(id, _pair_loop)(void *p, uint64_t n, volatile uint64_t *count) {           \
        TYPE *l = (TYPE *)p;                                                                       \
        for (uint64_t i = 0; i < n; i++) {                                                         \
            LOCK;                                                                                  \
            *count += 1;                                                                           \
            UNLOCK;                                                                                \
        }                                                                                          \
    }

#define GSB_MUTEX_ADAPTER(id, NAME, FAMILY, SPIN, TYPE, INIT, DESTROY, LOCK, UNLOCK, TRYLOCK)      \
    GSB_COMMON_(id, TYPE, INIT, DESTROY, LOCK, UNLOCK, TRYLOCK)                                    \
    const gsb_lock_ops id = {NAME,                                                                 \
                             FAMILY,                                                               \
                             GSB_MUTEX,                                                            \
                             SPIN,                                                                 \
                             sizeof(TYPE),                                                         \
                             GSB_CAT(id, _init),                                                   \
                             GSB_CAT(id, _destroy),                                                \
                             GSB_CAT(id, _lock),                                                   \
                             GSB_CAT(id, _unlock),                                                 \
                             NULL,                                                                 \
                             NULL,                                                                 \
                             GSB_CAT(id, _trylock),                                                \
                             GSB_CAT(id, _pair_loop),                                              \
                             NULL};

#define GSB_RW_ADAPTER(id, NAME, FAMILY, SPIN, TYPE, INIT, DESTROY, LOCK, UNLOCK, RLOCK, RUNLOCK,  \
                       TRYLOCK)                                                                    \
    GSB_COMMON_(id, TYPE, INIT, DESTROY, LOCK, UNLOCK, TRYLOCK)                                    \
    static void GSB_CAT(id, _rlock)(void *p) {                                                     \
        TYPE *l = (TYPE *)p;                                                                       \
        RLOCK;                                                                                     \
    }                                                                                              \
    static void GSB_CAT(id, _runlock)(void *p) {                                                   \
        TYPE *l = (TYPE *)p;                                                                       \
        RUNLOCK;                                                                                   \
    }                                                                                              \
    static void GSB_CAT(id, _rpair_loop)(void *p, uint64_t n, volatile uint64_t *count) {          \
        TYPE *l = (TYPE *)p;                                                                       \
        for (uint64_t i = 0; i < n; i++) {                                                         \
            RLOCK;                                                                                 \
            *count += 1;                                                                           \
            RUNLOCK;                                                                               \
        }                                                                                          \
    }                                                                                              \
    const gsb_lock_ops id = {NAME,                                                                 \
                             FAMILY,                                                               \
                             GSB_RW,                                                               \
                             SPIN,                                                                 \
                             sizeof(TYPE),                                                         \
                             GSB_CAT(id, _init),                                                   \
                             GSB_CAT(id, _destroy),                                                \
                             GSB_CAT(id, _lock),                                                   \
                             GSB_CAT(id, _unlock),                                                 \
                             GSB_CAT(id, _rlock),                                                  \
                             GSB_CAT(id, _runlock),                                                \
                             GSB_CAT(id, _trylock),                                                \
                             GSB_CAT(id, _pair_loop),                                              \
                             GSB_CAT(id, _rpair_loop)};

#ifdef __cplusplus
}
#endif

#endif /* GSB_BENCH_H */
