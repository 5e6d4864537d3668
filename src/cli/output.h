/*
 * cli/output.h - writing result batches to stdout as NDJSON, CSV or an
 * aligned text table, with an optional row limit.
 *
 * NDJSON and CSV stream batch by batch through one reusable buffer. The
 * table format buffers at most `limit` rows (default 1000) as text to size
 * its columns, then prints them with a row-count footer.
 */
#ifndef TARN_CLI_OUTPUT_H
#define TARN_CLI_OUTPUT_H

#include "column/vec.h"

#include <stdio.h>

typedef enum tarn_cli_format {
    TARN_CLI_NDJSON,
    TARN_CLI_CSV,
    TARN_CLI_TABLE
} tarn_cli_format;

typedef struct tarn_cli_output tarn_cli_output;

/* Parses "ndjson", "json" (alias), "csv", "table". */
TARN_MUST_CHECK tarn_status tarn_cli_format_parse(const char *s, tarn_cli_format *out,
                                                  tarn_err *err);
/* limit < 0: no limit (table format then defaults to 1000 rows). */
tarn_cli_output *tarn_cli_output_create(FILE *f, tarn_cli_format fmt, const tarn_schema *schema,
                                        int64_t limit);
/* Writes the batch's rows (up to the limit). */
TARN_MUST_CHECK tarn_status tarn_cli_output_write(tarn_cli_output *o, const tarn_batch *b,
                                                  tarn_err *err);
/* True once the limit is reached (callers may stop reading). */
bool tarn_cli_output_full(const tarn_cli_output *o);
/* Flushes (prints the table) and frees. */
TARN_MUST_CHECK tarn_status tarn_cli_output_finish(tarn_cli_output *o, tarn_err *err);
void tarn_cli_output_destroy(tarn_cli_output *o);
int64_t tarn_cli_output_rows(const tarn_cli_output *o);

#endif
