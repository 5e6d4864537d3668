/*
 * exec/func.c - scalar SQL functions (see func.h).
 *
 * Each function is one loop over the rows, typed once per call: a constant
 * argument is read at row 0 for every row, NULL in gives NULL out (except
 * where SQL says otherwise: concat, coalesce, greatest/least). Output is
 * appended to a vector reserved for the rows up front; nothing is allocated
 * per row.
 */
#include "exec/func.h"

#include "base/alloc.h"
#include "base/time.h"
#include "column/value.h"
#include "exec/rel.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    tarn_xfn fn;
} names[] = {
    {"lower", TARN_FN_LOWER},
    {"lcase", TARN_FN_LOWER},
    {"upper", TARN_FN_UPPER},
    {"ucase", TARN_FN_UPPER},
    {"length", TARN_FN_LENGTH},
    {"char_length", TARN_FN_LENGTH},
    {"character_length", TARN_FN_LENGTH},
    {"len", TARN_FN_LENGTH},
    {"substr", TARN_FN_SUBSTR},
    {"substring", TARN_FN_SUBSTR},
    {"trim", TARN_FN_TRIM},
    {"btrim", TARN_FN_TRIM},
    {"ltrim", TARN_FN_LTRIM},
    {"rtrim", TARN_FN_RTRIM},
    {"concat", TARN_FN_CONCAT},
    {"replace", TARN_FN_REPLACE},
    {"starts_with", TARN_FN_STARTS_WITH},
    {"ends_with", TARN_FN_ENDS_WITH},
    {"contains", TARN_FN_CONTAINS},
    {"left", TARN_FN_LEFT},
    {"right", TARN_FN_RIGHT},
    {"reverse", TARN_FN_REVERSE},
    {"abs", TARN_FN_ABS},
    {"round", TARN_FN_ROUND},
    {"floor", TARN_FN_FLOOR},
    {"ceil", TARN_FN_CEIL},
    {"ceiling", TARN_FN_CEIL},
    {"sqrt", TARN_FN_SQRT},
    {"power", TARN_FN_POWER},
    {"pow", TARN_FN_POWER},
    {"exp", TARN_FN_EXP},
    {"ln", TARN_FN_LN},
    {"log10", TARN_FN_LOG10},
    {"sign", TARN_FN_SIGN},
    {"coalesce", TARN_FN_COALESCE},
    {"ifnull", TARN_FN_COALESCE},
    {"nullif", TARN_FN_NULLIF},
    {"greatest", TARN_FN_GREATEST},
    {"least", TARN_FN_LEAST},
    {"date_trunc", TARN_FN_DATE_TRUNC},
    {"datetrunc", TARN_FN_DATE_TRUNC},
    {"extract", TARN_FN_EXTRACT},
    {"date_part", TARN_FN_EXTRACT},
    {"datepart", TARN_FN_EXTRACT},
    {"date_diff_days", TARN_FN_DATE_DIFF},
};

int tarn_xfunc_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(names[i].name, name))
            return (int)names[i].fn;
    return -1;
}

const char *tarn_xfunc_name(tarn_xfn fn)
{
    if (fn == TARN_FN_STRCAT)
        return "||";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].fn == fn)
            return names[i].name;
    return "?";
}

/* Binding ------------------------------------------------------------------------ */

static tarn_type T(tarn_type_id id)
{
    return tarn_type_make(id);
}

static bool is_num(tarn_type t)
{
    return t.id == TARN_TYPE_INT64 || t.id == TARN_TYPE_DECIMAL || t.id == TARN_TYPE_FLOAT64;
}

static bool is_time(tarn_type t)
{
    return t.id == TARN_TYPE_DATE || t.id == TARN_TYPE_TIMESTAMP || t.id == TARN_TYPE_TIMESTAMP_NTZ;
}

/* The type values of a and b meet at; false when they cannot. */
static bool meet(tarn_type a, tarn_type b, tarn_type *out)
{
    if (a.id == TARN_TYPE_NULL || tarn_type_equal(a, b)) {
        *out = b;
        return true;
    }
    if (b.id == TARN_TYPE_NULL) {
        *out = a;
        return true;
    }
    if (is_num(a) && is_num(b)) {
        if (a.id == TARN_TYPE_FLOAT64 || b.id == TARN_TYPE_FLOAT64)
            *out = T(TARN_TYPE_FLOAT64);
        else
            *out = tarn_type_decimal(38, a.scale > b.scale ? a.scale : b.scale);
        return true;
    }
    if (is_time(a) && is_time(b)) {
        *out = a.id == TARN_TYPE_DATE ? b : a;
        return true;
    }
    return false;
}

static tarn_status arity(tarn_xfn fn, int n, int lo, int hi, tarn_err *err)
{
    if (n >= lo && n <= hi)
        return TARN_OK;
    if (lo == hi)
        return tarn_err_set(err, TARN_ERR_INVALID, "%s() takes %d argument%s", tarn_xfunc_name(fn),
                            lo, lo == 1 ? "" : "s");
    if (hi > 100)
        return tarn_err_set(err, TARN_ERR_INVALID, "%s() takes at least %d argument%s",
                            tarn_xfunc_name(fn), lo, lo == 1 ? "" : "s");
    return tarn_err_set(err, TARN_ERR_INVALID, "%s() takes %d to %d arguments", tarn_xfunc_name(fn),
                        lo, hi);
}

