/* verify/qmu_v1.pml: the first waiter-queue prototype (bench/scratch/qmu.h as at 81baa3b,
 * built with -DQ_V1 since: a woken waiter leaves the queue), for SPIN. Kept for its finding:
 * with 3 threads, the woken waiter can be out of the queue at every handoff, which goes to
 * the head, so it can wait forever (run.sh: proto-v1-starvation-3, docs/VERIFICATION.md). The
 * current prototype and its model, verify/mutex.pml (formerly verify/qmu.pml), keep a woken waiter queued.
 *
 * The word is modelled bit for bit (QLOCKED 1, QSPIN 2, QWAITING 4, QDESIG 8); every atomic
 * RMW of qmu.h is one atomic step, every plain load its own step. A record's state is
 * rec[t]; a thread asleep on its record is the blocking guard (rec[me] != WAIT): the futex
 * wait's re-check loop makes spurious returns invisible, and the unlocker's store comes
 * before its wake. The queue is an array, changed only by the holder of QSPIN. Abstracted:
 *   - spinning: re-reading the word, which interleaving already covers;
 *   - time: "a handoff may be due" (q_due) and "the head has waited over Q_STARVE_NS" are
 *     free choices at each unlock that sees waiters; with FORCE_AFTER > 0 (liveness runs)
 *     both surely hold after FORCE_AFTER unlocks that saw waiters and handed nothing
 *     (time passes);
 *   - memory orders.
 *
 * Map to bench/scratch/qmu.h:
 *   fast lock     qmu_lock: CAS 0 -> QLOCKED
 *   load          qmu_lock_slow: w = load
 *   barge/take    !QLOCKED: CAS w -> w|QLOCKED, clearing QDESIG if we were woken
 *   enqueue       QLOCKED, !QSPIN: CAS w -> w|QSPIN|QWAITING, clearing QDESIG if woken
 *                 (nsync's rule); push (front if woken); drop QSPIN (CAS loop: one RMW);
 *                 sleep until the record changes; HANDED: we own the lock
 *   fast unlock   qmu_unlock: CAS QLOCKED -> 0
 *   unlock        qmu_unlock_slow: !QWAITING, or QDESIG and no handoff due: clear QLOCKED;
 *                 else take QSPIN; hand off to the head if due and it starves; else, QDESIG
 *                 set: release both; else pop the head, set QDESIG, clear QLOCKED (and
 *                 QWAITING if the queue is now empty), drop QSPIN (one CAS), then write the
 *                 record (WOKEN or HANDED)
 *
 * Properties: exclusion (a ghost holder); at every state where QSPIN is clear, QWAITING
 * says whether the queue is non-empty, and QDESIG that exactly one thread holds the woken
 * role (dequeued and woken, not yet back in the queue or owning the lock); a handoff goes
 * only to the queue's head and leaves QLOCKED set; no lost wake-up or deadlock, and the
 * word 0 and the queue empty at the end (ITERS > 0: every thread finishes); under weak
 * fairness with time passing (ITERS == 0, FORCE_AFTER > 0): ltl `starvation`, every lock
 * call returns.
 *
 * Seeded bugs (run.sh requires a counterexample): MUTANT_KEEP_DESIG, the woken waiter keeps
 * QDESIG when it queues again (without Q_POLL's poll, nobody is left to wake: QDESIG sticks
 * and silences later unlocks); MUTANT_HAND_UNLOCKED, a handoff clears QLOCKED, as a releaser
 * that stores "unlocked" and wakes would (an arriving thread takes the lock too).
 */
#ifndef NTHREADS
#define NTHREADS 3
#endif
#ifndef ITERS                   /* lock/unlock pairs per thread; 0: forever (liveness) */
#define ITERS 2
#endif
#ifndef FORCE_AFTER             /* 0: a handoff is never forced */
#define FORCE_AFTER 0
#endif

#define QLOCKED  1
#define QSPIN    2
#define QWAITING 4
#define QDESIG   8

#define WAIT   0
#define WOKEN  1
#define HANDED 2
#define NOBODY 255

