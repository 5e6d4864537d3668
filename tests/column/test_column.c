/*
 * tests/column/test_column.c - types, schema parsing, vectors, scalar
 * parsing/formatting and canonical rendering.
 */
#include "tarn_test.h"

#include "column/render.h"
#include "column/scalar.h"
#include "column/value.h"
#include "column/vec.h"

#include <math.h>

static void test_types(void **state)
{
    (void)state;
    tarn_type t;
    tarn_err err;
    char nm[64];
    assert_int_equal(tarn_type_parse("decimal(10,2)", 13, &t, &err), TARN_OK);
    assert_int_equal(t.id, TARN_TYPE_DECIMAL);
    assert_int_equal(t.precision, 10);
    assert_int_equal(t.scale, 2);
    assert_string_equal(tarn_type_name(t, nm, sizeof nm), "decimal(10,2)");
    assert_int_equal(tarn_type_width(t), 8);
    assert_int_equal(tarn_type_width(tarn_type_decimal(38, 4)), 16);
    assert_int_equal(tarn_type_parse(" BIGINT ", 8, &t, &err), TARN_OK);
    assert_int_equal(t.id, TARN_TYPE_INT64);
    assert_int_equal(tarn_type_parse("decmal(10,2)", 12, &t, &err), TARN_ERR_INVALID);
    assert_string_equal(err.msg, "unknown type 'decmal(10,2)'");
    assert_int_equal(tarn_type_parse("decimal(40,2)", 13, &t, &err), TARN_ERR_INVALID);
    assert_int_equal(tarn_type_parse("decimal(5,6)", 12, &t, &err), TARN_ERR_INVALID);

    tarn_schema *s;
    assert_int_equal(
        tarn_schema_parse("id int64 not null, amount decimal(10,2), ts timestamp", &s, &err),
        TARN_OK);
    assert_int_equal(s->n_fields, 3);
    assert_false(s->fields[0].nullable);
    assert_int_equal(s->fields[1].type.scale, 2);
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_schema_format(s, &b), TARN_OK);
    assert_string_equal(b.data, "id int64 not null, amount decimal(10,2), ts timestamp");
    tarn_buf_fini(&b);
    tarn_schema *c = tarn_schema_clone(s);
    assert_int_equal(tarn_schema_find(c, "ts"), 2);
    assert_int_equal(tarn_schema_find_ci(c, "AMOUNT"), 1);
    tarn_schema_destroy(c);
    tarn_schema_destroy(s);
    assert_int_equal(tarn_schema_parse("a int, a string", &s, &err), TARN_ERR_INVALID);
    assert_int_equal(tarn_schema_parse("a", &s, &err), TARN_ERR_INVALID);
    assert_int_equal(tarn_schema_parse("a wat", &s, &err), TARN_ERR_INVALID);
    assert_string_equal(err.msg, "column 'a': unknown type 'wat'");
}

static void check_double(double v, const char *want)
{
    char out[TARN_FMT_MAX];
    tarn_fmt_double(v, out);
    assert_string_equal(out, want);
}

