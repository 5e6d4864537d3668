/*
 * io/reader.c - the reader driver: detection, the chunk pipeline and the
 * parallel parse of each chunk.
 *
 * Pipeline: a chunk (chunk_size bytes of decompressed text, TARN_IO_PAD zero bytes
 * after it) is cut at record boundaries into pieces; the pieces are parsed
 * concurrently on the pool into their own batches while one more pool task
 * reads the next chunk (the unparsed tail first, then fresh bytes). Batches
 * are handed out piece by piece, so input order is kept. Each piece counts
 * its newlines, so an error's line is rebased exactly after the join. Memory
 * stays at two chunks plus one chunk's worth of batches.
 */
#include "io/io_int.h"

#include "base/alloc.h"
#include "base/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

typedef struct tarn_io_chunk {
    uint8_t *buf; /* cap + TARN_IO_PAD bytes */
    size_t cap;   /* data capacity */
    size_t len;   /* data bytes */
    size_t pos;   /* first byte not parsed yet */
    bool eof;     /* the source ended inside this chunk */
    int64_t col0; /* bytes of buf[pos]'s line before pos */
} tarn_io_chunk;

struct tarn_io_reader {
    tarn_io_opts opts;       /* resolved options */
    char *path;              /* heap copy for messages */
    tarn_io_src src;         /* bytes */
    tarn_io_plan plan;       /* converters (empty when inferring) */
    tarn_io_job job;         /* what pieces share */
    int *csv_map;            /* CSV: file field -> column */
    tarn_io_chunk chunks[2]; /* the parsed chunk and the one being read */
    int cur;                 /* index of the chunk parsed next */
    bool started;            /* the first chunk was parsed */
    int64_t line_base;       /* line number of chunks[cur].buf[pos] */
    tarn_io_piece *pieces;   /* piece contexts, reused */
    int n_pieces;            /* allocated piece contexts */
    int n_active;            /* pieces of the current step */
    int n_max;               /* pieces per chunk */
    size_t *cuts;            /* n_max + 1 cut offsets */
    tarn_batch **queue;      /* batches of the current step, in order */
    int n_queue;             /* batches queued */
    int queue_pos;           /* next batch to hand out */
    int queue_cap;           /* allocated queue slots */
    tarn_status pending;     /* error to report once the queue drains */
    tarn_err pending_err;    /* its record */
    bool done;               /* every byte parsed */
    int64_t records;         /* rows handed out */
    int64_t text_bytes;      /* decompressed bytes cut into pieces */
    int64_t n_bad;           /* records reported through on_bad_record */
    tarn_pool *pool;         /* NULL: run in the caller */
    bool prefetch;           /* this step also reads the next chunk */
    size_t pf_from;          /* offset of the tail the next chunk starts with */
    tarn_status pf_st;       /* read error of the prefetch task */
    tarn_err pf_err;         /* its record */
    tarn_io_infer *infer;    /* inference sink, or NULL */
    int64_t infer_left;      /* records inference still wants (<= 0: no limit) */
};

/* Options -------------------------------------------------------------------- */

void tarn_io_opts_init(tarn_io_opts *o)
{
    memset(o, 0, sizeof *o);
    o->quote = '"';
    o->header = -1;
    o->ignore_unknown_fields = true;
}

const char *tarn_io_format_name(tarn_io_format f)
{
    switch (f) {
    case TARN_IO_NDJSON:
        return "ndjson";
    case TARN_IO_JSON:
        return "json";
    case TARN_IO_CSV:
        return "csv";
    case TARN_IO_TSV:
        return "tsv";
    default:
        return "auto";
    }
}

const char *tarn_io_compression_name(tarn_io_compression c)
{
    switch (c) {
    case TARN_IO_COMP_NONE:
        return "none";
    case TARN_IO_COMP_GZIP:
        return "gzip";
    case TARN_IO_COMP_ZSTD:
        return "zstd";
    default:
        return "auto";
    }
}

tarn_status tarn_io_format_parse(const char *s, tarn_io_format *out, tarn_err *err)
{
    static const struct {
        const char *name;
        tarn_io_format f;
    } names[] = {{"auto", TARN_IO_AUTO}, {"ndjson", TARN_IO_NDJSON}, {"jsonl", TARN_IO_NDJSON},
                 {"json", TARN_IO_JSON}, {"csv", TARN_IO_CSV},       {"tsv", TARN_IO_TSV}};
    for (size_t i = 0; i < TARN_ARRAY_LEN(names); i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].f;
            return TARN_OK;
        }
    return tarn_err_set(err, TARN_ERR_USAGE,
                        "unknown input format '%s' (expected auto, ndjson, json, csv or tsv)", s);
}

