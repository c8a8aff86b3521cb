/* bench/scratch/qmu.h: a research prototype, not gosync code. A mutex whose waiters queue
 * as per-thread records, to measure what a starvation mode costs when a handoff names the
 * thread it serves (docs/PERFORMANCE.md, "2026-11-27: a queue of waiter records").
 *
 * Word: QLOCKED (held, or handed over and not yet returned to by its new owner), QSPIN (the
 * queue's spinlock), QWAITING (the queue is not empty), QDESIG (the queue's head has been
 * woken and will look at the word again: unlocks need not wake another).
 *
 * Version 2, the default (verify/mutex.pml): a record stays queued until its thread owns the
 * lock.
 *   lock        barge if !QLOCKED; else (after a short spin while nobody queues) take QSPIN,
 *               push the record at the back, drop QSPIN, sleep on the record
 *   unlock      !QWAITING, or QDESIG and no handoff due: clear QLOCKED, wake nobody; else
 *               take QSPIN and hand off (below) or wake the head: set QDESIG, write its
 *               record WOKEN, clear QLOCKED and QSPIN, wake it
 *   woken       the head takes the lock if it is free (clearing QDESIG) and unlinks its
 *               record; if the lock was taken again, it gives the role up (record WOKEN ->
 *               WAIT, then QDESIG cleared while the lock is held and QSPIN free) and sleeps
 *               again, still the head (nsync's rule: the next unlock wakes it again)
 *   handoff     the unlocks that see QWAITING read the clock one in Q_STRIDE (64) while they
 *               come fast; once the gap since the last handoff has passed and the head has
 *               waited over Q_STARVE_NS, the unlock pops the head, ends its role if its
 *               record still says WOKEN, drops QSPIN with QLOCKED still set, and only then
 *               writes the record HANDED (a release store) and wakes it: the new owner may
 *               free the mutex at once, and nobody else can take a handed lock
 * Version 1 (-DQ_V1, verify/qmu_v1.pml; the first figures of 2026-11-27) took the woken
 * waiter out of the queue; it went back to the front when it lost (or, with -DQ_POLL, kept
 * QDESIG and polled). The model found that such a waiter can be out of the queue at every
 * handoff, which goes to the head, and so can wait forever.
 *
 * Records live on the waiting thread's stack; the unlocker writes one only while its thread
 * cannot return (asleep on it, or awake but unable to own the lock), and wakes it by address
 * after the last store (a stale wake is a spurious one for whoever sleeps there next). The
 * protocol is model-checked (verify/mutex.pml, formerly verify/qmu.pml; version 1's flaw in verify/qmu_v1.pml), the C
 * code only by mtest's exclusion check, qmu_timeout.c and ThreadSanitizer runs; x86-64
 * Linux only. Build: mtest.c with -DUSE_QMU, or gosync-bench configured with
 * -DGOSYNC_BENCH_PROTOTYPES=ON. Knobs: Q_GAP_NS, Q_STARVE_NS, Q_STRIDE (clock reads),
 * Q_SPIN_ALWAYS, Q_SPIN_ADAPT, Q_WOKEN_SPIN, Q_COUNT (slow-path counters at exit), Q_V1
 * (and, with it, Q_POLL, Q_POLL_NS, Q_SPIN_WOKEN).
 *
 * Timeouts (version 2): qmu_lock_until(m, deadline). A waiter out of time takes QSPIN and
 * looks at its record: popped by a handoff, it waits for HANDED and owns the lock; still
 * queued, it unlinks itself, clears QDESIG if it held the woken role, and takes the lock if
 * it is free (so that no free lock is left with sleepers and nobody to wake them).
 * Model: verify/mutex.pml -DTIMEOUTS; test: bench/scratch/qmu_timeout.c. */
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
    int inq;                  /* in the queue (under QSPIN): a timed-out waiter reads it */
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

/* An arriving thread's spin: 1, 2, 4, 8, then 16 PAUSEs between looks (as src/mutex.c). */
static inline void q_backoff(int spins) {
    for (int k = 0; k < (1 << (spins < 4 ? spins : 4)); k++)
        __builtin_ia32_pause();
}

static inline qrec *q_pop(qmu *m) {
    qrec *h = m->head;
    h->inq = 0;
    m->head = h->next;
    if (m->head)
        m->head->prev = 0;
    else
        m->tail = 0;
    return h;
}

static inline void q_push(qmu *m, qrec *r, int front) {
    r->next = r->prev = 0;
    r->inq = 1;
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
    r->inq = 0;
    if (r->prev) r->prev->next = r->next; else m->head = r->next;
    if (r->next) r->next->prev = r->prev; else m->tail = r->prev;
}

/* Drops QSPIN (a CAS loop: others may change other bits meanwhile), clearing QWAITING if
 * the queue is empty. */
