/*
 * column/scalar.h - one typed value outside a vector: column statistics
 * (min/max), partition values, literals in predicates.
 *
 * Integers, dates, times and timestamps live in v.i64 (uint64 in v.u64),
 * floats (float32 too) in v.f64, decimals in v.i128 (unscaled, any
 * precision), booleans in v.b; STRING/BINARY/UUID point at bytes owned by
 * someone else (a vector, an arena) for as long as the scalar is used.
 */
#ifndef TARN_COLUMN_SCALAR_H
#define TARN_COLUMN_SCALAR_H

#include "column/vec.h"

typedef struct tarn_scalar {
    tarn_type type; /* value type */
    bool is_null;   /* SQL NULL */
    union {
        bool b;
        int64_t i64;
        uint64_t u64;
        double f64;
        tarn_i128 i128;
    } v;                  /* fixed-width payload */
    const uint8_t *bytes; /* STRING/BINARY/UUID payload (borrowed) */
    int32_t len;          /* payload length */
} tarn_scalar;

/* Reads row i of a non-nested vector; bytes are borrowed from the vector. */
void tarn_scalar_from_vec(const tarn_vec *v, int64_t row, tarn_scalar *out);
/* Orders two non-null scalars of the same type: <0, 0, >0. Strings compare
 * bytewise; NaN sorts above every other float. */
int tarn_scalar_compare(const tarn_scalar *a, const tarn_scalar *b);
/* Canonical JSON text of the value (as in NDJSON rendering). */
TARN_MUST_CHECK tarn_status tarn_scalar_render_json(tarn_buf *out, const tarn_scalar *s);
/* Plain text (strings unquoted, binary hex), null as "null". */
TARN_MUST_CHECK tarn_status tarn_scalar_render_text(tarn_buf *out, const tarn_scalar *s);
/* Parses text into a scalar of type t (string bytes copied into arena a, or
 * borrowed from p when a is NULL). */
TARN_MUST_CHECK tarn_status tarn_scalar_parse(tarn_arena *a, tarn_type t, const char *p, size_t n,
                                              tarn_scalar *out, tarn_err *err);
/* Appends the scalar to a vector of the same type. */
TARN_MUST_CHECK tarn_status tarn_vec_append_scalar(tarn_vec *v, const tarn_scalar *s);

#endif
