/*
 * tests/parquet/test_footer.c - FileMetaData and PageHeader decoding from
 * Thrift compact bytes: a hand-built footer decodes field by field; every
 * truncation and thousands of byte mutations of it fail cleanly (run under
 * ASan to prove no out-of-bounds read); invalid enums, missing required
 * fields, over-long lists and negative sizes are TARN_ERR_CORRUPT with an
 * offset; enum names.
 */
#include "tarn_test.h"

#include "parquet/footer.h"
#include "parquet/thrift.h"

/* A small valid footer: root + id INT64 REQUIRED (field id 7) + name
 * BYTE_ARRAY OPTIONAL STRING, one row group with statistics, key/value
 * metadata and created_by. */
static void build_footer(tarn_buf *out)
{
    tarn_thrift_writer w;
    tarn_thrift_writer_init(&w, out);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_i32(&w, 1, 2);
    tarn_thrift_field_list(&w, 2, TARN_THRIFT_STRUCT, 3);
    tarn_thrift_struct_begin(&w); /* root */
    tarn_thrift_field_string(&w, 4, "schema");
    tarn_thrift_field_i32(&w, 5, 2);
    tarn_thrift_struct_end(&w);
    tarn_thrift_struct_begin(&w); /* id */
    tarn_thrift_field_i32(&w, 1, TARN_PQ_INT64);
    tarn_thrift_field_i32(&w, 3, TARN_PQ_REQUIRED);
    tarn_thrift_field_string(&w, 4, "id");
    tarn_thrift_field_i32(&w, 9, 7);
    tarn_thrift_struct_end(&w);
    tarn_thrift_struct_begin(&w); /* name */
    tarn_thrift_field_i32(&w, 1, TARN_PQ_BYTE_ARRAY);
    tarn_thrift_field_i32(&w, 3, TARN_PQ_OPTIONAL);
    tarn_thrift_field_string(&w, 4, "name");
    tarn_thrift_field_i32(&w, 6, TARN_PQ_CT_UTF8);
    tarn_thrift_field_struct_begin(&w, 10); /* LogicalType */
    tarn_thrift_field_struct_begin(&w, 1);  /* STRING */
    tarn_thrift_struct_end(&w);
    tarn_thrift_struct_end(&w);
    tarn_thrift_struct_end(&w);
    tarn_thrift_field_i64(&w, 3, 1000);
    tarn_thrift_field_list(&w, 4, TARN_THRIFT_STRUCT, 1);
    tarn_thrift_struct_begin(&w); /* RowGroup */
    tarn_thrift_field_list(&w, 1, TARN_THRIFT_STRUCT, 2);
    for (int c = 0; c < 2; c++) {
        tarn_thrift_struct_begin(&w); /* ColumnChunk */
        tarn_thrift_field_i64(&w, 2, 4 + c * 100);
        tarn_thrift_field_struct_begin(&w, 3); /* ColumnMetaData */
        tarn_thrift_field_i32(&w, 1, c ? TARN_PQ_BYTE_ARRAY : TARN_PQ_INT64);
        tarn_thrift_field_list(&w, 2, TARN_THRIFT_I32, 2);
        tarn_thrift_i32_elem(&w, TARN_PQ_ENC_PLAIN);
        tarn_thrift_i32_elem(&w, TARN_PQ_ENC_RLE);
        tarn_thrift_field_list(&w, 3, TARN_THRIFT_BINARY, 1);
        tarn_thrift_binary_elem(&w, c ? "name" : "id", c ? 4 : 2);
        tarn_thrift_field_i32(&w, 4, TARN_PQ_ZSTD);
        tarn_thrift_field_i64(&w, 5, 1000);
        tarn_thrift_field_i64(&w, 6, 9000);
        tarn_thrift_field_i64(&w, 7, 100);
        tarn_thrift_field_i64(&w, 9, 4 + c * 100);
        tarn_thrift_field_struct_begin(&w, 12); /* Statistics */
        tarn_thrift_field_i64(&w, 3, c);
        tarn_thrift_field_binary(&w, 5, "zz", 2);
        tarn_thrift_field_binary(&w, 6, "aa", 2);
        tarn_thrift_struct_end(&w);
        tarn_thrift_struct_end(&w);
        tarn_thrift_struct_end(&w);
    }
    tarn_thrift_field_i64(&w, 2, 9000);
    tarn_thrift_field_i64(&w, 3, 1000);
    tarn_thrift_struct_end(&w);
    tarn_thrift_field_list(&w, 5, TARN_THRIFT_STRUCT, 1);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_string(&w, 1, "k");
    tarn_thrift_field_string(&w, 2, "v");
    tarn_thrift_struct_end(&w);
    tarn_thrift_field_string(&w, 6, "tarn test");
    tarn_thrift_struct_end(&w);
    assert_int_equal(w.st, TARN_OK);
}

