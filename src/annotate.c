/* src/annotate.c: the public lock functions of TSan and valgrind builds, reporting every
 * operation to the race detector (see src/internal/annotate.h for when and why).
 *
 * Each operation is bracketed as the tool expects: TSan's __tsan_mutex_pre_lock /
 * post_lock (with the read-lock, try-lock and try-lock-failed flags) and pre_unlock /
 * post_unlock; valgrind's ANNOTATE_RWLOCK_ACQUIRED after a lock and ANNOTATE_RWLOCK_RELEASED
 * before an unlock, plus a happens-before pair, with the lock's memory marked untracked
 * (helgrind and DRD would otherwise report the lock word itself). The tool then reports
 * unlocks of unlocked locks and lock-order inversions of gosync locks as it does for pthread
 * locks. A try-lock or timed lock cannot deadlock: TSan gets the try flag, valgrind (whose
 * requests have none) only the happens-before pair, so that helgrind keeps it out of its lock
 * order.
 *
 * The tool knows a lock by an identity: a small refcounted heap token per lock, not the
 * lock's address, because of what the tools do not know, Go's cross-thread unlock. To them a
 * lock is owned by the thread that locked it, an unlock from another thread is an error, and
 * the owner's state keeps the lock held (TSan's lock-order detector would count it as held
 * forever, and abort after 64). So the shim remembers who holds what and, when thread B
 * unlocks a lock that thread A locked:
 *   - B reports only a happens-before release (its unlock must synchronize with the next
 *     lock), and the lock gets a fresh token, so that the next locker is not taken for a
 *     second owner of the identity A still holds;
 *   - A is given a pending release of the old token, which it reports itself on entering its
 *     next gosync operation (or at its exit), with TSan's synchronization ignored so that the
 *     late release orders nothing; then the old token is destroyed (for the tool) and freed.
 * Read locks get the same treatment when a thread read-unlocks what another read-holds (a
 * thread's repeated read holds of one identity are reported once). A thread that exits
 * holding a lock reports its release at exit; the later unlock by another thread is then a
 * release only.
 *
 * Tokens outlive the lock's memory when need be (a pending release), which is why they are
 * not the lock's address. A lock's token is dropped when its memory is freed (TSan's free
 * hook) or named by gs_debug_forget, so that a new lock at that address starts with no
 * history. The bookkeeping lives behind internal/book.h's lock, invisible to the tools.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal/annotate.h"

#if !defined(GS__ANNOTATE)
/* Not a TSan or valgrind build: the public functions are those of mutex.c and rwmutex.c. */
void gs__annotate_forget(const void *addr, size_t size) {
    (void)addr;
    (void)size;
}
#else

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal/atomic.h"
#include "internal/book.h"
#include "internal/map.h"
#include "internal/wait.h"

/* ---- the tools' interfaces ---- */

enum { GS__ANN_READ = 1u << 0, GS__ANN_TRY = 1u << 1, GS__ANN_FAILED = 1u << 2 };

#if defined(GS__TSAN)
/* From <sanitizer/tsan_interface.h> and <sanitizer/allocator_interface.h>. */
void __tsan_mutex_pre_lock(void *addr, unsigned flags);
void __tsan_mutex_post_lock(void *addr, unsigned flags, int recursion);
int __tsan_mutex_pre_unlock(void *addr, unsigned flags);
void __tsan_mutex_post_unlock(void *addr, unsigned flags);
void __tsan_release(void *addr);
void __tsan_mutex_destroy(void *addr, unsigned flags);
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
size_t __sanitizer_get_allocated_size(const volatile void *p);
#define GS__TSAN_READ_LOCK (1u << 3)
#define GS__TSAN_TRY_LOCK (1u << 4)
#define GS__TSAN_TRY_LOCK_FAILED (1u << 5)

