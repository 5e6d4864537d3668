/*
 * exec/rel.c - grouping, aggregation, joins, sorting and gathering over
 * whole columns (see rel.h).
 */
#include "exec/rel.h"

#include "base/alloc.h"
#include "column/keyindex.h"
#include "column/scalar.h"
#include "column/value.h"

#include <math.h>
#include <string.h>

static tarn_status oom(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

/* A batch over borrowed key vectors (keyindex reads only cols and n_rows). */
static tarn_batch key_batch(tarn_vec *const *keys, int nk, int64_t n)
{
    tarn_batch b = {NULL, nk, (tarn_vec **)keys, n};
    return b;
}

/* A repeated key keeps its first row, so groups number in order of first
 * appearance. */
static bool keep_first(void *ctx, int64_t incoming, int64_t kept)
{
    (void)ctx;
    (void)incoming;
    (void)kept;
    return false;
}

static const int key_cols[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

tarn_status tarn_rel_group(tarn_vec *const *keys, int nk, int64_t n, int64_t *gid,
                           int64_t *n_groups, int64_t **first_row, tarn_err *err)
{
    *first_row = NULL;
    *n_groups = 0;
    if (nk > 16)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "more than 16 GROUP BY keys");
    if (nk == 0) {
        memset(gid, 0, sizeof *gid * (size_t)n);
        *first_row = tarn_calloc(1, sizeof(int64_t));
        if (!*first_row)
            return oom(err);
        *n_groups = n > 0 ? 1 : 0;
        return TARN_OK;
    }
    tarn_batch b = key_batch(keys, nk, n);
    tarn_keyindex *x = NULL;
    tarn_status st = tarn_keyindex_build(&b, key_cols, nk, keep_first, NULL, NULL, &x, err);
    if (st == TARN_OK)
        st = tarn_keyindex_probe(x, &b, key_cols, gid, err);
    int64_t ng = x ? tarn_keyindex_keys(x) : 0;
    tarn_keyindex_destroy(x);
    if (st != TARN_OK)
        return st;
    /* gid[i] holds the kept row of i's key; number them by first use. */
    int64_t *dense = tarn_alloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    int64_t *first = tarn_alloc(sizeof(int64_t) * (size_t)(ng ? ng : 1));
    if (!dense || !first) {
        tarn_free(dense);
        tarn_free(first);
        return oom(err);
    }
    int64_t next = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = gid[i];
        if (k == i) {
            dense[i] = next;
            first[next++] = i;
        }
    }
    for (int64_t i = 0; i < n; i++)
        gid[i] = dense[gid[i]];
    tarn_free(dense);
    *first_row = first;
    *n_groups = next;
    return TARN_OK;
}

/* Aggregates ------------------------------------------------------------------ */

tarn_status tarn_agg_type(tarn_agg_kind k, tarn_type t, tarn_type *out, tarn_err *err)
{
    char name[64];
    switch (k) {
    case TARN_AGG_COUNT_STAR:
    case TARN_AGG_COUNT:
        *out = tarn_type_make(TARN_TYPE_INT64);
        return TARN_OK;
    case TARN_AGG_SUM:
    case TARN_AGG_AVG:
        if (t.id == TARN_TYPE_INT64 || t.id == TARN_TYPE_BOOL || t.id == TARN_TYPE_NULL)
            *out = tarn_type_make(k == TARN_AGG_SUM ? TARN_TYPE_INT64 : TARN_TYPE_FLOAT64);
        else if (t.id == TARN_TYPE_DECIMAL)
            *out = k == TARN_AGG_SUM ? tarn_type_decimal(38, t.scale)
                                     : tarn_type_make(TARN_TYPE_FLOAT64);
        else if (t.id == TARN_TYPE_FLOAT64)
            *out = t;
        else
            return tarn_err_set(err, TARN_ERR_INVALID, "%s() does not apply to %s",
                                k == TARN_AGG_SUM ? "sum" : "avg",
                                tarn_type_name(t, name, sizeof name));
        return TARN_OK;
    default:
        if (tarn_type_is_nested(t.id))
            return tarn_err_set(err, TARN_ERR_INVALID, "min/max do not apply to %s",
                                tarn_type_name(t, name, sizeof name));
        *out = t;
        return TARN_OK;
    }
}

