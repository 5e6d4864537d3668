/*
 * tests/delta/test_schema.c - Delta schema JSON to tarn_schema and back:
 * every primitive, nested struct/array/map with nullability, column-mapping
 * metadata at every level, and the errors for unknown types and bad JSON.
 */
#include "tarn_test.h"

#include "delta/schema.h"

static tarn_schema *parse_ok(const char *json)
{
    tarn_schema *s = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    tarn_status st = tarn_delta_schema_parse(json, strlen(json), &s, &err);
    if (st != TARN_OK)
        fail_msg("parse failed: %s", err.msg);
    return s;
}

static char *serialize(const tarn_schema *s)
{
    tarn_buf b = TARN_BUF_INIT;
    tarn_err err;
    if (tarn_delta_schema_serialize(s, &b, &err) != TARN_OK)
        fail_msg("serialize failed: %s", err.msg);
    return b.data;
}

static void test_primitives(void **state)
{
    (void)state;
    const char *json =
        "{\"type\":\"struct\",\"fields\":["
        "{\"name\":\"b\",\"type\":\"byte\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"s\",\"type\":\"short\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"i\",\"type\":\"integer\",\"nullable\":false,\"metadata\":{}},"
        "{\"name\":\"l\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"f\",\"type\":\"float\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"d\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"dec\",\"type\":\"decimal(38, 18)\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"str\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"bin\",\"type\":\"binary\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"bo\",\"type\":\"boolean\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"da\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"ts\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"tn\",\"type\":\"timestamp_ntz\",\"nullable\":true},"
        "{\"name\":\"dd\",\"type\":\"decimal\"}]}";
    tarn_schema *s = parse_ok(json);
    tarn_type_id want[] = {TARN_TYPE_INT8,          TARN_TYPE_INT16,   TARN_TYPE_INT32,
                           TARN_TYPE_INT64,         TARN_TYPE_FLOAT32, TARN_TYPE_FLOAT64,
                           TARN_TYPE_DECIMAL,       TARN_TYPE_STRING,  TARN_TYPE_BINARY,
                           TARN_TYPE_BOOL,          TARN_TYPE_DATE,    TARN_TYPE_TIMESTAMP,
                           TARN_TYPE_TIMESTAMP_NTZ, TARN_TYPE_DECIMAL};
    assert_int_equal(s->n_fields, 14);
    for (int i = 0; i < 14; i++) {
        assert_int_equal(s->fields[i].type.id, want[i]);
        assert_int_equal(s->fields[i].field_id, -1);
        assert_null(s->fields[i].physical_name);
    }
    assert_false(s->fields[2].nullable);
    assert_true(s->fields[3].nullable);
    assert_true(s->fields[13].nullable); /* default */
    assert_int_equal(s->fields[6].type.precision, 38);
    assert_int_equal(s->fields[6].type.scale, 18);
    assert_int_equal(s->fields[13].type.precision, 10);
    assert_int_equal(s->fields[13].type.scale, 0);
    char *out = serialize(s);
    assert_non_null(strstr(out, "{\"name\":\"dec\",\"type\":\"decimal(38,18)\",\"nullable\":true,"
                                "\"metadata\":{}}"));
    assert_non_null(strstr(out, "{\"name\":\"i\",\"type\":\"integer\",\"nullable\":false,"
                                "\"metadata\":{}}"));
    assert_non_null(strstr(out, "\"type\":\"timestamp_ntz\""));
    /* round trip is stable */
    tarn_schema *s2 = parse_ok(out);
    char *out2 = serialize(s2);
    assert_string_equal(out, out2);
    tarn_free(out);
    tarn_free(out2);
    tarn_schema_destroy(s2);
    tarn_schema_destroy(s);
}

