/* bench/adapters.c: one small adapter per lock in C (abseil's is in adapter_absl.cc).
 *
 * Each adapter is one GSB_*_ADAPTER line: the lock's type and its init, destroy, lock, unlock
 * (rlock, runlock) and trylock expressions on `l`. Peers are compiled in when CMake found
 * them (GSB_HAVE_*); the ones left out are listed in gsb_absents with the package to install.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>

#include <gosync.h>

#if GSB_HAVE_C11_MTX
#include <threads.h>
#endif
#if GSB_HAVE_NSYNC
#include <nsync.h>
#endif
#if GSB_HAVE_CK
#include <ck_rwlock.h>
#include <ck_spinlock.h>
#endif

/* ---- pthread ---- */

GSB_MUTEX_ADAPTER(gsb_pthread, "pthread", "glibc", false, pthread_mutex_t,
                  pthread_mutex_init(l, NULL), pthread_mutex_destroy(l), pthread_mutex_lock(l),
                  pthread_mutex_unlock(l), pthread_mutex_trylock(l) == 0)

#if GSB_HAVE_PTHREAD_ADAPTIVE
static void gsb_adaptive_init(pthread_mutex_t *l) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(l, &a);
    pthread_mutexattr_destroy(&a);
}
GSB_MUTEX_ADAPTER(gsb_pthread_adaptive, "pthread_adaptive", "glibc", false, pthread_mutex_t,
                  gsb_adaptive_init(l), pthread_mutex_destroy(l), pthread_mutex_lock(l),
                  pthread_mutex_unlock(l), pthread_mutex_trylock(l) == 0)
#endif

#if GSB_HAVE_C11_MTX
GSB_MUTEX_ADAPTER(gsb_c11_mtx, "mtx_t", "glibc", false, mtx_t, mtx_init(l, mtx_plain),
                  mtx_destroy(l), mtx_lock(l), mtx_unlock(l), mtx_trylock(l) == thrd_success)
#endif

GSB_RW_ADAPTER(gsb_pthread_rw, "pthread_rw", "glibc", false, pthread_rwlock_t,
               pthread_rwlock_init(l, NULL), pthread_rwlock_destroy(l), pthread_rwlock_wrlock(l),
               pthread_rwlock_unlock(l), pthread_rwlock_rdlock(l), pthread_rwlock_unlock(l),
               pthread_rwlock_trywrlock(l) == 0)

#if GSB_HAVE_PTHREAD_RW_WP
static void gsb_rw_wp_init(pthread_rwlock_t *l) {
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(l, &a);
    pthread_rwlockattr_destroy(&a);
}
GSB_RW_ADAPTER(gsb_pthread_rw_wp, "pthread_rw_wp", "glibc", false, pthread_rwlock_t,
               gsb_rw_wp_init(l), pthread_rwlock_destroy(l), pthread_rwlock_wrlock(l),
               pthread_rwlock_unlock(l), pthread_rwlock_rdlock(l), pthread_rwlock_unlock(l),
               pthread_rwlock_trywrlock(l) == 0)
#endif

/* ---- nsync ---- */

#if GSB_HAVE_NSYNC
GSB_MUTEX_ADAPTER(gsb_nsync, "nsync", "nsync", false, nsync_mu, nsync_mu_init(l), (void)0,
                  nsync_mu_lock(l), nsync_mu_unlock(l), nsync_mu_trylock(l) != 0)
GSB_RW_ADAPTER(gsb_nsync_rw, "nsync_rw", "nsync", false, nsync_mu, nsync_mu_init(l), (void)0,
               nsync_mu_lock(l), nsync_mu_unlock(l), nsync_mu_rlock(l), nsync_mu_runlock(l),
               nsync_mu_trylock(l) != 0)
#endif

/* ---- ConcurrencyKit: spin only ---- */

#if GSB_HAVE_CK
/* An MCS lock queues a per-acquisition node; the bench holds one lock at a time per thread,
 * so one node per thread is enough. */
