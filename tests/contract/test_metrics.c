/*
 * tests/contract/test_metrics.c - every metric, constraint and schema result
 * of tarn_ct_test on a small Delta table with known contents, and the
 * change()/anomaly() history through a catalog.
 */
#include "tarn_test.h"

#include "catalog/metrics_store.h"
#include "contract/metrics.h"
#include "delta/write.h"
#include "io/reader.h"

#include <math.h>

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("ctmetrics", g_dir, sizeof g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(g_dir);
    return 0;
}

static tarn_status reader_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    return tarn_io_reader_next(ctx, out, err);
}

/* Writes NDJSON rows into a Delta table at DIR/name; returns the path. */
static const char *make_table(const char *name, const char *schema_text, const char *ndjson)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    tarn_schema *s;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_schema_parse(schema_text, &s, &err), TARN_OK);
    tarn_io_opts o = {0};
    o.format = TARN_IO_NDJSON;
    tarn_io_reader *r;
    assert_int_equal(tarn_io_reader_open_mem(ndjson, strlen(ndjson), "t.ndjson", s, &o, &r, &err),
                     TARN_OK);
    assert_int_equal(tarn_delta_write(path, s, reader_next, r, NULL, NULL, &err), TARN_OK);
    tarn_io_reader_close(r);
    tarn_schema_destroy(s);
    return path;
}

static tarn_contract *load(const char *yaml)
{
    tarn_contract *c = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_ct_load_mem(yaml, strlen(yaml), "c.yaml", &c, &err) != TARN_OK)
        fail_msg("load: %s", err.msg);
    return c;
}

static const tarn_ct_result *res(const tarn_ct_report *r, const char *id_or_expr)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->results[i].id, id_or_expr) ||
            (r->results[i].expr && !strcmp(r->results[i].expr, id_or_expr)))
            return &r->results[i];
    fail_msg("no result '%s'", id_or_expr);
    return NULL;
}

static void expect(const tarn_ct_report *r, const char *what, tarn_ct_outcome outcome,
                   const char *value_text)
{
    const tarn_ct_result *x = res(r, what);
    if (x->outcome != outcome || strcmp(x->value_text, value_text))
        fail_msg("%s: %s '%s' (%s), want %s '%s'", what, tarn_ct_outcome_name(x->outcome),
                 x->value_text, x->detail, tarn_ct_outcome_name(outcome), value_text);
}

static const char rows[] =
    "{\"id\":1,\"k\":\"a\",\"n\":10,\"x\":1.5,\"amt\":\"10.50\",\"d\":\"2026-01-01\","
    "\"ts\":\"2026-01-01T00:00:00Z\",\"s\":\"new\"}\n"
    "{\"id\":2,\"k\":\"a\",\"n\":null,\"x\":2.5,\"amt\":\"-1.00\",\"d\":\"2026-01-03\","
    "\"ts\":\"2026-01-02T12:00:00Z\",\"s\":\"paid\"}\n"
    "{\"id\":3,\"k\":\"b\",\"n\":30,\"x\":null,\"amt\":\"5.25\",\"d\":null,"
    "\"ts\":null,\"s\":\"bogus\"}\n"
    "{\"id\":3,\"k\":null,\"n\":40,\"x\":4.0,\"amt\":null,\"d\":\"2025-12-31\","
    "\"ts\":\"2026-01-01T06:00:00Z\",\"s\":\"new\"}\n";
static const char schema[] = "id int64, k string, n int32, x double, amt decimal(10,2), d date, "
                             "ts timestamp, s string";

static const char contract_yaml[] =
    "dataset: m\nprimary_key: id\nquality:\n"
    "  - row_count = 4\n"
    "  - null_count(n) = 1\n"
    "  - null_percentage(n) <= 25%\n"
    "  - duplicate_count(id) = 0\n"
    "  - duplicate_count(id, k) = 0\n"
    "  - distinct_count(k) = 2\n"
    "  - invalid_count(amt) = 0\n"
    "  - invalid_count(s) = 2\n"
    "  - min(n) >= 10\n"
    "  - max(n) < 40\n"
    "  - avg(n) between 20 and 30\n"
    "  - sum(amt) = 14.75\n"
    "  - sum(n) > 0\n"
    "  - avg(x) > 2.6\n"
    "  - max(d) = '2026-01-03'\n"
    "  - min(ts) < '2026-01-01T01:00:00Z'\n"
    "  - freshness(ts) <= 12h\n"
    "  - freshness(d) < 1d\n"
    "  - min(k) = 'a'\n"
    "  - {check: \"max(s) = 'zzz'\", severity: warn}\n"
    "  - sum(s) > 0\n"
    "  - null_count(nope) = 0\n"
    "  - max(d) > 5\n"
    "schema:\n"
    "  - {name: id, type: int64}\n"
    "  - {name: k, type: string}\n"
    "  - {name: n, type: int32}\n"
    "  - {name: x, type: double}\n"
    "  - {name: amt, type: \"decimal(10,2)\", constraints: [not_null, min_value(0)]}\n"
    "  - {name: d, type: date}\n"
    "  - {name: ts, type: timestamp}\n"
    "  - {name: s, type: string, constraints: [\"allowed_values('new', 'paid')\", unique]}\n";

