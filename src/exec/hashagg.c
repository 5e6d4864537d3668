/*
 * exec/hashagg.c - streaming hash aggregation (see hashagg.h).
 */
#include "exec/hashagg.h"

#include "base/alloc.h"
#include "base/hash.h"
#include "column/value.h"

#include <math.h>
#include <string.h>

typedef enum mm_class {
    MM_I64,
    MM_I32,
    MM_F64,
    MM_I128,
    MM_BOOL
} mm_class;

typedef struct acc {
    tarn_agg_kind kind;
    tarn_type arg, out;
    int64_t *cnt;    /* values counted per group */
    tarn_i128 *isum; /* SUM/AVG of integers and decimals */
    double *dsum;    /* SUM/AVG of doubles */
    uint8_t *mm;     /* MIN/MAX value per group (16 bytes each) */
    mm_class mc;
} acc;

struct tarn_hagg {
    int n_keys;
    tarn_vec **kstore; /* key values per group, column-wise */
    uint64_t *ghash;   /* hash per group */
    uint64_t *gword;   /* one string key of <= 8 bytes: the bytes as a word, per group */
    int32_t *glen;     /* its length (-1: NULL or no word) */
    int64_t n_groups, cap;
    int64_t *slots; /* group id or -1; size mask + 1 */
    uint64_t mask;
    int n_aggs;
    acc *accs;
    uint64_t *h; /* scratch per batch row */
    int64_t *gid;
    int64_t scratch;
};

#define NULL_HASH 0x5bd1e9955bd1e995ULL

