/*
 * pipeline/refine.c - Bronze records judged against a contract (see
 * refine.h).
 *
 * Consecutive Bronze rows of one shape (JSON, or CSV with one header and
 * delimiter) form a run. A run's records are joined into one text buffer
 * (JSON records on one line each: a valid JSON text has no raw newline
 * inside strings, so line ends in it are whitespace) and parsed by the io
 * reader in the contract's types; records the reader rejects come back
 * through its bad-record callback with the line, which maps to the Bronze
 * row. Parsed rows are then checked a vector at a time against every
 * constraint. Failures are collected per row in an arena reset per batch.
 */
#include "pipeline/refine.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/time.h"
#include "contract/constraint.h"
#include "io/reader.h"

#include <stdio.h>
#include <string.h>

typedef struct row_fail {
    char *reasons; /* "a; b" (arena), or NULL */
    char *rules;   /* "amount.min_value,user_id.not_null" */
} row_fail;

struct tarn_refine {
    const tarn_contract *c;
    int64_t now_us;
    tarn_schema *good_schema;   /* contract columns, all nullable, + _rescued_data */
    tarn_schema *parse_schema;  /* contract columns, all nullable */
    tarn_schema *silver_schema; /* contract nullability + _rescued_data */
    const char **rescued;       /* per Bronze row: _rescued_data text (arena) or NULL */
    uint8_t *seen;              /* per contract column, for one record */
    size_t *name_len;           /* per contract column: strlen(name) */
    tarn_schema *q_schema;
    tarn_refine_out out;
    tarn_arena *a;      /* per batch */
    row_fail *fails;    /* per Bronze row */
    bool *warned;       /* per parsed row */
    int64_t cap_rows;   /* capacity of fails / good_src */
    tarn_batch *parsed; /* rows parsed from the current batch, in order */
    int64_t *parsed_src;
    int64_t cap_parsed;
    tarn_buf text; /* run text */
    int64_t
        *line_row; /* run: record k starts at line line_start[k] and is Bronze row line_row[k] */
    int64_t *line_start;
    int64_t n_lines, cap_lines;
    int bc[12]; /* Bronze column indexes */
    /* CSV run: header columns the contract does not name (rescued) */
    struct csv_extra {
        int pos;          /* field position in the header */
        const char *name; /* in the Bronze header text, quotes stripped */
        int32_t len;
    } * extra;
    int n_extra, cap_extra;
    tarn_buf csv_obj, csv_val; /* scratch of csv_rescue */
    tarn_io_json_rows *jrows;  /* JSON records parsed one at a time */
    uint8_t *first;            /* per contract column: first byte of its value in a record */
    int64_t *col_missing;      /* per contract column, one JSON run: records lacking it */
    int64_t *col_kind;         /* ... and records giving it another JSON kind */
    tarn_buf resc;             /* _rescued_data of the record being parsed */
};

enum {
    B_RAW,
    B_FORMAT,
    B_HEADER,
    B_DELIM,
    B_ERROR,
    B_FILE,
    B_LINE,
    B_AT,
    B_BATCH,
    N_B
};
static const char *const bronze_cols[N_B] = {"_raw",         "_format",      "_header",
                                             "_delimiter",   "_parse_error", "_source_file",
                                             "_source_line", "_ingested_at", "_batch_id"};

