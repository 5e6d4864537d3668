/*
 * tests/delta/test_optimize.c - OPTIMIZE: the rows stay the same multiset,
 * small files are compacted in one OPTIMIZE commit with dataChange=false,
 * Z-order makes a point filter on a Z-order column keep few files by their
 * statistics, and bad Z-order columns are refused.
 */
#include "delta_write_test.h"

#include "delta/optimize.h"
#include "delta/stats.h"

/* Appends 50 files of "id int64, c string" with ids scattered (i * 7919 mod
 * 100000), 2,000 rows each. */
static void write_scattered(const char *table)
{
    tarn_schema *s = dw_schema("id int64, c string");
    for (int f = 0; f < 50; f++) {
        tarn_batch *b = tarn_batch_create(s);
        for (int64_t i = 0; i < 2000; i++) {
            int64_t id = ((f * 2000 + i) * 7919) % 100000;
            char t[24];
            int n = snprintf(t, sizeof t, "c%lld", (long long)(id % 97));
            assert_int_equal(tarn_vec_append_i64(b->cols[0], id), TARN_OK);
            assert_int_equal(tarn_vec_append_bytes(b->cols[1], t, n), TARN_OK);
        }
        b->n_rows = 2000;
        tarn_delta_write_result r;
        tarn_err err;
        if (dw_write_batch(table, s, b, NULL, &r, &err) != TARN_OK)
            fail_msg("write: %s", err.msg);
        tarn_batch_destroy(b);
    }
    tarn_schema_destroy(s);
}

/* Files of the snapshot whose id statistics admit `id = x` (what a scan
 * with that filter would read). */
static int files_matching(const tarn_delta_snapshot *snap, int64_t x)
{
    int keep = 0;
    for (int i = 0; i < snap->n_files; i++) {
        tarn_arena *a = tarn_arena_create(4096);
        tarn_delta_file_stats fs;
        bool has = false;
        tarn_err err;
        assert_int_equal(tarn_delta_file_stats_for_add(snap, &snap->files[i], a, &fs, &has, &err),
                         TARN_OK);
        assert_true(fs.n_cols > 0 && fs.cols[0].has_min && fs.cols[0].has_max);
        keep += fs.cols[0].min.v.i64 <= x && x <= fs.cols[0].max.v.i64;
        tarn_arena_destroy(a);
    }
    return keep;
}

static void test_zorder_compacts_and_clusters(void **state)
{
    (void)state;
    char dir[512], table[600];
    tt_tmpdir("optimize", dir, sizeof dir);
    snprintf(table, sizeof table, "%s/t", dir);
    write_scattered(table);
    tarn_delta_snapshot *before = dw_load(table, -1);
    int64_t rows0;
    char *rows_before = dw_rows_snap(before, &rows0);
    assert_int_equal(before->n_files, 50);
    int keep_before = files_matching(before, 4242);
    assert_true(keep_before > 40); /* every file spans nearly all ids */

    tarn_delta_optimize_opts o = {(const char *const[]){"id"}, 1, 100000};
    tarn_delta_optimize_result r;
    tarn_err err;
    if (tarn_delta_optimize(table, &o, &r, &err) != TARN_OK)
        fail_msg("optimize: %s", err.msg);
    assert_true(r.committed);
    assert_int_equal(r.files_removed, 50);
    assert_int_equal(r.rows, 100000);
    assert_int_equal(r.version, before->version + 1);

    tarn_delta_snapshot *after = dw_load(table, -1);
    int64_t rows1;
    char *rows_after = dw_rows_snap(after, &rows1);
    assert_int_equal(rows1, rows0);
    assert_string_equal(rows_after, rows_before); /* the same multiset of rows */
    assert_true(after->n_files < 50 && after->n_files >= 5);
    assert_true(files_matching(after, 4242) <= 2);
    assert_true(after->commit_info.present);
    assert_string_equal(after->commit_info.operation, "OPTIMIZE");
    for (int i = 0; i < after->n_files; i++)
        assert_false(after->files[i].data_change);

    /* Bin-packing without Z-order: the files are already large, nothing to do. */
    tarn_delta_optimize_opts big = {NULL, 0, 1000};
    assert_int_equal(tarn_delta_optimize(table, &big, &r, &err), TARN_OK);
    assert_false(r.committed);
    /* An unknown column is refused with a suggestion. */
    tarn_delta_optimize_opts bad = {(const char *const[]){"idd"}, 1, 0};
    assert_int_equal(tarn_delta_optimize(table, &bad, &r, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "did you mean 'id'"));

    free(rows_before);
    free(rows_after);
    tarn_delta_snapshot_destroy(before);
    tarn_delta_snapshot_destroy(after);
    tt_rmrf(dir);
}

static void test_compaction_of_small_files(void **state)
{
    (void)state;
    char dir[512], table[600];
    tt_tmpdir("optimize-small", dir, sizeof dir);
    snprintf(table, sizeof table, "%s/t", dir);
    for (int i = 0; i < 12; i++)
        dw_append_ids(table, i * 10, 10);
    tarn_delta_optimize_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_optimize(table, NULL, &r, &err), TARN_OK);
    assert_true(r.committed);
    assert_int_equal(r.files_removed, 12);
    assert_int_equal(r.files_added, 1);
    tarn_delta_snapshot *s = dw_load(table, -1);
    int64_t rows;
    char *text = dw_rows_snap(s, &rows);
    assert_int_equal(rows, 120);
    assert_int_equal(s->n_files, 1);
    free(text);
    tarn_delta_snapshot_destroy(s);
    tt_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zorder_compacts_and_clusters),
        cmocka_unit_test(test_compaction_of_small_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
