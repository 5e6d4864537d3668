/*
 * contract/check.c - parser of quality-check expressions (see check.h).
 *
 * A hand-written recursive-descent parser over a tiny tokenizer. Grammar:
 *
 *   check     := metric [op threshold | 'between' threshold 'and' threshold]
 *   metric    := name | name '(' args ')'
 *   args      := (column | metric | integer) {',' ...}
 *   threshold := number ['%'] | duration | 'quoted literal'
 *
 * Only anomaly() may stand without a comparison.
 */
#include "contract/check.h"

#include "base/suggest.h"
#include "contract/contract.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[] = {
    [TARN_CK_ROW_COUNT] = "row_count",
    [TARN_CK_NULL_COUNT] = "null_count",
    [TARN_CK_NULL_PERCENTAGE] = "null_percentage",
    [TARN_CK_DUPLICATE_COUNT] = "duplicate_count",
    [TARN_CK_DISTINCT_COUNT] = "distinct_count",
    [TARN_CK_INVALID_COUNT] = "invalid_count",
    [TARN_CK_MIN] = "min",
    [TARN_CK_MAX] = "max",
    [TARN_CK_AVG] = "avg",
    [TARN_CK_SUM] = "sum",
    [TARN_CK_FRESHNESS] = "freshness",
    [TARN_CK_CHANGE] = "change",
    [TARN_CK_ANOMALY] = "anomaly",
};
#define N_METRICS ((int)TARN_ARRAY_LEN(metric_names))
#define MAX_DEPTH 4

typedef struct parser {
    tarn_arena *a;
    const char *text;
    const char *p; /* cursor */
    tarn_err *err;
} parser;

