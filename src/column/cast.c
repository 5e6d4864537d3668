/*
 * column/cast.c - exact conversions between column types, value by value
 * through tarn_scalar (casts are an edge path: identical types take the
 * bulk-copy fast path).
 */
#include "column/cast.h"

#include "base/time.h"
#include "column/render.h"
#include "column/scalar.h"
#include "column/value.h"

#include <math.h>
#include <string.h>

static bool is_intlike(tarn_type_id id)
{
    return tarn_type_is_integer(id) || id == TARN_TYPE_BOOL;
}

static bool is_temporal(tarn_type_id id)
{
    return id == TARN_TYPE_DATE || id == TARN_TYPE_TIMESTAMP || id == TARN_TYPE_TIMESTAMP_NTZ;
}

static bool is_number(tarn_type_id id)
{
    return is_intlike(id) || id == TARN_TYPE_FLOAT32 || id == TARN_TYPE_FLOAT64 ||
           id == TARN_TYPE_DECIMAL;
}

static bool same_shape(const tarn_field *a, const tarn_field *b)
{
    if (!tarn_type_equal(a->type, b->type) || a->n_children != b->n_children)
        return false;
    for (int i = 0; i < a->n_children; i++)
        if (!same_shape(&a->children[i], &b->children[i]))
            return false;
    return true;
}

bool tarn_cast_supported(const tarn_field *from, const tarn_field *to)
{
    tarn_type_id f = from->type.id, t = to->type.id;
    if (tarn_type_is_nested(f) || tarn_type_is_nested(t))
        return same_shape(from, to);
    if (f == t && f != TARN_TYPE_DECIMAL)
        return true;
    if (t == TARN_TYPE_STRING || f == TARN_TYPE_STRING)
        return true;
    if (is_number(f) && is_number(t))
        return true;
    if (is_temporal(f) && is_temporal(t))
        return !(t == TARN_TYPE_DATE && f != TARN_TYPE_DATE);
    if (f == TARN_TYPE_BINARY && t == TARN_TYPE_BINARY)
        return true;
    return false;
}

static int64_t int_min(tarn_type_id id)
{
    switch (id) {
    case TARN_TYPE_INT8:
        return INT8_MIN;
    case TARN_TYPE_INT16:
        return INT16_MIN;
    case TARN_TYPE_INT32:
        return INT32_MIN;
    case TARN_TYPE_INT64:
        return INT64_MIN;
    default:
        return 0;
    }
}

static int64_t int_max(tarn_type_id id)
{
    switch (id) {
    case TARN_TYPE_BOOL:
        return 1;
    case TARN_TYPE_INT8:
        return INT8_MAX;
    case TARN_TYPE_INT16:
        return INT16_MAX;
    case TARN_TYPE_INT32:
        return INT32_MAX;
    case TARN_TYPE_UINT8:
        return UINT8_MAX;
    case TARN_TYPE_UINT16:
        return UINT16_MAX;
    case TARN_TYPE_UINT32:
        return UINT32_MAX;
    default:
        return INT64_MAX;
    }
}

static tarn_status no_fit(tarn_err *err, const tarn_scalar *s, tarn_type to)
{
    tarn_buf b = TARN_BUF_INIT;
    char tn[48];
    tarn_status st = tarn_scalar_render_text(&b, s);
    tarn_err_set(err, TARN_ERR_INVALID, "'%s' does not fit %s", st == TARN_OK ? b.data : "?",
                 tarn_type_name(to, tn, sizeof tn));
    tarn_buf_fini(&b);
    return TARN_ERR_INVALID;
}

/* Value of a numeric scalar as a (possibly scaled) 128-bit integer. */
static bool as_i128(const tarn_scalar *s, tarn_i128 *out, int *out_scale)
{
    tarn_type_id id = s->type.id;
    *out_scale = 0;
    if (id == TARN_TYPE_DECIMAL) {
        *out = s->v.i128;
        *out_scale = s->type.scale;
        return true;
    }
    if (id == TARN_TYPE_UINT64) {
        *out = (tarn_i128)s->v.u64;
        return true;
    }
    if (id == TARN_TYPE_BOOL) {
        *out = s->v.b;
        return true;
    }
    if (is_intlike(id)) {
        *out = s->v.i64;
        return true;
    }
    return false;
}

static double as_double(const tarn_scalar *s)
{
    tarn_i128 v;
    int scale;
    if (s->type.id == TARN_TYPE_FLOAT32 || s->type.id == TARN_TYPE_FLOAT64)
        return s->v.f64;
    if (as_i128(s, &v, &scale)) {
        double d = (double)v;
        return scale ? d / (double)tarn_pow10_i128(scale) : d;
    }
    return (double)s->v.i64;
}

