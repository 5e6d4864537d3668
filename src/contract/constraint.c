/*
 * contract/constraint.c - parsing, vectorised evaluation and failure
 * reasons of row-level constraints (see constraint.h).
 *
 * Evaluation decides the rule and the column's physical type once per
 * vector, then runs a tight typed loop over the Arrow buffers: bounds are
 * converted to the column's storage type up front, so the loop compares
 * native values; allowed_values over numbers is a binary search in a sorted
 * array, over strings a sorted array of (bytes, length) searched the same
 * way. Regex is the only rule that calls a library per value.
 */
#include "contract/constraint.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/suggest.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_names[] = {
    [TARN_CT_NOT_NULL] = "not_null",
    [TARN_CT_UNIQUE] = "unique",
    [TARN_CT_MIN_VALUE] = "min_value",
    [TARN_CT_MAX_VALUE] = "max_value",
    [TARN_CT_ALLOWED_VALUES] = "allowed_values",
    [TARN_CT_REGEX] = "regex",
    [TARN_CT_MIN_LENGTH] = "min_length",
    [TARN_CT_MAX_LENGTH] = "max_length",
};
#define N_RULES ((int)TARN_ARRAY_LEN(rule_names))

const char *tarn_ct_constraint_name(tarn_ct_constraint_kind k)
{
    return (int)k >= 0 && (int)k < N_RULES ? rule_names[k] : "constraint";
}

/* ---- parsing ---------------------------------------------------------- */

#define MAX_ARGS 10000

typedef struct arg_list {
    const char **text; /* unquoted */
    bool *quoted;
    int n, cap;
} arg_list;

static tarn_status push_arg(tarn_arena *a, arg_list *l, const char *s, size_t n, bool quoted,
                            tarn_err *err)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        const char **t = tarn_arena_alloc(a, (size_t)cap * sizeof *t);
        bool *q = tarn_arena_alloc(a, (size_t)cap * sizeof *q);
        if (!t || !q)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        if (l->n) {
            memcpy(t, l->text, (size_t)l->n * sizeof *t);
            memcpy(q, l->quoted, (size_t)l->n * sizeof *q);
        }
        l->text = t;
        l->quoted = q;
        l->cap = cap;
    }
    char *d = tarn_arena_strndup(a, s, n);
    if (!d)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    l->text[l->n] = d;
    l->quoted[l->n++] = quoted;
    return TARN_OK;
}

/* Parses "(a, 'b', ...)" starting at *pp (just after the name). */
static tarn_status parse_args(tarn_arena *a, const char *rule, const char **pp, arg_list *l,
                              tarn_err *err)
{
    const char *p = *pp + 1; /* past '(' */
    tarn_buf tmp;
    tarn_buf_init(&tmp);
    tarn_status st = TARN_OK;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ')' && l->n == 0) {
            p++;
            break;
        }
        if (l->n >= MAX_ARGS) {
            st = tarn_err_set(err, TARN_ERR_LIMIT, "%s: more than %d arguments", rule, MAX_ARGS);
            goto out;
        }
        if (*p == '\'' || *p == '"') {
            char q = *p++;
            tarn_buf_reset(&tmp);
            for (;;) {
                if (!*p) {
                    st = tarn_err_set(err, TARN_ERR_INVALID, "%s: unterminated quoted value", rule);
                    goto out;
                }
                if (*p == q) {
                    if (p[1] != q)
                        break;
                    p++; /* doubled quote */
                }
                if ((st = tarn_buf_append_char(&tmp, *p++)) != TARN_OK) {
                    tarn_err_set(err, st, "out of memory");
                    goto out;
                }
            }
            p++;
            if ((st = push_arg(a, l, tmp.data ? tmp.data : "", tmp.len, true, err)) != TARN_OK)
                goto out;
        } else {
            const char *s = p;
            while (*p && *p != ',' && *p != ')')
                p++;
            const char *e = p;
            while (e > s && isspace((unsigned char)e[-1]))
                e--;
            if (e == s) {
                st = tarn_err_set(err, TARN_ERR_INVALID, "%s: empty argument", rule);
                goto out;
            }
            if ((st = push_arg(a, l, s, (size_t)(e - s), false, err)) != TARN_OK)
                goto out;
        }
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == ')') {
            p++;
            break;
        }
        if (*p)
            st = tarn_err_set(err, TARN_ERR_INVALID,
                              "%s: expected ',' or ')' after an argument, got '%c'", rule, *p);
        else
            st = tarn_err_set(err, TARN_ERR_INVALID, "%s: missing ')'", rule);
        goto out;
    }
    *pp = p;
