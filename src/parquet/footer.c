/*
 * parquet/footer.c - decode a Parquet footer (FileMetaData) and page headers
 * from Thrift compact bytes, plus the names of Parquet enums.
 *
 * Never reads outside the given buffer (the Thrift reader checks every
 * byte); list lengths are checked against TARN_PQ_MAX_* and the remaining
 * bytes before allocating; enum values are validated. Output lives in the
 * caller's arena, statistics point into the input. Unknown fields are
 * skipped, a field of the wrong Thrift type is TARN_ERR_CORRUPT.
 */
#include "parquet/footer.h"

#include "parquet/thrift.h"

#include <stdio.h>
#include <string.h>

/* Field loop helpers ------------------------------------------------------- */

typedef tarn_thrift_reader rd;

static tarn_status want(rd *r, uint8_t got, uint8_t type, const char *what)
{
    if (got == type)
        return TARN_OK;
    if (type == TARN_THRIFT_TRUE && got == TARN_THRIFT_FALSE)
        return TARN_OK;
    char msg[128];
    snprintf(msg, sizeof msg, "field '%s' has the wrong type", what);
    return tarn_thrift_corrupt(r, msg);
}

static tarn_status rd_i32(rd *r, uint8_t ft, const char *what, int32_t *out)
{
    TARN_TRY(want(r, ft, TARN_THRIFT_I32, what));
    return tarn_thrift_read_i32(r, out);
}

static tarn_status rd_i64(rd *r, uint8_t ft, const char *what, int64_t *out)
{
    TARN_TRY(want(r, ft, TARN_THRIFT_I64, what));
    return tarn_thrift_read_i64(r, out);
}

static tarn_status rd_enum(rd *r, uint8_t ft, const char *what, int32_t lo, int32_t hi,
                           int32_t *out)
{
    TARN_TRY(rd_i32(r, ft, what, out));
    if (*out < lo || *out > hi) {
        char msg[128];
        snprintf(msg, sizeof msg, "invalid %s %d", what, (int)*out);
        return tarn_thrift_corrupt(r, msg);
    }
    return TARN_OK;
}

static tarn_status rd_bytes(rd *r, uint8_t ft, const char *what, const uint8_t **p, int32_t *n)
{
    TARN_TRY(want(r, ft, TARN_THRIFT_BINARY, what));
    return tarn_thrift_read_binary(r, p, n);
}

static tarn_status rd_str(rd *r, tarn_arena *a, uint8_t ft, const char *what, const char **out)
{
    const uint8_t *p;
    int32_t n;
    TARN_TRY(rd_bytes(r, ft, what, &p, &n));
    *out = tarn_arena_strndup(a, (const char *)p, (size_t)n);
    if (!*out)
        return tarn_err_set(r->err, TARN_ERR_NOMEM, "out of memory decoding Parquet metadata");
    return TARN_OK;
}

static tarn_status rd_bool(rd *r, uint8_t ft, const char *what, bool *out)
{
    TARN_TRY(want(r, ft, TARN_THRIFT_TRUE, what));
    *out = ft == TARN_THRIFT_TRUE;
    return TARN_OK;
}

/* Reads a list header of element type et with at most max entries. */
static tarn_status rd_list(rd *r, uint8_t ft, const char *what, uint8_t et, int32_t max, int32_t *n)
{
    TARN_TRY(want(r, ft, TARN_THRIFT_LIST, what));
    uint8_t got;
    TARN_TRY(tarn_thrift_read_list(r, &got, n, max));
    if (*n > 0 && got != et) {
        char msg[128];
        snprintf(msg, sizeof msg, "list '%s' has the wrong element type", what);
        return tarn_thrift_corrupt(r, msg);
    }
    return TARN_OK;
}

static void *arena_array(rd *r, tarn_arena *a, int32_t n, size_t size)
{
    void *p = tarn_arena_calloc(a, (size_t)(n > 0 ? n : 1), size);
    if (!p)
        tarn_err_set(r->err, TARN_ERR_NOMEM, "out of memory decoding Parquet metadata");
    return p;
}

