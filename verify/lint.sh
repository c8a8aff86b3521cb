#!/bin/sh
# verify/lint.sh: the static checks of `make lint`, all of which must be clean.
#   1. gcc and clang builds with -Wall -Wextra -Werror (GOSYNC_WERROR) of library (with the
#      fault-injection layer, so that it is checked too), tests and
#      examples;
#   2. clang-tidy with the checked-in .clang-tidy (tests/ and examples/ relax a few checks);
#   3. cppcheck (warning, style, performance, portability) with verify/cppcheck.supp.
# Usage: verify/lint.sh   (build trees in build/lint-gcc and build/lint-clang)
set -eu
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
status=0

for cc in gcc clang; do
    dir=build/lint-$cc
    echo "lint: $cc -Wall -Wextra -Werror build ($dir)"
    cmake -S . -B "$dir" -DCMAKE_C_COMPILER=$cc -DCMAKE_BUILD_TYPE=Debug -DGOSYNC_WERROR=ON \
        -DGOSYNC_BUILD_BENCH=OFF -DGOSYNC_FAULT_INJECT=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
    cmake --build "$dir" -j "$JOBS" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; status=1; }
done

# The C files this platform builds (other OSes' backends cannot be parsed here).
root=$(pwd)
files=$(sed -n 's/^ *"file": "\(.*\)",*$/\1/p' build/lint-clang/compile_commands.json |
    sed "s#^$root/##" | grep -E '^(src|tests|examples)/.*\.c$' | sort -u)
echo "lint: clang-tidy ($(echo "$files" | wc -l) files)"
# shellcheck disable=SC2086
if ! clang-tidy -p build/lint-clang --quiet $files >build/lint-clang/tidy.log 2>&1; then
    grep -E -A3 '(warning|error):' build/lint-clang/tidy.log || cat build/lint-clang/tidy.log
    status=1
fi

echo "lint: cppcheck"
if ! cppcheck --project=build/lint-clang/compile_commands.json --std=c11 -q \
    --enable=warning,style,performance,portability --inline-suppr \
    --suppressions-list=verify/cppcheck.supp --error-exitcode=1 \
    --file-filter='*' 2>build/lint-clang/cppcheck.log; then
    cat build/lint-clang/cppcheck.log
    status=1
fi

[ $status = 0 ] && echo "lint: clean" || echo "lint: FAILED"
exit $status
