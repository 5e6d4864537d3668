/*
 * tests/delta/test_snapshot.c - log replay on hand-written logs in a temp
 * directory: add/remove/re-add, DV identity, txn, gaps, missing versions,
 * checkpoint selection (JSON V2 checkpoints need no Parquet), corrupted
 * _last_checkpoint, ignored files, protocol refusal, column mapping, and
 * time travel by version and by timestamp (file mtimes and in-commit
 * timestamps).
 */
#include "tarn_test.h"

#include "delta/snapshot.h"

#include <sys/time.h>

#define PROTO "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
#define SCHEMA_P                                                                                   \
    "{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":"          \
    "\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}},{\\\"name\\\":\\\"p\\\","             \
    "\\\"type\\\":"                                                                                \
    "\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}"
#define META                                                                                       \
    "{\"metaData\":{\"id\":\"t1\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"           \
    "\"schemaString\":\"" SCHEMA_P "\",\"partitionColumns\":[\"p\"],\"configuration\":{}}}\n"

static char ROOT[256];

/* Appends text to buf (strcat is banned in the tree). */
static void cat(char *buf, size_t cap, const char *text)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s", text);
}

static void add_line(char *buf, size_t cap, const char *path)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n,
             "{\"add\":{\"path\":\"%s\",\"partitionValues\":{\"p\":\"x\"},\"size\":1,"
             "\"modificationTime\":1,\"dataChange\":true}}\n",
             path);
}

static void rm_line(char *buf, size_t cap, const char *path)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n,
             "{\"remove\":{\"path\":\"%s\",\"deletionTimestamp\":5,\"dataChange\":true}}\n", path);
}

static void commit(int64_t v, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/_delta_log/%020lld.json", ROOT, (long long)v);
    tt_write_file(path, text);
}

static void log_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/_delta_log/%s", ROOT, name);
    tt_write_file(path, text);
}

static void rm_log_file(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/_delta_log/%s", ROOT, name);
    assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("snap", ROOT, sizeof ROOT);
    char p[512];
    snprintf(p, sizeof p, "%s/_delta_log", ROOT);
    return mkdir(p, 0755);
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(ROOT);
    return 0;
}

static tarn_delta_snapshot *load_at(int64_t version)
{
    tarn_delta_snapshot *s = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    tarn_delta_at at = {TARN_DELTA_AT_VERSION, version, 0};
    if (tarn_delta_snapshot_load(ROOT, version < 0 ? NULL : &at, &s, &err) != TARN_OK)
        fail_msg("load v%lld: %s (%s:%lld)", (long long)version, err.msg, err.path,
                 (long long)err.line);
    return s;
}

static tarn_status load_fail(const tarn_delta_at *at, tarn_err *err)
{
    tarn_delta_snapshot *s = NULL;
    tarn_err_clear(err);
    tarn_status st = tarn_delta_snapshot_load(ROOT, at, &s, err);
    assert_null(s);
    return st;
}

static bool has_file(const tarn_delta_snapshot *s, const char *path)
{
    return tarn_delta_snapshot_find_file(s, path) >= 0;
}

