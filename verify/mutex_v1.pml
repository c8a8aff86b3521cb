/* verify/mutex_v1.pml: gs_mutex as it was up to main 542bac6 (before a34920d), for SPIN: the
 * design in which FINDINGS.md F1 was found; kept so that run.sh can keep showing F1 there.
 *
 * The state word is modelled bit for bit (same bit values, same arithmetic); every atomic
 * read-modify-write of the C code is one atomic step here, every plain load is its own step,
 * and the futex is verify/futex.pml. What is abstracted:
 *   - spinning (mutex.c:99-109): it only ever CASes a word equal to 0 to LOCKED, which the
 *     barge step (mutex.c:114-118) also does from any interleaving, so it adds no behaviour;
 *   - time: "waited over GS__STARVE_NS" (mutex.c:173) becomes true nondeterministically after
 *     any wait, and surely after STARVE_AFTER waits (time passes); a timed waiter's deadline
 *     passes nondeterministically while it sleeps (futex_wait's timeout);
 *   - memory orders: the model is sequentially consistent; TSan checks the orders.
 *
 *   - the fast paths (gs_mutex_lock's CAS 0 -> LOCKED, mutex.c:217/182; gs_mutex_unlock's
 *     CAS LOCKED -> 0, 223) are left out: each is its slow path's first iteration with the
 *     loaded value guessed (0, LOCKED), so the slow path alone has the same behaviours.
 *
 * Map from the model to src/mutex.c (function: lines):
 *   M_load      old = load                                                   (97)
 *   M_barge     !LOCKED: CAS old -> old|LOCKED                               (114-118)
 *   M_newcomer  HANDOFF: set NEWCOMER (CAS), wait tag NEWCOMER, reload       (119-128)
 *   M_register  CAS old -> old + WAITER                                      (129-136)
 *   M_claim     HANDOFF or !LOCKED: CAS -> gs__mutex_claimed(old, starving) and wake all
 *               newcomers if old had NEWCOMER                                (142-153, 86-92)
 *   M_leave     timed out: CAS -> (old - WAITER) & ~WOKEN, ~STARVING if last (154-161)
 *   M_prepare   clear WOKEN, set STARVING if starving (CAS)                  (162-169)
 *   M_sleep     wait(old, tag WAITER), reload, maybe starving                (170-174)
 *   T_try       gs_mutex_trylock                                             (227-234)
 *   U_load      gs__mutex_unlock_slow: load, fatal check, CAS               (187-209)
 *   U_wake      then wake(1, WAITER) if the CAS set WOKEN or HANDOFF         (211-212)
 *
 * Properties:
 *   - mutual exclusion: assert at every acquisition that nobody holds the lock;
 *   - the invariants of mutex.c's top comment, asserted after every write of the word,
 *     and WAITERS(state) == the number of threads between M_register and M_claim/M_leave;
 *   - a handoff goes only to a thread registered before it (no stealing by newcomers):
 *     asserted at M_claim;
 *   - a timed-out waiter never swallows a handoff, no lost wake-up, no deadlock: with
 *     ITERS > 0 each thread does ITERS operations and stops; any run where a thread stays
 *     blocked is an invalid end state, and the checker asserts the word is 0 at the end;
 *   - with ITERS == 0 (threads loop forever, FIFO futex, LIVE): ltl `nolostwake`, no
 *     thread sleeps in the futex forever while the others run; ltl `starvation`, every
 *     untimed lock call returns (holds for 2 threads; FINDINGS.md F1 for 3).
 *
 * LIVE (liveness runs): each "load, decide, CAS" is fused into one step, i.e. a CAS retry
 * loop is assumed to end (otherwise weak fairness lets a CAS fail forever, which says
 * nothing about the algorithm); safety runs keep every load and CAS apart.
 */
