/*
 * contract/metrics.c - one-scan measurement of a table against a contract
 * (see metrics.h).
 *
 * Plan, then scan, then judge. The plan gives every column the scan needs an
 * accumulator with only the statistics some constraint or check asks for
 * (min/max, sum, a distinct-value set), a counter per constraint, and a
 * tuple set per duplicate_count(). The scan projects those columns and
 * feeds each batch through them: constraints are evaluated a vector at a
 * time (contract/constraint.c), counts and sums run in typed loops. Value
 * sets hold each distinct value once (keys packed in one growing pool), so
 * their memory grows with the number of distinct values, not rows.
 */
#include "contract/metrics.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/keymap.h"
#include "base/time.h"
#include "column/scalar.h"
#include "contract/check.h"
#include "contract/constraint.h"
#include "delta/scan.h"
#include "delta/snapshot.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ANOMALY_MIN_RUNS 5

/* ---- value sets ---------------------------------------------------------- */

/* Inserts key into a set; *is_new tells whether it was absent. */
static tarn_status set_insert(tarn_keymap *s, const tarn_buf *key, bool *is_new)
{
    int64_t *v;
    return tarn_keymap_upsert(s, key->data, key->len, &v, is_new);
}

/* ---- the plan ------------------------------------------------------------ */

typedef struct col_acc {
    const char *name;
    int proj;      /* column index in the scan's batches */
    int ct;        /* contract column index, or -1 */
    bool typed_ok; /* table type equals the contract type (or not a contract column) */
    tarn_type type;
    bool need_minmax, need_sum, need_distinct, need_invalid;
    int64_t nulls, nonnull, invalid;
    bool has_minmax;
    tarn_scalar min, max;
    tarn_buf min_bytes, max_bytes;
    tarn_i128 isum;
    double fsum;
    bool sum_overflow;
    tarn_keymap distinct;
    uint8_t *bad; /* per batch: row violates one of the column's rules */
} col_acc;

typedef struct ct_acc {
    const tarn_ct_constraint *c; /* NULL: implied not-null of a non-nullable column */
    int col;                     /* col_acc index */
    int64_t violations;
    char example[320];
    int result; /* index in the report */
} ct_acc;

typedef struct tuple_acc {
    const tarn_ck_metric *m;
    int cols[16];
    int n_cols;
    tarn_keymap set;
    int64_t dups;
} tuple_acc;

typedef struct plan {
    tarn_arena *a;
    const tarn_contract *c;
    const tarn_schema *table_schema;
    col_acc *cols;
    int n_cols, cap_cols;
    ct_acc *cts;
    int n_cts;
    tuple_acc *tuples;
    int n_tuples;
    int64_t rows;
    bool oom; /* an allocation failed where no status could be returned */
    tarn_ct_report *rep;
    int cap_results;
} plan;

static tarn_ct_result *add_result(plan *p, tarn_ct_result_kind kind, const char *id,
                                  const char *expr, tarn_ct_severity sev)
{
    tarn_ct_report *r = p->rep;
    if (r->n == p->cap_results) {
        int cap = p->cap_results ? p->cap_results * 2 : 16;
        tarn_ct_result *nr = tarn_realloc(r->results, (size_t)cap * sizeof *nr);
        if (!nr)
            return NULL;
        r->results = nr;
        p->cap_results = cap;
    }
    tarn_ct_result *x = &r->results[r->n++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->id = id;
    x->expr = expr;
    x->severity = sev;
    return x;
}

static void set_outcome(tarn_ct_result *x, bool ok)
{
    x->outcome = ok                            ? TARN_CT_PASSED
                 : x->severity == TARN_CT_WARN ? TARN_CT_WARNED
                                               : TARN_CT_FAILED;
}

static void set_error(tarn_ct_result *x, const char *fmt, ...) TARN_PRINTF(2, 3);
static void set_error(tarn_ct_result *x, const char *fmt, ...)
{
    x->outcome = TARN_CT_ERROR;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->detail, sizeof x->detail, fmt, ap);
    va_end(ap);
}

/* The accumulator for a table column, created on first use; -1 when the
 * table has no such column. */
static int col_for(plan *p, const char *name, tarn_err *err, bool *oom)
{
    for (int i = 0; i < p->n_cols; i++)
        if (!strcmp(p->cols[i].name, name))
            return i;
    int t = tarn_schema_find(p->table_schema, name);
    if (t < 0)
        return -1;
    if (tarn_type_is_nested(p->table_schema->fields[t].type.id))
        return -1;
    if (p->n_cols == p->cap_cols) {
        int cap = p->cap_cols ? p->cap_cols * 2 : 16;
        col_acc *nc = tarn_realloc(p->cols, (size_t)cap * sizeof *nc);
        if (!nc) {
            *oom = true;
            tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            return -1;
        }
        p->cols = nc;
        p->cap_cols = cap;
    }
    col_acc *a = &p->cols[p->n_cols];
    memset(a, 0, sizeof *a);
    a->name = p->table_schema->fields[t].name;
    a->proj = p->n_cols;
    a->type = p->table_schema->fields[t].type;
    a->ct = tarn_ct_find_column(p->c, name);
    a->typed_ok = a->ct < 0 || tarn_type_equal(a->type, p->c->columns[a->ct].type);
    tarn_keymap_init(&a->distinct);
    tarn_buf_init(&a->min_bytes);
    tarn_buf_init(&a->max_bytes);
    return p->n_cols++;
}

