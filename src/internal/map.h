/* src/internal/map.h: a small hash map from nonzero 64-bit keys (addresses, id pairs) to
 * 32-bit values, for the bookkeeping of the debug checker and the race-detector shim.
 * Open addressing, linear probing, backward-shift deletion; key 0 marks an empty slot. Not
 * thread-safe: callers hold their own lock. */
#ifndef GS_INTERNAL_MAP_H
#define GS_INTERNAL_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "book.h"
#include "common.h"

typedef struct {
    uint64_t *keys;
    uint32_t *vals;
    uint32_t cap, n;
} gs__map;

static inline uint64_t gs__hash64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

static inline bool gs__map_get(const gs__map *m, uint64_t key, uint32_t *val) {
    if (m->cap == 0)
        return false;
    uint32_t mask = m->cap - 1;
    for (uint32_t i = (uint32_t)gs__hash64(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key) {
            *val = m->vals[i];
            return true;
        }
        if (m->keys[i] == 0)
            return false;
    }
}

/* Stores key -> val; the table has room (at most half full after the store). */
static inline void gs__map_insert(gs__map *m, uint64_t key, uint32_t val) {
    uint32_t mask = m->cap - 1;
    uint32_t i = (uint32_t)gs__hash64(key) & mask;
    while (m->keys[i] != 0 && m->keys[i] != key)
        i = (i + 1) & mask;
    if (m->keys[i] == 0)
        m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
}

static inline void gs__map_grow(gs__map *m) {
    gs__map old = *m;
    m->cap = old.cap ? 2 * old.cap : 64;
    m->n = 0;
    m->keys = gs__book_calloc(m->cap, sizeof *m->keys);
    m->vals = gs__book_calloc(m->cap, sizeof *m->vals);
    if (m->keys == NULL || m->vals == NULL)
        gs__fatal("out of memory");
    for (uint32_t i = 0; i < old.cap; i++)
        if (old.keys[i])
            gs__map_insert(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
}

static inline void gs__map_put(gs__map *m, uint64_t key, uint32_t val) {
    if (2 * (m->n + 1) > m->cap)
        gs__map_grow(m);
    gs__map_insert(m, key, val);
}

static inline void gs__map_del(gs__map *m, uint64_t key) {
    if (m->cap == 0)
        return;
    uint32_t mask = m->cap - 1;
    uint32_t i = (uint32_t)gs__hash64(key) & mask;
    while (m->keys[i] != key) {
        if (m->keys[i] == 0)
            return;
        i = (i + 1) & mask;
    }
    /* Shift back every later key of the probe run that may not sit past the hole. */
    for (uint32_t j = (i + 1) & mask; m->keys[j] != 0; j = (j + 1) & mask) {
        uint32_t home = (uint32_t)gs__hash64(m->keys[j]) & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            i = j;
        }
    }
    m->keys[i] = 0;
    m->n--;
}

#endif /* GS_INTERNAL_MAP_H */
