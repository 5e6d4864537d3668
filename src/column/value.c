/*
 * column/value.c - scalar parsing and canonical formatting.
 *
 * Shortest double text: print 15 significant digits with %.*e and strip
 * trailing zeros; if that reads back exactly (strtod) it is the shortest
 * form (any shorter round-tripping text would round to the same 15 digits,
 * since a double carries more than 15.9 digits), else try 16, then 17
 * (always exact). Floats do the same from 6 digits up to 9.
 * (Subnormals hold fewer digits and are searched from 1.) The digits are
 * then laid out the way ECMAScript's Number::toString does.
 */
#include "column/value.h"

#include "base/time.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int tarn_fmt_u64(uint64_t v, char *out)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

int tarn_fmt_i64(int64_t v, char *out)
{
    if (v < 0) {
        out[0] = '-';
        return 1 + tarn_fmt_u64((uint64_t)0 - (uint64_t)v, out + 1);
    }
    return tarn_fmt_u64((uint64_t)v, out);
}

/* Lays out digits d[0..nd) with decimal exponent k (value = 0.d * 10^k). */
static int js_layout(bool neg, const char *d, int nd, int k, char *out)
{
    int o = 0;
    if (neg)
        out[o++] = '-';
    if (nd <= k && k <= 21) {
        memcpy(out + o, d, (size_t)nd);
        o += nd;
        for (int i = nd; i < k; i++)
            out[o++] = '0';
    } else if (0 < k && k <= 21) {
        memcpy(out + o, d, (size_t)k);
        o += k;
        out[o++] = '.';
        memcpy(out + o, d + k, (size_t)(nd - k));
        o += nd - k;
    } else if (-6 < k && k <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -k; i++)
            out[o++] = '0';
        memcpy(out + o, d, (size_t)nd);
        o += nd;
    } else {
        out[o++] = d[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, d + 1, (size_t)(nd - 1));
            o += nd - 1;
        }
        o += snprintf(out + o, 16, "e%c%d", k - 1 >= 0 ? '+' : '-', abs(k - 1));
    }
    out[o] = '\0';
    return o;
}

/* Extracts digits and exponent from "%.*e" output "d.ddde[+-]xx". */
static int split_sci(const char *s, char *digits, int *k)
{
    int nd = 0;
    const char *p = s;
    while (*p && *p != 'e') {
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
        p++;
    }
    int e = (int)strtol(p + 1, NULL, 10);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    *k = e + 1;
    return nd;
}

static int fmt_special(double v, char *out)
{
    if (isnan(v))
        return snprintf(out, TARN_FMT_MAX, "NaN");
    if (isinf(v))
        return snprintf(out, TARN_FMT_MAX, v > 0 ? "Infinity" : "-Infinity");
    if (v == 0)
        return snprintf(out, TARN_FMT_MAX, signbit(v) ? "-0.0" : "0");
    return -1;
}

/* Fast path for the common case of a double that is a short decimal
 * (prices, measurements): finds the fewest fraction digits k <= 8 such that
 * the decimal r / 10^k reads back as v. The check divides two exactly
 * representable numbers, which IEEE rounds correctly, so it agrees with
 * strtod; at the first working k the closest r is taken, as the shortest
 * round-trip form requires. Returns -1 when v is outside the fast range. */
static int fmt_double_fast(double v, char *out)
{
    static const double p10[9] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    double a = fabs(v);
    if (!(a >= 1e-6 && a < 1e15))
        return -1;
    for (int k = 0; k <= 8; k++) {
        double scaled = a * p10[k];
        if (scaled >= 9007199254740992.0) /* 2^53: r would not be exact */
            return -1;
        int64_t r0 = (int64_t)(scaled + 0.5);
        int64_t cand[3] = {r0, r0 - 1, r0 + 1};
        for (int c = 0; c < 3; c++) {
            int64_t r = cand[c];
            if (r <= 0 || (double)r / p10[k] != a)
                continue;
            /* Lay out r with k fraction digits, trailing zeros dropped. */
            char digits[24];
            int nd = 0;
            while (r > 0) {
                digits[nd++] = (char)('0' + r % 10);
                r /= 10;
            }
            int frac = k, skip = 0;
            while (frac > 0 && digits[skip] == '0') {
                skip++;
                frac--;
            }
            int o = 0;
            if (v < 0)
                out[o++] = '-';
            int int_digits = nd - k; /* may be <= 0 for values below 1 */
            if (int_digits <= 0) {
                out[o++] = '0';
                if (frac > 0) {
                    out[o++] = '.';
                    for (int z = 0; z < -int_digits; z++)
                        out[o++] = '0';
                }
                for (int i = nd - 1; i >= skip; i--)
                    out[o++] = digits[i];
            } else {
                for (int i = nd - 1; i >= nd - int_digits; i--)
                    out[o++] = digits[i];
                if (frac > 0) {
                    out[o++] = '.';
                    for (int i = nd - int_digits - 1; i >= skip; i--)
                        out[o++] = digits[i];
                }
            }
            out[o] = '\0';
            return o;
        }
    }
    return -1;
}

