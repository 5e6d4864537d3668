/*
 * tests/conformance/test_delta_tables.c - the Delta reader against the
 * corpus in ../shared/testdata/delta, driven by its MANIFEST.json as the
 * corpus README ("How a test should use the corpus") prescribes.
 *
 * One cmocka test per table. ok tables: every listed version is loaded
 * (time travel, or latest when is_latest), scanned in full, rendered in the
 * canonical row form and compared with the expected NDJSON as a multiset
 * after normalizing both sides (map entries sorted, floats compared as
 * numbers); schema names, partition columns, protocol, active file paths
 * and the txn map are checked against the meta file. Tables needing a
 * reader feature tarn lacks, unsupported-feature and error tables must fail
 * (unsupported ones with TARN_ERR_UNSUPPORTED) before any row is returned.
 */
#include "tarn_test.h"

#include "column/render.h"
#include "delta/scan.h"
#include "delta/snapshot.h"

#include <jansson.h>

static const char *const IMPLEMENTED[] = {
    "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck",
};

static char CORPUS[512];

static json_t *load_json(const char *path)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
    return j;
}

/* Normalization -------------------------------------------------------------- */

static json_t *norm(json_t *v, const tarn_field *f);

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Map entries are sorted by their canonical text (README "Canonical row form"). */
static json_t *norm_map(json_t *v, const tarn_field *f)
{
    size_t n = json_array_size(v);
    char **texts = calloc(n + 1, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        json_t *o = json_object();
        json_object_set_new(o, "key", norm(json_object_get(e, "key"), &f->children[0]));
        json_object_set_new(o, "value", norm(json_object_get(e, "value"), &f->children[1]));
        texts[i] = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        json_decref(o);
    }
    if (n)
        qsort(texts, n, sizeof *texts, cmp_text);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(out, json_loads(texts[i], 0, NULL));
        free(texts[i]);
    }
    free(texts);
    return out;
}

static json_t *norm(json_t *v, const tarn_field *f)
{
    if (!v || json_is_null(v))
        return json_null();
    switch (f->type.id) {
    case TARN_TYPE_STRUCT: {
        json_t *out = json_object();
        for (int i = 0; i < f->n_children; i++)
            json_object_set_new(out, f->children[i].name,
                                norm(json_object_get(v, f->children[i].name), &f->children[i]));
        return out;
    }
    case TARN_TYPE_LIST: {
        json_t *out = json_array();
        for (size_t i = 0; i < json_array_size(v); i++)
            json_array_append_new(out, norm(json_array_get(v, i), &f->children[0]));
        return out;
    }
    case TARN_TYPE_MAP:
        return norm_map(v, f);
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64:
        if (json_is_number(v)) {
            double d = json_number_value(v);
            if (f->type.id == TARN_TYPE_FLOAT32)
                d = (double)(float)d;
            return json_real(d);
        }
        return json_incref(v);
    default:
        return json_incref(v);
    }
}

/* Canonical text of one NDJSON row under the table schema. */
static char *norm_row(const char *line, const tarn_schema *s, const char *where)
{
    json_error_t jerr;
    json_t *row = json_loads(line, 0, &jerr);
    if (!row || !json_is_object(row))
        fail_msg("%s: not a JSON object: %s", where, line);
    json_t *out = json_object();
    for (int i = 0; i < s->n_fields; i++) {
        const tarn_field *f = &s->fields[i];
        json_t *v = json_object_get(row, f->name);
        if (!v)
            fail_msg("%s: row lacks column '%s': %s", where, f->name, line);
        json_object_set_new(out, f->name, norm(v, f));
    }
    if (json_object_size(row) != (size_t)s->n_fields)
        fail_msg("%s: row has %zu keys, the schema %d: %s", where, json_object_size(row),
                 s->n_fields, line);
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(out);
    json_decref(row);
    return text;
}

/* A growable list of heap strings. */
typedef struct strs {
    char **v;   /* strings (malloc) */
    size_t n;   /* used */
    size_t cap; /* allocated */
} strs;

static void strs_push(strs *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = s;
}

static void strs_free(strs *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Scanning ---------------------------------------------------------------------- */

/* Scans every row; returns the status and appends normalized rows. */
static tarn_status scan_all(const tarn_delta_snapshot *snap, strs *rows, int64_t *n_rows,
                            tarn_err *err)
{
    tarn_delta_scan *sc = NULL;
    tarn_status st = tarn_delta_scan_open(snap, NULL, &sc, err);
    *n_rows = 0;
    tarn_buf b = TARN_BUF_INIT;
    while (st == TARN_OK) {
        tarn_batch *batch;
        st = tarn_delta_scan_next(sc, &batch, err);
        if (st != TARN_OK || !batch)
            break;
        *n_rows += batch->n_rows;
        tarn_buf_reset(&b);
        assert_int_equal(tarn_render_ndjson(&b, batch), TARN_OK);
        char *p = b.data;
        while (p && *p) {
            char *nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            strs_push(rows, norm_row(p, snap->schema, "tarn"));
            p = nl ? nl + 1 : p + strlen(p);
        }
    }
    tarn_buf_fini(&b);
    tarn_delta_scan_close(sc);
    return st;
}

static void read_expected(const char *path, const tarn_schema *s, strs *rows)
{
    size_t len;
    char *text = tt_read_file(path, &len);
    if (!text)
        fail_msg("cannot read %s", path);
    char *p = text;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (*p)
            strs_push(rows, norm_row(p, s, path));
        p = nl ? nl + 1 : p + strlen(p);
    }
    free(text);
}

