/*
 * delta/schema.h - the Delta schema JSON (PROTOCOL.md "Schema Serialization
 * Format") to and from tarn_schema.
 *
 * Types map one to one: byte/short/integer/long -> INT8..INT64, float ->
 * FLOAT32, double -> FLOAT64, decimal(p,s), string, binary, boolean, date,
 * timestamp, timestamp_ntz; struct -> STRUCT, array -> LIST (child
 * "element", nullable = containsNull), map -> MAP (children "key", not
 * nullable, and "value", nullable = valueContainsNull). Column-mapping
 * metadata (delta.columnMapping.id / physicalName) is kept in
 * tarn_field.field_id / physical_name, nested fields included; other field
 * metadata is not kept. A type tarn does not know is TARN_ERR_UNSUPPORTED
 * naming the type and the column.
 */
#ifndef TARN_DELTA_SCHEMA_H
#define TARN_DELTA_SCHEMA_H

#include "column/types.h"

/* Parses a schemaString (JSON text of n bytes) into a new schema the
 * caller destroys with tarn_schema_destroy. Malformed JSON or a structure
 * that is not a Delta struct type is TARN_ERR_CORRUPT. */
TARN_MUST_CHECK tarn_status tarn_delta_schema_parse(const char *json, size_t n, tarn_schema **out,
                                                    tarn_err *err);

/* Appends the compact Delta JSON form of s ({"type":"struct","fields":[...]})
 * to out; each field gets "metadata" with the column-mapping keys when
 * field_id >= 0 / physical_name is set. Types without a Delta equivalent
 * (unsigned integers, time, uuid, nanosecond timestamps) are
 * TARN_ERR_UNSUPPORTED naming the column. */
TARN_MUST_CHECK tarn_status tarn_delta_schema_serialize(const tarn_schema *s, tarn_buf *out,
                                                        tarn_err *err);

/* Delta name of a primitive type ("long", "decimal(10,2)", "timestamp_ntz")
 * written into buf; NULL when Delta has no such primitive type. */
const char *tarn_delta_type_name(tarn_type t, char *buf, size_t cap);

#endif
