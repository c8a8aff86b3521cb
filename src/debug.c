/* src/debug.c: the checker behind debug mode (-DGS_DEBUG, see include/gosync/debug.h).
 *
 * Holding a lock means the invariants of the data it guards may be broken; releasing it
 * means they hold again. The checks turn that argument into reports:
 *   - a thread that acquires a lock it holds would wait for itself (and, if it got in, would
 *     see the invariants broken): "recursive lock" / "recursive RLock";
 *   - two threads that acquire locks in conflicting orders can each hold what the other
 *     waits for: "lock order inversion", found as a cycle in the acquired-before graph (the
 *     approach of Linux's lockdep and abseil's GraphCycles), so it is reported the first time
 *     the conflicting order is *possible*, not only when it deadlocks;
 *   - an unlock must leave the data consistent: "invariant violated".
 *
 * State, all behind `dbg.lock` (a pthread mutex whose sections are hidden from TSan, see
 * internal/sanitizer.h):
 *
 *   threads     each thread that used debug mode: its held set, the locks it holds in
 *               acquisition order, each with its mode and the site that acquired it
 *   nodes       one per lock the checker knows, found by address; `holds` counts the held
 *               entries (in all threads) that name it
 *   edges       A -> B: a thread blocked to acquire B while holding A (and the two sites);
 *               stored once per pair, listed on A's out- and B's in-list
 *   invariants  lock address -> holds(arg), from gs_*_set_invariant
 *
 * Invariants of this file:
 *   - The graph has no cycle except those already reported (warn mode keeps the closing edge
 *     so that one bug is reported once, not at every repetition).
 *   - A node with holds == 0 and no edges is deleted. So a lock that is never held together
 *     with another one leaves nothing behind after its last unlock, and its address can be
 *     reused by a new lock without inheriting anything. A node with edges lives until
 *     gs_debug_forget names it: nothing else tells the checker that a zero-value lock died.
 *   - Only blocking acquisitions add edges into the acquired lock (a trylock or timed lock
 *     cannot wait forever); every held lock, however it was acquired, adds edges out of it.
 *   - A held entry is removed by whichever thread unlocks (Go's cross-thread unlock): its
 *     own entry if it has one, else the other thread's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gosync/mutex.h>
#include <gosync/rwmutex.h>

#include "internal/atomic.h"
#include "internal/book.h"
#include "internal/common.h"
#include "internal/map.h"
#include "internal/sanitizer.h"

/* gs_mutex's LOCKED bit (src/mutex.c; the header's inline fast path relies on it too). */
#define GS__DBG_MUTEX_LOCKED 1u
#define GS__DBG_NONE UINT32_MAX

typedef struct {
    const char *what; /* the lock expression as written at the call */
    const char *file;
    int line;
} gs__site;

enum { GS__HELD_MUTEX, GS__HELD_WRITE, GS__HELD_READ };

typedef struct {
    const void *lock;
    uint32_t node;
    uint8_t mode;
    gs__site at;
} gs__held;

typedef struct gs__dthread {
    gs__held *held;
    uint32_t n, cap;
    struct gs__dthread *next, *prev;
    unsigned num; /* 1, 2, ...: in the order threads first used debug mode */
} gs__dthread;

typedef struct {
    uint32_t *v;
    uint32_t n, cap;
} gs__vec;

typedef struct {
    const void *lock; /* NULL: a free slot */
    const char *what;
    uint32_t holds;
    gs__vec out, in; /* edge ids */
    uint32_t mark, via;
} gs__node;

typedef struct {
    uint32_t from, to;
    gs__site from_at; /* where `from` had been acquired */
    gs__site to_at;   /* where `to` was acquired while holding it */
    unsigned thread;  /* gs__dthread.num of the thread that did */
} gs__edge;

typedef struct {
    const void *lock; /* NULL: a free slot */
    bool (*holds)(void *);
    void *arg;
} gs__invariant;

static struct {
    gs__book lock;
    gs__dthread *threads;
    unsigned threads_seen;
    gs__node *nodes;
    uint32_t nnodes, capnodes;
    gs__vec free_nodes;
    gs__edge *edges;
    uint32_t nedges, capedges;
    gs__vec free_edges;
    gs__invariant *invs;
    uint32_t ninvs, capinvs;
    gs__vec free_invs;
    gs__map node_of, edge_of, inv_of;
    gs__vec stack; /* DFS */
    uint32_t epoch;
} dbg = {.lock = GS__BOOK_INIT};

