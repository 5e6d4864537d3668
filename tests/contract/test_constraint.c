/*
 * tests/contract/test_constraint.c - row constraints: parsing against the
 * column type, vectorised evaluation on every applicable type (nulls and
 * boundaries included), failure reasons, and every parse error.
 */
#include "tarn_test.h"

#include "base/arena.h"
#include "column/scalar.h"
#include "contract/constraint.h"

static tarn_arena *g_a;

static int setup(void **state)
{
    (void)state;
    g_a = tarn_arena_create(0);
    return g_a ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tarn_arena_destroy(g_a);
    return 0;
}

static tarn_field field(const char *name, const char *type)
{
    tarn_field f = {0};
    f.name = name;
    tarn_err err;
    assert_int_equal(tarn_type_parse(type, strlen(type), &f.type, &err), TARN_OK);
    f.nullable = true;
    f.field_id = -1;
    return f;
}

/* Vector of type from text values ("null" = NULL), parsed as scalars. */
static tarn_vec *vec(const char *type, const char *const *vals, int n)
{
    tarn_field f = field("v", type);
    tarn_vec *v = tarn_vec_create_type(f.type);
    assert_non_null(v);
    for (int i = 0; i < n; i++) {
        if (!strcmp(vals[i], "null")) {
            assert_int_equal(tarn_vec_append_null(v), TARN_OK);
            continue;
        }
        tarn_scalar s;
        tarn_err err;
        assert_int_equal(tarn_scalar_parse(g_a, f.type, vals[i], strlen(vals[i]), &s, &err),
                         TARN_OK);
        assert_int_equal(tarn_vec_append_scalar(v, &s), TARN_OK);
    }
    return v;
}

/* Evaluates rule on values of type; want is a string of '1'/'0' per row. */
static void check(const char *type, const char *rule, const char *const *vals, int n,
                  const char *want)
{
    tarn_field f = field("v", type);
    tarn_ct_constraint c;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_ct_constraint_parse(g_a, rule, &f, &c, &err) != TARN_OK)
        fail_msg("%s on %s: %s", rule, type, err.msg);
    tarn_vec *v = vec(type, vals, n);
    uint8_t ok[64];
    assert_int_equal(tarn_ct_constraint_eval(&c, v, n, ok, &err), TARN_OK);
    char got[65];
    for (int i = 0; i < n; i++)
        got[i] = ok[i] ? '1' : '0';
    got[n] = '\0';
    if (strcmp(got, want))
        fail_msg("%s on %s: got %s, want %s", rule, type, got, want);
    tarn_ct_constraint_fini(&c);
    tarn_vec_destroy(v);
}

#define CHECK(type, rule, want, ...)                                                               \
    do {                                                                                           \
        const char *const vals_[] = {__VA_ARGS__};                                                 \
        check(type, rule, vals_, (int)TARN_ARRAY_LEN(vals_), want);                                \
    } while (0)

static void test_not_null_unique(void **state)
{
    (void)state;
    CHECK("int64", "not_null", "101", "1", "null", "3");
    CHECK("string", "not_null", "110", "a", "", "null");
    CHECK("boolean", "not_null", "10", "true", "null");
    CHECK("int32", "unique", "111", "1", "1", "null"); /* counted across rows elsewhere */
}

static void test_bounds(void **state)
{
    (void)state;
    CHECK("int8", "min_value(-5)", "0111", "-6", "-5", "100", "null");
    CHECK("int16", "max_value(300)", "110", "-300", "300", "301");
    CHECK("int32", "min_value(0)", "0111", "-1", "0", "2147483647", "null");
    CHECK("int64", "max_value(10)", "110", "-9223372036854775808", "10", "11");
    CHECK("double", "min_value(0.5)", "0110", "0.4", "0.5", "1e300", "NaN");
    CHECK("float", "max_value(1.5)", "101", "1.25", "1.75", "null");
    CHECK("decimal(10,2)", "min_value(0)", "0111", "-0.01", "0.00", "12.34", "null");
    CHECK("decimal(10,2)", "max_value(99.5)", "110", "99.49", "99.50", "99.51");
    CHECK("decimal(30,4)", "min_value(-1.5)", "011", "-1.5001", "-1.5",
          "12345678901234567890.1234");
    CHECK("date", "min_value('2024-01-01')", "0111", "2023-12-31", "2024-01-01", "2030-05-05",
          "null");
    CHECK("timestamp", "max_value('2024-01-01T00:00:00Z')", "110", "2023-12-31T23:59:59Z",
          "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000001Z");
    CHECK("string", "min_value('b')", "0111", "a", "b", "ba", "null");
}

