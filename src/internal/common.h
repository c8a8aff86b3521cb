/* src/internal/common.h: attributes and the fatal-error path shared by the algorithm files. */
#ifndef GS_INTERNAL_COMMON_H
#define GS_INTERNAL_COMMON_H

#include <gosync/config.h>

#if defined(__GNUC__)
#define GS__NOINLINE __attribute__((noinline))
#define GS__COLD __attribute__((cold, noinline))
#define GS__NORETURN __attribute__((noreturn))
#define GS__HIDDEN __attribute__((visibility("hidden")))
/* Reads that sanitizers must not check: a thread peeking at its own dead stack frames. */
#define GS__NO_SANITIZE __attribute__((no_sanitize("address", "thread")))
#else
#define GS__NOINLINE
#define GS__COLD
#define GS__NORETURN
#define GS__HIDDEN
#define GS__NO_SANITIZE
#endif

/* PE/COFF (Windows) has no ELF visibility, and GCC warns about the attribute there; a DLL
 * exports only what is __declspec(dllexport)ed (GS_API), so nothing needs hiding. */
#if defined(_WIN32) || defined(__CYGWIN__)
#undef GS__HIDDEN
#define GS__HIDDEN
#endif

/* Misuse: writes "gosync: <what>" and a newline to stderr with one write(2), then abort()s,
 * as Go's runtime throws. Safe to call with any lock state. */
GS__HIDDEN GS__NORETURN GS__COLD void gs__fatal(const char *what);

#endif /* GS_INTERNAL_COMMON_H */
