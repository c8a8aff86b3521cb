/* tests/pkg/smoke_windows.c: a smoke test of gosync on Windows, with Win32 threads only.
 *
 * The main suite (tests/test_*.c) is POSIX: pthreads, posix_spawn, sched affinity. This
 * program checks what the Windows backend (src/platform/wait_windows.c, clock_windows.c) must
 * get right, with CreateThread instead: mutual exclusion under contention (so that waiters
 * really sleep in WaitOnAddress and are woken), a waiter blocked on a held lock woken by an
 * unlock from another thread, timeouts that never end early, the reader/writer rules, the
 * lockers, the version, and the fatal path (a child process unlocks an unlocked mutex and must
 * die saying so). When the tree has them, Once, WaitGroup and Cond too (GS_SMOKE_ONCE,
 * GS_SMOKE_WAITGROUP, GS_SMOKE_COND, set by tests/pkg/CMakeLists.txt).
 *
 * Built by scripts/cross-windows.sh with mingw-w64 and run under wine where it is installed.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <gosync.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, passes;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: CHECK(%s)\n", __FILE__, __LINE__, #cond);                 \
            failures++;                                                                            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

static void run(const char *name, void (*fn)(void)) {
    int before = failures;
    ULONGLONG start = GetTickCount64();
    fn();
    if (failures == before) {
        passes++;
        printf("ok   %-34s %6llu ms\n", name, (unsigned long long)(GetTickCount64() - start));
    } else {
        printf("FAIL %s\n", name);
    }
    fflush(stdout);
}

static int64_t now_ns(void) {
    LARGE_INTEGER c, f;
    QueryPerformanceCounter(&c);
    QueryPerformanceFrequency(&f);
    return (int64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
}

/* Runs fn(i) on n threads and waits for them. */
typedef struct {
    void (*fn)(int);
    int i;
} job;
static DWORD WINAPI job_main(LPVOID p) {
    job *j = (job *)p;
    j->fn(j->i);
    return 0;
}
static void run_threads(int n, void (*fn)(int)) {
    HANDLE h[16];
    job jobs[16];
    for (int i = 0; i < n; i++) {
        jobs[i].fn = fn;
        jobs[i].i = i;
        h[i] = CreateThread(NULL, 0, job_main, &jobs[i], 0, NULL);
    }
    WaitForMultipleObjects((DWORD)n, h, TRUE, INFINITE);
    for (int i = 0; i < n; i++)
        CloseHandle(h[i]);
}

/* ---- gs_mutex ---- */

#define THREADS 4
#define ROUNDS 20000

static gs_mutex mu;
static long counter GS_GUARDED_BY(mu);

static void count_mutex(int i) {
    for (int r = 0; r < ROUNDS; r++) {
        if ((r + i) % 2) {
            GS_GUARD(&mu);
            counter++;
        } else {
            gs_mutex_lock(&mu);
            long v = counter;
            if (r % 64 == 0)
                SwitchToThread(); /* let the others pile up behind the lock */
            counter = v + 1;
            gs_mutex_unlock(&mu);
        }
    }
}

static void test_mutex_counter(void) {
    counter = 0;
    run_threads(THREADS, count_mutex);
    CHECK(counter == (long)THREADS * ROUNDS);
}

static gs_mutex handoff;
static volatile LONG acquired;
static DWORD WINAPI lock_then_flag(LPVOID p) {
    (void)p;
    gs_mutex_lock(&handoff);
    InterlockedExchange(&acquired, 1);
    gs_mutex_unlock(&handoff);
    return 0;
}

static void test_mutex_wake(void) {
    gs_mutex_lock(&handoff);
    HANDLE t = CreateThread(NULL, 0, lock_then_flag, NULL, 0, NULL);
    Sleep(50); /* the thread is asleep in the lock by now */
    CHECK(acquired == 0);
    gs_mutex_unlock(&handoff);
    CHECK(WaitForSingleObject(t, 10000) == WAIT_OBJECT_0);
    CloseHandle(t);
    CHECK(acquired == 1);
}

