/* tests/test_profile.c: contention profiling (gosync/profile.h).
 *
 * Also a helper for tests/profile_pprof.cmake: `test_profile --workload` runs a contended
 * workload (GOSYNC_PROFILE in its environment writes the profile at exit).
 */
#include <gosync.h>

#include "harness.h"

/* src/profile.c (hidden in the shared library, linkable from the static one). */
bool gs__profile_sample(uint32_t rate);

typedef struct {
    gs_mutex mu;
    gs_rwmutex rw;
    _Atomic int started;
    long shared;
} contention_arg;

/* Named frames the report must show as the waiting sites. */
__attribute__((noinline)) void contender(contention_arg *c) {
    c->started++;
    gs_mutex_lock(&c->mu);
    c->shared++;
    gs_mutex_unlock(&c->mu);
}

__attribute__((noinline)) void contending_reader(contention_arg *c) {
    c->started++;
    gs_rwmutex_rlock(&c->rw);
    gs_rwmutex_runlock(&c->rw);
}

static void *contender_main(void *p) {
    contender((contention_arg *)p);
    return NULL;
}
static void *reader_main(void *p) {
    contending_reader((contention_arg *)p);
    return NULL;
}

/* n threads block on c->mu (and n readers on c->rw) while this thread holds both for
 * hold_ns. */
static void contend(contention_arg *c, int n, int64_t hold_ns) {
    pthread_t t[16];
    c->started = 0;
    gs_mutex_lock(&c->mu);
    gs_rwmutex_lock(&c->rw);
    for (int i = 0; i < n; i++) {
        t[2 * i] = spawn(contender_main, c);
        t[2 * i + 1] = spawn(reader_main, c);
    }
    while (c->started < 2 * n)
        sleep_ns(100000);
    sleep_ns(hold_ns);
    gs_rwmutex_unlock(&c->rw);
    gs_mutex_unlock(&c->mu);
    for (int i = 0; i < 2 * n; i++)
        join(t[i]);
}

/* The report, in a string. */
static char *report(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f != NULL);
    CHECK_EQ(gs_profile_write(f), 0);
    fclose(f);
    return buf;
}

/* Sum of the counts and delays of the pprof sample lines ("<delay> <count> @ <pc>..."). */
static void sample_totals(const char *r, long long *count, long long *delay, int *lines) {
    *count = *delay = 0;
    *lines = 0;
    for (const char *p = r; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        long long d, c;
        int used = 0;
        if (sscanf(p, "%lld %lld @%n", &d, &c, &used) == 2 && used > 0) {
            CHECK(strncmp(p + used, " 0x", 3) == 0);
            *delay += d;
            *count += c;
            ++*lines;
        }
    }
}

static long long header_count(const char *r) {
    const char *h = strstr(r, "# gosync contention profile: ");
    CHECK(h != NULL);
    return atoll(h + strlen("# gosync contention profile: "));
}

TEST(TestUncontendedNotRecorded) {
    gs_profile_reset();
    CHECK_EQ(gs_profile_start(1), 0);
    gs_mutex mu = GS_MUTEX_INIT;
    gs_rwmutex rw = GS_RWMUTEX_INIT;
    for (int i = 0; i < 100000; i++) {
        gs_mutex_lock(&mu);
        gs_mutex_unlock(&mu);
        gs_rwmutex_rlock(&rw);
        gs_rwmutex_runlock(&rw);
        gs_rwmutex_lock(&rw);
        gs_rwmutex_unlock(&rw);
    }
    CHECK_EQ(gs_profile_start(0), 1);
    char *r = report();
    CHECK_EQ(header_count(r), 0);
    free(r);
}

