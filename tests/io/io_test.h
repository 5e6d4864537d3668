/*
 * tests/io/io_test.h - helpers shared by the io reader tests: read a text
 * through a reader and get back canonical NDJSON of every row (or the
 * formatted error), plus a deterministic PRNG for generated inputs.
 *
 * Everything returns heap strings the test frees with free(); helpers fail
 * the cmocka test on their own errors.
 */
#ifndef TARN_TESTS_IO_TEST_H
#define TARN_TESTS_IO_TEST_H

#include "tarn_test.h"

#include "column/render.h"
#include "io/reader.h"

typedef struct io_result {
    char *rows;      /* canonical NDJSON of the rows read before any error */
    char *error;     /* "path:line:col: message", or NULL */
    tarn_err err;    /* the error record */
    int64_t records; /* tarn_io_reader_records() at the end */
    int batches;     /* batches handed out */
} io_result;

static inline void io_result_free(io_result *r)
{
    free(r->rows);
    free(r->error);
}

static inline char *io_dup(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

/* Reads n bytes with the schema text; opts may be NULL. */
static inline io_result io_read_mem(const char *schema_text, const void *data, size_t n,
                                    const char *name, const tarn_io_opts *opts)
{
    io_result res;
    memset(&res, 0, sizeof res);
    tarn_schema *s;
    tarn_err err;
    if (tarn_schema_parse(schema_text, &s, &err) != TARN_OK)
        fail_msg("bad test schema: %s", err.msg);
    tarn_buf out = TARN_BUF_INIT;
    tarn_io_reader *r;
    tarn_status st = tarn_io_reader_open_mem(data, n, name, s, opts, &r, &err);
    if (st == TARN_OK) {
        for (;;) {
            tarn_batch *b;
            st = tarn_io_reader_next(r, &b, &err);
            if (st != TARN_OK || !b)
                break;
            res.batches++;
            assert_int_equal(tarn_batch_finish(b, &err), TARN_OK);
            assert_int_equal(tarn_render_ndjson(&out, b), TARN_OK);
        }
        res.records = tarn_io_reader_records(r);
        tarn_io_reader_close(r);
    }
    if (st != TARN_OK) {
        char msg[1600];
        tarn_err_format(&err, msg, sizeof msg);
        res.error = io_dup(msg);
        res.err = err;
    }
    res.rows = io_dup(out.data ? out.data : "");
    tarn_buf_fini(&out);
    tarn_schema_destroy(s);
    return res;
}

static inline io_result io_read_text(const char *schema_text, const char *text, const char *name,
                                     const tarn_io_opts *opts)
{
    return io_read_mem(schema_text, text, strlen(text), name, opts);
}

/* Expects success and the given rows. */
#define IO_EXPECT_ROWS(schema, text, name, opts, want)                                             \
    do {                                                                                           \
        io_result r_ = io_read_text(schema, text, name, opts);                                     \
        if (r_.error)                                                                              \
            fail_msg("unexpected error: %s", r_.error);                                            \
        assert_string_equal(r_.rows, want);                                                        \
        io_result_free(&r_);                                                                       \
    } while (0)

/* Expects the formatted error text. */
#define IO_EXPECT_ERROR(schema, text, name, opts, want)                                            \
    do {                                                                                           \
        io_result r_ = io_read_text(schema, text, name, opts);                                     \
        if (!r_.error)                                                                             \
            fail_msg("expected error '%s', got rows: %s", want, r_.rows);                          \
        assert_string_equal(r_.error, want);                                                       \
        io_result_free(&r_);                                                                       \
    } while (0)

/* Bad-record sink for permissive tests: "line:col: message | text\n" each;
 * fails once `stop_after` records were seen (0 = never). */
typedef struct io_bad_sink {
    tarn_buf log;   /* one line per bad record */
    int n;          /* records seen */
    int stop_after; /* 0 or the record count that stops the reader */
} io_bad_sink;

static inline tarn_status io_bad_collect(void *ctx, const tarn_io_bad_record *rec, tarn_err *err)
{
    io_bad_sink *s = ctx;
    s->n++;
    if (tarn_buf_printf(&s->log, "%lld:%lld: %s | %.*s\n", (long long)rec->line,
                        (long long)rec->col, rec->message, (int)rec->len,
                        (const char *)rec->text) != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (s->stop_after && s->n >= s->stop_after)
        return tarn_err_set(err, TARN_ERR_DATA, "too many bad records");
    return TARN_OK;
}

static inline uint64_t io_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Small chunks, several pieces, the default pool: forces every cut path. */
static inline tarn_io_opts io_opts_tiny(size_t chunk, int pieces)
{
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.chunk_size = chunk;
    o.pieces_per_chunk = pieces;
    return o;
}

/* Runs the reader over arbitrary bytes just to prove it neither crashes nor
 * leaks; the status does not matter. */
static inline void io_read_any(const char *schema_text, const void *data, size_t n,
                               const tarn_io_opts *opts)
{
    io_result r = io_read_mem(schema_text, data, n, "fuzz", opts);
    io_result_free(&r);
}

#endif