static void test_replay(void **state)
{
    (void)state;
    char b[4096] = PROTO META;
    add_line(b, sizeof b, "p=x/a.parquet");
    add_line(b, sizeof b, "p=x/b%20c.parquet");
    cat(b, sizeof b, "{\"txn\":{\"appId\":\"app1\",\"version\":1}}\n");
    commit(0, b);
    b[0] = '\0';
    rm_line(b, sizeof b, "p=x/a.parquet");
    add_line(b, sizeof b, "p=x/c.parquet");
    cat(b, sizeof b,
        "{\"txn\":{\"appId\":\"app1\",\"version\":5}}\n"
        "{\"txn\":{\"appId\":\"app2\",\"version\":2}}\n");
    commit(1, b);
    /* re-add after remove; remove with the other spelling of the same path */
    b[0] = '\0';
    add_line(b, sizeof b, "p=x/a.parquet");
    rm_line(b, sizeof b, "p=x/b c.parquet");
    cat(b, sizeof b,
        "{\"txn\":{\"appId\":\"app1\",\"version\":3}}\n"
        "{\"commitInfo\":{\"timestamp\":5,\"operation\":\"WRITE\"}}\n");
    commit(2, b);

    tarn_delta_snapshot *s = load_at(-1);
    assert_int_equal(s->version, 2);
    assert_int_equal(s->checkpoint_version, -1);
    assert_int_equal(s->n_files, 2);
    assert_true(has_file(s, "p=x/a.parquet"));
    assert_true(has_file(s, "p=x/c.parquet"));
    assert_int_equal(s->n_tombstones, 1);
    assert_string_equal(s->tombstones[0].path, "p=x/b c.parquet");
    assert_int_equal(s->n_txns, 2);
    assert_int_equal(tarn_delta_snapshot_txn(s, "app1"), 3);
    assert_int_equal(tarn_delta_snapshot_txn(s, "app2"), 2);
    assert_int_equal(tarn_delta_snapshot_txn(s, "nope"), -1);
    assert_true(s->commit_info.present);
    assert_string_equal(s->commit_info.operation, "WRITE");
    assert_int_equal(s->schema->n_fields, 2);
    assert_int_equal(s->n_partition_columns, 1);
    assert_int_equal(s->partition_column_index[0], 1);
    assert_int_equal(s->column_mapping, TARN_DELTA_CM_NONE);
    assert_int_equal(s->min_version, 0);
    tarn_delta_snapshot_destroy(s);

    s = load_at(1);
    assert_int_equal(s->version, 1);
    assert_int_equal(s->n_files, 2);
    assert_true(has_file(s, "p=x/b%20c.parquet"));
    assert_true(has_file(s, "p=x/c.parquet"));
    assert_int_equal(s->n_tombstones, 1);
    assert_int_equal(tarn_delta_snapshot_txn(s, "app1"), 5);
    assert_false(s->commit_info.present);
    tarn_delta_snapshot_destroy(s);

    s = load_at(0);
    assert_int_equal(s->n_files, 2);
    assert_int_equal(s->n_tombstones, 0);
    assert_int_equal(tarn_delta_snapshot_txn(s, "app1"), 1);
    assert_int_equal(tarn_delta_snapshot_txn(s, "app2"), -1);
    tarn_delta_snapshot_destroy(s);

    /* versions that do not exist */
    tarn_err err;
    tarn_delta_at at = {TARN_DELTA_AT_VERSION, 7, 0};
    assert_int_equal(load_fail(&at, &err), TARN_ERR_NOT_FOUND);
    assert_string_equal(err.msg, "version 7 does not exist (table has versions 0..2)");
    at.version = -1;
    assert_int_equal(load_fail(&at, &err), TARN_ERR_NOT_FOUND);

    /* a remove spelled as an absolute file: URI matches the relative add */
    char uri[600];
    snprintf(uri, sizeof uri, "file://%s/p=x/c.parquet", ROOT);
    b[0] = '\0';
    rm_line(b, sizeof b, uri);
    commit(3, b);
    s = load_at(-1);
    assert_int_equal(s->n_files, 1);
    assert_true(has_file(s, "p=x/a.parquet"));
    tarn_delta_snapshot_destroy(s);
}

static void test_dv_identity(void **state)
{
    (void)state;
    const char *dv1 = "\"deletionVector\":{\"storageType\":\"i\",\"pathOrInlineDv\":\"abcde\","
                      "\"sizeInBytes\":4,\"cardinality\":1}";
    const char *dv2 = "\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":"
                      "\"ab00000000000000000000\",\"offset\":1,\"sizeInBytes\":4,"
                      "\"cardinality\":2}";
    char b[4096];
    snprintf(b, sizeof b,
             PROTO META "{\"add\":{\"path\":\"f.parquet\",\"partitionValues\":{},\"size\":1,"
                        "\"modificationTime\":1,\"dataChange\":true,\"stats\":\"old\"}}\n");
    commit(0, b);
    /* the same (path, no DV) again: a metadata update, still one file */
    snprintf(b, sizeof b,
             "{\"add\":{\"path\":\"f.parquet\",\"partitionValues\":{},\"size\":1,"
             "\"modificationTime\":1,\"dataChange\":false,\"stats\":\"new\"}}\n");
    commit(1, b);
    snprintf(b, sizeof b,
             "{\"remove\":{\"path\":\"f.parquet\",\"dataChange\":true}}\n"
             "{\"add\":{\"path\":\"f.parquet\",\"partitionValues\":{},\"size\":1,"
             "\"modificationTime\":1,\"dataChange\":true,%s}}\n",
             dv1);
    commit(2, b);
    snprintf(b, sizeof b,
             "{\"remove\":{\"path\":\"f.parquet\",\"dataChange\":true,%s}}\n"
             "{\"add\":{\"path\":\"f.parquet\",\"partitionValues\":{},\"size\":1,"
             "\"modificationTime\":1,\"dataChange\":true,%s}}\n",
             dv1, dv2);
    commit(3, b);
    tarn_delta_snapshot *s = load_at(1);
    assert_int_equal(s->n_files, 1);
    assert_string_equal(s->files[0].stats, "new");
    tarn_delta_snapshot_destroy(s);
    s = load_at(2);
    assert_int_equal(s->n_files, 1);
    assert_true(s->files[0].has_dv);
    assert_int_equal(s->files[0].dv.storage_type, 'i');
    assert_int_equal(s->n_tombstones, 1);
    assert_false(s->tombstones[0].has_dv);
    tarn_delta_snapshot_destroy(s);
    s = load_at(3);
    assert_int_equal(s->n_files, 1);
    assert_int_equal(s->files[0].dv.storage_type, 'u');
    assert_int_equal(s->files[0].dv.cardinality, 2);
    assert_int_equal(s->n_tombstones, 2); /* (f, NULL) and (f, dv1) */
    tarn_delta_snapshot_destroy(s);
}