/* Compares rows i of a and j of b (same flat engine type, both non-null). */
int tarn_rel_cmp_rows(const tarn_vec *a, int64_t i, const tarn_vec *b, int64_t j)
{
    switch (a->type.id) {
    case TARN_TYPE_BOOL: {
        int x = tarn_vec_get_bool(a, i), y = tarn_vec_get_bool(b, j);
        return (x > y) - (x < y);
    }
    case TARN_TYPE_INT64:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
    case TARN_TYPE_TIME: {
        int64_t x = tarn_vec_get_i64(a, i), y = tarn_vec_get_i64(b, j);
        return (x > y) - (x < y);
    }
    case TARN_TYPE_DATE: {
        int32_t x = tarn_vec_get_i32(a, i), y = tarn_vec_get_i32(b, j);
        return (x > y) - (x < y);
    }
    case TARN_TYPE_FLOAT64: {
        double x = tarn_vec_get_f64(a, i), y = tarn_vec_get_f64(b, j);
        if (isnan(x) || isnan(y))
            return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    case TARN_TYPE_DECIMAL: {
        tarn_i128 x = tarn_vec_get_decimal(a, i), y = tarn_vec_get_decimal(b, j);
        return (x > y) - (x < y);
    }
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
        return tarn_vec_cmp_bytes(a, i, b, j);
    default: {
        tarn_scalar x, y;
        tarn_scalar_from_vec(a, i, &x);
        tarn_scalar_from_vec(b, j, &y);
        return tarn_scalar_compare(&x, &y);
    }
    }
}

/* Marks, per row, whether it is the first of its (group, value) pair. */
static tarn_status distinct_mask(const tarn_vec *arg, const int64_t *gid, int64_t n, uint8_t *keep,
                                 tarn_err *err)
{
    tarn_vec *g = tarn_vec_create_type(tarn_type_make(TARN_TYPE_INT64));
    if (!g || tarn_vec_reserve(g, n ? n : 1) != TARN_OK) {
        tarn_vec_destroy(g);
        return oom(err);
    }
    memcpy(g->data, gid, sizeof(int64_t) * (size_t)n);
    g->len = n;
    tarn_vec *keys[2] = {g, (tarn_vec *)arg};
    int64_t *rep = tarn_alloc(sizeof(int64_t) * (size_t)(n ? n : 1)), ng = 0, *first = NULL;
    tarn_status st = rep ? tarn_rel_group(keys, 2, n, rep, &ng, &first, err) : oom(err);
    if (st == TARN_OK) {
        memset(keep, 0, (size_t)n);
        for (int64_t k = 0; k < ng; k++)
            keep[first[k]] = 1;
    }
    tarn_free(first);
    tarn_free(rep);
    tarn_vec_destroy(g);
    return st;
}

static tarn_status sum_overflow(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_DATA, "sum() overflows its result type");
}