static unsigned gs__tsan_flags(unsigned f) {
    return (f & GS__ANN_READ ? GS__TSAN_READ_LOCK : 0) | (f & GS__ANN_TRY ? GS__TSAN_TRY_LOCK : 0) |
           (f & GS__ANN_FAILED ? GS__TSAN_TRY_LOCK_FAILED : 0);
}
#endif

#if defined(GOSYNC_VALGRIND)
/* helgrind.h's lock and happens-before requests are DRD's too (the same request codes); "do
 * not check this memory" differs, and internal/book.h sends it in both dialects. */
#include <valgrind/helgrind.h>
#endif

static void gs__tool_pre_lock(void *id, unsigned f) {
#if defined(GS__TSAN)
    __tsan_mutex_pre_lock(id, gs__tsan_flags(f));
#endif
    (void)id;
    (void)f;
}

/* For valgrind, a lock is two objects: the rwlock `id`, which helgrind and DRD check (lock
 * order, unlocks of unlocked locks), and the happens-before tag id + 1 (DRD refuses both on one
 * address), which every release sends and every acquisition receives. A try-lock or timed
 * acquisition cannot deadlock, and the annotations have no try flag, so it is modelled by the
 * happens-before tag alone: helgrind must not see it in a lock order. TSan has the try flag.
 *
 * hb: some release was sent on id + 1 already (DRD wants no "happens after" before a "happens
 * before"). */
static void gs__tool_post_lock(const void *lock, size_t size, void *id, unsigned f, bool hb) {
#if defined(GS__TSAN)
    __tsan_mutex_post_lock(id, gs__tsan_flags(f), 0);
#endif
#if defined(GOSYNC_VALGRIND)
    GS__VG_UNTRACKED(lock, size); /* the lock word: gosync's own atomics */
    if (!(f & GS__ANN_FAILED)) {
        if (!(f & GS__ANN_TRY))
            ANNOTATE_RWLOCK_ACQUIRED(id, !(f & GS__ANN_READ));
        if (hb)
            ANNOTATE_HAPPENS_AFTER((char *)id + 1);
    }
#endif
    (void)lock;
    (void)size;
    (void)id;
    (void)f;
    (void)hb;
}

/* f: GS__ANN_READ for a read hold, GS__ANN_TRY if the hold was taken by a try or timed lock. */
static void gs__tool_pre_unlock(void *id, unsigned f) {
#if defined(GS__TSAN)
    __tsan_mutex_pre_unlock(id, gs__tsan_flags(f & GS__ANN_READ));
#endif
#if defined(GOSYNC_VALGRIND)
    ANNOTATE_HAPPENS_BEFORE((char *)id + 1);
    if (!(f & GS__ANN_TRY))
        ANNOTATE_RWLOCK_RELEASED(id, !(f & GS__ANN_READ));
#endif
    (void)id;
    (void)f;
}

static void gs__tool_post_unlock(void *id, unsigned f) {
#if defined(GS__TSAN)
    __tsan_mutex_post_unlock(id, gs__tsan_flags(f & GS__ANN_READ));
#endif
    (void)id;
    (void)f;
}

/* Another thread's unlock: only the happens-before edge to the next acquirer of id. */
static void gs__tool_release_only(void *id) {
#if defined(GS__TSAN)
    __tsan_release(id);
#endif
#if defined(GOSYNC_VALGRIND)
    ANNOTATE_HAPPENS_BEFORE((char *)id + 1);
#endif
    (void)id;
}

/* The late release of a hold another thread ended: forget it, ordering nothing. */
static void gs__tool_late_release(void *id, unsigned f) {
#if defined(GS__TSAN)
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    __tsan_mutex_pre_unlock(id, gs__tsan_flags(f & GS__ANN_READ));
    __tsan_mutex_post_unlock(id, gs__tsan_flags(f & GS__ANN_READ));
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
#endif
#if defined(GOSYNC_VALGRIND)
    if (!(f & GS__ANN_TRY))
        ANNOTATE_RWLOCK_RELEASED(id, !(f & GS__ANN_READ));
#endif
    (void)id;
    (void)f;
}

