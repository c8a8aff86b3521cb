/* src/platform/park_only.c: the wait-on-address API served entirely by the portable parking
 * table (src/platform/park_pthread.c). Chosen with -DGOSYNC_WAIT_BACKEND=park, and the
 * default where the OS has no wait-on-address call gosync knows. */
#include "../internal/park.h"
#include "../internal/wait.h"

bool gs__wait(uint32_t *addr, uint32_t expected, int64_t deadline_ns, uint32_t tag) {
    return gs__park_wait(addr, expected, deadline_ns, tag);
}

void gs__wake(uint32_t *addr, int n, uint32_t tags) { gs__park_wake(addr, n, tags); }
