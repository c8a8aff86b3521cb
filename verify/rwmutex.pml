/* verify/rwmutex.pml: gs_rwmutex's state machine (src/rwmutex.c) as implemented, for SPIN.
 *
 * Models main's src/rwmutex.c as of a34920d (ae639b8's writer path; a34920d's state-path
 * rlock, which adds to A or Q in the one CAS that looks at WPEND): the state word with Q, P, A, WBLOCK, WHOLD,
 * WPEND, PHASE, WSLEEP; the writer mutex w, held by a slow-path writer until its release;
 * the writer fast path; reader and writer tags; timed readers and writers. The BRAVO
 * reader-bias path (bias flag and slot table) is NOT modelled: readers here always take the
 * state path, as they do whenever bias is off (docs/VERIFICATION.md).
 *
 * The 64-bit state word is modelled as one int with the same fields, narrowed:
 *   bits 0..3 Q (GS__RW_Q_MASK), bits 4..7 P (GS__RW_PENDING = 16), bits 8..15 A
 *   (GS__RW_READER = 256), bit 16 WPEND, 17 PHASE, 18 WSLEEP, 19 WBLOCK, 20 WHOLD.
 * The futex word is its upper part (`st >> 8`: A and the bits), as in the C code, where it
 * is the upper 32-bit half. Every atomic RMW of the C code is one atomic step here, every
 * plain load its own step; the futex is verify/futex.pml.
 *
 * The writers' mutex rw->w (a gs_mutex, checked by verify/mutex.pml) is abstracted as an
 * atomic test-and-set lock: a blocked gs__mutex_lock_until is `w == 0 -> w = me + 1`, and a
 * timed one may give up instead while it waits. Spinning (gs__rw_writer_wait's spin) is a
 * re-read, which the model's interleavings already contain.
 *
 * Map from the model to src/rwmutex.c (functions of ae639b8):
 *   R_add       gs__rw_state_rlock: load; CAS A+1 if !WPEND, else Q+1 (then R_queued)
 *   R_move      (BUG_F3 only: the code before a34920d) fetch_add A+1 first; then admitted
 *               if !WPEND or PHASE moved, else CAS A-1,Q+1 and wake the writer if that
 *               drained A (gs__rw_after_reader_left)
 *   R_queued    queued: sleep (tag READER) until PHASE moves; timed out: CAS Q-1 (R_leave)
 *   R_noticed   gs__rw_reader_noticed: P-1; the one taking P to 0 clears WSLEEP and wakes
 *               the writer
 *   R_try       gs_rwmutex_tryrlock, state path
 *   R_unlock    gs_rwmutex_runlock, state path: CAS A-1, then gs__rw_after_reader_left
 *   W_fast      gs__rw_fast_wlock: (0 or PHASE) -> +WPEND; also gs_rwmutex_trylock (W_try)
 *   W_w         gs__rw_lock_slow: lock w (a timed one may give up)
 *   W_announce  step 1: set WBLOCK; wait (WSLEEP, tag WRITER) for !WPEND and P == 0; CAS
 *               +WPEND+WHOLD -WBLOCK -WSLEEP; timed out: clear WBLOCK, unlock w
 *   W_drain     gs__rw_writer_drain: wait for A == 0, clear WSLEEP; timed out: W_giveup
 *   W_giveup    gs__rw_writer_release, as an unlock
 *   writer_release  gs__rw_writer_release: unlock w if WHOLD; one CAS (clear WPEND, WHOLD,
 *               WSLEEP; if Q > 0 flip PHASE, A += Q, P += Q, Q = 0); wake READER/WRITER.
 *               gs_rwmutex_unlock's fast CASes are this release's Q == 0, WHOLD == 0 case.
 *   writer_sleep    gs__rw_writer_wait: set WSLEEP (CAS), sleep tag WRITER
 * BUG_F2 defined: the announce ignores P (the fork-point code 0efe433, which had no P):
 * SPIN then finds FINDINGS.md F2. BUG_F3 defined: rlock as before a34920d: F3.
 *
 * LIVE (liveness runs): each "load, decide, CAS" is fused into one step (CAS retry loops
 * terminate), as in verify/mutex_v2.pml; safety runs keep every load and CAS apart.
 *
 * Properties:
 *   - exclusion: at every acquisition, no writer holds it, and for a writer no reader;
 *   - every release is checked as the C code checks it ("Unlock of unlocked RWMutex",
 *     "RUnlock of unlocked RWMutex"), and Q and P never go below 0;
 *   - no lost wake-up, no deadlock, a timed-out waiter leaves nothing behind: with ITERS > 0
 *     every run must end with all threads done and the word free (invalid end states and
 *     the final assertion);
 *   - with ITERS == 0, ltl `writer`: a writer that has announced itself (WPEND) gets the
 *     lock or gives up (no writer starves behind readers); ltl `reader`: every untimed rlock
 *     returns (no reader starves behind writers), both under weak fairness.
 */