static void test_allowed_values(void **state)
{
    (void)state;
    CHECK("string", "allowed_values('new', 'paid', \"it's\")", "11010", "new", "paid", "New",
          "null", "it''s");
    CHECK("string", "allowed_values('new', 'paid', \"it's\")", "1", "it's");
    CHECK("string", "allowed_values(new, paid)", "101", "new", "x", "paid");
    CHECK("int32", "allowed_values(3, 1, 2)", "11101", "1", "2", "3", "4", "null");
    CHECK("int64", "allowed_values(-9000000000)", "10", "-9000000000", "0");
    CHECK("decimal(5,2)", "allowed_values(1.5, 2)", "1101", "1.50", "2.00", "2.01", "null");
    CHECK("decimal(25,2)", "allowed_values(1.5)", "10", "1.50", "2.00");
    CHECK("double", "allowed_values(0.5, 1)", "110", "0.5", "1.0", "2");
    CHECK("boolean", "allowed_values(true)", "101", "true", "false", "null");
    CHECK("date", "allowed_values('2024-02-29')", "10", "2024-02-29", "2024-03-01");
}

static void test_regex_lengths(void **state)
{
    (void)state;
    CHECK("string", "regex('[a-z]+')", "10111", "abc", "abc1", "null", "z", "xyz");
    CHECK("string", "regex('^[A-Z]{2}-[0-9]+$')", "100", "EU-12", "eu-12", "EU-");
    CHECK("string", "regex('a|b')", "110", "a", "b", "ab"); /* whole value */
    CHECK("string", "min_length(3)", "01111", "ab", "abc", "héé", "null", "日本語");
    CHECK("string", "max_length(2)", "110", "ab", "é€", "abc");
    CHECK("binary", "max_length(2)", "101", "ab", "abc", "null"); /* bytes */
    CHECK("string", "max_length(0)", "10", "", "a");
    /* Long values are matched in full. */
    char longv[2000];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    CHECK("string", "regex('a+')", "1", longv);
}

static void test_parse_forms(void **state)
{
    (void)state;
    tarn_field f = field("amount", "decimal(10,2)");
    tarn_ct_constraint c;
    tarn_err err;
    assert_int_equal(tarn_ct_constraint_parse(g_a, "  min_value ( 10.5 )  ", &f, &c, &err),
                     TARN_OK);
    assert_int_equal(c.kind, TARN_CT_MIN_VALUE);
    assert_string_equal(c.text, "min_value(10.5)");
    assert_string_equal(c.id, "amount.min_value");
    assert_int_equal(c.n_args, 1);
    assert_string_equal(c.args[0], "10.5");
    assert_true(c.value.v.i128 == 1050);
    assert_int_equal(c.severity, TARN_CT_FAIL);
    tarn_field s = field("status", "string");
    assert_int_equal(
        tarn_ct_constraint_parse(g_a, "allowed_values(a,'b c', \"O'Brien\")", &s, &c, &err),
        TARN_OK);
    assert_string_equal(c.text, "allowed_values('a', 'b c', 'O''Brien')");
    assert_int_equal(c.n_args, 3);
    assert_string_equal(c.args[2], "O'Brien");
    assert_int_equal(tarn_ct_constraint_parse(g_a, "not_null", &s, &c, &err), TARN_OK);
    assert_string_equal(c.text, "not_null");
    assert_int_equal(tarn_ct_constraint_parse(g_a, "unique()", &s, &c, &err), TARN_OK);
    assert_string_equal(c.text, "unique");
    assert_int_equal(tarn_ct_constraint_parse(g_a, "max_length( 20 )", &s, &c, &err), TARN_OK);
    assert_string_equal(c.text, "max_length(20)");
    assert_int_equal(c.length, 20);
    assert_int_equal(tarn_ct_constraint_parse(g_a, "regex('^x$')", &s, &c, &err), TARN_OK);
    assert_non_null(c.impl);
    tarn_ct_constraint_fini(&c);
    assert_null(c.impl);
    tarn_ct_constraint_fini(&c); /* twice is fine */
    tarn_ct_constraint zero = {0};
    tarn_ct_constraint_fini(&zero);
    assert_string_equal(tarn_ct_constraint_name(TARN_CT_ALLOWED_VALUES), "allowed_values");
}

static void parse_err(const char *type, const char *rule, const char *msg)
{
    tarn_field f = field("v", type);
    tarn_ct_constraint c;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_not_equal(tarn_ct_constraint_parse(g_a, rule, &f, &c, &err), TARN_OK);
    tarn_ct_constraint_fini(&c);
    if (strcmp(err.msg, msg))
        fail_msg("%s on %s\n  got:  %s\n  want: %s", rule, type, err.msg, msg);
}

