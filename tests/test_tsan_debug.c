/* tests/test_tsan_debug.c: a lock and unlock in debug mode, for test_tsan. */
#define GS_DEBUG 1
#include <gosync.h>

void debug_lock_unlock(gs_mutex *mu);

void debug_lock_unlock(gs_mutex *mu) {
    gs_mutex_lock(mu);
    gs_mutex_unlock(mu);
}