/* Set once anything was recorded: lets gs_debug_forget return at once in programs that never
 * use debug mode or invariants. */
static uint32_t gs__dbg_used;

static __thread gs__dthread *gs__dbg_self;
static pthread_key_t gs__dbg_key;

/* ---- small containers ---- */

static void *gs__dbg_realloc(void *p, size_t n) {
    void *q = gs__book_realloc(p, n);
    if (q == NULL)
        gs__fatal("debug mode: out of memory");
    return q;
}

static void *gs__dbg_calloc(size_t n) {
    void *q = gs__book_calloc(1, n);
    if (q == NULL)
        gs__fatal("debug mode: out of memory");
    return q;
}

static void gs__vec_push(gs__vec *v, uint32_t x) {
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 4;
        v->v = gs__dbg_realloc(v->v, v->cap * sizeof *v->v);
    }
    v->v[v->n++] = x;
}

static void gs__vec_remove(gs__vec *v, uint32_t x) {
    for (uint32_t i = 0; i < v->n; i++) {
        if (v->v[i] == x) {
            v->v[i] = v->v[--v->n];
            return;
        }
    }
}

static uint64_t gs__addr_key(const void *p) { return (uint64_t)(uintptr_t)p; }
static uint64_t gs__edge_key(uint32_t from, uint32_t to) {
    return ((uint64_t)(from + 1) << 32) | (uint64_t)(to + 1);
}

/* ---- the big lock, reports ---- */

static void gs__dbg_lock(void) {
    gs__book_untracked(&dbg, sizeof dbg);
    gs__book_untracked(&gs__dbg_used, sizeof gs__dbg_used);
    gs__book_lock(&dbg.lock);
}

static void gs__dbg_unlock(void) { gs__book_unlock(&dbg.lock); }

typedef struct {
    char *p;
    size_t n, cap;
} gs__sbuf;

static void gs__sb_printf(gs__sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gs__sb_printf(gs__sbuf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        /* clang-analyzer 14 reports ap as uninitialized here, one line after va_start. */
        // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0)
            return;
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        b->cap = b->cap + (size_t)k + 256;
        b->p = gs__dbg_realloc(b->p, b->cap);
    }
}

static const char *gs__what(const char *what) { return what ? what : "lock"; }
static const char *gs__file(const char *file) { return file ? file : "?"; }

/* Writes "gosync: <b>" as one line with one write(2), then aborts unless GOSYNC_DEBUG=warn. */
static void gs__dbg_report(gs__sbuf *b) {
    gs__sb_printf(b, "\n");
    ssize_t ignored = write(STDERR_FILENO, b->p, b->n);
    (void)ignored;
    free(b->p);
    const char *mode = getenv("GOSYNC_DEBUG");
    if (mode == NULL || strcmp(mode, "warn") != 0)
        abort();
}

static const char *gs__held_verb(uint8_t mode) {
    return mode == GS__HELD_READ    ? "read-locked"
           : mode == GS__HELD_WRITE ? "write-locked"
                                    : "locked";
}

/* ---- threads ---- */

static void gs__dbg_node_release(uint32_t n);

/* Thread exit: the locks it still holds stay held (another thread may unlock them), but no
 * longer in this thread's name. */
static void gs__dbg_thread_exit(void *p) {
    gs__dthread *t = p;
    gs__dbg_lock();
    for (uint32_t i = 0; i < t->n; i++)
        gs__dbg_node_release(t->held[i].node);
    if (t->prev)
        t->prev->next = t->next;
    else
        dbg.threads = t->next;
    if (t->next)
        t->next->prev = t->prev;
    gs__dbg_unlock();
    free(t->held);
    free(t);
    gs__dbg_self = NULL;
}

/* Before main: a lazy pthread_once here would look like a race to helgrind and DRD. */
__attribute__((constructor)) static void gs__dbg_make_key(void) {
    if (pthread_key_create(&gs__dbg_key, gs__dbg_thread_exit) != 0)
        gs__fatal("debug mode: pthread_key_create failed");
}

