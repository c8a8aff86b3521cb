/* verify/mutex.pml: gs_mutex (main's src/mutex.c as of a34920d: counted starvers, only a
 * starver claims a handoff, paced handoffs), for SPIN. verify/mutex_v1.pml is the design
 * before it (FINDINGS.md F1).
 *
 * The state word is modelled bit for bit (LOCKED 1, WOKEN 2, HANDOFF 4, starvers from bit
 * 4, waiters from bit 16); every atomic RMW of the C code is one atomic step, every plain
 * load its own step; the futex is verify/futex.pml. Abstracted:
 *   - spinning and the fast paths, as in mutex_v1.pml (the slow path alone has the same
 *     behaviours); the WAITERS_MAX polling path (65,535 waiters) is not reachable here;
 *   - time: "waited over GS__STARVE_NS" (promotion to starver) may become true after any
 *     sleep and surely after STARVE_AFTER sleeps; the handoff pacing ("the last handoff of
 *     this mutex was over GS__HANDOFF_GAP_NS ago") may hold at any unlock with starvers and
 *     surely after GAP_AFTER normal unlocks with starvers (time passes);
 *   - memory orders (TSan checks them).
 *
 * Map from the model to src/mutex.c (functions of a34920d):
 *   M_load      gs__mutex_lock_wait: old = load
 *   M_barge     !LOCKED: CAS old -> old|LOCKED
 *   M_register  LOCKED: CAS old -> old + WAITER
 *   M_claim     !LOCKED, or HANDOFF and we are a starver: CAS -> ((old|LOCKED) - WAITER)
 *               & ~(WOKEN|HANDOFF), minus STARVER if we are one
 *   M_leave     timed out: CAS -> (old - WAITER) & ~WOKEN, minus STARVER if we are one
 *   M_prepare   clear WOKEN, and + STARVER if promoted (CAS)
 *   M_sleep     wait(old, tag STARVER if we are one, else WAITER), reload
 *   T_try       gs_mutex_trylock
 *   U_load      gs__mutex_unlock_slow: load, fatal check; starvers and the gap passed:
 *               +HANDOFF (tag STARVER); else clear LOCKED, and if waiters and !WOKEN set
 *               WOKEN (tags WAITER|STARVER); one CAS
 *   U_wake      then wake(1, tag)
 *
 * Properties (as mutex_v1.pml): exclusion; the invariants of mutex.c's comment after every
 * write (HANDOFF => LOCKED and starvers >= 1; starvers <= waiters; WOKEN => waiters >= 1;
 * waiters and starvers equal the threads registered / promoted); only a starver claims a
 * handoff; no lost wake-up, no deadlock, word 0 at the end (ITERS > 0); ltl `nolostwake` and
 * `starvation` (every untimed lock returns) under weak fairness (ITERS == 0).
 */
#ifndef NTHREADS
#define NTHREADS 3
#endif
#ifndef TIMED_THREADS
#define TIMED_THREADS 1
#endif
#ifndef TRY_THREADS
#define TRY_THREADS 1
#endif
#ifndef ITERS
#define ITERS 2
#endif
#ifndef STARVE_AFTER
#define STARVE_AFTER 2
#endif
#ifndef GAP_AFTER
#define GAP_AFTER 2
#endif

#define LOCKED   1
#define WOKEN    2
#define HANDOFF  4
#define STARVER  16
#define WAITER   65536
#define WAITERS(s)  ((s) >> 16)
#define STARVERS(s) (((s) >> 4) & 4095)

#define TAG_WAITER  1
#define TAG_STARVER 2

int state;                      /* gs_mutex.state */
#define FUTEX_WORD state
#include "futex.pml"

byte holder = NOBODY;
byte reg;                       /* ghost: registered threads */
byte starv;                     /* ghost: registered threads that are starvers */
byte gap;                       /* normal unlocks with starvers since the last handoff */
byte ndone;
bool trying[NTHREADS];

#define BIT(i) (1 << (i))
#define POP(b) (((b) & 1) + (((b) >> 1) & 1) + (((b) >> 2) & 1) + (((b) >> 3) & 1))
#define INV(s) ((!((s) & HANDOFF) || (((s) & LOCKED) && STARVERS(s) >= 1)) && \
                STARVERS(s) <= WAITERS(s) && (!((s) & WOKEN) || WAITERS(s) >= 1) && \
                WAITERS(s) == POP(reg) && STARVERS(s) == POP(starv))

#define SHOW(what) printf("T%d ", me); printf(what); \
    printf(": L%d W%d H%d starvers=%d waiters=%d queue=%d\n", state & LOCKED, \
    (state & WOKEN) >> 1, (state & HANDOFF) >> 2, STARVERS(state), WAITERS(state), fqlen)

#define GOT_LOCK assert(INV(state)); assert(holder == NOBODY); holder = me; trying[me] = 0

#define PH_RUN      0
#define PH_GAVE_UP  1
#define PH_REGD     2
#define PH_SLEEP    3
#define PH_DONE     4

