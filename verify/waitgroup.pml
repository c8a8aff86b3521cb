/* verify/waitgroup.pml: gs_waitgroup (main's src/waitgroup.c as of 104b43d, from the sync
 * branch) for SPIN.
 *
 * The 64-bit word is one int with the same fields, narrowed: bits 0..1 GEN (mod 4), bit 2
 * WAITERS, bits 3.. the counter; the futex word is its upper part (`st >> 2`: WAITERS and
 * the counter), as in the C code (bit 32 and up).
 *
 * The program, used as Go's rules allow: a coordinator adds NWORKERS (a round starts),
 * each worker calls done once, the coordinator and NWAITERS-1 other threads wait (one of
 * them, if TIMED, with a timeout that may pass at any time); when every waiter has returned,
 * the coordinator starts a second round with add(+1) and add(-1) (a negative add that takes
 * the counter to 0) while another wait runs, if ROUNDS == 2.
 *
 * Map from the model to src/waitgroup.c (functions):
 *   G_add      gs_waitgroup_add: CAS (delta > 0: counter+delta; from 0 also GEN+1 and clear
 *              WAITERS; delta < 0: counter-|delta|), then wake all if the counter hit 0 with
 *              WAITERS set
 *   G_done     gs_waitgroup_done: fetch_sub, then the same wake
 *   G_wait     gs_waitgroup_wait(_timeout): acquire load, 0 -> return; gs__wg_wait_slow:
 *              CAS set WAITERS (failure: reload, 0 -> return), then sleep on the upper part;
 *              after each sleep reload: GEN moved -> misuse (asserted never to happen here),
 *              0 -> return, deadline passed -> return false
 *
 * Properties: a wait that returns true returns after every done of its round (ghost count);
 * GEN never moves under a registered waiter (no false "reused" alarm); no lost wake-up or
 * deadlock (invalid end states), counter 0 at the end.
 */
#ifndef NWORKERS
#define NWORKERS 2
#endif
#ifndef NWAITERS                 /* waiting threads, the coordinator included */
#define NWAITERS 2
#endif
#ifndef TIMED
#define TIMED 1
#endif
#ifndef ROUNDS
#define ROUNDS 2
#endif
#define NTHREADS (1 + NWORKERS + NWAITERS - 1)

#define GEN_MASK 3
#define WAITERS  4
#define ONE      8
#define COUNT(s) ((s) >> 3)
#define GEN(s)   ((s) & GEN_MASK)
#define HIGH(s)  ((s) >> 2)
#define TAG_ANY  255

int st;                          /* gs_waitgroup.state */
#define FUTEX_WORD HIGH(st)
#include "futex.pml"

byte dones;                      /* ghost: dones (and negative adds) of the current round */
byte target;                     /* ghost: how many the current round needs */
bool round_open;                 /* ghost: a round's add happened; workers and waiters may go */
byte round;                      /* ghost: 1 or 2 */
byte waited;                     /* ghost: waiters of this round that returned */

#define SHOW(what) printf("T%d ", me); printf(what); \
    printf(": gen=%d waiters=%d count=%d queue=%d\n", GEN(st), (st & WAITERS) != 0, COUNT(st), fqlen)

inline wg_add(delta) {
    old = st;
    do
    :: atomic {
        if
        :: st == old ->
            if
            :: delta > 0 && COUNT(old) == 0 ->
                st = ((old + delta * ONE) & ~(WAITERS | GEN_MASK)) | ((GEN(old) + 1) & GEN_MASK)
            :: delta > 0 && COUNT(old) != 0 -> st = old + delta * ONE
            :: delta < 0 -> assert(COUNT(old) >= -delta); st = old + delta * ONE; dones++
            fi;
            SHOW("add");
            break
        :: else -> old = st
        fi
       }
    od;
    if
    :: COUNT(st) == 0 && (old & WAITERS) -> futex_wake(WAKE_ALL, TAG_ANY, cnt, k, t)
    :: else
    fi
}

/* gs_waitgroup_wait(_timeout); result in ok */
inline wg_wait(timed) {
    ok = 0;
    s = st;
    if
    :: COUNT(s) == 0 -> ok = 1
    :: else ->
        do
        :: atomic {
            if
#ifdef MUTANT_NO_FLAG
            :: st == s -> s = st; ph = 1; SHOW("register without WAITERS (seeded bug)")
#else
            :: st == s -> st = s | WAITERS; s = st; ph = 1; SHOW("register")
#endif
            :: else -> s = st; if :: COUNT(s) == 0 -> ok = 1 :: else fi
            fi
           }
            if
            :: ok -> break
            :: ph == 1 ->
                ph = 0;
                gen = GEN(s);
                do
                :: futex_wait(me, HIGH(s), TAG_ANY, timed, ret, k);
                    s = st;
                    assert(GEN(s) == gen);      /* "reused before previous Wait has returned" */
                    if
                    :: COUNT(s) == 0 -> ok = 1; break
                    :: COUNT(s) != 0 && ret == 0 -> break      /* timed out */
                    :: else
                    fi
                od;
                break
            :: else
            fi
        od
    fi;
    if
    :: ok -> assert(dones == target)            /* every done of the round happened before */
    :: else -> assert(timed)
    fi
}

proctype coordinator() {
    byte me = 0;
    int old, s;
    byte ret, k, t, cnt, gen, ph;
    bool ok;
    atomic { target = NWORKERS; round = 1; dones = 0 }
    wg_add(NWORKERS);
    round_open = 1;
    wg_wait(0);
    atomic { waited++ }
#if ROUNDS == 2
    (waited == NWAITERS);                       /* Go's rule: reuse after every Wait returned */
    atomic { round_open = 0; target = 1; dones = 0; waited = 0; round = 2 }
    wg_add(1);
    round_open = 1;
    wg_add(-1);
#endif
}

proctype worker(byte me) {
    int old;
    byte k, t, cnt;
    round_open && round == 1;
G_done:
    atomic { old = st; assert(COUNT(old) != 0); st = st - ONE; dones++; SHOW("done") }
    if
    :: COUNT(old) == 1 && (old & WAITERS) -> futex_wake(WAKE_ALL, TAG_ANY, cnt, k, t)
    :: else
    fi
}

proctype waiter(byte me) {
    int s;
    byte ret, k, t, cnt, gen, ph, r;
    bool ok, timed;
    do
    :: r < ROUNDS ->
        round_open && round == r + 1;
        r++;
        if
        :: TIMED && me == NTHREADS - 1 -> timed = 1
        :: else -> timed = 0
        fi;
G_wait:
        wg_wait(timed);
        atomic { waited++ }
        /* round 2 has only this waiter besides none: stop after it */
#if ROUNDS == 2
        if
        :: r == 1 -> (round == 2)
        :: else
        fi
#endif
    :: r == ROUNDS -> break
    od
}

init {
    byte i;
    atomic {
        run coordinator();
        for (i : 1 .. NWORKERS) {
            run worker(i)
        }
        for (i : NWORKERS + 1 .. NTHREADS - 1) {
            run waiter(i)
        }
    }
    timeout -> assert(COUNT(st) == 0 && fqlen == 0)
}