tarn_status tarn_agg_compute(tarn_agg_kind k, bool distinct, const tarn_vec *arg,
                             const int64_t *gid, int64_t n, int64_t n_groups, tarn_type out_type,
                             tarn_vec **out, tarn_err *err)
{
    *out = NULL;
    uint8_t *keep = NULL;
    if (distinct && arg) {
        keep = tarn_alloc((size_t)(n ? n : 1));
        if (!keep)
            return oom(err);
        tarn_status st = distinct_mask(arg, gid, n, keep, err);
        if (st != TARN_OK) {
            tarn_free(keep);
            return st;
        }
    }
    int64_t *cnt = tarn_calloc((size_t)(n_groups ? n_groups : 1), sizeof(int64_t));
    tarn_vec *r = tarn_vec_create_type(out_type);
    tarn_status st = TARN_OK;
    if (!cnt || !r || tarn_vec_reserve(r, n_groups ? n_groups : 1) != TARN_OK) {
        st = oom(err);
        goto done;
    }
    if (tarn_type_width(out_type) > 0) /* strings (min/max) have no fixed-width data */
        memset(r->data, 0, (size_t)tarn_type_width(out_type) * (size_t)(n_groups ? n_groups : 1));
    r->len = n_groups;
    /* Rows that count: valid (and first of their value with DISTINCT). */
#define COUNTS(i) ((!arg || tarn_vec_is_valid(arg, i)) && (!keep || keep[i]))
    switch (k) {
    case TARN_AGG_COUNT_STAR:
    case TARN_AGG_COUNT: {
        int64_t *o = (int64_t *)r->data;
        if (!arg || (!arg->validity && !keep)) {
            for (int64_t i = 0; i < n; i++)
                o[gid[i]]++;
        } else {
            for (int64_t i = 0; i < n; i++)
                o[gid[i]] += COUNTS(i);
        }
        goto done;
    }
    case TARN_AGG_SUM:
    case TARN_AGG_AVG:
        if (arg->type.id == TARN_TYPE_INT64 || arg->type.id == TARN_TYPE_BOOL) {
            bool bad = false;
            int64_t *s = k == TARN_AGG_SUM ? (int64_t *)r->data
                                           : tarn_calloc((size_t)(n_groups + 1), sizeof(int64_t));
            if (!s) {
                st = oom(err);
                goto done;
            }
            bool is_bool = arg->type.id == TARN_TYPE_BOOL;
            for (int64_t i = 0; i < n; i++) {
                if (!COUNTS(i))
                    continue;
                int64_t x = is_bool ? tarn_vec_get_bool(arg, i) : tarn_vec_get_i64(arg, i);
                bad |= __builtin_add_overflow(s[gid[i]], x, &s[gid[i]]);
                cnt[gid[i]]++;
            }
            if (k == TARN_AGG_AVG) {
                for (int64_t g = 0; g < n_groups; g++)
                    ((double *)r->data)[g] = cnt[g] ? (double)s[g] / (double)cnt[g] : 0;
                tarn_free(s);
            }
            if (bad) {
                st = sum_overflow(err);
                goto done;
            }
        } else if (arg->type.id == TARN_TYPE_DECIMAL) {
            tarn_i128 *s = k == TARN_AGG_SUM
                               ? (tarn_i128 *)r->data
                               : tarn_calloc((size_t)(n_groups + 1), sizeof(tarn_i128));
            if (!s) {
                st = oom(err);
                goto done;
            }
            bool bad = false;
            tarn_i128 lim = tarn_pow10_i128(38);
            for (int64_t i = 0; i < n; i++) {
                if (!COUNTS(i))
                    continue;
                bad |= __builtin_add_overflow(s[gid[i]], tarn_vec_get_decimal(arg, i), &s[gid[i]]);
                cnt[gid[i]]++;
            }
            for (int64_t g = 0; g < n_groups; g++)
                bad |= s[g] >= lim || s[g] <= -lim;
            if (k == TARN_AGG_AVG) {
                double p = pow(10, arg->type.scale);
                for (int64_t g = 0; g < n_groups; g++)
                    ((double *)r->data)[g] = cnt[g] ? (double)s[g] / p / (double)cnt[g] : 0;
                tarn_free(s);
            }
            if (bad) {
                st = sum_overflow(err);
                goto done;
            }
        } else {
            double *o = (double *)r->data;
            for (int64_t i = 0; i < n; i++) {
                if (!COUNTS(i))
                    continue;
                o[gid[i]] += tarn_vec_get_f64(arg, i);
                cnt[gid[i]]++;
            }
            if (k == TARN_AGG_AVG)
                for (int64_t g = 0; g < n_groups; g++)
                    o[g] = cnt[g] ? o[g] / (double)cnt[g] : 0;
        }
        break;
    default: { /* MIN / MAX: the winning row per group, then a gather */
        int64_t *best = tarn_alloc(sizeof(int64_t) * (size_t)(n_groups ? n_groups : 1));
        if (!best) {
            st = oom(err);
            goto done;
        }
        for (int64_t g = 0; g < n_groups; g++)
            best[g] = -1;
        int want = k == TARN_AGG_MIN ? -1 : 1;
        for (int64_t i = 0; i < n; i++) {
            if (!tarn_vec_is_valid(arg, i))
                continue;
            int64_t g = gid[i];
            cnt[g]++;
            if (best[g] < 0 || tarn_rel_cmp_rows(arg, i, arg, best[g]) == want)
                best[g] = i;
        }
        tarn_vec_reset(r);
        st = tarn_rel_take(r, arg, best, n_groups, err);
        tarn_free(best);
        goto done;
    }
    }
    /* Groups without a counted value are NULL. */
    for (int64_t g = 0; g < n_groups; g++) {
        if (cnt[g])
            continue;
        if (tarn_vec_ensure_validity(r) != TARN_OK) {
            st = oom(err);
            goto done;
        }
        tarn_bit_set(r->validity, g, false);
        r->null_count++;
    }
#undef COUNTS
done:
    tarn_free(cnt);
    tarn_free(keep);
    if (st != TARN_OK) {
        tarn_vec_destroy(r);
        return st;
    }
    *out = r;
    return TARN_OK;
}