static tarn_status perr(parser *ps, const char *at, const char *fmt, ...) TARN_PRINTF(3, 4);
static tarn_status perr(parser *ps, const char *at, const char *fmt, ...)
{
    char msg[TARN_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tarn_err_set(ps->err, TARN_ERR_INVALID, "%s", msg);
    ps->err->col = (int64_t)(at - ps->text) + 1;
    return TARN_ERR_INVALID;
}

static void skip_ws(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

/* Text of the token at p for messages ("end of check" at the end). */
static const char *tok_text(const char *p, char *out, size_t cap)
{
    if (!*p) {
        snprintf(out, cap, "end of check");
        return out;
    }
    size_t n = 0;
    if (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-')
        while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.' ||
                        (n == 0 && p[n] == '-')))
            n++;
    else
        n = 1;
    snprintf(out, cap, "'%.*s'", (int)TARN_MIN(n, 40), p);
    return out;
}

static size_t ident_len(const char *p)
{
    size_t n = 0;
    if (!isalpha((unsigned char)*p) && *p != '_')
        return 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    return n;
}

static bool is_word(const char *p, const char *w)
{
    size_t n = strlen(w);
    return !strncasecmp(p, w, n) && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

/* A column argument: identifier or "quoted name" / `quoted`. */
static tarn_status column_arg(parser *ps, const char **out)
{
    const char *s = ps->p;
    if (*s == '"' || *s == '`') {
        char q = *s;
        const char *e = strchr(s + 1, q);
        if (!e)
            return perr(ps, s, "unterminated quoted column name");
        *out = tarn_arena_strndup(ps->a, s + 1, (size_t)(e - s - 1));
        ps->p = e + 1;
    } else {
        size_t n = ident_len(s);
        if (!n) {
            char t[64];
            return perr(ps, s, "expected a column name, got %s", tok_text(s, t, sizeof t));
        }
        *out = tarn_arena_strndup(ps->a, s, n);
        ps->p = s + n;
    }
    if (!*out)
        return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
    return TARN_OK;
}

static tarn_status parse_metric(parser *ps, tarn_ck_metric *m, int depth);

static tarn_status make_key(parser *ps, tarn_ck_metric *m)
{
    tarn_buf b;
    tarn_buf_init(&b);
    tarn_status st = tarn_buf_append_str(&b, metric_names[m->kind]);
    bool args = m->kind != TARN_CK_ROW_COUNT;
    if (st == TARN_OK && args)
        st = tarn_buf_append_char(&b, '(');
    if (st == TARN_OK && m->inner)
        st = tarn_buf_append_str(&b, m->inner->key);
    for (int i = 0; st == TARN_OK && i < m->n_columns; i++) {
        /* Names that are not plain identifiers are quoted so the key parses back. */
        const char *c = m->columns[i];
        bool plain = ident_len(c) == strlen(c);
        char q = strchr(c, '"') ? '`' : '"';
        if (plain)
            st = tarn_buf_printf(&b, "%s%s", i ? ", " : "", c);
        else
            st = tarn_buf_printf(&b, "%s%c%s%c", i ? ", " : "", q, c, q);
    }
    if (st == TARN_OK && m->kind == TARN_CK_ANOMALY && m->window != 30)
        st = tarn_buf_printf(&b, ", %d", m->window);
    if (st == TARN_OK && args)
        st = tarn_buf_append_char(&b, ')');
    if (st == TARN_OK)
        m->key = tarn_arena_strdup(ps->a, b.data);
    tarn_buf_fini(&b);
    if (st != TARN_OK || !m->key)
        return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
    return TARN_OK;
}

static tarn_status parse_args(parser *ps, tarn_ck_metric *m, const char *name_at, int depth)
{
    const char *name = metric_names[m->kind];
    const char *open = ps->p;
    ps->p++; /* '(' */
    skip_ws(ps);
    if (m->kind == TARN_CK_CHANGE || m->kind == TARN_CK_ANOMALY) {
        m->inner = tarn_arena_calloc(ps->a, 1, sizeof *m->inner);
        if (!m->inner)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        const char *at = ps->p;
        TARN_TRY(parse_metric(ps, m->inner, depth + 1));
        if (m->inner->kind == TARN_CK_CHANGE || m->inner->kind == TARN_CK_ANOMALY)
            return perr(ps, at, "%s() takes a plain metric such as row_count, not %s()", name,
                        metric_names[m->inner->kind]);
        skip_ws(ps);
        if (m->kind == TARN_CK_ANOMALY && *ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            char *end;
            long w = strtol(ps->p, &end, 10);
            if (end == ps->p || w < 3 || w > 10000)
                return perr(ps, ps->p,
                            "anomaly: the number of runs must be a whole number "
                            "from 3 to 10000");
            m->window = (int)w;
            ps->p = end;
            skip_ws(ps);
        }
    } else {
        int cap = 0;
        while (*ps->p && *ps->p != ')') {
            if (m->n_columns == cap) {
                int nc = cap ? cap * 2 : 4;
                const char **c = tarn_arena_alloc(ps->a, (size_t)nc * sizeof *c);
                if (!c)
                    return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
                if (m->n_columns)
                    memcpy(c, m->columns, (size_t)m->n_columns * sizeof *c);
                m->columns = c;
                cap = nc;
            }
            TARN_TRY(column_arg(ps, &m->columns[m->n_columns]));
            m->n_columns++;
            skip_ws(ps);
            if (*ps->p == ',') {
                ps->p++;
                skip_ws(ps);
                if (*ps->p == ')')
                    return perr(ps, ps->p, "expected a column name after ','");
            } else if (*ps->p != ')') {
                break;
            }
        }
    }
    if (*ps->p != ')') {
        char t[64];
        return perr(ps, *ps->p ? ps->p : open, "%s: expected ')', got %s", name,
                    tok_text(ps->p, t, sizeof t));
    }
    ps->p++;
    bool multi = m->kind == TARN_CK_DUPLICATE_COUNT;
    bool nested = m->kind == TARN_CK_CHANGE || m->kind == TARN_CK_ANOMALY;
    if (!nested && m->n_columns == 0)
        return perr(ps, name_at, "%s needs a column: %s(column)", name, name);
    if (!nested && !multi && m->n_columns > 1)
        return perr(ps, name_at, "%s takes one column, got %d", name, m->n_columns);
    return TARN_OK;
}

static tarn_status parse_metric(parser *ps, tarn_ck_metric *m, int depth)
{
    if (depth > MAX_DEPTH)
        return perr(ps, ps->p, "metrics nested too deeply");
    skip_ws(ps);
    const char *at = ps->p;
    size_t n = ident_len(at);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)TARN_MIN(n, 63), at);
    int kind = -1;
    for (int i = 0; n && i < N_METRICS; i++)
        if (strlen(metric_names[i]) == n && !strncasecmp(metric_names[i], at, n))
            kind = i;
    if (kind < 0) {
        if (!n) {
            char t[64];
            return perr(ps, at, "expected a metric such as row_count, got %s",
                        tok_text(at, t, sizeof t));
        }
        const char *best = tarn_suggest(name, metric_names, N_METRICS);
        if (best)
            return perr(ps, at, "unknown metric '%s' (did you mean '%s'?)", name, best);
        return perr(ps, at,
                    "unknown metric '%s' (row_count, null_count, null_percentage, "
                    "duplicate_count, distinct_count, invalid_count, min, max, avg, sum, "
                    "freshness, change, anomaly)",
                    name);
    }
    memset(m, 0, sizeof *m);
    m->kind = (tarn_ck_metric_kind)kind;
    m->window = 30;
    ps->p = at + n;
    skip_ws(ps);
    if (*ps->p == '(') {
        if (m->kind == TARN_CK_ROW_COUNT) {
            const char *q = ps->p + 1;
            while (isspace((unsigned char)*q))
                q++;
            if (*q != ')')
                return perr(ps, ps->p, "row_count takes no column");
            ps->p = q + 1;
        } else {
            TARN_TRY(parse_args(ps, m, at, depth));
        }
    } else if (m->kind != TARN_CK_ROW_COUNT) {
        return perr(ps, at, "%s needs an argument: %s(...)", name, metric_names[m->kind]);
    }
    return make_key(ps, m);
}

