/*
 * parquet/footer_write.c - FileMetaData and PageHeader serialization
 * (parquet.thrift field ids in comments) through tarn_thrift_writer.
 *
 * The thrift writer's errors are sticky, so each top-level function writes
 * everything and checks once at the end; an unbalanced struct nesting is
 * reported as TARN_ERR_INTERNAL (a bug in the caller, never input data).
 */
#include "parquet/footer_write.h"

#include "parquet/thrift.h"

#include <string.h>

static tarn_status finish(tarn_thrift_writer *w, tarn_err *err, const char *what)
{
    if (w->st == TARN_OK && w->depth != 0)
        w->st = TARN_ERR_INTERNAL;
    if (w->st != TARN_OK)
        return tarn_err_set(err, w->st, "cannot serialize the Parquet %s (%s)", what,
                            tarn_status_name(w->st));
    return TARN_OK;
}

static void write_statistics(tarn_thrift_writer *w, int16_t id, const tarn_pq_statistics *s,
                             const tarn_pq_chunk_extra *x)
{
    tarn_thrift_field_struct_begin(w, id);
    if (s->has_max)
        tarn_thrift_field_binary(w, 1, s->max, (size_t)s->max_len);
    if (s->has_min)
        tarn_thrift_field_binary(w, 2, s->min, (size_t)s->min_len);
    if (s->has_null_count)
        tarn_thrift_field_i64(w, 3, s->null_count);
    if (s->has_distinct_count)
        tarn_thrift_field_i64(w, 4, s->distinct_count);
    if (s->has_max_value)
        tarn_thrift_field_binary(w, 5, s->max_value, (size_t)s->max_value_len);
    if (s->has_min_value)
        tarn_thrift_field_binary(w, 6, s->min_value, (size_t)s->min_value_len);
    if (x && x->max_exact >= 0 && s->has_max_value)
        tarn_thrift_field_bool(w, 7, x->max_exact != 0);
    if (x && x->min_exact >= 0 && s->has_min_value)
        tarn_thrift_field_bool(w, 8, x->min_exact != 0);
    tarn_thrift_struct_end(w);
}

static void write_data_page_header(tarn_thrift_writer *w, const tarn_pq_data_page_header *h)
{
    tarn_thrift_field_struct_begin(w, 5);
    tarn_thrift_field_i32(w, 1, h->num_values);
    tarn_thrift_field_i32(w, 2, (int32_t)h->encoding);
    tarn_thrift_field_i32(w, 3, (int32_t)h->def_encoding);
    tarn_thrift_field_i32(w, 4, (int32_t)h->rep_encoding);
    if (h->has_statistics)
        write_statistics(w, 5, &h->statistics, NULL);
    tarn_thrift_struct_end(w);
}

static void write_data_page_header_v2(tarn_thrift_writer *w, const tarn_pq_data_page_header_v2 *h)
{
    tarn_thrift_field_struct_begin(w, 8);
    tarn_thrift_field_i32(w, 1, h->num_values);
    tarn_thrift_field_i32(w, 2, h->num_nulls);
    tarn_thrift_field_i32(w, 3, h->num_rows);
    tarn_thrift_field_i32(w, 4, (int32_t)h->encoding);
    tarn_thrift_field_i32(w, 5, h->def_levels_byte_length);
    tarn_thrift_field_i32(w, 6, h->rep_levels_byte_length);
    tarn_thrift_field_bool(w, 7, h->is_compressed);
    if (h->has_statistics)
        write_statistics(w, 8, &h->statistics, NULL);
    tarn_thrift_struct_end(w);
}

tarn_status tarn_pq_page_header_write(const tarn_pq_page_header *h, tarn_buf *out, tarn_err *err)
{
    tarn_thrift_writer w;
    tarn_thrift_writer_init(&w, out);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_i32(&w, 1, (int32_t)h->type);
    tarn_thrift_field_i32(&w, 2, h->uncompressed_page_size);
    tarn_thrift_field_i32(&w, 3, h->compressed_page_size);
    if (h->has_crc)
        tarn_thrift_field_i32(&w, 4, h->crc);
    if (h->has_data_page_header)
        write_data_page_header(&w, &h->data_page_header);
    if (h->has_dictionary_page_header) {
        tarn_thrift_field_struct_begin(&w, 7);
        tarn_thrift_field_i32(&w, 1, h->dictionary_page_header.num_values);
        tarn_thrift_field_i32(&w, 2, (int32_t)h->dictionary_page_header.encoding);
        if (h->dictionary_page_header.is_sorted)
            tarn_thrift_field_bool(&w, 3, true);
        tarn_thrift_struct_end(&w);
    }
    if (h->has_data_page_header_v2)
        write_data_page_header_v2(&w, &h->data_page_header_v2);
    tarn_thrift_struct_end(&w);
    return finish(&w, err, "page header");
}