/* ---- bookkeeping ---- */

/* An identity for the tool: the tool knows a lock by the address of its current token. A
 * token lives while something refers to it: the lock's entry, a read hold, a pending release;
 * then the tool is told it is destroyed, and it is freed. */
typedef struct {
    uint32_t refs;
    bool hb; /* a release was sent on its happens-before tag (valgrind) */
} gs__token;

typedef struct gs__athread gs__athread;

/* A lock the tool has seen: its current identity and, while write-held, its holder. */
typedef struct {
    const void *lock; /* NULL: free slot */
    gs__token *id;
    gs__athread *owner;
    unsigned owner_flags; /* GS__ANN_TRY: the write hold came from a try or timed lock */
} gs__aentry;

#define GS__ORPHAN ((gs__athread *)1) /* write-held by a thread that has exited */

typedef struct {
    const void *lock;
    gs__token *id;
    uint32_t count; /* 0: free slot */
    unsigned flags; /* GS__ANN_READ, and GS__ANN_TRY for holds from try or timed locks */
} gs__rhold;

typedef struct {
    gs__token *id;
    unsigned flags;
} gs__pending;

struct gs__athread {
    gs__rhold *reads;
    uint32_t nreads, capreads;
    gs__pending *pend;
    uint32_t npend, cappend;
    uint32_t has_pending; /* npend != 0, readable without the lock */
    gs__athread *next, *prev;
};

#define GS__PAGE_SHIFT 12

static struct {
    gs__book lock;
    gs__map index; /* lock address -> entry */
    gs__map pages; /* page of a lock address -> how many entries on it (for the free hook) */
    gs__aentry *entries;
    uint32_t nentries, capentries;
    uint32_t *free_entries;
    uint32_t nfree, capfree;
    gs__athread *threads;
    gs__athread orphans; /* read holds of exited threads (already reported released) */
} ann = {.lock = GS__BOOK_INIT};

/* How many entries exist: 0 lets the free hook return at once. */
static uint32_t gs__ann_live;

static __thread gs__athread *gs__ann_self;
static __thread int gs__ann_locked; /* this thread holds ann.lock (the free hook must not) */
static pthread_key_t gs__ann_key;

static void gs__ann_lock(void) {
    gs__book_untracked(&ann, sizeof ann);
    gs__book_untracked(&gs__ann_live, sizeof gs__ann_live);
    gs__book_lock(&ann.lock);
    gs__ann_locked = 1;
}

static void gs__ann_unlock(void) {
    gs__ann_locked = 0;
    gs__book_unlock(&ann.lock);
}

static void *gs__ann_grow(void *p, uint32_t *cap, size_t elem) {
    *cap = *cap ? 2 * *cap : 8;
    void *q = gs__book_realloc(p, *cap * elem);
    if (q == NULL)
        gs__fatal("out of memory");
    return q;
}

static gs__token *gs__token_new(void) {
    gs__token *t = gs__book_malloc(sizeof *t);
    if (t == NULL)
        gs__fatal("out of memory");
    t->refs = 1;
    t->hb = false;
#if defined(GOSYNC_VALGRIND)
    ANNOTATE_RWLOCK_CREATE(t);
#endif
    return t;
}

static gs__token *gs__token_ref(gs__token *t) {
    t->refs++;
    return t;
}

static void gs__token_unref(gs__token *t) {
    if (--t->refs)
        return;
#if defined(GS__TSAN)
    __tsan_mutex_destroy(t, 0);
#endif
#if defined(GOSYNC_VALGRIND)
    ANNOTATE_RWLOCK_DESTROY(t);
#endif
    free(t);
}

static uint64_t gs__page_key(const void *p) {
    return ((uint64_t)(uintptr_t)p >> GS__PAGE_SHIFT) + 1;
}

static gs__aentry *gs__entry_find(const void *lock) {
    uint32_t i;
    return gs__map_get(&ann.index, (uint64_t)(uintptr_t)lock, &i) ? &ann.entries[i] : NULL;
}