/* Joins ----------------------------------------------------------------------- */

static bool any_null(tarn_vec *const *keys, int nk, int64_t i)
{
    for (int c = 0; c < nk; c++)
        if (!tarn_vec_is_valid(keys[c], i))
            return true;
    return false;
}

struct tarn_join_table {
    tarn_keyindex *x;
    tarn_batch keys; /* the build keys, as the index reads them */
    /* One 64-bit integer key: an open-addressing table of its own (key,
     * first row), compared inline. */
    bool fast;
    int64_t *fkey, *frow; /* frow -1: empty slot */
    uint64_t fmask;
    int nk;
    int64_t *start; /* rows of kept row k: list[start[k] .. start[k+1]) */
    int64_t *list;
};

static bool fast_key(const tarn_vec *v)
{
    tarn_type_id id = v->type.id;
    return id == TARN_TYPE_INT64 || id == TARN_TYPE_TIMESTAMP || id == TARN_TYPE_TIMESTAMP_NTZ ||
           id == TARN_TYPE_TIME;
}

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* rep[r]: the first build row with r's key (-1 for a NULL key). */
static bool fast_build(tarn_join_table *t, const tarn_vec *v, int64_t n, int64_t *rep)
{
    uint64_t size = 16;
    while (size < (uint64_t)n * 2)
        size *= 2;
    t->fmask = size - 1;
    t->fkey = tarn_alloc(sizeof(int64_t) * size);
    t->frow = tarn_alloc(sizeof(int64_t) * size);
    if (!t->fkey || !t->frow)
        return false;
    memset(t->frow, 0xFF, sizeof(int64_t) * size);
    const int64_t *d = (const int64_t *)v->data;
    for (int64_t r = 0; r < n; r++) {
        rep[r] = -1;
        if (!tarn_vec_is_valid(v, r))
            continue;
        uint64_t p = mix64((uint64_t)d[r]) & t->fmask;
        while (t->frow[p] >= 0 && t->fkey[p] != d[r])
            p = (p + 1) & t->fmask;
        if (t->frow[p] < 0) {
            t->frow[p] = r;
            t->fkey[p] = d[r];
        }
        rep[r] = t->frow[p];
    }
    return true;
}

static void fast_probe(const tarn_join_table *t, const tarn_vec *v, int64_t n, int64_t *rep)
{
    const int64_t *d = (const int64_t *)v->data;
    for (int64_t i = 0; i < n; i++) {
        uint64_t p = mix64((uint64_t)d[i]) & t->fmask;
        int64_t r;
        while ((r = t->frow[p]) >= 0 && t->fkey[p] != d[i])
            p = (p + 1) & t->fmask;
        rep[i] = r;
    }
}

void tarn_join_table_destroy(tarn_join_table *t)
{
    if (!t)
        return;
    tarn_keyindex_destroy(t->x);
    tarn_free(t->fkey);
    tarn_free(t->frow);
    tarn_free(t->start);
    tarn_free(t->list);
    tarn_free(t);
}

