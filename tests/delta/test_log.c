/*
 * tests/delta/test_log.c - Delta commit-file parsing (every action, required
 * fields, malformed lines with file:line, unknown actions), commit names,
 * URI decoding and path resolution.
 */
#include "tarn_test.h"

#include "delta/log.h"

static tarn_arena *A;

static int setup(void **state)
{
    (void)state;
    A = tarn_arena_create(0);
    return A ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tarn_arena_destroy(A);
    return 0;
}

static tarn_status parse(const char *text, tarn_delta_actions *out, tarn_err *err)
{
    tarn_err_clear(err);
    return tarn_delta_actions_parse(text, strlen(text), "_delta_log/00000000000000000007.json", A,
                                    out, err);
}

static void test_all_actions(void **state)
{
    (void)state;
    const char *text =
        "{\"commitInfo\":{\"timestamp\":1700000000123,\"inCommitTimestamp\":1700000000456,"
        "\"operation\":\"WRITE\",\"operationParameters\":{\"mode\":\"Append\"},"
        "\"operationMetrics\":{\"numFiles\":\"1\"},\"engineInfo\":\"tarn\"}}\n"
        "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
        "\"readerFeatures\":[\"deletionVectors\"],\"writerFeatures\":[\"deletionVectors\","
        "\"appendOnly\"]}}\n"
        "{\"metaData\":{\"id\":\"abc\",\"name\":\"t\",\"format\":{\"provider\":\"parquet\","
        "\"options\":{}},\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[]}\","
        "\"partitionColumns\":[\"p\",\"q\"],\"configuration\":{\"delta.appendOnly\":\"true\","
        "\"x\":null},\"createdTime\":42}}\n"
        "{\"txn\":{\"appId\":\"app\",\"version\":3,\"lastUpdated\":99}}\n"
        "{\"remove\":{\"path\":\"p=1/a.parquet\",\"deletionTimestamp\":5,\"dataChange\":true,"
        "\"extendedFileMetadata\":true,\"partitionValues\":{\"p\":\"1\"},\"size\":10}}\n"
        "{\"add\":{\"path\":\"p=1/b%20c.parquet\",\"partitionValues\":{\"p\":\"1\",\"q\":null},"
        "\"size\":123,\"modificationTime\":456,\"dataChange\":false,"
        "\"stats\":\"{\\\"numRecords\\\":3}\",\"tags\":{\"k\":\"v\"},"
        "\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"ab^-aqEH.-t@S}K{vb[*k^\","
        "\"offset\":4,\"sizeInBytes\":40,\"cardinality\":6},\"baseRowId\":7,"
        "\"defaultRowCommitVersion\":2}}\n";
    tarn_delta_actions acts;
    tarn_err err;
    assert_int_equal(parse(text, &acts, &err), TARN_OK);

    assert_true(acts.commit_info.present);
    assert_true(acts.commit_info.has_timestamp);
    assert_int_equal(acts.commit_info.timestamp, 1700000000123LL);
    assert_true(acts.commit_info.has_in_commit_timestamp);
    assert_int_equal(acts.commit_info.in_commit_timestamp, 1700000000456LL);
    assert_string_equal(acts.commit_info.operation, "WRITE");
    assert_string_equal(acts.commit_info.operation_parameters, "{\"mode\":\"Append\"}");
    assert_string_equal(acts.commit_info.operation_metrics, "{\"numFiles\":\"1\"}");
    assert_string_equal(acts.commit_info.engine_info, "tarn");
    assert_non_null(strstr(acts.commit_info.json, "\"operation\":\"WRITE\""));

    assert_true(acts.has_protocol);
    assert_int_equal(acts.protocol.min_reader_version, 3);
    assert_int_equal(acts.protocol.min_writer_version, 7);
    assert_true(acts.protocol.has_reader_features);
    assert_int_equal(acts.protocol.n_reader_features, 1);
    assert_string_equal(acts.protocol.reader_features[0], "deletionVectors");
    assert_int_equal(acts.protocol.n_writer_features, 2);
    assert_string_equal(acts.protocol.writer_features[1], "appendOnly");

    assert_true(acts.has_metadata);
    assert_string_equal(acts.metadata.id, "abc");
    assert_string_equal(acts.metadata.name, "t");
    assert_null(acts.metadata.description);
    assert_string_equal(acts.metadata.format_provider, "parquet");
    assert_string_equal(acts.metadata.schema_string, "{\"type\":\"struct\",\"fields\":[]}");
    assert_int_equal(acts.metadata.n_partition_columns, 2);
    assert_string_equal(acts.metadata.partition_columns[1], "q");
    assert_int_equal(acts.metadata.n_configuration, 2);
    assert_string_equal(tarn_delta_kv_get(acts.metadata.configuration, 2, "delta.appendOnly"),
                        "true");
    assert_null(tarn_delta_kv_get(acts.metadata.configuration, 2, "x"));
    assert_null(tarn_delta_kv_get(acts.metadata.configuration, 2, "missing"));
    assert_true(acts.metadata.has_created_time);
    assert_int_equal(acts.metadata.created_time, 42);

    assert_int_equal(acts.n_txns, 1);
    assert_string_equal(acts.txns[0].app_id, "app");
    assert_int_equal(acts.txns[0].version, 3);
    assert_true(acts.txns[0].has_last_updated);
    assert_int_equal(acts.txns[0].last_updated, 99);

    assert_int_equal(acts.n_removes, 1);
    const tarn_delta_remove *rm = &acts.removes[0];
    assert_string_equal(rm->path, "p=1/a.parquet");
    assert_true(rm->has_deletion_timestamp);
    assert_int_equal(rm->deletion_timestamp, 5);
    assert_true(rm->data_change);
    assert_true(rm->extended_file_metadata);
    assert_int_equal(rm->n_partition_values, 1);
    assert_true(rm->has_size);
    assert_int_equal(rm->size, 10);
    assert_false(rm->has_dv);

    assert_int_equal(acts.n_adds, 1);
    const tarn_delta_add *ad = &acts.adds[0];
    assert_string_equal(ad->path, "p=1/b%20c.parquet");
    assert_int_equal(ad->n_partition_values, 2);
    assert_string_equal(ad->partition_values[0].key, "p");
    assert_string_equal(ad->partition_values[0].value, "1");
    assert_string_equal(ad->partition_values[1].key, "q");
    assert_null(ad->partition_values[1].value);
    assert_int_equal(ad->size, 123);
    assert_int_equal(ad->modification_time, 456);
    assert_false(ad->data_change);
    assert_string_equal(ad->stats, "{\"numRecords\":3}");
    assert_int_equal(ad->n_tags, 1);
    assert_true(ad->has_dv);
    assert_int_equal(ad->dv.storage_type, 'u');
    assert_string_equal(ad->dv.path_or_inline, "ab^-aqEH.-t@S}K{vb[*k^");
    assert_true(ad->dv.has_offset);
    assert_int_equal(ad->dv.offset, 4);
    assert_int_equal(ad->dv.size_in_bytes, 40);
    assert_int_equal(ad->dv.cardinality, 6);
    assert_true(ad->has_base_row_id);
    assert_int_equal(ad->base_row_id, 7);
    assert_true(ad->has_default_row_commit_version);
    assert_int_equal(ad->default_row_commit_version, 2);
}

static void test_unknown_and_blank(void **state)
{
    (void)state;
    const char *text = "\n"
                       "{\"cdc\":{\"path\":\"_change_data/x.parquet\",\"partitionValues\":{},"
                       "\"size\":1,\"dataChange\":false}}\r\n"
                       "   \n"
                       "{\"domainMetadata\":{\"domain\":\"d\",\"configuration\":\"{}\","
                       "\"removed\":false}}\n"
                       "{\"someFutureAction\":{\"x\":[1,2,3]}}\n"
                       "{\"add\":null}\n"
                       "{\"add\":{\"path\":\"a\",\"partitionValues\":{},\"size\":1,"
                       "\"modificationTime\":1,\"dataChange\":true,\"futureField\":1}}";
    tarn_delta_actions acts;
    tarn_err err;
    assert_int_equal(parse(text, &acts, &err), TARN_OK);
    assert_int_equal(acts.n_adds, 1);
    assert_int_equal(acts.n_removes, 0);
    assert_false(acts.has_metadata);
    assert_false(acts.commit_info.present);
    assert_false(acts.adds[0].has_dv);
    assert_null(acts.adds[0].stats);

    assert_int_equal(parse("", &acts, &err), TARN_OK);
    assert_int_equal(acts.n_adds, 0);
}

static void expect_corrupt(const char *text, int64_t line, const char *needle)
{
    tarn_delta_actions acts;
    tarn_err err;
    assert_int_equal(parse(text, &acts, &err), TARN_ERR_CORRUPT);
    assert_string_equal(err.path, "_delta_log/00000000000000000007.json");
    assert_int_equal(err.line, line);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void test_errors(void **state)
{
    (void)state;
    const char *ok = "{\"txn\":{\"appId\":\"a\",\"version\":1}}\n";
    char buf[512];
    /* malformed JSON on line 2 */
    snprintf(buf, sizeof buf, "%s{\"add\":{\"path\":\"a\",}\n", ok);
    expect_corrupt(buf, 2, "malformed JSON");
    /* truncated final line */
    snprintf(buf, sizeof buf, "%s%s{\"txn\":{\"appId\":", ok, ok);
    expect_corrupt(buf, 3, "malformed JSON");
    /* a line that is not an object */
    expect_corrupt("[1,2]\n", 1, "JSON object");
    /* known action that is not an object */
    expect_corrupt("{\"add\":5}", 1, "add action must be a JSON object");
    /* missing required fields */
    expect_corrupt("{\"add\":{\"path\":\"a\",\"partitionValues\":{},\"modificationTime\":1,"
                   "\"dataChange\":true}}",
                   1, "add action: missing required field 'size'");
    expect_corrupt("{\"add\":{\"partitionValues\":{},\"size\":1,\"modificationTime\":1,"
                   "\"dataChange\":true}}",
                   1, "missing required field 'path'");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"size\":1,\"modificationTime\":1,"
                   "\"dataChange\":true}}",
                   1, "'partitionValues'");
    expect_corrupt("{\"remove\":{\"path\":\"a\"}}", 1,
                   "remove action: missing required field "
                   "'dataChange'");
    expect_corrupt("{\"metaData\":{\"id\":\"x\",\"partitionColumns\":[]}}", 1,
                   "metaData action: missing required field 'schemaString'");
    expect_corrupt("{\"protocol\":{\"minReaderVersion\":1}}", 1,
                   "protocol action: missing required field 'minWriterVersion'");
    expect_corrupt("{\"txn\":{\"version\":1}}", 1, "txn action: missing required field 'appId'");
    /* wrong types */
    expect_corrupt("{\"add\":{\"path\":1,\"partitionValues\":{},\"size\":1,"
                   "\"modificationTime\":1,\"dataChange\":true}}",
                   1, "'path' must be a string");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"partitionValues\":{},\"size\":\"1\","
                   "\"modificationTime\":1,\"dataChange\":true}}",
                   1, "'size' must be an integer");
    expect_corrupt("{\"add\":{\"path\":\"a\",\"partitionValues\":{},\"size\":1,"
                   "\"modificationTime\":1,\"dataChange\":true,\"deletionVector\":"
                   "{\"storageType\":\"x\",\"pathOrInlineDv\":\"a\",\"sizeInBytes\":1,"
                   "\"cardinality\":1}}}",
                   1, "storageType 'x'");
    /* the location shows in the formatted error */
    tarn_delta_actions acts;
    tarn_err err;
    assert_int_equal(parse("{}\n{oops}\n", &acts, &err), TARN_ERR_CORRUPT);
    char msg[1024];
    tarn_err_format(&err, msg, sizeof msg);
    assert_non_null(strstr(msg, "_delta_log/00000000000000000007.json:2"));
}

