/* src/locker.c: gs_locker, Go's sync.Locker and RWMutex.RLocker, as plain values. */
#include <gosync/locker.h>

static void gs__locker_mutex_lock(void *p) { gs_mutex_lock((gs_mutex *)p); }
static void gs__locker_mutex_unlock(void *p) { gs_mutex_unlock((gs_mutex *)p); }
static void gs__locker_rw_lock(void *p) { gs_rwmutex_lock((gs_rwmutex *)p); }
static void gs__locker_rw_unlock(void *p) { gs_rwmutex_unlock((gs_rwmutex *)p); }
static void gs__locker_rw_rlock(void *p) { gs_rwmutex_rlock((gs_rwmutex *)p); }
static void gs__locker_rw_runlock(void *p) { gs_rwmutex_runlock((gs_rwmutex *)p); }

gs_locker gs_mutex_locker(gs_mutex *mu) {
    gs_locker l = {gs__locker_mutex_lock, gs__locker_mutex_unlock, mu};
    return l;
}

gs_locker gs_rwmutex_locker(gs_rwmutex *rw) {
    gs_locker l = {gs__locker_rw_lock, gs__locker_rw_unlock, rw};
    return l;
}

gs_locker gs_rwmutex_rlocker(gs_rwmutex *rw) {
    gs_locker l = {gs__locker_rw_rlock, gs__locker_rw_runlock, rw};
    return l;
}

void gs_locker_lock(gs_locker l) { l.lock(l.self); }
void gs_locker_unlock(gs_locker l) { l.unlock(l.self); }
