/*
 * column/render.h - turning vector values into text: canonical NDJSON
 * (DESIGN.md), plain text for CSV and tables.
 *
 * Appends to a tarn_buf; never allocates per value beyond the buffer's own
 * growth. Nested values (struct, list, map) render recursively and need the
 * field for member names.
 */
#ifndef TARN_COLUMN_RENDER_H
#define TARN_COLUMN_RENDER_H

#include "column/vec.h"

/* One value as canonical JSON (null, number, string, object, array). */
TARN_MUST_CHECK tarn_status tarn_render_json_value(tarn_buf *out, const tarn_field *f,
                                                   const tarn_vec *v, int64_t row);
/* Rows [0, n_rows) of the batch as NDJSON lines (one object each, keys in
 * schema order). */
TARN_MUST_CHECK tarn_status tarn_render_ndjson(tarn_buf *out, const tarn_batch *b);
/* One value as plain text: strings unquoted, null as "" (csv) or null_text. */
TARN_MUST_CHECK tarn_status tarn_render_text_value(tarn_buf *out, const tarn_field *f,
                                                   const tarn_vec *v, int64_t row,
                                                   const char *null_text);
/* Header line of column names, RFC 4180 quoting. */
TARN_MUST_CHECK tarn_status tarn_render_csv_header(tarn_buf *out, const tarn_schema *s);
/* Rows as CSV lines, RFC 4180 quoting; null is an empty field. */
TARN_MUST_CHECK tarn_status tarn_render_csv(tarn_buf *out, const tarn_batch *b);
/* Appends s as a CSV field, quoted when it holds a comma, quote or newline. */
TARN_MUST_CHECK tarn_status tarn_render_csv_field(tarn_buf *out, const char *s, size_t n);

#endif