static void compare_rows(strs *got, strs *want, const char *what)
{
    if (got->n)
        qsort(got->v, got->n, sizeof *got->v, cmp_text);
    if (want->n)
        qsort(want->v, want->n, sizeof *want->v, cmp_text);
    size_t i = 0, j = 0, shown = 0;
    bool same = got->n == want->n;
    while (i < got->n || j < want->n) {
        int c = i >= got->n ? 1 : j >= want->n ? -1 : strcmp(got->v[i], want->v[j]);
        if (c == 0) {
            i++, j++;
            continue;
        }
        same = false;
        if (shown++ < 8)
            fprintf(stderr, "%s: %s %s\n", what, c < 0 ? "unexpected" : "missing",
                    c < 0 ? got->v[i] : want->v[j]);
        if (c < 0)
            i++;
        else
            j++;
    }
    if (!same)
        fail_msg("%s: rows differ (%zu read, %zu expected)", what, got->n, want->n);
}

/* Meta checks ------------------------------------------------------------------------ */

static void check_meta(const tarn_delta_snapshot *s, json_t *meta, json_t *ver, const char *what)
{
    json_t *fields = json_object_get(json_object_get(meta, "schema"), "fields");
    if ((size_t)s->schema->n_fields != json_array_size(fields))
        fail_msg("%s: %d columns, expected %zu", what, s->schema->n_fields,
                 json_array_size(fields));
    for (int i = 0; i < s->schema->n_fields; i++) {
        const char *want = json_string_value(json_object_get(json_array_get(fields, i), "name"));
        if (strcmp(s->schema->fields[i].name, want) != 0)
            fail_msg("%s: column %d is '%s', expected '%s'", what, i, s->schema->fields[i].name,
                     want);
    }
    json_t *pc = json_object_get(meta, "partition_columns");
    assert_int_equal(s->n_partition_columns, (int)json_array_size(pc));
    for (int i = 0; i < s->n_partition_columns; i++)
        assert_string_equal(s->metadata.partition_columns[i],
                            json_string_value(json_array_get(pc, i)));
    json_t *proto = json_object_get(meta, "protocol");
    assert_int_equal(s->protocol.min_reader_version,
                     json_integer_value(json_object_get(proto, "minReaderVersion")));
    /* active files: same multiset of log paths */
    json_t *files = json_object_get(meta, "active_files");
    if ((size_t)s->n_files != json_array_size(files))
        fail_msg("%s: %d active files, expected %zu", what, s->n_files, json_array_size(files));
    for (size_t i = 0; i < json_array_size(files); i++) {
        const char *p = json_string_value(json_object_get(json_array_get(files, i), "path"));
        if (tarn_delta_snapshot_find_file(s, p) < 0)
            fail_msg("%s: active file %s missing after replay", what, p);
    }
    /* txn map: the meta file's, or the manifest's */
    json_t *txn = json_object_get(meta, "txn");
    if (!json_is_object(txn))
        txn = json_object_get(ver, "txn");
    if (json_is_object(txn)) {
        assert_int_equal(s->n_txns, (int)json_object_size(txn));
        const char *app;
        json_t *v;
        json_object_foreach(txn, app, v)
        {
            if (tarn_delta_snapshot_txn(s, app) != json_integer_value(v))
                fail_msg("%s: txn %s is %lld, expected %lld", what, app,
                         (long long)tarn_delta_snapshot_txn(s, app),
                         (long long)json_integer_value(v));
        }
    }
}

/* Table kinds --------------------------------------------------------------------------- */

