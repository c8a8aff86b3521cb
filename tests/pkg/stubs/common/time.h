#pragma once
#include <sys/types.h>
struct timespec {
    time_t tv_sec;
    long tv_nsec;
};
typedef int clockid_t;
#if defined(__OpenBSD__)
#define CLOCK_MONOTONIC 3
#else
#define CLOCK_MONOTONIC 4
#endif
int clock_gettime(clockid_t clock_id, struct timespec *tp);
