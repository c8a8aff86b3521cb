/* gosync/config.h: version, export and attribute macros shared by every gosync header.
 *
 * Nothing here needs to be included directly: <gosync.h> pulls it in.
 */
#ifndef GOSYNC_CONFIG_H
#define GOSYNC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define GOSYNC_VERSION_MAJOR 0
#define GOSYNC_VERSION_MINOR 1
#define GOSYNC_VERSION_PATCH 0

/* GS_API marks every exported symbol; everything else in the library is hidden. */
#if defined(_WIN32) && defined(GOSYNC_SHARED)
#if defined(GOSYNC_BUILDING)
#define GS_API __declspec(dllexport)
#else
#define GS_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define GS_API __attribute__((visibility("default")))
#else
#define GS_API
#endif

#if defined(__cplusplus)
#define GS_EXTERN_C_BEGIN extern "C" {
#define GS_EXTERN_C_END }
#else
#define GS_EXTERN_C_BEGIN
#define GS_EXTERN_C_END
#endif

/* Clang's -Wthread-safety attributes, empty on every other compiler.
 * In plain C, clang checks them too: declare the data a lock guards with
 * GS_GUARDED_BY(lock) and the functions that need it held with GS_REQUIRES(lock). */
#if defined(__clang__)
#define GS__TSA(x) __attribute__((x))
#else
#define GS__TSA(x)
#endif
#define GS_CAPABILITY(name) GS__TSA(capability(name))
#define GS_GUARDED_BY(x) GS__TSA(guarded_by(x))
#define GS_PT_GUARDED_BY(x) GS__TSA(pt_guarded_by(x))
#define GS_REQUIRES(...) GS__TSA(requires_capability(__VA_ARGS__))
#define GS_REQUIRES_SHARED(...) GS__TSA(requires_shared_capability(__VA_ARGS__))
#define GS_ACQUIRE(...) GS__TSA(acquire_capability(__VA_ARGS__))
#define GS_ACQUIRE_SHARED(...) GS__TSA(acquire_shared_capability(__VA_ARGS__))
#define GS_RELEASE(...) GS__TSA(release_capability(__VA_ARGS__))
#define GS_RELEASE_SHARED(...) GS__TSA(release_shared_capability(__VA_ARGS__))
#define GS_TRY_ACQUIRE(...) GS__TSA(try_acquire_capability(__VA_ARGS__))
#define GS_TRY_ACQUIRE_SHARED(...) GS__TSA(try_acquire_shared_capability(__VA_ARGS__))
#define GS_ASSERT_CAPABILITY(x) GS__TSA(assert_capability(x))
#define GS_ASSERT_SHARED_CAPABILITY(x) GS__TSA(assert_shared_capability(x))
#define GS_EXCLUDES(...) GS__TSA(locks_excluded(__VA_ARGS__))
#define GS_NO_THREAD_SAFETY_ANALYSIS GS__TSA(no_thread_safety_analysis)

/* The header's inline fast paths need the GCC/Clang __atomic builtins (valid in C and C++).
 * Define GS_NO_INLINE to make every call go through the exported functions, and elsewhere
 * the exported functions are used anyway. ThreadSanitizer builds of user code also take the
 * exported functions, so that TSan sees each lock operation as one call. */
#if !defined(GS_NO_INLINE) && defined(__GNUC__)
#if defined(__SANITIZE_THREAD__)
#define GS_NO_INLINE 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GS_NO_INLINE 1
#endif
#endif
#endif
#if !defined(GS_NO_INLINE) && !defined(__GNUC__)
#define GS_NO_INLINE 1
#endif

#if defined(__GNUC__)
#define GS__LIKELY(x) __builtin_expect(!!(x), 1)
#define GS__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define GS__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GS__LIKELY(x) (x)
#define GS__UNLIKELY(x) (x)
#define GS__ALWAYS_INLINE inline
#endif

GS_EXTERN_C_BEGIN
/* "MAJOR.MINOR.PATCH" of the library actually linked (compare with the GOSYNC_VERSION_* macros). */
GS_API const char *gs_version(void);
GS_EXTERN_C_END

#endif /* GOSYNC_CONFIG_H */