static bool is_numeric(tarn_type_id id)
{
    return tarn_type_is_integer(id) || id == TARN_TYPE_FLOAT32 || id == TARN_TYPE_FLOAT64 ||
           id == TARN_TYPE_DECIMAL;
}

static bool is_time(tarn_type_id id)
{
    return id == TARN_TYPE_DATE || id == TARN_TYPE_TIMESTAMP || id == TARN_TYPE_TIMESTAMP_NTZ;
}

/* Registers what metric m needs; on a problem, returns false with why. */
static bool plan_metric(plan *p, const tarn_ck_metric *m, char *why, size_t cap, tarn_err *err,
                        bool *oom)
{
    if (m->inner)
        return plan_metric(p, m->inner, why, cap, err, oom);
    int idx[16];
    if (m->n_columns > 16) {
        snprintf(why, cap, "%s: at most 16 columns", m->key);
        return false;
    }
    for (int i = 0; i < m->n_columns; i++) {
        idx[i] = col_for(p, m->columns[i], err, oom);
        if (*oom)
            return false;
        if (idx[i] < 0) {
            int t = tarn_schema_find(p->table_schema, m->columns[i]);
            snprintf(why, cap,
                     t < 0 ? "column '%s' is not in the table"
                           : "column '%s' is nested and cannot be measured",
                     m->columns[i]);
            return false;
        }
    }
    col_acc *a = m->n_columns ? &p->cols[idx[0]] : NULL;
    switch (m->kind) {
    case TARN_CK_DISTINCT_COUNT:
        a->need_distinct = true;
        break;
    case TARN_CK_INVALID_COUNT:
        if (a->ct < 0) {
            snprintf(why, cap, "invalid_count(%s): the contract has no column '%s'", a->name,
                     a->name);
            return false;
        }
        if (!a->typed_ok) {
            snprintf(why, cap, "invalid_count(%s): the column's type differs from the contract",
                     a->name);
            return false;
        }
        a->need_invalid = true;
        break;
    case TARN_CK_MIN:
    case TARN_CK_MAX:
        if (a->type.id == TARN_TYPE_BOOL || a->type.id == TARN_TYPE_BINARY) {
            snprintf(why, cap, "%s: column '%s' has no order", m->key, a->name);
            return false;
        }
        a->need_minmax = true;
        break;
    case TARN_CK_FRESHNESS:
        if (!is_time(a->type.id)) {
            snprintf(why, cap, "freshness needs a date or timestamp column; '%s' is not one",
                     a->name);
            return false;
        }
        a->need_minmax = true;
        break;
    case TARN_CK_AVG:
    case TARN_CK_SUM:
        if (!is_numeric(a->type.id)) {
            snprintf(why, cap, "%s needs a numeric column; '%s' is not one", m->key, a->name);
            return false;
        }
        a->need_sum = true;
        break;
    case TARN_CK_DUPLICATE_COUNT: {
        for (int i = 0; i < p->n_tuples; i++)
            if (!strcmp(p->tuples[i].m->key, m->key))
                return true;
        tuple_acc *nt = tarn_realloc(p->tuples, (size_t)(p->n_tuples + 1) * sizeof *nt);
        if (!nt) {
            *oom = true;
            tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            return false;
        }
        p->tuples = nt;
        tuple_acc *t = &p->tuples[p->n_tuples++];
        memset(t, 0, sizeof *t);
        tarn_keymap_init(&t->set);
        t->m = m;
        t->n_cols = m->n_columns;
        memcpy(t->cols, idx, (size_t)m->n_columns * sizeof idx[0]);
        break;
    }
    default:
        break;
    }
    return true;
}

/* ---- the scan -------------------------------------------------------------- */