#ifndef NTHREADS
#define NTHREADS 3
#endif
#ifndef TIMED_THREADS           /* threads NTHREADS-TIMED_THREADS.. may use timed locks */
#define TIMED_THREADS 1
#endif
#ifndef TRY_THREADS             /* threads 0..TRY_THREADS-1 may use trylock */
#define TRY_THREADS 1
#endif
#ifndef ITERS                   /* operations per thread; 0: forever (liveness runs) */
#define ITERS 2
#endif
#ifndef STARVE_AFTER            /* waits after which a waiter surely counts as starving */
#define STARVE_AFTER 2
#endif

#define LOCKED   1
#define WOKEN    2
#define STARVING 4
#define HANDOFF  8
#define NEWCOMER 16
#define WAITER   32
#define WAITERS(s) ((s) >> 5)

#define TAG_WAITER   1
#define TAG_NEWCOMER 2

int state;                      /* gs_mutex.state */
#define FUTEX_WORD state
#include "futex.pml"

byte holder = NOBODY;           /* who is in the critical section */
byte reg;                       /* ghost: bit i = thread i is registered */
byte entitled;                  /* ghost: reg at the moment HANDOFF was set */
byte ndone;                     /* threads that finished their ITERS operations */
bool trying[NTHREADS];          /* inside an untimed gs_mutex_lock */

#define BIT(i) (1 << (i))
#define POP(b) (((b) & 1) + (((b) >> 1) & 1) + (((b) >> 2) & 1) + (((b) >> 3) & 1) + (((b) >> 4) & 1))
#define INV(s) ((!((s) & STARVING) || (((s) & LOCKED) && WAITERS(s) >= 1)) && \
                (!((s) & HANDOFF) || (((s) & LOCKED) && WAITERS(s) >= 1)) && \
                (!((s) & WOKEN) || WAITERS(s) >= 1) && \
                WAITERS(s) == POP(reg))

/* Trail output only (spin -t); no effect on the search. */
#define SHOW(what) printf("T%d ", me); printf(what); \
    printf(": L%d W%d S%d H%d N%d waiters=%d  queue=%d\n", \
    state & LOCKED, (state & WOKEN) >> 1, (state & STARVING) >> 2, (state & HANDOFF) >> 3, \
    (state & NEWCOMER) >> 4, WAITERS(state), fqlen)

/* The step that makes `me` the owner: mutual exclusion is checked here. */
#define GOT_LOCK assert(INV(state)); assert(holder == NOBODY); holder = me; trying[me] = 0

/* gs__mutex_claimed (mutex.c:86-92). TRY_F1: a candidate fix for FINDINGS.md F1 (leave
 * starvation mode only when the last waiter claims), not what src/mutex.c does. */
#ifdef TRY_F1
#define LEAVE_STARVING(old, starving) (WAITERS(old) == 1)
#else
#define LEAVE_STARVING(old, starving) (!(starving) || WAITERS(old) == 1)
#endif
#define CLAIMED(old, starving) \
    ((((old) | LOCKED) - WAITER) & ~(WOKEN | HANDOFF | NEWCOMER) & \
     ~((((old) & HANDOFF) && LEAVE_STARVING(old, starving)) -> STARVING : 0))

/* Seeded bugs, to show the checks can fail (verify/run.sh runs them and expects a
 * counterexample): MUTANT_LOST_WAKE, an unlock that does not wake the only waiter;
 * MUTANT_SWALLOW, a timed-out waiter that leaves although HANDOFF is set. */
#ifdef MUTANT_SWALLOW
#define SWALLOW(old) (timed_out && ((old) & HANDOFF))
#else
#define SWALLOW(old) 0
#endif

/* Phases a step can leave a thread in (local `ph`). */
#define PH_RUN      0
#define PH_GAVE_UP  1
#define PH_REGD     2
#define PH_SLEEP    3
#define PH_DONE     4

/* LIVE: each "load, decide, CAS" is fused into one step (CAS loops terminate); see the
 * comment at the top. Otherwise a CAS compares with the value loaded earlier and may fail. */
#ifdef LIVE
#define REFRESH old = state
#else
#define REFRESH skip
#endif