/* The calling thread's record; called with dbg.lock held. */
static gs__dthread *gs__dbg_me(void) {
    gs__dthread *t = gs__dbg_self;
    if (t)
        return t;
    t = gs__dbg_calloc(sizeof *t);
    t->num = ++dbg.threads_seen;
    t->next = dbg.threads;
    if (dbg.threads)
        dbg.threads->prev = t;
    dbg.threads = t;
    gs__dbg_self = t;
    pthread_setspecific(gs__dbg_key, t);
    gs__store_relaxed32(&gs__dbg_used, 1);
    return t;
}

static void gs__dbg_push(gs__dthread *t, gs__held h) {
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->held = gs__dbg_realloc(t->held, t->cap * sizeof *t->held);
    }
    t->held[t->n++] = h;
}

/* Removes entry i, keeping the acquisition order of the others. */
static gs__held gs__dbg_pop(gs__dthread *t, uint32_t i) {
    gs__held h = t->held[i];
    memmove(&t->held[i], &t->held[i + 1], (t->n - i - 1) * sizeof *t->held);
    t->n--;
    return h;
}

/* ---- nodes and edges ---- */

static uint32_t gs__dbg_node_find(const void *lock) {
    uint32_t n;
    return gs__map_get(&dbg.node_of, gs__addr_key(lock), &n) ? n : GS__DBG_NONE;
}

static uint32_t gs__dbg_node_get(const void *lock, const char *what) {
    uint32_t n = gs__dbg_node_find(lock);
    if (n != GS__DBG_NONE)
        return n;
    if (dbg.free_nodes.n) {
        n = dbg.free_nodes.v[--dbg.free_nodes.n];
    } else {
        if (dbg.nnodes == dbg.capnodes) {
            dbg.capnodes = dbg.capnodes ? 2 * dbg.capnodes : 64;
            dbg.nodes = gs__dbg_realloc(dbg.nodes, dbg.capnodes * sizeof *dbg.nodes);
        }
        n = dbg.nnodes++;
        memset(&dbg.nodes[n], 0, sizeof dbg.nodes[n]);
    }
    gs__node *x = &dbg.nodes[n];
    x->lock = lock;
    x->what = what;
    x->holds = 0;
    x->out.n = x->in.n = 0;
    x->mark = 0;
    gs__map_put(&dbg.node_of, gs__addr_key(lock), n);
    return n;
}

static void gs__dbg_node_maybe_delete(uint32_t n) {
    gs__node *x = &dbg.nodes[n];
    if (x->lock == NULL || x->holds || x->out.n || x->in.n)
        return;
    gs__map_del(&dbg.node_of, gs__addr_key(x->lock));
    x->lock = NULL;
    gs__vec_push(&dbg.free_nodes, n);
}

static void gs__dbg_node_release(uint32_t n) {
    dbg.nodes[n].holds--;
    gs__dbg_node_maybe_delete(n);
}

static void gs__dbg_edge_add(uint32_t from, uint32_t to, gs__site from_at, gs__site to_at,
                             unsigned thread) {
    uint32_t e;
    if (dbg.free_edges.n) {
        e = dbg.free_edges.v[--dbg.free_edges.n];
    } else {
        if (dbg.nedges == dbg.capedges) {
            dbg.capedges = dbg.capedges ? 2 * dbg.capedges : 64;
            dbg.edges = gs__dbg_realloc(dbg.edges, dbg.capedges * sizeof *dbg.edges);
        }
        e = dbg.nedges++;
    }
    dbg.edges[e] = (gs__edge){from, to, from_at, to_at, thread};
    gs__vec_push(&dbg.nodes[from].out, e);
    gs__vec_push(&dbg.nodes[to].in, e);
    gs__map_put(&dbg.edge_of, gs__edge_key(from, to), e);
}

static void gs__dbg_edge_delete(uint32_t e) {
    gs__edge *d = &dbg.edges[e];
    gs__vec_remove(&dbg.nodes[d->from].out, e);
    gs__vec_remove(&dbg.nodes[d->to].in, e);
    gs__map_del(&dbg.edge_of, gs__edge_key(d->from, d->to));
    gs__vec_push(&dbg.free_edges, e);
}

