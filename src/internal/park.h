/* src/internal/park.h: the portable wait-on-address implementation (pthread mutex+condvar
 * parking slots), with the same contract as gs__wait / gs__wake in wait.h. Used directly by
 * the "park" backend and as the futex backend's fallback when the kernel lacks futexes. */
#ifndef GS_INTERNAL_PARK_H
#define GS_INTERNAL_PARK_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"

GS__HIDDEN bool gs__park_wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns,
                              uint32_t tag);
GS__HIDDEN void gs__park_wake(uint32_t *addr, int n, uint32_t tags);

#endif /* GS_INTERNAL_PARK_H */
