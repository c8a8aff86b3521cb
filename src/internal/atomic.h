/* src/internal/atomic.h: the only way gosync's algorithms touch shared words.
 *
 * Each helper names its memory order, so that every order is visible (and argued) at the
 * call site. The public structs hold plain integers (the header must also be C++); the
 * helpers view them as C11 atomics of the same size and alignment, as every compiler we
 * build with guarantees. Compare-and-swap helpers are strong and, on failure, store the
 * value seen into *expected with relaxed order.
 */
#ifndef GS_INTERNAL_ATOMIC_H
#define GS_INTERNAL_ATOMIC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define GS__A32(p) ((_Atomic uint32_t *)(p))
#define GS__A64(p) ((_Atomic uint64_t *)(p))

#define GS__DEFINE_ATOMICS(bits, type, view)                                                       \
    static inline type gs__load_relaxed##bits(const type *p) {                                     \
        return atomic_load_explicit(view(p), memory_order_relaxed);                                \
    }                                                                                              \
    static inline type gs__load_acquire##bits(const type *p) {                                     \
        return atomic_load_explicit(view(p), memory_order_acquire);                                \
    }                                                                                              \
    static inline void gs__store_relaxed##bits(type *p, type v) {                                  \
        atomic_store_explicit(view(p), v, memory_order_relaxed);                                   \
    }                                                                                              \
    static inline void gs__store_release##bits(type *p, type v) {                                  \
        atomic_store_explicit(view(p), v, memory_order_release);                                   \
    }                                                                                              \
    static inline bool gs__cas_relaxed##bits(type *p, type *expected, type desired) {              \
        return atomic_compare_exchange_strong_explicit(view(p), expected, desired,                 \
                                                       memory_order_relaxed, memory_order_relaxed); \
    }                                                                                              \
    static inline bool gs__cas_acquire##bits(type *p, type *expected, type desired) {              \
        return atomic_compare_exchange_strong_explicit(view(p), expected, desired,                 \
                                                       memory_order_acquire, memory_order_relaxed); \
    }                                                                                              \
    static inline bool gs__cas_release##bits(type *p, type *expected, type desired) {              \
        return atomic_compare_exchange_strong_explicit(view(p), expected, desired,                 \
                                                       memory_order_release, memory_order_relaxed); \
    }                                                                                              \
    static inline bool gs__cas_acq_rel##bits(type *p, type *expected, type desired) {              \
        return atomic_compare_exchange_strong_explicit(view(p), expected, desired,                 \
                                                       memory_order_acq_rel, memory_order_relaxed); \
    }                                                                                              \
    static inline type gs__fetch_add_relaxed##bits(type *p, type v) {                              \
        return atomic_fetch_add_explicit(view(p), v, memory_order_relaxed);                        \
    }                                                                                              \
    static inline type gs__fetch_add_acquire##bits(type *p, type v) {                              \
        return atomic_fetch_add_explicit(view(p), v, memory_order_acquire);                        \
    }                                                                                              \
    static inline type gs__fetch_add_release##bits(type *p, type v) {                              \
        return atomic_fetch_add_explicit(view(p), v, memory_order_release);                        \
    }                                                                                              \
    static inline type gs__fetch_add_acq_rel##bits(type *p, type v) {                              \
        return atomic_fetch_add_explicit(view(p), v, memory_order_acq_rel);                        \
    }                                                                                              \
    static inline type gs__fetch_sub_release##bits(type *p, type v) {                              \
        return atomic_fetch_sub_explicit(view(p), v, memory_order_release);                        \
    }                                                                                              \
    static inline type gs__fetch_sub_acq_rel##bits(type *p, type v) {                              \
        return atomic_fetch_sub_explicit(view(p), v, memory_order_acq_rel);                        \
    }                                                                                              \
    static inline type gs__load_seq_cst##bits(const type *p) {                                     \
        return atomic_load_explicit(view(p), memory_order_seq_cst);                                \
    }                                                                                              \
    static inline void gs__store_seq_cst##bits(type *p, type v) {                                  \
        atomic_store_explicit(view(p), v, memory_order_seq_cst);                                   \
    }                                                                                              \
    static inline bool gs__cas_seq_cst##bits(type *p, type *expected, type desired) {              \
        return atomic_compare_exchange_strong_explicit(view(p), expected, desired,                 \
                                                       memory_order_seq_cst, memory_order_relaxed); \
    }                                                                                              \
    static inline type gs__exchange_acquire##bits(type *p, type v) {                               \
        return atomic_exchange_explicit(view(p), v, memory_order_acquire);                         \
    }                                                                                              \
    static inline type gs__exchange_release##bits(type *p, type v) {                               \
        return atomic_exchange_explicit(view(p), v, memory_order_release);                         \
    }                                                                                              \
    static inline type gs__exchange_acq_rel##bits(type *p, type v) {                               \
        return atomic_exchange_explicit(view(p), v, memory_order_acq_rel);                         \
    }                                                                                              \
    static inline type gs__fetch_or_acquire##bits(type *p, type v) {                               \
        return atomic_fetch_or_explicit(view(p), v, memory_order_acquire);                         \
    }

GS__DEFINE_ATOMICS(32, uint32_t, GS__A32)
GS__DEFINE_ATOMICS(64, uint64_t, GS__A64)

/* The 32-bit half holding bits 32..63 of a 64-bit word: a futex word can be the upper half
 * of a 64-bit state, so that waiters sleep on the bits they wait for. */
static inline uint32_t *gs__upper_half32(uint64_t *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (uint32_t *)p;
#else
    return (uint32_t *)p + 1;
#endif
}

/* A full fence, for the few places that need store->load ordering across two words. */
static inline void gs__fence_seq_cst(void) { atomic_thread_fence(memory_order_seq_cst); }

/* Tells the CPU this is a spin-wait loop (x86 PAUSE, Arm YIELD). */
static inline void gs__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#else
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

#endif /* GS_INTERNAL_ATOMIC_H */