#define FIELD_LOOP_BEGIN                                                                           \
    TARN_TRY(tarn_thrift_enter(r));                                                                \
    int16_t last_ = 0, id;                                                                         \
    uint8_t ft;                                                                                    \
    for (;;) {                                                                                     \
        TARN_TRY(tarn_thrift_read_field(r, &last_, &id, &ft));                                     \
        if (ft == TARN_THRIFT_STOP)                                                                \
            break;                                                                                 \
        switch (id) {
#define FIELD_LOOP_END                                                                             \
    default:                                                                                       \
        TARN_TRY(tarn_thrift_skip(r, ft));                                                         \
        }                                                                                          \
        }                                                                                          \
        tarn_thrift_leave(r);

/* Structs ------------------------------------------------------------------ */

static tarn_status rd_statistics(rd *r, tarn_pq_statistics *s)
{
    memset(s, 0, sizeof *s);
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_bytes(r, ft, "Statistics.max", &s->max, &s->max_len));
    s->has_max = true;
    break;
case 2:
    TARN_TRY(rd_bytes(r, ft, "Statistics.min", &s->min, &s->min_len));
    s->has_min = true;
    break;
case 3:
    TARN_TRY(rd_i64(r, ft, "Statistics.null_count", &s->null_count));
    s->has_null_count = true;
    break;
case 4:
    TARN_TRY(rd_i64(r, ft, "Statistics.distinct_count", &s->distinct_count));
    s->has_distinct_count = true;
    break;
case 5:
    TARN_TRY(rd_bytes(r, ft, "Statistics.max_value", &s->max_value, &s->max_value_len));
    s->has_max_value = true;
    break;
case 6:
    TARN_TRY(rd_bytes(r, ft, "Statistics.min_value", &s->min_value, &s->min_value_len));
    s->has_min_value = true;
    break;
    FIELD_LOOP_END
    return TARN_OK;
}

/* An empty struct (marker types inside unions). */
static tarn_status rd_empty(rd *r, uint8_t ft, const char *what)
{
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, what));
    return tarn_thrift_skip(r, TARN_THRIFT_STRUCT);
}

static tarn_status rd_time_unit(rd *r, uint8_t ftype, tarn_pq_time_unit *out)
{
    TARN_TRY(want(r, ftype, TARN_THRIFT_STRUCT, "TimeUnit"));
    *out = 0;
    FIELD_LOOP_BEGIN
case 1:
case 2:
case 3:
    TARN_TRY(rd_empty(r, ft, "TimeUnit member"));
    *out = (tarn_pq_time_unit)id;
    break;
    FIELD_LOOP_END
    if (*out == 0)
        return tarn_thrift_corrupt(r, "TimeUnit without a unit");
    return TARN_OK;
}

/* TimeType and TimestampType share their layout. */
static tarn_status rd_time_type(rd *r, tarn_pq_logical *lt)
{
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_bool(r, ft, "isAdjustedToUTC", &lt->is_adjusted_to_utc));
    break;
case 2:
    TARN_TRY(rd_time_unit(r, ft, &lt->unit));
    break;
    FIELD_LOOP_END
    if (lt->unit == 0)
        return tarn_thrift_corrupt(r, "time type without a unit");
    return TARN_OK;
}

static tarn_status rd_decimal_type(rd *r, tarn_pq_logical *lt)
{
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_i32(r, ft, "DecimalType.scale", &lt->scale));
    break;
case 2:
    TARN_TRY(rd_i32(r, ft, "DecimalType.precision", &lt->precision));
    break;
    FIELD_LOOP_END
    return TARN_OK;
}

static tarn_status rd_int_type(rd *r, tarn_pq_logical *lt)
{
    lt->is_signed = true;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(want(r, ft, TARN_THRIFT_BYTE, "IntType.bitWidth"));
    TARN_TRY(tarn_thrift_read_byte(r, &lt->bit_width));
    break;
case 2:
    TARN_TRY(rd_bool(r, ft, "IntType.isSigned", &lt->is_signed));
    break;
    FIELD_LOOP_END
    if (lt->bit_width != 8 && lt->bit_width != 16 && lt->bit_width != 32 && lt->bit_width != 64)
        return tarn_thrift_corrupt(r, "IntType bit width is not 8, 16, 32 or 64");
    return TARN_OK;
}

