/*
 * parquet/decode.h - Parquet value and level encodings: RLE/bit-packed
 * hybrid, deprecated BIT_PACKED, PLAIN, dictionary indices,
 * DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
 * BYTE_STREAM_SPLIT; and the physical -> logical conversions.
 *
 * Decoders are streaming cursors over one page's bytes: each call decodes
 * exactly the n values asked for (in bulk: 8 bit-packed values per step,
 * one memcpy for PLAIN fixed width) or fails with TARN_ERR_CORRUPT; they
 * never read outside [p, p+n) and never loop without consuming input. The
 * byte offset of a failure is added by the caller, which knows the page.
 * Little-endian hosts only (checked at compile time).
 */
#ifndef TARN_PARQUET_DECODE_H
#define TARN_PARQUET_DECODE_H

#include "column/vec.h"
#include "parquet/format.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "parquet/decode.c assumes a little-endian host"
#endif

/* Bit unpacking (exposed for tests) ----------------------------------------- */

/* Unpacks groups*8 values of bit_width bits (0..32), LSB first, from in
 * (groups*bit_width bytes) into out. */
void tarn_pq_unpack32(const uint8_t *in, uint32_t *out, int64_t groups, int bit_width);
/* The same for 0..64 bits into 64-bit values. */
void tarn_pq_unpack64(const uint8_t *in, uint64_t *out, int64_t groups, int bit_width);

/* RLE / bit-packed hybrid ----------------------------------------------------- */

typedef struct tarn_pq_rle {
    const uint8_t *p;   /* next unread byte */
    const uint8_t *end; /* end of the encoded data */
    int bit_width;      /* 0..32 bits per value */
    uint64_t rle_left;  /* values left in the current RLE run */
    uint32_t rle_value; /* the repeated value of that run */
    uint64_t bp_left;   /* values left in the current bit-packed run */
    uint32_t buf[8];    /* one unpacked group, for requests ending mid-group */
    uint32_t buf_pos;   /* next value in buf */
    uint32_t buf_len;   /* values in buf */
} tarn_pq_rle;

/* Starts decoding n bytes at p with the given bit width (0..32). */
void tarn_pq_rle_init(tarn_pq_rle *r, const uint8_t *p, size_t n, int bit_width);
/* Decodes exactly n values into out, or TARN_ERR_CORRUPT if the data ends. */
TARN_MUST_CHECK tarn_status tarn_pq_rle_get(tarn_pq_rle *r, uint32_t *out, int64_t n,
                                            tarn_err *err);
/* Decodes n levels (each must be <= max_level) into out; *out_n_max
 * receives how many equal max_level. */
TARN_MUST_CHECK tarn_status tarn_pq_rle_get_levels(tarn_pq_rle *r, uint8_t *out, int64_t n,
                                                   int max_level, int64_t *out_n_max,
                                                   tarn_err *err);

/* Deprecated BIT_PACKED levels (MSB first, no runs): n levels from
 * [p, p+len) into out, each <= max_level; *out_n_max as above. */
TARN_MUST_CHECK tarn_status tarn_pq_bitpacked_levels(const uint8_t *p, size_t len, int bit_width,
                                                     uint8_t *out, int64_t n, int max_level,
                                                     int64_t *out_n_max, tarn_err *err);

/* Bits needed for values 0..max (0 for max 0). */
int tarn_pq_bit_width(uint64_t max);

/* DELTA_BINARY_PACKED ----------------------------------------------------------- */

typedef struct tarn_pq_dbp {
    const uint8_t *p;        /* next unread byte */
    const uint8_t *end;      /* end of the buffer */
    uint64_t per_mini;       /* values per miniblock (multiple of 32) */
    uint64_t n_mini;         /* miniblocks per block */
    uint64_t total;          /* values in the stream (header) */
    uint64_t left;           /* values not returned yet */
    uint64_t last;           /* previous value (wrapping arithmetic) */
    bool first_pending;      /* the header's first value is not returned yet */
    uint64_t min_delta;      /* current block's minimum delta */
    const uint8_t *widths;   /* current block's miniblock bit widths */
    uint64_t mini;           /* current miniblock in the block */
    uint64_t mini_left;      /* values left in the current miniblock */
    int width;               /* current miniblock's bit width */
    const uint8_t *mini_end; /* end of the current miniblock (clamped) */
    uint64_t buf[8];         /* one unpacked group of deltas */
    uint32_t buf_pos;        /* next delta in buf */
    uint32_t buf_len;        /* deltas in buf */
} tarn_pq_dbp;

/* Reads the stream header at p (n bytes); fails when the header is invalid
 * or announces more than max_values values. */
TARN_MUST_CHECK tarn_status tarn_pq_dbp_init(tarn_pq_dbp *d, const uint8_t *p, size_t n,
                                             uint64_t max_values, tarn_err *err);
/* Decodes exactly n values (n <= d->left). */
TARN_MUST_CHECK tarn_status tarn_pq_dbp_get(tarn_pq_dbp *d, int64_t *out, int64_t n, tarn_err *err);
/* After every value was read: the first byte after the stream. */
const uint8_t *tarn_pq_dbp_end(const tarn_pq_dbp *d);

/* Page value decoder ------------------------------------------------------------ */

