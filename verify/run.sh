#!/bin/sh
# verify/run.sh: runs gosync's SPIN models and fails on any unexpected result.
#
#   verify/run.sh [--full] [--only NAME] [--keep]
#
# Each run: spin -a generates the verifier (pan.c) from a model with -D settings, cc builds it,
# pan searches exhaustively (hash compaction off: every state is stored, so "errors: 0" on a
# complete search is a proof for that configuration). A run marked "expect=violation" is a
# known finding (verify/FINDINGS.md): it must still produce its counterexample, so the model
# cannot silently stop seeing it; when the C code is fixed, flip the model and the
# expectation together.
#
# The default set checks the shipped code. It takes about 5 minutes on 2 cores and up to 5 GB
# (274-279 s on 2026-11-27; mutex-safety-3x2, 93 M states and 4.8 GB, runs beside the
# others). --full adds the larger configurations and the earlier designs' models
# (mutex_v2.pml, mutex_v1.pml, qmu_v1.pml): about an hour more, up to 15 GB
# (mutex-v2-nolostwake-3 and -gap2 alone need 12-15 GB and 15-20 minutes; mutex-starvation-3
# about 12 minutes). Work files go to build/verify/<run>/ (trails stay there on failure).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${GS_VERIFY_DIR:-$root/build/verify}
full=0
only=
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --full) full=1 ;;
    --only) only=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--full] [--only NAME] [--keep]" >&2; exit 2 ;;
    esac
    shift
done
command -v spin >/dev/null || { echo "verify: spin not found (apt-get install -y spin)" >&2; exit 2; }
CC=${CC:-cc}
# pan's own memory cap (MB): a run that needs more fails loudly instead of swapping.
# mutex-v2-nolostwake-3 (full set) needs 11.8 GB; the machines have 24 GB, and the runs go
# one at a time, but for the default set's run_bg (mutex-safety-3x2, 4.8 GB) beside the
# others, which need a few GB.
MEMLIM=${GS_VERIFY_MEMLIM:-16000}

failed=0
ran=0

# run NAME MODEL "SPIN_DEFINES" "CC_DEFINES" "PAN_ARGS" pass|violation "WHAT"
run() {
    name=$1 model=$2 sdefs=$3 cdefs=$4 pargs=$5 expect=$6 what=$7
    if [ -n "$only" ] && [ "$only" != "$name" ]; then
        return 0
    fi
    dir=$out/$name
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$here"/*.pml "$dir"/
    start=$(date +%s)
    (
        cd "$dir"
        # shellcheck disable=SC2086
        spin -a $sdefs "$model" >spin.log 2>&1 || { cat spin.log; exit 3; }
        # shellcheck disable=SC2086
        $CC -O2 -w -DMEMLIM="$MEMLIM" $cdefs -o pan pan.c >cc.log 2>&1 || { cat cc.log; exit 3; }
        # shellcheck disable=SC2086
        ./pan -m10000000 $pargs >pan.log 2>&1 || true
    ) || { echo "FAIL  $name: could not build the verifier"; failed=$((failed + 1)); return 0; }
    secs=$(($(date +%s) - start))
    log=$dir/pan.log
    states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$log" | head -1)
    errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$log" | head -1)
    # pan stops at its -DMEMLIM cap with "reached -DMEMLIM bound" and still prints "errors: 0"
    # for the part it searched: that is an incomplete search, not a pass.
    incomplete=$(grep -c -e 'max search depth too small' -e 'out of memory' -e 'memory limit' \
        -e 'reached -DMEMLIM bound' "$log" || true)
    ran=$((ran + 1))
    if [ "$expect" = pass ]; then
        if [ "$errors" = 0 ] && [ "$incomplete" = 0 ]; then
            printf 'ok    %-24s %12s states  %4ss  %s\n' "$name" "$states" "$secs" "$what"
            [ "$keep" = 1 ] || rm -f "$dir"/pan "$dir"/pan.[bchmpt]
            return 0
        fi
        echo "FAIL  $name: errors=${errors:-?} incomplete=$incomplete ($what); log: $log"
        if ls "$dir"/*.trail >/dev/null 2>&1; then
            echo "      counterexample (replay: cd $dir && spin -t $sdefs $model):"
            (cd "$dir" && spin -t $sdefs "$model" 2>/dev/null | grep -E '^ +T[0-9]|CYCLE' | sed 's/^ */        /' | head -60)
        fi
        failed=$((failed + 1))
    else
        if [ -n "$errors" ] && [ "$errors" != 0 ]; then
            printf 'ok    %-24s %12s states  %4ss  %s: counterexample found, as expected\n' \
                "$name" "$states" "$secs" "$what"
            return 0
        fi
        echo "FAIL  $name: expected a counterexample ($what) but got errors=${errors:-?}; log: $log"
        failed=$((failed + 1))
    fi
}