/* Detection ------------------------------------------------------------------ */

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* Format and compression suggested by the file name (AUTO when silent). */
static void name_hints(const char *name, tarn_io_format *fmt, tarn_io_compression *comp,
                       bool *json_ext)
{
    *fmt = TARN_IO_AUTO;
    *comp = TARN_IO_COMP_AUTO;
    *json_ext = false;
    if (!name)
        return;
    size_t n = strlen(name);
    if (ends_with(name, n, ".gz")) {
        *comp = TARN_IO_COMP_GZIP, n -= 3;
    } else if (ends_with(name, n, ".gzip")) {
        *comp = TARN_IO_COMP_GZIP, n -= 5;
    } else if (ends_with(name, n, ".zst")) {
        *comp = TARN_IO_COMP_ZSTD, n -= 4;
    } else if (ends_with(name, n, ".zstd")) {
        *comp = TARN_IO_COMP_ZSTD, n -= 5;
    }
    if (ends_with(name, n, ".ndjson") || ends_with(name, n, ".jsonl") ||
        ends_with(name, n, ".ldjson"))
        *fmt = TARN_IO_NDJSON;
    else if (ends_with(name, n, ".json"))
        *json_ext = true;
    else if (ends_with(name, n, ".csv"))
        *fmt = TARN_IO_CSV;
    else if (ends_with(name, n, ".tsv") || ends_with(name, n, ".tab"))
        *fmt = TARN_IO_TSV;
}