static tarn_status rd_logical(rd *r, uint8_t ftype, tarn_pq_logical *lt)
{
    TARN_TRY(want(r, ftype, TARN_THRIFT_STRUCT, "LogicalType"));
    memset(lt, 0, sizeof *lt);
    FIELD_LOOP_BEGIN
case TARN_PQ_LT_DECIMAL:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "DecimalType"));
    lt->kind = TARN_PQ_LT_DECIMAL;
    TARN_TRY(rd_decimal_type(r, lt));
    break;
case TARN_PQ_LT_TIME:
case TARN_PQ_LT_TIMESTAMP:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "TimeType"));
    lt->kind = (tarn_pq_logical_kind)id;
    TARN_TRY(rd_time_type(r, lt));
    break;
case TARN_PQ_LT_INTEGER:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "IntType"));
    lt->kind = TARN_PQ_LT_INTEGER;
    TARN_TRY(rd_int_type(r, lt));
    break;
case TARN_PQ_LT_STRING:
case TARN_PQ_LT_MAP:
case TARN_PQ_LT_LIST:
case TARN_PQ_LT_ENUM:
case TARN_PQ_LT_DATE:
case TARN_PQ_LT_UNKNOWN:
case TARN_PQ_LT_JSON:
case TARN_PQ_LT_BSON:
case TARN_PQ_LT_UUID:
case TARN_PQ_LT_FLOAT16:
    TARN_TRY(rd_empty(r, ft, "LogicalType member"));
    lt->kind = (tarn_pq_logical_kind)id;
    break;
default:
    /* A member tarn does not know (VARIANT, GEOMETRY, ...): read as physical. */
    TARN_TRY(tarn_thrift_skip(r, ft));
    lt->kind = TARN_PQ_LT_OTHER;
    break;
}
}
tarn_thrift_leave(r);
return TARN_OK;
}

static tarn_status rd_schema_element(rd *r, tarn_arena *a, tarn_pq_schema_element *e)
{
    memset(e, 0, sizeof *e);
    e->converted = TARN_PQ_CT_NONE;
    bool has_name = false;
    int32_t v;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_enum(r, ft, "physical type", 0, 7, &v));
    e->has_type = true;
    e->type = (tarn_pq_type)v;
    break;
case 2:
    TARN_TRY(rd_i32(r, ft, "type_length", &e->type_length));
    break;
case 3:
    TARN_TRY(rd_enum(r, ft, "repetition type", 0, 2, &v));
    e->has_repetition = true;
    e->repetition = (tarn_pq_repetition)v;
    break;
case 4:
    TARN_TRY(rd_str(r, a, ft, "SchemaElement.name", &e->name));
    has_name = true;
    break;
case 5:
    TARN_TRY(rd_i32(r, ft, "num_children", &e->num_children));
    if (e->num_children < 0)
        return tarn_thrift_corrupt(r, "negative num_children");
    break;
case 6:
    TARN_TRY(rd_i32(r, ft, "converted_type", &v));
    /* An unknown converted type is ignored, as other readers do. */
    e->converted = (v >= 0 && v <= TARN_PQ_CT_INTERVAL) ? (tarn_pq_converted)v : TARN_PQ_CT_NONE;
    break;
case 7:
    TARN_TRY(rd_i32(r, ft, "scale", &e->scale));
    break;
case 8:
    TARN_TRY(rd_i32(r, ft, "precision", &e->precision));
    break;
case 9:
    TARN_TRY(rd_i32(r, ft, "field_id", &e->field_id));
    e->has_field_id = true;
    break;
case 10:
    TARN_TRY(rd_logical(r, ft, &e->logical));
    break;
    FIELD_LOOP_END
    if (!has_name)
        return tarn_thrift_corrupt(r, "schema element without a name");
    return TARN_OK;
}

