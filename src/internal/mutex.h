/* src/internal/mutex.h: gs_mutex entry points for the other primitives. */
#ifndef GS_INTERNAL_MUTEX_H
#define GS_INTERNAL_MUTEX_H

#include <gosync/mutex.h>

#include "common.h"

/* Locks mu, waiting until deadline_ns (absolute CLOCK_MONOTONIC; GS__NO_DEADLINE for none);
 * returns whether it acquired. */
GS__HIDDEN bool gs__mutex_lock_until(gs_mutex *mu, int64_t deadline_ns);

/* The least CPU count at which a designated waiter watches a free lock before taking it
 * (src/mutex.c, "The watch"). Tests lower it to run the watch on 2 CPUs. */
GS__HIDDEN extern int gs__mutex_watch_cpus;

/* The index of mu's slot in the table that holds the mutexes' wait queues (src/mutex.c,
 * "Queues"), for tests that put many mutexes in one slot. */
GS__HIDDEN unsigned gs__mutex_slot_index(const gs_mutex *mu);

#endif /* GS_INTERNAL_MUTEX_H */
