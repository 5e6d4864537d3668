/*
 * delta/stats.c - per-file statistics: the collector that builds add.stats
 * JSON while a file is written, and the parser that reads it back.
 *
 * The collector mirrors the file schema as a tree of accumulators; struct
 * members see a "present" mask (parent valid and member valid) so a null
 * struct counts as a null in every member. Work is per batch and per
 * column: null counts by popcount, min/max by typed loops, no per-value
 * allocation. The parser is a small JSON reader that keeps number text
 * exact (decimals of 38 digits survive) and never trusts a value that does
 * not parse as the column's type: such a bound is dropped, never guessed.
 */
#include "delta/stats.h"

#include "base/alloc.h"
#include "base/time.h"
#include "column/value.h"
#include "delta/partition.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Collector ---------------------------------------------------------------- */

typedef struct acc {
    const tarn_field *field; /* schema field (borrowed) */
    const char *key;         /* stats key: physical name when set, else name */
    bool indexed;            /* stats are emitted for this leaf */
    bool minmax;             /* the type gets min/max at all */
    bool own_minmax;         /* the collector computes min/max (else the writer) */
    int64_t null_count;      /* nulls seen (struct members: parent nulls too) */
    bool has_nan;            /* a float NaN was seen */
    bool has_minmax;         /* min/max hold a value */
    tarn_scalar min;         /* smallest value; bytes in min_buf */
    tarn_scalar max;         /* largest value; bytes in max_buf */
    tarn_buf min_buf;        /* string bytes of min */
    tarn_buf max_buf;        /* string bytes of max */
    int n_children;          /* STRUCT members */
    struct acc *children;    /* one per member (heap) */
} acc;

struct tarn_delta_stats_collector {
    const tarn_schema *schema;                   /* file schema (borrowed) */
    tarn_delta_stats_opts opts;                  /* copy of the options */
    int n_cols;                                  /* = schema->n_fields */
    acc *cols;                                   /* one accumulator tree per column (heap) */
    uint8_t *scratch[TARN_PQ_MAX_NESTING + 1];   /* per-depth mask bitmaps */
    size_t scratch_cap[TARN_PQ_MAX_NESTING + 1]; /* bytes in each scratch bitmap */
};

void tarn_delta_stats_opts_init(tarn_delta_stats_opts *o)
{
    memset(o, 0, sizeof *o);
}

void tarn_delta_stats_opts_from_config(tarn_delta_stats_opts *o, const tarn_delta_kv *config,
                                       int n_config)
{
    const char *n = tarn_delta_kv_get(config, n_config, "delta.dataSkippingNumIndexedCols");
    if (n) {
        int64_t v;
        tarn_err e;
        if (tarn_parse_int(n, strlen(n), -1, INT32_MAX, &v, &e) == TARN_OK)
            o->num_indexed_cols = v == 0 ? -2 : (int)v; /* -2: none */
    }
    const char *cols = tarn_delta_kv_get(config, n_config, "delta.dataSkippingStatsColumns");
    if (cols)
        o->stats_columns = cols;
}

static bool type_has_minmax(tarn_type_id id)
{
    switch (id) {
    case TARN_TYPE_INT8:
    case TARN_TYPE_INT16:
    case TARN_TYPE_INT32:
    case TARN_TYPE_INT64:
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64:
    case TARN_TYPE_DECIMAL:
    case TARN_TYPE_STRING:
    case TARN_TYPE_DATE:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
        return true;
    default:
        return false; /* bool, binary, nested, and types Delta does not have */
    }
}

static bool is_float(tarn_type_id id)
{
    return id == TARN_TYPE_FLOAT32 || id == TARN_TYPE_FLOAT64;
}

/* Is dotted path listed in the comma list (backquotes stripped, case-insensitive)? */
static bool path_listed(const char *list, const char *path)
{
    size_t plen = strlen(path);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *s = p;
        while (*p && *p != ',')
            p++;
        const char *e = p;
        while (e > s && e[-1] == ' ')
            e--;
        /* compare ignoring backquotes */
        size_t i = 0;
        const char *q = s;
        bool ok = true;
        for (; q < e; q++) {
            if (*q == '`')
                continue;
            char a = *q, b = i < plen ? path[i] : '\0';
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b) {
                ok = false;
                break;
            }
            i++;
        }
        if (ok && i == plen && e > s)
            return true;
    }
    return false;
}

/* Builds the accumulator for f; *leaf_no counts leaves in schema order. */
static bool acc_init(acc *a, const tarn_field *f, const tarn_delta_stats_opts *o, bool top,
                     const char *parent_path, char *pathbuf, size_t cap, int *leaf_no,
                     bool parent_listed)
{
    memset(a, 0, sizeof *a);
    a->field = f;
    a->key = f->physical_name ? f->physical_name : f->name;
    size_t pl = strlen(parent_path);
    int k = snprintf(pathbuf + pl, cap - pl, "%s%s", pl ? "." : "", f->name);
    if (k < 0 || (size_t)k >= cap - pl)
        pathbuf[pl] = '\0';
    bool listed = parent_listed || (o->stats_columns && path_listed(o->stats_columns, pathbuf));
    if (f->type.id == TARN_TYPE_STRUCT) {
        a->n_children = f->n_children;
        if (f->n_children > 0) {
            a->children = tarn_calloc((size_t)f->n_children, sizeof *a->children);
            if (!a->children)
                return false;
            for (int i = 0; i < f->n_children; i++)
                if (!acc_init(&a->children[i], &f->children[i], o, false, pathbuf, pathbuf, cap,
                              leaf_no, listed))
                    return false;
        }
        pathbuf[pl] = '\0';
        return true;
    }
    if (o->stats_columns)
        a->indexed = listed;
    else if (o->num_indexed_cols == -1)
        a->indexed = true;
    else if (o->num_indexed_cols == -2)
        a->indexed = false;
    else
        a->indexed = *leaf_no < (o->num_indexed_cols > 0 ? o->num_indexed_cols
                                                         : TARN_DELTA_STATS_DEFAULT_INDEXED);
    (*leaf_no)++;
    a->minmax = a->indexed && type_has_minmax(f->type.id);
    /* Floats need a NaN scan anyway; decimals are cheap to fold here and
     * keep the bound independent of the writer's byte order handling. */
    a->own_minmax = a->minmax && !(o->writer_minmax && top && !is_float(f->type.id) &&
                                   f->type.id != TARN_TYPE_DECIMAL);
    tarn_buf_init(&a->min_buf);
    tarn_buf_init(&a->max_buf);
    a->min.type = a->max.type = f->type;
    pathbuf[pl] = '\0';
    return true;
}

