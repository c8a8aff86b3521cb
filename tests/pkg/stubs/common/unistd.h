#pragma once
#include <sys/types.h>
#define STDERR_FILENO 2
#if defined(__OpenBSD__)
#define _SC_NPROCESSORS_ONLN 503
#else
#define _SC_NPROCESSORS_ONLN 58
#endif
long sysconf(int name);
ssize_t write(int fd, const void *buf, size_t n);
