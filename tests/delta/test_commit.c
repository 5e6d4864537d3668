/*
 * tests/delta/test_commit.c - the commit protocol: log_write round trip
 * through the read helper's parser, URI encoding, forced races (a commit
 * published behind a transaction's back) for append/append, delete/append,
 * append/delete, metadata changes, same appId, concurrent creation, orphan
 * cleanup, in-commit timestamps, writer protocol checks and intervals.
 */
#include "delta_write_test.h"

#include "delta/checkpoint.h"
#include "delta/commit.h"
#include "delta/history.h"
#include "delta/schema.h"
#include "delta/stats.h"
#include "parquet/reader.h"

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("dcommit", g_dir, sizeof g_dir);
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

static void test_log_write_round_trip(void **state)
{
    (void)state;
    tarn_delta_kv pv[] = {{"p", "a \"quoted\" \\ value\n\t\x01"}, {"q", NULL}};
    tarn_delta_kv tags[] = {{"k", "v"}};
    tarn_delta_kv cfg[] = {{"delta.appendOnly", "true"}, {"x", NULL}};
    const char *pcols[] = {"p", "q"};
    const char *rf[] = {"deletionVectors"};
    const char *wf[] = {"deletionVectors", "appendOnly"};
    tarn_delta_add add = {.path = "p=a%20b/part-1.parquet",
                          .n_partition_values = 2,
                          .partition_values = pv,
                          .size = 123,
                          .modification_time = 456,
                          .data_change = true,
                          .stats = "{\"numRecords\":5}",
                          .n_tags = 1,
                          .tags = tags,
                          .has_dv = true,
                          .dv = {'u', "ab^-aqEH.-t@S}K{vb[*k^", true, 1, 36, 2},
                          .has_base_row_id = true,
                          .base_row_id = 7,
                          .has_default_row_commit_version = true,
                          .default_row_commit_version = 3};
    tarn_delta_remove rm = {
        .path = "old.parquet",
        .has_deletion_timestamp = true,
        .deletion_timestamp = 99,
        .data_change = true,
        .extended_file_metadata = true,
        .n_partition_values = 1,
        .partition_values = pv,
        .has_size = true,
        .size = 10,
        .has_dv = true,
        .dv = {'i', "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", false, 0, 40, 6}};
    tarn_delta_txn txn = {"app-\xc3\xa9", 42, true, 1000};
    tarn_delta_actions acts;
    memset(&acts, 0, sizeof acts);
    acts.commit_info.present = true;
    acts.commit_info.has_timestamp = true;
    acts.commit_info.timestamp = 1700000000000;
    acts.commit_info.has_in_commit_timestamp = true;
    acts.commit_info.in_commit_timestamp = 1700000000001;
    acts.commit_info.operation = "DELETE";
    acts.commit_info.operation_parameters = "{\"predicate\":\"[\\\"id > 1\\\"]\"}";
    acts.commit_info.operation_metrics = "{\"numDeletedRows\":\"3\"}";
    acts.commit_info.engine_info = "tarn/test";
    acts.has_protocol = true;
    acts.protocol = (tarn_delta_protocol){3, 7, true, 1, rf, true, 2, wf};
    acts.has_metadata = true;
    acts.metadata = (tarn_delta_metadata){.id = "id-1",
                                          .name = "n",
                                          .description = "d\"",
                                          .format_provider = "parquet",
                                          .schema_string = "{\"type\":\"struct\",\"fields\":[]}",
                                          .n_partition_columns = 2,
                                          .partition_columns = pcols,
                                          .n_configuration = 2,
                                          .configuration = cfg,
                                          .has_created_time = true,
                                          .created_time = 5};
    acts.n_txns = 1;
    acts.txns = &txn;
    acts.n_removes = 1;
    acts.removes = &rm;
    acts.n_adds = 1;
    acts.adds = &add;
    tarn_buf out = TARN_BUF_INIT;
    assert_int_equal(tarn_delta_actions_serialize(&acts, &out), TARN_OK);
    /* one action per line, in the documented order */
    const char *order[] = {"{\"commitInfo\":", "{\"protocol\":", "{\"metaData\":",
                           "{\"txn\":",        "{\"remove\":",   "{\"add\":"};
    const char *p = out.data;
    for (size_t i = 0; i < TARN_ARRAY_LEN(order); i++) {
        assert_memory_equal(p, order[i], strlen(order[i]));
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    assert_int_equal(*p, '\0');
    assert_non_null(strstr(out.data, "{\"commitInfo\":{\"inCommitTimestamp\":1700000000001,"));

    tarn_arena *a = tarn_arena_create(0);
    tarn_delta_actions back;
    tarn_err err;
    assert_int_equal(tarn_delta_actions_parse(out.data, out.len, "x.json", a, &back, &err),
                     TARN_OK);
    assert_true(back.commit_info.present);
    assert_int_equal(back.commit_info.timestamp, 1700000000000);
    assert_int_equal(back.commit_info.in_commit_timestamp, 1700000000001);
    assert_string_equal(back.commit_info.operation, "DELETE");
    assert_string_equal(back.commit_info.engine_info, "tarn/test");
    assert_true(back.has_protocol);
    assert_int_equal(back.protocol.min_reader_version, 3);
    assert_int_equal(back.protocol.n_writer_features, 2);
    assert_string_equal(back.protocol.writer_features[1], "appendOnly");
    assert_true(back.has_metadata);
    assert_string_equal(back.metadata.description, "d\"");
    assert_string_equal(back.metadata.schema_string, "{\"type\":\"struct\",\"fields\":[]}");
    assert_int_equal(back.metadata.n_partition_columns, 2);
    assert_int_equal(back.metadata.n_configuration, 2);
    assert_null(back.metadata.configuration[1].value);
    assert_int_equal(back.metadata.created_time, 5);
    assert_int_equal(back.n_txns, 1);
    assert_string_equal(back.txns[0].app_id, "app-\xc3\xa9");
    assert_int_equal(back.txns[0].version, 42);
    assert_int_equal(back.n_removes, 1);
    assert_string_equal(back.removes[0].path, "old.parquet");
    assert_int_equal(back.removes[0].deletion_timestamp, 99);
    assert_true(back.removes[0].extended_file_metadata);
    assert_int_equal(back.removes[0].size, 10);
    assert_true(back.removes[0].has_dv);
    assert_int_equal(back.removes[0].dv.storage_type, 'i');
    assert_int_equal(back.removes[0].dv.cardinality, 6);
    assert_int_equal(back.n_adds, 1);
    const tarn_delta_add *b = &back.adds[0];
    assert_string_equal(b->path, "p=a%20b/part-1.parquet");
    assert_int_equal(b->n_partition_values, 2);
    assert_string_equal(b->partition_values[0].value, "a \"quoted\" \\ value\n\t\x01");
    assert_null(b->partition_values[1].value);
    assert_int_equal(b->size, 123);
    assert_int_equal(b->modification_time, 456);
    assert_true(b->data_change);
    assert_string_equal(b->stats, "{\"numRecords\":5}");
    assert_int_equal(b->n_tags, 1);
    assert_true(b->has_dv);
    assert_string_equal(b->dv.path_or_inline, "ab^-aqEH.-t@S}K{vb[*k^");
    assert_int_equal(b->dv.offset, 1);
    assert_int_equal(b->dv.size_in_bytes, 36);
    assert_int_equal(b->base_row_id, 7);
    assert_int_equal(b->default_row_commit_version, 3);

    /* A commitInfo given as JSON text is written verbatim. */
    tarn_delta_actions ci;
    memset(&ci, 0, sizeof ci);
    ci.commit_info.present = true;
    ci.commit_info.json = "{\"operation\":\"X\",\"custom\":[1,2]}";
    tarn_buf_reset(&out);
    assert_int_equal(tarn_delta_actions_serialize(&ci, &out), TARN_OK);
    assert_string_equal(out.data, "{\"commitInfo\":{\"operation\":\"X\",\"custom\":[1,2]}}\n");
    tarn_buf_fini(&out);
    tarn_arena_destroy(a);
}

static void test_uri_encode(void **state)
{
    (void)state;
    tarn_arena *a = tarn_arena_create(0);
    const char *in = "x=a b/c=%2F/\xc3\xa9?#[]/part-0.parquet";
    char *enc = tarn_delta_uri_encode(a, in);
    assert_string_equal(enc, "x=a%20b/c=%252F/%C3%A9%3F%23%5B%5D/part-0.parquet");
    assert_string_equal(tarn_delta_uri_decode(a, enc), in);
    assert_string_equal(tarn_delta_uri_encode(a, "plain-_.~:@!$&'()*+,;="),
                        "plain-_.~:@!$&'()*+,;=");
    tarn_arena_destroy(a);
}

/* A transaction on t with one fake add (the log is all these tests look at). */
static tarn_delta_transaction *begin(const char *t, bool reads_data, const char *file)
{
    tarn_delta_transaction *tx;
    tarn_err err;
    if (tarn_delta_transaction_create(t, &tx, &err) != TARN_OK)
        fail_msg("begin: %s", err.msg);
    tarn_delta_transaction_set_reads_data(tx, reads_data);
    if (file) {
        tarn_delta_add add = {.path = file, .size = 1, .modification_time = 1, .data_change = true};
        assert_int_equal(tarn_delta_transaction_add_file(tx, &add, &err), TARN_OK);
    }
    return tx;
}

/* Removes the first active file inside tx (a delete). */
static void remove_first(tarn_delta_transaction *tx)
{
    const tarn_delta_snapshot *s = tarn_delta_transaction_snapshot(tx);
    assert_true(s->n_files > 0);
    tarn_delta_remove rm = {.path = s->files[0].path,
                            .has_deletion_timestamp = true,
                            .deletion_timestamp = 1,
                            .data_change = true};
    tarn_err err;
    assert_int_equal(tarn_delta_transaction_remove_file(tx, &rm, &err), TARN_OK);
    assert_int_equal(tarn_delta_transaction_set_operation(tx, "DELETE", NULL, NULL, &err), TARN_OK);
}

static void test_race_append_append(void **state)
{
    (void)state;
    const char *t = table("aa");
    dw_append_ids(t, 0, 3);
    tarn_delta_transaction *tx = begin(t, false, "fake-1.parquet");
    assert_int_equal(tarn_delta_transaction_read_version(tx), 0);
    dw_append_ids(t, 3, 3); /* version 1 behind tx's back */
    dw_append_ids(t, 6, 3); /* version 2 */
    tarn_delta_commit_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_OK);
    assert_int_equal(r.version, 3);
    assert_int_equal(r.attempts, 2);
    tarn_delta_transaction_destroy(tx);
    char *c3 = dw_commit_text(t, 3);
    assert_non_null(strstr(c3, "\"readVersion\":0"));
    assert_non_null(strstr(c3, "fake-1.parquet"));
    free(c3);
    /* every earlier commit is intact */
    char *c1 = dw_commit_text(t, 1);
    assert_null(strstr(c1, "fake-1"));
    free(c1);

    /* A blind append is not disturbed by a concurrent delete either. */
    tx = begin(t, false, "fake-2.parquet");
    tarn_delta_transaction *del = begin(t, true, NULL);
    remove_first(del);
    assert_int_equal(tarn_delta_transaction_commit(del, &r, &err), TARN_OK);
    assert_int_equal(r.version, 4);
    tarn_delta_transaction_destroy(del);
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_OK);
    assert_int_equal(r.version, 5);
    tarn_delta_transaction_destroy(tx);
}