# run_bg: as run, but in the background, beside the runs that follow, and its lines print at
# the end. For the longest run of the default set: on 2 cores it then overlaps the rest
# instead of adding to them (mutex-safety-3x2 took 272 s of the set's 274). Memory: its
# 4.8 GB beside the others' few GB.
bg_pids=
bg_outs=
run_bg() {
    if [ -n "$only" ] && [ "$only" != "$1" ]; then
        return 0
    fi
    mkdir -p "$out"
    bg_out=$out/$1.bg.txt
    (run "$@") >"$bg_out" 2>&1 &
    bg_pids="$bg_pids $!"
    bg_outs="$bg_outs $bg_out"
}

SAFE="-DSAFETY -DCOLLAPSE"
LIVE="-DNOREDUCE -DCOLLAPSE"
MLIVE="-DITERS=0 -DLIVE -DFIFO -DSPURIOUS=0 -DTRY_THREADS=0"
RLIVE="-DITERS=0 -DLIVE -DFIFO -DSPURIOUS=0 -DTRY=0"

echo "verify: SPIN models ($(spin -V | head -1)); $( [ $full = 1 ] && echo full || echo default) set"

# ---- default set (CI) ----
# gs_mutex (verify/mutex.pml: src/mutex.c, the queue of waiter records)
QLIVE="-DITERS=0 -DLIVE -DFORCE_AFTER=1"
run_bg mutex-safety-3x2 mutex.pml "-DNTHREADS=3 -DITERS=2" "$SAFE" "" pass \
    "3 threads x 2 ops: exclusion, queue/role invariants, handoffs keep QLOCKED, no lost wake-up/deadlock, word 0 at end"
run mutex-safety-3x1 mutex.pml "-DNTHREADS=3 -DITERS=1" "$SAFE" "" pass \
    "3 threads x 1 op: as mutex-safety-3x2"
run mutex-safety-2x4 mutex.pml "-DNTHREADS=2 -DITERS=4" "$SAFE" "" pass \
    "2 threads x 4 ops: as mutex-safety-3x2"
run mutex-starvation-2 mutex.pml "-DNTHREADS=2 $QLIVE" "$LIVE" "-a -f -N starvation" pass \
    "2 threads forever, weak fairness, time passes (a handoff after an unlock that handed nothing): every lock returns"
run mutex-timeouts-3x1 mutex.pml "-DNTHREADS=3 -DITERS=1 -DTIMEOUTS" "$SAFE" "" pass \
    "with timeouts (any call may have a deadline; a waiter may time out asleep, woken, or before queueing): as mutex-safety-3x2"
run mutex-mutant-keep-desig mutex.pml "-DNTHREADS=3 -DITERS=2 -DNO_ROLE_INV -DMUTANT_KEEP_DESIG" "$SAFE" "" violation \
    "seeded bug: the woken waiter keeps QDESIG when it sleeps again"
