/*
 * parquet/encode.c - RLE/bit-packed hybrid, PLAIN, dictionaries and
 * min/max statistics for the Parquet writer.
 *
 * Encoders reserve their worst-case output once and then write with plain
 * stores, so the per-value loops carry no bounds checks. Dictionaries are
 * open-addressing hash tables kept at most half full; fixed-width values are
 * hashed and compared as bit patterns, byte strings by a 32-bit tag first and
 * memcmp second.
 */
#include "parquet/encode.h"

#include "base/alloc.h"
#include "base/hash.h"

#include <math.h>
#include <string.h>

size_t tarn_pq_rle_max_size(int64_t n, int bit_width)
{
    return (size_t)((n + 7) / 8 + 1) * (size_t)(bit_width + 10) + 16;
}

static inline uint8_t *put_varint(uint8_t *o, uint64_t v)
{
    while (v >= 0x80) {
        *o++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *o++ = (uint8_t)v;
    return o;
}

static inline void store_u32le(uint8_t *o, uint32_t v)
{
    o[0] = (uint8_t)v;
    o[1] = (uint8_t)(v >> 8);
    o[2] = (uint8_t)(v >> 16);
    o[3] = (uint8_t)(v >> 24);
}

static inline uint32_t load_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One encoder body for both input widths: T is the element type. Literal
 * values accumulate until a run of 8 or more equal values starts; the
 * literal segment is then padded to a multiple of 8 by borrowing values
 * from the run, and whatever remains of the run (if still 8 or more) is an
 * RLE run. */
#define RLE_ENCODER(NAME, T)                                                                       \
    static uint8_t *NAME##_packed(uint8_t *o, const T *v, int64_t n, int w)                        \
    {                                                                                              \
        int64_t groups = (n + 7) / 8;                                                              \
        o = put_varint(o, (uint64_t)groups << 1 | 1);                                              \
        uint64_t acc = 0;                                                                          \
        int bits = 0;                                                                              \
        for (int64_t i = 0; i < n; i++) {                                                          \
            acc |= (uint64_t)v[i] << bits;                                                         \
            bits += w;                                                                             \
            if (bits >= 32) {                                                                      \
                store_u32le(o, (uint32_t)acc);                                                     \
                o += 4;                                                                            \
                acc >>= 32;                                                                        \
                bits -= 32;                                                                        \
            }                                                                                      \
        }                                                                                          \
        bits += (int)(groups * 8 - n) * w; /* zero padding of the last group */                    \
        while (bits >= 8) {                                                                        \
            *o++ = (uint8_t)acc;                                                                   \
            acc >>= 8;                                                                             \
            bits -= 8;                                                                             \
        }                                                                                          \
        return o;                                                                                  \
    }                                                                                              \
    static uint8_t *NAME##_run(uint8_t *o, uint32_t x, int64_t run, int w)                         \
    {                                                                                              \
        o = put_varint(o, (uint64_t)run << 1);                                                     \
        for (int b = 0; b < (w + 7) / 8; b++)                                                      \
            *o++ = (uint8_t)(x >> (8 * b));                                                        \
        return o;                                                                                  \
    }                                                                                              \
    static tarn_status NAME(const T *v, int64_t n, int w, tarn_buf *out)                           \
    {                                                                                              \
        TARN_TRY(tarn_buf_reserve(out, tarn_pq_rle_max_size(n, w)));                               \
        uint8_t *o = (uint8_t *)out->data + out->len;                                              \
        int64_t lit = 0, i = 0;                                                                    \
        while (i < n) {                                                                            \
            T x = v[i];                                                                            \
            int64_t j = i + 1;                                                                     \
            while (j < n && v[j] == x)                                                             \
                j++;                                                                               \
            int64_t run = j - i;                                                                   \
            if (run >= 8) {                                                                        \
                int64_t nlit = i - lit;                                                            \
                if (nlit > 0) {                                                                    \
                    int64_t pad = (8 - nlit % 8) % 8;                                              \
                    o = NAME##_packed(o, v + lit, nlit + pad, w);                                  \
                    i += pad;                                                                      \
                    run -= pad;                                                                    \
                }                                                                                  \
                if (run >= 8) {                                                                    \
                    o = NAME##_run(o, (uint32_t)x, run, w);                                        \
                    lit = j;                                                                       \
                } else {                                                                           \
                    lit = i;                                                                       \
                }                                                                                  \
            }                                                                                      \
            i = j;                                                                                 \
        }                                                                                          \
        if (n - lit > 0)                                                                           \
            o = NAME##_packed(o, v + lit, n - lit, w);                                             \
        out->len = (size_t)(o - (uint8_t *)out->data);                                             \
        out->data[out->len] = '\0';                                                                \
        return TARN_OK;                                                                            \
    }

RLE_ENCODER(rle_u8, uint8_t)
RLE_ENCODER(rle_u32, uint32_t)

tarn_status tarn_pq_rle_encode_u8(const uint8_t *v, int64_t n, int bit_width, tarn_buf *out)
{
    return rle_u8(v, n, bit_width, out);
}

tarn_status tarn_pq_rle_encode_u32(const uint32_t *v, int64_t n, int bit_width, tarn_buf *out)
{
    return rle_u32(v, n, bit_width, out);
}

static tarn_status rle_corrupt(tarn_err *err, const char *what, size_t at)
{
    tarn_err_set(err, TARN_ERR_CORRUPT, "RLE/bit-packed data: %s", what);
    return tarn_err_at_offset(err, (int64_t)at);
}

tarn_status tarn_pq_rle_decode_u32(const uint8_t *p, size_t len, int bit_width, uint32_t *out,
                                   int64_t n, tarn_err *err)
{
    size_t pos = 0;
    int64_t k = 0;
    int vbytes = (bit_width + 7) / 8;
    uint64_t mask = bit_width >= 32 ? 0xffffffffu : ((uint64_t)1 << bit_width) - 1;
    while (k < n) {
        uint64_t h = 0;
        int shift = 0;
        for (;;) {
            if (pos >= len || shift > 35)
                return rle_corrupt(err, "truncated run header", pos);
            uint8_t b = p[pos++];
            h |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            if (!(b & 0x80))
                break;
        }
        if (h & 1) {
            int64_t cnt = (int64_t)(h >> 1) * 8;
            size_t nbytes = (size_t)(h >> 1) * (size_t)bit_width;
            if (nbytes > len - pos)
                return rle_corrupt(err, "truncated bit-packed run", pos);
            for (int64_t i = 0; i < cnt && k < n; i++, k++) {
                uint64_t bit = (uint64_t)i * (uint64_t)bit_width;
                uint64_t acc = 0;
                for (int b = 0; b < 5 && (bit >> 3) + (uint64_t)b < nbytes; b++)
                    acc |= (uint64_t)p[pos + (bit >> 3) + (uint64_t)b] << (8 * b);
                out[k] = (uint32_t)((acc >> (bit & 7)) & mask);
            }
            pos += nbytes;
        } else {
            int64_t cnt = (int64_t)(h >> 1);
            if (cnt > n - k)
                return rle_corrupt(err, "run longer than the values left", pos);
            if ((size_t)vbytes > len - pos)
                return rle_corrupt(err, "truncated RLE value", pos);
            uint32_t x = 0;
            for (int b = 0; b < vbytes; b++)
                x |= (uint32_t)p[pos + (size_t)b] << (8 * b);
            pos += (size_t)vbytes;
            for (int64_t i = 0; i < cnt; i++)
                out[k++] = x;
        }
    }
    return TARN_OK;
}

tarn_status tarn_pq_plain_bool(const uint8_t *v, int64_t n, tarn_buf *out)
{
    size_t nb = (size_t)(n + 7) / 8;
    TARN_TRY(tarn_buf_reserve(out, nb));
    uint8_t *o = (uint8_t *)out->data + out->len;
    memset(o, 0, nb);
    for (int64_t i = 0; i < n; i++)
        o[i >> 3] |= (uint8_t)((v[i] & 1) << (i & 7));
    out->len += nb;
    out->data[out->len] = '\0';
    return TARN_OK;
}

int64_t tarn_pq_plain_byte_array_size(const int32_t *offsets, const uint32_t *idx, int64_t n)
{
    if (n <= 0)
        return 0;
    if (!idx)
        return 4 * n + (offsets[n] - offsets[0]);
    int64_t sz = 4 * n;
    for (int64_t k = 0; k < n; k++)
        sz += offsets[idx[k] + 1] - offsets[idx[k]];
    return sz;
}

tarn_status tarn_pq_plain_byte_array(const int32_t *offsets, const uint8_t *bytes,
                                     const uint32_t *idx, int64_t n, tarn_buf *out)
{
    int64_t sz = tarn_pq_plain_byte_array_size(offsets, idx, n);
    TARN_TRY(tarn_buf_reserve(out, (size_t)sz));
    uint8_t *o = (uint8_t *)out->data + out->len;
    for (int64_t k = 0; k < n; k++) {
        int64_t j = idx ? (int64_t)idx[k] : k;
        int32_t s = offsets[j], len = offsets[j + 1] - s;
        store_u32le(o, (uint32_t)len);
        memcpy(o + 4, bytes + s, (size_t)len);
        o += 4 + len;
    }
    out->len += (size_t)sz;
    out->data[out->len] = '\0';
    return TARN_OK;
}

/* Dictionaries ---------------------------------------------------------------- */

#define DICT_MIN_SLOTS 1024

void tarn_pq_dict_init(tarn_pq_dict *d, tarn_pq_dict_kind kind, int width)
{
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->width = kind == TARN_PQ_DICT_FIXED4 ? 4 : kind == TARN_PQ_DICT_FIXED8 ? 8 : width;
    tarn_buf_init(&d->plain);
}

void tarn_pq_dict_fini(tarn_pq_dict *d)
{
    tarn_free(d->slots);
    tarn_free(d->slot_hash);
    tarn_free(d->slot_key);
    tarn_free(d->entry_pos);
    tarn_buf_fini(&d->plain);
    memset(d, 0, sizeof *d);
}

void tarn_pq_dict_reset(tarn_pq_dict *d)
{
    if (d->slots)
        memset(d->slots, 0, (d->mask + 1) * sizeof *d->slots);
    d->n_entries = 0;
    tarn_buf_reset(&d->plain);
}

void tarn_pq_dict_truncate(tarn_pq_dict *d, uint32_t n_entries, size_t plain_len)
{
    d->n_entries = n_entries;
    d->plain.len = plain_len;
    if (d->plain.data)
        d->plain.data[plain_len] = '\0';
}

/* Hash of a BYTE_ARRAY value plus what its slot stores: values of at most
 * 8 bytes are compared as one integer (tag 0x80000000 | length), longer
 * ones by 31 hash bits, length and memcmp. */
static inline uint64_t bytes_hash(const uint8_t *p, uint32_t len, uint32_t *tag, uint64_t *key)
{
    if (len <= 8) {
        uint64_t k = 0;
        memcpy(&k, p, len);
        *key = k;
        *tag = 0x80000000u | len;
        return tarn_hash_u64(k ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL));
    }
    uint64_t h = tarn_hash_bytes(p, len, 0);
    *key = 0;
    *tag = (uint32_t)(h >> 32) & 0x7fffffffu;
    return h;
}

