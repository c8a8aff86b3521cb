#!/usr/bin/env bash
# Checks the single-file drop-in dist/gosync.h + dist/gosync.c:
#   1. it is up to date: scripts/amalgamate.py regenerates it and the result must equal dist/
#      (a stale dist/ fails: run `make dist` and commit);
#   2. dist/gosync.c compiles alone with gcc and clang as C11, C17, C2x with the library's
#      warnings and -Werror, with the OS's backend and with the portable one
#      (-DGOSYNC_DIST_BACKEND_PARK);
#   3. the primitives' test programs (tests/test_<primitive>.c), compiled against dist/gosync.h
#      and linked with dist/gosync.c alone, pass: with the OS's backend, and test_mutex and
#      test_rwmutex again with the portable one. They prove the amalgamation, not the
#      algorithms (the normal builds stress those), so their stress loops run at a quarter of
#      their size (GS_TEST_SCALE, unless set).
# Exit status: 0 if all passed, 1 if one failed, 77 if python3 or a C compiler is missing.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
ccs=()
for cc in gcc clang; do command -v $cc >/dev/null && ccs+=("$cc"); done
((${#ccs[@]})) || { echo "skip: no C compiler"; exit 77; }

# 1. up to date
if python3 "$root/scripts/amalgamate.py" "$tmp/dist" &&
    diff -ru "$root/dist" "$tmp/dist" >"$tmp/diff"; then
    ok "dist/ is what scripts/amalgamate.py generates"
else
    bad "dist/ is stale (run 'make dist' and commit dist/):"
    head -40 "$tmp/diff"
fi

# 2. compiles alone
warn=(-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror)
for cc in "${ccs[@]}"; do
    for std in c11 c17 c2x; do
        for backend in "" -DGOSYNC_DIST_BACKEND_PARK; do
            if $cc -std=$std -O2 "${warn[@]}" $backend -c "$root/dist/gosync.c" \
                -o "$tmp/gosync.o" 2>"$tmp/err"; then
                ok "$cc -std=$std $backend dist/gosync.c"
            else
                bad "$cc -std=$std $backend dist/gosync.c"
                head -20 "$tmp/err"
            fi
        done
    done
done

# 3. the tests against it
export GS_TEST_SCALE="${GS_TEST_SCALE:-0.25}"
run_test() { # name backend-flags...
    local t=$1
    shift
    local exe="$tmp/$t$*"
    if ! "${ccs[0]}" -std=c11 -O2 -Wall -Wextra -D_GNU_SOURCE "$@" -I "$root/dist" \
        -I "$root/tests" "$root/tests/$t.c" "$root/dist/gosync.c" -o "$exe" -pthread \
        2>"$tmp/err"; then
        bad "build $t against dist/ $*"
        head -20 "$tmp/err"
        return
    fi
    if "$exe" >"$tmp/out" 2>&1; then
        ok "$t against dist/ $* ($(grep -c '^ok' "$tmp/out") tests)"
    else
        bad "$t against dist/ $*"
        tail -20 "$tmp/out"
    fi
}
for t in test_mutex test_rwmutex test_locker test_once test_waitgroup test_cond; do
    [ -f "$root/tests/$t.c" ] && run_test $t
done
run_test test_mutex -DGOSYNC_DIST_BACKEND_PARK
run_test test_rwmutex -DGOSYNC_DIST_BACKEND_PARK

echo "check-dist: $pass passed, $fail failed ($(($(date +%s) - start)) s)"
((fail == 0))
