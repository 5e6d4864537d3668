/*
 * base/time.h - clocks and calendar arithmetic (proleptic Gregorian, UTC).
 *
 * Dates are days since 1970-01-01; timestamps are microseconds since the
 * epoch. Conversions are exact for years -290000..290000 and never consult
 * the local time zone.
 */
#ifndef TARN_BASE_TIME_H
#define TARN_BASE_TIME_H

#include "base/common.h"

#define TARN_USEC_PER_SEC INT64_C(1000000)
#define TARN_USEC_PER_DAY INT64_C(86400000000)

/* Wall clock, microseconds since the epoch (UTC). */
int64_t tarn_now_us(void);
/* Monotonic clock in microseconds, for durations. */
int64_t tarn_monotonic_us(void);

/* Days since 1970-01-01 for a civil date (month 1..12, day 1..31). */
int64_t tarn_days_from_civil(int64_t y, int m, int d);
/* Civil date for days since 1970-01-01. */
void tarn_civil_from_days(int64_t days, int64_t *out_y, int *out_m, int *out_d);
bool tarn_is_valid_date(int64_t y, int m, int d);

/* floor division and modulo for negative timestamps */
static inline int64_t tarn_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
static inline int64_t tarn_floormod(int64_t a, int64_t b)
{
    int64_t m = a % b;
    return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
}

#endif
