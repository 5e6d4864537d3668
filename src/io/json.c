/*
 * io/json.c - the NDJSON / JSON record parser: bytes -> column vectors with
 * no DOM and no per-value allocation, plus the cut functions that split a
 * chunk into independently parseable pieces.
 *
 * A piece is parsed by one worker: keys are matched against the column plan
 * (predicted from the previous record's key order, else hashed), values are
 * converted straight into the open batch. Duplicate keys: the last wins.
 * Missing keys become nulls. Parsing relies on the TARN_IO_PAD sentinel (see
 * io_int.h): every scan stops at a byte that cannot continue its token.
 * Line and column numbers are relative to the piece; the reader rebases them.
 */
#include "io/io_int.h"

#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>

typedef struct jctx {
    const tarn_io_job *job;    /* shared options and plan */
    tarn_io_piece *pc;         /* output and error */
    const tarn_io_plan *plan;  /* converters (NULL when inferring) */
    tarn_batch *b;             /* open batch (NULL when inferring) */
    const uint8_t *end;        /* piece end */
    const uint8_t *line_start; /* first byte of the current line inside the piece */
    int64_t line_col0;         /* bytes of the line before line_start (first line only) */
    int64_t line;              /* newlines consumed so far */
    int n_set;                 /* columns given a value in the current record */
    bool multiline;            /* JSON mode: whitespace may hold newlines */
    bool defer_commit;         /* NDJSON: the caller commits once the line is checked */
    const char *field;         /* column whose value is being parsed, for messages */
    tarn_io_field_fn unknown;  /* one record at a time: fields no column names, or NULL */
    void *unknown_ctx;
    uint8_t *first;         /* one record at a time: first byte of each column's value, or NULL */
    tarn_status unknown_st; /* what unknown() returned when it stopped the record */
} jctx;

static int64_t col_of(const jctx *x, const uint8_t *at)
{
    return (int64_t)(at - x->line_start) + x->line_col0 + 1;
}

/* Names the byte at p for messages. */
static const char *describe(const jctx *x, const uint8_t *p, char *buf, size_t cap)
{
    if (p >= x->end || (*p == 0 && p + 1 >= x->end))
        return "the end of the input";
    if (*p == '\n')
        return "the end of the line";
    if (*p >= 0x20 && *p < 0x7f)
        snprintf(buf, cap, "'%c'", *p);
    else
        snprintf(buf, cap, "byte 0x%02x", *p);
    return buf;
}

static const uint8_t *jfail(jctx *x, const uint8_t *at, const char *fmt, ...) TARN_PRINTF(3, 4);

static const uint8_t *jfail(jctx *x, const uint8_t *at, const char *fmt, ...)
{
    char msg[TARN_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (x->field && strncmp(msg, "field '", 7) != 0)
        tarn_io_piece_fail(x->pc, TARN_ERR_INVALID, x->line + 1, col_of(x, at), "field '%s': %s",
                           x->field, msg);
    else
        tarn_io_piece_fail(x->pc, TARN_ERR_INVALID, x->line + 1, col_of(x, at), "%s", msg);
    return NULL;
}

/* A converter failed and wrote pc->err.msg: add the field and the place. */
static const uint8_t *cfail(jctx *x, int ci, const uint8_t *at, tarn_status st)
{
    tarn_io_piece *pc = x->pc;
    tarn_err_prefix(&pc->err, "field '%s'", x->plan->cols[ci].name);
    pc->err.code = st;
    pc->err.line = x->line + 1;
    pc->err.col = col_of(x, at);
    pc->st = st;
    return NULL;
}

static inline const uint8_t *ws(jctx *x, const uint8_t *p)
{
    while (TARN_UNLIKELY(*p <= ' ') && p < x->end) {
        if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
        } else if (*p == '\n' && x->multiline) {
            x->line++;
            x->line_col0 = 0;
            x->line_start = ++p;
        } else {
            break;
        }
    }
    return p;
}

/* First '"', '\\' or control byte at or after p; ORs into *high the
 * high bits of the bytes passed over (non-zero: not pure ASCII). */
static inline const uint8_t *scan_str(const uint8_t *p, unsigned *high)
{
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), lim = _mm_set1_epi8(0x1f);
    for (;;) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(v, lim), lim);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)), ctl);
        unsigned m = (unsigned)_mm_movemask_epi8(hit), h = (unsigned)_mm_movemask_epi8(v);
        if (m) {
            unsigned i = (unsigned)__builtin_ctz(m);
            *high |= h & ((1u << i) - 1);
            return p + i;
        }
        *high |= h;
        p += 16;
    }