static tarn_status rd_kv_list(rd *r, tarn_arena *a, uint8_t ftype, int32_t *n_out, tarn_pq_kv **out)
{
    int32_t n;
    TARN_TRY(rd_list(r, ftype, "key_value_metadata", TARN_THRIFT_STRUCT, TARN_PQ_MAX_LIST, &n));
    tarn_pq_kv *kv = arena_array(r, a, n, sizeof *kv);
    if (!kv)
        return TARN_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        bool has_key = false;
        FIELD_LOOP_BEGIN
    case 1:
        TARN_TRY(rd_str(r, a, ft, "KeyValue.key", &kv[i].key));
        has_key = true;
        break;
    case 2:
        TARN_TRY(rd_str(r, a, ft, "KeyValue.value", &kv[i].value));
        break;
        FIELD_LOOP_END
        if (!has_key)
            return tarn_thrift_corrupt(r, "key/value entry without a key");
    }
    *n_out = n;
    *out = kv;
    return TARN_OK;
}

static tarn_status rd_column_meta(rd *r, tarn_arena *a, tarn_pq_column_meta *m)
{
    memset(m, 0, sizeof *m);
    unsigned seen = 0;
    int32_t v, n;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_enum(r, ft, "physical type", 0, 7, &v));
    m->type = (tarn_pq_type)v;
    seen |= 1;
    break;
case 2:
    TARN_TRY(rd_list(r, ft, "encodings", TARN_THRIFT_I32, TARN_PQ_MAX_LIST, &n));
    m->encodings = arena_array(r, a, n, sizeof *m->encodings);
    if (!m->encodings)
        return TARN_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        TARN_TRY(tarn_thrift_read_i32(r, &v));
        m->encodings[i] = (tarn_pq_encoding)v; /* unknown values kept for display */
    }
    m->n_encodings = n;
    break;
case 3:
    TARN_TRY(rd_list(r, ft, "path_in_schema", TARN_THRIFT_BINARY, TARN_PQ_MAX_NESTING + 1, &n));
    m->path_in_schema = arena_array(r, a, n, sizeof *m->path_in_schema);
    if (!m->path_in_schema)
        return TARN_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++)
        TARN_TRY(rd_str(r, a, TARN_THRIFT_BINARY, "path_in_schema", &m->path_in_schema[i]));
    m->n_path = n;
    break;
case 4:
    TARN_TRY(rd_i32(r, ft, "codec", &v));
    m->codec = (tarn_pq_codec)v; /* validated when the chunk is read */
    seen |= 2;
    break;
case 5:
    TARN_TRY(rd_i64(r, ft, "num_values", &m->num_values));
    seen |= 4;
    break;
case 6:
    TARN_TRY(rd_i64(r, ft, "total_uncompressed_size", &m->total_uncompressed_size));
    break;
case 7:
    TARN_TRY(rd_i64(r, ft, "total_compressed_size", &m->total_compressed_size));
    seen |= 8;
    break;
case 8:
    TARN_TRY(rd_kv_list(r, a, ft, &m->n_kv, &m->kv));
    break;
case 9:
    TARN_TRY(rd_i64(r, ft, "data_page_offset", &m->data_page_offset));
    seen |= 16;
    break;
case 10:
    TARN_TRY(rd_i64(r, ft, "index_page_offset", &m->index_page_offset));
    m->has_index_page_offset = true;
    break;
case 11:
    TARN_TRY(rd_i64(r, ft, "dictionary_page_offset", &m->dictionary_page_offset));
    m->has_dictionary_page_offset = true;
    break;
case 12:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "statistics"));
    TARN_TRY(rd_statistics(r, &m->statistics));
    m->has_statistics = true;
    break;
    FIELD_LOOP_END
    if (seen != 31)
        return tarn_thrift_corrupt(r, "column metadata misses a required field");
    if (m->num_values < 0 || m->total_compressed_size < 0 || m->data_page_offset < 0)
        return tarn_thrift_corrupt(r, "negative size or offset in column metadata");
    return TARN_OK;
}

