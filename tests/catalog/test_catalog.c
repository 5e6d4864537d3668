/*
 * tests/catalog/test_catalog.c - LAKE/tarn.db: creation in WAL mode,
 * migrations applied once, a newer schema refused, and the metric history
 * (record in one transaction, newest-first reads bounded by time).
 */
#include "tarn_test.h"

#include "catalog/metrics_store.h"

#include <sqlite3.h>

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("catalog", g_dir, sizeof g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(g_dir);
    return 0;
}

static int pragma_int(tarn_catalog *c, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_open_and_migrate(void **state)
{
    (void)state;
    char lake[512], db[600];
    snprintf(lake, sizeof lake, "%s/lake/deeper", g_dir);
    tarn_catalog *c;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_catalog_open(lake, &c, &err), TARN_OK);
    snprintf(db, sizeof db, "%s/tarn.db", lake);
    assert_string_equal(c->path, db);
    assert_true(tarn_path_exists(db));
    assert_int_equal(pragma_int(c, "PRAGMA user_version"), 3);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(c->db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    tarn_catalog_close(c);
    /* Reopening applies nothing twice. */
    assert_int_equal(tarn_catalog_open(lake, &c, &err), TARN_OK);
    assert_int_equal(pragma_int(c, "PRAGMA user_version"), 3);
    /* A catalog from a newer tarn is refused, not damaged. */
    assert_int_equal(tarn_catalog_exec(c, "PRAGMA user_version = 99", &err), TARN_OK);
    tarn_catalog_close(c);
    assert_int_equal(tarn_catalog_open(lake, &c, &err), TARN_ERR_UNSUPPORTED);
    assert_null(c);
    assert_non_null(strstr(err.msg, "catalog schema version 99 is newer"));
    /* Not a database: a clear error. */
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad", g_dir);
    assert_int_equal(tarn_mkdirs(bad, &err), TARN_OK);
    snprintf(db, sizeof db, "%s/tarn.db", bad);
    tt_write_file(db, "this is not sqlite, this is plain text that goes on and on........");
    tarn_err_clear(&err);
    assert_int_not_equal(tarn_catalog_open(bad, &c, &err), TARN_OK);
    assert_null(c);
    assert_non_null(strstr(err.path, "tarn.db"));
}

static void test_history(void **state)
{
    (void)state;
    tarn_catalog *c;
    tarn_err err;
    assert_int_equal(tarn_catalog_open(g_dir, &c, &err), TARN_OK);
    for (int i = 1; i <= 4; i++) {
        tarn_metric_value v[] = {{"row_count", 10.0 * i}, {"null_count(a)", i}};
        assert_int_equal(tarn_metrics_record(c, "orders", "/t", "1.0.0", i * 100, v, 2, &err),
                         TARN_OK);
    }
    tarn_metric_value o[] = {{"row_count", 999}};
    assert_int_equal(tarn_metrics_record(c, "other", "/t", NULL, 250, o, 1, &err), TARN_OK);
    double got[8];
    int n;
    assert_int_equal(tarn_metrics_last(c, "orders", "/t", "row_count", 1000, 8, got, &n, &err),
                     TARN_OK);
    assert_int_equal(n, 4);
    assert_true(got[0] == 40 && got[1] == 30 && got[2] == 20 && got[3] == 10);
    assert_int_equal(tarn_metrics_last(c, "orders", "/t", "row_count", 300, 8, got, &n, &err),
                     TARN_OK);
    assert_int_equal(n, 2); /* strictly before */
    assert_true(got[0] == 20);
    assert_int_equal(tarn_metrics_last(c, "orders", "/t", "row_count", 1000, 1, got, &n, &err),
                     TARN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tarn_metrics_last(c, "orders", "/u", "row_count", 1000, 8, got, &n, &err),
                     TARN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(pragma_int(c, "SELECT count(*) FROM metric_history"), 9);
    tarn_catalog_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_and_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
