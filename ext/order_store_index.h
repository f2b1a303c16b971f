/* Open-addressing hash indexes for the compiled state core: int64 key -> slot and
 * byte-string key -> slot.  Linear probing with backward-shift deletion (no
 * tombstones, so a store that churns orders for days never degrades).  Buckets
 * are allocated once (at least twice the number of keys, a power of two); nothing
 * here allocates after init, touches Python or needs the GIL.
 *
 * The byte-string index does not copy keys: it keeps each key's hash and slot and
 * compares against the owner's key table (key_base + slot * stride, key_len[slot]),
 * which the owner (order store, instrument registry) keeps for the slot's life.  */
#ifndef ENGINE_ORDER_STORE_INDEX_H
#define ENGINE_ORDER_STORE_INDEX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IX_EMPTY (-1)

static inline uint64_t ix_mix64(uint64_t x)
{
    /* splitmix64 finaliser: spreads sequential ids over the buckets */
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27; x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static inline uint64_t ix_hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed */
    for (size_t i = 0; i < n; i++) { h ^= (uint8_t)p[i]; h *= 0x100000001b3ULL; }
    return ix_mix64(h ^ (uint64_t)n);
}

static inline uint64_t ix_buckets_for(int64_t keys)
{
    uint64_t b = 16;
    while (b < (uint64_t)keys * 2) b <<= 1;
    return b;
}

/* ---- int64 -> slot ---------------------------------------------------- */

typedef struct {
    int64_t *keys;
    int32_t *slots;   /* IX_EMPTY when the bucket is free */
    uint64_t mask;
    int64_t count;
} ix_int_t;

static inline int ix_int_init(ix_int_t *t, int64_t max_keys)
{
    uint64_t n = ix_buckets_for(max_keys);
    t->keys = (int64_t *)calloc(n, sizeof(int64_t));
    t->slots = (int32_t *)malloc(n * sizeof(int32_t));
    if (!t->keys || !t->slots) { free(t->keys); free(t->slots); t->keys = NULL; t->slots = NULL; return -1; }
    for (uint64_t i = 0; i < n; i++) t->slots[i] = IX_EMPTY;
    t->mask = n - 1;
    t->count = 0;
    return 0;
}

static inline void ix_int_free(ix_int_t *t)
{
    free(t->keys); free(t->slots);
    t->keys = NULL; t->slots = NULL;
}

static inline int32_t ix_int_find(const ix_int_t *t, int64_t key)
{
    uint64_t i = ix_mix64((uint64_t)key) & t->mask;
    for (;;) {
        int32_t s = t->slots[i];
        if (s == IX_EMPTY) return -1;
        if (t->keys[i] == key) return s;
        i = (i + 1) & t->mask;
    }
}

/* 0 inserted, 1 key already present (its slot in *existing), -1 table full. */
static inline int ix_int_insert(ix_int_t *t, int64_t key, int32_t slot, int32_t *existing)
{
    if ((uint64_t)t->count >= t->mask) return -1;
    uint64_t i = ix_mix64((uint64_t)key) & t->mask;
    for (;;) {
        int32_t s = t->slots[i];
        if (s == IX_EMPTY) { t->keys[i] = key; t->slots[i] = slot; t->count++; return 0; }
        if (t->keys[i] == key) { *existing = s; return 1; }
        i = (i + 1) & t->mask;
    }
}

/* Remove key if it maps to slot; 0 removed, -1 not there. */
static inline int ix_int_remove(ix_int_t *t, int64_t key, int32_t slot)
{
    uint64_t i = ix_mix64((uint64_t)key) & t->mask;
    for (;;) {
        int32_t s = t->slots[i];
        if (s == IX_EMPTY) return -1;
        if (t->keys[i] == key) { if (s != slot) return -1; break; }
        i = (i + 1) & t->mask;
    }
    uint64_t j = i;
    for (;;) { /* backward shift: pull later members of the cluster into the hole */
        j = (j + 1) & t->mask;
        if (t->slots[j] == IX_EMPTY) break;
        uint64_t home = ix_mix64((uint64_t)t->keys[j]) & t->mask;
        int stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        t->keys[i] = t->keys[j]; t->slots[i] = t->slots[j];
        i = j;
    }
    t->slots[i] = IX_EMPTY;
    t->count--;
    return 0;
}