static tarn_status rd_column_chunk(rd *r, tarn_arena *a, tarn_pq_column_chunk *c)
{
    memset(c, 0, sizeof *c);
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_str(r, a, ft, "file_path", &c->file_path));
    break;
case 2:
    TARN_TRY(rd_i64(r, ft, "file_offset", &c->file_offset));
    break;
case 3:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "meta_data"));
    TARN_TRY(rd_column_meta(r, a, &c->meta_data));
    c->has_meta_data = true;
    break;
case 8:
    TARN_TRY(tarn_thrift_skip(r, ft));
    c->has_crypto_metadata = true;
    break;
case 9:
    TARN_TRY(tarn_thrift_skip(r, ft));
    c->has_encrypted_column_metadata = true;
    break;
    FIELD_LOOP_END
    return TARN_OK;
}

static tarn_status rd_row_group(rd *r, tarn_arena *a, tarn_pq_row_group *g)
{
    memset(g, 0, sizeof *g);
    unsigned seen = 0;
    int32_t n;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_list(r, ft, "columns", TARN_THRIFT_STRUCT, TARN_PQ_MAX_LIST, &n));
    g->columns = arena_array(r, a, n, sizeof *g->columns);
    if (!g->columns)
        return TARN_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++)
        TARN_TRY(rd_column_chunk(r, a, &g->columns[i]));
    g->n_columns = n;
    seen |= 1;
    break;
case 2:
    TARN_TRY(rd_i64(r, ft, "total_byte_size", &g->total_byte_size));
    break;
case 3:
    TARN_TRY(rd_i64(r, ft, "num_rows", &g->num_rows));
    seen |= 2;
    break;
case 5:
    TARN_TRY(rd_i64(r, ft, "file_offset", &g->file_offset));
    g->has_file_offset = true;
    break;
case 6:
    TARN_TRY(rd_i64(r, ft, "total_compressed_size", &g->total_compressed_size));
    g->has_total_compressed_size = true;
    break;
case 7:
    TARN_TRY(want(r, ft, TARN_THRIFT_I16, "ordinal"));
    TARN_TRY(tarn_thrift_read_i16(r, &g->ordinal));
    g->has_ordinal = true;
    break;
    FIELD_LOOP_END
    if (seen != 3)
        return tarn_thrift_corrupt(r, "row group misses its columns or num_rows");
    if (g->num_rows < 0)
        return tarn_thrift_corrupt(r, "negative row count in a row group");
    return TARN_OK;
}

static tarn_status rd_file_meta(rd *r, tarn_arena *a, tarn_pq_file_meta *m)
{
    memset(m, 0, sizeof *m);
    unsigned seen = 0;
    int32_t n;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_i32(r, ft, "version", &m->version));
    break;
case 2:
    TARN_TRY(rd_list(r, ft, "schema", TARN_THRIFT_STRUCT, TARN_PQ_MAX_SCHEMA_ELEMENTS, &n));
    m->schema = arena_array(r, a, n, sizeof *m->schema);
    if (!m->schema)
        return TARN_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++)
        TARN_TRY(rd_schema_element(r, a, &m->schema[i]));
    m->n_schema = n;
    seen |= 1;
    break;
case 3:
    TARN_TRY(rd_i64(r, ft, "num_rows", &m->num_rows));
    seen |= 2;
    break;
case 4:
    TARN_TRY(rd_list(r, ft, "row_groups", TARN_THRIFT_STRUCT, TARN_PQ_MAX_ROW_GROUPS, &n));
    m->row_groups = arena_array(r, a, n, sizeof *m->row_groups);
    if (!m->row_groups)
        return TARN_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++)
        TARN_TRY(rd_row_group(r, a, &m->row_groups[i]));
    m->n_row_groups = n;
    seen |= 4;
    break;
case 5:
    TARN_TRY(rd_kv_list(r, a, ft, &m->n_kv, &m->kv));
    break;
case 6:
    TARN_TRY(rd_str(r, a, ft, "created_by", &m->created_by));
    break;
case 7:
    TARN_TRY(want(r, ft, TARN_THRIFT_LIST, "column_orders"));
    TARN_TRY(tarn_thrift_skip(r, ft)); /* only TypeDefinedOrder exists */
    m->n_column_orders = 1;
    break;
