/* src/fatal.c: the one way gosync reports misuse, and the version string. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal/common.h"

#define GS__STR2(x) #x
#define GS__STR(x) GS__STR2(x)

void gs__fatal(const char *what) {
    /* One write(2), so the line is not interleaved with other threads' output and no stdio
     * lock is needed (the caller may be inside a signal handler or hold any lock). */
    char line[256];
    static const char prefix[] = "gosync: ";
    size_t n = sizeof prefix - 1, len = strlen(what);
    if (len > sizeof line - n - 1)
        len = sizeof line - n - 1;
    memcpy(line, prefix, n);
    memcpy(line + n, what, len);
    line[n + len] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, n + len + 1);
    (void)ignored;
    abort();
}

const char *gs_version(void) {
    return GS__STR(GOSYNC_VERSION_MAJOR) "." GS__STR(GOSYNC_VERSION_MINOR) "." GS__STR(
        GOSYNC_VERSION_PATCH);
}
