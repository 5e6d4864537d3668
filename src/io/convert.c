/*
 * io/convert.c - the column plan (one converter per schema column, a name
 * hash) and the exact value conversions shared by the NDJSON and CSV parsers.
 *
 * Fast paths cover the common shapes (short integers, plain decimals,
 * Clinger-exact doubles, "YYYY-MM-DDTHH:MM:SS[.f][Z|+HH:MM]"); everything
 * else goes through column/value.h's exact parsers, which also write the
 * error messages. A fast path accepts a subset of what its slow path
 * accepts and produces the same value, so results never depend on the path.
 * Errors set err->msg only; the caller adds the field name and location.
 */
#include "io/io_int.h"

#include "base/alloc.h"
#include "base/time.h"
#include "column/value.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* Plan ----------------------------------------------------------------------- */

static uint64_t name_hash(const uint8_t *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static tarn_status kind_of(const tarn_field *f, tarn_io_col *c, tarn_err *err)
{
    static const struct {
        tarn_type_id id;
        tarn_io_kind kind;
    } map[] = {
        {TARN_TYPE_BOOL, TARN_IO_K_BOOL},    {TARN_TYPE_INT8, TARN_IO_K_I8},
        {TARN_TYPE_INT16, TARN_IO_K_I16},    {TARN_TYPE_INT32, TARN_IO_K_I32},
        {TARN_TYPE_INT64, TARN_IO_K_I64},    {TARN_TYPE_UINT8, TARN_IO_K_U8},
        {TARN_TYPE_UINT16, TARN_IO_K_U16},   {TARN_TYPE_UINT32, TARN_IO_K_U32},
        {TARN_TYPE_UINT64, TARN_IO_K_U64},   {TARN_TYPE_FLOAT32, TARN_IO_K_F32},
        {TARN_TYPE_FLOAT64, TARN_IO_K_F64},  {TARN_TYPE_STRING, TARN_IO_K_STR},
        {TARN_TYPE_BINARY, TARN_IO_K_BIN},   {TARN_TYPE_UUID, TARN_IO_K_UUID},
        {TARN_TYPE_DATE, TARN_IO_K_DATE},    {TARN_TYPE_TIME, TARN_IO_K_TIME},
        {TARN_TYPE_TIMESTAMP, TARN_IO_K_TS}, {TARN_TYPE_TIMESTAMP_NTZ, TARN_IO_K_TS_NTZ},
    };
    if (f->type.id == TARN_TYPE_DECIMAL) {
        c->kind = tarn_decimal_is_wide(f->type) ? TARN_IO_K_DEC128 : TARN_IO_K_DEC64;
        c->dec_limit = (int64_t)tarn_pow10_i128(TARN_MIN(f->type.precision, 18));
        return TARN_OK;
    }
    for (size_t i = 0; i < TARN_ARRAY_LEN(map); i++)
        if (map[i].id == f->type.id) {
            c->kind = map[i].kind;
            return TARN_OK;
        }
    char tn[64];
    tarn_type_name(f->type, tn, sizeof tn);
    return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                        "column '%s': type %s is not supported by the text readers yet", f->name,
                        tn);
}

static void int_range(tarn_io_col *c)
{
    switch (c->kind) {
    case TARN_IO_K_I8:
        c->lo = INT8_MIN, c->hi = INT8_MAX;
        break;
    case TARN_IO_K_I16:
        c->lo = INT16_MIN, c->hi = INT16_MAX;
        break;
    case TARN_IO_K_I32:
        c->lo = INT32_MIN, c->hi = INT32_MAX;
        break;
    case TARN_IO_K_I64:
        c->lo = INT64_MIN, c->hi = INT64_MAX;
        break;
    case TARN_IO_K_U8:
        c->uhi = UINT8_MAX;
        break;
    case TARN_IO_K_U16:
        c->uhi = UINT16_MAX;
        break;
    case TARN_IO_K_U32:
        c->uhi = UINT32_MAX;
        break;
    case TARN_IO_K_U64:
        c->uhi = UINT64_MAX;
        break;
    default:
        break;
    }
}

