/*
 * tests/delta/test_write.c - tarn_delta_write: create + append read back
 * through the scan API, partitioned tables (special characters, null and
 * empty partitions, Hive-escaped directories, URI-encoded paths, partition
 * columns absent from the files), overwrite with a new schema, schema
 * mismatch errors, NOT NULL enforcement, file rolling, bounded open files,
 * idempotent txn writes, append-only tables, protocol choice, refused
 * writer features, statistics in every add.
 */
#include "delta_write_test.h"

#include "delta/delete.h"
#include "delta/schema.h"
#include "delta/stats.h"
#include "delta/vacuum.h"
#include "parquet/reader.h"

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("dwrite", g_dir, sizeof g_dir);
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

static void test_create_append(void **state)
{
    (void)state;
    const char *t = table("basic");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 0, 3, NULL, 0);
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, NULL, &r, &err), TARN_OK);
    assert_true(r.created);
    assert_true(r.committed);
    assert_int_equal(r.version, 0);
    assert_int_equal(r.rows, 3);
    assert_int_equal(r.files, 1);
    assert_true(r.bytes > 0);
    char *c0 = dw_commit_text(t, 0);
    assert_non_null(strstr(c0, "{\"commitInfo\":{\"timestamp\":"));
    assert_non_null(strstr(c0, "\"operation\":\"CREATE TABLE\""));
    assert_non_null(strstr(c0, "\"engineInfo\":\"tarn/"));
    assert_non_null(strstr(c0, "\"operationMetrics\":{\"numFiles\":\"1\",\"numOutputRows\":\"3\""));
    assert_non_null(strstr(c0, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}"));
    assert_non_null(strstr(c0, "\"partitionColumns\":[]"));
    assert_non_null(
        strstr(c0, "\"stats\":\"{\\\"numRecords\\\":3,\\\"minValues\\\":{\\\"id\\\":0,"));
    free(c0);
    tarn_batch_destroy(b);

    b = dw_batch_ids(s, 3, 2, NULL, 0);
    assert_int_equal(dw_write_batch(t, s, b, NULL, &r, &err), TARN_OK);
    assert_false(r.created);
    assert_int_equal(r.version, 1);
    char *c1 = dw_commit_text(t, 1);
    assert_non_null(strstr(c1, "\"operation\":\"WRITE\""));
    assert_non_null(strstr(c1, "\"readVersion\":0"));
    assert_non_null(strstr(c1, "\"isBlindAppend\":true"));
    assert_non_null(
        strstr(c1, "\"operationParameters\":{\"mode\":\"Append\",\"partitionBy\":\"[]\"}"));
    assert_null(strstr(c1, "metaData"));
    free(c1);
    tarn_batch_destroy(b);

    char *rows = dw_rows(t, -1, NULL);
    assert_string_equal(rows,
                        "{\"id\":0,\"c\":\"x\"}\n{\"id\":1,\"c\":\"x\"}\n{\"id\":2,\"c\":\"x\"}\n"
                        "{\"id\":3,\"c\":\"x\"}\n{\"id\":4,\"c\":\"x\"}\n");
    tarn_free(rows);
    assert_int_equal(dw_count(t, 0), 3);

    /* An empty append commits nothing. */
    dw_source empty = {NULL, 0, 0};
    assert_int_equal(tarn_delta_write(t, s, dw_source_next, &empty, NULL, &r, &err), TARN_OK);
    assert_false(r.committed);
    assert_int_equal(r.version, 1);
    char *c2 = dw_commit_text(t, 2);
    assert_null(c2);
    tarn_schema_destroy(s);
}

static const char *const k_tags[] = {"a",  "b/c", "sp ace", "%x",   "\xc3\xa9t\xc3\xa9",
                                     NULL, "",    "a=b:c",  "q?#[]"};

