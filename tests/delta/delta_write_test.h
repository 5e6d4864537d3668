/*
 * tests/delta/delta_write_test.h - helpers shared by the Delta write-path
 * tests: batch sources, small generated tables, reading a table back as
 * sorted NDJSON through the scan API, and log inspection.
 *
 * Test-only; helpers fail the running cmocka test on their own errors.
 */
#ifndef TARN_TESTS_DELTA_WRITE_TEST_H
#define TARN_TESTS_DELTA_WRITE_TEST_H

#include "tarn_test.h"

#include "column/render.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "delta/write.h"

/* A source over a fixed list of batches (borrowed). */
typedef struct dw_source {
    tarn_batch **batches; /* batches to hand out */
    int n;                /* how many */
    int next;             /* next to hand out */
} dw_source;

static inline tarn_status dw_source_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    (void)err;
    dw_source *s = ctx;
    *out = s->next < s->n ? s->batches[s->next++] : NULL;
    return TARN_OK;
}

static inline tarn_schema *dw_schema(const char *text)
{
    tarn_schema *s;
    tarn_err err;
    if (tarn_schema_parse(text, &s, &err) != TARN_OK)
        fail_msg("schema '%s': %s", text, err.msg);
    return s;
}

/* Batch of schema "id int64, c string" with ids [start, start+n) and c =
 * tags[id % n_tags] (NULL tag = null). */
static inline tarn_batch *dw_batch_ids(const tarn_schema *s, int64_t start, int64_t n,
                                       const char *const *tags, int n_tags)
{
    tarn_batch *b = tarn_batch_create(s);
    for (int64_t i = 0; i < n; i++) {
        assert_int_equal(tarn_vec_append_i64(b->cols[0], start + i), TARN_OK);
        const char *t = tags ? tags[(start + i) % n_tags] : "x";
        if (t)
            assert_int_equal(tarn_vec_append_bytes(b->cols[1], t, (int64_t)strlen(t)), TARN_OK);
        else
            assert_int_equal(tarn_vec_append_null(b->cols[1]), TARN_OK);
    }
    b->n_rows = n;
    return b;
}

/* Writes one batch with the given options; returns the status. */
static inline tarn_status dw_write_batch(const char *table, const tarn_schema *s, tarn_batch *b,
                                         const tarn_delta_write_opts *o,
                                         tarn_delta_write_result *res, tarn_err *err)
{
    dw_source src = {&b, b ? 1 : 0, 0};
    return tarn_delta_write(table, s, dw_source_next, &src, o, res, err);
}

/* Appends ids [start, start+n) to "id int64, c string" tables. */
static inline int64_t dw_append_ids(const char *table, int64_t start, int64_t n)
{
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_batch *b = dw_batch_ids(s, start, n, NULL, 0);
    tarn_delta_write_result r;
    tarn_err err;
    tarn_status st = dw_write_batch(table, s, b, NULL, &r, &err);
    if (st != TARN_OK)
        fail_msg("append to %s: %s", table, err.msg);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
    return r.version;
}

static inline tarn_delta_snapshot *dw_load(const char *table, int64_t version)
{
    tarn_delta_at at = {.kind = version < 0 ? TARN_DELTA_AT_LATEST : TARN_DELTA_AT_VERSION,
                        .version = version};
    tarn_delta_snapshot *snap;
    tarn_err err;
    if (tarn_delta_snapshot_load(table, &at, &snap, &err) != TARN_OK)
        fail_msg("load %s@%lld: %s", table, (long long)version, err.msg);
    return snap;
}

static inline int dw_cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline int dw_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Rows of the snapshot as NDJSON lines sorted bytewise (heap string; free). */
static inline char *dw_rows_snap(const tarn_delta_snapshot *snap, int64_t *out_rows)
{
    tarn_delta_scan *sc;
    tarn_err err;
    if (tarn_delta_scan_open(snap, NULL, &sc, &err) != TARN_OK)
        fail_msg("scan: %s", err.msg);
    tarn_buf all = TARN_BUF_INIT;
    for (;;) {
        tarn_batch *b;
        if (tarn_delta_scan_next(sc, &b, &err) != TARN_OK)
            fail_msg("scan next: %s", err.msg);
        if (!b)
            break;
        assert_int_equal(tarn_render_ndjson(&all, b), TARN_OK);
    }
    tarn_delta_scan_close(sc);
    /* sort lines */
    size_t n = 0;
    for (size_t i = 0; i < all.len; i++)
        n += all.data[i] == '\n';
    char **lines = calloc(n + 1, sizeof *lines);
    size_t k = 0;
    char *p = all.data;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        lines[k++] = p;
        p = nl + 1;
    }
    qsort(lines, k, sizeof *lines, dw_cmp_lines);
    tarn_buf out = TARN_BUF_INIT;
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(tarn_buf_append_str(&out, lines[i]), TARN_OK);
        assert_int_equal(tarn_buf_append_char(&out, '\n'), TARN_OK);
    }
    free(lines);
    tarn_buf_fini(&all);
    if (out_rows)
        *out_rows = (int64_t)k;
    char *s = tarn_buf_steal(&out, NULL);
    return s ? s : tarn_strdup("");
}

static inline char *dw_rows(const char *table, int64_t version, int64_t *out_rows)
{
    tarn_delta_snapshot *snap = dw_load(table, version);
    char *s = dw_rows_snap(snap, out_rows);
    tarn_delta_snapshot_destroy(snap);
    return s;
}

static inline int64_t dw_count(const char *table, int64_t version)
{
    int64_t n;
    tarn_free(dw_rows(table, version, &n));
    return n;
}

/* Text of _delta_log/<version>.json (heap; free()). */
static inline char *dw_commit_text(const char *table, int64_t version)
{
    char path[4200], name[32];
    tarn_delta_commit_name(version, name);
    snprintf(path, sizeof path, "%s/_delta_log/%s", table, name);
    return tt_read_file(path, NULL);
}

/* Number of regular files named *.parquet under dir (recursive, hidden
 * directories and _delta_log skipped). */
static inline int dw_count_parquet(const char *dir)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd,
             "find '%s' -path '*/_delta_log' -prune -o -type f -name '*.parquet' -print | wc -l",
             dir);
    FILE *f = popen(cmd, "r");
    int n = -1;
    if (f) {
        if (fscanf(f, "%d", &n) != 1)
            n = -1;
        pclose(f);
    }
    return n;
}

#endif