byte word;
byte rec[NTHREADS];
byte q[NTHREADS];
byte qlen;
byte holder = NOBODY;           /* ghost: who owns the lock */
byte role;                      /* ghost: threads holding the woken role (bit per thread) */
byte ndone;
bool trying[NTHREADS];          /* ghost: in a lock call */
#if FORCE_AFTER > 0
byte skipped;                   /* unlocks that saw waiters and handed nothing, since the last handoff */
#endif

#define BIT(i) (1 << (i))
#define POP(b) (((b) & 1) + (((b) >> 1) & 1) + (((b) >> 2) & 1))
/* Invariant wherever the queue's spinlock is free. NO_ROLE_INV leaves out the ghost role
 * clause, so that a seeded bug must show as what it does (a deadlock) rather than as a broken
 * bookkeeping invariant. */
#ifdef NO_ROLE_INV
#define ROLE_INV 1
#else
#define ROLE_INV ((((word & QDESIG) != 0) == (POP(role) == 1)) && POP(role) <= 1)
#endif
#define INV ((word & QSPIN) || ((((word & QWAITING) != 0) == (qlen > 0)) && ROLE_INV))

inline push(t, front, k) {
    if
    :: front ->
        k = qlen;
        do
        :: k > 0 -> q[k] = q[k - 1]; k--
        :: else -> break
        od;
        q[0] = t
    :: else -> q[qlen] = t
    fi;
    qlen++
}

inline pop(h, k) {
    h = q[0];
    k = 0;
    do
    :: k + 1 < qlen -> q[k] = q[k + 1]; k++
    :: else -> break
    od;
    qlen--;
    q[qlen] = 0
}

#define GOT assert(holder == NOBODY); holder = me; trying[me] = 0

/* LIVE (liveness runs): each "load, decide, CAS" is one step, as in verify/mutex.pml (a CAS
 * retry loop is assumed to end; otherwise weak fairness lets a CAS fail forever). */
#ifdef LIVE
#define LOAD    skip
#define REFRESH w = word
#else
#define LOAD    w = word
#define REFRESH skip
#endif

/* The invariant, checked in every state. */
active proctype monitor() {
end:
    atomic { !INV -> assert(INV) }
}

