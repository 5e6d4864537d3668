/*
 * io/reader.h - streaming readers for NDJSON, JSON and CSV/TSV text (plain,
 * gzip or zstd) into column batches of a given schema, plus format detection
 * and schema inference.
 *
 * Conversions are exact (value text -> typed value, never via a lossy path);
 * memory is bounded by a few chunks whatever the file size; every error
 * carries the file, the 1-based line and column and names the field. Batches
 * belong to the reader and stay valid until the next call. See io/README.md.
 */
#ifndef TARN_IO_READER_H
#define TARN_IO_READER_H

#include "base/pool.h"
#include "column/vec.h"

typedef enum tarn_io_format {
    TARN_IO_AUTO = 0, /* detect from the name and the first bytes */
    TARN_IO_NDJSON,   /* one JSON object per line */
    TARN_IO_JSON,     /* a top-level array of objects, or concatenated objects */
    TARN_IO_CSV,      /* RFC 4180, delimiter sniffed unless given */
    TARN_IO_TSV       /* CSV with a tab delimiter */
} tarn_io_format;

typedef enum tarn_io_compression {
    TARN_IO_COMP_AUTO = 0, /* detect from the magic bytes (and the name) */
    TARN_IO_COMP_NONE,     /* plain text */
    TARN_IO_COMP_GZIP,     /* gzip, one or more members */
    TARN_IO_COMP_ZSTD      /* zstd, one or more frames */
} tarn_io_compression;

/* A record the reader could not read, handed to tarn_io_opts.on_bad_record. */
typedef struct tarn_io_bad_record {
    const char *path;    /* input name */
    int64_t line;        /* 1-based line of the failure */
    int64_t col;         /* 1-based column, or 0 when the whole record is at fault */
    const uint8_t *text; /* the raw record without its line end (borrowed for the call) */
    size_t len;          /* bytes at text */
    const char *message; /* why, naming the field ("field 'amount': 'abc' is not ...") */
} tarn_io_bad_record;

/* Called from tarn_io_reader_next, in the caller's thread and in input order;
 * a status other than TARN_OK stops the reader with that error. */
typedef tarn_status (*tarn_io_bad_record_fn)(void *ctx, const tarn_io_bad_record *rec,
                                             tarn_err *err);

typedef struct tarn_io_opts {
    tarn_io_format format;           /* AUTO: detected */
    tarn_io_compression compression; /* AUTO: detected */
    char delimiter;                  /* CSV: 0 = sniff among , \t ; | (TSV: tab) */
    char quote;                      /* CSV quote character (default '"'); 0 = no quoting */
    int header;                      /* CSV: -1 sniff, 0 no header row, 1 header row */
    bool ignore_unknown_fields;      /* default true; false makes unknown keys/columns errors */
    const char *null_text;           /* CSV: unquoted text read as null besides "" (borrowed) */
    size_t chunk_size;               /* bytes parsed per step (default 8 MiB, min 16) */
    size_t max_record_size;          /* longest record accepted (default 256 MiB) */
    int64_t batch_rows;   /* rows per batch at most (default TARN_BATCH_ROWS, max 2^20) */
    int pieces_per_chunk; /* parallel pieces per chunk (0: 2 per pool thread) */
    tarn_pool *pool;      /* borrowed; NULL: tarn_pool_default() */
    bool single_threaded; /* parse in the calling thread only */
    tarn_io_bad_record_fn on_bad_record; /* NDJSON/CSV: skip bad records and report them here
                                            instead of failing (NULL: strict) */
    void *bad_record_ctx;                /* passed to on_bad_record */
} tarn_io_opts;

/* Defaults: everything AUTO/sniffed, ignore_unknown_fields true, quote '"'. */
void tarn_io_opts_init(tarn_io_opts *o);

/* "ndjson", "json", "csv", "tsv", "auto". */
const char *tarn_io_format_name(tarn_io_format f);
/* "none", "gzip", "zstd", "auto". */
const char *tarn_io_compression_name(tarn_io_compression c);
/* Parses a --format value (ndjson, jsonl, json, csv, tsv, auto); TARN_ERR_USAGE otherwise. */
TARN_MUST_CHECK tarn_status tarn_io_format_parse(const char *s, tarn_io_format *out, tarn_err *err);

/* Fills the AUTO fields of *inout (format, compression, CSV delimiter) from
 * the name (.ndjson .jsonl .json .csv .tsv, + .gz .zst) and the first bytes
 * (gzip/zstd magic, '[' vs '{', delimiter counts). Fields already set are
 * kept, except that a compression contradicting the magic bytes is an error. */
TARN_MUST_CHECK tarn_status tarn_io_detect(const char *path, tarn_io_opts *inout, tarn_err *err);
/* The same on a memory buffer; name (may be NULL) only serves the extension. */
TARN_MUST_CHECK tarn_status tarn_io_detect_mem(const void *data, size_t n, const char *name,
                                               tarn_io_opts *inout, tarn_err *err);