static __thread ck_spinlock_mcs_context_t gsb_mcs_node;
static inline void gsb_mcs_lock(ck_spinlock_mcs_t *l) { ck_spinlock_mcs_lock(l, &gsb_mcs_node); }
static inline void gsb_mcs_unlock(ck_spinlock_mcs_t *l) {
    ck_spinlock_mcs_unlock(l, &gsb_mcs_node);
}
static inline bool gsb_mcs_trylock(ck_spinlock_mcs_t *l) {
    return ck_spinlock_mcs_trylock(l, &gsb_mcs_node);
}
GSB_MUTEX_ADAPTER(gsb_ck_mcs, "ck_mcs", "ck", true, ck_spinlock_mcs_t, ck_spinlock_mcs_init(l),
                  (void)0, gsb_mcs_lock(l), gsb_mcs_unlock(l), gsb_mcs_trylock(l))
GSB_RW_ADAPTER(gsb_ck_rw, "ck_rwlock", "ck", true, ck_rwlock_t, ck_rwlock_init(l), (void)0,
               ck_rwlock_write_lock(l), ck_rwlock_write_unlock(l), ck_rwlock_read_lock(l),
               ck_rwlock_read_unlock(l), ck_rwlock_write_trylock(l))
#endif

/* ---- gosync ---- */

/* gs_mutex_lock/unlock are the header's inline fast paths here (no GS_DEBUG), as in any
 * program that includes <gosync.h>. */
GSB_MUTEX_ADAPTER(gsb_gs_mutex, "gs_mutex", "gosync", false, gs_mutex, (void)0, (void)0,
                  gs_mutex_lock(l), gs_mutex_unlock(l), gs_mutex_trylock(l))
GSB_MUTEX_ADAPTER(gsb_gs_rwmutex_w, "gs_rwmutex_w", "gosync", false, gs_rwmutex, (void)0, (void)0,
                  gs_rwmutex_lock(l), gs_rwmutex_unlock(l), gs_rwmutex_trylock(l))
/* The waiter-queue prototype (bench/scratch/qmu.h; docs/PERFORMANCE.md, "2026-11-27"), only
 * in builds configured with -DGOSYNC_BENCH_PROTOTYPES=ON: not gosync code, not in make bench. */
#if GSB_WITH_QMU
#include "scratch/qmu.h"
GSB_MUTEX_ADAPTER(gsb_qmu, "qmu", "prototype", false, qmu, (void)0, (void)0, qmu_lock(l),
                  qmu_unlock(l), qmu_trylock(l))
#endif
GSB_RW_ADAPTER(gsb_gs_rwmutex, "gs_rwmutex", "gosync", false, gs_rwmutex, (void)0, (void)0,
               gs_rwmutex_lock(l), gs_rwmutex_unlock(l), gs_rwmutex_rlock(l), gs_rwmutex_runlock(l),
               gs_rwmutex_trylock(l))

/* ---- the floor: what one acquire and one release cost on this CPU ---- */

/* A compare-and-swap to take a private word and an exchange to give it back: the least any
 * lock can do. Only measured uncontended. */
typedef _Atomic uint32_t gsb_floor_word;
static inline bool gsb_floor_try(gsb_floor_word *w) {
    uint32_t z = 0;
    return atomic_compare_exchange_strong_explicit(w, &z, 1, memory_order_acquire,
                                                   memory_order_relaxed);
}
static inline void gsb_floor_acquire(gsb_floor_word *w) {
    while (!gsb_floor_try(w))
        ;
}
GSB_COMMON_(gsb_floor, gsb_floor_word, atomic_init(l, 0), (void)0, gsb_floor_acquire(l),
            atomic_exchange_explicit(l, 0, memory_order_release), gsb_floor_try(l))
const gsb_lock_ops gsb_floor = {"floor",
                                "bench",
                                GSB_FLOOR,
                                true,
                                sizeof(gsb_floor_word),
                                gsb_floor_init,
                                gsb_floor_destroy,
                                gsb_floor_lock,
                                gsb_floor_unlock,
                                NULL,
                                NULL,
                                gsb_floor_trylock,
                                gsb_floor_pair_loop,
                                NULL};

