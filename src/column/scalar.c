/*
 * column/scalar.c - single typed values: read from vectors, compare, render,
 * parse.
 */
#include "column/scalar.h"

#include "column/render.h"
#include "column/value.h"

#include <math.h>
#include <string.h>

void tarn_scalar_from_vec(const tarn_vec *v, int64_t row, tarn_scalar *out)
{
    memset(out, 0, sizeof *out);
    out->type = v->type;
    if (!tarn_vec_is_valid(v, row)) {
        out->is_null = true;
        return;
    }
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        out->v.b = tarn_bit_get(v->data, row);
        break;
    case TARN_TYPE_UINT64:
        out->v.u64 = ((const uint64_t *)v->data)[row];
        break;
    case TARN_TYPE_FLOAT32:
        out->v.f64 = ((const float *)v->data)[row];
        break;
    case TARN_TYPE_FLOAT64:
        out->v.f64 = ((const double *)v->data)[row];
        break;
    case TARN_TYPE_DECIMAL:
        out->v.i128 = tarn_vec_get_decimal(v, row);
        break;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
        out->bytes = tarn_vec_get_bytes(v, row, &out->len);
        break;
    case TARN_TYPE_UUID:
        out->bytes = v->data + row * 16;
        out->len = 16;
        break;
    default:
        if (tarn_type_is_nested(v->type.id))
            out->is_null = true; /* nested values have no scalar form */
        else
            out->v.i64 = tarn_vec_get_int(v, row);
    }
}

