/*
 * io/records.h - the raw records of a text input, as received: NDJSON lines,
 * JSON values (the elements of a top-level array, or concatenated values),
 * CSV/TSV rows. Bronze ingestion stores them unchanged, so nothing here
 * interprets a record beyond finding where it ends and, for JSON, whether it
 * is valid JSON.
 *
 * Input is read in chunks (compressed or not, see tarn_io_src), so memory is
 * bounded by the chunk size plus the longest record.
 */
#ifndef TARN_IO_RECORDS_H
#define TARN_IO_RECORDS_H

#include "io/reader.h"

typedef struct tarn_io_record {
    const uint8_t *text; /* record bytes without the line end (borrowed until the next call) */
    size_t len;
    int64_t line;      /* 1-based line where the record starts */
    int64_t offset;    /* byte offset of its start in the decompressed input */
    const char *error; /* NULL, or why a JSON record is not valid JSON ("line 1, column 9:
                          expected ':' after an object key"), borrowed like text */
} tarn_io_record;

typedef struct tarn_io_records tarn_io_records;

/* Opens path; AUTO fields of opts (may be NULL) are detected as by
 * tarn_io_detect. CSV/TSV: a header row is expected unless opts->header is
 * 0; it is returned by tarn_io_records_header, not as a record. */
TARN_MUST_CHECK tarn_status tarn_io_records_open(const char *path, const tarn_io_opts *opts,
                                                 tarn_io_records **out, tarn_err *err);
/* The same over memory (borrowed until close); name is used for detection. */
TARN_MUST_CHECK tarn_status tarn_io_records_open_mem(const void *data, size_t n, const char *name,
                                                     const tarn_io_opts *opts,
                                                     tarn_io_records **out, tarn_err *err);
/* The records of the raw bytes [offset, offset + length) of an
 * uncompressed file, for reading one file in parallel ranges: opts must
 * name the format (NDJSON: offset at a line start) and compression NONE;
 * line numbers start at first_line and offsets at offset. */
TARN_MUST_CHECK tarn_status tarn_io_records_open_range(const char *path, const tarn_io_opts *opts,
                                                       int64_t offset, int64_t length,
                                                       int64_t first_line, tarn_io_records **out,
                                                       tarn_err *err);
/* Options after detection (format, compression, delimiter). */
const tarn_io_opts *tarn_io_records_opts(const tarn_io_records *r);
/* CSV/TSV header row as text (available after the first next()), or NULL. */
const char *tarn_io_records_header(const tarn_io_records *r);
/* The next records (at least one), or *n = 0 at the end. Records and their
 * errors stay valid until the next call. Errors: I/O, broken compression,
 * a record longer than opts->max_record_size. */
TARN_MUST_CHECK tarn_status tarn_io_records_next(tarn_io_records *r, const tarn_io_record **out,
                                                 int *n, tarn_err *err);
/* Raw (compressed) bytes read so far. */
int64_t tarn_io_records_bytes_read(const tarn_io_records *r);
void tarn_io_records_close(tarn_io_records *r);

/* Checks that [p, p+n) is exactly one JSON value (RFC 8259, nesting up to
 * 512 levels). Returns NULL when it is, else a message written into msg
 * ("column 9: expected ':' after an object key"). */
const char *tarn_json_check(const uint8_t *p, size_t n, char *msg, size_t cap);

#endif