static void test_decode_footer(void **state)
{
    (void)state;
    tarn_buf b = TARN_BUF_INIT;
    build_footer(&b);
    tarn_arena *a = tarn_arena_create(0);
    tarn_pq_file_meta m;
    tarn_err err;
    assert_int_equal(tarn_pq_footer_decode((uint8_t *)b.data, b.len, 0, a, &m, &err), TARN_OK);
    assert_int_equal(m.version, 2);
    assert_int_equal(m.n_schema, 3);
    assert_string_equal(m.schema[0].name, "schema");
    assert_int_equal(m.schema[0].num_children, 2);
    assert_false(m.schema[0].has_type);
    assert_true(m.schema[1].has_field_id);
    assert_int_equal(m.schema[1].field_id, 7);
    assert_int_equal(m.schema[1].type, TARN_PQ_INT64);
    assert_int_equal(m.schema[2].converted, TARN_PQ_CT_UTF8);
    assert_int_equal(m.schema[2].logical.kind, TARN_PQ_LT_STRING);
    assert_int_equal(m.schema[1].converted, TARN_PQ_CT_NONE);
    assert_int_equal(m.num_rows, 1000);
    assert_int_equal(m.n_row_groups, 1);
    const tarn_pq_row_group *rg = &m.row_groups[0];
    assert_int_equal(rg->n_columns, 2);
    assert_int_equal(rg->num_rows, 1000);
    const tarn_pq_column_meta *cm = &rg->columns[1].meta_data;
    assert_true(rg->columns[1].has_meta_data);
    assert_int_equal(cm->codec, TARN_PQ_ZSTD);
    assert_int_equal(cm->n_encodings, 2);
    assert_int_equal(cm->encodings[1], TARN_PQ_ENC_RLE);
    assert_string_equal(cm->path_in_schema[0], "name");
    assert_int_equal(cm->data_page_offset, 104);
    assert_true(cm->has_statistics);
    assert_int_equal(cm->statistics.null_count, 1);
    assert_true(cm->statistics.has_min_value);
    assert_memory_equal(cm->statistics.min_value, "aa", 2);
    assert_false(cm->statistics.has_min);
    assert_int_equal(m.n_kv, 1);
    assert_string_equal(m.kv[0].key, "k");
    assert_string_equal(m.kv[0].value, "v");
    assert_string_equal(m.created_by, "tarn test");
    assert_false(m.has_encryption_algorithm);
    tarn_arena_destroy(a);
    tarn_buf_fini(&b);
}

/* Every prefix of the footer must fail, with the offset inside the prefix. */
static void test_truncated_footer(void **state)
{
    (void)state;
    tarn_buf b = TARN_BUF_INIT;
    build_footer(&b);
    for (size_t n = 0; n < b.len; n++) {
        /* A fresh heap copy so ASan catches any read past n. */
        uint8_t *p = tarn_alloc(n ? n : 1);
        memcpy(p, b.data, n);
        tarn_arena *a = tarn_arena_create(0);
        tarn_pq_file_meta m;
        tarn_err err;
        tarn_err_clear(&err);
        assert_int_equal(tarn_pq_footer_decode(p, n, 1000, a, &m, &err), TARN_ERR_CORRUPT);
        assert_true(err.offset >= 1000 && err.offset <= 1000 + (int64_t)n);
        tarn_arena_destroy(a);
        tarn_free(p);
    }
    tarn_buf_fini(&b);
}

/* Byte mutations: any result is fine, as long as nothing crashes. */
static void test_mutated_footer(void **state)
{
    (void)state;
    tarn_buf b = TARN_BUF_INIT;
    build_footer(&b);
    static const uint8_t vals[] = {0x00, 0x01, 0x0f, 0x19, 0x7f, 0x80, 0xc8, 0xff};
    int ok = 0, bad = 0;
    for (size_t i = 0; i < b.len; i++) {
        for (size_t k = 0; k < sizeof vals; k++) {
            uint8_t *p = tarn_alloc(b.len);
            memcpy(p, b.data, b.len);
            p[i] = vals[k];
            tarn_arena *a = tarn_arena_create(0);
            tarn_pq_file_meta m;
            tarn_err err;
            if (tarn_pq_footer_decode(p, b.len, 0, a, &m, &err) == TARN_OK)
                ok++;
            else
                bad++;
            tarn_arena_destroy(a);
            tarn_free(p);
        }
    }
    assert_true(ok > 0 && bad > 0);
    tarn_buf_fini(&b);
}

