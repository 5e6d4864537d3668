/*
 * tests/oom/test_oom.c - out-of-memory torture: each operation runs with
 * tarn_alloc_fail_at(k) for k = 1, 2, ... until a run makes no failing
 * allocation, like curl's torture mode.
 *
 * Every run that meets a failed allocation must either fail with an error
 * status and a filled tarn_err (never crash, never leak: the ASan build
 * checks) or succeed with exactly the result of a run without failures
 * (a swallowed failure may only cost speed, never rows). Covered: Parquet
 * footer decode, reader open + full scan, writer open/write/close, the
 * --where predicate and --schema parsers, the Delta schema parser, the
 * NDJSON and CSV readers, Delta snapshot load, a Delta scan and a Delta
 * append commit.
 */
#include "tarn_test.h"

#include "base/time.h"
#include "column/render.h"
#include "contract/diff.h"
#include "contract/lint.h"
#include "contract/metrics.h"
#include "delta/scan.h"
#include "delta/schema.h"
#include "delta/snapshot.h"
#include "delta/write.h"
#include "exec/predicate.h"
#include "io/reader.h"
#include "parquet/footer.h"
#include "parquet/reader.h"
#include "parquet/writer.h"

#include <dirent.h>

/* Upper bound on allocations of one operation (a run past it is a bug). */
#define OOM_MAX_STEPS 200000

/* One operation under test: returns its status and, on success, may put a
 * canonical rendering of its result in *out (heap, free()). */
typedef tarn_status (*oom_op_fn)(void *ctx, char **out, tarn_err *err);
/* Optional check run after each attempt with failures disabled: verifies
 * what the attempt left behind (st is its status) and, after a success,
 * may fill *out (e.g. by reading back what was written). */
typedef void (*oom_after_fn)(void *ctx, tarn_status st, const tarn_err *err, char **out);

/* Runs op once per allocation it makes, failing that allocation; returns
 * the number of runs. Every result must equal that of a run without
 * failures. */
static int oom_torture(const char *what, oom_op_fn op, oom_after_fn after, void *ctx)
{
    tarn_err err;
    char *ref = NULL;
    int64_t t0 = tarn_monotonic_us();
    tarn_alloc_fail_at(0);
    tarn_status st0 = op(ctx, &ref, &err);
    if (st0 != TARN_OK)
        fail_msg("%s: fails without injected failures: %s", what, err.msg);
    if (after)
        after(ctx, st0, &err, &ref);
    assert_non_null(ref);
    int k;
    for (k = 1; k <= OOM_MAX_STEPS; k++) {
        char *got = NULL;
        int64_t before = tarn_alloc_count();
        tarn_err_clear(&err);
        tarn_alloc_fail_at(k);
        tarn_status st = op(ctx, &got, &err);
        tarn_alloc_fail_at(0);
        bool injected = tarn_alloc_count() - before >= k;
        if (after)
            after(ctx, st, &err, &got);
        if (st != TARN_OK) {
            if (!injected)
                fail_msg("%s: step %d failed without an injected failure: %s", what, k, err.msg);
            if (err.code == TARN_OK)
                fail_msg("%s: step %d returned %s without setting the error", what, k,
                         tarn_status_name(st));
            if (st != TARN_ERR_NOMEM || err.code != TARN_ERR_NOMEM)
                fail_msg("%s: step %d: an allocation failure became %s/%s: %s", what, k,
                         tarn_status_name(st), tarn_status_name(err.code), err.msg);
            free(got);
            continue;
        }
        if (!got || strcmp(got, ref) != 0)
            fail_msg("%s: step %d succeeded with a different result:\n%s\nexpected:\n%s", what, k,
                     got ? got : "(null)", ref);
        free(got);
        if (!injected)
            break;
    }
    if (k > OOM_MAX_STEPS)
        fail_msg("%s: still allocating after %d steps", what, OOM_MAX_STEPS);
    printf("oom: %s: %d runs, %.2f s\n", what, k, (double)(tarn_monotonic_us() - t0) / 1e6);
    free(ref);
    return k;
}