tarn_status tarn_join_table_build(tarn_vec *const *keys, int nk, int64_t n, tarn_join_table **out,
                                  tarn_err *err)
{
    *out = NULL;
    if (nk > 16)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "more than 16 join keys");
    tarn_join_table *t = tarn_calloc(1, sizeof *t);
    int64_t *rep = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    tarn_status st = t && rep ? TARN_OK : oom(err);
    if (st == TARN_OK) {
        t->nk = nk;
        t->start = tarn_calloc((size_t)n + 2, sizeof(int64_t));
        t->list = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
        if (!t->start || !t->list)
            st = oom(err);
    }
    t->fast = st == TARN_OK && nk == 1 && fast_key(keys[0]);
    if (st == TARN_OK && t->fast) {
        st = fast_build(t, keys[0], n, rep) ? TARN_OK : oom(err);
    } else if (st == TARN_OK) {
        t->keys = key_batch(keys, nk, n);
        st = tarn_keyindex_build(&t->keys, key_cols, nk, keep_first, NULL, NULL, &t->x, err);
        if (st == TARN_OK)
            st = tarn_keyindex_probe(t->x, &t->keys, key_cols, rep, err);
    }
    if (st == TARN_OK) {
        /* Rows listed per kept row (CSR), in row order. */
        for (int64_t r = 0; r < n; r++)
            if (!any_null(keys, nk, r))
                t->start[rep[r] + 1]++;
        for (int64_t r = 0; r < n; r++)
            t->start[r + 1] += t->start[r];
        int64_t *fill = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
        if (!fill) {
            st = oom(err);
        } else {
            memcpy(fill, t->start, sizeof(int64_t) * (size_t)(n + 1));
            for (int64_t r = 0; r < n; r++)
                if (!any_null(keys, nk, r))
                    t->list[fill[rep[r]]++] = r;
            tarn_free(fill);
        }
    }
    tarn_free(rep);
    if (st != TARN_OK) {
        tarn_join_table_destroy(t);
        return st;
    }
    *out = t;
    return TARN_OK;
}

tarn_status tarn_join_table_probe(const tarn_join_table *t, tarn_vec *const *keys, int64_t n,
                                  int64_t **li, int64_t **ri, int64_t *cap, int64_t *n_pairs,
                                  tarn_err *err)
{
    *n_pairs = 0;
    int64_t *rep = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    if (!rep)
        return oom(err);
    tarn_batch b = key_batch(keys, t->nk, n);
    tarn_status st = TARN_OK;
    if (t->fast)
        fast_probe(t, keys[0], n, rep);
    else
        st = tarn_keyindex_probe(t->x, &b, key_cols, rep, err);
    int64_t k = 0;
    for (int64_t l = 0; st == TARN_OK && l < n; l++) {
        if (rep[l] < 0 || any_null(keys, t->nk, l))
            continue;
        int64_t from = t->start[rep[l]], to = t->start[rep[l] + 1];
        if (k + (to - from) > *cap) {
            int64_t nc = *cap ? *cap : 1024;
            while (nc < k + (to - from))
                nc *= 2;
            int64_t *a = tarn_realloc(*li, sizeof(int64_t) * (size_t)nc);
            if (a)
                *li = a;
            int64_t *c = a ? tarn_realloc(*ri, sizeof(int64_t) * (size_t)nc) : NULL;
            if (!a || !c) {
                st = oom(err);
                break;
            }
            *ri = c;
            *cap = nc;
        }
        for (int64_t p = from; p < to; p++) {
            (*li)[k] = l;
            (*ri)[k++] = t->list[p];
        }
    }
    tarn_free(rep);
    *n_pairs = k;
    return st;
}

tarn_status tarn_rel_join(tarn_vec *const *lkeys, tarn_vec *const *rkeys, int nk, int64_t nl,
                          int64_t nr, int64_t **li, int64_t **ri, int64_t *n_pairs, tarn_err *err)
{
    *li = *ri = NULL;
    *n_pairs = 0;
    tarn_join_table *t = NULL;
    int64_t cap = 0;
    tarn_status st = tarn_join_table_build(rkeys, nk, nr, &t, err);
    if (st == TARN_OK)
        st = tarn_join_table_probe(t, lkeys, nl, li, ri, &cap, n_pairs, err);
    tarn_join_table_destroy(t);
    if (st != TARN_OK) {
        tarn_free(*li);
        tarn_free(*ri);
        *li = *ri = NULL;
        *n_pairs = 0;
    }
    return st;
}

/* Sorting --------------------------------------------------------------------- */