static tarn_status to_decimal(const tarn_scalar *s, tarn_type to, tarn_scalar *o, tarn_err *err)
{
    tarn_i128 v, limit = tarn_pow10_i128(to.precision);
    int scale;
    if (!as_i128(s, &v, &scale)) {
        /* float: go through the shortest text so 0.1 becomes 0.1, exactly */
        char tmp[TARN_FMT_MAX];
        if (!isfinite(s->v.f64))
            return no_fit(err, s, to);
        tarn_fmt_double(s->v.f64, tmp);
        if (tarn_parse_decimal(tmp, strlen(tmp), to.precision, to.scale, &o->v.i128, err))
            return no_fit(err, s, to);
        return TARN_OK;
    }
    if (scale <= to.scale) {
        tarn_i128 m = tarn_pow10_i128(to.scale - scale);
        if (v > limit / m || v < -(limit / m))
            return no_fit(err, s, to);
        v *= m;
    } else {
        tarn_i128 d = tarn_pow10_i128(scale - to.scale);
        if (v % d != 0)
            return no_fit(err, s, to);
        v /= d;
    }
    if (v >= limit || v <= -limit)
        return no_fit(err, s, to);
    o->v.i128 = v;
    return TARN_OK;
}

static tarn_status to_int(const tarn_scalar *s, tarn_type to, tarn_scalar *o, tarn_err *err)
{
    tarn_i128 v;
    int scale;
    if (!as_i128(s, &v, &scale)) {
        double d = s->v.f64;
        if (!(d == floor(d)) || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18)
            return no_fit(err, s, to);
        v = (tarn_i128)d;
    } else if (scale) {
        tarn_i128 m = tarn_pow10_i128(scale);
        if (v % m != 0)
            return no_fit(err, s, to);
        v /= m;
    }
    if (to.id == TARN_TYPE_UINT64) {
        if (v < 0 || v > (tarn_i128)UINT64_MAX)
            return no_fit(err, s, to);
        o->v.u64 = (uint64_t)v;
        return TARN_OK;
    }
    if (v < int_min(to.id) || v > int_max(to.id))
        return no_fit(err, s, to);
    if (to.id == TARN_TYPE_BOOL)
        o->v.b = v != 0;
    else
        o->v.i64 = (int64_t)v;
    return TARN_OK;
}

static tarn_status convert(const tarn_scalar *s, const tarn_field *tf, tarn_scalar *o,
                           tarn_buf *text, tarn_err *err)
{
    tarn_type to = tf->type;
    tarn_type_id f = s->type.id, t = to.id;
    memset(o, 0, sizeof *o);
    o->type = to;
    if (t == TARN_TYPE_STRING && f != TARN_TYPE_STRING) {
        tarn_buf_reset(text);
        if (tarn_scalar_render_text(text, s) != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        o->bytes = (const uint8_t *)text->data;
        o->len = (int32_t)text->len;
        return TARN_OK;
    }
    if (f == TARN_TYPE_STRING && t != TARN_TYPE_STRING)
        return tarn_scalar_parse(NULL, to, (const char *)s->bytes, (size_t)s->len, o, err);
    if (t == TARN_TYPE_DECIMAL)
        return to_decimal(s, to, o, err);
    if (t == TARN_TYPE_FLOAT32 || t == TARN_TYPE_FLOAT64) {
        o->v.f64 = as_double(s);
        return TARN_OK;
    }
    if (is_intlike(t) && is_number(f))
        return to_int(s, to, o, err);
    if (is_temporal(t) || t == TARN_TYPE_TIME || t == TARN_TYPE_TIMESTAMP_NS) {
        o->v.i64 = s->v.i64;
        if (f == TARN_TYPE_DATE && t != TARN_TYPE_DATE)
            o->v.i64 = s->v.i64 * TARN_USEC_PER_DAY;
        return TARN_OK;
    }
    *o = *s;
    o->type = to;
    return TARN_OK;
}

tarn_status tarn_vec_cast_append(tarn_vec *dst, const tarn_field *dst_field, const tarn_vec *src,
                                 const tarn_field *src_field, int64_t start, int64_t n,
                                 int64_t *out_bad_row, tarn_err *err)
{
    if (same_shape(dst_field, src_field)) {
        tarn_status st = tarn_vec_append_range(dst, src, start, n);
        return st ? tarn_err_set(err, st, "out of memory") : TARN_OK;
    }
    if (!tarn_cast_supported(src_field, dst_field)) {
        char a[48], b[48];
        return tarn_err_set(err, TARN_ERR_INVALID, "cannot convert %s to %s",
                            tarn_type_name(src_field->type, a, sizeof a),
                            tarn_type_name(dst_field->type, b, sizeof b));
    }
    TARN_TRY(tarn_vec_reserve(dst, n) ? tarn_err_set(err, TARN_ERR_NOMEM, "out of memory")
                                      : TARN_OK);
    tarn_buf text = TARN_BUF_INIT;
    tarn_status st = TARN_OK;
    for (int64_t i = start; i < start + n && st == TARN_OK; i++) {
        tarn_scalar s, o;
        tarn_scalar_from_vec(src, i, &s);
        if (s.is_null) {
            st = tarn_vec_append_null(dst);
            continue;
        }
        st = convert(&s, dst_field, &o, &text, err);
        if (st != TARN_OK) {
            if (out_bad_row)
                *out_bad_row = i;
            break;
        }
        st = tarn_vec_append_scalar(dst, &o);
        if (st != TARN_OK)
            st = tarn_err_set(err, st, "out of memory");
    }
    tarn_buf_fini(&text);
    return st;
}
