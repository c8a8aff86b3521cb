/* tests/tsa/write_under_read_guard.c: writes under a read lock; clang must reject it. */
#include <gosync.h>

static gs_rwmutex rw;
static int table[16] GS_GUARDED_BY(rw);

void set(int i, int v) {
    GS_RGUARD(&rw);
    table[i & 15] = v;
}