static void test_names_and_uri(void **state)
{
    (void)state;
    char name[32];
    tarn_delta_commit_name(0, name);
    assert_string_equal(name, "00000000000000000000.json");
    tarn_delta_commit_name(1234567, name);
    assert_string_equal(name, "00000000000001234567.json");

    assert_string_equal(tarn_delta_uri_decode(A, "a%20b"), "a b");
    /* exactly once: %252F is the on-disk name %2F */
    assert_string_equal(tarn_delta_uri_decode(A, "letter=%252F%252520%2525f/x"),
                        "letter=%2F%2520%25f/x");
    assert_string_equal(tarn_delta_uri_decode(A, "x=A%252FA"), "x=A%2FA");
    assert_string_equal(tarn_delta_uri_decode(A, "data=\xf0\x9f\x98\x88/p"),
                        "data=\xf0\x9f\x98\x88/p");
    assert_string_equal(tarn_delta_uri_decode(A, "%e2%82%AC"), "\xe2\x82\xac");
    assert_string_equal(tarn_delta_uri_decode(A, "100%"), "100%");
    assert_string_equal(tarn_delta_uri_decode(A, "%zz%4"), "%zz%4");
    assert_string_equal(tarn_delta_uri_decode(A, "a+b"), "a+b");
    assert_string_equal(tarn_delta_uri_decode(A, ""), "");

    tarn_delta_kv kv[2] = {{"a", "1"}, {"b", NULL}};
    assert_string_equal(tarn_delta_kv_get(kv, 2, "a"), "1");
    assert_null(tarn_delta_kv_get(kv, 2, "b"));
    assert_null(tarn_delta_kv_get(kv, 2, "c"));
}