tarn_status tarn_refine_create(const tarn_contract *c, int64_t now_us, tarn_refine **out,
                               tarn_err *err)
{
    *out = NULL;
    tarn_refine *r = tarn_calloc(1, sizeof *r);
    if (!r)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->c = c;
    r->now_us = now_us ? now_us : tarn_now_us();
    tarn_buf_init(&r->text);
    tarn_buf_init(&r->csv_obj);
    tarn_buf_init(&r->csv_val);
    tarn_buf_init(&r->resc);
    r->good_schema = tarn_schema_clone(c->schema);
    r->parse_schema = tarn_schema_clone(c->schema);
    r->silver_schema = tarn_schema_clone(c->schema);
    r->seen = tarn_calloc((size_t)c->n_columns + 1, 1);
    r->first = tarn_calloc((size_t)c->n_columns + 1, 1);
    r->col_missing = tarn_calloc((size_t)c->n_columns + 1, sizeof *r->col_missing);
    r->col_kind = tarn_calloc((size_t)c->n_columns + 1, sizeof *r->col_kind);
    r->name_len = tarn_calloc((size_t)c->n_columns + 1, sizeof *r->name_len);
    for (int i = 0; r->name_len && i < c->n_columns; i++)
        r->name_len[i] = strlen(c->columns[i].name);
    r->a = tarn_arena_create(0);
    tarn_status st = TARN_OK;
    if (!r->good_schema || !r->parse_schema || !r->silver_schema || !r->seen || !r->name_len ||
        !r->first || !r->col_missing || !r->col_kind || !r->a)
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    else {
        for (int i = 0; i < r->good_schema->n_fields; i++) {
            r->good_schema->fields[i].nullable = true;
            r->parse_schema->fields[i].nullable = true;
        }
        tarn_type str = tarn_type_make(TARN_TYPE_STRING);
        tarn_type ts = tarn_type_make(TARN_TYPE_TIMESTAMP);
        if (!tarn_schema_add(r->good_schema, "_rescued_data", str, true) ||
            !tarn_schema_add(r->silver_schema, "_rescued_data", str, true))
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        if (st == TARN_OK && c->scd2 &&
            (!tarn_schema_add(r->silver_schema, "valid_from", ts, false) ||
             !tarn_schema_add(r->silver_schema, "valid_to", ts, true) ||
             !tarn_schema_add(r->silver_schema, "is_current", tarn_type_make(TARN_TYPE_BOOL),
                              false)))
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        if (st == TARN_OK)
            st = tarn_schema_parse(TARN_QUARANTINE_SCHEMA, &r->q_schema, err);
        if (st == TARN_OK)
            st = tarn_io_json_rows_create(r->parse_schema, &r->jrows, err);
    }
    if (st == TARN_OK) {
        r->out.good = tarn_batch_create(r->good_schema);
        r->out.quarantine = tarn_batch_create(r->q_schema);
        r->parsed = tarn_batch_create(r->parse_schema);
        if (!r->out.good || !r->out.quarantine || !r->parsed)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    if (st != TARN_OK) {
        tarn_refine_destroy(r);
        return st;
    }
    *out = r;
    return TARN_OK;
}

void tarn_refine_destroy(tarn_refine *r)
{
    if (!r)
        return;
    tarn_batch_destroy(r->out.good);
    tarn_batch_destroy(r->out.quarantine);
    tarn_batch_destroy(r->parsed);
    tarn_schema_destroy(r->good_schema);
    tarn_schema_destroy(r->parse_schema);
    tarn_schema_destroy(r->silver_schema);
    tarn_free(r->rescued);
    tarn_free(r->extra);
    tarn_buf_fini(&r->csv_obj);
    tarn_buf_fini(&r->csv_val);
    tarn_buf_fini(&r->resc);
    tarn_io_json_rows_destroy(r->jrows);
    tarn_free(r->first);
    tarn_free(r->col_missing);
    tarn_free(r->col_kind);
    tarn_free(r->seen);
    tarn_free(r->name_len);
    tarn_schema_destroy(r->q_schema);
    tarn_arena_destroy(r->a);
    tarn_free(r->fails);
    tarn_free(r->warned);
    tarn_free(r->out.good_src);
    tarn_free(r->parsed_src);
    tarn_free(r->line_row);
    tarn_free(r->line_start);
    tarn_buf_fini(&r->text);
    tarn_free(r);
}

const tarn_schema *tarn_refine_good_schema(const tarn_refine *r)
{
    return r->good_schema;
}

const tarn_schema *tarn_refine_silver_schema(const tarn_refine *r)
{
    return r->silver_schema;
}

const tarn_schema *tarn_refine_quarantine_schema(const tarn_refine *r)
{
    return r->q_schema;
}

/* Adds a failure to Bronze row `row`. */
static tarn_status fail_row(tarn_refine *r, int64_t row, const char *reason, const char *rule,
                            tarn_err *err)
{
    row_fail *f = &r->fails[row];
    char *rs = f->reasons ? tarn_arena_printf(r->a, "%s; %s", f->reasons, reason)
                          : tarn_arena_strdup(r->a, reason);
    char *ru =
        f->rules ? tarn_arena_printf(r->a, "%s,%s", f->rules, rule) : tarn_arena_strdup(r->a, rule);
    if (!rs || !ru)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    f->reasons = rs;
    f->rules = ru;
    return TARN_OK;
}

static const char *str_at(const tarn_vec *v, int64_t i, int32_t *len)
{
    if (tarn_vec_is_null(v, i)) {
        *len = 0;
        return NULL;
    }
    return (const char *)tarn_vec_get_bytes(v, i, len);
}

static bool same_str(const tarn_vec *v, int64_t a, int64_t b)
{
    int32_t la, lb;
    const char *x = str_at(v, a, &la), *y = str_at(v, b, &lb);
    if (!x || !y)
        return !x && !y;
    return la == lb && !memcmp(x, y, (size_t)la);
}

/* ---- parsing a run ------------------------------------------------------------ */

typedef struct run_ctx {
    tarn_refine *r;
} run_ctx;

static int64_t row_for_line(const tarn_refine *r, int64_t line)
{
    int64_t lo = 0, hi = r->n_lines; /* last start <= line */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (r->line_start[mid] <= line)
            lo = mid;
        else
            hi = mid;
    }
    return r->n_lines ? r->line_row[lo] : -1;
}

