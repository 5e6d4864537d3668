/*
 * parquet/footer.h - decoding Parquet metadata (FileMetaData, PageHeader)
 * from Thrift compact bytes into the structs of parquet/format.h.
 *
 * The decoders never read outside the given buffer, check every list length
 * against a TARN_PQ_MAX_* ceiling and the remaining bytes before allocating,
 * and validate enum values. Names and strings are copied into the caller's
 * arena; statistics bytes point into the input buffer, which must outlive
 * the decoded structs. Failures are TARN_ERR_CORRUPT with the file offset
 * (base_offset + position) set in the tarn_err.
 */
#ifndef TARN_PARQUET_FOOTER_H
#define TARN_PARQUET_FOOTER_H

#include "parquet/format.h"

/* Decodes a FileMetaData of n bytes at p, which sit at file offset
 * base_offset. Arrays and strings are allocated in a; *out is overwritten. */
TARN_MUST_CHECK tarn_status tarn_pq_footer_decode(const uint8_t *p, size_t n, int64_t base_offset,
                                                  tarn_arena *a, tarn_pq_file_meta *out,
                                                  tarn_err *err);

/* Decodes one PageHeader from the front of [p, p+n) (file offset
 * base_offset); *out_len receives the header's size in bytes. Needs no
 * allocation: statistics point into p. */
TARN_MUST_CHECK tarn_status tarn_pq_page_header_decode(const uint8_t *p, size_t n,
                                                       int64_t base_offset,
                                                       tarn_pq_page_header *out, size_t *out_len,
                                                       tarn_err *err);

/* Name of a page type ("DATA_PAGE", ...) for messages. */
const char *tarn_pq_page_type_name(tarn_pq_page_type t);
/* Name of a repetition ("REQUIRED", "OPTIONAL", "REPEATED"). */
const char *tarn_pq_repetition_name(tarn_pq_repetition r);
/* Human-readable logical type ("STRING", "DECIMAL(10,2)", "TIMESTAMP(MICROS,UTC)",
 * "INTEGER(8,unsigned)") written into out; "" when none. Returns out. */
const char *tarn_pq_logical_format(const tarn_pq_logical *lt, char *out, size_t cap);

#endif