static const uint8_t *skip_bom_ws(const uint8_t *p, const uint8_t *end)
{
    if (end - p >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* True when the object opening at p closes before the end of its line (or
 * the sample ends first, which says nothing against NDJSON). */
static bool first_line_is_object(const uint8_t *p, const uint8_t *end)
{
    int depth = 0;
    bool in_str = false;
    for (; p < end; p++) {
        uint8_t c = *p;
        if (in_str) {
            if (c == '\\')
                p++;
            else if (c == '"')
                in_str = false;
            else if (c == '\n')
                return false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0)
                return true;
        } else if (c == '\n')
            return false;
    }
    return true;
}

/* Resolves format and CSV delimiter from a decompressed sample. */
static void sniff(const char *name, const uint8_t *data, size_t n, tarn_io_opts *o)
{
    tarn_io_format fmt;
    tarn_io_compression comp;
    bool json_ext;
    name_hints(name, &fmt, &comp, &json_ext);
    const uint8_t *end = data + n, *p = skip_bom_ws(data, end);
    if (o->format == TARN_IO_AUTO) {
        if (fmt != TARN_IO_AUTO)
            o->format = fmt;
        else if (p < end && *p == '[')
            o->format = TARN_IO_JSON;
        else if (p < end && *p == '{')
            o->format = first_line_is_object(p, end) ? TARN_IO_NDJSON : TARN_IO_JSON;
        else if (json_ext || p >= end)
            o->format = json_ext ? TARN_IO_JSON : TARN_IO_NDJSON;
        else
            o->format = TARN_IO_CSV;
    }
    if (o->format == TARN_IO_TSV && o->delimiter == 0)
        o->delimiter = '\t';
    if (o->format == TARN_IO_CSV && o->delimiter == 0)
        o->delimiter = tarn_io_csv_sniff_delimiter(p, (size_t)(end - p), o->quote);
}

/* Picks the decoder: magic bytes decide; a name or option that says gzip or
 * zstd over bytes that are not is an error. */
static tarn_status resolve_compression(tarn_io_src *src, const char *name, tarn_io_opts *o,
                                       tarn_err *err)
{
    const uint8_t *p;
    size_t n;
    TARN_TRY(tarn_io_src_peek(src, 4, &p, &n, err));
    tarn_io_compression magic = tarn_io_detect_magic(p, n), want = o->compression;
    if (want == TARN_IO_COMP_AUTO) {
        tarn_io_format f;
        bool j;
        name_hints(name, &f, &want, &j);
    }
    if ((want == TARN_IO_COMP_GZIP || want == TARN_IO_COMP_ZSTD) && n > 0 && magic != want) {
        tarn_err_set(err, TARN_ERR_CORRUPT, "input is not %s-compressed (magic bytes differ)",
                     tarn_io_compression_name(want));
        return tarn_err_at_path(err, src->path);
    }
    if (o->compression == TARN_IO_COMP_AUTO)
        o->compression = magic;
    return tarn_io_src_set_compression(src, o->compression, err);
}

/* Pieces --------------------------------------------------------------------- */

void tarn_io_piece_init(tarn_io_piece *pc)
{
    memset(pc, 0, sizeof *pc);
    tarn_buf_init(&pc->scratch);
    for (int i = 0; i < TARN_IO_EXPECT; i++)
        pc->expect[i] = -1;
}

void tarn_io_piece_fini(tarn_io_piece *pc)
{
    tarn_free(pc->bad);
    tarn_buf_fini(&pc->bad_msgs);
    for (int i = 0; i < pc->cap_batches; i++)
        tarn_batch_destroy(pc->batches[i]);
    tarn_free(pc->batches);
    tarn_buf_fini(&pc->scratch);
    memset(pc, 0, sizeof *pc);
}

void tarn_io_piece_reset(tarn_io_piece *pc, const uint8_t *begin, const uint8_t *end)
{
    pc->begin = begin;
    pc->end = end;
    pc->stream_start = pc->stream_end = false;
    pc->col0 = 0;
    pc->n_batches = 0;
    pc->rows = 0;
    pc->batch_bytes = 0;
    pc->n_records = 0;
    pc->n_lines = 0;
    pc->st = TARN_OK;
    tarn_err_clear(&pc->err);
    pc->n_bad = 0;
    tarn_buf_reset(&pc->bad_msgs);
}

/* Keeping a bad record ran out of memory: the piece fails with NOMEM, not
 * with the record's own error (which would read as bad input). */
static bool keep_bad_nomem(tarn_io_piece *pc)
{
    int64_t line = pc->err.line;
    tarn_err_clear(&pc->err);
    tarn_err_set(&pc->err, TARN_ERR_NOMEM, "out of memory keeping a bad record");
    pc->err.line = line;
    pc->st = TARN_ERR_NOMEM;
    return false;
}

bool tarn_io_piece_keep_bad(const tarn_io_job *job, tarn_io_piece *pc, const uint8_t *text,
                            size_t len)
{
    if (!job->opts->on_bad_record || pc->st != TARN_ERR_INVALID)
        return false;
    if (pc->n_bad == pc->cap_bad) {
        int cap = pc->cap_bad ? pc->cap_bad * 2 : 16;
        tarn_io_bad *nb = tarn_realloc(pc->bad, sizeof *nb * (size_t)cap);
        if (!nb)
            return keep_bad_nomem(pc);
        pc->bad = nb;
        pc->cap_bad = cap;
    }
    tarn_io_bad *b = &pc->bad[pc->n_bad];
    b->line = pc->err.line;
    b->col = pc->err.col;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    b->text = text;
    b->len = len;
    b->msg = pc->bad_msgs.len;
    if (tarn_buf_append(&pc->bad_msgs, pc->err.msg, strlen(pc->err.msg) + 1) != TARN_OK)
        return keep_bad_nomem(pc);
    pc->n_bad++;
    if (!job->infer)
        tarn_io_piece_rollback(pc);
    pc->st = TARN_OK;
    tarn_err_clear(&pc->err);
    return true;
}

tarn_status tarn_io_piece_batch_begin(const tarn_io_job *job, tarn_io_piece *pc)
{
    if (pc->n_batches == pc->cap_batches) {
        tarn_batch **nb = tarn_realloc(pc->batches, sizeof *nb * (size_t)(pc->cap_batches + 1));
        if (!nb)
            return TARN_ERR_NOMEM;
        pc->batches = nb;
        nb[pc->cap_batches] = tarn_batch_create(job->schema);
        if (!nb[pc->cap_batches])
            return TARN_ERR_NOMEM;
        pc->cap_batches++;
    }
    tarn_batch *b = pc->batches[pc->n_batches];
    tarn_batch_reset(b);
    for (int i = 0; i < b->n_cols; i++)
        TARN_TRY(tarn_vec_reserve(b->cols[i], job->batch_rows));
    pc->n_batches++;
    pc->rows = 0;
    pc->batch_bytes = 0;
    return TARN_OK;
}

void tarn_io_piece_batch_end(tarn_io_piece *pc)
{
    if (pc->n_batches == 0)
        return;
    if (pc->rows == 0) {
        pc->n_batches--;
        return;
    }
    pc->batches[pc->n_batches - 1]->n_rows = pc->rows;
}

void tarn_io_piece_rollback(tarn_io_piece *pc)
{
    if (pc->n_batches == 0)
        return;
    tarn_batch *b = pc->batches[pc->n_batches - 1];
    for (int i = 0; i < b->n_cols; i++)
        tarn_io_vec_truncate(b->cols[i], pc->rows);
}

tarn_status tarn_io_piece_fail(tarn_io_piece *pc, tarn_status st, int64_t line, int64_t col,
                               const char *fmt, ...)
{
    if (pc->st != TARN_OK)
        return pc->st;
    char msg[TARN_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tarn_err_set(&pc->err, st, "%s", msg);
    pc->err.line = line;
    pc->err.col = col;
    pc->st = st;
    return st;
}

/* Chunks --------------------------------------------------------------------- */

static tarn_status chunk_reserve(tarn_io_chunk *c, size_t cap, tarn_err *err)
{
    if (c->buf && c->cap >= cap)
        return TARN_OK;
    uint8_t *nb = tarn_realloc(c->buf, cap + TARN_IO_PAD);
    if (!nb)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory for a %zu-byte read chunk", cap);
    c->buf = nb;
    c->cap = cap;
    return TARN_OK;
}

/* Reads until the chunk is full or the source ends; re-pads. */
static tarn_status chunk_fill(tarn_io_src *src, tarn_io_chunk *c, tarn_err *err)
{
    tarn_status st = TARN_OK;
    while (c->len < c->cap && !c->eof) {
        size_t n;
        st = tarn_io_src_read(src, c->buf + c->len, c->cap - c->len, &n, err);
        if (st != TARN_OK)
            break;
        if (n == 0)
            c->eof = true;
        c->len += n;
    }
    memset(c->buf + c->len, 0, TARN_IO_PAD);
    return st;
}

static tarn_status chunk_grow(tarn_io_reader *r, tarn_io_chunk *c, tarn_err *err)
{
    size_t max = TARN_MAX(r->opts.max_record_size, r->opts.chunk_size);
    if (c->cap >= max) {
        tarn_err_set(err, TARN_ERR_LIMIT,
                     "a record is longer than %zu bytes (the max_record_size limit)", max);
        tarn_err_at_path(err, r->path);
        return tarn_err_at_line(err, r->line_base, 0);
    }
    TARN_TRY(chunk_reserve(c, TARN_MIN(c->cap * 2, max), err));
    return chunk_fill(&r->src, c, err);
}

static int cut(tarn_io_reader *r, tarn_io_chunk *c)
{
    int n = r->n_max;
    if (r->opts.pieces_per_chunk <= 0 && c->len - c->pos < ((size_t)256 << 10))
        n = 1; /* small inputs are not worth the hand-off */
    switch (r->opts.format) {
    case TARN_IO_NDJSON:
        return tarn_io_ndjson_cut(c->buf, c->pos, c->len, c->eof, n, r->cuts);
    case TARN_IO_JSON:
        return tarn_io_json_cut(c->buf, c->pos, c->len, c->eof, r->job.json_array, !r->started, n,
                                r->cuts);
    default:
        return tarn_io_csv_cut(c->buf, c->pos, c->len, c->eof, r->opts.quote, n, r->cuts);
    }
}

/* The column where `at` falls, knowing `from` is at column col0. */
static int64_t col_after(const uint8_t *buf, size_t from, size_t at, int64_t col0)
{
    if (at <= from)
        return col0;
    const uint8_t *nl = memrchr(buf + from, '\n', at - from);
    return nl ? (int64_t)(buf + at - (nl + 1)) : col0 + (int64_t)(at - from);
}

static void prefetch(tarn_io_reader *r)
{
    tarn_io_chunk *a = &r->chunks[r->cur], *b = &r->chunks[r->cur ^ 1];
    size_t tail = a->len - r->pf_from;
    r->pf_st = chunk_reserve(b, a->cap, &r->pf_err);
    if (r->pf_st != TARN_OK)
        return;
    memcpy(b->buf, a->buf + r->pf_from, tail);
    b->len = tail;
    b->pos = 0;
    b->eof = false;
    r->pf_st = chunk_fill(&r->src, b, &r->pf_err);
}

static void run_task(void *ctx, int64_t i)
{
    tarn_io_reader *r = ctx;
    if (r->prefetch) {
        if (i == 0) {
            prefetch(r);
            return;
        }
        i--;
    }
    tarn_io_piece *pc = &r->pieces[i];
    switch (r->opts.format) {
    case TARN_IO_NDJSON:
        tarn_io_json_parse_piece(&r->job, pc, false);
        break;
    case TARN_IO_JSON:
        tarn_io_json_parse_piece(&r->job, pc, true);
        break;
    default:
        tarn_io_csv_parse_piece(&r->job, pc);
        break;
    }
}

static tarn_status queue_push(tarn_io_reader *r, tarn_batch *b, tarn_err *err)
{
    if (r->n_queue == r->queue_cap) {
        int cap = r->queue_cap ? r->queue_cap * 2 : 16;
        tarn_batch **q = tarn_realloc(r->queue, sizeof *q * (size_t)cap);
        if (!q)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        r->queue = q;
        r->queue_cap = cap;
    }
    r->queue[r->n_queue++] = b;
    return TARN_OK;
}

/* Takes the pieces' results in order: batches queued, first error pending. */
static tarn_status collect(tarn_io_reader *r, tarn_io_chunk *c, tarn_err *err)
{
    int64_t base = r->line_base;
    for (int i = 0; i < r->n_active; i++) {
        tarn_io_piece *pc = &r->pieces[i];
        for (int k = 0; k < pc->n_bad; k++) {
            const tarn_io_bad *bad = &pc->bad[k];
            tarn_io_bad_record rec;
            rec.path = r->path;
            rec.line = base + bad->line - 1;
            rec.col = bad->col;
            rec.text = bad->text;
            rec.len = bad->len;
            rec.message = pc->bad_msgs.data + bad->msg;
            r->n_bad++;
            tarn_err_clear(&r->pending_err);
            tarn_status st = r->opts.on_bad_record(r->opts.bad_record_ctx, &rec, &r->pending_err);
            if (st != TARN_OK) {
                if (r->pending_err.code == TARN_OK)
                    tarn_err_set(&r->pending_err, st, "the bad-record handler failed");
                tarn_err_at_path(&r->pending_err, r->path);
                tarn_err_at_line(&r->pending_err, rec.line, rec.col);
                r->pending = st;
                return TARN_OK;
            }
        }
        for (int k = 0; k < pc->n_batches; k++)
            TARN_TRY(queue_push(r, pc->batches[k], err));
        if (r->infer)
            r->infer_left -= pc->n_records;
        if (pc->st != TARN_OK) {
            r->pending = pc->st;
            r->pending_err = pc->err;
            if (r->pending_err.line > 0)
                r->pending_err.line += base - 1;
            tarn_err_at_path(&r->pending_err, r->path);
            return TARN_OK;
        }
        base += pc->n_lines;
    }
    r->line_base = base;
    if (r->prefetch && r->pf_st != TARN_OK) {
        r->pending = r->pf_st;
        r->pending_err = r->pf_err;
        return TARN_OK;
    }
    if (c->eof || (r->infer && r->infer_left <= 0))
        r->done = true;
    return TARN_OK;
}

static tarn_status ensure_pieces(tarn_io_reader *r, int k, tarn_err *err)
{
    if (k <= r->n_pieces)
        return TARN_OK;
    tarn_io_piece *np = tarn_realloc(r->pieces, sizeof *np * (size_t)k);
    if (!np)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->pieces = np;
    for (int i = r->n_pieces; i < k; i++)
        tarn_io_piece_init(&np[i]);
    r->n_pieces = k;
    return TARN_OK;
}

/* Parses the next chunk into the queue. */
static tarn_status step(tarn_io_reader *r, tarn_err *err)
{
    tarn_io_chunk *c = &r->chunks[r->cur];
    int k;
    for (;;) {
        k = cut(r, c);
        if (k > 0 || c->eof)
            break;
        TARN_TRY(chunk_grow(r, c, err));
    }
    r->n_queue = r->queue_pos = 0;
    if (k == 0) {
        r->done = true;
        return TARN_OK;
    }
    TARN_TRY(ensure_pieces(r, k, err));
    bool track_cols = r->opts.format == TARN_IO_JSON;
    int64_t col0 = c->col0;
    for (int i = 0; i < k; i++) {
        tarn_io_piece *pc = &r->pieces[i];
        tarn_io_piece_reset(pc, c->buf + r->cuts[i], c->buf + r->cuts[i + 1]);
        pc->stream_start = !r->started && i == 0;
        pc->stream_end = c->eof && i == k - 1;
        pc->col0 = col0;
        if (track_cols)
            col0 = col_after(c->buf, r->cuts[i], r->cuts[i + 1], col0);
    }
    r->n_active = k;
    r->text_bytes += (int64_t)(r->cuts[k] - r->cuts[0]);
    r->prefetch = !c->eof;
    r->pf_from = r->cuts[k];
    r->pf_st = TARN_OK;
    if (r->infer)
        r->job.max_records = r->infer_left;
    tarn_pool_run(r->pool, k + (r->prefetch ? 1 : 0), run_task, r);
    r->started = true;
    TARN_TRY(collect(r, c, err));
    if (!r->done && r->pending == TARN_OK) {
        r->cur ^= 1;
        r->chunks[r->cur].col0 = track_cols ? col0 : 0;
    }
    return TARN_OK;
}

tarn_status tarn_io_reader_next(tarn_io_reader *r, tarn_batch **out, tarn_err *err)
{
    *out = NULL;
    for (;;) {
        if (r->queue_pos < r->n_queue) {
            tarn_batch *b = r->queue[r->queue_pos++];
            r->records += b->n_rows;
            *out = b;
            return TARN_OK;
        }
        if (r->pending != TARN_OK) {
            if (err)
                *err = r->pending_err;
            return r->pending;
        }
        if (r->done)
            return TARN_OK;
        tarn_status st = step(r, &r->pending_err);
        if (st != TARN_OK) {
            r->pending = st;
            tarn_err_at_path(&r->pending_err, r->path);
        }
    }
}

/* Opening -------------------------------------------------------------------- */

static void resolve_defaults(tarn_io_opts *o)
{
    if (o->chunk_size == 0)
        o->chunk_size = TARN_IO_DEFAULT_CHUNK;
    if (o->chunk_size < 16)
        o->chunk_size = 16;
    if (o->max_record_size == 0)
        o->max_record_size = TARN_IO_DEFAULT_MAX_RECORD;
    if (o->batch_rows <= 0)
        o->batch_rows = TARN_BATCH_ROWS;
    if (o->batch_rows > ((int64_t)1 << 20))
        o->batch_rows = (int64_t)1 << 20; /* capacity is reserved per batch up front */
}

/* Ensures the current chunk holds at least `records` complete CSV records
 * (or all of the input). */
static tarn_status have_records(tarn_io_reader *r, int records, tarn_err *err)
{
    tarn_io_chunk *c = &r->chunks[r->cur];
    for (;;) {
        const uint8_t *p = c->buf + c->pos, *end = c->buf + c->len;
        int seen = 0;
        bool inq = false;
        for (; p < end && seen < records; p++) {
            if (*p == (uint8_t)r->opts.quote && r->opts.quote)
                inq = !inq;
            else if (*p == '\n' && !inq)
                seen++;
        }
        if (seen >= records || c->eof)
            return TARN_OK;
        TARN_TRY(chunk_grow(r, c, err));
    }
}

static bool is_text_kind(const tarn_io_plan *pl, int ci)
{
    return pl->cols[ci].kind == TARN_IO_K_STR || pl->cols[ci].kind == TARN_IO_K_BIN;
}

/* Header sniff: names that all match the schema, or a first row that fails
 * a typed column the second row satisfies; without a schema, a first row of
 * non-empty plain strings. */
static bool looks_like_header(const tarn_io_reader *r, char **r1, int n1, char **r2, int n2)
{
    if (!r->job.plan) {
        int named = 0;
        for (int i = 0; i < n1; i++) {
            tarn_io_class c = tarn_io_class_text((const uint8_t *)r1[i], strlen(r1[i]));
            if (c != TARN_IO_C_STRING && c != TARN_IO_C_NULL)
                return false;
            named += c == TARN_IO_C_STRING;
        }
        return named > 0;
    }
    bool all = true;
    for (int i = 0; i < n1 && all; i++)
        all = tarn_schema_find_ci(r->job.schema, r1[i]) >= 0;
    if (all)
        return true;
    const tarn_io_plan *pl = r->job.plan;
    for (int i = 0; i < n1 && i < n2 && i < pl->n_cols; i++) {
        if (is_text_kind(pl, i))
            continue;
        tarn_io_class a = tarn_io_class_text((const uint8_t *)r1[i], strlen(r1[i]));
        tarn_io_class b = tarn_io_class_text((const uint8_t *)r2[i], strlen(r2[i]));
        if (a == TARN_IO_C_STRING && b != TARN_IO_C_STRING && b != TARN_IO_C_NULL)
            return true;
    }
    return false;
}

static tarn_status header_fail(tarn_io_reader *r, tarn_err *err, const char *fmt, const char *name)
{
    tarn_err_set(err, TARN_ERR_INVALID, fmt, name);
    tarn_err_at_path(err, r->path);
    return tarn_err_at_line(err, r->line_base, 0);
}

/* Maps header names (or positions) to columns / inference fields. */
static tarn_status csv_map_fields(tarn_io_reader *r, char **names, int n, bool header,
                                  tarn_err *err)
{
    r->csv_map = tarn_calloc((size_t)(n ? n : 1), sizeof *r->csv_map);
    if (!r->csv_map)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->job.csv_map = r->csv_map;
    r->job.csv_n_fields = n;
    if (r->infer) {
        char tmp[64];
        for (int i = 0; i < n; i++) {
            const char *nm = names[i];
            if (!header || !nm[0]) {
                snprintf(tmp, sizeof tmp, "column%d", i);
                nm = tmp;
            }
            tarn_status st;
            int idx = tarn_io_infer_field(r->infer, (const uint8_t *)nm, strlen(nm), &st);
            for (int dup = 2; idx >= 0 && idx < i; dup++) {
                char alt[600];
                snprintf(alt, sizeof alt, "%s_%d", nm, dup);
                idx = tarn_io_infer_field(r->infer, (const uint8_t *)alt, strlen(alt), &st);
            }
            if (idx < 0)
                return tarn_err_set(err, st, "too many CSV columns to infer a schema");
            r->csv_map[i] = idx;
        }
        return TARN_OK;
    }
    const tarn_schema *s = r->job.schema;
    if (!header) {
        for (int i = 0; i < n; i++)
            r->csv_map[i] = i < s->n_fields ? i : -1;
        r->job.csv_all_mapped = n >= s->n_fields;
        return TARN_OK;
    }
    bool *used = tarn_calloc((size_t)(s->n_fields ? s->n_fields : 1), sizeof *used);
    tarn_status st = TARN_OK;
    if (!used)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && st == TARN_OK; i++) {
        int ci = tarn_io_plan_lookup(&r->plan, (const uint8_t *)names[i], strlen(names[i]));
        if (ci < 0)
            ci = tarn_schema_find_ci(s, names[i]);
        if (ci >= 0 && used[ci])
            st = header_fail(r, err, "column '%s' appears twice in the header", names[i]);
        else if (ci < 0 && !r->opts.ignore_unknown_fields)
            st = header_fail(r, err, "unknown column '%s' in the header", names[i]);
        if (ci >= 0)
            used[ci] = true;
        r->csv_map[i] = ci;
    }
    r->job.csv_all_mapped = true;
    for (int i = 0; i < s->n_fields; i++)
        r->job.csv_all_mapped &= used[i];
    for (int i = 0; i < s->n_fields && st == TARN_OK; i++)
        if (!used[i] && !s->fields[i].nullable)
            st = header_fail(r, err, "column '%s' is NOT NULL but missing from the header",
                             s->fields[i].name);
    tarn_free(used);
    return st;
}

/* Reads (or skips) the header row and builds the field map. */
static tarn_status csv_open(tarn_io_reader *r, tarn_err *err)
{
    tarn_status st = TARN_OK;
    tarn_arena *a = tarn_arena_create(0);
    enum {
        MAXF = 4096
    };
    char **r1 = tarn_calloc(MAXF, sizeof *r1), **r2 = tarn_calloc(MAXF, sizeof *r2);
    if (!a || !r1 || !r2) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    tarn_io_csv_classes(&r->job, r->opts.delimiter, r->opts.quote);
    st = have_records(r, 2, err);
    if (st != TARN_OK)
        goto done;
    tarn_io_chunk *c = &r->chunks[r->cur];
    const uint8_t *p = c->buf + c->pos, *end = c->buf + c->len, *after1, *after2;
    while (p < end && (*p == '\n' || *p == '\r'))
        p++; /* leading blank lines */
    int64_t skipped =
        (int64_t)tarn_io_count_byte(c->buf + c->pos, (size_t)(p - c->buf - c->pos), '\n');
    int n1 = p < end ? tarn_io_csv_split_record(a, p, end, r->opts.delimiter, r->opts.quote, MAXF,
                                                r1, NULL, &after1)
                     : 0;
    if (n1 == -2) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (n1 < 0 || n1 > MAXF) {
        st = header_fail(r, err, "%s", n1 < 0 ? "malformed first record" : "too many columns");
        goto done;
    }
    if (n1 == 0) {
        after1 = p;
        if (r->infer) /* empty input: nothing to infer */
            goto done;
    }
    int n2 = 0;
    if (n1 > 0 && after1 < end) {
        n2 = tarn_io_csv_split_record(a, after1, end, r->opts.delimiter, r->opts.quote, MAXF, r2,
                                      NULL, &after2);
        if (n2 == -2) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            goto done;
        }
        if (n2 < 0)
            n2 = 0;
    }
    int header = n1 > 0 ? r->opts.header : 0; /* no record at all: nothing to name */
    if (header < 0)
        header = n1 > 0 && looks_like_header(r, r1, n1, r2, TARN_MIN(n2, MAXF));
    r->opts.header = header;
    if (header) {
        r->line_base += skipped;
        st = csv_map_fields(r, r1, n1, true, err);
        r->line_base += (int64_t)tarn_io_count_byte(p, (size_t)(after1 - p), '\n');
        c->pos = (size_t)(after1 - c->buf);
    } else {
        int n = r->infer ? n1 : r->job.schema->n_fields;
        st = csv_map_fields(r, r1, n, false, err);
    }
done:
    tarn_free(r1);
    tarn_free(r2);
    tarn_arena_destroy(a);
    return st;
}