/* Column name and rule for a reader message "field 'amount': ..." */
/* Fails row with a parser message: "field 'amount': 'abc' is not
 * decimal(10,2)" is the column's type rule, anything else the record's
 * shape. */
static tarn_status fail_parse(tarn_refine *r, int64_t row, const char *m, tarn_err *err)
{
    char reason[TARN_ERR_MSG_MAX + 8], rule[200];
    const char *q1 = strncmp(m, "field '", 7) == 0 ? m + 7 : NULL;
    const char *q2 = q1 ? strstr(q1, "': ") : NULL;
    if (q1 && q2) {
        snprintf(reason, sizeof reason, "%.*s: %s", (int)(q2 - q1), q1, q2 + 3);
        snprintf(rule, sizeof rule, "%.*s.type", (int)TARN_MIN(q2 - q1, 150), q1);
    } else {
        /* The reader speaks of lines; a Bronze record is a JSON value. */
        snprintf(reason, sizeof reason, "%s",
                 !m[0]                                    ? "unreadable record"
                 : strstr(m, "must hold one JSON object") ? "not a JSON object"
                                                          : m);
        snprintf(rule, sizeof rule, "_record.shape");
    }
    return fail_row(r, row, reason, rule, err);
}

static tarn_status on_bad(void *ctx, const tarn_io_bad_record *rec, tarn_err *err)
{
    run_ctx *rc = ctx;
    int64_t row = row_for_line(rc->r, rec->line);
    if (row < 0)
        return TARN_OK;
    return fail_parse(rc->r, row, rec->message ? rec->message : "", err);
}

static tarn_status grow_lines(tarn_refine *r, tarn_err *err)
{
    if (r->n_lines < r->cap_lines)
        return TARN_OK;
    int64_t cap = r->cap_lines ? r->cap_lines * 2 : 1024;
    int64_t *a = tarn_realloc(r->line_row, (size_t)cap * sizeof *a);
    if (a)
        r->line_row = a;
    int64_t *b = a ? tarn_realloc(r->line_start, (size_t)cap * sizeof *b) : NULL;
    if (!a || !b)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->line_start = b;
    r->cap_lines = cap;
    return TARN_OK;
}

/* Room for n parsed rows' Bronze indexes. */
static tarn_status reserve_parsed(tarn_refine *r, int64_t n, tarn_err *err)
{
    if (n <= r->cap_parsed)
        return TARN_OK;
    int64_t cap = TARN_MAX(n, r->cap_parsed * 2);
    int64_t *p = tarn_realloc(r->parsed_src, (size_t)cap * sizeof *p);
    if (!p)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->parsed_src = p;
    r->cap_parsed = cap;
    return TARN_OK;
}

/* ---- schema drift ------------------------------------------------------------- */

static tarn_refine_drift *drift_for(tarn_refine *r, const char *name, size_t len)
{
    tarn_refine_out *o = &r->out;
    len = TARN_MIN(len, sizeof o->drift[0].name - 1);
    for (int i = 0; i < o->n_drift; i++)
        if (strlen(o->drift[i].name) == len && !memcmp(o->drift[i].name, name, len))
            return &o->drift[i];
    if (o->n_drift == TARN_REFINE_MAX_DRIFT)
        return NULL;
    tarn_refine_drift *d = &o->drift[o->n_drift++];
    memset(d, 0, sizeof *d);
    memcpy(d->name, name, len);
    return d;
}

/* Does a JSON value starting with c suit type t? */
static bool kind_ok(tarn_type t, char c)
{
    bool num = c == '-' || (c >= '0' && c <= '9');
    if (c == 'n')
        return true; /* null suits every column */
    switch (t.id) {
    case TARN_TYPE_BOOL:
        return c == 't' || c == 'f';
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
    case TARN_TYPE_DATE:
    case TARN_TYPE_TIME:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
        return c == '"';
    case TARN_TYPE_DECIMAL:
        return num || c == '"'; /* decimals travel as strings too ("12.50") */
    default:
        return tarn_type_is_integer(t.id) || t.id == TARN_TYPE_FLOAT32 || t.id == TARN_TYPE_FLOAT64
                   ? num
                   : true;
    }
}

/* CSV: header columns the contract does not name (kept in r->extra for
 * rescue, or an error with evolution: fail), and contract columns the
 * header lacks, counted for every row of the run. */