/* Number with optional sign, fraction and exponent; returns its length. */
static size_t number_len(const char *p)
{
    size_t n = 0;
    if (p[n] == '-' || p[n] == '+')
        n++;
    size_t d = 0;
    while (isdigit((unsigned char)p[n]))
        n++, d++;
    if (p[n] == '.') {
        n++;
        while (isdigit((unsigned char)p[n]))
            n++, d++;
    }
    if (!d)
        return 0;
    if ((p[n] == 'e' || p[n] == 'E') &&
        (isdigit((unsigned char)p[n + 1]) ||
         ((p[n + 1] == '-' || p[n + 1] == '+') && isdigit((unsigned char)p[n + 2])))) {
        n += 2;
        while (isdigit((unsigned char)p[n]))
            n++;
    }
    return n;
}

static tarn_status parse_threshold(parser *ps, const tarn_ck_metric *m, tarn_ck_threshold *t,
                                   const char *op_at, bool in_between)
{
    skip_ws(ps);
    const char *at = ps->p;
    char tb[64];
    if (*at == '\'') {
        const char *e = strchr(at + 1, '\'');
        if (!e)
            return perr(ps, at, "unterminated quoted value");
        if (m->kind != TARN_CK_MIN && m->kind != TARN_CK_MAX)
            return perr(ps, at, "a quoted value compares only with min() or max()");
        t->unit = TARN_CK_LITERAL;
        t->literal = tarn_arena_strndup(ps->a, at + 1, (size_t)(e - at - 1));
        t->text = tarn_arena_strndup(ps->a, at, (size_t)(e - at + 1));
        if (!t->literal || !t->text)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        ps->p = e + 1;
        return TARN_OK;
    }
    size_t n = number_len(at);
    if (!n)
        return perr(
            ps, at, "expected a number after '%.*s', got %s",
            (int)(isalpha((unsigned char)*op_at) ? ident_len(op_at) : strspn(op_at, "<>=!")), op_at,
            tok_text(at, tb, sizeof tb));
    char num[64];
    snprintf(num, sizeof num, "%.*s", (int)TARN_MIN(n, 63), at);
    t->num = strtod(num, NULL);
    if (!isfinite(t->num))
        return perr(ps, at, "number out of range: %s", num);
    const char *q = at + n;
    while (*q == ' ')
        q++;
    if (m->kind == TARN_CK_FRESHNESS) {
        /* Duration: the rest up to "and" (between) or the end. */
        const char *e = q;
        while (*e && !(in_between && is_word(e, "and")))
            e++;
        while (e > at && isspace((unsigned char)e[-1]))
            e--;
        char *d = tarn_arena_strndup(ps->a, at, (size_t)(e - at));
        if (!d)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        tarn_err derr;
        tarn_err_clear(&derr);
        if (!isalpha((unsigned char)*q) || tarn_ct_parse_duration(d, &t->seconds, &derr) != TARN_OK)
            return perr(ps, at,
                        "freshness compares with a duration such as 4h, 30m or 2 days, "
                        "got '%s'",
                        d);
        t->unit = TARN_CK_DURATION;
        t->text = d;
        ps->p = e;
        return TARN_OK;
    }
    t->unit = TARN_CK_NUMBER;
    ps->p = at + n;
    if (*ps->p == '%') {
        if (m->kind != TARN_CK_CHANGE && m->kind != TARN_CK_NULL_PERCENTAGE)
            return perr(ps, ps->p, "'%%' applies to null_percentage() and change() only");
        t->unit = TARN_CK_PERCENT;
        ps->p++;
    }
    t->text = tarn_arena_strndup(ps->a, at, (size_t)(ps->p - at));
    if (!t->text)
        return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
    return TARN_OK;
}