#else
    while (*p != '"' && *p != '\\' && *p >= 0x20)
        *high |= *p++ & 0x80;
    return p;
#endif
}

/* p is just after an opening quote; returns the closing quote. *flags gets
 * STR_ESC when escapes occur, STR_HIGH when non-ASCII bytes do. */
enum {
    STR_ESC = 1,
    STR_HIGH = 2
};

static const uint8_t *str_end(jctx *x, const uint8_t *p, unsigned *flags)
{
    const uint8_t *open = p - 1;
    unsigned high = 0;
    for (;;) {
        p = scan_str(p, &high);
        if (TARN_LIKELY(*p == '"')) {
            *flags |= high ? STR_HIGH : 0;
            return p;
        }
        if (*p == '\\') {
            *flags |= STR_ESC;
            if (p[1] >= 0x20) {
                high |= p[1] & 0x80;
                p += 2;
                continue;
            }
            p++;
        }
        if (p >= x->end || *p == '\n')
            return jfail(x, open, "unterminated string");
        return jfail(x, p, "control character 0x%02x in a string (it must be escaped)", *p);
    }
}

static bool hex4(const uint8_t *p, const uint8_t *q, uint32_t *out)
{
    if (q - p < 4)
        return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        int d = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
}

static uint8_t *put_utf8(uint8_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (uint8_t)cp;
    } else if (cp < 0x800) {
        *o++ = (uint8_t)(0xc0 | cp >> 6);
        *o++ = (uint8_t)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (uint8_t)(0xe0 | cp >> 12);
        *o++ = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (uint8_t)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (uint8_t)(0xf0 | cp >> 18);
        *o++ = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (uint8_t)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* Unescapes the string body [p, q) into dst (room for q - p bytes). */
static bool unescape(jctx *x, const uint8_t *p, const uint8_t *q, uint8_t *dst, size_t *out_n)
{
    uint8_t *o = dst;
    while (p < q) {
        const uint8_t *bs = memchr(p, '\\', (size_t)(q - p));
        if (!bs) {
            memcpy(o, p, (size_t)(q - p));
            o += q - p;
            break;
        }
        memcpy(o, p, (size_t)(bs - p));
        o += bs - p;
        p = bs + 2;
        switch (bs[1]) {
        case '"':
        case '\\':
        case '/':
            *o++ = bs[1];
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            uint32_t cp, lo;
            if (!hex4(bs + 2, q, &cp)) {
                jfail(x, bs, "invalid \\u escape (four hex digits expected)");
                return false;
            }
            p = bs + 6;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (q - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, q, &lo) &&
                    lo >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                } else {
                    jfail(x, bs, "unpaired UTF-16 surrogate \\u%04X", cp);
                    return false;
                }
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                jfail(x, bs, "unpaired UTF-16 surrogate \\u%04X", cp);
                return false;
            }
            o = put_utf8(o, cp);
            break;
        }
        default: {
            char wb[16];
            jfail(x, bs, "invalid escape '\\%s' in a string",
                  bs[1] >= 0x20 && bs[1] < 0x7f ? (snprintf(wb, sizeof wb, "%c", bs[1]), wb) : "?");
            return false;
        }
        }
    }
    *out_n = (size_t)(o - dst);
    return true;
}

/* String at p (on the quote) unescaped into the piece scratch buffer when it
 * has escapes; *s and *n give the content either way. */
static const uint8_t *str_value(jctx *x, const uint8_t *p, const uint8_t **s, size_t *n)
{
    unsigned fl = 0;
    const uint8_t *q = str_end(x, p + 1, &fl);
    if (!q)
        return NULL;
    if (TARN_LIKELY(!(fl & STR_ESC))) {
        *s = p + 1;
        *n = (size_t)(q - p - 1);
        return q + 1;
    }
    tarn_buf *sc = &x->pc->scratch;
    tarn_buf_reset(sc);
    if (tarn_buf_reserve(sc, (size_t)(q - p)) != TARN_OK) {
        tarn_io_piece_fail(x->pc, TARN_ERR_NOMEM, x->line + 1, col_of(x, p), "out of memory");
        return NULL;
    }
    if (!unescape(x, p + 1, q, (uint8_t *)sc->data, n))
        return NULL;
    *s = (const uint8_t *)sc->data;
    return q + 1;
}

/* true/false/null at p: *kind 1, 0, 2. */
static const uint8_t *literal(jctx *x, const uint8_t *p, int *kind)
{
    if (memcmp(p, "true", 4) == 0) {
        *kind = 1;
        return p + 4;
    }
    if (memcmp(p, "false", 5) == 0) {
        *kind = 0;
        return p + 5;
    }
    if (memcmp(p, "null", 4) == 0) {
        *kind = 2;
        return p + 4;
    }
    char wb[16];
    return jfail(x, p, "expected a JSON value but found %s", describe(x, p, wb, sizeof wb));
}

