/*
 * parquet/thrift.h - Thrift compact protocol, the encoding of Parquet
 * metadata (footer, page headers).
 *
 * Reader: a cursor over a byte range that never reads outside it; every
 * read returns TARN_ERR_CORRUPT (with the byte offset) on truncated or
 * malformed input, and nesting deeper than TARN_THRIFT_MAX_DEPTH is refused.
 * Writer: appends to a tarn_buf; errors are sticky in w->st so a sequence of
 * writes is checked once at the end.
 */
#ifndef TARN_PARQUET_THRIFT_H
#define TARN_PARQUET_THRIFT_H

#include "base/buf.h"
#include "base/status.h"

#define TARN_THRIFT_MAX_DEPTH 32

typedef enum tarn_thrift_type {
    TARN_THRIFT_STOP = 0,
    TARN_THRIFT_TRUE = 1, /* boolean field with value true */
    TARN_THRIFT_FALSE = 2,
    TARN_THRIFT_BYTE = 3,
    TARN_THRIFT_I16 = 4,
    TARN_THRIFT_I32 = 5,
    TARN_THRIFT_I64 = 6,
    TARN_THRIFT_DOUBLE = 7,
    TARN_THRIFT_BINARY = 8,
    TARN_THRIFT_LIST = 9,
    TARN_THRIFT_SET = 10,
    TARN_THRIFT_MAP = 11,
    TARN_THRIFT_STRUCT = 12
} tarn_thrift_type;

typedef struct tarn_thrift_reader {
    const uint8_t *start; /* beginning of the buffer (for offsets) */
    const uint8_t *p;     /* next byte */
    const uint8_t *end;   /* one past the last byte */
    int64_t base_offset;  /* file offset of start, for messages */
    int depth;            /* current struct/container nesting */
    tarn_err *err;        /* where failures are reported */
} tarn_thrift_reader;

void tarn_thrift_reader_init(tarn_thrift_reader *r, const void *p, size_t n, int64_t base_offset,
                             tarn_err *err);
/* Bytes consumed so far. */
static inline size_t tarn_thrift_consumed(const tarn_thrift_reader *r)
{
    return (size_t)(r->p - r->start);
}
/* Reads a field header. *last_id carries the previous field id of the
 * enclosing struct (start at 0). *out_type is TARN_THRIFT_STOP at the end. */
TARN_MUST_CHECK tarn_status tarn_thrift_read_field(tarn_thrift_reader *r, int16_t *last_id,
                                                   int16_t *out_id, uint8_t *out_type);
TARN_MUST_CHECK tarn_status tarn_thrift_read_byte(tarn_thrift_reader *r, int8_t *out);
TARN_MUST_CHECK tarn_status tarn_thrift_read_i16(tarn_thrift_reader *r, int16_t *out);
TARN_MUST_CHECK tarn_status tarn_thrift_read_i32(tarn_thrift_reader *r, int32_t *out);
TARN_MUST_CHECK tarn_status tarn_thrift_read_i64(tarn_thrift_reader *r, int64_t *out);
TARN_MUST_CHECK tarn_status tarn_thrift_read_double(tarn_thrift_reader *r, double *out);
/* Binary/string: points into the buffer (not copied, not NUL-terminated). */
TARN_MUST_CHECK tarn_status tarn_thrift_read_binary(tarn_thrift_reader *r, const uint8_t **out,
                                                    int32_t *out_len);
/* A boolean list element (one byte). */
TARN_MUST_CHECK tarn_status tarn_thrift_read_bool_elem(tarn_thrift_reader *r, bool *out);
/* List/set header; n is checked against max before returning. */
TARN_MUST_CHECK tarn_status tarn_thrift_read_list(tarn_thrift_reader *r, uint8_t *out_elem_type,
                                                  int32_t *out_n, int32_t max);
/* Skips a value of the given type (recursively for containers). */
TARN_MUST_CHECK tarn_status tarn_thrift_skip(tarn_thrift_reader *r, uint8_t type);
/* Enter/leave a nested struct (depth accounting). */
TARN_MUST_CHECK tarn_status tarn_thrift_enter(tarn_thrift_reader *r);
static inline void tarn_thrift_leave(tarn_thrift_reader *r)
{
    r->depth--;
}
/* Sets a TARN_ERR_CORRUPT error at the reader's position. */
tarn_status tarn_thrift_corrupt(tarn_thrift_reader *r, const char *what);

typedef struct tarn_thrift_writer {
    tarn_buf *out;                          /* destination */
    int16_t last_id[TARN_THRIFT_MAX_DEPTH]; /* per open struct */
    int depth;                              /* open structs */
    tarn_status st;                         /* first failure, sticky */
} tarn_thrift_writer;

void tarn_thrift_writer_init(tarn_thrift_writer *w, tarn_buf *out);
/* Top-level or list-element struct. */
void tarn_thrift_struct_begin(tarn_thrift_writer *w);
/* Writes STOP and closes the struct. */
void tarn_thrift_struct_end(tarn_thrift_writer *w);
/* Field header followed by a nested struct (close with struct_end). */
void tarn_thrift_field_struct_begin(tarn_thrift_writer *w, int16_t id);
void tarn_thrift_field_bool(tarn_thrift_writer *w, int16_t id, bool v);
void tarn_thrift_field_byte(tarn_thrift_writer *w, int16_t id, int8_t v);
void tarn_thrift_field_i16(tarn_thrift_writer *w, int16_t id, int16_t v);
void tarn_thrift_field_i32(tarn_thrift_writer *w, int16_t id, int32_t v);
void tarn_thrift_field_i64(tarn_thrift_writer *w, int16_t id, int64_t v);
void tarn_thrift_field_double(tarn_thrift_writer *w, int16_t id, double v);
void tarn_thrift_field_binary(tarn_thrift_writer *w, int16_t id, const void *p, size_t n);
void tarn_thrift_field_string(tarn_thrift_writer *w, int16_t id, const char *s);
/* Field header + list header; then write n elements with the *_elem calls
 * (or struct_begin/struct_end for struct elements). */
void tarn_thrift_field_list(tarn_thrift_writer *w, int16_t id, uint8_t elem_type, int32_t n);
void tarn_thrift_i32_elem(tarn_thrift_writer *w, int32_t v);
void tarn_thrift_i64_elem(tarn_thrift_writer *w, int64_t v);
void tarn_thrift_binary_elem(tarn_thrift_writer *w, const void *p, size_t n);
/* Raw varint/zigzag for callers that need them. */
void tarn_thrift_write_varint(tarn_thrift_writer *w, uint64_t v);

#endif