int tarn_fmt_double(double v, char *out)
{
    int sp = fmt_special(v, out);
    if (sp >= 0)
        return sp;
    int fast = fmt_double_fast(v, out);
    if (fast >= 0)
        return fast;
    bool neg = v < 0;
    double a = fabs(v);
    char s[40], digits[24];
    /* Subnormals carry fewer digits: search from 1 there. */
    for (int prec = a < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*e", prec - 1, a);
        if (prec == 17 || strtod(s, NULL) == a)
            break;
    }
    int k, nd = split_sci(s, digits, &k);
    return js_layout(neg, digits, nd, k, out);
}

int tarn_fmt_float(float v, char *out)
{
    int sp = fmt_special(v, out);
    if (sp >= 0)
        return sp;
    bool neg = v < 0;
    float a = fabsf(v);
    char s[40], digits[24];
    for (int prec = a < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
        snprintf(s, sizeof s, "%.*e", prec - 1, (double)a);
        if (prec == 9 || strtof(s, NULL) == a)
            break;
    }
    int k, nd = split_sci(s, digits, &k);
    return js_layout(neg, digits, nd, k, out);
}

int tarn_fmt_decimal(tarn_i128 v, int scale, char *out)
{
    char tmp[48];
    int n = 0;
    bool neg = v < 0;
    tarn_u128 u = neg ? (tarn_u128)0 - (tarn_u128)v : (tarn_u128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale)
        tmp[n++] = '0'; /* at least one integer digit */
    int o = 0;
    if (neg)
        out[o++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        out[o++] = tmp[i];
        if (i == scale && scale > 0)
            out[o++] = '.';
    }
    out[o] = '\0';
    return o;
}

/* Writes n decimal digits of v (zero-padded) at out. */
static inline void put_digits(char *out, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static int fmt_year(int64_t y, char *out)
{
    if (y >= 0 && y <= 9999) {
        put_digits(out, y, 4);
        out[4] = '\0';
        return 4;
    }
    if (y < 0)
        return snprintf(out, 24, "-%04lld", (long long)-y);
    return snprintf(out, 24, "%lld", (long long)y);
}

int tarn_fmt_date(int32_t days, char *out)
{
    int64_t y;
    int m, d;
    tarn_civil_from_days(days, &y, &m, &d);
    int o = fmt_year(y, out);
    out[o] = '-';
    put_digits(out + o + 1, m, 2);
    out[o + 3] = '-';
    put_digits(out + o + 4, d, 2);
    out[o + 6] = '\0';
    return o + 6;
}

int tarn_fmt_time(int64_t micros, char *out)
{
    int64_t s = tarn_floordiv(micros, TARN_USEC_PER_SEC);
    int64_t f = tarn_floormod(micros, TARN_USEC_PER_SEC);
    return snprintf(out, TARN_FMT_MAX, "%02lld:%02lld:%02lld.%06lld", (long long)(s / 3600),
                    (long long)(s / 60 % 60), (long long)(s % 60), (long long)f);
}

static int fmt_ts(int64_t secs, int64_t frac, int frac_digits, const char *zone, char *out)
{
    int64_t days = tarn_floordiv(secs, 86400);
    int64_t sod = tarn_floormod(secs, 86400);
    int64_t y;
    int m, d;
    tarn_civil_from_days(days, &y, &m, &d);
    int o = fmt_year(y, out);
    /* "-MM-DDTHH:MM:SS." then the fraction and the zone, digit by digit. */
    char *p = out + o;
    p[0] = '-';
    put_digits(p + 1, m, 2);
    p[3] = '-';
    put_digits(p + 4, d, 2);
    p[6] = 'T';
    put_digits(p + 7, sod / 3600, 2);
    p[9] = ':';
    put_digits(p + 10, sod / 60 % 60, 2);
    p[12] = ':';
    put_digits(p + 13, sod % 60, 2);
    p[15] = '.';
    put_digits(p + 16, frac, frac_digits);
    p += 16 + frac_digits;
    while (*zone)
        *p++ = *zone++;
    *p = '\0';
    return (int)(p - out);
}

int tarn_fmt_timestamp(int64_t micros, bool utc, char *out)
{
    return fmt_ts(tarn_floordiv(micros, TARN_USEC_PER_SEC),
                  tarn_floormod(micros, TARN_USEC_PER_SEC), 6, utc ? "Z" : "", out);
}

int tarn_fmt_timestamp_ns(int64_t nanos, char *out)
{
    return fmt_ts(tarn_floordiv(nanos, 1000000000), tarn_floormod(nanos, 1000000000), 9, "", out);
}

int tarn_fmt_uuid(const uint8_t b[16], char *out)
{
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
    return o;
}

/* Parsing ------------------------------------------------------------------ */

static tarn_status bad(tarn_err *err, const char *p, size_t n, const char *what)
{
    if (n > 64)
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.64s...' is not %s", p, what);
    return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is not %s", (int)n, p, what);
}

tarn_status tarn_parse_bool(const char *p, size_t n, bool *out, tarn_err *err)
{
    if ((n == 4 && strncasecmp(p, "true", 4) == 0) || (n == 1 && (*p == '1' || *p == 't'))) {
        *out = true;
        return TARN_OK;
    }
    if ((n == 5 && strncasecmp(p, "false", 5) == 0) || (n == 1 && (*p == '0' || *p == 'f'))) {
        *out = false;
        return TARN_OK;
    }
    return bad(err, p, n, "a boolean");
}

tarn_status tarn_parse_u64(const char *p, size_t n, uint64_t *out, tarn_err *err)
{
    size_t i = 0;
    if (i < n && p[i] == '+')
        i++;
    if (i == n)
        return bad(err, p, n, "an unsigned integer");
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return bad(err, p, n, "an unsigned integer");
        if (v > (UINT64_MAX - d) / 10)
            return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is out of range for uint64",
                                (int)TARN_MIN(n, 64), p);
        v = v * 10 + d;
    }
    *out = v;
    return TARN_OK;
}