typedef struct sorter {
    const tarn_sort_key *keys;
    int nk;
} sorter;

/* Orders rows a and b by the keys; ties by row number (stable). */
static int sort_cmp(const sorter *s, int64_t a, int64_t b)
{
    for (int k = 0; k < s->nk; k++) {
        const tarn_sort_key *key = &s->keys[k];
        bool va = tarn_vec_is_valid(key->v, a), vb = tarn_vec_is_valid(key->v, b);
        int c;
        if (!va || !vb) {
            if (va == vb)
                continue;
            c = !va ? -1 : 1; /* null first */
            if (!key->nulls_first)
                c = -c;
            return c;
        }
        c = tarn_rel_cmp_rows(key->v, a, key->v, b);
        if (c)
            return key->desc ? -c : c;
    }
    return (a > b) - (a < b);
}

static void merge_sort(const sorter *s, int64_t *p, int64_t *tmp, int64_t n)
{
    if (n < 16) {
        for (int64_t i = 1; i < n; i++) {
            int64_t x = p[i], j = i;
            while (j > 0 && sort_cmp(s, p[j - 1], x) > 0) {
                p[j] = p[j - 1];
                j--;
            }
            p[j] = x;
        }
        return;
    }
    int64_t h = n / 2;
    merge_sort(s, p, tmp, h);
    merge_sort(s, p + h, tmp, n - h);
    if (sort_cmp(s, p[h - 1], p[h]) <= 0)
        return;
    memcpy(tmp, p, sizeof(int64_t) * (size_t)h);
    int64_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        p[k++] = sort_cmp(s, p[j], tmp[i]) < 0 ? p[j++] : tmp[i++];
    while (i < h)
        p[k++] = tmp[i++];
}

/* Top-N: a max-heap of the best `limit` rows seen. */
static void heap_down(const sorter *s, int64_t *h, int64_t n, int64_t i)
{
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && sort_cmp(s, h[l], h[m]) > 0)
            m = l;
        if (r < n && sort_cmp(s, h[r], h[m]) > 0)
            m = r;
        if (m == i)
            return;
        int64_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

tarn_status tarn_rel_sort(const tarn_sort_key *keys, int nk, int64_t n, int64_t limit,
                          int64_t *perm, tarn_err *err)
{
    sorter s = {keys, nk};
    if (limit >= 0 && limit < n / 4) {
        int64_t m = 0;
        for (int64_t i = 0; i < n && limit > 0; i++) {
            if (m < limit) {
                perm[m++] = i;
                if (m == limit)
                    for (int64_t j = m / 2; j >= 0; j--)
                        heap_down(&s, perm, m, j);
                continue;
            }
            if (sort_cmp(&s, i, perm[0]) < 0) {
                perm[0] = i;
                heap_down(&s, perm, m, 0);
            }
        }
        int64_t *tmp = tarn_alloc(sizeof(int64_t) * (size_t)(m ? m : 1));
        if (!tmp)
            return oom(err);
        merge_sort(&s, perm, tmp, m);
        tarn_free(tmp);
        return TARN_OK;
    }
    int64_t *tmp = tarn_alloc(sizeof(int64_t) * (size_t)(n / 2 + 1));
    if (!tmp)
        return oom(err);
    for (int64_t i = 0; i < n; i++)
        perm[i] = i;
    merge_sort(&s, perm, tmp, n);
    tarn_free(tmp);
    return TARN_OK;
}

tarn_status tarn_rel_take(tarn_vec *dst, const tarn_vec *src, const int64_t *idx, int64_t n,
                          tarn_err *err)
{
    int64_t i = 0;
    while (i < n) {
        int64_t j = i;
        if (idx[i] < 0) {
            while (j < n && idx[j] < 0)
                j++;
            if (tarn_vec_append_nulls(dst, j - i) != TARN_OK)
                return oom(err);
        } else {
            while (j < n && idx[j] >= 0)
                j++;
            if (tarn_vec_append_take(dst, src, idx + i, j - i) != TARN_OK)
                return oom(err);
        }
        i = j;
    }
    return TARN_OK;
}

/* Window functions ---------------------------------------------------------------- */

