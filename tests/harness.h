/* tests/harness.h: the one small test harness of gosync's suite.
 *
 * A test executable defines its tests with TEST(name), its misuse cases with
 * DEATH_CASE(name) { ... code that must abort ... }, and a main that calls RUN(name) for
 * each test. Checks are typed and report both sides:
 *
 *     CHECK(cond)              CHECK_EQ(a, b)  (as long long)   CHECK_LE(a, b)   CHECK_GE(a, b)
 *     EXPECT_DEATH(name, "gosync: unlock of unlocked mutex")
 *
 * EXPECT_DEATH re-executes this binary as a child ("--death name"), which runs only that
 * case; the check passes if the child dies by SIGABRT and its stderr contains the text.
 * Re-executing instead of forking keeps it safe under ThreadSanitizer and with live threads.
 *
 * Stress sizes scale with GS_TEST_SCALE (environment, default 1; the sanitizer builds set
 * it lower): use scaled(n). Every test runs under an alarm (GS_TEST_TIMEOUT seconds, default
 * 120): a hang fails the test with a message instead of stalling CI.
 */
#ifndef GS_TESTS_HARNESS_H
#define GS_TESTS_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *gs_test_current = "?";

#define GS_T_FAIL(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "FAIL %s (%s:%d): ", gs_test_current, __FILE__, __LINE__);                 \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        fflush(stderr);                                                                            \
        exit(1);                                                                                   \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            GS_T_FAIL("CHECK(%s)", #cond);                                                         \
    } while (0)
#define GS_T_CMP(a, op, b)                                                                         \
    do {                                                                                           \
        long long gs_a_ = (long long)(a), gs_b_ = (long long)(b);                                  \
        if (!(gs_a_ op gs_b_))                                                                     \
            GS_T_FAIL("%s %s %s: %lld vs %lld", #a, #op, #b, gs_a_, gs_b_);                        \
    } while (0)
#define CHECK_EQ(a, b) GS_T_CMP(a, ==, b)
#define CHECK_NE(a, b) GS_T_CMP(a, !=, b)
#define CHECK_LE(a, b) GS_T_CMP(a, <=, b)
#define CHECK_GE(a, b) GS_T_CMP(a, >=, b)
#define CHECK_LT(a, b) GS_T_CMP(a, <, b)

/* ---- time and scale ---- */

static inline int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void sleep_ns(int64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static inline double gs_test_scale(void) {
    const char *s = getenv("GS_TEST_SCALE");
    double v = s ? atof(s) : 1.0;
    return v > 0 ? v : 1.0;
}

/* n scaled by GS_TEST_SCALE, at least 1. */
static inline long scaled(long n) {
    long v = (long)(n * gs_test_scale());
    return v < 1 ? 1 : v;
}

/* The process's CPUs as they were at start-up, before any thread pinned itself (a thread
 * inherits its creator's mask, so asking the kernel later may give one CPU). */
static cpu_set_t gs_t_all_cpus;
__attribute__((constructor)) static void gs_t_read_cpus(void) {
    sched_getaffinity(0, sizeof gs_t_all_cpus, &gs_t_all_cpus);
}

/* Pins the calling thread to CPU (cpu mod the number of CPUs); returns false if it can't. */
static inline bool pin_to_cpu(int cpu) {
    cpu_set_t set = gs_t_all_cpus;
    int n = CPU_COUNT(&set), seen = 0;
    if (n < 2)
        return false;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, &set) && seen++ == cpu % n) {
            CPU_ZERO(&set);
            CPU_SET(c, &set);
            return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
        }
    }
    return false;
}

/* ---- threads ---- */

static inline pthread_t spawn(void *(*fn)(void *), void *arg) {
    pthread_t t;
    int err = pthread_create(&t, NULL, fn, arg);
    if (err != 0)
        GS_T_FAIL("pthread_create: %s", strerror(err));
    return t;
}

static inline void join(pthread_t t) { pthread_join(t, NULL); }