static const uint8_t *number(jctx *x, const uint8_t *p, tarn_io_num *num)
{
    const uint8_t *e = tarn_io_scan_number(p, x->end, true, num);
    if (!e)
        return jfail(x, p, "invalid number '%.*s'", (int)TARN_MIN(num->n, 40), (const char *)p);
    return e;
}

/* Skips one JSON value at p, checking its syntax; iterative, depth-limited. */
static const uint8_t *skip_value(jctx *x, const uint8_t *p)
{
    uint8_t stack[TARN_IO_MAX_DEPTH];
    int depth = 0;
    char wb[16];
    for (;;) {
        /* A value starts at p. */
        p = ws(x, p);
        switch (*p) {
        case '"': {
            unsigned fl = 0;
            const uint8_t *q = str_end(x, p + 1, &fl);
            if (!q)
                return NULL;
            if (fl & STR_ESC) {
                /* Validate the escapes without keeping the text. */
                tarn_buf *sc = &x->pc->scratch;
                size_t n;
                tarn_buf_reset(sc);
                if (tarn_buf_reserve(sc, (size_t)(q - p)) != TARN_OK)
                    return jfail(x, p, "out of memory");
                if (!unescape(x, p + 1, q, (uint8_t *)sc->data, &n))
                    return NULL;
            }
            p = q + 1;
            break;
        }
        case '{':
        case '[':
            if (depth >= TARN_IO_MAX_DEPTH)
                return jfail(x, p, "JSON nested deeper than %d levels", TARN_IO_MAX_DEPTH);
            stack[depth++] = *p;
            p = ws(x, p + 1);
            if (*p == (stack[depth - 1] == '{' ? '}' : ']')) {
                p++;
                depth--;
                break;
            }
            if (stack[depth - 1] == '{')
                goto key;
            continue;
        case 't':
        case 'f':
        case 'n': {
            int k;
            p = literal(x, p, &k);
            if (!p)
                return NULL;
            break;
        }
        default: {
            tarn_io_num num;
            if (*p == '-' || (*p >= '0' && *p <= '9')) {
                p = number(x, p, &num);
                if (!p)
                    return NULL;
                break;
            }
            return jfail(x, p, "expected a JSON value but found %s", describe(x, p, wb, sizeof wb));
        }
        }
        /* After a value: close containers or move to the next member. */
        for (;;) {
            if (depth == 0)
                return p;
            p = ws(x, p);
            uint8_t close = stack[depth - 1] == '{' ? '}' : ']';
            if (*p == close) {
                p++;
                depth--;
                continue;
            }
            if (*p != ',')
                return jfail(x, p, "expected ',' or '%c' but found %s", close,
                             describe(x, p, wb, sizeof wb));
            p = ws(x, p + 1);
            if (stack[depth - 1] == '{')
                goto key;
            break;
        }
        continue;
    key:
        /* An object member: "name" ':' then the value. */
        if (*p != '"')
            return jfail(x, p, "expected a field name (a string) but found %s",
                         describe(x, p, wb, sizeof wb));
        {
            unsigned fl = 0;
            const uint8_t *q = str_end(x, p + 1, &fl);
            if (!q)
                return NULL;
            p = ws(x, q + 1);
        }
        if (*p != ':')
            return jfail(x, p, "expected ':' but found %s", describe(x, p, wb, sizeof wb));
        p++;
    }
}