static tarn_status expects(tarn_xfn fn, const char *what, tarn_type got, tarn_err *err)
{
    char t[64];
    return tarn_err_set(err, TARN_ERR_INVALID, "%s() expects %s, got %s", tarn_xfunc_name(fn), what,
                        tarn_type_name(got, t, sizeof t));
}

static bool text_is(const tarn_scalar *k, const char *s)
{
    return k && !k->is_null && k->type.id == TARN_TYPE_STRING && (size_t)k->len == strlen(s) &&
           !strncasecmp((const char *)k->bytes, s, (size_t)k->len);
}

tarn_status tarn_xfunc_bind(tarn_xfn fn, const tarn_type *arg, const tarn_scalar *const *const_args,
                            int n, tarn_type *out_type, tarn_type *want, tarn_err *err)
{
    for (int i = 0; i < n; i++)
        want[i] = arg[i];
    tarn_type str = T(TARN_TYPE_STRING), i64 = T(TARN_TYPE_INT64), f64 = T(TARN_TYPE_FLOAT64);
    /* String arguments: NULL literals become strings, others must be. */
#define WANT_STR(i)                                                                                \
    do {                                                                                           \
        if (arg[i].id != TARN_TYPE_STRING && arg[i].id != TARN_TYPE_NULL)                          \
            return expects(fn, "a string", arg[i], err);                                           \
        want[i] = str;                                                                             \
    } while (0)
#define WANT_INT(i)                                                                                \
    do {                                                                                           \
        if (arg[i].id != TARN_TYPE_INT64 && arg[i].id != TARN_TYPE_NULL)                           \
            return expects(fn, "an integer", arg[i], err);                                         \
        want[i] = i64;                                                                             \
    } while (0)
    switch (fn) {
    case TARN_FN_LOWER:
    case TARN_FN_UPPER:
    case TARN_FN_REVERSE:
        TARN_TRY(arity(fn, n, 1, 1, err));
        WANT_STR(0);
        *out_type = str;
        return TARN_OK;
    case TARN_FN_TRIM:
    case TARN_FN_LTRIM:
    case TARN_FN_RTRIM:
        TARN_TRY(arity(fn, n, 1, 2, err));
        for (int i = 0; i < n; i++)
            WANT_STR(i);
        *out_type = str;
        return TARN_OK;
    case TARN_FN_LENGTH:
        TARN_TRY(arity(fn, n, 1, 1, err));
        WANT_STR(0);
        *out_type = i64;
        return TARN_OK;
    case TARN_FN_SUBSTR:
        TARN_TRY(arity(fn, n, 2, 3, err));
        WANT_STR(0);
        for (int i = 1; i < n; i++)
            WANT_INT(i);
        *out_type = str;
        return TARN_OK;
    case TARN_FN_LEFT:
    case TARN_FN_RIGHT:
        TARN_TRY(arity(fn, n, 2, 2, err));
        WANT_STR(0);
        WANT_INT(1);
        *out_type = str;
        return TARN_OK;
    case TARN_FN_CONCAT:
    case TARN_FN_STRCAT:
        TARN_TRY(arity(fn, n, 1, 1000, err));
        for (int i = 0; i < n; i++)
            want[i] = str; /* any type: cast to its text */
        *out_type = str;
        return TARN_OK;
    case TARN_FN_REPLACE:
        TARN_TRY(arity(fn, n, 3, 3, err));
        for (int i = 0; i < n; i++)
            WANT_STR(i);
        *out_type = str;
        return TARN_OK;
    case TARN_FN_STARTS_WITH:
    case TARN_FN_ENDS_WITH:
    case TARN_FN_CONTAINS:
        TARN_TRY(arity(fn, n, 2, 2, err));
        WANT_STR(0);
        WANT_STR(1);
        *out_type = T(TARN_TYPE_BOOL);
        return TARN_OK;
    case TARN_FN_ABS:
        TARN_TRY(arity(fn, n, 1, 1, err));
        if (!is_num(arg[0]) && arg[0].id != TARN_TYPE_NULL)
            return expects(fn, "a number", arg[0], err);
        *out_type = want[0] = arg[0].id == TARN_TYPE_NULL ? i64 : arg[0];
        return TARN_OK;
    case TARN_FN_SIGN:
        TARN_TRY(arity(fn, n, 1, 1, err));
        if (!is_num(arg[0]) && arg[0].id != TARN_TYPE_NULL)
            return expects(fn, "a number", arg[0], err);
        if (arg[0].id == TARN_TYPE_NULL)
            want[0] = i64;
        *out_type = i64;
        return TARN_OK;
    case TARN_FN_ROUND:
    case TARN_FN_FLOOR:
    case TARN_FN_CEIL: {
        TARN_TRY(arity(fn, n, 1, fn == TARN_FN_ROUND ? 2 : 1, err));
        if (!is_num(arg[0]) && arg[0].id != TARN_TYPE_NULL)
            return expects(fn, "a number", arg[0], err);
        if (arg[0].id == TARN_TYPE_NULL)
            want[0] = f64;
        int digits = 0;
        if (n == 2) {
            WANT_INT(1);
            if (!const_args || !const_args[1] || const_args[1]->is_null)
                return tarn_err_set(err, TARN_ERR_INVALID, "round() digits must be a constant");
            digits = (int)const_args[1]->v.i64;
        }
        *out_type = want[0];
        if (want[0].id == TARN_TYPE_DECIMAL) {
            int s = digits < 0 ? 0 : digits;
            if (fn != TARN_FN_ROUND)
                s = 0;
            *out_type = tarn_type_decimal(38, s < want[0].scale ? s : want[0].scale);
        }
        return TARN_OK;
    }
    case TARN_FN_SQRT:
    case TARN_FN_EXP:
    case TARN_FN_LN:
    case TARN_FN_LOG10:
    case TARN_FN_POWER:
        TARN_TRY(arity(fn, n, fn == TARN_FN_POWER ? 2 : 1, fn == TARN_FN_POWER ? 2 : 1, err));
        for (int i = 0; i < n; i++) {
            if (!is_num(arg[i]) && arg[i].id != TARN_TYPE_NULL)
                return expects(fn, "a number", arg[i], err);
            want[i] = f64;
        }
        *out_type = f64;
        return TARN_OK;
    case TARN_FN_COALESCE:
    case TARN_FN_GREATEST:
    case TARN_FN_LEAST:
    case TARN_FN_NULLIF: {
        TARN_TRY(arity(fn, n, fn == TARN_FN_NULLIF ? 2 : 1, fn == TARN_FN_NULLIF ? 2 : 1000, err));
        tarn_type t = T(TARN_TYPE_NULL);
        for (int i = 0; i < n; i++) {
            tarn_type m;
            if (!meet(t, arg[i], &m)) {
                char a[64], b[64];
                return tarn_err_set(err, TARN_ERR_INVALID, "%s() cannot combine %s with %s",
                                    tarn_xfunc_name(fn), tarn_type_name(t, a, sizeof a),
                                    tarn_type_name(arg[i], b, sizeof b));
            }
            t = m;
        }
        if (t.id == TARN_TYPE_NULL)
            t = str;
        for (int i = 0; i < n; i++)
            want[i] = t;
        *out_type = t;
        return TARN_OK;
    }
    case TARN_FN_DATE_TRUNC:
    case TARN_FN_EXTRACT: {
        TARN_TRY(arity(fn, n, 2, 2, err));
        const tarn_scalar *u = const_args ? const_args[0] : NULL;
        if (!u || u->is_null || u->type.id != TARN_TYPE_STRING)
            return tarn_err_set(err, TARN_ERR_INVALID, "%s() needs the part as a constant string",
                                tarn_xfunc_name(fn));
        if (!is_time(arg[1]) && arg[1].id != TARN_TYPE_NULL)
            return expects(fn, "a date or timestamp", arg[1], err);
        static const char *const trunc_units[] = {"year", "quarter", "month",  "week", "day",
                                                  "hour", "minute",  "second", NULL};
        static const char *const fields[] = {
            "year",        "quarter",     "month",     "week",     "day",    "dow",     "dayofweek",
            "isodow",      "doy",         "dayofyear", "hour",     "minute", "second",  "epoch",
            "millisecond", "microsecond", "isoyear",   "yearweek", "decade", "century", NULL};
        const char *const *list = fn == TARN_FN_DATE_TRUNC ? trunc_units : fields;
        bool ok = false;
        for (int i = 0; list[i] && !ok; i++)
            ok = text_is(u, list[i]);
        if (!ok)
            return tarn_err_set(err, TARN_ERR_INVALID, "%s(): unknown part '%.*s'",
                                tarn_xfunc_name(fn), (int)u->len, (const char *)u->bytes);
        want[0] = str;
        if (arg[1].id == TARN_TYPE_NULL)
            want[1] = T(TARN_TYPE_TIMESTAMP);
        if (fn == TARN_FN_EXTRACT) {
            *out_type = text_is(u, "epoch") ? f64 : i64;
        } else {
            /* A date is truncated to a timestamp without time zone, as DuckDB does. */
            if (want[1].id == TARN_TYPE_DATE)
                want[1] = T(TARN_TYPE_TIMESTAMP_NTZ);
            *out_type = want[1];
        }
        return TARN_OK;
    }
    case TARN_FN_DATE_DIFF:
        TARN_TRY(arity(fn, n, 2, 2, err));
        want[0] = want[1] = T(TARN_TYPE_DATE);
        *out_type = i64;
        return TARN_OK;
    default:
        return tarn_err_set(err, TARN_ERR_INTERNAL, "unknown function %d", (int)fn);
    }
#undef WANT_STR
#undef WANT_INT
}