void tarn_io_reader_close(tarn_io_reader *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n_pieces; i++)
        tarn_io_piece_fini(&r->pieces[i]);
    tarn_free(r->pieces);
    tarn_free(r->cuts);
    tarn_free(r->queue);
    tarn_free(r->chunks[0].buf);
    tarn_free(r->chunks[1].buf);
    tarn_free(r->csv_map);
    tarn_io_plan_fini(&r->plan);
    tarn_io_src_close(&r->src);
    tarn_free(r->path);
    tarn_free(r);
}

/* Shared by every open: src is set up in r; schema or infer is non-NULL. */
static tarn_status reader_start(tarn_io_reader *r, const char *name, const tarn_schema *schema,
                                tarn_err *err)
{
    tarn_io_opts *o = &r->opts;
    resolve_defaults(o);
    r->line_base = 1;
    TARN_TRY(resolve_compression(&r->src, name, o, err));
    if (schema)
        TARN_TRY(tarn_io_plan_init(&r->plan, schema, err));
    r->job.schema = schema;
    r->job.plan = schema ? &r->plan : NULL;
    r->job.opts = &r->opts;
    r->job.batch_rows = o->batch_rows;
    r->job.infer = r->infer;
    r->pool = o->single_threaded ? NULL : (o->pool ? o->pool : tarn_pool_default());
    r->n_max = o->pieces_per_chunk > 0 ? o->pieces_per_chunk : 2 * tarn_pool_size(r->pool);
    if (r->infer)
        r->n_max = 1, r->pool = NULL;
    r->cuts = tarn_calloc((size_t)r->n_max + 1, sizeof *r->cuts);
    if (!r->cuts)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_io_chunk *c = &r->chunks[0];
    TARN_TRY(chunk_reserve(c, o->chunk_size, err));
    tarn_status st = chunk_fill(&r->src, c, err);
    if (st != TARN_OK)
        return tarn_err_at_path(err, r->path);
    /* Content sniffing wants a reasonable sample even when chunks are tiny. */
    tarn_io_format hint;
    tarn_io_compression ch;
    bool json_ext;
    name_hints(name, &hint, &ch, &json_ext);
    tarn_io_format f = o->format != TARN_IO_AUTO ? o->format : hint;
    bool need_sample = f == TARN_IO_AUTO || (f == TARN_IO_CSV && o->delimiter == 0);
    if (need_sample && !c->eof && c->len == c->cap && c->cap < ((size_t)64 << 10)) {
        TARN_TRY(chunk_reserve(c, (size_t)64 << 10, err));
        TARN_TRY(chunk_fill(&r->src, c, err));
    }
    sniff(name, c->buf, c->len, o);
    if (c->len >= 3 && c->buf[0] == 0xef && c->buf[1] == 0xbb && c->buf[2] == 0xbf)
        c->pos = 3;
    if (o->format == TARN_IO_JSON) {
        const uint8_t *p;
        while ((p = skip_bom_ws(c->buf + c->pos, c->buf + c->len)) == c->buf + c->len && !c->eof)
            TARN_TRY(chunk_grow(r, c, err));
        r->job.json_array = p < c->buf + c->len && *p == '[';
    }
    if (o->format == TARN_IO_CSV || o->format == TARN_IO_TSV) {
        if (o->delimiter == 0)
            o->delimiter = o->format == TARN_IO_TSV ? '\t' : ',';
        if (o->delimiter == '\n' || o->delimiter == '\r' || (o->quote && o->delimiter == o->quote))
            return tarn_err_set(err, TARN_ERR_USAGE, "invalid CSV delimiter");
        TARN_TRY(csv_open(r, err));
    }
    return TARN_OK;
}