proctype thread(byte me) {
    byte w, n, h, k, act;
    bool woken, due, hand, ok;
#if ITERS > 0
    byte iter;
#endif

next_op:
#if ITERS > 0
    if
    :: iter == ITERS -> goto finished
    :: else -> iter++
    fi;
#endif
    woken = 0;
    trying[me] = 1;
    atomic {
        if
        :: word == 0 -> word = QLOCKED; GOT
        :: else
        fi
    }
    if
    :: holder == me -> goto acquired
    :: else
    fi;

L_load:
    LOAD;
    atomic {
        REFRESH;
        act = 0;
        if
        :: !(w & QLOCKED) ->
            if
            :: word == w ->
                word = (w | QLOCKED) & ~(woken -> QDESIG : 0);
                if
                :: woken -> role = role & ~BIT(me)
                :: else
                fi;
                GOT;
                act = 1
            :: else
            fi
        :: (w & QLOCKED) && (w & QSPIN)         /* the queue is busy: look again */
        :: (w & QLOCKED) && !(w & QSPIN) ->
            if
            :: word == w ->
#ifdef MUTANT_KEEP_DESIG
                word = w | QSPIN | QWAITING;
#else
                word = (w | QSPIN | QWAITING) & ~(woken -> QDESIG : 0);
#endif
                if
                :: woken -> role = role & ~BIT(me)
                :: else
                fi;
                act = 2;
#ifdef LIVE
                /* liveness runs: a section under QSPIN is one step (the spinlock is held
                 * briefly; otherwise weak fairness lets a thread find it held forever) */
                rec[me] = WAIT;
                push(me, woken, k);
                word = word & ~QSPIN;
                act = 5
#endif
            :: else
            fi
        fi
    }
    if
    :: act == 1 -> goto acquired
    :: act == 0 -> goto L_load
    :: act == 5 -> goto L_sleep
    :: else
    fi;
    rec[me] = WAIT;
    push(me, woken, k);
    atomic { word = word & ~QSPIN; assert(INV) };
L_sleep:
    (rec[me] != WAIT);                          /* asleep on the record */
    if
    :: rec[me] == HANDED -> atomic { assert(word & QLOCKED); GOT }; goto acquired
    :: else
    fi;
    woken = 1;
    goto L_load;

acquired:
    assert(holder == me);
    holder = NOBODY;                            /* leaves the critical section */
    atomic {
        if
        :: word == QLOCKED -> word = 0; ok = 1
        :: else -> ok = 0
        fi
    }
    if
    :: ok -> goto unlocked
    :: else
    fi;
#if FORCE_AFTER > 0
    if
    :: skipped >= FORCE_AFTER -> due = 1
    :: else -> if :: due = 1 :: due = 0 fi
    fi;
#else
    if :: due = 1 :: due = 0 fi;
#endif

U_load:
#ifdef LIVE
    atomic {                                    /* QSPIN sections are one step (see above) */
#endif
    LOAD;
    atomic {
        REFRESH;
        act = 0;
        if
        :: !(w & QWAITING) || ((w & QDESIG) && !due) ->
            if
            :: word == w ->
                word = w & ~QLOCKED;
                act = 1;
#if FORCE_AFTER > 0
                if
                :: (w & QWAITING) && skipped < 255 -> skipped++
                :: else
                fi
#endif
            :: else
            fi
        :: else ->
            if
            :: !(w & QSPIN) && word == w -> word = w | QSPIN; act = 2
            :: else
            fi
        fi
    }
    if
    :: act == 1 -> goto unlocked
    :: act == 0 -> goto U_load
    :: else
    fi;
    /* QSPIN and QLOCKED held: the queue is ours to change. */
    assert(qlen > 0);
#if FORCE_AFTER > 0
    if
    :: due && skipped >= FORCE_AFTER -> hand = 1    /* the head surely starves by now */
    :: else -> if :: due -> if :: hand = 1 :: hand = 0 fi :: else -> hand = 0 fi
    fi;
#else
    if :: due -> if :: hand = 1 :: hand = 0 fi :: else -> hand = 0 fi;
#endif
    if
    :: !hand && (w & QDESIG) ->
        atomic {
            word = word & ~(QSPIN | QLOCKED);
#if FORCE_AFTER > 0
            if :: skipped < 255 -> skipped++ :: else fi;
#endif
            assert(INV)
        }
        goto unlocked
    :: else
    fi;
    pop(h, k);
    atomic {
        n = word & ~QSPIN;
        if
        :: qlen == 0 -> n = n & ~QWAITING
        :: else
        fi;
        if
        :: !hand ->
            n = (n & ~QLOCKED) | QDESIG;
            role = role | BIT(h)
        :: else
#ifdef MUTANT_HAND_UNLOCKED
            n = n & ~QLOCKED            /* "store unlocked and wake": an arrival can steal */
#endif
        fi;
        word = n;
#if FORCE_AFTER > 0
        if
        :: hand -> skipped = 0
        :: else -> if :: skipped < 255 -> skipped++ :: else fi
        fi;
#endif
        assert(INV)
    }
    if
    :: hand -> rec[h] = HANDED
    :: else -> rec[h] = WOKEN
    fi;
#ifdef LIVE
    }
#endif

unlocked:
#if ITERS > 0
    goto next_op;
finished:
    ndone++
#else
    goto next_op
#endif
}

init {
    byte i;
    atomic {
        for (i : 0 .. NTHREADS - 1) {
            run thread(i)
        }
    }
#if ITERS > 0
    (ndone == NTHREADS);
    assert(word == 0 && qlen == 0 && holder == NOBODY && role == 0)
#endif
}

#if ITERS == 0
#define P(i) ([] (trying[i] -> <> !trying[i]))
#if NTHREADS == 2
ltl starvation { P(0) && P(1) }
#else
ltl starvation { P(0) && P(1) && P(2) }
#endif
#endif