/* Evaluation -------------------------------------------------------------------- */

#define AT(a, i) ((a)->is_const ? 0 : (i))

static inline bool ok_at(const tarn_xval *a, int64_t i)
{
    return tarn_vec_is_valid(a->v, AT(a, i));
}

static inline const uint8_t *str_at(const tarn_xval *a, int64_t i, int32_t *len)
{
    return tarn_vec_get_bytes(a->v, AT(a, i), len);
}

static tarn_status oom(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

static inline int u8len(uint8_t c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Characters in s[0..n). */
static int64_t u8count(const uint8_t *s, int32_t n)
{
    int64_t k = 0;
    for (int32_t i = 0; i < n; i++)
        k += (s[i] & 0xC0) != 0x80;
    return k;
}

/* Byte offset of character k (0-based) in s[0..n), n when past the end. */
static int32_t u8offset(const uint8_t *s, int32_t n, int64_t k)
{
    int32_t i = 0;
    while (i < n && k > 0) {
        i += u8len(s[i]);
        k--;
    }
    return i < n ? i : n;
}

/* Appends s[0..n) (a string result), growing the payload as needed. */
static tarn_status put(tarn_vec *r, const void *s, int64_t n, tarn_err *err)
{
    return tarn_vec_append_bytes(r, s, n) == TARN_OK ? TARN_OK : oom(err);
}

static tarn_status put_null(tarn_vec *r, tarn_err *err)
{
    return tarn_vec_append_null(r) == TARN_OK ? TARN_OK : oom(err);
}

/* A scratch buffer for building one string value. */
typedef struct scratch {
    uint8_t *p;
    int64_t cap;
} scratch;

static uint8_t *scratch_get(scratch *s, int64_t n)
{
    if (n > s->cap) {
        int64_t cap = s->cap ? s->cap : 256;
        while (cap < n)
            cap *= 2;
        uint8_t *p = tarn_realloc(s->p, (size_t)cap);
        if (!p)
            return NULL;
        s->p = p;
        s->cap = cap;
    }
    return s->p;
}

static bool in_set(uint8_t c, const uint8_t *set, int32_t n)
{
    return memchr(set, c, (size_t)n) != NULL;
}

/* Upper or lower case of a two-byte code point (U+0080..U+07FF) whose
 * other case is also two bytes; anything else is returned as it is. */
static uint32_t case_map(uint32_t c, bool up)
{
    if (up) {
        if ((c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2))
            return c - 0x20; /* Latin-1, Greek */
        if (c >= 0x430 && c <= 0x44F)
            return c - 0x20; /* Cyrillic а..я */
        if (c >= 0x450 && c <= 0x45F)
            return c - 0x50; /* Cyrillic ѐ..џ */
        if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
            c != 0x17F)
            return ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) ? (c % 2 ? c : c - 1)
                                                                              : (c % 2 ? c - 1 : c);
        if (c == 0xFF)
            return c; /* ÿ -> Ÿ is U+0178: also two bytes */
        return c;
    }
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9 && c != 0x3A2))
        return c + 0x20;
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
        c != 0x17F)
        return ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) ? (c % 2 ? c + 1 : c)
                                                                          : (c % 2 ? c : c + 1);
    return c;
}

