/*
 * io/io_int.h - the io layer's internals shared by its files (not for other
 * layers): the byte source (file or memory, plain/gzip/zstd), the column plan
 * (one converter per schema column, a name hash), the parse piece a worker
 * fills with batches, the inference sink, and the byte-scanning helpers.
 *
 * Sentinel invariant: every byte range handed to a parser is followed, within
 * the same allocation, by TARN_IO_PAD bytes the parser may read; the chunk's last
 * data byte is followed by TARN_IO_PAD zero bytes. Scanners stop at the first byte
 * that cannot continue their token (NUL included), so they never run past a
 * chunk and 16-byte loads never leave the allocation.
 */
#ifndef TARN_IO_IO_INT_H
#define TARN_IO_IO_INT_H

#include "io/reader.h"

#include "base/buf.h"

#include <string.h>
#include <zlib.h>
#include <zstd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define TARN_IO_PAD                64                  /* readable zero bytes after each chunk */
#define TARN_IO_DEFAULT_CHUNK      ((size_t)8 << 20)   /* 8 MiB parsed per step */
#define TARN_IO_DEFAULT_MAX_RECORD ((size_t)256 << 20) /* longest record accepted */
#define TARN_IO_SRC_IN_CAP         ((size_t)1 << 20)   /* compressed read window */
#define TARN_IO_MAX_DEPTH          512                 /* JSON nesting accepted inside values */
#define TARN_IO_EXPECT             64                  /* key positions remembered for prediction */
#define TARN_IO_BATCH_BYTES_MAX    ((int64_t)1 << 30)  /* varlen bytes per batch before cutting */
#define TARN_IO_INFER_MAX_FIELDS   10000               /* distinct keys inference tracks */

/* Source --------------------------------------------------------------------- */

/* Raw bytes of a file or memory buffer, decompressed when asked. One thread
 * at a time. */
typedef struct tarn_io_src {
    int fd;                   /* open file, or -1 for memory input */
    const uint8_t *mem;       /* memory input (borrowed), or NULL */
    size_t mem_len;           /* bytes at mem */
    size_t mem_pos;           /* next raw byte of mem */
    const char *path;         /* for messages (borrowed from the reader) */
    tarn_io_compression comp; /* NONE/GZIP/ZSTD once set; AUTO before */
    uint8_t *in;              /* raw read window (file input, or peeked bytes) */
    size_t in_len;            /* bytes valid in in */
    size_t in_pos;            /* next unconsumed byte of in */
    size_t in_cap;            /* allocated bytes of in */
    bool raw_eof;             /* no raw bytes left beyond in */
    z_stream z;               /* gzip state */
    bool z_live;              /* z initialised */
    bool z_in_member;         /* inside a gzip member (an end here is truncation) */
    ZSTD_DStream *zs;         /* zstd state */
    size_t zs_hint;           /* last ZSTD_decompressStream result (0 = frame complete) */
    bool zs_started;          /* some zstd input was fed */
    int64_t raw_read;         /* raw bytes consumed, for progress */
    bool eof;                 /* decompressed stream fully delivered */
    bool ranged;              /* file input limited to range_left more raw bytes */
    int64_t range_left;
} tarn_io_src;

TARN_MUST_CHECK tarn_status tarn_io_src_open_file(tarn_io_src *s, const char *path, tarn_err *err);
void tarn_io_src_open_mem(tarn_io_src *s, const void *data, size_t n, const char *path);
/* File input only, before anything was read: the input becomes the raw
 * bytes [offset, offset + length) of the file. */
TARN_MUST_CHECK tarn_status tarn_io_src_range(tarn_io_src *s, int64_t offset, int64_t length,
                                              tarn_err *err);
/* Up to want raw bytes from the start of the input without consuming them. */
TARN_MUST_CHECK tarn_status tarn_io_src_peek(tarn_io_src *s, size_t want, const uint8_t **out,
                                             size_t *out_n, tarn_err *err);