static void test_race_delete_append(void **state)
{
    (void)state;
    const char *t = table("da");
    dw_append_ids(t, 0, 3);
    tarn_delta_transaction *tx = begin(t, true, NULL);
    remove_first(tx);
    dw_append_ids(t, 3, 3); /* version 1 */
    tarn_delta_commit_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_ERR_CONFLICT);
    assert_string_equal(err.msg, "DELETE conflicts with the concurrent commit at version 1 "
                                 "(WRITE), which added or removed data files this transaction "
                                 "read; this transaction read version 0");
    tarn_delta_transaction_destroy(tx);
    assert_null(dw_commit_text(t, 2));
    assert_int_equal(dw_count(t, -1), 6);

    /* Two deletes of the same file: the second conflicts. */
    tarn_delta_transaction *d1 = begin(t, true, NULL), *d2 = begin(t, true, NULL);
    remove_first(d1);
    remove_first(d2);
    assert_int_equal(tarn_delta_transaction_commit(d1, &r, &err), TARN_OK);
    assert_int_equal(tarn_delta_transaction_commit(d2, &r, &err), TARN_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "version 2"));
    tarn_delta_transaction_destroy(d1);
    tarn_delta_transaction_destroy(d2);
}

static void test_race_metadata(void **state)
{
    (void)state;
    const char *t = table("md");
    dw_append_ids(t, 0, 3);
    tarn_delta_transaction *tx = begin(t, false, "fake.parquet");
    /* overwrite with a new schema behind tx's back */
    tarn_schema *s = dw_schema("z int32");
    tarn_batch *b = tarn_batch_create(s);
    assert_int_equal(tarn_vec_append_i32(b->cols[0], 1), TARN_OK);
    b->n_rows = 1;
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.mode = TARN_DELTA_OVERWRITE;
    tarn_delta_write_result wr;
    tarn_err err;
    assert_int_equal(dw_write_batch(t, s, b, &o, &wr, &err), TARN_OK);
    tarn_delta_commit_result r;
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "version 1 (WRITE), which changed the table metadata"));
    tarn_delta_transaction_destroy(tx);
    /* A property change (metadata only) conflicts the same way. */
    tx = begin(t, false, "fake.parquet");
    tarn_delta_kv cfg[] = {{"delta.checkpointInterval", "3"}};
    o.config = cfg;
    o.n_config = 1;
    assert_int_equal(dw_write_batch(t, s, b, &o, &wr, &err), TARN_OK);
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_ERR_CONFLICT);
    tarn_delta_transaction_destroy(tx);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_race_app_id(void **state)
{
    (void)state;
    const char *t = table("app");
    dw_append_ids(t, 0, 3);
    tarn_delta_transaction *tx = begin(t, false, "fake.parquet");
    tarn_err err;
    assert_int_equal(tarn_delta_transaction_set_txn(tx, "stream", 7, &err), TARN_OK);
    /* another app's txn does not matter */
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 10, 1, NULL, 0);
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.app_id = "other";
    o.app_version = 1;
    tarn_delta_write_result wr;
    assert_int_equal(dw_write_batch(t, s, b, &o, &wr, &err), TARN_OK);
    o.app_id = "stream";
    o.app_version = 7;
    assert_int_equal(dw_write_batch(t, s, b, &o, &wr, &err), TARN_OK);
    tarn_delta_commit_result r;
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "version 2"));
    assert_non_null(strstr(err.msg, "same application id"));
    tarn_delta_transaction_destroy(tx);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_many_app_ids(void **state)
{
    (void)state;
    const char *t = table("apps");
    dw_append_ids(t, 0, 1);
    /* Several txns commit together and all reach the snapshot. */
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, 10, 1, NULL, 0);
    static const char *const ids[] = {"file.a", "file.b", "file.c"};
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.txn_ids = ids;
    o.n_txn_ids = 3;
    o.txn_version = 4;
    tarn_delta_write_result wr;
    tarn_err err;
    /* A transaction started before, carrying file.b, will lose the race. */
    tarn_delta_transaction *tx = begin(t, false, "fake.parquet");
    assert_int_equal(tarn_delta_transaction_set_txn(tx, "unrelated", 1, &err), TARN_OK);
    assert_int_equal(tarn_delta_transaction_add_txn(tx, "file.b", 1, &err), TARN_OK);
    assert_int_equal(dw_write_batch(t, s, b, &o, &wr, &err), TARN_OK);
    tarn_delta_snapshot *snap;
    assert_int_equal(tarn_delta_snapshot_load(t, NULL, &snap, &err), TARN_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(tarn_delta_snapshot_txn(snap, ids[i]), 4);
    tarn_delta_snapshot_destroy(snap);
    tarn_delta_commit_result r;
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "same application id"));
    tarn_delta_transaction_destroy(tx);
    /* Without a shared id the same race is a plain retry. */
    tx = begin(t, false, "fake2.parquet");
    assert_int_equal(tarn_delta_transaction_add_txn(tx, "file.d", 1, &err), TARN_OK);
    assert_int_equal(tarn_delta_transaction_add_txn(tx, "file.e", 1, &err), TARN_OK);
    o.n_txn_ids = 1;
    assert_int_equal(dw_write_batch(t, s, b, &o, &wr, &err), TARN_OK);
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_OK);
    tarn_delta_transaction_destroy(tx);
    assert_int_equal(tarn_delta_snapshot_load(t, NULL, &snap, &err), TARN_OK);
    assert_int_equal(tarn_delta_snapshot_txn(snap, "file.e"), 1);
    assert_int_equal(tarn_delta_snapshot_txn(snap, "file.a"), 4);
    tarn_delta_snapshot_destroy(snap);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_add_columns(void **state)
{
    (void)state;
    const char *t = table("widen");
    dw_append_ids(t, 0, 2); /* id int64, c string */
    tarn_err err;
    /* Appending data with a new column widens the table in the same commit. */
    tarn_schema *s3 = dw_schema("id int64, c string, d int32");
    tarn_batch *b = tarn_batch_create(s3);
    assert_int_equal(tarn_vec_append_i64(b->cols[0], 9), TARN_OK);
    assert_int_equal(tarn_vec_append_bytes(b->cols[1], "z", 1), TARN_OK);
    assert_int_equal(tarn_vec_append_i32(b->cols[2], 42), TARN_OK);
    b->n_rows = 1;
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    tarn_delta_write_result r;
    assert_int_equal(dw_write_batch(t, s3, b, &o, &r, &err), TARN_ERR_INVALID); /* not asked */
    o.add_columns = true;
    assert_int_equal(dw_write_batch(t, s3, b, &o, &r, &err), TARN_OK);
    char *rows = dw_rows(t, -1, NULL);
    assert_string_equal(rows,
                        "{\"id\":0,\"c\":\"x\",\"d\":null}\n{\"id\":1,\"c\":\"x\",\"d\":null}\n"
                        "{\"id\":9,\"c\":\"z\",\"d\":42}\n");
    tarn_free(rows);
    /* add_columns refuses to drop or retype a column, or add a NOT NULL one. */
    tarn_delta_transaction *tx = begin(t, false, "fake.parquet");
    tarn_schema *drop = dw_schema("id int64, d int32");
    assert_int_equal(tarn_delta_transaction_add_columns(tx, drop, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "column 'c' of the table is missing"));
    tarn_schema *retype = dw_schema("id int32, c string, d int32");
    assert_int_equal(tarn_delta_transaction_add_columns(tx, retype, &err), TARN_ERR_INVALID);
    tarn_schema *nn = dw_schema("id int64, c string, d int32, e int32 not null");
    assert_int_equal(tarn_delta_transaction_add_columns(tx, nn, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "must be nullable"));
    tarn_delta_transaction_destroy(tx);
    tarn_schema_destroy(drop);
    tarn_schema_destroy(retype);
    tarn_schema_destroy(nn);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s3);
}

