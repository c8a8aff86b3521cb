/* bench/report.c: from measured rows to what people read.
 *
 * Every cell (scenario, case, threads, implementation) is summarised by the median of its
 * repetitions, with the spread (half the min-max range, relative to the median) beside it,
 * and by its ratio to the pthread baseline of the same cell: pthread_mutex for the mutex
 * scenarios, pthread_rwlock for the reader/writer ones. Tables are markdown, printed on stdout
 * and, with --out DIR, written to DIR/summary.md together with DIR/raw.csv (every row),
 * DIR/median.csv (one row per cell) and DIR/plots/ (gnuplot data and script; scripts/bench.sh
 * renders the PNGs when gnuplot is installed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"

/* ---- cells ---- */

typedef struct gsb_cell {
    const char *scenario, *kase, *impl;
    int threads;
    int reps;
    int capped;    /* repetitions that ran into the starvation cap */
    gsb_row med;   /* per-field medians */
    double lo, hi; /* min and max of the cell's main figure */
} gsb_cell;

static gsb_cell *cells;
static int ncells;

static int gsb_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of the non-NaN values (NaN if none); the mean of the middle two for an even count. */
static double gsb_median(double *v, int n) {
    int m = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[m++] = v[i];
    if (m == 0)
        return NAN;
    qsort(v, (size_t)m, sizeof *v, gsb_cmp_double);
    return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}

/* The figure a scenario is judged by, and whether lower is better. */
static double gsb_main_figure(const gsb_row *r) {
    if (!strcmp(r->scenario, "uncontended"))
        return r->ns_per_op;
    if (!strcmp(r->scenario, "starvation"))
        return r->capped ? INFINITY : r->value;
    return r->ops_per_sec;
}

static void gsb_build_cells(const gsb_row *rows, int n) {
    cells = calloc((size_t)n, sizeof *cells);
    double *v = calloc((size_t)n, sizeof *v);
    bool *done = calloc((size_t)n, sizeof *done);
    for (int i = 0; i < n; i++) {
        if (done[i])
            continue;
        const gsb_row *a = &rows[i];
        int idx[4096], k = 0;
        for (int j = i; j < n && k < 4096; j++) {
            const gsb_row *b = &rows[j];
            if (!done[j] && !strcmp(a->scenario, b->scenario) && !strcmp(a->kase, b->kase) &&
                !strcmp(a->impl, b->impl) && a->threads == b->threads) {
                idx[k++] = j;
                done[j] = true;
            }
        }
        gsb_cell *c = &cells[ncells++];
        c->scenario = a->scenario;
        c->kase = a->kase;
        c->impl = a->impl;
        c->threads = a->threads;
        c->reps = k;
        gsb_row_init(&c->med, a->scenario, a->kase, a->impl, a->threads, k);
        size_t offs[] = {offsetof(gsb_row, seconds),     offsetof(gsb_row, ops),
                         offsetof(gsb_row, ops_per_sec), offsetof(gsb_row, ns_per_op),
                         offsetof(gsb_row, share_min),   offsetof(gsb_row, share_max),
                         offsetof(gsb_row, jain),        offsetof(gsb_row, p50_ns),
                         offsetof(gsb_row, p99_ns),      offsetof(gsb_row, max_ns),
                         offsetof(gsb_row, rp99_ns),     offsetof(gsb_row, rmax_ns),
                         offsetof(gsb_row, wp99_ns),     offsetof(gsb_row, wmax_ns),
                         offsetof(gsb_row, value)};
        for (size_t f = 0; f < sizeof offs / sizeof offs[0]; f++) {
            for (int j = 0; j < k; j++)
                v[j] = *(const double *)((const char *)&rows[idx[j]] + offs[f]);
            *(double *)((char *)&c->med + offs[f]) = gsb_median(v, k);
        }
        c->lo = INFINITY;
        c->hi = -INFINITY;
        for (int j = 0; j < k; j++) {
            v[j] = gsb_main_figure(&rows[idx[j]]);
            c->capped += rows[idx[j]].capped;
            if (v[j] < c->lo)
                c->lo = v[j];
            if (v[j] > c->hi)
                c->hi = v[j];
        }
        if (!strcmp(a->scenario, "starvation")) {
            /* A capped repetition counts as "longer than the cap": the median is capped when
             * at least half the repetitions were. */
            qsort(v, (size_t)k, sizeof *v, gsb_cmp_double);
            double m = v[k / 2];
            c->med.capped = isinf(m);
            if (!isinf(m))
                c->med.value = k % 2 ? m : (v[k / 2 - 1] + m) / 2;
        }
    }
    free(v);
    free(done);
}

static const gsb_cell *gsb_find(const char *scenario, const char *kase, const char *impl,
                                int threads) {
    for (int i = 0; i < ncells; i++) {
        const gsb_cell *c = &cells[i];
        if (!strcmp(c->scenario, scenario) && !strcmp(c->kase, kase) && !strcmp(c->impl, impl) &&
            (threads < 0 || c->threads == threads))
            return c;
    }
    return NULL;
}

static double gsb_cell_figure(const gsb_cell *c) {
    if (!c)
        return NAN;
    if (!strcmp(c->scenario, "starvation"))
        return c->med.capped ? INFINITY : c->med.value;
    if (!strcmp(c->scenario, "uncontended"))
        return c->med.ns_per_op;
    return c->med.ops_per_sec;
}

static const char *gsb_baseline(const char *scenario, const char *kase) {
    if (!strcmp(scenario, "rw") || !strcmp(scenario, "wflood"))
        return "pthread_rw";
    if (!strcmp(scenario, "uncontended") && strcmp(kase, "lock"))
        return "pthread_rw";
    return "pthread";
}

/* ---- formatting ---- */

#define GSB_NBUF 64
static char gsb_bufs[GSB_NBUF][64];
static int gsb_bufi;
static char *gsb_buf(void) { return gsb_bufs[gsb_bufi++ % GSB_NBUF]; }

static const char *gsb_fmt_ns(double ns) {
    char *b = gsb_buf();
    if (isnan(ns))
        return "–";
    if (ns < 1e3)
        snprintf(b, 64, "%.0f ns", ns);
    else if (ns < 1e6)
        snprintf(b, 64, "%.1f µs", ns / 1e3);
    else if (ns < 1e9)
        snprintf(b, 64, "%.1f ms", ns / 1e6);
    else
        snprintf(b, 64, "%.2f s", ns / 1e9);
    return b;
}