static void acc_fini(acc *a)
{
    for (int i = 0; i < a->n_children; i++)
        acc_fini(&a->children[i]);
    tarn_free(a->children);
    tarn_buf_fini(&a->min_buf);
    tarn_buf_fini(&a->max_buf);
}

static void acc_reset(acc *a)
{
    for (int i = 0; i < a->n_children; i++)
        acc_reset(&a->children[i]);
    a->null_count = 0;
    a->has_nan = false;
    a->has_minmax = false;
}

tarn_delta_stats_collector *tarn_delta_stats_collector_create(const tarn_schema *file_schema,
                                                              const tarn_delta_stats_opts *opts)
{
    tarn_delta_stats_collector *c = tarn_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->schema = file_schema;
    if (opts)
        c->opts = *opts;
    c->n_cols = file_schema->n_fields;
    c->cols = tarn_calloc((size_t)(c->n_cols ? c->n_cols : 1), sizeof *c->cols);
    if (!c->cols) {
        tarn_free(c);
        return NULL;
    }
    char path[1024] = "";
    int leaf_no = 0;
    for (int i = 0; i < c->n_cols; i++) {
        if (!acc_init(&c->cols[i], &file_schema->fields[i], &c->opts, true, "", path, sizeof path,
                      &leaf_no, false)) {
            c->n_cols = i + 1;
            tarn_delta_stats_collector_destroy(c);
            return NULL;
        }
    }
    return c;
}

void tarn_delta_stats_collector_destroy(tarn_delta_stats_collector *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_cols; i++)
        acc_fini(&c->cols[i]);
    tarn_free(c->cols);
    for (size_t i = 0; i < TARN_ARRAY_LEN(c->scratch); i++)
        tarn_free(c->scratch[i]);
    tarn_free(c);
}

void tarn_delta_stats_collector_reset(tarn_delta_stats_collector *c)
{
    for (int i = 0; i < c->n_cols; i++)
        acc_reset(&c->cols[i]);
}

/* Rows set in both bitmaps (either may be NULL = all set) -> out (n bits). */
static const uint8_t *mask_and(const uint8_t *a, const uint8_t *b, int64_t n, uint8_t *out)
{
    if (!a)
        return b;
    if (!b)
        return a;
    size_t nb = (size_t)(n + 7) / 8;
    for (size_t i = 0; i < nb; i++)
        out[i] = a[i] & b[i];
    return out;
}

static int64_t count_set(const uint8_t *bits, int64_t n)
{
    int64_t full = n / 8, cnt = 0, i = 0;
    for (; i + 8 <= full; i += 8) {
        uint64_t w;
        memcpy(&w, bits + i, 8);
        cnt += __builtin_popcountll(w);
    }
    for (; i < full; i++)
        cnt += __builtin_popcount(bits[i]);
    for (int64_t r = full * 8; r < n; r++)
        cnt += tarn_bit_get(bits, r);
    return cnt;
}

/* Typed min/max loops over rows whose bit is set in `ok` (NULL = all). */
#define DEF_MINMAX(NAME, T, W)                                                                     \
    static bool NAME(const void *data, const uint8_t *ok, int64_t n, W *mn, W *mx)                 \
    {                                                                                              \
        const T *d = data;                                                                         \
        bool found = false;                                                                        \
        T lo = 0, hi = 0;                                                                          \
        for (int64_t i = 0; i < n; i++) {                                                          \
            if (ok && !tarn_bit_get(ok, i))                                                        \
                continue;                                                                          \
            T x = d[i];                                                                            \
            if (!found) {                                                                          \
                lo = hi = x;                                                                       \
                found = true;                                                                      \
            } else {                                                                               \
                lo = x < lo ? x : lo;                                                              \
                hi = x > hi ? x : hi;                                                              \
            }                                                                                      \
        }                                                                                          \
        *mn = (W)lo;                                                                               \
        *mx = (W)hi;                                                                               \
        return found;                                                                              \
    }
DEF_MINMAX(minmax_i8, int8_t, int64_t)
DEF_MINMAX(minmax_i16, int16_t, int64_t)
DEF_MINMAX(minmax_i32, int32_t, int64_t)
DEF_MINMAX(minmax_i64, int64_t, int64_t)
DEF_MINMAX(minmax_i128, tarn_i128, tarn_i128)

/* Floats: NaN is skipped and reported. */
#define DEF_MINMAX_FLOAT(NAME, T)                                                                  \
    static bool NAME(const void *data, const uint8_t *ok, int64_t n, double *mn, double *mx,       \
                     bool *nan)                                                                    \
    {                                                                                              \
        const T *d = data;                                                                         \
        bool found = false;                                                                        \
        T lo = 0, hi = 0;                                                                          \
        for (int64_t i = 0; i < n; i++) {                                                          \
            if (ok && !tarn_bit_get(ok, i))                                                        \
                continue;                                                                          \
            T x = d[i];                                                                            \
            if (x != x) {                                                                          \
                *nan = true;                                                                       \
                continue;                                                                          \
            }                                                                                      \
            if (!found) {                                                                          \
                lo = hi = x;                                                                       \
                found = true;                                                                      \
            } else {                                                                               \
                lo = x < lo ? x : lo;                                                              \
                hi = x > hi ? x : hi;                                                              \
            }                                                                                      \
        }                                                                                          \
        *mn = (double)lo;                                                                          \
        *mx = (double)hi;                                                                          \
        return found;                                                                              \
    }
