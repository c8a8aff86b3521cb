/* bench/scratch/qmu.h: a research prototype, not gosync code. A mutex whose waiters queue
 * as per-thread records, to measure what a starvation mode costs when a handoff names the
 * thread it serves (docs/PERFORMANCE.md, "2026-11-27: a queue of waiter records").
 *
 * Word: LOCKED (held, or handed over and not yet returned to by its new owner), QSPIN (the
 * queue's spinlock), QWAITING (the queue is not empty), QDESIG (a dequeued waiter has been
 * woken and will look at the word again: unlocks need not wake another).
 *
 *   lock        barge if !LOCKED; else take QSPIN, enqueue (a thread that has been woken
 *               before goes to the front, keeping its age; a new one to the back), drop
 *               QSPIN, sleep on its own record until it is woken or handed the lock
 *   unlock      !QWAITING or QDESIG: clear LOCKED, wake nobody, unless a handoff is due
 *               (below); else take QSPIN, dequeue the head, set QDESIG, clear LOCKED, wake it
 *   handoff     the unlocks that see QWAITING read the clock one in 8 (as src/mutex.c); when
 *               the last handoff was over GAP ago, the unlock takes QSPIN and, if the head
 *               has waited over STARVE, dequeues it and hands it the lock: LOCKED stays set,
 *               the record says "handed", and nobody else can take it
 *   woken       a woken waiter that finds the lock taken again goes back to the front and
 *               clears QDESIG (nsync's rule), or with -DQ_POLL keeps QDESIG and re-queues
 *               at the front, sleeping at most POLL before it looks again (gosync's rule)
 *
 * Records live on the waiting thread's stack; a record is written by the unlocker only
 * while the waiter sleeps on it, and woken by address after the final store (a stale wake
 * is a spurious one for whoever sleeps there next). Not model-checked; no timeouts, no
 * trylock; x86-64 Linux only. Build: mtest.c with -DUSE_QMU. Knobs: Q_GAP_NS, Q_STARVE_NS,
 * Q_POLL (and Q_POLL_NS), Q_STRIDE (clock reads), Q_SPIN_ALWAYS, Q_SPIN_ADAPT (with
 * Q_SPIN_WOKEN, woken waiters spin too), Q_COUNT (slow-path counters at exit). */
#ifndef QMU_H
#define QMU_H
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef Q_STARVE_NS
#define Q_STARVE_NS 1000000
#endif
#ifndef Q_GAP_NS
#define Q_GAP_NS 100000
#endif
#ifndef Q_STRIDE
#define Q_STRIDE 64
#endif
#ifndef Q_POLL_NS
#define Q_POLL_NS 50000
#endif

#ifdef Q_COUNT
#include <stdio.h>
#include <stdlib.h>
static _Atomic long qc_slow_lock, qc_slow_unlock, qc_wake, qc_hand, qc_sleep, qc_spinq;
static void qc_print(void) {
    fprintf(stderr, "slow_lock %ld slow_unlock %ld wakes %ld handoffs %ld sleeps %ld qspin_takes %ld\n",
            qc_slow_lock, qc_slow_unlock, qc_wake, qc_hand, qc_sleep, qc_spinq);
}
__attribute__((constructor)) static void qc_init(void) { atexit(qc_print); }
#define QC(x) atomic_fetch_add_explicit(&(x), 1, memory_order_relaxed)
#else
#define QC(x) ((void)0)
#endif
enum { QLOCKED = 1, QSPIN = 2, QWAITING = 4, QDESIG = 8 };
enum { QREC_WAIT = 0, QREC_WOKEN = 1, QREC_HANDED = 2 };

typedef struct qrec {
    _Atomic uint32_t state;
    struct qrec *next, *prev;
    int64_t since;
} qrec;

typedef struct {
    _Atomic uint32_t word;
    qrec *head, *tail;        /* under QSPIN */
    int64_t next_check;       /* when a handoff may next be due; written by lock holders */
    int64_t checked_at;
    uint32_t unlocks, stride;
    _Alignas(64) _Atomic int spin_score; /* Q_SPIN_ADAPT, written by arriving threads */
    _Atomic uint32_t probe;
} qmu;

static inline int64_t q_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static inline void q_wait(_Atomic uint32_t *a, uint32_t v, int64_t rel_ns) {
    struct timespec ts, *tsp = 0;
    if (rel_ns > 0) {
        ts.tv_sec = rel_ns / 1000000000;
        ts.tv_nsec = rel_ns % 1000000000;
        tsp = &ts;
    }
    syscall(SYS_futex, a, FUTEX_WAIT_PRIVATE, v, tsp, 0, 0);
}

static inline void q_wake(_Atomic uint32_t *a) { syscall(SYS_futex, a, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0); }

/* Takes QSPIN; returns the word with QSPIN set. */
static inline uint32_t q_spin_acquire(qmu *m) {
    for (;;) {
        uint32_t w = atomic_load_explicit(&m->word, memory_order_relaxed);
        if (!(w & QSPIN) &&
            atomic_compare_exchange_weak_explicit(&m->word, &w, w | QSPIN, memory_order_acquire,
                                                  memory_order_relaxed))
            return w | QSPIN;
        __builtin_ia32_pause();
    }
}

