/*
 * tests/delta/test_vacuum.c - vacuum: dry run, retention refusal and
 * --force, orphans removed, active and young files kept, tombstones
 * honoured, hidden files and _delta_log untouched except stale temp files,
 * empty partition directories removed, table-level retention, protocol
 * refusal.
 */
#include "delta_write_test.h"

#include "delta/delete.h"
#include "delta/vacuum.h"

#include <sys/time.h>

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("dvacuum", g_dir, sizeof g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(g_dir);
    return 0;
}

static const char *table(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    return path;
}

/* Creates path with some bytes, modified `age_hours` ago. */
static void make_file(const char *dir, const char *rel, double age_hours)
{
    char p[1024], cmd[1200];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
    assert_int_equal(system(cmd), 0);
    tt_write_file(p, "orphan bytes");
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= (time_t)(age_hours * 3600);
    tv[1] = tv[0];
    assert_int_equal(utimes(p, tv), 0);
}

static bool exists(const char *dir, const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    return tarn_path_exists(p);
}

static bool listed(const tarn_delta_vacuum_result *r, const char *rel)
{
    for (int i = 0; i < r->n_files; i++)
        if (strcmp(r->files[i], rel) == 0)
            return true;
    return false;
}

static bool is_b(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add,
                 const tarn_delta_file_stats *st)
{
    (void)ctx;
    (void)snap;
    (void)st;
    const char *v = tarn_delta_kv_get(add->partition_values, add->n_partition_values, "c");
    return v && strcmp(v, "b") == 0;
}

static tarn_status all_rows(void *ctx, const tarn_batch *b, uint8_t *out, tarn_err *err)
{
    (void)ctx;
    (void)err;
    memset(out, 1, (size_t)b->n_rows);
    return TARN_OK;
}

/* Partitioned table: c=a and c=b files, then every c=b row deleted. */
static void build(const char *t)
{
    tarn_schema *s = dw_schema("id int64, c string");
    static const char *const tags[] = {"a", "b"};
    tarn_batch *b = dw_batch_ids(s, 0, 10, tags, 2);
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    const char *pby[] = {"c"};
    o.partition_by = pby;
    o.n_partition_by = 1;
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    tarn_batch_destroy(b);
    b = dw_batch_ids(s, 10, 10, tags, 2);
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    tarn_batch_destroy(b);
    tarn_delta_predicate pred = {is_b, all_rows, NULL, "c = 'b'"};
    tarn_delta_delete_result dr;
    assert_int_equal(tarn_delta_delete(t, &pred, &dr, &err), TARN_OK);
    assert_int_equal(dr.removed_files, 2);
    tarn_schema_destroy(s);
}

static void test_vacuum(void **state)
{
    (void)state;
    const char *t = table("v");
    build(t);
    int active_before = dw_count_parquet(t);
    assert_int_equal(active_before, 4); /* 2 in c=a (active), 2 in c=b (tombstoned) */
    make_file(t, "part-00000-orphan-old.parquet", 24 * 30);
    make_file(t, "c=a/part-00001-orphan-old.parquet", 24 * 30);
    make_file(t, "part-00000-orphan-young.parquet", 1);
    make_file(t, ".part-00000-orphan-old.parquet.crc", 24 * 30);
    make_file(t, "_SUCCESS", 24 * 30);
    make_file(t, "_hidden/old.parquet", 24 * 30);
    make_file(t, "_delta_log/00000000000000000099.json.tmp-1-2-3", 24 * 30);
    make_file(t, "_delta_log/00000000000000000098.json.tmp-1-2-3", 1);
    make_file(t, "_delta_log/.00000000000000000010.checkpoint.parquet.tmp-dead", 24 * 30);

    /* Default retention (7 days), dry run: only the old orphans and the
     * old temp files qualify; nothing is deleted. */
    tarn_delta_vacuum_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_vacuum(t, -1, true, false, &r, &err), TARN_OK);
    assert_true(r.retain_hours == 168);
    assert_int_equal(r.n_files, 4);
    assert_true(listed(&r, "part-00000-orphan-old.parquet"));
    assert_true(listed(&r, "c=a/part-00001-orphan-old.parquet"));
    assert_true(listed(&r, "_delta_log/00000000000000000099.json.tmp-1-2-3"));
    assert_true(listed(&r, "_delta_log/.00000000000000000010.checkpoint.parquet.tmp-dead"));
    assert_int_equal(r.n_log_temp_files, 2);
    assert_int_equal(r.bytes, 4 * 12);
    /* sorted */
    for (int i = 1; i < r.n_files; i++)
        assert_true(strcmp(r.files[i - 1], r.files[i]) < 0);
    tarn_delta_vacuum_result_fini(&r);
    assert_true(exists(t, "part-00000-orphan-old.parquet"));

    /* A shorter retention than the table's needs force. */
    assert_int_equal(tarn_delta_vacuum(t, 1, false, false, &r, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "shorter than the table's"));
    assert_non_null(strstr(err.msg, "--force"));
    tarn_delta_vacuum_result_fini(&r);
    assert_true(exists(t, "part-00000-orphan-old.parquet"));

    /* Default retention for real. */
    assert_int_equal(tarn_delta_vacuum(t, -1, false, false, &r, &err), TARN_OK);
    assert_int_equal(r.n_files, 4);
    tarn_delta_vacuum_result_fini(&r);
    assert_false(exists(t, "part-00000-orphan-old.parquet"));
    assert_false(exists(t, "c=a/part-00001-orphan-old.parquet"));
    assert_true(exists(t, "part-00000-orphan-young.parquet"));
    assert_false(exists(t, "_delta_log/00000000000000000099.json.tmp-1-2-3"));
    assert_true(exists(t, "_delta_log/00000000000000000098.json.tmp-1-2-3"));
    /* 4 table files + the young orphan + _hidden/old.parquet */
    assert_int_equal(dw_count_parquet(t), 6);

    /* Retention 0 with force, dry run first: tombstoned files and the young
     * orphan qualify, active files never. */
    assert_int_equal(tarn_delta_vacuum(t, 0, true, true, &r, &err), TARN_OK);
    assert_int_equal(r.n_files, 4);
    assert_true(listed(&r, "part-00000-orphan-young.parquet"));
    assert_true(listed(&r, "_delta_log/00000000000000000098.json.tmp-1-2-3"));
    int in_b = 0;
    for (int i = 0; i < r.n_files; i++)
        in_b += strncmp(r.files[i], "c=b/", 4) == 0;
    assert_int_equal(in_b, 2);
    tarn_delta_vacuum_result_fini(&r);
    assert_int_equal(dw_count_parquet(t), 6);
    assert_int_equal(tarn_delta_vacuum(t, 0, false, true, &r, &err), TARN_OK);
    assert_int_equal(r.n_files, 4);
    assert_int_equal(r.n_dirs_removed, 1); /* c=b is empty now */
    tarn_delta_vacuum_result_fini(&r);
    assert_false(exists(t, "c=b"));
    assert_true(exists(t, "c=a"));
    assert_int_equal(dw_count_parquet(t), 3);
    /* hidden and underscore names untouched, the log intact */
    assert_true(exists(t, ".part-00000-orphan-old.parquet.crc"));
    assert_true(exists(t, "_SUCCESS"));
    assert_true(exists(t, "_hidden/old.parquet"));
    assert_true(exists(t, "_delta_log/00000000000000000000.json"));
    assert_true(exists(t, "_delta_log/00000000000000000002.json"));
    /* the current version reads as before */
    int64_t n;
    char *rows = dw_rows(t, -1, &n);
    assert_int_equal(n, 10);
    assert_null(strstr(rows, "\"c\":\"b\""));
    tarn_free(rows);
    /* nothing left to do */
    assert_int_equal(tarn_delta_vacuum(t, 0, false, true, &r, &err), TARN_OK);
    assert_int_equal(r.n_files, 0);
    assert_int_equal(r.files_kept, 2);
    tarn_delta_vacuum_result_fini(&r);
}