tarn_status tarn_io_plan_init(tarn_io_plan *pl, const tarn_schema *s, tarn_err *err)
{
    tarn_status st = TARN_OK;
    memset(pl, 0, sizeof *pl);
    int n = s->n_fields;
    uint32_t size = 8;
    while (size < (uint32_t)n * 2u)
        size *= 2;
    pl->cols = tarn_calloc((size_t)(n ? n : 1), sizeof *pl->cols);
    pl->slots = tarn_alloc(size * sizeof *pl->slots);
    if (!pl->cols || !pl->slots) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory building the column plan");
        goto done;
    }
    pl->n_cols = n;
    pl->mask = size - 1;
    for (uint32_t i = 0; i < size; i++)
        pl->slots[i] = -1;
    for (int i = 0; i < n; i++) {
        const tarn_field *f = &s->fields[i];
        tarn_io_col *c = &pl->cols[i];
        c->name = f->name;
        c->name_len = strlen(f->name);
        c->fast_key = c->name_len <= sizeof c->key_pad;
        for (size_t k = 0; k < c->name_len && c->fast_key; k++)
            if (c->name[k] == '"' || c->name[k] == '\\' || (uint8_t)c->name[k] < 0x20)
                c->fast_key = false;
        if (c->fast_key)
            memcpy(c->key_pad, c->name, c->name_len);
        c->type = f->type;
        c->nullable = f->nullable;
        if (!f->nullable)
            pl->has_strict = true;
        st = kind_of(f, c, err);
        if (st != TARN_OK)
            goto done;
        int_range(c);
        tarn_type_name(f->type, c->tname, sizeof c->tname);
        if (tarn_io_plan_lookup(pl, (const uint8_t *)c->name, c->name_len) >= 0)
            continue; /* duplicate name: the first column wins */
        uint32_t h = (uint32_t)name_hash((const uint8_t *)c->name, c->name_len) & pl->mask;
        while (pl->slots[h] >= 0)
            h = (h + 1) & pl->mask;
        pl->slots[h] = i;
    }
done:
    if (st != TARN_OK)
        tarn_io_plan_fini(pl);
    return st;
}

void tarn_io_plan_fini(tarn_io_plan *pl)
{
    tarn_free(pl->cols);
    tarn_free(pl->slots);
    memset(pl, 0, sizeof *pl);
}

int tarn_io_plan_lookup(const tarn_io_plan *pl, const uint8_t *k, size_t n)
{
    uint32_t h = (uint32_t)name_hash(k, n) & pl->mask;
    for (;;) {
        int32_t i = pl->slots[h];
        if (i < 0)
            return -1;
        const tarn_io_col *c = &pl->cols[i];
        if (c->name_len == n && memcmp(c->name, k, n) == 0)
            return i;
        h = (h + 1) & pl->mask;
    }
}

/* Vectors -------------------------------------------------------------------- */

void tarn_io_vec_pop(tarn_vec *v)
{
    if (v->len == 0)
        return;
    v->len--;
    if (v->validity && !tarn_bit_get(v->validity, v->len))
        v->null_count--;
    if (v->type.id == TARN_TYPE_STRING || v->type.id == TARN_TYPE_BINARY)
        v->bytes_len = v->offsets[v->len];
}

void tarn_io_vec_truncate(tarn_vec *v, int64_t n)
{
    if (n >= v->len)
        return;
    v->len = n;
    if (v->type.id == TARN_TYPE_STRING || v->type.id == TARN_TYPE_BINARY)
        v->bytes_len = v->offsets[n];
    tarn_vec_count_nulls(v);
}