static tarn_status reader_open(const char *path, const void *data, size_t n, const char *name,
                               const tarn_schema *schema, const tarn_io_opts *opts,
                               tarn_io_infer *infer, int64_t max_records, tarn_io_reader **out,
                               tarn_err *err)
{
    tarn_status st = TARN_OK;
    *out = NULL;
    tarn_io_reader *r = tarn_calloc(1, sizeof *r);
    if (!r)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory opening %s", path ? path : "input");
    r->src.fd = -1;
    if (opts)
        r->opts = *opts;
    else
        tarn_io_opts_init(&r->opts);
    r->infer = infer;
    r->infer_left = max_records;
    const char *label = path ? path : (name ? name : "<memory>");
    r->path = tarn_strdup(label);
    if (!r->path) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (path) {
        st = tarn_io_src_open_file(&r->src, r->path, err);
        if (st != TARN_OK)
            goto done;
    } else {
        tarn_io_src_open_mem(&r->src, data, n, r->path);
    }
    st = reader_start(r, path ? path : name, schema, err);
    if (st != TARN_OK)
        tarn_err_at_path(err, r->path);
done:
    if (st != TARN_OK)
        tarn_io_reader_close(r);
    else
        *out = r;
    return st;
}

tarn_status tarn_io_reader_open(const char *path, const tarn_schema *schema,
                                const tarn_io_opts *opts, tarn_io_reader **out, tarn_err *err)
{
    return reader_open(path, NULL, 0, NULL, schema, opts, NULL, 0, out, err);
}

