/*
 * column/cast.h - converting vector values between types, exactly.
 *
 * Supported: identical types (bulk copy); integer/date/time/timestamp
 * widening and range-checked narrowing; integers to float/double/decimal;
 * float <-> double; decimal rescaling (scale up always, down only when no
 * digit is lost) and decimal to double; date -> timestamp; timestamp <->
 * timestamp_ntz (same instant, UTC); any scalar to string (canonical text);
 * string to any scalar type (the exact parsers of column/value.h). A value
 * that does not fit is TARN_ERR_INVALID naming the value and target type,
 * never rounded or wrapped. Nested types cast only to themselves.
 */
#ifndef TARN_COLUMN_CAST_H
#define TARN_COLUMN_CAST_H

#include "column/vec.h"

/* True when values of type from can be cast to type to at all. */
bool tarn_cast_supported(const tarn_field *from, const tarn_field *to);
/* Appends rows [start, start+n) of src converted to dst's type. On error,
 * *out_bad_row (may be NULL) receives the offending row of src. */
TARN_MUST_CHECK tarn_status tarn_vec_cast_append(tarn_vec *dst, const tarn_field *dst_field,
                                                 const tarn_vec *src, const tarn_field *src_field,
                                                 int64_t start, int64_t n, int64_t *out_bad_row,
                                                 tarn_err *err);

#endif
