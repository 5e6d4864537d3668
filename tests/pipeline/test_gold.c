/*
 * tests/pipeline/test_gold.c - Gold model files: the YAML header and its
 * errors, dependencies read from the SQL (CTE names are not tables), build
 * order, cycles; building, up-to-date detection and failing tests.
 */
#include "tarn_test.h"

#include "delta/snapshot.h"
#include "delta/write.h"
#include "pipeline/gold.h"
#include "sql/query.h"

static void put(const char *dir, const char *name, const char *text)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_header_and_order(void **state)
{
    (void)state;
    char dir[512];
    tt_tmpdir("gold", dir, sizeof dir);
    put(dir, "a.sql",
        "/* ---\nname: top\nmaterialized: table\n--- */\n"
        "WITH x AS (SELECT * FROM gold.daily) SELECT * FROM x JOIN silver.c ON true\n");
    put(dir, "b.sql",
        "/* ---\nname: daily\ndescription: per day\nowner: me@x\n"
        "materialized: incremental\nunique_key: [d, c]\ntests:\n"
        "  - unique: [d, c]\n  - not_null: d\n--- */\n\nSELECT d FROM silver.orders\n");
    put(dir, "notes.txt", "not a model");
    tarn_gold_models ms;
    tarn_err err;
    if (tarn_gold_load(dir, &ms, &err) != TARN_OK)
        fail_msg("load: %s", err.msg);
    assert_int_equal(ms.n, 2);
    assert_string_equal(ms.v[0].name, "daily"); /* read by top: built first */
    assert_string_equal(ms.v[1].name, "top");
    const tarn_gold_model *d = tarn_gold_find(&ms, "daily");
    assert_true(d->incremental);
    assert_int_equal(d->n_unique_key, 2);
    assert_int_equal(d->n_tests, 2);
    assert_int_equal(d->tests[1].kind, TARN_GOLD_NOT_NULL);
    assert_int_equal(d->sql_line, 10); /* the line holding the header's end */
    const tarn_gold_model *t = tarn_gold_find(&ms, "top");
    assert_int_equal(t->n_deps, 2); /* gold.daily, silver.c; not the CTE x */
    assert_string_equal(t->deps[0], "gold.daily");
    assert_string_equal(t->deps[1], "silver.c");
    tarn_gold_models_free(&ms);
    tt_rmrf(dir);
}

static void test_errors(void **state)
{
    (void)state;
    char dir[512];
    tarn_gold_models ms;
    tarn_err err;
    tt_tmpdir("gold-err", dir, sizeof dir);
    put(dir, "m.sql", "/* ---\nmaterialized: incremental\n--- */\nSELECT 1\n");
    assert_int_equal(tarn_gold_load(dir, &ms, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "m.sql:2:1: unique_key: materialized: incremental needs"));
    tarn_gold_models_free(&ms);
    put(dir, "m.sql", "/* ---\ntests:\n  - unique_ish: a\n--- */\nSELECT 1\n");
    assert_int_equal(tarn_gold_load(dir, &ms, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "m.sql:3:5: unknown test 'unique_ish'"));
    tarn_gold_models_free(&ms);
    put(dir, "m.sql", "/* ---\nname: m\n--- */\n\nSELECT FROM\n");
    assert_int_equal(tarn_gold_load(dir, &ms, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "m.sql:5:"));
    tarn_gold_models_free(&ms);
    put(dir, "m.sql", "SELECT * FROM gold.n\n");
    put(dir, "n.sql", "SELECT * FROM gold.m\n");
    assert_int_equal(tarn_gold_load(dir, &ms, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "cycle: m -> n -> m"));
    tarn_gold_models_free(&ms);
    tt_rmrf(dir);
}

typedef struct one {
    tarn_batch *b;
    bool done;
} one;

static tarn_status one_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    (void)err;
    one *o = ctx;
    *out = o->done ? NULL : o->b;
    o->done = true;
    return TARN_OK;
}