/* A creating transaction with the metadata tarn_delta_write would write. */
static tarn_delta_transaction *begin_create(const char *t, const char *schema_text)
{
    tarn_err err;
    assert_int_equal(tarn_mkdirs(t, &err), TARN_OK);
    tarn_delta_transaction *tx = begin(t, false, "fake-create.parquet");
    assert_int_equal(tarn_delta_transaction_read_version(tx), -1);
    assert_null(tarn_delta_transaction_snapshot(tx));
    tarn_schema *s = dw_schema(schema_text);
    tarn_buf sb = TARN_BUF_INIT;
    assert_int_equal(tarn_delta_schema_serialize(s, &sb, &err), TARN_OK);
    tarn_delta_metadata md = {
        .id = "my-id", .format_provider = "parquet", .schema_string = sb.data};
    tarn_delta_protocol pr;
    tarn_delta_protocol_for_schema(s, &pr);
    assert_int_equal(tarn_delta_transaction_set_metadata(tx, &md, &err), TARN_OK);
    assert_int_equal(tarn_delta_transaction_set_protocol(tx, &pr, &err), TARN_OK);
    tarn_buf_fini(&sb);
    tarn_schema_destroy(s);
    return tx;
}

static void test_race_create(void **state)
{
    (void)state;
    const char *t = table("cr");
    tarn_delta_transaction *tx = begin_create(t, "id int64, c string");
    dw_append_ids(t, 0, 2); /* creates version 0 with the same shape */
    tarn_delta_commit_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_OK);
    assert_int_equal(r.version, 1);
    tarn_delta_transaction_destroy(tx);
    char *c1 = dw_commit_text(t, 1);
    assert_null(strstr(c1, "metaData"));
    assert_null(strstr(c1, "protocol"));
    free(c1);

    const char *t2 = table("cr2");
    tx = begin_create(t2, "id int32");
    dw_append_ids(t2, 0, 2);
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "creating the table"));
    tarn_delta_transaction_destroy(tx);

    /* Creating without metadata is refused. */
    tarn_delta_transaction *bad = begin(table("cr3"), false, NULL);
    assert_int_equal(tarn_delta_transaction_commit(bad, &r, &err), TARN_ERR_INVALID);
    tarn_delta_transaction_destroy(bad);
}