static gs_mutex held;
static DWORD WINAPI unlock_other(LPVOID p) {
    (void)p;
    Sleep(30);
    gs_mutex_unlock(&held); /* Go's rule: any thread may unlock */
    return 0;
}

static void test_mutex_timeout(void) {
    gs_mutex_lock(&held);
    CHECK(!gs_mutex_trylock(&held));
    CHECK(!gs_mutex_lock_timeout(&held, 0));
    int64_t t0 = now_ns();
    CHECK(!gs_mutex_lock_timeout(&held, 20 * 1000000));
    CHECK(now_ns() - t0 >= 20 * 1000000); /* never gives up early */
    HANDLE t = CreateThread(NULL, 0, unlock_other, NULL, 0, NULL);
    CHECK(gs_mutex_lock_timeout(&held, 10000 * (int64_t)1000000));
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    gs_mutex_unlock(&held);
    CHECK(gs_mutex_trylock(&held));
    gs_mutex_unlock(&held);
}

/* ---- gs_rwmutex ---- */

static gs_rwmutex rw;
static long rw_a GS_GUARDED_BY(rw), rw_b GS_GUARDED_BY(rw);
static volatile LONG rw_torn;

static void rw_worker(int i) {
    for (int r = 0; r < ROUNDS; r++) {
        if ((r + i) % 8 == 0) {
            gs_rwmutex_lock(&rw);
            rw_a++;
            if (r % 32 == 0)
                SwitchToThread();
            rw_b++;
            gs_rwmutex_unlock(&rw);
        } else {
            GS_RGUARD(&rw);
            if (rw_a != rw_b)
                InterlockedExchange(&rw_torn, 1);
        }
    }
}

static void test_rwmutex(void) {
    run_threads(THREADS, rw_worker);
    CHECK(rw_torn == 0);
    gs_rwmutex_rlock(&rw);
    CHECK(rw_a == rw_b);
    CHECK(gs_rwmutex_tryrlock(&rw)); /* a second reader, from this thread: no writer waits */
    gs_rwmutex_runlock(&rw);
    CHECK(!gs_rwmutex_trylock(&rw));
    int64_t t0 = now_ns();
    CHECK(!gs_rwmutex_lock_timeout(&rw, 20 * 1000000));
    CHECK(now_ns() - t0 >= 20 * 1000000);
    gs_rwmutex_runlock(&rw);
    gs_rwmutex_lock(&rw);
    CHECK(!gs_rwmutex_rlock_timeout(&rw, 10 * 1000000));
    gs_rwmutex_unlock(&rw);
    CHECK(gs_rwmutex_rlock_timeout(&rw, 0));
    gs_rwmutex_runlock(&rw);
}

/* ---- lockers, version ---- */

static void test_lockers(void) {
    gs_mutex m = GS_MUTEX_INIT;
    gs_rwmutex r = GS_RWMUTEX_INIT;
    gs_locker l = gs_mutex_locker(&m);
    gs_locker_lock(l);
    CHECK(!gs_mutex_trylock(&m));
    gs_locker_unlock(l);
    gs_locker rl = gs_rwmutex_rlocker(&r);
    gs_locker_lock(rl);
    CHECK(!gs_rwmutex_trylock(&r));
    gs_locker_unlock(rl);
    gs_locker wl = gs_rwmutex_locker(&r);
    gs_locker_lock(wl);
    CHECK(!gs_rwmutex_tryrlock(&r));
    gs_locker_unlock(wl);
}

#define STR2(x) #x
#define STR(x) STR2(x)
static void test_version(void) {
    CHECK(strcmp(gs_version(), STR(GOSYNC_VERSION_MAJOR) "." STR(GOSYNC_VERSION_MINOR) "." STR(
                                   GOSYNC_VERSION_PATCH)) == 0);
}

/* ---- Once, WaitGroup, Cond, where the tree has them ---- */

#if defined(GS_SMOKE_ONCE)
static gs_once once;
static volatile LONG once_calls;
static void once_fn(void *arg) {
    (void)arg;
    Sleep(20); /* the other threads wait for this call */
    InterlockedIncrement(&once_calls);
}
static void once_worker(int i) {
    (void)i;
    gs_once_do(&once, once_fn, NULL);
}
static void test_once(void) {
    run_threads(THREADS, once_worker);
    CHECK(once_calls == 1);
}
#endif