#ifndef NREADERS
#define NREADERS 1
#endif
#ifndef NWRITERS
#define NWRITERS 2
#endif
#define NTHREADS (NREADERS + NWRITERS)
#ifndef ITERS
#define ITERS 2
#endif
#ifndef TIMED                    /* 1: timed rlock / lock may be chosen */
#define TIMED 1
#endif
#ifndef RTIMED                   /* readers may use timed rlock */
#define RTIMED TIMED
#endif
#ifndef WTIMED                   /* writers may use timed lock */
#define WTIMED TIMED
#endif
#ifndef TRY                      /* 1: tryrlock / trylock may be chosen */
#define TRY 1
#endif

#define QUEUED   1
#define Q_MASK   15
#define PENDING  16
#define READER   256
#define WPEND    65536
#define PHASE    131072
#define WSLEEP   262144
#define WBLOCK   524288
#define WHOLD    1048576
#define Q(s)     ((s) & Q_MASK)
#define P(s)     (((s) >> 4) & 15)
#define A(s)     (((s) >> 8) & 255)
#define HIGH(s)  ((s) >> 8)

#define TAG_READER 1
#define TAG_WRITER 2

int st;                          /* gs_rwmutex.state */
#define FUTEX_WORD HIGH(st)
#include "futex.pml"

byte w;                          /* gs_rwmutex.w, abstracted: 0 free, else holder + 1 */
byte readers;                    /* ghost: threads that hold a read lock */
byte writer = NOBODY;            /* ghost: the thread that holds the write lock */
byte ndone;
bool rtrying[NTHREADS];          /* inside an untimed rlock */
bool announced[NTHREADS];        /* a writer between its WPEND and its return */

#define SHOW(what) printf("T%d ", me); printf(what); \
    printf(": Q=%d P=%d A=%d WPEND=%d PHASE=%d WSLEEP=%d w=%d queue=%d\n", Q(st), P(st), \
    A(st), (st & WPEND) != 0, (st & PHASE) != 0, (st & WSLEEP) != 0, w, fqlen)

#ifdef LIVE
#define REFRESH cur = st
#else
#define REFRESH skip
#endif
/* LIVE: the decision to sleep and gs__rw_writer_sleep's WSLEEP CAS are one step. */
#ifdef LIVE
#define LIVE_WSLEEP st = cur | WSLEEP; cur = st
#else
#define LIVE_WSLEEP skip
#endif
#ifdef BUG_F2
#define P_CLEAR(s) 1
#else
#define P_CLEAR(s) (P(s) == 0)
#endif

#define PH_RUN   0
#define PH_DONE  1
#define PH_SLEEP 2
#define PH_OUT   3

/* gs__rw_after_reader_left (rwmutex.c:95-98) */
inline after_reader_left(old) {
    if
    :: A(old) == 1 && (old & WPEND) && (old & WSLEEP) -> futex_wake(1, TAG_WRITER, cnt, k, t)
    :: else
    fi
}