static void test_gaps_and_errors(void **state)
{
    (void)state;
    char b[4096] = PROTO META;
    add_line(b, sizeof b, "a.parquet");
    commit(0, b);
    commit(1, "{\"commitInfo\":{}}\n");
    commit(3, "{\"commitInfo\":{}}\n");
    tarn_err err;
    assert_int_equal(load_fail(NULL, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "commit version 2 is missing"));
    tarn_delta_snapshot *s = load_at(1);
    assert_int_equal(s->n_files, 1);
    tarn_delta_snapshot_destroy(s);
    tarn_delta_at at = {TARN_DELTA_AT_VERSION, 3, 0};
    assert_int_equal(load_fail(&at, &err), TARN_ERR_CORRUPT);
    commit(2, "{\"commitInfo\":{}}\n");
    s = load_at(-1);
    assert_int_equal(s->version, 3);
    tarn_delta_snapshot_destroy(s);

    /* a malformed commit names its file and line */
    commit(4, "{\"commitInfo\":{}}\n{\"add\":{\"path\":\n");
    assert_int_equal(load_fail(NULL, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.path, "00000000000000000004.json"));
    assert_int_equal(err.line, 2);
    rm_log_file("00000000000000000004.json");

    /* no metaData */
    char other[512];
    tt_tmpdir("snap-nometa", other, sizeof other);
    char p[600];
    snprintf(p, sizeof p, "%s/_delta_log", other);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000000.json", other);
    tt_write_file(p, PROTO);
    s = NULL;
    assert_int_equal(tarn_delta_snapshot_load(other, NULL, &s, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "no metaData"));
    /* empty log, then not a table at all */
    assert_int_equal(unlink(p), 0);
    assert_int_equal(tarn_delta_snapshot_load(other, NULL, &s, &err), TARN_ERR_NOT_FOUND);
    assert_false(tarn_delta_is_table("/definitely/not/here"));
    assert_true(tarn_delta_is_table(other));
    tt_rmrf(other);
    assert_int_equal(tarn_delta_snapshot_load(other, NULL, &s, &err), TARN_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, other));
    assert_non_null(strstr(err.msg, "is not a Delta table"));
}

static void test_ignored_files(void **state)
{
    (void)state;
    char b[4096] = PROTO META;
    add_line(b, sizeof b, "a.parquet");
    commit(0, b);
    log_file("00000000000000000000.crc", "{}");
    log_file(".00000000000000000001.json.crc", "junk");
    log_file(".00000000000000000001.json.tmp", "junk");
    log_file("00000000000000000001.json.tmp", "junk");
    log_file("00000000000000000001.json.0b5a.tmp", "junk");
    log_file("0000000000000000001.json", "junk"); /* 19 digits */
    log_file("00000000000000000000.00000000000000000003.compacted.json", "junk");
    log_file("_last_checkpoint", "{not json at all");
    log_file("00000000000000000007.checkpoint.0000000001.0000000002.parquet", "junk");
    char d[512];
    snprintf(d, sizeof d, "%s/_delta_log/_staged_commits", ROOT);
    assert_int_equal(mkdir(d, 0755), 0);
    tarn_delta_snapshot *s = load_at(-1);
    assert_int_equal(s->version, 0);
    assert_int_equal(s->n_files, 1);
    assert_int_equal(s->checkpoint_version, -1);
    tarn_delta_snapshot_destroy(s);
}

