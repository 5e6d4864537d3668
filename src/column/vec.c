/*
 * column/vec.c - vector and batch memory management, appends and copies.
 *
 * Growth doubles (minimum 64 values); buffers are kept on reset. The
 * validity bitmap is allocated lazily; when present, every appended value
 * sets its bit explicitly.
 */
#include "column/vec.h"

#include "base/alloc.h"

#include <string.h>

#define VEC_MAX_VALUES (INT64_C(1) << 40)

static tarn_vec *vec_alloc(tarn_type t)
{
    tarn_vec *v = tarn_calloc(1, sizeof *v);
    if (v)
        v->type = t;
    return v;
}

tarn_vec *tarn_vec_create_type(tarn_type t)
{
    if (tarn_type_is_nested(t.id))
        return NULL;
    return vec_alloc(t);
}

tarn_vec *tarn_vec_create(const tarn_field *f)
{
    tarn_vec *v = vec_alloc(f->type);
    if (!v)
        return NULL;
    if (!tarn_type_is_nested(f->type.id))
        return v;
    int n = f->n_children;
    if (f->type.id == TARN_TYPE_LIST && n != 1)
        goto fail;
    if (f->type.id == TARN_TYPE_MAP && n != 2)
        goto fail;
    if (n > 0) {
        v->children = tarn_calloc((size_t)n, sizeof *v->children);
        if (!v->children)
            goto fail;
        v->n_children = n;
        for (int i = 0; i < n; i++) {
            v->children[i] = tarn_vec_create(&f->children[i]);
            if (!v->children[i])
                goto fail;
        }
    }
    return v;
fail:
    tarn_vec_destroy(v);
    return NULL;
}

void tarn_vec_destroy(tarn_vec *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->n_children; i++)
        tarn_vec_destroy(v->children[i]);
    tarn_free(v->children);
    tarn_free(v->validity);
    tarn_free(v->validity_spare);
    tarn_free(v->data);
    tarn_free(v->offsets);
    tarn_free(v->bytes);
    tarn_free(v);
}

void tarn_vec_reset(tarn_vec *v)
{
    v->len = 0;
    v->null_count = 0;
    v->bytes_len = 0;
    if (v->validity) {
        /* "No nulls" is a NULL bitmap; park the memory for the next batch. */
        tarn_free(v->validity_spare);
        v->validity_spare = v->validity;
        v->validity = NULL;
    }
    if (v->offsets)
        v->offsets[0] = 0;
    for (int i = 0; i < v->n_children; i++)
        tarn_vec_reset(v->children[i]);
}

static bool uses_offsets(tarn_type_id id)
{
    return id == TARN_TYPE_STRING || id == TARN_TYPE_BINARY || id == TARN_TYPE_LIST ||
           id == TARN_TYPE_MAP;
}

tarn_status tarn_vec_reserve(tarn_vec *v, int64_t n)
{
    if (n < 0 || v->len > VEC_MAX_VALUES - n)
        return TARN_ERR_LIMIT;
    int64_t need = v->len + n;
    if (need <= v->cap && (v->data || !tarn_type_is_fixed(v->type.id)) &&
        (v->offsets || !uses_offsets(v->type.id)))
        return TARN_OK;
    int64_t cap = v->cap ? v->cap : 64;
    while (cap < need)
        cap *= 2;
    size_t nbits = (size_t)(cap + 7) / 8;
    int w = tarn_type_width(v->type);
    if (v->type.id == TARN_TYPE_BOOL) {
        uint8_t *d = tarn_realloc(v->data, nbits);
        if (!d)
            return TARN_ERR_NOMEM;
        v->data = d;
    } else if (w > 0) {
        uint8_t *d = tarn_realloc(v->data, (size_t)cap * (size_t)w);
        if (!d)
            return TARN_ERR_NOMEM;
        v->data = d;
    }
    if (uses_offsets(v->type.id)) {
        bool fresh = v->offsets == NULL;
        int32_t *o = tarn_realloc(v->offsets, (size_t)(cap + 1) * sizeof(int32_t));
        if (!o)
            return TARN_ERR_NOMEM;
        v->offsets = o;
        if (fresh)
            o[0] = 0;
    }
    if (v->validity) {
        uint8_t *b = tarn_realloc(v->validity, nbits);
        if (!b)
            return TARN_ERR_NOMEM;
        v->validity = b;
    }
    if (v->validity_spare) {
        tarn_free(v->validity_spare); /* too small now; reallocated on demand */
        v->validity_spare = NULL;
    }
    v->cap = cap;
    return TARN_OK;
}

