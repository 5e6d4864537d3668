/*
 * parquet/format.h - the Parquet file metadata (parquet.thrift) as C structs.
 *
 * Only the fields tarn reads or writes are kept; unknown fields are skipped
 * on decode. Optional fields carry a has_<name> flag. Every pointer in these
 * structs lives in the arena passed to the decoder (parquet/footer.c) or is
 * owned by the writer that fills them (parquet/writer.c). Field ids in the
 * comments are the Thrift ids.
 */
#ifndef TARN_PARQUET_FORMAT_H
#define TARN_PARQUET_FORMAT_H

#include "base/arena.h"
#include "base/status.h"

#define TARN_PQ_MAGIC           "PAR1"
#define TARN_PQ_MAGIC_ENCRYPTED "PARE"

/* Ceilings on counts read from a file before they size an allocation. */
#define TARN_PQ_MAX_FOOTER_BYTES    (256u << 20) /* 256 MiB footer */
#define TARN_PQ_MAX_SCHEMA_ELEMENTS 100000
#define TARN_PQ_MAX_ROW_GROUPS      1000000
#define TARN_PQ_MAX_LIST            10000000   /* any other Thrift list */
#define TARN_PQ_MAX_PAGE_BYTES      (1u << 30) /* 1 GiB page (compressed or not) */
#define TARN_PQ_MAX_NESTING         64

typedef enum tarn_pq_type {
    TARN_PQ_BOOLEAN = 0,
    TARN_PQ_INT32 = 1,
    TARN_PQ_INT64 = 2,
    TARN_PQ_INT96 = 3,
    TARN_PQ_FLOAT = 4,
    TARN_PQ_DOUBLE = 5,
    TARN_PQ_BYTE_ARRAY = 6,
    TARN_PQ_FIXED_LEN_BYTE_ARRAY = 7
} tarn_pq_type;

typedef enum tarn_pq_converted {
    TARN_PQ_CT_NONE = -1,
    TARN_PQ_CT_UTF8 = 0,
    TARN_PQ_CT_MAP = 1,
    TARN_PQ_CT_MAP_KEY_VALUE = 2,
    TARN_PQ_CT_LIST = 3,
    TARN_PQ_CT_ENUM = 4,
    TARN_PQ_CT_DECIMAL = 5,
    TARN_PQ_CT_DATE = 6,
    TARN_PQ_CT_TIME_MILLIS = 7,
    TARN_PQ_CT_TIME_MICROS = 8,
    TARN_PQ_CT_TIMESTAMP_MILLIS = 9,
    TARN_PQ_CT_TIMESTAMP_MICROS = 10,
    TARN_PQ_CT_UINT_8 = 11,
    TARN_PQ_CT_UINT_16 = 12,
    TARN_PQ_CT_UINT_32 = 13,
    TARN_PQ_CT_UINT_64 = 14,
    TARN_PQ_CT_INT_8 = 15,
    TARN_PQ_CT_INT_16 = 16,
    TARN_PQ_CT_INT_32 = 17,
    TARN_PQ_CT_INT_64 = 18,
    TARN_PQ_CT_JSON = 19,
    TARN_PQ_CT_BSON = 20,
    TARN_PQ_CT_INTERVAL = 21
} tarn_pq_converted;

typedef enum tarn_pq_repetition {
    TARN_PQ_REQUIRED = 0,
    TARN_PQ_OPTIONAL = 1,
    TARN_PQ_REPEATED = 2
} tarn_pq_repetition;

typedef enum tarn_pq_encoding {
    TARN_PQ_ENC_PLAIN = 0,
    TARN_PQ_ENC_PLAIN_DICTIONARY = 2,
    TARN_PQ_ENC_RLE = 3,
    TARN_PQ_ENC_BIT_PACKED = 4,
    TARN_PQ_ENC_DELTA_BINARY_PACKED = 5,
    TARN_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    TARN_PQ_ENC_DELTA_BYTE_ARRAY = 7,
    TARN_PQ_ENC_RLE_DICTIONARY = 8,
    TARN_PQ_ENC_BYTE_STREAM_SPLIT = 9
} tarn_pq_encoding;

