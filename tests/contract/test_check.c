/*
 * tests/contract/test_check.c - the check-expression parser: every metric,
 * operator and threshold kind, canonical keys, and every error with the
 * position of the offending token.
 */
#include "tarn_test.h"

#include "base/arena.h"
#include "contract/check.h"

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

static const tarn_ck_expr *parse_ok(const char *text)
{
    tarn_ck_expr *e = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_ck_parse(g_a, text, &e, &err) != TARN_OK)
        fail_msg("'%s': %s (col %lld)", text, err.msg, (long long)err.col);
    return e;
}

static void parse_err(const char *text, int col, const char *msg)
{
    tarn_ck_expr *e = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_ck_parse(g_a, text, &e, &err), TARN_ERR_INVALID);
    assert_null(e);
    if (strcmp(err.msg, msg) || err.col != col)
        fail_msg("'%s'\n  got:  col %lld: %s\n  want: col %d: %s", text, (long long)err.col,
                 err.msg, col, msg);
    assert_int_equal(err.line, 0);
}

static void test_metrics(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        tarn_ck_metric_kind kind;
        const char *key;
        int n_columns;
    } cases[] = {
        {"row_count > 0", TARN_CK_ROW_COUNT, "row_count", 0},
        {"row_count() > 0", TARN_CK_ROW_COUNT, "row_count", 0},
        {"null_count(user_id) = 0", TARN_CK_NULL_COUNT, "null_count(user_id)", 1},
        {"null_percentage( user_id ) < 0.01", TARN_CK_NULL_PERCENTAGE, "null_percentage(user_id)",
         1},
        {"duplicate_count(a,b , c) = 0", TARN_CK_DUPLICATE_COUNT, "duplicate_count(a, b, c)", 3},
        {"distinct_count(\"Order ID\") > 1", TARN_CK_DISTINCT_COUNT, "distinct_count(\"Order ID\")",
         1},
        {"invalid_count(amount) <= 10", TARN_CK_INVALID_COUNT, "invalid_count(amount)", 1},
        {"min(amount) >= 0", TARN_CK_MIN, "min(amount)", 1},
        {"MAX(amount) < 1e6", TARN_CK_MAX, "max(amount)", 1},
        {"avg(amount) between 1 and 2", TARN_CK_AVG, "avg(amount)", 1},
        {"sum(amount) != -5", TARN_CK_SUM, "sum(amount)", 1},
        {"freshness(ts) < 4h", TARN_CK_FRESHNESS, "freshness(ts)", 1},
        {"change(row_count) < 20%", TARN_CK_CHANGE, "change(row_count)", 0},
        {"anomaly(null_count(x))", TARN_CK_ANOMALY, "anomaly(null_count(x))", 0},
        {"anomaly(row_count, 10)", TARN_CK_ANOMALY, "anomaly(row_count, 10)", 0},
    };
    for (size_t i = 0; i < TARN_ARRAY_LEN(cases); i++) {
        const tarn_ck_expr *e = parse_ok(cases[i].text);
        assert_int_equal(e->metric.kind, cases[i].kind);
        assert_string_equal(e->metric.key, cases[i].key);
        assert_int_equal(e->metric.n_columns, cases[i].n_columns);
    }
    const tarn_ck_expr *e = parse_ok("anomaly(null_count(x), 12)");
    assert_int_equal(e->op, TARN_CK_OP_NONE);
    assert_int_equal(e->metric.window, 12);
    assert_string_equal(e->metric.inner->key, "null_count(x)");
    const char *cols[4];
    assert_int_equal(tarn_ck_columns(e, cols, 4), 1);
    assert_string_equal(cols[0], "x");
    assert_int_equal(parse_ok("anomaly(row_count)")->metric.window, 30);
    e = parse_ok("duplicate_count(a, b) = 0");
    assert_int_equal(tarn_ck_columns(e, cols, 1), 2); /* count beyond cap */
    assert_string_equal(cols[0], "a");
}

