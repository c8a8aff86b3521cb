/* tests/tsa/guarded_ok.c: correctly locked code; clang -Wthread-safety -Werror accepts it
 * (with and without GS_DEBUG). Every way of taking a gosync lock appears once.
 *
 * In C, clang (14 at least) resolves a GS_GUARDED_BY argument in the scope around the
 * declaration, so a struct member cannot name a sibling lock: guarded data here is at file
 * scope, and functions on a struct's lock state it with GS_REQUIRES(a->mu). */
#include <gosync.h>

struct account {
    gs_mutex mu;
    long balance; /* guarded by mu: functions say so with GS_REQUIRES(a->mu) */
};

static gs_mutex history_lock;
static long *history GS_PT_GUARDED_BY(history_lock);

static gs_rwmutex table_lock;
static int table[16] GS_GUARDED_BY(table_lock);

static void add_locked(struct account *a, long n) GS_REQUIRES(a->mu) { a->balance += n; }
static int lookup_locked(int i) GS_REQUIRES_SHARED(table_lock) { return table[i & 15]; }

void deposit(struct account *a, long n) GS_EXCLUDES(a->mu) {
    GS_GUARD(&a->mu); /* Go's mu.Lock(); defer mu.Unlock() */
    add_locked(a, n);
}

void record(long n) {
    GS_GUARD(&history_lock);
    if (history)
        *history = n;
}

long withdraw(struct account *a, long n) {
    gs_mutex_lock(&a->mu);
    if (a->balance < n) {
        gs_mutex_unlock(&a->mu);
        return 0;
    }
    a->balance -= n;
    gs_mutex_unlock(&a->mu);
    return n;
}

int try_deposit(struct account *a, long n) {
    if (!gs_mutex_trylock(&a->mu))
        return 0;
    a->balance += n;
    gs_mutex_unlock(&a->mu);
    return 1;
}

int timed_deposit(struct account *a, long n) {
    if (!gs_mutex_lock_timeout(&a->mu, 1000000))
        return 0;
    a->balance += n;
    gs_mutex_unlock(&a->mu);
    return 1;
}

int get(int i) {
    GS_RGUARD(&table_lock);
    return lookup_locked(i);
}

int get_explicit(int i) {
    gs_rwmutex_rlock(&table_lock);
    int v = table[i & 15];
    gs_rwmutex_runlock(&table_lock);
    return v;
}

int try_get(int i, int *v) {
    if (!gs_rwmutex_tryrlock(&table_lock))
        return 0;
    *v = lookup_locked(i);
    gs_rwmutex_runlock(&table_lock);
    return 1;
}

void set(int i, int v) {
    GS_GUARD(&table_lock);
    table[i & 15] = v;
}

void set_explicit(int i, int v) {
    gs_rwmutex_lock(&table_lock);
    table[i & 15] = v;
    gs_rwmutex_unlock(&table_lock);
}

int try_set(int i, int v) {
    if (!gs_rwmutex_trylock(&table_lock))
        return 0;
    table[i & 15] = v;
    gs_rwmutex_unlock(&table_lock);
    return 1;
}

int timed_set(int i, int v) {
    if (!gs_rwmutex_lock_timeout(&table_lock, 1000000))
        return 0;
    table[i & 15] = v;
    gs_rwmutex_unlock(&table_lock);
    return 1;
}

int timed_get(int i, int *v) {
    if (!gs_rwmutex_rlock_timeout(&table_lock, 1000000))
        return 0;
    *v = table[i & 15];
    gs_rwmutex_runlock(&table_lock);
    return 1;
}