/* ---- the ceiling: the read-only rw cell with no lock at all ---- */

/* rlock and runlock do nothing but stop the compiler from moving the record's reads across
 * them. Run only in rw/w0, where nobody writes, so the harness's torn-read check still holds:
 * what the loop itself can do on this machine, which no lock can beat. */
typedef struct {
    int unused;
} gsb_no_lock;
static inline void gsb_no_lock_step(gsb_no_lock *l) {
    (void)l;
    __asm__ __volatile__("" ::: "memory");
}
GSB_COMMON_(gsb_ceiling, gsb_no_lock, (void)0, (void)0, gsb_no_lock_step(l), gsb_no_lock_step(l),
            (gsb_no_lock_step(l), true))
static void gsb_ceiling_rlock(void *p) { gsb_no_lock_step(p); }
static void gsb_ceiling_runlock(void *p) { gsb_no_lock_step(p); }
static void gsb_ceiling_rpair_loop(void *p, uint64_t n, volatile uint64_t *count) {
    for (uint64_t i = 0; i < n; i++) {
        gsb_no_lock_step(p);
        *count += 1;
        gsb_no_lock_step(p);
    }
}
const gsb_lock_ops gsb_ceiling = {"no_lock",
                                  "bench",
                                  GSB_CEILING,
                                  false,
                                  sizeof(gsb_no_lock),
                                  gsb_ceiling_init,
                                  gsb_ceiling_destroy,
                                  gsb_ceiling_lock,
                                  gsb_ceiling_unlock,
                                  gsb_ceiling_rlock,
                                  gsb_ceiling_runlock,
                                  gsb_ceiling_trylock,
                                  gsb_ceiling_pair_loop,
                                  gsb_ceiling_rpair_loop};

/* ---- the registry ---- */

const gsb_lock_ops *const gsb_impls[] = {
    &gsb_pthread,
#if GSB_HAVE_PTHREAD_ADAPTIVE
    &gsb_pthread_adaptive,
#endif
#if GSB_HAVE_C11_MTX
    &gsb_c11_mtx,
#endif
#if GSB_HAVE_NSYNC
    &gsb_nsync,
#endif
#if GSB_HAVE_ABSL
    &gsb_absl_mutex,
#endif
#if GSB_HAVE_CK
    &gsb_ck_mcs,
#endif
    &gsb_gs_mutex,
    &gsb_gs_rwmutex_w,
#if GSB_WITH_QMU
    &gsb_qmu,
#endif
    &gsb_floor,
    &gsb_pthread_rw,
#if GSB_HAVE_PTHREAD_RW_WP
    &gsb_pthread_rw_wp,
#endif
#if GSB_HAVE_NSYNC
    &gsb_nsync_rw,
#endif
#if GSB_HAVE_ABSL
    &gsb_absl_rw,
#endif
#if GSB_HAVE_CK
    &gsb_ck_rw,
#endif
    &gsb_gs_rwmutex,
    &gsb_ceiling,
    NULL,
};

const gsb_absent gsb_absents[] = {
#if !GSB_HAVE_PTHREAD_ADAPTIVE
    {"pthread_adaptive", "PTHREAD_MUTEX_ADAPTIVE_NP needs glibc"},
#endif
#if !GSB_HAVE_C11_MTX
    {"mtx_t", "C11 <threads.h> needs glibc >= 2.28"},
#endif
#if !GSB_HAVE_PTHREAD_RW_WP
    {"pthread_rw_wp", "PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP needs glibc"},
#endif
#if !GSB_HAVE_NSYNC
    {"nsync", "apt-get install libnsync-dev (scripts/install-peers.sh), then reconfigure"},
#endif
#if !GSB_HAVE_ABSL
    {"absl", "apt-get install libabsl-dev g++ (scripts/install-peers.sh), then reconfigure"},
#endif
#if !GSB_HAVE_CK
    {"ck", "apt-get install libck-dev (scripts/install-peers.sh), then reconfigure"},
#endif
    {NULL, NULL},
};