static void test_partitioned(void **state)
{
    (void)state;
    const char *t = table("part");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b[2] = {dw_batch_ids(s, 0, 40, k_tags, 9), dw_batch_ids(s, 40, 50, k_tags, 9)};
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    const char *pby[] = {"c"};
    o.partition_by = pby;
    o.n_partition_by = 1;
    dw_source src = {b, 2, 0};
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_write(t, s, dw_source_next, &src, &o, &r, &err), TARN_OK);
    assert_int_equal(r.rows, 90);
    /* null and "" share the default partition */
    assert_int_equal(r.files, 8);
    const char *dirs[] = {"c=a",
                          "c=b%2Fc",
                          "c=sp ace",
                          "c=%25x",
                          "c=\xc3\xa9t\xc3\xa9",
                          "c=__HIVE_DEFAULT_PARTITION__",
                          "c=a%3Db%3Ac",
                          "c=q%3F%23%5B%5D"};
    for (size_t i = 0; i < TARN_ARRAY_LEN(dirs); i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", t, dirs[i]);
        if (!tarn_is_dir(p))
            fail_msg("missing partition directory %s", dirs[i]);
    }
    char *c0 = dw_commit_text(t, 0);
    assert_non_null(strstr(c0, "\"partitionColumns\":[\"c\"]"));
    assert_non_null(strstr(c0, "\"path\":\"c=b%252Fc/part-"));
    assert_non_null(strstr(c0, "\"path\":\"c=sp%20ace/part-"));
    assert_non_null(strstr(c0, "\"path\":\"c=%2525x/part-"));
    assert_non_null(strstr(c0, "\"partitionValues\":{\"c\":\"b/c\"}"));
    assert_non_null(strstr(c0, "\"partitionValues\":{\"c\":null}"));
    assert_non_null(strstr(c0, "\"operationParameters\":{\"mode\":\"Append\","
                               "\"partitionBy\":\"[\\\"c\\\"]\"}"));
    free(c0);
    /* Rows come back with their partition values ("" reads as null). */
    int64_t n;
    char *rows = dw_rows(t, -1, &n);
    assert_int_equal(n, 90);
    assert_non_null(strstr(rows, "{\"id\":1,\"c\":\"b/c\"}\n"));
    assert_non_null(strstr(rows, "{\"id\":5,\"c\":null}\n"));
    assert_non_null(strstr(rows, "{\"id\":6,\"c\":null}\n"));
    assert_non_null(strstr(rows, "{\"id\":4,\"c\":\"\xc3\xa9t\xc3\xa9\"}\n"));
    assert_non_null(strstr(rows, "{\"id\":88,\"c\":\"a=b:c\"}\n"));
    tarn_free(rows);
    /* Partition columns are not stored in the data files. */
    tarn_delta_snapshot *snap = dw_load(t, -1);
    assert_int_equal(snap->n_files, 8);
    for (int i = 0; i < snap->n_files; i++) {
        tarn_arena *a = tarn_arena_create(0);
        char *rel = tarn_delta_uri_decode(a, snap->files[i].path);
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", t, rel);
        tarn_pq_file *f;
        assert_int_equal(tarn_pq_file_open(p, &f, &err), TARN_OK);
        const tarn_schema *fs = tarn_pq_file_schema(f);
        assert_int_equal(fs->n_fields, 1);
        assert_string_equal(fs->fields[0].name, "id");
        tarn_pq_file_close(f);
        /* stats for the data column only */
        assert_non_null(snap->files[i].stats);
        assert_null(strstr(snap->files[i].stats, "\"c\""));
        /* file stats fill the partition column from partitionValues */
        tarn_delta_file_stats st;
        bool has;
        assert_int_equal(tarn_delta_file_stats_for_add(snap, &snap->files[i], a, &st, &has, &err),
                         TARN_OK);
        assert_true(has);
        assert_true(st.cols[0].has_min && st.cols[0].has_max);
        tarn_arena_destroy(a);
    }
    tarn_delta_snapshot_destroy(snap);
    /* Appending with other partitioning is refused. */
    const char *other[] = {"id"};
    o.partition_by = other;
    tarn_batch *b3 = dw_batch_ids(s, 100, 1, k_tags, 9);
    assert_int_equal(dw_write_batch(t, s, b3, &o, &r, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "partitioning"));
    /* Appending without naming partitions uses the table's. */
    assert_int_equal(dw_write_batch(t, s, b3, NULL, &r, &err), TARN_OK);
    assert_int_equal(r.version, 1);
    tarn_batch_destroy(b3);
    tarn_batch_destroy(b[0]);
    tarn_batch_destroy(b[1]);
    tarn_schema_destroy(s);
}

static void test_partition_types(void **state)
{
    (void)state;
    const char *t = table("ptypes");
    tarn_schema *s = dw_schema("d date, n int32, x string");
    tarn_batch *b = tarn_batch_create(s);
    for (int i = 0; i < 6; i++) {
        if (i == 5)
            assert_int_equal(tarn_vec_append_null(b->cols[0]), TARN_OK);
        else
            assert_int_equal(tarn_vec_append_i32(b->cols[0], 19000 + i % 2), TARN_OK);
        assert_int_equal(tarn_vec_append_i32(b->cols[1], i % 3 - 1), TARN_OK);
        assert_int_equal(tarn_vec_append_bytes(b->cols[2], "v", 1), TARN_OK);
    }
    b->n_rows = 6;
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    const char *pby[] = {"d", "n"};
    o.partition_by = pby;
    o.n_partition_by = 2;
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    char p[600];
    snprintf(p, sizeof p, "%s/d=2022-01-08/n=-1", t);
    assert_true(tarn_is_dir(p));
    snprintf(p, sizeof p, "%s/d=__HIVE_DEFAULT_PARTITION__/n=1", t);
    assert_true(tarn_is_dir(p));
    char *rows = dw_rows(t, -1, NULL);
    assert_string_equal(rows, "{\"d\":\"2022-01-08\",\"n\":-1,\"x\":\"v\"}\n"
                              "{\"d\":\"2022-01-08\",\"n\":0,\"x\":\"v\"}\n"
                              "{\"d\":\"2022-01-08\",\"n\":1,\"x\":\"v\"}\n"
                              "{\"d\":\"2022-01-09\",\"n\":-1,\"x\":\"v\"}\n"
                              "{\"d\":\"2022-01-09\",\"n\":0,\"x\":\"v\"}\n"
                              "{\"d\":null,\"n\":1,\"x\":\"v\"}\n");
    tarn_free(rows);
    /* Every column a partition column: refused. */
    const char *all[] = {"d", "n", "x"};
    o.partition_by = all;
    o.n_partition_by = 3;
    assert_int_equal(dw_write_batch(table("allp"), s, b, &o, &r, &err), TARN_ERR_INVALID);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_overwrite_new_schema(void **state)
{
    (void)state;
    const char *t = table("ow");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 0, 30, k_tags, 3);
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    const char *pby[] = {"c"};
    o.partition_by = pby;
    o.n_partition_by = 1;
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    assert_int_equal(r.files, 3);
    /* Overwrite with the same schema keeps partitioning and metadata. */
    tarn_delta_write_opts ow;
    tarn_delta_write_opts_init(&ow);
    ow.mode = TARN_DELTA_OVERWRITE;
    tarn_batch *b2 = dw_batch_ids(s, 100, 3, k_tags, 3);
    assert_int_equal(dw_write_batch(t, s, b2, &ow, &r, &err), TARN_OK);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.removed_files, 3);
    char *c1 = dw_commit_text(t, 1);
    assert_null(strstr(c1, "metaData"));
    assert_non_null(strstr(c1, "\"isBlindAppend\":false"));
    assert_non_null(strstr(c1, "\"mode\":\"Overwrite\""));
    assert_non_null(strstr(c1, "\"numRemovedFiles\":\"3\""));
    assert_non_null(strstr(c1, "{\"remove\":{\"path\":\"c=a/part-"));
    assert_non_null(strstr(c1, "\"extendedFileMetadata\":true,\"partitionValues\":{\"c\":"));
    free(c1);
    assert_int_equal(dw_count(t, -1), 3);
    /* Overwrite with a new schema: metadata replaced, partitioning dropped
     * (c is gone), the table id kept. */
    tarn_delta_snapshot *before = dw_load(t, -1);
    tarn_schema *s2 = dw_schema("k string, v float64");
    tarn_batch *b3 = tarn_batch_create(s2);
    assert_int_equal(tarn_vec_append_bytes(b3->cols[0], "z", 1), TARN_OK);
    assert_int_equal(tarn_vec_append_f64(b3->cols[1], 2.5), TARN_OK);
    b3->n_rows = 1;
    assert_int_equal(dw_write_batch(t, s2, b3, &ow, &r, &err), TARN_OK);
    assert_int_equal(r.version, 2);
    tarn_delta_snapshot *after = dw_load(t, -1);
    assert_string_equal(after->metadata.id, before->metadata.id);
    assert_int_equal(after->n_partition_columns, 0);
    assert_int_equal(after->schema->n_fields, 2);
    assert_string_equal(after->schema->fields[1].name, "v");
    char *rows = dw_rows_snap(after, NULL);
    assert_string_equal(rows, "{\"k\":\"z\",\"v\":2.5}\n");
    tarn_free(rows);
    /* Time travel still sees the old rows. */
    assert_int_equal(dw_count(t, 0), 30);
    tarn_delta_snapshot_destroy(before);
    tarn_delta_snapshot_destroy(after);
    /* Appending the old schema now fails, naming the column. */
    assert_int_equal(dw_write_batch(t, s, b2, NULL, &r, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "'id'"));
    tarn_batch_destroy(b);
    tarn_batch_destroy(b2);
    tarn_batch_destroy(b3);
    tarn_schema_destroy(s);
    tarn_schema_destroy(s2);
}