static void test_orphans(void **state)
{
    (void)state;
    const char *t = table("orph");
    dw_append_ids(t, 0, 1);
    char f1[600], f2[600];
    snprintf(f1, sizeof f1, "%s/orphan-1.parquet", t);
    snprintf(f2, sizeof f2, "%s/kept-1.parquet", t);
    tt_write_file(f1, "x");
    tt_write_file(f2, "x");
    tarn_err err;
    /* conflict: tracked files go away */
    tarn_delta_transaction *tx = begin(t, true, "orphan-1.parquet");
    assert_int_equal(tarn_delta_transaction_track_file(tx, f1, &err), TARN_OK);
    dw_append_ids(t, 1, 1);
    tarn_delta_commit_result r;
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_ERR_CONFLICT);
    tarn_delta_transaction_destroy(tx);
    assert_false(tarn_path_exists(f1));
    /* abandoned without commit: same */
    tt_write_file(f1, "x");
    tx = begin(t, false, "orphan-1.parquet");
    assert_int_equal(tarn_delta_transaction_track_file(tx, f1, &err), TARN_OK);
    tarn_delta_transaction_destroy(tx);
    assert_false(tarn_path_exists(f1));
    /* committed: kept */
    tx = begin(t, false, "kept-1.parquet");
    assert_int_equal(tarn_delta_transaction_track_file(tx, f2, &err), TARN_OK);
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_OK);
    tarn_delta_transaction_destroy(tx);
    assert_true(tarn_path_exists(f2));
    /* no temp files left in the log */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "ls -a '%s/_delta_log' | grep -c tmp", t);
    FILE *p = popen(cmd, "r");
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    assert_int_equal(n, 0);
}