/* Compression detected from magic bytes: NONE, GZIP or ZSTD. */
tarn_io_compression tarn_io_detect_magic(const uint8_t *p, size_t n);
/* Chooses the decoder; AUTO detects from the magic bytes. */
TARN_MUST_CHECK tarn_status tarn_io_src_set_compression(tarn_io_src *s, tarn_io_compression c,
                                                        tarn_err *err);
/* Reads up to cap decompressed bytes; *out_n == 0 only at the end. */
TARN_MUST_CHECK tarn_status tarn_io_src_read(tarn_io_src *s, uint8_t *dst, size_t cap,
                                             size_t *out_n, tarn_err *err);
void tarn_io_src_close(tarn_io_src *s);

/* Column plan ---------------------------------------------------------------- */

typedef enum tarn_io_kind {
    TARN_IO_K_BOOL,
    TARN_IO_K_I8,
    TARN_IO_K_I16,
    TARN_IO_K_I32,
    TARN_IO_K_I64,
    TARN_IO_K_U8,
    TARN_IO_K_U16,
    TARN_IO_K_U32,
    TARN_IO_K_U64,
    TARN_IO_K_F32,
    TARN_IO_K_F64,
    TARN_IO_K_DEC64,  /* decimal, precision <= 18, int64 storage */
    TARN_IO_K_DEC128, /* decimal, precision > 18, tarn_i128 storage */
    TARN_IO_K_STR,
    TARN_IO_K_BIN,
    TARN_IO_K_UUID,
    TARN_IO_K_DATE,
    TARN_IO_K_TIME,
    TARN_IO_K_TS,
    TARN_IO_K_TS_NTZ
} tarn_io_kind;

typedef struct tarn_io_col {
    const char *name;    /* schema name (borrowed) */
    size_t name_len;     /* strlen(name) */
    tarn_io_kind kind;   /* converter */
    tarn_type type;      /* logical type */
    bool nullable;       /* null allowed */
    int64_t lo;          /* signed integers: smallest value */
    int64_t hi;          /* signed integers: largest value */
    uint64_t uhi;        /* unsigned integers: largest value */
    int64_t dec_limit;   /* TARN_IO_K_DEC64: 10^precision */
    char tname[32];      /* type name for messages ("decimal(10,2)") */
    bool fast_key;       /* name fits key_pad and needs no JSON escaping */
    uint8_t key_pad[32]; /* name zero-padded, for in-place key comparison */
} tarn_io_col;

typedef struct tarn_io_plan {
    int n_cols;        /* schema columns */
    tarn_io_col *cols; /* n_cols converters (heap) */
    int32_t *slots;    /* open-addressing name table: column index or -1 */
    uint32_t mask;     /* slots - 1 (power of two) */
    bool has_strict;   /* some column is NOT NULL */
} tarn_io_plan;

/* Builds converters for schema; nested types are TARN_ERR_UNSUPPORTED. */
TARN_MUST_CHECK tarn_status tarn_io_plan_init(tarn_io_plan *pl, const tarn_schema *s,
                                              tarn_err *err);
void tarn_io_plan_fini(tarn_io_plan *pl);
/* Column index of the exact name k[0..n), or -1. */
int tarn_io_plan_lookup(const tarn_io_plan *pl, const uint8_t *k, size_t n);

/* Inference sink ------------------------------------------------------------- */

typedef enum tarn_io_class {
    TARN_IO_C_NULL = 0,
    TARN_IO_C_BOOL,
    TARN_IO_C_INT,
    TARN_IO_C_DOUBLE,
    TARN_IO_C_DATE,
    TARN_IO_C_TS,
    TARN_IO_C_STRING
} tarn_io_class;

typedef struct tarn_io_infer tarn_io_infer;