static void test_schema_mismatch(void **state)
{
    (void)state;
    const char *t = table("mm");
    tarn_schema *s = dw_schema("id int64 not null, c string, n int32");
    tarn_batch *b = tarn_batch_create(s);
    assert_int_equal(tarn_vec_append_i64(b->cols[0], 1), TARN_OK);
    assert_int_equal(tarn_vec_append_bytes(b->cols[1], "a", 1), TARN_OK);
    assert_int_equal(tarn_vec_append_i32(b->cols[2], 7), TARN_OK);
    b->n_rows = 1;
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, NULL, &r, &err), TARN_OK);
    tarn_batch_destroy(b);

    /* type change */
    tarn_schema *s2 = dw_schema("id int32, c string");
    b = tarn_batch_create(s2);
    assert_int_equal(tarn_vec_append_i32(b->cols[0], 1), TARN_OK);
    assert_int_equal(tarn_vec_append_bytes(b->cols[1], "a", 1), TARN_OK);
    b->n_rows = 1;
    assert_int_equal(dw_write_batch(t, s2, b, NULL, &r, &err), TARN_ERR_INVALID);
    assert_string_equal(err.msg, "column 'id' has type int32 but the table column has type int64");
    tarn_batch_destroy(b);
    tarn_schema_destroy(s2);

    /* extra column */
    s2 = dw_schema("id int64, c string, z bool");
    b = tarn_batch_create(s2);
    b->n_rows = 0;
    assert_int_equal(dw_write_batch(t, s2, b, NULL, &r, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "column 'z' is not in the table schema"));
    tarn_batch_destroy(b);
    tarn_schema_destroy(s2);

    /* missing NOT NULL column */
    s2 = dw_schema("c string");
    b = tarn_batch_create(s2);
    assert_int_equal(dw_write_batch(t, s2, b, NULL, &r, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "'id'"));
    tarn_batch_destroy(b);
    tarn_schema_destroy(s2);

    /* missing nullable columns become null; columns matched by name */
    s2 = dw_schema("n int32, id int64");
    b = tarn_batch_create(s2);
    assert_int_equal(tarn_vec_append_i32(b->cols[0], 9), TARN_OK);
    assert_int_equal(tarn_vec_append_i64(b->cols[1], 2), TARN_OK);
    b->n_rows = 1;
    assert_int_equal(dw_write_batch(t, s2, b, NULL, &r, &err), TARN_OK);
    tarn_batch_destroy(b);
    char *rows = dw_rows(t, -1, NULL);
    assert_string_equal(rows, "{\"id\":1,\"c\":\"a\",\"n\":7}\n{\"id\":2,\"c\":null,\"n\":9}\n");
    tarn_free(rows);

    /* nulls in a NOT NULL column */
    b = tarn_batch_create(s2);
    assert_int_equal(tarn_vec_append_i32(b->cols[0], 9), TARN_OK);
    assert_int_equal(tarn_vec_append_null(b->cols[1]), TARN_OK);
    b->n_rows = 1;
    assert_int_equal(dw_write_batch(t, s2, b, NULL, &r, &err), TARN_ERR_DATA);
    assert_non_null(strstr(err.msg, "'id' is NOT NULL"));
    tarn_batch_destroy(b);
    tarn_schema_destroy(s2);
    /* Nothing was left behind by the failed writes. */
    assert_int_equal(dw_count_parquet(t), 2);
    tarn_schema_destroy(s);
}