/* Infers a schema from the first max_records records (<= 0: 10000): the union
 * of fields in first-seen order (CSV: header names or column0, column1...),
 * each the narrowest of boolean, int64, double, date, timestamp, string that
 * covers every sampled value; all nullable. *out is the caller's
 * (tarn_schema_destroy). */
TARN_MUST_CHECK tarn_status tarn_io_infer_schema(const char *path, const tarn_io_opts *opts,
                                                 int64_t max_records, tarn_schema **out,
                                                 tarn_err *err);
TARN_MUST_CHECK tarn_status tarn_io_infer_schema_mem(const void *data, size_t n, const char *name,
                                                     const tarn_io_opts *opts, int64_t max_records,
                                                     tarn_schema **out, tarn_err *err);

typedef struct tarn_io_reader tarn_io_reader;

/* Opens path for reading batches in schema (borrowed: it must outlive the
 * reader). opts may be NULL (all defaults); AUTO fields are detected. Nested
 * column types are TARN_ERR_UNSUPPORTED. On failure *out is NULL. */
TARN_MUST_CHECK tarn_status tarn_io_reader_open(const char *path, const tarn_schema *schema,
                                                const tarn_io_opts *opts, tarn_io_reader **out,
                                                tarn_err *err);
/* The same over n bytes at data (borrowed until close; may be compressed);
 * name (may be NULL) is used for detection and in messages. */
TARN_MUST_CHECK tarn_status tarn_io_reader_open_mem(const void *data, size_t n, const char *name,
                                                    const tarn_schema *schema,
                                                    const tarn_io_opts *opts, tarn_io_reader **out,
                                                    tarn_err *err);
/* Next batch (at most batch_rows rows, owned by the reader, valid until the
 * next call), or *out = NULL at the end. Batches come in input order. On bad
 * input every record before the bad one is returned first, then the error
 * (TARN_ERR_INVALID with path, line, column and field), then the same error
 * again on every later call. With on_bad_record set (NDJSON, CSV), a record
 * whose syntax or values are bad is skipped and reported instead; broken
 * compression, I/O and JSON-array structure stay fatal. */
TARN_MUST_CHECK tarn_status tarn_io_reader_next(tarn_io_reader *r, tarn_batch **out, tarn_err *err);
/* Raw (compressed) bytes consumed from the input so far, for progress. */
int64_t tarn_io_reader_bytes_read(const tarn_io_reader *r);
/* Decompressed text bytes parsed so far (header rows excluded). */
int64_t tarn_io_reader_text_bytes(const tarn_io_reader *r);
/* Records skipped and reported through on_bad_record so far. */
int64_t tarn_io_reader_bad_records(const tarn_io_reader *r);
/* Records returned so far (rows of the batches handed out). */
int64_t tarn_io_reader_records(const tarn_io_reader *r);
/* Options after detection (format, compression, delimiter, header resolved). */
const tarn_io_opts *tarn_io_reader_opts(const tarn_io_reader *r);
void tarn_io_reader_close(tarn_io_reader *r);

/* One JSON record at a time -------------------------------------------------

 * For records that are already split (Bronze rows): each is parsed straight
 * into the caller's batch, with no chunking and no copy of the text. */
typedef struct tarn_io_json_rows tarn_io_json_rows;

/* A field of the record that no column names: key (unescaped) and the raw
 * JSON text of its value. A status other than TARN_OK stops the record
 * with that status. */
typedef tarn_status (*tarn_io_field_fn)(void *ctx, const uint8_t *key, size_t key_len,
                                        const uint8_t *value, size_t value_len);

TARN_MUST_CHECK tarn_status tarn_io_json_rows_create(const tarn_schema *schema,
                                                     tarn_io_json_rows **out, tarn_err *err);
void tarn_io_json_rows_destroy(tarn_io_json_rows *jr);

/* Parses the JSON object text[0..n) into row b->n_rows of b (columns of the
 * schema; a missing key is null) and counts it in b->n_rows. readable: the
 * bytes that may be read after text + n (fewer than 64 and the record is
 * parsed from a padded copy). unknown (or NULL: skipped) gets the fields no
 * column names; first (or NULL) gets, per column, the first byte of its
 * value (0 stays for columns the record lacks). A record that does not parse
 * or whose value does not convert is TARN_ERR_INVALID (err->msg "field
 * 'amount': ..." for a value, "not a JSON object", ...) and b is unchanged;
 * out of memory is TARN_ERR_NOMEM. */
TARN_MUST_CHECK tarn_status tarn_io_json_rows_parse(tarn_io_json_rows *jr, const uint8_t *text,
                                                    size_t n, size_t readable, tarn_batch *b,
                                                    tarn_io_field_fn unknown, void *ctx,
                                                    uint8_t *first, tarn_err *err);

#endif