static const char *gsb_fmt_rate(double r) {
    char *b = gsb_buf();
    if (isnan(r))
        return "–";
    if (r >= 1e6)
        snprintf(b, 64, "%.2f M/s", r / 1e6);
    else if (r >= 1e3)
        snprintf(b, 64, "%.1f k/s", r / 1e3);
    else
        snprintf(b, 64, "%.0f /s", r);
    return b;
}

static const char *gsb_fmt_ratio(double x, double base) {
    char *b = gsb_buf();
    if (isnan(x) || isnan(base) || base == 0 || (isinf(x) && isinf(base)))
        return "–";
    if (isinf(base))
        return "≪1×"; /* the baseline ran into the cap, this one did not */
    if (isinf(x))
        return "≫1×";
    double q = x / base;
    snprintf(b, 64, q < 0.1 ? "%.3f×" : q < 10 ? "%.2f×" : "%.1f×", q);
    return b;
}

static const char *gsb_fmt_spread(const gsb_cell *c) {
    char *b = gsb_buf();
    double m = gsb_cell_figure(c);
    if (c->reps < 2 || isnan(m) || m == 0 || isinf(c->hi))
        return "";
    snprintf(b, 64, "±%.0f%%", 50 * (c->hi - c->lo) / m);
    return b;
}

static const char *gsb_fmt_num(const char *fmt, double v) {
    char *b = gsb_buf();
    if (isnan(v))
        return "–";
    snprintf(b, 64, fmt, v);
    return b;
}

/* Output goes to stdout and, when a summary is being written, to it as well. */
static FILE *gsb_md;

static void gsb_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void gsb_out(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    if (gsb_md) {
        va_start(ap, fmt);
        vfprintf(gsb_md, fmt, ap);
        va_end(ap);
    }
}