/* A UUID-named V2 checkpoint in JSON form holds the replayed state. */
static void write_json_checkpoint(int64_t v, const char *uuid, const char *extra_file)
{
    char b[4096];
    snprintf(b, sizeof b, "{\"checkpointMetadata\":{\"version\":%lld}}\n" PROTO META, (long long)v);
    add_line(b, sizeof b, extra_file);
    cat(b, sizeof b, "{\"txn\":{\"appId\":\"ck\",\"version\":9}}\n");
    rm_line(b, sizeof b, "gone.parquet");
    char name[128];
    snprintf(name, sizeof name, "%020lld.checkpoint.%s.json", (long long)v, uuid);
    log_file(name, b);
}

static void test_checkpoints(void **state)
{
    (void)state;
    char b[4096] = PROTO META;
    add_line(b, sizeof b, "a.parquet");
    commit(0, b);
    for (int v = 1; v <= 3; v++) {
        char f[32];
        snprintf(f, sizeof f, "v%d.parquet", v);
        b[0] = '\0';
        add_line(b, sizeof b, f);
        commit(v, b);
    }
    /* The checkpoint content differs from the replay on purpose, so its use shows. */
    write_json_checkpoint(2, "3f7a3c1e-0000-4000-8000-000000000002", "only-in-ckpt.parquet");
    log_file("_last_checkpoint", "");
    tarn_delta_snapshot *s = load_at(-1);
    assert_int_equal(s->checkpoint_version, 2);
    assert_true(has_file(s, "only-in-ckpt.parquet"));
    assert_true(has_file(s, "v3.parquet"));
    assert_false(has_file(s, "v1.parquet"));
    assert_int_equal(s->n_tombstones, 1); /* checkpoint removes are tombstones only */
    assert_int_equal(tarn_delta_snapshot_txn(s, "ck"), 9);
    tarn_delta_snapshot_destroy(s);
    s = load_at(2);
    assert_int_equal(s->checkpoint_version, 2);
    assert_int_equal(s->n_files, 1);
    tarn_delta_snapshot_destroy(s);
    /* time travel below the checkpoint must not use it */
    s = load_at(1);
    assert_int_equal(s->checkpoint_version, -1);
    assert_false(has_file(s, "only-in-ckpt.parquet"));
    assert_int_equal(s->n_files, 2);
    tarn_delta_snapshot_destroy(s);

    /* an incomplete multi-part checkpoint at 3 is ignored */
    log_file("00000000000000000003.checkpoint.0000000001.0000000002.parquet", "junk");
    s = load_at(3);
    assert_int_equal(s->checkpoint_version, 2);
    tarn_delta_snapshot_destroy(s);
    /* an unreadable newer checkpoint falls back to the older one */
    log_file("00000000000000000003.checkpoint.parquet", "not parquet");
    s = load_at(3);
    assert_int_equal(s->checkpoint_version, 2);
    assert_true(has_file(s, "only-in-ckpt.parquet"));
    tarn_delta_snapshot_destroy(s);
    rm_log_file("00000000000000000003.checkpoint.parquet");

    /* metadata cleanup: commits before the checkpoint are gone */
    rm_log_file("00000000000000000000.json");
    rm_log_file("00000000000000000001.json");
    s = load_at(-1);
    assert_int_equal(s->version, 3);
    assert_int_equal(s->min_version, 2);
    tarn_delta_snapshot_destroy(s);
    tarn_err err;
    tarn_delta_at at = {TARN_DELTA_AT_VERSION, 1, 0};
    assert_int_equal(load_fail(&at, &err), TARN_ERR_NOT_FOUND);
    assert_string_equal(err.msg, "version 1 does not exist (table has versions 2..3)");
    /* and a gap after the checkpoint is still refused */
    rm_log_file("00000000000000000003.json");
    commit(4, "{\"commitInfo\":{}}\n");
    assert_int_equal(load_fail(NULL, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "version 3 is missing"));
}

