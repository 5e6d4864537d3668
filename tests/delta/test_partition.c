/*
 * tests/delta/test_partition.c - partition value parsing for every Delta
 * type (null and "" as NULL, special characters, exponents, time zones)
 * and the reverse formatting the writer uses.
 */
#include "tarn_test.h"

#include "column/value.h"
#include "delta/partition.h"

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

static tarn_scalar ok(tarn_type t, const char *v)
{
    tarn_scalar s;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_delta_partition_parse(A, t, v, &s, &err) != TARN_OK)
        fail_msg("'%s': %s", v ? v : "(null)", err.msg);
    return s;
}

static void bad(tarn_type t, const char *v, const char *needle)
{
    tarn_scalar s;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_delta_partition_parse(A, t, v, &s, &err), TARN_ERR_CORRUPT);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static const char *fmt(const tarn_scalar *s)
{
    const char *out;
    tarn_err err;
    if (tarn_delta_partition_format(A, s, &out, &err) != TARN_OK)
        fail_msg("format: %s", err.msg);
    return out;
}

static void test_nulls(void **state)
{
    (void)state;
    tarn_type types[] = {tarn_type_make(TARN_TYPE_STRING), tarn_type_make(TARN_TYPE_INT32),
                         tarn_type_make(TARN_TYPE_DATE),   tarn_type_decimal(10, 2),
                         tarn_type_make(TARN_TYPE_BINARY), tarn_type_make(TARN_TYPE_BOOL)};
    for (size_t i = 0; i < TARN_ARRAY_LEN(types); i++) {
        tarn_scalar s = ok(types[i], NULL);
        assert_true(s.is_null);
        assert_int_equal(s.type.id, types[i].id);
        s = ok(types[i], "");
        assert_true(s.is_null);
        assert_null(fmt(&s));
    }
}

static void test_numbers(void **state)
{
    (void)state;
    assert_int_equal(ok(tarn_type_make(TARN_TYPE_INT8), "-128").v.i64, -128);
    assert_int_equal(ok(tarn_type_make(TARN_TYPE_INT16), "32767").v.i64, 32767);
    assert_int_equal(ok(tarn_type_make(TARN_TYPE_INT32), "-7").v.i64, -7);
    assert_int_equal(ok(tarn_type_make(TARN_TYPE_INT64), "9223372036854775807").v.i64, INT64_MAX);
    bad(tarn_type_make(TARN_TYPE_INT8), "128", "partition value '128' is not a valid int8");
    bad(tarn_type_make(TARN_TYPE_INT32), "1.5", "not a valid int32");
    bad(tarn_type_make(TARN_TYPE_INT32), "abc", "'abc'");
    assert_true(ok(tarn_type_make(TARN_TYPE_FLOAT64), "1.0E10").v.f64 == 1e10);
    assert_true(ok(tarn_type_make(TARN_TYPE_FLOAT64), "-0.5").v.f64 == -0.5);
    double nan = ok(tarn_type_make(TARN_TYPE_FLOAT64), "NaN").v.f64;
    assert_true(nan != nan);
    assert_true(ok(tarn_type_make(TARN_TYPE_FLOAT32), "Infinity").v.f64 > 1e308);
    /* decimals: plain, fewer digits, exponent (Java BigDecimal.toString) */
    assert_true(ok(tarn_type_decimal(10, 2), "12.5").v.i128 == 1250);
    assert_true(ok(tarn_type_decimal(10, 2), "-0.01").v.i128 == -1);
    assert_true(ok(tarn_type_decimal(10, 2), "1E+2").v.i128 == 10000);
    assert_true(ok(tarn_type_decimal(10, 5), "4.0E-5").v.i128 == 4);
    const char *big = "-12345678901234567890123456789012345678";
    tarn_i128 want = 0;
    for (const char *p = big + 1; *p; p++)
        want = want * 10 + (*p - '0');
    assert_true(ok(tarn_type_decimal(38, 0), big).v.i128 == -want);
    bad(tarn_type_decimal(5, 2), "1.234", "not a valid decimal(5,2)");
    bad(tarn_type_decimal(5, 2), "12345", "decimal(5,2)");
    /* formatting */
    tarn_scalar s = ok(tarn_type_decimal(10, 2), "12.5");
    assert_string_equal(fmt(&s), "12.50");
    s = ok(tarn_type_make(TARN_TYPE_INT64), "-42");
    assert_string_equal(fmt(&s), "-42");
    s = ok(tarn_type_make(TARN_TYPE_FLOAT64), "0.1");
    assert_string_equal(fmt(&s), "0.1");
    s = ok(tarn_type_make(TARN_TYPE_FLOAT32), "1.1");
    assert_string_equal(fmt(&s), "1.1");
    s = ok(tarn_type_make(TARN_TYPE_FLOAT64), "-Infinity");
    assert_string_equal(fmt(&s), "-Infinity");
}