/* The entry of lock, created with a fresh identity the first time. */
static gs__aentry *gs__entry_get(const void *lock) {
    gs__aentry *e = gs__entry_find(lock);
    if (e)
        return e;
    uint32_t i;
    if (ann.nfree) {
        i = ann.free_entries[--ann.nfree];
    } else {
        if (ann.nentries == ann.capentries)
            ann.entries = gs__ann_grow(ann.entries, &ann.capentries, sizeof *ann.entries);
        i = ann.nentries++;
    }
    ann.entries[i] = (gs__aentry){lock, gs__token_new(), NULL, 0};
    gs__map_put(&ann.index, (uint64_t)(uintptr_t)lock, i);
    uint32_t n = 0;
    gs__map_get(&ann.pages, gs__page_key(lock), &n);
    gs__map_put(&ann.pages, gs__page_key(lock), n + 1);
    gs__fetch_add_relaxed32(&gs__ann_live, 1);
    return &ann.entries[i];
}

/* The lock's memory is gone: a new lock there starts with a new identity and no history. */
static void gs__entry_drop(gs__aentry *e) {
    uint32_t i = (uint32_t)(e - ann.entries), n = 0;
    gs__map_del(&ann.index, (uint64_t)(uintptr_t)e->lock);
    gs__map_get(&ann.pages, gs__page_key(e->lock), &n);
    if (n > 1)
        gs__map_put(&ann.pages, gs__page_key(e->lock), n - 1);
    else
        gs__map_del(&ann.pages, gs__page_key(e->lock));
    gs__token_unref(e->id);
    e->lock = NULL;
    if (ann.nfree == ann.capfree)
        ann.free_entries = gs__ann_grow(ann.free_entries, &ann.capfree, sizeof *ann.free_entries);
    ann.free_entries[ann.nfree++] = i;
    gs__fetch_sub_release32(&gs__ann_live, 1);
}

/* A fresh identity for lock; the old one stays with the thread that still holds it. */
static gs__token *gs__ann_reidentify(gs__aentry *e) {
    gs__token_unref(e->id);
    return e->id = gs__token_new();
}

/* Queues, for thread t, the release of its hold on id (the pending takes a reference). */
static void gs__ann_add_pending(gs__athread *t, gs__token *id, unsigned flags) {
    if (t->npend == t->cappend)
        t->pend = gs__ann_grow(t->pend, &t->cappend, sizeof *t->pend);
    t->pend[t->npend++] = (gs__pending){gs__token_ref(id), flags};
    gs__store_relaxed32(&t->has_pending, 1);
}

static gs__rhold *gs__ann_find_read(gs__athread *t, const void *lock) {
    for (uint32_t i = 0; t && i < t->nreads; i++)
        if (t->reads[i].count && t->reads[i].lock == lock)
            return &t->reads[i];
    return NULL;
}

static gs__rhold *gs__ann_find_read_id(gs__athread *t, const void *lock, gs__token *id,
                                       unsigned flags) {
    for (uint32_t i = 0; i < t->nreads; i++)
        if (t->reads[i].count && t->reads[i].lock == lock && t->reads[i].id == id &&
            t->reads[i].flags == flags)
            return &t->reads[i];
    return NULL;
}

/* Records a read hold; returns false if t already held this one (the tool need not hear of
 * it again: a thread that holds a read lock has nothing new to synchronize with, and TSan's
 * deadlock detector keeps at most 64 recursive holds per thread). */
static bool gs__ann_add_read(gs__athread *t, const void *lock, gs__token *id, unsigned flags) {
    gs__rhold *h = gs__ann_find_read_id(t, lock, id, flags);
    if (h) {
        h->count++;
        return false;
    }
    for (uint32_t i = 0; i < t->nreads && h == NULL; i++)
        if (t->reads[i].count == 0)
            h = &t->reads[i];
    if (h == NULL) {
        if (t->nreads == t->capreads)
            t->reads = gs__ann_grow(t->reads, &t->capreads, sizeof *t->reads);
        h = &t->reads[t->nreads++];
    }
    *h = (gs__rhold){lock, gs__token_ref(id), 1, flags};
    return true;
}

