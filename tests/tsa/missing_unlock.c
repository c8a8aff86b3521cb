/* tests/tsa/missing_unlock.c: returns with the lock held on one path; clang must reject it. */
#include <gosync.h>

static gs_mutex mu;
static long balance GS_GUARDED_BY(mu);

long withdraw(long n) {
    gs_mutex_lock(&mu);
    if (balance < n)
        return 0;
    balance -= n;
    gs_mutex_unlock(&mu);
    return n;
}