/* Value for column ci. */
static const uint8_t *value_inner(jctx *x, int ci, const uint8_t *p)
{
    tarn_io_piece *pc = x->pc;
    const tarn_io_col *c = &x->plan->cols[ci];
    tarn_vec *v = x->b->cols[ci];
    tarn_err *err = &pc->err;
    tarn_status st;
    if (TARN_UNLIKELY(v->len > pc->rows))
        tarn_io_vec_pop(v); /* duplicate key: the last one wins */
    else
        x->n_set++;
    const uint8_t *at = p;
    switch (*p) {
    case '"': {
        unsigned fl = 0;
        const uint8_t *q = str_end(x, p + 1, &fl);
        if (!q)
            return NULL;
        size_t n = (size_t)(q - p - 1);
        if (TARN_LIKELY(!(fl & STR_ESC))) {
            if ((c->kind == TARN_IO_K_STR && !(fl & STR_HIGH)) || c->kind == TARN_IO_K_BIN)
                st = tarn_io_put_bytes_raw(pc, v, p + 1, n, err);
            else
                st = tarn_io_conv_text(pc, c, v, p + 1, n, false, err);
        } else if (c->kind == TARN_IO_K_STR || c->kind == TARN_IO_K_BIN) {
            if (v->bytes_len + (int64_t)n > v->bytes_cap &&
                (st = tarn_vec_reserve_bytes(v, (int64_t)n)) != TARN_OK) {
                if (st == TARN_ERR_NOMEM) { /* not a bad record: never skipped */
                    tarn_err_set(err, st, "out of memory");
                    return cfail(x, ci, at, st);
                }
                return jfail(x, at, "string values of one batch exceed 2 GiB");
            }
            size_t m;
            if (!unescape(x, p + 1, q, v->bytes + v->bytes_len, &m))
                return NULL;
            if (c->kind == TARN_IO_K_STR && !tarn_io_utf8_valid(v->bytes + v->bytes_len, m)) {
                tarn_err_set(err, TARN_ERR_INVALID, "invalid UTF-8 in a string value");
                return cfail(x, ci, at, TARN_ERR_INVALID);
            }
            v->bytes_len += (int64_t)m;
            v->offsets[v->len + 1] = (int32_t)v->bytes_len;
            tarn_io_mark_valid(v);
            v->len++;
            pc->batch_bytes += (int64_t)m;
            st = TARN_OK;
        } else {
            const uint8_t *s;
            if (!str_value(x, p, &s, &n))
                return NULL;
            st = tarn_io_conv_text(pc, c, v, s, n, false, err);
        }
        if (TARN_UNLIKELY(st != TARN_OK))
            return cfail(x, ci, at, st);
        return q + 1;
    }
    case '{':
    case '[': {
        if (c->kind != TARN_IO_K_STR) {
            tarn_err_set(err, TARN_ERR_INVALID, "%s is not %s",
                         *p == '{' ? "an object" : "an array", c->tname);
            return cfail(x, ci, at, TARN_ERR_INVALID);
        }
        const uint8_t *e = skip_value(x, p);
        if (!e)
            return NULL;
        st = tarn_io_put_bytes(pc, c, v, p, (size_t)(e - p), err);
        if (st != TARN_OK)
            return cfail(x, ci, at, st);
        return e;
    }
    case 't':
    case 'f':
    case 'n': {
        int k;
        const uint8_t *e = literal(x, p, &k);
        if (!e)
            return NULL;
        if (k == 2)
            st = tarn_io_put_null(c, v, err);
        else if (c->kind == TARN_IO_K_BOOL) {
            tarn_bit_set(v->data, v->len, k == 1);
            tarn_io_mark_valid(v);
            v->len++;
            st = TARN_OK;
        } else {
            st = tarn_io_conv_text(pc, c, v, p, (size_t)(e - p), false, err);
        }
        if (st != TARN_OK)
            return cfail(x, ci, at, st);
        return e;
    }
    default: {
        if (*p != '-' && (*p < '0' || *p > '9')) {
            char wb[16];
            return jfail(x, p, "field '%s': expected a JSON value but found %s", c->name,
                         describe(x, p, wb, sizeof wb));
        }
        tarn_io_num num;
        const uint8_t *e = number(x, p, &num);
        if (!e)
            return NULL;
        st = tarn_io_conv_number(pc, c, v, &num, err);
        if (TARN_UNLIKELY(st != TARN_OK))
            return cfail(x, ci, at, st);
        return e;
    }
    }
}

/* Parses the value of column ci at p; errors inside it name the field. */
static const uint8_t *value(jctx *x, int ci, const uint8_t *p)
{
    if (x->first)
        x->first[ci] = *p;
    x->field = x->plan->cols[ci].name;
    const uint8_t *r = value_inner(x, ci, p);
    x->field = NULL;
    return r;
}

