/*
 * tests/pipeline/test_bronze.c - Bronze ingestion read in parallel: a file
 * split into line-aligned byte ranges (one lane each) lands exactly as the
 * same file read whole: the same records in the same order, with the same
 * line numbers, byte offsets and JSON errors.
 */
#include "tarn_test.h"

#include "column/render.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "pipeline/bronze.h"

#include <stdatomic.h>
#include <stdlib.h>

static char g_dir[256];

/* Rows of a Bronze table as text: raw, error, line, offset per row. */
static char *bronze_rows(const char *table, int64_t *n_rows, int *n_files)
{
    tarn_delta_snapshot *snap;
    tarn_err err;
    assert_int_equal(tarn_delta_snapshot_load(table, NULL, &snap, &err), TARN_OK);
    *n_files = snap->n_files;
    const char *cols[] = {"_raw", "_parse_error", "_source_line", "_source_offset", "_format"};
    tarn_delta_scan_opts so = {0};
    so.columns = cols;
    so.n_columns = 5;
    tarn_delta_scan *sc;
    assert_int_equal(tarn_delta_scan_open(snap, &so, &sc, &err), TARN_OK);
    tarn_buf out = TARN_BUF_INIT;
    tarn_batch *b;
    *n_rows = 0;
    while (tarn_delta_scan_next(sc, &b, &err) == TARN_OK && b) {
        assert_int_equal(tarn_render_ndjson(&out, b), TARN_OK);
        *n_rows += b->n_rows;
    }
    tarn_delta_scan_close(sc);
    tarn_delta_snapshot_destroy(snap);
    return out.data;
}

/* Progress reports: monotonic, never past the totals (calls from any lane). */
typedef struct prog {
    _Atomic int calls;
    _Atomic int64_t last_bytes;
    bool bad;
} prog;

static void on_progress(void *ctx, int64_t bytes, int64_t total, int64_t records)
{
    prog *p = ctx;
    p->calls++;
    if (bytes > total || records > 24000 || bytes < 0)
        p->bad = true;
    p->last_bytes = bytes;
}

static prog g_prog;

static void ingest(const char *table, const char *file, int64_t split_min)
{
    tarn_bronze_opts o = {0};
    o.on_progress = on_progress;
    o.progress_every_us = 1;
    o.ctx = &g_prog;
    o.table = table;
    o.files = &file;
    o.n_files = 1;
    tarn_io_opts_init(&o.io);
    o.now_us = 1000;
    o.split_min = split_min;
    tarn_bronze_result r;
    tarn_err err;
    tarn_status st = tarn_bronze_ingest(&o, &r, &err);
    if (st != TARN_OK)
        fail_msg("ingest: %s", err.msg);
    tarn_bronze_result_fini(&r);
}

static void test_split_equals_whole(void **state)
{
    (void)state;
    char file[512], whole[512], split[512];
    snprintf(file, sizeof file, "%s/in.ndjson", g_dir);
    snprintf(whole, sizeof whole, "%s/whole", g_dir);
    snprintf(split, sizeof split, "%s/split", g_dir);
    /* ~3.5 MiB: blank lines, CRLF, invalid JSON, a line over a block. */
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    for (int i = 0; i < 24000; i++) {
        if (i % 997 == 5)
            fputs("\n", f);
        if (i % 1499 == 7)
            fprintf(f, "{\"id\":%d,\"broken\n", i);
        else if (i == 7000) {
            fputs("{\"id\":7000,\"big\":\"", f);
            for (int k = 0; k < 1100000; k++)
                fputc('x', f);
            fputs("\"}\n", f);
        } else
            fprintf(f, "{\"id\":%d,\"v\":\"value-%d\",\"pad\":\"abcdefghijklmnop\"}%s\n", i, i,
                    i % 5 == 0 ? "\r" : "");
    }
    fclose(f);
    ingest(whole, file, INT64_MAX);
    ingest(split, file, 1);
    assert_true(g_prog.calls > 1);
    assert_false(g_prog.bad);
    int64_t n1, n2;
    int f1, f2;
    char *a = bronze_rows(whole, &n1, &f1), *b = bronze_rows(split, &n2, &f2);
    assert_int_equal(n1, 24000);
    assert_int_equal(n2, 24000);
    assert_int_equal(f1, 1);
    assert_true(f2 > 1); /* one file per lane */
    if (strcmp(a, b) != 0) {
        size_t i = 0;
        while (a[i] && a[i] == b[i])
            i++;
        size_t from = i > 300 ? i - 300 : 0;
        fail_msg("split differs at byte %zu:\nwhole: %.400s\nsplit: %.400s", i, a + from, b + from);
    }
    /* Line numbers and offsets are the file's own. */
    assert_non_null(strstr(a, "\"_source_line\":1,\"_source_offset\":0,"));
    tarn_free(a);
    tarn_free(b);
}

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("bronze", g_dir, sizeof g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(g_dir);
    return 0;
}

int main(void)
{
    setenv("TARN_THREADS", "4", 1); /* four lanes even on a small machine */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_equals_whole),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
