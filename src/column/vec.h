/*
 * column/vec.h - column vectors and batches in the Arrow memory layout.
 *
 * Storage per type (see column/types.h for ids):
 *   validity  bitmap, bit i set = row i valid; NULL means "no nulls" and is
 *             allocated on the first null.
 *   BOOL      bits in data (LSB first, like Arrow).
 *   fixed     data holds len values of tarn_type_width() bytes.
 *   STRING/BINARY  offsets[len+1] (int32) into bytes.
 *   LIST      offsets[len+1] into children[0].
 *   MAP       offsets[len+1] into children[0] (keys) and children[1] (values).
 *   STRUCT    one child per member, each of length len; a null struct row
 *             still has (null) child rows so all children keep length len.
 * A vector owns its buffers (tarn_alloc) and keeps them across reset(), so a
 * builder reused batch after batch allocates only while it grows. Hot loops
 * reserve first, then write data[] directly and set len once.
 */
#ifndef TARN_COLUMN_VEC_H
#define TARN_COLUMN_VEC_H

#include "column/types.h"

#include <string.h>

/* Rows per batch: large enough to amortise per-batch work, small enough that
 * a batch of a few columns stays in L2. */
#define TARN_BATCH_ROWS 4096

typedef struct tarn_vec {
    tarn_type type;             /* logical type */
    int64_t len;                /* values in use */
    int64_t cap;                /* values allocated in data/offsets/validity */
    int64_t null_count;         /* nulls among the len values */
    uint8_t *validity;          /* bitmap or NULL (all valid) */
    uint8_t *validity_spare;    /* bitmap memory kept across reset() while unused */
    uint8_t *data;              /* fixed-width values / bool bits */
    int32_t *offsets;           /* varlen, list and map: cap+1 entries */
    uint8_t *bytes;             /* varlen payload */
    int64_t bytes_len;          /* payload bytes in use */
    int64_t bytes_cap;          /* payload bytes allocated */
    int n_children;             /* nested: see layout above */
    struct tarn_vec **children; /* owned child vectors */
} tarn_vec;

typedef struct tarn_batch {
    const tarn_schema *schema; /* borrowed; outlives the batch */
    int n_cols;                /* = number of columns */
    tarn_vec **cols;           /* owned vectors, one per column */
    int64_t n_rows;            /* rows in every column */
} tarn_batch;

/* Vectors ------------------------------------------------------------------ */

/* Creates an empty vector for a field (children created recursively). */
tarn_vec *tarn_vec_create(const tarn_field *f);
/* Creates an empty vector of a non-nested type. */
tarn_vec *tarn_vec_create_type(tarn_type t);
void tarn_vec_destroy(tarn_vec *v);
/* Empties the vector (and its children) keeping allocated memory. */
void tarn_vec_reset(tarn_vec *v);
/* Ensures capacity for n more values beyond len. */
TARN_MUST_CHECK tarn_status tarn_vec_reserve(tarn_vec *v, int64_t n);
/* Ensures n more payload bytes for STRING/BINARY. */
TARN_MUST_CHECK tarn_status tarn_vec_reserve_bytes(tarn_vec *v, int64_t n);
/* Allocates the validity bitmap (all current values valid) if missing. */
TARN_MUST_CHECK tarn_status tarn_vec_ensure_validity(tarn_vec *v);