/* gs__rw_writer_release: unlock w if WHOLD (ours), then one CAS, then wakes */
inline writer_release() {
    cur = st;
    assert(cur & WPEND);                            /* "Unlock of unlocked RWMutex" */
    if
    :: cur & WHOLD -> assert(w == me + 1); w = 0
    :: else
    fi;
    do
    :: atomic {
        REFRESH;
        assert(cur & WPEND);
        if
        :: st == cur ->
            st = cur & ~(WPEND | WHOLD | WSLEEP | Q_MASK);
            if
            :: Q(cur) > 0 -> st = (st ^ PHASE) + Q(cur) * (READER + PENDING)
            :: else
            fi;
            assert(A(st) == A(cur) + Q(cur) && P(st) == P(cur) + Q(cur));   /* no overflow */
            SHOW("writer release");
            break
        :: else -> cur = st
        fi
       }
    od;
    tags = (Q(cur) > 0 -> TAG_READER : 0) | ((cur & WSLEEP) -> TAG_WRITER : 0);
    if
    :: tags -> futex_wake(WAKE_ALL, tags, cnt, k, t)
    :: else
    fi;
    tags = 0;
    cur = 0
}

/* gs__rw_writer_sleep: in_time = whether the deadline has not passed */
inline writer_sleep() {
    atomic {
        if
        :: (cur & WSLEEP) -> ph = PH_SLEEP
        :: !(cur & WSLEEP) && st == cur -> st = cur | WSLEEP; cur = st; ph = PH_SLEEP
        :: !(cur & WSLEEP) && st != cur -> skip
        fi
    }
    if
    :: ph == PH_SLEEP ->
        ph = PH_RUN;
        SHOW("writer sleep");
        futex_wait(me, HIGH(cur), TAG_WRITER, timed, ret, k);
        in_time = ret != 0;
        ret = 0
    :: else -> in_time = 1
    fi
}

/* gs__rw_reader_noticed: P-1, clearing WSLEEP (and waking the writer) if P hits 0 */
inline reader_noticed() {
    do
    :: atomic {
        REFRESH;
        assert(P(cur) >= 1);
        if
        :: st == cur ->
            st = (cur - PENDING) & ~((P(cur) == 1) -> WSLEEP : 0);
            SHOW("reader noticed (P-1)");
            break
        :: else -> cur = st
        fi
       }
    od;
    if
    :: P(cur) == 1 && (cur & WSLEEP) -> futex_wake(1, TAG_WRITER, cnt, k, t)
    :: else
    fi
}