/* A heap copy of a tarn_buf's text ("" when empty), for results. */
static char *buf_text(tarn_buf *b)
{
    char *s = strdup(b->data ? b->data : "");
    tarn_buf_fini(b);
    return s;
}

/* Fixtures -------------------------------------------------------------------- */

static const char *const wide_schema =
    "id int64 not null, name string, amount decimal(10,2), big decimal(38,6), ok boolean, "
    "d date, ts timestamp, ntz timestamp_ntz, x double, f float, i8 int8, b binary";

/* A batch of n rows of wide_schema with nulls and repeated strings. */
static tarn_batch *make_batch(const tarn_schema *s, int n)
{
    tarn_batch *b = tarn_batch_create(s);
    assert_non_null(b);
    tarn_err err;
    for (int i = 0; i < n; i++) {
        char text[64];
        for (int c = 0; c < s->n_fields; c++) {
            tarn_vec *v = b->cols[c];
            if (c > 0 && (i + c) % 5 == 0) {
                assert_int_equal(tarn_vec_append_null(v), TARN_OK);
                continue;
            }
            static const char *const vals[] = {NULL,
                                               "name-%d",
                                               "%d.25",
                                               "-%d.000001",
                                               "true",
                                               "2024-01-%02d",
                                               "2024-02-03T04:05:%02dZ",
                                               "2024-02-03 04:05:%02d",
                                               "%d.5",
                                               "%d.75",
                                               "%d",
                                               "bin%d"};
            if (c == 0) {
                assert_int_equal(tarn_vec_append_i64(v, i * 7), TARN_OK);
                continue;
            }
            int k = c == 5 || c == 6 || c == 7 ? 1 + i % 28 : (c == 1 ? i % 4 : i % 100);
            snprintf(text, sizeof text, vals[c], k);
            tarn_scalar sc;
            assert_int_equal(tarn_scalar_parse(NULL, v->type, text, strlen(text), &sc, &err),
                             TARN_OK);
            assert_int_equal(tarn_vec_append_scalar(v, &sc), TARN_OK);
        }
    }
    b->n_rows = n;
    return b;
}

static tarn_schema *parse_schema(const char *text)
{
    tarn_schema *s;
    tarn_err err;
    if (tarn_schema_parse(text, &s, &err) != TARN_OK)
        fail_msg("schema: %s", err.msg);
    return s;
}