static void test_build(void **state)
{
    (void)state;
    char dir[512], lake[600], models[600], table[700];
    tt_tmpdir("gold-build", dir, sizeof dir);
    snprintf(lake, sizeof lake, "%s/lake", dir);
    snprintf(models, sizeof models, "%s/models", dir);
    snprintf(table, sizeof table, "%s/silver/t", lake);
    assert_int_equal(mkdir(models, 0755), 0);
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_schema_parse("k int64, v int64", &s, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(tarn_vec_append_i64(b->cols[0], i % 3), TARN_OK);
        assert_int_equal(tarn_vec_append_i64(b->cols[1], i), TARN_OK);
    }
    b->n_rows = 6;
    one src = {b, false};
    tarn_delta_write_result wr;
    assert_int_equal(tarn_delta_write(table, s, one_next, &src, NULL, &wr, &err), TARN_OK);
    put(models, "agg.sql",
        "/* ---\ntests:\n  - unique: k\n--- */\n"
        "SELECT k, sum(v) AS s FROM silver.t GROUP BY k\n");
    put(models, "bad.sql", "/* ---\ntests:\n  - unique: k\n--- */\nSELECT k FROM silver.t\n");
    tarn_gold_models ms;
    assert_int_equal(tarn_gold_load(models, &ms, &err), TARN_OK);
    tarn_gold_result r;
    assert_int_equal(tarn_gold_build(lake, tarn_gold_find(&ms, "agg"), false, &r, &err), TARN_OK);
    assert_true(r.rebuilt);
    assert_int_equal(r.rows, 3);
    assert_int_equal(tarn_gold_build(lake, tarn_gold_find(&ms, "agg"), false, &r, &err), TARN_OK);
    assert_false(r.rebuilt); /* nothing changed */
    assert_int_equal(tarn_gold_build(lake, tarn_gold_find(&ms, "agg"), true, &r, &err), TARN_OK);
    assert_true(r.rebuilt); /* --full-refresh */
    /* Surrogate keys: numbered in unique_key order, kept across rebuilds. */
    put(models, "dim.sql",
        "/* ---\nunique_key: k\nsurrogate_key: k_sk\ntests:\n  - unique: k_sk\n--- */\n"
        "SELECT DISTINCT k FROM silver.t\n");
    tarn_gold_models_free(&ms);
    assert_int_equal(tarn_gold_load(models, &ms, &err), TARN_OK);
    if (tarn_gold_build(lake, tarn_gold_find(&ms, "dim"), false, &r, &err) != TARN_OK)
        fail_msg("dim: %s", err.msg);
    tarn_sql_opts so = {.lake = lake};
    tarn_sql_result *q;
    assert_int_equal(tarn_sql_run("SELECT k_sk, k FROM gold.dim ORDER BY k", &so, &q, &err),
                     TARN_OK);
    assert_int_equal(q->batch->n_rows, 3);
    for (int64_t i = 0; i < 3; i++)
        assert_int_equal(tarn_vec_get_i64(q->batch->cols[0], i), i + 1);
    tarn_sql_result_destroy(q);
    tarn_batch *b2 = tarn_batch_create(s);
    assert_int_equal(tarn_vec_append_i64(b2->cols[0], -5), TARN_OK); /* sorts first, arrives last */
    assert_int_equal(tarn_vec_append_i64(b2->cols[1], 9), TARN_OK);
    b2->n_rows = 1;
    one src2 = {b2, false};
    assert_int_equal(tarn_delta_write(table, s, one_next, &src2, NULL, &wr, &err), TARN_OK);
    assert_int_equal(tarn_gold_build(lake, tarn_gold_find(&ms, "dim"), false, &r, &err), TARN_OK);
    assert_true(r.rebuilt);
    assert_int_equal(tarn_sql_run("SELECT k_sk FROM gold.dim ORDER BY k", &so, &q, &err), TARN_OK);
    const int64_t want[] = {4, 1, 2, 3}; /* -5 is new: the next key */
    for (int64_t i = 0; i < 4; i++)
        assert_int_equal(tarn_vec_get_i64(q->batch->cols[0], i), want[i]);
    tarn_sql_result_destroy(q);
    tarn_batch_destroy(b2);
    /* A failing unique test commits nothing: no table appears. */
    assert_int_equal(tarn_gold_build(lake, tarn_gold_find(&ms, "bad"), false, &r, &err),
                     TARN_ERR_DATA);
    assert_non_null(strstr(r.failed_test, "unique(k): 3 duplicate rows"));
    char bad[700];
    snprintf(bad, sizeof bad, "%s/gold/bad", lake);
    assert_false(tarn_delta_is_table(bad));
    tarn_gold_models_free(&ms);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_order),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