static uint64_t entry_hash(const tarn_pq_dict *d, uint32_t e, uint32_t *tag, uint64_t *key)
{
    const uint8_t *base = (const uint8_t *)d->plain.data;
    switch (d->kind) {
    case TARN_PQ_DICT_FIXED4:
        return tarn_hash_u64(load_u32le(base + 4 * (size_t)e));
    case TARN_PQ_DICT_FIXED8: {
        uint64_t x;
        memcpy(&x, base + 8 * (size_t)e, 8);
        return tarn_hash_u64(x);
    }
    case TARN_PQ_DICT_FLBA: {
        uint64_t h = tarn_hash_bytes(base + (size_t)d->width * e, (size_t)d->width, 0);
        *tag = (uint32_t)(h >> 32);
        return h;
    }
    case TARN_PQ_DICT_BYTES:
    default: {
        uint32_t len;
        const uint8_t *p = tarn_pq_dict_bytes_entry(d, e, &len);
        return bytes_hash(p, len, tag, key);
    }
    }
}

/* Makes sure one more entry keeps the table at most half full. */
static tarn_status dict_grow(tarn_pq_dict *d)
{
    size_t n_slots = d->slots ? d->mask + 1 : 0;
    if (d->slots && (size_t)(d->n_entries + 1) * 2 <= n_slots)
        return TARN_OK;
    size_t ns = n_slots ? n_slots * 2 : DICT_MIN_SLOTS;
    bool tagged = d->kind == TARN_PQ_DICT_BYTES || d->kind == TARN_PQ_DICT_FLBA;
    bool keyed = d->kind == TARN_PQ_DICT_BYTES;
    uint32_t *slots = tarn_calloc(ns, sizeof *slots);
    uint32_t *tags = tagged ? tarn_calloc(ns, sizeof *tags) : NULL;
    uint64_t *keys = keyed ? tarn_calloc(ns, sizeof *keys) : NULL;
    if (!slots || (tagged && !tags) || (keyed && !keys)) {
        tarn_free(slots);
        tarn_free(tags);
        tarn_free(keys);
        return TARN_ERR_NOMEM;
    }
    size_t mask = ns - 1;
    for (uint32_t e = 0; e < d->n_entries; e++) {
        uint32_t tag = 0;
        uint64_t key = 0;
        uint64_t h = entry_hash(d, e, &tag, &key);
        size_t s = (size_t)h & mask;
        while (slots[s])
            s = (s + 1) & mask;
        slots[s] = e + 1;
        if (tags)
            tags[s] = tag;
        if (keys)
            keys[s] = key;
    }
    tarn_free(d->slots);
    tarn_free(d->slot_hash);
    tarn_free(d->slot_key);
    d->slots = slots;
    d->slot_hash = tags;
    d->slot_key = keys;
    d->mask = mask;
    return TARN_OK;
}

