/*
 * parquet/encode.h - value encoders for the Parquet writer: RLE/bit-packed
 * hybrid (levels, dictionary indices), PLAIN, dictionaries, and min/max
 * statistics in the Parquet sort orders.
 *
 * Every function works on whole arrays (one call per page or column chunk,
 * never per value) and appends to a tarn_buf, so hot loops stay inside this
 * file. Nothing here allocates per value: a dictionary grows its hash table
 * by doubling. Inputs come from tarn itself (not from files), so the only
 * failures are TARN_ERR_NOMEM / TARN_ERR_LIMIT from buffer growth.
 */
#ifndef TARN_PARQUET_ENCODE_H
#define TARN_PARQUET_ENCODE_H

#include "base/buf.h"
#include "base/status.h"
#include "parquet/decode.h" /* tarn_pq_bit_width */

/* Upper bound of the bytes tarn_pq_rle_encode_* appends for n values. */
size_t tarn_pq_rle_max_size(int64_t n, int bit_width);

/* RLE/bit-packed hybrid encoding (Parquet Encodings.md) of n values of
 * bit_width bits (1..32), without the 4-byte length prefix. Runs of 8 or
 * more equal values become RLE runs, everything else bit-packed groups of 8
 * (the last group zero-padded). */
TARN_MUST_CHECK tarn_status tarn_pq_rle_encode_u8(const uint8_t *v, int64_t n, int bit_width,
                                                  tarn_buf *out);
TARN_MUST_CHECK tarn_status tarn_pq_rle_encode_u32(const uint32_t *v, int64_t n, int bit_width,
                                                   tarn_buf *out);

/* Reference decoder of the hybrid encoding (tests, and sanity checks):
 * decodes exactly n values from p[0..len). TARN_ERR_CORRUPT when the input
 * ends early or holds a run longer than n. */
TARN_MUST_CHECK tarn_status tarn_pq_rle_decode_u32(const uint8_t *p, size_t len, int bit_width,
                                                   uint32_t *out, int64_t n, tarn_err *err);

/* PLAIN BOOLEAN: n values (0/1 bytes) bit-packed LSB first. */
TARN_MUST_CHECK tarn_status tarn_pq_plain_bool(const uint8_t *v, int64_t n, tarn_buf *out);

/* PLAIN BYTE_ARRAY: 4-byte little-endian length + bytes per value. Value k
 * is entry idx[k] (or k when idx is NULL) of the offsets/bytes pair. */
TARN_MUST_CHECK tarn_status tarn_pq_plain_byte_array(const int32_t *offsets, const uint8_t *bytes,
                                                     const uint32_t *idx, int64_t n, tarn_buf *out);
/* Bytes tarn_pq_plain_byte_array would append for values [0, n). */
int64_t tarn_pq_plain_byte_array_size(const int32_t *offsets, const uint32_t *idx, int64_t n);

/* Dictionaries -------------------------------------------------------------- */

/* What a dictionary keys on: fixed-width values compared as bit patterns
 * (so -0.0/+0.0 and NaN payloads stay distinct), or byte strings. */
typedef enum tarn_pq_dict_kind {
    TARN_PQ_DICT_FIXED4, /* INT32, FLOAT */
    TARN_PQ_DICT_FIXED8, /* INT64, DOUBLE */
    TARN_PQ_DICT_FLBA,   /* FIXED_LEN_BYTE_ARRAY of `width` bytes */
    TARN_PQ_DICT_BYTES   /* BYTE_ARRAY */
} tarn_pq_dict_kind;

typedef struct tarn_pq_dict {
    tarn_pq_dict_kind kind; /* value kind */
    int width;              /* bytes per FIXED/FLBA value; 0 for BYTES */
    uint32_t *slots;        /* open-addressing table: entry index + 1, 0 = empty */
    uint32_t *slot_hash;    /* FLBA: 32 hash bits per slot; BYTES: the same (top bit
                               clear) for long values, 0x80000000 | length for values
                               of at most 8 bytes */
    uint64_t *slot_key;     /* BYTES: a short value's bytes, zero-padded (no memcmp) */
    size_t mask;            /* slot count - 1 (power of two) */
    uint32_t n_entries;     /* distinct values so far */
    tarn_buf plain;         /* the entries PLAIN-encoded: the dictionary page body */
    uint32_t *entry_pos;    /* BYTES: offset of entry i's length prefix in plain */
    uint32_t entry_cap;     /* entries entry_pos can hold */
} tarn_pq_dict;

void tarn_pq_dict_init(tarn_pq_dict *d, tarn_pq_dict_kind kind, int width);
void tarn_pq_dict_fini(tarn_pq_dict *d);
/* Empties the dictionary keeping its memory. */
void tarn_pq_dict_reset(tarn_pq_dict *d);
/* Drops entries [n_entries, current) (after a fallback). The hash table is
 * left stale: call no put after a truncate, only reset. */
void tarn_pq_dict_truncate(tarn_pq_dict *d, uint32_t n_entries, size_t plain_len);