/* Runs fn(arg, index) on n threads (index 0..n-1) and joins them. */
typedef struct {
    void (*fn)(void *, int);
    void *arg;
    int index;
} gs_t_job;
static void *gs_t_job_main(void *p) {
    gs_t_job *j = (gs_t_job *)p;
    j->fn(j->arg, j->index);
    return NULL;
}
static inline void run_threads(int n, void (*fn)(void *, int), void *arg) {
    pthread_t *t = (pthread_t *)calloc((size_t)n, sizeof *t);
    gs_t_job *jobs = (gs_t_job *)calloc((size_t)n, sizeof *jobs);
    for (int i = 0; i < n; i++) {
        jobs[i].fn = fn;
        jobs[i].arg = arg;
        jobs[i].index = i;
        t[i] = spawn(gs_t_job_main, &jobs[i]);
    }
    for (int i = 0; i < n; i++)
        join(t[i]);
    free(t);
    free(jobs);
}

/* ---- tests, death cases, main ---- */

#define TEST(name) static void name(void)

typedef struct {
    const char *name;
    void (*fn)(void);
} gs_t_death_case;
#define GS_T_MAX_DEATH 64
static gs_t_death_case gs_t_deaths[GS_T_MAX_DEATH];
static int gs_t_ndeaths;

#define DEATH_CASE(case_)                                                                          \
    static void death_##case_(void);                                                               \
    __attribute__((constructor)) static void death_register_##case_(void) {                        \
        gs_t_deaths[gs_t_ndeaths].name = #case_;                                                   \
        gs_t_deaths[gs_t_ndeaths++].fn = death_##case_;                                            \
    }                                                                                              \
    static void death_##case_(void)

static void gs_t_alarm(int sig) {
    (void)sig;
    static const char timeout_msg[] = "FAIL: test timed out (GS_TEST_TIMEOUT)\n";
    ssize_t ignored = write(2, timeout_msg, sizeof timeout_msg - 1);
    (void)ignored;
    _exit(1);
}

static inline void gs_t_run(const char *name, void (*fn)(void)) {
    gs_test_current = name;
    const char *t = getenv("GS_TEST_TIMEOUT");
    signal(SIGALRM, gs_t_alarm);
    alarm(t ? (unsigned)atoi(t) : 120);
    int64_t start = now_ns();
    fn();
    alarm(0);
    printf("ok   %-44s %8.1f ms\n", name, (double)(now_ns() - start) / 1e6);
    fflush(stdout);
}
#define RUN(name) gs_t_run(#name, name)

/* Runs death case `name` in a child, checks that it died by SIGABRT, and returns its
 * stderr in buf (cap bytes, NUL-terminated). */
static inline const char *gs_t_death_output(const char *name, char *buf, size_t cap,
                                            const char *file, int line) {
    int fds[2];
    if (pipe(fds) != 0)
        GS_T_FAIL("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1); /* valgrind: the client */
    if (n <= 0)
        GS_T_FAIL("readlink /proc/self/exe");
    self[n] = 0;
    char *argv[] = {self, (char *)"--death", (char *)name, NULL};
    pid_t pid;
    if (posix_spawn(&pid, self, &fa, NULL, argv, environ) != 0)
        GS_T_FAIL("posix_spawn");
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while (len < cap - 1 && (r = read(fds[0], buf + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    buf[len] = 0;
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) {
        fprintf(stderr, "FAIL %s (%s:%d): death case %s did not abort (status %d); stderr:\n%s\n",
                gs_test_current, file, line, name, status, buf);
        exit(1);
    }
    return buf;
}

/* Runs death case `name` in a child and checks it died by SIGABRT saying `expect`. */
static inline void gs_t_expect_death(const char *name, const char *expect, const char *file,
                                     int line) {
    char buf[8192];
    gs_t_death_output(name, buf, sizeof buf, file, line);
    if (strstr(buf, expect) == NULL) {
        fprintf(stderr, "FAIL %s (%s:%d): death case %s: stderr lacks \"%s\":\n%s\n",
                gs_test_current, file, line, name, expect, buf);
        exit(1);
    }
}
#define EXPECT_DEATH(name, expect) gs_t_expect_death(#name, expect, __FILE__, __LINE__)

/* In main, first: runs a death case when asked to by EXPECT_DEATH. */
static inline void gs_test_init(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "--death") == 0) {
        for (int i = 0; i < gs_t_ndeaths; i++) {
            if (strcmp(gs_t_deaths[i].name, argv[2]) == 0) {
                gs_t_deaths[i].fn();
                fprintf(stderr, "death case %s returned\n", argv[2]);
                exit(3);
            }
        }
        fprintf(stderr, "no death case %s\n", argv[2]);
        exit(4);
    }
}

#endif /* GS_TESTS_HARNESS_H */
