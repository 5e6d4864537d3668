/*
 * io/csv.c - the CSV/TSV parser (RFC 4180: quoted fields, doubled quotes,
 * newlines inside quotes, CRLF), its quote-parity cutter, and the small
 * helpers used at open time (record splitting, delimiter sniffing).
 *
 * Cutting: a newline is a record boundary iff an even number of quote bytes
 * precede it in the chunk (chunks start at boundaries). Stray quotes in
 * unquoted fields are errors, so the first malformed record is always found
 * by the piece that holds it and reported before anything cut after it.
 * Unquoted empty field = null; quoted "" = empty string for text columns.
 */
#include "io/io_int.h"

#include "base/arena.h"

#include <stdarg.h>
#include <stdio.h>

typedef struct cctx {
    const tarn_io_job *job;    /* shared options, plan and field map */
    tarn_io_piece *pc;         /* output and error */
    tarn_batch *b;             /* open batch (NULL when inferring) */
    const uint8_t *end;        /* piece end */
    const uint8_t *line_start; /* first byte of the current line inside the piece */
    int64_t line_col0;         /* bytes of the line before line_start (first line only) */
    int64_t line;              /* newlines consumed so far */
    uint8_t delim;             /* field separator */
    uint8_t quote;             /* quote byte, 0 = none */
} cctx;

static bool cfail(cctx *x, const uint8_t *at, const char *fmt, ...) TARN_PRINTF(3, 4);

static bool cfail(cctx *x, const uint8_t *at, const char *fmt, ...)
{
    char msg[TARN_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int64_t col = at ? (int64_t)(at - x->line_start) + x->line_col0 + 1 : 0;
    tarn_io_piece_fail(x->pc, TARN_ERR_INVALID, x->line + 1, col, "%s", msg);
    return false;
}

static void newline_at(cctx *x, const uint8_t *next)
{
    x->line++;
    x->line_start = next;
    x->line_col0 = 0;
}

/* Counts newlines inside a quoted field body [p, q). */
static void quoted_newlines(cctx *x, const uint8_t *p, const uint8_t *q)
{
    for (;;) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(q - p));
        if (!nl)
            return;
        newline_at(x, nl + 1);
        p = nl + 1;
    }
}

/* Removes the doubled quotes of a quoted body into the scratch buffer. */
static bool undouble(cctx *x, const uint8_t **s, size_t *n)
{
    tarn_buf *sc = &x->pc->scratch;
    tarn_buf_reset(sc);
    if (tarn_buf_reserve(sc, *n) != TARN_OK)
        return false;
    const uint8_t *p = *s, *e = *s + *n;
    uint8_t *o = (uint8_t *)sc->data;
    while (p < e) {
        uint8_t c = *p++;
        *o++ = c;
        if (c == x->quote && p < e && *p == x->quote)
            p++;
    }
    *s = (const uint8_t *)sc->data;
    *n = (size_t)(o - (uint8_t *)sc->data);
    return true;
}

/* Delivers field f; (line, col) locate its first byte for messages. */
static bool field(cctx *x, int f, int64_t line, int64_t col, const uint8_t *s, size_t n,
                  bool quoted, bool doubled)
{
    const tarn_io_job *job = x->job;
    int ci = job->csv_map[f];
    if (ci < 0)
        return true;
    if (doubled && !undouble(x, &s, &n)) { /* NOMEM, not a bad record: never skipped */
        tarn_io_piece_fail(x->pc, TARN_ERR_NOMEM, x->line + 1, 0, "out of memory");
        return false;
    }
    const char *nt = job->opts->null_text;
    bool is_null_text = !quoted && nt && n == strlen(nt) && memcmp(s, nt, n) == 0;
    if (job->infer) {
        tarn_io_class c = (n == 0 || is_null_text) ? TARN_IO_C_NULL : tarn_io_class_text(s, n);
        tarn_io_infer_note(job->infer, ci, c);
        return true;
    }
    const tarn_io_col *c = &job->plan->cols[ci];
    tarn_vec *v = x->b->cols[ci];
    tarn_io_piece *pc = x->pc;
    tarn_status st;
    if (n == 0)
        st = quoted && (c->kind == TARN_IO_K_STR || c->kind == TARN_IO_K_BIN)
                 ? tarn_io_put_bytes(pc, c, v, s, 0, &pc->err)
                 : tarn_io_put_null(c, v, &pc->err);
    else if (is_null_text)
        st = tarn_io_put_null(c, v, &pc->err);
    else
        st = tarn_io_conv_text(pc, c, v, s, n, true, &pc->err);
    if (TARN_LIKELY(st == TARN_OK))
        return true;
    tarn_err_prefix(&pc->err, "field '%s'", c->name);
    pc->err.code = st;
    pc->err.line = line;
    pc->err.col = col;
    pc->st = st;
    return false;
}

