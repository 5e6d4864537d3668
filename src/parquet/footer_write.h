/*
 * parquet/footer_write.h - serializing Parquet metadata (FileMetaData,
 * PageHeader and everything inside them) with the Thrift compact writer.
 *
 * The structs are the ones of parquet/format.h, filled by the writer; the
 * few fields the reader side does not model (page encoding stats, exact-
 * bound flags) come in a parallel tarn_pq_chunk_extra array. Output is
 * appended to a tarn_buf; the only failures are allocation and
 * malformed input structs (TARN_ERR_INTERNAL).
 */
#ifndef TARN_PARQUET_FOOTER_WRITE_H
#define TARN_PARQUET_FOOTER_WRITE_H

#include "base/buf.h"
#include "parquet/format.h"

/* One PageEncodingStats entry: how many pages of a type used an encoding. */
typedef struct tarn_pq_enc_stat {
    tarn_pq_page_type page_type; /* 1 */
    tarn_pq_encoding encoding;   /* 2 */
    int32_t count;               /* 3 */
} tarn_pq_enc_stat;

/* Per column chunk extras (ColumnMetaData / Statistics fields that
 * format.h does not carry). */
typedef struct tarn_pq_chunk_extra {
    int n_enc_stats;                   /* entries in enc_stats (0: omit field 13) */
    const tarn_pq_enc_stat *enc_stats; /* ColumnMetaData.encoding_stats */
    int8_t max_exact;                  /* Statistics.is_max_value_exact: -1 absent, 0, 1 */
    int8_t min_exact;                  /* Statistics.is_min_value_exact: -1 absent, 0, 1 */
} tarn_pq_chunk_extra;

/* Appends a PageHeader. */
TARN_MUST_CHECK tarn_status tarn_pq_page_header_write(const tarn_pq_page_header *h, tarn_buf *out,
                                                      tarn_err *err);

/* Appends a FileMetaData. extra, when not NULL, holds one entry per column
 * chunk in row-group order (extra[rg * n_columns + col]). Column orders:
 * m->n_column_orders TypeDefinedOrder entries (one per leaf) when > 0. */
TARN_MUST_CHECK tarn_status tarn_pq_file_meta_write(const tarn_pq_file_meta *m,
                                                    const tarn_pq_chunk_extra *extra, tarn_buf *out,
                                                    tarn_err *err);

/* Appends one SchemaElement / Statistics struct (exposed for tests). */
TARN_MUST_CHECK tarn_status tarn_pq_schema_element_write(const tarn_pq_schema_element *e,
                                                         tarn_buf *out, tarn_err *err);

#endif