static tarn_status scan_header(tarn_refine *r, const tarn_batch *b, int64_t row, const char *h,
                               int32_t hl, char delim, int64_t rows, tarn_err *err)
{
    const tarn_contract *c = r->c;
    memset(r->seen, 0, (size_t)c->n_columns);
    r->n_extra = 0;
    int pos = 0;
    for (int32_t i = 0; i <= hl; pos++) {
        int32_t j = i;
        while (j < hl && h[j] != delim)
            j++;
        const char *name = h + i;
        int32_t len = j - i;
        if (len > 0 && name[len - 1] == '\r')
            len--;
        if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
            name++;
            len -= 2;
        }
        int col = -1;
        for (int k = 0; k < c->n_columns; k++)
            if (r->name_len[k] == (size_t)len && !memcmp(c->columns[k].name, name, (size_t)len))
                col = k;
        if (col >= 0)
            r->seen[col] = 1;
        else if (len > 0) {
            tarn_refine_drift *d = drift_for(r, name, (size_t)len);
            if (d)
                d->unknown += rows;
            if (c->evolution == TARN_CT_EVOLUTION_FAIL) {
                int32_t fl;
                const char *file = str_at(b->cols[r->bc[B_FILE]], row, &fl);
                return tarn_err_set(err, TARN_ERR_DATA,
                                    "%.*s: header column '%.*s' is not in the contract of '%s' "
                                    "(evolution: fail)",
                                    (int)fl, file ? file : "", (int)TARN_MIN(len, 80), name,
                                    c->dataset);
            }
            if (r->n_extra == r->cap_extra) {
                int cap = r->cap_extra ? r->cap_extra * 2 : 8;
                struct csv_extra *e = tarn_realloc(r->extra, (size_t)cap * sizeof *e);
                if (!e)
                    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                r->extra = e;
                r->cap_extra = cap;
            }
            r->extra[r->n_extra++] = (struct csv_extra){pos, name, len};
        }
        i = j + 1;
    }
    for (int k = 0; k < c->n_columns; k++)
        if (!r->seen[k]) {
            tarn_refine_drift *d = drift_for(r, c->columns[k].name, r->name_len[k]);
            if (d)
                d->missing += rows;
        }
    return TARN_OK;
}

/* CSV: the fields of row `row` under header columns the contract does not
 * name, as its _rescued_data JSON object (strings; an empty unquoted field
 * is null). */
static tarn_status csv_rescue(tarn_refine *r, int64_t row, const char *t, int32_t n, char delim,
                              tarn_err *err)
{
    const char *p = t, *end = t + n;
    if (end > p && end[-1] == '\r')
        end--;
    tarn_buf *obj = &r->csv_obj, *val = &r->csv_val;
    tarn_buf_reset(obj);
    tarn_status st = TARN_OK;
    int e = 0;
    for (int pos = 0; st == TARN_OK && e < r->n_extra; pos++) {
        /* one field, unescaped into val when quoted */
        bool quoted = p < end && *p == '"';
        const char *fs = p;
        tarn_buf_reset(val);
        if (quoted) {
            for (p++; p < end && st == TARN_OK; p++) {
                if (*p == '"' && !(p + 1 < end && p[1] == '"')) {
                    p++;
                    break;
                }
                if (*p == '"')
                    p++; /* "" is one quote */
                st = tarn_buf_append_char(val, *p);
            }
        }
        while (p < end && *p != delim)
            p++;
        if (pos == r->extra[e].pos) {
            if (st == TARN_OK)
                st = tarn_buf_append_char(obj, e ? ',' : '{');
            if (st == TARN_OK)
                st = tarn_buf_append_json_str(obj, r->extra[e].name, (size_t)r->extra[e].len);
            if (st == TARN_OK)
                st = tarn_buf_append_char(obj, ':');
            if (st == TARN_OK && !quoted && p == fs)
                st = tarn_buf_append_str(obj, "null");
            else if (st == TARN_OK)
                st = quoted ? tarn_buf_append_json_str(obj, val->data ? val->data : "", val->len)
                            : tarn_buf_append_json_str(obj, fs, (size_t)(p - fs));
            e++;
        }
        if (p >= end)
            break;
        p++; /* the delimiter */
    }
    for (; st == TARN_OK && e < r->n_extra; e++) { /* past the end of a short row: null */
        st = tarn_buf_append_char(obj, e ? ',' : '{');
        if (st == TARN_OK)
            st = tarn_buf_append_json_str(obj, r->extra[e].name, (size_t)r->extra[e].len);
        if (st == TARN_OK)
            st = tarn_buf_append_str(obj, ":null");
    }
    if (st == TARN_OK)
        st = tarn_buf_append_char(obj, '}');
    if (st != TARN_OK || !(r->rescued[row] = tarn_arena_strndup(r->a, obj->data, obj->len)))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    return TARN_OK;
}

/* ---- JSON records ------------------------------------------------------------- */

typedef struct jrow {
    tarn_refine *r;
    const uint8_t *stop_key; /* evolution: fail - the field that stopped the record */
    size_t stop_len;
} jrow;