static tarn_status decode_bytes(const uint8_t *p, size_t n, tarn_err *err)
{
    tarn_arena *a = tarn_arena_create(0);
    tarn_pq_file_meta m;
    tarn_status st = tarn_pq_footer_decode(p, n, 0, a, &m, err);
    tarn_arena_destroy(a);
    return st;
}

static void test_invalid_footers(void **state)
{
    (void)state;
    tarn_err err;
    tarn_buf b = TARN_BUF_INIT;
    tarn_thrift_writer w;

    /* Physical type 8 does not exist. */
    tarn_thrift_writer_init(&w, &b);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_list(&w, 2, TARN_THRIFT_STRUCT, 1);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_i32(&w, 1, 8);
    tarn_thrift_field_string(&w, 4, "x");
    tarn_thrift_struct_end(&w);
    tarn_thrift_field_i64(&w, 3, 0);
    tarn_thrift_field_list(&w, 4, TARN_THRIFT_STRUCT, 0);
    tarn_thrift_struct_end(&w);
    assert_int_equal(decode_bytes((uint8_t *)b.data, b.len, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "invalid physical type 8"));

    /* Missing row_groups. */
    tarn_buf_reset(&b);
    tarn_thrift_writer_init(&w, &b);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_list(&w, 2, TARN_THRIFT_STRUCT, 1);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_string(&w, 4, "root");
    tarn_thrift_struct_end(&w);
    tarn_thrift_field_i64(&w, 3, 0);
    tarn_thrift_struct_end(&w);
    assert_int_equal(decode_bytes((uint8_t *)b.data, b.len, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "misses"));

    /* A field of the wrong type (num_rows as a string). */
    tarn_buf_reset(&b);
    tarn_thrift_writer_init(&w, &b);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_string(&w, 3, "many");
    tarn_thrift_struct_end(&w);
    assert_int_equal(decode_bytes((uint8_t *)b.data, b.len, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "wrong type"));

    /* A list claiming more elements than bytes remain. */
    uint8_t huge_list[] = {0x29, 0xfc, 0xff, 0xff, 0xff, 0x07, 0x00};
    assert_int_equal(decode_bytes(huge_list, sizeof huge_list, &err), TARN_ERR_CORRUPT);

    /* Nesting past the Thrift depth limit. */
    tarn_buf_reset(&b);
    for (int i = 0; i < 40; i++)
        assert_int_equal(tarn_buf_append_char(&b, 0x1c), TARN_OK); /* field 1, struct */
    assert_int_equal(decode_bytes((uint8_t *)b.data, b.len, &err), TARN_ERR_CORRUPT);
    tarn_buf_fini(&b);
}

