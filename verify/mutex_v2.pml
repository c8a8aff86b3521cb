/* verify/mutex_v2.pml (verify/mutex.pml until 2026-11-27, when gs_mutex moved to a queue of
 * waiter records; run by the full set only): gs_mutex as in main's src/mutex.c from f0a0d83 (counted starvers, only
 * a starver claims a handoff, paced handoffs; a new starver looks again before sleeping
 * (FINDINGS.md F5), a plain waiter wakes by itself when it is due to become a starver (F6)),
 * with the clock-reading stride and the polling designated waiter of 2026-11-26, for SPIN.
 * (Line numbers below are f0a0d83's.) BUG_F5 / BUG_F6 put back a34920d's code for those two steps (the design in which
 * they were found); verify/mutex_v1.pml is the design before a34920d (F1).
 *
 * The state word is modelled bit for bit (LOCKED 1, WOKEN 2, HANDOFF 4, starvers from bit 4,
 * waiters from bit 16); every atomic RMW of the C code is one atomic step, every plain load
 * its own step; the futex is verify/futex.pml. Abstracted:
 *   - spinning (mutex.c:123-133): it only CASes a word equal to 0 to LOCKED, which the barge
 *     step also does; the fast paths: see the last item of this list; the WAITERS_MAX
 *     polling path (145-153) needs 65,535 waiters, and STARVERS_MAX (184) 4,095 starvers:
 *     neither is reachable here;
 *   - time (gs__now_ns): "now - start >= GS__STARVE_NS" (185) may become true at any
 *     M_prepare and then stays true; with STARVE_AFTER > 0 (liveness runs) it surely holds
 *     after STARVE_AFTER sleeps (time passes). The promotion timer of a plain waiter's sleep
 *     (until = start + GS__STARVE_NS, 202-204) may fire at any moment of that sleep, and
 *     then the waiter has waited long enough; a timed waiter's deadline may pass at any
 *     moment of any sleep (so both orders of deadline and start + GS__STARVE_NS are
 *     covered). The handoff pacing (231-232, "the last handoff of this mutex was at least
 *     GS__HANDOFF_GAP_NS ago") may or may not hold at any unlock that sees starvers; with
 *     GAP_AFTER > 0 (liveness runs) it surely holds after GAP_AFTER normal unlocks that saw
 *     starvers (time passes; the count includes the unlocks that skip the clock, below).
 *     With CLOCK (below), time is a discrete clock instead, with the assumption that
 *     runnable threads run within half a millisecond;
 *   - the clock-reading stride (gs__pacing_check, since 2026-11-26): an unlock that sees
 *     starvers reads the clock on one in up to GS__CLOCK_EVERY of them, and only a reading
 *     unlock hands off. Free time already lets any unlock skip the handoff; with CLOCK, up
 *     to STRIDE - 1 normal unlocks in a row may come after the gap has passed (the C
 *     stride is 8 or 1, and STRIDE = 8 allows every shorter run of late unlocks too);
 *   - the inline fast paths as they are since 2026-11-26 (include/gosync/mutex.h): lock's
 *     fetch-or of LOCKED is M_barge when LOCKED is clear and changes nothing when it is set
 *     (the slow path then runs from M_load); unlock's load and CAS, taken only when no
 *     starver or HANDOFF is there and no waiter needs waking (none, or WOKEN set), is U_load
 *     and the branch of U_cas that clears LOCKED and wakes nobody. No step the model lacks;
 *   - memory orders (TSan checks them).
 *
 * Map from the model to src/mutex.c (lines of main f0a0d83):
 *   M_load      gs__mutex_lock_wait: old = load                                    (121)
 *   M_barge     !LOCKED: CAS old -> old|LOCKED                                     (138-142)
 *   M_register  LOCKED: CAS old -> old + WAITER; start = now                       (154-160)
 *   M_claim     !LOCKED, or HANDOFF and we are a starver: CAS -> ((old|LOCKED) - WAITER)
 *               & ~(WOKEN|HANDOFF), minus STARVER if we are one                    (163-172)
 *   M_leave     timed out: CAS -> (old - WAITER) & ~WOKEN, minus STARVER if one    (173-180)
 *   M_prepare   want = old & ~WOKEN (old itself for the designated waiter, below),
 *               + STARVER if promoted; CAS if want != old;
 *               promoted: loop again without sleeping (F5's fix)                   (183-198)
 *   M_sleep     wait(old, until, tag STARVER if a starver else WAITER), where until is
 *               start + GS__STARVE_NS for a plain waiter (F6's fix; its expiry is not a
 *               timeout), now + GS__POLL_NS for the designated waiter (its expiry is not
 *               a timeout either; with CLOCK it fires within the tick), or the
 *               deadline; reload; designated := WOKEN is set and (it was, or the wait
 *               returned true and WOKEN was clear when it slept) (since 2026-11-26)  (202-208)
 *   M_rewait    (since 2026-11-26 evening) the designated waiter whose wait returned
 *               (woken, or the word had changed) on a word that differs at most in LOCKED
 *               from the one it slept on sleeps again on the new word, its poll armed; once
 *               a sleep here (the C code loops until the poll is due): the loop after
 *               gs__wait in gs__mutex_lock_wait, not in f0a0d83
 *   T_try       gs_mutex_trylock                                                   (269-276)
 *   U_load      gs__mutex_unlock_slow: load                                        (224)
 *   U_cas       fatal check; starvers, the unlock reads the clock (gs__pacing_check)
 *               and the gap passed: +HANDOFF (tag STARVER);
 *               else clear LOCKED, and if waiters and !WOKEN set WOKEN (tags
 *               WAITER|STARVER); one CAS                                           (226-248)
 *   U_wake      then wake(1, tag)                                                  (253-254)
 *
 * Properties: exclusion; the invariants of mutex.c's comment after every write (HANDOFF =>
 * LOCKED and starvers >= 1; starvers <= waiters; WOKEN => waiters >= 1; waiters and
 * starvers equal the threads registered / promoted); only a starver claims a handoff; no
 * lost wake-up, no deadlock, no timed-out waiter swallowing a handoff, word 0 at the end
 * (ITERS > 0: every thread must finish its ITERS operations); under weak fairness
 * (ITERS == 0): ltl `nolostwake` (no thread asleep forever), `promoted` (no waiter stays a
 * plain waiter forever: F6), `starvation` (every untimed lock returns),
 * `starvation_sf`, the same assuming only that the pacing is strongly fair (infinitely many
 * unlocks that see starvers include infinitely many handoffs), and `starvation_clock`, the
 * same with CLOCK's time (holds for 2 threads; with 3, FINDINGS.md F7).
 *
 * Seeded bugs (run.sh requires a counterexample): MUTANT_SWALLOW, a timed-out starver leaves
 * although HANDOFF is set; MUTANT_LOST_WAKE, a normal unlock never wakes a plain waiter;
 * MUTANT_NO_POLL, the designated waiter keeps WOKEN but sleeps without its poll timeout.
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
#ifndef STARVE_AFTER            /* 0: never forced (safety runs) */
#define STARVE_AFTER 0
#endif
#ifndef GAP_AFTER               /* 0: never forced */
#define GAP_AFTER 0
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
/* CLOCK (liveness runs): discrete time instead of free time. A clock process ticks every
 * half GS__STARVE_NS (0.5 ms); a tick may come only when every registered waiter that is
 * awake (woken, timed out, or not yet asleep) has taken its next step on the mutex since
 * it became awake or since the last tick (it looked at the word, or went to sleep), and
 * every unlocker has made the wake its CAS called for: the scheduling assumption that a
 * runnable thread runs within 0.5 ms. Then:
 *   - a waiter registered for a ticks has waited over (a-1)/2 and at most a/2 ms: it may
 *     count as waited 1 ms (promote, or have its promotion timer fire) at a >= 2, and
 *     surely does at a >= 3;
 *   - the last handoff was over 100 us ago (GS__HANDOFF_GAP_NS) surely after 2 ticks, and
 *     maybe earlier: a normal unlock that sees starvers is allowed only before that.
 * The ltl formulas with _clock assume that time diverges (infinitely many ticks). */