tarn_status tarn_io_put_null(const tarn_io_col *c, tarn_vec *v, tarn_err *err)
{
    if (!c->nullable)
        return tarn_err_set(err, TARN_ERR_INVALID, "null is not allowed (column is NOT NULL)");
    if (!v->validity && tarn_vec_ensure_validity(v) != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_bit_set(v->validity, v->len, false);
    v->null_count++;
    int w = tarn_type_width(v->type);
    if (v->type.id == TARN_TYPE_BOOL)
        tarn_bit_set(v->data, v->len, false);
    else if (v->offsets)
        v->offsets[v->len + 1] = v->offsets[v->len];
    else if (w > 0)
        memset(v->data + v->len * w, 0, (size_t)w);
    v->len++;
    return TARN_OK;
}

bool tarn_io_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if ((w & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, cp = c & 0x07;
        else
            return false;
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += len;
    }
    return true;
}

tarn_status tarn_io_put_bytes_raw(tarn_io_piece *pc, tarn_vec *v, const uint8_t *p, size_t n,
                                  tarn_err *err)
{
    if (TARN_UNLIKELY(v->bytes_len + (int64_t)n > v->bytes_cap)) {
        tarn_status st = tarn_vec_reserve_bytes(v, (int64_t)n);
        if (st != TARN_OK)
            return tarn_err_set(err, st, "%s",
                                st == TARN_ERR_NOMEM ? "out of memory"
                                                     : "string values of one batch exceed 2 GiB");
    }
    if (n)
        memcpy(v->bytes + v->bytes_len, p, n);
    v->bytes_len += (int64_t)n;
    v->offsets[v->len + 1] = (int32_t)v->bytes_len;
    tarn_io_mark_valid(v);
    v->len++;
    pc->batch_bytes += (int64_t)n;
    return TARN_OK;
}

tarn_status tarn_io_put_bytes(tarn_io_piece *pc, const tarn_io_col *c, tarn_vec *v,
                              const uint8_t *p, size_t n, tarn_err *err)
{
    if (c->kind == TARN_IO_K_STR && !tarn_io_utf8_valid(p, n))
        return tarn_err_set(err, TARN_ERR_INVALID, "invalid UTF-8 in a string value");
    return tarn_io_put_bytes_raw(pc, v, p, n, err);
}

size_t tarn_io_count_byte(const uint8_t *p, size_t n, uint8_t c)
{
    size_t count = 0, i = 0;
#if defined(__SSE2__)
    /* Byte lanes count matches (cmpeq is -1) for up to 255 blocks, then a
     * sum of absolute differences folds them into two 64-bit totals. */
    const __m128i k = _mm_set1_epi8((char)c), zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i acc = zero;
        size_t blocks = TARN_MIN((n - i) / 16, (size_t)255);
        for (size_t b = 0; b < blocks; b++, i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, k));
        }
        __m128i sum = _mm_sad_epu8(acc, zero);
        count += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_extract_epi16(sum, 4);
    }
#endif
    for (; i < n; i++)
        count += p[i] == c;
    return count;
}

/* Numbers -------------------------------------------------------------------- */

static inline bool is_digit(uint8_t c)
{
    return (unsigned)(c - '0') < 10u;
}

const uint8_t *tarn_io_scan_number(const uint8_t *p, const uint8_t *end, bool strict,
                                   tarn_io_num *o)
{
    const uint8_t *s = p;
    memset(o, 0, sizeof *o);
    o->p = s;
    if (p < end && *p == '-') {
        o->neg = true;
        p++;
    } else if (!strict && p < end && *p == '+') {
        p++;
    }
    const uint8_t *d0 = p;
    if (strict && p < end && *p == '0' && p + 1 < end && is_digit(p[1]))
        goto bad; /* JSON forbids leading zeros */
    uint64_t m = 0;
    int nd = 0;
    while (p < end && is_digit(*p)) {
        if (nd < 19)
            m = m * 10 + (uint64_t)(*p - '0');
        else
            o->big = true;
        nd++;
        p++;
    }
    size_t n_int = (size_t)(p - d0);
    if (strict && n_int == 0)
        goto bad;
    if (p < end && *p == '.') {
        p++;
        const uint8_t *f0 = p;
        while (p < end && is_digit(*p)) {
            if (nd < 19)
                m = m * 10 + (uint64_t)(*p - '0');
            else
                o->big = true;
            nd++;
            p++;
        }
        o->frac = true;
        o->n_frac = (int)(p - f0);
        if (strict && o->n_frac == 0)
            goto bad;
    }
    if (nd == 0)
        goto bad;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p >= end || !is_digit(*p))
            goto bad;
        int e = 0;
        while (p < end && is_digit(*p)) {
            if (e < 100000)
                e = e * 10 + (*p - '0');
            p++;
        }
        o->has_exp = true;
        o->exp = eneg ? -e : e;
    }
    o->mant = m;
    o->n_digits = nd;
    o->n = (size_t)(p - s);
    return p;
