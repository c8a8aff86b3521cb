/* src/internal/sanitizer.h: which sanitizer (if any) this file is compiled for, and a way to
 * hide gosync's own bookkeeping from ThreadSanitizer.
 *
 * The debug checker, the profiler and the TSan mutex shim keep tables behind an internal
 * pthread mutex. If TSan saw that mutex, every thread passing through the bookkeeping would
 * appear to synchronize with every other one, and real races in the program would vanish
 * from TSan's reports. So the bookkeeping runs between GS__TSAN_IGNORE_BEGIN() and
 * GS__TSAN_IGNORE_END(): TSan neither checks its memory accesses nor derives happens-before
 * from its synchronization. User callbacks (invariants) and the real lock operations run
 * outside such a region. Elsewhere the macros are empty.
 */
#ifndef GS_INTERNAL_SANITIZER_H
#define GS_INTERNAL_SANITIZER_H

#if defined(__SANITIZE_THREAD__)
#define GS__TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GS__TSAN 1
#endif
#endif

#if defined(GS__TSAN)
/* From the TSan runtime (the dynamic-annotations interface). */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);
#define GS__TSAN_IGNORE_BEGIN()                                                                    \
    (AnnotateIgnoreReadsBegin(__FILE__, __LINE__), AnnotateIgnoreWritesBegin(__FILE__, __LINE__),  \
     AnnotateIgnoreSyncBegin(__FILE__, __LINE__))
#define GS__TSAN_IGNORE_END()                                                                      \
    (AnnotateIgnoreSyncEnd(__FILE__, __LINE__), AnnotateIgnoreWritesEnd(__FILE__, __LINE__),       \
     AnnotateIgnoreReadsEnd(__FILE__, __LINE__))
#else
#define GS__TSAN_IGNORE_BEGIN() ((void)0)
#define GS__TSAN_IGNORE_END() ((void)0)
#endif

/* gs_debug_forget's news for the race detector: the locks in [addr, addr + size) are going
 * away (src/annotate.c; nothing outside TSan and valgrind builds). */
#include <stddef.h>

#include "common.h"
GS__HIDDEN void gs__annotate_forget(const void *addr, size_t size);

#endif /* GS_INTERNAL_SANITIZER_H */