DEF_MINMAX_FLOAT(minmax_f32, float)
DEF_MINMAX_FLOAT(minmax_f64, double)

static int cmp_bytes(const uint8_t *a, int32_t na, const uint8_t *b, int32_t nb)
{
    int c = memcmp(a, b, (size_t)(na < nb ? na : nb));
    return c ? c : (na > nb) - (na < nb);
}

/* Replaces a string bound with bytes p[0..n) (copied into buf). */
static tarn_status set_bytes(tarn_scalar *s, tarn_buf *buf, const uint8_t *p, int32_t n)
{
    tarn_buf_reset(buf);
    TARN_TRY(tarn_buf_append(buf, p, (size_t)n));
    s->bytes = (const uint8_t *)buf->data;
    s->len = n;
    return TARN_OK;
}

static tarn_status update_strings(acc *a, const tarn_vec *v, const uint8_t *ok, int64_t n)
{
    const uint8_t *lo = NULL, *hi = NULL;
    int32_t nlo = 0, nhi = 0;
    for (int64_t i = 0; i < n; i++) {
        if (ok && !tarn_bit_get(ok, i))
            continue;
        int32_t len;
        const uint8_t *p = tarn_vec_get_bytes(v, i, &len);
        if (!lo) {
            lo = hi = p;
            nlo = nhi = len;
            continue;
        }
        if (cmp_bytes(p, len, lo, nlo) < 0) {
            lo = p;
            nlo = len;
        } else if (cmp_bytes(p, len, hi, nhi) > 0) {
            hi = p;
            nhi = len;
        }
    }
    if (!lo)
        return TARN_OK;
    if (!a->has_minmax) {
        TARN_TRY(set_bytes(&a->min, &a->min_buf, lo, nlo));
        TARN_TRY(set_bytes(&a->max, &a->max_buf, hi, nhi));
        a->has_minmax = true;
        return TARN_OK;
    }
    if (cmp_bytes(lo, nlo, a->min.bytes, a->min.len) < 0)
        TARN_TRY(set_bytes(&a->min, &a->min_buf, lo, nlo));
    if (cmp_bytes(hi, nhi, a->max.bytes, a->max.len) > 0)
        TARN_TRY(set_bytes(&a->max, &a->max_buf, hi, nhi));
    return TARN_OK;
}

/* Folds a batch min/max (scalars of a's type) into the accumulator. */
static void merge_fixed(acc *a, const tarn_scalar *lo, const tarn_scalar *hi)
{
    if (!a->has_minmax) {
        a->min = *lo;
        a->max = *hi;
        a->has_minmax = true;
        return;
    }
    if (tarn_scalar_compare(lo, &a->min) < 0)
        a->min = *lo;
    if (tarn_scalar_compare(hi, &a->max) > 0)
        a->max = *hi;
}

static tarn_status update_minmax(acc *a, const tarn_vec *v, const uint8_t *ok, int64_t n)
{
    tarn_scalar lo = {.type = v->type}, hi = {.type = v->type};
    bool found = false;
    switch (v->type.id) {
    case TARN_TYPE_INT8:
        found = minmax_i8(v->data, ok, n, &lo.v.i64, &hi.v.i64);
        break;
    case TARN_TYPE_INT16:
        found = minmax_i16(v->data, ok, n, &lo.v.i64, &hi.v.i64);
        break;
    case TARN_TYPE_INT32:
    case TARN_TYPE_DATE:
        found = minmax_i32(v->data, ok, n, &lo.v.i64, &hi.v.i64);
        break;
    case TARN_TYPE_INT64:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
        found = minmax_i64(v->data, ok, n, &lo.v.i64, &hi.v.i64);
        break;
    case TARN_TYPE_DECIMAL:
        if (tarn_decimal_is_wide(v->type)) {
            found = minmax_i128(v->data, ok, n, &lo.v.i128, &hi.v.i128);
        } else {
            int64_t l, h;
            found = minmax_i64(v->data, ok, n, &l, &h);
            lo.v.i128 = l;
            hi.v.i128 = h;
        }
        break;
    case TARN_TYPE_FLOAT32:
        found = minmax_f32(v->data, ok, n, &lo.v.f64, &hi.v.f64, &a->has_nan);
        break;
    case TARN_TYPE_FLOAT64:
        found = minmax_f64(v->data, ok, n, &lo.v.f64, &hi.v.f64, &a->has_nan);
        break;
    case TARN_TYPE_STRING:
        return update_strings(a, v, ok, n);
    default:
        return TARN_OK;
    }
    if (found)
        merge_fixed(a, &lo, &hi);
    return TARN_OK;
}

static uint8_t *scratch(tarn_delta_stats_collector *c, int depth, int64_t n)
{
    size_t need = (size_t)(n + 7) / 8 + 8;
    if (c->scratch_cap[depth] < need) {
        uint8_t *p = tarn_realloc(c->scratch[depth], need);
        if (!p)
            return NULL;
        c->scratch[depth] = p;
        c->scratch_cap[depth] = need;
    }
    return c->scratch[depth];
}

/* Folds vector v (n rows) into a; present = rows whose parents are valid
 * (NULL: all). */