/* Fixed 4/8-byte values: T is the unsigned bit-pattern type. */
#define DICT_PUT_FIXED(NAME, T)                                                                    \
    static tarn_status NAME(tarn_pq_dict *d, const uint8_t *vals, int64_t n, int64_t max_bytes,    \
                            uint32_t *out_idx, bool *out_full)                                     \
    {                                                                                              \
        T last = 0;                                                                                \
        uint32_t last_idx = UINT32_MAX;                                                            \
        for (int64_t k = 0; k < n; k++) {                                                          \
            T x;                                                                                   \
            memcpy(&x, vals + k * (int64_t)sizeof(T), sizeof(T));                                  \
            if (x == last && last_idx != UINT32_MAX) {                                             \
                out_idx[k] = last_idx;                                                             \
                continue;                                                                          \
            }                                                                                      \
            size_t s = (size_t)tarn_hash_u64((uint64_t)x) & d->mask;                               \
            const T *ent = (const T *)(const void *)d->plain.data;                                 \
            uint32_t e;                                                                            \
            while ((e = d->slots[s]) != 0 && ent[e - 1] != x)                                      \
                s = (s + 1) & d->mask;                                                             \
            if (!e) {                                                                              \
                if ((int64_t)d->plain.len + (int64_t)sizeof(T) > max_bytes) {                      \
                    *out_full = true;                                                              \
                    return TARN_OK;                                                                \
                }                                                                                  \
                TARN_TRY(tarn_buf_append(&d->plain, &x, sizeof(T)));                               \
                e = ++d->n_entries;                                                                \
                d->slots[s] = e;                                                                   \
                if ((size_t)d->n_entries * 2 > d->mask + 1)                                        \
                    TARN_TRY(dict_grow(d));                                                        \
            }                                                                                      \
            last = x;                                                                              \
            last_idx = e - 1;                                                                      \
            out_idx[k] = e - 1;                                                                    \
        }                                                                                          \
        return TARN_OK;                                                                            \
    }

