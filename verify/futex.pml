/* verify/futex.pml: the wait-on-address layer (src/internal/wait.h) as SPIN sees it.
 *
 * Included by the lock models, after they define FUTEX_WORD (the global that plays the
 * futex word) and NTHREADS. One futex word per model: gs_mutex's state, or the upper half
 * of gs_rwmutex's state.
 *
 *   futex_wait(expected, tag, timed, ret)   gs__wait(addr, expected, deadline, tag)
 *       One atomic step compares FUTEX_WORD with expected: unequal returns at once
 *       (EAGAIN: ret = 1); equal queues the thread with its tag and blocks it. It then
 *       returns ret = 1 when a futex_wake dequeues it, or leaves the queue by itself:
 *       ret = 0 (timeout, only if `timed`), or ret = 1 spuriously (EINTR, fault injection;
 *       at most SPURIOUS times in a run, so that a thread blocked for good is still seen
 *       as an invalid end state). A wake is never lost to a timeout: once dequeued by a
 *       waker the thread returns 1, as futex_wait and the park backend do.
 *   futex_wake(n, tags)                       gs__wake(addr, n, tags)
 *       One atomic step dequeues min(n, matching) sleepers whose tag is in tags.
 *       FIFO defined: the oldest ones (Linux futex queues and park_pthread.c, same
 *       priority). Otherwise: any of them, chosen nondeterministically (the contract of
 *       wait.h promises no order). Never reads FUTEX_WORD (BZ 13690 safety).
 *
 * A wake of more threads than asked (allowed by the contract, done by GOSYNC_FAULT_INJECT)
 * is, to the woken thread, a spurious return, which SPURIOUS covers.
 */
#ifndef SPURIOUS
#define SPURIOUS 1
#endif
#define WAKE_ALL 255
#define NOBODY 255

byte fq[NTHREADS];      /* queued sleepers, oldest first */
byte fqlen;             /* how many are queued */
byte ftag[NTHREADS];    /* each thread's tag while it sleeps */
bool asleep[NTHREADS];  /* queued and not yet woken */
byte spurious = SPURIOUS;

/* Removes thread t from the queue (all inside the caller's atomic step). */
inline fq_remove(t, k) {
    k = 0;
    do
    :: k < fqlen && fq[k] != t -> k++
    :: else -> break
    od;
    assert(k < fqlen);
    do
    :: k + 1 < fqlen -> fq[k] = fq[k + 1]; k++
    :: else -> break
    od;
    fqlen--;
    fq[fqlen] = 0;
    asleep[t] = 0;
    ftag[t] = 0
}

inline futex_wait(me, expected, tag, timed, ret, k) {
    atomic {
        if
        :: FUTEX_WORD != expected -> ret = 1
        :: else ->
            fq[fqlen] = me;
            fqlen++;
            ftag[me] = tag;
            asleep[me] = 1;
            ret = 2
        fi
    }
    if
    :: ret == 2 ->
        if
        :: !asleep[me] -> ret = 1                      /* woken */
        :: atomic { timed && asleep[me] -> fq_remove(me, k); ret = 0 }      /* deadline */
        :: atomic { spurious > 0 && asleep[me] -> spurious--; fq_remove(me, k); ret = 1 }
        fi
    :: else
    fi
}

/* A model may define ON_WAKE(t): what else happens when a wake takes sleeper t. */
#ifndef ON_WAKE
#define ON_WAKE(t) skip
#endif

/* Wakes min(n, matching) sleepers with a tag in tags. */
inline futex_wake(n, tags, cnt, k, t) {
    atomic {
        cnt = n;
#ifdef FIFO
        k = 0;
        do
        :: cnt > 0 && k < fqlen ->
            t = fq[k];
            if
            :: (ftag[t] & (tags)) != 0 -> fq_remove(t, k); ON_WAKE(t); cnt--; k = 0
            :: else -> k++
            fi
        :: else -> break
        od;
#else
        do
        :: cnt > 0 ->
            /* any matching sleeper; none left: done */
            t = NOBODY;
            k = 0;
            do
            :: k < fqlen && (ftag[fq[k]] & (tags)) != 0 -> t = fq[k]; k++
            :: k < fqlen && (ftag[fq[k]] & (tags)) != 0 && t != NOBODY -> k++ /* keep earlier pick */
            :: k < fqlen && (ftag[fq[k]] & (tags)) == 0 -> k++
            :: k >= fqlen -> break
            od;
            if
            :: t == NOBODY -> break
            :: else -> fq_remove(t, k); ON_WAKE(t); cnt--
            fi
        :: else -> break
        od;
#endif
        t = 0;
        k = 0;
        cnt = 0
    }
}