/* Breadth-first search from src along out-edges (as lockdep does, so that the cycle
 * reported is a shortest one); on success each node of the path found has `via` set to the
 * edge that reached it, so the path is read backwards from dst. */
static bool gs__dbg_path(uint32_t src, uint32_t dst) {
    if (++dbg.epoch == 0) {
        for (uint32_t i = 0; i < dbg.nnodes; i++)
            dbg.nodes[i].mark = 0;
        dbg.epoch = 1;
    }
    dbg.stack.n = 0;
    dbg.nodes[src].mark = dbg.epoch;
    gs__vec_push(&dbg.stack, src);
    for (uint32_t head = 0; head < dbg.stack.n; head++) {
        gs__node *x = &dbg.nodes[dbg.stack.v[head]];
        for (uint32_t i = 0; i < x->out.n; i++) {
            uint32_t e = x->out.v[i], y = dbg.edges[e].to;
            if (dbg.nodes[y].mark == dbg.epoch)
                continue;
            dbg.nodes[y].mark = dbg.epoch;
            dbg.nodes[y].via = e;
            if (y == dst)
                return true;
            gs__vec_push(&dbg.stack, y);
        }
    }
    return false;
}

/* ---- the checks ---- */

/* Reports the cycle closed by the new edge h -> n: h is held (entry `held`), n is being
 * acquired at `at`, and a path n -> ... -> h was just found. */
static void gs__dbg_report_cycle(const gs__held *held, uint32_t n, gs__site at, unsigned thread) {
    uint32_t len = 1;
    for (uint32_t y = held->node; y != n; y = dbg.edges[dbg.nodes[y].via].from)
        len++;
    gs__sbuf b = {0};
    gs__sb_printf(&b, "gosync: lock order inversion (cycle of %u locks): ", (unsigned)len);
    gs__sb_printf(&b, "%s:%d locks %s (%p) while holding %s (%p, locked at %s:%d) in thread %u",
                  gs__file(at.file), at.line, gs__what(at.what), dbg.nodes[n].lock,
                  gs__what(held->at.what), held->lock, gs__file(held->at.file), held->at.line,
                  thread);
    /* The path n -> ... -> h, in order: collect it backwards from h, print it forwards. */
    uint32_t *path = gs__dbg_realloc(NULL, len * sizeof *path);
    uint32_t k = 0;
    for (uint32_t y = held->node; y != n; y = dbg.edges[dbg.nodes[y].via].from)
        path[k++] = dbg.nodes[y].via;
    while (k--) {
        const gs__edge *e = &dbg.edges[path[k]];
        gs__sb_printf(&b,
                      "; earlier %s:%d locked %s (%p) while holding %s (%p, locked at %s:%d) in "
                      "thread %u",
                      gs__file(e->to_at.file), e->to_at.line, gs__what(e->to_at.what),
                      dbg.nodes[e->to].lock, gs__what(e->from_at.what), dbg.nodes[e->from].lock,
                      gs__file(e->from_at.file), e->from_at.line, e->thread);
    }
    free(path);
    gs__dbg_report(&b);
}

/* Is the held entry a record of a lock that code compiled without GS_DEBUG has since
 * unlocked? Only gs_mutex can be asked (its LOCKED bit); a stale entry is dropped. */
static bool gs__dbg_stale(const gs__held *h) {
    return h->mode == GS__HELD_MUTEX &&
           !(gs__load_relaxed32(&((gs_mutex *)h->lock)->state) & GS__DBG_MUTEX_LOCKED);
}

/* Before a blocking (or timed) acquisition of `lock` in `mode`: the recursion check, then,
 * for a blocking one, the edges from every held lock and the cycle check. */