DICT_PUT_FIXED(dict_put4, uint32_t)
DICT_PUT_FIXED(dict_put8, uint64_t)

static tarn_status dict_put_flba(tarn_pq_dict *d, const uint8_t *vals, int64_t n, int64_t max_bytes,
                                 uint32_t *out_idx, bool *out_full)
{
    size_t w = (size_t)d->width;
    for (int64_t k = 0; k < n; k++) {
        const uint8_t *x = vals + (size_t)k * w;
        uint64_t h = tarn_hash_bytes(x, w, 0);
        uint32_t tag = (uint32_t)(h >> 32);
        size_t s = (size_t)h & d->mask;
        uint32_t e;
        while ((e = d->slots[s]) != 0 &&
               (d->slot_hash[s] != tag || memcmp(d->plain.data + (e - 1) * w, x, w) != 0))
            s = (s + 1) & d->mask;
        if (!e) {
            if ((int64_t)(d->plain.len + w) > max_bytes) {
                *out_full = true;
                return TARN_OK;
            }
            TARN_TRY(tarn_buf_append(&d->plain, x, w));
            e = ++d->n_entries;
            d->slots[s] = e;
            d->slot_hash[s] = tag;
            if ((size_t)d->n_entries * 2 > d->mask + 1)
                TARN_TRY(dict_grow(d));
        }
        out_idx[k] = e - 1;
    }
    return TARN_OK;
}

tarn_status tarn_pq_dict_put_fixed(tarn_pq_dict *d, const uint8_t *vals, int64_t n,
                                   int64_t max_bytes, uint32_t *out_idx, bool *out_full)
{
    *out_full = false;
    if (!d->slots)
        TARN_TRY(dict_grow(d));
    switch (d->kind) {
    case TARN_PQ_DICT_FIXED4:
        return dict_put4(d, vals, n, max_bytes, out_idx, out_full);
    case TARN_PQ_DICT_FIXED8:
        return dict_put8(d, vals, n, max_bytes, out_idx, out_full);
    case TARN_PQ_DICT_FLBA:
        return dict_put_flba(d, vals, n, max_bytes, out_idx, out_full);
    default:
        return TARN_ERR_INTERNAL;
    }
}