static void test_page_headers(void **state)
{
    (void)state;
    tarn_buf b = TARN_BUF_INIT;
    tarn_thrift_writer w;
    tarn_thrift_writer_init(&w, &b);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_i32(&w, 1, TARN_PQ_DATA_PAGE_V2);
    tarn_thrift_field_i32(&w, 2, 100);
    tarn_thrift_field_i32(&w, 3, 80);
    tarn_thrift_field_i32(&w, 4, -5);
    tarn_thrift_field_struct_begin(&w, 8);
    tarn_thrift_field_i32(&w, 1, 10);
    tarn_thrift_field_i32(&w, 2, 3);
    tarn_thrift_field_i32(&w, 3, 10);
    tarn_thrift_field_i32(&w, 4, TARN_PQ_ENC_RLE_DICTIONARY);
    tarn_thrift_field_i32(&w, 5, 4);
    tarn_thrift_field_i32(&w, 6, 0);
    tarn_thrift_field_bool(&w, 7, false);
    tarn_thrift_struct_end(&w);
    tarn_thrift_struct_end(&w);
    size_t full = b.len;
    assert_int_equal(tarn_buf_append(&b, "tail", 4), TARN_OK); /* page data follows */
    tarn_pq_page_header h;
    size_t hlen;
    tarn_err err;
    assert_int_equal(tarn_pq_page_header_decode((uint8_t *)b.data, b.len, 50, &h, &hlen, &err),
                     TARN_OK);
    assert_int_equal(hlen, full);
    assert_int_equal(h.type, TARN_PQ_DATA_PAGE_V2);
    assert_int_equal(h.compressed_page_size, 80);
    assert_true(h.has_crc);
    assert_int_equal(h.crc, -5);
    assert_true(h.has_data_page_header_v2);
    assert_int_equal(h.data_page_header_v2.num_nulls, 3);
    assert_false(h.data_page_header_v2.is_compressed);
    for (size_t n = 0; n < full; n++) {
        uint8_t *p = tarn_alloc(n ? n : 1);
        memcpy(p, b.data, n);
        assert_int_equal(tarn_pq_page_header_decode(p, n, 50, &h, &hlen, &err), TARN_ERR_CORRUPT);
        assert_true(err.offset >= 50);
        tarn_free(p);
    }

    /* Negative sizes are corrupt. */
    tarn_buf_reset(&b);
    tarn_thrift_writer_init(&w, &b);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_i32(&w, 1, TARN_PQ_DATA_PAGE);
    tarn_thrift_field_i32(&w, 2, -1);
    tarn_thrift_field_i32(&w, 3, 10);
    tarn_thrift_struct_end(&w);
    assert_int_equal(tarn_pq_page_header_decode((uint8_t *)b.data, b.len, 0, &h, &hlen, &err),
                     TARN_ERR_CORRUPT);
    /* Dictionary header without num_values. */
    tarn_buf_reset(&b);
    tarn_thrift_writer_init(&w, &b);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_i32(&w, 1, TARN_PQ_DICTIONARY_PAGE);
    tarn_thrift_field_i32(&w, 2, 1);
    tarn_thrift_field_i32(&w, 3, 1);
    tarn_thrift_field_struct_begin(&w, 7);
    tarn_thrift_field_i32(&w, 2, TARN_PQ_ENC_PLAIN);
    tarn_thrift_struct_end(&w);
    tarn_thrift_struct_end(&w);
    assert_int_equal(tarn_pq_page_header_decode((uint8_t *)b.data, b.len, 0, &h, &hlen, &err),
                     TARN_ERR_CORRUPT);
    tarn_buf_fini(&b);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tarn_pq_type_name(TARN_PQ_FIXED_LEN_BYTE_ARRAY), "FIXED_LEN_BYTE_ARRAY");
    assert_string_equal(tarn_pq_type_name((tarn_pq_type)42), "UNKNOWN");
    assert_string_equal(tarn_pq_encoding_name(TARN_PQ_ENC_BYTE_STREAM_SPLIT), "BYTE_STREAM_SPLIT");
    assert_string_equal(tarn_pq_encoding_name((tarn_pq_encoding)1), "UNKNOWN");
    assert_string_equal(tarn_pq_codec_name(TARN_PQ_LZ4_RAW), "LZ4_RAW");
    assert_string_equal(tarn_pq_converted_name(TARN_PQ_CT_TIMESTAMP_MICROS), "TIMESTAMP_MICROS");
    assert_string_equal(tarn_pq_converted_name(TARN_PQ_CT_NONE), "NONE");
    assert_string_equal(tarn_pq_page_type_name(TARN_PQ_DICTIONARY_PAGE), "DICTIONARY_PAGE");
    assert_string_equal(tarn_pq_repetition_name(TARN_PQ_REPEATED), "REPEATED");
    char buf[64];
    tarn_pq_logical lt = {
        .kind = TARN_PQ_LT_TIMESTAMP, .unit = TARN_PQ_MICROS, .is_adjusted_to_utc = true};
    assert_string_equal(tarn_pq_logical_format(&lt, buf, sizeof buf), "TIMESTAMP(MICROS,UTC)");
    lt = (tarn_pq_logical){.kind = TARN_PQ_LT_DECIMAL, .precision = 10, .scale = 2};
    assert_string_equal(tarn_pq_logical_format(&lt, buf, sizeof buf), "DECIMAL(10,2)");
    lt = (tarn_pq_logical){.kind = TARN_PQ_LT_INTEGER, .bit_width = 16, .is_signed = false};
    assert_string_equal(tarn_pq_logical_format(&lt, buf, sizeof buf), "INTEGER(16,unsigned)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_footer),  cmocka_unit_test(test_truncated_footer),
        cmocka_unit_test(test_mutated_footer), cmocka_unit_test(test_invalid_footers),
        cmocka_unit_test(test_page_headers),   cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
