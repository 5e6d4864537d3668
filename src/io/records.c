/*
 * io/records.c - splitting a text input into raw records (see records.h).
 *
 * One growing window over the decompressed stream: [pos, len) is unread.
 * A record is cut when its end is in the window (a newline outside quotes
 * for CSV, the end of a balanced value for JSON); otherwise the window is
 * compacted and refilled, doubling up to max_record_size. Line numbers are
 * counted over consumed bytes only, so every byte is scanned a bounded
 * number of times.
 */
#include "io/records.h"

#include "base/alloc.h"
#include "io/io_int.h"

#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CHUNK         ((size_t)1 << 20)
#define MAX_BATCH     4096
#define JSON_MAX_NEST 512

struct tarn_io_records {
    tarn_io_src src;
    tarn_io_opts opts;
    char *path;
    uint8_t *buf;
    size_t cap, pos, len;
    bool eof;
    int64_t line;    /* line number at pos */
    int64_t offset;  /* stream offset of pos */
    bool started;    /* first bytes seen (BOM, header, JSON array start) */
    bool in_array;   /* JSON: inside a top-level array */
    bool array_end;  /* JSON: the array closed */
    bool seen_value; /* JSON: a value or the array start was seen */
    char *header;    /* CSV header text (heap) */
    tarn_io_record recs[MAX_BATCH];
    bool check[MAX_BATCH]; /* recs[i] is JSON to be judged */
    char *msgs;            /* error texts of the current batch, 160 bytes each */
};

/* ---- JSON validation ----------------------------------------------------------- */

typedef struct jscan {
    const uint8_t *p, *end, *start;
    const char *why;
    const uint8_t *at;
} jscan;

static bool jfail(jscan *s, const char *why)
{
    if (!s->why) {
        s->why = why;
        s->at = s->p;
    }
    return false;
}

static void jws(jscan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool jvalue(jscan *s, int depth);

/* First '"', '\\' or control byte in [p, end), or end. */
static const uint8_t *str_stop(const uint8_t *p, const uint8_t *end)
{
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), lim = _mm_set1_epi8(0x1f);
    for (; end - p >= 16; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
                                   _mm_cmpeq_epi8(_mm_max_epu8(v, lim), lim));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return p + __builtin_ctz(m);
    }
#endif
    while (p < end && *p != '"' && *p != '\\' && *p >= 0x20)
        p++;
    return p;
}

static bool jstring(jscan *s)
{
    s->p++; /* opening quote */
    while (s->p < s->end) {
        s->p = str_stop(s->p, s->end);
        if (s->p >= s->end)
            break;
        uint8_t c = *s->p;
        if (c == '"') {
            s->p++;
            return true;
        }
        if (c < 0x20)
            return jfail(s, "control character in a string");
        if (c == '\\') {
            s->p++;
            if (s->p >= s->end)
                break;
            uint8_t e = *s->p;
            if (e == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (s->p + i >= s->end ||
                        !((s->p[i] >= '0' && s->p[i] <= '9') ||
                          ((s->p[i] | 0x20) >= 'a' && (s->p[i] | 0x20) <= 'f')))
                        return jfail(s, "bad \\u escape");
                s->p += 4;
            } else if (!strchr("\"\\/bfnrt", e) || e == 0) {
                return jfail(s, "bad escape in a string");
            }
        }
        s->p++;
    }
    return jfail(s, "unterminated string");
}

static bool jnumber(jscan *s)
{
    const uint8_t *p = s->p;
    if (p < s->end && *p == '-')
        p++;
    if (p >= s->end || *p < '0' || *p > '9')
        return jfail(s, "bad number");
    if (*p == '0')
        p++;
    else
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    if (p < s->end && *p == '.') {
        p++;
        if (p >= s->end || *p < '0' || *p > '9') {
            s->p = p;
            return jfail(s, "bad number");
        }
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < s->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < s->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= s->end || *p < '0' || *p > '9') {
            s->p = p;
            return jfail(s, "bad number");
        }
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    }
    s->p = p;
    return true;
}

static bool jword(jscan *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
        return jfail(s, "unexpected character");
    s->p += n;
    return true;
}