static void test_rolling_and_open_files(void **state)
{
    (void)state;
    const char *t = table("roll");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b[10];
    for (int i = 0; i < 10; i++)
        b[i] = dw_batch_ids(s, i * 1000, 1000, NULL, 0);
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.target_file_bytes = 20000; /* ~13 bytes a row: a file every ~2 batches */
    dw_source src = {b, 10, 0};
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_write(t, s, dw_source_next, &src, &o, &r, &err), TARN_OK);
    assert_int_equal(r.rows, 10000);
    assert_true(r.files >= 4);
    assert_int_equal(dw_count_parquet(t), (int)r.files);
    assert_int_equal(dw_count(t, -1), 10000);
    for (int i = 0; i < 10; i++)
        tarn_batch_destroy(b[i]);

    /* Ten partitions interleaved in every batch with two open files at most. */
    const char *t2 = table("lru");
    static const char *const tags[] = {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"};
    for (int i = 0; i < 4; i++)
        b[i] = dw_batch_ids(s, i * 100, 100, tags, 10);
    const char *pby[] = {"c"};
    tarn_delta_write_opts_init(&o);
    o.partition_by = pby;
    o.n_partition_by = 1;
    o.max_open_files = 2;
    dw_source src2 = {b, 4, 0};
    assert_int_equal(tarn_delta_write(t2, s, dw_source_next, &src2, &o, &r, &err), TARN_OK);
    assert_int_equal(r.rows, 400);
    assert_true(r.files > 10);
    int64_t n;
    char *rows = dw_rows(t2, -1, &n);
    assert_int_equal(n, 400);
    assert_non_null(strstr(rows, "{\"id\":399,\"c\":\"p9\"}\n"));
    tarn_free(rows);
    for (int i = 0; i < 4; i++)
        tarn_batch_destroy(b[i]);
    tarn_schema_destroy(s);
}

static void test_idempotent_txn(void **state)
{
    (void)state;
    const char *t = table("txn");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 0, 5, NULL, 0);
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.app_id = "stream-1";
    o.app_version = 1;
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    assert_true(r.committed);
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    assert_true(r.skipped);
    assert_false(r.committed);
    assert_int_equal(r.version, 0);
    o.app_version = 2;
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    assert_int_equal(r.version, 1);
    tarn_delta_snapshot *snap = dw_load(t, -1);
    assert_int_equal(tarn_delta_snapshot_txn(snap, "stream-1"), 2);
    tarn_delta_snapshot_destroy(snap);
    assert_int_equal(dw_count(t, -1), 10);
    char *c1 = dw_commit_text(t, 1);
    assert_non_null(strstr(c1, "{\"txn\":{\"appId\":\"stream-1\",\"version\":2,\"lastUpdated\":"));
    free(c1);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* Verify hook: counts what it saw; rejects when rows would exceed limit. */
typedef struct verify_seen {
    int calls;
    int64_t version;
    int n_files;
    int64_t rows;
    int n_fields;
    int64_t limit;
} verify_seen;

static tarn_status verify_rows(void *ctx, const tarn_delta_snapshot *pending, tarn_err *err)
{
    verify_seen *v = ctx;
    v->calls++;
    v->version = pending->version;
    v->n_files = pending->n_files;
    v->n_fields = pending->schema->n_fields;
    v->rows = 0;
    tarn_arena *a = tarn_arena_create(0);
    for (int i = 0; i < pending->n_files; i++) {
        tarn_delta_file_stats st;
        bool has;
        tarn_err e2;
        assert_int_equal(
            tarn_delta_file_stats_for_add(pending, &pending->files[i], a, &st, &has, &e2), TARN_OK);
        assert_true(has);
        v->rows += st.num_records;
    }
    tarn_arena_destroy(a);
    if (v->rows > v->limit)
        return tarn_err_set(err, TARN_ERR_DATA, "too many rows: %lld", (long long)v->rows);
    return TARN_OK;
}

static void test_verify_hook(void **state)
{
    (void)state;
    const char *t = table("verify");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    verify_seen v = {0};
    v.limit = 4;
    o.verify = verify_rows;
    o.verify_ctx = &v;
    tarn_delta_write_result r;
    tarn_err err;
    /* Creating: the pending table is version 0 with the new file. */
    tarn_batch *b = dw_batch_ids(s, 0, 3, NULL, 0);
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    assert_int_equal(v.calls, 1);
    assert_int_equal(v.version, 0);
    assert_int_equal(v.n_files, 1);
    assert_int_equal(v.n_fields, 2);
    assert_int_equal(v.rows, 3);
    tarn_batch_destroy(b);
    /* An append that would pass the limit is refused: nothing published,
     * its file removed. */
    b = dw_batch_ids(s, 3, 2, NULL, 0);
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_ERR_DATA);
    assert_string_equal(err.msg, "too many rows: 5");
    assert_int_equal(v.version, 1);
    assert_int_equal(v.n_files, 2);
    assert_null(dw_commit_text(t, 1));
    assert_int_equal(dw_count(t, -1), 3);
    tarn_delta_snapshot *snap = dw_load(t, -1);
    assert_int_equal(snap->n_files, 1);
    tarn_delta_snapshot_destroy(snap);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test $(ls %s/*.parquet | wc -l) = 1", t);
    assert_int_equal(system(cmd), 0);
    tarn_batch_destroy(b);
    /* Overwrite: the pending table holds the new file only. */
    o.mode = TARN_DELTA_OVERWRITE;
    b = dw_batch_ids(s, 10, 4, NULL, 0);
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    assert_int_equal(v.n_files, 1);
    assert_int_equal(v.rows, 4);
    assert_int_equal(r.version, 1);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* Sources written by lanes of their own; a source that fails, fails the
 * write and leaves no file behind. */
typedef struct lane_src {
    const tarn_schema *s;
    int64_t start, n, step; /* ids start, start+step... (n rows, in batches of 1000) */
    int64_t done;
    bool fail;
    tarn_batch *b;
} lane_src;

static tarn_status lane_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    lane_src *l = ctx;
    *out = NULL;
    if (l->done == l->n)
        return l->fail ? tarn_err_set(err, TARN_ERR_IO, "source broke") : TARN_OK;
    int64_t k = TARN_MIN(1000, l->n - l->done);
    tarn_batch_destroy(l->b);
    l->b = dw_batch_ids(l->s, l->start + l->done, k, NULL, 0);
    l->done += k;
    *out = l->b;
    return TARN_OK;
}