#ifdef CLOCK
#ifndef STRIDE                  /* GS__CLOCK_EVERY (1: every unlock reads the clock) */
#define STRIDE 8
#endif
byte late;                      /* normal unlocks past the gap since the last handoff */
byte age[NTHREADS];             /* ticks since the thread registered, up to 3 */
byte since_handoff = 2;         /* ticks since the last handoff, up to 2 */
byte owe;                       /* awake registered waiters that have not stepped yet */
bit tk;                         /* flips at every tick */
#define AGE_MAY   (age[me] >= 2)
#define AGE_MUST  (age[me] >= 3)
#define STEPPED   owe = owe & ~(1 << me)
#define AWAKE(t)  owe = owe | (1 << (t))
#define ON_WAKE(t) AWAKE(t)
#define REGISTERED age[me] = 0
#define AGE_RESET age[me] = 0
/* an unlocker owes its wake too (it is runnable between its CAS and the wake) */
byte waking;
#define WAKING    if :: tag -> waking = waking | (1 << me); owe = owe | (1 << me) :: else fi
#define WOKE      waking = waking & ~(1 << me); STEPPED
/* a designated waiter's poll (GS__POLL_NS, 50 us) fires within the tick */
byte polling;
#define POLLING(p) if :: p -> polling = polling | (1 << me) :: else fi
#define POLLED    polling = polling & ~(1 << me)
#define POLL_ASLEEP (((polling & 1) && asleep[0]) || ((polling & 2) && asleep[1]) || \
                     (NTHREADS > 2 && (polling & 4) && asleep[(NTHREADS > 2 -> 2 : 0)]))