typedef struct tarn_pq_values {
    tarn_pq_encoding enc; /* encoding of the current page */
    tarn_pq_type phys;    /* physical type */
    int32_t width;        /* bytes per fixed-width value (FLBA: type_length) */
    const uint8_t *p;     /* cursor in the values section */
    const uint8_t *end;   /* end of the values section */
    int64_t left;         /* values the page can still deliver (upper bound) */
    tarn_pq_rle rle;      /* dictionary indices, RLE booleans */
    int bit;              /* PLAIN BOOLEAN: next bit in *p */
    tarn_pq_dbp dbp;      /* DELTA_BINARY_PACKED */
    int64_t *lens;        /* DELTA_*_BYTE_ARRAY lengths (owned, reused) */
    int64_t *prefix;      /* DELTA_BYTE_ARRAY prefix lengths (owned, reused) */
    int64_t lens_cap;     /* entries allocated in lens and prefix */
    int64_t n_lens;       /* entries in use */
    int64_t idx;          /* next entry (also BYTE_STREAM_SPLIT index) */
    int64_t bss_n;        /* BYTE_STREAM_SPLIT: values in the page */
    uint8_t *prev;        /* DELTA_BYTE_ARRAY previous value (owned) */
    int64_t prev_len;     /* bytes in prev */
    int64_t prev_cap;     /* bytes allocated in prev */
} tarn_pq_values;

void tarn_pq_values_init(tarn_pq_values *v);
void tarn_pq_values_fini(tarn_pq_values *v);
/* Starts a page: enc for values of physical type phys (width bytes each
 * when fixed), n bytes at p, at most n_values values. Dictionary
 * encodings read their bit-width byte here. */
TARN_MUST_CHECK tarn_status tarn_pq_values_start(tarn_pq_values *v, tarn_pq_encoding enc,
                                                 tarn_pq_type phys, int32_t width, const uint8_t *p,
                                                 size_t n, int64_t n_values, tarn_err *err);
/* Dictionary indices (PLAIN_DICTIONARY / RLE_DICTIONARY pages); each index
 * is checked against dict_len. */
TARN_MUST_CHECK tarn_status tarn_pq_values_indices(tarn_pq_values *v, uint32_t *out, int64_t n,
                                                   int64_t dict_len, tarn_err *err);
/* Fixed-width physical values (INT32, INT64, INT96, FLOAT, DOUBLE, FLBA):
 * n * width bytes into dst. */
TARN_MUST_CHECK tarn_status tarn_pq_values_fixed(tarn_pq_values *v, uint8_t *dst, int64_t n,
                                                 tarn_err *err);
/* BOOLEAN values as 0/1 bytes. */
TARN_MUST_CHECK tarn_status tarn_pq_values_bools(tarn_pq_values *v, uint8_t *dst, int64_t n,
                                                 tarn_err *err);
/* BYTE_ARRAY values (or FLBA through DELTA_BYTE_ARRAY) appended to a
 * STRING/BINARY vector (validity untouched). */
TARN_MUST_CHECK tarn_status tarn_pq_values_bytes(tarn_pq_values *v, tarn_vec *dst, int64_t n,
                                                 tarn_err *err);
/* True when the encoding yields dictionary indices. */
static inline bool tarn_pq_encoding_is_dict(tarn_pq_encoding e)
{
    return e == TARN_PQ_ENC_PLAIN_DICTIONARY || e == TARN_PQ_ENC_RLE_DICTIONARY;
}

/* Physical -> logical conversions -------------------------------------------------- */

typedef enum tarn_pq_conv {
    TARN_PQ_CONV_COPY = 0, /* same bytes (fixed) or straight append (byte arrays) */
    TARN_PQ_CONV_BOOL,     /* 0/1 bytes -> bits */
    TARN_PQ_CONV_I32_I8,   /* narrowing (INT(8)/INT(16), signed or not) */
    TARN_PQ_CONV_I32_I16,
    TARN_PQ_CONV_I32_I64,   /* widen, times mul (TIME millis, DECIMAL) */
    TARN_PQ_CONV_I32_I128,  /* widen to a wide decimal */
    TARN_PQ_CONV_I64_MUL,   /* times mul, overflow is an error (TIMESTAMP millis) */
    TARN_PQ_CONV_I64_I128,  /* widen to a wide decimal */
    TARN_PQ_CONV_INT96_TS,  /* Julian day + nanos -> microseconds */
    TARN_PQ_CONV_F16_F32,   /* IEEE half -> float */
    TARN_PQ_CONV_FLBA_BIN,  /* fixed bytes -> BINARY offsets + bytes */
    TARN_PQ_CONV_BE_DEC64,  /* big-endian two's complement -> int64 decimal */
    TARN_PQ_CONV_BE_DEC128, /* ... -> tarn_i128 decimal */
    TARN_PQ_CONV_BA_DEC64,  /* BYTE_ARRAY big-endian -> int64 decimal (per value) */
    TARN_PQ_CONV_BA_DEC128, /* BYTE_ARRAY big-endian -> tarn_i128 decimal */
} tarn_pq_conv;

/* Converts n fixed-width physical values (src_width bytes each) into n
 * logical values written to dst (fixed-width conversions only). */
TARN_MUST_CHECK tarn_status tarn_pq_convert_fixed(tarn_pq_conv conv, const uint8_t *src,
                                                  int32_t src_width, int64_t n, uint8_t *dst,
                                                  int64_t mul, tarn_err *err);
/* Decodes one big-endian two's complement integer of n bytes (any n; more
 * than 16 significant bytes is an error) into *out. */
TARN_MUST_CHECK tarn_status tarn_pq_be_int(const uint8_t *p, int32_t n, tarn_i128 *out,
                                           tarn_err *err);
/* INT96 (nanos of day LE int64, Julian day LE int32) -> microseconds since
 * the epoch, computed like Spark (which wrote most INT96 data): 64-bit
 * wrapping arithmetic, nanoseconds truncated. Spark stores timestamps past
 * the int64 Julian-microsecond range (year 290000) wrapped, and this undoes
 * exactly that wrap. */
int64_t tarn_pq_int96_to_micros(const uint8_t p[12]);
/* IEEE 754 half precision bits -> float. */
float tarn_pq_half_to_float(uint16_t h);

#endif