static bool record_done(cctx *x, const uint8_t *rec)
{
    tarn_io_piece *pc = x->pc;
    const tarn_io_job *job = x->job;
    pc->n_records++;
    if (job->infer)
        return true;
    const tarn_io_plan *pl = job->plan;
    for (int i = 0; i < pl->n_cols && !job->csv_all_mapped; i++) {
        tarn_vec *v = x->b->cols[i];
        if (v->len != pc->rows)
            continue;
        tarn_status st = tarn_io_put_null(&pl->cols[i], v, &pc->err);
        if (st != TARN_OK) {
            tarn_err_prefix(&pc->err, "field '%s'", pl->cols[i].name);
            pc->err.line = x->line;
            pc->st = st;
            return false;
        }
    }
    pc->rows++;
    if (pc->rows >= job->batch_rows || pc->batch_bytes >= TARN_IO_BATCH_BYTES_MAX) {
        tarn_io_piece_batch_end(pc);
        if (tarn_io_piece_batch_begin(job, pc) != TARN_OK) {
            tarn_io_piece_fail(pc, TARN_ERR_NOMEM, x->line + 1, 0, "out of memory");
            return false;
        }
        x->b = pc->batches[pc->n_batches - 1];
    }
    return true;
}

/* First byte at or after p that may end an unquoted run (delimiter, CR, LF,
 * quote, NUL): 16 bytes at a time, the sentinel padding keeps loads inside
 * the chunk. */
static inline const uint8_t *scan_unquoted(const uint8_t *p, const uint8_t *cls, uint8_t delim,
                                           uint8_t quote)
{
#if defined(__SSE2__)
    const __m128i d = _mm_set1_epi8((char)delim), q = _mm_set1_epi8((char)quote),
                  lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), z = _mm_setzero_si128();
    (void)cls;
    for (;;) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, q)),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
                                      _mm_cmpeq_epi8(v, z)));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
#else
    (void)delim;
    (void)quote;
    while (!cls[*p])
        p++;
    return p;
#endif
}

static inline bool at_eol(const cctx *x, const uint8_t *p)
{
    return p >= x->end || *p == '\n' || (*p == '\r' && (p + 1 >= x->end || p[1] == '\n'));
}

/* One record at p; returns the first byte after it, NULL on error. */
static const uint8_t *record(cctx *x, const uint8_t *p)
{
    const tarn_io_job *job = x->job;
    const uint8_t *cls = job->csv_cls, *end = x->end, *rec = p;
    const uint8_t delim = x->delim, quote = x->quote;
    const int nf = job->csv_n_fields;
    int64_t rec_line = x->line;
    int f = 0;
    for (;;) {
        const uint8_t *fs = p, *vs, *ve;
        bool quoted = false, doubled = false;
        int64_t f_line = x->line + 1, f_col = (int64_t)(fs - x->line_start) + x->line_col0 + 1;
        if (quote && *p == quote && p < end) {
            quoted = true;
            vs = ++p;
            for (;;) {
                const uint8_t *q = memchr(p, quote, (size_t)(end - p));
                if (!q) {
                    cfail(x, fs, "unterminated quoted field");
                    return NULL;
                }
                quoted_newlines(x, p, q);
                if (q + 1 < end && q[1] == quote) {
                    doubled = true;
                    p = q + 2;
                    continue;
                }
                ve = q;
                p = q + 1;
                break;
            }
            if (p < end && *p != delim && !at_eol(x, p)) {
                cfail(x, p,
                      "unexpected character after a closing quote (a quote inside a quoted "
                      "field must be doubled)");
                return NULL;
            }
        } else {
            vs = p;
            for (;;) {
                p = scan_unquoted(p, cls, delim, quote);
                if (p < end && ((*p == '\r' && !at_eol(x, p)) || *p == 0)) {
                    p++; /* a bare CR or a NUL byte is data */
                    continue;
                }
                break;
            }
            if (quote && *p == quote && p < end) {
                cfail(x, p, "quote character inside an unquoted field (quote the whole field)");
                return NULL;
            }
            ve = p;
        }
        if (f < nf && !field(x, f, f_line, f_col, vs, (size_t)(ve - vs), quoted, doubled))
            return NULL;
        f++;
        if (p < end && *p == delim) {
            p++;
            continue;
        }
        break;
    }
    if (p < end && *p == '\r')
        p++;
    if (p < end && *p == '\n') {
        p++;
        newline_at(x, p);
    }
    if (f != nf) {
        x->line = rec_line;
        cfail(x, NULL, "expected %d fields but found %d", nf, f);
        return NULL;
    }
    return record_done(x, rec) ? p : NULL;
}