bad:
    /* Report the whole number-like token. */
    while (p < end &&
           (is_digit(*p) || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-'))
        p++;
    o->n = (size_t)(p - s);
    return NULL;
}

static const double pow10_d[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
static const uint64_t pow10_u[19] = {1ULL,
                                     10ULL,
                                     100ULL,
                                     1000ULL,
                                     10000ULL,
                                     100000ULL,
                                     1000000ULL,
                                     10000000ULL,
                                     100000000ULL,
                                     1000000000ULL,
                                     10000000000ULL,
                                     100000000000ULL,
                                     1000000000000ULL,
                                     10000000000000ULL,
                                     100000000000000ULL,
                                     1000000000000000ULL,
                                     10000000000000000ULL,
                                     100000000000000000ULL,
                                     1000000000000000000ULL};

tarn_status tarn_io_parse_int_text(const uint8_t *p, size_t n, tarn_i128 lo, tarn_i128 hi,
                                   const char *tname, tarn_i128 *out, tarn_err *err)
{
    tarn_err tmp;
    tarn_i128 v;
    const char *s = (const char *)p;
    int shown = (int)TARN_MIN(n, 64);
    if (tarn_parse_decimal(s, n, 38, 0, &v, &tmp) != TARN_OK) {
        tarn_io_num num;
        if (tarn_io_scan_number(p, p + n, false, &num) && num.n == n && !num.frac)
            return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is out of range for %s", shown, s,
                                tname);
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is not %s", shown, s, tname);
    }
    if (v < lo || v > hi)
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is out of range for %s", shown, s,
                            tname);
    *out = v;
    return TARN_OK;
}

static void put_fixed_int(tarn_vec *v, tarn_io_kind k, tarn_i128 x)
{
    uint8_t *d = v->data;
    int64_t i = v->len;
    switch (k) {
    case TARN_IO_K_I8:
    case TARN_IO_K_U8:
        d[i] = (uint8_t)x;
        break;
    case TARN_IO_K_I16:
    case TARN_IO_K_U16: {
        uint16_t y = (uint16_t)x;
        memcpy(d + i * 2, &y, 2);
        break;
    }
    case TARN_IO_K_I32:
    case TARN_IO_K_U32: {
        uint32_t y = (uint32_t)x;
        memcpy(d + i * 4, &y, 4);
        break;
    }
    default: {
        uint64_t y = (uint64_t)x;
        memcpy(d + i * 8, &y, 8);
        break;
    }
    }
    tarn_io_mark_valid(v);
    v->len++;
}

static inline bool is_signed_kind(tarn_io_kind k)
{
    return k >= TARN_IO_K_I8 && k <= TARN_IO_K_I64;
}

static tarn_status conv_int(const tarn_io_col *c, tarn_vec *v, const tarn_io_num *num,
                            tarn_err *err)
{
    if (!num->frac && !num->has_exp && !num->big) {
        uint64_t m = num->mant;
        if (is_signed_kind(c->kind)) {
            int64_t x;
            if (num->neg) {
                if (m > (uint64_t)INT64_MAX + 1)
                    goto slow;
                x = (int64_t)(0 - m);
            } else {
                if (m > (uint64_t)INT64_MAX)
                    goto slow;
                x = (int64_t)m;
            }
            if (x < c->lo || x > c->hi)
                goto slow;
            put_fixed_int(v, c->kind, x);
            return TARN_OK;
        }
        if ((!num->neg || m == 0) && m <= c->uhi) {
            put_fixed_int(v, c->kind, (tarn_i128)m);
            return TARN_OK;
        }
    }
slow:;
    tarn_i128 x;
    tarn_i128 lo = is_signed_kind(c->kind) ? (tarn_i128)c->lo : 0;
    tarn_i128 hi = is_signed_kind(c->kind) ? (tarn_i128)c->hi : (tarn_i128)c->uhi;
    TARN_TRY(tarn_io_parse_int_text(num->p, num->n, lo, hi, c->tname, &x, err));
    put_fixed_int(v, c->kind, x);
    return TARN_OK;
}

