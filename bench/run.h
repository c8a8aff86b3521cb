/* bench/run.h: what the harness (harness.c) and the report writer (report.c) share: the
 * run's configuration, the implementations taking part, and one measured row.
 */
#ifndef GSB_RUN_H
#define GSB_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench.h"

#define GSB_MAX_THREADS_LIST 16

/* The scenarios, in the order a full run measures them. */
enum { GSB_SC_UNCONTENDED, GSB_SC_MUTEX, GSB_SC_STARVATION, GSB_SC_RW, GSB_SC_WFLOOD, GSB_SC_N };
extern const char *const gsb_scenario_names[GSB_SC_N];

typedef struct gsb_config {
    const char *filter; /* "scenario[:case],..." or NULL for all */
    const char *impls;  /* "name,..." or NULL for all */
    int reps;
    int reps_long;     /* repetitions of the starvation and writer-flood cells */
    double duration_s; /* measured time of one mutex or rw cell */
    double warmup_s;   /* run before the measured time, per cell */
    double unc_s;      /* time of one uncontended sample */
    double cap_s;      /* starvation: give up on the polite thread after this */
    double flood_s;    /* writer-flood length */
    int flood_readers;
    int hold_us;        /* writer flood: each reader holds the read lock this long */
    int greedy_hold_us; /* starvation: the greedy thread holds the lock this long */
    int work;           /* local work between acquisitions ("work" case) */
    int rwork;          /* work inside a read critical section */
    int mutex_threads[GSB_MAX_THREADS_LIST], n_mutex_threads;
    int rw_threads[GSB_MAX_THREADS_LIST], n_rw_threads;
    bool quick;
    bool pin;
    const char *out_dir; /* write CSV, plots, summary here; NULL: tables on stdout only */
    const char *go_bin;  /* the Go program, or NULL */
    char cmdline[1024];
} gsb_config;

/* One implementation taking part: a C adapter, or Go's sync type run by the Go program. */
typedef struct gsb_impl {
    const char *name;
    gsb_kind kind;
    const gsb_lock_ops *ops; /* NULL for Go */
    bool go;
} gsb_impl;

/* One measurement (one implementation, one cell, one repetition): one CSV row. Fields that
 * a scenario does not measure are NaN and print empty. The Go program prints the same row. */
typedef struct gsb_row {
    char scenario[16];
    char kase[16];
    char impl[32];
    int threads;
    int rep;
    double seconds;                /* measured time */
    double ops;                    /* operations in it */
    double ops_per_sec;            /* throughput; writer flood: writer acquisitions per second */
    double ns_per_op;              /* uncontended: ns per lock+unlock pair */
    double share_min;              /* fewest ops by one thread / mean per thread */
    double share_max;              /* most ops by one thread / mean per thread */
    double jain;                   /* Jain's fairness index of per-thread ops, 1/threads .. 1 */
    double p50_ns, p99_ns, max_ns; /* wait to acquire (all acquisitions) */
    double rp99_ns, rmax_ns;       /* rw: readers' wait */
    double wp99_ns, wmax_ns;       /* rw, writer flood: writers' wait */
    double value;                  /* starvation: ms to the polite thread's 10th lock */
    int capped;                    /* starvation: the cap ran out first */
} gsb_row;

#define GSB_CSV_HEADER                                                                             \
    "scenario,case,impl,threads,rep,seconds,ops,ops_per_sec,ns_per_op,share_min,share_max,jain,"   \
    "wait_p50_ns,wait_p99_ns,wait_max_ns,rwait_p99_ns,rwait_max_ns,wwait_p99_ns,wwait_max_ns,"     \
    "value,capped"

void gsb_row_init(gsb_row *r, const char *scenario, const char *kase, const char *impl, int threads,
                  int rep);
void gsb_row_print(FILE *f, const gsb_row *r);
bool gsb_row_parse(const char *line, gsb_row *r);

/* One cell's line-transfer samples, taken just before and just after it (ns; NaN with one
 * CPU): the dev VM can change mode during a cell (docs/BENCHMARKS.md). */
typedef struct gsb_xfer_cell {
    char scenario[16];
    char kase[16];
    int threads;
    double before_ns, after_ns;
} gsb_xfer_cell;

/* The machine, for headers and the summary. */
typedef struct gsb_machine {
    char date[64];
    char cpu[128];
    int cores;   /* online */
    int allowed; /* CPUs this process may run on */
    char kernel[128];
    char libc[64];
    char compiler[128];
    char gosync[32];
    char go[64];
    char clock[160];
    char load_start[64]; /* /proc/loadavg's 1, 5, 15-minute figures when the run began */
    /* To tell how busy the machine was with other work during the run: /proc/stat's CPU
     * counters, this process's CPU time (with the Go program's), and the time, at the start. */
    double stat_busy_s, stat_steal_s, self_cpu_s, wall_s;
    /* The time to move a cache line from one CPU to another (one way), sampled before and
     * after each cell between the first two CPUs of the run (xfer_cpu), per cell in run
     * order; none with one CPU. */
    int xfer_cpu[2];
    const gsb_xfer_cell *xfer_cells;
    int n_xfer_cells;
} gsb_machine;

/* At the start of a run: records the counters above. */
void gsb_cpu_account_start(gsb_machine *m);
/* At the end: the share of all CPUs' time that other processes used since the start, and the
 * share stolen by the hypervisor (both 0..1; NaN when /proc/stat cannot be read). */
void gsb_cpu_account_end(const gsb_machine *m, double *others, double *steal);

/* The load averages now ("1.23 0.80 0.40"), or "unknown". */
void gsb_loadavg(char *buf, size_t n);

/* report.c: tables on stdout, and with out_dir the CSV files, plots and summary.md. */
void gsb_report(const gsb_config *cfg, const gsb_machine *m, const gsb_impl *impls, int n_impls,
                const gsb_row *rows, int n_rows, const bool *ran);

#endif /* GSB_RUN_H */
