#!/usr/bin/env bash
# Cross-compiles gosync for 64-bit Windows with mingw-w64 (the WaitOnAddress backend, static
# library and DLL), the smoke test (tests/pkg/smoke_windows.c) and the version test against
# both, checks the DLL's export table, compiles dist/gosync.c and tests/pkg/headers.c for
# Windows, and, if wine is installed, runs the tests under it.
#
#   scripts/cross-windows.sh [BUILD_DIR]        (default: build/windows)
#
# Needs: x86_64-w64-mingw32-gcc (Debian: gcc-mingw-w64-x86-64-win32); optional: wine64
# (Debian: wine64, found in PATH or as /usr/lib/wine/wine64). Exit status 77 without mingw-w64.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/windows}"
cc=x86_64-w64-mingw32-gcc
command -v $cc >/dev/null || { echo "cross-windows: skip: no $cc"; exit 77; }
start=$(date +%s)

wine=""
for w in wine64 /usr/lib/wine/wine64 wine; do
    if command -v "$w" >/dev/null; then wine="$(command -v "$w")"; break; fi
done
emulator=()
[ -n "$wine" ] && emulator=(-DCMAKE_CROSSCOMPILING_EMULATOR="$wine")

mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/mingw-w64-x86_64.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DGOSYNC_WERROR=ON -DGOSYNC_BUILD_TESTS=ON \
    -DGOSYNC_BUILD_EXAMPLES=OFF -DGOSYNC_BUILD_BENCH=OFF "${emulator[@]}" >"$build/configure.log" ||
    { cat "$build/configure.log"; exit 1; }
grep -q "GOSYNC_WAIT_BACKEND:STRING=windows" "$build/CMakeCache.txt" ||
    { echo "cross-windows: FAIL: the Windows build did not pick the windows backend"; exit 1; }
cmake --build "$build" -j "$(nproc)"
echo "cross-windows: built $(cd "$build" && ls ./*.dll ./*.a ./*.exe | tr '\n' ' ')"

# dist/gosync.c alone, for Windows (its #if picks the same backend).
$cc -std=c11 -O2 -Wall -Wextra -Werror -c "$root/dist/gosync.c" -o "$build/dist-gosync.o"
echo "cross-windows: dist/gosync.c compiles for Windows"
# The public headers, as in scripts/check-headers.sh, for code using the static library or the
# DLL (GOSYNC_SHARED: __declspec(dllimport)).
for std in c11 c17 c2x; do
    for v in "" -DGOSYNC_SHARED -DGS_DEBUG; do
        $cc -std=$std -Wall -Wextra -Wpedantic -Werror $v -I "$root/include" \
            -c "$root/tests/pkg/headers.c" -o "$build/headers.o"
    done
done
echo "cross-windows: the headers compile for Windows (C11, C17, C2x)"

if [ -z "$wine" ]; then
    echo "cross-windows: compiled only (no wine: tests not run) ($(($(date +%s) - start)) s)"
    exit 0
fi
export WINEDEBUG=-all WINEPREFIX="${WINEPREFIX:-$build/wineprefix}"
# mingw-w64's own DLLs (libwinpthread-1.dll, for sources that use pthread keys) from its sysroot.
WINEPATH="$(dirname "$($cc -print-file-name=libwinpthread-1.dll)")"
export WINEPATH
# The first start of a prefix takes seconds; do it before the timed tests.
"$wine" cmd /c exit >/dev/null 2>&1 || true
ctest --test-dir "$build" --output-on-failure
echo "cross-windows: passed under $("$wine" --version 2>/dev/null || echo wine) ($(($(date +%s) - start)) s)"
