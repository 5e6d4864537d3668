/*
 * tests/io/test_infer.c - schema inference for NDJSON, JSON arrays and CSV:
 * the type ladder, first-seen order, the record limit, header names, and
 * reading the sample back with the inferred schema.
 */
#include "io_test.h"

/* Inferred schema as "name type, ..." or "ERR: message". */
static char *infer(const char *text, const char *name, const tarn_io_opts *o, int64_t max)
{
    tarn_schema *s;
    tarn_err err;
    if (tarn_io_infer_schema_mem(text, strlen(text), name, o, max, &s, &err) != TARN_OK) {
        char msg[1200], out[1300];
        tarn_err_format(&err, msg, sizeof msg);
        snprintf(out, sizeof out, "ERR: %s", msg);
        return io_dup(out);
    }
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_schema_format(s, &b), TARN_OK);
    char *d = io_dup(b.data);
    tarn_buf_fini(&b);
    tarn_schema_destroy(s);
    return d;
}

#define EXPECT_SCHEMA(text, name, o, max, want)                                                    \
    do {                                                                                           \
        char *got_ = infer(text, name, o, max);                                                    \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_ndjson(void **state)
{
    (void)state;
    const char *doc =
        "{\"a\":1,\"b\":\"x\",\"c\":1.5,\"d\":\"2024-01-01\",\"e\":\"2024-01-01T00:00:00Z\","
        "\"f\":true,\"g\":null,\"h\":{\"x\":1}}\n"
        "{\"a\":2.5,\"b\":3,\"c\":2,\"d\":\"2024-01-02T00:00:00+01:00\",\"e\":\"2024-01-01\","
        "\"new\":-9223372036854775808,\"i\":[1]}\n"
        "{\"j\":\"2024-01-01T00:00:00\",\"k\":\"12.50\",\"l\":99999999999999999999,\"f\":false}\n";
    EXPECT_SCHEMA(doc, "t.ndjson", NULL, 0,
                  "a double, b string, c double, d timestamp, e timestamp, f boolean, g string, "
                  "h string, new int64, i string, j string, k string, l double");
    /* The record limit. */
    EXPECT_SCHEMA(doc, "t.ndjson", NULL, 1,
                  "a int64, b string, c double, d date, e timestamp, f boolean, g string, "
                  "h string");
    /* Escaped names; duplicate keys widen one field. */
    EXPECT_SCHEMA("{\"caf\\u00e9\":1,\"caf\xc3\xa9\":true}\n", "t.ndjson", NULL, 0,
                  "caf\xc3\xa9 string");
    EXPECT_SCHEMA("", "t.ndjson", NULL, 0, "ERR: t.ndjson: no fields found to infer a schema from");
    EXPECT_SCHEMA("{\"a\":1}\n{\"a\":\n", "t.ndjson", NULL, 0,
                  "ERR: t.ndjson:2:6: expected a JSON value but found the end of the line");
}

static void test_json_array(void **state)
{
    (void)state;
    EXPECT_SCHEMA("[\n {\"a\": 1,\n  \"b\": [\"x\"]},\n {\"a\": 2, \"c\": false}\n]\n", "t.json",
                  NULL, 0, "a int64, b string, c boolean");
}

static void test_csv(void **state)
{
    (void)state;
    const char *doc = "id,amount,name,day,ts,ok,empty\n"
                      "1,1.5,x,2024-01-01,2024-01-01T00:00:00Z,true,\n"
                      "2,2,\"y\",2024-01-02,2024-01-01 10:00:00+02:00,FALSE,\n";
    EXPECT_SCHEMA(doc, "t.csv", NULL, 0,
                  "id int64, amount double, name string, day date, ts timestamp, ok boolean, "
                  "empty string");
    EXPECT_SCHEMA("1,a\n2,b\n", "t.csv", NULL, 0, "column0 int64, column1 string");
    EXPECT_SCHEMA("x,x,\n1,2,3\n", "t.csv", NULL, 0, "x int64, x_2 int64, column2 int64");
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.header = 0;
    EXPECT_SCHEMA("a;b\n1;2\n", "t.csv", &o, 0, "column0 string, column1 string");
    EXPECT_SCHEMA("a,b\n1,2\n3\n", "t.csv", NULL, 0, "ERR: t.csv:3: expected 2 fields but found 1");
}

/* Whatever is inferred reads the same sample back without error. */
static void test_roundtrip(void **state)
{
    (void)state;
    const char *doc = "{\"id\":1,\"amount\":1.25,\"when\":\"2024-05-01T10:00:00.5Z\",\"day\":"
                      "\"2024-05-01\",\"tags\":[\"a\"],\"ok\":true,\"note\":null}\n"
                      "{\"id\":2,\"amount\":3,\"when\":\"2024-05-01\",\"day\":null,\"ok\":false}\n";
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_io_infer_schema_mem(doc, strlen(doc), "t.ndjson", NULL, 0, &s, &err),
                     TARN_OK);
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_schema_format(s, &b), TARN_OK);
    io_result r = io_read_text(b.data, doc, "t.ndjson", NULL);
    assert_null(r.error);
    assert_string_equal(
        r.rows, "{\"id\":1,\"amount\":1.25,\"when\":\"2024-05-01T10:00:00.500000Z\","
                "\"day\":\"2024-05-01\",\"tags\":\"[\\\"a\\\"]\",\"ok\":true,\"note\":null}\n"
                "{\"id\":2,\"amount\":3,\"when\":\"2024-05-01T00:00:00.000000Z\","
                "\"day\":null,\"tags\":null,\"ok\":false,\"note\":null}\n");
    io_result_free(&r);
    tarn_buf_fini(&b);
    tarn_schema_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndjson),
        cmocka_unit_test(test_json_array),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