/* Inference: classifies the value at p for field name k. */
static const uint8_t *infer_value(jctx *x, const uint8_t *k, size_t kn, const uint8_t *p)
{
    tarn_status st;
    int idx = tarn_io_infer_field(x->job->infer, k, kn, &st);
    if (idx < 0)
        return jfail(x, p, st == TARN_ERR_NOMEM ? "out of memory" : "more than %d distinct fields",
                     TARN_IO_INFER_MAX_FIELDS);
    switch (*p) {
    case '"': {
        const uint8_t *s;
        size_t n;
        const uint8_t *e = str_value(x, p, &s, &n);
        if (!e)
            return NULL;
        tarn_io_infer_note(x->job->infer, idx, tarn_io_class_json_string(s, n));
        return e;
    }
    case 't':
    case 'f':
    case 'n': {
        int lit;
        const uint8_t *e = literal(x, p, &lit);
        if (!e)
            return NULL;
        tarn_io_infer_note(x->job->infer, idx, lit == 2 ? TARN_IO_C_NULL : TARN_IO_C_BOOL);
        return e;
    }
    case '{':
    case '[': {
        const uint8_t *e = skip_value(x, p);
        if (e)
            tarn_io_infer_note(x->job->infer, idx, TARN_IO_C_STRING);
        return e;
    }
    default: {
        tarn_io_num num;
        if (*p != '-' && (*p < '0' || *p > '9')) {
            char wb[16];
            return jfail(x, p, "expected a JSON value but found %s", describe(x, p, wb, sizeof wb));
        }
        const uint8_t *e = number(x, p, &num);
        if (!e)
            return NULL;
        bool is_int = !num.frac && !num.has_exp && !num.big &&
                      num.mant <= (uint64_t)INT64_MAX + (num.neg ? 1 : 0);
        tarn_io_infer_note(x->job->infer, idx, is_int ? TARN_IO_C_INT : TARN_IO_C_DOUBLE);
        return e;
    }
    }
}

/* Column index for key k[0..kn) at position pos; updates the prediction. */
static int lookup(jctx *x, const uint8_t *k, size_t kn, int pos)
{
    int ci = tarn_io_plan_lookup(x->plan, k, kn);
    if (pos < TARN_IO_EXPECT)
        x->pc->expect[pos] = ci;
    return ci;
}

/* True when the key text at k is exactly c's name followed by the closing
 * quote. Reads at most 33 bytes from k (inside the sentinel padding). */
static inline bool key_is(const tarn_io_col *c, const uint8_t *k)
{
    size_t n = c->name_len;
    if (!c->fast_key || k[n] != '"')
        return false;
    uint64_t diff = 0;
    for (size_t w = 0; w < 32 && w < n; w += 8) {
        uint64_t a, b;
        memcpy(&a, k + w, 8);
        memcpy(&b, c->key_pad + w, 8);
        size_t left = n - w;
        uint64_t m = left >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (left * 8)) - 1;
        diff |= (a ^ b) & m;
    }
    return diff == 0;
}

/* Counts a finished record and rolls the batch over when it is full. */
static bool record_commit(jctx *x, const uint8_t *rec)
{
    tarn_io_piece *pc = x->pc;
    pc->n_records++;
    if (x->job->infer)
        return true;
    pc->rows++;
    if (pc->rows >= x->job->batch_rows || pc->batch_bytes >= TARN_IO_BATCH_BYTES_MAX) {
        tarn_io_piece_batch_end(pc);
        if (tarn_io_piece_batch_begin(x->job, pc) != TARN_OK) {
            jfail(x, rec, "out of memory");
            return false;
        }
        x->b = pc->batches[pc->n_batches - 1];
    }
    return true;
}

/* Ends a record: nulls for missing columns, then the commit unless the
 * caller defers it (NDJSON checks the rest of the line first). */
static bool record_done(jctx *x, const uint8_t *rec)
{
    tarn_io_piece *pc = x->pc;
    const tarn_io_plan *pl = x->plan;
    if (!x->job->infer && x->n_set < pl->n_cols) {
        for (int i = 0; i < pl->n_cols; i++) {
            tarn_vec *v = x->b->cols[i];
            if (v->len != pc->rows)
                continue;
            if (!pl->cols[i].nullable) {
                jfail(x, rec, "field '%s' is missing (column is NOT NULL)", pl->cols[i].name);
                return false;
            }
            tarn_status st = tarn_io_put_null(&pl->cols[i], v, &pc->err);
            if (st != TARN_OK) {
                cfail(x, i, rec, st);
                return false;
            }
        }
    }
    return x->defer_commit || record_commit(x, rec);
}

