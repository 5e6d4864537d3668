/*
 * parquet/writer.h - writing column batches to a Parquet file.
 *
 * Any tarn schema, nested STRUCT/LIST/MAP included (Delta checkpoints need
 * them), with the standard logical-type annotations (see reader.h for the
 * mapping). Per column chunk: dictionary encoding (RLE_DICTIONARY with a
 * PLAIN dictionary page) that falls back to PLAIN when the dictionary grows
 * past dictionary_max_bytes; RLE/bit-packed definition and repetition
 * levels; data page v1 (v2 optional); statistics (min/max/null count) in the
 * column metadata and footer. Rows are buffered up to row_group_bytes of
 * uncompressed data, then the row group's column chunks are encoded and
 * compressed in parallel on the default thread pool and written in order.
 *
 * The file is written in place; tarn_pq_writer_abort() removes it. Callers
 * that need atomic visibility (Delta) write to a fresh name and publish it
 * through their commit.
 */
#ifndef TARN_PARQUET_WRITER_H
#define TARN_PARQUET_WRITER_H

#include "column/scalar.h"
#include "column/vec.h"
#include "parquet/format.h"

typedef struct tarn_pq_writer tarn_pq_writer;

typedef struct tarn_pq_write_opts {
    tarn_pq_codec codec;          /* default TARN_PQ_ZSTD */
    int level;                    /* codec level, 0 = default */
    int64_t row_group_bytes;      /* uncompressed bytes per row group (0: 8 MiB, about
                                     150k rows of a 9-column table: small enough that
                                     tarn and DuckDB decode a file row group by row
                                     group with little memory, and measured fastest
                                     for both writing and reading, see README) */
    int64_t page_bytes;           /* target uncompressed page size (0: 1 MiB) */
    bool no_dictionary;           /* disable dictionary encoding */
    int64_t dictionary_max_bytes; /* fallback to PLAIN above this (0: 1 MiB) */
    int data_page_version;        /* 1 (default, 0 means 1) or 2 */
    const char *created_by;       /* NULL: "tarn version X" */
    int n_kv;                     /* footer key/value metadata */
    const tarn_pq_kv *kv;
} tarn_pq_write_opts;

/* Sets the defaults above. */
void tarn_pq_write_opts_init(tarn_pq_write_opts *o);

/* Statistics of one top-level column over the whole file. min/max bytes
 * live in the writer's result arena (see tarn_pq_writer_close). Nested
 * columns report null_count only (has_min_max false). */
typedef struct tarn_pq_col_result {
    int64_t null_count; /* rows where the column is null */
    bool has_min_max;   /* min and max are set (false for all-null, nested,
                           or float columns holding only NaN) */
    tarn_scalar min;    /* smallest non-null value (NaN ignored) */
    tarn_scalar max;    /* largest non-null value (NaN ignored) */
} tarn_pq_col_result;

typedef struct tarn_pq_write_result {
    int64_t num_rows;         /* rows written */
    int64_t file_size;        /* bytes on disk */
    int n_cols;               /* = schema columns */
    tarn_pq_col_result *cols; /* per top-level column */
    tarn_arena *arena;        /* owns cols and stat bytes; caller destroys */
} tarn_pq_write_result;

/* Creates path and prepares to write batches of schema (copied). */
TARN_MUST_CHECK tarn_status tarn_pq_writer_open(const char *path, const tarn_schema *schema,
                                                const tarn_pq_write_opts *opts,
                                                tarn_pq_writer **out, tarn_err *err);
/* Appends the batch's rows (schema must match the writer's). */
TARN_MUST_CHECK tarn_status tarn_pq_writer_write(tarn_pq_writer *w, const tarn_batch *b,
                                                 tarn_err *err);
/* Flushes the last row group, writes the footer, fsyncs and closes. On
 * success *out_result (may be NULL) receives the statistics; the caller
 * destroys out_result->arena. The writer is freed in every case. */
TARN_MUST_CHECK tarn_status tarn_pq_writer_close(tarn_pq_writer *w,
                                                 tarn_pq_write_result *out_result, tarn_err *err);
/* Stops writing, removes the partial file, frees the writer. NULL is a no-op. */
void tarn_pq_writer_abort(tarn_pq_writer *w);

/* Rows accepted so far (written or still buffered). */
int64_t tarn_pq_writer_num_rows(const tarn_pq_writer *w);
/* Bytes already in the file plus the uncompressed estimate of the rows
 * buffered for the current row group: an upper bound of the final size
 * minus the footer, for callers that roll files at a target size. */
int64_t tarn_pq_writer_size_estimate(const tarn_pq_writer *w);

#endif
