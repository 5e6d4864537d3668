/*
 * delta/partition.c - partition value text <-> typed scalars (see
 * delta/partition.h for the accepted forms).
 *
 * Parsing delegates to column/value.h so partition values and data values
 * follow the same rules (no silent rounding, microsecond precision);
 * failures are TARN_ERR_CORRUPT because the text comes from the log.
 */
#include "delta/partition.h"

#include "column/value.h"

#include <string.h>

tarn_status tarn_delta_partition_parse(tarn_arena *a, tarn_type t, const char *value,
                                       tarn_scalar *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    if (!value || !*value) {
        out->is_null = true;
        return TARN_OK;
    }
    size_t n = strlen(value);
    tarn_err inner;
    tarn_err_clear(&inner);
    tarn_status st = tarn_scalar_parse(a, t, value, n, out, &inner);
    if (st == TARN_OK)
        return TARN_OK;
    if (st == TARN_ERR_NOMEM)
        return tarn_err_set(err, st, "out of memory");
    char tn[48];
    return tarn_err_set(err, st == TARN_ERR_UNSUPPORTED ? st : TARN_ERR_CORRUPT,
                        "partition value '%.*s' is not a valid %s: %s", (int)TARN_MIN(n, 128),
                        value, tarn_type_name(t, tn, sizeof tn), inner.msg);
}

/* Strict UTF-8 check (no overlongs, no surrogates, no NUL). */
static bool valid_utf8(const uint8_t *p, int32_t n)
{
    int32_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        int len;
        uint32_t cp;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (int k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

tarn_status tarn_delta_partition_format(tarn_arena *a, const tarn_scalar *s, const char **out,
                                        tarn_err *err)
{
    char tmp[TARN_FMT_MAX];
    int n = -1;
    *out = NULL;
    if (s->is_null)
        return TARN_OK;
    switch (s->type.id) {
    case TARN_TYPE_BOOL:
        n = s->v.b ? 4 : 5;
        memcpy(tmp, s->v.b ? "true" : "false", (size_t)n);
        break;
    case TARN_TYPE_INT8:
    case TARN_TYPE_INT16:
    case TARN_TYPE_INT32:
    case TARN_TYPE_INT64:
        n = tarn_fmt_i64(s->v.i64, tmp);
        break;
    case TARN_TYPE_FLOAT32:
        n = tarn_fmt_float((float)s->v.f64, tmp);
        break;
    case TARN_TYPE_FLOAT64:
        n = tarn_fmt_double(s->v.f64, tmp);
        break;
    case TARN_TYPE_DECIMAL:
        n = tarn_fmt_decimal(s->v.i128, s->type.scale, tmp);
        break;
    case TARN_TYPE_DATE:
        n = tarn_fmt_date((int32_t)s->v.i64, tmp);
        break;
    case TARN_TYPE_TIMESTAMP:
        n = tarn_fmt_timestamp(s->v.i64, true, tmp);
        break;
    case TARN_TYPE_TIMESTAMP_NTZ:
        n = tarn_fmt_timestamp(s->v.i64, false, tmp);
        for (int i = 0; i < n; i++)
            if (tmp[i] == 'T')
                tmp[i] = ' '; /* the protocol's form: "YYYY-MM-DD HH:MM:SS.ffffff" */
        break;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
        if (!valid_utf8(s->bytes, s->len))
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "a %s partition value must be valid UTF-8 without NUL bytes",
                                s->type.id == TARN_TYPE_STRING ? "string" : "binary");
        *out = tarn_arena_strndup(a, (const char *)s->bytes, (size_t)s->len);
        return *out ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    default: {
        char tn[48];
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "type %s cannot be a Delta partition column",
                            tarn_type_name(s->type, tn, sizeof tn));
    }
    }
    *out = tarn_arena_strndup(a, tmp, (size_t)n);
    return *out ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}