case 8:
    TARN_TRY(tarn_thrift_skip(r, ft));
    m->has_encryption_algorithm = true;
    break;
    FIELD_LOOP_END
    if (seen != 7)
        return tarn_thrift_corrupt(r, "file metadata misses its schema, num_rows or row_groups");
    if (m->num_rows < 0)
        return tarn_thrift_corrupt(r, "negative row count in the file metadata");
    if (m->n_schema < 1)
        return tarn_thrift_corrupt(r, "empty schema");
    return TARN_OK;
}

tarn_status tarn_pq_footer_decode(const uint8_t *p, size_t n, int64_t base_offset, tarn_arena *a,
                                  tarn_pq_file_meta *out, tarn_err *err)
{
    rd r;
    tarn_thrift_reader_init(&r, p, n, base_offset, err);
    return rd_file_meta(&r, a, out);
}

/* Page headers ------------------------------------------------------------- */

static tarn_status rd_data_page_header(rd *r, tarn_pq_data_page_header *h)
{
    memset(h, 0, sizeof *h);
    unsigned seen = 0;
    int32_t v;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_i32(r, ft, "num_values", &h->num_values));
    seen |= 1;
    break;
case 2:
    TARN_TRY(rd_i32(r, ft, "encoding", &v));
    h->encoding = (tarn_pq_encoding)v;
    seen |= 2;
    break;
case 3:
    TARN_TRY(rd_i32(r, ft, "definition_level_encoding", &v));
    h->def_encoding = (tarn_pq_encoding)v;
    break;
case 4:
    TARN_TRY(rd_i32(r, ft, "repetition_level_encoding", &v));
    h->rep_encoding = (tarn_pq_encoding)v;
    break;
case 5:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "statistics"));
    TARN_TRY(rd_statistics(r, &h->statistics));
    h->has_statistics = true;
    break;
    FIELD_LOOP_END
    if (seen != 3)
        return tarn_thrift_corrupt(r, "data page header misses num_values or encoding");
    if (h->num_values < 0)
        return tarn_thrift_corrupt(r, "negative num_values in a data page header");
    return TARN_OK;
}

static tarn_status rd_dict_page_header(rd *r, tarn_pq_dict_page_header *h)
{
    memset(h, 0, sizeof *h);
    unsigned seen = 0;
    int32_t v;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_i32(r, ft, "num_values", &h->num_values));
    seen |= 1;
    break;
case 2:
    TARN_TRY(rd_i32(r, ft, "encoding", &v));
    h->encoding = (tarn_pq_encoding)v;
    seen |= 2;
    break;
case 3:
    TARN_TRY(rd_bool(r, ft, "is_sorted", &h->is_sorted));
    break;
    FIELD_LOOP_END
    if (seen != 3)
        return tarn_thrift_corrupt(r, "dictionary page header misses num_values or encoding");
    if (h->num_values < 0)
        return tarn_thrift_corrupt(r, "negative num_values in a dictionary page header");
    return TARN_OK;
}

static tarn_status rd_data_page_header_v2(rd *r, tarn_pq_data_page_header_v2 *h)
{
    memset(h, 0, sizeof *h);
    h->is_compressed = true;
    unsigned seen = 0;
    int32_t v;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_i32(r, ft, "num_values", &h->num_values));
    seen |= 1;
    break;
case 2:
    TARN_TRY(rd_i32(r, ft, "num_nulls", &h->num_nulls));
    seen |= 2;
    break;
case 3:
    TARN_TRY(rd_i32(r, ft, "num_rows", &h->num_rows));
    seen |= 4;
    break;
case 4:
    TARN_TRY(rd_i32(r, ft, "encoding", &v));
    h->encoding = (tarn_pq_encoding)v;
    seen |= 8;
    break;
case 5:
    TARN_TRY(rd_i32(r, ft, "definition_levels_byte_length", &h->def_levels_byte_length));
    seen |= 16;
    break;
