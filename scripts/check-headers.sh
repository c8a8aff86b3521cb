#!/usr/bin/env bash
# Compiles tests/pkg/headers.c (every public declaration of <gosync.h>) as C11, C17, C2x and,
# as C++, C++11, C++14, C++17, C++20, with each of gcc, clang, g++ and clang++ found, with
# -Wall -Wextra -Wpedantic -Werror; each standard also with -DGS_DEBUG and -DGS_NO_INLINE.
# Compile only (-c): nothing is linked or run.
#
#   scripts/check-headers.sh [INCLUDE_DIR]     (default: include/ of this checkout)
#
# Exit status: 0 if every compile passed, 1 if one failed, 77 if no compiler was found.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
inc="${1:-$root/include}"
src="$root/tests/pkg/headers.c"
warn=(-Wall -Wextra -Wpedantic -Werror)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

pass=0 fail=0 compilers=0
check() { # compiler lang std variant-flags...
    local cc=$1 lang=$2 std=$3
    shift 3
    if "$cc" -x "$lang" -std="$std" "${warn[@]}" "$@" -I "$inc" -c "$src" -o "$out/t.o" \
        2>"$out/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $cc -x $lang -std=$std $*"
        ((fail > 3)) || sed 's/^/    /' "$out/err" | head -20
    fi
}

for cc in gcc clang; do
    command -v "$cc" >/dev/null || { echo "skip: no $cc"; continue; }
    compilers=$((compilers + 1))
    for std in c11 c17 c2x; do
        for v in "" -DGS_DEBUG -DGS_NO_INLINE; do check "$cc" c "$std" $v; done
    done
done
for cxx in g++ clang++; do
    command -v "$cxx" >/dev/null || { echo "skip: no $cxx"; continue; }
    compilers=$((compilers + 1))
    for std in c++11 c++14 c++17 c++20; do
        for v in "" -DGS_DEBUG -DGS_NO_INLINE; do check "$cxx" c++ "$std" $v; done
    done
done
((compilers)) || { echo "no compiler found"; exit 77; }
echo "headers: $pass passed, $fail failed"
((fail == 0))