static void test_table_retention(void **state)
{
    (void)state;
    const char *t = table("ret");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 0, 3, NULL, 0);
    tarn_delta_kv cfg[] = {{"delta.deletedFileRetentionDuration", "interval 2 hours"}};
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.config = cfg;
    o.n_config = 1;
    tarn_delta_write_result wr;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, &o, &wr, &err), TARN_OK);
    make_file(t, "orphan-3h.parquet", 3);
    make_file(t, "orphan-1h.parquet", 1);
    tarn_delta_vacuum_result r;
    assert_int_equal(tarn_delta_vacuum(t, -1, false, false, &r, &err), TARN_OK);
    assert_true(r.retain_hours == 2);
    assert_int_equal(r.n_files, 1);
    assert_string_equal(r.files[0], "orphan-3h.parquet");
    tarn_delta_vacuum_result_fini(&r);
    /* longer than the table's: allowed without force */
    assert_int_equal(tarn_delta_vacuum(t, 5, true, false, &r, &err), TARN_OK);
    assert_int_equal(r.n_files, 0);
    tarn_delta_vacuum_result_fini(&r);
    assert_int_equal(tarn_delta_vacuum(t, 0.5, true, false, &r, &err), TARN_ERR_INVALID);
    tarn_delta_vacuum_result_fini(&r);
    assert_int_equal(tarn_delta_vacuum(t, 0.5, true, true, &r, &err), TARN_OK);
    assert_int_equal(r.n_files, 1);
    assert_string_equal(r.files[0], "orphan-1h.parquet");
    tarn_delta_vacuum_result_fini(&r);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_refusals(void **state)
{
    (void)state;
    tarn_delta_vacuum_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_vacuum(table("none"), -1, true, false, &r, &err),
                     TARN_ERR_NOT_FOUND);
    tarn_delta_vacuum_result_fini(&r);
    /* vacuumProtocolCheck: the writer protocol is checked, unknown writer
     * features refuse the vacuum. */
    const char *t = table("vpc");
    char p[600];
    snprintf(p, sizeof p, "%s/_delta_log", t);
    assert_int_equal(tarn_mkdirs(p, &err), TARN_OK);
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000000.json", t);
    tt_write_file(p, "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
                     "\"readerFeatures\":[\"vacuumProtocolCheck\"],\"writerFeatures\":"
                     "[\"vacuumProtocolCheck\",\"someFutureFeature\"]}}\n"
                     "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\","
                     "\"options\":{}},\"schemaString\":\"{\\\"type\\\":\\\"struct\\\","
                     "\\\"fields\\\":[]}\",\"partitionColumns\":[],\"configuration\":{}}}\n");
    make_file(t, "orphan.parquet", 24 * 30);
    assert_int_equal(tarn_delta_vacuum(t, -1, false, false, &r, &err), TARN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "someFutureFeature"));
    tarn_delta_vacuum_result_fini(&r);
    assert_true(exists(t, "orphan.parquet"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vacuum),
        cmocka_unit_test(test_table_retention),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