static inline qrec *q_pop(qmu *m) {
    qrec *h = m->head;
    m->head = h->next;
    if (m->head)
        m->head->prev = 0;
    else
        m->tail = 0;
    return h;
}

static inline void q_push(qmu *m, qrec *r, int front) {
    r->next = r->prev = 0;
    if (!m->head) {
        m->head = m->tail = r;
    } else if (front) {
        r->next = m->head;
        m->head->prev = r;
        m->head = r;
    } else {
        r->prev = m->tail;
        m->tail->next = r;
        m->tail = r;
    }
}

static inline void q_unlink(qmu *m, qrec *r) {
    if (r->prev) r->prev->next = r->next; else m->head = r->next;
    if (r->next) r->next->prev = r->prev; else m->tail = r->prev;
}

static void qmu_lock_slow(qmu *m) {
    qrec me;
    QC(qc_slow_lock);
    me.since = 0; /* read the clock only when we first queue */
    int woken = 0;
#ifdef Q_SPIN_ADAPT
    int spin_ok = 0, spun_behind = 0;
#endif
    for (int spins = 0;; spins++) {
        uint32_t w = atomic_load_explicit(&m->word, memory_order_relaxed);
        if (!(w & QLOCKED)) {
            uint32_t next = (w | QLOCKED) & ~(woken ? QDESIG : 0);
            if (atomic_compare_exchange_weak_explicit(&m->word, &w, next, memory_order_acquire,
                                                      memory_order_relaxed)) {
#ifdef Q_SPIN_ADAPT
                if (spun_behind) {
                    int sc = atomic_load_explicit(&m->spin_score, memory_order_relaxed);
                    if (sc < 16)
                        atomic_store_explicit(&m->spin_score, sc + 1, memory_order_relaxed);
                }
#endif
                return;
            }
            continue;
        }
#ifdef Q_SPIN_ALWAYS
        if (!woken && spins < 12) { /* spin before queueing, even behind a queue */
#elif defined(Q_SPIN_ADAPT)
        /* Spin behind a queue only while spinning has been paying off on this mutex (a
         * score raised by spins that got the lock, lowered by spins that queued anyway);
         * one arrival in 32 spins regardless, to notice when it would pay again. */
#ifdef Q_SPIN_WOKEN
#define Q_SPINNER 1
#else
#define Q_SPINNER (!woken)
#endif
        if (spins == 0 && Q_SPINNER)
            spin_ok = (!woken && !(w & QWAITING)) || atomic_load_explicit(&m->spin_score, memory_order_relaxed) > 0 ||
                      (atomic_fetch_add_explicit(&m->probe, 1, memory_order_relaxed) & 31) == 0;
        if (spins == 12 && Q_SPINNER && spun_behind) {
            int sc = atomic_load_explicit(&m->spin_score, memory_order_relaxed);
            atomic_store_explicit(&m->spin_score, sc > 2 ? sc - 2 : 0, memory_order_relaxed);
            spun_behind = 0;
        }
        if (Q_SPINNER && spin_ok && spins < 12) {
            if ((w & QWAITING) || woken)
                spun_behind = 1;
#else
        if (!woken && !(w & QWAITING) && spins < 12) { /* spin only while nobody queues */
#endif
            for (int k = 0; k < (1 << (spins < 4 ? spins : 4)); k++)
                __builtin_ia32_pause();
            continue;
        }
        if (w & QSPIN) {
            __builtin_ia32_pause();
            continue;
        }
        uint32_t clear = 0;
#ifndef Q_POLL
        if (woken)
            clear = QDESIG; /* nsync's rule: the role ends when the woken waiter queues again */
#endif
        uint32_t next = (w | QSPIN | QWAITING) & ~clear;
        if (!atomic_compare_exchange_weak_explicit(&m->word, &w, next, memory_order_acquire,
                                                   memory_order_relaxed))
            continue;
        if (!me.since)
            me.since = q_now();
        atomic_store_explicit(&me.state, QREC_WAIT, memory_order_relaxed);
        q_push(m, &me, woken);
        /* Drop QSPIN with a CAS: an unlocker may change LOCKED meanwhile. */
        uint32_t cur = atomic_load_explicit(&m->word, memory_order_relaxed);
        while (!atomic_compare_exchange_weak_explicit(&m->word, &cur, cur & ~QSPIN,
                                                      memory_order_release, memory_order_relaxed))
            ;
#ifdef Q_POLL
        if (woken) {
            /* Keep the role: sleep at most Q_POLL_NS, then look; leave the queue first. */
            for (;;) {
                if (atomic_load_explicit(&me.state, memory_order_acquire) != QREC_WAIT)
                    break;
                q_wait(&me.state, QREC_WAIT, Q_POLL_NS);
                if (atomic_load_explicit(&me.state, memory_order_acquire) != QREC_WAIT)
                    break;
                uint32_t x = atomic_load_explicit(&m->word, memory_order_relaxed);
                if (!(x & QLOCKED) || !(x & QDESIG)) {
                    /* Free, or the role is gone: leave the queue and compete (unless an
                     * unlocker dequeued us meanwhile: then its store decides). */
                    q_spin_acquire(m);
                    int still = atomic_load_explicit(&me.state, memory_order_relaxed) == QREC_WAIT;
                    if (still) {
                        q_unlink(m, &me);
                        atomic_store_explicit(&me.state, QREC_WOKEN, memory_order_relaxed);
                    }
                    uint32_t c = atomic_load_explicit(&m->word, memory_order_relaxed);
                    uint32_t n;
                    do {
                        n = c & ~QSPIN;
                        if (!m->head)
                            n &= ~QWAITING;
                    } while (!atomic_compare_exchange_weak_explicit(
                        &m->word, &c, n, memory_order_release, memory_order_relaxed));
                    break;
                }
            }
        } else
#endif
            while (atomic_load_explicit(&me.state, memory_order_acquire) == QREC_WAIT) {
                QC(qc_sleep);
                q_wait(&me.state, QREC_WAIT, 0);
            }
        if (atomic_load_explicit(&me.state, memory_order_acquire) == QREC_HANDED) {
#ifdef Q_POLL
            if (woken) /* we held the role while queued: it ends with the handoff */
                atomic_fetch_and_explicit(&m->word, ~(uint32_t)QDESIG, memory_order_relaxed);
#endif
            return;
        }
        woken = 1;
        spins = 0;
    }
}

static inline void qmu_lock(qmu *m) {
    uint32_t w = 0;
    if (!atomic_compare_exchange_strong_explicit(&m->word, &w, QLOCKED, memory_order_acquire,
                                                 memory_order_relaxed))
        qmu_lock_slow(m);
}

/* Counts an unlock that sees waiters; returns whether a handoff may be due. */
static inline int q_due(qmu *m, int64_t *now) {
    if (++m->unlocks < m->stride)
        return 0;
    *now = q_now();
    int fast = *now - m->checked_at < (int64_t)m->unlocks * (Q_GAP_NS / 64);
    m->stride = fast ? Q_STRIDE : 1;
    m->unlocks = 0;
    m->checked_at = *now;
    return *now >= m->next_check;
}

static void qmu_unlock_slow(qmu *m) {
    int64_t now = 0;
    QC(qc_slow_unlock);
    int due = q_due(m, &now);
    for (;;) {
        uint32_t w = atomic_load_explicit(&m->word, memory_order_relaxed);
        if ((!(w & QWAITING) || ((w & QDESIG) && !due))) {
            if (atomic_compare_exchange_weak_explicit(&m->word, &w, w & ~QLOCKED,
                                                      memory_order_release, memory_order_relaxed))
                return;
            continue;
        }
        if (w & QSPIN) {
            __builtin_ia32_pause();
            continue;
        }
        if (!atomic_compare_exchange_weak_explicit(&m->word, &w, w | QSPIN, memory_order_acquire,
                                                   memory_order_relaxed))
            continue;
        /* QSPIN held, LOCKED held. */
        QC(qc_spinq);
        qrec *h = m->head;
        int hand = due && h && now - h->since >= Q_STARVE_NS;
        if (due && !hand && h)
            m->next_check = h->since + Q_STARVE_NS; /* the head is not due before this */
        if (!hand && (w & QDESIG)) {
            /* Only the handoff check brought us here: release normally. */
            uint32_t c = w | QSPIN;
            while (!atomic_compare_exchange_weak_explicit(&m->word, &c, c & ~(QSPIN | QLOCKED),
                                                          memory_order_release,
                                                          memory_order_relaxed))
                ;
            return;
        }
        q_pop(m);
        if (hand)
            m->next_check = now + Q_GAP_NS; /* before the CAS: the new owner may unlock at once */
        uint32_t c = w | QSPIN, n;
        do {
            n = c & ~QSPIN;
            if (!m->head)
                n &= ~QWAITING;
            if (!hand)
                n = (n & ~QLOCKED) | QDESIG;
        } while (!atomic_compare_exchange_weak_explicit(&m->word, &c, n, memory_order_release,
                                                        memory_order_relaxed));
        if (hand) {
            atomic_store_explicit(&h->state, QREC_HANDED, memory_order_release);
        } else {
            atomic_store_explicit(&h->state, QREC_WOKEN, memory_order_release);
        }
        QC(qc_wake);
        if (hand)
            QC(qc_hand);
        q_wake(&h->state);
        return;
    }
}

/* Takes a free lock (a barge), never a handoff: LOCKED stays set through one. */
static inline int qmu_trylock(qmu *m) {
    uint32_t w = atomic_load_explicit(&m->word, memory_order_relaxed);
    return !(w & QLOCKED) &&
           atomic_compare_exchange_strong_explicit(&m->word, &w, w | QLOCKED, memory_order_acquire,
                                                   memory_order_relaxed);
}

static inline void qmu_unlock(qmu *m) {
    uint32_t w = QLOCKED;
    if (!atomic_compare_exchange_strong_explicit(&m->word, &w, 0, memory_order_release,
                                                 memory_order_relaxed))
        qmu_unlock_slow(m);
}
#endif