/* strtod/strtof on a NUL-terminated copy; rejects anything but decimal
 * syntax and the NaN/Infinity words (as tarn_parse_double does). */
static tarn_status parse_float_slow(tarn_io_piece *pc, const uint8_t *p, size_t n, bool single,
                                    double *out, tarn_err *err)
{
    if (n < 120) {
        TARN_TRY(tarn_parse_double((const char *)p, n, out, err));
        if (single && isfinite(*out)) {
            char tmp[128];
            memcpy(tmp, p, n);
            tmp[n] = '\0';
            *out = strtof(tmp, NULL);
        }
        return TARN_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_digit(p[i]) && p[i] != '.' && p[i] != 'e' && p[i] != 'E' && p[i] != '-' &&
            p[i] != '+')
            return tarn_err_set(err, TARN_ERR_INVALID, "'%.64s...' is not a number",
                                (const char *)p);
    tarn_buf_reset(&pc->scratch);
    if (tarn_buf_append(&pc->scratch, p, n) != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    char *end;
    *out = single ? (double)strtof(pc->scratch.data, &end) : strtod(pc->scratch.data, &end);
    if (end != pc->scratch.data + n)
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.64s...' is not a number", (const char *)p);
    return TARN_OK;
}

static tarn_status conv_float(tarn_io_piece *pc, const tarn_io_col *c, tarn_vec *v,
                              const tarn_io_num *num, tarn_err *err)
{
    if (!num->big) {
        int e10 = num->exp - num->n_frac;
        if (c->kind == TARN_IO_K_F64 && num->mant <= (UINT64_C(1) << 53) && e10 >= -22 &&
            e10 <= 22) {
            double d = (double)num->mant;
            d = e10 < 0 ? d / pow10_d[-e10] : d * pow10_d[e10];
            if (num->neg)
                d = -d;
            memcpy(v->data + v->len * 8, &d, 8);
            tarn_io_mark_valid(v);
            v->len++;
            return TARN_OK;
        }
#if FLT_EVAL_METHOD == 0
        if (c->kind == TARN_IO_K_F32 && num->mant <= (UINT64_C(1) << 24) && e10 >= -10 &&
            e10 <= 10) {
            float f = (float)num->mant;
            f = e10 < 0 ? f / (float)pow10_d[-e10] : f * (float)pow10_d[e10];
            if (num->neg)
                f = -f;
            memcpy(v->data + v->len * 4, &f, 4);
            tarn_io_mark_valid(v);
            v->len++;
            return TARN_OK;
        }
#endif
    }
    double d;
    TARN_TRY(parse_float_slow(pc, num->p, num->n, c->kind == TARN_IO_K_F32, &d, err));
    if (isinf(d) || (c->kind == TARN_IO_K_F32 && isinf((float)d)))
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is out of range for %s",
                            (int)TARN_MIN(num->n, 64), (const char *)num->p, c->tname);
    if (c->kind == TARN_IO_K_F32) {
        float f = (float)d;
        memcpy(v->data + v->len * 4, &f, 4);
    } else {
        memcpy(v->data + v->len * 8, &d, 8);
    }
    tarn_io_mark_valid(v);
    v->len++;
    return TARN_OK;
}

static void put_decimal(tarn_vec *v, tarn_io_kind k, tarn_i128 x)
{
    if (k == TARN_IO_K_DEC128) {
        memcpy(v->data + v->len * 16, &x, 16);
    } else {
        int64_t y = (int64_t)x;
        memcpy(v->data + v->len * 8, &y, 8);
    }
    tarn_io_mark_valid(v);
    v->len++;
}