static void test_in_commit_timestamps(void **state)
{
    (void)state;
    const char *t = table("ict");
    char p[600];
    snprintf(p, sizeof p, "%s/_delta_log", t);
    tarn_err err;
    assert_int_equal(tarn_mkdirs(p, &err), TARN_OK);
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000000.json", t);
    /* an inCommitTimestamp far in the future: the next must follow it */
    tt_write_file(p, "{\"commitInfo\":{\"inCommitTimestamp\":4102444800000,\"timestamp\":1}}\n"
                     "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,"
                     "\"writerFeatures\":[\"inCommitTimestamp\"]}}\n"
                     "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":"
                     "{}},\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{"
                     "\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,"
                     "\\\"metadata\\\":{}},{\\\"name\\\":\\\"c\\\",\\\"type\\\":\\\"string\\\","
                     "\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\",\"partitionColumns\":[],"
                     "\"configuration\":{\"delta.enableInCommitTimestamps\":\"true\","
                     "\"delta.inCommitTimestampEnablementVersion\":\"0\","
                     "\"delta.inCommitTimestampEnablementTimestamp\":\"4102444800000\"}}}\n");
    dw_append_ids(t, 0, 1);
    dw_append_ids(t, 1, 1);
    char *c1 = dw_commit_text(t, 1), *c2 = dw_commit_text(t, 2);
    assert_non_null(strstr(c1, "{\"commitInfo\":{\"inCommitTimestamp\":4102444800001,"));
    assert_non_null(strstr(c2, "{\"commitInfo\":{\"inCommitTimestamp\":4102444800002,"));
    free(c1);
    free(c2);
}

static void test_helpers(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(tarn_delta_parse_interval_ms("interval 7 days", &ms));
    assert_int_equal(ms, 7 * 86400000LL);
    assert_true(tarn_delta_parse_interval_ms("INTERVAL 1 WEEK", &ms));
    assert_int_equal(ms, 7 * 86400000LL);
    assert_true(tarn_delta_parse_interval_ms("interval 2 hours 30 minutes", &ms));
    assert_int_equal(ms, 9000000);
    assert_true(tarn_delta_parse_interval_ms("0 seconds", &ms));
    assert_int_equal(ms, 0);
    assert_false(tarn_delta_parse_interval_ms("interval", &ms));
    assert_false(tarn_delta_parse_interval_ms("7 fortnights", &ms));
    assert_false(tarn_delta_parse_interval_ms("-1 days", &ms));

    char u1[40], u2[40];
    tarn_err err;
    assert_int_equal(tarn_delta_uuid4(u1, &err), TARN_OK);
    assert_int_equal(tarn_delta_uuid4(u2, &err), TARN_OK);
    assert_int_equal(strlen(u1), 36);
    assert_int_equal(u1[14], '4');
    assert_true(strchr("89ab", u1[19]) != NULL);
    assert_string_not_equal(u1, u2);

    tarn_delta_protocol p = {1, 2, false, 0, NULL, false, 0, NULL};
    tarn_delta_kv cm[] = {{"delta.columnMapping.mode", "name"}};
    tarn_delta_metadata m = {.schema_string = "{}", .n_configuration = 1, .configuration = cm};
    assert_int_equal(tarn_delta_writer_check(&p, &m, &err), TARN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "column mapping"));
    cm[0].value = "none";
    assert_int_equal(tarn_delta_writer_check(&p, &m, &err), TARN_OK);
    m.schema_string = "{\"metadata\":{\"delta.generationExpression\":\"x+1\"}}";
    assert_int_equal(tarn_delta_writer_check(&p, &m, &err), TARN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "generated columns"));
    tarn_delta_kv ao[] = {{"delta.appendOnly", "TRUE"}};
    tarn_delta_metadata m2 = {.n_configuration = 1, .configuration = ao};
    assert_int_equal(tarn_delta_check_removal_allowed(&m2, "DELETE", &err), TARN_ERR_INVALID);
    assert_string_equal(err.msg, "DELETE refused: the table is append-only (delta.appendOnly = "
                                 "true)");
}

