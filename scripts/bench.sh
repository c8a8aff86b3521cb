#!/bin/sh
# scripts/bench.sh: gosync's benchmark matrix, as `make bench` runs it.
#
#   scripts/bench.sh            the full matrix (under 5 minutes on 2 cores) -> bench/results/
#   scripts/bench.sh --quick    the short one (under a minute)               -> bench/results/quick/
#   scripts/bench.sh OPTIONS    any other run (--filter, --impl, ...)         -> bench/results/custom/
#
# Options are the harness's (build/release/bench/gosync-bench --help). The tables go to
# stdout; the directory gets raw.csv, median.csv, summary.md and plots/ (PNGs when gnuplot
# is installed: apt-get install gnuplot-nox).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=build/release/bench/gosync-bench
if [ ! -x "$bin" ]; then
    echo "bench.sh: $bin is not built: run 'make' first (benchmarks build in build/release)" >&2
    exit 2
fi

# --out DIR (relative to the repository root) overrides the directory chosen here.
out=""
prev=""
for a in "$@"; do
    if [ "$prev" = "--out" ]; then
        out=$a
    fi
    prev=$a
done
if [ -n "$out" ]; then
    "$bin" "$@"
else
    if [ $# -eq 0 ]; then
        out=bench/results
    elif [ $# -eq 1 ] && [ "$1" = "--quick" ]; then
        out=bench/results/quick
    else
        out=bench/results/custom
    fi
    "$bin" --out "$out" "$@"
fi

if command -v gnuplot >/dev/null 2>&1; then
    if (cd "$out/plots" && gnuplot plots.gp); then
        echo "bench.sh: plots in $out/plots/"
    else
        echo "bench.sh: gnuplot failed; the data is in $out/plots/*.dat" >&2
    fi
else
    echo "bench.sh: gnuplot not found, plots skipped (apt-get install gnuplot-nox)" >&2
fi
echo "bench.sh: summary in $out/summary.md"
