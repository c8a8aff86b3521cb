/* verify/mutex.pml: gs_mutex (src/mutex.c since 2026-11-27: a queue of waiter records), for
 * SPIN, timeouts with -DTIMEOUTS. The protocol is that of the research prototype it grew from,
 * bench/scratch/qmu.h version 2 (its default build: nsync's rule for the woken waiter, no
 * Q_POLL), which this file modelled as verify/qmu.pml. verify/qmu_v1.pml is the prototype's
 * first version, in which a woken waiter left the queue (and could miss every handoff);
 * verify/mutex_v2.pml is the gs_mutex before the queue (counted starvers on one futex word).
 *
 * Not steps of their own here, as in the C: the slot table that holds the queues (a leaf lock,
 * taken only under QSPIN, guards the list that the mutexes of a slot share; the model's queue
 * is one mutex's records in it), the watch and the spins (delays and re-reads of the word).
 *
 * The word is modelled bit for bit (QLOCKED 1, QSPIN 2, QWAITING 4, QDESIG 8; in
 * src/mutex.c LOCKED 0x1, DESIG 0x2, QSPIN 0x4, WAITING 0x8); every atomic RMW of the C code
 * is one atomic step, every plain load its own step. A record's state is
 * rec[t]; a thread asleep on its record is the blocking guard (rec[me] != WAIT): the futex
 * wait's re-check loop makes spurious returns invisible, and every writer of a record wakes
 * it after writing. The queue is an array, changed only by the holder of QSPIN. A waiter's
 * record stays queued until its thread owns the lock: an unlock that hands off takes it out,
 * and a waiter that takes a free lock takes itself out. Abstracted:
 *   - spinning: re-reading the word, which interleaving already covers;
 *   - time: "a handoff may be due" (q_due) and "the head has waited over Q_STARVE_NS" are
 *     free choices at each unlock that sees waiters; with FORCE_AFTER > 0 (liveness runs)
 *     both surely hold after FORCE_AFTER unlocks that saw waiters and handed nothing
 *     (time passes);
 *   - memory orders.
 *
 * Map to src/mutex.c (gs__mutex_lock_wait, gs__mutex_unlock_slow, gs__mutex_leave; the
 * inline paths in include/gosync/mutex.h) and bench/scratch/qmu.h (qmu_lock_slow,
 * qmu_unlock_slow, q_leave), which take the same steps:
 *   fast lock     CAS 0 -> QLOCKED (C: a fetch-or of LOCKED, which is the take step below
 *                 when the lock is free and changes nothing when it is held)
 *   take          !QLOCKED: CAS w -> w|QLOCKED, clearing QDESIG if we hold the woken role;
 *                 if queued, take QSPIN and unlink our record
 *   enqueue       not queued, QLOCKED, !QSPIN: CAS w -> w|QSPIN|QWAITING; record WAIT,
 *                 push at the back, drop QSPIN (a CAS loop: one RMW); sleep
 *   give up       woken, QLOCKED (QSPIN held or not): CAS the record WOKEN -> WAIT (finds
 *                 WAIT: given up before; HANDED: we own the lock); then, once !QSPIN, CAS
 *                 w -> w & ~QDESIG, or take the lock if it was freed meanwhile; sleep
 *   handed        the record says HANDED: the unlocker took it out and left QLOCKED set;
 *                 clear QDESIG if we still hold the role
 *   fast unlock   CAS QLOCKED -> 0 (C: inline, GS__MUTEX_QUIET_RELEASE)
 *   unlock        !QWAITING, or QDESIG and no handoff due: clear QLOCKED; else take QSPIN:
 *                 hand off to the head if due and it starves (pop it; load its record and,
 *                 if it said WOKEN, clear QDESIG: two steps; drop QSPIN keeping QLOCKED;
 *                 then store HANDED); else, QDESIG set: release both;
 *                 else set QDESIG (QSPIN and QLOCKED still held), write the head's record
 *                 WOKEN, then clear QLOCKED and QSPIN in one CAS (C re-reads the clock
 *                 under QSPIN if it did not before: the same as choosing "due" up front)
 * With -DTIMEOUTS (qmu_lock_until, q_leave), each lock call may have a deadline, and such a
 * call may run out of time at each place the C code looks at the clock:
 *   before queueing   return, without the lock
 *   asleep (WAIT)     or woken with the lock taken again: leave. Take QSPIN, held lock or
 *                     not. If a handoff popped our record, drop QSPIN, wait for HANDED and
 *                     own the lock. Else unlink our record, end the role if it is ours
 *                     (we hold it, or our record says WOKEN and we have not seen it yet:
 *                     clear QDESIG), take the lock if it is free, and drop QSPIN, in one CAS
 *
 * Properties: exclusion (a ghost holder); at every state where QSPIN is clear, QWAITING
 * says whether the queue is non-empty and QDESIG that exactly one thread holds the woken
 * role; a handoff goes only to the queue's head and leaves QLOCKED set; no lost wake-up or
 * deadlock, and the word 0 and the queue empty at the end (ITERS > 0: every thread
 * finishes); under weak fairness with time passing (ITERS == 0, FORCE_AFTER > 0): ltl
 * `starvation`, every lock call returns.
 *
 * Seeded bugs (run.sh requires a counterexample): MUTANT_KEEP_DESIG, the woken waiter keeps
 * QDESIG when it goes back to sleep (nobody is left to wake: QDESIG sticks and silences later
 * unlocks); MUTANT_HAND_UNLOCKED, a handoff clears QLOCKED, as a releaser that stores
 * "unlocked" and wakes would (an arriving thread takes the lock too); MUTANT_WOKEN_LATE, the
 * unlock that wakes writes the record after it released QSPIN and QLOCKED (a handoff can
 * take the record out meanwhile, and the late write turns HANDED into WOKEN). With timeouts:
 * MUTANT_LEAVE_KEEP_DESIG, a waiter that leaves with the role leaves QDESIG set (it sticks);
 * MUTANT_LEAVE_NO_TAKE, a leaving waiter never takes a free lock (a designated one leaves
 * the lock free with sleepers behind it and no unlock to come: they sleep forever).
 */
