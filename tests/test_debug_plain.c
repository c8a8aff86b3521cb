/* tests/test_debug_plain.c: lock calls compiled without GS_DEBUG, linked into test_debug to
 * stand for code the checker does not see. */
#include <gosync.h>

#if defined(GS_DEBUG)
#error "this file must be compiled without GS_DEBUG"
#endif

void plain_mutex_lock(gs_mutex *mu);
void plain_mutex_unlock(gs_mutex *mu);

void plain_mutex_lock(gs_mutex *mu) { gs_mutex_lock(mu); }
void plain_mutex_unlock(gs_mutex *mu) { gs_mutex_unlock(mu); }