/* TimeUnit union: an empty struct in the member for the unit. */
static void write_time_unit(tarn_thrift_writer *w, int16_t id, tarn_pq_time_unit unit)
{
    tarn_thrift_field_struct_begin(w, id);
    tarn_thrift_field_struct_begin(w, (int16_t)unit);
    tarn_thrift_struct_end(w);
    tarn_thrift_struct_end(w);
}

/* LogicalType union (SchemaElement field 10). */
static void write_logical(tarn_thrift_writer *w, const tarn_pq_logical *lt)
{
    tarn_thrift_field_struct_begin(w, 10);
    tarn_thrift_field_struct_begin(w, (int16_t)lt->kind);
    switch (lt->kind) {
    case TARN_PQ_LT_DECIMAL:
        tarn_thrift_field_i32(w, 1, lt->scale);
        tarn_thrift_field_i32(w, 2, lt->precision);
        break;
    case TARN_PQ_LT_TIME:
    case TARN_PQ_LT_TIMESTAMP:
        tarn_thrift_field_bool(w, 1, lt->is_adjusted_to_utc);
        write_time_unit(w, 2, lt->unit);
        break;
    case TARN_PQ_LT_INTEGER:
        tarn_thrift_field_byte(w, 1, lt->bit_width);
        tarn_thrift_field_bool(w, 2, lt->is_signed);
        break;
    default: /* STRING, MAP, LIST, ENUM, DATE, UNKNOWN, JSON, BSON, UUID, FLOAT16: empty */
        break;
    }
    tarn_thrift_struct_end(w);
    tarn_thrift_struct_end(w);
}

static void write_schema_element(tarn_thrift_writer *w, const tarn_pq_schema_element *e)
{
    tarn_thrift_struct_begin(w);
    if (e->has_type)
        tarn_thrift_field_i32(w, 1, (int32_t)e->type);
    if (e->has_type && e->type == TARN_PQ_FIXED_LEN_BYTE_ARRAY)
        tarn_thrift_field_i32(w, 2, e->type_length);
    if (e->has_repetition)
        tarn_thrift_field_i32(w, 3, (int32_t)e->repetition);
    tarn_thrift_field_string(w, 4, e->name ? e->name : "");
    if (!e->has_type)
        tarn_thrift_field_i32(w, 5, e->num_children);
    if (e->converted != TARN_PQ_CT_NONE)
        tarn_thrift_field_i32(w, 6, (int32_t)e->converted);
    if (e->converted == TARN_PQ_CT_DECIMAL) {
        tarn_thrift_field_i32(w, 7, e->scale);
        tarn_thrift_field_i32(w, 8, e->precision);
    }
    if (e->has_field_id)
        tarn_thrift_field_i32(w, 9, e->field_id);
    if (e->logical.kind != TARN_PQ_LT_NONE && e->logical.kind != TARN_PQ_LT_OTHER)
        write_logical(w, &e->logical);
    tarn_thrift_struct_end(w);
}

tarn_status tarn_pq_schema_element_write(const tarn_pq_schema_element *e, tarn_buf *out,
                                         tarn_err *err)
{
    tarn_thrift_writer w;
    tarn_thrift_writer_init(&w, out);
    write_schema_element(&w, e);
    return finish(&w, err, "schema element");
}

static void write_kv_list(tarn_thrift_writer *w, int16_t id, int32_t n, const tarn_pq_kv *kv)
{
    tarn_thrift_field_list(w, id, TARN_THRIFT_STRUCT, n);
    for (int32_t i = 0; i < n; i++) {
        tarn_thrift_struct_begin(w);
        tarn_thrift_field_string(w, 1, kv[i].key);
        if (kv[i].value)
            tarn_thrift_field_string(w, 2, kv[i].value);
        tarn_thrift_struct_end(w);
    }
}