case 6:
    TARN_TRY(rd_i32(r, ft, "repetition_levels_byte_length", &h->rep_levels_byte_length));
    seen |= 32;
    break;
case 7:
    TARN_TRY(rd_bool(r, ft, "is_compressed", &h->is_compressed));
    break;
case 8:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "statistics"));
    TARN_TRY(rd_statistics(r, &h->statistics));
    h->has_statistics = true;
    break;
    FIELD_LOOP_END
    if (seen != 63)
        return tarn_thrift_corrupt(r, "data page v2 header misses a required field");
    if (h->num_values < 0 || h->num_nulls < 0 || h->num_rows < 0 || h->def_levels_byte_length < 0 ||
        h->rep_levels_byte_length < 0)
        return tarn_thrift_corrupt(r, "negative count or length in a data page v2 header");
    return TARN_OK;
}

static tarn_status rd_page_header(rd *r, tarn_pq_page_header *h)
{
    memset(h, 0, sizeof *h);
    unsigned seen = 0;
    int32_t v;
    FIELD_LOOP_BEGIN
case 1:
    TARN_TRY(rd_i32(r, ft, "page type", &v));
    h->type = (tarn_pq_page_type)v; /* unknown types are skipped by the reader */
    seen |= 1;
    break;
case 2:
    TARN_TRY(rd_i32(r, ft, "uncompressed_page_size", &h->uncompressed_page_size));
    seen |= 2;
    break;
case 3:
    TARN_TRY(rd_i32(r, ft, "compressed_page_size", &h->compressed_page_size));
    seen |= 4;
    break;
case 4:
    TARN_TRY(rd_i32(r, ft, "crc", &h->crc));
    h->has_crc = true;
    break;
case 5:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "data_page_header"));
    TARN_TRY(rd_data_page_header(r, &h->data_page_header));
    h->has_data_page_header = true;
    break;
case 7:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "dictionary_page_header"));
    TARN_TRY(rd_dict_page_header(r, &h->dictionary_page_header));
    h->has_dictionary_page_header = true;
    break;
case 8:
    TARN_TRY(want(r, ft, TARN_THRIFT_STRUCT, "data_page_header_v2"));
    TARN_TRY(rd_data_page_header_v2(r, &h->data_page_header_v2));
    h->has_data_page_header_v2 = true;
    break;
    FIELD_LOOP_END
    if (seen != 7)
        return tarn_thrift_corrupt(r, "page header misses its type or sizes");
    if (h->uncompressed_page_size < 0 || h->compressed_page_size < 0)
        return tarn_thrift_corrupt(r, "negative page size");
    return TARN_OK;
}

tarn_status tarn_pq_page_header_decode(const uint8_t *p, size_t n, int64_t base_offset,
                                       tarn_pq_page_header *out, size_t *out_len, tarn_err *err)
{
    rd r;
    tarn_thrift_reader_init(&r, p, n, base_offset, err);
    TARN_TRY(rd_page_header(&r, out));
    *out_len = tarn_thrift_consumed(&r);
    return TARN_OK;
}

/* Names -------------------------------------------------------------------- */

const char *tarn_pq_type_name(tarn_pq_type t)
{
    static const char *const names[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                        "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    return (unsigned)t < TARN_ARRAY_LEN(names) ? names[t] : "UNKNOWN";
}

const char *tarn_pq_encoding_name(tarn_pq_encoding e)
{
    switch (e) {
    case TARN_PQ_ENC_PLAIN:
        return "PLAIN";
    case TARN_PQ_ENC_PLAIN_DICTIONARY:
        return "PLAIN_DICTIONARY";
    case TARN_PQ_ENC_RLE:
        return "RLE";
    case TARN_PQ_ENC_BIT_PACKED:
        return "BIT_PACKED";
    case TARN_PQ_ENC_DELTA_BINARY_PACKED:
        return "DELTA_BINARY_PACKED";
    case TARN_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        return "DELTA_LENGTH_BYTE_ARRAY";
    case TARN_PQ_ENC_DELTA_BYTE_ARRAY:
        return "DELTA_BYTE_ARRAY";
    case TARN_PQ_ENC_RLE_DICTIONARY:
        return "RLE_DICTIONARY";
    case TARN_PQ_ENC_BYTE_STREAM_SPLIT:
        return "BYTE_STREAM_SPLIT";
    }
    return "UNKNOWN";
}

const char *tarn_pq_codec_name(tarn_pq_codec c)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                        "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
    return (unsigned)c < TARN_ARRAY_LEN(names) ? names[c] : "UNKNOWN";
}