static void gs__dbg_before(const void *lock, uint8_t mode, gs__site at, bool blocking) {
    gs__dbg_lock();
    gs__dthread *me = gs__dbg_me();
    for (uint32_t i = me->n; i-- > 0;) {
        gs__held *h = &me->held[i];
        if (h->lock != lock)
            continue;
        if (gs__dbg_stale(h)) {
            gs__dbg_node_release(gs__dbg_pop(me, i).node);
            continue;
        }
        gs__sbuf b = {0};
        gs__sb_printf(
            &b, "gosync: %s: %s:%d %s %s (%p), which this thread already holds (%s at %s:%d)",
            mode == GS__HELD_READ ? "recursive RLock" : "recursive lock", gs__file(at.file),
            at.line,
            mode == GS__HELD_READ    ? "read-locks"
            : mode == GS__HELD_WRITE ? "write-locks"
                                     : "locks",
            gs__what(at.what), lock, gs__held_verb(h->mode), gs__file(h->at.file), h->at.line);
        gs__dbg_report(&b);
        break;
    }
    if (blocking && me->n > 0) {
        uint32_t n = gs__dbg_node_get(lock, at.what);
        dbg.nodes[n].holds++; /* pinned while edges are added */
        for (uint32_t i = 0; i < me->n; i++) {
            gs__held *h = &me->held[i];
            uint32_t e;
            if (h->node == n || gs__map_get(&dbg.edge_of, gs__edge_key(h->node, n), &e))
                continue;
            if (gs__dbg_path(n, h->node))
                gs__dbg_report_cycle(h, n, at, me->num);
            gs__dbg_edge_add(h->node, n, h->at, at, me->num);
        }
        gs__dbg_node_release(n);
    }
    gs__dbg_unlock();
}

/* After `lock` was acquired in `mode` at `at`. */
static void gs__dbg_after(const void *lock, uint8_t mode, gs__site at) {
    gs__dbg_lock();
    gs__dthread *me = gs__dbg_me();
    uint32_t n = gs__dbg_node_get(lock, at.what);
    dbg.nodes[n].holds++;
    gs__dbg_push(me, (gs__held){lock, n, mode, at});
    gs__dbg_unlock();
}

/* Finds the entry of `lock` held in `mode` (read, or exclusive) in thread t, newest first. */
static uint32_t gs__dbg_find_held(const gs__dthread *t, const void *lock, bool read) {
    for (uint32_t i = t->n; i-- > 0;)
        if (t->held[i].lock == lock && (t->held[i].mode == GS__HELD_READ) == read)
            return i;
    return GS__DBG_NONE;
}

/* Before `lock` is released (read or exclusive) at `at`: removes its held entry, from this
 * thread's set or, after a cross-thread unlock, from its holder's; then checks the lock's
 * invariant, with the lock still held. */
static void gs__dbg_release(const void *lock, bool read, bool is_mutex, gs__site at) {
    gs__dbg_lock();
    gs__dthread *me = gs__dbg_me();
    bool found = false;
    gs__site locked_at = {NULL, NULL, 0};
    uint32_t i = gs__dbg_find_held(me, lock, read);
    if (i != GS__DBG_NONE) {
        gs__held h = gs__dbg_pop(me, i);
        locked_at = h.at;
        found = true;
        gs__dbg_node_release(h.node);
    } else {
        /* Cross-thread unlock. An exclusive lock has one holder. A read lock may have
         * several, and which one is being released is unknowable: drop one entry from each,
         * so that no stale entry can cause a false report later (a missed edge is the
         * price). */
        for (gs__dthread *t = dbg.threads; t; t = t->next) {
            uint32_t j = gs__dbg_find_held(t, lock, read);
            if (j == GS__DBG_NONE)
                continue;
            gs__held h = gs__dbg_pop(t, j);
            if (!found)
                locked_at = h.at;
            found = true;
            gs__dbg_node_release(h.node);
            if (!read)
                break;
        }
    }
    if (!found && is_mutex &&
        (gs__load_relaxed32(&((const gs_mutex *)lock)->state) & GS__DBG_MUTEX_LOCKED))
        found = true; /* locked by code compiled without GS_DEBUG: still check */
    bool (*holds)(void *) = NULL;
    void *arg = NULL;
    uint32_t v;
    if (found && gs__map_get(&dbg.inv_of, gs__addr_key(lock), &v)) {
        holds = dbg.invs[v].holds;
        arg = dbg.invs[v].arg;
    }
    gs__dbg_unlock();
    if (holds && !holds(arg)) {
        gs__sbuf b = {0};
        gs__sb_printf(&b, "gosync: invariant violated: %s:%d %s %s (%p) with its invariant false",
                      gs__file(at.file), at.line, read ? "read-unlocks" : "unlocks",
                      gs__what(at.what), lock);
        if (locked_at.file)
            gs__sb_printf(&b, " (%s at %s:%d)", read ? "read-locked" : "locked", locked_at.file,
                          locked_at.line);
        gs__dbg_report(&b);
    }
}