/* Snapshot facts that must not depend on how the state was loaded. */
static char *snapshot_digest(const tarn_delta_snapshot *s)
{
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_buf_printf(&b, "v=%lld p=%d,%d id=%s schema=%s parts=%d cfg=%d\n",
                                     (long long)s->version, s->protocol.min_reader_version,
                                     s->protocol.min_writer_version, s->metadata.id,
                                     s->metadata.schema_string, s->metadata.n_partition_columns,
                                     s->metadata.n_configuration),
                     TARN_OK);
    /* files sorted by path */
    const char **lines = calloc((size_t)s->n_files + (size_t)s->n_txns + 1, sizeof *lines);
    tarn_buf tmp = TARN_BUF_INIT;
    size_t *offs = calloc((size_t)s->n_files + (size_t)s->n_txns + 1, sizeof *offs);
    int n = 0;
    for (int i = 0; i < s->n_files; i++) {
        const tarn_delta_add *a = &s->files[i];
        offs[n++] = tmp.len;
        assert_int_equal(tarn_buf_printf(&tmp, "add %s size=%lld pv=%s stats=%s", a->path,
                                         (long long)a->size,
                                         a->n_partition_values && a->partition_values[0].value
                                             ? a->partition_values[0].value
                                             : "null",
                                         a->stats ? a->stats : "none"),
                         TARN_OK);
        assert_int_equal(tarn_buf_append_char(&tmp, '\0'), TARN_OK);
    }
    for (int i = 0; i < s->n_txns; i++) {
        offs[n++] = tmp.len;
        assert_int_equal(
            tarn_buf_printf(&tmp, "txn %s=%lld", s->txns[i].app_id, (long long)s->txns[i].version),
            TARN_OK);
        assert_int_equal(tarn_buf_append_char(&tmp, '\0'), TARN_OK);
    }
    for (int i = 0; i < n; i++)
        lines[i] = tmp.data + offs[i];
    qsort(lines, (size_t)n, sizeof *lines, dw_cmp_lines);
    for (int i = 0; i < n; i++) {
        assert_int_equal(tarn_buf_append_str(&b, lines[i]), TARN_OK);
        assert_int_equal(tarn_buf_append_char(&b, '\n'), TARN_OK);
    }
    free(lines);
    free(offs);
    tarn_buf_fini(&tmp);
    return tarn_buf_steal(&b, NULL);
}

/* The same table state replayed from JSON commits only: the log is copied
 * without checkpoints into a scratch table. */
static char *json_only_digest(const char *t, int64_t version)
{
    char copy[600], cmd[2000];
    snprintf(copy, sizeof copy, "%s-jsononly", t);
    snprintf(cmd, sizeof cmd,
             "rm -rf '%s' && mkdir -p '%s/_delta_log' && cp '%s'/_delta_log/*.json "
             "'%s/_delta_log/'",
             copy, copy, t, copy);
    assert_int_equal(system(cmd), 0);
    tarn_delta_snapshot *s = dw_load(copy, version);
    assert_int_equal(s->checkpoint_version, -1);
    char *d = snapshot_digest(s);
    tarn_delta_snapshot_destroy(s);
    return d;
}