static inline bool tarn_vec_is_valid(const tarn_vec *v, int64_t i)
{
    return !v->validity || ((v->validity[i >> 3] >> (i & 7)) & 1);
}
static inline bool tarn_vec_is_null(const tarn_vec *v, int64_t i)
{
    return !tarn_vec_is_valid(v, i);
}
/* Sets row i's validity bit; requires an allocated bitmap. */
static inline void tarn_bit_set(uint8_t *bits, int64_t i, bool on)
{
    if (on)
        bits[i >> 3] |= (uint8_t)(1u << (i & 7));
    else
        bits[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}
static inline bool tarn_bit_get(const uint8_t *bits, int64_t i)
{
    return (bits[i >> 3] >> (i & 7)) & 1;
}
static inline bool tarn_vec_get_bool(const tarn_vec *v, int64_t i)
{
    return tarn_bit_get(v->data, i);
}
static inline const uint8_t *tarn_vec_get_bytes(const tarn_vec *v, int64_t i, int32_t *out_len)
{
    *out_len = v->offsets[i + 1] - v->offsets[i];
    return v->bytes + v->offsets[i];
}
static inline int64_t tarn_vec_get_i64(const tarn_vec *v, int64_t i)
{
    return ((const int64_t *)v->data)[i];
}
static inline int32_t tarn_vec_get_i32(const tarn_vec *v, int64_t i)
{
    return ((const int32_t *)v->data)[i];
}
static inline double tarn_vec_get_f64(const tarn_vec *v, int64_t i)
{
    return ((const double *)v->data)[i];
}
/* Orders row i of a and row j of b (STRING/BINARY) bytewise, a shorter
 * prefix first: -1, 0 or 1. */
static inline int tarn_vec_cmp_bytes(const tarn_vec *a, int64_t i, const tarn_vec *b, int64_t j)
{
    int32_t la, lb;
    const uint8_t *x = tarn_vec_get_bytes(a, i, &la), *y = tarn_vec_get_bytes(b, j, &lb);
    int c = memcmp(x, y, (size_t)(la < lb ? la : lb));
    if (c)
        return c < 0 ? -1 : 1;
    return (la > lb) - (la < lb);
}
/* Decimal value as 128-bit regardless of storage width. */
static inline tarn_i128 tarn_vec_get_decimal(const tarn_vec *v, int64_t i)
{
    if (tarn_decimal_is_wide(v->type)) {
        tarn_i128 x;
        memcpy(&x, v->data + i * 16, 16);
        return x;
    }
    return ((const int64_t *)v->data)[i];
}
/* Integer value widened to int64 for any signed/unsigned (<64-bit) integer,
 * date or timestamp type. */
int64_t tarn_vec_get_int(const tarn_vec *v, int64_t i);

/* Appends one null (children of structs get a null too, lists get empty). */
TARN_MUST_CHECK tarn_status tarn_vec_append_null(tarn_vec *v);
/* Appends n nulls. */
TARN_MUST_CHECK tarn_status tarn_vec_append_nulls(tarn_vec *v, int64_t n);
/* Appends one fixed-width value (width bytes from p). */
TARN_MUST_CHECK tarn_status tarn_vec_append_fixed(tarn_vec *v, const void *p);
TARN_MUST_CHECK tarn_status tarn_vec_append_bool(tarn_vec *v, bool b);
TARN_MUST_CHECK tarn_status tarn_vec_append_i64(tarn_vec *v, int64_t x);
TARN_MUST_CHECK tarn_status tarn_vec_append_i32(tarn_vec *v, int32_t x);
TARN_MUST_CHECK tarn_status tarn_vec_append_f64(tarn_vec *v, double x);
TARN_MUST_CHECK tarn_status tarn_vec_append_decimal(tarn_vec *v, tarn_i128 x);
/* Appends a STRING/BINARY value. */
TARN_MUST_CHECK tarn_status tarn_vec_append_bytes(tarn_vec *v, const void *p, int64_t n);
/* Appends rows [start, start+n) of src (same type) to dst; deep for nested. */
TARN_MUST_CHECK tarn_status tarn_vec_append_range(tarn_vec *dst, const tarn_vec *src, int64_t start,
                                                  int64_t n);
/* Appends src rows idx[0..n) to dst (gather). */
TARN_MUST_CHECK tarn_status tarn_vec_append_take(tarn_vec *dst, const tarn_vec *src,
                                                 const int64_t *idx, int64_t n);
/* Copies the validity of rows [start, start+n) of src to dst's rows
 * [dst->len, dst->len+n) (capacity reserved by the caller; len unchanged),
 * counting the nulls into dst->null_count. */
TARN_MUST_CHECK tarn_status tarn_vec_copy_validity(tarn_vec *dst, const tarn_vec *src,
                                                   int64_t start, int64_t n);
/* Recounts null_count from the bitmap. */
void tarn_vec_count_nulls(tarn_vec *v);
/* Appends row i of a flat vector to a hash key: a tag byte (0 null, 1 value),
 * then the value bytes (variable-length ones with their length, so the
 * keys of several columns cannot run into each other). */
TARN_MUST_CHECK tarn_status tarn_vec_append_key(tarn_buf *k, const tarn_vec *v, int64_t i);

/* Batches ------------------------------------------------------------------ */

/* Creates an empty batch with one vector per schema column. */
tarn_batch *tarn_batch_create(const tarn_schema *schema);
void tarn_batch_destroy(tarn_batch *b);
/* Empties every column, keeping memory. */
void tarn_batch_reset(tarn_batch *b);
/* Sets n_rows from the first column and checks that all columns agree. */
TARN_MUST_CHECK tarn_status tarn_batch_finish(tarn_batch *b, tarn_err *err);
/* Appends rows [start, start+n) of src (same schema shape). */
TARN_MUST_CHECK tarn_status tarn_batch_append_range(tarn_batch *dst, const tarn_batch *src,
                                                    int64_t start, int64_t n);

#endif
