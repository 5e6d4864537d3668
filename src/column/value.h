/*
 * column/value.h - scalar parsing and formatting in tarn's canonical text
 * forms (DESIGN.md "NDJSON rendering").
 *
 * Parsers take (p, n) byte ranges, never read past them, and return
 * TARN_ERR_INVALID with a message naming the value and the type on failure;
 * they never round silently (a decimal with more fraction digits than its
 * scale, an integer out of range, a timestamp finer than microseconds are
 * errors). Formatters write into a caller buffer of at least the stated size
 * and return the length written (no terminator counted).
 */
#ifndef TARN_COLUMN_VALUE_H
#define TARN_COLUMN_VALUE_H

#include "column/types.h"

/* Enough for any formatted scalar below (decimal(38) with sign and point,
 * timestamps with 9 fraction digits and large years, shortest doubles). */
#define TARN_FMT_MAX 64

int tarn_fmt_i64(int64_t v, char *out);
int tarn_fmt_u64(uint64_t v, char *out);
/* Shortest round-trip text, ECMAScript Number.prototype.toString layout
 * ("1", "0.1", "1e-7", "1.5e+21"); -0 as "-0.0"; NaN/Infinity/-Infinity as
 * bare words (the JSON renderer quotes them). */
int tarn_fmt_double(double v, char *out);
int tarn_fmt_float(float v, char *out);
/* Exactly `scale` fraction digits: "12.50", "-0.05". */
int tarn_fmt_decimal(tarn_i128 v, int scale, char *out);
int tarn_fmt_date(int32_t days, char *out);
int tarn_fmt_time(int64_t micros, char *out);
/* "YYYY-MM-DDTHH:MM:SS.ffffff" + "Z" when utc. */
int tarn_fmt_timestamp(int64_t micros, bool utc, char *out);
/* Nine fraction digits, no zone. */
int tarn_fmt_timestamp_ns(int64_t nanos, char *out);
int tarn_fmt_uuid(const uint8_t bytes[16], char *out);

TARN_MUST_CHECK tarn_status tarn_parse_bool(const char *p, size_t n, bool *out, tarn_err *err);
/* Integer within [lo, hi]; leading '+', surrounding spaces not allowed. */
TARN_MUST_CHECK tarn_status tarn_parse_int(const char *p, size_t n, int64_t lo, int64_t hi,
                                           int64_t *out, tarn_err *err);
TARN_MUST_CHECK tarn_status tarn_parse_u64(const char *p, size_t n, uint64_t *out, tarn_err *err);
/* Decimal number text (optionally with exponent, or NaN/Infinity words). */
TARN_MUST_CHECK tarn_status tarn_parse_double(const char *p, size_t n, double *out, tarn_err *err);
/* Decimal text into an unscaled integer of the given precision and scale. */
TARN_MUST_CHECK tarn_status tarn_parse_decimal(const char *p, size_t n, int precision, int scale,
                                               tarn_i128 *out, tarn_err *err);
/* "YYYY-MM-DD". */
TARN_MUST_CHECK tarn_status tarn_parse_date(const char *p, size_t n, int32_t *out, tarn_err *err);
/* "HH:MM[:SS[.ffffff]]". */
TARN_MUST_CHECK tarn_status tarn_parse_time(const char *p, size_t n, int64_t *out, tarn_err *err);
/* ISO 8601 date or date-time ('T' or space), optional fraction (at most
 * microsecond precision), optional "Z" or +HH[:MM] offset (converted to UTC).
 * When ntz, an offset is refused. */
TARN_MUST_CHECK tarn_status tarn_parse_timestamp(const char *p, size_t n, bool ntz, int64_t *out,
                                                 tarn_err *err);
/* Power of ten as 128-bit integer, 0 <= e <= 38. */
tarn_i128 tarn_pow10_i128(int e);

#endif