static void test_checkpoints(void **state)
{
    (void)state;
    const char *t = table("cp");
    tarn_schema *s = dw_schema("id int64, c string");
    static const char *const tags[] = {"a", "b", NULL};
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    const char *pby[] = {"c"};
    o.partition_by = pby;
    o.n_partition_by = 1;
    tarn_delta_write_result r;
    tarn_err err;
    for (int v = 0; v <= 10; v++) {
        tarn_batch *b = dw_batch_ids(s, v * 10, 10, tags, 3);
        o.mode = v == 4 ? TARN_DELTA_OVERWRITE : TARN_DELTA_APPEND; /* tombstones */
        o.app_id = v == 7 ? "app" : NULL;
        o.app_version = 3;
        assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
        assert_int_equal(r.version, v);
        assert_int_equal(r.checkpoint_written, v == 10);
        assert_false(r.has_warning);
        tarn_batch_destroy(b);
    }
    char p[700];
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000010.checkpoint.parquet", t);
    assert_true(tarn_path_exists(p));
    snprintf(p, sizeof p, "%s/_delta_log/_last_checkpoint", t);
    char *lc = tt_read_file(p, NULL);
    /* protocol + metaData + txn + 12 tombstones (v4) + 21 files (3 + 6x3) */

    assert_non_null(strstr(lc, "{\"version\":10,\"size\":36,\"sizeInBytes\":"));
    assert_non_null(strstr(lc, "\"numOfAddFiles\":21}"));
    free(lc);
    /* The checkpoint has the protocol's column layout. */
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000010.checkpoint.parquet", t);
    tarn_pq_file *f;
    assert_int_equal(tarn_pq_file_open(p, &f, &err), TARN_OK);
    const tarn_schema *cs = tarn_pq_file_schema(f);
    assert_int_equal(cs->n_fields, 5);
    const char *names[] = {"txn", "add", "remove", "metaData", "protocol"};
    for (int i = 0; i < 5; i++) {
        assert_string_equal(cs->fields[i].name, names[i]);
        assert_int_equal(cs->fields[i].type.id, TARN_TYPE_STRUCT);
    }
    assert_string_equal(cs->fields[1].children[1].name, "partitionValues");
    assert_int_equal(cs->fields[1].children[1].type.id, TARN_TYPE_MAP);
    assert_string_equal(cs->fields[3].children[5].name, "partitionColumns");
    assert_int_equal(cs->fields[3].children[5].type.id, TARN_TYPE_LIST);
    assert_int_equal(tarn_pq_file_num_rows(f), 36);
    tarn_pq_file_close(f);

    /* Loading through the checkpoint equals replaying JSON only, at the
     * checkpoint and after it. */
    tarn_delta_snapshot *snap = dw_load(t, 10);
    assert_int_equal(snap->checkpoint_version, 10);
    assert_int_equal(snap->n_files, 21);
    assert_int_equal(tarn_delta_snapshot_txn(snap, "app"), 3);
    char *d1 = snapshot_digest(snap), *d2 = json_only_digest(t, 10);
    assert_string_equal(d1, d2);
    free(d1);
    free(d2);
    tarn_delta_snapshot_destroy(snap);
    for (int v = 11; v <= 12; v++) {
        tarn_batch *b = dw_batch_ids(s, v * 10, 10, tags, 3);
        o.mode = TARN_DELTA_APPEND;
        o.app_id = NULL;
        assert_int_equal(dw_write_batch(t, s, b, &o, &r, &err), TARN_OK);
        tarn_batch_destroy(b);
    }
    /* a crashed checkpoint attempt leaves a hidden temp file: harmless */
    snprintf(p, sizeof p, "%s/_delta_log/.00000000000000000012.checkpoint.parquet.tmp-dead", t);
    tt_write_file(p, "PAR1 partial");
    snap = dw_load(t, -1);
    assert_int_equal(snap->version, 12);
    assert_int_equal(snap->checkpoint_version, 10);
    d1 = snapshot_digest(snap);
    d2 = json_only_digest(t, 12);
    assert_string_equal(d1, d2);
    free(d1);
    free(d2);
    int64_t rows;
    tarn_free(dw_rows_snap(snap, &rows));
    assert_int_equal(rows, 90); /* v4 overwrote: 10 + 6x10 + 2x10 */
    tarn_delta_snapshot_destroy(snap);

    /* delta.checkpointInterval = 3; a rewrite of an existing checkpoint is
     * refused quietly (create-exclusive) and _last_checkpoint never goes back. */
    const char *t2 = table("cp3");
    tarn_delta_kv cfg[] = {{"delta.checkpointInterval", "3"}};
    tarn_delta_write_opts_init(&o);
    o.config = cfg;
    o.n_config = 1;
    for (int v = 0; v <= 6; v++) {
        tarn_batch *b = dw_batch_ids(s, v, 1, NULL, 0);
        assert_int_equal(dw_write_batch(t2, s, b, v == 0 ? &o : NULL, &r, &err), TARN_OK);
        assert_int_equal(r.checkpoint_written, v == 3 || v == 6);
        tarn_batch_destroy(b);
    }
    tarn_delta_checkpoint_info info;
    assert_int_equal(tarn_delta_checkpoint_write(t2, 3, &info, &err), TARN_OK);
    assert_true(info.already_existed);
    snprintf(p, sizeof p, "%s/_delta_log/_last_checkpoint", t2);
    lc = tt_read_file(p, NULL);
    assert_non_null(strstr(lc, "{\"version\":6,"));
    free(lc);
    snap = dw_load(t2, 5);
    assert_int_equal(snap->checkpoint_version, 3);
    tarn_delta_snapshot_destroy(snap);
    tarn_schema_destroy(s);
}