static void test_path_resolve(void **state)
{
    (void)state;
    char *p;
    tarn_err err;
    assert_int_equal(tarn_delta_path_resolve(A, "/t", "x=a%20b/f.parquet", &p, &err), TARN_OK);
    assert_string_equal(p, "/t/x=a b/f.parquet");
    assert_int_equal(tarn_delta_path_resolve(A, "/t", "file:/data/f%25.parquet", &p, &err),
                     TARN_OK);
    assert_string_equal(p, "/data/f%.parquet");
    assert_int_equal(tarn_delta_path_resolve(A, "/t", "file:///data/f.parquet", &p, &err), TARN_OK);
    assert_string_equal(p, "/data/f.parquet");
    assert_int_equal(tarn_delta_path_resolve(A, "/t", "file://localhost/d/f", &p, &err), TARN_OK);
    assert_string_equal(p, "/d/f");
    assert_int_equal(tarn_delta_path_resolve(A, "/t", "/abs/f.parquet", &p, &err), TARN_OK);
    assert_string_equal(p, "/abs/f.parquet");
    assert_int_equal(tarn_delta_path_resolve(A, "rel", "x:y/f.parquet", &p, &err), TARN_OK);
    assert_string_equal(p, "rel/x:y/f.parquet");
    assert_int_equal(tarn_delta_path_resolve(A, "/t", "s3://bucket/f.parquet", &p, &err),
                     TARN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "s3://bucket/f.parquet"));
    assert_int_equal(tarn_delta_path_resolve(A, "/t", "file://host/f", &p, &err),
                     TARN_ERR_UNSUPPORTED);
}