static tarn_status acc_update(tarn_delta_stats_collector *c, acc *a, const tarn_vec *v,
                              const uint8_t *present, int64_t n, int depth)
{
    if (depth >= TARN_PQ_MAX_NESTING)
        return TARN_ERR_LIMIT;
    uint8_t *buf = NULL;
    if (present && v->validity) {
        buf = scratch(c, depth, n);
        if (!buf)
            return TARN_ERR_NOMEM;
    }
    const uint8_t *ok = mask_and(present, v->validity, n, buf);
    if (a->field->type.id == TARN_TYPE_STRUCT) {
        /* Members: present where this struct row is valid. Children write
         * their own scratch at depth+1, so `ok` stays intact. */
        for (int i = 0; i < a->n_children && i < v->n_children; i++)
            TARN_TRY(acc_update(c, &a->children[i], v->children[i], ok, n, depth + 1));
        return TARN_OK;
    }
    if (!a->indexed)
        return TARN_OK;
    a->null_count += ok ? n - count_set(ok, n) : 0;
    if (a->own_minmax)
        TARN_TRY(update_minmax(a, v, ok, n));
    else if (is_float(v->type.id) && a->minmax)
        TARN_TRY(update_minmax(a, v, ok, n));
    return TARN_OK;
}

tarn_status tarn_delta_stats_collector_update(tarn_delta_stats_collector *c, const tarn_batch *b,
                                              tarn_err *err)
{
    if (b->n_cols != c->n_cols)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "stats: batch has %d columns, schema %d",
                            b->n_cols, c->n_cols);
    for (int i = 0; i < c->n_cols; i++) {
        tarn_status st = acc_update(c, &c->cols[i], b->cols[i], NULL, b->n_rows, 0);
        if (st != TARN_OK)
            return tarn_err_set(err, st, "stats: cannot collect statistics for column '%s'",
                                c->cols[i].field->name);
    }
    return TARN_OK;
}

/* JSON output ----------------------------------------------------------- */

static int utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    if ((c & 0xF8) == 0xF0)
        return 4;
    return 0;
}

/* Byte length of the first max_cp code points of p[0..n) (n when shorter). */
static int32_t prefix_bytes(const uint8_t *p, int32_t n, int max_cp, bool *out_cut)
{
    int32_t i = 0;
    int cp = 0;
    while (i < n && cp < max_cp) {
        int l = utf8_len(p[i]);
        i += l ? l : 1;
        cp++;
    }
    if (i > n)
        i = n;
    *out_cut = i < n;
    return i;
}

