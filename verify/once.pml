/* verify/once.pml: gs_once (main's src/once.c as of feb44f2, from the sync branch) for SPIN.
 *
 * The state word and its four values are modelled as in the C code; escapes (longjmp or
 * pthread_exit out of fn) and the per-thread call records that detect them are NOT modelled:
 * here fn always returns, so gs__once_settle (recursion / escape) is never reached.
 *
 * Map from the model to src/once.c (functions):
 *   O_fast     gs_once_do: acquire load, DONE -> return
 *   O_load     gs__once_do_slow: s = load
 *   O_run      NOT_RUN: CAS -> RUNNING, then gs__once_run calls fn and gs__once_finish
 *   O_finish   gs__once_finish: exchange DONE (release); wake all if it replaced SLEEPERS
 *   O_sleepers RUNNING: CAS -> SLEEPERS (a failed CAS reloads)
 *   O_sleep    wait(word, SLEEPERS), then reload
 *
 * Properties: fn runs exactly once; no gs_once_do returns before fn has returned; no thread
 * is left blocked (invalid end state) and the word ends DONE.
 */
#ifndef NTHREADS
#define NTHREADS 3
#endif

#define NOT_RUN  0
#define RUNNING  1
#define SLEEPERS 2
#define DONE     3
#define TAG_ANY  255

byte word;                       /* gs_once.state */
#define FUTEX_WORD word
#include "futex.pml"

byte runs;                       /* ghost: calls of fn started */
bool fn_returned;                /* ghost */
byte ndone;

#define SHOW(what) printf("T%d ", me); printf(what); printf(": state=%d queue=%d\n", word, fqlen)

proctype thread(byte me) {
    byte s, old, ret, k, t, cnt;
O_fast:
    if
    :: word == DONE -> goto returned
    :: else
    fi;
O_load:
    s = word;
    do
    :: s == DONE -> break
    :: s == NOT_RUN ->
        atomic {
            if
            :: word == s -> word = RUNNING; s = 255; SHOW("runner")
            :: else -> s = word
            fi
        }
        if
        :: s == 255 ->
O_run:
            runs++;
            assert(runs == 1);
            fn_returned = 1;
O_finish:
            atomic { old = word; word = DONE; SHOW("finish") }
            if
#ifdef MUTANT_NO_WAKE
            :: old == SLEEPERS && 0 -> skip                  /* seeded bug: run.sh */
#else
            :: old == SLEEPERS -> futex_wake(WAKE_ALL, TAG_ANY, cnt, k, t)
#endif
            :: else
            fi;
            break
        :: else
        fi
    :: s == RUNNING ->
O_sleepers:
        atomic {
            if
            :: word == s -> word = SLEEPERS; s = SLEEPERS; SHOW("sleepers")
            :: else -> s = word
            fi
        }
    :: s == SLEEPERS ->
O_sleep:
        SHOW("sleep");
        futex_wait(me, SLEEPERS, TAG_ANY, 0, ret, k);
        s = word
    od;
returned:
    assert(fn_returned);
    ndone++
}

init {
    byte i;
    atomic {
        for (i : 0 .. NTHREADS - 1) {
            run thread(i)
        }
    }
    (ndone == NTHREADS);
    assert(word == DONE && runs == 1 && fqlen == 0)
}
