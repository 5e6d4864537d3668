/*
 * column/types.h - tarn's logical types, fields and schemas.
 *
 * A schema is a tree of fields; STRUCT fields have one child per member,
 * LIST one child (the element), MAP two children (key, value). Names and
 * child arrays live in the schema's arena and die with it. Physical storage
 * of each type (Arrow layout) is documented in column/vec.h.
 */
#ifndef TARN_COLUMN_TYPES_H
#define TARN_COLUMN_TYPES_H

#include "base/arena.h"
#include "base/buf.h"
#include "base/status.h"

typedef enum tarn_type_id {
    TARN_TYPE_NULL = 0,      /* no value known yet (schema inference only) */
    TARN_TYPE_BOOL,          /* bit-packed */
    TARN_TYPE_INT8,          /* int8_t */
    TARN_TYPE_INT16,         /* int16_t */
    TARN_TYPE_INT32,         /* int32_t */
    TARN_TYPE_INT64,         /* int64_t */
    TARN_TYPE_UINT8,         /* uint8_t (foreign files) */
    TARN_TYPE_UINT16,        /* uint16_t (foreign files) */
    TARN_TYPE_UINT32,        /* uint32_t (foreign files) */
    TARN_TYPE_UINT64,        /* uint64_t (foreign files) */
    TARN_TYPE_FLOAT32,       /* float */
    TARN_TYPE_FLOAT64,       /* double */
    TARN_TYPE_DECIMAL,       /* int64_t when precision <= 18, else tarn_i128 */
    TARN_TYPE_STRING,        /* UTF-8, int32 offsets + bytes */
    TARN_TYPE_BINARY,        /* int32 offsets + bytes */
    TARN_TYPE_UUID,          /* 16 bytes fixed */
    TARN_TYPE_DATE,          /* int32 days since 1970-01-01 */
    TARN_TYPE_TIME,          /* int64 microseconds since midnight */
    TARN_TYPE_TIMESTAMP,     /* int64 microseconds since epoch, UTC */
    TARN_TYPE_TIMESTAMP_NTZ, /* int64 microseconds, no time zone */
    TARN_TYPE_TIMESTAMP_NS,  /* int64 nanoseconds, no time zone (foreign files) */
    TARN_TYPE_STRUCT,        /* children, validity */
    TARN_TYPE_LIST,          /* int32 offsets + child */
    TARN_TYPE_MAP,           /* int32 offsets + key child + value child */
    TARN_TYPE_COUNT_
} tarn_type_id;

#define TARN_DECIMAL_MAX_PRECISION 38

typedef struct tarn_type {
    tarn_type_id id;   /* which type */
    uint8_t precision; /* DECIMAL: total digits 1..38 */
    uint8_t scale;     /* DECIMAL: fraction digits 0..precision */
} tarn_type;

typedef struct tarn_field {
    const char *name;            /* column name (arena) */
    tarn_type type;              /* logical type */
    bool nullable;               /* may hold nulls */
    int n_children;              /* STRUCT members, LIST 1, MAP 2 */
    struct tarn_field *children; /* child fields (arena) */
    const char *physical_name;   /* name in data files when it differs (Delta column
                                    mapping), else NULL */
    int32_t field_id;            /* Parquet field id, or -1 */
} tarn_field;

typedef struct tarn_schema {
    int n_fields;       /* top-level columns */
    tarn_field *fields; /* n_fields entries (arena) */
    tarn_arena *arena;  /* owns every name and child array */
} tarn_schema;

static inline tarn_type tarn_type_make(tarn_type_id id)
{
    tarn_type t = {id, 0, 0};
    return t;
}
static inline tarn_type tarn_type_decimal(int precision, int scale)
{
    tarn_type t = {TARN_TYPE_DECIMAL, (uint8_t)precision, (uint8_t)scale};
    return t;
}

/* Bytes per value of a fixed-width type; 0 for BOOL (bits), variable-width
 * and nested types. */
int tarn_type_width(tarn_type t);
bool tarn_type_is_fixed(tarn_type_id id);
bool tarn_type_is_nested(tarn_type_id id);
bool tarn_type_is_varlen(tarn_type_id id); /* STRING, BINARY */
bool tarn_type_is_integer(tarn_type_id id);
bool tarn_type_equal(tarn_type a, tarn_type b);
/* Decimals wider than 18 digits are stored as tarn_i128. */
static inline bool tarn_decimal_is_wide(tarn_type t)
{
    return t.precision > 18;
}

/* Canonical name: "int64", "decimal(10,2)", "timestamp", ... */
const char *tarn_type_name(tarn_type t, char *out, size_t cap);
/* Parses a type name (case-insensitive, with SQL aliases such as bigint,
 * int, double, varchar, text, bool). Nested types are not accepted here. */
TARN_MUST_CHECK tarn_status tarn_type_parse(const char *s, size_t n, tarn_type *out, tarn_err *err);

/* Schemas ------------------------------------------------------------------ */

/* An empty schema with its own arena; NULL when out of memory. */
tarn_schema *tarn_schema_create(void);
void tarn_schema_destroy(tarn_schema *s);
/* Appends a top-level field (name copied); returns it or NULL on OOM. */
tarn_field *tarn_schema_add(tarn_schema *s, const char *name, tarn_type type, bool nullable);
/* Deep copy into a new schema. */
tarn_schema *tarn_schema_clone(const tarn_schema *s);
/* Deep copy of one field into arena a. */
TARN_MUST_CHECK tarn_status tarn_field_copy(tarn_arena *a, tarn_field *dst, const tarn_field *src);
/* Index of a top-level column by exact name, or -1. */
int tarn_schema_find(const tarn_schema *s, const char *name);
/* Index by case-insensitive name, or -1. */
int tarn_schema_find_ci(const tarn_schema *s, const char *name);
/* Parses "name type, name type NOT NULL, ..." (the --schema option). */
TARN_MUST_CHECK tarn_status tarn_schema_parse(const char *text, tarn_schema **out, tarn_err *err);
/* Renders as "name type, ..." (nested types as struct<...>, list<...>). */
TARN_MUST_CHECK tarn_status tarn_schema_format(const tarn_schema *s, tarn_buf *out);
/* Field type as text including nested members. */
TARN_MUST_CHECK tarn_status tarn_field_type_format(const tarn_field *f, tarn_buf *out);

#endif