#ifndef NTHREADS
#define NTHREADS 3
#endif
#ifndef ITERS                   /* lock/unlock pairs per thread; 0: forever (liveness) */
#define ITERS 2
#endif
#ifndef TIMED_MASK              /* with TIMEOUTS: the threads whose calls may have deadlines */
#define TIMED_MASK 255
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

/* Whether thread t's record is in the queue: f (under QSPIN). */
inline inq(t, k, f) {
    k = 0;
    f = 0;
    do
    :: k < qlen && q[k] == t -> f = 1; break
    :: k < qlen && q[k] != t -> k++
    :: k >= qlen -> break
    od
}

/* Takes thread t's record out, wherever it is (under QSPIN). */
inline unlink(t, k, f) {
    inq(t, k, f);
    assert(f);
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
    bool queued, desig, due, hand, ok, f, timed, d;
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
    queued = 0;
    desig = 0;
#ifdef TIMEOUTS
    if                                          /* this call has a deadline */
    :: (TIMED_MASK & BIT(me)) -> timed = 1
    :: timed = 0
    fi;
#endif
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
                word = (w | QLOCKED) & ~(desig -> QDESIG : 0);
                if
                :: desig -> role = role & ~BIT(me); desig = 0
                :: else
                fi;
                GOT;
                act = 1
            :: else
            fi
        :: (w & QLOCKED) && (w & QSPIN) && !queued  /* the queue is busy: look again */
        :: (w & QLOCKED) && !(w & QSPIN) && !queued ->
            if
            :: word == w ->
                word = w | QSPIN | QWAITING;
                act = 2;
#ifdef LIVE
                /* liveness runs: a section under QSPIN is one step (the spinlock is held
                 * briefly; otherwise weak fairness lets a thread find it held forever) */
                rec[me] = WAIT;
                push(me, 0, k);
                queued = 1;
                word = word & ~QSPIN;
                act = 5
#endif
            :: else
            fi
        :: (w & QLOCKED) && queued ->            /* QSPIN may be held: the record first */
            act = 3                             /* woken, the lock taken again: give up */
#ifdef TIMEOUTS
        :: (w & QLOCKED) && !queued && timed -> /* out of time before queueing */
            act = 6
#endif
        fi
    }
    if
    :: act == 0 -> goto L_load
    :: act == 1 && !queued -> goto acquired
    :: act == 1 && queued ->                    /* took a free lock: leave the queue */
#ifdef LIVE
        atomic {
#endif
        atomic { !(word & QSPIN) -> word = word | QSPIN };
        unlink(me, k, f);
        atomic {
            word = word & ~QSPIN;
            if
            :: qlen == 0 -> word = word & ~QWAITING
            :: else
            fi;
            assert(INV)
        }
#ifdef LIVE
        }
#endif
        goto acquired
    :: act == 5 -> goto L_sleep
#ifdef TIMEOUTS
    :: act == 6 -> trying[me] = 0; goto unlocked
    :: act == 3 && timed -> goto L_leave        /* woken, but out of time */
#endif
    :: act == 2 ->
        rec[me] = WAIT;
        push(me, 0, k);
        queued = 1;
        atomic { word = word & ~QSPIN; assert(INV) };
        goto L_sleep
    :: act == 3
    fi;
    /* Give up the role: the record first (a CAS WOKEN -> WAIT, which finds WAIT if we gave
     * it up before, or HANDED), then QDESIG. */
    atomic {
        if
        :: rec[me] == WOKEN -> rec[me] = WAIT; ok = 1
        :: rec[me] == WAIT -> ok = 1
        :: rec[me] == HANDED -> ok = 0
        fi
    }
    if
    :: !ok -> goto L_handed
    :: else
    fi;
#ifndef MUTANT_KEEP_DESIG
L_clear:
    LOAD;
    atomic {
        REFRESH;
        if
        :: !(w & QLOCKED) -> act = 0            /* freed meanwhile: take it (we keep the role) */
        :: (w & QLOCKED) && (w & QSPIN) -> act = 4
        :: (w & QLOCKED) && !(w & QSPIN) ->
            if
            :: word == w -> word = w & ~QDESIG; role = role & ~BIT(me); desig = 0; act = 1
            :: else -> act = 4
            fi
        fi
    }
    if
    :: act == 0 -> goto L_load
    :: act == 4 -> goto L_clear
    :: else
    fi;