/* One object at p ('{'); returns the byte after its '}'. */
static const uint8_t *record(jctx *x, const uint8_t *p)
{
    const uint8_t *rec = p;
    char wb[16];
    int pos = 0;
    x->n_set = 0;
    p = ws(x, p + 1);
    if (*p == '}')
        return record_done(x, rec) ? p + 1 : NULL;
    for (;;) {
        if (TARN_UNLIKELY(*p != '"'))
            return jfail(x, p, "expected a field name (a string) but found %s",
                         describe(x, p, wb, sizeof wb));
        const uint8_t *kstart = p, *k;
        size_t kn;
        int ci = x->job->infer || pos >= TARN_IO_EXPECT ? -1 : x->pc->expect[pos];
        if (ci >= 0 && key_is(&x->plan->cols[ci], p + 1)) {
            /* The predicted key, matched in place: no scan, no hash. */
            k = p + 1;
            kn = x->plan->cols[ci].name_len;
            p += kn + 2;
        } else {
            ci = -1;
            p = str_value(x, p, &k, &kn);
            if (!p)
                return NULL;
        }
        p = ws(x, p);
        if (TARN_UNLIKELY(*p != ':'))
            return jfail(x, p, "expected ':' after field name '%.*s' but found %s",
                         (int)TARN_MIN(kn, 64), (const char *)k, describe(x, p, wb, sizeof wb));
        p = ws(x, p + 1);
        if (x->job->infer) {
            p = infer_value(x, k, kn, p);
        } else {
            if (ci < 0)
                ci = lookup(x, k, kn, pos);
            if (ci >= 0) {
                p = value(x, ci, p);
            } else if (x->unknown) {
                const uint8_t *vs = p;
                p = skip_value(x, p);
                if (p && (x->unknown_st =
                              x->unknown(x->unknown_ctx, k, kn, vs, (size_t)(p - vs))) != TARN_OK)
                    return jfail(x, kstart, "field '%.*s' stopped the record",
                                 (int)TARN_MIN(kn, 64), (const char *)k);
            } else if (x->job->opts->ignore_unknown_fields)
                p = skip_value(x, p);
            else
                return jfail(x, kstart, "unknown field '%.*s'", (int)TARN_MIN(kn, 64),
                             (const char *)k);
        }
        if (!p)
            return NULL;
        p = ws(x, p);
        if (TARN_LIKELY(*p == ',')) {
            p = ws(x, p + 1);
            pos++;
            continue;
        }
        if (*p == '}')
            return record_done(x, rec) ? p + 1 : NULL;
        return jfail(x, p, "expected ',' or '}' after a value but found %s",
                     describe(x, p, wb, sizeof wb));
    }
}

static bool infer_full(const jctx *x)
{
    return x->job->infer && x->job->max_records > 0 && x->pc->n_records >= x->job->max_records;
}

/* NDJSON: one object per line. A newline cannot occur inside a valid record
 * and whitespace skipping stops at it, so each record's parse ends on its
 * line without searching for the line end first. */
static bool parse_lines(jctx *x)
{
    tarn_io_piece *pc = x->pc;
    const uint8_t *p = pc->begin, *end = pc->end;
    char wb[16];
    while (p < end && !infer_full(x)) {
        x->line_start = p;
        x->line_col0 = 0;
        const uint8_t *q = ws(x, p);
        if (TARN_LIKELY(q < end && *q == '{')) {
            const uint8_t *rec = q;
            q = record(x, q);
            if (q)
                q = ws(x, q);
            if (q && (q >= end || *q == '\n') && !record_commit(x, rec))
                return false;
        } else if (q < end && *q != '\n') {
            jfail(x, q,
                  *q == '[' ? "a line must hold one JSON object, not an array (for a JSON "
                              "array file use --format json)"
                            : "a line must hold one JSON object but found %s",
                  describe(x, q, wb, sizeof wb));
            q = NULL;
        }
        if (q && q < end && *q != '\n') {
            jfail(x, q, "unexpected %s after the record", describe(x, q, wb, sizeof wb));
            q = NULL;
        }
        if (!q) {
            /* Permissive mode skips the line; strict mode stops here. */
            const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
            q = eol ? eol : end;
            if (!tarn_io_piece_keep_bad(x->job, pc, p, (size_t)(q - p)))
                return false;
        }
        if (q >= end)
            break;
        x->line++;
        p = q + 1;
    }
    return true;
}

static bool parse_stream(jctx *x)
{
    tarn_io_piece *pc = x->pc;
    const uint8_t *p = pc->begin, *end = pc->end;
    bool array = x->job->json_array, may_close = false;
    char wb[16];
    x->line_start = p;
    x->line_col0 = pc->col0;
    if (array && pc->stream_start) {
        p = ws(x, p);
        if (p >= end || *p != '[') {
            jfail(x, p, "expected '[' to open the JSON array but found %s",
                  describe(x, p, wb, sizeof wb));
            return false;
        }
        p++;
        may_close = true;
    }
    for (;;) {
        if (infer_full(x))
            return true;
        p = ws(x, p);
        if (p >= end) {
            if (array && pc->stream_end) {
                jfail(x, p, "unexpected end of input: the JSON array is not closed");
                return false;
            }
            return true;
        }
        if (array && *p == ']') {
            if (!may_close) {
                jfail(x, p, "expected an object after ',' but found ']'");
                return false;
            }
            p++;
            break;
        }
        if (*p != '{') {
            jfail(x, p, "expected a JSON object but found %s", describe(x, p, wb, sizeof wb));
            return false;
        }
        p = record(x, p);
        if (!p)
            return false;
        if (!array)
            continue;
        p = ws(x, p);
        if (p < end && *p == ',') {
            p++;
            may_close = false;
            continue;
        }
        if (p < end && *p == ']') {
            p++;
            break;
        }
        if (p >= end)
            jfail(x, p, "unexpected end of input: the JSON array is not closed");
        else
            jfail(x, p, "expected ',' or ']' after an array element but found %s",
                  describe(x, p, wb, sizeof wb));
        return false;
    }
    p = ws(x, p);
    if (p < end) {
        jfail(x, p, "unexpected %s after the end of the JSON array", describe(x, p, wb, sizeof wb));
        return false;
    }
    return true;
}