run mutex-mutant-hand-unlocked mutex.pml "-DNTHREADS=3 -DITERS=2 -DNO_ROLE_INV -DMUTANT_HAND_UNLOCKED" "$SAFE" "" violation \
    "seeded bug: a handoff clears QLOCKED (store unlocked and wake)"
run mutex-mutant-woken-late mutex.pml "-DNTHREADS=3 -DITERS=2 -DNO_ROLE_INV -DMUTANT_WOKEN_LATE" "$SAFE" "" violation \
    "seeded bug: the wake writes the head's record after releasing QSPIN and QLOCKED"
run mutex-mutant-leave-keep-desig mutex.pml "-DNTHREADS=3 -DITERS=2 -DTIMEOUTS -DNO_ROLE_INV -DMUTANT_LEAVE_KEEP_DESIG" "$SAFE" "" violation \
    "seeded bug: a waiter that times out with the woken role leaves QDESIG set"
run mutex-mutant-leave-no-take mutex.pml "-DNTHREADS=3 -DITERS=2 -DTIMEOUTS -DNO_ROLE_INV -DMUTANT_LEAVE_NO_TAKE" "$SAFE" "" violation \
    "seeded bug: a waiter that times out leaves a free lock it was woken to take"
run rwmutex-safety-1r2w rwmutex.pml "-DNREADERS=1 -DNWRITERS=2 -DITERS=1" "$SAFE" "" pass \
    "1 reader + 2 writers x 1 op (blocking/timed/try), spurious wake, any wake order: exclusion, no lost wake-up/deadlock, word free at end"
run rwmutex-safety-2r1w rwmutex.pml "-DNREADERS=2 -DNWRITERS=1 -DITERS=1" "$SAFE" "" pass \
    "2 readers + 1 writer x 1 op"
run rwmutex-writer rwmutex.pml "-DNREADERS=1 -DNWRITERS=2 $RLIVE -DRTIMED=0 -DWTIMED=0" "$LIVE" "-a -f -N writer" pass \
    "1 reader + 2 writers forever, weak fairness: an announced writer gets the lock"
run rwmutex-reader rwmutex.pml "-DNREADERS=1 -DNWRITERS=2 $RLIVE -DRTIMED=0 -DWTIMED=0" "$LIVE" "-a -f -N reader" pass \
    "1 reader + 2 writers forever, weak fairness: every rlock returns"
run rwmutex-F2 rwmutex.pml "-DNREADERS=2 -DNWRITERS=1 -DITERS=2 -DBUG_F2" "$SAFE" "" violation \
    "FINDINGS F2 (fork-point code, no P count): a writer's give-up strands an admitted reader"
run rwmutex-writer-rtimed rwmutex.pml "-DNREADERS=1 -DNWRITERS=2 $RLIVE -DWTIMED=0" "$LIVE" "-a -f -N writer" pass \
    "1 reader (timed or not) + 2 writers forever: an announced writer gets the lock (F3 fixed)"
run rwmutex-F3 rwmutex.pml "-DNREADERS=1 -DNWRITERS=2 $RLIVE -DBUG_F3" "$LIVE" "-a -f -N writer" violation \
    "FINDINGS F3 (rlock before a34920d): a reader that times out and retries keeps an announced writer out"


# ---- gs_once, gs_waitgroup (main's src/once.c, src/waitgroup.c) ----
run once-3 once.pml "-DNTHREADS=3" "$SAFE" "" pass \
    "3 callers: fn runs once, nobody returns before it did, no lost wake-up, word DONE"
run once-4 once.pml "-DNTHREADS=4" "$SAFE" "" pass "4 callers, as above"
run once-mutant-no-wake once.pml "-DNTHREADS=3 -DMUTANT_NO_WAKE" "$SAFE" "" violation \
    "seeded bug: finishing over SLEEPERS without waking"
run waitgroup-2x2 waitgroup.pml "-DNWORKERS=2 -DNWAITERS=2 -DROUNDS=2" "$SAFE" "" pass \
    "2 workers, 2 waiters (one timed), 2 rounds: wait returns after every done, no false reuse alarm, no lost wake-up"
