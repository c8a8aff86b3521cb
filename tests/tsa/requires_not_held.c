/* tests/tsa/requires_not_held.c: calls a GS_REQUIRES function without the lock; clang must
 * reject it. */
#include <gosync.h>

struct account {
    gs_mutex mu;
    long balance;
};

static void add_locked(struct account *a, long n) GS_REQUIRES(a->mu) { a->balance += n; }

void deposit(struct account *a, long n) { add_locked(a, n); }
