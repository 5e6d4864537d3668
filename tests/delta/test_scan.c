/*
 * tests/delta/test_scan.c - the Delta scan on tables written here with the
 * Parquet writer: casts from narrower file types, struct members reordered
 * or missing, columns missing from a file, partition values at their schema
 * position, inline deletion vectors, hidden _file/_row_index columns,
 * projection, file filters, column mapping by name and by id, and the
 * errors for overflowing or incompatible file types.
 */
#include "tarn_test.h"

#include "column/render.h"
#include "delta/scan.h"
#include "parquet/reader.h"
#include "parquet/writer.h"

static char ROOT[256];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("scan", ROOT, sizeof ROOT);
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

/* Building the data file ---------------------------------------------------------- */

static void set_children(tarn_schema *s, tarn_field *f, int n, const char *const *names,
                         const tarn_type *types, const int32_t *ids)
{
    f->children = tarn_arena_calloc(s->arena, (size_t)n, sizeof(tarn_field));
    assert_non_null(f->children);
    f->n_children = n;
    for (int i = 0; i < n; i++) {
        f->children[i].name = tarn_arena_strdup(s->arena, names[i]);
        f->children[i].type = types[i];
        f->children[i].nullable = true;
        f->children[i].field_id = ids ? ids[i] : -1;
    }
}

static void row_done(tarn_vec *v, bool valid)
{
    if (!valid) {
        assert_int_equal(tarn_vec_append_null(v), TARN_OK);
        return;
    }
    assert_int_equal(tarn_vec_reserve(v, 1), TARN_OK);
    if (v->offsets)
        v->offsets[v->len + 1] = (int32_t)v->children[0]->len;
    if (v->validity)
        tarn_bit_set(v->validity, v->len, true);
    v->len++;
}

static void write_parquet(const char *name, const tarn_schema *s, tarn_batch *b)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ROOT, name);
    tarn_pq_write_opts o;
    tarn_pq_write_opts_init(&o);
    tarn_pq_writer *w;
    tarn_err err;
    b->n_rows = b->cols[0]->len;
    if (tarn_pq_writer_open(path, s, &o, &w, &err) != TARN_OK ||
        tarn_pq_writer_write(w, b, &err) != TARN_OK || tarn_pq_writer_close(w, NULL, &err))
        fail_msg("writing %s: %s", path, err.msg);
}

/* The main file: i int32, b int32, f float, d decimal(5,2), ts timestamp_ntz,
 * s struct<y int32, x string>, l list<int32>, bin binary; three rows, the
 * last all NULL. Column mapping names/ids are applied when given. */
