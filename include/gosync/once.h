/* gosync/once.h: gs_once, Go's sync.Once.
 *
 * The zero value is a Once that has not run; GS_ONCE_INIT spells it. At most 8 bytes.
 *
 * gs_once_do(o, fn, arg) calls fn(arg) if and only if no call of gs_once_do on o has called
 * fn before. Concurrent callers wait until that one call of fn returns; the return of fn
 * synchronizes-before the return of every gs_once_do on o, so everything fn wrote is visible
 * to them. After completion the fast path is one acquire load.
 *
 * A call of gs_once_do on o from inside its own fn (Go: deadlock) is a fatal error:
 * "gosync: recursive Once.Do". If fn leaves by longjmp, the Once counts as done (Go: "if f
 * panics, Do considers it to have returned"); the escape is noticed by the next gs_once_do
 * on o made by the same thread, which then releases any waiters.
 *
 *     static gs_once once;
 *     static struct table *table;
 *     static void init_table(void *arg) { table = build_table(); }
 *
 *     struct table *get_table(void) {
 *         gs_once_do(&once, init_table, NULL);
 *         return table;
 *     }
 */
#ifndef GOSYNC_ONCE_H
#define GOSYNC_ONCE_H

#include "config.h"

GS_EXTERN_C_BEGIN

typedef struct gs_once {
    uint32_t state; /* private: see src/once.c */
    uint32_t owner; /* private */
} gs_once;

#define GS_ONCE_INIT {0, 0}

GS_API void gs_once_do(gs_once *o, void (*fn)(void *arg), void *arg);

GS_EXTERN_C_END

#endif /* GOSYNC_ONCE_H */