#ifdef LIVE
#define REFRESH old = state
#else
#define REFRESH skip
#endif

proctype thread(byte me) {
    int old;
    bool timed, timed_out, starver, promote;
    byte ph, ret, nwaits, k, t, cnt, tag;
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
    :: skip
    :: me >= NTHREADS - TIMED_THREADS -> timed = 1
    :: me < TRY_THREADS -> goto T_try
    fi;
    trying[me] = !timed;

M_load:
    old = state;
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
        :: (old & LOCKED) && timed_out -> ph = PH_GAVE_UP
        :: (old & LOCKED) && !timed_out ->
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
        :: else
        fi
    od;

    do
    :: atomic {
        REFRESH;
        if
        :: !(old & LOCKED) || ((old & HANDOFF) && starver) ->
M_claim:
            if
            :: state == old ->
                assert(!(old & HANDOFF) || starver);
                state = (((old | LOCKED) - WAITER) & ~(WOKEN | HANDOFF)) -
                        (starver -> STARVER : 0);
                reg = reg & ~BIT(me);
                starv = starv & ~BIT(me);
                GOT_LOCK;
                SHOW("claim")
            :: else -> old = state
            fi
        :: !(!(old & LOCKED) || ((old & HANDOFF) && starver)) && timed_out ->
M_leave:
            if
            :: state == old ->
                state = ((old - WAITER) & ~WOKEN) - (starver -> STARVER : 0);
                reg = reg & ~BIT(me);
                starv = starv & ~BIT(me);
                assert(INV(state));
                SHOW("leave (timed out)");
                ph = PH_GAVE_UP
            :: else -> old = state
            fi
        :: !(!(old & LOCKED) || ((old & HANDOFF) && starver)) && !timed_out ->
M_prepare:
            /* promote: waited over GS__STARVE_NS (time: see the top comment) */
            if
            :: !starver && nwaits >= STARVE_AFTER -> promote = 1
            :: !starver && nwaits >= 1 -> promote = 1
            :: !starver && nwaits < STARVE_AFTER -> promote = 0
            :: starver -> promote = 0
            fi;
            if
            :: ((old & ~WOKEN) + (promote -> STARVER : 0)) == old -> ph = PH_SLEEP
            :: ((old & ~WOKEN) + (promote -> STARVER : 0)) != old && state == old ->
                state = (old & ~WOKEN) + (promote -> STARVER : 0);
                old = state;
                if
                :: promote -> starver = 1; starv = starv | BIT(me); nwaits = 0
                :: else
                fi;
                assert(INV(state));
                SHOW("clear WOKEN / become a starver");
#ifdef FIX_F5
                /* candidate fix (FINDINGS.md F5): a new starver that sees HANDOFF claims it
                 * instead of sleeping on a word that may come back to this value (ABA) */
                ph = ((promote && (old & HANDOFF)) -> PH_RUN : PH_SLEEP)
#else
                ph = PH_SLEEP
#endif
            :: ((old & ~WOKEN) + (promote -> STARVER : 0)) != old && state != old -> old = state
            fi;
            promote = 0
        fi
       }
        if
        :: holder == me -> goto acquired
        :: ph == PH_GAVE_UP -> goto gave_up
        :: ph == PH_SLEEP ->
            ph = PH_RUN;
M_sleep:
            SHOW("sleep");
            futex_wait(me, old, (starver -> TAG_STARVER : TAG_WAITER), timed, ret, k);
            timed_out = ret == 0;
            ret = 0;
            old = state;
            if
            :: !starver && nwaits < STARVE_AFTER -> nwaits++
            :: else
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
    timed = 0; timed_out = 0; starver = 0; nwaits = 0;
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
            :: STARVERS(old) > 0 && gap >= GAP_AFTER ->
                state = old | HANDOFF; tag = TAG_STARVER; gap = 0
            :: STARVERS(old) > 0 && gap < GAP_AFTER ->
                state = old | HANDOFF; tag = TAG_STARVER; gap = 0
            :: !(STARVERS(old) > 0 && gap >= GAP_AFTER) ->
                /* normal unlock: no starver, or the gap since the last handoff not passed */
                tag = ((WAITERS(old) > 0 && !(old & WOKEN)) -> (TAG_WAITER | TAG_STARVER) : 0);
                state = (old & ~LOCKED) | (tag -> WOKEN : 0);
                gap = ((STARVERS(old) > 0 && gap < GAP_AFTER) -> gap + 1 : gap)
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
    :: tag -> futex_wake(1, tag, cnt, k, t); tag = 0
    :: else
    fi;
    goto next_op;

gave_up:
    assert(timed);
    SHOW("gave up");
    ph = PH_RUN; trying[me] = 0; timed = 0; timed_out = 0; starver = 0; nwaits = 0; old = 0;
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
    assert(state == 0 && fqlen == 0 && reg == 0 && starv == 0 && holder == NOBODY)
#endif
}

#if ITERS == 0
#define P(i) ([] (trying[i] -> <> !trying[i]))
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