static void test_protocol(void **state)
{
    (void)state;
    char b[4096];
    snprintf(b, sizeof b,
             "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":"
             "[\"deletionVectors\",\"timestampNtz\",\"v2Checkpoint\",\"vacuumProtocolCheck\","
             "\"columnMapping\"],\"writerFeatures\":[\"someFutureWriterThing\",\"appendOnly\"]}}"
             "\n" META);
    commit(0, b);
    tarn_delta_snapshot *s = load_at(-1);
    assert_true(tarn_delta_protocol_has_reader_feature(&s->protocol, "timestampNtz"));
    assert_true(tarn_delta_protocol_has_writer_feature(&s->protocol, "appendOnly"));
    assert_false(tarn_delta_protocol_has_writer_feature(&s->protocol, "x"));
    tarn_delta_snapshot_destroy(s);
    commit(1, "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":"
              "[\"timestampNtz\",\"typeWidening-preview\"],\"writerFeatures\":[]}}\n");
    tarn_err err;
    assert_int_equal(load_fail(NULL, &err), TARN_ERR_UNSUPPORTED);
    assert_string_equal(err.msg, "table requires reader feature 'typeWidening-preview', which "
                                 "tarn does not support");
    commit(2, "{\"protocol\":{\"minReaderVersion\":4,\"minWriterVersion\":7}}\n");
    assert_int_equal(load_fail(NULL, &err), TARN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "reader version 4"));
    /* earlier versions stay readable */
    s = load_at(0);
    tarn_delta_snapshot_destroy(s);
}

static void test_column_mapping(void **state)
{
    (void)state;
    const char *schema =
        "{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":"
        "\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{\\\"delta.columnMapping.id\\\":1,"
        "\\\"delta.columnMapping.physicalName\\\":\\\"col-1\\\"}}]}";
    char b[4096];
    snprintf(b, sizeof b,
             "{\"protocol\":{\"minReaderVersion\":2,\"minWriterVersion\":5}}\n"
             "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\"},\"schemaString\":"
             "\"%s\",\"partitionColumns\":[],\"configuration\":{\"delta.columnMapping.mode\":"
             "\"name\"}}}\n",
             schema);
    commit(0, b);
    tarn_delta_snapshot *s = load_at(-1);
    assert_int_equal(s->column_mapping, TARN_DELTA_CM_NAME);
    assert_string_equal(s->schema->fields[0].physical_name, "col-1");
    assert_string_equal(tarn_delta_snapshot_config(s, "delta.columnMapping.mode"), "name");
    tarn_delta_snapshot_destroy(s);
    /* reader version 1 ignores the property: names are used as they are */
    snprintf(b, sizeof b,
             "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
             "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\"},\"schemaString\":"
             "\"%s\",\"partitionColumns\":[],\"configuration\":{\"delta.columnMapping.mode\":"
             "\"id\"}}}\n",
             schema);
    commit(1, b);
    s = load_at(-1);
    assert_int_equal(s->column_mapping, TARN_DELTA_CM_NONE);
    assert_null(s->schema->fields[0].physical_name);
    tarn_delta_snapshot_destroy(s);
}

static void set_mtime(int64_t v, int64_t ms)
{
    char path[512];
    snprintf(path, sizeof path, "%s/_delta_log/%020lld.json", ROOT, (long long)v);
    struct timeval tv[2];
    tv[0].tv_sec = tv[1].tv_sec = (time_t)(ms / 1000);
    tv[0].tv_usec = tv[1].tv_usec = (suseconds_t)(ms % 1000) * 1000;
    assert_int_equal(utimes(path, tv), 0);
}

static int64_t version_at_ts(int64_t ts, tarn_status *st, int64_t *out_ts)
{
    tarn_delta_snapshot *s = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    tarn_delta_at at = {TARN_DELTA_AT_TIMESTAMP, 0, ts};
    *st = tarn_delta_snapshot_load(ROOT, &at, &s, &err);
    if (*st != TARN_OK)
        return -1;
    int64_t v = s->version;
    if (out_ts)
        *out_ts = s->timestamp_ms;
    tarn_delta_snapshot_destroy(s);
    return v;
}

