#!/bin/sh
# verify/valgrind.sh: runs the test executables of a build under valgrind memcheck; fails on
# any memcheck error or definite leak. Stress sizes are scaled down (valgrind runs one thread
# at a time, some 20-50x slower).
# Usage: verify/valgrind.sh [BUILD_DIR]   (default build/release)
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build/release}
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install -y valgrind)" >&2; exit 2; }
export GS_TEST_SCALE=${GS_TEST_SCALE:-0.05} GS_TEST_TIMEOUT=${GS_TEST_TIMEOUT:-600}
VG="valgrind --tool=memcheck --suppressions=verify/valgrind.supp --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --quiet"
status=0
for t in "$dir"/tests/test_*; do
    [ -x "$t" ] || continue
    start=$(date +%s)
    if $VG "$t" >"$t.valgrind.log" 2>&1; then
        echo "ok    valgrind $(basename "$t") ($(($(date +%s) - start)) s)"
    else
        echo "FAIL  valgrind $(basename "$t"): see $t.valgrind.log"
        tail -30 "$t.valgrind.log"
        status=1
    fi
done
if [ -x "$dir/tests/torture" ]; then
    if $VG "$dir/tests/torture" --seconds 5 --threads 16 --watchdog 120 >"$dir/tests/torture.valgrind.log" 2>&1; then
        echo "ok    valgrind torture --seconds 5 --threads 16: $(grep 'torture: PASSED' "$dir/tests/torture.valgrind.log" | cut -c1-90)"
    else
        echo "FAIL  valgrind torture: see $dir/tests/torture.valgrind.log"
        tail -30 "$dir/tests/torture.valgrind.log"
        status=1
    fi
fi
exit $status