static tarn_status conv_decimal(const tarn_io_col *c, tarn_vec *v, const tarn_io_num *num,
                                tarn_err *err)
{
    int scale = c->type.scale;
    if (!num->big && !num->has_exp && num->n_frac <= scale &&
        num->n_digits - num->n_frac + scale <= 18) {
        uint64_t u = num->mant * pow10_u[scale - num->n_frac];
        if (c->kind == TARN_IO_K_DEC128 || u < (uint64_t)c->dec_limit) {
            put_decimal(v, c->kind, num->neg ? -(tarn_i128)u : (tarn_i128)u);
            return TARN_OK;
        }
    }
    tarn_i128 x;
    TARN_TRY(tarn_parse_decimal((const char *)num->p, num->n, c->type.precision, scale, &x, err));
    put_decimal(v, c->kind, x);
    return TARN_OK;
}

tarn_status tarn_io_conv_number(tarn_io_piece *pc, const tarn_io_col *c, tarn_vec *v,
                                const tarn_io_num *num, tarn_err *err)
{
    switch (c->kind) {
    case TARN_IO_K_I8:
    case TARN_IO_K_I16:
    case TARN_IO_K_I32:
    case TARN_IO_K_I64:
    case TARN_IO_K_U8:
    case TARN_IO_K_U16:
    case TARN_IO_K_U32:
    case TARN_IO_K_U64:
        return conv_int(c, v, num, err);
    case TARN_IO_K_F32:
    case TARN_IO_K_F64:
        return conv_float(pc, c, v, num, err);
    case TARN_IO_K_DEC64:
    case TARN_IO_K_DEC128:
        return conv_decimal(c, v, num, err);
    case TARN_IO_K_STR:
    case TARN_IO_K_BIN:
        return tarn_io_put_bytes(pc, c, v, num->p, num->n, err);
    default:
        return tarn_io_conv_text(pc, c, v, num->p, num->n, false, err);
    }
}

/* Dates and timestamps ------------------------------------------------------- */

static inline int dd(const uint8_t *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static bool all_digits(const uint8_t *p, const char *shape)
{
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? !is_digit(p[i]) : p[i] != (uint8_t)shape[i])
            return false;
    }
    return true;
}

/* "YYYY-MM-DD" -> days; false when the shape differs or the date is invalid. */
static bool date_fast(const uint8_t *p, size_t n, int64_t *days)
{
    if (n < 10 || !all_digits(p, "dddd-dd-dd"))
        return false;
    int y = dd(p) * 100 + dd(p + 2), m = dd(p + 5), d = dd(p + 8);
    if (!tarn_is_valid_date(y, m, d))
        return false;
    *days = tarn_days_from_civil(y, m, d);
    return true;
}

/* date_fast with a one-entry cache: timestamps of a batch share few dates. */
static bool date_cached(tarn_io_piece *pc, const uint8_t *p, size_t n, int64_t *days)
{
    if (!pc)
        return date_fast(p, n, days);
    if (pc->date_valid && n >= 10 && memcmp(p, pc->date_key, 10) == 0) {
        *days = pc->date_days;
        return true;
    }
    if (!date_fast(p, n, days))
        return false;
    memcpy(pc->date_key, p, 10);
    pc->date_days = *days;
    pc->date_valid = true;
    return true;
}