typedef enum tarn_pq_codec {
    TARN_PQ_UNCOMPRESSED = 0,
    TARN_PQ_SNAPPY = 1,
    TARN_PQ_GZIP = 2,
    TARN_PQ_LZO = 3,
    TARN_PQ_BROTLI = 4,
    TARN_PQ_LZ4 = 5, /* legacy Hadoop framing (or raw, sniffed) */
    TARN_PQ_ZSTD = 6,
    TARN_PQ_LZ4_RAW = 7
} tarn_pq_codec;

typedef enum tarn_pq_page_type {
    TARN_PQ_DATA_PAGE = 0,
    TARN_PQ_INDEX_PAGE = 1,
    TARN_PQ_DICTIONARY_PAGE = 2,
    TARN_PQ_DATA_PAGE_V2 = 3
} tarn_pq_page_type;

/* LogicalType union member that is set (field id of the union). */
typedef enum tarn_pq_logical_kind {
    TARN_PQ_LT_NONE = 0,
    TARN_PQ_LT_STRING = 1,
    TARN_PQ_LT_MAP = 2,
    TARN_PQ_LT_LIST = 3,
    TARN_PQ_LT_ENUM = 4,
    TARN_PQ_LT_DECIMAL = 5,
    TARN_PQ_LT_DATE = 6,
    TARN_PQ_LT_TIME = 7,
    TARN_PQ_LT_TIMESTAMP = 8,
    TARN_PQ_LT_INTEGER = 10,
    TARN_PQ_LT_UNKNOWN = 11, /* NullType: always null */
    TARN_PQ_LT_JSON = 12,
    TARN_PQ_LT_BSON = 13,
    TARN_PQ_LT_UUID = 14,
    TARN_PQ_LT_FLOAT16 = 15,
    TARN_PQ_LT_OTHER = 99 /* a union member tarn does not know: read as physical */
} tarn_pq_logical_kind;

typedef enum tarn_pq_time_unit {
    TARN_PQ_MILLIS = 1,
    TARN_PQ_MICROS = 2,
    TARN_PQ_NANOS = 3
} tarn_pq_time_unit;

typedef struct tarn_pq_logical {
    tarn_pq_logical_kind kind; /* which member, NONE when absent */
    int32_t scale;             /* DECIMAL */
    int32_t precision;         /* DECIMAL */
    bool is_adjusted_to_utc;   /* TIME, TIMESTAMP */
    tarn_pq_time_unit unit;    /* TIME, TIMESTAMP */
    int8_t bit_width;          /* INTEGER: 8, 16, 32, 64 */
    bool is_signed;            /* INTEGER */
} tarn_pq_logical;

typedef struct tarn_pq_schema_element {
    bool has_type;                 /* leaves have a physical type */
    tarn_pq_type type;             /* 1 */
    int32_t type_length;           /* 2: FIXED_LEN_BYTE_ARRAY width */
    bool has_repetition;           /* root may omit it */
    tarn_pq_repetition repetition; /* 3 */
    const char *name;              /* 4 */
    int32_t num_children;          /* 5: 0 for leaves */
    tarn_pq_converted converted;   /* 6: TARN_PQ_CT_NONE when absent */
    int32_t scale;                 /* 7 */
    int32_t precision;             /* 8 */
    bool has_field_id;             /* 9 present */
    int32_t field_id;              /* 9 */
    tarn_pq_logical logical;       /* 10 */
} tarn_pq_schema_element;

typedef struct tarn_pq_statistics {
    bool has_max, has_min;    /* deprecated 1/2 (signed order) */
    const uint8_t *max, *min; /* 1, 2 */
    int32_t max_len, min_len;
    bool has_null_count;
    int64_t null_count; /* 3 */
    bool has_distinct_count;
    int64_t distinct_count;            /* 4 */
    bool has_max_value, has_min_value; /* 5/6 (column order) */
    const uint8_t *max_value, *min_value;
    int32_t max_value_len, min_value_len;
} tarn_pq_statistics;

typedef struct tarn_pq_kv {
    const char *key;   /* 1 */
    const char *value; /* 2, NULL when absent */
} tarn_pq_kv;