static void test_history(void **state)
{
    (void)state;
    const char *t = table("hist");
    dw_append_ids(t, 0, 3);
    dw_append_ids(t, 3, 3);
    tarn_delta_transaction *tx = begin(t, true, NULL);
    remove_first(tx);
    tarn_delta_commit_result r;
    tarn_err err;
    assert_int_equal(tarn_delta_transaction_commit(tx, &r, &err), TARN_OK);
    tarn_delta_transaction_destroy(tx);
    /* a commit without commitInfo (another engine) */
    char p[700];
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000003.json", t);
    tt_write_file(p, "{\"txn\":{\"appId\":\"x\",\"version\":1}}\n");
    tarn_delta_history h;
    assert_int_equal(tarn_delta_history_load(t, 0, &h, &err), TARN_OK);
    assert_int_equal(h.n_entries, 4);
    assert_int_equal(h.entries[0].version, 3);
    assert_false(h.entries[0].has_commit_info);
    assert_null(h.entries[0].operation);
    assert_true(h.entries[0].timestamp_ms > 0);
    assert_int_equal(h.entries[1].version, 2);
    assert_string_equal(h.entries[1].operation, "DELETE");
    assert_int_equal(h.entries[2].version, 1);
    assert_string_equal(h.entries[2].operation, "WRITE");
    assert_string_equal(h.entries[2].operation_parameters,
                        "{\"mode\":\"Append\",\"partitionBy\":\"[]\"}");
    assert_non_null(strstr(h.entries[2].operation_metrics, "\"numOutputRows\":\"3\""));
    assert_non_null(strstr(h.entries[2].engine_info, "tarn/"));
    assert_non_null(strstr(h.entries[2].commit_info, "\"isBlindAppend\":true"));
    assert_int_equal(h.entries[3].version, 0);
    assert_string_equal(h.entries[3].operation, "CREATE TABLE");
    assert_true(h.entries[3].timestamp_ms <= h.entries[2].timestamp_ms);
    tarn_delta_history_fini(&h);
    /* limit */
    assert_int_equal(tarn_delta_history_load(t, 2, &h, &err), TARN_OK);
    assert_int_equal(h.n_entries, 2);
    assert_int_equal(h.entries[1].version, 2);
    tarn_delta_history_fini(&h);
    /* cleaned-up JSON commits are simply not listed */
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000000.json", t);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(tarn_delta_history_load(t, 0, &h, &err), TARN_OK);
    assert_int_equal(h.n_entries, 3);
    assert_int_equal(h.entries[2].version, 1);
    tarn_delta_history_fini(&h);
    /* malformed commitInfo line: error with the file */
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000004.json", t);
    tt_write_file(p, "{\"add\":{}}\n{\"commitInfo\":{\"timestamp\":\"x\"}\n");
    assert_int_equal(tarn_delta_history_load(t, 0, &h, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.path, "00000000000000000004.json"));
    tarn_delta_history_fini(&h);
    assert_int_equal(tarn_delta_history_load(table("nope"), 0, &h, &err), TARN_ERR_NOT_FOUND);
    tarn_delta_history_fini(&h);
}

/* Fails each allocation of an append (snapshot load, data file, stats,
 * commit) in turn: the write either succeeds or fails cleanly, and the
 * table shows all of the rows or none of them. */
static void test_oom_append(void **state)
{
    (void)state;
    const char *t = table("oom");
    dw_append_ids(t, 0, 5);
    tarn_schema *s = dw_schema("id int64, c string");
    static const char *const tags[] = {"a", "b", NULL};
    tarn_batch *b = dw_batch_ids(s, 100, 7, tags, 3);
    int64_t rows = 5;
    int failures = 0;
    for (int64_t n = 1;; n++) {
        tarn_delta_write_result r;
        tarn_err err;
        int64_t before = tarn_alloc_count();
        tarn_alloc_fail_at(n);
        tarn_status st = dw_write_batch(t, s, b, NULL, &r, &err);
        tarn_alloc_fail_at(0);
        bool reached = tarn_alloc_count() - before >= n;
        if (st == TARN_OK)
            rows += 7;
        else
            failures++;
        assert_int_equal(dw_count(t, -1), rows);
        if (!reached) {
            fprintf(stderr, "oom: a write makes %lld allocations\n",
                    (long long)(tarn_alloc_count() - before));
            break;
        }
    }
    fprintf(stderr, "oom: %d injected failures handled (%lld rows)\n", failures, (long long)rows);
    assert_true(failures > 10);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* The same for statistics: collector and parser. */
static void test_oom_stats(void **state)
{
    (void)state;
    tarn_schema *s = dw_schema("id int64, c string, d decimal(30,2), t timestamp");
    tarn_batch *b = tarn_batch_create(s);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tarn_vec_append_i64(b->cols[0], i), TARN_OK);
        assert_int_equal(tarn_vec_append_bytes(b->cols[1], "abc", 3), TARN_OK);
        assert_int_equal(tarn_vec_append_decimal(b->cols[2], i * 1000), TARN_OK);
        assert_int_equal(tarn_vec_append_i64(b->cols[3], i * 1000000), TARN_OK);
    }
    b->n_rows = 3;
    for (int64_t n = 1;; n++) {
        int64_t before = tarn_alloc_count();
        tarn_alloc_fail_at(n);
        tarn_err err;
        tarn_delta_stats_collector *c = tarn_delta_stats_collector_create(s, NULL);
        tarn_status st = c ? tarn_delta_stats_collector_update(c, b, &err) : TARN_ERR_NOMEM;
        tarn_buf out = TARN_BUF_INIT;
        if (st == TARN_OK)
            st = tarn_delta_stats_collector_json(c, NULL, 3, &out, &err);
        tarn_arena *a = tarn_arena_create(0);
        tarn_delta_file_stats fs;
        if (st == TARN_OK)
            st = a ? tarn_delta_stats_parse(out.data, out.len, s, a, &fs, &err) : TARN_ERR_NOMEM;
        tarn_alloc_fail_at(0);
        bool reached = tarn_alloc_count() - before >= n;
        assert_true(st == TARN_OK || st == TARN_ERR_NOMEM);
        tarn_arena_destroy(a);
        tarn_buf_fini(&out);
        tarn_delta_stats_collector_destroy(c);
        if (!reached) {
            assert_int_equal(st, TARN_OK);
            break;
        }
    }
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_write_round_trip),
        cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_race_append_append),
        cmocka_unit_test(test_race_delete_append),
        cmocka_unit_test(test_race_metadata),
        cmocka_unit_test(test_race_app_id),
        cmocka_unit_test(test_race_create),
        cmocka_unit_test(test_orphans),
        cmocka_unit_test(test_in_commit_timestamps),
        cmocka_unit_test(test_many_app_ids),
        cmocka_unit_test(test_add_columns),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_checkpoints),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_oom_stats),
        cmocka_unit_test(test_oom_append),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
