#!/bin/sh
# scripts/install-peers.sh: installs the locks the benchmark compares gosync with, and what
# it needs to build and plot them, on Debian 12 (or Ubuntu): only the packages missing.
#
#   libnsync-dev  nsync's nsync_mu            libck-dev    ConcurrencyKit's spinlocks
#   libabsl-dev   abseil's absl::Mutex        g++, pkg-config  to build abseil's C++ adapter
#   golang-go     Go's sync.Mutex/RWMutex     gnuplot-nox  the plots
#
# Then it reconfigures build/release, if it exists, so that `make bench` picks them up.
set -eu

want="libnsync-dev libck-dev libabsl-dev golang-go gnuplot-nox g++ pkg-config"
missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-peers.sh: all installed ($want)"
else
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo=sudo
    fi
    echo "install-peers.sh: installing$missing"
    $sudo apt-get update
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y $missing
fi

root=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$root/build/release/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$root/build/release" >/dev/null
    echo "install-peers.sh: reconfigured build/release"
fi