/* Every allocation of the parser fails in turn: NOMEM, never a crash. */
static void test_oom(void **state)
{
    (void)state;
    const char *text = "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
                       "{\"metaData\":{\"id\":\"x\",\"schemaString\":\"{}\","
                       "\"partitionColumns\":[\"p\"],\"configuration\":{\"a\":\"b\"}}}\n"
                       "{\"add\":{\"path\":\"a\",\"partitionValues\":{\"p\":\"1\"},"
                       "\"size\":1,\"modificationTime\":1,\"dataChange\":true,"
                       "\"tags\":{\"t\":\"v\"}}}\n"
                       "{\"commitInfo\":{\"operation\":\"WRITE\"}}\n";
    bool done = false;
    for (int64_t n = 1; n < 500 && !done; n++) {
        tarn_arena *a = tarn_arena_create(256);
        assert_non_null(a);
        tarn_delta_actions acts;
        tarn_err err;
        tarn_alloc_fail_at(n);
        tarn_status st = tarn_delta_actions_parse(text, strlen(text), "x.json", a, &acts, &err);
        tarn_alloc_fail_at(0);
        if (st == TARN_OK) {
            assert_int_equal(acts.n_adds, 1);
            done = true;
        } else {
            assert_int_equal(st, TARN_ERR_NOMEM);
        }
        tarn_arena_destroy(a);
    }
    assert_true(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_actions),  cmocka_unit_test(test_unknown_and_blank),
        cmocka_unit_test(test_errors),       cmocka_unit_test(test_names_and_uri),
        cmocka_unit_test(test_path_resolve), cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