static tarn_status eval_string(const tarn_xexpr *e, const tarn_xval *a, int64_t n, tarn_vec *r,
                               tarn_err *err)
{
    scratch sc = {NULL, 0};
    tarn_status st = TARN_OK;
    for (int64_t i = 0; i < n && st == TARN_OK; i++) {
        bool null = false;
        for (int k = 0; k < e->n_args; k++)
            null |= e->fn != TARN_FN_CONCAT && !ok_at(&a[k], i);
        if (null) {
            st = put_null(r, err);
            continue;
        }
        int32_t len = 0;
        const uint8_t *s = e->fn != TARN_FN_CONCAT ? str_at(&a[0], i, &len) : NULL;
        switch (e->fn) {
        case TARN_FN_LOWER:
        case TARN_FN_UPPER: {
            uint8_t *o = scratch_get(&sc, len + 1);
            if (!o)
                return oom(err);
            bool up = e->fn == TARN_FN_UPPER;
            for (int32_t j = 0; j < len;) {
                if (s[j] < 0x80) {
                    o[j] = (uint8_t)(up ? toupper(s[j]) : tolower(s[j]));
                    j++;
                } else if ((s[j] & 0xE0) == 0xC0 && j + 1 < len) {
                    /* Two-byte letters keep their length when mapped. */
                    uint32_t cp = (uint32_t)(s[j] & 0x1F) << 6 | (s[j + 1] & 0x3F);
                    cp = case_map(cp, up);
                    o[j] = (uint8_t)(0xC0 | cp >> 6);
                    o[j + 1] = (uint8_t)(0x80 | (cp & 0x3F));
                    j += 2;
                } else {
                    o[j] = s[j];
                    j++;
                }
            }
            st = put(r, o, len, err);
            break;
        }
        case TARN_FN_REVERSE: {
            uint8_t *o = scratch_get(&sc, len + 1);
            if (!o)
                return oom(err);
            int32_t w = len;
            for (int32_t j = 0; j < len;) {
                int c = u8len(s[j]);
                if (j + c > len)
                    c = len - j;
                w -= c;
                memcpy(o + w, s + j, (size_t)c);
                j += c;
            }
            st = put(r, o, len, err);
            break;
        }
        case TARN_FN_TRIM:
        case TARN_FN_LTRIM:
        case TARN_FN_RTRIM: {
            int32_t sl = 1;
            const uint8_t *set = (const uint8_t *)" ";
            if (e->n_args == 2)
                set = str_at(&a[1], i, &sl);
            int32_t b = 0, t = len;
            if (e->fn != TARN_FN_RTRIM)
                while (b < t && in_set(s[b], set, sl))
                    b++;
            if (e->fn != TARN_FN_LTRIM)
                while (t > b && in_set(s[t - 1], set, sl))
                    t--;
            st = put(r, s + b, t - b, err);
            break;
        }
        case TARN_FN_SUBSTR: {
            /* SQL: start is 1-based and may be <= 0; the length counts from it. */
            int64_t start = tarn_vec_get_i64(a[1].v, AT(&a[1], i));
            int64_t chars = u8count(s, len);
            int64_t from = start, to = chars + 1;
            if (e->n_args == 3) {
                int64_t l = tarn_vec_get_i64(a[2].v, AT(&a[2], i));
                if (l < 0) {
                    st = tarn_err_set(err, TARN_ERR_DATA, "substring(): negative length %lld",
                                      (long long)l);
                    break;
                }
                to = start > INT64_MAX - l ? INT64_MAX : start + l;
            }
            if (start < 0) /* DuckDB: negative starts count from the end */
                from = chars + start + 1, to = e->n_args == 3 ? from + (to - start) : chars + 1;
            if (from < 1)
                from = 1;
            if (to > chars + 1)
                to = chars + 1;
            if (to <= from) {
                st = put(r, "", 0, err);
                break;
            }
            int32_t b = u8offset(s, len, from - 1), t = u8offset(s, len, to - 1);
            st = put(r, s + b, t - b, err);
            break;
        }
        case TARN_FN_LEFT:
        case TARN_FN_RIGHT: {
            int64_t k = tarn_vec_get_i64(a[1].v, AT(&a[1], i)), chars = u8count(s, len);
            if (k < 0)
                k = chars + k > 0 ? chars + k : 0;
            if (k > chars)
                k = chars;
            int32_t cut = e->fn == TARN_FN_LEFT ? u8offset(s, len, k) : u8offset(s, len, chars - k);
            st = e->fn == TARN_FN_LEFT ? put(r, s, cut, err) : put(r, s + cut, len - cut, err);
            break;
        }
        case TARN_FN_CONCAT:
        case TARN_FN_STRCAT: {
            int64_t total = 0;
            for (int k = 0; k < e->n_args; k++) {
                int32_t l = 0;
                if (ok_at(&a[k], i))
                    str_at(&a[k], i, &l);
                total += l;
            }
            uint8_t *o = scratch_get(&sc, total + 1);
            if (!o)
                return oom(err);
            int64_t w = 0;
            for (int k = 0; k < e->n_args; k++) {
                int32_t l = 0;
                if (!ok_at(&a[k], i))
                    continue;
                const uint8_t *p = str_at(&a[k], i, &l);
                memcpy(o + w, p, (size_t)l);
                w += l;
            }
            st = put(r, o, w, err);
            break;
        }
        case TARN_FN_REPLACE: {
            int32_t fl, tl;
            const uint8_t *f = str_at(&a[1], i, &fl), *t = str_at(&a[2], i, &tl);
            if (fl == 0) {
                st = put(r, s, len, err);
                break;
            }
            int64_t hits = 0;
            for (int32_t j = 0; j + fl <= len;)
                if (!memcmp(s + j, f, (size_t)fl)) {
                    hits++;
                    j += fl;
                } else {
                    j++;
                }
            uint8_t *o = scratch_get(&sc, len + hits * (tl - fl > 0 ? tl - fl : 0) + 1);
            if (!o)
                return oom(err);
            int64_t w = 0;
            for (int32_t j = 0; j < len;) {
                if (j + fl <= len && !memcmp(s + j, f, (size_t)fl)) {
                    memcpy(o + w, t, (size_t)tl);
                    w += tl;
                    j += fl;
                } else {
                    o[w++] = s[j++];
                }
            }
            st = put(r, o, w, err);
            break;
        }
        default:
            st = tarn_err_set(err, TARN_ERR_INTERNAL, "not a string function");
            break;
        }
    }
    tarn_free(sc.p);
    return st;
}