/* ---- bytes -> slot (keys live in the owner's table) ------------------- */

typedef struct {
    uint64_t *hashes;
    int32_t *slots;
    uint64_t mask;
    int64_t count;
    const char *key_base;    /* owner's keys: key_base + slot * stride */
    const uint8_t *key_len;  /* owner's key lengths, per slot */
    size_t stride;
} ix_str_t;

static inline int ix_str_init(ix_str_t *t, int64_t max_keys, const char *key_base, const uint8_t *key_len, size_t stride)
{
    uint64_t n = ix_buckets_for(max_keys);
    t->hashes = (uint64_t *)calloc(n, sizeof(uint64_t));
    t->slots = (int32_t *)malloc(n * sizeof(int32_t));
    if (!t->hashes || !t->slots) { free(t->hashes); free(t->slots); t->hashes = NULL; t->slots = NULL; return -1; }
    for (uint64_t i = 0; i < n; i++) t->slots[i] = IX_EMPTY;
    t->mask = n - 1;
    t->count = 0;
    t->key_base = key_base;
    t->key_len = key_len;
    t->stride = stride;
    return 0;
}

static inline void ix_str_free(ix_str_t *t)
{
    free(t->hashes); free(t->slots);
    t->hashes = NULL; t->slots = NULL;
}

static inline int ix_str_eq(const ix_str_t *t, int32_t slot, const char *p, size_t n)
{
    return t->key_len[slot] == n && memcmp(t->key_base + (size_t)slot * t->stride, p, n) == 0;
}

static inline int32_t ix_str_find(const ix_str_t *t, const char *p, size_t n)
{
    uint64_t h = ix_hash_bytes(p, n), i = h & t->mask;
    for (;;) {
        int32_t s = t->slots[i];
        if (s == IX_EMPTY) return -1;
        if (t->hashes[i] == h && ix_str_eq(t, s, p, n)) return s;
        i = (i + 1) & t->mask;
    }
}

/* Index slot under the key already stored in the owner's table for that slot.
 * 0 inserted, 1 key already present (its slot in *existing), -1 table full. */
static inline int ix_str_insert(ix_str_t *t, int32_t slot, int32_t *existing)
{
    const char *p = t->key_base + (size_t)slot * t->stride;
    size_t n = t->key_len[slot];
    if ((uint64_t)t->count >= t->mask) return -1;
    uint64_t h = ix_hash_bytes(p, n), i = h & t->mask;
    for (;;) {
        int32_t s = t->slots[i];
        if (s == IX_EMPTY) { t->hashes[i] = h; t->slots[i] = slot; t->count++; return 0; }
        if (t->hashes[i] == h && ix_str_eq(t, s, p, n)) { *existing = s; return 1; }
        i = (i + 1) & t->mask;
    }
}

/* Remove the entry for slot (keyed by the slot's stored key); 0 removed, -1 not there. */
static inline int ix_str_remove(ix_str_t *t, int32_t slot)
{
    const char *p = t->key_base + (size_t)slot * t->stride;
    size_t n = t->key_len[slot];
    uint64_t h = ix_hash_bytes(p, n), i = h & t->mask;
    for (;;) {
        int32_t s = t->slots[i];
        if (s == IX_EMPTY) return -1;
        if (s == slot) break;
        i = (i + 1) & t->mask;
    }
    uint64_t j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        if (t->slots[j] == IX_EMPTY) break;
        uint64_t home = t->hashes[j] & t->mask;
        int stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        t->hashes[i] = t->hashes[j]; t->slots[i] = t->slots[j];
        i = j;
    }
    t->slots[i] = IX_EMPTY;
    t->count--;
    return 0;
}

#endif