typedef struct tarn_pq_column_meta {
    tarn_pq_type type; /* 1 */
    int32_t n_encodings;
    tarn_pq_encoding *encodings; /* 2 */
    int32_t n_path;
    const char **path_in_schema;     /* 3 */
    tarn_pq_codec codec;             /* 4 */
    int64_t num_values;              /* 5 */
    int64_t total_uncompressed_size; /* 6 */
    int64_t total_compressed_size;   /* 7 */
    int32_t n_kv;
    tarn_pq_kv *kv;           /* 8 */
    int64_t data_page_offset; /* 9 */
    bool has_index_page_offset;
    int64_t index_page_offset; /* 10 */
    bool has_dictionary_page_offset;
    int64_t dictionary_page_offset; /* 11 */
    bool has_statistics;
    tarn_pq_statistics statistics; /* 12 */
} tarn_pq_column_meta;

typedef struct tarn_pq_column_chunk {
    const char *file_path; /* 1: NULL = this file */
    int64_t file_offset;   /* 2 */
    bool has_meta_data;
    tarn_pq_column_meta meta_data;      /* 3 */
    bool has_crypto_metadata;           /* 8: encrypted column (unsupported) */
    bool has_encrypted_column_metadata; /* 9 */
} tarn_pq_column_chunk;

typedef struct tarn_pq_row_group {
    int32_t n_columns;
    tarn_pq_column_chunk *columns; /* 1 */
    int64_t total_byte_size;       /* 2 */
    int64_t num_rows;              /* 3 */
    bool has_file_offset;
    int64_t file_offset; /* 5 */
    bool has_total_compressed_size;
    int64_t total_compressed_size; /* 6 */
    bool has_ordinal;
    int16_t ordinal; /* 7 */
} tarn_pq_row_group;

typedef struct tarn_pq_file_meta {
    int32_t version; /* 1 */
    int32_t n_schema;
    tarn_pq_schema_element *schema; /* 2: depth-first, [0] is the root */
    int64_t num_rows;               /* 3 */
    int32_t n_row_groups;
    tarn_pq_row_group *row_groups; /* 4 */
    int32_t n_kv;
    tarn_pq_kv *kv;                /* 5 */
    const char *created_by;        /* 6, NULL when absent */
    int32_t n_column_orders;       /* 7: TypeDefinedOrder per leaf when set */
    bool has_encryption_algorithm; /* 8: encrypted file (unsupported) */
} tarn_pq_file_meta;

typedef struct tarn_pq_data_page_header {
    int32_t num_values;            /* 1 */
    tarn_pq_encoding encoding;     /* 2 */
    tarn_pq_encoding def_encoding; /* 3 */
    tarn_pq_encoding rep_encoding; /* 4 */
    bool has_statistics;
    tarn_pq_statistics statistics; /* 5 */
} tarn_pq_data_page_header;

typedef struct tarn_pq_dict_page_header {
    int32_t num_values;        /* 1 */
    tarn_pq_encoding encoding; /* 2 */
    bool is_sorted;            /* 3 */
} tarn_pq_dict_page_header;

typedef struct tarn_pq_data_page_header_v2 {
    int32_t num_values;             /* 1 */
    int32_t num_nulls;              /* 2 */
    int32_t num_rows;               /* 3 */
    tarn_pq_encoding encoding;      /* 4 */
    int32_t def_levels_byte_length; /* 5 */
    int32_t rep_levels_byte_length; /* 6 */
    bool is_compressed;             /* 7, default true */
    bool has_statistics;
    tarn_pq_statistics statistics; /* 8 */
} tarn_pq_data_page_header_v2;

typedef struct tarn_pq_page_header {
    tarn_pq_page_type type;         /* 1 */
    int32_t uncompressed_page_size; /* 2 */
    int32_t compressed_page_size;   /* 3 */
    bool has_crc;
    int32_t crc; /* 4 */
    bool has_data_page_header;
    tarn_pq_data_page_header data_page_header; /* 5 */
    bool has_dictionary_page_header;
    tarn_pq_dict_page_header dictionary_page_header; /* 7 */
    bool has_data_page_header_v2;
    tarn_pq_data_page_header_v2 data_page_header_v2; /* 8 */
} tarn_pq_page_header;

/* Names for messages and `tarn parquet inspect`. */
const char *tarn_pq_type_name(tarn_pq_type t);
const char *tarn_pq_encoding_name(tarn_pq_encoding e);
const char *tarn_pq_codec_name(tarn_pq_codec c);
const char *tarn_pq_converted_name(tarn_pq_converted c);

#endif