static tarn_status track_minmax(col_acc *a, const tarn_vec *v, int64_t n)
{
    tarn_scalar s;
    for (int64_t i = 0; i < n; i++) {
        if (tarn_vec_is_null(v, i))
            continue;
        tarn_scalar_from_vec(v, i, &s);
        if ((v->type.id == TARN_TYPE_FLOAT32 || v->type.id == TARN_TYPE_FLOAT64) &&
            s.v.f64 != s.v.f64)
            continue; /* NaN is not a minimum or a maximum */
        bool lo = !a->has_minmax || tarn_scalar_compare(&s, &a->min) < 0;
        bool hi = !a->has_minmax || tarn_scalar_compare(&s, &a->max) > 0;
        if (lo) {
            a->min = s;
            if (s.bytes) {
                tarn_buf_reset(&a->min_bytes);
                TARN_TRY(tarn_buf_append(&a->min_bytes, s.bytes, (size_t)s.len));
                a->min.bytes = (const uint8_t *)a->min_bytes.data;
            }
        }
        if (hi) {
            a->max = s;
            if (s.bytes) {
                tarn_buf_reset(&a->max_bytes);
                TARN_TRY(tarn_buf_append(&a->max_bytes, s.bytes, (size_t)s.len));
                a->max.bytes = (const uint8_t *)a->max_bytes.data;
            }
        }
        a->has_minmax = true;
    }
    return TARN_OK;
}

static void track_sum(col_acc *a, const tarn_vec *v, int64_t n)
{
    tarn_type_id id = v->type.id;
    if (id == TARN_TYPE_FLOAT32 || id == TARN_TYPE_FLOAT64) {
        double s = 0;
        for (int64_t i = 0; i < n; i++)
            if (tarn_vec_is_valid(v, i)) {
                double x = id == TARN_TYPE_FLOAT32 ? (double)((const float *)v->data)[i]
                                                   : ((const double *)v->data)[i];
                s += x;
            }
        a->fsum += s;
        return;
    }
    if (id == TARN_TYPE_DECIMAL) {
        for (int64_t i = 0; i < n; i++)
            if (tarn_vec_is_valid(v, i) &&
                __builtin_add_overflow(a->isum, tarn_vec_get_decimal(v, i), &a->isum))
                a->sum_overflow = true;
        return;
    }
    tarn_i128 s = 0; /* at most 4096 int64 values per batch: cannot overflow 128 bits */
    for (int64_t i = 0; i < n; i++)
        if (tarn_vec_is_valid(v, i))
            s += tarn_vec_get_int(v, i);
    if (__builtin_add_overflow(a->isum, s, &a->isum))
        a->sum_overflow = true;
}

static tarn_status feed_batch(plan *p, const tarn_batch *b, uint8_t *ok, tarn_buf *key,
                              tarn_err *err)
{
    int64_t n = b->n_rows;
    p->rows += n;
    for (int ci = 0; ci < p->n_cols; ci++) {
        col_acc *a = &p->cols[ci];
        const tarn_vec *v = b->cols[a->proj];
        int64_t nulls = 0;
        if (v->validity)
            for (int64_t i = 0; i < n; i++)
                nulls += !tarn_bit_get(v->validity, i);
        a->nulls += nulls;
        a->nonnull += n - nulls;
        if (n > 0)
            memset(a->bad, 0, (size_t)n);
        if (a->need_minmax && track_minmax(a, v, n) != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        if (a->need_sum)
            track_sum(a, v, n);
        if (a->need_distinct) {
            for (int64_t i = 0; i < n; i++) {
                if (tarn_vec_is_null(v, i))
                    continue;
                tarn_buf_reset(key);
                bool is_new;
                if (tarn_vec_append_key(key, v, i) != TARN_OK ||
                    set_insert(&a->distinct, key, &is_new) != TARN_OK)
                    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                if (!is_new)
                    a->bad[i] |= 2; /* a repeat: violates unique, if declared */
            }
        }
    }
    for (int k = 0; k < p->n_cts; k++) {
        ct_acc *x = &p->cts[k];
        col_acc *a = &p->cols[x->col];
        const tarn_vec *v = b->cols[a->proj];
        if (!x->c) { /* implied not-null */
            for (int64_t i = 0; i < n; i++)
                ok[i] = (uint8_t)tarn_vec_is_valid(v, i);
        } else if (x->c->kind == TARN_CT_UNIQUE) {
            for (int64_t i = 0; i < n; i++)
                ok[i] = (uint8_t) !(a->bad[i] & 2);
        } else {
            TARN_TRY(tarn_ct_constraint_eval(x->c, v, n, ok, err));
        }
        for (int64_t i = 0; i < n; i++) {
            if (ok[i])
                continue;
            a->bad[i] |= 1;
            if (x->violations++ == 0) {
                tarn_buf r;
                tarn_buf_init(&r);
                tarn_ct_constraint not_null = {.kind = TARN_CT_NOT_NULL, .text = "not_null"};
                tarn_status rs =
                    tarn_ct_constraint_reason(x->c ? x->c : &not_null, a->name, v, i, &r);
                if (rs == TARN_OK)
                    snprintf(x->example, sizeof x->example, "%s", r.data ? r.data : "");
                tarn_buf_fini(&r);
                if (rs != TARN_OK)
                    return tarn_err_set(err, rs, "out of memory");
            }
        }
    }
    for (int ci = 0; ci < p->n_cols; ci++) {
        col_acc *a = &p->cols[ci];
        if (a->need_invalid)
            for (int64_t i = 0; i < n; i++)
                a->invalid += (a->bad[i] & 1);
    }
    for (int t = 0; t < p->n_tuples; t++) {
        tuple_acc *ta = &p->tuples[t];
        for (int64_t i = 0; i < n; i++) {
            tarn_buf_reset(key);
            for (int j = 0; j < ta->n_cols; j++)
                if (tarn_vec_append_key(key, b->cols[p->cols[ta->cols[j]].proj], i) != TARN_OK)
                    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            bool is_new;
            if (set_insert(&ta->set, key, &is_new) != TARN_OK)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            ta->dups += !is_new;
        }
    }
    return TARN_OK;
}

/* ---- judging ----------------------------------------------------------------- */

static double pow10d(int s)
{
    double f = 1;
    while (s-- > 0)
        f *= 10;
    return f;
}

static double scalar_double(const tarn_scalar *s)
{
    switch (s->type.id) {
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64:
        return s->v.f64;
    case TARN_TYPE_DECIMAL:
        return (double)s->v.i128 / pow10d(s->type.scale);
    case TARN_TYPE_UINT64:
        return (double)s->v.u64;
    default:
        return (double)s->v.i64;
    }
}

static void fmt_duration(int64_t secs, char *out, size_t cap)
{
    const char *sign = secs < 0 ? "-" : "";
    if (secs < 0)
        secs = -secs;
    int64_t d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60, s = secs % 60;
    if (d)
        snprintf(out, cap, "%s%lldd %lldh %lldm", sign, (long long)d, (long long)h, (long long)m);
    else if (h)
        snprintf(out, cap, "%s%lldh %lldm", sign, (long long)h, (long long)m);
    else if (m)
        snprintf(out, cap, "%s%lldm %llds", sign, (long long)m, (long long)s);
    else
        snprintf(out, cap, "%s%llds", sign, (long long)s);
}

static void fmt_number(double v, char *out, size_t cap)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(out, cap, "%.0f", v);
    else
        snprintf(out, cap, "%.6g", v);
}