static int cmp_bytes(const tarn_scalar *a, const tarn_scalar *b)
{
    int32_t n = TARN_MIN(a->len, b->len);
    int c = n ? memcmp(a->bytes, b->bytes, (size_t)n) : 0;
    if (c)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

int tarn_scalar_compare(const tarn_scalar *a, const tarn_scalar *b)
{
    switch (a->type.id) {
    case TARN_TYPE_BOOL:
        return (int)a->v.b - (int)b->v.b;
    case TARN_TYPE_UINT64:
        return (a->v.u64 > b->v.u64) - (a->v.u64 < b->v.u64);
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64: {
        double x = a->v.f64, y = b->v.f64;
        if (isnan(x) || isnan(y))
            return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    case TARN_TYPE_DECIMAL:
        return (a->v.i128 > b->v.i128) - (a->v.i128 < b->v.i128);
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
    case TARN_TYPE_UUID:
        return cmp_bytes(a, b);
    default:
        return (a->v.i64 > b->v.i64) - (a->v.i64 < b->v.i64);
    }
}

/* Renders through a one-value vector so scalars and vectors share one
 * formatting path. */
static tarn_status render(tarn_buf *out, const tarn_scalar *s, bool json)
{
    if (s->is_null)
        return tarn_buf_append_str(out, "null");
    tarn_vec *v = tarn_vec_create_type(s->type);
    if (!v)
        return TARN_ERR_NOMEM;
    tarn_status st = tarn_vec_append_scalar(v, s);
    tarn_field f = {.name = "", .type = s->type, .nullable = true, .field_id = -1};
    if (st == TARN_OK)
        st = json ? tarn_render_json_value(out, &f, v, 0)
                  : tarn_render_text_value(out, &f, v, 0, "null");
    tarn_vec_destroy(v);
    return st;
}

tarn_status tarn_scalar_render_json(tarn_buf *out, const tarn_scalar *s)
{
    return render(out, s, true);
}

tarn_status tarn_scalar_render_text(tarn_buf *out, const tarn_scalar *s)
{
    return render(out, s, false);
}

tarn_status tarn_vec_append_scalar(tarn_vec *v, const tarn_scalar *s)
{
    if (s->is_null)
        return tarn_vec_append_null(v);
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        return tarn_vec_append_bool(v, s->v.b);
    case TARN_TYPE_INT8: {
        int8_t x = (int8_t)s->v.i64;
        return tarn_vec_append_fixed(v, &x);
    }
    case TARN_TYPE_UINT8: {
        uint8_t x = (uint8_t)s->v.i64;
        return tarn_vec_append_fixed(v, &x);
    }
    case TARN_TYPE_INT16: {
        int16_t x = (int16_t)s->v.i64;
        return tarn_vec_append_fixed(v, &x);
    }
    case TARN_TYPE_UINT16: {
        uint16_t x = (uint16_t)s->v.i64;
        return tarn_vec_append_fixed(v, &x);
    }
    case TARN_TYPE_INT32:
    case TARN_TYPE_DATE: {
        int32_t x = (int32_t)s->v.i64;
        return tarn_vec_append_fixed(v, &x);
    }
    case TARN_TYPE_UINT32: {
        uint32_t x = (uint32_t)s->v.i64;
        return tarn_vec_append_fixed(v, &x);
    }
    case TARN_TYPE_UINT64:
        return tarn_vec_append_fixed(v, &s->v.u64);
    case TARN_TYPE_FLOAT32: {
        float x = (float)s->v.f64;
        return tarn_vec_append_fixed(v, &x);
    }
    case TARN_TYPE_FLOAT64:
        return tarn_vec_append_f64(v, s->v.f64);
    case TARN_TYPE_DECIMAL:
        return tarn_vec_append_decimal(v, s->v.i128);
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
        return tarn_vec_append_bytes(v, s->bytes, s->len);
    case TARN_TYPE_UUID:
        return s->len == 16 ? tarn_vec_append_fixed(v, s->bytes) : TARN_ERR_INVALID;
    default:
        if (tarn_type_is_nested(v->type.id))
            return tarn_vec_append_null(v);
        return tarn_vec_append_i64(v, s->v.i64);
    }
}

tarn_status tarn_scalar_parse(tarn_arena *a, tarn_type t, const char *p, size_t n, tarn_scalar *out,
                              tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    switch (t.id) {
    case TARN_TYPE_BOOL:
        return tarn_parse_bool(p, n, &out->v.b, err);
    case TARN_TYPE_INT8:
        lo = INT8_MIN, hi = INT8_MAX;
        break;
    case TARN_TYPE_INT16:
        lo = INT16_MIN, hi = INT16_MAX;
        break;
    case TARN_TYPE_INT32:
        lo = INT32_MIN, hi = INT32_MAX;
        break;
    case TARN_TYPE_UINT8:
        lo = 0, hi = UINT8_MAX;
        break;
    case TARN_TYPE_UINT16:
        lo = 0, hi = UINT16_MAX;
        break;
    case TARN_TYPE_UINT32:
        lo = 0, hi = UINT32_MAX;
        break;
    case TARN_TYPE_INT64:
        break;
    case TARN_TYPE_UINT64:
        return tarn_parse_u64(p, n, &out->v.u64, err);
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64:
        return tarn_parse_double(p, n, &out->v.f64, err);
    case TARN_TYPE_DECIMAL:
        return tarn_parse_decimal(p, n, t.precision, t.scale, &out->v.i128, err);
    case TARN_TYPE_DATE: {
        int32_t d;
        TARN_TRY(tarn_parse_date(p, n, &d, err));
        out->v.i64 = d;
        return TARN_OK;
    }
    case TARN_TYPE_TIME:
        return tarn_parse_time(p, n, &out->v.i64, err);
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
        return tarn_parse_timestamp(p, n, t.id == TARN_TYPE_TIMESTAMP_NTZ, &out->v.i64, err);
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
        if (!a) { /* no arena: borrow the caller's bytes */
            out->bytes = (const uint8_t *)p;
            out->len = (int32_t)n;
            return TARN_OK;
        }
        out->bytes = tarn_arena_memdup(a, p, n ? n : 1);
        if (!out->bytes)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        out->len = (int32_t)n;
        return TARN_OK;
    default: {
        char tn[32];
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "cannot parse a %s value from text",
                            tarn_type_name(t, tn, sizeof tn));
    }
    }
    return tarn_parse_int(p, n, lo, hi, &out->v.i64, err);
}
