/*
 * delta/partition.h - partition values as Delta serializes them in
 * add.partitionValues (PROTOCOL.md "Partition Value Serialization").
 *
 * Reading: NULL (JSON null) and "" both mean SQL NULL; numbers in their
 * decimal text (decimals may carry an exponent, "1.5E+3"); booleans
 * "true"/"false"; dates "YYYY-MM-DD"; timestamps "YYYY-MM-DD HH:MM:SS[.f]"
 * or ISO 8601 with 'T' and "Z"/offset (a value without a zone is read as
 * UTC: tarn does not know the writer's time zone); binary values are the
 * UTF-8 bytes of the string. Writing is the reverse, in the forms Spark
 * writes (timestamps as ISO 8601 UTC with "Z", timestamp_ntz with a space).
 */
#ifndef TARN_DELTA_PARTITION_H
#define TARN_DELTA_PARTITION_H

#include "column/scalar.h"

/* Parses a serialized partition value (NULL for JSON null) into a scalar
 * of type t; string/binary bytes are copied into arena a. A value that
 * does not parse as t is TARN_ERR_CORRUPT naming the value and type. */
TARN_MUST_CHECK tarn_status tarn_delta_partition_parse(tarn_arena *a, tarn_type t,
                                                       const char *value, tarn_scalar *out,
                                                       tarn_err *err);

/* Serializes a scalar for add.partitionValues into arena a: *out is NULL for
 * a NULL scalar (write JSON null). An empty string also reads back as NULL
 * (the protocol cannot tell them apart). Binary values must be valid UTF-8
 * and types without a partition form (nested, uuid, time, ...) are
 * TARN_ERR_UNSUPPORTED. */
TARN_MUST_CHECK tarn_status tarn_delta_partition_format(tarn_arena *a, const tarn_scalar *s,
                                                        const char **out, tarn_err *err);

#endif