static void fmt_i128(tarn_i128 v, int scale, char *out, size_t cap)
{
    char digits[48];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && n < 45);
    while (n <= scale)
        digits[n++] = '0';
    size_t o = 0;
    if (neg && o + 1 < cap)
        out[o++] = '-';
    for (int i = n - 1; i >= 0 && o + 2 < cap; i--) {
        out[o++] = digits[i];
        if (i == scale && scale > 0)
            out[o++] = '.';
    }
    out[o] = '\0';
}

/* Value of a base metric; false when it has none (no rows, no values). */
static bool base_value(plan *p, const tarn_ck_metric *m, int64_t now_us, double *v, char *text,
                       size_t cap, const tarn_scalar **sv)
{
    *sv = NULL;
    int ci = -1;
    for (int i = 0; m->n_columns && i < p->n_cols; i++)
        if (!strcmp(p->cols[i].name, m->columns[0]))
            ci = i;
    col_acc *a = ci >= 0 ? &p->cols[ci] : NULL;
    switch (m->kind) {
    case TARN_CK_ROW_COUNT:
        *v = (double)p->rows;
        break;
    case TARN_CK_NULL_COUNT:
        *v = (double)a->nulls;
        break;
    case TARN_CK_NULL_PERCENTAGE:
        *v = p->rows ? 100.0 * (double)a->nulls / (double)p->rows : 0;
        break;
    case TARN_CK_DUPLICATE_COUNT:
        for (int t = 0; t < p->n_tuples; t++)
            if (!strcmp(p->tuples[t].m->key, m->key))
                *v = (double)p->tuples[t].dups;
        break;
    case TARN_CK_DISTINCT_COUNT:
        *v = (double)a->distinct.n;
        break;
    case TARN_CK_INVALID_COUNT:
        *v = (double)a->invalid;
        break;
    case TARN_CK_MIN:
    case TARN_CK_MAX: {
        if (!a->has_minmax) {
            snprintf(text, cap, "null");
            return false;
        }
        const tarn_scalar *s = m->kind == TARN_CK_MIN ? &a->min : &a->max;
        *sv = s;
        *v = scalar_double(s);
        tarn_buf b;
        tarn_buf_init(&b);
        if (tarn_scalar_render_text(&b, s) == TARN_OK)
            snprintf(text, cap, "%s", b.data ? b.data : "");
        else
            p->oom = true;
        tarn_buf_fini(&b);
        return true;
    }
    case TARN_CK_AVG:
    case TARN_CK_SUM: {
        if (a->sum_overflow) {
            snprintf(text, cap, "overflow");
            return false;
        }
        bool fl = a->type.id == TARN_TYPE_FLOAT32 || a->type.id == TARN_TYPE_FLOAT64;
        int scale = a->type.id == TARN_TYPE_DECIMAL ? a->type.scale : 0;
        double sum = fl ? a->fsum : (double)a->isum / pow10d(scale);
        if (m->kind == TARN_CK_SUM) {
            *v = sum;
            if (fl)
                fmt_number(sum, text, cap);
            else
                fmt_i128(a->isum, scale, text, cap);
            return true;
        }
        if (!a->nonnull) {
            snprintf(text, cap, "null");
            return false;
        }
        *v = sum / (double)a->nonnull;
        break;
    }
    case TARN_CK_FRESHNESS: {
        if (!a->has_minmax) {
            snprintf(text, cap, "null");
            return false;
        }
        int64_t newest =
            a->type.id == TARN_TYPE_DATE ? a->max.v.i64 * 86400 * 1000000LL : a->max.v.i64;
        int64_t age = (now_us - newest) / 1000000;
        *v = (double)age;
        fmt_duration(age, text, cap);
        return true;
    }
    default:
        return false;
    }
    fmt_number(*v, text, cap);
    return true;
}