static void test_parse_errors(void **state)
{
    (void)state;
    parse_err("int", "min_val(0)", "unknown constraint 'min_val' (did you mean 'min_value'?)");
    parse_err("int", "positive",
              "unknown constraint 'positive' (not_null, unique, min_value, max_value, "
              "allowed_values, regex, min_length, max_length)");
    parse_err("int", "", "empty constraint");
    parse_err("int", "min_value", "min_value expects 1 argument, got 0 (e.g. min_value(0))");
    parse_err("int", "min_value(1, 2)", "min_value expects 1 argument, got 2 (e.g. min_value(0))");
    parse_err("string", "max_length()",
              "max_length expects 1 argument, got 0 (e.g. max_length(20))");
    parse_err("string", "regex()", "regex expects 1 argument, got 0 (e.g. regex('^[A-Z]+$'))");
    parse_err("int", "not_null(1)", "not_null takes no arguments");
    parse_err("int", "allowed_values()",
              "allowed_values needs at least one value (e.g. allowed_values('a', 'b'))");
    parse_err("decimal(10,2)", "min_value(abc)", "min_value: 'abc' is not decimal(10,2)");
    parse_err("decimal(10,2)", "min_value(1.234)", "min_value: '1.234' is not decimal(10,2)");
    parse_err("int32", "max_value(3000000000)", "max_value: '3000000000' is not int32");
    parse_err("date", "min_value('2024-13-01')", "min_value: '2024-13-01' is not date");
    parse_err("int", "allowed_values(1, x)", "allowed_values: 'x' is not int32");
    parse_err("boolean", "min_value(true)",
              "min_value applies to numbers, decimals, dates, times and strings, not boolean");
    parse_err("int", "regex('a')", "regex applies to string columns, not int32");
    parse_err("int", "min_length(1)", "min_length applies to string and binary columns, not int32");
    parse_err("string", "min_length(-1)",
              "min_length: '-1' is not a length (a whole number from 0)");
    parse_err("string", "max_length(x)", "max_length: 'x' is not a length (a whole number from 0)");
    parse_err("string", "regex('a(')", "regex: Unmatched ( or \\( in 'a('");
    parse_err("int8", "min_value(-1000)", "min_value: '-1000' is not int8");
    parse_err("string", "allowed_values('a", "allowed_values: unterminated quoted value");
    parse_err("string", "allowed_values('a' 'b')",
              "allowed_values: expected ',' or ')' after an argument, got '''");
    parse_err("string", "allowed_values('a',", "allowed_values: empty argument");
    parse_err("string", "allowed_values(a", "allowed_values: missing ')'");
    parse_err("int", "min_value(1) extra", "min_value: unexpected 'extra' after the rule");
    parse_err("double", "min_value(NaN)", "min_value: NaN is not a bound");
}

static void test_reasons(void **state)
{
    (void)state;
    static const struct {
        const char *type, *rule, *value, *want;
    } cases[] = {
        {"decimal(10,2)", "min_value(0)", "-5", "amount: -5.00 violates min_value(0)"},
        {"int64", "not_null", "null", "amount: null violates not_null"},
        {"string", "allowed_values('new','paid')", "bogus",
         "amount: 'bogus' violates allowed_values('new', 'paid')"},
        {"date", "max_value('2024-01-01')", "2025-02-03",
         "amount: '2025-02-03' violates max_value('2024-01-01')"},
        {"double", "max_value(1)", "1.5", "amount: 1.5 violates max_value(1)"},
    };
    for (size_t i = 0; i < TARN_ARRAY_LEN(cases); i++) {
        tarn_field f = field("amount", cases[i].type);
        tarn_ct_constraint c;
        tarn_err err;
        assert_int_equal(tarn_ct_constraint_parse(g_a, cases[i].rule, &f, &c, &err), TARN_OK);
        const char *vals[] = {cases[i].value};
        tarn_vec *v = vec(cases[i].type, vals, 1);
        tarn_buf b;
        tarn_buf_init(&b);
        assert_int_equal(tarn_ct_constraint_reason(&c, "amount", v, 0, &b), TARN_OK);
        assert_string_equal(b.data, cases[i].want);
        tarn_buf_fini(&b);
        tarn_vec_destroy(v);
    }
    /* Long values are cut, never in the middle of a character. */
    tarn_field f = field("note", "string");
    tarn_ct_constraint c;
    tarn_err err;
    assert_int_equal(tarn_ct_constraint_parse(g_a, "max_length(3)", &f, &c, &err), TARN_OK);
    const char *vals[] = {"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"};
    tarn_vec *v = vec("string", vals, 1);
    tarn_buf b;
    tarn_buf_init(&b);
    assert_int_equal(tarn_ct_constraint_reason(&c, "note", v, 0, &b), TARN_OK);
    assert_non_null(strstr(b.data, "...' violates max_length(3)"));
    assert_non_null(strstr(b.data, "note: 'éé"));
    tarn_buf_fini(&b);
    tarn_vec_destroy(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_null_unique), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_allowed_values),  cmocka_unit_test(test_regex_lengths),
        cmocka_unit_test(test_parse_forms),     cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_reasons),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