tarn_status tarn_ck_parse(tarn_arena *a, const char *text, tarn_ck_expr **out, tarn_err *err)
{
    *out = NULL;
    parser ps = {a, text, text, err};
    tarn_ck_expr *e = tarn_arena_calloc(a, 1, sizeof *e);
    if (!e)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    TARN_TRY(parse_metric(&ps, &e->metric, 0));
    skip_ws(&ps);
    const char *op_at = ps.p;
    static const struct {
        const char *sym;
        tarn_ck_op op;
    } ops[] = {{"<=", TARN_CK_OP_LE}, {">=", TARN_CK_OP_GE}, {"!=", TARN_CK_OP_NE},
               {"<>", TARN_CK_OP_NE}, {"==", TARN_CK_OP_EQ}, {"<", TARN_CK_OP_LT},
               {">", TARN_CK_OP_GT},  {"=", TARN_CK_OP_EQ}};
    e->op = TARN_CK_OP_NONE;
    for (size_t i = 0; i < TARN_ARRAY_LEN(ops); i++)
        if (!strncmp(ps.p, ops[i].sym, strlen(ops[i].sym))) {
            e->op = ops[i].op;
            ps.p += strlen(ops[i].sym);
            break;
        }
    if (e->op == TARN_CK_OP_NONE && is_word(ps.p, "between")) {
        e->op = TARN_CK_OP_BETWEEN;
        ps.p += 7;
    }
    char tb[64];
    if (e->op == TARN_CK_OP_NONE) {
        if (*ps.p)
            return perr(&ps, ps.p, "expected a comparison (< <= > >= = != between), got %s",
                        tok_text(ps.p, tb, sizeof tb));
        if (e->metric.kind != TARN_CK_ANOMALY)
            return perr(&ps, ps.p,
                        "%s needs a comparison, e.g. '%s > 0' (only anomaly() stands alone)",
                        e->metric.key, e->metric.key);
        *out = e;
        return TARN_OK;
    }
    if (e->metric.kind == TARN_CK_ANOMALY)
        return perr(&ps, op_at, "anomaly() is a check on its own and takes no comparison");
    TARN_TRY(parse_threshold(&ps, &e->metric, &e->lo, op_at, e->op == TARN_CK_OP_BETWEEN));
    if (e->op == TARN_CK_OP_BETWEEN) {
        skip_ws(&ps);
        if (!is_word(ps.p, "and"))
            return perr(&ps, ps.p, "between: expected 'and', got %s",
                        tok_text(ps.p, tb, sizeof tb));
        const char *and_at = ps.p;
        ps.p += 3;
        TARN_TRY(parse_threshold(&ps, &e->metric, &e->hi, and_at, false));
        if (e->lo.unit != e->hi.unit)
            return perr(&ps, and_at, "between: both bounds must be of the same kind");
    }
    skip_ws(&ps);
    if (*ps.p)
        return perr(&ps, ps.p, "unexpected %s after the check", tok_text(ps.p, tb, sizeof tb));
    *out = e;
    return TARN_OK;
}

static int metric_columns(const tarn_ck_metric *m, const char **out, int cap, int n)
{
    if (m->inner)
        n = metric_columns(m->inner, out, cap, n);
    for (int i = 0; i < m->n_columns; i++, n++)
        if (n < cap)
            out[n] = m->columns[i];
    return n;
}

int tarn_ck_columns(const tarn_ck_expr *e, const char **out, int cap)
{
    return metric_columns(&e->metric, out, cap, 0);
}

const char *tarn_ck_op_name(tarn_ck_op op)
{
    static const char *const names[] = {"", "<", "<=", ">", ">=", "=", "!=", "between"};
    return (int)op >= 0 && (size_t)op < TARN_ARRAY_LEN(names) ? names[op] : "?";
}

static double tnum(const tarn_ck_threshold *t)
{
    return t->unit == TARN_CK_DURATION ? (double)t->seconds : t->num;
}

bool tarn_ck_compare(const tarn_ck_expr *e, double v)
{
    double a = tnum(&e->lo);
    switch (e->op) {
    case TARN_CK_OP_LT:
        return v < a;
    case TARN_CK_OP_LE:
        return v <= a;
    case TARN_CK_OP_GT:
        return v > a;
    case TARN_CK_OP_GE:
        return v >= a;
    case TARN_CK_OP_EQ:
        return v == a;
    case TARN_CK_OP_NE:
        return v != a;
    case TARN_CK_OP_BETWEEN:
        return v >= a && v <= tnum(&e->hi);
    default:
        return false;
    }
}