void tarn_io_json_parse_piece(const tarn_io_job *job, tarn_io_piece *pc, bool multiline)
{
    jctx x;
    memset(&x, 0, sizeof x);
    x.job = job;
    x.pc = pc;
    x.plan = job->plan;
    x.end = pc->end;
    x.multiline = multiline;
    x.line_start = pc->begin;
    if (!job->infer) {
        if (tarn_io_piece_batch_begin(job, pc) != TARN_OK) {
            tarn_io_piece_fail(pc, TARN_ERR_NOMEM, 0, 0, "out of memory allocating a batch");
            return;
        }
        x.b = pc->batches[pc->n_batches - 1];
    }
    x.defer_commit = !multiline;
    bool ok = multiline ? parse_stream(&x) : parse_lines(&x);
    if (!job->infer) {
        if (!ok)
            tarn_io_piece_rollback(pc);
        tarn_io_piece_batch_end(pc);
    }
    pc->n_lines = x.line;
}

/* One record at a time ---------------------------------------------------------- */

struct tarn_io_json_rows {
    tarn_io_opts opts;
    tarn_io_plan plan;
    tarn_io_job job;
    tarn_io_piece pc;
    tarn_batch *slot[1]; /* the piece's batch: the caller's, during a call */
    tarn_buf pad;        /* a record copied with TARN_IO_PAD zero bytes after it */
};

tarn_status tarn_io_json_rows_create(const tarn_schema *schema, tarn_io_json_rows **out,
                                     tarn_err *err)
{
    *out = NULL;
    tarn_io_json_rows *jr = tarn_calloc(1, sizeof *jr);
    if (!jr)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_io_opts_init(&jr->opts);
    jr->opts.format = TARN_IO_NDJSON;
    tarn_buf_init(&jr->pad);
    tarn_io_piece_init(&jr->pc);
    tarn_status st = tarn_io_plan_init(&jr->plan, schema, err);
    if (st != TARN_OK) {
        tarn_buf_fini(&jr->pad);
        tarn_io_piece_fini(&jr->pc);
        tarn_free(jr);
        return st;
    }
    jr->job.schema = schema;
    jr->job.plan = &jr->plan;
    jr->job.opts = &jr->opts;
    jr->job.batch_rows = INT64_MAX;
    *out = jr;
    return TARN_OK;
}

void tarn_io_json_rows_destroy(tarn_io_json_rows *jr)
{
    if (!jr)
        return;
    jr->pc.batches = NULL; /* never the piece's own */
    jr->pc.n_batches = jr->pc.cap_batches = 0;
    tarn_io_piece_fini(&jr->pc);
    tarn_io_plan_fini(&jr->plan);
    tarn_buf_fini(&jr->pad);
    tarn_free(jr);
}