/* Compares a min()/max() scalar with quoted literal thresholds. */
static bool literal_compare(const tarn_ck_expr *e, const tarn_scalar *s, char *why, size_t cap)
{
    tarn_scalar lo, hi;
    tarn_err perr;
    tarn_err_clear(&perr);
    char tn[64];
    if (tarn_scalar_parse(NULL, s->type, e->lo.literal, strlen(e->lo.literal), &lo, &perr) !=
            TARN_OK ||
        (e->op == TARN_CK_OP_BETWEEN &&
         tarn_scalar_parse(NULL, s->type, e->hi.literal, strlen(e->hi.literal), &hi, &perr) !=
             TARN_OK)) {
        snprintf(why, cap, "threshold is not %s", tarn_type_name(s->type, tn, sizeof tn));
        return false;
    }
    int c = tarn_scalar_compare(s, &lo);
    switch (e->op) {
    case TARN_CK_OP_LT:
        return c < 0;
    case TARN_CK_OP_LE:
        return c <= 0;
    case TARN_CK_OP_GT:
        return c > 0;
    case TARN_CK_OP_GE:
        return c >= 0;
    case TARN_CK_OP_EQ:
        return c == 0;
    case TARN_CK_OP_NE:
        return c != 0;
    case TARN_CK_OP_BETWEEN:
        return c >= 0 && tarn_scalar_compare(s, &hi) <= 0;
    default:
        return false;
    }
}

static tarn_status remember(plan *p, const tarn_ck_metric *m, double v, tarn_err *err)
{
    tarn_ct_report *r = p->rep;
    for (int i = 0; i < r->n_metrics; i++)
        if (!strcmp(r->metrics[i].metric, m->key))
            return TARN_OK;
    tarn_metric_value *nm = tarn_realloc(r->metrics, (size_t)(r->n_metrics + 1) * sizeof *nm);
    if (!nm)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->metrics = nm;
    nm[r->n_metrics].metric = m->key;
    nm[r->n_metrics].value = v;
    r->n_metrics++;
    return TARN_OK;
}