tarn_status tarn_parse_int(const char *p, size_t n, int64_t lo, int64_t hi, int64_t *out,
                           tarn_err *err)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '-' || p[i] == '+'))
        neg = p[i++] == '-';
    if (i == n)
        return bad(err, p, n, "an integer");
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9) {
            /* "12.0" and "1e3" are integers written as decimals: accept them
             * when exact, parsed as a decimal of scale 0 (never via double). */
            tarn_i128 dv;
            tarn_err tmp;
            if (tarn_parse_decimal(p, n, 38, 0, &dv, &tmp) != TARN_OK)
                return bad(err, p, n, "an integer");
            if (dv < lo || dv > hi)
                goto range;
            *out = (int64_t)dv;
            return TARN_OK;
        }
        if (v > (UINT64_MAX - d) / 10)
            goto range;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            goto range;
        int64_t x = (int64_t)((uint64_t)0 - v);
        if (x < lo)
            goto range;
        *out = x;
    } else {
        if (v > (uint64_t)INT64_MAX || (int64_t)v > hi)
            goto range;
        *out = (int64_t)v;
    }
    return TARN_OK;
range:
    return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is out of range [%lld, %lld]",
                        (int)TARN_MIN(n, 64), p, (long long)lo, (long long)hi);
}

tarn_status tarn_parse_double(const char *p, size_t n, double *out, tarn_err *err)
{
    char tmp[128];
    if (n == 0 || n >= sizeof tmp)
        return bad(err, p, n, "a number");
    if ((n == 3 && strncasecmp(p, "nan", 3) == 0)) {
        *out = NAN;
        return TARN_OK;
    }
    if ((n == 8 && strncasecmp(p, "infinity", 8) == 0) ||
        (n == 3 && strncasecmp(p, "inf", 3) == 0)) {
        *out = INFINITY;
        return TARN_OK;
    }
    if ((n == 9 && strncasecmp(p, "-infinity", 9) == 0) ||
        (n == 4 && strncasecmp(p, "-inf", 4) == 0)) {
        *out = -INFINITY;
        return TARN_OK;
    }
    /* Only plain decimal syntax: strtod would also take hex floats and spaces. */
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
            return bad(err, p, n, "a number");
    }
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (end != tmp + n)
        return bad(err, p, n, "a number");
    if (isinf(v))
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is out of range for double",
                            (int)TARN_MIN(n, 64), p);
    *out = v;
    return TARN_OK;
}