tarn_io_infer *tarn_io_infer_create(void);
void tarn_io_infer_destroy(tarn_io_infer *inf);
/* The schema the notes so far describe (all columns nullable). */
TARN_MUST_CHECK tarn_status tarn_io_infer_build(const tarn_io_infer *inf, tarn_schema **out,
                                                tarn_err *err);
/* Runs a reader over the input feeding inf (reader.c). */
TARN_MUST_CHECK tarn_status tarn_io_reader_infer(const char *path, const void *data, size_t n,
                                                 const char *name, const tarn_io_opts *opts,
                                                 tarn_io_infer *inf, int64_t max_records,
                                                 tarn_err *err);
/* Index of field name[0..n) (added on first sight), or -1 when out of memory
 * or past TARN_IO_INFER_MAX_FIELDS (status in *st). */
int tarn_io_infer_field(tarn_io_infer *inf, const uint8_t *name, size_t n, tarn_status *st);
/* Widens field idx to cover a value of class c. */
void tarn_io_infer_note(tarn_io_infer *inf, int idx, tarn_io_class c);
/* Class of a JSON string's content: date, timestamp (with zone) or string. */
tarn_io_class tarn_io_class_json_string(const uint8_t *p, size_t n);
/* Class of a CSV field's text (empty is NULL). */
tarn_io_class tarn_io_class_text(const uint8_t *p, size_t n);

/* Pieces --------------------------------------------------------------------- */

/* What every piece of a reader shares, read-only while pieces run. */
typedef struct tarn_io_job {
    const tarn_schema *schema; /* target schema (NULL when inferring) */
    const tarn_io_plan *plan;  /* converters (NULL when inferring) */
    const tarn_io_opts *opts;  /* resolved options */
    int64_t batch_rows;        /* rows per batch */
    tarn_io_infer *infer;      /* inference sink, or NULL */
    int64_t max_records;       /* inference: stop after this many records */
    bool json_array;           /* JSON: the stream is one top-level array */
    const int *csv_map;        /* CSV: file field -> column (or infer field), -1 skip */
    int csv_n_fields;          /* CSV: fields every record must have */
    bool csv_all_mapped;       /* CSV: every column gets a field of each record */
    uint8_t csv_cls[256];      /* CSV: 1 for bytes that end an unquoted run */
} tarn_io_job;

/* A skipped record (permissive mode), kept until the reader reports it. */
typedef struct tarn_io_bad {
    int64_t line;        /* relative line of the failure (1 = the piece's first) */
    int64_t col;         /* column, or 0 */
    const uint8_t *text; /* raw record inside the chunk */
    size_t len;          /* its bytes (line end excluded) */
    size_t msg;          /* offset of its NUL-terminated message in bad_msgs */
} tarn_io_bad;

/* One contiguous range of a chunk parsed by one worker into its own batches. */
typedef struct tarn_io_piece {
    const uint8_t *begin;       /* first byte (a record boundary) */
    const uint8_t *end;         /* one past the last byte (a record boundary) */
    bool stream_start;          /* begins the stream (JSON array: '[' comes first) */
    bool stream_end;            /* ends the stream */
    int64_t col0;               /* bytes of begin's line that precede begin (JSON, CSV) */
    tarn_batch **batches;       /* batch pool; [0, n_batches) filled this chunk */
    int n_batches;              /* batches in use */
    int cap_batches;            /* batches allocated in the pool */
    int64_t rows;               /* rows in batches[n_batches - 1] (the open batch) */
    int64_t batch_bytes;        /* varlen bytes in the open batch */
    int64_t n_records;          /* records parsed */
    int64_t n_lines;            /* newlines consumed (all of them when the piece succeeds) */
    tarn_status st;             /* first error, TARN_OK otherwise */
    tarn_err err;               /* its record; err.line is relative (1 = first line here) */
    tarn_buf scratch;           /* unescaped text for typed values and keys */
    int expect[TARN_IO_EXPECT]; /* JSON: column seen at each key position last record */
    uint8_t date_key[10];       /* last "YYYY-MM-DD" converted (cache for timestamps) */
    int64_t date_days;          /* its day number */
    bool date_valid;            /* date_key/date_days hold a valid pair */
    tarn_io_bad *bad;           /* skipped records of this range (permissive mode) */
    int n_bad;                  /* entries in use */
    int cap_bad;                /* entries allocated */
    tarn_buf bad_msgs;          /* their messages */
} tarn_io_piece;