static void test_write_sources(void **state)
{
    (void)state;
    const char *t = table("lanes");
    tarn_schema *s = dw_schema("id int64, c string");
    lane_src src[3] = {{s, 0, 2500, 1, 0, false, NULL},
                       {s, 2500, 10, 1, 0, false, NULL},
                       {s, 2510, 3000, 1, 0, false, NULL}};
    void *ctxs[3] = {&src[0], &src[1], &src[2]};
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_write_sources(t, s, 3, lane_next, ctxs, NULL, &r, &err), TARN_OK);
    assert_int_equal(r.rows, 5510);
    assert_int_equal(r.files, 3);
    /* The table reads as the sources in order. */
    tarn_delta_snapshot *snap = dw_load(t, -1);
    tarn_delta_scan *sc;
    assert_int_equal(tarn_delta_scan_open(snap, NULL, &sc, &err), TARN_OK);
    tarn_batch *b;
    int64_t expect = 0;
    while (tarn_delta_scan_next(sc, &b, &err) == TARN_OK && b)
        for (int64_t i = 0; i < b->n_rows; i++)
            assert_int_equal(tarn_vec_get_i64(b->cols[0], i), expect++);
    assert_int_equal(expect, 5510);
    tarn_delta_scan_close(sc);
    tarn_delta_snapshot_destroy(snap);
    for (int i = 0; i < 3; i++) {
        tarn_batch_destroy(src[i].b);
        src[i].b = NULL;
        src[i].done = 0;
    }
    /* One source fails: nothing committed, no file of the failed write left. */
    src[1].fail = true;
    assert_int_equal(tarn_delta_write_sources(t, s, 3, lane_next, ctxs, NULL, &r, &err),
                     TARN_ERR_IO);
    assert_string_equal(err.msg, "source broke");
    assert_null(dw_commit_text(t, 1));
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test $(ls %s/*.parquet | wc -l) = 3", t);
    assert_int_equal(system(cmd), 0);
    for (int i = 0; i < 3; i++)
        tarn_batch_destroy(src[i].b);
    tarn_schema_destroy(s);
}

static void test_append_only_and_config(void **state)
{
    (void)state;
    const char *t = table("ao");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 0, 2, NULL, 0);
    tarn_delta_kv cfg[] = {{"delta.appendOnly", "true"}, {"delta.checkpointInterval", "5"}};
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.config = cfg;
    o.n_config = 2;
    o.table_name = "events";
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
    char *c0 = dw_commit_text(t, 0);
    assert_non_null(strstr(c0, "\"configuration\":{\"delta.appendOnly\":\"true\","
                               "\"delta.checkpointInterval\":\"5\"}"));
    assert_non_null(strstr(c0, "\"name\":\"events\""));
    free(c0);
    assert_int_equal(dw_write_batch(t, s, b, NULL, &r, &err), TARN_OK);
    tarn_delta_write_opts ow;
    tarn_delta_write_opts_init(&ow);
    ow.mode = TARN_DELTA_OVERWRITE;
    assert_int_equal(dw_write_batch(t, s, b, &ow, &r, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "append-only"));
    assert_int_equal(dw_count(t, -1), 4);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_protocols(void **state)
{
    (void)state;
    const char *t = table("ntz");
    tarn_schema *s = dw_schema("id int64, t timestamp_ntz");
    tarn_batch *b = tarn_batch_create(s);
    assert_int_equal(tarn_vec_append_i64(b->cols[0], 1), TARN_OK);
    assert_int_equal(tarn_vec_append_i64(b->cols[1], 1000000), TARN_OK);
    b->n_rows = 1;
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, NULL, &r, &err), TARN_OK);
    char *c0 = dw_commit_text(t, 0);
    assert_non_null(strstr(c0, "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
                               "\"readerFeatures\":[\"timestampNtz\"],"
                               "\"writerFeatures\":[\"timestampNtz\"]}}"));
    free(c0);
    char *rows = dw_rows(t, -1, NULL);
    assert_string_equal(rows, "{\"id\":1,\"t\":\"1970-01-01T00:00:01.000000\"}\n");
    tarn_free(rows);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);

    /* Overwriting a (1,2) table with a timestamp_ntz column upgrades the
     * protocol and keeps the legacy writer features. */
    const char *t2 = table("upg");
    dw_append_ids(t2, 0, 1);
    s = dw_schema("t timestamp_ntz");
    b = tarn_batch_create(s);
    assert_int_equal(tarn_vec_append_i64(b->cols[0], 5), TARN_OK);
    b->n_rows = 1;
    tarn_delta_write_opts ow;
    tarn_delta_write_opts_init(&ow);
    ow.mode = TARN_DELTA_OVERWRITE;
    assert_int_equal(dw_write_batch(t2, s, b, &ow, &r, &err), TARN_OK);
    char *c1 = dw_commit_text(t2, 1);
    assert_non_null(strstr(c1, "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
                               "\"readerFeatures\":[\"timestampNtz\"],\"writerFeatures\":"
                               "[\"appendOnly\",\"invariants\",\"timestampNtz\"]}}"));
    free(c1);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);

    /* Types Delta lacks are refused at create. */
    s = dw_schema("u uint32");
    b = tarn_batch_create(s);
    assert_int_equal(dw_write_batch(table("u32"), s, b, NULL, &r, &err), TARN_ERR_UNSUPPORTED);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* Writes a version-0 commit by hand. */
