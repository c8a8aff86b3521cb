/* Cost of one PAUSE (x86 _mm_pause), in ns: the spin loops count PAUSEs, not time. */
#include <stdio.h>
#include <time.h>
#include <immintrin.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(void) {
    for (int rep = 0; rep < 3; rep++) {
        long n = 2000000;
        double t0 = now();
        for (long i = 0; i < n; i++) _mm_pause();
        double t1 = now();
        printf("pause: %.2f ns each (%ld in %.1f ms)\n", (t1 - t0) / n, n, (t1 - t0) / 1e6);
    }
    return 0;
}
