/*
 * tests/exec/test_predicate.c - parsing, binding, vectorised evaluation with
 * three-valued logic, and stats-based skipping of --where predicates.
 */
#include "tarn_test.h"

#include "column/value.h"
#include "exec/predicate.h"

static tarn_schema *schema;
static tarn_batch *batch;

/* rows: id, amount, country, ts
 * 0: 1, 10.50, DE, 2024-01-01
 * 1: 2, -5.00, US, 2024-06-01
 * 2: 3, null,  null, null
 * 3: 4, 0.00,  FR, 2023-12-31T23:59:59Z */
static int setup(void **state)
{
    (void)state;
    tarn_err err;
    if (tarn_schema_parse("id int64, amount decimal(10,2), country string, ts timestamp", &schema,
                          &err) != TARN_OK)
        return -1;
    batch = tarn_batch_create(schema);
    const char *countries[] = {"DE", "US", NULL, "FR"};
    const int64_t amounts[] = {1050, -500, 0, 0};
    const char *ts[] = {"2024-01-01", "2024-06-01", NULL, "2023-12-31T23:59:59Z"};
    for (int i = 0; i < 4; i++) {
        if (tarn_vec_append_i64(batch->cols[0], i + 1) != TARN_OK)
            return -1;
        if (i == 2) {
            if (tarn_vec_append_null(batch->cols[1]) || tarn_vec_append_null(batch->cols[2]) ||
                tarn_vec_append_null(batch->cols[3]))
                return -1;
            continue;
        }
        int64_t t;
        if (tarn_vec_append_decimal(batch->cols[1], amounts[i]) ||
            tarn_vec_append_bytes(batch->cols[2], countries[i], 2) ||
            tarn_parse_timestamp(ts[i], strlen(ts[i]), false, &t, &err) ||
            tarn_vec_append_i64(batch->cols[3], t))
            return -1;
    }
    return tarn_batch_finish(batch, &err) == TARN_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tarn_batch_destroy(batch);
    tarn_schema_destroy(schema);
    return 0;
}

/* Evaluates text and returns the matches as a string like "1010". */
static const char *matches(const char *text, char *out)
{
    tarn_pred *p;
    tarn_err err;
    tarn_status st = tarn_pred_parse(text, schema, &p, &err);
    if (st != TARN_OK)
        fail_msg("parse '%s': %s", text, err.msg);
    uint8_t m[4];
    assert_int_equal(tarn_pred_eval(p, batch, m, &err), TARN_OK);
    for (int i = 0; i < 4; i++)
        out[i] = m[i] ? '1' : '0';
    out[4] = '\0';
    tarn_pred_destroy(p);
    return out;
}

static void test_eval(void **state)
{
    (void)state;
    char o[8];
    assert_string_equal(matches("amount < 0", o), "0100");
    assert_string_equal(matches("amount >= 0", o), "1001");
    assert_string_equal(matches("NOT amount >= 0", o), "0100"); /* null stays unknown */
    assert_string_equal(matches("amount IS NULL", o), "0010");
    assert_string_equal(matches("amount is not null and country <> 'US'", o), "1001");
    assert_string_equal(matches("country IN ('DE', 'FR')", o), "1001");
    assert_string_equal(matches("country NOT IN ('DE', NULL)", o), "0000");
    assert_string_equal(matches("country NOT IN ('DE')", o), "0101");
    assert_string_equal(matches("id BETWEEN 2 AND 3", o), "0110");
    assert_string_equal(matches("id NOT BETWEEN 2 AND 3", o), "1001");
    assert_string_equal(matches("3 <= id", o), "0011");
    assert_string_equal(matches("ts < '2024-01-01'", o), "0001");
    assert_string_equal(matches("ts >= '2024-01-01T00:00:00Z' OR id = 4", o), "1101");
    assert_string_equal(matches("(id = 1 OR id = 2) AND amount > 0", o), "1000");
    assert_string_equal(matches("amount = 10.5", o), "1000");
    assert_string_equal(matches("amount = NULL", o), "0000");
    assert_string_equal(matches("\"country\" = 'DE'", o), "1000");
}

static void test_errors(void **state)
{
    (void)state;
    tarn_pred *p;
    tarn_err err;
    assert_int_equal(tarn_pred_parse("amout < 0", schema, &p, &err), TARN_ERR_USAGE);
    assert_string_equal(err.msg, "--where: column 1: unknown column 'amout'");
    assert_string_equal(err.hint, "did you mean 'amount'?");
    assert_int_equal(tarn_pred_parse("amount < 'abc'", schema, &p, &err), TARN_ERR_USAGE);
    assert_non_null(strstr(err.msg, "is not decimal(10,2)"));
    assert_int_equal(tarn_pred_parse("id = 1 AND", schema, &p, &err), TARN_ERR_USAGE);
    assert_int_equal(tarn_pred_parse("id = 1)", schema, &p, &err), TARN_ERR_USAGE);
    assert_int_equal(tarn_pred_parse("", schema, &p, &err), TARN_ERR_USAGE);
    assert_int_equal(tarn_pred_parse("country = 'x", schema, &p, &err), TARN_ERR_USAGE);
    assert_int_equal(tarn_pred_parse("id ~ 3", schema, &p, &err), TARN_ERR_USAGE);
    char deep[1200];
    memset(deep, '(', 600);
    deep[600] = '\0';
    assert_int_equal(tarn_pred_parse(deep, schema, &p, &err), TARN_ERR_USAGE);
}

static void test_skipping(void **state)
{
    (void)state;
    tarn_pred_colstats st[4];
    memset(st, 0, sizeof st);
    st[0].known = true;
    st[0].has_min_max = true;
    st[0].min.type = st[0].max.type = schema->fields[0].type;
    st[0].min.v.i64 = 10;
    st[0].max.v.i64 = 20;
    st[0].null_count = 0;
    st[0].num_rows = 100;
    for (int i = 1; i < 4; i++) {
        st[i].null_count = -1;
        st[i].num_rows = -1;
    }
    struct {
        const char *text;
        bool may;
    } cases[] = {
        {"id = 5", false},
        {"id = 15", true},
        {"id < 10", false},
        {"id <= 10", true},
        {"id > 20", false},
        {"id >= 20", true},
        {"id IN (1, 2, 30)", false},
        {"id IN (1, 12)", true},
        {"id IS NULL", false},
        {"id IS NOT NULL", true},
        {"id = 5 OR amount > 0", true},
        {"id = 5 AND amount > 0", false},
        {"NOT id IS NULL", true},
        {"id != 15", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tarn_pred *p;
        tarn_err err;
        assert_int_equal(tarn_pred_parse(cases[i].text, schema, &p, &err), TARN_OK);
        if (tarn_pred_may_match(p, st) != cases[i].may)
            fail_msg("may_match('%s') should be %d", cases[i].text, cases[i].may);
        tarn_pred_destroy(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_skipping),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