static void check_version(const char *root, const char *id, json_t *ver)
{
    int64_t version = json_integer_value(json_object_get(ver, "version"));
    bool latest = json_is_true(json_object_get(ver, "is_latest"));
    char what[600], path[1200];
    snprintf(what, sizeof what, "%s v%lld", id, (long long)version);
    tarn_delta_at at = {TARN_DELTA_AT_VERSION, version, 0};
    tarn_delta_snapshot *s = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_delta_snapshot_load(root, latest ? NULL : &at, &s, &err) != TARN_OK)
        fail_msg("%s: load failed: %s (%s)", what, err.msg, err.path);
    assert_int_equal(s->version, version);

    snprintf(path, sizeof path, "%s/%s/%s", CORPUS, id,
             json_string_value(json_object_get(ver, "meta_file")));
    json_t *meta = load_json(path);
    check_meta(s, meta, ver, what);
    json_decref(meta);

    strs got = {0}, want = {0};
    int64_t n_rows;
    if (scan_all(s, &got, &n_rows, &err) != TARN_OK)
        fail_msg("%s: scan failed: %s (%s)", what, err.msg, err.path);
    int64_t want_rows = json_integer_value(json_object_get(ver, "row_count"));
    if (n_rows != want_rows)
        fprintf(stderr, "%s: %lld rows, expected %lld\n", what, (long long)n_rows,
                (long long)want_rows);
    snprintf(path, sizeof path, "%s/%s/%s", CORPUS, id,
             json_string_value(json_object_get(ver, "rows_file")));
    read_expected(path, s->schema, &want);
    compare_rows(&got, &want, what);
    assert_int_equal(n_rows, want_rows);
    if (getenv("TARN_TEST_VERBOSE")) {
        fprintf(stderr, "%s: %lld rows match (checkpoint %lld, %d files)\n", what,
                (long long)n_rows, (long long)s->checkpoint_version, s->n_files);
        for (size_t i = 0; i < got.n && i < 3; i++)
            fprintf(stderr, "  %s\n", got.v[i]);
    }
    strs_free(&got);
    strs_free(&want);
    tarn_delta_snapshot_destroy(s);
}

/* Loading and scanning must fail before any row; returns the error code. */
static tarn_status expect_refusal(const char *root, tarn_err *err)
{
    tarn_delta_snapshot *s = NULL;
    tarn_err_clear(err);
    tarn_status st = tarn_delta_snapshot_load(root, NULL, &s, err);
    if (st != TARN_OK)
        return st;
    strs rows = {0};
    int64_t n;
    st = scan_all(s, &rows, &n, err);
    size_t got = rows.n;
    strs_free(&rows);
    tarn_delta_snapshot_destroy(s);
    if (got > 0)
        fail_msg("%s: returned %zu rows instead of failing", root, got);
    if (st == TARN_OK)
        fail_msg("%s: loaded and scanned without an error", root);
    return st;
}

static bool implemented(json_t *table)
{
    json_t *feats = json_object_get(json_object_get(table, "requires"), "readerFeatures");
    for (size_t i = 0; i < json_array_size(feats); i++) {
        const char *f = json_string_value(json_array_get(feats, i));
        bool ok = false;
        for (size_t k = 0; k < TARN_ARRAY_LEN(IMPLEMENTED); k++)
            ok = ok || strcmp(f, IMPLEMENTED[k]) == 0;
        if (!ok)
            return false;
    }
    json_int_t rv =
        json_integer_value(json_object_get(json_object_get(table, "requires"), "minReaderVersion"));
    return rv <= 3;
}

static void test_table(void **state)
{
    json_t *table = *state;
    const char *dir = json_string_value(json_object_get(table, "dir"));
    const char *expect = json_string_value(json_object_get(table, "expect"));
    char root[1024];
    snprintf(root, sizeof root, "%s/%s", CORPUS, dir);
    tarn_err err;
    if (strcmp(expect, "ok") == 0 && implemented(table)) {
        json_t *versions = json_object_get(table, "versions");
        for (size_t i = 0; i < json_array_size(versions); i++)
            check_version(root, json_string_value(json_object_get(table, "id")),
                          json_array_get(versions, i));
    } else if (strcmp(expect, "error") == 0) {
        tarn_status st = expect_refusal(root, &err);
        assert_int_not_equal(st, TARN_OK);
        fprintf(stderr, "%s: refused as expected: %s\n", dir, err.msg);
    } else { /* unsupported-feature, or an ok table needing what tarn lacks */
        tarn_status st = expect_refusal(root, &err);
        if (st != TARN_ERR_UNSUPPORTED)
            fail_msg("%s: expected an unsupported-feature error, got %s: %s", dir,
                     tarn_status_name(st), err.msg);
        fprintf(stderr, "%s: refused as expected: %s\n", dir, err.msg);
    }
}

int main(void)
{
    tt_testdata("delta", CORPUS, sizeof CORPUS);
    char path[600];
    snprintf(path, sizeof path, "%s/MANIFEST.json", CORPUS);
    json_error_t jerr;
    json_t *manifest = json_load_file(path, 0, &jerr);
    if (!manifest) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
        return 1;
    }
    json_t *tables = json_object_get(manifest, "tables");
    size_t n = json_array_size(tables);
    struct CMUnitTest *tests = calloc(n + 1, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(tables, i);
        tests[i].name = json_string_value(json_object_get(t, "id"));
        tests[i].test_func = test_table;
        tests[i].initial_state = t;
    }
    int rc = _cmocka_run_group_tests("delta_tables", tests, n, NULL, NULL);
    free(tests);
    json_decref(manifest);
    return rc;
}