tarn_status tarn_vec_reserve_bytes(tarn_vec *v, int64_t n)
{
    if (n < 0 || v->bytes_len > INT32_MAX - n)
        return TARN_ERR_LIMIT; /* int32 offsets: a batch holds < 2 GiB of text */
    int64_t need = v->bytes_len + n;
    if (need <= v->bytes_cap && v->bytes)
        return TARN_OK;
    int64_t cap = v->bytes_cap ? v->bytes_cap : 1024;
    while (cap < need)
        cap *= 2;
    if (cap > INT32_MAX)
        cap = INT32_MAX;
    uint8_t *p = tarn_realloc(v->bytes, (size_t)cap);
    if (!p)
        return TARN_ERR_NOMEM;
    v->bytes = p;
    v->bytes_cap = cap;
    return TARN_OK;
}

tarn_status tarn_vec_ensure_validity(tarn_vec *v)
{
    if (v->validity)
        return TARN_OK;
    int64_t cap = v->cap ? v->cap : 64;
    size_t nbits = (size_t)(cap + 7) / 8;
    if (v->validity_spare && v->cap) {
        v->validity = v->validity_spare; /* sized for cap by reserve() */
        v->validity_spare = NULL;
    } else {
        v->validity = tarn_alloc(nbits);
        if (!v->validity)
            return TARN_ERR_NOMEM;
    }
    memset(v->validity, 0xff, nbits);
    return TARN_OK;
}

int64_t tarn_vec_get_int(const tarn_vec *v, int64_t i)
{
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        return tarn_bit_get(v->data, i);
    case TARN_TYPE_INT8:
        return ((const int8_t *)v->data)[i];
    case TARN_TYPE_INT16:
        return ((const int16_t *)v->data)[i];
    case TARN_TYPE_INT32:
    case TARN_TYPE_DATE:
        return ((const int32_t *)v->data)[i];
    case TARN_TYPE_UINT8:
        return ((const uint8_t *)v->data)[i];
    case TARN_TYPE_UINT16:
        return ((const uint16_t *)v->data)[i];
    case TARN_TYPE_UINT32:
        return ((const uint32_t *)v->data)[i];
    case TARN_TYPE_DECIMAL:
        return (int64_t)tarn_vec_get_decimal(v, i);
    default:
        return ((const int64_t *)v->data)[i];
    }
}

/* Marks the value at v->len (about to be appended) valid or null. */
static inline tarn_status mark(tarn_vec *v, bool valid)
{
    if (!valid) {
        TARN_TRY(tarn_vec_ensure_validity(v));
        tarn_bit_set(v->validity, v->len, false);
        v->null_count++;
    } else if (v->validity) {
        tarn_bit_set(v->validity, v->len, true);
    }
    return TARN_OK;
}

tarn_status tarn_vec_append_null(tarn_vec *v)
{
    TARN_TRY(tarn_vec_reserve(v, 1));
    TARN_TRY(mark(v, false));
    int w = tarn_type_width(v->type);
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        tarn_bit_set(v->data, v->len, false);
        break;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
    case TARN_TYPE_LIST:
    case TARN_TYPE_MAP:
        v->offsets[v->len + 1] = v->offsets[v->len];
        break;
    case TARN_TYPE_STRUCT:
        for (int i = 0; i < v->n_children; i++)
            TARN_TRY(tarn_vec_append_null(v->children[i]));
        break;
    default:
        if (w > 0)
            memset(v->data + v->len * w, 0, (size_t)w);
    }
    v->len++;
    return TARN_OK;
}

tarn_status tarn_vec_append_nulls(tarn_vec *v, int64_t n)
{
    TARN_TRY(tarn_vec_reserve(v, n));
    for (int64_t i = 0; i < n; i++)
        TARN_TRY(tarn_vec_append_null(v));
    return TARN_OK;
}

tarn_status tarn_vec_append_fixed(tarn_vec *v, const void *p)
{
    TARN_TRY(tarn_vec_reserve(v, 1));
    TARN_TRY(mark(v, true));
    int w = tarn_type_width(v->type);
    memcpy(v->data + v->len * w, p, (size_t)w);
    v->len++;
    return TARN_OK;
}