static tarn_status judge_check(plan *p, const tarn_ct_check *ck, tarn_ct_result *x,
                               const tarn_ct_test_opts *o, int64_t now_us, tarn_err *err)
{
    const tarn_ck_expr *e = ck->expr;
    const tarn_ck_metric *m = &e->metric;
    const tarn_ck_metric *base = m->inner ? m->inner : m;
    double v = 0;
    const tarn_scalar *sv;
    bool has = base_value(p, base, now_us, &v, x->value_text, sizeof x->value_text, &sv);
    if (p->oom)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (!has) {
        set_outcome(x, false);
        snprintf(x->detail, sizeof x->detail, "%s has no value (%s)", base->key,
                 p->rows ? "no non-null values" : "the table is empty");
        return TARN_OK;
    }
    TARN_TRY(remember(p, base, v, err));
    if (m->kind == TARN_CK_CHANGE || m->kind == TARN_CK_ANOMALY) {
        double hist[10000];
        int nh = 0;
        int want = m->kind == TARN_CK_CHANGE ? 1 : m->window;
        if (o && o->history)
            TARN_TRY(tarn_metrics_last(o->history, p->c->dataset,
                                       o->history_key ? o->history_key : "", base->key, now_us,
                                       want, hist, &nh, err));
        char cur[96];
        snprintf(cur, sizeof cur, "%s", x->value_text);
        if (m->kind == TARN_CK_CHANGE) {
            if (nh == 0) {
                x->outcome = TARN_CT_PASSED;
                snprintf(x->detail, sizeof x->detail, "%s = %s; no previous run to compare with",
                         base->key, cur);
                snprintf(x->value_text, sizeof x->value_text, "n/a");
                return TARN_OK;
            }
            double prev = hist[0];
            double pct = prev == 0 ? (v == 0 ? 0 : INFINITY) : fabs(v - prev) / fabs(prev) * 100;
            x->has_value = true;
            x->value = pct;
            if (isinf(pct))
                snprintf(x->value_text, sizeof x->value_text, "inf%%");
            else
                snprintf(x->value_text, sizeof x->value_text, "%.4g%%", pct);
            char pv[64];
            fmt_number(prev, pv, sizeof pv);
            snprintf(x->detail, sizeof x->detail, "%s = %s, previous run %s", base->key, cur, pv);
            set_outcome(x, tarn_ck_compare(e, pct));
            return TARN_OK;
        }
        if (nh < ANOMALY_MIN_RUNS) {
            x->outcome = TARN_CT_PASSED;
            snprintf(x->detail, sizeof x->detail,
                     "%s = %s; not enough history (%d of %d runs needed)", base->key, cur, nh,
                     ANOMALY_MIN_RUNS);
            return TARN_OK;
        }
        double mean = 0, var = 0;
        for (int i = 0; i < nh; i++)
            mean += hist[i];
        mean /= nh;
        for (int i = 0; i < nh; i++)
            var += (hist[i] - mean) * (hist[i] - mean);
        double sd = sqrt(var / nh);
        x->has_value = true;
        x->value = v;
        char ms[64], ss[64];
        fmt_number(mean, ms, sizeof ms);
        fmt_number(sd, ss, sizeof ss);
        snprintf(x->detail, sizeof x->detail,
                 "%s = %s; last %d runs: mean %s, sd %s (allowed %s ± 3 sd)", base->key, cur, nh,
                 ms, ss, ms);
        set_outcome(x, fabs(v - mean) <= 3 * sd);
        return TARN_OK;
    }
    x->has_value = true;
    x->value = v;
    if (e->lo.unit == TARN_CK_LITERAL) {
        if (!sv) {
            set_error(x, "a quoted threshold compares only with min() or max()");
            return TARN_OK;
        }
        char why[128] = "";
        bool ok = literal_compare(e, sv, why, sizeof why);
        if (why[0]) {
            set_error(x, "%s", why);
            return TARN_OK;
        }
        set_outcome(x, ok);
        return TARN_OK;
    }
    if (sv && is_time(sv->type.id) && m->kind != TARN_CK_FRESHNESS) {
        set_error(x, "compare %s with a quoted date or timestamp, e.g. '2024-01-01'", m->key);
        return TARN_OK;
    }
    set_outcome(x, tarn_ck_compare(e, v));
    return TARN_OK;
}

/* ---- driver -------------------------------------------------------------------- */

static tarn_status plan_schema(plan *p, tarn_err *err)
{
    const tarn_contract *c = p->c;
    int bad = 0;
    for (int i = 0; i < c->n_columns; i++) {
        const tarn_ct_column *col = &c->columns[i];
        int t = tarn_schema_find(p->table_schema, col->name);
        char want[64], got[64];
        tarn_type_name(col->type, want, sizeof want);
        if (t >= 0 && tarn_type_equal(p->table_schema->fields[t].type, col->type))
            continue;
        tarn_ct_result *x =
            add_result(p, TARN_CT_RES_SCHEMA, tarn_arena_printf(p->a, "schema.%s", col->name),
                       col->type_text, TARN_CT_FAIL);
        if (!x || !x->id)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        bad++;
        x->outcome = TARN_CT_FAILED;
        if (t < 0)
            snprintf(x->detail, sizeof x->detail, "column '%s' (%s) is not in the table", col->name,
                     want);
        else
            snprintf(x->detail, sizeof x->detail,
                     "column '%s' is %s in the table, the contract says %s", col->name,
                     tarn_type_name(p->table_schema->fields[t].type, got, sizeof got), want);
    }
    if (!bad) {
        tarn_ct_result *x =
            add_result(p, TARN_CT_RES_SCHEMA, "schema", "columns and types", TARN_CT_FAIL);
        if (!x)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        x->outcome = TARN_CT_PASSED;
        snprintf(x->value_text, sizeof x->value_text, "%d columns", c->n_columns);
    }
    return TARN_OK;
}

static tarn_status plan_constraints(plan *p, tarn_err *err)
{
    const tarn_contract *c = p->c;
    int n = 0;
    for (int i = 0; i < c->n_columns; i++)
        n += c->columns[i].n_constraints + 1;
    p->cts = tarn_arena_calloc(p->a, (size_t)n + 1, sizeof *p->cts);
    if (!p->cts)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < c->n_columns; i++) {
        const tarn_ct_column *col = &c->columns[i];
        bool explicit_nn = false;
        for (int j = 0; j < col->n_constraints; j++)
            explicit_nn |= col->constraints[j].kind == TARN_CT_NOT_NULL;
        bool oom = false;
        int ci = col_for(p, col->name, err, &oom);
        if (oom)
            return TARN_ERR_NOMEM;
        for (int j = -1; j < col->n_constraints; j++) {
            if (j < 0 && (col->nullable || explicit_nn))
                continue;
            const tarn_ct_constraint *ct = j < 0 ? NULL : &col->constraints[j];
            tarn_ct_result *x =
                add_result(p, TARN_CT_RES_CONSTRAINT,
                           ct ? ct->id : tarn_arena_printf(p->a, "%s.not_null", col->name),
                           ct ? ct->text : "not_null", ct ? ct->severity : TARN_CT_FAIL);
            if (!x || !x->id)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            if (ci < 0 || !p->cols[ci].typed_ok) {
                set_error(x,
                          ci < 0 ? "column '%s' is not in the table"
                                 : "column '%s' has another type in the table",
                          col->name);
                continue;
            }
            if (ct && ct->kind == TARN_CT_UNIQUE)
                p->cols[ci].need_distinct = true;
            ct_acc *a = &p->cts[p->n_cts++];
            a->c = ct;
            a->col = ci;
            a->result = p->rep->n - 1;
        }
    }
    return TARN_OK;
}