/* A field the contract does not name: counted, and kept in _rescued_data
 * (or the run stops, with evolution: fail). */
static tarn_status on_unknown(void *ctx, const uint8_t *key, size_t kn, const uint8_t *val,
                              size_t vn)
{
    jrow *j = ctx;
    tarn_refine *r = j->r;
    tarn_refine_drift *d = drift_for(r, (const char *)key, kn);
    if (d)
        d->unknown++;
    if (r->c->evolution == TARN_CT_EVOLUTION_FAIL) {
        j->stop_key = key;
        j->stop_len = kn;
        return TARN_ERR_DATA;
    }
    if (tarn_buf_append_char(&r->resc, r->resc.len ? ',' : '{') != TARN_OK ||
        tarn_buf_append_json_str(&r->resc, (const char *)key, kn) != TARN_OK ||
        tarn_buf_append_char(&r->resc, ':') != TARN_OK ||
        tarn_buf_append(&r->resc, val, vn) != TARN_OK)
        return TARN_ERR_NOMEM;
    return TARN_OK;
}

/* Parses JSON Bronze rows [from, to) straight from the _raw vector into
 * r->parsed, one record at a time; drift and _rescued_data come from the
 * same pass. */
static tarn_status parse_json_run(tarn_refine *r, const tarn_batch *b, int64_t from, int64_t to,
                                  tarn_err *err)
{
    const tarn_contract *c = r->c;
    const tarn_vec *raw = b->cols[r->bc[B_RAW]], *perr = b->cols[r->bc[B_ERROR]];
    const uint8_t *data_end = raw->bytes ? raw->bytes + raw->bytes_cap : NULL;
    TARN_TRY(reserve_parsed(r, r->parsed->n_rows + (to - from), err));
    memset(r->col_missing, 0, (size_t)c->n_columns * sizeof *r->col_missing);
    memset(r->col_kind, 0, (size_t)c->n_columns * sizeof *r->col_kind);
    jrow j = {r, NULL, 0};
    for (int64_t i = from; i < to; i++) {
        if (!tarn_vec_is_null(perr, i)) {
            int32_t el;
            const char *e = str_at(perr, i, &el);
            char reason[400];
            snprintf(reason, sizeof reason, "%.*s", (int)el, e);
            TARN_TRY(fail_row(r, i, reason, "_record.json", err));
            continue;
        }
        int32_t len = 0;
        const uint8_t *t = tarn_vec_is_null(raw, i) ? NULL : tarn_vec_get_bytes(raw, i, &len);
        if (!t) {
            TARN_TRY(fail_row(r, i, "not a JSON object", "_record.shape", err));
            continue;
        }
        memset(r->first, 0, (size_t)c->n_columns);
        tarn_buf_reset(&r->resc);
        tarn_err e;
        tarn_err_clear(&e);
        size_t readable = data_end && t + len <= data_end ? (size_t)(data_end - (t + len)) : 0;
        tarn_status st = tarn_io_json_rows_parse(r->jrows, t, (size_t)len, readable, r->parsed,
                                                 on_unknown, &j, r->first, &e);
        if (st == TARN_ERR_DATA && j.stop_key) {
            int32_t fl;
            const char *file = str_at(b->cols[r->bc[B_FILE]], i, &fl);
            return tarn_err_set(
                err, TARN_ERR_DATA,
                "%.*s:%lld: field '%.*s' is not in the contract of '%s' "
                "(evolution: fail)",
                (int)fl, file ? file : "", (long long)tarn_vec_get_i64(b->cols[r->bc[B_LINE]], i),
                (int)TARN_MIN(j.stop_len, 80), (const char *)j.stop_key, c->dataset);
        }
        if (st == TARN_ERR_INVALID) {
            TARN_TRY(fail_parse(r, i, e.msg, err));
            continue;
        }
        if (st != TARN_OK) {
            *err = e;
            return st;
        }
        r->parsed_src[r->parsed->n_rows - 1] = i;
        for (int k = 0; k < c->n_columns; k++) {
            uint8_t f = r->first[k];
            if (TARN_UNLIKELY(!f))
                r->col_missing[k]++;
            else if (TARN_UNLIKELY(!kind_ok(c->columns[k].type, (char)f)))
                r->col_kind[k]++;
        }
        if (r->resc.len) {
            if (tarn_buf_append_char(&r->resc, '}') != TARN_OK ||
                !(r->rescued[i] = tarn_arena_strndup(r->a, r->resc.data, r->resc.len)))
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
    }
    /* Contract columns missing from records, or of another JSON kind. */
    for (int k = 0; k < c->n_columns; k++) {
        if (!r->col_missing[k] && !r->col_kind[k])
            continue;
        tarn_refine_drift *d = drift_for(r, c->columns[k].name, r->name_len[k]);
        if (d) {
            d->missing += r->col_missing[k];
            d->kind += r->col_kind[k];
        }
    }
    return TARN_OK;
}

/* Parses Bronze rows [from, to) (one shape) and appends the good ones to
 * r->parsed. */
static tarn_status parse_run(tarn_refine *r, const tarn_batch *b, int64_t from, int64_t to,
                             tarn_err *err)
{
    const tarn_vec *raw = b->cols[r->bc[B_RAW]], *fmt = b->cols[r->bc[B_FORMAT]];
    const tarn_vec *hdr = b->cols[r->bc[B_HEADER]], *dl = b->cols[r->bc[B_DELIM]];
    const tarn_vec *perr = b->cols[r->bc[B_ERROR]];
    int32_t fl;
    const char *f = str_at(fmt, from, &fl);
    bool csv = f && fl == 3 && (!memcmp(f, "csv", 3) || !memcmp(f, "tsv", 3));
    if (!csv)
        return parse_json_run(r, b, from, to, err);
    tarn_buf_reset(&r->text);
    r->n_lines = 0;
    int64_t line = 1;
    if (csv) {
        int32_t hl;
        const char *h = str_at(hdr, from, &hl);
        if (!h) {
            for (int64_t i = from; i < to; i++)
                TARN_TRY(fail_row(r, i, "CSV row without a header row", "_record.shape", err));
            return TARN_OK;
        }
        if (tarn_buf_append(&r->text, h, (size_t)hl) != TARN_OK ||
            tarn_buf_append_char(&r->text, '\n') != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        int32_t dlen;
        const char *d = str_at(dl, from, &dlen);
        TARN_TRY(scan_header(r, b, from, h, hl, d && dlen == 1 ? d[0] : ',', to - from, err));
        for (int32_t k = 0; k < hl; k++)
            line += h[k] == '\n';
        line++;
    }
    int64_t n_in = 0;
    for (int64_t i = from; i < to; i++) {
        int32_t len;
        const char *t = str_at(raw, i, &len);
        if (!csv && !tarn_vec_is_null(perr, i)) {
            int32_t el;
            const char *e = str_at(perr, i, &el);
            char reason[400];
            snprintf(reason, sizeof reason, "%.*s", (int)el, e);
            TARN_TRY(fail_row(r, i, reason, "_record.json", err));
            continue;
        }
        if (r->n_extra > 0) {
            int32_t dlen;
            const char *d = str_at(dl, from, &dlen);
            TARN_TRY(csv_rescue(r, i, t ? t : "", t ? len : 0, d && dlen == 1 ? d[0] : ',', err));
        }
        TARN_TRY(grow_lines(r, err));
        r->line_start[r->n_lines] = line;
        r->line_row[r->n_lines++] = i;
        n_in++;
        size_t at = r->text.len;
        if (tarn_buf_append(&r->text, t ? t : "", (size_t)len) != TARN_OK ||
            tarn_buf_append_char(&r->text, '\n') != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        /* Line ends inside a record: counted for CSV (quoted newlines), made
         * spaces for JSON (where they can only be whitespace). */
        char *rec = r->text.data + at, *rend = r->text.data + r->text.len - 1;
        for (char *q = rec; (q = memchr(q, '\n', (size_t)(rend - q))) != NULL; q++) {
            if (csv)
                line++;
            else
                *q = ' ';
        }
        if (!csv)
            for (char *q = rec; (q = memchr(q, '\r', (size_t)(rend - q))) != NULL; q++)
                *q = ' ';
        line++;
    }
    if (n_in == 0)
        return TARN_OK;
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.format = csv ? TARN_IO_CSV : TARN_IO_NDJSON;
    o.compression = TARN_IO_COMP_NONE;
    o.header = csv ? 1 : 0;
    if (csv) {
        int32_t dlen;
        const char *d = str_at(dl, from, &dlen);
        o.delimiter = d && dlen == 1 ? d[0] : ',';
    }
    run_ctx rc = {r};
    o.on_bad_record = on_bad;
    o.bad_record_ctx = &rc;
    /* Rows of the run already failing (bad JSON) are not in the text; the
     * reader returns the others in order minus those it reports bad. */
    tarn_io_reader *rd;
    TARN_TRY(tarn_io_reader_open_mem(r->text.data, r->text.len,
                                     csv ? "bronze.csv" : "bronze.ndjson", r->parse_schema, &o, &rd,
                                     err));
    tarn_status st = TARN_OK;
    int64_t start_rows = r->parsed->n_rows;
    tarn_batch *ob;
    while ((st = tarn_io_reader_next(rd, &ob, err)) == TARN_OK && ob) {
        if (tarn_batch_append_range(r->parsed, ob, 0, ob->n_rows) != TARN_OK) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            break;
        }
    }
    tarn_io_reader_close(rd);
    if (st != TARN_OK)
        return st;
    /* Map parsed rows back: the run's records in order, skipping rejected ones. */
    int64_t got = r->parsed->n_rows - start_rows, k = 0;
    TARN_TRY(reserve_parsed(r, r->parsed->n_rows, err));
    for (int64_t li = 0; li < r->n_lines && k < got; li++) {
        int64_t row = r->line_row[li];
        if (!r->fails[row].reasons)
            r->parsed_src[start_rows + k++] = row;
    }
    if (k != got)
        return tarn_err_set(err, TARN_ERR_INTERNAL,
                            "refine: %lld parsed rows for %lld accepted records", (long long)got,
                            (long long)k);
    return TARN_OK;
}

/* ---- constraints ---------------------------------------------------------------- */

static tarn_status check_constraints(tarn_refine *r, tarn_err *err)
{
    int64_t n = r->parsed->n_rows;
    if (n == 0)
        return TARN_OK;
    uint8_t *ok = tarn_alloc((size_t)n);
    if (!ok)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_status st = TARN_OK;
    tarn_buf reason;
    tarn_buf_init(&reason);
    const tarn_contract *c = r->c;
    for (int ci = 0; st == TARN_OK && ci < c->n_columns; ci++) {
        const tarn_ct_column *col = &c->columns[ci];
        const tarn_vec *v = r->parsed->cols[ci];
        bool explicit_nn = false;
        for (int j = 0; j < col->n_constraints; j++)
            explicit_nn |= col->constraints[j].kind == TARN_CT_NOT_NULL;
        tarn_ct_constraint implied = {.kind = TARN_CT_NOT_NULL, .text = "not_null"};
        for (int j = -1; st == TARN_OK && j < col->n_constraints; j++) {
            const tarn_ct_constraint *ct = j < 0 ? &implied : &col->constraints[j];
            if (j < 0 && (col->nullable || explicit_nn))
                continue;
            if (ct->kind == TARN_CT_UNIQUE)
                continue; /* across rows: the key dedup and contract checks own it */
            st = tarn_ct_constraint_eval(ct, v, n, ok, err);
            for (int64_t i = 0; st == TARN_OK && i < n; i++) {
                if (ok[i])
                    continue;
                if (ct->severity == TARN_CT_WARN) {
                    r->warned[i] = true;
                    continue;
                }
                tarn_buf_reset(&reason);
                char rule[200];
                snprintf(rule, sizeof rule, "%s.%s", col->name, tarn_ct_constraint_name(ct->kind));
                if (tarn_ct_constraint_reason(ct, col->name, v, i, &reason) != TARN_OK)
                    st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                else
                    st = fail_row(r, r->parsed_src[i], reason.data, rule, err);
            }
        }
    }
    tarn_buf_fini(&reason);
    tarn_free(ok);
    return st;
}

/* ---- outputs --------------------------------------------------------------------- */

static tarn_status copy_str(tarn_vec *dst, const tarn_vec *src, int64_t i)
{
    int32_t len;
    const char *s = str_at(src, i, &len);
    return s ? tarn_vec_append_bytes(dst, s, len) : tarn_vec_append_null(dst);
}

static tarn_status build_outputs(tarn_refine *r, const tarn_batch *b, tarn_err *err)
{
    tarn_refine_out *o = &r->out;
    /* Good rows: parsed rows whose Bronze row has no failure, gathered a
     * column at a time, then their _rescued_data. */
    int64_t *idx = tarn_alloc(((size_t)r->parsed->n_rows + 1) * sizeof *idx);
    if (!idx)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    int64_t n = 0;
    for (int64_t i = 0; i < r->parsed->n_rows; i++) {
        int64_t src = r->parsed_src[i];
        if (r->fails[src].reasons)
            continue;
        o->good_src[n] = src;
        idx[n++] = i;
        o->n_warned += r->warned[i];
    }
    tarn_status gst = TARN_OK;
    int nc = r->parsed->n_cols;
    if (n == r->parsed->n_rows && o->good->cols[0]->len == 0) {
        /* Every parsed row is good: hand the vectors over, no copy. */
        for (int cI = 0; cI < nc; cI++) {
            tarn_vec *t = o->good->cols[cI];
            o->good->cols[cI] = r->parsed->cols[cI];
            r->parsed->cols[cI] = t;
        }
    } else {
        for (int cI = 0; cI < nc && gst == TARN_OK; cI++)
            gst = tarn_vec_append_take(o->good->cols[cI], r->parsed->cols[cI], idx, n);
    }
    tarn_vec *rv = o->good->cols[nc];
    for (int64_t k = 0; k < n && gst == TARN_OK; k++) {
        const char *t = r->rescued[o->good_src[k]];
        gst = t ? tarn_vec_append_bytes(rv, t, (int64_t)strlen(t)) : tarn_vec_append_null(rv);
        o->n_rescued += t != NULL;
    }
    tarn_free(idx);
    if (gst != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    o->good->n_rows = n;
    tarn_vec **q = o->quarantine->cols;
    const char *ver = r->c->version;
    for (int64_t i = 0; i < b->n_rows; i++) {
        const row_fail *f = &r->fails[i];
        if (!f->reasons)
            continue;
        tarn_status st = copy_str(q[0], b->cols[r->bc[B_RAW]], i);
        if (st == TARN_OK)
            st = copy_str(q[1], b->cols[r->bc[B_FORMAT]], i);
        if (st == TARN_OK)
            st = copy_str(q[2], b->cols[r->bc[B_HEADER]], i);
        if (st == TARN_OK)
            st = copy_str(q[3], b->cols[r->bc[B_DELIM]], i);
        if (st == TARN_OK)
            st = copy_str(q[4], b->cols[r->bc[B_FILE]], i);
        if (st == TARN_OK)
            st = tarn_vec_append_i64(q[5], tarn_vec_get_i64(b->cols[r->bc[B_LINE]], i));
        if (st == TARN_OK)
            st = tarn_vec_append_i64(q[6], tarn_vec_get_i64(b->cols[r->bc[B_AT]], i));
        if (st == TARN_OK)
            st = copy_str(q[7], b->cols[r->bc[B_BATCH]], i);
        if (st == TARN_OK)
            st = tarn_vec_append_bytes(q[8], f->reasons, (int64_t)strlen(f->reasons));
        if (st == TARN_OK)
            st = tarn_vec_append_bytes(q[9], f->rules, (int64_t)strlen(f->rules));
        if (st == TARN_OK)
            st = ver ? tarn_vec_append_bytes(q[10], ver, (int64_t)strlen(ver))
                     : tarn_vec_append_null(q[10]);
        if (st == TARN_OK)
            st = tarn_vec_append_i64(q[11], r->now_us);
        if (st != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        o->quarantine->n_rows++;
    }
    return TARN_OK;
}

tarn_status tarn_refine_batch(tarn_refine *r, const tarn_batch *b, tarn_refine_out **out,
                              tarn_err *err)
{
    *out = NULL;
    for (int i = 0; i < N_B; i++) {
        r->bc[i] = tarn_schema_find(b->schema, bronze_cols[i]);
        if (r->bc[i] < 0)
            return tarn_err_set(err, TARN_ERR_INVALID, "not a Bronze batch: column '%s' missing",
                                bronze_cols[i]);
    }
    int64_t n = b->n_rows;
    if (n > r->cap_rows) {
        row_fail *f = tarn_realloc(r->fails, (size_t)n * sizeof *f);
        if (f)
            r->fails = f;
        bool *w = f ? tarn_realloc(r->warned, (size_t)n * sizeof *w) : NULL;
        if (w)
            r->warned = w;
        int64_t *g = w ? tarn_realloc(r->out.good_src, (size_t)n * sizeof *g) : NULL;
        if (g)
            r->out.good_src = g;
        const char **rs = g ? tarn_realloc(r->rescued, (size_t)n * sizeof *rs) : NULL;
        if (!f || !w || !g || !rs)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        r->rescued = rs;
        r->cap_rows = n;
    }
    if (n > 0) {
        memset(r->fails, 0, (size_t)n * sizeof *r->fails);
        memset(r->warned, 0, (size_t)n * sizeof *r->warned);
        memset(r->rescued, 0, (size_t)n * sizeof *r->rescued);
    }
    r->out.n_rescued = 0;
    r->out.n_drift = 0;
    tarn_arena_reset(r->a);
    tarn_batch_reset(r->out.good);
    tarn_batch_reset(r->out.quarantine);
    tarn_batch_reset(r->parsed);
    r->out.good->n_rows = 0;
    r->out.quarantine->n_rows = 0;
    r->parsed->n_rows = 0;
    r->out.n_warned = 0;
    const tarn_vec *fmt = b->cols[r->bc[B_FORMAT]], *hdr = b->cols[r->bc[B_HEADER]];
    const tarn_vec *dl = b->cols[r->bc[B_DELIM]];
    for (int64_t from = 0; from < n;) {
        int64_t to = from + 1;
        while (to < n && same_str(fmt, from, to) && same_str(hdr, from, to) &&
               same_str(dl, from, to))
            to++;
        TARN_TRY(parse_run(r, b, from, to, err));
        from = to;
    }
    TARN_TRY(check_constraints(r, err));
    TARN_TRY(build_outputs(r, b, err));
    *out = &r->out;
    return TARN_OK;
}