tarn_status tarn_vec_append_bool(tarn_vec *v, bool b)
{
    TARN_TRY(tarn_vec_reserve(v, 1));
    TARN_TRY(mark(v, true));
    tarn_bit_set(v->data, v->len, b);
    v->len++;
    return TARN_OK;
}

tarn_status tarn_vec_append_i64(tarn_vec *v, int64_t x)
{
    return tarn_vec_append_fixed(v, &x);
}

tarn_status tarn_vec_append_i32(tarn_vec *v, int32_t x)
{
    return tarn_vec_append_fixed(v, &x);
}

tarn_status tarn_vec_append_f64(tarn_vec *v, double x)
{
    return tarn_vec_append_fixed(v, &x);
}

tarn_status tarn_vec_append_decimal(tarn_vec *v, tarn_i128 x)
{
    if (tarn_decimal_is_wide(v->type))
        return tarn_vec_append_fixed(v, &x);
    int64_t n = (int64_t)x;
    return tarn_vec_append_fixed(v, &n);
}

tarn_status tarn_vec_append_bytes(tarn_vec *v, const void *p, int64_t n)
{
    TARN_TRY(tarn_vec_reserve(v, 1));
    TARN_TRY(tarn_vec_reserve_bytes(v, n));
    TARN_TRY(mark(v, true));
    if (n)
        memcpy(v->bytes + v->bytes_len, p, (size_t)n);
    v->bytes_len += n;
    v->offsets[v->len + 1] = (int32_t)v->bytes_len;
    v->len++;
    return TARN_OK;
}

tarn_status tarn_vec_copy_validity(tarn_vec *dst, const tarn_vec *src, int64_t start, int64_t n)
{
    if (!src->validity) {
        if (dst->validity)
            for (int64_t i = 0; i < n; i++)
                tarn_bit_set(dst->validity, dst->len + i, true);
        return TARN_OK;
    }
    TARN_TRY(tarn_vec_ensure_validity(dst));
    for (int64_t i = 0; i < n; i++) {
        bool ok = tarn_bit_get(src->validity, start + i);
        tarn_bit_set(dst->validity, dst->len + i, ok);
        dst->null_count += !ok;
    }
    return TARN_OK;
}

tarn_status tarn_vec_append_range(tarn_vec *dst, const tarn_vec *src, int64_t start, int64_t n)
{
    if (n <= 0)
        return TARN_OK;
    TARN_TRY(tarn_vec_reserve(dst, n));
    TARN_TRY(tarn_vec_copy_validity(dst, src, start, n));
    int w = tarn_type_width(dst->type);
    switch (dst->type.id) {
    case TARN_TYPE_BOOL:
        for (int64_t i = 0; i < n; i++)
            tarn_bit_set(dst->data, dst->len + i, tarn_bit_get(src->data, start + i));
        break;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY: {
        int32_t b0 = src->offsets[start], b1 = src->offsets[start + n];
        TARN_TRY(tarn_vec_reserve_bytes(dst, b1 - b0));
        if (b1 > b0) /* an all-null source may have no payload buffer at all */
            memcpy(dst->bytes + dst->bytes_len, src->bytes + b0, (size_t)(b1 - b0));
        int32_t shift = (int32_t)dst->bytes_len - b0;
        for (int64_t i = 1; i <= n; i++)
            dst->offsets[dst->len + i] = src->offsets[start + i] + shift;
        dst->bytes_len += b1 - b0;
        break;
    }
    case TARN_TYPE_LIST:
    case TARN_TYPE_MAP: {
        int32_t c0 = src->offsets[start], c1 = src->offsets[start + n];
        int32_t shift = (int32_t)dst->children[0]->len - c0;
        for (int i = 0; i < dst->n_children; i++)
            TARN_TRY(tarn_vec_append_range(dst->children[i], src->children[i], c0, c1 - c0));
        for (int64_t i = 1; i <= n; i++)
            dst->offsets[dst->len + i] = src->offsets[start + i] + shift;
        break;
    }
    case TARN_TYPE_STRUCT:
        for (int i = 0; i < dst->n_children; i++)
            TARN_TRY(tarn_vec_append_range(dst->children[i], src->children[i], start, n));
        break;
    default:
        memcpy(dst->data + dst->len * w, src->data + start * w, (size_t)(n * w));
    }
    dst->len += n;
    return TARN_OK;
}