/* Whether rows a and b are peers: equal on every ORDER BY key. */
static bool peers(const tarn_sort_key *keys, int nk, int64_t a, int64_t b)
{
    for (int k = 0; k < nk; k++) {
        bool va = tarn_vec_is_valid(keys[k].v, a), vb = tarn_vec_is_valid(keys[k].v, b);
        if (va != vb || (va && tarn_rel_cmp_rows(keys[k].v, a, keys[k].v, b) != 0))
            return false;
    }
    return true;
}

/* Running aggregate over the frame of each row, in partition order: the
 * whole partition when nk == 0, else up to the row's last peer. */
static tarn_status win_agg(const tarn_win_spec *w, const int64_t *perm, const int64_t *part,
                           const tarn_sort_key *keys, int nk, int64_t n, tarn_vec *r, tarn_err *err)
{
    const tarn_vec *arg = w->arg;
    tarn_type_id at = arg ? arg->type.id : TARN_TYPE_INT64;
    int64_t *best = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1)); /* min/max row per position */
    int64_t *cnts = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    tarn_i128 *isum = tarn_alloc(sizeof(tarn_i128) * (size_t)(n + 1));
    double *dsum = tarn_alloc(sizeof(double) * (size_t)(n + 1));
    tarn_status st = best && cnts && isum && dsum ? TARN_OK : oom(err);
    int64_t i = 0;
    while (st == TARN_OK && i < n) {
        /* One partition: [i, e). */
        int64_t e = i + 1;
        while (e < n && (!part || part[perm[e]] == part[perm[i]]))
            e++;
        int64_t cnt = 0, bi = -1;
        tarn_i128 is = 0;
        double ds = 0;
        int64_t g = i;
        while (g < e) {
            int64_t h = g + 1; /* peers [g, h) */
            if (nk == 0)
                h = e;
            else
                while (h < e && peers(keys, nk, perm[g], perm[h]))
                    h++;
            for (int64_t p = g; p < h; p++) {
                int64_t row = perm[p];
                if (arg && !tarn_vec_is_valid(arg, row))
                    continue;
                cnt++;
                if (!arg)
                    continue;
                if (w->agg == TARN_AGG_MIN || w->agg == TARN_AGG_MAX) {
                    int want = w->agg == TARN_AGG_MIN ? -1 : 1;
                    if (bi < 0 || tarn_rel_cmp_rows(arg, row, arg, bi) == want)
                        bi = row;
                } else if (at == TARN_TYPE_FLOAT64) {
                    ds += tarn_vec_get_f64(arg, row);
                } else if (at == TARN_TYPE_DECIMAL) {
                    is += tarn_vec_get_decimal(arg, row);
                } else if (at == TARN_TYPE_BOOL) {
                    is += tarn_vec_get_bool(arg, row);
                } else {
                    is += tarn_vec_get_i64(arg, row);
                }
            }
            for (int64_t p = g; p < h; p++) {
                cnts[perm[p]] = cnt;
                isum[perm[p]] = is;
                dsum[perm[p]] = ds;
                best[perm[p]] = bi;
            }
            g = h;
        }
        i = e;
    }
    if (st == TARN_OK && (w->agg == TARN_AGG_MIN || w->agg == TARN_AGG_MAX)) {
        st = tarn_rel_take(r, arg, best, n, err);
        goto done;
    }
    for (int64_t row = 0; st == TARN_OK && row < n; row++) {
        bool null = w->agg != TARN_AGG_COUNT && w->agg != TARN_AGG_COUNT_STAR && cnts[row] == 0;
        if (null) {
            st = tarn_vec_append_null(r) == TARN_OK ? TARN_OK : oom(err);
            continue;
        }
        tarn_status a;
        if (w->agg == TARN_AGG_COUNT || w->agg == TARN_AGG_COUNT_STAR)
            a = tarn_vec_append_i64(r, cnts[row]);
        else if (w->agg == TARN_AGG_AVG)
            a = tarn_vec_append_f64(
                r, at == TARN_TYPE_FLOAT64
                       ? dsum[row] / (double)cnts[row]
                       : (double)isum[row] /
                             (at == TARN_TYPE_DECIMAL ? pow(10, arg->type.scale) : 1.0) /
                             (double)cnts[row]);
        else if (at == TARN_TYPE_FLOAT64)
            a = tarn_vec_append_f64(r, dsum[row]);
        else if (at == TARN_TYPE_DECIMAL)
            a = tarn_vec_append_decimal(r, isum[row]);
        else if (isum[row] > INT64_MAX || isum[row] < INT64_MIN) {
            st = tarn_err_set(err, TARN_ERR_DATA, "sum() overflows int64");
            break;
        } else
            a = tarn_vec_append_i64(r, (int64_t)isum[row]);
        if (a != TARN_OK)
            st = oom(err);
    }