/* End of the record starting at rec (after its line end), by quote parity. */
static const uint8_t *record_end(const cctx *x, const uint8_t *rec)
{
    bool inq = false;
    const uint8_t *p = rec;
    for (; p < x->end; p++) {
        if (x->quote && *p == x->quote)
            inq = !inq;
        else if (*p == '\n' && !inq)
            return p + 1;
    }
    return p;
}

void tarn_io_csv_parse_piece(const tarn_io_job *job, tarn_io_piece *pc)
{
    cctx x;
    memset(&x, 0, sizeof x);
    x.job = job;
    x.pc = pc;
    x.end = pc->end;
    x.line_start = pc->begin;
    x.line_col0 = pc->col0;
    x.delim = (uint8_t)job->opts->delimiter;
    x.quote = (uint8_t)job->opts->quote;
    if (!job->infer) {
        if (tarn_io_piece_batch_begin(job, pc) != TARN_OK) {
            tarn_io_piece_fail(pc, TARN_ERR_NOMEM, 0, 0, "out of memory allocating a batch");
            return;
        }
        x.b = pc->batches[pc->n_batches - 1];
    }
    const uint8_t *p = pc->begin, *end = pc->end;
    bool ok = true;
    while (p < end) {
        if (job->infer && job->max_records > 0 && pc->n_records >= job->max_records)
            break;
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
            p += *p == '\r' ? 2 : 1; /* blank lines are skipped */
            newline_at(&x, p);
            continue;
        }
        const uint8_t *rec = p;
        int64_t rec_line = x.line;
        p = record(&x, p);
        if (!p) {
            /* Permissive mode skips the record; strict mode stops here. */
            p = record_end(&x, rec);
            if (!tarn_io_piece_keep_bad(job, pc, rec, (size_t)(p - rec))) {
                ok = false;
                break;
            }
            x.line = rec_line;
            x.line_start = rec;
            quoted_newlines(&x, rec, p);
        }
    }
    if (!job->infer) {
        if (!ok)
            tarn_io_piece_rollback(pc);
        tarn_io_piece_batch_end(pc);
    }
    pc->n_lines = x.line;
}

void tarn_io_csv_classes(tarn_io_job *job, char delim, char quote)
{
    memset(job->csv_cls, 0, sizeof job->csv_cls);
    job->csv_cls[(uint8_t)delim] = 1;
    job->csv_cls['\n'] = 1;
    job->csv_cls['\r'] = 1;
    job->csv_cls[0] = 1;
    if (quote)
        job->csv_cls[(uint8_t)quote] = 1;
}

int tarn_io_csv_cut(const uint8_t *buf, size_t pos, size_t len, bool eof, char quote_c, int n_max,
                    size_t *cuts)
{
    if (!quote_c)
        return tarn_io_ndjson_cut(buf, pos, len, eof, n_max, cuts);
    const uint8_t quote = (uint8_t)quote_c;
    size_t end = 0;
    if (eof) {
        end = len;
    } else {
        size_t total = tarn_io_count_byte(buf + pos, len - pos, quote), after = 0, hi = len;
        for (;;) {
            const uint8_t *nl = memrchr(buf + pos, '\n', hi - pos);
            if (!nl)
                break;
            size_t e = (size_t)(nl - buf);
            after += tarn_io_count_byte(buf + e + 1, hi - (e + 1), quote);
            if (((total - after) & 1) == 0) {
                end = e + 1;
                break;
            }
            hi = e;
        }
    }
    if (end <= pos)
        return 0;
    int k = 0;
    size_t scanned = pos, quotes = 0, step = (end - pos) / (size_t)(n_max > 0 ? n_max : 1);
    cuts[0] = pos;
    for (int i = 1; i < n_max; i++) {
        size_t t = pos + step * (size_t)i;
        if (t <= scanned)
            continue;
        quotes += tarn_io_count_byte(buf + scanned, t - scanned, quote);
        size_t j = t;
        bool inq = quotes & 1;
        while (j < end) {
            uint8_t c = buf[j];
            if (c == quote) {
                inq = !inq;
                quotes++;
            } else if (c == '\n' && !inq) {
                break;
            }
            j++;
        }
        scanned = j;
        if (j + 1 >= end)
            break;
        cuts[++k] = j + 1;
    }
    cuts[++k] = end;
    return k;
}