proctype thread(byte me) {
    int old;
    bool timed, timed_out, starving, wake, nc;
    byte ph, ret, nwaits, k, t, cnt;
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
    if
    :: skip                                             /* gs_mutex_lock */
    :: me >= NTHREADS - TIMED_THREADS -> timed = 1      /* gs_mutex_lock_timeout */
    :: me < TRY_THREADS -> goto T_try                   /* gs_mutex_trylock */
    fi;
    trying[me] = !timed;

M_load:
    old = state;

    /* Barge or register; stay out of the queue while a handoff is in flight. */
    do
    :: atomic {
        REFRESH;
        if
        :: !(old & LOCKED) ->
M_barge:
            if
            :: state == old -> state = old | LOCKED; GOT_LOCK; SHOW("barge")
            :: else -> old = state
            fi
        :: (old & LOCKED) && (old & HANDOFF) && timed_out -> ph = PH_GAVE_UP
        :: (old & LOCKED) && (old & HANDOFF) && !timed_out && !(old & NEWCOMER) ->
M_newcomer:
            if
            :: state == old -> state = old | NEWCOMER; old = state; assert(INV(state));
                SHOW("newcomer"); ph = PH_SLEEP     /* mutex.c:124: sleeps at once */
            :: else -> old = state
            fi
        :: (old & LOCKED) && (old & HANDOFF) && !timed_out && (old & NEWCOMER) -> ph = PH_SLEEP
        :: (old & LOCKED) && !(old & HANDOFF) && timed_out -> ph = PH_GAVE_UP
        :: (old & LOCKED) && !(old & HANDOFF) && !timed_out ->
M_register:
            if
            :: state == old ->
                state = old + WAITER; reg = reg | BIT(me); old = state; ph = PH_REGD;
                assert(INV(state)); SHOW("register")
            :: else -> old = state
            fi
        fi
       }
        if
        :: holder == me -> goto acquired
        :: ph == PH_GAVE_UP -> goto gave_up
        :: ph == PH_REGD -> ph = PH_RUN; break
        :: ph == PH_SLEEP ->
            ph = PH_RUN;
M_newcomer_sleep:
            SHOW("newcomer sleep");
            futex_wait(me, old, TAG_NEWCOMER, timed, ret, k);
            timed_out = timed_out || ret == 0;
            ret = 0;
            old = state
        :: else
        fi
    od;

    /* Registered: claim, leave, or sleep. */
    do
    :: atomic {
        REFRESH;
        if
        :: ((old & HANDOFF) || !(old & LOCKED)) && !SWALLOW(old) ->
M_claim:
            if
            :: state == old ->
                assert(!(old & HANDOFF) || (entitled & BIT(me)));
                state = CLAIMED(old, starving);
                reg = reg & ~BIT(me);
                entitled = ((old & HANDOFF) -> 0 : entitled);
                GOT_LOCK;
                SHOW("claim");
                nc = (old & NEWCOMER) != 0
            :: else -> old = state
            fi
        :: (!((old & HANDOFF) || !(old & LOCKED)) && timed_out) || SWALLOW(old) ->
M_leave:
            if
            :: state == old ->
                state = (old - WAITER) & ~WOKEN & ~((WAITERS(old) == 1) -> STARVING : 0);
                reg = reg & ~BIT(me);
                assert(INV(state));
                SHOW("leave (timed out)");
                ph = PH_GAVE_UP
            :: else -> old = state
            fi
        :: !((old & HANDOFF) || !(old & LOCKED)) && !timed_out &&
           (old & ~WOKEN | (starving -> STARVING : 0)) != old ->
M_prepare:
            if
            :: state == old ->
                state = old & ~WOKEN | (starving -> STARVING : 0);
                old = state;
                assert(INV(state));
                SHOW("clear WOKEN / set STARVING");
                ph = PH_SLEEP                       /* mutex.c:170: sleeps at once */
            :: else -> old = state
            fi
        :: !((old & HANDOFF) || !(old & LOCKED)) && !timed_out &&
           (old & ~WOKEN | (starving -> STARVING : 0)) == old -> ph = PH_SLEEP
        fi
       }
        if
        :: holder == me ->
            if
            :: nc -> nc = 0; futex_wake(WAKE_ALL, TAG_NEWCOMER, cnt, k, t)
            :: else
            fi;
            goto acquired
        :: ph == PH_GAVE_UP -> goto gave_up
        :: ph == PH_SLEEP ->
            ph = PH_RUN;
M_sleep:
            SHOW("sleep");
            futex_wait(me, old, TAG_WAITER, timed, ret, k);
            if
            :: ret == 0 -> SHOW("woke: deadline passed")
            :: ret == 1 -> SHOW("woke")
            fi;
            timed_out = ret == 0;
            ret = 0;
            old = state;
            /* mutex.c:173: time has passed; surely enough after STARVE_AFTER waits */
            if
            :: !starving && nwaits + 1 >= STARVE_AFTER -> starving = 1; nwaits = 0;
                SHOW("starving")
            :: !starving && nwaits + 1 < STARVE_AFTER -> nwaits++
            :: !starving && nwaits + 1 < STARVE_AFTER -> starving = 1; nwaits = 0;
                SHOW("starving")
            :: starving -> skip
            fi
        :: else
        fi
    od;

T_try:
    old = state;
    atomic {
        REFRESH;
        if
        :: !(old & LOCKED) && state == old -> state = old | LOCKED; GOT_LOCK; SHOW("trylock")
        :: else
        fi;
        old = 0
    }
    if
    :: holder == me -> goto acquired
    :: else -> goto next_op
    fi;

acquired:
    /* critical section: holder == me since the acquiring step */
    timed = 0; timed_out = 0; starving = 0; nwaits = 0;
U_load:
    old = state;
    do
    :: atomic {
        REFRESH;
        assert((old & LOCKED) && !(old & HANDOFF));   /* "unlock of unlocked mutex" */
        if
        :: state == old ->
            assert(holder == me);
            holder = NOBODY;
            if
            :: old & STARVING -> state = old | HANDOFF; wake = 1; entitled = reg
            :: else ->
#ifdef MUTANT_LOST_WAKE
                wake = (WAITERS(old) > 1 && !(old & WOKEN));   /* seeded bug: run.sh */
#else
                wake = (WAITERS(old) > 0 && !(old & WOKEN));
#endif
                state = old & ~LOCKED | (wake -> WOKEN : 0)
            fi;
            assert(INV(state));
            SHOW("unlock");
            old = 0;
            ph = PH_DONE
        :: else -> old = state
        fi
       }
        if
        :: ph == PH_DONE -> ph = PH_RUN; break
        :: else
        fi
    od;
U_wake:
    if
    :: wake -> wake = 0; futex_wake(1, TAG_WAITER, cnt, k, t)
    :: else
    fi;
    goto next_op;

gave_up:
    assert(timed);
    SHOW("gave up");
    ph = PH_RUN; trying[me] = 0; timed = 0; timed_out = 0; starving = 0; nwaits = 0; old = 0;
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
    /* Everyone finished: nothing is left locked, counted, flagged or asleep. */
    (ndone == NTHREADS);
    assert(state == 0 && fqlen == 0 && reg == 0 && holder == NOBODY)
#endif
}

#if ITERS == 0
/* starvation: every untimed lock call returns (trying[i] is set only for those). */
#define P(i) ([] (trying[i] -> <> !trying[i]))
/* nolostwake: no thread sleeps in the futex forever while the others go on. */
#define W(i) ([] (asleep[i] -> <> !asleep[i]))
#if NTHREADS == 2
ltl starvation { P(0) && P(1) }
ltl nolostwake { W(0) && W(1) }
#elif NTHREADS == 3
ltl starvation { P(0) && P(1) && P(2) }
ltl nolostwake { W(0) && W(1) && W(2) }
#else
ltl starvation { P(0) && P(1) && P(2) && P(3) }
ltl nolostwake { W(0) && W(1) && W(2) && W(3) }
#endif
#endif