static void gs__ann_drop_read(gs__rhold *h) {
    if (--h->count == 0)
        gs__token_unref(h->id);
}

/* Reports this thread's pending releases (called without ann.lock). */
static void gs__ann_drain(gs__athread *me) {
    gs__ann_lock();
    uint32_t n = me->npend;
    gs__pending *p = me->pend;
    me->pend = NULL;
    me->npend = me->cappend = 0;
    gs__store_relaxed32(&me->has_pending, 0);
    gs__ann_unlock();
    for (uint32_t i = 0; i < n; i++)
        gs__tool_late_release(p[i].id, p[i].flags);
    if (n) {
        gs__ann_lock();
        for (uint32_t i = 0; i < n; i++)
            gs__token_unref(p[i].id);
        gs__ann_unlock();
    }
    free(p);
}

/* At the start of every operation: first the releases other threads owe this one. */
static void gs__ann_enter(void) {
    gs__athread *me = gs__ann_self;
    if (me && gs__load_relaxed32(&me->has_pending))
        gs__ann_drain(me);
}

/* Thread exit: what it still holds stays held for the program, not for the tool. */
static void gs__ann_thread_exit(void *p) {
    gs__athread *me = p;
    gs__ann_lock();
    for (uint32_t i = 0; i < ann.nentries; i++) {
        gs__aentry *e = &ann.entries[i];
        if (e->lock && e->owner == me) {
            gs__ann_add_pending(me, e->id, e->owner_flags);
            e->owner = GS__ORPHAN;
        }
    }
    for (uint32_t i = 0; i < me->nreads; i++) {
        gs__rhold *h = &me->reads[i];
        if (h->count == 0)
            continue;
        gs__ann_add_pending(me, h->id, h->flags); /* the tool knows of one hold */
        while (h->count) {
            gs__ann_add_read(&ann.orphans, h->lock, h->id, h->flags);
            gs__ann_drop_read(h);
        }
    }
    if (me->prev)
        me->prev->next = me->next;
    else
        ann.threads = me->next;
    if (me->next)
        me->next->prev = me->prev;
    gs__ann_unlock();
    gs__ann_drain(me);
    free(me->reads);
    free(me);
    gs__ann_self = NULL;
}

/* Memory [lo, hi) holds no lock any more (freed, or gs_debug_forget): drop the entries of
 * the locks in it. Called with ann.lock held. */
static void gs__ann_forget_range(const char *lo, const char *hi) {
    if (lo >= hi)
        return;
    uintptr_t first = (uintptr_t)lo >> GS__PAGE_SHIFT, last = ((uintptr_t)hi - 1) >> GS__PAGE_SHIFT;
    for (uintptr_t page = first; page <= last; page++) {
        uint32_t n;
        if (!gs__map_get(&ann.pages, (uint64_t)page + 1, &n))
            continue;
        uintptr_t a = page << GS__PAGE_SHIFT, b = a + ((uintptr_t)1 << GS__PAGE_SHIFT);
        if (a < (uintptr_t)lo)
            a = (uintptr_t)lo;
        if (b > (uintptr_t)hi)
            b = (uintptr_t)hi;
        /* Every lock is 4-byte aligned. */
        for (uintptr_t p = (a + 3) & ~(uintptr_t)3; p < b; p += 4) {
            gs__aentry *e = gs__entry_find((const void *)p);
            if (e)
                gs__entry_drop(e);
        }
    }
}