static bool jvalue(jscan *s, int depth)
{
    jws(s);
    if (s->p >= s->end)
        return jfail(s, "value missing");
    uint8_t c = *s->p;
    if (c == '{' || c == '[') {
        if (depth >= JSON_MAX_NEST)
            return jfail(s, "nested too deeply");
        uint8_t close = c == '{' ? '}' : ']';
        s->p++;
        jws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return true;
        }
        for (;;) {
            if (c == '{') {
                jws(s);
                if (s->p >= s->end || *s->p != '"')
                    return jfail(s, "expected a string key");
                if (!jstring(s))
                    return false;
                jws(s);
                if (s->p >= s->end || *s->p != ':')
                    return jfail(s, "expected ':' after an object key");
                s->p++;
            }
            if (!jvalue(s, depth + 1))
                return false;
            jws(s);
            if (s->p < s->end && *s->p == ',') {
                s->p++;
                continue;
            }
            if (s->p < s->end && *s->p == close) {
                s->p++;
                return true;
            }
            return jfail(s, c == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
    if (c == '"')
        return jstring(s);
    if (c == 't')
        return jword(s, "true");
    if (c == 'f')
        return jword(s, "false");
    if (c == 'n')
        return jword(s, "null");
    if (c == '-' || (c >= '0' && c <= '9'))
        return jnumber(s);
    return jfail(s, "unexpected character");
}

const char *tarn_json_check(const uint8_t *p, size_t n, char *msg, size_t cap)
{
    jscan s = {p, p + n, p, NULL, NULL};
    if (jvalue(&s, 0)) {
        jws(&s);
        if (s.p == s.end)
            return NULL;
        jfail(&s, "text after the value");
    }
    /* Line and column of the problem inside the record (records may span lines). */
    int64_t line = 1, col = 1;
    for (const uint8_t *q = p; q < s.at && q < p + n; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else if ((*q & 0xC0) != 0x80) {
            col++;
        }
    }
    if (line > 1)
        snprintf(msg, cap, "invalid JSON: line %lld, column %lld: %s", (long long)line,
                 (long long)col, s.why);
    else
        snprintf(msg, cap, "invalid JSON: column %lld: %s", (long long)col, s.why);
    return msg;
}

/* ---- reader ---------------------------------------------------------------------- */

static tarn_status open_common(tarn_io_records *r, const tarn_io_opts *opts, tarn_err *err)
{
    if (r->opts.max_record_size == 0)
        r->opts.max_record_size = (size_t)256 << 20;
    if (r->opts.header < 0)
        r->opts.header = 1;
    (void)opts;
    r->msgs = tarn_alloc((size_t)MAX_BATCH * 160);
    r->cap = CHUNK;
    r->buf = tarn_alloc(r->cap);
    r->line = 1;
    if (!r->msgs || !r->buf)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    return tarn_io_src_set_compression(&r->src, r->opts.compression, err);
}

static tarn_status records_open(const char *path, const void *data, size_t n, const char *name,
                                const tarn_io_opts *opts, tarn_io_records **out, tarn_err *err)
{
    *out = NULL;
    tarn_io_records *r = tarn_calloc(1, sizeof *r);
    if (!r)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->src.fd = -1;
    if (opts)
        r->opts = *opts;
    else
        tarn_io_opts_init(&r->opts);
    r->opts.on_bad_record = NULL;
    r->path = tarn_strdup(path ? path : name ? name : "<input>");
    tarn_status st = r->path ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (st == TARN_OK)
        st = path ? tarn_io_detect(path, &r->opts, err)
                  : tarn_io_detect_mem(data, n, name, &r->opts, err);
    if (st == TARN_OK) {
        if (path)
            st = tarn_io_src_open_file(&r->src, r->path, err);
        else
            tarn_io_src_open_mem(&r->src, data, n, r->path);
    }
    if (st == TARN_OK)
        st = open_common(r, opts, err);
    if (st != TARN_OK) {
        tarn_io_records_close(r);
        return st;
    }
    *out = r;
    return TARN_OK;
}

tarn_status tarn_io_records_open(const char *path, const tarn_io_opts *opts, tarn_io_records **out,
                                 tarn_err *err)
{
    return records_open(path, NULL, 0, NULL, opts, out, err);
}

tarn_status tarn_io_records_open_range(const char *path, const tarn_io_opts *opts, int64_t offset,
                                       int64_t length, int64_t first_line, tarn_io_records **out,
                                       tarn_err *err)
{
    *out = NULL;
    if (!opts || opts->format == TARN_IO_AUTO || opts->compression != TARN_IO_COMP_NONE)
        return tarn_err_set(err, TARN_ERR_INTERNAL,
                            "a byte range needs a named format and no compression");
    tarn_io_records *r;
    TARN_TRY(records_open(path, NULL, 0, NULL, opts, &r, err));
    tarn_status st = tarn_io_src_range(&r->src, offset, length, err);
    if (st != TARN_OK) {
        tarn_io_records_close(r);
        return st;
    }
    r->line = first_line;
    r->offset = offset;
    r->started = offset > 0; /* a byte order mark only opens the file */
    *out = r;
    return TARN_OK;
}

tarn_status tarn_io_records_open_mem(const void *data, size_t n, const char *name,
                                     const tarn_io_opts *opts, tarn_io_records **out, tarn_err *err)
{
    return records_open(NULL, data, n, name, opts, out, err);
}

const tarn_io_opts *tarn_io_records_opts(const tarn_io_records *r)
{
    return &r->opts;
}

const char *tarn_io_records_header(const tarn_io_records *r)
{
    return r->header;
}

int64_t tarn_io_records_bytes_read(const tarn_io_records *r)
{
    return r->src.raw_read;
}

void tarn_io_records_close(tarn_io_records *r)
{
    if (!r)
        return;
    tarn_io_src_close(&r->src);
    tarn_free(r->buf);
    tarn_free(r->msgs);
    tarn_free(r->header);
    tarn_free(r->path);
    tarn_free(r);
}

static tarn_status too_long(const tarn_io_records *r, tarn_err *err)
{
    tarn_err_set(err, TARN_ERR_LIMIT, "line %lld: record longer than %zu bytes", (long long)r->line,
                 r->opts.max_record_size);
    return tarn_err_at_path(err, r->path);
}

/* Moves the unread bytes to the front and reads more; grows the window when
 * it is full of one record. */
static tarn_status refill(tarn_io_records *r, tarn_err *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len > r->opts.max_record_size)
        return too_long(r, err);
    if (r->len == r->cap) {
        size_t cap = r->cap * 2;
        uint8_t *nb = tarn_realloc(r->buf, cap);
        if (!nb)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        r->buf = nb;
        r->cap = cap;
    }
    size_t got;
    TARN_TRY(tarn_io_src_read(&r->src, r->buf + r->len, r->cap - r->len, &got, err));
    if (got == 0)
        r->eof = true;
    r->len += got;
    return TARN_OK;
}

static void consume(tarn_io_records *r, size_t to)
{
    for (const uint8_t *q = r->buf + r->pos, *e = r->buf + to;
         (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
        r->line++;
    r->offset += (int64_t)(to - r->pos);
    r->pos = to;
}

static bool blank(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* End of the line-based record starting at pos (CSV quotes respected), or
 * 0 when it is not complete in the window. *next is past its newline. */
static size_t line_end(const tarn_io_records *r, bool csv, size_t *next)
{
    const uint8_t *b = r->buf;
    size_t i = r->pos;
    if (!csv || !r->opts.quote) {
        const uint8_t *nl = memchr(b + i, '\n', r->len - i);
        if (nl) {
            *next = (size_t)(nl - b) + 1;
            return (size_t)(nl - b);
        }
    } else {
        bool inq = false;
        uint8_t q = (uint8_t)r->opts.quote;
        for (; i < r->len; i++) {
            if (b[i] == q)
                inq = !inq;
            else if (b[i] == '\n' && !inq) {
                *next = i + 1;
                return i;
            }
        }
    }
    if (r->eof) {
        *next = r->len;
        return r->len;
    }
    return 0;
}

/* End of the JSON value starting at pos (balanced brackets, strings), or 0
 * when incomplete. Scalars end at a separator. */
static size_t value_end(const tarn_io_records *r)
{
    const uint8_t *b = r->buf;
    size_t i = r->pos;
    int depth = 0;
    bool in_str = false;
    if (b[i] != '{' && b[i] != '[' && b[i] != '"') {
        while (i < r->len && b[i] && !strchr(",]} \t\r\n", b[i]))
            i++;
        if (i == r->pos)
            i++; /* a stray byte is a record of its own: always make progress */
        return i < r->len || r->eof ? i : 0;
    }
    for (; i < r->len; i++) {
        uint8_t c = b[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"') {
                in_str = false;
                if (depth == 0)
                    return i + 1;
            }
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
    }
    return r->eof ? r->len : 0;
}

static void add_record(tarn_io_records *r, int *n, size_t start, size_t end, bool check_json)
{
    /* (the caller checked the length against max_record_size) */
    size_t e = end;
    while (e > start && r->buf[e - 1] == '\r')
        e--;
    tarn_io_record *rec = &r->recs[*n];
    rec->text = r->buf + start;
    rec->len = e - start;
    rec->line = r->line;
    rec->offset = r->offset + (int64_t)(start - r->pos);
    rec->error = NULL;
    r->check[*n] = check_json; /* judged in parallel when the batch is handed out */
    (*n)++;
}

typedef struct check_job {
    tarn_io_records *r;
    int n;
} check_job;

#define CHECK_MORSEL 256

static void check_morsel(void *ctx, int64_t m)
{
    check_job *j = ctx;
    int from = (int)m * CHECK_MORSEL, to = TARN_MIN(from + CHECK_MORSEL, j->n);
    for (int i = from; i < to; i++) {
        tarn_io_record *rec = &j->r->recs[i];
        if (j->r->check[i] && !rec->error)
            rec->error = tarn_json_check(rec->text, rec->len, j->r->msgs + (size_t)i * 160, 160);
    }
}

static tarn_status next_raw(tarn_io_records *r, const tarn_io_record **out, int *n, tarn_err *err);

tarn_status tarn_io_records_next(tarn_io_records *r, const tarn_io_record **out, int *n,
                                 tarn_err *err)
{
    TARN_TRY(next_raw(r, out, n, err));
    if (*n > 0) {
        check_job j = {r, *n};
        int64_t morsels = (*n + CHECK_MORSEL - 1) / CHECK_MORSEL;
        if (morsels > 1 && !r->opts.single_threaded)
            tarn_pool_run(r->opts.pool ? r->opts.pool : tarn_pool_default(), morsels, check_morsel,
                          &j);
        else
            for (int64_t m = 0; m < morsels; m++)
                check_morsel(&j, m);
    }
    return TARN_OK;
}

static tarn_status next_raw(tarn_io_records *r, const tarn_io_record **out, int *n, tarn_err *err)
{
    *out = r->recs;
    *n = 0;
    /* Records of the previous call are gone: line numbers advance over them. */
    bool csv = r->opts.format == TARN_IO_CSV || r->opts.format == TARN_IO_TSV;
    bool json = r->opts.format == TARN_IO_JSON;
    for (;;) {
        if (r->pos >= r->len && !r->eof) {
            if (*n > 0)
                return TARN_OK; /* hand out what we have before moving the window */
            TARN_TRY(refill(r, err));
            continue;
        }
        if (!r->started) {
            if (r->len - r->pos < 3 && !r->eof) {
                if (*n > 0)
                    return TARN_OK;
                TARN_TRY(refill(r, err));
                continue;
            }
            r->started = true;
            if (r->len - r->pos >= 3 && r->buf[r->pos] == 0xef && r->buf[r->pos + 1] == 0xbb &&
                r->buf[r->pos + 2] == 0xbf)
                consume(r, r->pos + 3); /* UTF-8 byte order mark */
        }
        if (r->pos >= r->len && r->eof)
            return TARN_OK;
        if (*n == MAX_BATCH)
            return TARN_OK;
        size_t next = 0, end;
        if (json) {
            /* Skip whitespace and separators between values. */
            size_t i = r->pos;
            while (i < r->len && strchr(" \t\r\n", r->buf[i]))
                i++;
            if (i == r->len) {
                if (r->eof) {
                    consume(r, i);
                    return TARN_OK;
                }
                consume(r, i);
                if (*n > 0)
                    return TARN_OK;
                TARN_TRY(refill(r, err));
                continue;
            }
            if (!r->seen_value && r->buf[i] == '[') {
                /* A top-level array: its elements are the records. */
                r->in_array = true;
                r->seen_value = true;
                consume(r, i + 1);
                continue;
            }
            if (r->in_array && (r->buf[i] == ',' || r->buf[i] == ']')) {
                if (r->buf[i] == ']') {
                    r->in_array = false;
                    r->array_end = true;
                }
                consume(r, i + 1);
                continue;
            }
            consume(r, i);
            end = value_end(r);
            if (end == 0) {
                if (*n > 0)
                    return TARN_OK;
                TARN_TRY(refill(r, err));
                continue;
            }
            if (end - r->pos > r->opts.max_record_size)
                return too_long(r, err);
            add_record(r, n, r->pos, end, true);
            r->seen_value = true;
            if (r->array_end)
                r->recs[*n - 1].error = "invalid JSON: text after the top-level array";
            /* Keep the record's bytes: consume only after the batch is handed out. */
            next = end;
        } else {
            end = line_end(r, csv, &next);
            if (end == 0 && next == 0) {
                if (*n > 0)
                    return TARN_OK;
                TARN_TRY(refill(r, err));
                continue;
            }
            if (blank(r->buf + r->pos, end - r->pos)) {
                consume(r, next);
                continue;
            }
            if (csv && r->opts.header == 1 && !r->header) {
                size_t e = end;
                while (e > r->pos && r->buf[e - 1] == '\r')
                    e--;
                r->header = tarn_strndup((const char *)r->buf + r->pos, e - r->pos);
                if (!r->header)
                    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                consume(r, next);
                continue;
            }
            if (end - r->pos > r->opts.max_record_size)
                return too_long(r, err);
            add_record(r, n, r->pos, end, !csv);
        }
        /* The record's text stays in the window: advance pos and line, but
         * the window is only compacted by refill, after this batch. */
        consume(r, next);
    }
}