static void test_bool_date_ts(void **state)
{
    (void)state;
    assert_true(ok(tarn_type_make(TARN_TYPE_BOOL), "true").v.b);
    assert_false(ok(tarn_type_make(TARN_TYPE_BOOL), "false").v.b);
    bad(tarn_type_make(TARN_TYPE_BOOL), "maybe", "boolean");
    tarn_scalar s = ok(tarn_type_make(TARN_TYPE_BOOL), "true");
    assert_string_equal(fmt(&s), "true");

    assert_int_equal(ok(tarn_type_make(TARN_TYPE_DATE), "1970-01-02").v.i64, 1);
    assert_int_equal(ok(tarn_type_make(TARN_TYPE_DATE), "1969-12-31").v.i64, -1);
    bad(tarn_type_make(TARN_TYPE_DATE), "2021-02-30", "date");
    s = ok(tarn_type_make(TARN_TYPE_DATE), "2021-02-28");
    assert_string_equal(fmt(&s), "2021-02-28");

    tarn_type ts = tarn_type_make(TARN_TYPE_TIMESTAMP);
    assert_int_equal(ok(ts, "1970-01-01 00:00:01").v.i64, 1000000);
    assert_int_equal(ok(ts, "1970-01-01 00:00:00.123456").v.i64, 123456);
    assert_int_equal(ok(ts, "1970-01-01T00:00:00.5Z").v.i64, 500000);
    assert_int_equal(ok(ts, "1970-01-01T01:00:00+01:00").v.i64, 0);
    s = ok(ts, "2021-06-01 12:30:00.000001");
    assert_string_equal(fmt(&s), "2021-06-01T12:30:00.000001Z");
    bad(ts, "2021-06-01 12:30:00.1234567", "timestamp");

    tarn_type ntz = tarn_type_make(TARN_TYPE_TIMESTAMP_NTZ);
    assert_int_equal(ok(ntz, "1970-01-01 00:00:00.123456").v.i64, 123456);
    s = ok(ntz, "2021-06-01 12:30:00");
    assert_string_equal(fmt(&s), "2021-06-01 12:30:00.000000");
    bad(ntz, "2021-06-01 12:30:00+02:00", "timestamp_ntz");
}

static void test_strings(void **state)
{
    (void)state;
    const char *specials[] = {"/%20%f", "A/A", "a=b", "😈", " lead", "x\"y\\z", "%", "__HIVE"};
    for (size_t i = 0; i < TARN_ARRAY_LEN(specials); i++) {
        tarn_scalar s = ok(tarn_type_make(TARN_TYPE_STRING), specials[i]);
        assert_false(s.is_null);
        assert_int_equal(s.len, (int32_t)strlen(specials[i]));
        assert_memory_equal(s.bytes, specials[i], strlen(specials[i]));
        assert_string_equal(fmt(&s), specials[i]);
    }
    /* binary partition values are the UTF-8 bytes of the string */
    tarn_scalar b = ok(tarn_type_make(TARN_TYPE_BINARY), "\xf0\x9f\x98\x88");
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.bytes, "\xf0\x9f\x98\x88", 4);
    assert_string_equal(fmt(&b), "\xf0\x9f\x98\x88");
    /* bytes that are not UTF-8 cannot be written as a partition value */
    tarn_scalar raw = {0};
    raw.type = tarn_type_make(TARN_TYPE_BINARY);
    raw.bytes = (const uint8_t *)"\xff\x00";
    raw.len = 2;
    const char *out;
    tarn_err err;
    assert_int_equal(tarn_delta_partition_format(A, &raw, &out, &err), TARN_ERR_UNSUPPORTED);
    tarn_scalar nested = {0};
    nested.type = tarn_type_make(TARN_TYPE_STRUCT);
    assert_int_equal(tarn_delta_partition_format(A, &nested, &out, &err), TARN_ERR_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nulls),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_bool_date_ts),
        cmocka_unit_test(test_strings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