tarn_i128 tarn_pow10_i128(int e)
{
    tarn_i128 r = 1;
    for (int i = 0; i < e; i++)
        r *= 10;
    return r;
}

tarn_status tarn_parse_decimal(const char *p, size_t n, int precision, int scale, tarn_i128 *out,
                               tarn_err *err)
{
    char tname[32];
    snprintf(tname, sizeof tname, "decimal(%d,%d)", precision, scale);
    size_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '-' || p[i] == '+'))
        neg = p[i++] == '-';
    /* Collect significant digits and where the point sits. */
    char digits[80];
    int nd = 0, point = -1, seen = 0;
    for (; i < n; i++) {
        char c = p[i];
        if (c >= '0' && c <= '9') {
            seen++;
            if (nd == 0 && c == '0' && point < 0)
                continue; /* leading zero of the integer part */
            if (nd >= (int)sizeof digits)
                goto toolong;
            digits[nd++] = c;
        } else if (c == '.' && point < 0) {
            point = nd;
        } else {
            break;
        }
    }
    if (!seen)
        return bad(err, p, n, tname);
    int exp10 = 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        /* Exponent: optional sign and plain digits only. */
        size_t j = i + 1;
        bool eneg = false;
        if (j < n && (p[j] == '-' || p[j] == '+'))
            eneg = p[j++] == '-';
        if (j == n)
            return bad(err, p, n, tname);
        int e = 0;
        for (; j < n; j++) {
            if (p[j] < '0' || p[j] > '9')
                return bad(err, p, n, tname);
            if (e > 1000)
                return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' does not fit %s",
                                    (int)TARN_MIN(n, 64), p, tname);
            e = e * 10 + (p[j] - '0');
        }
        exp10 = eneg ? -e : e;
        i = n;
    }
    if (i != n)
        return bad(err, p, n, tname);
    if (point < 0)
        point = nd;
    /* value = 0.digits * 10^(point + exp10); fraction digits after the point: */
    int int_digits = point + exp10;
    int frac_digits = nd - int_digits; /* may be negative */
    /* Drop trailing zeros beyond the scale; anything else beyond it is lost precision. */
    while (frac_digits > scale && nd > 0 && digits[nd - 1] == '0') {
        nd--;
        frac_digits--;
    }
    if (frac_digits > scale)
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' has more than %d fraction digits for %s",
                            (int)TARN_MIN(n, 64), p, scale, tname);
    int total = nd + (scale - frac_digits); /* digits of the unscaled integer */
    /* Ignore leading zeros in digits when counting precision. */
    int lead = 0;
    while (lead < nd && digits[lead] == '0')
        lead++;
    if (total - lead > precision)
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' does not fit %s", (int)TARN_MIN(n, 64),
                            p, tname);
    tarn_i128 v = 0;
    for (int k = lead; k < nd; k++)
        v = v * 10 + (digits[k] - '0');
    for (int k = frac_digits; k < scale; k++)
        v *= 10;
    *out = neg ? -v : v;
    return TARN_OK;
toolong:
    return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' does not fit %s", (int)TARN_MIN(n, 64), p,
                        tname);
}

/* Reads exactly `digits` decimal digits at p[*i]. */
static bool rd_num(const char *p, size_t n, size_t *i, int digits, int *out)
{
    int v = 0;
    for (int k = 0; k < digits; k++) {
        if (*i >= n || p[*i] < '0' || p[*i] > '9')
            return false;
        v = v * 10 + (p[*i] - '0');
        (*i)++;
    }
    *out = v;
    return true;
}

/* Parses the date part; leaves *i after it. */
static bool parse_ymd(const char *p, size_t n, size_t *i, int64_t *days)
{
    int y, m, d;
    bool neg = false;
    if (*i < n && p[*i] == '-') {
        neg = true;
        (*i)++;
    }
    if (!rd_num(p, n, i, 4, &y))
        return false;
    int64_t yy = y;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9' && yy < 1000000)
        yy = yy * 10 + (p[(*i)++] - '0'); /* years past 9999 */
    if (neg)
        yy = -yy;
    if (*i >= n || p[*i] != '-')
        return false;
    (*i)++;
    if (!rd_num(p, n, i, 2, &m) || *i >= n || p[*i] != '-')
        return false;
    (*i)++;
    if (!rd_num(p, n, i, 2, &d))
        return false;
    if (!tarn_is_valid_date(yy, m, d))
        return false;
    *days = tarn_days_from_civil(yy, m, d);
    return true;
}