tarn_status tarn_io_json_rows_parse(tarn_io_json_rows *jr, const uint8_t *text, size_t n,
                                    size_t readable, tarn_batch *b, tarn_io_field_fn unknown,
                                    void *ctx, uint8_t *first, tarn_err *err)
{
    if (readable < TARN_IO_PAD) { /* the scanners may read TARN_IO_PAD bytes past the end */
        tarn_buf_reset(&jr->pad);
        if (tarn_buf_append(&jr->pad, text, n) != TARN_OK ||
            tarn_buf_reserve(&jr->pad, n + TARN_IO_PAD) != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        memset(jr->pad.data + n, 0, TARN_IO_PAD);
        text = (const uint8_t *)jr->pad.data;
    }
    for (int i = 0; i < b->n_cols; i++) /* the converters write into reserved room */
        if (TARN_UNLIKELY(b->cols[i]->cap <= b->cols[i]->len) &&
            tarn_vec_reserve(b->cols[i], 1) != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_io_piece *pc = &jr->pc;
    jr->slot[0] = b;
    pc->batches = jr->slot;
    pc->n_batches = pc->cap_batches = 1;
    pc->rows = b->n_rows;
    pc->batch_bytes = INT64_MIN / 2; /* one batch, never cut (one record at a time) */
    pc->st = TARN_OK;
    pc->n_records = 0;
    tarn_err_clear(&pc->err);
    jctx x;
    memset(&x, 0, sizeof x);
    x.job = &jr->job;
    x.pc = pc;
    x.plan = &jr->plan;
    x.b = b;
    x.end = text + n;
    x.line_start = text;
    x.multiline = true;
    x.defer_commit = true;
    x.unknown = unknown;
    x.unknown_ctx = ctx;
    x.first = first;
    char wb[16];
    const uint8_t *q = ws(&x, text);
    if (q < x.end && *q == '{') {
        q = record(&x, q);
        if (q)
            q = ws(&x, q);
        if (q && q != x.end) {
            jfail(&x, q, "unexpected %s after the record", describe(&x, q, wb, sizeof wb));
            q = NULL;
        }
    } else {
        jfail(&x, q, "not a JSON object");
        q = NULL;
    }
    if (q && !record_commit(&x, text))
        q = NULL;
    tarn_status st = TARN_OK;
    if (!q) {
        tarn_io_piece_rollback(pc);
        st = x.unknown_st != TARN_OK ? x.unknown_st : pc->st != TARN_OK ? pc->st : TARN_ERR_INVALID;
        *err = pc->err;
        err->code = st;
    } else {
        b->n_rows = pc->rows;
    }
    pc->batches = NULL;
    pc->n_batches = pc->cap_batches = 0;
    return st;
}

/* Cutting -------------------------------------------------------------------- */

int tarn_io_ndjson_cut(const uint8_t *buf, size_t pos, size_t len, bool eof, int n_max,
                       size_t *cuts)
{
    size_t end = len;
    if (!eof) {
        const uint8_t *nl = memrchr(buf + pos, '\n', len - pos);
        if (!nl)
            return 0;
        end = (size_t)(nl - buf) + 1;
    }
    if (end <= pos)
        return 0;
    int k = 0;
    cuts[0] = pos;
    for (int i = 1; i < n_max; i++) {
        size_t t = pos + (end - pos) / (size_t)n_max * (size_t)i;
        if (t <= cuts[k])
            continue;
        const uint8_t *nl = memchr(buf + t, '\n', end - t);
        if (!nl)
            break;
        size_t c = (size_t)(nl - buf) + 1;
        if (c >= end)
            break;
        cuts[++k] = c;
    }
    cuts[++k] = end;
    return k;
}

int tarn_io_json_cut(const uint8_t *buf, size_t pos, size_t len, bool eof, bool array, bool start,
                     int n_max, size_t *cuts)
{
    size_t i = pos, last = 0, step = (len - pos) / (size_t)(n_max > 0 ? n_max : 1);
    size_t target = pos + step;
    int depth = 0, k = 0;
    bool closed = false;
    cuts[0] = pos;
    if (array && start) {
        while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
            i++;
        if (i >= len || buf[i] != '[') {
            cuts[1] = len; /* malformed: one piece, the parser reports it */
            return len > pos ? 1 : 0;
        }
        i++;
    }
    while (i < len && !closed) {
        uint8_t c = buf[i];
        if (c == '"') {
            const uint8_t *p = buf + i + 1;
            for (;;) {
                p = tarn_io_find_str_special(p);
                if (*p == '\\' && (size_t)(p - buf) + 1 < len) {
                    p += 2;
                    continue;
                }
                if (*p == '"' || (size_t)(p - buf) >= len)
                    break;
                p++; /* a raw control byte: malformed, the parser will say so */
            }
            i = (size_t)(p - buf) + 1;
            continue;
        }
        size_t b = 0;
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                if (array && c == ']')
                    closed = true; /* nothing after this is a boundary */
                else
                    break; /* malformed: stop cutting here */
            } else if (--depth == 0 && !array && c == '}') {
                b = i + 1;
            }
        } else if (c == ',' && depth == 0 && array) {
            b = i + 1;
        }
        if (b) {
            last = b;
            if (b >= target && k + 1 < n_max && b < len) {
                cuts[++k] = b;
                target = b + step;
            }
        }
        i++;
    }
    size_t end = eof ? len : last;
    if (end <= pos)
        return 0;
    while (k > 0 && cuts[k] >= end)
        k--;
    cuts[++k] = end;
    return k;
}