out:
    tarn_buf_fini(&tmp);
    return st;
}

static bool orderable(tarn_type_id id)
{
    return id != TARN_TYPE_BOOL && id != TARN_TYPE_BINARY && !tarn_type_is_nested(id) &&
           id != TARN_TYPE_NULL;
}

static tarn_status parse_value(tarn_arena *a, const char *rule, const char *text,
                               const tarn_field *f, tarn_scalar *out, tarn_err *err)
{
    tarn_err e2;
    tarn_err_clear(&e2);
    if (tarn_scalar_parse(a, f->type, text, strlen(text), out, &e2) != TARN_OK) {
        if (e2.code == TARN_ERR_NOMEM)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        char tn[64];
        return tarn_err_set(err, TARN_ERR_INVALID, "%s: '%s' is not %s", rule, text,
                            tarn_type_name(f->type, tn, sizeof tn));
    }
    return TARN_OK;
}

static int cmp_scalar_qsort(const void *x, const void *y)
{
    return tarn_scalar_compare(x, y);
}

/* Appends v as written in a normalised rule text. */
static tarn_status norm_arg(tarn_buf *b, const char *text, bool quote)
{
    if (!quote)
        return tarn_buf_append_str(b, text);
    TARN_TRY(tarn_buf_append_char(b, '\''));
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            TARN_TRY(tarn_buf_append_char(b, '\''));
        TARN_TRY(tarn_buf_append_char(b, *p));
    }
    return tarn_buf_append_char(b, '\'');
}

static tarn_status finish_text(tarn_arena *a, const char *rule, const arg_list *l, bool quote,
                               bool parens, tarn_ct_constraint *out, tarn_err *err)
{
    tarn_buf b;
    tarn_buf_init(&b);
    tarn_status st = tarn_buf_append_str(&b, rule);
    if (parens && st == TARN_OK)
        st = tarn_buf_append_char(&b, '(');
    for (int i = 0; parens && st == TARN_OK && i < l->n; i++) {
        if (i)
            st = tarn_buf_append_str(&b, ", ");
        if (st == TARN_OK)
            st = norm_arg(&b, l->text[i], quote);
    }
    if (parens && st == TARN_OK)
        st = tarn_buf_append_char(&b, ')');
    if (st == TARN_OK)
        out->text = tarn_arena_strdup(a, b.data);
    tarn_buf_fini(&b);
    if (st != TARN_OK || !out->text)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    return TARN_OK;
}