/* The common ISO 8601 shape; false sends the text to tarn_parse_timestamp. */
static bool ts_fast(tarn_io_piece *pc, const uint8_t *p, size_t n, bool ntz, int64_t *out)
{
    int64_t days;
    if (n < 19 || !date_cached(pc, p, n, &days) || (p[10] != 'T' && p[10] != ' ') ||
        !all_digits(p + 11, "dd:dd:dd"))
        return false;
    int hh = dd(p + 11), mi = dd(p + 14), ss = dd(p + 17);
    if (hh > 23 || mi > 59 || ss > 59)
        return false;
    size_t i = 19;
    int64_t frac = 0;
    if (i < n && p[i] == '.') {
        i++;
        int nd = 0;
        while (i < n && is_digit(p[i]) && nd < 6) {
            frac = frac * 10 + (p[i] - '0');
            nd++;
            i++;
        }
        if (nd == 0 || (i < n && is_digit(p[i])))
            return false;
        for (; nd < 6; nd++)
            frac *= 10;
    }
    int64_t off = 0;
    if (i < n) {
        if (ntz)
            return false;
        if (p[i] == 'Z' && i + 1 == n) {
            i++;
        } else if (p[i] == '+' || p[i] == '-') {
            /* +HH:MM, +HHMM or +HH, as tarn_parse_timestamp accepts them. */
            int oh, om = 0;
            if (n - i == 6 && all_digits(p + i + 1, "dd:dd"))
                oh = dd(p + i + 1), om = dd(p + i + 4);
            else if (n - i == 5 && all_digits(p + i + 1, "dddd"))
                oh = dd(p + i + 1), om = dd(p + i + 3);
            else if (n - i == 3 && all_digits(p + i + 1, "dd"))
                oh = dd(p + i + 1);
            else
                return false;
            if (oh > 18 || om > 59)
                return false;
            off = ((int64_t)oh * 3600 + om * 60) * TARN_USEC_PER_SEC;
            if (p[i] == '-')
                off = -off;
            i = n;
        } else {
            return false;
        }
    }
    *out = days * TARN_USEC_PER_DAY + ((int64_t)hh * 3600 + mi * 60 + ss) * TARN_USEC_PER_SEC +
           frac - off;
    return true;
}

static int hexval(uint8_t c)
{
    if (is_digit(c))
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static tarn_status conv_uuid(tarn_vec *v, const uint8_t *p, size_t n, tarn_err *err)
{
    uint8_t out[16];
    size_t j = 0;
    bool dashed = n == 36;
    if (n != 36 && n != 32)
        goto bad;
    for (int k = 0; k < 16; k++) {
        if (dashed && (j == 8 || j == 13 || j == 18 || j == 23)) {
            if (p[j] != '-')
                goto bad;
            j++;
        }
        int hi = hexval(p[j]), lo = hexval(p[j + 1]);
        if (hi < 0 || lo < 0)
            goto bad;
        out[k] = (uint8_t)(hi << 4 | lo);
        j += 2;
    }
    memcpy(v->data + v->len * 16, out, 16);
    tarn_io_mark_valid(v);
    v->len++;
    return TARN_OK;
bad:
    return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is not a uuid", (int)TARN_MIN(n, 64),
                        (const char *)p);
}

static void put_i64(tarn_vec *v, int64_t x)
{
    memcpy(v->data + v->len * 8, &x, 8);
    tarn_io_mark_valid(v);
    v->len++;
}

static void put_i32(tarn_vec *v, int32_t x)
{
    memcpy(v->data + v->len * 4, &x, 4);
    tarn_io_mark_valid(v);
    v->len++;
}