/* Only into the summary: image links mean nothing on a terminal. */
static void gsb_md_only(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void gsb_md_only(const char *fmt, ...) {
    if (!gsb_md)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(gsb_md, fmt, ap);
    va_end(ap);
}

/* ---- which implementations and threads a scenario has ---- */

static const gsb_impl *gsb_impls_of;
static int gsb_nimpls_of;

/* The implementations (in table order) that have a cell in scenario/kase. */
static int gsb_impls_in(const char *scenario, const char *kase, const char **out) {
    int n = 0;
    for (int i = 0; i < gsb_nimpls_of; i++)
        if (gsb_find(scenario, kase, gsb_impls_of[i].name, -1))
            out[n++] = gsb_impls_of[i].name;
    return n;
}

static int gsb_threads_in(const char *scenario, const char *kase, int *out) {
    int n = 0;
    for (int i = 0; i < ncells; i++) {
        if (strcmp(cells[i].scenario, scenario) || strcmp(cells[i].kase, kase))
            continue;
        bool seen = false;
        for (int j = 0; j < n; j++)
            seen |= out[j] == cells[i].threads;
        if (!seen && n < 64)
            out[n++] = cells[i].threads;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
            int t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

/* ---- tables ---- */

static void gsb_table_uncontended(void) {
    const char *kases[] = {"lock", "rlock", "wlock"};
    const char *titles[] = {"lock+unlock (mutexes, and the floor)", "rlock+runlock (rwlocks)",
                            "lock+unlock on rwlocks (write side)"};
    const gsb_cell *floor = gsb_find("uncontended", "lock", "floor", -1);
    gsb_out("## Uncontended: ns per pair, one thread\n\n");
    gsb_out("One thread, pinned, locks and unlocks in a loop with the adapter's calls inlined; "
            "lower is better. × floor: against a bare compare-and-swap + exchange pair on a "
            "private word.\n\n");
    for (int k = 0; k < 3; k++) {
        const char *names[64];
        int n = gsb_impls_in("uncontended", kases[k], names);
        if (!n)
            continue;
        const char *base = gsb_baseline("uncontended", kases[k]);
        double b = gsb_cell_figure(gsb_find("uncontended", kases[k], base, -1));
        gsb_out("### %s\n\n| implementation | ns per pair | spread | × %s | × floor |\n"
                "|---|---:|---:|---:|---:|\n",
                titles[k], base);
        for (int i = 0; i < n; i++) {
            const gsb_cell *c = gsb_find("uncontended", kases[k], names[i], -1);
            double v = gsb_cell_figure(c);
            gsb_out("| %s | %.2f | %s | %s | %s |\n", names[i], v, gsb_fmt_spread(c),
                    gsb_fmt_ratio(v, b), gsb_fmt_ratio(v, gsb_cell_figure(floor)));
        }
        gsb_out("\n");
    }
    const gsb_cell *r = gsb_find("uncontended", "rlock", "gs_rwmutex", -1);
    const gsb_cell *m = gsb_find("uncontended", "lock", "gs_mutex", -1);
    if (r && m)
        gsb_out("gs_rwmutex rlock+runlock vs gs_mutex lock+unlock: %s.\n\n",
                gsb_fmt_ratio(gsb_cell_figure(r), gsb_cell_figure(m)));
}

/* Ratios to the baseline by thread count: one row per implementation; the baseline's row
 * shows its absolute figure. */
static void gsb_table_overview(const char *scenario, const char *kase, const char *what,
                               bool collapse_col) {
    const char *names[64];
    int th[64];
    int n = gsb_impls_in(scenario, kase, names), nt = gsb_threads_in(scenario, kase, th);
    if (!n)
        return;
    const char *base = gsb_baseline(scenario, kase);
    gsb_out("%s, ratio to %s by threads (the %s row: its throughput):\n\n| implementation |", what,
            base, base);
    for (int t = 0; t < nt; t++)
        gsb_out(" %d |", th[t]);
    bool col = collapse_col && nt > 1 && th[nt - 1] > 2;
    int two = -1;
    for (int t = 0; t < nt; t++)
        if (th[t] == 2)
            two = t;
    col &= two >= 0;
    if (col)
        gsb_out(" %d vs 2 threads |", th[nt - 1]);
    gsb_out("\n|---|");
    for (int t = 0; t < nt + col; t++)
        gsb_out("---:|");
    gsb_out("\n");
    for (int i = 0; i < n; i++) {
        gsb_out("| %s |", names[i]);
        for (int t = 0; t < nt; t++) {
            double v = gsb_cell_figure(gsb_find(scenario, kase, names[i], th[t]));
            double b = gsb_cell_figure(gsb_find(scenario, kase, base, th[t]));
            gsb_out(" %s |", !strcmp(names[i], base) ? gsb_fmt_rate(v) : gsb_fmt_ratio(v, b));
        }
        if (col)
            gsb_out(" %s |",
                    gsb_fmt_ratio(gsb_cell_figure(gsb_find(scenario, kase, names[i], th[nt - 1])),
                                  gsb_cell_figure(gsb_find(scenario, kase, names[i], th[two]))));
        gsb_out("\n");
    }
    gsb_out("\n");
}

static void gsb_table_mutex(void) {
    const char *kases[] = {"short", "work"};
    const char *titles[] = {
        "short critical section, no work between acquisitions (Go's BenchmarkMutex)",
        "short critical section, local work between acquisitions (Go's BenchmarkMutexWork)"};
    bool any = false;
    for (int k = 0; k < 2; k++) {
        const char *names[64];
        int th[64];
        int n = gsb_impls_in("mutex", kases[k], names), nt = gsb_threads_in("mutex", kases[k], th);
        if (!n)
            continue;
        if (!any)
            gsb_out("## Contended mutex\n\nN threads (pinned round-robin; more threads than CPUs "
                    "is Go's MutexSlack shape) lock, update a shared cache line, unlock. "
                    "Throughput: higher is better. Share: fewest and most acquisitions by one "
                    "thread over the mean; Jain: 1 = perfectly even. Wait: from calling lock to "
                    "holding the lock, over every acquisition.\n\n");
        any = true;
        gsb_out("### mutex/%s: %s\n\n", kases[k], titles[k]);
        gsb_table_overview("mutex", kases[k], "Throughput", true);
        if (gsb_find("mutex", kases[k], "gs_mutex", -1))
            gsb_md_only("![throughput](plots/mutex-%s.png)\n![wait](plots/mutex-%s-wait.png)\n\n",
                        kases[k], kases[k]);
        for (int t = 0; t < nt; t++) {
            double b = gsb_cell_figure(gsb_find("mutex", kases[k], "pthread", th[t]));
            gsb_out("mutex/%s, %d thread%s:\n\n| implementation | ops/s | spread | × pthread | "
                    "share min–max | Jain | wait p50 | wait p99 | wait max |\n"
                    "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
                    kases[k], th[t], th[t] == 1 ? "" : "s");
            for (int i = 0; i < n; i++) {
                const gsb_cell *c = gsb_find("mutex", kases[k], names[i], th[t]);
                if (!c)
                    continue;
                double v = gsb_cell_figure(c);
                gsb_out("| %s | %s | %s | %s | %s–%s | %s | %s | %s | %s |\n", names[i],
                        gsb_fmt_rate(v), gsb_fmt_spread(c), gsb_fmt_ratio(v, b),
                        gsb_fmt_num("%.2f", c->med.share_min),
                        gsb_fmt_num("%.2f", c->med.share_max), gsb_fmt_num("%.3f", c->med.jain),
                        gsb_fmt_ns(c->med.p50_ns), gsb_fmt_ns(c->med.p99_ns),
                        gsb_fmt_ns(c->med.max_ns));
            }
            gsb_out("\n");
        }
    }
}

/* Starvation ratios: against a baseline that ran into the cap, the ratio is at most
 * time / cap. */
static const char *gsb_fmt_starve_ratio(double v, double base, double cap_s) {
    if (isinf(base) && isfinite(v)) {
        char *b = gsb_buf();
        snprintf(b, 64, "< %.2g×", v / (cap_s * 1e3));
        return b;
    }
    return gsb_fmt_ratio(v, base);
}

static const char *gsb_fmt_starve_time(const gsb_cell *c, double cap_s) {
    char *b = gsb_buf();
    double v = gsb_cell_figure(c);
    if (!c)
        return "–";
    if (isinf(v))
        snprintf(b, 64, "> %.3g s", cap_s);
    else
        snprintf(b, 64, "%s", gsb_fmt_ns(v * 1e6));
    return b;
}

/* A figure with its ratio to the baseline: "4.50 ns (0.79×)"; the baseline shows the figure. */
static const char *gsb_fmt_with_ratio(const char *scenario, const char *kase, const char *impl,
                                      int threads, bool rate) {
    const gsb_cell *c = gsb_find(scenario, kase, impl, threads);
    const char *base = gsb_baseline(scenario, kase);
    double v = gsb_cell_figure(c), b = gsb_cell_figure(gsb_find(scenario, kase, base, threads));
    char *out = gsb_buf();
    if (!c)
        return "–";
    if (rate && strcmp(impl, base) == 0)
        return gsb_fmt_rate(v);
    if (rate)
        return gsb_fmt_ratio(v, b);
    snprintf(out, 64, "%.2f ns (%s)", v, gsb_fmt_ratio(v, b));
    return out;
}

/* The figures the performance targets (issue 5) are written against, one row per lock. */
static void gsb_table_glance(const gsb_config *cfg) {
    const char *names[64];
    const gsb_cell *floor = gsb_find("uncontended", "lock", "floor", -1);
    gsb_out("## At a glance\n\nRatios to pthread_mutex (mutexes) or pthread_rwlock (rwlocks) "
            "in the same cell; the baseline's row shows its own figure. Details, spreads and "
            "the other cells follow.\n\n");
    int n = 0;
    for (int i = 0; i < gsb_nimpls_of; i++)
        if (gsb_impls_of[i].kind == GSB_MUTEX)
            names[n++] = gsb_impls_of[i].name;
    if (n) {
        gsb_out("| mutex | uncontended lock+unlock | × floor | mutex/work 8 thr | mutex/work 32 "
                "thr | worst wait 8 / 32 thr | 128 vs 2 thr | starvation: 10 polite locks |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < n; i++) {
            const gsb_cell *u = gsb_find("uncontended", "lock", names[i], -1);
            const gsb_cell *w8 = gsb_find("mutex", "work", names[i], 8);
            const gsb_cell *w32 = gsb_find("mutex", "work", names[i], 32);
            const gsb_cell *w2 = gsb_find("mutex", "work", names[i], 2);
            const gsb_cell *w128 = gsb_find("mutex", "work", names[i], 128);
            gsb_out(
                "| %s | %s | %s | %s | %s | %s / %s | %s | %s |\n", names[i],
                gsb_fmt_with_ratio("uncontended", "lock", names[i], -1, false),
                gsb_fmt_ratio(gsb_cell_figure(u), gsb_cell_figure(floor)),
                gsb_fmt_with_ratio("mutex", "work", names[i], 8, true),
                gsb_fmt_with_ratio("mutex", "work", names[i], 32, true),
                w8 ? gsb_fmt_ns(w8->med.max_ns) : "–", w32 ? gsb_fmt_ns(w32->med.max_ns) : "–",
                gsb_fmt_ratio(gsb_cell_figure(w128), gsb_cell_figure(w2)),
                gsb_fmt_starve_time(gsb_find("starvation", "polite10", names[i], -1), cfg->cap_s));
        }
        gsb_out("\n");
    }
    n = 0;
    for (int i = 0; i < gsb_nimpls_of; i++)
        if (gsb_impls_of[i].kind == GSB_RW)
            names[n++] = gsb_impls_of[i].name;
    if (n) {
        char flood[16];
        snprintf(flood, sizeof flood, "r%d", cfg->flood_readers);
        /* The no-lock ceiling of the read-only cell (see the read-only scaling table). */
        double ceiling = gsb_cell_figure(gsb_find("rw", "w0", "no_lock", 2));
        gsb_out("| rwlock | uncontended rlock+runlock | read-only 2 vs 1 thr | read-only 2 thr | "
                "read-only 2 thr × no lock | 1%% writes 2 thr | 1%% writes 8 thr | writer flood: "
                "acquisitions/s | flood: worst writer wait |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < n; i++) {
            const gsb_cell *f = gsb_find("wflood", flood, names[i], -1);
            gsb_out("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", names[i],
                    gsb_fmt_with_ratio("uncontended", "rlock", names[i], -1, false),
                    gsb_fmt_ratio(gsb_cell_figure(gsb_find("rw", "w0", names[i], 2)),
                                  gsb_cell_figure(gsb_find("rw", "w0", names[i], 1))),
                    gsb_fmt_with_ratio("rw", "w0", names[i], 2, true),
                    gsb_fmt_ratio(gsb_cell_figure(gsb_find("rw", "w0", names[i], 2)), ceiling),
                    gsb_fmt_with_ratio("rw", "w1", names[i], 2, true),
                    gsb_fmt_with_ratio("rw", "w1", names[i], 8, true),
                    f ? gsb_fmt_num("%.0f", f->med.ops_per_sec) : "–",
                    f ? gsb_fmt_ns(f->med.wmax_ns) : "–");
        }
        gsb_out("\n");
    }
}

static void gsb_table_starvation(const gsb_config *cfg) {
    const char *names[64];
    int n = gsb_impls_in("starvation", "polite10", names);
    if (!n)
        return;
    double b = gsb_cell_figure(gsb_find("starvation", "polite10", "pthread", -1));
    gsb_out("## Starvation: greedy holder vs polite locker\n\n"
            "A greedy thread locks, holds %d µs, unlocks and locks again at once; a polite "
            "thread on the other CPU sleeps 100 µs and locks, 10 times (Go's TestMutexFairness). "
            "Time to the polite thread's 10th acquisition, lower is better; \"> %.3g s\" means "
            "it did not get there before the cap (such an implementation is not repeated).\n\n"
            "| implementation | time to 10 polite acquisitions | spread | × pthread | worst polite "
            "wait |\n|---|---:|---:|---:|---:|\n",
            cfg->greedy_hold_us, cfg->cap_s);
    for (int i = 0; i < n; i++) {
        const gsb_cell *c = gsb_find("starvation", "polite10", names[i], -1);
        double v = gsb_cell_figure(c);
        char t[64];
        if (isinf(v))
            snprintf(t, sizeof t, "> %.3g s (%.0f of 10 done)", cfg->cap_s, c->med.ops);
        else
            snprintf(t, sizeof t, "%s", gsb_fmt_ns(v * 1e6));
        gsb_out("| %s | %s | %s | %s | %s |\n", names[i], t, gsb_fmt_spread(c),
                gsb_fmt_starve_ratio(v, b, cfg->cap_s), isinf(v) ? "–" : gsb_fmt_ns(c->med.max_ns));
    }
    gsb_out("\n");
}

static const char *const gsb_rw_kases[] = {"w0", "w1", "w10", "w50"};
static const char *const gsb_rw_titles[] = {"read-only", "1% writes", "10% writes", "50% writes"};

static void gsb_table_rw(void) {
    bool any = false;
    for (int k = 0; k < 4; k++) {
        const char *names[64];
        int th[64];
        int n = gsb_impls_in("rw", gsb_rw_kases[k], names),
            nt = gsb_threads_in("rw", gsb_rw_kases[k], th);
        if (!n)
            continue;
        if (!any)
            gsb_out("## Reader/writer\n\nN threads (pinned round-robin) each draw, per "
                    "operation, a write (lock, rewrite an 8-word record, unlock) or a read "
                    "(rlock, read the record, ~100 multiply-adds of work, read it again, check "
                    "it is whole, runlock). Throughput is operations per second, higher is "
                    "better; waits are from calling (r)lock to holding it.\n\n");
        if (!any)
            gsb_md_only("![rw throughput](plots/rw.png)\n![rw wait](plots/rw-wait.png)\n\n");
        any = true;
        gsb_out("### rw/%s: %s\n\n", gsb_rw_kases[k], gsb_rw_titles[k]);
        gsb_table_overview("rw", gsb_rw_kases[k], "Throughput", false);
        for (int t = 0; t < nt; t++) {
            double b = gsb_cell_figure(gsb_find("rw", gsb_rw_kases[k], "pthread_rw", th[t]));
            gsb_out("rw/%s, %d thread%s:\n\n| implementation | ops/s | spread | × pthread_rw | "
                    "reader wait p99 | reader wait max | writer wait p99 | writer wait max |\n"
                    "|---|---:|---:|---:|---:|---:|---:|---:|\n",
                    gsb_rw_kases[k], th[t], th[t] == 1 ? "" : "s");
            for (int i = 0; i < n; i++) {
                const gsb_cell *c = gsb_find("rw", gsb_rw_kases[k], names[i], th[t]);
                if (!c)
                    continue;
                double v = gsb_cell_figure(c);
                gsb_out("| %s | %s | %s | %s | %s | %s | %s | %s |\n", names[i], gsb_fmt_rate(v),
                        gsb_fmt_spread(c), gsb_fmt_ratio(v, b), gsb_fmt_ns(c->med.rp99_ns),
                        gsb_fmt_ns(c->med.rmax_ns), gsb_fmt_ns(c->med.wp99_ns),
                        gsb_fmt_ns(c->med.wmax_ns));
            }
            gsb_out("\n");
        }
    }
    /* Read scaling: what a second reader adds. */
    const char *names[64];
    int n = gsb_impls_in("rw", "w0", names);
    if (n && gsb_find("rw", "w0", "pthread_rw", 1) && gsb_find("rw", "w0", "pthread_rw", 2)) {
        double b2 = gsb_cell_figure(gsb_find("rw", "w0", "pthread_rw", 2));
        double c2 = gsb_cell_figure(gsb_find("rw", "w0", "no_lock", 2));
        gsb_out("### Read-only scaling\n\nno_lock is the same loop with no lock at all: what "
                "the readers' own work allows on this machine, which no lock can beat. Where "
                "pthread_rw is close to it, no lock can be much faster than pthread_rw here.\n\n"
                "| implementation | 1 thread | 2 threads | 2 vs 1 thread | 2 threads × pthread_rw "
                "| 2 threads × no_lock |\n|---|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < n; i++) {
            double v1 = gsb_cell_figure(gsb_find("rw", "w0", names[i], 1));
            double v2 = gsb_cell_figure(gsb_find("rw", "w0", names[i], 2));
            gsb_out("| %s | %s | %s | %s | %s | %s |\n", names[i], gsb_fmt_rate(v1),
                    gsb_fmt_rate(v2), gsb_fmt_ratio(v2, v1), gsb_fmt_ratio(v2, b2),
                    gsb_fmt_ratio(v2, c2));
        }
        gsb_out("\n");
    }
}

static void gsb_table_wflood(const gsb_config *cfg) {
    char kase[16];
    snprintf(kase, sizeof kase, "r%d", cfg->flood_readers);
    const char *names[64];
    int n = gsb_impls_in("wflood", kase, names);
    if (!n)
        return;
    double b = gsb_cell_figure(gsb_find("wflood", kase, "pthread_rw", -1));
    gsb_out("## Writer behind a reader flood\n\n%d readers, started %d µs / %d apart, each "
            "holding the read lock %d µs (asleep) and re-taking it at once, so the lock is never "
            "free of readers; one writer sleeps 1 ms and locks, for %.1f s. Writer acquisitions "
            "per second (at most ~900 with the 1 ms pacing) and its waits; a lock that starves "
            "the writer gets it in only when the readers stop, after the window.\n\n"
            "| implementation | writer acquisitions/s | spread | × pthread_rw | writer wait p99 | "
            "writer wait max |\n|---|---:|---:|---:|---:|---:|\n",
            cfg->flood_readers, cfg->hold_us, cfg->flood_readers, cfg->hold_us, cfg->flood_s);
    for (int i = 0; i < n; i++) {
        const gsb_cell *c = gsb_find("wflood", kase, names[i], -1);
        double v = gsb_cell_figure(c);
        gsb_out("| %s | %s | %s | %s | %s | %s |\n", names[i], gsb_fmt_num("%.0f", v),
                gsb_fmt_spread(c), b == 0 ? "– (base 0)" : gsb_fmt_ratio(v, b),
                gsb_fmt_ns(c->med.wp99_ns), gsb_fmt_ns(c->med.wmax_ns));
    }
    gsb_out("\n");
}

/* ---- files ---- */

static void gsb_mkdirs(const char *path) {
    char p[1024];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0777);
            *s = '/';
        }
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gosync-bench: cannot create %s: %s\n", p, strerror(errno));
        exit(2);
    }
}