/* 2026-01-03T00:00:00Z */
#define NOW_US (INT64_C(1767398400) * 1000000)

static void test_every_metric(void **state)
{
    (void)state;
    const char *t = make_table("m", schema, rows);
    tarn_contract *c = load(contract_yaml);
    tarn_ct_test_opts o = {.now_us = NOW_US};
    tarn_ct_report r;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_ct_test(c, t, &o, &r, &err), TARN_OK);
    assert_int_equal(r.rows, 4);
    assert_int_equal(r.table_version, 0);
    expect(&r, "schema", TARN_CT_PASSED, "8 columns");
    expect(&r, "id.not_null", TARN_CT_PASSED, "0");
    expect(&r, "amt.not_null", TARN_CT_FAILED, "1");
    expect(&r, "amt.min_value", TARN_CT_FAILED, "1");
    assert_string_equal(res(&r, "amt.min_value")->detail, "amt: -1.00 violates min_value(0)");
    expect(&r, "s.allowed_values", TARN_CT_FAILED, "1");
    assert_string_equal(res(&r, "s.allowed_values")->detail,
                        "s: 'bogus' violates allowed_values('new', 'paid')");
    expect(&r, "s.unique", TARN_CT_FAILED, "1");
    assert_string_equal(res(&r, "s.unique")->detail, "s: 'new' violates unique");
    expect(&r, "primary_key.unique", TARN_CT_FAILED, "1");
    expect(&r, "row_count = 4", TARN_CT_PASSED, "4");
    expect(&r, "null_count(n) = 1", TARN_CT_PASSED, "1");
    expect(&r, "null_percentage(n) <= 25%", TARN_CT_PASSED, "25");
    expect(&r, "duplicate_count(id) = 0", TARN_CT_FAILED, "1");
    expect(&r, "duplicate_count(id, k) = 0", TARN_CT_PASSED, "0");
    expect(&r, "distinct_count(k) = 2", TARN_CT_PASSED, "2");
    expect(&r, "invalid_count(amt) = 0", TARN_CT_FAILED, "2");
    expect(&r, "invalid_count(s) = 2", TARN_CT_PASSED, "2");
    expect(&r, "min(n) >= 10", TARN_CT_PASSED, "10");
    expect(&r, "max(n) < 40", TARN_CT_FAILED, "40");
    expect(&r, "avg(n) between 20 and 30", TARN_CT_PASSED, "26.6667");
    expect(&r, "sum(amt) = 14.75", TARN_CT_PASSED, "14.75");
    expect(&r, "sum(n) > 0", TARN_CT_PASSED, "80");
    expect(&r, "avg(x) > 2.6", TARN_CT_PASSED, "2.66667");
    expect(&r, "max(d) = '2026-01-03'", TARN_CT_PASSED, "2026-01-03");
    expect(&r, "min(ts) < '2026-01-01T01:00:00Z'", TARN_CT_PASSED, "2026-01-01T00:00:00.000000Z");
    expect(&r, "freshness(ts) <= 12h", TARN_CT_PASSED, "12h 0m");
    expect(&r, "freshness(d) < 1d", TARN_CT_PASSED, "0s");
    expect(&r, "min(k) = 'a'", TARN_CT_PASSED, "a");
    expect(&r, "max(s) = 'zzz'", TARN_CT_WARNED, "paid");
    expect(&r, "sum(s) > 0", TARN_CT_ERROR, "");
    assert_string_equal(res(&r, "sum(s) > 0")->detail,
                        "sum(s) needs a numeric column; 's' is not one");
    expect(&r, "null_count(nope) = 0", TARN_CT_ERROR, "");
    assert_string_equal(res(&r, "null_count(nope) = 0")->detail,
                        "column 'nope' is not in the table");
    expect(&r, "max(d) > 5", TARN_CT_ERROR, "2026-01-03");
    assert_int_equal(r.passed, 18);
    assert_int_equal(r.failed, 8);
    assert_int_equal(r.warned, 1);
    assert_int_equal(r.errors, 3);
    /* Every base metric is there for the history, once. */
    int rc = 0;
    for (int i = 0; i < r.n_metrics; i++)
        rc += !strcmp(r.metrics[i].metric, "row_count");
    assert_int_equal(rc, 1);
    tarn_ct_report_fini(&r);
    tarn_ct_destroy(c);
}