static void test_nested_and_mapping(void **state)
{
    (void)state;
    const char *json =
        "{\"type\":\"struct\",\"fields\":["
        "{\"name\":\"a\",\"type\":\"integer\",\"nullable\":false,\"metadata\":"
        "{\"delta.columnMapping.id\":1,\"delta.columnMapping.physicalName\":\"col-a\","
        "\"comment\":\"ignored\"}},"
        "{\"name\":\"b\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"d\",\"type\":"
        "\"integer\",\"nullable\":false,\"metadata\":{\"delta.columnMapping.id\":3,"
        "\"delta.columnMapping.physicalName\":\"col-d\"}}]},\"nullable\":true,\"metadata\":"
        "{\"delta.columnMapping.id\":2,\"delta.columnMapping.physicalName\":\"col-b\"}},"
        "{\"name\":\"c\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\","
        "\"containsNull\":false},\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"e\",\"type\":{\"type\":\"array\",\"elementType\":{\"type\":\"struct\","
        "\"fields\":[{\"name\":\"d\",\"type\":\"integer\",\"nullable\":false,\"metadata\":"
        "{\"delta.columnMapping.id\":5,\"delta.columnMapping.physicalName\":\"col-ed\"}}]},"
        "\"containsNull\":true},\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"f\",\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":"
        "{\"type\":\"map\",\"keyType\":\"long\",\"valueType\":\"double\","
        "\"valueContainsNull\":false},\"valueContainsNull\":true},\"nullable\":true,"
        "\"metadata\":{}}]}";
    tarn_schema *s = parse_ok(json);
    assert_int_equal(s->n_fields, 5);
    const tarn_field *a = &s->fields[0], *b = &s->fields[1], *c = &s->fields[2];
    const tarn_field *e = &s->fields[3], *f = &s->fields[4];
    assert_int_equal(a->field_id, 1);
    assert_string_equal(a->physical_name, "col-a");
    assert_int_equal(b->type.id, TARN_TYPE_STRUCT);
    assert_int_equal(b->n_children, 1);
    assert_string_equal(b->children[0].name, "d");
    assert_string_equal(b->children[0].physical_name, "col-d");
    assert_int_equal(b->children[0].field_id, 3);
    assert_false(b->children[0].nullable);
    assert_int_equal(c->type.id, TARN_TYPE_LIST);
    assert_int_equal(c->n_children, 1);
    assert_string_equal(c->children[0].name, "element");
    assert_false(c->children[0].nullable);
    assert_int_equal(c->children[0].type.id, TARN_TYPE_INT32);
    assert_int_equal(e->children[0].type.id, TARN_TYPE_STRUCT);
    assert_true(e->children[0].nullable);
    assert_string_equal(e->children[0].children[0].physical_name, "col-ed");
    assert_int_equal(f->type.id, TARN_TYPE_MAP);
    assert_string_equal(f->children[0].name, "key");
    assert_false(f->children[0].nullable);
    assert_string_equal(f->children[1].name, "value");
    assert_true(f->children[1].nullable);
    assert_int_equal(f->children[1].type.id, TARN_TYPE_MAP);
    assert_false(f->children[1].children[1].nullable);
    assert_int_equal(f->children[1].children[0].type.id, TARN_TYPE_INT64);

    char *out = serialize(s);
    assert_non_null(strstr(out, "{\"name\":\"a\",\"type\":\"integer\",\"nullable\":false,"
                                "\"metadata\":{\"delta.columnMapping.id\":1,"
                                "\"delta.columnMapping.physicalName\":\"col-a\"}}"));
    assert_non_null(strstr(out, "{\"type\":\"array\",\"elementType\":\"integer\","
                                "\"containsNull\":false}"));
    assert_non_null(strstr(out, "\"valueType\":{\"type\":\"map\",\"keyType\":\"long\","
                                "\"valueType\":\"double\",\"valueContainsNull\":false},"
                                "\"valueContainsNull\":true}"));
    tarn_schema *s2 = parse_ok(out);
    assert_string_equal(s2->fields[3].children[0].children[0].physical_name, "col-ed");
    assert_int_equal(s2->fields[3].children[0].children[0].field_id, 5);
    char *out2 = serialize(s2);
    assert_string_equal(out, out2);
    tarn_free(out);
    tarn_free(out2);
    tarn_schema_destroy(s2);
    tarn_schema_destroy(s);
}