/* ---- invariants and forgetting ---- */

static void gs__dbg_set_invariant(const void *lock, bool (*holds)(void *), void *arg) {
    gs__dbg_lock();
    uint32_t v;
    bool have = gs__map_get(&dbg.inv_of, gs__addr_key(lock), &v);
    if (holds == NULL) {
        if (have) {
            gs__map_del(&dbg.inv_of, gs__addr_key(lock));
            dbg.invs[v].lock = NULL;
            gs__vec_push(&dbg.free_invs, v);
        }
    } else {
        if (!have) {
            if (dbg.free_invs.n) {
                v = dbg.free_invs.v[--dbg.free_invs.n];
            } else {
                if (dbg.ninvs == dbg.capinvs) {
                    dbg.capinvs = dbg.capinvs ? 2 * dbg.capinvs : 16;
                    dbg.invs = gs__dbg_realloc(dbg.invs, dbg.capinvs * sizeof *dbg.invs);
                }
                v = dbg.ninvs++;
            }
            gs__map_put(&dbg.inv_of, gs__addr_key(lock), v);
        }
        dbg.invs[v] = (gs__invariant){lock, holds, arg};
        gs__store_relaxed32(&gs__dbg_used, 1);
    }
    gs__dbg_unlock();
}

void gs__debug_forget(const void *addr, size_t size, const char *file, int line) {
    gs__annotate_forget(addr, size);
    if (!gs__load_relaxed32(&gs__dbg_used) || size == 0)
        return;
    const char *lo = addr, *hi = lo + size;
    gs__dbg_lock();
    for (uint32_t v = 0; v < dbg.ninvs; v++) {
        const char *p = dbg.invs[v].lock;
        if (p && p >= lo && p < hi) {
            gs__map_del(&dbg.inv_of, gs__addr_key(p));
            dbg.invs[v].lock = NULL;
            gs__vec_push(&dbg.free_invs, v);
        }
    }
    for (uint32_t n = 0; n < dbg.nnodes; n++) {
        gs__node *x = &dbg.nodes[n];
        const char *p = x->lock;
        if (p == NULL || p < lo || p >= hi)
            continue;
        /* A held lock being freed is a bug; in warn mode its entries go with it. */
        for (gs__dthread *t = dbg.threads; t && x->holds; t = t->next) {
            for (uint32_t i = t->n; i-- > 0;) {
                if (t->held[i].node != n)
                    continue;
                if (file) {
                    gs__sbuf b = {0};
                    gs__sb_printf(&b,
                                  "gosync: held lock freed: %s:%d forgets %s (%p), which is still "
                                  "held (%s at %s:%d)",
                                  file, line, gs__what(x->what), (const void *)p,
                                  gs__held_verb(t->held[i].mode), gs__file(t->held[i].at.file),
                                  t->held[i].at.line);
                    gs__dbg_report(&b);
                }
                gs__dbg_pop(t, i);
                x->holds--;
            }
        }
        while (x->out.n) {
            uint32_t m = dbg.edges[x->out.v[0]].to;
            gs__dbg_edge_delete(x->out.v[0]);
            gs__dbg_node_maybe_delete(m);
        }
        while (x->in.n) {
            uint32_t m = dbg.edges[x->in.v[0]].from;
            gs__dbg_edge_delete(x->in.v[0]);
            gs__dbg_node_maybe_delete(m);
        }
        x->holds = 0;
        gs__dbg_node_maybe_delete(n);
    }
    gs__dbg_unlock();
}

void(gs_debug_forget)(const void *addr, size_t size) { gs__debug_forget(addr, size, NULL, 0); }

void gs_mutex_set_invariant(gs_mutex *mu, bool (*holds)(void *), void *arg) {
    gs__dbg_set_invariant(mu, holds, arg);
}

void gs_rwmutex_set_invariant(gs_rwmutex *rw, bool (*holds)(void *), void *arg) {
    gs__dbg_set_invariant(rw, holds, arg);
}

/* ---- the debug-mode entry points ---- */

#define GS__SITE ((gs__site){what, file, line})

