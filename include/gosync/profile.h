/* gosync/profile.h: contention profiling, like Go's mutex profile.
 *
 * When profiling is on, contended acquisitions (those that reach a slow path: a gs_mutex
 * lock that found the mutex held, a gs_rwmutex reader or writer that had to wait) are
 * sampled, 1 in `rate` on average, with the time the thread waited and the call stack that
 * acquired. Uncontended acquisitions are never looked at, and with profiling off a contended
 * one pays one load and branch on a global.
 *
 * A report lists the acquiring sites by total wait (count, total, mean and max wait; the
 * numbers are those of the samples, not scaled by the rate) as '#' comment lines, followed
 * by the same samples in Go's legacy text contention format and the process's memory map, so
 * that one file serves both readers:
 *
 *     $ GOSYNC_PROFILE=contention.txt ./server      # written when the program exits
 *     $ less contention.txt                          # the site table
 *     $ go tool pprof -top ./server contention.txt   # pprof, scaled by the rate
 *
 * Environment (read once, before main): GOSYNC_PROFILE=<file> starts profiling and writes
 * the report to <file> at exit; GOSYNC_PROFILE_RATE=<n> sets the rate (default 1: every
 * contended acquisition).
 *
 * Example:
 *
 *     gs_profile_start(10);           // sample 1 in 10 contended acquisitions
 *     run_workload();
 *     gs_profile_write(stderr);
 */
#ifndef GOSYNC_PROFILE_H
#define GOSYNC_PROFILE_H

#include <stdio.h>

#include "config.h"

GS_EXTERN_C_BEGIN

/* Starts sampling 1 in rate contended acquisitions (rate 1: all of them); rate 0 stops.
 * Samples taken so far are kept. Returns the previous rate (0: it was off). */
GS_API int gs_profile_start(int rate);

/* Writes the report of the samples taken since the start (or the last reset) to f; returns
 * 0, or -1 if writing failed. Callable at any time, from any thread; sampling goes on. */
GS_API int gs_profile_write(FILE *f);

/* Discards the samples taken so far. */
GS_API void gs_profile_reset(void);

GS_EXTERN_C_END

#endif /* GOSYNC_PROFILE_H */