static inline void q_spin_release(qmu *m) {
    uint32_t c = atomic_load_explicit(&m->word, memory_order_relaxed), n;
    do {
        n = c & ~QSPIN;
        if (!m->head)
            n &= ~QWAITING;
    } while (!atomic_compare_exchange_weak_explicit(&m->word, &c, n, memory_order_release,
                                                    memory_order_relaxed));
}

/* Drops QSPIN and QLOCKED together (a CAS loop from the guess c): an unlock that changes
 * nothing else in the queue. */
static inline void q_release_all(qmu *m, uint32_t c) {
    while (!atomic_compare_exchange_weak_explicit(&m->word, &c, c & ~(QSPIN | QLOCKED),
                                                  memory_order_release, memory_order_relaxed))
        ;
}

/* Q_SPIN_ADAPT's score: a spin behind a queue that got the lock raises it (to 16 at most),
 * one that queued anyway lowers it by 2. */
static inline void q_score_paid(qmu *m) {
    int sc = atomic_load_explicit(&m->spin_score, memory_order_relaxed);
    if (sc < 16)
        atomic_store_explicit(&m->spin_score, sc + 1, memory_order_relaxed);
}

static inline void q_score_missed(qmu *m) {
    int sc = atomic_load_explicit(&m->spin_score, memory_order_relaxed);
    atomic_store_explicit(&m->spin_score, sc > 2 ? sc - 2 : 0, memory_order_relaxed);
}