static FILE *gsb_open(const char *dir, const char *name) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gosync-bench: cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
    return f;
}

/* The range and median of the run's line-transfer samples, before and after every cell. */
typedef struct {
    int n;
    double min_ns, med_ns, max_ns;
} gsb_xfer_stats;

static gsb_xfer_stats gsb_xfer_stats_of(const gsb_machine *m) {
    gsb_xfer_stats st = {2 * m->n_xfer_cells, NAN, NAN, NAN};
    if (st.n == 0)
        return st;
    double *v = malloc(sizeof *v * (size_t)st.n);
    if (!v) {
        fprintf(stderr, "gosync-bench: out of memory\n");
        exit(2);
    }
    st.min_ns = INFINITY;
    st.max_ns = -INFINITY;
    for (int i = 0; i < m->n_xfer_cells; i++) {
        const gsb_xfer_cell *c = &m->xfer_cells[i];
        v[2 * i] = c->before_ns;
        v[2 * i + 1] = c->after_ns;
        st.min_ns = fmin(st.min_ns, fmin(c->before_ns, c->after_ns));
        st.max_ns = fmax(st.max_ns, fmax(c->before_ns, c->after_ns));
    }
    st.med_ns = gsb_median(v, st.n);
    free(v);
    return st;
}

static void gsb_csv_header(FILE *f, const gsb_config *cfg, const gsb_machine *m) {
    fprintf(
        f,
        "# gosync benchmark; date=%s; cpu=%s; cores=%d; allowed=%d; kernel=%s; %s; "
        "compiler=%s; gosync=%s; go=%s; loadavg_at_start=%s\n# command: %s\n# reps=%d reps_long=%d "
        "duration=%gs warmup=%gs "
        "unc=%gs cap=%gs flood=%gs readers=%d hold_us=%d greedy_hold_us=%d work=%d "
        "rwork=%d pin=%d\n# wait clock: %s\n",
        m->date, m->cpu, m->cores, m->allowed, m->kernel, m->libc, m->compiler, m->gosync, m->go,
        m->load_start, cfg->cmdline, cfg->reps, cfg->reps_long, cfg->duration_s, cfg->warmup_s,
        cfg->unc_s, cfg->cap_s, cfg->flood_s, cfg->flood_readers, cfg->hold_us, cfg->greedy_hold_us,
        cfg->work, cfg->rwork, cfg->pin, m->clock);
    if (m->n_xfer_cells > 0) {
        gsb_xfer_stats st = gsb_xfer_stats_of(m);
        fprintf(f,
                "# line transfer: CPUs %d and %d, one way, sampled before and after each cell "
                "(%d samples): min %.0f ns, median %.0f ns, max %.0f ns\n",
                m->xfer_cpu[0], m->xfer_cpu[1], st.n, st.min_ns, st.med_ns, st.max_ns);
        fprintf(f, "# line transfer per cell, ns before/after:");
        for (int i = 0; i < m->n_xfer_cells; i++) {
            const gsb_xfer_cell *c = &m->xfer_cells[i];
            fprintf(f, " %s/%s/%d=%.0f/%.0f", c->scenario, c->kase, c->threads, c->before_ns,
                    c->after_ns);
        }
        fprintf(f, "\n");
    }
}