tarn_status tarn_vec_append_take(tarn_vec *dst, const tarn_vec *src, const int64_t *idx, int64_t n)
{
    if (n <= 0)
        return TARN_OK;
    int w = tarn_type_width(dst->type);
    if (w > 0 && dst->type.id != TARN_TYPE_BOOL) {
        TARN_TRY(tarn_vec_reserve(dst, n));
        for (int64_t i = 0; i < n; i++) {
            if (src->validity || dst->validity) {
                bool ok = tarn_vec_is_valid(src, idx[i]);
                if (!ok)
                    TARN_TRY(tarn_vec_ensure_validity(dst));
                if (dst->validity)
                    tarn_bit_set(dst->validity, dst->len, ok);
                dst->null_count += !ok;
            }
            memcpy(dst->data + dst->len * w, src->data + idx[i] * w, (size_t)w);
            dst->len++;
        }
        return TARN_OK;
    }
    /* Variable-width and nested: one row at a time through append_range. */
    for (int64_t i = 0; i < n; i++)
        TARN_TRY(tarn_vec_append_range(dst, src, idx[i], 1));
    return TARN_OK;
}

void tarn_vec_count_nulls(tarn_vec *v)
{
    if (!v->validity) {
        v->null_count = 0;
        return;
    }
    int64_t nulls = 0;
    for (int64_t i = 0; i < v->len; i++)
        nulls += !tarn_bit_get(v->validity, i);
    v->null_count = nulls;
}

tarn_batch *tarn_batch_create(const tarn_schema *schema)
{
    tarn_batch *b = tarn_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->schema = schema;
    b->n_cols = schema->n_fields;
    b->cols = tarn_calloc((size_t)(b->n_cols ? b->n_cols : 1), sizeof *b->cols);
    if (!b->cols)
        goto fail;
    for (int i = 0; i < b->n_cols; i++) {
        b->cols[i] = tarn_vec_create(&schema->fields[i]);
        if (!b->cols[i])
            goto fail;
    }
    return b;
fail:
    tarn_batch_destroy(b);
    return NULL;
}

void tarn_batch_destroy(tarn_batch *b)
{
    if (!b)
        return;
    if (b->cols)
        for (int i = 0; i < b->n_cols; i++)
            tarn_vec_destroy(b->cols[i]);
    tarn_free(b->cols);
    tarn_free(b);
}

void tarn_batch_reset(tarn_batch *b)
{
    for (int i = 0; i < b->n_cols; i++)
        tarn_vec_reset(b->cols[i]);
    b->n_rows = 0;
}

tarn_status tarn_batch_finish(tarn_batch *b, tarn_err *err)
{
    int64_t n = b->n_cols ? b->cols[0]->len : b->n_rows;
    for (int i = 1; i < b->n_cols; i++)
        if (b->cols[i]->len != n)
            return tarn_err_set(err, TARN_ERR_INTERNAL,
                                "batch column %d has %lld rows, column 0 has %lld", i,
                                (long long)b->cols[i]->len, (long long)n);
    b->n_rows = n;
    return TARN_OK;
}

tarn_status tarn_batch_append_range(tarn_batch *dst, const tarn_batch *src, int64_t start,
                                    int64_t n)
{
    for (int i = 0; i < dst->n_cols; i++)
        TARN_TRY(tarn_vec_append_range(dst->cols[i], src->cols[i], start, n));
    dst->n_rows += n;
    return TARN_OK;
}

tarn_status tarn_vec_append_key(tarn_buf *k, const tarn_vec *v, int64_t i)
{
    if (tarn_vec_is_null(v, i))
        return tarn_buf_append_char(k, 0);
    TARN_TRY(tarn_buf_append_char(k, 1));
    if (v->type.id == TARN_TYPE_BOOL)
        return tarn_buf_append_char(k, (char)tarn_vec_get_bool(v, i));
    if (tarn_type_is_varlen(v->type.id)) {
        int32_t len;
        const uint8_t *p = tarn_vec_get_bytes(v, i, &len);
        TARN_TRY(tarn_buf_append(k, &len, sizeof len));
        return tarn_buf_append(k, p, (size_t)len);
    }
    int w = tarn_type_width(v->type);
    return tarn_buf_append(k, v->data + i * w, (size_t)w);
}