static tarn_status eval_predicate(const tarn_xexpr *e, const tarn_xval *a, int64_t n, tarn_vec *r,
                                  tarn_err *err)
{
    for (int64_t i = 0; i < n; i++) {
        if (!ok_at(&a[0], i) || !ok_at(&a[1], i)) {
            if (tarn_vec_append_null(r) != TARN_OK)
                return oom(err);
            continue;
        }
        int32_t sl, pl;
        const uint8_t *s = str_at(&a[0], i, &sl), *p = str_at(&a[1], i, &pl);
        bool b = false;
        if (e->fn == TARN_FN_STARTS_WITH)
            b = pl <= sl && !memcmp(s, p, (size_t)pl);
        else if (e->fn == TARN_FN_ENDS_WITH)
            b = pl <= sl && !memcmp(s + sl - pl, p, (size_t)pl);
        else
            b = pl == 0 || (pl <= sl && memmem(s, (size_t)sl, p, (size_t)pl) != NULL);
        if (tarn_vec_append_bool(r, b) != TARN_OK)
            return oom(err);
    }
    return TARN_OK;
}

static tarn_status eval_length(const tarn_xval *a, int64_t n, tarn_vec *r, tarn_err *err)
{
    for (int64_t i = 0; i < n; i++) {
        tarn_status st;
        if (!ok_at(a, i)) {
            st = tarn_vec_append_null(r);
        } else {
            int32_t l;
            const uint8_t *s = str_at(a, i, &l);
            st = tarn_vec_append_i64(r, u8count(s, l));
        }
        if (st != TARN_OK)
            return oom(err);
    }
    return TARN_OK;
}