void tarn_io_piece_init(tarn_io_piece *pc);
void tarn_io_piece_fini(tarn_io_piece *pc);
/* Empties the piece for a new range, keeping its batches for reuse. */
void tarn_io_piece_reset(tarn_io_piece *pc, const uint8_t *begin, const uint8_t *end);

/* Opens a fresh batch at row 0 (reserving batch_rows per column). */
TARN_MUST_CHECK tarn_status tarn_io_piece_batch_begin(const tarn_io_job *job, tarn_io_piece *pc);
/* Closes the open batch (drops it when empty). */
void tarn_io_piece_batch_end(tarn_io_piece *pc);
/* Rolls the open batch back to its committed rows (a record failed half-way). */
void tarn_io_piece_rollback(tarn_io_piece *pc);
/* Permissive mode: when the piece's error is a bad record (TARN_ERR_INVALID)
 * and on_bad_record is set, keeps it with the raw text, rolls the open batch
 * back, clears the error and returns true (skip and go on); false otherwise
 * (when keeping it runs out of memory the piece's error becomes NOMEM). */
bool tarn_io_piece_keep_bad(const tarn_io_job *job, tarn_io_piece *pc, const uint8_t *text,
                            size_t len);
/* Records an error at relative line/col; returns st. */
tarn_status tarn_io_piece_fail(tarn_io_piece *pc, tarn_status st, int64_t line, int64_t col,
                               const char *fmt, ...) TARN_PRINTF(5, 6);

/* JSON (json.c) */
void tarn_io_json_parse_piece(const tarn_io_job *job, tarn_io_piece *pc, bool multiline);
/* Cuts [pos, len) at record boundaries into at most n_max pieces of similar
 * size; cuts[0] = pos, cuts[k] = end of the last complete record; returns k
 * (0 when no record is complete yet). NDJSON: boundaries after newlines.
 * JSON: after top-level separators; *state carries array open/closed. */
int tarn_io_ndjson_cut(const uint8_t *buf, size_t pos, size_t len, bool eof, int n_max,
                       size_t *cuts);
int tarn_io_json_cut(const uint8_t *buf, size_t pos, size_t len, bool eof, bool array, bool start,
                     int n_max, size_t *cuts);

/* CSV (csv.c) */
void tarn_io_csv_parse_piece(const tarn_io_job *job, tarn_io_piece *pc);
int tarn_io_csv_cut(const uint8_t *buf, size_t pos, size_t len, bool eof, char quote, int n_max,
                    size_t *cuts);
/* Fills job->csv_cls for a delimiter and quote. */
void tarn_io_csv_classes(tarn_io_job *job, char delim, char quote);
/* Splits the first record at p (up to end) into fields: up to max fields, each
 * unquoted into arena a; returns the count, *out_next after the record; -1 on
 * malformed quoting, -2 when the arena is out of memory. */
int tarn_io_csv_split_record(tarn_arena *a, const uint8_t *p, const uint8_t *end, char delim,
                             char quote, int max, char **fields, bool *quoted,
                             const uint8_t **out_next);
/* Picks the delimiter among , \t ; | for sample text. */
char tarn_io_csv_sniff_delimiter(const uint8_t *p, size_t n, char quote);

/* Conversions (convert.c) ---------------------------------------------------- */

