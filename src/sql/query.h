/*
 * sql/query.h - running one SQL statement over the lake: binding names to
 * Delta tables and columns, typing expressions, and executing the query
 * with the vectorized operators of exec/.
 *
 * Tables: `layer.name` is the Delta table LAKE/<layer>/<name>; a quoted
 * 'path' is a Delta table directory or a Parquet file; read_parquet('path')
 * and delta_scan('path') read one too. Each operator materialises its
 * result column by column (scans read only the columns the query names and
 * skip files whose statistics exclude the WHERE clause of a single-table
 * query). EXPLAIN runs the query and reports every step with its rows and,
 * per scan, the files read and skipped.
 */
#ifndef TARN_SQL_QUERY_H
#define TARN_SQL_QUERY_H

#include "column/vec.h"

typedef struct tarn_sql_opts {
    const char *lake; /* lake directory for layer.name tables */
} tarn_sql_opts;

typedef struct tarn_sql_result {
    tarn_schema *schema; /* result columns (names as the query gives them) */
    tarn_batch *batch;   /* every result row */
    char *explain;       /* EXPLAIN: the plan text (schema/batch hold it as rows too) */
    int64_t files_scanned, files_skipped; /* over every scan of the query */
    int64_t rows_scanned;
    int64_t bytes_read, bytes_total; /* Delta data files read, of all the tables' files */
} tarn_sql_result;

/* Runs sql. Errors about the query are "line L, column C: ..." with
 * err->offset the byte offset of the problem in sql (-1 when none applies). */
TARN_MUST_CHECK tarn_status tarn_sql_run(const char *sql, const tarn_sql_opts *o,
                                         tarn_sql_result **out, tarn_err *err);
void tarn_sql_result_destroy(tarn_sql_result *r);
/* "12.3 kB" below a megabyte, else "4.5 MB" (decimal units). */
const char *tarn_sql_fmt_bytes(int64_t b, char out[32]);

#endif