#else
#define POLLING(p) skip
#define POLLED    skip
#define AGE_RESET skip
#define WAKING    skip
#define WOKE      skip
#define AGE_MAY   1
#define AGE_MUST  0
#define STEPPED   skip
#define AWAKE(t)  skip
#define REGISTERED skip
#endif

#include "futex.pml"

byte holder = NOBODY;
byte reg;                       /* ghost: registered threads */
byte starv;                     /* ghost: registered threads that are starvers */
#if GAP_AFTER > 0
byte gap;                       /* normal unlocks that saw starvers since the last handoff */
#endif
byte pace;                      /* ghost, liveness: the unlock just done: 1 normal although
                                   starvers were counted, 2 a handoff; else 0 */
byte ndone;
bool trying[NTHREADS];          /* in an untimed lock call */

#define BIT(i) (1 << (i))
#define POP(b) (((b) & 1) + (((b) >> 1) & 1) + (((b) >> 2) & 1) + (((b) >> 3) & 1))
#define INV(s) ((!((s) & HANDOFF) || (((s) & LOCKED) && STARVERS(s) >= 1)) && \
                STARVERS(s) <= WAITERS(s) && (!((s) & WOKEN) || WAITERS(s) >= 1) && \
                WAITERS(s) == POP(reg) && STARVERS(s) == POP(starv))

#ifdef CLOCK
#define SHOWCLOCK printf(" tk=%d age=%d%d%d owe=%d", tk, age[0], age[1], (NTHREADS > 2 -> age[2] : 0), owe)
#else
#define SHOWCLOCK skip
#endif
#define SHOW(what) printf("T%d ", me); printf(what); \
    printf(": L%d W%d H%d starvers=%d waiters=%d queue=%d", state & LOCKED, \
    (state & WOKEN) >> 1, (state & HANDOFF) >> 2, STARVERS(state), WAITERS(state), fqlen); \
    SHOWCLOCK; printf("\n")

#define GOT_LOCK assert(INV(state)); assert(holder == NOBODY); holder = me; trying[me] = 0

#define PH_RUN      0
#define PH_GAVE_UP  1
#define PH_REGD     2
#define PH_SLEEP    3
#define PH_DONE     4

/* LIVE (liveness runs): each "load, decide, CAS" is one step (a CAS retry loop is assumed
 * to end; otherwise weak fairness lets a CAS fail forever), and `old` is kept at 0 where the
 * C code does not use it again (fewer states). */
#ifdef LIVE
#define REFRESH old = state
#define LOAD    skip
#define DEAD    old = 0
#else
#define REFRESH skip
#define LOAD    old = state
#define DEAD    skip
#endif