#if defined(GS__TSAN)
static void gs__ann_free_hook(const volatile void *ptr) {
    if (ptr == NULL || gs__ann_locked || gs__load_relaxed32(&gs__ann_live) == 0)
        return;
    const char *lo = (const char *)ptr;
    gs__ann_lock();
    gs__ann_forget_range(lo, lo + __sanitizer_get_allocated_size(ptr));
    gs__ann_unlock();
}
#endif

/* Before main, ahead of every thread: helgrind and DRD would take pthread_once's lazy
 * initialization, and gs__ncpu's cache filled by its first caller, for races. */
__attribute__((constructor)) static void gs__ann_init(void) {
    if (pthread_key_create(&gs__ann_key, gs__ann_thread_exit) != 0)
        gs__fatal("pthread_key_create failed");
#if defined(GS__TSAN)
    __sanitizer_install_malloc_and_free_hooks(NULL, gs__ann_free_hook);
#endif
    (void)gs__ncpu();
}

/* This thread's record; called with ann.lock held. */
static gs__athread *gs__ann_me(void) {
    if (gs__ann_self)
        return gs__ann_self;
    gs__athread *t = gs__book_calloc(1, sizeof *t);
    if (t == NULL)
        gs__fatal("out of memory");
    t->next = ann.threads;
    if (ann.threads)
        ann.threads->prev = t;
    ann.threads = t;
    gs__ann_self = t;
    pthread_setspecific(gs__ann_key, t);
    return t;
}

/* ---- the operations ---- */

/* Before an acquisition: returns the lock's identity, with a reference for the caller. */
static gs__token *gs__ann_before_acquire(const void *lock, unsigned f) {
    gs__ann_enter();
    gs__ann_lock();
    gs__token *id = gs__token_ref(gs__entry_get(lock)->id);
    gs__ann_unlock();
    gs__tool_pre_lock(id, f);
    return id;
}

static void gs__ann_after_acquire(const void *lock, size_t size, gs__token *id, unsigned f,
                                  bool ok) {
    gs__token *now = id;
    bool hb = false, tell = ok;
    if (ok) {
        /* Holding the lock now, nobody can re-identify it: record the hold, under the
         * identity it has now. A cross-thread unlock may have re-identified it while we
         * waited: then the tool hears of it as a try-lock of the new identity, and the hold
         * is recorded as one. */
        gs__ann_lock();
        gs__athread *me = gs__ann_me();
        gs__aentry *e = gs__entry_get(lock);
        now = e->id;
        hb = now->hb;
        unsigned hold = (f & (GS__ANN_READ | GS__ANN_TRY)) | (now != id ? GS__ANN_TRY : 0);
        if (f & GS__ANN_READ) {
            tell = gs__ann_add_read(me, lock, now, hold);
        } else {
            e->owner = me;
            e->owner_flags = hold & GS__ANN_TRY;
        }
        gs__token_ref(now);
        gs__ann_unlock();
    }
    if (!tell) {
        gs__tool_post_lock(lock, size, id, f | GS__ANN_FAILED, false); /* closes the pre */
    } else if (now != id) {
        gs__tool_post_lock(lock, size, id, f | GS__ANN_FAILED, false);
        gs__tool_pre_lock(now, f | GS__ANN_TRY);
        gs__tool_post_lock(lock, size, now, f | GS__ANN_TRY, hb);
    } else {
        gs__tool_post_lock(lock, size, id, f, hb);
    }
    gs__ann_lock();
    gs__token_unref(id);
    if (ok)
        gs__token_unref(now);
    gs__ann_unlock();
}