void gs__debug_mutex_lock(gs_mutex *mu, const char *what, const char *file, int line) {
    gs__dbg_before(mu, GS__HELD_MUTEX, GS__SITE, true);
    gs_mutex_lock(mu);
    gs__dbg_after(mu, GS__HELD_MUTEX, GS__SITE);
}

void gs__debug_mutex_unlock(gs_mutex *mu, const char *what, const char *file, int line) {
    gs__dbg_release(mu, false, true, GS__SITE);
    gs_mutex_unlock(mu);
}

bool gs__debug_mutex_trylock(gs_mutex *mu, const char *what, const char *file, int line) {
    if (!gs_mutex_trylock(mu))
        return false;
    gs__dbg_after(mu, GS__HELD_MUTEX, GS__SITE);
    return true;
}

bool gs__debug_mutex_lock_timeout(gs_mutex *mu, int64_t timeout_ns, const char *what,
                                  const char *file, int line) {
    if (timeout_ns > 0)
        gs__dbg_before(mu, GS__HELD_MUTEX, GS__SITE, false);
    if (!gs_mutex_lock_timeout(mu, timeout_ns))
        return false;
    gs__dbg_after(mu, GS__HELD_MUTEX, GS__SITE);
    return true;
}

void gs__debug_rwmutex_lock(gs_rwmutex *rw, const char *what, const char *file, int line) {
    gs__dbg_before(rw, GS__HELD_WRITE, GS__SITE, true);
    gs_rwmutex_lock(rw);
    gs__dbg_after(rw, GS__HELD_WRITE, GS__SITE);
}

void gs__debug_rwmutex_unlock(gs_rwmutex *rw, const char *what, const char *file, int line) {
    gs__dbg_release(rw, false, false, GS__SITE);
    gs_rwmutex_unlock(rw);
}

bool gs__debug_rwmutex_trylock(gs_rwmutex *rw, const char *what, const char *file, int line) {
    if (!gs_rwmutex_trylock(rw))
        return false;
    gs__dbg_after(rw, GS__HELD_WRITE, GS__SITE);
    return true;
}

bool gs__debug_rwmutex_lock_timeout(gs_rwmutex *rw, int64_t timeout_ns, const char *what,
                                    const char *file, int line) {
    if (timeout_ns > 0)
        gs__dbg_before(rw, GS__HELD_WRITE, GS__SITE, false);
    if (!gs_rwmutex_lock_timeout(rw, timeout_ns))
        return false;
    gs__dbg_after(rw, GS__HELD_WRITE, GS__SITE);
    return true;
}

void gs__debug_rwmutex_rlock(gs_rwmutex *rw, const char *what, const char *file, int line) {
    gs__dbg_before(rw, GS__HELD_READ, GS__SITE, true);
    gs_rwmutex_rlock(rw);
    gs__dbg_after(rw, GS__HELD_READ, GS__SITE);
}

void gs__debug_rwmutex_runlock(gs_rwmutex *rw, const char *what, const char *file, int line) {
    gs__dbg_release(rw, true, false, GS__SITE);
    gs_rwmutex_runlock(rw);
}

bool gs__debug_rwmutex_tryrlock(gs_rwmutex *rw, const char *what, const char *file, int line) {
    if (!gs_rwmutex_tryrlock(rw))
        return false;
    gs__dbg_after(rw, GS__HELD_READ, GS__SITE);
    return true;
}

bool gs__debug_rwmutex_rlock_timeout(gs_rwmutex *rw, int64_t timeout_ns, const char *what,
                                     const char *file, int line) {
    if (timeout_ns > 0)
        gs__dbg_before(rw, GS__HELD_READ, GS__SITE, false);
    if (!gs_rwmutex_rlock_timeout(rw, timeout_ns))
        return false;
    gs__dbg_after(rw, GS__HELD_READ, GS__SITE);
    return true;
}

/* For the tests: how many nodes and edges the graph holds now. */
GS_API void gs__debug_stats(uint32_t *nodes, uint32_t *edges);
void gs__debug_stats(uint32_t *nodes, uint32_t *edges) {
    gs__dbg_lock();
    *nodes = dbg.nnodes - dbg.free_nodes.n;
    *edges = dbg.nedges - dbg.free_edges.n;
    gs__dbg_unlock();
}