/* The designated waiter keeps WOKEN when it sleeps (and then polls); any other clears it. */
#define KEEP(o) (desig -> (o) : ((o) & ~WOKEN))

/* mutex.c:163: take it if it is free, or a handoff and we are a starver. */
#ifdef MUTANT_SWALLOW
#define TAKE(o) (!((o) & LOCKED) || (((o) & HANDOFF) && starver && !timed_out))
#else
#define TAKE(o) (!((o) & LOCKED) || (((o) & HANDOFF) && starver))
#endif

/* mutex.c:231-232: a normal unlock although starvers are counted, while the gap since the
 * last handoff has not passed (time: see the top comment) */
#if defined(CLOCK)
/* ... or past the gap, by an unlock that did not read the clock (the stride of
 * gs__pacing_check: at most STRIDE - 1 such unlocks in a row) */
#define NORMAL_OK(o) (STARVERS(o) == 0 || since_handoff < 2 || late < STRIDE - 1)
#elif GAP_AFTER > 0
#define NORMAL_OK(o) (STARVERS(o) == 0 || gap < GAP_AFTER)
#else
#define NORMAL_OK(o) 1
#endif

#if ITERS == 0
#define PACE(v) pace = (v)
#else
#define PACE(v) skip
#endif

/* The sleep of mutex.c:202-207 (futex_wait of futex.pml, plus the promotion timer of a plain
 * waiter: ret 3, not a timeout). */
inline mutex_wait(me, expected, tag, timed, timer, poll, ret, k) {
    atomic {
        if
        :: FUTEX_WORD != expected -> ret = 1                /* still awake: no step yet */
        :: else ->
            STEPPED;                                        /* asleep */
            fq[fqlen] = me;
            fqlen++;
            ftag[me] = tag;
            asleep[me] = 1;
            POLLING(poll);
            ret = 2
        fi
    }
    if
    :: ret == 2 ->
        if
        :: !asleep[me] -> ret = 1                                           /* woken */
        :: atomic { timed && asleep[me] -> fq_remove(me, k); AWAKE(me); ret = 0 }  /* deadline */
        :: atomic { timer && asleep[me] && AGE_MAY -> fq_remove(me, k); AWAKE(me); ret = 3 }
                                                                  /* start + GS__STARVE_NS */
        :: atomic { poll && asleep[me] -> fq_remove(me, k); AWAKE(me); ret = 4 }
                                                                  /* GS__POLL_NS */
        :: atomic { spurious > 0 && asleep[me] -> spurious--; fq_remove(me, k); AWAKE(me); ret = 1 }
        fi
    :: else
    fi;
    POLLED
}