/* A cell whose line-transfer samples before and after it differ by more than 2x: the machine
 * changed mode during it. */
static bool gsb_xfer_cell_changed(const gsb_xfer_cell *c) {
    double lo = fmin(c->before_ns, c->after_ns), hi = fmax(c->before_ns, c->after_ns);
    return lo > 0 && hi > 2 * lo;
}

/* A gnuplot data block: rows of x, columns of implementations. */
static void gsb_dat(const char *dir, const char *file, const char *scenario, const char *kase,
                    double (*get)(const gsb_cell *)) {
    const char *names[64];
    int th[64];
    int n = gsb_impls_in(scenario, kase, names), nt = gsb_threads_in(scenario, kase, th);
    FILE *f = gsb_open(dir, file);
    fprintf(f, "threads");
    for (int i = 0; i < n; i++)
        fprintf(f, " %s", names[i]);
    fprintf(f, "\n");
    for (int t = 0; t < nt; t++) {
        fprintf(f, "%d", th[t]);
        for (int i = 0; i < n; i++) {
            double v = get(gsb_find(scenario, kase, names[i], th[t]));
            fprintf(f, isnan(v) || isinf(v) ? " NaN" : " %.6g", v);
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

static double gsb_get_tput(const gsb_cell *c) { return c ? c->med.ops_per_sec : NAN; }
static double gsb_get_p50(const gsb_cell *c) { return c ? c->med.p50_ns / 1e3 : NAN; }
static double gsb_get_p99(const gsb_cell *c) { return c ? c->med.p99_ns / 1e3 : NAN; }
static double gsb_get_max(const gsb_cell *c) { return c ? c->med.max_ns / 1e3 : NAN; }

/* rw waits at the largest thread count, by write share: rows are cases. */
static int gsb_impls_in_rw(const char **out) {
    int n = 0;
    for (int i = 0; i < gsb_nimpls_of; i++)
        for (int k = 0; k < 4; k++)
            if (gsb_find("rw", gsb_rw_kases[k], gsb_impls_of[i].name, -1)) {
                out[n++] = gsb_impls_of[i].name;
                break;
            }
    return n;
}

/* rw waits at the largest thread count, one row per write share that ran. */
static int gsb_rw_tmax(void) {
    int tmax = 0;
    for (int i = 0; i < ncells; i++)
        if (!strcmp(cells[i].scenario, "rw") && cells[i].threads > tmax)
            tmax = cells[i].threads;
    return tmax;
}

/* The implementations with an rw cell at the largest thread count. */
static int gsb_impls_at_tmax(const char **out) {
    const char *all[64];
    int n = gsb_impls_in_rw(all), m = 0, tmax = gsb_rw_tmax();
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            if (gsb_find("rw", gsb_rw_kases[k], all[i], tmax)) {
                out[m++] = all[i];
                break;
            }
    return m;
}

static void gsb_dat_rw_wait(const char *dir, bool writer) {
    const char *names[64];
    int n = gsb_impls_at_tmax(names), tmax = gsb_rw_tmax();
    FILE *f = gsb_open(dir, writer ? "rw-wwait.dat" : "rw-rwait.dat");
    fprintf(f, "writes");
    for (int i = 0; i < n; i++)
        fprintf(f, " %s", names[i]);
    fprintf(f, "\n");
    for (int k = 0; k < 4; k++) {
        const char *any[64];
        if (!gsb_impls_in("rw", gsb_rw_kases[k], any))
            continue;
        fprintf(f, "\"%s\"", gsb_rw_titles[k]);
        for (int i = 0; i < n; i++) {
            const gsb_cell *c = gsb_find("rw", gsb_rw_kases[k], names[i], tmax);
            double v = c ? (writer ? c->med.wp99_ns : c->med.rp99_ns) / 1e3 : NAN;
            fprintf(f, isnan(v) ? " NaN" : " %.6g", v);
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

static void gsb_plots(const char *dir, const gsb_machine *m, const bool *ran) {
    char pdir[1100];
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    gsb_mkdirs(pdir);
    FILE *gp = gsb_open(pdir, "plots.gp");
    fprintf(gp,
            "# gnuplot script written by gosync-bench; run from this directory:\n"
            "#   gnuplot plots.gp\n"
            "set terminal pngcairo size 1200,700 noenhanced font ',10'\n"
            "set key outside right top\nset grid\nset datafile missing 'NaN'\n"
            "# twelve distinguishable line styles (gnuplot's default cycle has eight)\n"
            "set linetype 1 lc rgb '#1f77b4' pt 1\nset linetype 2 lc rgb '#ff7f0e' pt 2\n"
            "set linetype 3 lc rgb '#2ca02c' pt 3\nset linetype 4 lc rgb '#d62728' pt 4\n"
            "set linetype 5 lc rgb '#9467bd' pt 5\nset linetype 6 lc rgb '#8c564b' pt 6\n"
            "set linetype 7 lc rgb '#e377c2' pt 7\nset linetype 8 lc rgb '#7f7f7f' pt 8\n"
            "set linetype 9 lc rgb '#bcbd22' pt 9\nset linetype 10 lc rgb '#17becf' pt 10\n"
            "set linetype 11 lc rgb '#000000' pt 11\nset linetype 12 lc rgb '#aa0000' pt 12\n"
            "set linetype cycle 12\n"
            "set logscale x 2\nset style data linespoints\n"
            "machine = '%s, %d cores, %s'\n",
            m->cpu, m->cores, m->date);
    if (ran[GSB_SC_MUTEX]) {
        const char *kases[] = {"short", "work"};
        for (int k = 0; k < 2; k++) {
            const char *names[64];
            int n = gsb_impls_in("mutex", kases[k], names);
            if (!n)
                continue;
            char file[64];
            snprintf(file, sizeof file, "mutex-%s.dat", kases[k]);
            gsb_dat(pdir, file, "mutex", kases[k], gsb_get_tput);
            fprintf(gp,
                    "set output 'mutex-%s.png'\nset title 'mutex/%s: throughput vs threads "
                    "('.machine.')'\n"
                    "set xlabel 'threads'\nset ylabel 'lock+unlock per second'\nunset logscale "
                    "y\nset format y '%%.1s%%c'\n"
                    "set yrange [0:*]\n"
                    "plot for [i=2:%d] '%s' using 1:i title columnheader(i) lw 2\n",
                    kases[k], kases[k], n + 1, file);
            const char *pct[] = {"p50", "p99", "max"};
            double (*get[])(const gsb_cell *) = {gsb_get_p50, gsb_get_p99, gsb_get_max};
            for (int p = 0; p < 3; p++) {
                snprintf(file, sizeof file, "mutex-%s-wait-%s.dat", kases[k], pct[p]);
                gsb_dat(pdir, file, "mutex", kases[k], get[p]);
            }
            fprintf(gp,
                    "set output 'mutex-%s-wait.png'\nset terminal pngcairo size 1500,550 "
                    "noenhanced font ',10'\nset multiplot layout 1,3 title 'mutex/%s: wait to "
                    "acquire ('.machine.')'\nset logscale y\nset format y '%%g'\nset yrange [*:*]\n"
                    "set ylabel 'microseconds'\nset key off\n",
                    kases[k], kases[k]);
            for (int p = 0; p < 3; p++) {
                if (p == 2)
                    fprintf(gp, "set key outside right top\n");
                fprintf(gp,
                        "set title 'wait %s'\nplot for [i=2:%d] 'mutex-%s-wait-%s.dat' using "
                        "1:i title columnheader(i) lw 2\n",
                        pct[p], n + 1, kases[k], pct[p]);
            }
            fprintf(gp, "unset multiplot\nset terminal pngcairo size 1200,700 noenhanced "
                        "font ',10'\nset key outside right top\n");
        }
    }
    if (ran[GSB_SC_RW]) {
        const char *names[64];
        int n = gsb_impls_in_rw(names), nk = 0;
        for (int k = 0; k < 4; k++)
            nk += gsb_impls_in("rw", gsb_rw_kases[k], names) > 0;
        n = gsb_impls_in_rw(names);
        fprintf(gp,
                "set output 'rw.png'\nset terminal pngcairo size %d,%d noenhanced font "
                "',10'\nset multiplot layout %d,%d title 'reader/writer: throughput vs "
                "threads ('.machine.')'\nunset logscale y\nset format y "
                "'%%.1s%%c'\nset yrange [0:*]\nset xlabel "
                "'threads'\nset ylabel 'operations per second'\n",
                nk > 1 ? 1400 : 1000, nk > 2 ? 900 : 550, nk > 2 ? 2 : 1, nk > 1 ? 2 : 1);
        for (int k = 0; k < 4; k++) {
            const char *in[64];
            int nin = gsb_impls_in("rw", gsb_rw_kases[k], in);
            if (!nin)
                continue;
            char file[64];
            snprintf(file, sizeof file, "rw-%s.dat", gsb_rw_kases[k]);
            gsb_dat(pdir, file, "rw", gsb_rw_kases[k], gsb_get_tput);
            fprintf(gp,
                    "set title '%s'\nplot for [i=2:%d] '%s' using 1:i title columnheader(i) "
                    "lw 2\n",
                    gsb_rw_titles[k], nin + 1, file);
        }
        fprintf(gp, "unset multiplot\n");
        gsb_dat_rw_wait(pdir, false);
        gsb_dat_rw_wait(pdir, true);
        n = gsb_impls_at_tmax(names);
        fprintf(gp,
                "set output 'rw-wait.png'\nset terminal pngcairo size 1400,550 noenhanced font "
                "',10'\nset multiplot layout 1,2 title 'reader/writer: wait p99 at the largest "
                "thread count ('.machine.')'\nunset logscale x\nset logscale y\nset format y "
                "'%%g'\nset yrange "
                "[*:*]\nset xrange [-0.5:%d.5]\nset xlabel 'write share'\nset ylabel "
                "'microseconds'\nset title 'reader wait p99'\nplot for [i=2:%d] 'rw-rwait.dat' "
                "using 0:i:xtic(1) title columnheader(i) lw 2\nset title 'writer wait p99'\n"
                "plot for [i=2:%d] 'rw-wwait.dat' using 0:i:xtic(1) title columnheader(i) lw 2\n"
                "unset multiplot\n",
                nk - 1, n + 1, n + 1);
    }
    fclose(gp);
}

static void gsb_write_median_csv(const char *dir, const gsb_config *cfg, const gsb_machine *m) {
    FILE *f = gsb_open(dir, "median.csv");
    gsb_csv_header(f, cfg, m);
    fprintf(f, "# one row per cell: per-field medians over the repetitions (rep = their "
               "number), then the main figure's min and max and its ratio to the baseline\n");
    fprintf(f, "%s,main_min,main_max,baseline,ratio\n", GSB_CSV_HEADER);
    for (int i = 0; i < ncells; i++) {
        const gsb_cell *c = &cells[i];
        char line[1024];
        FILE *s = fmemopen(line, sizeof line, "w");
        gsb_row_print(s, &c->med);
        fclose(s);
        line[strcspn(line, "\n")] = 0;
        const char *base = gsb_baseline(c->scenario, c->kase);
        double b = gsb_cell_figure(gsb_find(c->scenario, c->kase, base, c->threads));
        double v = gsb_cell_figure(c);
        double ratio = isfinite(v) && isfinite(b) && b != 0 ? v / b : NAN;
        fprintf(f, "%s,%.6g,%.6g,%s,", line, c->lo, c->hi, base);
        if (!isnan(ratio))
            fprintf(f, "%.4f", ratio);
        fprintf(f, "\n");
    }
    fclose(f);
}

void gsb_report(const gsb_config *cfg, const gsb_machine *m, const gsb_impl *impls, int n_impls,
                const gsb_row *rows, int n_rows, const bool *ran) {
    gsb_impls_of = impls;
    gsb_nimpls_of = n_impls;
    gsb_build_cells(rows, n_rows);
    if (cfg->out_dir) {
        gsb_mkdirs(cfg->out_dir);
        FILE *raw = gsb_open(cfg->out_dir, "raw.csv");
        gsb_csv_header(raw, cfg, m);
        fprintf(raw, "%s\n", GSB_CSV_HEADER);
        for (int i = 0; i < n_rows; i++)
            gsb_row_print(raw, &rows[i]);
        fclose(raw);
        gsb_write_median_csv(cfg->out_dir, cfg, m);
        gsb_plots(cfg->out_dir, m, ran);
        gsb_md = gsb_open(cfg->out_dir, "summary.md");
    }
    double others, steal;
    gsb_cpu_account_end(m, &others, &steal);
    char busy[256] = "";
    if (!isnan(others)) {
        size_t k = (size_t)snprintf(busy, sizeof busy,
                                    " Other processes used %.0f%% of the %d CPUs' time during "
                                    "the run",
                                    100 * others, m->allowed);
        if (steal > 0.005 && k < sizeof busy)
            k += (size_t)snprintf(busy + k, sizeof busy - k, ", the hypervisor stole %.0f%%",
                                  100 * steal);
        if (k < sizeof busy)
            snprintf(busy + k, sizeof busy - k, ".");
    }
    if (!isnan(others) && others > 0.1)
        fprintf(stderr,
                "gosync-bench: warning: other processes used %.0f%% of the CPUs during this run; "
                "expect noisy figures\n",
                100 * others);
    gsb_out("# gosync benchmarks%s\n\n", cfg->quick ? " (quick run)" : "");
    gsb_out("- Date: %s\n- Machine: %s, %d cores online (%d allowed to this run); %s; %s\n"
            "- Compiler: %s; gosync %s; Go: %s\n- Command: `%s`\n"
            "- Each cell ran every implementation %d time%s (starvation and writer flood: %d), "
            "interleaved (order rotated per repetition); figures are medians, spread is ± half the "
            "min–max range over the "
            "repetitions, relative to the median. Measured %g s per mutex/rw cell after %g s of "
            "warm-up%s.\n- Ratios are to the pthread baseline of the same cell (pthread_mutex "
            "for mutex scenarios, pthread_rwlock for reader/writer ones): above 1× is better "
            "for throughput, below 1× is better for times.\n- Wait clock: %s; percentiles "
            "from per-thread log-linear histograms (buckets 1/32 of a power of two wide), "
            "maximum exact.\n- Spin-only locks (ConcurrencyKit's) run in the mutex and rw "
            "scenarios only up to one "
            "thread per CPU (%d here): beyond that a queue spinlock hands the lock to waiters "
            "that are not running, and one cell can take tens of seconds; their cells show –.\n"
            "- This is a shared, noisy virtual machine (load average 1/5/15 min at the start: "
            "%s).%s Trust differences well beyond the spread and beyond the gap between two "
            "nearly identical locks (pthread vs mtx_t under contention).\n",
            m->date, m->cpu, m->cores, m->allowed, m->kernel, m->libc, m->compiler, m->gosync,
            m->go, cfg->cmdline, cfg->reps, cfg->reps == 1 ? "" : "s", cfg->reps_long,
            cfg->duration_s, cfg->warmup_s,
            cfg->pin ? ", two or more threads pinned round-robin over the CPUs" : "", m->clock,
            m->allowed, m->load_start, busy);
    if (m->n_xfer_cells > 0) {
        gsb_xfer_stats st = gsb_xfer_stats_of(m);
        gsb_out(
            "- Cache-line transfer between CPUs %d and %d, one way, sampled before and after "
            "each of the %d cells: median %.0f ns, %.0f–%.0f ns. It changes with the host, and the "
            "contended figures change with it: on the dev VM the peers' read-only rate halves "
            "when it goes from tens of nanoseconds to over a hundred (docs/PERFORMANCE.md, "
            "\"2026-11-26, late night\"). A run whose range spans both compares locks "
            "measured on two different machines. (On a busy machine a sample also counts the "
            "ping-pong threads' waits for a time slice, up to microseconds.)\n",
            m->xfer_cpu[0], m->xfer_cpu[1], m->n_xfer_cells, st.med_ns, st.min_ns, st.max_ns);
        int changed = 0;
        for (int i = 0; i < m->n_xfer_cells; i++)
            changed += gsb_xfer_cell_changed(&m->xfer_cells[i]);
        if (changed == 0) {
            gsb_out("- No cell's samples before and after it differ by more than 2×.\n");
        } else {
            gsb_out("- Cells whose samples before and after differ by more than 2× (the machine "
                    "changed during them, in its line transfer or its load):");
            for (int i = 0, k = 0; i < m->n_xfer_cells; i++) {
                const gsb_xfer_cell *c = &m->xfer_cells[i];
                if (!gsb_xfer_cell_changed(c))
                    continue;
                gsb_out("%s %s/%s", k++ ? "," : "", c->scenario, c->kase);
                if (c->threads > 0)
                    gsb_out(" %d thr", c->threads);
                gsb_out(" (%.0f → %.0f ns)", c->before_ns, c->after_ns);
            }
            gsb_out(".\n");
        }
    }
    gsb_out("\n");
    if (!cfg->filter)
        gsb_table_glance(cfg);
    if (ran[GSB_SC_UNCONTENDED])
        gsb_table_uncontended();
    if (ran[GSB_SC_MUTEX])
        gsb_table_mutex();
    if (ran[GSB_SC_STARVATION])
        gsb_table_starvation(cfg);
    if (ran[GSB_SC_RW])
        gsb_table_rw();
    if (ran[GSB_SC_WFLOOD])
        gsb_table_wflood(cfg);
    if (gsb_md) {
        fclose(gsb_md);
        gsb_md = NULL;
        fprintf(stderr, "gosync-bench: wrote %s/{summary.md,raw.csv,median.csv,plots/}\n",
                cfg->out_dir);
    }
}