static void expect_fail(const char *json, tarn_status code, const char *needle)
{
    tarn_schema *s = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_delta_schema_parse(json, strlen(json), &s, &err), code);
    assert_null(s);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void test_errors(void **state)
{
    (void)state;
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"v\",\"type\":\"variant\"}]}",
                TARN_ERR_UNSUPPORTED, "unsupported Delta type 'variant'");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"s\",\"type\":{\"type\":\"struct\","
                "\"fields\":[{\"name\":\"x\",\"type\":\"uint128\"}]}}]}",
                TARN_ERR_UNSUPPORTED, "column 's.x': unsupported Delta type 'uint128'");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"m\",\"type\":{\"type\":\"map\","
                "\"keyType\":\"string\",\"valueType\":\"interval\"}}]}",
                TARN_ERR_UNSUPPORTED, "column 'm.value': unsupported Delta type 'interval'");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"d\",\"type\":\"decimal(40,2)\"}]}",
                TARN_ERR_CORRUPT, "invalid decimal type 'decimal(40,2)'");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"type\":\"long\"}]}", TARN_ERR_CORRUPT,
                "field without a name");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"x\"}]}", TARN_ERR_CORRUPT,
                "field without a type");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":{\"type\":\"array\"}}]}",
                TARN_ERR_CORRUPT, "array without elementType");
    expect_fail("{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":\"long\",\"metadata\":"
                "{\"delta.columnMapping.id\":\"7\"}}]}",
                TARN_ERR_CORRUPT, "delta.columnMapping.id");
    expect_fail("{\"type\":\"array\"}", TARN_ERR_CORRUPT, "top level must be a struct");
    expect_fail("{\"type\":\"struct\",\"fields\":[", TARN_ERR_CORRUPT, "malformed JSON");
    expect_fail("{\"type\":\"struct\"}", TARN_ERR_CORRUPT, "fields");

    /* deep nesting is refused, not a stack overflow */
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_buf_append_str(&b, "{\"type\":\"struct\",\"fields\":[{\"name\":\"x\","
                                             "\"type\":"),
                     TARN_OK);
    for (int i = 0; i < 200; i++)
        assert_int_equal(tarn_buf_append_str(&b, "{\"type\":\"array\",\"elementType\":"), TARN_OK);
    assert_int_equal(tarn_buf_append_str(&b, "\"long\""), TARN_OK);
    for (int i = 0; i < 200; i++)
        assert_int_equal(tarn_buf_append_char(&b, '}'), TARN_OK);
    assert_int_equal(tarn_buf_append_str(&b, "}]}"), TARN_OK);
    expect_fail(b.data, TARN_ERR_CORRUPT, "nesting too deep");
    tarn_buf_fini(&b);

    /* serializing a type Delta lacks */
    tarn_schema *s = tarn_schema_create();
    assert_non_null(tarn_schema_add(s, "u", tarn_type_make(TARN_TYPE_UINT32), true));
    tarn_buf out = TARN_BUF_INIT;
    tarn_err err;
    assert_int_equal(tarn_delta_schema_serialize(s, &out, &err), TARN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "column 'u'"));
    tarn_buf_fini(&out);
    tarn_schema_destroy(s);
}

static void test_empty_and_names(void **state)
{
    (void)state;
    tarn_schema *s = parse_ok("{\"type\":\"struct\",\"fields\":[]}");
    assert_int_equal(s->n_fields, 0);
    char *out = serialize(s);
    assert_string_equal(out, "{\"type\":\"struct\",\"fields\":[]}");
    tarn_free(out);
    tarn_schema_destroy(s);
    /* names with quotes and unicode survive both ways */
    s = parse_ok("{\"type\":\"struct\",\"fields\":[{\"name\":\"a \\\"q\\\" \\u00e9\","
                 "\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}");
    assert_string_equal(s->fields[0].name, "a \"q\" \xc3\xa9");
    out = serialize(s);
    tarn_schema *s2 = parse_ok(out);
    assert_string_equal(s2->fields[0].name, "a \"q\" \xc3\xa9");
    tarn_free(out);
    tarn_schema_destroy(s2);
    tarn_schema_destroy(s);
    char nm[32];
    assert_string_equal(tarn_delta_type_name(tarn_type_make(TARN_TYPE_INT64), nm, sizeof nm),
                        "long");
    assert_string_equal(tarn_delta_type_name(tarn_type_decimal(5, 2), nm, sizeof nm),
                        "decimal(5,2)");
    assert_null(tarn_delta_type_name(tarn_type_make(TARN_TYPE_TIME), nm, sizeof nm));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primitives),
        cmocka_unit_test(test_nested_and_mapping),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_empty_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