proctype thread(byte me) {
    int old;
    bool timed, timed_out, starver, promote, waited, desig, rewaited;
    byte ph, ret, k, t, cnt, tag;
#if STARVE_AFTER > 0
    byte nwaits;
#endif
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
    LOAD;
    do
    :: atomic {
        REFRESH;
        if
        :: !(old & LOCKED) ->
M_barge:
            if
            :: state == old -> state = old | LOCKED; GOT_LOCK; SHOW("barge"); DEAD
            :: else -> old = state
            fi
        :: (old & LOCKED) ->
M_register:
            if
            :: state == old ->
                state = old + WAITER; reg = reg | BIT(me); old = state; ph = PH_REGD; DEAD;
                REGISTERED; AWAKE(me);
                assert(INV(state)); SHOW("register")
            :: else -> old = state
            fi
        fi
       }
        if
        :: holder == me -> goto acquired
        :: ph == PH_REGD -> ph = PH_RUN; break
        :: else
        fi
    od;

    do
    :: atomic {
        REFRESH;
        STEPPED;
        if
        :: TAKE(old) ->
M_claim:
            if
            :: state == old ->
                assert(!(old & HANDOFF) || starver);
                state = (((old | LOCKED) - WAITER) & ~(WOKEN | HANDOFF)) -
                        (starver -> STARVER : 0);
                reg = reg & ~BIT(me);
                starv = starv & ~BIT(me);
                GOT_LOCK;
                SHOW("claim");
                DEAD
            :: else -> old = state
            fi
        :: !(TAKE(old)) && timed_out ->
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
        :: !(TAKE(old)) && !timed_out ->
M_prepare:
            /* promote once waited over GS__STARVE_NS (time: see the top comment) */
            if
            :: !starver && waited -> promote = 1
#if STARVE_AFTER > 0
            :: !starver && !waited && nwaits >= STARVE_AFTER -> promote = 1
            :: !starver && !waited && nwaits >= 1 && nwaits < STARVE_AFTER -> promote = 1
            :: !starver && !waited && nwaits < STARVE_AFTER -> promote = 0
#else
            :: !starver && !waited && AGE_MAY -> promote = 1
            :: !starver && !waited && !AGE_MUST -> promote = 0
#endif
            :: starver -> promote = 0
            fi;
            waited = waited || promote;     /* the clock does not go back */
            desig = desig && (old & WOKEN);
            if
            :: (KEEP(old) + (promote -> STARVER : 0)) == old -> ph = PH_SLEEP
            :: (KEEP(old) + (promote -> STARVER : 0)) != old && state == old ->
                state = KEEP(old) + (promote -> STARVER : 0);
                old = state;
                if
                :: promote -> starver = 1; starv = starv | BIT(me)
                :: else
                fi;
                assert(INV(state));
                SHOW("clear WOKEN / become a starver");
#ifdef BUG_F5
                ph = PH_SLEEP           /* a34920d: sleeps on the word it wrote */
#else
                ph = (promote -> PH_RUN : PH_SLEEP);    /* promoted: look again */
                if
                :: ph == PH_RUN -> DEAD
                :: else
                fi
#endif
            :: (KEEP(old) + (promote -> STARVER : 0)) != old && state != old -> old = state
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
#ifdef MUTANT_NO_POLL
#define POLL 0                  /* the designated waiter keeps WOKEN and sleeps untimed */
#else
#define POLL desig
#endif
#ifdef BUG_F6
            mutex_wait(me, old, (starver -> TAG_STARVER : TAG_WAITER), timed, 0, POLL, ret, k);
#else
            mutex_wait(me, old, (starver -> TAG_STARVER : TAG_WAITER), timed, !starver, POLL, ret, k);
#endif
            /* The designated waiter's wait that returns (ret 1) on a word that differs at
             * most in LOCKED from the one it slept on sleeps again on the new word, the poll
             * still armed (src/mutex.c's re-wait loop). The C code repeats it until the poll
             * is due; the model, without time, does it once a sleep, and the poll's expiry
             * (ret 4) during the second sleep stands for a poll already due. */
            if
            :: atomic { ret == 1 && desig && !rewaited && ((state ^ old) & ~LOCKED) == 0 ->
                rewaited = 1; old = state; ret = 0 }; goto M_sleep
            :: else -> rewaited = 0
            fi;
            timed_out = timed_out || ret == 0;
            waited = waited || ret == 3;
            /* designated: WOKEN was set while we slept and the wait returned (woken, or the
             * word had changed), or we hold the role and WOKEN is still set */
            atomic {
                desig = (state & WOKEN) && (desig || (ret == 1 && !(old & WOKEN)));
                LOAD
            }
            ret = 0;
            k = 0;
#if STARVE_AFTER > 0
            if
            :: !starver && nwaits < STARVE_AFTER -> nwaits++
            :: else
            fi
#endif
        :: else
        fi
    od;

T_try:
    LOAD;
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
    AGE_RESET;
    timed = 0; timed_out = 0; starver = 0; waited = 0; desig = 0;
#if STARVE_AFTER > 0
    nwaits = 0;
#endif
U_load:
    LOAD;
    do
    :: atomic {
        REFRESH;
U_cas:
        assert((old & LOCKED) && !(old & HANDOFF));   /* "unlock of unlocked mutex" */
        if
        :: state == old ->
            assert(holder == me);
            holder = NOBODY;
            if
            :: STARVERS(old) > 0 ->
                /* hand off: the gap since the last handoff has passed */
                state = old | HANDOFF; tag = TAG_STARVER; PACE(2);
#if GAP_AFTER > 0
                gap = 0;
#endif
#ifdef CLOCK
                since_handoff = 0;
                late = 0;
#endif
                skip
            :: NORMAL_OK(old) ->
                /* normal unlock: no starver, or the gap has not passed */
                tag = ((WAITERS(old) > 0 && !(old & WOKEN)) -> (TAG_WAITER | TAG_STARVER) : 0);
#ifdef MUTANT_LOST_WAKE
                tag = tag & ~TAG_STARVER;     /* a normal unlock wakes plain waiters only */
#endif
                state = (old & ~LOCKED) | (tag -> WOKEN : 0);
                PACE((STARVERS(old) > 0 -> 1 : 0));
#if GAP_AFTER > 0
                gap = ((STARVERS(old) > 0 && gap < GAP_AFTER) -> gap + 1 : gap)
#endif
#ifdef CLOCK
                late = ((STARVERS(old) > 0 && since_handoff >= 2) -> late + 1 : late)
#endif
            fi;
            assert(INV(state));
            WAKING;
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
    :: tag -> atomic { futex_wake(1, tag, cnt, k, t); tag = 0; PACE(0); WOKE }
    :: else -> PACE(0)
    fi;
    goto next_op;

gave_up:
    AGE_RESET;
    assert(timed);
    SHOW("gave up");
    ph = PH_RUN; trying[me] = 0; timed = 0; timed_out = 0; starver = 0; waited = 0; desig = 0; old = 0;
#if STARVE_AFTER > 0
    nwaits = 0;
#endif
    goto next_op;

#if ITERS > 0
finished:
    ndone++
#endif
}

#ifdef CLOCK
/* The clock of CLOCK runs (see the top of the file): one tick = 0.5 ms. */
proctype clock() {
    byte i;
    do
    :: atomic {
        owe == 0 && !POLL_ASLEEP ->
        tk = 1 - tk;
        if
        :: since_handoff < 2 -> since_handoff++
        :: else
        fi;
        owe = waking;
        i = 0;
        do
        :: i < NTHREADS ->
            if
            :: (reg & BIT(i)) && age[i] < 3 -> age[i]++
            :: else
            fi;
            if
            :: (reg & BIT(i)) && !asleep[i] -> owe = owe | BIT(i)
            :: else
            fi;
            i++
        :: else -> i = 0; break
        od
       }
    od
}
#endif

init {
    byte i;
    atomic {
        for (i : 0 .. NTHREADS - 1) {
            run thread(i)
        }
#ifdef CLOCK
        run clock();
#endif
    }
#if ITERS > 0
    (ndone == NTHREADS);
    assert(state == 0 && fqlen == 0 && reg == 0 && starv == 0 && holder == NOBODY)
#endif
}

#if ITERS == 0
#define P(i) ([] (trying[i] -> <> !trying[i]))
#define W(i) ([] (asleep[i] -> <> !asleep[i]))
#define R(i) ([] (((reg & BIT(i)) && !(starv & BIT(i))) -> <> (!(reg & BIT(i)) || (starv & BIT(i)))))
#define SF   (([] <> (pace == 1)) -> ([] <> (pace == 2)))
#define TIME (([] <> (tk == 0)) && ([] <> (tk == 1)))   /* time diverges (CLOCK runs) */
#if NTHREADS == 2
ltl starvation { P(0) && P(1) }
#ifdef CLOCK
ltl starvation_clock { TIME -> (P(0) && P(1)) }
#endif
ltl starvation_sf { SF -> (P(0) && P(1)) }
ltl nolostwake { W(0) && W(1) }
ltl promoted { R(0) && R(1) }
ltl progress { [] ((trying[0] || trying[1]) -> <> (holder != NOBODY)) }
#else
ltl starvation { P(0) && P(1) && P(2) }
#ifdef CLOCK
ltl starvation_clock { TIME -> (P(0) && P(1) && P(2)) }
#endif
ltl starvation_sf { SF -> (P(0) && P(1) && P(2)) }
ltl nolostwake { W(0) && W(1) && W(2) }
ltl promoted { R(0) && R(1) && R(2) }
ltl progress { [] ((trying[0] || trying[1] || trying[2]) -> <> (holder != NOBODY)) }
#endif
#endif