tarn_status tarn_parse_date(const char *p, size_t n, int32_t *out, tarn_err *err)
{
    size_t i = 0;
    int64_t days;
    if (!parse_ymd(p, n, &i, &days) || i != n || days < INT32_MIN || days > INT32_MAX)
        return bad(err, p, n, "a date (YYYY-MM-DD)");
    *out = (int32_t)days;
    return TARN_OK;
}

/* Parses HH:MM[:SS[.f]] at p[*i]; fraction in microseconds. */
static tarn_status parse_hms(const char *p, size_t n, size_t *i, int64_t *out_us, bool *sub_us)
{
    int h, mi, s = 0;
    if (!rd_num(p, n, i, 2, &h) || *i >= n || p[*i] != ':')
        return TARN_ERR_INVALID;
    (*i)++;
    if (!rd_num(p, n, i, 2, &mi))
        return TARN_ERR_INVALID;
    int64_t frac = 0;
    *sub_us = false;
    if (*i < n && p[*i] == ':') {
        (*i)++;
        if (!rd_num(p, n, i, 2, &s))
            return TARN_ERR_INVALID;
        if (*i < n && p[*i] == '.') {
            (*i)++;
            int nd = 0;
            while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
                if (nd < 6)
                    frac = frac * 10 + (p[*i] - '0');
                else if (p[*i] != '0')
                    *sub_us = true;
                nd++;
                (*i)++;
            }
            if (nd == 0)
                return TARN_ERR_INVALID;
            for (int k = nd; k < 6; k++)
                frac *= 10;
        }
    }
    if (h > 23 || mi > 59 || s > 60)
        return TARN_ERR_INVALID;
    if (s == 60)
        s = 59; /* leap second: clamp */
    *out_us = ((int64_t)h * 3600 + mi * 60 + s) * TARN_USEC_PER_SEC + frac;
    return TARN_OK;
}

tarn_status tarn_parse_time(const char *p, size_t n, int64_t *out, tarn_err *err)
{
    size_t i = 0;
    bool sub;
    if (parse_hms(p, n, &i, out, &sub) != TARN_OK || i != n)
        return bad(err, p, n, "a time (HH:MM:SS[.ffffff])");
    if (sub)
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is finer than microseconds",
                            (int)TARN_MIN(n, 64), p);
    return TARN_OK;
}

tarn_status tarn_parse_timestamp(const char *p, size_t n, bool ntz, int64_t *out, tarn_err *err)
{
    const char *what = ntz ? "a timestamp_ntz (YYYY-MM-DD[THH:MM:SS[.ffffff]])"
                           : "a timestamp (YYYY-MM-DD[THH:MM:SS[.ffffff]][Z|+HH:MM])";
    size_t i = 0;
    int64_t days, us = 0;
    if (!parse_ymd(p, n, &i, &days))
        return bad(err, p, n, what);
    bool sub = false;
    if (i < n && (p[i] == 'T' || p[i] == 't' || p[i] == ' ')) {
        i++;
        if (parse_hms(p, n, &i, &us, &sub) != TARN_OK)
            return bad(err, p, n, what);
    }
    int64_t offset_us = 0;
    if (i < n) {
        if (ntz)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "'%.*s' carries a time zone, which timestamp_ntz cannot hold",
                                (int)TARN_MIN(n, 64), p);
        if (p[i] == 'Z' || p[i] == 'z') {
            i++;
        } else if (p[i] == '+' || p[i] == '-') {
            int sign = p[i] == '-' ? -1 : 1, oh, om = 0;
            i++;
            if (!rd_num(p, n, &i, 2, &oh))
                return bad(err, p, n, what);
            if (i < n && p[i] == ':')
                i++;
            if (i < n && !rd_num(p, n, &i, 2, &om))
                return bad(err, p, n, what);
            if (oh > 18 || om > 59)
                return bad(err, p, n, what);
            offset_us = sign * ((int64_t)oh * 3600 + om * 60) * TARN_USEC_PER_SEC;
        } else if (n - i == 4 && strncmp(p + i, " UTC", 4) == 0) {
            i = n;
        }
        if (i != n)
            return bad(err, p, n, what);
    }
    if (sub)
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "'%.*s' is finer than microseconds (tarn timestamps hold "
                            "microseconds)",
                            (int)TARN_MIN(n, 64), p);
    if (days > INT64_C(106751991) || days < -INT64_C(106751991))
        return tarn_err_set(err, TARN_ERR_INVALID, "'%.*s' is out of the timestamp range",
                            (int)TARN_MIN(n, 64), p);
    *out = days * TARN_USEC_PER_DAY + us - offset_us;
    return TARN_OK;
}
