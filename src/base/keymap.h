/*
 * base/keymap.h - a hash map from byte strings to int64 values: distinct
 * values, duplicate keys, deduplication. Keys are copied once into one
 * growing pool (no allocation per key); open addressing, linear probing.
 */
#ifndef TARN_BASE_KEYMAP_H
#define TARN_BASE_KEYMAP_H

#include "base/buf.h"

typedef struct tarn_keyslot tarn_keyslot;

typedef struct tarn_keymap {
    tarn_keyslot *slots;
    size_t cap; /* slots (a power of two) */
    size_t n;   /* keys */
    tarn_buf pool;
} tarn_keymap;

void tarn_keymap_init(tarn_keymap *m);
void tarn_keymap_fini(tarn_keymap *m);

/* The value of key, inserting it with value -1 when absent (*is_new
 * true). The pointer is valid until the next upsert. */
TARN_MUST_CHECK tarn_status tarn_keymap_upsert(tarn_keymap *m, const void *key, size_t len,
                                               int64_t **value, bool *is_new);
/* The value of key, or NULL. */
int64_t *tarn_keymap_find(const tarn_keymap *m, const void *key, size_t len);

#endif
