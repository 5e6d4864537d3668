/*
 * fuzz/fuzz_value.c - libFuzzer target for the scalar text parsers and the
 * canonical formatters (column/value.h), which every reader of text input
 * (NDJSON, CSV, partition values, literals, stats) relies on.
 *
 * c0 picks the parser (bool, int in a range, u64, double, decimal with a
 * precision/scale from c1, date, time, timestamp with or without zone); the
 * rest is the text. A parsed value must format to text that parses back to
 * the same value. Mode "formatters" feeds raw 8/16-byte values to every
 * formatter into buffers of exactly TARN_FMT_MAX bytes. Must never crash,
 * leak or hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "column/value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Statuses a fuzz target does not act on (only crashes matter there). */
static void ignore(tarn_status st)
{
    (void)st;
}

static void fuzz_formatters(const uint8_t *p, size_t n, int scale)
{
    uint8_t raw[16] = {0};
    memcpy(raw, p, n < 16 ? n : 16);
    int64_t i64;
    uint64_t u64;
    double d;
    float f;
    int32_t i32;
    tarn_i128 w;
    memcpy(&i64, raw, 8);
    memcpy(&u64, raw, 8);
    memcpy(&d, raw, 8);
    memcpy(&f, raw, 4);
    memcpy(&i32, raw, 4);
    memcpy(&w, raw, 16);
    char *out = malloc(TARN_FMT_MAX); /* exact size: ASan flags any overflow */
    if (!out)
        abort();
    int lens[12];
    lens[0] = tarn_fmt_i64(i64, out);
    lens[1] = tarn_fmt_u64(u64, out);
    lens[2] = tarn_fmt_double(d, out);
    lens[3] = tarn_fmt_float(f, out);
    lens[4] = tarn_fmt_decimal(w, scale, out);
    lens[5] = tarn_fmt_date(i32, out);
    lens[6] = tarn_fmt_time(i64, out);
    lens[7] = tarn_fmt_timestamp(i64, true, out);
    lens[8] = tarn_fmt_timestamp(i64, false, out);
    lens[9] = tarn_fmt_timestamp_ns(i64, out);
    lens[10] = tarn_fmt_uuid(raw, out);
    lens[11] = 0;
    for (int i = 0; i < 12; i++)
        if (lens[i] < 0 || lens[i] >= TARN_FMT_MAX)
            abort();
    /* Doubles round-trip through their shortest text. */
    char buf[TARN_FMT_MAX];
    int n2 = tarn_fmt_double(d, buf);
    double back;
    tarn_err err;
    if (tarn_parse_double(buf, (size_t)n2, &back, &err) != TARN_OK)
        abort();
    if (!(isnan(d) && isnan(back)) && memcmp(&back, &d, 8) != 0)
        abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const char *p = (const char *)data + 2;
    size_t n = size - 2;
    int precision = 1 + data[1] % TARN_DECIMAL_MAX_PRECISION;
    int scale = (data[1] >> 1) % (precision + 1);
    char buf[TARN_FMT_MAX];
    tarn_err err;
    int k;
    switch (data[0] % 10) {
    case 0: {
        bool b;
        ignore(tarn_parse_bool(p, n, &b, &err));
        break;
    }
    case 1: {
        static const int64_t lo[] = {INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN, 0, 0, 0, 0};
        static const int64_t hi[] = {INT8_MAX,  INT16_MAX,  INT32_MAX,  INT64_MAX,
                                     UINT8_MAX, UINT16_MAX, UINT32_MAX, 1};
        int r = data[1] & 7;
        int64_t v, back;
        if (tarn_parse_int(p, n, lo[r], hi[r], &v, &err) == TARN_OK) {
            if (v < lo[r] || v > hi[r])
                abort();
            k = tarn_fmt_i64(v, buf);
            if (tarn_parse_int(buf, (size_t)k, lo[r], hi[r], &back, &err) != TARN_OK || back != v)
                abort();
        }
        break;
    }
    case 2: {
        uint64_t v, back;
        if (tarn_parse_u64(p, n, &v, &err) == TARN_OK) {
            k = tarn_fmt_u64(v, buf);
            if (tarn_parse_u64(buf, (size_t)k, &back, &err) != TARN_OK || back != v)
                abort();
        }
        break;
    }
    case 3: {
        double v, back;
        if (tarn_parse_double(p, n, &v, &err) == TARN_OK) {
            k = tarn_fmt_double(v, buf);
            if (tarn_parse_double(buf, (size_t)k, &back, &err) != TARN_OK ||
                (!(isnan(v) && isnan(back)) && memcmp(&v, &back, 8) != 0))
                abort();
        }
        break;
    }
    case 4: {
        tarn_i128 v, back;
        if (tarn_parse_decimal(p, n, precision, scale, &v, &err) == TARN_OK) {
            tarn_i128 lim = tarn_pow10_i128(precision);
            if (v >= lim || v <= -lim)
                abort(); /* must fit the precision */
            k = tarn_fmt_decimal(v, scale, buf);
            if (tarn_parse_decimal(buf, (size_t)k, precision, scale, &back, &err) != TARN_OK ||
                back != v)
                abort();
        }
        break;
    }
    case 5: {
        int32_t v, back;
        if (tarn_parse_date(p, n, &v, &err) == TARN_OK) {
            k = tarn_fmt_date(v, buf);
            if (tarn_parse_date(buf, (size_t)k, &back, &err) != TARN_OK || back != v)
                abort();
        }
        break;
    }
    case 6: {
        int64_t v, back;
        if (tarn_parse_time(p, n, &v, &err) == TARN_OK) {
            k = tarn_fmt_time(v, buf);
            if (tarn_parse_time(buf, (size_t)k, &back, &err) != TARN_OK || back != v)
                abort();
        }
        break;
    }
    case 7:
    case 8: {
        bool ntz = data[0] % 10 == 8;
        int64_t v, back;
        if (tarn_parse_timestamp(p, n, ntz, &v, &err) == TARN_OK) {
            k = tarn_fmt_timestamp(v, !ntz, buf);
            if (tarn_parse_timestamp(buf, (size_t)k, ntz, &back, &err) != TARN_OK || back != v)
                abort();
        }
        break;
    }
    default:
        fuzz_formatters((const uint8_t *)p, n, scale);
        break;
    }
    return 0;
}