#if defined(GS_SMOKE_WAITGROUP)
static gs_waitgroup wg;
static volatile LONG wg_done;
static DWORD WINAPI wg_worker(LPVOID p) {
    (void)p;
    Sleep(10);
    InterlockedIncrement(&wg_done);
    gs_waitgroup_done(&wg);
    return 0;
}
static void test_waitgroup(void) {
    HANDLE h[THREADS];
    gs_waitgroup_add(&wg, THREADS);
    for (int i = 0; i < THREADS; i++)
        h[i] = CreateThread(NULL, 0, wg_worker, NULL, 0, NULL);
    gs_waitgroup_wait(&wg);
    CHECK(wg_done == THREADS);
    CHECK(gs_waitgroup_wait_timeout(&wg, 0));
    WaitForMultipleObjects(THREADS, h, TRUE, INFINITE);
    for (int i = 0; i < THREADS; i++)
        CloseHandle(h[i]);
}
#endif

#if defined(GS_SMOKE_COND)
static gs_mutex cmu;
static gs_cond cond;
static int ready GS_GUARDED_BY(cmu);
static DWORD WINAPI cond_signaller(LPVOID p) {
    (void)p;
    Sleep(20);
    gs_mutex_lock(&cmu);
    ready = 1;
    gs_mutex_unlock(&cmu);
    gs_cond_broadcast(&cond);
    return 0;
}
static void test_cond(void) {
    gs_cond_init(&cond, gs_mutex_locker(&cmu));
    HANDLE t = CreateThread(NULL, 0, cond_signaller, NULL, 0, NULL);
    gs_mutex_lock(&cmu);
    while (!ready)
        gs_cond_wait(&cond);
    CHECK(!gs_cond_wait_timeout(&cond, 5 * 1000000)); /* nobody signals: times out, relocks */
    gs_mutex_unlock(&cmu);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
}
#endif

/* ---- the fatal path, in a child process ---- */

static void test_fatal(void) {
    char self[MAX_PATH], cmd[MAX_PATH + 32];
    CHECK(GetModuleFileNameA(NULL, self, sizeof self) > 0);
    snprintf(cmd, sizeof cmd, "\"%s\" --death", self);
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE rd, wr;
    CHECK(CreatePipe(&rd, &wr, &sa, 0));
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOA si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = wr;
    si.hStdError = wr;
    PROCESS_INFORMATION pi;
    CHECK(CreateProcessA(self, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi));
    CloseHandle(wr);
    char buf[4096];
    DWORD len = 0, n;
    while (len < sizeof buf - 1 && ReadFile(rd, buf + len, sizeof buf - 1 - len, &n, NULL) && n)
        len += n;
    buf[len] = 0;
    CloseHandle(rd);
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 1;
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    if (code == 0 || strstr(buf, "gosync: unlock of unlocked mutex") == NULL)
        fprintf(stderr, "child exit code %lu, output:\n%s\n", (unsigned long)code, buf);
    CHECK(code != 0);
    CHECK(strstr(buf, "gosync: unlock of unlocked mutex") != NULL);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--death") == 0) {
        static gs_mutex never_locked;
        gs_mutex_unlock(&never_locked);
        return 0; /* not reached: the unlock aborts */
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    run("version", test_version);
    run("mutex_counter", test_mutex_counter);
    run("mutex_wake", test_mutex_wake);
    run("mutex_timeout", test_mutex_timeout);
    run("rwmutex", test_rwmutex);
    run("lockers", test_lockers);
#if defined(GS_SMOKE_ONCE)
    run("once", test_once);
#endif
#if defined(GS_SMOKE_WAITGROUP)
    run("waitgroup", test_waitgroup);
#endif
#if defined(GS_SMOKE_COND)
    run("cond", test_cond);
#endif
    run("fatal", test_fatal);
    printf("%d passed, %d failed\n", passes, failures);
    return failures != 0;
}
