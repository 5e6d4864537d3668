/*
 * parquet/reader.h - reading Parquet files into column batches.
 *
 * tarn_pq_file: an open file with its decoded footer and logical schema
 * (nested STRUCT/LIST/MAP fields included). tarn_pq_scan: a pass over
 * chosen columns and row groups that yields batches of at most
 * TARN_BATCH_ROWS rows. Memory is bounded by one row group's column chunks
 * for the chosen columns: a scan loads a row group, decodes it (column
 * chunks in parallel on the default thread pool), hands out its batches,
 * then moves on.
 *
 * Logical types (what DuckDB reports, see testdata/parquet/README.md):
 * INT32/INT64 with INT(8/16/32/64, signed or not) -> INT8..UINT64; DATE ->
 * DATE; TIME(MICROS/MILLIS) -> TIME (TIME(NANOS) stays INT64 nanoseconds,
 * never truncated); TIMESTAMP(MILLIS/MICROS) -> TIMESTAMP
 * when isAdjustedToUTC else TIMESTAMP_NTZ; TIMESTAMP(NANOS) -> TIMESTAMP_NS
 * (UTC-adjusted nanos -> TIMESTAMP_NS too, value kept in ns); INT96 ->
 * TIMESTAMP; DECIMAL on INT32/INT64/FLBA/BYTE_ARRAY -> DECIMAL; FLOAT16 ->
 * FLOAT32; UUID -> UUID; BYTE_ARRAY with STRING/UTF8/ENUM/JSON -> STRING,
 * otherwise BINARY; FLBA without annotation -> BINARY.
 *
 * Errors: malformed bytes give TARN_ERR_CORRUPT with the path and the byte
 * offset; encrypted files and features tarn lacks give TARN_ERR_UNSUPPORTED
 * naming the feature. Nothing read from the file sizes an allocation before
 * it is checked against the file size or a TARN_PQ_MAX_* ceiling.
 */
#ifndef TARN_PARQUET_READER_H
#define TARN_PARQUET_READER_H

#include "column/scalar.h"
#include "column/vec.h"
#include "parquet/format.h"

typedef struct tarn_pq_file tarn_pq_file;
typedef struct tarn_pq_scan tarn_pq_scan;

/* Opens path and decodes its footer. */
TARN_MUST_CHECK tarn_status tarn_pq_file_open(const char *path, tarn_pq_file **out, tarn_err *err);
void tarn_pq_file_close(tarn_pq_file *f);

/* Logical schema of the top-level columns (owned by the file). */
const tarn_schema *tarn_pq_file_schema(const tarn_pq_file *f);
/* Decoded footer (owned by the file). Named _metadata: tarn_pq_file_meta is
 * the struct's typedef in parquet/format.h. */
const tarn_pq_file_meta *tarn_pq_file_metadata(const tarn_pq_file *f);
int64_t tarn_pq_file_num_rows(const tarn_pq_file *f);
int tarn_pq_file_num_row_groups(const tarn_pq_file *f);
int64_t tarn_pq_file_size(const tarn_pq_file *f);
const char *tarn_pq_file_path(const tarn_pq_file *f);

/* Min/max/null count of a top-level, non-nested column in one row group,
 * decoded to the column's logical type. has_min_max is false when the file
 * holds no usable statistics (absent, or an ordering tarn cannot trust).
 * String/binary bytes point into the file's footer memory. */
typedef struct tarn_pq_stats {
    bool has_null_count; /* null_count is known */
    int64_t null_count;  /* nulls in the chunk */
    bool has_min_max;    /* min and max are set */
    tarn_scalar min;     /* smallest non-null value */
    tarn_scalar max;     /* largest non-null value */
} tarn_pq_stats;

TARN_MUST_CHECK tarn_status tarn_pq_file_column_stats(const tarn_pq_file *f, int row_group,
                                                      int column, tarn_pq_stats *out,
                                                      tarn_err *err);

/* The same for any leaf column (index in column chunk order, see
 * tarn_pq_file_num_leaves), nested ones included. */
TARN_MUST_CHECK tarn_status tarn_pq_file_leaf_stats(const tarn_pq_file *f, int row_group, int leaf,
                                                    tarn_pq_stats *out, tarn_err *err);
/* Leaf columns (= column chunks per row group), their dotted paths and the
 * logical type their values decode to (owned by the file). */
int tarn_pq_file_num_leaves(const tarn_pq_file *f);
const char *tarn_pq_file_leaf_path(const tarn_pq_file *f, int leaf);
tarn_type tarn_pq_file_leaf_type(const tarn_pq_file *f, int leaf);

typedef struct tarn_pq_scan_opts {
    const int *columns;     /* top-level column indexes to read, in this order;
                               NULL = all columns */
    int n_columns;          /* entries in columns */
    const bool *row_groups; /* row_groups[i] false = skip group i; NULL = all */
} tarn_pq_scan_opts;

/* Starts a scan; opts may be NULL (all columns, all row groups). The scan
 * borrows f, which must stay open until tarn_pq_scan_close. */
TARN_MUST_CHECK tarn_status tarn_pq_scan_open(tarn_pq_file *f, const tarn_pq_scan_opts *opts,
                                              tarn_pq_scan **out, tarn_err *err);
/* Schema of the batches this scan yields (owned by the scan). */
const tarn_schema *tarn_pq_scan_schema(const tarn_pq_scan *s);
/* Next batch, or *out = NULL at the end. The batch belongs to the scan and
 * stays valid until the next call or close. */
TARN_MUST_CHECK tarn_status tarn_pq_scan_next(tarn_pq_scan *s, tarn_batch **out, tarn_err *err);
/* Index of the row group the last batch came from, and its first row's
 * position inside that row group (for deletion vectors). */
int tarn_pq_scan_row_group(const tarn_pq_scan *s);
int64_t tarn_pq_scan_row_offset(const tarn_pq_scan *s);
void tarn_pq_scan_close(tarn_pq_scan *s);

#endif