/* Releases lock (write side, or one read hold) with unlock(arg). */
static void gs__ann_release(void *lock, unsigned f, void (*unlock)(void *), void *arg) {
    gs__ann_enter();
    enum { OWN, OTHERS, NOBODY, SILENT } who = NOBODY;
    unsigned hf = f; /* the released hold's flags: f, plus GS__ANN_TRY if try-locked */
    gs__ann_lock();
    gs__athread *me = gs__ann_self;
    gs__aentry *e = gs__entry_get(lock);
    gs__token *id = e->id, *cur = e->id;
    if (!(f & GS__ANN_READ)) {
        if (me && e->owner == me) {
            who = OWN;
            hf |= e->owner_flags;
            e->owner = NULL;
        } else if (e->owner == GS__ORPHAN) {
            who = OTHERS; /* its exited holder already reported the release */
            e->owner = NULL;
        } else if (e->owner) {
            who = OTHERS;
            gs__ann_add_pending(e->owner, e->id, e->owner_flags);
            e->owner = NULL;
            cur = gs__ann_reidentify(e);
        }
    } else {
        gs__rhold *h = gs__ann_find_read(me, lock);
        if (h) {
            who = h->count > 1 ? SILENT : OWN; /* the tool heard of the first hold only */
            id = h->id;
            hf = h->flags;
        } else {
            if ((h = gs__ann_find_read(&ann.orphans, lock)) != NULL) {
                who = OTHERS; /* its exited holder already reported the release */
                gs__ann_drop_read(h);
            }
            for (gs__athread *t = ann.threads; t && who == NOBODY; t = t->next) {
                if ((h = gs__ann_find_read(t, lock)) == NULL)
                    continue;
                who = OTHERS;
                if (h->count == 1) { /* the tool knows of one hold (see gs__ann_add_read) */
                    gs__ann_add_pending(t, h->id, h->flags);
                    /* The old identity must never be write-locked again: its late release
                     * would be a read unlock of a write-locked lock. */
                    if (h->id == cur)
                        cur = gs__ann_reidentify(e);
                }
                gs__ann_drop_read(h);
            }
        }
    }
    id->hb = cur->hb = true; /* every release below sends on the happens-before tag */
    /* Keep both identities alive until the tool has been told. */
    gs__token_ref(id);
    gs__token_ref(cur);
    if ((who == OWN || who == SILENT) && (f & GS__ANN_READ))
        gs__ann_drop_read(gs__ann_find_read_id(me, lock, id, hf));
    gs__ann_unlock();
    switch (who) {
    case OWN:
        gs__tool_pre_unlock(id, hf);
        if (cur != id)
            gs__tool_release_only(cur); /* a read hold of a retired identity */
        unlock(arg);
        gs__tool_post_unlock(id, hf);
        break;
    case OTHERS:
        gs__tool_release_only(cur);
        unlock(arg);
        break;
    case SILENT:
        unlock(arg);
        break;
    case NOBODY:
        /* Unlocked, or locked by code the tool does not see: let it judge (TSan and helgrind
         * report an unlock of an unlocked lock), then the library's own check. */
        gs__tool_pre_unlock(id, hf);
        unlock(arg);
        gs__tool_post_unlock(id, hf);
        break;
    }
    gs__ann_lock();
    gs__token_unref(id);
    gs__token_unref(cur);
    gs__ann_unlock();
}

/* gs_debug_forget: the locks in [addr, addr + size) are going away. Zero-value locks have no
 * destroy call, so this is the only time the tool can hear of it outside freed heap memory:
 * without it, a new lock at a reused address inherits the old one's lock-order history. */
void gs__annotate_forget(const void *addr, size_t size) {
    if (gs__load_relaxed32(&gs__ann_live) == 0)
        return;
    gs__ann_lock();
    gs__ann_forget_range(addr, (const char *)addr + size);
    gs__ann_unlock();
}

/* ---- the public functions ---- */

static void gs__unlock_mutex(void *p) { gs__plain_mutex_unlock(p); }
static void gs__unlock_rw(void *p) { gs__plain_rwmutex_unlock(p); }
static void gs__runlock_rw(void *p) { gs__plain_rwmutex_runlock(p); }

#undef gs_mutex_lock
#undef gs_mutex_unlock
#undef gs_mutex_trylock
#undef gs_mutex_lock_timeout
#undef gs_rwmutex_lock
#undef gs_rwmutex_unlock
#undef gs_rwmutex_trylock
#undef gs_rwmutex_lock_timeout
#undef gs_rwmutex_rlock
#undef gs_rwmutex_runlock
#undef gs_rwmutex_tryrlock
#undef gs_rwmutex_rlock_timeout

