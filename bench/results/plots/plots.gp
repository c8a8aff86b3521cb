# gnuplot script written by gosync-bench; run from this directory:
#   gnuplot plots.gp
set terminal pngcairo size 1200,700 noenhanced font ',10'
set key outside right top
set grid
set datafile missing 'NaN'
# twelve distinguishable line styles (gnuplot's default cycle has eight)
set linetype 1 lc rgb '#1f77b4' pt 1
set linetype 2 lc rgb '#ff7f0e' pt 2
set linetype 3 lc rgb '#2ca02c' pt 3
set linetype 4 lc rgb '#d62728' pt 4
set linetype 5 lc rgb '#9467bd' pt 5
set linetype 6 lc rgb '#8c564b' pt 6
set linetype 7 lc rgb '#e377c2' pt 7
set linetype 8 lc rgb '#7f7f7f' pt 8
set linetype 9 lc rgb '#bcbd22' pt 9
set linetype 10 lc rgb '#17becf' pt 10
set linetype 11 lc rgb '#000000' pt 11
set linetype 12 lc rgb '#aa0000' pt 12
set linetype cycle 12
set logscale x 2
set style data linespoints
machine = 'AMD EPYC, 2 cores, 2026-11-27 09:38 UTC'
set output 'mutex-short.png'
set title 'mutex/short: throughput vs threads ('.machine.')'
set xlabel 'threads'
set ylabel 'lock+unlock per second'
unset logscale y
set format y '%.1s%c'
set yrange [0:*]
plot for [i=2:10] 'mutex-short.dat' using 1:i title columnheader(i) lw 2
set output 'mutex-short-wait.png'
set terminal pngcairo size 1500,550 noenhanced font ',10'
set multiplot layout 1,3 title 'mutex/short: wait to acquire ('.machine.')'
set logscale y
set format y '%g'
set yrange [*:*]
set ylabel 'microseconds'
set key off
set title 'wait p50'
plot for [i=2:10] 'mutex-short-wait-p50.dat' using 1:i title columnheader(i) lw 2
set title 'wait p99'
plot for [i=2:10] 'mutex-short-wait-p99.dat' using 1:i title columnheader(i) lw 2
set key outside right top
set title 'wait max'
plot for [i=2:10] 'mutex-short-wait-max.dat' using 1:i title columnheader(i) lw 2
unset multiplot
set terminal pngcairo size 1200,700 noenhanced font ',10'
set key outside right top
set output 'mutex-work.png'
set title 'mutex/work: throughput vs threads ('.machine.')'
set xlabel 'threads'
set ylabel 'lock+unlock per second'
unset logscale y
set format y '%.1s%c'
set yrange [0:*]
plot for [i=2:10] 'mutex-work.dat' using 1:i title columnheader(i) lw 2
set output 'mutex-work-wait.png'
set terminal pngcairo size 1500,550 noenhanced font ',10'
set multiplot layout 1,3 title 'mutex/work: wait to acquire ('.machine.')'
set logscale y
set format y '%g'
set yrange [*:*]
set ylabel 'microseconds'
set key off
set title 'wait p50'
plot for [i=2:10] 'mutex-work-wait-p50.dat' using 1:i title columnheader(i) lw 2
set title 'wait p99'
plot for [i=2:10] 'mutex-work-wait-p99.dat' using 1:i title columnheader(i) lw 2
set key outside right top
set title 'wait max'
plot for [i=2:10] 'mutex-work-wait-max.dat' using 1:i title columnheader(i) lw 2
unset multiplot
set terminal pngcairo size 1200,700 noenhanced font ',10'
set key outside right top
set output 'rw.png'
set terminal pngcairo size 1400,900 noenhanced font ',10'
set multiplot layout 2,2 title 'reader/writer: throughput vs threads ('.machine.')'
unset logscale y
set format y '%.1s%c'
set yrange [0:*]
set xlabel 'threads'
set ylabel 'operations per second'
set title 'read-only'
plot for [i=2:9] 'rw-w0.dat' using 1:i title columnheader(i) lw 2
set title '1% writes'
plot for [i=2:8] 'rw-w1.dat' using 1:i title columnheader(i) lw 2
set title '10% writes'
plot for [i=2:8] 'rw-w10.dat' using 1:i title columnheader(i) lw 2
set title '50% writes'
plot for [i=2:8] 'rw-w50.dat' using 1:i title columnheader(i) lw 2
unset multiplot
set output 'rw-wait.png'
set terminal pngcairo size 1400,550 noenhanced font ',10'
set multiplot layout 1,2 title 'reader/writer: wait p99 at the largest thread count ('.machine.')'
unset logscale x
set logscale y
set format y '%g'
set yrange [*:*]
set xrange [-0.5:3.5]
set xlabel 'write share'
set ylabel 'microseconds'
set title 'reader wait p99'
plot for [i=2:8] 'rw-rwait.dat' using 0:i:xtic(1) title columnheader(i) lw 2
set title 'writer wait p99'
plot for [i=2:8] 'rw-wwait.dat' using 0:i:xtic(1) title columnheader(i) lw 2
unset multiplot