tarn_status tarn_ct_constraint_parse(tarn_arena *a, const char *text, const tarn_field *column,
                                     tarn_ct_constraint *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->severity = TARN_CT_FAIL;
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    const char *ns = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)TARN_MIN((size_t)(p - ns), 63), ns);
    int kind = -1;
    for (int i = 0; i < N_RULES; i++)
        if (!strcmp(name, rule_names[i]))
            kind = i;
    if (kind < 0) {
        if (!name[0])
            return tarn_err_set(err, TARN_ERR_INVALID, "empty constraint");
        const char *best = tarn_suggest(name, rule_names, N_RULES);
        if (best)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "unknown constraint '%s' (did you mean '%s'?)", name, best);
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "unknown constraint '%s' (not_null, unique, min_value, max_value, "
                            "allowed_values, regex, min_length, max_length)",
                            name);
    }
    out->kind = (tarn_ct_constraint_kind)kind;
    const char *rule = rule_names[kind];
    while (isspace((unsigned char)*p))
        p++;
    arg_list l = {0};
    bool parens = *p == '(';
    if (parens)
        TARN_TRY(parse_args(a, rule, &p, &l, err));
    while (isspace((unsigned char)*p))
        p++;
    if (*p)
        return tarn_err_set(err, TARN_ERR_INVALID, "%s: unexpected '%s' after the rule", rule, p);
    out->n_args = l.n;
    out->args = l.text;
    out->id = tarn_arena_printf(a, "%s.%s", column->name, rule);
    if (!out->id)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_type_id id = column->type.id;
    char tn[64];
    tarn_type_name(column->type, tn, sizeof tn);
    int want = out->kind == TARN_CT_NOT_NULL || out->kind == TARN_CT_UNIQUE ? 0
               : out->kind == TARN_CT_ALLOWED_VALUES                        ? -1
                                                                            : 1;
    if (want == 0 && parens && l.n)
        return tarn_err_set(err, TARN_ERR_INVALID, "%s takes no arguments", rule);
    if (want == 1 && l.n != 1)
        return tarn_err_set(err, TARN_ERR_INVALID, "%s expects 1 argument, got %d (e.g. %s)", rule,
                            l.n,
                            out->kind == TARN_CT_REGEX        ? "regex('^[A-Z]+$')"
                            : out->kind >= TARN_CT_MIN_LENGTH ? "max_length(20)"
                                                              : "min_value(0)");
    if (want < 0 && l.n == 0)
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "allowed_values needs at least one value (e.g. allowed_values('a', "
                            "'b'))");
    bool quote = id == TARN_TYPE_STRING || id == TARN_TYPE_DATE || id == TARN_TYPE_TIMESTAMP ||
                 id == TARN_TYPE_TIMESTAMP_NTZ || id == TARN_TYPE_TIME ||
                 out->kind == TARN_CT_REGEX;
    switch (out->kind) {
    case TARN_CT_NOT_NULL:
    case TARN_CT_UNIQUE:
        if (tarn_type_is_nested(id) && out->kind == TARN_CT_UNIQUE)
            return tarn_err_set(err, TARN_ERR_INVALID, "unique applies to flat columns, not %s",
                                tn);
        break;
    case TARN_CT_MIN_VALUE:
    case TARN_CT_MAX_VALUE:
        if (!orderable(id))
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "%s applies to numbers, decimals, dates, times and strings, not %s",
                                rule, tn);
        TARN_TRY(parse_value(a, rule, l.text[0], column, &out->value, err));
        if ((id == TARN_TYPE_FLOAT32 || id == TARN_TYPE_FLOAT64) &&
            out->value.v.f64 != out->value.v.f64)
            return tarn_err_set(err, TARN_ERR_INVALID, "%s: NaN is not a bound", rule);
        break;
    case TARN_CT_ALLOWED_VALUES:
        if (tarn_type_is_nested(id) || id == TARN_TYPE_NULL)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "allowed_values applies to flat columns, "
                                "not %s",
                                tn);
        out->values = tarn_arena_calloc(a, (size_t)l.n, sizeof *out->values);
        if (!out->values)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        for (int i = 0; i < l.n; i++)
            TARN_TRY(parse_value(a, rule, l.text[i], column, &out->values[i], err));
        /* Sorted copy for binary search lives in impl-free form: values are
         * kept in written order for messages; the evaluator sorts a copy. */
        break;
    case TARN_CT_REGEX: {
        if (id != TARN_TYPE_STRING)
            return tarn_err_set(err, TARN_ERR_INVALID, "regex applies to string columns, not %s",
                                tn);
        regex_t *re = tarn_alloc(sizeof *re);
        char *pat = tarn_arena_printf(a, "^(%s)$", l.text[0]);
        if (!re || !pat) {
            tarn_free(re);
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
        int rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
        if (rc) {
            char msg[160];
            regerror(rc, re, msg, sizeof msg);
            tarn_free(re);
            return tarn_err_set(err, TARN_ERR_INVALID, "regex: %s in '%s'", msg, l.text[0]);
        }
        out->impl = re;
        break;
    }
    case TARN_CT_MIN_LENGTH:
    case TARN_CT_MAX_LENGTH: {
        if (id != TARN_TYPE_STRING && id != TARN_TYPE_BINARY)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "%s applies to string and binary columns, not %s", rule, tn);
        const char *s = l.text[0];
        char *end = NULL;
        long long v = 0;
        if (isdigit((unsigned char)s[0]))
            v = strtoll(s, &end, 10);
        if (!end || *end || v < 0 || v > INT32_MAX)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "%s: '%s' is not a length (a whole number from 0)", rule, s);
        out->length = v;
        quote = false;
        break;
    }
    }
    return finish_text(a, rule, &l, quote, parens && want != 0, out, err);
}

