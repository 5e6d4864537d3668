/*
 * delta/scan.h - reading the rows of a Delta snapshot as column batches.
 *
 * A scan walks the snapshot's active files in order. For each file it maps
 * the table's logical columns to Parquet columns (by physical name or field
 * id under column mapping, else by name; a column missing from an older
 * file reads as NULL), fills partition columns from add.partitionValues
 * (never from directory names), drops the rows of the file's deletion
 * vector by physical position, and casts where the file's type differs
 * legitimately from the table's (narrower integers, float to double,
 * timestamp with or without zone, nanosecond timestamps that are whole
 * microseconds, decimals of smaller precision or scale, binary/string).
 * Any other difference is TARN_ERR_UNSUPPORTED naming the column and file.
 * The scan borrows the snapshot, which must outlive it.
 */
#ifndef TARN_DELTA_SCAN_H
#define TARN_DELTA_SCAN_H

#include "column/vec.h"
#include "delta/snapshot.h"
#include "parquet/reader.h"

/* Names of the hidden columns added by with_file_info. */
#define TARN_DELTA_COL_FILE      "_file"      /* string: add.path as written in the log */
#define TARN_DELTA_COL_ROW_INDEX "_row_index" /* int64: physical row position in the file */

typedef struct tarn_delta_scan tarn_delta_scan;

typedef struct tarn_delta_scan_opts {
    const char *const *columns; /* logical column names in output order; NULL = all */
    int n_columns;              /* entries in columns */
    bool (*keep_file)(void *ctx, const tarn_delta_snapshot *snap,
                      const tarn_delta_add *add); /* file filter; NULL = every file */
    void *keep_ctx;                               /* passed to keep_file */
    bool with_file_info; /* append TARN_DELTA_COL_FILE and TARN_DELTA_COL_ROW_INDEX */
    const tarn_delta_add *const *files; /* scan exactly these adds (borrowed, in this order,
                                           keep_file still applies) instead of snap->files;
                                           NULL = the snapshot's files */
    int n_files;                        /* entries in files */
    bool (*keep_row_group)(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add,
                           const tarn_pq_file *pf,
                           int row_group); /* row-group filter (by the file's statistics),
                                              called for files without a deletion vector
                                              when with_file_info is off; NULL = all */
    void *rg_ctx;                          /* passed to keep_row_group */
} tarn_delta_scan_opts;

/* Starts a scan of snap; opts may be NULL (all columns, all files). An
 * unknown column is TARN_ERR_NOT_FOUND. Close with tarn_delta_scan_close. */
TARN_MUST_CHECK tarn_status tarn_delta_scan_open(const tarn_delta_snapshot *snap,
                                                 const tarn_delta_scan_opts *opts,
                                                 tarn_delta_scan **out, tarn_err *err);
/* Schema of the batches: the projected logical columns (then the hidden
 * ones). Owned by the scan. */
const tarn_schema *tarn_delta_scan_schema(const tarn_delta_scan *s);
/* Next non-empty batch, or *out = NULL at the end. The batch belongs to the
 * scan and stays valid until the next call or close. */
TARN_MUST_CHECK tarn_status tarn_delta_scan_next(tarn_delta_scan *s, tarn_batch **out,
                                                 tarn_err *err);
/* Files opened so far and rows dropped by deletion vectors (for tests and
 * EXPLAIN-style output). */
int64_t tarn_delta_scan_files_read(const tarn_delta_scan *s);
int64_t tarn_delta_scan_rows_deleted(const tarn_delta_scan *s);
void tarn_delta_scan_close(tarn_delta_scan *s);

#endif