static void hand_table(const char *t, const char *protocol, const char *config,
                       const char *field_meta)
{
    char p[600], text[4000];
    snprintf(p, sizeof p, "%s/_delta_log", t);
    tarn_err err;
    assert_int_equal(tarn_mkdirs(p, &err), TARN_OK);
    snprintf(text, sizeof text,
             "{\"protocol\":%s}\n"
             "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
             "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":"
             "\\\"id\\\",\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{%s}},"
             "{\\\"name\\\":\\\"c\\\",\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,"
             "\\\"metadata\\\":{}}]}\",\"partitionColumns\":[],\"configuration\":{%s}}}\n",
             protocol, field_meta, config);
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000000.json", t);
    tt_write_file(p, text);
}

static void expect_refused(const char *t, const char *what)
{
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 0, 1, NULL, 0);
    tarn_delta_write_result r;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, NULL, &r, &err), TARN_ERR_UNSUPPORTED);
    if (!strstr(err.msg, what))
        fail_msg("expected '%s' in: %s", what, err.msg);
    assert_int_equal(dw_count_parquet(t), 0);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_refused_features(void **state)
{
    (void)state;
    hand_table(table("f1"),
               "{\"minReaderVersion\":1,\"minWriterVersion\":7,\"writerFeatures\":"
               "[\"appendOnly\",\"fancyNewThing\"]}",
               "", "");
    expect_refused(table("f1"), "fancyNewThing");
    hand_table(table("f2"), "{\"minReaderVersion\":1,\"minWriterVersion\":2}", "",
               "\\\"delta.invariants\\\":\\\"{\\\\\\\"expression\\\\\\\":{\\\\\\\"expression"
               "\\\\\\\":\\\\\\\"id > 3\\\\\\\"}}\\\"");
    expect_refused(table("f2"), "invariants");
    hand_table(table("f3"), "{\"minReaderVersion\":1,\"minWriterVersion\":3}",
               "\"delta.constraints.pos\":\"id > 0\"", "");
    expect_refused(table("f3"), "CHECK constraints");
    hand_table(table("f4"), "{\"minReaderVersion\":1,\"minWriterVersion\":8}", "", "");
    expect_refused(table("f4"), "writer 8");
    hand_table(table("f5"),
               "{\"minReaderVersion\":1,\"minWriterVersion\":7,\"writerFeatures\":"
               "[\"rowTracking\",\"domainMetadata\"]}",
               "", "");
    expect_refused(table("f5"), "rowTracking");
    /* Supported features are fine. */
    hand_table(table("f6"),
               "{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":"
               "[\"deletionVectors\",\"vacuumProtocolCheck\"],\"writerFeatures\":"
               "[\"deletionVectors\",\"vacuumProtocolCheck\",\"appendOnly\",\"invariants\"]}",
               "\"delta.enableDeletionVectors\":\"true\"", "");
    assert_int_equal(dw_append_ids(table("f6"), 0, 3), 1);
    /* DV tables get tightBounds in their stats. */
    char *c1 = dw_commit_text(table("f6"), 1);
    assert_non_null(strstr(c1, "\\\"tightBounds\\\":true"));
    free(c1);
}

/* Predicate "lo <= id < hi" on column 0 (int64). */
typedef struct id_range {
    int64_t lo, hi; /* bounds */
    int evals;      /* batches evaluated */
} id_range;

static bool range_file_may_match(void *ctx, const tarn_delta_snapshot *snap,
                                 const tarn_delta_add *add, const tarn_delta_file_stats *st)
{
    (void)snap;
    (void)add;
    const id_range *r = ctx;
    if (!st || !st->cols[0].has_min || !st->cols[0].has_max)
        return true;
    return st->cols[0].max.v.i64 >= r->lo && st->cols[0].min.v.i64 < r->hi;
}

static tarn_status range_eval(void *ctx, const tarn_batch *b, uint8_t *out, tarn_err *err)
{
    (void)err;
    id_range *r = ctx;
    r->evals++;
    for (int64_t i = 0; i < b->n_rows; i++) {
        int64_t v = tarn_vec_get_i64(b->cols[0], i);
        out[i] = tarn_vec_is_valid(b->cols[0], i) && v >= r->lo && v < r->hi;
    }
    return TARN_OK;
}

static bool snap_has_path(const tarn_delta_snapshot *s, const char *path)
{
    for (int i = 0; i < s->n_files; i++)
        if (strcmp(s->files[i].path, path) == 0)
            return true;
    return false;
}