proctype thread(byte me) {
    int cur, old, phase;
    bool timed, timed_out, in_time;
    byte ph, ret, k, t, cnt, tags;
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
    timed = 0;
    if
    :: me < NREADERS -> goto R_lock
    :: me < NREADERS && RTIMED -> timed = 1; goto R_lock
    :: me < NREADERS && TRY -> goto R_try
    :: me >= NREADERS -> goto W_lock
    :: me >= NREADERS && WTIMED -> timed = 1; goto W_lock
    :: me >= NREADERS && TRY -> goto W_try
    fi;

    /* ---------------- readers ---------------- */
R_lock:
    rtrying[me] = !timed;
R_add:
#ifndef BUG_F3
    /* gs__rw_state_rlock (a34920d): load, then one CAS that adds to A if no writer is
     * pending, else to Q; a failed CAS reloads. */
    old = st;
    do
    :: atomic {
#ifdef LIVE
        old = st;
#endif
        if
        :: st == old && !(old & WPEND) -> st = old + READER; ph = PH_DONE; SHOW("rlock A+1")
        :: st == old && (old & WPEND) -> st = old + QUEUED; ph = PH_OUT; SHOW("rlock queues (Q+1)")
        :: st != old -> old = st
        fi
       }
        if
        :: ph == PH_DONE -> ph = PH_RUN; old = 0; goto r_acquired
        :: ph == PH_OUT -> ph = PH_RUN; phase = old & PHASE; cur = old + QUEUED; old = 0;
            goto R_queued_entry
        :: else
        fi
    od;
#else
    /* Before a34920d (FINDINGS.md F3): fetch_add A+1 first, look at WPEND after. */
    atomic {
        old = st;
        st = st + READER;
        SHOW("rlock A+1")
    }
    if
    :: !(old & WPEND) -> old = 0; goto r_acquired
    :: else
    fi;
#endif
    /* gs__rw_rlock_wait */
    phase = old & PHASE;
    cur = old + READER;
    old = 0;
R_move:
    do
    :: atomic {
        REFRESH;
        if
        :: !(cur & WPEND) || (cur & PHASE) != phase -> ph = PH_DONE
        :: (cur & WPEND) && (cur & PHASE) == phase && st == cur ->
            st = cur - READER + QUEUED; ph = PH_OUT; SHOW("reader queues (A-1, Q+1)")
        :: (cur & WPEND) && (cur & PHASE) == phase && st != cur -> cur = st
        fi
       }
        if
        :: ph == PH_DONE -> ph = PH_RUN; goto r_acquired
        :: ph == PH_OUT ->
            ph = PH_RUN;
            after_reader_left(cur);
            cur = cur - READER + QUEUED;
            break
        :: else
        fi
    od;
R_queued_entry:
    timed_out = 0;
R_queued:
    do
    :: atomic {
        REFRESH;
        if
        :: (cur & PHASE) != phase -> ph = PH_DONE
        :: (cur & PHASE) == phase && timed_out && st == cur ->
R_leave:
            assert(Q(cur) >= 1);
            st = cur - QUEUED;
            SHOW("timed-out reader leaves Q");
            ph = PH_OUT
        :: (cur & PHASE) == phase && timed_out && st != cur -> cur = st
        :: (cur & PHASE) == phase && !timed_out -> ph = PH_SLEEP
        fi
       }
        if
        :: ph == PH_DONE ->
            ph = PH_RUN;
R_noticed:
            reader_noticed();
            goto r_acquired
        :: ph == PH_OUT -> ph = PH_RUN; goto r_gave_up
        :: ph == PH_SLEEP ->
            ph = PH_RUN;
R_sleep:
            SHOW("reader sleep");
            futex_wait(me, HIGH(cur), TAG_READER, timed, ret, k);
            timed_out = ret == 0;
            ret = 0;
            cur = st
        :: else
        fi
    od;

R_try:
    cur = st;
    do
    :: atomic {
        REFRESH;
        if
        :: cur & WPEND -> ph = PH_OUT
        :: !(cur & WPEND) && st == cur -> st = cur + READER; ph = PH_DONE; SHOW("tryrlock")
        :: !(cur & WPEND) && st != cur -> cur = st
        fi
       }
        if
        :: ph == PH_DONE -> ph = PH_RUN; goto r_acquired
        :: ph == PH_OUT -> ph = PH_RUN; cur = 0; goto next_op
        :: else
        fi
    od;

r_acquired:
    atomic {
        assert(writer == NOBODY);
        readers++;
        rtrying[me] = 0;
        phase = 0; cur = 0; timed_out = 0
    }
    /* read-side critical section */
R_unlock:
    cur = st;
    do
    :: atomic {
        REFRESH;
        assert(A(cur) != 0);                    /* "RUnlock of unlocked RWMutex" */
        if
        :: st == cur -> readers--; st = cur - READER; SHOW("runlock"); break
        :: else -> cur = st
        fi
       }
    od;
    if
    :: cur & WPEND -> after_reader_left(cur)
    :: else
    fi;
    cur = 0;
    goto next_op;

r_gave_up:
    assert(timed);
    phase = 0; cur = 0; timed_out = 0;
    goto next_op;

    /* ---------------- writers ---------------- */
W_lock:
W_fast:     /* gs__rw_fast_wlock: all clear but PHASE -> WPEND */
    atomic {
        if
        :: (st & ~PHASE) == 0 -> st = st | WPEND; ph = PH_DONE; SHOW("writer fast path")
        :: else
        fi
    }
    if
    :: ph == PH_DONE -> ph = PH_RUN; goto w_acquired
    :: else
    fi;
W_w:        /* gs__rw_lock_slow: lock w */
    if
    :: atomic { w == 0 -> w = me + 1 }
    :: timed -> goto next_op                    /* gs__mutex_lock_until gave up */
    fi;
    in_time = 1;
    cur = st;
W_announce:
    do
    :: atomic {
        REFRESH;
        if
        :: !(cur & WPEND) && P_CLEAR(cur) && st == cur ->
            st = (cur & ~(WSLEEP | WBLOCK)) | WPEND | WHOLD; cur = st; ph = PH_DONE;
            announced[me] = 1; SHOW("writer announces")
        :: !(cur & WPEND) && P_CLEAR(cur) && st != cur -> cur = st
        :: !(!(cur & WPEND) && P_CLEAR(cur)) && !(cur & WBLOCK) ->
            if
            :: st == cur -> st = cur | WBLOCK; SHOW("writer sets WBLOCK")
            :: else
            fi;
            cur = st
        :: !(!(cur & WPEND) && P_CLEAR(cur)) && (cur & WBLOCK) && !in_time -> ph = PH_OUT
        :: !(!(cur & WPEND) && P_CLEAR(cur)) && (cur & WBLOCK) && in_time ->
            ph = PH_SLEEP; LIVE_WSLEEP
        fi
       }
        if
        :: ph == PH_DONE -> ph = PH_RUN; break
        :: ph == PH_OUT ->
            ph = PH_RUN;
            do
            :: atomic {
                REFRESH;
                if
                :: st == cur -> st = cur & ~WBLOCK; SHOW("writer gives up on w"); break
                :: else -> cur = st
                fi
               }
            od;
            w = 0; cur = 0; goto next_op
        :: ph == PH_SLEEP -> ph = PH_RUN; writer_sleep(); cur = st
        :: else
        fi
    od;
W_drain:    /* gs__rw_writer_drain; w stays held */
    do
    :: atomic {
        REFRESH;
        if
        :: A(cur) == 0 && !(cur & WSLEEP) -> ph = PH_DONE
        :: A(cur) == 0 && (cur & WSLEEP) && st == cur -> st = cur & ~WSLEEP; ph = PH_DONE
        :: A(cur) == 0 && (cur & WSLEEP) && st != cur -> cur = st
        :: A(cur) != 0 && !in_time -> ph = PH_OUT
        :: A(cur) != 0 && in_time -> ph = PH_SLEEP; LIVE_WSLEEP
        fi
       }
        if
        :: ph == PH_DONE -> ph = PH_RUN; break
        :: ph == PH_OUT ->
            ph = PH_RUN;
W_giveup:
            SHOW("writer gives up");
            announced[me] = 0;
            writer_release();
            goto next_op
        :: ph == PH_SLEEP -> ph = PH_RUN; writer_sleep(); cur = st
        :: else
        fi
    od;
    goto w_acquired;

W_try:      /* gs_rwmutex_trylock: the fast path only */
    atomic {
        if
        :: (st & ~PHASE) == 0 -> st = st | WPEND; ph = PH_DONE; SHOW("trylock")
        :: else
        fi
    }
    if
    :: ph == PH_DONE -> ph = PH_RUN; goto w_acquired
    :: else -> goto next_op
    fi;

w_acquired:
    atomic {
        assert(writer == NOBODY && readers == 0);
        writer = me;
        announced[me] = 0;
        cur = 0; in_time = 0
    }
    /* write-side critical section */
W_unlock:
    writer = NOBODY;
    writer_release();
    goto next_op;

#if ITERS > 0
finished:
    ndone++
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
    assert(A(st) == 0 && Q(st) == 0 && P(st) == 0 && !(st & (WPEND | WSLEEP | WBLOCK | WHOLD)) &&
           w == 0 &&
           fqlen == 0 && readers == 0 && writer == NOBODY)
#endif
}

#if ITERS == 0
#define WP(i) ([] (announced[i] -> <> !announced[i]))
#define RP(i) ([] (rtrying[i] -> <> !rtrying[i]))
#if NTHREADS == 2
ltl writer { WP(0) && WP(1) }
ltl reader { RP(0) && RP(1) }
#elif NTHREADS == 3
ltl writer { WP(0) && WP(1) && WP(2) }
ltl reader { RP(0) && RP(1) && RP(2) }
#else
ltl writer { WP(0) && WP(1) && WP(2) && WP(3) }
ltl reader { RP(0) && RP(1) && RP(2) && RP(3) }
#endif
#endif
