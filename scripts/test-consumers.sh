#!/usr/bin/env bash
# Installs gosync into a temporary prefix and builds and runs the two consumer projects of
# tests/consumers/ against it: one with CMake's find_package(gosync CONFIG), one with plain
# make and pkg-config; each links the shared and the static library.
#
#   scripts/test-consumers.sh [BUILD_DIR]
#
# With BUILD_DIR (a configured and built gosync build tree), installs from it; otherwise
# configures and builds the library alone (Release) in the temporary directory first. Checks
# the installed layout: headers, libgosync.a, libgosync.so -> libgosync.so.0 (the SONAME),
# gosync.pc with the install prefix, and the CMake package. Exits 77 (skipped) after the CMake
# part if pkg-config is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
start=$(date +%s)
fail() { echo "test-consumers: FAIL: $*" >&2; exit 1; }

if [ $# -ge 1 ]; then
    build="$1"
else
    build="$tmp/build"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGOSYNC_BUILD_TESTS=OFF \
        -DGOSYNC_BUILD_EXAMPLES=OFF -DGOSYNC_BUILD_BENCH=OFF >"$tmp/configure.log" ||
        { cat "$tmp/configure.log"; fail "configure"; }
    cmake --build "$build" -j "$(nproc)" >"$tmp/build.log" || { cat "$tmp/build.log"; fail "build"; }
fi
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
    { cat "$tmp/install.log"; fail "install"; }

# ---- the installed layout ----
pc="$(find "$prefix" -name gosync.pc)"
[ -n "$pc" ] || fail "no gosync.pc installed"
libdir="$(dirname "$(dirname "$pc")")"
for f in "$prefix/include/gosync.h" "$prefix/include/gosync/mutex.h" "$libdir/libgosync.a" \
    "$libdir/libgosync.so" "$libdir/libgosync.so.0" "$libdir/cmake/gosync/gosyncConfig.cmake" \
    "$libdir/cmake/gosync/gosyncConfigVersion.cmake"; do
    [ -e "$f" ] || fail "not installed: ${f#"$prefix"/}"
done
soname="$(readelf -d "$libdir/libgosync.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"
[ "$soname" = libgosync.so.0 ] || fail "SONAME is '$soname', expected libgosync.so.0"
[ "$(readlink "$libdir/libgosync.so")" = libgosync.so.0 ] || fail "libgosync.so does not link to libgosync.so.0"
grep -x "prefix=$prefix" "$pc" >/dev/null || fail "gosync.pc does not name the install prefix: $(grep '^prefix=' "$pc")"

# ---- CMake consumer ----
cmake -S "$root/tests/consumers/cmake" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_TYPE=Release >"$tmp/c.log" 2>&1 || { cat "$tmp/c.log"; fail "CMake consumer: configure"; }
cmake --build "$tmp/cmake" >>"$tmp/c.log" 2>&1 || { cat "$tmp/c.log"; fail "CMake consumer: build"; }
"$tmp/cmake/consumer_shared" "cmake find_package, gosync::gosync (shared)"
"$tmp/cmake/consumer_static" "cmake find_package, gosync::gosync_static"
[[ "$(ldd "$tmp/cmake/consumer_shared")" == *"libgosync.so.0 => $libdir/"* ]] ||
    fail "CMake consumer does not load libgosync.so.0 from the prefix"

# ---- pkg-config + make consumer ----
if ! command -v pkg-config >/dev/null; then
    echo "test-consumers: 2 passed; skip the pkg-config consumer: no pkg-config"
    exit 77
fi
mkdir -p "$tmp/pc"
PKG_CONFIG_PATH="$libdir/pkgconfig" make -s -C "$root/tests/consumers/pkgconfig" OUT="$tmp/pc" \
    >"$tmp/p.log" 2>&1 || { cat "$tmp/p.log"; fail "pkg-config consumer: build"; }
"$tmp/pc/consumer_shared" "make + pkg-config, -lgosync (shared)"
"$tmp/pc/consumer_static" "make + pkg-config, libgosync.a"
[[ "$(ldd "$tmp/pc/consumer_shared")" == *"libgosync.so.0 => $libdir/"* ]] ||
    fail "pkg-config consumer does not load libgosync.so.0 from the prefix"
[[ "$(ldd "$tmp/pc/consumer_static")" != *libgosync* ]] || fail "static consumer loads libgosync.so"

echo "test-consumers: 4 passed, 0 failed ($(($(date +%s) - start)) s)"