const char *tarn_pq_converted_name(tarn_pq_converted c)
{
    static const char *const names[] = {"UTF8",
                                        "MAP",
                                        "MAP_KEY_VALUE",
                                        "LIST",
                                        "ENUM",
                                        "DECIMAL",
                                        "DATE",
                                        "TIME_MILLIS",
                                        "TIME_MICROS",
                                        "TIMESTAMP_MILLIS",
                                        "TIMESTAMP_MICROS",
                                        "UINT_8",
                                        "UINT_16",
                                        "UINT_32",
                                        "UINT_64",
                                        "INT_8",
                                        "INT_16",
                                        "INT_32",
                                        "INT_64",
                                        "JSON",
                                        "BSON",
                                        "INTERVAL"};
    if (c == TARN_PQ_CT_NONE)
        return "NONE";
    return (unsigned)c < TARN_ARRAY_LEN(names) ? names[c] : "UNKNOWN";
}

const char *tarn_pq_page_type_name(tarn_pq_page_type t)
{
    static const char *const names[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE",
                                        "DATA_PAGE_V2"};
    return (unsigned)t < TARN_ARRAY_LEN(names) ? names[t] : "UNKNOWN";
}

const char *tarn_pq_repetition_name(tarn_pq_repetition r)
{
    static const char *const names[] = {"REQUIRED", "OPTIONAL", "REPEATED"};
    return (unsigned)r < TARN_ARRAY_LEN(names) ? names[r] : "UNKNOWN";
}

static const char *unit_name(tarn_pq_time_unit u)
{
    return u == TARN_PQ_MILLIS ? "MILLIS" : u == TARN_PQ_MICROS ? "MICROS" : "NANOS";
}

const char *tarn_pq_logical_format(const tarn_pq_logical *lt, char *out, size_t cap)
{
    switch (lt->kind) {
    case TARN_PQ_LT_NONE:
        snprintf(out, cap, "%s", "");
        break;
    case TARN_PQ_LT_DECIMAL:
        snprintf(out, cap, "DECIMAL(%d,%d)", (int)lt->precision, (int)lt->scale);
        break;
    case TARN_PQ_LT_TIME:
    case TARN_PQ_LT_TIMESTAMP:
        snprintf(out, cap, "%s(%s,%s)", lt->kind == TARN_PQ_LT_TIME ? "TIME" : "TIMESTAMP",
                 unit_name(lt->unit), lt->is_adjusted_to_utc ? "UTC" : "local");
        break;
    case TARN_PQ_LT_INTEGER:
        snprintf(out, cap, "INTEGER(%d,%s)", (int)lt->bit_width,
                 lt->is_signed ? "signed" : "unsigned");
        break;
    default: {
        static const char *const names[] = {
            [TARN_PQ_LT_STRING] = "STRING", [TARN_PQ_LT_MAP] = "MAP",
            [TARN_PQ_LT_LIST] = "LIST",     [TARN_PQ_LT_ENUM] = "ENUM",
            [TARN_PQ_LT_DATE] = "DATE",     [TARN_PQ_LT_UNKNOWN] = "UNKNOWN",
            [TARN_PQ_LT_JSON] = "JSON",     [TARN_PQ_LT_BSON] = "BSON",
            [TARN_PQ_LT_UUID] = "UUID",     [TARN_PQ_LT_FLOAT16] = "FLOAT16"};
        const char *nm = (unsigned)lt->kind < TARN_ARRAY_LEN(names) ? names[lt->kind] : NULL;
        snprintf(out, cap, "%s", nm ? nm : "OTHER");
    }
    }
    return out;
}
