/*
 * tests/pipeline/test_gold.c - Gold model files: the YAML header and its
 * errors, dependencies read from the SQL (CTE names are not tables), build
 * order, cycles; building (table, incremental merge, surrogate keys),
 * up-to-date detection from the build records in tarn.db and the reasons
 * for a rebuild, failing tests that commit nothing.
 */
#include "tarn_test.h"

#include "catalog/gold_store.h"
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

/* Writes rows (k, v) into a Delta table: overwrite or append. */
static void write_kv(const char *table, const int64_t *k, const int64_t *v, int n, bool overwrite)
{
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_schema_parse("k int64, v int64", &s, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    for (int i = 0; i < n; i++) {
        assert_int_equal(tarn_vec_append_i64(b->cols[0], k[i]), TARN_OK);
        assert_int_equal(tarn_vec_append_i64(b->cols[1], v[i]), TARN_OK);
    }
    b->n_rows = n;
    one src = {b, false};
    tarn_delta_write_opts wo;
    tarn_delta_write_opts_init(&wo);
    wo.mode = overwrite ? TARN_DELTA_OVERWRITE : TARN_DELTA_APPEND;
    tarn_delta_write_result wr;
    if (tarn_delta_write(table, s, one_next, &src, &wo, &wr, &err) != TARN_OK)
        fail_msg("write %s: %s", table, err.msg);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* The query's rows as "a,b;c,d" (integers only). */
static void rows_of(const char *lake, const char *sql, char *out, size_t cap)
{
    tarn_sql_opts so = {.lake = lake};
    tarn_sql_result *q;
    tarn_err err;
    if (tarn_sql_run(sql, &so, &q, &err) != TARN_OK)
        fail_msg("%s: %s", sql, err.msg);
    size_t len = 0;
    out[0] = 0;
    for (int64_t r = 0; r < q->batch->n_rows; r++)
        for (int c = 0; c < q->schema->n_fields; c++)
            len += (size_t)snprintf(out + len, cap - len, "%s%lld",
                                    c   ? ","
                                    : r ? ";"
                                        : "",
                                    (long long)tarn_vec_get_i64(q->batch->cols[c], r));
    tarn_sql_result_destroy(q);
}

static int64_t table_version(const char *path)
{
    tarn_delta_snapshot *s = NULL;
    tarn_err err;
    assert_int_equal(tarn_delta_snapshot_load_existing(path, &s, &err), TARN_OK);
    int64_t v = s ? s->version : -1;
    tarn_delta_snapshot_destroy(s);
    return v;
}

static void build_ok(const char *lake, const char *models, const char *name, bool full,
                     tarn_gold_result *r)
{
    tarn_gold_models ms;
    tarn_err err;
    if (tarn_gold_load(models, &ms, &err) != TARN_OK)
        fail_msg("load: %s", err.msg);
    if (tarn_gold_build(lake, tarn_gold_find(&ms, name), full, r, &err) != TARN_OK)
        fail_msg("build %s: %s", name, err.msg);
    assert_string_equal(r->warning, "");
    tarn_gold_models_free(&ms);
}

static void test_incremental_and_rebuilds(void **state)
{
    (void)state;
    char dir[512], lake[600], models[600], t[700], g[700], got[512];
    tt_tmpdir("gold-inc", dir, sizeof dir);
    snprintf(lake, sizeof lake, "%s/lake", dir);
    snprintf(models, sizeof models, "%s/models", dir);
    snprintf(t, sizeof t, "%s/silver/t", lake);
    snprintf(g, sizeof g, "%s/gold/inc", lake);
    assert_int_equal(mkdir(models, 0755), 0);
    write_kv(t, (int64_t[]){1, 2, 3}, (int64_t[]){10, 20, 30}, 3, false);
    put(models, "inc.sql",
        "/* ---\nmaterialized: incremental\nunique_key: k\ntests:\n  - unique: k\n"
        "  - not_null: [k, v]\n--- */\nSELECT k, v FROM silver.t\n");
    tarn_gold_result r;
    build_ok(lake, models, "inc", false, &r);
    assert_true(r.rebuilt);
    assert_string_equal(r.reason, "new: silver.t v0");
    assert_int_equal(r.version, 0);
    /* The build is recorded in tarn.db: file hash, version, inputs. */
    tarn_catalog *cat;
    tarn_err err;
    assert_int_equal(tarn_catalog_open(lake, &cat, &err), TARN_OK);
    tarn_arena *a = tarn_arena_create(1024);
    tarn_cat_gold_build rec;
    bool found;
    assert_int_equal(tarn_cat_gold_build_load(cat, "INC", a, &rec, &found, &err), TARN_OK);
    assert_true(found);
    assert_int_equal(rec.gold_version, 0);
    assert_int_equal(rec.n_inputs, 1);
    assert_string_equal(rec.inputs[0].table, "silver.t");
    assert_int_equal(rec.inputs[0].version, 0);
    assert_int_equal(tarn_cat_gold_build_load(cat, "nope", a, &rec, &found, &err), TARN_OK);
    assert_false(found);
    tarn_arena_destroy(a);
    tarn_catalog_close(cat);
    build_ok(lake, models, "inc", false, &r);
    assert_false(r.rebuilt);
    assert_string_equal(r.reason, "up to date (silver.t v0)");
    /* Upstream: k=2 changes, k=4 is new, k=1 and 3 vanish from the source
     * (overwrite). The merge updates 2, inserts 4 and keeps 1 and 3. */
    write_kv(t, (int64_t[]){2, 4}, (int64_t[]){21, 40}, 2, true);
    build_ok(lake, models, "inc", false, &r);
    assert_true(r.rebuilt);
    assert_string_equal(r.reason, "rebuilt: silver.t v0 -> v1");
    assert_int_equal(r.rows, 2);
    assert_int_equal(r.version, 1);
    rows_of(lake, "SELECT k, v FROM gold.inc ORDER BY k", got, sizeof got);
    assert_string_equal(got, "1,10;2,21;3,30;4,40");
    /* An edit of the model file rebuilds it. */
    put(models, "inc.sql",
        "/* ---\nmaterialized: incremental\nunique_key: k\n--- */\nSELECT k, v + 1 AS v FROM "
        "silver.t\n");
    build_ok(lake, models, "inc", false, &r);
    assert_true(r.rebuilt);
    assert_string_equal(r.reason, "rebuilt: model changed");
    rows_of(lake, "SELECT k, v FROM gold.inc ORDER BY k", got, sizeof got);
    assert_string_equal(got, "1,10;2,22;3,30;4,41");
    /* A commit to the gold table by someone else: rebuilt too. */
    write_kv(g, (int64_t[]){9}, (int64_t[]){90}, 1, false);
    build_ok(lake, models, "inc", false, &r);
    assert_true(r.rebuilt);
    assert_string_equal(r.reason, "rebuilt: gold.inc changed outside tarn run (v3, built v2)");
    /* --full-refresh writes the query's rows only. */
    build_ok(lake, models, "inc", true, &r);
    assert_string_equal(r.reason, "full refresh: silver.t v1");
    rows_of(lake, "SELECT k, v FROM gold.inc ORDER BY k", got, sizeof got);
    assert_string_equal(got, "2,22;4,41");
    build_ok(lake, models, "inc", false, &r);
    assert_false(r.rebuilt);
    /* A failing test on an existing table commits nothing. */
    int64_t before = table_version(g);
    write_kv(t, (int64_t[]){4}, (int64_t[]){41}, 1, false); /* k=4 twice */
    put(models, "inc.sql",
        "/* ---\nmaterialized: incremental\nunique_key: k\ntests:\n  - unique: [k]\n--- */\n"
        "SELECT k, v FROM silver.t\n");
    tarn_gold_models ms;
    assert_int_equal(tarn_gold_load(models, &ms, &err), TARN_OK);
    assert_int_equal(tarn_gold_build(lake, tarn_gold_find(&ms, "inc"), false, &r, &err),
                     TARN_ERR_DATA);
    assert_string_equal(r.failed_test, "unique(k): 1 duplicate rows, e.g. (4)");
    assert_non_null(strstr(err.msg, "nothing committed"));
    assert_int_equal(table_version(g), before);
    tarn_gold_models_free(&ms);
    /* A failing not_null test names the row by its unique_key. */
    put(models, "inc.sql",
        "/* ---\nmaterialized: incremental\nunique_key: k\ntests:\n  - not_null: n\n--- */\n"
        "SELECT DISTINCT k, CASE WHEN k = 4 THEN NULL ELSE v END AS n FROM silver.t\n");
    assert_int_equal(tarn_gold_load(models, &ms, &err), TARN_OK);
    assert_int_equal(tarn_gold_build(lake, tarn_gold_find(&ms, "inc"), false, &r, &err),
                     TARN_ERR_DATA);
    assert_non_null(strstr(r.failed_test, "not_null(n): "));
    assert_non_null(strstr(r.failed_test, "NULL rows, e.g. (k=4)"));
    assert_int_equal(table_version(g), before);
    tarn_gold_models_free(&ms);
    /* A table the model reads that does not exist: NOT_FOUND. */
    put(models, "inc.sql", "SELECT * FROM silver.missing\n");
    assert_int_equal(tarn_gold_load(models, &ms, &err), TARN_OK);
    assert_int_equal(tarn_gold_build(lake, tarn_gold_find(&ms, "inc"), false, &r, &err),
                     TARN_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "silver.missing"));
    tarn_gold_models_free(&ms);
    tt_rmrf(dir);
}

/* Models reading models: built in order, a change upstream reaches down. */
static void test_chain(void **state)
{
    (void)state;
    char dir[512], lake[600], models[600], t[700], got[512];
    tt_tmpdir("gold-chain", dir, sizeof dir);
    snprintf(lake, sizeof lake, "%s/lake", dir);
    snprintf(models, sizeof models, "%s/models", dir);
    snprintf(t, sizeof t, "%s/silver/t", lake);
    assert_int_equal(mkdir(models, 0755), 0);
    write_kv(t, (int64_t[]){1, 1, 2}, (int64_t[]){5, 6, 7}, 3, false);
    put(models, "a_top.sql",
        "SELECT count(*) AS n, sum(s) AS s FROM gold.mid m JOIN (SELECT k FROM gold.base) b "
        "ON m.k = b.k\n");
    put(models, "mid.sql",
        "/* sums per key, no header */ SELECT k, sum(v) AS s FROM gold.base GROUP BY k\n");
    put(models, "base.sql", "/* ---\nname: base\n---\n*/\nSELECT k, v FROM silver.t\n");
    tarn_gold_models ms;
    tarn_err err;
    if (tarn_gold_load(models, &ms, &err) != TARN_OK)
        fail_msg("load: %s", err.msg);
    assert_int_equal(ms.n, 3);
    assert_string_equal(ms.v[0].name, "base");
    assert_string_equal(ms.v[1].name, "mid");
    assert_string_equal(ms.v[2].name, "a_top");
    tarn_gold_result r;
    for (int i = 0; i < 3; i++)
        assert_int_equal(tarn_gold_build(lake, &ms.v[i], false, &r, &err), TARN_OK);
    rows_of(lake, "SELECT n, s FROM gold.a_top", got, sizeof got);
    assert_string_equal(got, "3,29"); /* (1,11) x 2 base rows + (2,7) x 1 */
    write_kv(t, (int64_t[]){2}, (int64_t[]){1}, 1, false);
    for (int i = 0; i < 3; i++)
        assert_int_equal(tarn_gold_build(lake, &ms.v[i], false, &r, &err), TARN_OK);
    assert_string_equal(r.reason, "rebuilt: gold.mid v0 -> v1, gold.base v0 -> v1");
    rows_of(lake, "SELECT n, s FROM gold.a_top", got, sizeof got);
    assert_string_equal(got, "4,38"); /* (1,11) x 2 + (2,8) x 2 */
    tarn_gold_models_free(&ms);
    tt_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_order),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_incremental_and_rebuilds),
        cmocka_unit_test(test_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