done:
    tarn_free(best);
    tarn_free(cnts);
    tarn_free(isum);
    tarn_free(dsum);
    return st;
}

tarn_status tarn_win_compute(const tarn_win_spec *w, const int64_t *part, const tarn_sort_key *keys,
                             int nk, int64_t n, tarn_vec **out, tarn_err *err)
{
    *out = NULL;
    /* Rows ordered by partition, then by the window's ORDER BY. */
    tarn_sort_key all[65];
    tarn_vec *pv = NULL;
    if (nk > 64)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "more than 64 window ORDER BY keys");
    int na = 0;
    if (part) {
        pv = tarn_vec_create_type(tarn_type_make(TARN_TYPE_INT64));
        if (!pv || tarn_vec_reserve(pv, n ? n : 1) != TARN_OK) {
            tarn_vec_destroy(pv);
            return oom(err);
        }
        memcpy(pv->data, part, sizeof(int64_t) * (size_t)n);
        pv->len = n;
        all[na++] = (tarn_sort_key){pv, false, false};
    }
    for (int k = 0; k < nk; k++)
        all[na++] = keys[k];
    int64_t *perm = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    tarn_vec *r = tarn_vec_create_type(w->out_type);
    tarn_status st = perm && r && tarn_vec_reserve(r, n ? n : 1) == TARN_OK ? TARN_OK : oom(err);
    if (st == TARN_OK)
        st = tarn_rel_sort(all, na, n, -1, perm, err);
    if (st != TARN_OK)
        goto done;
    if (w->kind == TARN_WIN_AGG) {
        st = win_agg(w, perm, part, keys, nk, n, r, err);
        goto done;
    }
    if (w->kind == TARN_WIN_LAG || w->kind == TARN_WIN_LEAD) {
        /* Source row of each row, -1 past the partition's edge. */
        int64_t *src = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
        if (!src) {
            st = oom(err);
            goto done;
        }
        int64_t d = w->kind == TARN_WIN_LAG ? -w->offset : w->offset;
        for (int64_t p = 0; p < n; p++) {
            int64_t q = p + d;
            bool same = q >= 0 && q < n && (!part || part[perm[q]] == part[perm[p]]);
            src[perm[p]] = same ? perm[q] : -1;
        }
        for (int64_t row = 0; st == TARN_OK && row < n; row++) {
            tarn_status a = src[row] >= 0 ? tarn_vec_append_range(r, w->arg, src[row], 1)
                            : w->dflt     ? tarn_vec_append_range(r, w->dflt, 0, 1)
                                          : tarn_vec_append_null(r);
            if (a != TARN_OK)
                st = oom(err);
        }
        tarn_free(src);
        goto done;
    }
    /* row_number, rank, dense_rank */
    int64_t *o = (int64_t *)r->data;
    int64_t start = 0, rank = 0, dense = 0;
    for (int64_t p = 0; p < n; p++) {
        bool new_part = p == 0 || (part && part[perm[p]] != part[perm[p - 1]]);
        if (new_part) {
            start = p;
            rank = 1;
            dense = 1;
        } else if (!peers(keys, nk, perm[p], perm[p - 1])) {
            rank = p - start + 1;
            dense++;
        }
        o[perm[p]] = w->kind == TARN_WIN_ROW_NUMBER ? p - start + 1
                     : w->kind == TARN_WIN_RANK     ? rank
                                                    : dense;
    }
    r->len = n;
done:
    tarn_free(perm);
    tarn_vec_destroy(pv);
    if (st != TARN_OK) {
        tarn_vec_destroy(r);
        return st;
    }
    *out = r;
    return TARN_OK;
}