run waitgroup-mutant-no-flag waitgroup.pml "-DNWORKERS=2 -DNWAITERS=2 -DMUTANT_NO_FLAG" "$SAFE" "" violation \
    "seeded bug: a waiter sleeps without setting WAITERS"

# ---- full set: about an hour more, up to 15 GB ----
# The full set's runs need up to 15 GB each: the background run ends before they start.
if [ "$full" = 1 ]; then
    for p in $bg_pids; do
        wait "$p" || true
    done
    run waitgroup-3x3 waitgroup.pml "-DNWORKERS=3 -DNWAITERS=3 -DROUNDS=2" "$SAFE" "" pass \
        "3 workers, 3 waiters (one timed), 2 rounds"
    run mutex-v2-nolostwake-3-gap2 mutex_v2.pml "-DNTHREADS=3 $MLIVE -DTIMED_THREADS=1 -DGAP_AFTER=2" "$LIVE" "-m60000000 -a -f -N nolostwake" pass \
        "as mutex-v2-nolostwake-3, a handoff only after 2 normal unlocks that saw starvers"
    # mutex-v2-safety-4x1 (4 threads x 1 op of lock/timed/try, spurious wake) held at 135 M
    # states before the designated waiter's re-wait (2026-11-26 evening); with it, it stopped
    # at the 16 GB cap after 328 M states with 0 errors (docs/VERIFICATION.md), so it is not
    # run. Run it by hand with GS_VERIFY_MEMLIM on a larger machine:
    #   run mutex-v2-safety-4x1 mutex_v2.pml "-DNTHREADS=4 -DITERS=1 -DTIMED_THREADS=2 -DTRY_THREADS=1 -DSPURIOUS=1" "$SAFE" "" pass
    # mutex-v2-promoted-3 (the same with 3 threads) is not run since the polling designated
    # waiter (2026-11-26): it held at 38.7 M states before; now it outgrows this machine
    # (stopped with 0 errors; docs/VERIFICATION.md). mutex-v2-promoted-2 runs above.
    run mutex-v1-safety-3x2 mutex_v1.pml "-DNTHREADS=3 -DITERS=2 -DTIMED_THREADS=1 -DTRY_THREADS=1 -DSPURIOUS=1" \
        "$SAFE" "" pass "previous design, 3 threads x 2 ops"
    run mutex-v1-nolostwake mutex_v1.pml "-DNTHREADS=3 $MLIVE -DTIMED_THREADS=1" "$LIVE" "-a -f -N nolostwake" pass \
        "previous design, 3 threads forever: no thread sleeps forever while others run"
    run rwmutex-safety-1r2w-x2 rwmutex.pml "-DNREADERS=1 -DNWRITERS=2 -DITERS=2" "$SAFE" "" pass \
        "1 reader + 2 writers x 2 ops"
    run rwmutex-safety-2r1w-x2 rwmutex.pml "-DNREADERS=2 -DNWRITERS=1 -DITERS=2" "$SAFE" "" pass \
        "2 readers + 1 writer x 2 ops"
    run rwmutex-reader-timed rwmutex.pml "-DNREADERS=1 -DNWRITERS=2 $RLIVE -DRTIMED=0" "$LIVE" "-a -f -N reader" pass \
        "1 reader + 2 writers (timed or not) forever: every untimed rlock returns"
    # rwmutex-writer-all-timed (readers and writers both timed, ltl writer) is not run: it
    # needs more than 8 GB and a search depth over 10 M (90 M states stored, 0 errors, when
    # it stopped; docs/VERIFICATION.md).
    # 3 threads x 2 calls with timeouts does not fit: with deadlines on every thread's calls,
    # 337 M states and 0 errors when it reached 16 GB (1010 s, the prototype's model); with
    # them on one thread's (-DTIMED_MASK=1), still growing at 8.5 GB. Two threads, more calls
    # below.
    run mutex-v1-F1-try mutex_v1.pml "-DNTHREADS=3 $MLIVE -DTIMED_THREADS=1 -DTRY_F1" "$LIVE" "-a -f -N starvation" violation \
        "FINDINGS F1: keeping STARVING until the queue drains is not enough"
    # gs_mutex, larger configurations
    run mutex-timeouts-2x3 mutex.pml "-DNTHREADS=2 -DITERS=3 -DTIMEOUTS" "$SAFE" "" pass \
        "with timeouts, 2 threads x 3 ops: as mutex-timeouts-3x1"
    run mutex-timeouts-starvation-2 mutex.pml "-DNTHREADS=2 $QLIVE -DTIMEOUTS" "$LIVE" "-a -f -N starvation" pass \
        "with timeouts, 2 threads forever: every lock call returns (acquired or timed out)"
    run mutex-timeouts mutex.pml "-DNTHREADS=2 -DITERS=5 -DTIMEOUTS" "$SAFE" "" pass \
        "with timeouts, 2 threads x 5 ops: as mutex-timeouts-3x1"
    run mutex-starvation-3 mutex.pml "-DNTHREADS=3 $QLIVE" "$LIVE" "-a -f -N starvation" pass \
        "3 threads forever, as mutex-starvation-2"
    # The prototype's first version (bench/scratch/qmu.h -DQ_V1)
    run proto-v1-starvation-3 qmu_v1.pml "-DNTHREADS=3 $QLIVE" "$LIVE" "-a -f -N starvation" violation \
        "the prototype's first version: a woken waiter out of the queue can miss every handoff"
    # gs_mutex from f0a0d83 until the queue (verify/mutex_v2.pml: counted starvers on one futex
    # word; BUG_F5/BUG_F6 put back a34920d's code). Its findings F5-F8 are about that design.
    run mutex-v2-safety mutex_v2.pml "-DNTHREADS=3 -DITERS=1 -DTIMED_THREADS=1 -DTRY_THREADS=1 -DSPURIOUS=1" \
        "$SAFE" "" pass "3 threads x 1 op (lock/timed/try), spurious wake, any wake order: exclusion, invariants, only starvers claim, no lost wake-up/deadlock, word 0 at end"
    run mutex-v2-safety-3x2 mutex_v2.pml "-DNTHREADS=3 -DITERS=2 -DTIMED_THREADS=1 -DTRY_THREADS=0 -DSPURIOUS=0" \
        "$SAFE" "" pass "3 threads x 2 ops (lock/timed): as mutex-safety, and F5's deadlock is gone"
    run mutex-v2-F5 mutex_v2.pml "-DNTHREADS=3 -DITERS=2 -DTIMED_THREADS=1 -DTRY_THREADS=0 -DSPURIOUS=0 -DBUG_F5" \
        "$SAFE" "" violation "FINDINGS F5 (a34920d): a waiter that becomes a starver while HANDOFF is set sleeps on it (ABA): deadlock"
    run mutex-v2-nolostwake-3 mutex_v2.pml "-DNTHREADS=3 $MLIVE -DTIMED_THREADS=1 -DGAP_AFTER=1" "$LIVE" "-m40000000 -a -f -N nolostwake" pass \
        "3 threads forever, weak fairness, time passes (a handoff after a normal unlock that saw starvers): no thread sleeps forever while the others go on (F6 fixed)"
    run mutex-v2-promoted-2 mutex_v2.pml "-DNTHREADS=2 $MLIVE -DTIMED_THREADS=1 -DSTARVE_AFTER=2" "$LIVE" "-a -f -N promoted" pass \
        "2 threads forever, weak fairness, time passes (STARVE_AFTER=2): no waiter stays a plain waiter forever"
    run mutex-v2-F8 mutex_v2.pml "-DNTHREADS=3 $MLIVE -DTIMED_THREADS=1" "$LIVE" "-a -f -N nolostwake" violation \
        "FINDINGS F8 (by design): without time passing, a polling designated waiter that always loses keeps WOKEN, and a starver sleeps on"
    run mutex-v2-F6 mutex_v2.pml "-DNTHREADS=3 $MLIVE -DTIMED_THREADS=1 -DBUG_F6" "$LIVE" "-a -f -N nolostwake" violation \
        "FINDINGS F6 (a34920d): while handoffs go on, a plain waiter asleep is never woken"
    run mutex-v2-starvation-2 mutex_v2.pml "-DNTHREADS=2 $MLIVE -DTIMED_THREADS=1 -DCLOCK" "$LIVE" "-a -f -N starvation_clock" pass \
        "2 threads forever, a clock (runnable threads run within 0.5 ms), handoffs up to 7 unlocks late: every untimed lock returns"
    run mutex-v2-F7 mutex_v2.pml "-DNTHREADS=3 $MLIVE -DTIMED_THREADS=1 -DCLOCK" "$LIVE" "-a -f -N starvation_clock" violation \
        "FINDINGS F7 (that design; fixed by the queue): 3 threads, the same clock: a woken starver can lose every handoff race"
    run mutex-v2-mutant-swallow mutex_v2.pml "-DNTHREADS=3 -DITERS=1 -DTIMED_THREADS=1 -DTRY_THREADS=1 -DSPURIOUS=1 -DMUTANT_SWALLOW" \
        "$SAFE" "" violation "seeded bug: a timed-out starver leaves although HANDOFF is set"
    run mutex-v2-mutant-lost-wake mutex_v2.pml "-DNTHREADS=3 -DITERS=1 -DTIMED_THREADS=1 -DTRY_THREADS=1 -DSPURIOUS=1 -DMUTANT_LOST_WAKE" \
        "$SAFE" "" violation "seeded bug: a normal unlock wakes plain waiters only"
    run mutex-v2-mutant-no-poll mutex_v2.pml "-DNTHREADS=3 -DITERS=1 -DTIMED_THREADS=1 -DTRY_THREADS=1 -DSPURIOUS=1 -DMUTANT_NO_POLL" \
        "$SAFE" "" violation "seeded bug: the designated waiter keeps WOKEN but sleeps without its poll timeout"
    # gs_mutex before a34920d (verify/mutex_v1.pml): F1, and seeded bugs that the checks must see
    run mutex-v1-safety mutex_v1.pml "-DNTHREADS=3 -DITERS=1 -DTIMED_THREADS=1 -DTRY_THREADS=1 -DSPURIOUS=1" \
        "$SAFE" "" pass "previous design, 3 threads x 1 op"
    run mutex-v1-starvation-3 mutex_v1.pml "-DNTHREADS=3 $MLIVE -DTIMED_THREADS=1" "$LIVE" "-a -f -N starvation" violation \
        "FINDINGS F1 (previous design): with 3 threads a starving waiter can lose every handoff"
    run mutex-v1-mutant-lost-wake mutex_v1.pml "-DNTHREADS=3 -DITERS=1 -DTIMED_THREADS=1 -DTRY_THREADS=1 -DSPURIOUS=1 -DMUTANT_LOST_WAKE" \
        "$SAFE" "" violation "seeded bug: unlock does not wake a lone waiter"
    run mutex-v1-mutant-swallow mutex_v1.pml "-DNTHREADS=3 -DITERS=1 -DTIMED_THREADS=1 -DTRY_THREADS=1 -DSPURIOUS=1 -DMUTANT_SWALLOW" \
        "$SAFE" "" violation "seeded bug: a timed-out waiter leaves during a handoff"

fi

for p in $bg_pids; do
    wait "$p" || true
done
for f in $bg_outs; do
    cat "$f"
    ran=$((ran + $(grep -c -e '^ok ' -e '^FAIL ' "$f" || true)))
    failed=$((failed + $(grep -c '^FAIL ' "$f" || true)))
done

echo "verify: $ran runs, $failed failed"
[ "$failed" = 0 ]
