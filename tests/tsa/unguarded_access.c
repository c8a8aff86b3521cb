/* tests/tsa/unguarded_access.c: writes guarded data without its lock; clang must reject it. */
#include <gosync.h>

static gs_mutex mu;
static long balance GS_GUARDED_BY(mu);

void deposit(long n) { balance += n; }