tarn_status tarn_io_reader_open_mem(const void *data, size_t n, const char *name,
                                    const tarn_schema *schema, const tarn_io_opts *opts,
                                    tarn_io_reader **out, tarn_err *err)
{
    return reader_open(NULL, data, n, name, schema, opts, NULL, 0, out, err);
}

int64_t tarn_io_reader_bytes_read(const tarn_io_reader *r)
{
    return r->src.raw_read;
}

int64_t tarn_io_reader_text_bytes(const tarn_io_reader *r)
{
    return r->text_bytes;
}

int64_t tarn_io_reader_bad_records(const tarn_io_reader *r)
{
    return r->n_bad;
}

int64_t tarn_io_reader_records(const tarn_io_reader *r)
{
    return r->records;
}

const tarn_io_opts *tarn_io_reader_opts(const tarn_io_reader *r)
{
    return &r->opts;
}

/* Internal entry for inference (infer.c). */
tarn_status tarn_io_reader_infer(const char *path, const void *data, size_t n, const char *name,
                                 const tarn_io_opts *opts, tarn_io_infer *infer,
                                 int64_t max_records, tarn_err *err)
{
    tarn_io_reader *r;
    TARN_TRY(reader_open(path, data, n, name, NULL, opts, infer, max_records, &r, err));
    tarn_status st = TARN_OK;
    for (;;) {
        tarn_batch *b;
        st = tarn_io_reader_next(r, &b, err);
        if (st != TARN_OK || !b)
            break;
    }
    tarn_io_reader_close(r);
    return st;
}