TEST(TestContendedRecorded) {
    static contention_arg c;
    const int n = 4;
    gs_profile_reset();
    gs_profile_start(1);
    contend(&c, n, 200000000);
    gs_profile_start(0);
    char *r = report();
    /* Go's legacy contention format, as pprof parses it. */
    CHECK(strncmp(r, "--- mutex:\ncycles/second=1000000000\nsampling period=1\nms since reset=",
                  strlen("--- mutex:\ncycles/second=1000000000\nsampling period=1\nms since "
                         "reset=")) == 0);
    CHECK(strstr(r, "\n--- Memory map: ---\n") != NULL);
    long long count, delay;
    int lines;
    sample_totals(r, &count, &delay, &lines);
    /* Each blocked thread waits once (a writer may sleep twice); the readers are held
     * off by the writer. */
    CHECK_GE(count, 1);
    CHECK_LE(count, 2 * n);
    CHECK_EQ(count, header_count(r));
    CHECK_GE(delay, 1);
    CHECK_GE(lines, 1);
    /* Sites are named by the first frame outside gosync, with callers. */
    if (!strstr(r, "  contender+0x") && !strstr(r, "  contending_reader+0x"))
        GS_T_FAIL("no waiting site named in the report:\n%s", r);
    printf("     %lld sampled waits, %.1f ms in all\n", count, (double)delay / 1e6);
    const char *table = strstr(r, "#      count");
    const char *end = table ? strstr(table, "\n") : NULL;
    for (int i = 0; end && i < 3; i++) {
        const char *next = strchr(end + 1, '\n');
        if (!next || end[1] != '#')
            break;
        printf("     %.*s\n", (int)(next - end - 1), end + 1);
        end = next;
    }
    free(r);
}

TEST(TestSamplingRate) {
    /* 1 in rate on average (binomial: sd ~ 95 for these numbers; bound at ~20 sd). */
    long hits = 0;
    for (long i = 0; i < 100000; i++)
        hits += gs__profile_sample(10);
    CHECK_GE(hits, 8000);
    CHECK_LE(hits, 12000);
    hits = 0;
    for (long i = 0; i < 1000; i++)
        hits += gs__profile_sample(1);
    CHECK_EQ(hits, 1000);
}

TEST(TestResetAndRestart) {
    static contention_arg c;
    gs_profile_reset();
    gs_profile_start(1);
    contend(&c, 2, 50000000);
    gs_profile_start(0);
    char *r = report();
    CHECK_GE(header_count(r), 1);
    free(r);
    /* Off: contended waits are not recorded. */
    contend(&c, 2, 50000000);
    r = report();
    long long before = header_count(r);
    free(r);
    gs_profile_reset();
    r = report();
    CHECK_EQ(header_count(r), 0);
    free(r);
    CHECK_GE(before, 1);
}

/* GOSYNC_PROFILE=<file> in the environment: written at exit. */
TEST(TestEnvironment) {
    char path[] = "/tmp/gosync-profile-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    CHECK(n > 0);
    self[n] = 0;
    char env_path[4200];
    snprintf(env_path, sizeof env_path, "GOSYNC_PROFILE=%s", path);
    char *argv[] = {self, (char *)"--workload", NULL};
    /* The child's environment: ours plus GOSYNC_PROFILE. */
    int nenv = 0;
    while (environ[nenv])
        nenv++;
    char **envp = (char **)calloc((size_t)nenv + 2, sizeof *envp);
    for (int i = 0; i < nenv; i++)
        envp[i] = environ[i];
    envp[nenv] = env_path;
    pid_t pid;
    CHECK(posix_spawn(&pid, self, NULL, NULL, argv, envp) == 0);
    free(envp);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = 0;
    fclose(f);
    unlink(path);
    CHECK(strncmp(buf, "--- mutex:\n", 11) == 0);
    CHECK_GE(header_count(buf), 1);
    CHECK(strstr(buf, "contender+0x") != NULL || strstr(buf, "contending_reader+0x") != NULL);
}

static int workload(void) {
    static contention_arg c;
    for (int i = 0; i < 3; i++)
        contend(&c, 4, 20000000);
    return 0;
}

int main(int argc, char **argv) {
    gs_test_init(argc, argv);
    if (argc == 2 && strcmp(argv[1], "--workload") == 0)
        return workload();
    RUN(TestUncontendedNotRecorded);
    RUN(TestContendedRecorded);
    RUN(TestSamplingRate);
    RUN(TestResetAndRestart);
    RUN(TestEnvironment);
    return 0;
}