static void test_schema_drift_and_empty(void **state)
{
    (void)state;
    const char *t = make_table("e", "a int64, b string", "");
    tarn_contract *c = load("dataset: e\nquality: [\"min(a) > 0\", \"row_count = 0\", "
                            "\"null_percentage(a) = 0\"]\n"
                            "schema:\n  - {name: a, type: int32, constraints: [min_value(1)]}\n"
                            "  - {name: c, type: string, nullable: false}\n");
    tarn_ct_report r;
    tarn_err err;
    assert_int_equal(tarn_ct_test(c, t, NULL, &r, &err), TARN_OK);
    assert_string_equal(res(&r, "schema.a")->detail,
                        "column 'a' is int64 in the table, the contract says int32");
    assert_string_equal(res(&r, "schema.c")->detail, "column 'c' (string) is not in the table");
    expect(&r, "a.min_value", TARN_CT_ERROR, "");
    expect(&r, "c.not_null", TARN_CT_ERROR, "");
    /* No rows: min() has no value and fails; counts are zero. */
    expect(&r, "min(a) > 0", TARN_CT_FAILED, "null");
    assert_string_equal(res(&r, "min(a) > 0")->detail, "min(a) has no value (the table is empty)");
    expect(&r, "row_count = 0", TARN_CT_PASSED, "0");
    expect(&r, "null_percentage(a) = 0", TARN_CT_PASSED, "0");
    tarn_ct_report_fini(&r);
    tarn_ct_destroy(c);
    /* Not a table: an error, not a report. */
    char missing[512];
    snprintf(missing, sizeof missing, "%s/none", g_dir);
    c = load("dataset: e\nschema: [{name: a, type: int}]\n");
    assert_int_equal(tarn_ct_test(c, missing, NULL, &r, &err), TARN_ERR_NOT_FOUND);
    tarn_ct_destroy(c);
}

static void test_history(void **state)
{
    (void)state;
    const char *t = make_table("h", schema, rows);
    char lake[512];
    snprintf(lake, sizeof lake, "%s/lake", g_dir);
    tarn_catalog *cat;
    tarn_err err;
    assert_int_equal(tarn_catalog_open(lake, &cat, &err), TARN_OK);
    tarn_contract *c = load("dataset: h\nquality:\n  - change(row_count) < 20%\n"
                            "  - change(sum(n)) <= 10\n  - anomaly(null_count(n), 5)\n"
                            "schema: [{name: id, type: int64}, {name: n, type: int32}]\n");
    tarn_ct_test_opts o = {.now_us = NOW_US, .history = cat, .history_key = "h"};
    tarn_ct_report r;
    /* No history yet: change() and anomaly() pass and say why. */
    assert_int_equal(tarn_ct_test(c, t, &o, &r, &err), TARN_OK);
    expect(&r, "change(row_count) < 20%", TARN_CT_PASSED, "n/a");
    assert_string_equal(res(&r, "change(row_count) < 20%")->detail,
                        "row_count = 4; no previous run to compare with");
    assert_string_equal(res(&r, "anomaly(null_count(n), 5)")->detail,
                        "null_count(n) = 1; not enough history (0 of 5 runs needed)");
    tarn_ct_report_fini(&r);
    /* Earlier runs: row_count 5 (change 20% -> fails < 20%), sum(n) 80,
     * null_count(n) 0, 0, 0, 0, 0 (sd 0: 1 is an anomaly). */
    for (int i = 0; i < 5; i++) {
        tarn_metric_value v[] = {{"row_count", 5}, {"sum(n)", 80}, {"null_count(n)", 0}};
        assert_int_equal(
            tarn_metrics_record(cat, "h", "h", "1.0.0", NOW_US - (10 - i) * 1000, v, 3, &err),
            TARN_OK);
    }
    /* Another table's history does not count. */
    tarn_metric_value other[] = {{"row_count", 4}};
    assert_int_equal(tarn_metrics_record(cat, "h", "elsewhere", NULL, NOW_US - 1, other, 1, &err),
                     TARN_OK);
    assert_int_equal(tarn_ct_test(c, t, &o, &r, &err), TARN_OK);
    expect(&r, "change(row_count) < 20%", TARN_CT_FAILED, "20%");
    assert_string_equal(res(&r, "change(row_count) < 20%")->detail,
                        "row_count = 4, previous run 5");
    expect(&r, "change(sum(n)) <= 10", TARN_CT_PASSED, "0%");
    expect(&r, "anomaly(null_count(n), 5)", TARN_CT_FAILED, "1");
    assert_string_equal(res(&r, "anomaly(null_count(n), 5)")->detail,
                        "null_count(n) = 1; last 5 runs: mean 0, sd 0 (allowed 0 ± 3 sd)");
    tarn_ct_report_fini(&r);
    /* Runs recorded after "now" are not history. */
    double last[8];
    int n;
    assert_int_equal(
        tarn_metrics_last(cat, "h", "h", "row_count", NOW_US - 8000, 8, last, &n, &err), TARN_OK);
    assert_int_equal(n, 2);
    tarn_ct_destroy(c);
    tarn_catalog_close(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_metric, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_drift_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