#else
    atomic { role = role & ~BIT(me); desig = 0 };
#endif

L_sleep:
    if
    :: rec[me] != WAIT                          /* asleep on the record */
#ifdef TIMEOUTS
    :: timed && rec[me] == WAIT -> goto L_leave /* the wait timed out */
#endif
    fi;
    if
    :: rec[me] == HANDED -> goto L_handed
    :: else
    fi;
    desig = 1;                                  /* WOKEN: the unlocker gave us the role */
    goto L_load;

#ifdef TIMEOUTS
L_leave:
    /* q_leave: take QSPIN, held lock or not; popped by a handoff: wait for HANDED. Else
     * unlink, end the role if ours (desig, or a WOKEN we have not seen yet), and take the
     * lock if it is free. */
#ifdef LIVE
    atomic {
#endif
    atomic { !(word & QSPIN) -> word = word | QSPIN };
    inq(me, k, f);
    if
    :: !f ->
        atomic {
            word = word & ~QSPIN;
            if
            :: qlen == 0 -> word = word & ~QWAITING
            :: else
            fi;
            assert(INV)
        };
        (rec[me] == HANDED);
        goto L_handed
    :: f
    fi;
    d = desig || rec[me] == WOKEN;
    unlink(me, k, f);
    atomic {
        w = word;
        n = w & ~QSPIN;
        if
        :: qlen == 0 -> n = n & ~QWAITING
        :: else
        fi;
        if
#ifndef MUTANT_LEAVE_KEEP_DESIG
        :: d -> n = n & ~QDESIG; role = role & ~BIT(me); desig = 0
#else
        :: d -> role = role & ~BIT(me); desig = 0   /* the role "ends", QDESIG stays */
#endif
        :: else
        fi;
        if
#ifndef MUTANT_LEAVE_NO_TAKE
        :: !(w & QLOCKED) -> n = n | QLOCKED; GOT; act = 1
#endif
        :: else -> act = 0
        fi;
        word = n;
        queued = 0;
        assert(INV)
    }
#ifdef LIVE
    }
#endif
    if
    :: act == 1 -> goto acquired
    :: else -> trying[me] = 0; goto unlocked
    fi;
#endif

L_handed:
    /* If we still hold the role, it ends here (a fetch-and). The unlocker that handed off
     * also cleared QDESIG if our record still said WOKEN, for a role we had not seen yet:
     * both may clear it, and no other thread can be given the role before we unlock. */
    atomic {
        assert(word & QLOCKED);
        if
        :: desig -> word = word & ~QDESIG; role = role & ~BIT(me); desig = 0
        :: else
        fi;
        GOT
    }
    goto acquired;

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
    :: hand ->
        pop(h, k);
        /* If the head holds the role and has not given it up (its record still says WOKEN),
         * the role ends here. The head may give it up meanwhile (WOKEN -> WAIT); it then
         * clears QDESIG itself once QSPIN is free, which is harmless: while the lock is
         * handed to it, no unlock can give the role to anyone else. */
        ok = (rec[h] == WOKEN);                 /* a load, then a fetch-and: two steps */
        atomic {
            if
            :: ok -> word = word & ~QDESIG; role = role & ~BIT(h)
            :: else
            fi
        };
        /* Drop QSPIN, QLOCKED staying set, before the record: once the head sees HANDED it
         * may unlock and free the mutex, so the unlocker touches only the record after it. */
        atomic {
            n = word & ~QSPIN;
            if
            :: qlen == 0 -> n = n & ~QWAITING
            :: else
            fi;
#ifdef MUTANT_HAND_UNLOCKED
            n = n & ~QLOCKED;                   /* "store unlocked and wake": an arrival can steal */
#endif
            word = n;
#if FORCE_AFTER > 0
            skipped = 0;
#endif
            assert(INV)
        }
        rec[h] = HANDED                         /* a release store; then the wake */
    :: !hand && (w & QDESIG) ->
        atomic {
            word = word & ~(QSPIN | QLOCKED);
#if FORCE_AFTER > 0
            if :: skipped < 255 -> skipped++ :: else fi;
#endif
            assert(INV)
        }
    :: !hand && !(w & QDESIG) ->
        h = q[0];
#ifndef MUTANT_WOKEN_LATE
        atomic { word = word | QDESIG; role = role | BIT(h) };
        assert(rec[h] == WAIT);
        rec[h] = WOKEN;
#endif
        atomic {
#ifdef MUTANT_WOKEN_LATE
            word = (word | QDESIG) & ~(QSPIN | QLOCKED);
            role = role | BIT(h);
#else
            word = word & ~(QSPIN | QLOCKED);
#endif
#if FORCE_AFTER > 0
            if :: skipped < 255 -> skipped++ :: else fi;
#endif
            assert(INV)
        }
#ifdef MUTANT_WOKEN_LATE
        rec[h] = WOKEN
#endif
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