static void test_thresholds(void **state)
{
    (void)state;
    const tarn_ck_expr *e = parse_ok("null_percentage(a) < 0.01");
    assert_int_equal(e->op, TARN_CK_OP_LT);
    assert_int_equal(e->lo.unit, TARN_CK_NUMBER);
    assert_true(e->lo.num == 0.01);
    assert_string_equal(e->lo.text, "0.01");
    e = parse_ok("change(row_count) <= 20%");
    assert_int_equal(e->lo.unit, TARN_CK_PERCENT);
    assert_true(e->lo.num == 20);
    e = parse_ok("freshness(ts) < 4 hours");
    assert_int_equal(e->lo.unit, TARN_CK_DURATION);
    assert_int_equal(e->lo.seconds, 4 * 3600);
    e = parse_ok("freshness(ts) between 1h and 2 days");
    assert_int_equal(e->op, TARN_CK_OP_BETWEEN);
    assert_int_equal(e->lo.seconds, 3600);
    assert_int_equal(e->hi.seconds, 2 * 86400);
    e = parse_ok("max(d) <= '2024-01-01'");
    assert_int_equal(e->lo.unit, TARN_CK_LITERAL);
    assert_string_equal(e->lo.literal, "2024-01-01");
    e = parse_ok("avg(a) BETWEEN -1.5 AND +2e3");
    assert_true(e->lo.num == -1.5 && e->hi.num == 2000);
    static const struct {
        const char *text;
        tarn_ck_op op;
    } ops[] = {{"row_count < 1", TARN_CK_OP_LT},  {"row_count <= 1", TARN_CK_OP_LE},
               {"row_count > 1", TARN_CK_OP_GT},  {"row_count >= 1", TARN_CK_OP_GE},
               {"row_count = 1", TARN_CK_OP_EQ},  {"row_count == 1", TARN_CK_OP_EQ},
               {"row_count != 1", TARN_CK_OP_NE}, {"row_count <> 1", TARN_CK_OP_NE}};
    for (size_t i = 0; i < TARN_ARRAY_LEN(ops); i++)
        assert_int_equal(parse_ok(ops[i].text)->op, ops[i].op);
    assert_string_equal(tarn_ck_op_name(TARN_CK_OP_GE), ">=");
    assert_string_equal(tarn_ck_op_name(TARN_CK_OP_BETWEEN), "between");
}

static void test_compare(void **state)
{
    (void)state;
    const tarn_ck_expr *e = parse_ok("row_count between 2 and 4");
    assert_false(tarn_ck_compare(e, 1));
    assert_true(tarn_ck_compare(e, 2));
    assert_true(tarn_ck_compare(e, 4));
    assert_false(tarn_ck_compare(e, 4.5));
    e = parse_ok("freshness(t) < 1m");
    assert_true(tarn_ck_compare(e, 59));
    assert_false(tarn_ck_compare(e, 60));
    assert_true(tarn_ck_compare(parse_ok("row_count != 3"), 2));
    assert_false(tarn_ck_compare(parse_ok("row_count >= 3"), 2));
    assert_true(tarn_ck_compare(parse_ok("row_count <= 3"), 3));
    assert_false(tarn_ck_compare(parse_ok("row_count = 3"), 2));
}

static void test_errors(void **state)
{
    (void)state;
    parse_err("nul_count(a) < 3", 1, "unknown metric 'nul_count' (did you mean 'null_count'?)");
    parse_err("frobnicate(a) < 3", 1,
              "unknown metric 'frobnicate' (row_count, null_count, null_percentage, "
              "duplicate_count, distinct_count, invalid_count, min, max, avg, sum, freshness, "
              "change, anomaly)");
    parse_err("", 1, "expected a metric such as row_count, got end of check");
    parse_err("< 3", 1, "expected a metric such as row_count, got '<'");
    parse_err("null_count(a) < abc", 17, "expected a number after '<', got 'abc'");
    parse_err("null_count(a) <", 16, "expected a number after '<', got end of check");
    parse_err("row_count", 10,
              "row_count needs a comparison, e.g. 'row_count > 0' (only "
              "anomaly() stands alone)");
    parse_err("row_count ~ 3", 11, "expected a comparison (< <= > >= = != between), got '~'");
    parse_err("row_count > 3 4", 15, "unexpected '4' after the check");
    parse_err("row_count(a) > 1", 10, "row_count takes no column");
    parse_err("null_count > 1", 1, "null_count needs an argument: null_count(...)");
    parse_err("null_count() > 1", 1, "null_count needs a column: null_count(column)");
    parse_err("null_count(a, b) > 1", 1, "null_count takes one column, got 2");
    parse_err("null_count(a > 1", 14, "null_count: expected ')', got '>'");
    parse_err("duplicate_count(a,) = 0", 19, "expected a column name after ','");
    parse_err("null_count(3) > 1", 12, "expected a column name, got '3'");
    parse_err("freshness(ts) < 4", 17,
              "freshness compares with a duration such as 4h, 30m or 2 days, got '4'");
    parse_err("freshness(ts) < 4 parsecs", 17,
              "freshness compares with a duration such as 4h, 30m or 2 days, got '4 parsecs'");
    parse_err("row_count between 1 or 2", 21, "between: expected 'and', got 'or'");
    parse_err("row_count between 1 and", 24, "expected a number after 'and', got end of check");
    parse_err("row_count > 5%", 14, "'%' applies to null_percentage() and change() only");
    parse_err("avg(a) > '3'", 10, "a quoted value compares only with min() or max()");
    parse_err("max(a) > '3", 10, "unterminated quoted value");
    parse_err("anomaly(row_count) > 3", 20,
              "anomaly() is a check on its own and takes no comparison");
    parse_err("change(anomaly(row_count)) < 3", 8,
              "change() takes a plain metric such as row_count, not anomaly()");
    parse_err("anomaly(row_count, 2)", 20,
              "anomaly: the number of runs must be a whole number from 3 to 10000");
    parse_err("row_count > 1e999", 13, "number out of range: 1e999");
    parse_err("null_count(\"a) > 1", 12, "unterminated quoted column name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