static void test_time_travel_mtime(void **state)
{
    (void)state;
    char b[4096] = PROTO META;
    commit(0, b);
    for (int v = 1; v <= 3; v++)
        commit(v, "{\"commitInfo\":{}}\n");
    const int64_t T = 1600000000000LL;
    for (int v = 0; v <= 3; v++)
        set_mtime(v, T + v * 10000);
    tarn_status st;
    int64_t ts = 0;
    assert_int_equal(version_at_ts(T, &st, &ts), 0);
    assert_int_equal(ts, T);
    assert_int_equal(version_at_ts(T + 15000, &st, &ts), 1);
    assert_int_equal(ts, T + 10000);
    assert_int_equal(version_at_ts(T + 30000, &st, NULL), 3);
    assert_int_equal(version_at_ts(T + 999999999, &st, NULL), 3);
    assert_int_equal(version_at_ts(T - 1, &st, NULL), -1);
    assert_int_equal(st, TARN_ERR_NOT_FOUND);
    tarn_delta_snapshot *s = NULL;
    tarn_err err;
    tarn_delta_at at = {TARN_DELTA_AT_TIMESTAMP, 0, T - 1};
    assert_int_equal(tarn_delta_snapshot_load(ROOT, &at, &s, &err), TARN_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "before the first commit"));
    /* the loaded snapshot's timestamp is the commit's */
    s = load_at(2);
    assert_int_equal(s->timestamp_ms, T + 20000);
    tarn_delta_snapshot_destroy(s);
    /* a commit file older than its predecessor counts as predecessor + 1 ms */
    set_mtime(2, T + 5000);
    assert_int_equal(version_at_ts(T + 10000, &st, NULL), 1);
    assert_int_equal(version_at_ts(T + 10001, &st, &ts), 2);
    assert_int_equal(ts, T + 10001);
}

static void test_time_travel_ict(void **state)
{
    (void)state;
    const int64_t T = 1700000000000LL;
    char b[4096];
    snprintf(b, sizeof b,
             "{\"commitInfo\":{\"timestamp\":1,\"inCommitTimestamp\":%lld}}\n"
             "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,\"writerFeatures\":"
             "[\"inCommitTimestamp\"]}}\n"
             "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\"},\"schemaString\":"
             "\"" SCHEMA_P "\",\"partitionColumns\":[],\"configuration\":"
             "{\"delta.enableInCommitTimestamps\":\"true\"}}}\n",
             (long long)T);
    commit(0, b);
    for (int v = 1; v <= 4; v++) {
        snprintf(b, sizeof b, "{\"commitInfo\":{\"inCommitTimestamp\":%lld}}\n",
                 (long long)(T + v * 1000));
        commit(v, b);
        set_mtime(v, T - 100000000); /* file times must not matter */
    }
    tarn_status st;
    int64_t ts;
    assert_int_equal(version_at_ts(T + 2500, &st, &ts), 2);
    assert_int_equal(ts, T + 2000);
    assert_int_equal(version_at_ts(T + 4000, &st, NULL), 4);
    assert_int_equal(version_at_ts(T, &st, NULL), 0);
    assert_int_equal(version_at_ts(T - 1, &st, NULL), -1);
    assert_int_equal(st, TARN_ERR_NOT_FOUND);
    tarn_delta_snapshot *s = load_at(3);
    assert_int_equal(s->timestamp_ms, T + 3000);
    tarn_delta_snapshot_destroy(s);
}

/* Every allocation of a load fails in turn: an error, never a crash or a
 * leak (the sanitizer build checks the latter). */
static void test_oom(void **state)
{
    (void)state;
    char b[4096] = PROTO META;
    add_line(b, sizeof b, "a.parquet");
    cat(b, sizeof b, "{\"txn\":{\"appId\":\"x\",\"version\":1}}\n");
    commit(0, b);
    b[0] = '\0';
    rm_line(b, sizeof b, "a.parquet");
    add_line(b, sizeof b, "b.parquet");
    commit(1, b);
    bool done = false;
    for (int64_t n = 1; n < 5000 && !done; n++) {
        tarn_delta_snapshot *s = NULL;
        tarn_err err;
        tarn_alloc_fail_at(n);
        tarn_status st = tarn_delta_snapshot_load(ROOT, NULL, &s, &err);
        tarn_alloc_fail_at(0);
        if (st == TARN_OK) {
            assert_int_equal(s->n_files, 1);
            tarn_delta_snapshot_destroy(s);
            done = true;
        } else {
            assert_null(s);
        }
    }
    assert_true(done);
}

/* Each test gets a fresh table directory. */
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_replay),          T(test_dv_identity),
        T(test_gaps_and_errors), T(test_ignored_files),
        T(test_checkpoints),     T(test_protocol),
        T(test_column_mapping),  T(test_time_travel_mtime),
        T(test_time_travel_ict), T(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