/* Decimal rounding of x (scale s) to scale d (d < s or exact): mode -1
 * floor, 1 ceil, 0 half away from zero. */
static tarn_i128 dec_round(tarn_i128 x, int s, int d, int mode)
{
    tarn_i128 r = x;
    tarn_x_dec_rescale(x, s, d, mode, &r);
    return r;
}

static double round_half_away(double x, int d)
{
    double p = pow(10, d);
    double y = x * p;
    if (!isfinite(y))
        return x;
    double r = round(y) / p;
    return isfinite(r) ? r : x;
}

static tarn_status eval_math(const tarn_xexpr *e, const tarn_xval *a, int64_t n, tarn_vec *r,
                             tarn_err *err)
{
    tarn_type_id t = a[0].v->type.id;
    int digits = e->n_args == 2 && e->fn == TARN_FN_ROUND && tarn_vec_is_valid(a[1].v, 0)
                     ? (int)tarn_vec_get_i64(a[1].v, 0)
                     : 0;
    for (int64_t i = 0; i < n; i++) {
        bool null = !ok_at(&a[0], i) || (e->n_args == 2 && !ok_at(&a[1], i));
        tarn_status st = TARN_OK;
        if (null) {
            st = tarn_vec_append_null(r);
        } else if (e->fn == TARN_FN_SQRT || e->fn == TARN_FN_EXP || e->fn == TARN_FN_LN ||
                   e->fn == TARN_FN_LOG10 || e->fn == TARN_FN_POWER) {
            double x = tarn_vec_get_f64(a[0].v, AT(&a[0], i)), y = 0;
            switch (e->fn) {
            case TARN_FN_SQRT:
                if (x < 0)
                    return tarn_err_set(err, TARN_ERR_DATA,
                                        "sqrt(): cannot take the square root of %g", x);
                y = sqrt(x);
                break;
            case TARN_FN_EXP:
                y = exp(x);
                break;
            case TARN_FN_LN:
            case TARN_FN_LOG10:
                if (x <= 0)
                    return tarn_err_set(err, TARN_ERR_DATA, "%s(): cannot take the logarithm of %g",
                                        tarn_xfunc_name(e->fn), x);
                y = e->fn == TARN_FN_LN ? log(x) : log10(x);
                break;
            default:
                y = pow(x, tarn_vec_get_f64(a[1].v, AT(&a[1], i)));
                break;
            }
            st = tarn_vec_append_f64(r, y);
        } else if (t == TARN_TYPE_FLOAT64) {
            double x = tarn_vec_get_f64(a[0].v, AT(&a[0], i));
            switch (e->fn) {
            case TARN_FN_ABS:
                st = tarn_vec_append_f64(r, fabs(x));
                break;
            case TARN_FN_SIGN:
                st = tarn_vec_append_i64(r, (x > 0) - (x < 0));
                break;
            case TARN_FN_FLOOR:
                st = tarn_vec_append_f64(r, floor(x));
                break;
            case TARN_FN_CEIL:
                st = tarn_vec_append_f64(r, ceil(x));
                break;
            default:
                st = tarn_vec_append_f64(r, round_half_away(x, digits));
                break;
            }
        } else if (t == TARN_TYPE_DECIMAL) {
            tarn_i128 x = tarn_vec_get_decimal(a[0].v, AT(&a[0], i));
            int s = a[0].v->type.scale;
            switch (e->fn) {
            case TARN_FN_ABS:
                st = tarn_vec_append_decimal(r, x < 0 ? -x : x);
                break;
            case TARN_FN_SIGN:
                st = tarn_vec_append_i64(r, (x > 0) - (x < 0));
                break;
            case TARN_FN_FLOOR:
            case TARN_FN_CEIL:
                st =
                    tarn_vec_append_decimal(r, dec_round(x, s, 0, e->fn == TARN_FN_FLOOR ? -1 : 1));
                break;
            default:
                /* Negative digits round to tens, hundreds...: in scale 0. */
                if (digits < 0)
                    st = tarn_vec_append_decimal(r, dec_round(x, s, digits, 0) *
                                                        tarn_pow10_i128(-digits));
                else
                    st = tarn_vec_append_decimal(r, dec_round(x, s, r->type.scale, 0));
                break;
            }
        } else { /* INT64 */
            int64_t x = tarn_vec_get_i64(a[0].v, AT(&a[0], i));
            if (e->fn == TARN_FN_ABS && x == INT64_MIN)
                return tarn_err_set(err, TARN_ERR_DATA, "abs() overflows int64");
            if (e->fn == TARN_FN_ABS)
                st = tarn_vec_append_i64(r, x < 0 ? -x : x);
            else if (e->fn == TARN_FN_SIGN)
                st = tarn_vec_append_i64(r, (x > 0) - (x < 0));
            else if (e->fn == TARN_FN_ROUND && digits < 0) {
                tarn_i128 p = tarn_pow10_i128(-digits > 18 ? 18 : -digits);
                tarn_i128 q = (tarn_i128)x / p, rem = (tarn_i128)x % p;
                if (2 * (rem < 0 ? -rem : rem) >= p)
                    q += x < 0 ? -1 : 1;
                st = tarn_vec_append_i64(r, (int64_t)(q * p));
            } else {
                st = tarn_vec_append_i64(r, x);
            }
        }
        if (st != TARN_OK)
            return oom(err);
    }
    return TARN_OK;
}