/* A JSON number token, scanned and validated once. */
typedef struct tarn_io_num {
    const uint8_t *p; /* token text */
    size_t n;         /* token length */
    bool neg;         /* leading '-' */
    bool frac;        /* has a fraction part */
    bool has_exp;     /* has an exponent */
    bool big;         /* more than 19 significant digits (mant incomplete) */
    int n_digits;     /* digits accumulated in mant (leading zeros included) */
    int n_frac;       /* digits after the point */
    int exp;          /* exponent value (clamped to +-100000) */
    uint64_t mant;    /* all digits as one integer, when !big */
} tarn_io_num;

/* Scans a number at p (JSON grammar when strict, else also '+', leading zeros,
 * "1." and ".5"); returns the end, or NULL when p does not start a number or
 * the grammar is broken (then *out->n says how far it got). */
const uint8_t *tarn_io_scan_number(const uint8_t *p, const uint8_t *end, bool strict,
                                   tarn_io_num *out);

/* Appends a JSON number to column c (vector v). Errors set err->msg only. */
TARN_MUST_CHECK tarn_status tarn_io_conv_number(tarn_io_piece *pc, const tarn_io_col *c,
                                                tarn_vec *v, const tarn_io_num *num, tarn_err *err);
/* Appends text (a JSON string's unescaped content, a CSV field) to column c;
 * trim drops surrounding blanks for non-text types (CSV). */
TARN_MUST_CHECK tarn_status tarn_io_conv_text(tarn_io_piece *pc, const tarn_io_col *c, tarn_vec *v,
                                              const uint8_t *p, size_t n, bool trim, tarn_err *err);
/* Appends bytes as-is to a STRING (UTF-8 checked) or BINARY column. */
TARN_MUST_CHECK tarn_status tarn_io_put_bytes(tarn_io_piece *pc, const tarn_io_col *c, tarn_vec *v,
                                              const uint8_t *p, size_t n, tarn_err *err);
/* The same without the UTF-8 check (the caller knows the bytes are ASCII). */
TARN_MUST_CHECK tarn_status tarn_io_put_bytes_raw(tarn_io_piece *pc, tarn_vec *v, const uint8_t *p,
                                                  size_t n, tarn_err *err);
/* Appends a null; a NOT NULL column is an error. */
TARN_MUST_CHECK tarn_status tarn_io_put_null(const tarn_io_col *c, tarn_vec *v, tarn_err *err);
/* True when p[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool tarn_io_utf8_valid(const uint8_t *p, size_t n);

/* Vector helpers: capacity for the batch was reserved up front. */
static inline void tarn_io_mark_valid(tarn_vec *v)
{
    if (TARN_UNLIKELY(v->validity != NULL))
        tarn_bit_set(v->validity, v->len, true);
}
/* Removes the last value (a duplicate JSON key is about to replace it). */
void tarn_io_vec_pop(tarn_vec *v);
/* Shrinks the vector to n values. */
void tarn_io_vec_truncate(tarn_vec *v, int64_t n);

/* Scanning helpers ----------------------------------------------------------- */

/* First byte at or after p that is '"', '\\' or below 0x20 (NUL included). */
static inline const uint8_t *tarn_io_find_str_special(const uint8_t *p)
{
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), lim = _mm_set1_epi8(0x1f);
    for (;;) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* unsigned x <= 0x1f  <=>  max(x, 0x1f) == 0x1f */
        __m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(x, lim), lim);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs)), ctl);
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
#else
    while (*p != '"' && *p != '\\' && *p >= 0x20)
        p++;
    return p;
#endif
}

/* Number of bytes equal to c in p[0..n). */
size_t tarn_io_count_byte(const uint8_t *p, size_t n, uint8_t c);

/* Exact integer text (sign, digits, optional zero fraction or exponent) into
 * [lo, hi] of a named type; messages "'x' is not int8", "'x' is out of range
 * for int8". */
TARN_MUST_CHECK tarn_status tarn_io_parse_int_text(const uint8_t *p, size_t n, tarn_i128 lo,
                                                   tarn_i128 hi, const char *tname, tarn_i128 *out,
                                                   tarn_err *err);

#endif