static void write_column_meta(tarn_thrift_writer *w, const tarn_pq_column_meta *m,
                              const tarn_pq_chunk_extra *x)
{
    tarn_thrift_field_struct_begin(w, 3);
    tarn_thrift_field_i32(w, 1, (int32_t)m->type);
    tarn_thrift_field_list(w, 2, TARN_THRIFT_I32, m->n_encodings);
    for (int32_t i = 0; i < m->n_encodings; i++)
        tarn_thrift_i32_elem(w, (int32_t)m->encodings[i]);
    tarn_thrift_field_list(w, 3, TARN_THRIFT_BINARY, m->n_path);
    for (int32_t i = 0; i < m->n_path; i++)
        tarn_thrift_binary_elem(w, m->path_in_schema[i], strlen(m->path_in_schema[i]));
    tarn_thrift_field_i32(w, 4, (int32_t)m->codec);
    tarn_thrift_field_i64(w, 5, m->num_values);
    tarn_thrift_field_i64(w, 6, m->total_uncompressed_size);
    tarn_thrift_field_i64(w, 7, m->total_compressed_size);
    if (m->n_kv > 0)
        write_kv_list(w, 8, m->n_kv, m->kv);
    tarn_thrift_field_i64(w, 9, m->data_page_offset);
    if (m->has_index_page_offset)
        tarn_thrift_field_i64(w, 10, m->index_page_offset);
    if (m->has_dictionary_page_offset)
        tarn_thrift_field_i64(w, 11, m->dictionary_page_offset);
    if (m->has_statistics)
        write_statistics(w, 12, &m->statistics, x);
    if (x && x->n_enc_stats > 0) {
        tarn_thrift_field_list(w, 13, TARN_THRIFT_STRUCT, x->n_enc_stats);
        for (int i = 0; i < x->n_enc_stats; i++) {
            tarn_thrift_struct_begin(w);
            tarn_thrift_field_i32(w, 1, (int32_t)x->enc_stats[i].page_type);
            tarn_thrift_field_i32(w, 2, (int32_t)x->enc_stats[i].encoding);
            tarn_thrift_field_i32(w, 3, x->enc_stats[i].count);
            tarn_thrift_struct_end(w);
        }
    }
    tarn_thrift_struct_end(w);
}

static void write_row_group(tarn_thrift_writer *w, const tarn_pq_row_group *rg,
                            const tarn_pq_chunk_extra *extra)
{
    tarn_thrift_struct_begin(w);
    tarn_thrift_field_list(w, 1, TARN_THRIFT_STRUCT, rg->n_columns);
    for (int32_t c = 0; c < rg->n_columns; c++) {
        const tarn_pq_column_chunk *cc = &rg->columns[c];
        tarn_thrift_struct_begin(w);
        if (cc->file_path)
            tarn_thrift_field_string(w, 1, cc->file_path);
        tarn_thrift_field_i64(w, 2, cc->file_offset);
        if (cc->has_meta_data)
            write_column_meta(w, &cc->meta_data, extra ? &extra[c] : NULL);
        tarn_thrift_struct_end(w);
    }
    tarn_thrift_field_i64(w, 2, rg->total_byte_size);
    tarn_thrift_field_i64(w, 3, rg->num_rows);
    if (rg->has_file_offset)
        tarn_thrift_field_i64(w, 5, rg->file_offset);
    if (rg->has_total_compressed_size)
        tarn_thrift_field_i64(w, 6, rg->total_compressed_size);
    if (rg->has_ordinal)
        tarn_thrift_field_i16(w, 7, rg->ordinal);
    tarn_thrift_struct_end(w);
}

tarn_status tarn_pq_file_meta_write(const tarn_pq_file_meta *m, const tarn_pq_chunk_extra *extra,
                                    tarn_buf *out, tarn_err *err)
{
    tarn_thrift_writer w;
    tarn_thrift_writer_init(&w, out);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_i32(&w, 1, m->version);
    tarn_thrift_field_list(&w, 2, TARN_THRIFT_STRUCT, m->n_schema);
    for (int32_t i = 0; i < m->n_schema; i++)
        write_schema_element(&w, &m->schema[i]);
    tarn_thrift_field_i64(&w, 3, m->num_rows);
    tarn_thrift_field_list(&w, 4, TARN_THRIFT_STRUCT, m->n_row_groups);
    for (int32_t g = 0; g < m->n_row_groups; g++) {
        const tarn_pq_row_group *rg = &m->row_groups[g];
        write_row_group(&w, rg, extra ? extra + (size_t)g * (size_t)rg->n_columns : NULL);
    }
    if (m->n_kv > 0)
        write_kv_list(&w, 5, m->n_kv, m->kv);
    if (m->created_by)
        tarn_thrift_field_string(&w, 6, m->created_by);
    if (m->n_column_orders > 0) {
        tarn_thrift_field_list(&w, 7, TARN_THRIFT_STRUCT, m->n_column_orders);
        for (int32_t i = 0; i < m->n_column_orders; i++) {
            tarn_thrift_struct_begin(&w);          /* ColumnOrder union */
            tarn_thrift_field_struct_begin(&w, 1); /* TYPE_ORDER: TypeDefinedOrder {} */
            tarn_thrift_struct_end(&w);
            tarn_thrift_struct_end(&w);
        }
    }
    tarn_thrift_struct_end(&w);
    return finish(&w, err, "footer");
}