static tarn_status eval_choose(const tarn_xexpr *e, const tarn_xval *a, int64_t n, tarn_vec *r,
                               tarn_err *err)
{
    for (int64_t i = 0; i < n; i++) {
        int pick = -1;
        switch (e->fn) {
        case TARN_FN_COALESCE:
            for (int k = 0; k < e->n_args && pick < 0; k++)
                if (ok_at(&a[k], i))
                    pick = k;
            break;
        case TARN_FN_NULLIF:
            pick = 0;
            if (ok_at(&a[0], i) && ok_at(&a[1], i) &&
                tarn_rel_cmp_rows(a[0].v, AT(&a[0], i), a[1].v, AT(&a[1], i)) == 0)
                pick = -1;
            break;
        default: /* GREATEST / LEAST: NULLs skipped */
            for (int k = 0; k < e->n_args; k++) {
                if (!ok_at(&a[k], i))
                    continue;
                if (pick < 0) {
                    pick = k;
                    continue;
                }
                int c = tarn_rel_cmp_rows(a[k].v, AT(&a[k], i), a[pick].v, AT(&a[pick], i));
                if (e->fn == TARN_FN_GREATEST ? c > 0 : c < 0)
                    pick = k;
            }
            break;
        }
        tarn_status st = pick < 0 ? tarn_vec_append_null(r)
                                  : tarn_vec_append_range(r, a[pick].v, AT(&a[pick], i), 1);
        if (st != TARN_OK)
            return oom(err);
    }
    return TARN_OK;
}

/* Date parts ---------------------------------------------------------------------- */

#define US_DAY 86400000000LL

/* ISO week number and ISO year of a day. */
static void iso_week(int64_t days, int64_t *week, int64_t *year)
{
    int64_t y;
    int m, d;
    int isodow = (int)tarn_floormod(days + 3, 7) + 1; /* 1970-01-01 was a Thursday */
    int64_t thursday = days - isodow + 4;
    tarn_civil_from_days(thursday, &y, &m, &d);
    int64_t jan1 = tarn_days_from_civil(y, 1, 1);
    *week = (thursday - jan1) / 7 + 1;
    *year = y;
}

static bool part_is(const tarn_xval *u, const char *s)
{
    int32_t l;
    const uint8_t *p = tarn_vec_get_bytes(u->v, 0, &l);
    return (size_t)l == strlen(s) && !strncasecmp((const char *)p, s, (size_t)l);
}