/* Detection on its own: reads a sample, never the whole input. */
static tarn_status detect(const char *path, const void *data, size_t n, const char *name,
                          tarn_io_opts *inout, tarn_err *err)
{
    tarn_status st = TARN_OK;
    tarn_io_src src;
    uint8_t *buf = NULL;
    size_t cap = (size_t)64 << 10, len = 0;
    if (path) {
        st = tarn_io_src_open_file(&src, path, err);
        if (st != TARN_OK)
            return st;
    } else {
        tarn_io_src_open_mem(&src, data, n, name ? name : "<memory>");
    }
    st = resolve_compression(&src, path ? path : name, inout, err);
    if (st != TARN_OK)
        goto done;
    buf = tarn_alloc(cap);
    if (!buf) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    while (len < cap) {
        size_t k;
        st = tarn_io_src_read(&src, buf + len, cap - len, &k, err);
        if (st != TARN_OK || k == 0)
            break;
        len += k;
    }
    if (st == TARN_OK)
        sniff(path ? path : name, buf, len, inout);
done:
    tarn_free(buf);
    tarn_io_src_close(&src);
    return st;
}

tarn_status tarn_io_detect(const char *path, tarn_io_opts *inout, tarn_err *err)
{
    return detect(path, NULL, 0, NULL, inout, err);
}

tarn_status tarn_io_detect_mem(const void *data, size_t n, const char *name, tarn_io_opts *inout,
                               tarn_err *err)
{
    return detect(NULL, data, n, name, inout, err);
}