static void test_delete(void **state)
{
    (void)state;
    const char *t = table("del");
    for (int i = 0; i < 3; i++)
        dw_append_ids(t, i * 10, 10);
    tarn_delta_snapshot *s0 = dw_load(t, -1);
    assert_int_equal(s0->n_files, 3);
    id_range r = {12, 15, 0};
    tarn_delta_predicate pred = {range_file_may_match, range_eval, &r, "id >= 12 AND id < 15"};
    tarn_delta_delete_result res;
    tarn_err err;
    assert_int_equal(tarn_delta_delete(t, &pred, &res, &err), TARN_OK);
    assert_true(res.committed);
    assert_int_equal(res.version, 3);
    assert_int_equal(res.deleted_rows, 3);
    assert_int_equal(res.copied_rows, 7);
    assert_int_equal(res.files_skipped, 2);
    assert_int_equal(res.files_scanned, 1);
    assert_int_equal(res.removed_files, 1);
    assert_int_equal(res.added_files, 1);
    tarn_delta_snapshot *s1 = dw_load(t, -1);
    assert_int_equal(s1->n_files, 3);
    /* the files without matches kept their paths; the middle one changed */
    for (int i = 0; i < 3; i++) {
        const char *p = s0->files[i].path;
        bool kept = snap_has_path(s1, p);
        char *text = dw_commit_text(t, 1);
        bool is_middle = strstr(text, p) != NULL;
        free(text);
        assert_int_equal(kept, !is_middle);
    }
    tarn_delta_snapshot_destroy(s1);
    char *c3 = dw_commit_text(t, 3);
    assert_non_null(strstr(c3, "\"operation\":\"DELETE\""));
    assert_non_null(
        strstr(c3, "\"operationParameters\":{\"predicate\":\"[\\\"id >= 12 AND id < 15\\\"]\"}"));
    assert_non_null(strstr(c3, "\"numDeletedRows\":\"3\""));
    assert_non_null(strstr(c3, "\"isBlindAppend\":false"));
    assert_non_null(strstr(c3, "{\"remove\":{\"path\":"));
    assert_non_null(strstr(c3, "\"dataChange\":true,\"extendedFileMetadata\":true,"
                               "\"partitionValues\":{},\"size\":"));
    free(c3);
    int64_t n;
    char *rows = dw_rows(t, -1, &n);
    assert_int_equal(n, 27);
    assert_null(strstr(rows, "{\"id\":13,"));
    assert_non_null(strstr(rows, "{\"id\":15,"));
    tarn_free(rows);

    /* Every row of a file matches: the file is removed, nothing added. */
    r = (id_range){20, 1000, 0};
    assert_int_equal(tarn_delta_delete(t, &pred, &res, &err), TARN_OK);
    assert_int_equal(res.deleted_rows, 10);
    assert_int_equal(res.removed_files, 1);
    assert_int_equal(res.added_files, 0);
    assert_int_equal(res.copied_rows, 0);
    assert_int_equal(dw_count(t, -1), 17);

    /* No match: no commit. */
    r = (id_range){5000, 6000, 0};
    assert_int_equal(tarn_delta_delete(t, &pred, &res, &err), TARN_OK);
    assert_false(res.committed);
    assert_int_equal(res.deleted_rows, 0);
    assert_int_equal(res.version, 4);
    assert_int_equal(r.evals, 0); /* stats excluded every file */
    assert_null(dw_commit_text(t, 5));

    /* No predicate: everything goes (whole files, counted from stats). */
    assert_int_equal(tarn_delta_delete(t, NULL, &res, &err), TARN_OK);
    assert_int_equal(res.deleted_rows, 17);
    assert_int_equal(res.files_scanned, 2);
    assert_int_equal(dw_count(t, -1), 0);
    assert_int_equal(dw_count(t, 2), 30); /* time travel */
    tarn_delta_snapshot_destroy(s0);

    /* Not a table; append-only table. */
    assert_int_equal(tarn_delta_delete(table("nope"), &pred, &res, &err), TARN_ERR_NOT_FOUND);
    const char *ao = table("del-ao");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 0, 3, NULL, 0);
    tarn_delta_kv cfg[] = {{"delta.appendOnly", "true"}};
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.config = cfg;
    o.n_config = 1;
    tarn_delta_write_result wr;
    assert_int_equal(dw_write_batch(ao, s, b, &o, &wr, &err), TARN_OK);
    assert_int_equal(tarn_delta_delete(ao, &pred, &res, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "append-only"));
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static bool part_may_match(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add,
                           const tarn_delta_file_stats *st)
{
    (void)ctx;
    (void)st;
    const char *v = tarn_delta_kv_get(add->partition_values, add->n_partition_values, "c");
    (void)snap;
    return v && strcmp(v, "b/c") == 0;
}

static tarn_status part_eval(void *ctx, const tarn_batch *b, uint8_t *out, tarn_err *err)
{
    (void)ctx;
    (void)err;
    for (int64_t i = 0; i < b->n_rows; i++) {
        int32_t len;
        const uint8_t *p =
            tarn_vec_is_valid(b->cols[1], i) ? tarn_vec_get_bytes(b->cols[1], i, &len) : NULL;
        out[i] = p && len == 3 && memcmp(p, "b/c", 3) == 0 && tarn_vec_get_i64(b->cols[0], i) < 50;
    }
    return TARN_OK;
}

static void test_delete_partitioned(void **state)
{
    (void)state;
    const char *t = table("delp");
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 0, 90, k_tags, 9);
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    const char *pby[] = {"c"};
    o.partition_by = pby;
    o.n_partition_by = 1;
    tarn_delta_write_result wr;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, &o, &wr, &err), TARN_OK);
    tarn_delta_predicate pred = {part_may_match, part_eval, NULL, "c = 'b/c' AND id < 50"};
    tarn_delta_delete_result res;
    assert_int_equal(tarn_delta_delete(t, &pred, &res, &err), TARN_OK);
    assert_int_equal(res.files_skipped, 7);
    assert_int_equal(res.deleted_rows, 6); /* ids 1, 10, ..., 46 */
    assert_int_equal(res.copied_rows, 4);  /* ids 55 .. 82 */
    char *c1 = dw_commit_text(t, 1);
    assert_non_null(strstr(c1, "{\"remove\":{\"path\":\"c=b%252Fc/part-"));
    assert_non_null(strstr(c1, "{\"add\":{\"path\":\"c=b%252Fc/part-"));
    assert_non_null(strstr(c1, "\"partitionValues\":{\"c\":\"b/c\"}"));
    free(c1);
    int64_t n;
    char *rows = dw_rows(t, -1, &n);
    assert_int_equal(n, 84);
    assert_null(strstr(rows, "{\"id\":10,"));
    assert_non_null(strstr(rows, "{\"id\":55,\"c\":\"b/c\"}"));
    tarn_free(rows);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* Copies a conformance table (../shared/testdata/delta/<id>/delta) to a
 * scratch table and returns its path. */
static const char *copy_table(const char *id)
{
    char src[600], cmd[1400];
    tt_testdata("delta", src, sizeof src);
    const char *t = table(id);
    snprintf(cmd, sizeof cmd, "cp -r '%s/%s/delta' '%s'", src, id, t);
    assert_int_equal(system(cmd), 0);
    return t;
}