/* Decodes one code point at p (l bytes); -1 when malformed. */
static int32_t utf8_decode(const uint8_t *p, int l)
{
    if (l == 1)
        return p[0];
    int32_t cp = p[0] & (0x7F >> l);
    for (int i = 1; i < l; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    return cp;
}

static int utf8_encode(int32_t cp, uint8_t *o)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Upper bound for a string longer than the prefix: the prefix with its last
 * incrementable code point incremented (and anything after it dropped).
 * Returns the length written to out (cap >= plen + 4), or -1 when there is
 * no such bound (every code point is U+10FFFF or the bytes are malformed). */
static int32_t upper_bound(const uint8_t *p, int32_t plen, uint8_t *out)
{
    /* Offsets of code point starts. */
    int32_t starts[TARN_DELTA_STATS_PREFIX + 1];
    int ns = 0;
    for (int32_t i = 0; i < plen && ns < TARN_DELTA_STATS_PREFIX;) {
        int l = utf8_len(p[i]);
        if (l == 0 || i + l > plen)
            return -1;
        starts[ns++] = i;
        i += l;
    }
    for (int k = ns - 1; k >= 0; k--) {
        int32_t s = starts[k];
        int l = utf8_len(p[s]);
        int32_t cp = utf8_decode(p + s, l);
        if (cp < 0)
            return -1;
        if (cp >= 0x10FFFF)
            continue;
        cp++;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xE000;
        memcpy(out, p, (size_t)s);
        return s + utf8_encode(cp, out + s);
    }
    return -1;
}

static tarn_status put_key(tarn_buf *out, const char *key, bool *first)
{
    if (!*first)
        TARN_TRY(tarn_buf_append_char(out, ','));
    *first = false;
    TARN_TRY(tarn_buf_append_json_str(out, key, strlen(key)));
    return tarn_buf_append_char(out, ':');
}

static tarn_status put_timestamp(tarn_buf *out, int64_t us, bool round_up, bool utc)
{
    int64_t ms = round_up ? -tarn_floordiv(-us, 1000) : tarn_floordiv(us, 1000);
    char t[TARN_FMT_MAX + 8];
    int n = tarn_fmt_timestamp(ms * 1000, false, t);
    /* "...SS.ffffff": keep three fraction digits. */
    if (n >= 3)
        n -= 3;
    TARN_TRY(tarn_buf_append_char(out, '"'));
    TARN_TRY(tarn_buf_append(out, t, (size_t)n));
    if (utc)
        TARN_TRY(tarn_buf_append_char(out, 'Z'));
    return tarn_buf_append_char(out, '"');
}

/* Writes one bound value; returns TARN_OK with *wrote false when this value
 * has no safe JSON form (infinite float, string without an upper bound). */
static tarn_status put_value(tarn_buf *out, const char *key, bool *first, const tarn_scalar *s,
                             bool is_max, bool *wrote)
{
    char t[TARN_FMT_MAX];
    int n = 0;
    *wrote = false;
    switch (s->type.id) {
    case TARN_TYPE_INT8:
    case TARN_TYPE_INT16:
    case TARN_TYPE_INT32:
    case TARN_TYPE_INT64:
        n = tarn_fmt_i64(s->v.i64, t);
        break;
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64:
        if (!isfinite(s->v.f64))
            return TARN_OK;
        n = s->type.id == TARN_TYPE_FLOAT32 ? tarn_fmt_float((float)s->v.f64, t)
                                            : tarn_fmt_double(s->v.f64, t);
        break;
    case TARN_TYPE_DECIMAL:
        n = tarn_fmt_decimal(s->v.i128, s->type.scale, t);
        break;
    case TARN_TYPE_DATE:
        TARN_TRY(put_key(out, key, first));
        n = tarn_fmt_date((int32_t)s->v.i64, t);
        TARN_TRY(tarn_buf_append_char(out, '"'));
        TARN_TRY(tarn_buf_append(out, t, (size_t)n));
        *wrote = true;
        return tarn_buf_append_char(out, '"');
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
        TARN_TRY(put_key(out, key, first));
        *wrote = true;
        return put_timestamp(out, s->v.i64, is_max, s->type.id == TARN_TYPE_TIMESTAMP);
    case TARN_TYPE_STRING: {
        bool cut;
        int32_t pl = prefix_bytes(s->bytes, s->len, TARN_DELTA_STATS_PREFIX, &cut);
        if (!cut || !is_max) {
            TARN_TRY(put_key(out, key, first));
            *wrote = true;
            return tarn_buf_append_json_str(out, (const char *)s->bytes, (size_t)pl);
        }
        uint8_t ub[TARN_DELTA_STATS_PREFIX * 4 + 8];
        int32_t ul = upper_bound(s->bytes, pl, ub);
        if (ul < 0)
            return TARN_OK;
        TARN_TRY(put_key(out, key, first));
        *wrote = true;
        return tarn_buf_append_json_str(out, (const char *)ub, (size_t)ul);
    }
    default:
        return TARN_OK;
    }
    TARN_TRY(put_key(out, key, first));
    *wrote = true;
    return tarn_buf_append(out, t, (size_t)n);
}

enum section {
    SEC_MIN,
    SEC_MAX,
    SEC_NULLS
};

/* Writes a's entry in a section; *any set when something was written. */
static tarn_status put_acc(tarn_buf *out, const acc *a, enum section sec, bool *first, bool *any)
{
    if (a->field->type.id == TARN_TYPE_STRUCT) {
        size_t mark = out->len;
        bool was_first = *first;
        TARN_TRY(put_key(out, a->key, first));
        TARN_TRY(tarn_buf_append_char(out, '{'));
        bool inner_first = true, inner_any = false;
        for (int i = 0; i < a->n_children; i++)
            TARN_TRY(put_acc(out, &a->children[i], sec, &inner_first, &inner_any));
        if (!inner_any) {
            out->len = mark; /* nothing inside: drop the key */
            out->data[mark] = '\0';
            *first = was_first;
            return TARN_OK;
        }
        *any = true;
        return tarn_buf_append_char(out, '}');
    }
    if (!a->indexed)
        return TARN_OK;
    if (sec == SEC_NULLS) {
        TARN_TRY(put_key(out, a->key, first));
        *any = true;
        return tarn_buf_printf(out, "%lld", (long long)a->null_count);
    }
    if (!a->minmax || !a->has_minmax)
        return TARN_OK;
    if (sec == SEC_MAX && a->has_nan)
        return TARN_OK; /* NaN sorts above every number: no finite upper bound */
    bool wrote;
    TARN_TRY(
        put_value(out, a->key, first, sec == SEC_MIN ? &a->min : &a->max, sec == SEC_MAX, &wrote));
    *any |= wrote;
    return TARN_OK;
}

static tarn_status put_section(tarn_buf *out, tarn_delta_stats_collector *c, const char *name,
                               enum section sec)
{
    size_t mark = out->len;
    TARN_TRY(tarn_buf_append_char(out, ','));
    TARN_TRY(tarn_buf_append_json_str(out, name, strlen(name)));
    TARN_TRY(tarn_buf_append_str(out, ":{"));
    bool first = true, any = false;
    for (int i = 0; i < c->n_cols; i++)
        TARN_TRY(put_acc(out, &c->cols[i], sec, &first, &any));
    if (!any && sec != SEC_NULLS) {
        out->len = mark;
        out->data[mark] = '\0';
        return TARN_OK;
    }
    return tarn_buf_append_char(out, '}');
}

/* Takes min/max of top-level columns the writer measured. */
static tarn_status take_writer_minmax(tarn_delta_stats_collector *c,
                                      const tarn_pq_write_result *res, tarn_err *err)
{
    if (!res || res->n_cols != c->n_cols)
        return tarn_err_set(err, TARN_ERR_INTERNAL,
                            "stats: the Parquet writer result does not match the schema");
    for (int i = 0; i < c->n_cols; i++) {
        acc *a = &c->cols[i];
        if (!a->minmax || a->own_minmax)
            continue;
        const tarn_pq_col_result *r = &res->cols[i];
        a->has_minmax = r->has_min_max && r->min.type.id == a->field->type.id;
        if (!a->has_minmax)
            continue;
        a->min = r->min;
        a->max = r->max;
        a->min.type = a->max.type = a->field->type;
    }
    return TARN_OK;
}

tarn_status tarn_delta_stats_collector_json(tarn_delta_stats_collector *c,
                                            const tarn_pq_write_result *res, int64_t num_records,
                                            tarn_buf *out, tarn_err *err)
{
    if (c->opts.writer_minmax)
        TARN_TRY(take_writer_minmax(c, res, err));
    tarn_status st = tarn_buf_printf(out, "{\"numRecords\":%lld", (long long)num_records);
    if (st == TARN_OK)
        st = put_section(out, c, "minValues", SEC_MIN);
    if (st == TARN_OK)
        st = put_section(out, c, "maxValues", SEC_MAX);
    if (st == TARN_OK)
        st = put_section(out, c, "nullCount", SEC_NULLS);
    if (st == TARN_OK && c->opts.tight_bounds)
        st = tarn_buf_append_str(out, ",\"tightBounds\":true");
    if (st == TARN_OK)
        st = tarn_buf_append_char(out, '}');
    if (st != TARN_OK)
        return tarn_err_set(err, st, "stats: cannot build the statistics JSON");
    return TARN_OK;
}

/* Parser ------------------------------------------------------------------ */

typedef struct jp {
    const char *p;   /* next byte */
    const char *end; /* one past the last byte */
    const char *beg; /* start of the text (for offsets) */
    tarn_arena *a;   /* where strings go */
    tarn_err *err;   /* error sink */
} jp;

static tarn_status jp_fail(jp *j, const char *what)
{
    tarn_err_set(j->err, TARN_ERR_CORRUPT, "stats JSON: %s at byte %lld", what,
                 (long long)(j->p - j->beg));
    return TARN_ERR_CORRUPT;
}

static void jp_ws(jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool jp_peek(jp *j, char c)
{
    jp_ws(j);
    return j->p < j->end && *j->p == c;
}

static tarn_status jp_expect(jp *j, char c)
{
    jp_ws(j);
    if (j->p >= j->end || *j->p != c) {
        char what[32];
        snprintf(what, sizeof what, "expected '%c'", c);
        return jp_fail(j, what);
    }
    j->p++;
    return TARN_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool jp_hex4(jp *j, int32_t *out)
{
    if (j->end - j->p < 4)
        return false;
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(j->p[i]);
        if (h < 0)
            return false;
        v = v * 16 + h;
    }
    j->p += 4;
    *out = v;
    return true;
}

/* Decodes the escapes of string body [s, e) into o (room for e - s bytes:
 * no escape grows, \uXXXX becomes at most 4 bytes); *out_k gets the length. */
static tarn_status unescape(jp *j, const char *s, const char *e, char *o, size_t *out_k)
{
    jp sub = *j;
    sub.p = s;
    sub.end = e;
    size_t k = 0;
    while (sub.p < sub.end) {
        char c = *sub.p++;
        if (c != '\\') {
            o[k++] = c;
            continue;
        }
        if (sub.p >= sub.end)
            return jp_fail(j, "bad escape");
        c = *sub.p++;
        static const char from[] = "ntrbf", to[] = "\n\t\r\b\f";
        const char *m = c ? strchr(from, c) : NULL;
        if (m) {
            o[k++] = to[m - from];
        } else if (c == 'u') {
            int32_t cp;
            if (!jp_hex4(&sub, &cp))
                return jp_fail(j, "bad \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF && sub.end - sub.p >= 6 && sub.p[0] == '\\' &&
                sub.p[1] == 'u') {
                sub.p += 2;
                int32_t lo;
                if (!jp_hex4(&sub, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return jp_fail(j, "bad surrogate pair");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            k += (size_t)utf8_encode(cp, (uint8_t *)o + k);
        } else {
            o[k++] = c; /* \" \\ \/ */
        }
    }
    *out_k = k;
    return TARN_OK;
}

/* Parses a string literal into the arena (unescaped, NUL-terminated). */
static tarn_status jp_string(jp *j, char **out, size_t *out_len)
{
    TARN_TRY(jp_expect(j, '"'));
    const char *s = j->p;
    bool esc = false;
    while (j->p < j->end && *j->p != '"') {
        if (*j->p == '\\') {
            esc = true;
            j->p++;
        }
        j->p++;
    }
    if (j->p >= j->end)
        return jp_fail(j, "unterminated string");
    const char *e = j->p++;
    char *o = tarn_arena_alloc(j->a, (size_t)(e - s) + 1);
    if (!o)
        return tarn_err_set(j->err, TARN_ERR_NOMEM, "stats JSON: out of memory");
    size_t k = (size_t)(e - s);
    if (esc)
        TARN_TRY(unescape(j, s, e, o, &k));
    else
        memcpy(o, s, k);
    o[k] = '\0';
    *out = o;
    *out_len = k;
    return TARN_OK;
}

/* Scans a number, true/false/null token: returns its text range. */
static tarn_status jp_token(jp *j, const char **out, size_t *out_len)
{
    jp_ws(j);
    const char *s = j->p;
    while (j->p < j->end && (strchr("+-.eE", *j->p) || (*j->p >= '0' && *j->p <= '9') ||
                             (*j->p >= 'a' && *j->p <= 'z') || (*j->p >= 'A' && *j->p <= 'Z')))
        j->p++;
    if (j->p == s)
        return jp_fail(j, "unexpected character");
    *out = s;
    *out_len = (size_t)(j->p - s);
    return TARN_OK;
}

static tarn_status jp_skip(jp *j, int depth)
{
    if (depth > 64)
        return jp_fail(j, "nesting too deep");
    jp_ws(j);
    if (j->p >= j->end)
        return jp_fail(j, "unexpected end");
    char c = *j->p;
    if (c == '"') {
        char *s;
        size_t n;
        return jp_string(j, &s, &n);
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        if (jp_peek(j, close)) {
            j->p++;
            return TARN_OK;
        }
        for (;;) {
            if (c == '{') {
                char *k;
                size_t kn;
                TARN_TRY(jp_string(j, &k, &kn));
                TARN_TRY(jp_expect(j, ':'));
            }
            TARN_TRY(jp_skip(j, depth + 1));
            if (jp_peek(j, ',')) {
                j->p++;
                continue;
            }
            return jp_expect(j, close);
        }
    }
    const char *t;
    size_t n;
    return jp_token(j, &t, &n);
}

/* A JSON value as text: strings unescaped, other tokens raw. is_null for null. */
typedef struct jval {
    const char *text; /* value text */
    size_t len;       /* its length */
    bool is_string;   /* was a string literal */
    bool is_null;     /* JSON null */
} jval;

static tarn_status jp_scalar(jp *j, jval *v)
{
    memset(v, 0, sizeof *v);
    if (jp_peek(j, '"')) {
        char *s;
        TARN_TRY(jp_string(j, &s, &v->len));
        v->text = s;
        v->is_string = true;
        return TARN_OK;
    }
    TARN_TRY(jp_token(j, &v->text, &v->len));
    v->is_null = v->len == 4 && memcmp(v->text, "null", 4) == 0;
    return TARN_OK;
}

/* Converts a stats value to a scalar of type t; false when it does not fit. */
static bool value_to_scalar(tarn_arena *a, tarn_type t, const jval *v, bool is_max,
                            tarn_scalar *out)
{
    tarn_err e;
    memset(out, 0, sizeof *out);
    out->type = t;
    if (v->is_null)
        return false;
    switch (t.id) {
    case TARN_TYPE_INT8:
    case TARN_TYPE_INT16:
    case TARN_TYPE_INT32:
    case TARN_TYPE_INT64: {
        static const int64_t lim[] = {INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX};
        int64_t hi = lim[t.id - TARN_TYPE_INT8];
        return !v->is_string &&
               tarn_parse_int(v->text, v->len, -hi - 1, hi, &out->v.i64, &e) == TARN_OK;
    }
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64: {
        double d;
        if (tarn_parse_double(v->text, v->len, &d, &e) != TARN_OK || isnan(d))
            return false;
        if (t.id == TARN_TYPE_FLOAT32) {
            /* Rounding to the nearest float may cross the bound: widen by
             * one ulp unless the text was exactly a float. */
            float f = (float)d;
            if ((double)f != d && !isinf(d))
                f = is_max ? nextafterf(f, INFINITY) : nextafterf(f, -INFINITY);
            d = f;
        }
        out->v.f64 = d;
        return true;
    }
    case TARN_TYPE_DECIMAL:
        return tarn_parse_decimal(v->text, v->len, t.precision, t.scale, &out->v.i128, &e) ==
               TARN_OK;
    case TARN_TYPE_STRING:
        if (!v->is_string)
            return false;
        out->bytes = (const uint8_t *)v->text;
        out->len = (int32_t)v->len;
        return true;
    case TARN_TYPE_DATE: {
        int32_t d;
        if (!v->is_string || tarn_parse_date(v->text, v->len, &d, &e) != TARN_OK)
            return false;
        out->v.i64 = d;
        return true;
    }
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ: {
        if (!v->is_string)
            return false;
        bool ntz = t.id == TARN_TYPE_TIMESTAMP_NTZ;
        if (tarn_parse_timestamp(v->text, v->len, ntz, &out->v.i64, &e) != TARN_OK) {
            /* some writers put a zone on ntz values or none on timestamps */
            if (tarn_parse_timestamp(v->text, v->len, !ntz, &out->v.i64, &e) != TARN_OK)
                return false;
        }
        if (is_max && tarn_floormod(out->v.i64, 1000) == 0)
            out->v.i64 += 999; /* written at ms precision, truncated */
        return true;
    }
    case TARN_TYPE_BOOL:
        if (v->is_string)
            return false;
        if (v->len == 4 && memcmp(v->text, "true", 4) == 0)
            out->v.b = true;
        else if (!(v->len == 5 && memcmp(v->text, "false", 5) == 0))
            return false;
        return true;
    default:
        (void)a;
        return false;
    }
}

static const char *field_key(const tarn_field *f)
{
    return f->physical_name ? f->physical_name : f->name;
}

/* Index of the field whose stats key is k; tries *hint first. */
static int find_field(const tarn_field *fields, int n, const char *k, int *hint)
{
    if (*hint < n && strcmp(field_key(&fields[*hint]), k) == 0)
        return (*hint)++;
    for (int i = 0; i < n; i++)
        if (strcmp(field_key(&fields[i]), k) == 0) {
            *hint = i + 1;
            return i;
        }
    return -1;
}

static tarn_status alloc_children(jp *j, const tarn_field *f, tarn_delta_col_stats *cs)
{
    if (cs->children || f->n_children == 0)
        return TARN_OK;
    cs->children = tarn_arena_calloc(j->a, (size_t)f->n_children, sizeof *cs->children);
    if (!cs->children)
        return tarn_err_set(j->err, TARN_ERR_NOMEM, "stats JSON: out of memory");
    cs->n_children = f->n_children;
    return TARN_OK;
}

/* Parses one of minValues / maxValues / nullCount into cols (for fields). */
static tarn_status parse_section(jp *j, const tarn_field *fields, int n, tarn_delta_col_stats *cols,
                                 enum section sec, int depth)
{
    if (depth > TARN_PQ_MAX_NESTING)
        return jp_fail(j, "nesting too deep");
    if (!jp_peek(j, '{'))
        return jp_skip(j, depth); /* not an object: ignore */
    j->p++;
    if (jp_peek(j, '}')) {
        j->p++;
        return TARN_OK;
    }
    int hint = 0;
    for (;;) {
        char *k;
        size_t kn;
        TARN_TRY(jp_string(j, &k, &kn));
        TARN_TRY(jp_expect(j, ':'));
        int i = find_field(fields, n, k, &hint);
        if (i < 0) {
            TARN_TRY(jp_skip(j, depth + 1));
        } else if (fields[i].type.id == TARN_TYPE_STRUCT) {
            TARN_TRY(alloc_children(j, &fields[i], &cols[i]));
            TARN_TRY(parse_section(j, fields[i].children, fields[i].n_children, cols[i].children,
                                   sec, depth + 1));
        } else if (jp_peek(j, '{') || jp_peek(j, '[')) {
            TARN_TRY(jp_skip(j, depth + 1));
        } else {
            jval v;
            TARN_TRY(jp_scalar(j, &v));
            tarn_delta_col_stats *cs = &cols[i];
            if (sec == SEC_NULLS) {
                int64_t x;
                tarn_err e;
                if (!v.is_string &&
                    tarn_parse_int(v.text, v.len, 0, INT64_MAX, &x, &e) == TARN_OK) {
                    cs->has_null_count = true;
                    cs->null_count = x;
                }
            } else if (sec == SEC_MIN) {
                cs->has_min = value_to_scalar(j->a, fields[i].type, &v, false, &cs->min);
            } else {
                cs->has_max = value_to_scalar(j->a, fields[i].type, &v, true, &cs->max);
            }
        }
        if (jp_peek(j, ',')) {
            j->p++;
            continue;
        }
        return jp_expect(j, '}');
    }
}

static void init_cols(tarn_delta_col_stats *cols, const tarn_field *fields, int n)
{
    for (int i = 0; i < n; i++) {
        memset(&cols[i], 0, sizeof cols[i]);
        cols[i].min.type = cols[i].max.type = fields[i].type;
    }
}

tarn_status tarn_delta_stats_parse(const char *json, size_t len, const tarn_schema *schema,
                                   tarn_arena *a, tarn_delta_file_stats *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->tight_bounds = true;
    out->n_cols = schema->n_fields;
    out->cols =
        tarn_arena_calloc(a, (size_t)(schema->n_fields ? schema->n_fields : 1), sizeof *out->cols);
    if (!out->cols)
        return tarn_err_set(err, TARN_ERR_NOMEM, "stats JSON: out of memory");
    init_cols(out->cols, schema->fields, schema->n_fields);
    jp j = {json, json + len, json, a, err};
    TARN_TRY(jp_expect(&j, '{'));
    bool empty = jp_peek(&j, '}');
    if (empty)
        j.p++;
    while (!empty) {
        char *k;
        size_t kn;
        TARN_TRY(jp_string(&j, &k, &kn));
        TARN_TRY(jp_expect(&j, ':'));
        if (strcmp(k, "numRecords") == 0) {
            jval v;
            TARN_TRY(jp_scalar(&j, &v));
            tarn_err e;
            out->has_num_records = !v.is_string && tarn_parse_int(v.text, v.len, 0, INT64_MAX,
                                                                  &out->num_records, &e) == TARN_OK;
        } else if (strcmp(k, "tightBounds") == 0) {
            jval v;
            TARN_TRY(jp_scalar(&j, &v));
            out->tight_bounds = !(v.len == 5 && memcmp(v.text, "false", 5) == 0);
        } else if (strcmp(k, "minValues") == 0) {
            TARN_TRY(parse_section(&j, schema->fields, schema->n_fields, out->cols, SEC_MIN, 0));
        } else if (strcmp(k, "maxValues") == 0) {
            TARN_TRY(parse_section(&j, schema->fields, schema->n_fields, out->cols, SEC_MAX, 0));
        } else if (strcmp(k, "nullCount") == 0) {
            TARN_TRY(parse_section(&j, schema->fields, schema->n_fields, out->cols, SEC_NULLS, 0));
        } else {
            TARN_TRY(jp_skip(&j, 0));
        }
        if (jp_peek(&j, ',')) {
            j.p++;
            continue;
        }
        TARN_TRY(jp_expect(&j, '}'));
        break;
    }
    jp_ws(&j);
    if (j.p != j.end)
        return jp_fail(&j, "trailing bytes");
    return TARN_OK;
}

/* Fills partition column i's bounds from its serialized value. */
static tarn_status partition_bounds(const tarn_delta_snapshot *snap, const tarn_delta_add *add,
                                    int col, tarn_arena *a, tarn_delta_file_stats *out,
                                    tarn_err *err)
{
    const tarn_field *f = &snap->schema->fields[col];
    tarn_delta_col_stats *cs = &out->cols[col];
    const char *key = f->physical_name ? f->physical_name : f->name;
    const char *v = tarn_delta_kv_get(add->partition_values, add->n_partition_values, key);
    if (!v && f->physical_name)
        v = tarn_delta_kv_get(add->partition_values, add->n_partition_values, f->name);
    tarn_scalar s;
    TARN_TRY(tarn_delta_partition_parse(a, f->type, v, &s, err));
    memset(cs, 0, sizeof *cs);
    cs->min.type = cs->max.type = f->type;
    if (s.is_null) {
        cs->has_null_count = out->has_num_records;
        cs->null_count = out->num_records;
        return TARN_OK;
    }
    cs->has_min = cs->has_max = true;
    cs->min = cs->max = s;
    cs->has_null_count = true;
    cs->null_count = 0;
    return TARN_OK;
}

tarn_status tarn_delta_file_stats_for_add(const tarn_delta_snapshot *snap,
                                          const tarn_delta_add *add, tarn_arena *a,
                                          tarn_delta_file_stats *out, bool *out_has, tarn_err *err)
{
    *out_has = add->stats != NULL;
    if (add->stats) {
        TARN_TRY(tarn_delta_stats_parse(add->stats, strlen(add->stats), snap->schema, a, out, err));
    } else {
        memset(out, 0, sizeof *out);
        out->tight_bounds = true;
        out->n_cols = snap->schema->n_fields;
        out->cols =
            tarn_arena_calloc(a, (size_t)(out->n_cols ? out->n_cols : 1), sizeof *out->cols);
        if (!out->cols)
            return tarn_err_set(err, TARN_ERR_NOMEM, "stats: out of memory");
        init_cols(out->cols, snap->schema->fields, snap->schema->n_fields);
    }
    for (int i = 0; i < snap->n_partition_columns; i++) {
        int col = snap->partition_column_index[i];
        if (col >= 0 && col < out->n_cols)
            TARN_TRY(partition_bounds(snap, add, col, a, out, err));
    }
    return TARN_OK;
}
