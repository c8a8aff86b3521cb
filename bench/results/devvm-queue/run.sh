#!/bin/sh
# Round-robin series: every build in every round, so that the dev VM's mode changes fall on
# all of them. Usage: run.sh DIR ROUNDS BUILD... ; the cells are THREADS@WORK pairs, by
# default CELLS="2@0 8@0 32@0 128@0 2@100 8@100 32@100 128@100".
# Each line: the round, the build, and mtest's output for a 1 s run.
dir=$1; rounds=$2; shift 2
for r in $(seq "$rounds"); do
    for cell in ${CELLS:-2@0 8@0 32@0 128@0 2@100 8@100 32@100 128@100}; do
        for b in "$@"; do
            printf "r%s %-22s " "$r" "$b"
            "$dir/$b" "${cell%@*}" "${cell#*@}" 1
        done
    done
done