static tarn_status oom(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

bool tarn_hagg_supports(tarn_agg_kind k, bool distinct, tarn_type arg)
{
    if (distinct)
        return false;
    if (k == TARN_AGG_MIN || k == TARN_AGG_MAX)
        return arg.id == TARN_TYPE_INT64 || arg.id == TARN_TYPE_DATE ||
               arg.id == TARN_TYPE_TIMESTAMP || arg.id == TARN_TYPE_TIMESTAMP_NTZ ||
               arg.id == TARN_TYPE_FLOAT64 || arg.id == TARN_TYPE_DECIMAL ||
               arg.id == TARN_TYPE_BOOL || arg.id == TARN_TYPE_TIME;
    return true;
}

static mm_class mm_class_of(tarn_type t)
{
    switch (t.id) {
    case TARN_TYPE_DATE:
        return MM_I32;
    case TARN_TYPE_FLOAT64:
        return MM_F64;
    case TARN_TYPE_DECIMAL:
        return MM_I128;
    case TARN_TYPE_BOOL:
        return MM_BOOL;
    default:
        return MM_I64;
    }
}

tarn_hagg *tarn_hagg_create(const tarn_hagg_spec *spec)
{
    tarn_hagg *h = tarn_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->n_keys = spec->n_keys;
    h->n_aggs = spec->n_aggs;
    h->kstore = tarn_calloc((size_t)spec->n_keys + 1, sizeof *h->kstore);
    h->accs = tarn_calloc((size_t)spec->n_aggs + 1, sizeof *h->accs);
    h->mask = 1023;
    h->slots = tarn_alloc(sizeof(int64_t) * (h->mask + 1));
    if (!h->kstore || !h->accs || !h->slots) {
        tarn_hagg_destroy(h);
        return NULL;
    }
    memset(h->slots, 0xFF, sizeof(int64_t) * (h->mask + 1));
    for (int k = 0; k < spec->n_keys; k++) {
        h->kstore[k] = tarn_vec_create_type(spec->key_types[k]);
        if (!h->kstore[k]) {
            tarn_hagg_destroy(h);
            return NULL;
        }
    }
    for (int a = 0; a < spec->n_aggs; a++) {
        h->accs[a].kind = spec->kinds[a];
        h->accs[a].arg = spec->arg_types[a];
        h->accs[a].out = spec->out_types[a];
        h->accs[a].mc = mm_class_of(spec->arg_types[a]);
    }
    return h;
}

void tarn_hagg_destroy(tarn_hagg *h)
{
    if (!h)
        return;
    for (int k = 0; h->kstore && k < h->n_keys; k++)
        tarn_vec_destroy(h->kstore[k]);
    for (int a = 0; h->accs && a < h->n_aggs; a++) {
        tarn_free(h->accs[a].cnt);
        tarn_free(h->accs[a].isum);
        tarn_free(h->accs[a].dsum);
        tarn_free(h->accs[a].mm);
    }
    tarn_free(h->kstore);
    tarn_free(h->accs);
    tarn_free(h->ghash);
    tarn_free(h->gword);
    tarn_free(h->glen);
    tarn_free(h->slots);
    tarn_free(h->h);
    tarn_free(h->gid);
    tarn_free(h);
}

/* Makes room for cap groups in every per-group array (new entries zero). */
static bool grow_groups(tarn_hagg *h, int64_t need)
{
    if (need <= h->cap)
        return true;
    int64_t cap = h->cap ? h->cap : 256;
    while (cap < need)
        cap *= 2;
#define GROW(p, T)                                                                                 \
    do {                                                                                           \
        T *q = tarn_realloc(p, sizeof(T) * (size_t)cap);                                           \
        if (!q)                                                                                    \
            return false;                                                                          \
        memset(q + h->cap, 0, sizeof(T) * (size_t)(cap - h->cap));                                 \
        p = q;                                                                                     \
    } while (0)
    GROW(h->ghash, uint64_t);
    GROW(h->gword, uint64_t);
    GROW(h->glen, int32_t);
    for (int a = 0; a < h->n_aggs; a++) {
        acc *x = &h->accs[a];
        GROW(x->cnt, int64_t);
        if (x->kind == TARN_AGG_SUM || x->kind == TARN_AGG_AVG) {
            if (x->arg.id == TARN_TYPE_FLOAT64)
                GROW(x->dsum, double);
            else
                GROW(x->isum, tarn_i128);
        } else if (x->kind == TARN_AGG_MIN || x->kind == TARN_AGG_MAX) {
            uint8_t *q = tarn_realloc(x->mm, 16 * (size_t)cap);
            if (!q)
                return false;
            x->mm = q;
        }
    }
#undef GROW
    h->cap = cap;
    return true;
}

/* Doubles the slot table and re-inserts every group by its hash. */
static bool grow_slots(tarn_hagg *h)
{
    uint64_t mask = h->mask * 2 + 1;
    int64_t *slots = tarn_alloc(sizeof(int64_t) * (mask + 1));
    if (!slots)
        return false;
    memset(slots, 0xFF, sizeof(int64_t) * (mask + 1));
    for (int64_t g = 0; g < h->n_groups; g++) {
        uint64_t p = h->ghash[g] & mask;
        while (slots[p] >= 0)
            p = (p + 1) & mask;
        slots[p] = g;
    }
    tarn_free(h->slots);
    h->slots = slots;
    h->mask = mask;
    return true;
}

/* Hash of one key column folded into hv[0..n). */
static void hash_column(const tarn_vec *v, int64_t n, uint64_t *hv)
{
    switch (v->type.id) {
    case TARN_TYPE_INT64:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
    case TARN_TYPE_TIME: {
        const int64_t *d = (const int64_t *)v->data;
        for (int64_t i = 0; i < n; i++)
            hv[i] = tarn_hash_combine(hv[i], tarn_hash_u64((uint64_t)d[i]));
        break;
    }
    case TARN_TYPE_DATE: {
        const int32_t *d = (const int32_t *)v->data;
        for (int64_t i = 0; i < n; i++)
            hv[i] = tarn_hash_combine(hv[i], tarn_hash_u64((uint64_t)(int64_t)d[i]));
        break;
    }
    case TARN_TYPE_FLOAT64: {
        const double *d = (const double *)v->data;
        for (int64_t i = 0; i < n; i++) {
            double x = d[i] == 0 ? 0 : d[i]; /* -0.0 groups with 0.0 */
            uint64_t u;
            memcpy(&u, &x, 8);
            hv[i] = tarn_hash_combine(hv[i], tarn_hash_u64(u));
        }
        break;
    }
    case TARN_TYPE_DECIMAL: {
        for (int64_t i = 0; i < n; i++) {
            tarn_i128 x = tarn_vec_get_decimal(v, i);
            uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
            hv[i] = tarn_hash_combine(hv[i], tarn_hash_u64(lo ^ tarn_hash_u64(hi)));
        }
        break;
    }
    case TARN_TYPE_BOOL:
        for (int64_t i = 0; i < n; i++)
            hv[i] = tarn_hash_combine(hv[i], tarn_vec_get_bool(v, i) ? 0x51 : 0x17);
        break;
    default: { /* strings, binary: short ones hash as one word */
        const int32_t *off = v->offsets;
        for (int64_t i = 0; i < n; i++) {
            int32_t len = off[i + 1] - off[i];
            const uint8_t *p = v->bytes + off[i];
            uint64_t x;
            if (len <= 8) {
                uint64_t w = 0;
                if (off[i] + 8 <= v->bytes_len) { /* one load, masked: no call */
                    memcpy(&w, p, 8);
                    w &= len == 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
                } else {
                    memcpy(&w, p, (size_t)len);
                }
                x = tarn_hash_u64(w ^ ((uint64_t)len << 56) ^ 0x2545F4914F6CDD1DULL);
            } else {
                x = tarn_hash_bytes(p, (size_t)len, 0x2545F4914F6CDD1DULL);
            }
            hv[i] = tarn_hash_combine(hv[i], x);
        }
        break;
    }
    }
    if (v->validity)
        for (int64_t i = 0; i < n; i++)
            if (!tarn_vec_is_valid(v, i))
                hv[i] = tarn_hash_combine(hv[i] * 31, NULL_HASH);
}

/* Row i of a equals row j of b (same type; NULL equals NULL). */
static bool same_value(const tarn_vec *a, int64_t i, const tarn_vec *b, int64_t j)
{
    bool va = tarn_vec_is_valid(a, i), vb = tarn_vec_is_valid(b, j);
    if (!va || !vb)
        return va == vb;
    switch (a->type.id) {
    case TARN_TYPE_INT64:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
    case TARN_TYPE_TIME:
        return tarn_vec_get_i64(a, i) == tarn_vec_get_i64(b, j);
    case TARN_TYPE_DATE:
        return tarn_vec_get_i32(a, i) == tarn_vec_get_i32(b, j);
    case TARN_TYPE_FLOAT64:
        return tarn_vec_get_f64(a, i) == tarn_vec_get_f64(b, j) ||
               (isnan(tarn_vec_get_f64(a, i)) && isnan(tarn_vec_get_f64(b, j)));
    case TARN_TYPE_DECIMAL:
        return tarn_vec_get_decimal(a, i) == tarn_vec_get_decimal(b, j);
    case TARN_TYPE_BOOL:
        return tarn_vec_get_bool(a, i) == tarn_vec_get_bool(b, j);
    default: {
        int32_t la, lb;
        const uint8_t *p = tarn_vec_get_bytes(a, i, &la), *q = tarn_vec_get_bytes(b, j, &lb);
        if (la != lb)
            return false;
        if (la <= 8) { /* short strings: one word compare, no call */
            uint64_t x = 0, y = 0;
            memcpy(&x, p, (size_t)la);
            memcpy(&y, q, (size_t)la);
            return x == y;
        }
        return memcmp(p, q, (size_t)la) == 0;
    }
    }
}

static bool keys_match(tarn_hagg *h, tarn_vec *const *keys, int64_t i, int64_t g)
{
    for (int k = 0; k < h->n_keys; k++)
        if (!same_value(keys[k], i, h->kstore[k], g))
            return false;
    return true;
}

/* The group of row i of keys (hash hv), created when new. */
static tarn_status find_group(tarn_hagg *h, tarn_vec *const *keys, int64_t i, uint64_t hv,
                              int64_t *out, tarn_err *err)
{
    uint64_t p = hv & h->mask;
    for (;;) {
        int64_t g = h->slots[p];
        if (g < 0)
            break;
        if (h->ghash[g] == hv && keys_match(h, keys, i, g)) {
            *out = g;
            return TARN_OK;
        }
        p = (p + 1) & h->mask;
    }
    if (!grow_groups(h, h->n_groups + 1))
        return oom(err);
    int64_t g = h->n_groups++;
    h->ghash[g] = hv;
    for (int k = 0; k < h->n_keys; k++)
        if (tarn_vec_append_range(h->kstore[k], keys[k], i, 1) != TARN_OK)
            return oom(err);
    h->slots[p] = g;
    h->glen[g] = -1;
    const tarn_vec *k0 = h->kstore[0];
    if (h->n_keys == 1 && k0->type.id == TARN_TYPE_STRING && tarn_vec_is_valid(k0, g)) {
        int32_t len;
        const uint8_t *s = tarn_vec_get_bytes(k0, g, &len);
        uint64_t w = 0;
        memcpy(&w, s, (size_t)(len < 8 ? len : 8));
        h->gword[g] = w;
        h->glen[g] = len;
    }
    if ((uint64_t)h->n_groups * 2 > h->mask && !grow_slots(h))
        return oom(err);
    *out = g;
    return TARN_OK;
}

/* MIN/MAX: keeps x in slot g when better (cnt[g] == 0: first value). */
#define MM_UPDATE(T, x)                                                                            \
    do {                                                                                           \
        T *slot = (T *)(void *)(c->mm + 16 * g);                                                   \
        if (c->cnt[g] == 0 || (is_min ? (x) < *slot : (x) > *slot))                                \
            *slot = (x);                                                                           \
    } while (0)

static void update_acc(acc *c, const tarn_vec *arg, const int64_t *gid, int64_t n)
{
    bool is_min = c->kind == TARN_AGG_MIN;
    bool all = !arg || !arg->validity;
    switch (c->kind) {
    case TARN_AGG_COUNT_STAR:
        for (int64_t i = 0; i < n; i++)
            c->cnt[gid[i]]++;
        return;
    case TARN_AGG_COUNT:
        for (int64_t i = 0; i < n; i++)
            c->cnt[gid[i]] += all || tarn_vec_is_valid(arg, i);
        return;
    case TARN_AGG_SUM:
    case TARN_AGG_AVG:
        if (arg->type.id == TARN_TYPE_FLOAT64) {
            const double *d = (const double *)arg->data;
            for (int64_t i = 0; i < n; i++)
                if (all || tarn_vec_is_valid(arg, i)) {
                    c->dsum[gid[i]] += d[i];
                    c->cnt[gid[i]]++;
                }
        } else if (arg->type.id == TARN_TYPE_DECIMAL) {
            const tarn_i128 *d = (const tarn_i128 *)(const void *)arg->data;
            for (int64_t i = 0; i < n; i++)
                if (all || tarn_vec_is_valid(arg, i)) {
                    c->isum[gid[i]] += d[i];
                    c->cnt[gid[i]]++;
                }
        } else if (arg->type.id == TARN_TYPE_BOOL) {
            for (int64_t i = 0; i < n; i++)
                if (all || tarn_vec_is_valid(arg, i)) {
                    c->isum[gid[i]] += tarn_vec_get_bool(arg, i);
                    c->cnt[gid[i]]++;
                }
        } else {
            const int64_t *d = (const int64_t *)arg->data;
            for (int64_t i = 0; i < n; i++)
                if (all || tarn_vec_is_valid(arg, i)) {
                    c->isum[gid[i]] += d[i];
                    c->cnt[gid[i]]++;
                }
        }
        return;
    default:
        for (int64_t i = 0; i < n; i++) {
            if (!all && !tarn_vec_is_valid(arg, i))
                continue;
            int64_t g = gid[i];
            switch (c->mc) {
            case MM_I64:
                MM_UPDATE(int64_t, tarn_vec_get_i64(arg, i));
                break;
            case MM_I32:
                MM_UPDATE(int32_t, tarn_vec_get_i32(arg, i));
                break;
            case MM_F64:
                MM_UPDATE(double, tarn_vec_get_f64(arg, i));
                break;
            case MM_I128:
                MM_UPDATE(tarn_i128, tarn_vec_get_decimal(arg, i));
                break;
            case MM_BOOL:
                MM_UPDATE(uint8_t, (uint8_t)tarn_vec_get_bool(arg, i));
                break;
            }
            c->cnt[g]++;
        }
        return;
    }
}

/* One string key without NULLs (the common GROUP BY on a text column):
 * keys of up to 16 bytes are looked up first in a small direct-mapped cache
 * of (bytes, length) -> group, so a low-cardinality column is neither hashed
 * nor probed per row; other rows hash as hash_column does (the same value,
 * for merges) and compare inline, short strings as one word. */
static tarn_status add_one_string_key(tarn_hagg *h, tarn_vec *const *keys, int64_t n, tarn_err *err)
{
    const tarn_vec *k0 = keys[0], *store = h->kstore[0];
    const int32_t *off = k0->offsets;
    struct {
        uint64_t w0, w1;
        int32_t len;
        int64_t g;
    } cache[64];
    for (int c = 0; c < 64; c++)
        cache[c].len = -1;
    for (int64_t i = 0; i < n; i++) {
        int32_t len = off[i + 1] - off[i];
        const uint8_t *p = k0->bytes + off[i];
        uint64_t w0 = 0, w1 = 0;
        int ci = -1;
        if (len <= 16) {
            if (off[i] + 16 <= k0->bytes_len) { /* two loads, masked: no call */
                memcpy(&w0, p, 8);
                memcpy(&w1, p + 8, 8);
                if (len < 8) {
                    w0 &= (1ULL << (8 * len)) - 1;
                    w1 = 0;
                } else if (len < 16) {
                    w1 &= (1ULL << (8 * (len - 8))) - 1;
                }
            } else {
                memcpy(&w0, p, (size_t)(len < 8 ? len : 8));
                if (len > 8)
                    memcpy(&w1, p + 8, (size_t)(len - 8));
            }
            ci = (int)(((w0 * 0x9E3779B97F4A7C15ULL) ^ (w1 * 0xC2B2AE3D27D4EB4FULL) ^
                        (uint64_t)len) >>
                       58);
            if (cache[ci].len == len && cache[ci].w0 == w0 && cache[ci].w1 == w1) {
                h->gid[i] = cache[ci].g;
                continue;
            }
        }
        uint64_t x = len <= 8 ? tarn_hash_u64(w0 ^ ((uint64_t)len << 56) ^ 0x2545F4914F6CDD1DULL)
                              : tarn_hash_bytes(p, (size_t)len, 0x2545F4914F6CDD1DULL);
        uint64_t hv = tarn_hash_combine(0, x), pos = hv & h->mask;
        int64_t g;
        for (;;) {
            g = h->slots[pos];
            if (g < 0)
                break;
            if (h->ghash[g] == hv && h->glen[g] == len &&
                (len <= 8 ? h->gword[g] == w0
                          : memcmp(store->bytes + store->offsets[g], p, (size_t)len) == 0))
                break;
            pos = (pos + 1) & h->mask;
        }
        if (g < 0)
            TARN_TRY(find_group(h, keys, i, hv, &g, err));
        h->gid[i] = g;
        if (ci >= 0) {
            cache[ci].w0 = w0;
            cache[ci].w1 = w1;
            cache[ci].len = len;
            cache[ci].g = g;
        }
    }
    return TARN_OK;
}

tarn_status tarn_hagg_add(tarn_hagg *h, tarn_vec *const *keys, tarn_vec *const *args, int64_t n,
                          tarn_err *err)
{
    if (n > h->scratch) {
        tarn_free(h->h);
        tarn_free(h->gid);
        h->h = tarn_alloc(sizeof(uint64_t) * (size_t)n);
        h->gid = tarn_alloc(sizeof(int64_t) * (size_t)n);
        h->scratch = n;
        if (!h->h || !h->gid) {
            h->scratch = 0;
            return oom(err);
        }
    }
    if (h->n_keys == 0) {
        if (!grow_groups(h, 1))
            return oom(err);
        h->n_groups = 1;
        memset(h->gid, 0, sizeof(int64_t) * (size_t)n);
    } else {
        /* Runs of equal hashes (sorted or low-cardinality input) reuse the
         * previous row's group after one key comparison. */
        int64_t last = -1;
        const tarn_vec *k0 = keys[0];
        bool one_str = h->n_keys == 1 && k0->type.id == TARN_TYPE_STRING && !k0->validity;
        if (!one_str) {
            memset(h->h, 0, sizeof(uint64_t) * (size_t)n);
            for (int k = 0; k < h->n_keys; k++)
                hash_column(keys[k], n, h->h);
        }
        if (one_str) {
            TARN_TRY(add_one_string_key(h, keys, n, err));
        } else if (h->n_keys == 1 && k0->type.id == TARN_TYPE_INT64 && !k0->validity) {
            const int64_t *d = (const int64_t *)k0->data;
            const tarn_vec *store = h->kstore[0];
            for (int64_t i = 0; i < n; i++) {
                uint64_t hv = h->h[i], pos = hv & h->mask;
                int64_t g;
                for (;;) {
                    g = h->slots[pos];
                    if (g < 0)
                        break;
                    if (h->ghash[g] == hv && tarn_vec_is_valid(store, g) &&
                        ((const int64_t *)store->data)[g] == d[i])
                        break;
                    pos = (pos + 1) & h->mask;
                }
                if (g < 0)
                    TARN_TRY(find_group(h, keys, i, hv, &g, err));
                h->gid[i] = g;
            }
        }
        for (int64_t i = 0;
             i < n && !(h->n_keys == 1 && !k0->validity &&
                        (k0->type.id == TARN_TYPE_STRING || k0->type.id == TARN_TYPE_INT64));
             i++) {
            if (last >= 0 && h->h[i] == h->ghash[last] && keys_match(h, keys, i, last)) {
                h->gid[i] = last;
                continue;
            }
            TARN_TRY(find_group(h, keys, i, h->h[i], &h->gid[i], err));
            last = h->gid[i];
        }
    }
    for (int a = 0; a < h->n_aggs; a++)
        update_acc(&h->accs[a], args[a], h->gid, n);
    return TARN_OK;
}

tarn_status tarn_hagg_merge(tarn_hagg *dst, const tarn_hagg *src, tarn_err *err)
{
    int64_t *map = tarn_alloc(sizeof(int64_t) * (size_t)(src->n_groups + 1));
    if (!map)
        return oom(err);
    for (int64_t g = 0; g < src->n_groups; g++) {
        tarn_status st;
        if (dst->n_keys == 0) {
            st = grow_groups(dst, 1) ? TARN_OK : oom(err);
            dst->n_groups = 1;
            map[g] = 0;
        } else {
            st = find_group(dst, src->kstore, g, src->ghash[g], &map[g], err);
        }
        if (st != TARN_OK) {
            tarn_free(map);
            return st;
        }
    }
    for (int a = 0; a < dst->n_aggs; a++) {
        acc *d = &dst->accs[a];
        const acc *s = &src->accs[a];
        bool is_min = d->kind == TARN_AGG_MIN;
        for (int64_t g0 = 0; g0 < src->n_groups; g0++) {
            int64_t g = map[g0];
            if (d->kind == TARN_AGG_MIN || d->kind == TARN_AGG_MAX) {
                if (s->cnt[g0] == 0)
                    continue;
                acc *c = d;
                const uint8_t *v = s->mm + 16 * g0;
                switch (d->mc) {
                case MM_I64:
                    MM_UPDATE(int64_t, *(const int64_t *)(const void *)v);
                    break;
                case MM_I32:
                    MM_UPDATE(int32_t, *(const int32_t *)(const void *)v);
                    break;
                case MM_F64:
                    MM_UPDATE(double, *(const double *)(const void *)v);
                    break;
                case MM_I128:
                    MM_UPDATE(tarn_i128, *(const tarn_i128 *)(const void *)v);
                    break;
                case MM_BOOL:
                    MM_UPDATE(uint8_t, *v);
                    break;
                }
            } else if (d->dsum) {
                d->dsum[g] += s->dsum[g0];
            } else if (d->isum) {
                d->isum[g] += s->isum[g0];
            }
            d->cnt[g] += s->cnt[g0];
        }
    }
    tarn_free(map);
    return TARN_OK;
}

static tarn_status finish_acc(const acc *c, int64_t ng, tarn_vec *r, tarn_err *err)
{
    if (tarn_vec_reserve(r, ng ? ng : 1) != TARN_OK)
        return oom(err);
    tarn_i128 lim = tarn_pow10_i128(38);
    for (int64_t g = 0; g < ng; g++) {
        tarn_status st;
        if (c->kind == TARN_AGG_COUNT || c->kind == TARN_AGG_COUNT_STAR) {
            st = tarn_vec_append_i64(r, c->cnt[g]);
        } else if (c->cnt[g] == 0) {
            st = tarn_vec_append_null(r);
        } else if (c->kind == TARN_AGG_AVG) {
            double v = c->dsum ? c->dsum[g]
                               : (double)c->isum[g] /
                                     (c->arg.id == TARN_TYPE_DECIMAL ? pow(10, c->arg.scale) : 1.0);
            st = tarn_vec_append_f64(r, v / (double)c->cnt[g]);
        } else if (c->kind == TARN_AGG_SUM) {
            if (c->dsum) {
                st = tarn_vec_append_f64(r, c->dsum[g]);
            } else if (c->out.id == TARN_TYPE_DECIMAL) {
                if (c->isum[g] >= lim || c->isum[g] <= -lim)
                    return tarn_err_set(err, TARN_ERR_DATA, "sum() overflows decimal(38)");
                st = tarn_vec_append_decimal(r, c->isum[g]);
            } else {
                if (c->isum[g] > INT64_MAX || c->isum[g] < INT64_MIN)
                    return tarn_err_set(err, TARN_ERR_DATA, "sum() overflows int64");
                st = tarn_vec_append_i64(r, (int64_t)c->isum[g]);
            }
        } else {
            const uint8_t *v = c->mm + 16 * g;
            switch (c->mc) {
            case MM_I32:
                st = tarn_vec_append_i32(r, *(const int32_t *)(const void *)v);
                break;
            case MM_F64:
                st = tarn_vec_append_f64(r, *(const double *)(const void *)v);
                break;
            case MM_I128:
                st = tarn_vec_append_decimal(r, *(const tarn_i128 *)(const void *)v);
                break;
            case MM_BOOL:
                st = tarn_vec_append_bool(r, *v != 0);
                break;
            default:
                st = tarn_vec_append_i64(r, *(const int64_t *)(const void *)v);
                break;
            }
        }
        if (st != TARN_OK)
            return oom(err);
    }
    return TARN_OK;
}

tarn_status tarn_hagg_finish(tarn_hagg *h, tarn_vec **out, int64_t *n_groups, tarn_err *err)
{
    if (h->n_keys == 0 && h->n_groups == 0) {
        if (!grow_groups(h, 1))
            return oom(err);
        h->n_groups = 1;
    }
    int n = h->n_keys + h->n_aggs;
    memset(out, 0, sizeof *out * (size_t)n);
    for (int k = 0; k < h->n_keys; k++) {
        out[k] = h->kstore[k];
        h->kstore[k] = NULL;
    }
    for (int a = 0; a < h->n_aggs; a++) {
        tarn_vec *r = tarn_vec_create_type(h->accs[a].out);
        tarn_status st = r ? finish_acc(&h->accs[a], h->n_groups, r, err) : oom(err);
        if (st != TARN_OK) {
            tarn_vec_destroy(r);
            for (int k = 0; k < h->n_keys + a; k++) {
                tarn_vec_destroy(out[k]);
                out[k] = NULL;
            }
            return st;
        }
        out[h->n_keys + a] = r;
    }
    *n_groups = h->n_groups;
    return TARN_OK;
}