void gs_mutex_lock(gs_mutex *mu) {
    void *id = gs__ann_before_acquire(mu, 0);
    gs__plain_mutex_lock(mu);
    gs__ann_after_acquire(mu, sizeof *mu, id, 0, true);
}

bool gs_mutex_trylock(gs_mutex *mu) {
    void *id = gs__ann_before_acquire(mu, GS__ANN_TRY);
    bool ok = gs__plain_mutex_trylock(mu);
    gs__ann_after_acquire(mu, sizeof *mu, id, GS__ANN_TRY, ok);
    return ok;
}

/* A timed lock cannot deadlock forever: reported as a try-lock, as debug mode treats it. */
bool gs_mutex_lock_timeout(gs_mutex *mu, int64_t timeout_ns) {
    void *id = gs__ann_before_acquire(mu, GS__ANN_TRY);
    bool ok = gs__plain_mutex_lock_timeout(mu, timeout_ns);
    gs__ann_after_acquire(mu, sizeof *mu, id, GS__ANN_TRY, ok);
    return ok;
}

void gs_mutex_unlock(gs_mutex *mu) { gs__ann_release(mu, 0, gs__unlock_mutex, mu); }

void gs_rwmutex_lock(gs_rwmutex *rw) {
    void *id = gs__ann_before_acquire(rw, 0);
    gs__plain_rwmutex_lock(rw);
    gs__ann_after_acquire(rw, sizeof *rw, id, 0, true);
}

bool gs_rwmutex_trylock(gs_rwmutex *rw) {
    void *id = gs__ann_before_acquire(rw, GS__ANN_TRY);
    bool ok = gs__plain_rwmutex_trylock(rw);
    gs__ann_after_acquire(rw, sizeof *rw, id, GS__ANN_TRY, ok);
    return ok;
}

bool gs_rwmutex_lock_timeout(gs_rwmutex *rw, int64_t timeout_ns) {
    void *id = gs__ann_before_acquire(rw, GS__ANN_TRY);
    bool ok = gs__plain_rwmutex_lock_timeout(rw, timeout_ns);
    gs__ann_after_acquire(rw, sizeof *rw, id, GS__ANN_TRY, ok);
    return ok;
}

void gs_rwmutex_unlock(gs_rwmutex *rw) { gs__ann_release(rw, 0, gs__unlock_rw, rw); }

void gs_rwmutex_rlock(gs_rwmutex *rw) {
    void *id = gs__ann_before_acquire(rw, GS__ANN_READ);
    gs__plain_rwmutex_rlock(rw);
    gs__ann_after_acquire(rw, sizeof *rw, id, GS__ANN_READ, true);
}

bool gs_rwmutex_tryrlock(gs_rwmutex *rw) {
    void *id = gs__ann_before_acquire(rw, GS__ANN_READ | GS__ANN_TRY);
    bool ok = gs__plain_rwmutex_tryrlock(rw);
    gs__ann_after_acquire(rw, sizeof *rw, id, GS__ANN_READ | GS__ANN_TRY, ok);
    return ok;
}

bool gs_rwmutex_rlock_timeout(gs_rwmutex *rw, int64_t timeout_ns) {
    void *id = gs__ann_before_acquire(rw, GS__ANN_READ | GS__ANN_TRY);
    bool ok = gs__plain_rwmutex_rlock_timeout(rw, timeout_ns);
    gs__ann_after_acquire(rw, sizeof *rw, id, GS__ANN_READ | GS__ANN_TRY, ok);
    return ok;
}

void gs_rwmutex_runlock(gs_rwmutex *rw) { gs__ann_release(rw, GS__ANN_READ, gs__runlock_rw, rw); }

#endif /* GS__ANNOTATE */