void tarn_ct_constraint_fini(tarn_ct_constraint *c)
{
    if (c && c->kind == TARN_CT_REGEX && c->impl) {
        regfree(c->impl);
        tarn_free(c->impl);
    }
    if (c)
        c->impl = NULL;
}

/* ---- evaluation -------------------------------------------------------- */

/* Fills out_ok from validity: null rows get null_ok, valid rows 1. */
static void init_ok(const tarn_vec *v, int64_t n, uint8_t *ok, uint8_t null_ok)
{
    if (!v->validity) {
        memset(ok, 1, (size_t)n);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        ok[i] = tarn_bit_get(v->validity, i) ? 1 : null_ok;
}

/* Bound checks over a typed array: ok[i] &= lo <= x[i] (or x[i] <= hi). */
#define BOUND_LOOP(T, data, n, ok, bound, is_min)                                                  \
    do {                                                                                           \
        const T *x_ = (const T *)(data);                                                           \
        T b_ = (T)(bound);                                                                         \
        if (is_min)                                                                                \
            for (int64_t i_ = 0; i_ < (n); i_++)                                                   \
                (ok)[i_] &= (uint8_t)(x_[i_] >= b_);                                               \
        else                                                                                       \
            for (int64_t i_ = 0; i_ < (n); i_++)                                                   \
                (ok)[i_] &= (uint8_t)(x_[i_] <= b_);                                               \
    } while (0)

static int cmp_bytes(const uint8_t *a, int32_t al, const uint8_t *b, int32_t bl)
{
    int c = memcmp(a, b, (size_t)TARN_MIN(al, bl));
    return c ? c : (al > bl) - (al < bl);
}

static tarn_status eval_bound(const tarn_ct_constraint *c, const tarn_vec *v, int64_t n,
                              uint8_t *ok, tarn_err *err)
{
    bool is_min = c->kind == TARN_CT_MIN_VALUE;
    const tarn_scalar *b = &c->value;
    /* Bounds were parsed in the column's type, so they fit its storage. */
    switch (v->type.id) {
    case TARN_TYPE_INT8:
        BOUND_LOOP(int8_t, v->data, n, ok, b->v.i64, is_min);
        break;
    case TARN_TYPE_INT16:
        BOUND_LOOP(int16_t, v->data, n, ok, b->v.i64, is_min);
        break;
    case TARN_TYPE_INT32:
    case TARN_TYPE_DATE:
        BOUND_LOOP(int32_t, v->data, n, ok, b->v.i64, is_min);
        break;
    case TARN_TYPE_INT64:
    case TARN_TYPE_TIME:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
        BOUND_LOOP(int64_t, v->data, n, ok, b->v.i64, is_min);
        break;
    case TARN_TYPE_FLOAT32: {
        const float *x = (const float *)v->data;
        for (int64_t i = 0; i < n; i++) /* NaN fails every bound */
            ok[i] &= (uint8_t)(is_min ? (double)x[i] >= b->v.f64 : (double)x[i] <= b->v.f64);
        break;
    }
    case TARN_TYPE_FLOAT64:
        BOUND_LOOP(double, v->data, n, ok, b->v.f64, is_min);
        break;
    case TARN_TYPE_DECIMAL:
        if (tarn_decimal_is_wide(v->type)) {
            for (int64_t i = 0; i < n; i++) {
                tarn_i128 x;
                memcpy(&x, v->data + i * 16, 16);
                ok[i] &= (uint8_t)(is_min ? x >= b->v.i128 : x <= b->v.i128);
            }
        } else {
            BOUND_LOOP(int64_t, v->data, n, ok, (int64_t)b->v.i128, is_min);
        }
        break;
    case TARN_TYPE_STRING:
        for (int64_t i = 0; i < n; i++) {
            int32_t len = v->offsets[i + 1] - v->offsets[i];
            int cmp = cmp_bytes(v->bytes + v->offsets[i], len, b->bytes, b->len);
            ok[i] &= (uint8_t)(is_min ? cmp >= 0 : cmp <= 0);
        }
        break;
    default: {
        char tn[64];
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "%s cannot be checked on %s",
                            c->text ? c->text : "bound", tarn_type_name(v->type, tn, sizeof tn));
    }
    }
    return TARN_OK;
}