static tarn_status dict_add_entry_pos(tarn_pq_dict *d)
{
    if (d->n_entries < d->entry_cap)
        return TARN_OK;
    uint32_t cap = d->entry_cap ? d->entry_cap * 2 : 1024;
    uint32_t *p = tarn_realloc(d->entry_pos, (size_t)cap * sizeof *p);
    if (!p)
        return TARN_ERR_NOMEM;
    d->entry_pos = p;
    d->entry_cap = cap;
    return TARN_OK;
}

tarn_status tarn_pq_dict_put_bytes(tarn_pq_dict *d, const int32_t *offsets, const uint8_t *bytes,
                                   const uint32_t *idx, int64_t n, int64_t max_bytes,
                                   uint32_t *out_idx, bool *out_full)
{
    *out_full = false;
    if (d->kind != TARN_PQ_DICT_BYTES)
        return TARN_ERR_INTERNAL;
    if (!d->slots)
        TARN_TRY(dict_grow(d));
    const uint8_t *last = NULL;
    int32_t last_len = -1;
    uint32_t last_idx = 0;
    uint64_t last_key = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t j = idx ? (int64_t)idx[k] : k;
        int32_t len = offsets[j + 1] - offsets[j];
        const uint8_t *x = bytes + offsets[j];
        uint32_t tag;
        uint64_t key;
        uint64_t h;
        if (len <= 8) { /* short values: one integer compare, no memcmp call */
            key = 0;
            memcpy(&key, x, (size_t)len);
            if (len == last_len && key == last_key) {
                out_idx[k] = last_idx;
                continue;
            }
            h = bytes_hash(x, (uint32_t)len, &tag, &key);
        } else {
            if (len == last_len && memcmp(x, last, (size_t)len) == 0) {
                out_idx[k] = last_idx;
                continue;
            }
            h = bytes_hash(x, (uint32_t)len, &tag, &key);
        }
        size_t s = (size_t)h & d->mask;
        uint32_t e;
        if (len <= 8) {
            while ((e = d->slots[s]) != 0 && (d->slot_hash[s] != tag || d->slot_key[s] != key))
                s = (s + 1) & d->mask;
        } else {
            for (;;) {
                e = d->slots[s];
                if (!e)
                    break;
                if (d->slot_hash[s] == tag) {
                    const uint8_t *ep = (const uint8_t *)d->plain.data + d->entry_pos[e - 1];
                    if (load_u32le(ep) == (uint32_t)len && memcmp(ep + 4, x, (size_t)len) == 0)
                        break;
                }
                s = (s + 1) & d->mask;
            }
        }
        if (!e) {
            if ((int64_t)d->plain.len + 4 + len > max_bytes) {
                *out_full = true;
                return TARN_OK;
            }
            TARN_TRY(dict_add_entry_pos(d));
            TARN_TRY(tarn_buf_reserve(&d->plain, 4 + (size_t)len));
            d->entry_pos[d->n_entries] = (uint32_t)d->plain.len;
            uint8_t lp[4];
            store_u32le(lp, (uint32_t)len);
            tarn_buf_put_unchecked(&d->plain, lp, 4);
            tarn_buf_put_unchecked(&d->plain, x, (size_t)len);
            d->plain.data[d->plain.len] = '\0';
            e = ++d->n_entries;
            d->slots[s] = e;
            d->slot_hash[s] = tag;
            d->slot_key[s] = key;
            if ((size_t)d->n_entries * 2 > d->mask + 1)
                TARN_TRY(dict_grow(d));
        }
        last = x;
        last_len = len;
        last_key = key;
        last_idx = e - 1;
        out_idx[k] = e - 1;
    }
    return TARN_OK;
}

/* Statistics ------------------------------------------------------------------ */

void tarn_pq_minmax_init(tarn_pq_minmax *m, tarn_pq_order order)
{
    m->order = order;
    m->has = false;
    tarn_buf_init(&m->min);
    tarn_buf_init(&m->max);
}

void tarn_pq_minmax_fini(tarn_pq_minmax *m)
{
    tarn_buf_fini(&m->min);
    tarn_buf_fini(&m->max);
    m->has = false;
}

void tarn_pq_minmax_reset(tarn_pq_minmax *m)
{
    tarn_buf_reset(&m->min);
    tarn_buf_reset(&m->max);
    m->has = false;
}