/* Finds the end of a quoted body starting after the opening quote. */
static const uint8_t *quoted_end(const uint8_t *p, const uint8_t *end, uint8_t quote)
{
    for (;;) {
        const uint8_t *q = memchr(p, quote, (size_t)(end - p));
        if (!q)
            return NULL;
        if (q + 1 < end && q[1] == quote) {
            p = q + 2;
            continue;
        }
        return q;
    }
}

int tarn_io_csv_split_record(tarn_arena *a, const uint8_t *p, const uint8_t *end, char delim_c,
                             char quote_c, int max, char **fields, bool *quoted,
                             const uint8_t **out_next)
{
    const uint8_t delim = (uint8_t)delim_c, quote = (uint8_t)quote_c;
    int n = 0;
    for (;;) {
        const uint8_t *vs = p, *ve;
        bool q = false;
        if (quote && p < end && *p == quote) {
            q = true;
            vs = p + 1;
            ve = quoted_end(vs, end, quote);
            if (!ve)
                return -1;
            p = ve + 1;
        } else {
            while (p < end && *p != delim && *p != '\n' &&
                   !(*p == '\r' && (p + 1 >= end || p[1] == '\n')))
                p++;
            ve = p;
        }
        if (n < max) {
            char *s = tarn_arena_alloc(a, (size_t)(ve - vs) + 1);
            if (!s)
                return -2;
            size_t o = 0;
            for (const uint8_t *c = vs; c < ve; c++) {
                s[o++] = (char)*c;
                if (q && *c == quote && c + 1 < ve && c[1] == quote)
                    c++;
            }
            s[o] = '\0';
            fields[n] = s;
            if (quoted)
                quoted[n] = q;
        }
        n++;
        if (p < end && *p == delim) {
            p++;
            continue;
        }
        break;
    }
    if (p < end && *p == '\r')
        p++;
    if (p < end && *p == '\n')
        p++;
    *out_next = p;
    return n;
}

/* Fields in the record at *pp (quote-aware); *complete false when the
 * sample ends inside it. */
static int count_fields(const uint8_t **pp, const uint8_t *end, uint8_t delim, uint8_t quote,
                        bool *complete)
{
    const uint8_t *p = *pp;
    int n = 1;
    bool inq = false;
    *complete = false;
    while (p < end) {
        uint8_t c = *p++;
        if (quote && c == quote) {
            inq = !inq;
        } else if (!inq && c == delim) {
            n++;
        } else if (!inq && c == '\n') {
            *complete = true;
            break;
        }
    }
    *pp = p;
    return n;
}

char tarn_io_csv_sniff_delimiter(const uint8_t *p, size_t n, char quote)
{
    static const char cands[] = {',', '\t', ';', '|'};
    const uint8_t *end = p + n;
    char best = ',';
    long best_score = 0;
    for (size_t c = 0; c < sizeof cands; c++) {
        const uint8_t *q = p;
        int first = -1, rows = 0, same = 0;
        while (q < end && rows < 50) {
            if (*q == '\n' || *q == '\r') {
                q++;
                continue;
            }
            bool complete;
            int k = count_fields(&q, end, (uint8_t)cands[c], (uint8_t)quote, &complete);
            if (!complete && rows > 0)
                break;
            if (first < 0)
                first = k;
            rows++;
            same += k == first;
        }
        if (first < 2)
            continue;
        long score = (long)same * 100 + first + (same == rows ? 1000000L : 0);
        if (score > best_score) {
            best_score = score;
            best = cands[c];
        }
    }
    return best;
}