/* Binary search of x among sorted int64 values. */
static bool in_sorted_i64(const int64_t *s, int n, int64_t x)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (s[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && s[lo] == x;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static tarn_status eval_allowed(const tarn_ct_constraint *c, const tarn_vec *v, int64_t n,
                                uint8_t *ok, tarn_err *err)
{
    tarn_type_id id = v->type.id;
    int m = c->n_args;
    if (id == TARN_TYPE_STRING || id == TARN_TYPE_BINARY || id == TARN_TYPE_FLOAT32 ||
        id == TARN_TYPE_FLOAT64 || id == TARN_TYPE_BOOL ||
        (id == TARN_TYPE_DECIMAL && tarn_decimal_is_wide(v->type))) {
        /* General path: a sorted copy of the scalars, binary search per row. */
        tarn_scalar *s = tarn_alloc((size_t)m * sizeof *s);
        if (!s)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        memcpy(s, c->values, (size_t)m * sizeof *s);
        qsort(s, (size_t)m, sizeof *s, cmp_scalar_qsort);
        tarn_scalar x;
        for (int64_t i = 0; i < n; i++) {
            if (!ok[i] || tarn_vec_is_null(v, i))
                continue;
            tarn_scalar_from_vec(v, i, &x);
            int lo = 0, hi = m;
            while (lo < hi) {
                int mid = lo + (hi - lo) / 2;
                if (tarn_scalar_compare(&s[mid], &x) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            ok[i] = (uint8_t)(lo < m && tarn_scalar_compare(&s[lo], &x) == 0);
        }
        tarn_free(s);
        return TARN_OK;
    }
    /* Integer-like storage (ints, dates, timestamps, narrow decimals). */
    int64_t *s = tarn_alloc((size_t)m * sizeof *s);
    if (!s)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < m; i++)
        s[i] = id == TARN_TYPE_DECIMAL ? (int64_t)c->values[i].v.i128 : c->values[i].v.i64;
    qsort(s, (size_t)m, sizeof *s, cmp_i64);
    for (int64_t i = 0; i < n; i++)
        if (ok[i] && tarn_vec_is_valid(v, i))
            ok[i] = (uint8_t)in_sorted_i64(s, m, tarn_vec_get_int(v, i));
    tarn_free(s);
    return TARN_OK;
}

static int64_t utf8_chars(const uint8_t *p, int32_t n)
{
    int64_t k = 0;
    for (int32_t i = 0; i < n; i++)
        k += (p[i] & 0xC0) != 0x80;
    return k;
}

tarn_status tarn_ct_constraint_eval(const tarn_ct_constraint *c, const tarn_vec *v, int64_t n,
                                    uint8_t *out_ok, tarn_err *err)
{
    if (n <= 0)
        return TARN_OK;
    init_ok(v, n, out_ok, c->kind == TARN_CT_NOT_NULL ? 0 : 1);
    switch (c->kind) {
    case TARN_CT_NOT_NULL:
    case TARN_CT_UNIQUE:
        return TARN_OK;
    case TARN_CT_MIN_VALUE:
    case TARN_CT_MAX_VALUE: {
        /* Typed loops run over every row; nulls are restored afterwards. */
        TARN_TRY(eval_bound(c, v, n, out_ok, err));
        if (v->validity)
            for (int64_t i = 0; i < n; i++)
                out_ok[i] |= (uint8_t)!tarn_bit_get(v->validity, i);
        return TARN_OK;
    }
    case TARN_CT_ALLOWED_VALUES:
        return eval_allowed(c, v, n, out_ok, err);
    case TARN_CT_REGEX: {
        if (v->type.id != TARN_TYPE_STRING || !c->impl)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "regex needs a string column");
        char stackbuf[512];
        char *heap = NULL;
        size_t heap_cap = 0;
        for (int64_t i = 0; i < n; i++) {
            if (!out_ok[i] || tarn_vec_is_null(v, i))
                continue;
            int32_t len;
            const uint8_t *p = tarn_vec_get_bytes(v, i, &len);
            char *s = stackbuf;
            if ((size_t)len + 1 > sizeof stackbuf) {
                if ((size_t)len + 1 > heap_cap) {
                    char *nh = tarn_realloc(heap, (size_t)len + 1);
                    if (!nh) {
                        tarn_free(heap);
                        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                    }
                    heap = nh;
                    heap_cap = (size_t)len + 1;
                }
                s = heap;
            }
            memcpy(s, p, (size_t)len);
            s[len] = '\0';
            /* A value with a NUL byte cannot match the whole pattern. */
            out_ok[i] = (uint8_t)(memchr(p, '\0', (size_t)len) == NULL &&
                                  regexec(c->impl, s, 0, NULL, 0) == 0);
        }
        tarn_free(heap);
        return TARN_OK;
    }
    case TARN_CT_MIN_LENGTH:
    case TARN_CT_MAX_LENGTH: {
        bool chars = v->type.id == TARN_TYPE_STRING, is_min = c->kind == TARN_CT_MIN_LENGTH;
        if (v->type.id != TARN_TYPE_STRING && v->type.id != TARN_TYPE_BINARY)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "%s needs a string column", c->text);
        for (int64_t i = 0; i < n; i++) {
            int32_t len = v->offsets[i + 1] - v->offsets[i];
            int64_t k = chars ? utf8_chars(v->bytes + v->offsets[i], len) : len;
            out_ok[i] &= (uint8_t)(is_min ? k >= c->length : k <= c->length);
        }
        if (v->validity)
            for (int64_t i = 0; i < n; i++)
                out_ok[i] |= (uint8_t)!tarn_bit_get(v->validity, i);
        return TARN_OK;
    }
    }
    return tarn_err_set(err, TARN_ERR_INTERNAL, "unknown constraint kind %d", (int)c->kind);
}

/* ---- reasons ----------------------------------------------------------- */

tarn_status tarn_ct_constraint_reason(const tarn_ct_constraint *c, const char *column,
                                      const tarn_vec *v, int64_t row, tarn_buf *out)
{
    TARN_TRY(tarn_buf_printf(out, "%s: ", column));
    if (tarn_vec_is_null(v, row)) {
        TARN_TRY(tarn_buf_append_str(out, "null"));
    } else {
        tarn_scalar s;
        tarn_scalar_from_vec(v, row, &s);
        tarn_buf text;
        tarn_buf_init(&text);
        tarn_status st = tarn_scalar_render_text(&text, &s);
        if (st != TARN_OK) {
            tarn_buf_fini(&text);
            return st;
        }
        bool q = v->type.id == TARN_TYPE_STRING || v->type.id == TARN_TYPE_DATE ||
                 v->type.id == TARN_TYPE_TIMESTAMP || v->type.id == TARN_TYPE_TIMESTAMP_NTZ;
        const char *t = text.data ? text.data : "";
        size_t len = text.len;
        size_t shown = len > 60 ? 57 : len;
        /* Do not cut a UTF-8 sequence in half. */
        while (shown < len && shown > 0 && ((unsigned char)t[shown] & 0xC0) == 0x80)
            shown--;
        if (q)
            st = tarn_buf_append_char(out, '\'');
        if (st == TARN_OK)
            st = tarn_buf_append(out, t, shown);
        if (st == TARN_OK && shown < len)
            st = tarn_buf_append_str(out, "...");
        if (st == TARN_OK && q)
            st = tarn_buf_append_char(out, '\'');
        tarn_buf_fini(&text);
        TARN_TRY(st);
    }
    return tarn_buf_printf(out, " violates %s",
                           c->text ? c->text : tarn_ct_constraint_name(c->kind));
}