static int cmp_dec_be(const uint8_t *a, const uint8_t *b, size_t n)
{
    if (n == 0)
        return 0;
    if (a[0] != b[0])
        return (int8_t)a[0] < (int8_t)b[0] ? -1 : 1;
    return memcmp(a + 1, b + 1, n - 1);
}

static int cmp_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, TARN_MIN(an, bn));
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

int tarn_pq_order_compare(tarn_pq_order order, const uint8_t *a, size_t an, const uint8_t *b,
                          size_t bn)
{
    switch (order) {
    case TARN_PQ_ORDER_I32: {
        int32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case TARN_PQ_ORDER_U32: {
        uint32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case TARN_PQ_ORDER_I64: {
        int64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case TARN_PQ_ORDER_U64: {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case TARN_PQ_ORDER_F32: {
        float x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case TARN_PQ_ORDER_F64: {
        double x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case TARN_PQ_ORDER_BOOL:
        return (a[0] > b[0]) - (a[0] < b[0]);
    case TARN_PQ_ORDER_DEC_BE:
        return cmp_dec_be(a, b, TARN_MIN(an, bn));
    case TARN_PQ_ORDER_BYTES:
    default:
        return cmp_bytes(a, an, b, bn);
    }
}

static tarn_status set_buf(tarn_buf *b, const void *p, size_t n)
{
    tarn_buf_reset(b);
    return tarn_buf_append(b, p, n);
}

tarn_status tarn_pq_minmax_one(tarn_pq_minmax *m, const uint8_t *p, size_t n)
{
    if (m->order == TARN_PQ_ORDER_F32 || m->order == TARN_PQ_ORDER_F64)
        return tarn_pq_minmax_fixed(m, p, 1, (int)n);
    if (!m->has) {
        TARN_TRY(set_buf(&m->min, p, n));
        TARN_TRY(set_buf(&m->max, p, n));
        m->has = true;
        return TARN_OK;
    }
    if (tarn_pq_order_compare(m->order, p, n, (const uint8_t *)m->min.data, m->min.len) < 0)
        TARN_TRY(set_buf(&m->min, p, n));
    if (tarn_pq_order_compare(m->order, p, n, (const uint8_t *)m->max.data, m->max.len) > 0)
        TARN_TRY(set_buf(&m->max, p, n));
    return TARN_OK;
}

/* Integer min/max over an array: one tight loop the compiler vectorizes. */
#define MINMAX_INT(NAME, T)                                                                        \
    static void NAME(const uint8_t *vals, int64_t n, T *out_min, T *out_max)                       \
    {                                                                                              \
        const T *v = (const T *)(const void *)vals;                                                \
        T lo[4] = {v[0], v[0], v[0], v[0]}, hi[4] = {v[0], v[0], v[0], v[0]};                      \
        int64_t i = 0;                                                                             \
        for (; i + 4 <= n; i += 4) /* four lanes: no loop-carried dependency chain */              \
            for (int l = 0; l < 4; l++) {                                                          \
                lo[l] = v[i + l] < lo[l] ? v[i + l] : lo[l];                                       \
                hi[l] = v[i + l] > hi[l] ? v[i + l] : hi[l];                                       \
            }                                                                                      \
        for (; i < n; i++) {                                                                       \
            lo[0] = v[i] < lo[0] ? v[i] : lo[0];                                                   \
            hi[0] = v[i] > hi[0] ? v[i] : hi[0];                                                   \
        }                                                                                          \
        for (int l = 1; l < 4; l++) {                                                              \
            lo[0] = lo[l] < lo[0] ? lo[l] : lo[0];                                                 \
            hi[0] = hi[l] > hi[0] ? hi[l] : hi[0];                                                 \
        }                                                                                          \
        *out_min = lo[0];                                                                          \
        *out_max = hi[0];                                                                          \
    }

MINMAX_INT(minmax_i32, int32_t)
MINMAX_INT(minmax_u32, uint32_t)
MINMAX_INT(minmax_i64, int64_t)
MINMAX_INT(minmax_u64, uint64_t)

/* Floats: NaN never wins a comparison, so it is skipped by seeding with the
 * first non-NaN value. Returns false when every value is NaN. */
#define MINMAX_FLOAT(NAME, T)                                                                      \
    static bool NAME(const uint8_t *vals, int64_t n, T *out_min, T *out_max)                       \
    {                                                                                              \
        const T *v = (const T *)(const void *)vals;                                                \
        int64_t i = 0;                                                                             \
        while (i < n && isnan(v[i]))                                                               \
            i++;                                                                                   \
        if (i == n)                                                                                \
            return false;                                                                          \
        T lo = v[i], hi = v[i];                                                                    \
        for (; i < n; i++) {                                                                       \
            lo = v[i] < lo ? v[i] : lo;                                                            \
            hi = v[i] > hi ? v[i] : hi;                                                            \
        }                                                                                          \
        if (lo == 0)                                                                               \
            lo = (T)-0.0;                                                                          \
        if (hi == 0)                                                                               \
            hi = (T)0.0;                                                                           \
        *out_min = lo;                                                                             \
        *out_max = hi;                                                                             \
        return true;                                                                               \
    }

MINMAX_FLOAT(minmax_f32, float)
MINMAX_FLOAT(minmax_f64, double)

static tarn_status fold_pair(tarn_pq_minmax *m, const void *lo, const void *hi, size_t n)
{
    if (!m->has) {
        TARN_TRY(set_buf(&m->min, lo, n));
        TARN_TRY(set_buf(&m->max, hi, n));
        m->has = true;
        return TARN_OK;
    }
    if (tarn_pq_order_compare(m->order, lo, n, (const uint8_t *)m->min.data, m->min.len) < 0)
        TARN_TRY(set_buf(&m->min, lo, n));
    if (tarn_pq_order_compare(m->order, hi, n, (const uint8_t *)m->max.data, m->max.len) > 0)
        TARN_TRY(set_buf(&m->max, hi, n));
    return TARN_OK;
}

tarn_status tarn_pq_minmax_fixed(tarn_pq_minmax *m, const uint8_t *vals, int64_t n, int width)
{
    if (n <= 0)
        return TARN_OK;
    switch (m->order) {
    case TARN_PQ_ORDER_I32: {
        int32_t lo, hi;
        minmax_i32(vals, n, &lo, &hi);
        return fold_pair(m, &lo, &hi, 4);
    }
    case TARN_PQ_ORDER_U32: {
        uint32_t lo, hi;
        minmax_u32(vals, n, &lo, &hi);
        return fold_pair(m, &lo, &hi, 4);
    }
    case TARN_PQ_ORDER_I64: {
        int64_t lo, hi;
        minmax_i64(vals, n, &lo, &hi);
        return fold_pair(m, &lo, &hi, 8);
    }
    case TARN_PQ_ORDER_U64: {
        uint64_t lo, hi;
        minmax_u64(vals, n, &lo, &hi);
        return fold_pair(m, &lo, &hi, 8);
    }
    case TARN_PQ_ORDER_F32: {
        float lo, hi;
        if (!minmax_f32(vals, n, &lo, &hi))
            return TARN_OK;
        if (m->has) { /* keep the -0.0 / +0.0 rule across folds */
            float a, b;
            memcpy(&a, m->min.data, 4);
            memcpy(&b, m->max.data, 4);
            lo = a < lo ? a : lo;
            hi = b > hi ? b : hi;
            lo = lo == 0 ? -0.0f : lo;
            hi = hi == 0 ? 0.0f : hi;
            m->has = false;
        }
        return fold_pair(m, &lo, &hi, 4);
    }
    case TARN_PQ_ORDER_F64: {
        double lo, hi;
        if (!minmax_f64(vals, n, &lo, &hi))
            return TARN_OK;
        if (m->has) {
            double a, b;
            memcpy(&a, m->min.data, 8);
            memcpy(&b, m->max.data, 8);
            lo = a < lo ? a : lo;
            hi = b > hi ? b : hi;
            lo = lo == 0 ? -0.0 : lo;
            hi = hi == 0 ? 0.0 : hi;
            m->has = false;
        }
        return fold_pair(m, &lo, &hi, 8);
    }
    case TARN_PQ_ORDER_BOOL: {
        uint8_t lo = 1, hi = 0;
        for (int64_t i = 0; i < n; i++) {
            lo &= vals[i];
            hi |= vals[i];
        }
        return fold_pair(m, &lo, &hi, 1);
    }
    case TARN_PQ_ORDER_DEC_BE:
    case TARN_PQ_ORDER_BYTES:
    default: {
        size_t w = (size_t)width;
        const uint8_t *lo = vals, *hi = vals;
        for (int64_t i = 1; i < n; i++) {
            const uint8_t *x = vals + (size_t)i * w;
            if (tarn_pq_order_compare(m->order, x, w, lo, w) < 0)
                lo = x;
            if (tarn_pq_order_compare(m->order, x, w, hi, w) > 0)
                hi = x;
        }
        return fold_pair(m, lo, hi, w);
    }
    }
}

static tarn_status fold_pair_var(tarn_pq_minmax *m, const uint8_t *lo, size_t lon,
                                 const uint8_t *hi, size_t hin)
{
    if (!m->has) {
        TARN_TRY(set_buf(&m->min, lo, lon));
        TARN_TRY(set_buf(&m->max, hi, hin));
        m->has = true;
        return TARN_OK;
    }
    if (cmp_bytes(lo, lon, (const uint8_t *)m->min.data, m->min.len) < 0)
        TARN_TRY(set_buf(&m->min, lo, lon));
    if (cmp_bytes(hi, hin, (const uint8_t *)m->max.data, m->max.len) > 0)
        TARN_TRY(set_buf(&m->max, hi, hin));
    return TARN_OK;
}

tarn_status tarn_pq_minmax_bytes(tarn_pq_minmax *m, const int32_t *offsets, const uint8_t *bytes,
                                 const uint32_t *idx, int64_t n)
{
    if (n <= 0)
        return TARN_OK;
    int64_t jlo = idx ? idx[0] : 0, jhi = jlo;
    for (int64_t k = 1; k < n; k++) {
        int64_t j = idx ? (int64_t)idx[k] : k;
        const uint8_t *x = bytes + offsets[j];
        size_t xn = (size_t)(offsets[j + 1] - offsets[j]);
        if (cmp_bytes(x, xn, bytes + offsets[jlo], (size_t)(offsets[jlo + 1] - offsets[jlo])) < 0)
            jlo = j;
        else if (cmp_bytes(x, xn, bytes + offsets[jhi], (size_t)(offsets[jhi + 1] - offsets[jhi])) >
                 0)
            jhi = j;
    }
    return fold_pair_var(m, bytes + offsets[jlo], (size_t)(offsets[jlo + 1] - offsets[jlo]),
                         bytes + offsets[jhi], (size_t)(offsets[jhi + 1] - offsets[jhi]));
}

tarn_status tarn_pq_minmax_dict(tarn_pq_minmax *m, const tarn_pq_dict *d)
{
    if (d->n_entries == 0)
        return TARN_OK;
    if (d->kind != TARN_PQ_DICT_BYTES)
        return tarn_pq_minmax_fixed(m, (const uint8_t *)d->plain.data, d->n_entries, d->width);
    uint32_t lon, hin;
    const uint8_t *lo = tarn_pq_dict_bytes_entry(d, 0, &lon), *hi = lo;
    hin = lon;
    for (uint32_t e = 1; e < d->n_entries; e++) {
        uint32_t xn;
        const uint8_t *x = tarn_pq_dict_bytes_entry(d, e, &xn);
        if (cmp_bytes(x, xn, lo, lon) < 0) {
            lo = x;
            lon = xn;
        } else if (cmp_bytes(x, xn, hi, hin) > 0) {
            hi = x;
            hin = xn;
        }
    }
    return fold_pair_var(m, lo, lon, hi, hin);
}

/* Start of the UTF-8 character holding byte i (i itself when ASCII or lead). */
static size_t utf8_char_start(const uint8_t *p, size_t i)
{
    while (i > 0 && (p[i] & 0xc0) == 0x80)
        i--;
    return i;
}

void tarn_pq_truncate_min(const uint8_t *p, size_t n, size_t max_len, bool utf8, uint8_t *out,
                          size_t *out_len)
{
    size_t k = TARN_MIN(n, max_len);
    if (utf8 && k < n)
        k = utf8_char_start(p, k); /* p[k] starts the first character left out */
    memcpy(out, p, k);
    *out_len = k;
}

bool tarn_pq_truncate_max(const uint8_t *p, size_t n, size_t max_len, bool utf8, uint8_t *out,
                          size_t *out_len)
{
    if (n <= max_len) {
        memcpy(out, p, n);
        *out_len = n;
        return true;
    }
    size_t k = max_len;
    if (utf8)
        k = utf8_char_start(p, k);
    /* Find the last byte in p[0..k) that can be incremented: below 0xff, and
     * for UTF-8 an ASCII character below DEL so the result stays valid. */
    while (k > 0) {
        uint8_t c = p[k - 1];
        bool ok = utf8 ? c < 0x7f : c < 0xff;
        if (ok) {
            memcpy(out, p, k);
            out[k - 1] = (uint8_t)(c + 1);
            *out_len = k;
            return true;
        }
        k = utf8 ? utf8_char_start(p, k - 1) : k - 1;
    }
    return false;
}