static tarn_status run_scan(plan *p, const tarn_delta_snapshot *snap, tarn_err *err)
{
    const char **names = tarn_arena_calloc(p->a, (size_t)p->n_cols + 1, sizeof *names);
    uint8_t *ok = tarn_alloc(TARN_BATCH_ROWS * 4);
    if (!names || !ok) {
        tarn_free(ok);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    int64_t cap_rows = TARN_BATCH_ROWS * 4;
    for (int i = 0; i < p->n_cols; i++)
        names[i] = p->cols[i].name;
    tarn_delta_scan_opts so = {0};
    so.columns = names;
    so.n_columns = p->n_cols;
    tarn_delta_scan *scan = NULL;
    tarn_buf key;
    tarn_buf_init(&key);
    tarn_status st = TARN_OK;
    st = tarn_delta_scan_open(snap, &so, &scan, err);
    tarn_batch *b = NULL;
    while (st == TARN_OK && (st = tarn_delta_scan_next(scan, &b, err)) == TARN_OK && b) {
        if (b->n_rows > cap_rows) {
            uint8_t *nok = tarn_realloc(ok, (size_t)b->n_rows);
            for (int i = 0; nok && i < p->n_cols; i++) {
                uint8_t *nb = tarn_realloc(p->cols[i].bad, (size_t)b->n_rows);
                if (!nb) {
                    nok = NULL;
                    break;
                }
                p->cols[i].bad = nb;
            }
            if (!nok) {
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                break;
            }
            ok = nok;
            cap_rows = b->n_rows;
        }
        st = feed_batch(p, b, ok, &key, err);
    }
    tarn_delta_scan_close(scan);
    tarn_buf_fini(&key);
    tarn_free(ok);
    return st;
}

tarn_status tarn_ct_test(const tarn_contract *c, const char *table_path, const tarn_ct_test_opts *o,
                         tarn_ct_report *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    tarn_delta_snapshot *snap = NULL;
    TARN_TRY(tarn_delta_snapshot_load(table_path, NULL, &snap, err));
    tarn_status st = tarn_ct_test_snapshot(c, snap, o, out, err);
    tarn_delta_snapshot_destroy(snap);
    return st;
}

tarn_status tarn_ct_test_snapshot(const tarn_contract *c, const tarn_delta_snapshot *snap,
                                  const tarn_ct_test_opts *o, tarn_ct_report *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t now_us = o && o->now_us ? o->now_us : tarn_now_us();
    plan p = {0};
    p.a = tarn_arena_create(0);
    p.c = c;
    p.table_schema = snap->schema;
    p.rep = out;
    out->arena = p.a;
    out->table_version = snap->version;
    tarn_status st = p.a ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (st == TARN_OK)
        st = plan_schema(&p, err);
    if (st == TARN_OK)
        st = plan_constraints(&p, err);
    /* The primary key is unique: one row per key (a tuple set over the key). */
    tarn_ck_metric *pk = NULL;
    int pk_result = -1;
    if (st == TARN_OK && c->n_primary_key) {
        pk = tarn_arena_calloc(p.a, 1, sizeof *pk);
        tarn_buf kb;
        tarn_buf_init(&kb);
        st = pk ? tarn_buf_append_str(&kb, "duplicate_count(") : TARN_ERR_NOMEM;
        for (int i = 0; st == TARN_OK && i < c->n_primary_key; i++)
            st = tarn_buf_printf(&kb, "%s%s", i ? ", " : "", c->primary_key[i]);
        if (st == TARN_OK)
            st = tarn_buf_append_char(&kb, ')');
        if (st == TARN_OK) {
            pk->kind = TARN_CK_DUPLICATE_COUNT;
            pk->n_columns = c->n_primary_key;
            pk->columns = c->primary_key;
            pk->key = tarn_arena_strdup(p.a, kb.data);
        }
        const char *expr = st == TARN_OK ? tarn_arena_printf(p.a, "unique%s", kb.data + 15) : NULL;
        tarn_buf_fini(&kb);
        tarn_ct_result *x = expr && pk->key ? add_result(&p, TARN_CT_RES_CONSTRAINT,
                                                         "primary_key.unique", expr, TARN_CT_FAIL)
                                            : NULL;
        if (!x) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        } else {
            pk_result = out->n - 1;
            char why[256] = "";
            bool oom = false;
            if (!plan_metric(&p, pk, why, sizeof why, err, &oom)) {
                if (oom)
                    st = TARN_ERR_NOMEM;
                set_error(x, "%s", why);
                pk = NULL;
            }
        }
    }
    /* Checks: plan what each needs; a check that cannot run is an error result. */
    int first_check = out->n;
    for (int i = 0; st == TARN_OK && i < c->n_checks; i++) {
        const tarn_ct_check *ck = &c->checks[i];
        const char *id = ck->name ? ck->name : tarn_arena_printf(p.a, "quality.%d", i + 1);
        tarn_ct_result *x = add_result(&p, TARN_CT_RES_CHECK, id, ck->text, ck->severity);
        if (!x || !id) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            break;
        }
        char why[256] = "";
        bool oom = false;
        if (!ck->expr)
            set_error(x, "check was not parsed");
        else if (!plan_metric(&p, &ck->expr->metric, why, sizeof why, err, &oom)) {
            if (oom)
                st = TARN_ERR_NOMEM;
            else
                set_error(x, "%s", why);
        }
    }
    /* Rows must be counted even when no column is measured (only row_count). */
    for (int i = 0; st == TARN_OK && p.n_cols == 0 && i < snap->schema->n_fields; i++) {
        bool oom = false;
        if (col_for(&p, snap->schema->fields[i].name, err, &oom) >= 0 || oom)
            st = oom ? TARN_ERR_NOMEM : TARN_OK;
    }
    for (int i = 0; st == TARN_OK && i < p.n_cols; i++) {
        p.cols[i].bad = tarn_calloc(TARN_BATCH_ROWS * 4, 1);
        if (!p.cols[i].bad)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    if (st == TARN_OK)
        st = run_scan(&p, snap, err);
    if (st == TARN_OK) {
        out->rows = p.rows;
        for (int k = 0; k < p.n_cts; k++) {
            ct_acc *a = &p.cts[k];
            tarn_ct_result *x = &out->results[a->result];
            x->violations = a->violations;
            x->has_value = true;
            x->value = (double)a->violations;
            snprintf(x->value_text, sizeof x->value_text, "%lld", (long long)a->violations);
            snprintf(x->detail, sizeof x->detail, "%s", a->example);
            set_outcome(x, a->violations == 0);
        }
        if (pk) {
            tarn_ct_result *x = &out->results[pk_result];
            for (int t = 0; t < p.n_tuples; t++)
                if (!strcmp(p.tuples[t].m->key, pk->key))
                    x->violations = p.tuples[t].dups;
            x->has_value = true;
            x->value = (double)x->violations;
            snprintf(x->value_text, sizeof x->value_text, "%lld", (long long)x->violations);
            if (x->violations)
                snprintf(x->detail, sizeof x->detail, "%lld rows repeat a key",
                         (long long)x->violations);
            set_outcome(x, x->violations == 0);
        }
        for (int i = 0; st == TARN_OK && i < c->n_checks; i++) {
            tarn_ct_result *x = &out->results[first_check + i];
            if (x->outcome != TARN_CT_ERROR)
                st = judge_check(&p, &c->checks[i], x, o, now_us, err);
        }
    }
    for (int i = 0; i < out->n; i++) {
        tarn_ct_result *x = &out->results[i];
        out->passed += x->outcome == TARN_CT_PASSED;
        out->failed += x->outcome == TARN_CT_FAILED;
        out->warned += x->outcome == TARN_CT_WARNED;
        out->errors += x->outcome == TARN_CT_ERROR;
    }
    for (int i = 0; i < p.n_cols; i++) {
        tarn_keymap_fini(&p.cols[i].distinct);
        tarn_buf_fini(&p.cols[i].min_bytes);
        tarn_buf_fini(&p.cols[i].max_bytes);
        tarn_free(p.cols[i].bad);
    }
    for (int i = 0; i < p.n_tuples; i++)
        tarn_keymap_fini(&p.tuples[i].set);
    tarn_free(p.cols);
    tarn_free(p.tuples);
    if (st != TARN_OK)
        tarn_ct_report_fini(out);
    return st;
}

void tarn_ct_report_fini(tarn_ct_report *r)
{
    tarn_free(r->results);
    tarn_free(r->metrics);
    tarn_arena_destroy(r->arena);
    memset(r, 0, sizeof *r);
}

const char *tarn_ct_outcome_name(tarn_ct_outcome o)
{
    static const char *const names[] = {"passed", "failed", "warned", "error"};
    return (int)o >= 0 && o <= TARN_CT_ERROR ? names[o] : "?";
}