/* Looks up / inserts n values and writes their entry indexes to out_idx.
 * Stops early, returning *out_full = true, as soon as the PLAIN size of the
 * dictionary exceeds max_bytes (out_idx is then partial). Fixed kinds read
 * n * width bytes from vals; BYTES reads entries idx[k] (or k) of
 * offsets/bytes. */
TARN_MUST_CHECK tarn_status tarn_pq_dict_put_fixed(tarn_pq_dict *d, const uint8_t *vals, int64_t n,
                                                   int64_t max_bytes, uint32_t *out_idx,
                                                   bool *out_full);
TARN_MUST_CHECK tarn_status tarn_pq_dict_put_bytes(tarn_pq_dict *d, const int32_t *offsets,
                                                   const uint8_t *bytes, const uint32_t *idx,
                                                   int64_t n, int64_t max_bytes, uint32_t *out_idx,
                                                   bool *out_full);
/* Entry i of a BYTES dictionary. */
static inline const uint8_t *tarn_pq_dict_bytes_entry(const tarn_pq_dict *d, uint32_t i,
                                                      uint32_t *out_len)
{
    const uint8_t *p = (const uint8_t *)d->plain.data + d->entry_pos[i];
    *out_len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return p + 4;
}

/* Statistics ---------------------------------------------------------------- */

/* Sort orders of the Parquet logical types (parquet.thrift ColumnOrder). */
typedef enum tarn_pq_order {
    TARN_PQ_ORDER_I32,   /* signed 32-bit */
    TARN_PQ_ORDER_U32,   /* unsigned 32-bit (UINT_8/16/32) */
    TARN_PQ_ORDER_I64,   /* signed 64-bit */
    TARN_PQ_ORDER_U64,   /* unsigned 64-bit */
    TARN_PQ_ORDER_F32,   /* float, NaN ignored */
    TARN_PQ_ORDER_F64,   /* double, NaN ignored */
    TARN_PQ_ORDER_BOOL,  /* false < true */
    TARN_PQ_ORDER_BYTES, /* unsigned bytewise, shorter prefix first */
    TARN_PQ_ORDER_DEC_BE /* FLBA big-endian two's complement (decimal) */
} tarn_pq_order;

/* Running min/max of one column chunk, as PLAIN-encoded physical values
 * (what Statistics.min_value/max_value hold, without length prefixes). */
typedef struct tarn_pq_minmax {
    tarn_pq_order order; /* comparison in use */
    bool has;            /* min and max are set */
    tarn_buf min;        /* smallest value */
    tarn_buf max;        /* largest value */
} tarn_pq_minmax;

void tarn_pq_minmax_init(tarn_pq_minmax *m, tarn_pq_order order);
void tarn_pq_minmax_fini(tarn_pq_minmax *m);
void tarn_pq_minmax_reset(tarn_pq_minmax *m);
/* Folds n fixed-width values (4, 8 or `width` bytes each; BOOL one 0/1 byte
 * each) into m. Floats: NaN is skipped; a zero min is stored as -0.0 and a
 * zero max as +0.0 (the spec's rule for readers that cannot tell them
 * apart). */
TARN_MUST_CHECK tarn_status tarn_pq_minmax_fixed(tarn_pq_minmax *m, const uint8_t *vals, int64_t n,
                                                 int width);
/* Folds byte strings: entries idx[k] (or k) of offsets/bytes. */
TARN_MUST_CHECK tarn_status tarn_pq_minmax_bytes(tarn_pq_minmax *m, const int32_t *offsets,
                                                 const uint8_t *bytes, const uint32_t *idx,
                                                 int64_t n);
/* Folds the entries of a BYTES dictionary. */
TARN_MUST_CHECK tarn_status tarn_pq_minmax_dict(tarn_pq_minmax *m, const tarn_pq_dict *d);
/* Folds one value (PLAIN bytes) into m. */
TARN_MUST_CHECK tarn_status tarn_pq_minmax_one(tarn_pq_minmax *m, const uint8_t *p, size_t n);
/* Compares two PLAIN-encoded values in order: <0, 0, >0. */
int tarn_pq_order_compare(tarn_pq_order order, const uint8_t *a, size_t an, const uint8_t *b,
                          size_t bn);

/* Truncation of long BYTE_ARRAY bounds for the footer. A lower bound is the
 * first max_len bytes (cut at a UTF-8 character boundary when utf8). An
 * upper bound is the longest prefix of at most max_len bytes whose last
 * byte (an ASCII character when utf8) can be incremented; false when there
 * is none (then no upper bound may be written). Both write into out, which
 * must hold max_len bytes, and set *out_len. */
void tarn_pq_truncate_min(const uint8_t *p, size_t n, size_t max_len, bool utf8, uint8_t *out,
                          size_t *out_len);
bool tarn_pq_truncate_max(const uint8_t *p, size_t n, size_t max_len, bool utf8, uint8_t *out,
                          size_t *out_len);

#endif