#ifdef Q_V1
/* Version 1 (verify/qmu_v1.pml): a woken waiter leaves the queue, and can miss every
 * handoff. Kept for the figures measured with it. */
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
                if (spun_behind)
                    q_score_paid(m);
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
            q_score_missed(m);
            spun_behind = 0;
        }
        if (Q_SPINNER && spin_ok && spins < 12) {
            if ((w & QWAITING) || woken)
                spun_behind = 1;
#else
        if (!woken && !(w & QWAITING) && spins < 12) { /* spin only while nobody queues */
#endif
            q_backoff(spins);
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
                    q_spin_release(m);
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

#else

/* A timed-out waiter leaves (version 2 only; verify/mutex.pml with -DTIMEOUTS). desig: we
 * hold the woken role as far as we have seen (our record may have been written WOKEN since
 * we last looked). Returns 0 if we left the queue without the lock, 1 if we found the
 * lock free and took it instead (our record is out of the queue, and the role, if ours,
 * ended), 2 if a handoff popped our record first (the lock is ours once the record says
 * HANDED; the caller ends the role as any handed waiter).
 * Leaving with the role clears QDESIG, so that the next unlock wakes the new head; a
 * waiter that leaves takes the lock if it finds it free, so a designated one never strands
 * a free lock with sleepers behind it. */
static int q_leave(qmu *m, qrec *me, int desig) {
    /* Take QSPIN whether or not the lock is held. (Taking a free lock first, on the word
     * alone, would need to know whether our record was just written WOKEN, and the word
     * can return to the value we read with the role newly ours: an ABA that leaves QDESIG
     * set for nobody. Under QSPIN the record cannot change but to HANDED after a pop.) */
    q_spin_acquire(m);
    if (!me->inq) { /* a handoff popped us: HANDED is coming */
        q_spin_release(m);
        uint32_t st;
        while ((st = atomic_load_explicit(&me->state, memory_order_acquire)) != QREC_HANDED)
            q_wait(&me->state, st, 0);
        return 2;
    }
    int d = desig || atomic_load_explicit(&me->state, memory_order_relaxed) == QREC_WOKEN;
    q_unlink(m, me);
    uint32_t c = atomic_load_explicit(&m->word, memory_order_relaxed), n;
    do {
        n = c & ~QSPIN;
        if (!m->head)
            n &= ~QWAITING;
        if (d)
            n &= ~QDESIG; /* the role ends with us: the next unlock wakes the new head */
        if (!(c & QLOCKED))
            n |= QLOCKED; /* free (for our role, or for anyone to barge): take it */
    } while (!atomic_compare_exchange_weak_explicit(&m->word, &c, n, memory_order_acq_rel,
                                                    memory_order_relaxed));
    return !(c & QLOCKED);
}

/* Version 2 (verify/mutex.pml): a waiter's record stays queued until its thread owns the
 * lock, so the woken waiter stays the head and the next handoff is for it. deadline: a
 * CLOCK_MONOTONIC time in ns, or 0 for none; returns whether the lock was taken. */
static int qmu_lock_slow_until(qmu *m, int64_t deadline) {
    qrec me;
    QC(qc_slow_lock);
    me.since = 0; /* read the clock only when we first queue */
    int queued = 0, desig = 0, wspins = 0;
    (void)wspins;
#ifdef Q_SPIN_ADAPT
    int spin_ok = 0, spun_behind = 0;
#endif
    for (int spins = 0;; spins++) {
        uint32_t w = atomic_load_explicit(&m->word, memory_order_relaxed);
        if (!(w & QLOCKED)) {
            uint32_t next = (w | QLOCKED) & ~(desig ? QDESIG : 0);
            if (!atomic_compare_exchange_weak_explicit(&m->word, &w, next, memory_order_acquire,
                                                       memory_order_relaxed))
                continue;
#ifdef Q_SPIN_ADAPT
            if (spun_behind)
                q_score_paid(m);
#endif
            if (queued) { /* we own the lock: take our record out */
                q_spin_acquire(m);
                q_unlink(m, &me);
                q_spin_release(m);
            }
            return 1;
        }
        if (!queued) {
#ifdef Q_SPIN_ALWAYS
            if (spins < 12) {
#elif defined(Q_SPIN_ADAPT)
            if (spins == 0)
                spin_ok = !(w & QWAITING) ||
                          atomic_load_explicit(&m->spin_score, memory_order_relaxed) > 0 ||
                          (atomic_fetch_add_explicit(&m->probe, 1, memory_order_relaxed) & 31) == 0;
            if (spins == 12 && spun_behind) {
                q_score_missed(m);
                spun_behind = 0;
            }
            if (spin_ok && spins < 12) {
                if (w & QWAITING)
                    spun_behind = 1;
#else
            if (!(w & QWAITING) && spins < 12) { /* spin only while nobody queues */
#endif
                q_backoff(spins);
                continue;
            }
            if (w & QSPIN) {
                __builtin_ia32_pause();
                continue;
            }
            if (deadline && q_now() >= deadline)
                return 0;
            if (!atomic_compare_exchange_weak_explicit(&m->word, &w, w | QSPIN | QWAITING,
                                                       memory_order_acquire, memory_order_relaxed))
                continue;
            if (!me.since)
                me.since = q_now();
            atomic_store_explicit(&me.state, QREC_WAIT, memory_order_relaxed);
            q_push(m, &me, 0);
            queued = 1;
            q_spin_release(m);
        } else {
#if defined(Q_WOKEN_SPIN) && Q_WOKEN_SPIN > 0
            /* -DQ_WOKEN_SPIN=N: the woken head keeps its role and looks at the word N more
             * times, backing off as an arriving thread does, before it gives the role up:
             * one waiter stays awake on the other CPU while the holder runs. (A delay of
             * the give-up step: the model lets any thread wait between two steps.) */
            if (desig && wspins < Q_WOKEN_SPIN) {
                q_backoff(wspins++);
                continue;
            }
#endif
            if (deadline && q_now() >= deadline) { /* woken, but out of time: leave */
                int r = q_leave(m, &me, desig);
                if (r == 2)
                    goto handed;
                return r;
            }
            /* Woken, and the lock was taken again: give the role up, the record first (a
             * CAS that finds WAIT if we gave it up before, or HANDED), then QDESIG while
             * the lock is held and QSPIN free. If the lock is freed meanwhile, take it. */
            uint32_t st = QREC_WOKEN;
            /* acq_rel: the release orders our give-up before the next unlocker's WOKEN
             * store in C11's terms too (x86 and ARMv8 would not reorder it anyway). */
            if (!atomic_compare_exchange_strong_explicit(&me.state, &st, QREC_WAIT,
                                                         memory_order_acq_rel,
                                                         memory_order_acquire) &&
                st == QREC_HANDED)
                goto handed;
            int freed = 0;
            for (;;) {
                uint32_t c = atomic_load_explicit(&m->word, memory_order_relaxed);
                if (!(c & QLOCKED)) {
                    freed = 1;
                    break;
                }
                if (c & QSPIN) {
                    __builtin_ia32_pause();
                    continue;
                }
                if (atomic_compare_exchange_weak_explicit(&m->word, &c, c & ~QDESIG,
                                                          memory_order_relaxed,
                                                          memory_order_relaxed)) {
                    desig = 0;
                    break;
                }
            }
            if (freed)
                continue;
        }
        /* Asleep on the record until an unlock wakes us (the role) or hands us the lock. */
        while (atomic_load_explicit(&me.state, memory_order_acquire) == QREC_WAIT) {
            QC(qc_sleep);
            int64_t left = 0;
            if (deadline && (left = deadline - q_now()) <= 0) {
                int r = q_leave(m, &me, desig); /* 0 here: asleep, we hold no role */
                if (r == 2)
                    goto handed;
                return r;
            }
            q_wait(&me.state, QREC_WAIT, left);
        }
        if (atomic_load_explicit(&me.state, memory_order_acquire) == QREC_HANDED)
            goto handed;
        desig = 1;
        spins = 0;
        wspins = 0;
    }
handed:
    /* The unlocker took our record out and left QLOCKED set. If we still hold the role it
     * ends here (the unlocker also ended it if our record still said WOKEN). */
    if (desig)
        atomic_fetch_and_explicit(&m->word, ~(uint32_t)QDESIG, memory_order_relaxed);
    return 1;
}

static void qmu_lock_slow(qmu *m) { qmu_lock_slow_until(m, 0); }

#endif

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

/* The start of both versions' unlock. Releases the lock and returns 0 when no waiter needs
 * the queue (none queued, or the head is already woken and no handoff is due). Else takes
 * QSPIN, QLOCKED still held, decides whether to hand off to the head (*hand, with the clock
 * in *now), and returns the word as it was before QSPIN. */
static inline uint32_t q_unlock_begin(qmu *m, int *hand, int64_t *now) {
    *now = 0;
    QC(qc_slow_unlock);
    int due = q_due(m, now);
    for (;;) {
        uint32_t w = atomic_load_explicit(&m->word, memory_order_relaxed);
        if (!(w & QWAITING) || ((w & QDESIG) && !due)) {
            if (atomic_compare_exchange_weak_explicit(&m->word, &w, w & ~QLOCKED,
                                                      memory_order_release, memory_order_relaxed))
                return 0;
            continue;
        }
        if (w & QSPIN) {
            __builtin_ia32_pause();
            continue;
        }
        if (!atomic_compare_exchange_weak_explicit(&m->word, &w, w | QSPIN, memory_order_acquire,
                                                   memory_order_relaxed))
            continue;
        QC(qc_spinq);
        qrec *h = m->head;
        *hand = due && h && *now - h->since >= Q_STARVE_NS;
        if (due && !*hand && h)
            m->next_check = h->since + Q_STARVE_NS; /* the head is not due before this */
        return w;
    }
}

#ifdef Q_V1
static void qmu_unlock_slow(qmu *m) {
    int hand;
    int64_t now;
    uint32_t w = q_unlock_begin(m, &hand, &now);
    if (!w)
        return;
    qrec *h = m->head;
    if (!hand && (w & QDESIG)) {
        /* Only the handoff check brought us here: release normally. */
        q_release_all(m, w | QSPIN);
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

#else
static void qmu_unlock_slow(qmu *m) {
    int hand;
    int64_t now;
    uint32_t w = q_unlock_begin(m, &hand, &now);
    if (!w)
        return;
    qrec *h = m->head;
    if (hand) {
        q_pop(m);
        m->next_check = now + Q_GAP_NS; /* before QSPIN is dropped */
        /* If the head holds the role and its record still says WOKEN, the role ends
         * here (it may be giving it up at this moment: then it clears QDESIG itself,
         * harmlessly, since no unlock can give the role to anyone while it is handed
         * the lock). */
        if (atomic_load_explicit(&h->state, memory_order_relaxed) == QREC_WOKEN)
            atomic_fetch_and_explicit(&m->word, ~(uint32_t)QDESIG, memory_order_relaxed);
        q_spin_release(m); /* QLOCKED stays set: nobody else can take the lock */
        /* From the store on, the head may unlock and free the mutex: touch only its
         * record, and wake it by address. */
        atomic_store_explicit(&h->state, QREC_HANDED, memory_order_release);
        QC(qc_wake);
        QC(qc_hand);
        q_wake(&h->state);
        return;
    }
    if (w & QDESIG) { /* only the handoff check brought us here */
        q_release_all(m, w | QSPIN);
        return;
    }
    /* Wake the head, which stays queued: QDESIG first, then its record, then release. */
    atomic_fetch_or_explicit(&m->word, QDESIG, memory_order_relaxed);
    atomic_store_explicit(&h->state, QREC_WOKEN, memory_order_release);
    q_release_all(m, atomic_load_explicit(&m->word, memory_order_relaxed));
    QC(qc_wake);
    q_wake(&h->state);
    return;
}

#endif

/* Takes a free lock (a barge), never a handoff: LOCKED stays set through one. */
static inline int qmu_trylock(qmu *m) {
    uint32_t w = atomic_load_explicit(&m->word, memory_order_relaxed);
    return !(w & QLOCKED) &&
           atomic_compare_exchange_strong_explicit(&m->word, &w, w | QLOCKED, memory_order_acquire,
                                                   memory_order_relaxed);
}

#ifndef Q_V1
/* Waits until deadline (CLOCK_MONOTONIC ns) at most; returns whether it took the lock. */
static inline int qmu_lock_until(qmu *m, int64_t deadline) {
    return qmu_trylock(m) || qmu_lock_slow_until(m, deadline);
}
#endif

static inline void qmu_unlock(qmu *m) {
    uint32_t w = QLOCKED;
    if (!atomic_compare_exchange_strong_explicit(&m->word, &w, 0, memory_order_release,
                                                 memory_order_relaxed))
        qmu_unlock_slow(m);
}
#endif