static void write_main_file(const char *name, const char *const *top, const char *const *sub,
                            const int32_t *ids)
{
    tarn_schema *s = tarn_schema_create();
    tarn_type t[8] = {tarn_type_make(TARN_TYPE_INT32),         tarn_type_make(TARN_TYPE_INT32),
                      tarn_type_make(TARN_TYPE_FLOAT32),       tarn_type_decimal(5, 2),
                      tarn_type_make(TARN_TYPE_TIMESTAMP_NTZ), tarn_type_make(TARN_TYPE_STRUCT),
                      tarn_type_make(TARN_TYPE_LIST),          tarn_type_make(TARN_TYPE_BINARY)};
    for (int i = 0; i < 8; i++) {
        tarn_field *f = tarn_schema_add(s, top[i], t[i], true);
        assert_non_null(f);
        f->field_id = ids ? ids[i] : -1;
    }
    tarn_type st[2] = {tarn_type_make(TARN_TYPE_INT32), tarn_type_make(TARN_TYPE_STRING)};
    int32_t sub_ids[2] = {ids ? ids[8] : -1, ids ? ids[9] : -1};
    set_children(s, &s->fields[5], 2, sub, st, sub_ids);
    const char *el[1] = {"element"};
    tarn_type lt[1] = {tarn_type_make(TARN_TYPE_INT32)};
    set_children(s, &s->fields[6], 1, el, lt, NULL);

    tarn_batch *b = tarn_batch_create(s);
    tarn_vec **c = b->cols;
    for (int r = 0; r < 3; r++) {
        if (r == 2) {
            for (int k = 0; k < 8; k++)
                assert_int_equal(tarn_vec_append_null(c[k]), TARN_OK);
            break;
        }
        assert_int_equal(tarn_vec_append_i32(c[0], r + 1), TARN_OK);
        assert_int_equal(tarn_vec_append_i32(c[1], -5 * (r + 1)), TARN_OK);
        float fv = 1.5f * (float)(r + 1);
        assert_int_equal(tarn_vec_append_fixed(c[2], &fv), TARN_OK);
        assert_int_equal(tarn_vec_append_decimal(c[3], 12345 * (r + 1)), TARN_OK);
        assert_int_equal(tarn_vec_append_i64(c[4], 1000000 * (r + 1)), TARN_OK);
        assert_int_equal(tarn_vec_append_i32(c[5]->children[0], 7 + r), TARN_OK);
        assert_int_equal(tarn_vec_append_bytes(c[5]->children[1], r ? "b" : "a", 1), TARN_OK);
        row_done(c[5], true);
        for (int k = 0; k <= r + 1; k++)
            assert_int_equal(tarn_vec_append_i32(c[6]->children[0], k + 1), TARN_OK);
        row_done(c[6], true);
        assert_int_equal(tarn_vec_append_bytes(c[7], "hi", 2), TARN_OK);
    }
    write_parquet(name, s, b);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* z85 of bytes (length a multiple of 4). */
static void z85(const uint8_t *p, size_t n, char *out)
{
    static const char A[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    size_t k = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v =
            (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
        for (int d = 4; d >= 0; d--) {
            out[k + (size_t)d] = A[v % 85];
            v /= 85;
        }
        k += 5;
    }
    out[k] = '\0';
}

/* An inline DV ("i" storage descriptor JSON) deleting rows[0..n) (< 65536). */
static void inline_dv_json_rows(const uint16_t *rows, int n, char *out, size_t cap)
{
    uint8_t b[512];
    size_t len = 0;
    const uint64_t parts[][2] = {{1681511377u, 4},       {1, 8}, {0, 4}, {12346, 4}, {1, 4}, {0, 2},
                                 {(uint64_t)(n - 1), 2}, {0, 4}};
    for (size_t i = 0; i < TARN_ARRAY_LEN(parts); i++)
        for (uint64_t k = 0; k < parts[i][1]; k++)
            b[len++] = (uint8_t)(parts[i][0] >> (8 * k));
    for (int i = 0; i < n; i++) {
        b[len++] = (uint8_t)rows[i];
        b[len++] = (uint8_t)(rows[i] >> 8);
    }
    size_t size = len;
    while (len % 4)
        b[len++] = 0;
    char text[700];
    z85(b, len, text);
    snprintf(out, cap,
             "\"deletionVector\":{\"storageType\":\"i\",\"pathOrInlineDv\":\"%s\","
             "\"sizeInBytes\":%zu,\"cardinality\":%d}",
             text, size, n);
}

static void inline_dv_json(char *out, size_t cap)
{
    const uint16_t one[] = {1};
    inline_dv_json_rows(one, 1, out, cap);
}

/* Schema JSON helpers: a field with optional metadata members. */
#define F(name, type, md)                                                                          \
    "{\"name\":\"" name "\",\"type\":" type ",\"nullable\":true,\"metadata\":{" md "}}"
#define STRUCT(fields) "{\"type\":\"struct\",\"fields\":[" fields "]}"
#define CM(pname, id)                                                                              \
    "\"delta.columnMapping.id\":" #id ",\"delta.columnMapping.physicalName\":\"" pname "\""

static const char *const TABLE_SCHEMA =
    STRUCT(F("i", "\"long\"", "") "," F("p", "\"string\"", "") "," F("b", "\"byte\"", "") "," F(
        "f", "\"double\"",
        "") "," F("d", "\"decimal(12,4)\"",
                  "") "," F("ts", "\"timestamp\"",
                            "") "," F("s",
                                      STRUCT(F("x", "\"string\"", "") "," F(
                                          "y", "\"long\"", "") "," F("z", "\"string\"", "")),
                                      "") "," F("l",
                                                "{\"type\":\"array\",\"elementType\":\"long\","
                                                "\"containsNull\":true}",
                                                "") "," F("bin", "\"string\"",
                                                          "") "," F("gone", "\"long\"", ""));

static const char *const CM_SCHEMA =
    STRUCT(F("i", "\"long\"", CM("col-i", 1)) "," F("p", "\"string\"", CM("col-p", 2)) "," F(
        "s", STRUCT(F("x", "\"string\"", CM("col-x", 4)) "," F("y", "\"long\"", CM("col-y", 5))),
        CM("col-s", 3)));

static void write_log(const char *protocol, const char *schema, const char *config,
                      const char *pv_key, const char *file, const char *dv)
{
    tarn_buf sch = TARN_BUF_INIT;
    assert_int_equal(tarn_buf_append_json_str(&sch, schema, strlen(schema)), TARN_OK);
    char b[8192], path[512];
    snprintf(b, sizeof b,
             "%s\n{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\"},"
             "\"schemaString\":%s,\"partitionColumns\":[\"p\"],\"configuration\":{%s}}}\n"
             "{\"add\":{\"path\":\"%s\",\"partitionValues\":{\"%s\":\"q\"},\"size\":1,"
             "\"modificationTime\":1,\"dataChange\":true%s%s}}\n",
             protocol, sch.data, config, file, pv_key, dv ? "," : "", dv ? dv : "");
    tarn_buf_fini(&sch);
    snprintf(path, sizeof path, "%s/_delta_log/00000000000000000000.json", ROOT);
    tt_write_file(path, b);
}

/* Scanning helpers ------------------------------------------------------------------ */

static tarn_delta_snapshot *load(void)
{
    tarn_delta_snapshot *s;
    tarn_err err;
    if (tarn_delta_snapshot_load(ROOT, NULL, &s, &err) != TARN_OK)
        fail_msg("load: %s", err.msg);
    return s;
}

static char *scan_text(const tarn_delta_snapshot *snap, const tarn_delta_scan_opts *o,
                       tarn_status want, const char *needle)
{
    tarn_delta_scan *sc = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    tarn_buf out = TARN_BUF_INIT;
    tarn_status st = tarn_delta_scan_open(snap, o, &sc, &err);
    while (st == TARN_OK) {
        tarn_batch *b;
        st = tarn_delta_scan_next(sc, &b, &err);
        if (st != TARN_OK || !b)
            break;
        if (b->n_cols == 0)
            assert_int_equal(tarn_buf_printf(&out, "%lld rows\n", (long long)b->n_rows), TARN_OK);
        else
            assert_int_equal(tarn_render_ndjson(&out, b), TARN_OK);
    }
    tarn_delta_scan_close(sc);
    if (st != want)
        fail_msg("scan: %s, expected %s: %s", tarn_status_name(st), tarn_status_name(want),
                 err.msg);
    if (needle && !strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
    if (!out.data)
        assert_int_equal(tarn_buf_append_str(&out, ""), TARN_OK);
    return out.data;
}

static const char *ROW0 = "{\"i\":1,\"p\":\"q\",\"b\":-5,\"f\":1.5,\"d\":\"123.4500\","
                          "\"ts\":\"1970-01-01T00:00:01.000000Z\",\"s\":{\"x\":\"a\",\"y\":7,"
                          "\"z\":null},\"l\":[1,2],\"bin\":\"hi\",\"gone\":null}\n";
static const char *ROW1 = "{\"i\":2,\"p\":\"q\",\"b\":-10,\"f\":3,\"d\":\"246.9000\","
                          "\"ts\":\"1970-01-01T00:00:02.000000Z\",\"s\":{\"x\":\"b\",\"y\":8,"
                          "\"z\":null},\"l\":[1,2,3],\"bin\":\"hi\",\"gone\":null}\n";
static const char *ROW2 = "{\"i\":null,\"p\":\"q\",\"b\":null,\"f\":null,\"d\":null,\"ts\":null,"
                          "\"s\":null,\"l\":null,\"bin\":null,\"gone\":null}\n";

static const char *const PLAIN_TOP[8] = {"i", "b", "f", "d", "ts", "s", "l", "bin"};
static const char *const PLAIN_SUB[2] = {"y", "x"};
#define PROTO1 "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}"

static void test_casts_and_nested(void **state)
{
    (void)state;
    write_main_file("part-0.parquet", PLAIN_TOP, PLAIN_SUB, NULL);
    write_log(PROTO1, TABLE_SCHEMA, "", "p", "part-0.parquet", NULL);
    tarn_delta_snapshot *snap = load();
    char *got = scan_text(snap, NULL, TARN_OK, NULL);
    char want[4096];
    snprintf(want, sizeof want, "%s%s%s", ROW0, ROW1, ROW2);
    assert_string_equal(got, want);
    tarn_free(got);

    /* projection, in the requested order */
    const char *cols[] = {"s", "p", "i"};
    tarn_delta_scan_opts o = {.columns = cols, .n_columns = 3};
    got = scan_text(snap, &o, TARN_OK, NULL);
    assert_string_equal(got, "{\"s\":{\"x\":\"a\",\"y\":7,\"z\":null},\"p\":\"q\",\"i\":1}\n"
                             "{\"s\":{\"x\":\"b\",\"y\":8,\"z\":null},\"p\":\"q\",\"i\":2}\n"
                             "{\"s\":null,\"p\":\"q\",\"i\":null}\n");
    tarn_free(got);
    /* no columns at all: rows are still counted */
    o.n_columns = 0;
    got = scan_text(snap, &o, TARN_OK, NULL);
    assert_string_equal(got, "3 rows\n");
    tarn_free(got);
    const char *bad[] = {"nope"};
    o.columns = bad;
    o.n_columns = 1;
    got = scan_text(snap, &o, TARN_ERR_NOT_FOUND, "column 'nope' does not exist");
    tarn_free(got);
    tarn_delta_snapshot_destroy(snap);
}

static bool keep_none(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add)
{
    (void)snap;
    (void)add;
    ++*(int *)ctx;
    return false;
}

static void test_dv_and_file_info(void **state)
{
    (void)state;
    write_main_file("part-0.parquet", PLAIN_TOP, PLAIN_SUB, NULL);
    char dv[512];
    inline_dv_json(dv, sizeof dv);
    write_log("{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":"
              "[\"deletionVectors\"],\"writerFeatures\":[\"deletionVectors\"]}}",
              TABLE_SCHEMA, "", "p", "part-0.parquet", dv);
    tarn_delta_snapshot *snap = load();
    char *got = scan_text(snap, NULL, TARN_OK, NULL);
    char want[4096];
    snprintf(want, sizeof want, "%s%s", ROW0, ROW2);
    assert_string_equal(got, want);
    tarn_free(got);

    const char *cols[] = {"i"};
    tarn_delta_scan_opts o = {.columns = cols, .n_columns = 1, .with_file_info = true};
    got = scan_text(snap, &o, TARN_OK, NULL);
    assert_string_equal(got, "{\"i\":1,\"_file\":\"part-0.parquet\",\"_row_index\":0}\n"
                             "{\"i\":null,\"_file\":\"part-0.parquet\",\"_row_index\":2}\n");
    tarn_free(got);

    int calls = 0;
    tarn_delta_scan_opts none = {.keep_file = keep_none, .keep_ctx = &calls};
    got = scan_text(snap, &none, TARN_OK, NULL);
    assert_string_equal(got, "");
    assert_int_equal(calls, 1);
    tarn_free(got);
    /* an explicit file list (the same file twice) */
    const tarn_delta_add *list[2] = {&snap->files[0], &snap->files[0]};
    tarn_delta_scan_opts two = {.columns = cols, .n_columns = 1, .files = list, .n_files = 2};
    got = scan_text(snap, &two, TARN_OK, NULL);
    assert_string_equal(got, "{\"i\":1}\n{\"i\":null}\n{\"i\":1}\n{\"i\":null}\n");
    tarn_free(got);
    tarn_delta_snapshot_destroy(snap);
}

static void test_column_mapping(void **state)
{
    (void)state;
    /* name mode: the file uses physical names, the output logical ones */
    const char *top[8] = {"col-i",  "col-b", "col-f", "col-d",
                          "col-ts", "col-s", "col-l", "col-bin"};
    const char *sub[2] = {"col-y", "col-x"};
    write_main_file("part-0.parquet", top, sub, NULL);
    write_log("{\"protocol\":{\"minReaderVersion\":2,\"minWriterVersion\":5}}", CM_SCHEMA,
              "\"delta.columnMapping.mode\":\"name\"", "col-p", "part-0.parquet", NULL);
    tarn_delta_snapshot *snap = load();
    char *got = scan_text(snap, NULL, TARN_OK, NULL);
    assert_string_equal(got, "{\"i\":1,\"p\":\"q\",\"s\":{\"x\":\"a\",\"y\":7}}\n"
                             "{\"i\":2,\"p\":\"q\",\"s\":{\"x\":\"b\",\"y\":8}}\n"
                             "{\"i\":null,\"p\":\"q\",\"s\":null}\n");
    tarn_free(got);
    tarn_delta_snapshot_destroy(snap);

    /* id mode: names in the file are irrelevant, field ids decide */
    const char *anon[8] = {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"};
    const char *anon_sub[2] = {"b1", "b2"};
    const int32_t ids[10] = {1, 20, 21, 22, 23, 3, 24, 25, 5, 4};
    write_main_file("part-1.parquet", anon, anon_sub, ids);
    write_log("{\"protocol\":{\"minReaderVersion\":2,\"minWriterVersion\":5}}", CM_SCHEMA,
              "\"delta.columnMapping.mode\":\"id\"", "col-p", "part-1.parquet", NULL);
    snap = load();
    assert_int_equal(snap->column_mapping, TARN_DELTA_CM_ID);
    got = scan_text(snap, NULL, TARN_OK, NULL);
    assert_string_equal(got, "{\"i\":1,\"p\":\"q\",\"s\":{\"x\":\"a\",\"y\":7}}\n"
                             "{\"i\":2,\"p\":\"q\",\"s\":{\"x\":\"b\",\"y\":8}}\n"
                             "{\"i\":null,\"p\":\"q\",\"s\":null}\n");
    tarn_free(got);
    tarn_delta_snapshot_destroy(snap);
}

static void test_type_errors(void **state)
{
    (void)state;
    write_main_file("part-0.parquet", PLAIN_TOP, PLAIN_SUB, NULL);
    /* "b" holds -5/-10 in the file: fine for byte; "i" as a string is not a cast */
    const char *schema = STRUCT(F("i", "\"string\"", "") "," F("p", "\"string\"", ""));
    write_log(PROTO1, schema, "", "p", "part-0.parquet", NULL);
    tarn_delta_snapshot *snap = load();
    char *got = scan_text(snap, NULL, TARN_ERR_UNSUPPORTED, "column 'i' is string in the table");
    tarn_free(got);
    tarn_delta_snapshot_destroy(snap);

    /* narrowing that overflows: int32 300 into a byte column */
    tarn_schema *s = tarn_schema_create();
    assert_non_null(tarn_schema_add(s, "v", tarn_type_make(TARN_TYPE_INT32), true));
    tarn_batch *b = tarn_batch_create(s);
    assert_int_equal(tarn_vec_append_i32(b->cols[0], 300), TARN_OK);
    write_parquet("part-1.parquet", s, b);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
    schema = STRUCT(F("v", "\"byte\"", "") "," F("p", "\"string\"", ""));
    write_log(PROTO1, schema, "", "p", "part-1.parquet", NULL);
    snap = load();
    got = scan_text(snap, NULL, TARN_ERR_DATA, "does not fit byte");
    tarn_free(got);
    tarn_delta_snapshot_destroy(snap);

    /* a bad partition value and a missing data file */
    write_log(PROTO1, STRUCT(F("p", "\"integer\"", "")), "", "p", "part-1.parquet", NULL);
    snap = load();
    got = scan_text(snap, NULL, TARN_ERR_CORRUPT, "partition column 'p'");
    tarn_free(got);
    tarn_delta_snapshot_destroy(snap);
    write_log(PROTO1, schema, "", "p", "missing.parquet", NULL);
    snap = load();
    got = scan_text(snap, NULL, TARN_ERR_NOT_FOUND, NULL);
    tarn_free(got);
    tarn_delta_snapshot_destroy(snap);
}

/* Deleted rows spread over several row groups: positions must be global. */
static void test_row_groups(void **state)
{
    (void)state;
    tarn_schema *s = tarn_schema_create();
    assert_non_null(tarn_schema_add(s, "v", tarn_type_make(TARN_TYPE_INT64), true));
    tarn_batch *b = tarn_batch_create(s);
    const int N = 20000;
    for (int i = 0; i < N; i++)
        assert_int_equal(tarn_vec_append_i64(b->cols[0], i), TARN_OK);
    b->n_rows = N;
    char path[512];
    snprintf(path, sizeof path, "%s/rg.parquet", ROOT);
    tarn_pq_write_opts o;
    tarn_pq_write_opts_init(&o);
    o.row_group_bytes = 16 * 1024; /* about 2000 rows per group */
    o.page_bytes = 4096;
    tarn_pq_writer *w;
    tarn_err err;
    if (tarn_pq_writer_open(path, s, &o, &w, &err) != TARN_OK)
        fail_msg("%s", err.msg);
    for (int off = 0; off < N; off += 1000) { /* several writes, like a writer would */
        tarn_batch *part = tarn_batch_create(s);
        assert_int_equal(tarn_batch_append_range(part, b, off, 1000), TARN_OK);
        assert_int_equal(tarn_pq_writer_write(w, part, &err), TARN_OK);
        tarn_batch_destroy(part);
    }
    assert_int_equal(tarn_pq_writer_close(w, NULL, &err), TARN_OK);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);

    const uint16_t del[] = {0, 1999, 2000, 2001, 4095, 4096, 8191, 12345, 19999};
    const int n_del = (int)TARN_ARRAY_LEN(del);
    char dv[1024];
    inline_dv_json_rows(del, n_del, dv, sizeof dv);
    write_log("{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":"
              "[\"deletionVectors\"],\"writerFeatures\":[\"deletionVectors\"]}}",
              STRUCT(F("v", "\"long\"", "") "," F("p", "\"string\"", "")), "", "p", "rg.parquet",
              dv);
    tarn_pq_file *pf;
    assert_int_equal(tarn_pq_file_open(path, &pf, &err), TARN_OK);
    assert_true(tarn_pq_file_num_row_groups(pf) > 3);
    tarn_pq_file_close(pf);
    tarn_delta_snapshot *snap = load();
    tarn_delta_scan_opts so = {.with_file_info = true};
    tarn_err_clear(&err);
    tarn_delta_scan *sc;
    assert_int_equal(tarn_delta_scan_open(snap, &so, &sc, &err), TARN_OK);
    int64_t seen = 0, batches = 0, prev = -1;
    tarn_batch *out;
    while (tarn_delta_scan_next(sc, &out, &err) == TARN_OK && out) {
        batches++;
        for (int64_t r = 0; r < out->n_rows; r++) {
            int64_t v = tarn_vec_get_i64(out->cols[0], r);
            int64_t idx = tarn_vec_get_i64(out->cols[3], r);
            assert_int_equal(v, idx); /* the value is its own physical position */
            assert_true(v > prev);
            for (int k = 0; k < n_del; k++)
                assert_int_not_equal(v, del[k]);
            prev = v;
            seen++;
        }
    }
    assert_int_equal(err.code, TARN_OK);
    assert_int_equal(seen, N - n_del);
    assert_int_equal(tarn_delta_scan_rows_deleted(sc), n_del);
    assert_int_equal(tarn_delta_scan_files_read(sc), 1);
    assert_true(batches >= 5);
    tarn_delta_scan_close(sc);
    tarn_delta_snapshot_destroy(snap);
}

/* Every allocation of a scan fails in turn: an error, never a crash or leak. */
static void test_oom(void **state)
{
    (void)state;
    write_main_file("part-0.parquet", PLAIN_TOP, PLAIN_SUB, NULL);
    char dv[512];
    inline_dv_json(dv, sizeof dv);
    write_log("{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":"
              "[\"deletionVectors\"],\"writerFeatures\":[\"deletionVectors\"]}}",
              TABLE_SCHEMA, "", "p", "part-0.parquet", dv);
    tarn_delta_snapshot *snap = load();
    bool done = false;
    for (int64_t n = 1; n < 5000 && !done; n++) {
        tarn_delta_scan_opts o = {.with_file_info = true};
        tarn_delta_scan *sc = NULL;
        tarn_err err;
        int64_t rows = 0;
        tarn_alloc_fail_at(n);
        tarn_status st = tarn_delta_scan_open(snap, &o, &sc, &err);
        while (st == TARN_OK) {
            tarn_batch *b;
            st = tarn_delta_scan_next(sc, &b, &err);
            if (st != TARN_OK || !b)
                break;
            rows += b->n_rows;
        }
        tarn_alloc_fail_at(0);
        tarn_delta_scan_close(sc);
        if (st == TARN_OK) {
            assert_int_equal(rows, 2);
            done = true;
        }
    }
    assert_true(done);
    tarn_delta_snapshot_destroy(snap);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_casts_and_nested), T(test_dv_and_file_info), T(test_column_mapping),
        T(test_type_errors),      T(test_row_groups),       T(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