/* Writes rows of wide_schema to path (no injected failures). */
static void write_parquet(const char *path, int rows)
{
    tarn_schema *s = parse_schema(wide_schema);
    tarn_batch *b = make_batch(s, rows);
    tarn_pq_writer *w;
    tarn_err err;
    assert_int_equal(tarn_pq_writer_open(path, s, NULL, &w, &err), TARN_OK);
    assert_int_equal(tarn_pq_writer_write(w, b, &err), TARN_OK);
    assert_int_equal(tarn_pq_writer_close(w, NULL, &err), TARN_OK);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* Parquet ------------------------------------------------------------------------ */

typedef struct footer_ctx {
    const uint8_t *p; /* footer bytes */
    size_t n;         /* their length */
} footer_ctx;

static tarn_status op_footer(void *ctx, char **out, tarn_err *err)
{
    footer_ctx *c = ctx;
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_pq_file_meta m;
    tarn_status st = tarn_pq_footer_decode(c->p, c->n, 0, a, &m, err);
    if (st == TARN_OK) {
        char text[256];
        snprintf(text, sizeof text, "%d elements, %lld rows, %d row groups, %s", m.n_schema,
                 (long long)m.num_rows, m.n_row_groups, m.created_by ? m.created_by : "-");
        *out = strdup(text);
    }
    tarn_arena_destroy(a);
    return st;
}

static void test_parquet_footer(void **state)
{
    (void)state;
    char dir[256], path[300];
    tt_tmpdir("oom-footer", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f.parquet", dir);
    write_parquet(path, 50);
    size_t n;
    char *file = tt_read_file(path, &n);
    assert_non_null(file);
    uint32_t len;
    memcpy(&len, file + n - 8, 4);
    assert_true(len + 12 <= n);
    footer_ctx c = {(const uint8_t *)file + n - 8 - len, len};
    oom_torture("footer decode", op_footer, NULL, &c);
    free(file);
    tt_rmrf(dir);
}

static tarn_status op_pq_read(void *ctx, char **out, tarn_err *err)
{
    tarn_pq_file *f;
    TARN_TRY(tarn_pq_file_open(ctx, &f, err));
    tarn_pq_scan *scan = NULL;
    tarn_buf rows = TARN_BUF_INIT;
    tarn_status st = tarn_pq_scan_open(f, NULL, &scan, err);
    while (st == TARN_OK) {
        tarn_batch *b;
        if ((st = tarn_pq_scan_next(scan, &b, err)) != TARN_OK || !b)
            break;
        if ((st = tarn_render_ndjson(&rows, b)) != TARN_OK)
            tarn_err_set(err, st, "render failed");
    }
    tarn_pq_scan_close(scan);
    tarn_pq_file_close(f);
    if (st == TARN_OK)
        *out = buf_text(&rows);
    else
        tarn_buf_fini(&rows);
    return st;
}

static void test_parquet_read(void **state)
{
    (void)state;
    char dir[256], path[300];
    tt_tmpdir("oom-pqread", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.parquet", dir);
    write_parquet(path, 60);
    oom_torture("parquet open + scan", op_pq_read, NULL, path);
    tt_rmrf(dir);
}

typedef struct pqw_ctx {
    const char *path;     /* file to write */
    const tarn_schema *s; /* batch schema */
    const tarn_batch *b;  /* rows to write */
} pqw_ctx;

static tarn_status op_pq_write(void *ctx, char **out, tarn_err *err)
{
    pqw_ctx *c = ctx;
    tarn_pq_write_opts o;
    tarn_pq_write_opts_init(&o);
    o.page_bytes = 512; /* several pages and a dictionary fallback path */
    o.dictionary_max_bytes = 256;
    tarn_pq_writer *w;
    TARN_TRY(tarn_pq_writer_open(c->path, c->s, &o, &w, err));
    tarn_status st = tarn_pq_writer_write(w, c->b, err);
    if (st != TARN_OK) {
        tarn_pq_writer_abort(w);
        return st;
    }
    tarn_pq_write_result res;
    TARN_TRY(tarn_pq_writer_close(w, &res, err));
    tarn_arena_destroy(res.arena);
    return TARN_OK;
}

/* A written file must read back whole. */
static void after_pq_write(void *ctx, tarn_status st, const tarn_err *err, char **out)
{
    pqw_ctx *c = ctx;
    (void)err;
    if (st != TARN_OK) {
        unlink(c->path); /* a failed close may leave a partial file */
        return;
    }
    tarn_err rerr;
    if (op_pq_read((void *)c->path, out, &rerr) != TARN_OK)
        fail_msg("writer reported success but the file does not read: %s", rerr.msg);
    unlink(c->path);
}

static void test_parquet_write(void **state)
{
    (void)state;
    char dir[256], path[300];
    tt_tmpdir("oom-pqwrite", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/w.parquet", dir);
    tarn_schema *s = parse_schema(wide_schema);
    tarn_batch *b = make_batch(s, 40);
    pqw_ctx c = {path, s, b};
    oom_torture("parquet write", op_pq_write, after_pq_write, &c);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

/* Parsers -------------------------------------------------------------------------- */

typedef struct pred_ctx {
    const tarn_schema *s; /* bound schema */
    const tarn_batch *b;  /* rows to evaluate on */
} pred_ctx;

static tarn_status op_predicate(void *ctx, char **out, tarn_err *err)
{
    pred_ctx *c = ctx;
    tarn_pred *p;
    TARN_TRY(tarn_pred_parse("(amount > 10.5 AND name IN ('name-1', 'name-2', NULL)) OR "
                             "NOT (ts < '2024-02-03T04:05:10Z' OR d IS NULL) OR "
                             "id BETWEEN 7 AND 70 AND \"ok\" = TRUE AND x <> 3.5",
                             c->s, &p, err));
    uint8_t match[64];
    tarn_status st = tarn_pred_eval(p, c->b, match, err);
    tarn_pred_destroy(p);
    if (st != TARN_OK)
        return st;
    char text[65];
    for (int64_t i = 0; i < c->b->n_rows; i++)
        text[i] = match[i] ? '1' : '0';
    text[c->b->n_rows] = '\0';
    *out = strdup(text);
    return TARN_OK;
}

static void test_predicate(void **state)
{
    (void)state;
    tarn_schema *s = parse_schema(wide_schema);
    tarn_batch *b = make_batch(s, 64);
    pred_ctx c = {s, b};
    oom_torture("predicate parse + eval", op_predicate, NULL, &c);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static tarn_status op_schema(void *ctx, char **out, tarn_err *err)
{
    tarn_schema *s;
    TARN_TRY(tarn_schema_parse(ctx, &s, err));
    tarn_buf text = TARN_BUF_INIT;
    tarn_status st = tarn_schema_format(s, &text);
    tarn_schema_destroy(s);
    if (st != TARN_OK) {
        tarn_buf_fini(&text);
        return tarn_err_set(err, st, "format failed");
    }
    *out = buf_text(&text);
    return TARN_OK;
}

static tarn_status op_delta_schema(void *ctx, char **out, tarn_err *err)
{
    const char *json = ctx;
    tarn_schema *s;
    TARN_TRY(tarn_delta_schema_parse(json, strlen(json), &s, err));
    tarn_buf text = TARN_BUF_INIT;
    tarn_status st = tarn_delta_schema_serialize(s, &text, err);
    tarn_schema_destroy(s);
    if (st != TARN_OK) {
        tarn_buf_fini(&text);
        return st;
    }
    *out = buf_text(&text);
    return TARN_OK;
}

static void test_schema(void **state)
{
    (void)state;
    oom_torture("schema parse", op_schema, NULL, (void *)wide_schema);
    oom_torture("delta schema parse", op_delta_schema, NULL,
                "{\"type\":\"struct\",\"fields\":["
                "{\"name\":\"id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
                "{\"name\":\"st\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"a\","
                "\"type\":\"decimal(10,2)\",\"nullable\":true,\"metadata\":{}}]},"
                "\"nullable\":true,\"metadata\":{}},"
                "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"elementType\":\"string\","
                "\"containsNull\":true},\"nullable\":true,\"metadata\":{}},"
                "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":"
                "\"timestamp_ntz\",\"valueContainsNull\":true},\"nullable\":true,\"metadata\":"
                "{\"delta.columnMapping.id\":4,\"delta.columnMapping.physicalName\":\"col-m\"}}]}");
}

/* NDJSON ----------------------------------------------------------------------------- */

typedef struct ndjson_ctx {
    const tarn_schema *s;  /* reader schema */
    const char *text;      /* input */
    bool threads;          /* use the pool instead of the calling thread */
    tarn_io_format format; /* NDJSON or CSV */
    bool permissive;       /* skip bad records (an allocation failure must not be one) */
} ndjson_ctx;

static tarn_status skip_bad(void *ctx, const tarn_io_bad_record *rec, tarn_err *err)
{
    (void)ctx;
    (void)rec;
    (void)err;
    return TARN_OK;
}

static tarn_status op_ndjson(void *ctx, char **out, tarn_err *err)
{
    ndjson_ctx *c = ctx;
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.format = c->format;
    o.chunk_size = 64; /* many chunks and pieces */
    o.batch_rows = 3;
    o.single_threaded = !c->threads;
    o.on_bad_record = c->permissive ? skip_bad : NULL;
    tarn_io_reader *r;
    TARN_TRY(tarn_io_reader_open_mem(c->text, strlen(c->text), "oom.ndjson", c->s, &o, &r, err));
    tarn_buf rows = TARN_BUF_INIT;
    tarn_status st;
    for (;;) {
        tarn_batch *b;
        if ((st = tarn_io_reader_next(r, &b, err)) != TARN_OK || !b)
            break;
        if ((st = tarn_render_ndjson(&rows, b)) != TARN_OK) {
            tarn_err_set(err, st, "render failed");
            break;
        }
    }
    tarn_io_reader_close(r);
    if (st != TARN_OK) {
        tarn_buf_fini(&rows);
        return st;
    }
    *out = buf_text(&rows);
    return TARN_OK;
}

static void test_ndjson(void **state)
{
    (void)state;
    tarn_schema *s = parse_schema(wide_schema);
    tarn_buf text = TARN_BUF_INIT;
    for (int i = 0; i < 20; i++)
        assert_int_equal(
            tarn_buf_printf(&text,
                            "{\"id\":%d,\"name\":\"n\\u00e9%d\",\"amount\":\"%d.50\",\"ok\":%s,"
                            "\"d\":\"2024-01-%02d\",\"ts\":\"2024-01-01T00:00:%02dZ\",\"x\":%d.5,"
                            "\"extra\":{\"a\":[1,2]},\"big\":null}\n",
                            i, i, i, i % 2 ? "true" : "false", 1 + i, i, i),
            TARN_OK);
    ndjson_ctx c = {s, text.data, false, TARN_IO_NDJSON, false};
    oom_torture("ndjson reader", op_ndjson, NULL, &c);
    c.threads = true;
    oom_torture("ndjson reader (threads)", op_ndjson, NULL, &c);
    assert_int_equal(
        tarn_buf_append_str(&text, "{\"id\":\"bad\"}\n{\"id\":9,\"name\":\"a\\\"b\"}\n"), TARN_OK);
    c.text = text.data;
    c.permissive = true;
    oom_torture("ndjson reader (permissive)", op_ndjson, NULL, &c);
    c.permissive = false;
    tarn_buf_reset(&text);
    assert_int_equal(tarn_buf_append_str(&text, "id,name,amount,ok,d,ts,x,extra\n"), TARN_OK);
    for (int i = 0; i < 20; i++)
        assert_int_equal(tarn_buf_printf(&text,
                                         "%d,\"n,\"\"%d\"\"\",%d.50,%s,2024-01-%02d,"
                                         "2024-01-01T00:00:%02dZ,%d.5,x\n",
                                         i, i, i, i % 2 ? "true" : "", 1 + i, i, i),
                         TARN_OK);
    c.format = TARN_IO_CSV;
    c.text = text.data;
    oom_torture("csv reader (threads)", op_ndjson, NULL, &c);
    c.threads = false;
    oom_torture("csv reader", op_ndjson, NULL, &c);
    assert_int_equal(tarn_buf_append_str(&text, "bad,\"row\",x,maybe,,,,\n7,\"\"\"q\",1,,,,,\n"),
                     TARN_OK);
    c.text = text.data;
    c.permissive = true;
    oom_torture("csv reader (permissive)", op_ndjson, NULL, &c);
    tarn_buf_fini(&text);
    tarn_schema_destroy(s);
}

/* Delta ------------------------------------------------------------------------------ */

typedef struct one_batch {
    tarn_batch *b; /* the batch */
    bool done;     /* handed out */
} one_batch;

static tarn_status one_batch_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    (void)err;
    one_batch *ob = ctx;
    *out = ob->done ? NULL : ob->b;
    ob->done = true;
    return TARN_OK;
}

/* Appends rows [start, start + n) to table (no injected failures). */
static void delta_append(const char *table, const tarn_schema *s, int n,
                         const tarn_delta_write_opts *o)
{
    tarn_batch *b = make_batch(s, n);
    one_batch ob = {b, false};
    tarn_err err;
    if (tarn_delta_write(table, s, one_batch_next, &ob, o, NULL, &err) != TARN_OK)
        fail_msg("write %s: %s", table, err.msg);
    tarn_batch_destroy(b);
}

static tarn_status op_snapshot(void *ctx, char **out, tarn_err *err)
{
    tarn_delta_snapshot *snap;
    TARN_TRY(tarn_delta_snapshot_load(ctx, NULL, &snap, err));
    tarn_buf text = TARN_BUF_INIT;
    tarn_status st =
        tarn_buf_printf(&text, "v%lld cp%lld files %d schema ", (long long)snap->version,
                        (long long)snap->checkpoint_version, snap->n_files);
    if (st == TARN_OK)
        st = tarn_schema_format(snap->schema, &text);
    for (int i = 0; st == TARN_OK && i < snap->n_files; i++)
        st = tarn_buf_printf(&text, "\n%s %lld %s", snap->files[i].path,
                             (long long)snap->files[i].size,
                             snap->files[i].stats ? snap->files[i].stats : "-");
    tarn_delta_snapshot_destroy(snap);
    if (st != TARN_OK) {
        tarn_buf_fini(&text);
        return tarn_err_set(err, st, "render failed");
    }
    *out = buf_text(&text);
    return TARN_OK;
}

static tarn_status op_scan(void *ctx, char **out, tarn_err *err)
{
    tarn_delta_scan *sc;
    TARN_TRY(tarn_delta_scan_open(ctx, NULL, &sc, err));
    tarn_buf rows = TARN_BUF_INIT;
    tarn_status st;
    for (;;) {
        tarn_batch *b;
        if ((st = tarn_delta_scan_next(sc, &b, err)) != TARN_OK || !b)
            break;
        if ((st = tarn_render_ndjson(&rows, b)) != TARN_OK) {
            tarn_err_set(err, st, "render failed");
            break;
        }
    }
    tarn_delta_scan_close(sc);
    if (st != TARN_OK) {
        tarn_buf_fini(&rows);
        return st;
    }
    *out = buf_text(&rows);
    return TARN_OK;
}

static void test_delta_snapshot(void **state)
{
    (void)state;
    char dir[256];
    tt_tmpdir("oom-snap", dir, sizeof dir);
    tarn_schema *s = parse_schema(wide_schema);
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    static const char *const part[] = {"ok"};
    o.partition_by = part;
    o.n_partition_by = 1;
    tarn_delta_kv cfg[] = {{"delta.checkpointInterval", "2"}};
    o.config = cfg;
    o.n_config = 1;
    delta_append(dir, s, 10, &o); /* version 0 */
    tarn_delta_write_opts_init(&o);
    delta_append(dir, s, 5, &o); /* version 1 */
    delta_append(dir, s, 5, &o); /* version 2, checkpoint */
    delta_append(dir, s, 3, &o); /* version 3 */
    oom_torture("delta snapshot load", op_snapshot, NULL, dir);
    tarn_delta_snapshot *snap;
    tarn_err err;
    if (tarn_delta_snapshot_load(dir, NULL, &snap, &err) != TARN_OK)
        fail_msg("load: %s", err.msg);
    oom_torture("delta scan", op_scan, NULL, snap);
    tarn_delta_snapshot_destroy(snap);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

typedef struct append_ctx {
    const char *table;           /* table root */
    const tarn_schema *s;        /* batch schema */
    tarn_batch *b;               /* rows to append */
    int64_t version;             /* table version before the append */
    int files_before;            /* data files before the attempt */
    tarn_delta_write_result res; /* result of the attempt */
} append_ctx;

/* Number of data files under dir (recursive, _delta_log skipped). */
static int count_data_files(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "_delta_log") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            n += count_data_files(path);
        else
            n++;
    }
    closedir(d);
    return n;
}

static tarn_status op_append(void *ctx, char **out, tarn_err *err)
{
    append_ctx *c = ctx;
    one_batch ob = {c->b, false};
    (void)out;
    c->files_before = count_data_files(c->table);
    return tarn_delta_write(c->table, c->s, one_batch_next, &ob, NULL, &c->res, err);
}

/* A failed append publishes nothing and leaves no data file; a successful
 * one published exactly the next version (then undone for the next run). */
static void after_append(void *ctx, tarn_status st, const tarn_err *err, char **out)
{
    append_ctx *c = ctx;
    tarn_err lerr;
    tarn_delta_snapshot *snap;
    if (tarn_delta_snapshot_load(c->table, NULL, &snap, &lerr) != TARN_OK)
        fail_msg("table unreadable after an append attempt: %s", lerr.msg);
    int64_t v = snap->version;
    int n_files = snap->n_files;
    tarn_delta_snapshot_destroy(snap);
    if (st != TARN_OK) {
        if (v != c->version)
            fail_msg("failed append (%s) still published version %lld", err->msg, (long long)v);
        if (count_data_files(c->table) != c->files_before)
            fail_msg("failed append (%s) left data files behind", err->msg);
        return;
    }
    if (!c->res.committed || v != c->version + 1 || c->res.version != v)
        fail_msg("append reported success but the table is at version %lld", (long long)v);
    char text[128];
    snprintf(text, sizeof text, "rows %lld files %d", (long long)c->res.rows, n_files);
    *out = strdup(text);
    /* Undo, so the next run appends onto the same state: drop the commit. */
    char name[32], path[1200];
    tarn_delta_commit_name(v, name);
    snprintf(path, sizeof path, "%s/_delta_log/%s", c->table, name);
    if (unlink(path) != 0)
        fail_msg("cannot remove %s", path);
}

static void test_delta_append(void **state)
{
    (void)state;
    char dir[256];
    tt_tmpdir("oom-append", dir, sizeof dir);
    tarn_schema *s = parse_schema(wide_schema);
    delta_append(dir, s, 4, NULL); /* version 0 */
    delta_append(dir, s, 4, NULL); /* version 1 */
    append_ctx c = {dir, s, make_batch(s, 12), 1, 0, {0}};
    oom_torture("delta append", op_append, after_append, &c);
    tarn_batch_destroy(c.b);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

/* Contracts ------------------------------------------------------------------------ */

static const char contract_v1[] =
    "dataset: wide\nversion: 1.0.0\nowner: o@x\nsla: 4h\nprimary_key: id\nsequence_by: ts\n"
    "tags: [a, b]\nsource: {format: csv, delimiter: ';', options: {q: x}}\n"
    "quality:\n"
    "  - row_count > 0\n  - null_count(name) <= 10\n  - null_percentage(amount) < 50%\n"
    "  - duplicate_count(id, name) = 0\n  - distinct_count(name) = 4\n"
    "  - invalid_count(amount) = 0\n  - min(d) >= '2024-01-01'\n  - max(big) < 0\n"
    "  - avg(x) between 1 and 100\n  - sum(amount) > 0\n  - freshness(ts) < 1000d\n"
    "  - change(row_count) < 20%\n  - {check: \"anomaly(row_count)\", severity: warn}\n"
    "schema:\n"
    "  - {name: id, type: int64}\n"
    "  - {name: name, type: string, tags: [t], pii: true, constraints: [\"regex('name-[0-9]+')\", "
    "\"allowed_values('name-0', 'name-1', 'name-2')\", min_length(3), unique]}\n"
    "  - {name: amount, type: \"decimal(10,2)\", constraints: [min_value(0), max_value(1000)]}\n"
    "  - {name: big, type: \"decimal(38,6)\"}\n"
    "  - {name: ok, type: boolean, nullable: false}\n"
    "  - {name: d, type: date, constraints: [\"min_value('2024-01-02')\"]}\n"
    "  - {name: ts, type: timestamp}\n"
    "  - {name: x, type: double, constraints: [{rule: max_value(50), severity: warn}]}\n";

static const char contract_v2[] =
    "dataset: wide\nversion: 1.1.0\nowner: p@x\nsla: 2h\nprimary_key: [id, name]\n"
    "quality:\n  - row_count > 10\n  - null_count(name) <= 10\n"
    "schema:\n"
    "  - {name: id, type: int64}\n"
    "  - {name: name, type: string, constraints: [\"allowed_values('name-0', 'name-1')\"]}\n"
    "  - {name: amount, type: \"decimal(12,2)\", constraints: [min_value(1)]}\n"
    "  - {name: ok, type: boolean}\n"
    "  - {name: d2, type: date}\n"
    "  - {name: ts, type: date}\n";

static tarn_status op_contract(void *ctx, char **out, tarn_err *err)
{
    (void)ctx;
    tarn_contract *a = NULL, *b = NULL;
    tarn_ct_warnings w = {0};
    tarn_ct_diff d = {0};
    tarn_buf text = TARN_BUF_INIT;
    tarn_status st = tarn_ct_load_mem(contract_v1, sizeof contract_v1 - 1, "v1.yaml", &a, err);
    if (st == TARN_OK)
        st = tarn_ct_load_mem(contract_v2, sizeof contract_v2 - 1, "v2.yaml", &b, err);
    if (st == TARN_OK)
        st = tarn_ct_lint(a, &w, err);
    if (st == TARN_OK)
        st = tarn_ct_diff_contracts(a, b, &d, err);
    for (int i = 0; st == TARN_OK && i < w.n; i++)
        if (tarn_buf_printf(&text, "%s %s\n", w.items[i].code, w.items[i].msg) != TARN_OK)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; st == TARN_OK && i < d.n; i++)
        if (tarn_buf_printf(&text, "%s %s\n", d.items[i].rule, d.items[i].message) != TARN_OK)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_ct_diff_fini(&d);
    tarn_ct_warnings_fini(&w);
    tarn_ct_destroy(a);
    tarn_ct_destroy(b);
    if (st != TARN_OK) {
        tarn_buf_fini(&text);
        return st;
    }
    *out = buf_text(&text);
    return TARN_OK;
}

typedef struct ct_test_ctx {
    const char *table;
    tarn_contract *c;
} ct_test_ctx;

static tarn_status op_contract_test(void *ctx, char **out, tarn_err *err)
{
    ct_test_ctx *t = ctx;
    tarn_ct_test_opts o = {.now_us = INT64_C(1767398400) * 1000000};
    tarn_ct_report r;
    TARN_TRY(tarn_ct_test(t->c, t->table, &o, &r, err));
    tarn_buf text = TARN_BUF_INIT;
    tarn_status st = TARN_OK;
    for (int i = 0; st == TARN_OK && i < r.n; i++)
        st = tarn_buf_printf(&text, "%s %s %s [%s]\n", r.results[i].id,
                             tarn_ct_outcome_name(r.results[i].outcome), r.results[i].value_text,
                             r.results[i].detail);
    tarn_ct_report_fini(&r);
    if (st != TARN_OK) {
        tarn_buf_fini(&text);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    *out = buf_text(&text);
    return TARN_OK;
}

static void test_contracts(void **state)
{
    (void)state;
    oom_torture("contract load + lint + diff", op_contract, NULL, NULL);
    char dir[256];
    tt_tmpdir("oom-contract", dir, sizeof dir);
    tarn_schema *s = parse_schema(wide_schema);
    delta_append(dir, s, 40, NULL);
    ct_test_ctx t = {dir, NULL};
    tarn_err err;
    if (tarn_ct_load_mem(contract_v1, sizeof contract_v1 - 1, "v1.yaml", &t.c, &err) != TARN_OK)
        fail_msg("load: %s", err.msg);
    oom_torture("contract test", op_contract_test, NULL, &t);
    tarn_ct_destroy(t.c);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parquet_footer), cmocka_unit_test(test_parquet_read),
        cmocka_unit_test(test_parquet_write),  cmocka_unit_test(test_predicate),
        cmocka_unit_test(test_schema),         cmocka_unit_test(test_ndjson),
        cmocka_unit_test(test_delta_snapshot), cmocka_unit_test(test_delta_append),
        cmocka_unit_test(test_contracts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
