/*
 * tests/cli/test_cmd_parquet.c - `tarn parquet inspect`: text and JSON
 * output on corpus files, usage errors and the one-line error format for
 * corrupt files (exit 2). Calls tarn_cli_parquet() in-process with stdout
 * and stderr redirected to files.
 */
#include "tarn_test.h"

#include "cli/cli.h"

#include <fcntl.h>
#include <jansson.h>

typedef struct run {
    int rc;    /* exit code */
    char *out; /* stdout (heap) */
    char *err; /* stderr (heap) */
} run;

static run run_cmd(int argc, char **argv)
{
    char dir[256], po[300], pe[300];
    tt_tmpdir("cmdpq", dir, sizeof dir);
    snprintf(po, sizeof po, "%s/out", dir);
    snprintf(pe, sizeof pe, "%s/err", dir);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fo, 1);
    dup2(fe, 2);
    run r;
    r.rc = tarn_cli_parquet(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);
    r.out = tt_read_file(po, NULL);
    r.err = tt_read_file(pe, NULL);
    tt_rmrf(dir);
    return r;
}

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
}

static void test_inspect_text(void **state)
{
    (void)state;
    char path[1024];
    tt_testdata("parquet/duckdb/duckdb_types_v1_uncompressed.parquet", path, sizeof path);
    char *argv[] = {"parquet", "inspect", path};
    run r = run_cmd(3, argv);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "size: 7772 bytes"));
    assert_non_null(strstr(r.out, "created_by: DuckDB version v1.5.6"));
    assert_non_null(strstr(r.out, "rows: 24"));
    assert_non_null(strstr(r.out, "    ts_tz: OPTIONAL INT64 (TIMESTAMP(MICROS,UTC) / "
                                  "TIMESTAMP_MICROS)"));
    assert_non_null(strstr(r.out, "  u64: INT64 UNCOMPRESSED, PLAIN, 234 -> 234 bytes, 24 values, "
                                  "nulls 2, min 0, max 18446744073709551615"));
    assert_non_null(strstr(r.out, "dec_4_1: INT32 UNCOMPRESSED, PLAIN, 146 -> 146 bytes, 24 values,"
                                  " nulls 2, min -999.9, max 999.9"));
    assert_non_null(strstr(r.out, "min \"\", max \"\xf0\x9f\xa6\x86 duck\""));
    run_free(&r);

    /* Nested: the schema tree and dotted leaf paths; field ids. */
    tt_testdata("parquet/nested/list_columns.parquet", path, sizeof path);
    r = run_cmd(3, argv);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "    int64_list: OPTIONAL group (LIST / LIST)\n"
                                  "      list: REPEATED group\n"
                                  "        item: OPTIONAL INT64\n"));
    assert_non_null(strstr(r.out, "  utf8_list.list.item: BYTE_ARRAY SNAPPY"));
    run_free(&r);
}

static void test_inspect_json(void **state)
{
    (void)state;
    char path[1024];
    tt_testdata("parquet/duckdb/duckdb_100k_zstd.parquet", path, sizeof path);
    char *argv[] = {"parquet", "inspect", path, "--json"};
    run r = run_cmd(4, argv);
    assert_int_equal(r.rc, 0);
    json_error_t je;
    json_t *doc = json_loads(r.out, 0, &je);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "num_rows")), 100000);
    assert_int_equal(json_integer_value(json_object_get(doc, "size")), 1751842);
    json_t *schema = json_object_get(doc, "schema");
    assert_int_equal(json_array_size(json_object_get(schema, "children")), 10);
    json_t *groups = json_object_get(doc, "row_groups");
    assert_int_equal(json_array_size(groups), 10);
    json_t *g1 = json_array_get(groups, 1);
    assert_int_equal(json_integer_value(json_object_get(g1, "num_rows")), 10240);
    json_t *id = json_array_get(json_object_get(g1, "columns"), 0);
    assert_string_equal(json_string_value(json_object_get(id, "path")), "id");
    assert_string_equal(json_string_value(json_object_get(id, "codec")), "ZSTD");
    json_t *st = json_object_get(id, "statistics");
    assert_string_equal(json_string_value(json_object_get(st, "min")), "10240");
    assert_string_equal(json_string_value(json_object_get(st, "max")), "20479");
    assert_int_equal(json_integer_value(json_object_get(st, "null_count")), 0);
    json_decref(doc);
    run_free(&r);
}

static void test_errors(void **state)
{
    (void)state;
    char path[1024];
    tt_testdata("parquet/bad/garbage_footer.parquet", path, sizeof path);
    char *argv[] = {"parquet", "inspect", path};
    run r = run_cmd(3, argv);
    assert_int_equal(r.rc, 2);
    char want[1200];
    snprintf(want, sizeof want,
             "tarn parquet: %s: offset 4004: malformed Thrift metadata: unknown field type\n",
             path);
    assert_string_equal(r.err, want);
    assert_string_equal(r.out, "");
    run_free(&r);

    tt_testdata("parquet/bad/uniform_encryption.parquet.encrypted", path, sizeof path);
    r = run_cmd(3, argv);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "encrypted Parquet files are not supported"));
    run_free(&r);

    char *none[] = {"parquet", "inspect"};
    r = run_cmd(2, none);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "inspect needs a FILE"));
    run_free(&r);
    char *bogus[] = {"parquet", "frobnicate"};
    r = run_cmd(2, bogus);
    assert_int_equal(r.rc, 2);
    run_free(&r);
    char *help[] = {"parquet", "--help"};
    r = run_cmd(2, help);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "usage: tarn parquet inspect FILE [--json]"));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inspect_text),
        cmocka_unit_test(test_inspect_json),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