static tarn_status eval_dates(const tarn_xexpr *e, const tarn_xval *a, int64_t n, tarn_vec *r,
                              tarn_err *err)
{
    const tarn_xval *u = &a[0], *x = &a[1];
    bool is_date = x->v->type.id == TARN_TYPE_DATE;
    for (int64_t i = 0; i < n; i++) {
        tarn_status st;
        if (e->fn == TARN_FN_DATE_DIFF) {
            st = !ok_at(&a[0], i) || !ok_at(&a[1], i)
                     ? tarn_vec_append_null(r)
                     : tarn_vec_append_i64(r, (int64_t)tarn_vec_get_i32(a[0].v, AT(&a[0], i)) -
                                                  tarn_vec_get_i32(a[1].v, AT(&a[1], i)));
            if (st != TARN_OK)
                return oom(err);
            continue;
        }
        if (!ok_at(x, i)) {
            if (tarn_vec_append_null(r) != TARN_OK)
                return oom(err);
            continue;
        }
        int64_t us = is_date ? (int64_t)tarn_vec_get_i32(x->v, AT(x, i)) * US_DAY
                             : tarn_vec_get_i64(x->v, AT(x, i));
        int64_t days = tarn_floordiv(us, US_DAY), tod = us - days * US_DAY;
        int64_t y;
        int m, d;
        tarn_civil_from_days(days, &y, &m, &d);
        int dow = (int)tarn_floormod(days + 4, 7); /* 0 = Sunday */
        if (e->fn == TARN_FN_EXTRACT) {
            int64_t v = 0, wk, iy;
            if (part_is(u, "epoch")) {
                st = tarn_vec_append_f64(r, (double)us / 1e6);
                if (st != TARN_OK)
                    return oom(err);
                continue;
            }
            if (part_is(u, "year"))
                v = y;
            else if (part_is(u, "quarter"))
                v = (m - 1) / 3 + 1;
            else if (part_is(u, "month"))
                v = m;
            else if (part_is(u, "day"))
                v = d;
            else if (part_is(u, "dow") || part_is(u, "dayofweek"))
                v = dow;
            else if (part_is(u, "isodow"))
                v = dow == 0 ? 7 : dow;
            else if (part_is(u, "doy") || part_is(u, "dayofyear"))
                v = days - tarn_days_from_civil(y, 1, 1) + 1;
            else if (part_is(u, "week"))
                iso_week(days, &v, &iy);
            else if (part_is(u, "isoyear"))
                iso_week(days, &wk, &v);
            else if (part_is(u, "yearweek")) {
                iso_week(days, &wk, &iy);
                v = iy * 100 + wk;
            } else if (part_is(u, "decade"))
                v = tarn_floordiv(y, 10);
            else if (part_is(u, "century"))
                v = y > 0 ? (y - 1) / 100 + 1 : -((-y) / 100 + 1);
            else if (part_is(u, "hour"))
                v = tod / 3600000000LL;
            else if (part_is(u, "minute"))
                v = tod / 60000000LL % 60;
            else if (part_is(u, "second"))
                v = tod / 1000000 % 60;
            else if (part_is(u, "millisecond"))
                v = tod / 1000 % 60000;
            else
                v = tod % 60000000LL; /* microsecond: of the minute, as DuckDB */
            st = tarn_vec_append_i64(r, v);
        } else {
            int64_t t = days; /* truncated day */
            int64_t keep = 0; /* time of day kept */
            if (part_is(u, "year"))
                t = tarn_days_from_civil(y, 1, 1);
            else if (part_is(u, "quarter"))
                t = tarn_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
            else if (part_is(u, "month"))
                t = tarn_days_from_civil(y, m, 1);
            else if (part_is(u, "week"))
                t = days - (dow == 0 ? 6 : dow - 1); /* Monday */
            else if (part_is(u, "hour"))
                keep = tod - tod % 3600000000LL;
            else if (part_is(u, "minute"))
                keep = tod - tod % 60000000LL;
            else if (part_is(u, "second"))
                keep = tod - tod % 1000000;
            st = r->type.id == TARN_TYPE_DATE ? tarn_vec_append_i32(r, (int32_t)t)
                                              : tarn_vec_append_i64(r, t * US_DAY + keep);
        }
        if (st != TARN_OK)
            return oom(err);
    }
    return TARN_OK;
}

tarn_status tarn_xfunc_eval(const tarn_xexpr *e, const tarn_xval *args, int64_t n, tarn_vec **out,
                            tarn_err *err)
{
    *out = NULL;
    tarn_vec *r = tarn_vec_create_type(e->type);
    if (!r || tarn_vec_reserve(r, n ? n : 1) != TARN_OK) {
        tarn_vec_destroy(r);
        return oom(err);
    }
    tarn_status st;
    switch (e->fn) {
    case TARN_FN_LENGTH:
        st = eval_length(&args[0], n, r, err);
        break;
    case TARN_FN_STARTS_WITH:
    case TARN_FN_ENDS_WITH:
    case TARN_FN_CONTAINS:
        st = eval_predicate(e, args, n, r, err);
        break;
    case TARN_FN_ABS:
    case TARN_FN_ROUND:
    case TARN_FN_FLOOR:
    case TARN_FN_CEIL:
    case TARN_FN_SQRT:
    case TARN_FN_POWER:
    case TARN_FN_EXP:
    case TARN_FN_LN:
    case TARN_FN_LOG10:
    case TARN_FN_SIGN:
        st = eval_math(e, args, n, r, err);
        break;
    case TARN_FN_COALESCE:
    case TARN_FN_NULLIF:
    case TARN_FN_GREATEST:
    case TARN_FN_LEAST:
        st = eval_choose(e, args, n, r, err);
        break;
    case TARN_FN_DATE_TRUNC:
    case TARN_FN_EXTRACT:
    case TARN_FN_DATE_DIFF:
        st = eval_dates(e, args, n, r, err);
        break;
    default:
        st = eval_string(e, args, n, r, err);
        break;
    }
    if (st != TARN_OK) {
        tarn_vec_destroy(r);
        return st;
    }
    *out = r;
    return TARN_OK;
}