static void test_format(void **state)
{
    (void)state;
    check_double(0.1, "0.1");
    check_double(1.0, "1");
    check_double(-0.0, "-0.0");
    check_double(1e-7, "1e-7");
    check_double(0.000001, "0.000001");
    check_double(1.5e21, "1.5e+21");
    check_double(123456789012345680000.0, "123456789012345680000");
    check_double(5e-324, "5e-324");
    check_double(0.27796520310701633, "0.27796520310701633");
    check_double(NAN, "NaN");
    check_double(-INFINITY, "-Infinity");
    char out[TARN_FMT_MAX];
    tarn_fmt_float(1.1f, out);
    assert_string_equal(out, "1.1");
    tarn_fmt_float(3.4028235e+38f, out);
    assert_string_equal(out, "3.4028235e+38");
    tarn_fmt_decimal(1250, 2, out);
    assert_string_equal(out, "12.50");
    tarn_fmt_decimal(-5, 2, out);
    assert_string_equal(out, "-0.05");
    tarn_fmt_decimal(7, 0, out);
    assert_string_equal(out, "7");
    tarn_i128 big = tarn_pow10_i128(38) - 1;
    tarn_fmt_decimal(-big, 3, out);
    assert_string_equal(out, "-99999999999999999999999999999999999.999");
    tarn_fmt_date(0, out);
    assert_string_equal(out, "1970-01-01");
    tarn_fmt_date(-719162, out);
    assert_string_equal(out, "0001-01-01");
    tarn_fmt_timestamp(-1, true, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
    tarn_fmt_timestamp(951827696789012, false, out);
    assert_string_equal(out, "2000-02-29T12:34:56.789012");
    tarn_fmt_timestamp_ns(946730096789012345, out);
    assert_string_equal(out, "2000-01-01T12:34:56.789012345");
    tarn_fmt_time(3723500000, out);
    assert_string_equal(out, "01:02:03.500000");
    uint8_t u[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
                     0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
    tarn_fmt_uuid(u, out);
    assert_string_equal(out, "12345678-9abc-def0-1234-56789abcdef0");
}

/* Significant digits of a formatted number ("-0.00125" -> 3, "1.5e+21" -> 2). */
static int sig_digits(const char *s)
{
    int n = 0, lead = 1, trailing_zeros = 0;
    for (; *s && *s != 'e'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (lead && *s == '0')
            continue;
        lead = 0;
        n++;
        trailing_zeros = *s == '0' ? trailing_zeros + 1 : 0;
    }
    return n - trailing_zeros;
}

static void check_shortest(double v)
{
    char out[TARN_FMT_MAX], ref[40];
    tarn_fmt_double(v, out);
    if (strtod(out, NULL) != v)
        fail_msg("%.17g formatted as %s does not round-trip", v, out);
    int p = 1;
    for (; p < 17; p++) {
        snprintf(ref, sizeof ref, "%.*e", p - 1, v);
        if (strtod(ref, NULL) == v)
            break;
    }
    if (sig_digits(out) != p)
        fail_msg("%.17g formatted as %s, but the shortest form has %d digits", v, out, p);
}

static void test_shortest_doubles(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 60000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Short decimals (the fast path), their neighbours, and random bits. */
        double dec = (double)(int64_t)(x % 100000000) / (double)(1 + (x >> 40) % 100000);
        check_shortest(dec);
        check_shortest(-(double)(x % 1000000) / 100.0);
        check_shortest(nextafter((double)(x % 100000) / 1000.0, 1e9));
        double bits;
        uint64_t y = x & 0x7fefffffffffffffULL;
        memcpy(&bits, &y, 8);
        check_shortest(bits);
    }
    check_shortest(0.1 + 0.2);
    check_shortest(1e-6);
    check_shortest(999999999999999.9);
}

static void test_parse(void **state)
{
    (void)state;
    tarn_err err;
    tarn_i128 d;
    assert_int_equal(tarn_parse_decimal("12.5", 4, 10, 2, &d, &err), TARN_OK);
    assert_true(d == 1250);
    assert_int_equal(tarn_parse_decimal("-0.05", 5, 10, 2, &d, &err), TARN_OK);
    assert_true(d == -5);
    assert_int_equal(tarn_parse_decimal("1.50e2", 6, 10, 2, &d, &err), TARN_OK);
    assert_true(d == 15000);
    assert_int_equal(tarn_parse_decimal("12.345", 6, 10, 2, &d, &err), TARN_ERR_INVALID);
    assert_int_equal(tarn_parse_decimal("12.340", 6, 10, 2, &d, &err), TARN_OK);
    assert_int_equal(tarn_parse_decimal("123456789", 9, 10, 2, &d, &err), TARN_ERR_INVALID);
    assert_int_equal(tarn_parse_decimal("abc", 3, 10, 2, &d, &err), TARN_ERR_INVALID);
    assert_string_equal(err.msg, "'abc' is not decimal(10,2)");
    assert_int_equal(tarn_parse_decimal("00012.10", 8, 4, 2, &d, &err), TARN_OK);
    assert_true(d == 1210);

    int64_t v;
    assert_int_equal(tarn_parse_int("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &v, &err),
                     TARN_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(tarn_parse_int("9223372036854775808", 19, INT64_MIN, INT64_MAX, &v, &err),
                     TARN_ERR_INVALID);
    assert_int_equal(tarn_parse_int("128", 3, -128, 127, &v, &err), TARN_ERR_INVALID);
    assert_int_equal(tarn_parse_int("12.0", 4, -128, 127, &v, &err), TARN_OK);
    assert_int_equal(v, 12);
    assert_int_equal(tarn_parse_int("12.5", 4, -128, 127, &v, &err), TARN_ERR_INVALID);
    assert_int_equal(tarn_parse_int("1e2", 3, -128, 127, &v, &err), TARN_OK);
    assert_int_equal(v, 100);
    assert_int_equal(tarn_parse_int("1e1e1", 5, INT64_MIN, INT64_MAX, &v, &err), TARN_ERR_INVALID);
    /* Beyond 2^53: exact, never through a double. */
    assert_int_equal(tarn_parse_int("9007199254740993.0", 18, INT64_MIN, INT64_MAX, &v, &err),
                     TARN_OK);
    assert_true(v == INT64_C(9007199254740993));

    int32_t day;
    assert_int_equal(tarn_parse_date("2024-02-29", 10, &day, &err), TARN_OK);
    assert_int_equal(tarn_parse_date("2023-02-29", 10, &day, &err), TARN_ERR_INVALID);
    int64_t ts;
    assert_int_equal(tarn_parse_timestamp("2024-01-01T00:00:00Z", 20, false, &ts, &err), TARN_OK);
    assert_true(ts == INT64_C(1704067200000000));
    assert_int_equal(tarn_parse_timestamp("2024-01-01 02:00:00+02:00", 25, false, &ts, &err),
                     TARN_OK);
    assert_true(ts == INT64_C(1704067200000000));
    assert_int_equal(tarn_parse_timestamp("2024-01-01T00:00:00.5", 21, false, &ts, &err), TARN_OK);
    assert_true(ts == INT64_C(1704067200500000));
    assert_int_equal(tarn_parse_timestamp("2024-01-01T00:00:00.1234567Z", 28, false, &ts, &err),
                     TARN_ERR_INVALID);
    assert_int_equal(tarn_parse_timestamp("2024-01-01T00:00:00Z", 20, true, &ts, &err),
                     TARN_ERR_INVALID);
    assert_int_equal(tarn_parse_timestamp("2024-13-01", 10, false, &ts, &err), TARN_ERR_INVALID);
    double dv;
    assert_int_equal(tarn_parse_double("1e3", 3, &dv, &err), TARN_OK);
    assert_true(dv == 1000);
    assert_int_equal(tarn_parse_double("0x10", 4, &dv, &err), TARN_ERR_INVALID);
    assert_int_equal(tarn_parse_double("1e400", 5, &dv, &err), TARN_ERR_INVALID);
    bool b;
    assert_int_equal(tarn_parse_bool("TRUE", 4, &b, &err), TARN_OK);
    assert_true(b);
}

static void test_vectors_and_render(void **state)
{
    (void)state;
    tarn_err err;
    tarn_schema *s;
    assert_int_equal(tarn_schema_parse("id int64, name string, ok boolean, amt decimal(10,2), "
                                       "d date, bin binary, x double",
                                       &s, &err),
                     TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    assert_non_null(b);
    for (int r = 0; r < 5000; r++) {
        if (r % 3 == 0)
            assert_int_equal(tarn_vec_append_null(b->cols[0]), TARN_OK);
        else
            assert_int_equal(tarn_vec_append_i64(b->cols[0], r), TARN_OK);
        char nm[32];
        int n = snprintf(nm, sizeof nm, "n\"%d", r);
        assert_int_equal(tarn_vec_append_bytes(b->cols[1], nm, n), TARN_OK);
        assert_int_equal(tarn_vec_append_bool(b->cols[2], r & 1), TARN_OK);
        assert_int_equal(tarn_vec_append_decimal(b->cols[3], r * 25), TARN_OK);
        assert_int_equal(tarn_vec_append_i32(b->cols[4], r), TARN_OK);
        assert_int_equal(tarn_vec_append_bytes(b->cols[5], "\x00\xff", 2), TARN_OK);
        if (r == 1)
            assert_int_equal(tarn_vec_append_f64(b->cols[6], NAN), TARN_OK);
        else
            assert_int_equal(tarn_vec_append_f64(b->cols[6], r / 4.0), TARN_OK);
    }
    assert_int_equal(tarn_batch_finish(b, &err), TARN_OK);
    assert_int_equal(b->n_rows, 5000);
    assert_int_equal(b->cols[0]->null_count, 1667);

    tarn_batch *c = tarn_batch_create(s);
    assert_int_equal(tarn_batch_append_range(c, b, 0, 2), TARN_OK);
    tarn_buf out = TARN_BUF_INIT;
    assert_int_equal(tarn_render_ndjson(&out, c), TARN_OK);
    assert_string_equal(out.data, "{\"id\":null,\"name\":\"n\\\"0\",\"ok\":false,\"amt\":\"0.00\","
                                  "\"d\":\"1970-01-01\",\"bin\":\"00ff\",\"x\":0}\n"
                                  "{\"id\":1,\"name\":\"n\\\"1\",\"ok\":true,\"amt\":\"0.25\","
                                  "\"d\":\"1970-01-02\",\"bin\":\"00ff\",\"x\":\"NaN\"}\n");
    tarn_buf_reset(&out);
    assert_int_equal(tarn_render_csv_header(&out, s), TARN_OK);
    assert_int_equal(tarn_render_csv(&out, c), TARN_OK);
    assert_string_equal(out.data, "id,name,ok,amt,d,bin,x\n"
                                  ",\"n\"\"0\",false,0.00,1970-01-01,00ff,0\n"
                                  "1,\"n\"\"1\",true,0.25,1970-01-02,00ff,NaN\n");
    int64_t idx[2] = {4999, 3};
    tarn_batch_reset(c);
    for (int i = 0; i < c->n_cols; i++)
        assert_int_equal(tarn_vec_append_take(c->cols[i], b->cols[i], idx, 2), TARN_OK);
    assert_int_equal(tarn_batch_finish(c, &err), TARN_OK);
    assert_int_equal(tarn_vec_get_i64(c->cols[0], 0), 4999);
    assert_true(tarn_vec_is_null(c->cols[0], 1));
    tarn_scalar sc;
    tarn_scalar_from_vec(c->cols[3], 0, &sc);
    tarn_buf_reset(&out);
    assert_int_equal(tarn_scalar_render_json(&out, &sc), TARN_OK);
    assert_string_equal(out.data, "\"1249.75\"");
    tarn_scalar a, z;
    tarn_arena *ar = tarn_arena_create(0);
    assert_int_equal(tarn_scalar_parse(ar, tarn_type_make(TARN_TYPE_STRING), "abc", 3, &a, &err),
                     TARN_OK);
    assert_int_equal(tarn_scalar_parse(ar, tarn_type_make(TARN_TYPE_STRING), "abd", 3, &z, &err),
                     TARN_OK);
    assert_true(tarn_scalar_compare(&a, &z) < 0);
    tarn_arena_destroy(ar);
    tarn_buf_fini(&out);
    tarn_batch_destroy(c);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_nested(void **state)
{
    (void)state;
    tarn_schema *s = tarn_schema_create();
    tarn_field *f = tarn_schema_add(s, "tags", tarn_type_make(TARN_TYPE_LIST), true);
    f->n_children = 1;
    f->children = tarn_arena_calloc(s->arena, 1, sizeof(tarn_field));
    f->children[0].name = "element";
    f->children[0].type = tarn_type_make(TARN_TYPE_INT32);
    f->children[0].nullable = true;
    tarn_batch *b = tarn_batch_create(s);
    tarn_vec *v = b->cols[0];
    assert_int_equal(tarn_vec_reserve(v, 3), TARN_OK);
    /* [1, null], null, [] */
    assert_int_equal(tarn_vec_append_i32(v->children[0], 1), TARN_OK);
    assert_int_equal(tarn_vec_append_null(v->children[0]), TARN_OK);
    v->offsets[1] = 2;
    v->len = 1;
    assert_int_equal(tarn_vec_append_null(v), TARN_OK);
    v->offsets[3] = 2;
    v->len = 3;
    tarn_err err;
    assert_int_equal(tarn_batch_finish(b, &err), TARN_OK);
    tarn_buf out = TARN_BUF_INIT;
    assert_int_equal(tarn_render_ndjson(&out, b), TARN_OK);
    assert_string_equal(out.data, "{\"tags\":[1,null]}\n{\"tags\":null}\n{\"tags\":[]}\n");
    tarn_buf_fini(&out);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_shortest_doubles),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_vectors_and_render),
        cmocka_unit_test(test_nested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
