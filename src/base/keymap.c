/*
 * base/keymap.c - byte-string hash map (see keymap.h).
 */
#include "base/keymap.h"

#include "base/alloc.h"
#include "base/hash.h"

#include <string.h>

struct tarn_keyslot {
    uint64_t hash;
    uint64_t off; /* into pool */
    uint32_t len;
    bool used;
    int64_t value;
};

void tarn_keymap_init(tarn_keymap *m)
{
    memset(m, 0, sizeof *m);
    tarn_buf_init(&m->pool);
}

void tarn_keymap_fini(tarn_keymap *m)
{
    tarn_free(m->slots);
    tarn_buf_fini(&m->pool);
    memset(m, 0, sizeof *m);
}

static tarn_status grow(tarn_keymap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    tarn_keyslot *ns = tarn_calloc(cap, sizeof *ns);
    if (!ns)
        return TARN_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].used)
            continue;
        size_t j = m->slots[i].hash & (cap - 1);
        while (ns[j].used)
            j = (j + 1) & (cap - 1);
        ns[j] = m->slots[i];
    }
    tarn_free(m->slots);
    m->slots = ns;
    m->cap = cap;
    return TARN_OK;
}

static tarn_keyslot *slot_of(const tarn_keymap *m, const void *key, size_t len, uint64_t h)
{
    size_t j = h & (m->cap - 1);
    while (m->slots[j].used) {
        tarn_keyslot *e = &m->slots[j];
        if (e->hash == h && e->len == len && !memcmp(m->pool.data + e->off, key, len))
            return e;
        j = (j + 1) & (m->cap - 1);
    }
    return &m->slots[j];
}

tarn_status tarn_keymap_upsert(tarn_keymap *m, const void *key, size_t len, int64_t **value,
                               bool *is_new)
{
    if ((m->n + 1) * 10 > m->cap * 7)
        TARN_TRY(grow(m));
    uint64_t h = tarn_hash_bytes(key, len, 0x7a17);
    tarn_keyslot *e = slot_of(m, key, len, h);
    *is_new = !e->used;
    if (!e->used) {
        e->hash = h;
        e->off = m->pool.len;
        e->len = (uint32_t)len;
        e->used = true;
        e->value = -1;
        TARN_TRY(tarn_buf_append(&m->pool, key, len));
        m->n++;
    }
    *value = &e->value;
    return TARN_OK;
}

int64_t *tarn_keymap_find(const tarn_keymap *m, const void *key, size_t len)
{
    if (!m->cap)
        return NULL;
    tarn_keyslot *e = slot_of(m, key, len, tarn_hash_bytes(key, len, 0x7a17));
    return e->used ? &e->value : NULL;
}