tarn_status tarn_io_conv_text(tarn_io_piece *pc, const tarn_io_col *c, tarn_vec *v,
                              const uint8_t *p, size_t n, bool trim, tarn_err *err)
{
    if (c->kind == TARN_IO_K_STR || c->kind == TARN_IO_K_BIN)
        return tarn_io_put_bytes(pc, c, v, p, n, err);
    if (trim) {
        while (n > 0 && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 0)
            return tarn_io_put_null(c, v, err);
    }
    const char *s = (const char *)p;
    switch (c->kind) {
    case TARN_IO_K_BOOL: {
        bool b;
        if (n == 4 && memcmp(p, "true", 4) == 0)
            b = true;
        else if (n == 5 && memcmp(p, "false", 5) == 0)
            b = false;
        else
            TARN_TRY(tarn_parse_bool(s, n, &b, err));
        tarn_bit_set(v->data, v->len, b);
        tarn_io_mark_valid(v);
        v->len++;
        return TARN_OK;
    }
    case TARN_IO_K_I8:
    case TARN_IO_K_I16:
    case TARN_IO_K_I32:
    case TARN_IO_K_I64:
    case TARN_IO_K_U8:
    case TARN_IO_K_U16:
    case TARN_IO_K_U32:
    case TARN_IO_K_U64:
    case TARN_IO_K_F32:
    case TARN_IO_K_F64:
    case TARN_IO_K_DEC64:
    case TARN_IO_K_DEC128: {
        tarn_io_num num;
        if (tarn_io_scan_number(p, p + n, false, &num) && num.n == n)
            return tarn_io_conv_number(pc, c, v, &num, err);
        if (c->kind == TARN_IO_K_F32 || c->kind == TARN_IO_K_F64) {
            double d;
            TARN_TRY(parse_float_slow(pc, p, n, c->kind == TARN_IO_K_F32, &d, err));
            if (c->kind == TARN_IO_K_F32) {
                float f = (float)d;
                memcpy(v->data + v->len * 4, &f, 4);
            } else {
                memcpy(v->data + v->len * 8, &d, 8);
            }
            tarn_io_mark_valid(v);
            v->len++;
            return TARN_OK;
        }
        if (c->kind == TARN_IO_K_DEC64 || c->kind == TARN_IO_K_DEC128) {
            tarn_i128 x;
            TARN_TRY(tarn_parse_decimal(s, n, c->type.precision, c->type.scale, &x, err));
            put_decimal(v, c->kind, x);
            return TARN_OK;
        }
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is not %s", (int)TARN_MIN(n, 64), s,
                            c->tname);
    }
    case TARN_IO_K_UUID:
        return conv_uuid(v, p, n, err);
    case TARN_IO_K_DATE: {
        int64_t days;
        if (n == 10 && date_cached(pc, p, n, &days)) {
            put_i32(v, (int32_t)days);
            return TARN_OK;
        }
        int32_t d32;
        TARN_TRY(tarn_parse_date(s, n, &d32, err));
        put_i32(v, d32);
        return TARN_OK;
    }
    case TARN_IO_K_TIME: {
        int64_t t;
        TARN_TRY(tarn_parse_time(s, n, &t, err));
        put_i64(v, t);
        return TARN_OK;
    }
    case TARN_IO_K_TS:
    case TARN_IO_K_TS_NTZ: {
        int64_t t;
        bool ntz = c->kind == TARN_IO_K_TS_NTZ;
        if (!ts_fast(pc, p, n, ntz, &t))
            TARN_TRY(tarn_parse_timestamp(s, n, ntz, &t, err));
        put_i64(v, t);
        return TARN_OK;
    }
    default:
        return tarn_err_set(err, TARN_ERR_INTERNAL, "no converter for %s", c->tname);
    }
}

/* Inference classes ---------------------------------------------------------- */

static bool has_zone(const uint8_t *p, size_t n)
{
    if (n > 0 && (p[n - 1] == 'Z' || p[n - 1] == 'z'))
        return true;
    if (n >= 4 && memcmp(p + n - 4, " UTC", 4) == 0)
        return true;
    /* +HH, +HHMM, +HH:MM after the time part (index >= 11). */
    for (size_t i = n; i-- > 11;)
        if (p[i] == '+' || p[i] == '-')
            return true;
    return false;
}

tarn_io_class tarn_io_class_json_string(const uint8_t *p, size_t n)
{
    int64_t x;
    tarn_err tmp;
    if (n == 10 && date_fast(p, n, &x))
        return TARN_IO_C_DATE;
    if (n > 10 && n < 64 && is_digit(p[0])) {
        if (ts_fast(NULL, p, n, false, &x) && has_zone(p, n))
            return TARN_IO_C_TS;
        if (has_zone(p, n) && tarn_parse_timestamp((const char *)p, n, false, &x, &tmp) == TARN_OK)
            return TARN_IO_C_TS;
    }
    return TARN_IO_C_STRING;
}

tarn_io_class tarn_io_class_text(const uint8_t *p, size_t n)
{
    if (n == 0)
        return TARN_IO_C_NULL;
    if ((n == 4 && strncasecmp((const char *)p, "true", 4) == 0) ||
        (n == 5 && strncasecmp((const char *)p, "false", 5) == 0))
        return TARN_IO_C_BOOL;
    tarn_io_num num;
    if (tarn_io_scan_number(p, p + n, false, &num) && num.n == n) {
        if (!num.frac && !num.has_exp && !num.big &&
            num.mant <= (uint64_t)INT64_MAX + (num.neg ? 1 : 0))
            return TARN_IO_C_INT;
        return TARN_IO_C_DOUBLE;
    }
    return tarn_io_class_json_string(p, n);
}