static tarn_status value_in_3_4(void *ctx, const tarn_batch *b, uint8_t *out, tarn_err *err)
{
    (void)ctx;
    (void)err;
    for (int64_t i = 0; i < b->n_rows; i++) {
        int32_t v = tarn_vec_get_i32(b->cols[0], i);
        out[i] = v == 3 || v == 4;
    }
    return TARN_OK;
}

static tarn_status number_is_4(void *ctx, const tarn_batch *b, uint8_t *out, tarn_err *err)
{
    (void)ctx;
    (void)err;
    for (int64_t i = 0; i < b->n_rows; i++)
        out[i] = tarn_vec_get_i64(b->cols[1], i) == 4;
    return TARN_OK;
}

/* Tables written by Spark, Databricks and delta-rs: tarn appends, deletes
 * (through a deletion vector), checkpoints and vacuums them. */
static void test_foreign_tables(void **state)
{
    (void)state;
    /* A Databricks table with a deletion vector: rewriting its file applies
     * the DV, the remove carries it, vacuum drops file and DV. */
    const char *t = copy_table("drs-dv-small");
    tarn_delta_predicate pred = {NULL, value_in_3_4, NULL, "value IN (3, 4)"};
    tarn_delta_delete_result dr;
    tarn_err err;
    assert_int_equal(tarn_delta_delete(t, &pred, &dr, &err), TARN_OK);
    assert_int_equal(dr.deleted_rows, 2);
    assert_int_equal(dr.copied_rows, 6);
    char *c2 = dw_commit_text(t, 2);
    assert_non_null(strstr(c2, "\"deletionVector\":{\"storageType\":\"u\","
                               "\"pathOrInlineDv\":\"vBn[lx{q8@P<9BNH/isA\",\"offset\":1"));
    assert_non_null(strstr(c2, "\\\"tightBounds\\\":true"));
    free(c2);
    char *rows = dw_rows(t, -1, NULL);
    assert_string_equal(rows, "{\"value\":1}\n{\"value\":2}\n{\"value\":5}\n{\"value\":6}\n"
                              "{\"value\":7}\n{\"value\":8}\n");
    tarn_free(rows);
    tarn_delta_vacuum_result vr;
    assert_int_equal(tarn_delta_vacuum(t, 0, false, true, &vr, &err), TARN_OK);
    assert_int_equal(vr.n_files, 2); /* the old data file and its DV file */
    tarn_delta_vacuum_result_fini(&vr);
    assert_int_equal(dw_count(t, -1), 6);

    /* Spark partitioned table: appends join its partitions, a delete
     * rewrites one of its files, a checkpoint follows at version 10. */
    t = copy_table("dat-basic-partitioned");
    tarn_schema *s = dw_schema("letter string, number int64, a_float float64");
    for (int i = 0; i < 9; i++) {
        tarn_batch *b = tarn_batch_create(s);
        const char *letters[] = {"a", "z", NULL};
        for (int k = 0; k < 3; k++) {
            if (letters[k])
                assert_int_equal(tarn_vec_append_bytes(b->cols[0], letters[k], 1), TARN_OK);
            else
                assert_int_equal(tarn_vec_append_null(b->cols[0]), TARN_OK);
            assert_int_equal(tarn_vec_append_i64(b->cols[1], 100 + i * 3 + k), TARN_OK);
            assert_int_equal(tarn_vec_append_f64(b->cols[2], 0.5), TARN_OK);
        }
        b->n_rows = 3;
        tarn_delta_write_result wr;
        assert_int_equal(dw_write_batch(t, s, b, NULL, &wr, &err), TARN_OK);
        assert_int_equal(wr.version, 2 + i);
        tarn_batch_destroy(b);
    }
    tarn_delta_predicate p4 = {NULL, number_is_4, NULL, "number = 4"};
    assert_int_equal(tarn_delta_delete(t, &p4, &dr, &err), TARN_OK);
    assert_int_equal(dr.version, 11);
    assert_int_equal(dr.deleted_rows, 1);
    int64_t n;
    rows = dw_rows(t, -1, &n);
    assert_int_equal(n, 6 + 27 - 1);
    assert_null(strstr(rows, "\"number\":4,"));
    assert_non_null(strstr(rows, "{\"letter\":null,\"number\":6,\"a_float\":6.6}"));
    assert_non_null(strstr(rows, "{\"letter\":null,\"number\":102,\"a_float\":0.5}"));
    tarn_free(rows);
    tarn_delta_snapshot *snap = dw_load(t, 10);
    assert_int_equal(snap->checkpoint_version, 10);
    tarn_delta_snapshot_destroy(snap);
    char p[700];
    snprintf(p, sizeof p, "%s/letter=__HIVE_DEFAULT_PARTITION__", t);
    assert_true(tarn_is_dir(p));
    tarn_schema_destroy(s);

    /* vacuumProtocolCheck with appendOnly/invariants features (unused):
     * tarn may append and vacuum. */
    t = copy_table("golden-vacuum-protocol-check");
    assert_int_equal(tarn_delta_vacuum(t, -1, true, false, &vr, &err), TARN_OK);
    tarn_delta_vacuum_result_fini(&vr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_append),   cmocka_unit_test(test_partitioned),
        cmocka_unit_test(test_partition_types), cmocka_unit_test(test_overwrite_new_schema),
        cmocka_unit_test(test_schema_mismatch), cmocka_unit_test(test_rolling_and_open_files),
        cmocka_unit_test(test_idempotent_txn),  cmocka_unit_test(test_append_only_and_config),
        cmocka_unit_test(test_protocols),       cmocka_unit_test(test_refused_features),
        cmocka_unit_test(test_delete),          cmocka_unit_test(test_delete_partitioned),
        cmocka_unit_test(test_foreign_tables),  cmocka_unit_test(test_verify_hook),
        cmocka_unit_test(test_write_sources),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
